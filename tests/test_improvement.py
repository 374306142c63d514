"""Tests of the improvement register (S12; 20000-1:2011 4.5.5, 9.2 and clause 5)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import runpy
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _monitoring_fixtures import example_agreement
from cloudsms._kit.documents import register_document
from cloudsms.errors import InvalidTransition, UnknownReference, ValidationError
from cloudsms.improvement import (
    CLOSED_STATES,
    DESIGN_STATES,
    EVENT_DATA,
    IMPROVEMENT_LIFECYCLE,
    IMPROVEMENT_STATES,
    Criterion,
    Impact,
    Improvement,
    ImprovementArea,
    ImprovementRegister,
    OpportunitySource,
    PrioritisationPolicy,
    default_policy,
    load_policy,
    policy_json,
)
from cloudsms.lifecycle import HistoryEntry, advance, register_lifecycle, verify
from cloudsms.lifecycle._chain import genesis, link
from cloudsms.operations import Change, ChangeKind
from cloudsms.serialization import from_json, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    ComponentKind,
    DeploymentModel,
    ServiceCategory,
    ServiceComponent,
    ServiceGraph,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from cloudsms.agreements import CloudServiceAgreement

# Until the lead adds them to the built-in tables, the tests register the lifecycle and
# the documents (the same paths: registering again changes nothing).
register_lifecycle("improvement", "cloudsms.improvement.improvement:IMPROVEMENT_LIFECYCLE")
register_document(
    "cloudsms.improvement-register", "cloudsms.improvement.register:ImprovementRegister"
)

T0 = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
WHO = "actor:sms-owner"

# Weights 3, 2 and 1: a total weight of 6.
POLICY = PrioritisationPolicy(
    criteria=(
        Criterion(key="objectives", title="Business objectives (5: most)", weight=Decimal(3)),
        Criterion(key="capability", title="Provider capability (5: easiest)", weight=Decimal(2)),
        Criterion(key="requirements", title="Service requirements (5: most)", weight=Decimal(1)),
    ),
    major_impact_services=1,
    major_impact_customers=2,
)
MINOR = Impact()


def at(hours: float) -> dt.datetime:
    """T0 plus ``hours``."""
    return T0 + dt.timedelta(hours=hours)


def improvement(ident: str = "imp-1", **changes: Any) -> Improvement:
    """An improvement raised at T0 from a complaint, with ``changes`` to its fields."""
    fields: dict[str, Any] = {
        "id": ident,
        "title": f"Improvement {ident}",
        "description": "Customers asked how a restore is requested.",
        "source": OpportunitySource.COMPLAINT,
        "area": ImprovementArea.DOCUMENTATION,
        "owner": "actor:docs-owner",
        "raised_at": T0,
    }
    fields.update(changes)
    return Improvement(**fields)


def scores(objectives: int, capability: int, requirements: int) -> dict[str, int]:
    """Scores on `POLICY`'s three criteria."""
    return {"objectives": objectives, "capability": capability, "requirements": requirements}


def register(*items: Improvement, policy: PrioritisationPolicy = POLICY) -> ImprovementRegister:
    """A register of ``items`` under ``policy``."""
    return ImprovementRegister(id="improvements-2026", policy=policy, improvements=items)


def assessed(ident: str, given: dict[str, int], **changes: Any) -> ImprovementRegister:
    """A register of one improvement assessed with ``given`` scores and no impact."""
    made = register(improvement(ident, **changes))
    return made.assess(ident, given, MINOR, when=at(1), actor=WHO)


def approved(ident: str = "imp-1", impact: Impact = MINOR, **changes: Any) -> ImprovementRegister:
    """A register of one improvement assessed with ``impact`` and approved."""
    made = register(improvement(ident, **changes))
    made = made.assess(ident, scores(3, 3, 3), impact, when=at(1), actor=WHO)
    return made.apply(ident, "approve", when=at(2), actor=WHO)


def service(ident: str, *components: str) -> CloudService:
    """A planned SaaS service using ``components``."""
    return CloudService(
        id=ident,
        name=ident.upper(),
        category=ServiceCategory.SAAS,
        deployment_models={DeploymentModel.PUBLIC},
        owner="service-owner",
        components=components,
    )


def agreement(ident: str, customer: str, service_id: str) -> CloudServiceAgreement:
    """The example agreement, re-made for ``customer`` subscribing to ``service_id``."""
    base = example_agreement()
    return attrs.evolve(
        base,
        id=ident,
        customer_id=customer,
        subscriptions=[attrs.evolve(base.subscriptions[0], service_id=service_id)],
        slas=[attrs.evolve(base.slas[0], service_ids={service_id})],
        recurring_charges=[attrs.evolve(base.recurring_charges[0], service_id=service_id)],
    )


# A shared database behind two services; mail stands apart.
GRAPH = ServiceGraph(
    services=(service("crm", "db"), service("erp", "db"), service("mail")),
    components=(ServiceComponent(id="db", name="Database cluster", kind=ComponentKind.HARDWARE),),
)


# ---------------------------------------------------------------------- kinds
class TestKinds:
    """Where opportunities come from and what they improve."""

    def test_sources(self) -> None:
        """Names the inputs the TR lists for finding opportunities."""
        assert [s.value for s in OpportunitySource] == [
            "management_review",
            "internal_audit",
            "service_report",
            "satisfaction_survey",
            "complaint",
            "performance_measurement",
            "market_analysis",
        ]

    def test_sides(self) -> None:
        """Splits the areas into the SMS's parts and the services' qualities."""
        service_side = [a.value for a in ImprovementArea if a.side == "service"]
        assert service_side == ["reliability", "functionality", "customer_satisfaction"]
        assert ImprovementArea.SKILLS.side == "sms"


