"""Hypothesis strategies for the catalogue (S03) and service requirements (S04)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st

from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Bound,
    Catalogue,
    CatalogueEntry,
    Control,
    Offering,
    OfferingKind,
    Policy,
    ServiceLevel,
    Upgrade,
    UpgradeKind,
)
from cloudsms.context import ObligationKind
from cloudsms.errors import ValidationError
from cloudsms.requirements import (
    CapabilityType,
    QualityCharacteristic,
    RequirementRegister,
    RequirementSource,
    ServiceRequirement,
    SourceKind,
)
from cloudsms.services import DeploymentModel, ServiceCategory
from cloudsms.testing._strategies import (
    _IDS,
    calendar_lengths,
    currency_codes,
    moneys,
    prices,
    quantities,
    service_graphs,
)
from cloudsms.units import quantity

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cloudsms.money import Money, Price

__all__ = [
    "billings",
    "catalogue_entries",
    "catalogues",
    "controls",
    "offerings",
    "policies",
    "requirement_registers",
    "requirement_sources",
    "service_levels",
    "service_requirements",
    "upgrades",
]

_TEXT = st.text(min_size=1, max_size=16).filter(str.strip)
_COMMON_LOCATIONS = ("DE", "EU", "FR", "IE", "NL", "US", "US-CA", "JP", "SG", "BR-SP")
_LEVELS: dict[str, tuple[Bound, str]] = {
    "availability": (Bound.AT_LEAST, "dimensionless"),
    "response time": (Bound.AT_MOST, "[time]"),
    "resolution time": (Bound.AT_MOST, "[time]"),
    "throughput": (Bound.AT_LEAST, "[request] / [time]"),
}


def service_levels(*, measure: str | None = None) -> st.SearchStrategy[ServiceLevel]:
    """Service levels: availability at least some %, response at most some time, ..."""
    _warm_units()
    return _service_levels(measure)


# Strategies are built once per argument and reused: building and validating them on
# every draw made whole catalogues slow enough to fail hypothesis's health checks.
@cache
def _prices(currency: str | None) -> st.SearchStrategy[Price]:
    return prices(currency=currency)


@cache
def _charges(currency: str) -> st.SearchStrategy[Money]:
    return moneys(currency=currency, min_value=0, max_value=10_000)


@cache
def _service_levels(measure: str | None) -> st.SearchStrategy[ServiceLevel]:
    measures = st.just(measure) if measure is not None else st.sampled_from(tuple(_LEVELS))

    @st.composite
    def build(draw: st.DrawFn) -> ServiceLevel:
        name = draw(measures)
        bound, dimension = _LEVELS.get(name, (Bound.AT_LEAST, "dimensionless"))
        return ServiceLevel(
            measure=name, bound=bound, target=draw(quantities(dimension=dimension))
        )

    return build()


def upgrades(
    *, currency: str | None = None, ids: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Upgrade]:
    """Priced upgrades: higher service levels (with their level) and extra resources.

    A resource upgrade sometimes names the resource type it adds (``resource_type``,
    one of the built-in `cloudsms.resources.resource_types` ids), and then is priced
    as a rate card prices that type (S11): an allocated type per its unit and hour or
    per its unit and calendar period, a metered type per its unit. So a drawn
    catalogue can be turned into rate cards (`cloudsms.resources.RateCard.for_agreement`).
    An upgrade naming a type sometimes adds a fixed ``quantity`` of it (one to eight
    of the type's unit, as a standby instance does). A service-level upgrade never
    names one.
    """
    _warm_units()
    return _upgrades(currency, ids)


@cache
def _upgrades(
    currency: str | None, ids: st.SearchStrategy[str] | None
) -> st.SearchStrategy[Upgrade]:
    resources = _resource_prices(currency)

    @st.composite
    def build(draw: st.DrawFn) -> Upgrade:
        kind = draw(st.sampled_from(UpgradeKind))
        added = None
        if kind is UpgradeKind.RESOURCE:
            resource_type, price, unit = draw(resources)
            if unit is not None and draw(st.booleans()):
                added = quantity(draw(st.integers(1, 8)), unit)
        else:
            resource_type, price = None, draw(_prices(currency))
        return Upgrade(
            id=draw(ids if ids is not None else _IDS),
            description=draw(_TEXT),
            kind=kind,
            price=price,
            level=draw(_service_levels(None)) if kind is UpgradeKind.SERVICE_LEVEL else None,
            resource_type=resource_type,
            quantity=added,
        )

    return build()


@cache
def _resource_prices(
    currency: str | None,
) -> st.SearchStrategy[tuple[str | None, Price, str | None]]:
    """A resource upgrade's type (or none) with a price that suits it, and the type's unit.

    Without a type, any price; with one of the built-in resource types, a price a
    rate card accepts for it (`cloudsms.resources.RateCard.check`).
    """
    from cloudsms.money import CALENDAR_UNITS, Price  # noqa: PLC0415
    from cloudsms.resources import MeteringKind, ResourceType, resource_types  # noqa: PLC0415

    amounts = moneys(currency=currency, min_value=0, places=4)
    periods = st.sampled_from(tuple(CALENDAR_UNITS))

    def priced(kind: ResourceType) -> st.SearchStrategy[tuple[str | None, Price, str | None]]:
        if kind.kind is MeteringKind.ALLOCATED:
            suiting = st.builds(lambda a: Price(a, f"{kind.unit}*hour"), amounts) | st.builds(
                lambda a, per: Price(a, kind.unit, per=per), amounts, periods
            )
        else:
            suiting = st.builds(lambda a: Price(a, kind.unit), amounts)
        return suiting.map(lambda price: (kind.id, price, kind.unit))

    unnamed = _prices(currency).map(lambda price: (None, price, None))
    return unnamed | st.one_of([priced(kind) for kind in resource_types()])


def offerings(
    *,
    currency: str | None = None,
    kind: OfferingKind | None = None,
    upgrade_ids: Sequence[str] = (),
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Offering]:
    """Offerings: fixed ones, and customizable ones naming some of ``upgrade_ids``.

    A customizable offering sometimes requires some of the upgrades it allows
    (``requires``). With no ``upgrade_ids`` only fixed offerings can be drawn.
    """
    if kind is OfferingKind.CUSTOMIZABLE and not upgrade_ids:
        msg = "offerings(kind=CUSTOMIZABLE) needs upgrade_ids to choose the upgrades from"
        raise ValueError(msg)
    _warm_units()
    return _offerings(currency, kind, tuple(upgrade_ids), ids)


@cache
def _offerings(
    currency: str | None,
    kind: OfferingKind | None,
    upgrade_ids: tuple[str, ...],
    ids: st.SearchStrategy[str] | None,
) -> st.SearchStrategy[Offering]:
    kinds = (
        st.just(kind)
        if kind is not None
        else st.sampled_from(OfferingKind if upgrade_ids else (OfferingKind.FIXED,))
    )

    choices = (
        st.lists(st.sampled_from(upgrade_ids), min_size=1, unique=True) if upgrade_ids else None
    )
    measure_lists = st.lists(st.sampled_from(tuple(_LEVELS)), min_size=1, unique=True)

    @st.composite
    def build(draw: st.DrawFn) -> Offering:
        chosen = draw(kinds)
        allowed = (
            frozenset(draw(choices))
            if chosen is OfferingKind.CUSTOMIZABLE and choices is not None
            else frozenset()
        )
        measures = draw(measure_lists)
        required = draw(st.sets(st.sampled_from(sorted(allowed)))) if allowed else set()
        return Offering(
            id=draw(ids if ids is not None else _IDS),
            name=draw(_TEXT),
            kind=chosen,
            levels=tuple(draw(_service_levels(m)) for m in measures),
            price=draw(_prices(currency)),
            upgrades=allowed,
            sla=draw(st.none() | _IDS),
            requires=frozenset(required),
        )

    return build()


def policies() -> st.SearchStrategy[Policy]:
    """Policies: a topic and a statement."""
    return st.builds(lambda t, s: Policy(topic=t, statement=s), _TEXT, _TEXT)


def controls(*, ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Control]:
    """Compliance controls on a statutory, regulatory or contractual basis."""
    return st.builds(
        lambda i, basis, text: Control(id=i, basis=basis, description=text),
        ids if ids is not None else _IDS,
        st.sampled_from(ObligationKind),
        _TEXT,
    )


def requirement_sources() -> st.SearchStrategy[RequirementSource]:
    """Where requirements come from: a kind of source and a reference."""
    return st.builds(
        lambda kind, ref: RequirementSource(kind=kind, reference=ref),
        st.sampled_from(SourceKind),
        _TEXT,
    )


def billings(*, currency: str | None = None) -> st.SearchStrategy[Billing]:
    """Billing terms: a method, a calendar billing cycle and a currency."""
    return st.builds(
        lambda method, cycle, code, accounting: Billing(
            method=method, cycle=cycle, currency=code, accounting=accounting
        ),
        st.sampled_from(BillingMethod),
        calendar_lengths(max_months=12),
        st.just(currency) if currency else currency_codes(),
        st.none() | _TEXT,
    )


@cache
def _upgrade_lists(code: str) -> st.SearchStrategy[list[Upgrade]]:
    return st.lists(_upgrades(code, None), max_size=3, unique_by=lambda u: u.id)


@cache
def _offering_lists(code: str, upgrade_ids: tuple[str, ...]) -> st.SearchStrategy[list[Offering]]:
    offers = _offerings(code, None, upgrade_ids, None)
    return st.lists(offers, min_size=1, max_size=3, unique_by=lambda o: o.id)


@cache
def _parts() -> dict[str, st.SearchStrategy[Any]]:
    """The strategies an entry draws from, built once."""
    return {
        "term": st.none() | calendar_lengths(max_months=36),
        "description": st.none() | _TEXT,
        "policies": st.lists(policies(), max_size=2),
        "texts": st.lists(_TEXT, max_size=2),
        "controls": st.lists(controls(), max_size=3, unique_by=lambda c: c.id),
        "locations": st.frozensets(_locations(), min_size=1, max_size=3),
    }


def _locations() -> st.SearchStrategy[str]:
    """ISO 3166 codes: often a common one, else any country, subdivision or ``EU``."""
    from cloudsms._foundation.countries import codes  # noqa: PLC0415 - the data file is read when drawn

    return st.sampled_from(_COMMON_LOCATIONS) | st.sampled_from(codes())


@cache
def _model_sets(models: frozenset[DeploymentModel]) -> st.SearchStrategy[frozenset[Any]]:
    return st.frozensets(st.sampled_from(sorted(models)), min_size=1)


@cache
def _billings(currency: str | None) -> st.SearchStrategy[Billing]:
    return billings(currency=currency)


@st.composite
def _entry(
    draw: st.DrawFn,
    currency: str | None,
    ids: st.SearchStrategy[str],
    services: st.SearchStrategy[tuple[str, ServiceCategory, frozenset[DeploymentModel]]],
) -> CatalogueEntry:
    parts = _parts()
    billing = draw(_billings(currency))
    code = billing.currency
    extras = draw(_upgrade_lists(code))
    extra_ids = [u.id for u in extras]
    drawn = draw(_offering_lists(code, tuple(extra_ids)))
    offers = [_with_fitting_upgrades(o, extras) for o in drawn]
    service, category, models = draw(services)
    term = draw(parts["term"])
    charge = draw(_charges(code)) if term else None
    return CatalogueEntry(
        id=draw(ids),
        name=draw(_TEXT),
        service=service,
        category=category,
        deployment_models=draw(_model_sets(models)),
        description=draw(parts["description"]),
        policies=draw(parts["policies"]),
        technical_standards=tuple(draw(parts["texts"])),
        security_policies=tuple(draw(parts["texts"])),
        controls=draw(parts["controls"]),
        ordering_procedure=draw(_TEXT),
        provisioning_procedure=draw(_TEXT),
        billing=billing,
        resource_locations=draw(parts["locations"]),
        data_locations=draw(parts["locations"]),
        legal_notes=tuple(draw(parts["texts"])),
        offerings=tuple(offers),
        upgrades=tuple(extras),
        minimum_term=term,
        early_termination_charge=charge,
    )


def _with_fitting_upgrades(offering: Offering, extras: Sequence[Upgrade]) -> Offering:
    """``offering`` keeping only the upgrades that raise its levels (fixed if none is left).

    The upgrades it requires are kept among those it keeps.
    """
    if offering.kind is OfferingKind.FIXED:
        return offering
    levels = {level.measure: level for level in offering.levels}
    kept = set()
    for upgrade in extras:
        if upgrade.id not in offering.upgrades:
            continue
        current = levels.get(upgrade.level.measure) if upgrade.level is not None else None
        if current is None or _stricter(upgrade.level, current):
            kept.add(upgrade.id)
    if not kept:
        return attrs.evolve(
            offering, kind=OfferingKind.FIXED, upgrades=frozenset(), requires=frozenset()
        )
    return attrs.evolve(offering, upgrades=frozenset(kept), requires=offering.requires & kept)


def _stricter(level: ServiceLevel | None, current: ServiceLevel) -> bool:
    try:
        return level is not None and level.is_stricter_than(current)
    except ValidationError:
        return False


def catalogue_entries(
    *, currency: str | None = None, ids: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[CatalogueEntry]:
    """Catalogue entries with every item filled or empty, offerings and upgrades consistent."""
    _warm_units()
    services = st.tuples(
        _IDS, st.sampled_from(ServiceCategory), st.just(frozenset(DeploymentModel))
    )
    return _entry(currency, ids if ids is not None else _IDS, services)


def catalogues(*, max_entries: int = 5) -> st.SearchStrategy[Catalogue]:
    """Catalogues over an acyclic service graph, each entry for one of its services."""
    _warm_units()
    return _catalogues(max_entries)


def _warm_units() -> None:
    """Build pint's registry now, not inside a first draw that hypothesis would time."""
    from cloudsms.units import registry  # noqa: PLC0415

    registry()


@st.composite
def _catalogues(draw: st.DrawFn, max_entries: int) -> Catalogue:
    graph = draw(service_graphs(max_nodes=8))
    if not graph.services:
        return Catalogue(graph=graph)
    services = st.sampled_from([(s.id, s.category, s.deployment_models) for s in graph.services])
    entries = draw(
        st.lists(_entry(None, _IDS, services), max_size=max_entries, unique_by=lambda e: e.id)
    )
    return Catalogue(entries=tuple(entries), graph=graph)


def service_requirements(
    *,
    ids: st.SearchStrategy[str] | None = None,
    targets: Sequence[str] | None = None,
) -> st.SearchStrategy[ServiceRequirement]:
    """Requirements, traced or not; ``satisfied_by`` drawn from ``targets`` if given."""
    satisfied = (
        st.lists(st.sampled_from(tuple(targets)), unique=True, max_size=3)
        if targets
        else st.lists(_IDS, unique=True, max_size=3)
        if targets is None
        else st.just([])
    )

    @st.composite
    def build(draw: st.DrawFn) -> ServiceRequirement:
        quality = draw(st.sampled_from(QualityCharacteristic))
        capability = draw(
            st.sampled_from(CapabilityType)
            if quality is QualityCharacteristic.FUNCTIONALITY
            else st.none() | st.sampled_from(CapabilityType)
        )
        source = draw(st.none() | requirement_sources())
        return ServiceRequirement(
            id=draw(ids if ids is not None else _IDS),
            statement=draw(_TEXT),
            source=source,
            capability=capability,
            quality=quality,
            acceptance_criteria=tuple(draw(st.lists(_TEXT, min_size=1, max_size=3))),
            satisfied_by=tuple(draw(satisfied)),
        )

    return build()


def requirement_registers(
    *, with_catalogue: bool = True
) -> st.SearchStrategy[RequirementRegister]:
    """Registers of requirements, checked against a drawn catalogue when ``with_catalogue``."""
    _warm_units()
    return _requirement_registers(catalogues() if with_catalogue else st.none())


@st.composite
def _requirement_registers(
    draw: st.DrawFn, drawn_catalogues: st.SearchStrategy[Catalogue | None]
) -> RequirementRegister:
    catalogue = draw(drawn_catalogues)
    targets: list[str] | None = None
    if catalogue is not None:  # qualified names: never ambiguous
        targets = [f"service:{s.id}" for s in catalogue.graph.services]
        targets += [f"component:{c.id}" for c in catalogue.graph.components]
        targets += [f"catalogue-entry:{e.id}" for e in catalogue.entries]
        targets += [f"{e.id}:{o.id}" for e in catalogue.entries for o in e.offerings]
    requirements = draw(
        st.lists(service_requirements(targets=targets), max_size=6, unique_by=lambda r: r.id)
    )
    return RequirementRegister(requirements=tuple(requirements), catalogue=catalogue)


def register() -> None:
    """Register these strategies for ``st.from_type``."""
    st.register_type_strategy(ServiceLevel, lambda _: service_levels())
    st.register_type_strategy(Upgrade, lambda _: upgrades())
    st.register_type_strategy(Offering, lambda _: offerings())
    st.register_type_strategy(Billing, lambda _: billings())
    st.register_type_strategy(Policy, lambda _: policies())
    st.register_type_strategy(Control, lambda _: controls())
    st.register_type_strategy(RequirementSource, lambda _: requirement_sources())
    st.register_type_strategy(CatalogueEntry, lambda _: catalogue_entries())
    st.register_type_strategy(Catalogue, lambda _: catalogues())
    st.register_type_strategy(ServiceRequirement, lambda _: service_requirements())
    st.register_type_strategy(RequirementRegister, lambda _: requirement_registers())
