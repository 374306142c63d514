"""The FinOps FOCUS 1.0 export (S11): the column rules as data, the rows, the file and back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudsms._foundation.exact import nearest_amount, plain, to_decimal
from cloudsms.context import ProviderProfile
from cloudsms.errors import Problem, ValidationError
from cloudsms.money import Money, Price
from cloudsms.periods import Period
from cloudsms.reports.focus import (
    FOCUS_COLUMNS,
    FOCUS_EXTRA_COLUMNS,
    FocusTest,
    _billed,
    _columns_of,
    _money_text,
    _quantity_text,
    _Writer,
    check_focus,
    focus_columns,
    focus_rows,
    read_focus,
    write_focus,
)
from cloudsms.resources import (
    Allocation,
    CostLine,
    CostProfile,
    Usage,
    resource_type,
)
from cloudsms.resources.cost import _split
from cloudsms.resources.pricing import MinimumCommitment, Rate, RateCard, Tier
from cloudsms.serialization import to_json
from cloudsms.services import ServiceCategory
from cloudsms.testing import allocations, rate_cards, usages
from cloudsms.testing._strategies import aware_datetimes
from cloudsms.units import format_quantity, fraction_in, quantity
from test_resources_cost import (
    AGREEMENT,
    CUSTOMER,
    EUR,
    OCTOBER_UTC,
    SERVICE,
    agreement,
    held,
    used,
)
from test_resources_cost import rates as card_of

from conftest import examples

UTC = dt.UTC
DATA = Path(__file__).resolve().parent.parent / "src" / "cloudsms" / "data" / "focus_1_0.json"


def rich_card() -> RateCard:
    """vcpu-hours, GiB-months, TB-days; requests in two tiers; data per GB; a vcpu minimum."""
    return card_of(
        Rate(
            "requests",
            tiers=[
                Tier(quantity("1000 request"), Price(Money("0.01", EUR), "request")),
                Tier(None, Price(Money("0.005", EUR), "request")),
            ],
        ),
        Rate("data_transfer", price=Price(Money("0.05", EUR), "GB")),
        commitments=[MinimumCommitment(Money("500", EUR), resource_type="vcpu")],
    )


def rich_profile() -> CostProfile:
    """October 2026 in UTC: three holdings, two usages (one over two tiers), a shortfall.

    - 4 vcpu held all month (vm-1, cost centre ops, in fra): 744 h x 4 x 0.042 = 124.992;
    - 16 GiB from the 17th at noon: 14.5 of 31 days x 16 x 0.021 = 609/3875 EUR;
    - 2 vcpu from 3 October 07:13:05.123456 to the 9th: 5 d 16 h 46 min 54.876544 s
      = 136.78191015111... h x 2 x 0.042 = 11.48968045269333... EUR;
    - 1500 requests: 1000 at 0.01 (10) and 500 at 0.005 (2.5);
    - 350 GiB of data at 0.05 per GB: 375.8096384 GB, 18.79048192 EUR;
    - the vcpu minimum of 500: 500 - 124.992 - 11.48968... = 363.5183195473066... EUR.

    The total, 531.447... , is billed 531.45.
    """
    allocations_held = [
        held(
            "4 vcpu",
            dt.datetime(2026, 9, 1, tzinfo=UTC),
            resource_id="vm-1",
            cost_centre="ops",
            location="fra",
        ),
        held("16 GiB", dt.datetime(2026, 10, 17, 12, tzinfo=UTC), kind="memory", location="fra"),
        held(
            "2 vcpu",
            dt.datetime(2026, 10, 3, 7, 13, 5, 123456, tzinfo=UTC),
            dt.datetime(2026, 10, 9, tzinfo=UTC),
        ),
    ]
    usage = [
        used("1500 request", dt.datetime(2026, 10, 5, tzinfo=UTC)),
        used(
            "350 GiB",
            dt.datetime(2026, 10, 31, 12, tzinfo=UTC),
            kind="data_transfer",
            resource_id="vm-1",
        ),
    ]
    return CostProfile.build(agreement(), allocations_held, usage, OCTOBER_UTC, rates=rich_card())


def cells(rows: list[dict[str, str]], index: int) -> dict[str, str]:
    """The non-empty cells of one row."""
    return {name: value for name, value in rows[index].items() if value}


# ---------------------------------------------------------------------- column data
class TestFocusColumns:
    """The 43 columns of FOCUS 1.0 and their rules, read from the package's data."""

    def test_the_43_columns_in_order(self) -> None:
        """The data holds the 43 columns the issue lists, in the export's order."""
        assert len(FOCUS_COLUMNS) == 43
        assert [column.name for column in focus_columns()] == list(FOCUS_COLUMNS)
        assert focus_columns() is focus_columns()  # read once

    def test_types_and_nullability_come_from_the_validator(self) -> None:
        """Types and nulls are the validator's: BilledCost a decimal, Tags a JSON object."""
        by_name = {column.name: column for column in focus_columns()}
        assert (by_name["BilledCost"].type, by_name["BilledCost"].nullable) == ("decimal", False)
        assert by_name["Tags"].type == "json-object"
        assert by_name["BillingCurrency"].type == "currency-code"
        assert by_name["ChargePeriodStart"].type == "datetime"
        assert by_name["ResourceId"].nullable
        assert "focus-validator rules/version_sets/1.0/ResourceID_Nullable.yaml" in (
            by_name["ResourceId"].origin
        )
        assert by_name["ResourceId"].origin[-1] == (
            "FOCUS 1.0 specification/columns/resourceid.md"
        )

    def test_allowed_values_from_the_validator_and_the_specification(self) -> None:
        """ChargeCategory's values come from the specification, the others' from the rules."""
        by_name = {column.name: column for column in focus_columns()}
        assert by_name["ChargeCategory"].allowed == (
            "Usage",
            "Purchase",
            "Tax",
            "Credit",
            "Adjustment",
        )
        assert by_name["ChargeFrequency"].allowed == ("One-Time", "Recurring", "Usage-Based")
        assert by_name["ChargeClass"].allowed == ("Correction",)
        assert len(by_name["ServiceCategory"].allowed or ()) == 19
        assert by_name["SkuPriceId"].nullable  # the validator's rule is an SQL check

    def test_conditions_are_data(self) -> None:
        """A conditional rule reads as tests: ConsumedQuantity on usage that corrects nothing."""
        consumed = next(c for c in focus_columns() if c.name == "ConsumedQuantity")
        first = consumed.conditions[0]
        assert first.when == (
            ("ChargeCategory", FocusTest("in", ("Usage",))),
            ("ChargeClass", FocusTest("not_in", ("Correction",))),
        )
        assert first.then == FocusTest("present")
        assert str(FocusTest("product", ("ListUnitPrice", "PricingQuantity"))) == (
            "ListUnitPrice times PricingQuantity"
        )

    def test_every_column_says_its_source(self) -> None:
        """Each column says what cloudsms fills it from, and what it means."""
        for column in focus_columns():
            assert column.source
            assert column.description

    def test_the_docs_table_is_the_data(self) -> None:
        """docs/focus.md lists every column with the data's type, nullability and source."""
        page = (DATA.parents[3] / "docs" / "focus.md").read_text(encoding="utf-8")
        listed = {
            cells[0].strip("` "): [cell.strip() for cell in cells[1:4]]
            for line in page.splitlines()
            if line.startswith("| `") and len(cells := line.strip("|").split(" | ")) == 5
        }
        assert listed == {
            column.name: [
                column.type,
                "yes" if column.nullable else "no",
                column.source.replace("|", "\\|"),
            ]
            for column in focus_columns()
        }

    def test_broken_data_is_refused_at_its_path(self) -> None:
        """A damaged data file names each problem's place."""
        document = json.loads(DATA.read_text(encoding="utf-8"))
        columns = document["columns"]
        columns[1]["type"] = "money"
        columns[2]["conditions"] = [
            {"when": {"Nope": "null", "ChargeClass": "maybe"}, "then": "maybe"},
            {"then": "null"},
            {"when": {}, "then": {"min": "zero"}},
        ]
        columns[3].update(name="x_Cost", nullable="yes", allowed=[])
        columns[4]["conditions"] = "none"
        columns[5] = "BillingPeriodEnd"
        with pytest.raises(ValidationError) as refused:
            _columns_of(document)
        paths = [problem.path for problem in refused.value.problems]
        assert paths == [
            "$.columns[1].type",
            "$.columns[2].conditions[0].when",
            "$.columns[2].conditions[0].when.ChargeClass",
            "$.columns[2].conditions[0].then",
            "$.columns[2].conditions[1].when",
            "$.columns[2].conditions[2].then",
            "$.columns[3].name",
            "$.columns[3].nullable",
            "$.columns[3].allowed",
            "$.columns[4].conditions",
            "$.columns[5]",
        ]

    def test_columns_out_of_order_are_refused(self) -> None:
        """The data must list the 43 columns in their order."""
        document = json.loads(DATA.read_text(encoding="utf-8"))
        document["columns"].reverse()
        with pytest.raises(ValidationError) as refused:
            _columns_of(document)
        assert refused.value.problems[0].path == "$.columns"
        with pytest.raises(ValidationError):
            _columns_of({"columns": "none"})


