r"""Exact service measures: availability, downtime, percentiles and error budgets (S10).

The figures a monthly service report states and a target is judged on: how much of
the time the service was expected to be up it was up, how long it was down, the
response time at a percentile, and how much of an availability target's error budget
is left. Serves S10 (monitor and report: availability is uptime over expected uptime,
an excluded window leaving both; latency percentiles; error budgets) and
ISO/IEC 20000-1:2011 6.1 (service level management: achievement measured against the
agreed targets) and 6.3 (service continuity and availability management: availability
measured and recorded).

Every function is pure and exact. Instants become their distance from
1970-01-01T00:00Z once, on entry, as a `datetime.timedelta` (whole microseconds,
compared and subtracted exactly in C): the absolute timeline, so a month in
Europe/Berlin holding the autumn DST change lasts 745 hours. Spans are clipped,
sorted and merged by the package's one interval algebra (``_spans``, which the
evaluation shares), lengths are summed exactly, a ratio is a `fractions.Fraction` of
whole microseconds, and only the final figure becomes a pint quantity. Nothing is
remembered between calls except the open spans of a few recent service-hours
calendars (a bounded cache).

The formulas, for a period ``P``, outages ``O``, excluded windows ``X`` and, when the
target counts uptime in service hours only, the open spans ``H`` of those hours:

- expected windows ``W = (P ∩ H) \ X`` (``W = P \ X`` round the clock);
- expected uptime ``E = |W|`` (`expected_uptime`);
- downtime ``D = |union(O) ∩ W|`` (`downtime`): outages that overlap count once,
  and only inside the period, the service hours and outside the exclusions;
- availability ``A = (E - D) / E`` (`availability_fraction`), stated as
  ``100 * A`` percent (`availability`);
- the nearest-rank percentile ``p`` of ``n`` values is the value of rank
  ``⌈p / 100 * n⌉`` (1-based) in ascending order (`percentile`);
- an error budget allows ``(1 - target / 100) * E`` of downtime over the period
  (`error_budget`).

Worked example: 43.2 minutes down in November 2026 (UTC, 30 days, 43,200 minutes):
``A = (43200 - 43.2) / 43200 = 0.999``, exactly 99.9 %. One hour down in October
2026 in Europe/Berlin (745 hours): ``A = 744 / 745``.

    >>> import datetime as dt
    >>> from cloudsms.periods import Period
    >>> november = Period.month(2026, 11, "UTC")
    >>> down = Period(
    ...     dt.datetime(2026, 11, 9, 3, 0, tzinfo=dt.UTC),
    ...     dt.datetime(2026, 11, 9, 3, 43, 12, tzinfo=dt.UTC),
    ... )
    >>> availability([down], november).magnitude
    Decimal('99.9')
"""

from __future__ import annotations

import array
import datetime as dt
import heapq
import math
import operator
from collections import abc
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import attrs

from cloudsms._foundation.instants import instant_problems
from cloudsms.agreements import Metric, OutageCause, ServiceTarget
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.monitoring._spans import (
    ZERO,
    Interval,
    all_since_epoch,
    common,
    instant_at,
    merged,
    micros,
    minus,
    open_within,
    percent,
    reaching,
    since_epoch,
    span_of,
    total,
    union_length,
)
from cloudsms.periods import Period, SupportHours
from cloudsms.units import fraction_in, is_quantity, magnitude_in, quantity, same_dimension

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cloudsms.units import Quantity

__all__ = [
    "ErrorBudget",
    "Span",
    "availability",
    "availability_fraction",
    "downtime",
    "error_budget",
    "expected_uptime",
    "percentile",
]

_START = operator.attrgetter("start")
_END = operator.attrgetter("end")
_HEAP_SHARE = 32
"""A rank this close to either end (within n/32 values) is found with a heap, not a sort."""
_AVAILABILITY = "availability query"
_DOWNTIME = "downtime query"
_EXPECTED = "expected uptime query"
_PERCENTILE = "percentile query"
_BUDGET = "error budget query"
_SPAN_TEXT = "a span with aware start and end instants (an Outage, a MaintenanceWindow, a Period)"

_T = TypeVar("_T")


class Span(Protocol):
    """Anything with an aware ``start`` and ``end``: an outage, a maintenance window, a period.

    The measures read only these two instants (half-open, ``[start, end)``); an
    outage's services and cause are for the caller to select by (S10).
    """

    @property
    def start(self) -> dt.datetime:
        """The first instant of the span."""

    @property
    def end(self) -> dt.datetime:
        """The first instant after the span."""


