"""The shipped reference data states the source's facts: clauses, scenarios and citations."""

from __future__ import annotations

import csv
import importlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from cloudsms import reference
from cloudsms.reference import Phase, ProcessGroup

ROOT = Path(__file__).resolve().parent.parent
CLAUSE_CSV = ROOT.parent / "shared" / "reference" / "iso20000-1-2011-clauses.csv"

CITATIONS_PER_SCENARIO = {
    "S01": 2, "S02": 9, "S03": 3, "S04": 8, "S05": 12, "S06": 2, "S07": 3,
    "S08": 13, "S09": 17, "S10": 12, "S11": 11, "S12": 13, "S13": 12,
}  # fmt: skip

PHASES = {
    "S01": "plan", "S02": "plan", "S03": "design", "S04": "design", "S05": "design",
    "S06": "agree", "S07": "agree", "S08": "onboard", "S09": "operate", "S10": "operate",
    "S11": "operate", "S12": "improve", "S13": "exit", "S14": "exit", "S15": "exit",
}  # fmt: skip

# Every title the source writes differently from the clause's own title.
CITED_AS = {
    ("S02", "4.5.2"): "Plan the SMS",
    ("S03", "4.3"): "Documentation Management",
    ("S04", "4"): "General requirements",
    ("S04", "6.1"): "Service level requirements",
    ("S05", "5.1"): "General (Design and transition of new or changed services)",
    ("S08", "4.3"): "Documentation Management",
    ("S10", "6.5"): "Service capacity",
}