class TestColumnsScript:
    """tasks/focus_columns.py says what it lacks instead of failing with a traceback."""

    SCRIPT = DATA.parents[3] / "tasks" / "focus_columns.py"

    def run(self, *args: str, path: str = "") -> subprocess.CompletedProcess[str]:
        environment = dict(os.environ)
        if path:  # first on the path, before what the environment names
            environment["PYTHONPATH"] = os.pathsep.join(
                filter(None, (path, environment.get("PYTHONPATH")))
            )
        return subprocess.run(
            [sys.executable, str(self.SCRIPT), *args],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )

    def test_rules_without_pyyaml(self, tmp_path: Path) -> None:
        """--rules needs PyYAML: without it, a sentence naming it and the dev extra, status 2."""
        blocked = tmp_path / "no-yaml"
        blocked.mkdir()
        (blocked / "yaml.py").write_text(
            "raise ModuleNotFoundError(\"No module named 'yaml'\", name='yaml')\n",
            encoding="utf-8",
        )
        done = self.run("--check", "--rules", str(tmp_path), path=str(blocked))
        assert done.returncode == 2
        assert "--rules needs PyYAML" in done.stderr
        assert "dev" in done.stderr
        assert "Traceback" not in done.stderr

    def test_rules_folder_without_a_rule_set(self, tmp_path: Path) -> None:
        """A folder that holds no version_sets.yaml is named, status 2."""
        pytest.importorskip("yaml")
        done = self.run("--check", "--rules", str(tmp_path))
        assert done.returncode == 2
        assert "holds no version_sets.yaml" in done.stderr


