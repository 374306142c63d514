"""Service reports: each customer's month against its agreement, and the provider's view (S10).

The model judges an agreement's targets (`cloudsms.monitoring.evaluation.evaluate`
returns a `cloudsms.monitoring.evaluation.ServiceLevelReport`); these functions turn
such reports into what people and tools read:

- the **monthly service report** of one customer, as JSON-ready data
  (`service_report_data`) and as Markdown (`service_report_markdown`): every target
  with its achieved figure, unit, threshold, verdict, margin and credit, and the
  evidence behind it; availability per service; incidents opened per priority and
  the mean time to restore; service requests fulfilled within their target; the
  credits due per currency; the events the customer must hear of at once; and the
  monitoring data past the agreement's retention;
- the **provider report** across customers (`provider_report`, rendered by
  `provider_report_data` and `provider_report_markdown`): every breach, every near
  miss (a target met by no more than a stated margin) and the credits due per
  service;
- **tables and a chart** for analysts (`to_frame`, `evidence_frame`,
  `availability_chart`), built with pandas and matplotlib from the optional extra
  ``analysis`` (``pip install 'cloudsms[analysis]'``), imported only when one of
  these functions is called; without the extra they raise `ImportError` naming it.

Figures in the data are the model's own, written in full: decimals are strings
(``"99.9"``, never a float), money is ``{"amount": "12.50", "currency": "EUR"}``,
lengths of time are seconds as decimal strings, instants are RFC 3339 text with
their offset. A figure is exact where the model's is: an availability whose ratio
does not end in decimals (26 minutes down in a Berlin October: 100 x 44,674/44,700
%) is rounded half to even at 38 significant digits by
`cloudsms.monitoring.availability`, and its margin is taken from that rounded
figure; the data writes those 38 digits as they are and rounds nothing further.
Markdown is for people: a figure with more than four decimal places (more, if the
threshold has more) is cut to that many towards the worse side of its target (an
``at least`` figure down, an ``at most`` one up, a margin down), so a shortened
figure never looks better than the one in the data.

Serves S10 (service reports to each customer and to the provider itself: targets
judged, breaches, credits, immediate notices, retention of monitoring data) and
S09 (incidents and requests in the month); ISO/IEC 20000-1:2011 6.1 (service level
management), 6.2 (service reporting), 6.3 (availability) and 8.1 (incident and
service request management).
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation.exact import plain
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.agreements import CloudServiceAgreement, Metric
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.levels import Bound
from cloudsms.money import Money
from cloudsms.monitoring.evaluation import ServiceLevelReport, TargetResult
from cloudsms.monitoring.observations import Observations
from cloudsms.operations import OperationsRegister, judge_fulfilment
from cloudsms.operations.clocks import in_force
from cloudsms.periods import Period, timezone
from cloudsms.reports._table import escape_text
from cloudsms.reports.operations import format_elapsed
from cloudsms.units import Quantity, format_quantity, magnitude_in, quantity, same_dimension

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from pandas import DataFrame  # type: ignore[import-untyped]

    from cloudsms.agreements import ServiceTarget
    from cloudsms.monitoring.evaluation import EvidenceItem, ImmediateNotice
    from cloudsms.monitoring.metrics import ErrorBudget

__all__ = [
    "EVIDENCE_FRAME_COLUMNS",
    "FRAME_COLUMNS",
    "ProviderFinding",
    "ProviderReport",
    "availability_chart",
    "evidence_frame",
    "provider_report",
    "provider_report_data",
    "provider_report_markdown",
    "service_report_data",
    "service_report_markdown",
    "to_frame",
]

_SUBJECT = "Service report"
_EXTRA = "pip install 'cloudsms[analysis]'"
_PLACES = 4  # decimal places Markdown shows at least
_EXACT = Context(prec=80)  # room for any figure the model gives (38 digits) with its places
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)

FRAME_COLUMNS: tuple[str, ...] = (
    "customer",
    "agreement",
    "version",
    "period_start",
    "period_end",
    "sla",
    "target",
    "service",
    "metric",
    "achieved",
    "threshold",
    "unit",
    "met",
    "margin",
    "credit",
    "currency",
    "coverage_gap",
    "note",
)
"""The columns of `to_frame`, in order: one row per target result."""

EVIDENCE_FRAME_COLUMNS: tuple[str, ...] = (
    "sla",
    "target",
    "service",
    "kind",
    "reference",
    "start",
    "end",
    "counted",
    "reason",
)
"""The columns of `evidence_frame`, in order: one row per item of evidence."""


# ---------------------------------------------------------------------- small renderings
def _instant(instant: dt.datetime) -> str:
    """RFC 3339 text with the instant's own offset."""
    return instant.isoformat()


def _period(period: Period) -> dict[str, str]:
    return {"start": _instant(period.start), "end": _instant(period.end)}


def _seconds(length: dt.timedelta) -> str:
    micro = (length.days * 86_400 + length.seconds) * 1_000_000 + length.microseconds
    return plain(Decimal(micro).scaleb(-6).normalize())


def _number(value: Decimal | None) -> str | None:
    return None if value is None else plain(value.normalize(_EXACT))


def _money(money: Money | None) -> dict[str, str] | None:
    if money is None:
        return None
    return {"amount": plain(money.amount), "currency": money.currency}


# Markdown's marks, and an underscore that could open or close emphasis (not one inside a word).
_MARKDOWN_MARKS = re.compile(r"[\\`*\[\]<>|#~]|(?<![^\W_])_|_(?![^\W_])")


def _md(text: str) -> str:
    r"""Text from a record, safe in Markdown: controls escaped, Markdown's marks taken literally.

    Examples:
        >>> print(_md("third_party *bold* _x_ a|b"))
        third_party \*bold\* \_x\_ a\|b
    """
    return _MARKDOWN_MARKS.sub(lambda found: "\\" + found.group(), escape_text(text))


def _period_title(period: Period, zone: dt.tzinfo | None = None) -> str:
    """``October 2026`` for a calendar month (of ``zone``, or the period's own), else its ends."""
    start, end = period.start, period.end
    if zone is not None:
        start, end = start.astimezone(zone), end.astimezone(zone)
    following = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12  # noqa: PLR2004 - December
        else start.replace(month=start.month + 1)
    )
    whole_day = start.timetz().replace(tzinfo=None) == dt.time()
    if start.day == 1 and whole_day and end == following:
        return f"{_MONTHS[start.month - 1]} {start.year}"
    return f"{_instant(start)} to {_instant(end)}"


# ---------------------------------------------------------------------- thresholds
def _bound(result: TargetResult) -> Bound | None:
    return result.metric.bound


