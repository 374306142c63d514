"""The declarative state-machine core every lifecycle of cloudsms is built on.

A lifecycle is data: its states, its transitions (source, event, target and an
optional named guard), its initial and final states. A declaration that does not
hold together raises `InvalidDefinition` when it is declared, listing every fault.
A `LifecycleInstance` changes only by `LifecycleInstance.apply`, which returns a new
instance whose history holds one more `HistoryEntry`; an event that is not allowed,
or that a guard refuses, raises `InvalidTransition` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import attrs

from cloudsms.errors import InvalidDefinition, InvalidTransition, ValidationError, describe
from cloudsms.periods import aware

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["Guard", "HistoryEntry", "Lifecycle", "LifecycleInstance", "Transition"]

Guard = Callable[["LifecycleInstance", Mapping[str, Any]], str | None]
"""A named condition on an event: returns ``None`` to allow it, or the reason it refuses."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_DEPTH = 16


@attrs.frozen(kw_only=True)
class Transition:
    """One row of a lifecycle's transition table: ``event`` takes ``source`` to ``target``.

    ``guard`` names a guard of the lifecycle that must allow the event.
    """

    source: str
    event: str
    target: str
    guard: str | None = None


@attrs.frozen(kw_only=True)
class HistoryEntry:
    """One applied event: who applied it, when, from which state to which, with what data.

    ``data`` is kept as canonical JSON text (`data_json`) so an entry is immutable,
    hashable and serialises to the same bytes every time: the basis of a verifiable
    audit trail.
    """

    who: str
    when: dt.datetime
    event: str
    source: str
    target: str
    data_json: str = "{}"

    def __attrs_post_init__(self) -> None:
        from cloudsms.errors import Problem  # noqa: PLC0415

        problems: list[Problem] = []
        values: dict[str, object] = {
            "who": self.who,
            "event": self.event,
            "source": self.source,
            "target": self.target,
        }
        problems += [
            Problem(f"$.{name}", "a non-empty string", describe(value))
            for name, value in values.items()
            if not isinstance(value, str) or not value.strip()
        ]
        try:
            aware(self.when, "$.when")
        except ValidationError as exc:
            problems += exc.problems
        problems += _data_problems(self.data_json)
        if problems:
            raise ValidationError(problems, subject="history entry")

    @property
    def data(self) -> dict[str, Any]:
        """The event's data, as a fresh dict."""
        loaded: dict[str, Any] = json.loads(self.data_json)
        return loaded

    def canonical(self) -> bytes:
        """The entry as canonical JSON bytes (sorted keys, no spaces, UTC instant)."""
        record = {
            "who": self.who,
            "when": self.when.astimezone(dt.UTC).isoformat(),
            "event": self.event,
            "source": self.source,
            "target": self.target,
            "data": json.loads(self.data_json),
        }
        return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()


def _data_problems(data_json: object) -> list[Any]:
    """Problems of an entry's data: canonical JSON text of an object of JSON values."""
    from cloudsms.errors import Problem  # noqa: PLC0415

    if not isinstance(data_json, str):
        return [Problem("$.data_json", "canonical JSON text", describe(data_json))]
    try:
        data = json.loads(data_json, parse_float=_no_float, parse_constant=_no_float)
    except (ValueError, RecursionError):
        return [Problem("$.data", "a JSON object without floats", describe(data_json))]
    if not isinstance(data, dict):
        return [Problem("$.data", "a JSON object", describe(data))]
    problems = _json_problems(data, "$.data", 0)
    if not problems and json.dumps(data, sort_keys=True, separators=(",", ":")) != data_json:
        problems.append(
            Problem("$.data_json", "canonical JSON (sorted keys, no spaces)", describe(data_json))
        )
    return problems


def _no_float(text: str) -> object:
    raise ValueError(text)


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


def _guards(guards: object) -> dict[str, Guard]:
    if guards is None:
        return {}
    if not isinstance(guards, Mapping):
        raise InvalidDefinition("lifecycle", [f"guards must be a mapping, not {describe(guards)}"])
    return dict(guards)


