"""Fuzzing reference overlays and the CLI's input files: refused cleanly, or accepted and exact.

Valid overlay documents are mutated (keys dropped, added or repeated in the raw JSON
text, values replaced by other types, huge or empty strings, control characters,
trailing newlines, nested garbage) and handed to every loader: a mapping, JSON bytes,
a file, and the ``cloudsms`` command. Each must be refused with a `cloudsms.errors`
exception whose every problem has a path starting with ``$``, or accepted and written
back by ``to_json`` into text that ``ReferenceSet.from_json`` reads into an equal set.
The runs are seeded (``derandomize``) and sized to take about ten seconds.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudsms import reference
from cloudsms.cli import main
from cloudsms.errors import CloudSMSError, ValidationError
from cloudsms.reference import ReferenceSet

from conftest import examples


def seeded(count: int) -> settings:
    """Reproducible settings: derandomized, no example database, ``count`` runs (few: smoke)."""
    return settings(
        max_examples=examples(count),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


VALID: list[dict[str, Any]] = [
    {
        "type": "cloudsms.reference-overlay",
        "schema_version": 1,
        "origin": "ACME's licensed copy",
        "citations": [
            {"scenario_id": "S14", "clause_number": "5"},
            {"scenario_id": "S14", "clause_number": "9.2", "cited_as": "Change"},
        ],
    },
    {
        "type": "cloudsms.reference-overlay",
        "schema_version": 1,
        "description": "the 2018 edition beside 2011, and a scenario of our own",
        "clauses": [
            {"edition": "20000-1:2018", "number": "8", "title": "Operation of the SMS"},
            {
                "edition": "20000-1:2018",
                "number": "8.3",
                "title": "Relationship and agreement",
                "parent": "8",
                "process_group": "relationship",
                "is_process": True,
                "provenance": {"document": "ISO/IEC 20000-1", "edition": "2018"},
            },
        ],
        "scenarios": [
            {
                "id": "S16",
                "section": "5.16",
                "title": "Our own scenario",
                "phase": "operate",
                "summary": "Something we do.",
                "outcomes": ["It is done."],
                "implemented_by": ["cloudsms.reference.Clause"],
            }
        ],
        "citations": [
            {"scenario_id": "S16", "edition": "20000-1:2018", "clause_number": "8.3"},
            {"scenario_id": "S16", "clause_number": "6.1", "position": 3},
            {"scenario_id": "S01", "clause_number": "7.1", "cited_as": "BRM", "replace": True},
        ],
    },
]

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\n",
        "S16\n",
        "20000-1:2011\n",
        "6.1\n",
        "\x1b[31mred\x1b[0m",
        "\x1b]0;title\x07",
        "\ud800",
        "\u202eevil",
        "x" * 100_000,
        "1" * 5000,
        "S" + "1" * 200,
        "cloudsms.reference-set",
        "replace",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | ODD_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def locations(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside a JSON value, the root first."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += locations(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += locations(value, (*prefix, index))
    return found


def at(document: Any, where: tuple[Any, ...]) -> Any:
    """The value at ``where``."""
    for step in where:
        document = document[step]
    return document


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """A valid overlay changed at one to three locations."""
    document: Any = copy.deepcopy(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(locations(document)))
        if not where:
            document = draw(JSON_VALUES) if draw(st.booleans()) else document
            continue
        parent = at(document, where[:-1])
        action = draw(
            st.sampled_from(["drop", "replace", "odd", "newline", "extra", "nest", "wrong type"])
        )
        value = parent[where[-1]]
        if action == "drop":
            del parent[where[-1]]
        elif action == "replace":
            parent[where[-1]] = draw(JSON_VALUES)
        elif action == "odd":
            parent[where[-1]] = draw(ODD_TEXT)
        elif action == "newline" and isinstance(value, str):
            parent[where[-1]] = value + "\n"
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.text(max_size=6) | ODD_TEXT)] = draw(JSON_VALUES)
        elif action == "nest":
            parent[where[-1]] = [[{"a": [value]}]] * 3
        else:
            parent[where[-1]] = {"str": 5, "int": "5", "bool": 1}.get(
                type(value).__name__, [value]
            )
    return document


def with_repeated_key(document: Any, where: tuple[Any, ...], value: Any) -> str:
    """The JSON text of ``document`` with the object at ``where`` repeating its first key."""

    def dump(node: Any, path: tuple[Any, ...]) -> str:
        if isinstance(node, dict):
            items = [f"{json.dumps(k)}: {dump(v, (*path, k))}" for k, v in node.items()]
            if path == where and node:
                items.append(f"{json.dumps(next(iter(node)))}: {json.dumps(value)}")
            return "{" + ", ".join(items) + "}"
        if isinstance(node, list):
            return "[" + ", ".join(dump(v, (*path, i)) for i, v in enumerate(node)) + "]"
        return json.dumps(node)

    return dump(document, ())


def _is_json(value: Any) -> bool:
    """Whether ``value`` writes as JSON text (an infinite float writes as ``Infinity``)."""
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


# The repeated key's value is JSON: text holding ``Infinity`` is refused as no JSON
# number at its root before any key is looked at (the smoke profile's draws found one).
REPEATED_VALUES = JSON_VALUES.filter(_is_json)


@st.composite
def texts_with_repeated_keys(draw: st.DrawFn) -> tuple[str, tuple[Any, ...]]:
    """The JSON text of a valid overlay in which one object repeats a key, and that object."""
    document = draw(st.sampled_from(VALID))
    objects = [w for w in locations(document) if isinstance(at(document, w), dict)]
    where = draw(st.sampled_from(objects))
    return with_repeated_key(document, where, draw(REPEATED_VALUES)), where


def path_of(where: tuple[Any, ...]) -> str:
    """The message path of a location: ``$.citations[0].clause_number``."""
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in where)


def unrooted(error: ValidationError) -> list[str]:
    """The problems of ``error`` whose path does not start at the root; none for no problem."""
    if not error.problems:
        return ["(no problem listed)"]
    return [str(p) for p in error.problems if not p.path.startswith("$")]


OUTCOMES: dict[str, int] = {"accepted": 0, "refused": 0}
"""How many fuzzed overlays each outcome had (for a look when tuning the mutations)."""


def refused_or_exact(source: Any) -> None:
    """Assert ``load`` refuses ``source`` with rooted paths, or returns a set that round-trips."""
    refs: ReferenceSet | None = None
    problems: list[str] = []
    try:
        refs = reference.load(source)
    except ValidationError as exc:
        problems = unrooted(exc)
    assert problems == []
    OUTCOMES["refused" if refs is None else "accepted"] += 1
    if refs is not None:
        assert ReferenceSet.from_json(refs.to_json()) == refs
        for scenario in refs.scenarios():
            refs.clauses_cited_by(scenario.id, expand=True)
        for edition in refs.editions():
            refs.matrix(edition=edition)
            refs.uncovered_processes(edition=edition)


def run_cli(args: list[str], encoding: str) -> tuple[int, str, str]:
    """Run the command in-process with stdout and stderr of ``encoding``; status, out, err."""
    out = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict", newline="\n")
    err = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict", newline="\n")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(args)
        except SystemExit as exc:  # argparse's usage errors
            status = int(exc.code or 0)
    texts = []
    for stream in (out, err):
        stream.flush()
        texts.append(stream.buffer.getvalue().decode(encoding))  # type: ignore[attr-defined]
    return status, texts[0], texts[1]


class TestValidDocuments:
    """The documents the fuzzing starts from are accepted."""

    def test_accepted(self) -> None:
        """Loads each valid overlay, which round-trips."""
        for document in VALID:
            refused_or_exact(document)
            assert reference.load(document) != reference.shipped()


class TestMutatedOverlays:
    """Mutated overlays are refused with rooted paths, or accepted and round-trip."""

    @seeded(400)
    @given(mutated_documents())
    def test_as_mappings(self, document: Any) -> None:
        """Refuses or round-trips each mutated document given as a mapping."""
        refused_or_exact(document)

    @seeded(40)
    @given(mutated_documents())
    def test_as_bytes(self, document: Any) -> None:
        """Refuses or round-trips each mutated document given as JSON bytes."""
        refused_or_exact(json.dumps(document).encode())

    @seeded(40)
    @given(texts_with_repeated_keys())
    def test_repeated_keys(self, case: tuple[str, tuple[Any, ...]]) -> None:
        """Refuses each object that repeats a key, at that key's path."""
        text, where = case
        first = next(iter(at(json.loads(text), where)))
        with pytest.raises(ValidationError) as from_bytes:
            reference.load(text.encode())
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "twice.json"
            path.write_text(text, encoding="utf-8")
            with pytest.raises(ValidationError) as from_file:
                reference.load(path)
        expected = [f"{path_of(where)}.{first}"]
        assert (from_bytes.value.paths, from_file.value.paths) == (expected, expected)


