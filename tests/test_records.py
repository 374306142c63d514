"""cloudsms._kit.records: records whose checks sit beside their fields, compiled once."""

from __future__ import annotations

import enum
import linecache
import threading
import traceback
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms._foundation.frozen import as_frozen_mapping, as_frozenset, as_tuple
from cloudsms._kit.checks import id_set, ident, text
from cloudsms._kit.records import (
    Check,
    Record,
    check,
    checker_of,
    each,
    one_or_more,
    unique,
    unique_by,
)
from cloudsms.errors import InvalidDefinition, Problem, ValidationError


class Colour(enum.StrEnum):
    """A small enum for the annotation tests."""

    RED = "red"
    BLUE = "blue"


def _positive(value: int, path: str) -> list[Problem]:
    return [] if value > 0 else [Problem(path, "a positive number", str(value))]


positive = Check(_positive, expected="a positive number")


@attrs.frozen(kw_only=True)
class Part(Record):
    """A nested record."""

    id: str = attrs.field(validator=ident)
    weight: Decimal


@attrs.frozen(kw_only=True)
class Kit(Record):
    """A record using every supported annotation form."""

    id: str = attrs.field(validator=ident)
    name: str | None = attrs.field(validator=text, default=None)
    count: int = attrs.field(validator=positive, default=1)
    colour: Colour = Colour.RED
    size: Literal["s", "m"] = "s"
    parts: tuple[Part, ...] = attrs.field(
        validator=unique_by("id"), default=(), converter=as_tuple
    )
    tags: frozenset[str] = attrs.field(
        validator=each(text), default=frozenset(), converter=as_frozenset
    )
    notes: Mapping[str, int] = attrs.field(factory=dict, converter=as_frozen_mapping)
    extra: Any = None
    token: str = attrs.field(default="x", metadata={"sensitive": True}, validator=text)

    def _rules(self) -> Iterator[Problem]:
        if self.size == "s" and len(self.parts) > 2:
            yield Problem("parts", "at most 2 parts in a small kit", str(len(self.parts)))


def _problems(build: Any) -> list[Problem]:
    with pytest.raises(ValidationError) as caught:
        build()
    return caught.value.problems


class TestFields:
    """Types from annotations, checks beside fields, every problem at its field's path."""

    def test_a_good_record(self) -> None:
        """A record built from lists and dicts keeps tuples, sets and read-only mappings."""
        kit = Kit(id="k1", parts=[Part(id="a", weight=Decimal(1))], tags=["x"], notes={"n": 1})
        assert kit.parts == (Part(id="a", weight=Decimal(1)),)
        assert kit.tags == frozenset({"x"})
        with pytest.raises(TypeError):
            kit.notes["n"] = 2  # type: ignore[index]
        assert attrs.evolve(kit, count=2).count == 2

    def test_every_problem_at_its_path(self) -> None:
        """Each wrong field is reported, with what it should be."""
        problems = _problems(
            lambda: Kit(
                id="",
                name=5,
                count=True,
                colour="green",
                size="xl",
                parts=[1],
                tags=["ok", ""],
                notes={"n": "1", 2: 3},
            )
        )
        assert [str(p) for p in problems] == [
            "expected an id of letters, digits and . _ : - (at most 64), got '' (string) @ $.id",
            "expected a non-empty string or null, got 5 (integer) @ $.name",
            "expected a positive number, got True (boolean) @ $.count",
            "expected a Colour (Colour.RED or Colour.BLUE), got 'green' (string) @ $.colour",
            "expected one of 's', 'm', got 'xl' (string) @ $.size",
            "expected a Part, got 1 (integer) @ $.parts[0]",
            "expected a non-empty string, got '' (string) @ $.tags[0]",
            "expected an integer (within 64 bits), got '1' (string) @ $.notes.n",
            "expected text keys, got 2 (integer) @ $.notes",
        ]

    def test_the_check_runs_only_on_the_right_type(self) -> None:
        """A non-total check is not called with a wrong type: the annotation speaks."""
        (problem,) = _problems(lambda: Kit(id="k", count="many"))
        assert str(problem) == "expected a positive number, got 'many' (string) @ $.count"
        (problem,) = _problems(lambda: Kit(id="k", count=0))
        assert str(problem) == "expected a positive number, got 0 @ $.count"

    def test_optional_fields_take_none(self) -> None:
        """``X | None`` takes None without running the check."""
        assert Kit(id="k", name=None).name is None
        (problem,) = _problems(lambda: Kit(id="k", name=" "))
        assert problem.path == "$.name"

    def test_not_a_list(self) -> None:
        """A container field given something else says what it wanted."""
        problems = _problems(lambda: Kit(id="k", parts=5, tags="abc"))
        assert [str(p) for p in problems] == [
            "expected a list of Part, got 5 (integer) @ $.parts",
            "expected a list, each item a non-empty string, got 'abc' (string) @ $.tags",
        ]

    def test_sensitive_values_are_redacted(self) -> None:
        """A sensitive field's value never appears in the message."""
        (problem,) = _problems(lambda: Kit(id="k", token="  "))  # noqa: S106 - not a password
        assert problem.got == "<redacted>"

    def test_nested_records_check_themselves(self) -> None:
        """A nested record refuses itself when built, with its own paths."""
        (problem,) = _problems(lambda: Part(id="p", weight="1"))
        assert str(problem) == "expected a Decimal, got '1' (string) @ $.weight"


