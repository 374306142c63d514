"""cloudsms.units: one registry, our own base dimensions, and a parser that refuses quickly."""

from __future__ import annotations

import contextlib
import copy
import json
import operator
import pickle
import re
import subprocess
import sys
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms import testing, units
from cloudsms.errors import ValidationError
from cloudsms.serialization import from_json, to_json
from cloudsms.units import dimension, is_quantity, magnitude_in, quantity


class TestQuantity:
    """quantity() reads the texts people write, exactly."""

    @pytest.mark.parametrize(
        ("text", "unit", "expected"),
        [
            ("250 ms", "second", Decimal("0.25")),
            ("1.5 TiB", "byte", Decimal(1649267441664)),
            ("99.95 %", "dimensionless", Decimal("0.9995")),
            ("0.2 vcpu*hour", "vcpu*second", Decimal(720)),
            ("2 vCPU h", "vcpu*minute", Decimal(120)),
            ("10 GiB/month", "GiB/month", Decimal(10)),
            ("1 kbit/s", "byte/second", Decimal(125)),
            ("3 seat", "user", Decimal(3)),
            ("1e3 txn/h", "transaction/hour", Decimal(1000)),
            ("5 s^2", "second**2", Decimal(5)),
            ("7 req", "request", Decimal(7)),
        ],
    )
    def test_parses_exactly(self, text: str, unit: str, expected: Decimal) -> None:
        """Converts each text to its hand-computed value without rounding."""
        assert magnitude_in(quantity(text), unit) == expected

    def test_magnitude_and_unit(self) -> None:
        """Builds a quantity from an exact magnitude and a unit."""
        assert quantity(Decimal("0.2"), "vcpu*hour") == quantity("0.2 vcpu*hour")
        assert quantity(250, "ms") == quantity("250 ms")
        assert quantity("4", "GiB") == quantity("4 GiB")

    def test_passes_quantities_through(self) -> None:
        """Returns a quantity given to it unchanged."""
        q = quantity("1 h")
        assert quantity(q) is q

    @pytest.mark.parametrize(
        ("bad", "expected"),
        [
            ("", "a number, then a unit"),
            ("ms", "a number, then a unit"),
            ("5 parsecs_per_fortnight", "a unit the registry knows"),
            ("5 s^9", "a unit power from -4 to 4"),
            ("5 s^0", "a unit power from -4 to 4"),
            ("1e999 s", "a finite magnitude"),
            ("nan s", "a number, then a unit"),
            ("inf", "a number, then a unit"),
            ("5 __import__", "a unit the registry knows"),
            ("5 s s s s s s s", "at most 6 unit names"),
            ("1 s / ", "single spaces inside only"),
            ("(1) s", "a number, then a unit"),
            ("1 s**2**3", "unit names joined by"),
            ("x" * 65, "at most 64 characters"),
        ],
    )
    def test_refuses(self, bad: str, expected: str) -> None:
        """Refuses unsafe or malformed text with a ValidationError saying what it wanted."""
        with pytest.raises(ValidationError, match=expected.replace("(", r"\(")):
            quantity(bad)

    @pytest.mark.parametrize("bad", [0.5, True, None, [1]])
    def test_refuses_inexact_magnitudes(self, bad: object) -> None:
        """Refuses floats and other non-exact magnitudes."""
        with pytest.raises(ValidationError, match="exact magnitude"):
            quantity(bad, "s")

    @pytest.mark.parametrize("bad", [0.5, None, 3])
    def test_refuses_non_text(self, bad: object) -> None:
        """Refuses anything that is not text or a quantity when no unit is given."""
        with pytest.raises(ValidationError, match="a quantity such as"):
            quantity(bad)

    def test_refuses_a_long_unit(self) -> None:
        """Refuses a unit longer than the limit."""
        with pytest.raises(ValidationError, match="at most 64 characters"):
            quantity(1, "s*" * 40 + "s")

    def test_path_names_the_field(self) -> None:
        """Reports the problem at the path it is given."""
        with pytest.raises(ValidationError) as info:
            quantity("5 foo", path="$.targets[2].threshold")
        assert info.value.paths == ["$.targets[2].threshold"]

    @given(st.text(max_size=200))
    def test_any_text_is_parsed_or_refused(self, text: str) -> None:
        """Parses or refuses any text, never raising anything but ValidationError.

        How long the worst text takes is measured in benchmarks/core.py.
        """
        refused: list[ValidationError] = []
        try:
            parsed = quantity(text)
        except ValidationError as exc:
            refused.append(exc)
        if refused:
            assert refused[0].problems  # a refusal always says what is wrong
        else:
            assert is_quantity(parsed)


class TestDimensions:
    """Our units are base dimensions of their own; data is not dimensionless."""

    @pytest.mark.parametrize(
        ("text", "target"),
        [
            ("2 vcpu*hour", "user*hour"),
            ("1 GiB", "percent"),
            ("3 request", "transaction"),
            ("1 instance", "vcpu"),
            ("2 licence", "user"),
            ("1 hour", "vcpu*hour"),
        ],
    )
    def test_different_things_never_convert(self, text: str, target: str) -> None:
        """Refuses to convert between different dimensions."""
        with pytest.raises(ValidationError, match="convertible"):
            magnitude_in(quantity(text), target)

    def test_dimension_text_is_stable(self) -> None:
        """Names dimensions in a stable, sorted order."""
        assert dimension(quantity("2 vcpu*hour")) == dimension(quantity("2 hour*vcpu"))
        assert dimension(quantity("2 GiB")) == "[information]"
        assert dimension(quantity("5 %")) == "dimensionless"
        assert dimension(quantity("1 /s")) == "1 / [time]"
        assert dimension(quantity("1 m/s^2")) == "[length] / [time] ** 2"

    def test_same_dimension(self) -> None:
        """Compares a quantity with a quantity or a unit name."""
        assert units.same_dimension(quantity("1 h"), "second")
        assert not units.same_dimension(quantity("1 h"), quantity("1 GiB"))

    def test_aliases(self) -> None:
        """Reads the aliases of our units as the same unit."""
        assert quantity("1 seat") == quantity("1 user")
        assert quantity("1 license") == quantity("1 licence")
        assert quantity("1 vCPU") == quantity("1 vcpu")


