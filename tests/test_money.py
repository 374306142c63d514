"""cloudsms.money: exact amounts, one currency at a time, fair splits and prices."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms.errors import CurrencyMismatch, UnknownReference, ValidationError
from cloudsms.money import Currency, Money, Price, allocate, currencies, currency
from cloudsms.periods import Period

ROOT = Path(__file__).resolve().parent.parent
UTC = dt.UTC

amounts = st.decimals(
    min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False
)
eur = amounts.map(lambda a: Money(a, "EUR"))


class TestCurrencies:
    """The ISO 4217 table ships as data."""

    def test_table(self) -> None:
        """Holds the ISO 4217 currencies with their minor units."""
        codes = {c.code: c for c in currencies()}
        assert len(codes) > 150
        assert codes["EUR"] == Currency(code="EUR", number=978, name="Euro", minor_unit=2)
        assert (codes["JPY"].minor_unit, codes["BHD"].minor_unit) == (0, 3)
        assert codes["XAU"].minor_unit is None
        assert codes["EUR"].quantum == Decimal("0.01")
        assert codes["XAU"].quantum is None

    def test_unknown_code(self) -> None:
        """Raises UnknownReference with close codes."""
        with pytest.raises(UnknownReference) as info:
            currency("EUX")
        assert "EUR" in info.value.suggestions

    def test_generator_in_sync(self) -> None:
        """Finds currencies.json identical to what tasks/currencies.py generates."""
        pytest.importorskip("iso4217")
        result = subprocess.run(
            [sys.executable, str(ROOT / "tasks" / "currencies.py"), "--check"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout


class TestMoneyConstruction:
    """Money takes exact amounts and ISO 4217 codes only."""

    @pytest.mark.parametrize("amount", ["12.00", 12, Decimal("12.00"), " 12.00 "])
    def test_exact_inputs(self, amount: object) -> None:
        """Accepts str, int and Decimal amounts."""
        assert Money(amount, "EUR").amount == Decimal(12)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            (0.1, "a float cannot hold"),
            ("NaN", "a finite amount"),
            ("Infinity", "finite"),
            ("ten", "a decimal number"),
            (None, "an amount"),
            (True, "an amount"),
            (Decimal("NaN"), "finite"),
        ],
    )
    def test_refused_amounts(self, amount: object, expected: str) -> None:
        """Refuses floats, non-numbers and non-finite amounts at $.amount."""
        with pytest.raises(ValidationError, match=expected) as info:
            Money(amount, "EUR")  # type: ignore[arg-type]
        assert info.value.paths == ["$.amount"]

    @pytest.mark.parametrize("code", ["eur", "EURO", "", 978, None])
    def test_refused_currencies(self, code: object) -> None:
        """Refuses anything but an ISO 4217 code at $.currency."""
        with pytest.raises(ValidationError, match="ISO 4217") as info:
            Money("1", code)  # type: ignore[arg-type]
        assert info.value.paths == ["$.currency"]

    def test_close_matches(self) -> None:
        """Suggests the code meant."""
        with pytest.raises(ValidationError, match="close matches: EUR"):
            Money("1", "eur")

    def test_value_semantics(self) -> None:
        """Compares and hashes by value; is frozen; pickles; reads well."""
        a = Money("1.50", "EUR")
        assert a == Money("1.5", "EUR")
        assert hash(a) == hash(Money("1.5", "EUR"))
        assert a != Money("1.50", "USD")
        assert pickle.loads(pickle.dumps(a)) == a
        assert (repr(a), str(a)) == ("Money('1.50', 'EUR')", "EUR 1.50")
        with pytest.raises(AttributeError):
            a.amount = Decimal(2)  # type: ignore[misc]


class TestArithmetic:
    """Arithmetic is exact and stays within one currency."""

    def test_add_subtract_scale(self) -> None:
        """Adds, subtracts and scales exactly."""
        a, b = Money("0.10", "EUR"), Money("0.20", "EUR")
        assert a + b == Money("0.30", "EUR")
        assert b - a == a
        assert a * 3 == Money("0.30", "EUR")
        assert Decimal("2.5") * a == Money("0.25", "EUR")
        assert -a == Money("-0.10", "EUR")
        assert abs(-a) == +a == a
        assert sum([a, b, a]) == Money("0.40", "EUR")
        assert not Money.zero("EUR")
        assert bool(a)

    def test_currencies_do_not_mix(self) -> None:
        """Raises CurrencyMismatch when currencies differ."""
        with pytest.raises(CurrencyMismatch, match="can't add EUR and USD"):
            _ = Money("1", "EUR") + Money("1", "USD")
        with pytest.raises(CurrencyMismatch, match="subtract"):
            _ = Money("1", "EUR") - Money("1", "USD")
        with pytest.raises(CurrencyMismatch, match="compare"):
            _ = Money("1", "EUR") < Money("1", "USD")

    def test_float_factor_refused(self) -> None:
        """Refuses to scale by a float."""
        with pytest.raises(ValidationError, match="float"):
            _ = Money("1", "EUR") * 1.1

    def test_other_types_are_not_money(self) -> None:
        """Leaves unsupported operands to Python's TypeError."""
        with pytest.raises(TypeError):
            _ = Money("1", "EUR") + 1
        with pytest.raises(TypeError):
            _ = Money("1", "EUR") * "2"
        with pytest.raises(TypeError):
            _ = Money("1", "EUR") < 1
        with pytest.raises(TypeError):
            _ = 5 + Money("1", "EUR")

    def test_comparisons(self) -> None:
        """Orders amounts of one currency."""
        small, big = Money("1", "EUR"), Money("2", "EUR")
        assert small < big
        assert small <= Money("1.0", "EUR")
        assert big > small
        assert big >= Money("2.00", "EUR")
        assert sorted([big, small]) == [small, big]

    def test_never_rounds_silently(self) -> None:
        """Refuses a result beyond the amount bounds instead of rounding it."""
        with pytest.raises(ValidationError) as info:
            _ = Money("1.1", "EUR") * Decimal("1." + "1" * 85)
        assert info.value.errors == [
            "expected a result of at most 38 significant digits and 30 decimal places, "
            "below 1E+31 in size (money is never rounded silently), got 1.1 times "
            "Decimal('1.111111111111111111111111111111111111111111111...) "
            "(Decimal) @ $"
        ]

    @given(eur, eur, eur)
    def test_addition_is_associative_and_commutative(self, a: Money, b: Money, c: Money) -> None:
        """Adds in any order to the same exact amount."""
        assert (a + b) + c == a + (b + c)
        assert a + b == b + a
        assert (a + b) - b == a

    @given(eur, st.integers(-1000, 1000))
    def test_scaling_distributes(self, a: Money, n: int) -> None:
        """Scales exactly: n*a equals a added n times."""
        assert a * n + a == a * (n + 1)