# ---------------------------------------------------------------------- the exact core
def _is_collection(value: object) -> bool:
    """Whether ``value`` is a collection of items (text and mappings are not)."""
    return isinstance(value, abc.Iterable) and not isinstance(value, str | bytes | abc.Mapping)


def _spans(items: object, name: str, subject: str) -> list[Interval]:
    """Each span as its ends' distances from the epoch, checked: aware, end after start.

    The fast path converts and compares without looking further; only when something
    fails are the items examined one by one, so every problem is reported with its path.
    """
    if not _is_collection(items):
        raise ValidationError.single(
            f"$.{name}", f"a collection of spans ({_SPAN_TEXT})", describe(items), subject=subject
        )
    given = items if isinstance(items, list | tuple) else list(cast("Iterable[Any]", items))
    if not given:
        return []
    count = len(given)
    try:
        instants = list(map(_START, given))
        instants += map(_END, given)
        ends = all_since_epoch(instants)
    except (AttributeError, TypeError, OverflowError):
        ends = []
    starts, ends = ends[:count], ends[count:]
    if len(ends) != count or not all(map(operator.lt, starts, ends)):
        raise ValidationError(_span_problems(given, name), subject=subject)
    return list(zip(starts, ends, strict=True))


def _span_problems(items: Sequence[object], name: str) -> list[Problem]:
    """Every problem of the spans, each at ``$.<name>[i]`` (``.start``, ``.end``)."""
    problems: list[Problem] = []
    for index, item in enumerate(items):
        path = f"$.{name}[{index}]"
        start, end = getattr(item, "start", None), getattr(item, "end", None)
        if start is None or end is None:
            problems.append(Problem(path, _SPAN_TEXT, describe(item)))
            continue
        found = instant_problems(start, f"{path}.start") + instant_problems(end, f"{path}.end")
        if found:
            problems += found
        elif since_epoch(end) <= since_epoch(start):
            expected = f"an instant after the start ({start.isoformat()})"
            problems.append(Problem(f"{path}.end", expected, end.isoformat()))
    return problems or [Problem(f"$.{name}", _SPAN_TEXT, describe(items))]


def _windows(
    period: Period,
    exclusions: Iterable[Span],
    service_hours: SupportHours | None,
    subject: str,
) -> tuple[dt.timedelta, dt.timedelta, list[Interval]]:
    r"""The period's bounds and its expected windows ``W = (P ∩ H) \ X``, in order."""
    if not isinstance(period, Period):
        raise ValidationError.single("$.period", "a Period", describe(period), subject=subject)
    low, high = span_of(period)
    if service_hours is None:
        windows = [(low, high)]
    elif isinstance(service_hours, SupportHours):
        windows = open_within(service_hours, period)
    else:
        raise ValidationError.single(
            "$.service_hours", "SupportHours or None", describe(service_hours), subject=subject
        )
    cut = _spans(exclusions, "exclusions", subject)
    if cut:
        windows = minus(windows, merged(cut))
    return low, high, windows


def _down(outages: Iterable[Span], windows: list[Interval], subject: str) -> list[Interval]:
    """The downtime spans ``union(O) ∩ W``, in order and merged."""
    spans = _spans(outages, "outages", subject)
    if not windows:
        return []
    return common(merged(spans), windows)


def _down_length(outages: Iterable[Span], windows: list[Interval], subject: str) -> dt.timedelta:
    """``D = |union(O) ∩ W|``; one sort and one sweep round the clock."""
    if len(windows) == 1:
        return union_length(_spans(outages, "outages", subject), *windows[0])
    return total(_down(outages, windows, subject))


def _no_uptime(period: Period, subject: str) -> ValidationError:
    return ValidationError.single(
        "$.period",
        "a period with expected uptime (some of it in service hours and not excluded)",
        f"none in {period}",
        subject=subject,
    )


