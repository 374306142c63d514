"""The coverage matrix and per-process coverage of cloudsms.reference (issue 20, S12).

Cells are hand-checked against the source's citations (S02 cites 4.5.1, S04 cites
the whole of clause 4, S01 cites only 4.1 and 7.1, S14 and S15 list no clauses);
every cell agrees with `coverage_of`, and an overlay changes exactly the cells under
the citation it adds.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import examples, overlay

from cloudsms import reference
from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.reference import (
    Coverage,
    CoverageCell,
    CoverageKind,
    CoverageMatrix,
    ProcessCoverage,
    ReferenceSet,
)
from cloudsms.reports.frames import CITATION_COLUMNS

DIRECT, INHERITED, NONE, UNKNOWN = (
    CoverageKind.DIRECT,
    CoverageKind.INHERITED,
    CoverageKind.NONE,
    CoverageKind.UNKNOWN,
)

PROCESSES = ["5", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "7.1", "7.2", "8.1", "8.2"]
PROCESSES += ["9.1", "9.2", "9.3"]


def expected_cell(
    refs: ReferenceSet, clause: reference.Clause, sid: str
) -> tuple[str, str | None]:
    """The kind and via of a cell, worked out from coverage_of and the scenario's flag alone."""
    if not refs.scenario(sid).citations_known:
        return "unknown", None
    entries = [
        x for x in refs.coverage_of(clause.number, edition=clause.edition) if x.scenario_id == sid
    ]
    if not entries:
        return "none", None
    if any(x.direct for x in entries):
        return "direct", clause.number
    nearest = max(entries, key=lambda x: x.via.count("."))
    return "inherited", nearest.via


def assert_agrees(refs: ReferenceSet, edition: str = reference.DEFAULT_EDITION) -> None:
    """Every cell of the set's matrix is what coverage_of says."""
    m = refs.coverage_matrix(edition=edition)
    for clause in m.clauses:
        for s in m.scenarios:
            cell = m.cell(clause.number, s.id)
            assert (cell.kind.value, cell.via) == expected_cell(refs, clause, s.id), (clause, s.id)


class TestMatrixCells:
    """Hand-computed cells of the shipped 2011 matrix."""

    def test_direct(self) -> None:
        """S02 cites 4.5.1 itself: direct, via 4.5.1."""
        cell = reference.coverage_matrix().cell("4.5.1", "S02")
        assert cell == CoverageCell(
            edition="20000-1:2011",
            clause_number="4.5.1",
            scenario_id="S02",
            kind=DIRECT,
            via="4.5.1",
        )
        assert cell.covered

    def test_inherited_through_the_cited_ancestor(self) -> None:
        """S04 cites the whole of clause 4: 4.5.1 is inherited via 4."""
        cell = reference.coverage_matrix().cell("4.5.1", "S04")
        assert (cell.kind, cell.via, cell.covered) == (INHERITED, "4", True)

    def test_nearest_cited_ancestor_wins(self) -> None:
        """S12 cites 4.5.5 (not 4.5): 4.5.5.2 is inherited via 4.5.5, not via anything higher."""
        cell = reference.coverage_matrix().cell("4.5.5.2", "S12")
        assert (cell.kind, cell.via) == (INHERITED, "4.5.5")

    def test_unknown_columns(self) -> None:
        """S14 and S15 list no clauses: unknown on every row, never none."""
        m = reference.coverage_matrix()
        for sid in ("S14", "S15"):
            column = m.column(sid)
            assert len(column) == 53
            assert {c.kind for c in column} == {UNKNOWN}
            assert {c.via for c in column} == {None}

    def test_none_cell(self) -> None:
        """S01 cites 4.1 and 7.1 only: 4.5.1 is not covered by it."""
        cell = reference.coverage_matrix().cell("4.5.1", "S01")
        assert (cell.kind, cell.via, cell.covered) == (NONE, None, False)

    def test_a_cited_parent_never_covers_upwards(self) -> None:
        """S02 cites 4.5.1 but not clause 4: the cell of 4 is none."""
        assert reference.coverage_matrix().cell("4", "S02").kind is NONE

    @pytest.mark.parametrize(
        ("number", "sid"), [("Clause 4.5.1", "S2"), ("4.5.1", "s02"), ("04.05.01", "5.2")]
    )
    def test_reads_identifiers_as_people_write_them(self, number: str, sid: str) -> None:
        """Accepts the spellings the other queries accept (a section number for a scenario too)."""
        m = reference.coverage_matrix()
        assert m.cell(number, sid) == m.cell("4.5.1", "S02")
        assert m.row(number) == m.row("4.5.1")
        assert m.column(sid) == m.column("S02")

    @pytest.mark.parametrize(
        ("number", "sid", "kind"), [("12", "S01", "clause"), ("4.1", "S16", "scenario")]
    )
    def test_unknown_identifiers(self, number: str, sid: str, kind: str) -> None:
        """Raises UnknownReference naming what is unknown."""
        with pytest.raises(UnknownReference) as info:
            reference.coverage_matrix().cell(number, sid)
        assert info.value.kind == kind

    def test_unknown_edition(self) -> None:
        """Raises UnknownReference for an edition the set does not hold."""
        with pytest.raises(UnknownReference) as info:
            reference.coverage_matrix(edition="20000-1:2018")
        assert info.value.kind == "edition"