class TestRules:
    """Cross-field rules: relative paths under ``$.``, run only when the fields are sound."""

    def test_rule(self) -> None:
        """The rule's problem is at the field it names."""
        parts = [Part(id=i, weight=Decimal(1)) for i in "abc"]
        (problem,) = _problems(lambda: Kit(id="k", parts=parts))
        assert str(problem) == "expected at most 2 parts in a small kit, got 3 @ $.parts"
        assert Kit(id="k", parts=parts, size="m").size == "m"

    def test_rules_wait_for_sound_fields(self) -> None:
        """A record with a bad field reports it, not the rules' view of it."""
        parts = [Part(id=i, weight=Decimal(1)) for i in "abc"]
        problems = _problems(lambda: Kit(id="", parts=parts))
        assert [p.path for p in problems] == ["$.id"]

    def test_a_rule_about_the_whole_record(self) -> None:
        """An empty path is the record itself: ``$``."""

        @attrs.frozen(kw_only=True)
        class Pair(Record):
            a: int | None = None
            b: int | None = None
            flag: bool = False

            def _rules(self) -> Iterator[Problem]:
                if self.a is None and self.b is None:
                    yield Problem("", "a or b", "neither")

        (problem,) = _problems(Pair)
        assert str(problem) == "expected a or b, got neither @ $"
        (problem,) = _problems(lambda: Pair(a=1, flag="yes"))
        assert str(problem) == "expected a boolean, got 'yes' (string) @ $.flag"

    def test_a_rule_naming_no_field_is_a_definition_error(self) -> None:
        """A path that does not start with a field (a renamed one) fails loudly."""

        @attrs.frozen(kw_only=True)
        class Broken(Record):
            a: int

            def _rules(self) -> Iterator[Problem]:
                yield Problem("b[0]", "something", "nothing")

        with pytest.raises(InvalidDefinition, match=r"'b\[0\]', which is not a field"):
            Broken(a=1)


class TestCombinators:
    """Checks combine with ``&``; the library's building blocks."""

    def test_and_stops_at_the_first_problem(self) -> None:
        """The second check runs only when the first found nothing."""
        calls: list[str] = []

        def second(_: object, path: str) -> list[Problem]:
            calls.append(path)
            return []

        both = positive & second
        assert both.problems(0, "$.n") == [Problem("$.n", "a positive number", "0")]
        assert calls == []
        assert both.problems(1, "$.n") == []
        assert calls == ["$.n"]
        assert both.expected == "a positive number"

    def test_one_or_more_unique_unique_by(self) -> None:
        """Hand-computed cases of the container checks."""
        assert one_or_more().problems((), "$.x") == [
            Problem("$.x", "one or more items", "() (array)")
        ]
        assert one_or_more(Part).problems((), "$.x")[0].expected == "one or more Part values"
        assert one_or_more().problems((1,), "$.x") == []
        assert unique.problems((1, 2, 1), "$.x") == [
            Problem("$.x", "distinct items", "(1, 2, 1) (array)")
        ]
        assert unique.problems(([1], [1]), "$.x")[0].expected == "distinct items"
        parts = (Part(id="a", weight=Decimal(1)), Part(id="a", weight=Decimal(2)))
        assert unique_by("id").problems(parts, "$.parts") == [
            Problem("$.parts[1].id", "an id used once", "'a' (string)")
        ]

    def test_each_reports_items_of_a_set_in_sorted_order(self) -> None:
        """A set's items are reported at their index in sorted order, stable across runs."""
        found = each(text).problems(frozenset({"b", " ", ""}), "$.tags")
        assert [p.path for p in found] == ["$.tags[0]", "$.tags[1]"]

    def test_each_names_the_list_it_wants(self) -> None:
        """A total each() refuses a non-list as its own expected text, items at indexes."""
        names = each(ident, expected="a list of upgrade ids")
        assert names.total
        assert names.problems(5, "$.u") == [Problem("$.u", "a list of upgrade ids", "5 (integer)")]
        assert [p.path for p in id_set(of="upgrade").problems(frozenset({"a", "b c"}), "$.u")] == [
            "$.u[1]"
        ]

    def test_check_wraps_a_function(self) -> None:
        """check() makes a combinable Check of a plain function."""
        wrapped = check(_positive, expected="a positive number", total=False)
        assert wrapped.problems(-1, "$") == [Problem("$", "a positive number", "-1")]
        assert wrapped(object(), None, -1) is None  # as an attrs validator: checked later
        assert "positive" in repr(wrapped)


