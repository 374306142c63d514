"""The declarative state-machine core every lifecycle of cloudsms is built on.

A lifecycle is data: its states, its transitions (source, event, target and an
optional named guard), its initial and final states. A declaration that does not
hold together raises `InvalidDefinition` when it is declared, listing every fault.
A `LifecycleInstance` changes only by `LifecycleInstance.apply`, which returns a new
instance whose history holds one more `HistoryEntry`; an event that is not allowed,
or that a guard refuses, raises `InvalidTransition` and changes nothing.

A guard sees the instance and the `Attempt` (the event, who, when, its data and the
instance's persisted context). A stored history is replayed through the same
guards when it is read back, so what `apply` refuses, `Lifecycle.resume` refuses.
Serves the lifecycles of S05, S06, S08, S09 and S13 (ISO/IEC 20000-1:2011 4.3.3,
control of records; 9.2 and 9.3).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

import attrs

from cloudsms._foundation.dotted import resolve
from cloudsms._foundation.frozen import FrozenMapping, as_tuple
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._foundation.suggest import suggest
from cloudsms.errors import (
    InvalidDefinition,
    InvalidTransition,
    Problem,
    UnknownReference,
    ValidationError,
    describe,
)
from cloudsms.lifecycle._chain import (
    HASH,
    ChainBreak,
    checked_key,
    entry_bytes,
    first_break,
    genesis,
    head_break,
    key_problems,
    link,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "ACTOR_ID",
    "Attempt",
    "Guard",
    "HistoryEntry",
    "Lifecycle",
    "LifecycleInstance",
    "Trail",
    "Transition",
    "advance",
    "lifecycle_named",
    "register_lifecycle",
    "registered_lifecycles",
    "verify",
]

Guard = Callable[["LifecycleInstance", "Attempt"], "bool | str | None"]
"""A named condition on an event, called with the instance and the `Attempt`.

It returns ``None`` or ``True`` to allow the event, a reason (text) or ``False`` to
refuse it; any other result is a fault of the lifecycle's declaration."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

