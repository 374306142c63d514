"""JSON Schema (draft 2020-12) of the converter's wire formats, built from attrs fields.

cattrs has no schema generator; this one walks a type's attrs fields and maps each
field type to the JSON its converter hook writes and reads (see
`cloudsms.serialization`).
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms import units
from cloudsms._foundation.exact import DECIMAL_PATTERN
from cloudsms.lifecycle import HistoryEntry
from cloudsms.money import CALENDAR_UNITS, Money, Price
from cloudsms.periods import WINDOW_PATTERN, DailyWindow, Period, SupportHours

__all__ = ["build"]

_DECIMAL = {"type": "string", "pattern": f"^{DECIMAL_PATTERN}$"}
_DATETIME = {
    "type": "string",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{5,15}(Z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?)"
    r"(\[!?[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*\])?(\[!?[a-z_][a-z0-9_-]*=[A-Za-z0-9-]+\])*$",
}
_DURATION = {
    "type": "string",
    "pattern": r"^-?P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$",
}
_CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$"}
_MONEY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["amount", "currency"],
    "properties": {"amount": _DECIMAL, "currency": _CURRENCY},
}
_WINDOW = {
    "type": "string",
    "pattern": f"^{WINDOW_PATTERN}$",
}
_FIXED: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
    bool: {"type": "boolean"},
    float: {"type": "number"},
    Decimal: _DECIMAL,
    dt.datetime: _DATETIME,
    dt.date: {"type": "string", "format": "date", "pattern": r"^\d{4}-\d\d-\d\d$"},
    relativedelta: _DURATION,
    dt.timedelta: _DURATION,
    units.Quantity: {
        "oneOf": [
            {"type": "string", "maxLength": units.MAX_LENGTH, "pattern": units.TEXT_PATTERN},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["magnitude", "unit"],
                "properties": {
                    "magnitude": {"oneOf": [_DECIMAL, {"type": "integer"}]},
                    "unit": {"type": "string", "pattern": r"^([^\s]+( [^\s]+)*)?$"},
                },
            },
        ]
    },
    Money: _MONEY,
    Period: {
        "type": "object",
        "additionalProperties": False,
        "required": ["start", "end"],
        "properties": {"start": _DATETIME, "end": _DATETIME},
    },
    Price: {
        "type": "object",
        "additionalProperties": False,
        "required": ["amount", "unit"],
        "properties": {
            "amount": _MONEY,
            "unit": {"type": "string", "minLength": 1},
            "per": {"enum": [*CALENDAR_UNITS, None]},
        },
    },
    DailyWindow: _WINDOW,
    SupportHours: {
        "type": "object",
        "additionalProperties": False,
        "required": ["timezone", "windows"],
        "properties": {
            "timezone": {"type": "string"},
            "windows": {"type": "array", "items": _WINDOW},
            "holidays": {"type": "array", "items": {"type": "string", "format": "date"}},
        },
    },
    HistoryEntry: {
        "type": "object",
        "additionalProperties": False,
        "required": ["who", "when", "event", "source", "target", "data"],
        "properties": {
            "who": {"type": "string"},
            "when": _DATETIME,
            "event": {"type": "string"},
            "source": {"type": "string"},
            "target": {"type": "string"},
            "data": {"type": "object"},
        },
    },
}


def build(kind: object) -> dict[str, Any]:
    """The schema of ``kind`` with its attrs classes in ``$defs``."""
    defs: dict[str, Any] = {}
    root = _schema(kind, defs)
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if "$ref" in root and root["$ref"].startswith("#/$defs/"):
        name = root["$ref"].removeprefix("#/$defs/")
        schema.update(defs.pop(name))
        schema["title"] = name
    else:
        schema.update(root)
    if defs:
        schema["$defs"] = defs
    return schema


def _schema(kind: Any, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911
    if kind in _FIXED:
        return dict(_FIXED[kind])
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in {typing.Union, types.UnionType}:
        options = [_schema(a, defs) for a in args if a is not type(None)]
        if type(None) in args:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin in {list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Set}:
        item = args[0] if args else Any
        schema: dict[str, Any] = {"type": "array", "items": _schema(item, defs)}
        if origin in {set, frozenset, collections.abc.Set}:
            schema["uniqueItems"] = True
        return schema
    if origin in {dict, collections.abc.Mapping}:
        return {"type": "object", "additionalProperties": _schema(args[1], defs)}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    if attrs.has(kind):
        return _attrs_schema(kind, defs)
    if kind is Any:
        return {}
    raise TypeError(f"no JSON Schema for {kind!r}")


def _attrs_schema(kind: type, defs: dict[str, Any]) -> dict[str, Any]:
    name = kind.__name__
    if name not in defs:
        defs[name] = {}  # placeholder against recursion
        hints = typing.get_type_hints(kind)
        properties: dict[str, Any] = {}
        required: list[str] = []
        if hasattr(kind, "__document_type__"):
            properties["type"] = {"const": getattr(kind, "__document_type__")}  # noqa: B009
            properties["schema_version"] = {"const": getattr(kind, "__schema_version__")}  # noqa: B009
            required += ["type", "schema_version"]
        for field in attrs.fields(kind):
            if not field.init:
                continue
            properties[field.alias] = _schema(hints[field.name], defs)
            if field.default is attrs.NOTHING:
                required.append(field.alias)
        defs[name] = {
            "type": "object",
            "additionalProperties": False,
            "required": required,
            "properties": properties,
        }
        if kind.__doc__:
            defs[name]["description"] = kind.__doc__.strip().splitlines()[0]
    return {"$ref": f"#/$defs/{name}"}