# ---------------------------------------------------------------------- availability
def expected_uptime(
    period: Period,
    *,
    exclusions: Iterable[Span] = (),
    service_hours: SupportHours | None = None,
) -> dt.timedelta:
    r"""The time the service is expected to be up in ``period``: ``E = |(P ∩ H) \ X|``.

    The period itself round the clock, or only the open spans of ``service_hours``
    when the target counts uptime in service hours (`cloudsms.agreements.UptimeBasis`);
    either way without the ``exclusions`` (spans such as announced maintenance
    windows). Exact to the microsecond, on the absolute timeline. It may be zero, where
    `availability_fraction` gives None and `availability` raises. Serves S10;
    ISO/IEC 20000-1:2011 6.1, 6.3.

    Raises:
        ValidationError: ``period`` is not a `cloudsms.periods.Period`,
            ``service_hours`` is not `cloudsms.periods.SupportHours`, or an exclusion
            is not a span with aware instants ending after it starts (at
            ``$.exclusions[i]``).

    Examples:
        >>> from cloudsms.periods import SupportHours
        >>> november = Period.month(2026, 11, "UTC")
        >>> expected_uptime(november)
        datetime.timedelta(days=30)
        >>> office = SupportHours.weekdays("09:00", "17:00", "UTC")
        >>> expected_uptime(november, service_hours=office) / dt.timedelta(hours=1)  # 21 days
        168.0
    """
    _, _, windows = _windows(period, exclusions, service_hours, _EXPECTED)
    return total(windows)


def downtime(
    outages: Iterable[Span],
    period: Period,
    *,
    exclusions: Iterable[Span] = (),
    service_hours: SupportHours | None = None,
) -> dt.timedelta:
    """How long the service was down in ``period``: ``D = |union(O) ∩ W|``.

    ``W`` is the expected uptime (`expected_uptime`): outages count only inside the
    period (an outage spanning two months counts in each for its own part), inside the
    service hours when given, and outside the ``exclusions``; outages that overlap
    count once. Every outage given counts, whatever its services and cause: select
    the service's outages and leave out the excluded causes first (S10). Exact to the
    microsecond; splitting a period into parts splits its downtime into parts that add
    up to it. Serves S10; ISO/IEC 20000-1:2011 6.3.

    Raises:
        ValidationError: an outage or an exclusion is not a span with aware instants
            ending after it starts (at ``$.outages[i]``, ``$.exclusions[i]``), or the
            period or service hours are of the wrong type.

    Examples:
        >>> at = lambda hour, minute=0: dt.datetime(2026, 11, 9, hour, minute, tzinfo=dt.UTC)
        >>> overlapping = [Period(at(10), at(11)), Period(at(10, 30), at(11, 30))]
        >>> downtime(overlapping, Period.month(2026, 11, "UTC"))
        datetime.timedelta(seconds=5400)
    """
    _, _, windows = _windows(period, exclusions, service_hours, _DOWNTIME)
    return _down_length(outages, windows, _DOWNTIME)


def availability_fraction(
    outages: Iterable[Span],
    period: Period,
    *,
    exclusions: Iterable[Span] = (),
    service_hours: SupportHours | None = None,
) -> Fraction | None:
    """The share of the expected uptime the service was up, exactly: ``A = (E - D) / E``.

    ``E`` is `expected_uptime` and ``D`` is `downtime` with the same arguments; an
    excluded window leaves both. The result is a `fractions.Fraction` from 0 to 1,
    or None when there is no expected uptime at all (``E = 0``: every instant of the
    period excluded or outside the service hours), where availability has no value
    and a report says so instead (`availability` raises there). Serves S10;
    ISO/IEC 20000-1:2011 6.1, 6.3.

    Raises:
        ValidationError: as `downtime`.

    Examples:
        >>> october = Period.month(2026, 10, "Europe/Berlin")  # 745 hours
        >>> hour = Period.starting(october.start, dt.timedelta(hours=1))
        >>> availability_fraction([hour], october)
        Fraction(744, 745)
        >>> print(availability_fraction([hour], october, exclusions=[october]))
        None
    """
    up, expected = _uptime(outages, period, exclusions, service_hours)
    return Fraction(up, expected) if expected else None


def _uptime(
    outages: Iterable[Span],
    period: Period,
    exclusions: Iterable[Span],
    service_hours: SupportHours | None,
) -> tuple[int, int]:
    """``(E - D, E)`` in whole microseconds."""
    _, _, windows = _windows(period, exclusions, service_hours, _AVAILABILITY)
    down = micros(_down_length(outages, windows, _AVAILABILITY))
    expected = micros(total(windows))
    return expected - down, expected


