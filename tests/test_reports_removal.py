"""cloudsms.reports.removal: a service's removal plan as data and as a table (S15)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from cloudsms.agreements import (
    CloudServiceAgreement,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
)
from cloudsms.catalogue import Catalogue
from cloudsms.errors import Problem, ValidationError
from cloudsms.procedures.removal import plan_removal
from cloudsms.reports.removal import removal_plan_data, removal_plan_table
from cloudsms.serialization import from_json

DATA = Path(__file__).resolve().parents[1] / "examples" / "data" / "resources"
BASE = from_json(CloudServiceAgreement, (DATA / "agreement.json").read_text(encoding="utf-8"))
CATALOGUE = from_json(Catalogue, (DATA / "catalogue.json").read_text(encoding="utf-8"))
AS_OF = dt.date(2026, 12, 15)


def agreement(number: int, months: int | None) -> CloudServiceAgreement:
    """``csa-<number>``; with ``months``, ended by the provider for a retirement on that notice."""
    if months is None:
        return attrs.evolve(BASE, id=f"csa-{number}", customer_id=f"cust-{number}")
    terms = TerminationTerms(
        terminable_by=TerminatingParty.EITHER,
        provider_reasons={TerminationReason.SERVICE_RETIREMENT},
        notice_period=relativedelta(months=months),
        minimum_term=relativedelta(years=1),
    )
    return attrs.evolve(BASE, id=f"csa-{number}", customer_id=f"cust-{number}", termination=terms)


THREE = (agreement(1, 1), agreement(2, 3), agreement(3, 6))
PLAN = plan_removal(CATALOGUE, "iaas-compute", THREE, as_of=AS_OF)
BLOCKED = plan_removal(CATALOGUE, "iaas-compute", [*THREE, agreement(4, None)], as_of=AS_OF)


class TestRemovalPlanData:
    """removal_plan_data: a fixed shape of JSON values."""

    def test_the_hand_computed_plan_as_data(self) -> None:
        """Every subscriber's notice and end, and the earliest removal, as ISO 8601 text."""
        data = removal_plan_data(PLAN)
        assert list(data) == [
            "service_id",
            "entry_ids",
            "as_of",
            "as_of_instant",
            "subscribers",
            "earliest_removal",
            "blockers",
        ]
        assert data["as_of"] == "2026-12-15"
        assert data["as_of_instant"] is None
        assert data["earliest_removal"] == "2027-06-15T00:00:00+02:00"
        assert data["subscribers"][0] == {
            "agreement_id": "csa-1",
            "agreement_version": 1,
            "customer_id": "cust-1",
            "entry_ids": ["compute"],
            "notice_at": "2026-12-15T00:00:00+01:00",
            "notice_period": "P1M",
            "notice_ends": "2027-01-15T00:00:00+01:00",
            "ends_by": "notice",
            "starts_at": None,
        }
        assert [s["notice_period"] for s in data["subscribers"]] == ["P1M", "P3M", "P6M"]
        assert json.loads(json.dumps(data)) == data

    def test_a_blocker_has_nulls_and_no_earliest_removal(self) -> None:
        """A subscriber notice cannot end: no period, no end; the plan no earliest date."""
        data = removal_plan_data(BLOCKED)
        last = data["subscribers"][-1]
        assert (last["notice_period"], last["notice_ends"], last["ends_by"]) == (
            None,
            None,
            "consent or transfer",
        )
        assert (data["earliest_removal"], data["blockers"]) == (None, ["csa-4"])

    def test_not_a_plan_is_refused(self) -> None:
        """Anything but a RemovalPlan is refused at $.plan."""
        with pytest.raises(ValidationError) as error:
            removal_plan_data({})  # type: ignore[arg-type]
        assert error.value.problems == (Problem("$.plan", "a RemovalPlan", "{} (object)"),)


class TestRemovalPlanTable:
    """removal_plan_table: a header, a row per subscriber, the earliest date or blockers."""

    def test_the_hand_computed_plan_as_a_table(self) -> None:
        """Rows in agreement order with their notice and end; the earliest date last."""
        lines = [
            "Removal plan for service iaas-compute",
            "  catalogue entries   compute",
            "  notices go out      2026-12-15 (the start of the day in each agreement's zone)",
            "  subscribers         3",
            "",
            "  agreement  customer  entries  notice  ends                    ends by",
            "  ---------  --------  -------  ------  ----------------------  -------",
            "  csa-1      cust-1    compute  P1M     2027-01-15 00:00+01:00  notice",
            "  csa-2      cust-2    compute  P3M     2027-03-15 00:00+01:00  notice",
            "  csa-3      cust-3    compute  P6M     2027-06-15 00:00+02:00  notice",
            "",
            "Earliest removal: 2027-06-15 00:00+02:00",
        ]
        assert removal_plan_table(PLAN).split("\n") == lines

    def test_blockers_are_named(self) -> None:
        """A plan with a blocker says there is no earliest date yet and names it."""
        table = removal_plan_table(BLOCKED)
        assert "  csa-4      cust-4    compute  none    not by notice" in table
        assert table.endswith(
            "Earliest removal: none until every blocker's subscription is ended\n"
            "Blockers (notice cannot end them; the customer's consent or a transfer must):\n"
            "  csa-4"
        )
        assert max(len(line) for line in table.split("\n")) <= 84

    def test_an_agreement_starting_later_is_listed_below_the_rows(self) -> None:
        """csa-5 starts on 2027-01-01: told now, named with its start; data gives it too."""
        later = attrs.evolve(
            agreement(5, 1),
            effective_from=dt.datetime(2027, 1, 1, tzinfo=BASE.effective_from.tzinfo),
        )
        plan = plan_removal(CATALOGUE, "iaas-compute", [*THREE, later], as_of=AS_OF)
        table = removal_plan_table(plan).split("\n")
        assert "  csa-5      cust-5    compute  P1M     2027-01-15 00:00+01:00  notice" in table
        assert table[-4:-2] == [
            "  Starting after the notice (told now; none ends before its start):",
            "    csa-5 starts 2027-01-01 00:00+01:00",
        ]
        assert "Starting after" not in removal_plan_table(PLAN)
        data = removal_plan_data(plan)
        assert data["subscribers"][-1]["starts_at"] == "2027-01-01T00:00:00+01:00"

    def test_an_instant_and_nobody_subscribing(self) -> None:
        """With an instant the header shows it; with no subscriber a sentence says so."""
        at = dt.datetime(2026, 12, 15, 9, 30, 5, tzinfo=dt.UTC)
        table = removal_plan_table(plan_removal(CATALOGUE, "iaas-storage", [], as_of=at))
        assert "  notices go out      2026-12-15 09:30:05+00:00" in table
        assert "  Nobody subscribes to the service." in table
        assert table.endswith("Earliest removal: 2026-12-15 09:30:05+00:00")

    def test_not_a_plan_is_refused(self) -> None:
        """Anything but a RemovalPlan is refused at $.plan."""
        with pytest.raises(ValidationError):
            removal_plan_table("plan")  # type: ignore[arg-type]
