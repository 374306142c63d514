"""Hypothesis strategies for cloud service agreements (S07; `cloudsms.agreements.agreement`).

`cloud_service_agreements` draws agreements that `check_agreement` finds nothing
wrong with against their catalogue: subscriptions to entries of live (or not yet
retiring) services, targets no stricter than the committed levels, terms matching the
entries' minimum term and early-termination charge, locations every subscribed entry
offers, recurring charges derived from the catalogue. The smaller records have their
own strategies, drawing valid values on their own. Arguments are keyword-only;
`register` makes each type drawable with ``st.from_type``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from cloudsms.agreements.agreement import (
    CloudServiceAgreement,
    Commitment,
    OneOffCharge,
    Placement,
    PlacementKind,
    RecurringCharge,
    ServiceLevelAgreement,
    Subscription,
    _periods_per_cycle,
)
from cloudsms.agreements.agreement import recurring_charges as _derived_charges
from cloudsms.agreements.amendments import Amendment, AmendmentRule, TermKind, amend
from cloudsms.agreements.targets import MEASURES, ServiceTarget
from cloudsms.agreements.terms import EarlyTerminationCharge, Notice
from cloudsms.errors import ValidationError
from cloudsms.parties.acknowledgements import Acknowledgement
from cloudsms.periods import add_calendar
from cloudsms.services import SERVICE_LIFECYCLE, CloudService, ServiceGraph
from cloudsms.testing._agreements_targets import credit_terms, service_targets
from cloudsms.testing._agreements_terms import (
    exit_terms,
    legal_terms,
    priority_scales,
    resource_limits,
    responsibilities,
    termination_terms,
)
from cloudsms.testing._catalogue import catalogue_entries
from cloudsms.testing._strategies import (
    _IDS,
    _NAMES,
    TIME_ZONES,
    calendar_lengths,
    moneys,
    quantities,
    support_hours,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cloudsms.catalogue import Catalogue, CatalogueEntry, Offering
    from cloudsms.levels import ServiceLevel
    from cloudsms.money import Price

__all__ = [
    "amended_agreements",
    "amendment_rules",
    "amendments",
    "catalogue_and_agreements",
    "cloud_service_agreements",
    "commitments",
    "one_off_charges",
    "placements",
    "recurring_charges",
    "register",
    "service_level_agreements",
    "subscriptions",
]

_OPEN_STATES = ("planned", "designed", "built", "tested", "live")
_LOCATIONS = ("DE", "FR", "IE", "US", "US-CA", "JP", "EU")
_MOST_FOR_CREDITS = Decimal(10**6)  # tiers reach 10**4 further; far below the bounds
_CYCLES = (relativedelta(months=1), relativedelta(months=3), relativedelta(years=1))


def commitments(*, item_ids: Sequence[str] | None = None) -> st.SearchStrategy[Commitment]:
    """A committed quantity (zero or more users, vcpu-hours, GiB) of an item (or any id)."""
    ids = _IDS if item_ids is None else st.sampled_from(tuple(item_ids))
    amounts = quantities(units=("user", "vcpu*hour", "GiB", "request", "instance"))
    return st.builds(lambda i, q: Commitment(item_id=i, quantity=q), ids, amounts)


@st.composite
def subscriptions(draw: st.DrawFn, *, service_ids: Sequence[str] | None = None) -> Subscription:
    """A subscription with some upgrades and commitments, for one of ``service_ids`` (or any)."""
    offering = draw(_IDS)
    upgrades = draw(st.frozensets(_IDS.filter(lambda u: u != offering), max_size=3))
    items = sorted({offering, *upgrades})
    committed = draw(st.lists(commitments(item_ids=items), max_size=3, unique_by=_item))
    return Subscription(
        entry_id=draw(_IDS),
        offering_id=offering,
        upgrade_ids=upgrades,
        service_id=draw(_IDS if service_ids is None else st.sampled_from(tuple(service_ids))),
        commitments=committed,
    )


def _item(commitment: Commitment) -> str:
    return commitment.item_id


def service_level_agreements(
    *, service_ids: Sequence[str] | None = None
) -> st.SearchStrategy[ServiceLevelAgreement]:
    """An SLA covering some of ``service_ids`` (or any ids), with one to four distinct targets."""
    pool = _IDS if service_ids is None else st.sampled_from(tuple(service_ids))
    return st.builds(
        lambda i, s, t: ServiceLevelAgreement(id=i, service_ids=s, targets=t),
        _IDS,
        st.frozensets(pool, min_size=1, max_size=3),
        st.lists(service_targets(), min_size=1, max_size=4, unique_by=lambda t: t.id),
    )


def recurring_charges(
    *, service_ids: Sequence[str] | None = None, currency: str | None = None
) -> st.SearchStrategy[RecurringCharge]:
    """A charge of zero or more (in ``currency``, or any) every calendar length."""
    pool = _IDS if service_ids is None else st.sampled_from(tuple(service_ids))
    return st.builds(
        lambda s, a, p: RecurringCharge(service_id=s, amount=a, period=p),
        pool,
        moneys(currency=currency, min_value=0),
        calendar_lengths(max_months=12),
    )


def one_off_charges(*, currency: str | None = None) -> st.SearchStrategy[OneOffCharge]:
    """A one-off charge of zero or more, with a description."""
    return st.builds(
        lambda d, a: OneOffCharge(description=d, amount=a),
        _NAMES,
        moneys(currency=currency, min_value=0),
    )


def placements(*, locations: Sequence[str] | None = None) -> st.SearchStrategy[Placement]:
    """A data store or resource placed in one of ``locations`` (or a common ISO 3166 code)."""
    codes = st.sampled_from(tuple(locations) if locations else _LOCATIONS)
    return st.builds(
        lambda i, c, k: Placement(item_id=i, location=c, kind=k),
        _IDS,
        codes,
        st.sampled_from(PlacementKind),
    )


# ---------------------------------------------------------------------- whole agreements
@st.composite
def _catalogues(draw: st.DrawFn) -> Catalogue:
    """One to three entries of distinct services, not retiring, billed monthly to yearly."""
    from cloudsms.catalogue import Catalogue  # noqa: PLC0415

    entries = draw(
        st.lists(
            catalogue_entries(), min_size=1, max_size=3, unique_by=(lambda e: e.id, _service_of)
        )
    )
    fitted = [
        attrs.evolve(e, billing=attrs.evolve(e.billing, cycle=draw(st.sampled_from(_CYCLES))))
        for e in entries
    ]
    services = [
        CloudService(
            id=e.service,
            name=e.name,
            category=e.category,
            deployment_models=e.deployment_models,
            owner="service owner",
            lifecycle=SERVICE_LIFECYCLE.begin(
                id=e.service, origin=draw(st.sampled_from(_OPEN_STATES))
            ),
        )
        for e in fitted
    ]
    return Catalogue(entries=tuple(fitted), graph=ServiceGraph(services=tuple(services)))


def _service_of(entry: CatalogueEntry) -> str:
    return entry.service


def _fits(price: Price, cycle: relativedelta) -> bool:
    return price.per is None or _periods_per_cycle(cycle, price.per) is not None


def _usable(catalogue: Catalogue) -> list[CatalogueEntry]:
    """Entries of services that are not retiring, with an offering whose price fits the cycle."""
    states = {s.id: s.lifecycle_state for s in catalogue.graph.services}
    return [
        e
        for e in catalogue.entries
        if states.get(e.service) in _OPEN_STATES and any(_buyable(e, o) for o in e.offerings)
    ]


def _buyable(entry: CatalogueEntry, offering: Offering) -> bool:
    """Whether the offering's price, and those of the upgrades it requires, fit the cycle."""
    cycle = entry.billing.cycle
    priced = {u.id: u.price for u in entry.upgrades}
    return _fits(offering.price, cycle) and all(_fits(priced[u], cycle) for u in offering.requires)


