"""cloudsms.lifecycle: declarations checked when declared, events applied or refused whole."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, run_state_machine_as_test

from cloudsms._foundation.instants import RANGE_TEXT, instant_key
from cloudsms.errors import (
    InvalidDefinition,
    InvalidTransition,
    UnknownReference,
    ValidationError,
    describe,
)
from cloudsms.lifecycle import (
    Attempt,
    HistoryEntry,
    Lifecycle,
    LifecycleInstance,
    Trail,
    Transition,
    advance,
    lifecycle_named,
    register_lifecycle,
    registered_lifecycles,
)
from cloudsms.parties import COMPLAINT_LIFECYCLE, ComplaintOutcome, outcome_of
from cloudsms.serialization import from_json, to_json
from cloudsms.services import SERVICE_LIFECYCLE
from cloudsms.testing import aware_datetimes, lifecycle_instances, lifecycle_machine

from conftest import examples

T0 = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
ID = "run-1"
"""The id the tests give an instance whenever two instances are compared (ids are random else)."""
WHO_EXPECTED = "a pseudonymous actor id such as 'actor:ops-7' (not a name or an e-mail)"


def sealed(start: str, entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """``entries`` built by hand, each given the hash that chains it from ``start``.

    Recomputes the documented link, SHA-256 of the previous hash's 32 bytes and the
    entry's canonical bytes, independently of the core, so a hand-built history can
    be read back by `Lifecycle.resume` and the tests can reach its guards.
    """
    chained: list[HistoryEntry] = []
    previous = start
    for item in entries:
        previous = hashlib.sha256(bytes.fromhex(previous) + item.canonical()).hexdigest()
        chained.append(attrs.evolve(item, hash=previous))
    return chained


def t(source: str, event: str, target: str, guard: str | None = None) -> Transition:
    """A transition, briefly."""
    return Transition(source=source, event=event, target=target, guard=guard)


def needs_approval(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """Refuses unless the event's data says it was approved."""
    return None if attempt.data.get("approved") is True else "the change is not approved"


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
        run = run.apply("approve", who="actor:cab", when=T0, data={"approved": True, "ticket": 7})
        run = run.apply("implement", who="actor:ops", when=T0 + dt.timedelta(hours=1))
        run = run.apply("close", who="actor:ops", when=T0 + dt.timedelta(hours=2))
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
        run = TOY.begin(id=ID)
        with pytest.raises(InvalidTransition) as info:
            run.apply("close", who="actor:ops", when=T0)
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
        assert run == TOY.begin(id=ID)

    def test_guard_refuses_with_reason(self) -> None:
        """Refuses an event its guard refuses, with the guard's reason."""
        run = TOY.begin()
        with pytest.raises(InvalidTransition, match="the change is not approved") as info:
            run.apply("approve", who="actor:cab", when=T0, data={"approved": False})
        assert info.value.reason == "the change is not approved"
        assert run.refusal("approve", who="actor:cab", when=T0) == "the change is not approved"
        assert run.refusal("approve", who="actor:cab", when=T0, data={"approved": True}) is None
        assert run.refusal("reject", who="actor:cab", when=T0) is None
        assert run.refusal("close", who="actor:cab", when=T0) == (
            "no transition for 'close' out of 'requested' (allowed: approve, reject)"
        )
        assert run.history() == ()

    def test_bad_who_when_and_data(self) -> None:
        """Lists every problem of the event's who, when and data; nothing changes."""
        run = TOY.begin().apply("reject", who="actor:cab", when=T0)
        with pytest.raises(ValidationError) as info:
            TOY.begin().apply(
                "reject",
                who=" ",
                when=dt.datetime(2026, 1, 1),
                data={"x": 1.5, "y": [object()], 3: "z"},
            )  # type: ignore[dict-item]
        assert info.value.paths == ["$.who", "$.when", "$.data.x", "$.data.y[0]", "$.data"]
        assert info.value.problems[0].expected == WHO_EXPECTED
        for name in ("", "cab", "Alice Smith", "alice@example.com"):
            with pytest.raises(ValidationError) as refused:
                TOY.begin().apply("reject", who=name, when=T0)
            assert refused.value.errors == [
                f"expected {WHO_EXPECTED}, got <redacted> (string) @ $.who"
            ]
            assert not name or name not in str(refused.value)  # likely personal: never shown
        with pytest.raises(ValidationError, match="not before the last entry"):
            TOY.begin().apply("approve", who="actor:a", when=T0, data={"approved": True}).apply(
                "implement", who="actor:b", when=T0 - dt.timedelta(seconds=1)
            )
        with pytest.raises(ValidationError, match="an object"):
            TOY.begin().apply("reject", who="actor:a", when=T0, data=[1])  # type: ignore[arg-type]
        deep: dict[str, Any] = {}
        node = deep
        for _ in range(20):
            node["x"] = {}
            node = node["x"]
        with pytest.raises(ValidationError, match="levels of nesting"):
            TOY.begin().apply("reject", who="actor:a", when=T0, data=deep)
        assert run.state == "rejected"

    def test_entries_are_canonical_values(self) -> None:
        """Serialises an entry to the same canonical bytes: the instant in UTC, its zone beside.

        Entries with the same content in the same zone have the same bytes whatever
        the order of their data's keys; the same instant in another zone differs only
        in ``zone``. The hash applied links the bytes to the genesis. Entries hash
        and pickle.
        """
        berlin = dt.timezone(dt.timedelta(hours=1))
        run = TOY.begin(id=ID).apply(
            "reject", who="actor:cab", when=T0.astimezone(berlin), data={"b": 1, "a": [True, None]}
        )
        a = run.history()[0]
        b = HistoryEntry(
            who="actor:cab",
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
            b'"target":"rejected","when":"2026-01-01T09:00:00.000000+00:00","who":"actor:cab",'
            b'"zone":"+01:00"}'
        )
        assert b.canonical() == a.canonical().replace(b'"zone":"+01:00"', b'"zone":"+00:00"')
        assert attrs.evolve(b, when=T0.astimezone(berlin)).canonical() == a.canonical()
        assert [a] == sealed(run.genesis, [attrs.evolve(a, hash="")])
        assert (b.hash, len(a.hash)) == ("", 64)
        assert hash(a) == hash(pickle.loads(pickle.dumps(a)))
        assert a == pickle.loads(pickle.dumps(a))


APPROVALS = st.fixed_dictionaries({"approved": st.booleans()})


