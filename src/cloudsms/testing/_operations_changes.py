"""Strategies for problems, known errors, changes and releases (S09).

Each record holds its lifecycle instance with a real history: a walk of events the
guards allow, none before the record's own first instant, and fields that agree
with the history (a closed change's outcome is its ``close`` event's, a resolved
problem's change is its ``resolve`` event's). A walk that ends outside the states
asked for is replaced by an instance that begins at one of them with no recorded
history (as a record whose earlier events were never kept reads).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from cloudsms.agreements import Notice, NoticePayload
from cloudsms.operations.changes import (
    CHANGE_LIFECYCLE,
    CHANGE_STATES,
    Change,
    ChangeKind,
    ChangeOutcome,
)
from cloudsms.operations.maintenance import MaintenanceWindow
from cloudsms.operations.problems import PROBLEM_LIFECYCLE, PROBLEM_STATES, KnownError, Problem
from cloudsms.operations.releases import RELEASE_LIFECYCLE, RELEASE_STATES, Release
from cloudsms.periods import Period, add_exact
from cloudsms.testing._strategies import _IDS, _NAMES, actor_ids, aware_datetimes

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from cloudsms.lifecycle import Lifecycle, LifecycleInstance

__all__ = ["changes", "known_errors", "problems", "releases"]

_LATEST = dt.datetime(2050, 1, 1)  # noqa: DTZ001 - a naive bound, as hypothesis takes it
_EARLIEST = dt.datetime(1901, 1, 1)  # noqa: DTZ001 - room for notices sent before a change


def _ids_from(ids: Sequence[str] | None) -> st.SearchStrategy[str]:
    return st.sampled_from(tuple(ids)) if ids is not None else _IDS


def _id_sets(
    ids: Sequence[str] | None, *, min_size: int, max_size: int
) -> st.SearchStrategy[frozenset[str]]:
    if ids is not None and not ids:
        return st.just(frozenset())
    return st.frozensets(_ids_from(ids), min_size=min_size, max_size=max_size)


def known_errors() -> st.SearchStrategy[KnownError]:
    """Known errors with any non-empty description and workaround."""
    return st.builds(
        lambda description, workaround: KnownError(description=description, workaround=workaround),
        _NAMES,
        _NAMES,
    )


def _walk(
    draw: st.DrawFn,
    lifecycle: Lifecycle,
    *,
    start: dt.datetime,
    payloads: Callable[[str], st.SearchStrategy[Mapping[str, Any]]],
    states: Sequence[str],
    max_steps: int,
    context: Mapping[str, Any] | None = None,
) -> LifecycleInstance:
    """Up to ``max_steps`` events the guards allow, from ``start``; ends in ``states``."""
    instance = lifecycle.begin(id=draw(_IDS), context=context)
    when = start
    for _ in range(draw(st.integers(0, max_steps))):
        events = instance.allowed_events()
        if not events:
            break
        event = draw(st.sampled_from(events))
        payload = draw(payloads(event))
        who = draw(actor_ids())
        when = add_exact(when, dt.timedelta(minutes=draw(st.integers(0, 10_000))))
        if instance.refusal(event, who=who, when=when, data=payload) is None:
            instance = instance.apply(event, who=who, when=when, data=payload)
    if instance.state not in states:
        origin = draw(st.sampled_from(tuple(states)))
        instance = lifecycle.begin(id=instance.id, context=context, origin=origin)
    return instance


def problems(
    *,
    incident_ids: Sequence[str] | None = None,
    states: Sequence[str] = PROBLEM_STATES,
    max_steps: int = 6,
) -> st.SearchStrategy[Problem]:
    """Problems linked to some of ``incident_ids`` (any when not given), in one of ``states``.

    The known error is the latest one the history recorded (or, before any was,
    sometimes one being written up); the change is the one the history resolved the
    problem by (or, before that, sometimes one raised to fix it).
    """

    def payloads(event: str) -> st.SearchStrategy[Mapping[str, Any]]:
        if event == "record_known_error":
            return known_errors().map(lambda known: {"known_error": known.as_data()})
        if event == "resolve":
            return _IDS.map(lambda change: {"change": change})
        return st.just({})

    @st.composite
    def build(draw: st.DrawFn) -> Problem:
        start = draw(aware_datetimes(max_value=_LATEST))
        instance = _walk(
            draw,
            PROBLEM_LIFECYCLE,
            start=start,
            payloads=payloads,
            states=states,
            max_steps=max_steps,
        )
        recorded = [e for e in instance.entries if e.event == "record_known_error"]
        resolved = [e for e in instance.entries if e.event == "resolve"]
        known = (
            KnownError.from_data(recorded[-1].data["known_error"])
            if recorded
            else draw(st.none() | known_errors())
        )
        change = resolved[-1].data["change"] if resolved else draw(st.none() | _IDS)
        return Problem(
            id=instance.id,
            summary=draw(_NAMES),
            incident_ids=draw(_id_sets(incident_ids, min_size=1, max_size=3)),
            root_cause=draw(st.none() | _NAMES),
            known_error=known,
            change_id=change,
            lifecycle=instance,
        )

    return build()


def _windows(
    draw: st.DrawFn,
    services: frozenset[str],
    after: dt.datetime,
    *,
    around: dt.datetime | None = None,
) -> MaintenanceWindow:
    """A window after ``after``; or, given ``around`` (an implementation), one holding it."""
    if around is None:
        start = add_exact(after, dt.timedelta(minutes=draw(st.integers(0, 20_000))))
        end = add_exact(start, dt.timedelta(minutes=draw(st.integers(1, 600))))
    else:
        start = add_exact(around, -dt.timedelta(minutes=draw(st.integers(0, 300))))
        end = add_exact(around, dt.timedelta(minutes=draw(st.integers(1, 300))))
    announced = add_exact(start, -dt.timedelta(minutes=draw(st.integers(0, 20_000))))
    return MaintenanceWindow(
        start=start,
        end=end,
        services=services | draw(st.frozensets(_IDS, max_size=2)),
        announced_at=announced,
    )


def changes(
    *,
    kinds: Sequence[ChangeKind] = tuple(ChangeKind),
    states: Sequence[str] = CHANGE_STATES,
    service_ids: Sequence[str] | None = None,
    customer_ids: Sequence[str] | None = None,
    provider_id: str = "provider",
    max_steps: int = 6,
) -> st.SearchStrategy[Change]:
    """Changes of one of ``kinds``, in one of ``states``, on ``service_ids`` for ``customer_ids``.

    Some run in a maintenance window (covering their services), some affect the
    availability of their customers, each of whom then has a notice from
    ``provider_id`` sent before the window (or the request) starts. A closed
    change carries its ``close`` event's outcome; an implemented or reviewed one
    sometimes carries an outcome already.
    """
    outcomes = st.sampled_from(tuple(ChangeOutcome))

    def payloads(event: str) -> st.SearchStrategy[Mapping[str, Any]]:
        if event == "close":
            return outcomes.map(lambda outcome: {"outcome": outcome.value})
        return st.just({})

    @st.composite
    def build(draw: st.DrawFn) -> Change:
        kind = draw(st.sampled_from(tuple(kinds)))
        requested = draw(aware_datetimes(min_value=_EARLIEST, max_value=_LATEST))
        services = draw(_id_sets(service_ids, min_size=1, max_size=3))
        customers = draw(_id_sets(customer_ids, min_size=0, max_size=3))
        instance = _walk(
            draw,
            CHANGE_LIFECYCLE,
            start=requested,
            payloads=payloads,
            states=states,
            max_steps=max_steps,
            context={"kind": kind.value},
        )
        implemented = [e.when for e in instance.entries if e.event == "implement"]
        window = None
        if draw(st.booleans()):  # a window; one holding the implementation, if any
            window = _windows(draw, services, requested, around=next(iter(implemented), None))
        affects = draw(st.booleans())
        notices: tuple[Notice, ...] = ()
        if affects and customers:
            deadline = requested if window is None else min(requested, window.start)
            sent = add_exact(deadline, -dt.timedelta(minutes=draw(st.integers(0, 5_000))))
            notices = (
                Notice(
                    sent_by=provider_id,
                    sent_to=customers,
                    sent_at=sent,
                    effective_at=sent if window is None else max(sent, window.start),
                    payload=draw(st.none() | st.just(NoticePayload(kind="change"))),
                ),
            )
        closed = [e for e in instance.entries if e.event == "close"]
        if closed:
            outcome: ChangeOutcome | None = ChangeOutcome(closed[-1].data["outcome"])
        elif instance.state in {"implemented", "reviewed", "closed"}:
            outcome = draw(st.none() | outcomes)
        else:
            outcome = None
        return Change(
            id=instance.id,
            kind=kind,
            summary=draw(_NAMES),
            services=services,
            customers=customers,
            requested_at=requested,
            affects_availability=affects,
            window=window,
            notices=notices,
            outcome=outcome,
            lifecycle=instance,
        )

    return build()


def releases(
    *,
    change_ids: Sequence[str] | None = None,
    service_ids: Sequence[str] | None = None,
    states: Sequence[str] = RELEASE_STATES,
    max_steps: int = 5,
) -> st.SearchStrategy[Release]:
    """Releases bundling some of ``change_ids`` into ``service_ids``, in one of ``states``.

    Planned for a period of an hour to a few days; the walk starts at the planned
    start and deploys inside the plan or after it.
    """

    @st.composite
    def build(draw: st.DrawFn) -> Release:
        start = draw(aware_datetimes(max_value=_LATEST))
        end = add_exact(start, dt.timedelta(hours=draw(st.integers(1, 96))))
        instance = _walk(
            draw,
            RELEASE_LIFECYCLE,
            start=start,
            payloads=lambda _: st.just({}),
            states=states,
            max_steps=max_steps,
        )
        return Release(
            id=instance.id,
            change_ids=draw(_id_sets(change_ids, min_size=1, max_size=4)),
            services=draw(_id_sets(service_ids, min_size=1, max_size=3)),
            planned=Period(start, end),
            lifecycle=instance,
        )

    return build()


def register() -> None:
    """Register the strategies for `st.from_type` (called by the hypothesis setup hook)."""
    st.register_type_strategy(KnownError, known_errors())
    st.register_type_strategy(Problem, problems())
    st.register_type_strategy(Change, changes())
    st.register_type_strategy(Release, releases())
