"""The standard as data: ISO/IEC 20000-1:2011 clauses, the TR's 15 scenarios and their citations.

This package serves every scenario of ISO/IEC TR 20000-9:2015 (S01-S15): it records
which clauses of ISO/IEC 20000-1:2011 (4 to 9.3, 53 in all) each scenario cites, as
the source lists them, and answers questions about that mapping. Coverage flows
downward: a citation of a whole clause covers its sub-clauses, never the reverse.

The module-level functions query the shipped set, read and indexed at the first
query (not at import). `load` adds a user's overlay, for instance S14 and S15
citations taken from a licensed copy; the shipped set itself never changes.

This package imports neither cattrs nor pint: it validates its data with its own
small interpreter of the shipped JSON Schema (`schema`).

Examples:
    >>> from cloudsms import reference
    >>> reference.clause("6.1").title
    'Service level management'
    >>> [s.id for s in reference.scenarios_citing("4.5.1")]
    ['S02', 'S04']
    >>> reference.matrix()["S14"] is None
    True
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cloudsms.reference._build import Tables, merge
from cloudsms.reference._data import read_json
from cloudsms.reference._records import (
    DEFAULT_EDITION,
    Citation,
    Clause,
    Coverage,
    CoverageCell,
    CoverageKind,
    Phase,
    ProcessCoverage,
    ProcessGroup,
    Provenance,
    Scenario,
)
from cloudsms.reference._set import CoverageMatrix, Overlay, ReferenceSet

__all__ = [
    "DEFAULT_EDITION",
    "Citation",
    "Clause",
    "Coverage",
    "CoverageCell",
    "CoverageKind",
    "CoverageMatrix",
    "Overlay",
    "Phase",
    "ProcessCoverage",
    "ProcessGroup",
    "Provenance",
    "ReferenceSet",
    "Scenario",
    "citations",
    "clause",
    "clauses",
    "clauses_cited_by",
    "coverage_matrix",
    "coverage_of",
    "load",
    "matrix",
    "process_coverage",
    "scenario",
    "scenarios",
    "scenarios_citing",
    "schema",
    "shipped",
    "to_json",
    "to_records",
    "uncovered_processes",
]

_DATA_FILES = ("clauses.json", "scenarios.json", "citations.json")


def __dir__() -> list[str]:
    return list(__all__)


@cache
def shipped() -> ReferenceSet:
    """Return the reference set shipped with cloudsms (read, validated and indexed once).

    Examples:
        >>> shipped()
        <ReferenceSet: 53 clauses, 15 scenarios, 117 citations>
    """
    documents = [(f"{name}:$", read_json(name)) for name in _DATA_FILES]
    tables = merge(Tables(), documents, subject="shipped reference data", origin="cloudsms")
    return ReferenceSet(tables)


def schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the data files, reference sets and overlays.

    Examples:
        >>> schema()["$schema"]
        'https://json-schema.org/draft/2020-12/schema'
    """
    from cloudsms.reference._schema import schema as _schema  # noqa: PLC0415 - read on demand

    return json.loads(json.dumps(_schema()))  # type: ignore[no-any-return]


def load(source: Overlay, *, origin: str | None = None) -> ReferenceSet:
    """Return the shipped set plus an overlay: a mapping, its JSON text as bytes, or a file path.

    An overlay is ``{"type": "cloudsms.reference-overlay", "schema_version": 1,
    "clauses": [...], "scenarios": [...], "citations": [...]}``. A record whose key
    exists already replaces it only with ``"replace": true``; adding citations for a
    scenario marks its citations as known. ``origin`` names who supplied the records
    (default: the overlay's ``origin`` key, else the file name or ``"overlay"``).

    Examples:
        >>> extra = {
        ...     "type": "cloudsms.reference-overlay",
        ...     "schema_version": 1,
        ...     "citations": [{"scenario_id": "S14", "clause_number": "9.2"}],
        ... }
        >>> load(extra).matrix()["S14"]
        ('9.2',)

    An overlay in any form is checked whole, first, whatever ``type`` it claims;
    JSON text (a file or bytes) whose objects repeat a key is refused.

    Raises:
        ValidationError: every problem of the overlay with its path (a file that
            cannot be read too); nothing is merged.
    """
    return shipped().overlay(source, origin=origin)