class ToyRules(lifecycle_machine(TOY, data=APPROVALS)):  # type: ignore[misc]
    """The toy lifecycle, with a rule of its own: a rejected change is never implemented."""

    @invariant()
    def rejected_changes_stay_unimplemented(self) -> None:
        """Never shows an implementation after a rejection."""
        events = [e.event for e in self.instance.history()]
        if "reject" in events:
            assert "implement" not in events[events.index("reject") :]


ToyRules.TestCase.settings = settings(
    max_examples=examples(50), stateful_step_count=30, deadline=None
)
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
        """Reads a stored history back, and refuses one that skips or invents a step.

        A forged step is refused even when its hash was recomputed (the chain holds,
        the replay does not); left without a hash, the chain refuses it too; adopted
        (sealed on reading), the replay still refuses it.
        """
        done = TOY.begin(id=ID).apply("reject", who="actor:cab", when=T0)
        assert TOY.resume(done.history(), id=ID) == done
        assert TOY.resume([], id=ID).state == "requested"
        start = TOY.begin(id=ID).genesis
        forged = HistoryEntry(
            who="actor:x", when=T0, event="close", source="requested", target="closed"
        )
        with pytest.raises(ValidationError) as info:
            TOY.resume(sealed(start, [forged]), id=ID)
        assert info.value.paths == ["$.history[0]"]
        with pytest.raises(ValidationError) as info:
            TOY.resume([forged], id=ID)
        assert info.value.paths == ["$.history[0].hash", "$.history[0]"]
        with pytest.raises(ValidationError) as info:
            TOY.adopt([forged], id=ID)
        assert info.value.paths == ["$.history[0]"]
        with pytest.raises(ValidationError) as info:
            LifecycleInstance(lifecycle=TOY, state="zzz")
        assert info.value.paths == ["$.state"]
        late = HistoryEntry(
            who="actor:x",
            when=T0,
            event="approve",
            source="requested",
            target="approved",
            data_json='{"approved":true}',
        )
        early = HistoryEntry(
            who="actor:x",
            when=T0 - dt.timedelta(1),
            event="implement",
            source="approved",
            target="implemented",
        )
        with pytest.raises(ValidationError) as info:
            TOY.resume(sealed(start, [late, early]), id=ID)
        assert info.value.paths == ["$.history[1].when"]
        with pytest.raises(ValidationError) as info:
            TOY.adopt([late, early], id=ID)
        assert info.value.paths == ["$.history[1].when"]

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
            ({"who": ""}, "$.who"),
            ({"who": "a"}, "$.who"),
            ({"who": "Alice Smith"}, "$.who"),
            ({"who": "alice@example.com"}, "$.who"),
            ({"who": "actor:"}, "$.who"),
            ({"hash": "ABC"}, "$.hash"),
            ({"hash": "A" * 64}, "$.hash"),
            ({"hash": 5}, "$.hash"),
            ({"when": dt.datetime(2026, 1, 1)}, "$.when"),
            ({"data_json": "not json"}, "$.data"),
            ({"data_json": '{"x":1.5}'}, "$.data"),
            ({"data_json": '{"b":1, "a":2}'}, "$.data_json"),
            ({"data_json": "[1]"}, "$.data"),
        ],
    )
    def test_entries_are_checked(self, fields: dict[str, Any], path: str) -> None:
        """Refuses entries with a bad actor, a naive time, non-canonical data or a bad hash."""
        base: dict[str, Any] = {
            "who": "actor:a",
            "when": T0,
            "event": "e",
            "source": "s",
            "target": "t",
            "data_json": "{}",
        }
        with pytest.raises(ValidationError) as info:
            HistoryEntry(**{**base, **fields})
        assert info.value.paths == [path]
        if path == "$.who":
            assert info.value.problems[0].expected == WHO_EXPECTED
        assert HistoryEntry(**base).who == "actor:a"
        assert HistoryEntry(**{**base, "hash": "0" * 64}).hash == "0" * 64

    def test_huge_integers_in_data(self) -> None:
        """Refuses integers beyond 64 bits in event data."""
        with pytest.raises(ValidationError, match="within 64 bits"):
            TOY.begin().apply("reject", who="actor:a", when=T0, data={"x": 10**30})


# ---------------------------------------------------------------- issue 9 (hardening)
BERLIN = ZoneInfo("Europe/Berlin")


def paid(_: LifecycleInstance, attempt: Attempt) -> bool:
    """Allows an event whose data says it is paid (a boolean guard)."""
    return bool(attempt.data.get("paid"))


def within_agreement(instance: LifecycleInstance, attempt: Attempt) -> str | None:
    """Allows a change only under the agreement the instance runs under (its context)."""
    if attempt.data.get("agreement") == instance.context.get("agreement"):
        return None
    return f"not under agreement {instance.context.get('agreement')!r}"


def returning(result: object) -> Lifecycle:
    """A one-step lifecycle whose guard ``paid`` returns ``result``."""
    return Lifecycle(
        name="billing",
        states=("a", "b"),
        initial="a",
        finals=("b",),
        transitions=(t("a", "go", "b", "paid"),),
        guards={"paid": lambda _instance, _attempt: result},
    )


PAID = Lifecycle(
    name="billing",
    states=("open", "paid", "changed", "closed"),
    initial="open",
    finals=("closed",),
    transitions=(
        t("open", "pay", "paid", "paid"),
        t("paid", "change", "changed", "within_agreement"),
        t("changed", "change", "changed", "within_agreement"),
        t("changed", "close", "closed"),
        t("paid", "close", "closed"),
    ),
    guards={"paid": paid, "within_agreement": within_agreement},
)


AGREEMENTS = st.fixed_dictionaries(
    {"paid": st.booleans(), "agreement": st.sampled_from(["AG-1", "AG-2"])}
)


def entry(event: str, source: str, target: str, when: dt.datetime, **data: Any) -> HistoryEntry:
    """A history entry, briefly."""
    return HistoryEntry(
        who="actor:desk",
        when=when,
        event=event,
        source=source,
        target=target,
        data_json=json.dumps(data, sort_keys=True, separators=(",", ":")),
    )


