"""Tests of problems, known errors, changes and releases (S09; 20000-1:2011 8.2, 9.2, 9.3)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant

from cloudsms.agreements import Notice
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import advance, register_lifecycle, verify
from cloudsms.operations.changes import (
    CHANGE_LIFECYCLE,
    Change,
    ChangeKind,
    ChangeOutcome,
)
from cloudsms.operations.maintenance import MaintenanceWindow
from cloudsms.operations.problems import PROBLEM_LIFECYCLE, KnownError, Problem
from cloudsms.operations.releases import RELEASE_LIFECYCLE, Release
from cloudsms.periods import Period
from cloudsms.serialization import from_json, to_json
from cloudsms.testing import (
    changes,
    known_errors,
    lifecycle_machine,
    problems,
    releases,
)

from conftest import examples

# Until the lead adds them to the built-in table, the tests register the lifecycles
# (the same paths: registering again changes nothing).
register_lifecycle("problem", "cloudsms.operations.problems:PROBLEM_LIFECYCLE")
register_lifecycle("change", "cloudsms.operations.changes:CHANGE_LIFECYCLE")
register_lifecycle("release", "cloudsms.operations.releases:RELEASE_LIFECYCLE")

T0 = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
OPS = "actor:ops-2"
POOL = KnownError(description="The connection pool leaks", workaround="Restart nightly")


def at(hours: float) -> dt.datetime:
    """T0 plus ``hours``."""
    return T0 + dt.timedelta(hours=hours)


def problem(**changes_: object) -> Problem:
    """A problem of two incidents, with ``changes_`` to its fields."""
    fields: dict[str, object] = {
        "id": "prb-1",
        "summary": "Pool exhaustion",
        "incident_ids": {"inc-7", "inc-8"},
    }
    fields.update(changes_)
    return Problem(**fields)  # type: ignore[arg-type]


def change(kind: ChangeKind = ChangeKind.NORMAL, **changes_: object) -> Change:
    """A change of ``kind`` to crm for two customers, with ``changes_`` to its fields."""
    fields: dict[str, object] = {
        "id": "chg-9",
        "kind": kind,
        "summary": "Raise the pool size",
        "services": {"crm"},
        "customers": {"acme", "globex"},
        "requested_at": T0,
    }
    fields.update(changes_)
    return Change(**fields)  # type: ignore[arg-type]


def window(start: dt.datetime, services: frozenset[str] = frozenset({"crm"})) -> MaintenanceWindow:
    """A four-hour window from ``start`` on ``services``, announced two days before."""
    return MaintenanceWindow(
        start=start, end=start + 4 * HOUR, services=services, announced_at=start - 48 * HOUR
    )


def notice(to: set[str], sent: dt.datetime) -> Notice:
    """A provider's notice to ``to``, sent and effective at ``sent``."""
    return Notice(sent_by="provider", sent_to=to, sent_at=sent, effective_at=sent)


def moved(record: object, *steps: tuple[str, float, dict[str, object] | None]) -> object:
    """``record`` moved by each (event, hours after T0, data) in turn."""
    for event, hours, data in steps:
        record = advance(record, event, who=OPS, when=at(hours), data=data)
    return record


# ---------------------------------------------------------------------- problems
class TestKnownError:
    """A known error: a description and a workaround."""

    def test_refuses_empty_parts(self) -> None:
        """Refuses an empty description and a blank workaround, each at its path."""
        with pytest.raises(ValidationError) as info:
            KnownError(description="", workaround=" ")
        assert info.value.paths == ["$.description", "$.workaround"]

    @given(known_errors())
    def test_event_data_round_trip(self, known: KnownError) -> None:
        """Turns into event data and back unchanged."""
        assert KnownError.from_data(known.as_data()) == known


