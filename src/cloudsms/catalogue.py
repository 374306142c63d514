"""The catalogue of cloud services: entries, offerings, prices and the queries on them.

Serves S03 (provide a catalogue of cloud services) and the catalogue update of S05
(a service released to live is published); ISO/IEC 20000-1:2011 4.3, 5.4, 6.1 and
7.1. The catalogue is where contracts and SLAs (S07) start from.

A `CatalogueEntry` describes one cloud service the way a customer reads it: the
category and deployment options, the policies, technical standards, security
policies and compliance controls that apply, how to order it and how it is
provisioned, how it is priced and billed, where its resources and data live, legal
and privacy notes, what higher service levels and extra resources cost, the
minimum term and the charge for ending early. Each entry has one or more
`Offering` values: fixed SLA options, and customizable ones that let the customer
add priced `Upgrade` values.

A `Catalogue` keeps its entries with the `cloudsms.services.ServiceGraph` of the
services they describe, so it can say which entries depend on a component, and
`release_to_live` publishes a tested service: its lifecycle moves to ``live``, its
catalogue entry is added or replaced, and its configuration records get a new version.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import (
    as_frozen_mapping,
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
from cloudsms.configuration import ConfigurationRecord
from cloudsms.context import ObligationKind
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.lifecycle import LifecycleInstance
from cloudsms.money import Money, Price, currency
from cloudsms.reports._table import format_table
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    DeploymentModel,
    ServiceCategory,
    ServiceGraph,
    with_state,
)
from cloudsms.units import Quantity, calendar_units, quantity_problems, same_dimension

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "Billing",
    "BillingMethod",
    "Bound",
    "Catalogue",
    "CatalogueEntry",
    "Control",
    "Offering",
    "OfferingKind",
    "Policy",
    "Release",
    "ServiceLevel",
    "Upgrade",
    "UpgradeKind",
    "release_to_live",
]


def _unit_text(value: Quantity) -> str:
    """The unit of a quantity as text (``'percent'``, ``'hour'``)."""
    return str(value.units)


def _price_problems(price: object) -> list[Problem]:
    if not isinstance(price, Price):
        return [Problem("$.price", "a Price", describe(price))]
    if price.amount.amount < 0:
        return [Problem("$.price.amount", "an amount not below zero", str(price.amount.amount))]
    return []


def _distinct_ids(values: tuple[Any, ...], path: str) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, value in enumerate(values):
        if value.id in seen:
            problems.append(Problem(f"{path}[{index}].id", "an id used once", describe(value.id)))
        seen.add(value.id)
    return problems


# --------------------------------------------------------------------- the parts
class Bound(enum.StrEnum):
    """Which side of a service level's target is good."""

    AT_LEAST = "at least"
    AT_MOST = "at most"


@attrs.frozen(kw_only=True)
class ServiceLevel:
    """A level an offering commits to: availability at least 99.95 %, response at most 4 h.

    Serves S03 (offerings with fixed or customizable service levels) and S07, where an
    SLA's targets start from these; ISO/IEC 20000-1:2011 6.1.

    Examples:
        >>> from cloudsms.units import quantity
        >>> level = ServiceLevel(
        ...     measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
        ... )
        >>> str(level), level.is_met_by(quantity("99.95 %"))
        ('availability at least 99.9 %', True)
    """

    measure: str
    bound: Bound
    target: Quantity

    def __attrs_post_init__(self) -> None:
        problems = text_problems(self.measure, "$.measure")
        bound: object = self.bound
        if not isinstance(bound, Bound):
            problems.append(Problem("$.bound", "'at least' or 'at most'", describe(bound)))
        target_problems = quantity_problems(
            self.target, "$.target", example="a quantity such as '99.9 %'"
        )
        if target_problems:
            problems += target_problems
        elif self.target.magnitude < 0:
            problems.append(Problem("$.target", "a quantity not below zero", str(self.target)))
        elif calendar_units(self.target):
            problems.append(
                Problem(
                    "$.target",
                    "a quantity in units of fixed length (a calendar month or year varies)",
                    str(self.target),
                )
            )
        raise_problems(problems, "ServiceLevel")

    def is_stricter_than(self, other: ServiceLevel) -> bool:
        """Whether this level promises more than ``other`` on the same measure and bound.

        Raises:
            ValidationError: the two levels measure different things or differ in bound.
        """
        from cloudsms.units import magnitude_in  # noqa: PLC0415

        given: object = other
        if not isinstance(given, ServiceLevel):
            raise ValidationError.single(
                "$.other", "a ServiceLevel", describe(given), subject="Service level comparison"
            )
        if (
            other.measure != self.measure
            or other.bound is not self.bound
            or not same_dimension(self.target, other.target)
        ):
            raise ValidationError.single(
                "$.other",
                f"a level of {self.measure} {self.bound.value} a {_unit_text(self.target)} "
                "quantity",
                str(other),
                subject="Service level comparison",
            )
        mine = magnitude_in(self.target, str(other.target.units))
        theirs = Decimal(other.target.magnitude)
        return mine > theirs if self.bound is Bound.AT_LEAST else mine < theirs

    def __str__(self) -> str:
        from cloudsms.units import format_quantity  # noqa: PLC0415

        return f"{self.measure} {self.bound.value} {format_quantity(self.target)}"

    def is_met_by(self, value: Quantity | str) -> bool:
        """Whether a measured ``value`` meets this level.

        Raises:
            ValidationError: ``value`` measures something else than the target.
        """
        from cloudsms.units import magnitude_in, quantity  # noqa: PLC0415

        measured = quantity(value, path="$.value")
        unit = str(self.target.units)
        if calendar_units(measured):
            raise ValidationError.single(
                "$.value",
                "a quantity in units of fixed length (a calendar month or year varies)",
                str(measured),
                subject="Service level check",
            )
        if not same_dimension(measured, self.target):
            raise ValidationError.single(
                "$.value",
                f"a quantity convertible to {unit}",
                str(measured),
                subject="Service level check",
            )
        got = magnitude_in(measured, unit)
        target = Decimal(self.target.magnitude)
        return got >= target if self.bound is Bound.AT_LEAST else got <= target


