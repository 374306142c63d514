"""cloudsms.lifecycle: declarations checked when declared, events applied or refused whole."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, run_state_machine_as_test

from cloudsms.errors import InvalidDefinition, InvalidTransition, ValidationError
from cloudsms.lifecycle import HistoryEntry, Lifecycle, LifecycleInstance, Transition
from cloudsms.testing import lifecycle_machine

T0 = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)


def t(source: str, event: str, target: str, guard: str | None = None) -> Transition:
    """A transition, briefly."""
    return Transition(source=source, event=event, target=target, guard=guard)


def needs_approval(_: LifecycleInstance, data: dict[str, Any]) -> str | None:
    """Refuses unless the event's data says it was approved."""
    return None if data.get("approved") is True else "the change is not approved"


TOY = Lifecycle(
    name="toy_change",
    states=("requested", "approved", "implemented", "rejected", "closed"),
    initial="requested",
    finals=("closed", "rejected"),
    transitions=(
        t("requested", "approve", "approved", "needs_approval"),
        t("requested", "reject", "rejected"),
        t("approved", "implement", "implemented"),
        t("approved", "reject", "rejected"),
        t("implemented", "close", "closed"),
        t("implemented", "reopen", "approved"),
    ),
    guards={"needs_approval": needs_approval},
)


class TestDeclaration:
    """An inconsistent declaration is refused when it is declared."""

    def test_every_fault_is_listed(self) -> None:
        """Names unknown states and guards, final exits, duplicates, dead ends and orphans."""
        with pytest.raises(InvalidDefinition) as info:
            Lifecycle(
                name="broken",
                states=("a", "b", "c", "d", "e"),
                initial="a",
                finals=("b", "z"),
                transitions=(
                    t("a", "go", "b"),
                    t("a", "go", "c"),
                    t("b", "back", "a"),
                    t("a", "jump", "x"),
                    t("c", "stay", "c", "missing"),
                    t("a", "to_e", "e"),
                ),
                guards={"unused": needs_approval},
            )
        problems = info.value.problems
        assert "final state 'z' is not a declared state" in problems
        assert "a --jump--> x: unknown state 'x'" in problems
        assert "b --back--> a: leaves the final state 'b'" in problems
        assert "c --stay--> c: unknown guard 'missing'" in problems
        assert "a --go--> c: a second transition for 'go' out of 'a'" in problems
        assert "state 'd' is unreachable from 'a'" in problems
        assert "state 'e' is not final and has no way out" in problems
        assert "guard 'unused' is never used" in problems
        assert str(info.value).startswith("lifecycle 'broken' is declared inconsistently:")

    def test_names_and_initial(self) -> None:
        """Refuses non-identifier names, a duplicate state and an unknown initial state."""
        with pytest.raises(InvalidDefinition) as info:
            Lifecycle(name="x", states=("a", "a", "b c"), initial="q", finals=(), transitions=())
        assert "'b c' is not an identifier" in info.value.problems
        assert "a state is declared twice" in info.value.problems
        assert "initial state 'q' is not a declared state" in info.value.problems

    def test_table_is_data(self) -> None:
        """Exposes the transition table, events and allowed events as data."""
        assert TOY.events == ("approve", "reject", "implement", "close", "reopen")
        assert TOY.allowed_events("approved") == ("implement", "reject")
        assert TOY.table()[0] == t("requested", "approve", "approved", "needs_approval")
        assert TOY.to_records()[1] == {
            "source": "requested",
            "event": "reject",
            "target": "rejected",
            "guard": None,
        }
        assert TOY.transition("closed", "reopen") is None
        assert (
            Lifecycle(
                name=TOY.name,
                states=TOY.states,
                initial=TOY.initial,
                finals=TOY.finals,
                transitions=TOY.transitions,
                guards=dict(TOY.guards),
            )
            == TOY
        )
        assert TOY != "toy"
        assert hash(TOY) == hash(TOY)

    def test_mermaid(self) -> None:
        """Draws a stateDiagram-v2 with guards and the current state marked."""
        text = TOY.begin().to_mermaid()
        assert text.splitlines()[:3] == [
            "stateDiagram-v2",
            "    [*] --> requested",
            "    requested --> approved : approve [needs_approval]",
        ]
        assert "    closed --> [*]" in text
        assert text.endswith("    class requested current")
        assert "classDef" not in TOY.to_mermaid()