# ---------------------------------------------------------------------- rows
class TestFocusRows:
    """One FOCUS row per cost line, the 43 columns then the x_ ones."""

    def test_columns_in_order(self) -> None:
        """Every row has the FOCUS columns in order, then the x_ columns."""
        rows = focus_rows(rich_profile())
        assert len(rows) == 7
        for row in rows:
            assert list(row) == [*FOCUS_COLUMNS, *FOCUS_EXTRA_COLUMNS]

    def test_an_allocation_held_all_month(self) -> None:
        """4 vcpu for 744 hours at EUR 0.042: every cell of the row, by hand."""
        rows = focus_rows(rich_profile(), customer_name="ACME Corp")
        source = json.loads(rows[0]["x_Source"])
        assert source["resource_id"] == "vm-1"
        assert cells(rows, 0) == {
            "BilledCost": "124.99",
            "BillingAccountId": CUSTOMER,
            "BillingAccountName": "ACME Corp",
            "BillingCurrency": "EUR",
            "BillingPeriodEnd": "2026-11-01T00:00:00Z",
            "BillingPeriodStart": "2026-10-01T00:00:00Z",
            "ChargeCategory": "Usage",
            "ChargeDescription": "4 vcpu of Virtual CPUs for vm at EUR 0.042 per vcpu*hour",
            "ChargeFrequency": "Usage-Based",
            "ChargePeriodEnd": "2026-11-01T00:00:00Z",
            "ChargePeriodStart": "2026-10-01T00:00:00Z",
            "ConsumedQuantity": "2976",
            "ConsumedUnit": "vcpu*hour",
            "ContractedCost": "124.992",
            "ContractedUnitPrice": "0.042",
            "EffectiveCost": "124.992",
            "InvoiceIssuerName": "ACME Cloud",
            "ListCost": "124.992",
            "ListUnitPrice": "0.042",
            "PricingCategory": "Standard",
            "PricingQuantity": "2976",
            "PricingUnit": "vcpu*hour",
            "ProviderName": "ACME Cloud",
            "PublisherName": "ACME Cloud",
            "RegionId": "fra",
            "RegionName": "fra",
            "ResourceId": "vm-1",
            "ResourceType": "Virtual CPUs",
            "ServiceCategory": "Compute",
            "ServiceName": SERVICE,
            "SkuId": "vcpu",
            "SkuPriceId": "*:vcpu:EUR0.042/vcpu*hour",
            "SubAccountId": AGREEMENT,
            "Tags": '{"cost_centre":"ops"}',
            "x_LineKind": "allocation",
            "x_Source": rows[0]["x_Source"],
            "x_PriceUnit": "vcpu*hour",
            "x_ChargePeriodStart": "2026-10-01T00:00:00+00:00[UTC]",
            "x_ChargePeriodEnd": "2026-11-01T00:00:00+00:00[UTC]",
            "x_Position": "1/7",
        }

    def test_october_in_berlin_has_745_hours(self) -> None:
        """Held all of October in Berlin: 745 hours consumed and priced, the hour back counted."""
        all_month = held("4 vcpu", dt.datetime(2026, 9, 1, tzinfo=UTC))
        profile = CostProfile.build(
            agreement("Europe/Berlin"),
            [all_month],
            [],
            Period.month(2026, 10, "Europe/Berlin"),
            rates=card_of(),
        )
        row = focus_rows(profile)[0]
        assert (row["ConsumedQuantity"], row["PricingQuantity"]) == ("2980", "2980")
        assert (row["ChargePeriodStart"], row["ChargePeriodEnd"]) == (
            "2026-09-30T22:00:00Z",
            "2026-10-31T23:00:00Z",
        )
        assert row["x_ChargePeriodStart"] == "2026-10-01T00:00:00+02:00[Europe/Berlin]"
        assert row["x_ChargePeriodEnd"] == "2026-11-01T00:00:00+01:00[Europe/Berlin]"
        assert row["EffectiveCost"] == "125.16"  # 4 x 745 x 0.042

    def test_a_price_per_month_held_half_of_it(self) -> None:
        """16 GiB from the 17th at noon: 14.5/31 of a month, 609/3875 EUR, recurring."""
        row = focus_rows(rich_profile())[1]
        assert row["ChargeFrequency"] == "Recurring"
        assert row["PricingUnit"] == "GiB*month"
        # 16 GiB x 14.5/31 month = 232/31 = 7.4838709677419354838709677419354838710
        assert Decimal(row["PricingQuantity"]) == Decimal(
            "7.4838709677419354838709677419354838710"
        )
        assert row["x_ExactCost"] == "609/3875"
        assert row["EffectiveCost"] == "0.157161290322580645161290322581"  # 30 places
        assert row["ConsumedQuantity"] == "5568"  # 16 GiB x 348 h
        assert row["ConsumedUnit"] == "GiB*hour"
        assert (row["ResourceId"], row["ResourceType"], row["Tags"]) == ("", "", "")
        assert row["x_PricePer"] == "month"

    def test_a_charge_period_widens_to_whole_seconds(self) -> None:
        """A holding from 07:13:05.123456 starts at 07:13:05Z; the exact instant is kept."""
        row = focus_rows(rich_profile())[2]
        assert row["ChargePeriodStart"] == "2026-10-03T07:13:05Z"
        assert row["ChargePeriodEnd"] == "2026-10-09T00:00:00Z"
        assert row["x_ChargePeriodStart"] == "2026-10-03T07:13:05.123456+00:00[UTC]"
        assert Fraction(row["x_ExactCost"]) == Fraction(26928938561, 2343750000)

    def test_an_end_within_a_second_widens_to_the_next(self) -> None:
        """A holding until 12:00:00.25 ends at 12:00:01Z: the charge period is never cut short."""
        until = dt.datetime(2026, 10, 9, 12, 0, 0, 250000, tzinfo=UTC)
        holding = held("2 vcpu", dt.datetime(2026, 10, 3, tzinfo=UTC), until)
        profile = CostProfile.build(agreement(), [holding], [], OCTOBER_UTC, rates=card_of())
        row = focus_rows(profile)[0]
        assert row["ChargePeriodStart"] == "2026-10-03T00:00:00Z"
        assert row["ChargePeriodEnd"] == "2026-10-09T12:00:01Z"
        assert row["x_ChargePeriodEnd"] == "2026-10-09T12:00:00.250000+00:00[UTC]"

    def test_the_term_start_cuts_the_charge_period(self) -> None:
        """An agreement from 10 October 06:30: a holding since September is charged from then.

        4 vcpu from 10 October 06:30 to 1 November: 21 days 17.5 hours = 521.5 h, 2086
        vcpu-hours, 87.612 EUR. Billing periods run from the 10th at 06:30, so October
        lies in two of them: BillingPeriodStart/End are the profile's period.
        """
        start = dt.datetime(2026, 10, 10, 6, 30, tzinfo=UTC)
        since_september = held("4 vcpu", dt.datetime(2026, 9, 1, tzinfo=UTC))
        profile = CostProfile.build(
            agreement(effective_from=start), [since_september], [], OCTOBER_UTC, rates=card_of()
        )
        row = focus_rows(profile)[0]
        assert (row["ChargePeriodStart"], row["ChargePeriodEnd"]) == (
            "2026-10-10T06:30:00Z",
            "2026-11-01T00:00:00Z",
        )
        assert row["x_ChargePeriodStart"] == "2026-10-10T06:30:00+00:00[UTC]"
        assert (row["ConsumedQuantity"], row["EffectiveCost"]) == ("2086", "87.612")
        assert (row["BillingPeriodStart"], row["BillingPeriodEnd"]) == (
            "2026-10-01T00:00:00Z",
            "2026-11-01T00:00:00Z",
        )

    def test_the_billing_period_holding_part_of_it(self) -> None:
        """A profile of 10 to 20 October is billed in October: the whole month is written.

        A usage from the 19th at noon for three days is cut at the billing period's
        end, not the profile's; the file reads back to the same lines.
        """
        part = Period(dt.datetime(2026, 10, 10, tzinfo=UTC), dt.datetime(2026, 10, 20, tzinfo=UTC))
        holding = held("4 vcpu", dt.datetime(2026, 9, 1, tzinfo=UTC))
        usage = Usage(
            CUSTOMER,
            AGREEMENT,
            SERVICE,
            "requests",
            quantity("10 request"),
            dt.datetime(2026, 10, 19, 12, tzinfo=UTC),
            dt.datetime(2026, 10, 22, 12, tzinfo=UTC),
        )
        profile = CostProfile.build(agreement(), [holding], [usage], part, rates=rich_card())
        rows = focus_rows(profile)
        assert {(row["BillingPeriodStart"], row["BillingPeriodEnd"]) for row in rows} == {
            ("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
        }
        assert (rows[0]["ChargePeriodStart"], rows[0]["ChargePeriodEnd"]) == (
            "2026-10-10T00:00:00Z",
            "2026-10-20T00:00:00Z",
        )
        assert rows[1]["ChargePeriodEnd"] == "2026-10-22T12:00:00Z"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "focus.csv"
            write_focus(path, profile)
            assert read_focus(path) == profile.lines

    def test_a_profile_over_two_billing_periods_writes_its_own(self) -> None:
        """October and November, or October in Berlin for a UTC agreement: the profile's period."""
        two = Period(dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2026, 12, 1, tzinfo=UTC))
        holding = held("4 vcpu", dt.datetime(2026, 9, 1, tzinfo=UTC))
        berlin = Period.month(2026, 10, "Europe/Berlin")
        for period, start, end in (
            (two, "2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z"),
            (berlin, "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z"),
        ):
            profile = CostProfile.build(agreement(), [holding], [], period, rates=card_of())
            row = focus_rows(profile)[0]
            assert (row["BillingPeriodStart"], row["BillingPeriodEnd"]) == (start, end)

    def test_usage_over_two_tiers(self) -> None:
        """1500 requests: a row per tier, each with its price and the part charged at it."""
        rows = focus_rows(rich_profile())
        first, second = rows[3], rows[4]
        assert (first["x_Quantity"], first["ListUnitPrice"], first["EffectiveCost"]) == (
            "1000 request",
            "0.01",
            "10",
        )
        assert (second["x_Quantity"], second["ListUnitPrice"], second["EffectiveCost"]) == (
            "500 request",
            "0.005",
            "2.5",
        )
        assert first["ChargePeriodStart"] == "2026-10-05T00:00:00Z"
        assert first["ChargePeriodEnd"] == "2026-10-06T00:00:00Z"
        assert first["ConsumedUnit"] == "request"
        assert first["x_ChargePeriodStart"] == ""
        assert first["ServiceCategory"] == "Web"

    def test_usage_in_another_unit_and_past_the_period(self) -> None:
        """350 GiB priced per GB: 375.8096384 GB; the interval is cut at the period's end."""
        row = focus_rows(rich_profile())[5]
        assert (row["ConsumedQuantity"], row["ConsumedUnit"]) == ("350", "GiB")
        assert (row["PricingQuantity"], row["PricingUnit"]) == ("375.8096384", "GB")
        assert row["EffectiveCost"] == "18.79048192"
        assert row["ChargePeriodEnd"] == "2026-11-01T00:00:00Z"
        assert (row["ResourceId"], row["ResourceType"]) == ("vm-1", "Data transferred")

    def test_a_commitment_shortfall_is_an_adjustment(self) -> None:
        """The vcpu minimum not reached: Adjustment, Recurring, no price or quantity."""
        row = focus_rows(rich_profile())[6]
        assert row["ChargeCategory"] == "Adjustment"
        assert row["ChargeFrequency"] == "Recurring"
        assert row["ChargeDescription"] == (
            "Shortfall under the minimum of EUR 500 per month for Virtual CPUs of every service"
        )
        for name in ("ListUnitPrice", "PricingQuantity", "PricingUnit", "ConsumedQuantity"):
            assert row[name] == ""
        assert (row["ServiceName"], row["SkuId"], row["ServiceCategory"]) == (
            SERVICE,
            "vcpu",
            "Compute",
        )
        assert row["EffectiveCost"] == "363.518319547306666666666666666667"
        assert Fraction(row["x_ExactCost"]) == 500 - Fraction("124.992") - Fraction(
            26928938561, 2343750000
        )

    def test_billed_cost_adds_up_to_the_total(self) -> None:
        """BilledCost is each line's share of the rounded total: they add up to 531.45."""
        profile = rich_profile()
        rows = focus_rows(profile)
        assert profile.total == Money("531.45", EUR)
        assert sum(Decimal(row["BilledCost"]) for row in rows) == Decimal("531.45")
        assert [row["BilledCost"] for row in rows] == [
            "124.99",
            "0.16",
            "11.49",
            "10.00",
            "2.50",
            "18.79",
            "363.52",
        ]

    def test_the_provider_named(self) -> None:
        """A provider profile's name, or a name given, fills the three provider columns."""
        acme = ProviderProfile(
            name="ACME Europe", categories_offered={ServiceCategory.IAAS}, jurisdictions={"DE"}
        )
        for named, name in ((acme, "ACME Europe"), ("ACME Resale", "ACME Resale")):
            row = focus_rows(rich_profile(), provider=named)[0]
            assert {row[c] for c in ("ProviderName", "PublisherName", "InvoiceIssuerName")} == {
                name
            }

    def test_the_rows_keep_every_rule(self) -> None:
        """Our own check finds nothing wrong with the rows."""
        assert check_focus(focus_rows(rich_profile())) == ()


# ---------------------------------------------------------------------- the file
class TestFocusFile:
    """write_focus and read_focus: the same lines back."""

    def test_round_trip(self, tmp_path: Path) -> None:
        """The lines read back equal the profile's, in order, with their sources."""
        profile = rich_profile()
        path = tmp_path / "focus.csv"
        assert write_focus(path, profile) == 7
        lines = read_focus(path)
        assert lines == profile.lines
        assert [line.source for line in lines] == [line.source for line in profile.lines]
        assert [line.held for line in lines] == [line.held for line in profile.lines]
        assert [line.during for line in lines] == [line.during for line in profile.lines]

    def test_the_file_is_the_rows(self, tmp_path: Path) -> None:
        """The CSV holds a header and the rows of focus_rows, with LF line ends."""
        profile = rich_profile()
        path = tmp_path / "focus.csv"
        write_focus(path, profile)
        raw = path.read_bytes()
        assert b"\r\n" not in raw
        read = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
        assert read == focus_rows(profile)

    def test_a_quoted_carriage_return(self, tmp_path: Path) -> None:
        """A cost centre holding a carriage return is quoted and read back whole."""
        odd = held("1 vcpu", dt.datetime(2026, 10, 2, tzinfo=UTC), cost_centre="ops\rnight")
        profile = CostProfile.build(agreement(), [odd], [], OCTOBER_UTC, rates=rich_card())
        path = tmp_path / "focus.csv"
        write_focus(path, profile)
        assert read_focus(path) == profile.lines
        assert read_focus(path)[0].cost_centre == "ops\rnight"

    def test_spaces_at_the_ends_of_a_location(self, tmp_path: Path) -> None:
        """A location ending in a space: RegionId is read trimmed, x_Source keeps it whole."""
        spaced = held("1 vcpu", dt.datetime(2026, 10, 2, tzinfo=UTC), location="fra ")
        profile = CostProfile.build(agreement(), [spaced], [], OCTOBER_UTC, rates=card_of())
        path = tmp_path / "focus.csv"
        write_focus(path, profile)
        (line,) = read_focus(path)
        assert line.source.location == "fra "  # type: ignore[union-attr]

    def test_other_custom_columns_are_let_be(self, tmp_path: Path) -> None:
        """A column of another tool named x_ does not stop the file being read."""
        profile = rich_profile()
        rows = focus_rows(profile)
        path = tmp_path / "focus.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, [*rows[0], "x_Team"])
            writer.writeheader()
            writer.writerows({**row, "x_Team": "blue"} for row in rows)
        assert read_focus(path) == profile.lines

    def test_an_empty_profile_writes_a_header(self, tmp_path: Path) -> None:
        """No lines: a header alone, read back as no lines."""
        profile = CostProfile.build(agreement(), [], [], OCTOBER_UTC, rates=card_of())
        path = tmp_path / "focus.csv"
        assert write_focus(path, profile) == 0
        assert path.read_text(encoding="utf-8").count("\n") == 1
        assert read_focus(path) == ()


