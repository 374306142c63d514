"""Records with ``typing.Literal`` fields: checked, described in JSON Schema, round-tripped.

A ``Literal`` field is how a record says "one of these few words" without an enum
(cost line kinds, calendar units of a price: S11's rate cards and cost profiles).
Its rule is the converter's: a value is one of the allowed values only when its type
is the allowed value's type too, and anything else, hashable or not, is a
`ValidationError` naming the field, the allowed values and what was given (never a
``TypeError``). Its JSON Schema is an ``enum`` of the values the converter writes.
"""

from __future__ import annotations

import enum
import json
from typing import Any, Literal

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms._kit.records import Record
from cloudsms.errors import ValidationError
from cloudsms.serialization import from_json, json_schema, to_json


class Shade(enum.StrEnum):
    """An enum whose members appear in a Literal."""

    LIGHT = "light"
    DARK = "dark"


@attrs.frozen(kw_only=True)
class Pick(Record):
    """A record with Literal fields of text, numbers, an enum member and an optional one."""

    size: Literal["s", "m"] = "s"
    count: Literal[1, 2] = 1
    flag: Literal[True] = True
    shade: Literal[Shade.LIGHT] = Shade.LIGHT
    per: Literal["day", "month"] | None = None


def to_dict_of(pick: Pick) -> dict[str, Any]:
    """The JSON object ``to_json`` writes for ``pick``."""
    return json.loads(to_json(pick))  # type: ignore[no-any-return]


def _refusal(**fields: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Pick(**fields)
    return [str(problem) for problem in caught.value.problems]


class TestChecks:
    """The record's own check of a Literal field."""

    def test_allowed_values(self) -> None:
        """Each allowed value is kept as given."""
        pick = Pick(size="m", count=2, per="month")
        assert (pick.size, pick.count, pick.flag, pick.shade, pick.per) == (
            "m",
            2,
            True,
            Shade.LIGHT,
            "month",
        )

    @pytest.mark.parametrize(
        ("value", "got"),
        [
            (["s"], "['s'] (array)"),
            ({"s": 1}, "{'s': 1} (object)"),
            ({"s"}, "['s'] (array)"),
        ],
    )
    def test_an_unhashable_value_is_a_validation_error(self, value: object, got: str) -> None:
        """A list, dict or set (told as an array) is refused at the field, naming the values."""
        assert _refusal(size=value) == [f"expected one of 's', 'm', got {got} @ $.size"]

    def test_every_bad_literal_field_is_reported(self) -> None:
        """Several bad Literal fields, unhashable among them, are all reported together."""
        assert _refusal(size=["s"], count=[1], per=["day"]) == [
            "expected one of 's', 'm', got ['s'] (array) @ $.size",
            "expected one of 1, 2, got [1] (array) @ $.count",
            "expected one of 'day', 'month' or null, got ['day'] (array) @ $.per",
        ]

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"count": True}, "expected one of 1, 2, got True (boolean) @ $.count"),
            ({"count": 1.0}, "expected one of 1, 2, got 1.0 (number) @ $.count"),
            ({"flag": 1}, "expected one of True, got 1 (integer) @ $.flag"),
            ({"size": "S"}, "expected one of 's', 'm', got 'S' (string) @ $.size"),
        ],
    )
    def test_equal_values_of_another_type_are_refused(
        self, fields: dict[str, Any], message: str
    ) -> None:
        """``True`` is not ``1`` and ``1.0`` is not ``1``, as when the converter reads them."""
        assert _refusal(**fields) == [message]

    def test_an_enum_member_is_named_by_its_member(self) -> None:
        """A Literal of an enum member wants the member; the message names it as the enum does."""
        assert _refusal(shade="light") == [
            "expected one of Shade.LIGHT, got 'light' (string) @ $.shade"
        ]


class TestSchema:
    """The JSON Schema of a Literal field: an enum of the values written."""

    def test_an_enum_of_the_values(self) -> None:
        """Text, numbers, booleans, enum members (as their values) and null when optional."""
        schema = json_schema(Pick)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"] == {
            "size": {"enum": ["s", "m"]},
            "count": {"enum": [1, 2]},
            "flag": {"enum": [True]},
            "shade": {"enum": ["light"]},
            "per": {"anyOf": [{"enum": ["day", "month"]}, {"type": "null"}]},
        }

    def test_the_schema_accepts_what_is_written_and_refuses_the_rest(self) -> None:
        """What to_json writes validates; a list or a value outside the enum does not."""
        validator = jsonschema.Draft202012Validator(json_schema(Pick))
        validator.validate(to_dict_of(Pick(size="m", count=2, per="day")))
        assert not validator.is_valid({"size": ["s"]})
        assert not validator.is_valid({"count": True})
        assert not validator.is_valid({"per": "week"})

    def test_a_member_and_its_value_are_listed_once(self) -> None:
        """``Literal[Shade.LIGHT, "light"]`` writes one value, so the enum lists it once."""

        @attrs.frozen(kw_only=True)
        class Twice:
            shade: Literal[Shade.LIGHT, "light", "dark"]

        assert json_schema(Twice)["properties"]["shade"] == {"enum": ["light", "dark"]}


class TestRoundTrip:
    """A record with Literal fields through cloudsms.serialization (no extra hook needed)."""

    def test_round_trip(self) -> None:
        """to_json then from_json gives back an equal record, the enum member as itself."""
        pick = Pick(size="m", count=2, per="month")
        text = to_json(pick)
        assert to_dict_of(pick) == {
            "size": "m",
            "count": 2,
            "flag": True,
            "shade": "light",
            "per": "month",
        }
        back = from_json(Pick, text)
        assert back == pick
        assert back.shade is Shade.LIGHT

    def test_reading_refuses_an_unhashable_value(self) -> None:
        """A list where a Literal is read is a ValidationError at the field's path."""
        with pytest.raises(ValidationError) as caught:
            from_json(Pick, '{"size": ["s"], "count": true}')
        assert [str(p) for p in caught.value.problems] == [
            "expected one of 's', 'm', got ['s'] (array) @ $.size",
            "expected one of 1, 2, got True (boolean) @ $.count",
        ]


_VALUES = st.one_of(
    st.sampled_from(["s", "m", "l", "S", 1, 2, True, 1.0, None]),
    st.lists(st.sampled_from(["s", "m"]), max_size=2),
    st.dictionaries(st.sampled_from(["s", "m"]), st.integers(), max_size=2),
)


@given(_VALUES)
def test_a_value_is_taken_exactly_when_it_is_allowed(value: object) -> None:
    """Any value: kept when it is "s" or "m" (a str), else refused at $.size, never TypeError."""
    if type(value) is str and value in {"s", "m"}:
        assert Pick(size=value).size == value  # type: ignore[arg-type]
    else:
        with pytest.raises(ValidationError) as caught:
            Pick(size=value)  # type: ignore[arg-type]
        assert caught.value.paths == ["$.size"]
