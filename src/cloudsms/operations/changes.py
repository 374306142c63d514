"""Changes: standard, normal and emergency, approved, carried out, reviewed and closed (S09).

A `Change` names the services and customers it touches, the `MaintenanceWindow` it
runs in, the notices sent to customers whose availability it affects and, once
closed, its `ChangeOutcome`. Its state is its `CHANGE_LIFECYCLE` instance, moved with
`cloudsms.lifecycle.advance`; the instance carries the change's kind in its context,
so the guards tell a standard change (approved in advance, as a class) from a normal
one (approved before it is carried out) and an emergency one (carried out first and
approved afterwards). Resource requests (S11) are carried out as standard changes.

The error detail of `cloudsms.errors` is imported as ``Finding`` here, as in
`cloudsms.operations.problems`, where the record `Problem` takes the name.

Serves S09 (changes of three kinds, approval, notification of affected customers,
maintenance windows, outcome) and S11 (resource requests as standard changes);
ISO/IEC 20000-1:2011 9.2 (change management).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import (
    binding_problems,
    id_set,
    ident,
    instant,
    own_id,
    text,
)
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.agreements import Notice
from cloudsms.errors import Problem as Finding
from cloudsms.errors import describe
from cloudsms.lifecycle import Attempt, Lifecycle, LifecycleInstance, Transition
from cloudsms.operations._history import events_after, first_entry, utc
from cloudsms.operations.maintenance import MaintenanceWindow

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["CHANGE_LIFECYCLE", "CHANGE_STATES", "Change", "ChangeKind", "ChangeOutcome"]


class ChangeKind(enum.StrEnum):
    """How a change is authorised.

    ``standard``: a low-risk change of a kind approved once in advance (a resource
    request of S11, say): carried out without approval of its own. ``normal``:
    approved before it is carried out. ``emergency``: carried out at once to
    restore or protect a service, and approved afterwards (or before, when there
    is time).
    """

    STANDARD = "standard"
    NORMAL = "normal"
    EMERGENCY = "emergency"


class ChangeOutcome(enum.StrEnum):
    """How a change turned out, recorded when it is closed.

    ``successful``: it did what it was meant to; ``failed``: it did not, and was
    left in place; ``rolled_back``: it was undone, leaving the service as before.
    """

    SUCCESSFUL = "successful"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"


CHANGE_STATES: tuple[str, ...] = (
    "requested",
    "approved",
    "implemented",
    "reviewed",
    "closed",
    "rejected",
)
"""The states of a change (S09), in order; ``closed`` and ``rejected`` are final."""


# ---------------------------------------------------------------------- the lifecycle
_APPROVALS = ("approve", "approve_retrospectively")


def _kind(attempt: Attempt) -> str | None:
    kind = attempt.context.get("kind")
    return kind if isinstance(kind, str) else None


def _needs_approval(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``approve``: standard changes are approved in advance, never one by one."""
    kind = _kind(attempt)
    if kind in {ChangeKind.NORMAL, ChangeKind.EMERGENCY}:
        return None
    if kind == ChangeKind.STANDARD:
        return "a standard change is approved in advance, as a kind: it takes no approval"
    return "the instance's context names no change kind ({'kind': 'normal'}, say)"


