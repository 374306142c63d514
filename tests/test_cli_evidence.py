"""cloudsms evidence assess (S12): an evidence register assessed from a shell.

The register is the hand-made one of test_frames (Auckland; EV-SLM ended on 31
August, EV-CHG collected in October), so every row is known: on 1 September S07's
6.1 is stale and 7.1 and 9.2 are missing. Gaps are the report (status 0); an invalid
register is status 1 with its paths; an unreadable file or a bad option status 2.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from _cli_run import fresh, in_process
from cloudsms.conformity import assess
from cloudsms.reports.conformity import (
    ASSESSMENT_COLUMNS,
    assessment_data,
    assessment_rows,
    assessment_table,
)
from cloudsms.serialization import to_json
from test_frames import AS_OF, evidence_register

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
SECTION = PAGE[PAGE.index("\n## Evidence assessment\n") : PAGE.index("\n## Onboarding\n")]
SAMPLES = re.findall(
    r"^```console\n\$ (cloudsms evidence [^\n]*)\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL
)


@pytest.fixture
def register_file(tmp_path: Path) -> str:
    """The hand-made register written as its JSON document."""
    path = tmp_path / "register.json"
    path.write_text(to_json(evidence_register()), encoding="utf-8")
    return str(path)


class TestReport:
    """What the command prints: the assessment's table, data or rows."""

    def test_table(self, register_file: str) -> None:
        """Prints assessment_table of the same assessment and exits 0 despite the gaps."""
        result = in_process(
            "evidence", "assess", register_file, "--as-of", "2026-09-01", "--scope", "S07,S14"
        )
        expected = assessment_table(assess(evidence_register(), ["S07", "S14"], as_of=AS_OF))
        assert (result.returncode, result.stderr, result.stdout) == (0, "", expected + "\n")
        assert "minor     6.1" in result.stdout
        assert "Unknown (citations not known, never counted as covered): S14" in result.stdout

    def test_json(self, register_file: str) -> None:
        """Prints assessment_data as JSON."""
        result = in_process(
            "evidence",
            "assess",
            register_file,
            "--as-of",
            "2026-09-01",
            "--scope",
            "S07",
            "--format",
            "json",
        )
        assert result.returncode == 0
        data = json.loads(result.stdout)
        assert data == assessment_data(assess(evidence_register(), ["S07"], as_of=AS_OF))
        assert [(g["clause_number"], g["severity"]) for g in data["gaps"]] == [
            ("7.1", "major"),
            ("9.2", "major"),
            ("6.1", "minor"),
        ]

    def test_csv(self, register_file: str) -> None:
        """One row per clause row under ASSESSMENT_COLUMNS."""
        result = in_process(
            "evidence",
            "assess",
            register_file,
            "--as-of",
            "2026-09-01",
            "--scope",
            "S07",
            "--format",
            "csv",
        )
        assert result.returncode == 0
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert list(rows[0]) == list(ASSESSMENT_COLUMNS)
        assert rows == assessment_rows(assess(evidence_register(), ["S07"], as_of=AS_OF))
        assert [(r["clause"], r["status"], r["stale"]) for r in rows] == [
            ("6.1", "stale", "EV-SLM"),
            ("7.1", "missing", ""),
            ("9.2", "missing", ""),
        ]

    def test_scope_as_people_write_it(self, register_file: str) -> None:
        """``S7,5.14, s07`` is S07 and S14, each once; no scope is all 15."""
        result = in_process(
            "evidence",
            "assess",
            register_file,
            "--as-of",
            "2026-09-01",
            "--scope",
            "S7,5.14, s07",
            "--format",
            "json",
        )
        assert json.loads(result.stdout)["scope"] == ["S07", "S14"]
        everything = in_process(
            "evidence", "assess", register_file, "--as-of", "2026-09-01", "--format", "json"
        )
        assert json.loads(everything.stdout)["scope"] == [f"S{n:02d}" for n in range(1, 16)]

    def test_as_of_an_instant(self, register_file: str) -> None:
        """An instant with its offset: 31 August's last second in Auckland keeps EV-SLM valid."""
        result = in_process(
            "evidence",
            "assess",
            register_file,
            "--as-of",
            "2026-08-31T23:59:59+12:00",
            "--scope",
            "S07",
            "--format",
            "csv",
        )
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert (rows[0]["clause"], rows[0]["status"], rows[0]["evidence"]) == (
            "6.1",
            "covered",
            "EV-SLM",
        )


