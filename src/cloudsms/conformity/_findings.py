"""Findings from an assessment's gaps, and their links to improvements (S12).

`findings_from` turns each gap of an `Assessment` into a `Finding`: a major gap a
major nonconformity, a minor one a minor nonconformity, an observation an
observation. `link_problems` says which improvements the register's findings name
that an `cloudsms.improvement.ImprovementRegister` does not hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudsms._kit.checks import id_problems, instance_problems, raise_problems
from cloudsms.conformity._assess import Assessment, ClauseStatus
from cloudsms.conformity._records import EvidenceRegister, Finding, FindingKind, Severity
from cloudsms.errors import Problem, describe
from cloudsms.improvement import ImprovementRegister, OpportunitySource

if TYPE_CHECKING:
    import datetime as dt

    from cloudsms.conformity._assess import Gap

__all__ = ["findings_from", "link_problems"]

_KIND = {
    Severity.MAJOR: FindingKind.NONCONFORMITY,
    Severity.MINOR: FindingKind.NONCONFORMITY,
    Severity.OBSERVATION: FindingKind.OBSERVATION,
}


def _description(gap: Gap) -> str:
    needed = ", ".join(gap.scenario_ids)
    one = len(gap.scenario_ids) == 1
    if gap.status is ClauseStatus.STALE:
        expired = ", ".join(gap.stale_ids)
        return (
            f"The evidence for clause {gap.clause_number} ({gap.title}) has expired "
            f"({expired}); {needed} {'needs' if one else 'need'} it renewed."
        )
    said = gap.needed_by() or f"needed by {needed}"
    return f"No evidence for clause {gap.clause_number} ({gap.title}): {said}."


def findings_from(
    assessment: Assessment,
    *,
    raised_at: dt.datetime,
    raised_by: str,
    source: OpportunitySource = OpportunitySource.INTERNAL_AUDIT,
    prefix: str = "gap",
) -> tuple[Finding, ...]:
    """One finding per gap of ``assessment``, in the gaps' order (worst first).

    A ``major`` gap becomes a major nonconformity, a ``minor`` one a minor
    nonconformity, an ``observation`` an observation. Each finding's id is
    ``PREFIX-YYYY-MM-DD-CLAUSE`` (the day of ``as_of`` in the register's zone), its
    clauses the gap's clause, its description what is missing or expired and for which scenarios;
    ``source`` says where it was raised (an internal audit by default). Add them to
    the register with `EvidenceRegister.with_findings`.

    Serves S12; ISO/IEC 20000-1:2011 4.5.4.2 (internal audit).

    Raises:
        ValidationError: ``assessment`` is not an `Assessment` (``$.assessment``),
            ``prefix`` is not an id (``$.prefix``), or the findings' own fields
            refuse ``raised_at``, ``raised_by`` or ``source`` (at their paths).
    """
    problems = instance_problems(assessment, Assessment, "$.assessment")
    problems += id_problems(prefix, "$.prefix")
    raise_problems(problems, "findings")
    day = assessment.day.isoformat()
    return tuple(
        Finding(
            id=f"{prefix}-{day}-{gap.clause_number}",
            kind=_KIND[gap.severity],
            severity=gap.severity,
            clauses=(gap.clause_number,),
            description=_description(gap),
            raised_at=raised_at,
            raised_by=raised_by,
            source=source,
        )
        for gap in assessment.gaps
    )


def link_problems(register: EvidenceRegister, improvements: ImprovementRegister) -> list[Problem]:
    """The improvement ids the register's findings name that ``improvements`` lacks.

    Each problem is at the id's place in the register
    (``$.findings[2].improvement_ids[0]``); an empty list when every link holds.

    Serves S12; ISO/IEC 20000-1:2011 4.5.5 (improvements answering findings).

    Raises:
        ValidationError: an argument of the wrong type (``$.register``,
            ``$.improvements``).
    """
    problems = instance_problems(register, EvidenceRegister, "$.register")
    problems += instance_problems(improvements, ImprovementRegister, "$.improvements")
    raise_problems(problems, "finding links")
    found: list[Problem] = []
    for index, finding in enumerate(register.findings):
        for place, improvement_id in enumerate(finding.improvement_ids):
            if improvement_id not in improvements:
                found.append(
                    Problem(
                        f"$.findings[{index}].improvement_ids[{place}]",
                        f"an improvement of register {improvements.id}",
                        describe(improvement_id),
                    )
                )
    return found