class TestGuardContract:
    """A guard sees the instance and the Attempt; None/True allow, text/False refuse."""

    def test_true_allows(self) -> None:
        """Applies an event whose boolean guard returns True."""
        done = PAID.begin().apply("pay", who="actor:billing", when=T0, data={"paid": True})
        assert done.state == "paid"

    def test_false_refuses_naming_the_guard(self) -> None:
        """Refuses an event whose guard returns False, naming the guard; nothing changes."""
        run = PAID.begin(id=ID)
        with pytest.raises(InvalidTransition) as info:
            run.apply("pay", who="actor:billing", when=T0, data={"paid": False})
        assert info.value.reason == "refused by guard 'paid'"
        assert (
            str(info.value)
            == "lifecycle 'billing': can't 'pay' when in 'open': refused by guard 'paid'"
        )
        assert PAID.begin(id=ID) == run

    @pytest.mark.parametrize(
        ("result", "reason"),
        [
            (None, None),
            (True, None),
            ("", "refused by guard 'paid'"),
            ("  ", "refused by guard 'paid'"),
            ("late", "late"),
        ],
    )
    def test_results_read_one_way(self, result: object, reason: str | None) -> None:
        """Reads None and True as allowing, text as the reason, blank text as a bare refusal."""
        assert reason == returning(result).begin().refusal("go", who="actor:x", when=T0)

    @pytest.mark.parametrize("result", [1, 0, [], b"yes", 1.0])
    def test_other_results_are_faults_of_the_declaration(self, result: object) -> None:
        """Raises InvalidDefinition naming the lifecycle and the guard for any other result."""
        run = returning(result).begin()
        with pytest.raises(InvalidDefinition) as info:
            run.apply("go", who="actor:x", when=T0)
        assert (
            "lifecycle 'billing' is declared inconsistently:\n"
            f"  - guard 'paid' returned {describe(result)}: a guard returns None or True to "
            "allow an event, a reason (text) or False to refuse it"
        ) == str(info.value)
        assert run.history() == ()

    @given(result=st.none() | st.booleans() | st.text() | st.integers() | st.lists(st.none()))
    @settings(max_examples=examples(100), deadline=None)
    def test_live_and_replayed_read_alike(self, result: object) -> None:
        """Reads every guard result one way, whether the event is applied or replayed.

        Replayed means read back by `resume` (the entry sealed) or by `adopt` (unsealed).
        """
        lc = returning(result)
        go = entry("go", "a", "b", T0)
        chained = sealed(lc.begin(id=ID).genesis, [go])
        if result is None or result is True:
            applied = lc.begin(id=ID).apply("go", who="actor:desk", when=T0)
            assert lc.resume(chained, id=ID) == applied
            assert lc.adopt([go], id=ID) == applied
        elif result is False or isinstance(result, str):
            reason = result if isinstance(result, str) and result.strip() else None
            reason = reason or "refused by guard 'paid'"
            with pytest.raises(InvalidTransition) as refused:
                lc.begin(id=ID).apply("go", who="actor:desk", when=T0)
            assert refused.value.reason == reason
            for replay in (lambda: lc.resume(chained, id=ID), lambda: lc.adopt([go], id=ID)):
                with pytest.raises(ValidationError) as info:
                    replay()
                assert info.value.errors == [
                    (
                        f"expected an event the guard 'paid' allows, got 'go', refused: {reason}"
                        " @ $.history[0]"
                    )
                ]
        else:
            with pytest.raises(InvalidDefinition):
                lc.begin(id=ID).apply("go", who="actor:desk", when=T0)
            with pytest.raises(InvalidDefinition):
                lc.resume(chained, id=ID)
            with pytest.raises(InvalidDefinition):
                lc.adopt([go], id=ID)

    def test_guard_sees_the_attempt(self) -> None:
        """Passes the instance as it was and the Attempt: event, who, when, data, context."""
        seen: list[tuple[LifecycleInstance, Attempt]] = []

        def spy(instance: LifecycleInstance, attempt: Attempt) -> None:
            seen.append((instance, attempt))

        lc = Lifecycle(
            name="spied",
            states=("a", "b"),
            initial="a",
            finals=("b",),
            transitions=(t("a", "go", "b", "spy"),),
            guards={"spy": spy},
        )
        start = lc.begin(context={"agreement": "AG-1"})
        when = T0.astimezone(BERLIN)
        start.apply("go", who="actor:ops", when=when, data={"ticket": 7})
        instance, attempt = seen[0]
        assert start == instance
        assert (
            Attempt(
                event="go",
                who="actor:ops",
                when=when,
                data_json='{"ticket":7}',
                context_json='{"agreement":"AG-1"}',
            )
            == attempt
        )
        assert (attempt.data, attempt.context) == ({"ticket": 7}, {"agreement": "AG-1"})

    def test_refusal_takes_what_apply_takes(self) -> None:
        """Foretells apply's answer with the same who, when and data; refuses bad ones the same."""
        run = PAID.begin()
        assert run.refusal("pay", who="actor:b", when=T0) == "refused by guard 'paid'"
        assert None is run.refusal("pay", who="actor:b", when=T0, data={"paid": True})
        with pytest.raises(ValidationError) as info:
            run.refusal("pay", who="", when=dt.datetime(2026, 1, 1))
        assert info.value.paths == ["$.who", "$.when"]
        assert info.value.errors[0] == f"expected {WHO_EXPECTED}, got <redacted> (string) @ $.who"

    def test_attempt_is_checked(self) -> None:
        """Refuses an Attempt with an empty event, a naive time or data that is not canonical."""
        with pytest.raises(ValidationError) as info:
            Attempt(
                event="", who="actor:x", when=dt.datetime(2026, 1, 1), data_json='{"b":1, "a":2}'
            )
        assert info.value.paths == ["$.event", "$.when", "$.data_json"]
        assert str(info.value).startswith("Attempt is invalid (3 problems):")

    def test_attempt_data_is_read_only(self) -> None:
        """Gives data and context as read-only mappings, fresh on every read."""
        attempt = Attempt(event="go", who="actor:x", when=T0, data_json='{"ids":[1]}')
        with pytest.raises(TypeError):
            attempt.data["ids"] = []  # type: ignore[index]
        attempt.data["ids"].append(2)
        assert attempt.data == {"ids": [1]}
        assert hash(attempt) == hash(pickle.loads(pickle.dumps(attempt)))

    def test_existing_guards_take_the_attempt(self) -> None:
        """Runs the shipped complaint and service guards with the new contract."""
        handled = COMPLAINT_LIFECYCLE.begin().apply(
            "handle", who="actor:desk", when=T0, data={"response": "Refunded"}
        )
        assert handled.refusal("close", who="actor:desk", when=T0, data={"outcome": "bribed"}) == (
            "no outcome recorded (the event's data needs an 'outcome': one of "
            "'resolved', 'rejected', 'withdrawn')"
        )
        assert None is handled.refusal(
            "close", who="actor:desk", when=T0, data={"outcome": "resolved"}
        )
        reason = SERVICE_LIFECYCLE.begin().refusal("design", who="actor:arch", when=T0, data={})
        assert (reason or "").startswith("design checks not met: ")