class UpgradeKind(enum.StrEnum):
    """What an upgrade buys: a higher service level, or more of a resource."""

    SERVICE_LEVEL = "service level"
    RESOURCE = "resource"


@attrs.frozen(kw_only=True)
class Upgrade:
    """The price of a higher service level or of an extra resource (S03).

    A service-level upgrade names the `ServiceLevel` it raises to; a resource
    upgrade names none and is priced per unit of the resource.
    """

    id: str
    description: str
    kind: UpgradeKind
    price: Price
    level: ServiceLevel | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.description, "$.description")
        kind: object = self.kind
        if not isinstance(kind, UpgradeKind):
            problems.append(Problem("$.kind", "'service level' or 'resource'", describe(kind)))
        problems += _price_problems(self.price)
        level: object = self.level
        if kind is UpgradeKind.SERVICE_LEVEL and not isinstance(level, ServiceLevel):
            problems.append(
                Problem(
                    "$.level", "the ServiceLevel a service-level upgrade gives", describe(level)
                )
            )
        if kind is UpgradeKind.RESOURCE and level is not None:
            problems.append(Problem("$.level", "null for a resource upgrade", describe(level)))
        raise_problems(problems, "Upgrade")


class OfferingKind(enum.StrEnum):
    """A fixed SLA option, or one the customer customizes with upgrades."""

    FIXED = "fixed"
    CUSTOMIZABLE = "customizable"


@attrs.frozen(kw_only=True)
class Offering:
    """One way to buy a catalogue entry: its service levels, its price, its upgrades.

    A fixed offering takes no upgrades; a customizable one names at least one of its
    entry's `Upgrade` ids. ``sla`` is the id of the SLA template the offering uses
    (S07), if there is one. Serves S03; ISO/IEC 20000-1:2011 6.1.
    """

    id: str
    name: str
    kind: OfferingKind
    levels: tuple[ServiceLevel, ...] = attrs.field(converter=as_tuple)
    price: Price
    upgrades: frozenset[str] = attrs.field(default=frozenset(), converter=as_frozenset)
    sla: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.name, "$.name")
        kind: object = self.kind
        if not isinstance(kind, OfferingKind):
            problems.append(Problem("$.kind", "'fixed' or 'customizable'", describe(kind)))
        levels: object = self.levels
        if not isinstance(levels, tuple) or not levels:
            problems.append(Problem("$.levels", "one or more ServiceLevel", describe(levels)))
        else:
            typed = items_problems(levels, ServiceLevel, "$.levels", "a list of ServiceLevel")
            problems += typed
            measures = [level.measure for level in levels] if not typed else []
            if len(set(measures)) != len(measures):
                problems.append(
                    Problem("$.levels", "each measure once", ", ".join(map(str, measures)))
                )
        problems += _price_problems(self.price)
        upgrades: object = self.upgrades
        if not isinstance(upgrades, frozenset):
            problems.append(Problem("$.upgrades", "a list of upgrade ids", describe(upgrades)))
        elif kind is OfferingKind.FIXED and upgrades:
            problems.append(
                Problem(
                    "$.upgrades", "no upgrades for a fixed offering", describe(sorted(upgrades))
                )
            )
        elif kind is OfferingKind.CUSTOMIZABLE and not upgrades:
            problems.append(
                Problem(
                    "$.upgrades", "one or more upgrade ids for a customizable offering", "none"
                )
            )
        else:
            for upgrade in sorted(upgrades, key=str):
                problems += id_problems(upgrade, "$.upgrades")
        if self.sla is not None:
            problems += id_problems(self.sla, "$.sla")
        raise_problems(problems, "Offering")

    def level(self, measure: str) -> ServiceLevel:
        """The level the offering commits to for ``measure``.

        Raises:
            UnknownReference: the offering states no level for it (with close matches).
        """
        for level in self.levels:
            if level.measure == measure:
                return level
        known = [level.measure for level in self.levels]
        raise UnknownReference("service level", measure, suggestions=suggest(measure, known))


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
            problems += _distinct_ids(self.controls, "$.controls")
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
    problems += _distinct_ids(entry.offerings, "$.offerings")
    problems += _distinct_ids(entry.upgrades, "$.upgrades")
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