# ---------------------------------------------------------------------- policy
class TestPrioritisationPolicy:
    """The stated, weighted criteria and the major-impact thresholds."""

    def test_default_policy(self) -> None:
        """Ships four criteria with weights 3, 2, 2 and 1, major above 1 service or 2 customers."""
        policy = default_policy()
        assert policy.keys == (
            "business_objectives",
            "provider_capability",
            "service_requirements",
            "impact_on_others",
        )
        assert [c.weight for c in policy.criteria] == [Decimal(3), Decimal(2), Decimal(2), 1]
        assert (policy.major_impact_services, policy.major_impact_customers) == (1, 2)
        assert policy.total_weight == Decimal(8)

    def test_shipped_file(self) -> None:
        """Ships criteria.json as policy_json writes the default policy, version 1."""
        path = Path(__file__).parents[1] / "src/cloudsms/improvement/criteria.json"
        assert load_policy(path) == default_policy()
        assert path.read_text("utf-8") == policy_json(default_policy())
        assert json.loads(path.read_text("utf-8"))["version"] == 1

    def test_round_trip(self) -> None:
        """Goes to JSON and back unchanged, weights as strings."""
        text = to_json(POLICY)
        assert from_json(PrioritisationPolicy, text) == POLICY
        assert json.loads(text)["criteria"][0]["weight"] == "3"

    def test_policy_json_refuses(self) -> None:
        """Refuses to write something that is not a policy."""
        with pytest.raises(ValidationError) as info:
            policy_json("policy")  # type: ignore[arg-type]
        assert info.value.paths == ["$.policy"]

    def test_is_major(self) -> None:
        """Calls an impact major above either threshold, not at it."""
        assert not POLICY.is_major(services=1, customers=2)
        assert POLICY.is_major(services=2, customers=0)
        assert POLICY.is_major(services=0, customers=3)

    def test_criterion(self) -> None:
        """Finds a criterion by key and refuses an unknown one naming the keys."""
        assert POLICY.criterion("capability").weight == Decimal(2)
        with pytest.raises(ValidationError) as info:
            POLICY.criterion("cost")
        assert info.value.problems[0].expected == (
            "one of the policy's criteria (objectives, capability, requirements)"
        )

    def test_refuses_repeated_key(self) -> None:
        """Refuses a key used twice, at the second criterion's key."""
        twice = Criterion(key="objectives", title="Again", weight=Decimal(1))
        with pytest.raises(ValidationError) as info:
            PrioritisationPolicy(criteria=(*POLICY.criteria, twice))
        assert info.value.paths == ["$.criteria[3].key"]

    def test_refuses_empty_policy(self) -> None:
        """Refuses a policy without criteria."""
        with pytest.raises(ValidationError) as info:
            PrioritisationPolicy(criteria=())
        assert info.value.paths == ["$.criteria"]

    @pytest.mark.parametrize("weight", [Decimal(0), Decimal(-1), Decimal("NaN"), 3])
    def test_refuses_weight(self, weight: object) -> None:
        """Refuses a weight that is not a positive Decimal."""
        with pytest.raises(ValidationError) as info:
            Criterion(key="cost", title="Cost", weight=weight)  # type: ignore[arg-type]
        assert info.value.paths == ["$.weight"]
        assert info.value.problems[0].expected.startswith("a positive decimal weight")

    def test_refuses_weight_json_cannot_carry(self) -> None:
        """Refuses a weight whose exponent a document cannot carry."""
        with pytest.raises(ValidationError) as info:
            Criterion(key="cost", title="Cost", weight=Decimal("1E+1000"))
        assert info.value.problems[0].expected.startswith("a decimal weight written in at most")
        assert info.value.problems[0].got == "1E+1000"

    @pytest.mark.parametrize(
        ("weight", "got"),
        [
            (Decimal(0), "0"),
            (Decimal("-1.5"), "-1.5"),
            (Decimal("NaN"), "NaN"),
            (3, "3 (integer)"),
        ],
    )
    def test_weight_refusal_shows_what_was_written(self, weight: object, got: str) -> None:
        """Shows a refused Decimal weight as its digits, never as Python's Decimal('0')."""
        with pytest.raises(ValidationError) as info:
            Criterion(key="cost", title="Cost", weight=weight)  # type: ignore[arg-type]
        assert info.value.problems[0].got == got
        assert "Decimal(" not in str(info.value)

    def test_score_refusal_shows_what_was_written(self) -> None:
        """Shows a refused score as it was written, a Decimal as its digits."""
        problems = POLICY.score_problems(
            {"objectives": Decimal("2.5"), "capability": "3", "requirements": 6}, "$.s"
        )
        assert [(p.path, p.got) for p in problems] == [
            ("$.s.objectives", "2.5"),
            ("$.s.capability", "'3' (string)"),
            ("$.s.requirements", "6 (integer)"),
        ]

    def test_refuses_key_and_threshold(self) -> None:
        """Refuses an upper-case key and a negative threshold, each at its path."""
        with pytest.raises(ValidationError) as info:
            Criterion(key="Cost", title="Cost", weight=Decimal(1))
        assert info.value.problems[0].expected.startswith("a criterion key of lower-case")
        with pytest.raises(ValidationError) as info:
            PrioritisationPolicy(criteria=POLICY.criteria, major_impact_customers=-1)
        assert info.value.paths == ["$.major_impact_customers"]

    def test_load_policy(self, tmp_path: Path) -> None:
        """Reads a provider's own policy from a file."""
        path = tmp_path / "policy.json"
        path.write_text(policy_json(POLICY), "utf-8")
        assert load_policy(path) == POLICY
        assert load_policy(str(path)) == POLICY

    def test_load_policy_refusals(self, tmp_path: Path) -> None:
        """Refuses a missing file at $.path and a bad document at its field."""
        with pytest.raises(ValidationError) as info:
            load_policy(tmp_path / "missing.json")
        assert info.value.paths == ["$.path"]
        with pytest.raises(ValidationError) as info:
            load_policy(5)  # type: ignore[arg-type]
        assert info.value.paths == ["$.path"]
        bad = json.loads(policy_json(POLICY))
        bad["criteria"][1]["weight"] = "0"
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(bad), "utf-8")
        with pytest.raises(ValidationError) as info:
            load_policy(path)
        assert info.value.paths == ["$.criteria[1].weight"]
        assert info.value.problems[0].got == "0"
        assert "Decimal(" not in str(info.value)
        for wrong, where in (({**bad, "version": 2}, "$.version"), ([1], "$")):
            path.write_text(json.dumps(wrong), "utf-8")
            with pytest.raises(ValidationError) as info:
                load_policy(path)
            assert info.value.paths == [where]
        del bad["version"]
        path.write_text(json.dumps(bad), "utf-8")
        with pytest.raises(ValidationError) as info:
            load_policy(path)
        assert info.value.problems[0].got == "nothing"

    def test_score_problems(self) -> None:
        """Names a missing criterion, an unknown one and a score off the scale."""
        problems = POLICY.score_problems({"objectives": 6, "cost": 1}, "$.s")
        assert [(p.path, p.expected) for p in problems] == [
            ("$.s.capability", "a score for 'capability' (an integer from 0 to 5)"),
            ("$.s.requirements", "a score for 'requirements' (an integer from 0 to 5)"),
            ("$.s.objectives", "an integer from 0 to 5"),
            ("$.s.cost", "only the policy's criteria (objectives, capability, requirements)"),
        ]
        assert POLICY.score_problems(scores(0, 5, 2), "$.s") == []
        assert POLICY.score_problems({"objectives": True}, "$.s")[-1].path == "$.s.objectives"
        assert POLICY.score_problems([1, 2], "$.s")[0].path == "$.s"


# ---------------------------------------------------------------------- impact
class TestImpact:
    """Who an improvement touches."""

    def test_as_data(self) -> None:
        """Turns into the data an assessment records, and reads as a sentence."""
        impact = Impact(services=("crm", "erp"), customers=("acme",), major=True)
        assert impact.to_data() == {
            "services": ["crm", "erp"],
            "customers": ["acme"],
            "major": True,
        }
        assert str(impact) == "major impact: 2 services (crm, erp), 1 customer (acme)"
        assert str(Impact()) == "minor impact: 0 services, 0 customers"

    def test_refuses_repeats(self) -> None:
        """Refuses a service listed twice."""
        with pytest.raises(ValidationError) as info:
            Impact(services=("crm", "crm"))
        assert info.value.paths == ["$.services"]


