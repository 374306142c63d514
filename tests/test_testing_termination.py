"""The exit procedure's strategies (S13): valid values that survive JSON, in the states asked."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from cloudsms.errors import ValidationError
from cloudsms.lifecycle import verify
from cloudsms.procedures.termination import (
    EXIT_LIFECYCLE,
    DataCategory,
    Deletion,
    Evidence,
    ExitConfirmation,
    ExitCriterion,
    ExitPlan,
    ExitProcedure,
    ExitStep,
    LegalHold,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.testing._termination import (
    EXIT_STATES,
    data_categories,
    deletions,
    exit_confirmations,
    exit_plans,
    exit_procedures,
    legal_holds,
)

FEW = settings(max_examples=min(20, settings.default.max_examples), deadline=None)


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC)


class TestExitPlans:
    """exit_plans() draws plans of notices the terms allow."""

    @FEW
    @given(exit_plans())
    def test_round_trip(self, plan: ExitPlan) -> None:
        """Writes and reads back every drawn plan unchanged."""
        assert from_json(ExitPlan, to_json(plan)) == plan

    @FEW
    @given(exit_plans())
    def test_dates_in_order(self, plan: ExitPlan) -> None:
        """Puts the effect no earlier than the notice, and retention no earlier than retrieval."""
        assert _utc(plan.notice_at) <= _utc(plan.effective_at)
        assert _utc(plan.effective_at) <= _utc(plan.retrieval_ends) <= _utc(plan.retention_ends)
        assert plan.charge is None or plan.early


class TestExitProcedures:
    """exit_procedures() drives procedures through their own methods."""

    @pytest.mark.parametrize("state", EXIT_STATES)
    def test_in_the_state_asked_for(self, state: str) -> None:
        """Draws procedures in the state asked for, whose trail verifies and replays."""

        @settings(max_examples=min(8, settings.default.max_examples), deadline=None)
        @given(exit_procedures(states=[state]))
        def check(procedure: ExitProcedure) -> None:
            assert procedure.state == state
            instance = procedure.lifecycle
            assert verify(instance) is None
            assert instance.history()[0].event == "give_notice"
            resumed = EXIT_LIFECYCLE.resume(
                instance.history(), id=instance.id, context=instance.context
            )
            assert resumed == instance

        check()

    @FEW
    @given(exit_procedures())
    def test_round_trip(self, procedure: ExitProcedure) -> None:
        """Writes and reads back every drawn procedure unchanged, its plan and decisions too."""
        again = from_json(ExitProcedure, to_json(procedure))
        assert again == procedure
        assert again.plan == procedure.plan
        assert again.decisions == procedure.decisions

    @FEW
    @given(exit_procedures(states=["deleting", "records_updated", "closed"]))
    def test_the_backup_waits_when_the_terms_say(self, procedure: ExitProcedure) -> None:
        """Deletes the backups no earlier than the terms allow (the invariant, in drawn values)."""
        decided = procedure.decisions.get(DataCategory.BACKUPS)
        if isinstance(decided, Deletion) and procedure.plan.backup_retention.value == (
            "until retention ends"
        ):
            assert _utc(decided.at) >= _utc(procedure.plan.retention_ends)

    def test_unknown_states_are_refused(self) -> None:
        """Refuses a state no exit procedure can be in, at $.states, naming the ones it can."""
        with pytest.raises(ValidationError) as caught:
            exit_procedures(states=["opened", "closed"])
        assert caught.value.paths == ["$.states"]
        assert "notice_period" in str(caught.value)
        assert "'opened'" in str(caught.value)

    def test_one_state_as_text_is_refused(self) -> None:
        """Refuses ``states="closed"`` at $.states (not seven states 'c', 'l', ...), saying how."""
        with pytest.raises(ValidationError) as caught:
            exit_procedures(states="closed")
        assert caught.value.paths == ["$.states"]
        message = str(caught.value)
        assert message.startswith("The exit procedure strategy is invalid (1 problem):")
        assert "('closed',)" in message
        assert "'c'" not in message


class TestExitConfirmations:
    """exit_confirmations() draws the written confirmations of closed procedures."""

    @FEW
    @given(exit_confirmations())
    def test_round_trip(self, confirmation: ExitConfirmation) -> None:
        """Writes and reads back every drawn confirmation unchanged, one criterion per category."""
        assert from_json(ExitConfirmation, to_json(confirmation)) == confirmation
        closed = [c.category for c in confirmation.criteria if c.category is not None]
        assert sorted(closed) == sorted(DataCategory)

    @FEW
    @given(exit_procedures(states=["closed"]))
    def test_confirms_its_procedure(self, procedure: ExitProcedure) -> None:
        """Draws closed procedures whose confirmation checks out against them."""
        assert ExitConfirmation.of(procedure).problems(procedure) == []


class TestParts:
    """Categories, legal holds and deletions."""

    @pytest.mark.parametrize("category", list(DataCategory))
    def test_every_category(self, category: DataCategory) -> None:
        """Draws each of the six categories."""
        assert find(data_categories(), lambda drawn: drawn is category) is category

    @FEW
    @given(legal_holds(), deletions())
    def test_round_trip(self, hold: LegalHold, deletion: Deletion) -> None:
        """Writes and reads back every drawn hold and deletion unchanged."""
        assert from_json(LegalHold, to_json(hold)) == hold
        assert from_json(Deletion, to_json(deletion)) == deletion

    @FEW
    @given(
        legal_holds(categories=[DataCategory.LOGS]), deletions(categories=[DataCategory.BACKUPS])
    )
    def test_categories_narrow(self, hold: LegalHold, deletion: Deletion) -> None:
        """Draws only the categories asked for."""
        assert hold.category is DataCategory.LOGS
        assert deletion.category is DataCategory.BACKUPS


class TestFromType:
    """The entry point's hook registers every record type of the exit for st.from_type."""

    @pytest.mark.parametrize(
        "kind",
        [
            LegalHold,
            Deletion,
            ExitPlan,
            ExitStep,
            ExitProcedure,
            ExitConfirmation,
            ExitCriterion,
            Evidence,
        ],
    )
    def test_registered(self, kind: type) -> None:
        """Draws values of each type, which survive JSON."""

        @settings(max_examples=min(3, settings.default.max_examples), deadline=None)
        @given(st.from_type(kind))
        def check(value: object) -> None:
            assert isinstance(value, kind)
            assert from_json(kind, to_json(value)) == value

        check()