def clause(number: str, *, edition: str = DEFAULT_EDITION) -> Clause:
    """Return a shipped clause; see `ReferenceSet.clause`."""
    return shipped().clause(number, edition=edition)


def clauses(*, edition: str | None = None) -> tuple[Clause, ...]:
    """Return every shipped clause; see `ReferenceSet.clauses`."""
    return shipped().clauses(edition=edition)


def scenario(scenario_id: str) -> Scenario:
    """Return a shipped scenario; see `ReferenceSet.scenario`."""
    return shipped().scenario(scenario_id)


def scenarios() -> tuple[Scenario, ...]:
    """Return the 15 shipped scenarios; see `ReferenceSet.scenarios`."""
    return shipped().scenarios()


def clauses_cited_by(scenario_id: str, *, expand: bool = False) -> tuple[Clause, ...]:
    """Return the clauses a scenario cites; see `ReferenceSet.clauses_cited_by`.

    Examples:
        >>> [c.number for c in clauses_cited_by("S01")]
        ['4.1', '7.1']
    """
    return shipped().clauses_cited_by(scenario_id, expand=expand)


def scenarios_citing(
    clause_number: str, *, inherited: bool = True, edition: str = DEFAULT_EDITION
) -> tuple[Scenario, ...]:
    """Return the scenarios citing a clause; see `ReferenceSet.scenarios_citing`."""
    return shipped().scenarios_citing(clause_number, inherited=inherited, edition=edition)


def coverage_of(clause_number: str, *, edition: str = DEFAULT_EDITION) -> tuple[Coverage, ...]:
    """Return how scenarios cover a clause; see `ReferenceSet.coverage_of`."""
    return shipped().coverage_of(clause_number, edition=edition)


def citations() -> tuple[Citation, ...]:
    """Return the 117 shipped citations in source order; see `ReferenceSet.citations`."""
    return shipped().citations()


def matrix(*, edition: str = DEFAULT_EDITION) -> dict[str, tuple[str, ...] | None]:
    """Return scenario id → clauses cited directly; see `ReferenceSet.matrix`."""
    return shipped().matrix(edition=edition)


def coverage_matrix(*, edition: str = DEFAULT_EDITION) -> CoverageMatrix:
    """Return each shipped clause against each scenario; see `ReferenceSet.coverage_matrix`.

    Examples:
        >>> m = coverage_matrix()
        >>> len(m), m.cell("4.5.1", "S14").kind.value
        (795, 'unknown')
    """
    return shipped().coverage_matrix(edition=edition)


def process_coverage(*, edition: str = DEFAULT_EDITION) -> tuple[ProcessCoverage, ...]:
    """Return each shipped process with its scenarios; see `ReferenceSet.process_coverage`.

    Examples:
        >>> [p.clause.number for p in process_coverage()][:4]
        ['5', '6.1', '6.2', '6.3']
    """
    return shipped().process_coverage(edition=edition)


def uncovered_processes(*, edition: str = DEFAULT_EDITION) -> tuple[Clause, ...]:
    """Return the processes no scenario covers; see `ReferenceSet.uncovered_processes`."""
    return shipped().uncovered_processes(edition=edition)


def to_records() -> list[dict[str, Any]]:
    """Return one flat dict per shipped citation; see `ReferenceSet.to_records`."""
    return shipped().to_records()


def to_json(*, indent: int | None = 2) -> str:
    """Return the shipped set as JSON; see `ReferenceSet.to_json`."""
    return shipped().to_json(indent=indent)
