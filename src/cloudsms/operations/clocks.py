"""The agreement's clocks: response, resolution and fulfilment times, and their targets (S09).

An incident's *response time* runs from its opening to its first acknowledgement, its
*resolution time* from its opening to its first resolution; a service request's
*fulfilment time* from the request to its fulfilment. Each is measured on the clock
the agreement's `cloudsms.agreements.Metric` table names: incident response and
resolution on the agreement's support hours (`cloudsms.periods.SupportHours`, in the
zone the support hours are written in), request fulfilment on the wall clock. Where
the agreement says that waiting on the customer pauses the clocks
(``customer_wait_pauses_clocks``), the spans the record spent waiting, measured on
the same clock and within the measured span, are taken off.

Each function takes ``as_of``: without it, the figure is the final one, or ``None``
while the event that stops the clock has not happened. With an instant, the record is
read as it stood then (history entries after ``as_of`` are ignored): a clock stopped
by then gives its final figure, and one still running gives the time elapsed up to
``as_of`` (`Timing.final` tells them apart); before the record began there is
nothing to measure (``None``).

`target_for` finds the agreement's target for a metric and a priority, and
`judge_response`, `judge_resolution` and `judge_fulfilment` compare a figure with it
by `cloudsms.agreements.judge` (in seconds, the canonical unit of a time metric).

Serves S09 (incidents resolved and requests fulfilled on the agreed targets) and S10
(the figures monitoring reports); ISO/IEC 20000-1:2011 6.1 (service level management)
and 8.1 (incident and service request management).
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.instants import instant_problems
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.agreements import (
    CloudServiceAgreement,
    Judgement,
    Metric,
    ServiceTarget,
    judge,
    terms_on,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.operations.incidents import Incident
from cloudsms.operations.requests import ServiceRequest
from cloudsms.periods import SupportHours, timezone

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cloudsms.lifecycle import HistoryEntry, LifecycleInstance
    from cloudsms.periods import Period

__all__ = [
    "Timing",
    "business_time",
    "fulfilment_time",
    "in_force",
    "judge_fulfilment",
    "judge_resolution",
    "judge_response",
    "resolution_time",
    "response_time",
    "target_for",
]

_SUBJECT = "Operations clock"
_UTC = dt.UTC
_ZERO = dt.timedelta()
_MICROSECONDS = Decimal(1_000_000)


@attrs.frozen(kw_only=True)
class Timing:
    """A figure measured on one of the agreement's clocks, judged against its target.

    ``metric`` is what was measured, ``measured`` the time on the metric's clock,
    ``final`` whether the clock had stopped (``False``: still running at the
    ``as_of`` asked for, so the figure can only grow), ``target`` the agreement's
    `ServiceTarget` and ``judgement`` the `Judgement` of ``measured`` in seconds. A
    running clock that is within its target is judged as it stands (met so far).
    A result, built by the ``judge_*`` functions only, so it carries no checks.
    """

    metric: Metric
    measured: dt.timedelta
    final: bool
    target: ServiceTarget
    judgement: Judgement

    @property
    def met(self) -> bool:
        """Whether the figure meets the target (so far, while the clock runs)."""
        return self.judgement.met


# ---------------------------------------------------------------------- the clock
class _SupportClock:
    """One support-hours calendar read as a running total: fast differences over a span.

    The open spans of the local days around what was asked are loaded once (and
    again, wider, when a later question reaches past them); the business time
    between two instants is then the difference of two readings of the running
    total, found by bisection. The spans are those `SupportHours.elapsed` sums, so
    the figures are the same (tests compare them); spans longer than a year go to
    `SupportHours.elapsed` itself, which counts whole weeks.
    """

    __slots__ = ("_hours", "_table", "_zone")

    _MARGIN = dt.timedelta(days=31)
    _WIDEST = 800  # days a table may span before a question far away replaces it

    def __init__(self, hours: SupportHours) -> None:
        self._hours = hours
        self._zone = timezone(hours.timezone)
        self._table: _Table | None = None

    def _load(self, first: dt.date, last: dt.date) -> _Table:
        table = self._table
        if (
            table is not None
            and (max(last, table.last) - min(first, table.first)).days <= self._WIDEST
        ):
            first, last = min(first, table.first), max(last, table.last)
        first, last = first - self._MARGIN, last + self._MARGIN
        # The calendar's own open spans (SupportHours has no public reading of them).
        spans = list(self._hours.open_spans(first, last))
        totals, running = [], _ZERO
        for opens, closes in spans:
            totals.append(running)
            running += closes - opens
        loaded = _Table(
            first=first,
            last=last,
            opens=[opens for opens, _ in spans],
            closes=[closes for _, closes in spans],
            totals=totals,
        )
        self._table = loaded  # one assignment: a reader sees the old table or the new one
        return loaded

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        first = start.astimezone(self._zone).date() - dt.timedelta(days=1)
        last = end.astimezone(self._zone).date() + dt.timedelta(days=1)
        if (last - first).days > 366:  # noqa: PLR2004 - a year: whole weeks are cheaper
            return self._hours.elapsed(start, end)
        table = self._table
        if table is None or first < table.first or last > table.last:
            table = self._load(first, last)
        return table.reading(end.astimezone(_UTC)) - table.reading(start.astimezone(_UTC))


@attrs.frozen(kw_only=True)
class _Table:
    """The open spans of the local days ``first`` to ``last``, with running totals."""

    first: dt.date
    last: dt.date
    opens: list[dt.datetime]
    closes: list[dt.datetime]
    totals: list[dt.timedelta]

    def reading(self, moment: dt.datetime) -> dt.timedelta:
        """The open time of the table's spans before ``moment`` (in UTC)."""
        index = bisect.bisect_right(self.opens, moment) - 1
        if index < 0:
            return _ZERO
        return self.totals[index] + min(moment, self.closes[index]) - self.opens[index]


