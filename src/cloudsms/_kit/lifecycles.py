"""Lifecycle instances on the wire: written with their lifecycle's name, read through its guards.

An instance is written as ::

    {"lifecycle": "cloud_service", "state": "built", "context": {}, "history": [...]}

``lifecycle`` is the name under which its `Lifecycle` is registered
(`cloudsms.lifecycle.register_lifecycle`), ``context`` the persisted context its
guards read, ``history`` its entries oldest first. An instance whose recorded history
begins later than the initial state (a version-1 document that kept only a plain state,
a service imported when it was already live) also carries ``"origin"``, the state its
history begins in; the key is written only then, so an instance that began at the
initial state has exactly the four keys.

Reading looks the lifecycle up by that name, which imports the module declaring it
on first use (so the kit never imports the model or the procedures), replays the
history from the origin through the lifecycle's guards (`Lifecycle.resume`), and
requires the stored ``state`` to be where the history leads. Every problem is
reported with its path: unknown or missing keys, an unregistered lifecycle (with
close names), each refused entry at ``$.history[i]``, and a state the history does not
reach at ``$.state``. Serves S05 and S06 and, through the lifecycle core, every
scenario whose records move through a lifecycle (ISO/IEC 20000-1:2011 4.3.3).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cloudsms._foundation.strict_json import key_path
from cloudsms._kit.leaves import prefixed, sequence_of, structure_entry, unstructure_entry
from cloudsms.errors import InvalidDefinition, Problem, UnknownReference, ValidationError, describe
from cloudsms.lifecycle import HistoryEntry, Lifecycle, LifecycleInstance, lifecycle_named

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["instance_schema", "structure_instance", "unstructure_instance"]

_REQUIRED = ("lifecycle", "state", "context", "history")
_KNOWN = ("lifecycle", "origin", "state", "context", "history")


def unstructure_instance(value: LifecycleInstance) -> dict[str, Any]:
    """The instance as JSON: lifecycle name, origin (when not initial), state, context, history."""
    data: dict[str, Any] = {"lifecycle": value.lifecycle.name}
    if value.origin is not None:
        data["origin"] = value.origin
    data["state"] = value.state
    data["context"] = json.loads(value.context_json)
    data["history"] = [unstructure_entry(entry) for entry in value.history()]
    return data


def structure_instance(value: object, _: object) -> LifecycleInstance:
    """The instance JSON data describes, its history replayed through its lifecycle's guards.

    Raises:
        ValidationError: every problem of the data, each with its path relative to it.
        InvalidDefinition: a guard of the lifecycle answers something other than
            ``None``, ``True``, ``False`` or text (the declaration is at fault).
    """
    if not isinstance(value, dict):
        raise ValidationError.single("$", "a lifecycle instance object", describe(value))
    lifecycle, history, problems = _parts(value)
    state = value.get("state")
    if lifecycle is not None:
        try:
            instance = lifecycle.resume(
                history, context=value.get("context"), origin=value.get("origin")
            )
        except ValidationError as exc:
            problems += exc.problems
        else:
            if "state" in value and instance.state != state:
                expected = f"{instance.state!r}, where the history leads"
                problems.append(Problem("$.state", expected, describe(state)))
            if not problems:
                return instance
    raise ValidationError(problems)


def _parts(value: dict[Any, Any]) -> tuple[Lifecycle | None, list[HistoryEntry], list[Problem]]:
    """The lifecycle and history ``value`` names, and the problems of its keys and parts.

    The lifecycle is ``None`` when there is nothing sound to replay: it is not
    registered, or the history, context, origin or state is of the wrong shape.
    """
    problems = _key_problems(value)
    lifecycle = None
    if "lifecycle" in value:
        lifecycle, found = _lifecycle(value["lifecycle"])
        problems += found
    history: list[HistoryEntry] = []
    try:
        history = sequence_of(value.get("history", []), structure_entry)
    except ValidationError as exc:
        problems += prefixed(exc.problems, "$.history")
        lifecycle = None
    shapes = {
        "context": (dict, "an object"),
        "origin": (str, "a state"),
        "state": (str, "a state"),
    }
    for key, (kind, expected) in shapes.items():
        if key in value and not isinstance(value[key], kind):
            problems.append(Problem(f"$.{key}", expected, describe(value[key])))
            lifecycle = None
    return lifecycle, history, problems


def _key_problems(value: dict[Any, Any]) -> list[Problem]:
    if len(value) == len(_REQUIRED) and all(key in value for key in _REQUIRED):
        return []  # the usual case: exactly the four keys
    problems = [
        Problem(key_path("$", key), "a value (required)", "nothing")
        for key in _REQUIRED
        if key not in value
    ]
    problems += [
        Problem(key_path("$", key), "one of the keys " + ", ".join(_KNOWN), f"key {key!r}")
        for key in value
        if key not in _KNOWN
    ]
    return problems


def _lifecycle(name: object) -> tuple[Lifecycle | None, list[Problem]]:
    """The registered lifecycle called ``name``, or ``None`` and the problem at ``$.lifecycle``."""
    expected = "the name of a registered lifecycle"
    if not isinstance(name, str):
        return None, [Problem("$.lifecycle", expected, describe(name))]
    try:
        return lifecycle_named(name), []
    except UnknownReference as exc:
        got = describe(name)
        if exc.suggestions:
            got += f"; did you mean {' or '.join(exc.suggestions)}?"
        return None, [Problem("$.lifecycle", expected, got)]
    except InvalidDefinition as exc:
        got = f"{describe(name)}, whose registration is broken: {'; '.join(exc.problems)}"
        return None, [Problem("$.lifecycle", "a registered lifecycle that loads", got)]


def instance_schema(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema of an instance, given the schema of one history entry."""
    name = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(_REQUIRED),
        "properties": {
            "lifecycle": name,
            "origin": name,
            "state": name,
            "context": {"type": "object"},
            "history": {"type": "array", "items": dict(entry)},
        },
    }