class TestContext:
    """An instance carries a small, read-only, persisted context its guards read."""

    def test_begin_with_a_context(self) -> None:
        """Keeps the context through every event; guards read it."""
        run = PAID.begin(context={"agreement": "AG-1"}).apply(
            "pay", who="actor:b", when=T0, data={"paid": True}
        )
        run = run.apply("change", who="actor:b", when=T0, data={"agreement": "AG-1"})
        assert run.context == {"agreement": "AG-1"}
        with pytest.raises(InvalidTransition) as info:
            run.apply("change", who="actor:b", when=T0, data={"agreement": "AG-2"})
        assert info.value.reason == "not under agreement 'AG-1'"
        assert PAID.begin().context == {}

    def test_context_is_read_only(self) -> None:
        """Refuses to change the context; a changed copy changes nothing."""
        run = PAID.begin(id=ID, context={"ids": ["a"]})
        with pytest.raises(TypeError):
            run.context["ids"] = []  # type: ignore[index]
        run.context["ids"].append("b")
        assert run.context == {"ids": ["a"]}
        assert PAID.begin(id=ID, context={"ids": ["a"]}) == run
        assert PAID.begin(id=ID) != run
        assert PAID.begin(id=ID).genesis != run.genesis  # the chain binds the context

    @pytest.mark.parametrize(
        ("context", "path"),
        [([1], "$.context"), ({"x": 1.5}, "$.context.x"), ({1: "x"}, "$.context")],
    )
    def test_context_must_be_json(self, context: Any, path: str) -> None:
        """Refuses a context that is not a mapping of JSON values, with the path."""
        with pytest.raises(ValidationError) as info:
            PAID.begin(context=context)
        assert [path] == info.value.paths
        with pytest.raises(ValidationError) as info:
            PAID.resume([], id=ID, context=context)
        assert [path] == info.value.paths
        with pytest.raises(ValidationError) as info:
            LifecycleInstance(lifecycle=PAID, state="open", context_json='{"x":1.5}')
        assert info.value.paths == ["$.context"]

    def test_round_trips_through_json(self) -> None:
        """Reads a stored history back with its context; without it, it is refused.

        Read back (`resume`), the chain refuses it: the genesis binds the context.
        Adopted (its hashes ignored), the guard that reads the context refuses it.
        """
        run = (
            PAID.begin(id=ID, context={"agreement": "AG-1"})
            .apply("pay", who="actor:b", when=T0, data={"paid": True})
            .apply("change", who="actor:b", when=T0, data={"agreement": "AG-1"})
        )
        stored, context = to_json(run.history()), to_json(dict(run.context))
        assert run == PAID.resume(
            from_json(list[HistoryEntry], stored), id=ID, context=json.loads(context)
        )
        with pytest.raises(ValidationError) as info:
            PAID.resume(from_json(list[HistoryEntry], stored), id=ID)
        assert info.value.paths == ["$.history[0].hash"]
        with pytest.raises(ValidationError) as info:
            PAID.adopt(from_json(list[HistoryEntry], stored), id=ID)
        assert info.value.errors == [
            (
                "expected an event the guard 'within_agreement' allows, got 'change', refused: "
                "not under agreement None @ $.history[1]"
            )
        ]