def availability(
    outages: Iterable[Span],
    period: Period,
    *,
    exclusions: Iterable[Span] = (),
    service_hours: SupportHours | None = None,
) -> Quantity:
    """Availability in ``period`` as a percent quantity: ``100 * (E - D) / E`` %.

    The exact `availability_fraction`, converted once to a quantity in ``percent``
    whose magnitude is a `decimal.Decimal`: exact when the percentage has a decimal
    expansion of at most 38 significant digits (43.2 minutes down in a 30-day month
    is ``Decimal('99.9')``), else rounded half to even at 38 significant digits
    (744/745 of a Berlin October is 99.865771812080536912751677852348993289 %).
    Judge it with `cloudsms.agreements.judge`. Serves S10; ISO/IEC 20000-1:2011 6.1, 6.3.

    Raises:
        ValidationError: as `downtime`, or the period has no expected uptime (every
            instant excluded or outside the service hours; at ``$.period``).

    Examples:
        >>> print(availability([], Period.month(2026, 11, "UTC")))
        100 percent
        >>> availability([], Period.month(2026, 11, "UTC"), service_hours="24x7")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Availability query is invalid (1 problem):
          - expected SupportHours or None, got '24x7' (string) @ $.service_hours
    """
    up, expected = _uptime(outages, period, exclusions, service_hours)
    if not expected:
        raise _no_uptime(period, _AVAILABILITY)
    # Decimal division is exact whenever the quotient fits the context's 38 digits.
    return quantity(percent(up, expected), "percent")


# ---------------------------------------------------------------------- percentiles
def _share(p: object) -> Fraction:
    """``p`` as an exact Fraction in (0, 100]; a float is refused (it cannot say 99.9)."""
    value: Fraction | None = None
    if (isinstance(p, int) and not isinstance(p, bool)) or (
        isinstance(p, Decimal) and p.is_finite()
    ):
        value = Fraction(p)
    elif isinstance(p, Fraction):
        value = p
    if value is None or not 0 < value <= 100:  # noqa: PLR2004 - percent
        expected = "a percentile above 0 and at most 100 (an int, Decimal or Fraction; no float)"
        raise ValidationError.single("$.p", expected, describe(p), subject=_PERCENTILE)
    return value


def _packed(values: array.array[Any]) -> list[Any]:
    """The samples of a packed series, without NaN (a missing sample); infinity refused."""
    if values.typecode in {"u", "w"}:
        raise ValidationError.single(
            "$.values",
            "an array of numbers, such as array('d') of latencies in milliseconds",
            f"an array of typecode {values.typecode!r}",
            subject=_PERCENTILE,
        )
    if math.isfinite(sum(values)):  # one pass in C: no NaN, no infinity
        return values.tolist()
    data = [value for value in values if value == value]  # noqa: PLR0124 - NaN is missing
    if not math.isfinite(sum(data)):
        _refuse_infinities(values)
    return data


def _refuse_infinities(values: Iterable[float]) -> None:
    problems = [
        Problem(f"$.values[{i}]", "a finite number (NaN marks a missing sample)", repr(value))
        for i, value in enumerate(values)
        if math.isinf(value)
    ]
    if problems:
        raise ValidationError(problems, subject=_PERCENTILE)


def _number_problem(value: object, path: str) -> Problem | None:
    """The problem of a value that should be a finite number, or None (NaN is allowed)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        expected = "a number (int, float, Decimal or Fraction), as the first value is"
        return Problem(path, expected, describe(value))
    if isinstance(value, Decimal) and value.is_infinite():
        return Problem(path, "a finite number (NaN marks a missing sample)", describe(value))
    if isinstance(value, float) and math.isinf(value):
        return Problem(path, "a finite number (NaN marks a missing sample)", describe(value))
    return None


def _is_nan(value: object) -> bool:
    """Whether ``value`` is a float or Decimal NaN: a missing sample."""
    if isinstance(value, float):
        return value != value  # noqa: PLR0124 - the one value unequal to itself
    return isinstance(value, Decimal) and value.is_nan()


def _listed(values: object) -> tuple[list[Any], list[Fraction] | None]:
    """The values without NaN, and for quantities their exact keys in the first one's unit."""
    if not _is_collection(values):
        raise ValidationError.single(
            "$.values",
            "a collection of numbers or quantities, or an array('d')",
            describe(values),
            subject=_PERCENTILE,
        )
    items = list(cast("Iterable[object]", values))
    first = next((item for item in items if not _is_nan(item)), None)
    if not is_quantity(first):
        data = [item for item in items if not _is_nan(item)]
        problems = [_number_problem(item, f"$.values[{i}]") for i, item in enumerate(items)]
        _raise_any(problems)
        return data, None
    unit = _unit_text(first)
    keys: list[Fraction] = []
    problems = []
    for i, item in enumerate(items):
        try:
            keys.append(fraction_in(cast("Quantity", item), unit))
        except ValidationError:
            expected = f"a quantity convertible to {unit!r}, as the first value is"
            problems.append(Problem(f"$.values[{i}]", expected, describe(item)))
    _raise_any(problems)
    return items, keys


