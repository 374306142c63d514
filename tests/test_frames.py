"""cloudsms.reports.frames.to_frame: every value of a review as a pandas DataFrame (issue 20, S12).

The frames are compared with what the values themselves say (cells, records,
citations), so a frame is right when it holds the model's answers and nothing else.
The extra ``analysis`` is optional: each test skips without pandas, and the refusals
that need no pandas run everywhere.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests.conftest import overlay

from _monitoring_fixtures import example_agreement
from cloudsms import reference
from cloudsms.conformity import (
    Assessment,
    Evidence,
    EvidenceKind,
    EvidenceRegister,
    ProcessOwner,
    assess,
)
from cloudsms.errors import ValidationError
from cloudsms.improvement import (
    Criterion,
    Impact,
    Improvement,
    ImprovementArea,
    ImprovementRegister,
    OpportunitySource,
    PrioritisationPolicy,
)
from cloudsms.monitoring import Observations
from cloudsms.monitoring.evaluation import ServiceLevelReport, evaluate
from cloudsms.periods import Period
from cloudsms.reports import conformity as conformity_reports
from cloudsms.reports import frames
from cloudsms.reports import monitoring as monitoring_reports
from cloudsms.reports.frames import to_frame
from cloudsms.serialization import from_json

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 9, 1)
"""The review's day: 1 September 2026 in the register's zone (Pacific/Auckland)."""


def evidence(ident: str, supports: tuple[str, ...], collected: str, until: str | None) -> Evidence:
    """A document supporting ``supports``, collected at noon UTC of ``collected``."""
    return Evidence(
        id=ident,
        kind=EvidenceKind.DOCUMENT,
        title=f"Document {ident}",
        supports=supports,
        provided_by="actor:quality-lead",
        collected_at=dt.datetime.fromisoformat(f"{collected}T12:00:00+00:00"),
        valid_until=None if until is None else dt.date.fromisoformat(until),
    )


def evidence_register() -> EvidenceRegister:
    """A provider's register in Auckland, hand-made so every state is known at `AS_OF`.

    EV-POL (all of clause 4, valid to the end of 2026), EV-SLM (6.1, ended on
    31 August: stale on 1 September), EV-CHG (9.2, collected in October: not yet
    there on 1 September), EV-CAP (6.5, no expiry).
    """
    return EvidenceRegister(
        id="reg-2026",
        organisation="provider-1",
        timezone="Pacific/Auckland",
        evidence=(
            evidence("EV-POL", ("4",), "2026-01-10", "2026-12-31"),
            evidence("EV-SLM", ("6.1",), "2026-03-01", "2026-08-31"),
            evidence("EV-CHG", ("9.2",), "2026-10-01", None),
            evidence("EV-CAP", ("6.5",), "2026-02-01", None),
        ),
        owners=(ProcessOwner(clause="6", owner="actor:delivery"),),
        sms_owner="actor:sms-owner",
    )


def assessment() -> Assessment:
    """`evidence_register` assessed for S07 and S14 at `AS_OF`."""
    return assess(evidence_register(), ["S07", "S14"], as_of=AS_OF)


T0 = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
POLICY = PrioritisationPolicy(
    criteria=(
        Criterion(key="objectives", title="Business objectives", weight=Decimal(3)),
        Criterion(key="capability", title="Provider capability", weight=Decimal(2)),
        Criterion(key="requirements", title="Service requirements", weight=Decimal(1)),
    ),
    major_impact_services=1,
    major_impact_customers=2,
)
"""Weights 3, 2 and 1: a total weight of 6."""


def improvement_register() -> ImprovementRegister:
    """Four improvements: two assessed (scores 4.5 and 2.5), one withdrawn, one new.

    imp-a: 5, 4, 4 -> (15 + 8 + 4) / 6 = 4.5; imp-b: 1, 4, 3 -> (3 + 8 + 3) / 6 = 2.33...;
    imp-c assessed 5, 5, 5 then withdrawn; imp-d never assessed.
    """
    items = [
        Improvement(
            id=ident,
            title=f"Improvement {ident}",
            description="Found at the internal audit.",
            source=OpportunitySource.INTERNAL_AUDIT,
            area=ImprovementArea.PROCESS,
            owner="actor:sms-owner",
            raised_at=T0 + dt.timedelta(minutes=n),
        )
        for n, ident in enumerate(("imp-a", "imp-b", "imp-c", "imp-d"))
    ]
    made = ImprovementRegister(id="improvements-2026", policy=POLICY, improvements=tuple(items))
    when = T0 + dt.timedelta(hours=1)
    for ident, given in (("imp-a", (5, 4, 4)), ("imp-b", (1, 4, 3)), ("imp-c", (5, 5, 5))):
        scores = dict(zip(("objectives", "capability", "requirements"), given, strict=True))
        made = made.assess(ident, scores, Impact(), when=when, actor="actor:sms-owner")
    later = when + dt.timedelta(hours=1)
    reason = {"reason": "overtaken by imp-a"}
    return made.apply("imp-c", "withdraw", when=later, actor="actor:sms-owner", data=reason)


def october() -> ServiceLevelReport:
    """The example agreement's October 2026, judged from no observations."""
    return evaluate(example_agreement(), Observations(), Period.month(2026, 10, "Europe/Berlin"))


