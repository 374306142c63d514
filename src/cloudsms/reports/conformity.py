"""A conformity assessment for people and tools (S12).

`cloudsms.conformity.assess` returns an `Assessment`; these functions read it and
write what ``cloudsms evidence assess`` prints:

- `assessment_data`: JSON-ready data with a fixed shape (the keys never depend on
  the values): the scope, each scenario's counts, every clause row, each process,
  the gaps and the findings.
- `assessment_rows`: one row of text per clause row, keyed by `ASSESSMENT_COLUMNS`
  (for CSV).
- `gap_rows`: one row of text per gap, keyed by `GAP_COLUMNS`.
- `assessment_table`: plain text: a summary per scenario, the gap report (worst
  first, with owner and severity), then the scenarios whose citations are unknown.
  Every text from a record is escaped (`cloudsms.reports._table.escape_text`).

Serves S12 (check the SMS and the cloud services, and show what to improve);
ISO/IEC 20000-1:2011 4.5.4 (monitor and review the SMS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.conformity import Assessment, ScenarioStatus
from cloudsms.reports._table import escape_text, format_table

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cloudsms.conformity import (
        ClauseAssessment,
        Finding,
        Gap,
        ProcessAssessment,
        UnmatchedEvidence,
    )

__all__ = [
    "ASSESSMENT_COLUMNS",
    "GAP_COLUMNS",
    "assessment_data",
    "assessment_rows",
    "assessment_table",
    "gap_rows",
]

ASSESSMENT_COLUMNS: Sequence[str] = (
    "scenario",
    "clause",
    "title",
    "cited",
    "status",
    "via",
    "evidence",
    "stale",
)
"""The columns of `assessment_rows`, in order (``cited`` is ``direct`` or ``inherited``)."""

GAP_COLUMNS: Sequence[str] = (
    "severity",
    "clause",
    "title",
    "status",
    "scenarios",
    "owner",
    "stale",
)
"""The columns of `gap_rows`, in order."""

_SUMMARY_COLUMNS = ("scenario", "title", "covered", "stale", "missing", "rows")
_PROCESS_COLUMNS = ("process", "title", "status", "covered", "owner")


def _checked(assessment: object) -> Assessment:
    raise_problems(instance_problems(assessment, Assessment, "$.assessment"), "Conformity report")
    return assessment  # type: ignore[return-value]


def _row_data(row: ClauseAssessment) -> dict[str, Any]:
    return {
        "scenario_id": row.scenario_id,
        "clause_number": row.clause_number,
        "title": row.title,
        "cited_directly": row.cited_directly,
        "status": row.status.value,
        "via": row.via,
        "inherited": row.inherited,
        "evidence_ids": list(row.evidence_ids),
        "stale_ids": list(row.stale_ids),
    }


def _process_data(process: ProcessAssessment) -> dict[str, Any]:
    return {
        "clause_number": process.clause_number,
        "title": process.title,
        "scenario_ids": list(process.scenario_ids),
        "status": process.status.value,
        "covered": process.covered,
        "total": process.total,
        "owner": process.owner,
    }


def _gap_data(gap: Gap) -> dict[str, Any]:
    return {
        "clause_number": gap.clause_number,
        "title": gap.title,
        "status": gap.status.value,
        "severity": gap.severity.value,
        "scenario_ids": list(gap.scenario_ids),
        "cited_by": list(gap.cited_by),
        "reached_by": [{"scenario_id": s, "through": via} for s, via in gap.reached_by],
        "owner": gap.owner,
        "stale_ids": list(gap.stale_ids),
    }


def _unmatched_data(item: UnmatchedEvidence) -> dict[str, Any]:
    return {
        "evidence_id": item.evidence_id,
        "edition": item.edition,
        "clauses": list(item.clauses),
        "reason": item.reason,
    }


def _finding_data(finding: Finding) -> dict[str, Any]:
    closed = finding.closed_at
    return {
        "id": finding.id,
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "clauses": list(finding.clauses),
        "description": finding.description,
        "raised_at": finding.raised_at.isoformat(),
        "raised_by": finding.raised_by,
        "source": finding.source.value,
        "improvement_ids": list(finding.improvement_ids),
        "closed_at": None if closed is None else closed.isoformat(),
    }


def assessment_data(assessment: Assessment) -> dict[str, Any]:
    """The assessment as JSON-ready data with a fixed shape.

    Keys, in order: ``register_id``, ``edition``, ``as_of`` (ISO 8601 with its
    offset), ``scope`` (scenario ids), ``coverage_ratio`` (covered rows over all
    rows, a number from 0 to 1), ``scenarios`` (each with ``id``, ``title``,
    ``status``, ``covered``, ``stale``, ``missing``, ``total``), ``clauses`` (each
    row: ``scenario_id``, ``clause_number``, ``title``, ``cited_directly``,
    ``status``, ``via``, ``inherited``, ``evidence_ids``, ``stale_ids``),
    ``processes`` (``clause_number``, ``title``, ``scenario_ids``, ``status``,
    ``covered``, ``total``, ``owner``), ``gaps`` (``clause_number``, ``title``,
    ``status``, ``severity``, ``scenario_ids``, ``cited_by`` (the scenarios citing
    the clause directly), ``reached_by`` (the others, each ``{"scenario_id",
    "through"}``: the cited clause it is reached through), ``owner``,
    ``stale_ids``), worst first, ``unknown`` (scenario ids whose citations are
    unknown), ``unmatched_evidence`` (``evidence_id``, ``edition``, ``clauses``,
    ``reason``: evidence the assessed edition cannot count) and ``findings`` (the
    register's findings open at ``as_of``). ``coverage_ratio`` is 0 when there
    are no rows (``clauses`` empty: nothing was assessed). Serves S12.

    Raises:
        ValidationError: ``assessment`` is not an `Assessment` (``$.assessment``).
    """
    a = _checked(assessment)
    return {
        "register_id": a.register_id,
        "edition": a.edition,
        "as_of": a.as_of.isoformat(),
        "scope": list(a.scope),
        "coverage_ratio": a.coverage_ratio(),
        "scenarios": [
            {
                "id": s.id,
                "title": s.title,
                "status": s.status.value,
                "covered": s.covered,
                "stale": s.stale,
                "missing": s.missing,
                "total": s.total,
            }
            for s in a.scenarios
        ],
        "clauses": [_row_data(r) for r in a.clauses],
        "processes": [_process_data(p) for p in a.processes],
        "gaps": [_gap_data(g) for g in a.gaps],
        "unknown": list(a.unknown),
        "unmatched_evidence": [_unmatched_data(u) for u in a.unmatched_evidence],
        "findings": [_finding_data(f) for f in a.findings],
    }


def assessment_rows(assessment: Assessment) -> list[dict[str, str]]:
    """One row of text per clause row, keyed by `ASSESSMENT_COLUMNS` (for CSV).

    ``cited`` is ``direct`` or ``inherited`` (reached through a cited parent);
    ``via`` the clause the counted evidence supports (empty unless covered);
    ``evidence`` and ``stale`` the evidence ids, joined by spaces. Serves S12.

    Raises:
        ValidationError: ``assessment`` is not an `Assessment` (``$.assessment``).
    """
    return [
        {
            "scenario": r.scenario_id,
            "clause": r.clause_number,
            "title": r.title,
            "cited": "direct" if r.cited_directly else "inherited",
            "status": r.status.value,
            "via": r.via or "",
            "evidence": " ".join(r.evidence_ids),
            "stale": " ".join(r.stale_ids),
        }
        for r in _checked(assessment).clauses
    ]


def gap_rows(assessment: Assessment) -> list[dict[str, str]]:
    """One row of text per gap, worst first, keyed by `GAP_COLUMNS`.

    ``owner`` is ``none`` where the register names nobody; ``scenarios`` and
    ``stale`` are joined by spaces. Serves S12.

    Raises:
        ValidationError: ``assessment`` is not an `Assessment` (``$.assessment``).
    """
    return [
        {
            "severity": g.severity.value,
            "clause": g.clause_number,
            "title": g.title,
            "status": g.status.value,
            "scenarios": " ".join(g.scenario_ids),
            "owner": g.owner or "none",
            "stale": " ".join(g.stale_ids),
        }
        for g in _checked(assessment).gaps
    ]


def assessment_table(assessment: Assessment) -> str:
    """The assessment as plain text: scenario summary, gap report, processes, unknown scenarios.

    The header names the register, the edition, the instant read and the share of
    clause rows covered. Then one line per assessed scenario (covered, stale and
    missing rows); the gap report, worst first (major, minor, observation), each
    gap with its owner and the scenarios needing it; each process of the edition in
    scope with its covered clauses and owner; and last the scenarios whose
    citations are unknown, which are never counted as covered; the evidence the
    assessed edition could not count, with the reason; and the findings open at
    ``as_of``. With no clause rows at all (only unknown scenarios in scope) it
    says that nothing was assessed rather than a share or an empty gap report.
    Every text from a record is escaped. Serves S12.

    Raises:
        ValidationError: ``assessment`` is not an `Assessment` (``$.assessment``).
    """
    a = _checked(assessment)
    assessed = [s for s in a.scenarios if s.status is ScenarioStatus.ASSESSED]
    lines = [
        f"Conformity assessment of register {escape_text(a.register_id)}",
        f"  edition         ISO/IEC {escape_text(a.edition)}",
        f"  as of           {a.as_of.isoformat()}",
        f"  scope           {' '.join(a.scope)}",
        (
            f"  rows covered    {_percent(a.coverage_ratio())} of {len(a.clauses)}"
            if a.clauses
            else "  rows covered    none: no clause rows (nothing was assessed)"
        ),
        "",
    ]
    if assessed:
        rows = [
            {
                "scenario": s.id,
                "title": s.title,
                "covered": str(s.covered),
                "stale": str(s.stale),
                "missing": str(s.missing),
                "rows": str(s.total),
            }
            for s in assessed
        ]
        lines += _indented(format_table(_SUMMARY_COLUMNS, rows))
    else:
        lines.append("  No scenario in scope has known citations: nothing was assessed.")
    if not a.clauses:
        lines += ["", "Gaps: none found, because no clause was assessed"]
    else:
        lines += ["", f"Gaps ({len(a.gaps)}), worst first:"]
        if a.gaps:
            lines += _indented(format_table(GAP_COLUMNS, gap_rows(a)))
        else:
            lines.append("  none: every clause row is covered")
    processes = [p for p in a.processes if p.total]
    if processes:
        lines += ["", "Processes in scope:"]
        rows = [
            {
                "process": p.clause_number,
                "title": p.title,
                "status": p.status.value,
                "covered": f"{p.covered}/{p.total}",
                "owner": p.owner or "none",
            }
            for p in processes
        ]
        lines += _indented(format_table(_PROCESS_COLUMNS, rows))
    if a.unknown:
        lines += [
            "",
            "Unknown (citations not known, never counted as covered): " + " ".join(a.unknown),
        ]
    if a.unmatched_evidence:
        lines += ["", f"Evidence not counted ({len(a.unmatched_evidence)}):"]
        lines += [
            f"  {escape_text(u.evidence_id)}  {escape_text(u.reason)}"
            for u in a.unmatched_evidence
        ]
    if a.findings:
        lines += ["", f"Open findings ({len(a.findings)}):"]
        lines += [
            f"  {escape_text(f.id)}  {f.kind.value} ({f.severity.value})  "
            f"{' '.join(f.clauses)}  {escape_text(f.description)}"
            for f in a.findings
        ]
    return "\n".join(lines)


def _indented(table: str) -> list[str]:
    return ["  " + line for line in table.split("\n")]


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"