ACTOR_ID = re.compile(r"actor:[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
"""Who acts in a lifecycle: ``actor:`` and an id (``actor:ops-7``), never a name or an e-mail.

A trail cannot change, and personal data must be erasable, so a trail names people
only by pseudonymous ids; `cloudsms.parties.Actor` maps an id to a party and a
contact, outside the trail, where erasing a person removes the mapping."""

_ACTOR_EXPECTED = "a pseudonymous actor id such as 'actor:ops-7' (not a name or an e-mail)"
_MAX_DEPTH = 16
_C = TypeVar("_C")
_R = TypeVar("_R")


_NEW = object.__new__
_SET = object.__setattr__
"""How `_trusted` and the hot path of `LifecycleInstance.apply` build a frozen instance."""


def _trusted(kind: type[_C], **values: object) -> _C:
    """An instance of the frozen class ``kind`` from values already checked (no checks run).

    Only for values this module has just checked itself: `LifecycleInstance.apply`
    checks the one new entry, `Lifecycle.resume` replays the whole history once.
    """
    made = object.__new__(kind)
    for name, value in values.items():
        object.__setattr__(made, name, value)
    return made


@attrs.frozen(kw_only=True)
class Transition:
    """One row of a lifecycle's transition table: ``event`` takes ``source`` to ``target``.

    ``guard`` names a guard of the lifecycle that must allow the event.

    Raises:
        InvalidDefinition: a name is not text (or ``guard`` neither text nor ``None``).
    """

    source: str
    event: str
    target: str
    guard: str | None = None

    def __attrs_post_init__(self) -> None:
        values: dict[str, object] = {
            "source": self.source,
            "event": self.event,
            "target": self.target,
            "guard": self.guard,
        }
        faults = [
            f"{name} must be text, not {describe(value)}"
            for name, value in values.items()
            if not isinstance(value, str) and not (name == "guard" and value is None)
        ]
        if faults:
            raise InvalidDefinition("Transition", faults)


def _instant_problems(value: object, path: str) -> list[Problem]:
    """Problems of an instant: aware, inside the supported range, a wall time that exists.

    The one check of `cloudsms._foundation.instants`, shared with every other type
    holding an instant.
    """
    return instant_problems(value, path)


def _actor_problems(who: object) -> list[Problem]:
    """``[]`` when ``who`` is an actor id (`ACTOR_ID`), else the problem at ``$.who``."""
    if isinstance(who, str) and ACTOR_ID.fullmatch(who):
        return []  # a refused who is likely a name or an e-mail: never shown
    return [Problem("$.who", _ACTOR_EXPECTED, describe(who, sensitive=True))]


def _text_problems(
    values: Mapping[str, object], expected: str = "a non-empty string"
) -> list[Problem]:
    return [
        Problem(f"$.{name}", expected, describe(value))
        for name, value in values.items()
        if not isinstance(value, str) or not value.strip()
    ]


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
"""What `json.dumps` builds for `_canonical`'s arguments on every call, built once."""


def _canonical(value: Mapping[str, Any]) -> str:
    return _ENCODER.encode(value)


def _plain(value: object, depth: int) -> bool:
    """Whether ``value`` is surely JSON `_json_problems` accepts, by exact types alone.

    The hot path of `_mapping_json`: ``True`` only for dicts, lists and tuples of exact
    ``str``, ``bool``, ``None`` and 64-bit ``int`` values within `_MAX_DEPTH` levels,
    where `_json_problems` finds nothing. ``False`` means "walk it": subclasses (an
    enum member), other mappings and every refusal go to the full check, which alone
    words the problems.
    """
    if depth >= _MAX_DEPTH:  # its items would be too deep (or nearly): the full check says
        return False
    kind = type(value)
    if kind is dict:
        items: Iterable[object] = cast("dict[object, object]", value).values()
        for key in cast("dict[object, object]", value):
            if type(key) is not str:
                return False
    elif kind is list or kind is tuple:
        items = cast("Iterable[object]", value)
    else:
        return False
    return _plain_items(items, depth)


def _plain_items(items: Iterable[object], depth: int) -> bool:
    """Whether every item of a container at ``depth`` is plain (see `_plain`)."""
    for item in items:
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int:
            if not -(2**63) <= cast("int", item) < 2**63:
                return False
        elif not _plain(item, depth + 1):
            return False
    return True


def _mapping_json(value: object, name: str) -> tuple[str, list[Problem]]:
    """A mapping of JSON values as canonical JSON text, or the problems found at ``$.<name>``."""
    if value is None or (type(value) is dict and not value):
        return "{}", []  # the usual event without data
    payload = value
    if type(payload) is dict and _plain(payload, 0):
        return _canonical(payload), []
    if not isinstance(payload, Mapping):
        return "", [Problem(f"$.{name}", "an object (a mapping)", describe(payload))]
    problems = _json_problems(payload, f"$.{name}", 0)
    return ("" if problems else _canonical(payload)), problems


def _json_text_problems(text: object, name: str) -> list[Problem]:
    """Problems of ``<name>_json``: canonical JSON text of an object of JSON values."""
    if not isinstance(text, str):
        return [Problem(f"$.{name}_json", "canonical JSON text", describe(text))]
    # Event data may hold personal data: a refused text is described, never shown.
    try:
        value = json.loads(text, parse_float=_no_float, parse_constant=_no_float)
    except (ValueError, RecursionError):
        expected = "a JSON object without floats"
        return [Problem(f"$.{name}", expected, describe(text, sensitive=True))]
    if not isinstance(value, dict):
        return [Problem(f"$.{name}", "a JSON object", describe(value, sensitive=True))]
    problems = _json_problems(value, f"$.{name}", 0)
    if not problems and _canonical(value) != text:
        expected = "canonical JSON (sorted keys, no spaces)"
        problems.append(Problem(f"$.{name}_json", expected, describe(text, sensitive=True)))
    return problems


def _no_float(text: str) -> object:
    raise ValueError(text)


def _frozen_json(text: str) -> FrozenMapping[str, Any]:
    loaded: dict[str, Any] = json.loads(text)
    return FrozenMapping(loaded)


@attrs.frozen(kw_only=True)
class Attempt:
    """An event being applied, as its guard sees it: what, who, when, with which data.

    ``data`` is the event's data and ``context`` the instance's persisted context
    (`LifecycleInstance.context`), each a read-only mapping of JSON values built
    afresh on every read from its canonical text (``data_json``, ``context_json``).
    `LifecycleInstance.apply` and `Lifecycle.resume` build it; build one yourself to
    test a guard on its own.

    Raises:
        ValidationError: ``event`` or ``who`` is empty, ``when`` is naive or outside
            the supported range, or the data or context is not canonical JSON.

    Examples:
        >>> import datetime as dt
        >>> attempt = Attempt(
        ...     event="pay",
        ...     who="actor:billing",
        ...     when=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        ...     data_json='{"paid":true}',
        ... )
        >>> attempt.data["paid"], dict(attempt.context)
        (True, {})
    """

    event: str
    who: str
    when: dt.datetime = attrs.field(eq=instant_key)
    data_json: str = "{}"
    context_json: str = "{}"

    def __attrs_post_init__(self) -> None:
        problems = _text_problems({"event": self.event})
        problems += _actor_problems(self.who)
        problems += _instant_problems(self.when, "$.when")
        problems += _json_text_problems(self.data_json, "data")
        problems += _json_text_problems(self.context_json, "context")
        if problems:
            raise ValidationError(problems, subject="Attempt")

    @property
    def data(self) -> Mapping[str, Any]:
        """The event's data, a read-only mapping built afresh on each read."""
        return _frozen_json(self.data_json)

    @property
    def context(self) -> Mapping[str, Any]:
        """The instance's persisted context, a read-only mapping built afresh on each read."""
        return _frozen_json(self.context_json)


@attrs.frozen(kw_only=True)
class HistoryEntry:
    """One applied event: who applied it, when, from which state to which, with what data.

    ``who`` is a pseudonymous actor id (`ACTOR_ID`). ``data`` is kept as canonical
    JSON text (`data_json`) so an entry is immutable, hashable and has the same
    canonical bytes every time (`canonical`). ``hash`` links the entry to the one
    before: SHA-256 (or HMAC-SHA-256 under the trail's key) of the previous hash and
    the canonical bytes; `LifecycleInstance.apply` computes it, and an entry built by
    hand for `Lifecycle.adopt` leaves it empty. Two entries are equal when everything
    in them is, ``when`` compared as its UTC instant and zone
    (`cloudsms._foundation.instants.instant_key`): two wall times an hour apart in the
    DST fold are different entries.

    Raises:
        ValidationError: a name is empty, ``who`` is not an actor id, ``when`` is
            naive or outside the supported range (1900-01-01T00:00Z up to
            9000-01-01T00:00Z), the data is not an object of JSON values in canonical
            text, or ``hash`` is neither empty nor 64 lower-case hexadecimal digits.
    """

    who: str
    when: dt.datetime = attrs.field(eq=instant_key)
    event: str
    source: str
    target: str
    data_json: str = "{}"
    hash: str = ""

    def __attrs_post_init__(self) -> None:
        problems = _actor_problems(self.who)
        problems += _text_problems(
            {"event": self.event, "source": self.source, "target": self.target}
        )
        problems += _instant_problems(self.when, "$.when")
        problems += _json_text_problems(self.data_json, "data")
        sealed: object = self.hash
        if not isinstance(sealed, str) or (sealed and not HASH.fullmatch(sealed)):
            problems.append(
                Problem("$.hash", "64 lower-case hexadecimal digits, or empty", describe(sealed))
            )
        if problems:
            raise ValidationError(problems, subject="HistoryEntry")

    @property
    def data(self) -> dict[str, Any]:
        """The event's data, as a fresh dict."""
        loaded: dict[str, Any] = json.loads(self.data_json)
        return loaded

    def canonical(self) -> bytes:
        """The bytes the entry's hash covers: ASCII JSON, sorted keys, no spaces.

        The instant is written in UTC with microseconds and the zone's key beside it,
        so an edited zone changes the bytes (docs/lifecycles.md has test vectors).
        """
        return entry_bytes(
            self.who, self.when, self.event, self.source, self.target, self.data_json
        )


_GROWING = threading.Lock()
"""Held while a trail appends to the list it shares with the trails before it."""


class Trail(Sequence[HistoryEntry]):
    """A lifecycle instance's history: an immutable sequence of entries, oldest first.

    Instances that follow one another share one list: an instance one event longer
    appends to it and keeps its own length, so applying an event costs the same
    whatever the history's length. An instance that branches from an older one (two
    events applied to the same instance) copies what it keeps. Indexing, slicing
    (a tuple), iteration, ``len`` and ``==`` (with another trail or a tuple) behave as
    a tuple's.
    """

    __slots__ = ("_items", "_length")

    def __init__(self, entries: Iterable[HistoryEntry] = ()) -> None:
        items = list(entries)
        self._items = items
        self._length = len(items)

    @classmethod
    def _view(cls, items: list[HistoryEntry], length: int) -> Trail:
        made = object.__new__(cls)
        made._items = items
        made._length = length
        return made

    def appended(self, entry: HistoryEntry) -> Trail:
        """A trail one entry longer; this one is unchanged."""
        items = self._items
        with _GROWING:
            if len(items) == self._length:
                items.append(entry)
                return Trail._view(items, self._length + 1)
        branch = items[: self._length]
        branch.append(entry)
        return Trail._view(branch, self._length + 1)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> HistoryEntry: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[HistoryEntry, ...]: ...
    def __getitem__(self, index: int | slice) -> HistoryEntry | tuple[HistoryEntry, ...]:
        if isinstance(index, slice):
            return tuple(self._items[: self._length][index])
        position = index + self._length if index < 0 else index
        if not 0 <= position < self._length:
            raise IndexError("trail index out of range")
        return self._items[position]

    def __iter__(self) -> Iterator[HistoryEntry]:
        return itertools.islice(self._items, self._length)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trail | tuple) or len(other) != self._length:
            return NotImplemented if not isinstance(other, Trail | tuple) else False
        return all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash((self._length, self._items[self._length - 1] if self._length else None))

    def __repr__(self) -> str:
        return f"Trail({list(self)!r})"

    def __reduce__(self) -> tuple[type[Trail], tuple[tuple[HistoryEntry, ...]]]:
        return Trail, (tuple(self),)


