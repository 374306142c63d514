"""Capacity plans: how full each pool is, how fast it fills, when it runs out (S11).

A provider holds capacity per resource type in each pool (`ResourcePool`) and hands it
out to customers as allocations. `CapacityPlan.build` takes one pool, every allocation
of every customer, and an instant (``as_of``), and gives one `CapacityLine` per
resource type the pool has capacity for:

- what is held at ``as_of`` and what share of the capacity that is (``utilisation``),
  and the most held at any instant from then on, holdings already scheduled for
  later included (``scheduled_peak``: the capacity less `ResourcePool.free`);
- a growth projection fitted to the history of the holdings (`Projection`): a
  least-squares line through the amount held at the start of each day, or, once two
  years of whole calendar months lie behind ``as_of``, a trend over the months plus
  an additive index per month of the year, so a pool that fills every December is
  not mistaken for one that fills for ever; the method and its fit are part of the
  answer;
- the date each threshold is reached (`ThresholdDate`): ``warn`` and ``act`` of the
  type's `Thresholds` (fractions of the capacity; by default 3/4 and 9/10, cloudsms's
  choice) and ``full``, the whole capacity: reached already, reached on a date within
  the horizon, or not reached within it. A date is the earlier of the day the
  holdings already booked reach the level and the day the projection does, and the
  plan says which decided it;
- beside them, the holdings left unused long enough to be reclaimed
  (`reclaim_candidates`) and the capacity they would give back, when usage is known.

Which allocations are the pool's is decided as `ResourcePool.free` decides it: those
of the type whose ``location`` is the pool's or is not set; the plan counts the
others, by location and by type (`CapacityLeftOut`), so a location or a type typed
wrong shows. The pool itself is checked against the resource types first
(`ResourcePool.check`). Everything is exact:
amounts are fractions of the capacity's unit, the fits are computed on fractions,
and a date is a whole calendar day (UTC) on which the projection, evaluated exactly,
reaches the level.

Serves S11 (a capacity plan that identifies growth patterns, demand kept within
capacity, unused capacity recovered) and ISO/IEC 20000-1:2011 6.5 (capacity
management: current and forecast capacity, thresholds, planned action).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Literal, cast

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.exact import (
    DECIMAL_TEXT,
    bounded_fraction,
    bounded_magnitude,
    exact_decimal,
    to_decimal,
)
from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._foundation.strict_json import key_path
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import (
    calendar_length,
    ident,
    instance_problems,
    instant,
    raise_problems,
)
from cloudsms._kit.records import Record, check
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.periods import add_calendar, calendar_length_problems
from cloudsms.resources.types import (
    Allocation,
    ReclaimCandidate,
    ResourcePool,
    ResourceType,
    Usage,
    reclaim_candidates,
)
from cloudsms.units import Quantity, format_quantity, fraction_in, quantity

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "CapacityLeftOut",
    "CapacityLine",
    "CapacityPlan",
    "CapacitySample",
    "LeftOutGroup",
    "Projection",
    "ThresholdDate",
    "Thresholds",
]

_UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_DAY = 86_400_000_000  # microseconds
_ONE_DAY = dt.timedelta(days=1)
_MONTHS = 12
_SEASONAL_MONTHS = 24
# The mean length of a Gregorian month in days (400 years are 146097 days, 4800 months):
# what a seasonal trend's slope per month is divided by to say it per day.
_MEAN_MONTH_DAYS = Fraction(146097, 4800)
_DEFAULT_HORIZON = relativedelta(years=3)
_SUBJECT = "capacity plan"
_INT_BITS = 64  # an int threshold is 0 or 1; a longer one is refused before any work

Method = Literal["linear", "seasonal", "none"]
ThresholdName = Literal["warn", "act", "full"]
DecidedBy = Literal["held", "scheduled", "projection"]


def _micros(instant_: dt.datetime) -> int:
    """An aware instant as whole microseconds since 1970-01-01T00:00Z."""
    return (instant_ - _EPOCH) // _MICROSECOND


def _midnight(day: dt.date) -> int:
    return (day - _EPOCH.date()).days * _DAY


def _fraction_text(value: Fraction) -> str:
    """A fraction as decimal text where its decimals end (``0.75``), else ``n/d``."""
    exact = exact_decimal(value)
    if exact is not None:
        return format(exact, "f")
    return f"{value.numerator}/{value.denominator}"


def _unit_text(value: Quantity) -> str:
    return format_quantity(value).partition(" ")[2]


# ---------------------------------------------------------------------- thresholds
_FRACTION_TEXT = re.compile(r"([0-9]{1,40})/([0-9]{1,40})", re.ASCII)
_SHARE_EXPECTED = (
    "a fraction of the capacity above 0 and at most 1 (a Fraction, Decimal or int, or "
    "text such as '0.75' or '3/4'; no float)"
)


def _share_of(value: object) -> object:
    """A threshold's number as a `Fraction`, or ``value`` itself when it is not one."""
    if isinstance(value, Decimal):
        bounded = bounded_magnitude(Decimal(value))
        return value if bounded is None else Fraction(bounded)
    if isinstance(value, str):
        if DECIMAL_TEXT.fullmatch(value):
            bounded = bounded_magnitude(Decimal(value))
            return value if bounded is None else Fraction(bounded)
        written = _FRACTION_TEXT.fullmatch(value)
        if written is not None and int(written.group(2)):
            return Fraction(int(written.group(1)), int(written.group(2)))
    return value