# ---------------------------------------------------------------------- the record
class TestImprovement:
    """One improvement and its trail."""

    def test_defaults(self) -> None:
        """Starts identified, unscored, on a trail bound to its id."""
        found = improvement()
        assert found.state == "identified"
        assert found.lifecycle.id == "imp-1"
        assert dict(found.scores) == {}
        assert (found.assessed, found.assessed_at, found.impact) == (False, None, None)
        assert (found.change_id, found.design_id, found.linked) == (None, None, False)
        assert (found.approved_by, found.results, found.benefit_realised) == (None, None, None)
        assert not found.closed

    def test_refuses_bad_fields(self) -> None:
        """Refuses an empty title, a naive raised_at and a bad source_ref, each at its path."""
        with pytest.raises(ValidationError) as info:
            improvement(title=" ", raised_at=dt.datetime(2026, 1, 1), source_ref="no spaces")
        assert info.value.paths == ["$.title", "$.source_ref", "$.raised_at"]

    def test_refuses_bad_scores(self) -> None:
        """Refuses a score above 5, a key that is not lower-case, and a list."""
        with pytest.raises(ValidationError) as info:
            improvement(scores=[1])
        assert info.value.paths == ["$.scores"]
        with pytest.raises(ValidationError) as info:
            improvement(scores={"objectives": 6})
        assert info.value.paths == ["$.scores.objectives"]
        with pytest.raises(ValidationError) as info:
            improvement(scores={"Objectives": 1})
        assert info.value.paths == ["$.scores"]

    def test_refuses_event_before_raised(self) -> None:
        """Refuses a trail whose first event is earlier than the improvement was raised."""
        found = improvement(raised_at=at(5))
        with pytest.raises(ValidationError) as info:
            advance(found, "withdraw", who=WHO, when=at(1), data={"reason": "duplicate"})
        assert info.value.paths == ["$.lifecycle.history[0].when"]

    def test_refuses_scores_other_than_assessed(self) -> None:
        """Refuses scores that differ from the latest assessment's."""
        found = assessed("imp-1", scores(1, 2, 3)).improvement("imp-1")
        with pytest.raises(ValidationError) as info:
            attrs.evolve(found, scores=scores(1, 2, 4))
        assert info.value.paths == ["$.scores"]

    def test_refuses_another_trail(self) -> None:
        """Refuses a trail bound to another id, and an instance of another lifecycle."""
        with pytest.raises(ValidationError) as info:
            improvement(lifecycle=IMPROVEMENT_LIFECYCLE.begin(id="imp-2"))
        assert info.value.paths == ["$.lifecycle.id"]
        with pytest.raises(ValidationError) as info:
            improvement(lifecycle=SERVICE_LIFECYCLE.begin(id="imp-1"))
        assert info.value.paths == ["$.lifecycle"]

    def test_advance_with_scores_set_first(self) -> None:
        """Takes an assessment through advance once the scores are set to the same values."""
        given = scores(4, 2, 5)
        found = attrs.evolve(improvement(), scores=given)
        found = advance(
            found, "assess", who=WHO, when=at(1), data={"scores": given, "impact": MINOR.to_data()}
        )
        assert (found.state, found.assessed_at, found.impact) == ("assessed", at(1), MINOR)


# ---------------------------------------------------------------------- the lifecycle
class TestImprovementLifecycle:
    """The improvement lifecycle's table and guards."""

    def test_table(self) -> None:
        """Declares the states in order, three finals, withdrawal from every open state."""
        assert IMPROVEMENT_LIFECYCLE.name == "improvement"
        assert IMPROVEMENT_LIFECYCLE.states == IMPROVEMENT_STATES
        assert frozenset(IMPROVEMENT_LIFECYCLE.finals) == CLOSED_STATES
        withdrawable = [
            t.source for t in IMPROVEMENT_LIFECYCLE.transitions if t.event == "withdraw"
        ]
        assert withdrawable == ["identified", "assessed", "approved", "planned", "in_progress"]
        assert IMPROVEMENT_LIFECYCLE.allowed_events("implemented") == ("review",)

    def test_approve_before_assess(self) -> None:
        """Refuses approval of an improvement never assessed."""
        with pytest.raises(InvalidTransition) as info:
            register(improvement()).apply("imp-1", "approve", when=at(1), actor=WHO)
        assert (info.value.state, info.value.event) == ("identified", "approve")

    def test_plan_without_link(self) -> None:
        """Refuses planning without a link, and with both links."""
        made = approved()
        for data in ({}, {"change": "chg-1", "design": "crm-v2"}):
            with pytest.raises(InvalidTransition) as info:
                made.apply("imp-1", "plan", when=at(3), actor=WHO, data=data)
            assert "through one change" in str(info.value)

    def test_plan_with_bad_link(self) -> None:
        """Refuses a link that is not an id."""
        with pytest.raises(InvalidTransition) as info:
            approved().apply("imp-1", "plan", when=at(3), actor=WHO, data={"change": 7})
        assert "the change link is not an id" in str(info.value)

    def test_major_impact_with_change(self) -> None:
        """Refuses a change for a major-impact improvement, and takes design work."""
        major = Impact(services=("crm", "erp"), customers=("acme",), major=True)
        made = approved(impact=major)
        with pytest.raises(InvalidTransition) as info:
            made.apply("imp-1", "plan", when=at(3), actor=WHO, data={"change": "chg-1"})
        assert "found a major impact" in str(info.value)
        planned = made.apply("imp-1", "plan", when=at(3), actor=WHO, data={"design": "crm-v2"})
        assert planned.improvement("imp-1").design_id == "crm-v2"

    def test_reasons_and_results(self) -> None:
        """Refuses rejection without a reason and a review without measured results."""
        made = assessed("imp-1", scores(1, 1, 1))
        with pytest.raises(InvalidTransition, match="no reason given"):
            made.apply("imp-1", "reject", when=at(2), actor=WHO)
        with pytest.raises(InvalidTransition, match="no reason given"):
            made.apply("imp-1", "withdraw", when=at(2), actor=WHO, data={"reason": " "})
        done = approved().apply("imp-1", "plan", when=at(3), actor=WHO, data={"change": "c-1"})
        done = done.apply("imp-1", "start", when=at(4), actor=WHO)
        done = done.apply("imp-1", "complete", when=at(5), actor=WHO)
        with pytest.raises(InvalidTransition, match="results measured"):
            done.apply("imp-1", "review", when=at(6), actor=WHO, data={"results": "ok"})
        with pytest.raises(InvalidTransition):
            done.apply("imp-1", "withdraw", when=at(6), actor=WHO, data={"reason": "late"})

    def test_assess_guard(self) -> None:
        """Refuses an assessment without scores or impact, naming what is missing."""
        with pytest.raises(InvalidTransition) as info:
            IMPROVEMENT_LIFECYCLE.begin(id="x").apply("assess", who=WHO, when=T0, data={})
        assert "the assessment is incomplete" in str(info.value)
        assert "@ $.data.scores" in str(info.value)
        assert "@ $.data.impact" in str(info.value)

    def test_full_trail(self) -> None:
        """Walks from identified to reviewed, every step on a trail that verifies."""
        made = approved()
        made = made.apply("imp-1", "plan", when=at(3), actor=WHO, data={"change": "chg-1"})
        made = made.apply("imp-1", "start", when=at(4), actor="actor:ops")
        made = made.apply("imp-1", "complete", when=at(5), actor="actor:ops")
        results = {
            "results": "Restore requests down from 9 to 2 a month",
            "benefit_realised": True,
        }
        made = made.apply("imp-1", "review", when=at(6), actor=WHO, data=results)
        found = made.improvement("imp-1")
        assert found.state == "reviewed"
        assert found.closed
        assert [e.event for e in found.lifecycle.entries] == [
            "assess",
            "approve",
            "plan",
            "start",
            "complete",
            "review",
        ]
        assert found.change_id == "chg-1"
        assert found.approved_by == WHO
        assert (found.results, found.benefit_realised) == (results["results"], True)
        assert verify(found.lifecycle) is None


