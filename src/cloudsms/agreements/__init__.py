"""Cloud service agreements and their SLAs (S07): targets, credits, terms.

Serves S07 (establish a cloud service agreement) and ISO/IEC 20000-1:2011 6.1
(service level management): what a provider and a customer agree, in a form a
billing system, a monitoring job and an auditor read the same way. The parts live
in submodules, all re-exported here: `agreement` (the `CloudServiceAgreement` with
its subscriptions, SLAs and charges; `credit_due`, `check_agreement`,
`check_data_location`), `amendments` (`amend` with consent or notice, `terms_on`
for the terms in force at an instant), `targets` (metrics, service targets and how they are
judged), `credits` (credit tiers and the credit a breach earns) and `terms`
(termination, exit, responsibilities, priorities, legal terms, resource limits,
notices).

`cloudsms agreement show FILE` prints an agreement (`cloudsms.reports.agreement_table`).
"""

from __future__ import annotations

from cloudsms.agreements.agreement import (
    AGREEMENT_DOCUMENT,
    CloudServiceAgreement,
    Commitment,
    OneOffCharge,
    Placement,
    PlacementKind,
    RecurringCharge,
    ServiceLevelAgreement,
    Subscription,
    check_agreement,
    check_data_location,
    credit_due,
    recurring_charges,
)
from cloudsms.agreements.amendments import (
    Amendment,
    AmendmentRule,
    AppliedAmendment,
    TermKind,
    amend,
    terms_on,
)
from cloudsms.agreements.credits import (
    ClaimMethod,
    CreditTerms,
    CreditTier,
    credit_for,
)
from cloudsms.agreements.targets import (
    MEASURES,
    Exclusions,
    Judgement,
    MeasurementPeriod,
    Metric,
    OutageCause,
    Predicates,
    ServiceTarget,
    UptimeBasis,
    judge,
    metric_for,
)
from cloudsms.agreements.terms import (
    Activity,
    BackupRetention,
    ChargeKind,
    EarlyTerminationCharge,
    ExitTerms,
    LegalTerm,
    LegalTermKind,
    Notice,
    NoticePayload,
    Priority,
    PriorityScale,
    ResourceLimit,
    ResourceType,
    Responsibilities,
    Responsibility,
    ResponsibleParty,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    early_termination_due,
)

__all__ = [
    "AGREEMENT_DOCUMENT",
    "MEASURES",
    "Activity",
    "Amendment",
    "AmendmentRule",
    "AppliedAmendment",
    "BackupRetention",
    "ChargeKind",
    "ClaimMethod",
    "CloudServiceAgreement",
    "Commitment",
    "CreditTerms",
    "CreditTier",
    "EarlyTerminationCharge",
    "Exclusions",
    "ExitTerms",
    "Judgement",
    "LegalTerm",
    "LegalTermKind",
    "MeasurementPeriod",
    "Metric",
    "Notice",
    "NoticePayload",
    "OneOffCharge",
    "OutageCause",
    "Placement",
    "PlacementKind",
    "Predicates",
    "Priority",
    "PriorityScale",
    "RecurringCharge",
    "ResourceLimit",
    "ResourceType",
    "Responsibilities",
    "Responsibility",
    "ResponsibleParty",
    "ServiceLevelAgreement",
    "ServiceTarget",
    "Subscription",
    "TermKind",
    "TerminatingParty",
    "TerminationReason",
    "TerminationTerms",
    "UptimeBasis",
    "amend",
    "check_agreement",
    "check_data_location",
    "credit_due",
    "credit_for",
    "early_termination_due",
    "judge",
    "metric_for",
    "recurring_charges",
    "terms_on",
]