# ----------------------------------------------------------------- the catalogue
_COLUMNS = (
    "id",
    "name",
    "category",
    "deployment",
    "data in",
    "offerings",
    "minimum term",
    "early exit",
)

_OFFERING_COLUMNS = ("offering", "kind", "levels", "price", "upgrades")


@attrs.frozen(kw_only=True)
class Catalogue:
    """The catalogue: entries for the services of a `ServiceGraph` (S03, S05).

    Every entry describes a service of ``graph`` in that service's category, so the
    catalogue can answer which entries a component's failure touches.

    Raises:
        ValidationError: a repeated entry id, an entry for a service the graph lacks,
            or an entry whose category differs from its service's.

    Examples:
        >>> catalogue = Catalogue()
        >>> catalogue.entries, catalogue.by_category(ServiceCategory.IAAS)
        ((), ())
    """

    entries: tuple[CatalogueEntry, ...] = attrs.field(default=(), converter=as_tuple)
    graph: ServiceGraph = attrs.field(factory=ServiceGraph)
    _by_id: dict[str, CatalogueEntry] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        problems = items_problems(
            self.entries, CatalogueEntry, "$.entries", "a list of CatalogueEntry"
        )
        problems += instance_problems(self.graph, ServiceGraph, "$.graph")
        raise_problems(problems, "Catalogue")
        services = {s.id: s for s in self.graph.services}
        problems += _distinct_ids(self.entries, "$.entries")
        for index, entry in enumerate(self.entries):
            service = services.get(entry.service)
            if service is None:
                problems.append(
                    Problem(
                        f"$.entries[{index}].service",
                        "the id of a service in the catalogue's graph",
                        describe(entry.service),
                    )
                )
            else:
                problems += _fits_service(entry, index, service)
        raise_problems(problems, "Catalogue")
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def __hash__(self) -> int:
        return hash((self.entries, self.graph))

    def entry(self, entry_id: str) -> CatalogueEntry:
        """The entry with this id.

        Raises:
            UnknownReference: no such entry (with close matches).
        """
        key: object = entry_id
        found = self._by_id.get(key) if isinstance(key, str) else None
        if found is None:
            raise UnknownReference("catalogue entry", key, suggestions=suggest(key, self._by_id))
        return found

    def by_category(self, category: ServiceCategory | str) -> tuple[CatalogueEntry, ...]:
        """The entries of a category (``ServiceCategory.IAAS`` or ``"IaaS"``), in order.

        Raises:
            ValidationError: ``category`` is not one of ISO/IEC 17788's seven.
        """
        wanted = member_of(ServiceCategory, category, "$.category", subject="Catalogue query")
        return tuple(e for e in self.entries if e.category is wanted)

    def by_data_location(self, code: str) -> tuple[CatalogueEntry, ...]:
        """The entries that keep data in ``code`` (a subdivision counts for its country).

        Raises:
            ValidationError: ``code`` is not an ISO 3166 code.
        """
        raise_problems(jurisdiction_problems(code, "$.code"), "Data location query")
        return tuple(e for e in self.entries if e.stores_data_in(code))

    def depending_on(self, node: str) -> tuple[CatalogueEntry, ...]:
        """The entries whose service needs ``node`` (a service or component), at any depth.

        Raises:
            UnknownReference: the graph has no such service or component.
        """
        affected = {s.id for s in self.graph.impact_of(node)}
        return tuple(e for e in self.entries if e.service in affected)

    def dependencies_of(self, entry_id: str) -> tuple[str, ...]:
        """Every service and component an entry's service needs, at any depth, sorted.

        Raises:
            UnknownReference: no such entry.
        """
        return self.graph.dependencies_of(self.entry(entry_id).service, transitive=True)

    def with_entry(self, entry: CatalogueEntry) -> Catalogue:
        """A new catalogue with ``entry`` added, or replacing the entry with its id.

        Raises:
            ValidationError: ``entry`` is not a `CatalogueEntry`, or does not fit the
                catalogue (its service or category).
        """
        raise_problems(instance_problems(entry, CatalogueEntry, "$.entry"), "Catalogue change")
        entries = [e for e in self.entries if e.id != entry.id]
        position = next((i for i, e in enumerate(self.entries) if e.id == entry.id), len(entries))
        entries.insert(position, entry)
        return attrs.evolve(self, entries=tuple(entries))

    def without_entry(self, entry_id: str) -> Catalogue:
        """A new catalogue without the entry ``entry_id`` (S15 removes services this way).

        Raises:
            UnknownReference: no such entry.
        """
        self.entry(entry_id)
        return attrs.evolve(self, entries=tuple(e for e in self.entries if e.id != entry_id))

    def rows(self) -> list[dict[str, str]]:
        """The catalogue as rows of text, one per entry, for tables, CSV or a DataFrame."""
        from cloudsms._kit.durations import format_duration  # noqa: PLC0415

        return [
            {
                "id": e.id,
                "name": e.name,
                "category": e.category.value,
                "deployment": ", ".join(sorted(m.value for m in e.deployment_models)),
                "data in": ", ".join(sorted(e.data_locations)),
                "offerings": ", ".join(f"{o.id} ({o.kind.value})" for o in e.offerings),
                "minimum term": "" if e.minimum_term is None else format_duration(e.minimum_term),
                "early exit": ""
                if e.early_termination_charge is None
                else f"{e.early_termination_charge.amount} {e.early_termination_charge.currency}",
            }
            for e in self.entries
        ]

    def table(self) -> str:
        """The catalogue as a plain-text table, one line per entry."""
        return format_table(_COLUMNS, self.rows())

    def offering_rows(self) -> list[dict[str, str]]:
        """One row per offering (``entry:offering``): kind, levels, price and its upgrades."""
        return [
            {
                "offering": f"{e.id}:{o.id}",
                "kind": o.kind.value,
                "levels": "; ".join(map(str, o.levels)),
                "price": str(o.price),
                "upgrades": ", ".join(u.id for u in e.upgrades_for(o.id)),
            }
            for e in self.entries
            for o in e.offerings
        ]

    def offerings_table(self) -> str:
        """The offerings as a plain-text table, one line per offering."""
        return format_table(_OFFERING_COLUMNS, self.offering_rows())