class TestConversion:
    """magnitude_in() converts once, exactly, for hot paths."""

    def test_exact_through_a_non_terminating_factor(self) -> None:
        """Keeps 345600 vcpu-seconds exactly 96 vcpu-hours."""
        assert magnitude_in(quantity("345600 vcpu*s"), "vcpu*hour") == Decimal(96)

    def test_non_terminating_result_keeps_38_digits(self) -> None:
        """Gives one second in hours to 38 significant digits, the magnitude bound."""
        value = magnitude_in(quantity("1 s"), "hour")
        assert str(value).startswith("0.000277777")
        assert len(value.as_tuple().digits) == units.MAX_DIGITS == 38

    def test_registry_is_shared(self) -> None:
        """Builds the registry once."""
        assert units.registry() is units.registry()
        assert units.is_quantity(quantity("1 s"))
        assert not units.is_quantity(Decimal(1))

    def test_importing_units_does_not_import_pint(self) -> None:
        """Imports pint only when the registry is first needed."""
        code = (
            "import sys, cloudsms.units as u; a = 'pint' in sys.modules; u.quantity('1 s'); "
            "print(a, 'pint' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        assert out == ["False", "True"]


class TestReviewCases:
    """Cases a review found in the parser and conversions."""

    @pytest.mark.parametrize(
        ("bad", "expected"),
        [
            ("5 s^4*s^4", "at a power from -4 to 4 in all"),
            ("5 /", "a unit after '/'"),
            ("١٢ s", "a number, then a unit"),
            ("2 degC", "multiplicative units only"),
        ],
    )
    def test_refused(self, bad: str, expected: str) -> None:
        """Refuses runaway powers, a bare '/', non-ASCII digits and offset units."""
        with pytest.raises(ValidationError, match=expected):
            quantity(bad)

    @pytest.mark.parametrize(
        "call",
        [
            lambda: quantity(5, 5),  # type: ignore[arg-type]
            lambda: magnitude_in(quantity("1 s"), "parsec/"),
            lambda: magnitude_in(quantity("1 s"), "nonsense"),
            lambda: magnitude_in(quantity("1 s"), 5),  # type: ignore[arg-type]
            lambda: units.fraction_in(Decimal(1), "s"),  # type: ignore[arg-type]
        ],
    )
    def test_bad_arguments(self, call: object) -> None:
        """Refuses wrong arguments with a ValidationError, never pint's own errors."""
        with pytest.raises(ValidationError):
            call()  # type: ignore[operator]

    def test_calendar_units(self) -> None:
        """Names the calendar units of a quantity."""
        assert units.calendar_units(quantity("1 GiB/month")) == ("month",)
        assert units.calendar_units(quantity("2 year*user")) == ("year",)
        assert units.calendar_units(quantity("2 week")) == ()

    def test_fraction_in(self) -> None:
        """Converts exactly, without any rounding."""
        assert units.fraction_in(quantity("10 vcpu*min"), "vcpu*hour") == Fraction(1, 6)


class TestImmutability:
    """Quantities of the registry never change in place: frozen values stay frozen."""

    @pytest.mark.parametrize(
        ("name", "args"),
        [
            ("ito", ("minute",)),
            ("ito_base_units", ()),
            ("ito_reduced_units", ()),
            ("ito_root_units", ()),
            ("ito_unprefixed", ()),
            ("ito_preferred", ()),
            ("__setitem__", (0, 1)),
        ],
    )
    def test_in_place_conversions_refused(self, name: str, args: tuple[object, ...]) -> None:
        """Refuses each in-place method with a ValidationError, leaving the quantity as it was."""
        q = quantity("2 h")
        with pytest.raises(ValidationError) as info:
            getattr(q, name)(*args)
        expected = (
            "expected no change to a quantity (quantities are immutable: q.to(unit) returns "
            f"a new one), got a call of {name} @ $"
        )
        assert [expected] == info.value.errors
        assert str(q) == "2 hour"

    def test_in_place_operators_rebind(self) -> None:
        """Rebinds the name on +=, -=, *=, /=, //= and %=, leaving the original unchanged."""
        original = quantity("7 h")
        q = original
        q += quantity("1 h")
        q -= quantity("2 h")
        q *= 2
        q /= 3
        assert str(q) == "4 hour"
        ratio = original / quantity("2 h")
        ratio //= 1
        rest = quantity("7 h")
        rest %= quantity("2 h")
        assert (str(original), str(ratio), str(rest)) == ("7 hour", "3 dimensionless", "1 hour")

    def test_attributes_set_once(self) -> None:
        """Refuses a new magnitude or unit on a quantity already built."""
        q = quantity("2 h")
        with pytest.raises(ValidationError, match="immutable"):
            q._magnitude = Decimal(3)
        with pytest.raises(ValidationError, match="immutable"):
            q._units = quantity("1 s")._units  # type: ignore[attr-defined]
        assert str(q) == "2 hour"

    def test_frozen_value_keeps_what_it_writes(self) -> None:
        """A quantity read from a document writes the same text after an attempted ito."""
        q = from_json(units.Quantity, '"250 ms"')  # type: ignore[type-abstract]
        with pytest.raises(ValidationError):
            q.ito("hour")  # type: ignore[attr-defined]
        assert to_json(q) == '"250 ms"'

    def test_copies_and_pickles(self) -> None:
        """Copies and pickles into immutable quantities of the same registry."""
        q = quantity("1.5 TiB")
        for twin in (copy.copy(q), copy.deepcopy(q), pickle.loads(pickle.dumps(q))):
            assert q == twin
            with pytest.raises(ValidationError):
                twin.ito("byte")  # type: ignore[attr-defined]


class TestMagnitudeBounds:
    """Every quantity built, read or computed has a magnitude within the bounds."""

    bound = (
        "magnitude of at most 38 significant digits, zero or from 1E-30 up to (not "
        "including) 1E+31 in size"
    )

    def test_constants(self) -> None:
        """Exports the bounds the strategies reach for."""
        assert (units.MAX_DIGITS, units.MAX_EXPONENT) == (38, 30)

    def test_arithmetic_result_refused(self) -> None:
        """Refuses 1e30 ms times 1000, naming the bound."""
        with pytest.raises(ValidationError) as info:
            _ = quantity("1e30 ms") * 1000
        assert [f"expected a {self.bound}, got 1E+33 millisecond @ $"] == info.value.errors
        assert info.value.subject == "Quantity"

    def test_conversion_result_refused(self) -> None:
        """Refuses a conversion whose result leaves the bounds."""
        with pytest.raises(ValidationError, match="1E\\+31"):
            quantity("1e30 TiB").to("byte")

    @pytest.mark.parametrize(
        ("value", "unit", "got"),
        [
            pytest.param(
                10**5000, "ms", "an integer of about 5001 digits (integer)", id="huge-int"
            ),
            (10**31, "ms", "10000000000000000000000000000000 (integer)"),
            (Decimal("1e-31"), "ms", "Decimal('1E-31') (Decimal)"),
            ("1." + "1" * 38, "ms", "'1.11111111111111111111111111111111111111' (string)"),
        ],
    )
    def test_magnitude_refused(self, value: object, unit: str, got: str) -> None:
        """Refuses a magnitude beyond the bounds, never leaking Python's int-to-text limit."""
        with pytest.raises(ValidationError) as info:
            quantity(value, unit)
        assert [f"expected a finite {self.bound}, got {got} @ $"] == info.value.errors

    @pytest.mark.parametrize("text", ["1e30 ms", "-1e-30 ms", "9" * 31 + " s", "0e-99 s"])
    def test_edges_accepted(self, text: str) -> None:
        """Accepts magnitudes at the edges, and zero whatever its exponent."""
        assert Decimal(text.split(maxsplit=1)[0]) == quantity(text).magnitude

    @given(
        st.integers(-(10**38) + 1, 10**38 - 1),
        st.integers(-67, 30),
        st.sampled_from(["ms", "GiB", "vcpu*hour", "request/s", "%"]),
    )
    def test_round_trip(self, digits: int, exponent: int, unit: str) -> None:
        """Reads back exactly whatever it accepts, through to_json and from_json."""
        try:
            q = quantity(Decimal(digits).scaleb(exponent), unit)
        except ValidationError:
            return
        back = from_json(units.Quantity, to_json(q))  # type: ignore[type-abstract]
        assert (q, str(q.magnitude)) == (back, str(back.magnitude))


class TestUnicodeDigits:
    """Only ASCII digits count, in magnitudes and in powers."""

    @pytest.mark.parametrize("text", ["1 ms^٢", "1 ms**٢", "1 s^²"])
    def test_powers(self, text: str) -> None:
        """Refuses a power written in other digits."""
        with pytest.raises(ValidationError, match="unit names joined by"):
            quantity(text)

    def test_magnitude(self) -> None:
        """Refuses a magnitude written in other digits."""
        with pytest.raises(ValidationError, match="ASCII digits"):
            quantity("١٢", "ms")


class TestCalendarUnits:
    """calendar_units() finds every unit of calendar length from the registry's definitions."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1 GiB*eon", ("eon",)),
            ("1 century", ("century",)),
            ("1 millennium", ("millennium",)),
            ("1 kiloyear", ("kiloyear",)),
            ("1 myear", ("milliyear",)),
            ("1 common_year", ("common_year",)),
            ("1 lunar_month", ("synodic_month",)),
            ("1 user*years", ("year",)),
        ],
    )
    def test_calendar(self, text: str, expected: tuple[str, ...]) -> None:
        """Names months, years, eons and their prefixed forms."""
        assert expected == units.calendar_units(quantity(text))

    @pytest.mark.parametrize("text", ["1 week", "1 fortnight", "1 day", "1 Gs", "1 GiB"])
    def test_fixed(self, text: str) -> None:
        """Leaves units of fixed length alone."""
        assert units.calendar_units(quantity(text)) == ()


class TestBoundedCaches:
    """The caches of unit texts, names and factors never grow past CACHE_SIZE."""

    def test_unknown_names(self) -> None:
        """Remembers at most CACHE_SIZE unit names, however many unknown ones arrive."""
        for index in range(units.CACHE_SIZE + 50):
            with contextlib.suppress(ValidationError):
                quantity(f"1 zz{index}")
        sizes = [units._unit_of.cache_info(), units._factor.cache_info()]
        assert all(info.maxsize == units.CACHE_SIZE for info in sizes)
        assert units._unit_of.cache_info().currsize <= units.CACHE_SIZE
        assert len(units._UNIT_CACHE) <= units.CACHE_SIZE


class TestOtherRegistries:
    """A quantity of another pint registry is refused, saying so."""

    def test_refused(self) -> None:
        """Refuses it in quantity(), fraction_in() and calendar_units() alike."""
        other = pint.UnitRegistry().Quantity(1, "ms")
        expected = [
            (
                "expected a quantity of cloudsms's registry (cloudsms.units.registry()); "
                "rebuild it with cloudsms.units.quantity(magnitude, unit), got 1 millisecond "
                "from another pint registry @ $"
            )
        ]
        for call in (
            lambda: quantity(other),
            lambda: units.fraction_in(other, "s"),
            lambda: units.calendar_units(other),
        ):
            with pytest.raises(ValidationError) as info:
                call()
            assert expected == info.value.errors

    def test_conversions_ignore_the_callers_context(self) -> None:
        """Converts exactly whatever precision the caller's decimal context has."""
        with localcontext() as ctx:
            ctx.prec = 2
            assert Fraction(1609344) == units.fraction_in(quantity("1 mile"), "mm")
            assert ctx.prec == 2


class TestUnitShape:
    """Every quantity built has a unit the parser reads back: the one shape rule."""

    @pytest.mark.parametrize(
        ("build", "got"),
        [
            (
                lambda: (
                    quantity("2 ms")
                    * quantity("3 ms")
                    * quantity("1 ms")
                    * quantity("1 ms")
                    * quantity("1 ms")
                ),
                "millisecond at the power 5",
            ),
            (
                lambda: (
                    quantity("2 ms")
                    * quantity("1 GiB")
                    * quantity("1 vcpu")
                    * quantity("1 request")
                    * quantity("1 user")
                    * quantity("1 licence")
                    * quantity("1 transaction")
                ),
                "7 unit names",
            ),
            (lambda: units.registry().Quantity(Decimal(1), "ms**5"), "millisecond at the power 5"),
        ],
    )
    def test_refused(self, build: object, got: str) -> None:
        """Refuses a unit of more than 6 names or a power beyond 4, naming the bound."""
        with pytest.raises(ValidationError) as info:
            build()  # type: ignore[operator]
        expected = (
            "expected a unit of at most 6 unit names, each at an integer power from -4 to 4, "
            f"got {got} @ $"
        )
        assert [expected] == info.value.errors

    @pytest.mark.parametrize(
        ("power", "got"),
        [(5, "5 (integer)"), (Decimal("0.5"), "5E-1 (Decimal)"), (10**9, "1000000000 (integer)")],
    )
    def test_powers_refused(self, power: object, got: str) -> None:
        """Refuses a power that is not an integer from -4 to 4, before any arithmetic."""
        with pytest.raises(ValidationError) as info:
            _ = quantity("2 ms") ** power
        assert [f"expected an integer power from -4 to 4, got {got} @ $.other"] == (
            info.value.errors
        )

    def test_six_names_read_back(self) -> None:
        """Reads back a product of six names and a power of 4 that arithmetic builds."""
        built = (
            quantity("2 ms") ** 4
            * quantity("1 GiB")
            * quantity("1 vcpu")
            * quantity("1 user")
            * quantity("1 licence")
            * quantity("1 instance")
        )
        assert built == from_json(units.Quantity, to_json(built))

    @given(st.integers(-4, 4))
    def test_powers_within_read_back(self, power: int) -> None:
        """Reads back every power of a quantity within the bound."""
        built = quantity("2 ms") ** power
        assert built == from_json(units.Quantity, to_json(built))


class TestArithmeticOperands:
    """Plain numbers in quantity arithmetic are bounded, exact and never floats."""

    @pytest.mark.parametrize(
        ("operand", "got"),
        [
            (Decimal("1e999999999"), "1E+999999999 (Decimal)"),
            (Decimal("1e-999999999"), "1E-999999999 (Decimal)"),
            pytest.param(10**5000, "an integer of about 5001 digits (integer)", id="huge-int"),
        ],
    )
    def test_out_of_bounds_refused(self, operand: object, got: str) -> None:
        """Refuses an operand beyond the magnitude bounds (never an overflow or a zero)."""
        with pytest.raises(ValidationError) as info:
            _ = quantity("1 ms") * operand
        expected = (
            "expected an operand of at most 38 significant digits, zero or from 1E-30 up to "
            f"(not including) 1E+31 in size, got {got} @ $.other"
        )
        assert [expected] == info.value.errors
        assert info.value.subject == "Quantity arithmetic"

    @pytest.mark.parametrize("operation", ["__mul__", "__rmul__", "__truediv__", "__add__"])
    def test_float_refused(self, operation: str) -> None:
        """Refuses a float operand with a ValidationError, as Money does."""
        with pytest.raises(ValidationError) as info:
            getattr(quantity("1 ms"), operation)(1.5)
        assert (info.value.errors) == [
            "expected a Decimal or int operand (a float is inexact), got 1.5 (number) @ $.other"
        ]

    def test_underflow_refused_not_zero(self) -> None:
        """Refuses a result below the magnitude bound instead of giving 0."""
        with pytest.raises(ValidationError, match="got 1E-31 millisecond"):
            _ = quantity("1e-20 ms") * Decimal("1e-11")

    def test_exact_in_any_context(self) -> None:
        """Adds and negates 38-digit magnitudes exactly under a caller's 3-digit context."""
        long = "1234567890123456789012345678.9012345678"
        with localcontext() as ctx:
            ctx.prec = 3
            total = quantity(f"{long} ms") + quantity("0 ms")
            negated = -quantity(f"{long} ms")
        assert (Decimal(long), Decimal("-" + long)) == (total.magnitude, negated.magnitude)

    def test_dimension_mismatch(self) -> None:
        """Refuses adding quantities of different dimensions with a ValidationError."""
        with pytest.raises(ValidationError) as info:
            _ = quantity("1 ms") + quantity("1 GiB")
        assert (info.value.errors) == [
            (
                "expected a quantity of [time], as millisecond is, got 1 gibibyte ([information]) "
                "@ $.other"
            )
        ]

    def test_division_by_zero(self) -> None:
        """Refuses a division by zero with a ValidationError."""
        with pytest.raises(ValidationError, match="a divisor other than zero"):
            _ = quantity("1 ms") / 0

    def test_comparisons_build_nothing(self) -> None:
        """Compares with a float as unequal rather than refusing it."""
        assert quantity("1 s") == quantity("1000 ms")
        assert quantity("1 ms") != 1.5


class TestUnitText:
    """Methods taking unit text read it with the library's parser."""

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            ("x", "expected a unit the registry knows, got 'x' in 'x' (string) @ $.unit"),
            (None, "expected a unit such as 'ms', got null @ $.unit"),
            ("s\n", "single spaces inside only"),
        ],
    )
    def test_to_refused(self, unit: object, expected: str) -> None:
        """Refuses unit text the parser would refuse in to() and m_as()."""
        for call in (quantity("1 ms").to, quantity("1 ms").m_as):
            with pytest.raises(ValidationError) as info:
                call(unit)
            assert expected in info.value.errors[0]

    def test_to_a_quantity_text_refused(self) -> None:
        """Refuses a quantity where a unit is meant."""
        with pytest.raises(ValidationError, match="got '2 s'"):
            quantity("1 ms").to("2 s")

    def test_to_another_dimension(self) -> None:
        """Refuses a conversion to another dimension with a ValidationError."""
        with pytest.raises(ValidationError, match=r"of \[time\], as millisecond is, got gibibyte"):
            quantity("1 ms").to("GiB")

    def test_units_of_the_registry_kept(self) -> None:
        """Converts to text, to a Unit and to a quantity's units of our registry."""
        q = quantity("1500 ms")
        seconds = units.registry().Unit("second")
        assert (Decimal("1.5"),) * 3 == (
            q.to("s").magnitude,
            q.to(seconds).magnitude,
            q.m_as(quantity("1 s").units),
        )

    def test_other_registry_unit_refused(self) -> None:
        """Refuses a unit of another pint registry, saying so."""
        other = pint.UnitRegistry().Unit("second")
        with pytest.raises(ValidationError, match="from another pint registry"):
            quantity("1 ms").to(other)

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            ("nope", "expected a unit the registry knows, got 'nope' in 'nope' (string) @ $.b"),
            ("(s", "got '(s' (string) @ $.b"),
            ("s**(9**9**9)", "@ $.b"),
            (5, "expected a quantity such as '250 ms', got 5 (integer) @ $.b"),
        ],
    )
    def test_same_dimension_refused(self, unit: object, expected: str) -> None:
        """Refuses unit text or values that are not units, with a ValidationError at $.b."""
        with pytest.raises(ValidationError) as info:
            units.same_dimension(quantity("1 ms"), unit)  # type: ignore[arg-type]
        assert expected in info.value.errors[0]

    def test_same_dimension_of_a_non_quantity(self) -> None:
        """Refuses a first argument that is not a quantity, at $.a."""
        with pytest.raises(ValidationError) as info:
            units.same_dimension("1 ms", "s")  # type: ignore[arg-type]
        assert info.value.paths == ["$.a"]