class TestProblemLifecycle:
    """The problem lifecycle's table and guards."""

    def test_table(self) -> None:
        """Declares the states in order and the events between them."""
        assert PROBLEM_LIFECYCLE.states == (
            "logged",
            "investigating",
            "known_error",
            "resolved",
            "closed",
        )
        assert PROBLEM_LIFECYCLE.allowed_events("investigating") == (
            "record_known_error",
            "resolve",
        )
        assert PROBLEM_LIFECYCLE.finals == frozenset({"closed"})

    def test_resolve_needs_a_change(self) -> None:
        """Refuses a resolution that names no change, saying why; nothing changes."""
        start = PROBLEM_LIFECYCLE.begin(id="p").apply("investigate", who=OPS, when=T0)
        for data in ({}, {"change": ""}, {"change": "no spaces"}):
            with pytest.raises(InvalidTransition) as info:
                start.apply("resolve", who=OPS, when=T0, data=data)
            assert info.value.reason == (
                "no change named (the event's data needs a 'change': the id of the resolving "
                "change)"
            )
        assert start.state == "investigating"

    def test_known_error_needs_both_parts(self) -> None:
        """Refuses a known error without a workaround, or with extra keys."""
        start = PROBLEM_LIFECYCLE.begin(id="p").apply("investigate", who=OPS, when=T0)
        bad = (
            {"known_error": {"description": "Leak"}},
            {"known_error": {"description": "Leak", "workaround": ""}},
            {"known_error": {**POOL.as_data(), "owner": "x"}},
            {"known_error": "Leak"},
        )
        for data in bad:
            assert start.refusal("record_known_error", who=OPS, when=T0, data=data) is not None
        ok = start.apply(
            "record_known_error", who=OPS, when=T0, data={"known_error": POOL.as_data()}
        )
        assert ok.state == "known_error"

    def test_not_resolved_from_logged(self) -> None:
        """Refuses to resolve a problem nobody investigated."""
        with pytest.raises(InvalidTransition) as info:
            PROBLEM_LIFECYCLE.begin(id="p").apply(
                "resolve", who=OPS, when=T0, data={"change": "c"}
            )
        assert info.value.allowed == ("investigate",)


