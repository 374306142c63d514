"""Tests of the conformity reports: data, CSV rows, gap rows and the table (S12)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cloudsms.conformity import (
    Evidence,
    EvidenceKind,
    EvidenceRegister,
    Finding,
    FindingKind,
    ProcessOwner,
    Severity,
    assess,
)
from cloudsms.errors import ValidationError
from cloudsms.improvement import OpportunitySource
from cloudsms.reports.conformity import (
    ASSESSMENT_COLUMNS,
    GAP_COLUMNS,
    assessment_data,
    assessment_rows,
    assessment_table,
    gap_rows,
)

T0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 12, 31)


def evidence(evidence_id: str, clause: str, valid_until: dt.date | None = None) -> Evidence:
    """A record collected at T0 for one clause."""
    return Evidence(
        id=evidence_id,
        kind=EvidenceKind.RECORD,
        title=f"Record {evidence_id}",
        supports=(clause,),
        provided_by="actor:quality-lead",
        collected_at=T0,
        valid_until=valid_until,
    )


REGISTER = EvidenceRegister(
    id="reg-1",
    organisation="provider-1",
    timezone="Europe/Berlin",
    evidence=(evidence("EV-61", "6.1"), evidence("EV-92", "9.2", dt.date(2026, 6, 30))),
    owners=(ProcessOwner(clause="9", owner="actor:change-lead"),),
    findings=(
        Finding(
            id="F-1",
            kind=FindingKind.NONCONFORMITY,
            severity=Severity.MINOR,
            clauses=("9.2",),
            description="Change reviews skipped\x1b[2J",
            raised_at=T0,
            raised_by="actor:auditor-1",
            source=OpportunitySource.INTERNAL_AUDIT,
            improvement_ids=("IMP-3",),
        ),
        Finding(
            id="F-0",
            kind=FindingKind.OBSERVATION,
            severity=Severity.OBSERVATION,
            clauses=("6.1",),
            description="Closed already",
            raised_at=T0,
            raised_by="actor:auditor-1",
            source=OpportunitySource.MANAGEMENT_REVIEW,
            closed_at=T0,
        ),
    ),
)
ASSESSMENT = assess(REGISTER, ["S07", "S14"], as_of=AS_OF)


def test_data_has_a_fixed_shape_and_is_json() -> None:
    """The keys in order; every value JSON-ready; the hand-computed rows and gaps."""
    data = assessment_data(ASSESSMENT)
    assert list(data) == [
        "register_id", "edition", "as_of", "scope", "coverage_ratio", "scenarios",
        "clauses", "processes", "gaps", "unknown", "unmatched_evidence", "findings",
    ]  # fmt: skip
    assert json.loads(json.dumps(data)) == data
    assert data["as_of"] == "2026-12-31T00:00:00+01:00"
    assert data["scope"] == ["S07", "S14"]
    assert data["coverage_ratio"] == pytest.approx(1 / 3)
    assert [(s["id"], s["status"], s["covered"], s["stale"], s["missing"], s["total"])
            for s in data["scenarios"]] == [
        ("S07", "assessed", 1, 1, 1, 3),
        ("S14", "unknown", 0, 0, 0, 0),
    ]  # fmt: skip
    assert data["clauses"][0] == {
        "scenario_id": "S07",
        "clause_number": "6.1",
        "title": "Service level management",
        "cited_directly": True,
        "status": "covered",
        "via": "6.1",
        "inherited": False,
        "evidence_ids": ["EV-61"],
        "stale_ids": [],
    }
    assert data["gaps"] == [
        {
            "clause_number": "7.1",
            "title": "Business relationship management",
            "status": "missing",
            "severity": "major",
            "scenario_ids": ["S07"],
            "cited_by": ["S07"],
            "reached_by": [],
            "owner": None,
            "stale_ids": [],
        },
        {
            "clause_number": "9.2",
            "title": "Change management",
            "status": "stale",
            "severity": "minor",
            "scenario_ids": ["S07"],
            "cited_by": ["S07"],
            "reached_by": [],
            "owner": "actor:change-lead",
            "stale_ids": ["EV-92"],
        },
    ]
    assert len(data["processes"]) == 14
    assert data["processes"][-2]["owner"] == "actor:change-lead"
    assert data["unknown"] == ["S14"]
    assert data["unmatched_evidence"] == []
    # F-0 was closed before as_of: only the findings open then are reported
    assert [f["id"] for f in data["findings"]] == ["F-1"]
    assert data["findings"][0]["improvement_ids"] == ["IMP-3"]
    assert data["findings"][0]["closed_at"] is None


def test_rows_and_gap_rows() -> None:
    """One text row per clause row and per gap, keyed by their columns."""
    rows = assessment_rows(ASSESSMENT)
    assert [list(r) for r in rows] == [list(ASSESSMENT_COLUMNS)] * 3
    assert [(r["clause"], r["cited"], r["status"], r["via"], r["evidence"], r["stale"])
            for r in rows] == [
        ("6.1", "direct", "covered", "6.1", "EV-61", ""),
        ("7.1", "direct", "missing", "", "", ""),
        ("9.2", "direct", "stale", "", "", "EV-92"),
    ]  # fmt: skip
    gaps = gap_rows(ASSESSMENT)
    assert [list(g) for g in gaps] == [list(GAP_COLUMNS)] * 2
    assert [(g["severity"], g["clause"], g["owner"], g["stale"]) for g in gaps] == [
        ("major", "7.1", "none", ""),
        ("minor", "9.2", "actor:change-lead", "EV-92"),
    ]


def test_inherited_rows_say_so() -> None:
    """A row reached through a cited parent reads 'inherited' in the CSV rows."""
    held = EvidenceRegister(
        id="reg-2", organisation="p", timezone="UTC", evidence=(evidence("EV-5", "5"),)
    )
    rows = assessment_rows(assess(held, ["S12"], as_of=AS_OF))
    five = [(r["clause"], r["cited"], r["via"]) for r in rows if r["clause"].startswith("5")]
    assert five == [
        ("5", "direct", "5"),
        ("5.1", "inherited", "5"),
        ("5.2", "inherited", "5"),
        ("5.3", "inherited", "5"),
        ("5.4", "inherited", "5"),
    ]


def test_table() -> None:
    """Summary, gaps worst first with owners, processes in scope, unknown, open findings."""
    table = assessment_table(ASSESSMENT)
    lines = table.split("\n")
    assert lines[0] == "Conformity assessment of register reg-1"
    assert "  rows covered    33.3% of 3" in lines
    assert any(line.startswith("  S07 ") and line.split()[-4:] == ["1", "1", "1", "3"]
               for line in lines)  # fmt: skip
    gaps = lines.index("Gaps (2), worst first:")
    assert lines[gaps + 3].split()[:2] == ["major", "7.1"]
    assert lines[gaps + 4].split()[:2] == ["minor", "9.2"]
    assert "actor:change-lead" in lines[gaps + 4]
    assert "Processes in scope:" in lines
    assert sum(1 for line in lines if line.startswith(("  6.1 ", "  7.1 ", "  9.2 "))) == 3
    assert lines[-4] == "Unknown (citations not known, never counted as covered): S14"
    assert lines[-1] == "  F-1  nonconformity (minor)  9.2  Change reviews skipped\\x1b[2J"
    assert lines[-2] == "Open findings (1):"
    assert "F-0" not in table  # closed


def test_table_without_rows_or_gaps() -> None:
    """Only unknown scenarios: nothing assessed; everything covered: no gaps."""
    nothing = assessment_table(assess(REGISTER, ["S15"], as_of=AS_OF))
    assert "  No scenario in scope has known citations: nothing was assessed." in nothing
    assert "  rows covered    none: no clause rows (nothing was assessed)" in nothing
    assert "Gaps: none found, because no clause was assessed" in nothing
    assert "every clause row is covered" not in nothing
    assert "0.0%" not in nothing
    assert "Processes in scope:" not in nothing
    covered = EvidenceRegister(
        id="reg-3",
        organisation="p",
        timezone="UTC",
        evidence=(evidence("EV-4", "4"), evidence("EV-7", "7")),
    )
    table = assessment_table(assess(covered, ["S01"], as_of=AS_OF))
    assert "Gaps (0), worst first:" in table
    assert "Unknown" not in table
    assert "Open findings" not in table


@pytest.mark.parametrize(
    "function", [assessment_data, assessment_rows, assessment_table, gap_rows]
)
def test_not_an_assessment_is_refused(function: object) -> None:
    """Each report refuses anything but an Assessment, at $.assessment."""
    with pytest.raises(ValidationError) as error:
        function(REGISTER)  # type: ignore[operator]
    assert [p.path for p in error.value.problems] == ["$.assessment"]