def _compatible(chosen: list[CatalogueEntry], entry: CatalogueEntry) -> bool:
    """Whether ``entry`` can share one agreement with ``chosen`` (charge, locations)."""
    if not chosen:
        return True
    first = chosen[0]
    data = set(entry.data_locations).intersection(*(e.data_locations for e in chosen))
    place = set(entry.resource_locations).intersection(*(e.resource_locations for e in chosen))
    return entry.early_termination_charge == first.early_termination_charge and bool(
        data and place
    )


@st.composite
def _subscription_to(draw: st.DrawFn, entry: CatalogueEntry) -> Subscription:
    cycle = entry.billing.cycle
    priced = {u.id: u.price for u in entry.upgrades}
    # An offering is bought with every upgrade it requires (Offering.requires).
    offering = draw(st.sampled_from([o for o in entry.offerings if _buyable(entry, o)]))
    prices = {u: p for u, p in priced.items() if u in offering.upgrades}
    fitting = sorted(u for u, p in prices.items() if _fits(p, cycle))
    drawn = draw(st.frozensets(st.sampled_from(fitting), max_size=3)) if fitting else set()
    upgrades = frozenset(drawn) | offering.requires
    committed = []
    for item_id, price in [(offering.id, offering.price), *((u, prices[u]) for u in upgrades)]:
        if price.per is None or draw(st.booleans()):
            amount = draw(st.integers(0, 10_000))
            committed.append(Commitment(item_id=item_id, quantity=_quantity(amount, price.unit)))
    return Subscription(
        entry_id=entry.id,
        offering_id=offering.id,
        upgrade_ids=upgrades,
        service_id=entry.service,
        commitments=committed,
    )