class TestQuantitySpacing:
    """Quantity text takes single spaces inside only, in the constructor and the reader."""

    @pytest.mark.parametrize(
        "text",
        ["250 ms\n", "250\tms", " 250 ms", "250 ms ", "250  ms", "250\u00a0ms", "1 vcpu *  hour"],
    )
    def test_refused(self, text: str) -> None:
        """Refuses whitespace around, runs of spaces and other whitespace, here and when read."""
        for read in (quantity, lambda t: from_json(units.Quantity, to_json_text(t))):
            with pytest.raises(ValidationError, match="single spaces inside only"):
                read(text)

    @pytest.mark.parametrize(
        "text",
        ["250 ms", "250ms", "0.2 vcpu*hour", "0.2 vcpu * hour", "0.2 hour vcpu", "5 /s", "99.9%"],
    )
    def test_accepted(self, text: str) -> None:
        """Accepts single spaces, or none, between the parts."""
        assert re.fullmatch(units.TEXT_PATTERN, text)
        assert units.is_quantity(quantity(text))

    @pytest.mark.parametrize("unit", [" ms", "ms\n", "vcpu  *hour"])
    def test_unit_text_refused(self, unit: str) -> None:
        """Refuses spacing around or runs of spaces in a unit given apart."""
        with pytest.raises(ValidationError, match="single spaces inside only"):
            quantity(5, unit)

    @pytest.mark.parametrize("magnitude", [" 5", "5\n", "\u0665"])
    def test_magnitude_text_refused(self, magnitude: str) -> None:
        """Refuses a magnitude given as text that is not the decimal pattern exactly."""
        with pytest.raises(ValidationError, match="no spaces around"):
            quantity(magnitude, "ms")


