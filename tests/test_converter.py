"""The one converter: hooks chosen by type, refusals reported, bugs raised as themselves.

Serves every scenario whose records are read back from documents (S03, S07, S10,
S11, S13); ISO/IEC 20000-1:2011 4.3. What a hook or a constructor refuses becomes a
`ValidationError` with paths; anything else it raises is a bug and surfaces as such.
"""

from __future__ import annotations

import datetime as dt
import enum
import linecache
import traceback
from decimal import Decimal
from typing import Any, Literal

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from cloudsms._kit import converter as converter_module
from cloudsms._kit.wire import WIRE_TYPES
from cloudsms.errors import ValidationError
from cloudsms.money import Money
from cloudsms.serialization import from_dict, from_json, make_converter, to_dict


class Colour(enum.StrEnum):
    """A StrEnum: a subclass of str that the str hook must never see."""

    RED = "red"


class Size(enum.IntEnum):
    """An IntEnum: a subclass of int that the int hook must never see."""

    SMALL = 1


class Mixed(str, enum.Enum):  # noqa: UP042 - the older way, on purpose
    """An enum mixed into str the older way: str comes first in its class order."""

    A = "a"


@attrs.frozen
class Fields:
    """One field of each type whose hook is chosen by predicate."""

    text: str
    flag: bool
    count: int
    ratio: float
    colour: Colour
    size: Size
    mixed: Mixed
    per: Literal["day", "month"]
    pair: tuple[int, str]
    scores: dict[str, int]


def fields() -> dict[str, Any]:
    """A sound Fields document."""
    return {
        "text": "t",
        "flag": True,
        "count": 3,
        "ratio": 0.5,
        "colour": "red",
        "size": 1,
        "mixed": "a",
        "per": "day",
        "pair": [1, "x"],
        "scores": {"a": 1},
    }


class TestHooksByType:
    """Each type gets its own hook: no coercion, enums by their values."""

    def test_sound_document(self) -> None:
        """Every field reads to its declared type."""
        value = from_dict(Fields, fields())
        assert value == Fields(
            text="t",
            flag=True,
            count=3,
            ratio=0.5,
            colour=Colour.RED,
            size=Size.SMALL,
            mixed=Mixed.A,
            per="day",
            pair=(1, "x"),
            scores={"a": 1},
        )
        assert (type(value.colour), type(value.size), type(value.mixed)) == (Colour, Size, Mixed)
        assert from_dict(Fields, to_dict(value)) == value

    @pytest.mark.parametrize(
        ("key", "bad", "expected"),
        [
            ("text", Colour.RED, "a string"),
            ("text", 5, "a string"),
            ("flag", 1, "a boolean"),
            ("count", True, "an integer"),
            ("count", 1.0, "an integer"),
            ("ratio", "0.5", "a finite number"),
            ("ratio", True, "a finite number"),
            ("ratio", float("nan"), "a finite number"),
            ("colour", "blue", "one of 'red'"),
            ("size", True, "one of 1"),
            ("mixed", "b", "one of 'a'"),
            ("per", "week", "one of 'day', 'month'"),
            ("pair", [1], "an array of 2 items"),
            ("pair", "1x", "an array of 2 items"),
            ("scores", [1], "an object"),
        ],
    )
    def test_refused_at_the_field(self, key: str, bad: object, expected: str) -> None:
        """A value of another type is refused at its field's path, never coerced."""
        with pytest.raises(ValidationError) as info:
            from_dict(Fields, {**fields(), key: bad})
        assert info.value.paths == [f"$.{key}"]
        assert info.value.problems[0].expected.startswith(expected)

    def test_items_at_their_paths(self) -> None:
        """Items of a fixed tuple and values of a mapping are reported where they are."""
        with pytest.raises(ValidationError) as info:
            from_dict(Fields, {**fields(), "pair": ["1", 2, 3], "scores": {"a": "1", "b": 2}})
        assert info.value.paths == ["$.pair[0]", "$.pair[1]", "$.pair", "$.scores.a"]

    def test_the_converter_uses_these_hooks(self) -> None:
        """Cattrs' own hooks (which call str(), int(), float()) are never chosen."""
        converter = make_converter()
        for kind, value in [(str, 5), (int, "5"), (float, "1.5"), (bool, "yes")]:
            with pytest.raises(ValidationError):
                converter.structure(value, kind)
        assert converter.structure("a", Mixed) is Mixed.A
        assert converter.structure(1, Size) is Size.SMALL
        assert converter.structure(2, float) == 2.0


