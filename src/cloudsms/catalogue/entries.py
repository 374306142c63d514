"""Catalogue entries: one cloud service as a customer reads it (S03).

A `CatalogueEntry` holds the category and deployment options; the policies, technical
standards and compliance controls that apply; ordering, provisioning, pricing and
billing; where resources and data live; the minimum term and the charge for ending
early; and its `Offering` values with their upgrades. ISO/IEC 20000-1:2011 4.3, 5.4,
6.1 and 7.1.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import (
    calendar_length,
    ident,
    jurisdiction_problems,
    jurisdictions,
    member_of,
    raise_problems,
    text,
    texts,
)
from cloudsms._kit.records import Check, Record, one_or_more, unique_by
from cloudsms.catalogue.offerings import Offering, OfferingKind, Upgrade
from cloudsms.context import ObligationKind
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.money import Money, currency
from cloudsms.services import DeploymentModel, ServiceCategory

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cloudsms.levels import ServiceLevel

__all__ = ["Billing", "BillingMethod", "CatalogueEntry", "Control", "Policy"]


def _iso_4217(code: str, path: str) -> list[Problem]:
    try:
        currency(code)
    except UnknownReference:
        return [Problem(path, "an ISO 4217 currency code", describe(code))]
    return []


_currency_code = Check(_iso_4217, expected="an ISO 4217 currency code")
"""A currency code ISO 4217 assigns (``EUR``)."""


def _not_below_zero(money: Money, path: str) -> list[Problem]:
    return [Problem(path, "Money not below zero", describe(money))] if money.amount < 0 else []


_charge = Check(_not_below_zero, expected="Money not below zero")
"""A charge of zero or more."""


@attrs.frozen(kw_only=True)
class Policy(Record):
    """A policy that applies to the service: its topic (``"data retention"``) and statement."""

    topic: str = attrs.field(validator=text)
    statement: str = attrs.field(validator=text)


@attrs.frozen(kw_only=True)
class Control(Record):
    """A control that supports compliance: statutory, regulatory or contractual (S03)."""

    id: str = attrs.field(validator=ident)
    basis: ObligationKind
    description: str = attrs.field(validator=text)


class BillingMethod(enum.StrEnum):
    """How use of the service is charged."""

    PAY_AS_YOU_GO = "pay as you go"
    SUBSCRIPTION = "subscription"
    PREPAID = "prepaid"


@attrs.frozen(kw_only=True)
class Billing(Record):
    """How the entry is accounted for and billed: method, billing cycle, currency.

    Every price, upgrade and charge of the entry is in ``currency``.
    """

    method: BillingMethod
    cycle: relativedelta = attrs.field(validator=calendar_length)
    currency: str = attrs.field(validator=_currency_code)
    accounting: str | None = attrs.field(validator=text, default=None)

    def __hash__(self) -> int:
        return hash((self.method, self.currency, self.accounting, repr(self.cycle)))


# -------------------------------------------------------------------- the entry
@attrs.frozen(kw_only=True)
class CatalogueEntry(Record):
    """One cloud service as the catalogue presents it to customers (S03).

    Carries every item the TR lists for a cloud catalogue entry: the category and
    deployment options, ``policies`` (such as data retention),
    ``technical_standards``, ``security_policies`` (and procedures), ``controls``
    for statutory, regulatory and contractual compliance, the ordering and
    provisioning procedures, ``billing`` with the prices of the ``offerings``,
    ``resource_locations`` and ``data_locations`` (ISO 3166 codes), ``legal_notes``
    on privacy and data protection, the ``upgrades`` that price higher service levels
    and extra resources, the ``minimum_term`` and the ``early_termination_charge``.
    ISO/IEC 20000-1:2011 4.3, 6.1 and 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path — among
            them an offering naming an upgrade the entry lacks, a price in another
            currency than the billing one, or an early-termination charge with no
            minimum term.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    service: str = attrs.field(validator=ident)
    category: ServiceCategory
    deployment_models: frozenset[DeploymentModel] = attrs.field(
        validator=one_or_more(DeploymentModel), converter=as_frozenset
    )
    description: str | None = attrs.field(validator=text, default=None)
    policies: tuple[Policy, ...] = attrs.field(default=(), converter=as_tuple)
    technical_standards: tuple[str, ...] = attrs.field(
        validator=texts(), default=(), converter=as_tuple
    )
    security_policies: tuple[str, ...] = attrs.field(
        validator=texts(), default=(), converter=as_tuple
    )
    controls: tuple[Control, ...] = attrs.field(
        validator=unique_by("id"), default=(), converter=as_tuple
    )
    ordering_procedure: str = attrs.field(validator=text)
    provisioning_procedure: str = attrs.field(validator=text)
    billing: Billing
    resource_locations: frozenset[str] = attrs.field(
        validator=jurisdictions, converter=as_frozenset
    )
    data_locations: frozenset[str] = attrs.field(validator=jurisdictions, converter=as_frozenset)
    legal_notes: tuple[str, ...] = attrs.field(validator=texts(), default=(), converter=as_tuple)
    offerings: tuple[Offering, ...] = attrs.field(
        validator=one_or_more(Offering) & unique_by("id"), converter=as_tuple
    )
    upgrades: tuple[Upgrade, ...] = attrs.field(
        validator=unique_by("id"), default=(), converter=as_tuple
    )
    minimum_term: relativedelta | None = attrs.field(validator=calendar_length, default=None)
    early_termination_charge: Money | None = attrs.field(validator=_charge, default=None)

    def _rules(self) -> Iterator[Problem]:
        """The parts of an entry fit together.

        An offering allows only the entry's own upgrades, and a service-level upgrade
        it allows promises more than the offering on that measure; a charge for ending
        early needs a minimum term; every price and charge is in the billing currency.
        """
        upgrades = {upgrade.id: upgrade for upgrade in self.upgrades}
        for index, offering in enumerate(self.offerings):
            allowed = f"offerings[{index}].upgrades"
            unknown = sorted(offering.upgrades - upgrades.keys())
            if unknown:
                yield Problem(allowed, "ids of the entry's upgrades", ", ".join(unknown))
                continue
            for upgrade in (upgrades[u] for u in sorted(offering.upgrades)):
                current = _offered_level(offering, upgrade)
                if current is not None and not _promises_more(upgrade, current):
                    expected = f"upgrades that raise the offering's level ({current})"
                    yield Problem(allowed, expected, f"{upgrade.id}: {upgrade.level}")
        if self.early_termination_charge is not None and self.minimum_term is None:
            expected = "a minimum term, since the entry charges for early termination"
            yield Problem("minimum_term", expected, "null")
        code = self.billing.currency
        for where, money in self._prices():
            if money.currency != code:
                yield Problem(where, f"an amount in {code}, the billing currency", money.currency)

    def _prices(self) -> Iterator[tuple[str, Money]]:
        """Every price and charge of the entry, with its path."""
        for index, offering in enumerate(self.offerings):
            yield f"offerings[{index}].price.amount", offering.price.amount
        for index, upgrade in enumerate(self.upgrades):
            yield f"upgrades[{index}].price.amount", upgrade.price.amount
        if self.early_termination_charge is not None:
            yield "early_termination_charge", self.early_termination_charge

    def __hash__(self) -> int:
        return hash((self.id, self.service, self.offerings, self.upgrades))

    @property
    def fixed_offerings(self) -> tuple[Offering, ...]:
        """The offerings with fixed service levels, in order."""
        return tuple(o for o in self.offerings if o.kind is OfferingKind.FIXED)

    @property
    def customizable_offerings(self) -> tuple[Offering, ...]:
        """The offerings the customer can extend with upgrades, in order."""
        return tuple(o for o in self.offerings if o.kind is OfferingKind.CUSTOMIZABLE)

    def offering(self, offering_id: str) -> Offering:
        """The offering with this id.

        Raises:
            UnknownReference: the entry has no such offering (with close matches).
        """
        for offering in self.offerings:
            if offering.id == offering_id:
                return offering
        known = [offering.id for offering in self.offerings]
        raise UnknownReference("offering", offering_id, suggestions=suggest(offering_id, known))

    def upgrades_for(self, offering_id: str) -> tuple[Upgrade, ...]:
        """The upgrades a customer of ``offering_id`` may buy (none for a fixed offering)."""
        allowed = self.offering(offering_id).upgrades
        return tuple(u for u in self.upgrades if u.id in allowed)

    def controls_for(self, basis: ObligationKind | str) -> tuple[Control, ...]:
        """The controls supporting statutory, regulatory or contractual compliance.

        Raises:
            ValidationError: ``basis`` is not ``statutory``, ``regulatory`` or ``contractual``.
        """
        wanted = member_of(ObligationKind, basis, "$.basis", subject="Catalogue query")
        return tuple(c for c in self.controls if c.basis is wanted)

    def stores_data_in(self, code: str) -> bool:
        """Whether the entry keeps data in ``code`` or a part of it (``US-CA`` in ``US``)."""
        raise_problems(jurisdiction_problems(code, "$.code"), "Data location query")
        return any(loc == code or loc.startswith(code + "-") for loc in self.data_locations)


def _offered_level(offering: Offering, upgrade: Upgrade) -> ServiceLevel | None:
    """The offering's level on the measure a service-level upgrade raises, if it has one."""
    if upgrade.level is None:
        return None
    return next((lv for lv in offering.levels if lv.measure == upgrade.level.measure), None)


def _promises_more(upgrade: Upgrade, current: ServiceLevel) -> bool:
    """Whether the upgrade's level is stricter than ``current`` (another bound or unit is not)."""
    try:
        return upgrade.level is not None and upgrade.level.is_stricter_than(current)
    except ValidationError:
        return False
