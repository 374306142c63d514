"""cloudsms incident list (issue 14, section 3; S09): run as a user runs it.

The table runs ``python -m cloudsms`` in a fresh interpreter; the other tests call the
same command in this process (tests/_cli_run.py), its output and status alike.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from _cli_run import fresh, in_process
from cloudsms.lifecycle import advance
from cloudsms.operations import INCIDENT_LIFECYCLE
from cloudsms.serialization import to_dict, to_json

if TYPE_CHECKING:
    import subprocess
    from types import ModuleType

    from cloudsms.agreements import CloudServiceAgreement
    from cloudsms.operations import Incident

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "operations.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("operations_cli_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["operations_cli_example"] = module
    spec.loader.exec_module(module)
    return module


example = _example()
AGREEMENT: CloudServiceAgreement = example.operations_agreement()
INCIDENT: Incident = example.incident(AGREEMENT)


def late_incident() -> Incident:
    """A P1 opened Tuesday 6 October 09:00 and acknowledged at 10:00: its response is missed."""
    incident = attrs.evolve(
        INCIDENT,
        id="inc-2",
        opened_at=example.at("2026-10-06T09:00:00+02:00"),
        problem_id=None,
        lifecycle=INCIDENT_LIFECYCLE.begin(id="inc-2"),
    )
    return advance(
        incident, "acknowledge", who="actor:desk-1", when=example.at("2026-10-06T10:00:00+02:00")
    )


def listing(files: tuple[Path, Path], *extra: str) -> subprocess.CompletedProcess[str]:
    """``cloudsms incident list`` of ``files`` for October 2026, with ``extra`` arguments."""
    return run("incident", "list", *map(str, files), "--period", "2026-10", *extra)


run = in_process  # the command in this process, as python -m cloudsms runs it


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """The agreement and a records file with the example's incident and a late one."""
    agreement = tmp_path / "agreement.json"
    agreement.write_text(to_json(AGREEMENT), encoding="utf-8")
    fix = example.change()
    records = {
        "incidents": [to_dict(INCIDENT), to_dict(late_incident())],
        "problems": [to_dict(example.problem(fix))],
        "changes": [to_dict(fix)],
    }
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return agreement, path


