"""cloudsms.money: exact amounts, one currency at a time, fair splits and prices."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import subprocess
import sys
from decimal import ROUND_UP, Decimal, getcontext, localcontext
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms._foundation.exact import DECIMAL_TEXT, bounded_amount
from cloudsms.errors import CurrencyMismatch, UnknownReference, ValidationError
from cloudsms.money import (
    MAX_DIGITS,
    MAX_EXPONENT,
    Currency,
    Money,
    Price,
    allocate,
    currencies,
    currency,
    round_to_minor,
    total_cost,
)
from cloudsms.periods import Period
from cloudsms.serialization import from_dict, from_json, json_schema, to_json
from cloudsms.units import quantity

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

    @pytest.mark.parametrize("amount", ["12.00", 12, Decimal("12.00"), "+12.00", "1.2e1"])
    def test_exact_inputs(self, amount: object) -> None:
        """Accepts str, int and Decimal amounts."""
        assert Money(amount, "EUR").amount == Decimal(12)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            (0.1, "a float cannot hold"),
            ("NaN", "a decimal number"),
            ("Infinity", "a decimal number"),
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
            _ = Money("1.1", "EUR") * Decimal("1." + "1" * 37)
        expected = (
            "expected a result of at most 38 significant digits and 30 decimal places, "
            "below 1E+31 in size (money is never rounded silently), got 1.1 times "
            "1.1111111111111111111111111111111111111 @ $"
        )
        assert [expected] == info.value.errors

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


in_bounds = st.builds(
    lambda n, e: Decimal(n).scaleb(e),
    st.integers(-(10**38) + 1, 10**38 - 1),
    st.integers(-MAX_EXPONENT, MAX_EXPONENT),
).filter(lambda d: bounded_amount(d) is not None)


class TestMoneyText:
    """Money is written as plain decimal text everywhere, with Decimal's format specs."""

    @pytest.mark.parametrize(
        ("amount", "code", "text"),
        [
            ("1e3", "EUR", "EUR 1000"),
            ("0.0000002", "USD", "USD 0.0000002"),
            ("0.0000001", "EUR", "EUR 0.0000001"),
            ("12.30", "EUR", "EUR 12.30"),
            ("-1E-30", "EUR", "EUR -0.000000000000000000000000000001"),
        ],
    )
    def test_str_is_plain(self, amount: str, code: str, text: str) -> None:
        """Writes the amount without exponent notation."""
        assert text == str(Money(amount, code))
        assert text.partition(" ")[2] == Money(amount, code).amount_text

    def test_repr_and_price_are_plain(self) -> None:
        """Writes prices and reprs in the same plain text."""
        assert str(Price(Money("0.0000002", "USD"), "request")) == "USD 0.0000002 per request"
        assert repr(Money("1e3", "EUR")) == "Money('1000', 'EUR')"

    def test_positive_exponent_written_out(self) -> None:
        """Keeps 1E+3 as 1000, the amount the plain text reads back as."""
        assert Money("1e3", "EUR").amount.as_tuple().exponent == 0

    @pytest.mark.parametrize(
        ("spec", "text"),
        [
            (".2f", "EUR 1000.00"),
            (",.2f", "EUR 1,000.00"),
            ("", "EUR 1000"),
            (">8", "EUR     1000"),
        ],
    )
    def test_format_specs(self, spec: str, text: str) -> None:
        """Takes Decimal's format specs and puts the currency in front."""
        assert text == format(Money("1e3", "EUR"), spec)
        assert text == f"{Money('1e3', 'EUR'):{spec}}"

    def test_format_rounds_half_even_in_any_context(self) -> None:
        """Rounds half to even whatever the caller's context says, and leaves it alone."""
        with localcontext() as ctx:
            ctx.rounding = ROUND_UP
            assert f"{Money('2.625', 'EUR'):.2f}" == "EUR 2.62"
            assert getcontext().rounding == ROUND_UP


