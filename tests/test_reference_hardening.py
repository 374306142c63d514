"""Hardened reference loads: whole-document checks, full matches, strict JSON, checked records."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest

from cloudsms import reference
from cloudsms.errors import Problem, UnknownReference, ValidationError
from cloudsms.reference import (
    Citation,
    Clause,
    Coverage,
    Phase,
    ProcessGroup,
    Provenance,
    ReferenceSet,
    Scenario,
    _set,
)
from cloudsms.reference._schema import _pattern
from cloudsms.serialization import from_dict

from conftest import overlay

if TYPE_CHECKING:
    from pathlib import Path

SOURCE = Provenance(document="ISO/IEC 20000-1", edition="2011", section="6.1")


def refusal(source: Any) -> list[str]:
    """The problems ``reference.load`` refuses ``source`` for, as message lines."""
    with pytest.raises(ValidationError) as info:
        reference.load(source)
    return info.value.errors


class TestLoadChecksTheWholeDocument:
    """reference.load checks a document against the schema first, whatever its type (item 1)."""

    def test_wrong_type_still_checks_records(self) -> None:
        """Reports the type and every missing field, not KeyError 'section'."""
        document = {"type": "nope", "schema_version": 1, "scenarios": [{"id": "S16"}]}
        assert refusal(document) == [
            "expected one of 'cloudsms.reference-overlay', got 'nope' (string) @ $.type",
            (
                "expected a section number such as '5.7' (required), got nothing"
                " @ $.scenarios[0].section"
            ),
            "expected a non-empty string (required), got nothing @ $.scenarios[0].title",
            (
                "expected one of 'plan', 'design', 'agree', 'onboard', 'operate', 'improve',"
                " 'exit' (required), got nothing @ $.scenarios[0].phase"
            ),
        ]

    def test_missing_type_still_checks_records(self) -> None:
        """Reports the missing type and the bad clause number, not a bare ValueError."""
        document = {"schema_version": 1, "clauses": [{"number": "x", "title": "t"}]}
        assert refusal(document) == [
            "expected one of 'cloudsms.reference-overlay' (required), got nothing @ $.type",
            "expected a clause number such as '6.1', got 'x' (string) @ $.clauses[0].number",
        ]

    def test_list_cited_as_under_a_wrong_type(self) -> None:
        """Reports a list cited_as at its path, not a TypeError."""
        document = {
            "type": "cloudsms.reference-set",
            "schema_version": 1,
            "citations": [{"scenario_id": "S14", "clause_number": "9.2", "cited_as": ["x"]}],
        }
        assert refusal(document) == [
            (
                "expected one of 'cloudsms.reference-overlay', got 'cloudsms.reference-set'"
                " (string) @ $.type"
            ),
            "expected a non-empty string or null, got ['x'] (array) @ $.citations[0].cited_as",
        ]

    def test_unknown_schema_version(self) -> None:
        """Refuses a schema version it does not know, at $.schema_version."""
        assert refusal({**overlay(), "schema_version": 2}) == [
            "expected 1, got 2 (integer) @ $.schema_version"
        ]

    def test_a_wrong_type_merges_nothing(self) -> None:
        """Reports only the type of a well-formed set document given as an overlay."""
        document = {**overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}])}
        document["type"] = "cloudsms.clauses"
        assert refusal(document) == [
            (
                "expected one of 'cloudsms.reference-overlay', got 'cloudsms.clauses' (string)"
                " @ $.type"
            )
        ]


class TestPatternsMatchWholeValues:
    """Schema patterns read $ as the end of the text, as JSON Schema does (item 2)."""

    @pytest.mark.parametrize(
        ("document", "path"),
        [
            (
                overlay(
                    scenarios=[{"id": "S16\n", "section": "5.16", "title": "t", "phase": "exit"}]
                ),
                "$.scenarios[0].id",
            ),
            (
                overlay(
                    scenarios=[{"id": "S16", "section": "5.16\n", "title": "t", "phase": "exit"}]
                ),
                "$.scenarios[0].section",
            ),
            (
                overlay(clauses=[{"edition": "20000-1:2011\n", "number": "10", "title": "t"}]),
                "$.clauses[0].edition",
            ),
            (overlay(clauses=[{"number": "10\n", "title": "t"}]), "$.clauses[0].number"),
            (
                overlay(clauses=[{"number": "10.1", "title": "t", "parent": "10\n"}]),
                "$.clauses[0].parent",
            ),
            (
                overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2\n"}]),
                "$.citations[0].clause_number",
            ),
            (
                overlay(
                    scenarios=[
                        {
                            "id": "S16",
                            "section": "5.16",
                            "title": "t",
                            "phase": "exit",
                            "implemented_by": ["cloudsms.reference.Clause\n"],
                        }
                    ]
                ),
                "$.scenarios[0].implemented_by[0]",
            ),
        ],
    )
    def test_trailing_newline_is_refused(self, document: dict[str, Any], path: str) -> None:
        """Refuses an identifier followed by a newline, at its path."""
        with pytest.raises(ValidationError) as info:
            reference.load(document)
        assert [path] == info.value.paths

    def test_every_schema_pattern_is_anchored(self) -> None:
        """Holds only patterns anchored at both ends, with no other '$'."""
        found: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("pattern"), str):
                    found.append(node["pattern"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(reference.schema())
        assert found
        assert [p for p in found if not (p.startswith("^") and p.endswith("$"))] == []
        assert [p for p in found if "$" in p[:-1]] == []

    def test_dollar_is_the_end_of_the_text(self) -> None:
        """Compiles '$' as the end of the text, keeping an escaped '$' literal."""
        assert _pattern("^S[0-9]$").pattern == r"^S[0-9]\Z"
        assert _pattern(r"^a\$$").pattern == r"^a\$\Z"
        assert _pattern("^S[0-9]$").search("S1\n") is None


class TestBlankText:
    """Text fields hold more than white space, in overlays and records alike (item 15)."""

    @pytest.mark.parametrize("title", ["", " ", "\t\n"])
    def test_overlay_clause_title(self, title: str) -> None:
        """Refuses an empty or blank clause title at its path."""
        assert [
            f"expected a non-empty string, got {title!r} (string) @ $.clauses[0].title"
        ] == refusal(overlay(clauses=[{"number": "10", "title": title}]))

    def test_overlay_blank_cited_as(self) -> None:
        """Refuses a blank cited_as."""
        assert refusal(
            overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2", "cited_as": "  "}])
        ) == ["expected a non-empty string or null, got '  ' (string) @ $.citations[0].cited_as"]


class TestRecordsCheckThemselves:
    """The records refuse what the schema refuses, as overlay records are refused (item 15)."""

    def test_clause(self) -> None:
        """Refuses an empty number, a blank title and an edition with a newline."""
        with pytest.raises(ValidationError) as info:
            Clause(edition="20000-1:2011\n", number="", title=" ", parent=None, provenance=SOURCE)
        assert info.value.subject == "Clause"
        assert info.value.errors == [
            (
                "expected an edition such as '20000-1:2011', got '20000-1:2011\\n' (string)"
                " @ $.edition"
            ),
            "expected a clause number such as '6.1', got '' (string) @ $.number",
            "expected a non-empty string, got ' ' (string) @ $.title",
        ]

    def test_clause_parent(self) -> None:
        """Refuses a parent that is not the number without its last part."""
        with pytest.raises(ValidationError) as info:
            Clause(edition="20000-1:2011", number="6.1", title="t", parent="7", provenance=SOURCE)
        assert info.value.errors == [
            "expected '6', the number without its last part, got '7' (string) @ $.parent"
        ]

    def test_clause_kinds(self) -> None:
        """Refuses a plain string for the process group and a list of children."""
        with pytest.raises(ValidationError) as info:
            Clause(
                edition="20000-1:2011",
                number="6",
                title="t",
                parent=None,
                children=["6.1"],  # type: ignore[arg-type]
                process_group="control",  # type: ignore[arg-type]
                provenance=SOURCE,
            )
        assert info.value.paths == ["$.children", "$.process_group"]

    def test_scenario(self) -> None:
        """Refuses a plain-string phase, a blank outcome and an id with a newline."""
        with pytest.raises(ValidationError) as info:
            Scenario(
                id="S16\n",
                section="5.16",
                title="t",
                phase="exit",  # type: ignore[arg-type]
                outcomes=("",),
                provenance=SOURCE,
            )
        assert str(info.value).splitlines()[0] == "Scenario is invalid (3 problems):"
        assert info.value.paths == ["$.id", "$.phase", "$.outcomes[0]"]

    def test_citation_and_provenance(self) -> None:
        """Refuses a position of 0 and an empty provenance document."""
        with pytest.raises(ValidationError) as info:
            Provenance(document="")
        assert info.value.errors == ["expected a non-empty string, got '' (string) @ $.document"]
        with pytest.raises(ValidationError) as info:
            Citation(
                scenario_id="S01",
                edition="20000-1:2011",
                clause_number="4.1",
                position=0,
                provenance=SOURCE,
            )
        assert info.value.errors == ["expected an integer >= 1, got 0 (integer) @ $.position"]

    def test_coverage(self) -> None:
        """Refuses a via that is not a clause number and a non-boolean direct."""
        with pytest.raises(ValidationError) as info:
            Coverage(scenario_id="S01", clause_number="4.1", via="", direct=1)  # type: ignore[arg-type]
        assert info.value.paths == ["$.via", "$.direct"]

    def test_from_dict_refuses_empty_strings(self) -> None:
        """Refuses from_dict(Clause, ...) with empty strings, as Clause itself does."""
        data = {
            "edition": "20000-1:2011",
            "number": "",
            "title": "",
            "parent": None,
            "provenance": {"document": "ISO/IEC 20000-1"},
        }
        with pytest.raises(ValidationError) as info:
            from_dict(Clause, data)
        assert info.value.paths == ["$.number", "$.title"]

    def test_valid_records_build(self) -> None:
        """Builds the records the shipped data holds, unchanged."""
        clause = Clause(
            edition="20000-1:2011",
            number="6.1",
            title="Service level management",
            parent="6",
            process_group=ProcessGroup.SERVICE_DELIVERY,
            is_process=True,
            provenance=SOURCE,
        )
        assert reference.clause("6.1").title == clause.title
        assert reference.scenario("S13").phase == Phase.EXIT


class TestUnreadableSources:
    """Paths no file can have, and JSON text, are refused as ValidationError (item 15)."""

    def test_nul_character(self) -> None:
        """Refuses a path with a NUL character, not a bare ValueError."""
        assert refusal("\x00") == [
            "expected the path of a JSON file (without NUL characters), got '\\x00' (string) @ $"
        ]

    def test_path_too_long(self) -> None:
        """Refuses a path longer than the system allows, cut short in the message."""
        errors = refusal("x" * 5000)
        assert len(errors) == 1
        assert errors[0].startswith("expected the path of a readable JSON file, got 'xxx")
        assert errors[0].endswith("...' (string): File name too long @ $")

    def test_json_text_given_as_a_path(self) -> None:
        """Says how to pass JSON text when a str that is JSON names no file."""
        (error,) = refusal(json.dumps(overlay()))
        assert (
            "expected the path of a readable JSON file (JSON text is read from bytes, or by"
            " ReferenceSet.from_json)"
        ) in error

    def test_bytes_are_json_text(self) -> None:
        """Reads an overlay given as bytes."""
        text = json.dumps(overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}]))
        assert reference.load(text.encode()).matrix()["S14"] == ("9.2",)


class TestOverlaySize:
    """Overlay files are read up to a bound, so an endless file cannot exhaust memory."""

    def test_larger_file_refused(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Refuses a file past the bound, having read no more than the bound and a byte."""
        monkeypatch.setattr(_set, "MAX_OVERLAY_BYTES", 2**20)
        big = tmp_path / "big.json"
        big.write_bytes(b" " * (2**20 + 1))
        assert refusal(str(big)) == [
            "expected a JSON file of at most 1 MiB, got a larger file @ $"
        ]

    def test_endless_file_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Refuses /dev/zero instead of reading it forever."""
        monkeypatch.setattr(_set, "MAX_OVERLAY_BYTES", 2**20)
        assert refusal("/dev/zero") == [
            "expected a JSON file of at most 1 MiB, got a larger file @ $"
        ]


class TestRepeatedKeys:
    """Every overlay loader refuses an object that repeats a key, with its path (item 11)."""

    TOP = (
        '{"type": "cloudsms.reference-overlay", "schema_version": 1,'
        ' "citations": [{"scenario_id": "S14", "clause_number": "9.2"}], "citations": []}'
    )
    NESTED = (
        '{"type": "cloudsms.reference-overlay", "schema_version": 1,'
        ' "citations": [{"scenario_id": "S14", "clause_number": "9.2", "clause_number": "5"}]}'
    )

    def test_file(self, tmp_path: Path) -> None:
        """Refuses a duplicate citations key in a file instead of dropping the citations."""
        path = tmp_path / "twice.json"
        path.write_text(self.TOP, encoding="utf-8")
        with pytest.raises(ValidationError) as info:
            reference.load(path)
        assert info.value.subject == "reference overlay twice.json"
        assert info.value.errors == [
            "expected an object whose keys are distinct, got 2 times @ $.citations"
        ]

    def test_bytes_at_depth(self) -> None:
        """Refuses a key repeated inside a citation, at the citation's path."""
        assert refusal(self.NESTED.encode()) == [
            (
                "expected an object whose keys are distinct, got 2 times"
                " @ $.citations[0].clause_number"
            )
        ]

    def test_from_json(self) -> None:
        """Refuses repeated keys in ReferenceSet.from_json."""
        with pytest.raises(ValidationError) as info:
            ReferenceSet.from_json(self.TOP)
        assert info.value.paths == ["$.citations"]

    def test_overlay_method(self, tmp_path: Path) -> None:
        """Refuses repeated keys in ReferenceSet.overlay too."""
        path = tmp_path / "nested.json"
        path.write_text(self.NESTED, encoding="utf-8")
        with pytest.raises(ValidationError) as info:
            reference.shipped().overlay(path)
        assert info.value.paths == ["$.citations[0].clause_number"]


