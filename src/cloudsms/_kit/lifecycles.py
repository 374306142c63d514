"""Lifecycle instances on the wire: written with their lifecycle's name, read through its guards.

An instance is written as ::

    {"lifecycle": "cloud_service", "id": "crm", "chain": "sha256", "state": "built",
     "context": {}, "history": [{..., "hash": "9f2c..."}]}

``lifecycle`` is the name under which its `Lifecycle` is registered
(`cloudsms.lifecycle.register_lifecycle`), ``id`` the instance's id its chain is bound
to, ``chain`` ``"sha256"`` or ``"hmac-sha256"`` (a keyed trail: the key is never
written), ``context`` the persisted context its guards read, ``history`` its entries
oldest first, each with its hash. An instance whose recorded history begins later than
the initial state (a version-1 document that kept only a plain state, a service
imported when it was already live) also carries ``"origin"``, the state its history
begins in; ``origin`` is written only then.

Reading looks the lifecycle up by that name, which imports the module declaring it
on first use (so the kit never imports the model or the procedures), replays the
history from the origin through the lifecycle's guards and checks its chain
(`Lifecycle.resume`; a keyed chain is checked only by `cloudsms.lifecycle.verify`
with its key), and requires the stored ``state`` to be where the history leads.
Writing refuses an instance whose lifecycle is not the one registered under its
name, since reading it back would find another lifecycle.

Instances written before the chain (documents of schema version 2: no ``id``, no
``chain``, no hashes, ``who`` as free text) are upgraded by `sealed_instance`: the
record's id becomes the instance's, each ``who`` becomes an actor id, and the
history is replayed and sealed (`Lifecycle.adopt`). Every problem is
reported with its path: unknown or missing keys, an unregistered lifecycle (with
close names), each refused entry at ``$.history[i]``, and a state the history does not
reach at ``$.state``. Serves S05 and S06 and, through the lifecycle core, every
scenario whose records move through a lifecycle (ISO/IEC 20000-1:2011 4.3.3).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cloudsms._foundation.strict_json import key_path
from cloudsms._kit.checks import ID as _ID
from cloudsms._kit.leaves import prefixed, sequence_of, structure_entry, unstructure_entry
from cloudsms.errors import InvalidDefinition, Problem, UnknownReference, ValidationError, describe
from cloudsms.lifecycle import (
    ACTOR_ID,
    HistoryEntry,
    Lifecycle,
    LifecycleInstance,
    lifecycle_named,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "instance_schema",
    "instance_version",
    "sealed_instance",
    "state_as_instance",
    "structure_instance",
    "unstructure_instance",
]

_REQUIRED = ("lifecycle", "id", "chain", "state", "context", "history")
_KNOWN = ("lifecycle", "id", "chain", "origin", "state", "context", "history")
_CHAINS = {"sha256": False, "hmac-sha256": True}


def unstructure_instance(value: LifecycleInstance) -> dict[str, Any]:
    """The instance as JSON: lifecycle name, id, chain, origin (if not initial), state, ...

    Raises:
        ValidationError: the instance's lifecycle is not the one registered under its
            name (or no lifecycle is): reading the document back would not find it.
    """
    name = value.lifecycle.name
    try:
        registered: Lifecycle | None = lifecycle_named(name)
    except (UnknownReference, InvalidDefinition):
        registered = None
    if registered is not value.lifecycle and registered != value.lifecycle:
        got = f"an instance of an unregistered lifecycle called {name!r}"
        if registered is not None:
            got = f"an instance of another lifecycle than the one registered as {name!r}"
        raise ValidationError.single(
            "$.lifecycle",
            "an instance of a registered lifecycle (register_lifecycle), so it can be read back",
            got,
        )
    data: dict[str, Any] = {
        "lifecycle": name,
        "id": value.id,
        "chain": "hmac-sha256" if value.keyed else "sha256",
    }
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
                history,
                id=value.get("id", ""),
                context=value.get("context"),
                origin=value.get("origin"),
                keyed=_CHAINS.get(str(value.get("chain")), False),
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
        "id": (str, "the instance's id"),
    }
    if "id" not in value or "chain" not in value:
        lifecycle = None  # reported as missing keys; a chain cannot be checked without them
    if "chain" in value and (not isinstance(value["chain"], str) or value["chain"] not in _CHAINS):
        problems.append(Problem("$.chain", "'sha256' or 'hmac-sha256'", describe(value["chain"])))
        lifecycle = None
    for key, (kind, expected) in shapes.items():
        if key in value and not isinstance(value[key], kind):
            problems.append(Problem(f"$.{key}", expected, describe(value[key])))
            lifecycle = None
    return lifecycle, history, problems


def _key_problems(value: dict[Any, Any]) -> list[Problem]:
    if len(value) == len(_REQUIRED) and all(key in value for key in _REQUIRED):
        return []  # the usual case: exactly the required keys
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
            "id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"},
            "chain": {"enum": sorted(_CHAINS)},
            "origin": name,
            "state": name,
            "context": {"type": "object"},
            "history": {"type": "array", "items": dict(entry)},
        },
    }


# ------------------------------------------------------------------ older documents
def instance_version(body: Mapping[str, Any], field: str = "lifecycle") -> int:
    """A record body's version by the shape of its instance: 1 none, 2 no chain, 3 chained.

    For the ``version_of`` of a document holding a lifecycle instance in ``field``.
    """
    instance = body.get(field)
    if field not in body:
        return 1
    return 3 if isinstance(instance, dict) and "chain" in instance else 2


def state_as_instance(
    body: dict[str, Any], *, state_key: str, lifecycle: Lifecycle, field: str = "lifecycle"
) -> tuple[dict[str, Any], list[Problem]]:
    """Version 1 to the current: a plain state at ``state_key`` becomes an instance there.

    The instance begins at that state with an empty history (its ``origin``): the old
    body kept no events, and none is invented. Its id is the record's ``id``. A body
    without the key keeps the default.
    """
    if state_key not in body:
        return body, []
    upgraded = {k: v for k, v in body.items() if k != state_key}
    state = body[state_key]
    if not isinstance(state, str) or state not in lifecycle.states:
        expected = "one of " + ", ".join(lifecycle.states)
        return upgraded, [Problem(key_path("$", state_key), expected, describe(state))]
    record_id = body.get("id")
    instance_id = record_id if isinstance(record_id, str) and _ID.fullmatch(record_id) else None
    upgraded[field] = unstructure_instance(lifecycle.begin(id=instance_id, origin=state))
    return upgraded, []


def sealed_instance(  # noqa: PLR0911 - one return per way an upgrade ends
    body: dict[str, Any], *, field: str = "lifecycle"
) -> tuple[dict[str, Any], list[Problem]]:
    """Version 2 to 3: the instance in ``field`` is bound to the record's id and sealed.

    Each entry's ``who`` becomes an actor id: ``ops`` becomes ``actor:ops``, an actor id
    stays as it is, and text that is no id (a name with spaces, an e-mail) is refused
    at its path: map such people to actor ids (`cloudsms.parties.Actor`) before the
    document is read. The history is then replayed through the guards and its chain
    computed (`Lifecycle.adopt`). An instance that cannot be upgraded is left out of
    the new body and its problems reported at their paths in the old one; whatever
    else is wrong is left for the reader to report.
    """
    instance = body.get(field)
    if not isinstance(instance, dict) or "chain" in instance:
        return body, []
    prefix = key_path("$", field)
    without = {k: v for k, v in body.items() if k != field}  # left out when refused
    problems = [
        Problem(
            key_path(prefix, key),
            "the keys of a version-2 instance (" + ", ".join(_VERSION_2) + ")",
            f"key {key!r}"
            + (" (of version 3: this body is not a version-2 one)" if key in _KNOWN else ""),
        )
        for key in instance
        if key not in _VERSION_2
    ]
    history = instance.get("history")
    if isinstance(history, list):
        history = [
            _actor_entry(entry, f"{prefix}.history[{i}]", problems)
            for i, entry in enumerate(history)
        ]
    record_id = body.get("id")
    lifecycle = _lifecycle(instance.get("lifecycle"))[0]
    if problems:
        return without, problems
    if not isinstance(record_id, str) or not _ID.fullmatch(record_id):
        return without, []  # the record reports its id; the instance cannot be bound to it
    if lifecycle is None or not isinstance(history, list):
        return body, []  # the reader reports what is wrong
    try:
        entries = sequence_of(history, structure_entry)
    except ValidationError as exc:
        return without, prefixed(exc.problems, f"{prefix}.history")
    try:
        adopted = lifecycle.adopt(
            entries, id=record_id, context=instance.get("context"), origin=instance.get("origin")
        )
    except ValidationError as exc:
        return without, prefixed(exc.problems, prefix)
    state = instance.get("state")
    if isinstance(state, str) and state != adopted.state:
        expected = f"{adopted.state!r}, where the history leads"
        return without, [Problem(f"{prefix}.state", expected, describe(state))]
    return {**body, field: unstructure_instance(adopted)}, []


_VERSION_2 = ("lifecycle", "origin", "state", "context", "history")
_ENTRY_2 = ("who", "when", "event", "source", "target", "data")


def _actor_entry(entry: object, path: str, problems: list[Problem]) -> object:
    """A version-2 entry with ``who`` as an actor id and an empty hash (see `sealed_instance`)."""
    if not isinstance(entry, dict):
        return entry
    problems += [
        Problem(
            key_path(path, key),
            "the keys of a version-2 entry (" + ", ".join(_ENTRY_2) + ")",
            f"key {key!r}",
        )
        for key in entry
        if key not in _ENTRY_2
    ]
    who = entry.get("who")
    if isinstance(who, str) and not ACTOR_ID.fullmatch(who):
        if _ID.fullmatch(who):
            who = f"actor:{who}"
        else:
            problems.append(
                Problem(
                    f"{path}.who",
                    "text that can become an actor id (letters, digits, '.', '_', ':' or "
                    "'-'); map people to actor ids before upgrading",
                    describe(who, sensitive=True),
                )
            )
    return {**entry, "who": who, "hash": ""}
