"""Catalogue entries: one cloud service as a customer reads it (S03).

A `CatalogueEntry` holds the category and deployment options; the policies, technical
standards and compliance controls that apply; ordering, provisioning, pricing and
billing; where resources and data live; the minimum term and the charge for ending
early; and its `Offering` values with their upgrades. ISO/IEC 20000-1:2011 4.3, 5.4,
6.1 and 7.1.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import (
    as_frozenset,
    as_tuple,
    calendar_length_problems,
    id_problems,
    instance_problems,
    items_problems,
    jurisdiction_problems,
    jurisdiction_set_problems,
    member_of,
    raise_problems,
    text_list_problems,
    text_problems,
)
from cloudsms.catalogue.offerings import Offering, OfferingKind, Upgrade
from cloudsms.context import ObligationKind
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.money import Money, currency
from cloudsms.services import (
    DeploymentModel,
    ServiceCategory,
)

__all__ = ["Billing", "BillingMethod", "CatalogueEntry", "Control", "Policy"]


def distinct_ids(values: tuple[Any, ...], path: str) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, value in enumerate(values):
        if value.id in seen:
            problems.append(Problem(f"{path}[{index}].id", "an id used once", describe(value.id)))
        seen.add(value.id)
    return problems


@attrs.frozen(kw_only=True)
class Policy:
    """A policy that applies to the service: its topic (``"data retention"``) and statement."""

    topic: str
    statement: str

    def __attrs_post_init__(self) -> None:
        raise_problems(
            text_problems(self.topic, "$.topic") + text_problems(self.statement, "$.statement"),
            "Policy",
        )


@attrs.frozen(kw_only=True)
class Control:
    """A control that supports compliance: statutory, regulatory or contractual (S03)."""

    id: str
    basis: ObligationKind
    description: str

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.description, "$.description")
        basis: object = self.basis
        if not isinstance(basis, ObligationKind):
            problems.append(
                Problem("$.basis", "'statutory', 'regulatory' or 'contractual'", describe(basis))
            )
        raise_problems(problems, "Control")


class BillingMethod(enum.StrEnum):
    """How use of the service is charged."""

    PAY_AS_YOU_GO = "pay as you go"
    SUBSCRIPTION = "subscription"
    PREPAID = "prepaid"


@attrs.frozen(kw_only=True)
class Billing:
    """How the entry is accounted for and billed: method, billing cycle, currency.

    Every price, upgrade and charge of the entry is in ``currency``.
    """

    method: BillingMethod
    cycle: relativedelta
    currency: str
    accounting: str | None = None

    def __attrs_post_init__(self) -> None:
        method: object = self.method
        problems = (
            []
            if isinstance(method, BillingMethod)
            else [Problem("$.method", "a BillingMethod", describe(method))]
        )
        problems += calendar_length_problems(self.cycle, "$.cycle")
        try:
            currency(self.currency)
        except (ValidationError, UnknownReference):
            problems.append(
                Problem("$.currency", "an ISO 4217 currency code", describe(self.currency))
            )
        if self.accounting is not None:
            problems += text_problems(self.accounting, "$.accounting")
        raise_problems(problems, "Billing")

    def __hash__(self) -> int:
        return hash((self.method, self.currency, self.accounting, repr(self.cycle)))


# -------------------------------------------------------------------- the entry
@attrs.frozen(kw_only=True)
class CatalogueEntry:
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

    id: str
    name: str
    service: str
    category: ServiceCategory
    deployment_models: frozenset[DeploymentModel] = attrs.field(converter=as_frozenset)
    description: str | None = None
    policies: tuple[Policy, ...] = attrs.field(default=(), converter=as_tuple)
    technical_standards: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    security_policies: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    controls: tuple[Control, ...] = attrs.field(default=(), converter=as_tuple)
    ordering_procedure: str
    provisioning_procedure: str
    billing: Billing
    resource_locations: frozenset[str] = attrs.field(converter=as_frozenset)
    data_locations: frozenset[str] = attrs.field(converter=as_frozenset)
    legal_notes: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    offerings: tuple[Offering, ...] = attrs.field(converter=as_tuple)
    upgrades: tuple[Upgrade, ...] = attrs.field(default=(), converter=as_tuple)
    minimum_term: relativedelta | None = None
    early_termination_charge: Money | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.name, "$.name")
        problems += id_problems(self.service, "$.service")
        problems += _kind_problems(self)
        if self.description is not None:
            problems += text_problems(self.description, "$.description")
        problems += items_problems(self.policies, Policy, "$.policies", "a list of Policy")
        problems += text_list_problems(self.technical_standards, "$.technical_standards")
        problems += text_list_problems(self.security_policies, "$.security_policies")
        problems += items_problems(self.controls, Control, "$.controls", "a list of Control")
        problems += text_problems(self.ordering_procedure, "$.ordering_procedure")
        problems += text_problems(self.provisioning_procedure, "$.provisioning_procedure")
        problems += jurisdiction_set_problems(self.resource_locations, "$.resource_locations")
        problems += jurisdiction_set_problems(self.data_locations, "$.data_locations")
        problems += text_list_problems(self.legal_notes, "$.legal_notes")
        problems += _offer_problems(self)
        problems += _term_problems(self)
        if not problems:
            problems += distinct_ids(self.controls, "$.controls")
            problems += _currency_problems(self)
        raise_problems(problems, "CatalogueEntry")

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


def _kind_problems(entry: CatalogueEntry) -> list[Problem]:
    problems: list[Problem] = []
    category: object = entry.category
    if not isinstance(category, ServiceCategory):
        problems.append(Problem("$.category", "a ServiceCategory", describe(category)))
    models: object = entry.deployment_models
    if (
        not isinstance(models, frozenset)
        or not models
        or not all(isinstance(m, DeploymentModel) for m in models)
    ):
        problems.append(
            Problem("$.deployment_models", "one or more DeploymentModel values", describe(models))
        )
    return problems + instance_problems(entry.billing, Billing, "$.billing")


def _offer_problems(entry: CatalogueEntry) -> list[Problem]:
    offerings: object = entry.offerings
    upgrades: object = entry.upgrades
    problems = items_problems(upgrades, Upgrade, "$.upgrades", "a list of Upgrade")
    if not isinstance(offerings, tuple) or not offerings:
        return [*problems, Problem("$.offerings", "one or more Offering", describe(offerings))]
    problems += items_problems(offerings, Offering, "$.offerings", "a list of Offering")
    if problems:
        return problems
    problems += distinct_ids(entry.offerings, "$.offerings")
    problems += distinct_ids(entry.upgrades, "$.upgrades")
    known = {u.id: u for u in entry.upgrades}
    for index, offering in enumerate(entry.offerings):
        missing = sorted(offering.upgrades - set(known))
        if missing:
            problems.append(
                Problem(
                    f"$.offerings[{index}].upgrades",
                    "ids of the entry's upgrades",
                    ", ".join(missing),
                )
            )
            continue
        for upgrade_id in sorted(offering.upgrades):
            problems += _raises_level(offering, index, known[upgrade_id])
    return problems


def _raises_level(offering: Offering, index: int, upgrade: Upgrade) -> list[Problem]:
    """A service-level upgrade must promise more than the offering on the same measure."""
    if upgrade.level is None:
        return []
    current = next((lv for lv in offering.levels if lv.measure == upgrade.level.measure), None)
    if current is None:
        return []  # the upgrade adds a commitment the offering does not make
    try:
        stricter = upgrade.level.is_stricter_than(current)
    except ValidationError:
        stricter = False
    if stricter:
        return []
    return [
        Problem(
            f"$.offerings[{index}].upgrades",
            f"upgrades that raise the offering's level ({current})",
            f"{upgrade.id}: {upgrade.level}",
        )
    ]


def _term_problems(entry: CatalogueEntry) -> list[Problem]:
    problems: list[Problem] = []
    if entry.minimum_term is not None:
        problems += calendar_length_problems(entry.minimum_term, "$.minimum_term")
    charge: object = entry.early_termination_charge
    if charge is None:
        return problems
    if not isinstance(charge, Money) or charge.amount < 0:
        problems.append(
            Problem("$.early_termination_charge", "Money not below zero", describe(charge))
        )
    elif entry.minimum_term is None:
        problems.append(
            Problem(
                "$.minimum_term",
                "a minimum term, since the entry charges for early termination",
                "null",
            )
        )
    return problems


def _currency_problems(entry: CatalogueEntry) -> list[Problem]:
    code = entry.billing.currency
    expected = f"an amount in {code}, the billing currency"
    problems: list[Problem] = []
    priced: list[tuple[str, Money]] = [
        (f"$.offerings[{i}].price.amount", o.price.amount) for i, o in enumerate(entry.offerings)
    ]
    priced += [
        (f"$.upgrades[{i}].price.amount", u.price.amount) for i, u in enumerate(entry.upgrades)
    ]
    if entry.early_termination_charge is not None:
        priced.append(("$.early_termination_charge", entry.early_termination_charge))
    for path, money in priced:
        if money.currency != code:
            problems.append(Problem(path, expected, money.currency))
    return problems
