"""Instants: the one range cloudsms supports, and how two instants compare.

Every type that holds an instant checks it against the same range, so calendar
arithmetic inside it never reaches the ends of Python's calendar, and compares and
hashes it by `instant_key`: the instant in UTC and the zone's key. Two wall times an
hour apart in the DST fold differ (Python's own comparison within one zone ignores
``fold``), and an instant in Berlin differs from the same instant in UTC, since the two
split differently into calendar days and months.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "MAX_INSTANT",
    "MAX_ZONE_NAME",
    "MIN_INSTANT",
    "RANGE_TEXT",
    "instant_key",
    "zone_key",
]

MIN_INSTANT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
"""The earliest instant supported (inclusive)."""
MAX_INSTANT = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
"""The first instant past the supported range (exclusive)."""
RANGE_TEXT = "an instant from 1900-01-01T00:00Z up to (not including) 9000-01-01T00:00Z"
"""The supported range, as error messages state it."""
MAX_ZONE_NAME = 64
"""The longest IANA zone name accepted."""


def zone_key(tzinfo: dt.tzinfo | None) -> str:
    """A text naming ``tzinfo`` the way the wire format writes it.

    An IANA zone gives its key (``"Europe/Berlin"``), a fixed offset its offset
    (``"+05:30"``, ``"+00:00"`` for `datetime.UTC`); any other tzinfo its repr.
    """
    key = getattr(tzinfo, "key", None)
    if isinstance(key, str):
        return key
    if isinstance(tzinfo, dt.timezone):
        offset = tzinfo.utcoffset(None)
        sign = "-" if offset < dt.timedelta(0) else "+"
        minutes, seconds = divmod(abs(int(offset.total_seconds())), 60)
        text = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        return f"{text}:{seconds:02d}" if seconds else text
    return repr(tzinfo)


def instant_key(value: dt.datetime) -> tuple[dt.datetime, str]:
    """What an aware instant compares and hashes by: (the instant in UTC, the zone's key).

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> berlin = ZoneInfo("Europe/Berlin")
        >>> first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin)
        >>> second = first.replace(fold=1)
        >>> first == second  # Python compares wall clocks within one zone
        True
        >>> instant_key(first) == instant_key(second)  # an hour apart
        False
    """
    return value.astimezone(dt.UTC), zone_key(value.tzinfo)
