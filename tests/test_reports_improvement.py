"""Tests of the improvement ranking's reports: data, rows and table (S12)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from decimal import Decimal

import attrs
import pytest

from cloudsms.errors import ValidationError
from cloudsms.improvement import (
    IMPROVEMENT_LIFECYCLE,
    Criterion,
    Impact,
    Improvement,
    ImprovementArea,
    ImprovementRegister,
    OpportunitySource,
    PrioritisationPolicy,
)
from cloudsms.reports.improvement import (
    RANKING_COLUMNS,
    ranking_columns,
    ranking_data,
    ranking_rows,
    ranking_table,
)

T0 = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
WHO = "actor:sms-owner"
POLICY = PrioritisationPolicy(
    criteria=(
        Criterion(key="objectives", title="Business objectives", weight=Decimal(3)),
        Criterion(key="capability", title="Provider capability", weight=Decimal(2)),
        Criterion(key="requirements", title="Service requirements", weight=Decimal(1)),
    )
)


def improvement(ident: str, title: str, hours: int = 0) -> Improvement:
    """An improvement raised ``hours`` after T0."""
    return Improvement(
        id=ident,
        title=title,
        description="Found in the quarterly service report.",
        source=OpportunitySource.SERVICE_REPORT,
        area=ImprovementArea.RELIABILITY,
        owner="actor:crm-owner",
        raised_at=T0 + dt.timedelta(hours=hours),
    )


def at(hours: int) -> dt.datetime:
    """T0 plus ``hours``."""
    return T0 + dt.timedelta(hours=hours)


def sample() -> ImprovementRegister:
    """Three assessed improvements (one rejected, one planned through a change) and one new."""
    made = ImprovementRegister(
        id="imp-2026",
        policy=POLICY,
        improvements=(
            improvement("imp-1", "Automate certificate\trenewal"),
            improvement("imp-2", "Add a second region for the CRM database and its backups"),
            improvement("imp-3", "Translate the portal", hours=1),
            improvement("imp-4", "Publish the status page"),
        ),
    )
    scored = {
        "imp-1": {"objectives": 4, "capability": 2, "requirements": 5},  # 21 / 6 = 3.5
        "imp-2": {"objectives": 5, "capability": 1, "requirements": 1},  # 18 / 6 = 3
        "imp-3": {"objectives": 1, "capability": 1, "requirements": 1},  # 1
    }
    for ident, given in scored.items():
        made = made.assess(ident, given, Impact(), when=at(2), actor=WHO)
    made = made.apply("imp-1", "approve", when=at(3), actor=WHO)
    made = made.apply("imp-1", "plan", when=at(3), actor=WHO, data={"change": "chg-7"})
    return made.apply("imp-3", "reject", when=at(3), actor=WHO, data={"reason": "no demand"})


class TestRankingData:
    """The ranking as JSON-ready data."""

    def test_shape(self) -> None:
        """Gives the policy, each ranked improvement in full, and the unassessed."""
        data = ranking_data(sample())
        assert json.loads(json.dumps(data)) == data
        assert data["register"] == "imp-2026"
        assert data["policy"] == {
            "criteria": [
                {"key": "objectives", "title": "Business objectives", "weight": "3"},
                {"key": "capability", "title": "Provider capability", "weight": "2"},
                {"key": "requirements", "title": "Service requirements", "weight": "1"},
            ],
            "major_impact_services": 1,
            "major_impact_customers": 2,
        }
        first = data["ranked"][0]
        assert {k: v for k, v in first.items() if k not in {"contributions", "explanation"}} == {
            "rank": 1,
            "id": "imp-1",
            "title": "Automate certificate\trenewal",
            "state": "planned",
            "source": "service_report",
            "area": "reliability",
            "owner": "actor:crm-owner",
            "score": "3.50",
            "score_exact": "7/2",
            "link": "change:chg-7",
            "impact": {"services": [], "customers": [], "major": False},
            "policy_major": False,
            "verdict_differs": False,
            "judged_by": {"services": 1, "customers": 2},
            "thresholds_differ": False,
            "closed": False,
        }
        assert first["contributions"][1] == {
            "key": "capability",
            "score": 2,
            "weight": "2",
            "points": "4",
            "share": "2/3",
        }
        assert first["explanation"].startswith("imp-1 ranks 1 of 2 with 3.50 of 5")
        assert data["unassessed"] == ["imp-4"]

    def test_include_closed(self) -> None:
        """Adds the rejected improvement, marked closed, when asked."""
        data = ranking_data(sample(), include_closed=True)
        assert [(r["id"], r["closed"]) for r in data["ranked"]] == [
            ("imp-1", False),
            ("imp-2", False),
            ("imp-3", True),
        ]

    def test_refusals(self) -> None:
        """Refuses something other than a register, and a flag that is not a bool."""
        with pytest.raises(ValidationError) as info:
            ranking_data("register")  # type: ignore[arg-type]
        assert info.value.paths == ["$.register"]
        with pytest.raises(ValidationError) as info:
            ranking_rows(sample(), include_closed=1)  # type: ignore[arg-type]
        assert info.value.paths == ["$.include_closed"]


class TestRankingRows:
    """The ranking as CSV rows."""

    def test_rows(self) -> None:
        """Gives one row per ranked improvement, with a column per criterion."""
        made = sample()
        columns = ranking_columns(made)
        assert columns == (*RANKING_COLUMNS, "objectives", "capability", "requirements")
        rows = ranking_rows(made)
        assert rows[1] == {
            "rank": "2",
            "improvement": "imp-2",
            "title": "Add a second region for the CRM database and its backups",
            "state": "assessed",
            "source": "service_report",
            "area": "reliability",
            "owner": "actor:crm-owner",
            "score": "3.00",
            "link": "-",
            "impact": "minor",
            "closed": "no",
            "objectives": "5",
            "capability": "1",
            "requirements": "1",
        }
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
        assert out.getvalue().splitlines()[0] == ",".join(columns)


class TestRankingTable:
    """The ranking as a plain-text table."""

    def test_table(self) -> None:
        """Prints the criteria, the rows (titles shortened and escaped), and the unassessed."""
        expected = """\
