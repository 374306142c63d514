"""cloudsms.context and cloudsms.planning: the provider's context (S01) and plan (S02)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudsms.context
from cloudsms.context import Obligation, ObligationKind, ProviderProfile
from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.planning import (
    Objective,
    PlannedRelease,
    Prerequisite,
    PrerequisiteKind,
    ServicePlan,
    unmet_prerequisites,
)
from cloudsms.serialization import from_json, json_schema, to_json
from cloudsms.services import ServiceCategory
from cloudsms.testing import provider_profiles, service_plans

from conftest import assert_refused_at_field, public_attrs_classes, wrong_fields

GDPR = Obligation(
    kind=ObligationKind.STATUTORY,
    requirement="Keep personal data in the EU",
    jurisdiction="DE",
    source="GDPR",
)
SLA = Obligation(kind=ObligationKind.CONTRACTUAL, requirement="99.9 % availability")
PROFILE = ProviderProfile(
    name="ACME",
    categories_offered={ServiceCategory.SAAS},
    jurisdictions={"DE", "US-CA"},
    obligations=(GDPR, SLA),
    governed_suppliers=("colo-1",),
)


class TestProviderProfile:
    """The provider's context is a validated, queryable value."""

    def test_queries(self) -> None:
        """Finds obligations by jurisdiction (general ones apply everywhere) and by kind."""
        assert PROFILE.obligations_in("DE") == (GDPR, SLA)
        assert PROFILE.obligations_in("US-CA") == (SLA,)
        assert PROFILE.obligations_of(ObligationKind.STATUTORY) == (GDPR,)
        assert PROFILE.offers(ServiceCategory.SAAS)
        assert not PROFILE.offers(ServiceCategory.IAAS)

    def test_problems(self) -> None:
        """Lists every problem of a profile with its path."""
        with pytest.raises(ValidationError) as info:
            ProviderProfile(
                name="",
                categories_offered=set(),
                jurisdictions={"Germany"},
                obligations=("x",),
                governed_suppliers=("a", "a"),
            )  # type: ignore[arg-type]
        assert info.value.paths == [
            "$.name",
            "$.categories_offered",
            "$.jurisdictions[0]",
            "$.obligations[0]",
            "$.governed_suppliers",
        ]
        wrong_item = "expected an Obligation, got 'x' (string) @ $.obligations[0]"
        assert info.value.errors[3] == wrong_item
        with pytest.raises(ValidationError) as info:
            Obligation(kind="moral", requirement="", jurisdiction="de", source=" ")  # type: ignore[arg-type]
        assert info.value.paths == ["$.kind", "$.requirement", "$.jurisdiction", "$.source"]

    @given(provider_profiles())
    def test_round_trip(self, profile: ProviderProfile) -> None:
        """Round-trips through JSON and the exported schema."""
        assert from_json(ProviderProfile, to_json(profile)) == profile
        jsonschema.validate(json.loads(to_json(profile)), json_schema(ProviderProfile))


class TestJurisdictions:
    """Jurisdictions are known ISO 3166 codes (or EU), each reported at its own index."""

    def test_unknown_codes_at_their_index(self) -> None:
        """Refuses unassigned codes and names, each at its index in the sorted set."""
        with pytest.raises(ValidationError) as info:
            ProviderProfile(
                name="ACME",
                categories_offered={ServiceCategory.SAAS},
                jurisdictions={"DE", "XX", "France"},
            )
        assert info.value.errors == [
            (
                "expected an ISO 3166 code such as 'DE' or 'US-CA' (close matches: FR), "
                "got 'France' (string) @ $.jurisdictions[1]"
            ),
            (
                "expected an ISO 3166 code such as 'DE' or 'US-CA' (close matches: SX, MX, CX), "
                "got 'XX' (string) @ $.jurisdictions[2]"
            ),
        ]
        assert str(info.value).startswith("ProviderProfile is invalid (2 problems):")

    def test_eu_and_subdivisions(self) -> None:
        """Accepts the EU region and subdivision codes."""
        profile = attrs.evolve(PROFILE, jurisdictions={"EU", "GB-SCT"})
        assert profile.jurisdictions == frozenset({"EU", "GB-SCT"})
        assert Obligation(kind=ObligationKind.STATUTORY, requirement="x", jurisdiction="EU")

    def test_obligation_jurisdiction(self) -> None:
        """Refuses an obligation in an unassigned subdivision."""
        with pytest.raises(ValidationError) as info:
            Obligation(kind=ObligationKind.STATUTORY, requirement="x", jurisdiction="US-XX")
        assert info.value.paths == ["$.jurisdiction"]
        assert info.value.subject == "Obligation"