class TestProblem:
    """A problem record: incidents, cause, known error, resolving change."""

    def test_defaults(self) -> None:
        """Begins logged, bound to its own id, with no known error or change."""
        made = problem()
        assert (made.state, made.lifecycle.id, made.known_error, made.change_id) == (
            "logged",
            "prb-1",
            None,
            None,
        )
        assert made.resolved_at is None
        assert made.known_error_recorded_at is None

    def test_refuses_bad_fields(self) -> None:
        """Refuses no incidents, an empty root cause, a bad change id and another lifecycle."""
        with pytest.raises(ValidationError) as info:
            problem(
                incident_ids=set(),
                root_cause=" ",
                change_id="a change",
                lifecycle=RELEASE_LIFECYCLE.begin(id="x"),
            )
        assert info.value.paths == [
            "$.incident_ids",
            "$.root_cause",
            "$.change_id",
            "$.lifecycle",
        ]
        assert "a non-empty string or null" in str(info.value)

    def test_full_run(self) -> None:
        """Investigated, known error recorded, resolved by its change, closed; times read."""
        run = moved(problem(), ("investigate", 1, None))
        run = attrs.evolve(run, known_error=POOL, root_cause="A leak in the driver")
        run = moved(run, ("record_known_error", 2, {"known_error": POOL.as_data()}))
        run = attrs.evolve(run, change_id="chg-9")
        run = moved(run, ("resolve", 30, {"change": "chg-9"}), ("close", 31, None))
        assert isinstance(run, Problem)
        assert run.state == "closed"
        assert (run.known_error_recorded_at, run.resolved_at, run.closed_at) == (
            at(2),
            at(30),
            at(31),
        )
        assert verify(run.lifecycle) is None

    def test_known_error_must_match_the_history(self) -> None:
        """Refuses a recorded known error the field does not carry; nothing is built."""
        run = moved(problem(), ("investigate", 1, None))
        with pytest.raises(ValidationError) as info:
            advance(
                run,
                "record_known_error",
                who=OPS,
                when=at(2),
                data={"known_error": POOL.as_data()},
            )
        assert info.value.paths == ["$.known_error"]
        assert info.value.problems[0].expected == (
            "the known error recorded at lifecycle.history[1] ('The connection pool leaks')"
        )

    def test_recorded_known_error_stays(self) -> None:
        """Refuses to swap a recorded known error, or to record a second one."""
        other = KnownError(description=POOL.description, workaround="Cap the pool at 50")
        run = moved(
            attrs.evolve(moved(problem(), ("investigate", 1, None)), known_error=POOL),
            ("record_known_error", 2, {"known_error": POOL.as_data()}),
        )
        with pytest.raises(ValidationError) as info:
            attrs.evolve(run, known_error=other)
        assert info.value.paths == ["$.known_error"]
        with pytest.raises(InvalidTransition):
            moved(run, ("record_known_error", 3, {"known_error": other.as_data()}))

    def test_change_must_match_the_resolution(self) -> None:
        """Refuses a resolved problem whose change is not the resolving one."""
        run = moved(attrs.evolve(problem(), change_id="chg-1"), ("investigate", 1, None))
        with pytest.raises(ValidationError) as info:
            advance(run, "resolve", who=OPS, when=at(2), data={"change": "chg-2"})
        assert info.value.paths == ["$.change_id"]
        assert info.value.problems[0].got == "'chg-1' (string)"

    def test_draft_fields_allowed_before_their_events(self) -> None:
        """Accepts a known error being written up and a change raised before the events."""
        made = problem(known_error=POOL, change_id="chg-9")
        assert made.state == "logged"

    @settings(max_examples=examples(60), deadline=None)
    @given(problems())
    def test_round_trip(self, value: Problem) -> None:
        """Writes any problem as a cloudsms.problem document and reads it back equal."""
        text = to_json(value)
        assert text.startswith('{"type":"cloudsms.problem","schema_version":1')
        assert from_json(Problem, text) == value