Improvement register imp-2026: 2 ranked
Criteria (weight): objectives 3, capability 2, requirements 1
rank  improvement  score  state     link          title
----  -----------  -----  --------  ------------  ------------------------------
1     imp-1        3.50   planned   change:chg-7  Automate certificate\\trenewal
2     imp-2        3.00   assessed  -             Add a second region for the...
Not yet assessed: imp-4"""
        assert ranking_table(sample()) == expected
        assert max(len(line) for line in expected.splitlines()) <= 80

    def test_closed(self) -> None:
        """Lists the rejected improvement too when asked."""
        table = ranking_table(sample(), include_closed=True)
        assert "3     imp-3        1.00   rejected" in table

    def test_nothing_waiting(self) -> None:
        """Ends with the rows when every open improvement is assessed."""
        made = sample().apply("imp-4", "withdraw", when=at(5), actor=WHO, data={"reason": "dup"})
        table = ranking_table(made)
        assert table.splitlines()[-1].startswith("2     imp-2        3.00   assessed")
        assert "Not yet assessed" not in table


class TestExactDigits:
    """Weights and points shown with every digit, whatever the caller's decimal context."""

    def test_long_weight_under_a_short_context(self) -> None:
        """Shows a 31-digit weight and its points in full under a context of 3 digits."""
        policy = PrioritisationPolicy(
            criteria=(
                Criterion(
                    key="objectives",
                    title="Business objectives",
                    weight=Decimal("1234567890.123456789012345678901"),
                ),
                Criterion(key="capability", title="Provider capability", weight=Decimal(3)),
            )
        )
        made = ImprovementRegister(
            id="imp-2026", policy=policy, improvements=(improvement("imp-1", "Long"),)
        )
        made = made.assess(
            "imp-1", {"objectives": 5, "capability": 5}, Impact(), when=at(1), actor=WHO
        )
        with decimal.localcontext(prec=3):
            data = ranking_data(made)
        (first,) = data["ranked"]
        assert first["score"] == "5.00"
        assert [(c["weight"], c["points"]) for c in first["contributions"]] == [
            ("1234567890.123456789012345678901", "6172839450.617283945061728394505"),
            ("3", "15"),
        ]