def _share(value: Fraction | Decimal | int | str) -> Fraction:
    """A threshold as an exact `Fraction`; a value that is none is kept for the check."""
    given: object = value
    if isinstance(given, int) and not isinstance(given, bool):
        given = Fraction(given) if given.bit_length() <= _INT_BITS else given
    else:
        given = _share_of(given)
    return cast("Fraction", given)


def _share_problems(value: object, path: str) -> list[Problem]:
    if not isinstance(value, Fraction) or bounded_fraction(value) is None:
        return [Problem(path, _SHARE_EXPECTED, describe(value))]
    if not 0 < value <= 1:
        return [
            Problem(
                path, "a fraction of the capacity above 0 and at most 1", _fraction_text(value)
            )
        ]
    return []


_SHARE = check(_share_problems, expected=_SHARE_EXPECTED, total=True)


@attrs.frozen(kw_only=True)
class Thresholds(Record):
    """The levels of a pool's capacity at which the provider is warned and acts (S11).

    ``warn`` and ``act`` are fractions of the capacity of one resource type, ``0 < warn
    < act <= 1``: once what is held reaches ``warn`` the capacity manager is told,
    once it reaches ``act`` more capacity is to be ordered (or demand moved). Each
    is kept as an exact `Fraction`, and is accepted as a `Fraction`, a `Decimal`, an
    ``int`` or text (``"0.75"``, ``"3/4"``); a float is refused, as it cannot say 0.9.
    The defaults, 3/4 and 9/10, are cloudsms's choice, not the standard's: the
    standard asks for thresholds, not for particular ones.

    Serves S11 (capacity adequate to demand) and ISO/IEC 20000-1:2011 6.5.

    Raises:
        ValidationError: a threshold that is not a fraction above 0 and at most 1
            (``$.warn``, ``$.act``), or a ``warn`` not below ``act`` (``$.warn``).

    Examples:
        >>> Thresholds(warn="0.8", act="19/20")
        Thresholds(warn=Fraction(4, 5), act=Fraction(19, 20))
        >>> Thresholds(warn="0.9")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Thresholds is invalid (1 problem):
          - expected a fraction below act (0.9), got 0.9 @ $.warn
    """

    warn: Fraction = attrs.field(
        default=Fraction(3, 4),
        converter=_share,
        validator=_SHARE,
    )
    act: Fraction = attrs.field(
        default=Fraction(9, 10),
        converter=_share,
        validator=_SHARE,
    )

    def _rules(self) -> Iterator[Problem]:
        """One warns before one acts."""
        if self.warn >= self.act:
            yield Problem(
                "warn",
                f"a fraction below act ({_fraction_text(self.act)})",
                _fraction_text(self.warn),
            )

    def levels(self) -> tuple[tuple[ThresholdName, Fraction], ...]:
        """``warn``, ``act`` and ``full`` (the whole capacity) with their fractions, in order."""
        return (("warn", self.warn), ("act", self.act), ("full", Fraction(1)))


# ---------------------------------------------------------------------- projection
@attrs.frozen
class CapacitySample(Record):
    """One point of the history a projection is fitted to: ``CapacitySample(on, held)``.

    For a linear projection, ``held`` is the amount held at 00:00 UTC of the day
    ``on``; for a seasonal one, ``on`` is the first day of a calendar month (UTC) and
    ``held`` the mean held over that month, weighted by time. Amounts are exact, in
    the unit of the pool's capacity.
    """

    on: dt.date
    held: Fraction


def _points_problems(value: object, path: str) -> list[Problem]:
    if not isinstance(value, tuple):
        return [Problem(path, "a list of CapacitySample", describe(value))]
    return [
        Problem(f"{path}[{index}]", "a CapacitySample", describe(item))
        for index, item in enumerate(value)
        if not isinstance(item, CapacitySample)
    ]


def _season_problems(value: object, path: str) -> list[Problem]:
    if not isinstance(value, tuple):
        return [Problem(path, "a list of Fraction", describe(value))]
    return [
        Problem(f"{path}[{index}]", "a Fraction", describe(item))
        for index, item in enumerate(value)
        if not isinstance(item, Fraction)
    ]


