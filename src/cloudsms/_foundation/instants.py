"""Instants: the one range cloudsms supports, and how two instants compare.

Every type that holds an instant checks it against the same range, so calendar
arithmetic inside it never reaches the ends of Python's calendar, and compares and
hashes it by `instant_key`: the instant in UTC and the zone's key. Two wall times an
hour apart in the DST fold differ (Python's own comparison within one zone ignores
``fold``), and an instant in Berlin differs from the same instant in UTC, since the two
split differently into calendar days and months.

`instant_problems` is the one check of an instant (a datetime, aware, inside the range,
a wall time that exists in its zone) and `zone_problems` the one check of a zone name;
`cloudsms.periods.aware`, `cloudsms.periods.timezone` and the JSON reader all use them,
so what the model accepts the reader reads back, and the other way round.

Serves every scenario that records when something happened or is due (S06 complaints
and acknowledgements, S05 and S11 configuration versions, S07 and S13 notice periods,
S10 reporting periods); ISO/IEC 20000-1:2011 4.3 (records) and 6.1 (reporting).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from cloudsms.errors import Problem, describe

__all__ = [
    "AWARE_TEXT",
    "KEYLESS_TEXT",
    "MAX_INSTANT",
    "MAX_ZONE_NAME",
    "MIN_INSTANT",
    "OFFSET_TEXT",
    "RANGE_TEXT",
    "ZONE_KIND_TEXT",
    "ZONE_TEXT",
    "instant_key",
    "instant_problems",
    "load_zone",
    "plain_offset",
    "zone_key",
    "zone_problems",
]

MIN_INSTANT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
"""The earliest instant supported (inclusive)."""
MAX_INSTANT = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
"""The first instant past the supported range (exclusive)."""
RANGE_TEXT = "an instant from 1900-01-01T00:00Z up to (not including) 9000-01-01T00:00Z"
"""The supported range, as error messages state it."""
MAX_ZONE_NAME = 64
"""The longest IANA zone name accepted."""
AWARE_TEXT = "a datetime with a time zone"
"""What an instant must be, as error messages state it."""
ZONE_KIND_TEXT = "a zoneinfo.ZoneInfo zone or a fixed offset (datetime.timezone)"
"""What an instant's tzinfo must be, as error messages state it."""
KEYLESS_TEXT = "a zoneinfo.ZoneInfo zone with an IANA key, such as ZoneInfo('Europe/Berlin')"
"""What a ZoneInfo zone must have (a key), as error messages state it."""
OFFSET_TEXT = "a fixed offset in whole seconds, such as +05:30"
"""What a fixed offset must be, as error messages state it."""
ZONE_TEXT = (
    f"an IANA time zone name of at most {MAX_ZONE_NAME} characters, such as 'Europe/Berlin'"
)
"""What a zone name must be, as error messages state it."""

# IANA names are ASCII letters, digits, '_', '-' and '+' in components joined by '/':
# no dots (so no '..' and none of the database's own files such as 'zone.tab'), no
# leading or trailing '/', no NUL, nothing the file system would read as a path.
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")
# Names the database directory may hold that are not IANA location zones and read
# differently from host to host: the host's own zone ('localtime', a link to it), the
# rules file zic writes ('posixrules'), the 'Factory' placeholder, and the 'posix/' and
# 'right/' trees (copies, the latter counting leap seconds) some systems add.
_HOST_NAMES = frozenset({"localtime", "posixrules", "Factory"})
_HOST_TREES = frozenset({"posix", "right"})
_MIN_WALL = MIN_INSTANT.replace(tzinfo=None)
_MAX_WALL = MAX_INSTANT.replace(tzinfo=None)
_FIRST_SAFE_YEAR = 1901  # a whole year (and any offset) away from either bound
_LAST_SAFE_YEAR = 8998


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


def _zone_name_ok(name: str) -> bool:
    """Whether ``name`` may reach the zone database: well formed, and no host's own file."""
    return (
        len(name) <= MAX_ZONE_NAME
        and _ZONE_NAME.fullmatch(name) is not None
        and name not in _HOST_NAMES
        and name.partition("/")[0] not in _HOST_TREES
    )