def _derived_threshold(result: TargetResult) -> Decimal | None:
    """The threshold a judged figure was compared with: the figure less its margin."""
    margin = result.margin
    if result.achieved is None or margin is None:
        return None
    achieved = Decimal(result.achieved.magnitude)
    sign = 1 if _bound(result) is Bound.AT_LEAST else -1
    return (achieved - sign * margin).normalize(_EXACT)


def _unit(result: TargetResult, target: ServiceTarget | None) -> str | None:
    """The result's canonical unit as the metric names it (``percent``, ``request/second``)."""
    if target is not None and target.unit:
        return target.unit
    achieved = result.achieved
    if achieved is None:
        return "percent" if result.error_budget is not None else None
    named = (u for u in result.metric.units if same_dimension(achieved, u))
    return next(named, str(achieved.units))


def _threshold(result: TargetResult, target: ServiceTarget | None) -> Decimal | None:
    """The threshold every rendering shows for ``result``: one source for all of them.

    The target's own threshold when the agreement's terms hold the target (judged or
    not); else an availability result's error budget threshold; else the figure less
    its margin (judged results only). The JSON, the Markdown, `to_frame` (given the
    agreements), the provider report and the chart all read it here.
    """
    if target is not None and target.unit:
        return target.threshold
    budget = result.error_budget
    if budget is not None:
        return budget.threshold
    return _derived_threshold(result)


def _achieved(result: TargetResult) -> Decimal | None:
    return None if result.achieved is None else Decimal(result.achieved.magnitude)


def _places(threshold: Decimal | None) -> int:
    if threshold is None:
        return _PLACES
    exponent = threshold.normalize(_EXACT).as_tuple().exponent
    return max(_PLACES, -exponent if isinstance(exponent, int) else 0)


def _cut(value: Decimal, places: int, *, down: bool) -> Decimal:
    """``value`` with at most ``places`` decimals, cut towards ``down`` or up if it has more."""
    exponent = value.normalize(_EXACT).as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= places:
        return value.normalize(_EXACT)
    return value.quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_FLOOR if down else ROUND_CEILING, context=_EXACT
    )


def _quantity_text(value: Decimal, unit: str) -> str:
    return format_quantity(quantity(plain(value), unit))


@attrs.frozen
class _Shown:
    """A result's figures as Markdown shows them (cut towards the worse side)."""

    achieved: str
    threshold: str
    margin: str


def _shown(result: TargetResult, target: ServiceTarget | None) -> _Shown:
    unit = _unit(result, target)
    threshold = _threshold(result, target)
    bound = _bound(result)
    achieved = _achieved(result)
    if unit is None or bound is None:  # a qualitative objective
        verdict = {True: "holds", False: "does not hold", None: "-"}[result.met]
        predicate = target.predicate if target is not None else None
        return _Shown(verdict, f"predicate {_md(predicate)}" if predicate else "-", "-")
    places = _places(threshold)
    limit = "-" if threshold is None else f"{bound} {_quantity_text(threshold, unit)}"
    if achieved is None:
        return _Shown("-", limit, "-")
    cut = _cut(achieved, places, down=bound is Bound.AT_LEAST)
    margin = "-"
    if threshold is not None and result.margin is not None:
        gap = cut - threshold if bound is Bound.AT_LEAST else threshold - cut
        margin = _quantity_text(gap.normalize(_EXACT), unit)
    return _Shown(_quantity_text(cut, unit), limit, margin)


def _verdict(result: TargetResult) -> str:
    return {True: "met", False: "breached", None: "not judged"}[result.met]


# ---------------------------------------------------------------------- checks
def _checked(
    report: object, agreement: object, observations: object
) -> tuple[ServiceLevelReport, CloudServiceAgreement, Observations]:
    found = instance_problems(report, ServiceLevelReport, "$.report")
    found += instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    if observations is not None:
        found += instance_problems(observations, Observations, "$.observations")
    raise_problems(found, _SUBJECT)
    assert isinstance(report, ServiceLevelReport)  # noqa: S101 - checked above
    assert isinstance(agreement, CloudServiceAgreement)  # noqa: S101
    if report.agreement_id != agreement.id:
        raise ValidationError.single(
            "$.agreement",
            f"the agreement the report judged ({report.agreement_id!r})",
            f"agreement {agreement.id!r}",
            subject=_SUBJECT,
        )
    seen = observations if isinstance(observations, Observations) else Observations()
    return report, agreement, seen


_Judged = list[tuple[TargetResult, "ServiceTarget | None"]]


def _targets(agreement: CloudServiceAgreement, results: Iterable[TargetResult]) -> _Judged:
    """Each result with its target, in the terms in force at the start of its period.

    ``None`` for a target the terms do not hold (a report of other terms): its
    threshold is then read from its figure and margin.
    """
    terms: dict[dt.datetime, dict[tuple[str, str], ServiceTarget]] = {}
    found: _Judged = []
    for result in results:
        start = result.period.start
        if start not in terms:
            agreed = in_force(agreement, start)
            terms[start] = {(sla.id, target.id): target for sla, target in agreed.targets()}
        found.append((result, terms[start].get((result.sla_id, result.target_id))))
    return found


def _availability(judged: _Judged) -> _Judged:
    """The availability results, by service."""
    chosen = [pair for pair in judged if pair[0].metric is Metric.AVAILABILITY]
    return sorted(chosen, key=lambda pair: pair[0].service_id)


# ---------------------------------------------------------------------- operations records
@attrs.frozen
class _Operations:
    """What the month's incidents and service requests say, as the report shows it."""

    priorities: tuple[tuple[str, str, int], ...]  # (id, name, incidents opened)
    restore: dt.timedelta | None
    requests: int
    fulfilled: int
    in_time: int | None  # None: no request had a fulfilment target to meet


def _operations(
    report: ServiceLevelReport, agreement: CloudServiceAgreement, seen: Observations
) -> _Operations:
    incidents = [i for i in seen.incidents if i.agreement_id == agreement.id]
    requests = [r for r in seen.requests if r.agreement_id == agreement.id]
    register = OperationsRegister(agreement=agreement, incidents=incidents, requests=requests)
    period, as_of = report.period, report.as_of
    opened = [times.incident.priority for times in register.incident_times(period, as_of)]
    scale = agreement.priorities.priorities
    counts = tuple((p.id, p.name, opened.count(p.id)) for p in scale)
    low, high, limit = (i.astimezone(dt.UTC) for i in (period.start, period.end, as_of))
    made = [
        r
        for r in register.requests
        if low <= r.requested_at.astimezone(dt.UTC) < high
        and r.requested_at.astimezone(dt.UTC) <= limit
    ]
    fulfilled = in_time = judged = 0
    for request in made:
        timing = judge_fulfilment(request, agreement, as_of=as_of)
        done = (
            request.fulfilled_at is not None and request.fulfilled_at.astimezone(dt.UTC) <= limit
        )
        fulfilled += done
        if timing is not None:
            judged += 1
            in_time += timing.final and timing.met
    return _Operations(
        priorities=counts,
        restore=register.mean_time_to_restore(period, as_of),
        requests=len(made),
        fulfilled=fulfilled,
        in_time=in_time if judged else None,
    )


