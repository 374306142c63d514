"""Documents in and out: the one cattrs converter, JSON, and JSON Schemas of the model.

Serves every scenario whose records leave the process — agreements (S07), resource
changes (S11), reports (S10), exit procedures (S13) — as persisted records under
ISO/IEC 20000-1:2011 4.3 (documentation management). Every model type goes over the
wire the same way:

| type | JSON |
|---|---|
| `Decimal` | a string, ``"12.30"`` (a number is refused: JSON numbers become floats elsewhere) |
| `datetime` | ISO 8601 with offset, and zone if named: ``"...+02:00[Europe/Berlin]"`` |
| `date` | ``"2026-12-25"`` |
| `relativedelta` | an ISO 8601 duration of calendar units, ``"P1M"``, ``"P1Y2M10DT2H"`` |
| `timedelta` | an ISO 8601 duration of exact time, ``"PT1H30M"`` (days are 24 hours) |
| `Quantity` | ``"250 ms"``; ``{"magnitude": "250", "unit": "ms"}`` is accepted too |
| `Money` | ``{"amount": "12.30", "currency": "EUR"}`` |
| `Period` | ``{"start": "...", "end": "..."}`` |
| `Price` | ``{"amount": {...}, "unit": "vcpu*hour", "per": null}`` |
| `DailyWindow` | ``"mon 09:00-17:00"`` |
| `SupportHours` | ``{"timezone": "Europe/Berlin", "windows": [...], "holidays": [...]}`` |
| `HistoryEntry` | ``{"who", "when", "event", "source", "target", "data": {...}}`` |
| `LifecycleInstance` | ``{"lifecycle", "state", "context", "history"}`` (written only) |
| enums | their value |
| attrs classes | an object keyed by attribute name; unknown keys are refused |

Datetimes are written as RFC 9557 has it: ISO 8601 with the offset, then the IANA
zone in brackets where the datetime has one, so a zone survives the round trip;
naive datetimes are refused, and an offset the named zone does not have at that
instant is refused too.

A field declared with ``metadata=SENSITIVE`` never shows its value in an error
message: the problem says what was expected and that something was redacted.

A class marked with `document` is a persisted document: its JSON carries ``type``
and ``schema_version`` first, and reading a document of another type or an unknown
version fails clearly. Reading collects **every** problem of a document into one
`ValidationError` (``"expected ..., got ... @ $.path[2].field"``); nothing is built
when there is any. `to_json` uses the standard library's json, or orjson when it is
installed (the ``fast`` extra), with the same output; `from_json` reads with the
standard library, refusing an object that repeats a key and the non-JSON ``NaN``.
"""

from __future__ import annotations

import collections.abc
import contextlib
import datetime as dt
import enum
import gc
import json
import re
import typing
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    StructureHandlerNotFoundError,
)
from dateutil.relativedelta import relativedelta

from cloudsms import units
from cloudsms._foundation import strict_json as _json
from cloudsms._foundation.exact import DECIMAL_TEXT, NUMBER_CHARACTERS
from cloudsms._foundation.instants import instant_problems
from cloudsms._foundation.strict_json import key_path
from cloudsms.errors import REDACTED, Problem, ValidationError, describe
from cloudsms.lifecycle import HistoryEntry, Lifecycle, LifecycleInstance
from cloudsms.money import Money, Price
from cloudsms.periods import DailyWindow, Period, SupportHours, aware
from cloudsms.units import _known_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = [
    "SENSITIVE",
    "configure_converter",
    "document",
    "format_duration",
    "from_dict",
    "from_json",
    "json_schema",
    "make_converter",
    "parse_duration",
    "to_dict",
    "to_json",
]

T = TypeVar("T")

SENSITIVE: dict[str, bool] = {"sensitive": True}
"""attrs field metadata marking a secret or personal value: error messages redact it.

Use it as ``token: str = attrs.field(metadata=SENSITIVE)``.
"""

_DURATION = re.compile(
    r"(-)?P(?:([0-9]{1,6})Y)?(?:([0-9]{1,6})M)?(?:([0-9]{1,9})W)?(?:([0-9]{1,12})D)?"
    r"(?:T(?:([0-9]{1,14})H)?(?:([0-9]{1,14})M)?(?:([0-9]{1,16}(?:\.[0-9]{1,6})?)S)?)?"
)
_LONGEST_NUMBER = 100
_ASCII_NAME = re.compile(r"%|[A-Za-z_][A-Za-z0-9_]*")
_INT64 = (-(2**63), 2**63 - 1)  # what every JSON reader can hold
# ISO 8601 extended form with an offset or Z, then RFC 9557 suffixes: an optional
# [zone] (a leading ! marks it critical) and [key=value] tags.
_LOCAL_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{5,15}"
_OFFSET = r"(?:Z|[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)"
# datetime.fromisoformat alone also reads "00:00:00T+05:30", "+00.30", "12:34,56" and
# more that the wire format refuses: it only parses text checked first, by this
# pattern or by _written_instant.
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
_DECIMAL = DECIMAL_TEXT  # the JSON Schema's decimal pattern, ASCII digits only