def _as_trail(entries: object) -> Trail:
    """An attrs converter: a list-like value of entries as a `Trail` (else kept as given)."""
    if isinstance(entries, Trail):
        return entries
    items: object = as_tuple(cast("Iterable[Any]", entries))
    return Trail(cast("tuple[HistoryEntry, ...]", items)) if isinstance(items, tuple) else entries  # type: ignore[return-value]


def _as_tuple(kind: type, what: str) -> Callable[[object], tuple[Any, ...]]:
    def convert(rows: object) -> tuple[Any, ...]:
        if isinstance(rows, str | bytes | Mapping) or not hasattr(rows, "__iter__"):
            raise InvalidDefinition("lifecycle", [f"{what} must be a list, not {describe(rows)}"])
        items = tuple(cast("Iterable[Any]", rows))
        wrong = [describe(x) for x in items if not isinstance(x, kind)]
        if wrong:
            raise InvalidDefinition(
                "lifecycle", [f"{what} must hold {kind.__name__} values, not {w}" for w in wrong]
            )
        return items

    return convert


def _tuple_of_transitions(rows: object) -> tuple[Transition, ...]:
    return _as_tuple(Transition, "transitions")(rows)


def _tuple_of_names(names: object) -> tuple[str, ...]:
    return _as_tuple(str, "states")(names)


def _frozenset_of_names(names: object) -> frozenset[str]:
    return frozenset(_as_tuple(str, "final states")(names))


def _guards(guards: object) -> FrozenMapping[str, Guard]:
    if guards is None:
        return FrozenMapping()
    if not isinstance(guards, Mapping):
        raise InvalidDefinition("lifecycle", [f"guards must be a mapping, not {describe(guards)}"])
    return FrozenMapping(guards)