def _fits_service(entry: CatalogueEntry, index: int, service: CloudService) -> list[Problem]:
    problems: list[Problem] = []
    if service.category is not entry.category:
        problems.append(
            Problem(
                f"$.entries[{index}].category",
                f"{service.category.value}, the category of service {service.id!r}",
                entry.category.value,
            )
        )
    extra = sorted(m.value for m in entry.deployment_models - service.deployment_models)
    if extra:
        problems.append(
            Problem(
                f"$.entries[{index}].deployment_models",
                f"deployment models service {service.id!r} has "
                f"({', '.join(sorted(m.value for m in service.deployment_models))})",
                ", ".join(extra),
            )
        )
    return problems


# ------------------------------------------------------------- release to live (S05)
@attrs.frozen(kw_only=True)
class Release:
    """What `release_to_live` produced: each value new, the inputs unchanged (S05).

    Raises:
        ValidationError: a field of the wrong type, with its path.
    """

    instance: LifecycleInstance
    service: CloudService
    catalogue: Catalogue
    records: Mapping[str, ConfigurationRecord] = attrs.field(converter=as_frozen_mapping)

    def __attrs_post_init__(self) -> None:
        problems = instance_problems(self.instance, LifecycleInstance, "$.instance")
        problems += instance_problems(self.service, CloudService, "$.service")
        problems += instance_problems(self.catalogue, Catalogue, "$.catalogue")
        problems += _records_problems(self.records)
        raise_problems(problems, "Release")