def document(type_name: str, *, version: int) -> Callable[[type[T]], type[T]]:
    """Mark an attrs class as a persisted document of ``type_name`` at schema ``version``.

    Examples:
        >>> @document("cloudsms.example", version=1)
        ... @attrs.frozen
        ... class Note:
        ...     text: str
        >>> to_dict(Note("hi"))
        {'type': 'cloudsms.example', 'schema_version': 1, 'text': 'hi'}
    """

    def mark(cls: type[T]) -> type[T]:
        cls.__document_type__ = type_name  # type: ignore[attr-defined]
        cls.__schema_version__ = version  # type: ignore[attr-defined]
        return cls

    return mark


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


# ---------------------------------------------------------------------- strict leaves
def _strict(kind: type, expected: str) -> Callable[[object, Any], Any]:
    def structure(value: object, _: object) -> Any:
        if type(value) is kind:
            return value
        raise ValidationError.single("$", expected, describe(value))

    return structure


def _structure_int(value: object, _: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and _INT64[0] <= value <= _INT64[1]:
        return value
    raise ValidationError.single("$", "an integer (within 64 bits)", describe(value))


def _format_decimal(value: Decimal) -> str:
    """A Decimal as the text `_structure_decimal` reads back to the same value, or refused."""
    text = str(value)
    if len(text) <= _LONGEST_NUMBER and _DECIMAL.fullmatch(text):
        return text
    raise ValidationError.single(
        "$",
        "a decimal number the reader reads back: finite, at most 100 characters, "
        "an exponent of at most 3 digits",
        describe(value),
    )


def _format_float(value: float) -> float:
    """A float as it is, if JSON can hold it: NaN and the infinities are not JSON."""
    if value == value and abs(value) != float("inf"):  # noqa: PLR0124 - NaN is not itself
        return value
    raise ValidationError.single("$", "a finite number (JSON has no NaN or Infinity)", repr(value))


def _format_int(value: int) -> int:
    """An integer as it is, if the reader reads it back: within 64 bits."""
    if _INT64[0] <= value <= _INT64[1] or isinstance(value, bool):
        return value
    raise ValidationError.single("$", "an integer (within 64 bits)", describe(value))


def _structure_decimal(value: object, _: object) -> Decimal:
    if isinstance(value, str) and len(value) <= _LONGEST_NUMBER and _DECIMAL.fullmatch(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            pass
    raise ValidationError.single(
        "$", "a decimal number as a string, such as '12.30'", describe(value)
    )


def _structure_datetime(value: object, _: object) -> dt.datetime:
    instant = _read_datetime(value)
    problems = instant_problems(instant, "$")  # the range and the zone's wall clock
    if problems:
        raise ValidationError(problems)
    return instant


def _read_datetime(value: object) -> dt.datetime:
    if type(value) is str:
        written = _written_instant(value)
        if written is not None:
            return written
        if _instant(value):
            try:  # ISO 8601 with an offset and no suffix
                return dt.datetime.fromisoformat(value)
            except ValueError:
                pass  # such as month 13: the full reading below says so
    return _structure_rfc9557(value)


def _written_instant(text: str) -> dt.datetime | None:
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


def _format_datetime(value: dt.datetime) -> str:
    """ISO 8601 with its offset, and the IANA zone in brackets when it has one (RFC 9557)."""
    text = aware(value).isoformat()
    key = getattr(value.tzinfo, "key", None)
    return f"{text}[{key}]" if key else text


def _structure_date(value: object, _: object) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError.single("$", "an ISO 8601 date such as '2026-12-25'", describe(value))


def _structure_quantity(value: object, _: object) -> units.Quantity:
    if type(value) is str:
        known = _known_text(value, "$")  # the hot path: a unit text read before
        return known if known is not None else units.quantity(value)
    if isinstance(value, dict):
        extra = set(value) - {"magnitude", "unit"}
        if extra or "magnitude" not in value or "unit" not in value:
            raise ValidationError.single(
                "$",
                "a quantity: text such as '250 ms' or {'magnitude', 'unit'}",
                describe(value),
            )
        magnitude = value["magnitude"]
        if isinstance(magnitude, float):
            raise ValidationError.single(
                "$.magnitude", "an exact magnitude (a string or an integer)", describe(magnitude)
            )
        unit = value["unit"]
        if not isinstance(unit, str):
            raise ValidationError.single("$.unit", "a unit such as 'ms'", describe(unit))
        return units.quantity(magnitude, unit, path="$.magnitude")
    return units.quantity(value)


def _fields(
    value: object, names: tuple[str, ...], kind: str, optional: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[Problem]]:
    """The known keys of an object, and the problems of its keys: missing or unknown.

    ``names`` are required, ``optional`` may be left out (the field has a default).
    A missing or unknown key does not stop the reading: the keys that are there are
    read too, so every problem of the object is reported at once.
    """
    if type(value) is dict and len(value) == len(names) and all(n in value for n in names):
        return value, []  # the hot path: exactly the required keys
    if not isinstance(value, dict):
        raise ValidationError.single("$", f"{kind} object", describe(value))
    known = names + optional
    problems = [
        Problem(key_path("$", n), "a value (required)", "nothing") for n in names if n not in value
    ]
    problems += [
        Problem(key_path("$", k), "one of the keys " + ", ".join(known), f"key {k!r}")
        for k in value
        if k not in known
    ]
    return {k: v for k, v in value.items() if k in known}, problems


def _collect(
    raw: dict[str, Any],
    parts: dict[str, Callable[[Any], Any]],
    problems: list[Problem] | None = None,
) -> dict[str, Any]:
    """Read each key of ``raw`` that ``parts`` names; gather every problem, or the results."""
    results: dict[str, Any] = {}
    found = list(problems or ())
    for key, build in parts.items():
        if key not in raw:
            continue
        try:
            results[key] = build(raw[key])
        except ValidationError as exc:
            found += _prefixed(exc.problems, key_path("$", key))
    if found:
        raise ValidationError(found)
    return results


def _leaf(hook: Callable[[object, Any], T], kind: Any) -> Callable[[object], T]:
    """``hook`` with its type argument bound, for `_collect`."""
    return lambda value: hook(value, kind)


def _prefixed(problems: typing.Iterable[Problem], prefix: str) -> list[Problem]:
    return [Problem(prefix + p.path[1:], p.expected, p.got) for p in problems]


def _structure_money(value: object, _: object) -> Money:
    if type(value) is dict and len(value) == 2:  # noqa: PLR2004 - amount and currency
        amount, code = value.get("amount"), value.get("currency")
        if (
            type(amount) is str
            and type(code) is str
            and len(amount) <= _LONGEST_NUMBER
            and not amount.strip(NUMBER_CHARACTERS)
        ):
            try:  # the hot path: a plain number such as "12.30" (see NUMBER_CHARACTERS)
                number = Decimal(amount)
            except InvalidOperation:
                pass  # read again below, to say what is wrong
            else:
                if number.is_finite():
                    return Money(number, code)
    raw, problems = _fields(value, ("amount", "currency"), "a money")
    parts = _collect(
        raw,
        {
            "amount": lambda v: _structure_decimal(v, Decimal),
            "currency": _currency_code,
        },
        problems,
    )
    return Money(parts["amount"], parts["currency"])


def _currency_code(value: object) -> str:
    try:
        return Money(Decimal(0), cast("str", value)).currency
    except ValidationError as exc:
        raise ValidationError([p._replace(path="$") for p in exc.problems]) from None


def _structure_period(value: object, _: object) -> Period:
    if type(value) is dict and len(value) == 2:  # noqa: PLR2004 - start and end
        start, end = value.get("start"), value.get("end")
        if type(start) is str and type(end) is str:  # the hot path: as to_dict writes them
            first, last = _written_instant(start), _written_instant(end)
            if first is not None and last is not None:
                try:
                    return Period(first, last)
                except ValidationError:
                    pass  # read again below, to report every problem with its path
    raw, problems = _fields(value, ("start", "end"), "a period")
    instant = partial(_structure_datetime, _=dt.datetime)
    parts = _collect(raw, {"start": instant, "end": instant}, problems)
    return Period(parts["start"], parts["end"])


def _structure_price(value: object, _: object) -> Price:
    raw, problems = _fields(value, ("amount", "unit"), "a price", optional=("per",))
    terms: dict[str, Any] = {key: raw[key] for key in ("unit", "per") if key in raw}
    try:
        amount = _collect(raw, {"amount": partial(_structure_money, _=Money)}, problems)
    except ValidationError as exc:
        raise ValidationError([*exc.problems, *_terms_problems(terms)]) from None
    return Price(amount["amount"], **terms)


def _terms_problems(terms: dict[str, Any]) -> list[Problem]:
    """The problems of a price's unit and period, checked as Price checks them.

    Read beside a bad amount, so that one reading reports every problem of a price.
    """
    if "unit" not in terms:
        return []
    try:
        Price(Money.zero("EUR"), **terms)
    except ValidationError as exc:
        return list(exc.problems)
    return []


def _structure_window(value: object, _: object) -> DailyWindow:
    return DailyWindow.parse(cast("str", value))


def _structure_relativedelta(value: object, _: object) -> relativedelta:
    return cast("relativedelta", parse_duration(value))


def _structure_timedelta(value: object, _: object) -> dt.timedelta:
    return cast("dt.timedelta", parse_duration(value, exact=True))


# ---------------------------------------------------------------------- unstructuring
@lru_cache(maxsize=units.CACHE_SIZE)
def _unit_text(units_container: object) -> str:
    """The unit part of a quantity's text: ``TiB``, ``h*vcpu``, ``GiB/month``, ``/s``."""
    ureg = units.registry()
    up: list[str] = []
    down: list[str] = []
    for name, power in sorted(cast("Any", units_container).items()):
        symbol = ureg.get_symbol(name)
        if not _ASCII_NAME.fullmatch(symbol):  # Ω, Å, °: write the name, which reads back
            symbol = name
        exponent = abs(power)
        token = symbol if exponent == 1 else f"{symbol}^{exponent}"
        (up if power > 0 else down).append(token)
    return "*".join(up) + "".join(f"/{t}" for t in down)


def _unstructure_quantity(value: units.Quantity) -> str:
    text = _unit_text(cast("Any", value)._units)  # noqa: SLF001 - pint's hashable units
    magnitude = str(value.magnitude)
    return f"{magnitude} {text}" if text else magnitude


def _unstructure_money(value: Money) -> dict[str, str]:
    return {"amount": value.amount_text, "currency": value.currency}


def _unstructure_period(value: Period) -> dict[str, str]:
    return {"start": _format_datetime(value.start), "end": _format_datetime(value.end)}


def _unstructure_price(value: Price) -> dict[str, Any]:
    return {"amount": _unstructure_money(value.amount), "unit": value.unit, "per": value.per}


def _unstructure_support_hours(value: SupportHours) -> dict[str, Any]:
    return {
        "timezone": value.timezone,
        "windows": [str(w) for w in value.windows],
        "holidays": sorted(d.isoformat() for d in value.holidays),
    }


def _structure_support_hours(value: object, _: object) -> SupportHours:
    raw, problems = _fields(value, ("timezone", "windows"), "a support-hours", ("holidays",))
    parts = _collect(
        raw,
        {
            "timezone": lambda v: _strict(str, "an IANA time zone")(v, str),
            "windows": lambda v: _sequence_of(v, _structure_window),
            "holidays": lambda v: _sequence_of(v, _structure_date),
        },
        problems,
    )
    return SupportHours(**parts)


def _sequence_of(value: object, item: Callable[[object, Any], T]) -> list[T]:
    if not isinstance(value, list | tuple):
        raise ValidationError.single("$", "an array", describe(value))
    results: list[T] = []
    problems: list[Problem] = []
    for index, element in enumerate(value):
        try:
            results.append(item(element, None))
        except ValidationError as exc:
            problems += _prefixed(exc.problems, f"$[{index}]")
    if problems:
        raise ValidationError(problems)
    return results


def _unstructure_entry(value: HistoryEntry) -> dict[str, Any]:
    return {
        "who": value.who,
        "when": _format_datetime(value.when),
        "event": value.event,
        "source": value.source,
        "target": value.target,
        "data": value.data,
    }


def _structure_entry(value: object, _: object) -> HistoryEntry:
    names = ("who", "when", "event", "source", "target", "data")
    raw, problems = _fields(value, names, "a history entry")
    text = _leaf(_strict(str, "a string"), str)
    parts = _collect(
        raw,
        {
            "who": text,
            "when": partial(_structure_datetime, _=dt.datetime),
            "event": text,
            "source": text,
            "target": text,
            "data": _leaf(_strict(dict, "an object"), dict),
        },
        problems,
    )
    data = json.dumps(parts.pop("data"), sort_keys=True, separators=(",", ":"))
    return HistoryEntry(**parts, data_json=data)


# ---------------------------------------------------------------------- containers
def _is_collection(t: object) -> bool:
    origin = typing.get_origin(t)
    return origin in {
        list,
        tuple,
        set,
        frozenset,
        collections.abc.Sequence,
        collections.abc.Set,
    } and (origin is not tuple or _homogeneous(t))


def _homogeneous(t: object) -> bool:
    args = typing.get_args(t)
    return len(args) == 2 and args[1] is Ellipsis  # noqa: PLR2004 - tuple[X, ...]


def _collection_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        origin = typing.get_origin(t)
        item_type = typing.get_args(t)[0] if typing.get_args(t) else Any
        build: Callable[[Any], Any] = {list: list, set: set, frozenset: frozenset}.get(
            origin, tuple
        )

        hook = converter.get_structure_hook(item_type)
        distinct = build in {set, frozenset}

        def structure(value: object, _: object) -> Any:
            if isinstance(value, list | tuple):
                try:  # the fast path: every item is fine
                    items = [hook(v, item_type) for v in value]
                except Exception:  # noqa: BLE001 - read again below to report every problem
                    items = _sequence_of(value, lambda v, _t: _structure(converter, v, item_type))
            else:
                items = _sequence_of(value, lambda v, _t: _structure(converter, v, item_type))
            result = build(items)
            if distinct and len(result) != len(items):
                raise ValidationError.single(
                    "$", "distinct items (a set)", f"{len(items) - len(result)} repeated"
                )
            return result

        return structure

    return factory


def _is_string_mapping(t: object) -> bool:
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    return origin in {dict, collections.abc.Mapping} and bool(args) and args[0] is str


def _mapping_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        value_type = typing.get_args(t)[1]

        def structure(value: object, _: object) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise ValidationError.single("$", "an object", describe(value))
            result: dict[str, Any] = {}
            problems: list[Problem] = []
            for key, item in value.items():
                try:
                    result[key] = _structure(converter, item, value_type)
                except ValidationError as exc:
                    problems += _prefixed(exc.problems, key_path("$", key))
            if problems:
                raise ValidationError(problems)
            return result

        return structure

    return factory


def _attrs_factory(converter: cattrs.Converter, *, every_key_path: bool) -> Callable[[Any], Any]:
    """Cattrs' own function for an attrs class, after a check that an object arrived."""
    from cattrs.gen import make_dict_structure_fn  # noqa: PLC0415

    def factory(kind: Any) -> Callable[[object, Any], Any]:
        if kind in {Lifecycle, LifecycleInstance}:
            return _not_a_document(kind)
        generated = make_dict_structure_fn(
            kind,
            converter,
            _cattrs_forbid_extra_keys=True,
            _cattrs_detailed_validation=converter.detailed_validation,
        )

        def structure(value: object, _: object) -> Any:
            if not isinstance(value, dict):
                raise ValidationError.single(
                    "$", f"an object (a {kind.__name__})", describe(value)
                )
            return generated(value, kind)

        if not every_key_path:
            return structure
        return _every_key_path(kind, converter, structure)

    return factory


_PASSED_AS_IS = frozenset({str, bool})  # field types whose values are read as they arrive
_BUILDING: set[Any] = set()  # classes whose hook is being made (recursive classes)


def _every_key_path(
    kind: Any, converter: cattrs.Converter, otherwise: Callable[[object, Any], Any]
) -> Callable[[object, Any], Any]:
    """A generated function for an object that has every field's key, else ``otherwise``.

    A document written by `to_dict` has every key, so this is the path a load takes.
    With as many keys as fields and each field's key found, the keys are exactly the
    fields: no key is unknown and none is missing, and nothing else needs checking.
    A missing key raises KeyError, which sends the whole document to the detailed
    converter to be reported. Generic classes, and fields without a type, keep
    cattrs' function.
    """
    if not isinstance(kind, type) or _generic(kind):
        return otherwise
    if any(isinstance(f.type, str) for f in attrs.fields(kind)):
        attrs.resolve_types(kind)
    fields = [f for f in attrs.fields(kind) if f.init]
    if any(f.type is None for f in fields):
        return otherwise
    namespace: dict[str, Any] = {"kind": kind, "otherwise": otherwise}
    arguments = []
    building = kind not in _BUILDING
    _BUILDING.add(kind)
    try:
        for i, field in enumerate(fields):
            namespace[f"hook{i}"] = _field_hook(converter, field.type)
            namespace[f"type{i}"] = field.type
            item = f"value[{field.name!r}]"
            if field.type in _PASSED_AS_IS:  # inline: a str is a str, no call needed
                item = f"(v{i} if type(v{i} := {item}) is type{i} else hook{i}(v{i}, type{i}))"
            else:
                item = f"hook{i}({item}, type{i})"
            arguments.append(f"{field.alias}={item}")
    finally:
        if building:
            _BUILDING.discard(kind)
    source = (
        "def structure(value, _):\n"
        f"    if type(value) is dict and len(value) == {len(fields)}:\n"
        f"        return kind({', '.join(arguments)})\n"
        "    return otherwise(value, _)\n"
    )
    exec(compile(source, f"<cloudsms structure {kind.__qualname__}>", "exec"), namespace)  # noqa: S102 - our own text, names from attrs
    return cast("Callable[[object, Any], Any]", namespace["structure"])


def _field_hook(converter: cattrs.Converter, kind: Any) -> Callable[[object, Any], Any]:
    """The field type's hook; found when called if it holds a class whose hook is being made.

    A class that holds itself, directly or in a collection (``children: tuple[Node,
    ...]``), would otherwise ask for its own hook while that hook is being made.
    """
    if _mentions(kind, _BUILDING.__contains__):
        return lambda value, t: converter.get_structure_hook(t)(value, t)
    return cast("Callable[[object, Any], Any]", converter.get_structure_hook(kind))


def _mentions(kind: Any, test: Callable[[Any], bool]) -> bool:
    """Whether ``kind`` or any type argument inside it passes ``test``."""
    try:
        if test(kind):
            return True
    except TypeError:  # an unhashable type argument, such as a Literal's list
        return False
    return any(_mentions(arg, test) for arg in typing.get_args(kind))


def _generic(kind: type) -> bool:
    """Whether ``kind`` is generic, or subclasses a generic, by its ``__orig_bases__``.

    ``class Box(Generic[T])`` and ``class Meters(Box[int])`` both: cattrs maps the
    type variables to their arguments, the generated path does not.
    """
    return bool(getattr(kind, "__orig_bases__", ()))


def _not_a_document(kind: Any) -> Callable[[object, Any], Any]:
    def refuse(value: object, _: object) -> Any:
        raise ValidationError.single(
            "$",
            f"no {kind.__name__}: read its history as a list of HistoryEntry and pass "
            "it, with its context, to lifecycle.resume(history, context=...), which "
            "knows the transition table and the guards",
            describe(value),
        )

    return refuse


def _unstructure_instance(value: LifecycleInstance) -> dict[str, Any]:
    return {
        "lifecycle": value.lifecycle.name,
        "state": value.state,
        "context": dict(value.context),
        "history": [_unstructure_entry(e) for e in value.history()],
    }


def _enums_aside(
    hook: Callable[[object, Any], Any], plain: type | None = None
) -> Callable[[object, Any], Any]:
    """``hook`` for ``plain`` values; enums (subclasses of str and int) to the enum hook."""

    def structure(value: object, kind: Any) -> Any:
        if kind is plain and type(value) is plain:  # the hot path: a well-typed str or bool
            return value
        if _is_enum(kind):
            return _enum_factory(kind)(value, kind)
        return hook(value, kind)

    return structure


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _is_enum(t: object) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


@cache
def _enum_factory(t: type[enum.Enum]) -> Callable[[object, Any], enum.Enum]:
    values = {member.value: member for member in t}
    expected = "one of " + ", ".join(repr(v) for v in values)

    def structure(value: object, _: object) -> enum.Enum:
        try:
            return values[value]
        except (KeyError, TypeError):
            raise ValidationError.single("$", expected, describe(value)) from None

    return structure


# ---------------------------------------------------------------------- the converter
def configure_converter(converter: cattrs.Converter) -> None:
    """Teach ``converter`` the wire format of every cloudsms type (see the module docs)."""
    _configure(converter, every_key_path=False)


def _configure(converter: cattrs.Converter, *, every_key_path: bool) -> None:
    """`configure_converter`; ``every_key_path`` adds the generated path of the fast converter.

    The generated path reads keys by attribute name and ignores attrs converters, as the
    library's own converters do; a user's converter may be set otherwise, so it keeps
    cattrs' functions.
    """
    hooks: list[tuple[Any, Callable[[object, Any], Any]]] = [
        (Decimal, _structure_decimal),
        (dt.datetime, _structure_datetime),
        (dt.date, _structure_date),
        (relativedelta, _structure_relativedelta),
        (dt.timedelta, _structure_timedelta),
        (units.Quantity, _structure_quantity),
        (Money, _structure_money),
        (Period, _structure_period),
        (Price, _structure_price),
        (DailyWindow, _structure_window),
        (SupportHours, _structure_support_hours),
        (HistoryEntry, _structure_entry),
    ]
    for kind, hook in hooks:
        converter.register_structure_hook(kind, hook)
    # A class registration also catches subclasses: StrEnum and IntEnum fields arrive
    # here too, and are handed to the enum hook.
    converter.register_structure_hook(str, _enums_aside(_strict(str, "a string"), str))
    converter.register_structure_hook(bool, _enums_aside(_strict(bool, "a boolean"), bool))
    converter.register_structure_hook(int, _enums_aside(_structure_int))
    converter.register_structure_hook_factory(_is_enum, _enum_factory)
    converter.register_structure_hook_factory(
        attrs.has, _attrs_factory(converter, every_key_path=every_key_path)
    )
    converter.register_structure_hook_factory(_is_collection, _collection_factory(converter))
    converter.register_structure_hook_factory(_is_string_mapping, _mapping_factory(converter))

    converter.register_unstructure_hook_func(_is_enum, _enum_value)
    # StrEnum and IntEnum members are also str and int, whose hooks pass them through:
    # name the two classes so their members are written as plain values too.
    converter.register_unstructure_hook(enum.StrEnum, _enum_value)
    converter.register_unstructure_hook(enum.IntEnum, _enum_value)
    converter.register_unstructure_hook(Decimal, _format_decimal)
    converter.register_unstructure_hook(float, _format_float)
    converter.register_unstructure_hook(int, _format_int)
    converter.register_unstructure_hook(dt.datetime, _format_datetime)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_unstructure_hook(relativedelta, format_duration)
    converter.register_unstructure_hook(dt.timedelta, format_duration)
    converter.register_unstructure_hook_func(units.is_quantity, _unstructure_quantity)
    converter.register_unstructure_hook(units.Quantity, _unstructure_quantity)
    converter.register_unstructure_hook(Money, _unstructure_money)
    converter.register_unstructure_hook(Period, _unstructure_period)
    converter.register_unstructure_hook(Price, _unstructure_price)
    converter.register_unstructure_hook(DailyWindow, str)
    converter.register_unstructure_hook(SupportHours, _unstructure_support_hours)
    converter.register_unstructure_hook(HistoryEntry, _unstructure_entry)
    converter.register_unstructure_hook(LifecycleInstance, _unstructure_instance)


def _set_as_list(items: typing.Iterable[Any]) -> list[Any]:
    """A set's items as a list, sorted when they can be, so the same set writes the same JSON."""
    values = list(items)
    with contextlib.suppress(TypeError):  # items of no common order keep the set's order
        values.sort()
    return values


def make_converter() -> cattrs.Converter:
    """A cattrs converter for cloudsms types: strict, refusing unknown keys, reporting all.

    Strings, integers and booleans are not coerced into each other; every type's wire
    format is the module's table.
    """
    converter = cattrs.Converter(
        forbid_extra_keys=True,
        detailed_validation=True,
        unstruct_collection_overrides={
            collections.abc.Set: _set_as_list,
            collections.abc.Sequence: list,
            tuple: list,
        },
    )
    configure_converter(converter)
    return converter


@cache
def _converter() -> cattrs.Converter:
    return make_converter()


@cache
def _fast_converter() -> cattrs.Converter:
    """The same wire format without cattrs' detailed validation: tried first, for speed.

    Only when it fails is the document read again by the detailed converter, which
    collects every problem; so a good document pays nothing for error reporting.
    """
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    _configure(converter, every_key_path=True)
    return converter


def _structure(converter: cattrs.Converter, value: object, kind: Any) -> Any:
    """Structure ``value`` as ``kind``; any failure becomes a ValidationError with paths."""
    try:
        return converter.structure(value, kind)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none leaks
        raise ValidationError(_problems(exc, "$", kind)) from None


def _structure_reporting(value: object, kind: Any) -> Any:
    """Structure fast; on any failure, again in detail to report every problem."""
    try:
        return _fast_converter().structure(value, kind)
    except Exception:  # noqa: BLE001 - the detailed pass says what is wrong
        return _structure(_converter(), value, kind)


def _problems(exc: BaseException, path: str, kind: object = None) -> list[Problem]:
    """Flatten cattrs' exception groups into our problems, each with its path."""
    if isinstance(exc, ValidationError):
        return _prefixed(exc.problems, path)
    if isinstance(exc, ClassValidationError | IterableValidationError):
        return _group_problems(exc, path, kind)
    if isinstance(exc, ForbiddenExtraKeysError):
        known = (
            ", ".join(a.alias for a in attrs.fields(exc.cl) if a.init) if attrs.has(exc.cl) else ""
        )
        return [
            Problem(key_path(path, key), f"one of the keys {known}", f"key {key!r}")
            for key in sorted(exc.extra_fields)
        ]
    return [_leaf_problem(exc, path, kind)]


def _leaf_problem(exc: BaseException, path: str, kind: object) -> Problem:
    """One failure that is not a cloudsms refusal, said as well as it can be."""
    if isinstance(exc, KeyError):
        return Problem(path, "a value (required)", "nothing")
    if isinstance(exc, StructureHandlerNotFoundError):  # the caller asked for a type we lack
        asked: object = exc.type_  # typed as a type, though any object can be asked for
        is_type = isinstance(asked, type) or typing.get_origin(asked) is not None
        shown = f"the type {_kind_name(asked)}" if is_type else f"{describe(asked)}, not a type"
        return Problem(path, _READABLE, shown)
    if _sensitive_fields(kind):
        # A validator's message may quote a secret: say only what kind of failure it was.
        return Problem(path, _type_name(kind), f"{REDACTED} ({exc.__class__.__name__})")
    return Problem(path, _type_name(kind), f"a value it refused ({exc})")


def _group_problems(
    exc: ClassValidationError | IterableValidationError, path: str, kind: object
) -> list[Problem]:
    """The problems of an object's fields, or of a tuple's or mapping's items, at their paths."""
    with_notes, without = exc.group_exceptions()
    secret = _sensitive_fields(getattr(exc, "cl", None))
    found: list[Problem] = []
    for inner, note in with_notes:
        step = getattr(note, "name", None)
        if step is None:  # an item: its index, or a mapping's key
            index = getattr(note, "index", None)
            where = key_path(path, index) if isinstance(index, str) else f"{path}[{index}]"
        else:
            where = f"{path}.{step}"
        problems = _problems(inner, where, note.type)
        if step in secret:
            problems = [p._replace(got=REDACTED) for p in problems]
        found += problems
    for inner in without:
        found += _problems(inner, path, kind)
    return found


def _sensitive_fields(kind: object) -> frozenset[str]:
    if not (isinstance(kind, type) and attrs.has(kind)):
        return frozenset()
    return frozenset(f.name for f in attrs.fields(kind) if f.metadata.get("sensitive"))


_READABLE = (
    "a type cloudsms reads: a cloudsms value or model class, str, int, bool, Decimal, "
    "date, datetime, or a list, tuple, set or str-keyed dict of them"
)


def _type_name(kind: object) -> str:
    name = getattr(kind, "__name__", None) or str(kind)
    return f"a valid {name}"


# ---------------------------------------------------------------------- public API
@contextlib.contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one bulk conversion, then resume it.

    Converting a large document allocates many short-lived objects and no reference
    cycles; with the collector running, its passes over every live object take about
    half the time. It is resumed even on error, and left alone if it was already off.
    """
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def to_dict(value: object, *, pause_gc: bool = True) -> Any:
    """``value`` as JSON-ready data (a document carries its type and schema version first).

    cloudsms types are written as the module's table says; a value of another type is
    passed through as it is, for `to_json` or the caller to write or refuse.

    ``pause_gc`` pauses the cyclic garbage collector while converting (see `from_dict`).
    """
    kind = type(value)
    try:
        with _collector_paused(pause_gc):
            data = _converter().unstructure(value)
    except ValidationError as exc:  # a value that cannot be written, such as P999999Y
        raise ValidationError(exc.problems, subject=kind.__name__) from None
    except RecursionError:
        raise ValidationError.single(
            "$",
            "a value nested less deeply than Python can walk",
            describe(value),
            subject=kind.__name__,
        ) from None
    except TypeError as exc:  # such as a mapping whose keys become lists
        raise ValidationError.single(
            "$",
            "a value cloudsms can write",
            f"{describe(value)}, which cannot be written ({exc})"[:160],
            subject=kind.__name__,
        ) from None
    if hasattr(kind, "__document_type__"):
        return {
            "type": getattr(kind, "__document_type__"),  # noqa: B009 - set by @document
            "schema_version": getattr(kind, "__schema_version__"),  # noqa: B009
            **data,
        }
    return data


def from_dict(kind: type[T], data: object, *, pause_gc: bool = True) -> T:
    """Build a ``kind`` from JSON-like data, checking everything.

    While it works, Python's cyclic garbage collector is paused (unless ``pause_gc``
    is false) and then resumed, even on error: building many values allocates many
    objects but no reference cycles, and the collector's passes would otherwise take
    about half the time of a large load. A collector that was already off stays off.

    Raises:
        ValidationError: every problem of the data, each with its path; nothing is built.
            A document of another type or an unknown schema version fails first.
    """
    subject = _kind_name(kind)
    if hasattr(kind, "__document_type__"):
        data = _unwrap(kind, data, subject)
    try:
        with _collector_paused(pause_gc):
            return cast("T", _structure_reporting(data, kind))
    except ValidationError as exc:
        raise ValidationError(exc.problems, subject=subject) from None


def _kind_name(kind: object) -> str:
    """How a message names ``kind``: ``Money``, or ``Money | None`` without module paths."""
    name = getattr(kind, "__name__", None)
    if isinstance(name, str) and not typing.get_args(kind):
        return name
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", str(kind))


def _unwrap(kind: object, data: object, subject: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError.single("$", "a JSON object", describe(data), subject=subject)
    problems = []
    expected_type = getattr(kind, "__document_type__")  # noqa: B009 - set by @document
    version = getattr(kind, "__schema_version__")  # noqa: B009
    if data.get("type") != expected_type:
        got = describe(data["type"]) if "type" in data else "nothing"
        problems.append(Problem("$.type", repr(expected_type), got))
    elif data.get("schema_version") != version or type(data.get("schema_version")) is not int:
        got = describe(data["schema_version"]) if "schema_version" in data else "nothing"
        problems.append(
            Problem(
                "$.schema_version",
                f"{version} (the version of {expected_type} this cloudsms reads)",
                got,
            )
        )
    if problems:
        raise ValidationError(problems, subject=subject)
    return {k: v for k, v in data.items() if k not in {"type", "schema_version"}}


def to_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON text: compact by default; orjson is used when installed.

    Raises:
        ValidationError: ``value`` holds something JSON cannot hold or the reader would
            refuse (NaN, an integer past 64 bits, bytes, a Fraction, non-text keys).
    """
    data = to_dict(value)
    if indent is None:
        try:
            import orjson  # noqa: PLC0415 - optional, the fast extra
        except ImportError:
            pass
        else:
            try:
                return orjson.dumps(data).decode()
            except TypeError:  # lone surrogates, deep nesting: the standard library takes them
                pass
    separators = (",", ":") if indent is None else None
    try:
        return json.dumps(
            data, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators
        )
    except (ValueError, TypeError, RecursionError) as exc:  # what to_dict's hooks cannot see
        raise ValidationError.single(
            "$",
            "a value JSON can hold (cloudsms types, text, numbers, lists, string-keyed objects)",
            f"{describe(value)}, which JSON cannot hold ({exc})"[:160],
            subject=type(value).__name__,
        ) from None


def from_json(kind: type[T], text: str | bytes, *, pause_gc: bool = True) -> T:
    """Build a ``kind`` from JSON text (the collector is paused as in `from_dict`).

    The text is read strictly: an object that repeats a key is refused (a reader that
    kept the last one would turn ``"amount": "1.00", "amount": "1000000.00"`` into a
    million), and so are ``NaN`` and ``Infinity``, which are not JSON.

    Raises:
        ValidationError: the text is not JSON, an object repeats a key, or the data
            does not fit ``kind``.
    """
    subject = _kind_name(kind)
    with _collector_paused(pause_gc):
        data = _json.loads(text, subject=subject)
    return from_dict(kind, data, pause_gc=pause_gc)


def json_schema(kind: object) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of ``kind``'s wire format, built from its attrs fields.

    Examples:
        >>> json_schema(Money)["properties"]["currency"]
        {'type': 'string', 'pattern': '^[A-Z]{3}$'}
    """
    from cloudsms._kit.json_schema import build  # noqa: PLC0415 - only for schema export

    return build(kind)