class TestMutatedCliInput:
    """The command exits 0, 1 or 2 on any overlay file, writes no traceback, escapes tables."""

    @seeded(160)
    @given(
        mutated_documents(),
        st.sampled_from(
            [
                ["scenarios"],
                ["scenario", "S16"],
                ["clause", "8.3", "--edition", "20000-1:2018"],
                ["matrix"],
                ["coverage"],
                ["matrix", "--edition", "20000-1:2018"],
            ]
        ),
        st.sampled_from(["table", "json", "csv"]),
        st.sampled_from(["utf-8", "ascii"]),
    )
    def test_overlay_files(
        self,
        document: Any,
        command: list[str],
        fmt: str,
        encoding: str,
    ) -> None:
        """Exits 0, 1 or 2, reporting refusals one problem a line."""
        text = json.dumps(document, ensure_ascii=False)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "overlay.json"
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            status, out, err = run_cli(
                [*command, "--format", fmt, "--overlay", str(path)], encoding
            )
        assert status in {0, 1, 2}
        assert "Traceback" not in err
        if status:
            assert err
            assert all(line.startswith("cloudsms: ") for line in err.splitlines())
        if status == 0 and fmt == "table":
            assert [c for c in out if c < " " and c != "\n"] == []
        if status == 0 and fmt == "json":
            json.loads(out)

    @seeded(20)
    @given(st.binary(max_size=64) | st.sampled_from([b"\xef\xbb\xbf{}", b"[" * 5000, b"{}"]))
    def test_files_that_are_not_json(self, content: bytes) -> None:
        """Exits 2 for bytes that are not an overlay."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "raw.json"
            path.write_bytes(content)
            status, _, err = run_cli(["matrix", "--overlay", str(path)], "utf-8")
        assert status == 2
        assert all(line.startswith("cloudsms: ") for line in err.splitlines())


class TestSubprocess:
    """A couple of mutated files through a real interpreter: no traceback, exit 2."""

    def test_refused_files(self, tmp_path: Path) -> None:
        """Exits 2 without a traceback for a wrong type and a repeated key."""
        wrong = tmp_path / "wrongtype.json"
        wrong.write_text(json.dumps({**VALID[1], "type": "nope", "clauses": [{"number": "x"}]}))
        twice = tmp_path / "twice.json"
        twice.write_text(with_repeated_key(VALID[0], ("citations", 1), "5"))
        for path in (wrong, twice):
            result = subprocess.run(
                [sys.executable, "-m", "cloudsms", "matrix", "--overlay", str(path)],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "PYTHONIOENCODING": "ascii"},
            )
            assert (result.returncode, "Traceback" in result.stderr) == (2, False)


@pytest.mark.parametrize(
    "source", [None, 5, [], "\x00", "", b"\xff", b"[1, 2]", bytearray(b"{"), b"NaN"]
)
def test_refusals_are_cloudsms_errors(source: object) -> None:
    """Refuses what is not an overlay document with a ValidationError at '$'."""
    with pytest.raises(CloudSMSError) as info:
        reference.load(source)  # type: ignore[arg-type]
    assert isinstance(info.value, ValidationError)
    assert unrooted(info.value) == []
