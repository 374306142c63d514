"""Date-times on the wire: ISO 8601 with an offset, then the IANA zone in brackets (RFC 9557).

A zone survives the round trip; a naive date-time is refused, and so is an offset the
named zone does not have at that instant.
"""

from __future__ import annotations

import datetime as dt
import re

from cloudsms._foundation.instants import instant_problems
from cloudsms.errors import ValidationError, describe
from cloudsms.periods import aware

# ISO 8601 extended form with an offset or Z, then RFC 9557 suffixes: an optional
# [zone] (a leading ! marks it critical) and [key=value] tags.
_LOCAL_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{5,15}"
_OFFSET = r"(?:Z|[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)"
# datetime.fromisoformat alone also reads "00:00:00T+05:30", "+00.30", "12:34,56" and
# more that the wire format refuses: it only parses text checked first, by this
# pattern or by written_instant.
_instant = re.compile(_LOCAL_TIME + _OFFSET).fullmatch
# The separators of the two forms to_dict writes for fixed offsets, every third
# character from the fifth: "2026-01-01T00:00:00+00:00" (25 characters) and
# "2026-01-01T00:00:00.000001+00:00" (32, checked in two runs around the fraction).
_SEPARATORS_25 = frozenset({"--T::+:", "--T::-:"})
_SEPARATORS_32 = ("--T::.", frozenset({"+:", "-:"}))
_DATETIME = re.compile(
    rf"({_LOCAL_TIME}{_OFFSET}?)"
    r"(?:\[!?([A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*)\])?"
    r"((?:\[!?[a-z_][a-z0-9_-]*=[A-Za-z0-9-]+\])*)"
)


def structure_datetime(value: object, _: object) -> dt.datetime:
    instant = _read_datetime(value)
    problems = instant_problems(instant, "$")  # the range and the zone's wall clock
    if problems:
        raise ValidationError(problems)
    return instant


def _read_datetime(value: object) -> dt.datetime:
    if type(value) is str:
        written = written_instant(value)
        if written is not None:
            return written
        if _instant(value):
            try:  # ISO 8601 with an offset and no suffix
                return dt.datetime.fromisoformat(value)
            except ValueError:
                pass  # such as month 13: the full reading below says so
    return _structure_rfc9557(value)


def written_instant(text: str) -> dt.datetime | None:
    """The hot path: the instant of ``text`` in a form to_dict writes, else None.

    With length and every separator fixed, the remaining characters are the two-digit
    (and four-digit year, six-digit fraction) fields that fromisoformat reads only as
    ASCII digits: what it accepts here, `_DATETIME` accepts, to the same instant.
    Checking this costs a third of matching the pattern.
    """
    size = len(text)
    if (
        (size == 25 and text[4:23:3] in _SEPARATORS_25)  # noqa: PLR2004 - see above
        or (
            size == 32  # noqa: PLR2004
            and text[4:20:3] == _SEPARATORS_32[0]
            and text[26:30:3] in _SEPARATORS_32[1]
        )
    ):
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None  # such as month 13: the full reading says so
    return None


def _structure_rfc9557(value: object) -> dt.datetime:
    """The slow path: RFC 9557 suffixes, and every refusal with its reason."""
    match = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        try:
            parsed = dt.datetime.fromisoformat(match.group(1))
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                raise ValidationError.single(
                    "$", "an ISO 8601 date-time with an offset", f"a naive date-time {value!r}"
                )
            if "[!" in match.group(3):
                raise ValidationError.single(
                    "$", "no critical RFC 9557 tag cloudsms does not know", repr(value)
                )
            if not match.group(2):
                return parsed
            # "Z" with a zone: the instant is known, the local offset was not recorded.
            known_offset = not match.group(1).endswith("Z")
            return _in_zone(parsed, match.group(2), match.group(0), check=known_offset)
    raise ValidationError.single(
        "$",
        "an ISO 8601 date-time with an offset, such as '2026-01-01T00:00:00+00:00'",
        describe(value),
    )


def _in_zone(parsed: dt.datetime, zone: str, original: str, *, check: bool) -> dt.datetime:
    """The instant in its named zone, if the written offset is the zone's at that instant."""
    from cloudsms.periods import timezone  # noqa: PLC0415

    local = parsed.astimezone(timezone(zone))
    if check and local.utcoffset() != parsed.utcoffset():
        raise ValidationError.single(
            "$",
            f"an offset that {zone} has at that instant ({local.isoformat()})",
            repr(original),
        )
    return local


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 with its offset, and the IANA zone in brackets when it has one (RFC 9557)."""
    text = aware(value).isoformat()
    key = getattr(value.tzinfo, "key", None)
    return f"{text}[{key}]" if key else text


def structure_date(value: object, _: object) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError.single("$", "an ISO 8601 date such as '2026-12-25'", describe(value))