# ---------------------------------------------------------------------- monthly report: data
def _evidence_data(item: EvidenceItem) -> dict[str, Any]:
    return {
        "kind": str(item.kind),
        "reference": item.reference,
        "start": _instant(item.start),
        "end": _instant(item.end),
        "counted": item.counted,
        "reason": item.reason,
    }


def _budget_data(budget: ErrorBudget | None) -> dict[str, Any] | None:
    """An availability target's error budget: lengths as seconds, the instant it runs out."""
    if budget is None:
        return None
    exhausted = budget.exhausted_at
    return {
        "allowed_seconds": _seconds(budget.allowed),
        "used_seconds": _seconds(budget.used),
        "remaining_seconds": _seconds(budget.remaining),
        "exhausted_at": None if exhausted is None else _instant(exhausted),
    }


def _result_data(result: TargetResult, target: ServiceTarget | None) -> dict[str, Any]:
    bound = _bound(result)
    return {
        "sla": result.sla_id,
        "target": result.target_id,
        "service": result.service_id,
        "metric": str(result.metric),
        "bound": None if bound is None else str(bound),
        "achieved": _number(_achieved(result)),
        "threshold": _number(_threshold(result, target)),
        "unit": _unit(result, target),
        "met": result.met,
        "margin": _number(result.margin),
        "credit": _money(result.credit),
        "coverage_gap_seconds": _seconds(result.coverage_gap),
        "error_budget": _budget_data(result.error_budget),
        "note": result.note,
        "evidence": [_evidence_data(item) for item in result.evidence],
    }


def _notice_data(notice: ImmediateNotice) -> dict[str, Any]:
    event = notice.event
    return {
        "at": _instant(event.at),
        "kind": str(event.kind),
        "services": sorted(event.services),
        "summary": event.summary,
        "customers": sorted(notice.customers),
        "incident": notice.incident_id,
    }


def service_report_data(
    report: ServiceLevelReport,
    agreement: CloudServiceAgreement,
    observations: Observations | None = None,
) -> dict[str, Any]:
    """One customer's service report for ``report``'s period as JSON-ready data.

    ``report`` is what `cloudsms.monitoring.evaluation.evaluate` returned for
    ``agreement`` (whose targets give each result its threshold, in the terms in
    force at the start of the period); ``observations`` are the ones evaluated, whose
    incidents and service requests under the agreement give the operations figures
    (none given: no incidents, no requests). Keys, always present:

    - ``agreement``, ``version`` (of the terms applied), ``customer``, ``period``
      (``start``, ``end``), ``as_of``, ``note`` (``null`` for a period read to its
      end; read ``as_of`` an instant inside it, why nothing is judged yet);
    - ``targets``: one per result, in report order, with ``sla``, ``target``,
      ``service``, ``metric``, ``bound`` (``"at least"``, ``"at most"``, ``null`` for
      a qualitative objective), ``achieved``, ``threshold`` and ``margin`` (decimal
      strings in ``unit``, the metric's canonical unit such as ``percent`` or
      ``second``, written as the model gives them: exact, except an availability
      whose ratio does not end in decimals, which the model rounds half to even at
      38 significant digits, and the margin taken from it; ``null`` when there is
      none), ``met`` (``null``: not judged),
      ``credit`` (money or ``null``), ``coverage_gap_seconds``, ``error_budget``,
      ``note`` and ``evidence`` (``kind``, ``reference``, ``start``, ``end``,
      ``counted``, ``reason``);
    - ``error_budget`` (``null`` but for an availability target with expected
      uptime): the downtime the target allows over the period
      (``allowed_seconds``), the downtime used by ``as_of`` (``used_seconds``),
      what is left (``remaining_seconds``, negative once overspent) and
      ``exhausted_at``: the instant the budget ran out, or the instant it runs out
      at the burn rate so far, ``null`` when nothing is used yet or it lasts the
      period (`cloudsms.monitoring.ErrorBudget`);
    - ``availability``: the availability results again, one per service and target
      (``service``, ``sla``, ``target``, ``achieved``, ``threshold``, ``met``,
      ``error_budget``), by service;
    - ``incidents``: ``opened`` (the number opened in the period by ``as_of``),
      ``by_priority`` (every priority of the agreement's scale, in its order, with
      the number opened) and ``mean_time_to_restore_seconds`` (``null`` when none
      was restored in the period), from
      `cloudsms.operations.OperationsRegister.mean_time_to_restore`;
    - ``requests``: ``made`` (requests under the agreement made in the period by
      ``as_of``), ``fulfilled`` (of those, fulfilled by ``as_of``) and ``in_time``
      (fulfilled within the fulfilment target; ``null`` when no request had a
      target to meet);
    - ``breaches`` (how many results were breached), ``credits`` (the credits due
      added up per currency, a list of money sorted by currency);
    - ``notices``: the events the customer must hear of at once (``at``, ``kind``,
      ``services``, ``summary``, ``customers``, ``incident``);
    - ``expired``: the monitoring data past the agreement's retention as of
      ``as_of``, to delete (``kind``, ``reference``, ``start``, ``end``,
      ``counted``, ``reason``);
    - ``unmatched``: the period's observations that name only services the
      agreement does not subscribe, counted in no figure (the same keys; the
      reason names the unknown services and any close match), so a misspelt
      service id is seen rather than read as a perfect month.

    Raises:
        ValidationError: a value of the wrong type (``$.report``, ``$.agreement``,
            ``$.observations``); ``agreement`` is not the one the report judged
            (``$.agreement``); the operations register refuses the incidents or
            requests (an incident on a service the agreement does not subscribe, a
            priority off its scale).
    """
    report, agreement, seen = _checked(report, agreement, observations)
    judged = _targets(agreement, report.results)
    operations = _operations(report, agreement, seen)
    restore = operations.restore
    return {
        "agreement": report.agreement_id,
        "version": report.agreement_version,
        "customer": report.customer_id,
        "period": _period(report.period),
        "as_of": _instant(report.as_of),
        "note": report.note,
        "targets": [_result_data(r, target) for r, target in judged],
        "availability": [
            {
                "service": r.service_id,
                "sla": r.sla_id,
                "target": r.target_id,
                "achieved": _number(_achieved(r)),
                "threshold": _number(_threshold(r, target)),
                "met": r.met,
                "error_budget": _budget_data(r.error_budget),
            }
            for r, target in _availability(judged)
        ],
        "incidents": {
            "opened": sum(count for _, _, count in operations.priorities),
            "by_priority": {ident: count for ident, _, count in operations.priorities},
            "mean_time_to_restore_seconds": None if restore is None else _seconds(restore),
        },
        "requests": {
            "made": operations.requests,
            "fulfilled": operations.fulfilled,
            "in_time": operations.in_time,
        },
        "breaches": len(report.breaches),
        "credits": [_money(m) for m in report.credits.values()],
        "notices": [_notice_data(n) for n in report.notices],
        "expired": [_evidence_data(item) for item in report.expired],
        "unmatched": [_evidence_data(item) for item in report.unmatched],
    }


