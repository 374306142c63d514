"""cloudsms capacity show (issue 17, section 1; S11): run as a user runs it.

The table runs ``python -m cloudsms`` in a fresh interpreter; the other tests call the
same command in this process (tests/_cli_run.py or main), its output and status alike.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest

from _cli_run import fresh, in_process
from cloudsms.cli import main

if TYPE_CHECKING:
    from pathlib import Path

HEADER = "customer,agreement,service,resource_type,quantity,unit,from,until,resource_id,location\n"
POOL = {
    "type": "cloudsms.resource-pool",
    "schema_version": 1,
    "id": "fra-1",
    "name": "Frankfurt 1",
    "location": "eu-central",
    "capacities": [
        {"resource_type": "vcpu", "capacity": "100 vcpu"},
        {"resource_type": "memory", "capacity": "400 GiB"},
    ],
}
JAN1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


run = in_process  # the command in this process, as python -m cloudsms runs it


def growing() -> str:
    """One vcpu more from each day of January and February 2026, one in another pool."""
    starts = [(JAN1 + dt.timedelta(days=n)).isoformat() for n in range(1, 60)]
    rows = [
        f"acme,agr-1,vm,vcpu,1,vcpu,{start},,vm-{n},eu-central\n"
        for n, start in enumerate(starts, start=1)
    ]
    rows.append(f"zeta,agr-9,vm,vcpu,50,vcpu,{JAN1.isoformat()},,vm-far,us-east\n")
    rows.append(f"acme,agr-1,vm,memory,100,GiB,{JAN1.isoformat()},,db-1,\n")
    return HEADER + "".join(rows)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """The pool, its allocations and a usage file in which only db-1 was used lately."""
    pool = tmp_path / "pool.json"
    pool.write_text(json.dumps(POOL), encoding="utf-8")
    allocations = tmp_path / "allocations.csv"
    allocations.write_text(growing(), encoding="utf-8")
    usage = tmp_path / "usage.csv"
    usage.write_text(
        "customer,agreement,service,resource_type,quantity,unit,start,end,resource_id\n"
        "acme,agr-1,vm,memory,10,GiB*hour,2026-02-27T00:00:00+00:00,2026-02-28T00:00:00+00:00,"
        "db-1\n",
        encoding="utf-8",
    )
    return {"pool": str(pool), "allocations": str(allocations), "usage": str(usage)}


class TestCapacityShow:
    """cloudsms capacity show POOL.json ALLOCATIONS.csv: the plan, as a table or JSON."""

    def test_table(self, files: dict[str, str]) -> None:
        """Prints each type's share, projection and threshold dates, computed by hand.

        As in the model's hand-computed case: 59 vcpu on 1 March, one more a day, so
        75 on 17 March, 90 on 1 April, 100 on 11 April, all by the projection. The 50
        vcpu of us-east are another pool's, and the last line says they were left out.
        """
        result = fresh(
            "capacity", "show", files["pool"], files["allocations"], "--as-of", "2026-03-01"
        )
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.splitlines()[:10] == [
            (
                "Capacity plan of pool fra-1 (Frankfurt 1, eu-central) as of"
                " 2026-03-01T00:00:00+00:00"
            ),
            (
                "Threshold dates are looked for up to 2029-03-01T00:00:00+00:00 (P3Y ahead); days"
                " are UTC days."
            ),
            "",
            (
                "vcpu: 59 vcpu held of 100 vcpu (59 %); at most 59 vcpu from then on, scheduled"
                " included"
            ),
            "  projection: linear over 59 days from 2026-01-02, r² 1, +1 vcpu a day",
            "  warn at 75 %: 2026-03-17 (projected)",
            "  act at 90 %:  2026-04-01 (projected)",
            "  full:         2026-04-11 (projected)",
            "  reclaimable: not judged (no usage given)",
            "",
        ]
        assert result.stdout.splitlines()[-2:] == [
            "",
            "Left out: 1 allocation: 1 of location us-east",
        ]

    def test_json_with_usage(self, files: dict[str, str]) -> None:
        """Gives capacity_plan_data's JSON, with the holdings unused for --unused-for days.

        The note of the allocation left out goes to standard error: the output stays JSON.
        """
        result = run(
            "capacity",
            "show",
            files["pool"],
            files["allocations"],
            "--as-of",
            "2026-03-01T01:00:00+01:00",
            "--usage",
            files["usage"],
            "--unused-for",
            "58",
            "--format",
            "json",
        )
        assert (result.returncode, result.stderr) == (
            0,
            "cloudsms: note: Left out: 1 allocation: 1 of location us-east\n",
        )
        data = json.loads(result.stdout)
        vcpus, memory = data["lines"]
        assert data["as_of"] == "2026-03-01T01:00:00+01:00"
        assert [d["on"] for d in vcpus["dates"]] == ["2026-03-17", "2026-04-01", "2026-04-11"]
        assert (vcpus["reclaimable"], [c["resource_id"] for c in vcpus["candidates"]]) == (
            "1 vcpu",
            ["vm-1"],
        )
        assert (memory["held"], memory["reclaimable"]) == ("100 GiB", "0 GiB")
        assert data["left_out"]["other_locations"] == [
            {"location": "us-east", "allocations": 1, "close": []}
        ]

    def test_thresholds_of_ones_own(
        self, files: dict[str, str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Judges the pool against --warn and --act, in decimals or fractions."""
        status = main(
            [
                "capacity",
                "show",
                files["pool"],
                files["allocations"],
                "--as-of",
                "2026-03-01",
                "--warn",
                "1/2",
                "--act",
                "0.8",
                "--format",
                "json",
            ]
        )
        data = json.loads(capsys.readouterr().out)
        assert status == 0
        assert data["lines"][0]["dates"][:2] == [
            {"name": "warn", "fraction": "0.5", "on": "2026-03-01", "already": True, "by": "held"},
            {
                "name": "act",
                "fraction": "0.8",
                "on": "2026-03-22",
                "already": False,
                "by": "projection",
            },
        ]

    def test_now_by_default(
        self, files: dict[str, str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Judges the pool at the current instant when --as-of is not given, and says when."""
        status = main(
            ["capacity", "show", files["pool"], files["allocations"], "--format", "json"]
        )
        as_of = json.loads(capsys.readouterr().out)["as_of"]
        assert status == 0
        assert dt.datetime.fromisoformat(as_of).utcoffset() == dt.timedelta(0)


class TestCapacityShowBookingsAndSlips:
    """Bookings decide threshold dates they reach first; allocations left out are named."""

    def test_a_booking_dates_the_thresholds(self, tmp_path: Path) -> None:
        """Dates warn and act on the day 95 vcpu booked join the 4 held, said as scheduled.

        4 vcpu held since 1 January (a flat history: the line reaches nothing) and 95
        more from 11 March: 99 of 100 vcpu, past 75 and 90 that day, never full.
        """
        pool = tmp_path / "pool.json"
        pool.write_text(json.dumps({**POOL, "capacities": POOL["capacities"][:1]}), "utf-8")
        booked = tmp_path / "booked.csv"
        booked.write_text(
            HEADER
            + "acme,agr-1,vm,vcpu,4,vcpu,2026-01-01T00:00:00Z,,vm-1,eu-central\n"
            + "acme,agr-1,vm,vcpu,95,vcpu,2026-03-11T00:00:00Z,,vm-2,eu-central\n",
            encoding="utf-8",
        )
        result = run("capacity", "show", str(pool), str(booked), "--as-of", "2026-03-01")
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.splitlines()[3:8] == [
            (
                "vcpu: 4 vcpu held of 100 vcpu (4 %); at most 99 vcpu from then on, scheduled"
                " included"
            ),
            "  projection: linear over 60 days from 2026-01-01, r² -, flat",
            "  warn at 75 %: 2026-03-11 (scheduled)",
            "  act at 90 %:  2026-03-11 (scheduled)",
            "  full:         not reached by 2029-03-01",
        ]

    def test_a_location_typed_wrong(
        self, files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Names the rows of eu-centrl, a slip for the pool's eu-central, in the note."""
        slips = tmp_path / "slips.csv"
        slips.write_text(
            HEADER
            + "acme,agr-1,vm,vcpu,4,vcpu,2026-01-01T00:00:00Z,,vm-1,eu-central\n"
            + "acme,agr-1,vm,vcpu,8,vcpu,2026-01-01T00:00:00Z,,vm-2,eu-centrl\n"
            + "acme,agr-1,vm,vcpu,8,vcpu,2026-01-01T00:00:00Z,,vm-3,eu-centrl\n"
            + "acme,agr-1,vm,storage,1,TB,2026-01-01T00:00:00Z,,disk-1,\n",
            encoding="utf-8",
        )
        status = main(["capacity", "show", files["pool"], str(slips), "--as-of", "2026-03-01"])
        out = capsys.readouterr().out.splitlines()
        assert (status, out[3], out[-1]) == (
            0,
            (
                "vcpu: 4 vcpu held of 100 vcpu (4 %); at most 4 vcpu from then on, scheduled"
                " included"
            ),
            (
                "Left out: 3 allocations: 2 of location eu-centrl (did you mean eu-central?),"
                " 1 of type storage, which the pool has no capacity for"
            ),
        )


class TestCapacityShowErrors:
    """Invalid files exit 1 with every problem at its place; unreadable ones and bad options 2."""

    def test_a_bad_csv_cell(self, files: dict[str, str], tmp_path: Path) -> None:
        """Names a bad cell at file:line:column and computes nothing."""
        bad = tmp_path / "bad.csv"
        bad.write_text(
            HEADER + "acme,agr-1,vm,vcpu,-1,vcpu,2026-01-01T00:00:00Z,,,\n", encoding="utf-8"
        )
        result = run("capacity", "show", files["pool"], str(bad), "--as-of", "2026-03-01")
        assert (result.returncode, result.stderr) == (1, "")
        assert result.stdout.splitlines() == [
            "bad.csv: invalid allocations file: 1 problem",
            (
                "  expected a decimal number above zero (column 5), got '-1' (string)"
                " @ bad.csv:2:quantity"
            ),
        ]

    def test_a_capacity_of_another_dimension(self, files: dict[str, str], tmp_path: Path) -> None:
        """Blames the pool's capacity in GiB for vcpu, under its file's name, not the rows."""
        pool = tmp_path / "gib.json"
        odd = {**POOL, "capacities": [{"resource_type": "vcpu", "capacity": "400 GiB"}]}
        pool.write_text(json.dumps(odd), encoding="utf-8")
        result = run("capacity", "show", str(pool), files["allocations"], "--as-of", "2026-03-01")
        assert (result.returncode, result.stderr) == (1, "")
        assert result.stdout.splitlines() == [
            "gib.json: invalid cloudsms.resource-pool, schema version 1: 1 problem",
            (
                "  expected a quantity convertible to vcpu, the unit of vcpu, got 400 GiB"
                " @ $.capacities[0].capacity"
            ),
        ]

    def test_a_type_typed_wrong_in_the_pool(
        self, files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Refuses a capacity of an unknown type (vpcu), suggesting vcpu, status 1."""
        pool = tmp_path / "pool.json"
        typo = {**POOL, "capacities": [{"resource_type": "vpcu", "capacity": "100 vcpu"}]}
        pool.write_text(json.dumps(typo), encoding="utf-8")
        status = main(
            ["capacity", "show", str(pool), files["allocations"], "--as-of", "2026-03-01"]
        )
        assert (status, capsys.readouterr().out.splitlines()) == (
            1,
            [
                "pool.json: invalid cloudsms.resource-pool, schema version 1: 1 problem",
                (
                    "  expected a known resource type (did you mean vcpu?), got 'vpcu' (string)"
                    " @ $.capacities[0].resource_type"
                ),
            ],
        )

    def test_an_invalid_pool(self, files: dict[str, str], tmp_path: Path) -> None:
        """Gives document validate's problems of an invalid pool, status 1."""
        pool = tmp_path / "pool.json"
        pool.write_text(
            json.dumps({**POOL, "capacities": [{"resource_type": "vcpu"}]}), encoding="utf-8"
        )
        result = run("capacity", "show", str(pool), files["allocations"], "--as-of", "2026-03-01")
        assert result.returncode == 1
        assert result.stdout.startswith(
            "pool.json: invalid cloudsms.resource-pool, schema version 1"
        )
        assert "@ $.capacities[0].capacity" in result.stdout

    def test_another_document(
        self, files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Refuses a document of another type at $.type."""
        other = tmp_path / "rates.json"
        other.write_text(
            json.dumps({"type": "cloudsms.rate-card", "schema_version": 1}), encoding="utf-8"
        )
        status = main(
            ["capacity", "show", str(other), files["allocations"], "--as-of", "2026-03-01"]
        )
        out = capsys.readouterr().out
        assert status == 1
        assert (
            "expected a document of type 'cloudsms.resource-pool', got 'cloudsms.rate-card'" in out
        )

    def test_unreadable_file(self, files: dict[str, str], tmp_path: Path) -> None:
        """Exits 2 naming a file that cannot be read."""
        missing = str(tmp_path / "missing.csv")
        result = run("capacity", "show", files["pool"], missing, "--as-of", "2026-03-01")
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == f"cloudsms: cannot read {missing!r}: No such file or directory\n"

    @pytest.mark.parametrize(
        ("option", "said"),
        [
            (
                ["--as-of", "2026-02-30"],
                (
                    "argument --as-of: expected a date such as 2026-11-01 or an instant with its"
                    " offset, got '2026-02-30'"
                ),
            ),
            (
                ["--as-of", "2026-03-01T00:00"],
                (
                    "argument --as-of: expected an instant with its offset such as"
                    " 2026-11-01T00:00:00+01:00, got '2026-03-01T00:00'"
                ),
            ),
            (
                ["--as-of", "0001-01-01"],
                (
                    "argument --as-of: expected a date or an instant from 1900-01-01T00:00Z up to"
                    " (not including) 9000-01-01T00:00Z, got '0001-01-01'"
                ),
            ),
            (
                ["--as-of", "9999-01-01T00:00:00+00:00"],
                (
                    "argument --as-of: expected a date or an instant from 1900-01-01T00:00Z up to"
                    " (not including) 9000-01-01T00:00Z, got '9999-01-01T00:00:00+00:00'"
                ),
            ),
            (
                ["--as-of", "8999-06-01"],
                (
                    "argument --as-of: expected a date or an instant at least 3 years before"
                    " 9000-01-01T00:00Z, where the supported range ends, as threshold dates are"
                    " looked for 3 years ahead (a date up to 8996-12-31), got '8999-06-01'"
                ),
            ),
            (
                ["--as-of", "8996-12-31T23:00:00-05:00"],
                (
                    "argument --as-of: expected a date or an instant at least 3 years before"
                    " 9000-01-01T00:00Z, where the supported range ends, as threshold dates are"
                    " looked for 3 years ahead (a date up to 8996-12-31), got"
                    " '8996-12-31T23:00:00-05:00'"
                ),
            ),
            (
                ["--unused-for", "0"],
                "argument --unused-for: expected a whole number of days, 1 or more, got '0'",
            ),
            (
                ["--warn", "0.95"],
                "argument --warn: expected a fraction below act (0.9), got 0.95",
            ),
            (
                ["--act", "1.5"],
                (
                    "argument --act: expected a fraction of the capacity above 0 and at most 1,"
                    " got 1.5"
                ),
            ),
        ],
    )
    def test_bad_options(
        self,
        files: dict[str, str],
        capsys: pytest.CaptureFixture[str],
        option: list[str],
        said: str,
    ) -> None:
        """Exits 2 with argparse's account of a bad option."""
        with pytest.raises(SystemExit) as info:
            main(["capacity", "show", files["pool"], files["allocations"], *option])
        assert info.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1] == f"cloudsms capacity show: error: {said}"

    @pytest.mark.parametrize("as_of", ["1900-01-01", "8996-12-31"])
    def test_the_ends_of_the_range(
        self, files: dict[str, str], capsys: pytest.CaptureFixture[str], as_of: str
    ) -> None:
        """Plans at the first supported day and at the last that leaves three years of dates."""
        status = main(["capacity", "show", files["pool"], files["allocations"], "--as-of", as_of])
        assert status == 0
        assert capsys.readouterr().out.startswith(
            f"Capacity plan of pool fra-1 (Frankfurt 1, eu-central) as of {as_of}T00:00:00+00:00"
        )

    def test_a_missing_verb(self) -> None:
        """Exits 2 when no verb is given."""
        result = run("capacity")
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1] == (
            "cloudsms capacity: error: the following arguments are required: VERB"
        )
