"""cloudsms onboarding plan (S08): run as a user runs it (in this process, and from a shell)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from cloudsms.cli import main
from cloudsms.serialization import to_json
from test_onboarding import working

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "resources"
AGREEMENT = str(DATA / "agreement.json")
CATALOGUE = str(DATA / "catalogue.json")
TEMPLATES = ROOT / "src" / "cloudsms" / "procedures" / "onboarding_templates.json"
PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
SECTION = PAGE[PAGE.index("\n## Onboarding\n") : PAGE.index("\n## Removal\n")]
SAMPLES = re.findall(
    r"^```console\n\$ (cloudsms onboarding [^\n]*)\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL
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


def plan(*more: str) -> subprocess.CompletedProcess[str]:
    """``onboarding plan`` of the example agreement from 2026-12-01, with ``more`` options."""
    return run("onboarding", "plan", AGREEMENT, CATALOGUE, "--start", "2026-12-01", *more)


def register(folder: Path) -> str:
    """A requirement register with one requirement on the compute entry, one elsewhere."""
    data = {
        "requirements": [
            {
                "id": "REQ-VM",
                "statement": "A virtual machine starts within five minutes",
                "quality": "performance",
                "acceptance_criteria": ["a start is timed under five minutes"],
                "satisfied_by": ["compute"],
            },
            {
                "id": "REQ-CRM",
                "statement": "The CRM exports its data",
                "quality": "portability",
                "acceptance_criteria": ["an export opens"],
                "satisfied_by": ["crm"],
            },
        ]
    }
    path = folder / "requirements.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


class TestOnboardingPlan:
    """cloudsms onboarding plan: the activities by owner, with deadlines."""

    def test_table(self) -> None:
        """Prints the plan, grouped by owner, with deadlines from the start (exit 0)."""
        result = plan()
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.startswith("Onboarding plan for agreement csa-2026-011, version 1\n")
        assert "\nCustomer\n" in result.stdout
        assert "  move-components  customer workload  2026-12-11 00:00+01:00\n" in result.stdout
        # the example agreement gives the provider data migration: the template's owner yields
        assert (
            "  data-migration        data migration        2026-12-11 00:00+01:00\n"
            in (result.stdout.split("\nCustomer\n")[0])
        )
        assert "    owner: as the agreement assigns data migration\n" in result.stdout

    def test_json(self) -> None:
        """Prints the plan's data; an IaaS agreement moves components, configures no app."""
        result = plan("--format", "json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["deployment_model"], data["tenancy"]) == ("public", "multi-tenant")
        keys = [a["key"] for a in data["activities"]]
        assert "move-components" in keys
        assert "configure-application" not in keys
        assert data["requirements"] == []

    def test_requirements(self, tmp_path: Path) -> None:
        """With --requirements, the traced requirements are the ones verified."""
        result = plan("--requirements", register(tmp_path), "--format", "json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["requirements"] == ["REQ-VM"]

    def test_model_not_offered(self) -> None:
        """Refuses a model the entries do not offer, at the option, naming them (exit 1)."""
        result = plan("--deployment-model", "private")
        assert (result.returncode, result.stderr) == (1, "")
        assert result.stdout == (
            "agreement.json: agreement csa-2026-011 cannot be onboarded as asked: 1 problem\n"
            "  expected a model every subscribed entry offers (choices: 'public'), got"
            " 'private', which 'compute', 'storage' do not offer @ --deployment-model\n"
        )

    def test_refusal_as_json(self) -> None:
        """The refusal as JSON names the problems."""
        result = plan("--deployment-model", "hybrid", "--format", "json")
        assert result.returncode == 1
        data = json.loads(result.stdout)
        assert data["refused"] is True
        assert data["problems"][0]["path"] == "--deployment-model"

    def test_bad_requirements(self, tmp_path: Path) -> None:
        """Refuses an invalid requirement register with its problems (exit 1)."""
        path = tmp_path / "requirements.json"
        path.write_text('{"requirements": [{"id": "REQ-1"}]}', encoding="utf-8")
        result = plan("--requirements", str(path))
        assert result.returncode == 1
        assert result.stdout.startswith("requirements.json: invalid requirement register: ")

    def test_bad_catalogue(self, tmp_path: Path) -> None:
        """Refuses a catalogue that is not one (exit 1)."""
        path = tmp_path / "catalogue.json"
        path.write_text('{"entries": 3}', encoding="utf-8")
        result = run("onboarding", "plan", AGREEMENT, str(path), "--start", "2026-12-01")
        assert result.returncode == 1
        assert result.stdout.startswith("catalogue.json: invalid catalogue: ")

    def test_invalid_agreement(self) -> None:
        """An agreement file that is not an agreement gets document validate's problems."""
        result = run("onboarding", "plan", CATALOGUE, CATALOGUE, "--start", "2026-12-01")
        assert result.returncode == 1
        assert result.stdout.startswith("catalogue.json: invalid document")

    @pytest.mark.parametrize(
        "words",
        [
            ("--start", "2026-13-01"),
            ("--start", "2026-12-01", "--deployment-model", "edge"),
            ("--start", "2026-12-01", "--format", "csv"),
            (),
        ],
    )
    def test_bad_usage(self, words: tuple[str, ...]) -> None:
        """A bad date, model or format, or no --start, is bad usage (exit 2)."""
        result = run("onboarding", "plan", AGREEMENT, CATALOGUE, *words)
        assert result.returncode == 2
        assert result.stdout == ""

    def test_templates_of_your_own(self, tmp_path: Path) -> None:
        """--templates plans from a file of your own: here every deadline twice as far."""
        data = json.loads(TEMPLATES.read_text("utf-8"))
        for activity in data["templates"]["public"]["activities"]:
            activity["due"] = f"P{2 * int(activity['due'][1:-1])}D"
        path = tmp_path / "mine.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        result = plan("--templates", str(path), "--format", "json")
        assert (result.returncode, result.stderr) == (0, "")
        due = {a["key"]: a["due"] for a in json.loads(result.stdout)["activities"]}
        assert due["verification"] == "2026-12-29T00:00:00+01:00"

    def test_bad_templates(self, tmp_path: Path) -> None:
        """An invalid templates file gets its problems (exit 1); an unreadable one exit 2."""
        data = json.loads(TEMPLATES.read_text("utf-8"))
        data["version"] = 2
        path = tmp_path / "mine.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        result = plan("--templates", str(path))
        assert (result.returncode, result.stderr) == (1, "")
        assert result.stdout == (
            "mine.json: invalid onboarding templates: 1 problem\n"
            "  expected the version of the template syntax cloudsms reads (1), got 2 (integer)"
            " @ $.version\n"
        )
        result = plan("--templates", str(tmp_path / "none.json"))
        assert (result.returncode, result.stdout) == (2, "")

    def test_owner_from_agreement_as_json(self) -> None:
        """The JSON says which owners the agreement set, and through which of its activities."""
        result = plan("--format", "json")
        rows = {a["key"]: a for a in json.loads(result.stdout)["activities"]}
        assert (
            rows["identity-and-access"]["owner"],
            rows["identity-and-access"]["owner_from"],
            rows["identity-and-access"]["agreement_activity"],
        ) == ("provider", "agreement", "user administration")
        assert (
            rows["network-links"]["owner"],
            rows["network-links"]["owner_from"],
            rows["network-links"]["agreement_activity"],
        ) == ("customer", "template", None)

    def test_unreadable(self) -> None:
        """A file that cannot be read is bad usage (exit 2)."""
        result = run("onboarding", "plan", "nowhere.json", CATALOGUE, "--start", "2026-12-01")
        assert result.returncode == 2
        assert "cannot read 'nowhere.json'" in result.stderr


class TestProcedureDocuments:
    """An onboarding procedure saved as JSON is read by the document commands, from a shell."""

    def test_validate_and_verify(self, tmp_path: Path) -> None:
        """`document validate` reads it and `audit verify` checks its trail (exit 0 both)."""
        path = tmp_path / "onboarding.json"
        path.write_text(to_json(working()), encoding="utf-8")
        result = spawn("document", "validate", str(path))
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout == (
            "onboarding.json: valid cloudsms.onboarding-procedure, schema version 1,"
            " id 'onboard-csa-2026-001'\n"
        )
        result = run("audit", "verify", str(path))
        assert (result.returncode, result.stderr) == (0, ""), result.stdout

    def test_verify_a_malformed_history(self, tmp_path: Path) -> None:
        """`audit verify` of a procedure whose history is no list names the path (exit 1)."""
        data = json.loads(to_json(working()))
        data["lifecycle"]["history"] = 5
        path = tmp_path / "onboarding.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        result = run("audit", "verify", str(path))
        assert (result.returncode, result.stderr) == (1, "")
        assert result.stdout == (
            "onboarding.json: no trail to check: the document does not load: 1 problem\n"
            "  expected an array, got 5 (integer) @ $.lifecycle.history\n"
        )


class TestDocs:
    """docs/cli.md's Onboarding section shows what the command prints."""

    def test_there_are_samples(self) -> None:
        """A run of onboarding plan and one refusal."""
        assert (len(SAMPLES), len(REFUSALS)) == (1, 1)

    def test_the_sample_prints_what_it_shows(self) -> None:
        """Run from the repository's root, the command prints exactly its sample."""
        ((command, shown),) = SAMPLES
        result = spawn(*shlex.split(command)[1:])
        assert (result.returncode, result.stderr, result.stdout) == (0, "", shown)

    def test_the_refusal_is_real(self) -> None:
        """The same command asking for a private model prints the refusal shown."""
        ((command, _),) = SAMPLES
        result = run(*shlex.split(command)[1:], "--deployment-model", "private")
        assert (result.returncode, result.stderr, result.stdout) == (1, "", REFUSALS[0])
