"""Hostile and unusual input: every refusal is a cloudsms error, and nothing changes."""

from __future__ import annotations

import json
import subprocess
import sys
from types import MappingProxyType
from typing import TYPE_CHECKING

import pytest

from cloudsms import reference
from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.reference import ReferenceSet

from conftest import overlay

if TYPE_CHECKING:
    from pathlib import Path

HUGE = "1" * 5000


def paths_of(document: object) -> list[str]:
    """The problem paths an overlay is rejected for."""
    with pytest.raises(ValidationError) as info:
        reference.load(document)  # type: ignore[arg-type]
    return info.value.paths


class TestHugeAndOddIdentifiers:
    """Identifiers of absurd size or type are unknown, never a crash."""

    def test_huge_clause_number(self) -> None:
        """Treats a 5000-digit clause number as unknown."""
        with pytest.raises(UnknownReference) as info:
            reference.clause(HUGE)
        assert len(str(info.value)) < 200

    def test_huge_scenario_id(self) -> None:
        """Treats a 5000-digit scenario id as unknown."""
        with pytest.raises(UnknownReference):
            reference.scenario("S" + HUGE)

    @pytest.mark.parametrize("bad", [6.1, 4, None, ["6.1"]])
    def test_non_string_clause_says_strings_are_expected(self, bad: object) -> None:
        """Says that clause numbers are strings instead of suggesting the same number."""
        with pytest.raises(UnknownReference, match="clause numbers are strings"):
            reference.clause(bad)  # type: ignore[arg-type]

    def test_non_string_scenario(self) -> None:
        """Says that scenario ids are strings."""
        with pytest.raises(UnknownReference, match="scenario ids are strings"):
            reference.scenario(7)  # type: ignore[arg-type]

    def test_unhashable_edition(self) -> None:
        """Treats an unhashable edition as unknown in every query."""
        with pytest.raises(UnknownReference):
            reference.uncovered_processes(edition=["x"])  # type: ignore[arg-type]
        with pytest.raises(UnknownReference):
            reference.matrix(edition=["x"])  # type: ignore[arg-type]

    def test_overlay_huge_numbers_are_refused_by_the_schema(self) -> None:
        """Refuses a 5000-digit clause number or scenario id with its path."""
        assert paths_of(overlay(clauses=[{"number": HUGE, "title": "x"}])) == [
            "$.clauses[0].number"
        ]
        bad = overlay(
            scenarios=[{"id": "S" + HUGE, "section": "5.99", "title": "x", "phase": "exit"}]
        )
        assert paths_of(bad) == ["$.scenarios[0].id"]

    @pytest.mark.parametrize("sid", ["S007", "S00", "S7"])
    def test_non_canonical_scenario_ids_are_refused(self, sid: str) -> None:
        """Refuses ids that are not canonical, so no overlay takes over S07's aliases."""
        bad = overlay(scenarios=[{"id": sid, "section": "5.99", "title": "x", "phase": "exit"}])
        assert paths_of(bad) == ["$.scenarios[0].id"]