@attrs.frozen(kw_only=True, eq=False)
class Lifecycle:
    """A lifecycle declared as data: states, transitions with named guards, initial and finals.

    ``guards`` maps each guard's name to a `Guard`; it is kept as a read-only mapping,
    so nobody can swap or drop a guard of a lifecycle after it is declared.

    Raises:
        InvalidDefinition: when declared inconsistently — an unknown state or guard,
            a transition out of a final state, two transitions for one state and
            event, a state that cannot be reached, a non-final state with no way
            out, a guard never used, or a name that is not an identifier.

    Examples:
        >>> toy = Lifecycle(
        ...     name="toy",
        ...     states=("draft", "live", "retired"),
        ...     initial="draft",
        ...     finals=("retired",),
        ...     transitions=(
        ...         Transition(source="draft", event="publish", target="live"),
        ...         Transition(source="live", event="retire", target="retired"),
        ...     ),
        ... )
        >>> toy.allowed_events("draft")
        ('publish',)
    """

    name: str
    states: tuple[str, ...] = attrs.field(converter=_tuple_of_names)
    initial: str
    finals: frozenset[str] = attrs.field(converter=_frozenset_of_names)
    transitions: tuple[Transition, ...] = attrs.field(converter=_tuple_of_transitions)
    guards: Mapping[str, Guard] = attrs.field(factory=FrozenMapping, converter=_guards)
    _index: Mapping[tuple[str, str], Transition] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = _definition_problems(self)
        if problems:
            raise InvalidDefinition(f"lifecycle {self.name!r}", problems)
        index: FrozenMapping[tuple[str, str], Transition] = FrozenMapping(
            {(t.source, t.event): t for t in self.transitions}
        )
        object.__setattr__(self, "_index", index)

    @property
    def events(self) -> tuple[str, ...]:
        """Every event of the lifecycle, in the order first declared."""
        return tuple(dict.fromkeys(t.event for t in self.transitions))

    def allowed_events(self, state: str) -> tuple[str, ...]:
        """The events with a transition out of ``state`` (their guards may still refuse)."""
        return tuple(t.event for t in self.transitions if t.source == state)

    def transition(self, state: str, event: str) -> Transition | None:
        """The transition ``event`` takes out of ``state``, or ``None``."""
        key: tuple[object, object] = (state, event)
        if not all(isinstance(name, str) for name in key):  # an unhashable event, say
            return None
        return self._index.get(cast("tuple[str, str]", key))

    def table(self) -> tuple[Transition, ...]:
        """The transition table, in declaration order."""
        return self.transitions

    def to_records(self) -> list[dict[str, str | None]]:
        """The transition table as one dict per row (for tables and DataFrames)."""
        return [attrs.asdict(t) for t in self.transitions]

    def begin(
        self,
        *,
        id: str | None = None,  # noqa: A002 - the instance's id, as the record's field
        context: Mapping[str, Any] | None = None,
        origin: str | None = None,
        keyed: bool = False,
    ) -> LifecycleInstance:
        """A new instance with an empty history, in the initial state or in ``origin``.

        ``id`` names the instance: its trail's genesis binds the lifecycle's name and
        this id, so entries cannot be moved to another instance. Give the id of the
        record that holds the instance (a service's, a complaint's); without one, a
        random id (a UUID's 32 hexadecimal digits) is drawn. ``context`` is a small
        mapping of JSON values the instance keeps and persists for its guards to read
        (the agreement an exit procedure runs under, say). ``origin`` is for a record
        whose earlier history was never recorded (a service that was live before
        anyone kept its events, or a version-1 document that stored only its state):
        the instance starts there, and its history records what happens from then
        on. Nothing is invented for the time before. ``keyed`` makes the trail an
        HMAC-SHA-256 chain: every `LifecycleInstance.apply` then takes the key, which
        the instance never holds.

        Raises:
            ValidationError: ``id`` is not an id, ``context`` is not a mapping of
                JSON values, or ``origin`` is not a state of the lifecycle (at
                ``$.origin``).
        """
        chosen = uuid.uuid4().hex if id is None else id
        return self.resume((), id=chosen, context=context, origin=origin, keyed=keyed)

    def resume(
        self,
        history: Iterable[HistoryEntry],
        *,
        id: str,  # noqa: A002 - the instance's id, as the record's field
        context: Mapping[str, Any] | None = None,
        origin: str | None = None,
        keyed: bool = False,
        key: bytes | None = None,
    ) -> LifecycleInstance:
        """The instance a stored history leads to, replayed entry by entry through the guards.

        This is how a persisted instance is read back: its history (a list of
        `HistoryEntry`, as `cloudsms.serialization` reads them), its ``id`` and its
        ``context`` are replayed from the initial state (or from ``origin``, where a
        record's history begins later: see `begin`), each entry checked as
        `LifecycleInstance.apply` checked it (transition, time order, guard) and its
        hash checked against the chain from the genesis; the current state is where
        it ends. A keyed trail (``keyed=True``) is checked with ``key``; without the
        key its hashes cannot be checked, so they are kept as stored and only the
        key's holder can confirm them (`verify`).

        Raises:
            ValidationError: ``id`` is not an id, ``origin`` is not a state of the
                lifecycle, a key is given for an unkeyed trail (or is too short), or
                an entry does not follow from the one before (wrong source, no such
                transition, wrong target, time running backwards, a hash that does
                not follow) or its guard refuses it; each problem names the entry,
                as in ``$.history[3]``. Nothing is built. The key is never shown.
            InvalidDefinition: a guard returns something other than ``None``,
                ``True``, ``False`` or text.
        """
        return self._replayed(history, id, context, origin, keyed, key, sealed=True)

    def adopt(
        self,
        history: Iterable[HistoryEntry],
        *,
        id: str,  # noqa: A002 - the instance's id, as the record's field
        context: Mapping[str, Any] | None = None,
        origin: str | None = None,
        keyed: bool = False,
        key: bytes | None = None,
    ) -> LifecycleInstance:
        """An instance from a history recorded without a chain, replayed and then sealed.

        For histories kept before the trail existed (cloudsms documents of schema
        version 2) or by another tool: every entry is replayed as `resume` replays
        it, and the chain is computed for it from the genesis; a hash an entry
        carries is ignored. What the chain proves from then on is that nothing
        changed *after* the adoption. A ``keyed`` trail needs its ``key`` here.

        Raises:
            ValidationError: as `resume`, except for hashes; a keyed trail without
                its key.
        """
        return self._replayed(history, id, context, origin, keyed, key, sealed=False)

    def _replayed(  # noqa: PLR0917 - resume's and adopt's arguments
        self,
        history: Iterable[HistoryEntry],
        instance_id: object,
        context: Mapping[str, Any] | None,
        origin: str | None,
        keyed: object,
        key: object,
        *,
        sealed: bool,
    ) -> LifecycleInstance:
        context_json, problems = _mapping_json(context, "context")
        problems += _origin_problems(self, origin)
        problems += _id_problems(instance_id, keyed)
        if key is not None or (keyed and not sealed):
            problems += key_problems(key, keyed=bool(keyed))
        entries: object = history
        if isinstance(history, str | bytes | Mapping) or not hasattr(history, "__iter__"):
            problems.append(Problem("$.history", "a list of HistoryEntry", describe(history)))
        else:
            entries = Trail(history)
        if problems:
            raise ValidationError(problems, subject="LifecycleInstance")
        normal = None if origin == self.initial else origin
        start = genesis(self.name, cast("str", instance_id), normal, context_json)
        checked = cast("Trail", entries)
        if not sealed and all(isinstance(entry, HistoryEntry) for entry in checked):
            checked = _sealed(checked, start, cast("bytes | None", key))
        problems = _replay_problems(
            self,
            None,
            checked,
            context_json,
            "$.history",
            origin=origin,
            chain=(start, cast("bytes | None", key), not keyed or key is not None),
            identity=(cast("str", instance_id), bool(keyed)),
        )
        if problems:
            raise ValidationError(problems, subject="LifecycleInstance")
        return _trusted(
            LifecycleInstance,
            lifecycle=self,
            state=checked[-1].target if checked else (origin or self.initial),
            _trail=checked,
            context_json=context_json,
            origin=normal,
            id=instance_id,
            keyed=bool(keyed),
            genesis=start,
        )

    def instance_problems(self, value: object, path: str = "$.lifecycle") -> list[Problem]:
        """``[]`` when ``value`` is an instance of this lifecycle, else the problem at ``path``.

        The check a record with a lifecycle makes of the instance it holds (a
        `CloudService` of `SERVICE_LIFECYCLE`, a `Complaint` of
        `COMPLAINT_LIFECYCLE`), so an instance of another lifecycle is refused
        when the record is built.
        """
        if isinstance(value, LifecycleInstance):
            if value.lifecycle is self or value.lifecycle == self:
                return []
            got = f"an instance of {value.lifecycle.name!r}"
        else:
            got = describe(value)
        return [Problem(path, f"an instance of the {self.name!r} lifecycle", got)]

    def to_mermaid(self, current: str | None = None) -> str:
        """A Mermaid ``stateDiagram-v2`` of the lifecycle, with ``current`` marked.

        Examples:
            >>> print(
            ...     Lifecycle(
            ...         name="t",
            ...         states=("a", "b"),
            ...         initial="a",
            ...         finals=("b",),
            ...         transitions=(Transition(source="a", event="go", target="b"),),
            ...     ).to_mermaid("a")
            ... )
            stateDiagram-v2
                [*] --> a
                a --> b : go
                b --> [*]
                classDef current font-weight:bold,stroke-width:3px
                class a current
        """
        if current is not None and current not in self.states:
            raise ValidationError.single(
                "$.current", "a state of the lifecycle", describe(current), subject="diagram"
            )
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for t in self.transitions:
            label = f"{t.event} [{t.guard}]" if t.guard else t.event
            lines.append(f"    {t.source} --> {t.target} : {label}")
        lines.extend(f"    {state} --> [*]" for state in self.states if state in self.finals)
        if current is not None:
            lines += [
                "    classDef current font-weight:bold,stroke-width:3px",
                f"    class {current} current",
            ]
        return "\n".join(lines)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Lifecycle):
            return NotImplemented
        return (self.name, self.states, self.initial, self.finals, self.transitions) == (
            other.name,
            other.states,
            other.initial,
            other.finals,
            other.transitions,
        ) and dict(self.guards) == dict(other.guards)

    def __hash__(self) -> int:
        return hash((self.name, self.states, self.initial, self.finals, self.transitions))


def _definition_problems(lc: Lifecycle) -> list[str]:
    named: tuple[tuple[str, object], ...] = (("name", lc.name), ("initial", lc.initial))
    not_text = [
        f"{what} must be text, not {describe(value)}"
        for what, value in named
        if not isinstance(value, str)
    ]
    if not_text:
        return not_text
    problems: list[str] = []
    states = set(lc.states)
    names: list[object] = [lc.name, *lc.states, *(t.event for t in lc.transitions), *lc.guards]
    problems += [
        f"{n!r} is not an identifier"
        for n in dict.fromkeys(names)
        if not isinstance(n, str) or not _NAME.fullmatch(n)
    ]
    if len(states) != len(lc.states):
        problems.append("a state is declared twice")
    if lc.initial not in states:
        problems.append(f"initial state {lc.initial!r} is not a declared state")
    problems += [f"final state {f!r} is not a declared state" for f in sorted(lc.finals - states)]
    seen: set[tuple[str, str]] = set()
    for t in lc.transitions:
        row = f"{t.source} --{t.event}--> {t.target}"
        problems += [
            f"{row}: unknown state {s!r}" for s in (t.source, t.target) if s not in states
        ]
        if t.source in lc.finals:
            problems.append(f"{row}: leaves the final state {t.source!r}")
        if t.guard is not None and t.guard not in lc.guards:
            problems.append(f"{row}: unknown guard {t.guard!r}")
        if (t.source, t.event) in seen:
            problems.append(f"{row}: a second transition for {t.event!r} out of {t.source!r}")
        seen.add((t.source, t.event))
    reachable = _reachable(lc.initial, lc.transitions)
    problems += [
        f"state {s!r} is unreachable from {lc.initial!r}" for s in lc.states if s not in reachable
    ]
    exits = {t.source for t in lc.transitions}
    problems += [
        f"state {s!r} is not final and has no way out"
        for s in lc.states
        if s not in lc.finals and s not in exits
    ]
    used = {t.guard for t in lc.transitions}
    problems += [f"guard {g!r} is never used" for g in lc.guards if g not in used]
    guards: dict[str, object] = dict(lc.guards)
    problems += [f"guard {g!r} is not callable" for g, f in guards.items() if not callable(f)]
    if not lc.finals:
        problems.append("no final state is declared")
    else:
        stuck = [
            s
            for s in lc.states
            if s in reachable and not _reachable(s, lc.transitions) & set(lc.finals)
        ]
        problems += [f"state {s!r} can never reach a final state" for s in stuck]
    return problems


