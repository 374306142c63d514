"""cloudsms exit plan (S13): run as a user runs it, in a fresh process."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from cloudsms.agreements import CloudServiceAgreement, EarlyTerminationCharge, TerminatingParty
from cloudsms.serialization import from_json, to_json

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "data" / "resources" / "agreement.json"
PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
SECTION = PAGE[PAGE.index("\n## Exit\n") :]
SAMPLES = re.findall(
    r"^```console\n\$ (cloudsms exit [^\n]*)\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL
)
EXCERPTS = re.findall(r"^```markdown\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL)
REFUSALS = re.findall(r"^```text\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL)
AGREEMENT = from_json(CloudServiceAgreement, EXAMPLE.read_text(encoding="utf-8"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cloudsms`` with ``args`` in a fresh interpreter, from the repository."""
    return subprocess.run(
        [sys.executable, "-m", "cloudsms", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def write(folder: Path, name: str, value: object) -> str:
    """Write a cloudsms value (or raw JSON data) to ``folder/name``; its path."""
    path = folder / name
    text = json.dumps(value) if isinstance(value, dict) else to_json(value)
    path.write_text(text, encoding="utf-8")
    return str(path)


class TestExitPlan:
    """cloudsms exit plan AGREEMENT.json --notice-date ..."""

    def test_the_table(self) -> None:
        """The effective date, each step with its deadline, and the charge (none here)."""
        result = run("exit", "plan", str(EXAMPLE), "--notice-date", "2026-12-01")
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        lines = result.stdout.splitlines()
        assert lines[0] == "Exit plan for agreement csa-2026-011, version 1"
        assert "  effective           2027-01-01 00:00+01:00" in lines
        assert "  early               yes" in lines
        assert "  charge              none: the terms define no early-termination charge" in lines
        assert (
            "  confirmation          customer  2027-01-01 00:00+01:00  2027-04-01 00:00+02:00"
            in lines
        )
        assert max(len(line) for line in lines) <= 80

    def test_json_with_a_charge(self, tmp_path: Path) -> None:
        """JSON holds every date and the charge: three whole months of 293.72 EUR."""
        terms = attrs.evolve(
            AGREEMENT.termination,
            early_termination_charge=EarlyTerminationCharge.remaining_charges(),
        )
        path = write(tmp_path, "csa.json", attrs.evolve(AGREEMENT, termination=terms))
        result = run("exit", "plan", path, "--notice-date", "2026-12-01", "--format", "json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["effective_at"] == "2027-01-01T00:00:00+01:00"
        assert data["charge"] == {"amount": "881.16", "currency": "EUR"}
        assert [s["step"] for s in data["steps"]] == [
            "notice",
            "effective",
            "retrieval",
            "confirmation",
            "release",
            "deletion",
            "records",
            "written confirmation",
        ]

    def test_the_provider_for_a_listed_reason(self) -> None:
        """The provider may terminate for misuse, which the agreement lists."""
        result = run(
            "exit",
            "plan",
            str(EXAMPLE),
            "--notice-date",
            "2026-12-01",
            "--by",
            "provider",
            "--reason",
            "misuse",
            "--format",
            "json",
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["initiated_by"], data["reason"]) == ("provider", "misuse")

    def test_the_provider_without_a_reason_exits_1_naming_the_reasons(self) -> None:
        """A provider's termination without a listed reason says which reasons are listed."""
        result = run(
            "exit", "plan", str(EXAMPLE), "--notice-date", "2026-12-01", "--by", "provider"
        )
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            (
                "agreement.json: the terms of agreement csa-2026-011 refuse this termination: "
                "1 problem"
            ),
            (
                "  expected one of the reasons the agreement lists: 'misuse', 'non-payment', "
                "got null @ --reason"
            ),
        ]

    def test_an_unlisted_reason_exits_1_in_json_too(self) -> None:
        """Insolvency is not listed: the JSON says so with the problem at --reason."""
        result = run(
            "exit",
            "plan",
            str(EXAMPLE),
            "--notice-date",
            "2026-12-01",
            "--by",
            "provider",
            "--reason",
            "insolvency",
            "--format",
            "json",
        )
        assert result.returncode == 1
        data = json.loads(result.stdout)
        assert data == {
            "refused": True,
            "file": "agreement.json",
            "agreement": "csa-2026-011",
            "problems": [
                {
                    "path": "--reason",
                    "expected": "one of the reasons the agreement lists: 'misuse', 'non-payment'",
                    "got": "'insolvency'",
                }
            ],
        }

    def test_a_party_the_terms_do_not_allow_exits_1(self, tmp_path: Path) -> None:
        """Where only the provider may terminate, the customer's notice is refused at --by."""
        terms = attrs.evolve(AGREEMENT.termination, terminable_by=TerminatingParty.PROVIDER)
        path = write(tmp_path, "csa.json", attrs.evolve(AGREEMENT, termination=terms))
        result = run("exit", "plan", path, "--notice-date", "2026-12-01")
        assert result.returncode == 1
        assert result.stdout.splitlines()[1] == (
            "  expected a party the terms allow to terminate (only the provider may), "
            "got customer @ --by"
        )

    def test_a_notice_before_the_start_exits_1(self) -> None:
        """The agreement starts on 2026-04-01: notice on 31 March is refused."""
        result = run("exit", "plan", str(EXAMPLE), "--notice-date", "2026-03-31")
        assert result.returncode == 1
        assert result.stdout.splitlines()[1] == (
            "  expected an instant no earlier than the agreement's start "
            "(2026-04-01T00:00:00+02:00), got 2026-03-31T00:00:00+02:00 @ --notice-date"
        )

    def test_an_invalid_agreement_exits_1_with_its_problems(self, tmp_path: Path) -> None:
        """An agreement that does not read gets document validate's problems."""
        data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        data["termination"]["notice_period"] = "one month"
        path = write(tmp_path, "csa.json", data)
        result = run("exit", "plan", path, "--notice-date", "2026-12-01")
        assert result.returncode == 1
        assert result.stdout.startswith("csa.json: invalid cloudsms.cloud-service-agreement")
        assert "@ $.termination.notice_period" in result.stdout

    def test_another_document_type_exits_1(self, tmp_path: Path) -> None:
        """A document of another type is not an agreement."""
        path = write(tmp_path, "pool.json", {"type": "cloudsms.resource-pool"})
        result = run("exit", "plan", path, "--notice-date", "2026-12-01")
        assert result.returncode == 1
        assert "expected a document of type 'cloudsms.cloud-service-agreement'" in result.stdout

    @pytest.mark.parametrize(
        ("option", "said"),
        [
            (("--notice-date", "2026-02-30"), "expected a date such as 2026-12-01"),
            (("--notice-date", "1.12.2026"), "expected a date such as 2026-12-01"),
            (("--notice-date", "1899-12-31"), "expected a date from 1900-01-01 to 8999-12-31"),
            (("--notice-date", "2026-12-01", "--by", "either"), "invalid choice: 'either'"),
        ],
    )
    def test_bad_usage_exits_2(self, option: tuple[str, ...], said: str) -> None:
        """A date that is none, out of range, or a party that cannot give notice."""
        result = run("exit", "plan", str(EXAMPLE), *option)
        assert result.returncode == 2
        assert result.stdout == ""
        assert said in result.stderr

    def test_a_missing_file_exits_2(self, tmp_path: Path) -> None:
        """A file that cannot be read is bad usage."""
        result = run("exit", "plan", str(tmp_path / "none.json"), "--notice-date", "2026-12-01")
        assert result.returncode == 2
        assert "cannot read" in result.stderr


def test_the_exit_command_lists_its_verbs() -> None:
    """The help of cloudsms exit names plan and confirmation."""
    result = run("exit", "--help")
    assert result.returncode == 0
    assert "plan" in result.stdout
    assert "confirmation" in result.stdout


class TestTheDocs:
    """docs/cli.md's Exit section shows what the commands print."""

    def test_there_are_samples(self) -> None:
        """A run of exit plan, its refusal and two excerpts of a confirmation."""
        assert (len(SAMPLES), len(REFUSALS), len(EXCERPTS)) == (1, 1, 2)

    def test_the_sample_prints_what_it_shows(self) -> None:
        """Run from the repository's root, the command prints exactly its sample."""
        ((command, shown),) = SAMPLES
        result = run(*shlex.split(command)[1:])
        assert (result.returncode, result.stderr, result.stdout) == (0, "", shown)

    def test_the_refusal_is_what_the_provider_is_told(self) -> None:
        """The same command by the provider for an unlisted reason prints the refusal shown."""
        ((command, _),) = SAMPLES
        words = [*shlex.split(command)[1:], "--by", "provider", "--reason", "insolvency"]
        result = run(*words)
        assert (result.returncode, result.stderr, result.stdout) == (1, "", REFUSALS[0])
