"""Overlays and ReferenceSet.from_mapping: a user's records beside or instead of shipped ones."""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

import pytest

from cloudsms import reference
from cloudsms.errors import ValidationError
from cloudsms.reference import ReferenceSet

from conftest import overlay

if TYPE_CHECKING:
    from pathlib import Path


def s14_citations() -> dict[str, Any]:
    """An overlay giving S14 two citations, as an organisation with a licensed copy might."""
    return overlay(
        origin="ACME licensed copy",
        citations=[
            {"scenario_id": "S14", "clause_number": "9.2"},
            {"scenario_id": "S14", "clause_number": "5", "cited_as": "Design and transition"},
        ],
    )


def rejected(source: Any, base: ReferenceSet | None = None) -> list[str]:
    """The paths of the problems an overlay is rejected for."""
    with pytest.raises(ValidationError) as info:
        (base or reference.shipped()).overlay(source)
    return info.value.paths


def shipped_fresh() -> ReferenceSet:
    """The shipped set, read again from the files (not the cached object)."""
    return reference.shipped.__wrapped__()


class TestAcceptance:
    """The issue's acceptance cases (a), (b) and (c)."""

    def test_a_overlay_adds_s14_citations(self) -> None:
        """Puts S14 in scenarios_citing('9.2') and makes matrix()['S14'] non-null."""
        refs = reference.load(s14_citations())
        assert "S14" in [s.id for s in refs.scenarios_citing("9.2")]
        assert refs.matrix()["S14"] == ("5", "9.2")
        assert refs.scenario("S14").citations_known is True
        assert reference.matrix()["S14"] is None

    def test_b_four_planted_faults(self) -> None:
        """Reports exactly the four faults' paths and leaves the shipped matrix unchanged."""
        before = reference.matrix()
        bad = overlay(
            clauses=[{"number": "6.1", "title": "Service levels"}],
            scenarios=[{"id": "S16", "section": "5.16", "title": 16, "phase": "exit"}],
            citations=[
                {"scenario_id": "S14", "clause_number": "10.1"},
                {"scenario_id": "S20", "clause_number": "9.2"},
            ],
        )
        with pytest.raises(ValidationError) as info:
            reference.load(bad)
        assert sorted(info.value.paths) == [
            "$.citations[0].clause_number",
            "$.citations[1].scenario_id",
            "$.clauses[0].number",
            "$.scenarios[0].title",
        ]
        assert reference.matrix() == before
        assert reference.shipped() == shipped_fresh()

    def test_c_from_mapping_with_s01_only(self) -> None:
        """Reports 13 uncovered processes when only S01 and its two citations are held."""
        clauses = json.loads(
            resources.files("cloudsms.reference").joinpath("data", "clauses.json").read_text()
        )["clauses"]
        refs = ReferenceSet.from_mapping(
            overlay(
                clauses=clauses,
                scenarios=[{"id": "S01", "section": "5.1", "title": "Context", "phase": "plan"}],
                citations=[
                    {"scenario_id": "S01", "clause_number": "4.1"},
                    {"scenario_id": "S01", "clause_number": "7.1"},
                ],
            )
        )
        uncovered = [c.number for c in refs.uncovered_processes()]
        assert len(uncovered) == 13
        assert "7.1" not in uncovered