def _unit_text(value: Quantity) -> str:
    from cloudsms.units import format_quantity  # noqa: PLC0415 - only for quantities

    return format_quantity(value).partition(" ")[2] or "dimensionless"


def _raise_any(problems: Iterable[Problem | None]) -> None:
    found = [problem for problem in problems if problem is not None]
    if found:
        raise ValidationError(found, subject=_PERCENTILE)


def _ranked(keys: Sequence[Any], rank: int) -> int:
    """The index of the value of ``rank`` (1-based) in ascending order of ``keys``.

    A rank near either end is found with a heap (``heapq``: a 99th percentile of a
    month of minutes keeps 433 values, not 43,200); any other with one sort.
    """
    count = len(keys)
    from_top = count - rank + 1
    positions = range(count)
    if from_top * _HEAP_SHARE <= count:
        return heapq.nlargest(from_top, positions, key=keys.__getitem__)[-1]
    if rank * _HEAP_SHARE <= count:
        return heapq.nsmallest(rank, positions, key=keys.__getitem__)[-1]
    return sorted(positions, key=keys.__getitem__)[rank - 1]


def _ranked_value(data: list[Any], rank: int) -> Any:  # noqa: ANN401 - one of the values
    """The value of ``rank`` (1-based) in ascending order of plain comparable values."""
    count = len(data)
    from_top = count - rank + 1
    if from_top * _HEAP_SHARE <= count:
        return heapq.nlargest(from_top, data)[-1]
    if rank * _HEAP_SHARE <= count:
        return heapq.nsmallest(rank, data)[-1]
    return sorted(data)[rank - 1]


def percentile(values: Iterable[_T], p: Decimal | int | Fraction) -> _T:
    """The ``p``-th percentile of ``values`` by the nearest-rank method: one of the values.

    Sorted ascending, the values have ranks 1 to ``n``; the result is the value of
    rank ``⌈p / 100 * n⌉``, the smallest value that at least ``p`` % of the values
    do not exceed. So the 99th percentile of 1..100 is 99, the median of
    ``[1, 2, 3, 4]`` is 2, and the 100th percentile is the largest value; nothing is
    interpolated, so the result is always a value that was measured. ``p`` is above 0
    and at most 100, an int, `decimal.Decimal` or `fractions.Fraction` (a target's
    ``percentile``): a float is refused, as ``0.999 * 100`` is not 99.9 and would
    shift the rank.

    ``values`` is a packed series of samples (an `array.array`, such as ``'d'`` of
    latencies in milliseconds) or any collection of numbers or of quantities of one
    dimension (compared exactly in the first one's unit). NaN marks a missing sample
    and is left out before ranking; an infinite value is refused. A rank near either
    end is found with a heap, so the 99th percentile of a month of per-minute
    samples costs a pass, not a sort. Serves S10 (response-time targets at a
    percentile); ISO/IEC 20000-1:2011 6.1.

    Raises:
        ValidationError: ``p`` is out of range or not an exact number (at ``$.p``);
            no values are left (at ``$.values``); a value is not a number, a quantity
            of another dimension, or infinite (at ``$.values[i]``).

    Examples:
        >>> percentile(range(1, 101), 99), percentile([1, 2, 3, 4], 50)
        (99, 2)
        >>> from array import array
        >>> percentile(array("d", [120.0, float("nan"), 80.0, 95.0]), Decimal("99.9"))
        120.0
        >>> percentile([], 50)
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Percentile query is invalid (1 problem):
          - expected at least one value (NaN samples are missing and left out),
            got none @ $.values
    """
    share = _share(p)
    keys: list[Fraction] | None = None
    if isinstance(values, array.array):
        data: list[Any] = _packed(values)
    else:
        data, keys = _listed(values)
    if not data:
        raise ValidationError.single(
            "$.values",
            "at least one value (NaN samples are missing and left out)",
            "none",
            subject=_PERCENTILE,
        )
    rank = math.ceil(share * len(data) / 100)
    if keys is None:
        return cast("_T", _ranked_value(data, rank))
    return cast("_T", data[_ranked(keys, rank)])