def _reachable(initial: str, transitions: Sequence[Transition]) -> set[str]:
    reached, frontier = {initial}, [initial]
    while frontier:
        state = frontier.pop()
        for t in transitions:
            if t.source == state and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    return reached


def _verdict(
    lifecycle: Lifecycle, name: str, instance: LifecycleInstance, attempt: Attempt
) -> str | None:
    """Run the guard ``name``: ``None`` when it allows the attempt, else the reason it refuses.

    The one place a guard's result is read, for live events and replayed histories alike.
    """
    result: object = lifecycle.guards[name](instance, attempt)
    if result is None or result is True:
        return None
    if result is False or (isinstance(result, str) and not result.strip()):
        return f"refused by guard {name!r}"
    if isinstance(result, str):
        return result
    raise InvalidDefinition(
        f"lifecycle {lifecycle.name!r}",
        [
            (
                f"guard {name!r} returned {describe(result)}: a guard returns None or True "
                "to allow an event, a reason (text) or False to refuse it"
            )
        ],
    )


@attrs.frozen(kw_only=True, repr=False)
class LifecycleInstance:
    """Where one thing stands in a lifecycle, how it got there, and the context it runs in.

    Changes only through `apply`, which returns a new instance; this one never changes.
    ``id`` names the instance (the id of the record holding it, or a random one: see
    `Lifecycle.begin`). ``entries`` is its history, a `Trail`: every entry carries a
    hash that chains it to the one before, from a genesis that binds the lifecycle's
    name, the id, the origin and the context (`head` is the latest hash; `verify`
    checks the chain). ``keyed`` says the chain is HMAC-SHA-256 under a key the
    instance never holds. ``context_json`` is the canonical JSON text of the
    instance's persisted context (`context`), set by `Lifecycle.begin` or
    `Lifecycle.resume` and read by guards. ``origin`` is the state the recorded
    history begins in when that is not the initial state (see `Lifecycle.begin`);
    ``None`` means the initial state, and an ``origin`` equal to the initial state is
    kept as ``None``, so the two spellings are one value. Built directly, the history
    is replayed through the guards and its chain checked, as `Lifecycle.resume` does.

    Raises:
        ValidationError: ``origin`` is not a state of the lifecycle, the history
            does not replay from the origin to ``state`` or its chain does not hold
            (problems at ``$.entries[i]``), or the context is not canonical JSON.
    """

    lifecycle: Lifecycle
    state: str
    _trail: Trail = attrs.field(alias="entries", factory=Trail, converter=_as_trail)
    context_json: str = "{}"
    origin: str | None = None
    id: str = attrs.field(factory=lambda: uuid.uuid4().hex)
    keyed: bool = False
    genesis: str = attrs.field(init=False, eq=False, default="")

    def __attrs_post_init__(self) -> None:
        lifecycle: object = self.lifecycle
        if not isinstance(lifecycle, Lifecycle):
            problems = [Problem("$.lifecycle", "a Lifecycle", describe(lifecycle))]
        else:
            problems = _json_text_problems(self.context_json, "context")
            problems += _origin_problems(lifecycle, self.origin)
            problems += _id_problems(self.id, self.keyed)
            if not problems:
                normal = None if self.origin == lifecycle.initial else self.origin
                start = genesis(lifecycle.name, self.id, normal, self.context_json)
                object.__setattr__(self, "genesis", start)
                problems = _replay_problems(
                    lifecycle,
                    self.state,
                    self._trail,
                    self.context_json,
                    "$.entries",
                    origin=self.origin,
                    chain=(start, None, not self.keyed),
                    identity=(self.id, self.keyed),
                )
        if problems:
            raise ValidationError(problems, subject="LifecycleInstance")
        if self.origin == self.lifecycle.initial:  # one spelling of "from the initial state"
            object.__setattr__(self, "origin", None)

    def __repr__(self) -> str:
        return (
            f"LifecycleInstance(lifecycle={self.lifecycle.name!r}, id={self.id!r}, "
            f"state={self.state!r}, entries={len(self._trail)}, head={self.head[:12]!r})"
        )

    @property
    def entries(self) -> Trail:
        """The history, oldest first: an immutable sequence of `HistoryEntry`."""
        return self._trail

    @property
    def head(self) -> str:
        """The trail's latest hash (hex): the last entry's, or the genesis while empty.

        Store it elsewhere (a ticket, a signed report) to detect later that entries
        were removed from the end: `verify` with ``expected_head``.
        """
        return self._trail[-1].hash if self._trail else self.genesis

    @property
    def start(self) -> str:
        """The state the recorded history begins in: ``origin``, else the initial state."""
        return self.lifecycle.initial if self.origin is None else self.origin

    @property
    def context(self) -> Mapping[str, Any]:
        """The persisted context, a read-only mapping of JSON values built afresh on each read."""
        return _frozen_json(self.context_json)

    def history(self) -> tuple[HistoryEntry, ...]:
        """Every event applied so far, oldest first, as a tuple (a copy of `entries`)."""
        return tuple(self._trail)

    @property
    def is_final(self) -> bool:
        """Whether the instance has reached a final state."""
        return self.state in self.lifecycle.finals

    def allowed_events(self) -> tuple[str, ...]:
        """The events with a transition out of the current state."""
        return self.lifecycle.allowed_events(self.state)

    def refusal(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
    ) -> str | None:
        """Why `apply` would refuse ``event`` now (``None`` when it would apply it).

        Takes what `apply` takes, so the guard sees the same `Attempt`.

        Raises:
            ValidationError: as `apply` does, for a bad ``who``, ``when`` or ``data``.
        """
        transition, attempt = self._attempt(event, who, when, data)
        if transition is None:
            allowed = ", ".join(self.allowed_events()) or "none"
            return f"no transition for {event!r} out of {self.state!r} (allowed: {allowed})"
        if transition.guard is None:
            return None
        return _verdict(self.lifecycle, transition.guard, self, attempt)

    def apply(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
        key: bytes | None = None,
    ) -> LifecycleInstance:
        """Apply ``event`` and return the new instance, its history one entry longer.

        ``who`` is a pseudonymous actor id (`ACTOR_ID`). ``data`` must be JSON-like
        (strings, integers, booleans, null, lists and string-keyed objects; decimals
        as strings) so the entry stays canonical. The transition's guard, if any, is
        called with this instance and the `Attempt`. The new entry's hash links it to
        the head; a keyed trail takes its ``key`` (checked against the last entry),
        which is used and forgotten. Only the new entry is checked, so applying an
        event costs the same whatever the history's length.

        Raises:
            InvalidTransition: the event has no transition out of the current state,
                or its guard refuses it (``reason`` says why). Nothing changes.
            ValidationError: ``who`` is not an actor id, ``when`` is naive, outside
                the supported range or earlier than the last entry, ``data`` is not
                JSON-like, or the key is missing, wrong or not expected (never
                shown). Nothing changes.
            InvalidDefinition: the guard returned something other than ``None``,
                ``True``, ``False`` or text.
        """
        transition, attempt = self._attempt(event, who, when, data)
        secret = self._key(key)
        if transition is None:
            raise InvalidTransition(
                self.state,
                event,
                allowed=self.allowed_events(),
                subject=f"lifecycle {self.lifecycle.name!r}",
            )
        if transition.guard is not None:
            reason = _verdict(self.lifecycle, transition.guard, self, attempt)
            if reason is not None:
                raise InvalidTransition(
                    self.state,
                    event,
                    reason=reason,
                    allowed=self.allowed_events(),
                    subject=f"lifecycle {self.lifecycle.name!r}",
                )
        # The hot path: built field by field from values just checked (as `_trusted`
        # does, without its keyword dict), the new entry then the new instance.
        data_json = attempt.data_json
        source, target = self.state, transition.target
        entry = _NEW(HistoryEntry)
        _SET(entry, "who", who)
        _SET(entry, "when", when)
        _SET(entry, "event", event)
        _SET(entry, "source", source)
        _SET(entry, "target", target)
        _SET(entry, "data_json", data_json)
        canonical = entry_bytes(who, when, event, source, target, data_json)
        _SET(entry, "hash", link(self.head, canonical, secret))
        made = _NEW(LifecycleInstance)
        _SET(made, "lifecycle", self.lifecycle)
        _SET(made, "state", target)
        _SET(made, "_trail", self._trail.appended(entry))
        _SET(made, "context_json", self.context_json)
        _SET(made, "origin", self.origin)
        _SET(made, "id", self.id)
        _SET(made, "keyed", self.keyed)
        _SET(made, "genesis", self.genesis)
        return made

    def _key(self, key: object) -> bytes | None:
        """The key for the next link: checked against the last entry in a keyed trail."""
        if key is None and not self.keyed:  # a plain chain, as nearly every trail is
            return None
        secret = checked_key(key, keyed=self.keyed, subject="event")
        if secret is None or not self._trail:
            return secret
        last = self._trail[-1]
        before = self._trail[-2].hash if len(self._trail) > 1 else self.genesis
        if first_break(before, (last,), secret) is not None:
            raise ValidationError.single(
                "$.key",
                "the key this trail was written with",
                "a key under which the last entry's hash does not follow (not shown)",
                subject="event",
            )
        return secret

    def _attempt(
        self, event: object, who: object, when: object, data: object
    ) -> tuple[Transition | None, Attempt]:
        """Check an event's who, when and data; its transition (if any) and its `Attempt`."""
        if type(event) is str and event.strip():  # the usual case, without the dict
            problems: list[Problem] = []
        else:
            problems = _text_problems({"event": event}, "an event name (text)")
        problems += _actor_problems(who)
        last = self._trail[-1].when if self._trail else None
        if last is not None and when is last:
            # The very instant object of the last entry (a batch of steps recorded at
            # one instant): a datetime never changes, and that one was checked.
            when_problems: list[Problem] = []
        else:
            when_problems = _instant_problems(when, "$.when")
        if not when_problems and last is not None and when is not last:
            instant = cast("dt.datetime", when)
            if instant.astimezone(dt.UTC) < last.astimezone(dt.UTC):
                when_problems.append(
                    Problem(
                        "$.when",
                        f"an instant not before the last entry ({last.isoformat()})",
                        instant.isoformat(),
                    )
                )
        data_json, data_problems = _mapping_json(data, "data")
        problems += when_problems + data_problems
        if problems:
            raise ValidationError(problems, subject="event")
        attempt = _NEW(Attempt)
        _SET(attempt, "event", event)
        _SET(attempt, "who", who)
        _SET(attempt, "when", when)
        _SET(attempt, "data_json", data_json)
        _SET(attempt, "context_json", self.context_json)
        return self.lifecycle.transition(self.state, cast("str", event)), attempt

    def to_mermaid(self) -> str:
        """The lifecycle's diagram with the current state marked."""
        return self.lifecycle.to_mermaid(current=self.state)


