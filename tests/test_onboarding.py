"""Onboarding (S08): the plan from a template, the procedure's steps, the verification gate.

ISO/IEC 20000-1:2011 4.3 (the plan and the trail as records), 6.1 (verification
against the agreed requirements), 6.4 and 6.5 (resources allocated, the cost starts),
6.6 (security information, access, secure links), 9.2 (integration as standard changes).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from cloudsms.agreements import Activity, Responsibilities, Responsibility
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import advance, verify
from cloudsms.operations.changes import Change, ChangeKind, ChangeOutcome
from cloudsms.procedures.onboarding import (
    ONBOARDING_LIFECYCLE,
    OnboardingActivityKind,
    OnboardingPlan,
    OnboardingProcedure,
    OnboardingTemplate,
    Tenancy,
    VerificationCheck,
    VerificationResult,
    load_onboarding_templates,
    onboarding_templates,
    plan_onboarding,
)
from cloudsms.requirements import QualityCharacteristic, RequirementRegister, ServiceRequirement
from cloudsms.serialization import from_json, to_json
from cloudsms.services import DeploymentModel, ServiceCategory

if TYPE_CHECKING:
    from types import ModuleType

    from cloudsms.agreements import CloudServiceAgreement
    from cloudsms.catalogue import Catalogue

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "agreement.py"
TEMPLATES = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "cloudsms"
    / "procedures"
    / "onboarding_templates.json"
)


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("onboarding_agreement_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["onboarding_agreement_example"] = module
    spec.loader.exec_module(module)
    return module


example = _example()
SHOP: Catalogue = example.catalogue()
AGREEMENT: CloudServiceAgreement = example.agree(SHOP)
"""globex's agreement csa-2026-001 for the hosted CRM (SaaS, public), Europe/Berlin."""


def holding(**holders: set[str]) -> CloudServiceAgreement:
    """AGREEMENT with the activities named (by their Activity's name) held by ``holders``.

    Every other activity stays with the provider, as in the example.
    """
    wanted = {Activity[name.upper()]: held for name, held in holders.items()}
    assignments = [
        Responsibility(activity=a, holders=wanted.get(a, {"provider"})) for a in Activity
    ]
    return attrs.evolve(AGREEMENT, responsibilities=Responsibilities(assignments=assignments))


SELF_SERVICE = holding(
    user_administration={"customer"},
    access_management={"customer"},
    data_migration={"customer"},
)
"""AGREEMENT with the customer holding user administration, access management, data migration."""

BERLIN = dt.timezone(dt.timedelta(hours=1))  # winter time, every instant below
START = dt.date(2026, 12, 1)
T0 = dt.datetime(2026, 12, 1, tzinfo=BERLIN)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
OPS = "actor:acme-ops"
CUSTOMER = "actor:globex-it"


def requirement(rid: str, *targets: str) -> ServiceRequirement:
    """A requirement ``rid`` met by ``targets``."""
    return ServiceRequirement(
        id=rid,
        statement=f"Requirement {rid}",
        quality=QualityCharacteristic.RESILIENCE,
        acceptance_criteria=("a test shows it",),
        satisfied_by=targets,
    )


REGISTER = RequirementRegister(
    requirements=(
        requirement("REQ-SSO", "crm"),
        requirement("REQ-EXPORT", "crm-service"),
        requirement("REQ-PREMIUM", "crm:premium"),
        requirement("REQ-OTHER", "erp"),
        requirement("REQ-NOTHING"),
    )
)
"""Three requirements traced to the agreement (by entry, service, offering), two not."""


def private_shop() -> Catalogue:
    """The catalogue with the CRM offered both public and private."""
    models = {DeploymentModel.PUBLIC, DeploymentModel.PRIVATE}
    (entry,) = SHOP.entries
    (service,) = SHOP.graph.services
    graph = attrs.evolve(SHOP.graph, services=(attrs.evolve(service, deployment_models=models),))
    return attrs.evolve(
        SHOP, entries=(attrs.evolve(entry, deployment_models=models),), graph=graph
    )


def started(**options: Any) -> OnboardingProcedure:
    """Globex's onboarding from 1 December 2026, with the register above."""
    return OnboardingProcedure.initiate(
        AGREEMENT, SHOP, start=START, requirements=REGISTER, who=OPS, **options
    )


def standard_change(cid: str, when: dt.datetime, outcome: ChangeOutcome | None) -> Change:
    """A standard change implemented and reviewed at ``when``, closed with ``outcome`` if given."""
    change = Change(
        id=cid,
        kind=ChangeKind.STANDARD,
        summary="Connect the CRM",
        services={"crm-service"},
        requested_at=when,
    )
    change = advance(change, "implement", who=OPS, when=when)
    change = advance(change, "review", who=OPS, when=when)
    if outcome is None:
        return change
    change = attrs.evolve(change, outcome=outcome)
    return advance(change, "close", who=OPS, when=when, data={"outcome": outcome.value})


SIMPLE = (
    "tenancy",
    "security-information",
    "identity-and-access",
    "access-channel",
    "management-access",
    "monitoring-access",
    "network-links",
    "documentation",
    "training",
    "configure-application",
)