# ---------------------------------------------------------------------- monthly report: Markdown
def _table(headings: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    heads = list(headings)
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _evidence_table(items: Iterable[EvidenceItem]) -> list[str]:
    """Items of evidence as a Markdown table (a measurement's start and end are one instant)."""
    rows = [
        [
            "yes" if item.counted else "no",
            str(item.kind).replace("_", " "),
            _md(item.reference),
            _instant(item.start),
            _instant(item.end),
            _md(item.reason),
        ]
        for item in items
    ]
    return _table(("counted", "kind", "reference", "start", "end", "why"), rows)


def _name(result: TargetResult) -> str:
    return f"{_md(result.sla_id)}/{_md(result.target_id)} ({_md(result.service_id)})"


def _target_section(judged: _Judged) -> list[str]:
    rows = []
    notes: list[str] = []
    for result, target in judged:
        shown = _shown(result, target)
        credit = "-" if result.credit is None else str(result.credit)
        rows.append(
            [
                _md(result.sla_id),
                _md(result.target_id),
                _md(result.service_id),
                str(result.metric),
                shown.achieved,
                shown.threshold,
                _verdict(result),
                shown.margin,
                credit,
            ]
        )
        if result.note is not None:
            notes.append(f"- {_name(result)}: {_md(result.note)}")
        if result.coverage_gap:
            gap = format_elapsed(result.coverage_gap)
            notes.append(f"- {_name(result)}: no samples for {gap}, left out of the figure")
    headings = ("SLA", "target", "service", "metric", "achieved", "threshold", "result")
    lines = ["## Targets", ""]
    if not rows:
        return [*lines, "The agreement sets no target for the period.", ""]
    lines += _table((*headings, "margin", "credit"), rows)
    return [*lines, "", *notes, *([""] if notes else [])]


def _budget_line(budget: ErrorBudget) -> str:
    """An error budget in words: allowed, used, left or overspent, and when it runs out."""
    used, allowed, remaining = budget.used, budget.allowed, budget.remaining
    left = (
        f"{format_elapsed(-remaining)} overspent"
        if remaining < dt.timedelta()
        else f"{format_elapsed(remaining)} left"
    )
    line = f"error budget: {format_elapsed(allowed)} allowed, {format_elapsed(used)} used, {left}"
    when = budget.exhausted_at
    if when is not None and used >= allowed:
        return f"{line}; ran out at {_instant(when)}"
    if when is not None:
        return f"{line}; at the burn rate so far it runs out at {_instant(when)}"
    if not used:
        return f"{line}; none used"
    return f"{line}; at the burn rate so far it lasts the period"


def _availability_section(judged: _Judged) -> list[str]:
    found = _availability(judged)
    lines = ["## Availability", ""]
    if not found:
        return [*lines, "No availability target.", ""]
    for result, target in found:
        shown = _shown(result, target)
        lines.append(
            f"- {_md(result.service_id)}: {shown.achieved} against {shown.threshold} "
            f"({_md(result.target_id)}): {_verdict(result)}"
        )
        if result.error_budget is not None:
            lines.append(f"  - {_budget_line(result.error_budget)}")
    return [*lines, ""]


def _unmatched_section(report: ServiceLevelReport) -> list[str]:
    """A warning listing the observations no target read (none: no section)."""
    items = report.unmatched
    if not items:
        return []
    count = len(items)
    which = "observation names" if count == 1 else "observations name"
    return [
        "## Observations this agreement does not cover",
        "",
        (
            f"Warning: {count} {which} only services the agreement does not subscribe, "
            "so no figure in this report counts "
            f"{'it' if count == 1 else 'them'}. A misspelt service id in the monitoring "
            "data shows here: correct it and report again."
        ),
        "",
        *_evidence_table(items),
        "",
    ]


def _operations_section(operations: _Operations) -> list[str]:
    lines = ["## Incidents and requests", ""]
    lines += _table(
        ("priority", "incidents opened"),
        (
            [f"{_md(ident)} {_md(name)}", str(count)]
            for ident, name, count in operations.priorities
        ),
    )
    restore = operations.restore
    lines.append("")
    if restore is None:
        lines.append("Mean time to restore: no incident was restored in the period.")
    else:
        lines.append(f"Mean time to restore: {format_elapsed(restore)} (wall clock).")
    made = operations.requests
    if not made:
        lines.append("Service requests: none made in the period.")
    elif operations.in_time is None:
        lines.append(
            f"Service requests: {operations.fulfilled} of {made} fulfilled; "
            "no fulfilment target applies."
        )
    else:
        lines.append(
            f"Service requests fulfilled within the target: {operations.in_time} of {made}."
        )
    return [*lines, ""]


def _credits_line(report: ServiceLevelReport, judged: _Judged) -> str:
    """The breaches counted and the credits due, or why there are none.

    A target not judged is not a breach, and earns no credit: with credit terms
    but not judged, the line says so rather than that no credit terms apply.
    """
    breaches = len(report.breaches)
    summary = f"{breaches} target{'s' if breaches != 1 else ''} breached"
    due = report.credits
    if due:
        return f"{summary}; credits due: {', '.join(str(m) for m in due.values())}."
    termed = [r for r, target in judged if target is not None and target.credits is not None]
    if not termed:
        return f"{summary}; no credit terms apply."
    if all(r.judgement is None for r in termed):
        unjudged = (
            "target with credit terms was"
            if len(termed) == 1
            else "targets with credit terms were"
        )
        return f"{summary}; no credit is due: the {unjudged} not judged (see the notes)."
    return f"{summary}; no credit is due (see the notes)."


def _notice_line(notice: ImmediateNotice) -> str:
    event = notice.event
    services = ", ".join(_md(s) for s in sorted(event.services)) or "every service"
    told = ", ".join(_md(c) for c in sorted(notice.customers))
    line = f"- {_instant(event.at)} {event.kind} ({services}): {_md(event.summary)}; notify {told}"
    return line if notice.incident_id is None else f"{line} (incident {_md(notice.incident_id)})"


def service_report_markdown(
    report: ServiceLevelReport,
    agreement: CloudServiceAgreement,
    observations: Observations | None = None,
    *,
    events_read: bool | None = None,
) -> str:
    """One customer's service report for ``report``'s period as a Markdown document.

    The same content as `service_report_data`: a heading naming the customer, the
    agreement and the period (``October 2026`` for a calendar month), with the
    report's note when the period had not ended as of ``as_of``; a warning
    section, "Observations this agreement does not cover", listing the observations
    that name only services the agreement lacks (only when there are some); a table
    of every target (SLA, target, service, metric, achieved, threshold, result,
    margin, credit), each figure with its unit and cut as the module docs say, then
    the notes of targets without a figure and the time without samples;
    availability per service, each availability target with its error budget
    (allowed, used, left or overspent, and when it ran or runs out); incidents
    opened per priority, the mean time to restore and the service requests
    fulfilled within their target; the credits due; the immediate
    notices; the monitoring data past retention; and the evidence behind each target.
    Every text from a record is escaped (control characters and Markdown's marks).

    An empty list of notices means little if no events were read, so the notices
    section says which it is: "None among the events read." when events were read
    (``events.csv`` of the monitoring data, or incident records, since a security
    incident is such an event), else "No events were read (events.csv absent)."
    ``events_read`` says whether they were; ``None`` (the default) takes the
    ``observations`` holding any event or incident as the answer, which cannot tell
    an ``events.csv`` with a header only from none: `cloudsms sla report` says.

    Raises:
        ValidationError: as `service_report_data`, or ``events_read`` is not a bool
            or ``None`` (``$.events_read``).
    """
    report, agreement, seen = _checked(report, agreement, observations)
    if events_read is not None and not isinstance(events_read, bool):
        raise ValidationError.single(
            "$.events_read", "true, false or None", describe(events_read), subject=_SUBJECT
        )
    if events_read is None:
        events_read = bool(seen.events or seen.incidents)
    judged = _targets(agreement, report.results)
    title = _period_title(report.period, timezone(agreement.timezone))
    lines = [
        f"# Service report: {_md(report.customer_id)}, {title}",
        "",
        (
            f"Agreement {_md(report.agreement_id)} (version {report.agreement_version}); "
            f"period {_instant(report.period.start)} to {_instant(report.period.end)}; "
            f"as of {_instant(report.as_of)}."
        ),
        "",
    ]
    if report.note is not None:  # a period read before its end: say so before any figure
        note = _md(report.note)
        lines += [f"{note[:1].upper()}{note[1:]}{'' if note.endswith('.') else '.'}", ""]
    lines += _unmatched_section(report)
    lines += _target_section(judged)
    lines += _availability_section(judged)
    lines += _operations_section(_operations(report, agreement, seen))
    lines += ["## Credits due", "", _credits_line(report, judged)]
    lines += ["", "## Immediate notices", ""]
    if report.notices:
        lines += [_notice_line(n) for n in report.notices]
    elif events_read:
        lines.append("None among the events read.")
    else:
        lines.append("No events were read (events.csv absent).")
    lines += ["", "## Monitoring data past retention", ""]
    if report.expired:
        lines.append("To be deleted: kept longer than the agreed retention.")
        lines += ["", *_evidence_table(report.expired)]
    else:
        lines.append("None: all monitoring data is within the agreed retention.")
    lines += ["", "## Evidence", ""]
    for result in report.results:
        lines += [f"### {_name(result)}", ""]
        lines += _evidence_table(result.evidence) if result.evidence else ["No records."]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------- the provider report
@attrs.frozen(kw_only=True)
class ProviderFinding:
    """One result of one customer's report that the provider report lists (S10).

    ``customer_id``, ``agreement_id`` and ``period`` say whose report it came from;
    ``result`` is the `TargetResult` itself and ``threshold`` the threshold it was
    judged against, in the result's unit (its figure less its margin). A result of
    `provider_report`: it carries no checks.
    """

    customer_id: str
    agreement_id: str
    period: Period
    result: TargetResult
    threshold: Decimal


@attrs.frozen(kw_only=True)
class ProviderReport:
    """Breaches, near misses and credits across the reports of many customers (S10).

    ``reports`` counts the reports read and ``customers`` names their customers
    (sorted); ``near_miss`` is the margin each metric was held to, as stated (a
    quantity of the metric's dimension; a metric absent has no near misses);
    ``breaches`` and ``near_misses`` list the findings in the order of the reports
    and their results; ``credits`` adds up the credits due per service and then per
    currency (both sorted). A result of `provider_report`: it carries no checks.
    """

    reports: int
    customers: tuple[str, ...]
    near_miss: Mapping[Metric, Quantity]
    breaches: tuple[ProviderFinding, ...]
    near_misses: tuple[ProviderFinding, ...]
    credits: Mapping[str, Mapping[str, Money]]


_QUANTITATIVE = tuple(m for m in Metric if m.units)


def _margin(
    metric: Metric | None, given: object, path: str
) -> tuple[Quantity | None, Problem | None]:
    """``given`` read as a margin (of ``metric``'s unit, when one is named), or its problem."""
    try:
        margin = quantity(given, path=path)
    except ValidationError as exc:
        return None, exc.problems[0]
    shown = format_quantity(margin)
    if metric is not None and not any(same_dimension(margin, u) for u in metric.units):
        return None, Problem(
            path, f"a quantity in {' or '.join(metric.units)} for {metric}", shown
        )
    if metric is None and not any(
        same_dimension(margin, u) for m in _QUANTITATIVE for u in m.units
    ):
        return None, Problem(
            path, "a margin in the unit of some metric (%, s, request/s, B or instance)", shown
        )
    if Decimal(margin.magnitude) < 0:
        return None, Problem(path, "a margin of zero or more", shown)
    return margin, None


def _near_miss_rule(near_miss: object) -> dict[Metric, Quantity]:
    """The margin of each metric, from one quantity or a mapping of metrics to quantities."""
    rule: dict[Metric, Quantity] = {}
    problems: list[Problem] = []
    if not isinstance(near_miss, Mapping):
        margin, problem = _margin(None, near_miss, "$.near_miss")
        problems += [problem] if problem is not None else []
        if margin is not None:
            rule = {
                m: margin for m in _QUANTITATIVE if any(same_dimension(margin, u) for u in m.units)
            }
    else:
        for key, given in near_miss.items():
            path = f"$.near_miss[{key!r}]"
            metric = Metric(key) if key in _QUANTITATIVE else None
            if metric is None:
                named = ", ".join(m.value for m in _QUANTITATIVE)
                problems.append(Problem(path, f"a quantitative metric ({named})", describe(key)))
                continue
            margin, problem = _margin(metric, given, path)
            problems += [problem] if problem is not None else []
            if margin is not None:
                rule[metric] = margin
    raise_problems(problems, "Provider report")
    return rule


def _near(result: TargetResult, rule: Mapping[Metric, Quantity]) -> bool:
    """Whether ``result`` was met by no more than its metric's margin."""
    margin = rule.get(result.metric)
    if margin is None or result.met is not True or result.margin is None:
        return False
    unit = _unit(result, None)
    if unit is None or not same_dimension(margin, unit):
        return False
    return result.margin <= magnitude_in(margin, unit)


def provider_report(
    reports: ServiceLevelReport | Iterable[ServiceLevelReport],
    *,
    near_miss: Quantity | str | Mapping[Metric | str, Quantity | str],
) -> ProviderReport:
    """The provider's own report across the service level reports of its customers.

    Lists every breach (a result judged and missed) and every **near miss**: a
    result met with a margin of no more than the margin stated for its metric, so
    a figure exactly on its threshold (margin zero) is a near miss. The margin is
    stated in the metric's own unit, never as a share of the threshold (a share
    means very different things for an availability close to 100 % and for a time
    close to zero): one quantity applies to every metric whose canonical unit it
    converts to (``"0.05 %"`` to availability; ``"5 min"`` to every time), or a
    mapping states one per metric (``{"availability": "0.05 %", "response time":
    "20 ms"}``). Margins convert exactly to each result's unit. Credits due are
    added up per service and currency.

    Raises:
        ValidationError: a report that is not a `ServiceLevelReport`
            (``$.reports[2]``); a margin that is negative, not a quantity, of no
            metric's unit or, in a mapping, of another unit than its metric's or
            keyed by something other than a quantitative metric
            (``$.near_miss['availability']``).
    """
    listed = _reports(reports, "Provider report")
    rule = _near_miss_rule(near_miss)
    breaches: list[ProviderFinding] = []
    near: list[ProviderFinding] = []
    due: dict[str, dict[str, Money]] = {}
    for report in listed:
        for result in report.results:
            threshold = _threshold(result, None)
            if threshold is not None and (result.breached or _near(result, rule)):
                finding = ProviderFinding(
                    customer_id=report.customer_id,
                    agreement_id=report.agreement_id,
                    period=result.period,
                    result=result,
                    threshold=threshold,
                )
                (breaches if result.breached else near).append(finding)
            credit = result.credit
            if credit is not None:
                held = due.setdefault(result.service_id, {})
                had = held.get(credit.currency)
                held[credit.currency] = credit if had is None else had + credit
    return ProviderReport(
        reports=len(listed),
        customers=tuple(sorted({r.customer_id for r in listed})),
        near_miss=dict(sorted(rule.items(), key=lambda item: list(Metric).index(item[0]))),
        breaches=tuple(breaches),
        near_misses=tuple(near),
        credits={s: dict(sorted(held.items())) for s, held in sorted(due.items())},
    )


def _finding_data(finding: ProviderFinding) -> dict[str, Any]:
    result = finding.result
    return {
        "customer": finding.customer_id,
        "agreement": finding.agreement_id,
        "period": _period(finding.period),
        "sla": result.sla_id,
        "target": result.target_id,
        "service": result.service_id,
        "metric": str(result.metric),
        "achieved": _number(_achieved(result)),
        "threshold": _number(finding.threshold),
        "unit": _unit(result, None),
        "margin": _number(result.margin),
        "credit": _money(result.credit),
    }


def _checked_provider(provider: object) -> ProviderReport:
    raise_problems(instance_problems(provider, ProviderReport, "$.provider"), "Provider report")
    assert isinstance(provider, ProviderReport)  # noqa: S101 - checked above
    return provider


def provider_report_data(provider: ProviderReport) -> dict[str, Any]:
    """A `ProviderReport` as JSON-ready data with a fixed shape.

    Keys: ``reports`` (how many were read), ``customers`` (sorted ids),
    ``near_miss`` (per metric, the margin as quantity text such as ``"0.05 %"``),
    ``breaches`` and ``near_misses`` (each with ``customer``, ``agreement``,
    ``period``, ``sla``, ``target``, ``service``, ``metric``, ``achieved``,
    ``threshold``, ``unit``, ``margin`` and ``credit``, decimals as strings written
    as the results give them: exact, except an availability whose ratio does not
    end in decimals, rounded half to even at 38 significant digits by the model)
    and ``credits`` (a list of ``service``, ``amount`` and ``currency``, by service
    and currency).

    Raises:
        ValidationError: ``provider`` is not a `ProviderReport` (``$.provider``).
    """
    provider = _checked_provider(provider)
    return {
        "reports": provider.reports,
        "customers": list(provider.customers),
        "near_miss": {str(m): format_quantity(q) for m, q in provider.near_miss.items()},
        "breaches": [_finding_data(f) for f in provider.breaches],
        "near_misses": [_finding_data(f) for f in provider.near_misses],
        "credits": [
            {"service": service, "amount": plain(money.amount), "currency": money.currency}
            for service, held in provider.credits.items()
            for money in held.values()
        ],
    }


def _finding_rows(findings: Iterable[ProviderFinding]) -> list[list[str]]:
    rows = []
    for finding in findings:
        result = finding.result
        shown = _shown(result, None)
        rows.append(
            [
                _md(finding.customer_id),
                _md(finding.agreement_id),
                _period_title(finding.period),
                f"{_md(result.sla_id)}/{_md(result.target_id)}",
                _md(result.service_id),
                shown.achieved,
                shown.threshold,
                shown.margin,
                "-" if result.credit is None else str(result.credit),
            ]
        )
    return rows


_FINDING_HEADINGS = (
    "customer",
    "agreement",
    "period",
    "target",
    "service",
    "achieved",
    "threshold",
    "margin",
    "credit",
)


def provider_report_markdown(provider: ProviderReport) -> str:
    """A `ProviderReport` as a Markdown document for the provider itself.

    A summary line (reports, customers, breaches, near misses), the near-miss
    margins, a table of the breaches and one of the near misses (figures cut as the
    module docs say), and the credits due per service.

    Raises:
        ValidationError: ``provider`` is not a `ProviderReport` (``$.provider``).
    """
    provider = _checked_provider(provider)
    customers = len(provider.customers)
    lines = [
        "# Provider report",
        "",
        (
            f"{provider.reports} report{'s' if provider.reports != 1 else ''} of {customers} "
            f"customer{'s' if customers != 1 else ''}: {len(provider.breaches)} breached, "
            f"{len(provider.near_misses)} near "
            f"miss{'es' if len(provider.near_misses) != 1 else ''}."
        ),
        "",
    ]
    margins = "; ".join(f"{m} {format_quantity(q)}" for m, q in provider.near_miss.items())
    lines += [f"A near miss is a target met with no more to spare than: {margins}.", ""]
    for title, findings in (
        ("Breaches", provider.breaches),
        ("Near misses", provider.near_misses),
    ):
        lines += [f"## {title}", ""]
        if findings:
            lines += [*_table(_FINDING_HEADINGS, _finding_rows(findings)), ""]
        else:
            lines += ["None.", ""]
    lines += ["## Credits by service", ""]
    rows = [
        [_md(service), ", ".join(str(m) for m in held.values())]
        for service, held in provider.credits.items()
    ]
    lines += _table(("service", "credits due"), rows) if rows else ["No credit is due."]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- tables and a chart (extra)
def _extra(module: str, wanted_by: str) -> Any:  # noqa: ANN401 - a module of the extra
    """``module`` from the ``analysis`` extra, or an ImportError saying how to install it."""
    top = module.partition(".")[0]
    try:
        return importlib.import_module(module)
    except ImportError as missing:
        message = f"{wanted_by} needs {top}, which is not installed: {_EXTRA}"
        raise ImportError(message, name=top) from missing


def _reports(given: object, subject: str = _SUBJECT) -> list[ServiceLevelReport]:
    """One report or an iterable of them, as a list; anything else refused at ``$.reports``."""
    listed = [given] if isinstance(given, ServiceLevelReport) else given
    if not isinstance(listed, Iterable) or isinstance(listed, str | bytes | Mapping):
        raise ValidationError.single(
            "$.reports",
            "a ServiceLevelReport or an iterable of them",
            describe(given),
            subject=subject,
        )
    reports = list(listed)
    problems: list[Problem] = []
    for index, report in enumerate(reports):
        problems += instance_problems(report, ServiceLevelReport, f"$.reports[{index}]")
    raise_problems(problems, subject)
    return reports


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC)


