"""The improvement register's rules as properties and stateful tests (S12).

`cloudsms.testing.ImprovementMachine` tries every step of an improvement, allowed or
not, at instants around its last event, and checks after each that every trail
verifies and replays, time runs forwards, a planned improvement is linked to a
change or to design work, a major impact never goes through a change, the ranking
holds exactly the open, assessed improvements best first, and a refused step changes
nothing. Properties check the drawn registers: they round-trip through JSON, and a
ranking's score is the weighted mean of the scores, its contributions adding up to it.
ISO/IEC 20000-1:2011 4.5.5 (improvements), 9.2 and 5 (how they are carried out).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from cloudsms._kit.documents import register_document
from cloudsms.improvement import (
    CLOSED_STATES,
    Criterion,
    Impact,
    Improvement,
    ImprovementRegister,
    PrioritisationPolicy,
)
from cloudsms.lifecycle import register_lifecycle, verify
from cloudsms.serialization import from_json, to_json
from cloudsms.testing._improvement import (
    IMPROVEMENT_STATES,
    ImprovementMachine,
    impacts,
    improvement_registers,
    improvements,
    prioritisation_policies,
)

from conftest import examples

# Until the lead adds them to the built-in tables, the tests register the lifecycle and
# the documents (the same paths: registering again changes nothing).
register_lifecycle("improvement", "cloudsms.improvement.improvement:IMPROVEMENT_LIFECYCLE")
register_document(
    "cloudsms.improvement-register", "cloudsms.improvement.register:ImprovementRegister"
)


POLICY = PrioritisationPolicy(
    criteria=(Criterion(key="value", title="Business value (5: most)", weight=Decimal(1)),),
    major_impact_services=0,
)


def _capped(count: int, steps: int) -> settings:
    """The loaded profile's settings, with at most ``count`` runs of ``steps`` steps."""
    return settings(
        max_examples=min(count, settings.default.max_examples),
        stateful_step_count=steps,
        deadline=None,
    )


ImprovementMachine.TestCase.settings = _capped(30, 40)
TestImprovementMachine = ImprovementMachine.TestCase


class TestStrategies:
    """The public strategies draw valid values in the states asked for."""

    @given(st.data())
    @settings(max_examples=examples(40))
    def test_states(self, data: st.DataObject) -> None:
        """Draws improvements in each state asked for, with a trail that verifies."""
        state = data.draw(st.sampled_from(IMPROVEMENT_STATES))
        found = data.draw(improvements(states=[state]))
        assert found.state == state
        assert verify(found.lifecycle) is None
        if state in {"planned", "in_progress", "implemented", "reviewed"}:
            assert found.linked

    @given(prioritisation_policies(), st.data())
    @settings(max_examples=examples(30))
    def test_impacts_follow_the_policy(
        self, policy: PrioritisationPolicy, data: st.DataObject
    ) -> None:
        """Draws impacts whose verdict is the policy's when a policy is given."""
        impact = data.draw(impacts(policy=policy))
        assert impact.major == policy.is_major(
            services=len(impact.services), customers=len(impact.customers)
        )

    @given(st.data())
    @settings(max_examples=examples(10))
    def test_from_type(self, data: st.DataObject) -> None:
        """Makes every type of the package drawable with st.from_type."""
        from cloudsms.testing import _improvement  # noqa: PLC0415

        _improvement.register()
        for kind in (Impact, Improvement, ImprovementRegister, PrioritisationPolicy):
            assert isinstance(data.draw(st.from_type(kind)), kind)


class TestRegisterProperties:
    """What holds for every register."""

    @given(improvement_registers())
    @settings(max_examples=examples(40))
    def test_round_trip(self, register: ImprovementRegister) -> None:
        """Goes to JSON and back unchanged."""
        assert from_json(ImprovementRegister, to_json(register)) == register

    @given(improvement_registers())
    @settings(max_examples=examples(60))
    def test_ranking(self, register: ImprovementRegister) -> None:
        """Ranks the open, assessed improvements by the weighted mean of their scores."""
        policy = register.policy
        total = sum(Fraction(c.weight) for c in policy.criteria)
        ranked = register.ranked()
        assert {r.id for r in ranked} == {
            i.id for i in register if i.assessed and i.state not in CLOSED_STATES
        }
        for item in ranked:
            expected = sum(
                Fraction(c.weight) * item.improvement.scores[c.key] for c in policy.criteria
            )
            assert item.score == expected / total
            assert 0 <= item.score <= 5
            assert sum(c.share for c in item.contributions) == item.score
            assert item.explanation.startswith(f"{item.id} ranks {item.rank} of {len(ranked)}")
        # By the instant raised (UTC): two wall times in a DST fold compare by their instant.
        keys = [(-r.score, r.improvement.raised_at.astimezone(dt.UTC), r.id) for r in ranked]
        assert keys == sorted(keys)

    @given(improvement_registers(policy=POLICY, states=["assessed", "reviewed", "withdrawn"]))
    @settings(max_examples=examples(20))
    def test_given_policy(self, register: ImprovementRegister) -> None:
        """Draws registers under the policy given, in the states asked for."""
        assert register.policy == POLICY
        assert {i.state for i in register} <= {"assessed", "reviewed", "withdrawn"}

    @given(improvement_registers())
    @settings(max_examples=examples(40))
    def test_closed_only_when_asked(self, register: ImprovementRegister) -> None:
        """Adds the closed, assessed improvements only with include_closed, marked closed."""
        everything = register.ranked(include_closed=True)
        assert {r.id for r in everything} == {i.id for i in register if i.assessed}
        assert all(r.closed == (r.improvement.state in CLOSED_STATES) for r in everything)


class TestMachineCounts:
    """The machine gets past the guards."""

    def test_applies_and_refuses(self) -> None:
        """Applies some steps and refuses others in a run."""
        seen = {"applied": 0, "refused": 0}

        class Counted(ImprovementMachine):
            def teardown(self) -> None:
                seen["applied"] += self.applied
                seen["refused"] += self.refused

        run_state_machine_as_test(Counted, settings=_capped(10, 40))
        assert seen["applied"] > 0
        assert seen["refused"] > 0