def _written(tmp_path: Path, change: dict[str, str], line: int = 0) -> Path:
    """The rich profile's file with cells of one row changed."""
    rows = focus_rows(rich_profile())
    rows[line].update(change)
    path = tmp_path / "focus.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _refusal(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as refused:
        read_focus(path)
    return [(problem.path, problem.expected) for problem in refused.value.problems]


class TestReadFocusRefusals:
    """A malformed file is refused whole, each problem at file:line:column."""

    def test_a_line_kind_unknown(self, tmp_path: Path) -> None:
        """An unknown kind is named at its cell."""
        found = _refusal(_written(tmp_path, {"x_LineKind": "tax"}, line=2))
        assert found == [
            ("focus.csv:4:x_LineKind", "one of allocation, usage, commitment (column 44)")
        ]

    def test_a_source_that_is_not_its_kind(self, tmp_path: Path) -> None:
        """The JSON of a usage where an allocation's should be is refused at x_Source."""
        usage_source = focus_rows(rich_profile())[3]["x_Source"]
        found = _refusal(_written(tmp_path, {"x_Source": usage_source}))
        assert {path for path, _ in found} == {"focus.csv:2:x_Source"}
        assert found[0][1].startswith("the JSON of an Allocation: ")

    def test_an_exact_cost_that_disagrees(self, tmp_path: Path) -> None:
        """x_ExactCost must be what EffectiveCost rounds; a malformed one is named too."""
        found = _refusal(_written(tmp_path, {"x_ExactCost": "1/3"}, line=1))
        assert found == [
            (
                "focus.csv:3:x_ExactCost",
                (
                    "the exact amount EffectiveCost rounds (0.333333333333333333333333333333)"
                    " (column 51)"
                ),
            )
        ]
        found = _refusal(_written(tmp_path, {"x_ExactCost": "a third"}, line=1))
        assert found == [
            ("focus.csv:3:x_ExactCost", "an exact fraction such as 1/3, or empty (column 51)")
        ]

    def test_cells_of_a_price_and_a_period(self, tmp_path: Path) -> None:
        """A price unit, an amount and an instant that cannot be read are each named."""
        found = _refusal(
            _written(
                tmp_path,
                {
                    "x_PriceUnit": "furlong_per_week",
                    "x_ChargePeriodStart": "yesterday",
                    "EffectiveCost": "lots",
                },
            )
        )
        assert [path for path, _ in found] == [
            "focus.csv:2:EffectiveCost",
            "focus.csv:2:x_PriceUnit",
            "focus.csv:2:x_ChargePeriodStart",
        ]

    def test_a_quantity_and_an_end_before_its_start(self, tmp_path: Path) -> None:
        """A usage's quantity and a period ending before it starts are refused."""
        found = _refusal(_written(tmp_path, {"ListUnitPrice": "cheap"}, line=3))
        assert found == [
            ("focus.csv:5:ListUnitPrice", "a decimal number such as 12.5 (column 26)")
        ]
        found = _refusal(_written(tmp_path, {"x_Quantity": "many"}, line=3))
        assert [path for path, _ in found] == ["focus.csv:5:x_Quantity"]
        found = _refusal(
            _written(tmp_path, {"x_ChargePeriodEnd": "2026-09-01T00:00:00+00:00[UTC]"})
        )
        assert [path for path, _ in found] == ["focus.csv:2:x_ChargePeriodEnd"]

    def test_a_line_the_model_refuses(self, tmp_path: Path) -> None:
        """A currency that is no ISO 4217 code is refused where it is written."""
        found = _refusal(_written(tmp_path, {"BillingCurrency": "XYZ"}, line=6))
        assert found == [
            ("focus.csv:8:BillingCurrency", "an ISO 4217 currency code such as EUR (column 5)")
        ]
        found = _refusal(_written(tmp_path, {"BillingCurrency": "XYZ"}))
        assert [path for path, _ in found] == ["focus.csv:2:BillingCurrency"]

    def test_a_missing_column_and_an_unknown_one(self, tmp_path: Path) -> None:
        """The header must hold every FOCUS and x_ column; others than x_ are refused."""
        path = tmp_path / "focus.csv"
        header = [c for c in (*FOCUS_COLUMNS, *FOCUS_EXTRA_COLUMNS) if c != "x_Source"]
        path.write_text(",".join([*header, "Cost"]) + "\n", encoding="utf-8")
        found = _refusal(path)
        assert [p for p, _ in found] == ["focus.csv:1:Cost", "focus.csv:1"]

    def test_not_a_file(self, tmp_path: Path) -> None:
        """A file that cannot be read is refused at its name."""
        assert [p for p, _ in _refusal(tmp_path / "nothing.csv")] == ["nothing.csv"]


# ---------------------------------------------------------------------- refusals
class TestFocusRowsRefusals:
    """What focus_rows refuses, each at its path."""

    def test_wrong_arguments(self) -> None:
        """Every wrong argument is named at once."""
        with pytest.raises(ValidationError) as refused:
            focus_rows("profile", provider=3, customer_name=" ", types="vcpu")  # type: ignore[arg-type]
        assert [p.path for p in refused.value.problems] == [
            "$.profile",
            "$.provider",
            "$.customer_name",
            "$.types",
        ]
        with pytest.raises(ValidationError) as refused:
            focus_rows(rich_profile(), provider="  ", types=[resource_type("vcpu"), "memory"])  # type: ignore[list-item]
        assert [p.path for p in refused.value.problems] == ["$.provider", "$.types[1]"]

    def test_a_type_missing_from_the_table(self) -> None:
        """A line's type the table given lacks is refused at the line."""
        with pytest.raises(ValidationError) as refused:
            focus_rows(rich_profile(), types=[resource_type("vcpu")])
        problem = refused.value.problems[0]
        assert problem == Problem(
            "$.profile.lines[1].resource_type",
            "a resource type of the types given (vcpu)",
            "memory",
        )

    def test_nothing_written_when_refused(self, tmp_path: Path) -> None:
        """A refused export leaves no file behind."""
        path = tmp_path / "focus.csv"
        with pytest.raises(ValidationError):
            write_focus(path, rich_profile(), types=[])
        assert not path.exists()


class TestCostLineOf:
    """CostLine.of: a line of given values, equal to the one built."""

    def test_equal_to_the_lines_built(self) -> None:
        """Each kind of line made from its values equals the built one."""
        profile = rich_profile()
        for line in profile.lines:
            made = CostLine.of(
                line.source,
                exact=line.exact,
                currency=EUR,
                price=line.price,
                quantity=line.quantity if line.kind == "usage" else None,
                held=line.held,
                during=line.during,
            )
            assert made == line
            assert hash(made) == hash(line)
            assert (made.kind, made.amount, made.held, made.during) == (
                line.kind,
                line.amount,
                line.held,
                line.during,
            )

    def test_an_allocation_may_name_its_own_quantity(self) -> None:
        """An allocation's line takes its quantity, when it is the allocation's."""
        line = rich_profile().lines[0]
        made = CostLine.of(
            line.source,
            exact=line.exact,
            currency=EUR,
            price=line.price,
            quantity=line.quantity,
            held=line.held,
        )
        assert made == line
        with pytest.raises(ValidationError) as refused:
            CostLine.of(
                line.source,
                exact=line.exact,
                currency=EUR,
                price=line.price,
                quantity=quantity("5 vcpu"),
                held=line.held,
            )
        assert refused.value.problems[0] == Problem(
            "$.quantity", "the allocation's quantity (4 vcpu)", "5 vcpu"
        )

    def test_refusals(self) -> None:
        """Wrong values and values the kind does not take are each named."""
        commitment = MinimumCommitment(Money("5", EUR))
        with pytest.raises(ValidationError) as refused:
            CostLine.of(
                commitment,
                exact=0.5,  # type: ignore[arg-type]
                currency="XXY",
                price=Price(Money("1", "USD"), "vcpu*hour"),
                held="October",  # type: ignore[arg-type]
            )
        assert [p.path for p in refused.value.problems] == [
            "$.exact",
            "$.currency",
            "$.price",
            "$.held",
            "$.price",
            "$.held",
            "$.during",
        ]
        with pytest.raises(ValidationError) as refused:
            CostLine.of(
                "usage",  # type: ignore[arg-type]
                exact=Fraction(1),
                currency=EUR,
                price="EUR 1",  # type: ignore[arg-type]
                quantity="4 vcpu",  # type: ignore[arg-type]
            )
        assert [p.path for p in refused.value.problems] == ["$.source", "$.price", "$.quantity"]
        with pytest.raises(TypeError, match=r"CostLine\.of"):
            CostLine()


