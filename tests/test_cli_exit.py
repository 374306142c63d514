"""cloudsms exit plan and exit confirmation (S13): run as a user runs them.

Each verb's first test and the verb list run ``python -m cloudsms`` in a
fresh interpreter; the others call the command in this process (tests/_cli_run.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs
import pytest

from _cli_run import fresh, in_process
from cloudsms.agreements import CloudServiceAgreement, EarlyTerminationCharge, TerminatingParty
from cloudsms.procedures.termination import DataCategory, ExitConfirmation, ExitProcedure
from cloudsms.serialization import from_json, to_json

if TYPE_CHECKING:
    import subprocess

BERLIN = ZoneInfo("Europe/Berlin")
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
WHO = "actor:exit-desk"
KEY = b"0123456789abcdef0123456789abcdef"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``cloudsms`` with ``args`` in this process, from the repository (tests/_cli_run.py)."""
    return in_process(*args, cwd=ROOT)


def run_fresh(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cloudsms`` with ``args`` in a fresh interpreter, from the repository."""
    return fresh(*args, cwd=ROOT)


def write(folder: Path, name: str, value: object) -> str:
    """Write a cloudsms value (or raw JSON data) to ``folder/name``; its path."""
    path = folder / name
    text = json.dumps(value) if isinstance(value, dict) else to_json(value)
    path.write_text(text, encoding="utf-8")
    return str(path)


def at(month: int, day: int) -> dt.datetime:
    """Midnight in Berlin on a day of 2027."""
    return dt.datetime(2027, month, day, tzinfo=BERLIN)


def walked(*, until: str = "closed", keyed: bool = False) -> ExitProcedure:
    """The example customer's exit from notice on 2026-12-01, up to ``until``."""
    key = KEY if keyed else None
    p = ExitProcedure.initiate(
        AGREEMENT, notice=dt.date(2026, 12, 1), who=WHO, keyed=keyed, key=key
    )
    p = p.take_effect(who=WHO, when=at(1, 1), key=key)
    p = p.record_retrieval("JSON", who=WHO, when=at(1, 4), key=key)
    if until == "retrieval":
        return p
    p = p.confirm_not_needed(who=WHO, when=at(1, 8), key=key)
    p = p.record_release(["rr-7"], who=WHO, when=at(1, 9), key=key)
    for category in DataCategory:
        if category is DataCategory.LOGS:
            p = p.hold(
                category,
                basis="Commercial code, s. 257",
                review_on=dt.date(2033, 1, 1),
                who=WHO,
                when=at(1, 10),
                key=key,
            )
        else:
            p = p.delete(category, "overwrite", who=WHO, when=at(1, 10), key=key)
    p = p.update_records(
        configuration=["ci-globex"],
        capacity=["cap-2027-01"],
        financial=["credit-note-12"],
        who=WHO,
        when=at(1, 11),
        key=key,
    )
    closed, _ = p.issue_confirmation(who=WHO, when=at(1, 12), key=key)
    return closed


class TestExitPlan:
    """cloudsms exit plan AGREEMENT.json --notice-date ..."""

    def test_the_table(self) -> None:
        """The effective date, each step with its deadline, and the charge (none here)."""
        result = run_fresh("exit", "plan", str(EXAMPLE), "--notice-date", "2026-12-01")
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
                "got no --reason @ --reason"
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
            (
                ("--notice-date", "2026-12-01", "--by", "provider", "--reason", "whim"),
                "expected a termination reason ('misuse', 'non-payment', 'insolvency', ",
            ),
        ],
    )
    def test_bad_usage_exits_2(self, option: tuple[str, ...], said: str) -> None:
        """A date that is none, out of range, or a party that cannot give notice."""
        result = run("exit", "plan", str(EXAMPLE), *option)
        assert result.returncode == 2
        assert result.stdout == ""
        assert said in result.stderr

    def test_a_notice_whose_dates_pass_the_range_exits_1_at_the_notice_date(self) -> None:
        """8999-12-31 would take effect in 9000: refused at --notice-date, not at a length."""
        result = run("exit", "plan", str(EXAMPLE), "--notice-date", "8999-12-31")
        assert result.returncode == 1
        assert result.stdout.splitlines()[1] == (
            "  expected a notice whose exit dates stay within the supported range "
            "(before 9000-01-01), got 8999-12-31T00:00:00+01:00 @ --notice-date"
        )

    def test_a_missing_file_exits_2(self, tmp_path: Path) -> None:
        """A file that cannot be read is bad usage."""
        result = run("exit", "plan", str(tmp_path / "none.json"), "--notice-date", "2026-12-01")
        assert result.returncode == 2
        assert "cannot read" in result.stderr