class TestAmountBounds:
    """One set of bounds, in constructors, arithmetic results and the reader alike."""

    def test_constants(self) -> None:
        """Exports the bounds the strategies reach for."""
        assert (MAX_DIGITS, MAX_EXPONENT) == (38, 30)

    @pytest.mark.parametrize(
        ("amount", "got"),
        [
            ("1" * 150, "'1111111111111111111111111111111111111111111111111111111...' (string)"),
            (Decimal("1e1000"), "Decimal('1E+1000') (Decimal)"),
            ("1e31", "'1e31' (string)"),
            ("1e-31", "'1e-31' (string)"),
            ("1." + "1" * 38, "'1.11111111111111111111111111111111111111' (string)"),
            pytest.param(10**5000, "an integer of about 5001 digits (integer)", id="huge-int"),
        ],
    )
    def test_refused(self, amount: object, got: str) -> None:
        """Refuses an amount beyond the bounds, naming them."""
        with pytest.raises(ValidationError) as info:
            Money(amount, "EUR")  # type: ignore[arg-type]
        expected = (
            "expected an amount of at most 38 significant digits and 30 decimal places, "
            f"below 1E+31 in size, got {got} @ $.amount"
        )
        assert [expected] == info.value.errors
        assert info.value.subject == "Money"

    @pytest.mark.parametrize(
        "amount",
        ["9" * 31, "-" + "9" * 31, "1e30", "1E-30", "1" * 31 + "." + "1" * 7, "0." + "1" * 30],
    )
    def test_edges_accepted(self, amount: str) -> None:
        """Accepts amounts at the edges of the bounds."""
        assert Decimal(amount) == Money(amount, "EUR").amount

    @pytest.mark.parametrize("zero", [Decimal("0E-40"), Decimal("-0"), Decimal("0E+40"), "0e-99"])
    def test_zero_with_any_exponent(self, zero: object) -> None:
        """Accepts zero whatever its exponent, normalised so it reads back."""
        assert repr(Money(zero, "EUR")) == "Money('0', 'EUR')"  # type: ignore[arg-type]

    def test_fine_zero_kept(self) -> None:
        """Keeps a zero with places within the bounds as given."""
        assert repr(Money("0.00", "EUR")) == "Money('0.00', 'EUR')"

    @pytest.mark.parametrize(
        ("call", "got"),
        [
            (
                lambda: Money("1e30", "EUR") * 10,
                "1000000000000000000000000000000 times 10",
            ),
            (
                lambda: Money("9" * 31, "EUR") + Money("1", "EUR"),
                "9999999999999999999999999999999 plus 1",
            ),
            (
                lambda: Money("-" + "9" * 31, "EUR") - Money("1", "EUR"),
                "-9999999999999999999999999999999 minus 1",
            ),
            (
                lambda: Money("1e-30", "EUR") * Decimal("0.1"),
                "0.000000000000000000000000000001 times 0.1",
            ),
        ],
    )
    def test_arithmetic_results(self, call: object, got: str) -> None:
        """Refuses a sum or product beyond the bounds instead of building it."""
        with pytest.raises(ValidationError) as info:
            call()  # type: ignore[operator]
        expected = (
            "expected a result of at most 38 significant digits and 30 decimal places, "
            f"below 1E+31 in size (money is never rounded silently), got {got} @ $"
        )
        assert [expected] == info.value.errors

    @given(in_bounds)
    def test_round_trip(self, amount: Decimal) -> None:
        """Reads back exactly whatever it accepts, through to_json and from_json."""
        money = Money(amount, "EUR")
        back = from_json(Money, to_json(money))
        assert (money, repr(money)) == (back, repr(back))

    @given(in_bounds)
    def test_plain_text_reads_back(self, amount: Decimal) -> None:
        """Reads back its own plain text as the same amount, digit for digit."""
        money = Money(amount, "EUR")
        assert repr(money) == repr(Money(money.amount_text, "EUR"))


class TestBoundedWork:
    """Splits and costs do bounded work: the amounts and weights are bounded first."""

    def test_tiny_amount_refused_at_once(self) -> None:
        """Refuses 1e-99999 and 1e-999999999 before allocate could spin on them."""
        for amount in (Decimal("1e-99999"), Decimal("1e-999999999")):
            with pytest.raises(ValidationError, match="30 decimal places"):
                allocate(Money(amount, "EUR"), [1, 2])

    @pytest.mark.parametrize(
        ("weight", "got"),
        [
            (Decimal("1e-999999999"), "1E-999999999 (Decimal)"),
            (Decimal("1e31"), "1E+31 (Decimal)"),
            (Decimal("1e-99999999999"), "1E-99999999999 (Decimal)"),
            pytest.param(10**5000, "an integer of about 5001 digits (integer)", id="huge-int"),
        ],
    )
    def test_weights_bounded(self, weight: Decimal | int, got: str) -> None:
        """Refuses a weight beyond the magnitude bounds, at its index."""
        with pytest.raises(ValidationError) as info:
            allocate(Money("1", "EUR"), [2, weight])
        expected = (
            "expected a weight of at most 38 significant digits, zero or from 1E-30 up to "
            f"(not including) 1E+31 in size, got {got} @ $.weights[1]"
        )
        assert [expected] == info.value.errors
        assert info.value.subject == "allocation"

    def test_parts_of_an_amount_with_trailing_zeros(self) -> None:
        """Splits 1E+30 written with 30 zero places into parts within the bounds."""
        whole = Money("1" + "0" * 30 + "." + "0" * 30, "EUR")
        parts = allocate(whole, [1, 1, 1])
        assert whole == sum(parts, Money.zero("EUR"))

    def test_cost_of_a_tiny_quantity(self) -> None:
        """Refuses a quantity of 1e-999999999 before Price.cost could spin on it."""
        with pytest.raises(ValidationError, match="1E-30"):
            Price(Money("1", "EUR"), "vcpu*hour").cost(
                quantity(Decimal("1e-999999999"), "vcpu*hour")
            )


