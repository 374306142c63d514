"""Service requests and their lifecycle: submitted, worked on, fulfilled or rejected (S09).

A `ServiceRequest` is something a user of a customer asks for under an agreement
(access for a new colleague, a report, more storage): not a failure, but work the
provider does on the agreement's fulfilment target. Its `SERVICE_REQUEST_LIFECYCLE`
instance is the one record of where it stands; `cloudsms.lifecycle.advance` moves
it, and `fulfilled_at`, `rejected_at` and the time waiting on the customer are read
from that history. A request of a kind that needs no approval is a standard change
(``standard_change``): resource requests of S11 are carried out that way. Serves S09
(customer support for service requests) and ISO/IEC 20000-1:2011 8.1 (service
request management).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import binding_problems, ident, instant, own_id, text
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record
from cloudsms.lifecycle import Attempt, Lifecycle, LifecycleInstance, Transition
from cloudsms.operations._history import events_after, first_at, waiting_periods

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cloudsms.errors import Problem
    from cloudsms.periods import Period

__all__ = [
    "SERVICE_REQUEST_LIFECYCLE",
    "SERVICE_REQUEST_STATES",
    "ServiceRequest",
]

SERVICE_REQUEST_STATES: tuple[str, ...] = (
    "submitted",
    "in_progress",
    "waiting",
    "fulfilled",
    "rejected",
    "closed",
)
"""The states of a service request (S09), in order."""


def _reason_given(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``reject``: the customer is told why, in a non-empty ``reason``."""
    reason = attempt.data.get("reason")
    if isinstance(reason, str) and reason.strip():
        return None
    return "no reason given for the rejection (the event's data needs a non-empty 'reason')"


SERVICE_REQUEST_LIFECYCLE = Lifecycle(
    name="service_request",
    states=SERVICE_REQUEST_STATES,
    initial="submitted",
    finals=("closed",),
    transitions=(
        Transition(source="submitted", event="start", target="in_progress"),
        Transition(source="in_progress", event="wait", target="waiting"),
        Transition(source="waiting", event="resume", target="in_progress"),
        Transition(source="in_progress", event="fulfil", target="fulfilled"),
        Transition(source="submitted", event="reject", target="rejected", guard="reason_given"),
        Transition(source="in_progress", event="reject", target="rejected", guard="reason_given"),
        Transition(source="fulfilled", event="close", target="closed"),
        Transition(source="rejected", event="close", target="closed"),
    ),
    guards={"reason_given": _reason_given},
)
"""The lifecycle of a service request (S09): submitted, in progress, waiting, fulfilled or
rejected, closed.

``start`` is the provider taking the request on; ``wait`` and ``resume`` bracket
time spent waiting on the customer; ``fulfil`` delivers what was asked. ``reject``
turns a request down before or while it is worked on and needs the reason told to
the customer (data ``{"reason": ...}``). ``close`` ends a fulfilled or rejected
request for good; a request asked again later is a new request."""


def _request_begins(record: object) -> LifecycleInstance:
    return SERVICE_REQUEST_LIFECYCLE.begin(id=own_id(record))


_REQUEST_INSTANCE = Check(SERVICE_REQUEST_LIFECYCLE.instance_problems, total=True)


@document("cloudsms.service-request", version=1)
@attrs.frozen(kw_only=True)
class ServiceRequest(Record):
    """A request a customer's user makes under an agreement, and how it was handled.

    ``agreement_id`` names the `cloudsms.agreements.CloudServiceAgreement` whose
    fulfilment target applies; ``customer_id`` the customer and ``requested_by`` the
    `cloudsms.parties.CloudServiceUser` id of the user who asked; ``kind`` the id of
    the kind of request (a catalogue's request types, say); ``standard_change`` says
    that the kind is a pre-approved standard change, carried out without a change
    approval. These ids are checked where the agreement and the parties are at
    hand, not here.

    ``lifecycle`` is the request's `SERVICE_REQUEST_LIFECYCLE` instance, bound to
    the request's id by default: where it stands (`state`), who moved it and when.
    `fulfilled_at`, `rejected_at` and the time waiting on the customer are read from
    that history. No event of the history is earlier than ``requested_at``.

    A persisted document (``cloudsms.service-request``, schema version 1).

    Serves S09 (customer support for service requests) and S11 (resource requests as
    standard changes); ISO/IEC 20000-1:2011 8.1.

    Raises:
        ValidationError: every problem of the fields, each with its path; among them
            a naive ``requested_at``, an instance of another lifecycle (at
            ``$.lifecycle``) or an event before the request was made.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.lifecycle import advance
        >>> asked = dt.datetime(2026, 10, 5, 10, tzinfo=dt.UTC)
        >>> request = ServiceRequest(
        ...     id="req-1",
        ...     agreement_id="agr-1",
        ...     customer_id="acme",
        ...     requested_by="acme-ana",
        ...     kind="new-user",
        ...     summary="Access for a new colleague",
        ...     requested_at=asked,
        ... )
        >>> refused = advance(
        ...     request,
        ...     "reject",
        ...     who="actor:desk-1",
        ...     when=asked,
        ...     data={"reason": "No licence left"},
        ... )
        >>> refused.state, refused.rejected_at == asked, refused.fulfilled_at
        ('rejected', True, None)
    """

    id: str = attrs.field(validator=ident)
    agreement_id: str = attrs.field(validator=ident)
    customer_id: str = attrs.field(validator=ident)
    requested_by: str = attrs.field(validator=ident)
    kind: str = attrs.field(validator=ident)
    summary: str = attrs.field(validator=text)
    standard_change: bool = False
    requested_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(_request_begins, takes_self=True),
        validator=_REQUEST_INSTANCE,
    )

    def _rules(self) -> Iterator[Problem]:
        """No event of the request's history is earlier than the request."""
        yield from binding_problems(self)
        yield from events_after(self.lifecycle, self.requested_at, "the request")

    @property
    def state(self) -> str:
        """Where the request stands in `SERVICE_REQUEST_LIFECYCLE`: its instance's state."""
        return self.lifecycle.state

    @property
    def fulfilled_at(self) -> dt.datetime | None:
        """When the request was fulfilled (``None`` while it is not)."""
        return first_at(self.lifecycle, "fulfil")

    @property
    def rejected_at(self) -> dt.datetime | None:
        """When the request was rejected (``None`` unless it was)."""
        return first_at(self.lifecycle, "reject")

    @property
    def rejection_reason(self) -> str | None:
        """The reason the customer was given for a rejection (``None`` unless rejected)."""
        entry = next((e for e in self.lifecycle.entries if e.event == "reject"), None)
        if entry is None:
            return None
        reason: str = entry.data["reason"]
        return reason

    def waiting_periods(self, as_of: dt.datetime | None = None) -> tuple[Period, ...]:
        """The spans the request spent waiting on the customer, oldest first.

        Read as `cloudsms.operations.Incident.waiting_periods` reads them: from a
        ``wait`` to its ``resume``; a wait still going on is left out without
        ``as_of`` and ends at ``as_of`` with it; nothing after ``as_of`` counts.

        Raises:
            ValidationError: ``as_of`` is neither ``None`` nor an aware instant (at
                ``$.as_of``).
        """
        return waiting_periods(self.lifecycle, as_of, subject="service request query")