# ---------------------------------------------------------------------- error budgets
@attrs.frozen(kw_only=True)
class ErrorBudget:
    """How much downtime an availability target allows in a period, and how much is left.

    ``threshold`` is the target in percent; ``expected_uptime`` is ``E`` over the whole
    period and ``elapsed_uptime`` the part of it before ``as_of``; ``allowed`` is
    ``(1 - threshold / 100) * E``, rounded down to whole microseconds (the budget is
    never overstated); ``used`` is the downtime before ``as_of``; ``remaining`` is
    ``allowed - used``, negative once the budget is overspent. ``exhausted_at`` is the
    instant the budget runs out (in the period's zone): the instant it ran out when
    it already has, else the instant it will at the burn rate so far, or None when
    nothing is used yet or the budget lasts past the period's end at that rate.

    A plain result (no checks), picklable. Serves S10 (error budgets of availability
    targets); ISO/IEC 20000-1:2011 6.1, 6.3.
    """

    threshold: Decimal
    period: Period
    as_of: dt.datetime
    expected_uptime: dt.timedelta
    elapsed_uptime: dt.timedelta
    allowed: dt.timedelta
    used: dt.timedelta
    remaining: dt.timedelta
    exhausted_at: dt.datetime | None

    @property
    def overspent(self) -> bool:
        """Whether more downtime was used than the target allows."""
        return self.remaining < dt.timedelta()

    @property
    def burn_rate(self) -> Fraction | None:
        """How fast the budget burns: ``(used / elapsed_uptime) / (1 - threshold / 100)``.

        1 means at this pace the budget lasts exactly the period; 2, that it runs out
        halfway. None before any expected uptime has elapsed, or for a 100 % target
        (no budget to burn).
        """
        budget_share = 1 - Fraction(self.threshold) / 100
        if not self.elapsed_uptime or not budget_share:
            return None
        return Fraction(micros(self.used), micros(self.elapsed_uptime)) / budget_share


def _threshold(target: object) -> Decimal:
    """The availability target in percent, from a ServiceTarget or a percent quantity."""
    if isinstance(target, ServiceTarget) and target.metric is Metric.AVAILABILITY:
        return target.threshold
    if is_quantity(target) and same_dimension(target, "percent"):
        value = magnitude_in(target, "percent")
        if 0 <= value <= 100:  # noqa: PLR2004 - percent
            return value
    raise ValidationError.single(
        "$.target",
        "an availability ServiceTarget or a percentage from 0 to 100 %, such as '99.9 %'",
        describe(target),
        subject=_BUDGET,
    )


def _exhausted(
    down: list[Interval],
    windows: list[Interval],
    *,
    allowed: dt.timedelta,
    used: dt.timedelta,
    elapsed: dt.timedelta,
    cut: dt.timedelta,
) -> dt.timedelta | None:
    """When the budget ran out or will at the burn rate so far (from the epoch), or None."""
    if not used:
        return None
    if used >= allowed:  # ran out: where the downtime so far reached the allowance
        return reaching(down, allowed)
    ahead = [(max(start, cut), end) for start, end in windows if end > cut]
    # The expected uptime after `cut` that burns the rest at used/elapsed per microsecond.
    needed = math.ceil(Fraction(micros(allowed - used) * micros(elapsed), micros(used)))
    if needed > micros(total(ahead)):  # also keeps a huge figure out of timedelta
        return None
    return reaching(ahead, dt.timedelta(microseconds=needed))


def _not_excluded(target: ServiceTarget, outages: Iterable[Span]) -> list[Span]:
    """The outages whose cause (where they state one) ``target`` does not exclude.

    Anything that is not a collection is passed on whole, for `_spans` to refuse.
    """
    if not _is_collection(outages):
        return cast("list[Span]", outages)
    causes = target.exclusions.causes
    given = list(outages)
    if not causes:
        return given
    return [o for o in given if not _excluded_cause(getattr(o, "cause", None), causes)]