class TestResumeReplaysGuards:
    """A stored history is replayed through the same guards as live events."""

    @pytest.mark.parametrize("close", [{}, {"outcome": "bribed"}])
    def test_refuses_what_apply_refuses(self, close: dict[str, str]) -> None:
        """Refuses a closed complaint without a valid outcome at the entry's index."""
        history = sealed(
            COMPLAINT_LIFECYCLE.begin(id=ID).genesis,
            [
                entry("handle", "received", "handled", T0, response="Refunded"),
                entry("close", "handled", "closed", T0, **close),
            ],
        )
        refused = [
            (
                "expected an event the guard 'outcome_recorded' allows, got 'close', refused: "
                "no outcome recorded (the event's data needs an 'outcome': one of "
                "'resolved', 'rejected', 'withdrawn') @ $.history[1]"
            )
        ]
        with pytest.raises(ValidationError) as info:
            COMPLAINT_LIFECYCLE.resume(history, id=ID)
        assert info.value.errors == refused
        assert str(info.value).startswith("LifecycleInstance is invalid (1 problem):")
        with pytest.raises(ValidationError) as info:
            COMPLAINT_LIFECYCLE.adopt([attrs.evolve(e, hash="") for e in history], id=ID)
        assert info.value.errors == refused
        with pytest.raises(ValidationError) as info:
            LifecycleInstance(
                lifecycle=COMPLAINT_LIFECYCLE, state="closed", entries=tuple(history), id=ID
            )
        assert info.value.paths == ["$.entries[1]"]

    def test_outcome_of_a_resumed_complaint(self) -> None:
        """Reads the outcome of every complaint resume accepts."""
        history = [
            entry("handle", "received", "handled", T0, response="Refunded"),
            entry("close", "handled", "closed", T0, outcome="resolved"),
        ]
        chained = sealed(COMPLAINT_LIFECYCLE.begin(id=ID).genesis, history)
        resumed = COMPLAINT_LIFECYCLE.resume(chained, id=ID)
        assert outcome_of(resumed) == ComplaintOutcome.RESOLVED
        assert COMPLAINT_LIFECYCLE.adopt(history, id=ID) == resumed

    def test_guards_see_the_history_so_far(self) -> None:
        """Calls each guard with the instance as it stood before the entry."""
        seen: list[int] = []

        def count(instance: LifecycleInstance, _: Attempt) -> None:
            seen.append(len(instance.history()))

        lc = Lifecycle(
            name="loop",
            states=("a", "b"),
            initial="a",
            finals=("b",),
            transitions=(t("a", "again", "a", "count"), t("a", "stop", "b")),
            guards={"count": count},
        )
        history = [entry("again", "a", "a", T0) for _ in range(3)]
        lc.resume(sealed(lc.begin(id=ID).genesis, history), id=ID)
        assert seen == [0, 1, 2]
        lc.adopt(history, id=ID)
        assert seen == [0, 1, 2, 0, 1, 2]

    def test_guards_do_not_run_on_a_broken_history(self) -> None:
        """Stops calling guards once an entry does not follow, so they see only sound ones."""
        calls: list[str] = []

        def record(_: LifecycleInstance, attempt: Attempt) -> None:
            calls.append(attempt.event)

        lc = Lifecycle(
            name="loop",
            states=("a", "b"),
            initial="a",
            finals=("b",),
            transitions=(t("a", "again", "a", "record"), t("a", "stop", "b")),
            guards={"record": record},
        )
        broken = [entry("again", "b", "a", T0), entry("again", "a", "a", T0)]
        with pytest.raises(ValidationError) as info:
            lc.resume(sealed(lc.begin(id=ID).genesis, broken), id=ID)
        assert info.value.paths == ["$.history[0].source"]
        with pytest.raises(ValidationError) as info:
            lc.adopt(broken, id=ID)
        assert info.value.paths == ["$.history[0].source"]
        with pytest.raises(ValidationError) as info:  # a broken chain stops the guards too
            lc.resume([entry("again", "a", "a", T0)], id=ID)
        assert info.value.paths == ["$.history[0].hash"]
        assert calls == []

    @pytest.mark.parametrize(
        ("history", "expected"),
        [(5, "a list of HistoryEntry"), ("ab", "a list of HistoryEntry"), ([5], "a HistoryEntry")],
    )
    def test_refuses_what_is_not_a_history(self, history: Any, expected: str) -> None:
        """Refuses a history that is not a list of entries, with a ValidationError."""
        with pytest.raises(ValidationError) as info:
            TOY.resume(history, id=ID)
        assert [expected] == [p.expected for p in info.value.problems]

    @pytest.mark.parametrize(
        ("history", "expected"),
        [
            (5, "a list of HistoryEntry"),
            ("ab", "a list of HistoryEntry"),
            ([5], "a HistoryEntry"),
        ],
    )
    def test_adopt_refuses_what_is_not_a_history(self, history: Any, expected: str) -> None:
        """Refuses, in adopt as in resume, a history that is not a list of entries."""
        with pytest.raises(ValidationError) as info:
            TOY.adopt(history, id=ID)
        assert [expected] == [p.expected for p in info.value.problems]

    @given(
        instance=lifecycle_instances(
            PAID,
            data=AGREEMENTS,
            context=st.fixed_dictionaries({"agreement": st.sampled_from(["AG-1", "AG-2"])}),
        ),
        event=st.sampled_from(PAID.events),
        data=AGREEMENTS,
    )
    @settings(max_examples=examples(80), deadline=None)
    def test_resume_refuses_exactly_what_apply_refuses(
        self, instance: LifecycleInstance, event: str, data: dict[str, Any]
    ) -> None:
        """Accepts a history one entry longer exactly when apply would have applied it."""
        when = instance.history()[-1].when if instance.history() else T0
        assert instance == PAID.resume(
            instance.history(), id=instance.id, context=instance.context
        )
        transition = PAID.transition(instance.state, event)
        if transition is None:
            return
        reason = instance.refusal(event, who="actor:x", when=when, data=data)
        longer = [
            *instance.history(),
            *sealed(
                instance.head, [entry(event, instance.state, transition.target, when, **data)]
            ),
        ]
        try:
            resumed = PAID.resume(longer, id=instance.id, context=instance.context)
        except ValidationError:
            assert reason is not None
        else:
            assert reason is None
            assert instance.apply(event, who="actor:desk", when=when, data=data) == resumed


class TestInstantRange:
    """Entries and events outside the supported instant range are refused at their path."""

    @pytest.mark.parametrize(
        "when",
        [
            dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
            dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            dt.datetime(8999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-1))),
            dt.datetime(1899, 12, 31, 23, 59, tzinfo=dt.UTC),
        ],
    )
    def test_entries_outside_the_range(self, when: dt.datetime) -> None:
        """Refuses an entry, an attempt and an event outside the range, at $.when."""
        expected = [f"expected {RANGE_TEXT}, got {when.isoformat()} @ $.when"]
        with pytest.raises(ValidationError) as info:
            HistoryEntry(who="actor:a", when=when, event="e", source="s", target="t")
        assert expected == info.value.errors
        with pytest.raises(ValidationError) as info:
            Attempt(who="actor:a", when=when, event="e")
        assert expected == info.value.errors
        run = TOY.begin(id=ID)
        with pytest.raises(ValidationError) as info:
            run.apply("reject", who="actor:a", when=when)
        assert expected == info.value.errors
        assert TOY.begin(id=ID) == run

    def test_wall_times_the_clocks_skip(self) -> None:
        """Refuses an entry and an event at a wall time a DST gap skips, at $.when."""
        skipped = dt.datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN)
        with pytest.raises(ValidationError) as info:
            HistoryEntry(who="actor:a", when=skipped, event="e", source="s", target="t")
        assert info.value.paths == ["$.when"]
        with pytest.raises(ValidationError) as info:
            TOY.begin().apply("reject", who="actor:a", when=skipped)
        assert info.value.errors == [
            (
                "expected a wall time that exists in Europe/Berlin, "
                "got 2026-03-29T02:30:00, which the clocks skip @ $.when"
            )
        ]

    def test_the_ends_of_the_range(self) -> None:
        """Accepts the first instant of the range and the last before its end."""
        first = dt.datetime(1899, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-1)))
        last = dt.datetime(8999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
        run = TOY.begin().apply("approve", who="actor:a", when=first, data={"approved": True})
        run = run.apply("implement", who="actor:a", when=last)
        assert run == TOY.resume(run.history(), id=run.id)
        assert b'"when":"1900-01-01T00:00:00.000000+00:00"' in run.history()[0].canonical()
        assert b'"when":"8999-12-31T23:59:59.999999+00:00"' in run.history()[1].canonical()


class TestFold:
    """Entries compare and hash by the UTC instant and zone; order checks use the instant."""

    def test_fold_entries_differ(self) -> None:
        """Keeps two entries an hour apart in the DST fold as two different entries."""
        first = entry(
            "reject", "requested", "rejected", dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
        )
        second = entry(
            "reject",
            "requested",
            "rejected",
            dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
        )
        assert first != second
        assert len({first, second}) == 2
        assert first.canonical() != second.canonical()

    def test_zones_differ(self) -> None:
        """Tells one instant in Berlin from the same instant in UTC, as instant_key does."""
        utc = entry("reject", "requested", "rejected", T0)
        berlin = entry("reject", "requested", "rejected", T0.astimezone(BERLIN))
        assert utc != berlin
        assert utc == entry("reject", "requested", "rejected", T0)
        assert hash(utc) == hash(entry("reject", "requested", "rejected", T0))

    def test_apply_orders_by_the_instant(self) -> None:
        """Applies 02:15 fold=1 after 02:45 fold=0 (later by the clock), refuses the reverse."""
        early = dt.datetime(2026, 10, 25, 2, 45, tzinfo=BERLIN)
        later = dt.datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=BERLIN)
        run = TOY.begin().apply("approve", who="actor:a", when=early, data={"approved": True})
        run = run.apply("implement", who="actor:a", when=later)
        assert run == TOY.resume(run.history(), id=run.id)
        with pytest.raises(ValidationError) as info:
            TOY.begin().apply("approve", who="actor:a", when=later, data={"approved": True}).apply(
                "implement", who="actor:a", when=early
            )
        assert info.value.errors == [
            (
                "expected an instant not before the last entry (2026-10-25T02:15:00+01:00), "
                "got 2026-10-25T02:45:00+02:00 @ $.when"
            )
        ]
        backwards = [
            entry("approve", "requested", "approved", later, approved=True),
            entry("implement", "approved", "implemented", early),
        ]
        with pytest.raises(ValidationError) as info:
            TOY.resume(sealed(TOY.begin(id=ID).genesis, backwards), id=ID)
        assert info.value.paths == ["$.history[1].when"]

    def test_fold_survives_json(self) -> None:
        """Reads both wall times of the fold back as the entries they were."""
        entries = [
            entry("e", "s", "t", dt.datetime(2026, 10, 25, 2, 30, fold=fold, tzinfo=BERLIN))
            for fold in (0, 1)
        ]
        assert entries == from_json(list[HistoryEntry], to_json(entries))

    @given(first=aware_datetimes(), second=aware_datetimes())
    @settings(max_examples=examples(200), deadline=None)
    def test_equal_exactly_when_instant_and_zone_are(
        self, first: dt.datetime, second: dt.datetime
    ) -> None:
        """Makes entries equal exactly when their instant_key is, and equal ones hash alike."""
        a, b = entry("e", "s", "t", first), entry("e", "s", "t", second)
        assert (instant_key(first) == instant_key(second)) == (a == b)
        assert a != b or hash(a) == hash(b)


