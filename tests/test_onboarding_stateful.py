"""Onboarding's rules as stateful tests and properties (S08): every step at any time.

`cloudsms.testing.OnboardingMachine` tries every step of a customer's onboarding,
allowed or not, at instants around the last entry, and checks the rules after each:
no activity complete before its prerequisites, delivery only through the gate, the
allocation held as recorded, a trail that verifies and replays, time in order, and a
refused step that changes nothing. The strategies are checked to draw what they
promise. ISO/IEC 20000-1:2011 4.3.3 (the trail), 6.1 (verification against the
requirements), 6.5 (resources allocated) and 9.2 (standard changes).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms.errors import ValidationError
from cloudsms.lifecycle import verify
from cloudsms.procedures.onboarding import (
    OnboardingActivity,
    OnboardingPlan,
    OnboardingProcedure,
    OnboardingTemplate,
    TemplateActivity,
    VerificationCheck,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.testing._onboarding import (
    OnboardingMachine,
    onboarding_plans,
    onboarding_procedures,
    register,
    verification_checks,
)


def _capped(examples: int, steps: int) -> settings:
    """The loaded profile's settings, with at most ``examples`` runs of ``steps`` steps."""
    return settings(
        max_examples=min(examples, settings.default.max_examples),
        stateful_step_count=steps,
        deadline=None,
    )


OnboardingMachine.TestCase.settings = _capped(25, 30)
TestOnboarding = OnboardingMachine.TestCase


class TestStrategies:
    """The strategies draw valid values, in the states asked for."""

    @settings(max_examples=min(30, settings.default.max_examples), deadline=None)
    @given(onboarding_plans())
    def test_plans_round_trip(self, plan: OnboardingPlan) -> None:
        """A drawn plan round-trips through JSON; every prerequisite is an activity of it."""
        assert from_json(OnboardingPlan, to_json(plan)) == plan
        keys = {a.key for a in plan.activities}
        assert all(set(a.prerequisites) <= keys for a in plan.activities)

    @settings(max_examples=min(20, settings.default.max_examples), deadline=None)
    @given(onboarding_procedures(states=("delivered",)))
    def test_delivered(self, procedure: OnboardingProcedure) -> None:
        """A drawn delivered procedure passed the gate; its trail verifies."""
        assert procedure.is_delivered
        assert procedure.pending == ()
        assert procedure.failing == ()
        assert procedure.unchecked == ()
        assert verify(procedure.lifecycle) is None

    @settings(max_examples=min(20, settings.default.max_examples), deadline=None)
    @given(onboarding_procedures())
    def test_any_state(self, procedure: OnboardingProcedure) -> None:
        """A drawn procedure survives JSON."""
        assert from_json(OnboardingProcedure, to_json(procedure)) == procedure

    @given(verification_checks(requirement_ids=("REQ-1", "REQ-2")))
    def test_checks(self, check: VerificationCheck) -> None:
        """Checks are of the requirements asked for."""
        assert check.requirement_id in {"REQ-1", "REQ-2"}

    def test_states_refused(self) -> None:
        """Refuses one state as text, an empty list and an unknown state at $.states."""
        for states in ("delivered", (), ("closed",)):
            with pytest.raises(ValidationError) as caught:
                onboarding_procedures(states=states)
            assert caught.value.problems[0].path == "$.states"

    @settings(max_examples=5, deadline=None)
    @given(st.data())
    def test_from_type(self, data: st.DataObject) -> None:
        """register() makes every onboarding record drawable with st.from_type."""
        register()
        for kind in (
            OnboardingTemplate,
            TemplateActivity,
            OnboardingPlan,
            OnboardingActivity,
            VerificationCheck,
        ):
            assert isinstance(data.draw(st.from_type(kind)), kind)