def _excluded_cause(cause: object, causes: frozenset[OutageCause]) -> bool:
    return isinstance(cause, OutageCause) and cause in causes


def error_budget(
    target: ServiceTarget | Quantity,
    outages: Iterable[Span],
    period: Period,
    as_of: dt.datetime,
    *,
    exclusions: Iterable[Span] = (),
    service_hours: SupportHours | None = None,
) -> ErrorBudget:
    """The error budget of an availability target in ``period`` as of an instant.

    ``target`` is an availability `cloudsms.agreements.ServiceTarget` or a percent
    quantity such as ``quantity("99.9 %")``. With ``E`` the period's expected uptime
    (`expected_uptime`, with the same exclusions and service hours):

    - allowed downtime ``B = (1 - target / 100) * E``, rounded down to whole microseconds;
    - used ``U`` = the downtime (`downtime`) before ``as_of``, over the elapsed
      expected uptime ``L`` before ``as_of``;
    - remaining ``B - U`` (negative when overspent);
    - exhausted at: when ``U ≥ B`` and ``U > 0``, the instant the downtime so far
      reached ``B`` (found by walking the merged outages); when ``0 < U < B``, the
      instant by which ``(B - U) * L / U`` more expected uptime has passed after
      ``as_of`` (the burn rate so far, ``U / L``, held), rounded up to a whole
      microsecond; on the service-hours clock when ``service_hours`` is given and
      skipping the exclusions; None when ``U = 0`` or that instant is not in the period.

    Given a `cloudsms.agreements.ServiceTarget`, the outages whose ``cause`` the
    target's exclusions leave out (``customer``, ``force_majeure``, ... in
    ``target.exclusions.causes``) use none of the budget; an outage (or span) without
    a ``cause`` always counts, and so does every outage given with a bare percent.
    Maintenance windows are not read from the target: pass the windows it excludes
    (announced in time) as ``exclusions``, and a window announced too late as an
    outage. ``as_of`` before the period uses nothing; after it, the whole period.
    Serves S10 (error budgets of availability targets); ISO/IEC 20000-1:2011 6.1, 6.3.

    Raises:
        ValidationError: ``target`` is neither (at ``$.target``), ``as_of`` is not an
            aware instant (at ``$.as_of``), the period has no expected uptime (at
            ``$.period``), or as `downtime`.

    Examples:
        >>> from cloudsms.units import quantity
        >>> november = Period.month(2026, 11, "UTC")  # 30 days: 43.2 minutes at 99.9 %
        >>> day = lambda d, h=0, m=0: dt.datetime(2026, 11, d, h, m, tzinfo=dt.UTC)
        >>> budget = error_budget(
        ...     quantity("99.9 %"), [Period(day(3, 4), day(3, 4, 20))], november, day(11)
        ... )
        >>> [str(t) for t in (budget.allowed, budget.used, budget.remaining)]
        ['0:43:12', '0:20:00', '0:23:12']
        >>> budget.exhausted_at.isoformat()  # 20 minutes in 10 days: the rest lasts 11.6 days
        '2026-11-22T14:24:00+00:00'
    """
    threshold = _threshold(target)
    problems = instant_problems(as_of, "$.as_of")
    if problems:
        raise ValidationError(problems, subject=_BUDGET)
    if isinstance(target, ServiceTarget):
        outages = _not_excluded(target, outages)
    low, high, windows = _windows(period, exclusions, service_hours, _BUDGET)
    expected = total(windows)
    cut = min(max(since_epoch(as_of), low), high)
    down = [span for span in _down(outages, windows, _BUDGET) if span[0] < cut]
    if down and down[-1][1] > cut:
        down[-1] = (down[-1][0], cut)
    if not expected:
        raise _no_uptime(period, _BUDGET)
    elapsed = total(common(windows, [(low, cut)])) if cut > low else ZERO
    used = total(down)
    share = 1 - Fraction(threshold) / 100
    allowed = dt.timedelta(microseconds=math.floor(share * micros(expected)))
    when = _exhausted(down, windows, allowed=allowed, used=used, elapsed=elapsed, cut=cut)
    return ErrorBudget(
        threshold=threshold,
        period=period,
        as_of=as_of,
        expected_uptime=expected,
        elapsed_uptime=elapsed,
        allowed=allowed,
        used=used,
        remaining=allowed - used,
        exhausted_at=None if when is None else instant_at(when, period.start.tzinfo),
    )
