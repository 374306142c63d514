"""JSON Schema (draft 2020-12) of the converter's wire formats, built from attrs fields.

cattrs has no schema generator; this one walks a type's attrs fields and maps each
field type to the JSON its converter hook writes and reads (see
`cloudsms.serialization`).
"""

from __future__ import annotations

import collections.abc
import enum
import json
import types
import typing
from typing import Any

import attrs

from cloudsms._kit.limits import INT64
from cloudsms._kit.wire import WIRE_TYPES

if typing.TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["build"]

# The plain JSON types; every other leaf is a wire type and brings its own schema.
_FIXED: dict[Any, Mapping[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer", "minimum": INT64[0], "maximum": INT64[1]},
    bool: {"type": "boolean"},
    float: {"type": "number"},
    **{wire.kind: wire.schema for wire in WIRE_TYPES},
}


def build(kind: object) -> dict[str, Any]:
    """The schema of ``kind`` with its attrs classes in ``$defs``."""
    defs: dict[str, Any] = {}
    root = _schema(kind, defs)
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if "$ref" in root and root["$ref"].startswith("#/$defs/"):
        name = root["$ref"].removeprefix("#/$defs/")
        body = defs[name] if _referenced(name, defs) else defs.pop(name)
        schema.update(json.loads(json.dumps(body)))
        schema["title"] = name
        if hasattr(kind, "__document_type__"):  # the header is written at the root only
            schema["properties"] = {
                "type": {"const": getattr(kind, "__document_type__")},  # noqa: B009
                "schema_version": {"const": getattr(kind, "__schema_version__")},  # noqa: B009
                **schema["properties"],
            }
            schema["required"] = ["type", "schema_version", *schema["required"]]
    else:
        schema.update(root)
    if defs:
        schema["$defs"] = defs
    return schema


def _referenced(name: str, defs: dict[str, Any]) -> bool:
    """Whether another definition refers to ``name`` (a record nested in itself)."""
    return f'"#/$defs/{name}"' in json.dumps(defs)


def _schema(kind: Any, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911
    if kind in _FIXED:
        return _thawed(_FIXED[kind])
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
    choices = _choices(kind)
    if choices is not None:
        return {"enum": choices}
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


def _choices(kind: Any) -> list[Any] | None:
    """The values an enum class or a ``Literal`` is written as; None for any other type.

    An enum member, alone or among a ``Literal``'s options, is written as its value
    (as the converter's enum and ``Literal`` hooks read it); a value written twice that
    way (``Literal[Shade.LIGHT, "light"]``) is listed once.
    """
    if typing.get_origin(kind) is typing.Literal:
        options: tuple[Any, ...] = typing.get_args(kind)
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        options = tuple(kind)
    else:
        return None
    written: list[Any] = []
    for option in options:
        value = option.value if isinstance(option, enum.Enum) else option
        if not any(type(value) is type(seen) and value == seen for seen in written):
            written.append(value)
    return written


def _thawed(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A plain-dict deep copy of a declared schema, for the caller to keep or change."""
    return json.loads(json.dumps(schema))  # type: ignore[no-any-return]