# ---------------------------------------------------------------------- changes
class TestChangeLifecycle:
    """The change lifecycle's guards, read from the kind in the instance's context."""

    @staticmethod
    def begin(kind: ChangeKind) -> object:
        return CHANGE_LIFECYCLE.begin(id="c", context={"kind": kind.value})

    def test_normal_not_implemented_before_approval(self) -> None:
        """Refuses to implement a requested normal change, saying why."""
        with pytest.raises(InvalidTransition) as info:
            CHANGE_LIFECYCLE.begin(id="c", context={"kind": "normal"}).apply(
                "implement", who=OPS, when=T0
            )
        assert info.value.reason == "a normal change is not implemented before it is approved"

    def test_standard_needs_no_approval(self) -> None:
        """Implements a standard change at once and refuses to approve it."""
        start = CHANGE_LIFECYCLE.begin(id="c", context={"kind": "standard"})
        assert start.refusal("approve", who=OPS, when=T0) == (
            "a standard change is approved in advance, as a kind: it takes no approval"
        )
        assert start.apply("implement", who=OPS, when=T0).state == "implemented"

    def test_emergency_reviewed_after_retrospective_approval(self) -> None:
        """Implements an emergency change at once; reviews it only once approved afterwards."""
        done = CHANGE_LIFECYCLE.begin(id="c", context={"kind": "emergency"}).apply(
            "implement", who=OPS, when=T0
        )
        assert done.refusal("review", who=OPS, when=T0) == (
            "an emergency change is reviewed only after its (retrospective) approval"
        )
        approved = done.apply("approve_retrospectively", who="actor:cab", when=at(1))
        assert approved.state == "implemented"
        assert approved.refusal("approve_retrospectively", who=OPS, when=at(2)) == (
            "the change is approved already"
        )
        assert approved.apply("review", who=OPS, when=at(2)).state == "reviewed"

    def test_emergency_approved_beforehand(self) -> None:
        """Reviews an emergency change approved before it ran, with no second approval."""
        run = (
            CHANGE_LIFECYCLE.begin(id="c", context={"kind": "emergency"})
            .apply("approve", who="actor:cab", when=T0)
            .apply("implement", who=OPS, when=T0)
        )
        assert run.refusal("approve_retrospectively", who=OPS, when=T0) is not None
        assert run.apply("review", who=OPS, when=T0).state == "reviewed"

    def test_retrospective_approval_only_for_emergencies(self) -> None:
        """Refuses a retrospective approval of a standard change."""
        done = CHANGE_LIFECYCLE.begin(id="c", context={"kind": "standard"}).apply(
            "implement", who=OPS, when=T0
        )
        assert done.refusal("approve_retrospectively", who=OPS, when=T0) == (
            "only an emergency change is approved after it is implemented"
        )

    def test_no_kind_in_context(self) -> None:
        """Refuses the kind-guarded events of an instance begun without a kind."""
        bare = CHANGE_LIFECYCLE.begin(id="c")
        expected = "the instance's context names no change kind ({'kind': 'normal'}, say)"
        assert bare.refusal("approve", who=OPS, when=T0) == expected
        assert bare.refusal("implement", who=OPS, when=T0) == expected

    def test_close_needs_an_outcome(self) -> None:
        """Refuses to close without an outcome of the enumeration."""
        reviewed = (
            CHANGE_LIFECYCLE.begin(id="c", context={"kind": "standard"})
            .apply("implement", who=OPS, when=T0)
            .apply("review", who=OPS, when=T0)
        )
        reason = reviewed.refusal("close", who=OPS, when=T0, data={"outcome": "fine"})
        assert reason == (
            "no outcome given (the event's data needs an 'outcome': one of 'successful', "
            "'failed', 'rolled_back')"
        )
        closed = reviewed.apply("close", who=OPS, when=T0, data={"outcome": "rolled_back"})
        assert closed.is_final


