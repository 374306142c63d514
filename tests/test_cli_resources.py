"""cloudsms cost profile (issue 16, section 3; S11): run as a user runs it.

The example's files, run in their folder as docs/cli.md shows, go through ``python -m
cloudsms`` in a fresh interpreter; the other tests call the same command in this process
(tests/_cli_run.py), its output and status alike.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from _cli_run import in_process
from cloudsms import cli
from cloudsms.catalogue import Catalogue
from cloudsms.cli import main
from cloudsms.errors import Problem
from cloudsms.periods import Period
from cloudsms.reports import COST_COLUMNS, cost_profile_data, read_focus
from cloudsms.resources import CostProfile, RateCard, read_allocations, read_usage
from cloudsms.serialization import from_json, to_json

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "resources"
EXAMPLE = ROOT / "examples" / "resize_and_bill.py"
IN_THE_FOLDER = re.compile(
    r"^```console\n\$ cd examples/data/resources\n\$ (cloudsms [^\n]*)\n(.*?)^```$",
    re.MULTILINE | re.DOTALL,
)
"""docs/cli.md's sample run in the example's data folder: its command and what it prints."""


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_resources_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["cli_resources_example"] = module
    spec.loader.exec_module(module)
    return module


example = _example()
SHOP = example.catalogue()
AGREEMENT = example.agree(SHOP)


run = in_process  # the command in this process, as python -m cloudsms runs it


class Files:
    """The agreement, its rate card and catalogue, and the month's allocations and usage."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.agreement = folder / "agreement.json"
        self.agreement.write_text(to_json(AGREEMENT), encoding="utf-8")
        self.rates = folder / "rates.json"
        self.rates.write_text(to_json(RateCard.for_agreement(AGREEMENT, SHOP)), encoding="utf-8")
        self.catalogue = folder / "catalogue.json"
        self.catalogue.write_text(to_json(SHOP), encoding="utf-8")
        self.allocations = folder / "allocations.csv"
        shutil.copy(DATA / "allocations.csv", self.allocations)
        self.usage = folder / "usage.csv"
        shutil.copy(DATA / "usage.csv", self.usage)

    def profile(self, *extra: str, allocations: Path | None = None) -> list[str]:
        """The arguments of ``cost profile`` for October 2026 with the rate card."""
        held = allocations or self.allocations
        return [
            "cost",
            "profile",
            str(self.agreement),
            str(held),
            "--period",
            "2026-10",
            "--rates",
            str(self.rates),
            *extra,
        ]


@pytest.fixture
def files(tmp_path: Path) -> Files:
    """The example's files in a folder of their own."""
    return Files(tmp_path)


class TestTheExampleData:
    """The documents of examples/data/resources are the example's agreement and catalogue."""

    def test_agreement_json(self) -> None:
        """The file holds what ``python examples/resize_and_bill.py --json`` writes."""
        written = (DATA / "agreement.json").read_text(encoding="utf-8")
        assert written == to_json(AGREEMENT, indent=2) + "\n"

    def test_catalogue_json(self) -> None:
        """The file holds what ``python examples/resize_and_bill.py --catalogue-json`` writes."""
        written = (DATA / "catalogue.json").read_text(encoding="utf-8")
        assert written == to_json(SHOP, indent=2) + "\n"
        assert from_json(Catalogue, written) == SHOP

    def test_the_provider_side_of_the_example(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Steps 5 to 7: FOCUS rows read back, the pool's threshold dates, the margin.

        The pool's vcpu history grows by 0.4615 a day (the least-squares slope of 658
        days); 316 of 512 vcpu are held on 20 October 2026, and the fitted line, which
        runs below that, reaches 75 % (384 vcpu) on 6 April 2027.
        """
        kept = tmp_path / "focus.csv"
        example.main(["--focus", str(kept)])
        out = capsys.readouterr().out
        assert "   10 rows written to focus.csv; read back as the same lines: True" in out
        assert len(read_focus(kept)) == 10
        assert "vcpu: 316 vcpu held of 512 vcpu (~61.72 %)" in out
        assert "  warn at 75 %: 2027-04-06" in out
        found = re.search(r"charge EUR ([\d.]+) - cost to serve EUR ([\d.]+) = EUR ([\d.]+)", out)
        assert found is not None
        charge, cost, earned = (Decimal(found.group(i)) for i in (1, 2, 3))
        assert (charge, charge - cost) == (Decimal("507.28"), earned)

    def test_the_example_files_priced_from_the_catalogue(self) -> None:
        """``--catalogue catalogue.json`` in the folder prices October as the example does."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cloudsms",
                *("cost", "profile", "agreement.json", "allocations.csv"),
                *("--period", "2026-10", "--catalogue", "catalogue.json"),
                *("--usage", "usage.csv", "--format", "json"),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=DATA,
        )
        assert (result.returncode, result.stderr) == (0, "")
        profile = CostProfile.build(
            AGREEMENT,
            read_allocations(DATA / "allocations.csv"),
            read_usage(DATA / "usage.csv"),
            Period.month(2026, 10, AGREEMENT.timezone),
            rates=RateCard.for_agreement(AGREEMENT, SHOP),
        )
        assert json.loads(result.stdout) == cost_profile_data(profile)

    def test_the_docs_sample_run_in_the_folder(self) -> None:
        """docs/cli.md's sample, run in examples/data/resources, prints what it shows."""
        page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
        (command, shown), *others = IN_THE_FOLDER.findall(page)
        assert others == []
        assert "--catalogue catalogue.json" in command
        result = subprocess.run(
            [sys.executable, "-m", "cloudsms", *shlex.split(command)[1:]],
            capture_output=True,
            text=True,
            check=False,
            cwd=DATA,
        )
        assert (result.returncode, result.stderr, result.stdout) == (0, "", shown)