def _quantity(magnitude: int, unit: str) -> Any:  # noqa: ANN401 - a pint quantity
    from cloudsms.units import quantity  # noqa: PLC0415

    return quantity(magnitude, unit)


def _target_for(
    draw: st.DrawFn, level: ServiceLevel, target_id: str, priority_ids: Sequence[str]
) -> ServiceTarget | None:
    """A target at exactly the committed ``level`` (an edge of the check), or None if none fits."""
    metric = MEASURES.get(" ".join(level.measure.split()).casefold())
    if metric is None:
        return None
    terms = None
    magnitude = Decimal(str(level.target.magnitude))
    if magnitude < _MOST_FOR_CREDITS and draw(st.booleans()):
        unit = str(level.target.units)
        terms = draw(st.none() | credit_terms(bound=level.bound, threshold=magnitude, unit=unit))
    try:
        return ServiceTarget(
            id=target_id,
            level=level,
            percentile=Decimal(99) if metric.needs_percentile else None,
            priority=draw(st.sampled_from(tuple(priority_ids))) if metric.needs_priority else None,
            credits=terms,
        )
    except ValidationError:
        return None


def _committed(entry: CatalogueEntry, subscription: Subscription) -> list[ServiceLevel]:
    offering = entry.offering(subscription.offering_id)
    chosen = [u.level for u in entry.upgrades if u.id in subscription.upgrade_ids and u.level]
    return [*offering.levels, *chosen]


def _qualitative(target_id: str) -> ServiceTarget:
    return ServiceTarget(
        id=target_id, predicate="data-exportable", description="Data can be exported on request"
    )


