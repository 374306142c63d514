"""Conformity: evidence for ISO/IEC 20000-1, assessed against the TR's scenarios (S12).

An `EvidenceRegister` holds what a provider can show: documents and records typed
in by people, and evidence derived from the model's own objects (a service report
evaluated over an ended period, a verified audit trail, an agreement checked
clean against the catalogue). `assess` reads it at an instant against the clauses
the scenarios in scope cite, clause by clause, and says what is covered (directly
or through a parent clause), what is stale, what is missing, how each process
stands, and which gaps to close first, with their owners. Findings
(nonconformities, observations, opportunities) are kept in the register and
linked to improvements (`cloudsms.improvement`).

Serves S12 (check and improve the SMS and the cloud services); ISO/IEC
20000-1:2011 4.5.4 (monitor and review the SMS) and 4.5.5 (maintain and improve
the SMS).
"""

from cloudsms.conformity._assess import (
    Assessment,
    ClauseAssessment,
    ClauseStatus,
    Gap,
    ProcessAssessment,
    ProcessStatus,
    ScenarioAssessment,
    ScenarioStatus,
    UnmatchedEvidence,
    assess,
)
from cloudsms.conformity._derived import (
    DERIVED_CLAUSES,
    TRAIL_SCENARIOS,
    evidence_from_agreement,
    evidence_from_service_report,
    evidence_from_trail,
)
from cloudsms.conformity._findings import findings_from, link_problems
from cloudsms.conformity._records import (
    DERIVED_KINDS,
    Evidence,
    EvidenceKind,
    EvidenceRegister,
    Finding,
    FindingKind,
    ProcessOwner,
    Severity,
)

__all__ = [
    "DERIVED_CLAUSES",
    "DERIVED_KINDS",
    "TRAIL_SCENARIOS",
    "Assessment",
    "ClauseAssessment",
    "ClauseStatus",
    "Evidence",
    "EvidenceKind",
    "EvidenceRegister",
    "Finding",
    "FindingKind",
    "Gap",
    "ProcessAssessment",
    "ProcessOwner",
    "ProcessStatus",
    "ScenarioAssessment",
    "ScenarioStatus",
    "Severity",
    "UnmatchedEvidence",
    "assess",
    "evidence_from_agreement",
    "evidence_from_service_report",
    "evidence_from_trail",
    "findings_from",
    "link_problems",
]