class TestChange:
    """A change record: kind, services, customers, window, notices, outcome."""

    def test_defaults(self) -> None:
        """Begins requested, bound to its id, with its kind in the instance's context."""
        made = change(ChangeKind.EMERGENCY)
        assert (made.state, made.lifecycle.id, dict(made.lifecycle.context)) == (
            "requested",
            "chg-9",
            {"kind": "emergency"},
        )
        assert (made.approved_by, made.approved_at, made.approved_retrospectively) == (
            None,
            None,
            False,
        )

    def test_refuses_bad_fields(self) -> None:
        """Refuses a kind given as text, no services and a naive request time."""
        with pytest.raises(ValidationError) as info:
            change(kind="normal", services=set(), requested_at=dt.datetime(2026, 1, 1))
        assert info.value.paths == ["$.kind", "$.services", "$.requested_at"]

    def test_refuses_an_instance_of_another_kind(self) -> None:
        """Refuses an instance whose context names another kind than the change's."""
        with pytest.raises(ValidationError) as info:
            change(
                ChangeKind.NORMAL,
                lifecycle=CHANGE_LIFECYCLE.begin(id="chg-9", context={"kind": "standard"}),
            )
        assert info.value.paths == ["$.lifecycle"]
        assert info.value.problems[0].got == "the kind 'standard' (string)"

    def test_no_event_before_the_request(self) -> None:
        """Refuses an approval earlier than the request."""
        with pytest.raises(ValidationError) as info:
            advance(change(), "approve", who=OPS, when=T0 - HOUR)
        assert info.value.paths == ["$.lifecycle.history[0].when"]

    def test_approval_read_from_the_history(self) -> None:
        """Reads who approved a normal change and when from its approve entry."""
        run = moved(change(), ("approve", 2, None), ("implement", 5, None))
        assert isinstance(run, Change)
        assert (run.approved_by, run.approved_at, run.implemented_at) == (OPS, at(2), at(5))

    def test_retrospective_approval_read(self) -> None:
        """Reads an emergency change's retrospective approval."""
        run = moved(
            change(ChangeKind.EMERGENCY),
            ("implement", 1, None),
            ("approve_retrospectively", 3, None),
            ("review", 4, None),
        )
        assert isinstance(run, Change)
        assert (run.approved_at, run.approved_retrospectively, run.reviewed_at) == (
            at(3),
            True,
            at(4),
        )

    def test_window_covers_the_services(self) -> None:
        """Refuses a window that leaves out one of the change's services."""
        with pytest.raises(ValidationError) as info:
            change(services={"crm", "mail"}, window=window(at(24)))
        assert info.value.paths == ["$.window.services"]
        assert "(missing ['mail'])" in info.value.problems[0].expected

    def test_affected_customers_notified_before_the_window(self) -> None:
        """Refuses to implement until every affected customer has a notice before the window."""
        planned = change(affects_availability=True, window=window(at(24)))
        approved = moved(planned, ("approve", 1, None))
        with pytest.raises(ValidationError) as info:
            advance(approved, "implement", who=OPS, when=at(25))
        assert info.value.paths == ["$.notices", "$.notices"]
        late = attrs.evolve(approved, notices=(notice({"acme", "globex"}, at(24.5)),))
        with pytest.raises(ValidationError) as info:
            advance(late, "implement", who=OPS, when=at(25))
        assert "no later than the window's start (2026-10-06T09:00:00+00:00)" in str(info.value)
        told = attrs.evolve(
            approved, notices=(notice({"acme"}, at(2)), notice({"globex", "x"}, at(24)))
        )
        assert advance(told, "implement", who=OPS, when=at(25)).state == "implemented"

    def test_notice_without_window_before_implementation(self) -> None:
        """Without a window, takes a notice sent no later than the implementation."""
        standard = change(ChangeKind.STANDARD, affects_availability=True, customers={"acme"})
        early = attrs.evolve(standard, notices=(notice({"acme"}, at(1)),))
        assert advance(early, "implement", who=OPS, when=at(1)).state == "implemented"
        late = attrs.evolve(standard, notices=(notice({"acme"}, at(2)),))
        with pytest.raises(ValidationError) as info:
            advance(late, "implement", who=OPS, when=at(1))
        assert info.value.paths == ["$.notices"]

    def test_availability_untouched_needs_no_notice(self) -> None:
        """Implements a change that affects nobody's availability without notices."""
        assert moved(change(ChangeKind.STANDARD), ("implement", 1, None)).state == "implemented"

    def test_outcome_only_once_implemented(self) -> None:
        """Refuses an outcome on a change not yet implemented."""
        with pytest.raises(ValidationError) as info:
            change(outcome=ChangeOutcome.SUCCESSFUL)
        assert info.value.paths == ["$.outcome"]
        assert info.value.problems[0].expected == "no outcome before the change is implemented"

    def test_closed_with_its_outcome(self) -> None:
        """Closes a change whose outcome is the close event's; refuses another one."""
        reviewed = moved(change(ChangeKind.STANDARD), ("implement", 1, None), ("review", 2, None))
        with pytest.raises(ValidationError) as info:
            advance(reviewed, "close", who=OPS, when=at(3), data={"outcome": "failed"})
        assert info.value.paths == ["$.outcome"]
        assert info.value.problems[0].expected == (
            "'failed', the outcome lifecycle.history[2] closed it with"
        )
        closed = advance(
            attrs.evolve(reviewed, outcome=ChangeOutcome.FAILED),
            "close",
            who=OPS,
            when=at(3),
            data={"outcome": "failed"},
        )
        assert (closed.state, closed.closed_at, closed.outcome) == ("closed", at(3), "failed")

    @settings(max_examples=examples(60), deadline=None)
    @given(changes())
    def test_round_trip(self, value: Change) -> None:
        """Writes any change as a cloudsms.change document and reads it back equal."""
        text = to_json(value)
        assert text.startswith('{"type":"cloudsms.change","schema_version":1')
        assert from_json(Change, text) == value

    @settings(max_examples=examples(60), deadline=None)
    @given(changes(kinds=[ChangeKind.NORMAL]))
    def test_normal_changes_approved_before_implementation(self, value: Change) -> None:
        """Every implemented normal change in the history was approved first."""
        events = [entry.event for entry in value.lifecycle.entries]
        if "implement" in events:
            assert "approve" in events[: events.index("implement")]


