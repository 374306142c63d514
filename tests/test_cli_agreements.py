"""cloudsms agreement show (S07): the agreement as a table and as JSON, run as a user runs it.

The first table runs ``python -m cloudsms`` in a fresh interpreter; the other tests call
the same command in this process (tests/_cli_run.py), its output and status alike.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from _cli_run import fresh, in_process
from cloudsms.agreements import (
    ClaimMethod,
    CloudServiceAgreement,
    CreditTerms,
    CreditTier,
    EarlyTerminationCharge,
    ServiceTarget,
)
from cloudsms.errors import ValidationError
from cloudsms.money import Money
from cloudsms.reports import TARGET_COLUMNS, agreement_report, agreement_rows, agreement_table
from cloudsms.serialization import to_json
from cloudsms.units import quantity

if TYPE_CHECKING:
    from types import ModuleType

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "agreement.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("agreement_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _example()


run = in_process  # the command in this process, as python -m cloudsms runs it


@pytest.fixture(scope="module")
def agreement() -> CloudServiceAgreement:
    """The example's agreement: premium CRM with the four-nines upgrade."""
    made: CloudServiceAgreement = example.agree(example.catalogue())
    return made


def write(folder: Path, name: str, value: CloudServiceAgreement | dict[str, object]) -> Path:
    """Write an agreement (or raw JSON data) to ``folder/name``."""
    path = folder / name
    text = to_json(value) if isinstance(value, CloudServiceAgreement) else json.dumps(value)
    path.write_text(text, encoding="utf-8")
    return path


class TestTable:
    """The table for people."""

    def test_shows_every_part(self, tmp_path: Path, agreement: CloudServiceAgreement) -> None:
        """Parties, period, services, targets with exclusions and credits, charges, terms."""
        result = fresh("agreement", "show", str(write(tmp_path, "csa.json", agreement)))
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        out = result.stdout
        lines = out.splitlines()
        assert lines[0] == "Agreement csa-2026-001, version 1"
        assert "  provider            ACME Cloud" in lines
        assert "  customer            globex" in lines
        assert "  period              from 2026-04-01T00:00:00+00:00, open-ended" in lines
        assert "  crm-service  crm    premium   four-nines  EUR 850.00 every P1M" in lines
        assert (
            "  uptime         availability                   at least  99.99 %    month" in lines
        )
        assert (
            "  p1-resolution  incident resolution time (P1)  at most   8 h        month" in lines
        )
        assert "maintenance announced at least P5D ahead; outages caused" in out
        assert "by customer, force_majeure" in out
        assert "    expected up         24x7" in lines
        assert "below 99.99 %: 10 %; below 99.9 %: 25 %; cap 50 %;" in out
        assert "  EUR 1200            Data migration" in lines
        assert "  provider reasons    misuse, non-payment" in lines
        assert "  early termination   fixed: EUR 500" in lines
        assert "  retrieval window    P30D" in lines
        assert "  retention window    P90D" in lines
        assert "  export formats      CSV, JSON" in lines
        assert max(len(line) for line in lines) <= 80

    def test_control_characters_are_escaped(
        self, tmp_path: Path, agreement: CloudServiceAgreement
    ) -> None:
        """A provider name with an escape sequence prints as its escape; JSON keeps it exact."""
        hostile = attrs.evolve(agreement, provider="ACME\x1b[31m Cloud\u202e")
        path = write(tmp_path, "csa.json", hostile)
        table = run("agreement", "show", str(path))
        assert table.returncode == 0, table.stderr
        assert "\x1b" not in table.stdout
        assert "\u202e" not in table.stdout
        assert "ACME\\x1b[31m Cloud\\u202e" in table.stdout
        data = json.loads(run("agreement", "show", str(path), "--format", "json").stdout)
        assert data["parties"]["provider"] == "ACME\x1b[31m Cloud\u202e"

    def test_other_forms_of_terms(self, agreement: CloudServiceAgreement) -> None:
        """An end, claimed credits with an amount cap, a share of the remaining charges."""
        uptime = attrs.evolve(
            example.UPTIME,
            credits=CreditTerms(
                tiers=(CreditTier(worse_than=quantity("99.99 %"), credit=Decimal(10)),),
                cap_amount=Money("100", "EUR"),
                claim=ClaimMethod.CLAIMED,
                claim_within=relativedelta(months=2),
            ),
        )
        sla = attrs.evolve(agreement.slas[0], targets=(uptime,))
        other = attrs.evolve(
            agreement,
            end=dt.datetime(2028, 4, 1, tzinfo=dt.UTC),
            slas=(sla,),
            one_off_charges=(),
            termination=attrs.evolve(
                agreement.termination,
                early_termination_charge=EarlyTerminationCharge.share_of_remaining(50),
                withdrawable=True,
            ),
        )
        text = agreement_table(other)
        assert "  period              from 2026-04-01T00:00:00+00:00, until\n" in text
        assert "2028-04-01T00:00:00+00:00\n" in text
        assert "below 99.99 %: 10 %; cap EUR 100; claimed within P2M" in text
        assert "50 % of the remaining charges of the minimum term" in text
        assert "One-off charges\n  none" in text
        assert "  withdrawable        yes" in text
        report = agreement_report(other)
        assert report["period"]["end"] == "2028-04-01T00:00:00+00:00"
        assert report["slas"][0]["targets"][0]["credits"] == {
            "tiers": [{"worse_than": "99.99 %", "credit_percent": "10"}],
            "cap_percent": None,
            "cap_amount": {"amount": "100", "currency": "EUR"},
            "claim": "claimed",
            "claim_within": "P2M",
        }
        assert report["termination"]["early_termination_charge"] == {
            "kind": "share of remaining charges",
            "amount": None,
            "percent": "50",
        }


