"""Time as the standard needs it: aware instants, half-open periods, calendar-true arithmetic.

Serves reporting periods and SLA evaluation (S10, ISO/IEC 20000-1 6.1 and 6.2),
notice periods and minimum terms (S07, S13), proration of charges (S11, 6.4) and the
support-hours clock of response and resolution targets (S09, S10, 8.1).

Two kinds of length never mix:

- an **exact duration** — a `timedelta` or a pint time quantity — is measured on the
  absolute timeline: October 2026 in Europe/Berlin lasts 745 hours, because the
  clocks go back one hour;
- a **calendar length** — a `dateutil.relativedelta.relativedelta` with relative
  fields only — is counted on the wall clock and anchored on a start: 31 January plus
  one month is 28 (or 29) February, and a monthly series computed from its anchor
  never drifts.

Passing one where the other is expected raises `ValidationError`. Every datetime
must carry a time zone; a naive one is refused.

Every instant lies in one supported range, from 1900-01-01T00:00Z up to (not
including) 9000-01-01T00:00Z, and names a wall time that exists in its zone (not one
a DST change skips): `aware` checks both, and so does `Period`, so calendar
arithmetic on accepted values never reaches the ends of Python's calendar. A result
that would leave the range is refused with a `ValidationError` naming the bound.
Values holding instants compare and hash by the instant in UTC and the zone, so two
wall times an hour apart in the repeated hour of a DST change differ.
"""

from __future__ import annotations

import bisect
import datetime as dt
import importlib
import re
from collections import abc
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeGuard, cast

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.instants import (
    MAX_INSTANT,
    MIN_INSTANT,
    RANGE_TEXT,
    instant_key,
    instant_problems,
    load_zone,
    plain_offset,
)
from cloudsms._foundation.slots import slot_setter
from cloudsms.errors import Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from cloudsms.units import Quantity

    ExactDuration = dt.timedelta | Quantity
    """A length on the absolute timeline: a timedelta or a pint time quantity."""

__all__ = [
    "WEEKDAYS",
    "WINDOW_PATTERN",
    "CalendarUnit",
    "DailyWindow",
    "Period",
    "SupportHours",
    "add_calendar",
    "add_exact",
    "aware",
    "calendar_length_problems",
    "calendar_series",
    "exact_seconds",
    "offset_changes",
    "timezone",
]

