"""Turn any declared lifecycle into a hypothesis state machine users can extend.

For test authors checking their own lifecycle rules on top of cloudsms: the service
lifecycle (S05), complaints (S06), onboarding (S08), operations (S09), the exit
procedure (S13); ISO/IEC 20000-1:2011 4.3.3 (an append-only record of what happened).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cloudsms.errors import InvalidTransition, ValidationError, describe
from cloudsms.lifecycle import advance, verify

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cloudsms.lifecycle import Lifecycle, LifecycleInstance

__all__ = ["lifecycle_machine"]

_JSON_LEAVES = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8)


def lifecycle_machine(  # noqa: C901 - the machine's rules and invariants
    lifecycle: Lifecycle,
    *,
    data: st.SearchStrategy[Mapping[str, Any]] | None = None,
    actors: st.SearchStrategy[str] | None = None,
    context: Mapping[str, Any] | None = None,
    record: object = None,
) -> type[RuleBasedStateMachine]:
    """A `RuleBasedStateMachine` that applies every event of ``lifecycle`` in every state.

    Each step draws an event (any of the lifecycle's, allowed or not), an actor, a
    later instant and event ``data``. `LifecycleInstance.refusal` must foretell what
    `LifecycleInstance.apply` does; an allowed event must move the instance along
    its transition and grow the history by exactly one entry; a refused one must
    raise `InvalidTransition` and leave the instance equal to what it was. Built-in
    invariants check that the history replays, guards included, to the current
    state (`Lifecycle.resume`) and that time never runs backwards. Every instance
    begins with ``context`` (the persisted context your guards read, if they do).
    Give ``data`` a strategy whose payloads sometimes satisfy
    your guards (the default draws small random objects, which rarely do), or the
    machine will seldom get past a guarded event.

    Give ``record`` — a record holding an instance of ``lifecycle`` in its
    ``lifecycle`` field (a `cloudsms.services.CloudService`, a
    `cloudsms.parties.Complaint`, a record of your own) — and the machine moves that
    record instead, with `cloudsms.lifecycle.advance`, keeping it as ``self.record``
    (``self.instance`` is then its instance, and ``context`` is not used): a refused
    event must leave the record equal to what it was, an allowed one must change
    its lifecycle and nothing else. Events are drawn no earlier than the last one
    the record's history holds. Subclass it and add your own ``@invariant``
    methods, which can read ``self.instance`` and ``self.record``::

        class ExitRules(lifecycle_machine(EXIT)):
            @invariant()
            def nothing_deleted_before_confirmation(self): ...


        TestExit = ExitRules.TestCase

    Raises:
        ValidationError: ``record`` holds no instance of ``lifecycle`` in its
            ``lifecycle`` field (at ``$.record.lifecycle``).
    """
    payloads = (
        data
        if data is not None
        else st.dictionaries(st.text(min_size=1, max_size=6), _JSON_LEAVES, max_size=3)
    )
    who = (
        actors
        if actors is not None
        else st.sampled_from(("actor:customer", "actor:provider", "actor:system"))
    )
    held = None if record is None else _held(record, lifecycle)

    class LifecycleMachine(RuleBasedStateMachine):
        """Applies every event of the lifecycle, allowed or not, and checks the outcome."""

        def __init__(self) -> None:
            super().__init__()
            self.record: Any = record
            self.instance: LifecycleInstance = (
                lifecycle.begin(context=context) if held is None else held
            )
            self.clock = _clock_after(self.instance)
            self.refused = 0
            self.heads = [self.instance.head]

        @rule(
            event=st.sampled_from(lifecycle.events),
            actor=who,
            step=st.integers(0, 10**6),
            payload=payloads,
        )
        def apply_event(
            self, event: str, actor: str, step: int, payload: Mapping[str, Any]
        ) -> None:
            """Applies an event; checks the transition taken, or that nothing changed."""
            before = self.instance
            when = self.clock + dt.timedelta(seconds=step)
            transition = lifecycle.transition(before.state, event)
            reason = before.refusal(event, who=actor, when=when, data=payload)
            record = self.record
            try:
                self.record, after = _step(self.record, before, event, actor, when, payload)
            except InvalidTransition as exc:
                assert self.instance == before  # noqa: S101 - a refused event changes nothing
                assert self.record is record  # noqa: S101 - nor the record that holds it
                assert exc.state == before.state  # noqa: S101, PT017 - a hypothesis rule
                assert transition is None or transition.guard is not None  # noqa: S101
                assert reason is not None  # noqa: S101 - refusal() foretold it
                assert transition is None or exc.reason == reason  # noqa: S101, PT017
                self.refused += 1
                return
            assert reason is None  # noqa: S101 - refusal() foretold it
            assert transition is not None  # noqa: S101 - only a declared transition applies
            assert after.state == transition.target  # noqa: S101
            assert after.history()[:-1] == before.history()  # noqa: S101
            assert after.history()[-1].event == event  # noqa: S101
            assert after.entries[-1].hash == after.head != before.head  # noqa: S101
            self.instance, self.clock = after, when
            self.heads.append(after.head)

        @invariant()
        def history_replays_to_the_state(self) -> None:
            """The history replays, through the guards, from where it begins to this state."""
            state = self.instance.start
            for entry in self.instance.history():
                assert entry.source == state  # noqa: S101
                assert lifecycle.transition(entry.source, entry.event) is not None  # noqa: S101
                state = entry.target
            assert state == self.instance.state  # noqa: S101
            resumed = lifecycle.resume(
                self.instance.history(),
                id=self.instance.id,
                context=self.instance.context,
                origin=self.instance.origin,
            )
            assert resumed == self.instance  # noqa: S101
            assert resumed.head == self.instance.head  # noqa: S101

        @invariant()
        def the_trail_verifies(self) -> None:
            """The chain holds, and reaches the head every earlier step recorded."""
            assert verify(self.instance) is None  # noqa: S101
            for head in self.heads[-3:]:
                assert verify(self.instance, expected_head=head) is None  # noqa: S101

        @invariant()
        def time_never_runs_backwards(self) -> None:
            """Entries are in time order, by their UTC instants."""
            times = [entry.when.astimezone(dt.UTC) for entry in self.instance.history()]
            assert times == sorted(times)  # noqa: S101

        @invariant()
        def final_states_are_final(self) -> None:
            """A final state allows no event."""
            if self.instance.is_final:
                assert self.instance.allowed_events() == ()  # noqa: S101

    LifecycleMachine.__name__ = f"{lifecycle.name.title().replace('_', '')}Machine"
    LifecycleMachine.__qualname__ = LifecycleMachine.__name__
    return LifecycleMachine


def _held(record: object, lifecycle: Lifecycle) -> LifecycleInstance:
    """The instance of ``lifecycle`` ``record`` holds in its ``lifecycle`` field.

    Raises:
        ValidationError: ``record`` holds no instance of ``lifecycle`` there (at
            ``$.record``), so the machine is refused when it is made, not in a run.
    """
    instance = getattr(record, "lifecycle", None) if attrs.has(type(record)) else None
    problems = lifecycle.instance_problems(instance, "$.record.lifecycle")
    if problems:
        raise ValidationError(
            [p._replace(got=describe(record)) if instance is None else p for p in problems],
            subject="lifecycle machine",
        )
    return cast("LifecycleInstance", instance)


def _clock_after(instance: LifecycleInstance) -> dt.datetime:
    """Where a run's clock starts: 2026-01-01 UTC, or the last entry's instant if later."""
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    if instance.entries:
        return max(start, instance.entries[-1].when.astimezone(dt.UTC))
    return start


def _step(  # noqa: PLR0917 - one event: where, what, who, when, with what
    record: object,
    instance: LifecycleInstance,
    event: str,
    actor: str,
    when: dt.datetime,
    payload: Mapping[str, Any],
) -> tuple[object, LifecycleInstance]:
    """Apply the event to ``instance``, or move ``record`` with `advance`; both, new."""
    if record is None:
        return None, instance.apply(event, who=actor, when=when, data=payload)
    moved = advance(record, event, who=actor, when=when, data=payload)
    kept = attrs.evolve(cast("Any", moved), lifecycle=instance)
    assert kept == record  # noqa: S101 - only its lifecycle changed
    return moved, cast("LifecycleInstance", cast("Any", moved).lifecycle)
