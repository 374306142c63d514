"""Judging an agreement's targets over a period: the service level report (S10).

`evaluate` reads one agreement, the `cloudsms.monitoring.Observations` of its
services and a period, and returns a `ServiceLevelReport`: for every target of every
SLA, and every service the SLA covers, a `TargetResult` with the achieved figure in
the target's unit, the `cloudsms.agreements.Judgement` (met or breached, and by how
much), the credit due, the time no samples cover, and the evidence behind the figure
(`EvidenceItem`: each outage, maintenance window, sample gap, measurement, series,
incident or request that counted or was left out, with the reason). The report also
carries the events that call for immediate notice to the customer (`ImmediateNotice`,
`immediate_notices`), the monitoring data older than the agreement's retention
(`expired_monitoring_data`), the observations that match none of the agreement's
services, and a note when the period had not ended as of the reading.

The rules, target by target (``P`` is the evaluated period, see `evaluate`):

- **Availability** is uptime over expected uptime, exactly
  (`cloudsms.monitoring.metrics.availability_fraction`)::

      availability = 100 % x (E - D) / E
      E = the time of P inside S, less X                       (expected uptime)
      D = the time of the union of O, W and B inside P and S, less X   (downtime)

  ``S`` is the whole period for a ``24x7`` target and the agreement's support hours
  for a ``service hours`` one; ``O`` the service's outages whose cause the target does
  not exclude (an outage naming no service hits every service); ``W`` the maintenance
  windows covering the service that the target does not exclude, each counted as
  downtime over its whole span (the provider declared the service could be down);
  ``B`` the down steps of the service's up/down sample series; ``X`` what is left out
  of both sides: the windows the target excludes (announced at least its
  ``maintenance_notice`` before they start, by `Exclusions.excludes`) and the missing
  steps of the series that nothing else covers (below). The notice is counted on
  the agreement's calendar: announcement and start are read in its zone, so five
  days' notice across a change of the clocks is five calendar days there (119 or
  121 hours), whatever offsets the instants were written with. An outage whose
  cause the target excludes (``customer``, ``force_majeure``, ...) is left out of
  the downtime only: its span stays in the expected uptime, so a provider outage
  overlapping it still counts in full. The percentage is exact when it has at most
  38 significant digits, else rounded half to even there (as
  `cloudsms.monitoring.metrics.availability`).
- **Availability evidence adds up**: each counted outage, window and up/down series
  says in its reason the downtime it adds: its part of ``E``'s windows (``P`` inside
  ``S``, less ``X``) that no counted item before it, in the evidence's order (by
  start), already covered, so the counted items' additions sum to ``D`` exactly. The
  reason also says how much of it earlier items had counted (and which kind), and
  how much lies outside the service hours or inside excluded windows, or outside the
  period.
- **Error budget**: every availability result carries the target's `ErrorBudget`
  (`cloudsms.monitoring.metrics.error_budget`) over the whole evaluated period
  (also when read before its end) as of the report's ``as_of``, computed from
  exactly the ``O``, ``W`` and ``B`` that counted as downtime, the ``X`` left out
  (excluded windows and sample gaps) and the hours ``S`` of the figure: allowed
  ``(1 - threshold/100) x E``, used, remaining, and when it runs out. None where
  there is no expected uptime.
- **Missing samples** are never uptime and never downtime. A step a series holds as
  missing is left out of both sides where no counted outage, counted window, down
  step or known step of another series of the service covers it; the time left out
  inside the expected uptime is the result's ``coverage_gap``, and each span of it
  (only what lies inside the expected uptime) is a ``sample_gap`` item of the
  evidence, so the items add up to the coverage gap. Time no series covers at all
  is judged from the outages and windows alone (the service is up unless they say
  otherwise). A
  missing sample of a latency series is not counted either: its time inside the
  span a response-time target reads is that result's coverage gap.
- **Response time** is the nearest-rank percentile at ``target.percentile``
  (`cloudsms.monitoring.metrics.percentile`: the value at rank ``ceil(p/100 x n)`` of
  the ``n`` values sorted) of the service's response-time `Measurement` values and the
  samples of its latency series (milliseconds), taken inside the period, inside the
  support hours for a ``service hours`` target, and outside the windows the target
  excludes. The figure is judged in seconds: a measurement converts exactly, and a
  series sample (a binary float of milliseconds) is read as the shortest decimal
  that names it (``Decimal(str(value))``), then divided by 1000 exactly.
- **Throughput and capacity** (at least) are the smallest measurement in the
  period, **recovery point and time objectives** (at most) the largest: the worst
  measurement in the period, under the same hours and windows as response time. A
  capacity target counts only measurements of its own dimension (bytes or instances).
- **Incident response and resolution time** of a priority are read from the
  incidents under the agreement on the service, of that priority, opened in the
  period, on the agreement's support-hours clocks (`cloudsms.operations.response_time`,
  `cloudsms.operations.resolution_time`, as of the report's ``as_of``: an incident
  still open is measured up to ``as_of``); the achieved figure is the longest, so
  the target is met exactly when every incident met it. **Request fulfilment time**
  is the same over the service requests under the agreement made in the period
  (`cloudsms.operations.fulfilment_time`, on the wall clock; a request names no
  service, so each serves every service of the SLA). An incident whose cause the
  target excludes is left out. No incident (or request): no figure, and the note
  says so.
- **Qualitative objectives** are judged by the caller's `Predicates` registry, given
  the service's observations; without one (or without the predicate) there is no
  judgement, and the note says so.
- **Whole measurement periods**: a target is judged (met or breached, margin,
  credit) only over its whole measurement period: the evaluated period must be
  the calendar month, quarter or year of the target (``target.period``) that holds
  its start, in the agreement's zone (``target.period.containing(P.start, zone)``
  equals ``P``). Otherwise the result still carries the figure achieved over
  ``P`` (and its evidence and error budget), but no judgement and no credit, and
  the note says the target is judged over its whole quarter (month, year) and the
  figure covers only ``P``: a quarterly target in a monthly report, a monthly
  target in a quarterly one, a month cut short by the agreement's term.
- **Credits** (`cloudsms.agreements.credit_due`) are worked out only for a judged
  target (so over its whole measurement period) with credit terms, for a service
  with a recurring charge. The charge for ``P`` is the recurring amount scaled
  exactly by ``P``'s calendar length over the charge's period: for a charge every
  ``k`` months, ``amount x P.calendar_count("month") / k``; for one every ``k``
  days, by ``P.calendar_count("day") / k``. In every other case the credit is
  ``None`` and the note says why.

**As of an instant**: ``as_of`` must fall after the evaluated period's start. At
or after its end the whole period is read and judged. Inside it the period is
still under way: ``P`` becomes ``[start, as_of)`` for every rule above (outages,
windows, measurements, series, incidents, requests, events starting at or after
``as_of`` are not yet known; spans running past it count up to it), no target is
judged or credited, each result's note and the report's ``note`` say the period
has not ended, and the error budgets alone cover the whole period as of ``as_of``.

**Immediate notices**: an `Event` of a kind that demands immediate notice, an
`Incident` whose cause is ``security``, and an `Outage` whose cause is ``security``
(a security incident that took services down) each raise an `ImmediateNotice` of
the customers subscribing an affected service, in the report when it falls in the
evaluated period and concerns the agreement's customer (`immediate_notices`).

**Unmatched observations**: an outage, maintenance window, measurement, series or
event of the evaluated period that names services, none of them subscribed by the
agreement (in the terms in force), counts for no target; rather than vanish it is
listed in the report's ``unmatched``, uncounted, its reason naming the unknown
services, the agreement's services and the close matches (``crm`` for
``crm-service``). An observation naming no service concerns every service, so it
always matches.

Serves S10 (monitor and report: measurements, outages and maintenance windows
judged against each target, breaches, credits, events that demand immediate notice,
retention of monitoring data) on the terms of S07; ISO/IEC 20000-1:2011 6.1 (service
level management), 6.2 (service reporting), 6.3 (service continuity and availability
management), 6.6 (information security: incidents the customer hears of at once) and
4.3 (records kept for an agreed time).
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation.exact import nearest_amount, to_decimal
from cloudsms._foundation.instants import instant_problems
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.agreements import (
    CloudServiceAgreement,
    Judgement,
    Metric,
    OutageCause,
    Predicates,
    UptimeBasis,
    credit_due,
    judge,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.money import Money, currency
from cloudsms.monitoring._spans import (
    ZERO,
    Interval,
    common,
    inside,
    instant_at,
    merged,
    micros,
    minus,
    open_within,
    percent,
    since_epoch,
    span_of,
    total,
)
from cloudsms.monitoring.metrics import (
    ErrorBudget,
    availability_fraction,
    error_budget,
    percentile,
)
from cloudsms.monitoring.observations import (
    Event,
    EventKind,
    Measurement,
    Observations,
    Outage,
    SampleSeries,
)
from cloudsms.operations import (
    Incident,
    MaintenanceWindow,
    ServiceRequest,
    fulfilment_time,
    resolution_time,
    response_time,
)
from cloudsms.operations.clocks import in_force
from cloudsms.periods import Period, add_calendar, timezone
from cloudsms.units import Quantity, format_quantity, magnitude_in, quantity, same_dimension

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from dateutil.relativedelta import relativedelta

    from cloudsms.agreements import MeasurementPeriod, ServiceLevelAgreement, ServiceTarget

__all__ = [
    "EvidenceItem",
    "EvidenceKind",
    "ImmediateNotice",
    "ServiceLevelReport",
    "TargetResult",
    "evaluate",
    "expired_monitoring_data",
    "immediate_notices",
]

_SUBJECT = "Service level evaluation"
_UTC = dt.UTC


# ---------------------------------------------------------------------- results
class EvidenceKind(enum.StrEnum):
    """What an item of evidence is: the record or the span behind a figure (S10)."""

    OUTAGE = "outage"
    MAINTENANCE = "maintenance"
    SAMPLE_GAP = "sample_gap"
    MEASUREMENT = "measurement"
    SERIES = "series"
    INCIDENT = "incident"
    REQUEST = "request"
    EVENT = "event"


@attrs.frozen(kw_only=True)
class EvidenceItem:
    """One record or span behind a figure: whether it counted, and why (S10).

    ``kind`` says what it is; ``reference`` names it (an outage's or an incident's
    id, or a description where the record has none); ``start`` and ``end`` are its
    own span (a measurement's instant twice: a point); ``counted`` says whether it
    entered the figure, and ``reason`` why or why not, in words a customer reads
    ("announced 2 days ahead; the SLA requires 5 days: counted as downtime"). A
    result, built by `evaluate` and `expired_monitoring_data` only: it carries no
    checks.
    """

    kind: EvidenceKind
    reference: str
    start: dt.datetime
    end: dt.datetime
    counted: bool
    reason: str


@attrs.frozen(kw_only=True)
class TargetResult:
    """One target of one SLA judged for one service over the evaluated period (S10).

    ``sla_id``, ``target_id``, ``service_id`` and ``metric`` say what was judged;
    ``period`` the span evaluated, in the agreement's time zone (the requested period,
    cut to the agreement's term). ``achieved`` is the figure in the target's
    canonical unit (percent, seconds, bytes, ...), ``None`` when nothing was measured
    or the objective is qualitative; ``judgement`` the `Judgement` (``None``: not
    judged, as over any period but the target's whole measurement period);
    ``credit`` the credit due (zero when the target was met; ``None`` when no
    credit applies); ``coverage_gap`` the expected uptime no samples cover (zero for
    targets read from records); ``evidence`` every item behind the figure, in time
    order; ``note`` why there is no figure or no credit (``None`` when there is
    nothing to explain). ``error_budget`` is the `ErrorBudget` of an availability
    target over the evaluated period as of the report's ``as_of``, worked out from
    the very downtime, exclusions, sample gaps and service hours the figure used
    (``None`` for other metrics and where there is no expected uptime). A result,
    built by `evaluate` only: it carries no checks.
    """

    sla_id: str
    target_id: str
    service_id: str
    metric: Metric
    period: Period
    achieved: Quantity | None
    judgement: Judgement | None
    credit: Money | None
    coverage_gap: dt.timedelta
    evidence: tuple[EvidenceItem, ...]
    note: str | None
    error_budget: ErrorBudget | None = None

    @property
    def met(self) -> bool | None:
        """Whether the target was met (``None``: it was not judged)."""
        return None if self.judgement is None else self.judgement.met

    @property
    def breached(self) -> bool:
        """Whether the target was judged and missed."""
        return self.judgement is not None and not self.judgement.met

    @property
    def margin(self) -> Decimal | None:
        """How far the figure is on the good side of the threshold (negative: breached)."""
        return None if self.judgement is None else self.judgement.margin


@attrs.frozen(kw_only=True)
class ImmediateNotice:
    """An event the affected customers must hear of at once, and whom to tell (S10).

    ``event`` is the `cloudsms.monitoring.Event` (a security incident, the
    continuity plan invoked, ...); for a security incident recorded as an `Incident`
    it is an event built from it (its opening, services and summary) and
    ``incident_id`` names the incident; for an `Outage` whose cause is ``security``
    it is a ``security_incident`` event at the outage's start, on its services, with
    the outage's ``id``. ``customers`` are the ids of the customers to
    notify. A result of `immediate_notices` and `evaluate`: it carries no checks.
    """

    event: Event
    customers: frozenset[str]
    incident_id: str | None = None


@attrs.frozen(kw_only=True)
class ServiceLevelReport:
    """How one agreement did over one period: every target judged, with evidence (S10).

    ``agreement_id``, ``agreement_version`` (the version of the terms applied, those
    in force at the start of the evaluated period) and ``customer_id`` say whose
    report it is; ``period`` the period asked for and ``as_of`` the instant the
    records were read at. ``results`` holds one `TargetResult` per target, SLA and
    service, in the agreement's order (services by id); ``notices`` the events of the
    period the customer must hear of at once; ``expired`` the monitoring data older
    than the agreement's retention as of ``as_of`` (`expired_monitoring_data`);
    ``unmatched`` the observations of the evaluated period that name only services
    the agreement does not subscribe (outages, maintenance windows, measurements,
    series and events), each uncounted, its reason naming the unknown services, the
    agreement's services and any close match: a misspelt service id shows here
    instead of vanishing into a perfect figure. ``note`` is ``None`` for a period
    read to its end; read ``as_of`` an instant inside it, it says the period has not
    ended and the figures cover only its start up to ``as_of`` (nothing is judged).
    A result, built by `evaluate` only: it carries no checks, pickles, and compares
    by value.
    """

    agreement_id: str
    agreement_version: int
    customer_id: str
    period: Period
    as_of: dt.datetime
    results: tuple[TargetResult, ...]
    notices: tuple[ImmediateNotice, ...]
    expired: tuple[EvidenceItem, ...]
    unmatched: tuple[EvidenceItem, ...] = ()
    note: str | None = None

    @property
    def breaches(self) -> tuple[TargetResult, ...]:
        """The results judged and missed, in report order."""
        return tuple(r for r in self.results if r.breached)

    @property
    def credits(self) -> dict[str, Money]:
        """The credits due, added up per currency (a new dict, keyed by currency code).

        Only results with a credit take part; a met target with credit terms adds
        zero, so its currency appears with what the others add.
        """
        totals: dict[str, Money] = {}
        for result in self.results:
            credit = result.credit
            if credit is not None:
                held = totals.get(credit.currency)
                totals[credit.currency] = credit if held is None else held + credit
        return dict(sorted(totals.items()))

    def for_service(self, service_id: str) -> tuple[TargetResult, ...]:
        """The results for one service, in report order (empty for a service not judged)."""
        return tuple(r for r in self.results if r.service_id == service_id)


# ---------------------------------------------------------------------- words
def _spoken(length: dt.timedelta) -> str:
    """An exact length as a reader says it: ``2 days 4 h``, ``43 min 12 s``, ``0.25 s``."""
    micro = micros(length)
    sign, micro = ("-", -micro) if micro < 0 else ("", micro)
    days, rest = divmod(micro, 86_400_000_000)
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    if rest:
        parts.append(f"{Decimal(rest).scaleb(-6).normalize():f} s")
    return sign + (" ".join(parts) or "0 s")


_CALENDAR_WORDS = (
    ("years", "year"),
    ("months", "month"),
    ("days", "day"),
    ("hours", "h"),
    ("minutes", "min"),
    ("seconds", "s"),
)


def _count(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural unless it is one: '1 step', '3 steps'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _calendar_spoken(length: relativedelta) -> str:
    """A calendar length as a reader says it: ``5 days``, ``1 month 2 days``."""
    parts = []
    for field, word in _CALENDAR_WORDS:
        count = getattr(length, field)
        if count:
            plural = "s" if count != 1 and word in {"year", "month", "day"} else ""
            parts.append(f"{count} {word}{plural}")
    return " ".join(parts) or "no time"


def _threshold_text(target: ServiceTarget) -> str:
    level = target.level
    return "" if level is None else format_quantity(level.target)


# ---------------------------------------------------------------------- what one evaluation reads
@attrs.frozen(kw_only=True)
class _View:
    """One service's observations that touch the evaluated period, each kind in time order."""

    service_id: str
    outages: tuple[Outage, ...]
    windows: tuple[MaintenanceWindow, ...]
    measurements: tuple[Measurement, ...]
    series: tuple[SampleSeries, ...]
    incidents: tuple[Incident, ...]


class _Context:
    """What every target of one evaluation shares: the terms, the period, the readings."""

    __slots__ = (
        "agreement",
        "as_of",
        "bounds",
        "measurement_periods",
        "observations",
        "period",
        "predicates",
        "terms",
        "views",
        "whole",
        "zone",
    )

    def __init__(
        self,
        *,
        agreement: CloudServiceAgreement,
        terms: CloudServiceAgreement,
        observations: Observations,
        period: Period,
        as_of: dt.datetime,
        predicates: Predicates | None,
        zone: dt.tzinfo,
    ) -> None:
        self.agreement = agreement
        self.terms = terms
        self.observations = observations
        self.whole = period
        self.period = period
        if since_epoch(as_of) < since_epoch(period.end):
            self.period = Period(period.start, as_of.astimezone(zone))
        self.bounds = span_of(self.period)
        self.as_of = as_of
        self.predicates = predicates
        self.zone = zone
        self.views: dict[str, _View] = {}
        self.measurement_periods: dict[MeasurementPeriod, Period] = {}

    def view(self, service_id: str) -> _View:
        """The service's observations touching the period (built once per service)."""
        found = self.views.get(service_id)
        if found is None:
            found = self.views[service_id] = self._view(service_id)
        return found

    def _view(self, service_id: str) -> _View:
        low, high = self.bounds
        seen = self.observations

        def touches(item: Any) -> bool:  # noqa: ANN401 - anything with .start and .end
            start, end = span_of(item)
            return start < high and end > low

        return _View(
            service_id=service_id,
            outages=tuple(
                sorted(
                    (o for o in seen.outages if o.affects(service_id) and touches(o)),
                    key=span_of,
                )
            ),
            windows=tuple(
                sorted(
                    (w for w in seen.maintenance if service_id in w.services and touches(w)),
                    key=span_of,
                )
            ),
            measurements=tuple(
                sorted(
                    (
                        m
                        for m in seen.measurements
                        if m.service == service_id and low <= since_epoch(m.at) < high
                    ),
                    key=lambda m: since_epoch(m.at),
                )
            ),
            series=tuple(
                sorted(
                    (s for s in seen.series if s.service == service_id and touches(s.period)),
                    key=lambda s: since_epoch(s.start),
                )
            ),
            incidents=tuple(
                sorted(
                    (
                        i
                        for i in seen.incidents
                        if service_id in i.services and low <= since_epoch(i.opened_at) < high
                    ),
                    key=lambda i: (since_epoch(i.opened_at), i.id),
                )
            ),
        )


class _Figure:
    """What one metric's reading gives: a value in the canonical unit or a judgement."""

    __slots__ = ("budget", "coverage_gap", "evidence", "judgement", "note", "value")

    def __init__(
        self,
        evidence: list[EvidenceItem],
        *,
        value: Decimal | None = None,
        judgement: Judgement | None = None,
        coverage_gap: dt.timedelta = ZERO,
        note: str | None = None,
        budget: ErrorBudget | None = None,
    ) -> None:
        self.evidence = evidence
        self.value = value
        self.judgement = judgement
        self.coverage_gap = coverage_gap
        self.note = note
        self.budget = budget


def _item(
    kind: EvidenceKind,
    reference: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    counted: bool,
    reason: str,
) -> EvidenceItem:
    return EvidenceItem(
        kind=kind, reference=reference, start=start, end=end, counted=counted, reason=reason
    )


def _outage_reference(outage: Outage) -> str:
    if outage.id is not None:
        return outage.id
    return f"outage {outage.start.isoformat()}/{outage.end.isoformat()}"


def _window_reference(window: MaintenanceWindow) -> str:
    services = ",".join(sorted(window.services))
    return f"maintenance of {services} {window.start.isoformat()}/{window.end.isoformat()}"


def _measurement_reference(measurement: Measurement) -> str:
    return f"{measurement.metric} of {measurement.service} at {measurement.at.isoformat()}"


def _series_reference(series: SampleSeries) -> str:
    return f"{series.metric} series of {series.service} from {series.start.isoformat()}"


def _event_reference(event: Event) -> str:
    if event.id is not None:
        return event.id
    return f"{event.kind} at {event.at.isoformat()}"


_REFERENCES: Mapping[EvidenceKind, Callable[[Any], str]] = {
    EvidenceKind.OUTAGE: _outage_reference,
    EvidenceKind.MAINTENANCE: _window_reference,
    EvidenceKind.MEASUREMENT: _measurement_reference,
    EvidenceKind.SERIES: _series_reference,
    EvidenceKind.EVENT: _event_reference,
}


def _record_item(
    kind: EvidenceKind,
    record: Any,  # noqa: ANN401 - an outage, a window, a measurement or a series
    *,
    counted: bool,
    reason: str,
) -> EvidenceItem:
    """A monitoring record as evidence: its reference and its own span (a point, if measured)."""
    if kind in {EvidenceKind.MEASUREMENT, EvidenceKind.EVENT}:
        start = end = record.at
    else:
        start, end = record.start, record.end
    return _item(kind, _REFERENCES[kind](record), start, end, counted=counted, reason=reason)


def _gap_item(service_id: str, start: dt.datetime, end: dt.datetime, reason: str) -> EvidenceItem:
    """A span without samples of the service as evidence: never counted."""
    reference = f"no samples of {service_id} {start.isoformat()}/{end.isoformat()}"
    return _item(EvidenceKind.SAMPLE_GAP, reference, start, end, counted=False, reason=reason)


# ---------------------------------------------------------------------- maintenance windows
def _window_verdicts(
    ctx: _Context, target: ServiceTarget, windows: Iterable[MaintenanceWindow]
) -> Iterator[tuple[MaintenanceWindow, bool, str]]:
    """Each window, whether the target leaves it out, and how it was announced.

    The notice is calendar time in the agreement's zone: the announcement and the
    start are both read there (whatever offsets they were written with), so five
    days across a change of the clocks are five days of the agreement's calendar,
    119 or 121 hours; the reason states the notice given on that wall clock.
    """
    rules = target.exclusions
    for window in windows:
        announced = window.announced_at.astimezone(ctx.zone)
        starts = window.start.astimezone(ctx.zone)
        ahead = _spoken(starts.replace(tzinfo=None) - announced.replace(tzinfo=None))
        if rules.maintenance_notice is None:
            yield window, False, f"announced {ahead} ahead; the SLA excludes no maintenance"
            continue
        excluded = rules.excludes(
            OutageCause.MAINTENANCE, announced_at=announced, starts_at=starts
        )
        need = _calendar_spoken(rules.maintenance_notice)
        yield window, excluded, f"announced {ahead} ahead; the SLA requires {need}"


def _sample_rules(
    ctx: _Context, target: ServiceTarget, view: _View
) -> tuple[list[Interval], list[Interval], list[EvidenceItem]]:
    """Where samples count for ``target``: the allowed spans, the excluded windows, evidence.

    Samples count inside the period, inside the support hours for a ``service hours``
    target, and outside the maintenance windows the target excludes.
    """
    excluded: list[Interval] = []
    evidence: list[EvidenceItem] = []
    for window, left_out, text in _window_verdicts(ctx, target, view.windows):
        if left_out:
            excluded.append(span_of(window))
            evidence.append(
                _record_item(
                    EvidenceKind.MAINTENANCE,
                    window,
                    counted=False,
                    reason=f"{text}: samples inside it left out",
                )
            )
    allowed = [ctx.bounds]
    if target.uptime is UptimeBasis.SERVICE_HOURS:
        allowed = open_within(ctx.terms.support_hours, ctx.period)
    cuts = merged(excluded)
    return minus(allowed, cuts), cuts, evidence


def _left_out_because(
    allowed: list[Interval], excluded: list[Interval], point: dt.timedelta
) -> str | None:
    """Why a sample at ``point`` does not count (``None``: it counts)."""
    if inside(allowed, point):
        return None
    if inside(excluded, point):
        return "inside a maintenance window the target excludes: left out"
    return "outside the service hours: left out"


# ---------------------------------------------------------------------- availability
class _Claim:
    """A counted item of availability evidence: its place, its downtime spans, its words."""

    __slots__ = ("index", "kind", "lead", "length", "spans", "within")

    def __init__(
        self,
        index: int,
        kind: EvidenceKind,
        spans: list[Interval],
        lead: str,
        *,
        length: dt.timedelta,
        within: dt.timedelta,
    ) -> None:
        self.index = index  # where its item is in the evidence
        self.kind = kind
        self.spans = spans  # its downtime, in order and merged
        self.lead = lead  # the reason's words before "counted as downtime"
        self.length = length  # all the time it names
        self.within = within  # the part of it in the evaluated period


_CLAIMANTS = {
    EvidenceKind.OUTAGE: ("outage", "outages"),
    EvidenceKind.MAINTENANCE: ("maintenance window", "maintenance windows"),
    EvidenceKind.SERIES: ("series", "series"),
}


def _availability(ctx: _Context, target: ServiceTarget, view: _View) -> _Figure:
    """Uptime over expected uptime (the module docs give the rule and its letters)."""
    hours = ctx.terms.support_hours if target.uptime is UptimeBasis.SERVICE_HOURS else None
    evidence: list[EvidenceItem] = []
    claims: list[_Claim] = []
    down: list[Any] = []
    for outage in view.outages:
        left_out = target.exclusions.excludes(outage.cause)
        if left_out:
            reason = f"{outage.cause} outage: the target excludes this cause"
        else:
            down.append(outage)
            reason = f"{outage.cause} outage"
            claims.append(_span_claim(ctx, len(evidence), EvidenceKind.OUTAGE, outage, reason))
        evidence.append(
            _record_item(EvidenceKind.OUTAGE, outage, counted=not left_out, reason=reason)
        )
    excluded: list[Period] = []
    for window, left_out, text in _window_verdicts(ctx, target, view.windows):
        if left_out:
            excluded.append(window.period)
            reason = f"{text}: left out of expected uptime and downtime"
        else:
            down.append(window)
            reason = text
            claims.append(_span_claim(ctx, len(evidence), EvidenceKind.MAINTENANCE, window, text))
        evidence.append(
            _record_item(EvidenceKind.MAINTENANCE, window, counted=not left_out, reason=reason)
        )
    gaps, known = _up_down_series(ctx, view, down, evidence, claims)
    covered = [*(span_of(d) for d in down), *known]
    left = minus(merged(gaps), merged(covered))
    expected = [ctx.bounds] if hours is None else open_within(hours, ctx.period)
    if excluded:
        expected = minus(expected, merged(span_of(e) for e in excluded))
    missing = common(left, expected)
    for start, end in missing:
        first, last = instant_at(start, ctx.zone), instant_at(end, ctx.zone)
        reason = f"no samples for {_spoken(end - start)}: left out of expected uptime and downtime"
        evidence.append(_gap_item(view.service_id, first, last, reason))
    _count_downtime(evidence, claims, minus(expected, left), hours=hours is not None)
    gap_periods = [Period(instant_at(s, _UTC), instant_at(e, _UTC)) for s, e in left]
    fraction = availability_fraction(
        down, ctx.period, exclusions=[*excluded, *gap_periods], service_hours=hours
    )
    coverage = total(missing)
    if fraction is None:
        basis = "the service hours in the period" if hours is not None else "the period"
        note = f"no expected uptime: all of {basis} is left out (excluded windows, sample gaps)"
        return _Figure(evidence, coverage_gap=coverage, note=note)
    value = percent(fraction.numerator, fraction.denominator)
    budget = error_budget(
        target,
        down,
        ctx.whole,
        ctx.as_of,
        exclusions=[*excluded, *gap_periods],
        service_hours=hours,
    )
    return _Figure(evidence, value=value, coverage_gap=coverage, budget=budget)


def _span_claim(
    ctx: _Context,
    index: int,
    kind: EvidenceKind,
    item: Any,  # noqa: ANN401 - an outage or a window
    lead: str,
) -> _Claim:
    """An outage or a window counted as downtime, over its whole span."""
    start, end = span = span_of(item)
    return _Claim(index, kind, [span], lead, length=end - start, within=_clipped(ctx, item))


def _count_downtime(
    evidence: list[EvidenceItem], claims: list[_Claim], windows: list[Interval], *, hours: bool
) -> None:
    """Say in each counted item's reason the downtime it adds to what earlier items counted.

    The items are taken in the evidence's order (by start); each adds the part of its
    spans inside ``windows`` (the expected uptime less everything left out) that no
    earlier one covered, so the counted items' additions sum to the downtime exactly.
    The reason also says how much was counted already, and by what, and how much of
    the item lies outside the expected uptime.
    """
    covered = _Covered()

    def key(claim: _Claim) -> tuple[Any, ...]:
        item = evidence[claim.index]
        return since_epoch(item.start), since_epoch(item.end), item.kind, item.reference

    where = (
        "outside the service hours or inside excluded windows"
        if hours
        else ("inside excluded windows")
    )
    for claim in sorted(claims, key=key):
        own = common(claim.spans, windows)
        fresh = covered.fresh(own)
        added = total(fresh)
        counted = total(own)
        parts = []
        if counted > added:
            parts.append(f"{_spoken(counted - added)} already counted by {covered.owners(own)}")
        if claim.within > counted:
            parts.append(f"{_spoken(claim.within - counted)} {where}")
        if claim.length > claim.within:
            parts.append(f"{_spoken(claim.length - claim.within)} outside the period")
        detail = f" ({'; '.join(parts)})" if parts else ""
        was = evidence[claim.index]
        evidence[claim.index] = _item(
            was.kind,
            was.reference,
            was.start,
            was.end,
            counted=True,
            reason=f"{claim.lead}: counted as downtime: {_spoken(added)}{detail}",
        )
        covered.add(fresh, claim.index, claim.kind)


class _Covered:
    """The downtime counted so far: disjoint spans in order, each with the item it came from."""

    __slots__ = ("ends", "items", "kinds", "starts")

    def __init__(self) -> None:
        self.starts: list[dt.timedelta] = []
        self.ends: list[dt.timedelta] = []
        self.items: list[int] = []
        self.kinds: list[EvidenceKind] = []

    def _around(self, spans: list[Interval]) -> tuple[int, int]:
        """The index range of the covered spans that may meet ``spans`` (in order)."""
        first = bisect.bisect_right(self.ends, spans[0][0])
        last = bisect.bisect_left(self.starts, spans[-1][1], lo=first)
        return first, last

    def fresh(self, spans: list[Interval]) -> list[Interval]:
        """The part of ``spans`` (in order and merged) not covered yet."""
        if not spans or not self.starts:
            return spans
        first, last = self._around(spans)
        return minus(spans, list(zip(self.starts[first:last], self.ends[first:last], strict=True)))

    def add(self, spans: list[Interval], item: int, kind: EvidenceKind) -> None:
        """Cover ``spans`` (in order, not covered yet) for ``item``."""
        for start, end in spans:
            at = bisect.bisect_left(self.starts, start)
            self.starts.insert(at, start)
            self.ends.insert(at, end)
            self.items.insert(at, item)
            self.kinds.insert(at, kind)

    def owners(self, spans: list[Interval]) -> str:
        """The earlier items that covered some of ``spans``: "an earlier outage", ..."""
        met: dict[int, EvidenceKind] = {}
        for start, end in spans:
            k = bisect.bisect_right(self.ends, start)
            while k < len(self.starts) and self.starts[k] < end:
                met[self.items[k]] = self.kinds[k]
                k += 1
        kinds = sorted(set(met.values()))
        count = len(met)
        if count == 1:
            return f"an earlier {_CLAIMANTS[kinds[0]][0]}"
        if len(kinds) == 1:
            return f"{count} earlier {_CLAIMANTS[kinds[0]][1]}"
        return f"{count} earlier items ({', '.join(_CLAIMANTS[k][1] for k in kinds)})"


def _part(ctx: _Context, period: Period) -> Period:
    """The part of ``period`` in the evaluated period (the views hold only what touches it)."""
    low, high = ctx.bounds
    start, end = span_of(period)
    return Period(instant_at(max(start, low), ctx.zone), instant_at(min(end, high), ctx.zone))


def _clipped(ctx: _Context, item: Any) -> dt.timedelta:  # noqa: ANN401 - .start and .end
    """The part of ``item`` inside the evaluated period."""
    low, high = ctx.bounds
    start, end = span_of(item)
    return max(min(end, high) - max(start, low), ZERO)


def _up_down_series(
    ctx: _Context,
    view: _View,
    down: list[Any],
    evidence: list[EvidenceItem],
    claims: list[_Claim],
) -> tuple[list[Interval], list[Interval]]:
    """Read the service's up/down series: their gaps and known spans.

    Each series' down spans go into ``down`` and, as one claim, into ``claims``.
    """
    gaps: list[Interval] = []
    known: list[Interval] = []
    for series in view.series:
        if series.metric is not Metric.AVAILABILITY:
            continue
        span = _part(ctx, series.period)
        counts = series.counts(span)
        lows = series.down_spans(span)
        down.extend(lows)
        missing = merged(span_of(m) for m in series.missing_spans(span))
        gaps.extend(missing)
        known.extend(minus([span_of(span)], missing))
        lead = (
            f"{_count(counts.up, 'step')} up, {counts.down} down, "
            f"{counts.missing} missing in the period"
        )
        lost = counts.down * series.step
        spans = merged(span_of(low) for low in lows)
        claims.append(
            _Claim(len(evidence), EvidenceKind.SERIES, spans, lead, length=lost, within=lost)
        )
        evidence.append(_record_item(EvidenceKind.SERIES, series, counted=True, reason=lead))
    return gaps, known


# ---------------------------------------------------------------------- measured figures
def _counted_measurements(
    ctx: _Context, target: ServiceTarget, view: _View, unit: str
) -> tuple[list[Interval], list[tuple[Decimal, int]], list[EvidenceItem]]:
    """The measurements of the target's metric that count, in ``unit``, with their evidence.

    Every measurement of the metric is an item of the evidence, counted or left out
    and why: of another dimension than ``unit``, outside the spans `_sample_rules`
    allows. Returned: the allowed spans, each counted value with the index of its
    item in the evidence, and the evidence (the excluded windows first).
    """
    allowed, excluded, evidence = _sample_rules(ctx, target, view)
    counted: list[tuple[Decimal, int]] = []
    for measurement in view.measurements:
        if measurement.metric is not target.metric:
            continue
        why: str | None
        if not same_dimension(measurement.value, unit):
            why = f"not a figure in {unit}: left out"
        else:
            why = _left_out_because(allowed, excluded, since_epoch(measurement.at))
        if why is None:
            counted.append((magnitude_in(measurement.value, unit), len(evidence)))
        evidence.append(
            _record_item(
                EvidenceKind.MEASUREMENT,
                measurement,
                counted=why is None,
                reason=why or f"{format_quantity(measurement.value)} counted",
            )
        )
    return allowed, counted, evidence


def _response_time(ctx: _Context, target: ServiceTarget, view: _View) -> _Figure:
    """The nearest-rank percentile of the response times that count, in seconds."""
    allowed, counted, evidence = _counted_measurements(ctx, target, view, "millisecond")
    exact = [value for value, _ in counted]
    sampled, coverage = _latency_samples(ctx, view, allowed, evidence)
    if not exact and not sampled:
        note = "no response-time samples count in the period"
        return _Figure(evidence, coverage_gap=coverage, note=note)
    values: Sequence[Any] = sampled if not exact else [*sampled, *exact]
    share = target.percentile
    assert share is not None  # noqa: S101 - a response-time target states its percentile
    ranked = percentile(values, share)
    milliseconds = ranked if isinstance(ranked, Decimal) else Decimal(str(ranked))
    value = to_decimal(Fraction(milliseconds) / 1000)
    return _Figure(evidence, value=value, coverage_gap=coverage)


def _latency_samples(
    ctx: _Context, view: _View, allowed: list[Interval], evidence: list[EvidenceItem]
) -> tuple[Any, dt.timedelta]:
    """The latency series' samples that count (ms), and the time missing samples leave open.

    A missing sample (NaN) in an allowed span is never counted: its step is a
    ``sample_gap`` of the evidence and its time part of the coverage gap.
    """
    from array import array  # noqa: PLC0415 - only latency series need it

    taken = array("d")
    gaps: list[Interval] = []
    missing = ZERO
    for series in view.series:
        if series.metric is not Metric.RESPONSE_TIME:
            continue
        span = _part(ctx, series.period)
        before, lost = len(taken), missing
        for low, high in common(allowed, [span_of(span)]):
            piece = Period(instant_at(low, _UTC), instant_at(high, _UTC))
            taken.extend(series.latencies(piece))
            gaps.extend(span_of(gap) for gap in series.missing_spans(piece))
            missing += series.missing_time(piece)
        counted = len(taken) - before
        present = len(series.latencies(span))
        evidence.append(
            _record_item(
                EvidenceKind.SERIES,
                series,
                counted=counted > 0,
                reason=(
                    f"{_count(counted, 'sample')} counted, "
                    f"{(missing - lost) // series.step} missing; "
                    f"{present - counted} outside the service hours or inside excluded "
                    "windows left out"
                ),
            )
        )
    for start, end in merged(gaps):
        first, last = instant_at(start, ctx.zone), instant_at(end, ctx.zone)
        evidence.append(_gap_item(view.service_id, first, last, "no samples: nothing to count"))
    return taken, missing


def _worst_measurement(ctx: _Context, target: ServiceTarget, view: _View) -> _Figure:
    """The worst measurement in the period: the smallest for at-least targets, else the largest."""
    _, counted, evidence = _counted_measurements(ctx, target, view, target.unit)
    if not counted:
        return _Figure(evidence, note=f"no {target.metric} measurements count in the period")
    pick = min if target.sign > 0 else max
    value, where = pick(counted, key=lambda pair: pair[0])
    evidence[where] = attrs.evolve(
        evidence[where], reason=evidence[where].reason + ": the worst measurement in the period"
    )
    return _Figure(evidence, value=value)


# ---------------------------------------------------------------------- records on the clocks
def _seconds(length: dt.timedelta) -> Decimal:
    return to_decimal(Fraction(micros(length), 1_000_000))


def _incident_time(ctx: _Context, target: ServiceTarget, view: _View) -> _Figure:
    """The longest response or resolution time of the priority's incidents opened in the period."""
    responding = target.metric is Metric.INCIDENT_RESPONSE_TIME
    chosen = [
        i
        for i in view.incidents
        if i.agreement_id == ctx.agreement.id and i.priority == target.priority
    ]
    if not chosen:
        return _Figure([], note=f"no incidents of priority {target.priority} in the period")
    what = "response" if responding else "resolution"
    return _timed(
        ctx,
        target,
        [_incident_clock(ctx, i, responding=responding) for i in chosen],
        what=f"{what} time",
        clock=" on the support hours",
        none=f"no incident of priority {target.priority} in the period has a {what} time",
    )


def _fulfilment_time(ctx: _Context, target: ServiceTarget, _: _View) -> _Figure:
    """The longest fulfilment time of the requests under the agreement made in the period."""
    low, high = ctx.bounds
    chosen = sorted(
        (
            r
            for r in ctx.observations.requests
            if r.agreement_id == ctx.agreement.id and low <= since_epoch(r.requested_at) < high
        ),
        key=lambda r: (since_epoch(r.requested_at), r.id),
    )
    if not chosen:
        return _Figure([], note="no service requests in the period")
    return _timed(
        ctx,
        target,
        [_request_clock(ctx, r) for r in chosen],
        what="fulfilment time",
        clock="",
        none="no service request in the period has a fulfilment time",
    )


@attrs.frozen(kw_only=True)
class _Timed:
    """A record on one of the agreement's clocks, as `_timed` reads it."""

    kind: EvidenceKind
    id: str
    start: dt.datetime
    stopped: dt.datetime | None
    cause: OutageCause | None
    measure: Callable[..., dt.timedelta | None]


def _incident_clock(ctx: _Context, incident: Incident, *, responding: bool) -> _Timed:
    """An incident on its response clock (``responding``) or its resolution clock."""
    return _Timed(
        kind=EvidenceKind.INCIDENT,
        id=incident.id,
        start=incident.opened_at,
        stopped=incident.acknowledged_at if responding else incident.resolved_at,
        cause=incident.cause,
        measure=partial(response_time if responding else resolution_time, incident, ctx.agreement),
    )


def _request_clock(ctx: _Context, request: ServiceRequest) -> _Timed:
    """A service request on its fulfilment clock."""
    return _Timed(
        kind=EvidenceKind.REQUEST,
        id=request.id,
        start=request.requested_at,
        stopped=request.fulfilled_at,
        cause=None,
        measure=partial(fulfilment_time, request, ctx.agreement),
    )


def _timed(
    ctx: _Context,
    target: ServiceTarget,
    records: list[_Timed],
    *,
    what: str,
    clock: str,
    none: str,
) -> _Figure:
    """The longest time of ``records``, each record in the evidence with its figure."""
    as_of = ctx.as_of
    limit = since_epoch(as_of)
    evidence: list[EvidenceItem] = []
    longest: dt.timedelta | None = None
    for record in records:
        reason: str
        end = record.start
        counted = False
        # Every record began before as_of: the period read ends at as_of at the latest.
        if record.cause is not None and record.cause in target.exclusions.causes:
            reason = f"{record.cause} cause: the target excludes it"
        else:
            measured = record.measure(as_of=as_of)
            final = record.stopped is not None and since_epoch(record.stopped) <= limit
            if measured is None:
                reason = f"no {what} to measure as of {as_of.isoformat()}"
            else:
                counted = True
                end = record.stopped if final and record.stopped is not None else as_of
                running = "" if final else f", still running at {as_of.isoformat()}"
                reason = (
                    f"{what} {_spoken(measured)}{clock}{running}; "
                    f"the target is {_threshold_text(target)}"
                )
                longest = measured if longest is None else max(longest, measured)
        evidence.append(
            _item(record.kind, record.id, record.start, end, counted=counted, reason=reason)
        )
    if longest is None:
        return _Figure(evidence, note=none)
    return _Figure(evidence, value=_seconds(longest))


# ---------------------------------------------------------------------- qualitative objectives
def _qualitative(ctx: _Context, target: ServiceTarget, view: _View) -> _Figure:
    """The caller's predicate over the service's observations (no predicate: not judged)."""
    name = target.predicate
    if ctx.predicates is None:
        return _Figure([], note="not judged: no predicates were given for qualitative objectives")
    if name not in ctx.predicates.names():
        return _Figure([], note=f"not judged: no predicate {name!r} among those given")
    evidence = ctx.observations.for_service(view.service_id)
    return _Figure([], judgement=judge(target, evidence, predicates=ctx.predicates))


_READINGS: Mapping[Metric, Callable[[_Context, ServiceTarget, _View], _Figure]] = {
    Metric.AVAILABILITY: _availability,
    Metric.RESPONSE_TIME: _response_time,
    Metric.INCIDENT_RESPONSE_TIME: _incident_time,
    Metric.INCIDENT_RESOLUTION_TIME: _incident_time,
    Metric.REQUEST_FULFILMENT_TIME: _fulfilment_time,
    Metric.THROUGHPUT: _worst_measurement,
    Metric.RECOVERY_POINT_OBJECTIVE: _worst_measurement,
    Metric.RECOVERY_TIME_OBJECTIVE: _worst_measurement,
    Metric.CAPACITY: _worst_measurement,
    Metric.QUALITATIVE: _qualitative,
}
"""How each metric is read from the observations (the module docs give each rule)."""


# ---------------------------------------------------------------------- credits
def _period_charge(length: relativedelta, amount: Money, period: Period) -> Money | None:
    """The charge for ``period``: ``amount`` (due every ``length``) scaled by calendar length.

    A charge every ``k`` months is scaled by ``period.calendar_count("month") / k`` and
    one every ``k`` days by ``period.calendar_count("day") / k`` (in the period's zone);
    a length mixing months and days, or holding hours, has no such ratio (``None``).
    The product is exact when it fits an amount, else the nearest amount.
    """
    months = length.years * 12 + length.months
    days = length.days
    if length.hours or length.minutes or length.seconds or length.microseconds:
        return None
    if months and not days:
        ratio = period.calendar_count("month") / months
    elif days and not months:
        ratio = period.calendar_count("day") / days
    else:
        return None
    return Money(nearest_amount(Fraction(amount.amount) * ratio), amount.currency)


def _credit(
    ctx: _Context,
    target: ServiceTarget,
    service_id: str,
    judgement: Judgement | None,
    value: Decimal | None,
) -> tuple[Money | None, str | None]:
    """The credit due for a judged target, or ``None`` and why none applies."""
    if judgement is None or value is None:
        return None, None  # the figure's note already says why
    if target.credits is None:
        return None, "no credit: the target has no credit terms"
    charge, why = _charge_to_credit(ctx, target, service_id)
    if charge is None:
        return None, why
    return credit_due(ctx.terms, target, value, charge), None


def _not_judged_here(ctx: _Context, target: ServiceTarget) -> str | None:
    """Why the target is not judged over the evaluated period (``None``: it is).

    A target is judged over its whole measurement period only, once it has ended: the
    calendar month, quarter or year in the agreement's zone that holds the period's
    start must be the evaluated period itself, and ``as_of`` at or after its end.
    """
    if ctx.period is not ctx.whole:
        return f"not judged: {_unfinished(ctx)}"
    whole = ctx.measurement_periods.get(target.period)
    if whole is None:
        whole = ctx.measurement_periods[target.period] = target.period.containing(
            ctx.period.start, ctx.zone
        )
    if span_of(whole) != ctx.bounds:
        return (
            f"not judged: the target is judged over its whole {target.period} {whole}; "
            f"this figure covers only {ctx.period}"
        )
    return None


def _charge_to_credit(
    ctx: _Context, target: ServiceTarget, service_id: str
) -> tuple[Money | None, str | None]:
    """The service's charge for the evaluated period, or ``None`` and why there is none."""
    charge = ctx.terms.recurring_charge_for(service_id)
    if charge is None:
        return None, f"no credit: the agreement has no recurring charge for {service_id}"
    code = charge.amount.currency
    cap = None if target.credits is None else target.credits.cap_amount
    if cap is not None and cap.currency != code:
        return None, (
            f"no credit: the cap is in {cap.currency} and the charge for {service_id} in {code}"
        )
    if currency(code).minor_unit is None:
        return None, f"no credit: {code} has no minor unit to round a credit to"
    amount = _period_charge(charge.period, charge.amount, ctx.period)
    if amount is None:
        return None, (
            f"no credit: a charge every {_calendar_spoken(charge.period)} "
            "does not scale to calendar months or days"
        )
    return amount, None


def _result(
    ctx: _Context, sla: ServiceLevelAgreement, target: ServiceTarget, service_id: str
) -> TargetResult:
    figure = _READINGS[target.metric](ctx, target, ctx.view(service_id))
    judgement = figure.judgement
    achieved: Quantity | None = None
    if figure.value is not None:
        achieved = quantity(figure.value, target.unit)
        judgement = judge(target, figure.value)
    unjudged = _not_judged_here(ctx, target)
    if unjudged is not None:
        judgement = None
        figure.note = unjudged if figure.note is None else f"{figure.note}; {unjudged}"
    credit, why = _credit(ctx, target, service_id, judgement, figure.value)
    evidence = sorted(
        figure.evidence,
        key=lambda e: (since_epoch(e.start), since_epoch(e.end), e.kind, e.reference),
    )
    return TargetResult(
        sla_id=sla.id,
        target_id=target.id,
        service_id=service_id,
        metric=target.metric,
        period=ctx.period,
        achieved=achieved,
        judgement=judgement,
        credit=credit,
        coverage_gap=figure.coverage_gap,
        evidence=tuple(evidence),
        note=figure.note or why,
        error_budget=figure.budget,
    )


# ---------------------------------------------------------------------- unmatched
def _close_to(name: str, known: Sequence[str]) -> tuple[str, ...]:
    """The agreement's services a reader may have meant by ``name``, closest first.

    A known id holding ``name`` or held in it (``crm`` for ``crm-service``) comes
    first, then the close spellings `suggest` finds.
    """
    folded = name.casefold()
    near = [k for k in known if folded in k.casefold() or k.casefold() in folded]
    near += [k for k in suggest(name, known, cutoff=0.6) if k not in near]
    return tuple(near[:3])


def _unknown_services(named: frozenset[str], known: Sequence[str]) -> str:
    """Why an observation naming only ``named`` matches none of the ``known`` services."""
    unknown = sorted(named)
    hints = [hint for name in unknown for hint in _close_to(name, known)]
    meant = list(dict.fromkeys(hints))
    said = ", ".join(unknown)
    what = "is not a service" if len(unknown) == 1 else "are not services"
    text = f"not counted: {said} {what} of the agreement ({', '.join(known) or 'none'})"
    return text + (f"; did you mean {' or '.join(meant)}?" if meant else "")


def _unmatched(ctx: _Context) -> tuple[EvidenceItem, ...]:
    """The period's observations that name only services the agreement does not subscribe."""
    services = ctx.terms.service_ids
    known = sorted(services)
    low, high = ctx.bounds
    seen = ctx.observations

    def foreign(named: frozenset[str]) -> bool:
        return bool(named) and not named & services

    def touches(item: Any) -> bool:  # noqa: ANN401 - anything with .start and .end
        start, end = span_of(item)
        return start < high and end > low

    def at_in(instant: dt.datetime) -> bool:
        return low <= since_epoch(instant) < high

    found: list[EvidenceItem] = []
    for kind, records, named, within in (
        (EvidenceKind.OUTAGE, seen.outages, lambda o: o.services, touches),
        (EvidenceKind.MAINTENANCE, seen.maintenance, lambda w: w.services, touches),
        (
            EvidenceKind.MEASUREMENT,
            seen.measurements,
            lambda m: frozenset({m.service}),
            lambda m: at_in(m.at),
        ),
        (
            EvidenceKind.SERIES,
            seen.series,
            lambda s: frozenset({s.service}),
            lambda s: touches(s.period),
        ),
        (EvidenceKind.EVENT, seen.events, lambda e: e.services, lambda e: at_in(e.at)),
    ):
        for record in records:
            names = named(record)
            if foreign(names) and within(record):
                reason = _unknown_services(names, known)
                found.append(_record_item(kind, record, counted=False, reason=reason))
    found.sort(key=lambda e: (since_epoch(e.start), since_epoch(e.end), e.kind, e.reference))
    return tuple(found)


def _unfinished(ctx: _Context) -> str:
    """What an evaluation read before its period ended covers."""
    return (
        f"the period {ctx.whole} has not ended as of {ctx.as_of.isoformat()}; "
        f"the figures cover only {ctx.period}"
    )


# ---------------------------------------------------------------------- evaluate
def _evaluated_period(agreement: CloudServiceAgreement, period: Period, zone: dt.tzinfo) -> Period:
    """``period`` cut to the agreement's term, written in the agreement's zone."""
    start = max(period.start, agreement.effective_from, key=since_epoch)
    end = period.end if agreement.end is None else min(period.end, agreement.end, key=since_epoch)
    if since_epoch(start) >= since_epoch(end):
        term = f"from {agreement.effective_from.isoformat()}"
        if agreement.end is not None:
            term += f" until {agreement.end.isoformat()}"
        raise ValidationError.single(
            "$.period",
            f"a period overlapping the agreement's term ({term})",
            str(period),
            subject=_SUBJECT,
        )
    return Period(start.astimezone(zone), end.astimezone(zone))


def evaluate(
    agreement: CloudServiceAgreement,
    observations: Observations,
    period: Period,
    *,
    as_of: dt.datetime | None = None,
    predicates: Predicates | None = None,
) -> ServiceLevelReport:
    """Judge every target of ``agreement`` over ``period`` from ``observations`` (S10).

    The evaluated period is ``period`` cut to the agreement's term (from
    ``effective_from``, up to ``end`` when it has one) and written in the
    agreement's time zone; it is every result's ``period``, unless ``as_of`` falls
    before its end (below). The terms applied are
    those in force at its start (`cloudsms.operations.clocks.in_force`): an amendment
    counts from the first period that starts at or after it takes effect, and a
    period already under way keeps the terms it began with. For every SLA, every
    target and every service the SLA covers (in the agreement's order, services by
    id) the report holds one `TargetResult`, read and judged as the module docs say,
    metric by metric; a target is judged and credited only when the evaluated period
    is its whole measurement period (its calendar month, quarter or year), else its
    result holds the figure with a note instead. ``predicates`` judges the
    qualitative objectives. ``notices`` holds the events of the evaluated period that
    the customer must hear of at once (`immediate_notices`); ``unmatched`` the
    observations of it that name no service of the agreement.

    ``as_of`` (default: the end of ``period``) is when the records are read, after
    the evaluated period's start: incident and request clocks stop there, each
    error budget is worked out as of then, and the monitoring data past the
    retention at ``as_of`` is listed in ``expired``. At or after the evaluated
    period's end the whole period is read. Before it, the period is still under way:
    only ``[start, as_of)`` is read (the results' ``period``), observations starting
    at or after ``as_of`` are not yet known, spans running past it count up to it,
    nothing is judged or credited (each result's note says the period has not ended),
    and the report's ``note`` says so; the error budgets still cover the whole period.

    `evaluate` is pure: the same arguments give an equal report, it reads no clock
    and changes nothing, and the report pickles.

    Raises:
        ValidationError: ``agreement`` is not a `CloudServiceAgreement`
            (``$.agreement``), ``observations`` not `Observations`
            (``$.observations``), ``period`` not a `Period` or outside the agreement's
            term (``$.period``), ``as_of`` not an aware instant after the evaluated
            period's start (``$.as_of``), ``predicates`` not a `Predicates` registry
            (``$.predicates``).

    Examples:
        >>> from cloudsms.monitoring import Observations
        >>> from cloudsms.periods import Period
        >>> evaluate("csa-1", Observations(), Period.month(2026, 10, "UTC"))
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Service level evaluation is invalid (1 problem):
          - expected a CloudServiceAgreement, got 'csa-1' (string) @ $.agreement
    """
    problems = instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    problems += instance_problems(observations, Observations, "$.observations")
    problems += instance_problems(period, Period, "$.period")
    if as_of is not None:
        problems += instant_problems(as_of, "$.as_of")
    problems += instance_problems(predicates, Predicates, "$.predicates", optional=True)
    raise_problems(problems, _SUBJECT)
    zone = timezone(agreement.timezone)
    evaluated = _evaluated_period(agreement, period, zone)
    reading = period.end if as_of is None else as_of
    if since_epoch(reading) <= since_epoch(evaluated.start):
        raise ValidationError.single(
            "$.as_of",
            f"an instant after the start of the evaluated period ({evaluated.start.isoformat()})",
            reading.isoformat(),
            subject=_SUBJECT,
        )
    terms = in_force(agreement, evaluated.start)
    ctx = _Context(
        agreement=agreement,
        terms=terms,
        observations=observations,
        period=evaluated,
        as_of=reading,
        predicates=predicates,
        zone=zone,
    )
    results = tuple(
        _result(ctx, sla, target, service_id)
        for sla, target in terms.targets()
        for service_id in sorted(sla.service_ids)
    )
    notices = tuple(
        notice
        for notice in _notices(observations, (agreement,), ctx.period)
        if terms.customer_id in notice.customers
    )
    return ServiceLevelReport(
        agreement_id=terms.id,
        agreement_version=terms.version,
        customer_id=terms.customer_id,
        period=period,
        as_of=reading,
        results=results,
        notices=notices,
        expired=_expired(observations, terms, reading),
        unmatched=_unmatched(ctx),
        note=None if ctx.period is ctx.whole else f"not final: {_unfinished(ctx)}",
    )


# ---------------------------------------------------------------------- notices
def _in_term(agreement: CloudServiceAgreement, at: dt.timedelta) -> bool:
    if at < since_epoch(agreement.effective_from):
        return False
    return agreement.end is None or at < since_epoch(agreement.end)


def _customers(
    agreements: Sequence[CloudServiceAgreement], at: dt.datetime, services: frozenset[str]
) -> frozenset[str]:
    moment = since_epoch(at)
    return frozenset(
        a.customer_id
        for a in agreements
        if _in_term(a, moment) and (not services or services & a.service_ids)
    )


def _security_summary(outage: Outage) -> str:
    """What a notice of an outage caused by a security incident says happened."""
    services = ", ".join(sorted(outage.services)) or "every service"
    return (
        f"Outage caused by a security incident: {services} down from "
        f"{outage.start.isoformat()} to {outage.end.isoformat()}"
    )


def _notices(
    observations: Observations,
    agreements: Sequence[CloudServiceAgreement],
    period: Period | None,
) -> tuple[ImmediateNotice, ...]:
    low, high = (None, None) if period is None else span_of(period)

    def within(at: dt.datetime) -> bool:
        return low is None or high is None or low <= since_epoch(at) < high

    found: list[ImmediateNotice] = []
    for event in observations.events:
        if event.kind.immediate and within(event.at):
            customers = _customers(agreements, event.at, event.services)
            found.append(ImmediateNotice(event=event, customers=customers))
    for incident in observations.incidents:
        if incident.cause is OutageCause.SECURITY and within(incident.opened_at):
            event = Event(
                at=incident.opened_at,
                kind=EventKind.SECURITY_INCIDENT,
                services=incident.services,
                summary=incident.summary,
            )
            customers = _customers(agreements, event.at, incident.services) | incident.customers
            found.append(
                ImmediateNotice(event=event, customers=customers, incident_id=incident.id)
            )
    for outage in observations.outages:
        if outage.cause is OutageCause.SECURITY and within(outage.start):
            event = Event(
                at=outage.start,
                kind=EventKind.SECURITY_INCIDENT,
                services=outage.services,
                summary=_security_summary(outage),
                id=outage.id,
            )
            customers = _customers(agreements, event.at, outage.services)
            found.append(ImmediateNotice(event=event, customers=customers))
    found.sort(key=lambda n: (since_epoch(n.event.at), n.incident_id or "", n.event.summary))
    return tuple(found)


def immediate_notices(
    observations: Observations, agreements: Iterable[CloudServiceAgreement]
) -> tuple[ImmediateNotice, ...]:
    """The events that demand immediate notice, each with the customers to notify (S10).

    An event counts when its kind demands immediate notice to the affected customers
    (`cloudsms.monitoring.EventKind`: a security incident, the continuity plan
    invoked); so does every `Incident` whose cause is ``security`` (its notice names
    the incident), and every `Outage` whose cause is ``security``: a security
    incident that took services down, noticed as a ``security_incident`` event at the
    outage's start, on its services, carrying its ``id``, its summary saying what was
    down and when. The customers to notify are those of the ``agreements`` in force at
    the event (from ``effective_from``, before ``end``) that subscribe a service it
    affects (an event or outage naming no service affects every service), and for an
    incident also the customers it names. A notice nobody subscribes to is still listed, with
    no customers: the provider's own record of it. In time order.

    Serves S10 (conditions that call for immediate notification, such as an
    intrusion detected or the continuity plan invoked); ISO/IEC 20000-1:2011 6.3
    and 6.6.

    Raises:
        ValidationError: ``observations`` is not `Observations` (``$.observations``),
            or an agreement is not a `CloudServiceAgreement` (``$.agreements[i]``).
    """
    problems = instance_problems(observations, Observations, "$.observations")
    given: object = agreements
    listed: list[Any] = []
    if isinstance(given, (str, bytes)) or not hasattr(given, "__iter__"):
        problems.append(Problem("$.agreements", "an iterable of agreements", describe(given)))
    else:
        listed = list(agreements)
        for index, agreement in enumerate(listed):
            problems += instance_problems(
                agreement, CloudServiceAgreement, f"$.agreements[{index}]"
            )
    raise_problems(problems, "Immediate notices")
    return _notices(observations, listed, None)


# ---------------------------------------------------------------------- retention
def _monitoring_data(
    observations: Observations, services: frozenset[str]
) -> Iterator[tuple[EvidenceKind, Any, dt.datetime, dt.datetime]]:
    """The monitoring data of ``services``: each item's kind, the item, and its span."""
    for outage in observations.outages:
        if not outage.services or outage.services & services:
            yield EvidenceKind.OUTAGE, outage, outage.start, outage.end
    for window in observations.maintenance:
        if window.services & services:
            yield EvidenceKind.MAINTENANCE, window, window.start, window.end
    for measurement in observations.measurements:
        if measurement.service in services:
            yield EvidenceKind.MEASUREMENT, measurement, measurement.at, measurement.at
    for series in observations.series:
        if series.service in services:
            span = series.period
            yield EvidenceKind.SERIES, series, span.start, span.end


def _expired(
    observations: Observations, agreement: CloudServiceAgreement, as_of: dt.datetime
) -> tuple[EvidenceItem, ...]:
    zone = timezone(agreement.timezone)
    limit_at = add_calendar(as_of.astimezone(zone), agreement.monitoring_retention, -1)
    limit = since_epoch(limit_at)
    kept = _calendar_spoken(agreement.monitoring_retention)
    reason = f"wholly before {limit_at.isoformat()} ({kept} before the as_of): past retention"
    found = [
        _record_item(kind, item, counted=False, reason=reason)
        for kind, item, start, end in _monitoring_data(observations, agreement.service_ids)
        # A span [start, end) that ends at the limit is wholly before it; a
        # measurement taken at the limit is not.
        if (
            since_epoch(end) < limit
            if kind is EvidenceKind.MEASUREMENT
            else since_epoch(end) <= limit
        )
    ]
    found.sort(key=lambda e: (since_epoch(e.end), since_epoch(e.start), e.kind, e.reference))
    return tuple(found)


def expired_monitoring_data(
    observations: Observations, agreement: CloudServiceAgreement, as_of: dt.datetime
) -> tuple[EvidenceItem, ...]:
    """The monitoring data past the agreement's retention at ``as_of``, to delete (S10, S13).

    The retention limit is ``as_of`` less ``agreement.monitoring_retention``, by
    calendar arithmetic in the agreement's time zone (13 months before 15 November
    2027 is 15 October 2026). Listed are the outages, maintenance windows,
    measurements and sample series of the services the agreement subscribes (an
    outage naming no service concerns every one) that lie wholly before the limit: a
    span that ends at or before it, a measurement taken before it. Anything with an
    instant at or after the limit is within retention and never listed, so a series
    running across the limit is kept whole. Incidents and requests are records of
    the agreement, kept for its ``record_keeping``, not monitoring data. Each item
    says when retention ended; in order of their ends.

    Serves S10 (monitoring data kept for an agreed time, then removed) and S13 (the
    customer's monitoring data deleted at exit); ISO/IEC 20000-1:2011 4.3.

    Raises:
        ValidationError: ``observations`` is not `Observations` (``$.observations``),
            ``agreement`` not a `CloudServiceAgreement` (``$.agreement``), ``as_of``
            not an aware instant (``$.as_of``), or the limit falls before the
            supported range.
    """
    problems = instance_problems(observations, Observations, "$.observations")
    problems += instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    problems += instant_problems(as_of, "$.as_of")
    raise_problems(problems, "Monitoring data retention")
    return _expired(observations, agreement, as_of)