class TestOverlayErrors:
    """A bad overlay is rejected whole with every problem's path."""

    def test_error_messages_say_expected_and_got(self) -> None:
        """Explains each problem in the 'expected ..., got ... @ path' form."""
        with pytest.raises(ValidationError) as info:
            reference.load(overlay(citations=[{"scenario_id": "S14", "clause_number": "6.7"}]))
        (message,) = info.value.errors
        assert message.startswith("expected a known clause of edition 20000-1:2011")
        assert "6.6" in message
        assert message.endswith("got '6.7' (string) @ $.citations[0].clause_number")

    def test_not_an_object(self) -> None:
        """Rejects a document that is not a JSON object."""
        assert rejected([]) == ["$"]

    def test_wrong_type_and_version(self) -> None:
        """Rejects an unknown document type; and a schema version it cannot read."""
        assert rejected({"type": "x", "schema_version": 1}) == ["$.type"]
        assert rejected({"type": "cloudsms.reference-overlay"}) == ["$.schema_version"]
        with pytest.raises(ValidationError, match=r"expected 1, got 2 \(integer\)"):
            reference.load({"type": "cloudsms.reference-overlay", "schema_version": 2})

    def test_missing_type(self) -> None:
        """Says the document type is missing."""
        with pytest.raises(ValidationError, match=r"got nothing @ \$\.type"):
            reference.load({"schema_version": 1})

    def test_unknown_keys(self) -> None:
        """Refuses unknown keys in the document and in records."""
        assert rejected({**overlay(), "extra": 1}) == ["$.extra"]
        bad = overlay(clauses=[{"number": "10", "title": "T", "colour": "red"}])
        assert rejected(bad) == ["$.clauses[0].colour"]

    def test_missing_required_fields(self) -> None:
        """Names each missing field."""
        bad = overlay(scenarios=[{"id": "S16"}])
        assert sorted(rejected(bad)) == [
            "$.scenarios[0].phase",
            "$.scenarios[0].section",
            "$.scenarios[0].title",
        ]

    def test_bad_values(self) -> None:
        """Checks patterns, enums, booleans and minimum positions."""
        bad = overlay(
            clauses=[{"number": "6.0", "title": ""}],
            scenarios=[
                {
                    "id": "S7",
                    "section": "x",
                    "title": "T",
                    "phase": "later",
                    "citations_known": "yes",
                }
            ],
            citations=[{"scenario_id": "S14", "clause_number": "9.2", "position": 0}],
        )
        assert sorted(rejected(bad)) == [
            "$.citations[0].position",
            "$.clauses[0].number",
            "$.clauses[0].title",
            "$.scenarios[0].citations_known",
            "$.scenarios[0].id",
            "$.scenarios[0].phase",
            "$.scenarios[0].section",
        ]

    def test_bool_is_not_an_integer(self) -> None:
        """Refuses true as a position."""
        bad = overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2", "position": True}])
        assert rejected(bad) == ["$.citations[0].position"]

    def test_duplicate_within_the_overlay(self) -> None:
        """Refuses a record defined twice in one overlay."""
        twice = {"scenario_id": "S14", "clause_number": "9.2"}
        assert rejected(overlay(citations=[twice, twice])) == ["$.citations[1]"]

    def test_duplicate_citation_without_replace(self) -> None:
        """Refuses a second citation of the same clause by the same scenario."""
        assert rejected(overlay(citations=[{"scenario_id": "S01", "clause_number": "4.1"}])) == [
            "$.citations[0]"
        ]

    def test_position_taken(self) -> None:
        """Refuses a position another citation of the scenario holds."""
        bad = overlay(citations=[{"scenario_id": "S01", "clause_number": "9.1", "position": 2}])
        assert rejected(bad) == ["$.citations[0].position"]

    def test_parent_must_match_number(self) -> None:
        """Refuses a parent that is not the number without its last part."""
        bad = overlay(clauses=[{"number": "9.4", "title": "T", "parent": "8"}])
        assert rejected(bad) == ["$.clauses[0].parent"]
        top = overlay(clauses=[{"number": "10", "title": "T", "parent": "9"}])
        assert rejected(top) == ["$.clauses[0].parent"]

    def test_parent_must_exist(self) -> None:
        """Refuses a clause whose parent clause is not held."""
        assert rejected(overlay(clauses=[{"number": "10.1", "title": "T"}])) == [
            "$.clauses[0].parent"
        ]

    def test_section_taken(self) -> None:
        """Refuses a new scenario in a section another scenario has."""
        bad = overlay(scenarios=[{"id": "S16", "section": "5.7", "title": "T", "phase": "exit"}])
        assert rejected(bad) == ["$.scenarios[0].section"]

    def test_one_fault_one_problem(self) -> None:
        """Does not report citations of a malformed record a second time."""
        bad = overlay(
            clauses=[{"number": "10", "title": 5}],
            scenarios=[{"id": "S16", "section": "5.16", "title": "T", "phase": "never"}],
            citations=[{"scenario_id": "S16", "clause_number": "10"}],
        )
        assert sorted(rejected(bad)) == ["$.clauses[0].title", "$.scenarios[0].phase"]

    def test_invalid_json_file(self, tmp_path: Path) -> None:
        """Reports a JSON syntax error with its line and column."""
        path = tmp_path / "broken.json"
        path.write_text('{"type": ', encoding="utf-8")
        with pytest.raises(ValidationError, match=r"line 1 column 10") as info:
            reference.load(path)
        assert info.value.subject == "reference overlay broken.json"

    def test_missing_file(self, tmp_path: Path) -> None:
        """Says the file cannot be read, with the operating system's reason."""
        with pytest.raises(ValidationError, match="No such file or directory") as info:
            reference.load(tmp_path / "absent.json")
        assert isinstance(info.value.__cause__, FileNotFoundError)


