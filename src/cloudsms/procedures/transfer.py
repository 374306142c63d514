"""Transferring a cloud service (S14): the data moves, the receiver accepts, then the exit.

Designed by cloudsms; the TR's guidance for this scenario is not in our source. The
TR names S14 (transfer a cloud service) only by its title, so this procedure is
built from the exit procedure (S13), the design and transition of services (S05) and
common practice in moving cloud workloads; it cites no clause, and its citations
stay unknown in `cloudsms.reference`.

A customer moves the service(s) of one agreement to another provider, or back
in-house. The source exports each agreed category of the customer's data in a
format the agreement's exit terms list, with the export's SHA-256 checksum
(`export_checksum`, so both sides compute it alike); a `TransitionPlan` fixes the
cut-over window, an optional parallel run and how to roll back; the service is cut
over inside the window; the receiver then compares its own checksums with the
exports' and accepts the transfer, or rejects it, naming the categories to export
again, which sends the procedure back to exporting. Only an accepted transfer
starts the exit procedure of the source agreement (`TransferProcedure.start_exit`,
the customer's notice under `cloudsms.procedures.termination`), so the source
deletes nothing before the receiver has accepted.

`TransferProcedure` runs this on the lifecycle core (`TRANSFER_LIFECYCLE`) with its
audit trail. Its `TransferScope` (the agreement, the parties, the receiver, the
categories and the export formats as they stood when the transfer opened) sits in
the instance's context, which the trail's genesis hash covers; every guard reads
it. The states, in words::

    opened --begin_export--> exporting (at the scope's opening instant)
    exporting --record_export--> exporting (one export of a category in scope, in
        an agreed format; a later export of the same category replaces it)
    exporting --finish_export--> exported (every category in scope exported)
    exported --plan--> planned, planned --plan--> planned (a new plan replaces it)
    planned --start_parallel_run--> parallel_run (where the plan has one, before
        it ends)
    planned --cut_over--> cut_over, parallel_run --cut_over--> cut_over (inside
        the plan's window; from a parallel run, no later than its end, so the
        source still runs beside the receiver when the switch comes)
    cut_over --accept--> accepted (every checksum the receiver computed equals
        the export's)
    cut_over --reject--> exporting (the categories named must be exported again)
    accepted --start_exit--> exit_started (final: the source's exit procedure has
        begun, and the trail names it)
    any state but the finals --cancel--> cancelled (final: the transfer is called
        off; the source keeps everything, since nothing was deleted)

Invariants, each enforced by a guard or the order of the states and checked by the
stateful tests of `cloudsms.testing` (`TransferMachine`):

- no exit procedure comes from a transfer before the receiver has accepted it:
  `start_exit` is the only way to one, and only from ``accepted``;
- an accepted transfer's exports match the receiver's checksums, category by
  category (a mismatch is refused: record a rejection instead);
- a rejection returns to ``exporting`` with the categories it names no longer
  exported;
- an event that is not allowed, or that its guard refuses, raises
  `InvalidTransition` and changes nothing; the trail is append-only and verifiable
  (`cloudsms.lifecycle.verify`, ``cloudsms audit verify``).

Which party acts is data, not identity: ``who`` is a pseudonymous actor id the
procedure records but does not bind to the customer, the source or the receiver.

Examples:
    >>> TRANSFER_LIFECYCLE.allowed_events("cut_over")
    ('accept', 'reject', 'cancel')
    >>> TRANSFER_LIFECYCLE.transition("cut_over", "start_exit") is None  # accept first
    True
    >>> export_checksum(b"")
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from cloudsms._foundation.frozen import FrozenMapping, as_tuple
from cloudsms._foundation.instants import instant_key, load_zone
from cloudsms._kit.checks import (
    ident,
    instance_problems,
    instant,
    raise_problems,
    text,
)
from cloudsms._kit.converter import from_dict, to_dict
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record, one_or_more, unique
from cloudsms.agreements import CloudServiceAgreement, TerminationReason, terms_on
from cloudsms.errors import InvalidTransition, Problem, ValidationError, describe
from cloudsms.lifecycle import Attempt, Guard, Lifecycle, LifecycleInstance, Transition
from cloudsms.periods import timezone
from cloudsms.procedures._stepping import BoundedCache, moved, procedure_problems
from cloudsms.procedures.termination import DataCategory, ExitProcedure

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "TRANSFER_LIFECYCLE",
    "DataExport",
    "ReceiverKind",
    "Rejection",
    "TransferProcedure",
    "TransferScope",
    "TransitionPlan",
    "export_checksum",
]

_SUBJECT = "transfer procedure"
_UTC = dt.UTC
_CATEGORIES: Final = tuple(DataCategory)
_CATEGORY_VALUES: Final = frozenset(c.value for c in DataCategory)


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(_UTC)


def _optional_key(value: dt.datetime | None) -> tuple[dt.datetime, str] | None:
    return None if value is None else instant_key(value)


class ReceiverKind(enum.StrEnum):
    """Who takes the service over (S14): another provider, or the customer itself.

    - ``provider``: another cloud service provider runs the service from now on.
    - ``in-house``: the customer brings the service back into its own operation.
    """

    PROVIDER = "provider"
    IN_HOUSE = "in-house"


# ---------------------------------------------------------------------- checksums and exports
_HEX = re.compile(r"[0-9a-f]{64}")


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


def export_checksum(data: bytes | bytearray | memoryview) -> str:
    r"""The SHA-256 checksum of an export's bytes, as 64 lower-case hexadecimal digits (S14).

    The source records it with each `DataExport` and the receiver computes it again
    over what it received: the two must be equal for the receiver to accept.

    Raises:
        ValidationError: ``data`` is not bytes (at ``$.data``): text has no checksum
            until it is encoded, and the encoding is the exporter's choice.

    Examples:
        >>> export_checksum(b"id;name\n1;Globex\n")[:16]
        '39be6d079a1b03ec'
    """
    given: object = data
    if not isinstance(given, bytes | bytearray | memoryview):
        raise ValidationError.single(
            "$.data", "bytes (encode text first)", describe(given), subject="export checksum"
        )
    return hashlib.sha256(given).hexdigest()


def _lowered(value: object) -> object:
    """A checksum written in upper-case hexadecimal digits, in lower case; anything else as is.

    The trail keeps checksums in lower case (`export_checksum`'s form); a receiver's
    tool that prints them in upper case means the same checksum.
    """
    if isinstance(value, str) and value.isascii() and _HEX.fullmatch(value.lower()):
        return value.lower()
    return value


def _sha_problems(value: object, path: str) -> list[Problem]:
    if _is_sha256(value):
        return []
    return [Problem(path, "a SHA-256 checksum: 64 hexadecimal digits", describe(value))]


def _size_problems(value: object, path: str) -> list[Problem]:
    if type(value) is int and value >= 0:
        return []
    return [Problem(path, "a size in bytes (an integer, 0 or more)", describe(value))]


_SHA256 = Check(_sha_problems, total=True)
_SIZE = Check(_size_problems, total=True)


@attrs.frozen(kw_only=True)
class DataExport(Record):
    """One category of the customer's data exported for the receiver, with its checksum (S14).

    ``format`` is one of the export formats the agreement's exit terms list (the
    procedure checks that); ``sha256`` the checksum of the exported bytes
    (`export_checksum`), ``size`` their length in bytes, ``location`` where the
    receiver fetches them (a URL, a bucket path, a courier's reference) and ``at``
    when the export was made. Designed by cloudsms.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    category: DataCategory
    format: str = attrs.field(validator=text)
    sha256: str = attrs.field(converter=_lowered, validator=_SHA256)
    size: int = attrs.field(validator=_SIZE)
    location: str = attrs.field(validator=text)
    at: dt.datetime = attrs.field(validator=instant, eq=instant_key)

    @classmethod
    def of(
        cls,
        category: DataCategory,
        data: bytes | bytearray | memoryview,
        *,
        format: str,  # noqa: A002 - the export format, as the terms call it
        location: str,
        at: dt.datetime,
    ) -> DataExport:
        """The export of ``data`` (its checksum and size computed here).

        Raises:
            ValidationError: ``data`` is not bytes, or a field is invalid.
        """
        checksum = export_checksum(data)
        return cls(
            category=category,
            format=format,
            sha256=checksum,
            size=memoryview(data).nbytes,
            location=location,
            at=at,
        )


@attrs.frozen(kw_only=True)
class TransitionPlan(Record):
    """How the service moves over (S14): the cut-over window, a parallel run, the way back.

    The service is cut over inside ``cut_over_start`` up to (not including)
    ``cut_over_end``. ``parallel_run_until``, when given, is when a parallel run
    ends: started before the window, it keeps source and receiver running side by
    side, and it straddles the switch. Before the cut-over the receiver runs beside
    the live source; the cut-over then comes while both still run (no later than
    ``parallel_run_until``: the procedure refuses a later one), and after it the
    source stays up beside the receiver until the run ends, so that the rollback
    has a running source to return to. The run ends inside the window, so the
    source carries no live work once the window has closed (it keeps its data until
    the exit, but serves no more). ``rollback`` says in words how to go back to the
    source if the cut-over fails. Designed by cloudsms.

    Raises:
        ValidationError: every problem of the fields, each with its path — among
            them a window that does not end after it starts, and a parallel run
            ending outside the window.
    """

    cut_over_start: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    cut_over_end: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    parallel_run_until: dt.datetime | None = attrs.field(
        default=None, validator=instant, eq=_optional_key
    )
    rollback: str = attrs.field(validator=text)

    def _rules(self) -> Iterator[Problem]:
        """The window ends after it starts; a parallel run ends inside it."""
        start, end = _utc(self.cut_over_start), _utc(self.cut_over_end)
        if end <= start:
            expected = f"an instant after the window's start ({self.cut_over_start.isoformat()})"
            yield Problem("cut_over_end", expected, self.cut_over_end.isoformat())
        elif self.parallel_run_until is not None:
            until = _utc(self.parallel_run_until)
            if until < start or until > end:
                expected = (
                    f"an instant inside the cut-over window ({self.cut_over_start.isoformat()}"
                    f" to {self.cut_over_end.isoformat()})"
                )
                yield Problem("parallel_run_until", expected, self.parallel_run_until.isoformat())


@attrs.frozen(kw_only=True)
class Rejection(Record):
    """The receiver's refusal of a cut-over: why, and which categories to export again (S14).

    Read from the trail (`TransferProcedure.rejections`); ``at`` is when it was
    recorded. Designed by cloudsms.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    reason: str = attrs.field(validator=text)
    categories: tuple[DataCategory, ...] = attrs.field(
        converter=as_tuple, validator=one_or_more(DataCategory) & unique
    )
    at: dt.datetime = attrs.field(validator=instant, eq=instant_key)


# ---------------------------------------------------------------------- the scope
def _zone_problems(value: object, path: str) -> list[Problem]:
    found = load_zone(value, path)
    return found if isinstance(found, list) else []


def _version_problems(value: object, path: str) -> list[Problem]:
    if type(value) is int and value >= 1:
        return []
    return [Problem(path, "a version number (an integer of 1 or more)", describe(value))]


@attrs.frozen(kw_only=True)
class TransferScope(Record):
    """What a transfer moves, to whom, and in which formats, as it stood when opened (S14).

    Built by `TransferProcedure.initiate` from the agreement's terms in force at
    ``opened_at`` (`cloudsms.agreements.terms_on`): its id, version, customer,
    provider and zone, the services it subscribes to, the export formats its exit
    terms list. ``receiver`` names who takes over (a provider's name, or the
    customer's own team for ``in-house``) and ``categories`` the data to move, in
    `DataCategory` order. The procedure keeps it in its lifecycle's context, where
    the trail's genesis hash covers it, so an amendment made during the transfer
    changes none of it. Designed by cloudsms.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    agreement_id: str = attrs.field(validator=ident)
    agreement_version: int = attrs.field(validator=Check(_version_problems, total=True))
    customer_id: str = attrs.field(validator=ident)
    provider: str = attrs.field(validator=text)
    timezone: str = attrs.field(validator=Check(_zone_problems, total=True))
    service_ids: tuple[str, ...] = attrs.field(converter=as_tuple, validator=unique)
    receiver: str = attrs.field(validator=text)
    receiver_kind: ReceiverKind
    categories: tuple[DataCategory, ...] = attrs.field(
        converter=as_tuple, validator=one_or_more(DataCategory) & unique
    )
    export_formats: tuple[str, ...] = attrs.field(
        converter=as_tuple, validator=one_or_more("export formats") & unique
    )
    opened_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)


# ---------------------------------------------------------------------- the scope, parsed once
@attrs.frozen(slots=True)
class _Frame:
    """What the guards need of a scope, computed once per distinct context text."""

    scope: TransferScope
    categories: frozenset[str]
    formats: frozenset[str]
    opened: dt.datetime
    zone: dt.tzinfo

    @classmethod
    def of(cls, scope: TransferScope) -> _Frame:
        return cls(
            scope=scope,
            categories=frozenset(c.value for c in scope.categories),
            formats=frozenset(scope.export_formats),
            opened=_utc(scope.opened_at),
            zone=timezone(scope.timezone),
        )


_FRAMES: BoundedCache[str, _Frame] = BoundedCache(1024)
"""Parsed scopes by the canonical context text that holds them: a cache, never a state."""


def _scope_problems(context_json: str) -> tuple[_Frame | None, list[Problem]]:
    """The frame of the scope ``context_json`` holds, or the problems that keep it from one."""
    frame = _FRAMES.get(context_json)
    if frame is not None:
        return frame, []
    context: dict[str, Any] = json.loads(context_json)  # an object: the core checks it
    if set(context) != {"scope"}:
        got = f"an object with keys {sorted(context)}" if context else "an empty object"
        return None, [Problem("$", "an object holding only the transfer's scope ('scope')", got)]
    try:
        scope = from_dict(TransferScope, context["scope"])
    except ValidationError as error:
        return None, [p._replace(path="$.scope" + p.path[1:]) for p in error.problems]
    return _FRAMES.remember(context_json, _Frame.of(scope)), []


_PARSED: BoundedCache[str, Mapping[str, Any]] = BoundedCache(1024)
"""Event data by its canonical text, parsed once: a cache like `_FRAMES`, never a state."""


def _parsed(data_json: str) -> Mapping[str, Any]:
    """Canonical data text parsed, once per distinct text; read it, never change it."""
    found = _PARSED.get(data_json)
    if found is None:
        found = _PARSED.remember(data_json, json.loads(data_json))
    return found


_PLANS: BoundedCache[str, TransitionPlan | str] = BoundedCache(1024)
"""Transition plans by the canonical data text of their ``plan`` event, or why there is none."""


def _plan_of(data_json: str) -> TransitionPlan | str:
    """The `TransitionPlan` a ``plan`` event's data holds, or the first problem as text."""
    found = _PLANS.get(data_json)
    if found is None:
        try:
            found = from_dict(TransitionPlan, _parsed(data_json))
        except ValidationError as error:
            found = f"the transition plan is invalid ({error.problems[0]})"
        _PLANS.remember(data_json, found)
    return found


# ---------------------------------------------------------------------- reading the trail
def _current_exports(instance: LifecycleInstance) -> dict[str, Mapping[str, Any]]:
    """Each category's export still standing (a rejection undoes those it names), by value."""
    found: dict[str, Mapping[str, Any]] = {}
    for entry in instance.entries:
        if entry.event == "record_export":
            data = _parsed(entry.data_json)
            found[data["category"]] = data
        elif entry.event == "reject":
            for category in _parsed(entry.data_json)["categories"]:
                found.pop(category, None)
    return found


def _current_plan(instance: LifecycleInstance) -> TransitionPlan | None:
    """The plan in force: the latest ``plan`` entry, unless a rejection came after it."""
    plan: TransitionPlan | None = None
    for entry in instance.entries:
        if entry.event == "plan":
            made = _plan_of(entry.data_json)
            plan = made if isinstance(made, TransitionPlan) else None
        elif entry.event == "reject":
            plan = None
    return plan


# ---------------------------------------------------------------------- the guards
_Check = Callable[[LifecycleInstance, Attempt, "_Frame", "Mapping[str, Any]"], "str | None"]
_NO_DATA: Final[Mapping[str, Any]] = FrozenMapping({})


def _scoped(keys: frozenset[str] | None = None) -> Callable[[_Check], Guard]:
    """A check as a guard: given the scope of the attempt's context and the event's data.

    Refused without a valid scope in the context. With ``keys``, the event's data must
    hold exactly those keys; without, it must carry no data, so nothing unread is
    written into the trail.
    """
    wanted = ", ".join(repr(k) for k in sorted(keys or ()))

    def wrap(check: _Check) -> Guard:
        @functools.wraps(check)
        def guard(instance: LifecycleInstance, attempt: Attempt) -> str | None:
            frame, problems = _scope_problems(attempt.context_json)
            if frame is None:
                return f"the instance's context holds no valid transfer scope ({problems[0]})"
            data = _parsed(attempt.data_json)
            if keys is None:
                if data:
                    held = ", ".join(repr(k) for k in sorted(data))
                    return f"the event carries no data (it holds {held})"
                return check(instance, attempt, frame, _NO_DATA)
            if data.keys() != keys:
                held = ", ".join(repr(k) for k in sorted(data)) or "nothing"
                return f"the event's data must hold exactly {wanted} (it holds {held})"
            return check(instance, attempt, frame, data)

        return guard

    return wrap


def _at(instant: dt.datetime, frame: _Frame) -> str:
    """An instant as the scope's zone shows it, for a reason."""
    return instant.astimezone(frame.zone).isoformat()


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _in_scope(value: object, frame: _Frame) -> str | None:
    """Why ``value`` is not one of the scope's categories, or None."""
    if isinstance(value, str) and value in frame.categories:
        return None
    listed = ", ".join(repr(c.value) for c in frame.scope.categories)
    return f"the category must be one the transfer moves ({listed}), not {describe(value)}"


@_scoped()
def _at_opening(
    _: LifecycleInstance, attempt: Attempt, frame: _Frame, __: Mapping[str, Any]
) -> str | None:
    """``begin_export``: at the instant the scope was opened."""
    if _utc(attempt.when) != frame.opened:
        return f"the transfer opened at {_at(frame.opened, frame)}: the export begins then"
    return None


@_scoped(frozenset({"category", "format", "sha256", "size", "location"}))
def _export_on_terms(
    _: LifecycleInstance, __: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``record_export``: a category in scope, an agreed format, a checksum, a size, a place."""
    wrong = _in_scope(data["category"], frame)
    if wrong is not None:
        return wrong
    if not isinstance(data["format"], str) or data["format"] not in frame.formats:
        agreed = ", ".join(repr(f) for f in frame.scope.export_formats)
        return (
            f"the data is exported in an agreed format ({agreed}), not {describe(data['format'])}"
        )
    if not _is_sha256(data["sha256"]):
        return f"'sha256' must be 64 lower-case hexadecimal digits, not {describe(data['sha256'])}"
    if _size_problems(data["size"], "$"):
        return f"'size' must be a count of bytes, not {describe(data['size'])}"
    if not _is_text(data["location"]):
        return f"'location' must say where the export is, not {describe(data['location'])}"
    return None


def _missing(instance: LifecycleInstance, frame: _Frame) -> list[str]:
    done = _current_exports(instance)
    return [c.value for c in frame.scope.categories if c.value not in done]


@_scoped()
def _all_exported(
    instance: LifecycleInstance, _: Attempt, frame: _Frame, __: Mapping[str, Any]
) -> str | None:
    """``finish_export``: every category in scope has an export standing."""
    missing = _missing(instance, frame)
    if missing:
        return f"every category is exported first (still to export: {', '.join(missing)})"
    return None


_PLAN_KEYS: Final = frozenset({"cut_over_start", "cut_over_end", "parallel_run_until", "rollback"})


@_scoped(_PLAN_KEYS)
def _plan_ahead(
    _: LifecycleInstance, attempt: Attempt, __: _Frame, ___: Mapping[str, Any]
) -> str | None:
    """``plan``: a valid transition plan whose window opens no earlier than it is recorded."""
    plan = _plan_of(attempt.data_json)
    if isinstance(plan, str):
        return plan
    if _utc(plan.cut_over_start) < _utc(attempt.when):
        return (
            f"the cut-over window is planned ahead: it opens at {plan.cut_over_start.isoformat()},"
            f" before the plan is recorded ({attempt.when.isoformat()})"
        )
    return None


@_scoped()
def _parallel_run_planned(
    instance: LifecycleInstance, attempt: Attempt, _: _Frame, __: Mapping[str, Any]
) -> str | None:
    """``start_parallel_run``: the plan has a parallel run, and it has not ended."""
    plan = _current_plan(instance)
    if plan is None:  # the states put a plan first; kept for a forged raw trail
        return "no transition plan is in force"
    if plan.parallel_run_until is None:
        return "the transition plan has no parallel run"
    if _utc(attempt.when) >= _utc(plan.parallel_run_until):
        return f"the plan's parallel run ends at {plan.parallel_run_until.isoformat()}"
    return None


@_scoped()
def _within_window(
    instance: LifecycleInstance, attempt: Attempt, _: _Frame, __: Mapping[str, Any]
) -> str | None:
    """``cut_over``: inside the plan's cut-over window, and inside a parallel run under way.

    A parallel run straddles the switch: the cut-over comes while both sides still
    run (no later than ``parallel_run_until``), so the source stays up beside the
    receiver after it, to the run's end, for the rollback.
    """
    plan = _current_plan(instance)
    if plan is None:  # the states put a plan first; kept for a forged raw trail
        return "no transition plan is in force"
    moment = _utc(attempt.when)
    if moment < _utc(plan.cut_over_start) or moment >= _utc(plan.cut_over_end):
        return (
            f"the cut-over window runs from {plan.cut_over_start.isoformat()} up to"
            f" {plan.cut_over_end.isoformat()}"
        )
    until = plan.parallel_run_until
    if instance.state == "parallel_run" and until is not None and moment > _utc(until):
        return (
            f"the parallel run ended at {until.isoformat()}: the cut-over comes while both"
            " sides still run (call the transfer off and open it again)"
        )
    return None


@_scoped(frozenset({"checksums"}))
def _checksums_match(
    instance: LifecycleInstance, _: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``accept``: the receiver's checksum of every category equals its export's."""
    given = data["checksums"]
    if not isinstance(given, Mapping):
        return f"'checksums' must map each category to its checksum, not {describe(given)}"
    wanted = [c.value for c in frame.scope.categories]
    if set(given) != set(wanted):
        return (
            f"the receiver gives a checksum for each category moved ({', '.join(wanted)});"
            f" it gave {', '.join(sorted(given)) or 'none'}"
        )
    exports = _current_exports(instance)
    for category in wanted:
        export = exports.get(category)
        if export is None:
            return f"{category!r} has no export standing"
        checksum = given[category]
        if not _is_sha256(checksum):
            return (
                f"the receiver's checksum of {category!r} must be 64 lower-case hexadecimal"
                f" digits, not {describe(checksum)}"
            )
        if checksum != export["sha256"]:
            return (
                f"the receiver's checksum of {category!r} ({checksum}) differs"
                f" from the export's ({export['sha256']}): record a rejection instead"
            )
    return None


def _categories_reason(value: object, frame: _Frame) -> str | None:
    if not isinstance(value, list) or not value:
        return (
            f"'categories' must list one or more categories to export again, not {describe(value)}"
        )
    for item in value:
        wrong = _in_scope(item, frame)
        if wrong is not None:
            return wrong
    if len(set(value)) != len(value):
        return "'categories' names each category once"
    return None


@_scoped(frozenset({"reason", "categories"}))
def _rejection_given(
    _: LifecycleInstance, __: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``reject``: a reason, and the categories to export again (in scope, each once)."""
    if not _is_text(data["reason"]):
        return f"a rejection says why, not {describe(data['reason'])}"
    return _categories_reason(data["categories"], frame)


@_scoped(frozenset({"exit_id"}))
def _exit_named(
    _: LifecycleInstance, __: Attempt, ___: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``start_exit``: the id of the source's exit procedure."""
    if ident.problems(data["exit_id"], "$"):
        return f"'exit_id' must be the exit procedure's id, not {describe(data['exit_id'])}"
    return None


@_scoped(frozenset({"reason"}))
def _reason_given(
    _: LifecycleInstance, __: Attempt, ___: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``cancel``: why the transfer is called off."""
    if not _is_text(data["reason"]):
        return f"a cancellation says why, not {describe(data['reason'])}"
    return None


_CANCELLABLE: Final = ("opened", "exporting", "exported", "planned", "parallel_run", "cut_over")

TRANSFER_LIFECYCLE = Lifecycle(
    name="transfer",
    states=(
        "opened",
        "exporting",
        "exported",
        "planned",
        "parallel_run",
        "cut_over",
        "accepted",
        "exit_started",
        "cancelled",
    ),
    initial="opened",
    finals=("exit_started", "cancelled"),
    transitions=(
        Transition(source="opened", event="begin_export", target="exporting", guard="at_opening"),
        Transition(
            source="exporting", event="record_export", target="exporting", guard="export_on_terms"
        ),
        Transition(
            source="exporting", event="finish_export", target="exported", guard="all_exported"
        ),
        Transition(source="exported", event="plan", target="planned", guard="plan_ahead"),
        Transition(source="planned", event="plan", target="planned", guard="plan_ahead"),
        Transition(
            source="planned",
            event="start_parallel_run",
            target="parallel_run",
            guard="parallel_run_planned",
        ),
        Transition(source="planned", event="cut_over", target="cut_over", guard="within_window"),
        Transition(
            source="parallel_run", event="cut_over", target="cut_over", guard="within_window"
        ),
        Transition(source="cut_over", event="accept", target="accepted", guard="checksums_match"),
        Transition(source="cut_over", event="reject", target="exporting", guard="rejection_given"),
        Transition(
            source="accepted", event="start_exit", target="exit_started", guard="exit_named"
        ),
        *(
            Transition(source=state, event="cancel", target="cancelled", guard="reason_given")
            for state in (*_CANCELLABLE, "accepted")
        ),
    ),
    guards={
        "at_opening": _at_opening,
        "export_on_terms": _export_on_terms,
        "all_exported": _all_exported,
        "plan_ahead": _plan_ahead,
        "parallel_run_planned": _parallel_run_planned,
        "within_window": _within_window,
        "checksums_match": _checksums_match,
        "rejection_given": _rejection_given,
        "exit_named": _exit_named,
        "reason_given": _reason_given,
    },
)
"""The lifecycle of a transfer (S14, designed by cloudsms); the module docstring draws it.

The instance's context is ``{"scope": <the TransferScope as JSON>}``. Each event's
data: ``record_export`` ``{"category", "format", "sha256", "size", "location"}``
(the export's instant is the entry's); ``plan`` the `TransitionPlan` as JSON
(``cut_over_start``, ``cut_over_end``, ``parallel_run_until``, ``rollback``);
``accept`` ``{"checksums": {category: sha256}}``; ``reject`` ``{"reason",
"categories": [...]}``; ``start_exit`` ``{"exit_id"}``; ``cancel`` ``{"reason"}``;
the others none. A cancellation is open from every state but the finals, accepted
included: the customer may still keep its source agreement then, and nothing of
it was deleted."""


# ---------------------------------------------------------------------- the procedure
def _transfer_instance_problems(value: object, path: str) -> list[Problem]:
    lifecycle: Lifecycle = TRANSFER_LIFECYCLE
    return lifecycle.instance_problems(value, path)


def _categories(value: object, path: str) -> tuple[tuple[DataCategory, ...], list[Problem]]:
    """``value`` as distinct categories in `DataCategory` order, or the problems found."""
    expected = "a list of data categories"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return (), [Problem(path, expected, describe(value))]
    items = list(cast("Iterable[object]", value))
    known = ", ".join(repr(c.value) for c in DataCategory)
    problems = [
        Problem(f"{path}[{i}]", f"a data category: one of {known}", describe(x))
        for i, x in enumerate(items)
        if not (isinstance(x, str) and x in _CATEGORY_VALUES)
    ]
    if not items:
        problems.append(Problem(path, "one or more data categories", "none"))
    seen: set[str] = set()
    for i, x in enumerate(items):
        if isinstance(x, str) and x in _CATEGORY_VALUES:
            if x in seen:
                problems.append(Problem(f"{path}[{i}]", "each category once", repr(str(x))))
            seen.add(x)
    if problems:
        return (), problems
    return tuple(c for c in _CATEGORIES if c.value in seen), []


_EXIT_PARAMETERS: Final = {"$.id": "$.exit_id", "$.keyed": "$.exit_keyed", "$.key": "$.exit_key"}
"""`ExitProcedure.initiate`'s parameters as `TransferProcedure.start_exit` names them."""


def _exit_named_problems(error: ValidationError) -> ValidationError:
    """``error`` of `ExitProcedure.initiate`, its problems at the paths of `start_exit`'s names.

    The exit's ``id``, ``keyed`` and ``key`` are ``exit_id``, ``exit_keyed`` and
    ``exit_key`` there; the other parameters keep their names.
    """
    if not any(p.path in _EXIT_PARAMETERS for p in error.problems):
        return error
    problems = [p._replace(path=_EXIT_PARAMETERS.get(p.path, p.path)) for p in error.problems]
    return ValidationError(problems, subject=_SUBJECT)


def _text_problem(value: object, path: str, expected: str) -> list[Problem]:
    return [] if _is_text(value) else [Problem(path, expected, describe(value))]


@document("cloudsms.transfer-procedure", version=1)
@attrs.frozen(kw_only=True)
class TransferProcedure(Record):
    """A customer's service moving to a receiver, step by step, on its audit trail (S14).

    Designed by cloudsms; the TR's guidance for S14 is not in our source. ``id``
    names the procedure (``transfer-`` and the agreement's id, by default) and
    ``lifecycle`` is its `TRANSFER_LIFECYCLE` instance, bound to that id, whose
    context holds the `TransferScope`. That instance is the one source of truth:
    the state, the exports, the plan, the rejections, the acceptance and the exit's
    id are all read from it. Start one with `initiate`; each step is a method
    returning a new procedure (this one never changes); an event that is not
    allowed raises `InvalidTransition` and a malformed argument `ValidationError`,
    and nothing changes either way. `start_exit` is the only way from a transfer to
    the source's `ExitProcedure`, and only once the receiver has accepted.

    A persisted document (``cloudsms.transfer-procedure``, schema version 1):
    reading it replays every entry through the guards and checks the chain.

    Raises:
        ValidationError: every problem of the fields, each with its path: an
            instance of another lifecycle (``$.lifecycle``), bound to another id
            (``$.lifecycle.id``), begun elsewhere than at the opening
            (``$.lifecycle.origin``), or whose context holds no valid scope
            (``$.lifecycle.context...``).
    """

    id: str = attrs.field(validator=ident)
    lifecycle: LifecycleInstance = attrs.field(
        validator=Check(_transfer_instance_problems, total=True)
    )

    def _rules(self) -> Iterator[Problem]:
        """The trail is bound to the id, begins at the opening, and holds a valid scope."""
        return procedure_problems(self, _scope_problems, recorded="from the opening on")

    # ------------------------------------------------------------------ starting
    @classmethod
    def initiate(
        cls,
        agreement: CloudServiceAgreement,
        *,
        receiver: str,
        receiver_kind: ReceiverKind | str,
        categories: Iterable[DataCategory | str] | None = None,
        who: str,
        when: dt.datetime,
        id: str | None = None,  # noqa: A002 - the procedure's id, as its field
        keyed: bool = False,
        key: bytes | None = None,
    ) -> TransferProcedure:
        """Open a transfer of ``agreement``'s service(s) to ``receiver``: in ``exporting``.

        The scope takes the terms in force at ``when`` (`terms_on`): the export
        formats of the exit terms, the zone, the version, the subscribed services.
        ``categories`` defaults to all six `DataCategory` values. The
        ``begin_export`` entry is recorded at ``when`` (in the agreement's zone), by
        ``who``. ``id`` defaults to ``transfer-`` and the agreement's id. ``keyed``
        makes the trail an HMAC-SHA-256 chain under ``key`` (needed then by every
        step).

        Raises:
            ValidationError: ``agreement`` is not an agreement (``$.agreement``);
                ``receiver`` is not text (``$.receiver``); ``receiver_kind`` is not
                a `ReceiverKind` (``$.receiver_kind``); ``categories`` is empty,
                repeats one or names an unknown one (``$.categories[i]``); ``when``
                is naive, before the agreement's start or at or after its end
                (``$.when``); a bad id (an agreement id over 55 characters needs an
                explicit ``id``), ``who`` or key.
        """
        problems = instance_problems(agreement, CloudServiceAgreement, "$.agreement")
        problems += _text_problem(receiver, "$.receiver", "the receiver's name (text)")
        kinds = ", ".join(repr(k.value) for k in ReceiverKind)
        given_kind: object = receiver_kind
        if not (isinstance(given_kind, str) and given_kind in set(ReceiverKind)):
            problems.append(
                Problem("$.receiver_kind", f"a receiver kind: {kinds}", describe(receiver_kind))
            )
        chosen: tuple[DataCategory, ...] = _CATEGORIES
        if categories is not None:
            chosen, found = _categories(categories, "$.categories")
            problems += found
        problems += instant.problems(when, "$.when")
        raise_problems(problems, _SUBJECT)
        start, end = agreement.effective_from, agreement.end
        if _utc(when) < _utc(start) or (end is not None and _utc(when) >= _utc(end)):
            span = f"from {start.isoformat()}" + (
                "" if end is None else f" up to {end.isoformat()}"
            )
            raise ValidationError.single(
                "$.when",
                f"an instant while the agreement runs ({span})",
                when.isoformat(),
                subject=_SUBJECT,
            )
        terms = terms_on(agreement, when)
        opened = when.astimezone(timezone(terms.timezone))
        scope = TransferScope(
            agreement_id=terms.id,
            agreement_version=terms.version,
            customer_id=terms.customer_id,
            provider=terms.provider,
            timezone=terms.timezone,
            service_ids=sorted({s.service_id for s in terms.subscriptions}),
            receiver=receiver,
            receiver_kind=ReceiverKind(receiver_kind),
            categories=chosen,
            export_formats=terms.exit.export_formats,
            opened_at=opened,
        )
        named = f"transfer-{agreement.id}" if id is None else id
        instance = TRANSFER_LIFECYCLE.begin(
            id=named, context={"scope": to_dict(scope)}, keyed=keyed
        )
        _FRAMES.remember(instance.context_json, _Frame.of(scope))
        begun = instance.apply("begin_export", who=who, when=opened, key=key)
        return cls(id=named, lifecycle=begun)

    # ------------------------------------------------------------------ reading
    @property
    def scope(self) -> TransferScope:
        """What the transfer moves, to whom, in which formats (as it stood when opened)."""
        frame, _ = _scope_problems(self.lifecycle.context_json)
        return cast("_Frame", frame).scope

    @property
    def state(self) -> str:
        """Where the procedure stands in `TRANSFER_LIFECYCLE`."""
        return self.lifecycle.state

    @property
    def agreement_id(self) -> str:
        """The id of the source agreement."""
        return self.scope.agreement_id

    @property
    def customer_id(self) -> str:
        """The id of the customer whose service moves."""
        return self.scope.customer_id

    @property
    def receiver(self) -> str:
        """Who takes the service over."""
        return self.scope.receiver

    def _export(self, data: Mapping[str, Any], at: dt.datetime) -> DataExport:
        return DataExport(
            category=DataCategory(data["category"]),
            format=data["format"],
            sha256=data["sha256"],
            size=data["size"],
            location=data["location"],
            at=at,
        )

    @property
    def export_history(self) -> tuple[DataExport, ...]:
        """Every export recorded, oldest first, those a rejection undid included."""
        return tuple(
            self._export(_parsed(e.data_json), e.when)
            for e in self.lifecycle.entries
            if e.event == "record_export"
        )

    @property
    def exports(self) -> Mapping[DataCategory, DataExport]:
        """Each category's export standing now (the latest, unless a rejection undid it)."""
        found: dict[DataCategory, DataExport] = {}
        for entry in self.lifecycle.entries:
            if entry.event == "record_export":
                export = self._export(_parsed(entry.data_json), entry.when)
                found[export.category] = export
            elif entry.event == "reject":
                for category in _parsed(entry.data_json)["categories"]:
                    found.pop(DataCategory(category), None)
        return FrozenMapping({c: found[c] for c in _CATEGORIES if c in found})

    @property
    def pending(self) -> tuple[DataCategory, ...]:
        """The categories in scope with no export standing, in `DataCategory` order."""
        done = self.exports
        return tuple(c for c in self.scope.categories if c not in done)

    @property
    def plan(self) -> TransitionPlan | None:
        """The transition plan in force (``None`` before one, or after a rejection voids it)."""
        return _current_plan(self.lifecycle)

    @property
    def parallel_run_started(self) -> dt.datetime | None:
        """When the parallel run under the plan in force started, or ``None``."""
        started: dt.datetime | None = None
        for entry in self.lifecycle.entries:
            if entry.event == "start_parallel_run":
                started = entry.when
            elif entry.event in {"plan", "reject"}:
                started = None
        return started

    @property
    def cut_over_at(self) -> dt.datetime | None:
        """When the cut-over standing now happened (a rejection undoes it), or ``None``."""
        at: dt.datetime | None = None
        for entry in self.lifecycle.entries:
            if entry.event == "cut_over":
                at = entry.when
            elif entry.event == "reject":
                at = None
        return at

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        """Every rejection by the receiver, oldest first."""
        found: list[Rejection] = []
        for entry in self.lifecycle.entries:
            if entry.event == "reject":
                data = _parsed(entry.data_json)
                found.append(
                    Rejection(
                        reason=data["reason"],
                        categories=tuple(DataCategory(c) for c in data["categories"]),
                        at=entry.when,
                    )
                )
        return tuple(found)

    @property
    def accepted(self) -> bool:
        """Whether the receiver has accepted the transfer (whatever came after)."""
        return any(entry.event == "accept" for entry in self.lifecycle.entries)

    @property
    def accepted_at(self) -> dt.datetime | None:
        """When the receiver accepted, or ``None``."""
        for entry in self.lifecycle.entries:
            if entry.event == "accept":
                return entry.when
        return None

    @property
    def acceptance(self) -> Mapping[DataCategory, str]:
        """The checksums the receiver accepted, by category (empty before an acceptance)."""
        for entry in self.lifecycle.entries:
            if entry.event == "accept":
                sums = _parsed(entry.data_json)["checksums"]
                return FrozenMapping({c: sums[c.value] for c in _CATEGORIES if c.value in sums})
        return FrozenMapping({})

    @property
    def exit_id(self) -> str | None:
        """The id of the source's exit procedure once `start_exit` began it, else ``None``."""
        for entry in self.lifecycle.entries:
            if entry.event == "start_exit":
                return cast("str", _parsed(entry.data_json)["exit_id"])
        return None

    @property
    def is_cancelled(self) -> bool:
        """Whether the transfer was called off."""
        return self.lifecycle.state == "cancelled"

    @property
    def is_exit_started(self) -> bool:
        """Whether the source's exit procedure has begun (the transfer's final step)."""
        return self.lifecycle.state == "exit_started"

    # ------------------------------------------------------------------ stepping
    def apply(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
        key: bytes | None = None,
    ) -> TransferProcedure:
        """Apply any event of `TRANSFER_LIFECYCLE` with its raw data; the named steps are simpler.

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

    def record_export(
        self, export: DataExport, *, who: str, key: bytes | None = None
    ) -> TransferProcedure:
        """Record ``export`` at its own instant; a category exported again replaces the last.

        Raises:
            ValidationError: ``export`` is not a `DataExport`; its instant is before
                the last entry.
            InvalidTransition: not in ``exporting``, a category the transfer does not
                move, or a format the agreement does not list.
        """
        raise_problems(instance_problems(export, DataExport, "$.export"), _SUBJECT)
        data = {
            "category": export.category.value,
            "format": export.format,
            "sha256": export.sha256,
            "size": export.size,
            "location": export.location,
        }
        return self.apply("record_export", who=who, when=export.at, data=data, key=key)

    def finish_export(
        self, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> TransferProcedure:
        """Close the export once every category in scope has an export standing.

        Raises:
            InvalidTransition: not in ``exporting``, or a category still to export
                (the reason names them).
        """
        return self.apply("finish_export", who=who, when=when, key=key)

    def plan_transition(
        self, plan: TransitionPlan, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> TransferProcedure:
        """Record the `TransitionPlan` (a later one replaces it, until the cut-over).

        Raises:
            ValidationError: ``plan`` is not a `TransitionPlan`.
            InvalidTransition: not in ``exported`` or ``planned``, or a window that
                opens before ``when``.
        """
        raise_problems(instance_problems(plan, TransitionPlan, "$.plan"), _SUBJECT)
        data: dict[str, Any] = to_dict(plan)
        return self.apply("plan", who=who, when=when, data=data, key=key)

    def start_parallel_run(
        self, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> TransferProcedure:
        """Start running source and receiver side by side, as the plan says.

        Raises:
            InvalidTransition: not in ``planned``, the plan has no parallel run, or
                it has ended.
        """
        return self.apply("start_parallel_run", who=who, when=when, key=key)

    def cut_over(
        self, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> TransferProcedure:
        """Switch the service to the receiver, inside the plan's window.

        After `start_parallel_run`, the switch comes no later than the plan's
        ``parallel_run_until``: the source keeps running beside the receiver from
        the cut-over to the run's end, ready for the rollback.

        Raises:
            InvalidTransition: not in ``planned`` or ``parallel_run``, outside the
                window, or after the parallel run under way has ended.
        """
        return self.apply("cut_over", who=who, when=when, key=key)

    def accept(
        self,
        checksums: Mapping[DataCategory, str] | Mapping[str, str],
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> TransferProcedure:
        """Record the receiver's acceptance: its checksum of each category, as it computed them.

        Raises:
            ValidationError: ``checksums`` is not a mapping of categories to
                SHA-256 checksums (``$.checksums[...]``).
            InvalidTransition: not in ``cut_over``; a category moved has no
                checksum, or one that differs from its export's (record a
                `reject` instead).
        """
        problems: list[Problem] = []
        sums: dict[str, object] = {}
        given: object = checksums
        if not isinstance(given, Mapping):
            problems.append(
                Problem(
                    "$.checksums", "a mapping of data categories to checksums", describe(given)
                )
            )
        else:
            for category, checksum in given.items():
                if not isinstance(category, str):
                    expected = "data categories (text) as the keys"
                    problems.append(Problem("$.checksums", expected, describe(category)))
                    continue
                name = str(category)  # a DataCategory member reads as its value
                path = f"$.checksums[{name!r}]"
                if name not in _CATEGORY_VALUES:
                    problems.append(Problem(path, "a data category as the key", repr(name)))
                sum_ = _lowered(checksum)
                problems += _sha_problems(sum_, path)
                sums[name] = sum_
        raise_problems(problems, _SUBJECT)
        return self.apply("accept", who=who, when=when, data={"checksums": sums}, key=key)

    def reject(
        self,
        reason: str,
        categories: Iterable[DataCategory | str],
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> TransferProcedure:
        """Record the receiver's rejection: why, and the categories to export again.

        The procedure goes back to ``exporting``; the exports of those categories no
        longer stand, and the plan is void (a new one follows the new export).

        Raises:
            ValidationError: ``reason`` is not text; ``categories`` is empty,
                repeats one or names an unknown one.
            InvalidTransition: not in ``cut_over``, or a category the transfer does
                not move.
        """
        problems = _text_problem(reason, "$.reason", "why the receiver rejects (text)")
        chosen, found = _categories(categories, "$.categories")
        raise_problems(problems + found, _SUBJECT)
        data = {"reason": reason, "categories": [c.value for c in chosen]}
        return self.apply("reject", who=who, when=when, data=data, key=key)

    def cancel(
        self, reason: str, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> TransferProcedure:
        """Call the transfer off (``reason`` says why); the source keeps everything.

        Raises:
            ValidationError: ``reason`` is not text.
            InvalidTransition: the transfer has ended already (exit started or
                cancelled).
        """
        raise_problems(_text_problem(reason, "$.reason", "why it is called off (text)"), _SUBJECT)
        return self.apply("cancel", who=who, when=when, data={"reason": reason}, key=key)

    def start_exit(
        self,
        agreement: CloudServiceAgreement,
        *,
        notice: dt.date | dt.datetime,
        who: str,
        reason: TerminationReason | str | None = None,
        exit_id: str | None = None,
        exit_keyed: bool = False,
        exit_key: bytes | None = None,
        key: bytes | None = None,
    ) -> tuple[TransferProcedure, ExitProcedure]:
        """Begin the source's exit procedure, now that the receiver has accepted (S13 from S14).

        The customer gives notice on ``notice`` (`ExitProcedure.initiate`, ``by``
        the customer, with an optional ``reason``); the transfer records the exit's
        id in its ``start_exit`` entry at the notice instant and ends in
        ``exit_started``. This is the only way from a transfer to an exit, so the
        source deletes nothing before the receiver has accepted. ``exit_id``,
        ``exit_keyed`` and ``exit_key`` are the exit's ``id``, ``keyed`` and
        ``key``; ``key`` is this transfer's.

        Raises:
            InvalidTransition: the transfer is not ``accepted``; nothing is built.
            ValidationError: ``agreement`` is not the transfer's (``$.agreement.id``,
                ``$.agreement.customer_id``); a notice before the acceptance
                (``$.notice``); what `ExitProcedure.initiate` refuses.
        """
        if self.lifecycle.state != "accepted":
            raise InvalidTransition(
                self.lifecycle.state,
                "start_exit",
                reason="the source's exit starts only once the receiver has accepted",
                allowed=self.lifecycle.allowed_events(),
                subject=f"lifecycle {TRANSFER_LIFECYCLE.name!r}",
            )
        problems = instance_problems(agreement, CloudServiceAgreement, "$.agreement")
        if not problems:
            scope = self.scope
            if agreement.id != scope.agreement_id:
                expected = f"the transfer's agreement ({scope.agreement_id!r})"
                problems.append(Problem("$.agreement.id", expected, repr(agreement.id)))
            elif agreement.customer_id != scope.customer_id:
                expected = f"the transfer's customer ({scope.customer_id!r})"
                problems.append(
                    Problem("$.agreement.customer_id", expected, repr(agreement.customer_id))
                )
        last = self.lifecycle.entries[-1].when
        too_early = f"a notice no earlier than the receiver's acceptance ({last.isoformat()})"
        given: object = notice
        if (
            not problems
            and isinstance(given, dt.date)
            and not isinstance(given, dt.datetime)
            and given < last.astimezone(timezone(self.scope.timezone)).date()
        ):  # a day before the acceptance's: refused here, whatever its year
            problems.append(Problem("$.notice", too_early, given.isoformat()))
        raise_problems(problems, _SUBJECT)
        try:
            leaving = ExitProcedure.initiate(
                agreement,
                notice=notice,
                by="customer",
                reason=reason,
                who=who,
                id=exit_id,
                keyed=exit_keyed,
                key=exit_key,
            )
        except ValidationError as error:
            raise _exit_named_problems(error) from None
        noticed = leaving.plan.notice_at
        if _utc(noticed) < _utc(last):
            raise ValidationError.single(
                "$.notice", too_early, noticed.isoformat(), subject=_SUBJECT
            )
        moved = self.apply(
            "start_exit", who=who, when=noticed, data={"exit_id": leaving.id}, key=key
        )
        return moved, leaving