@cache
def _zone(name: str) -> dt.tzinfo | None:
    """The zone ``name`` names, or ``None``: only well-formed names are looked up.

    ``"UTC"`` is the IANA zone of that name, like any other: it is written with its key
    (``...+00:00[UTC]``) and must read back as itself, not as `datetime.UTC`.
    """
    import zoneinfo  # noqa: PLC0415 - loads the zone database only when a zone is named

    try:
        return zoneinfo.ZoneInfo(name)
    # Not found (a KeyError), not a zone file (ValueError), a directory, unreadable,
    # or text the file system cannot take (OSError, UnicodeError): all one answer.
    except (KeyError, ValueError, OSError, UnicodeError):
        return None


def load_zone(name: object, path: str = "$") -> dt.tzinfo | list[Problem]:
    """The IANA zone ``name`` (``"Europe/Berlin"``, ``"UTC"``) as a ZoneInfo, or its problems.

    Only a well-formed name of at most `MAX_ZONE_NAME` characters reaches the zone
    database, so no name can make it read a path of its own choosing; whatever the
    database answers for a name it does not hold becomes the same problem. Names of
    files that differ from host to host (``localtime``, ``posixrules``, ``Factory``,
    anything under ``posix/`` or ``right/``) are refused alike: a value written with
    one would read back as another zone elsewhere.

    Examples:
        >>> [p.got for p in load_zone("localtime")]
        ["'localtime' (string)"]
    """
    if isinstance(name, str) and _zone_name_ok(name):
        zone = _zone(name)
        if zone is not None:
            return zone
    return [Problem(path, ZONE_TEXT, describe(name))]


def zone_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for the name of a zone the database holds, else the problem at ``path``."""
    found = load_zone(value, path)
    return found if isinstance(found, list) else []


def plain_offset(zone: dt.tzinfo | None) -> bool:
    """Whether ``zone`` is a fixed offset of whole seconds: one the wire format reads back.

    Hot paths that skip `instant_problems` for fixed offsets (as read from text) ask
    this first; a fraction of a second goes to the full check, which refuses it.
    """
    return type(zone) is dt.timezone and not zone.utcoffset(None).microseconds


def instant_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for an instant cloudsms supports, else the problem at ``path``.

    An instant is a `datetime.datetime` with a time zone, inside the supported range
    (`RANGE_TEXT`), whose zone (if named) has a well-formed name, and whose wall time
    exists in that zone: 02:30 on the day the clocks jump from 02:00 to 03:00 names
    no instant, and reading it back would give another one.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> instant_problems(
        ...     dt.datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin")), "$"
        ... )
        []
        >>> [p.expected for p in instant_problems(dt.datetime(2026, 1, 1), "$")]
        ['a datetime with a time zone']
        >>> [p.expected for p in instant_problems(dt.datetime(9999, 1, 1, tzinfo=dt.UTC), "$")]
        ['an instant from 1900-01-01T00:00Z up to (not including) 9000-01-01T00:00Z']
        >>> skipped = dt.datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))
        >>> [(p.expected, p.got) for p in instant_problems(skipped, "$.received_at")]
        [('a wall time that exists in Europe/Berlin',
          '2026-03-29T02:30:00, which the clocks skip')]
    """
    if not isinstance(value, dt.datetime):
        return [Problem(path, AWARE_TEXT, describe(value))]
    if _FIRST_SAFE_YEAR <= value.year <= _LAST_SAFE_YEAR:
        zone = value.tzinfo
        # The hot paths, well inside the range: a fixed offset of whole seconds (as
        # read from text), or a zone already found sound whose wall time is neither
        # skipped nor repeated (both folds give one offset).
        if plain_offset(zone):
            return []
        if (
            zone is not None
            and _SOUND_ZONES.get(id(zone)) is zone
            and type(value) is dt.datetime
            and value.utcoffset() == value.replace(fold=1 - value.fold).utcoffset()
        ):
            return []
    return _checked(value, path)


