"""The converter's hot paths read exactly what its full readers read, to the same values.

Loading a document takes shortcuts for the forms `to_dict` writes: plain numbers for
money and quantities, fixed-length date-times. Each test here pins a shortcut to the
full reader: same value when both accept, a ValidationError with its path when not.
Objects are read by cattrs' function for their class, with hooks chosen by type:
the tests of `TestObjects` pin what it reads for every kind of field.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal
from typing import Generic, TypeVar

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms import units
from cloudsms._foundation.slots import slot_setter
from cloudsms._kit.converter import _converter
from cloudsms._kit.datetimes import _read_datetime, _structure_rfc9557, written_instant
from cloudsms.errors import ValidationError
from cloudsms.money import Money
from cloudsms.periods import Period
from cloudsms.serialization import configure_converter, from_dict, to_dict
from cloudsms.testing import moneys, periods, quantities
from cloudsms.units import quantity

T = TypeVar("T")


class Colour(enum.StrEnum):
    """A str enum field must not be read as a plain str."""

    RED = "red"
    BLUE = "blue"


@attrs.frozen(kw_only=True)
class Reading:
    """Every kind of field: plain, enum, leaf types, a default."""

    label: str
    on: bool
    colour: Colour
    count: int
    fee: Money
    latency: units.Quantity
    window: Period
    note: str = "none"


@attrs.frozen
class Node:
    """A recursive class: its hook refers to itself."""

    name: str
    children: tuple[Node, ...] = ()


@attrs.frozen
class Box(Generic[T]):
    """A generic class: cattrs maps its parameter."""

    item: T


@attrs.frozen
class Meters(Box[int]):
    """A concrete subclass of a generic class."""


@attrs.frozen
class Private:
    """A private attribute: key ``_token``, keyword ``token``, as cattrs reads it."""

    _token: str


def reading() -> dict[str, object]:
    """A Reading with every key, as to_dict writes one."""
    return {
        "label": "a",
        "on": True,
        "colour": "red",
        "count": 3,
        "fee": {"amount": "12.30", "currency": "EUR"},
        "latency": "250 ms",
        "window": {"start": "2026-01-01T00:00:00+00:00", "end": "2026-02-01T00:00:00+00:00"},
        "note": "n",
    }


class TestObjects:
    """An attrs class read by cattrs' function for it, with every kind of field."""

    def test_every_key_present(self) -> None:
        """An object with every field's key loads to the values the fields describe."""
        value = from_dict(Reading, reading())
        assert value.colour is Colour.RED
        assert value.fee == Money("12.30", "EUR")
        assert value.latency == quantity("250 ms")
        assert value.window.end == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
        assert from_dict(Reading, to_dict(value)) == value

    def test_default_left_out(self) -> None:
        """A key left out: its field's default."""
        data = reading()
        del data["note"]
        assert from_dict(Reading, data).note == "none"

    def test_a_key_swapped_for_an_unknown_one(self) -> None:
        """As many keys as fields but one unknown: both problems reported, with paths."""
        data = reading()
        data["colour_"] = data.pop("colour")
        with pytest.raises(ValidationError) as info:
            from_dict(Reading, data)
        assert sorted(info.value.paths) == ["$.colour", "$.colour_"]

    @pytest.mark.parametrize(
        ("key", "bad", "expected"),
        [
            ("label", 5, "a string"),
            ("on", "yes", "a boolean"),
            ("colour", "green", "one of"),
            ("count", True, "an integer"),
        ],
    )
    def test_inline_fields_refuse_other_types(self, key: str, bad: object, expected: str) -> None:
        """Fields of type str, bool, enum and int refuse a value of another type."""
        data = reading()
        data[key] = bad
        with pytest.raises(ValidationError, match=expected) as info:
            from_dict(Reading, data)
        assert info.value.paths == [f"$.{key}"]

    def test_str_subclass_refused_for_a_str_field(self) -> None:
        """from_dict takes Python data: a StrEnum member in a str field is refused, as before."""
        data = reading()
        data["label"] = Colour.RED
        with pytest.raises(ValidationError, match="a string") as info:
            from_dict(Reading, data)
        assert info.value.paths == ["$.label"]

    def test_recursive_class(self) -> None:
        """A class that holds itself in a collection loads at every depth."""
        tree = Node("root", (Node("a", (Node("a1"),)), Node("b")))
        assert from_dict(Node, to_dict(tree)) == tree
        assert _converter().structure(to_dict(tree), Node) == tree  # no RecursionError
        with pytest.raises(ValidationError) as info:
            from_dict(Node, {"name": "root", "children": [{"name": 1, "children": []}]})
        assert info.value.paths == ["$.children[0].name"]

    def test_generic_class(self) -> None:
        """A generic class is read by cattrs' own function, with its parameter."""
        assert from_dict(Box[Money], {"item": {"amount": "1", "currency": "EUR"}}) == Box(
            Money("1", "EUR")
        )
        with pytest.raises(ValidationError):
            from_dict(Box[int], {"item": "1"})

    def test_concrete_subclass_of_a_generic(self) -> None:
        """``class Meters(Box[int])``: the base's variable is int, as cattrs maps it."""
        assert _converter().structure({"item": 5}, Meters) == Meters(5)
        with pytest.raises(ValidationError) as info:
            from_dict(Meters, {"item": "5"})
        assert info.value.paths == ["$.item"]

    def test_a_users_converter_keeps_its_settings(self) -> None:
        """configure_converter on a converter set to read aliases reads aliases."""
        converter = cattrs.Converter(detailed_validation=False, use_alias=True)
        configure_converter(converter)
        assert converter.structure({"token": "t"}, Private) == Private("t")

    def test_private_attribute(self) -> None:
        """The key is the attribute's name, the keyword its alias, as in cattrs."""
        assert from_dict(Private, {"_token": "t"}) == Private("t")
        with pytest.raises(ValidationError):
            from_dict(Private, {"token": "t"})

    @given(moneys(), quantities(), periods())
    def test_round_trip(self, fee: Money, latency: units.Quantity, window: Period) -> None:
        """Whatever the values, what to_dict writes loads back to equal values."""
        value = Reading(
            label="x",
            on=False,
            colour=Colour.BLUE,
            count=0,
            fee=fee,
            latency=latency,
            window=window,
        )
        assert from_dict(Reading, to_dict(value)) == value