# ---------------------------------------------------------------------- check_focus
class TestCheckFocus:
    """check_focus names every rule a row breaks."""

    def row(self, **changes: Any) -> dict[str, Any]:
        return {**focus_rows(rich_profile())[0], **changes}

    def problems(self, row: dict[str, Any]) -> list[tuple[str, str]]:
        return [(p.path, p.expected) for p in check_focus([row])]

    def test_nulls_types_and_values(self) -> None:
        """A null, a malformed cell of each type and a value not allowed."""
        found = self.problems(
            self.row(
                BillingAccountId="",
                BilledCost="1,5",
                ChargePeriodStart="2026-10-01T00:00:00+02:00",
                BillingCurrency="EURO",
                Tags='{"team": {"name": "ops"}}',
                ChargeCategory="Fee",
            )
        )
        assert found == [
            ("$[0].BilledCost", "a decimal number such as 12.5"),
            ("$[0].BillingAccountId", "a value (the column may not be null)"),
            ("$[0].BillingCurrency", "an ISO 4217 currency code such as EUR"),
            ("$[0].ChargeCategory", "one of Usage, Purchase, Tax, Credit, Adjustment"),
            ("$[0].ChargePeriodStart", "a UTC date-time such as 2026-10-01T00:00:00Z"),
            ("$[0].ConsumedQuantity", "an empty cell (only usage states an amount consumed)"),
            ("$[0].ConsumedUnit", "an empty cell (only usage states a unit consumed)"),
            ("$[0].Tags", "a JSON object of keys and plain values"),
        ]

    def test_a_date_that_does_not_exist(self) -> None:
        """The 31st of November is not a date-time."""
        found = self.problems(self.row(ChargePeriodEnd="2026-11-31T00:00:00Z"))
        assert found == [("$[0].ChargePeriodEnd", "a UTC date-time such as 2026-10-01T00:00:00Z")]

    def test_conditional_rules(self) -> None:
        """Usage without a consumed quantity, a tax with a price, a cost that is no product."""
        found = self.problems(self.row(ConsumedQuantity=""))
        assert found == [
            (
                "$[0].ConsumedQuantity",
                "a value (usage that corrects nothing states how much was consumed)",
            )
        ]
        found = self.problems(self.row(ListCost="124.9"))
        assert found == [
            (
                "$[0].ListCost",
                (
                    "ListUnitPrice times PricingQuantity (the cost is ListUnitPrice times "
                    "PricingQuantity, corrections aside)"
                ),
            )
        ]
        found = self.problems(self.row(ChargeCategory="Tax", ConsumedQuantity="", ConsumedUnit=""))
        assert [path for path, _ in found] == [
            "$[0].ContractedUnitPrice",
            "$[0].ListUnitPrice",
            "$[0].PricingCategory",
            "$[0].PricingQuantity",
            "$[0].PricingUnit",
            "$[0].SkuId",
            "$[0].SkuPriceId",
        ]
        found = self.problems(
            self.row(ResourceType="", ListUnitPrice="-1", ContractedUnitPrice="-1")
        )
        assert [path for path, _ in found] == [
            "$[0].ContractedCost",
            "$[0].ContractedUnitPrice",
            "$[0].ListCost",
            "$[0].ListUnitPrice",
            "$[0].ResourceType",
        ]

    def test_a_product_of_cells_not_there(self) -> None:
        """A product rule leaves empty and malformed factors to their own rules."""
        assert self.problems(self.row(ListCost="")) == [
            ("$[0].ListCost", "a value (the column may not be null)")
        ]
        assert self.problems(self.row(ListUnitPrice="cheap")) == [
            ("$[0].ListUnitPrice", "a decimal number such as 12.5")
        ]
        assert self.problems(self.row(Tags="{")) == [
            ("$[0].Tags", "a JSON object of keys and plain values")
        ]

    def test_commitment_discount_columns(self) -> None:
        """A commitment discount id asks for its category, type, status and pricing category."""
        found = self.problems(self.row(CommitmentDiscountId="cd-1", CommitmentDiscountName="x"))
        assert [path for path, _ in found] == [
            "$[0].CommitmentDiscountCategory",
            "$[0].CommitmentDiscountStatus",
            "$[0].CommitmentDiscountType",
            "$[0].PricingCategory",
        ]
        found = self.problems(self.row(CommitmentDiscountName="x"))
        assert found == [
            (
                "$[0].CommitmentDiscountName",
                "an empty cell (no commitment discount name without a commitment discount)",
            )
        ]

    def test_columns_missing_unknown_and_not_text(self) -> None:
        """A missing column, one neither FOCUS's nor custom, a cell that is not text."""
        row: dict[str, Any] = self.row(Cost="1", x_Team="blue", ResourceName=None)
        del row["Tags"]
        found = self.problems(row)
        assert found == [
            ("$[0].ResourceName", "text (an empty string for null)"),
            ("$[0].Cost", "a FOCUS 1.0 column, or a custom one named x_..."),
            ("$[0].Tags", "the column, present in every row"),
        ]

    def test_not_rows(self) -> None:
        """A row that is no mapping, and rows that are no list."""
        assert check_focus(["row"]) == (  # type: ignore[list-item]
            Problem("$[0]", "a mapping of column names to text", "'row' (string)"),
        )
        with pytest.raises(ValidationError):
            check_focus("rows")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- properties
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe")
TYPES = [
    resource_type(kind) for kind in ("vcpu", "memory", "storage", "requests", "data_transfer")
]


@st.composite
def profiles(draw: st.DrawFn) -> CostProfile:
    """Profiles of October 2026 in a zone: a drawn rate card, holdings and usage it prices."""
    zone = draw(st.sampled_from(ZONES))
    card = draw(rate_cards(types=TYPES, services=[SERVICE], max_rates=5))
    priced = [kind for kind in TYPES if card.rate_for(SERVICE, kind.id) is not None]
    instants = aware_datetimes(
        min_value=dt.datetime(2026, 9, 25),
        max_value=dt.datetime(2026, 11, 5),
        edges=False,
    )
    held_types = [kind for kind in priced if kind.kind.value == "allocated"]
    used_types = [kind for kind in priced if kind.kind.value == "metered"]
    rows: list[Allocation] = []
    usage: list[Usage] = []
    if held_types:
        rows = draw(
            st.lists(
                allocations(
                    customers=[CUSTOMER],
                    agreements=[AGREEMENT],
                    services=[SERVICE],
                    types=held_types,
                    instants=instants,
                    max_days=20,
                ),
                max_size=4,
            )
        )
    if used_types:
        usage = draw(
            st.lists(
                usages(
                    customers=[CUSTOMER],
                    agreements=[AGREEMENT],
                    services=[SERVICE],
                    types=used_types,
                    instants=instants,
                    max_days=3,
                ),
                max_size=4,
            )
        )
    return CostProfile.build(
        agreement(zone), rows, usage, Period.month(2026, 10, zone), rates=card
    )