class TestExactCost:
    """Price.exact_cost is exact; total_cost adds exact costs and rounds once."""

    storage = Price(Money("0.021", "EUR"), "GiB", per="month")
    compute = Price(Money("0.042", "EUR"), "vcpu*hour")

    def test_exact_fraction(self) -> None:
        """Gives one day of a 31-day month as an exact fraction."""
        day = Period.day(dt.date(2026, 3, 2), "UTC")
        assert Fraction(21, 3100) == self.storage.exact_cost("10 GiB", day)

    def test_cost_rounds_only_what_has_no_end(self) -> None:
        """Gives the nearest amount of 38 significant digits or 30 places, half to even."""
        day = Period.day(dt.date(2026, 3, 2), "UTC")
        assert Money("0.006774193548387096774193548387", "EUR") == self.storage.cost("10 GiB", day)
        assert Money("4.032", "EUR") == self.compute.cost("96 vcpu*hour")

    def test_cost_beyond_the_bounds(self) -> None:
        """Refuses a cost of 1E+31 or more, naming the bound."""
        with pytest.raises(ValidationError) as info:
            Price(Money("1e30", "EUR"), "vcpu*hour").cost("1e3 vcpu*hour")
        assert info.value.subject == "Price cost"
        assert info.value.paths == ["$"]

    @given(st.integers(1, 30 * 86400 - 1), st.integers(1, 10**6))
    def test_two_halves_cost_the_whole(self, split: int, gib: int) -> None:
        """Adds exactly: the cost over a period is the cost of its two parts."""
        start = dt.datetime(2026, 1, 17, 5, tzinfo=UTC)
        end = start + dt.timedelta(days=30)
        middle = start + dt.timedelta(seconds=split)
        q = quantity(gib, "GiB")
        whole = self.storage.exact_cost(q, Period(start, end))
        parts = self.storage.exact_cost(q, Period(start, middle)) + self.storage.exact_cost(
            q, Period(middle, end)
        )
        assert whole == parts
        held = self.compute.exact_cost(quantity(gib, "vcpu"), Period(start, end))
        assert held == self.compute.exact_cost(
            quantity(gib, "vcpu"), Period(start, middle)
        ) + self.compute.exact_cost(quantity(gib, "vcpu"), Period(middle, end))
        charges = [
            (self.storage, q, Period(start, middle)),
            (self.storage, q, Period(middle, end)),
        ]
        assert total_cost([(self.storage, q, Period(start, end))], "EUR") == total_cost(
            charges, "EUR"
        )

    def test_total_rounds_once_half_even(self) -> None:
        """Adds exact costs and rounds the total once, half to even, to the minor unit."""
        half_cent = Price(Money("0.005", "EUR"), "request")
        assert Money("0.00", "EUR") == total_cost([(half_cent, "1 request", None)], "EUR")
        assert Money("0.02", "EUR") == total_cost([(half_cent, "3 request", None)], "EUR")
        # Rounding each cost first would give 0.00 + 0.00 + 0.00.
        third = Price(Money("0.01", "EUR"), "request")
        one = quantity(Decimal("0.5"), "request")
        assert Money("0.02", "EUR") == total_cost([(third, one, None)] * 3, "EUR")
        assert Money("0", "XAU") == total_cost([], "XAU")

    def test_total_refusals(self) -> None:
        """Refuses another currency, and names the charge a problem belongs to."""
        with pytest.raises(CurrencyMismatch):
            total_cost([(self.compute, "1 vcpu*hour", None)], "USD")
        with pytest.raises(ValidationError) as info:
            total_cost(
                [(self.compute, "1 vcpu*hour", None), (self.compute, "1 user", None)], "EUR"
            )
        assert info.value.paths == ["$.charges[1].quantity"]
        with pytest.raises(ValidationError) as info:
            total_cost([("price", "1 h", None)], "EUR")  # type: ignore[list-item]
        assert info.value.paths == ["$.charges[0][0]"]
        with pytest.raises(ValidationError) as info:
            total_cost([(self.compute,)], "EUR")  # type: ignore[list-item]
        assert info.value.paths == ["$.charges[0]"]
        with pytest.raises(ValidationError) as info:
            total_cost([], "EURO")
        assert info.value.paths == ["$.currency"]

    def test_decimal_context_untouched(self) -> None:
        """Computes costs and totals without changing the caller's decimal context."""
        with localcontext() as ctx:
            ctx.prec = 5
            ctx.rounding = ROUND_UP
            before = repr(getcontext())
            day = Period.day(dt.date(2026, 3, 2), "UTC")
            total = total_cost(
                [(self.storage, "100 GiB", day), (self.compute, "4 vcpu", day)], "EUR"
            )
            assert Money("4.10", "EUR") == total
            assert before == repr(getcontext())