class TestMoneyHotPath:
    """Plain amounts are read without the pattern."""

    @pytest.mark.parametrize("amount", ["12.30", "-0.5", ".5", "7.", "0"])
    def test_plain_numbers(self, amount: str) -> None:
        """A plain number reads to exactly its Decimal."""
        money = from_dict(Money, {"amount": amount, "currency": "EUR"})
        assert money.amount == Decimal(amount)
        assert str(money.amount) == str(Decimal(amount))

    @pytest.mark.parametrize("amount", ["1e3", "+4.50"])
    def test_other_numbers_take_the_full_grammar(self, amount: str) -> None:
        """Exponents and a plus sign are read by the full grammar, as before."""
        money = from_dict(Money, {"amount": amount, "currency": "EUR"})
        assert money.amount == Decimal(amount)

    @pytest.mark.parametrize(
        "amount", ["1.2.3", "1-2", "-", ".", "", "1_000", "\u0661", "NaN", " 2 ", "2\n"]
    )
    def test_not_numbers(self, amount: str) -> None:
        """Text made of number characters that is no number fails with its path."""
        with pytest.raises(ValidationError) as info:
            from_dict(Money, {"amount": amount, "currency": "EUR"})
        assert info.value.paths == ["$.amount"]

    @pytest.mark.parametrize("currency", [["EUR"], {"c": 1}, None, 978])
    def test_currency_not_a_string(self, currency: object) -> None:
        """An unhashable or non-text currency is a ValidationError, not a TypeError."""
        with pytest.raises(ValidationError) as info:
            from_dict(Money, {"amount": "1", "currency": currency})
        assert info.value.paths == ["$.currency"]
        with pytest.raises(ValidationError):
            Money(Decimal(1), currency)  # type: ignore[arg-type]