class TestProperties:
    """What holds of the export of every profile."""

    @given(profiles())
    @settings(suppress_health_check=[HealthCheck.too_slow])
    def test_billed_cost_sums_to_the_total(self, profile: CostProfile) -> None:
        """BilledCost adds up to the profile's total, exactly; one row per line."""
        rows = focus_rows(profile)
        assert len(rows) == len(profile.lines)
        billed = sum(
            (Money(row["BilledCost"], profile.currency) for row in rows),
            Money.zero(profile.currency),
        )
        assert billed == profile.total

    # Each example builds a drawn profile, writes it to a file and reads it back (about a
    # tenth of a second under coverage): the ci profile runs 50, not 100; dev 50, smoke 10.
    @given(profiles())
    @settings(max_examples=examples(50), suppress_health_check=[HealthCheck.too_slow])
    def test_a_round_trip_gives_the_same_lines(self, profile: CostProfile) -> None:
        """The lines read back from the file equal the profile's, sources and all."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "focus.csv"
            write_focus(path, profile)
            lines = read_focus(path)
        assert lines == profile.lines
        assert [line.source for line in lines] == [line.source for line in profile.lines]

    @given(profiles())
    @settings(suppress_health_check=[HealthCheck.too_slow])
    def test_the_rows_keep_every_rule(self, profile: CostProfile) -> None:
        """check_focus finds nothing wrong with the rows of any profile."""
        assert check_focus(focus_rows(profile)) == ()


class TestFastPaths:
    """The export's integer arithmetic gives what the model's own functions give."""

    @given(
        st.fractions(min_value=0, max_value=Fraction(10**31) - 1, max_denominator=10**40)
        | st.integers(0, 10**9).map(lambda n: Fraction(n, 2**40))
    )
    def test_amounts_as_cost_lines_write_them(self, value: Fraction) -> None:
        """Money text is nearest_amount's, exact or to 38 digits and 30 places."""
        text, exact = _money_text(value.numerator, value.denominator)
        assert text == plain(nearest_amount(value))
        assert exact == (Fraction(Decimal(text)) == value)

    def test_an_amount_too_large(self) -> None:
        """An amount of 1E+31 or more is refused, as Money refuses it."""
        with pytest.raises(OverflowError):
            _money_text(10**31, 1)
        with pytest.raises(OverflowError):  # rounds up to 1E+31
            _money_text(10**40 - 1, 10**9)

    @given(st.fractions(min_value=0, max_value=10**12, max_denominator=10**30))
    def test_quantities_as_to_decimal_writes_them(self, value: Fraction) -> None:
        """Quantity text is to_decimal's: exact where the decimals end, else 38 digits."""
        assert _quantity_text(value.numerator * 7, value.denominator * 7) == plain(
            to_decimal(value)
        )

    @given(
        st.sampled_from(["EUR", "JPY", "BHD"]),
        st.decimals(min_value=0, max_value=10**9, places=3),
        st.lists(st.fractions(min_value=0, max_value=10**6, max_denominator=10**12), min_size=1),
    )
    def test_billed_cost_is_allocate(
        self, code: str, amount: Decimal, weights: list[Fraction]
    ) -> None:
        """The shares are those the profile's splits hand out (allocate's rule)."""
        total = Money(amount, code)
        shares = _billed(total, weights)
        if not total or not any(weights):  # zero shares, to the currency's minor places
            zero = {"EUR": "0.00", "JPY": "0", "BHD": "0.000"}[code]
            assert shares == [zero] * len(weights)
        else:
            assert shares == [part.amount_text for part in _split(total, weights)]

    def test_billed_cost_ties_go_to_earlier_lines(self) -> None:
        """Equal remainders: the earlier line gets the cent, as allocate gives it."""
        total = Money("1.00", EUR)
        weights = [Fraction(1), Fraction(1), Fraction(1)]
        assert _billed(total, weights) == ["0.34", "0.33", "0.33"]

    def test_a_zero_total_has_the_currencys_places(self) -> None:
        """A zero total is billed 0.00 (EUR), 0 (JPY), 0.000 (BHD): as other zero shares."""
        weights = [Fraction(1), Fraction(0)]
        assert _billed(Money("1.00", EUR), weights) == ["1.00", "0.00"]
        assert _billed(Money.zero(EUR), weights) == ["0.00", "0.00"]
        assert _billed(Money.zero("JPY"), weights) == ["0", "0"]
        assert _billed(Money.zero("BHD"), weights) == ["0.000", "0.000"]
        assert _billed(Money("0.004", EUR), [Fraction(0)]) == ["0.00"]

    @given(
        allocations(instants=aware_datetimes(edges=False))
        | usages(instants=aware_datetimes(edges=False))
    )
    def test_sources_as_to_json_writes_them(self, record: Allocation | Usage) -> None:
        """x_Source holds the record's JSON as cloudsms.serialization writes it."""
        writer = _Writer(rich_profile(), "ACME", None, {})
        assert writer.source(record) == to_json(record)

    @given(profiles())
    @settings(suppress_health_check=[HealthCheck.too_slow])
    def test_quantities_consumed_and_priced(self, profile: CostProfile) -> None:
        """An allocation consumes its quantity times the hours held; a price counts its own.

        A usage's row consumes its part of the usage, in the usage's own unit.
        """
        for line, row in zip(profile.lines, focus_rows(profile), strict=True):
            if line.kind == "allocation":
                assert line.held is not None
                hours = Fraction(line.quantity.magnitude) * line.held.hours  # type: ignore[union-attr]
                assert row["ConsumedQuantity"] == plain(to_decimal(hours))
            if line.price is not None and line.price.amount.amount:
                priced = line.exact / Fraction(line.price.amount.amount)
                assert row["PricingQuantity"] == plain(to_decimal(priced))
            if line.kind == "usage":  # its part, in the unit the usage was measured in
                measured = line.source.quantity
                part = fraction_in(line.quantity, format_quantity(measured).partition(" ")[2])  # type: ignore[arg-type]
                assert row["ConsumedQuantity"] == plain(to_decimal(part))


# ---------------------------------------------------------------------- edited files
def _rows_written(tmp_path: Path, rows: list[dict[str, str]], name: str = "focus.csv") -> Path:
    """Rows as a FOCUS file, header first."""
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _paths(path: Path) -> list[str]:
    return [where for where, _ in _refusal(path)]