# ---------------------------------------------------------------------- ranking
class TestRanked:
    """Ranking by the weighted criteria, explained."""

    def ranked_register(self) -> ImprovementRegister:
        """Four improvements under weights 3/2/1; imp-c raised before imp-a."""
        made = register(
            improvement("imp-a", raised_at=at(0)),
            improvement("imp-b", raised_at=at(0)),
            improvement("imp-c", raised_at=at(-1)),
            improvement("imp-d", raised_at=at(0)),
            improvement("imp-e", raised_at=at(0)),
        )
        given = {
            "imp-a": scores(4, 2, 5),  # (12 + 4 + 5) / 6 = 3.5
            "imp-b": scores(5, 1, 1),  # (15 + 2 + 1) / 6 = 3
            "imp-c": scores(2, 5, 5),  # (6 + 10 + 5) / 6 = 3.5
            "imp-d": scores(0, 0, 0),  # 0
        }
        for ident, scored in given.items():
            made = made.assess(ident, scored, MINOR, when=at(1), actor=WHO)
        return made

    def test_hand_computed(self) -> None:
        """Scores each as sum(weight x score) / sum(weights); ties by raised_at, then id."""
        ranked = self.ranked_register().ranked()
        assert [(r.rank, r.id, r.score) for r in ranked] == [
            (1, "imp-c", Fraction(7, 2)),
            (2, "imp-a", Fraction(7, 2)),
            (3, "imp-b", Fraction(3)),
            (4, "imp-d", Fraction(0)),
        ]
        assert [r.display_score for r in ranked] == [
            Decimal("3.50"),
            Decimal("3.50"),
            Decimal("3.00"),
            Decimal("0.00"),
        ]

    def test_contributions(self) -> None:
        """Breaks a score down by criterion: points and shares that add up to the score."""
        top = self.ranked_register().ranked()[1]
        assert [(c.key, c.score, c.points, c.share) for c in top.contributions] == [
            ("objectives", 4, Decimal(12), Fraction(2)),
            ("capability", 2, Decimal(4), Fraction(2, 3)),
            ("requirements", 5, Decimal(5), Fraction(5, 6)),
        ]
        assert sum(c.share for c in top.contributions) == top.score

    def test_explanation(self) -> None:
        """Explains a score in one sentence, with the tie and how it was broken."""
        ranked = self.ranked_register().ranked()
        assert ranked[1].explanation == (
            "imp-a ranks 2 of 4 with 3.50 of 5: 21 weighted points (objectives 4 x 3 = 12, "
            "capability 2 x 2 = 4, requirements 5 x 1 = 5) over a total weight of 6; "
            "objectives contributes most. Tied with imp-c at 3.50: ordered by when each was "
            "raised, then by id."
        )
        assert ranked[2].explanation == (
            "imp-b ranks 3 of 4 with 3.00 of 5: 18 weighted points (objectives 5 x 3 = 15, "
            "capability 1 x 2 = 2, requirements 1 x 1 = 1) over a total weight of 6; "
            "objectives contributes most."
        )

    def test_explanation_names_every_tie(self) -> None:
        """Names every improvement sharing a score, not only the neighbours in the ranking."""
        made = register(
            improvement("t0"), improvement("t1"), improvement("t2"), policy=default_policy()
        )
        given = {
            "business_objectives": 1,
            "provider_capability": 2,
            "service_requirements": 2,
            "impact_on_others": 4,
        }
        for ident in ("t0", "t1", "t2"):
            made = made.assess(ident, given, MINOR, when=at(1), actor=WHO)
        ranked = made.ranked()
        assert [r.id for r in ranked] == ["t0", "t1", "t2"]
        tail = " at 1.88: ordered by when each was raised, then by id."
        assert ranked[0].explanation.endswith(" Tied with t1 and t2" + tail)
        assert ranked[1].explanation.endswith(" Tied with t0 and t2" + tail)
        assert ranked[2].explanation.endswith(" Tied with t0 and t1" + tail)

    def test_explanation_names_every_top_criterion(self) -> None:
        """Names every criterion sharing the most points, in the policy order, with the points."""
        made = register(improvement("t0"), improvement("t1"), policy=default_policy())
        made = made.assess(
            "t0",
            {
                "business_objectives": 1,
                "provider_capability": 2,
                "service_requirements": 2,
                "impact_on_others": 4,
            },
            MINOR,
            when=at(1),
            actor=WHO,
        )
        made = made.assess(
            "t1",
            {
                "business_objectives": 0,
                "provider_capability": 0,
                "service_requirements": 0,
                "impact_on_others": 0,
            },
            MINOR,
            when=at(1),
            actor=WHO,
        )
        first, second = made.ranked()
        assert first.explanation == (
            "t0 ranks 1 of 2 with 1.88 of 5: 15 weighted points (business objectives 1 x 3 = 3, "
            "provider capability 2 x 2 = 4, service requirements 2 x 2 = 4, impact on others "
            "4 x 1 = 4) over a total weight of 8; provider capability, service requirements and "
            "impact on others contribute most, 4 points each."
        )
        assert second.explanation.endswith(
            "over a total weight of 8; no criterion adds any points."
        )

    def test_leaves_out_closed_and_unassessed(self) -> None:
        """Leaves out the unassessed and, unless asked, the closed, which are then marked."""
        made = self.ranked_register()
        made = made.apply("imp-b", "reject", when=at(2), actor=WHO, data={"reason": "costly"})
        assert [r.id for r in made.ranked()] == ["imp-c", "imp-a", "imp-d"]
        everything = made.ranked(include_closed=True)
        assert [(r.id, r.closed) for r in everything] == [
            ("imp-c", False),
            ("imp-a", False),
            ("imp-b", True),
            ("imp-d", False),
        ]
        assert [i.id for i in made.unassessed()] == ["imp-e"]
        with pytest.raises(ValidationError):
            made.ranked(include_closed="yes")  # type: ignore[arg-type]

    def test_rounds_half_to_even_once(self) -> None:
        """Rounds 2.125 to 2.12 and 2.375 to 2.38 for display, keeping the exact score."""
        policy = PrioritisationPolicy(
            criteria=(
                Criterion(key="a", title="A", weight=Decimal("0.5")),
                Criterion(key="b", title="B", weight=Decimal("3.5")),
            )
        )
        made = register(improvement("x"), improvement("y"), policy=policy)
        made = made.assess("x", {"a": 3, "b": 2}, MINOR, when=at(1), actor=WHO)  # 8.5 / 4
        made = made.assess("y", {"a": 5, "b": 2}, MINOR, when=at(1), actor=WHO)  # 9.5 / 4
        ranked = {r.id: r for r in made.ranked()}
        assert (ranked["x"].score, ranked["x"].display_score) == (Fraction(17, 8), Decimal("2.12"))
        assert (ranked["y"].score, ranked["y"].display_score) == (Fraction(19, 8), Decimal("2.38"))
        assert "8.5 weighted points" in ranked["x"].explanation
        assert "over a total weight of 4;" in ranked["x"].explanation

    def test_reassessment_replaces_scores(self) -> None:
        """Takes the latest assessment's scores while the improvement awaits a decision."""
        made = assessed("imp-1", scores(1, 1, 1))
        made = made.assess("imp-1", scores(5, 5, 5), MINOR, when=at(2), actor=WHO)
        (top,) = made.ranked()
        assert top.score == Fraction(5)
        assert dict(made.improvement("imp-1").scores) == scores(5, 5, 5)

    def test_tie_in_a_dst_fold_goes_by_the_instant(self) -> None:
        """Orders 02:30 of the second pass (CET) after 02:30 of the first (CEST) in Berlin."""
        berlin = ZoneInfo("Europe/Berlin")
        first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin)
        second = first.replace(fold=1)
        made = register(
            improvement("imp-a", raised_at=second), improvement("imp-b", raised_at=first)
        )
        for ident in ("imp-a", "imp-b"):
            made = made.assess(
                ident, scores(2, 3, 4), MINOR, when=second + dt.timedelta(hours=1), actor=WHO
            )
        assert [r.id for r in made.ranked()] == ["imp-b", "imp-a"]

    def test_tie_at_the_same_instant_goes_by_id(self) -> None:
        """Orders two improvements of equal score raised at the same instant by id."""
        made = register(improvement("imp-z"), improvement("imp-m"), improvement("imp-q"))
        for ident in ("imp-z", "imp-m", "imp-q"):
            made = made.assess(ident, scores(2, 3, 4), MINOR, when=at(1), actor=WHO)
        assert [r.id for r in made.ranked()] == ["imp-m", "imp-q", "imp-z"]


def one_assessed(weights: tuple[str, ...], score: int) -> ImprovementRegister:
    """A register whose policy has ``weights``, one improvement scored ``score`` on each."""
    policy = PrioritisationPolicy(
        criteria=tuple(
            Criterion(key=f"c{index}", title=f"Criterion {index}", weight=Decimal(weight))
            for index, weight in enumerate(weights)
        )
    )
    made = register(improvement("imp-1"), policy=policy)
    return made.assess("imp-1", dict.fromkeys(policy.keys, score), MINOR, when=at(1), actor=WHO)