class TestQuantityHotPath:
    """Quantities with a unit text seen before are built from the cache."""

    @pytest.mark.parametrize("text", ["250 ms", "-0.5 GiB", ".5 s", "7. vcpu*hour", "3 request/s"])
    def test_same_as_the_full_grammar(self, text: str) -> None:
        """The cached path builds what the full parser builds."""
        quantity(text)  # the unit text is now cached
        fast = quantity(text)
        units._forget_units()
        slow = quantity(text)
        assert fast == slow
        assert repr(fast) == repr(slow)
        assert type(fast) is type(slow)

    @pytest.mark.parametrize("text", ["1.2.3 ms", "1-2 ms", "- ms", ". ms", "NaN ms", "1_0 ms"])
    def test_not_numbers(self, text: str) -> None:
        """A bad number before a cached unit is refused, never an InvalidOperation."""
        quantity("1 ms")
        with pytest.raises(ValidationError):
            quantity(text)

    def test_magnitude_beyond_the_exponent_limit(self) -> None:
        """31 digits pass the plain check's length limit to the full grammar, which refuses."""
        quantity("1 ms")
        with pytest.raises(ValidationError, match="finite magnitude"):
            quantity("1" + "0" * 31 + " ms")
        assert quantity("1" + "0" * 29 + " ms").magnitude == Decimal(10) ** 29

    def test_without_the_shortcut(self) -> None:
        """With the construction shortcut's table empty, quantities still read the same."""
        quantity("250 ms")
        fast = quantity("250 ms")
        units._FAST_UNITS.clear()
        assert quantity("250 ms") == fast
        units._forget_units()


FIXED = st.datetimes(
    min_value=dt.datetime(2, 1, 1),
    max_value=dt.datetime(9998, 12, 31),
    timezones=st.builds(
        dt.timezone, st.integers(-23 * 60 + 1, 23 * 60 - 1).map(lambda m: dt.timedelta(minutes=m))
    ),
)

CANONICAL = ["2026-01-01T00:00:00+00:00", "2026-12-31T23:59:59.123456-08:00"]
NEAR = "0123456789-T:.,+Z W\u0660\uff10"


@st.composite
def near_canonical(draw: st.DrawFn) -> str:
    """A canonical date-time with a few characters replaced, moved, dropped or added."""
    text = list(draw(st.sampled_from(CANONICAL)))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text) - 1))
        change = draw(st.sampled_from(["replace", "move", "drop", "add"]))
        if change == "replace":
            text[where] = draw(st.sampled_from(NEAR))
        elif change == "move":
            text.insert(draw(st.integers(0, len(text) - 1)), text.pop(where))
        elif change == "drop" and len(text) > 1:
            del text[where]
        else:
            text.insert(where, draw(st.sampled_from(NEAR)))
    return "".join(text)


def _read(reader: object, text: str) -> dt.datetime | str:
    try:
        return reader(text)  # type: ignore[operator,no-any-return]
    except ValidationError:
        return "refused"