class TestCalendarUnitsInPrices:
    """A price per unit of fixed length refuses every calendar unit pint knows."""

    @pytest.mark.parametrize(
        "unit",
        [
            "GiB*eon",
            "user*century",
            "GiB*millennium",
            "vcpu*kiloyear",
            "GiB*common_year",
            "user*lunar_month",
            "GiB*myear",
            "user*a",
        ],
    )
    def test_refused(self, unit: str) -> None:
        """Refuses eons, centuries and every other unit of 28 days or longer."""
        with pytest.raises(ValidationError, match="per='month'") as info:
            Price(Money("1", "EUR"), unit)
        assert info.value.paths == ["$.unit"]
        assert info.value.subject == "Price"

    @pytest.mark.parametrize("unit", ["GiB*week", "user*fortnight", "vcpu*day", "request*Gs"])
    def test_fixed_lengths_accepted(self, unit: str) -> None:
        """Accepts weeks, fortnights, days and gigaseconds: their lengths are fixed."""
        assert unit == Price(Money("1", "EUR"), unit).unit


class TestMoneyFactors:
    """Money * factor holds the factor to the magnitude bounds before any arithmetic."""

    @pytest.mark.parametrize(
        ("factor", "got"),
        [
            (Decimal("1e-9999999999"), "1E-9999999999 (Decimal)"),
            (Decimal("1e-99999999999"), "1E-99999999999 (Decimal)"),
            (Decimal("1e99999999999"), "1E+99999999999 (Decimal)"),
            (Decimal("1e-999999999"), "1E-999999999 (Decimal)"),
            (Decimal("1e-31"), "1E-31 (Decimal)"),
            (Decimal("1." + "1" * 38), "1.111111111111111...E+0 (Decimal)"),
            (10**31, "10000000000000000000000000000000 (integer)"),
            pytest.param(10**5000, "an integer of about 5001 digits (integer)", id="huge-int"),
        ],
    )
    def test_refused(self, factor: Decimal | int, got: str) -> None:
        """Refuses a factor beyond the bounds, shown in exponent form."""
        with pytest.raises(ValidationError) as info:
            _ = Money("1", "EUR") * factor
        expected = (
            "expected a factor of at most 38 significant digits, zero or from 1E-30 up to "
            f"(not including) 1E+31 in size, got {got} @ $"
        )
        assert [expected] == info.value.errors
        assert info.value.subject == "Money"

    def test_refused_on_the_right(self) -> None:
        """Refuses an out-of-bounds factor written first too."""
        with pytest.raises(ValidationError, match=r"got 1E\+99999999999 \(Decimal\)"):
            _ = Decimal("1e99999999999") * Money("1", "EUR")

    def test_edges_accepted(self) -> None:
        """Accepts factors at the edges of the bounds."""
        assert Money("1", "EUR") * Decimal("1e-30") == Money("1e-30", "EUR")
        assert Money("0.001", "EUR") * Decimal("9" * 31) == Money("9" * 28 + ".999", "EUR")


class TestMoneySign:
    """-m and abs(m) are exact, whatever the caller's decimal context."""

    LONG = "1234567890123456789012345678.9012345678"

    def test_negation_exact(self) -> None:
        """Negates a 38-digit amount without rounding it."""
        assert Money("-" + self.LONG, "EUR") == -Money(self.LONG, "EUR")
        assert repr(-Money(self.LONG, "EUR")) == "Money('-" + self.LONG + "', 'EUR')"

    def test_absolute_value_exact(self) -> None:
        """Takes the absolute value of a 38-digit amount without rounding it."""
        assert repr(abs(Money("-" + self.LONG, "EUR"))) == "Money('" + self.LONG + "', 'EUR')"

    def test_low_precision_context(self) -> None:
        """Stays exact under a caller's context of 3 digits."""
        with localcontext() as ctx:
            ctx.prec = 3
            assert Decimal("-12.345") == (-Money("12.345", "EUR")).amount
            assert Decimal("12.345") == abs(Money("-12.345", "EUR")).amount

    def test_negative_zero(self) -> None:
        """Negates zero to zero, written without a sign."""
        assert repr(-Money("0", "EUR")) == "Money('0', 'EUR')"