class TestProfile:
    """The three formats of October 2026."""

    def test_table(self, files: Files) -> None:
        """The heading, each service with its lines, the total rounded once."""
        result = run(*files.profile("--usage", str(files.usage)))
        assert (result.returncode, result.stderr) == (0, "")
        lines = result.stdout.splitlines()
        assert lines[:2] == [
            "Cost profile of agreement csa-2026-011 (customer globex), in EUR",
            "2026-10-01 00:00 to 2026-11-01 00:00 Europe/Berlin (745 h)",
        ]
        assert "iaas-compute: EUR 362.95" in lines
        assert (
            "vcpu           vm-web-1       4 vcpu           0.042/vcpu*hour        745 h    125.16"
            in lines
        )
        assert lines[-2] == (
            "Total EUR 460.74: the exact sum of the lines, 460.741870334625244140625, rounded"
            " once, half to even"
        )

    def test_json(self, files: Files) -> None:
        """Exact lines, the rounded total, splits adding up to it."""
        result = run(*files.profile("--usage", str(files.usage), "--format", "json"))
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["agreement"], data["total"]) == (
            "csa-2026-011",
            {"amount": "460.74", "currency": "EUR"},
        )
        assert sum(Fraction(line["exact"]) for line in data["lines"]) == Fraction(
            data["exact_total_fraction"]
        )
        for parts in data["splits"].values():
            assert sum(Decimal(part) for part in parts.values()) == Decimal("460.74")
        kinds = [line["kind"] for line in data["lines"]]
        assert kinds.count("usage") == 2
        assert kinds[-1] == "commitment"

    def test_csv(self, files: Files) -> None:
        """One row per line and a total row; the lines' exact amounts add up to its exact sum."""
        result = run(*files.profile("--format", "csv"))
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows[-1]["kind"] == "total"
        assert sum(Fraction(row["exact"]) for row in rows[:-1]) == Fraction(rows[-1]["exact"])
        assert [row["kind"] for row in rows[:-1]].count("usage") == 0

    def test_catalogue_gives_the_rate_card(self, files: Files) -> None:
        """--catalogue builds the same rates as the rate card written from it."""
        with_rates = run(*files.profile("--format", "json"))
        arguments = files.profile("--format", "json")
        place = arguments.index("--rates")
        arguments[place : place + 2] = ["--catalogue", str(files.catalogue)]
        with_catalogue = run(*arguments)
        assert with_catalogue.returncode == 0, with_catalogue.stderr
        assert json.loads(with_catalogue.stdout) == json.loads(with_rates.stdout)

    def test_another_month(self, files: Files) -> None:
        """September: the holdings of that month only."""
        arguments = files.profile("--format", "json")
        arguments[arguments.index("2026-10")] = "2026-09"
        data = json.loads(run(*arguments).stdout)
        assert data["period"]["start"] == "2026-09-01T00:00:00+02:00"
        assert {line["resource_id"] for line in data["lines"]} == {
            "vm-batch-1",
            "vol-archive-1",
            None,
        }


