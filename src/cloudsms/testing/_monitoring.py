"""Hypothesis strategies for what monitoring observed (S10, `cloudsms.monitoring`).

Outages, measurements, packed sample series, events and whole `Observations`. Every
strategy draws valid values only; `register` makes each type drawable with
``st.from_type``.
"""

from __future__ import annotations

import array
import datetime as dt
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from cloudsms._kit.samples import MISSING
from cloudsms.agreements import Metric, OutageCause
from cloudsms.monitoring.observations import (
    Event,
    EventKind,
    Measurement,
    Observations,
    Outage,
    SampleSeries,
)
from cloudsms.periods import add_exact
from cloudsms.testing._operations import incidents, maintenance_windows, service_requests
from cloudsms.testing._strategies import _IDS, _NAMES, DIMENSION_UNITS, aware_datetimes, quantities

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cloudsms.units import Quantity

__all__ = [
    "events",
    "measurements",
    "observations",
    "outages",
    "register",
    "sample_series",
]

# Far enough from the ends of the supported range that outages, series and the windows
# drawn beside them (hours to a year long) stay inside it.
_FIRST = dt.datetime(1950, 1, 1)  # noqa: DTZ001 - hypothesis takes naive bounds
_LAST = dt.datetime(2050, 1, 1)  # noqa: DTZ001
_SERIES_METRICS = (Metric.AVAILABILITY, Metric.RESPONSE_TIME)
_MEASURED = tuple(m for m in Metric if m.units)
_COMMON_STEPS = tuple(dt.timedelta(seconds=s) for s in (1, 15, 60, 300, 3600))


def _instants() -> st.SearchStrategy[dt.datetime]:
    return aware_datetimes(min_value=_FIRST, max_value=_LAST)


def _service_sets(
    services: Sequence[str] | None, *, min_size: int = 0
) -> st.SearchStrategy[frozenset[str]]:
    ids = st.sampled_from(tuple(services)) if services is not None else _IDS
    return st.frozensets(ids, min_size=min_size, max_size=3)


def _service_ids(services: Sequence[str] | None) -> st.SearchStrategy[str]:
    return st.sampled_from(tuple(services)) if services is not None else _IDS


def outages(
    *,
    services: Sequence[str] | None = None,
    causes: Sequence[OutageCause] | None = None,
    max_hours: int = 72,
    starts: st.SearchStrategy[dt.datetime] | None = None,
) -> st.SearchStrategy[Outage]:
    """Outages of none to three of ``services`` (none: every service), up to ``max_hours`` long.

    Lengths are drawn to the microsecond, starts from ``starts`` or in every testing
    zone (DST changes included); causes from ``causes`` (every `OutageCause` when
    not given). Some carry an id.
    """
    return st.builds(
        lambda start, micros, hit, cause, ident: Outage(
            start,
            add_exact(start, dt.timedelta(microseconds=micros)),
            services=hit,
            cause=cause,
            id=ident,
        ),
        starts if starts is not None else _instants(),
        st.integers(1, max_hours * 3_600_000_000),
        _service_sets(services),
        st.sampled_from(tuple(causes) if causes is not None else tuple(OutageCause)),
        st.none() | _IDS,
    )


def _values_of(metric: Metric) -> st.SearchStrategy[Quantity]:
    """Quantities a measurement of ``metric`` may hold: its dimension, not below zero."""
    if metric is Metric.AVAILABILITY:
        return quantities(units="%", max_value=100)
    if metric is Metric.THROUGHPUT:
        return quantities(dimension="[request] / [time]")
    if metric is Metric.CAPACITY:
        return quantities(units=(*DIMENSION_UNITS["[information]"], "instance"))
    return quantities(dimension="[time]")


def measurements(
    *,
    services: Sequence[str] | None = None,
    metrics: Sequence[Metric] | None = None,
) -> st.SearchStrategy[Measurement]:
    """Measurements of one of ``metrics`` (every quantitative metric when not given).

    Each value is a quantity of the metric's dimension in one of its common units,
    not below zero (availability at most 100 %).
    """
    chosen = tuple(metrics) if metrics is not None else _MEASURED

    @st.composite
    def build(draw: st.DrawFn) -> Measurement:
        metric = draw(st.sampled_from(chosen))
        return Measurement(
            at=draw(_instants()),
            metric=metric,
            value=draw(_values_of(metric)),
            service=draw(_service_ids(services)),
        )

    return build()


