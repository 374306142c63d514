"""A service's removal as stateful tests (S15): every step at any time, nothing broken.

`cloudsms.testing._removal.RemovalMachine` tries every step of a removal, allowed or
not, at instants around the last event, the first notice and the removal date, and
checks after each: never retired while a subscription is open or before the earliest
removal date, no notice to a non-subscriber (and one to each subscriber at most), a
subscription closed only after its notice, the catalogue's service moving with the
procedure, and a trail that verifies and replays. The strategies draw valid plans and
procedures in every state. Designed by cloudsms (the TR's guidance for S15 is not in
our source).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms._kit.documents import register_document
from cloudsms.errors import ValidationError
from cloudsms.lifecycle import register_lifecycle, verify
from cloudsms.procedures.removal import RemovalPlan, RemovalProcedure
from cloudsms.serialization import from_json, to_json
from cloudsms.testing._removal import (
    REMOVAL_STATES,
    RemovalMachine,
    register,
    removal_plans,
    removal_procedures,
)

register_lifecycle("service_removal", "cloudsms.procedures.removal:REMOVAL_LIFECYCLE")
register_document("cloudsms.removal-procedure", "cloudsms.procedures.removal:RemovalProcedure")


def _capped(examples: int, steps: int) -> settings:
    """The loaded profile's settings, with at most ``examples`` runs of ``steps`` steps."""
    return settings(
        max_examples=min(examples, settings.default.max_examples),
        stateful_step_count=steps,
        deadline=None,
    )


RemovalMachine.TestCase.settings = _capped(30, 30)
TestRemoval = RemovalMachine.TestCase


class TestRemovalPlans:
    """removal_plans draws valid plans that round-trip."""

    @given(plan=removal_plans())
    @_capped(40, 1)
    def test_a_drawn_plan_round_trips(self, plan: RemovalPlan) -> None:
        """Every drawn plan reads back from JSON as itself."""
        assert from_json(RemovalPlan, to_json(plan)) == plan

    @given(plan=removal_plans())
    @_capped(40, 1)
    def test_blockers_and_the_earliest_date_agree(self, plan: RemovalPlan) -> None:
        """A plan has an earliest removal date exactly when nothing blocks it."""
        assert (plan.earliest_removal is None) == bool(plan.blockers)
        assert len(plan.notices("acme-cloud")) == len(plan.subscribers)


class TestRemovalProcedures:
    """removal_procedures draws procedures in the states asked for, with sound trails."""

    @given(data=st.data())
    @_capped(30, 1)
    def test_each_state_is_reached(self, data: st.DataObject) -> None:
        """A procedure drawn for one state is in it, verifies and reads back."""
        state = data.draw(st.sampled_from(REMOVAL_STATES))
        procedure = data.draw(removal_procedures(states=(state,)))
        assert procedure.state == state
        assert verify(procedure.lifecycle) is None
        assert from_json(RemovalProcedure, to_json(procedure)) == procedure
        if state == "retired":
            assert procedure.open_subscriptions == ()

    def test_one_state_as_text_is_refused(self) -> None:
        """states='retired' is refused: a sequence is wanted."""
        with pytest.raises(ValidationError) as error:
            removal_procedures(states="retired")
        assert [p.path for p in error.value.problems] == ["$.states"]

    def test_an_unknown_state_is_refused(self) -> None:
        """A state the lifecycle lacks is refused at $.states."""
        with pytest.raises(ValidationError) as error:
            removal_procedures(states=("closed",))
        assert error.value.problems[0].got == "'closed'"

    @given(data=st.data())
    @_capped(10, 1)
    def test_registered_types_are_drawable(self, data: st.DataObject) -> None:
        """After register(), st.from_type draws plans and procedures."""
        register()
        assert isinstance(data.draw(st.from_type(RemovalPlan)), RemovalPlan)
        assert isinstance(data.draw(st.from_type(RemovalProcedure)), RemovalProcedure)