class TestCurrencyChecks:
    """Currency checks every field at construction."""

    def test_wrong_types(self) -> None:
        """Refuses wrong-typed fields, every problem at its path."""
        with pytest.raises(ValidationError) as info:
            Currency(code=5, number="x", name=None, minor_unit=1.5)  # type: ignore[arg-type]
        assert info.value.errors == [
            "expected three uppercase letters such as 'EUR', got 5 (integer) @ $.code",
            "expected an ISO 4217 numeric code: an int from 0 to 999, got 'x' (string) @ $.number",
            "expected a non-empty string, got null @ $.name",
            "expected an int from 0 to 30 or None, got 1.5 (number) @ $.minor_unit",
        ]
        assert info.value.subject == "Currency"

    def test_out_of_range(self) -> None:
        """Refuses an empty code and name, a huge number and a negative minor unit."""
        with pytest.raises(ValidationError) as info:
            Currency(code="", number=2**63, name="", minor_unit=-1)
        assert info.value.paths == ["$.code", "$.number", "$.name", "$.minor_unit"]

    @pytest.mark.parametrize(
        "fields",
        [
            {"code": "EURO"},
            {"code": "eur"},
            {"code": "EU\u00c9"},
            {"number": True},
            {"number": 1000},
            {"number": -5},
            {"name": "  "},
            {"minor_unit": 31},
            {"minor_unit": False},
        ],
    )
    def test_one_field_refused(self, fields: dict[str, object]) -> None:
        """Refuses each bad field on its own, at its path."""
        good: dict[str, object] = {"code": "EUR", "number": 978, "name": "Euro", "minor_unit": 2}
        with pytest.raises(ValidationError) as info:
            Currency(**(good | fields))  # type: ignore[arg-type]
        assert [f"$.{next(iter(fields))}"] == info.value.paths

    def test_table_accepted(self) -> None:
        """Accepts every currency of the shipped table, and one without a minor unit."""
        assert all(Currency(**attrs.asdict(c)) == c for c in currencies())
        assert currency("XAU").minor_unit is None

    def test_reader_refuses(self) -> None:
        """Refuses a bad currency read from a document too."""
        with pytest.raises(ValidationError) as info:
            from_dict(Currency, {"code": "ZZZ", "number": -5, "name": "", "minor_unit": -3})
        assert info.value.paths == ["$.number", "$.name", "$.minor_unit"]


class TestAmountText:
    """An amount written as text is the JSON Schema's decimal pattern exactly."""

    @pytest.mark.parametrize(
        "text", ["1.00\n", " 1.00", "1.00 ", "\u00a01.00", "1_000", "\u0661\u0662", "1e1000", ""]
    )
    def test_refused(self, text: str) -> None:
        """Refuses whitespace around, Unicode digits and exponents past three digits."""
        with pytest.raises(ValidationError) as info:
            Money(text, "EUR")
        expected = (
            "expected a decimal number such as '12.30' (ASCII digits, no spaces around), "
            f"got {text!r} (string) @ $.amount"
        )
        assert [expected] == info.value.errors

    @pytest.mark.parametrize("text", ["1", "-1.5", "+.5", "5.", "1e3", "1E-030"])
    def test_accepted(self, text: str) -> None:
        """Accepts every form of the pattern."""
        assert Decimal(text) == Money(text, "EUR").amount

    @given(st.from_regex(DECIMAL_TEXT, fullmatch=True))
    def test_pattern_is_the_schema_pattern(self, text: str) -> None:
        """Reads exactly the texts the JSON Schema's amount pattern allows (or names the bound)."""
        pattern = json_schema(Money)["properties"]["amount"]["pattern"]
        assert re.fullmatch(pattern.removeprefix("^").removesuffix("$"), text)
        amount = Decimal(text)
        if bounded_amount(amount) is None:
            with pytest.raises(ValidationError, match="at most 38 significant digits"):
                Money(text, "EUR")
        else:
            assert amount == Money(text, "EUR").amount

    @pytest.mark.parametrize("text", ["1.00\n", " 1.00"])
    def test_reader_refuses(self, text: str) -> None:
        """Refuses an amount with whitespace around in a document as the constructor does."""
        with pytest.raises(ValidationError):
            from_dict(Money, {"amount": text, "currency": "EUR"})


