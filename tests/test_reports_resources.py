"""Cost profiles and utilisation as data, CSV, tables and DataFrames (S11).

ISO/IEC 20000-1:2011 6.2 (service reporting) and 6.4 (budgeting and accounting: every
line exact, the total rounded once, the splits adding up to it).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from cloudsms.errors import ValidationError
from cloudsms.money import Money, Price
from cloudsms.periods import Period, timezone
from cloudsms.reports import (
    COST_COLUMNS,
    COST_FRAME_COLUMNS,
    UTILISATION_FRAME_COLUMNS,
    cost_frame,
    cost_profile_csv,
    cost_profile_data,
    cost_profile_rows,
    cost_profile_table,
    utilisation_frame,
)
from cloudsms.reports.resources import left_out_note
from cloudsms.resources import (
    Allocation,
    CostProfile,
    MinimumCommitment,
    Rate,
    RateCard,
    Tier,
    Usage,
    utilisation,
)
from cloudsms.units import quantity

if TYPE_CHECKING:
    from types import ModuleType

    from cloudsms.agreements import CloudServiceAgreement

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "agreement.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reports_resources_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reports_resources_example"] = module
    spec.loader.exec_module(module)
    return module


example = _example()
AGREEMENT: CloudServiceAgreement = example.agree(example.catalogue())
BERLIN = timezone("Europe/Berlin")
OCTOBER = Period.month(2026, 10, "Europe/Berlin")
SERVICE = "crm-service"
VCPU_HOUR = Price(Money("0.042", "EUR"), "vcpu*hour")
RATES = RateCard(
    "EUR",
    [
        Rate("vcpu", price=VCPU_HOUR),
        Rate("storage", price=Price(Money("0.021", "EUR"), "GiB", per="month")),
        Rate(
            "requests",
            tiers=(
                Tier(quantity("1000000 request"), Price(Money("0.0000004", "EUR"), "request")),
                Tier(None, Price(Money("0.0000002", "EUR"), "request")),
            ),
        ),
    ],
    commitments=(MinimumCommitment(Money("100", "EUR"), resource_type="storage"),),
)


def at(text: str) -> dt.datetime:
    """An instant from ISO 8601 text with its offset."""
    return dt.datetime.fromisoformat(text)


def holding(amount: str, since: str, until: str | None = None, **more: Any) -> Allocation:
    """``amount`` held by globex for the CRM service."""
    kind = more.pop("resource_type", "storage" if "TB" in amount or "GiB" in amount else "vcpu")
    return Allocation(
        "globex",
        AGREEMENT.id,
        SERVICE,
        kind,
        quantity(amount),
        at(since),
        None if until is None else at(until),
        **more,
    )


WEB = holding("4 vcpu", "2026-10-01T00:00:00+02:00", resource_id="vm-web-1", cost_centre="CC-1")
SMALL = holding(
    "2 vcpu",
    "2026-09-15T09:00:00+02:00",
    "2026-10-17T12:00:00+02:00",
    resource_id="vm-batch-1",
    cost_centre="CC-2",
)
BIG = holding("8 vcpu", "2026-10-17T12:00:00+02:00", resource_id="vm-batch-1", cost_centre="CC-2")
ARCHIVE = holding(
    "2 TB", "2026-09-01T00:00:00+02:00", resource_id="vol-archive-1", cost_centre="CC-2"
)
SERVED = Usage(
    "globex",
    AGREEMENT.id,
    SERVICE,
    "requests",
    quantity("1200000 request"),
    OCTOBER.start,
    OCTOBER.end,
    cost_centre="CC-1",
)


def october(
    *allocations: Allocation, usage: tuple[Usage, ...] = (), rates: RateCard = RATES
) -> CostProfile:
    """The profile of October 2026 in Berlin of ``allocations`` and ``usage``."""
    return CostProfile.build(AGREEMENT, allocations, usage, OCTOBER, rates=rates)


FULL = october(WEB, SMALL, BIG, ARCHIVE, usage=(SERVED,))
ONLY_VCPU = RateCard("EUR", [Rate("vcpu", price=VCPU_HOUR)])


class TestWorkedExample:
    """4 vcpu for all of October 2026 at EUR 0.042 per vcpu-hour, as the docs work it out."""

    def test_in_utc(self) -> None:
        """744 hours: EUR 124.992 exactly, EUR 124.99 billed."""
        utc = attrs.evolve(AGREEMENT, timezone="UTC")
        month = Period.month(2026, 10, "UTC")
        held = holding("4 vcpu", "2026-10-01T00:00:00+00:00")
        data = cost_profile_data(CostProfile.build(utc, [held], [], month, rates=ONLY_VCPU))
        assert data["period"]["hours"] == "744"
        assert (data["lines"][0]["amount"], data["lines"][0]["exact"]) == ("124.992", "15624/125")
        assert data["exact_total"] == "124.992"
        assert data["total"] == {"amount": "124.99", "currency": "EUR"}

    def test_in_berlin(self) -> None:
        """745 hours, since the clocks go back once: EUR 125.16."""
        data = cost_profile_data(october(WEB, rates=ONLY_VCPU))
        assert data["lines"][0]["held"] == {
            "start": "2026-10-01T00:00:00+02:00",
            "end": "2026-11-01T00:00:00+01:00",
            "hours": "745",
        }
        assert data["total"] == {"amount": "125.16", "currency": "EUR"}


class TestData:
    """cost_profile_data: JSON-ready, exact, with splits that add up."""

    def test_shape(self) -> None:
        """The agreement, the period in its zone, the lines, the totals and the splits."""
        data = cost_profile_data(FULL)
        assert list(data) == [
            "agreement",
            "customer",
            "currency",
            "period",
            "lines",
            "exact_total",
            "exact_total_fraction",
            "total",
            "splits",
            "left_out",
        ]
        assert (data["agreement"], data["customer"], data["currency"]) == (
            "csa-2026-001",
            "globex",
            "EUR",
        )
        assert data["period"] == {
            "start": "2026-10-01T00:00:00+02:00",
            "end": "2026-11-01T00:00:00+01:00",
            "timezone": "Europe/Berlin",
            "hours": "745",
        }
        assert [line["kind"] for line in data["lines"]] == [
            "allocation",
            "allocation",
            "allocation",
            "allocation",
            "usage",
            "usage",
            "commitment",
        ]

    def test_a_resize_on_the_17th_at_noon(self) -> None:
        """2 vcpu for 396 hours, then 8 vcpu for 349: EUR 33.264 and EUR 117.264."""
        small, big = cost_profile_data(FULL)["lines"][1:3]
        assert (small["held"]["hours"], small["amount"]) == ("396", "33.264")
        assert (big["held"]["hours"], big["amount"]) == ("349", "117.264")
        assert big["price"] == {"amount": "0.042", "unit": "vcpu*hour", "per": None}

    def test_tiers_and_commitment(self) -> None:
        """The first million requests in the first tier; the storage made up to EUR 100."""
        lines = cost_profile_data(FULL)["lines"]
        first, second, made_up = lines[4:]
        assert (first["quantity"], first["amount"]) == ("1000000 request", "0.4")
        assert (second["quantity"], second["amount"]) == ("200000 request", "0.04")
        assert first["held"] is None
        assert made_up["price"] is None
        assert made_up["minimum"] == {
            "amount": "100",
            "per": "month",
            "during": {"start": "2026-10-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"},
        }
        assert Fraction(made_up["exact"]) + Fraction(lines[3]["exact"]) == 100

    def test_exact_total(self) -> None:
        """The exact total is the sum of the lines' exact fractions; the total rounds it once."""
        data = cost_profile_data(FULL)
        exact = sum(Fraction(line["exact"]) for line in data["lines"])
        assert Fraction(data["exact_total_fraction"]) == exact == FULL.exact_total
        assert data["exact_total"] == "376.128"
        assert data["total"]["amount"] == "376.13"

    @pytest.mark.parametrize("by", ["service", "cost_centre", "resource_type", "day"])
    def test_splits_add_up_to_the_total(self, by: str) -> None:
        """Each split's parts add up to the rounded total, each written to the cent."""
        parts = cost_profile_data(FULL)["splits"][by]
        assert sum(Decimal(part) for part in parts.values()) == Decimal("376.13")
        assert all(len(part.partition(".")[2]) == 2 for part in parts.values())

    def test_split_keys(self) -> None:
        """Lines without a cost centre (the commitment) under the empty key; days by date."""
        splits = cost_profile_data(FULL)["splits"]
        assert list(splits["cost_centre"]) == ["", "CC-1", "CC-2"]
        assert list(splits["day"])[:2] == ["2026-10-01", "2026-10-02"]
        assert len(splits["day"]) == 31

    def test_a_month_with_nothing(self) -> None:
        """No lines: a zero total, exact, and no parts to split."""
        data = cost_profile_data(october(rates=ONLY_VCPU))
        assert (data["lines"], data["exact_total"], data["exact_total_fraction"]) == ([], "0", "0")
        assert data["total"] == {"amount": "0.00", "currency": "EUR"}

    def test_round_trips_through_json(self) -> None:
        """json.dumps writes it and json.loads reads it back equal."""
        data = cost_profile_data(FULL)
        assert json.loads(json.dumps(data)) == data

    def test_refuses_what_is_not_a_profile(self) -> None:
        """Anything else is refused at $.profile."""
        with pytest.raises(ValidationError) as error:
            cost_profile_data({"lines": []})  # type: ignore[arg-type]
        assert error.value.paths == ["$.profile"]