class TestMatrixShape:
    """The whole matrix: its size, order, counts and records."""

    def test_795_cells(self) -> None:
        """53 clauses by 15 scenarios, clause-major, each row in scenario order."""
        m = reference.coverage_matrix()
        assert (len(m.clauses), len(m.scenarios), len(m.cells()), len(m)) == (53, 15, 795, 795)
        assert [c.number for c in m.clauses] == [c.number for c in reference.clauses()]
        assert [s.id for s in m.scenarios] == [f"S{n:02d}" for n in range(1, 16)]
        assert [(c.clause_number, c.scenario_id) for c in m.cells()] == [
            (c.number, s.id) for c in m.clauses for s in m.scenarios
        ]
        at = [c.number for c in m.clauses].index("6.1")
        assert m.row("6.1") == m.cells()[15 * at : 15 * (at + 1)]

    def test_counts(self) -> None:
        """Direct cells are the 117 citations; S14 and S15 give 106 unknown cells; all add up."""
        m = reference.coverage_matrix()
        assert m.count(DIRECT) == m.count("direct") == len(reference.citations()) == 117
        assert m.count(UNKNOWN) == 2 * 53
        assert sum(m.count(k) for k in CoverageKind) == 795
        assert m.count(INHERITED) == sum(1 for c in m.cells() if c.kind is INHERITED)

    def test_count_refuses_an_unknown_kind(self) -> None:
        """Raises ValidationError naming the four kinds."""
        with pytest.raises(ValidationError) as info:
            reference.coverage_matrix().count("partial")
        (problem,) = info.value.problems
        assert problem.path == "$.kind"
        assert "direct, inherited, none, unknown" in problem.expected

    def test_rows_and_columns(self) -> None:
        """A row is one clause's 15 cells; a column one scenario's 53 cells."""
        m = reference.coverage_matrix()
        row = m.row("9.2")
        assert [c.scenario_id for c in row] == [s.id for s in m.scenarios]
        assert {c.clause_number for c in row} == {"9.2"}
        column = m.column("S07")
        assert [c.clause_number for c in column] == [c.number for c in m.clauses]
        assert [c.clause_number for c in column if c.kind is DIRECT] == ["6.1", "7.1", "9.2"]

    def test_records(self) -> None:
        """One flat dict per cell with titles and depth, in the order of cells()."""
        m = reference.coverage_matrix()
        records = m.to_records()
        assert len(records) == 795
        first = records[0]
        assert first == {
            "edition": "20000-1:2011",
            "clause_number": "4",
            "clause_title": reference.clause("4").title,
            "depth": 1,
            "scenario_id": "S01",
            "scenario_title": reference.scenario("S01").title,
            "coverage": "none",
            "via": None,
        }
        assert [
            (r["clause_number"], r["scenario_id"], r["coverage"], r["via"]) for r in records
        ] == [(c.clause_number, c.scenario_id, c.kind.value, c.via) for c in m.cells()]

    def test_built_once_per_edition_and_equal_by_value(self) -> None:
        """The same set returns the same matrix; an equal set an equal one."""
        refs = reference.shipped()
        assert refs.coverage_matrix() is refs.coverage_matrix()
        again = ReferenceSet.from_json(refs.to_json(), origin="cloudsms")
        assert again.coverage_matrix() == refs.coverage_matrix()
        assert hash(again.coverage_matrix()) == hash(refs.coverage_matrix())
        assert (
            refs.coverage_matrix()
            != reference.load(
                overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}])
            ).coverage_matrix()
        )
        assert refs.coverage_matrix().__eq__("matrix") is NotImplemented

    def test_repr_counts_the_kinds(self) -> None:
        """Shows the edition, size and the count of each kind."""
        assert repr(reference.coverage_matrix()) == (
            "<CoverageMatrix 20000-1:2011: 53 clauses x 15 scenarios "
            "(direct 117, inherited 112, none 460, unknown 106)>"
        )

    def test_every_cell_agrees_with_coverage_of(self) -> None:
        """Each of the 795 cells says what coverage_of and the scenario's flag say."""
        assert_agrees(reference.shipped())