class TestArgumentTypes:
    """Functions taking a quantity refuse other values with a ValidationError and a path."""

    @pytest.mark.parametrize("value", [5, None, "1 ms"])
    def test_dimension(self, value: object) -> None:
        """Refuses a value that is not a quantity in dimension()."""
        with pytest.raises(ValidationError) as info:
            dimension(value)  # type: ignore[arg-type]
        assert info.value.paths == ["$"]

    def test_quantity_problems(self) -> None:
        """Names a quantity of another registry, and a plain value with the example."""
        other = pint.UnitRegistry().Quantity(1, "ms")
        assert [p.path for p in units.quantity_problems(other, "$.x")] == ["$.x"]
        assert "from another pint registry" in units.quantity_problems(other, "$.x")[0].got
        assert units.quantity_problems(quantity("1 ms"), "$.x") == []


def to_json_text(text: str) -> str:
    """A quantity's text as a JSON document, as a reader gets it."""
    return json.dumps(text)


# Exact factors to root units, independent of the registry: seconds, bits, plain numbers.
_EXACT_FACTORS = {
    "ms": ("s", Fraction(1, 1000)),
    "s": ("s", Fraction(1)),
    "hour": ("s", Fraction(3600)),
    "day": ("s", Fraction(86400)),
    "byte": ("bit", Fraction(8)),
    "kB": ("bit", Fraction(8000)),
    "GiB": ("bit", Fraction(8 * 2**30)),
    "percent": ("", Fraction(1, 100)),
    "dimensionless": ("", Fraction(1)),
}
_EDGE_MAGNITUDES = st.sampled_from(
    [
        "0",
        "1E-30",
        "-1E-30",
        "9999999999999999999999999999999",
        "-9999999999999999999999999999999",
        "1234567890123456789012345678.9012345678",
        "0.001",
        "1",
        "1000",
    ]
)
_EDGE_QUANTITIES = st.one_of(
    st.tuples(_EDGE_MAGNITUDES, st.sampled_from(sorted(_EXACT_FACTORS))).map(
        lambda pair: quantity(f"{pair[0]} {pair[1]}")
    ),
    testing.quantities(dimension="[time]"),
    testing.quantities(dimension="[time]", places=30),
)


