"""The exit procedure's hot paths (issue 18, S13) give what the full checks give.

Each fast path added for the benchmark of 10,000 exits is checked here against the
slow path it short-cuts, on drawn values, so a speed-up can never change a result.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms._kit.converter import to_dict
from cloudsms.errors import ValidationError
from cloudsms.lifecycle import Lifecycle, Transition
from cloudsms.lifecycle._core import _MAX_DEPTH, _json_problems, _mapping_json, _plain
from cloudsms.periods import add_calendar
from cloudsms.procedures._exit_plan import ExitPlan, _checked_plan, _later
from cloudsms.procedures.termination import _plan_data
from cloudsms.testing import exit_plans

from conftest import examples


class _Colour(enum.StrEnum):
    RED = "red"


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.text(max_size=8),
    st.just(_Colour.RED),  # a str subclass: the full check's business
    st.floats(allow_nan=False, max_value=1e6, min_value=-1e6),  # refused
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers(0, 3)), inner, max_size=4),
    ),
    max_leaves=20,
)


def _slow(value: dict[str, Any]) -> tuple[str, list[Any]]:
    """What `_mapping_json` gave before its fast path: the walk, then the JSON."""
    problems = _json_problems(value, "$.data", 0)
    text = "" if problems else json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text, problems


@given(st.dictionaries(st.text(max_size=6), _VALUES, max_size=6))
def test_mapping_json_fast_path_agrees_with_the_full_walk(value: dict[str, Any]) -> None:
    """Drawn data, good and bad: the same text and the same problems as the walk gives."""
    assert _mapping_json(value, "data") == _slow(value)
    if _plain(value, 0):  # the fast path only ever says yes where the walk finds nothing
        assert _json_problems(value, "$.data", 0) == []


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        value = {"next": value}
    return value


def test_mapping_json_depth_limit_is_the_full_walks() -> None:
    """Around the nesting limit the fast path defers to the walk, which words the refusal."""
    for depth in range(_MAX_DEPTH - 2, _MAX_DEPTH + 3):
        value = _nested(depth)
        assert _mapping_json(value, "data") == _slow(value)
    assert _mapping_json(_nested(_MAX_DEPTH + 2), "data")[1]  # refused, with its problem


def test_mapping_json_integer_bounds_and_subclasses() -> None:
    """64-bit bounds, an enum member and a non-text key give what the walk gives."""
    for number in (2**63 - 1, 2**63, -(2**63), -(2**63) - 1):
        assert _mapping_json({"n": number}, "data") == _slow({"n": number})
        assert _mapping_json({"n": [number]}, "data") == _slow({"n": [number]})
    assert not _plain({"c": _Colour.RED}, 0)
    assert _mapping_json({"c": _Colour.RED}, "data") == ('{"c":"red"}', [])
    assert _mapping_json({1: "x"}, "data") == _slow({1: "x"})  # type: ignore[dict-item]


_TOY = Lifecycle(
    name="toy",
    states=("open", "done"),
    initial="open",
    finals=("done",),
    transitions=(
        Transition(source="open", event="note", target="open"),
        Transition(source="open", event="finish", target="done"),
    ),
)


def test_the_last_entrys_own_instant_is_taken_without_a_second_check() -> None:
    """The same datetime object again is accepted; an equal copy and a naive one as before."""
    at = dt.datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    first = _TOY.begin(id="t-1").apply("note", who="actor:a", when=at)
    again = first.apply("note", who="actor:a", when=at)
    copy = first.apply("note", who="actor:a", when=at.replace())
    assert again.entries[-1].hash == copy.entries[-1].hash
    assert again.entries[-1].when is at
    with pytest.raises(ValidationError) as refused:
        first.apply("note", who="actor:a", when=at.replace(tzinfo=None))
    assert [p.path for p in refused.value.problems] == ["$.when"]
    with pytest.raises(ValidationError) as empty:
        _TOY.begin(id="t-2").apply("note", who="actor:a", when=None)  # type: ignore[arg-type]
    assert [p.path for p in empty.value.problems] == ["$.when"]
    earlier = at - dt.timedelta(hours=1)
    with pytest.raises(ValidationError, match="not before the last entry"):
        first.apply("note", who="actor:a", when=earlier)


_ZONES = st.sampled_from(
    [ZoneInfo("Europe/Berlin"), ZoneInfo("America/Sao_Paulo"), ZoneInfo("UTC"), dt.UTC]
)
_LENGTHS = st.builds(
    relativedelta,
    years=st.integers(0, 3),
    months=st.integers(0, 14),
    days=st.integers(0, 40),
    hours=st.integers(0, 30),
).filter(bool)


@given(
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    _ZONES,
    _LENGTHS,
)
def test_plan_calendar_step_is_add_calendar(
    wall: dt.datetime, zone: dt.tzinfo, length: relativedelta
) -> None:
    """The exit plan's step from a checked instant gives what `add_calendar` gives."""
    start = wall.replace(tzinfo=dt.UTC).astimezone(zone)  # a real instant in the zone
    expected = add_calendar(start, length)
    got = _later(start, length)
    assert (got, got.utcoffset(), got.tzinfo) == (expected, expected.utcoffset(), expected.tzinfo)


def test_plan_calendar_step_refuses_as_add_calendar_does() -> None:
    """A result past the supported range is refused with `add_calendar`'s own problem."""
    late = dt.datetime(8999, 6, 1, tzinfo=ZoneInfo("Europe/Berlin"))
    for length in (relativedelta(years=1), relativedelta(years=990)):
        with pytest.raises(ValidationError) as expected:
            add_calendar(late, length)
        with pytest.raises(ValidationError) as got:
            _later(late, length)
        assert got.value.problems == expected.value.problems


@given(exit_plans())
@settings(max_examples=examples(40), deadline=None)
def test_a_plan_from_plan_exit_is_the_fully_checked_plan(plan: ExitPlan) -> None:
    """plan_exit's plan (rules run, fields not checked again) passes every check as built."""
    rebuilt = attrs.evolve(plan)  # every field check and rule
    assert rebuilt == plan
    assert to_dict(rebuilt) == to_dict(plan)
    assert rebuilt.steps == plan.steps


@given(exit_plans(), st.sampled_from(["early", "withdrawable", "effective_at"]))
@settings(max_examples=examples(30), deadline=None)
def test_a_plan_breaking_a_rule_is_refused_as_the_record_refuses_it(
    plan: ExitPlan, wrong: str
) -> None:
    """Values breaking a rule are refused with the record's own problems."""
    values = {f.name: getattr(plan, f.name) for f in attrs.fields(ExitPlan)}
    if wrong == "effective_at":
        values[wrong] = plan.notice_at - dt.timedelta(days=1)
    else:
        values[wrong] = not values[wrong]
    with pytest.raises(ValidationError) as expected:
        ExitPlan(**values)
    with pytest.raises(ValidationError) as got:
        _checked_plan(**values)
    assert got.value.problems == expected.value.problems
    assert str(got.value) == str(expected.value)


@given(exit_plans())
@settings(max_examples=examples(40), deadline=None)
def test_the_plans_context_data_is_to_dict(plan: ExitPlan) -> None:
    """The exit procedure's context data of a plan is `to_dict`'s, key for key."""
    fast = _plan_data(plan)
    assert fast == to_dict(plan)
    assert list(fast) == [f.name for f in attrs.fields(ExitPlan)]
    assert json.dumps(fast, sort_keys=True) == json.dumps(to_dict(plan), sort_keys=True)
