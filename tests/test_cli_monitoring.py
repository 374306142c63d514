"""cloudsms sla report (issue 15, section 5; S10): run as a user runs it.

The Markdown report runs ``python -m cloudsms`` in a fresh interpreter; the other tests
call the same command in this process (tests/_cli_run.py), its output and status alike.

The agreement is the one ``examples/agreement.py --json`` writes; the monitoring data
is the example's October 2026 in ``examples/data/sla``. Its figures, worked by hand:
October 2026 in Berlin lasts 745 hours (44,700 minutes). The target leaves out the
maintenance announced nine days ahead (22:00-02:00 on 10-11 October, four hours, out of
both sides: 44,460 minutes expected) and the customer's outage; it counts the provider
outages of 7 October (26 minutes) and 31 October (20 minutes up to midnight), the
overlapping provider and third-party outages of 20 October (11:00-11:50, 50 minutes)
and the maintenance announced two days ahead (22:00-01:00 on 24-25 October, three
hours): 276 minutes down, so 100 % x (44,460 - 276) / 44,460 = 99.379217...%, worse than
99.9 %: a credit of 25 % of EUR 850.00.

With ``--records`` the incidents and service requests of a records file join the month:
a P1 incident restored after 26 minutes and resolved after 48, a P2 restored after 50,
so a mean time to restore of 38 minutes (2,280 s) and a P1 resolution well inside 8 h.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

import pytest

from _cli_run import fresh, in_process
from _monitoring_fixtures import (
    REPORT_KEYS,
    ROOT,
    SLA_DATA,
    example_agreement,
    incident,
    records_document,
    service_request,
)

if TYPE_CHECKING:
    from pathlib import Path

DATA = SLA_DATA
AGREEMENT_ID = "csa-2026-001"


run = in_process  # the command in this process, as python -m cloudsms runs it


@pytest.fixture(scope="module")
def agreement(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example agreement's JSON document, as ``examples/agreement.py --json`` writes it."""
    written = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "agreement.py"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    path = tmp_path_factory.mktemp("sla") / "agreement.json"
    path.write_text(written.stdout, encoding="utf-8")
    return path