def _agreements(given: object) -> dict[str, CloudServiceAgreement]:
    """One agreement or an iterable of them, by id; anything else refused at its path."""
    listed = [given] if isinstance(given, CloudServiceAgreement) else given
    if not isinstance(listed, Iterable) or isinstance(listed, str | bytes | Mapping):
        raise ValidationError.single(
            "$.agreements",
            "a CloudServiceAgreement or an iterable of them",
            describe(given),
            subject=_SUBJECT,
        )
    found: dict[str, CloudServiceAgreement] = {}
    problems: list[Problem] = []
    for index, agreement in enumerate(listed):
        path = f"$.agreements[{index}]"
        wrong = instance_problems(agreement, CloudServiceAgreement, path)
        if wrong:
            problems += wrong
        elif agreement.id in found:
            problems.append(
                Problem(path, "one agreement per id", f"a second agreement {agreement.id!r}")
            )
        else:
            found[agreement.id] = agreement
    raise_problems(problems, _SUBJECT)
    return found


def _frame_rows(
    reports: Iterable[ServiceLevelReport], agreements: Mapping[str, CloudServiceAgreement]
) -> list[tuple[Any, ...]]:
    rows = []
    for report in reports:
        agreement = agreements.get(report.agreement_id)
        judged = (
            _targets(agreement, report.results)
            if agreement is not None
            else [(result, None) for result in report.results]
        )
        for result, target in judged:
            credit = result.credit
            rows.append(
                (
                    report.customer_id,
                    report.agreement_id,
                    report.agreement_version,
                    _utc(result.period.start),
                    _utc(result.period.end),
                    result.sla_id,
                    result.target_id,
                    result.service_id,
                    str(result.metric),
                    _achieved(result),
                    _threshold(result, target),
                    _unit(result, target),
                    result.met,
                    result.margin,
                    None if credit is None else credit.amount,
                    None if credit is None else credit.currency,
                    result.coverage_gap,
                    result.note,
                )
            )
    return rows