class TestLeftOut:
    """What a profile left out is carried as data and said in a note (review of issue 16).

    A row of another agreement costs nothing in the profile: without a word, an
    agreement id typed wrong shows only as a smaller total.
    """

    @staticmethod
    def slipped() -> CostProfile:
        """October with rows of other agreements and one outside the agreement's term.

        One other id differs from the agreement's only by case; the row of the
        agreement is held in October only before a term that starts on the 15th.
        """
        late = attrs.evolve(AGREEMENT, effective_from=at("2026-10-15T00:00:00+02:00"))
        early = holding("1 vcpu", "2026-10-01T00:00:00+02:00", "2026-10-10T00:00:00+02:00")
        typo = attrs.evolve(WEB, agreement=AGREEMENT.id.upper())
        other = attrs.evolve(SMALL, agreement="csa-2026-9")
        return CostProfile.build(late, [WEB, typo, other, early], [], OCTOBER, rates=ONLY_VCPU)

    def test_nothing_left_out(self) -> None:
        """A profile that set nothing aside: zeros in the data, no note."""
        assert cost_profile_data(FULL)["left_out"] == {
            "rows": 0,
            "allocations": 0,
            "usage": 0,
            "other_agreements": {},
            "case_only": [],
            "outside_term": 0,
        }
        assert left_out_note(FULL) == ""
        assert "Left out" not in cost_profile_table(FULL)

    def test_data(self) -> None:
        """Every other agreement id with its rows, the one that differs by case, the term."""
        assert cost_profile_data(self.slipped())["left_out"] == {
            "rows": 3,
            "allocations": 3,
            "usage": 0,
            "other_agreements": {"CSA-2026-001": 1, "csa-2026-9": 1},
            "case_only": ["CSA-2026-001"],
            "outside_term": 1,
        }

    def test_note(self) -> None:
        """One line under the table's total, with a 'did you mean' for the case slip."""
        note = (
            "Left out: 3 rows (3 allocations): 1 of agreement CSA-2026-001 (did you mean"
            " csa-2026-001? the ids differ only by case), 1 of agreement csa-2026-9, 1"
            " outside the agreement's term"
        )
        profile = self.slipped()
        assert left_out_note(profile) == note
        assert cost_profile_table(profile).splitlines()[-1] == note

    def test_refuses_what_is_not_a_profile(self) -> None:
        """Anything else is refused at $.profile."""
        with pytest.raises(ValidationError) as error:
            left_out_note(None)  # type: ignore[arg-type]
        assert error.value.paths == ["$.profile"]