@st.composite
def _agreements(draw: st.DrawFn, given: Catalogue | None) -> CloudServiceAgreement:
    catalogue = draw(_catalogues()) if given is None else given
    usable = _usable(catalogue)
    if not usable:
        draw(st.nothing())  # no entry to subscribe to: this catalogue cannot carry one
    order = draw(st.permutations(usable))
    chosen: list[CatalogueEntry] = []
    for entry in order[: draw(st.integers(1, 3))]:
        if _compatible(chosen, entry):
            chosen.append(entry)
    subs = [draw(_subscription_to(entry)) for entry in chosen]
    try:
        charges = _derived_charges(catalogue, subs)
    except ValidationError:
        draw(st.nothing())  # a charge past the amount bounds
        raise
    scale = draw(priority_scales(max_size=4))
    slas = _slas(draw, chosen, subs, scale.ids)
    start = draw(
        st.datetimes(
            min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - naive bounds, as hypothesis takes
            max_value=dt.datetime(2060, 12, 31),  # noqa: DTZ001
            timezones=st.just(dt.UTC),
        )
    )
    data = set.intersection(*(set(e.data_locations) for e in chosen))
    place = set.intersection(*(set(e.resource_locations) for e in chosen))
    zone = draw(st.sampled_from(TIME_ZONES))
    return CloudServiceAgreement(
        id=draw(_IDS),
        version=draw(st.integers(1, 5)),
        provider=draw(_NAMES),
        customer_id=draw(_IDS),
        effective_from=start,
        end=draw(st.none() | st.integers(1, 3650).map(lambda d: start + dt.timedelta(days=d))),
        subscriptions=subs,
        slas=slas,
        recurring_charges=charges,
        one_off_charges=draw(st.lists(one_off_charges(), max_size=2)),
        responsibilities=draw(responsibilities()),
        resource_limits=draw(st.lists(resource_limits(), max_size=3, unique_by=_resource)),
        data_locations=draw(st.frozensets(st.sampled_from(sorted(data)), min_size=1)),
        resource_locations=draw(st.frozensets(st.sampled_from(sorted(place)), min_size=1)),
        monitoring_retention=draw(calendar_lengths(max_months=24)),
        record_keeping=draw(calendar_lengths(max_months=120)),
        legal_terms=draw(st.lists(legal_terms(), max_size=4, unique_by=_kind)),
        timezone=zone,
        support_hours=draw(support_hours()),
        customer_wait_pauses_clocks=draw(st.booleans()),
        priorities=scale,
        termination=_termination(draw, chosen, start),
        exit=draw(exit_terms()),
    )


def _resource(limit: Any) -> Any:  # noqa: ANN401 - a ResourceLimit's type
    return limit.resource_type


def _kind(term: Any) -> Any:  # noqa: ANN401 - a LegalTerm's kind
    return term.kind


def _slas(
    draw: st.DrawFn,
    chosen: list[CatalogueEntry],
    subs: list[Subscription],
    priority_ids: Sequence[str],
) -> list[ServiceLevelAgreement]:
    """One SLA for all the services or one per service, with targets at committed levels.

    An SLA's target is held to every subscription of a service the SLA covers, so
    one SLA for all the services keeps only the targets no stricter than a level of
    their metric that each subscription commits to (a target at one entry's edge is
    often stricter than another entry's level of the same metric); a service
    subscribed more than once is treated alike.
    """
    per_service: list[tuple[str, list[ServiceTarget]]] = []
    committed: dict[str, list[list[ServiceLevel]]] = {}
    counter = 0
    for entry, subscription in zip(chosen, subs, strict=True):
        targets: list[ServiceTarget] = []
        levels = _committed(entry, subscription)
        committed.setdefault(subscription.service_id, []).append(levels)
        for level in levels:
            counter += 1
            target = _target_for(draw, level, f"t{counter}", priority_ids)
            if target is not None:
                targets.append(target)
        per_service.append((subscription.service_id, targets))

    def fitting(services: set[str], targets: list[ServiceTarget]) -> list[ServiceTarget]:
        held = [levels for s in services for levels in committed[s]]
        kept = [t for t in targets if all(_within(t, levels) for levels in held)]
        return kept or [_qualitative("t0")]

    if draw(st.booleans()):
        services = {s for s, _ in per_service}
        everything = [t for _, ts in per_service for t in ts]
        return [
            ServiceLevelAgreement(
                id="sla", service_ids=services, targets=fitting(services, everything)
            )
        ]
    return [
        ServiceLevelAgreement(
            id=f"sla-{index}", service_ids={service}, targets=fitting({service}, targets)
        )
        for index, (service, targets) in enumerate(per_service)
    ]


