"""cloudsms.reports.onboarding: an onboarding plan as data and as a table by owner (S08)."""

from __future__ import annotations

import json

import attrs
import pytest

from cloudsms.errors import ValidationError
from cloudsms.procedures.onboarding import plan_onboarding
from cloudsms.reports.onboarding import onboarding_plan_data, onboarding_plan_table
from test_onboarding import REGISTER, SELF_SERVICE, SHOP, START

PLAN = plan_onboarding(SELF_SERVICE, SHOP, start=START, requirements=REGISTER)


class TestPlanData:
    """onboarding_plan_data: a fixed shape, JSON-ready."""

    def test_shape(self) -> None:
        """Gives the keys in their documented order, values as JSON text."""
        data = onboarding_plan_data(PLAN)
        assert list(data) == [
            "agreement",
            "parties",
            "timezone",
            "deployment_model",
            "tenancy",
            "start",
            "services",
            "requirements",
            "activities",
        ]
        assert data["agreement"] == {"id": "csa-2026-001", "version": 1}
        assert data["parties"] == {"provider": "ACME Cloud", "customer": "globex"}
        assert (data["deployment_model"], data["tenancy"]) == ("public", "multi-tenant")
        assert data["start"] == "2026-12-01T00:00:00+01:00"
        assert data["requirements"] == ["REQ-EXPORT", "REQ-PREMIUM", "REQ-SSO"]
        assert json.loads(json.dumps(data)) == data

    def test_activity(self) -> None:
        """Each activity gives its kind, owner, deadline, prerequisites, services and sentence."""
        resources = onboarding_plan_data(PLAN)["activities"][2]
        assert resources == {
            "key": "resources",
            "kind": "resource allocation",
            "owner": "provider",
            "owner_from": "template",
            "agreement_activity": None,
            "due": "2026-12-03T00:00:00+01:00",
            "prerequisites": ["tenancy"],
            "services": ["crm-service"],
            "what": (
                "Allocate the resources for the predicted demand through resource requests,"
                " so the cost profile starts."
            ),
        }

    def test_not_a_plan(self) -> None:
        """Refuses anything but a plan at $.plan."""
        with pytest.raises(ValidationError) as caught:
            onboarding_plan_data("plan")  # type: ignore[arg-type]
        assert caught.value.problems[0].path == "$.plan"


class TestPlanTable:
    """onboarding_plan_table: the activities grouped by owner, with deadlines."""

    def test_header(self) -> None:
        """Starts with the agreement, the parties, the model and the traced requirements."""
        lines = onboarding_plan_table(PLAN).split("\n")
        assert lines[:9] == [
            "Onboarding plan for agreement csa-2026-001, version 1",
            "  provider            ACME Cloud",
            "  customer            globex",
            "  time zone           Europe/Berlin",
            "  deployment model    public",
            "  tenancy             multi-tenant",
            "  start               2026-12-01 00:00+01:00",
            "  services            crm-service",
            "  verified against    REQ-EXPORT, REQ-PREMIUM, REQ-SSO",
        ]

    def test_grouped_by_owner(self) -> None:
        """Lists the provider's, the customer's and the shared activities under their titles."""
        text = onboarding_plan_table(PLAN)
        provider = text.index("\nProvider\n")
        customer = text.index("\nCustomer\n")
        both = text.index("\nProvider and customer together\n")
        assert provider < customer < both
        assert (
            "  identity-and-access    identity and access  2026-12-04 00:00+01:00"
            in (text[customer:both])
        )
        assert "  verification  verification  2026-12-15 00:00+01:00" in text[both:]

    def test_prerequisites_listed(self) -> None:
        """Says what each activity waits for under its sentence."""
        text = onboarding_plan_table(PLAN)
        assert (
            "  data-migration: Move the customer's data into the service under the agreed\n"
            "    security controls (encrypted in transit, checked on arrival).\n"
            "    owner: as the agreement assigns data migration\n"
            "    after: resources, network-links, security-information\n"
        ) in text

    def test_no_requirements(self) -> None:
        """Says so when no requirement is traced."""
        text = onboarding_plan_table(plan_onboarding(SELF_SERVICE, SHOP, start=START))
        assert "  verified against    no traced requirements" in text

    def test_control_characters_are_escaped(self) -> None:
        """A provider name with an escape sequence prints as its escape."""
        plan = attrs.evolve(PLAN, provider="ACME\x1b[31m Cloud")
        text = onboarding_plan_table(plan)
        assert "\x1b" not in text
        assert "  provider            ACME\\x1b[31m Cloud" in text

    def test_lines_fit(self) -> None:
        """No line is longer than 80 characters."""
        assert max(len(line) for line in onboarding_plan_table(PLAN).split("\n")) <= 80
