"""Hypothesis strategies for the conformity records of S12 (`cloudsms.conformity`).

Evidence, findings, process owners and evidence registers. Every strategy draws
valid values only: clause numbers of the shipped 2011 edition (or of another
edition, when asked), instants in every testing zone, ``valid_until`` days inside
the supported range, derived kinds with the ``source_ref`` they need, severities
that fit their finding's kind. `register` makes each type drawable with
``st.from_type``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from cloudsms.conformity import (
    DERIVED_CLAUSES,
    DERIVED_KINDS,
    Evidence,
    EvidenceKind,
    EvidenceRegister,
    Finding,
    FindingKind,
    ProcessOwner,
    Severity,
)
from cloudsms.conformity._records import scenario_clause_sets
from cloudsms.improvement import OpportunitySource
from cloudsms.periods import add_exact
from cloudsms.reference import DEFAULT_EDITION
from cloudsms.reference import clauses as reference_clauses
from cloudsms.testing._strategies import _IDS, _NAMES, TIME_ZONES, aware_datetimes

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "evidence",
    "evidence_registers",
    "findings",
    "process_owners",
    "register",
]

_FIRST = dt.datetime(2000, 1, 1)  # noqa: DTZ001 - hypothesis takes naive bounds
_LAST = dt.datetime(2060, 12, 31)  # noqa: DTZ001
_WHO = st.sampled_from(("actor:quality-lead", "actor:auditor-1", "provider-1", "actor:slm.2"))
_REGISTER_ZONES = (*TIME_ZONES, "Pacific/Auckland", "America/Los_Angeles")
_TITLES = st.sampled_from(
    (
        "Service management policy",
        "Minutes of the management review",
        "Internal audit report",
        "Signed service level agreement",
        "Change advisory board log",
        "Capacity plan",
        "Continuity test results",
    )
)
# Mostly everyday titles (cheap to draw), now and then any text the model accepts.
_TEXTS = st.one_of(_TITLES, _TITLES, _TITLES, _NAMES)


def _clause_numbers() -> tuple[str, ...]:
    return tuple(c.number for c in reference_clauses(edition=DEFAULT_EDITION))


def _clause_sets(clauses: Sequence[str] | None) -> st.SearchStrategy[tuple[str, ...]]:
    pool = tuple(clauses) if clauses is not None else _clause_numbers()
    return st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True).map(tuple)


def _derived_sets(kind: EvidenceKind, pool: Sequence[str] | None) -> tuple[tuple[str, ...], ...]:
    """The clause sets a derived kind of 2011 may support, those inside ``pool`` when given."""
    if kind is EvidenceKind.VERIFIED_TRAIL:
        sets = tuple(tuple(sorted(s)) for s in scenario_clause_sets())
    else:
        sets = (DERIVED_CLAUSES[kind],)
    if pool is None:
        return sets
    held = set(pool)
    return tuple(s for s in sets if held.issuperset(s))


def evidence(
    *,
    ids: st.SearchStrategy[str] | None = None,
    clauses: Sequence[str] | None = None,
    edition: str = DEFAULT_EDITION,
    kinds: Sequence[EvidenceKind] = tuple(EvidenceKind),
    collected: tuple[dt.datetime, dt.datetime] = (_FIRST, _LAST),
) -> st.SearchStrategy[Evidence]:
    """Evidence supporting one to four of ``clauses`` (any clause of 2011 when not given).

    ``collected`` bounds ``collected_at`` (naive wall-clock bounds, as hypothesis
    takes them); ``valid_until`` is ``None`` or a day from two days to ten years after
    collection (so it has not ended by collection in any register's zone). A derived kind always
    has its ``source_ref`` and, for 2011, the clauses its kind supports (a trail: one
    scenario's; a kind none of whose sets lies inside ``clauses`` is not drawn); for
    another ``edition`` give its ``clauses``.
    """

    @st.composite
    def build(draw: st.DrawFn) -> Evidence:
        usable = tuple(
            k
            for k in kinds
            if k not in DERIVED_KINDS or edition != DEFAULT_EDITION or _derived_sets(k, clauses)
        )
        kind = draw(st.sampled_from(usable))
        at = draw(aware_datetimes(min_value=collected[0], max_value=collected[1], edges=False))
        valid_until = draw(
            st.none() | st.integers(2, 3650).map(lambda days: at.date() + dt.timedelta(days=days))
        )
        derived = kind in DERIVED_KINDS
        return Evidence(
            id=draw(ids if ids is not None else _IDS),
            kind=kind,
            title=draw(_TEXTS),
            supports=draw(
                st.sampled_from(_derived_sets(kind, clauses))
                if derived and edition == DEFAULT_EDITION
                else _clause_sets(clauses)
            ),
            edition=edition,
            provided_by=draw(_WHO),
            collected_at=at,
            valid_until=valid_until,
            source_ref=draw(_TEXTS) if derived else draw(st.none() | _TEXTS),
            note=draw(st.just("") | _TEXTS),
        )

    return build()


_SEVERITIES: dict[FindingKind, tuple[Severity, ...]] = {
    FindingKind.NONCONFORMITY: (Severity.MAJOR, Severity.MINOR),
    FindingKind.OBSERVATION: (Severity.OBSERVATION,),
    FindingKind.OPPORTUNITY: (Severity.OBSERVATION,),
}


def findings(
    *,
    ids: st.SearchStrategy[str] | None = None,
    clauses: Sequence[str] | None = None,
    improvement_ids: Sequence[str] | None = None,
) -> st.SearchStrategy[Finding]:
    """Findings of every kind, each with a severity its kind allows, open or closed.

    ``improvement_ids`` is the pool links are drawn from (any ids when not given);
    a closed finding closes up to a year after it was raised.
    """
    links = (
        st.lists(st.sampled_from(tuple(improvement_ids)), max_size=3, unique=True)
        if improvement_ids
        else st.lists(_IDS, max_size=3, unique=True)
    )

    @st.composite
    def build(draw: st.DrawFn) -> Finding:
        kind = draw(st.sampled_from(tuple(FindingKind)))
        raised = draw(aware_datetimes(min_value=_FIRST, max_value=_LAST, edges=False))
        closed = draw(
            st.none()
            | st.integers(0, 365 * 86400).map(lambda s: add_exact(raised, dt.timedelta(seconds=s)))
        )
        return Finding(
            id=draw(ids if ids is not None else _IDS),
            kind=kind,
            severity=draw(st.sampled_from(_SEVERITIES[kind])),
            clauses=draw(_clause_sets(clauses)),
            description=draw(_TEXTS),
            raised_at=raised,
            raised_by=draw(_WHO),
            source=draw(st.sampled_from(tuple(OpportunitySource))),
            improvement_ids=tuple(draw(links)),
            closed_at=closed,
        )

    return build()


def process_owners(*, clauses: Sequence[str] | None = None) -> st.SearchStrategy[ProcessOwner]:
    """An owner for one of ``clauses`` (any clause of 2011 when not given)."""
    pool = tuple(clauses) if clauses is not None else _clause_numbers()
    return st.builds(ProcessOwner, clause=st.sampled_from(pool), owner=_WHO)


def evidence_registers(
    *,
    min_evidence: int = 0,
    max_evidence: int = 12,
    max_findings: int = 3,
    clauses: Sequence[str] | None = None,
    timezones: Sequence[str] = _REGISTER_ZONES,
) -> st.SearchStrategy[EvidenceRegister]:
    """Registers of distinct evidence, owners and findings, in one of ``timezones``.

    Evidence supports ``clauses`` (any clause of 2011 when not given); ids are
    distinct, as are the owners' clauses; ``sms_owner`` is present or not.
    """

    @st.composite
    def build(draw: st.DrawFn) -> EvidenceRegister:
        count = draw(st.integers(min_evidence, max_evidence))
        items = [
            draw(evidence(ids=st.just(f"EV-{index}"), clauses=clauses)) for index in range(count)
        ]
        owners = draw(
            st.lists(process_owners(clauses=clauses), max_size=4, unique_by=lambda o: o.clause)
        )
        found = [
            draw(findings(ids=st.just(f"F-{index}"), clauses=clauses))
            for index in range(draw(st.integers(0, max_findings)))
        ]
        return EvidenceRegister(
            id=draw(_IDS),
            organisation=draw(_IDS),
            timezone=draw(st.sampled_from(tuple(timezones))),
            evidence=tuple(items),
            owners=tuple(owners),
            sms_owner=draw(st.none() | _WHO),
            findings=tuple(found),
        )

    return build()


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each type of `cloudsms.conformity` drawn here with the strategy that draws it."""
    return [
        (Evidence, evidence()),
        (Finding, findings()),
        (ProcessOwner, process_owners()),
        (EvidenceRegister, evidence_registers()),
    ]


def register() -> None:
    """Register a strategy for each type drawn here with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