def to_frame(
    report_or_reports: ServiceLevelReport | Iterable[ServiceLevelReport],
    *,
    agreements: CloudServiceAgreement | Iterable[CloudServiceAgreement] = (),
) -> DataFrame:
    """One report, or many, as a pandas DataFrame: one row per target result.

    Columns are `FRAME_COLUMNS`: whose report (``customer``, ``agreement``,
    ``version``), the result's period (``period_start``, ``period_end``, in UTC),
    what was judged (``sla``, ``target``, ``service``, ``metric``), the figures as
    the model's `Decimal` values in ``unit`` (``achieved``, ``threshold``,
    ``margin``: exact, except an availability whose ratio does not end in
    decimals, rounded half to even at 38 significant digits; ``None`` where there
    is none), ``met`` (``True``, ``False`` or ``None``: not judged), the credit's
    ``credit`` amount and ``currency``, the ``coverage_gap`` as a timedelta and
    the ``note``. Decimal columns have the object dtype; convert them
    (``frame["achieved"].astype(float)``) to plot or average.

    ``threshold`` and ``unit`` come from the same place as in
    `service_report_data`: give the ``agreements`` the reports judged (one, or an
    iterable; matched by id, their terms in force at each result's period) and
    every result has its target's threshold, judged or not, as the JSON report
    shows it. A report whose agreement is not given has, for a result not judged,
    the threshold of its error budget (availability) or ``None``; a judged result
    has its figure less its margin, which is the target's threshold.

    Raises:
        ImportError: pandas is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: a value that is not a `ServiceLevelReport` (``$.reports[1]``)
            or not a `CloudServiceAgreement` (``$.agreements[0]``), or two
            agreements with one id.
    """
    reports = _reports(report_or_reports)
    by_id = _agreements(agreements)
    pandas = _extra("pandas", "to_frame")
    return pandas.DataFrame(_frame_rows(reports, by_id), columns=list(FRAME_COLUMNS))