UTC = dt.UTC
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as `DailyWindow` writes them, Monday first (``date.weekday()`` order)."""

_DAY = 1440  # minutes
WINDOW_PATTERN = r"(mon|tue|wed|thu|fri|sat|sun) ([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})"
"""The one form of a `DailyWindow` as text, matched whole: ASCII digits, one space."""
_WINDOW = re.compile(WINDOW_PATTERN)

CalendarUnit = Literal["day", "month", "quarter", "year"]
"""The calendar units a period splits at."""

_INSTANT_SUBJECT = "Instant"
_HOURS_SUBJECT = "SupportHours"
_ZONE_SUBJECT = "Time zone"
_DURATION_SUBJECT = "Duration"
_CALENDAR_SUBJECT = "Calendar arithmetic"
_EXACT_SUBJECT = "Exact arithmetic"
_FIRST_YEAR, _LAST_YEAR = 1900, 8999  # the calendar years the supported range touches
_ABSOLUTE_FIELDS = ("year", "month", "day", "weekday", "hour", "minute", "second", "microsecond")
_RELATIVE_FIELDS = ("years", "months", "days", "hours", "minutes", "seconds", "microseconds")
_EPOCH = dt.datetime(2000, 1, 1)  # noqa: DTZ001 - lengths are measured on a plain calendar
_LONGEST = 1000  # years, either way
_POSITIVE_TEXT = "a positive calendar length in whole units, such as P1M"
_SIGNED_TEXT = "a calendar length in whole units of one sign, such as P1M or -P1M"
_LIMIT_TEXT = f"a calendar length of at most {_LONGEST} years"
_EITHER_WAY_TEXT = f"{_LIMIT_TEXT} either way"
_MAX_SCAN_DAYS = 3660


def _utc(instant: dt.datetime) -> dt.datetime:
    """The instant in UTC: comparing these is comparing instants.

    Two aware datetimes of the same zone compare by wall clock and ignore ``fold``,
    so the repeated hour of a DST change would compare wrongly; UTC never repeats.
    """
    return instant.astimezone(UTC)


def timezone(name: str, *, path: str = "$") -> dt.tzinfo:
    """Return the IANA time zone ``name`` (``"Europe/Berlin"``), or UTC for ``"UTC"``.

    A name is ASCII letters, digits, ``_``, ``-`` and ``+`` in parts joined by ``/``,
    at most 64 characters: nothing else reaches the zone database, so no name can
    make it read a file of its own choosing.

    Raises:
        ValidationError: ``name`` is not a string, not such a name, or no zone the
            database holds (at ``path``).

    Examples:
        >>> timezone("Europe/Berlin")
        zoneinfo.ZoneInfo(key='Europe/Berlin')
        >>> timezone("Europe/../../etc/passwd")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Time zone is invalid (1 problem):
          - expected an IANA time zone name of at most 64 characters, such as 'Europe/Berlin',
            got 'Europe/../../etc/passwd' (string) @ $
    """
    found = load_zone(name, path)
    if isinstance(found, list):
        raise ValidationError(found, subject=_ZONE_SUBJECT)
    return found


def aware(value: object, path: str = "$") -> dt.datetime:
    """Return ``value`` if it is an instant cloudsms supports: the check every model record runs.

    That is a datetime with a time zone, from 1900-01-01T00:00Z up to (not including)
    9000-01-01T00:00Z, whose wall time exists in its zone (not one a DST change
    skips), and whose zone, if named, has a name `timezone` would accept.

    Raises:
        ValidationError: it is not a datetime, naive, outside the range, or a wall
            time its zone skips.

    Examples:
        >>> aware(dt.datetime(2026, 1, 1))
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Instant is invalid (1 problem):
          - expected a datetime with a time zone, got a naive datetime 2026-01-01T00:00:00 @ $
        >>> aware(dt.datetime(2026, 3, 29, 2, 30, tzinfo=timezone("Europe/Berlin")), "$.at")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Instant is invalid (1 problem):
          - expected a wall time that exists in Europe/Berlin,
            got 2026-03-29T02:30:00, which the clocks skip @ $.at
    """
    problems = instant_problems(value, path)
    if problems:
        raise ValidationError(problems, subject=_INSTANT_SUBJECT)
    return value  # type: ignore[return-value]


def exact_seconds(duration: object, path: str = "$") -> Fraction:
    """Seconds of an exact duration (a `timedelta` or a pint time quantity), exactly.

    Raises:
        ValidationError: ``duration`` is a calendar length (relativedelta) or not a time.
    """
    if isinstance(duration, dt.timedelta):
        return Fraction(duration.days * 86400 + duration.seconds) + Fraction(
            duration.microseconds, 10**6
        )
    if isinstance(duration, relativedelta):
        raise ValidationError.single(
            path,
            "an exact duration (timedelta or time quantity); a calendar length "
            "(relativedelta) has no fixed number of seconds",
            describe(duration),
            subject=_DURATION_SUBJECT,
        )
    from cloudsms import units  # noqa: PLC0415 - pint only when a quantity arrives

    if units.is_quantity(duration) and units.same_dimension(duration, "second"):
        if units.calendar_units(duration):
            raise ValidationError.single(
                path,
                "an exact duration; months and years vary in length (use a relativedelta)",
                str(duration),
                subject=_DURATION_SUBJECT,
            )
        return units.fraction_in(duration, "second")
    raise ValidationError.single(
        path,
        "an exact duration (timedelta or time quantity)",
        describe(duration),
        subject=_DURATION_SUBJECT,
    )


def _calendar(length: object, path: str) -> relativedelta:
    if not isinstance(length, relativedelta):
        kind = "an exact duration" if isinstance(length, dt.timedelta) else describe(length)
        raise ValidationError.single(
            path,
            "a calendar length (relativedelta, such as relativedelta(months=1))",
            kind,
            subject=_CALENDAR_SUBJECT,
        )
    absolute = [name for name in _ABSOLUTE_FIELDS if getattr(length, name) is not None]
    if absolute or length.leapdays:
        raise ValidationError.single(
            path,
            "a relative calendar length (years, months, weeks, days, hours, ...)",
            f"a relativedelta that sets {', '.join(absolute) or 'leapdays'}",
            subject=_CALENDAR_SUBJECT,
        )
    # The check the JSON writer runs: whole units of one sign, at most 1000 years. A
    # fraction (hours=1.5) would otherwise be cut to whole units by relativedelta itself.
    problems = calendar_length_problems(length, path, signed=True)
    if problems:
        raise ValidationError(problems, subject=_CALENDAR_SUBJECT)
    return length


def _within_limit(length: relativedelta) -> bool:
    """Whether a relative length spans at most 1000 years either way (from 2000-01-01).

    A length of one sign is measured forwards; one of mixed signs (which only
    arithmetic takes) must land within 1000 years of 2000-01-01 either way.
    """
    # relativedelta keeps months within 11 and hours within 23 (carried into years and
    # days): 989 years, 11 months and 3649 days and a day more are under 1000 years.
    if abs(length.years) < 990 and abs(length.days) < 3650:  # noqa: PLR2004 - see above
        return True
    if max(getattr(length, name) for name in _RELATIVE_FIELDS) <= 0:
        length = -length  # a negative length is as long as its positive twin
    try:
        end = _EPOCH + length
    except (OverflowError, ValueError):  # beyond Python's years 1-9999
        return False
    return (
        _EPOCH.replace(year=_EPOCH.year - _LONGEST)
        <= end
        <= _EPOCH.replace(year=_EPOCH.year + _LONGEST)
    )


def calendar_length_problems(
    value: object, path: str = "$", *, signed: bool = False
) -> list[Problem]:
    """``[]`` for a calendar length ISO 8601 writes without loss, else its problem at ``path``.

    That is a `relativedelta` of relative fields only (years, months, days, hours,
    minutes, seconds), each a whole number, at most 1000 years long (counted from
    2000-01-01). By default the length must be positive, as a billing cycle, a minimum
    term or a review interval is (S03, S06, S07); with ``signed=True`` it may also be
    zero or negative, all its fields of one sign, as the JSON format writes ``-P1M``.
    The JSON reader and writer check every calendar length with it.

    Examples:
        >>> calendar_length_problems(relativedelta(months=12))
        []
        >>> [p.expected for p in calendar_length_problems(relativedelta(years=5000))]
        ['a calendar length of at most 1000 years']
        >>> calendar_length_problems(relativedelta(months=-1), signed=True)
        []
        >>> [
        ...     p.got
        ...     for p in calendar_length_problems(relativedelta(months=1, days=-1), signed=True)
        ... ]
        ['relativedelta(months=+1, days=-1)']
    """
    expected = _SIGNED_TEXT if signed else _POSITIVE_TEXT
    if not isinstance(value, relativedelta):
        return [Problem(path, expected, describe(value))]
    parts = [getattr(value, name) for name in _RELATIVE_FIELDS]
    absolute = any(getattr(value, name) is not None for name in _ABSOLUTE_FIELDS)
    whole = all(type(part) is int for part in parts) and not value.microseconds
    if absolute or value.leapdays or not whole:
        return [Problem(path, expected, repr(value))]
    one_sign = min(parts) >= 0 or max(parts) <= 0
    if not (one_sign if signed else min(parts) >= 0 and max(parts) > 0):
        return [Problem(path, expected, repr(value))]
    if not _within_limit(value):
        return [Problem(path, _EITHER_WAY_TEXT if signed else _LIMIT_TEXT, repr(value))]
    return []


def _real(wall: dt.datetime) -> dt.datetime:
    """``wall`` itself, or, when its zone skips that wall time, the instant it falls on.

    A wall time inside a DST gap (02:30 on the spring change in Berlin) becomes the
    real instant the clocks show after the jump (03:30), as a calendar step moves on
    once the clocks have changed. Fixed offsets have no gaps.
    """
    zone = wall.tzinfo
    if type(zone) is dt.timezone:
        return wall
    real = wall.astimezone(UTC).astimezone(zone)
    return wall if real.replace(tzinfo=None, fold=0) == wall.replace(fold=0, tzinfo=None) else real


def _int_problems(value: object, path: str, what: str) -> list[Problem]:
    if isinstance(value, int) and not isinstance(value, bool):
        return []
    return [Problem(path, what, describe(value))]


def add_calendar(start: dt.datetime, length: relativedelta, times: int = 1) -> dt.datetime:
    """Add ``times`` calendar lengths to ``start`` on the wall clock, anchored on ``start``.

    The result is computed from ``start`` directly (``start + length * times``), so a
    series never drifts: the third month after 31 January is 30 April. A result on a
    wall time that a DST change skips is the instant the clocks show after the jump.

    Raises:
        ValidationError: ``start`` is not a supported instant, ``length`` is an exact
            duration, ``times`` is not an integer, or the result falls outside the
            supported range (from 1900-01-01T00:00Z, before 9000-01-01T00:00Z).

    Examples:
        >>> jan31 = dt.datetime(2026, 1, 31, tzinfo=dt.UTC)
        >>> add_calendar(jan31, relativedelta(months=1)).date()
        datetime.date(2026, 2, 28)
        >>> add_calendar(jan31, relativedelta(months=1), 3).date()
        datetime.date(2026, 4, 30)
        >>> add_calendar(dt.datetime(8999, 12, 31, tzinfo=dt.UTC), relativedelta(days=1))
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Calendar arithmetic is invalid (1 problem):
          - expected a result that is an instant from 1900-01-01T00:00Z
            up to (not including) 9000-01-01T00:00Z, got 9000-01-01T00:00:00+00:00 @ $.length
    """
    problems = instant_problems(start, "$.start")
    problems += _int_problems(times, "$.times", "an integer")
    if problems:
        raise ValidationError(problems, subject=_CALENDAR_SUBJECT)
    step = _calendar(length, "$.length")
    try:
        result: dt.datetime | None = _real(start + step * times)
    except (OverflowError, ValueError):  # beyond Python's years 1-9999
        result = None
    if result is None or instant_problems(result, "$"):
        raise ValidationError.single(
            "$.length",
            f"a result that is {RANGE_TEXT}",
            "an instant outside Python's years 1-9999" if result is None else result.isoformat(),
            subject=_CALENDAR_SUBJECT,
        )
    return result


def calendar_series(
    start: dt.datetime, length: relativedelta, count: int
) -> tuple[dt.datetime, ...]:
    """``count`` instants ``length`` apart on the calendar, each computed from ``start``.

    Raises:
        ValidationError: as `add_calendar`, or ``count`` is not an integer from 0.

    Examples:
        >>> s = calendar_series(
        ...     dt.datetime(2026, 1, 31, tzinfo=dt.UTC), relativedelta(months=1), 4
        ... )
        >>> [d.day for d in s]
        [31, 28, 31, 30]
    """
    if _int_problems(count, "$.count", "") or count < 0:
        raise ValidationError.single(
            "$.count", "an integer from 0", describe(count), subject=_CALENDAR_SUBJECT
        )
    if count:  # the last first: a series that leaves the range is refused before any work
        add_calendar(start, length, count - 1)
    return tuple(add_calendar(start, length, i) for i in range(count))


def _seconds_text(seconds: Fraction) -> str:
    from decimal import Decimal  # noqa: PLC0415 - only for this message

    return f"{Decimal(seconds.numerator) / Decimal(seconds.denominator):.3g} seconds"


_MICROSECONDS_TEXT = "a whole number of microseconds (the finest step a datetime holds)"


def _microseconds(seconds: Fraction, path: str, subject: str) -> int:
    """``seconds`` as whole microseconds; a finer duration is refused, never rounded."""
    micro = seconds * 10**6
    if micro.denominator != 1:
        raise ValidationError.single(
            path, _MICROSECONDS_TEXT, f"{_exact_text(seconds)} seconds", subject=subject
        )
    return micro.numerator


def _exact_text(seconds: Fraction) -> str:
    """``seconds`` in plain decimal text when it has one short enough, else as a fraction."""
    from decimal import Decimal  # noqa: PLC0415 - only for this message

    denominator = seconds.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator == 1 and max(twos, fives) <= 40:  # noqa: PLR2004 - a readable length
        places = max(twos, fives)
        return format(
            Decimal(seconds.numerator * 10**places // seconds.denominator).scaleb(-places), "f"
        )
    return str(seconds)


def add_exact(instant: dt.datetime, duration: ExactDuration) -> dt.datetime:
    """Add an exact duration on the absolute timeline; the result keeps ``instant``'s zone.

    The duration must be a whole number of microseconds, the finest step a datetime
    holds: ``1.5 us`` or ``1 ns`` is refused rather than rounded.

    Raises:
        ValidationError: ``instant`` is not a supported instant, ``duration`` is a
            calendar length or not a whole number of microseconds, or the result falls
            outside the supported range.

    Examples:
        >>> berlin = timezone("Europe/Berlin")
        >>> before = dt.datetime(2026, 10, 25, 1, 0, tzinfo=berlin)  # clocks go back at 3:00
        >>> add_exact(before, dt.timedelta(hours=3)).isoformat()
        '2026-10-25T03:00:00+01:00'
        >>> from cloudsms.units import quantity
        >>> add_exact(before, quantity("1.5 us"))
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Exact arithmetic is invalid (1 problem):
          - expected a whole number of microseconds (the finest step a datetime holds),
            got 0.0000015 seconds @ $.duration
    """
    problems = instant_problems(instant, "$.instant")
    if problems:
        raise ValidationError(problems, subject=_EXACT_SUBJECT)
    seconds = exact_seconds(duration, "$.duration")
    micro = _microseconds(seconds, "$.duration", _EXACT_SUBJECT)
    try:
        delta = dt.timedelta(microseconds=micro)  # negative ones too
        result: dt.datetime | None = (instant.astimezone(UTC) + delta).astimezone(instant.tzinfo)
    except OverflowError:
        result = None
    if result is None or instant_problems(result, "$"):
        raise ValidationError.single(
            "$.duration",
            f"a duration whose result is {RANGE_TEXT}",
            _seconds_text(seconds),
            subject=_EXACT_SUBJECT,
        )
    return result


@attrs.frozen(init=False)
class Period:
    """A half-open span of time ``[start, end)`` between two aware instants.

    Both ends are instants `aware` accepts (the end too: it is written and read back
    like the start). Two periods are equal when they hold the same instants written
    in the same zone: a Berlin month and the same instants in UTC split differently
    into days, so they differ.

    Raises:
        ValidationError: an instant is not a supported instant (naive, not a
            datetime, outside 1900-01-01T00:00Z up to 9000-01-01T00:00Z, or a wall
            time its zone skips), or ``end`` is not after ``start`` (paths
            ``$.start``, ``$.end``).

    Examples:
        >>> october = Period.month(2026, 10, "Europe/Berlin")
        >>> october.duration
        datetime.timedelta(days=31, seconds=3600)
        >>> october.hours
        Fraction(745, 1)
        >>> october == Period(october.start.astimezone(dt.UTC), october.end.astimezone(dt.UTC))
        False
    """

    start: dt.datetime = attrs.field(eq=instant_key)
    end: dt.datetime = attrs.field(eq=instant_key)

    def __init__(self, start: dt.datetime, end: dt.datetime) -> None:
        # The hot path: fixed offsets of whole seconds (as read from ISO 8601 text) in years well
        # inside the supported range, where comparing the datetimes compares instants.
        # Zones with DST and the edge years go through _check_period, which checks
        # every instant and compares in UTC: one zone's wall clock repeats an hour.
        if not (
            type(start) is dt.datetime
            and type(end) is dt.datetime
            and plain_offset(start.tzinfo)
            and plain_offset(end.tzinfo)
            and start < end
            and start.year > _FIRST_YEAR
            and end.year < _LAST_YEAR
        ):
            _check_period(start, end)
        _set_start(self, start)
        _set_end(self, end)

    # ---------------------------------------------------------------- calendar periods
    @classmethod
    def day(cls, date: dt.date, tz: dt.tzinfo | str) -> Period:
        """The calendar day ``date`` in ``tz`` (23 or 25 hours long on a DST change).

        A day whose midnight a DST change skips starts at the first instant it has.
        """
        given: object = date
        if not isinstance(given, dt.date) or isinstance(given, dt.datetime):
            raise ValidationError.single("$.date", "a date", describe(date), subject="Period")
        return _calendar_period(_local_start(date.year, date.month, date.day, tz), _ONE_DAY)

    @classmethod
    def month(cls, year: int, month: int, tz: dt.tzinfo | str) -> Period:
        """The calendar month in ``tz``, from its first midnight to the next month's."""
        return _calendar_period(_local_start(year, month, 1, tz), _ONE_MONTH)

    @classmethod
    def quarter(cls, year: int, quarter: int, tz: dt.tzinfo | str) -> Period:
        """Calendar quarter 1-4 of ``year`` in ``tz``.

        Raises:
            ValidationError: ``quarter`` is not 1-4.
        """
        if not _is_int(quarter) or quarter not in range(1, 5):
            raise ValidationError.single(
                "$.quarter", "a quarter from 1 to 4", describe(quarter), subject="Period"
            )
        return _calendar_period(_local_start(year, 3 * quarter - 2, 1, tz), _ONE_QUARTER)

    @classmethod
    def year(cls, year: int, tz: dt.tzinfo | str) -> Period:
        """The calendar year in ``tz``.

        Raises:
            ValidationError: the year is not an integer, or the period leaves the
                supported range (``Period.year(8999, "UTC")`` ends at 9000-01-01T00:00Z).
        """
        return _calendar_period(_local_start(year, 1, 1, tz), _ONE_YEAR)

    @classmethod
    def starting(cls, start: dt.datetime, length: relativedelta | ExactDuration) -> Period:
        """The period from ``start`` lasting a calendar length or an exact duration.

        A calendar length is checked as a model field's is (`calendar_length_problems`:
        positive, whole units); an exact duration as by `add_exact` (whole microseconds).

        Raises:
            ValidationError: ``start`` is not a supported instant, ``length`` is neither
                such a calendar length nor such an exact duration, or the end leaves the
                supported range.

        Examples:
            >>> from dateutil.relativedelta import relativedelta
            >>> Period.starting(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), relativedelta(hours=1.5))
            Traceback (most recent call last):
            ...
            cloudsms.errors.ValidationError: Period is invalid (1 problem):
              - expected a positive calendar length in whole units, such as P1M,
                got relativedelta(hours=+1.5) @ $.length
        """
        if isinstance(length, relativedelta):
            problems = calendar_length_problems(length, "$.length")
            if problems:
                raise ValidationError(problems, subject="Period")
            return cls(start, add_calendar(start, length))
        return cls(start, add_exact(start, length))

    # ---------------------------------------------------------------- measures
    @property
    def duration(self) -> dt.timedelta:
        """The exact length on the absolute timeline (not the wall-clock difference)."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    @property
    def seconds(self) -> Fraction:
        """The exact length in seconds."""
        return exact_seconds(self.duration)

    @property
    def hours(self) -> Fraction:
        """The exact length in hours."""
        return self.seconds / 3600

    # ---------------------------------------------------------------- relations
    def __contains__(self, instant: object) -> bool:
        if not isinstance(instant, dt.datetime) or instant.utcoffset() is None:
            return False
        try:
            moment = _utc(instant)
        except OverflowError:  # no UTC time at all, so in no supported period
            return False
        return _utc(self.start) <= moment < _utc(self.end)

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share any instant.

        Raises:
            ValidationError: ``other`` is not a `Period` (at ``$.other``).
        """
        _period_or_raise(other)
        return _utc(self.start) < _utc(other.end) and _utc(other.start) < _utc(self.end)

    def intersection(self, other: Period) -> Period | None:
        """The instants both periods hold, or ``None`` when they do not overlap.

        Raises:
            ValidationError: ``other`` is not a `Period` (at ``$.other``).
        """
        if not self.overlaps(other):
            return None
        return Period(max(self.start, other.start, key=_utc), min(self.end, other.end, key=_utc))

    # ---------------------------------------------------------------- splitting
    def split(self, unit: CalendarUnit) -> tuple[Period, ...]:
        """Cut the period at calendar boundaries of ``unit`` in the start's time zone.

        The first and last pieces may be partial; together the pieces cover the
        period exactly, without gaps or overlaps.

        Raises:
            ValidationError: ``unit`` is not one of day, month, quarter, year.

        Examples:
            >>> berlin = timezone("Europe/Berlin")
            >>> p = Period(
            ...     dt.datetime(2026, 1, 20, tzinfo=berlin), dt.datetime(2026, 3, 5, tzinfo=berlin)
            ... )
            >>> [(x.start.day, x.end.month, x.end.day) for x in p.split("month")]
            [(20, 2, 1), (1, 3, 1), (1, 3, 5)]
        """
        return tuple(self._pieces(unit))

    def _pieces(self, unit: str) -> Iterator[Period]:
        zone = self.start.tzinfo
        first, last = _unit_index(self.start, unit), _unit_index(self.end, unit, zone)
        # The starts of units first..last+1, on the wall clock by index (no drift), each
        # the real instant; the end is before 9000-01-01Z, so none passes the year 9999.
        # Only the first and the last piece are cut: the others are whole units. The
        # pieces lie inside this checked period and are built without a second check.
        bounds = _unit_starts(first, last + 1, unit, zone)
        head = bounds[0] if _utc(bounds[0]) == _utc(self.start) else self.start
        if first == last:
            yield _trusted(head, self.end)
            return
        yield _trusted(head, bounds[1])
        yield from map(_trusted, bounds[1:-2], bounds[2:-1])
        if _utc(bounds[-2]) < _utc(self.end):
            yield _trusted(bounds[-2], self.end)

    def calendar_count(self, unit: CalendarUnit) -> Fraction:
        """How many calendar units (in the start's zone) the period spans, exactly.

        A whole unit counts 1 and a partial one the share of its exact length the period
        holds: the sum over `split` of each piece's seconds over its `enclosing` unit's,
        computed from the two partial ends alone, however long the period. It is how a
        price per calendar month is prorated by the actual length of each month (S11;
        ISO/IEC 20000-1 6.4).

        Raises:
            ValidationError: ``unit`` is not one of day, month, quarter, year.

        Examples:
            >>> Period.month(2026, 2, "UTC").calendar_count("month")
            Fraction(1, 1)
            >>> utc = timezone("UTC")
            >>> p = Period(
            ...     dt.datetime(2026, 1, 17, tzinfo=utc), dt.datetime(2026, 3, 1, tzinfo=utc)
            ... )
            >>> p.calendar_count("month")  # 15 of January's 31 days, and all of February
            Fraction(46, 31)
        """
        zone = self.start.tzinfo
        first, last = _unit_index(self.start, unit), _unit_index(self.end, unit, zone)
        start, end = _utc(self.start), _utc(self.end)
        lower, upper = (_utc(_unit_start(i, unit, zone)) for i in (first, first + 1))
        if first == last:
            return _fraction(end - start) / _fraction(upper - lower)
        head = _fraction(upper - start) / _fraction(upper - lower)
        last_lower, last_upper = (_utc(_unit_start(i, unit, zone)) for i in (last, last + 1))
        tail = _fraction(end - last_lower) / _fraction(last_upper - last_lower)
        return head + (last - first - 1) + tail

    def enclosing(self, unit: CalendarUnit) -> Period:
        """The whole calendar ``unit`` (in the start's zone) that contains the start.

        Raises:
            ValidationError: ``unit`` is not a calendar unit, or the whole unit leaves
                the supported range (the year 1899 in Berlin starts before 1900 in UTC).
        """
        index = _unit_index(self.start, unit)
        zone = self.start.tzinfo
        return Period(_unit_start(index, unit, zone), _unit_start(index + 1, unit, zone))

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