@attrs.frozen
class Faulty:
    """A constructor with a bug: it divides by zero for any count."""

    count: int = attrs.field(converter=lambda n: n // 0)


@attrs.frozen
class Holder:
    """Holds a money and a list of faulty values."""

    fee: Money
    faults: tuple[Faulty, ...] = ()


class TestBugsPropagate:
    """A bug in a hook or a constructor surfaces as the bug, not as a bad document."""

    def test_constructor_bug(self) -> None:
        """A ZeroDivisionError in a constructor propagates, noting the field it was read for."""
        document = {"fee": {"amount": "1", "currency": "EUR"}, "faults": [{"count": 1}]}
        with pytest.raises(ZeroDivisionError) as info:
            from_dict(Holder, document)
        assert not isinstance(info.value, ValidationError)

    def test_hook_bug(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A ZeroDivisionError in a wire type's structure hook propagates as itself."""

        def broken(value: object, _: object) -> Money:
            return Money(Decimal(len(str(value))) // 0, "EUR")

        converter = make_converter()
        converter.register_structure_hook(Money, broken)
        monkeypatch.setattr(converter_module, "_converter", lambda: converter)
        with pytest.raises(ZeroDivisionError) as info:
            from_dict(Holder, {"fee": {"amount": "1", "currency": "EUR"}})
        assert not isinstance(info.value, ValidationError)
        assert any("attribute fee" in note for note in getattr(info.value, "__notes__", []))
        with pytest.raises(ZeroDivisionError):
            from_dict(list[Money], [{"amount": "1", "currency": "EUR"}])
        with pytest.raises(ZeroDivisionError):
            from_json(dict[str, Money], '{"a": {"amount": "1", "currency": "EUR"}}')

    def test_a_hooks_key_error_is_not_a_missing_key(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A KeyError raised inside a hook propagates; a key the object lacks is reported."""

        def lookup(_value: object, _: object) -> Money:
            return {}["amount"]  # type: ignore[no-any-return]

        with pytest.raises(ValidationError) as info:
            from_dict(Holder, {})
        assert info.value.errors == ["expected a value (required), got nothing @ $.fee"]
        converter = make_converter()
        converter.register_structure_hook(Money, lookup)
        monkeypatch.setattr(converter_module, "_converter", lambda: converter)
        with pytest.raises(KeyError):
            from_dict(Holder, {"fee": {"amount": "1", "currency": "EUR"}})

    def test_generated_code_shows_its_source(self) -> None:
        """Every frame of the bug's traceback, generated functions too, has its source line."""
        with pytest.raises(ZeroDivisionError) as info:
            from_dict(
                Holder, {"fee": {"amount": "1", "currency": "EUR"}, "faults": [{"count": 1}]}
            )
        frames = traceback.extract_tb(info.value.__traceback__)
        generated = [f for f in frames if f.filename.startswith("<")]
        assert generated  # cattrs' function for Holder, attrs' __init__ of Faulty
        for frame in generated:
            assert linecache.getline(frame.filename, frame.lineno or 0).strip()


JUNK: list[object] = [None, True, 0, -1, 1.5, "", "x", [], [1], {}, {"x": 1}, ["a", "b"]]


@pytest.mark.parametrize("wire", WIRE_TYPES, ids=lambda w: w.kind.__name__)
def test_wire_types_refuse_junk_as_refusals(wire: Any) -> None:
    """Whatever JSON a wire type is given, a bad value is a ValidationError, never a crash."""
    paths: list[list[str]] = []
    for value in JUNK:
        try:
            from_dict(wire.kind, value)
        except ValidationError as exc:
            paths.append(exc.paths)
    assert paths  # most junk is refused
    assert all(found and all(p.startswith("$") for p in found) for found in paths)


@attrs.frozen
class Node:
    """A class that holds itself: data can nest it as deep as it likes."""

    children: tuple[Node, ...] = ()


def test_deep_data_is_refused() -> None:
    """Data nested more deeply than Python walks is refused at $, not a RecursionError."""
    nested: dict[str, Any] = {"children": []}
    for _ in range(5_000):
        nested = {"children": [nested]}
    with pytest.raises(ValidationError) as info:
        from_dict(Node, nested)
    assert info.value.paths == ["$"]
    assert from_dict(Node, {"children": [{"children": []}]}) == Node((Node(),))


def test_dates_and_durations_in_containers() -> None:
    """Leaves read through every container kind, problems at their indexes and keys."""
    data = {"a": ["2026-01-01", "P1M"], "b": ["x", "P1Y"]}
    with pytest.raises(ValidationError) as info:
        from_dict(dict[str, tuple[dt.date, relativedelta]], data)
    assert info.value.paths == ["$.b[0]"]
    read = from_dict(dict[str, tuple[dt.date, relativedelta]], {"a": ["2026-01-01", "P1M"]})
    assert read == {"a": (dt.date(2026, 1, 1), relativedelta(months=1))}