class TestRounding:
    """rounded() rounds once, half to even, to the minor unit."""

    @pytest.mark.parametrize(
        ("amount", "code", "expected"),
        [
            ("2.675", "EUR", "2.68"),
            ("2.665", "EUR", "2.66"),
            ("2.5", "JPY", "2"),
            ("3.5", "JPY", "4"),
            ("1.0005", "BHD", "1.000"),
            ("1.0015", "BHD", "1.002"),
            ("-2.675", "EUR", "-2.68"),
        ],
    )
    def test_half_to_even(self, amount: str, code: str, expected: str) -> None:
        """Rounds ties to the even digit."""
        assert Money(amount, code).rounded().amount == Decimal(expected)
        assert str(Money(amount, code).rounded().amount) == expected

    def test_no_minor_unit(self) -> None:
        """Refuses to round a currency without a minor unit."""
        with pytest.raises(ValidationError, match="minor unit"):
            Money("1", "XAU").rounded()
        assert Money("1", "XAU").minor_unit is None


class TestAllocate:
    """allocate() splits an amount into parts that add up to it exactly."""

    def test_thirds(self) -> None:
        """Gives the leftover cent to the first of equal remainders."""
        assert [p.amount for p in allocate(Money("100", "EUR"), [1, 1, 1])] == [
            Decimal("33.34"),
            Decimal("33.33"),
            Decimal("33.33"),
        ]

    def test_largest_remainder(self) -> None:
        """Gives leftover units to the largest remainders."""
        parts = allocate(Money("1.00", "EUR"), [Decimal("0.15"), Decimal("0.15"), Decimal("0.7")])
        assert [p.amount for p in parts] == [Decimal("0.15"), Decimal("0.15"), Decimal("0.70")]
        parts = allocate(Money("0.10", "EUR"), [1, 2])
        assert [p.amount for p in parts] == [Decimal("0.03"), Decimal("0.07")]

    def test_negative_and_finer_amounts(self) -> None:
        """Splits negative amounts and amounts finer than the minor unit exactly."""
        assert sum(allocate(Money("-10.00", "EUR"), [1, 2])) == Money("-10.00", "EUR")
        assert sum(allocate(Money("0.005", "EUR"), [1, 1])) == Money("0.005", "EUR")
        assert allocate(Money("7", "JPY"), [1, 1]) == (Money(4, "JPY"), Money(3, "JPY"))

    @pytest.mark.parametrize(
        ("weights", "path"),
        [
            ([1.5, 1], "$.weights[0]"),
            ([1, -1], "$.weights[1]"),
            ([0, 0], "$.weights"),
            ([], "$.weights"),
            ([Decimal("NaN")], "$.weights[0]"),
            ([True], "$.weights[0]"),
        ],
    )
    def test_bad_weights(self, weights: list[object], path: str) -> None:
        """Refuses floats, negatives and all-zero weights."""
        with pytest.raises(ValidationError) as info:
            allocate(Money("1", "EUR"), weights)  # type: ignore[arg-type]
        assert info.value.paths == [path]

    @given(eur, st.lists(st.integers(0, 1000), min_size=1, max_size=12).filter(any))
    def test_parts_sum_to_the_whole(self, money: Money, weights: list[int]) -> None:
        """Always adds up exactly, each part within one unit of its exact share."""
        parts = allocate(money, weights)
        assert sum(parts, Money.zero("EUR")) == money
        unit = Decimal("0.0001") if money.amount.as_tuple().exponent < -2 else Decimal("0.01")
        for part, weight in zip(parts, weights, strict=True):
            share = money.amount * weight / sum(weights)
            assert abs(part.amount - share) < unit