def _within(target: ServiceTarget, levels: list[ServiceLevel]) -> bool:
    """Whether ``target`` is no stricter than one of ``levels`` of its own metric.

    The rule `check_agreement` applies to each subscription an SLA covers.
    """
    level = target.level
    if level is None:
        return True
    for committed in levels:
        if MEASURES.get(" ".join(committed.measure.split()).casefold()) is not target.metric:
            continue
        try:
            if not attrs.evolve(level, measure=committed.measure).is_stricter_than(committed):
                return True
        except ValidationError:
            continue
    return False


def _termination(draw: st.DrawFn, chosen: list[CatalogueEntry], start: dt.datetime) -> Any:  # noqa: ANN401
    """Termination terms with the longest minimum term and the charge the entries state."""
    drawn = draw(termination_terms())
    terms = [e.minimum_term for e in chosen if e.minimum_term is not None]
    longest = max(terms, key=lambda t: add_calendar(start, t), default=drawn.minimum_term)
    charge = chosen[0].early_termination_charge
    fixed = None if charge is None else EarlyTerminationCharge.fixed(charge)
    return attrs.evolve(drawn, minimum_term=longest, early_termination_charge=fixed)


def cloud_service_agreements(
    *, catalogue: Catalogue | None = None
) -> st.SearchStrategy[CloudServiceAgreement]:
    """Agreements valid against ``catalogue`` (or a drawn catalogue of one to three entries).

    Every drawn agreement passes `check_agreement` against its catalogue: targets sit
    exactly on committed levels (the edge of "not stricter"), the minimum term is the
    longest of the entries', the early-termination charge the entries' own. A given
    catalogue needs an entry whose service is not retiring or retired, with an
    offering priced per usage or per a calendar unit its billing cycle holds a whole
    ratio of; without one nothing can be drawn. Use `catalogue_and_agreements` to
    get the drawn catalogue too.
    """
    return _agreements(catalogue)


@st.composite
def catalogue_and_agreements(draw: st.DrawFn) -> tuple[Catalogue, CloudServiceAgreement]:
    """A drawn catalogue with an agreement valid against it."""
    catalogue = draw(_catalogues())
    return catalogue, draw(_agreements(catalogue))


# ---------------------------------------------------------------------- amendments
_SIMPLE_TERMS = (
    TermKind.RECORD_KEEPING,
    TermKind.MONITORING_RETENTION,
    TermKind.CUSTOMER_WAIT_PAUSES_CLOCKS,
    TermKind.ONE_OFF_CHARGES,
    TermKind.TIMEZONE,
    TermKind.SUPPORT_HOURS,
    TermKind.LEGAL_TERMS,
    TermKind.AMENDMENT_RULES,
)


def amendment_rules(
    *, terms: Sequence[TermKind] | None = None
) -> st.SearchStrategy[AmendmentRule]:
    """A rule letting the provider change a term (of ``terms``) by a calendar length of notice."""
    chosen = st.sampled_from(tuple(TermKind) if terms is None else tuple(terms))
    return st.builds(
        lambda t, n: AmendmentRule(term=t, notice=n), chosen, calendar_lengths(max_months=12)
    )


def _unique_rules() -> st.SearchStrategy[tuple[AmendmentRule, ...]]:
    return st.lists(amendment_rules(), max_size=3, unique_by=lambda r: r.term).map(tuple)


def _term_values(term: TermKind) -> st.SearchStrategy[Any]:  # noqa: PLR0911 - one per term
    """Valid new values of a term every agreement takes, whatever its other terms."""
    match term:
        case TermKind.RECORD_KEEPING | TermKind.MONITORING_RETENTION:
            return calendar_lengths()
        case TermKind.CUSTOMER_WAIT_PAUSES_CLOCKS:
            return st.booleans()
        case TermKind.ONE_OFF_CHARGES:
            return st.lists(one_off_charges(), max_size=2).map(tuple)
        case TermKind.TIMEZONE:
            return st.sampled_from(TIME_ZONES)
        case TermKind.SUPPORT_HOURS:
            return support_hours()
        case TermKind.LEGAL_TERMS:
            return st.lists(legal_terms(), max_size=3, unique_by=lambda t: t.kind).map(tuple)
        case _:
            return _unique_rules()