class TestOverlayMerging:
    """What a valid overlay adds and replaces."""

    def test_from_a_file_records_its_origin(self, tmp_path: Path) -> None:
        """Reads a file and names it as the origin of records without one."""
        document = s14_citations()
        del document["origin"]
        path = tmp_path / "acme.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        refs = reference.load(path)
        cited = [c for c in refs.citations() if c.scenario_id == "S14"]
        assert [(c.position, c.clause_number) for c in cited] == [(1, "9.2"), (2, "5")]
        assert cited[0].provenance.origin == "acme.json"
        assert (cited[0].provenance.document, cited[0].provenance.section) == (
            "ISO/IEC TR 20000-9",
            "5.14",
        )

    def test_origin_key_and_argument(self) -> None:
        """Takes the origin from the overlay, or from the argument when given."""
        assert reference.load(s14_citations()).citations()[-1].provenance.origin == (
            "ACME licensed copy"
        )
        assert reference.load(s14_citations(), origin="me").citations()[-1].provenance.origin == (
            "ACME licensed copy"
        )
        plain = overlay(citations=[{"scenario_id": "S15", "clause_number": "9.1"}])
        assert reference.load(plain, origin="me").citations()[-1].provenance.origin == "me"

    def test_replace_a_clause_title(self) -> None:
        """Replaces a clause only when the record says replace: true."""
        refs = reference.load(
            overlay(
                clauses=[
                    {
                        "number": "6.1",
                        "title": "SLM",
                        "parent": "6",
                        "process_group": "service delivery",
                        "is_process": True,
                        "replace": True,
                    }
                ]
            )
        )
        assert refs.clause("6.1").title == "SLM"
        assert refs.clause("6.1").children == ()
        assert [s.id for s in refs.scenarios_citing("6.1")] == [
            s.id for s in reference.scenarios_citing("6.1")
        ]

    def test_replace_a_citation(self) -> None:
        """Replaces a citation's wording, keeping its position when none is given."""
        refs = reference.load(
            overlay(
                citations=[
                    {
                        "scenario_id": "S01",
                        "clause_number": "7.1",
                        "cited_as": "BRM",
                        "replace": True,
                    }
                ]
            )
        )
        cited = [c for c in refs.citations() if c.scenario_id == "S01"]
        assert [(c.position, c.clause_number, c.cited_as) for c in cited] == [
            (1, "4.1", None),
            (2, "7.1", "BRM"),
        ]

    @pytest.mark.parametrize(
        ("given", "kept"),
        [
            ("Change management", None),
            ("Change management;", None),
            ("Change management. ", None),
            ("change management", "change management"),
            ("Change Management.", "Change Management"),
            ("Changes", "Changes"),
        ],
    )
    def test_cited_as_only_where_it_differs(self, given: str, kept: str | None) -> None:
        """Keeps cited_as only where it differs from the title, case-sensitively."""
        refs = reference.load(
            overlay(citations=[{"scenario_id": "S15", "clause_number": "9.2", "cited_as": given}])
        )
        assert refs.citations()[-1].cited_as == kept

    def test_replace_a_scenario(self) -> None:
        """Replaces a scenario's record; its citations stay."""
        refs = reference.load(
            overlay(
                scenarios=[
                    {
                        "id": "S01",
                        "section": "5.1",
                        "title": "Context",
                        "phase": "plan",
                        "citations_known": True,
                        "implemented_by": ["cloudsms.reference.Clause"],
                        "replace": True,
                    }
                ]
            )
        )
        assert refs.scenario("S01").title == "Context"
        assert refs.scenario("S01").implemented_by == ("cloudsms.reference.Clause",)
        assert refs.matrix()["S01"] == ("4.1", "7.1")

    def test_a_new_scenario_without_citations_is_unknown(self) -> None:
        """Treats a new scenario's citations as unknown until some are given."""
        refs = reference.load(
            overlay(
                scenarios=[{"id": "S16", "section": "5.16", "title": "Extra", "phase": "operate"}]
            )
        )
        assert refs.matrix()["S16"] is None
        assert refs.scenario("5.16").provenance.document == "overlay"

    def test_another_edition_beside_2011(self) -> None:
        """Holds clauses of 20000-1:2018 beside 2011, each queried by edition."""
        refs = reference.load(
            overlay(
                clauses=[
                    {"edition": "20000-1:2018", "number": "8", "title": "Operation of the SMS"},
                    {"edition": "20000-1:2018", "number": "8.2", "title": "Service portfolio"},
                ],
                citations=[
                    {"scenario_id": "S03", "edition": "20000-1:2018", "clause_number": "8"}
                ],
            )
        )
        assert refs.editions() == ("20000-1:2011", "20000-1:2018")
        assert refs.clause("8.2", edition="20000-1:2018").parent == "8"
        assert [s.id for s in refs.scenarios_citing("8.2", edition="20000-1:2018")] == ["S03"]
        assert refs.matrix(edition="20000-1:2018")["S03"] == ("8",)
        assert refs.matrix()["S03"] == ("4.3", "6.1", "7.1")
        assert refs.uncovered_processes(edition="20000-1:2018") == ()
        assert len(refs.clauses()) == 55
        assert refs.clause("8.2", edition="20000-1:2018").provenance.document == "ISO/IEC 20000-1"

    def test_scenario_citing_a_clause_and_its_ancestor(self) -> None:
        """Lists both routes when a scenario cites a clause and its ancestor."""
        refs = reference.load(overlay(citations=[{"scenario_id": "S02", "clause_number": "4"}]))
        routes = [(c.scenario_id, c.via, c.direct) for c in refs.coverage_of("4.5.1")]
        assert routes == [("S02", "4.5.1", True), ("S02", "4", False), ("S04", "4", False)]
        assert [s.id for s in refs.scenarios_citing("4.5.1")] == ["S02", "S04"]

    def test_overlays_chain(self) -> None:
        """Applies overlays one on another."""
        first = reference.load(s14_citations())
        second = first.overlay(overlay(citations=[{"scenario_id": "S15", "clause_number": "9.3"}]))
        assert second.matrix()["S14"] == ("5", "9.2")
        assert second.matrix()["S15"] == ("9.3",)
        assert first.matrix()["S15"] is None

    def test_from_mapping_reference_set(self) -> None:
        """Builds a set from a reference-set document alone."""
        refs = ReferenceSet.from_mapping({"type": "cloudsms.reference-set", "schema_version": 1})
        assert (refs.clauses(), refs.scenarios(), refs.citations()) == ((), (), ())
        assert refs.editions() == ()