def records(frame: Any) -> list[dict[str, Any]]:
    """A frame's rows as dicts, a missing value (NaN, pandas' NA) read back as None."""
    pandas = pytest.importorskip("pandas")
    return [
        {key: None if pandas.isna(value) else value for key, value in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


@pytest.fixture(autouse=True)
def _pandas() -> None:
    pytest.importorskip("pandas")


class TestReferenceFrames:
    """The reference data: citations, the coverage matrix, process coverage."""

    def test_citations_of_a_set(self) -> None:
        """A ReferenceSet gives one row per citation, the columns of to_records()."""
        frame = to_frame(reference.shipped())
        assert list(frame.columns) == list(frames.CITATION_COLUMNS)
        assert records(frame) == reference.to_records()

    def test_a_sequence_of_citations(self) -> None:
        """Some citations give their rows of the set's records, in the order given."""
        chosen = [reference.citations()[5], reference.citations()[0]]
        frame = to_frame(chosen)
        held = reference.to_records()
        assert records(frame) == [held[5], held[0]]

    def test_citations_read_against_an_overlay(self) -> None:
        """A citation only an overlay holds needs that set as ``reference``."""
        refs = reference.load(overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}]))
        added = [c for c in refs.citations() if c.scenario_id == "S14"]
        frame = to_frame(added, reference=refs)
        assert frame[["scenario_id", "clause_number", "clause_title"]].values.tolist() == [
            ["S14", "9.2", "Change management"]
        ]
        with pytest.raises(ValidationError) as info:
            to_frame(added)
        assert [p.path for p in info.value.problems] == ["$[0]"]
        with pytest.raises(ValidationError) as info:
            to_frame(added, reference="shipped")
        assert [p.path for p in info.value.problems] == ["$.reference"]

    def test_matrix_wide(self) -> None:
        """Index the clause numbers, a column per scenario, each value the cell's kind."""
        m = reference.coverage_matrix()
        frame = to_frame(m)
        assert frame.shape == (53, 15)
        assert frame.index.name == "clause_number"
        assert frame.columns.name == "scenario_id"
        assert list(frame.index) == [c.number for c in m.clauses]
        assert list(frame.columns) == [s.id for s in m.scenarios]
        assert frame.loc["4.5.1", ["S02", "S04", "S14", "S01"]].tolist() == [
            "direct",
            "inherited",
            "unknown",
            "none",
        ]
        for cell in m.cells():
            assert frame.at[cell.clause_number, cell.scenario_id] == cell.kind.value
        assert (frame == "direct").sum().sum() == 117

    def test_matrix_long(self) -> None:
        """``long=True``: one row per cell, the matrix's records."""
        m = reference.coverage_matrix()
        frame = to_frame(m, long=True)
        assert list(frame.columns) == list(frames.COVERAGE_COLUMNS)
        assert len(frame) == 795
        assert records(frame) == m.to_records()

    def test_process_coverage(self) -> None:
        """One row per process: covered, the count, the scenarios as the CLI shows them."""
        processes = reference.process_coverage()
        frame = to_frame(processes)
        assert list(frame.columns) == list(frames.PROCESS_COVERAGE_COLUMNS)
        assert frame["clause_number"].tolist() == [p.clause.number for p in processes]
        first = frame.iloc[0].to_dict()
        assert first["direct"] == "S12 S13"
        assert first["inherited"] == ""
        assert first["unknown"] == "S14 S15"
        assert first["scenarios"] == 2
        assert bool(first["covered"]) is True

    def test_process_coverage_long(self) -> None:
        """One row per process and scenario: the nearest citation, unknown ones too."""
        refs = reference.load(
            overlay(citations=[{"scenario_id": "S01", "clause_number": "6", "position": 3}])
        )
        processes = refs.process_coverage()
        frame = to_frame(processes, long=True)
        assert list(frame.columns) == list(frames.PROCESS_COVERAGE_LONG_COLUMNS)
        rows = frame[frame["clause_number"] == "6.1"][["scenario_id", "coverage", "via"]]
        as_lists = [list(row.values()) for row in records(rows)]
        assert as_lists[0] == ["S01", "inherited", "6"]
        assert ["S03", "direct", "6.1"] in as_lists
        assert as_lists[-2:] == [["S14", "unknown", None], ["S15", "unknown", None]]
        for p in processes:
            mine = frame[frame["clause_number"] == p.clause.number]
            assert len(mine) == len(p.scenario_ids) + len(p.unknown)