_ONE_DAY = relativedelta(days=1)
_ONE_MONTH = relativedelta(months=1)
_ONE_QUARTER = relativedelta(months=3)
_ONE_YEAR = relativedelta(years=1)


def _local_start(year: object, month: object, day: object, tz: object) -> dt.datetime:
    """Local midnight of a calendar date in ``tz`` on the wall clock; every argument checked.

    The years stop at those the supported range touches, so one more calendar unit
    never passes Python's year 9999; `Period` refuses what leaves the range itself.
    """
    zone = timezone(tz, path="$.tz") if isinstance(tz, str) else tz
    if not isinstance(zone, dt.tzinfo):
        raise ValidationError.single(
            "$.tz", "a time zone (tzinfo or IANA name)", describe(tz), subject="Period"
        )
    numbers = (year, month, day)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in numbers):
        y, m, d = cast("tuple[int, int, int]", numbers)
        if _FIRST_YEAR <= y <= _LAST_YEAR:
            try:
                return dt.datetime(y, m, d, tzinfo=zone)
            except ValueError:
                pass
    raise ValidationError.single(
        "$",
        f"a calendar date (year {_FIRST_YEAR}-{_LAST_YEAR}, month 1-12, a day of that month)",
        describe(numbers),
        subject="Period",
    )