class TestFromJson:
    """ReferenceSet.from_json reads what to_json writes."""

    def test_round_trip(self) -> None:
        """Reads the shipped set's JSON back into an equal set."""
        assert reference.shipped() == ReferenceSet.from_json(reference.to_json())

    def test_not_json(self) -> None:
        """Refuses text that is not JSON with a ValidationError at $."""
        with pytest.raises(ValidationError) as info:
            ReferenceSet.from_json("{")
        assert info.value.paths == ["$"]


class TestUnknownEdition:
    """An unknown edition lists the editions held (item 18)."""

    def test_message(self) -> None:
        """Names the editions the set holds."""
        with pytest.raises(UnknownReference) as info:
            reference.matrix(edition="2018")
        assert str(info.value) == "unknown edition '2018'; editions held: 20000-1:2011"

    def test_message_with_an_overlay_edition(self) -> None:
        """Lists an edition an overlay added."""
        refs = reference.load(
            overlay(clauses=[{"edition": "20000-1:2018", "number": "8", "title": "Operation"}])
        )
        with pytest.raises(UnknownReference) as info:
            refs.clauses(edition="2018")
        assert re.fullmatch(
            r"unknown edition '2018'; editions held: 20000-1:2011, 20000-1:2018(; .*)?",
            str(info.value),
        )


def test_problem_paths_start_at_the_root() -> None:
    """Gives every problem of a refused overlay a path starting with '$'."""
    with pytest.raises(ValidationError) as info:
        reference.load({"type": 5, "clauses": 3, "citations": [1, {"x": 1}]})
    assert all(isinstance(p, Problem) and p.path.startswith("$") for p in info.value.problems)


class TestOddKeys:
    """A key that is not a plain name is shown in brackets, so a problem stays one line."""

    def test_line_break_in_a_key(self) -> None:
        """Writes the path of a key holding a line break as JSON text."""
        assert refusal(overlay(clauses=[{"number": "10", "title": "t", "a\nb": 1}])) == [
            (
                "expected one of the keys edition, number, title, parent, process_group,"
                " is_process, provenance, replace, got key 'a\\nb' @ $.clauses[0][\"a\\nb\"]"
            )
        ]

    def test_dotted_key(self) -> None:
        """Writes a dotted key in brackets, not as two steps of the path."""
        with pytest.raises(ValidationError) as info:
            reference.load({**overlay(), "a.b": 1})
        assert info.value.paths == ['$["a.b"]']