@lru_cache(maxsize=64)
def _clock(hours: SupportHours) -> _SupportClock:
    return _SupportClock(hours)


def business_time(hours: SupportHours, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The open time of ``hours`` between two instants: `SupportHours.elapsed`, remembered.

    The same figure as ``hours.elapsed(start, end)``; the calendar's open spans
    around the instants asked for are kept (for the last 64 calendars), so measuring
    thousands of records in the same month costs a bisection each.

    Raises:
        ValidationError: an instant is not a supported aware instant, or ``end`` is
            before ``start`` (at ``$.start`` or ``$.end``).

    Examples:
        >>> import datetime as dt
        >>> office = SupportHours.weekdays("09:00", "18:00", "Europe/Berlin")
        >>> friday = dt.datetime.fromisoformat("2026-10-02T17:30:00+02:00")
        >>> monday = dt.datetime.fromisoformat("2026-10-05T10:00:00+02:00")
        >>> business_time(office, friday, monday) == office.elapsed(friday, monday)
        True
        >>> business_time(office, friday, monday)
        datetime.timedelta(seconds=5400)
    """
    problems = instant_problems(start, "$.start") + instant_problems(end, "$.end")
    raise_problems(problems, "SupportHours")
    if end.astimezone(_UTC) < start.astimezone(_UTC):
        raise ValidationError.single(
            "$.end",
            f"an instant not before the start {start.isoformat()}",
            end.isoformat(),
            subject="SupportHours",
        )
    return _clock(hours).elapsed(start, end)


# ---------------------------------------------------------------------- reading records
def _upto(instance: LifecycleInstance, as_of: dt.datetime | None) -> Sequence[HistoryEntry]:
    """The history as it stood at ``as_of``: the entries up to the first one after it."""
    entries = instance.entries
    if as_of is None:
        return entries
    limit = as_of.astimezone(_UTC)
    for index, entry in enumerate(entries):
        if entry.when.astimezone(_UTC) > limit:
            return entries[:index]
    return entries


def _first(entries: Iterable[HistoryEntry], event: str) -> dt.datetime | None:
    return next((e.when for e in entries if e.event == event), None)


def _as_of_problems(as_of: dt.datetime | None) -> list[Problem]:
    return [] if as_of is None else instant_problems(as_of, "$.as_of")


def _incident_problems(incident: object, agreement: object) -> list[Problem]:
    """The incident and the agreement are what they should be, and belong together."""
    problems = instance_problems(incident, Incident, "$.incident")
    problems += instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    if problems:
        return problems
    assert isinstance(incident, Incident)  # noqa: S101 - checked just above
    assert isinstance(agreement, CloudServiceAgreement)  # noqa: S101
    if incident.agreement_id != agreement.id:
        expected = f"the agreement's id {agreement.id!r}"
        problems.append(
            Problem("$.incident.agreement_id", expected, describe(incident.agreement_id))
        )
    if incident.opened_at.astimezone(_UTC) < agreement.effective_from.astimezone(_UTC):
        expected = f"an opening no earlier than the agreement's {agreement.effective_from}"
        problems.append(Problem("$.incident.opened_at", expected, incident.opened_at.isoformat()))
    if incident.priority not in agreement.priorities.ids:
        expected = f"a priority of the agreement's scale ({', '.join(agreement.priorities.ids)})"
        problems.append(Problem("$.incident.priority", expected, describe(incident.priority)))
    return problems


def _request_problems(request: object, agreement: object) -> list[Problem]:
    problems = instance_problems(request, ServiceRequest, "$.request")
    problems += instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    if problems:
        return problems
    assert isinstance(request, ServiceRequest)  # noqa: S101 - checked just above
    assert isinstance(agreement, CloudServiceAgreement)  # noqa: S101
    if request.agreement_id != agreement.id:
        expected = f"the agreement's id {agreement.id!r}"
        problems.append(
            Problem("$.request.agreement_id", expected, describe(request.agreement_id))
        )
    if request.requested_at.astimezone(_UTC) < agreement.effective_from.astimezone(_UTC):
        expected = f"a request no earlier than the agreement's {agreement.effective_from}"
        problems.append(
            Problem("$.request.requested_at", expected, request.requested_at.isoformat())
        )
    return problems


def in_force(agreement: CloudServiceAgreement, instant: dt.datetime) -> CloudServiceAgreement:
    """The agreement's terms in force at ``instant`` (`cloudsms.agreements.terms_on`).

    A record is measured and judged by the support hours, pauses and targets agreed
    when it was opened: an amendment after that changes no earlier figure.
    """
    if not agreement.amendments:
        return agreement
    return terms_on(agreement, instant)


_RUNNING = {
    Metric.INCIDENT_RESPONSE_TIME: frozenset({"opened"}),
    Metric.INCIDENT_RESOLUTION_TIME: frozenset({"opened", "acknowledged", "waiting", "restored"}),
    Metric.REQUEST_FULFILMENT_TIME: frozenset({"submitted", "in_progress", "waiting"}),
}
"""The states in which each clock still runs: past them without its stop event (a
request rejected, an instance begun at a later state) the figure was never measured."""


def _state_then(instance: LifecycleInstance, entries: Sequence[HistoryEntry]) -> str:
    return entries[-1].target if entries else instance.start


def _on_clock(
    agreement: CloudServiceAgreement, metric: Metric, start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    if metric.on_support_hours:
        return _clock(agreement.support_hours).elapsed(start, end)
    return end.astimezone(_UTC) - start.astimezone(_UTC)


def _measured(
    agreement: CloudServiceAgreement,
    metric: Metric,
    *,
    start: dt.datetime,
    stopped: dt.datetime | None,
    waits: Iterable[Period],
    as_of: dt.datetime | None,
) -> tuple[dt.timedelta, bool] | None:
    """The time from ``start`` to ``stopped`` (or ``as_of``) on the metric's clock, less waits."""
    if stopped is not None:
        end = stopped
    elif as_of is not None:
        end = as_of
    else:
        return None
    if end.astimezone(_UTC) < start.astimezone(_UTC):
        return None  # asked about an instant before the record began
    total = _on_clock(agreement, metric, start, end)
    if agreement.customer_wait_pauses_clocks:
        low, high = start.astimezone(_UTC), end.astimezone(_UTC)
        for wait in waits:
            lower = max(wait.start.astimezone(_UTC), low)
            upper = min(wait.end.astimezone(_UTC), high)
            if lower < upper:
                total -= _on_clock(agreement, metric, lower, upper)
    return max(total, _ZERO), stopped is not None


def _incident_clock(
    incident: Incident,
    agreement: CloudServiceAgreement,
    metric: Metric,
    as_of: dt.datetime | None,
) -> tuple[dt.timedelta, bool] | None:
    raise_problems(_incident_problems(incident, agreement) + _as_of_problems(as_of), _SUBJECT)
    agreement = in_force(agreement, incident.opened_at)
    entries = _upto(incident.lifecycle, as_of)
    event = "acknowledge" if metric is Metric.INCIDENT_RESPONSE_TIME else "resolve"
    stopped = _first(entries, event)
    if stopped is None and _state_then(incident.lifecycle, entries) not in _RUNNING[metric]:
        return None
    waits = incident.waiting_periods(as_of=as_of if stopped is None else stopped)
    return _measured(
        agreement, metric, start=incident.opened_at, stopped=stopped, waits=waits, as_of=as_of
    )


def _request_clock(
    request: ServiceRequest, agreement: CloudServiceAgreement, as_of: dt.datetime | None
) -> tuple[dt.timedelta, bool] | None:
    raise_problems(_request_problems(request, agreement) + _as_of_problems(as_of), _SUBJECT)
    agreement = in_force(agreement, request.requested_at)
    metric = Metric.REQUEST_FULFILMENT_TIME
    entries = _upto(request.lifecycle, as_of)
    stopped = _first(entries, "fulfil")
    if stopped is None and _state_then(request.lifecycle, entries) not in _RUNNING[metric]:
        return None
    waits = request.waiting_periods(as_of=as_of if stopped is None else stopped)
    return _measured(
        agreement, metric, start=request.requested_at, stopped=stopped, waits=waits, as_of=as_of
    )


def _time(found: tuple[dt.timedelta, bool] | None) -> dt.timedelta | None:
    return None if found is None else found[0]


# ---------------------------------------------------------------------- the figures
def response_time(
    incident: Incident, agreement: CloudServiceAgreement, *, as_of: dt.datetime | None = None
) -> dt.timedelta | None:
    """The time from the incident's opening to its first acknowledgement, on the support hours.

    Measured on ``agreement.support_hours`` (the incident response time metric runs
    on them), less the time waiting on the customer where the agreement pauses its
    clocks. The agreement's terms are those in force when the incident was opened
    (`in_force`): a later amendment changes no earlier figure. ``None`` while the
    incident is not acknowledged, and where it passed acknowledgement without a
    recorded one (an instance begun at a later state); with ``as_of``, the incident
    as it stood then (the time so far while it was not yet acknowledged; ``None``
    before it was opened).

    Raises:
        ValidationError: ``incident`` is not an `Incident`, it falls under another
            agreement (``$.incident.agreement_id``) or has a priority the agreement's
            scale lacks (``$.incident.priority``), it was opened before the agreement
            took effect (``$.incident.opened_at``), or ``as_of`` is not an aware
            instant (``$.as_of``).

    """
    return _time(_incident_clock(incident, agreement, Metric.INCIDENT_RESPONSE_TIME, as_of))


def resolution_time(
    incident: Incident, agreement: CloudServiceAgreement, *, as_of: dt.datetime | None = None
) -> dt.timedelta | None:
    """The time from the incident's opening to its first resolution, on the support hours.

    As `response_time`, up to the first ``resolve`` event: a reopened incident keeps
    the time to its first resolution (its history has the rest). Time waiting on
    the customer before that resolution is taken off where the agreement pauses
    its clocks.

    Raises:
        ValidationError: as `response_time`.
    """
    return _time(_incident_clock(incident, agreement, Metric.INCIDENT_RESOLUTION_TIME, as_of))


def fulfilment_time(
    request: ServiceRequest, agreement: CloudServiceAgreement, *, as_of: dt.datetime | None = None
) -> dt.timedelta | None:
    """The time from the request to its fulfilment, on the wall clock.

    The request fulfilment time metric runs on the wall clock, not the support hours
    (`cloudsms.agreements.Metric`); time waiting on the customer is taken off where
    the agreement pauses its clocks; the terms in force when it was made apply.
    ``None`` while the request is not fulfilled, and for one that never will be (a
    rejected or closed request), with or without ``as_of``; ``as_of`` as in
    `response_time`.

    Raises:
        ValidationError: ``request`` is not a `ServiceRequest`, it falls under
            another agreement (``$.request.agreement_id``), or ``as_of`` is not an
            aware instant (``$.as_of``).
    """
    return _time(_request_clock(request, agreement, as_of))


# ---------------------------------------------------------------------- the targets
def target_for(
    agreement: CloudServiceAgreement,
    metric: Metric,
    priority: str | None = None,
    *,
    services: Iterable[str] | None = None,
) -> ServiceTarget | None:
    """The agreement's target for ``metric`` at ``priority``, or ``None`` if it has none.

    The candidates are the targets of ``metric`` whose priority is ``priority``
    (``None`` for metrics without one) in the SLAs that cover at least one of
    ``services`` (every SLA when ``services`` is ``None``). When several SLAs set
    one, the strictest threshold applies: the record is held to the best level it
    was promised.
    """
    wanted = None if services is None else frozenset(services)
    found: ServiceTarget | None = None
    for sla, target in agreement.targets():
        if target.metric is not metric or target.priority != priority:
            continue
        if wanted is not None and not (sla.service_ids & wanted):
            continue
        if found is None or target.threshold * target.sign > found.threshold * found.sign:
            found = target
    return found


def _seconds(time: dt.timedelta) -> Decimal:
    whole = (time.days * 86_400 + time.seconds) * 1_000_000 + time.microseconds
    return Decimal(whole) / _MICROSECONDS


def _judged(
    metric: Metric, target: ServiceTarget | None, found: tuple[dt.timedelta, bool] | None
) -> Timing | None:
    if target is None or found is None:
        return None
    measured, final = found
    judgement = judge(target, _seconds(measured))
    return Timing(
        metric=metric, measured=measured, final=final, target=target, judgement=judgement
    )


def judge_response(
    incident: Incident, agreement: CloudServiceAgreement, *, as_of: dt.datetime | None = None
) -> Timing | None:
    """The incident's response time judged against the agreement's target for its priority.

    ``None`` where the agreement sets no response target for the priority (on the
    incident's services), or where `response_time` is ``None``.

    Raises:
        ValidationError: as `response_time`.
    """
    metric = Metric.INCIDENT_RESPONSE_TIME
    found = _incident_clock(incident, agreement, metric, as_of)
    agreed = in_force(agreement, incident.opened_at)
    target = target_for(agreed, metric, incident.priority, services=incident.services)
    return _judged(metric, target, found)


def judge_resolution(
    incident: Incident, agreement: CloudServiceAgreement, *, as_of: dt.datetime | None = None
) -> Timing | None:
    """The incident's resolution time judged against the agreement's target for its priority.

    ``None`` where no resolution target applies or `resolution_time` is ``None``.

    Raises:
        ValidationError: as `response_time`.
    """
    metric = Metric.INCIDENT_RESOLUTION_TIME
    found = _incident_clock(incident, agreement, metric, as_of)
    agreed = in_force(agreement, incident.opened_at)
    target = target_for(agreed, metric, incident.priority, services=incident.services)
    return _judged(metric, target, found)


def judge_fulfilment(
    request: ServiceRequest, agreement: CloudServiceAgreement, *, as_of: dt.datetime | None = None
) -> Timing | None:
    """The request's fulfilment time judged against the agreement's fulfilment target.

    ``None`` where the agreement sets no fulfilment target or `fulfilment_time` is
    ``None``.

    Raises:
        ValidationError: as `fulfilment_time`.
    """
    metric = Metric.REQUEST_FULFILMENT_TIME
    found = _request_clock(request, agreement, as_of)
    agreed = in_force(agreement, request.requested_at)
    return _judged(metric, target_for(agreed, metric), found)