class TestLeftOut:
    """Rows of other agreements are left out and said (review of issue 16, defect 7).

    A typing slip in the agreement column gives no line and no problem: the note
    says how many rows were set aside and, for an id that differs only by case,
    which was meant, under the table or on standard error beside JSON and CSV.
    """

    NOTE = (
        "Left out: 2 rows (2 allocations): 1 of agreement CSA-2026-011 (did you mean"
        " csa-2026-011? the ids differ only by case), 1 of agreement csa-2026-11"
    )

    @staticmethod
    def slipped(files: Files) -> Files:
        """The example's allocations with two rows whose agreement id is typed wrong."""
        text = (DATA / "allocations.csv").read_text(encoding="utf-8")
        slips = (
            "globex,csa-2026-11,iaas-compute,vcpu,4,vcpu,2026-10-01T00:00:00+02:00,,,,\n"
            "globex,CSA-2026-011,iaas-compute,vcpu,4,vcpu,2026-10-01T00:00:00+02:00,,,,\n"
        )
        files.allocations.write_text(text + slips, encoding="utf-8")
        return files

    def test_table(self, files: Files) -> None:
        """The note is the table's last line; the profile is printed, status 0."""
        result = run(*self.slipped(files).profile())
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.splitlines()[-1] == self.NOTE

    def test_json(self, files: Files) -> None:
        """The data carries what was left out; the note goes to standard error."""
        result = run(*self.slipped(files).profile("--format", "json"))
        assert result.returncode == 0
        assert json.loads(result.stdout)["left_out"] == {
            "rows": 2,
            "allocations": 2,
            "usage": 0,
            "other_agreements": {"CSA-2026-011": 1, "csa-2026-11": 1},
            "case_only": ["CSA-2026-011"],
            "outside_term": 0,
        }
        assert result.stderr == f"cloudsms: note: {self.NOTE}\n"

    def test_csv(self, files: Files, capsys: pytest.CaptureFixture[str]) -> None:
        """CSV stays rows of data; the note goes to standard error (run in this process)."""
        status = main(self.slipped(files).profile("--format", "csv"))
        captured = capsys.readouterr()
        assert status == 0
        assert captured.out.splitlines()[0] == ",".join(COST_COLUMNS)
        assert captured.err == f"cloudsms: note: {self.NOTE}\n"

    def test_nothing_left_out(self, files: Files) -> None:
        """The example's own files name only its agreement: no note anywhere."""
        result = run(*files.profile("--format", "csv"))
        assert (result.returncode, result.stderr) == (0, "")