def evidence_frame(report: ServiceLevelReport) -> DataFrame:
    """The evidence behind every result of ``report`` as a pandas DataFrame.

    One row per item of evidence, in report order, with `EVIDENCE_FRAME_COLUMNS`:
    the result it supports (``sla``, ``target``, ``service``), the item's ``kind``,
    ``reference``, ``start`` and ``end`` (in UTC), whether it was ``counted`` and the
    ``reason``.

    Raises:
        ImportError: pandas is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``report`` is not a `ServiceLevelReport` (``$.report``).
    """
    raise_problems(instance_problems(report, ServiceLevelReport, "$.report"), _SUBJECT)
    pandas = _extra("pandas", "evidence_frame")
    rows = [
        (
            result.sla_id,
            result.target_id,
            result.service_id,
            str(item.kind),
            item.reference,
            _utc(item.start),
            _utc(item.end),
            item.counted,
            item.reason,
        )
        for result in report.results
        for item in result.evidence
    ]
    return pandas.DataFrame(rows, columns=list(EVIDENCE_FRAME_COLUMNS))


@attrs.frozen
class _Line:
    """One availability line of the chart: its label and its points in time order.

    A point's x is the wall time its period starts at, in the period's own zone, as
    a naive datetime (`_wall`).
    """

    label: str
    points: tuple[tuple[dt.datetime, float], ...]