VALID: dict[type, dict[str, Any]] = {
    Obligation: {
        "kind": ObligationKind.STATUTORY,
        "requirement": "Keep data in the EU",
        "jurisdiction": "EU",
        "source": "GDPR",
    },
    ProviderProfile: {
        "name": "ACME",
        "categories_offered": {ServiceCategory.SAAS},
        "jurisdictions": {"DE"},
        "obligations": (GDPR,),
        "governed_suppliers": ("colo-1",),
    },
}


class TestFieldTypes:
    """Every public class of cloudsms.context refuses a wrong-typed field with its path."""

    def test_every_class_is_covered(self) -> None:
        """Lists every public class of the module."""
        assert public_attrs_classes(cloudsms.context) == set(VALID)

    @pytest.mark.parametrize(("kind", "name", "wrong"), wrong_fields(VALID))
    def test_wrong_type_refused_at_its_path(self, kind: type, name: str, wrong: object) -> None:
        """Raises a ValidationError at the field's path, never a builtin error."""
        assert_refused_at_field(kind, VALID[kind], name, wrong)


D = dt.date


def plan() -> ServicePlan:
    """Two releases waiting on a lease, hardware and training."""
    return ServicePlan(
        objectives=(
            Objective(
                id="o1",
                statement="Grow SaaS",
                measure="new customers",
                target="200 a quarter",
                due=D(2026, 12, 31),
            ),
        ),
        prerequisites=(
            Prerequisite(
                id="lease",
                kind=PrerequisiteKind.SUPPLIER_AGREEMENT,
                description="Colocation lease",
                ready_on=D(2026, 5, 1),
            ),
            Prerequisite(
                id="racks",
                kind=PrerequisiteKind.HARDWARE_IN_PLACE,
                description="Racks installed",
                ready_on=D(2026, 6, 10),
            ),
            Prerequisite(
                id="training",
                kind=PrerequisiteKind.TRAINED_SUPPORT_STAFF,
                description="Support staff trained",
            ),
        ),
        releases=(
            PlannedRelease(
                id="r1",
                service_id="crm",
                name="CRM GA",
                planned_for=D(2026, 6, 1),
                prerequisites=("lease", "racks"),
            ),
            PlannedRelease(
                id="r2",
                service_id="crm",
                name="CRM EU",
                planned_for=D(2026, 9, 1),
                prerequisites=("training", "lease"),
            ),
        ),
    )


