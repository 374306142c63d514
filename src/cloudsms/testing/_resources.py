"""Hypothesis strategies for resources (S11, `cloudsms.resources`).

Resource types (built-in and of one's own), allocations, usage, pools, resource
requests, reclaim candidates and utilisation figures. Every strategy draws valid
values only; `register` makes each type drawable with ``st.from_type``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from cloudsms.agreements import ResourceType as LimitKind
from cloudsms.periods import Period, add_exact
from cloudsms.resources.types import (
    Allocation,
    FocusServiceCategory,
    MeteringKind,
    PoolCapacity,
    ReclaimCandidate,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    ResourceType,
    Usage,
    Utilisation,
)
from cloudsms.resources.types import (
    resource_types as built_in_types,
)
from cloudsms.testing._strategies import _IDS, _NAMES, aware_datetimes, quantities

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "allocations",
    "pool_capacities",
    "reclaim_candidates",
    "register",
    "resource_pools",
    "resource_requests",
    "resource_types",
    "usages",
    "utilisations",
]

# Far enough from the ends of the supported range for the spans drawn here (up to a year).
_FIRST = dt.datetime(1950, 1, 1)  # noqa: DTZ001 - hypothesis takes naive bounds
_LAST = dt.datetime(2050, 1, 1)  # noqa: DTZ001
_LEAST = Decimal("0.001")
_MOST = 10**6
_YEAR_MICROSECONDS = 366 * 24 * 3_600_000_000
# Units a resource of one's own may be counted in, each with the limit kinds that measure it.
_OWN_UNITS: dict[str, tuple[LimitKind, ...]] = {
    "vcpu": (LimitKind.VCPU,),
    "instance": (LimitKind.INSTANCES,),
    "GiB": (LimitKind.MEMORY, LimitKind.STORAGE),
    "TB": (LimitKind.MEMORY, LimitKind.STORAGE),
    "Mbit/s": (LimitKind.BANDWIDTH,),
    "seat": (LimitKind.USERS,),
    "licence": (LimitKind.LICENCES,),
    "ip_address": (),
    "request": (),
    "transaction": (),
}


def _instants() -> st.SearchStrategy[dt.datetime]:
    return aware_datetimes(min_value=_FIRST, max_value=_LAST)


def _texts(texts: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str | None]:
    return st.none() | (_NAMES if texts is None else texts)


def _one_of(values: Sequence[str] | None) -> st.SearchStrategy[str]:
    return _IDS if values is None else st.sampled_from(tuple(values))


def _types(
    types: Sequence[ResourceType] | None, kind: MeteringKind | None = None
) -> tuple[ResourceType, ...]:
    chosen = tuple(built_in_types() if types is None else types)
    return tuple(t for t in chosen if kind is None or t.kind is kind)


def _own_types() -> st.SearchStrategy[ResourceType]:
    @st.composite
    def build(draw: st.DrawFn) -> ResourceType:
        unit = draw(st.sampled_from(tuple(_OWN_UNITS)))
        return ResourceType(
            id=draw(_IDS),
            name=draw(_NAMES),
            unit=unit,
            kind=draw(st.sampled_from(tuple(MeteringKind))),
            focus_category=draw(st.sampled_from(tuple(FocusServiceCategory))),
            limited_by=draw(st.none() | st.sampled_from(_OWN_UNITS[unit]))
            if _OWN_UNITS[unit]
            else None,
        )

    return build()


def resource_types(*, built_in: bool | None = None) -> st.SearchStrategy[ResourceType]:
    """Resource types: the built-in ones (``built_in=True``), one's own (``False``), or both.

    A type of one's own has a drawn id and name, a unit counting a resource (vcpu,
    GiB, TB, Mbit/s, seat, licence, ip_address, request, transaction), either
    metering kind, any FOCUS category, and a limit kind of its unit's dimension or none.
    """
    shipped = st.sampled_from(built_in_types())
    if built_in is True:
        return shipped
    if built_in is False:
        return _own_types()
    return st.one_of(shipped, _own_types())


def _amount(unit: str, *, zero: bool = False) -> st.SearchStrategy[Any]:
    return quantities(units=unit, min_value=0 if zero else _LEAST, max_value=_MOST)


def allocations(
    *,
    customers: Sequence[str] | None = None,
    agreements: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
    types: Sequence[ResourceType] | None = None,
    instants: st.SearchStrategy[dt.datetime] | None = None,
    texts: st.SearchStrategy[str] | None = None,
    max_days: int = 366,
) -> st.SearchStrategy[Allocation]:
    """Allocations of an allocated type of ``types`` (the built-in table when not given).

    Quantities are above zero in the type's own unit, up to 10**6 with three
    decimals; ``since`` comes from ``instants`` (every testing zone when not given);
    about half are released, up to ``max_days`` later (to the microsecond). Some
    carry a resource id, a cost centre and a location (text from ``texts`` when
    given). Customer, agreement and service ids come from the sequences given, or
    are drawn.
    """
    chosen = _types(types, MeteringKind.ALLOCATED)

    @st.composite
    def build(draw: st.DrawFn) -> Allocation:
        kind = draw(st.sampled_from(chosen))
        since = draw(instants if instants is not None else _instants())
        length = draw(st.none() | st.integers(1, max_days * 24 * 3_600_000_000))
        until = None if length is None else add_exact(since, dt.timedelta(microseconds=length))
        return Allocation(
            draw(_one_of(customers)),
            draw(_one_of(agreements)),
            draw(_one_of(services)),
            kind.id,
            draw(_amount(kind.unit)),
            since,
            until,
            resource_id=draw(st.none() | _IDS),
            cost_centre=draw(_texts(texts)),
            location=draw(_texts(texts)),
        )

    return build()


def usages(
    *,
    customers: Sequence[str] | None = None,
    agreements: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
    types: Sequence[ResourceType] | None = None,
    instants: st.SearchStrategy[dt.datetime] | None = None,
    texts: st.SearchStrategy[str] | None = None,
    max_days: int = 31,
) -> st.SearchStrategy[Usage]:
    """Usage of a type of ``types`` over up to ``max_days``: zero or more, in the right unit.

    A metered type's usage is in its unit (``request``), an allocated type's in its
    unit times hours (``vcpu*hour``). Other arguments as for `allocations`.
    """
    chosen = _types(types)

    @st.composite
    def build(draw: st.DrawFn) -> Usage:
        kind = draw(st.sampled_from(chosen))
        unit = kind.unit if kind.kind is MeteringKind.METERED else f"{kind.unit}*hour"
        start = draw(instants if instants is not None else _instants())
        length = draw(st.integers(1, max_days * 24 * 3_600_000_000))
        return Usage(
            draw(_one_of(customers)),
            draw(_one_of(agreements)),
            draw(_one_of(services)),
            kind.id,
            draw(_amount(unit, zero=True)),
            start,
            add_exact(start, dt.timedelta(microseconds=length)),
            resource_id=draw(st.none() | _IDS),
            cost_centre=draw(_texts(texts)),
        )

    return build()


def pool_capacities(
    *, types: Sequence[ResourceType] | None = None
) -> st.SearchStrategy[PoolCapacity]:
    """A capacity of zero or more of a type of ``types``, in the type's unit."""
    chosen = _types(types)
    return st.sampled_from(chosen).flatmap(
        lambda kind: st.builds(PoolCapacity, st.just(kind.id), _amount(kind.unit, zero=True))
    )


