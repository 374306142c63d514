"""ISO 8601 durations: calendar lengths (``P1M``) and exact lengths of time (``PT1H30M``).

The wire form of `relativedelta` and `timedelta` fields: whatever is read is written back
the same, and a length the writer could not write is refused when read.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from cloudsms.errors import ValidationError, describe

__all__ = ["format_duration", "parse_duration"]

_DURATION = re.compile(
    r"(-)?P(?:([0-9]{1,6})Y)?(?:([0-9]{1,6})M)?(?:([0-9]{1,9})W)?(?:([0-9]{1,12})D)?"
    r"(?:T(?:([0-9]{1,14})H)?(?:([0-9]{1,14})M)?(?:([0-9]{1,16}(?:\.[0-9]{1,6})?)S)?)?"
)

# Under these bounds a one-signed length stays inside the 1000-year limit, whatever its
# months and hours (which relativedelta keeps under a year and a day): see
# cloudsms.periods._within_limit, which takes the same shortcut.
_PLAIN_YEARS = 990
_PLAIN_DAYS = 3650


# ---------------------------------------------------------------------- durations
def format_duration(value: relativedelta | dt.timedelta) -> str:
    """An ISO 8601 duration: ``"P1M"`` for relativedelta(months=1), ``"PT1H30M"`` for 90 min.

    Raises:
        ValidationError: a relativedelta with absolute fields or mixed signs.

    Examples:
        >>> format_duration(relativedelta(years=1, months=2, days=3, hours=4))
        'P1Y2M3DT4H'
        >>> format_duration(dt.timedelta(hours=1, minutes=30))
        'PT1H30M'
    """
    if isinstance(value, dt.timedelta):
        micro = value // dt.timedelta(microseconds=1)
        sign, micro = ("-", -micro) if micro < 0 else ("", micro)
        seconds, fraction = divmod(micro, 10**6)
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        parts = [("H", hours), ("M", minutes)]
        text = "".join(f"{n}{u}" for u, n in parts if n)
        if secs or fraction:
            text += f"{secs}.{fraction:06d}".rstrip("0").rstrip(".") + "S"
        return f"{sign}PT{text or '0S'}"
    if type(value) is relativedelta:
        plain = _plain_text(value)
        if plain is not None:
            return plain
    _writable(value)
    fields = [value.years, value.months, value.days, value.hours, value.minutes, value.seconds]
    if value.microseconds or (any(f > 0 for f in fields) and any(f < 0 for f in fields)):
        raise ValidationError.single(
            "$",
            "a calendar length with whole units of one sign",
            describe(value),
            subject="Duration",
        )
    sign = "-" if any(f < 0 for f in fields) else ""
    y, mo, d, h, mi, s = (abs(f) for f in fields)
    date = "".join(f"{n}{u}" for u, n in (("Y", y), ("M", mo), ("D", d)) if n)
    time = "".join(f"{n}{u}" for u, n in (("H", h), ("M", mi), ("S", s)) if n)
    text = date + (f"T{time}" if time else "")
    return f"{sign}P{text or '0D'}"


def _plain_text(value: relativedelta) -> str | None:
    """``value`` written, when it is plainly writable; ``None`` sends it to the full check.

    Plainly writable: relative fields of exact type `int` only, all of one sign, no
    microseconds or leap days, and short enough (under 990 years and 3650 days) that
    the 1000-year limit cannot be reached. Anything else, refusals included, goes
    through `_writable`, so this path only saves time: the property test in
    tests/test_perf_paths_foundation.py compares both on drawn lengths.
    """
    y, mo, d = value.years, value.months, value.days
    h, mi, s = value.hours, value.minutes, value.seconds
    if not (
        type(y) is int
        and type(mo) is int
        and type(d) is int
        and type(h) is int
        and type(mi) is int
        and type(s) is int
        and type(value.microseconds) is int
        and not value.microseconds
        and not value.leapdays
        and -_PLAIN_YEARS < y < _PLAIN_YEARS
        and -_PLAIN_DAYS < d < _PLAIN_DAYS
        and value.year is None
        and value.month is None
        and value.day is None
        and value.weekday is None
        and value.hour is None
        and value.minute is None
        and value.second is None
        and value.microsecond is None
    ):
        return None
    if y >= 0 and mo >= 0 and d >= 0 and h >= 0 and mi >= 0 and s >= 0:
        sign = ""
    elif y <= 0 and mo <= 0 and d <= 0 and h <= 0 and mi <= 0 and s <= 0:
        sign, y, mo, d, h, mi, s = "-", -y, -mo, -d, -h, -mi, -s
    else:
        return None
    date = (f"{y}Y" if y else "") + (f"{mo}M" if mo else "") + (f"{d}D" if d else "")
    time = (f"{h}H" if h else "") + (f"{mi}M" if mi else "") + (f"{s}S" if s else "")
    if time:
        return f"{sign}P{date}T{time}"
    return f"{sign}P{date or '0D'}"


def parse_duration(text: object, *, exact: bool = False) -> relativedelta | dt.timedelta:
    """Read an ISO 8601 duration: a relativedelta, or with ``exact=True`` a timedelta.

    Weeks become 7 days. An exact duration may not hold years or months, which have
    no fixed length.

    Raises:
        ValidationError: the text is not such a duration.

    Examples:
        >>> parse_duration("P1M")
        relativedelta(months=+1)
        >>> parse_duration("PT1H30M", exact=True)
        datetime.timedelta(seconds=5400)
    """
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if match is None or not any(match.groups()[1:]):
        raise ValidationError.single(
            "$",
            "an ISO 8601 duration such as 'P1M' or 'PT1H30M'",
            describe(text),
            subject="Duration",
        )
    sign, years, months, weeks, days, hours, minutes, seconds = match.groups()
    factor = -1 if sign else 1
    n = [int(x) if x else 0 for x in (years, months, weeks, days, hours, minutes)]
    second = Decimal(seconds) if seconds else Decimal(0)
    if exact:
        if n[0] or n[1]:
            raise ValidationError.single(
                "$",
                "an exact duration (no years or months, which vary in length)",
                describe(text),
                subject="Duration",
            )
        try:
            total = dt.timedelta(weeks=n[2], days=n[3], hours=n[4], minutes=n[5])
            return (total + dt.timedelta(microseconds=int(second * 10**6))) * factor
        except OverflowError:
            raise ValidationError.single(
                "$",
                "an exact duration of at most 999999999 days",
                describe(text),
                subject="Duration",
            ) from None
    if second != second.to_integral_value():
        raise ValidationError.single(
            "$", "whole seconds in a calendar length", describe(text), subject="Duration"
        )
    length = relativedelta(
        years=factor * n[0],
        months=factor * n[1],
        days=factor * (7 * n[2] + n[3]),
        hours=factor * n[4],
        minutes=factor * n[5],
        seconds=factor * int(second),
    )
    _writable(length)
    return length


def _writable(length: relativedelta) -> None:
    """Refuse a calendar length that `format_duration` could not write back.

    Both run this one check, so whatever is read is written back: relative fields
    only, whole units of one sign, at most 1000 years either way (``P999999Y`` is not).
    """
    from cloudsms.periods import calendar_length_problems  # noqa: PLC0415

    problems = calendar_length_problems(length, "$", signed=True)
    if problems:
        raise ValidationError(problems, subject="Duration")
