"""Laws of the reference model, checked on the shipped data and on generated reference sets."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms import reference
from cloudsms.reference import ReferenceSet

from conftest import examples

SHIPPED = reference.shipped()
CLAUSES = SHIPPED.to_mapping()["clauses"]
SCENARIOS = SHIPPED.to_mapping()["scenarios"]
NUMBERS = [c["number"] for c in CLAUSES]
SCHEMA = jsonschema.Draft202012Validator(reference.schema())


def is_ancestor_or_self(ancestor: str, number: str) -> bool:
    """Whether ``ancestor`` is ``number`` or one of the clauses above it."""
    return number == ancestor or number.startswith(ancestor + ".")


@st.composite
def reference_sets(draw: st.DrawFn) -> ReferenceSet:
    """Reference sets holding every shipped clause and scenario and random citations."""
    scenarios = [
        {**s, "citations_known": draw(st.booleans())}
        for s in draw(
            st.lists(st.sampled_from(SCENARIOS), min_size=1, unique_by=lambda s: s["id"])
        )
    ]
    citations: list[dict[str, Any]] = []
    for s in scenarios:
        cited = draw(st.lists(st.sampled_from(NUMBERS), unique=True, max_size=8))
        citations.extend(
            {
                "scenario_id": s["id"],
                "clause_number": n,
                "cited_as": draw(st.none() | st.text(min_size=1, max_size=5).filter(str.strip)),
            }
            for n in cited
        )
    return ReferenceSet.from_mapping(
        {
            "type": "cloudsms.reference-overlay",
            "schema_version": 1,
            "clauses": CLAUSES,
            "scenarios": scenarios,
            "citations": citations,
        }
    )


def check_coverage_laws(refs: ReferenceSet) -> None:
    """Assert the coverage laws on every clause and scenario of ``refs``."""
    for s in refs.scenarios():
        direct = {c.number for c in refs.clauses_cited_by(s.id)}
        expanded = {c.number for c in refs.clauses_cited_by(s.id, expand=True)}
        assert direct <= expanded
        # A clause is in the expansion exactly when something cited sits at or above it.
        assert expanded == {n for n in NUMBERS if any(is_ancestor_or_self(d, n) for d in direct)}
        for c in refs.clauses():
            citing = {x.id for x in refs.scenarios_citing(c.number)}
            assert (s.id in citing) is (c.number in expanded)
            direct_citing = {x.id for x in refs.scenarios_citing(c.number, inherited=False)}
            assert (s.id in direct_citing) is (c.number in direct)


class TestCoverageLaws:
    """s is in scenarios_citing(c) exactly when c is in clauses_cited_by(s, expand=True)."""

    def test_on_the_shipped_data(self) -> None:
        """Holds for every clause and scenario of the shipped set."""
        check_coverage_laws(SHIPPED)

    @given(reference_sets())
    def test_on_generated_sets(self, refs: ReferenceSet) -> None:
        """Holds for any set of citations."""
        check_coverage_laws(refs)

    @given(reference_sets())
    def test_coverage_agrees_with_scenarios_citing(self, refs: ReferenceSet) -> None:
        """Lists the same scenarios as scenarios_citing, each via a clause at or above."""
        for c in refs.clauses():
            coverage = refs.coverage_of(c.number)
            assert [s.id for s in refs.scenarios_citing(c.number)] == list(
                dict.fromkeys(x.scenario_id for x in coverage)
            )
            for x in coverage:
                assert is_ancestor_or_self(x.via, c.number)
                assert x.direct is (x.via == c.number)

    @given(reference_sets())
    def test_uncovered_processes(self, refs: ReferenceSet) -> None:
        """Lists exactly the processes with no scenario covering them."""
        expected = [
            c for c in refs.clauses() if c.is_process and not refs.scenarios_citing(c.number)
        ]
        assert list(refs.uncovered_processes()) == expected

    @given(reference_sets())
    def test_matrix(self, refs: ReferenceSet) -> None:
        """Maps known scenarios to their direct clauses and unknown ones to None."""
        for sid, cited in refs.matrix().items():
            s = refs.scenario(sid)
            if s.citations_known:
                assert cited == tuple(c.number for c in refs.clauses_cited_by(sid))
            else:
                assert cited is None
                assert refs.clauses_cited_by(sid) == ()


class TestRoundTrip:
    """to_json() writes what from_mapping() reads back unchanged."""

    @given(reference_sets())
    def test_json_round_trip(self, refs: ReferenceSet) -> None:
        """Reads its JSON back into an equal set whose JSON is identical."""
        text = refs.to_json()
        back = ReferenceSet.from_mapping(json.loads(text))
        assert back == refs
        assert back.to_json() == text
        assert back.citations() == refs.citations()

    @settings(
        max_examples=examples(25)
    )  # jsonschema is slow; the shape varies little between sets
    @given(reference_sets())
    def test_json_is_schema_valid(self, refs: ReferenceSet) -> None:
        """Writes a document the published JSON Schema accepts."""
        SCHEMA.validate(json.loads(refs.to_json()))