class TestMoneyFormat:
    """format(m, spec) takes Decimal's format specs and refuses others with a path."""

    @pytest.mark.parametrize(
        "spec", ["d", "x", "s", ".2q", "1.2.3", ".999999999f", "999999999", "_", "#.0f", "_.2f"]
    )
    def test_refused(self, spec: str) -> None:
        """Refuses a spec Decimal cannot use, or one asking for a huge width or precision."""
        with pytest.raises(ValidationError) as info:
            format(Money("1", "EUR"), spec)
        expected = (
            "expected a format spec of Decimal such as '.2f' or ',.2f' (width and precision "
            f"at most 100), got {spec!r} (string) @ $.format_spec"
        )
        assert [expected] == info.value.errors
        assert info.value.subject == "Money format"

    @pytest.mark.parametrize(
        ("spec", "text"),
        [
            (".2f", "EUR 1.00"),
            (">8.1f", "EUR      1.0"),
            ("*^9,.2f", "EUR **1.00***"),
            ("e", "EUR 1e+0"),
        ],
    )
    def test_accepted(self, spec: str, text: str) -> None:
        """Formats with fill, alignment, width, grouping, precision and type."""
        assert text == format(Money("1", "EUR"), spec)


class TestTotalCostArguments:
    """total_cost refuses wrong-typed arguments with a path."""

    @pytest.mark.parametrize("charges", [5, None, "abc", {"a": 1}])
    def test_charges_not_a_list(self, charges: object) -> None:
        """Refuses charges that are not a list of triples, at $.charges."""
        with pytest.raises(ValidationError) as info:
            total_cost(charges, "EUR")  # type: ignore[arg-type]
        assert info.value.paths == ["$.charges"]
        assert info.value.subject == "total cost"

    def test_empty_is_zero(self) -> None:
        """Totals no charges as zero in the currency's minor unit."""
        assert repr(total_cost([], "EUR")) == "Money('0.00', 'EUR')"


class TestMoneyTimesFraction:
    """Money * Fraction is exact or refused, never rounded, never a TypeError."""

    def test_exact(self) -> None:
        """Multiplies by a Fraction whose result has a finite decimal expansion."""
        assert (Money("1", "EUR"), Money("0.25", "EUR")) == (
            Money("3", "EUR") * Fraction(1, 3),
            Fraction(1, 4) * Money("1", "EUR"),
        )

    def test_inexact_refused(self) -> None:
        """Refuses a product with no finite decimal expansion rather than rounding it."""
        with pytest.raises(ValidationError) as info:
            _ = Money("1", "EUR") * Fraction(1, 3)
        assert info.value.errors == [
            (
                "expected a result of at most 38 significant digits and 30 decimal places, "
                "below 1E+31 in size (money is never rounded silently), got 1 times 1/3 @ $"
            )
        ]
        assert info.value.subject == "Money"

    def test_factor_beyond_bounds_refused(self) -> None:
        """Refuses a Fraction factor beyond the magnitude bounds before any arithmetic."""
        with pytest.raises(ValidationError, match="expected a factor of at most 38"):
            _ = Money("1", "EUR") * Fraction(1, 10**31)


_COUNTS_SOMETHING = (
    "a unit that counts something, such as 'vcpu*hour' or 'GiB' (a price per a "
    "dimensionless unit such as 'percent' or 'GiB/GiB' is per nothing)"
)


class TestPriceUnit:
    """A price's unit is non-empty unit text naming a unit that is not dimensionless."""

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            ("", "a unit such as 'vcpu*hour' (what the price is per)"),
            (
                "1/s",
                (
                    "a unit such as 'ms' or 'vcpu*hour' (at most 6 unit names joined by *, / or "
                    "spaces)"
                ),
            ),
            ("GiB/GiB", _COUNTS_SOMETHING),
            ("percent", _COUNTS_SOMETHING),
            ("dimensionless", _COUNTS_SOMETHING),
        ],
    )
    def test_refused(self, unit: str, expected: str) -> None:
        """Refuses an empty, malformed or dimensionless unit with a unit-shaped message."""
        with pytest.raises(ValidationError) as info:
            Price(Money("12", "EUR"), unit)
        assert [f"expected {expected}, got {unit!r} (string) @ $.unit"] == info.value.errors
        assert info.value.subject == "Price"

    def test_reader_refuses_empty_unit(self) -> None:
        """Refuses an empty unit in a document too."""
        document = {"amount": {"amount": "12", "currency": "EUR"}, "unit": ""}
        with pytest.raises(ValidationError, match=r"what the price is per.*@ \$\.unit"):
            from_dict(Price, document)

    def test_rate_accepted(self) -> None:
        """Accepts a unit with only a divisor, such as a rate per second."""
        assert str(Price(Money("12", "EUR"), "/s")) == "EUR 12 per /s"


