"""Complaints and their lifecycle: received, handled, closed (S06; 20000-1:2011 7.1).

Each `Complaint` holds its own `COMPLAINT_LIFECYCLE` instance; `cloudsms.lifecycle.advance`
moves it, and `outcome_of` and `time_to_handle` read it.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import (
    binding_problems,
    ident,
    instance_problems,
    own_id,
    raise_problems,
    text,
)
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.lifecycle import Attempt, Lifecycle, LifecycleInstance, Transition
from cloudsms.parties._shared import aware_problems, on_timeline
from cloudsms.parties.groups import CommunicationChannel

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = [
    "COMPLAINT_LIFECYCLE",
    "COMPLAINT_STATES",
    "Complaint",
    "ComplaintOutcome",
    "outcome_of",
    "time_to_handle",
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


def _state_as_instance(body: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Version 1 to 2: the plain ``state`` becomes a lifecycle instance at that state."""
    from cloudsms._kit.lifecycles import state_as_instance  # noqa: PLC0415 - reading only

    return state_as_instance(body, state_key="state", lifecycle=COMPLAINT_LIFECYCLE)


def _sealed(body: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Version 2 to 3: the instance is bound to the complaint's id and its history sealed."""
    from cloudsms._kit.lifecycles import sealed_instance  # noqa: PLC0415 - reading only

    return sealed_instance(body)


def _complaint_version(body: dict[str, Any]) -> int:
    """A complaint body's version by its shape: 1 no ``lifecycle``, 2 no chain, 3 chained."""
    from cloudsms._kit.lifecycles import instance_version  # noqa: PLC0415 - reading only

    return instance_version(body)


def _received(record: object) -> LifecycleInstance:
    return COMPLAINT_LIFECYCLE.begin(id=own_id(record))


def _complaint_instance_problems(value: object, path: str) -> list[Problem]:
    """An instance of `COMPLAINT_LIFECYCLE` (declared below), whatever arrives."""
    lifecycle: Lifecycle = COMPLAINT_LIFECYCLE
    return lifecycle.instance_problems(value, path)


_COMPLAINT_INSTANCE = Check(_complaint_instance_problems, total=True)
_AWARE = Check(aware_problems, total=True)


@document(
    "cloudsms.complaint",
    version=3,
    upgrades={1: _state_as_instance, 2: _sealed},
    version_of=_complaint_version,
)
@attrs.frozen(kw_only=True)
class Complaint(Record):
    """A complaint a customer made: when it arrived, what it is about, where it stands.

    ``lifecycle`` is the complaint's `COMPLAINT_LIFECYCLE` instance (received, with
    an empty history, by default): the one record of where it stands and who moved
    it when. `state` reads its state; `cloudsms.lifecycle.advance` moves it. No
    event of its history is earlier than ``received_at``. ``service_id`` names the
    service complained about, ``channel`` how the complaint arrived.

    A persisted document (``cloudsms.complaint``, schema version 3: the instance
    carries its id and a hash chain). Older bodies are still read (alone or inside
    another document): a version-1 body, which kept a plain ``state`` and no history,
    as an instance at that state with an empty history; a version-2 body, whose
    history had no chain, bound to the complaint's id and sealed (each ``who``
    becomes an actor id). Both are written back as version 3. By default the
    instance is bound to the complaint's id.

    Serves S06 (complaints managed per customer profile); ISO/IEC 20000-1:2011 7.1
    (complaints recorded, investigated, acted upon, reported and closed).

    Raises:
        ValidationError: every problem of the fields, each with its path; a naive
            ``received_at`` is refused, and so is an instance of another lifecycle
            (at ``$.lifecycle``) or an event before the receipt.
    """

    id: str = attrs.field(validator=ident)
    customer_id: str = attrs.field(validator=ident)
    received_at: dt.datetime = attrs.field(validator=_AWARE, eq=instant_key)
    summary: str = attrs.field(validator=text)
    service_id: str | None = attrs.field(validator=ident, default=None)
    channel: CommunicationChannel | None = None
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(_received, takes_self=True),
        validator=_COMPLAINT_INSTANCE,
    )

    def _rules(self) -> Iterator[Problem]:
        """No event of the complaint's history is earlier than its receipt."""
        yield from binding_problems(self)
        if self.lifecycle.entries:
            first = self.lifecycle.entries[0].when
            if on_timeline(first) < on_timeline(self.received_at):
                expected = (
                    f"an event no earlier than the receipt at {self.received_at.isoformat()}"
                )
                yield Problem("lifecycle.history[0].when", expected, first.isoformat())

    @property
    def state(self) -> str:
        """Where the complaint stands in `COMPLAINT_LIFECYCLE`: its instance's state."""
        return self.lifecycle.state


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


def _instance_of(complaint: object) -> LifecycleInstance:
    """The complaint lifecycle instance of ``complaint`` (a `Complaint`, or the instance)."""
    instance = complaint.lifecycle if isinstance(complaint, Complaint) else complaint
    if isinstance(instance, LifecycleInstance) and instance.lifecycle == COMPLAINT_LIFECYCLE:
        return instance
    got = (
        f"an instance of {instance.lifecycle.name!r}"
        if isinstance(instance, LifecycleInstance)
        else describe(instance)
    )
    raise ValidationError.single(
        "$.complaint",
        "a Complaint or an instance of the complaint lifecycle",
        got,
        subject="complaint query",
    )


def outcome_of(complaint: Complaint | LifecycleInstance) -> ComplaintOutcome | None:
    """How a closed complaint ended (``None`` while it is open).

    Takes the `Complaint` or its lifecycle instance. A complaint that was already
    closed when its history began (a version-1 document kept only its state) has no
    recorded outcome: ``None`` too.

    Raises:
        ValidationError: ``complaint`` is neither a `Complaint` nor an instance of
            `COMPLAINT_LIFECYCLE` (at ``$.complaint``).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.lifecycle import advance
        >>> t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        >>> complaint = Complaint(id="c1", customer_id="acme", received_at=t0, summary="Slow")
        >>> handled = advance(
        ...     complaint, "handle", who="actor:desk", when=t0, data={"response": "Refunded"}
        ... )
        >>> done = advance(
        ...     handled, "close", who="actor:desk", when=t0, data={"outcome": "resolved"}
        ... )
        >>> outcome_of(done), outcome_of(complaint)
        (<ComplaintOutcome.RESOLVED: 'resolved'>, None)
    """
    checked = _instance_of(complaint)
    if not checked.is_final or not checked.history():
        return None
    last = checked.history()[-1]
    if last.event == "withdraw":
        return ComplaintOutcome.WITHDRAWN
    return ComplaintOutcome(last.data["outcome"])


def time_to_handle(complaint: Complaint) -> dt.timedelta | None:
    """How long after its receipt the complaint was first handled (``None`` if never).

    Read from the complaint's own history, on the absolute timeline, whatever the
    zones of the two instants; a complaint's checks refuse an event before its
    receipt, so the result is never negative.

    Raises:
        ValidationError: ``complaint`` is not a `Complaint` (at ``$.complaint``).
    """
    raise_problems(instance_problems(complaint, Complaint, "$.complaint"), "complaint query")
    handled = next((e.when for e in complaint.lifecycle.history() if e.event == "handle"), None)
    if handled is None:
        return None
    return on_timeline(handled) - on_timeline(complaint.received_at)
