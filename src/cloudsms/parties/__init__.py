"""The parties to a cloud service relationship, and the records the relationship keeps.

Serves S06 (establish a service relationship with the cloud customer) and the
clauses it cites, ISO/IEC 20000-1:2011 7.1 (business relationship management) and
6.1 (service level management):

- who the parties are: each `CloudServiceCustomer`, the `CloudServiceUser` values
  acting for it, each `CloudServicePartner` in a broker, developer or auditor role,
  and each `Supplier` (7.2, supplier management, which S04 and S09 cite);
- who answers for each customer: a designated `RelationshipManager`, either one
  named person or a team of the provider's staff behind a single point of contact;
- how the provider talks to each kind of customer: a `CustomerGroup` (a customer
  profile) with its own `CommunicationProcedure` — channels, a review interval on
  the calendar, an escalation contact;
- how satisfied customers are (`SatisfactionSurvey`), and what they complain about:
  a `Complaint` moves through `COMPLAINT_LIFECYCLE` from received to handled to
  closed, each step recorded with who took it and when;
- what each party agreed to: an `Acknowledgement` records which version of which
  terms or obligation a party accepted, and when — the recorded acknowledgements
  S04 asks for and S07's agreements rely on.

A `RelationshipRegister` holds the parties and groups together and checks that they
refer to one another consistently: every user acts for a known customer, every group
lists exactly the customers that name it, and no two parties share an id.

The parts live in submodules, all re-exported here: `contacts`, `kinds` (the four
party types), `groups`, `register`, `satisfaction`, `complaints` and `acknowledgements`.

Every value checks its fields when built and reports every problem at once in a
`ValidationError`, each with its path (``$.relationship_manager.contact.email``).
Email addresses and phone numbers are personal data: error messages never show them.
"""

from __future__ import annotations

from cloudsms.parties.acknowledgements import (
    AcceptanceMethod,
    Acknowledgement,
    acknowledged,
    latest_acknowledgement,
    pending_acknowledgements,
)
from cloudsms.parties.actors import (
    ACTOR_ID,
    Actor,
    ActorDirectory,
    actor_id_problems,
    is_actor_id,
)
from cloudsms.parties.complaints import (
    COMPLAINT_LIFECYCLE,
    COMPLAINT_STATES,
    Complaint,
    ComplaintOutcome,
    outcome_of,
    time_to_handle,
)
from cloudsms.parties.contacts import Contact, ManagerKind, RelationshipManager
from cloudsms.parties.groups import CommunicationChannel, CommunicationProcedure, CustomerGroup
from cloudsms.parties.kinds import (
    CloudServiceCustomer,
    CloudServicePartner,
    CloudServiceUser,
    PartnerRole,
    Supplier,
)
from cloudsms.parties.register import Party, RelationshipRegister
from cloudsms.parties.satisfaction import SatisfactionSurvey, ScoreScale, score_changes

__all__ = [
    "ACTOR_ID",
    "COMPLAINT_LIFECYCLE",
    "COMPLAINT_STATES",
    "AcceptanceMethod",
    "Acknowledgement",
    "Actor",
    "ActorDirectory",
    "CloudServiceCustomer",
    "CloudServicePartner",
    "CloudServiceUser",
    "CommunicationChannel",
    "CommunicationProcedure",
    "Complaint",
    "ComplaintOutcome",
    "Contact",
    "CustomerGroup",
    "ManagerKind",
    "PartnerRole",
    "Party",
    "RelationshipManager",
    "RelationshipRegister",
    "SatisfactionSurvey",
    "ScoreScale",
    "Supplier",
    "acknowledged",
    "actor_id_problems",
    "is_actor_id",
    "latest_acknowledgement",
    "outcome_of",
    "pending_acknowledgements",
    "score_changes",
    "time_to_handle",
]