def _wall(instant: dt.datetime) -> dt.datetime:
    """The wall time of ``instant`` in its own zone, naive (Berlin's 1 September: 09-01 00:00).

    The chart's time axis is the calendar: a month drawn at its UTC start would sit
    on the last day of the month before in every zone east of UTC, and months of
    customers in different zones would not line up.
    """
    return instant.replace(tzinfo=None)


def _ticks(lines: list[_Line]) -> tuple[list[dt.datetime], list[str]]:
    """One tick per period start drawn: ``YYYY-MM``, or ``YYYY-MM-DD`` when two share a month."""
    starts = sorted({x for line in lines for x, _ in line.points})
    months = [f"{x:%Y-%m}" for x in starts]
    if len(set(months)) < len(months):  # periods shorter than a month: name the day
        return starts, [f"{x:%Y-%m-%d}" for x in starts]
    return starts, months


def _numbers(dates: Any, walls: list[dt.datetime]) -> Any:  # noqa: ANN401 - matplotlib's
    """Wall times as matplotlib date numbers, read as they are.

    Each is labelled UTC before conversion, so matplotlib neither shifts it nor
    consults its ``timezone`` setting.
    """
    return dates.date2num([wall.replace(tzinfo=dt.UTC) for wall in walls])


def _chart_lines(
    reports: list[ServiceLevelReport], service_id: str | None
) -> tuple[list[_Line], list[Decimal]]:
    """The lines to draw (one per customer, service and target) and the distinct thresholds."""
    points: dict[tuple[str, str, str, str], list[tuple[dt.datetime, float]]] = {}
    thresholds: set[Decimal] = set()
    for report in reports:
        for result in report.results:
            if result.metric is not Metric.AVAILABILITY or result.achieved is None:
                continue
            if service_id is not None and result.service_id != service_id:
                continue
            key = (report.customer_id, result.service_id, result.sla_id, result.target_id)
            points.setdefault(key, []).append(
                (_wall(result.period.start), float(Decimal(result.achieved.magnitude)))
            )
            threshold = _threshold(result, None)
            if threshold is not None:
                thresholds.add(threshold)
    customers = {key[0] for key in points}
    targets: dict[tuple[str, str], int] = {}
    for customer, service, _, _ in points:
        targets[customer, service] = targets.get((customer, service), 0) + 1
    lines = []
    for key, found in points.items():
        customer, service, sla, target = key
        label = service
        if targets[customer, service] > 1:  # several availability targets for one service
            label += f" {sla}/{target}"
        if len(customers) > 1:
            label = f"{customer}: {label}"
        ordered = sorted(found, key=lambda point: point[0])
        lines.append(_Line(label, tuple(ordered)))
    return lines, sorted(thresholds)


def availability_chart(
    reports: ServiceLevelReport | Iterable[ServiceLevelReport],
    service_id: str | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """Availability month by month against its threshold, as a matplotlib figure.

    One line per service (and per customer and availability target, where the
    reports hold several) with a point per report and one dashed horizontal line
    per distinct threshold. A point sits at the wall time its period starts at in
    the period's own zone (Berlin's September at 1 September 00:00, not at its UTC
    start on 31 August), so months of customers in different zones line up; the time
    axis has one tick per period drawn, labelled ``YYYY-MM`` from that local start
    (``YYYY-MM-DD`` when periods shorter than a month share a month). ``service_id``
    keeps one service (``None``: every service with an availability figure). Draws into
    ``ax`` when given (and returns its figure); otherwise into a new
    `matplotlib.figure.Figure`, made without pyplot: no global state is touched and
    no window opens, so it works on any backend (``figure.savefig("a.png")``).

    Raises:
        ImportError: matplotlib is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: a value that is not a `ServiceLevelReport`
            (``$.reports[1]``), or no availability figure to draw (``$.service_id``).
    """
    listed = _reports(reports)
    lines, thresholds = _chart_lines(listed, service_id)
    if not lines:
        which = "any service" if service_id is None else repr(service_id)
        raise ValidationError.single(
            "$.service_id",
            "a service with an availability figure in the reports",
            f"no availability figure for {which}",
            subject="Availability chart",
        )
    figure_module = _extra("matplotlib.figure", "availability_chart")
    dates = _extra("matplotlib.dates", "availability_chart")
    if ax is None:
        figure = figure_module.Figure(figsize=(8, 4))
        ax = figure.add_subplot()
    for line in lines:
        xs = _numbers(dates, [x for x, _ in line.points])
        ys = [y for _, y in line.points]
        ax.plot(xs, ys, marker="o", label=line.label)
    for threshold in thresholds:
        ax.axhline(
            float(threshold), linestyle="--", color="grey", label=f"threshold {plain(threshold)} %"
        )
    starts, labels = _ticks(lines)
    ax.set_xticks(_numbers(dates, starts), labels=labels)
    ax.set_ylabel("availability (%)")
    ax.set_title("Availability" + ("" if service_id is None else f" of {service_id}"))
    ax.legend()
    root = ax.figure
    while not isinstance(root, figure_module.Figure):  # a subfigure: its parent's figure
        root = root.figure
    return root  # type: ignore[no-any-return]