_EDGE_OPERANDS = st.one_of(
    _EDGE_QUANTITIES,
    st.sampled_from([0, 1, Decimal("0E-40"), Decimal("0.01"), Fraction(1, 2), 0.0, 0.5, False]),
)


def _nearest(value: Fraction) -> Decimal:
    """The nearest Decimal of 38 significant digits, half to even (an independent reference)."""
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 38, ROUND_HALF_EVEN
        return Decimal(value.numerator) / Decimal(value.denominator)


def _within_bounds(value: Decimal) -> bool:
    return not value or Decimal("1E-30") <= abs(value) < Decimal("1E+31")


def _exact_value(q: units.Quantity) -> tuple[str, Fraction]:
    """A quantity's root unit and exact value there, from the independent table."""
    root, factor = _factor_of(q)
    return root, Fraction(q.magnitude) * factor


def _factor_of(q: units.Quantity) -> tuple[str, Fraction]:
    for name, entry in _EXACT_FACTORS.items():
        if q.units == quantity(f"1 {name}").units:
            return entry
    seconds = {"millisecond": Fraction(1, 1000), "second": Fraction(1), "minute": Fraction(60)}
    seconds |= {"hour": Fraction(3600), "day": Fraction(86400), "week": Fraction(604800)}
    seconds |= {"microsecond": Fraction(1, 10**6), "nanosecond": Fraction(1, 10**9)}
    return "s", seconds[str(q.units)]