@attrs.frozen(kw_only=True)
class Projection(Record):
    """How much of a resource type a pool is projected to hold, fitted to its history (S11).

    ``method`` says how:

    - ``"linear"``: an exact least-squares line through the amount held at 00:00 UTC
      of every day from the day of the first holding up to ``as_of`` (from the next
      day when the first holding starts later than 00:00, so that no sample is taken
      before the history begins): held on day ``d`` is ``intercept + slope * (d -
      origin)``, ``origin`` being the first sample's day;
    - ``"seasonal"``, used instead when at least 24 whole calendar months (UTC) of
      history lie before ``as_of``: the mean held over each of those months (weighted
      by time), a least-squares trend over the month index (``intercept + slope * k``,
      ``k`` counted in months from ``origin``, the first of them) and an additive
      index per month of the year (``season[m - 1]``: the mean of that month's
      residuals from the trend). A day is given its month's value;
    - ``"none"``: fewer than two samples, or no history at all before ``as_of``: the
      amount held at ``as_of`` is carried forward unchanged (``intercept``).

    ``points`` are the samples the fit used (`CapacitySample`) and `samples` their
    number. ``r_squared`` is the share of the samples' variance the model explains,
    computed on its own samples (for a seasonal projection, of trend and index
    together), ``None`` when the samples do not vary (or there is no fit).
    ``slope_per_day`` is the growth per day in the capacity's unit: the line's
    slope, or the trend's per month divided by the mean Gregorian month (146097/4800
    days); ``None`` without a fit. Every number is an exact `Fraction`.

    Serves S11 (capacity growth patterns identified) and ISO/IEC 20000-1:2011 6.5.

    Raises:
        ValidationError: every problem of the fields, each with its path: a linear or
            seasonal projection without an ``origin`` or with fewer than two points
            (``$.origin``, ``$.points``), a seasonal one without twelve indices or
            another with some (``$.season``), an ``r_squared`` outside 0 to 1.
    """

    method: Method
    points: tuple[CapacitySample, ...] = attrs.field(
        converter=as_tuple,
        validator=check(_points_problems, expected="a list of CapacitySample", total=True),
    )
    r_squared: Fraction | None = None
    slope_per_day: Fraction | None = None
    origin: dt.date | None = None
    intercept: Fraction = Fraction(0)
    slope: Fraction = Fraction(0)
    season: tuple[Fraction, ...] = attrs.field(
        default=(),
        converter=as_tuple,
        validator=check(_season_problems, expected="a list of Fraction", total=True),
    )

    def _rules(self) -> Iterator[Problem]:
        """A fit has an origin and two samples; only a seasonal one has indices."""
        if self.method != "none":
            if self.origin is None:
                yield Problem("origin", f"the first day of a {self.method} fit", "null")
            if len(self.points) < 2:  # noqa: PLR2004 - a line needs two points
                yield Problem("points", "two samples or more for a fit", str(len(self.points)))
        wanted = _MONTHS if self.method == "seasonal" else 0
        if len(self.season) != wanted:
            expected = "twelve indices, January first" if wanted else "no indices (not seasonal)"
            yield Problem("season", expected, f"{len(self.season)} indices")
        if self.r_squared is not None and not 0 <= self.r_squared <= 1:
            yield Problem("r_squared", "a fraction from 0 to 1", _fraction_text(self.r_squared))

    @property
    def samples(self) -> int:
        """How many samples the fit used: days for a linear one, months for a seasonal one."""
        return len(self.points)

    def at(self, on: dt.date) -> Fraction:
        """The amount projected to be held on the day ``on``, exactly, in the capacity's unit.

        A linear projection gives its value at 00:00 UTC of the day; a seasonal one
        the value of the day's calendar month; ``"none"`` the amount held at
        ``as_of`` whatever the day.

        Raises:
            ValidationError: ``on`` is not a `datetime.date` (a datetime is refused
                too: the projection is by whole days), at ``$.on``.
        """
        given: object = on
        if not isinstance(given, dt.date) or isinstance(given, dt.datetime):
            raise ValidationError.single(
                "$.on", "a date (datetime.date)", describe(on), subject="capacity projection"
            )
        return self._value(on)

    def _value(self, on: dt.date) -> Fraction:
        origin = self.origin
        if self.method == "none" or origin is None:
            return self.intercept
        if self.method == "linear":
            return self.intercept + self.slope * (on - origin).days
        months = (on.year - origin.year) * _MONTHS + on.month - origin.month
        return self.intercept + self.slope * months + self.season[on.month - 1]

    def first_day(self, amount: Fraction, first: dt.date, last: dt.date) -> dt.date | None:
        """The first day from ``first`` to ``last`` on which the projection reaches ``amount``.

        ``None`` when it does not reach it on any of those days (a flat or falling
        projection below it, or a day beyond ``last``). Found by arithmetic, not by
        walking every day.
        """
        if first > last:
            return None
        origin = self.origin
        if self.method == "none" or origin is None:
            return first if self.intercept >= amount else None
        if self.method == "linear":
            return self._linear_day(amount, origin, first, last)
        return self._seasonal_day(amount, origin, first, last)

    def _linear_day(
        self, amount: Fraction, origin: dt.date, first: dt.date, last: dt.date
    ) -> dt.date | None:
        start = (first - origin).days
        if self.slope > 0:
            needed = math.ceil((amount - self.intercept) / self.slope)
            offset = max(start, needed)
        elif self.intercept + self.slope * start >= amount:
            offset = start
        else:
            return None
        if offset > (last - origin).days:
            return None
        return origin + dt.timedelta(days=offset)

    def _seasonal_day(
        self, amount: Fraction, origin: dt.date, first: dt.date, last: dt.date
    ) -> dt.date | None:
        def index(day: dt.date) -> int:
            return (day.year - origin.year) * _MONTHS + day.month - origin.month

        start, end = index(first), index(last)
        month = start
        if self.slope > 0:  # no month before this one can reach it, whatever its index
            month = max(
                start, math.ceil((amount - self.intercept - max(self.season)) / self.slope)
            )
        # Twelve months from there settle it: later ones only repeat them, shifted by
        # the trend (up when growing, so the first is among these; down otherwise).
        for k in range(month, min(end, month + _MONTHS - 1) + 1):
            calendar = (origin.month - 1 + k) % _MONTHS
            if self.intercept + self.slope * k + self.season[calendar] >= amount:
                if k == start:
                    return first
                year = origin.year + (origin.month - 1 + k) // _MONTHS
                return dt.date(year, calendar + 1, 1)
        return None