class TestPrice:
    """Price.cost() checks dimensions and prorates calendar prices by real lengths."""

    compute = Price(Money("0.042", "EUR"), "vcpu*hour")
    storage = Price(Money("0.021", "EUR"), "GiB", per="month")

    def test_exact_time_price(self) -> None:
        """Prices vcpu-hours directly, or vcpus held over a period."""
        day = Period.day(dt.date(2026, 3, 2), "UTC")
        assert self.compute.cost("4 vcpu", day) == Money("4.032", "EUR")
        assert self.compute.cost("96 vcpu*hour") == Money("4.032", "EUR")
        assert self.compute.cost("5760 vcpu*min") == Money("4.032", "EUR")

    def test_calendar_price_prorates_by_actual_month_length(self) -> None:
        """Charges half of February for 14 of its 28 days, and all of a 31-day month."""
        feb_half = Period(
            dt.datetime(2026, 2, 15, tzinfo=UTC), dt.datetime(2026, 3, 1, tzinfo=UTC)
        )
        assert self.storage.cost("100 GiB", feb_half) == Money("1.05", "EUR")
        assert self.storage.cost("100 GiB", Period.month(2026, 3, "UTC")) == Money("2.1", "EUR")
        assert self.storage.cost("1 TiB", Period.month(2026, 4, "UTC")) == Money("21.504", "EUR")

    def test_calendar_price_across_months(self) -> None:
        """Adds up the share of each month the period touches."""
        span = Period(
            dt.datetime(2026, 1, 16, 12, tzinfo=UTC), dt.datetime(2026, 2, 15, tzinfo=UTC)
        )
        # 15.5 of January's 31 days (one half) and 14 of February's 28 (one half).
        assert self.storage.cost("100 GiB", span) == Money("2.1", "EUR")

    def test_wrong_dimension(self) -> None:
        """Refuses a quantity of something the price does not count."""
        with pytest.raises(ValidationError, match="vcpu") as info:
            self.compute.cost("4 user", Period.month(2026, 1, "UTC"))
        assert info.value.paths == ["$.quantity"]
        with pytest.raises(ValidationError) as info:
            self.storage.cost("4 vcpu", Period.month(2026, 1, "UTC"))
        assert info.value.paths == ["$.quantity"]

    def test_period_rules(self) -> None:
        """Needs a period for a calendar price and refuses one that would count time twice."""
        with pytest.raises(ValidationError) as info:
            self.storage.cost("1 GiB")
        assert info.value.paths == ["$.period"]
        with pytest.raises(ValidationError) as info:
            self.compute.cost("1 vcpu*hour", Period.month(2026, 1, "UTC"))
        assert info.value.paths == ["$.period"]

    @pytest.mark.parametrize(
        ("args", "kwargs", "path"),
        [
            (("0.042", "vcpu*hour"), {}, "$.amount"),
            ((Money("1", "EUR"), "furlong_per_vcpu"), {}, "$.unit"),
            ((Money("1", "EUR"), 5), {}, "$.unit"),
            ((Money("1", "EUR"), "GiB"), {"per": "fortnight"}, "$.per"),
        ],
    )
    def test_refused(self, args: tuple[object, ...], kwargs: dict[str, object], path: str) -> None:
        """Refuses a price that is not money, an unknown unit or period."""
        with pytest.raises(ValidationError) as info:
            Price(*args, **kwargs)  # type: ignore[arg-type]
        assert info.value.paths == [path]

    def test_text_and_calendar_length(self) -> None:
        """Reads as a price list would."""
        assert str(self.storage) == "EUR 0.021 per GiB per month"
        assert self.storage.calendar_length is not None
        assert self.storage.calendar_length.months == 1
        assert self.compute.calendar_length is None