class TestOverlays:
    """A matrix of a set with an overlay."""

    def test_a_citation_changes_exactly_the_cells_under_it(self) -> None:
        """S01 citing clause 6 covers 6 and its sub-clauses for S01; no other cell moves."""
        before = reference.coverage_matrix()
        after = reference.load(
            overlay(citations=[{"scenario_id": "S01", "clause_number": "6", "position": 3}])
        ).coverage_matrix()
        changed = {
            (a.clause_number, a.scenario_id): (a.kind, a.via)
            for a, b in zip(after.cells(), before.cells(), strict=True)
            if a != b
        }
        subtree = [
            c.number for c in before.clauses if c.number == "6" or c.number.startswith("6.")
        ]
        assert changed == {
            (n, "S01"): (DIRECT, "6") if n == "6" else (INHERITED, "6") for n in subtree
        }

    def test_citations_for_s14_make_its_column_known(self) -> None:
        """An overlay citing 9.2 for S14: 9.2 direct, every other cell of S14 none."""
        m = reference.load(
            overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}])
        ).coverage_matrix()
        kinds = {c.clause_number: c.kind for c in m.column("S14")}
        assert kinds.pop("9.2") is DIRECT
        assert set(kinds.values()) == {NONE}
        assert {c.kind for c in m.column("S15")} == {UNKNOWN}

    def test_another_edition(self) -> None:
        """An overlay's edition has its own matrix and processes."""
        refs = reference.load(
            overlay(
                clauses=[
                    {
                        "edition": "20000-1:2018",
                        "number": "8",
                        "title": "Operation",
                        "parent": None,
                    },
                    {
                        "edition": "20000-1:2018",
                        "number": "8.1",
                        "title": "Planning",
                        "parent": "8",
                        "is_process": True,
                        "process_group": "control",
                    },
                    {
                        "edition": "20000-1:2018",
                        "number": "8.2",
                        "title": "Portfolio",
                        "parent": "8",
                        "is_process": True,
                        "process_group": "control",
                    },
                ],
                citations=[
                    {"scenario_id": "S03", "edition": "20000-1:2018", "clause_number": "8.1"}
                ],
            )
        )
        m = refs.coverage_matrix(edition="20000-1:2018")
        assert (len(m.clauses), len(m), m.edition) == (3, 45, "20000-1:2018")
        assert m.cell("8.1", "S03").kind is DIRECT
        assert m.cell("8", "S03").kind is NONE
        assert m.cell("8.1", "S04").kind is NONE  # S04 cites clause 4 of 2011, not of 2018
        assert m.cell("8.1", "S14").kind is UNKNOWN
        assert_agrees(refs, "20000-1:2018")
        processes = refs.process_coverage(edition="20000-1:2018")
        assert [(p.clause.number, p.direct, p.covered) for p in processes] == [
            ("8.1", ("S03",), True),
            ("8.2", (), False),
        ]
        assert [c.number for c in refs.uncovered_processes(edition="20000-1:2018")] == ["8.2"]
        assert refs.coverage_matrix() == reference.coverage_matrix()

    @settings(max_examples=examples(30), deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from([f"S{n:02d}" for n in range(1, 16)]),
                st.sampled_from([c.number for c in reference.clauses()]),
            ),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    def test_any_overlay_agrees_with_coverage_of(self, added: list[tuple[str, str]]) -> None:
        """Whatever citations an overlay adds, every cell still agrees with coverage_of."""
        taken = {(c.scenario_id, c.clause_number) for c in reference.citations()}
        fresh = [(s, n) for s, n in added if (s, n) not in taken]
        refs = reference.load(
            overlay(
                citations=[
                    {"scenario_id": s, "clause_number": n, "position": 100 + i}
                    for i, (s, n) in enumerate(fresh)
                ]
            )
        )
        assert_agrees(refs)
        m = refs.coverage_matrix()
        for s, n in fresh:
            assert m.cell(n, s).kind is DIRECT
            for below in m.clauses:
                if below.number.startswith(f"{n}."):
                    assert m.cell(below.number, s).covered