@attrs.frozen
class ThresholdDate(Record):
    """When a threshold is reached: ``ThresholdDate(name, fraction, on, already, by)``.

    ``name`` is ``"warn"``, ``"act"`` or ``"full"`` and ``fraction`` its share of the
    capacity. Every ``on`` is a UTC calendar day, whatever the offset ``as_of`` was
    given in, so the dates of one plan compare as days. ``by`` says what decided ``on``:

    - ``"held"``: what is held at ``as_of`` is at or above the level already
      (``already`` is then true) and ``on`` is ``as_of``'s date in UTC (2024-02-29
      for an ``as_of`` of 2024-03-01T00:30+01:00);
    - ``"scheduled"``: the holdings already booked reach the level at an instant
      after ``as_of`` (a holding that starts later counts from its start, one that
      ends stops counting): ``on`` is the UTC day of the first such instant, within
      the horizon (never before ``as_of``'s UTC date);
    - ``"projection"``: the projection reaches the level first: ``on`` is the first
      day (UTC) after ``as_of`` on which it does, within the horizon;
    - ``None``: neither gets there within the plan's horizon (a flat or falling
      projection and no booking that high, or only later): ``on`` is ``None``.

    When both the booked holdings and the projection reach the level, the earlier
    day wins; on the same day, ``"scheduled"``: a booking is known, a projection only
    expected.

    Raises:
        ValidationError: every problem of the fields; reached ``already`` but no
            ``on`` (``$.on``); a ``by`` that does not fit ``already`` and ``on``
            (``$.by``).
    """

    name: ThresholdName
    fraction: Fraction
    on: dt.date | None
    already: bool
    by: DecidedBy | None = None

    def _rules(self) -> Iterator[Problem]:
        """A threshold already reached was reached on a day; ``by`` fits the rest."""
        if self.already and self.on is None:
            yield Problem("on", "the UTC date of as_of when already reached", "null")
        if self.already:
            wanted: tuple[DecidedBy | None, ...] = ("held",)
        elif self.on is None:
            wanted = (None,)
        else:
            wanted = ("scheduled", "projection")
        if self.by not in wanted:
            shown = " or ".join("null" if w is None else repr(w) for w in wanted)
            yield Problem("by", shown, "null" if self.by is None else repr(self.by))


@attrs.frozen(kw_only=True)
class CapacityLine(Record):
    """One resource type of a pool: held, projected, and when each threshold is reached (S11).

    ``capacity`` is the pool's capacity of ``resource_type``; ``held`` what its
    allocations hold at ``as_of`` and ``scheduled_peak`` the most they hold at any
    instant from ``as_of`` on, holdings scheduled for later included (the capacity
    less `ResourcePool.free`), both in the capacity's unit (exact where the decimals
    end, else 38 significant digits). ``utilisation`` is held over capacity, exactly
    (``None`` for a capacity of zero, which every holding fills). ``projection`` is
    the fitted growth (`Projection`) and ``dates`` the `ThresholdDate` of ``warn``,
    ``act`` and ``full``, in that order, for the type's ``thresholds``.

    ``candidates`` are the pool's holdings of the type left unused for the plan's
    ``unused_for`` days (`reclaim_candidates`) and ``reclaimable`` the sum of their
    quantities in the capacity's unit. Without usage nothing can be judged unused:
    ``reclaimable`` is then ``None`` (not zero) and ``candidates`` empty.
    """

    resource_type: str = attrs.field(validator=ident)
    capacity: Quantity
    held: Quantity
    utilisation: Fraction | None
    scheduled_peak: Quantity
    thresholds: Thresholds
    projection: Projection
    dates: tuple[ThresholdDate, ...] = attrs.field(converter=as_tuple)
    reclaimable: Quantity | None = None
    candidates: tuple[ReclaimCandidate, ...] = attrs.field(default=(), converter=as_tuple)

    def date_of(self, name: ThresholdName) -> ThresholdDate:
        """The `ThresholdDate` named ``name`` (``"warn"``, ``"act"`` or ``"full"``).

        Raises:
            UnknownReference: no threshold of that name.
        """
        for found in self.dates:
            if found.name == name:
                return found
        raise UnknownReference(
            "threshold", name, suggestions=suggest(str(name), [d.name for d in self.dates])
        )


def _lines_problems(value: object, path: str) -> list[Problem]:
    if not isinstance(value, tuple):
        return [Problem(path, "a list of CapacityLine", describe(value))]
    return [
        Problem(f"{path}[{index}]", "a CapacityLine", describe(item))
        for index, item in enumerate(value)
        if not isinstance(item, CapacityLine)
    ]


# ---------------------------------------------------------------------- the held amounts
class _Held:
    """What a pool's allocations of one type hold over time: a step function, built once.

    Amounts are integers over a common ``scale`` (the amounts' least common
    denominator), so sums and fits run on integers; ``levels[i]`` is held from
    ``times[i]`` (microseconds since 1970) up to the next time, nothing before the first.
    """

    __slots__ = ("levels", "scale", "times")

    def __init__(self, spans: list[tuple[int, int | None, Fraction]]) -> None:
        self.scale = math.lcm(*(amount.denominator for _, _, amount in spans)) if spans else 1
        changes: dict[int, int] = {}
        for start, end, amount in spans:
            scaled = int(amount * self.scale)
            changes[start] = changes.get(start, 0) + scaled
            if end is not None:
                changes[end] = changes.get(end, 0) - scaled
        self.times = sorted(changes)
        self.levels: list[int] = []
        level = 0
        for time in self.times:
            level += changes[time]
            self.levels.append(level)

    def at(self, time: int) -> int:
        index = bisect_right(self.times, time) - 1
        return self.levels[index] if index >= 0 else 0

    def peak_from(self, time: int) -> int:
        """The most held at any instant from ``time`` on."""
        later = self.levels[bisect_right(self.times, time) :]
        return max([self.at(time), *later])

    def first_reaching(self, time: int, amount: Fraction) -> int | None:
        """The first instant after ``time`` at which ``amount`` (scaled) or more is held.

        ``None`` when no later change of the holdings gets there.
        """
        for index in range(bisect_right(self.times, time), len(self.times)):
            if self.levels[index] >= amount:
                return self.times[index]
        return None

    def integral(self, start: int, end: int) -> int:
        """The amount held times the microseconds held, over ``[start, end)``."""
        index = bisect_right(self.times, start) - 1
        level = self.levels[index] if index >= 0 else 0
        total, time = 0, start
        index += 1
        while index < len(self.times) and self.times[index] < end:
            total += level * (self.times[index] - time)
            time, level = self.times[index], self.levels[index]
            index += 1
        return total + level * (end - time)