class TestUnreadableFiles:
    """Files that are not UTF-8 JSON are refused as documents, with exit 2 on the CLI."""

    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            (b'{"type": "cloudsms.reference-overlay", "origin": "caf\xe9"}', "not UTF-8"),
            (b'{"schema_version": ' + HUGE.encode() + b"}", r"expected 1, got Decimal\("),
            (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
            (b'{"type": ', "invalid JSON"),
        ],
    )
    def test_refused(self, tmp_path: Path, content: bytes, expected: str) -> None:
        """Raises ValidationError naming the problem, and the CLI exits 2."""
        path = tmp_path / "odd.json"
        path.write_bytes(content)
        with pytest.raises(ValidationError, match=expected):
            reference.load(path)
        result = subprocess.run(
            [sys.executable, "-m", "cloudsms", "matrix", "--overlay", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 2
        assert "Traceback" not in result.stderr

    def test_a_directory(self, tmp_path: Path) -> None:
        """Refuses a directory given as an overlay file."""
        with pytest.raises(ValidationError, match="a readable JSON file"):
            reference.load(tmp_path)


class TestNothingLeaks:
    """The shipped set cannot be changed through what it hands out."""

    def test_to_mapping_returns_copies(self) -> None:
        """Leaves the set unchanged when its mapping is mutated."""
        before = reference.to_json()
        mapping = reference.shipped().to_mapping()
        mapping["clauses"][0]["title"] = "HACKED"
        mapping["clauses"][0]["provenance"]["document"] = "HACKED"
        mapping["scenarios"][0]["outcomes"].append("HACKED")
        assert reference.to_json() == before
        assert reference.load(overlay()).clause("4").title != "HACKED"

    def test_overlay_documents_only(self) -> None:
        """Accepts only overlay documents in load(), both kinds in from_mapping()."""
        full = json.loads(reference.to_json())
        assert paths_of(full) == ["$.type"]
        assert ReferenceSet.from_mapping(full) == reference.shipped()

    def test_mapping_proxies_and_tuples(self) -> None:
        """Reads any Mapping and tuples where JSON has objects and arrays."""
        document = MappingProxyType(
            overlay(
                scenarios=(
                    {
                        "id": "S16",
                        "section": "5.16",
                        "title": "T",
                        "phase": "exit",
                        "outcomes": ("a", "b"),
                    },
                )
            )
        )
        assert ReferenceSet.from_mapping(document).scenario("S16").outcomes == ("a", "b")
        assert reference.load(document).scenario("S16").outcomes == ("a", "b")


class TestReplaceKeepsWhatIsLeftOut:
    """A replacing record keeps the replaced record's values for the fields it omits."""

    def test_citation_keeps_its_position(self) -> None:
        """Keeps position 1 when S01's first citation is replaced."""
        refs = reference.load(
            overlay(
                citations=[
                    {
                        "scenario_id": "S01",
                        "clause_number": "4.1",
                        "cited_as": "x",
                        "replace": True,
                    }
                ]
            )
        )
        cited = [
            (c.clause_number, c.position, c.cited_as)
            for c in refs.citations()
            if c.scenario_id == "S01"
        ]
        assert cited == [("4.1", 1, "x"), ("7.1", 2, None)]

    def test_clause_keeps_process_and_group(self) -> None:
        """Keeps is_process and process_group when only the title is replaced."""
        refs = reference.load(
            overlay(clauses=[{"number": "6.1", "title": "SLM", "replace": True}])
        )
        clause = refs.clause("6.1")
        assert (clause.title, clause.is_process, clause.process_group) == (
            "SLM",
            True,
            reference.ProcessGroup.SERVICE_DELIVERY,
        )
        assert refs.clause("6.1").provenance.origin == "overlay"

    def test_replace_of_nothing_is_an_error(self) -> None:
        """Refuses replace: true for a record that does not exist."""
        bad = overlay(citations=[{"scenario_id": "S01", "clause_number": "9.1", "replace": True}])
        assert paths_of(bad) == ["$.citations[0].replace"]

    def test_bad_replace_flag_is_one_problem(self) -> None:
        """Reports a non-boolean replace once, not also as a conflict."""
        bad = overlay(citations=[{"scenario_id": "S01", "clause_number": "4.1", "replace": "yes"}])
        assert paths_of(bad) == ["$.citations[0].replace"]

    def test_duplicate_citation_message(self) -> None:
        """Words a conflicting citation plainly."""
        with pytest.raises(ValidationError) as info:
            reference.load(overlay(citations=[{"scenario_id": "S01", "clause_number": "4.1"}]))
        assert info.value.errors == [
            (
                'expected a new citation, or "replace": true to replace the one defined, '
                "got S01's citation of 4.1, which is already defined @ $.citations[0]"
            )
        ]


class TestDefaultsForThe2011Edition:
    """Clauses given without is_process or process_group get the edition's facts."""

    def test_from_mapping_with_bare_clauses(self) -> None:
        """Reports 13 uncovered processes from clauses with number, title and parent only."""
        bare = [
            {"number": c.number, "title": c.title, "parent": c.parent} for c in reference.clauses()
        ]
        refs = ReferenceSet.from_mapping(
            overlay(
                clauses=bare,
                scenarios=[{"id": "S01", "section": "5.1", "title": "Context", "phase": "plan"}],
                citations=[
                    {"scenario_id": "S01", "clause_number": "4.1"},
                    {"scenario_id": "S01", "clause_number": "7.1"},
                ],
            )
        )
        assert len(refs.uncovered_processes()) == 13
        assert refs.clause("6.3.2").process_group is None  # its parent 6.3 has none either

    def test_sub_clause_inherits_group(self) -> None:
        """Gives a new sub-clause its parent's process group."""
        refs = reference.load(overlay(clauses=[{"number": "9.4", "title": "New"}]))
        assert refs.clause("9.4").process_group == reference.ProcessGroup.CONTROL
        assert refs.clause("9.4").is_process is False

    def test_unknown_edition_points_at_edition(self) -> None:
        """Puts the problem of an unknown edition on the edition field."""
        bad = overlay(
            citations=[{"scenario_id": "S14", "edition": "20000-1:2018", "clause_number": "8.1"}]
        )
        assert paths_of(bad) == ["$.citations[0].edition"]

    def test_extra_key_message(self) -> None:
        """Names the unknown key rather than its value."""
        with pytest.raises(ValidationError) as info:
            reference.load({**overlay(), "extra": 1})
        assert info.value.errors[0].startswith("expected one of the keys type, schema_version")
        assert info.value.errors[0].endswith("got key 'extra' @ $.extra")