def report(agreement: Path, data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``cloudsms sla report`` of ``agreement`` and ``data`` for October 2026."""
    return run("sla", "report", str(agreement), str(data), "--period", "2026-10", *extra)


class TestReport:
    """The example month, as Markdown and as JSON."""

    def test_markdown(self, agreement: Path) -> None:
        """Prints the report in Markdown by default, each target with its figure."""
        result = fresh("sla", "report", str(agreement), str(DATA), "--period", "2026-10")
        assert (result.returncode, result.stderr) == (0, "")
        lines = result.stdout.splitlines()
        assert lines[0] == "# Service report: globex, October 2026"
        assert (
            "| crm-sla | uptime | crm-service | availability | 99.3792 % | at least 99.99 % "
            "| breached | -0.6108 % | EUR 212.50 |"
        ) in lines
        assert (
            "| crm-sla | p1-resolution | crm-service | incident resolution time | - "
            "| at most 28800 s | not judged | - | - |"
        ) in lines
        assert "1 target breached; credits due: EUR 212.50." in lines

    def test_json(self, agreement: Path) -> None:
        """Prints JSON with the documented keys and the exact figures."""
        result = report(agreement, DATA, "--format", "json")
        assert (result.returncode, result.stderr) == (0, "")
        data = json.loads(result.stdout)
        assert list(data) == list(REPORT_KEYS)
        assert (data["agreement"], data["customer"], data["as_of"]) == (
            "csa-2026-001",
            "globex",
            "2026-11-01T00:00:00+01:00",
        )
        uptime = data["targets"][0]
        exact = Context(prec=38).divide(Decimal((44460 - 276) * 100), Decimal(44460))
        assert uptime["achieved"] == str(exact)
        assert (uptime["threshold"], uptime["unit"], uptime["met"]) == ("99.99", "percent", False)
        assert uptime["credit"] == {"amount": "212.50", "currency": "EUR"}
        counted = [
            (e["reference"], e["counted"]) for e in uptime["evidence"] if e["kind"] == "outage"
        ]
        assert counted == [
            ("inc-2026-1007", True),
            ("inc-2026-1014", False),
            ("inc-2026-1020", True),
            ("net-2026-1020", True),
            ("inc-2026-1031", True),
        ]
        assert data["credits"] == [{"amount": "212.50", "currency": "EUR"}]
        assert data["incidents"]["by_priority"] == {"P1": 0, "P2": 0}
        assert data["unmatched"] == []

    def test_error_budget(self, agreement: Path) -> None:
        """Gives the availability target's error budget, worked by hand.

        99.99 % of the 44,460 expected minutes allows 4.446 minutes (266.76 s); 276
        minutes (16,560 s) were used, so it is overspent by 16,293.24 s, and it ran
        out 266.76 s into the first counted outage, at 09:12 on 7 October.
        """
        result = report(agreement, DATA, "--format", "json")
        assert result.returncode == 0, result.stderr
        uptime, resolution = json.loads(result.stdout)["targets"]
        assert uptime["error_budget"] == {
            "allowed_seconds": "266.76",
            "used_seconds": "16560",
            "remaining_seconds": "-16293.24",
            "exhausted_at": "2026-10-07T09:16:26.760000+02:00",
        }
        assert resolution["error_budget"] is None
        lines = report(agreement, DATA).stdout.splitlines()
        assert (
            "  - error budget: 0:04:26.76 allowed, 4:36:00 used, 4:31:33.24 overspent; "
            "ran out at 2026-10-07T09:16:26.760000+02:00"
        ) in lines

    def test_a_service_the_agreement_lacks(self, agreement: Path, tmp_path: Path) -> None:
        """Warns of a row naming a service the agreement does not subscribe, counted nowhere."""
        (tmp_path / "outages.csv").write_text(
            "service,start,end,cause\n"
            "crm,2026-10-07T09:12:00+02:00,2026-10-07T09:38:00+02:00,provider\n",
            encoding="utf-8",
        )
        result = report(agreement, tmp_path)
        assert (result.returncode, result.stderr) == (0, "")
        lines = result.stdout.splitlines()
        assert lines.index("## Observations this agreement does not cover") < lines.index(
            "## Targets"
        )
        data = json.loads(report(agreement, tmp_path, "--format", "json").stdout)
        (item,) = data["unmatched"]
        assert (item["kind"], item["counted"]) == ("outage", False)
        assert item["reason"] == (
            "not counted: crm is not a service of the agreement (crm-service); "
            "did you mean crm-service?"
        )
        assert data["targets"][0]["achieved"] == "100"

    def test_as_of(self, agreement: Path) -> None:
        """Reads the records as of the instant given."""
        result = report(agreement, DATA, "--format", "json", "--as-of", "2026-11-05T12:00:00Z")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["as_of"] == "2026-11-05T12:00:00+00:00"

    def test_as_of_inside_the_month(self, agreement: Path) -> None:
        """Gives a provisional report: a note under the heading, no verdict, no credit."""
        early = ("--as-of", "2026-10-15T00:00:00+02:00")
        data = json.loads(report(agreement, DATA, "--format", "json", *early).stdout)
        assert data["note"].startswith("not final: the period ")
        assert (data["breaches"], data["credits"]) == (0, [])
        assert [target["met"] for target in data["targets"]] == [None, None]
        lines = report(agreement, DATA, *early).stdout.splitlines()
        assert lines[4].startswith("Not final: the period ")


def written(folder: Path, name: str, content: Any) -> Path:
    """``content`` written as JSON to ``folder / name``."""
    path = folder / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def october_records() -> dict[str, list[Any]]:
    """Two incidents and a request of October 2026 under the example agreement."""
    incidents = [
        incident(
            "inc-2026-1007",
            "2026-10-07T09:12:00+02:00",
            ("acknowledge", "2026-10-07T09:20:00+02:00"),
            ("restore", "2026-10-07T09:38:00+02:00"),
            ("resolve", "2026-10-07T10:00:00+02:00"),
            agreement_id=AGREEMENT_ID,
        ),
        incident(
            "inc-2026-1020",
            "2026-10-20T11:00:00+02:00",
            ("acknowledge", "2026-10-20T11:05:00+02:00"),
            ("restore", "2026-10-20T11:50:00+02:00"),
            agreement_id=AGREEMENT_ID,
            priority="P2",
        ),
    ]
    requests = [
        service_request(
            "req-2026-1005",
            "2026-10-05T10:00:00+02:00",
            ("start", "2026-10-05T11:00:00+02:00"),
            ("fulfil", "2026-10-06T10:00:00+02:00"),
            agreement_id=AGREEMENT_ID,
        )
    ]
    return records_document(incidents, requests)


class TestRecords:
    """--records: the incidents and requests of a records file join the monitoring data."""

    def test_the_incident_section_has_the_figures(self, agreement: Path, tmp_path: Path) -> None:
        """Counts incidents per priority, the mean time to restore and the requests."""
        records = written(tmp_path, "records.json", october_records())
        result = report(agreement, DATA, "--records", str(records), "--format", "json")
        assert (result.returncode, result.stderr) == (0, "")
        data = json.loads(result.stdout)
        assert data["incidents"] == {
            "opened": 2,
            "by_priority": {"P1": 1, "P2": 1},
            "mean_time_to_restore_seconds": "2280",
        }
        assert data["requests"] == {"made": 1, "fulfilled": 1, "in_time": None}
        resolution = data["targets"][1]
        assert (resolution["target"], resolution["achieved"], resolution["met"]) == (
            "p1-resolution",
            "2880",
            True,
        )
        assert [(e["kind"], e["reference"], e["counted"]) for e in resolution["evidence"]] == [
            ("incident", "inc-2026-1007", True)
        ]

    def test_the_markdown_report_shows_them(self, agreement: Path, tmp_path: Path) -> None:
        """The Markdown report's incident section and target table carry the same figures."""
        records = written(tmp_path, "records.json", october_records())
        result = report(agreement, DATA, "--records", str(records))
        assert (result.returncode, result.stderr) == (0, "")
        lines = result.stdout.splitlines()
        assert [line for line in lines if line.startswith(("| P1 ", "| P2 "))] == [
            "| P1 Critical | 1 |",
            "| P2 High | 1 |",
        ]
        assert "Mean time to restore: 0:38:00 (wall clock)." in lines
        assert "Service requests: 1 of 1 fulfilled; no fulfilment target applies." in lines
        assert (
            "| crm-sla | p1-resolution | crm-service | incident resolution time | 2880 s "
            "| at most 28800 s | met | 25920 s | - |"
        ) in lines

    def test_a_bad_records_file(self, agreement: Path, tmp_path: Path) -> None:
        """Exits 1 naming each problem of the records file at its path."""
        content = october_records()
        content["incidents"][0]["opened_at"] = "2026-10-07 09:12"
        content["tickets"] = []
        records = written(tmp_path, "bad.json", content)
        result = report(agreement, DATA, "--records", str(records))
        assert (result.returncode, result.stderr) == (1, "")
        first, *problems = result.stdout.splitlines()
        assert first == "bad.json: invalid records: 2 problems"
        assert sorted(p.rsplit(" @ ", 1)[1] for p in problems) == [
            "$.incidents[0].opened_at",
            "$.tickets",
        ]

    def test_records_of_another_agreement(self, agreement: Path, tmp_path: Path) -> None:
        """Exits 1 when a record is kept under another agreement, naming its field."""
        content = october_records()
        content["requests"][0]["agreement_id"] = "csa-other"
        records = written(tmp_path, "other.json", content)
        result = report(agreement, DATA, "--records", str(records))
        assert result.returncode == 1
        first, *problems = result.stdout.splitlines()
        assert first == f"other.json: invalid records for agreement '{AGREEMENT_ID}': 1 problem"
        assert problems[0].endswith(" @ $.requests[0].agreement_id")

    def test_a_missing_records_file(self, agreement: Path, tmp_path: Path) -> None:
        """Exits 2 when the records file cannot be read."""
        missing = tmp_path / "nowhere.json"
        result = report(agreement, DATA, "--records", str(missing))
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr.startswith(f"cloudsms: cannot read {str(missing)!r}: ")


def notices(result: subprocess.CompletedProcess[str]) -> str:
    """The first line of the Markdown report's immediate notices."""
    lines = result.stdout.splitlines()
    return lines[lines.index("## Immediate notices") + 2]


class TestEvents:
    """The notices section says whether events were read at all."""

    def test_events_read_from_events_csv(self, agreement: Path) -> None:
        """Reads the example's events.csv (a capacity threshold, no notice): none among them."""
        result = report(agreement, DATA)
        assert result.returncode == 0, result.stderr
        assert notices(result) == "None among the events read."

    def test_no_events_csv(self, agreement: Path, tmp_path: Path) -> None:
        """Says no events were read when DATA_DIR has no events.csv and no records are given."""
        (tmp_path / "outages.csv").write_text(
            "service,start,end,cause\n"
            "crm-service,2026-10-07T09:12:00+02:00,2026-10-07T09:38:00+02:00,provider\n",
            encoding="utf-8",
        )
        assert notices(report(agreement, tmp_path)) == "No events were read (events.csv absent)."
        (tmp_path / "events.csv").write_text("service,at,kind,summary\n", encoding="utf-8")
        assert notices(report(agreement, tmp_path)) == "None among the events read."

    def test_records_are_events_read(self, agreement: Path, tmp_path: Path) -> None:
        """Counts incident records as events read (a security incident is a notice)."""
        data = tmp_path / "data"
        data.mkdir()
        records = written(tmp_path, "records.json", october_records())
        result = report(agreement, data, "--records", str(records))
        assert result.returncode == 0, result.stderr
        assert notices(result) == "None among the events read."


class TestExample:
    """examples/sla_report.py: the month from Python, as sla report prints it with records."""

    SCRIPT = ROOT / "examples" / "sla_report.py"

    def test_says_what_the_command_needs(self) -> None:
        """Says the command takes the incidents from --records, not from the CSV files alone."""
        text = ast.get_docstring(ast.parse(self.SCRIPT.read_text(encoding="utf-8"))) or ""
        words = " ".join(text.split())
        assert "alone" not in words
        assert "--records RECORDS.json" in words

    def test_prints_what_the_command_prints_with_records(
        self, agreement: Path, tmp_path: Path
    ) -> None:
        """Prints the customer report sla report prints with the incident in a records file."""
        spec = importlib.util.spec_from_file_location("sla_report_example", self.SCRIPT)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        shown = subprocess.run(
            [sys.executable, str(self.SCRIPT)], capture_output=True, text=True, check=False
        )
        assert (shown.returncode, shown.stderr) == (0, "")
        customer, provider = shown.stdout.split("# Provider report")
        made = module.incident(example_agreement())
        records = written(tmp_path, "records.json", records_document([made]))
        result = report(agreement, DATA, "--records", str(records))
        assert result.returncode == 0, result.stderr
        assert result.stdout.rstrip("\n") == customer.rstrip("\n")
        assert "| P1 Critical | 1 |" in customer.splitlines()
        assert provider.startswith("\n\n1 report of 1 customer: 1 breached, 0 near misses.")


class TestRefusals:
    """Invalid input exits 1 with each problem; what cannot be read or asked exits 2."""

    def test_no_monitoring_data(self, agreement: Path, tmp_path: Path) -> None:
        """Exits 1 for a DATA_DIR without data and no --records, naming the files expected."""
        result = report(agreement, tmp_path)
        assert (result.returncode, result.stderr) == (1, "")
        assert result.stdout.splitlines() == [
            f"{tmp_path.name}: invalid monitoring data: 1 problem",
            (
                "  expected monitoring data to judge the month: rows in outages.csv, "
                "maintenance.csv, measurements.csv or events.csv, or --records RECORDS.json, "
                f"got none of these files @ {tmp_path}"
            ),
        ]

    def test_headers_only(self, agreement: Path, tmp_path: Path) -> None:
        """Exits 1 for files with a header and no row, naming them."""
        (tmp_path / "outages.csv").write_text("service,start,end,cause\n", encoding="utf-8")
        (tmp_path / "events.csv").write_text("service,at,kind,summary\n", encoding="utf-8")
        result = report(agreement, tmp_path, "--format", "json")
        assert result.returncode == 1
        (problem,) = json.loads(result.stdout)["problems"]
        assert (problem["path"], problem["got"]) == (
            str(tmp_path),
            "only the header of outages.csv, events.csv",
        )

    def test_a_malformed_row(self, agreement: Path, tmp_path: Path) -> None:
        """Exits 1 naming the file, line and column of each bad cell."""
        (tmp_path / "outages.csv").write_text(
            "service,start,end,cause\n"
            "crm-service,2026-10-07T09:12:00+02:00,2026-10-07T09:38:00+02:00,provider\n"
            "crm-service,2026-10-07 10:00,2026-10-07T10:30:00+02:00,someone\n",
            encoding="utf-8",
        )
        result = report(agreement, tmp_path)
        assert result.returncode == 1
        first, *problems = result.stdout.splitlines()
        assert first == f"{tmp_path.name}: invalid monitoring data: 2 problems"
        assert [p.rsplit(" @ ", 1)[1] for p in problems] == [
            "outages.csv:3:start",
            "outages.csv:3:cause",
        ]
        assert "(column 2)" in problems[0]

    def test_a_missing_directory(self, agreement: Path, tmp_path: Path) -> None:
        """Exits 2 when DATA_DIR does not exist."""
        missing = tmp_path / "nowhere"
        result = report(agreement, missing)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == f"cloudsms: cannot read {str(missing)!r}: no such directory\n"

    def test_a_file_for_a_directory(self, agreement: Path) -> None:
        """Exits 2 when DATA_DIR is a file."""
        result = report(agreement, agreement)
        assert result.returncode == 2
        assert result.stderr.endswith(": not a directory\n")

    def test_an_invalid_agreement(self, tmp_path: Path) -> None:
        """Exits 1 with the agreement's problems."""
        path = tmp_path / "agreement.json"
        path.write_text('{"type": "cloudsms.cloud-service-agreement"}', encoding="utf-8")
        result = report(path, DATA)
        assert result.returncode == 1
        assert result.stdout.startswith("agreement.json: invalid cloudsms.cloud-service-agreement")

    def test_a_month_outside_the_term(self, agreement: Path) -> None:
        """Exits 1 when the month is before the agreement takes effect."""
        result = run("sla", "report", str(agreement), str(DATA), "--period", "2025-10")
        assert result.returncode == 1
        assert result.stdout.splitlines()[-1].endswith("@ $.period")

    @pytest.mark.parametrize(
        "extra",
        [
            ("--as-of", "2026-11-01T00:00"),
            ("--as-of", "tomorrow"),
            ("--format", "csv"),
        ],
        ids=["naive", "not-an-instant", "csv"],
    )
    def test_usage(self, agreement: Path, extra: tuple[str, str]) -> None:
        """Exits 2 for an instant without its offset or a format the command lacks."""
        result = report(agreement, DATA, *extra)
        assert (result.returncode, result.stdout) == (2, "")
        assert "usage: cloudsms sla report" in result.stderr

    def test_a_period_that_is_no_month(self, agreement: Path) -> None:
        """Exits 2 for --period other than YYYY-MM."""
        result = run("sla", "report", str(agreement), str(DATA), "--period", "2026-13")
        assert result.returncode == 2
        assert "expected a month such as 2026-10, got '2026-13'" in result.stderr