class TestRoundToMinor:
    """round_to_minor: an exact amount rounded once, half to even, to the minor unit.

    The one rounding of S11 cost profiles and of `total_cost` (20000-1 6.4): what is
    charged is the exact sum rounded once, never a sum of rounded parts.
    """

    @pytest.mark.parametrize(
        ("exact", "code", "text"),
        [
            (Fraction(124992, 1000), "EUR", "124.99"),
            (Fraction(5, 1000), "EUR", "0.00"),  # a tie goes to the even cent
            (Fraction(15, 1000), "EUR", "0.02"),
            (Fraction(25, 1000), "EUR", "0.02"),
            (Fraction(-25, 1000), "EUR", "-0.02"),
            (Fraction(-5, 1000), "EUR", "0.00"),
            (Fraction(1, 10), "EUR", "0.10"),  # every minor digit written
            (Fraction(0), "EUR", "0.00"),
            (Fraction(5, 2), "JPY", "2"),
            (Fraction(7, 2), "JPY", "4"),
            (Fraction(12345, 10000), "BHD", "1.234"),  # three places, tie to even
            (Fraction(1, 3), "XAU", "0.333333333333333333333333333333"),
            (Fraction(1, 8), "XAU", "0.125"),  # no minor unit: exact where it ends
            (3, "EUR", "3.00"),
        ],
    )
    def test_rounds_half_to_even(self, exact: Fraction, code: str, text: str) -> None:
        """Rounds ties to the even neighbour and writes every minor digit."""
        money = round_to_minor(exact, code)
        assert (money.currency, money.amount_text) == (code, text)

    @given(st.fractions(min_value=-(10**12), max_value=10**12, max_denominator=10**9))
    def test_is_money_rounded_once(self, exact: Fraction) -> None:
        """Agrees with Python's half-even round of the cents; never more than half a cent off."""
        money = round_to_minor(exact, "EUR")
        assert Fraction(money.amount) == Fraction(round(exact * 100), 100)
        assert abs(Fraction(money.amount) - exact) <= Fraction(1, 200)
        assert money.amount.as_tuple().exponent == -2

    def test_largest_amounts(self) -> None:
        """Takes an amount just below 1E+31 that stays below; refuses one rounding up to it."""
        below = Fraction(10**33 - 1, 100)
        assert round_to_minor(below, "EUR").amount_text == "9" * 31 + ".99"
        for too_large in (Fraction(10**34 - 1, 1000), Fraction(10**31), Fraction(-(10**400))):
            with pytest.raises(ValidationError) as info:
                round_to_minor(too_large, "EUR")
            assert info.value.paths == ["$.exact"]
            assert info.value.subject == "amount to round"
        with pytest.raises(ValidationError) as info:  # 38 digits round it up to 1E+31
            round_to_minor(Fraction(10**31) - Fraction(1, 10**10), "XAU")
        assert info.value.paths == ["$.exact"]
        with pytest.raises(ValidationError) as info:
            round_to_minor(Fraction(10**400, 3), "XAU")
        assert info.value.errors == [
            (
                "expected an amount of at most 38 significant digits and 30 decimal places, "
                "below 1E+31 in size, got 3.333333E+399 @ $.exact"
            )
        ]

    @pytest.mark.parametrize(
        ("exact", "code", "path"),
        [
            (0.5, "EUR", "$.exact"),
            (Decimal("0.5"), "EUR", "$.exact"),
            (True, "EUR", "$.exact"),
            ("1/2", "EUR", "$.exact"),
            (Fraction(1, 2), "EURO", "$.currency"),
            (Fraction(1, 2), None, "$.currency"),
        ],
    )
    def test_bad_input(self, exact: object, code: object, path: str) -> None:
        """Refuses what is not an exact amount, or not a currency code, at its path."""
        with pytest.raises(ValidationError) as info:
            round_to_minor(exact, code)  # type: ignore[arg-type]
        assert info.value.paths == [path]
        assert info.value.subject == "amount to round"

    def test_every_bad_argument_reported(self) -> None:
        """Reports a bad amount and a bad currency together."""
        with pytest.raises(ValidationError) as info:
            round_to_minor(0.5, "EURO")  # type: ignore[arg-type]
        assert info.value.paths == ["$.exact", "$.currency"]

    def test_total_cost_rounds_with_it(self) -> None:
        """total_cost gives round_to_minor of the exact sum, and names its total when too large."""
        storage = Price(Money("0.021", "EUR"), "GiB", per="month")
        day = Period.day(dt.date(2026, 3, 2), "UTC")
        charges = [(storage, "100 GiB", day), (storage, "7 GiB", day)]
        exact = sum((storage.exact_cost(q, p) for _, q, p in charges), Fraction(0))
        assert total_cost(charges, "EUR") == round_to_minor(exact, "EUR")
        huge = Price(Money("1e30", "EUR"), "request")
        with pytest.raises(ValidationError) as info:
            total_cost([(huge, "10 request", None)], "EUR")
        assert info.value.errors == [
            (
                "expected a total of at most 38 significant digits and 30 decimal places, "
                "below 1E+31 in size, got 1.000000E+31 @ $"
            )
        ]
        assert info.value.subject == "total cost"