def _month_start(year: int, month: int) -> dt.datetime:
    return dt.datetime(year, month, 1, tzinfo=_UTC)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == _MONTHS else (year, month + 1)


def _whole_months(first: int, as_of: dt.datetime) -> list[tuple[int, int]]:
    """The calendar months (UTC) wholly between the instant ``first`` and ``as_of``."""
    start = _EPOCH + dt.timedelta(microseconds=first)
    year, month = start.year, start.month
    if _micros(_month_start(year, month)) < first:
        year, month = _next_month(year, month)
    end = (as_of.year, as_of.month)
    months: list[tuple[int, int]] = []
    while (year, month) < end:
        months.append((year, month))
        year, month = _next_month(year, month)
    return months


def _linear(held: _Held, first: int, as_of: dt.datetime) -> Projection:
    """The exact least-squares line through the amount held at 00:00 UTC of each day."""
    origin = (_EPOCH + dt.timedelta(microseconds=first + _DAY - 1)).date()  # 00:00 not before
    count = (as_of.date() - origin).days + 1
    start = _midnight(origin)
    ys = [held.at(start + day * _DAY) for day in range(count)]
    scale = held.scale
    points = tuple(
        CapacitySample(origin + dt.timedelta(days=day), Fraction(y, scale))
        for day, y in enumerate(ys)
    )
    if count < 2:  # noqa: PLR2004 - a line needs two points
        return _flat(points if count > 0 else (), held, as_of)
    sum_x = count * (count - 1) // 2
    sum_xx = (count - 1) * count * (2 * count - 1) // 6
    sum_y = sum(ys)
    sum_xy = sum(day * y for day, y in enumerate(ys))
    sum_yy = sum(y * y for y in ys)
    spread_x = count * sum_xx - sum_x * sum_x
    spread_y = count * sum_yy - sum_y * sum_y
    covariance = count * sum_xy - sum_x * sum_y
    slope = Fraction(covariance, spread_x * scale)
    return Projection(
        method="linear",
        points=points,
        r_squared=Fraction(covariance * covariance, spread_x * spread_y) if spread_y else None,
        slope_per_day=slope,
        origin=origin,
        intercept=Fraction(sum_y * sum_xx - sum_x * sum_xy, spread_x * scale),
        slope=slope,
    )


def _seasonal(held: _Held, months: list[tuple[int, int]]) -> Projection:
    """A least-squares trend over the months' mean held, plus a mean residual per month."""
    ys: list[Fraction] = []
    for year, month in months:
        start = _micros(_month_start(year, month))
        end = _micros(_month_start(*_next_month(year, month)))
        ys.append(Fraction(held.integral(start, end), (end - start) * held.scale))
    count = len(ys)
    sum_x = count * (count - 1) // 2
    sum_xx = (count - 1) * count * (2 * count - 1) // 6
    sum_y = sum(ys, Fraction(0))
    sum_xy = sum((k * y for k, y in enumerate(ys)), Fraction(0))
    spread_x = count * sum_xx - sum_x * sum_x
    slope = (count * sum_xy - sum_x * sum_y) / spread_x
    intercept = (sum_y * sum_xx - sum_x * sum_xy) / spread_x
    residuals: list[list[Fraction]] = [[] for _ in range(_MONTHS)]
    for k, ((_, month), y) in enumerate(zip(months, ys, strict=True)):
        residuals[month - 1].append(y - intercept - slope * k)
    season = tuple(sum(r, Fraction(0)) / len(r) for r in residuals)  # 24 months: none empty
    mean = sum_y / count
    total = sum(((y - mean) ** 2 for y in ys), Fraction(0))
    unexplained = sum(
        (
            (y - intercept - slope * k - season[month - 1]) ** 2
            for k, ((_, month), y) in enumerate(zip(months, ys, strict=True))
        ),
        Fraction(0),
    )
    return Projection(
        method="seasonal",
        points=tuple(
            CapacitySample(dt.date(year, month, 1), y)
            for (year, month), y in zip(months, ys, strict=True)
        ),
        r_squared=1 - unexplained / total if total else None,
        slope_per_day=slope / _MEAN_MONTH_DAYS,
        origin=dt.date(*months[0], 1),
        intercept=intercept,
        slope=slope,
        season=season,
    )


def _flat(points: tuple[CapacitySample, ...], held: _Held, as_of: dt.datetime) -> Projection:
    """No fit: the amount held at ``as_of``, carried forward."""
    return Projection(
        method="none", points=points, intercept=Fraction(held.at(_micros(as_of)), held.scale)
    )


def _projection(held: _Held, first: int | None, as_of: dt.datetime) -> Projection:
    if first is None or first > _micros(as_of):
        return _flat((), held, as_of)
    months = _whole_months(first, as_of)
    if len(months) >= _SEASONAL_MONTHS:
        return _seasonal(held, months)
    return _linear(held, first, as_of)