_WEIGHT_TEXTS = st.builds(
    lambda digits, exponent: f"{digits}E{exponent}",
    st.integers(1, 10**40),
    st.integers(-60, 60),
)


class TestExactScore:
    """Totals and points are exact, whatever the caller's decimal context."""

    def test_tiny_weight_beside_a_large_one(self) -> None:
        """Scores 5 when every criterion scores 5, a weight of 1E-29 beside one of 1."""
        (top,) = one_assessed(("1", "1E-29"), 5).ranked()
        assert top.score == 5
        total = one_assessed(("1", "1E-29"), 5).policy.total_weight
        assert total == Decimal("1.00000000000000000000000000001")

    def test_long_weight(self) -> None:
        """Scores 5 with a weight of 31 significant digits beside a weight of 3."""
        made = one_assessed(("1234567890.123456789012345678901", "3"), 5)
        (top,) = made.ranked()
        assert top.score == 5
        assert made.policy.total_weight == Decimal("1234567893.123456789012345678901")
        assert top.contributions[0].points == Decimal("6172839450.617283945061728394505")
        assert "over a total weight of 1234567893.123456789012345678901;" in top.explanation

    def test_caller_context_of_three_digits(self) -> None:
        """Works to the same exact score and sentence under a caller's context of 3 digits."""
        made = one_assessed(("1.25", "2.375"), 5)
        expected = made.ranked()
        with decimal.localcontext(prec=3):
            (top,) = made.ranked()
            total = made.policy.total_weight
            assert decimal.getcontext().prec == 3
        assert top == expected[0]
        assert (top.score, total) == (Fraction(5), Decimal("3.625"))
        assert top.explanation == (
            "imp-1 ranks 1 of 1 with 5.00 of 5: 18.125 weighted points (c0 5 x 1.25 = 6.25, "
            "c1 5 x 2.375 = 11.875) over a total weight of 3.625; c1 contributes most."
        )

    def test_display_score_under_a_caller_context_of_one_digit(self) -> None:
        """Rounds 17/8 to 2.12 for display even where the caller's context keeps one digit."""
        policy = PrioritisationPolicy(
            criteria=(
                Criterion(key="a", title="A", weight=Decimal("0.5")),
                Criterion(key="b", title="B", weight=Decimal("3.5")),
            )
        )
        made = register(improvement("x"), policy=policy)
        made = made.assess("x", {"a": 3, "b": 2}, MINOR, when=at(1), actor=WHO)
        with decimal.localcontext(prec=1):
            (top,) = made.ranked()
            assert top.display_score == Decimal("2.12")
            assert "8.5 weighted points" in top.explanation

    @given(
        weights=st.lists(_WEIGHT_TEXTS, min_size=1, max_size=5),
        score=st.integers(0, 5),
        precision=st.integers(1, 40),
    )
    def test_equal_scores_give_that_score(
        self, weights: list[str], score: int, precision: int
    ) -> None:
        """Scores s for any weights when every criterion scores s, in any caller's context."""
        made = one_assessed(tuple(weights), score)
        plain = made.ranked()
        with decimal.localcontext(prec=precision):
            (top,) = made.ranked()
            total = made.policy.total_weight
        assert top.score == score
        assert (top,) == plain
        assert Fraction(total) == sum((Fraction(Decimal(w)) for w in weights), Fraction(0))
        assert all(Fraction(c.points) == Fraction(c.weight) * score for c in top.contributions)


# ---------------------------------------------------------------------- impact
class TestImpactOf:
    """The impact on other services and customers, through the service graph."""

    AGREEMENTS = (
        agreement("csa-acme", "acme", "crm"),
        agreement("csa-globex", "globex", "erp"),
        agreement("csa-initech", "initech", "erp"),
        agreement("csa-umbrella", "umbrella", "mail"),
    )

    def test_shared_component(self) -> None:
        """Finds two services and three customers behind a shared component: major."""
        made = register(improvement(services=("db",)))
        impact = made.impact_of("imp-1", GRAPH, self.AGREEMENTS)
        assert impact == Impact(
            services=("crm", "erp"), customers=("acme", "globex", "initech"), major=True
        )

    def test_one_service(self) -> None:
        """Finds the service itself and its one customer: not major."""
        made = register(improvement(services=("mail",)))
        assert made.impact_of(made.improvement("imp-1"), GRAPH, self.AGREEMENTS) == Impact(
            services=("mail",), customers=("umbrella",), major=False
        )

    def test_no_services(self) -> None:
        """Finds nothing for an improvement of the SMS that touches no service."""
        made = register(improvement())
        assert made.impact_of("imp-1", GRAPH) == Impact()

    def test_refusals(self) -> None:
        """Refuses an unknown node with close matches, a non-graph and a non-agreement."""
        made = register(improvement(services=("mail", "dbb")))
        with pytest.raises(ValidationError) as info:
            made.impact_of("imp-1", GRAPH, [5])  # type: ignore[list-item]
        assert info.value.paths == ["$.agreements[0]", "$.improvement.services[1]"]
        assert (
            info.value.problems[1].expected
            == "a service or component of the graph (close matches: db)"
        )
        with pytest.raises(ValidationError) as info:
            made.impact_of("imp-1", "graph")  # type: ignore[arg-type]
        assert info.value.paths == ["$.graph"]
        with pytest.raises(UnknownReference):
            made.impact_of("imp-9", GRAPH)

    def test_assessment_records_it(self) -> None:
        """Records the impact with the scores, and refuses a verdict the policy does not give."""
        made = register(improvement(services=("db",)))
        impact = made.impact_of("imp-1", GRAPH, self.AGREEMENTS)
        done = made.assess("imp-1", scores(3, 3, 3), impact, when=at(1), actor=WHO)
        assert done.improvement("imp-1").impact == impact
        with pytest.raises(ValidationError) as info:
            made.assess(
                "imp-1", scores(3, 3, 3), attrs.evolve(impact, major=False), when=at(1), actor=WHO
            )
        assert info.value.paths == ["$.data.impact.major"]


# ---------------------------------------------------------------------- links
class TestLinks:
    """Links to a change (9.2, S09) and to design work (clause 5, S05)."""

    def change(self, **changes: Any) -> Change:
        """A normal change to crm requested at T0."""
        fields: dict[str, Any] = {
            "id": "chg-7",
            "kind": ChangeKind.NORMAL,
            "summary": "Publish the restore guide",
            "services": {"crm"},
            "requested_at": T0,
        }
        fields.update(changes)
        return Change(**fields)

    def test_link_change(self) -> None:
        """Plans an approved improvement through an open change."""
        made = approved().link_change("imp-1", self.change(), when=at(3), actor=WHO)
        found = made.improvement("imp-1")
        assert (found.state, found.change_id, found.linked) == ("planned", "chg-7", True)

    def test_refuses_closed_change(self) -> None:
        """Refuses a rejected change, and something that is not a change."""
        rejected = advance(self.change(), "reject", who=WHO, when=at(1))
        with pytest.raises(ValidationError) as info:
            approved().link_change("imp-1", rejected, when=at(3), actor=WHO)
        assert info.value.problems[0].got == "the change 'chg-7', rejected"
        with pytest.raises(ValidationError) as info:
            approved().link_change("imp-1", "chg-7", when=at(3), actor=WHO)  # type: ignore[arg-type]
        assert info.value.paths == ["$.change"]

    def test_link_change_for_major_impact(self) -> None:
        """Refuses a change for a major-impact improvement."""
        major = Impact(services=("crm", "erp"), major=True)
        with pytest.raises(InvalidTransition, match="major impact"):
            approved(impact=major).link_change("imp-1", self.change(), when=at(3), actor=WHO)

    def test_link_design(self) -> None:
        """Plans an improvement as design work on a service still in design."""
        made = approved().link_design("imp-1", service("crm-v2"), when=at(3), actor=WHO)
        assert made.improvement("imp-1").design_id == "crm-v2"
        assert "planned" in DESIGN_STATES

    def test_refuses_live_service(self) -> None:
        """Refuses a live service as design work, and something that is not a service."""
        live = attrs.evolve(
            service("crm"), lifecycle=SERVICE_LIFECYCLE.begin(id="crm", origin="live")
        )
        with pytest.raises(ValidationError) as info:
            approved().link_design("imp-1", live, when=at(3), actor=WHO)
        assert info.value.problems[0].got == "the service 'crm', live"
        with pytest.raises(ValidationError) as info:
            approved().link_design("imp-1", "crm", when=at(3), actor=WHO)  # type: ignore[arg-type]
        assert info.value.paths == ["$.service"]

    def test_link_before_approval(self) -> None:
        """Refuses to link an improvement not yet approved."""
        with pytest.raises(InvalidTransition):
            assessed("imp-1", scores(1, 1, 1)).link_change(
                "imp-1", self.change(), when=at(3), actor=WHO
            )


