"""The query API of cloudsms.reference, with hand-checked answers from the source."""

from __future__ import annotations

import json

import pytest

from cloudsms import reference
from cloudsms.errors import UnknownReference
from cloudsms.reference import Coverage


def numbers(clauses: tuple[reference.Clause, ...]) -> list[str]:
    """The numbers of some clauses."""
    return [c.number for c in clauses]


def ids(scenarios: tuple[reference.Scenario, ...]) -> list[str]:
    """The ids of some scenarios."""
    return [s.id for s in scenarios]


class TestClause:
    """clause() looks a clause up by number and edition."""

    def test_by_number(self) -> None:
        """Returns the clause with its title."""
        assert reference.clause("6.3.1").title == (
            "Service continuity and availability requirements"
        )

    @pytest.mark.parametrize("spelling", ["Clause 6.1", " 6.1 ", "6.1.", "06.01", "clause 6.1"])
    def test_accepts_common_spellings(self, spelling: str) -> None:
        """Reads the clause numbers people write."""
        assert reference.clause(spelling).number == "6.1"

    def test_unknown_number_suggests(self) -> None:
        """Raises UnknownReference naming close clause numbers."""
        with pytest.raises(UnknownReference) as info:
            reference.clause("6.7")
        assert info.value.kind == "clause"
        assert "6.6" in info.value.suggestions

    def test_unknown_edition(self) -> None:
        """Raises UnknownReference for an edition the set does not hold."""
        with pytest.raises(UnknownReference, match="edition") as info:
            reference.clause("6.1", edition="20000-1:2018")
        assert info.value.suggestions == ("20000-1:2011",)

    def test_non_string_is_unknown(self) -> None:
        """Treats a non-string number as unknown, never leaking TypeError."""
        with pytest.raises(UnknownReference):
            reference.clause(["6.1"])  # type: ignore[arg-type]

    def test_clause_str_and_key(self) -> None:
        """Shows number and title; keys by edition and number."""
        c = reference.clause("7.2")
        assert (str(c), c.key, c.depth) == ("7.2 Supplier management", ("20000-1:2011", "7.2"), 2)


class TestScenario:
    """scenario() accepts every common way of naming a scenario."""

    @pytest.mark.parametrize("spelling", ["S07", "S7", "S007", "s7", "5.7", " S07 ", "s0007"])
    def test_aliases(self, spelling: str) -> None:
        """Reads S07, S7, S007, lower case and the section number."""
        assert reference.scenario(spelling).id == "S07"

    def test_the_sources_own_s010(self) -> None:
        """Reads S010, as the source itself writes S10."""
        assert reference.scenario("S010").id == "S10"

    @pytest.mark.parametrize("bad", ["S16", "S0", "5.16", "seven", "", 7])
    def test_unknown(self, bad: object) -> None:
        """Raises UnknownReference for an unknown scenario."""
        with pytest.raises(UnknownReference) as info:
            reference.scenario(bad)  # type: ignore[arg-type]
        assert info.value.kind == "scenario"

    def test_suggests_close_ids(self) -> None:
        """Suggests existing ids close to what was asked."""
        with pytest.raises(UnknownReference) as info:
            reference.scenario("S16")
        assert "S15" in info.value.suggestions

    def test_number_and_str(self) -> None:
        """Exposes the scenario's number and a readable string."""
        s = reference.scenario("S09")
        assert (s.number, str(s)) == (9, "S09 Deliver and operate the cloud services")


class TestClausesCitedBy:
    """clauses_cited_by() lists a scenario's clauses in numeric order."""

    def test_numeric_order_not_source_order(self) -> None:
        """Sorts S11's clauses numerically, 4.1.1 before 4.2."""
        assert numbers(reference.clauses_cited_by("S11")) == [
            "4.1.1",
            "4.2",
            "4.3",
            "4.4",
            "4.5.5.2",
            "6.4",
            "6.5",
            "8.1",
            "9.1",
            "9.2",
            "9.3",
        ]

    def test_whole_clause_citation_is_not_expanded_by_default(self) -> None:
        """Lists clause 4 itself for S04, not its sub-clauses."""
        assert numbers(reference.clauses_cited_by("S04"))[0] == "4"
        assert "4.1" not in numbers(reference.clauses_cited_by("S04"))

    def test_expand_includes_sub_clauses(self) -> None:
        """With expand=True, S12's citation of clause 5 brings in 5.1-5.4."""
        expanded = numbers(reference.clauses_cited_by("S12", expand=True))
        assert {"5", "5.1", "5.2", "5.3", "5.4"} <= set(expanded)
        assert expanded == sorted(expanded, key=lambda n: tuple(map(int, n.split("."))))
        assert len(expanded) == len(set(expanded))

    def test_expand_of_clause_4_is_the_whole_tree(self) -> None:
        """Expands S04's citation of clause 4 to all 25 clauses under and including 4."""
        expanded = numbers(reference.clauses_cited_by("S04", expand=True))
        assert len([n for n in expanded if n.split(".")[0] == "4"]) == 25

    def test_empty_for_unknown_citations(self) -> None:
        """Returns () for S14 and S15."""
        assert reference.clauses_cited_by("S15") == ()
        assert reference.clauses_cited_by("S15", expand=True) == ()

    def test_accepts_aliases(self) -> None:
        """Reads the scenario id as scenario() does."""
        assert reference.clauses_cited_by("5.1") == reference.clauses_cited_by("S01")

    def test_unknown_scenario(self) -> None:
        """Raises UnknownReference for an unknown scenario."""
        with pytest.raises(UnknownReference):
            reference.clauses_cited_by("S99")