class TestPlanning:
    """unmet_prerequisites() reports what blocks each release on a given day."""

    def test_hand_computed(self) -> None:
        """Lists unready prerequisites per release, in the release's order."""
        blocked = unmet_prerequisites(plan(), D(2026, 5, 15))
        assert {r: [p.id for p in ps] for r, ps in blocked.items()} == {
            "r1": ["racks"],
            "r2": ["training"],
        }
        later = unmet_prerequisites(plan(), D(2026, 6, 10))
        assert {r: [p.id for p in ps] for r, ps in later.items()} == {"r2": ["training"]}
        assert [p.id for p in unmet_prerequisites(plan(), D(2026, 1, 1))["r2"]] == [
            "training",
            "lease",
        ]

    def test_plan_checks(self) -> None:
        """Refuses repeated ids and releases waiting for unknown prerequisites."""
        with pytest.raises(ValidationError) as info:
            ServicePlan(
                prerequisites=(Prerequisite(id="a", kind=PrerequisiteKind.OTHER, description="x"),)
                * 2,
                releases=(
                    PlannedRelease(
                        id="r",
                        service_id="s",
                        name="R",
                        planned_for=D(2026, 1, 1),
                        prerequisites=("zz",),
                    ),
                ),
            )
        assert info.value.paths == ["$.prerequisites[1].id"]
        with pytest.raises(ValidationError) as info:
            ServicePlan(
                releases=(
                    PlannedRelease(
                        id="r",
                        service_id="s",
                        name="R",
                        planned_for=D(2026, 1, 1),
                        prerequisites=("zz",),
                    ),
                )
            )
        assert info.value.paths == ["$.releases[0].prerequisites[0]"]
        with pytest.raises(UnknownReference):
            plan().prerequisite("nope")

    def test_value_checks(self) -> None:
        """Refuses bad ids, empty text, datetimes for dates and unknown kinds."""
        with pytest.raises(ValidationError) as info:
            Objective(id="", statement="", measure=" ", target="", due=dt.datetime(2026, 1, 1))  # type: ignore[arg-type]
        assert info.value.paths == ["$.id", "$.statement", "$.measure", "$.target", "$.due"]
        with pytest.raises(ValidationError) as info:
            Prerequisite(id="p", kind="wish", description="")  # type: ignore[arg-type]
        assert info.value.paths == ["$.kind", "$.description"]
        with pytest.raises(ValidationError) as info:
            PlannedRelease(
                id="r",
                service_id="s s",
                name="R",
                planned_for=None,  # type: ignore[arg-type]
                prerequisites="abc",
            )  # type: ignore[arg-type]
        assert info.value.paths == ["$.service_id", "$.planned_for", "$.prerequisites"]
        with pytest.raises(ValidationError):
            unmet_prerequisites("plan", D(2026, 1, 1))  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            unmet_prerequisites(plan(), "2026-01-01")  # type: ignore[arg-type]

    @given(service_plans(), st.dates())
    def test_unmet_means_not_ready(self, generated: ServicePlan, day: dt.date) -> None:
        """Reports exactly the listed prerequisites not ready by the day."""
        blocked = unmet_prerequisites(generated, day)
        for release in generated.releases:
            expected = [
                p for p in release.prerequisites if not generated.prerequisite(p).ready_by(day)
            ]
            assert [p.id for p in blocked.get(release.id, ())] == expected

    @given(service_plans())
    def test_round_trip(self, generated: ServicePlan) -> None:
        """Round-trips through JSON."""
        assert from_json(ServicePlan, to_json(generated)) == generated


class TestQueryArguments:
    """Query methods refuse wrong-typed arguments with a ValidationError and a path."""

    def profile(self) -> ProviderProfile:
        """A small profile."""
        return ProviderProfile(
            name="ACME", categories_offered={ServiceCategory.SAAS}, jurisdictions={"DE"}
        )

    def test_offers_refuses_a_list(self) -> None:
        """Refuses an unhashable category instead of leaking TypeError."""
        with pytest.raises(ValidationError) as info:
            self.profile().offers([])  # type: ignore[arg-type]
        assert str(info.value) == (
            "ProviderProfile is invalid (1 problem):\n"
            "  - expected a ServiceCategory, got [] (array) @ $.category"
        )
        assert self.profile().offers(ServiceCategory.SAAS) is True

    def test_obligation_queries_refuse_wrong_types(self) -> None:
        """Refuses a jurisdiction that is no text and a kind that is no ObligationKind."""
        with pytest.raises(ValidationError) as info:
            self.profile().obligations_in(["DE"])  # type: ignore[arg-type]
        assert info.value.paths == ["$.jurisdiction"]
        with pytest.raises(ValidationError) as info:
            self.profile().obligations_of(None)  # type: ignore[arg-type]
        assert info.value.paths == ["$.kind"]

    @pytest.mark.parametrize("day", [None, dt.datetime(2026, 5, 1, tzinfo=dt.UTC), "2026-05-01"])
    def test_ready_by_refuses_what_is_no_date(self, day: object) -> None:
        """Refuses None, a datetime and text instead of leaking TypeError."""
        lease = Prerequisite(
            id="dc-lease",
            kind=PrerequisiteKind.SUPPLIER_AGREEMENT,
            description="Colocation lease signed",
            ready_on=D(2026, 5, 1),
        )
        with pytest.raises(ValidationError) as info:
            lease.ready_by(day)  # type: ignore[arg-type]
        assert info.value.paths == ["$.day"]
        assert "Prerequisite is invalid (1 problem)" in str(info.value)

    def test_unmet_prerequisites_names_its_concern(self) -> None:
        """Reports both wrong arguments at once, under its own subject."""
        with pytest.raises(ValidationError) as info:
            unmet_prerequisites("plan", None)  # type: ignore[arg-type]
        assert str(info.value) == (
            "Prerequisite check is invalid (2 problems):\n"
            "  - expected a ServicePlan, got 'plan' (string) @ $.plan\n"
            "  - expected a date, got null @ $.as_of"
        )