# ---------------------------------------------------------------------- the register
class TestImprovementRegister:
    """The register as a document and as a value that changes by returning new ones."""

    def test_default_policy(self) -> None:
        """Takes the shipped policy unless one is stated."""
        assert ImprovementRegister(id="r").policy == default_policy()

    def test_round_trip(self) -> None:
        """Goes to JSON and back unchanged, trails and all."""
        made = (
            approved()
            .link_change("imp-1", TestLinks().change(), when=at(3), actor=WHO)
            .with_improvement(improvement("imp-2"))
        )
        text = to_json(made)
        assert json.loads(text)["type"] == "cloudsms.improvement-register"
        back = from_json(ImprovementRegister, text)
        assert back == made
        assert verify(back.improvement("imp-1").lifecycle) is None

    def test_refuses_repeated_id(self) -> None:
        """Refuses an improvement id used twice, on building and on adding."""
        with pytest.raises(ValidationError) as info:
            register(improvement(), improvement())
        assert info.value.paths == ["$.improvements[1].id"]
        with pytest.raises(ValidationError) as info:
            register(improvement()).with_improvement(improvement())
        assert info.value.paths == ["$.improvement.id"]

    def test_refuses_scores_of_other_criteria(self) -> None:
        """Refuses an assessed improvement whose scores are not on the policy's criteria."""
        found = assessed("imp-1", scores(1, 2, 3)).improvement("imp-1")
        with pytest.raises(ValidationError) as info:
            register(found, policy=default_policy())
        assert "$.improvements[0].scores.business_objectives" in info.value.paths

    def test_replace(self) -> None:
        """Replaces an improvement in place, and refuses an unknown one or a non-improvement."""
        made = register(improvement("imp-1"), improvement("imp-2"))
        changed = made.replace(improvement("imp-1", title="Renamed"))
        assert [i.title for i in changed] == ["Renamed", "Improvement imp-2"]
        assert len(changed) == 2
        with pytest.raises(ValidationError) as info:
            made.replace(improvement("imp-3"))
        assert info.value.paths == ["$.improvement.id"]
        with pytest.raises(ValidationError) as info:
            made.with_improvement("imp-3")  # type: ignore[arg-type]
        assert info.value.paths == ["$.improvement"]

    def test_look_ups(self) -> None:
        """Finds an improvement by id, suggests close ids, filters by state."""
        made = register(improvement("imp-1"), improvement("imp-2"))
        assert made.improvement("imp-2").id == "imp-2"
        assert "imp-1" in made
        assert 5 not in made
        with pytest.raises(UnknownReference, match="did you mean"):
            made.improvement("imp-3")
        assert [i.id for i in made.in_state("identified")] == ["imp-1", "imp-2"]

    def test_apply_leaves_register_unchanged(self) -> None:
        """Leaves the register as it was when an event is refused."""
        made = register(improvement())
        with pytest.raises(ValidationError) as info:
            made.apply("imp-1", "assess", when=at(1), actor=WHO, data=None)
        assert info.value.paths == ["$.data"]
        with pytest.raises(ValidationError):
            made.apply("imp-1", "withdraw", when=at(-1), actor=WHO, data={"reason": "dup"})
        assert made == register(improvement())

    def test_assess_refusals(self) -> None:
        """Refuses scores off the policy and an impact that is not an Impact."""
        made = register(improvement())
        with pytest.raises(ValidationError) as info:
            made.assess("imp-1", {"objectives": 9}, MINOR, when=at(1), actor=WHO)
        assert info.value.paths == [
            "$.data.scores.capability",
            "$.data.scores.requirements",
            "$.data.scores.objectives",
        ]
        with pytest.raises(ValidationError) as info:
            made.assess("imp-1", scores(1, 1, 1), {}, when=at(1), actor=WHO)  # type: ignore[arg-type]
        assert info.value.paths == ["$.impact"]
        with pytest.raises(ValidationError) as info:
            made.apply(
                "imp-1",
                "assess",
                when=at(1),
                actor=WHO,
                data={"scores": scores(1, 1, 1), "impact": {"services": "crm"}},
            )
        assert info.value.paths == ["$.data.impact"]
        wrong = {"services": "crm", "customers": ["Not an id"], "major": "yes"}
        with pytest.raises(ValidationError) as info:
            made.apply(
                "imp-1",
                "assess",
                when=at(1),
                actor=WHO,
                data={"scores": scores(1, 1, 1), "impact": wrong},
            )
        assert info.value.paths == [
            "$.data.impact.services",
            "$.data.impact.customers[0]",
            "$.data.impact.major",
        ]


# ---------------------------------------------------------------------- the examples
EXAMPLES = Path(__file__).parents[1] / "examples"


class TestExampleRegister:
    """examples/conformity/improvement-register.json: a provider's register of 2026."""

    def register(self) -> ImprovementRegister:
        """The example register, read from its file."""
        text = (EXAMPLES / "conformity" / "improvement-register.json").read_text("utf-8")
        return from_json(ImprovementRegister, text)

    def test_reads_and_verifies(self) -> None:
        """Reads back, writes the same text, and every trail verifies."""
        path = EXAMPLES / "conformity" / "improvement-register.json"
        made = self.register()
        assert to_json(made, indent=2) + "\n" == path.read_text("utf-8")
        assert all(verify(i.lifecycle) is None for i in made)

    def test_states_and_sources(self) -> None:
        """Holds ten improvements, in every state of the lifecycle, from every source."""
        made = self.register()
        assert len(made) == 10
        assert {i.state for i in made} == set(IMPROVEMENT_STATES)
        assert {i.source for i in made} == set(OpportunitySource)

    def test_ranking(self) -> None:
        """Ranks the database improvement first: (5 x 3 + 3 x 2 + 5 x 2 + 2 x 1) / 8 = 4.125."""
        ranked = self.register().ranked()
        assert [r.id for r in ranked] == [
            "imp-2026-03",
            "imp-2026-02",
            "imp-2026-04",
            "imp-2026-05",
            "imp-2026-07",
            "imp-2026-10",
        ]
        assert (ranked[0].score, ranked[0].display_score) == (Fraction(33, 8), Decimal("4.12"))
        major = self.register().improvement("imp-2026-03")
        assert (major.impact is not None and major.impact.major, major.design_id) == (
            True,
            "db-cluster-ha",
        )


