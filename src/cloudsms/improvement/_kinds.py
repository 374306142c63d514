"""Where improvement opportunities come from and what they improve (S12).

The two enumerations here are shared with `cloudsms.conformity`: a finding raised in
an internal audit or a management review names its source with `OpportunitySource`,
and the improvement it leads to names the same source.

Serves S12 (continual improvement of the SMS and the services) and ISO/IEC
20000-1:2011 4.5.5 (maintain and improve the SMS).
"""

from __future__ import annotations

import enum

__all__ = ["ImprovementArea", "OpportunitySource"]


class OpportunitySource(enum.StrEnum):
    """The input an improvement opportunity was found in.

    ``management_review``: top management's periodic review of the SMS;
    ``internal_audit``: an audit of the SMS by (or for) the provider;
    ``service_report``: a report of service performance against the agreed
    targets; ``satisfaction_survey``: a survey of customer satisfaction;
    ``complaint``: a customer's complaint; ``performance_measurement``: the
    provider's own measurement of its processes and services;
    ``market_analysis``: a look at the market and at what other providers offer.
    """

    MANAGEMENT_REVIEW = "management_review"
    INTERNAL_AUDIT = "internal_audit"
    SERVICE_REPORT = "service_report"
    SATISFACTION_SURVEY = "satisfaction_survey"
    COMPLAINT = "complaint"
    PERFORMANCE_MEASUREMENT = "performance_measurement"
    MARKET_ANALYSIS = "market_analysis"


class ImprovementArea(enum.StrEnum):
    """What an improvement improves: a part of the SMS or a quality of the services.

    SMS side: ``infrastructure``, ``policy``, ``agreement``, ``skills``,
    ``documentation``, ``process``, ``resources``. Service side: ``reliability``,
    ``functionality``, ``customer_satisfaction``.
    """

    INFRASTRUCTURE = "infrastructure"
    POLICY = "policy"
    AGREEMENT = "agreement"
    SKILLS = "skills"
    DOCUMENTATION = "documentation"
    PROCESS = "process"
    RESOURCES = "resources"
    RELIABILITY = "reliability"
    FUNCTIONALITY = "functionality"
    CUSTOMER_SATISFACTION = "customer_satisfaction"

    @property
    def side(self) -> str:
        """``"sms"`` for a part of the management system, ``"service"`` for a service quality."""
        return "service" if self in _SERVICE_SIDE else "sms"


_SERVICE_SIDE = frozenset(
    {
        ImprovementArea.RELIABILITY,
        ImprovementArea.FUNCTIONALITY,
        ImprovementArea.CUSTOMER_SATISFACTION,
    }
)