def working(procedure: OnboardingProcedure | None = None) -> OnboardingProcedure:
    """Every activity but the verification complete, one hour apart from the start."""
    procedure = started() if procedure is None else procedure
    when = T0 + HOUR
    procedure = procedure.complete("tenancy", who=OPS, when=when)
    when += HOUR
    procedure = procedure.apply(  # allocate_resources's own entry (tested in its file)
        "complete",
        who=OPS,
        when=when,
        data={"activity": "resources", "requests": ["rr-1"], "holdings": 1},
    )
    for key in SIMPLE[1:]:
        when += HOUR
        procedure = procedure.complete(key, who=OPS, when=when)
    when += HOUR
    procedure = procedure.complete("data-migration", who=CUSTOMER, when=when)
    when += HOUR
    change = standard_change("chg-int-1", when, ChangeOutcome.SUCCESSFUL)
    return procedure.complete_integration([change], who=CUSTOMER, when=when)


def check(
    rid: str, result: VerificationResult, evidence: str = "ran the test"
) -> VerificationCheck:
    """A check of ``rid``."""
    return VerificationCheck(requirement_id=rid, result=result, evidence=evidence)


def last(procedure: OnboardingProcedure) -> dt.datetime:
    """The instant of the procedure's latest entry."""
    return procedure.lifecycle.entries[-1].when


class TestTemplates:
    """The shipped templates: one per deployment model, checked on load."""

    def test_one_per_model(self) -> None:
        """Ships a template for each of the four deployment models."""
        assert set(onboarding_templates()) == set(DeploymentModel)

    def test_tenancy_follows_the_model(self) -> None:
        """Public and community share an environment; private and hybrid have their own."""
        tenancy = {m: t.tenancy for m, t in onboarding_templates().items()}
        assert tenancy == {
            DeploymentModel.PUBLIC: Tenancy.MULTI_TENANT,
            DeploymentModel.COMMUNITY: Tenancy.MULTI_TENANT,
            DeploymentModel.PRIVATE: Tenancy.DEDICATED,
            DeploymentModel.HYBRID: Tenancy.DEDICATED,
        }

    def test_every_kind_in_every_template(self) -> None:
        """Each template covers every kind of activity S08 names."""
        for template in onboarding_templates().values():
            assert {a.kind for a in template.activities} == set(OnboardingActivityKind)

    def test_public_customer_does_more(self) -> None:
        """The customer owns more activities in the public template than in the private one."""
        templates = onboarding_templates()

        def owned(model: DeploymentModel) -> int:
            return sum(a.owner == "customer" for a in templates[model].activities)

        assert owned(DeploymentModel.PUBLIC) > owned(DeploymentModel.PRIVATE)

    def test_the_shipped_file_loads(self) -> None:
        """load_onboarding_templates reads the shipped file to the same templates."""
        assert load_onboarding_templates(TEMPLATES) == onboarding_templates()

    def broken(self, tmp_path: Path, change: Any) -> Path:
        """A copy of the shipped file with ``change`` applied to its data."""
        data = json.loads(TEMPLATES.read_text("utf-8"))
        change(data)
        path = tmp_path / "templates.json"
        path.write_text(json.dumps(data), "utf-8")
        return path

    def refused(self, path: Path) -> list[str]:
        with pytest.raises(ValidationError) as caught:
            load_onboarding_templates(path)
        return [f"{p.path}: {p.expected} / {p.got}" for p in caught.value.problems]

    def test_unknown_prerequisite(self, tmp_path: Path) -> None:
        """Refuses a prerequisite no activity of the template has, at its path."""

        def change(data: dict[str, Any]) -> None:
            data["templates"]["public"]["activities"][2]["prerequisites"] = ["tenant"]

        assert self.refused(self.broken(tmp_path, change)) == [
            (
                "$.templates.public.activities[2].prerequisites[0]:"
                " the key of an activity of the template / 'tenant'"
            )
        ]

    def test_cycle(self, tmp_path: Path) -> None:
        """Refuses prerequisites that go round in a cycle, naming it."""

        def change(data: dict[str, Any]) -> None:
            activities = data["templates"]["private"]["activities"]
            activities[4]["prerequisites"] = ["monitoring-access"]  # access-channel
            activities[6]["prerequisites"] = ["access-channel"]  # monitoring-access

        assert self.refused(self.broken(tmp_path, change)) == [
            (
                "$.templates.private.activities: prerequisites without a cycle"
                " / 'access-channel' -> 'monitoring-access' -> 'access-channel'"
            )
        ]

    def test_bad_owner_and_kind(self, tmp_path: Path) -> None:
        """Refuses an owner and a kind that are not ones, each at its path."""

        def change(data: dict[str, Any]) -> None:
            data["templates"]["hybrid"]["activities"][0]["owner"] = "broker"
            data["templates"]["hybrid"]["activities"][1]["kind"] = "paperwork"

        paths = [line.split(":")[0] for line in self.refused(self.broken(tmp_path, change))]
        assert paths == [
            "$.templates.hybrid.activities[0].owner",
            "$.templates.hybrid.activities[1].kind",
        ]

    def test_prerequisite_due_later(self, tmp_path: Path) -> None:
        """Refuses a prerequisite whose deadline comes after its dependant's."""

        def change(data: dict[str, Any]) -> None:
            data["templates"]["public"]["activities"][0]["due"] = "P1M"

        problems = self.refused(self.broken(tmp_path, change))
        assert problems[0] == (
            "$.templates.public.activities[2].prerequisites[0]:"
            " a prerequisite due no later than 'resources' (P2D) / 'tenancy', due P1M"
        )

    def test_wrong_tenancy_and_missing_model(self, tmp_path: Path) -> None:
        """Refuses a tenancy other than the model's and a missing template."""

        def change(data: dict[str, Any]) -> None:
            data["templates"]["community"]["tenancy"] = "dedicated"
            del data["templates"]["hybrid"]

        assert self.refused(self.broken(tmp_path, change)) == [
            "$.templates.hybrid: a template for every deployment model / none",
            (
                "$.templates.community.tenancy: 'multi-tenant', the tenancy of a community"
                " model / 'dedicated'"
            ),
        ]

    def test_version_checked(self, tmp_path: Path) -> None:
        """Refuses a file of another syntax version, or none, at $.version."""
        for version in (2, "1", True, None):

            def change(data: dict[str, Any], version: object = version) -> None:
                if version is None:
                    del data["version"]
                else:
                    data["version"] = version

            (line,) = self.refused(self.broken(tmp_path, change))
            assert line.startswith(
                "$.version: the version of the template syntax cloudsms reads (1) / "
            ), line

    def test_negative_due_shown_as_iso(self, tmp_path: Path) -> None:
        """A negative or zero length is shown as ISO 8601 text, not as a Python repr."""

        def change(data: dict[str, Any]) -> None:
            data["templates"]["public"]["activities"][0]["due"] = "-P1D"
            data["templates"]["public"]["activities"][1]["due"] = "P0D"

        problems = self.refused(self.broken(tmp_path, change))
        assert problems[:2] == [
            (
                "$.templates.public.activities[0].due: a positive calendar length in whole"
                " units, such as P1M / '-P1D'"
            ),
            (
                "$.templates.public.activities[1].due: a positive calendar length in whole"
                " units, such as P1M / 'P0D'"
            ),
        ]

    def test_unknown_agreement_activity(self, tmp_path: Path) -> None:
        """Refuses an agreement activity that is none, at its path."""

        def change(data: dict[str, Any]) -> None:
            data["templates"]["community"]["activities"][3]["agreement_activity"] = "cooking"

        paths = [line.split(":")[0] for line in self.refused(self.broken(tmp_path, change))]
        assert paths == ["$.templates.community.activities[3].agreement_activity"]

    def test_not_json(self, tmp_path: Path) -> None:
        """Refuses a file that is not JSON at $."""
        path = tmp_path / "templates.json"
        path.write_text("{", "utf-8")
        (line,) = self.refused(path)
        assert line.startswith("$: a readable JSON file of onboarding templates / ")