class TestJson:
    """The machine-readable form."""

    def test_structure(self, tmp_path: Path, agreement: CloudServiceAgreement) -> None:
        """Fixed keys in order; the values of the example agreement."""
        path = write(tmp_path, "csa.json", agreement)
        result = run("agreement", "show", str(path), "--format", "json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert list(data) == [
            "type",
            "schema_version",
            "id",
            "version",
            "parties",
            "period",
            "services",
            "slas",
            "one_off_charges",
            "termination",
            "exit",
        ]
        assert data["type"] == "cloudsms.cloud-service-agreement"
        assert data["parties"] == {"provider": "ACME Cloud", "customer": "globex"}
        assert data["period"] == {
            "effective_from": "2026-04-01T00:00:00+00:00",
            "end": None,
            "timezone": "Europe/Berlin",
        }
        assert data["services"] == [
            {
                "service": "crm-service",
                "entry": "crm",
                "offering": "premium",
                "upgrades": ["four-nines"],
                "commitments": [
                    {"item": "premium", "quantity": "50 user"},
                    {"item": "four-nines", "quantity": "50 user"},
                ],
                "recurring_charge": {"amount": "850.00", "currency": "EUR", "every": "P1M"},
            }
        ]
        uptime, p1 = data["slas"][0]["targets"]
        assert uptime == {
            "id": "uptime",
            "metric": "availability",
            "measure": "availability",
            "bound": "at least",
            "threshold": "99.99 %",
            "canonical": {"value": "99.99", "unit": "percent"},
            "percentile": None,
            "priority": None,
            "predicate": None,
            "description": None,
            "period": "month",
            "uptime": "24x7",
            "exclusions": {"maintenance_notice": "P5D", "causes": ["customer", "force_majeure"]},
            "credits": {
                "tiers": [
                    {"worse_than": "99.99 %", "credit_percent": "10"},
                    {"worse_than": "99.9 %", "credit_percent": "25"},
                ],
                "cap_percent": "50",
                "cap_amount": None,
                "claim": "automatic",
                "claim_within": None,
            },
        }
        assert p1["metric"] == "incident resolution time"
        assert p1["priority"] == "P1"
        assert p1["canonical"] == {"value": "28800", "unit": "second"}
        assert p1["credits"] is None
        assert data["one_off_charges"] == [
            {"description": "Data migration", "amount": "1200", "currency": "EUR"}
        ]
        assert data["termination"] == {
            "terminable_by": "either",
            "provider_reasons": ["misuse", "non-payment"],
            "notice_period": "P1M",
            "minimum_term": "P1Y",
            "early_termination_charge": {
                "kind": "fixed",
                "amount": {"amount": "500", "currency": "EUR"},
                "percent": None,
            },
            "withdrawable": False,
        }
        assert data["exit"] == {
            "retrieval_window": "P30D",
            "export_formats": ["CSV", "JSON"],
            "retention_window": "P90D",
            "backup_retention": "until confirmation",
        }
        assert data == agreement_report(agreement)

    def test_rows_one_per_target(self, agreement: CloudServiceAgreement) -> None:
        """agreement_rows: one row per target, keyed by TARGET_COLUMNS."""
        rows = agreement_rows(agreement)
        assert [list(r) for r in rows] == [list(TARGET_COLUMNS)] * 2
        assert rows[1] == {
            "sla": "crm-sla",
            "target": "p1-resolution",
            "metric": "incident resolution time (P1)",
            "bound": "at most",
            "threshold": "8 h",
            "period": "month",
            "uptime": "24x7",
            "excluded": "none",
            "credits": "none",
        }