def _data_file(name: str) -> dict[str, object]:
    text = resources.files("cloudsms.reference").joinpath("data", name).read_text("utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


class TestClauses:
    """The 53 clauses of ISO/IEC 20000-1:2011 from 4 to 9.3."""

    def test_fifty_three_clauses(self) -> None:
        """Holds every numbered clause from 4 to 9.3: 53 of them."""
        numbers = [c.number for c in reference.clauses()]
        assert len(numbers) == 53
        assert (numbers[0], numbers[-1]) == ("4", "9.3")

    def test_every_clause_is_of_the_2011_edition(self) -> None:
        """Keys every clause by the edition 20000-1:2011."""
        assert {c.edition for c in reference.clauses()} == {"20000-1:2011"}
        assert reference.shipped().editions() == ("20000-1:2011",)

    def test_process_groups(self) -> None:
        """Gives clauses 5-9 their process group and clause 4 none."""
        groups = {c.number: c.process_group for c in reference.clauses()}
        assert groups["4.5.4.2"] is None
        assert groups["5.3"] is ProcessGroup.DESIGN_AND_TRANSITION
        assert groups["6.3.2"] is ProcessGroup.SERVICE_DELIVERY
        assert groups["7.2"] is ProcessGroup.RELATIONSHIP
        assert groups["8"] is ProcessGroup.RESOLUTION
        assert groups["9.3"] is ProcessGroup.CONTROL

    def test_fourteen_processes(self) -> None:
        """Marks clause 5, 6.1-6.6, 7.1-7.2, 8.1-8.2 and 9.1-9.3 as the 14 processes."""
        processes = [c.number for c in reference.clauses() if c.is_process]
        assert processes == ["5", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6",
                             "7.1", "7.2", "8.1", "8.2", "9.1", "9.2", "9.3"]  # fmt: skip

    def test_hierarchy(self) -> None:
        """Links parents and children both ways."""
        assert reference.clause("4.5.4").children == ("4.5.4.1", "4.5.4.2", "4.5.4.3")
        assert reference.clause("4.5.4.3").parent == "4.5.4"
        assert reference.clause("9").parent is None
        assert reference.clause("6").children == ("6.1", "6.2", "6.3", "6.4", "6.5", "6.6")

    def test_provenance_notes_unconfirmed_titles(self) -> None:
        """Flags the two titles confirmed by number and topic only."""
        noted = [c.number for c in reference.clauses() if c.provenance.note]
        assert noted == ["4.5.4.1", "4.5.4.3"]
        assert reference.clause("6.1").provenance.document == "ISO/IEC 20000-1"

    @pytest.mark.skipif(not CLAUSE_CSV.exists(), reason="the shared clause table is not here")
    def test_data_file_matches_the_shared_table(self) -> None:
        """Holds exactly the shared table's numbers, titles and parents."""
        with CLAUSE_CSV.open(encoding="utf-8") as f:
            rows = [(r["number"], r["title"], r["parent"] or None) for r in csv.DictReader(f)]
        assert rows == [(c.number, c.title, c.parent) for c in reference.clauses()]

    @pytest.mark.skipif(not CLAUSE_CSV.exists(), reason="the shared clause table is not here")
    def test_generator_is_in_sync(self) -> None:
        """Finds the committed clauses.json identical to what tasks/clauses.py generates."""
        result = subprocess.run(
            [sys.executable, str(ROOT / "tasks" / "clauses.py"), "--check"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


class TestScenarios:
    """The 15 scenarios S01-S15 of ISO/IEC TR 20000-9:2015."""

    def test_fifteen_in_order(self) -> None:
        """Holds S01-S15 in order, in sections 5.1-5.15."""
        scenarios = reference.scenarios()
        assert [s.id for s in scenarios] == [f"S{n:02d}" for n in range(1, 16)]
        assert [s.section for s in scenarios] == [f"5.{n}" for n in range(1, 16)]

    def test_phases(self) -> None:
        """Places each scenario in its phase of the service's life."""
        assert {s.id: s.phase.value for s in reference.scenarios()} == PHASES
        assert reference.scenario("S08").phase is Phase.ONBOARD

    def test_titles(self) -> None:
        """Keeps the source's titles, a fact of the standard."""
        assert reference.scenario("S07").title == "Establish a cloud service agreement"
        assert reference.scenario("S14").title == "Transfer a cloud service"
        assert reference.scenario("S15").title == "Remove a cloud service"

    def test_summaries_and_outcomes_are_present(self) -> None:
        """Gives every scenario a summary and S01-S13 at least one outcome."""
        for s in reference.scenarios():
            assert s.summary, s.id
            assert bool(s.outcomes) is (s.id not in {"S14", "S15"}), s.id

    def test_citations_unknown_only_for_s14_and_s15(self) -> None:
        """Marks S14 and S15, and only them, as having no known citations."""
        unknown = [s.id for s in reference.scenarios() if not s.citations_known]
        assert unknown == ["S14", "S15"]

    def test_provenance(self) -> None:
        """States the TR and its section on every scenario."""
        p = reference.scenario("S11").provenance
        assert (p.document, p.edition, p.section, p.origin) == (
            "ISO/IEC TR 20000-9",
            "2015",
            "5.11",
            "cloudsms",
        )

    def test_implemented_by_imports(self) -> None:
        """Imports every object a scenario names as implementing it."""
        for s in reference.scenarios():
            for path in s.implemented_by:
                assert _resolve(path) is not None, path

    def test_resolver_rejects_a_missing_object(self) -> None:
        """Fails on a dotted path that names nothing, so the check above can fail."""
        with pytest.raises((ImportError, AttributeError)):
            _resolve("cloudsms.reference.NoSuchThing")


def _resolve(path: str) -> object:
    module, _, attribute = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError:
        return importlib.import_module(path)


class TestCitations:
    """The 117 citations of S01-S13, as the source lists them."""

    def test_one_hundred_seventeen(self) -> None:
        """Holds 117 citations in all."""
        assert len(reference.citations()) == 117

    def test_totals_per_scenario(self) -> None:
        """Counts each scenario's citations as the source lists them."""
        counts: dict[str, int] = {}
        for c in reference.citations():
            counts[c.scenario_id] = counts.get(c.scenario_id, 0) + 1
        assert counts == CITATIONS_PER_SCENARIO

    def test_positions_follow_the_source(self) -> None:
        """Numbers each scenario's citations 1..n in the source's order."""
        s11 = [
            (c.position, c.clause_number) for c in reference.citations() if c.scenario_id == "S11"
        ]
        assert s11 == list(
            enumerate(
                [
                    "4.2",
                    "4.3",
                    "4.4",
                    "4.1.1",
                    "4.5.5.2",
                    "6.4",
                    "6.5",
                    "8.1",
                    "9.1",
                    "9.2",
                    "9.3",
                ],
                start=1,
            )
        )

    def test_continuation_rows_are_counted(self) -> None:
        """Keeps S12's list whole across the page break: 4.1.2 first, 9.3 thirteenth."""
        s12 = [c for c in reference.citations() if c.scenario_id == "S12"]
        assert (s12[0].clause_number, s12[6].clause_number, s12[-1].clause_number) == (
            "4.1.2",
            "5",
            "9.3",
        )

    def test_cited_as_only_where_the_title_differs(self) -> None:
        """Keeps the source's wording exactly where it differs from the clause title."""
        found = {
            (c.scenario_id, c.clause_number): c.cited_as
            for c in reference.citations()
            if c.cited_as is not None
        }
        assert found == CITED_AS

    def test_no_citation_for_s14_or_s15(self) -> None:
        """Invents no citation for the scenarios the source gives none for."""
        assert not [c for c in reference.citations() if c.scenario_id in {"S14", "S15"}]
        assert reference.clauses_cited_by("S14") == ()


class TestDataFiles:
    """The package data files carry their type and schema version and match the schema."""

    @pytest.mark.parametrize(
        ("name", "kind"),
        [
            ("clauses.json", "cloudsms.clauses"),
            ("scenarios.json", "cloudsms.scenarios"),
            ("citations.json", "cloudsms.citations"),
        ],
    )
    def test_typed_versioned_and_valid(self, name: str, kind: str) -> None:
        """Names its type and schema version 1 and validates against the JSON Schema."""
        document = _data_file(name)
        assert (document["type"], document["schema_version"]) == (kind, 1)
        jsonschema.Draft202012Validator(reference.schema()).validate(document)

    def test_schema_is_a_valid_draft_2020_12_schema(self) -> None:
        """Ships a JSON Schema that jsonschema accepts as draft 2020-12."""
        jsonschema.Draft202012Validator.check_schema(reference.schema())

    def test_to_json_output_is_valid(self) -> None:
        """Writes a reference-set document the schema accepts."""
        jsonschema.Draft202012Validator(reference.schema()).validate(
            json.loads(reference.to_json())
        )