class TestReadFocusRefusesEdits:
    """read_focus refuses a file whose rows disagree with themselves or each other.

    Each file here was written by write_focus and then edited; every edit leaves
    the x_ columns able to rebuild a line, so only the cross-checks find it.
    """

    def test_a_row_check_focus_flags(self, tmp_path: Path) -> None:
        """A rule of FOCUS broken (a charge category not allowed) is refused at its cell."""
        found = _refusal(_written(tmp_path, {"ChargeCategory": "Fee"}))
        assert found == [
            (
                "focus.csv:2:ChargeCategory",
                "one of Usage, Purchase, Tax, Credit, Adjustment (column 8)",
            ),
            (
                "focus.csv:2:ConsumedQuantity",
                "an empty cell (only usage states an amount consumed) (column 19)",
            ),
            (
                "focus.csv:2:ConsumedUnit",
                "an empty cell (only usage states a unit consumed) (column 20)",
            ),
        ]

    def test_more_than_one_currency(self, tmp_path: Path) -> None:
        """A file is one profile's: a second BillingCurrency is refused where it appears."""
        found = _refusal(_written(tmp_path, {"BillingCurrency": "USD"}, line=3))
        assert found == [
            (  # the rate's id names its price, in EUR
                "focus.csv:5:SkuPriceId",
                "*:requests:USD0.01/request, as the resource type and the price (column 40)",
            ),
            (
                "focus.csv:5:BillingCurrency",
                (
                    "EUR, the BillingCurrency of the file's other rows: a file holds one profile"
                    " (column 5)"
                ),
            ),
        ]

    def test_the_profile_columns_are_one_in_every_row(self, tmp_path: Path) -> None:
        """Billing period, account and provider are the same in every row."""
        found = _paths(
            _written(
                tmp_path,
                {"BillingPeriodEnd": "2026-12-01T00:00:00Z", "ProviderName": "Other Cloud"},
                line=6,
            )
        )
        assert found == ["focus.csv:8:BillingPeriodEnd", "focus.csv:8:ProviderName"]

    def test_an_amount_that_is_not_the_price_of_what_was_held(self, tmp_path: Path) -> None:
        """All four costs edited alike: the price of 4 vcpu for 744 hours is still 124.992."""
        edit = dict.fromkeys(("EffectiveCost", "ListCost", "ContractedCost"), "125")
        found = _refusal(_written(tmp_path, {**edit, "BilledCost": "125.00"}))
        assert (
            "focus.csv:2:EffectiveCost",
            "124.992, the price's cost of the quantity for the time held (column 23)",
        ) in found

    def test_a_usage_amount_that_is_not_its_price(self, tmp_path: Path) -> None:
        """A tier's row: 500 requests at 0.005 are 2.5, not 3."""
        edit = dict.fromkeys(("EffectiveCost", "ListCost", "ContractedCost"), "3")
        found = _paths(_written(tmp_path, edit, line=4))
        assert "focus.csv:6:EffectiveCost" in found

    def test_costs_that_differ(self, tmp_path: Path) -> None:
        """ListCost and ContractedCost are EffectiveCost (the same number spelt otherwise is)."""
        found = _paths(_written(tmp_path, {"ListCost": "124.99", "ContractedCost": "125"}))
        assert found == ["focus.csv:2:ContractedCost", "focus.csv:2:ListCost"]
        assert len(read_focus(_written(tmp_path, {"ListCost": "124.9920"}))) == 7

    @pytest.mark.parametrize(
        ("line", "column", "value"),
        [
            (0, "ResourceId", "vm-2"),
            (1, "ResourceId", "vm-1"),
            (0, "BillingAccountId", "globex"),
            (0, "SubAccountId", "agr-other"),
            (0, "ServiceName", "dbaas"),
            (0, "PricingUnit", "vcpu*minute"),
            (0, "ContractedUnitPrice", "0.04"),
            (0, "SkuId", "memory"),
            (0, "SkuPriceId", "*:vcpu:EUR0.05/vcpu*hour"),
            (0, "ChargePeriodStart", "2026-10-02T00:00:00Z"),
            (0, "ChargePeriodEnd", "2026-10-31T00:00:00Z"),
            (3, "ChargePeriodStart", "2026-10-05T01:00:00Z"),
            (5, "ChargePeriodEnd", "2026-11-01T12:00:00Z"),
            (0, "ConsumedQuantity", "2975"),
            (0, "PricingQuantity", "2975"),
            (5, "ConsumedQuantity", "351"),
            (5, "ConsumedUnit", "GB"),
            (0, "ConsumedUnit", "vcpu*minute"),
            (0, "ChargeFrequency", "Recurring"),
            (0, "RegionId", "ams"),
            (0, "Tags", '{"cost_centre":"dev"}'),
            (1, "Tags", '{"cost_centre":"dev"}'),
            (6, "SkuId", "memory"),
            (6, "x_PriceUnit", "vcpu*hour"),
            (3, "x_ChargePeriodStart", "2026-10-05T00:00:00+00:00[UTC]"),
            (0, "x_Quantity", "4 vcpu"),
        ],
    )
    def test_a_column_that_disagrees_with_what_it_duplicates(
        self, tmp_path: Path, line: int, column: str, value: str
    ) -> None:
        """A FOCUS column edited away from the x_ column (or record) it repeats is refused."""
        found = _paths(_written(tmp_path, {column: value}, line=line))
        assert f"focus.csv:{line + 2}:{column}" in found

    def test_billed_cost_moved_between_rows(self, tmp_path: Path) -> None:
        """A cent moved from one row to another keeps the sum, not the shares."""
        rows = focus_rows(rich_profile())
        rows[0]["BilledCost"], rows[1]["BilledCost"] = "124.98", "0.17"
        found = _refusal(_rows_written(tmp_path, rows))
        assert [where for where, _ in found] == [
            "focus.csv:2:BilledCost",
            "focus.csv:3:BilledCost",
        ]
        assert found[0][1] == (
            "124.99, the line's share of the total 531.45 (the total of the exact amounts"
            " rounded once, handed out in proportion to them) (column 2)"
        )

    def test_amounts_no_profile_could_total(self, tmp_path: Path) -> None:
        """Two rows of EUR 6.2496E+30 each: no profile's total reaches 1E+31."""
        huge = held("200000000000000000000000000000 vcpu", dt.datetime(2026, 9, 1, tzinfo=UTC))
        profile = CostProfile.build(agreement(), [huge], [], OCTOBER_UTC, rates=card_of())
        rows = focus_rows(profile) * 2
        rows = [{**row, "x_Position": f"{place}/2"} for place, row in enumerate(rows, start=1)]
        assert _paths(_rows_written(tmp_path, rows)) == ["focus.csv:3:BilledCost"]

    def test_a_row_dropped(self, tmp_path: Path) -> None:
        """Without the memory row, the rounded total and so the shares change."""
        rows = focus_rows(rich_profile())
        del rows[1]
        assert _refusal(_rows_written(tmp_path, rows)) == [
            (
                "focus.csv:2:x_Position",
                (
                    "1/6, the row's place among the file's 6 rows (a row dropped, repeated or"
                    " moved before it changes it) (column 52)"
                ),
            )
        ]

    def test_a_row_repeated_or_moved(self, tmp_path: Path) -> None:
        """Rows out of their order, or twice, are found at the first row out of place."""
        rows = focus_rows(rich_profile())
        rows[1], rows[2] = rows[2], rows[1]
        assert _paths(_rows_written(tmp_path, rows)) == ["focus.csv:3:x_Position"]
        rows = focus_rows(rich_profile())
        assert "focus.csv:2:x_Position" in _paths(_rows_written(tmp_path, [*rows, rows[6]]))

    def test_a_row_dropped_with_the_places_renumbered(self, tmp_path: Path) -> None:
        """What reading cannot tell: a whole line removed and every place renumbered.

        Without the memory line (0.157... EUR, billed 0.16) the exact total is
        531.290..., rounded 531.29, and every other line's share is its own amount
        rounded, as before: the six rows left say one consistent profile, and are
        read as one (docs/focus.md says so).
        """
        rows = focus_rows(rich_profile())
        del rows[1]
        for place, row in enumerate(rows, start=1):
            row["x_Position"] = f"{place}/6"
        assert len(read_focus(_rows_written(tmp_path, rows))) == 6

    def test_a_tier_dropped(self, tmp_path: Path) -> None:
        """The 500 requests of the second tier gone: the usage's parts no longer add up."""
        rows = focus_rows(rich_profile())
        del rows[4]
        found = _paths(_rows_written(tmp_path, rows))
        assert "focus.csv:5:x_Quantity" in found

    def test_a_tier_larger_than_its_usage(self, tmp_path: Path) -> None:
        """A part of a usage above the usage itself is refused."""
        rows = focus_rows(rich_profile())
        rows[3].update(
            x_Quantity="2000 request",
            ConsumedQuantity="2000",
            PricingQuantity="2000",
            EffectiveCost="20",
            ListCost="20",
            ContractedCost="20",
        )
        assert "focus.csv:5:x_Quantity" in _paths(_rows_written(tmp_path, rows))

    def test_a_shortfall_above_its_minimum(self, tmp_path: Path) -> None:
        """A shortfall is at most the minimum owed over its part of the month: EUR 500."""
        edit = dict.fromkeys(("EffectiveCost", "ListCost", "ContractedCost"), "600")
        found = _refusal(_written(tmp_path, {**edit, "x_ExactCost": ""}, line=6))
        assert (
            "focus.csv:8:EffectiveCost",
            (
                "an amount above 0 and at most 500, the minimum owed over the part of the"
                " calendar month it is owed for (column 23)"
            ),
        ) in found

    def test_a_shortfall_over_two_months(self, tmp_path: Path) -> None:
        """A shortfall is owed for a part of one calendar month."""
        found = _paths(
            _written(tmp_path, {"x_ChargePeriodEnd": "2026-11-02T00:00:00+00:00[UTC]"}, line=6)
        )
        assert "focus.csv:8:x_ChargePeriodEnd" in found

    def test_a_pandas_round_trip_is_refused(self, tmp_path: Path) -> None:
        """Amounts read as floats and written back lose digits: the file is refused."""
        pd = pytest.importorskip("pandas")
        long_digits = held("1.23456789012345678 vcpu", dt.datetime(2026, 9, 1, tzinfo=UTC))
        profile = CostProfile.build(agreement(), [long_digits], [], OCTOBER_UTC, rates=card_of())
        written = tmp_path / "focus.csv"
        write_focus(written, profile)
        assert focus_rows(profile)[0]["x_ExactCost"] == ""  # its decimals end: no fraction
        assert read_focus(written) == profile.lines
        again, indexed = tmp_path / "again.csv", tmp_path / "indexed.csv"
        pd.read_csv(written).to_csv(again, index=False)
        pd.read_csv(written).to_csv(indexed)
        assert "again.csv:2:EffectiveCost" in _paths(again)
        assert "indexed.csv:2:EffectiveCost" in _paths(indexed)
        rich = tmp_path / "rich.csv"
        write_focus(rich, rich_profile())
        pd.read_csv(rich).to_csv(again, index=False)
        assert "again.csv:3:x_ExactCost" in _paths(again)

    def test_a_price_or_a_part_that_cannot_charge_its_quantity(self, tmp_path: Path) -> None:
        """A price of GiB-hours for vcpu held; a part of a usage of requests in GiB."""
        found = _paths(_written(tmp_path, {"x_PriceUnit": "GiB*hour"}))
        assert "focus.csv:2:x_PriceUnit" in found
        found = _paths(_written(tmp_path, {"x_Quantity": "1000 GiB"}, line=3))
        assert "focus.csv:5:x_Quantity" in found

    def test_a_charge_period_outside_the_billing_period(self, tmp_path: Path) -> None:
        """The time held moved before October, both columns alike: outside the billing period."""
        found = _paths(
            _written(
                tmp_path,
                {
                    "x_ChargePeriodStart": "2026-09-30T00:00:00+00:00[UTC]",
                    "ChargePeriodStart": "2026-09-30T00:00:00Z",
                    "x_ChargePeriodEnd": "2026-11-02T00:00:00+00:00[UTC]",
                    "ChargePeriodEnd": "2026-11-02T00:00:00Z",
                },
                line=2,
            )
        )
        assert {"focus.csv:4:ChargePeriodStart", "focus.csv:4:ChargePeriodEnd"} <= set(found)

    def test_a_billing_period_that_is_no_date(self, tmp_path: Path) -> None:
        """A usage row's billing period unreadable: refused there, once."""
        found = _paths(_written(tmp_path, {"BillingPeriodStart": "October"}, line=3))
        assert found == ["focus.csv:5:BillingPeriodStart"]

    def test_tags_are_compared_as_json(self, tmp_path: Path) -> None:
        """Tags spaced otherwise are the same tags; a broken object is refused once."""
        path = _written(tmp_path, {"Tags": '{ "cost_centre" : "ops" }'})
        assert read_focus(path) == rich_profile().lines
        assert _paths(_written(tmp_path, {"Tags": "{"})) == ["focus.csv:2:Tags"]

    def test_a_commitment_in_another_currency(self, tmp_path: Path) -> None:
        """A shortfall's minimum in USD in a file of EUR."""
        source = focus_rows(rich_profile())[6]["x_Source"].replace("EUR", "USD")
        found = _refusal(_written(tmp_path, {"x_Source": source}, line=6))
        assert found == [
            ("focus.csv:8:x_Source", "a commitment in the file's currency (EUR) (column 45)")
        ]

    def test_a_row_cut_short(self, tmp_path: Path) -> None:
        """A row of too few cells is refused whole; the rows after it are not called misplaced."""
        path = _written(tmp_path, {})
        text = path.read_text(encoding="utf-8").splitlines()
        text[2] = text[2].rsplit(",", 1)[0]
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        assert _paths(path) == ["focus.csv:3"]

    def test_numbers_written_otherwise_are_read(self, tmp_path: Path) -> None:
        """2976.0 is 2976: a number written with other digits of the same value is kept."""
        path = _written(tmp_path, {"ConsumedQuantity": "2976.0", "PricingQuantity": "2976.00"})
        assert read_focus(path) == rich_profile().lines