class TestCompiled:
    """The checks of a class are compiled once, thread-safely, with their source shown."""

    def test_source_in_linecache(self) -> None:
        """A traceback through the compiled checks shows their source."""
        checker = checker_of(Kit)
        lines = linecache.getlines(checker.__code__.co_filename)
        assert lines[0].startswith("def check_Kit(self):")
        assert any("$.parts" in line for line in lines)
        try:
            Kit(id="")
        except ValidationError as exc:
            shown = "".join(traceback.format_tb(exc.__traceback__))
        assert "raise ValidationError(problems, subject='Kit')" in shown

    def test_compiled_once_under_threads(self) -> None:
        """Many threads building the first values of a new class share one compiled check."""

        @attrs.frozen(kw_only=True)
        class Fresh(Record):
            a: int = attrs.field(validator=positive)

        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def build() -> None:
            barrier.wait()
            try:
                Fresh(a=1)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=build) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert checker_of(Fresh) is checker_of(Fresh)
        assert Fresh.__attrs_post_init__ is checker_of(Fresh)

    def test_unsupported_annotation(self) -> None:
        """An annotation the records cannot check is refused, naming the field."""

        @attrs.frozen(kw_only=True)
        class Odd(Record):
            a: list[int]

        with pytest.raises(InvalidDefinition, match="field 'a'"):
            Odd(a=[1])

    def test_unresolvable_annotation(self) -> None:
        """A name that does not resolve at run time is refused, saying so."""

        @attrs.frozen(kw_only=True)
        class Lost(Record):
            a: Missing  # type: ignore[name-defined]  # noqa: F821

        with pytest.raises(InvalidDefinition, match="does not resolve at run time"):
            Lost(a=1)

    def test_post_init_is_refused(self) -> None:
        """Rules go in _rules: a record with its own __attrs_post_init__ is refused at once."""
        with pytest.raises(InvalidDefinition, match="_rules"):

            @attrs.frozen(kw_only=True)
            class Own(Record):
                a: int

                def __attrs_post_init__(self) -> None:
                    """Would skip the record's checks."""

    def test_a_record_is_an_attrs_class(self) -> None:
        """checker_of refuses a class that is not an attrs record."""

        class Plain(Record):
            pass

        with pytest.raises(InvalidDefinition, match="attrs class deriving from Record"):
            checker_of(Plain)

    def test_records_derive_from_records(self) -> None:
        """A record derived from another checks its own fields and the inherited ones."""

        @attrs.frozen(kw_only=True)
        class Heavy(Part):
            load: int = attrs.field(validator=positive)

        Part(id="p", weight=Decimal(1))  # the base compiled and installed first
        problems = _problems(lambda: Heavy(id="", weight=Decimal(1), load=0))
        assert [p.path for p in problems] == ["$.id", "$.load"]


@given(
    st.text(min_size=1, max_size=8),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from(["s", "m", "l"]),
)
def test_accepts_exactly_the_valid_values(name: str, count: int, size: str) -> None:
    """A value is accepted exactly when every field is sound; else every bad field is named."""
    expected = set()
    if not name.strip():
        expected.add("$.name")
    if count <= 0:
        expected.add("$.count")
    if size not in {"s", "m"}:
        expected.add("$.size")
    if expected:
        with pytest.raises(ValidationError) as caught:
            Kit(id="k", name=name, count=count, size=size)  # type: ignore[arg-type]
        assert set(caught.value.paths) == expected
    else:
        kit = Kit(id="k", name=name, count=count, size=size)  # type: ignore[arg-type]
        assert (kit.name, kit.count, kit.size) == (name, count, size)