class TestApply:
    """Applying an event returns a new value; a refused event changes nothing."""

    def test_happy_path(self) -> None:
        """Moves through its transitions, one history entry per event."""
        run = TOY.begin()
        run = run.apply("approve", who="cab", when=T0, data={"approved": True, "ticket": 7})
        run = run.apply("implement", who="ops", when=T0 + dt.timedelta(hours=1))
        run = run.apply("close", who="ops", when=T0 + dt.timedelta(hours=2))
        assert run.state == "closed"
        assert run.is_final
        assert run.allowed_events() == ()
        assert [(e.source, e.event, e.target) for e in run.history()] == [
            ("requested", "approve", "approved"),
            ("approved", "implement", "implemented"),
            ("implemented", "close", "closed"),
        ]
        assert run.history()[0].data == {"approved": True, "ticket": 7}

    def test_event_not_allowed(self) -> None:
        """Refuses an event with no transition, naming the allowed ones."""
        run = TOY.begin()
        with pytest.raises(InvalidTransition) as info:
            run.apply("close", who="ops", when=T0)
        assert (info.value.state, info.value.event, info.value.reason) == (
            "requested",
            "close",
            None,
        )
        assert info.value.allowed == ("approve", "reject")
        assert str(info.value) == (
            "lifecycle 'toy_change': can't 'close' when in 'requested'; "
            "allowed events: approve, reject"
        )
        assert run == TOY.begin()

    def test_guard_refuses_with_reason(self) -> None:
        """Refuses an event its guard refuses, with the guard's reason."""
        run = TOY.begin()
        with pytest.raises(InvalidTransition, match="the change is not approved") as info:
            run.apply("approve", who="cab", when=T0, data={"approved": False})
        assert info.value.reason == "the change is not approved"
        assert run.refusal("approve") == "the change is not approved"
        assert run.refusal("approve", {"approved": True}) is None
        assert run.refusal("reject") is None
        assert "no transition for 'close'" in (run.refusal("close") or "")
        assert run.history() == ()

    def test_bad_who_when_and_data(self) -> None:
        """Lists every problem of the event's who, when and data; nothing changes."""
        run = TOY.begin().apply("reject", who="cab", when=T0)
        with pytest.raises(ValidationError) as info:
            TOY.begin().apply(
                "reject",
                who=" ",
                when=dt.datetime(2026, 1, 1),
                data={"x": 1.5, "y": [object()], 3: "z"},
            )  # type: ignore[dict-item]
        assert info.value.paths == ["$.who", "$.when", "$.data.x", "$.data.y[0]", "$.data"]
        with pytest.raises(ValidationError, match="not before the last entry"):
            TOY.begin().apply("approve", who="a", when=T0, data={"approved": True}).apply(
                "implement", who="b", when=T0 - dt.timedelta(seconds=1)
            )
        with pytest.raises(ValidationError, match="an object"):
            TOY.begin().apply("reject", who="a", when=T0, data=[1])  # type: ignore[arg-type]
        deep: dict[str, Any] = {}
        node = deep
        for _ in range(20):
            node["x"] = {}
            node = node["x"]
        with pytest.raises(ValidationError, match="levels of nesting"):
            TOY.begin().apply("reject", who="a", when=T0, data=deep)
        assert run.state == "rejected"

    def test_entries_are_canonical_values(self) -> None:
        """Serialises an entry to the same canonical bytes, in UTC; entries hash and pickle."""
        berlin = dt.timezone(dt.timedelta(hours=1))
        a = (
            TOY.begin()
            .apply(
                "reject", who="cab", when=T0.astimezone(berlin), data={"b": 1, "a": [True, None]}
            )
            .history()[0]
        )
        b = HistoryEntry(
            who="cab",
            when=T0,
            event="reject",
            source="requested",
            target="rejected",
            data_json=json.dumps(
                {"a": [True, None], "b": 1}, sort_keys=True, separators=(",", ":")
            ),
        )
        assert a.canonical() == (
            b'{"data":{"a":[true,null],"b":1},"event":"reject","source":"requested",'
            b'"target":"rejected","when":"2026-01-01T09:00:00+00:00","who":"cab"}'
        )
        assert (
            a.canonical()
            == HistoryEntry(**{**b.__getstate__(), "data_json": a.data_json}).canonical()
            if hasattr(b, "__getstate__")
            else True
        )
        assert hash(a) == hash(pickle.loads(pickle.dumps(a)))


APPROVALS = st.fixed_dictionaries({"approved": st.booleans()})


class ToyRules(lifecycle_machine(TOY, data=APPROVALS)):  # type: ignore[misc]
    """The toy lifecycle, with a rule of its own: a rejected change is never implemented."""

    @invariant()
    def rejected_changes_stay_unimplemented(self) -> None:
        """Never shows an implementation after a rejection."""
        events = [e.event for e in self.instance.history()]
        if "reject" in events:
            assert "implement" not in events[events.index("reject") :]


ToyRules.TestCase.settings = settings(max_examples=50, stateful_step_count=30, deadline=None)
TestToyLifecycle = ToyRules.TestCase