class TestRowsAndCsv:
    """One row per line and a total row."""

    def test_rows(self) -> None:
        """Cells are text; what does not apply is empty; the total row comes last."""
        rows = cost_profile_rows(FULL)
        assert [list(row) for row in rows] == [list(COST_COLUMNS)] * len(rows)
        assert rows[0] == {
            "kind": "allocation",
            "service": "crm-service",
            "resource_type": "vcpu",
            "resource_id": "vm-web-1",
            "cost_centre": "CC-1",
            "quantity": "4 vcpu",
            "price": "0.042",
            "price_unit": "vcpu*hour",
            "price_per": "",
            "held_start": "2026-10-01T00:00:00+02:00",
            "held_end": "2026-11-01T00:00:00+01:00",
            "held_hours": "745",
            "during_start": "",
            "during_end": "",
            "amount": "125.16",
            "exact": "3129/25",
            "currency": "EUR",
        }
        assert rows[3]["price_per"] == "month"
        assert (rows[-2]["kind"], rows[-2]["price"], rows[-2]["price_per"]) == (
            "commitment",
            "",
            "month",
        )
        assert (rows[-2]["during_start"], rows[-2]["during_end"]) == (
            "2026-10-01T00:00:00+02:00",
            "2026-11-01T00:00:00+01:00",
        )
        assert rows[0]["during_start"] == rows[-2]["held_start"] == ""
        total = rows[-1]
        assert (total["kind"], total["amount"], total["currency"]) == ("total", "376.13", "EUR")
        assert sum(Fraction(row["exact"]) for row in rows[:-1]) == Fraction(total["exact"])

    def test_csv(self) -> None:
        """The rows as CSV under a header of the columns."""
        text = cost_profile_csv(FULL)
        assert text.splitlines()[0] == ",".join(COST_COLUMNS)
        assert list(csv.DictReader(io.StringIO(text))) == cost_profile_rows(FULL)


