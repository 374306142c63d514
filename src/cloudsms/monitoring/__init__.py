"""Monitoring and service reporting (S10): observations, measures and evaluations.

The provider watches its cloud services and shows each customer, and itself, how
they did against the agreement: availability, response times and the other targets
of each SLA, judged period by period, with the credits that follow and the
evidence behind each figure. This package holds what monitoring observed
(`observations`: outages, measurements, packed sample series, events, and the
`Observations` an evaluation reads), the CSV files those are kept in (`files`),
the exact measures taken of them and the judgement of every target against them.

Serves S10 (monitor and report on the cloud services) and ISO/IEC 20000-1:2011
6.1 (service level management), 6.2 (service reporting), 6.3 (service continuity
and availability management) and 6.5 (capacity management).
"""

from __future__ import annotations

from cloudsms.monitoring.evaluation import (
    EvidenceItem,
    EvidenceKind,
    ImmediateNotice,
    ServiceLevelReport,
    TargetResult,
    evaluate,
    expired_monitoring_data,
    immediate_notices,
)
from cloudsms.monitoring.files import CSV_COLUMNS, read_observations, write_observations
from cloudsms.monitoring.fleet import FleetSummary, evaluate_many, summarise
from cloudsms.monitoring.metrics import (
    ErrorBudget,
    Span,
    availability,
    availability_fraction,
    downtime,
    error_budget,
    expected_uptime,
    percentile,
)
from cloudsms.monitoring.observations import (
    MISSING,
    Event,
    EventKind,
    Measurement,
    Observations,
    Outage,
    SampleSeries,
    SeriesCounts,
)

__all__ = [
    "CSV_COLUMNS",
    "MISSING",
    "ErrorBudget",
    "Event",
    "EventKind",
    "EvidenceItem",
    "EvidenceKind",
    "FleetSummary",
    "ImmediateNotice",
    "Measurement",
    "Observations",
    "Outage",
    "SampleSeries",
    "SeriesCounts",
    "ServiceLevelReport",
    "Span",
    "TargetResult",
    "availability",
    "availability_fraction",
    "downtime",
    "error_budget",
    "evaluate",
    "evaluate_many",
    "expected_uptime",
    "expired_monitoring_data",
    "immediate_notices",
    "percentile",
    "read_observations",
    "summarise",
    "write_observations",
]