class TestLifecycleMachine:
    """lifecycle_machine() exercises every event and runs the user's invariants."""

    def test_a_false_invariant_is_found(self) -> None:
        """Finds a run that breaks a (deliberately wrong) rule of the user's."""

        class WrongRule(lifecycle_machine(TOY, data=APPROVALS)):  # type: ignore[misc]
            @invariant()
            def never_closed(self) -> None:
                assert self.instance.state != "closed"

        with pytest.raises(AssertionError):
            run_state_machine_as_test(
                WrongRule,
                # Finding the failure is the point; shrinking it would only cost time.
                settings=settings(
                    max_examples=200,
                    deadline=None,
                    database=None,
                    phases=(Phase.explicit, Phase.reuse, Phase.generate),
                ),
            )

    def test_names_the_machine(self) -> None:
        """Names the machine class after the lifecycle."""
        assert lifecycle_machine(TOY).__name__ == "ToyChangeMachine"


class TestReviewCases:
    """Cases a review found: forged histories, odd declarations, unchecked entries."""

    def test_resume_replays_and_refuses_forgeries(self) -> None:
        """Reads a stored history back, and refuses one that skips or invents a step."""
        done = TOY.begin().apply("reject", who="cab", when=T0)
        assert TOY.resume(done.history()) == done
        assert TOY.resume([]).state == "requested"
        forged = HistoryEntry(who="x", when=T0, event="close", source="requested", target="closed")
        with pytest.raises(ValidationError) as info:
            TOY.resume([forged])
        assert info.value.paths == ["$.entries[0]"]
        with pytest.raises(ValidationError) as info:
            LifecycleInstance(lifecycle=TOY, state="zzz")
        assert info.value.paths == ["$.state"]
        late = HistoryEntry(
            who="x",
            when=T0,
            event="approve",
            source="requested",
            target="approved",
            data_json='{"approved":true}',
        )
        early = HistoryEntry(
            who="x",
            when=T0 - dt.timedelta(1),
            event="implement",
            source="approved",
            target="implemented",
        )
        with pytest.raises(ValidationError) as info:
            TOY.resume([late, early])
        assert info.value.paths == ["$.entries[1].when"]

    @pytest.mark.parametrize(
        ("kwargs", "problem"),
        [
            ({"finals": ()}, "no final state is declared"),
            (
                {"transitions": (t("a", "go", "b"), t("b", "back", "a"))},
                "state 'a' can never reach a final state",
            ),
            (
                {
                    "guards": {"g": 5},
                    "transitions": (t("a", "go", "c", "g"), t("a", "x", "b"), t("b", "y", "c")),
                },
                "guard 'g' is not callable",
            ),
            ({"transitions": None}, "transitions must be a list"),
            ({"transitions": [{"source": "a"}]}, "transitions must hold Transition values"),
            ({"guards": [1]}, "guards must be a mapping"),
        ],
    )
    def test_declaration_faults(self, kwargs: dict[str, Any], problem: str) -> None:
        """Refuses declarations with no final state, traps, odd guards or odd tables."""
        base: dict[str, Any] = {
            "name": "t",
            "states": ("a", "b", "c"),
            "initial": "a",
            "finals": ("c",),
            "transitions": (t("a", "go", "b"), t("b", "end", "c")),
        }
        with pytest.raises(InvalidDefinition) as info:
            Lifecycle(**{**base, **kwargs})
        assert problem in str(info.value)

    def test_mermaid_current_must_be_a_state(self) -> None:
        """Refuses to mark something that is not a state (no injected lines)."""
        with pytest.raises(ValidationError):
            TOY.to_mermaid("a\nclass b current")

    def test_lifecycles_pickle(self) -> None:
        """Pickles a lifecycle whose guards are module-level functions."""
        assert pickle.loads(pickle.dumps(TOY)) == TOY

    @pytest.mark.parametrize(
        ("fields", "path"),
        [
            ({"who": 5}, "$.who"),
            ({"when": dt.datetime(2026, 1, 1)}, "$.when"),
            ({"data_json": "not json"}, "$.data"),
            ({"data_json": '{"x":1.5}'}, "$.data"),
            ({"data_json": '{"b":1, "a":2}'}, "$.data_json"),
            ({"data_json": "[1]"}, "$.data"),
        ],
    )
    def test_entries_are_checked(self, fields: dict[str, Any], path: str) -> None:
        """Refuses entries with a bad actor, a naive time or data that is not canonical."""
        base: dict[str, Any] = {
            "who": "a",
            "when": T0,
            "event": "e",
            "source": "s",
            "target": "t",
            "data_json": "{}",
        }
        with pytest.raises(ValidationError) as info:
            HistoryEntry(**{**base, **fields})
        assert info.value.paths == [path]

    def test_huge_integers_in_data(self) -> None:
        """Refuses integers beyond 64 bits in event data."""
        with pytest.raises(ValidationError, match="within 64 bits"):
            TOY.begin().apply("reject", who="a", when=T0, data={"x": 10**30})