class TestFrozen:
    """Nothing reachable from a lifecycle, an instance or an entry changes what it equals."""

    def test_guards_are_read_only(self) -> None:
        """Refuses to clear or replace a lifecycle's guards, the shipped ones included."""
        with pytest.raises(TypeError):
            TOY.guards.clear()  # type: ignore[attr-defined]
        with pytest.raises(TypeError):
            COMPLAINT_LIFECYCLE.guards["outcome_recorded"] = needs_approval  # type: ignore[index]
        assert (
            TOY.begin().refusal("approve", who="actor:a", when=T0) == "the change is not approved"
        )

    def test_guards_are_not_refilled(self) -> None:
        """Keeps the shipped guards when someone calls the mapping's __init__ again."""
        shipped = dict(COMPLAINT_LIFECYCLE.guards)
        COMPLAINT_LIFECYCLE.guards.__init__({"outcome_recorded": needs_approval})  # type: ignore[misc]
        assert shipped == dict(COMPLAINT_LIFECYCLE.guards)

    def test_guards_are_copied(self) -> None:
        """Keeps its own copy of the guards it was given."""
        given: dict[str, Any] = {"needs_approval": needs_approval}
        lc = Lifecycle(
            name="copy",
            states=TOY.states,
            initial=TOY.initial,
            finals=TOY.finals,
            transitions=TOY.transitions,
            guards=given,
        )
        given["needs_approval"] = paid
        assert needs_approval is lc.guards["needs_approval"]

    def test_entry_data_is_a_copy(self) -> None:
        """Gives an entry's data as a fresh dict: changing it changes no entry."""
        run = TOY.begin(id=ID).apply("reject", who="actor:a", when=T0, data={"ids": [1]})
        before = run.history()[0].canonical()
        run.history()[0].data["ids"].append(2)
        assert before == run.history()[0].canonical()
        assert TOY.begin(id=ID).apply("reject", who="actor:a", when=T0, data={"ids": [1]}) == run

    def test_data_given_is_copied(self) -> None:
        """Keeps what the event's data was when applied, whatever happens to it later."""
        data: dict[str, Any] = {"ids": [1]}
        run = TOY.begin().apply("reject", who="actor:a", when=T0, data=data)
        data["ids"].append(2)
        assert run.history()[0].data == {"ids": [1]}

    @pytest.mark.parametrize(
        ("fields", "fault"),
        [
            ({"source": ["a"]}, "source must be text, not ['a'] (array)"),
            ({"guard": 5}, "guard must be text, not 5 (integer)"),
        ],
    )
    def test_transitions_hold_names(self, fields: dict[str, Any], fault: str) -> None:
        """Refuses a transition whose names are not text (no TypeError later)."""
        with pytest.raises(InvalidDefinition) as info:
            Transition(**{"source": "a", "event": "go", "target": "b", **fields})
        assert (fault,) == info.value.problems

    def test_initial_must_be_text(self) -> None:
        """Refuses an initial state that is not text, with InvalidDefinition."""
        with pytest.raises(InvalidDefinition) as info:
            Lifecycle(
                name="x",
                states=("a", "b"),
                initial=["a"],  # type: ignore[arg-type]
                finals=("b",),
                transitions=(t("a", "go", "b"),),
            )
        assert info.value.problems == ("initial must be text, not ['a'] (array)",)

    def test_instances_take_a_list_of_entries(self) -> None:
        """Keeps a list of entries given to the constructor as a Trail; refuses anything else."""
        done = TOY.begin().apply("reject", who="actor:a", when=T0)
        built = LifecycleInstance(
            lifecycle=TOY,
            state="rejected",
            entries=list(done.history()),  # type: ignore[arg-type]
            id=done.id,
        )
        assert done == built
        assert isinstance(built.entries, Trail)
        assert built.entries == done.history()
        assert built.entries[:] == done.history()
        with pytest.raises(ValidationError) as info:
            LifecycleInstance(lifecycle=TOY, state="requested", entries=5)  # type: ignore[arg-type]
        assert info.value.errors == [
            "expected a list of HistoryEntry, got 5 (integer) @ $.entries"
        ]
        with pytest.raises(ValidationError) as info:
            LifecycleInstance(lifecycle="toy", state="requested")  # type: ignore[arg-type]
        assert info.value.paths == ["$.lifecycle"]

    def test_apply_refuses_an_event_that_is_not_text(self) -> None:
        """Refuses an event name that is not text, at $.event."""
        with pytest.raises(ValidationError) as info:
            TOY.begin().apply(["reject"], who="actor:a", when=T0)  # type: ignore[arg-type]
        assert info.value.paths == ["$.event"]