class TestTable:
    """cost_profile_table: the lines grouped by service, for people."""

    def test_table(self) -> None:
        """A heading, each service with its share and lines, the total and the cost centres.

        The commitment names no service, so it comes last, under every service; its
        line makes the storage up to EUR 100 (2 TB at EUR 0.021 a GiB-month is
        EUR 39.1155..., shown cut at four places).
        """
        assert cost_profile_table(FULL).splitlines() == [
            "Cost profile of agreement csa-2026-001 (customer globex), in EUR",
            "2026-10-01 00:00 to 2026-11-01 00:00 Europe/Berlin (745 h)",
            "",
            "crm-service: EUR 315.25",
            "TYPE      RESOURCE       QUANTITY         PRICE               HELD    AMOUNT",
            "--------  -------------  ---------------  -----------------  -----  --------",
            "vcpu      vm-web-1       4 vcpu           0.042/vcpu*hour    745 h    125.16",
            "vcpu      vm-batch-1     2 vcpu           0.042/vcpu*hour    396 h    33.264",
            "vcpu      vm-batch-1     8 vcpu           0.042/vcpu*hour    349 h   117.264",
            "storage   vol-archive-1  2 TB             0.021/GiB/month    745 h  ~39.1155",
            "requests  -              1000000 request  0.0000004/request      -      0.40",
            "requests  -              200000 request   0.0000002/request      -      0.04",
            "",
            "(every service): EUR 60.88",
            "TYPE      RESOURCE       QUANTITY         PRICE               HELD    AMOUNT",
            "--------  -------------  ---------------  -----------------  -----  --------",
            "storage   (minimum)      -                min 100.00/month       -  ~60.8845",
            "",
            "Total EUR 376.13: the exact sum of the lines, 376.128, rounded once, half to even",
            "By cost centre: (none) 60.89, CC-1 125.60, CC-2 189.64",
        ]

    def test_hours_cut_at_two_places(self) -> None:
        """Time held that is not a whole hour shows its hours, cut and marked."""
        odd = holding("1 vcpu", "2026-10-31T23:59:59+01:00")
        table = cost_profile_table(october(odd, rates=ONLY_VCPU))
        line = table.splitlines()[6]
        assert line.split()[-3:] == ["~0.00", "h", "~0.0000"]

    def test_escapes_control_characters(self) -> None:
        """A cost centre or resource id holding an escape sequence is shown escaped."""
        sly = holding("1 vcpu", "2026-10-01T00:00:00+02:00", cost_centre="CC\x1b[31m")
        table = cost_profile_table(october(sly, rates=ONLY_VCPU))
        assert "\x1b" not in table
        assert "CC\\x1b[31m" in table

    def test_a_month_with_nothing(self) -> None:
        """No lines: a note and a zero total."""
        lines = cost_profile_table(october(rates=ONLY_VCPU)).splitlines()
        assert lines[-3:] == [
            "(nothing held or used in the period)",
            "",
            "Total EUR 0.00: the exact sum of the lines, 0, rounded once, half to even",
        ]


