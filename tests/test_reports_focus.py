"""The FinOps FOCUS 1.0 export (S11): the column rules as data, the rows, the file and back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from cloudsms.context import ProviderProfile
from cloudsms.errors import ValidationError
from cloudsms.money import Money, Price
from cloudsms.reports.focus import (
    FOCUS_COLUMNS,
    FOCUS_EXTRA_COLUMNS,
    FocusTest,
    _columns_of,
    check_focus,
    focus_columns,
    focus_rows,
    read_focus,
    write_focus,
)
from cloudsms.resources import (
    CostProfile,
)
from cloudsms.resources.pricing import MinimumCommitment, Rate, RateCard, Tier
from cloudsms.services import ServiceCategory
from cloudsms.units import quantity
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

    def test_broken_data_is_refused_at_its_path(self) -> None:
        """A damaged data file names each problem's place."""
        document = json.loads(DATA.read_text(encoding="utf-8"))
        document["columns"][1]["type"] = "money"
        document["columns"][2]["conditions"] = [{"when": {"Nope": "null"}, "then": "maybe"}]
        with pytest.raises(ValidationError) as refused:
            _columns_of(document)
        paths = [problem.path for problem in refused.value.problems]
        assert paths == [
            "$.columns[1].type",
            "$.columns[2].conditions[0].when",
            "$.columns[2].conditions[0].then",
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
        }

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
        for given, name in ((acme, "ACME Europe"), ("ACME Resale", "ACME Resale")):
            row = focus_rows(rich_profile(), provider=given)[0]
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