class TestExitConfirmation:
    """cloudsms exit confirmation PROCEDURE.json."""

    def test_markdown_of_a_closed_procedure(self, tmp_path: Path) -> None:
        """Every criterion with its evidence hashes, and the legal hold with its basis."""
        procedure = walked()
        result = run_fresh("exit", "confirmation", write(tmp_path, "exit.json", procedure))
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0] == "# Exit confirmation: globex, agreement csa-2026-011"
        for index, entry in enumerate(procedure.lifecycle.entries[:-1]):
            row = (
                f"| {entry.event} | {entry.who} | {entry.when.isoformat()} | {index} "
                f"| `{entry.hash}` |"
            )
            assert row in lines
        assert "| logs | Commercial code, s. 257 | 2033-01-01 |" in lines

    def test_json_is_the_confirmation_document(self, tmp_path: Path) -> None:
        """The JSON reads back as the ExitConfirmation of the procedure, and validates."""
        procedure = walked()
        path = write(tmp_path, "exit.json", procedure)
        result = run("exit", "confirmation", path, "--format", "json")
        assert result.returncode == 0, result.stderr
        confirmation = from_json(ExitConfirmation, result.stdout)
        assert confirmation == ExitConfirmation.of(procedure)
        assert confirmation.problems(procedure) == []
        saved = tmp_path / "confirmation.json"
        saved.write_text(result.stdout, encoding="utf-8")
        checked = run("document", "validate", str(saved))
        assert checked.returncode == 0, checked.stdout
        assert checked.stdout.startswith("confirmation.json: valid cloudsms.exit-confirmation")

    def test_check_a_matching_confirmation_exits_0(self, tmp_path: Path) -> None:
        """--check: the confirmation the procedure gives matches it (finding 11)."""
        procedure = walked()
        path = write(tmp_path, "exit.json", procedure)
        confirmation = write(tmp_path, "confirmation.json", ExitConfirmation.of(procedure))
        result = run("exit", "confirmation", path, "--check", confirmation)
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout == (
            "confirmation.json matches exit.json: exit procedure 'exit-csa-2026-011'\n"
        )
        data = run("exit", "confirmation", path, "--check", confirmation, "--format", "json")
        assert json.loads(data.stdout) == {
            "valid": True,
            "file": "confirmation.json",
            "procedure": "exit-csa-2026-011",
            "problems": [],
        }

    def test_check_a_confirmation_with_other_evidence_exits_1(self, tmp_path: Path) -> None:
        """--check: evidence naming another entry's hash is reported at its path."""
        procedure = walked()
        data = json.loads(to_json(ExitConfirmation.of(procedure)))
        other = procedure.lifecycle.entries[1].hash
        data["criteria"][0]["evidence"][0]["hash"] = other
        path = write(tmp_path, "exit.json", procedure)
        result = run(
            "exit", "confirmation", path, "--check", write(tmp_path, "confirmation.json", data)
        )
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert lines[0].startswith(
            "confirmation.json: invalid exit confirmation for exit.json "
            "(procedure 'exit-csa-2026-011'): "
        )
        assert any(
            line.endswith("@ $.criteria[0].evidence[0].hash") and other in line
            for line in lines[1:]
        )

    def test_check_an_invalid_confirmation_document_exits_1(self, tmp_path: Path) -> None:
        """--check: a file that is no exit confirmation gets its document problems."""
        path = write(tmp_path, "exit.json", walked())
        other = write(tmp_path, "other.json", walked())
        result = run("exit", "confirmation", path, "--check", other)
        assert result.returncode == 1
        assert "expected a document of type 'cloudsms.exit-confirmation'" in result.stdout

    def test_a_procedure_not_closed_exits_1(self, tmp_path: Path) -> None:
        """No written confirmation before the procedure is closed."""
        path = write(tmp_path, "exit.json", walked(until="retrieval"))
        result = run("exit", "confirmation", path)
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            "exit.json: invalid exit procedure 'exit-csa-2026-011': 1 problem",
            (
                "  expected a closed exit procedure (its confirmation issued), "
                "got 'retrieval' @ $.lifecycle.state"
            ),
        ]

    def test_a_tampered_trail_exits_1(self, tmp_path: Path) -> None:
        """An entry edited after the fact breaks the chain: no confirmation is written."""
        data = json.loads(to_json(walked()))
        data["lifecycle"]["history"][6]["when"] = "2026-12-15T00:00:00+01:00[Europe/Berlin]"
        result = run("exit", "confirmation", write(tmp_path, "exit.json", data))
        assert result.returncode == 1
        assert "# Exit confirmation" not in result.stdout
        assert "$.lifecycle" in result.stdout

    def test_a_keyed_trail_with_its_key(self, tmp_path: Path) -> None:
        """A keyed trail is verified with --key-file; without it the command refuses (2)."""
        path = write(tmp_path, "exit.json", walked(keyed=True))
        key_file = tmp_path / "key"
        key_file.write_bytes(KEY)
        result = run("exit", "confirmation", path, "--key-file", str(key_file))
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("# Exit confirmation")
        missing = run("exit", "confirmation", path)
        assert missing.returncode == 2
        assert "needs its key (--key-file)" in missing.stderr

    def test_a_wrong_key_exits_1(self, tmp_path: Path) -> None:
        """A key other than the trail's breaks it at its first entry."""
        path = write(tmp_path, "exit.json", walked(keyed=True))
        key_file = tmp_path / "key"
        key_file.write_bytes(b"x" * 32)
        result = run("exit", "confirmation", path, "--key-file", str(key_file))
        assert result.returncode == 1
        assert "@ $.lifecycle.history[0]" in result.stdout

    def test_another_document_type_exits_1(self) -> None:
        """An agreement is not an exit procedure."""
        result = run("exit", "confirmation", str(EXAMPLE))
        assert result.returncode == 1
        assert "expected a document of type 'cloudsms.exit-procedure'" in result.stdout


def test_the_exit_command_lists_its_verbs() -> None:
    """The help of cloudsms exit names plan and confirmation."""
    result = run_fresh("exit", "--help")
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

    def test_the_confirmation_excerpts_are_real(self, tmp_path: Path) -> None:
        """The Markdown excerpts are the beginning and the end of walked()'s confirmation."""
        result = run("exit", "confirmation", write(tmp_path, "exit.json", walked()))
        assert result.returncode == 0, result.stderr
        first, last = EXCERPTS
        assert result.stdout.startswith(first)
        assert result.stdout.endswith(last)