class TestHashAndCompare:
    """An accepted quantity always hashes and compares, exactly, whatever its units."""

    @pytest.mark.parametrize(
        "text", ["1E-30 ms", "1E-30 percent", "9999999999999999999999999999999 day"]
    )
    def test_hash_at_the_edges(self, text: str) -> None:
        """Hashes a quantity whose value in root units lies beyond the magnitude bounds."""
        q = quantity(text)
        assert hash(q) == hash(quantity(text))

    def test_order_across_units(self) -> None:
        """Orders and sorts quantities of one dimension in different units."""
        small, second, huge = (
            quantity("1E-30 ms"),
            quantity("1 s"),
            quantity("9999999999999999999999999999999 day"),
        )
        assert (True, [small, second, huge]) == (small < second, sorted([huge, small, second]))

    def test_equal_across_units_hash_alike(self) -> None:
        """Hashes equal quantities in different units alike."""
        assert (True, hash(quantity("1 s"))) == (
            quantity("1000 ms") == quantity("1 s"),
            hash(quantity("1000 ms")),
        )

    def test_values_holding_one(self) -> None:
        """Puts a service level with a target at the edge of the bounds in a set."""
        from cloudsms.catalogue import Bound, ServiceLevel  # noqa: PLC0415 - the model layer

        level = ServiceLevel(measure="x", bound=Bound.AT_MOST, target=quantity("1E-30 ms"))
        assert len({level, level}) == 1

    def test_dimensionless_equals_and_hashes_as_its_number(self) -> None:
        """Compares and hashes a dimensionless quantity as the number it equals."""
        assert (True, hash(1), True) == (
            quantity("100 percent") == 1,
            hash(quantity("100 percent")),
            quantity("50 percent") < Fraction(1, 1),
        )

    def test_order_with_a_number_refused(self) -> None:
        """Refuses ordering a quantity with a unit against a plain number other than zero."""
        with pytest.raises(ValidationError) as info:
            _ = quantity("1 ms") < 1
        assert info.value.errors == [
            (
                "expected a quantity of [time], as millisecond is, got 1 (a plain number, "
                "dimensionless) @ $.other"
            )
        ]
        assert (info.value.subject, True) == ("Quantity comparison", quantity("1 ms") > 0)

    def test_order_across_dimensions_refused(self) -> None:
        """Refuses ordering quantities of different dimensions; they are simply unequal."""
        with pytest.raises(ValidationError, match=r"got 1 gibibyte \(\[information\]\)"):
            _ = quantity("1 ms") < quantity("1 GiB")
        assert quantity("1 ms") != quantity("1 GiB")

    def test_zero_hashes_as_zero(self) -> None:
        """Hashes a zero of any unit as 0, the number it equals."""
        assert (True, hash(0), 1) == (
            quantity("0 ms") == 0,
            hash(quantity("0 ms")),
            len({quantity("0 ms"), 0}),
        )

    @given(_EDGE_OPERANDS, _EDGE_OPERANDS)
    def test_equal_values_hash_alike(self, a: object, b: object) -> None:
        """Hashes any two equal values alike: quantities, zeros and plain numbers."""
        if a == b:
            assert hash(a) == hash(b)

    @given(_EDGE_QUANTITIES, _EDGE_QUANTITIES)
    def test_agrees_with_exact_arithmetic(self, a: units.Quantity, b: units.Quantity) -> None:
        """Hash, == and < never raise and agree with exact values in root units."""
        (a_root, a_value), (b_root, b_value) = _exact_value(a), _exact_value(b)
        hash(a)
        if a_root != b_root:
            assert (a == b, a != b) == (False, True)
            return
        assert (a_value == b_value, a_value < b_value, a_value >= b_value) == (
            a == b,
            a < b,
            a >= b,
        )
        if a == b:
            assert hash(a) == hash(b)