BillingMachine = lifecycle_machine(PAID, data=AGREEMENTS, context={"agreement": "AG-1"})


class BillingRules(BillingMachine):  # type: ignore[misc,valid-type]
    """The billing lifecycle: a boolean guard and a guard that reads the context."""

    @invariant()
    def changes_only_under_the_agreement(self) -> None:
        """Never shows a change under another agreement than the instance's."""
        changes = [e.data for e in self.instance.history() if e.event == "change"]
        assert all(c["agreement"] == "AG-1" for c in changes)

    @invariant()
    def paid_before_anything_else(self) -> None:
        """Never shows a payment refused by the boolean guard in the history."""
        pays = [e.data for e in self.instance.history() if e.event == "pay"]
        assert all(p["paid"] is True for p in pays)


BillingRules.TestCase.settings = settings(
    max_examples=examples(40), stateful_step_count=20, deadline=None
)
TestBillingLifecycle = BillingRules.TestCase


class TestOrigin:
    """A recorded history may begin later than the initial state; nothing is invented before."""

    def test_begin_at_an_origin(self) -> None:
        """Starts in the origin with an empty history, and moves on from there."""
        approved = TOY.begin(origin="approved")
        assert (approved.state, approved.start, approved.origin) == (
            "approved",
            "approved",
            "approved",
        )
        assert approved.history() == ()
        done = approved.apply("implement", who="actor:ops", when=T0)
        assert (done.state, done.origin) == ("implemented", "approved")
        assert [(e.source, e.target) for e in done.history()] == [("approved", "implemented")]

    def test_the_initial_state_is_no_origin(self) -> None:
        """An origin equal to the initial state is the same value as no origin."""
        assert TOY.begin(id=ID, origin="requested") == TOY.begin(id=ID)
        assert TOY.begin(id=ID, origin="requested").genesis == TOY.begin(id=ID).genesis
        assert TOY.begin(origin="requested").origin is None
        built = LifecycleInstance(lifecycle=TOY, state="requested", origin="requested", id=ID)
        assert built.origin is None
        assert built == TOY.begin(id=ID)
        assert TOY.begin().start == "requested"

    def test_an_origin_is_a_state(self) -> None:
        """Refuses an origin that is not a state of the lifecycle, at $.origin."""
        with pytest.raises(ValidationError) as info:
            TOY.begin(origin="lost")
        assert info.value.errors == [
            (
                "expected a state of the 'toy_change' lifecycle or null, got 'lost' (string) "
                "@ $.origin"
            )
        ]
        with pytest.raises(ValidationError) as info:
            TOY.resume([], id=ID, origin=5)  # type: ignore[arg-type]
        assert info.value.paths == ["$.origin"]
        with pytest.raises(ValidationError) as info:
            LifecycleInstance(lifecycle=TOY, state="lost", origin="lost")
        assert info.value.paths == ["$.origin"]

    def test_resume_replays_from_the_origin(self) -> None:
        """Replays the history from the origin, through the guards, and names a wrong source.

        Read back without its origin, the chain breaks too (the genesis binds the
        origin); adopted without it, the wrong source alone is named.
        """
        implemented = TOY.begin(origin="approved").apply("implement", who="actor:ops", when=T0)
        assert (
            TOY.resume(implemented.history(), id=implemented.id, origin="approved") == implemented
        )
        wrong_source = "expected 'requested', got 'approved' (string) @ $.history[0].source"
        with pytest.raises(ValidationError) as info:
            TOY.resume(implemented.history(), id=implemented.id)
        assert info.value.paths == ["$.history[0].hash", "$.history[0].source"]
        assert info.value.errors[1] == wrong_source
        with pytest.raises(ValidationError) as info:
            TOY.adopt(implemented.history(), id=implemented.id)
        assert info.value.errors == [wrong_source]
        direct = LifecycleInstance(
            lifecycle=TOY,
            state="implemented",
            entries=implemented.history(),
            origin="approved",
            id=implemented.id,
        )
        assert direct == implemented

    def test_a_final_origin(self) -> None:
        """A record kept only as a final state begins there and allows nothing more."""
        closed = TOY.begin(origin="closed")
        assert closed.is_final
        with pytest.raises(InvalidTransition) as info:
            closed.apply("reopen", who="actor:ops", when=T0)
        assert info.value.allowed == ()


@attrs.frozen(kw_only=True)
class Ticket:
    """A record of the tests' own that holds a toy lifecycle instance bound to its id."""

    title: str
    id: str = "ticket-1"
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(lambda self: TOY.begin(id=self.id), takes_self=True)
    )

    def __attrs_post_init__(self) -> None:
        problems = TOY.instance_problems(self.lifecycle)
        if problems:
            raise ValidationError(problems, subject="Ticket")


@attrs.frozen
class Untracked:
    """An attrs record without a lifecycle."""

    title: str