# ---------------------------------------------------------------------- the plan
def _thresholds_of(
    given: object, types: list[str], problems: list[Problem]
) -> dict[str, Thresholds]:
    """The thresholds of each type: one `Thresholds` for all, or a mapping by type id."""
    if isinstance(given, Thresholds):
        return dict.fromkeys(types, given)
    if not isinstance(given, Mapping):
        problems.append(
            Problem(
                "$.thresholds",
                "a Thresholds, or a mapping of resource type ids to Thresholds",
                describe(given),
            )
        )
        return {}
    chosen: dict[str, Thresholds] = {}
    for key, value in given.items():
        path = key_path("$.thresholds", key)
        if key not in types:
            close = suggest(key, types) if isinstance(key, str) else ()
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            expected = f"a resource type the pool has capacity for ({', '.join(types)}){hint}"
            problems.append(Problem(path, expected, describe(key)))
        elif not isinstance(value, Thresholds):
            problems.append(Problem(path, "a Thresholds", describe(value)))
        else:
            chosen[key] = value
    return {type_id: chosen.get(type_id, Thresholds()) for type_id in types}


def _items(given: object, field: str, kind: type, problems: list[Problem]) -> tuple[object, ...]:
    if not isinstance(given, Iterable) or isinstance(given, str | bytes | Mapping):
        problems.append(Problem(f"$.{field}", f"an iterable of {kind.__name__}", describe(given)))
        return ()
    items = tuple(given)
    problems += [
        problem
        for index, item in enumerate(items)
        for problem in instance_problems(item, kind, f"$.{field}[{index}]")
    ]
    return items


def _arguments_problems(
    pool: object, as_of: object, unused_for: object, horizon: object
) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(pool, ResourcePool):
        problems.append(Problem("$.pool", "a ResourcePool", describe(pool)))
    problems += instant_problems(as_of, "$.as_of")
    if isinstance(unused_for, bool) or not isinstance(unused_for, int) or unused_for < 1:
        problems.append(
            Problem("$.unused_for", "a whole number of days, 1 or more", describe(unused_for))
        )
    problems += calendar_length_problems(horizon, "$.horizon")
    return problems


def _horizon_end(as_of: dt.datetime, horizon: relativedelta, problems: list[Problem]) -> int:
    try:
        return _micros(add_calendar(as_of, horizon))
    except ValidationError as refused:
        problems.append(refused.problems[0]._replace(path="$.horizon"))
        return 0


class _Line:
    """The figures of one type, computed from the pool's allocations of it."""

    def __init__(self, type_id: str, capacity: Quantity) -> None:
        self.type_id = type_id
        self.capacity = capacity
        self.unit = _unit_text(capacity)
        self.spans: list[tuple[int, int | None, Fraction]] = []
        self.first: int | None = None

    def add(self, allocation: Allocation, path: str, problems: list[Problem]) -> None:
        try:
            amount = fraction_in(allocation.quantity, self.unit)
        except ValidationError:
            expected = f"a quantity convertible to {self.unit}"
            problems.append(
                Problem(f"{path}.quantity", expected, format_quantity(allocation.quantity))
            )
            return
        since = _micros(allocation.since)
        until = None if allocation.until is None else _micros(allocation.until)
        self.spans.append((since, until, amount))
        self.first = since if self.first is None else min(self.first, since)

    def quantity(self, amount: Fraction) -> Quantity:
        return quantity(to_decimal(amount), self.unit)

    def build(
        self,
        as_of: dt.datetime,
        horizon_end: int,
        thresholds: Thresholds,
        candidates: tuple[ReclaimCandidate, ...] | None,
    ) -> CapacityLine:
        held = _Held(self.spans)
        moment = _micros(as_of)
        now = Fraction(held.at(moment), held.scale)
        peak = Fraction(held.peak_from(moment), held.scale)
        capacity = Fraction(self.capacity.magnitude)
        utc = as_of.astimezone(_UTC)
        projection = _projection(held, self.first, utc)
        first_day = utc.date() + _ONE_DAY  # the first day whose 00:00 UTC is after as_of
        last_day = (_EPOCH + dt.timedelta(microseconds=horizon_end)).date()
        dates: list[ThresholdDate] = []
        for name, fraction in thresholds.levels():
            level = fraction * capacity
            if now >= level:
                dates.append(
                    ThresholdDate(
                        name=name, fraction=fraction, on=utc.date(), already=True, by="held"
                    )
                )
                continue
            projected = projection.first_day(level, first_day, last_day)
            booked = held.first_reaching(moment, level * held.scale)
            on: dt.date | None = None
            by: DecidedBy | None = None
            if booked is not None and booked <= horizon_end:  # the booking's UTC day
                on = (_EPOCH + dt.timedelta(microseconds=booked)).date()  # not before utc.date()
                by = "scheduled"
            if projected is not None and (on is None or projected < on):
                on, by = projected, "projection"
            dates.append(ThresholdDate(name=name, fraction=fraction, on=on, already=False, by=by))
        reclaimable = None
        if candidates is not None:
            reclaimable = self.quantity(
                sum(
                    (fraction_in(c.allocation.quantity, self.unit) for c in candidates),
                    Fraction(0),
                )
            )
        return CapacityLine(
            resource_type=self.type_id,
            capacity=self.capacity,
            held=self.quantity(now),
            utilisation=now / capacity if capacity else None,
            scheduled_peak=self.quantity(peak),
            thresholds=thresholds,
            projection=projection,
            dates=dates,
            reclaimable=reclaimable,
            candidates=candidates or (),
        )