# ---------------------------------------------------------------------- releases
NIGHT = Period(at(12), at(16))


def release(**changes_: object) -> Release:
    """A release of two changes to crm planned for NIGHT, with ``changes_``."""
    fields: dict[str, object] = {
        "id": "rel-4",
        "change_ids": {"chg-9", "chg-10"},
        "services": {"crm"},
        "planned": NIGHT,
    }
    fields.update(changes_)
    return Release(**fields)  # type: ignore[arg-type]


class TestRelease:
    """A release: bundled changes, services, planned and actual deployment."""

    def test_refuses_bad_fields(self) -> None:
        """Refuses no changes, no services and a planned period that is not a Period."""
        with pytest.raises(ValidationError) as info:
            release(change_ids=(), services=set(), planned=T0)
        assert info.value.paths == ["$.change_ids", "$.services", "$.planned"]

    def test_steps_in_order(self) -> None:
        """Refuses to deploy a release not yet tested; nothing changes."""
        built = moved(release(), ("build", 1, None))
        with pytest.raises(InvalidTransition) as info:
            advance(built, "deploy", who=OPS, when=at(2))
        assert (info.value.state, info.value.allowed) == ("built", ("test", "cancel"))

    def test_deployment_read(self) -> None:
        """Reads the actual deployment and whether it fell in the plan."""
        tested = moved(release(), ("build", 1, None), ("test", 2, None))
        assert isinstance(tested, Release)
        assert (tested.deployed_at, tested.deployed_as_planned) == (None, None)
        on_time = advance(tested, "deploy", who=OPS, when=at(13))
        late = advance(tested, "deploy", who=OPS, when=at(16))
        assert (on_time.deployed_at, on_time.deployed_as_planned) == (at(13), True)
        assert late.deployed_as_planned is False

    def test_not_cancelled_once_deployed(self) -> None:
        """Refuses to cancel a deployed release."""
        deployed = moved(release(), ("build", 1, None), ("test", 2, None), ("deploy", 13, None))
        with pytest.raises(InvalidTransition):
            advance(deployed, "cancel", who=OPS, when=at(14))

    @settings(max_examples=examples(60), deadline=None)
    @given(releases())
    def test_round_trip(self, value: Release) -> None:
        """Writes any release as a cloudsms.release document and reads it back equal."""
        text = to_json(value)
        assert text.startswith('{"type":"cloudsms.release","schema_version":1')
        assert from_json(Release, text) == value


# ---------------------------------------------------------------------- stateful
STATEFUL = settings(max_examples=examples(40), stateful_step_count=20, deadline=None)

PROBLEM_DATA = st.fixed_dictionaries(
    {
        "change": st.sampled_from(["chg-9", "", None]),
        "known_error": st.sampled_from([POOL.as_data(), {"description": "x"}, None]),
    }
)


class ProblemRules(lifecycle_machine(PROBLEM_LIFECYCLE, data=PROBLEM_DATA)):  # type: ignore[misc]
    """The problem lifecycle, with the rules of S09 checked after every step."""

    @invariant()
    def resolved_by_a_change(self) -> None:
        """Every resolution in the history names a change; a resolved problem has one."""
        resolutions = [e for e in self.instance.entries if e.event == "resolve"]
        assert all(e.data["change"] == "chg-9" for e in resolutions)
        if self.instance.state in {"resolved", "closed"}:
            assert resolutions

    @invariant()
    def known_error_recorded_whole(self) -> None:
        """Every recorded known error has a description and a workaround."""
        for entry in self.instance.entries:
            if entry.event == "record_known_error":
                assert KnownError.from_data(entry.data["known_error"]) == POOL