class TestAdvance:
    """advance() is the one way a record's lifecycle moves: a new record, or nothing."""

    def test_moves_the_record(self) -> None:
        """Returns a new record whose instance took the event; the old one is unchanged."""
        ticket = Ticket(title="Rotate keys")
        approved = advance(ticket, "approve", who="actor:cab", when=T0, data={"approved": True})
        assert approved.lifecycle.state == "approved"
        assert approved.title == "Rotate keys"
        assert approved.lifecycle == ticket.lifecycle.apply(
            "approve", who="actor:cab", when=T0, data={"approved": True}
        )
        assert ticket == Ticket(title="Rotate keys")

    def test_refusals_are_those_of_apply(self) -> None:
        """Raises exactly what apply raises for the same event, and changes nothing."""
        ticket = Ticket(title="Rotate keys")
        with pytest.raises(InvalidTransition) as expected:
            ticket.lifecycle.apply("approve", who="actor:cab", when=T0, data={"approved": False})
        with pytest.raises(InvalidTransition) as info:
            advance(ticket, "approve", who="actor:cab", when=T0, data={"approved": False})
        assert str(info.value) == str(expected.value)
        assert (info.value.state, info.value.event, info.value.reason, info.value.allowed) == (
            "requested",
            "approve",
            "the change is not approved",
            ("approve", "reject"),
        )
        with pytest.raises(ValidationError) as info_who:
            advance(ticket, "reject", who=" ", when=dt.datetime(2026, 1, 1))
        assert info_who.value.paths == ["$.who", "$.when"]
        assert info_who.value.problems[0].expected == WHO_EXPECTED
        with pytest.raises(ValidationError) as info_who:
            advance(ticket, "reject", who="Alice Smith", when=T0)
        assert info_who.value.errors == [
            f"expected {WHO_EXPECTED}, got <redacted> (string) @ $.who"
        ]
        assert ticket == Ticket(title="Rotate keys")

    @pytest.mark.parametrize(
        "record",
        [
            {"lifecycle": TOY.begin()},
            Untracked("no lifecycle"),
            Ticket,
            None,
        ],
        ids=["a dict", "no field", "a class", "None"],
    )
    def test_a_record_without_a_lifecycle(self, record: object) -> None:
        """Refuses anything but an attrs record holding an instance, at $.record."""
        with pytest.raises(ValidationError) as info:
            advance(record, "reject", who="actor:cab", when=T0)
        assert info.value.paths == ["$.record"]
        assert info.value.problems[0].expected == (
            "an attrs record with a 'lifecycle' field holding a LifecycleInstance"
        )

    def test_a_record_refuses_another_lifecycle(self) -> None:
        """The record's own check refuses an instance of another lifecycle at $.lifecycle."""
        with pytest.raises(ValidationError) as info:
            Ticket(title="x", lifecycle=PAID.begin())
        assert info.value.errors == [
            (
                "expected an instance of the 'toy_change' lifecycle, got an instance of "
                "'billing' @ $.lifecycle"
            )
        ]
        with pytest.raises(ValidationError) as info:
            Ticket(title="x", lifecycle="requested")  # type: ignore[arg-type]
        assert info.value.errors == [
            (
                "expected an instance of the 'toy_change' lifecycle, got 'requested' (string) "
                "@ $.lifecycle"
            )
        ]

    @given(st.lists(st.sampled_from(TOY.events), max_size=12), APPROVALS)
    def test_state_follows_the_instance(self, events: list[str], data: dict[str, Any]) -> None:
        """Each advance either moves the record as apply moves its instance, or changes nothing."""
        ticket = Ticket(title="t")
        for event in events:
            before = ticket
            try:
                ticket = advance(ticket, event, who="actor:ops", when=T0, data=data)
            except InvalidTransition:
                assert ticket == before
            else:
                assert ticket.lifecycle.history()[:-1] == before.lifecycle.history()


class TestRegistry:
    """Lifecycles are found by name; a name maps to a dotted path resolved on first use."""

    def test_shipped_lifecycles(self) -> None:
        """Finds the service and complaint lifecycles by their names."""
        assert lifecycle_named("cloud_service") is SERVICE_LIFECYCLE
        assert lifecycle_named("complaint") is COMPLAINT_LIFECYCLE
        known = registered_lifecycles()
        assert known["cloud_service"] == "cloudsms.services:SERVICE_LIFECYCLE"
        assert known["complaint"] == "cloudsms.parties.complaints:COMPLAINT_LIFECYCLE"
        assert list(known) == sorted(known)

    def test_unknown_name_suggests(self) -> None:
        """Refuses an unknown name with close names; a name that is not text too."""
        with pytest.raises(UnknownReference) as info:
            lifecycle_named("cloud_servce")
        assert info.value.suggestions == ("cloud_service",)
        assert str(info.value) == ("unknown lifecycle 'cloud_servce'; did you mean cloud_service?")
        with pytest.raises(UnknownReference):
            lifecycle_named(["complaint"])  # type: ignore[arg-type]

    def test_a_users_own_lifecycle(self) -> None:
        """Registers a lifecycle by its path, finds it by name; the same path again is fine."""
        register_lifecycle("toy_change", f"{__name__}:TOY")
        register_lifecycle("toy_change", f"{__name__}:TOY")
        assert lifecycle_named("toy_change") is TOY
        assert registered_lifecycles()["toy_change"] == f"{__name__}:TOY"
        with pytest.raises(InvalidDefinition) as info:
            register_lifecycle("toy_change", f"{__name__}:PAID")
        assert info.value.problems == (
            f"it is registered as '{__name__}:TOY', not '{__name__}:PAID'",
        )

    def test_bad_registrations(self) -> None:
        """Refuses a name that is no identifier and a path without its attribute."""
        with pytest.raises(InvalidDefinition) as info:
            register_lifecycle("two words", "cloudsms.services")
        assert info.value.problems == (
            "the name must be an identifier, not 'two words' (string)",
            "the path must be 'package.module:NAME', not 'cloudsms.services' (string)",
        )
        assert "two words" not in registered_lifecycles()

    @pytest.mark.parametrize(
        ("name", "path", "fault"),
        [
            (
                "nowhere_lc",
                "cloudsms.nowhere:X",
                (
                    "'cloudsms.nowhere:X' names a module that cannot be imported "
                    "(No module named 'cloudsms.nowhere')"
                ),
            ),
            (
                "missing_lc",
                "cloudsms.services:NO_SUCH",
                (
                    "'cloudsms.services:NO_SUCH' names nothing: cloudsms.services has no "
                    "attribute 'NO_SUCH'"
                ),
            ),
            (
                "number_lc",
                "cloudsms.lifecycle._core:_MAX_DEPTH",
                "'cloudsms.lifecycle._core:_MAX_DEPTH' is 16 (integer), not a Lifecycle",
            ),
            (
                "renamed_lc",
                "cloudsms.services:SERVICE_LIFECYCLE",
                (
                    "'cloudsms.services:SERVICE_LIFECYCLE' is the lifecycle 'cloud_service', "
                    "not 'renamed_lc'"
                ),
            ),
        ],
        ids=["no module", "no attribute", "not a lifecycle", "another name"],
    )
    def test_a_path_that_does_not_resolve(self, name: str, path: str, fault: str) -> None:
        """Registers lazily; the look-up names what the path does not resolve to."""
        register_lifecycle(name, path)
        with pytest.raises(InvalidDefinition) as info:
            lifecycle_named(name)
        assert info.value.subject == f"lifecycle {name!r}"
        assert info.value.problems == (fault,)