class TestBadInput:
    """Status 1 with the problems for bad files, nothing computed; 2 for usage errors."""

    def test_a_bad_row(self, files: Files) -> None:
        """The cell is named at file:line:column and no total is printed."""
        bad = files.folder / "allocations.csv"
        rows = (DATA / "allocations.csv").read_text(encoding="utf-8").splitlines()
        rows[3] = rows[3].replace(",2,vcpu,", ",2,GiB,")
        bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
        result = run(*files.profile())
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            "allocations.csv: invalid allocations file: 1 problem",
            (
                "  expected a unit of vcpu (convertible to vcpu) (column 6), got 'GiB' (string)"
                " @ allocations.csv:4:unit"
            ),
        ]
        assert "Total" not in result.stdout

    def test_a_bad_usage_row(self, files: Files) -> None:
        """Usage is read as strictly."""
        files.usage.write_text(
            "customer,agreement,service,resource_type,quantity,unit,start,end\n"
            "globex,csa-2026-011,iaas-compute,requests,-5,request,"
            "2026-10-01T00:00:00+02:00,2026-11-01T00:00:00+01:00\n",
            encoding="utf-8",
        )
        result = run(*files.profile("--usage", str(files.usage)))
        assert result.returncode == 1
        assert result.stdout.startswith("usage.csv: invalid usage file: 1 problem")
        assert result.stdout.rstrip().endswith("@ usage.csv:2:quantity")

    def test_a_row_the_rates_do_not_price(self, files: Files) -> None:
        """A service the agreement lacks is named at its row, after a blank line."""
        text = (DATA / "allocations.csv").read_text(encoding="utf-8")
        odd = "globex,csa-2026-011,iaas-gpu,vcpu,1,vcpu,2026-10-01T00:00:00+02:00,,,,\n"
        files.allocations.write_text(text + "\n" + odd, encoding="utf-8")
        result = run(*files.profile())
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert lines[0] == (
            "agreement.json: invalid cost profile of agreement 'csa-2026-011' for 2026-10:"
            " 1 problem"
        )
        assert lines[1].endswith("@ allocations.csv:9:service")

    def test_an_invalid_rate_card(self, files: Files) -> None:
        """Its problems, as document validate prints them."""
        data = json.loads(files.rates.read_text(encoding="utf-8"))
        data["currency"] = "EURO"
        files.rates.write_text(json.dumps(data), encoding="utf-8")
        result = run(*files.profile())
        assert result.returncode == 1
        assert result.stdout.startswith("rates.json: invalid cloudsms.rate-card")
        assert "@ $.currency" in result.stdout

    def test_an_invalid_agreement(self, files: Files) -> None:
        """The agreement's problems, as document validate prints them."""
        data = json.loads(files.agreement.read_text(encoding="utf-8"))
        del data["priorities"]
        files.agreement.write_text(json.dumps(data), encoding="utf-8")
        result = run(*files.profile())
        assert result.returncode == 1
        assert "expected a value (required), got nothing @ $.priorities" in result.stdout

    def test_a_catalogue_without_the_entries(self, files: Files) -> None:
        """A catalogue that is not the agreement's names the subscriptions it cannot price."""
        catalogue = json.loads(files.catalogue.read_text(encoding="utf-8"))
        catalogue["entries"] = catalogue["entries"][:1]
        catalogue["graph"]["services"] = catalogue["graph"]["services"][:1]
        files.catalogue.write_text(json.dumps(catalogue), encoding="utf-8")
        arguments = files.profile()
        place = arguments.index("--rates")
        arguments[place : place + 2] = ["--catalogue", str(files.catalogue)]
        result = run(*arguments)
        assert result.returncode == 1
        assert result.stdout.startswith(
            "catalogue.json: invalid rate card for agreement 'csa-2026-011': 1 problem"
        )
        assert "@ $.subscriptions[1].entry_id" in result.stdout

    @pytest.mark.parametrize(
        ("remove", "add"),
        [
            (["--rates"], []),
            ([], ["--catalogue", "catalogue.json"]),
        ],
    )
    def test_rates_or_catalogue(self, files: Files, remove: list[str], add: list[str]) -> None:
        """One of --rates and --catalogue is needed, and not both: status 2."""
        arguments = files.profile(*add)
        for option in remove:
            place = arguments.index(option)
            del arguments[place : place + 2]
        result = run(*arguments)
        assert result.returncode == 2
        assert result.stdout == ""
        expected = (
            "one of the arguments --rates --catalogue is required"
            if remove
            else "argument --catalogue: not allowed with argument --rates"
        )
        assert expected in result.stderr

    def test_a_missing_file(self, files: Files) -> None:
        """Status 2, one line on standard error."""
        result = run(*files.profile(allocations=files.folder / "nowhere.csv"))
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith("cloudsms: cannot read ")
        assert result.stderr.count("\n") == 1

    @pytest.mark.parametrize("period", ["2026-13", "October"])
    def test_a_bad_period(self, files: Files, period: str) -> None:
        """Bad usage: status 2 naming the expected form."""
        arguments = files.profile()
        arguments[arguments.index("2026-10")] = period
        result = run(*arguments)
        assert result.returncode == 2
        assert "expected a month such as 2026-10" in result.stderr

    @pytest.mark.parametrize(
        ("period", "expected"),
        [
            ("1899-01", "expected a month from 1900-01 to 8999-12, got '1899-01'"),
            ("9999-12", "expected a month from 1900-01 to 8999-12, got '9999-12'"),
            (
                "1900-01",
                (
                    "expected a month that begins and ends, in the agreement's time zone "
                    "(Europe/Berlin), from 1900-01-01T00:00Z up to 9000-01-01T00:00Z, got "
                    "'1900-01'"
                ),
            ),
        ],
    )
    def test_a_month_no_period_holds(self, files: Files, period: str, expected: str) -> None:
        """A month outside the instants a period holds is bad usage, said as argparse says it.

        1900-01 is a month of the calendar, but in Berlin it begins an hour before
        1900-01-01T00:00Z: the command's usage and the argument's error, status 2,
        never a raw 'Period is rejected'.
        """
        arguments = files.profile()
        arguments[arguments.index("2026-10")] = period
        result = run(*arguments)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr.startswith("usage: cloudsms cost profile")
        last = result.stderr.splitlines()[-1]
        assert last == f"cloudsms cost profile: error: argument --period: {expected}"

    def test_every_problem_of_the_rate_card_at_once(self, files: Files) -> None:
        """A rate card's problems come in one run, under its own name, before any pricing.

        The document's own problems (a negative price, tiers out of order) come with
        those of the rates that read: another currency than the card's, an unknown
        resource type, a price that cannot price its type; none is blamed on the
        agreement.
        """
        vcpu = {"amount": {"amount": "0.042", "currency": "USD"}, "unit": "vcpu"}
        card = {
            "type": "cloudsms.rate-card",
            "schema_version": 1,
            "currency": "EUR",
            "rates": [
                {"resource_type": "vcpu", "price": vcpu},
                {
                    "resource_type": "memory",
                    "price": {"amount": {"amount": "-1", "currency": "EUR"}, "unit": "GiB*hour"},
                },
                {
                    "resource_type": "vpcu",
                    "price": {"amount": {"amount": "1", "currency": "EUR"}, "unit": "vcpu*hour"},
                },
            ],
        }
        files.rates.write_text(json.dumps(card), encoding="utf-8")
        result = run(*files.profile())
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert lines[0] == "rates.json: invalid cloudsms.rate-card, schema version 1: 4 problems"
        assert [line.rpartition(" @ ")[2] for line in lines[1:]] == [
            "$.rates[1].price.amount",
            "$.rates[0].price.amount.currency",
            "$.rates[0].price",
            "$.rates[2].resource_type",
        ]
        assert "close matches: vcpu" in lines[4]

    def test_a_rate_card_that_reads_but_cannot_price(self, files: Files) -> None:
        """A card that reads, with a rate that cannot price its type: the card is named."""
        data = json.loads(files.rates.read_text(encoding="utf-8"))
        data["rates"][0]["price"]["unit"] = "vcpu"
        files.rates.write_text(json.dumps(data), encoding="utf-8")
        result = run(*files.profile())
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert lines[0] == "rates.json: invalid cloudsms.rate-card, schema version 1: 1 problem"
        assert lines[1].endswith("@ $.rates[0].price")