def advance(
    record: _R,
    event: str,
    *,
    who: str,
    when: dt.datetime,
    data: Mapping[str, Any] | None = None,
    key: bytes | None = None,
) -> _R:
    """A new ``record`` whose lifecycle has taken ``event``: the one way a record's state moves.

    ``record`` is any attrs record with a ``lifecycle`` field holding a
    `LifecycleInstance`: a `cloudsms.services.CloudService`, a
    `cloudsms.parties.Complaint`, or a record of your own. The new record's
    ``lifecycle`` is ``record.lifecycle.apply(event, who=who, when=when,
    data=data, key=key)`` (``key`` for a keyed trail) and every other field is as it
    was; ``record`` never changes. The state a record shows
    (``CloudService.lifecycle_state``, ``Complaint.state``) is read from that
    instance, so it cannot drift from the history. Serves the
    lifecycles of S05 and S06 (ISO/IEC 20000-1:2011 4.3.3, control of records).

    Raises:
        InvalidTransition: the event is not allowed now, or its guard refuses it,
            exactly as `LifecycleInstance.apply` raises it.
        ValidationError: ``who``, ``when`` or ``data`` is refused, as `apply`
            refuses them; the record's own checks refuse the new instance (a
            complaint handled before it was received); or ``record`` holds no
            `LifecycleInstance` in a ``lifecycle`` field (at ``$.record``).
        InvalidDefinition: a guard answers something other than ``None``, ``True``,
            ``False`` or text.

    In every case nothing is built and ``record`` is as it was.

    Examples:
        >>> import datetime as dt
        >>> import attrs
        >>> toy = Lifecycle(
        ...     name="ticket",
        ...     states=("open", "done"),
        ...     initial="open",
        ...     finals=("done",),
        ...     transitions=(Transition(source="open", event="finish", target="done"),),
        ... )
        >>> @attrs.frozen(kw_only=True)
        ... class Ticket:
        ...     title: str
        ...     lifecycle: LifecycleInstance = attrs.field(factory=toy.begin)
        >>> ticket = Ticket(title="Renew the certificate")
        >>> done = advance(
        ...     ticket, "finish", who="actor:ops", when=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        ... )
        >>> done.lifecycle.state, ticket.lifecycle.state
        ('done', 'open')
    """
    instance = _held_instance(record)
    moved = instance.apply(event, who=who, when=when, data=data, key=key)
    return cast("_R", attrs.evolve(cast("Any", record), lifecycle=moved))


