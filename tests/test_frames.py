"""cloudsms.reports.frames.to_frame: every value of a review as a pandas DataFrame (issue 20, S12).

The frames are compared with what the values themselves say (cells, records,
citations), so a frame is right when it holds the model's answers and nothing else.
The extra ``analysis`` is optional: each test skips without pandas, and the refusals
that need no pandas run everywhere.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from tests.conftest import overlay

from _monitoring_fixtures import example_agreement
from cloudsms import reference
from cloudsms.errors import ValidationError
from cloudsms.monitoring import Observations
from cloudsms.monitoring.evaluation import ServiceLevelReport, evaluate
from cloudsms.periods import Period
from cloudsms.reports import frames
from cloudsms.reports import monitoring as monitoring_reports
from cloudsms.reports.frames import to_frame


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


def test_missing_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas: an ImportError naming the extra, for every kind of value."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    for value in (reference.coverage_matrix(), reference.shipped(), reference.process_coverage()):
        with pytest.raises(ImportError) as info:
            to_frame(value)
        assert "pip install 'cloudsms[analysis]'" in str(info.value)
        assert info.value.name == "pandas"
