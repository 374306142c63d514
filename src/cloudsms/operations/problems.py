"""Problems: the cause behind incidents, its known error and the change that removes it (S09).

A `Problem` groups the incidents one underlying cause produced, records that cause
once found, a `KnownError` (the fault written down with a workaround that keeps the
service running meanwhile) and the change that finally removes the cause. Its state
is its `PROBLEM_LIFECYCLE` instance, moved with `cloudsms.lifecycle.advance`.

The record is called `Problem`, as the standard calls it. The error detail of
`cloudsms.errors` bears the same name, so this module imports that one as
``Finding`` (``from cloudsms.errors import Problem as Finding``): every ``Finding``
below is a `cloudsms.errors.Problem`, a path with what was expected and what arrived.

Serves S09 (problems behind incidents, resolved by changes); ISO/IEC 20000-1:2011
8.2 (problem management: root cause, known errors and workarounds, resolution
through change management).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation.frozen import as_frozenset
from cloudsms._kit.checks import (
    ID,
    binding_problems,
    id_set,
    ident,
    optional_text_problems,
    own_id,
    text,
)
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.errors import Problem as Finding
from cloudsms.errors import describe
from cloudsms.lifecycle import Attempt, HistoryEntry, Lifecycle, LifecycleInstance, Transition

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

__all__ = ["PROBLEM_LIFECYCLE", "PROBLEM_STATES", "KnownError", "Problem"]


PROBLEM_STATES: tuple[str, ...] = ("logged", "investigating", "known_error", "resolved", "closed")
"""The states of a problem (S09), in order."""


@attrs.frozen(kw_only=True)
class KnownError(Record):
    """A fault whose cause is understood, written down with a way to live with it meanwhile.

    ``description`` says what is wrong; ``workaround`` how the service is kept
    usable (or restored faster) until a change removes the cause. A problem records
    one with the event ``record_known_error``, whose data carries it as
    ``{"known_error": {"description": ..., "workaround": ...}}`` (`as_data`).

    Serves S09; ISO/IEC 20000-1:2011 8.2 (known errors and workarounds recorded).

    Raises:
        ValidationError: an empty description or workaround (at its path).

    Examples:
        >>> known = KnownError(description="Pool leaks", workaround="Restart nightly")
        >>> known.as_data()
        {'description': 'Pool leaks', 'workaround': 'Restart nightly'}
        >>> KnownError.from_data(known.as_data()) == known
        True
    """

    description: str = attrs.field(validator=text)
    workaround: str = attrs.field(validator=text)

    def as_data(self) -> dict[str, str]:
        """The known error as event data: ``{"description": ..., "workaround": ...}``."""
        return {"description": self.description, "workaround": self.workaround}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> KnownError:
        """The known error an event's data carries (see `as_data`).

        Raises:
            ValidationError: a part is missing or empty (at ``$.description`` or
                ``$.workaround``).
        """
        description: Any = data.get("description")
        workaround: Any = data.get("workaround")
        return cls(description=description, workaround=workaround)


# ---------------------------------------------------------------------- the lifecycle
_KNOWN_ERROR_KEYS = frozenset({"description", "workaround"})


def _known_error_given(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``record_known_error``: the data carries a whole known error."""
    given = attempt.data.get("known_error")
    if (
        isinstance(given, Mapping)
        and set(given) == _KNOWN_ERROR_KEYS
        and all(isinstance(given[k], str) and given[k].strip() for k in _KNOWN_ERROR_KEYS)
    ):
        return None
    return (
        "no known error given (the event's data needs a 'known_error' with a non-empty "
        "'description' and 'workaround', and nothing else)"
    )