class TestConformityFrames:
    """An assessment, an evidence register and an improvement register (S12)."""

    def test_assessment_clause_rows(self) -> None:
        """One row per clause row: 6.1 stale, 7.1 and 9.2 missing; S14 has no rows."""
        a = assessment()
        frame = to_frame(a)
        assert list(frame.columns) == list(frames.ASSESSMENT_FRAME_COLUMNS)
        assert [
            (r["scenario_id"], r["clause_number"], r["status"], r["stale_ids"])
            for r in records(frame)
        ] == [
            ("S07", "6.1", "stale", "EV-SLM"),
            ("S07", "7.1", "missing", ""),
            ("S07", "9.2", "missing", ""),
        ]
        assert records(frame) == records(to_frame(a.clauses))

    def test_inherited_only_through_an_ancestor(self) -> None:
        """``inherited`` is False on a row its own clause's evidence covers (via = itself).

        EV-REL supports 7.1 itself (via 7.1, not inherited); EV-ALL9 supports all of
        clause 9, so 9.2 is covered through 9 (inherited); 6.1 is stale (no via).
        """
        register = evidence_register()
        for extra in (
            evidence("EV-REL", ("7.1",), "2026-02-01", None),
            evidence("EV-ALL9", ("9",), "2026-02-01", None),
        ):
            register = register.with_evidence(extra)
        frame = to_frame(assess(register, ["S07"], as_of=AS_OF))
        got = [
            (r["clause_number"], r["status"], r["via"], r["inherited"], r["evidence_ids"])
            for r in records(frame)
        ]
        assert got == [
            ("6.1", "stale", None, False, ""),
            ("7.1", "covered", "7.1", False, "EV-REL"),
            ("9.2", "covered", "9", True, "EV-ALL9"),
        ]

    def test_assessment_parts(self) -> None:
        """``part`` picks the scenarios, processes or gaps; the sequences give the same."""
        a = assessment()
        scenarios = records(to_frame(a, part="scenarios"))
        assert [(r["scenario_id"], r["status"], r["total"]) for r in scenarios] == [
            ("S07", "assessed", 3),
            ("S14", "unknown", 0),
        ]
        gaps = to_frame(a, part="gaps")
        assert list(gaps.columns) == list(frames.GAP_FRAME_COLUMNS)
        assert [(r["clause_number"], r["severity"], r["owner"]) for r in records(gaps)] == [
            (g.clause_number, g.severity.value, g.owner) for g in a.gaps
        ]
        assert ("6.1", "minor", "actor:delivery") in [
            (r["clause_number"], r["severity"], r["owner"]) for r in records(gaps)
        ]
        assert records(gaps) == records(to_frame(a.gaps))
        processes = to_frame(a, part="processes")
        assert list(processes.columns) == list(frames.PROCESS_ASSESSMENT_COLUMNS)
        assert processes["clause_number"].tolist() == [p.clause_number for p in a.processes]
        assert records(processes) == records(to_frame(a.processes))
        assert records(to_frame(a, part="scenarios")) == records(to_frame(a.scenarios))
        with pytest.raises(ValidationError) as info:
            to_frame(a, part="evidence")
        assert [p.path for p in info.value.problems] == ["$.part"]

    def test_parts_hold_what_the_json_report_says(self) -> None:
        """Clause rows, processes, gaps and unmatched evidence: assessment_data's fields.

        The same columns in the same order, each list of ids joined by spaces (a gap's
        ``reached_by`` as ``S04(4)``), so the frame and the JSON report never drift.
        """
        register = evidence_register()
        other = attrs.evolve(register.evidence[3], id="EV-2018", edition="20000-1:2018")
        a = assess(register.with_evidence(other), None, as_of=AS_OF)
        data = conformity_reports.assessment_data(a)
        for part, key in (
            ("clauses", "clauses"),
            ("processes", "processes"),
            ("gaps", "gaps"),
            ("unmatched", "unmatched_evidence"),
        ):
            frame = to_frame(a, part=part)
            assert data[key], part
            assert list(frame.columns) == list(data[key][0]), part
            for row, held in zip(records(frame), data[key], strict=True):
                for column, value in held.items():
                    shown = (
                        [f"{x['scenario_id']}({x['through']})" for x in value]
                        if column == "reached_by"
                        else value
                    )
                    expected = " ".join(shown) if isinstance(shown, list) else shown
                    assert row[column] == expected, (part, column)

    def test_gaps_say_who_cites_and_who_reaches(self) -> None:
        """cited_by and reached_by as the gaps hold them (``S04(4)``: S04 through clause 4)."""
        a = assess(evidence_register(), None, as_of=AS_OF)
        frame = to_frame(a, part="gaps")
        got = [(r["clause_number"], r["cited_by"], r["reached_by"]) for r in records(frame)]
        assert got == [
            (
                g.clause_number,
                " ".join(g.cited_by),
                " ".join(f"{sid}({via})" for sid, via in g.reached_by),
            )
            for g in a.gaps
        ]
        assert any("(" in reached for _, _, reached in got)
        assert all(
            set(r["scenario_ids"].split())
            == set(r["cited_by"].split()) | {x.partition("(")[0] for x in r["reached_by"].split()}
            for r in records(frame)
        )

    def test_unmatched_evidence(self) -> None:
        """Evidence of another edition is a row of part="unmatched", with its reason."""
        register = evidence_register()
        other = attrs.evolve(register.evidence[3], id="EV-2018", edition="20000-1:2018")
        a = assess(register.with_evidence(other), ["S07"], as_of=AS_OF)
        frame = to_frame(a, part="unmatched")
        assert list(frame.columns) == list(frames.UNMATCHED_EVIDENCE_COLUMNS)
        assert [(r["evidence_id"], r["edition"], r["clauses"]) for r in records(frame)] == [
            ("EV-2018", "20000-1:2018", "6.5")
        ]
        assert records(frame)[0]["reason"] == a.unmatched_evidence[0].reason
        assert records(frame) == records(to_frame(a.unmatched_evidence))
        assert to_frame(assessment(), part="unmatched").empty

    def test_evidence_register(self) -> None:
        """One row per evidence, instants in UTC, the expiry at the end of the day in Auckland."""
        frame = to_frame(evidence_register())
        assert list(frame.columns) == list(frames.EVIDENCE_COLUMNS)
        first = records(frame)[0]
        assert first["id"] == "EV-POL"
        assert first["supports"] == "4"
        assert first["valid_until"] == dt.date(2026, 12, 31)
        # Auckland is 13 hours ahead on 1 January 2027 (daylight saving time).
        assert first["expires_at"] == dt.datetime(2026, 12, 31, 11, tzinfo=dt.UTC)
        assert first["collected_at"] == dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
        assert records(frame)[2]["expires_at"] is None

    def test_evidence_state_as_of(self) -> None:
        """With ``as_of``: valid, expired (stale) or not yet collected."""
        frame = to_frame(evidence_register(), as_of=AS_OF)
        assert frame.columns[-1] == "state"
        assert dict(zip(frame["id"], frame["state"], strict=True)) == {
            "EV-POL": "valid",
            "EV-SLM": "expired",
            "EV-CHG": "not_collected",
            "EV-CAP": "valid",
        }
        # The last instant of 31 August in Auckland: EV-SLM still holds.
        last = dt.datetime(2026, 8, 31, 23, 59, 59, tzinfo=evidence_register().zone)
        assert to_frame(evidence_register(), as_of=last)["state"].tolist()[1] == "valid"
        with pytest.raises(ValidationError) as info:
            to_frame(evidence_register(), as_of="2026-09-01")
        assert [p.path for p in info.value.problems] == ["$.as_of"]

    def test_collected_exactly_at_as_of_is_there(self) -> None:
        """Evidence collected at the very instant of ``as_of`` counts; a microsecond later not.

        EV-CHG was collected at noon UTC on 1 October 2026: at that instant it is
        ``valid`` (and assess covers 9.2 with it); one microsecond before, it is
        ``not_collected``.
        """
        register = evidence_register()
        collected = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
        before = collected - dt.timedelta(microseconds=1)
        state = to_frame(register, as_of=collected).set_index("id")["state"]
        assert state["EV-CHG"] == "valid"
        assert to_frame(register, as_of=before).set_index("id")["state"]["EV-CHG"] == (
            "not_collected"
        )
        assert frames.evidence_state(collected, None, collected) == "valid"
        assert frames.evidence_state(collected, None, before) == "not_collected"
        row = next(
            r
            for r in assess(register, ["S07"], as_of=collected).clauses
            if r.clause_number == "9.2"
        )
        assert (row.status.value, row.evidence_ids) == ("covered", ("EV-CHG",))

    def test_states_agree_with_assess(self) -> None:
        """On the example register, assess counts the valid evidence and names the expired."""
        text = (ROOT / "examples" / "conformity" / "evidence-register.json").read_text("utf-8")
        register = from_json(EvidenceRegister, text)
        for day in (dt.date(2026, 6, 30), dt.date(2026, 12, 31), dt.date(2027, 3, 1)):
            state = dict(
                zip(*(to_frame(register, as_of=day)[k] for k in ("id", "state")), strict=True)
            )
            rows = assess(register, None, as_of=day).clauses
            assert {state[i] for r in rows for i in r.evidence_ids} <= {"valid"}
            assert {state[i] for r in rows for i in r.stale_ids} <= {"expired"}

    def test_improvement_register(self) -> None:
        """Each improvement with its state, rank among the open ones and its score."""
        frame = to_frame(improvement_register())
        assert list(frame.columns) == list(frames.IMPROVEMENT_FRAME_COLUMNS)
        rows = {r["id"]: r for r in records(frame)}
        assert (rows["imp-a"]["rank"], rows["imp-a"]["score"]) == (1, Decimal("4.50"))
        assert (rows["imp-b"]["rank"], rows["imp-b"]["score"]) == (2, Decimal("2.33"))
        assert (rows["imp-c"]["state"], rows["imp-c"]["rank"]) == ("withdrawn", None)
        assert rows["imp-c"]["score"] == Decimal("5.00")
        assert (rows["imp-d"]["state"], rows["imp-d"]["rank"], rows["imp-d"]["score"]) == (
            "identified",
            None,
            None,
        )
        assert frame["rank"].dtype == object  # ints and None, as every optional column