class TestExampleScript:
    """examples/improvement.py runs end to end."""

    def test_runs(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Prints the impacts, the explained ranking, the register and trails that verify."""
        runpy.run_path(str(EXAMPLES / "improvement.py"), run_name="__main__")
        out = capsys.readouterr().out
        assert (
            "imp-1: major impact: 2 services (crm, erp), 3 customers (globex, initech, umbrella)"
            in out
        )
        assert "imp-1 ranks 1 of 4 with 4.12 of 5: 33 weighted points" in out
        assert "1     imp-1        4.12   planned   design:db-cluster-ha" in out
        assert "imp-2 (reviewed): assess -> approve -> plan -> start -> complete -> review" in out
        assert "BROKEN" not in out
        assert "imp-2 went through chg-2026-131" in out


class TestPolicyChangedAfterAssessment:
    """Thresholds edited after an assessment: the recorded verdict is history and stands."""

    def register(self, services: int, customers: int) -> ImprovementRegister:
        """The example register under its policy with the thresholds changed."""
        text = (EXAMPLES / "conformity" / "improvement-register.json").read_text("utf-8")
        made = from_json(ImprovementRegister, text)
        policy = attrs.evolve(
            made.policy, major_impact_services=services, major_impact_customers=customers
        )
        return attrs.evolve(made, policy=policy)

    def test_register_still_validates_and_round_trips(self) -> None:
        """Keeps a change-planned improvement that today's policy would call major."""
        made = self.register(0, 0)
        assert from_json(ImprovementRegister, to_json(made)) == made
        kept = made.improvement("imp-2026-04")
        assert (kept.state, kept.change_id) == ("planned", "chg-2026-131")
        assert kept.impact == Impact(services=("crm",), customers=("globex", "initech"))

    def test_ranking_shows_where_the_verdict_differs(self) -> None:
        """Marks each improvement whose recorded minor impact is now over the line, and says so."""
        ranked = {r.id: r for r in self.register(0, 0).ranked(include_closed=True)}
        differing = sorted(i for i, r in ranked.items() if r.verdict_differs)
        assert differing == ["imp-2026-04", "imp-2026-06", "imp-2026-07", "imp-2026-10"]
        planned = ranked["imp-2026-04"]
        assert (planned.impact.major, planned.policy_major) == (False, True)
        assert planned.explanation.endswith(
            " Its assessment recorded a minor impact (1 service, 2 customers), which the "
            "current policy (major above 0 services or 0 customers) would call major; the "
            "recorded verdict stands."
        )
        assert ranked["imp-2026-10"].explanation.endswith(
            "the recorded verdict stands until it is assessed again."
        )
        assert not ranked["imp-2026-01"].verdict_differs  # no service touched: minor still
        assert not ranked["imp-2026-03"].verdict_differs  # recorded major, major still
        assert "recorded verdict" not in ranked["imp-2026-03"].explanation

    def test_raised_thresholds(self) -> None:
        """Marks a recorded major impact the raised thresholds would call minor."""
        ranked = {r.id: r for r in self.register(100, 100).ranked(include_closed=True)}
        design = ranked["imp-2026-03"]
        assert (design.impact.major, design.policy_major, design.verdict_differs) == (
            True,
            False,
            True,
        )
        assert design.explanation.endswith(
            " Its assessment recorded a major impact (2 services, 3 customers), which the "
            "current policy (major above 100 services or 100 customers) would call minor; the "
            "recorded verdict stands."
        )

    def test_unchanged_policy_differs_nowhere(self) -> None:
        """Marks nothing while the policy is the one the assessments were made under."""
        made = self.register(1, 2)
        assert not any(r.verdict_differs for r in made.ranked(include_closed=True))

    def test_planning_follows_the_recorded_verdict(self) -> None:
        """Plans through a change an improvement assessed minor, whatever the policy says now."""
        made = approved(impact=Impact(services=("crm",), customers=("globex", "initech")))
        stricter = attrs.evolve(POLICY, major_impact_services=0, major_impact_customers=0)
        made = attrs.evolve(made, policy=stricter)
        made = made.apply("imp-1", "plan", when=at(3), actor=WHO, data={"change": "chg-1"})
        assert made.improvement("imp-1").change_id == "chg-1"
        (only,) = made.ranked()
        assert only.verdict_differs

    def test_reassessment_applies_the_new_policy(self) -> None:
        """Asks an improvement awaiting its decision for the new verdict when assessed again."""
        made = self.register(0, 0)
        recorded = made.improvement("imp-2026-10").impact
        assert recorded is not None
        given = dict(made.improvement("imp-2026-10").scores)
        with pytest.raises(ValidationError) as info:
            made.assess("imp-2026-10", given, recorded, when=LATER, actor=WHO)
        assert info.value.paths == ["$.data.impact.major"]
        assert info.value.problems[0].expected == (
            "true: the policy's verdict on 1 service and 1 customer (major above 0 services "
            "or 0 customers)"
        )
        now = attrs.evolve(recorded, major=True)
        made = made.assess("imp-2026-10", given, now, when=LATER, actor=WHO)
        (again,) = (r for r in made.ranked() if r.id == "imp-2026-10")
        assert not again.verdict_differs


LATER = dt.datetime(2026, 12, 30, 9, tzinfo=dt.UTC)


# ---------------------------------------------------------------------- recorded verdicts
FIVE = {
    "services": ["s1", "s2", "s3", "s4", "s5"],
    "customers": [],
    "major": False,
}
THRESHOLDS = {"services": 1, "customers": 2}


def raw_assessment(**data: Any) -> dict[str, Any]:
    """The data of an assessment on `POLICY`'s criteria, with ``data`` added or replaced."""
    return {"scores": scores(3, 3, 3), "impact": Impact().to_data(), **data}


def rechained(text: str, index: int, edit: Callable[[list[dict[str, Any]]], None]) -> str:
    """A register document with improvement ``index``'s history edited and its chain redone.

    What someone rewriting an unkeyed trail would do: every hash follows, so only the
    replay through the guards and the register's own rules can tell.
    """
    body = json.loads(text)
    held = body["improvements"][index]
    history = held["lifecycle"]["history"]
    edit(history)
    previous = genesis("improvement", held["id"], None, "{}")
    for entry in history:
        read = from_json(HistoryEntry, json.dumps({**entry, "hash": "0" * 64}))
        previous = link(previous, read.canonical(), None)
        entry["hash"] = previous
    return json.dumps(body)


def example_text() -> str:
    """The example register's document."""
    return (EXAMPLES / "conformity" / "improvement-register.json").read_text("utf-8")


class TestRecordedVerdict:
    """An assessment records the thresholds it judged by; its verdict must be theirs."""

    def planned_through_change(self, data: dict[str, Any]) -> Improvement:
        """An improvement assessed with raw ``data``, approved and planned through a change."""
        instance = IMPROVEMENT_LIFECYCLE.begin(id="imp-1")
        instance = instance.apply("assess", who=WHO, when=at(1), data=data)
        instance = instance.apply("approve", who=WHO, when=at(2))
        instance = instance.apply("plan", who=WHO, when=at(3), data={"change": "chg-1"})
        return improvement(scores=data["scores"], lifecycle=instance)

    def test_register_refuses_unrecorded_wrong_verdict(self) -> None:
        """Refuses, at its trail path, a minor verdict on five services with no thresholds."""
        found = self.planned_through_change(raw_assessment(impact=FIVE))
        with pytest.raises(ValidationError) as info:
            register(found)
        assert info.value.paths == ["$.improvements[0].lifecycle.history[0].data.impact.major"]
        assert info.value.problems[0].expected == (
            "true: no thresholds recorded: the policy's verdict on 5 services and 0 customers "
            "(major above 1 service or 2 customers)"
        )
        sound = register(self.planned_through_change(raw_assessment()))
        text = to_json(sound).replace('"services":[]', '"services":["s1","s2","s3","s4","s5"]')
        with pytest.raises(ValidationError):
            from_json(ImprovementRegister, text)

    def test_old_shape_judged_by_the_policy(self) -> None:
        """Takes an assessment without thresholds whose verdict the register's policy gives."""
        two = {"services": ["crm", "erp"], "customers": [], "major": True}
        instance = IMPROVEMENT_LIFECYCLE.begin(id="imp-1").apply(
            "assess", who=WHO, when=at(1), data=raw_assessment(impact=two)
        )
        made = register(improvement(scores=scores(3, 3, 3), lifecycle=instance))
        assert from_json(ImprovementRegister, to_json(made)) == made
        assert made.ranked()[0].impact.major

    def test_guard_refuses_verdict_against_recorded_thresholds(self) -> None:
        """Refuses, live, a minor verdict on five services the recorded thresholds call major."""
        with pytest.raises(InvalidTransition) as info:
            self.planned_through_change(raw_assessment(impact=FIVE, thresholds=THRESHOLDS))
        assert (
            "expected true: the recorded thresholds' verdict on 5 services and 0 customers "
            "(major above 1 service or 2 customers), got False (boolean) @ $.data.impact.major"
        ) in str(info.value)

    @pytest.mark.parametrize(
        ("thresholds", "path"),
        [
            ({"services": 1}, "$.data.thresholds"),
            ([1, 2], "$.data.thresholds"),
            ({"services": -1, "customers": 2}, "$.data.thresholds.services"),
            ({"services": 1, "customers": True}, "$.data.thresholds.customers"),
        ],
    )
    def test_guard_refuses_malformed_thresholds(self, thresholds: object, path: str) -> None:
        """Refuses thresholds that are not two counts, naming where."""
        with pytest.raises(InvalidTransition) as info:
            IMPROVEMENT_LIFECYCLE.begin(id="x").apply(
                "assess", who=WHO, when=T0, data=raw_assessment(thresholds=thresholds)
            )
        assert f"@ {path}" in str(info.value)

    def test_register_records_the_policy_thresholds(self) -> None:
        """Records the policy's thresholds with every assessment it applies."""
        made = assessed("imp-1", scores(1, 2, 3))
        entry = made.improvement("imp-1").lifecycle.entries[0]
        assert entry.data["thresholds"] == THRESHOLDS
        raw = made.apply(
            "imp-1", "assess", when=at(2), actor=WHO, data=raw_assessment(thresholds=THRESHOLDS)
        )
        assert raw.improvement("imp-1").lifecycle.entries[-1].data["thresholds"] == THRESHOLDS

    def test_register_refuses_other_thresholds(self) -> None:
        """Refuses thresholds other than its policy's, and malformed ones, at their paths."""
        made = register(improvement())
        other = {"services": 1, "customers": 9}
        with pytest.raises(ValidationError) as info:
            made.apply(
                "imp-1", "assess", when=at(1), actor=WHO, data=raw_assessment(thresholds=other)
            )
        assert info.value.paths == ["$.data.thresholds.customers"]
        assert info.value.problems[0].expected.startswith("2: the register's policy's threshold")
        with pytest.raises(ValidationError) as info:
            made.apply("imp-1", "assess", when=at(1), actor=WHO, data=raw_assessment(thresholds=3))
        assert info.value.paths == ["$.data.thresholds"]
        assert made == register(improvement())

    def test_forged_verdict_refused_on_reading(self) -> None:
        """Refuses a document whose recorded verdict was flipped and its chain redone."""

        def flip(history: list[dict[str, Any]]) -> None:
            history[0]["data"]["impact"]["major"] = False

        forged = rechained(example_text(), 2, flip)  # imp-2026-03: 2 services, 3 customers
        with pytest.raises(ValidationError) as info:
            from_json(ImprovementRegister, forged)
        assert info.value.paths == ["$.improvements[2].lifecycle.history[0]"]
        assert "@ $.data.impact.major" in info.value.problems[0].got

    def test_forged_verdict_without_thresholds_refused(self) -> None:
        """Refuses a flipped verdict whose thresholds were dropped: the policy judges it."""

        def flip(history: list[dict[str, Any]]) -> None:
            del history[0]["data"]["thresholds"]
            history[0]["data"]["impact"]["major"] = False

        forged = rechained(example_text(), 2, flip)
        with pytest.raises(ValidationError) as info:
            from_json(ImprovementRegister, forged)
        assert info.value.paths == ["$.improvements[2].lifecycle.history[0].data.impact.major"]

    def test_example_register_records_thresholds(self) -> None:
        """Records the thresholds it was judged by in every assessment of the example."""
        made = from_json(ImprovementRegister, example_text())
        recorded = [
            e.data["thresholds"] for i in made for e in i.lifecycle.entries if e.event == "assess"
        ]
        assert len(recorded) == 9
        assert all(t == THRESHOLDS for t in recorded)


class TestEventData:
    """No event's data holds a key beyond those it records: refused live and on replay."""

    @pytest.mark.parametrize(
        ("event", "data"),
        [
            ("assess", raw_assessment(note="x")),
            ("approve", {"note": "x"}),
            ("reject", {"reason": "costly", "note": "x"}),
            ("withdraw", {"reason": "duplicate", "note": "x"}),
        ],
    )
    def test_refused_before_planning(self, event: str, data: dict[str, Any]) -> None:
        """Refuses an extra key at $.data.note, through the register and the lifecycle."""
        made = register(improvement())
        if event != "assess":
            made = made.assess("imp-1", scores(1, 1, 1), MINOR, when=at(1), actor=WHO)
        with pytest.raises(ValidationError) as info:
            made.apply("imp-1", event, when=at(2), actor=WHO, data=data)
        assert info.value.paths == ["$.data.note"]
        instance = made.improvement("imp-1").lifecycle
        with pytest.raises(InvalidTransition) as raw:
            instance.apply(event, who=WHO, when=at(2), data=data)
        assert "@ $.data.note" in str(raw.value)

    @pytest.mark.parametrize(
        ("event", "data"),
        [
            ("plan", {"change": "chg-1", "note": "x"}),
            ("start", {"note": "x"}),
            ("complete", {"note": "x"}),
            ("review", {"results": "Fewer calls", "benefit_realised": True, "note": "x"}),
        ],
    )
    def test_refused_from_planning_on(self, event: str, data: dict[str, Any]) -> None:
        """Refuses an extra key at $.data.note from planning to review."""
        made = approved()
        steps = [
            ("plan", {"change": "chg-1"}),
            ("start", None),
            ("complete", None),
        ]
        for hour, (done, done_data) in enumerate(steps, start=3):
            if done == event:
                break
            made = made.apply("imp-1", done, when=at(hour), actor=WHO, data=done_data)
        with pytest.raises(ValidationError) as info:
            made.apply("imp-1", event, when=at(9), actor=WHO, data=data)
        assert info.value.paths == ["$.data.note"]
        with pytest.raises(InvalidTransition) as raw:
            made.improvement("imp-1").lifecycle.apply(event, who=WHO, when=at(9), data=data)
        assert "@ $.data.note" in str(raw.value)

    def test_refused_on_reading(self) -> None:
        """Refuses a document with a note slipped into an approval, its chain redone."""

        def note(history: list[dict[str, Any]]) -> None:
            history[1]["data"]["note"] = "approved in the corridor"

        forged = rechained(example_text(), 0, note)
        with pytest.raises(ValidationError) as info:
            from_json(ImprovementRegister, forged)
        assert info.value.paths == ["$.improvements[0].lifecycle.history[1]"]
        assert "@ $.data.note" in info.value.problems[0].got

    def test_event_data_table(self) -> None:
        """Names the keys of every event of the lifecycle, and only those events."""
        assert set(EVENT_DATA) == {t.event for t in IMPROVEMENT_LIFECYCLE.transitions}
        assert EVENT_DATA["assess"] == ("scores", "impact", "thresholds")