def verify(
    instance: LifecycleInstance,
    *,
    expected_head: str | None = None,
    key: bytes | None = None,
) -> ChainBreak | None:
    """The first place ``instance``'s trail stops being verifiable, or ``None`` when it holds.

    The chain is recomputed from the genesis (the lifecycle's name, the instance's
    id, origin and context) through every entry: an entry edited, removed,
    reordered, inserted or moved from another instance breaks it at the first
    entry whose hash no longer follows. Removing entries from the *end* leaves a
    shorter chain that holds; it is detected only against ``expected_head``, a head
    (`LifecycleInstance.head`) stored elsewhere earlier: the trail must reach it
    (it may have grown since). A keyed trail is checked with its ``key``; a wrong
    key breaks it at entry 0. Costs one hash per entry. Serves every lifecycle's
    audit (ISO/IEC 20000-1:2011 4.3.3 and 4.5.4.2).

    Raises:
        ValidationError: ``instance`` is not a `LifecycleInstance`, ``expected_head``
            is not 64 hexadecimal digits, or the key is missing for a keyed trail,
            given for an unkeyed one, or shorter than 16 bytes (never shown).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.parties import COMPLAINT_LIFECYCLE
        >>> handled = COMPLAINT_LIFECYCLE.begin(id="c-1").apply(
        ...     "handle",
        ...     who="actor:desk-1",
        ...     when=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
        ...     data={"response": "Refunded the fee"},
        ... )
        >>> verify(handled) is None, verify(handled, expected_head=handled.head) is None
        (True, True)
    """
    given: object = instance
    if not isinstance(given, LifecycleInstance):
        raise ValidationError.single(
            "$.instance", "a LifecycleInstance", describe(given), subject="trail"
        )
    problems: list[Problem] = []
    head: object = expected_head
    if head is not None and (not isinstance(head, str) or not HASH.fullmatch(head.lower())):
        got = describe(head, sensitive=True)  # a key passed by mistake is not shown
        problems.append(Problem("$.expected_head", "64 hexadecimal digits", got))
    problems += key_problems(key, keyed=instance.keyed)
    if problems:
        raise ValidationError(problems, subject="trail")
    secret = None if key is None else bytes(key)
    start = genesis(instance.lifecycle.name, instance.id, instance.origin, instance.context_json)
    broken = first_break(start, instance.entries, secret)
    if broken is not None or expected_head is None:
        return broken
    hashes = [entry.hash for entry in instance.entries]
    last = hashes[-1] if hashes else start
    return head_break(last, hashes, expected_head.lower(), start)


def _held_instance(record: object) -> LifecycleInstance:
    """The `LifecycleInstance` in ``record``'s ``lifecycle`` field, or a ValidationError."""
    kind = type(record)
    field = attrs.fields_dict(kind).get("lifecycle") if attrs.has(kind) else None
    instance = getattr(record, "lifecycle", None) if field is not None and field.init else None
    if not isinstance(instance, LifecycleInstance):
        raise ValidationError.single(
            "$.record",
            "an attrs record with a 'lifecycle' field holding a LifecycleInstance",
            describe(record),
            subject="record to advance",
        )
    return instance


# ---------------------------------------------------------------------- the registry
_BUILT_IN: Mapping[str, str] = FrozenMapping(
    {
        "cloud_service": "cloudsms.services:SERVICE_LIFECYCLE",
        "complaint": "cloudsms.parties.complaints:COMPLAINT_LIFECYCLE",
        "incident": "cloudsms.operations.incidents:INCIDENT_LIFECYCLE",
        "service_request": "cloudsms.operations.requests:SERVICE_REQUEST_LIFECYCLE",
        "problem": "cloudsms.operations.problems:PROBLEM_LIFECYCLE",
        "change": "cloudsms.operations.changes:CHANGE_LIFECYCLE",
        "release": "cloudsms.operations.releases:RELEASE_LIFECYCLE",
        "exit_procedure": "cloudsms.procedures.termination:EXIT_LIFECYCLE",
        "onboarding": "cloudsms.procedures.onboarding:ONBOARDING_LIFECYCLE",
        "transfer": "cloudsms.procedures.transfer:TRANSFER_LIFECYCLE",
        "service_removal": "cloudsms.procedures.removal:REMOVAL_LIFECYCLE",
        "improvement": "cloudsms.improvement.improvement:IMPROVEMENT_LIFECYCLE",
    }
)
"""The lifecycles cloudsms declares, by name, each at the dotted path of its declaration."""

_REGISTERED: dict[str, str] = dict(_BUILT_IN)
_RESOLVED: dict[str, Lifecycle] = {}
_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def register_lifecycle(name: str, path: str) -> None:
    """Make the lifecycle declared at ``path`` known by ``name``, so its instances can be read.

    ``path`` is ``"package.module:NAME"``, the module and the attribute that holds
    the `Lifecycle`, whose own ``name`` must be ``name``. Nothing is imported now:
    the path is resolved the first time the name is looked up (`lifecycle_named`),
    so the converter, which reads a stored instance by the name it carries, never
    imports the modules that declare lifecycles until a document needs one, and a
    module may register its own lifecycle while it is being imported. Registering
    a name again with the same path changes nothing.

    Raises:
        InvalidDefinition: ``name`` is not an identifier, ``path`` is not of the
            form ``"module:attribute"``, or ``name`` is already registered with
            another path (the lifecycles cloudsms ships included).

    Examples:
        >>> register_lifecycle("cloud_service", "cloudsms.services:SERVICE_LIFECYCLE")
        >>> register_lifecycle("cloud_service", "mine:SERVICE")
        Traceback (most recent call last):
        ...
        cloudsms.errors.InvalidDefinition: lifecycle 'cloud_service' is declared inconsistently:
          - it is registered as 'cloudsms.services:SERVICE_LIFECYCLE', not 'mine:SERVICE'
    """
    given: tuple[object, object] = (name, path)
    faults: list[str] = []
    if not isinstance(given[0], str) or not _NAME.fullmatch(given[0]):
        faults.append(f"the name must be an identifier, not {describe(name)}")
    if not isinstance(given[1], str) or not _PATH.fullmatch(given[1]):
        faults.append(f"the path must be 'package.module:NAME', not {describe(path)}")
    subject = f"lifecycle {name!r}"
    if faults:
        raise InvalidDefinition(subject, faults)
    known = _REGISTERED.setdefault(name, path)
    if known != path:
        raise InvalidDefinition(subject, [f"it is registered as {known!r}, not {path!r}"])


def lifecycle_named(name: str) -> Lifecycle:
    """The registered lifecycle called ``name``, imported from its path on first use.

    Raises:
        UnknownReference: no lifecycle of that name is registered (close names
            suggested).
        InvalidDefinition: its path names no module or attribute, or what it names
            is not a `Lifecycle` called ``name``.

    Examples:
        >>> lifecycle_named("complaint").states
        ('received', 'handled', 'closed')
        >>> lifecycle_named("complain")
        Traceback (most recent call last):
        ...
        cloudsms.errors.UnknownReference: unknown lifecycle 'complain'; did you mean complaint?
    """
    key: object = name
    found = _RESOLVED.get(name) if isinstance(key, str) else None
    if found is not None:
        return found
    path = _REGISTERED.get(name) if isinstance(key, str) else None
    if path is None:
        raise UnknownReference("lifecycle", name, suggestions=suggest(name, _REGISTERED))
    resolved, fault = resolve(path)
    if isinstance(resolved, Lifecycle) and resolved.name == name:
        _RESOLVED[name] = resolved
        return resolved
    if fault is None:
        fault = (
            f"{path!r} is the lifecycle {resolved.name!r}, not {name!r}"
            if isinstance(resolved, Lifecycle)
            else f"{path!r} is {describe(resolved)}, not a Lifecycle"
        )
    raise InvalidDefinition(f"lifecycle {name!r}", [fault])