class TestServiceReports:
    """Service reports keep the monitoring frame, option ``agreements`` included."""

    def test_same_as_the_monitoring_frame(self) -> None:
        """One report, or several with their agreement, give the frame monitoring gives."""
        report = october()
        assert to_frame(report).equals(monitoring_reports.to_frame(report))
        both = to_frame([report, report], agreements=[example_agreement()])
        assert both.equals(
            monitoring_reports.to_frame([report, report], agreements=[example_agreement()])
        )
        assert to_frame(iter([report])).equals(monitoring_reports.to_frame(report))


class TestRefusals:
    """What to_frame does not read is named with its path."""

    @pytest.mark.parametrize("value", ["matrix", 3, None, {"S01": "4.1"}, b"x"])
    def test_other_values(self, value: object) -> None:
        """A value of no accepted type is refused at $, the accepted types listed."""
        with pytest.raises(ValidationError) as info:
            to_frame(value)
        (problem,) = info.value.problems
        assert problem.path == "$"
        assert "CoverageMatrix" in problem.expected

    def test_a_sequence_of_other_things(self) -> None:
        """A sequence of values of no accepted type is refused at $[0]."""
        with pytest.raises(ValidationError) as info:
            to_frame([1, 2])
        assert [p.path for p in info.value.problems] == ["$[0]"]

    def test_mixed_sequence(self) -> None:
        """Every item of another type than the first is named."""
        with pytest.raises(ValidationError) as info:
            to_frame([reference.citations()[0], "x", reference.process_coverage()[0]])
        assert [p.path for p in info.value.problems] == ["$[1]", "$[2]"]

    @pytest.mark.parametrize(
        ("value", "options"),
        [
            (reference.coverage_matrix(), {"wide": True}),
            (reference.shipped(), {"long": True}),
            (reference.process_coverage(), {"reference": None}),
            (reference.citations(), {"long": True}),
            (assessment().gaps, {"part": "gaps"}),
            (assessment().clauses, {"as_of": AS_OF}),
        ],
    )
    def test_options_that_do_not_apply(self, value: object, options: dict[str, Any]) -> None:
        """An option the type does not take is refused at $.<option>."""
        with pytest.raises(ValidationError) as info:
            to_frame(value, **options)
        assert [p.path for p in info.value.problems] == [f"$.{next(iter(options))}"]

    def test_report_options(self) -> None:
        """Service reports take ``agreements`` only."""
        with pytest.raises(ValidationError) as info:
            to_frame(october(), long=True)
        assert [p.path for p in info.value.problems] == ["$.long"]

    def test_empty_sequence(self) -> None:
        """An empty sequence gives an empty frame."""
        assert to_frame([]).empty