class TestRefusals:
    """What is not a valid agreement: every problem with its path, status 1 or 2."""

    def test_invalid_agreement_lists_problems(
        self, tmp_path: Path, agreement: CloudServiceAgreement
    ) -> None:
        """Each problem on its own line with its path; status 1; nothing on stderr."""
        data = json.loads(to_json(agreement))
        del data["exit"]
        data["provider"] = 5
        path = write(tmp_path, "bad.json", data)
        result = run("agreement", "show", str(path))
        assert result.returncode == 1
        assert result.stderr == ""
        lines = result.stdout.splitlines()
        assert lines[0] == (
            "bad.json: invalid cloudsms.cloud-service-agreement, schema version 1: 2 problems"
        )
        assert any(line.endswith("@ $.exit") for line in lines[1:])
        assert "  expected a string, got 5 (integer) @ $.provider" in lines
        as_json = json.loads(run("agreement", "show", str(path), "--format", "json").stdout)
        assert as_json["valid"] is False
        assert sorted(p["path"] for p in as_json["problems"]) == ["$.exit", "$.provider"]

    def test_another_document_type(self, tmp_path: Path) -> None:
        """A valid document of another type is a problem at $.type."""
        path = write(tmp_path, "c.json", {"type": "cloudsms.complaint", "id": "x"})
        result = run("agreement", "show", str(path))
        assert result.returncode == 1
        assert result.stdout.splitlines()[1] == (
            "  expected a document of type 'cloudsms.cloud-service-agreement', "
            "got 'cloudsms.complaint' (string) @ $.type"
        )

    def test_repeated_key(self, tmp_path: Path) -> None:
        """The document is read strictly: a repeated key is a problem."""
        path = tmp_path / "twice.json"
        path.write_text('{"type": "cloudsms.cloud-service-agreement", "id": "a", "id": "b"}')
        result = run("agreement", "show", str(path))
        assert result.returncode == 1
        assert "expected an object whose keys are distinct, got 2 times @ $.id" in result.stdout

    def test_unreadable_file(self, tmp_path: Path) -> None:
        """A missing file is a usage error: status 2, one line on stderr."""
        result = run("agreement", "show", str(tmp_path / "missing.json"))
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith("cloudsms: cannot read ")
        assert result.stderr.endswith("No such file or directory\n")

    def test_csv_is_not_a_format(self, tmp_path: Path, agreement: CloudServiceAgreement) -> None:
        """Only table and json are offered."""
        result = run(
            "agreement", "show", str(write(tmp_path, "a.json", agreement)), "--format", "csv"
        )
        assert result.returncode == 2
        assert "invalid choice: 'csv'" in result.stderr

    def test_report_refuses_other_values(self) -> None:
        """The report functions take an agreement only."""
        for function in (agreement_report, agreement_rows, agreement_table):
            with pytest.raises(ValidationError) as caught:
                function("csa")  # type: ignore[arg-type]
            assert caught.value.problems[0].path == "$.agreement"


def test_example_runs() -> None:
    """examples/agreement.py checks, credits, round-trips and shows the agreement."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "check_agreement against the catalogue: no problems" in result.stdout
    assert "credit EUR 85.00" in result.stdout
    assert "Saved as JSON and read back unchanged: True" in result.stdout
    assert "Agreement csa-2026-001, version 1" in result.stdout


def test_qualitative_target_shows_its_predicate(agreement: CloudServiceAgreement) -> None:
    """A qualitative objective shows its predicate where a threshold would be."""
    target = ServiceTarget(id="docs", predicate="runbook-published", description="A runbook")
    sla = attrs.evolve(agreement.slas[0], targets=(*agreement.slas[0].targets, target))
    row = agreement_rows(attrs.evolve(agreement, slas=(sla,)))[-1]
    assert (row["metric"], row["bound"], row["threshold"]) == (
        "qualitative",
        "predicate",
        "runbook-published",
    )
    data = agreement_report(attrs.evolve(agreement, slas=(sla,)))["slas"][0]["targets"][-1]
    assert (data["predicate"], data["bound"], data["threshold"], data["canonical"]) == (
        "runbook-published",
        None,
        None,
        None,
    )
