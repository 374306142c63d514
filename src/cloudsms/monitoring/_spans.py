r"""The interval algebra of the monitoring package: spans on the absolute timeline (S10).

The measures (`cloudsms.monitoring.metrics`), the evaluation
(`cloudsms.monitoring.evaluation`) and the sample series
(`cloudsms.monitoring.observations`) all reason about half-open spans of time:
outages, maintenance windows, open support hours, runs of missing samples. They share
this one implementation instead of keeping copies.

An instant is read once, on entry, as its distance from 1970-01-01T00:00Z: a
`datetime.timedelta`, which holds whole microseconds and is compared, added and
subtracted exactly in C. That is the absolute timeline, so a month in Europe/Berlin
holding the autumn DST change lasts 745 hours; it is also cheaper than whole integer
microseconds, which cost a floor division per instant (a timedelta becomes an int
once, for a ratio). A span is the pair ``(start, end)`` of such distances, ``[start,
end)``. The set operations take and give lists of spans that are in order, merged
(no two overlap or touch) and non-empty, as `merged` makes them:

- `merged`: the union of any spans;
- `common`: ``A ∩ B``; `minus`: ``A \ B``; `total`: ``|A|``;
- `union_length`: ``|union(S) ∩ [low, high)|`` in one sort and one pass, without
  building the union;
- `inside`: whether an instant lies in ``A``; `reaching`: where a walk along ``A``
  has covered a given length;
- `open_within`: a calendar's open spans over a period, as spans;
- `percent`: an exact ratio of two lengths in percent, as a quantity's magnitude holds it.

Private to the package: nothing here checks its arguments (the callers do).
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache
from itertools import accumulate, repeat
from typing import TYPE_CHECKING, Any

from cloudsms.periods import timezone

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cloudsms.periods import Period, SupportHours

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""The origin of the timeline: 1970-01-01T00:00Z."""
ZERO = dt.timedelta()
MICROSECOND = dt.timedelta(microseconds=1)

_WALL_EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - given each zone in turn: a wall reading
_DAY = dt.timedelta(days=1)
_ZONE = operator.attrgetter("tzinfo")
_FIRST = operator.itemgetter(0)
_PERCENT_DIGITS = Context(prec=38, rounding=ROUND_HALF_EVEN)
"""38 significant digits, half to even: as many as a quantity's magnitude holds."""

Interval = tuple[dt.timedelta, dt.timedelta]
"""A span as its two ends' distances from `EPOCH`: ``[start, end)``."""


# ---------------------------------------------------------------------- instants
def since_epoch(instant: dt.datetime) -> dt.timedelta:
    """An aware instant as its distance from `EPOCH`."""
    return instant - EPOCH


def all_since_epoch(instants: list[Any]) -> list[dt.timedelta]:
    """Aware instants as their distances from `EPOCH`, the work done in C.

    Instants that share one zone (the usual case) are read on the wall clock: two
    datetimes of the same tzinfo subtract as wall times, without asking the zone, and
    the instant's own UTC offset then turns its wall reading into the instant (a
    fixed offset needs no second step). That costs one offset look-up per instant,
    where subtracting the UTC epoch from each would cost two, and it gives the same
    result, DST folds included. Instants of mixed zones take that plain way. Raises
    what the arithmetic raises (`TypeError`, `AttributeError`) for anything else.
    """
    zone = instants[0].tzinfo
    if not all(map(operator.is_, map(_ZONE, instants), repeat(zone))):
        return list(map(operator.sub, instants, repeat(EPOCH)))
    if type(zone) is dt.timezone:
        return list(map(operator.sub, instants, repeat(EPOCH.astimezone(zone))))
    walls = map(operator.sub, instants, repeat(_WALL_EPOCH.replace(tzinfo=zone)))
    return list(map(operator.sub, walls, map(dt.datetime.utcoffset, instants)))


def span_of(item: Any) -> Interval:  # noqa: ANN401 - anything with an aware .start and .end
    """The span of an outage, a window, a period: anything with ``start`` and ``end``."""
    return item.start - EPOCH, item.end - EPOCH


def instant_at(distance: dt.timedelta, zone: dt.tzinfo | None) -> dt.datetime:
    """The instant ``distance`` from `EPOCH`, in ``zone``."""
    return (EPOCH + distance).astimezone(zone)


def micros(length: dt.timedelta) -> int:
    """A length as whole microseconds (a timedelta holds nothing finer)."""
    return length // MICROSECOND