@st.composite
def amendments(
    draw: st.DrawFn,
    *,
    terms: Sequence[TermKind] | None = None,
    proposed_at: dt.datetime | None = None,
) -> Amendment:
    """An amendment of one term that any agreement takes (or of one of ``terms``, of those).

    The terms drawn are those whose new value fits every agreement: record keeping and
    monitoring retention, whether waiting on the customer pauses the clocks, one-off
    charges, the time zone, the support hours, legal terms and the amendment rules.
    """
    allowed = tuple(t for t in (terms or _SIMPLE_TERMS) if t in _SIMPLE_TERMS) or _SIMPLE_TERMS
    term = draw(st.sampled_from(allowed))
    when = proposed_at or draw(
        st.datetimes(
            min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
            max_value=dt.datetime(2035, 12, 31),  # noqa: DTZ001
            timezones=st.just(dt.UTC),
        )
    )
    return Amendment(
        term=term, value=draw(_term_values(term)), proposed_at=when, proposed_by=draw(_IDS)
    )


@st.composite
def amended_agreements(
    draw: st.DrawFn, *, catalogue: Catalogue | None = None, max_amendments: int = 3
) -> CloudServiceAgreement:
    """An agreement (valid against ``catalogue`` or a drawn one), amended up to ``max_amendments``.

    Each amendment is approved by the customer's consent, or, for a term the
    agreement's rules name, by a notice of exactly the rule's length (the edge) or
    longer; they take effect in order, some at the same instant.
    """
    from cloudsms.periods import add_calendar  # noqa: PLC0415

    agreement = draw(_agreements(catalogue))
    agreement = attrs.evolve(agreement, amendment_rules=draw(_unique_rules()))
    when = agreement.effective_from
    for _ in range(draw(st.integers(0, max_amendments))):
        when = when + dt.timedelta(hours=draw(st.integers(0, 24 * 400)))
        amendment = draw(amendments(proposed_at=when))
        rule = next((r for r in agreement.amendment_rules if r.term is amendment.term), None)
        if rule is not None and draw(st.booleans()):
            effective = add_calendar(when, rule.notice) + dt.timedelta(
                hours=draw(st.integers(0, 48))
            )
            notice = Notice(
                sent_by=amendment.proposed_by
                if amendment.proposed_by != agreement.customer_id
                else amendment.proposed_by + "-provider",
                sent_to={agreement.customer_id},
                sent_at=when,
                effective_at=effective,
            )
            amendment = attrs.evolve(amendment, proposed_by=notice.sent_by)
            agreement = amend(agreement, amendment, notice=notice)
            when = effective
        else:
            consent = Acknowledgement(
                party_id=agreement.customer_id,
                terms_id=agreement.id,
                version=str(agreement.version + 1),
                accepted_at=when,
            )
            agreement = amend(agreement, amendment, consent=consent)
    return agreement


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each value type of `cloudsms.agreements.agreement` with the strategy that draws it."""
    return [
        (Commitment, commitments()),
        (Subscription, subscriptions()),
        (ServiceLevelAgreement, service_level_agreements()),
        (RecurringCharge, recurring_charges()),
        (OneOffCharge, one_off_charges()),
        (Placement, placements()),
        (CloudServiceAgreement, cloud_service_agreements()),
    ]


def amendment_strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each value type of `cloudsms.agreements.amendments` drawn alone, with its strategy."""
    return [(AmendmentRule, amendment_rules()), (Amendment, amendments())]


def register() -> None:
    """Register each type of the agreement and amendment modules for ``st.from_type``."""
    for kind, strategy in [*strategy_pairs(), *amendment_strategy_pairs()]:
        st.register_type_strategy(kind, strategy)