class TestPlan:
    """plan_onboarding: the activities by owner, with deadlines from the start."""

    def test_public_plan_by_hand(self) -> None:
        """The public SaaS plan from 1 December 2026: owners and deadlines as computed by hand.

        The agreement leaves users, access and data to the customer (self-service).
        """
        plan = plan_onboarding(SELF_SERVICE, SHOP, start=START)
        assert (plan.deployment_model, plan.tenancy) == (
            DeploymentModel.PUBLIC,
            Tenancy.MULTI_TENANT,
        )
        assert plan.start == T0
        rows = [(a.key, a.owner, a.due.date().isoformat()) for a in plan.activities]
        assert rows == [
            ("tenancy", "provider", "2026-12-02"),
            ("security-information", "provider", "2026-12-03"),
            ("resources", "provider", "2026-12-03"),
            ("identity-and-access", "customer", "2026-12-04"),
            ("access-channel", "customer", "2026-12-05"),
            ("management-access", "provider", "2026-12-05"),
            ("monitoring-access", "provider", "2026-12-05"),
            ("network-links", "customer", "2026-12-06"),
            ("documentation", "provider", "2026-12-06"),
            ("training", "provider", "2026-12-08"),
            ("data-migration", "customer", "2026-12-11"),
            ("integration", "customer", "2026-12-11"),
            ("configure-application", "customer", "2026-12-11"),
            ("verification", "both", "2026-12-15"),
        ]
        assert all(a.due.utcoffset() == dt.timedelta(hours=1) for a in plan.activities)
        sources = {a.key: (a.owner_from, a.agreement_activity) for a in plan.activities}
        assert sources["identity-and-access"] == ("agreement", Activity.USER_ADMINISTRATION)
        assert sources["access-channel"] == ("agreement", Activity.ACCESS_MANAGEMENT)
        assert sources["data-migration"] == ("agreement", Activity.DATA_MIGRATION)
        assert sources["network-links"] == ("template", None)

    def test_private_plan_by_hand(self) -> None:
        """The private plan: a dedicated environment, the provider does most, later deadlines.

        The example agreement gives the provider every activity, data migration too
        (the private template shares it with the customer).
        """
        plan = plan_onboarding(AGREEMENT, private_shop(), start=START, deployment_model="private")
        assert plan.tenancy is Tenancy.DEDICATED
        owners = {owner: [a.key for a in group] for owner, group in plan.by_owner().items()}
        assert owners == {
            "provider": [
                "tenancy",
                "security-information",
                "resources",
                "identity-and-access",
                "access-channel",
                "management-access",
                "monitoring-access",
                "documentation",
                "training",
                "data-migration",
                "integration",
            ],
            "customer": ["configure-application"],
            "both": ["network-links", "verification"],
        }
        due = {a.key: a.due.date().isoformat() for a in plan.activities}
        assert (due["tenancy"], due["data-migration"], due["verification"]) == (
            "2026-12-06",
            "2026-12-21",
            "2026-12-29",
        )

    def test_public_by_owner(self) -> None:
        """The public plan leaves identity, channel, links, data, integration to the customer."""
        customer = [
            a.key for a in plan_onboarding(SELF_SERVICE, SHOP, start=START).by_owner()["customer"]
        ]
        assert customer == [
            "identity-and-access",
            "access-channel",
            "network-links",
            "data-migration",
            "integration",
            "configure-application",
        ]

    def test_the_agreement_names_the_owner(self) -> None:
        """The agreement's responsibilities override the template's owner, and the plan says so.

        The example agreement gives the provider users, access, data migration and
        training: the public template's self-service activities become the provider's;
        activities the agreement does not speak of keep the template's owner.
        """
        plan = plan_onboarding(AGREEMENT, SHOP, start=START)
        rows = {a.key: (a.owner, a.owner_from) for a in plan.activities}
        assert rows["identity-and-access"] == ("provider", "agreement")
        assert rows["access-channel"] == ("provider", "agreement")
        assert rows["data-migration"] == ("provider", "agreement")
        assert rows["monitoring-access"] == ("provider", "agreement")
        assert rows["training"] == ("provider", "agreement")
        assert rows["network-links"] == ("customer", "template")
        assert rows["integration"] == ("customer", "template")
        assert rows["tenancy"] == ("provider", "template")
        template = {
            a.key: a.owner for a in onboarding_templates()[DeploymentModel.PUBLIC].activities
        }
        assert template["identity-and-access"] == "customer"  # what the agreement overrode

    def test_both_parties_or_partners_only(self) -> None:
        """Both parties holding an activity make it 'both'; partners alone leave the template's."""
        agreement = holding(
            user_administration={"provider", "customer"},
            data_migration={"migrate-co"},
            training={"customer", "learn-co"},
        )
        plan = plan_onboarding(agreement, SHOP, start=START)
        rows = {a.key: (a.owner, a.owner_from) for a in plan.activities}
        assert rows["identity-and-access"] == ("both", "agreement")
        assert rows["data-migration"] == ("customer", "template")
        assert rows["training"] == ("customer", "agreement")

    def test_owner_from_agreement_names_the_activity(self) -> None:
        """A plan activity whose owner came from the agreement must name the agreement activity."""
        plan = plan_onboarding(AGREEMENT, SHOP, start=START)
        data = json.loads(to_json(plan))
        data["activities"][3]["agreement_activity"] = None
        with pytest.raises(ValidationError) as caught:
            from_json(OnboardingPlan, json.dumps(data))
        assert [p.path for p in caught.value.problems] == ["$.activities[3].agreement_activity"]

    def test_categories_filter(self) -> None:
        """A SaaS agreement gets the application's configuration, not the components' move."""
        keys = {a.key for a in plan_onboarding(AGREEMENT, SHOP, start=START).activities}
        assert "configure-application" in keys
        assert "move-components" not in keys

    def test_left_out_prerequisites_pass_on(self) -> None:
        """The verification waits for what the left-out move of components waited for."""
        plan = plan_onboarding(AGREEMENT, SHOP, start=START)
        verification = plan.activity("verification")
        assert "move-components" not in verification.prerequisites
        assert {"resources", "network-links"} <= set(verification.prerequisites)

    def test_traced_requirements(self) -> None:
        """Traces requirements by entry, service or offering; leaves the others out, sorted."""
        plan = plan_onboarding(AGREEMENT, SHOP, start=START, requirements=REGISTER)
        assert plan.requirement_ids == ("REQ-EXPORT", "REQ-PREMIUM", "REQ-SSO")
        assert plan_onboarding(AGREEMENT, SHOP, start=START).requirement_ids == ()

    def test_aware_start(self) -> None:
        """Takes an aware start in another zone, kept in the agreement's zone."""
        plan = plan_onboarding(
            AGREEMENT, SHOP, start=dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
        )
        assert plan.start.isoformat() == "2026-12-01T09:30:00+01:00"
        assert plan.activities[0].due.isoformat() == "2026-12-02T09:30:00+01:00"

    def test_several_models_need_a_choice(self) -> None:
        """Refuses to guess among several shared models, naming the choices."""
        with pytest.raises(ValidationError) as caught:
            plan_onboarding(AGREEMENT, private_shop(), start=START)
        (problem,) = caught.value.problems
        assert problem.path == "$.deployment_model"
        assert problem.expected == (
            "a deployment model, since the subscribed entries share several"
            " (choices: 'public', 'private')"
        )

    def test_model_not_offered(self) -> None:
        """Refuses a model no subscribed entry offers, naming the entry."""
        with pytest.raises(ValidationError) as caught:
            plan_onboarding(AGREEMENT, SHOP, start=START, deployment_model=DeploymentModel.HYBRID)
        (problem,) = caught.value.problems
        assert (problem.path, problem.got) == (
            "$.deployment_model",
            "'hybrid', which 'crm' does not offer",
        )

    def test_unknown_model(self) -> None:
        """Refuses a model that is none, listing the four."""
        with pytest.raises(ValidationError) as caught:
            plan_onboarding(AGREEMENT, SHOP, start=START, deployment_model="edge")
        assert caught.value.problems[0].expected == (
            "a deployment model: one of 'public', 'private', 'community', 'hybrid'"
        )

    def test_agreement_must_check_clean(self) -> None:
        """Refuses an agreement the catalogue contradicts, under $.agreement."""
        wrong = attrs.evolve(
            AGREEMENT,
            subscriptions=(attrs.evolve(AGREEMENT.subscriptions[0], entry_id="erp"),),
        )
        with pytest.raises(ValidationError) as caught:
            plan_onboarding(wrong, SHOP, start=START)
        assert caught.value.problems[0].path == "$.agreement.subscriptions[0].entry_id"

    def test_bad_start(self) -> None:
        """Refuses a naive start and a start that is no date, at $.start."""
        for start in (dt.datetime(2026, 12, 1), "2026-12-01"):
            with pytest.raises(ValidationError) as caught:
                plan_onboarding(AGREEMENT, SHOP, start=start)  # type: ignore[arg-type]
            assert [p.path for p in caught.value.problems] == ["$.start"]

    def test_start_out_of_range(self) -> None:
        """A start outside the supported instants, or too late for a deadline: at $.start."""
        starts: tuple[dt.date, ...] = (
            dt.date(1, 1, 1),
            dt.date(1899, 12, 31),
            dt.date(9999, 12, 31),
            dt.datetime(1, 1, 1, tzinfo=dt.UTC),
            dt.date(8999, 12, 31),  # the start holds; the first deadline (P2D) does not
            dt.date(8999, 12, 20),  # the start holds; the verification's deadline does not
        )
        for start in starts:
            with pytest.raises(ValidationError) as caught:
                plan_onboarding(AGREEMENT, SHOP, start=start)
            assert [p.path for p in caught.value.problems] == ["$.start"], start
        assert caught.value.problems[0].expected == (
            "a start from which every deadline is an instant from 1900-01-01T00:00Z up to"
            " (not including) 9000-01-01T00:00Z ('verification' is due P14D after it)"
        )

    def test_templates_of_your_own(self) -> None:
        """plan_onboarding and initiate take templates of your own."""
        shipped = onboarding_templates()
        public = shipped[DeploymentModel.PUBLIC]
        slower = attrs.evolve(
            public,
            activities=[attrs.evolve(a, due=a.due * 2) for a in public.activities],
        )
        mine = {**shipped, DeploymentModel.PUBLIC: slower}
        plan = plan_onboarding(AGREEMENT, SHOP, start=START, templates=mine)
        assert plan.activity("verification").due.date() == dt.date(2026, 12, 29)
        procedure = OnboardingProcedure.initiate(
            AGREEMENT, SHOP, start=START, templates={"public": slower}, who=OPS
        )
        assert procedure.plan == plan

    def test_bad_templates(self) -> None:
        """Templates that are not ones are refused at $.templates, never with a crash."""
        public = onboarding_templates()[DeploymentModel.PUBLIC]
        private = onboarding_templates()[DeploymentModel.PRIVATE]
        cases: list[tuple[object, list[tuple[str, str, str]]]] = [
            (
                {},
                [
                    (
                        "$.templates",
                        "a template for the public deployment model",
                        "templates for none",
                    )
                ],
            ),
            (
                "x",
                [
                    (
                        "$.templates",
                        (
                            "a mapping of deployment models to OnboardingTemplate"
                            " (load_onboarding_templates)"
                        ),
                        "'x' (string)",
                    )
                ],
            ),
            ({"public": 5}, [("$.templates.public", "an OnboardingTemplate", "5 (integer)")]),
            (
                {"public": private},
                [
                    (
                        "$.templates.public.deployment_model",
                        "'public', the model the template is given for",
                        "'private'",
                    )
                ],
            ),
            (
                {"lunar": public, "public": public},
                [
                    (
                        "$.templates",
                        "deployment models as keys: 'public', 'private', 'community', 'hybrid'",
                        "'lunar' (string)",
                    )
                ],
            ),
        ]
        for templates, wanted in cases:
            with pytest.raises(ValidationError) as caught:
                plan_onboarding(AGREEMENT, SHOP, start=START, templates=templates)  # type: ignore[arg-type]
            assert [(p.path, p.expected, p.got) for p in caught.value.problems] == wanted
            with pytest.raises(ValidationError):
                OnboardingProcedure.initiate(
                    AGREEMENT,
                    SHOP,
                    start=START,
                    templates=templates,
                    who=OPS,  # type: ignore[arg-type]
                )
        assert isinstance(public, OnboardingTemplate)

    def test_round_trip(self) -> None:
        """Round-trips through JSON exactly."""
        plan = plan_onboarding(AGREEMENT, SHOP, start=START, requirements=REGISTER)
        assert from_json(OnboardingPlan, to_json(plan)) == plan

    def test_self_checking(self) -> None:
        """Refuses a plan whose prerequisite is due after its dependant, or unknown."""
        plan = plan_onboarding(AGREEMENT, SHOP, start=START)
        first, second, *rest = plan.activities
        late = attrs.evolve(first, due=second.due + DAY)
        with pytest.raises(ValidationError) as caught:
            attrs.evolve(plan, activities=(late, second, *rest))
        assert "$.activities[2].prerequisites[0]" in [p.path for p in caught.value.problems]
        with pytest.raises(ValidationError) as caught:
            attrs.evolve(plan, tenancy=Tenancy.DEDICATED)
        assert [p.path for p in caught.value.problems] == ["$.tenancy"]

    def test_activity_lookup(self) -> None:
        """plan.activity refuses an unknown key, listing the known ones."""
        with pytest.raises(ValidationError) as caught:
            plan_onboarding(AGREEMENT, SHOP, start=START).activity("party")
        (problem,) = caught.value.problems
        assert problem.path == "$.activity"
        assert problem.expected.startswith("an activity of the plan: one of 'tenancy', ")