def assert_missing_is_none(frame: Any, expected: set[str]) -> None:
    """Every missing value of ``frame`` is None in an object column; ``expected`` have some."""
    pandas = pytest.importorskip("pandas")
    seen = set()
    for name in frame.columns:
        for value in frame[name].tolist():
            if value is None or (pandas.api.types.is_scalar(value) and pandas.isna(value)):
                assert value is None, f"{name}: {value!r}"
                assert name in frames.OPTIONAL_COLUMNS, name
                assert frame[name].dtype == object, name
                seen.add(name)
    assert seen == expected
    for name in set(frame.columns) & frames.OPTIONAL_COLUMNS:
        assert frame[name].dtype == object, name


class TestMissingValues:
    """A missing value is None in an object column, in every frame (never NaN, NaT, NA)."""

    def test_citations(self) -> None:
        """Clause 4 is in no process group; most citations use the clause's own title."""
        frame = to_frame(reference.shipped())
        assert_missing_is_none(frame, {"process_group", "cited_as"})
        assert frame.loc[frame["clause_number"] == "4", "process_group"].tolist()[0] is None

    def test_matrix_long(self) -> None:
        """A cell of kind none or unknown has no ``via``."""
        frame = to_frame(reference.coverage_matrix(), long=True)
        assert_missing_is_none(frame, {"via"})
        assert frame["via"].isna().sum() == sum(
            c.via is None for c in reference.coverage_matrix().cells()
        )

    def test_process_coverage(self) -> None:
        """Every process has a group: nothing missing, the group an object column still."""
        assert_missing_is_none(to_frame(reference.process_coverage()), set())

    def test_process_coverage_long(self) -> None:
        """An unknown scenario's row has no ``via``."""
        frame = to_frame(reference.process_coverage(), long=True)
        assert_missing_is_none(frame, {"via"})
        assert set(frame.loc[frame["via"].isna(), "coverage"]) == {"unknown"}

    def test_assessment_parts(self) -> None:
        """A missing clause has no ``via``; a process and a gap of clause 7 have no owner."""
        a = assess(attrs.evolve(evidence_register(), sms_owner=None), ["S07", "S14"], as_of=AS_OF)
        assert_missing_is_none(to_frame(a), {"via"})
        assert_missing_is_none(to_frame(a, part="scenarios"), set())
        assert_missing_is_none(to_frame(a, part="processes"), {"owner"})
        assert_missing_is_none(to_frame(a, part="gaps"), {"owner"})
        assert_missing_is_none(to_frame(a, part="unmatched"), set())

    def test_evidence_register(self) -> None:
        """Evidence with no expiry and none derived: valid_until, expires_at, source_ref None."""
        frame = to_frame(evidence_register(), as_of=AS_OF)
        assert_missing_is_none(frame, {"valid_until", "expires_at", "source_ref"})
        assert frame["expires_at"].tolist()[0] == dt.datetime(2026, 12, 31, 11, tzinfo=dt.UTC)

    def test_improvement_register(self) -> None:
        """rank, score, source_ref and the links None where missing, beside Decimals and ints."""
        frame = to_frame(improvement_register())
        assert_missing_is_none(frame, {"rank", "score", "source_ref", "change_id", "design_id"})
        assert frame["score"].tolist() == [Decimal("4.50"), Decimal("2.33"), Decimal("5.00"), None]
        assert frame["rank"].tolist() == [1, 2, None, None]


