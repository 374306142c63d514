"""cloudsms removal plan (S15, designed by cloudsms): run as a user runs it."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cloudsms.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "resources"
CATALOGUE = str(DATA / "catalogue.json")
PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
SECTION = PAGE[PAGE.index("\n## Removal\n") : PAGE.index("\n## Exit\n")]
SAMPLES = re.findall(
    r"^```console\n\$ (cloudsms removal [^\n]*)\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL
)
REFUSALS = re.findall(r"^```text\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``cloudsms`` with ``args`` in this process, from the repository's root.

    What it prints and its status, as a fresh process would give them; a usage error
    (argparse's exit) is status 2. The tests that need a fresh process use `spawn`.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 2
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def spawn(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cloudsms`` with ``args`` in a fresh interpreter, from the repository."""
    return subprocess.run(
        [sys.executable, "-m", "cloudsms", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def agreement(agreement_id: str, notice: str) -> dict[str, Any]:
    """The example agreement as ``agreement_id``, ended by ``notice`` on a retirement."""
    data: dict[str, Any] = json.loads((DATA / "agreement.json").read_text(encoding="utf-8"))
    data["id"] = agreement_id
    data["termination"]["provider_reasons"] = ["misuse", "service retirement"]
    data["termination"]["notice_period"] = notice
    return data


def folder(tmp_path: Path) -> str:
    """Three subscribers with one, three and six months' notice, and a catalogue beside them."""
    for agreement_id, notice in (("csa-a", "P1M"), ("csa-b", "P3M"), ("csa-c", "P6M")):
        path = tmp_path / f"{agreement_id}.json"
        path.write_text(json.dumps(agreement(agreement_id, notice)), encoding="utf-8")
    (tmp_path / "catalogue.json").write_text((DATA / "catalogue.json").read_text("utf-8"), "utf-8")
    return str(tmp_path)


class TestRemovalPlan:
    """cloudsms removal plan: subscribers, notice end dates, the earliest removal date."""

    def test_hand_computed(self, tmp_path: Path) -> None:
        """Notices on 2026-12-15 with 1, 3 and 6 months' notice: removal from 2027-06-15."""
        result = run(
            "removal", "plan", CATALOGUE, "iaas-compute", folder(tmp_path),
            "--as-of", "2026-12-15", "--format", "json",
        )  # fmt: skip
        assert (result.returncode, result.stderr) == (0, "")
        data = json.loads(result.stdout)
        ends = [(s["agreement_id"], s["notice_ends"]) for s in data["subscribers"]]
        assert ends == [
            ("csa-a", "2027-01-15T00:00:00+01:00"),
            ("csa-b", "2027-03-15T00:00:00+01:00"),
            ("csa-c", "2027-06-15T00:00:00+02:00"),
        ]
        assert data["earliest_removal"].startswith("2027-06-15T00:00:00")
        assert data["blockers"] == []

    def test_table(self, tmp_path: Path) -> None:
        """The table lists each subscriber and the earliest removal date."""
        result = run(
            "removal", "plan", CATALOGUE, "iaas-compute", folder(tmp_path), "--as-of", "2026-12-15"
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Removal plan for service iaas-compute\n")
        assert "csa-c" in result.stdout
        assert "2027-06-15" in result.stdout

    def test_another_service(self, tmp_path: Path) -> None:
        """The same three agreements subscribe to the storage service: each is listed."""
        result = run(
            "removal", "plan", CATALOGUE, "iaas-storage", folder(tmp_path),
            "--as-of", "2026-12-15", "--format", "json",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert len(json.loads(result.stdout)["subscribers"]) == 3

    def test_invalid_agreement(self, tmp_path: Path) -> None:
        """An invalid agreement file is refused with its problems under its name (exit 1)."""
        bad = agreement("csa-x", "P1M")
        bad["timezone"] = "Mars/Olympus"
        (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
        (tmp_path / "broken.json").write_text("{", encoding="utf-8")
        result = run("removal", "plan", CATALOGUE, "iaas-compute", str(tmp_path))
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert (
            lines[0].endswith("invalid agreements: 2 problems")
            or "invalid agreements" in (lines[0])
        )
        assert any("@ bad.json:$.timezone" in line for line in lines)
        assert any("broken.json:$" in line for line in lines)

    def test_says_how_many_were_read(self, tmp_path: Path) -> None:
        """The table ends with how many agreement documents were read, the JSON counts them."""
        words = (
            "removal",
            "plan",
            CATALOGUE,
            "iaas-compute",
            folder(tmp_path),
            "--as-of",
            "2026-12-15",
        )
        result = run(*words)
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.endswith(
            f"\n\nRead 3 agreement documents from {tmp_path} (1 other JSON file passed over).\n"
        )
        assert json.loads(run(*words, "--format", "json").stdout)["agreement_files"] == 3

    @pytest.mark.parametrize("fmt", ["table", "json"])
    def test_no_agreements_warns(self, tmp_path: Path, fmt: str) -> None:
        """A directory without agreement documents gives the plan and a warning (exit 0)."""
        result = run(
            "removal", "plan", CATALOGUE, "iaas-compute", str(tmp_path),
            "--as-of", "2026-12-15", "--format", fmt,
        )  # fmt: skip
        assert result.returncode == 0
        assert result.stderr == (
            f"cloudsms: warning: no agreement documents in {tmp_path}: the plan counts no"
            " subscriber because none was read, not because none exists\n"
        )
        if fmt == "table":
            assert result.stdout.endswith(f"Read 0 agreement documents from {tmp_path}.\n")
        else:
            assert json.loads(result.stdout)["agreement_files"] == 0

    def test_duplicate_ids_name_both_files(self, tmp_path: Path) -> None:
        """Two files holding one agreement id are refused, each file named (exit 1)."""
        for name in ("first.json", "second.json"):
            path = tmp_path / name
            path.write_text(json.dumps(agreement("csa-same", "P1M")), encoding="utf-8")
        result = run("removal", "plan", CATALOGUE, "iaas-compute", str(tmp_path))
        assert (result.returncode, result.stderr) == (1, "")
        assert result.stdout == (
            f"{tmp_path.name}: invalid agreements: 1 problem\n"
            "  expected an agreement id no other file uses (first.json holds it), got"
            " 'csa-same' @ second.json:$.id\n"
        )

    def test_unknown_service(self, tmp_path: Path) -> None:
        """A service the catalogue does not hold is refused at SERVICE_ID (exit 1)."""
        result = run("removal", "plan", CATALOGUE, "crm", folder(tmp_path), "--format", "json")
        assert result.returncode == 1
        data = json.loads(result.stdout)
        assert data["refused"] is True
        assert data["problems"][0]["path"] == "SERVICE_ID"

    def test_default_as_of(self, tmp_path: Path) -> None:
        """Without --as-of, the notices go out today (UTC): the plan says which day."""
        result = run(
            "removal", "plan", CATALOGUE, "iaas-compute", folder(tmp_path), "--format", "json"
        )
        assert result.returncode == 0, result.stderr
        assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", json.loads(result.stdout)["as_of"])

    @pytest.mark.parametrize(
        "words", [("--as-of", "2026-02-30"), ("--format", "csv"), ("--as-of",)]
    )
    def test_bad_usage(self, tmp_path: Path, words: tuple[str, ...]) -> None:
        """A bad date or format is bad usage (exit 2)."""
        result = run("removal", "plan", CATALOGUE, "iaas-compute", folder(tmp_path), *words)
        assert (result.returncode, result.stdout) == (2, "")

    def test_unreadable_directory(self) -> None:
        """A directory that cannot be read is bad usage (exit 2)."""
        result = run("removal", "plan", CATALOGUE, "iaas-compute", "no-such-directory")
        assert result.returncode == 2
        assert "cannot read the directory 'no-such-directory'" in result.stderr


class TestDocs:
    """docs/cli.md's Removal section shows what the command prints."""

    def test_there_are_samples(self) -> None:
        """A run of removal plan and its refusal of an unknown service."""
        assert (len(SAMPLES), len(REFUSALS)) == (1, 1)

    def test_the_sample_prints_what_it_shows(self) -> None:
        """Run from the repository's root, the command prints exactly its sample."""
        ((command, shown),) = SAMPLES
        result = spawn(*shlex.split(command)[1:])
        assert (result.returncode, result.stderr, result.stdout) == (0, "", shown)

    def test_the_refusal_is_real(self) -> None:
        """The same command for the entry id 'compute' prints the refusal shown."""
        ((command, _),) = SAMPLES
        words = shlex.split(command)[1:]
        words[3] = "compute"
        result = run(*words)
        assert (result.returncode, result.stderr, result.stdout) == (1, "", REFUSALS[0])