class TestFrames:
    """cost_frame and utilisation_frame: pandas DataFrames of exact values."""

    def test_cost_frame(self) -> None:
        """One row per line; amounts as Decimal, which add up exactly."""
        pytest.importorskip("pandas")
        frame = cost_frame(FULL)
        assert list(frame.columns) == list(COST_FRAME_COLUMNS)
        assert len(frame) == len(FULL.lines)
        first = frame.iloc[0]
        assert (first["quantity"], first["unit"], first["held_hours"]) == (
            Decimal(4),
            "vcpu",
            Decimal(745),
        )
        assert first["held_start"] == dt.datetime(2026, 9, 30, 22, tzinfo=dt.UTC)
        total = sum(frame["amount"], Decimal(0))
        assert abs(total - Decimal("376.128")) < Decimal("1E-30")

    def test_utilisation_frame(self) -> None:
        """Allocated and used in the type's unit times hours, the ratio as a Decimal."""
        pytest.importorskip("pandas")
        used = Usage(
            "globex",
            AGREEMENT.id,
            SERVICE,
            "vcpu",
            quantity("1490 vcpu*hour"),
            OCTOBER.start,
            OCTOBER.end,
        )
        frame = utilisation_frame(utilisation([WEB], [used], OCTOBER))
        assert list(frame.columns) == list(UTILISATION_FRAME_COLUMNS)
        row = frame.iloc[0]
        assert (
            row["resource_type"],
            row["allocated"],
            row["used"],
            row["unit"],
            row["ratio"],
        ) == (
            "vcpu",
            Decimal(2980),
            Decimal(1490),
            "h*vcpu",
            Decimal("0.5"),
        )

    def test_refuses_what_is_not_utilisation(self) -> None:
        """Each item that is not a Utilisation is named, before pandas is needed."""
        with pytest.raises(ValidationError) as error:
            utilisation_frame([1])  # type: ignore[list-item]
        assert error.value.paths == ["$.utilisations[0]"]
        with pytest.raises(ValidationError) as error:
            utilisation_frame("vcpu")  # type: ignore[arg-type]
        assert error.value.paths == ["$.utilisations"]

    @pytest.mark.parametrize("function", [cost_frame, utilisation_frame])
    def test_missing_extra(self, monkeypatch: pytest.MonkeyPatch, function: Any) -> None:
        """Raises ImportError naming the analysis extra when pandas is not installed."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        given = FULL if function is cost_frame else []
        with pytest.raises(ImportError) as info:
            function(given)
        assert str(info.value) == (
            f"{function.__name__} needs pandas, which is not installed: "
            "pip install 'cloudsms[analysis]'"
        )
        assert info.value.name == "pandas"