def registered_lifecycles() -> dict[str, str]:
    """Every registered lifecycle's name with its dotted path, sorted by name (a copy).

    Examples:
        >>> registered_lifecycles()["complaint"]
        'cloudsms.parties.complaints:COMPLAINT_LIFECYCLE'
    """
    return dict(sorted(_REGISTERED.items()))


def _origin_problems(lifecycle: Lifecycle, origin: object) -> list[Problem]:
    """``[]`` for ``None`` or a state of ``lifecycle``: where a recorded history may begin."""
    if origin is None or (isinstance(origin, str) and origin in lifecycle.states):
        return []
    expected = f"a state of the {lifecycle.name!r} lifecycle or null"
    return [Problem("$.origin", expected, describe(origin))]


def _id_problems(instance_id: object, keyed: object) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(instance_id, str) or not _ID.fullmatch(instance_id):
        expected = "an id: a letter or digit, then letters, digits, '.', '_', ':' or '-'"
        problems.append(Problem("$.id", expected, describe(instance_id)))
    if not isinstance(keyed, bool):
        problems.append(Problem("$.keyed", "true or false", describe(keyed)))
    return problems


def _sealed(trail: Trail, start: str, key: bytes | None) -> Trail:
    """The entries of ``trail`` with their hashes computed from ``start`` (for `adopt`)."""
    sealed: list[HistoryEntry] = []
    previous = start
    for entry in trail:
        previous = link(previous, entry.canonical(), key)
        sealed.append(
            _trusted(
                HistoryEntry,
                who=entry.who,
                when=entry.when,
                event=entry.event,
                source=entry.source,
                target=entry.target,
                data_json=entry.data_json,
                hash=previous,
            )
        )
    return Trail(sealed)


def _replay_problems(  # noqa: C901 - an instance's parts and its chain
    lifecycle: Lifecycle,
    state: object,
    entries: object,
    context_json: str,
    prefix: str,
    *,
    origin: str | None = None,
    chain: tuple[str, bytes | None, bool] | None = None,
    identity: tuple[str, bool] = ("replay", False),
) -> list[Problem]:
    """Problems of a history that does not replay from its origin, as `apply` would.

    The origin is ``origin``, or the initial state when that is ``None``.

    Each entry must leave the state the one before reached, by a transition of the
    lifecycle, no earlier than the entry before (by the UTC instant), and with its
    guard allowing it; guards run only while the history so far is sound. ``state``,
    unless ``None``, must be where the history leads. ``chain`` is the genesis, the
    key and whether to check the hashes: the first entry whose hash does not follow
    is reported at ``<prefix>[i].hash``.
    """
    if not isinstance(entries, Trail):
        return [Problem(prefix, "a list of HistoryEntry", describe(entries))]
    given: list[object] = list(entries)
    wrong = [
        Problem(f"{prefix}[{index}]", "a HistoryEntry", describe(entry))
        for index, entry in enumerate(given)
        if not isinstance(entry, HistoryEntry)
    ]
    if wrong:
        return wrong
    checked = entries
    problems: list[Problem] = []
    if chain is not None and not chain[2]:  # unconfirmed (keyed, no key): still well formed
        problems += [
            Problem(f"{prefix}[{index}].hash", "a hash: 64 hexadecimal digits", "none")
            for index, entry in enumerate(checked)
            if not entry.hash
        ]
    if chain is not None and chain[2]:
        broken = first_break(chain[0], checked, chain[1])
        if broken is not None:
            problems.append(
                Problem(f"{prefix}[{broken.index}].hash", "a hash that follows", broken.problem)
            )
    current = lifecycle.initial if origin is None else origin
    previous: dt.datetime | None = None
    items = cast("list[HistoryEntry]", given)
    for index, entry in enumerate(items):
        path = f"{prefix}[{index}]"
        instant = entry.when.astimezone(dt.UTC)
        if previous is not None and instant < previous:
            problems.append(
                Problem(
                    f"{path}.when",
                    "an instant not before the entry before",
                    entry.when.isoformat(),
                )
            )
        previous = instant
        transition = lifecycle.transition(current, entry.event)
        if entry.source != current:
            problems.append(Problem(f"{path}.source", repr(current), describe(entry.source)))
        elif transition is None or transition.target != entry.target:
            problems.append(
                Problem(
                    path,
                    f"an event {lifecycle.name!r} allows out of {current!r}",
                    f"{entry.event!r} to {entry.target!r}",
                )
            )
        elif transition.guard is not None and not problems:
            before = _trusted(
                LifecycleInstance,
                lifecycle=lifecycle,
                state=current,
                _trail=Trail._view(items, index),  # noqa: SLF001 - the module's own class
                context_json=context_json,
                origin=None if origin == lifecycle.initial else origin,
                id=identity[0],
                keyed=identity[1],
                genesis=chain[0] if chain is not None else "",
            )
            attempt = _trusted(
                Attempt,
                event=entry.event,
                who=entry.who,
                when=entry.when,
                data_json=entry.data_json,
                context_json=context_json,
            )
            reason = _verdict(lifecycle, transition.guard, before, attempt)
            if reason is not None:
                problems.append(
                    Problem(
                        path,
                        f"an event the guard {transition.guard!r} allows",
                        f"{entry.event!r}, refused: {reason}",
                    )
                )
        current = entry.target
    if state is not None and state != current:
        problems.append(
            Problem("$.state", f"{current!r}, where the history leads", describe(state))
        )
    return problems


def _json_problems(value: object, path: str, depth: int) -> list[Problem]:
    if depth > _MAX_DEPTH:
        return [Problem(path, f"at most {_MAX_DEPTH} levels of nesting", "more")]
    if isinstance(value, int) and not isinstance(value, bool) and not (-(2**63) <= value < 2**63):
        return [Problem(path, "an integer within 64 bits", "a larger integer")]
    if value is None or isinstance(value, str | bool | int):
        return []
    if isinstance(value, Mapping):
        found: list[Problem] = []
        for key, item in value.items():
            if not isinstance(key, str):
                found.append(Problem(path, "string keys", describe(key)))
            else:
                found += _json_problems(item, f"{path}.{key}", depth + 1)
        return found
    if isinstance(value, list | tuple):
        return [
            p
            for i, item in enumerate(value)
            for p in _json_problems(item, f"{path}[{i}]", depth + 1)
        ]
    return [
        Problem(
            path,
            "a JSON value (string, integer, boolean, null, list or object; decimals as strings)",
            describe(value),
        )
    ]