class TestProcessCoverage:
    """process_coverage(): each process with the scenarios covering it."""

    def test_the_14_processes(self) -> None:
        """The 14 processes of 2011, in clause order, all covered."""
        processes = reference.process_coverage()
        assert [p.clause.number for p in processes] == (
            [
                "5",
                "6.1",
                "6.2",
                "6.3",
                "6.4",
                "6.5",
                "6.6",
                "7.1",
                "7.2",
                "8.1",
                "8.2",
                "9.1",
                "9.2",
                "9.3",
            ]
        )
        assert all(p.covered for p in processes)
        assert reference.shipped().process_coverage() is reference.shipped().process_coverage()

    def test_hand_computed(self) -> None:
        """Clause 5 is cited by S12 and S13; 5 has no cited ancestor; S14, S15 unknown."""
        first = reference.process_coverage()[0]
        assert first.direct == ("S12", "S13")
        assert first.inherited == ()
        assert first.unknown == ("S14", "S15")
        assert first.scenario_ids == ("S12", "S13")

    def test_agrees_with_coverage_of(self) -> None:
        """Direct and inherited entries together are exactly coverage_of, in its order."""
        for p in reference.process_coverage():
            entries = reference.coverage_of(p.clause.number)
            assert p.entries == entries
            assert p.direct == tuple(x.scenario_id for x in entries if x.direct)
            assert p.inherited == tuple(x for x in entries if not x.direct)
            assert p.scenario_ids == tuple(dict.fromkeys(x.scenario_id for x in entries))

    def test_inherited_through_an_overlay(self) -> None:
        """S01 citing clause 6 covers 6.1 through 6: an inherited entry via 6."""
        refs = reference.load(
            overlay(citations=[{"scenario_id": "S01", "clause_number": "6", "position": 3}])
        )
        p = next(p for p in refs.process_coverage() if p.clause.number == "6.1")
        assert (
            Coverage(scenario_id="S01", clause_number="6.1", via="6", direct=False) in p.inherited
        )
        assert "S01" in p.scenario_ids
        assert "S01" not in p.direct
        assert p.entries == refs.coverage_of("6.1")

    def test_uncovered_matches_uncovered_processes(self) -> None:
        """A process no scenario reaches is not covered, as uncovered_processes says."""
        refs = reference.load(
            overlay(
                clauses=[
                    {
                        "edition": "20000-1:2011",
                        "number": "9.4",
                        "title": "A process no scenario cites",
                        "parent": "9",
                        "is_process": True,
                        "process_group": "control",
                    }
                ]
            )
        )
        uncovered = [p.clause for p in refs.process_coverage() if not p.covered]
        assert uncovered == list(refs.uncovered_processes())
        assert [c.number for c in uncovered] == ["9.4"]


class TestCitationRecords:
    """ReferenceSet.citation_record: the one place a citation's row is made (S12 frames)."""

    def test_hand_checked(self) -> None:
        """S02 cites 4.5.1 fourth (not a process); S03 cites 6.1 second (service delivery)."""
        refs = reference.shipped()
        by_key = {(c.scenario_id, c.clause_number): c for c in refs.citations()}
        assert refs.citation_record(by_key["S02", "4.5.1"]) == {
            "scenario_id": "S02",
            "scenario_title": "Establish strategy and plan for management of cloud services",
            "phase": "plan",
            "position": 4,
            "edition": "20000-1:2011",
            "clause_number": "4.5.1",
            "clause_title": "Define scope",
            "cited_as": None,
            "process_group": None,
            "is_process": False,
        }
        record = refs.citation_record(by_key["S03", "6.1"])
        assert (record["clause_title"], record["process_group"], record["is_process"]) == (
            "Service level management",
            "service delivery",
            True,
        )
        assert (record["phase"], record["position"]) == ("design", 2)

    def test_to_records_is_made_of_them(self) -> None:
        """to_records is every citation's record in order; the keys are the frame's columns."""
        refs = reference.load(
            overlay(
                citations=[{"scenario_id": "S14", "clause_number": "9.2", "cited_as": "Changes"}]
            )
        )
        assert refs.to_records() == [refs.citation_record(c) for c in refs.citations()]
        assert all(tuple(r) == CITATION_COLUMNS for r in refs.to_records())
        added = next(c for c in refs.citations() if c.scenario_id == "S14")
        assert refs.citation_record(added)["cited_as"] == "Changes"

    def test_a_citation_the_set_does_not_hold(self) -> None:
        """An overlay's citation is unknown to the shipped set; a non-Citation is refused."""
        refs = reference.load(overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}]))
        added = next(c for c in refs.citations() if c.scenario_id == "S14")
        with pytest.raises(UnknownReference) as info:
            reference.shipped().citation_record(added)
        assert (info.value.kind, info.value.key) == ("citation", "S14 citing 9.2")
        with pytest.raises(ValidationError) as refused:
            reference.shipped().citation_record("S02 4.5.1")  # type: ignore[arg-type]
        assert [p.path for p in refused.value.problems] == ["$"]