# ---------------------------------------------------------------------- set operations
def merged(spans: Iterable[Interval]) -> list[Interval]:
    """The union of ``spans``: in order, joined where they overlap or touch, empty ones dropped."""
    union: list[Interval] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if union and start <= union[-1][1]:
            if end > union[-1][1]:
                union[-1] = (union[-1][0], end)
        else:
            union.append((start, end))
    return union


def minus(keep: list[Interval], cut: list[Interval]) -> list[Interval]:
    r"""``keep \ cut``: the instants of ``keep`` outside ``cut`` (both in order and merged)."""
    result: list[Interval] = []
    first, count = 0, len(cut)
    for start, end in keep:
        while first < count and cut[first][1] <= start:
            first += 1
        lower, k = start, first
        while k < count and lower < end and cut[k][0] < end:
            cut_start, cut_end = cut[k]
            if cut_start > lower:
                result.append((lower, cut_start))
            lower = max(lower, cut_end)
            k += 1
        if lower < end:
            result.append((lower, end))
    return result


def common(left: list[Interval], right: list[Interval]) -> list[Interval]:
    """``left ∩ right``: the instants in both (both in order and merged), in order."""
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return result


def total(spans: Iterable[Interval]) -> dt.timedelta:
    """The length of spans that do not overlap: the sum of their lengths."""
    return sum((end - start for start, end in spans), ZERO)


def union_length(spans: list[Interval], low: dt.timedelta, high: dt.timedelta) -> dt.timedelta:
    """The length of the union of ``spans`` within ``[low, high)``: each instant once.

    In start order, each span adds what lies past ``reach`` (``low``, then the latest
    end so far), up to ``high``: the spans before it start no later, so together they
    cover up to ``reach`` already. One sort and one pass; ``spans`` need not be merged.
    """
    length = ZERO
    reach = low
    for start, end in sorted(spans):
        if end > reach:
            if start > reach:  # noqa: PLR1730 - cheaper than calling max() in the hot loop
                reach = start
            if end > high:
                end = high  # noqa: PLW2901 - the span clipped to the window
                if reach >= end:
                    break
            length += end - reach
            reach = end
    return length


def inside(spans: list[Interval], point: dt.timedelta) -> bool:
    """Whether ``point`` lies in one of ``spans`` (in order and merged; half-open)."""
    index = bisect.bisect_right(spans, point, key=_FIRST) - 1
    return index >= 0 and point < spans[index][1]


def reaching(spans: list[Interval], amount: dt.timedelta) -> dt.timedelta:
    """Where ``spans``, walked in order, have added up to ``amount`` (they add up to as much)."""
    reached = list(accumulate(end - start for start, end in spans))
    index = bisect.bisect_left(reached, amount)
    return spans[index][1] - (reached[index] - amount)


# ---------------------------------------------------------------------- calendars
@lru_cache(maxsize=64)
def _open_spans(hours: SupportHours, first: dt.date, last: dt.date) -> tuple[Interval, ...]:
    """The open spans of ``hours`` on the local days ``first`` to ``last``.

    Bounded: a fleet evaluated month by month asks for the same few calendars again.
    """
    return tuple(
        (opens - EPOCH, closes - EPOCH) for opens, closes in hours.open_spans(first, last)
    )


def open_within(hours: SupportHours, period: Period) -> list[Interval]:
    """The spans ``hours`` is open inside ``period``: ``P ∩ H``, in order and merged.

    The calendar is read over the period's local dates with a day's margin each side
    (a clock put back over midnight reads a local date again), then cut to the period.
    """
    zone = timezone(hours.timezone)
    first = period.start.astimezone(zone).date() - _DAY
    last = period.end.astimezone(zone).date() + _DAY
    low, high = span_of(period)
    return [
        (max(opens, low), min(closes, high))
        for opens, closes in _open_spans(hours, first, last)
        if opens < high and closes > low
    ]


# ---------------------------------------------------------------------- ratios
def percent(part: int, whole: int) -> Decimal:
    """``100 * part / whole`` (``whole`` above 0) as a Decimal of at most 38 digits.

    Exact whenever the quotient has a decimal expansion of at most 38 significant
    digits (Decimal division is), else rounded half to even at the 38th.
    """
    return _PERCENT_DIGITS.divide(Decimal(part * 100), Decimal(whole))