def _samples(metric: Metric, size: int) -> st.SearchStrategy[array.array[Any]]:
    if metric is Metric.AVAILABILITY:
        states = st.sampled_from((1, 1, 1, 0, MISSING))
        return st.lists(states, min_size=size, max_size=size).map(
            lambda items: array.array("B", items)
        )
    latencies = st.one_of(
        st.floats(0, 60_000, allow_nan=False, allow_infinity=False),
        st.floats(0, 60_000, allow_nan=False, allow_infinity=False),
        st.just(float("nan")),
    )
    return st.lists(latencies, min_size=size, max_size=size).map(
        lambda items: array.array("d", items)
    )


def sample_series(
    *,
    services: Sequence[str] | None = None,
    metrics: Sequence[Metric] = _SERIES_METRICS,
    max_steps: int = 200,
    steps: st.SearchStrategy[dt.timedelta] | None = None,
    starts: st.SearchStrategy[dt.datetime] | None = None,
) -> st.SearchStrategy[SampleSeries]:
    """Packed series of availability ('B') or response times ('d'), 1 to ``max_steps`` long.

    Availability samples are mostly up, some down, some missing (255); response times
    are milliseconds from 0 to 60 s, some missing (NaN). Steps come from ``steps`` or
    are common ones (1 s to 1 h) or any length to the microsecond up to an hour.
    """
    step_lengths = steps or st.one_of(
        st.sampled_from(_COMMON_STEPS),
        st.integers(1, 3_600_000_000).map(lambda micros: dt.timedelta(microseconds=micros)),
    )

    @st.composite
    def build(draw: st.DrawFn) -> SampleSeries:
        metric = draw(st.sampled_from(tuple(metrics)))
        size = draw(st.integers(1, max_steps))
        return SampleSeries(
            draw(_service_ids(services)),
            metric,
            draw(starts if starts is not None else _instants()),
            draw(_samples(metric, size)),
            step=draw(step_lengths),
        )

    return build()


def events(
    *,
    services: Sequence[str] | None = None,
    kinds: Sequence[EventKind] | None = None,
    instants: st.SearchStrategy[dt.datetime] | None = None,
) -> st.SearchStrategy[Event]:
    """Events of one of ``kinds`` (every `EventKind` when not given) on none to three services.

    Instants come from ``instants``, or from every testing zone (DST changes included).
    """
    return st.builds(
        Event,
        at=instants if instants is not None else _instants(),
        kind=st.sampled_from(tuple(kinds) if kinds is not None else tuple(EventKind)),
        services=_service_sets(services),
        summary=_NAMES,
        id=st.none() | _IDS,
    )


def observations(
    *, services: Sequence[str] | None = None, max_size: int = 3
) -> st.SearchStrategy[Observations]:
    """Observations of up to ``max_size`` records of each kind, on a few shared services.

    The records name ``services`` (or one to three ids drawn once per value), so
    `Observations.for_service` has something to keep and something to leave out.
    Incidents and service requests carry their lifecycles; at most two of each.
    """

    @st.composite
    def build(draw: st.DrawFn) -> Observations:
        ids = (
            tuple(services)
            if services is not None
            else tuple(draw(st.lists(_IDS, min_size=1, max_size=3, unique=True)))
        )

        def some(strategy: st.SearchStrategy[Any], most: int = max_size) -> list[Any]:
            return draw(st.lists(strategy, max_size=most))

        return Observations(
            outages=some(outages(services=ids)),
            maintenance=some(maintenance_windows(services=ids)),
            measurements=some(measurements(services=ids)),
            series=some(sample_series(services=ids, max_steps=50)),
            incidents=some(incidents(services=ids, max_steps=3), min(max_size, 2)),
            requests=some(service_requests(max_steps=3), min(max_size, 2)),
            events=some(events(services=ids)),
        )

    return build()


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each type of `cloudsms.monitoring.observations` with the strategy that draws it."""
    return [
        (Outage, outages()),
        (Measurement, measurements()),
        (SampleSeries, sample_series()),
        (Event, events()),
        (Observations, observations()),
    ]


def register() -> None:
    """Register a strategy for each type drawn here with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