@attrs.frozen
class LeftOutGroup(Record):
    """Allocations a capacity plan left out that share one location or one type (S11).

    ``LeftOutGroup(name, allocations, close)``: ``name`` is the location, or the
    resource type id, the allocations named; ``allocations`` how many did; ``close``
    what of the pool's the name may be a slip for (the pool's location, or the ids
    of its types; the likeliest first), ``()`` when nothing is close.
    """

    name: str
    allocations: int
    close: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)


def _groups_problems(value: object, path: str) -> list[Problem]:
    if not isinstance(value, tuple):
        return [Problem(path, "a list of LeftOutGroup", describe(value))]
    return [
        Problem(f"{path}[{index}]", "a LeftOutGroup", describe(item))
        for index, item in enumerate(value)
        if not isinstance(item, LeftOutGroup)
    ]


_GROUPS = check(_groups_problems, expected="a list of LeftOutGroup", total=True)


@attrs.frozen(kw_only=True)
class CapacityLeftOut(Record):
    """The allocations `CapacityPlan.build` did not count as the pool's, by reason (S11).

    An allocation that is not the pool's counts nowhere in the plan, so a location or
    a type id typed wrong in a file (``eu-centrl``, ``vpcu``) would otherwise show only
    as a pool emptier than it is. The plan says what it set aside:

    - ``other_locations``: allocations whose ``location`` is set to another than the
      pool's, one `LeftOutGroup` per location, sorted by it; ``close`` holds the
      pool's location when the two differ only by case or are close;
    - ``other_types``: allocations of the pool's location (or of none) of a type the
      pool has no capacity for, one group per type id, sorted; ``close`` holds the
      pool's types close to it.

    An allocation of another location is counted there whatever its type.

    Serves S11 (demand kept within capacity: every holding accounted for) and ISO/IEC
    20000-1:2011 6.5.
    """

    other_locations: tuple[LeftOutGroup, ...] = attrs.field(
        default=(), converter=as_tuple, validator=_GROUPS
    )
    other_types: tuple[LeftOutGroup, ...] = attrs.field(
        default=(), converter=as_tuple, validator=_GROUPS
    )

    @property
    def allocations(self) -> int:
        """How many allocations were left out, for either reason."""
        return sum(g.allocations for g in (*self.other_locations, *self.other_types))

    def __bool__(self) -> bool:
        """Whether any allocation was left out."""
        return self.allocations > 0


def _close(name: str, known: list[str]) -> tuple[str, ...]:
    """The known names ``name`` may be a slip for: same but for case first, then close ones."""
    folded = [k for k in known if k.casefold() == name.casefold()]
    return tuple(dict.fromkeys([*folded, *suggest(name, known)]))


def _left_out(
    locations: dict[str, int], types: dict[str, int], pool: ResourcePool
) -> CapacityLeftOut:
    ids = [capacity.resource_type for capacity in pool.capacities]
    return CapacityLeftOut(
        other_locations=[
            LeftOutGroup(name, count, _close(name, [pool.location]))
            for name, count in sorted(locations.items())
        ],
        other_types=[
            LeftOutGroup(name, count, _close(name, ids)) for name, count in sorted(types.items())
        ],
    )