class TestProcedure:
    """OnboardingProcedure: prerequisites enforced, the gate, cancellation, documents."""

    def test_initiate(self) -> None:
        """Begins the work at the plan's start: in progress, nothing complete."""
        procedure = started()
        assert procedure.state == "in_progress"
        assert procedure.id == "onboard-csa-2026-001"
        assert procedure.completed == ()
        assert procedure.pending == tuple(a.key for a in procedure.plan.activities)
        (entry,) = procedure.lifecycle.entries
        assert (entry.event, entry.who, entry.when) == ("begin_work", OPS, T0)

    def test_prerequisites_enforced(self) -> None:
        """Refuses an activity whose prerequisites are not complete, naming them."""
        with pytest.raises(InvalidTransition) as caught:
            started().complete("access-channel", who=OPS, when=T0 + HOUR)
        assert caught.value.reason == (
            "'access-channel' waits for its prerequisites: identity-and-access not complete"
        )

    def test_completes_once(self) -> None:
        """Refuses to complete an activity twice."""
        once = started().complete("tenancy", who=OPS, when=T0 + HOUR)
        assert once.completed == ("tenancy",)
        assert once.completed_at("tenancy") == T0 + HOUR
        with pytest.raises(InvalidTransition) as caught:
            once.complete("tenancy", who=OPS, when=T0 + 2 * HOUR)
        assert (
            caught.value.reason == "'tenancy' is complete already: each activity is completed once"
        )

    def test_unknown_activity(self) -> None:
        """Refuses an unknown activity key at $.activity."""
        with pytest.raises(ValidationError) as caught:
            started().complete("party", who=OPS, when=T0 + HOUR)
        assert caught.value.problems[0].path == "$.activity"

    def test_allocation_and_integration_go_their_own_way(self) -> None:
        """Complete refuses the resource allocation and the integration, naming the way."""
        procedure = started()
        for key, way in (
            ("resources", "allocate_resources"),
            ("integration", "OnboardingProcedure.complete_integration"),
        ):
            with pytest.raises(ValidationError) as caught:
                procedure.complete(key, who=OPS, when=T0 + HOUR)
            assert way in caught.value.problems[0].expected

    def test_raw_allocation_data_checked(self) -> None:
        """The guard refuses a resource allocation without its requests or holdings."""
        procedure = started().complete("tenancy", who=OPS, when=T0 + HOUR)
        refusal = procedure.refusal(
            "complete", who=OPS, when=T0 + HOUR, data={"activity": "resources"}
        )
        assert refusal == (
            "completing a resource allocation activity carries exactly 'activity',"
            " 'holdings', 'requests' (it holds 'activity')"
        )
        refusal = procedure.refusal(
            "complete",
            who=OPS,
            when=T0 + HOUR,
            data={"activity": "resources", "requests": ["rr-1"], "holdings": 0},
        )
        assert (
            refusal == "'holdings' must count the customer's holdings (1 or more), not 0 (integer)"
        )

    def test_integration_needs_closed_successful_standard_changes(self) -> None:
        """complete_integration refuses a normal, an open and a failed change, each at its path."""
        base = started()
        when = T0 + DAY
        normal = Change(
            id="chg-n",
            kind=ChangeKind.NORMAL,
            summary="x",
            services={"crm-service"},
            requested_at=T0,
        )
        with pytest.raises(ValidationError) as caught:
            base.complete_integration(
                [
                    normal,
                    standard_change("chg-open", T0, None),
                    standard_change("chg-bad", T0, ChangeOutcome.FAILED),
                    standard_change("chg-late", when + HOUR, ChangeOutcome.SUCCESSFUL),
                ],
                who=OPS,
                when=when,
            )
        assert [p.path for p in caught.value.problems] == [
            "$.changes[0].kind",
            "$.changes[1].state",
            "$.changes[2].outcome",
            "$.changes[3].closed_at",
        ]
        with pytest.raises(ValidationError) as caught:
            base.complete_integration([], who=OPS, when=when)
        assert [p.path for p in caught.value.problems] == ["$.changes"]

    def test_integration_waits_for_prerequisites(self) -> None:
        """complete_integration is refused before the access channel and management access."""
        change = standard_change("chg-1", T0, ChangeOutcome.SUCCESSFUL)
        with pytest.raises(InvalidTransition) as caught:
            started().complete_integration([change], who=OPS, when=T0 + HOUR)
        assert caught.value.reason == (
            "'integration' waits for its prerequisites: access-channel, management-access"
            " not complete"
        )

    def test_integration_records_the_change_ids(self) -> None:
        """The integration's entry names its standard changes."""
        entry = working().lifecycle.entries[-1]
        assert entry.data == {"activity": "integration", "changes": ["chg-int-1"]}

    def test_failed_verification_names_the_requirement(self) -> None:
        """Hand-computed: one failed check refuses delivery naming it; a re-check delivers."""
        procedure = working()
        when = last(procedure) + HOUR
        for rid in ("REQ-EXPORT", "REQ-PREMIUM"):
            procedure = procedure.verify(check(rid, VerificationResult.PASSED), who=OPS, when=when)
        procedure = procedure.verify(
            check("REQ-SSO", VerificationResult.FAILED, "the SSO login loops"), who=OPS, when=when
        )
        assert procedure.failing == ("REQ-SSO",)
        with pytest.raises(InvalidTransition) as caught:
            procedure.complete("verification", who=OPS, when=when)
        assert caught.value.reason == (
            "every traced requirement has a passing latest check first:"
            " REQ-SSO (failed: the SSO login loops)"
        )
        with pytest.raises(InvalidTransition) as caught:
            procedure.deliver(who=OPS, when=when)
        assert caught.value.reason == (
            "every activity is complete first (pending: verification); every traced"
            " requirement has a passing latest check first: REQ-SSO (failed: the SSO login loops)"
        )
        procedure = procedure.verify(
            check("REQ-SSO", VerificationResult.PASSED, "the fixed login works"),
            who=OPS,
            when=when + DAY,
        )
        assert procedure.failing == ()
        assert procedure.checks["REQ-SSO"].evidence == "the fixed login works"
        procedure = procedure.complete("verification", who=OPS, when=when + DAY)
        delivered = procedure.deliver(who=OPS, when=when + DAY)
        assert delivered.is_delivered
        assert delivered.pending == ()

    def test_unchecked_requirements_block(self) -> None:
        """Refuses the gate while a traced requirement is unchecked, naming each."""
        procedure = working()
        assert procedure.unchecked == ("REQ-EXPORT", "REQ-PREMIUM", "REQ-SSO")
        with pytest.raises(InvalidTransition) as caught:
            procedure.complete("verification", who=OPS, when=last(procedure))
        assert caught.value.reason == (
            "every traced requirement has a passing latest check first:"
            " REQ-EXPORT (unchecked), REQ-PREMIUM (unchecked), REQ-SSO (unchecked)"
        )

    def test_a_later_failure_supersedes(self) -> None:
        """A failed check after a passing one of the same requirement fails it again."""
        procedure = working()
        when = last(procedure)
        procedure = procedure.verify(
            check("REQ-SSO", VerificationResult.PASSED), who=OPS, when=when
        )
        procedure = procedure.verify(
            check("REQ-SSO", VerificationResult.FAILED), who=OPS, when=when
        )
        assert procedure.failing == ("REQ-SSO",)

    def test_untraced_requirement_refused(self) -> None:
        """Refuses a check of a requirement not traced to the agreement."""
        with pytest.raises(InvalidTransition) as caught:
            started().verify(check("REQ-OTHER", VerificationResult.PASSED), who=OPS, when=T0)
        assert caught.value.reason == (
            "'requirement' must be traced to the agreement ('REQ-EXPORT', 'REQ-PREMIUM',"
            " 'REQ-SSO'), not 'REQ-OTHER' (string)"
        )

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            (
                {"requirement": ["REQ-SSO"], "result": "passed", "evidence": "ran it"},
                (
                    "'requirement' must be traced to the agreement ('REQ-EXPORT', 'REQ-PREMIUM',"
                    " 'REQ-SSO'), not ['REQ-SSO'] (array)"
                ),
            ),
            (
                {"requirement": {"id": "REQ-SSO"}, "result": "passed", "evidence": "ran it"},
                (
                    "'requirement' must be traced to the agreement ('REQ-EXPORT', 'REQ-PREMIUM',"
                    " 'REQ-SSO'), not {'id': 'REQ-SSO'} (object)"
                ),
            ),
            (
                {"requirement": "REQ-SSO", "result": "maybe", "evidence": "ran it"},
                "'result' must be 'passed' or 'failed', not 'maybe' (string)",
            ),
            (
                {"requirement": "REQ-SSO", "result": ["passed"], "evidence": "ran it"},
                "'result' must be 'passed' or 'failed', not ['passed'] (array)",
            ),
        ],
    )
    def test_raw_verify_data_checked(self, data: dict[str, object], reason: str) -> None:
        """Raw verify data of the wrong type or value is refused with a reason, not a TypeError.

        A list or an object where a requirement id or a result belongs, and a result
        other than 'passed' or 'failed', raise InvalidTransition naming the field; the
        procedure is unchanged (S08, ISO/IEC 20000-1:2011 6.1).
        """
        procedure = started()
        with pytest.raises(InvalidTransition) as caught:
            procedure.apply("verify", who=OPS, when=T0, data=data)
        assert caught.value.reason.startswith(reason)
        assert len(procedure.lifecycle.entries) == 1
        assert procedure.checks == {}

    def test_a_recorded_verify_of_the_wrong_type(self) -> None:
        """Reading a trail whose verify entry holds a list as its requirement: ValidationError."""
        procedure = started()
        entries = list(procedure.lifecycle.entries)
        data = {"evidence": "ran it", "requirement": ["REQ-SSO"], "result": "passed"}
        forged = attrs.evolve(
            entries[-1],
            event="verify",
            source="in_progress",
            target="in_progress",
            data_json=json.dumps(data, separators=(",", ":"), sort_keys=True),
            hash="",
        )
        with pytest.raises(ValidationError) as caught:
            ONBOARDING_LIFECYCLE.adopt(
                [*entries, forged], id=procedure.id, context=dict(procedure.lifecycle.context)
            )
        (problem,) = caught.value.problems
        assert problem.path == "$.history[1]"
        assert "'requirement' must be traced to the agreement" in problem.got

    def test_no_register_no_checks_needed(self) -> None:
        """Without a register, the gate needs only every activity complete."""
        procedure = working(OnboardingProcedure.initiate(AGREEMENT, SHOP, start=START, who=OPS))
        when = last(procedure)
        delivered = procedure.complete("verification", who=OPS, when=when).deliver(
            who=OPS, when=when
        )
        assert delivered.is_delivered

    def test_cancel(self) -> None:
        """A customer may walk away before delivery; the reason is recorded; nothing after."""
        cancelled = started().cancel("the customer chose another provider", who=CUSTOMER, when=T0)
        assert cancelled.is_cancelled
        assert cancelled.lifecycle.entries[-1].data == {
            "reason": "the customer chose another provider"
        }
        with pytest.raises(InvalidTransition):
            cancelled.complete("tenancy", who=OPS, when=T0)
        with pytest.raises(ValidationError):
            started().cancel("  ", who=CUSTOMER, when=T0)

    def test_cancel_before_work_begins(self) -> None:
        """A planned onboarding, its work not begun, may be cancelled too; the reason is kept."""
        plan = plan_onboarding(AGREEMENT, SHOP, start=START, requirements=REGISTER)
        instance = ONBOARDING_LIFECYCLE.begin(
            id="onboard-planned", context={"plan": json.loads(to_json(plan))}
        )
        planned = OnboardingProcedure(id="onboard-planned", lifecycle=instance)
        assert planned.state == "planned"
        cancelled = planned.cancel("the customer withdrew before the start", who=CUSTOMER, when=T0)
        assert cancelled.is_cancelled
        (entry,) = cancelled.lifecycle.entries
        assert (entry.event, entry.source, entry.target) == ("cancel", "planned", "cancelled")
        assert entry.data == {"reason": "the customer withdrew before the start"}
        with pytest.raises(InvalidTransition):
            cancelled.apply("begin_work", who=OPS, when=T0)

    def test_begin_work_not_before_start(self) -> None:
        """The lifecycle refuses to begin before the plan's start."""
        plan = plan_onboarding(AGREEMENT, SHOP, start=START)
        instance = ONBOARDING_LIFECYCLE.begin(
            id="o-1", context={"plan": json.loads(to_json(plan))}
        )
        assert instance.refusal("begin_work", who=OPS, when=T0 - HOUR) == (
            "onboarding begins at the plan's start (2026-12-01T00:00:00+01:00), not before"
        )

    def test_time_never_runs_backwards(self) -> None:
        """Refuses a step recorded before the previous one."""
        procedure = started().complete("tenancy", who=OPS, when=T0 + DAY)
        with pytest.raises(ValidationError):
            procedure.complete("security-information", who=OPS, when=T0 + HOUR)

    def test_overdue(self) -> None:
        """Lists the activities past their deadline and not complete, or completed late."""
        procedure = started().complete("tenancy", who=OPS, when=T0 + 2 * DAY)
        overdue = procedure.overdue(T0 + 3 * DAY - HOUR)
        assert overdue == ("tenancy", "security-information", "resources")

    def test_round_trip_and_verify(self) -> None:
        """A delivered procedure round-trips through JSON; its trail verifies and replays."""
        procedure = working(OnboardingProcedure.initiate(AGREEMENT, SHOP, start=START, who=OPS))
        when = last(procedure)
        delivered = procedure.complete("verification", who=OPS, when=when).deliver(
            who=OPS, when=when
        )
        text = to_json(delivered)
        assert from_json(OnboardingProcedure, text) == delivered
        assert verify(delivered.lifecycle) is None

    def test_keyed(self) -> None:
        """A keyed trail takes its key at every step."""
        key = b"k" * 32
        procedure = started(keyed=True, key=key)
        moved = procedure.complete("tenancy", who=OPS, when=T0, key=key)
        assert verify(moved.lifecycle, key=key) is None
        with pytest.raises(ValidationError):
            procedure.complete("tenancy", who=OPS, when=T0)

    def test_bound_to_its_id(self) -> None:
        """Refuses a lifecycle bound to another id."""
        procedure = started()
        with pytest.raises(ValidationError) as caught:
            OnboardingProcedure(id="onboard-other", lifecycle=procedure.lifecycle)
        assert caught.value.problems[0].path.startswith("$.lifecycle")

    def test_context_must_hold_a_plan(self) -> None:
        """Refuses a lifecycle whose context holds no plan."""
        instance = ONBOARDING_LIFECYCLE.begin(id="o-2", context={"plan": {}})
        with pytest.raises(ValidationError) as caught:
            OnboardingProcedure(id="o-2", lifecycle=instance)
        assert all(p.path.startswith("$.lifecycle.context.plan") for p in caught.value.problems)

    def test_raw_event_with_stray_data(self) -> None:
        """Refuses data on an event that carries none."""
        refusal = started().refusal("deliver", who=OPS, when=T0, data={"force": True})
        assert refusal == "the event carries no data (it holds 'force')"

    def test_category_helper(self) -> None:
        """A template activity with categories applies only to those."""
        template = onboarding_templates()[DeploymentModel.PUBLIC]
        move = next(a for a in template.activities if a.key == "move-components")
        assert move.applies_to([ServiceCategory.IAAS])
        assert not move.applies_to([ServiceCategory.SAAS])
