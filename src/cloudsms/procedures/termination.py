"""The exit procedure (S13): ending a cloud service agreement without a wrong step.

Either party may end an agreement: the customer on the agreement's termination
terms (notice period, minimum term, early-termination charge), the provider only for
a reason those terms list. What follows is the exit: the customer gets a window to
take its data back in the agreed formats while the provider keeps a backup; once the
customer confirms it no longer needs the data, or the retention window is over, the
customer's resources are released (so its cost stops), every category of its data is
deleted or kept under a legal hold whose basis is recorded, the configuration,
capacity and financial records are updated, and the provider issues a written
confirmation that lists each exit criterion with the trail entries that prove it.

`ExitProcedure` runs all of this on the lifecycle core (`EXIT_LIFECYCLE`) with its
audit trail. `ExitProcedure.initiate` plans the exit (`plan_exit`, re-exported here)
and keeps the `ExitPlan` in the instance's context, which the trail's genesis hash
covers: every guard reads the terms in force when notice was given, whatever
amendments come later, and nobody can change them afterwards without breaking the
chain. The states, in words::

    opened --give_notice--> notice_period
    notice_period --withdraw--> withdrawn (final; only where the terms allow it,
        before the effective date)
    notice_period --take_effect--> retrieval (on or after the effective date)
    retrieval --record_retrieval--> retrieval (an export in an agreed format,
        before the retrieval window ends)
    retrieval --confirm_not_needed--> releasing (the customer's word)
    retrieval --end_retention--> releasing (the retention window is over)
    releasing --release_resources--> deleting (nothing of the customer's is held)
    deleting --delete--> deleting, deleting --hold--> deleting (one decision per
        `DataCategory`)
    deleting --update_records--> records_updated (every category decided)
    records_updated --issue_confirmation--> closed (final)

Invariants, each enforced by a guard or by the order of the states and checked by
the stateful tests of `cloudsms.testing`:

- nothing is deleted before the customer's confirmation or the end of the
  retention window (deletion is only possible from ``deleting``, reached through
  one of them);
- the backup lives until then, and under ``BackupRetention.UNTIL_RETENTION_ENDS``
  until the retention window ends even after a confirmation;
- the written confirmation is issued only once every category is deleted or held,
  the resources are released and the records updated;
- after the release the customer holds no allocation under the agreement, so no
  cost accrues — proved when the release goes through `release_resources`, which
  carries the releases out as resource requests; `record_release` (and raw
  ``apply``) take the caller's word for it, since a lifecycle cannot see
  allocations;
- an event that is not allowed, or that its guard refuses, raises
  `InvalidTransition` and changes nothing; the trail is append-only and verifiable
  (`cloudsms.lifecycle.verify`, ``cloudsms audit verify``).

Which party acts is data, not identity: ``who`` is a pseudonymous actor id the
procedure records but does not bind to a party, so the customer's confirmation
(``{"by": "customer"}``) and a party's notice or withdrawal are what the caller
says they are. Bind actors to parties (`cloudsms.parties.Actor`) in your own
system before you call the steps.

Serves S13 (terminate a cloud service contract) and the clauses of ISO/IEC
20000-1:2011 that S13 lists: 4.3 (documentation management: the trail and the
written confirmation), 4.4 (resource management), 5 (design and transition of new
or changed services: the end of a service is a change), 6.1 (service level
management), 6.4 (budgeting and accounting: the early-termination charge, the cost
that stops), 6.5 (capacity management: the capacity records), 6.6 (information
security management: deletion and legal holds), 7.1 (business relationship
management), 7.2 (supplier management), 9.1 (configuration management), 9.2
(change management: releases run as standard changes) and 9.3 (release and
deployment management).

Examples:
    >>> EXIT_LIFECYCLE.allowed_events("deleting")
    ('delete', 'hold', 'update_records')
    >>> EXIT_LIFECYCLE.transition("retrieval", "delete") is None  # nothing deleted yet
    True
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

from cloudsms._foundation.frozen import FrozenMapping, as_frozen_mapping, as_tuple
from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import (
    ident,
    instance_problems,
    instant,
    raise_problems,
    text,
)
from cloudsms._kit.converter import from_dict
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.agreements import CloudServiceAgreement, TerminatingParty, TerminationReason
from cloudsms.agreements.terms import BackupRetention
from cloudsms.configuration import ConfigurationRecord
from cloudsms.errors import InvalidTransition, Problem, ValidationError, describe
from cloudsms.lifecycle import (
    ACTOR_ID,
    Attempt,
    Guard,
    HistoryEntry,
    Lifecycle,
    LifecycleInstance,
    Transition,
    verify,
)
from cloudsms.periods import timezone
from cloudsms.procedures._exit_plan import (
    ExitPlan,
    ExitStep,
    ExitStepName,
    _plan_data,
    plan_exit,
)
from cloudsms.procedures._stepping import BoundedCache, moved, procedure_problems
from cloudsms.procedures.resource_change import ResourceChange, carry_out
from cloudsms.resources import (
    Allocation,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    ResourceType,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "EXIT_LIFECYCLE",
    "DataCategory",
    "Deletion",
    "Evidence",
    "ExitConfirmation",
    "ExitCriterion",
    "ExitCriterionKind",
    "ExitPlan",
    "ExitProcedure",
    "ExitRelease",
    "ExitStep",
    "ExitStepName",
    "LegalHold",
    "plan_exit",
    "release_resources",
]

_UTC = dt.UTC
_SUBJECT = "exit procedure"


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(_UTC)


_R = TypeVar("_R")
_NEW = object.__new__
_SET = object.__setattr__


def _made(kind: type[_R], **values: object) -> _R:
    """A record of ``kind`` from values read off a checked trail, built without checks again.

    Only for what this module reads from an `ExitProcedure`'s entries, which the
    guards and the chain have checked: the decisions and the written confirmation
    (a confirmation of a long trail is built many times faster so).
    """
    made = object.__new__(kind)
    for name, value in values.items():
        object.__setattr__(made, name, value)
    return made


# ---------------------------------------------------------------------- data and decisions
class DataCategory(enum.StrEnum):
    """The categories of a customer's data that the exit deletes or keeps under a hold (S13).

    - ``customer data``: what the customer stored in the service.
    - ``derived data``: what the service computed from it (indexes, reports, models).
    - ``logs``: the service's logs that record the customer's activity.
    - ``monitoring data``: measurements of the customer's use and of its service levels.
    - ``backups``: the provider's copies of the customer's data, kept during the exit.
    - ``configuration data``: how the customer's environment was set up.
    """

    CUSTOMER_DATA = "customer data"
    DERIVED_DATA = "derived data"
    LOGS = "logs"
    MONITORING_DATA = "monitoring data"
    BACKUPS = "backups"
    CONFIGURATION_DATA = "configuration data"


_CATEGORIES: Final = tuple(DataCategory)
_CATEGORY_VALUES: Final = frozenset(c.value for c in DataCategory)


@attrs.frozen(kw_only=True)
class LegalHold(Record):
    """A category of the customer's data kept after the exit because a law or an order says so.

    ``basis`` names what requires keeping it (a statute, a court order, a
    regulator's retention rule); ``review_on`` is the day the hold is looked at
    again, which the ``hold`` guard requires to be after the day the hold is
    recorded (in the agreement's zone). The written confirmation lists every hold
    with its basis.

    Serves S13 (deletion where the law permits) and ISO/IEC 20000-1:2011 6.6.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    category: DataCategory
    basis: str = attrs.field(validator=text)
    review_on: dt.date


def _date_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return []
    return [Problem(path, "a date (not a datetime)", describe(value))]


@attrs.frozen(kw_only=True)
class Deletion(Record):
    """A category of the customer's data deleted during the exit: when, and how if said.

    ``method`` says how (``"crypto-shred"``, ``"overwrite"``); ``None`` when the
    trail records no method.

    Serves S13 (the customer's data removed) and ISO/IEC 20000-1:2011 6.6.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    category: DataCategory
    at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    method: str | None = attrs.field(default=None, validator=text)


# ---------------------------------------------------------------------- the plan, parsed once
@attrs.frozen(slots=True)
class _Frame:
    """What the guards need of an exit plan, computed once per distinct context text."""

    plan: ExitPlan
    notice: dt.datetime
    effective: dt.datetime
    retrieval_ends: dt.datetime
    retention_ends: dt.datetime
    formats: frozenset[str]
    by: str
    reason: str | None
    zone: dt.tzinfo
    backups_wait: bool

    @classmethod
    def of(cls, plan: ExitPlan) -> _Frame:
        return cls(
            plan=plan,
            notice=_utc(plan.notice_at),
            effective=_utc(plan.effective_at),
            retrieval_ends=_utc(plan.retrieval_ends),
            retention_ends=_utc(plan.retention_ends),
            formats=frozenset(plan.export_formats),
            by=plan.initiated_by.value,
            reason=None if plan.reason is None else plan.reason.value,
            zone=timezone(plan.timezone),
            backups_wait=plan.backup_retention is BackupRetention.UNTIL_RETENTION_ENDS,
        )


_FRAMES: BoundedCache[str, _Frame] = BoundedCache(1024)
"""Parsed plans by the canonical context text that holds them: a cache, never a state.

The text decides the plan, so a cached frame is exactly what parsing it again
would give; the cache only saves the work. It is bounded: when full, the oldest
half is dropped."""


def _plan_problems(context_json: str) -> tuple[_Frame | None, list[Problem]]:
    """The frame of the plan ``context_json`` holds, or the problems that keep it from one."""
    frame = _FRAMES.get(context_json)
    if frame is not None:
        return frame, []
    context: dict[str, Any] = json.loads(context_json)  # an object: the core checks it
    if set(context) != {"plan"}:
        got = f"an object with keys {sorted(context)}" if context else "an empty object"
        return None, [Problem("$", "an object holding only the exit plan ('plan')", got)]
    try:
        plan = from_dict(ExitPlan, context["plan"])
    except ValidationError as error:
        return None, [p._replace(path="$.plan" + p.path[1:]) for p in error.problems]
    return _FRAMES.remember(context_json, _Frame.of(plan)), []


def _context_of(plan: ExitPlan) -> dict[str, Any]:
    return {"plan": _plan_data(plan)}


# ---------------------------------------------------------------------- the guards
_Check = Callable[[LifecycleInstance, Attempt, "_Frame", "Mapping[str, Any]"], "str | None"]

_NO_DATA: Final[Mapping[str, Any]] = FrozenMapping({})


def _planned(keys: frozenset[str] | None = None) -> Callable[[_Check], Guard]:
    """A check as a guard: given the plan of the attempt's context and the event's data.

    Refused without a valid plan in the context. With ``keys``, the event's data
    must hold exactly those keys (refused otherwise, before the check runs) and
    the check gets it parsed (`_parsed`); without, the event must carry no data
    (refused otherwise, so nothing unread is written into the trail).
    """
    wanted = ", ".join(repr(k) for k in sorted(keys or ()))

    def wrap(check: _Check) -> Guard:
        @functools.wraps(check)
        def guard(instance: LifecycleInstance, attempt: Attempt) -> str | None:
            frame = _FRAMES.get(attempt.context_json)
            if frame is None:
                frame, problems = _plan_problems(attempt.context_json)
                if frame is None:
                    return f"the instance's context holds no valid exit plan ({problems[0]})"
            if keys is None:
                if attempt.data_json != "{}":
                    held = ", ".join(repr(k) for k in sorted(_parsed(attempt.data_json)))
                    return f"the event carries no data (it holds {held})"
                return check(instance, attempt, frame, _NO_DATA)
            data = _parsed(attempt.data_json)
            if data.keys() != keys:
                held = ", ".join(repr(k) for k in sorted(data)) or "nothing"
                return f"the event's data must hold exactly {wanted} (it holds {held})"
            return check(instance, attempt, frame, data)

        return guard

    return wrap


_PARSED: BoundedCache[str, Mapping[str, Any]] = BoundedCache(1024)
"""Event data by its canonical text, parsed once: a cache like `_FRAMES`, never a state.

The guards only read what they get; the texts of one kind of step repeat (a
deletion's category and method), so most events are parsed once per process."""


def _parsed(text: str) -> Mapping[str, Any]:
    """Canonical data text parsed, once per distinct text (`_PARSED`); read it, never change it.

    The guards read an event's data through it (`Attempt.data` parses every time),
    and the written confirmation reads the same entries' data back the same way, so
    most are not parsed a second time.
    """
    found = _PARSED.get(text)
    if found is None:
        found = _PARSED.remember(text, json.loads(text))
    return found


def _at(instant: dt.datetime, frame: _Frame) -> str:
    """An instant as the plan's zone shows it, for a reason."""
    return instant.astimezone(frame.zone).isoformat()


@attrs.frozen(slots=True)
class _Rule:
    """A rule on one value of a step's data, which the step method and the guard share.

    The method refuses a value that breaks it with a `ValidationError` at the
    argument's path (``expected``, in every state); the guard, given the same value
    raw through ``apply`` or a stored trail, refuses the event with ``reason``
    (``{}`` is the value described). One predicate, so the two never disagree.
    """

    ok: Callable[[object], bool]
    expected: str
    reason: str

    def problems(self, value: object, path: str) -> list[Problem]:
        return [] if self.ok(value) else [Problem(path, self.expected, describe(value))]

    def refusal(self, value: object) -> str | None:
        return None if self.ok(value) else self.reason.format(describe(value))


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


_KNOWN_CATEGORIES: Final = ", ".join(repr(c.value) for c in DataCategory)
_CATEGORY: Final = _Rule(
    ok=lambda v: isinstance(v, str) and v in _CATEGORY_VALUES,  # a DataCategory is a str
    expected=f"a data category: one of {_KNOWN_CATEGORIES}",
    reason=f"the category must be one of {_KNOWN_CATEGORIES}, not {{}}",
)
_METHOD: Final = _Rule(
    ok=lambda v: v is None or _is_text(v),
    expected="a non-empty string or null",
    reason="'method' must be text saying how, or null, not {}",
)
_BASIS: Final = _Rule(
    ok=_is_text,
    expected="the law or order that requires the hold (text)",
    reason="a legal hold names its basis (the law or order), not {}",
)
_REMAINING: Final = _Rule(
    ok=lambda v: type(v) is int and v >= 0,
    expected="a count of holdings (0 or more)",
    reason="'remaining' must be a count of holdings, not {}",
)
_REQUESTS: Final = _Rule(
    ok=lambda v: isinstance(v, list) and all(map(_is_text, v)),
    expected="a list of request ids (text)",
    reason="'requests' must be a list of request ids, not {}",
)


@_planned(frozenset({"by", "reason"}))
def _notice_on_terms(
    _: LifecycleInstance, attempt: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``give_notice``: the party, the reason and the instant are the plan's."""
    if data["by"] != frame.by:
        return f"the plan's notice is given by the {frame.by}, not by {describe(data['by'])}"
    if data["reason"] != frame.reason:
        planned = "no reason" if frame.reason is None else f"the reason {frame.reason!r}"
        return f"the plan's notice gives {planned}, not {describe(data['reason'])}"
    if _utc(attempt.when) != frame.notice:
        return f"the plan's notice is given at {_at(frame.notice, frame)}"
    return None


@_planned(frozenset({"by"}))
def _withdrawal_allowed(
    _: LifecycleInstance, attempt: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``withdraw``: by the party that gave notice, where the terms allow it, before the effect."""
    if not frame.plan.withdrawable:
        return "the agreement's termination terms do not allow a notice to be withdrawn"
    if data["by"] != frame.by:
        return (
            f"only the party that gave notice withdraws it (the {frame.by}),"
            f" not {describe(data['by'])}"
        )
    if _utc(attempt.when) >= frame.effective:
        return (
            f"a notice may be withdrawn only before the termination takes effect"
            f" ({_at(frame.effective, frame)})"
        )
    return None


def _not_yet_effective(attempt: Attempt, frame: _Frame) -> str | None:
    if _utc(attempt.when) < frame.effective:
        return f"the termination takes effect at {_at(frame.effective, frame)}, not before"
    return None


@_planned()
def _effective_reached(
    _: LifecycleInstance, attempt: Attempt, frame: _Frame, __: Mapping[str, Any]
) -> str | None:
    """``take_effect``: on or after the effective date.

    The retrieval window runs from the effective date, not from when the effect is
    recorded. An effect recorded late (even after the window has closed) is still
    accepted, so a procedure never sticks in ``notice_period``; the written
    confirmation then says the effect was recorded after the window closed.
    """
    return _not_yet_effective(attempt, frame)


@_planned(frozenset({"format"}))
def _retrieval_open(
    _: LifecycleInstance, attempt: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``record_retrieval``: an agreed format, while the retrieval window is open."""
    if data["format"] not in frame.formats:
        agreed = ", ".join(repr(f) for f in frame.plan.export_formats)
        return (
            f"the data is exported in an agreed format ({agreed}), not {describe(data['format'])}"
        )
    moment = _utc(attempt.when)
    if moment < frame.effective or moment >= frame.retrieval_ends:
        return (
            f"the retrieval window runs from {_at(frame.effective, frame)} up to"
            f" {_at(frame.retrieval_ends, frame)}"
        )
    return None


@_planned(frozenset({"by"}))
def _after_effect(
    _: LifecycleInstance, attempt: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``confirm_not_needed``: the customer's confirmation, once the termination is effective."""
    if data["by"] != TerminatingParty.CUSTOMER.value:
        return (
            f"only the customer confirms its data is no longer needed, not {describe(data['by'])}"
        )
    return _not_yet_effective(attempt, frame)


@_planned()
def _retention_over(
    _: LifecycleInstance, attempt: Attempt, frame: _Frame, __: Mapping[str, Any]
) -> str | None:
    """``end_retention``: the retention window is over."""
    if _utc(attempt.when) < frame.retention_ends:
        return f"the retention window ends at {_at(frame.retention_ends, frame)}, not before"
    return None


@_planned(frozenset({"requests", "remaining"}))
def _all_released(
    _: LifecycleInstance, __: Attempt, ___: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``release_resources``: the ids of the release requests made, and nothing left held.

    The list is empty only where the customer held nothing to release. The guard
    reads what the event says: `release_resources` makes it true (it carries the
    releases out and counts what is left), `ExitProcedure.record_release` records
    the caller's word for a release made by other means.
    """
    requests, remaining = data["requests"], data["remaining"]
    wrong = _REQUESTS.refusal(requests) or _REMAINING.refusal(remaining)
    if wrong is not None:
        return wrong
    if remaining:
        return f"the customer still holds {remaining} allocation(s) under the agreement"
    return None


_CATEGORY_IN: Final = re.compile(r'"category":"([a-z ]+)"')
"""A category in an entry's canonical data: a quote inside a text is escaped there, so
only the key itself matches, and the guards let only `DataCategory` values in."""

_DECIDING: Final = frozenset({"delete", "hold"})


def _decided(instance: LifecycleInstance) -> dict[str, str]:
    """Each category already deleted or held, with the event that decided it."""
    found: dict[str, str] = {}
    for entry in instance.entries:
        if entry.event in _DECIDING:
            found.update(dict.fromkeys(_CATEGORY_IN.findall(entry.data_json), entry.event))
    return found


def _undecided_reason(instance: LifecycleInstance, category: object) -> str | None:
    wrong = _CATEGORY.refusal(category)
    if wrong is not None:
        return wrong
    decided = _decided(instance).get(cast("str", category))
    if decided is not None:
        done = "deleted" if decided == "delete" else "kept under a legal hold"
        return f"{category!r} is {done} already: each category is decided once"
    return None


@_planned(frozenset({"category", "method"}))
def _deletable(
    instance: LifecycleInstance, attempt: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``delete``: an undecided category; the backups not before their retention allows."""
    category = data["category"]
    return (
        _METHOD.refusal(data["method"])
        or _undecided_reason(instance, category)
        or _deletable_now(instance, attempt, frame, category)
    )


def _deletable_now(
    instance: LifecycleInstance, attempt: Attempt, frame: _Frame, category: str
) -> str | None:
    """Data is deleted only once released; the backup, maybe only after the retention window.

    The states already put the release first; the trail is checked too, for an
    instance begun in ``deleting`` (an ``origin``) whose release was never recorded.
    """
    if not any(e.event in _RELEASING for e in instance.entries):
        return (
            "nothing is deleted before the customer's confirmation or the retention window's end"
        )
    if (
        category == DataCategory.BACKUPS
        and frame.backups_wait
        and _utc(attempt.when) < frame.retention_ends
    ):
        return (
            "the terms keep the backup until the retention window ends"
            f" ({_at(frame.retention_ends, frame)})"
        )
    return None


_RELEASING: Final = frozenset({"confirm_not_needed", "end_retention"})


@_planned(frozenset({"category", "basis", "review_on"}))
def _hold_recorded(
    instance: LifecycleInstance, attempt: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``hold``: an undecided category, its basis, and a review after the day it is recorded."""
    return _undecided_reason(instance, data["category"]) or _hold_problem(data, attempt, frame)


def _hold_problem(data: Mapping[str, Any], attempt: Attempt, frame: _Frame) -> str | None:
    """A hold's basis is given and its review comes after the day it is recorded."""
    wrong = _BASIS.refusal(data["basis"])
    if wrong is not None:
        return wrong
    review_on = data["review_on"]
    review = _iso_date(review_on)
    if review is None:
        return f"'review_on' must be a date as YYYY-MM-DD, not {describe(review_on)}"
    today = attempt.when.astimezone(frame.zone).date()
    if review <= today:
        return f"the hold's review date must be after the day it is recorded ({today.isoformat()})"
    return None


_DAY_TEXT: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: object) -> dt.date | None:
    """A ``YYYY-MM-DD`` day, or None (an ISO week date such as ``2027-W01-1`` is not one)."""
    if not isinstance(value, str) or not _DAY_TEXT.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


_RECORD_KINDS: Final = ("configuration", "capacity", "financial")


def _still_open(instance: LifecycleInstance) -> str | None:
    decided = _decided(instance)
    open_ = [c.value for c in _CATEGORIES if c.value not in decided]
    if open_:
        return f"every category is deleted or held first (still open: {', '.join(open_)})"
    return None


def _references_reason(kind: str, refs: object) -> str | None:
    if isinstance(refs, list) and refs and all(isinstance(r, str) and r.strip() for r in refs):
        return None
    return f"the {kind} records updated are named (one or more references), not {describe(refs)}"


@_planned(frozenset(_RECORD_KINDS))
def _every_category_decided(
    instance: LifecycleInstance, _: Attempt, __: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``update_records``: every category decided; the three kinds of records referenced."""
    open_ = _still_open(instance)
    if open_ is not None:
        return open_
    for kind in _RECORD_KINDS:
        wrong = _references_reason(kind, data[kind])
        if wrong is not None:
            return wrong
    return None


@_planned()
def _records_given(
    instance: LifecycleInstance, _: Attempt, __: _Frame, ___: Mapping[str, Any]
) -> str | None:
    """``issue_confirmation``: every category decided (the states already prove the rest).

    Checked again for an instance begun in ``records_updated`` (an ``origin``).
    """
    return _still_open(instance)


EXIT_LIFECYCLE = Lifecycle(
    name="exit_procedure",
    states=(
        "opened",
        "notice_period",
        "withdrawn",
        "retrieval",
        "releasing",
        "deleting",
        "records_updated",
        "closed",
    ),
    initial="opened",
    finals=("withdrawn", "closed"),
    transitions=(
        Transition(
            source="opened", event="give_notice", target="notice_period", guard="notice_on_terms"
        ),
        Transition(
            source="notice_period",
            event="withdraw",
            target="withdrawn",
            guard="withdrawal_allowed",
        ),
        Transition(
            source="notice_period",
            event="take_effect",
            target="retrieval",
            guard="effective_reached",
        ),
        Transition(
            source="retrieval",
            event="record_retrieval",
            target="retrieval",
            guard="retrieval_open",
        ),
        Transition(
            source="retrieval",
            event="confirm_not_needed",
            target="releasing",
            guard="after_effect",
        ),
        Transition(
            source="retrieval", event="end_retention", target="releasing", guard="retention_over"
        ),
        Transition(
            source="releasing", event="release_resources", target="deleting", guard="all_released"
        ),
        Transition(source="deleting", event="delete", target="deleting", guard="deletable"),
        Transition(source="deleting", event="hold", target="deleting", guard="hold_recorded"),
        Transition(
            source="deleting",
            event="update_records",
            target="records_updated",
            guard="every_category_decided",
        ),
        Transition(
            source="records_updated",
            event="issue_confirmation",
            target="closed",
            guard="records_given",
        ),
    ),
    guards={
        "notice_on_terms": _notice_on_terms,
        "withdrawal_allowed": _withdrawal_allowed,
        "effective_reached": _effective_reached,
        "retrieval_open": _retrieval_open,
        "after_effect": _after_effect,
        "retention_over": _retention_over,
        "all_released": _all_released,
        "deletable": _deletable,
        "hold_recorded": _hold_recorded,
        "every_category_decided": _every_category_decided,
        "records_given": _records_given,
    },
)
"""The lifecycle of an exit procedure (S13); the module docstring draws it in words.

The instance's context is ``{"plan": <the ExitPlan as JSON>}``. Each event's data:
``give_notice`` ``{"by", "reason"}`` (the plan's); ``record_retrieval``
``{"format"}``; ``confirm_not_needed`` ``{"by": "customer"}``;
``release_resources`` ``{"requests": [ids], "remaining": 0}``; ``delete``
``{"category", "method"}``; ``hold`` ``{"category", "basis", "review_on":
"YYYY-MM-DD"}``; ``update_records`` ``{"configuration": [...], "capacity": [...],
"financial": [...]}``; the others none."""


# ---------------------------------------------------------------------- the procedure
def _exit_instance_problems(value: object, path: str) -> list[Problem]:
    lifecycle: Lifecycle = EXIT_LIFECYCLE
    return lifecycle.instance_problems(value, path)


def _category_value(category: DataCategory | str) -> str:
    """A checked category's value, as exact ``str`` (the core checks those fastest)."""
    return category.value if isinstance(category, DataCategory) else category


_PARTIES: Final = frozenset({TerminatingParty.CUSTOMER.value, TerminatingParty.PROVIDER.value})


def _party_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and value in _PARTIES:
        return []
    return [Problem(path, "a party: 'customer' or 'provider'", describe(value))]


def _listed(
    value: object, path: str, expected: str, item: Callable[[object], bool], item_expected: str
) -> tuple[tuple[object, ...], list[Problem]]:
    """``value``'s items; a problem at ``path`` if it is no list, at ``path[i]`` per bad item.

    Text and mappings are not lists here, though Python iterates over them.
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return (), [Problem(path, expected, describe(value))]
    items = tuple(cast("Iterable[object]", value))
    bad = [
        Problem(f"{path}[{i}]", item_expected, describe(x))
        for i, x in enumerate(items)
        if not item(x)
    ]
    return items, bad


def _references(
    value: object, path: str, *, at_least_one: bool
) -> tuple[list[str], list[Problem]]:
    """``value`` as a list of text references, with the problems that keep it from one."""
    expected = "one or more references (text)" if at_least_one else "a list of references (text)"
    items, problems = _listed(value, path, expected, _is_text, "a non-empty string")
    if at_least_one and not items and not problems:
        problems.append(Problem(path, expected, describe([])))
    return cast("list[str]", list(items)), problems


@document("cloudsms.exit-procedure", version=1)
@attrs.frozen(kw_only=True)
class ExitProcedure(Record):
    """A customer's exit from an agreement, step by step, on its audit trail (S13).

    ``id`` names the procedure (``exit-`` and the agreement's id, by default) and
    ``lifecycle`` is its `EXIT_LIFECYCLE` instance, bound to that id, whose context
    holds the `ExitPlan`. That instance is the one source of truth: the state, the
    plan, the decisions on each data category and the retrievals are all read from
    it. Start one with `initiate`; each step is a method returning a new procedure
    (this one never changes); an event that is not allowed raises
    `InvalidTransition` and a malformed argument `ValidationError`, and nothing
    changes either way. The resources are released with `release_resources`, and
    `issue_confirmation` closes the procedure with its `ExitConfirmation`.

    A persisted document (``cloudsms.exit-procedure``, schema version 1): reading
    it replays every entry through the guards and checks the chain.

    Serves S13; ISO/IEC 20000-1:2011 4.3, 5, 7.1 and 9.2 (see the module).

    Raises:
        ValidationError: every problem of the fields, each with its path: an
            instance of another lifecycle (``$.lifecycle``), bound to another id
            (``$.lifecycle.id``), begun after the notice (``$.lifecycle.origin``),
            or whose context holds no valid plan (``$.lifecycle.context...``).
    """

    id: str = attrs.field(validator=ident)
    lifecycle: LifecycleInstance = attrs.field(
        validator=Check(_exit_instance_problems, total=True)
    )

    def _rules(self) -> Iterator[Problem]:
        """The trail is bound to the id, begins at the notice, and holds a valid plan."""
        return procedure_problems(self, _plan_problems, recorded="from the notice on")

    # ------------------------------------------------------------------ starting
    @classmethod
    def initiate(
        cls,
        agreement: CloudServiceAgreement,
        *,
        notice: dt.date | dt.datetime,
        by: TerminatingParty | str = TerminatingParty.CUSTOMER,
        reason: TerminationReason | str | None = None,
        who: str,
        id: str | None = None,  # noqa: A002 - the procedure's id, as its field
        keyed: bool = False,
        key: bytes | None = None,
    ) -> ExitProcedure:
        """Plan the exit (`plan_exit`) and give notice: a procedure in ``notice_period``.

        The plan, from the terms in force at the notice, goes into the trail's
        context; the ``give_notice`` entry is recorded at the notice instant, by
        ``who`` (an actor id). ``id`` defaults to ``exit-`` and the agreement's id.
        ``keyed`` makes the trail an HMAC-SHA-256 chain under ``key`` (needed then
        by every step).

        Raises:
            ValidationError: what `plan_exit` refuses (a provider's reason the terms
                do not list, a notice before the start, ...); an id that is not one
                (an agreement id over 59 characters needs an explicit ``id``); a bad
                ``who`` or key.
        """
        plan = plan_exit(agreement, notice=notice, by=by, reason=reason)
        chosen = f"exit-{agreement.id}" if id is None else id
        instance = EXIT_LIFECYCLE.begin(id=chosen, context=_context_of(plan), keyed=keyed)
        frame = _FRAMES.get(instance.context_json)
        if frame is None:
            _FRAMES.remember(instance.context_json, _Frame.of(plan))
        data = {
            "by": plan.initiated_by.value,
            "reason": None if plan.reason is None else plan.reason.value,
        }
        noticed = instance.apply("give_notice", who=who, when=plan.notice_at, data=data, key=key)
        return cls(id=chosen, lifecycle=noticed)

    # ------------------------------------------------------------------ reading
    @property
    def plan(self) -> ExitPlan:
        """The exit plan the procedure runs on (the terms in force at the notice)."""
        frame, _ = _plan_problems(self.lifecycle.context_json)
        return cast("_Frame", frame).plan

    @property
    def state(self) -> str:
        """Where the procedure stands in `EXIT_LIFECYCLE`."""
        return self.lifecycle.state

    @property
    def agreement_id(self) -> str:
        """The id of the agreement being ended."""
        return self.plan.agreement_id

    @property
    def customer_id(self) -> str:
        """The id of the customer leaving."""
        return self.plan.customer_id

    @property
    def decisions(self) -> Mapping[DataCategory, Deletion | LegalHold]:
        """Each category decided so far: its `Deletion` or its `LegalHold`, in trail order."""
        found: dict[DataCategory, Deletion | LegalHold] = {}
        for entry in self.lifecycle.entries:
            if entry.event == "delete":
                data = entry.data
                category = DataCategory(data["category"])
                found[category] = _made(
                    Deletion, category=category, at=entry.when, method=data["method"]
                )
            elif entry.event == "hold":
                data = entry.data
                category = DataCategory(data["category"])
                found[category] = _made(
                    LegalHold,
                    category=category,
                    basis=data["basis"],
                    review_on=dt.date.fromisoformat(data["review_on"]),
                )
        return FrozenMapping(found)

    @property
    def undecided(self) -> tuple[DataCategory, ...]:
        """The categories neither deleted nor held yet, in `DataCategory` order."""
        decided = _decided(self.lifecycle)
        return tuple(c for c in _CATEGORIES if c.value not in decided)

    @property
    def retrievals(self) -> tuple[tuple[str, dt.datetime], ...]:
        """Each retrieval recorded: its format and when, oldest first."""
        return tuple(
            (entry.data["format"], entry.when)
            for entry in self.lifecycle.entries
            if entry.event == "record_retrieval"
        )

    @property
    def backup_kept(self) -> bool:
        """Whether the provider still keeps the backup (until the ``backups`` are deleted)."""
        return not any(
            entry.event == "delete" and entry.data["category"] == DataCategory.BACKUPS
            for entry in self.lifecycle.entries
        )

    @property
    def data_released(self) -> bool:
        """Whether the data may now be deleted: confirmed no longer needed, or retention over."""
        return any(
            entry.event in {"confirm_not_needed", "end_retention"}
            for entry in self.lifecycle.entries
        )

    @property
    def resources_released(self) -> bool:
        """Whether the customer's resources are released (the ``release_resources`` event)."""
        return any(entry.event == "release_resources" for entry in self.lifecycle.entries)

    @property
    def is_closed(self) -> bool:
        """Whether the written confirmation is issued."""
        return self.lifecycle.state == "closed"

    @property
    def is_withdrawn(self) -> bool:
        """Whether the notice was withdrawn (the agreement goes on)."""
        return self.lifecycle.state == "withdrawn"

    # ------------------------------------------------------------------ stepping
    def apply(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
        key: bytes | None = None,
    ) -> ExitProcedure:
        """Apply any event of `EXIT_LIFECYCLE` with its raw data; the named steps are simpler.

        Raises:
            InvalidTransition: the event is not allowed now, or its guard refuses it.
            ValidationError: a bad ``who``, ``when``, ``data`` or key.
        """
        return moved(self, self.lifecycle.apply(event, who=who, when=when, data=data, key=key))

    def refusal(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
    ) -> str | None:
        """Why ``event`` would be refused now (``None`` when it would be applied)."""
        return self.lifecycle.refusal(event, who=who, when=when, data=data)

    def withdraw(
        self,
        *,
        by: TerminatingParty | str = TerminatingParty.CUSTOMER,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> ExitProcedure:
        """Take the notice back: ``by`` the party that gave it, before the termination's effect.

        Only where the terms allow a withdrawal. The entry records ``by``
        (``{"by": party}``), so the trail says which party took its notice back.

        Raises:
            ValidationError: ``by`` is neither ``"customer"`` nor ``"provider"``.
            InvalidTransition: not in ``notice_period``, the terms allow no
                withdrawal, ``by`` is not the party that gave notice, or the
                termination has taken effect.
        """
        raise_problems(_party_problems(by, "$.by"), _SUBJECT)
        data = {"by": TerminatingParty(by).value}
        return self.apply("withdraw", who=who, when=when, data=data, key=key)

    def take_effect(
        self, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> ExitProcedure:
        """The termination takes effect (on or after its effective date): retrieval opens.

        Record it when it happens: the retrieval window runs from the effective
        date whenever the effect is recorded, and an effect recorded after the
        window has closed is accepted (the procedure must be able to go on) but
        named as such in the written confirmation.

        Raises:
            InvalidTransition: not in ``notice_period``, or before the effective date.
        """
        return self.apply("take_effect", who=who, when=when, key=key)

    def record_retrieval(
        self,
        format: str,  # noqa: A002 - the export format, as the terms call it
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> ExitProcedure:
        """Record that the customer took its data in ``format`` (an agreed export format).

        Raises:
            ValidationError: ``format`` is not text.
            InvalidTransition: not an agreed format, or outside the retrieval window.
        """
        given: object = format
        if not isinstance(given, str):
            raise_problems(
                [Problem("$.format", "an export format (text)", describe(given))], _SUBJECT
            )
        return self.apply("record_retrieval", who=who, when=when, data={"format": format}, key=key)

    def confirm_not_needed(
        self, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> ExitProcedure:
        """Record the customer's confirmation that it no longer needs its data."""
        return self.apply(
            "confirm_not_needed", who=who, when=when, data={"by": "customer"}, key=key
        )

    def end_retention(
        self, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> ExitProcedure:
        """Record that the retention window is over without a confirmation."""
        return self.apply("end_retention", who=who, when=when, key=key)

    def record_release(
        self,
        requests: Sequence[str] = (),
        *,
        remaining: int = 0,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> ExitProcedure:
        """Record a release made by other means: its request ids and how much is still held.

        This records the caller's word: nothing here checks the ids or the count
        against the allocations. `release_resources` is the proof: it carries the
        releases out and counts what is left. ``requests`` is empty only where the
        customer held nothing to release; ``remaining`` other than 0 is refused.

        Raises:
            ValidationError: ``requests`` is not a list of text, or ``remaining``
                is not a count (an int, 0 or more).
            InvalidTransition: not in ``releasing``, or something is still held.
        """
        ids, problems = _references(requests, "$.requests", at_least_one=False)
        problems += _REMAINING.problems(remaining, "$.remaining")
        raise_problems(problems, _SUBJECT)
        data = {"requests": ids, "remaining": remaining}
        return self.apply("release_resources", who=who, when=when, data=data, key=key)

    def delete(
        self,
        category: DataCategory | str,
        method: str | None = None,
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> ExitProcedure:
        """Record that ``category`` is deleted (``method`` says how, if given).

        Raises:
            ValidationError: ``category`` is not a `DataCategory`; ``method`` is
                neither non-empty text nor ``None``.
            InvalidTransition: not in ``deleting``, the category is decided already,
                or the terms keep the backup until the retention window ends.
        """
        problems = _CATEGORY.problems(category, "$.category")
        problems += _METHOD.problems(method, "$.method")
        raise_problems(problems, _SUBJECT)
        data = {"category": _category_value(category), "method": method}
        return self.apply("delete", who=who, when=when, data=data, key=key)

    def hold(
        self,
        category: DataCategory | str,
        *,
        basis: str,
        review_on: dt.date,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> ExitProcedure:
        """Keep ``category`` under a legal hold: its ``basis`` and the day it is reviewed.

        Raises:
            ValidationError: ``category`` is not a `DataCategory`, ``basis`` is not
                non-empty text, ``review_on`` is not a date.
            InvalidTransition: not in ``deleting``, the category is decided already,
                or a review date not after the day of ``when``.
        """
        problems = _CATEGORY.problems(category, "$.category")
        problems += _BASIS.problems(basis, "$.basis")
        problems += _date_problems(review_on, "$.review_on")
        raise_problems(problems, _SUBJECT)
        data = {
            "category": _category_value(category),
            "basis": basis,
            "review_on": review_on.isoformat(),
        }
        return self.apply("hold", who=who, when=when, data=data, key=key)

    def update_records(
        self,
        *,
        configuration: Sequence[str],
        capacity: Sequence[str],
        financial: Sequence[str],
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> ExitProcedure:
        """Record the configuration, capacity and financial records updated (their references).

        Raises:
            ValidationError: a list that is empty or not of non-empty text.
            InvalidTransition: not in ``deleting``, or a category still undecided.
        """
        data: dict[str, list[str]] = {}
        problems: list[Problem] = []
        for kind, refs in zip(_RECORD_KINDS, (configuration, capacity, financial), strict=True):
            data[kind], found = _references(refs, f"$.{kind}", at_least_one=True)
            problems += found
        raise_problems(problems, _SUBJECT)
        return self.apply("update_records", who=who, when=when, data=data, key=key)

    def issue_confirmation(
        self, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> tuple[ExitProcedure, ExitConfirmation]:
        """Close the procedure and return it with its written `ExitConfirmation`.

        Raises:
            InvalidTransition: the records are not updated yet (or a category is open).
        """
        closed = self.apply("issue_confirmation", who=who, when=when, key=key)
        return closed, ExitConfirmation.of(closed)


# ---------------------------------------------------------------------- the release
@attrs.frozen(kw_only=True)
class ExitRelease(Record):
    """What `release_resources` did: the procedure moved on, and each release carried out.

    ``procedure`` is in ``deleting``; ``changes`` holds one `ResourceChange` per
    release request, in the order carried out; ``allocations`` and ``records`` are
    the allocations and configuration records after them all.

    Serves S13 (resources released, the environment cleared) and ISO/IEC
    20000-1:2011 4.4, 6.5, 9.1 and 9.2.
    """

    procedure: ExitProcedure
    changes: tuple[ResourceChange, ...] = attrs.field(converter=as_tuple)
    allocations: tuple[Allocation, ...] = attrs.field(converter=as_tuple)
    records: Mapping[str, ConfigurationRecord] = attrs.field(converter=as_frozen_mapping)


def _pools(pools: object) -> tuple[ResourcePool, ...]:
    given, problems = _listed(
        (pools,) if isinstance(pools, ResourcePool) else pools,
        "$.pools",
        "a ResourcePool or a list of them",
        lambda p: isinstance(p, ResourcePool),
        "a ResourcePool",
    )
    if not given and not problems:
        problems.append(Problem("$.pools", "one or more ResourcePool", "none"))
    seen: dict[str, int] = {}
    for index, pool in enumerate(given):
        if isinstance(pool, ResourcePool):
            if pool.location in seen:
                expected = (
                    f"one pool per location ({pool.location!r} is pool [{seen[pool.location]}]'s)"
                )
                problems.append(
                    Problem(f"$.pools[{index}].location", expected, repr(pool.location))
                )
            seen.setdefault(pool.location, index)
    raise_problems(problems, _SUBJECT)
    return cast("tuple[ResourcePool, ...]", given)


def _holdings(allocations: Sequence[Allocation], plan: ExitPlan, moment: dt.datetime) -> list[int]:
    """The indexes of the customer's holdings under the agreement at or after ``moment``."""
    return [
        index
        for index, a in enumerate(allocations)
        if a.customer == plan.customer_id
        and a.agreement == plan.agreement_id
        and (a.until is None or _utc(a.until) > moment)
    ]


def _pool_for(
    allocation: Allocation, index: int, pools: tuple[ResourcePool, ...]
) -> ResourcePool | Problem:
    if allocation.location is None:
        if len(pools) == 1:
            return pools[0]
        expected = "a location, to choose the pool among several"
        return Problem(f"$.allocations[{index}].location", expected, "null")
    for pool in pools:
        if pool.location == allocation.location:
            return pool
    served = ", ".join(repr(p.location) for p in pools)
    expected = f"the location of one of the pools given ({served})"
    return Problem(f"$.allocations[{index}].location", expected, repr(allocation.location))


def _records_problems(records: object) -> list[Problem]:
    """``[]`` for a mapping of item ids to configuration records, as `carry_out` takes it."""
    if isinstance(records, Mapping) and all(
        isinstance(k, str) and isinstance(v, ConfigurationRecord) for k, v in records.items()
    ):
        return []
    expected = "a mapping of item ids to ConfigurationRecord"
    return [Problem("$.records", expected, describe(records))]


def release_resources(
    procedure: ExitProcedure,
    agreement: CloudServiceAgreement,
    pools: ResourcePool | Iterable[ResourcePool],
    allocations: Iterable[Allocation],
    records: Mapping[str, ConfigurationRecord],
    *,
    who: str,
    when: dt.datetime,
    types: Iterable[ResourceType] | None = None,
    key: bytes | None = None,
) -> ExitRelease:
    """Release everything the leaving customer holds under the agreement, then record it (S13).

    For each holding of the procedure's customer under the agreement still held at
    or after ``when``, a release `ResourceRequest` (requested and carried out by
    ``who`` at ``when``) is carried out with
    `cloudsms.procedures.resource_change.carry_out` against the pool of the
    holding's location (``pools``: one `ResourcePool` or several, one per location;
    a holding without a location is drawn from the only pool given). A holding
    held at ``when`` is released at ``when``, and a change scheduled on it for
    later goes with it (`ResourceRequest.apply`); a holding that starts after
    ``when`` is released at its own start, which removes it whole. Then the
    ``release_resources`` event records the requests' ids and that nothing is held
    (``remaining`` 0), so no cost accrues for the agreement after ``when``.

    ``allocations`` are the allocations of every customer in those pools (carry_out
    reckons capacity from them); ``records`` the configuration records by item id.
    An agreement whose ``end`` is at or before ``when`` is released as if it had
    none: carry_out refuses requests outside an agreement's term, and releasing
    what is still held is what an exit must do.

    Raises:
        InvalidTransition: the procedure is not in ``releasing``; nothing is done.
        ValidationError: wrong-typed arguments (``records`` not a mapping of
            configuration records: ``$.records``); an agreement other than the
            procedure's (``$.agreement.id``); two pools of one location; a holding no
            pool serves (``$.allocations[i].location``); what carry_out refuses.
            Nothing is built and nothing given changes.
    """
    problems = instance_problems(procedure, ExitProcedure, "$.procedure")
    problems += instance_problems(agreement, CloudServiceAgreement, "$.agreement")
    problems += _records_problems(records)
    raise_problems(problems, _SUBJECT)
    if procedure.state != "releasing":
        raise InvalidTransition(
            procedure.state,
            "release_resources",
            allowed=procedure.lifecycle.allowed_events(),
            subject=f"lifecycle {EXIT_LIFECYCLE.name!r}",
        )
    plan = procedure.plan
    if agreement.id != plan.agreement_id or agreement.customer_id != plan.customer_id:
        expected = (
            f"the agreement the procedure ends ({plan.agreement_id!r} of {plan.customer_id!r})"
        )
        got = f"{agreement.id!r} of {agreement.customer_id!r}"
        raise ValidationError.single("$.agreement.id", expected, got, subject=_SUBJECT)
    chosen = _pools(pools)
    given, problems = _listed(
        allocations,
        "$.allocations",
        "a list of Allocation",
        lambda a: isinstance(a, Allocation),
        "an Allocation",
    )
    raise_problems(problems, _SUBJECT)
    held = cast("tuple[Allocation, ...]", given)
    # who and when are checked before anything is carried out (the guard itself
    # refuses only a count other than 0, which this function never records)
    procedure.lifecycle.refusal(
        "release_resources", who=who, when=when, data={"requests": [], "remaining": 0}
    )
    moment = _utc(when)
    targets = _holdings(held, plan, moment)
    placed = [(i, _pool_for(held[i], i, chosen)) for i in targets]
    raise_problems([p for _, p in placed if isinstance(p, Problem)], _SUBJECT)
    terms = agreement
    if agreement.end is not None and _utc(agreement.end) <= moment:
        terms = attrs.evolve(agreement, end=None)
    changes: list[ResourceChange] = []
    current, kept = held, dict(records)
    prefix = procedure.id[:52]
    left = targets
    while left:  # each release ends its holding at `when`, or removes one not yet begun
        target = min((current[i] for i in left), key=lambda a: _utc(a.since))
        pool = cast("ResourcePool", _pool_for(target, 0, chosen))
        effective = when if target.held_at(when) else target.since
        request = ResourceRequest(
            id=f"{prefix}.rel{len(changes) + 1}",
            kind=ResourceRequestKind.RELEASE,
            customer=target.customer,
            agreement=target.agreement,
            service=target.service,
            resource_type=target.resource_type,
            resource_id=target.resource_id,
            requested_at=when,
            effective_at=effective,
            requested_by=who,
        )
        change = carry_out(request, terms, pool, current, kept, as_of=when, types=types, by=who)
        changes.append(change)
        current, kept = change.allocations, dict(change.records)
        left = _holdings(current, plan, moment)
    data = {"requests": [c.request.id for c in changes], "remaining": len(left)}
    moved = procedure.apply("release_resources", who=who, when=when, data=data, key=key)
    return ExitRelease(procedure=moved, changes=changes, allocations=current, records=kept)


# ---------------------------------------------------------------------- the confirmation
class ExitCriterionKind(enum.StrEnum):
    """The exit criteria the written confirmation attests, in the order the exit meets them.

    ``data category closed`` comes once per `DataCategory` (the criterion's
    ``category`` says which); ``data no longer needed`` says in its detail whether
    the customer confirmed it or the retention window ended.
    """

    NOTICE_GIVEN = "notice given"
    TERMINATION_EFFECTIVE = "termination effective"
    DATA_RETRIEVAL_OFFERED = "data retrieval offered"
    DATA_NO_LONGER_NEEDED = "data no longer needed"
    RESOURCES_RELEASED = "resources released"
    DATA_CATEGORY_CLOSED = "data category closed"
    RECORDS_UPDATED = "records updated"


def _hash_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):  # noqa: PLR2004 - SHA-256 in hex
        return []
    return [Problem(path, "64 lower-case hexadecimal digits", describe(value))]


_HASH = Check(_hash_problems, expected="64 lower-case hexadecimal digits", total=True)


def _index_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return []
    return [Problem(path, "an entry index (0 or more)", describe(value))]


def _who_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and ACTOR_ID.fullmatch(value):
        return []
    return [
        Problem(path, "an actor id ('actor:' and a pseudonym)", describe(value, sensitive=True))
    ]


@attrs.frozen(kw_only=True)
class Evidence(Record):
    """A trail entry that proves a criterion: its event, who applied it, when, its index and hash.

    ``who`` is the entry's actor id (pseudonymous, as the trail records it), so a
    reader sees which actor took each step. Anyone holding the procedure checks
    it: the entry at ``index`` has this event, actor, time and hash, and the chain
    holds (`ExitConfirmation.problems`).
    """

    event: str = attrs.field(validator=text)
    who: str = attrs.field(validator=Check(_who_problems, total=True))
    when: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    index: int = attrs.field(validator=Check(_index_problems, total=True))
    hash: str = attrs.field(validator=_HASH)


@attrs.frozen(kw_only=True)
class ExitCriterion(Record):
    """One exit criterion met: what it is, in words, and the trail entries that prove it.

    ``category`` names the data category for ``data category closed`` and is
    ``None`` for every other kind.
    """

    criterion: ExitCriterionKind
    category: DataCategory | None = None
    detail: str = attrs.field(validator=text)
    evidence: tuple[Evidence, ...] = attrs.field(
        converter=as_tuple, validator=one_or_more("trail entries")
    )

    def _rules(self) -> Iterator[Problem]:
        """A category exactly for ``data category closed``."""
        wants = self.criterion is ExitCriterionKind.DATA_CATEGORY_CLOSED
        if wants and self.category is None:
            yield Problem("category", "a data category for 'data category closed'", "null")
        elif not wants and self.category is not None:
            yield Problem(
                "category", f"null for {self.criterion.value!r}", repr(self.category.value)
            )


class _TrailIndex:
    """Where each kind of entry sits in a closed procedure's trail, found in one pass."""

    def __init__(self, procedure: ExitProcedure) -> None:
        self.entries = list(procedure.lifecycle.entries)  # a list indexes faster than a Trail
        self.at: dict[str, list[int]] = {}
        self.decided: dict[str, int] = {}
        for index, entry in enumerate(self.entries):
            self.at.setdefault(entry.event, []).append(index)
            if entry.event in _DECIDING:
                self.decided.update(dict.fromkeys(_CATEGORY_IN.findall(entry.data_json), index))

    def proof(self, *events: str) -> tuple[Evidence, ...]:
        """The evidence of every entry of ``events``, in trail order."""
        indexes = sorted(i for event in events for i in self.at.get(event, ()))
        return tuple(self.evidence(i) for i in indexes)

    def evidence(self, index: int) -> Evidence:
        entry = self.entries[index]
        made = _NEW(Evidence)  # as `_made` builds it, without its keyword dict
        _SET(made, "event", entry.event)
        _SET(made, "who", entry.who)
        _SET(made, "when", entry.when)
        _SET(made, "index", index)
        _SET(made, "hash", entry.hash)
        return made

    def first(self, event: str) -> HistoryEntry:
        return self.entries[self.at[event][0]]


def _criterion(
    *,
    kind: ExitCriterionKind,
    detail: str,
    evidence: tuple[Evidence, ...],
    category: DataCategory | None = None,
) -> ExitCriterion:
    made = _NEW(ExitCriterion)  # as `_made` builds it, without its keyword dict
    _SET(made, "criterion", kind)
    _SET(made, "category", category)
    _SET(made, "detail", detail)
    _SET(made, "evidence", evidence)
    return made


def _criteria(
    procedure: ExitProcedure,
) -> tuple[tuple[ExitCriterion, ...], tuple[LegalHold, ...]]:
    """The criteria a closed procedure's trail proves, and its legal holds."""
    plan = procedure.plan
    trail = _TrailIndex(procedure)
    notice, effect = trail.first("give_notice"), trail.first("take_effect")
    taken = [
        _parsed(trail.entries[i].data_json)["format"] for i in trail.at.get("record_retrieval", ())
    ]
    retrieved = (
        f"; the customer retrieved its data {len(taken)} time(s)"
        f" ({', '.join(dict.fromkeys(taken))})"
        if taken
        else "; the customer recorded no retrieval"
    )
    effect_at = trail.first("take_effect").when
    if _utc(effect_at) >= _utc(plan.retrieval_ends):
        retrieved += (
            f"; the effect was recorded only on {effect_at.isoformat()},"
            " after the retrieval window had closed"
        )
    ids = _parsed(trail.first("release_resources").data_json)["requests"]
    criteria = [
        _criterion(
            kind=ExitCriterionKind.NOTICE_GIVEN,
            detail=(
                f"notice given by the {plan.initiated_by.value} on {notice.when.isoformat()}"
                + ("" if plan.reason is None else f" for {plan.reason.value}")
            ),
            evidence=trail.proof("give_notice"),
        ),
        _criterion(
            kind=ExitCriterionKind.TERMINATION_EFFECTIVE,
            detail=(
                f"effective on {plan.effective_at.isoformat()}, recorded {effect.when.isoformat()}"
            ),
            evidence=trail.proof("take_effect"),
        ),
        _criterion(
            kind=ExitCriterionKind.DATA_RETRIEVAL_OFFERED,
            detail=(
                f"retrieval window from {plan.effective_at.isoformat()} up to"
                f" {plan.retrieval_ends.isoformat()} in {', '.join(plan.export_formats)}"
                f"{retrieved}"
            ),
            evidence=trail.proof("take_effect", "record_retrieval"),
        ),
        _criterion(
            kind=ExitCriterionKind.DATA_NO_LONGER_NEEDED,
            detail=(
                "the customer confirmed its data is no longer needed"
                if "confirm_not_needed" in trail.at
                else f"the retention window ended on {plan.retention_ends.isoformat()}"
            ),
            evidence=trail.proof("confirm_not_needed", "end_retention"),
        ),
        _criterion(
            kind=ExitCriterionKind.RESOURCES_RELEASED,
            detail=(
                f"every holding released ({len(ids)} release request(s): {', '.join(ids)})"
                if ids
                else "nothing was held: no release needed"
            ),
            evidence=trail.proof("release_resources"),
        ),
    ]
    holds: list[LegalHold] = []
    for category in _CATEGORIES:
        index = trail.decided[category.value]
        entry = trail.entries[index]
        data = _parsed(entry.data_json)
        if entry.event == "delete":
            how = "" if data["method"] is None else f" by {data['method']}"
            detail = f"deleted on {entry.when.isoformat()}{how}"
        else:
            review = dt.date.fromisoformat(data["review_on"])
            holds.append(
                _made(LegalHold, category=category, basis=data["basis"], review_on=review)
            )
            detail = f"kept under a legal hold ({data['basis']}), reviewed on {review.isoformat()}"
        criteria.append(
            _criterion(
                kind=ExitCriterionKind.DATA_CATEGORY_CLOSED,
                category=category,
                detail=detail,
                evidence=(trail.evidence(index),),
            )
        )
    refs = _parsed(trail.first("update_records").data_json)
    criteria.append(
        _criterion(
            kind=ExitCriterionKind.RECORDS_UPDATED,
            detail="; ".join(f"{kind}: {', '.join(refs[kind])}" for kind in _RECORD_KINDS),
            evidence=trail.proof("update_records"),
        )
    )
    return tuple(criteria), tuple(holds)


@document("cloudsms.exit-confirmation", version=1)
@attrs.frozen(kw_only=True)
class ExitConfirmation(Record):
    """The written confirmation that the exit criteria are met and the data removed (S13).

    Built from a closed procedure with `of`: the parties, the dates, each
    `ExitCriterion` with its `Evidence` (the trail entries that prove it) and each
    `LegalHold` still keeping a category, with its basis. ``head`` is the trail's
    head after the ``issue_confirmation`` entry: stored with the confirmation, it
    detects later that entries were removed from the procedure's end. `problems`
    checks a confirmation against the procedure it claims to confirm.

    A persisted document (``cloudsms.exit-confirmation``, schema version 1);
    ``cloudsms.reports.termination`` writes it in Markdown for people.

    Serves S13 (the written confirmation) and ISO/IEC 20000-1:2011 4.3 and 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    procedure_id: str = attrs.field(validator=ident)
    agreement_id: str = attrs.field(validator=ident)
    agreement_version: int
    customer_id: str = attrs.field(validator=ident)
    provider: str = attrs.field(validator=text)
    initiated_by: TerminatingParty
    reason: TerminationReason | None = None
    notice_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    effective_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    issued_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    criteria: tuple[ExitCriterion, ...] = attrs.field(
        converter=as_tuple, validator=one_or_more(ExitCriterion)
    )
    legal_holds: tuple[LegalHold, ...] = attrs.field(default=(), converter=as_tuple)
    head: str = attrs.field(validator=_HASH)

    @classmethod
    def of(cls, procedure: ExitProcedure) -> ExitConfirmation:
        """The written confirmation of a closed procedure, read from its trail.

        Raises:
            ValidationError: ``procedure`` is not an `ExitProcedure`, or not closed
                (at ``$.procedure``).
        """
        raise_problems(instance_problems(procedure, ExitProcedure, "$.procedure"), _SUBJECT)
        if not procedure.is_closed:
            raise ValidationError.single(
                "$.procedure",
                "a closed exit procedure (its confirmation issued)",
                f"a procedure in state {procedure.state!r}",
                subject="exit confirmation",
            )
        plan = procedure.plan
        issued = procedure.lifecycle.entries[-1]
        criteria, holds = _criteria(procedure)
        return _made(
            cls,
            procedure_id=procedure.id,
            agreement_id=plan.agreement_id,
            agreement_version=plan.agreement_version,
            customer_id=plan.customer_id,
            provider=plan.provider,
            initiated_by=plan.initiated_by,
            reason=plan.reason,
            notice_at=plan.notice_at,
            effective_at=plan.effective_at,
            issued_at=issued.when,
            criteria=criteria,
            legal_holds=holds,
            head=procedure.lifecycle.head,
        )

    def problems(self, procedure: ExitProcedure, *, key: bytes | None = None) -> list[Problem]:
        """Where this confirmation and ``procedure`` disagree; ``[]`` when it confirms it.

        Each evidence must be the entry at its index (event, actor, time and hash); the
        procedure's chain must hold up to this confirmation's ``head``
        (`cloudsms.lifecycle.verify`, with ``key`` for a keyed trail); and every
        other field must be what `of` reads from the procedure. Paths are the
        confirmation's (``$.criteria[2].evidence[0].hash``), or ``$.procedure``.

        Raises:
            ValidationError: the procedure's trail is keyed and ``key`` is missing
                (or too short), or a key is given for an unkeyed trail.
        """
        given: object = procedure
        if not isinstance(given, ExitProcedure):
            return [Problem("$.procedure", "an ExitProcedure", describe(procedure))]
        found = _evidence_problems(self.criteria, procedure)
        broken = verify(procedure.lifecycle, expected_head=self.head, key=key)
        if broken is not None:
            found.append(
                Problem(
                    "$.procedure", "a trail that holds up to the confirmation's head", str(broken)
                )
            )
        if not procedure.is_closed:
            found.append(
                Problem("$.procedure", "a closed exit procedure", f"state {procedure.state!r}")
            )
            return found
        expected = ExitConfirmation.of(procedure)
        for field in attrs.fields(ExitConfirmation):
            if field.name == "criteria" and any(p.path.startswith("$.criteria") for p in found):
                continue
            if getattr(self, field.name) != getattr(expected, field.name):
                found.append(
                    Problem(
                        f"$.{field.name}",
                        f"what the procedure records ({_shown(getattr(expected, field.name))})",
                        _shown(getattr(self, field.name)),
                    )
                )
        return found


def _evidence_problems(
    criteria: tuple[ExitCriterion, ...], procedure: ExitProcedure
) -> list[Problem]:
    """Each evidence that is not the entry at its index: its event, actor, time and hash."""
    found: list[Problem] = []
    entries = procedure.lifecycle.entries
    for c, criterion in enumerate(criteria):
        for e, proof in enumerate(criterion.evidence):
            path = f"$.criteria[{c}].evidence[{e}]"
            if proof.index >= len(entries):
                expected = f"an index below {len(entries)}, the trail's length"
                found.append(Problem(f"{path}.index", expected, str(proof.index)))
                continue
            entry = entries[proof.index]
            if entry.hash != proof.hash:
                found.append(Problem(f"{path}.hash", entry.hash, proof.hash))
            if entry.event != proof.event:
                found.append(Problem(f"{path}.event", repr(entry.event), repr(proof.event)))
            if entry.who != proof.who:
                found.append(Problem(f"{path}.who", repr(entry.who), repr(proof.who)))
            if instant_key(entry.when) != instant_key(proof.when):
                found.append(
                    Problem(f"{path}.when", entry.when.isoformat(), proof.when.isoformat())
                )
    return found


def _shown(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return repr(value.value)
    if isinstance(value, tuple):
        return f"{len(value)} item(s)"
    return repr(value)