class TestPlainNumbers:
    """float(), int() and operands that are plain numbers."""

    def test_float_of_a_unit_refused(self) -> None:
        """Refuses float() of a quantity with a unit with a ValidationError."""
        with pytest.raises(ValidationError) as info:
            float(quantity("5 ms"))
        assert info.value.errors == [
            (
                "expected a dimensionless quantity (float() of a quantity with a unit depends on "
                "the unit: use q.m_as(unit) or magnitude_in), got 5 millisecond ([time]) @ $"
            )
        ]
        assert info.value.subject == "Quantity conversion"

    def test_dimensionless_converts(self) -> None:
        """Converts a dimensionless quantity as pint does."""
        assert (float(quantity("5 percent")), int(quantity("5 dimensionless"))) == (0.05, 5)

    def test_tiny_dimensionless_converts(self) -> None:
        """Converts 1E-30 percent, whose value 1E-32 lies beyond the magnitude bounds."""
        tiny = quantity("1e-30 %")
        assert (
            float(tiny),
            int(tiny),
            complex(tiny),
            tiny.dimensionless,
        ) == (1e-32, 0, 0j + 1e-32, True)

    def test_int_truncates_exactly(self) -> None:
        """Truncates toward zero from the exact value, as int() of a Decimal does."""
        assert (int(quantity("199.999 %")), int(quantity("-150 %"))) == (1, -1)

    def test_add_a_number_refused(self) -> None:
        """Says what the sum needs and what arrived when a number is added to a time."""
        with pytest.raises(ValidationError) as info:
            _ = quantity("1 ms") + 1
        assert info.value.errors == [
            (
                "expected a quantity of [time], as millisecond is, got 1 (a plain number, "
                "dimensionless) @ $.other"
            )
        ]


class TestFractionOperands:
    """A Fraction scales a quantity exactly, or is refused."""

    def test_exact(self) -> None:
        """Multiplies and divides by a Fraction when the result is exact."""
        assert (quantity("1 ms"), quantity("0.25 s"), quantity("4 ms")) == (
            quantity("3 ms") * Fraction(1, 3),
            Fraction(1, 4) * quantity("1 s"),
            quantity("1 ms") / Fraction(1, 4),
        )

    def test_inexact_refused(self) -> None:
        """Refuses a product with no finite decimal expansion."""
        with pytest.raises(ValidationError) as info:
            _ = quantity("1 ms") * Fraction(1, 3)
        assert info.value.errors == [
            (
                "expected an exact result of at most 38 significant digits, zero or from 1E-30 up "
                "to (not including) 1E+31 in size (a Fraction scales a quantity only exactly), "
                "got 1 millisecond times 1/3 @ $"
            )
        ]

    @pytest.mark.parametrize(
        "call",
        [
            lambda: quantity("1 percent") + Fraction(1, 2),
            lambda: quantity("1 ms") ** Fraction(1, 2),
            lambda: quantity("1 ms") * Fraction(1, 10**31),
        ],
    )
    def test_other_uses_refused(self, call: object) -> None:
        """Refuses a Fraction that adds, raises to a power or lies beyond the bounds."""
        with pytest.raises(ValidationError, match=r"or a Fraction factor or divisor"):
            call()  # type: ignore[operator]