def _approved_in_advance(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``implement`` from ``requested``: only standard and emergency changes."""
    kind = _kind(attempt)
    if kind in {ChangeKind.STANDARD, ChangeKind.EMERGENCY}:
        return None
    if kind == ChangeKind.NORMAL:
        return "a normal change is not implemented before it is approved"
    return "the instance's context names no change kind ({'kind': 'normal'}, say)"


def _emergency_unapproved(instance: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``approve_retrospectively``: an emergency change not yet approved."""
    if _kind(attempt) != ChangeKind.EMERGENCY:
        return "only an emergency change is approved after it is implemented"
    if any(entry.event in _APPROVALS for entry in instance.entries):
        return "the change is approved already"
    return None


def _approved_if_emergency(instance: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``review``: an emergency change is reviewed only once approved."""
    if _kind(attempt) != ChangeKind.EMERGENCY:
        return None
    if any(entry.event in _APPROVALS for entry in instance.entries):
        return None
    if instance.origin is not None:  # approved before its history was recorded, if at all
        return None
    return "an emergency change is reviewed only after its (retrospective) approval"


_OUTCOMES = tuple(outcome.value for outcome in ChangeOutcome)


def _outcome_given(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``close``: the data's ``outcome`` is a `ChangeOutcome` value."""
    if attempt.data.get("outcome") in _OUTCOMES:
        return None
    options = ", ".join(repr(outcome) for outcome in _OUTCOMES)
    return f"no outcome given (the event's data needs an 'outcome': one of {options})"


CHANGE_LIFECYCLE = Lifecycle(
    name="change",
    states=CHANGE_STATES,
    initial="requested",
    finals=("closed", "rejected"),
    transitions=(
        Transition(source="requested", event="approve", target="approved", guard="needs_approval"),
        Transition(source="requested", event="reject", target="rejected"),
        Transition(
            source="requested",
            event="implement",
            target="implemented",
            guard="approved_in_advance",
        ),
        Transition(source="approved", event="implement", target="implemented"),
        Transition(
            source="implemented",
            event="approve_retrospectively",
            target="implemented",
            guard="emergency_unapproved",
        ),
        Transition(
            source="implemented", event="review", target="reviewed", guard="approved_if_emergency"
        ),
        Transition(source="reviewed", event="close", target="closed", guard="outcome_given"),
    ),
    guards={
        "needs_approval": _needs_approval,
        "approved_in_advance": _approved_in_advance,
        "emergency_unapproved": _emergency_unapproved,
        "approved_if_emergency": _approved_if_emergency,
        "outcome_given": _outcome_given,
    },
)
"""The lifecycle of a change (S09): requested, approved, implemented, reviewed, closed.

The instance's context carries the change's kind (``{"kind": "normal"}``), set when
it begins, and the guards read it. ``approve`` approves a normal or emergency
change; a standard one needs none. ``implement`` follows approval, or comes straight
from ``requested`` for a standard change and an emergency one, never for a normal
one. ``approve_retrospectively`` records, once, the approval of an emergency change
carried out unapproved; ``review`` of an emergency change waits for an approval,
before or after the implementation. ``close`` records the outcome (``{"outcome":
"successful" | "failed" | "rolled_back"}``). ``reject`` refuses a requested change.
The approver is the approval entry's ``who``, the time its ``when``."""


# ---------------------------------------------------------------------- the record
def _requested(record: object) -> LifecycleInstance:
    kind: object = getattr(record, "kind", None)
    context = {"kind": kind.value} if isinstance(kind, ChangeKind) else None
    return CHANGE_LIFECYCLE.begin(id=own_id(record), context=context)


def _change_instance_problems(value: object, path: str) -> list[Finding]:
    lifecycle: Lifecycle = CHANGE_LIFECYCLE
    return lifecycle.instance_problems(value, path)


_CARRIED_OUT = frozenset({"implemented", "reviewed", "closed"})


@document("cloudsms.change", version=1)
@attrs.frozen(kw_only=True)
class Change(Record):
    """A change to cloud services: what it touches, when it runs, who approved it, how it went.

    ``kind`` is its `ChangeKind`; ``services`` the cloud services it changes (one
    or more `cloudsms.services.CloudService` ids) and ``customers`` the customers
    it affects (`cloudsms.parties.CloudServiceCustomer` ids). ``affects_availability``
    says whether those customers lose (part of) the service while it runs; then each
    of them is sent a `cloudsms.agreements.Notice` (in ``notices``) before it runs.
    ``window`` is the `MaintenanceWindow` it runs in, which covers its services.
    ``outcome`` is its `ChangeOutcome`, recorded when it is closed. ``lifecycle``
    is its `CHANGE_LIFECYCLE` instance (requested, bound to the change's id, with
    ``{"kind": kind}`` as its context, by default); `state` reads it,
    `cloudsms.lifecycle.advance` moves it; `approved_by` and `approved_at` read
    the approval from it.

    Rules: no event is earlier than ``requested_at``; the instance's context names
    the change's own kind; the window covers every service of the change; once a
    change that affects availability is implemented, every affected customer has a
    notice sent no later than the window's start (without a window, no later than
    the implementation); an outcome is recorded only once the change is
    implemented, and a closed change's outcome is the one its ``close`` event
    gave. So a change is closed by setting ``outcome`` and then applying ``close``
    with the same value, and notices are added before ``implement``.

    A persisted document (``cloudsms.change``, schema version 1).

    Serves S09 (changes of three kinds, approval, notices, windows, outcome) and
    S11; ISO/IEC 20000-1:2011 9.2.

    Raises:
        ValidationError: every problem of the fields, each with its path: no
            services, a naive ``requested_at``, an instance of another lifecycle or
            kind (at ``$.lifecycle``), a window that misses a service (at
            ``$.window.services``), a customer not notified (at ``$.notices``), an
            outcome that contradicts the history (at ``$.outcome``).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.lifecycle import advance
        >>> t0 = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)
        >>> change = Change(
        ...     id="chg-9",
        ...     kind=ChangeKind.NORMAL,
        ...     summary="Raise the pool size",
        ...     services={"crm"},
        ...     requested_at=t0,
        ... )
        >>> dict(change.lifecycle.context)
        {'kind': 'normal'}
        >>> change = advance(change, "approve", who="actor:cab-1", when=t0)
        >>> change.state, change.approved_by
        ('approved', 'actor:cab-1')
    """

    id: str = attrs.field(validator=ident)
    kind: ChangeKind
    summary: str = attrs.field(validator=text)
    services: frozenset[str] = attrs.field(
        validator=id_set(of="service") & one_or_more("service ids"), converter=as_frozenset
    )
    customers: frozenset[str] = attrs.field(
        factory=frozenset, validator=id_set(of="customer"), converter=as_frozenset
    )
    requested_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    affects_availability: bool = False
    window: MaintenanceWindow | None = None
    notices: tuple[Notice, ...] = attrs.field(default=(), converter=as_tuple)
    outcome: ChangeOutcome | None = None
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(_requested, takes_self=True),
        validator=Check(_change_instance_problems, total=True),
    )

    def _rules(self) -> Iterator[Finding]:
        """The change's history, kind, window, notices and outcome agree (class docs)."""
        yield from binding_problems(self)
        yield from self._timeline()
        context_kind = self.lifecycle.context.get("kind")
        if context_kind != self.kind.value:
            expected = f"an instance whose context names the change's kind ({self.kind.value!r})"
            yield Finding("lifecycle", expected, f"the kind {describe(context_kind)}")
        if self.window is not None:
            missing = sorted(self.services - self.window.services)
            if missing:
                expected = f"a window covering every service of the change (missing {missing})"
                yield Finding("window.services", expected, describe(self.window.services))
            yield from self._in_window(self.window)
        if self.affects_availability and self.state in _CARRIED_OUT:
            yield from self._notified()
        yield from self._outcome()

    def _in_window(self, window: MaintenanceWindow) -> Iterator[Finding]:
        """A change with a window is implemented inside it."""
        for index, entry in enumerate(self.lifecycle.entries):
            if entry.event == "implement" and not window.contains(entry.when):
                expected = (
                    f"an implementation inside the maintenance window "
                    f"({window.start.isoformat()} to {window.end.isoformat()})"
                )
                yield Finding(f"lifecycle.history[{index}].when", expected, entry.when.isoformat())

    def _timeline(self) -> Iterator[Finding]:
        yield from events_after(self.lifecycle, self.requested_at, "the request")

    def _notified(self) -> Iterator[Finding]:
        """Every affected customer is told before the change runs."""
        implemented = first_entry(self.lifecycle, "implement")
        if self.window is not None:
            deadline: dt.datetime | None = self.window.start
            by = f"no later than the window's start ({self.window.start.isoformat()})"
        elif implemented is not None:
            deadline = implemented.when
            by = f"no later than the implementation ({implemented.when.isoformat()})"
        else:  # implemented before its history was recorded: any notice will do
            deadline, by = None, "at any time"
        for customer in sorted(self.customers):
            if not any(
                customer in notice.sent_to
                and (deadline is None or utc(notice.sent_at) <= utc(deadline))
                for notice in self.notices
            ):
                expected = (
                    f"a notice to {customer!r} sent {by}: the change affects its availability"
                )
                yield Finding("notices", expected, f"{len(self.notices)} notices, none such")

    def _outcome(self) -> Iterator[Finding]:
        if self.outcome is None and self.state != "closed":
            return
        if self.state not in _CARRIED_OUT:
            expected = "no outcome before the change is implemented"
            yield Finding("outcome", expected, describe(self.outcome))
            return
        closed = first_entry(self.lifecycle, "close")
        if closed is not None:
            given = closed.data["outcome"]
            if self.outcome != given:
                index = len(self.lifecycle.entries) - 1
                expected = f"{given!r}, the outcome lifecycle.history[{index}] closed it with"
                yield Finding("outcome", expected, describe(self.outcome))

    @property
    def state(self) -> str:
        """Where the change stands in `CHANGE_LIFECYCLE`: its instance's state."""
        return self.lifecycle.state

    @property
    def approved_by(self) -> str | None:
        """Who approved the change (an actor id), before or after it ran; ``None`` if nobody."""
        approval = first_entry(self.lifecycle, *_APPROVALS)
        return None if approval is None else approval.who

    @property
    def approved_at(self) -> dt.datetime | None:
        """When the change was approved, before or after it ran; ``None`` if it was not."""
        approval = first_entry(self.lifecycle, *_APPROVALS)
        return None if approval is None else approval.when

    @property
    def approved_retrospectively(self) -> bool:
        """Whether the change was approved only after it was implemented (emergencies)."""
        return first_entry(self.lifecycle, "approve_retrospectively") is not None

    @property
    def implemented_at(self) -> dt.datetime | None:
        """When the change was implemented (``None`` if not yet)."""
        entry = first_entry(self.lifecycle, "implement")
        return None if entry is None else entry.when

    @property
    def reviewed_at(self) -> dt.datetime | None:
        """When the change was reviewed (``None`` if not yet)."""
        entry = first_entry(self.lifecycle, "review")
        return None if entry is None else entry.when

    @property
    def closed_at(self) -> dt.datetime | None:
        """When the change was closed (``None`` while open, or rejected)."""
        entry = first_entry(self.lifecycle, "close")
        return None if entry is None else entry.when