class TestAllocateFractions:
    """allocate takes exact Fraction weights (S11 splits follow exact costs), held to bounds."""

    def test_fraction_weights(self) -> None:
        """Splits in the exact proportion, mixing Fractions with ints and Decimals."""
        parts = allocate(Money("1.00", "EUR"), [Fraction(1, 3), Fraction(2, 3)])
        assert parts == (Money("0.33", "EUR"), Money("0.67", "EUR"))
        mixed = allocate(Money("100", "EUR"), [Fraction(1, 3), 1, Decimal("0.5")])
        assert [p.amount_text for p in mixed] == ["18.18", "54.55", "27.27"]
        assert sum(mixed, Money.zero("EUR")) == Money("100", "EUR")

    def test_same_parts_as_equal_decimals(self) -> None:
        """A Fraction weight splits as the Decimal of the same value does."""
        money = Money("10.01", "EUR")
        assert allocate(money, [Fraction(3, 20), Fraction(7, 10)]) == allocate(
            money, [Decimal("0.15"), Decimal("0.7")]
        )

    @pytest.mark.parametrize(
        ("weight", "expected"),
        [
            (Fraction(-1, 3), "a weight of zero or more"),
            (Fraction(1, 10**31), "a Fraction weight"),
            (Fraction(10**31), "a Fraction weight"),
            (Fraction(10**68 + 1, 10**67), "a Fraction weight"),  # size fine, terms too long
            (Fraction(10**67 + 1, 10**68), "a Fraction weight"),
            (Fraction(10**4000 + 1, 10**4000), "a Fraction weight"),
        ],
    )
    def test_fraction_weights_bounded(self, weight: Fraction, expected: str) -> None:
        """Refuses a negative Fraction or one beyond the bounds at its index, never reduced."""
        with pytest.raises(ValidationError) as info:
            allocate(Money("1", "EUR"), [2, weight])
        assert info.value.paths == ["$.weights[1]"]
        assert info.value.errors[0].startswith(f"expected {expected}")
        assert info.value.subject == "allocation"

    def test_longest_terms_taken(self) -> None:
        """Takes a Fraction whose numerator and denominator are just below 1E+68."""
        weight = Fraction(10**68 - 1, 10**68 - 3)
        parts = allocate(Money("1.00", "EUR"), [weight, weight])
        assert parts == (Money("0.50", "EUR"), Money("0.50", "EUR"))

    def test_all_zero_fractions(self) -> None:
        """Refuses weights that are all zero, Fractions too."""
        with pytest.raises(ValidationError) as info:
            allocate(Money("1", "EUR"), [Fraction(0), Fraction(0)])
        assert info.value.paths == ["$.weights"]

    @given(
        st.decimals(min_value=-(10**9), max_value=10**9, places=2).map(lambda a: Money(a, "EUR")),
        st.lists(
            st.fractions(min_value=0, max_value=10**6, max_denominator=10**6),
            min_size=1,
            max_size=12,
        ).filter(any),
    )
    def test_parts_sum_to_the_whole(self, money: Money, weights: list[Fraction]) -> None:
        """Parts add up exactly, each within a cent of its exact share, written to the cent."""
        parts = allocate(money, weights)
        assert sum(parts, Money.zero("EUR")) == money
        total = sum(weights)
        for part, weight in zip(parts, weights, strict=True):
            share = Fraction(money.amount) * weight / total
            assert abs(Fraction(part.amount) - share) < Fraction(1, 100)
            assert part.amount.as_tuple().exponent == -2
