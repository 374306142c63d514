"""Hypothesis strategies for the operations records of S09 (`cloudsms.operations`).

Maintenance windows, incidents and service requests. Every strategy draws valid
values only; each record with a lifecycle holds an instance bound to its id with a
real history (events its guards allow, none before the record began). `register`
makes each type drawable with ``st.from_type``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from cloudsms.agreements import OutageCause
from cloudsms.operations import (
    INCIDENT_LIFECYCLE,
    INCIDENT_STATES,
    SERVICE_REQUEST_LIFECYCLE,
    SERVICE_REQUEST_STATES,
    Incident,
    MaintenanceWindow,
    ServiceRequest,
)
from cloudsms.periods import add_exact
from cloudsms.testing._strategies import _IDS, _NAMES, aware_datetimes

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cloudsms.lifecycle import LifecycleInstance

__all__ = [
    "incidents",
    "maintenance_windows",
    "register",
    "service_requests",
]

# Instants far enough from the ends of the supported range that a record's events,
# estimates and announcements (days to weeks away) stay inside it.
_FIRST = dt.datetime(1950, 1, 1)  # noqa: DTZ001 - hypothesis takes naive bounds
_LAST = dt.datetime(2050, 1, 1)  # noqa: DTZ001
_PRIORITIES = ("p1", "p2", "p3", "p4")
_WHO = st.sampled_from(("actor:desk-1", "actor:ops", "actor:on-call.2"))


def _ids_from(ids: Sequence[str] | None) -> st.SearchStrategy[str]:
    return st.sampled_from(tuple(ids)) if ids is not None else _IDS


def maintenance_windows(
    *, services: Sequence[str] | None = None, max_hours: int = 72
) -> st.SearchStrategy[MaintenanceWindow]:
    """Windows over one or more of ``services`` (any ids when not given), up to ``max_hours`` long.

    Each is announced between the moment it starts and 30 days before; lengths are
    drawn to the second, starts in every testing zone (DST changes included).
    """
    service_sets = (
        st.frozensets(st.sampled_from(tuple(services)), min_size=1, max_size=3)
        if services is not None
        else st.frozensets(_IDS, min_size=1, max_size=3)
    )
    return st.builds(
        lambda start, seconds, ahead, covered: MaintenanceWindow(
            start=start,
            end=add_exact(start, dt.timedelta(seconds=seconds)),
            services=covered,
            announced_at=add_exact(start, -dt.timedelta(seconds=ahead)),
        ),
        aware_datetimes(min_value=_FIRST, max_value=_LAST),
        st.integers(1, max_hours * 3600),
        st.integers(0, 30 * 86400),
        service_sets,
    )


def _walk(
    draw: st.DrawFn,
    instance: LifecycleInstance,
    start: dt.datetime,
    max_steps: int,
    payload: Callable[[str, dt.datetime], st.SearchStrategy[dict[str, Any]]],
) -> LifecycleInstance:
    """Up to ``max_steps`` events the guards allow, from ``start`` on, each with its data."""
    when = start
    for _ in range(draw(st.integers(0, max_steps))):
        events = instance.allowed_events()
        if not events:
            break
        event = draw(st.sampled_from(events))
        when = add_exact(when, dt.timedelta(minutes=draw(st.integers(0, 3000))))
        data = draw(payload(event, when))
        who = draw(_WHO)
        if instance.refusal(event, who=who, when=when, data=data) is None:
            instance = instance.apply(event, who=who, when=when, data=data)
    return instance


def _incident_data(event: str, when: dt.datetime) -> st.SearchStrategy[dict[str, Any]]:
    """What an incident event carries: an expected restoration for ``estimate``, else nothing."""
    if event != "estimate":
        return st.just({})
    return st.integers(0, 7 * 24 * 60).map(
        lambda minutes: {
            "expected_restoration": add_exact(when, dt.timedelta(minutes=minutes)).isoformat()
        }
    )


def incidents(
    *,
    agreement_ids: Sequence[str] | None = None,
    priorities: Sequence[str] = _PRIORITIES,
    services: Sequence[str] | None = None,
    customer_ids: Sequence[str] | None = None,
    states: Sequence[str] = INCIDENT_STATES,
    max_steps: int = 8,
) -> st.SearchStrategy[Incident]:
    """Incidents under ``agreement_ids`` with one of ``priorities``, in one of ``states``.

    Services and customers come from ``services`` and ``customer_ids`` (any ids when
    not given). Each incident holds an `INCIDENT_LIFECYCLE` instance bound to its id
    with a real history: up to ``max_steps`` events its guards allow (estimates
    included), none before the opening. A walk that ends outside ``states`` is
    replaced by an instance that begins at one of them with no recorded history.
    """
    wanted = tuple(states)

    @st.composite
    def build(draw: st.DrawFn) -> Incident:
        incident_id = draw(_IDS)
        opened = draw(aware_datetimes(min_value=_FIRST, max_value=_LAST))
        instance = _walk(
            draw,
            INCIDENT_LIFECYCLE.begin(id=incident_id),
            opened,
            max_steps,
            _incident_data,
        )
        if instance.state not in wanted:
            origin = draw(st.sampled_from(wanted))
            instance = INCIDENT_LIFECYCLE.begin(id=incident_id, origin=origin)
        pool = _ids_from(customer_ids) if customer_ids is None or customer_ids else st.nothing()
        return Incident(
            id=incident_id,
            agreement_id=draw(_ids_from(agreement_ids)),
            priority=draw(st.sampled_from(tuple(priorities))),
            summary=draw(_NAMES),
            services=draw(st.frozensets(_ids_from(services), min_size=1, max_size=3)),
            customers=draw(st.frozensets(pool, max_size=3)),
            opened_at=opened,
            cause=draw(st.none() | st.sampled_from(OutageCause)),
            problem_id=draw(st.none() | _IDS),
            lifecycle=instance,
        )

    return build()


def _request_data(event: str, _: dt.datetime) -> st.SearchStrategy[dict[str, Any]]:
    """What a request event carries: a reason for ``reject``, else nothing."""
    if event != "reject":
        return st.just({})
    return _NAMES.map(lambda reason: {"reason": reason})


def service_requests(
    *,
    agreement_ids: Sequence[str] | None = None,
    customer_ids: Sequence[str] | None = None,
    user_ids: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    states: Sequence[str] = SERVICE_REQUEST_STATES,
    max_steps: int = 6,
) -> st.SearchStrategy[ServiceRequest]:
    """Service requests under ``agreement_ids`` by ``user_ids`` of ``customer_ids``, in ``states``.

    Each argument left out draws any ids. Each request holds a
    `SERVICE_REQUEST_LIFECYCLE` instance bound to its id with a real history: up to
    ``max_steps`` events its guards allow (a rejection with its reason), none before
    the request. A walk that ends outside ``states`` is replaced by an instance that
    begins at one of them with no recorded history.
    """
    wanted = tuple(states)

    @st.composite
    def build(draw: st.DrawFn) -> ServiceRequest:
        request_id = draw(_IDS)
        asked = draw(aware_datetimes(min_value=_FIRST, max_value=_LAST))
        instance = _walk(
            draw,
            SERVICE_REQUEST_LIFECYCLE.begin(id=request_id),
            asked,
            max_steps,
            _request_data,
        )
        if instance.state not in wanted:
            origin = draw(st.sampled_from(wanted))
            instance = SERVICE_REQUEST_LIFECYCLE.begin(id=request_id, origin=origin)
        return ServiceRequest(
            id=request_id,
            agreement_id=draw(_ids_from(agreement_ids)),
            customer_id=draw(_ids_from(customer_ids)),
            requested_by=draw(_ids_from(user_ids)),
            kind=draw(_ids_from(kinds)),
            summary=draw(_NAMES),
            standard_change=draw(st.booleans()),
            requested_at=asked,
            lifecycle=instance,
        )

    return build()


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each type of this module's part of `cloudsms.operations` with the strategy that draws it."""
    return [
        (MaintenanceWindow, maintenance_windows()),
        (Incident, incidents()),
        (ServiceRequest, service_requests()),
    ]


def register() -> None:
    """Register a strategy for each type drawn here with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
