"""The wire types: each type with a custom wire form, declared once.

A `WireType` says, in one entry, how a type is read from JSON (``structure``),
written to JSON (``unstructure``), described in JSON Schema (``schema``), and which
hypothesis strategy draws it (``strategy``, a dotted path that only
`cloudsms.testing` resolves, so no runtime module imports hypothesis). The
converter (`cloudsms._kit.converter`), the schema builder
(`cloudsms._kit.json_schema`) and the strategy registration
(`cloudsms.testing._register`) all read `WIRE_TYPES`; nothing else lists them.

Adding a wire type is one entry here, with its hooks beside the others in
`cloudsms._kit.leaves` (or a module of its own) and a test that round-trips it
(see docs/architecture.md). Model records (attrs classes) need no entry: the
converter reads and writes them field by field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms import units
from cloudsms._foundation.exact import DECIMAL_PATTERN
from cloudsms._foundation.frozen import FrozenMapping
from cloudsms._kit import leaves, lifecycles, samples
from cloudsms._kit.datetimes import format_datetime, structure_date, structure_datetime
from cloudsms._kit.durations import format_duration
from cloudsms.lifecycle import HistoryEntry, LifecycleInstance
from cloudsms.money import CALENDAR_UNITS, Money, Price
from cloudsms.periods import WINDOW_PATTERN, DailyWindow, Period, SupportHours

__all__ = ["WIRE_TYPES", "WireType", "wire_type"]


def _frozen_schema(schema: Mapping[str, Any]) -> FrozenMapping[str, Any]:
    return FrozenMapping(schema)


@attrs.frozen(kw_only=True)
class WireType:
    """One type's wire form: how it is read, written, described and drawn.

    ``structure(value, kind)`` reads JSON data and raises `ValidationError` with
    paths relative to the value (``$``); ``unstructure(value)`` writes JSON data
    that ``structure`` reads back to an equal value. ``schema`` is a JSON Schema
    (draft 2020-12) fragment of that data. ``strategy`` is ``"module:function"``,
    a hypothesis strategy factory taking no arguments, or ``None`` where hypothesis
    already draws the type (``Decimal``, ``datetime``) or the type cannot be drawn
    alone (a lifecycle instance needs its lifecycle). ``subclasses`` also writes
    values for which it returns true (pint's quantity classes are built per
    registry).
    """

    kind: type
    structure: Callable[[object, Any], Any]
    unstructure: Callable[[Any], Any]
    schema: Mapping[str, Any] = attrs.field(converter=_frozen_schema)
    strategy: str | None = None
    subclasses: Callable[[object], bool] | None = None


DECIMAL_SCHEMA: dict[str, Any] = {"type": "string", "pattern": f"^{DECIMAL_PATTERN}$"}
DATETIME_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{5,15}(Z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?)"
    r"(\[!?[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*\])?(\[!?[a-z_][a-z0-9_-]*=[A-Za-z0-9-]+\])*$",
}
DATE_SCHEMA: dict[str, Any] = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d\d-\d\d$"}
_DURATION: dict[str, Any] = {
    "type": "string",
    "pattern": r"^-?P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$",
}
_CURRENCY: dict[str, Any] = {"type": "string", "pattern": "^[A-Z]{3}$"}
_MONEY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["amount", "currency"],
    "properties": {"amount": DECIMAL_SCHEMA, "currency": _CURRENCY},
}
_WINDOW: dict[str, Any] = {"type": "string", "pattern": f"^{WINDOW_PATTERN}$"}
_QUANTITY: dict[str, Any] = {
    "oneOf": [
        {"type": "string", "maxLength": units.MAX_LENGTH, "pattern": units.TEXT_PATTERN},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["magnitude", "unit"],
            "properties": {
                "magnitude": {"oneOf": [DECIMAL_SCHEMA, {"type": "integer"}]},
                "unit": {"type": "string", "pattern": r"^([^\s]+( [^\s]+)*)?$"},
            },
        },
    ]
}
_HISTORY_ENTRY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["who", "when", "event", "source", "target", "data", "hash"],
    "properties": {
        "who": {"type": "string", "pattern": "^actor:[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"},
        "when": DATETIME_SCHEMA,
        "event": {"type": "string"},
        "source": {"type": "string"},
        "target": {"type": "string"},
        "data": {"type": "object"},
        "hash": {"type": "string", "pattern": "^([0-9a-f]{64})?$"},
    },
}
_STRATEGIES = "cloudsms.testing._strategies"

WIRE_TYPES: tuple[WireType, ...] = (
    WireType(
        kind=Decimal,
        structure=leaves.structure_decimal,
        unstructure=leaves.format_decimal,
        schema=DECIMAL_SCHEMA,
    ),
    WireType(
        kind=Fraction,
        structure=leaves.structure_fraction,
        unstructure=leaves.format_fraction,
        schema={"type": "string", "pattern": f"^({DECIMAL_PATTERN}|[+-]?[0-9]+/[1-9][0-9]*)$"},
    ),
    WireType(
        kind=dt.datetime,
        structure=structure_datetime,
        unstructure=format_datetime,
        schema=DATETIME_SCHEMA,
    ),
    WireType(
        kind=dt.date, structure=structure_date, unstructure=dt.date.isoformat, schema=DATE_SCHEMA
    ),
    WireType(
        kind=relativedelta,
        structure=leaves.structure_relativedelta,
        unstructure=format_duration,
        schema=_DURATION,
        strategy=f"{_STRATEGIES}:calendar_lengths",
    ),
    WireType(
        kind=dt.timedelta,
        structure=leaves.structure_timedelta,
        unstructure=format_duration,
        schema=_DURATION,
    ),
    WireType(
        kind=units.Quantity,
        structure=leaves.structure_quantity,
        unstructure=leaves.unstructure_quantity,
        schema=_QUANTITY,
        strategy=f"{_STRATEGIES}:quantities",
        subclasses=units.is_quantity,
    ),
    WireType(
        kind=Money,
        structure=leaves.structure_money,
        unstructure=leaves.unstructure_money,
        schema=_MONEY,
        strategy=f"{_STRATEGIES}:moneys",
    ),
    WireType(
        kind=Period,
        structure=leaves.structure_period,
        unstructure=leaves.unstructure_period,
        schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["start", "end"],
            "properties": {"start": DATETIME_SCHEMA, "end": DATETIME_SCHEMA},
        },
        strategy=f"{_STRATEGIES}:periods",
    ),
    WireType(
        kind=Price,
        structure=leaves.structure_price,
        unstructure=leaves.unstructure_price,
        schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["amount", "unit"],
            "properties": {
                "amount": _MONEY,
                "unit": {"type": "string", "minLength": 1},
                "per": {"enum": [*CALENDAR_UNITS, None]},
            },
        },
        strategy=f"{_STRATEGIES}:prices",
    ),
    WireType(
        kind=DailyWindow,
        structure=leaves.structure_window,
        unstructure=str,
        schema=_WINDOW,
        strategy=f"{_STRATEGIES}:daily_windows",
    ),
    WireType(
        kind=SupportHours,
        structure=leaves.structure_support_hours,
        unstructure=leaves.unstructure_support_hours,
        schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["timezone", "windows"],
            "properties": {
                "timezone": {"type": "string"},
                "windows": {"type": "array", "items": _WINDOW},
                "holidays": {"type": "array", "items": DATE_SCHEMA},
            },
        },
        strategy=f"{_STRATEGIES}:support_hours",
    ),
    WireType(
        kind=memoryview,
        structure=samples.structure_samples,
        unstructure=samples.unstructure_samples,
        schema=samples.SAMPLES_SCHEMA,
    ),
    WireType(
        kind=HistoryEntry,
        structure=leaves.structure_entry,
        unstructure=leaves.unstructure_entry,
        schema=_HISTORY_ENTRY,
        strategy=f"{_STRATEGIES}:history_entries",
    ),
    WireType(
        kind=LifecycleInstance,
        structure=lifecycles.structure_instance,
        unstructure=lifecycles.unstructure_instance,
        schema=lifecycles.instance_schema(_HISTORY_ENTRY),
    ),
)
"""Every wire type, in the order the converter registers them."""

_BY_KIND: dict[type, WireType] = {wire.kind: wire for wire in WIRE_TYPES}


def wire_type(kind: object) -> WireType | None:
    """The declaration of ``kind``, or ``None`` if it has no wire type of its own."""
    return _BY_KIND.get(kind) if isinstance(kind, type) else None