class TestConversionMessages:
    """Every refused conversion says 'Quantity conversion' at $.unit."""

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            (
                "",
                (
                    "expected a unit of [time], as millisecond is, got dimensionless "
                    "(dimensionless) @ $.unit"
                ),
            ),
            ("nope", "expected a unit the registry knows, got 'nope' in 'nope' (string) @ $.unit"),
        ],
    )
    def test_one_subject(self, unit: str, expected: str) -> None:
        """Refuses an empty and an unknown unit alike."""
        with pytest.raises(ValidationError) as info:
            quantity("1 ms").to(unit)
        assert ("Quantity conversion", [expected]) == (info.value.subject, info.value.errors)


class TestExactArithmetic:
    """+, -, //, % and divmod compute exactly and check only the final result."""

    def test_order_of_operands_does_not_matter(self) -> None:
        """Adds a tiny quantity to a second whichever side it is on."""
        assert (
            Decimal("1.000000000000000000000000000000001"),
            Decimal("1000.000000000000000000000000000001"),
        ) == (
            (quantity("1 s") + quantity("1e-30 ms")).magnitude,
            (quantity("1e-30 ms") + quantity("1 s")).magnitude,
        )

    def test_subtracts_a_tiny_quantity(self) -> None:
        """Subtracts 1E-30 s from a minute, rounding once to 38 digits."""
        difference = quantity("1 min") - quantity("1e-30 s")
        assert (Decimal("0.99999999999999999999999999999998333333"), "minute") == (
            difference.magnitude,
            str(difference.units),
        )

    def test_remainder_rounds_once(self) -> None:
        """Gives an hour modulo 7 minutes as 1/15 hour, correctly rounded, and 4 minutes."""
        rest = quantity("1 h") % quantity("7 min")
        assert (Decimal("0.066666666666666666666666666666666666667"), "4 minute") == (
            rest.magnitude,
            str(rest.to("min")),
        )

    def test_divmod_and_floor_division(self) -> None:
        """Divides exactly, truncating toward zero as Decimal does."""
        quotient, rest = divmod(quantity("1 h"), quantity("7 min"))
        assert (Decimal(8), "4 minute", Decimal(-3), Decimal(-1)) == (
            quotient.magnitude,
            str(rest.to("min")),
            (quantity("-7 s") // quantity("2 s")).magnitude,
            (quantity("-7 s") % quantity("2 s")).magnitude,
        )

    def test_plain_numbers_as_pint_has_them(self) -> None:
        """Adds a number to a dimensionless quantity and zero to any, in pint's units."""
        assert (
            str(quantity("50 %") + 1),
            str(quantity("50 %") % 1),
            str(0 + quantity("5 ms")),
            str(0 - quantity("5 ms")),
        ) == ("1.5 dimensionless", "50 percent", "5 millisecond", "-5 millisecond")

    def test_final_result_checked(self) -> None:
        """Refuses a sum beyond the bounds, naming the result."""
        with pytest.raises(ValidationError) as info:
            _ = quantity("9e30 s") + quantity("9e30 s")
        assert info.value.errors == [
            (
                "expected a magnitude of at most 38 significant digits, zero or from 1E-30 up to "
                "(not including) 1E+31 in size, got 1.8E+31 second @ $"
            )
        ]

    def test_remainder_by_zero_refused(self) -> None:
        """Refuses a remainder by a zero quantity."""
        with pytest.raises(ValidationError, match="a divisor other than zero"):
            _ = quantity("1 s") % quantity("0 ms")

    @given(_EDGE_QUANTITIES, _EDGE_QUANTITIES, st.sampled_from(["add", "sub", "mod"]))
    def test_rounds_the_exact_result_once(
        self, a: units.Quantity, b: units.Quantity, operation: str
    ) -> None:
        """Gives the exact result rounded once in the left unit, or refuses only that result."""
        (a_root, a_value), (b_root, b_value) = _exact_value(a), _exact_value(b)
        if a_root != b_root or (operation == "mod" and not b_value):
            return
        if operation == "mod":
            exact = a_value - b_value * int(a_value / b_value)
        else:
            exact = a_value + b_value if operation == "add" else a_value - b_value
        expected = _nearest(exact / _factor_of(a)[1])
        try:
            result = getattr(operator, operation)(a, b)
        except ValidationError:
            assert not _within_bounds(expected)
            return
        assert (expected, a.units) == (result.magnitude, result.units)


class TestExactConversion:
    """to() converts exactly and rounds once, at the end."""

    def test_terminating_factor(self) -> None:
        """Converts a second to 1000 ms, written plainly."""
        assert str(quantity("1 s").to("ms")) == "1000 millisecond"

    def test_non_terminating_factor_rounds_once(self) -> None:
        """Converts a second to minutes correctly rounded to 38 digits."""
        assert Decimal("0.016666666666666666666666666666666666667") == (
            quantity("1 s").to("min").magnitude
        )

    @given(_EDGE_QUANTITIES, st.sampled_from(["ms", "s", "hour", "day", "minute", "week"]))
    def test_rounds_the_exact_value_once(self, q: units.Quantity, unit: str) -> None:
        """Gives the exact value in the target unit rounded once, or refuses only that result."""
        root, value = _exact_value(q)
        if root != "s":
            return
        expected = _nearest(value / _factor_of(quantity(f"1 {unit}"))[1])
        try:
            result = q.to(unit)
        except ValidationError:
            assert not _within_bounds(expected)
            return
        assert expected == result.magnitude