def _calendar_period(wall_start: dt.datetime, step: relativedelta) -> Period:
    """The calendar unit from a local midnight, each end the real instant it names."""
    return Period(_real(wall_start), _real(wall_start + step))


_MONTHS_PER_UNIT = {"month": 1, "quarter": 3, "year": 12}
_UNITS = ("day", "month", "quarter", "year")


def _unit_index(instant: dt.datetime, unit: object, zone: dt.tzinfo | None = None) -> int:
    """The number of the calendar ``unit`` holding ``instant`` in ``zone`` (its own zone).

    Days count from 0001-01-01 and months, quarters and years from the year 0, so
    consecutive units have consecutive numbers. The calendar date is that of the real
    instant (the second pass of a repeated hour has the wall fields of the first).
    """
    if unit not in _UNITS:
        raise ValidationError.single(
            "$.unit", "one of 'day', 'month', 'quarter', 'year'", describe(unit), subject="Period"
        )
    local = _utc(instant).astimezone(zone or instant.tzinfo)
    if unit == "day":
        return local.toordinal()
    return (12 * local.year + local.month - 1) // _MONTHS_PER_UNIT[unit]


def _unit_start(index: int, unit: object, zone: dt.tzinfo | None) -> dt.datetime:
    """The first instant of calendar ``unit`` number ``index`` in ``zone``.

    That is its local midnight, or when a DST change skips that midnight, the instant
    the clocks show after the jump.
    """
    if unit == "day":
        day = dt.date.fromordinal(index)
        return _real(dt.datetime(day.year, day.month, day.day, tzinfo=zone))
    year, month = divmod(index * _MONTHS_PER_UNIT[cast("str", unit)], 12)
    return _real(dt.datetime(year, month + 1, 1, tzinfo=zone))