# The ZoneInfo zones whose kind, key and rules `_checked` has found sound, by id (a
# tzinfo of the caller's own making is never hashed): what it found about a zone does
# not change, so only the checks of the wall time itself run again. At most
# `_SOUND_LIMIT` zones, more than the database holds; later ones take the full check.
_SOUND_ZONES: dict[int, dt.tzinfo] = {}
_SOUND_LIMIT = 1024


def _remember_sound(zone: dt.tzinfo | None) -> None:
    """Note ``zone`` as sound: an exact ZoneInfo, the one `load_zone` gives for its key."""
    import zoneinfo  # noqa: PLC0415 - loaded by then: the zone is one

    if (
        type(zone) is zoneinfo.ZoneInfo
        and len(_SOUND_ZONES) < _SOUND_LIMIT
        and _zone(zone_key(zone)) is zone
    ):
        _SOUND_ZONES[id(zone)] = zone


def _offset_problems(zone: dt.timezone, path: str) -> list[Problem]:
    """A fixed offset is written as text of whole seconds: a fraction would not read back."""
    if zone.utcoffset(None).microseconds:
        offset = dt.time(tzinfo=zone).isoformat()[len("00:00:00") :]
        return [Problem(path, OFFSET_TEXT, f"the offset {offset}")]
    return []


def _is_zoneinfo(zone: object) -> bool:
    import zoneinfo  # noqa: PLC0415 - loaded by then: named zones come from it

    return isinstance(zone, zoneinfo.ZoneInfo)


def _zone_kind_problems(zone: dt.tzinfo | None, path: str) -> list[Problem]:
    """A zone is written as its offset or its key, and must read back as itself."""
    if isinstance(zone, dt.timezone):
        return _offset_problems(zone, path)
    if not _is_zoneinfo(zone):
        # Written as its offset alone, another kind of zone would read back as a
        # fixed offset: an equal instant in another zone, which is not a round trip.
        return [Problem(path, ZONE_KIND_TEXT, f"a {type(zone).__name__} zone")]
    key = getattr(zone, "key", None)
    if key is None:  # ZoneInfo.from_file without a key: written as a bare offset
        return [Problem(path, KEYLESS_TEXT, "a ZoneInfo zone without a key")]
    if not isinstance(key, str) or not _zone_name_ok(key) or _zone(key) is None:
        return [Problem(path, ZONE_TEXT, describe(key))]
    return []


def _checked(value: dt.datetime, path: str) -> list[Problem]:
    wall = value.replace(tzinfo=None, fold=0)
    try:
        offset = value.utcoffset()
    except (ValueError, TypeError, OverflowError):  # a tzinfo that answers nonsense
        offset = None
    if offset is None:
        return [Problem(path, AWARE_TEXT, f"a naive datetime {wall.isoformat()}")]
    zone = value.tzinfo
    problems = _zone_kind_problems(zone, path)
    if problems:
        return problems
    try:
        in_range = _MIN_WALL <= wall - offset < _MAX_WALL
    except OverflowError:  # such as 0001-01-01T00:00:00+05:00: no UTC time at all
        in_range = False
    if not in_range:
        return [Problem(path, RANGE_TEXT, value.isoformat())]
    if type(zone) is not dt.timezone:
        _remember_sound(zone)
        return _wall_problems(value, wall, path)
    return []


def _wall_problems(value: dt.datetime, wall: dt.datetime, path: str) -> list[Problem]:
    """A wall time of a named zone must exist there, with the offset the database gives it."""
    zone = value.tzinfo
    name = zone_key(zone)
    back = value.astimezone(dt.UTC).astimezone(zone)
    if back.replace(tzinfo=None, fold=0) != wall:
        return [
            Problem(
                path,
                f"a wall time that exists in {name}",
                f"{wall.isoformat()}, which the clocks skip",
            )
        ]
    known = _zone(name)
    if known is not zone:  # such as ZoneInfo.from_file(..., key=...): its rules may differ
        read = value.astimezone(known)
        if read.utcoffset() != value.utcoffset():
            return [
                Problem(
                    path,
                    f"the offset the IANA zone {name} has at that instant ({read.isoformat()})",
                    value.isoformat(),
                )
            ]
    return []