def write(folder: Path, name: str, data: Any) -> Path:
    """``data`` as JSON in ``folder/name``."""
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class TestListing:
    """The three formats of a month with incidents."""

    def test_table(self, files: tuple[Path, Path]) -> None:
        """A heading, one line per incident with times on the clock, the targets at the end."""
        result = fresh("incident", "list", *map(str, files), "--period", "2026-10")
        assert (result.returncode, result.stderr) == (0, "")
        # Read as of the latest instant the records hold (the change closed 8 October 10:30),
        # the late incident's resolution clock has run 9 h Tuesday, 9 h Wednesday and 1 h 30
        # Thursday; "+" marks a clock still running.
        assert result.stdout.splitlines() == [
            "Agreement csa-2026-001 (Europe/Berlin)",
            "Opened 2026-10-01 00:00 to 2026-11-01 00:00; as of 2026-10-08 10:30",
            "INCIDENT  PRIO  OPENED       STATE         RESPONSE  MET     RESOLUTION  MET",
            "--------  ----  -----------  ------------  --------  ------  ----------  ------",
            "inc-1     P1    10-02 17:30  resolved      0:10:00   met     1:30:00     met",
            "inc-2     P1    10-06 09:00  acknowledged  1:00:00   missed  19:30:00+   missed",
            "targets: p1-resolution 4:00:00, p1-response 0:30:00",
        ]
        assert max(len(line) for line in result.stdout.splitlines()) <= 80

    def test_json(self, files: tuple[Path, Path]) -> None:
        """Seconds as exact decimal text, the target's id, met and the margin."""
        result = run(
            "incident", "list", *map(str, files), "--period", "2026-10", "--format", "json"
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["agreement"] == "csa-2026-001"
        assert data["period"] == {
            "start": "2026-10-01T00:00:00+02:00",
            "end": "2026-11-01T00:00:00+01:00",
        }
        assert data["as_of"] == "2026-10-08T10:30:00+02:00"
        first, second = data["incidents"]
        assert first["resolution"] == {
            "seconds": "5400",
            "final": True,
            "target": "p1-resolution",
            "target_seconds": "14400",
            "met": True,
            "margin_seconds": "9000",
        }
        assert second["response"]["met"] is False
        assert second["response"]["margin_seconds"] == "-1800"
        assert second["resolution"]["final"] is False

    def test_csv(self, files: tuple[Path, Path]) -> None:
        """A header of the columns, one row per incident."""
        result = run(
            "incident", "list", *map(str, files), "--period", "2026-10", "--format", "csv"
        )
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [r["incident"] for r in rows] == ["inc-1", "inc-2"]
        assert rows[0]["opened"] == "2026-10-02T17:30:00+02:00"
        assert (rows[1]["response_met"], rows[1]["resolution"]) == ("missed", "19:30:00+")

    def test_another_month_is_empty(self, files: tuple[Path, Path]) -> None:
        """September holds no incident: the header and a note."""
        result = run("incident", "list", *map(str, files), "--period", "2026-09")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "(no incident opened in the period)"


class TestBadInput:
    """Status 1 with the problems for bad files, 2 for unreadable ones and bad usage."""

    def test_an_invalid_record(self, tmp_path: Path, files: tuple[Path, Path]) -> None:
        """A priority that is a number is named at its path in the records file."""
        agreement, _ = files
        broken = to_dict(INCIDENT)
        broken["priority"] = 1
        records = write(tmp_path, "bad.json", {"incidents": [broken], "tickets": []})
        result = run("incident", "list", str(agreement), str(records), "--period", "2026-10")
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            "bad.json: invalid records: 2 problems",
            (
                "  expected one of the keys incidents, requests, problems, changes, releases, "
                "got an unknown key @ $.tickets"
            ),
            "  expected a string, got 1 (integer) @ $.incidents[0].priority",
        ]

    def test_an_incident_of_another_agreement(
        self, tmp_path: Path, files: tuple[Path, Path]
    ) -> None:
        """The register refuses it, naming the record."""
        agreement, _ = files
        other = to_dict(attrs.evolve(INCIDENT, agreement_id="csa-other"))
        records = write(tmp_path, "other.json", {"incidents": [other]})
        result = run("incident", "list", str(agreement), str(records), "--period", "2026-10")
        assert result.returncode == 1
        assert "@ $.incidents[0].agreement_id" in result.stdout
        assert result.stdout.startswith("other.json: invalid records for agreement 'csa-2026-001'")

    def test_an_invalid_agreement(self, tmp_path: Path, files: tuple[Path, Path]) -> None:
        """The agreement's problems, as document validate prints them."""
        _, records = files
        data = json.loads(to_json(AGREEMENT))
        del data["priorities"]
        agreement = write(tmp_path, "agreement.json", data)
        result = run("incident", "list", str(agreement), str(records), "--period", "2026-10")
        assert result.returncode == 1
        assert "expected a value (required), got nothing @ $.priorities" in result.stdout

    def test_not_json(self, tmp_path: Path, files: tuple[Path, Path]) -> None:
        """A records file that is not JSON is bad input."""
        agreement, _ = files
        records = tmp_path / "records.json"
        records.write_text("{", encoding="utf-8")
        result = run("incident", "list", str(agreement), str(records), "--period", "2026-10")
        assert result.returncode == 1
        assert result.stdout.startswith("records.json: invalid records:")

    def test_a_missing_file(self, tmp_path: Path, files: tuple[Path, Path]) -> None:
        """Status 2, one line on standard error."""
        agreement, _ = files
        result = run(
            "incident", "list", str(agreement), str(tmp_path / "no.json"), "--period", "2026-10"
        )
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith("cloudsms: cannot read ")

    @pytest.mark.parametrize("period", ["2026-13", "October", "2026-1"])
    def test_a_bad_period(self, files: tuple[Path, Path], period: str) -> None:
        """Bad usage: status 2 naming the expected form."""
        result = run("incident", "list", *map(str, files), "--period", period)
        assert result.returncode == 2
        assert "expected a month such as 2026-10" in result.stderr
