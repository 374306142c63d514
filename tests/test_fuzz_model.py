"""Mutated documents of every public wire type are refused with paths, or round-trip exactly.

A seeded fuzz: each type's valid documents (drawn with the public strategies) are
mutated — a key dropped, an unknown key added, a value swapped for text, numbers,
instants or nesting that should be refused — and read back. Whatever the reader
accepts must write the same JSON again; whatever it refuses must be a
`cloudsms.errors` exception whose every problem has a path and a real expectation,
never a wrapped builtin exception.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cloudsms import errors
from cloudsms.serialization import from_dict, from_json, to_dict, to_json

from conftest import examples, wire_types

TYPES = wire_types()

# Values that a field somewhere should refuse, or read exactly.
ODD_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**70,
    1.5,
    "",
    " ",
    "x",
    "S16\n",
    "\x00",
    "\x1b[31mred",
    "\ud800",
    "a" * 300,
    "1" * 150,
    "1e1000",
    "1e-99999",
    "0E-40",
    "NaN",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:00:00-05:00",
    "2026-03-29T02:30:00+01:00[Europe/Berlin]",
    "2026-01-01T00:00:00+00:00[" + "A" * 300 + "]",
    "P999999Y",
    "1 ms^\u0662",
    "1e30 ms",
    "GiB*eon",
    "Germany",
    "XX",
    [],
    [None],
    {},
    {"amount": "1", "currency": "EUR"},
)
SIMPLE = re.compile(r"[A-Za-z_]\w*(Error|Exception|Warning)\b")


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside ``data``: keys of objects and indexes of arrays."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*path, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def mutations(draw: st.DrawFn, document: Any) -> Any:
    """``document`` (JSON data) with one to three changes at random places."""
    data = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["replace", "drop", "add", "newline"]))
        if not path:
            if kind == "replace":
                data = draw(st.sampled_from(ODD_VALUES))
            continue
        parent, last = _parent(data, path), path[-1]
        if kind == "drop":
            del parent[last]
        elif kind == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "type", "", "\x00"]))] = 1
        elif kind == "newline" and isinstance(parent[last], str):
            parent[last] += "\n"
        else:
            parent[last] = draw(st.sampled_from(ODD_VALUES))
    return data


def check_refusal(exc: errors.ValidationError) -> None:
    """Every problem has a path from the root and says what it expected, in its own words."""
    assert exc.problems
    for problem in exc.problems:
        assert problem.path.startswith("$"), problem
        assert problem.expected, problem
        assert not SIMPLE.match(problem.got), f"a wrapped builtin exception: {problem}"
    str(exc).encode("utf-8", "backslashreplace")  # the message prints


def check(kind: type, data: Any) -> None:
    """``data`` is refused properly, or read into a value that writes itself back exactly."""
    try:
        value = from_dict(kind, data)
    except errors.ValidationError as exc:
        check_refusal(exc)
        return
    written = to_dict(value)
    again = from_dict(kind, written)
    assert again == value
    assert to_dict(again) == written
    assert from_json(kind, to_json(value)) == value


FUZZ = settings(
    max_examples=examples(25),
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as drawn, unshrunk
    suppress_health_check=list(HealthCheck),
)


class TestFuzz:
    """Mutated documents of every type are refused with paths or round-trip."""

    @pytest.mark.parametrize("kind", TYPES, ids=[k.__name__ for k in TYPES])
    def test_mutated_documents(self, kind: type) -> None:
        """Refuses a mutated document with paths, or reads and writes it back exactly."""

        @FUZZ
        @given(st.data())
        def run(data: st.DataObject) -> None:
            value = data.draw(st.from_type(kind))
            check(kind, data.draw(mutations(to_dict(value))))

        run()

    @pytest.mark.parametrize("kind", TYPES, ids=[k.__name__ for k in TYPES])
    def test_repeated_key(self, kind: type) -> None:
        """Refuses JSON text in which an object repeats a key, naming the key's path."""

        @FUZZ
        @given(st.data())
        def run(data: st.DataObject) -> None:
            written = to_dict(data.draw(st.from_type(kind)))
            objects = [p for p in _paths(written) if isinstance(_at(written, p), dict)]
            objects = [p for p in objects if _at(written, p)]
            if not objects:
                return
            path = data.draw(st.sampled_from(objects))
            key = next(iter(_at(written, path)))
            text = _with_repeated_key(written, path, key)
            with pytest.raises(errors.ValidationError) as caught:
                from_json(kind, text)
            steps = (f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*path, key))
            assert "$" + "".join(steps) in caught.value.paths

        run()


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def _with_repeated_key(data: Any, path: tuple[Any, ...], key: str) -> str:
    """The JSON text of ``data`` in which the object at ``path`` repeats ``key`` first."""
    marker = "__repeat_me__"
    target = _at(data, path)
    copied = json.loads(json.dumps(data))
    inner = _at(copied, path)
    inner.clear()
    inner[marker] = None
    inner.update(target)
    text = json.dumps(copied)
    return text.replace(json.dumps(marker) + ": null", json.dumps(key) + ": " + json.dumps(0))