@attrs.frozen(kw_only=True, eq=False)
class Lifecycle:
    """A lifecycle declared as data: states, transitions with named guards, initial and finals.

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
    guards: dict[str, Guard] = attrs.field(factory=dict, converter=_guards)
    _index: dict[tuple[str, str], Transition] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = _definition_problems(self)
        if problems:
            raise InvalidDefinition(f"lifecycle {self.name!r}", problems)
        index = {(t.source, t.event): t for t in self.transitions}
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
        return self._index.get((state, event))

    def table(self) -> tuple[Transition, ...]:
        """The transition table, in declaration order."""
        return self.transitions

    def to_records(self) -> list[dict[str, str | None]]:
        """The transition table as one dict per row (for tables and DataFrames)."""
        return [attrs.asdict(t) for t in self.transitions]

    def begin(self) -> LifecycleInstance:
        """A new instance in the initial state, with an empty history."""
        return LifecycleInstance(lifecycle=self, state=self.initial)

    def resume(self, history: Iterable[HistoryEntry]) -> LifecycleInstance:
        """The instance a stored history leads to, checked entry by entry.

        This is how a persisted instance is read back: its history (a list of
        `HistoryEntry`, as `cloudsms.serialization` reads them) is replayed from the
        initial state; the current state is where it ends. Guards are not re-run:
        they decided when the events were applied.

        Raises:
            ValidationError: an entry does not follow from the one before (wrong
                source, no such transition, wrong target, time running backwards).
        """
        entries = tuple(history)
        state = entries[-1].target if entries else self.initial
        return LifecycleInstance(lifecycle=self, state=state, entries=entries)

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
                "$.current", "a state of the lifecycle", describe(current)
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


@attrs.frozen(kw_only=True)
class LifecycleInstance:
    """Where one thing stands in a lifecycle, and how it got there.

    Changes only through `apply`, which returns a new instance; this one never changes.
    """

    lifecycle: Lifecycle
    state: str
    entries: tuple[HistoryEntry, ...] = ()

    def __attrs_post_init__(self) -> None:
        problems = _replay_problems(self.lifecycle, self.state, self.entries)
        if problems:
            raise ValidationError(problems, subject=f"lifecycle {self.lifecycle.name!r} instance")

    def history(self) -> tuple[HistoryEntry, ...]:
        """Every event applied so far, oldest first."""
        return self.entries

    @property
    def is_final(self) -> bool:
        """Whether the instance has reached a final state."""
        return self.state in self.lifecycle.finals

    def allowed_events(self) -> tuple[str, ...]:
        """The events with a transition out of the current state."""
        return self.lifecycle.allowed_events(self.state)

    def refusal(self, event: str, data: Mapping[str, Any] | None = None) -> str | None:
        """Why ``event`` would be refused now (``None`` when it would be applied)."""
        transition = self.lifecycle.transition(self.state, event)
        if transition is None:
            allowed = ", ".join(self.allowed_events()) or "none"
            return f"no transition for {event!r} out of {self.state!r} (allowed: {allowed})"
        if transition.guard is None:
            return None
        return self.lifecycle.guards[transition.guard](self, dict(data or {}))

    def apply(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
    ) -> LifecycleInstance:
        """Apply ``event`` and return the new instance, its history one entry longer.

        ``data`` must be JSON-like (strings, integers, booleans, null, lists and
        string-keyed objects; decimals as strings) so the entry stays canonical.

        Raises:
            InvalidTransition: the event has no transition out of the current state,
                or its guard refuses it (``reason`` says why). Nothing changes.
            ValidationError: ``who`` is empty, ``when`` is naive or earlier than the
                last entry, or ``data`` is not JSON-like. Nothing changes.
        """
        data_json = _check_entry(self, who, when, data)
        transition = self.lifecycle.transition(self.state, event)
        if transition is None:
            raise InvalidTransition(
                self.state,
                event,
                allowed=self.allowed_events(),
                subject=f"lifecycle {self.lifecycle.name!r}",
            )
        if transition.guard is not None:
            reason = self.lifecycle.guards[transition.guard](self, json.loads(data_json))
            if reason is not None:
                raise InvalidTransition(
                    self.state,
                    event,
                    reason=reason,
                    allowed=self.allowed_events(),
                    subject=f"lifecycle {self.lifecycle.name!r}",
                )
        entry = HistoryEntry(
            who=who,
            when=when,
            event=event,
            source=self.state,
            target=transition.target,
            data_json=data_json,
        )
        return attrs.evolve(self, state=transition.target, entries=(*self.entries, entry))

    def to_mermaid(self) -> str:
        """The lifecycle's diagram with the current state marked."""
        return self.lifecycle.to_mermaid(current=self.state)


def _replay_problems(lifecycle: Lifecycle, state: object, entries: object) -> list[Any]:
    """Problems of a state and history that do not replay from the initial state."""
    from cloudsms.errors import Problem  # noqa: PLC0415

    if not isinstance(entries, tuple) or not all(isinstance(e, HistoryEntry) for e in entries):
        return [Problem("$.entries", "a tuple of HistoryEntry", describe(entries))]
    checked = cast("tuple[HistoryEntry, ...]", entries)
    problems: list[Problem] = []
    current = lifecycle.initial
    previous: dt.datetime | None = None
    for index, entry in enumerate(checked):
        path = f"$.entries[{index}]"
        transition = lifecycle.transition(entry.source, entry.event)
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
        if previous is not None and entry.when.astimezone(dt.UTC) < previous:
            problems.append(
                Problem(
                    f"{path}.when",
                    "an instant not before the entry before",
                    entry.when.isoformat(),
                )
            )
        previous = entry.when.astimezone(dt.UTC)
        current = entry.target
    if state != current:
        problems.append(
            Problem("$.state", f"{current!r}, where the history leads", describe(state))
        )
    return problems


def _check_entry(instance: LifecycleInstance, who: object, when: object, data: object) -> str:
    """Validate an event's who, when and data; return the data as canonical JSON."""
    from cloudsms.errors import Problem  # noqa: PLC0415

    problems: list[Problem] = []
    if not isinstance(who, str) or not who.strip():
        problems.append(Problem("$.who", "a non-empty string naming who acts", describe(who)))
    try:
        instant = aware(when, "$.when")
    except ValidationError as exc:
        problems.extend(exc.problems)
    else:
        last = instance.entries[-1].when if instance.entries else None
        if last is not None and instant < last:
            problems.append(
                Problem(
                    "$.when",
                    f"an instant not before the last entry ({last.isoformat()})",
                    instant.isoformat(),
                )
            )
    payload = {} if data is None else data
    if not isinstance(payload, Mapping):
        problems.append(Problem("$.data", "an object (a mapping)", describe(payload)))
    else:
        problems += _json_problems(payload, "$.data", 0)
    if problems:
        raise ValidationError(problems, subject="event")
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def _json_problems(value: object, path: str, depth: int) -> list[Any]:
    from cloudsms.errors import Problem  # noqa: PLC0415

    if depth > _MAX_DEPTH:
        return [Problem(path, f"at most {_MAX_DEPTH} levels of nesting", "more")]
    if isinstance(value, int) and not isinstance(value, bool) and not (-(2**63) <= value < 2**63):
        return [Problem(path, "an integer within 64 bits", "a larger integer")]
    if value is None or isinstance(value, str | bool | int):
        return []
    if isinstance(value, Mapping):
        found: list[Any] = []
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
