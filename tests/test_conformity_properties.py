"""Properties of the conformity assessment (S12), against a plain-Python reading of it.

`plain_status` reads the evidence list as a user would, with no index: for a clause
and its ancestors, any item of the edition collected by ``as_of`` whose day has not
ended covers it; else any collected one makes it stale; else it is missing.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudsms import reference
from cloudsms.conformity import (
    ClauseStatus,
    Evidence,
    EvidenceRegister,
    ScenarioStatus,
    assess,
)
from cloudsms.periods import Period
from cloudsms.serialization import from_json, to_json
from cloudsms.testing._conformity import evidence, evidence_registers, findings

from conftest import examples

ALL = tuple(s.id for s in reference.scenarios())
SCOPES = st.none() | st.lists(st.sampled_from(ALL), min_size=1, max_size=5, unique=True)
AS_OF = st.dates(dt.date(1999, 1, 1), dt.date(2062, 12, 31)) | st.datetimes(
    dt.datetime(1999, 1, 1),
    dt.datetime(2062, 12, 31),
    timezones=st.just(dt.UTC),
)
FAST = settings(
    max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def ancestors(number: str) -> list[str]:
    """The clause and each clause above it: 4.5.1, 4.5, 4."""
    parts = number.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def plain_status(
    register: EvidenceRegister, number: str, as_of: dt.datetime, edition: str = "20000-1:2011"
) -> ClauseStatus:
    """The status of a clause by a plain loop over the evidence list."""
    chain = set(ancestors(number))
    stale = False
    for item in register.evidence:
        if item.edition != edition or not chain.intersection(item.supports):
            continue
        if item.collected_at > as_of:
            continue
        if item.valid_until is None or Period.day(item.valid_until, register.timezone).end > as_of:
            return ClauseStatus.COVERED
        stale = True
    return ClauseStatus.STALE if stale else ClauseStatus.MISSING


@FAST
@given(evidence_registers(max_evidence=10), SCOPES, AS_OF)
def test_assess_agrees_with_a_plain_loop(
    register: EvidenceRegister, scope: list[str] | None, as_of: dt.date
) -> None:
    """Every row's status is the plain loop's; every scenario has its expanded rows."""
    result = assess(register, scope, as_of=as_of)
    for row in result.clauses:
        assert row.status is plain_status(register, row.clause_number, result.as_of)
        assert (row.via is not None) == (row.status is ClauseStatus.COVERED)
    for scenario in result.scenarios:
        expected = reference.clauses_cited_by(scenario.id, expand=True)
        assert [r.clause_number for r in scenario.clauses] == [c.number for c in expected]
        assert scenario.covered + scenario.stale + scenario.missing == scenario.total


@FAST
@given(evidence_registers(max_evidence=10), evidence(), SCOPES, AS_OF)
def test_adding_evidence_never_lowers_coverage(
    register: EvidenceRegister, extra: Evidence, scope: list[str] | None, as_of: dt.date
) -> None:
    """No row gets worse (missing < stale < covered) when an item is added."""
    before = assess(register, scope, as_of=as_of)
    more = register.with_evidence(Evidence(**{**_fields(extra), "id": "EV-extra"}))
    after = assess(more, scope, as_of=as_of)
    assert len(after.clauses) == len(before.clauses)
    for old, new in zip(before.clauses, after.clauses, strict=True):
        assert new.status.rank >= old.status.rank
    assert after.coverage_ratio() >= before.coverage_ratio()
    assert len(after.gaps) <= len(before.gaps)


def _fields(item: Evidence) -> dict[str, object]:
    return {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "supports": item.supports,
        "edition": item.edition,
        "provided_by": item.provided_by,
        "collected_at": item.collected_at,
        "valid_until": item.valid_until,
        "source_ref": item.source_ref,
        "note": item.note,
    }


@FAST
@given(evidence_registers(max_evidence=10), AS_OF)
def test_a_covered_clause_covers_its_sub_clauses(
    register: EvidenceRegister, as_of: dt.date
) -> None:
    """Within one assessment, every row below a covered clause is covered too."""
    result = assess(register, as_of=as_of)
    covered = {r.clause_number for r in result.clauses if r.status is ClauseStatus.COVERED}
    for row in result.clauses:
        if any(above in covered for above in ancestors(row.clause_number)[1:]):
            assert row.status is ClauseStatus.COVERED
        if row.status is ClauseStatus.COVERED:
            assert row.via in ancestors(row.clause_number)
            assert row.evidence_ids


@FAST
@given(evidence_registers(max_evidence=10), SCOPES, AS_OF)
def test_unknown_scenarios_are_never_covered(
    register: EvidenceRegister, scope: list[str] | None, as_of: dt.date
) -> None:
    """S14 and S15 in scope are unknown, with no rows, whatever the evidence."""
    wanted = [*(scope or []), "S14", "S15"]
    result = assess(register, wanted, as_of=as_of)
    for sid in ("S14", "S15"):
        found = result.scenario(sid)
        assert (found.status, found.clauses, found.covered) == (ScenarioStatus.UNKNOWN, (), 0)
    assert {"S14", "S15"} <= set(result.unknown)
    assert not {"S14", "S15"} & {r.scenario_id for r in result.clauses}


@FAST
@given(evidence_registers())
def test_registers_round_trip(register: EvidenceRegister) -> None:
    """Every register reads back equal from its JSON, and writes the same text."""
    text = to_json(register)
    again = from_json(EvidenceRegister, text)
    assert again == register
    assert to_json(again) == text


@FAST
@given(findings(), evidence())
def test_findings_and_evidence_round_trip(finding: object, item: Evidence) -> None:
    """Findings and evidence alone round-trip too."""
    assert from_json(type(finding), to_json(finding)) == finding
    assert from_json(Evidence, to_json(item)) == item


@FAST
@given(evidence_registers(max_evidence=8), AS_OF)
def test_gaps_are_the_rows_not_covered(register: EvidenceRegister, as_of: dt.date) -> None:
    """One gap per clause with a row not covered, worst first; its owner is owner_of's."""
    result = assess(register, as_of=as_of)
    missing = {r.clause_number for r in result.clauses if r.status is not ClauseStatus.COVERED}
    assert {g.clause_number for g in result.gaps} == missing
    assert len(result.gaps) == len(missing)
    ranks = [g.severity.rank for g in result.gaps]
    assert ranks == sorted(ranks)
    for gap in result.gaps:
        assert gap.owner == register.owner_of(gap.clause_number)