def resource_pools(
    *, types: Sequence[ResourceType] | None = None, max_size: int = 4
) -> st.SearchStrategy[ResourcePool]:
    """Pools with up to ``max_size`` capacities, one per resource type."""
    return st.builds(
        ResourcePool,
        _IDS,
        _NAMES,
        _NAMES,
        st.lists(
            pool_capacities(types=types),
            max_size=max_size,
            unique_by=lambda capacity: capacity.resource_type,
        ),
    )


def resource_requests(
    *,
    kinds: Sequence[ResourceRequestKind] | None = None,
    customers: Sequence[str] | None = None,
    agreements: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
    types: Sequence[ResourceType] | None = None,
    instants: st.SearchStrategy[dt.datetime] | None = None,
) -> st.SearchStrategy[ResourceRequest]:
    """Requests of one of ``kinds`` (all when not given) for an allocated type of ``types``.

    An allocation or a resize has a quantity above zero in the type's unit, a
    release none; some name a resource id; ``effective_at`` is none or up to 90
    days after ``requested_at``.
    """
    chosen_kinds = tuple(ResourceRequestKind) if kinds is None else tuple(kinds)
    chosen = _types(types, MeteringKind.ALLOCATED)

    @st.composite
    def build(draw: st.DrawFn) -> ResourceRequest:
        kind = draw(st.sampled_from(chosen_kinds))
        resource = draw(st.sampled_from(chosen))
        asked = draw(instants if instants is not None else _instants())
        delay = draw(st.none() | st.integers(0, 90 * 24 * 3_600_000_000))
        release = kind is ResourceRequestKind.RELEASE
        return ResourceRequest(
            id=draw(_IDS),
            kind=kind,
            customer=draw(_one_of(customers)),
            agreement=draw(_one_of(agreements)),
            service=draw(_one_of(services)),
            resource_type=resource.id,
            quantity=None if release else draw(_amount(resource.unit)),
            resource_id=draw(st.none() | _IDS),
            requested_at=asked,
            effective_at=None
            if delay is None
            else add_exact(asked, dt.timedelta(microseconds=delay)),
            requested_by=draw(_NAMES),
            cost_centre=draw(_texts()),
            location=draw(_texts()),
        )

    return build()


def reclaim_candidates() -> st.SearchStrategy[ReclaimCandidate]:
    """Candidates: an allocation, an instant it was last used at or after ``since``, days."""

    @st.composite
    def build(draw: st.DrawFn) -> ReclaimCandidate:
        held = draw(allocations())
        after = draw(st.integers(0, _YEAR_MICROSECONDS))
        unused_since = add_exact(held.since, dt.timedelta(microseconds=after))
        return ReclaimCandidate(held, unused_since, draw(st.integers(0, 3660)))

    return build()


def utilisations(*, types: Sequence[ResourceType] | None = None) -> st.SearchStrategy[Utilisation]:
    """Utilisation figures of an allocated type: held and used in its unit times hours."""
    chosen = _types(types, MeteringKind.ALLOCATED)

    @st.composite
    def build(draw: st.DrawFn) -> Utilisation:
        kind = draw(st.sampled_from(chosen))
        unit = f"{kind.unit}*hour"
        start = draw(_instants())
        length = draw(st.integers(1, _YEAR_MICROSECONDS))
        return Utilisation(
            resource_type=kind.id,
            period=Period(start, add_exact(start, dt.timedelta(microseconds=length))),
            allocated=draw(_amount(unit, zero=True)),
            used=draw(_amount(unit, zero=True)),
        )

    return build()


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each type of `cloudsms.resources` with the strategy that draws it."""
    return [
        (ResourceType, resource_types()),
        (Allocation, allocations()),
        (Usage, usages()),
        (PoolCapacity, pool_capacities()),
        (ResourcePool, resource_pools()),
        (ResourceRequest, resource_requests()),
        (ReclaimCandidate, reclaim_candidates()),
        (Utilisation, utilisations()),
    ]


def register() -> None:
    """Register a strategy for each type drawn here with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