class TestVerdictChangedSincePolicy:
    """A recorded impact today's policy would judge otherwise: shown, and left standing."""

    def changed(self) -> ImprovementRegister:
        """The sample with imp-2 assessed touching one service, then the thresholds set to 0."""
        made = sample().assess(
            "imp-2",
            {"objectives": 5, "capability": 1, "requirements": 1},
            Impact(services=("crm",)),
            when=at(4),
            actor=WHO,
        )
        policy = PrioritisationPolicy(
            criteria=POLICY.criteria, major_impact_services=0, major_impact_customers=0
        )
        return ImprovementRegister(id=made.id, policy=policy, improvements=made.improvements)

    def test_data(self) -> None:
        """Gives the recorded impact, today's verdict and whether they differ."""
        second = ranking_data(self.changed())["ranked"][1]
        assert (second["id"], second["impact"]) == (
            "imp-2",
            {"services": ["crm"], "customers": [], "major": False},
        )
        assert (second["policy_major"], second["verdict_differs"]) == (True, True)
        assert "the recorded verdict stands until it is assessed again." in second["explanation"]

    def test_rows(self) -> None:
        """Shows the recorded verdict with today's beside it."""
        rows = ranking_rows(self.changed())
        assert [(r["improvement"], r["impact"]) for r in rows] == [
            ("imp-1", "minor"),
            ("imp-2", "minor (policy now: major)"),
        ]

    def test_same_verdict_under_other_thresholds(self) -> None:
        """Marks imp-1, judged minor by 1/2 and minor still under 0/0, and says so."""
        first = ranking_data(self.changed())["ranked"][0]
        assert (first["id"], first["verdict_differs"], first["thresholds_differ"]) == (
            "imp-1",
            False,
            True,
        )
        assert first["judged_by"] == {"services": 1, "customers": 2}
        assert first["explanation"].endswith(
            " Its assessment was judged by other thresholds (major above 1 service or 2 "
            "customers) than the current policy's (major above 0 services or 0 customers), "
            "which give the same verdict."
        )
        assert not ranking_data(sample())["ranked"][0]["thresholds_differ"]

    def test_no_thresholds_recorded(self) -> None:
        """Gives no thresholds for an assessment written before they were recorded."""
        instance = IMPROVEMENT_LIFECYCLE.begin(id="imp-1").apply(
            "assess",
            who=WHO,
            when=at(1),
            data={
                "scores": {"objectives": 1, "capability": 1, "requirements": 1},
                "impact": Impact().to_data(),
            },
        )
        found = attrs.evolve(
            improvement("imp-1", "Old"),
            scores={"objectives": 1, "capability": 1, "requirements": 1},
            lifecycle=instance,
        )
        made = ImprovementRegister(id="imp-old", policy=POLICY, improvements=(found,))
        (only,) = ranking_data(made)["ranked"]
        assert (only["judged_by"], only["thresholds_differ"]) == (None, False)

    def test_table(self) -> None:
        """Names the improvement under the table; none while nothing differs."""
        table = ranking_table(self.changed())
        assert table.splitlines()[-3:] == [
            "Assessed under other thresholds than the current policy's (same verdict): imp-1",
            (
                "Impact judged otherwise by the current policy (the recorded verdict stands): "
                "imp-2 (recorded minor, now major)"
            ),
            "Not yet assessed: imp-4",
        ]
        assert "judged otherwise" not in ranking_table(sample())
        assert "other thresholds" not in ranking_table(sample())