class TestRecordsRefuseNonsense:
    """CoverageCell and ProcessCoverage check themselves when built."""

    @pytest.mark.parametrize(
        ("kind", "via"),
        [
            (DIRECT, None),
            (DIRECT, "4"),
            (INHERITED, "6"),
            (INHERITED, "4.5.1"),
            (NONE, "4"),
            (UNKNOWN, "4"),
        ],
    )
    def test_via_must_fit_the_kind(self, kind: CoverageKind, via: str | None) -> None:
        """A direct cell's via is the clause, an inherited one's an ancestor, others have none."""
        with pytest.raises(ValidationError) as info:
            CoverageCell(
                edition="20000-1:2011",
                clause_number="4.5.1",
                scenario_id="S01",
                kind=kind,
                via=via,
            )
        assert [p.path for p in info.value.problems] == ["$.via"]

    def test_fields_are_checked(self) -> None:
        """A bad scenario id and a kind given as text are named by path."""
        with pytest.raises(ValidationError) as info:
            CoverageCell(
                edition="20000-1:2011",
                clause_number="4.5.1",
                scenario_id="X1",
                kind="direct",  # type: ignore[arg-type]
                via="4.5.1",
            )
        assert {p.path for p in info.value.problems} >= {"$.scenario_id", "$.kind"}

    def test_process_coverage_needs_a_process(self) -> None:
        """Clause 4 is not a process; a direct entry among the inherited ones is refused too."""
        with pytest.raises(ValidationError) as info:
            ProcessCoverage(
                clause=reference.clause("4"),
                inherited=(Coverage(scenario_id="S04", clause_number="4", via="4", direct=True),),
            )
        assert [p.path for p in info.value.problems] == ["$.clause", "$.inherited[0]"]
        with pytest.raises(ValidationError):
            ProcessCoverage(clause="6.1")  # type: ignore[arg-type]
        with pytest.raises(ValidationError) as info:
            ProcessCoverage(clause=reference.clause("6.1"), direct=("S99x",))
        assert [p.path for p in info.value.problems] == ["$.direct[0]"]

    def test_shapes_of_the_fields(self) -> None:
        """A list for a tuple, a text via and an item that is not a Coverage are named."""
        with pytest.raises(ValidationError) as info:
            ProcessCoverage(
                clause=reference.clause("6.1"),
                direct=["S03"],  # type: ignore[arg-type]
                inherited=("S04",),  # type: ignore[arg-type]
                unknown="S14",  # type: ignore[arg-type]
            )
        assert [p.path for p in info.value.problems] == [
            "$.direct",
            "$.unknown",
            "$.inherited[0]",
        ]
        with pytest.raises(ValidationError) as info:
            ProcessCoverage(clause=reference.clause("6.1"), inherited=[])  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.inherited"]
        with pytest.raises(ValidationError) as info:
            CoverageCell(
                edition="20000-1:2011",
                clause_number="4.5.1",
                scenario_id="S04",
                kind=INHERITED,
                via=4,  # type: ignore[arg-type]
            )
        assert "$.via" in [p.path for p in info.value.problems]

    def test_matrix_is_exported(self) -> None:
        """The module-level queries run on the shipped set."""
        assert isinstance(reference.coverage_matrix(), CoverageMatrix)
        assert reference.coverage_matrix() is reference.shipped().coverage_matrix()
        assert reference.process_coverage() is reference.shipped().process_coverage()
