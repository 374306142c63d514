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
| `LifecycleInstance` | ``{"lifecycle", "state", "context", "history"}``, read back by name |
| `float` | a finite JSON number |
| `memoryview` | samples of a `SampleSeries`: a list of numbers, ``null`` where missing |
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

Only refusals become a `ValidationError`: what a reader or constructor refuses, and
what the document's shape lacks. Any other exception raised while reading is a bug in
a hook or constructor and propagates as itself. ``pause_gc=True`` pauses the cyclic
garbage collector during one conversion (faster for large documents, but a
process-wide switch, so it is off by default; see `from_dict`).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from cloudsms._foundation import strict_json as _json
from cloudsms._kit.converter import (
    collector_paused,
    configure_converter,
    from_dict,
    kind_name,
    make_converter,
    to_dict,
)
from cloudsms._kit.documents import document
from cloudsms._kit.durations import format_duration, parse_duration
from cloudsms._kit.limits import SENSITIVE
from cloudsms.errors import ValidationError, describe

T = TypeVar("T")

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


def from_json(kind: type[T], text: str | bytes, *, pause_gc: bool = False) -> T:
    """Build a ``kind`` from JSON text.

    The text is read strictly: an object that repeats a key is refused (a reader that
    kept the last one would turn ``"amount": "1.00", "amount": "1000000.00"`` into a
    million), and so are ``NaN`` and ``Infinity``, which are not JSON.

    ``pause_gc=True`` pauses Python's cyclic garbage collector while the text is read
    and converted, and resumes it afterwards, even on error. A large load allocates
    many objects and no reference cycles, so pausing the collector can halve its
    time; but the switch is process-wide (no thread's garbage is collected meanwhile),
    so it is the caller's choice, and off by default (see `from_dict`).

    Raises:
        ValidationError: the text is not JSON, an object repeats a key, or the data
            does not fit ``kind``.
    """
    subject = kind_name(kind)
    with collector_paused(pause_gc):
        data = _json.loads(text, subject=subject)
    return from_dict(kind, data, pause_gc=pause_gc)


def json_schema(kind: object) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of ``kind``'s wire format, built from its attrs fields.

    Examples:
        >>> from cloudsms.money import Money
        >>> json_schema(Money)["properties"]["currency"]
        {'type': 'string', 'pattern': '^[A-Z]{3}$'}
    """
    from cloudsms._kit.json_schema import build  # noqa: PLC0415 - only for schema export

    return build(kind)