def _records_problems(records: object) -> list[Problem]:
    """``[]`` for a mapping of configuration item ids to the records of those items."""
    if not isinstance(records, Mapping) or not all(
        isinstance(k, str) and isinstance(v, ConfigurationRecord) for k, v in records.items()
    ):
        return [
            Problem("$.records", "a mapping of item ids to ConfigurationRecord", describe(records))
        ]
    return [
        Problem(
            f"$.records.{key}", f"the record of item {key!r}", f"the record of {r.current.id!r}"
        )
        for key, r in records.items()
        if r.current.id != key
    ]


def _release_arguments(
    instance: object, service: object, entry: object, catalogue: object, records: object
) -> None:
    problems = instance_problems(instance, LifecycleInstance, "$.instance")
    problems += instance_problems(service, CloudService, "$.service")
    problems += instance_problems(entry, CatalogueEntry, "$.entry")
    problems += instance_problems(catalogue, Catalogue, "$.catalogue")
    problems += _records_problems(records)
    raise_problems(problems, "Release to live")


def release_to_live(
    instance: LifecycleInstance,
    *,
    service: CloudService,
    entry: CatalogueEntry,
    catalogue: Catalogue,
    records: Mapping[str, ConfigurationRecord],
    by: str,
    at: dt.datetime,
    change: str | None = None,
) -> Release:
    """Release a tested service to live and publish it (S05; 20000-1:2011 5.4, 9.1, 9.3).

    In one step, or not at all: the ``release`` event takes ``instance`` (the
    service's `SERVICE_LIFECYCLE` instance, in ``tested``) to ``live``; the service
    in the catalogue's graph takes that state; ``entry`` (for ``service``) is added to
    the catalogue or replaces the entry with its id; and the configuration record of
    the service and of each of its components gets a version with ``status`` set to
    ``live`` (a record is created, with a ``uses`` relation from the service to each
    component, where none exists yet). ``records`` maps configuration item ids to
    their records; the result holds all of them, updated ones replaced.

    Raises:
        InvalidTransition: the service is not ``tested``.
        ValidationError: ``entry`` describes another service, ``service`` is not in
            the catalogue's graph, or a record cannot take the new version.
    """
    from cloudsms.configuration import ConfigurationItem, Relation, RelationKind  # noqa: PLC0415

    _release_arguments(instance, service, entry, catalogue, records)
    graph = catalogue.graph
    if entry.service != service.id:
        raise ValidationError.single(
            "$.entry.service",
            f"{service.id!r}, the released service",
            describe(entry.service),
            subject="Release to live",
        )
    same_id = next((e for e in catalogue.entries if e.id == entry.id), None)
    if same_id is not None and same_id.service != service.id:
        raise ValidationError.single(
            "$.entry.id",
            "an entry id not used by another service's entry",
            f"{entry.id!r}, the entry of service {same_id.service!r}",
            subject="Release to live",
        )
    known = next((s for s in graph.services if s.id == service.id), None)
    if known is None:
        raise ValidationError.single(
            "$.service",
            "a service in the catalogue's graph",
            describe(service.id),
            subject="Release to live",
        )
    if known != service:
        raise ValidationError.single(
            "$.service",
            f"the catalogue graph's own copy of service {service.id!r}",
            "a service with the same id and other fields",
            subject="Release to live",
        )
    if instance.lifecycle != SERVICE_LIFECYCLE:
        with_state(service, instance)  # raises the lifecycle mismatch
    released = instance.apply(
        "release", who=by, when=at, data={"change": change} if change else {}
    )
    live = with_state(service, released)
    graph = attrs.evolve(
        graph, services=tuple(live if s.id == service.id else s for s in graph.services)
    )
    published = attrs.evolve(catalogue, graph=graph).with_entry(entry)
    components = {c.id: c for c in graph.components}
    updated = dict(records)
    items = [(service.id, service.name, "cloud service", service.components)]
    items += [(c, components[c].name, components[c].kind.value, ()) for c in service.components]
    for item_id, name, kind, uses in items:
        record = records.get(item_id)
        if record is None:
            relations = tuple(Relation(kind=RelationKind.USES, target=u) for u in uses)
            item = ConfigurationItem(
                id=item_id,
                name=name,
                kind=kind,
                attributes={"status": "live"},
                relations=relations,
            )
            updated[item_id] = ConfigurationRecord.create(item, by=by, at=at, change=change)
        elif record.current.attributes.get("status") != "live":
            attributes = {**record.current.attributes, "status": "live"}
            updated[item_id] = record.update(by=by, at=at, attributes=attributes, change=change)
    return Release(instance=released, service=live, catalogue=published, records=updated)