@attrs.frozen(kw_only=True)
class CapacityPlan(Record):
    """A pool's capacity plan as of an instant: one `CapacityLine` per resource type (S11).

    Build one with `build`. ``pool`` is the `ResourcePool` planned, ``as_of`` the
    instant it was judged at, ``horizon`` how far ahead threshold dates are looked
    for, ``lines`` one `CapacityLine` per capacity of the pool, in the pool's
    order, and ``left_out`` the allocations given that were not the pool's, counted
    by location and by type (`CapacityLeftOut`).

    Serves S11 (a capacity plan with thresholds and a growth projection, reclaimable
    capacity beside it) and ISO/IEC 20000-1:2011 6.5 (capacity management).
    """

    pool: ResourcePool
    as_of: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    horizon: relativedelta = attrs.field(validator=calendar_length)
    lines: tuple[CapacityLine, ...] = attrs.field(
        converter=as_tuple,
        validator=check(_lines_problems, expected="a list of CapacityLine", total=True),
    )
    left_out: CapacityLeftOut = attrs.field(factory=CapacityLeftOut)

    def line(self, type_id: str) -> CapacityLine:
        """The line of the resource type ``type_id``.

        Raises:
            UnknownReference: the pool has no capacity of that type (close ids suggested).
        """
        for found in self.lines:
            if found.resource_type == type_id:
                return found
        raise UnknownReference(
            "resource type",
            type_id,
            scope=f"pool {self.pool.id}",
            suggestions=suggest(str(type_id), [line.resource_type for line in self.lines]),
        )

    @classmethod
    def build(
        cls,
        pool: ResourcePool,
        allocations: Iterable[Allocation],
        *,
        as_of: dt.datetime,
        thresholds: Thresholds | Mapping[str, Thresholds] = Thresholds(),
        usage: Iterable[Usage] | None = None,
        unused_for: int = 30,
        horizon: relativedelta = _DEFAULT_HORIZON,
        types: Iterable[ResourceType] | None = None,
    ) -> CapacityPlan:
        """The capacity plan of ``pool`` as of ``as_of``, from every customer's ``allocations``.

        ``pool`` is first checked against the resource types (`ResourcePool.check`,
        with ``types`` or the built-in table): a capacity of an unknown type or in
        another dimension than its type's unit is the pool's problem, named at
        ``$.pool.capacities[i]``, not one of every allocation that fails to convert.

        ``allocations`` may hold those of other pools and types: the pool's are those
        of a type it has capacity for whose ``location`` is the pool's or is not set,
        as `ResourcePool.free` counts them; the others are counted, by reason, in the
        plan's ``left_out`` (`CapacityLeftOut`). A holding counts from its ``since`` up
        to (not including) its ``until``, in the capacity's unit; holdings that start
        after ``as_of`` count in ``scheduled_peak`` and in the threshold dates but not
        in the history the projection is fitted to, which ends at ``as_of``.

        ``thresholds`` is one `Thresholds` for every type, or a mapping from type ids
        to `Thresholds` (a type left out gets the defaults). Each threshold's date
        is the earlier of two (`ThresholdDate`): the day the holdings already booked
        reach it after ``as_of``, and the first day after ``as_of`` the projection
        does; either is looked for up to ``as_of + horizon`` (three years by default).
        ``usage`` (the customers' `Usage` of the pool's holdings) lets the plan list
        the holdings unused for ``unused_for`` days or more (`reclaim_candidates`)
        and the capacity they hold; without it nothing can be judged unused, and
        ``reclaimable`` is ``None``.

        Raises:
            ValidationError: every problem at once, each at its path: ``pool`` not a
                `ResourcePool`, or one with a capacity of an unknown type or of
                another dimension than its type's unit
                (``$.pool.capacities[0].resource_type``, ``$.pool.capacities[0].capacity``);
                ``as_of`` not an aware instant; an item of ``allocations`` or
                ``usage`` of the wrong type (``$.allocations[3]``); a quantity of the
                pool's type not convertible to the capacity's unit
                (``$.allocations[3].quantity``); ``thresholds`` neither `Thresholds`
                nor a mapping of them, or naming a type the pool has no capacity for
                (``$.thresholds.vpcu``, close ids suggested); ``unused_for`` not a
                whole number of days of 1 or more; ``horizon`` not a positive
                calendar length, or one that ends past the supported range
                (``$.horizon``); ``types`` holding something that is not a
                `ResourceType` (``$.types[i]``).

        Examples:
            >>> from cloudsms.resources import PoolCapacity
            >>> pool = ResourcePool(
            ...     "fra-1",
            ...     "Frankfurt 1",
            ...     "eu-central",
            ...     [PoolCapacity("vcpu", quantity("100 vcpu"))],
            ... )
            >>> jan1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            >>> daily = [  # one more vcpu each day of January and February
            ...     Allocation(
            ...         "acme",
            ...         "agr-1",
            ...         "vm",
            ...         "vcpu",
            ...         quantity("1 vcpu"),
            ...         jan1 + dt.timedelta(days=d),
            ...     )
            ...     for d in range(1, 60)
            ... ]
            >>> plan = CapacityPlan.build(
            ...     pool, daily, as_of=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
            ... )
            >>> line = plan.line("vcpu")
            >>> str(line.held), line.utilisation, line.projection.method, line.projection.r_squared
            ('59 vcpu', Fraction(59, 100), 'linear', Fraction(1, 1))
            >>> [(d.name, str(d.on)) for d in line.dates]
            [('warn', '2026-03-17'), ('act', '2026-04-01'), ('full', '2026-04-11')]
        """
        problems = _arguments_problems(pool, as_of, unused_for, horizon)
        held_items = _items(allocations, "allocations", Allocation, problems)
        used_items = None if usage is None else _items(usage, "usage", Usage, problems)
        raise_problems(problems, _SUBJECT)
        problems += [p._replace(path=f"$.pool{p.path[1:]}") for p in pool.problems(types)]
        horizon_end = _horizon_end(as_of, horizon, problems)
        type_ids = [capacity.resource_type for capacity in pool.capacities]
        chosen = _thresholds_of(thresholds, type_ids, problems)
        raise_problems(problems, _SUBJECT)  # a pool in error would blame its allocations
        lines = {c.resource_type: _Line(c.resource_type, c.capacity) for c in pool.capacities}
        mine: list[Allocation] = []
        elsewhere: dict[str, int] = {}
        untyped: dict[str, int] = {}
        for index, allocation in enumerate(cast("tuple[Allocation, ...]", held_items)):
            if allocation.location is not None and allocation.location != pool.location:
                elsewhere[allocation.location] = elsewhere.get(allocation.location, 0) + 1
                continue
            line = lines.get(allocation.resource_type)
            if line is None:
                untyped[allocation.resource_type] = untyped.get(allocation.resource_type, 0) + 1
                continue
            line.add(allocation, f"$.allocations[{index}]", problems)
            mine.append(allocation)
        raise_problems(problems, _SUBJECT)
        by_type: dict[str, list[ReclaimCandidate]] | None = None
        if used_items is not None:
            by_type = {type_id: [] for type_id in type_ids}
            found = reclaim_candidates(
                mine, cast("tuple[Usage, ...]", used_items), unused_for=unused_for, as_of=as_of
            )
            for candidate in found:
                by_type[candidate.allocation.resource_type].append(candidate)
        return cls(
            pool=pool,
            as_of=as_of,
            horizon=horizon,
            lines=[
                line.build(
                    as_of,
                    horizon_end,
                    chosen[type_id],
                    None if by_type is None else tuple(by_type[type_id]),
                )
                for type_id, line in lines.items()
            ],
            left_out=_left_out(elsewhere, untyped, pool),
        )
