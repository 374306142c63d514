"""Continual improvement (S12): opportunities, their assessment, ranking and follow-up.

A provider checks its SMS and its cloud services (internal audits, management
reviews, service reports, satisfaction surveys, complaints, its own measurements,
a look at the market) and finds opportunities to improve them. This package keeps
them in an `ImprovementRegister`: each `Improvement` says where it came from
(`OpportunitySource`), what it improves (`ImprovementArea`) and what it touches;
the register ranks the assessed ones by the weighted criteria of its
`PrioritisationPolicy` (data: ``criteria.json``), explaining each score; follows
each one through the service graph to the services and customers it affects
(`Impact`); and moves it along `IMPROVEMENT_LIFECYCLE`, from assessment to the
change (S09) or design work (S05) that carries it out and the review of its
results, every step on a verifiable trail.

Serves S12 (check and improve the SMS and cloud services); ISO/IEC 20000-1:2011
4.5.5 (maintain and improve the SMS), 9.2 (change management) and 5 (design and
transition of new or changed services).
"""

from __future__ import annotations

from cloudsms.improvement._kinds import ImprovementArea, OpportunitySource
from cloudsms.improvement.improvement import (
    CLOSED_STATES,
    EVENT_DATA,
    IMPROVEMENT_LIFECYCLE,
    IMPROVEMENT_STATES,
    Impact,
    Improvement,
)
from cloudsms.improvement.policy import (
    MAX_SCORE,
    Criterion,
    PrioritisationPolicy,
    default_policy,
    load_policy,
    policy_json,
)
from cloudsms.improvement.register import (
    DESIGN_STATES,
    Contribution,
    ImprovementRegister,
    RankedImprovement,
)

__all__ = [
    "CLOSED_STATES",
    "DESIGN_STATES",
    "EVENT_DATA",
    "IMPROVEMENT_LIFECYCLE",
    "IMPROVEMENT_STATES",
    "MAX_SCORE",
    "Contribution",
    "Criterion",
    "Impact",
    "Improvement",
    "ImprovementArea",
    "ImprovementRegister",
    "OpportunitySource",
    "PrioritisationPolicy",
    "RankedImprovement",
    "default_policy",
    "load_policy",
    "policy_json",
]