def _unit_starts(first: int, last: int, unit: object, zone: dt.tzinfo | None) -> list[dt.datetime]:
    """The first instants of calendar units ``first`` to ``last`` (inclusive) in ``zone``."""
    if unit != "day":
        return [_unit_start(index, unit, zone) for index in range(first, last + 1)]
    day = dt.date.fromordinal(first)
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    walls = [midnight + dt.timedelta(days=k) for k in range(last - first + 1)]
    return walls if type(zone) is dt.timezone else [_real(wall) for wall in walls]


def _fraction(length: dt.timedelta) -> Fraction:
    return Fraction(length // _MICROSECOND, 10**6)


_MICROSECOND = dt.timedelta(microseconds=1)


def _trusted(start: dt.datetime, end: dt.datetime) -> Period:
    """A period of two instants already checked (a piece of a checked period)."""
    piece = object.__new__(Period)
    _set_start(piece, start)
    _set_end(piece, end)
    return piece


def _period_or_raise(other: object) -> None:
    if not isinstance(other, Period):
        raise ValidationError.single("$.other", "a Period", describe(other), subject="Period")


def _check_period(start: object, end: object) -> None:
    problems = instant_problems(start, "$.start") + instant_problems(end, "$.end")
    if problems:
        raise ValidationError(problems, subject="Period")
    assert isinstance(start, dt.datetime)  # noqa: S101 - narrowed by instant_problems
    assert isinstance(end, dt.datetime)  # noqa: S101
    if not _utc(start) < _utc(end):
        raise ValidationError.single(
            "$.end",
            f"an instant after the start {start.isoformat()}",
            end.isoformat(),
            subject="Period",
        )


# ---------------------------------------------------------------------- offset changes
def offset_changes(period: Period) -> tuple[tuple[dt.datetime, dt.timedelta], ...]:
    """The changes of UTC offset of the period's zone while the period runs.

    The period's zone is its start's (as for `Period.split`). Each change is a pair:
    the first instant with the new offset, written in that zone, and the new offset.
    Only changes strictly inside the period count (``start < instant < end``): the
    offset in force at the start is ``period.start.utcoffset()``, and a change at the
    end belongs to what follows. A zone's DST changes are the usual ones; a zone that
    changes its standard offset (Samoa at the end of 2011) is listed too, and a change
    of the zone's name or DST flag alone, which leaves the offset as it was, is not.
    A fixed offset (`datetime.timezone`) never changes.

    It is how an exact duration and a wall-clock reading part (S11: a vcpu held over
    October in Berlin is held 745 hours, one more than the wall clock's 31 days; the
    support-hours clock of S09 and S10 reads the repeated hour twice): between two
    changes, wall-clock differences are exact. For an IANA zone the work grows with
    the zone's transitions in the period, not with its length (each change is found
    to the second near the transitions the zone's own data lists).

    Raises:
        ValidationError: ``period`` is not a `Period` (path ``$.period``).

    Examples:
        >>> october = Period.month(2026, 10, "Europe/Berlin")  # the clocks go back on the 25th
        >>> [(t.isoformat(), o) for t, o in offset_changes(october)]
        [('2026-10-25T02:00:00+01:00', datetime.timedelta(seconds=3600))]
        >>> [t.isoformat() for t, _ in offset_changes(Period.year(2026, "Europe/Berlin"))]
        ['2026-03-29T03:00:00+02:00', '2026-10-25T02:00:00+01:00']
        >>> offset_changes(Period.month(2026, 11, "Europe/Berlin"))
        ()
        >>> offset_changes(Period.month(2026, 10, "UTC"))
        ()
    """
    given: object = period
    if not isinstance(given, Period):
        raise ValidationError.single("$.period", "a Period", describe(given), subject="Period")
    zone = cast("dt.tzinfo", period.start.tzinfo)
    start, end = _utc(period.start), _utc(period.end)
    if plain_offset(zone):
        return ()
    changes: list[tuple[dt.datetime, dt.timedelta]] = []
    for lower, upper in _change_windows(zone, start, end):
        runs = _offset_runs(zone, lower, upper)
        changes += [(at, offset) for at, _, offset in runs[1:] if start < at < end]
    return tuple((at.astimezone(zone), offset) for at, offset in changes)


_NEAR_CHANGE = dt.timedelta(days=2)  # a transition of a zone's data is within a day of it


def _change_windows(
    zone: dt.tzinfo, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Spans in UTC (whole seconds, sorted, apart) holding every offset change in ``[start, end]``.

    Two days either side of each transition the zone's data lists, cut to the period
    and joined where they meet; the whole period when the data cannot be read (the
    offset is then read every half hour across it).
    """
    lower = start.replace(microsecond=0)
    upper = end if not end.microsecond else end.replace(microsecond=0) + _SECOND
    key = str(getattr(zone, "key", None) or "")  # a Period's zone has an IANA key
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    lo = (lower - _NEAR_CHANGE - epoch).total_seconds()
    hi = (upper + _NEAR_CHANGE - epoch).total_seconds()
    found = _transition_seconds(key, lo, hi, lower.year, upper.year) if key else None
    if found is None:
        return [(lower, upper)]
    windows: list[tuple[dt.datetime, dt.datetime]] = []
    for seconds in sorted(found):  # each within [lo, hi], so low <= high
        near = epoch + dt.timedelta(seconds=seconds)
        low, high = max(lower, near - _NEAR_CHANGE), min(upper, near + _NEAR_CHANGE)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], high))
        else:
            windows.append((low, high))
    return windows


# ---------------------------------------------------------------------- support hours
_set_start = slot_setter(Period, "start")
_set_end = slot_setter(Period, "end")


@attrs.frozen
class DailyWindow:
    """Opening hours on one weekday: ``weekday`` 0 (Monday) to 6, minutes from midnight.

    ``opens`` and ``closes`` count minutes of local wall-clock time; ``closes`` may
    be 1440 (midnight at the end of the day). Written ``"mon 09:00-17:00"``.

    Raises:
        ValidationError: weekday outside 0-6, or not ``0 <= opens < closes <= 1440``.
    """

    weekday: int
    opens: int
    closes: int

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        weekday, opens, closes = (cast("object", v) for v in attrs.astuple(self))
        if not _is_int(weekday) or weekday not in range(7):
            problems.append(
                Problem("$.weekday", "a weekday from 0 (Monday) to 6", describe(weekday))
            )
        if not (_is_int(opens) and _is_int(closes) and 0 <= opens < closes <= _DAY):
            problems.append(
                Problem(
                    "$.closes", f"0 <= opens < closes <= {_DAY} minutes", describe((opens, closes))
                )
            )
        if problems:
            raise ValidationError(problems, subject="DailyWindow")

    @classmethod
    def parse(cls, text: str) -> DailyWindow:
        """Read ``"mon 09:00-17:00"`` (``24:00`` is the end of the day).

        One form only, the one `str` writes and the JSON Schema states
        (`WINDOW_PATTERN`): a lower-case weekday, one space, two ASCII digits for each
        hour and minute, and nothing around it.

        Raises:
            ValidationError: ``text`` is not a string of that form, or its hours are
                not ``00:00 <= opens < closes <= 24:00``.

        Examples:
            >>> DailyWindow.parse("mon 09:00-17:00")
            DailyWindow(weekday=0, opens=540, closes=1020)
            >>> DailyWindow.parse("Mon 9:00-17:00")
            Traceback (most recent call last):
            ...
            cloudsms.errors.ValidationError: DailyWindow is invalid (1 problem):
              - expected a daily window such as 'mon 09:00-17:00',
                got 'Mon 9:00-17:00' (string) @ $
        """
        given: object = text  # typed str, yet a reader may pass anything
        match = _WINDOW.fullmatch(given) if isinstance(given, str) else None
        if match is not None:
            day, *fields = match.groups()
            opens_h, opens_m, closes_h, closes_m = (int(f) for f in fields)
            opens, closes = opens_h * 60 + opens_m, closes_h * 60 + closes_m
            if max(opens_m, closes_m) < 60 and 0 <= opens < closes <= _DAY:  # noqa: PLR2004
                return cls(WEEKDAYS.index(day), opens, closes)
        raise ValidationError.single(
            "$", "a daily window such as 'mon 09:00-17:00'", describe(text), subject="DailyWindow"
        )

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {_hhmm(self.opens)}-{_hhmm(self.closes)}"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _collection(value: object) -> TypeGuard[Iterable[object]]:
    """Whether ``value`` is a collection of items (text is one value, not its letters)."""
    return isinstance(value, abc.Iterable) and not isinstance(value, str | bytes | abc.Mapping)


def _window_tuple(windows: Iterable[DailyWindow]) -> tuple[DailyWindow, ...]:
    """The windows as a tuple; anything else is kept for the check to refuse."""
    given: object = windows
    if _collection(given):
        return tuple(cast("Iterable[DailyWindow]", given))
    return windows  # type: ignore[return-value]


def _date_set(dates: Iterable[dt.date]) -> frozenset[dt.date]:
    """The dates as a frozenset; anything else is kept for the check to refuse."""
    given: object = dates
    if _collection(given):
        try:
            return frozenset(cast("Iterable[dt.date]", given))
        except TypeError:  # an unhashable item: the check names it
            pass
    return dates  # type: ignore[return-value]


@attrs.frozen(kw_only=True)
class SupportHours:
    """A weekly calendar of support hours in a time zone, with holidays.

    Measures elapsed business time between two instants — the clock that response
    and resolution targets run on (S09, S10; ISO/IEC 20000-1 8.1). Windows are local
    wall-clock times, so a DST change moves them with the clocks.

    Examples:
        >>> office = SupportHours.weekdays("09:00", "17:00", "Europe/Berlin")
        >>> berlin = timezone("Europe/Berlin")
        >>> friday_4pm = dt.datetime(2026, 11, 27, 16, 0, tzinfo=berlin)
        >>> monday_10am = dt.datetime(2026, 11, 30, 10, 0, tzinfo=berlin)
        >>> office.elapsed(friday_4pm, monday_10am)
        datetime.timedelta(seconds=7200)
        >>> office.deadline(friday_4pm, dt.timedelta(hours=4)).isoformat()
        '2026-11-30T12:00:00+01:00'
    """

    timezone: str
    windows: tuple[DailyWindow, ...] = attrs.field(converter=_window_tuple)
    holidays: frozenset[dt.date] = attrs.field(default=frozenset(), converter=_date_set)

    def __attrs_post_init__(self) -> None:
        found = load_zone(self.timezone, "$.timezone")
        problems: list[Problem] = found if isinstance(found, list) else []
        given: object = self.windows
        if isinstance(given, tuple):
            problems += [
                Problem(f"$.windows[{i}]", "a DailyWindow", describe(w))
                for i, w in enumerate(given)
                if not isinstance(w, DailyWindow)
            ]
        else:
            problems.append(Problem("$.windows", "a sequence of DailyWindow", describe(given)))
        days: object = self.holidays
        if isinstance(days, frozenset):
            problems += [
                Problem("$.holidays", "dates", describe(d))
                for d in sorted(days, key=repr)
                if type(d) is not dt.date
            ]
        else:
            problems.append(Problem("$.holidays", "a collection of dates", describe(days)))
        if problems:
            raise ValidationError(problems, subject=_HOURS_SUBJECT)

    @classmethod
    def weekdays(
        cls, opens: str, closes: str, tz: str, *, holidays: Iterable[dt.date] = ()
    ) -> SupportHours:
        """The same hours Monday to Friday, such as 09:00-17:00.

        Raises:
            ValidationError: ``opens`` or ``closes`` is not a time such as ``"09:00"``
                (``"24:00"`` closes at midnight), ``opens`` is not before ``closes``,
                or the zone or holidays are refused as by `SupportHours`.
        """
        times: tuple[object, object] = (opens, closes)
        window = f"mon {opens}-{closes}" if all(isinstance(t, str) for t in times) else ""
        if _WINDOW.fullmatch(window) is None:
            raise ValidationError.single(
                "$",
                "opening and closing times such as '09:00' and '17:00'",
                f"{describe(opens)} and {describe(closes)}",
                subject=_HOURS_SUBJECT,
            )
        first = DailyWindow.parse(window)
        return cls(
            timezone=tz,
            windows=tuple(attrs.evolve(first, weekday=day) for day in range(5)),
            holidays=holidays,
        )

    @classmethod
    def always(cls, tz: str = "UTC") -> SupportHours:
        """Round the clock, every day (24x7)."""
        return cls(timezone=tz, windows=tuple(DailyWindow(d, 0, _DAY) for d in range(7)))

    def _by_day(self) -> dict[int, list[DailyWindow]]:
        by_day: dict[int, list[DailyWindow]] = {}
        for window in self.windows:
            by_day.setdefault(window.weekday, []).append(window)
        return by_day

    def _day_spans(
        self,
        day: dt.date,
        zone: dt.tzinfo,
        by_day: dict[int, list[DailyWindow]],
        *,
        irregular: bool,
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """The instants, in UTC and merged, whose wall clock reads an open time of ``day``.

        That is the rule of the support-hours clock: an instant is open exactly when
        the wall clock of the zone, at that instant, reads a time inside a window of
        its local weekday (and the day is no holiday). On an ``irregular`` day (near a
        change of UTC offset) the instants are split into runs of one offset, and each
        window is read on each run: a window in a repeated hour is open twice, one in
        a skipped hour not at all, and a local day the zone skips (Samoa's 30 December
        2011) has no instants at all. Any other day has one offset all day long.
        """
        windows = by_day.get(day.weekday(), ())
        if day in self.holidays or not windows:
            return []
        # The wall clock's midnight, written as if it were UTC: an instant t reads the
        # wall time t + offset, so a wall time w is read at w - offset.
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
        if irregular:
            runs = _offset_runs(zone, midnight - _ONE_DAY_EXACT, midnight + 2 * _ONE_DAY_EXACT)
        else:
            noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=zone)
            runs = [(midnight - _ONE_DAY_EXACT, midnight + 2 * _ONE_DAY_EXACT, _offset(noon))]
        spans = [
            (
                max(lower, midnight + w.opens * _MINUTE - offset),
                min(upper, midnight + w.closes * _MINUTE - offset),
            )
            for lower, upper, offset in runs
            for w in windows
        ]
        return list(_merged(sorted(spans)))

    def open_spans(
        self, first: dt.date, last: dt.date
    ) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The spans the support hours are open on the local days ``first`` to ``last``.

        Each span is a pair of aware UTC instants (open, close), merged where they
        touch and in order, holidays left out; a caller that measures many intervals
        on one calendar keeps them and reads them by bisection (the S09 clocks do).
        Serves S07 and S09 (support hours); ISO/IEC 20000-1:2011 6.1.

        Raises:
            ValidationError: ``first`` or ``last`` is not a date.

        Examples:
            >>> hours = SupportHours.weekdays("09:00", "18:00", "Europe/Berlin")
            >>> friday, monday = dt.date(2026, 3, 6), dt.date(2026, 3, 9)
            >>> for opens, closes in hours.open_spans(friday, monday):
            ...     print(opens.isoformat(), closes.isoformat())
            2026-03-06T08:00:00+00:00 2026-03-06T17:00:00+00:00
            2026-03-09T08:00:00+00:00 2026-03-09T17:00:00+00:00
        """
        given: tuple[object, object] = (first, last)
        wrong = [
            Problem(f"$.{name}", "a date", describe(value))
            for name, value in zip(("first", "last"), given, strict=True)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime)
        ]
        if wrong:
            raise ValidationError(wrong, subject="support hours")
        return self._open_spans(first, last)

    def _open_spans(
        self, first: dt.date, last: dt.date
    ) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The open spans of the local days first to last, in UTC, merged, in order.

        Spans of different days never overlap (an instant has one local date), yet a
        clock put back over midnight lets a day's spans start before the previous
        day's end: each day's spans wait until no later day can start before them.
        """
        zone = timezone(self.timezone)
        by_day = self._by_day()
        near = _transition_days(self.timezone, first, last)
        waiting: list[tuple[dt.datetime, dt.datetime]] = []
        day = first
        while day <= last:
            irregular = near is None or day in near
            waiting = sorted(waiting + self._day_spans(day, zone, by_day, irregular=irregular))
            # A later local day's instants read at least its midnight, so they come
            # after this day's midnight read as UTC (offsets are under a day).
            ready = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
            cut = bisect.bisect_right(waiting, (ready, ready))
            yield from waiting[:cut]
            waiting = waiting[cut:]
            day += _ONE_DAY_EXACT
        yield from waiting

    def _clipped(
        self, first: dt.date, last: dt.date, lower_bound: dt.datetime, upper_bound: dt.datetime
    ) -> dt.timedelta:
        """The open time of the local days first to last that lies between the bounds."""
        total = dt.timedelta()
        for opens, closes in self._open_spans(first, last):
            lower, upper = max(opens, lower_bound), min(closes, upper_bound)
            if lower < upper:
                total += upper - lower
        return total

    def _whole_days(self, first: dt.date, last: dt.date) -> dt.timedelta:
        """The open time of the local days first to last, each counted whole.

        The week repeats on the wall clock, so a day whose UTC offset stays the same
        all day opens for its weekday's nominal hours: those are counted by
        multiplication. Only holidays and the days around a change of UTC offset
        (read from the zone's own transitions) are measured one by one, so the work
        grows with the holidays and offset changes in the span, not with its days.
        """
        zone = timezone(self.timezone)
        by_day = self._by_day()
        irregular = _transition_days(self.timezone, first, last)
        if irregular is None:  # the zone's transitions are unreadable: measure each day
            return self._clipped(first, last, _utc(MIN_INSTANT), _utc(MAX_INSTANT))
        nominal = [_wall_open(by_day.get(weekday, ())) for weekday in range(7)]
        weeks, rest = divmod((last - first).days + 1, 7)
        total = sum(nominal, dt.timedelta()) * weeks
        total += sum((nominal[(first.weekday() + i) % 7] for i in range(rest)), dt.timedelta())
        irregular |= {day for day in self.holidays if first <= day <= last}
        for day in irregular:
            if first <= day <= last:
                spans = self._day_spans(day, zone, by_day, irregular=True)
                measured = sum((closes - opens for opens, closes in spans), dt.timedelta())
                total += measured - nominal[day.weekday()]
        return total

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Business time between two instants: the open hours the span covers.

        The days at either end are measured against the two instants; the whole days
        between are counted week by week, so a span of centuries costs as little as
        its holidays and the zone's offset changes.

        Raises:
            ValidationError: an instant is not a supported instant (naive, outside
                the range, a wall time its zone skips), or ``end`` is before ``start``.
        """
        _instants_or_raise((start, "$.start"), (end, "$.end"))
        lower_bound, upper_bound = _utc(start), _utc(end)
        if upper_bound < lower_bound:
            raise ValidationError.single(
                "$.end",
                f"an instant not before the start {start.isoformat()}",
                end.isoformat(),
                subject=_HOURS_SUBJECT,
            )
        zone = timezone(self.timezone)
        # An instant's local date is within a day of the dates at the two ends (a
        # clock put back over midnight reads the day before again).
        first = start.astimezone(zone).date() - dt.timedelta(days=1)
        last = end.astimezone(zone).date() + dt.timedelta(days=1)
        # Days this far inside the span lie wholly between the instants, whatever the
        # zone's offsets do (even a whole day skipped, as Samoa did in 2011).
        margin = dt.timedelta(days=_EDGE_DAYS)
        if (last - first) <= 2 * margin:
            return self._clipped(first, last, lower_bound, upper_bound)
        one = dt.timedelta(days=1)
        head, tail = first + margin, last - margin
        return (
            self._clipped(first, head - one, lower_bound, upper_bound)
            + self._whole_days(head, tail)
            + self._clipped(tail + one, last, lower_bound, upper_bound)
        )

    def deadline(self, start: dt.datetime, budget: ExactDuration) -> dt.datetime:
        """The first instant by which ``budget`` of business time has elapsed since ``start``.

        ``budget`` is an exact duration (a timedelta or a time quantity) of zero or
        more whole microseconds, the finest step a datetime holds: a finer one is
        refused, never rounded. The result is the earliest instant ``t`` with
        ``elapsed(start, t) == budget``, in the calendar's time zone: a zero budget
        gives ``start`` itself (in that zone), and a budget that runs out as a window
        closes gives the closing instant, not the next opening. It is the due time of
        a response or resolution target on the support-hours clock (S09, S10;
        ISO/IEC 20000-1 8.1).

        Raises:
            ValidationError: ``start`` is not a supported instant, ``budget`` is not an
                exact duration, is negative or is not a whole number of microseconds,
                the calendar has no open hours within ten years, or the deadline
                falls on or after 9000-01-01T00:00Z.

        Examples:
            >>> office = SupportHours.weekdays("09:00", "17:00", "Europe/Berlin")
            >>> saturday = dt.datetime(2026, 11, 28, 12, tzinfo=UTC)
            >>> office.deadline(saturday, dt.timedelta()).isoformat()
            '2026-11-28T13:00:00+01:00'
            >>> from cloudsms.units import quantity
            >>> office.deadline(saturday, quantity("-1 s"))
            Traceback (most recent call last):
            ...
            cloudsms.errors.ValidationError: SupportHours is invalid (1 problem):
              - expected a budget of zero or more, got -1 seconds @ $.budget
        """
        _instants_or_raise((start, "$.start"))
        origin = _utc(start)
        seconds = exact_seconds(budget, "$.budget")
        if seconds < 0:
            raise ValidationError.single(
                "$.budget",
                "a budget of zero or more",
                f"{_exact_text(seconds)} seconds",
                subject=_HOURS_SUBJECT,
            )
        remaining = _microseconds(seconds, "$.budget", _HOURS_SUBJECT)
        zone = timezone(self.timezone)
        if remaining == 0:
            return start.astimezone(zone)
        first = start.astimezone(zone).date() - dt.timedelta(days=1)
        last = first + dt.timedelta(days=_MAX_SCAN_DAYS)
        for opens, closes in self._open_spans(first, last):
            lower = max(opens, origin)
            if lower >= closes:
                continue
            if lower >= MAX_INSTANT:
                break
            available = (closes - lower) // _MICROSECOND
            if remaining <= available:
                found = lower + dt.timedelta(microseconds=remaining)
                if found < MAX_INSTANT:
                    return found.astimezone(zone)
                break
            remaining -= available
        else:
            raise ValidationError.single(
                "$.windows",
                "open hours within ten years of the start",
                "none",
                subject=_HOURS_SUBJECT,
            )
        raise ValidationError.single(
            "$.budget",
            f"a budget whose deadline is {RANGE_TEXT}",
            _seconds_text(seconds),
            subject=_HOURS_SUBJECT,
        )

    def is_open(self, instant: dt.datetime) -> bool:
        """Whether support is open at ``instant``.

        Raises:
            ValidationError: ``instant`` is not a supported instant.
        """
        _instants_or_raise((instant, "$.instant"))
        moment = _utc(instant)
        day = moment.astimezone(timezone(self.timezone)).date()
        return any(opens <= moment < closes for opens, closes in self._open_spans(day, day))


_EDGE_DAYS = 4
_ONE_DAY_EXACT = dt.timedelta(days=1)
_MINUTE = dt.timedelta(minutes=1)
_SECOND = dt.timedelta(seconds=1)
_PROBE = dt.timedelta(minutes=30)  # closer than any two changes of a zone's offset


def _offset(instant: dt.datetime) -> dt.timedelta:
    """The UTC offset of an aware instant's zone at that instant."""
    return cast("dt.timedelta", instant.utcoffset())


def _offset_runs(
    zone: dt.tzinfo, lower: dt.datetime, upper: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime, dt.timedelta]]:
    """``[lower, upper)`` (UTC, whole seconds) cut into runs of one UTC offset of ``zone``.

    The offset is read every half hour and, where it differs, the change is found
    to the second by bisection (zones change their offsets on whole seconds).
    """
    probes = [lower]
    while probes[-1] < upper:
        probes.append(min(probes[-1] + _PROBE, upper))
    offsets = [_offset(probe.astimezone(zone)) for probe in probes]
    changes: list[tuple[dt.datetime, dt.timedelta]] = []
    for i in range(len(probes) - 1):
        changes += _changes(zone, probes[i], probes[i + 1], offsets[i], offsets[i + 1])
    runs, start, offset = [], lower, offsets[0]
    for instant, after in changes:
        runs.append((start, instant, offset))
        start, offset = instant, after
    runs.append((start, upper, offset))
    return runs


def _changes(
    zone: dt.tzinfo,
    lower: dt.datetime,
    upper: dt.datetime,
    before: dt.timedelta,
    after: dt.timedelta,
) -> list[tuple[dt.datetime, dt.timedelta]]:
    """The instants in ``(lower, upper]`` where the offset changes, with the new offset."""
    if before == after:
        return []
    if upper - lower <= _SECOND:
        return [(upper, after)]
    middle = lower + (upper - lower) // _SECOND // 2 * _SECOND
    between = _offset(middle.astimezone(zone))
    return _changes(zone, lower, middle, before, between) + _changes(
        zone, middle, upper, between, after
    )


def _wall_open(windows: Iterable[DailyWindow]) -> dt.timedelta:
    """The open time of a day's windows on the wall clock, overlaps counted once."""
    total, reach = 0, 0
    for window in sorted(windows, key=lambda w: (w.opens, w.closes)):
        total += max(0, window.closes - max(window.opens, reach))
        reach = max(reach, window.closes)
    return dt.timedelta(minutes=total)


def _transition_days(key: str, first: dt.date, last: dt.date) -> set[dt.date] | None:
    """The local days from first to last near a change of the zone's UTC offset.

    A superset: every day within two of a transition (offsets differ by at most a
    day, so that covers the day on either side whatever the offset). ``None`` when
    the zone's data cannot be read, so the caller measures every day instead.
    """
    epoch = dt.date(1970, 1, 1)
    near = dt.timedelta(days=2)
    lo = ((first - epoch) - near).total_seconds()
    hi = ((last - epoch) + near + dt.timedelta(days=1)).total_seconds()
    found = _transition_seconds(key, lo, hi, first.year, last.year)
    if found is None:
        return None
    days: set[dt.date] = set()
    for seconds in found:
        day = epoch + dt.timedelta(seconds=seconds)
        days.update(day + dt.timedelta(days=k) for k in range(-2, 3))
    return days


def _transition_seconds(
    key: str, lo: float, hi: float, first_year: int, last_year: int
) -> list[int] | None:
    """The zone's transitions from ``lo`` to ``hi`` (seconds since the epoch), each within a day.

    Explicit transitions are instants in UTC; the rule's (for the years after them,
    ``first_year - 1`` to ``last_year + 1``) are local wall times as seconds since the
    epoch: either way within a day of the instant the offset changes. A transition may
    change only the zone's name or its DST flag, not its offset. ``None`` when the
    zone's data cannot be read.
    """
    data = _zone_transitions(key)
    if data is None:
        return None
    explicit, rule = data
    found = list(explicit[bisect.bisect_left(explicit, lo) : bisect.bisect_right(explicit, hi)])
    if rule is not None:
        after = dt.datetime.fromtimestamp(explicit[-1], UTC).year if explicit else first_year
        for year in range(max(first_year - 1, after), min(last_year + 1, 9999) + 1):
            found += [t for t in rule.transitions(year) if lo <= t <= hi]
    return found


@cache
def _zone_transitions(key: str) -> tuple[tuple[int, ...], Any] | None:
    """The zone's transitions (UTC seconds) and its rule for the years after them.

    Read from the same file `zoneinfo` reads (the TZ path first, then the tzdata
    package) with its own parser; ``None`` when that fails.
    """
    try:
        common = importlib.import_module("zoneinfo._common")
        tzpath = importlib.import_module("zoneinfo._tzpath")
        parser = importlib.import_module("zoneinfo._zoneinfo")
        path = tzpath.find_tzfile(key)
        with open(path, "rb") if path else common.load_tzdata(key) as file:  # noqa: PTH123
            _, explicit, _, _, _, text = common.load_data(file)
        rule = parser._parse_tz_str(text.decode()) if text else None  # noqa: SLF001
        if rule is not None and not hasattr(rule, "transitions"):
            rule = None  # no daylight saving time: one offset after the last transition
        return tuple(sorted(explicit)), rule
    # The zone loaded already (it is the calendar's zone); any failure here is of the
    # standard library's private parser, and the caller measures every day instead.
    except Exception:  # noqa: BLE001
        return None


def _instants_or_raise(*pairs: tuple[object, str]) -> None:
    problems = [p for value, path in pairs for p in instant_problems(value, path)]
    if problems:
        raise ValidationError(problems, subject=_HOURS_SUBJECT)


def _merged(
    spans: list[tuple[dt.datetime, dt.datetime]],
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Sorted spans with the empty ones dropped and the overlapping ones joined."""
    current: tuple[dt.datetime, dt.datetime] | None = None
    for opens, closes in spans:
        if closes <= opens:
            continue
        if current is not None and opens <= current[1]:
            current = (current[0], max(current[1], closes))
            continue
        if current is not None:
            yield current
        current = (opens, closes)
    if current is not None:
        yield current
