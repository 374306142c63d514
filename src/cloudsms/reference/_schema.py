"""A small standard-library validator for the subset of JSON Schema the reference data uses.

The shipped ``reference.schema.json`` is the one description of the data files and
overlays: this module interprets it, so the validator and the published schema
cannot drift apart. It supports ``$ref`` to local ``$defs``, ``type``, ``const``,
``enum``, ``pattern``, ``minLength``, ``minimum``, ``required``, ``properties``,
``additionalProperties: false``, ``items`` and a ``oneOf`` whose branches are told
apart by a ``const`` property (the document ``type``). The keyword ``x-expected``
gives the phrase a message uses for what was expected.

Patterns are read as JSON Schema reads them (ECMAScript): ``$`` ends the text, so
``S16`` followed by a newline is not a scenario id. Python's ``$`` also matches
before a final newline, so every ``$`` is read as Python's end-of-text anchor; the
shipped patterns are anchored at both ends, which makes each one a full match.

`check_document` checks a whole document, first, whatever it claims to be: a
document of a type not accepted is reported at ``$.type`` and its records are still
checked, as the first accepted type, so every problem is listed at once.

It reports every problem, each as a `cloudsms.errors.Problem` with a path
such as ``$.citations[3].clause_number``; it never raises on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, cast

from cloudsms._foundation.strict_json import key_path
from cloudsms.errors import Problem, describe
from cloudsms.reference._data import read_json

__all__ = ["check", "check_document", "key_path", "schema"]

Schema = Mapping[str, Any]

_TYPE_PHRASES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


@cache
def schema() -> Schema:
    """Return the shipped JSON Schema of the reference documents (read once)."""
    return cast("Schema", read_json("reference.schema.json"))


@cache
def _pattern(source: str) -> re.Pattern[str]:
    """Compile a schema pattern reading ``$`` as ECMAScript does: the end of the text."""
    return re.compile(_UNESCAPED_DOLLAR.sub(r"\1\\Z", source))


# A ``$`` with an even number of backslashes before it (none, or escaped backslashes).
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)((?:\\\\)*)\$")


def _shown(key: object) -> str:
    """A key as a message shows it: its repr, cut short like `describe` cuts values."""
    return describe(key).rpartition(" (")[0] or repr(key)


def check(instance: object, path: str = "$", node: Schema | None = None) -> list[Problem]:
    """Validate ``instance`` against ``node`` (the whole shipped schema by default)."""
    root = schema()
    problems: list[Problem] = []
    _check(instance, root if node is None else node, path, root, problems)
    return problems


def check_document(instance: object, path: str, types: Sequence[str]) -> list[Problem]:
    """Validate a whole document as one of ``types`` (document ``type`` values), in order.

    A document whose ``type`` is missing or not one of ``types`` gets a problem at
    ``<path>.type`` and is then checked as ``types[0]``, so that its records are
    checked too and no record that breaks the schema is ever read further.
    """
    root = schema()
    if not isinstance(instance, dict):
        return [Problem(path, "a JSON object", describe(instance))]
    branches = _branches(root)
    problems: list[Problem] = []
    kind = instance.get("type")
    if not (isinstance(kind, str) and kind in types):
        expected = "one of " + ", ".join(map(repr, types))
        if "type" not in instance:
            problems.append(Problem(f"{path}.type", f"{expected} (required)", "nothing"))
        else:
            problems.append(Problem(f"{path}.type", expected, describe(kind)))
        kind = types[0]
        instance = {**instance, "type": kind}
    _check(instance, branches[kind], path, root, problems)
    return problems


def _branches(root: Schema) -> dict[str, Schema]:
    """The document schemas of the root ``oneOf``, by the ``const`` of their ``type``."""
    found: dict[str, Schema] = {}
    for raw in root["oneOf"]:
        branch = _resolve(raw, root)
        found[branch["properties"]["type"]["const"]] = branch
    return found


def _resolve(node: Schema, root: Schema) -> Schema:
    while "$ref" in node:
        ref: str = node["$ref"]
        node = root["$defs"][ref.removeprefix("#/$defs/")]
    return node


_IS_TYPE: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _same(value: object, allowed: object) -> bool:
    """Equal and of the same JSON type (``True`` is not ``1``)."""
    return value == allowed and type(value) is type(allowed)


def _expected(node: Schema) -> str:
    if "x-expected" in node:
        return str(node["x-expected"])
    if "const" in node:
        return repr(node["const"])
    if "enum" in node:
        return "one of " + ", ".join("null" if v is None else repr(v) for v in node["enum"])
    types = node.get("type", "object")
    names = [types] if isinstance(types, str) else list(types)
    phrase = " or ".join(_TYPE_PHRASES[n] for n in names)
    if node.get("minLength"):
        phrase = phrase.replace("a string", "a non-empty string")
    if "minimum" in node:
        phrase += f" >= {node['minimum']}"
    return phrase


def _check(value: object, node: Schema, path: str, root: Schema, out: list[Problem]) -> None:
    node = _resolve(node, root)
    if "oneOf" in node:
        _check_one_of(value, node, path, root, out)
    elif not _admissible(value, node):
        out.append(Problem(path, _expected(node), describe(value)))
    elif isinstance(value, dict):
        _check_object(value, node, path, root, out)
    elif isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            _check(item, node["items"], f"{path}[{index}]", root, out)


def _admissible(value: object, node: Schema) -> bool:
    """Whether ``value`` passes the node's own keywords (not those of its members)."""
    if "const" in node and not _same(value, node["const"]):
        return False
    if "enum" in node and not any(_same(value, v) for v in node["enum"]):
        return False
    types = node.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not any(_IS_TYPE[n](value) for n in names):
            return False
    if isinstance(value, str):
        return len(value) >= node.get("minLength", 0) and (
            # search, as JSON Schema reads a pattern; anchored ones match the whole text
            "pattern" not in node or _pattern(node["pattern"]).search(value) is not None
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return "minimum" not in node or value >= node["minimum"]
    return True


def _check_object(
    value: dict[Any, Any], node: Schema, path: str, root: Schema, out: list[Problem]
) -> None:
    properties: Schema = node.get("properties", {})
    for key in node.get("required", ()):
        if key not in value:
            expected = (
                _expected(_resolve(properties[key], root)) if key in properties else "a value"
            )
            out.append(Problem(f"{path}.{key}", f"{expected} (required)", "nothing"))
    for key, item in value.items():
        if key in properties:
            _check(item, properties[key], f"{path}.{key}", root, out)
        elif node.get("additionalProperties", True) is False:
            allowed = ", ".join(properties)
            out.append(
                Problem(key_path(path, key), f"one of the keys {allowed}", f"key {_shown(key)}")
            )


def _check_one_of(
    value: object, node: Schema, path: str, root: Schema, out: list[Problem]
) -> None:
    branches = [_resolve(b, root) for b in node["oneOf"]]
    if not isinstance(value, dict):
        out.append(Problem(path, "a JSON object", describe(value)))
        return
    consts: list[str] = []
    for branch in branches:
        for key, raw in branch.get("properties", {}).items():
            prop = _resolve(raw, root)
            if "const" in prop and key == "type":
                consts.append(repr(prop["const"]))
                if value.get(key) == prop["const"]:
                    _check(value, branch, path, root, out)
                    return
    got = describe(value["type"]) if "type" in value else "nothing"
    out.append(Problem(f"{path}.type", "one of " + ", ".join(consts), got))
