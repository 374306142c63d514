"""The transfer's rules as stateful tests (S14, designed by cloudsms): every step at any time.

`cloudsms.testing._transfer.TransferMachine` tries every step of a customer's
transfer, allowed or not, at instants around the last event and the plan's window,
with receivers' checksums that sometimes differ, and checks the rules after each: no
exit procedure (so no deletion at the source) before the receiver has accepted, every
acceptance carrying the exports' own checksums, a rejection that returns to exporting
with the categories it names no longer exported, a trail that verifies and replays,
time in order, and a refused step that changes nothing. `lifecycle_machine` applies
every event of `TRANSFER_LIFECYCLE` to a procedure held as a record, and the
strategies reach every state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, run_state_machine_as_test

from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import verify
from cloudsms.procedures.termination import DataCategory
from cloudsms.procedures.transfer import (
    TRANSFER_LIFECYCLE,
    DataExport,
    Rejection,
    TransferProcedure,
    TransferScope,
    TransitionPlan,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.testing import lifecycle_machine
from cloudsms.testing._termination import _agreement
from cloudsms.testing._transfer import (
    TRANSFER_STATES,
    TransferMachine,
    data_exports,
    register,
    transfer_procedures,
    transition_plans,
)


def _capped(examples: int, steps: int) -> settings:
    """The loaded profile's settings, with at most ``examples`` runs of ``steps`` steps."""
    return settings(
        max_examples=min(examples, settings.default.max_examples),
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


TransferMachine.TestCase.settings = _capped(25, 30)
TestTransfer = TransferMachine.TestCase


# ---------------------------------------------------------------------- every event, every state
# The generic machine's clock starts at the opening (2026-01-01T00:00Z) and moves on by
# at most 10**6 seconds an event; the plans below open in the first days of 2026.
PROCEDURE = TransferProcedure.initiate(
    _agreement(zone="UTC", start=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
    receiver="Stratus Cloud",
    receiver_kind="provider",
    categories=["customer data", "logs"],
    who="actor:globex-it",
    when=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
)


def _payloads() -> st.SearchStrategy[dict[str, Any]]:
    """Data for each event, right or wrong: exports, plans, checksums, rejections, reasons."""
    categories = st.sampled_from([c.value for c in DataCategory] + ["source code"])
    sha = st.sampled_from(("0" * 64, "f" * 64, "ABC"))
    return st.one_of(
        st.just({}),
        st.builds(
            lambda c, f, h, n: {
                "category": c,
                "format": f,
                "sha256": h,
                "size": n,
                "location": "s3://x/",
            },
            categories,
            st.sampled_from(("CSV", "Parquet", "XML")),
            sha,
            st.sampled_from((0, 10, -1)),
        ),
        st.builds(
            lambda start, hours, until: {
                "cut_over_start": start,
                "cut_over_end": f"2026-01-0{hours}T00:00:00+00:00",
                "parallel_run_until": until,
                "rollback": "DNS",
            },
            st.sampled_from(("2026-01-01T00:00:00+00:00", "2026-01-02T12:00:00+00:00")),
            st.integers(2, 9),
            st.none() | st.just("2026-01-03T00:00:00+00:00"),
        ),
        st.builds(
            lambda h: {"checksums": dict.fromkeys([c.value for c in DataCategory], h)},
            sha,
        ),
        st.builds(
            lambda r, cs: {"reason": r, "categories": cs},
            st.sampled_from(("checksum differs", "")),
            st.lists(categories, max_size=2),
        ),
        st.sampled_from(("exit-csa-1", "no id")).map(lambda i: {"exit_id": i}),
        st.sampled_from(("stays", "")).map(lambda r: {"reason": r}),
    )


class TestEveryEventInEveryState:
    """Every event, tried in every state a transfer can be in, with any data."""

    @pytest.mark.parametrize("state", TRANSFER_STATES)
    def test_applied_or_refused_with_nothing_changed(self, state: str) -> None:
        """Moves along its transition with one entry more, or is refused and changes nothing."""

        @_capped(8, 1)
        @given(
            transfer_procedures(states=[state]),
            st.sampled_from(TRANSFER_LIFECYCLE.events),
            _payloads(),
            st.integers(0, 3 * 86_400),
        )
        def check(
            procedure: TransferProcedure, event: str, payload: dict[str, Any], seconds: int
        ) -> None:
            assert procedure.state == state
            last = procedure.lifecycle.entries[-1].when
            when = last + dt.timedelta(seconds=seconds)
            written = to_json(procedure)
            transition = TRANSFER_LIFECYCLE.transition(state, event)
            reason = procedure.refusal(event, who="actor:nimbus-ops", when=when, data=payload)
            try:
                after = procedure.apply(event, who="actor:nimbus-ops", when=when, data=payload)
            except InvalidTransition as refused:
                assert reason is not None
                assert refused.state == state  # noqa: PT017 - inside a hypothesis test
                assert transition is None or refused.reason == reason  # noqa: PT017
                assert to_json(procedure) == written
                return
            assert reason is None
            assert transition is not None
            assert after.state == transition.target
            assert after.lifecycle.history()[:-1] == procedure.lifecycle.history()
            assert to_json(procedure) == written

        check()


EveryEvent = lifecycle_machine(
    TRANSFER_LIFECYCLE,
    data=_payloads(),
    record=PROCEDURE,
    actors=st.sampled_from(("actor:globex-it", "actor:nimbus-ops", "actor:stratus-intake")),
)
EveryEvent.TestCase.settings = _capped(20, 40)
TestEveryEventOnTheRecord = EveryEvent.TestCase


# ---------------------------------------------------------------------- the strategies
class TestStrategies:
    """The public strategies draw valid values, and procedures in the states asked for."""

    @_capped(30, 1)
    @given(data_exports(categories=[DataCategory.LOGS], formats=["CSV"]))
    def test_data_exports(self, export: DataExport) -> None:
        """Draws exports of the category and format asked for, that survive JSON."""
        assert (export.category, export.format) == (DataCategory.LOGS, "CSV")
        assert from_json(DataExport, to_json(export)) == export

    @_capped(30, 1)
    @given(transition_plans())
    def test_transition_plans(self, plan: TransitionPlan) -> None:
        """Draws plans whose parallel run, if any, ends inside the window."""
        start, end = plan.cut_over_start, plan.cut_over_end
        assert start.astimezone(dt.UTC) < end.astimezone(dt.UTC)
        if plan.parallel_run_until is not None:
            until = plan.parallel_run_until.astimezone(dt.UTC)
            assert start.astimezone(dt.UTC) < until <= end.astimezone(dt.UTC)
        assert from_json(TransitionPlan, to_json(plan)) == plan

    @pytest.mark.parametrize("state", TRANSFER_STATES)
    def test_every_state_is_reached(self, state: str) -> None:
        """Draws procedures in the state asked for, whose trails verify and survive JSON."""

        @_capped(5, 1)
        @given(transfer_procedures(states=(state,)))
        def check(procedure: TransferProcedure) -> None:
            assert procedure.state == state
            assert verify(procedure.lifecycle) is None
            assert from_json(TransferProcedure, to_json(procedure)) == procedure
            if state == "exit_started":
                assert procedure.accepted
                assert procedure.exit_id is not None

        check()

    @pytest.mark.parametrize(
        ("states", "got"),
        [
            ("accepted", "the text 'accepted' (write ('accepted',) for one state)"),
            ((), "none"),
            (("opened", "gone"), "'opened', 'gone'"),
        ],
    )
    def test_refuses_bad_states(self, states: Any, got: str) -> None:
        """Refuses one state as text, no state, and states a transfer cannot be in."""
        with pytest.raises(ValidationError) as caught:
            transfer_procedures(states=states)
        assert [p.path for p in caught.value.problems] == ["$.states"]
        assert caught.value.problems[0].got == got

    def test_register_for_from_type(self) -> None:
        """Makes every record type of the transfer drawable with st.from_type."""
        register()

        @_capped(3, 1)
        @given(
            st.from_type(DataExport),
            st.from_type(TransitionPlan),
            st.from_type(Rejection),
            st.from_type(TransferProcedure),
            st.from_type(TransferScope),
        )
        def check(
            export: DataExport,
            plan: TransitionPlan,
            rejection: Rejection,
            procedure: TransferProcedure,
            scope: TransferScope,
        ) -> None:
            assert isinstance(export, DataExport)
            assert isinstance(plan, TransitionPlan)
            assert rejection.categories
            assert procedure.state in TRANSFER_STATES
            assert scope.categories

        check()


# ---------------------------------------------------------------------- users' own invariants
class TestSubclassing:
    """Users subclass the machine with invariants of their own, and keep the built-in ones."""

    def test_an_added_invariant_that_fails_is_reported(self) -> None:
        """Reports a failing invariant of a subclass: the machine really gets to acceptance."""

        class NeverAccepted(TransferMachine):
            @invariant()
            def never_accepted(self) -> None:
                assert not self.procedure.accepted

        with pytest.raises(AssertionError):
            run_state_machine_as_test(
                NeverAccepted,
                settings=settings(
                    max_examples=100,
                    stateful_step_count=30,
                    deadline=None,
                    database=None,
                    phases=[Phase.generate],  # the first failure is enough: no shrinking
                    suppress_health_check=[HealthCheck.too_slow],
                ),
            )

    def test_a_built_in_invariant_can_be_extended(self) -> None:
        """Runs a built-in invariant a subclass overrides (decorated again) and extends."""
        checked: list[str] = []

        class Extended(TransferMachine):
            @invariant()
            def no_exit_before_acceptance(self) -> None:
                super().no_exit_before_acceptance()
                checked.append(self.procedure.state)

        run_state_machine_as_test(Extended, settings=_capped(3, 5))
        assert "exporting" in checked

    def test_the_built_in_invariants_are_named_methods(self) -> None:
        """Names each rule the transfer must never break as a method a subclass can keep."""
        names = {
            "no_exit_before_acceptance",
            "accepted_exports_match_checksums",
            "rejection_returns_to_exporting",
            "trail_verifies_and_replays",
            "time_never_runs_backwards",
        }
        assert names <= set(vars(TransferMachine))


# ---------------------------------------------------------------------- how far runs get
class TestReach:
    """The machine's runs reach the exit and rejections, not only the export."""

    def test_runs_reach_the_exit_and_rejections(self) -> None:
        """Thirty reproducible runs start an exit, and some reject a cut-over first."""
        finals: list[str] = []
        rejected: list[int] = []

        class Ends(TransferMachine):
            def teardown(self) -> None:
                finals.append(self.procedure.state)
                rejected.append(len(self.procedure.rejections))

        run_state_machine_as_test(
            Ends,
            settings=settings(
                max_examples=30,
                stateful_step_count=30,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.generate],
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
        assert "exit_started" in finals
        assert any(rejected)
