"""The cloudsms command, run as a user runs it and in this process for the details.

Fresh interpreters run the installed script, a clause on an ASCII terminal, a full disk and a
closed standard output; the other tests call the command in this process
(tests/_cli_run.py or main), its output and status as ``python -m cloudsms`` gives them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from _cli_run import in_process
from cloudsms import reference
from cloudsms._kit.documents import register_document
from cloudsms.cli import main

from conftest import overlay

run = in_process  # the command in this process, as python -m cloudsms runs it


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command in-process; return status, stdout and stderr."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def s14_overlay(tmp_path: Path) -> Path:
    """An overlay file giving S14 a citation of 9.2."""
    path = tmp_path / "s14.json"
    path.write_text(
        json.dumps(overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}])),
        encoding="utf-8",
    )
    return path


class TestSubprocess:
    """The command as installed and run from a shell."""

    def test_matrix_json_is_the_matrix(self) -> None:
        """Prints matrix() as JSON, null where citations are unknown."""
        result = run("matrix", "--format", "json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["S14"] is None
        assert data["S04"] == list(reference.matrix()["S04"] or ())
        assert list(data) == [f"S{n:02d}" for n in range(1, 16)]

    def test_matrix_table_fits_80_columns(self) -> None:
        """Prints all 53 clauses by 15 scenarios within 80 columns."""
        result = run("matrix")
        lines = result.stdout.splitlines()
        assert max(map(len, lines)) <= 80
        assert sum(1 for line in lines if line[:1].isdigit()) == 53
        assert "01 02 03 04 05 06 07 08 09 10 11 12 13 14 15" in lines[0]

    def test_unknown_scenario_exits_2(self) -> None:
        """Exits with status 2 and the problem on stderr."""
        result = run("scenario", "S16")
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.strip() == (
            "cloudsms: unknown scenario 'S16'; did you mean S15, S14 or S13?"
        )

    def test_overlay_adds_s14(self, s14_overlay: Path) -> None:
        """Applies --overlay: S14 covers 9.2 and its matrix entry is no longer null."""
        result = run("matrix", "--format", "json", "--overlay", str(s14_overlay))
        assert json.loads(result.stdout)["S14"] == ["9.2"]
        clause = run("clause", "9.2", "--format", "json", "--overlay", str(s14_overlay))
        assert "S14" in [c["scenario_id"] for c in json.loads(clause.stdout)["coverage"]]

    def test_rejected_overlay_exits_2_one_problem_a_line(self, tmp_path: Path) -> None:
        """Prints each problem of a rejected overlay on its own line and exits 2."""
        path = tmp_path / "bad.json"
        path.write_text(
            json.dumps(
                overlay(
                    clauses=[{"number": "6.1", "title": "Again"}],
                    citations=[{"scenario_id": "S20", "clause_number": "9.2"}],
                )
            ),
            encoding="utf-8",
        )
        result = run("matrix", "--overlay", str(path))
        assert result.returncode == 2
        lines = result.stderr.splitlines()
        assert lines[0] == "cloudsms: reference overlay bad.json is rejected:"
        assert [line.rsplit(" @ ", 1)[1] for line in lines[1:]] == [
            "$.clauses[0].number",
            "$.citations[0].scenario_id",
        ]

    def test_console_script_and_version(self) -> None:
        """Answers --version through the installed console script."""
        script = Path(sys.executable).with_name("cloudsms")
        result = subprocess.run(
            [str(script), "--version"], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0
        assert result.stdout.startswith("cloudsms ")


class TestCommands:
    """Each command in each format."""

    def test_scenarios_table(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Lists 15 scenarios with their citation counts, ? where unknown."""
        status, out, _ = call(capsys, "scenarios")
        assert status == 0
        rows = [line for line in out.splitlines() if line.startswith("S")]
        assert len(rows) == 15
        assert rows[8].split()[:4] == ["S09", "5.9", "operate", "17"]
        assert rows[13].split()[3] == "?"
        assert max(map(len, out.splitlines())) <= 80

    def test_scenarios_csv_header_is_attribute_names(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Writes a CSV whose header names the scenario attributes."""
        _, out, _ = call(capsys, "scenarios", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 15
        assert list(rows[0])[:9] == [
            "id",
            "section",
            "title",
            "phase",
            "summary",
            "outcomes",
            "citations_known",
            "designed_by_cloudsms",
            "implemented_by",
        ]
        assert rows[6]["id"] == "S07"

    def test_scenarios_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Writes every scenario as a JSON object keyed by attribute name."""
        _, out, _ = call(capsys, "scenarios", "--format", "json")
        data = json.loads(out)
        assert [s["id"] for s in data][-1] == "S15"
        assert data[0]["provenance"]["section"] == "5.1"

    def test_scenario_table_shows_cited_as(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Shows a citation's own wording where the source differs from the title."""
        status, out, _ = call(capsys, "scenario", "S10")
        assert status == 0
        assert "Cites (12):" in out
        assert "cited as 'Service capacity'" in out
        assert max(map(len, out.splitlines())) <= 80

    def test_scenario_alias_and_formats(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Reads 5.7 as S07 and writes its citations as JSON and CSV."""
        _, out, _ = call(capsys, "scenario", "5.7", "--format", "json")
        data = json.loads(out)
        assert data["id"] == "S07"
        assert [c["clause_number"] for c in data["citations"]] == ["6.1", "7.1", "9.2"]
        _, out, _ = call(capsys, "scenario", "S7", "--format", "csv")
        assert out.splitlines()[0] == (
            "scenario_id,edition,clause_number,position,cited_as,provenance.document,"
            "provenance.edition,provenance.section,provenance.note,provenance.origin,clause_title"
        )
        assert len(out.splitlines()) == 4

    def test_scenario_without_known_citations(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Says so for S15 instead of listing nothing."""
        _, out, _ = call(capsys, "scenario", "S15")
        assert "Cites: unknown" in out

    def test_clause_table(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Shows parent, group and each covering scenario with its route."""
        status, out, _ = call(capsys, "clause", "4.5.1")
        assert status == 0
        assert "parent: 4.5 Establish and improve the SMS" in out
        assert "S02  direct" in out
        assert "S04  via 4" in out
        _, out, _ = call(capsys, "clause", "6")
        assert "children: 6.1, 6.2, 6.3, 6.4, 6.5, 6.6" in out
        assert "No scenario covers this clause." in out
        _, out, _ = call(capsys, "clause", "6.1")
        assert "process group: service delivery (a process)" in out
        _, out, _ = call(capsys, "clause", "4.5.4.1")
        assert "note: title confirmed by number and topic only" in out

    def test_clause_csv(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Writes one CSV row per covering route."""
        _, out, _ = call(capsys, "clause", "4.5.1", "--format", "csv")
        assert out.splitlines() == [
            "scenario_id,clause_number,via,direct",
            "S02,4.5.1,4.5.1,True",
            "S04,4.5.1,4,False",
        ]

    def test_unknown_clause(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Exits 2 for an unknown clause, suggesting close ones."""
        status, out, err = call(capsys, "clause", "6.7")
        assert (status, out) == (2, "")
        assert "6.6" in err

    def test_matrix_csv(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Writes one row per scenario with its clauses, empty and false where unknown."""
        _, out, _ = call(capsys, "matrix", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows[0] == {
            "scenario_id": "S01",
            "citations_known": "True",
            "clause_numbers": "4.1 7.1",
        }
        assert rows[14] == {"scenario_id": "S15", "citations_known": "False", "clause_numbers": ""}

    def test_matrix_marks(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Marks direct citations X, inherited coverage + and unknown columns ?."""
        _, out, _ = call(capsys, "matrix")
        row = next(line for line in out.splitlines() if line.startswith("4.5.1 "))
        marks = row.split()[-15:]
        assert (marks[1], marks[3], marks[0], marks[13]) == ("X", "+", ".", "?")

    def test_coverage(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Lists the 14 processes with the scenarios covering each."""
        _, out, _ = call(capsys, "coverage")
        assert "14 of 14 processes covered." in out
        assert max(map(len, out.splitlines())) <= 80
        _, out, _ = call(capsys, "coverage", "--format", "json")
        data = json.loads(out)
        assert [p["number"] for p in data][:2] == ["5", "6.1"]
        assert len(data) == 14
        _, out, _ = call(capsys, "coverage", "--format", "csv")
        assert out.splitlines()[0] == "clause_number,title,scenario_id,via,direct"

    def test_coverage_shows_uncovered(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Says NOT COVERED, and writes an empty row, for a process nobody covers."""
        path = tmp_path / "new-process.json"
        path.write_text(
            json.dumps(
                overlay(
                    clauses=[
                        {
                            "number": "9.4",
                            "title": "Made up",
                            "process_group": "control",
                            "is_process": True,
                        }
                    ]
                )
            ),
            encoding="utf-8",
        )
        _, out, _ = call(capsys, "coverage", "--overlay", str(path))
        assert "NOT COVERED" in out
        assert "14 of 15 processes covered." in out
        _, out, _ = call(capsys, "coverage", "--overlay", str(path), "--format", "csv")
        assert out.splitlines()[-1] == "9.4,Made up,,,"

    def test_missing_overlay_file(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Exits 2 when the overlay file cannot be read."""
        status, _, err = call(capsys, "matrix", "--overlay", str(tmp_path / "nope.json"))
        assert status == 2
        assert err.splitlines()[0] == "cloudsms: reference overlay nope.json is rejected:"
        assert "No such file or directory @ $" in err

    def test_overlay_implemented_by_is_listed(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Lists the objects that implement a scenario."""
        path = tmp_path / "impl.json"
        path.write_text(
            json.dumps(
                overlay(
                    scenarios=[
                        {
                            "id": "S01",
                            "section": "5.1",
                            "title": "Context",
                            "phase": "plan",
                            "implemented_by": ["cloudsms.reference.Clause"],
                            "replace": True,
                        }
                    ]
                )
            ),
            encoding="utf-8",
        )
        _, out, _ = call(capsys, "scenario", "S01", "--overlay", str(path))
        assert "Implemented by:\n  cloudsms.reference.Clause" in out

    def test_bad_usage_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Leaves argparse's usage errors at status 2."""
        with pytest.raises(SystemExit) as info:
            main(["matrix", "--format", "xml"])
        assert info.value.code == 2
        assert "invalid choice" in capsys.readouterr().err


class TestOverlaysInTables:
    """Tables stay within 80 columns and honest when overlays add records."""

    def test_many_scenarios_long_numbers_and_sections(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Splits the matrix into blocks and cuts long fields to fit 80 columns."""
        scenarios = [
            {"id": f"S{n}", "section": f"9.{n}", "title": "T" * 90, "phase": "exit"}
            for n in range(16, 30)
        ]
        clauses = [
            {"number": "9.3.100", "title": "Deep"},
            {"number": "9.3.100.100", "title": "Deeper"},
        ]
        citations = [{"scenario_id": "S16", "clause_number": "9.3.100.100"}]
        path = tmp_path / "many.json"
        path.write_text(
            json.dumps(overlay(scenarios=scenarios, clauses=clauses, citations=citations)),
            encoding="utf-8",
        )
        for command in ("matrix", "scenarios", "coverage", "scenario", "clause"):
            args = [command, "--overlay", str(path)]
            args += {"scenario": ["S16"], "clause": ["9.3.100.100"]}.get(command, [])
            status, out, _ = call(capsys, *args)
            assert status == 0
            assert max(map(len, out.splitlines())) <= 80, command
        _, out, _ = call(capsys, "matrix", "--overlay", str(path))
        assert "scenarios S01-S29" in out
        assert out.count("CLAUSE") == 2

    def test_overlay_scenario_source(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Names an overlay scenario's source without a missing edition."""
        path = tmp_path / "s16.json"
        path.write_text(
            json.dumps(
                overlay(
                    scenarios=[{"id": "S16", "section": "5.16", "title": "Ours", "phase": "exit"}]
                )
            ),
            encoding="utf-8",
        )
        _, out, _ = call(capsys, "scenario", "S16", "--overlay", str(path))
        assert out.splitlines()[1] == "section 5.16 of s16.json, phase: exit"

    def test_csv_joins_lists(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Writes list fields as text joined by ' | ', never as Python reprs."""
        _, out, _ = call(capsys, "scenarios", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows[1]["outcomes"].startswith("A hierarchy of plans")
        assert " | " in rows[1]["outcomes"]
        assert rows[1]["implemented_by"].split(" | ")[0] == "cloudsms.planning.ServicePlan"
        assert rows[11]["implemented_by"].split(" | ")[0] == "cloudsms.conformity.Evidence"
        assert "(" not in rows[0]["outcomes"][:1]


EVIL = {
    "type": "cloudsms.reference-overlay",
    "schema_version": 1,
    "clauses": [{"number": "10", "title": "\x1b[31mRED\x1b]0;pwned\x07 \ud800 caf\u00e9 \u202e"}],
    "scenarios": [
        {
            "id": "S16",
            "section": "5.16",
            "title": "Evil\nline \x1b[2J",
            "phase": "exit",
            "summary": "bold\x1b[1m",
            "outcomes": ["next\x85line"],
        }
    ],
    "citations": [{"scenario_id": "S16", "clause_number": "10", "cited_as": "\x1b[5m"}],
}


@pytest.fixture
def evil_overlay(tmp_path: Path) -> Path:
    """An overlay whose text holds terminal escape sequences, a line break and a lone surrogate."""
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(EVIL), encoding="ascii")  # json.dumps escapes the surrogate
    return path


class TestEscaping:
    """Tables and messages show control characters and lone surrogates escaped (item 14)."""

    @pytest.mark.parametrize(
        "command",
        [["scenarios"], ["scenario", "S16"], ["clause", "10"], ["matrix"], ["coverage"]],
    )
    def test_tables_hold_no_control_characters(
        self, capsys: pytest.CaptureFixture[str], evil_overlay: Path, command: list[str]
    ) -> None:
        """Writes no control character but the line breaks, and no surrogate."""
        status, out, _ = call(capsys, *command, "--overlay", str(evil_overlay))
        assert status == 0
        assert [c for c in out if (c < " " and c != "\n") or "\ud800" <= c <= "\udfff"] == []
        assert [c for c in out if "\x7f" <= c <= "\x9f" or c == "\u202e"] == []

    def test_clause_table_shows_escapes(
        self, capsys: pytest.CaptureFixture[str], evil_overlay: Path
    ) -> None:
        """Shows each escape sequence as its Python escape."""
        _, out, _ = call(capsys, "clause", "10", "--overlay", str(evil_overlay))
        assert out.split("\n")[0] == "10  \\x1b[31mRED\\x1b]0;pwned\\x07 \\ud800 caf\u00e9 \\u202e"

    def test_scenario_table_keeps_one_line_per_field(
        self, capsys: pytest.CaptureFixture[str], evil_overlay: Path
    ) -> None:
        r"""Shows a line break inside a title as \n, on the title's own line."""
        _, out, _ = call(capsys, "scenario", "S16", "--overlay", str(evil_overlay))
        lines = out.split("\n")
        assert lines[0] == "S16  Evil\\nline \\x1b[2J"
        assert lines[3] == "bold\\x1b[1m"
        assert lines[6] == "  - next\\x85line"

    def test_json_stays_exact(
        self, capsys: pytest.CaptureFixture[str], evil_overlay: Path
    ) -> None:
        """Writes JSON that reads back to the very title, surrogate included."""
        _, out, _ = call(
            capsys, "clause", "10", "--overlay", str(evil_overlay), "--format", "json"
        )
        assert EVIL["clauses"][0]["title"] == json.loads(out)["title"]

    def test_ascii_terminal(self, evil_overlay: Path) -> None:
        """Writes to an ASCII-only stdout without UnicodeEncodeError, JSON exact."""
        env = {**os.environ, "PYTHONIOENCODING": "ascii"}
        for fmt in ("table", "json", "csv"):
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cloudsms",
                    "clause",
                    "10",
                    "--format",
                    fmt,
                    "--overlay",
                    str(evil_overlay),
                ],
                capture_output=True,
                text=True,
                check=False,
                env=env,
            )
            assert (result.returncode, result.stderr) == (0, "")
            if fmt == "table":
                assert result.stdout.startswith(
                    "10  \\x1b[31mRED\\x1b]0;pwned\\x07 \\ud800 caf\\xe9"
                )
            if fmt == "json":
                assert EVIL["clauses"][0]["title"] == json.loads(result.stdout)["title"]

    def test_messages_escape_file_names(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Escapes a control character in a rejected overlay's file name."""
        path = tmp_path / "a\x1b[2Jb.json"
        path.write_text("[]", encoding="utf-8")
        status, _, err = call(capsys, "scenarios", "--overlay", str(path))
        assert status == 2
        assert err.splitlines() == [
            "cloudsms: reference overlay a\\x1b[2Jb.json is rejected:",
            "cloudsms: expected a JSON object, got [] (array) @ $",
        ]


class TestRefusedInput:
    """Whatever cloudsms refuses exits 2 with its problems, never a traceback (items 1, 11, 18)."""

    def test_wrong_type_overlay(self, tmp_path: Path) -> None:
        """Exits 2 listing every problem of an overlay of the wrong type."""
        path = tmp_path / "wrongtype.json"
        path.write_text(
            json.dumps({"type": "nope", "schema_version": 1, "scenarios": [{"id": "S16"}]}),
            encoding="utf-8",
        )
        result = run("scenarios", "--overlay", str(path))
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            "cloudsms: reference overlay wrongtype.json is rejected:",
            "cloudsms: expected one of 'cloudsms.reference-overlay', got 'nope' (string) @ $.type",
            (
                "cloudsms: expected a section number such as '5.7' (required), got nothing"
                " @ $.scenarios[0].section"
            ),
            "cloudsms: expected a non-empty string (required), got nothing @ $.scenarios[0].title",
            (
                "cloudsms: expected one of 'plan', 'design', 'agree', 'onboard', 'operate',"
                " 'improve', 'exit' (required), got nothing @ $.scenarios[0].phase"
            ),
        ]

    def test_repeated_key_overlay(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Exits 2 for an overlay file that repeats a key."""
        path = tmp_path / "twice.json"
        path.write_text(
            '{"type": "cloudsms.reference-overlay", "schema_version": 1,'
            ' "type": "cloudsms.reference-overlay"}',
            encoding="utf-8",
        )
        status, _, err = call(capsys, "matrix", "--overlay", str(path))
        assert status == 2
        assert err.splitlines() == [
            "cloudsms: reference overlay twice.json is rejected:",
            "cloudsms: expected an object whose keys are distinct, got 2 times @ $.type",
        ]

    def test_unknown_edition_lists_editions(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Exits 2 naming the editions held for matrix --edition 2018."""
        status, out, err = call(capsys, "matrix", "--edition", "2018")
        assert (status, out) == (2, "")
        assert err == "cloudsms: unknown edition '2018'; editions held: 20000-1:2011\n"

    def test_nul_in_overlay_path(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Exits 2 for an overlay path holding a NUL character."""
        status, _, err = call(capsys, "scenarios", "--overlay", "a\x00b")
        assert status == 2
        assert err.splitlines()[1] == (
            "cloudsms: expected the path of a JSON file (without NUL characters),"
            " got 'a\\x00b' (string) @ $"
        )


SERVICE_V2 = {
    "type": "cloudsms.cloud-service",
    "schema_version": 2,
    "id": "crm",
    "name": "CRM",
    "category": "SaaS",
    "deployment_models": ["public"],
    "owner": "sales-it",
    "lifecycle": {
        "lifecycle": "cloud_service",
        "origin": "live",
        "state": "live",
        "context": {},
        "history": [],
    },
    "components": [],
}
SERVICE_V1 = {
    "type": "cloudsms.cloud-service",
    "schema_version": 1,
    "id": "crm",
    "name": "CRM",
    "category": "SaaS",
    "deployment_models": ["public"],
    "owner": "sales-it",
    "lifecycle_state": "live",
}


def written(folder: Path, name: str, content: object) -> Path:
    """A file ``name`` in ``folder`` holding ``content``: JSON of it, or the text itself."""
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


class TestDocumentValidate:
    """``cloudsms document validate FILE``: 0 valid, 1 invalid with every problem, 2 usage."""

    def test_valid_v3_service(self, tmp_path: Path) -> None:
        """Exits 0 with one line: the file, the type, the version and the id."""
        from cloudsms.serialization import from_json, to_json  # noqa: PLC0415 - this test only
        from cloudsms.services import CloudService  # noqa: PLC0415 - this test only

        current = to_json(from_json(CloudService, json.dumps(SERVICE_V2)))
        assert json.loads(current)["schema_version"] == 3
        result = run("document", "validate", str(written(tmp_path, "crm.json", current)))
        assert (result.returncode, result.stderr) == (0, "")
        assert (
            result.stdout == "crm.json: valid cloudsms.cloud-service, schema version 3, id 'crm'\n"
        )

    def test_valid_v2_service_is_upgraded(self, tmp_path: Path) -> None:
        """Accepts a version-2 service (no chain yet) and says it was read as version 3."""
        result = run("document", "validate", str(written(tmp_path, "crm.json", SERVICE_V2)))
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout == (
            "crm.json: valid cloudsms.cloud-service, schema version 2 (read as version 3),"
            " id 'crm'\n"
        )

    def test_valid_v1_service_is_upgraded(self, tmp_path: Path) -> None:
        """Accepts a version-1 service with its header and says it was read as version 3."""
        result = run("document", "validate", str(written(tmp_path, "old.json", SERVICE_V1)))
        assert result.returncode == 0, result.stdout
        assert result.stdout == (
            "old.json: valid cloudsms.cloud-service, schema version 1 (read as version 3),"
            " id 'crm'\n"
        )

    def test_unknown_type_with_suggestion(self, tmp_path: Path) -> None:
        """Exits 1 with the problem at $.type naming the close type names."""
        path = written(tmp_path, "t.json", {**SERVICE_V2, "type": "cloudsms.cloud-servce"})
        result = run("document", "validate", str(path))
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            "t.json: invalid cloudsms.cloud-servce, schema version 2: 1 problem",
            (
                "  expected a document type cloudsms reads (did you mean"
                " cloudsms.cloud-service or cloudsms.cloud-service-agreement?),"
                " got 'cloudsms.cloud-servce' (string) @ $.type"
            ),
        ]

    def test_missing_type_lists_the_types(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Lists every type cloudsms reads when the document declares none."""
        path = written(tmp_path, "t.json", {"schema_version": 1})
        status, out, _ = call(capsys, "document", "validate", str(path))
        assert status == 1
        problem = out.splitlines()[1]
        assert problem.endswith("got nothing @ $.type")
        from cloudsms._kit.documents import registered_documents  # noqa: PLC0415

        listed = problem.split("(one of ", 1)[1].split(")", 1)[0].split(", ")
        expected = {
            *registered_documents(),
            "cloudsms.reference-overlay",
            "cloudsms.reference-set",
        }
        assert listed == sorted(expected)

    def test_wrong_version(self, tmp_path: Path) -> None:
        """Exits 1 naming the versions of the type cloudsms reads."""
        path = written(tmp_path, "v.json", {**SERVICE_V2, "schema_version": 7})
        result = run("document", "validate", str(path))
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            "v.json: invalid cloudsms.cloud-service, schema version 7: 1 problem",
            (
                "  expected one of 1, 2, 3 (the versions of cloudsms.cloud-service this cloudsms"
                " reads), got 7 (integer) @ $.schema_version"
            ),
        ]

    def test_bad_fields_every_problem_with_its_path(self, tmp_path: Path) -> None:
        """Prints every problem of the body, one a line, each with its path; never cut short."""
        body = {**SERVICE_V2, "deployment_models": "public", "components": [1]}
        del body["owner"]
        result = run("document", "validate", str(written(tmp_path, "b.json", body)))
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert lines[0] == "b.json: invalid cloudsms.cloud-service, schema version 2: 3 problems"
        assert [line.rsplit(" @ ", 1)[1] for line in lines[1:]] == [
            "$.deployment_models",
            "$.owner",
            "$.components[0]",
        ]

    def test_repeated_key(self, tmp_path: Path) -> None:
        """Refuses an object that repeats a key, at the key's path."""
        text = json.dumps(SERVICE_V2)[:-1] + ', "owner": "someone-else"}'
        result = run("document", "validate", str(written(tmp_path, "r.json", text)))
        assert result.returncode == 1
        assert result.stdout.splitlines()[1:] == [
            "  expected an object whose keys are distinct, got 2 times @ $.owner"
        ]

    def test_nan_refused(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Refuses NaN, which is not JSON."""
        path = written(tmp_path, "n.json", '{"type": "cloudsms.complaint", "x": NaN}')
        status, out, _ = call(capsys, "document", "validate", str(path))
        assert status == 1
        assert out.splitlines()[1] == (
            "  expected a JSON document, got invalid JSON (NaN is not a JSON number) @ $"
        )

    def test_not_json(self, tmp_path: Path) -> None:
        """Exits 1 for a file that is not JSON, reporting it at $."""
        result = run("document", "validate", str(written(tmp_path, "x.json", "nope")))
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            "x.json: invalid document: 1 problem",
            (
                "  expected a JSON document, got invalid JSON (Expecting value: line 1 column 1"
                " (char 0)) @ $"
            ),
        ]

    def test_not_an_object(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Exits 1 for JSON that is not an object."""
        status, out, _ = call(capsys, "document", "validate", str(written(tmp_path, "a", [])))
        assert (status, out) == (
            1,
            "a: invalid document: 1 problem\n  expected a JSON object, got [] (array) @ $\n",
        )

    def test_missing_file_exits_2(self, tmp_path: Path) -> None:
        """Exits 2 with one line on standard error when the file cannot be read."""
        missing = tmp_path / "nope.json"
        result = run("document", "validate", str(missing))
        assert (result.returncode, result.stdout) == (2, "")
        assert (
            result.stderr == f"cloudsms: cannot read {str(missing)!r}: No such file or directory\n"
        )

    def test_directory_and_nul_exit_2(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Exits 2 for a directory and for a name holding a NUL character."""
        status, _, err = call(capsys, "document", "validate", str(tmp_path))
        assert status == 2
        assert err.endswith(": Is a directory\n")
        status, _, err = call(capsys, "document", "validate", "a\x00b")
        assert status == 2
        assert err.startswith("cloudsms: cannot read 'a\\x00b': ")

    def test_usage_errors_exit_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Leaves a missing FILE, a missing verb and an unknown format to argparse (status 2)."""
        for argv in (
            ["document", "validate"],
            ["document"],
            ["document", "validate", "f", "--format", "xml"],
        ):
            with pytest.raises(SystemExit) as info:
                main(argv)
            assert info.value.code == 2
        assert "usage: cloudsms document" in capsys.readouterr().err

    def test_json_format(self, tmp_path: Path) -> None:
        """Prints a machine-readable result, for a valid and an invalid document."""
        result = run(
            "document",
            "validate",
            str(written(tmp_path, "old.json", SERVICE_V1)),
            "--format",
            "json",
        )
        assert result.returncode == 0
        assert json.loads(result.stdout) == {
            "valid": True,
            "type": "cloudsms.cloud-service",
            "schema_version": 1,
            "upgraded_to": 3,
            "id": "crm",
            "problems": [],
        }
        body = {**SERVICE_V2, "category": "Saas"}
        result = run(
            "document", "validate", str(written(tmp_path, "b.json", body)), "--format", "json"
        )
        assert result.returncode == 1
        assert json.loads(result.stdout) == {
            "valid": False,
            "type": "cloudsms.cloud-service",
            "schema_version": 2,
            "upgraded_to": None,
            "id": None,
            "problems": [
                {
                    "path": "$.category",
                    "expected": "one of 'CaaS', 'CompaaS', 'DSaaS', 'IaaS', 'NaaS', 'PaaS',"
                    " 'SaaS'",
                    "got": "'Saas' (string)",
                }
            ],
        }

    def test_json_format_of_unreadable_json(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Gives null type and version when the text is not JSON."""
        path = written(tmp_path, "x.json", "{")
        status, out, _ = call(capsys, "document", "validate", str(path), "--format", "json")
        data = json.loads(out)
        assert (status, data["valid"], data["type"], data["schema_version"]) == (
            1,
            False,
            None,
            None,
        )
        assert [p["path"] for p in data["problems"]] == ["$"]

    def test_csv_format_lists_problems(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Lists the problems as CSV rows: path, expected, got."""
        path = written(tmp_path, "b.json", {**SERVICE_V2, "name": 5})
        status, out, _ = call(capsys, "document", "validate", str(path), "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert status == 1
        assert [(r["path"], r["got"]) for r in rows] == [("$.name", "5 (integer)")]

    def test_complaint(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Reads another registered type, the complaint, by its declared type."""
        body = {
            "type": "cloudsms.complaint",
            "schema_version": 1,
            "id": "c-1",
            "customer_id": "acme",
            "received_at": "2026-03-02T09:00:00+00:00",
            "summary": "Slow",
            "state": "received",
        }
        status, out, _ = call(
            capsys, "document", "validate", str(written(tmp_path, "c.json", body))
        )
        assert (status, out) == (
            0,
            "c.json: valid cloudsms.complaint, schema version 1 (read as version 3), id 'c-1'\n",
        )

    def test_reference_overlay(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Checks a reference overlay by applying it to the shipped data."""
        good = overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}])
        status, out, _ = call(
            capsys, "document", "validate", str(written(tmp_path, "o.json", good))
        )
        assert (status, out) == (
            0,
            "o.json: valid cloudsms.reference-overlay, schema version 1, 1 citation\n",
        )
        bad = overlay(citations=[{"scenario_id": "S20", "clause_number": "9.2"}])
        status, out, _ = call(
            capsys, "document", "validate", str(written(tmp_path, "p.json", bad))
        )
        assert status == 1
        assert out.splitlines()[1].endswith(" @ $.citations[0].scenario_id")

    def test_reference_set(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Checks a whole reference set (what reference.to_json writes) by building it alone."""
        path = written(tmp_path, "set.json", reference.to_json())
        status, out, _ = call(capsys, "document", "validate", str(path))
        counts = (len(reference.clauses()), len(reference.scenarios()), len(reference.citations()))
        assert status == 0
        assert out == (
            "set.json: valid cloudsms.reference-set, schema version 1, {} clauses,"
            " {} scenarios, {} citations\n".format(*counts)
        )

    def test_registered_class_that_cannot_be_loaded(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Reports a registered type whose class cannot be imported as a problem at $.type."""
        register_document("tests.cli-nowhere", "tests_nowhere.module:Thing")
        body = {"type": "tests.cli-nowhere", "schema_version": 1}
        status, out, _ = call(
            capsys, "document", "validate", str(written(tmp_path, "w.json", body))
        )
        assert status == 1
        problem = out.splitlines()[1]
        assert problem.startswith(
            "  expected a document type this cloudsms can read, got 'tests.cli-nowhere' (string),"
            " whose class cannot be loaded: 'tests_nowhere.module:Thing' names a module"
        )
        assert problem.endswith(" @ $.type")

    def test_control_characters_escaped(self, tmp_path: Path) -> None:
        """Shows control characters of the file name, the type and the keys as escapes."""
        body = {**SERVICE_V2, "\x1b]0;t\x07": 1}
        result = run("document", "validate", str(written(tmp_path, "e\x1b[31m.json", body)))
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            "e\\x1b[31m.json: invalid cloudsms.cloud-service, schema version 2: 1 problem",
            (
                "  expected one of the keys id, name, category, deployment_models, owner,"
                " lifecycle, components, got key '\\x1b]0;t\\x07' @ $[\"\\u001b]0;t\\u0007\"]"
            ),
        ]
        body = {**SERVICE_V2, "type": "cloudsms.cloud-service\x1b[2J"}
        result = run("document", "validate", str(written(tmp_path, "t.json", body)))
        assert "\x1b" not in result.stdout
        assert result.stdout.startswith("t.json: invalid cloudsms.cloud-service\\x1b[2J,")


DOCS = Path(__file__).parent.parent / "docs"
OWNED_DOCS = ("cli.md", "index.md", "reference-data.md", "overlays.md", "getting-started.md")
SAMPLE = re.compile(r"^```text\n\$ (cloudsms [^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def shown_commands() -> list[tuple[str, str, str]]:
    """Every ```text block of the docs starting with '$ cloudsms': (page, command, output)."""
    return [
        (page, match.group(1), match.group(2))
        for page in OWNED_DOCS
        for match in SAMPLE.finditer((DOCS / page).read_text(encoding="utf-8"))
    ]


class TestDocsShowRealOutput:
    """Each command the docs show prints exactly what they show (item 17)."""

    def test_there_are_samples(self) -> None:
        """Finds the samples of docs/cli.md (the marker is a text block starting '$ cloudsms')."""
        assert len([s for s in shown_commands() if s[0] == "cli.md"]) >= 3

    @pytest.mark.parametrize(
        ("page", "command", "shown"), shown_commands(), ids=lambda v: str(v)[:40]
    )
    def test_sample(
        self, capsys: pytest.CaptureFixture[str], page: str, command: str, shown: str
    ) -> None:
        """Prints what the page shows (a '| head -N' keeps the first N lines)."""
        words, _, pipe = command.partition(" | ")
        status, out, _ = call(capsys, *shlex.split(words)[1:])
        if pipe:
            head = re.fullmatch(r"head -(\d+)", pipe.strip())
            assert head, f"{page}: only '| head -N' is supported, got {pipe!r}"
            out = "".join(out.splitlines(keepends=True)[: int(head.group(1))])
        assert (0, shown) == (status, out)


class TestOutputThatCannotBeWritten:
    """A full disk or a closed standard output exits 1 with one line, never a traceback."""

    @pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
    def test_full_disk(self) -> None:
        """Exits 1 naming the reason when standard output is full."""
        with Path("/dev/full").open("w", encoding="utf-8") as full:
            result = subprocess.run(
                [sys.executable, "-m", "cloudsms", "matrix"],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        assert result.returncode == 1
        assert result.stderr == "cloudsms: cannot write the output: No space left on device\n"

    def test_closed_output(self) -> None:
        """Exits 1 when there is no standard output at all."""
        code = (
            "import sys; sys.stdout = None; from cloudsms.cli import main; "
            "sys.exit(main(['matrix']))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert result.returncode == 1
        assert result.stderr == "cloudsms: cannot write the output: standard output is closed\n"