class TestReviewCases:
    """Cases a review found: exactness in any decimal context, calendar units, bad input."""

    def test_context_independent(self) -> None:
        """Gives the same exact results whatever the caller's decimal precision."""
        with localcontext() as ctx:
            ctx.prec = 6
            parts = allocate(Money("1234567.89", "EUR"), [1, 2])
            assert sum(parts, Money.zero("EUR")) == Money("1234567.89", "EUR")
            assert Price(Money("1", "EUR"), "vcpu*hour").cost("1234567.891 vcpu*hour") == (
                Money("1234567.891", "EUR")
            )
            assert Money("1e30", "EUR").rounded().amount == Decimal("1e30")
        big = Money("1234567890123456789012345678.91", "EUR")
        assert sum(allocate(big, [1, 2]), Money.zero("EUR")) == big

    def test_no_intermediate_rounding(self) -> None:
        """Keeps 10 vcpu-minutes at 0.03 per vcpu-hour exactly 0.005, which rounds to even."""
        cost = Price(Money("0.03", "EUR"), "vcpu*hour").cost("10 vcpu*min")
        assert cost == Money("0.005", "EUR")
        assert cost.rounded() == Money("0.00", "EUR")
        leap_day = Period.day(dt.date(2028, 2, 29), "UTC")
        assert Price(Money("366", "EUR"), "user", per="year").cost("1 user", leap_day) == (
            Money("1", "EUR")
        )

    def test_calendar_units_refused_in_exact_prices(self) -> None:
        """Refuses a price per user-month: a month has no fixed length."""
        with pytest.raises(ValidationError, match="per='month'"):
            Price(Money("10", "EUR"), "user*month")

    def test_price_reports_every_problem(self) -> None:
        """Lists the amount, unit and per problems together; an unhashable per is refused."""
        with pytest.raises(ValidationError) as info:
            Price("1.5", "zzz", per=["month"])  # type: ignore[arg-type]
        assert info.value.paths == ["$.amount", "$.unit", "$.per"]

    @pytest.mark.parametrize(
        "call",
        [
            lambda: allocate(Money("1", "EUR"), None),  # type: ignore[arg-type]
            lambda: allocate("1 EUR", [1]),  # type: ignore[arg-type]
            lambda: Price(Money("1", "EUR"), "GiB").cost("1 GiB", "2026-01"),  # type: ignore[arg-type]
            lambda: Money("١٢", "EUR"),
            lambda: Money("1_000", "EUR"),
        ],
    )
    def test_bad_arguments(self, call: object) -> None:
        """Refuses wrong argument types with a ValidationError."""
        with pytest.raises(ValidationError):
            call()  # type: ignore[operator]