class TestReadFocusLocations:
    """Each problem at the column that holds it, said once."""

    def test_a_currency_that_is_no_code(self, tmp_path: Path) -> None:
        """EURO is refused at BillingCurrency, not at the price built from it."""
        assert _paths(_written(tmp_path, {"BillingCurrency": "EURO"})) == [
            "focus.csv:2:BillingCurrency"
        ]

    def test_a_source_that_is_not_json(self, tmp_path: Path) -> None:
        """Invalid JSON in x_Source is said with one path, the cell's."""
        with pytest.raises(ValidationError) as refused:
            read_focus(_written(tmp_path, {"x_Source": "{"}))
        (problem,) = refused.value.problems
        assert problem.path == "focus.csv:2:x_Source"
        assert "@" not in problem.got
        assert str(refused.value).count("@") == 1
        found = _refusal(_written(tmp_path, {"x_Source": '{"customer": 1}'}))
        assert found[0] == (
            "focus.csv:2:x_Source",
            "the JSON of an Allocation: a string for customer (column 45)",
        )

    def test_a_path_that_is_not_one(self) -> None:
        """read_focus and write_focus refuse a path of the wrong type at $.path."""
        with pytest.raises(ValidationError) as refused:
            read_focus(123)  # type: ignore[arg-type]
        assert refused.value.problems == (
            Problem("$.path", "a file path (a str or os.PathLike)", "123 (integer)"),
        )
        with pytest.raises(ValidationError) as refused:
            write_focus(123, rich_profile())  # type: ignore[arg-type]
        assert [p.path for p in refused.value.problems] == ["$.path"]

    def test_a_path_like_giving_bytes(self) -> None:
        """A path-like whose path is bytes is no path here."""

        class Bytes:
            def __fspath__(self) -> bytes:
                return b"focus.csv"

        with pytest.raises(ValidationError) as refused:
            read_focus(Bytes())  # type: ignore[arg-type]
        assert [p.path for p in refused.value.problems] == ["$.path"]

    def test_a_folder_that_does_not_exist(self, tmp_path: Path) -> None:
        """A missing folder: OSError (the CLI's status 2), and nothing written."""
        path = tmp_path / "missing" / "focus.csv"
        with pytest.raises(FileNotFoundError):
            write_focus(path, rich_profile())
        assert not path.parent.exists()


class TestConsumedQuantity:
    """A usage's ConsumedQuantity is its part in the row's tier, in the unit it was measured in."""

    @staticmethod
    def tiered(amount: str) -> CostProfile:
        card = card_of(
            Rate(
                "data_transfer",
                tiers=[
                    Tier(quantity("100 GiB"), Price(Money("0.05", EUR), "GiB")),
                    Tier(None, Price(Money("0.04", EUR), "GB")),
                ],
            )
        )
        usage = [used(amount, dt.datetime(2026, 10, 5, tzinfo=UTC), kind="data_transfer")]
        return CostProfile.build(agreement(), [], usage, OCTOBER_UTC, rates=card)

    def test_a_usage_of_nothing_is_a_usage_of_zero(self, tmp_path: Path) -> None:
        """A usage of 0 requests: a Usage row that consumed 0, not a row without a quantity.

        FOCUS 1.0 wants ConsumedQuantity on every Usage row that corrects nothing and
        allows any decimal there (only a correction may go below zero): the usage was
        measured and came to nothing, so its row says 0, costs 0, and reads back.
        """
        nothing = used("0 request", dt.datetime(2026, 10, 5, tzinfo=UTC))
        profile = CostProfile.build(agreement(), [], [nothing], OCTOBER_UTC, rates=rich_card())
        rows = focus_rows(profile)
        row = rows[0]
        assert (row["ChargeCategory"], row["x_LineKind"]) == ("Usage", "usage")
        assert (row["ConsumedQuantity"], row["ConsumedUnit"]) == ("0", "request")
        assert (row["PricingQuantity"], row["EffectiveCost"], row["BilledCost"]) == (
            "0",
            "0",
            "0.00",
        )
        assert check_focus(rows) == ()
        path = tmp_path / "focus.csv"
        write_focus(path, profile)
        assert read_focus(path) == profile.lines

    def test_two_tiers_in_two_units(self) -> None:
        """350 GiB: 100 GiB in the first tier, 268.435456 GB (250 GiB) in the second."""
        first, second = focus_rows(self.tiered("350 GiB"))
        assert (first["x_Quantity"], first["PricingQuantity"], first["PricingUnit"]) == (
            "100 GiB",
            "100",
            "GiB",
        )
        assert (second["x_Quantity"], second["PricingQuantity"], second["PricingUnit"]) == (
            "268.435456 GB",
            "268.435456",
            "GB",
        )
        assert (first["ConsumedQuantity"], first["ConsumedUnit"]) == ("100", "GiB")
        assert (second["ConsumedQuantity"], second["ConsumedUnit"]) == ("250", "GiB")

    def test_a_usage_measured_in_another_unit(self) -> None:
        """0.3333 TiB: the tiers' parts in the price's units, consumed in TiB, adding up."""
        rows = focus_rows(self.tiered("0.3333 TiB"))
        assert [row["ConsumedUnit"] for row in rows] == ["TiB", "TiB"]
        # 100 GiB = 100/1024 TiB = 0.09765625 TiB; the rest, 0.23564375 TiB, is priced in GB
        assert [row["ConsumedQuantity"] for row in rows] == ["0.09765625", "0.23564375"]
        # 0.3333 TiB = 366.46722553774... GB, less 100 GiB = 107.3741824 GB
        assert rows[1]["x_Quantity"] == "259.0930431377408 GB"
        assert sum(Decimal(row["ConsumedQuantity"]) for row in rows) == Decimal("0.3333")

    def test_read_back(self, tmp_path: Path) -> None:
        """Both files read back into their lines: the consumed quantities agree with the parts."""
        for amount in ("350 GiB", "0.3333 TiB"):
            profile = self.tiered(amount)
            write_focus(tmp_path / "focus.csv", profile)
            assert read_focus(tmp_path / "focus.csv") == profile.lines
