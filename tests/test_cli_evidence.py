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
from typing import TYPE_CHECKING

import pytest
from tests.conftest import overlay

from _cli_run import fresh, in_process
from cloudsms import reference
from cloudsms.conformity import assess
from cloudsms.reports.conformity import (
    ASSESSMENT_COLUMNS,
    assessment_data,
    assessment_rows,
    assessment_table,
)
from cloudsms.serialization import to_json
from test_frames import AS_OF, evidence_register

if TYPE_CHECKING:
    import subprocess

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
SECTION = PAGE[PAGE.index("\n## Evidence assessment\n") : PAGE.index("\n## Onboarding\n")]
SAMPLES = re.findall(
    r"^```console\n\$ (cloudsms evidence [^\n]*)\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL
)


def assess_cli(register: str, as_of: str, *options: str) -> subprocess.CompletedProcess[str]:
    """``cloudsms evidence assess REGISTER --as-of AS_OF OPTIONS...``, run in process."""
    return in_process("evidence", "assess", register, "--as-of", as_of, *options)


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
        result = assess_cli(register_file, "2026-09-01", "--scope", "S07,S14")
        expected = assessment_table(assess(evidence_register(), ["S07", "S14"], as_of=AS_OF))
        assert (result.returncode, result.stderr, result.stdout) == (0, "", expected + "\n")
        assert "minor     6.1" in result.stdout
        assert "Unknown (citations not known, never counted as covered): S14" in result.stdout

    def test_json(self, register_file: str) -> None:
        """Prints assessment_data as JSON."""
        result = assess_cli(
            register_file,
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
        result = assess_cli(
            register_file,
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
        result = assess_cli(
            register_file,
            "2026-09-01",
            "--scope",
            "S7,5.14, s07",
            "--format",
            "json",
        )
        assert json.loads(result.stdout)["scope"] == ["S07", "S14"]
        everything = assess_cli(register_file, "2026-09-01", "--format", "json")
        assert json.loads(everything.stdout)["scope"] == [f"S{n:02d}" for n in range(1, 16)]

    def test_as_of_an_instant(self, register_file: str) -> None:
        """An instant with its offset: 31 August's last second in Auckland keeps EV-SLM valid."""
        result = assess_cli(
            register_file,
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


S14_CITES_92 = overlay(citations=[{"scenario_id": "S14", "clause_number": "9.2"}])
"""An overlay giving S14 (whose citations the source does not list) a citation of 9.2."""

EDITION_2018 = overlay(
    clauses=[
        {"edition": "20000-1:2018", "number": "8", "title": "Operation of the SMS"},
        {"edition": "20000-1:2018", "number": "8.3", "title": "Relationship and agreement"},
    ],
    citations=[{"scenario_id": "S07", "edition": "20000-1:2018", "clause_number": "8.3"}],
)
"""An overlay holding two clauses of the 2018 edition, S07 citing 8.3 of it."""


def write(tmp_path: Path, name: str, data: object) -> str:
    """``data`` written as JSON to ``tmp_path / name``; its path."""
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


class TestReferenceOptions:
    """--overlay and --edition: what the library can assess, a shell can too."""

    def test_overlay_gives_s14_citations(self, register_file: str, tmp_path: Path) -> None:
        """With S14 citing 9.2, S14 is assessed (9.2 missing: EV-CHG came in October)."""
        args = ("evidence", "assess", register_file, "--as-of", "2026-09-01", "--scope", "S14")
        plain = json.loads(in_process(*args, "--format", "json").stdout)
        assert [s["status"] for s in plain["scenarios"]] == ["unknown"]
        path = write(tmp_path, "s14.json", S14_CITES_92)
        result = in_process(*args, "--overlay", path, "--format", "json")
        assert (result.returncode, result.stderr) == (0, "")
        data = json.loads(result.stdout)
        refs = reference.load(S14_CITES_92)
        expected = assess(evidence_register(), ["S14"], as_of=AS_OF, reference=refs)
        assert data == assessment_data(expected)
        assert [(c["clause_number"], c["status"]) for c in data["clauses"]] == [("9.2", "missing")]
        later = in_process(*args[:-3], "2026-10-03", "--scope", "S14", "--overlay", path)
        assert "9.2" not in later.stdout.partition("Gaps")[2].partition("Processes")[0]

    def test_overlays_apply_in_order(self, register_file: str, tmp_path: Path) -> None:
        """Two overlays: both read, in order (the second's citation is S14's second)."""
        first = write(tmp_path, "one.json", S14_CITES_92)
        second = write(
            tmp_path,
            "two.json",
            overlay(citations=[{"scenario_id": "S14", "clause_number": "6.1"}]),
        )
        result = assess_cli(register_file, "2026-09-01", "--scope", "S14",
            "--overlay", first, "--overlay", second, "--format", "csv",
        )  # fmt: skip
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert sorted((r["clause"], r["status"]) for r in rows) == [
            ("6.1", "stale"),
            ("9.2", "missing"),
        ]

    def test_another_edition(self, register_file: str, tmp_path: Path) -> None:
        """--edition 20000-1:2018 with its overlay: S07 cites 8.3 there, which nothing supports."""
        path = write(tmp_path, "2018.json", EDITION_2018)
        result = assess_cli(register_file, "2026-09-01", "--scope", "S07",
            "--edition", "20000-1:2018", "--overlay", path, "--format", "json",
        )  # fmt: skip
        assert (result.returncode, result.stderr) == (0, "")
        data = json.loads(result.stdout)
        expected = assess(
            evidence_register(),
            ["S07"],
            as_of=AS_OF,
            edition="20000-1:2018",
            reference=reference.load(EDITION_2018),
        )
        assert data == assessment_data(expected)
        assert data["edition"] == "20000-1:2018"
        assert [(c["clause_number"], c["status"]) for c in data["clauses"]] == [("8.3", "missing")]

    def test_the_registers_edition_by_default(self, tmp_path: Path) -> None:
        """No --edition: the register's own (2018 here, with evidence for 8.3 of it)."""
        data = json.loads(to_json(evidence_register()))
        data["edition"] = "20000-1:2018"
        for item in data["evidence"]:
            item["edition"] = "20000-1:2018"
        data["evidence"][0]["supports"] = ["8"]
        register = write(tmp_path, "reg-2018.json", data)
        path = write(tmp_path, "2018.json", EDITION_2018)
        result = in_process(
            "evidence", "assess", register, "--as-of", "2026-09-01", "--scope", "S07",
            "--overlay", path, "--format", "csv",
        )  # fmt: skip
        assert (result.returncode, result.stderr) == (0, "")
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [(r["clause"], r["status"], r["via"]) for r in rows] == [("8.3", "covered", "8")]

    def test_a_fresh_interpreter(self, register_file: str, tmp_path: Path) -> None:
        """``python -m cloudsms`` with --overlay and --edition prints what in-process does."""
        path = write(tmp_path, "2018.json", EDITION_2018)
        args = (
            "evidence", "assess", register_file, "--as-of", "2026-09-01", "--scope", "S07,S14",
            "--edition", "20000-1:2018", "--overlay", path,
        )  # fmt: skip
        ran = fresh(*args)
        assert (ran.returncode, ran.stderr) == (0, "")
        assert ran.stdout == in_process(*args).stdout
        assert "8.3" in ran.stdout
        bad = fresh(*args[:4], "2026-13-01")
        assert bad.returncode == 2
        assert "or an instant with its offset" in bad.stderr


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
        result = assess_cli(register_file, "1900-01-01")
        assert result.returncode == 1
        assert result.stdout.startswith(
            "register.json: the register cannot be assessed: 1 problem"
        )
        assert result.stdout.rstrip().endswith("@ --as-of")

    def test_unknown_scenario(self, register_file: str) -> None:
        """An unknown scenario in --scope is bad usage, its close match named."""
        result = assess_cli(register_file, "2026-09-01", "--scope", "S07,S77")
        assert result.returncode == 2
        assert "argument --scope: unknown scenario 'S77'; did you mean S07?" in result.stderr

    @pytest.mark.parametrize(
        "as_of", ["2026-13-01", "tomorrow", "2026-09-01T00:00:00", "0001-01-01", "2026-02-30"]
    )
    def test_bad_as_of(self, register_file: str, as_of: str) -> None:
        """Not a date, or an instant without its offset: bad usage naming both forms."""
        result = assess_cli(register_file, as_of)
        assert result.returncode == 2
        assert (
            "argument --as-of: expected a date such as 2026-12-31 (from 1900-01-01 to "
            "8999-12-31) or an instant with its offset such as 2026-12-31T00:00:00+01:00, "
            f"got {as_of!r}"
        ) in result.stderr

    def test_unknown_edition(self, register_file: str) -> None:
        """An --edition the reference does not hold: an unknown identifier, status 2."""
        result = assess_cli(
            register_file,
            "2026-09-01",
            "--edition",
            "20000-1:2018",
        )
        assert (result.returncode, result.stdout) == (2, "")
        assert "unknown edition '20000-1:2018'" in result.stderr

    def test_rejected_overlay(self, register_file: str, tmp_path: Path) -> None:
        """An overlay that cannot be read or applied: status 2, as for the reference commands."""
        bad = tmp_path / "bad-overlay.json"
        bad.write_text(json.dumps(overlay(citations=[{"scenario_id": "S20"}])), encoding="utf-8")
        for path in (str(bad), str(tmp_path / "nope.json")):
            result = assess_cli(register_file, "2026-09-01", "--overlay", path)
            assert (result.returncode, result.stdout) == (2, "")
            assert "reference overlay" in result.stderr
            assert "is rejected" in result.stderr

    def test_register_edition_not_held(self, tmp_path: Path) -> None:
        """A register of an edition the reference lacks: its problem at --edition, status 1."""
        data = json.loads(to_json(evidence_register()))
        data["edition"] = "20000-1:2018"
        for item in data["evidence"]:
            item["edition"] = "20000-1:2018"
        path = tmp_path / "reg-2018.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        result = in_process("evidence", "assess", str(path), "--as-of", "2026-09-01")
        assert result.returncode == 1
        assert "the register cannot be assessed" in result.stdout
        assert result.stdout.rstrip().endswith("@ --edition")

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
