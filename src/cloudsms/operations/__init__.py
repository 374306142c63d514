"""Operations records (S09): what the provider records while it runs the services.

Once a customer is on board, the provider runs the services under the agreement and
keeps records of what happens: maintenance windows announced to customers
(`maintenance`), incidents with the expected restoration times customers are shown
(`incidents`), service requests from the customer's users (`requests`), problems
behind incidents and the known errors found on the way (`problems`), changes of
every kind with their approvals and the customers told of them (`changes`), and
releases that bundle changes for deployment (`releases`). Each record with a
lifecycle holds its `cloudsms.lifecycle.LifecycleInstance` as the one source of its
state and of the instants the agreement's clocks measure; `cloudsms.lifecycle.advance`
moves it. Monitoring (S10) and resource requests (S11) build on these records.

Serves S09 (deliver and operate the cloud services) and ISO/IEC 20000-1:2011 8.1
(incident and service request management), 8.2 (problem management), 9.2 (change
management), 9.3 (release and deployment management) and 6.1 (service level
management: the targets these records are measured against).
"""

from __future__ import annotations

from cloudsms.operations.changes import (
    CHANGE_LIFECYCLE,
    CHANGE_STATES,
    Change,
    ChangeKind,
    ChangeOutcome,
)
from cloudsms.operations.clocks import (
    Timing,
    business_time,
    fulfilment_time,
    judge_fulfilment,
    judge_resolution,
    judge_response,
    resolution_time,
    response_time,
    target_for,
)
from cloudsms.operations.incidents import INCIDENT_LIFECYCLE, INCIDENT_STATES, Incident
from cloudsms.operations.maintenance import MaintenanceWindow
from cloudsms.operations.problems import (
    PROBLEM_LIFECYCLE,
    PROBLEM_STATES,
    KnownError,
    Problem,
)
from cloudsms.operations.register import Breach, IncidentTimes, OperationsRegister
from cloudsms.operations.releases import RELEASE_LIFECYCLE, RELEASE_STATES, Release
from cloudsms.operations.requests import (
    SERVICE_REQUEST_LIFECYCLE,
    SERVICE_REQUEST_STATES,
    ServiceRequest,
)

__all__ = [
    "CHANGE_LIFECYCLE",
    "CHANGE_STATES",
    "INCIDENT_LIFECYCLE",
    "INCIDENT_STATES",
    "PROBLEM_LIFECYCLE",
    "PROBLEM_STATES",
    "RELEASE_LIFECYCLE",
    "RELEASE_STATES",
    "SERVICE_REQUEST_LIFECYCLE",
    "SERVICE_REQUEST_STATES",
    "Breach",
    "Change",
    "ChangeKind",
    "ChangeOutcome",
    "Incident",
    "IncidentTimes",
    "KnownError",
    "MaintenanceWindow",
    "OperationsRegister",
    "Problem",
    "Release",
    "ServiceRequest",
    "Timing",
    "business_time",
    "fulfilment_time",
    "judge_fulfilment",
    "judge_resolution",
    "judge_response",
    "resolution_time",
    "response_time",
    "target_for",
]