ProblemRules.TestCase.settings = STATEFUL
TestProblemLifecycleMachine = ProblemRules.TestCase


class ProblemRecordRules(
    lifecycle_machine(  # type: ignore[misc]
        PROBLEM_LIFECYCLE,
        data=PROBLEM_DATA,
        record=problem(known_error=POOL, change_id="chg-9"),
    )
):
    """A problem record moved by advance: its fields keep agreeing with its history."""

    @invariant()
    def fields_agree(self) -> None:
        """The record's change and known error are those of its history."""
        assert isinstance(self.record, Problem)
        if self.record.state in {"resolved", "closed"}:
            assert self.record.resolved_at is not None


ProblemRecordRules.TestCase.settings = STATEFUL
TestProblemRecordMachine = ProblemRecordRules.TestCase

CHANGE_DATA = st.fixed_dictionaries(
    {"outcome": st.sampled_from(["successful", "rolled_back", "fine", None])}
)


def change_rules(kind: ChangeKind) -> type:
    """The change lifecycle machine for one kind, with the approval rules as invariants."""

    class ChangeRules(
        lifecycle_machine(CHANGE_LIFECYCLE, data=CHANGE_DATA, context={"kind": kind.value})  # type: ignore[misc]
    ):
        @invariant()
        def approvals_by_kind(self) -> None:
            """Standard changes go unapproved, normal ones approved first, emergencies once."""
            events = [entry.event for entry in self.instance.entries]
            approvals = [e for e in events if e in {"approve", "approve_retrospectively"}]
            if kind is ChangeKind.STANDARD:
                assert not approvals
            if kind is ChangeKind.NORMAL and "implement" in events:
                assert events.index("approve") < events.index("implement")
            if kind is ChangeKind.EMERGENCY and "review" in events:
                assert len(approvals) == 1
                assert min(events.index(a) for a in approvals) < events.index("review")
            if kind is not ChangeKind.EMERGENCY:
                assert "approve_retrospectively" not in events

        @invariant()
        def closed_with_an_outcome(self) -> None:
            """A closed change's close entry carries an outcome of the enumeration."""
            if self.instance.state == "closed":
                assert self.instance.entries[-1].data["outcome"] in set(ChangeOutcome)

    ChangeRules.TestCase.settings = STATEFUL
    return ChangeRules


TestStandardChangeMachine = change_rules(ChangeKind.STANDARD).TestCase
TestNormalChangeMachine = change_rules(ChangeKind.NORMAL).TestCase
TestEmergencyChangeMachine = change_rules(ChangeKind.EMERGENCY).TestCase


class ReleaseRules(lifecycle_machine(RELEASE_LIFECYCLE, record=release())):  # type: ignore[misc]
    """A release record moved by advance: built, tested and deployed in order."""

    @invariant()
    def deployed_only_after_testing(self) -> None:
        """A deployment follows a test, which follows a build."""
        events = [entry.event for entry in self.instance.entries]
        if "deploy" in events:
            assert events[:3] == ["build", "test", "deploy"]
        assert isinstance(self.record, Release)
        assert (self.record.deployed_at is None) == ("deploy" not in events)


ReleaseRules.TestCase.settings = STATEFUL
TestReleaseMachine = ReleaseRules.TestCase


def test_a_change_is_implemented_inside_its_window() -> None:
    """An implementation before or after the maintenance window is refused at its entry."""
    planned = change(ChangeKind.STANDARD, window=window(at(10)))
    inside = moved(planned, ("implement", 12, None))
    assert isinstance(inside, Change)
    for hours in (3, 40):
        with pytest.raises(ValidationError) as caught:
            moved(planned, ("implement", hours, None))
        assert caught.value.paths == ["$.lifecycle.history[0].when"]