class TestInProcess:
    """The same command run in this process (what coverage measures), one path each."""

    @staticmethod
    def call(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> tuple[int, str]:
        """Run ``main`` with ``arguments``; its status and standard output."""
        status = main(arguments)
        return status, capsys.readouterr().out

    def test_catalogue_and_usage(self, files: Files, capsys: pytest.CaptureFixture[str]) -> None:
        """Rates from the catalogue, usage read: the example's October total."""
        arguments = files.profile("--usage", str(files.usage), "--format", "json")
        place = arguments.index("--rates")
        arguments[place : place + 2] = ["--catalogue", str(files.catalogue)]
        status, out = self.call(capsys, arguments)
        assert status == 0
        assert json.loads(out)["total"] == {"amount": "460.74", "currency": "EUR"}

    def test_a_catalogue_that_is_not_one(
        self, files: Files, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A catalogue file that does not read is named with its problems."""
        files.catalogue.write_text('{"entries": 3}', encoding="utf-8")
        arguments = files.profile()
        place = arguments.index("--rates")
        arguments[place : place + 2] = ["--catalogue", str(files.catalogue)]
        status, out = self.call(capsys, arguments)
        assert status == 1
        assert out.startswith("catalogue.json: invalid catalogue:")

    def test_a_catalogue_without_the_entries(
        self, files: Files, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A catalogue lacking an entry the agreement subscribes to cannot make its rates."""
        catalogue = json.loads(files.catalogue.read_text(encoding="utf-8"))
        catalogue["entries"] = catalogue["entries"][:1]
        files.catalogue.write_text(json.dumps(catalogue), encoding="utf-8")
        arguments = files.profile()
        place = arguments.index("--rates")
        arguments[place : place + 2] = ["--catalogue", str(files.catalogue)]
        status, out = self.call(capsys, arguments)
        assert status == 1
        assert "@ $.subscriptions[1].entry_id" in out

    def test_a_rate_card_of_another_type(
        self, files: Files, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--rates must name a rate card document."""
        files.rates.write_text(files.agreement.read_text(encoding="utf-8"), encoding="utf-8")
        status, out = self.call(capsys, files.profile())
        assert status == 1
        assert "expected a document of type 'cloudsms.rate-card'" in out

    def test_a_bad_usage_file(self, files: Files, capsys: pytest.CaptureFixture[str]) -> None:
        """A usage file with a problem is refused whole."""
        files.usage.write_text("customer\n", encoding="utf-8")
        status, out = self.call(capsys, files.profile("--usage", str(files.usage)))
        assert status == 1
        assert out.startswith("usage.csv: invalid usage file:")

    def test_a_problem_of_the_rates(
        self, files: Files, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A rate that cannot price its type keeps its path in the rate card."""
        data = json.loads(files.rates.read_text(encoding="utf-8"))
        data["rates"][0]["price"]["unit"] = "request"
        data["rates"][0]["price"]["per"] = None
        files.rates.write_text(json.dumps(data), encoding="utf-8")
        status, out = self.call(capsys, files.profile())
        assert status == 1
        assert "@ $.rates[0].price" in out

    def test_an_invalid_agreement(self, files: Files, capsys: pytest.CaptureFixture[str]) -> None:
        """The agreement's problems, as document validate prints them."""
        files.agreement.write_text("{}", encoding="utf-8")
        status, out = self.call(capsys, files.profile())
        assert status == 1
        assert out.startswith("agreement.json: invalid document")

    def test_a_missing_file(self, files: Files, capsys: pytest.CaptureFixture[str]) -> None:
        """A file that cannot be opened is a usage error, on standard error."""
        status = main(files.profile(allocations=files.folder / "nowhere.csv"))
        captured = capsys.readouterr()
        assert (status, captured.out) == (2, "")
        assert captured.err.startswith("cloudsms: cannot read ")

    def test_rows_are_located(self, tmp_path: Path) -> None:
        """A row's problem is moved to its line (and column); one the file lacks is left."""
        rows = tmp_path / "rows.csv"
        rows.write_text("customer,from\nglobex,x\n\nglobex,y\n", encoding="utf-8")
        problems = [
            Problem("$.allocations[1].since", "an instant", "'y' (string)"),
            Problem("$.allocations[0]", "a row", "'x' (string)"),
            Problem("$.allocations[4].service", "a service", "'x' (string)"),
            Problem("$.usage[0]", "a usage", "'x' (string)"),
        ]
        located = cli._located(problems, {"allocations": str(rows)})
        assert [p.path for p in located] == [
            "rows.csv:4:from",
            "rows.csv:2",
            "$.allocations[4].service",
            "$.usage[0]",
        ]


class TestFocus:
    """``--focus FOCUS.csv`` writes the profile's FOCUS 1.0 rows beside the usual output."""

    def test_rows_written_and_read_back(self, files: Files) -> None:
        """A subprocess run: the table says where the rows went; they read back as the lines."""
        out = files.folder / "focus.csv"
        result = run(*files.profile("--usage", str(files.usage), "--focus", str(out)))
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.splitlines()[-1] == f"wrote 9 FOCUS 1.0 rows to {out}"
        usage = read_usage(DATA / "usage.csv")
        held = read_allocations(DATA / "allocations.csv")
        october = Period.month(2026, 10, AGREEMENT.timezone)
        rates = RateCard.for_agreement(AGREEMENT, SHOP)
        profile = CostProfile.build(AGREEMENT, held, usage, october, rates=rates)
        assert read_focus(out) == profile.lines
        with out.open(encoding="utf-8", newline="") as opened:
            billed = [Decimal(row["BilledCost"]) for row in csv.DictReader(opened)]
        assert sum(billed) == Decimal("460.74")

    def test_json_output_notes_on_standard_error(
        self, files: Files, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With --format json the output stays data; the note goes to standard error."""
        out = files.folder / "focus.csv"
        status = main(files.profile("--format", "json", "--focus", str(out)))
        captured = capsys.readouterr()
        assert status == 0
        assert json.loads(captured.out)["agreement"] == "csa-2026-011"
        assert captured.err == f"cloudsms: note: wrote 9 FOCUS 1.0 rows to {out}\n"
        assert len(read_focus(out)) == 9

    def test_a_file_that_cannot_be_written(
        self, files: Files, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Status 2, the reason said, nothing printed on standard output."""
        out = files.folder / "missing" / "focus.csv"
        status = main(files.profile("--focus", str(out)))
        captured = capsys.readouterr()
        assert (status, captured.out) == (2, "")
        assert f"cannot write {str(out)!r}" in captured.err
        assert not out.exists()
