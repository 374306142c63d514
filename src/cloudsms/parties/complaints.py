"""Complaints and their lifecycle: received, handled, closed (S06; 20000-1:2011 7.1)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import (
    id_problems,
    instance_problems,
    raise_problems,
    text_problems,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.lifecycle import Attempt, Lifecycle, LifecycleInstance, Transition
from cloudsms.parties._shared import aware_problems, on_timeline, optional_id_problems
from cloudsms.parties.groups import CommunicationChannel

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "COMPLAINT_LIFECYCLE",
    "COMPLAINT_STATES",
    "Complaint",
    "ComplaintOutcome",
    "outcome_of",
    "time_to_handle",
    "with_state",
]


class ComplaintOutcome(enum.StrEnum):
    """How a closed complaint ended.

    ``resolved``: the response settled the matter; ``rejected``: the complaint was
    found unjustified and the customer was told why; ``withdrawn``: the customer
    took it back.
    """

    RESOLVED = "resolved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# ---------------------------------------------------------------------- complaints
COMPLAINT_STATES: tuple[str, ...] = ("received", "handled", "closed")
"""The states of a complaint (S06), in order."""


@attrs.frozen(kw_only=True)
class Complaint:
    """A complaint a customer made: when it arrived, what it is about, where it stands.

    ``state`` is one of `COMPLAINT_STATES`; a complaint moves only through
    `COMPLAINT_LIFECYCLE`, and `with_state` copies the state an instance reached.
    ``service_id`` names the service complained about, ``channel`` how the complaint
    arrived.

    Serves S06 (complaints managed per customer profile); ISO/IEC 20000-1:2011 7.1
    (complaints recorded, investigated, acted upon, reported and closed).

    Raises:
        ValidationError: every problem of the fields, each with its path; a naive
            ``received_at`` is refused.
    """

    id: str
    customer_id: str
    received_at: dt.datetime = attrs.field(eq=instant_key)
    summary: str
    service_id: str | None = None
    channel: CommunicationChannel | None = None
    state: str = "received"

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + id_problems(self.customer_id, "$.customer_id")
        problems += aware_problems(self.received_at, "$.received_at")
        problems += text_problems(self.summary, "$.summary")
        problems += optional_id_problems(self.service_id, "$.service_id")
        channel: object = self.channel
        if channel is not None and not isinstance(channel, CommunicationChannel):
            problems.append(
                Problem("$.channel", "a CommunicationChannel or null", describe(channel))
            )
        if self.state not in COMPLAINT_STATES:
            problems.append(
                Problem("$.state", "one of " + ", ".join(COMPLAINT_STATES), describe(self.state))
            )
        raise_problems(problems, "Complaint")


def _text_given(field: str, what: str) -> Callable[[LifecycleInstance, Attempt], str | None]:
    def guard(_: LifecycleInstance, attempt: Attempt) -> str | None:
        value = attempt.data.get(field)
        if isinstance(value, str) and value.strip():
            return None
        return f"no {what} given (the event's data needs a non-empty {field!r})"

    return guard


_OUTCOMES = tuple(o.value for o in ComplaintOutcome)


def _outcome_recorded(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``close``: the event's ``outcome`` must be a `ComplaintOutcome` value."""
    if attempt.data.get("outcome") in _OUTCOMES:
        return None
    options = ", ".join(repr(o) for o in _OUTCOMES)
    return f"no outcome recorded (the event's data needs an 'outcome': one of {options})"


COMPLAINT_LIFECYCLE = Lifecycle(
    name="complaint",
    states=COMPLAINT_STATES,
    initial="received",
    finals=("closed",),
    transitions=(
        Transition(source="received", event="handle", target="handled", guard="response_given"),
        Transition(source="handled", event="reopen", target="received", guard="reason_given"),
        Transition(source="handled", event="close", target="closed", guard="outcome_recorded"),
        Transition(source="received", event="withdraw", target="closed"),
        Transition(source="handled", event="withdraw", target="closed"),
    ),
    guards={
        "response_given": _text_given("response", "response to the customer"),
        "reason_given": _text_given("reason", "reason for reopening"),
        "outcome_recorded": _outcome_recorded,
    },
)
"""The lifecycle of a complaint (S06): received, handled, closed.

``handle`` needs the response given to the customer (data ``{"response": ...}``);
``close`` needs the outcome (``{"outcome": "resolved" | "rejected" | "withdrawn"}``);
``reopen`` takes a handled complaint back to received when the customer is not
satisfied with the response, and needs the reason (``{"reason": ...}``);
``withdraw`` closes a complaint the customer takes back, handled or not. Closed is
final: a complaint about the same matter later is a new complaint."""


def _check_instance(instance: object) -> LifecycleInstance:
    if not isinstance(instance, LifecycleInstance) or instance.lifecycle != COMPLAINT_LIFECYCLE:
        got = (
            f"an instance of {instance.lifecycle.name!r}"
            if isinstance(instance, LifecycleInstance)
            else describe(instance)
        )
        raise ValidationError.single("$.instance", "an instance of the complaint lifecycle", got)
    return instance


def with_state(complaint: Complaint, instance: LifecycleInstance) -> Complaint:
    """``complaint`` with the state ``instance`` has reached.

    Raises:
        ValidationError: ``complaint`` is not a `Complaint`, or ``instance`` is not
            of `COMPLAINT_LIFECYCLE`.
    """
    _check_complaint(complaint)
    return attrs.evolve(complaint, state=_check_instance(instance).state)


def _check_complaint(complaint: object) -> None:
    raise_problems(instance_problems(complaint, Complaint, "$.complaint"), "complaint query")


def outcome_of(instance: LifecycleInstance) -> ComplaintOutcome | None:
    """How a closed complaint ended (``None`` while it is open).

    Raises:
        ValidationError: ``instance`` is not of `COMPLAINT_LIFECYCLE`.

    Examples:
        >>> import datetime as dt
        >>> t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        >>> done = (
        ...     COMPLAINT_LIFECYCLE.begin()
        ...     .apply("handle", who="desk", when=t0, data={"response": "Refunded the fee"})
        ...     .apply("close", who="desk", when=t0, data={"outcome": "resolved"})
        ... )
        >>> outcome_of(done)
        <ComplaintOutcome.RESOLVED: 'resolved'>
    """
    checked = _check_instance(instance)
    if not checked.is_final:
        return None
    last = checked.history()[-1]
    if last.event == "withdraw":
        return ComplaintOutcome.WITHDRAWN
    return ComplaintOutcome(last.data["outcome"])


def time_to_handle(complaint: Complaint, instance: LifecycleInstance) -> dt.timedelta | None:
    """How long after its receipt the complaint was first handled (``None`` if never).

    Measured on the absolute timeline, whatever the zones of the two instants.

    Raises:
        ValidationError: ``complaint`` is not a `Complaint`, ``instance`` is not of
            `COMPLAINT_LIFECYCLE`, or it was handled before ``complaint.received_at``.
    """
    _check_complaint(complaint)
    checked = _check_instance(instance)
    handled = next((e.when for e in checked.history() if e.event == "handle"), None)
    if handled is None:
        return None
    elapsed = on_timeline(handled) - on_timeline(complaint.received_at)
    if elapsed < dt.timedelta(0):
        raise ValidationError.single(
            "$.instance",
            f"handling no earlier than the receipt at {complaint.received_at.isoformat()}",
            handled.isoformat(),
        )
    return elapsed