class TestScenariosCiting:
    """scenarios_citing() follows coverage downward only."""

    def test_inherited_from_a_whole_clause(self) -> None:
        """Finds S02 (cites 4.5.1) and S04 (cites all of clause 4) for 4.5.1."""
        assert ids(reference.scenarios_citing("4.5.1")) == ["S02", "S04"]

    def test_direct_only(self) -> None:
        """With inherited=False, finds only S02 for 4.5.1."""
        assert ids(reference.scenarios_citing("4.5.1", inherited=False)) == ["S02"]

    def test_a_sub_clause_never_covers_its_parent(self) -> None:
        """Does not count S05's citation of 5.1 as covering clause 5."""
        assert ids(reference.scenarios_citing("5")) == ["S12", "S13"]

    def test_top_level_clause_cited_by_nobody(self) -> None:
        """Returns () for clause 6, which no scenario cites whole."""
        assert reference.scenarios_citing("6") == ()

    def test_clause_6_1(self) -> None:
        """Finds the nine scenarios that cite 6.1 directly."""
        assert ids(reference.scenarios_citing("6.1")) == [
            "S03",
            "S04",
            "S05",
            "S06",
            "S07",
            "S08",
            "S09",
            "S10",
            "S13",
        ]

    def test_unknown_clause(self) -> None:
        """Raises UnknownReference for an unknown clause."""
        with pytest.raises(UnknownReference):
            reference.scenarios_citing("10.1")


class TestCoverageOf:
    """coverage_of() says how each scenario covers a clause."""

    def test_direct_and_via_ancestor(self) -> None:
        """Reports S02 directly and S04 via clause 4 for 4.5.1."""
        assert reference.coverage_of("4.5.1") == (
            Coverage(scenario_id="S02", clause_number="4.5.1", via="4.5.1", direct=True),
            Coverage(scenario_id="S04", clause_number="4.5.1", via="4", direct=False),
        )

    def test_routes_in_scenario_order(self) -> None:
        """Lists S04 via 4, S10 and S12 via 4.5.5 and S11 directly for 4.5.5.2."""
        routes = [(c.scenario_id, c.via) for c in reference.coverage_of("4.5.5.2")]
        assert routes == [("S04", "4"), ("S10", "4.5.5"), ("S11", "4.5.5.2"), ("S12", "4.5.5")]


class TestMatrix:
    """matrix() maps each scenario to the clauses it cites directly."""

    def test_known_and_unknown(self) -> None:
        """Gives S01's two clauses and None for S14 and S15."""
        m = reference.matrix()
        assert m["S01"] == ("4.1", "7.1")
        assert (m["S14"], m["S15"]) == (None, None)
        assert list(m) == [f"S{n:02d}" for n in range(1, 16)]

    def test_counts_match_citations(self) -> None:
        """Holds 117 clause numbers in all (no scenario cites a clause twice)."""
        assert sum(len(v) for v in reference.matrix().values() if v) == 117

    def test_returns_a_fresh_dict(self) -> None:
        """Leaves the set untouched when a caller mutates the result."""
        m = reference.matrix()
        m["S01"] = ()
        assert reference.matrix()["S01"] == ("4.1", "7.1")


class TestUncoveredProcesses:
    """uncovered_processes() finds processes no scenario covers."""

    def test_none_for_the_shipped_data(self) -> None:
        """Returns () as every process appears in at least one scenario."""
        assert reference.uncovered_processes() == ()


class TestExports:
    """to_records() and to_json() export the data for other tools."""

    def test_records_one_per_citation(self) -> None:
        """Gives one flat dict per citation with both titles."""
        records = reference.to_records()
        assert len(records) == 117
        assert records[0] == {
            "scenario_id": "S01",
            "scenario_title": "Identify the context for service management of cloud services",
            "phase": "plan",
            "position": 1,
            "edition": "20000-1:2011",
            "clause_number": "4.1",
            "clause_title": "Management responsibility",
            "cited_as": None,
            "process_group": None,
            "is_process": False,
        }

    def test_json_round_trips(self) -> None:
        """Reads its own JSON back into an equal set."""
        text = reference.to_json()
        back = reference.ReferenceSet.from_mapping(json.loads(text))
        assert back == reference.shipped()
        assert back.to_json() == text

    def test_compact_json(self) -> None:
        """Writes compact JSON on request."""
        assert "\n" not in reference.to_json(indent=None)

    def test_repr_and_equality(self) -> None:
        """Summarises itself and compares by content only."""
        refs = reference.shipped()
        assert repr(refs) == "<ReferenceSet: 53 clauses, 15 scenarios, 117 citations>"
        assert refs != object()
        assert (refs == 5) is False