def _change_named(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``resolve``: the data names the change that removed the cause."""
    change = attempt.data.get("change")
    if isinstance(change, str) and ID.fullmatch(change):
        return None
    return "no change named (the event's data needs a 'change': the id of the resolving change)"


PROBLEM_LIFECYCLE = Lifecycle(
    name="problem",
    states=PROBLEM_STATES,
    initial="logged",
    finals=("closed",),
    transitions=(
        Transition(source="logged", event="investigate", target="investigating"),
        Transition(
            source="investigating",
            event="record_known_error",
            target="known_error",
            guard="known_error_given",
        ),
        Transition(
            source="investigating", event="resolve", target="resolved", guard="change_named"
        ),
        Transition(source="known_error", event="resolve", target="resolved", guard="change_named"),
        Transition(source="resolved", event="close", target="closed"),
    ),
    guards={"known_error_given": _known_error_given, "change_named": _change_named},
)
"""The lifecycle of a problem (S09): logged, investigating, known error, resolved, closed.

``investigate`` starts the search for the cause. ``record_known_error`` writes the
known error down, its data ``{"known_error": {"description": ..., "workaround":
...}}``, once: a better workaround found later is a matter for the resolving
change. ``resolve`` needs the change that
removed the cause (``{"change": <change id>}``): a problem is resolved by a change,
never by a declaration. ``close`` ends it. A problem may be resolved straight from
investigation (a cause found and fixed before anyone needed a workaround)."""


# ---------------------------------------------------------------------- the record
def _logged(record: object) -> LifecycleInstance:
    return PROBLEM_LIFECYCLE.begin(id=own_id(record))


def _problem_instance_problems(value: object, path: str) -> list[Finding]:
    lifecycle: Lifecycle = PROBLEM_LIFECYCLE
    return lifecycle.instance_problems(value, path)


def _optional_text(value: object, path: str) -> list[Finding]:
    return optional_text_problems(value, path)


def _latest(instance: LifecycleInstance, event: str) -> tuple[int, HistoryEntry] | None:
    """The last entry of ``event`` in the history, with its index (``None`` if none)."""
    for index in range(len(instance.entries) - 1, -1, -1):
        entry = instance.entries[index]
        if entry.event == event:
            return index, entry
    return None


def _first_when(instance: LifecycleInstance, event: str) -> dt.datetime | None:
    return next((e.when for e in instance.entries if e.event == event), None)


@document("cloudsms.problem", version=1)
@attrs.frozen(kw_only=True)
class Problem(Record):
    """The unknown cause of one or more incidents, followed until a change removes it.

    ``incident_ids`` names the incidents it explains (one or more
    `cloudsms.operations.Incident` ids); ``root_cause`` says what the investigation
    found (``None`` until then); ``known_error`` is the `KnownError` with its
    workaround; ``change_id`` names the change that removes the cause
    (`cloudsms.operations.Change`). ``lifecycle`` is the problem's
    `PROBLEM_LIFECYCLE` instance (logged, with an empty history and bound to the
    problem's id, by default): the one record of where it stands. `state` reads it;
    `cloudsms.lifecycle.advance` moves it.

    The fields agree with the history. Once a known error is recorded,
    ``known_error`` equals the one the history carries; once the problem is
    resolved, ``change_id`` names the change its ``resolve`` event names. Both may
    be filled in beforehand (a known error being written up, the change raised to
    fix the cause), so a problem moves by setting the field and then applying the
    event with the same value::

        drafted = attrs.evolve(problem, change_id="chg-9")
        resolved = advance(drafted, "resolve", who=..., when=..., data={"change": "chg-9"})

    A persisted document (``cloudsms.problem``, schema version 1).

    Serves S09 (problems linked to incidents, root cause, known error with its
    workaround, resolution by a change); ISO/IEC 20000-1:2011 8.2.

    Raises:
        ValidationError: every problem of the fields, each with its path: no
            incident, an empty root cause, an instance of another lifecycle (at
            ``$.lifecycle``), a known error or change that contradicts the history
            (at ``$.known_error`` or ``$.change_id``).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.lifecycle import advance
        >>> t0 = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)
        >>> problem = Problem(id="prb-1", summary="Pool exhaustion", incident_ids={"inc-7"})
        >>> problem.state, problem.lifecycle.id
        ('logged', 'prb-1')
        >>> problem = advance(problem, "investigate", who="actor:ops-2", when=t0)
        >>> problem = attrs.evolve(problem, change_id="chg-9")
        >>> problem = advance(
        ...     problem, "resolve", who="actor:ops-2", when=t0, data={"change": "chg-9"}
        ... )
        >>> problem.state, problem.resolved_at == t0
        ('resolved', True)
    """

    id: str = attrs.field(validator=ident)
    summary: str = attrs.field(validator=text)
    incident_ids: frozenset[str] = attrs.field(
        validator=id_set(of="incident") & one_or_more("incident ids"), converter=as_frozenset
    )
    root_cause: str | None = attrs.field(default=None, validator=Check(_optional_text, total=True))
    known_error: KnownError | None = None
    change_id: str | None = attrs.field(default=None, validator=ident)
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(_logged, takes_self=True),
        validator=Check(_problem_instance_problems, total=True),
    )

    def _rules(self) -> Iterator[Finding]:
        """The known error and the resolving change are those the history records."""
        yield from binding_problems(self)
        recorded = _latest(self.lifecycle, "record_known_error")
        if recorded is not None:
            index, entry = recorded
            known = KnownError.from_data(entry.data["known_error"])
            if self.known_error != known:
                expected = (
                    f"the known error recorded at lifecycle.history[{index}] "
                    f"({known.description!r})"
                )
                yield Finding("known_error", expected, describe(self.known_error))
        resolved = _latest(self.lifecycle, "resolve")
        if resolved is not None:
            index, entry = resolved
            change = entry.data["change"]
            if self.change_id != change:
                expected = f"{change!r}, the change lifecycle.history[{index}] resolved it by"
                yield Finding("change_id", expected, describe(self.change_id))

    @property
    def state(self) -> str:
        """Where the problem stands in `PROBLEM_LIFECYCLE`: its instance's state."""
        return self.lifecycle.state

    @property
    def known_error_recorded_at(self) -> dt.datetime | None:
        """When a known error was first recorded (``None`` if never)."""
        return _first_when(self.lifecycle, "record_known_error")

    @property
    def resolved_at(self) -> dt.datetime | None:
        """When the problem was resolved by its change (``None`` if not yet)."""
        return _first_when(self.lifecycle, "resolve")

    @property
    def closed_at(self) -> dt.datetime | None:
        """When the problem was closed (``None`` while open)."""
        return _first_when(self.lifecycle, "close")