class TestOptionTypes:
    """Every option of to_frame is of its type; the refusals are the Frame's."""

    @pytest.mark.parametrize("value", ["yes", 1, None, "False"])
    @pytest.mark.parametrize("kind", ["matrix", "processes"])
    def test_long_is_a_bool(self, kind: str, value: object) -> None:
        """``long="yes"`` (or 1, None) is refused at $.long, not read as true."""
        given = reference.coverage_matrix() if kind == "matrix" else reference.process_coverage()
        with pytest.raises(ValidationError) as info:
            to_frame(given, long=value)
        assert [p.path for p in info.value.problems] == ["$.long"]
        assert info.value.subject == "Frame"
        assert str(info.value).startswith("Frame is invalid")

    @pytest.mark.parametrize("part", [None, 1, ["gaps"], "Gaps"])
    def test_part_is_one_of_the_names(self, part: object) -> None:
        """``part`` is one of the five names, nothing else."""
        with pytest.raises(ValidationError) as info:
            to_frame(assessment(), part=part)
        assert [p.path for p in info.value.problems] == ["$.part"]
        assert info.value.subject == "Frame"

    @pytest.mark.parametrize(
        "as_of",
        ["x", "2026-09-01", dt.datetime(2026, 9, 1), 20260901],
    )
    def test_as_of_of_an_evidence_register(self, as_of: object) -> None:
        """A bad ``as_of`` is the frame's problem at $.as_of, not an assessment's."""
        with pytest.raises(ValidationError) as info:
            to_frame(evidence_register(), as_of=as_of)
        assert [p.path for p in info.value.problems] == ["$.as_of"]
        assert info.value.subject == "Frame"
        assert "Assessment" not in str(info.value)

    def test_reference_is_a_set(self) -> None:
        """``reference`` for citations is a ReferenceSet."""
        with pytest.raises(ValidationError) as info:
            to_frame(reference.citations(), reference="shipped")
        assert [p.path for p in info.value.problems] == ["$.reference"]
        assert info.value.subject == "Frame"

    def test_other_values_subject(self) -> None:
        """A value of no accepted type: ``Frame is invalid``."""
        with pytest.raises(ValidationError) as info:
            to_frame(3)
        assert str(info.value).startswith("Frame is invalid (1 problem):")


def test_missing_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas: an ImportError naming the extra, for every kind of value."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    for value in (reference.coverage_matrix(), reference.shipped(), reference.process_coverage()):
        with pytest.raises(ImportError) as info:
            to_frame(value)
        assert "pip install 'cloudsms[analysis]'" in str(info.value)
        assert info.value.name == "pandas"
