"""The standard-library validator agrees with jsonschema on the published schema."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from cloudsms import reference
from cloudsms.reference._schema import check

SCHEMA = jsonschema.Draft202012Validator(reference.schema())

VALID: dict[str, Any] = {
    "type": "cloudsms.reference-overlay",
    "schema_version": 1,
    "origin": "test",
    "clauses": [
        {
            "edition": "20000-1:2018",
            "number": "8",
            "title": "Operation",
            "parent": None,
            "process_group": None,
            "is_process": False,
            "provenance": {"document": "ISO/IEC 20000-1", "edition": "2018", "section": "8"},
        }
    ],
    "scenarios": [
        {
            "id": "S16",
            "section": "5.16",
            "title": "Extra",
            "phase": "exit",
            "summary": "",
            "outcomes": ["x"],
            "citations_known": True,
            "implemented_by": ["cloudsms.reference.Clause"],
        }
    ],
    "citations": [
        {
            "scenario_id": "S16",
            "clause_number": "6.1",
            "position": 1,
            "cited_as": None,
            "replace": False,
        }
    ],
}

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.text(max_size=6)
    | st.sampled_from(["6.1", "S07", "exit", "20000-1:2011", "", "cloudsms.reference-set"]),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside a JSON value."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A valid overlay with one location replaced, removed, or given an extra key."""
    document = copy.deepcopy(VALID)
    where = draw(st.sampled_from(paths(document)))
    if not where:
        return draw(JSON_VALUES)
    parent = document
    for step in where[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "remove", "extra"]))
    if action == "remove" and isinstance(parent, dict):
        del parent[where[-1]]
    elif action == "extra" and isinstance(parent, dict):
        parent[draw(st.text(max_size=5))] = draw(JSON_VALUES)
    else:
        parent[where[-1]] = draw(JSON_VALUES)
    return document


class TestAgreement:
    """check() accepts exactly what jsonschema accepts."""

    def test_valid_document(self) -> None:
        """Accepts the valid overlay, as jsonschema does."""
        jsonschema.Draft202012Validator(reference.schema()).validate(VALID)
        assert check(VALID) == []

    @given(mutated())
    def test_same_verdict_on_mutations(self, document: Any) -> None:
        """Gives the same verdict as jsonschema on a mutated document."""
        valid = SCHEMA.is_valid(document)
        assert (check(document) == []) is valid

    def test_every_problem_is_reported(self) -> None:
        """Reports all problems of a document, not just the first."""
        document = copy.deepcopy(VALID)
        document["clauses"][0]["title"] = 5
        document["scenarios"][0]["phase"] = "soon"
        document["citations"][0]["position"] = -1
        assert [p.path for p in check(document)] == [
            "$.clauses[0].title",
            "$.scenarios[0].phase",
            "$.citations[0].position",
        ]

    def test_messages(self) -> None:
        """Words each kind of problem as expected-versus-got."""
        document = copy.deepcopy(VALID)
        document["clauses"][0]["number"] = "6.0"
        document["scenarios"][0]["phase"] = "soon"
        del document["citations"][0]["clause_number"]
        assert [str(p) for p in check(document)] == [
            "expected a clause number such as '6.1', got '6.0' (string) @ $.clauses[0].number",
            (
                "expected one of 'plan', 'design', 'agree', 'onboard', 'operate', 'improve', "
                "'exit', got 'soon' (string) @ $.scenarios[0].phase"
            ),
            (
                "expected a clause number such as '6.1' (required), got nothing "
                "@ $.citations[0].clause_number"
            ),
        ]