class TestRefusals:
    """Invalid input is status 1 with paths; what cannot be read or used is status 2."""

    def test_invalid_register(self, tmp_path: Path) -> None:
        """Every problem of the register with its path, status 1."""
        data = json.loads(to_json(evidence_register()))
        data["timezone"] = "Mars/Olympus_Mons"
        data["evidence"][1]["id"] = "EV-POL"
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        result = in_process("evidence", "assess", str(path), "--as-of", "2026-09-01")
        assert result.returncode == 1
        assert result.stdout.startswith("bad.json: invalid evidence register: ")
        assert "@ $.timezone" in result.stdout
        assert "$.evidence" in result.stdout
        as_json = in_process(
            "evidence", "assess", str(path), "--as-of", "2026-09-01", "--format", "json"
        )
        assert as_json.returncode == 1
        assert json.loads(as_json.stdout)["valid"] is False

    def test_as_of_the_register_cannot_read(self, register_file: str) -> None:
        """1 January 1900 starts before 1900 in Auckland: refused at --as-of, status 1."""
        result = in_process("evidence", "assess", register_file, "--as-of", "1900-01-01")
        assert result.returncode == 1
        assert result.stdout.startswith(
            "register.json: the register cannot be assessed: 1 problem"
        )
        assert result.stdout.rstrip().endswith("@ --as-of")

    def test_unknown_scenario(self, register_file: str) -> None:
        """An unknown scenario in --scope is bad usage, its close match named."""
        result = in_process(
            "evidence", "assess", register_file, "--as-of", "2026-09-01", "--scope", "S07,S77"
        )
        assert result.returncode == 2
        assert "argument --scope: unknown scenario 'S77'; did you mean S07?" in result.stderr

    @pytest.mark.parametrize("as_of", ["2026-13-01", "tomorrow", "2026-09-01T00:00:00"])
    def test_bad_as_of(self, register_file: str, as_of: str) -> None:
        """Not a date, or an instant without its offset: bad usage."""
        result = in_process("evidence", "assess", register_file, "--as-of", as_of)
        assert result.returncode == 2
        assert "argument --as-of: expected a date such as" in result.stderr

    def test_as_of_is_required(self, register_file: str) -> None:
        """No hidden clock: --as-of must be given."""
        result = in_process("evidence", "assess", register_file)
        assert result.returncode == 2
        assert "--as-of" in result.stderr

    def test_unreadable(self, tmp_path: Path) -> None:
        """A file that cannot be read: status 2, nothing on standard output."""
        result = in_process(
            "evidence", "assess", str(tmp_path / "nope.json"), "--as-of", "2026-09-01"
        )
        assert (result.returncode, result.stdout) == (2, "")
        assert "nope.json" in result.stderr


def test_a_fresh_interpreter(register_file: str) -> None:
    """``python -m cloudsms`` prints what the in-process run prints, status 0."""
    args = ("evidence", "assess", register_file, "--as-of", "2026-09-01", "--scope", "S07")
    ran = fresh(*args)
    assert (ran.returncode, ran.stderr) == (0, "")
    assert ran.stdout == in_process(*args).stdout


def test_the_documented_sample() -> None:
    """docs/cli.md's run on the example register prints what it shows, status 0."""
    ((command, shown),) = SAMPLES
    ran = fresh(*shlex.split(command)[1:], cwd=ROOT)
    assert (ran.returncode, ran.stderr, ran.stdout) == (0, "", shown)