class TestDateTimeHotPath:
    """Date-times in the forms to_dict writes are read by length and separators."""

    @given(FIXED)
    def test_written_forms_read_back(self, when: dt.datetime) -> None:
        """Every instant to_dict writes with a fixed offset is read by the hot path, exactly."""
        text = when.isoformat()
        read = written_instant(text)
        assert read == when
        assert read is not None
        assert read.utcoffset() == when.utcoffset()

    @given(near_canonical())
    def test_agrees_with_the_full_reader(self, text: str) -> None:
        """Near-canonical text: the hot path accepts only what the full reader accepts."""
        fast = _read(_read_datetime, text)
        slow = _read(_structure_rfc9557, text)
        assert fast == slow
        if isinstance(fast, dt.datetime) and isinstance(slow, dt.datetime):
            assert fast.utcoffset() == slow.utcoffset()

    @pytest.mark.parametrize(
        "text",
        [
            "2026-01-01T00:00:00T+05:30",
            "2026-01-01T00:00:00 +05:30",
            "2026-01-01T00:00:00+00.30",
            "2026-01-01T00:00:00+00,00",
            "2026-06-15T12:34,56+05:30",
            "2026-06-15T12:34:569+0530",
            "2026-06-15T12:34:56.1234567+00:00",
            "2026-13-01T00:00:00+00:00",
            "2026-W01-1T00:00:00+00:00",
        ],
    )
    def test_lenient_forms_refused(self, text: str) -> None:
        """What datetime.fromisoformat alone would read, and the wire format refuses."""
        with pytest.raises(ValidationError):
            from_dict(dt.datetime, text)
        window = {"start": text, "end": "2027-01-01T00:00:00+00:00"}
        with pytest.raises(ValidationError) as info:
            from_dict(Period, window)
        assert info.value.paths == ["$.start"]

    def test_period_end_not_after_start(self) -> None:
        """The hot path keeps Period's rule: the end is after the start, across offsets."""
        with pytest.raises(ValidationError) as info:
            from_dict(
                Period, {"start": "2026-01-01T01:00:00+01:00", "end": "2026-01-01T00:00:00+00:00"}
            )
        assert info.value.paths == ["$.end"]
        same = from_dict(
            Period, {"start": "2026-01-01T01:00:00+01:00", "end": "2026-01-01T00:00:01+00:00"}
        )
        assert same.duration == dt.timedelta(seconds=1)


class TestPeriodConstruction:
    """Period compares fixed offsets directly and zones in UTC."""

    @pytest.mark.parametrize(
        ("start", "end", "path"),
        [
            ("0001-01-01T00:00:00+05:00", "0001-01-01T01:00:00+05:00", "$.start"),
            ("9999-12-31T18:00:00-05:00", "9999-12-31T20:00:00-05:00", "$.end"),
        ],
    )
    def test_instants_without_a_utc_time(self, start: str, end: str, path: str) -> None:
        """At the ends of the calendar an offset can push the UTC time out of range: refused."""
        with pytest.raises(ValidationError, match="9000-01-01T00:00Z") as info:
            Period(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
        assert path in info.value.paths
        with pytest.raises(ValidationError) as info:
            from_dict(Period, {"start": start, "end": end})
        assert path in info.value.paths

    def test_fold_compared_as_instants(self) -> None:
        """One zone's repeated hour: 01:30 (second pass) is after 01:45 (first pass)."""
        from zoneinfo import ZoneInfo  # noqa: PLC0415

        berlin = ZoneInfo("Europe/Berlin")
        first = dt.datetime(2026, 10, 25, 2, 45, tzinfo=berlin)
        second = dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin)
        assert Period(first, second).duration == dt.timedelta(minutes=45)
        with pytest.raises(ValidationError):
            Period(second, first)

    def test_zone_without_an_offset_is_naive(self) -> None:
        """A tzinfo that gives no offset leaves the datetime naive: refused."""

        class Nowhere(dt.tzinfo):
            def utcoffset(self, _: dt.datetime | None) -> None:
                return None

            def dst(self, _: dt.datetime | None) -> None:
                return None

            def tzname(self, _: dt.datetime | None) -> None:
                return None

        start = dt.datetime(2026, 1, 1, tzinfo=Nowhere())
        with pytest.raises(ValidationError, match="naive"):
            Period(start, start + dt.timedelta(hours=1))


def test_slot_setter_refuses_a_name_that_is_no_slot() -> None:
    """The setter helper needs a slot; a plain attribute or a missing name is a TypeError."""
    with pytest.raises(TypeError, match=re.escape("Money.zero is not a slot")):
        slot_setter(Money, "zero")
