"""Removing a service from the catalogue (S15): who is told, when it may go, and how.

Designed by cloudsms; the TR's guidance for this scenario is not in our source (S15
is a title only there), so no clause is cited for it. What follows is how cloudsms
retires a service, built from the exit procedure of S13 and the service lifecycle
of S05.

`plan_removal` answers the question a provider asks before it announces a removal:
which agreements subscribe to the service, how much notice each of them is owed, and
so the earliest day the service may be removed. For every agreement not ended at the
instant the notices go out (``as_of``) with a subscription to one of the service's
catalogue entries, a `Subscriber` says how its subscription ends (`RemovalEnd`). That
includes an agreement signed for a later start: its customer is told at ``as_of`` too,
its terms are read as they stand at its start, and since a termination cannot take
effect before the agreement starts, its notice ends at the later of one notice period
after ``as_of`` and its start (`Subscriber.starts_at`). So does an agreement
amended to subscribe to the service from after ``as_of``: it is told at ``as_of``,
its terms are read as they stand when that amendment takes effect, and its
subscription never ends before then (`Subscriber.starts_at` holds that instant):

- ``notice``: the agreement lets the provider terminate for
  `TerminationReason.SERVICE_RETIREMENT`; the subscription ends one notice period
  (of the terms in force at ``as_of``) after the notice, on the agreement's wall
  clock;
- ``agreement end``: the agreement ends on its own before that (or the provider may
  not end it by notice, and it has an end): it ends then;
- ``consent or transfer``: the provider may not end it by notice and it runs with no
  end: only the customer's own termination or a transfer ends it. The plan lists it
  among its ``blockers`` and has no earliest removal date.

The earliest removal date is the latest of the subscribers' ends (``as_of`` itself
when nobody subscribes). A `RemovalPlan` holds all of this and writes each
subscriber's `Notice` (`RemovalPlan.notices`).

`RemovalProcedure` runs the removal on the lifecycle core (`REMOVAL_LIFECYCLE`) with
its audit trail; the plan sits in the instance's context, covered by the genesis
hash. The states, in words::

    opened --announce--> retiring (with `announce_removal`: the catalogue's service
        goes live -> retiring, so `check_agreement` refuses new subscriptions)
    retiring --notify--> retiring (one per subscriber of the plan, once, not before
        its notice goes out)
    retiring --close_subscription--> retiring (a notified subscriber, once:
        terminated by an exit procedure whose termination has taken effect,
        transferred by a transfer whose source's exit has taken effect, or
        expired at the agreement's end)
    retiring --release_resources--> retiring (once, after every subscription is
        closed: `release_service_resources` carries the releases out)
    retiring --update_records--> retiring (once, after the release: catalogue and
        configuration records, and what is kept archived with its basis)
    retiring --retire--> retired (final; with `retire_service`: the service goes
        retiring -> retired and its entries leave the catalogue)

Invariants, each enforced by a guard and checked by the stateful tests of
`cloudsms.testing`:

- the service is never retired while a subscription to it is open, nor before the
  earliest removal date (for a plan with blockers: the latest end notice gives the
  others, once the blockers are closed by consent or transfer); the procedure holds
  this rule, so the service model needs no knowledge of agreements;
- only subscribers of the plan are notified, each once; a subscription closes only
  after its notice, and once;
- an event that is not allowed, or that its guard refuses, raises
  `InvalidTransition` and changes nothing; the trail is append-only and verifiable.

Serves S15 (remove a cloud service: stop new subscriptions, notify subscribers with
notice, end every subscription, release resources, update the catalogue and the
configuration records, archive) on the termination terms S07 agreed, with the exit
procedure of S13 and the transfer of S14 closing the subscriptions.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import FrozenMapping, as_frozen_mapping, as_tuple
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._kit.checks import (
    ID,
    calendar_length,
    ident,
    instance_problems,
    instant,
    raise_problems,
    text,
)
from cloudsms._kit.converter import from_dict, to_dict
from cloudsms._kit.documents import document
from cloudsms._kit.durations import format_duration
from cloudsms._kit.records import Check, Record
from cloudsms.agreements import (
    CloudServiceAgreement,
    Notice,
    NoticePayload,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    TermKind,
    terms_on,
)
from cloudsms.agreements.amendments import _thawed
from cloudsms.catalogue import Catalogue
from cloudsms.configuration import ConfigurationRecord
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.lifecycle import (
    Attempt,
    Guard,
    HistoryEntry,
    Lifecycle,
    LifecycleInstance,
    Transition,
    advance,
)
from cloudsms.periods import timezone
from cloudsms.procedures._exit_plan import _follows
from cloudsms.procedures._stepping import BoundedCache, moved, procedure_problems
from cloudsms.procedures.resource_change import ResourceChange, carry_out
from cloudsms.procedures.termination import ExitProcedure
from cloudsms.procedures.transfer import TransferProcedure
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
    "NOTICE_KIND",
    "REMOVAL_LIFECYCLE",
    "ArchivedRecord",
    "RemovalEnd",
    "RemovalPlan",
    "RemovalProcedure",
    "RemovalRelease",
    "Subscriber",
    "announce_removal",
    "plan_removal",
    "release_service_resources",
    "retire_service",
]

_SUBJECT = "Removal plan"
_UTC = dt.UTC

NOTICE_KIND: Final = "service-removal"
"""The payload kind of a removal notice (`NoticePayload.kind`)."""


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(_UTC)


def _optional_key(value: dt.datetime | None) -> tuple[dt.datetime, str] | None:
    return None if value is None else instant_key(value)


class RemovalEnd(enum.StrEnum):
    """How a subscription to a service being removed comes to an end (S15).

    - ``notice``: the provider ends it by notice for the service's retirement, as
      the agreement allows; it ends one notice period after the notice.
    - ``agreement end``: the agreement ends on its own before that (or cannot be
      ended by notice but has an end): it ends at the agreement's end.
    - ``consent or transfer``: the provider may not end it by notice and it has no
      end: only the customer's own termination or a transfer ends it.
    """

    NOTICE = "notice"
    AGREEMENT_END = "agreement end"
    CONSENT_OR_TRANSFER = "consent or transfer"


def _sorted_ids(value: tuple[str, ...], path: str) -> list[Problem]:
    if list(value) == sorted(set(value)):
        return []
    return [Problem(path, "ids sorted, each once", ", ".join(value))]


_SORTED_IDS = Check(_sorted_ids, expected="ids sorted, each once")


def _positive_version(value: int, path: str) -> list[Problem]:
    return [] if value >= 1 else [Problem(path, "a version of 1 or more", str(value))]


_version = Check(_positive_version, expected="a version number (an integer of 1 or more)")


@attrs.frozen(kw_only=True)
class Subscriber(Record):
    """One agreement that subscribes to the service being removed, and how it ends (S15).

    ``agreement_id``, ``agreement_version`` (the version in force at the notice, or
    when the subscription starts, if later) and
    ``customer_id`` name the agreement and its customer; ``entry_ids`` the service's
    catalogue entries it subscribes to (sorted). ``notice_at`` is the instant the
    notice goes out, in the agreement's zone (the start of the plan's day there, or
    the plan's instant). ``ends_by`` says how the subscription ends (`RemovalEnd`),
    ``notice_period`` is the notice the terms give the provider for a retirement
    (``None`` where they do not let it end the agreement so), and ``notice_ends`` is
    when the subscription ends: one notice period after ``notice_at`` on the
    agreement's wall clock, or the agreement's end if that comes first (``None``
    for ``consent or transfer``). ``starts_at`` is when the subscription starts, if
    after the notice: the agreement's start (an agreement signed for a later start
    still subscribes, and is told at once), or the instant an amendment brings the
    subscription in; else ``None``. A subscription cannot end before it starts, so
    a notice period that would run out sooner ends at ``starts_at``.

    Raises:
        ValidationError: every problem of the fields, each with its path — among them
            an end before the notice, an end that is not one notice period after
            it for ``notice`` (nor no later than that for ``agreement end``), and a
            period or end given for ``consent or transfer`` (or missing otherwise).
    """

    agreement_id: str = attrs.field(validator=ident)
    agreement_version: int = attrs.field(validator=_version)
    customer_id: str = attrs.field(validator=ident)
    entry_ids: tuple[str, ...] = attrs.field(
        converter=as_tuple, validator=Check(_sorted_ids, expected="ids sorted, each once")
    )
    notice_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    notice_period: relativedelta | None = attrs.field(validator=calendar_length)
    notice_ends: dt.datetime | None = attrs.field(validator=instant, eq=_optional_key)
    ends_by: RemovalEnd
    starts_at: dt.datetime | None = attrs.field(default=None, validator=instant, eq=_optional_key)

    def _rules(self) -> Iterator[Problem]:
        """The end follows from the notice, the period and a later start, as ``ends_by`` says."""
        if not self.entry_ids:
            yield Problem("entry_ids", "one or more catalogue entry ids", "none")
        starts = self.starts_at
        if starts is not None and _utc(starts) <= _utc(self.notice_at):
            expected = f"null, or a start after the notice ({self.notice_at.isoformat()})"
            yield Problem("starts_at", expected, starts.isoformat())
            return
        ends, period = self.notice_ends, self.notice_period
        if self.ends_by is RemovalEnd.CONSENT_OR_TRANSFER:
            if ends is not None:
                expected = "null, since notice cannot end the subscription"
                yield Problem("notice_ends", expected, ends.isoformat())
            if period is not None:
                expected = "null, since the terms give no notice for a retirement"
                yield Problem("notice_period", expected, format_duration(period))
            return
        if ends is None:
            expected = f"the instant the subscription ends ({self.ends_by})"
            yield Problem("notice_ends", expected, "null")
            return
        if _utc(ends) <= _utc(self.notice_at):
            expected = f"an instant after the notice ({self.notice_at.isoformat()})"
            yield Problem("notice_ends", expected, ends.isoformat())
        if self.ends_by is RemovalEnd.NOTICE and period is None:
            yield Problem("notice_period", "the notice the terms give for a retirement", "null")
        if period is not None:
            yield from self._period_rules(ends, period)

    def _period_rules(self, ends: dt.datetime, period: relativedelta) -> Iterator[Problem]:
        full = _follows(self.notice_at, period)
        if full is None:
            expected = "a notice period whose end stays in the supported range"
            yield Problem("notice_period", expected, format_duration(period))
            return
        how = "one notice period after the notice"
        starts = self.starts_at
        if starts is not None and _utc(starts) > _utc(full):
            full, how = starts, "the agreement's start, after the notice period ran out"
        if self.ends_by is RemovalEnd.NOTICE and _utc(ends) != _utc(full):
            yield Problem("notice_ends", f"{full.isoformat()}, {how}", ends.isoformat())
        elif self.ends_by is RemovalEnd.AGREEMENT_END and _utc(ends) > _utc(full):
            expected = f"an agreement end before the notice would end it ({full.isoformat()})"
            yield Problem("notice_ends", expected, ends.isoformat())


def _ordered_subscribers(value: tuple[Subscriber, ...], path: str) -> list[Problem]:
    ids = [s.agreement_id for s in value]
    if ids == sorted(set(ids)):
        return []
    return [Problem(path, "subscribers sorted by agreement id, each once", ", ".join(ids))]


@attrs.frozen(kw_only=True)
class RemovalPlan(Record):
    """Who subscribes to a service being removed, their notice, and the earliest removal (S15).

    Built by `plan_removal`. ``service_id`` is the service, ``entry_ids`` its
    catalogue entries (sorted). ``as_of`` is the day the notices go out and
    ``as_of_instant`` the instant, when one was given (``None``: the start of that
    day in each agreement's own zone). ``subscribers`` lists the agreements not
    ended then (in force, or starting later) that subscribe to an entry of the
    service, sorted by agreement id;
    ``blockers`` the ids of those notice cannot end (`RemovalEnd.CONSENT_OR_TRANSFER`).
    ``earliest_removal`` is the latest of the subscribers' ends, ``None`` while a
    blocker remains, and the plan's own instant when nobody subscribes (the start of
    ``as_of`` in UTC when only a day was given). The record checks that these
    follow from one another.

    The plan round-trips through JSON exactly (`cloudsms.serialization`); the
    removal procedure keeps it in its lifecycle's context. Designed by cloudsms
    (S15).

    Raises:
        ValidationError: every problem of the fields, each with its path — among them
            subscribers out of order, a subscriber's entry that is not the service's,
            blockers that are not the subscribers notice cannot end, and an earliest
            removal date other than the one the subscribers give.
    """

    service_id: str = attrs.field(validator=ident)
    entry_ids: tuple[str, ...] = attrs.field(converter=as_tuple, validator=_SORTED_IDS)
    as_of: dt.date
    as_of_instant: dt.datetime | None = attrs.field(validator=instant, eq=_optional_key)
    subscribers: tuple[Subscriber, ...] = attrs.field(
        converter=as_tuple,
        validator=Check(_ordered_subscribers, expected="subscribers sorted by agreement id"),
    )
    earliest_removal: dt.datetime | None = attrs.field(validator=instant, eq=_optional_key)
    blockers: tuple[str, ...] = attrs.field(converter=as_tuple, validator=_SORTED_IDS)

    def _rules(self) -> Iterator[Problem]:
        """The day and instant agree; entries, blockers and the earliest date follow."""
        if isinstance(self.as_of, dt.datetime):
            yield Problem("as_of", "a date (not a datetime)", self.as_of.isoformat())
            return
        if self.as_of_instant is not None and self.as_of_instant.date() != self.as_of:
            expected = f"{self.as_of_instant.date().isoformat()}, the day of 'as_of_instant'"
            yield Problem("as_of", expected, self.as_of.isoformat())
        yield from self._subscriber_rules()

    def _subscriber_rules(self) -> Iterator[Problem]:
        entries = frozenset(self.entry_ids)
        blockers: list[str] = []
        latest: dt.datetime | None = None
        latest_utc: dt.datetime | None = None
        starts: dict[dt.tzinfo | None, dt.datetime] = {}
        for index, subscriber in enumerate(self.subscribers):
            if not entries.issuperset(subscriber.entry_ids):
                extra = [e for e in subscriber.entry_ids if e not in entries]
                expected = f"entries of service {self.service_id!r} ({', '.join(self.entry_ids)})"
                yield Problem(f"subscribers[{index}].entry_ids", expected, ", ".join(extra))
            at = subscriber.notice_at
            start = starts.get(at.tzinfo)
            if start is None:
                start = starts[at.tzinfo] = self._notice_start(at.tzinfo)
            if at is not start and _utc(at) != _utc(start):
                yield self._notice_problem(index, at, start)
            ends = subscriber.notice_ends
            if ends is None:
                blockers.append(subscriber.agreement_id)
                continue
            ends_utc = _utc(ends)
            if latest_utc is None or ends_utc > latest_utc:
                latest, latest_utc = ends, ends_utc
        if list(self.blockers) != blockers:
            expected = (
                f"the subscribers notice cannot end ({', '.join(blockers)})"
                if blockers
                else "none, since notice ends every subscription"
            )
            yield Problem("blockers", expected, ", ".join(self.blockers) or "none")
        yield from self._removal_rules(blockers, latest)

    def _removal_rules(self, blockers: list[str], latest: dt.datetime | None) -> Iterator[Problem]:
        expected_date = self._expected_removal(blockers, latest)
        if _optional_key(self.earliest_removal) == _optional_key(expected_date):
            return
        if expected_date is None:
            why = "null, since a subscription cannot be ended by notice"
        elif not self.subscribers:
            why = f"{expected_date.isoformat()}, the plan's own instant (nobody subscribes)"
        else:
            why = f"{expected_date.isoformat()}, the latest end of a subscription"
        got = "null" if self.earliest_removal is None else self.earliest_removal.isoformat()
        yield Problem("earliest_removal", why, got)

    def _notice_start(self, zone: dt.tzinfo | None) -> dt.datetime:
        """When the notices go out in ``zone``: the plan's instant, or its day's start there."""
        if self.as_of_instant is not None:
            return self.as_of_instant.astimezone(zone)
        return _day_start(self.as_of, zone)

    def _notice_problem(self, index: int, at: dt.datetime, start: dt.datetime) -> Problem:
        expected = (
            f"{start.isoformat()}, the plan's instant"
            if self.as_of_instant is not None
            else f"{start.isoformat()}, the start of the plan's day in the zone"
        )
        return Problem(f"subscribers[{index}].notice_at", expected, at.isoformat())

    def _expected_removal(
        self, blockers: list[str], latest: dt.datetime | None
    ) -> dt.datetime | None:
        if blockers:
            return None
        if latest is not None:
            return latest
        return self._own_instant

    @property
    def _own_instant(self) -> dt.datetime:
        if self.as_of_instant is not None:
            return self.as_of_instant
        day = self.as_of
        return dt.datetime(day.year, day.month, day.day, tzinfo=_UTC)

    @cached_property
    def _by_agreement(self) -> dict[str, Subscriber]:
        return {s.agreement_id: s for s in self.subscribers}

    def subscriber(self, agreement_id: str) -> Subscriber | None:
        """The subscriber with this agreement id, or ``None``."""
        return self._by_agreement.get(agreement_id)

    @property
    def agreement_ids(self) -> tuple[str, ...]:
        """The subscribers' agreement ids, sorted."""
        return tuple(s.agreement_id for s in self.subscribers)

    def notices(self, sent_by: str) -> tuple[Notice, ...]:
        """One `Notice` of the removal per subscriber, from ``sent_by``, in subscriber order.

        Each goes to the subscriber's customer at its ``notice_at`` and takes effect
        when its subscription ends (at once, for a blocker: what changes then is that
        nothing new may be subscribed). The payload's kind is ``service-removal``
        (`NOTICE_KIND`); its data: ``service_id``, ``agreement_id``,
        ``removal_date`` (the subscription's end as ISO 8601 text, or ``null``) and
        ``ends_by``.

        Raises:
            ValidationError: ``sent_by`` is not an id (``$.sent_by``).
        """
        raise_problems(ident.problems(sent_by, "$.sent_by"), _SUBJECT)
        return tuple(_notice(self.service_id, s, sent_by) for s in self.subscribers)


def _notice(service_id: str, subscriber: Subscriber, sent_by: str) -> Notice:
    ends = subscriber.notice_ends
    payload = NoticePayload(
        kind=NOTICE_KIND,
        data={
            "service_id": service_id,
            "agreement_id": subscriber.agreement_id,
            "removal_date": None if ends is None else ends.isoformat(),
            "ends_by": subscriber.ends_by.value,
        },
    )
    return Notice(
        sent_by=sent_by,
        sent_to={subscriber.customer_id},
        sent_at=subscriber.notice_at,
        effective_at=subscriber.notice_at if ends is None else ends,
        payload=payload,
    )


# ---------------------------------------------------------------------- plan_removal
_RETIREMENT: Final = TerminationReason.SERVICE_RETIREMENT
_NEW = object.__new__
_SET = object.__setattr__


_FIRST_DAY: Final = dt.date(1900, 1, 2)
_LAST_DAY: Final = dt.date(8999, 12, 30)
"""The days whose start is a supported instant (1900 up to 9000, UTC) in every zone."""


def _as_of(as_of: object) -> tuple[dt.date, dt.datetime | None, list[Problem]]:
    if isinstance(as_of, dt.datetime):
        problems = instant_problems(as_of, "$.as_of")
        return as_of.date(), (None if problems else as_of), problems
    if isinstance(as_of, dt.date):
        if not _FIRST_DAY <= as_of <= _LAST_DAY:
            expected = (
                f"a day from {_FIRST_DAY.isoformat()} up to {_LAST_DAY.isoformat()}"
                " (its start is an instant of the supported range in every zone)"
            )
            return _FIRST_DAY, None, [Problem("$.as_of", expected, as_of.isoformat())]
        return as_of, None, []
    expected = "a date, or a datetime with a time zone"
    return dt.date(1970, 1, 1), None, [Problem("$.as_of", expected, describe(as_of))]


class _Days:
    """The instant the notices go out in each zone (and in UTC), found once per zone."""

    def __init__(self, day: dt.date, instant: dt.datetime | None) -> None:
        self.day = day
        self.instant = instant
        self.found: dict[str, tuple[dt.datetime, dt.datetime]] = {}

    def at(self, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
        """The instant in the zone ``zone_name``, and the same instant in UTC."""
        found = self.found.get(zone_name)
        if found is None:
            zone = timezone(zone_name)
            local = (
                self.instant.astimezone(zone)
                if self.instant is not None
                else _day_start(self.day, zone)
            )
            found = self.found[zone_name] = (local, _utc(local))
        return found


def _day_start(day: dt.date, zone: dt.tzinfo | None) -> dt.datetime:
    """The first instant of ``day`` in ``zone`` (after a skipped midnight, the next one)."""
    wall = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    return wall.astimezone(_UTC).astimezone(zone)


def _not_ended(terms: CloudServiceAgreement, at_utc: dt.datetime) -> bool:
    """Whether ``terms`` have not ended at ``at_utc``: in force then, or starting later."""
    return terms.end is None or at_utc < terms.end


@attrs.frozen(slots=True)
class _InForce:
    """What a subscriber is read from: the terms in force at the notice, and its instant.

    ``terms`` holds the agreement's id, customer, start, end, zone and subscriptions
    as they stood then (at its start, for one that starts after the notice);
    ``version`` and ``termination`` are the version and the termination terms in
    force then (which may differ from ``terms``'s own, where only the termination
    terms were amended later: see `_terms_at`). ``starts`` is the agreement's start
    when it comes after the notice, else ``None``.
    """

    terms: CloudServiceAgreement
    version: int
    termination: TerminationTerms
    at: dt.datetime
    at_utc: dt.datetime
    starts: dt.datetime | None = None


_REBUILT: Final = frozenset({TermKind.END, TermKind.SUBSCRIPTIONS, TermKind.TIMEZONE})
"""Terms a subscriber is read from that only `terms_on` puts back as they stood."""


def _terms_at(agreement: CloudServiceAgreement, days: _Days) -> _InForce:
    """The terms in force at the notice (or at the agreement's start, if later), and its instant.

    Only an amended agreement needs more than its own fields, and only when an
    amendment takes effect after the moment read (the notice, or the agreement's
    start when that comes later). Where those later amendments change nothing a
    subscriber is read from but the termination terms, the terms in force are the
    agreement's own with the termination terms the first of them replaced (its
    ``previous`` value) and the version before it: what `terms_on` would give for
    those fields, without rebuilding the whole agreement. Otherwise `terms_on`
    gives them, its zone being the one in force then.

    That zone is found in one step: the zone in force when the plan's day starts
    in the agreement's latest zone; if it is another zone, the day's start there
    is the notice, and the terms are those in force at that instant. Where a
    change of zone falls between the two zones' day starts, neither start lies in
    its own zone's time; this rule then keeps the earlier zone's clock with the
    terms in force at its day's start (docs/removal.md, "Which zone's day?").
    """
    at, at_utc = days.at(agreement.timezone)
    start = agreement.effective_from
    starts = None if at_utc >= start else start.astimezone(at.tzinfo)
    amendments = agreement.amendments
    if not amendments:
        return _InForce(agreement, agreement.version, agreement.termination, at, at_utc, starts)
    read_utc = at_utc if starts is None else _utc(start)
    undone = [a for a in amendments if a.effective_at > read_utc]
    if not undone:
        return _InForce(agreement, agreement.version, agreement.termination, at, at_utc, starts)
    if not any(a.amendment.term in _REBUILT for a in undone):
        termination = agreement.termination
        first = next((a for a in undone if a.amendment.term is TermKind.TERMINATION), None)
        if first is not None:
            termination = from_dict(TerminationTerms, _thawed(first.previous))
        return _InForce(agreement, undone[0].version - 1, termination, at, at_utc, starts)
    terms = terms_on(agreement, at if starts is None else start)
    if terms.timezone != agreement.timezone:
        # The zone in force at the notice (amended later) decides its day.
        at, at_utc = days.at(terms.timezone)
        starts = None if at_utc >= start else start.astimezone(at.tzinfo)
        terms = terms_on(agreement, at if starts is None else start)
    return _InForce(terms, terms.version, terms.termination, at, at_utc, starts)


def _subscribed_later(
    agreement: CloudServiceAgreement, entries: frozenset[str], found: _InForce
) -> _InForce | None:
    """The terms from which an amendment effective after ``found``'s moment subscribes.

    An agreement not subscribing at the notice (or at its start, if later) may be
    amended to subscribe to the service from a later instant: such a subscription
    comes into force while the service is being removed, so, like an agreement
    that starts later, its customer is told at the notice and the subscription
    never ends before it starts. The first amendment of the subscriptions after
    that moment whose terms hold an entry of the service decides: its terms (and
    version) are read as they stand when it takes effect, and ``starts`` is that
    instant on the notice's wall clock. ``None`` when no such amendment exists.
    """
    start = agreement.effective_from
    read_utc = found.at_utc if found.starts is None else _utc(start)
    for applied in agreement.amendments:
        if applied.amendment.term is not TermKind.SUBSCRIPTIONS:
            continue
        effective = applied.effective_at
        if _utc(effective) <= read_utc:
            continue
        terms = terms_on(agreement, effective)
        if any(s.entry_id in entries for s in terms.subscriptions):
            starts = effective.astimezone(found.at.tzinfo)
            return _InForce(
                terms, terms.version, terms.termination, found.at, found.at_utc, starts
            )
    return None


def _subscription(
    agreement: CloudServiceAgreement, entries: frozenset[str], found: _InForce
) -> tuple[_InForce, list[str]] | None:
    """The terms a subscriber is read from and its entries of the service (sorted), or ``None``.

    The terms of ``found`` when they subscribe; else those of a later amendment
    that brings a subscription in (`_subscribed_later`).
    """
    chosen = [s.entry_id for s in found.terms.subscriptions if s.entry_id in entries]
    if not chosen:
        later = _subscribed_later(agreement, entries, found)
        if later is None:
            return None
        found = later
        chosen = [s.entry_id for s in found.terms.subscriptions if s.entry_id in entries]
    if len(chosen) > 1:
        chosen = sorted(set(chosen))
    return found, chosen


_Ends = dict[tuple[object, ...], "dt.datetime | None"]


def _period_key(zone: dt.tzinfo | None, period: relativedelta) -> tuple[object, ...]:
    """What decides one notice period's end from one start: the notice's zone and the length.

    The zone is the notice's own (``at.tzinfo``), not the zone of the terms read,
    which may differ where the zone changes around the notice.

    A checked calendar length holds relative fields only, so these fields are all of
    it; keying on them spares a relativedelta's own (slow) hash and equality.
    """
    return (
        zone,
        period.years,
        period.months,
        period.days,
        period.leapdays,
        period.hours,
        period.minutes,
        period.seconds,
        period.microseconds,
    )


def _subscriber(
    agreement: CloudServiceAgreement, entries: frozenset[str], days: _Days, ends_by: _Ends
) -> Subscriber | Problem | None:
    """The agreement as a subscriber, ``None`` when it does not subscribe then, or a problem.

    ``ends_by`` remembers each notice period's end by zone and length, for one plan
    (whose notices all go out at one instant a zone).
    """
    found = _terms_at(agreement, days)
    terms, at = found.terms, found.at
    if not _not_ended(terms, found.at_utc):
        return None
    subscribed = _subscription(agreement, entries, found)
    if subscribed is None:
        return None
    found, chosen = subscribed
    terms, zone = found.terms, at.tzinfo
    termination = found.termination
    end = terms.end
    period: relativedelta | None = None
    ends: dt.datetime | None
    if termination.terminable_by is not TerminatingParty.CUSTOMER and (
        _RETIREMENT in termination.provider_reasons
    ):
        period = termination.notice_period
        key = _period_key(zone, period)
        if key in ends_by:
            ends = ends_by[key]
        else:
            ends = ends_by[key] = _follows(at, period)
        if ends is None:
            expected = "an agreement whose notice ends within the supported range"
            return Problem("$.as_of", expected, at.isoformat())
        starts = found.starts
        if starts is not None and _utc(starts) > _utc(ends):
            ends = starts
        how = RemovalEnd.NOTICE
        if end is not None and _utc(end) < _utc(ends):
            ends, how = end.astimezone(at.tzinfo), RemovalEnd.AGREEMENT_END
    elif end is not None:
        ends, how = end.astimezone(at.tzinfo), RemovalEnd.AGREEMENT_END
    else:
        ends, how = None, RemovalEnd.CONSENT_OR_TRANSFER
    made = _NEW(Subscriber)
    _SET(made, "agreement_id", terms.id)
    _SET(made, "agreement_version", found.version)
    _SET(made, "customer_id", terms.customer_id)
    _SET(made, "entry_ids", tuple(chosen))
    _SET(made, "notice_at", at)
    _SET(made, "notice_period", period)
    _SET(made, "notice_ends", ends)
    _SET(made, "ends_by", how)
    _SET(made, "starts_at", found.starts)
    return made


def _service_entries(catalogue: Catalogue, service_id: object) -> tuple[str, ...] | Problem:
    services = [s.id for s in catalogue.graph.services]
    if not isinstance(service_id, str) or service_id not in services:
        known = ", ".join(sorted(services)) or "none"
        return Problem(
            "$.service_id", f"a service of the catalogue ({known})", describe(service_id)
        )
    return tuple(sorted(e.id for e in catalogue.entries if e.service == service_id))


def plan_removal(
    catalogue: Catalogue,
    service_id: str,
    agreements: Iterable[CloudServiceAgreement],
    *,
    as_of: dt.date | dt.datetime,
) -> RemovalPlan:
    """The removal plan of ``service_id``, with the notices going out on ``as_of`` (S15).

    ``as_of`` is a `date` (the start of that day in each agreement's zone, or the
    first instant after it where a DST change skips midnight) or an aware datetime.
    The subscribers are the ``agreements`` not ended then (in force, or signed for
    a later start) with a subscription to an entry of the service in ``catalogue``,
    or amended to have one from a later instant (read then, never ending sooner);
    for each, the terms in force then, or at its start if later (`terms_on`,
    consulted only for an amended agreement; its zone is the one in force then),
    decide how its subscription ends (`RemovalEnd`): by the notice period the
    termination terms give, when they let the provider terminate for
    `TerminationReason.SERVICE_RETIREMENT` (never before the agreement starts, and
    cut short by its end), else at the agreement's end, else only with the
    customer's consent or a transfer. The plan's earliest removal date is the
    latest of the ends.

    Raises:
        ValidationError: ``catalogue`` is not a `Catalogue` (``$.catalogue``);
            ``service_id`` is no service of the catalogue's graph (``$.service_id``,
            naming the known ones); ``agreements`` is not a collection of
            `CloudServiceAgreement` (``$.agreements`` or ``$.agreements[i]``), or two
            share an id (``$.agreements[i].id``); ``as_of`` is not a date from
            1900-01-02 up to 8999-12-30 or an aware datetime of the supported range
            (``$.as_of``), or a notice period would end past the supported range.
    """
    problems = instance_problems(catalogue, Catalogue, "$.catalogue")
    raise_problems(problems, _SUBJECT)
    found = _service_entries(catalogue, service_id)
    if isinstance(found, Problem):
        problems.append(found)
        found = ()
    day, instant_given, wrong = _as_of(as_of)
    problems += wrong
    given: object = agreements
    if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
        problems.append(
            Problem("$.agreements", "a list of CloudServiceAgreement", describe(given))
        )
        given = ()
    listed = list(given)
    seen: dict[str, int] = {}
    for index, agreement in enumerate(listed):
        if not isinstance(agreement, CloudServiceAgreement):
            problems.append(
                Problem(f"$.agreements[{index}]", "a CloudServiceAgreement", describe(agreement))
            )
            continue
        first = seen.setdefault(agreement.id, index)
        if first != index:
            expected = f"an agreement id used once (agreement [{first}] has it)"
            problems.append(Problem(f"$.agreements[{index}].id", expected, repr(agreement.id)))
    raise_problems(problems, _SUBJECT)
    entries = frozenset(found)
    days = _Days(day, instant_given)
    ends_by: _Ends = {}
    subscribers: list[Subscriber] = []
    for agreement in listed:
        # Every value of a subscriber comes from a checked agreement or from a calendar
        # step `_follows` checked, so it is built without its field checks; the plan's
        # rules (`RemovalPlan._rules`) still check how the values fit together.
        made = _subscriber(agreement, entries, days, ends_by)
        if isinstance(made, Problem):
            raise ValidationError([made], subject=_SUBJECT)
        if made is not None:
            subscribers.append(made)
    subscribers.sort(key=_agreement_id)
    return _checked_plan(
        service_id=service_id,
        entry_ids=tuple(found),
        as_of=day,
        as_of_instant=instant_given,
        subscribers=tuple(subscribers),
        blockers=tuple(
            s.agreement_id for s in subscribers if s.ends_by is RemovalEnd.CONSENT_OR_TRANSFER
        ),
        earliest_removal=_earliest(subscribers, day, instant_given),
    )


def _agreement_id(subscriber: Subscriber) -> str:
    return subscriber.agreement_id


def _earliest(
    subscribers: list[Subscriber], day: dt.date, instant_given: dt.datetime | None
) -> dt.datetime | None:
    latest: dt.datetime | None = None
    latest_utc: dt.datetime | None = None
    for subscriber in subscribers:
        ends = subscriber.notice_ends
        if ends is None:
            return None
        ends_utc = _utc(ends)
        if latest_utc is None or ends_utc > latest_utc:
            latest, latest_utc = ends, ends_utc
    if latest is not None:
        return latest
    if instant_given is not None:
        return instant_given
    return dt.datetime(day.year, day.month, day.day, tzinfo=_UTC)


def _checked_plan(**values: object) -> RemovalPlan:
    """The plan `plan_removal` derived, its rules run but its field checks not again.

    Should a rule find a problem (it never should), the plan is built with every
    check, which refuses it in the record's own words; a plan read from JSON is
    always built with every check.
    """
    plan = _NEW(RemovalPlan)
    for name, value in values.items():
        _SET(plan, name, value)
    if next(plan._rules(), None) is not None:  # noqa: SLF001 - its own rules, on a value built here
        return RemovalPlan(**values)  # type: ignore[arg-type] # raises, in the record's words
    return plan


# ---------------------------------------------------------------------- the plan, parsed once
@attrs.frozen(slots=True)
class _Frame:
    """What the guards need of a removal plan, computed once per distinct context text."""

    plan: RemovalPlan
    notice_at: Mapping[str, dt.datetime]
    removal: dt.datetime
    removal_utc: dt.datetime

    @classmethod
    def of(cls, plan: RemovalPlan) -> _Frame:
        removal = _removal_date(plan)
        return cls(
            plan=plan,
            notice_at={s.agreement_id: s.notice_at for s in plan.subscribers},
            removal=removal,
            removal_utc=_utc(removal),
        )


def _removal_date(plan: RemovalPlan) -> dt.datetime:
    """The earliest instant the service may go once every subscription is closed.

    The plan's earliest removal date; for a plan with blockers (which have none),
    the latest end notice gives the others, or the plan's own instant: a blocker
    counts once its subscription is closed, by consent or transfer.
    """
    if plan.earliest_removal is not None:
        return plan.earliest_removal
    ends = [s.notice_ends for s in plan.subscribers if s.notice_ends is not None]
    if ends:
        return max(ends, key=_utc)
    return plan._own_instant  # noqa: SLF001 - the plan's own fallback, one module


_FRAMES: BoundedCache[str, _Frame] = BoundedCache(256)
"""Parsed plans by the canonical context text that holds them: a cache, never a state.

The text decides the plan, so a cached frame is exactly what parsing it again would
give. It is bounded: when full, the oldest half is dropped."""


def _plan_problems(context_json: str) -> tuple[_Frame | None, list[Problem]]:
    """The frame of the plan ``context_json`` holds, or the problems that keep it from one."""
    frame = _FRAMES.get(context_json)
    if frame is not None:
        return frame, []
    context: dict[str, Any] = json.loads(context_json)  # an object: the core checks it
    if set(context) != {"plan"}:
        got = f"an object with keys {sorted(context)}" if context else "an empty object"
        return None, [Problem("$", "an object holding only the removal plan ('plan')", got)]
    try:
        plan = from_dict(RemovalPlan, context["plan"])
    except ValidationError as error:
        return None, [p._replace(path="$.plan" + p.path[1:]) for p in error.problems]
    return _FRAMES.remember(context_json, _Frame.of(plan)), []


# ---------------------------------------------------------------------- the guards
_Check = Callable[[LifecycleInstance, Attempt, _Frame, Mapping[str, Any]], "str | None"]
_NO_DATA: Final[Mapping[str, Any]] = FrozenMapping({})


def _planned(keys: frozenset[str] | None = None) -> Callable[[_Check], Guard]:
    """A check as a guard: given the plan of the attempt's context and the event's data.

    Refused without a valid plan in the context. With ``keys``, the event's data
    must hold exactly those keys; without, the event carries no data.
    """
    wanted = ", ".join(repr(k) for k in sorted(keys or ()))

    def wrap(check: _Check) -> Guard:
        @functools.wraps(check)
        def guard(instance: LifecycleInstance, attempt: Attempt) -> str | None:
            frame, problems = _plan_problems(attempt.context_json)
            if frame is None:
                return f"the instance's context holds no valid removal plan ({problems[0]})"
            if keys is None:
                if attempt.data_json != "{}":
                    held = ", ".join(repr(k) for k in sorted(json.loads(attempt.data_json)))
                    return f"the event carries no data (it holds {held})"
                return check(instance, attempt, frame, _NO_DATA)
            data: Mapping[str, Any] = json.loads(attempt.data_json)
            if data.keys() != keys:
                held = ", ".join(repr(k) for k in sorted(data)) or "nothing"
                return f"the event's data must hold exactly {wanted} (it holds {held})"
            return check(instance, attempt, frame, data)

        return guard

    return wrap


_AGREEMENT_IN: Final = re.compile(r'"agreement_id":"((?:[^"\\]|\\.)*)"')
"""An agreement id in an entry's canonical data (ids hold no quote or backslash)."""


def _named(instance: LifecycleInstance, event: str) -> dict[str, int]:
    """The agreements an ``event`` of the trail names, each with the index of its entry."""
    found: dict[str, int] = {}
    for index, entry in enumerate(instance.entries):
        if entry.event == event:
            match = _AGREEMENT_IN.search(entry.data_json)
            if match is not None:
                found.setdefault(match.group(1), index)
    return found


@attrs.frozen(slots=True)
class _Tally:
    """What a trail has recorded so far: who was notified and closed, release and records."""

    notified: frozenset[str] = frozenset()
    closed: frozenset[str] = frozenset()
    released: bool = False
    recorded: bool = False

    def after(self, entry: HistoryEntry) -> _Tally:
        """The tally once ``entry`` is recorded too."""
        event = entry.event
        if event in _NAMING:
            match = _AGREEMENT_IN.search(entry.data_json)
            if match is not None:
                named = match.group(1)
                if event == "notify":
                    return attrs.evolve(self, notified=self.notified | {named})
                return attrs.evolve(self, closed=self.closed | {named})
        if event == "release_resources":
            return attrs.evolve(self, released=True)
        if event == "update_records":
            return attrs.evolve(self, recorded=True)
        return self


_NAMING: Final = frozenset({"notify", "close_subscription"})
_EMPTY: Final = _Tally()
_TALLIES: BoundedCache[str, _Tally] = BoundedCache(4096)
"""Tallies by the hash of the last entry they count: a cache, never a state.

A trail's hash decides every entry before it, so a remembered tally is exactly what
counting the trail again would give; each guard then counts one entry more instead
of the whole trail, and a removal with thousands of subscribers is recorded in time
proportional to its length. Bounded like `_FRAMES` (at most 4,096, the oldest half
dropped when full)."""


def _tally(instance: LifecycleInstance) -> _Tally:
    """What ``instance``'s trail has recorded, counted from the latest tally remembered.

    Only an unkeyed trail's hashes are known to follow from its entries whenever a
    guard sees them (the core checks them as it goes); a keyed trail read without
    its key keeps the hashes it was given, so its entries are always counted anew.
    """
    entries = instance.entries
    if not entries:
        return _EMPTY
    if instance.keyed:
        tally = _EMPTY
        for entry in entries:
            tally = tally.after(entry)
        return tally
    last = entries[-1].hash
    found = _TALLIES.get(last)
    if found is not None:
        return found
    index = len(entries) - 1
    while index >= 0 and entries[index].hash not in _TALLIES:
        index -= 1
    tally = _TALLIES[entries[index].hash] if index >= 0 else _EMPTY
    for entry in entries[index + 1 :]:
        tally = tally.after(entry)
    return _TALLIES.remember(last, tally)


def _subscriber_reason(value: object, frame: _Frame) -> str | None:
    if not isinstance(value, str) or value not in frame.notice_at:
        listed = ", ".join(frame.plan.agreement_ids) or "none"
        return f"only a subscriber in the plan ({listed}), not {describe(value)}"
    return None


def _at(instant: dt.datetime) -> str:
    return instant.isoformat()


@_planned()
def _announced(
    _: LifecycleInstance, __: Attempt, ___: _Frame, ____: Mapping[str, Any]
) -> str | None:
    """``announce``: the plan is there (new subscriptions stop; see `announce_removal`)."""
    return None


@_planned(frozenset({"agreement_id"}))
def _notifiable(
    instance: LifecycleInstance, attempt: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``notify``: a subscriber of the plan, told once, not before its notice goes out."""
    agreement_id = data["agreement_id"]
    wrong = _subscriber_reason(agreement_id, frame)
    if wrong is not None:
        return wrong
    if agreement_id in _tally(instance).notified:
        return f"{agreement_id!r} is notified already: each subscriber is told once"
    notice_at = frame.notice_at[agreement_id]
    if _utc(attempt.when) < _utc(notice_at):
        return f"the plan's notice to {agreement_id!r} goes out at {_at(notice_at)}, not before"
    return None


_HOW: Final = ("terminated", "transferred")
_EXPIRED: Final = "expired"


def _expiry_reason(attempt: Attempt, subscriber: Subscriber, procedure_id: object) -> str | None:
    """Why an ``expired`` closing is refused: no procedure, an agreement end, reached."""
    if procedure_id is not None:
        return f"'procedure_id' must be null for 'expired', not {describe(procedure_id)}"
    ends = subscriber.notice_ends
    if subscriber.ends_by is not RemovalEnd.AGREEMENT_END or ends is None:
        return (
            f"{subscriber.agreement_id!r} does not end at its agreement's end in the plan"
            f" (it ends by {subscriber.ends_by.value}): it expires only if it does"
        )
    if _utc(attempt.when) < _utc(ends):
        return (
            f"{subscriber.agreement_id!r} expires at its agreement's end, {_at(ends)}, not before"
        )
    return None


def _how_reason(attempt: Attempt, frame: _Frame, data: Mapping[str, Any]) -> str | None:
    """Why the closing's ``how`` and ``procedure_id`` are refused, or ``None``."""
    how, procedure_id = data["how"], data["procedure_id"]
    if how == _EXPIRED:
        subscriber = cast("Subscriber", frame.plan.subscriber(data["agreement_id"]))
        return _expiry_reason(attempt, subscriber, procedure_id)
    if how not in _HOW:
        return f"'how' must be 'terminated', 'transferred' or 'expired', not {describe(how)}"
    if not isinstance(procedure_id, str) or not ID.fullmatch(procedure_id):
        return (
            "'procedure_id' must name the exit or transfer procedure,"
            f" not {describe(procedure_id)}"
        )
    return None


@_planned(frozenset({"agreement_id", "how", "procedure_id"}))
def _closable(
    instance: LifecycleInstance, attempt: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``close_subscription``: a notified subscriber, closed once, by a procedure or its end.

    ``terminated`` and ``transferred`` name the exit or transfer procedure that ended
    it; ``expired`` names none (``procedure_id`` null) and is allowed only for a
    subscriber the plan ends at its agreement's end, once that end has come.
    """
    agreement_id = data["agreement_id"]
    wrong = _subscriber_reason(agreement_id, frame)
    if wrong is not None:
        return wrong
    wrong = _how_reason(attempt, frame, data)
    if wrong is not None:
        return wrong
    tally = _tally(instance)
    if agreement_id not in tally.notified:
        return f"{agreement_id!r} is closed only after its notice (not notified yet)"
    if agreement_id in tally.closed:
        return f"{agreement_id!r} is closed already"
    return None


def _open(instance: LifecycleInstance, frame: _Frame) -> list[str]:
    closed = _tally(instance).closed
    return [a for a in frame.plan.agreement_ids if a not in closed]


@_planned(frozenset({"requests", "remaining"}))
def _released(
    instance: LifecycleInstance, _: Attempt, frame: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``release_resources``: every subscription closed first, and nothing of the service held."""
    requests, remaining = data["requests"], data["remaining"]
    if not isinstance(requests, list) or not all(_is_text(r) for r in requests):
        return f"'requests' must be a list of request ids, not {describe(requests)}"
    if type(remaining) is not int or remaining < 0:
        return f"'remaining' must be a count of holdings, not {describe(remaining)}"
    open_ = _open(instance, frame)
    if open_:
        return f"every subscription is closed first (still open: {', '.join(open_)})"
    if remaining:
        return f"{remaining} holding(s) of the service are still held"
    if _tally(instance).released:
        return "the service's resources are released already"
    return None


_RECORD_KINDS: Final = ("catalogue", "configuration")


def _archive_reason(value: object) -> str | None:
    if not isinstance(value, list):
        return f"'archive' must be a list of {{'what', 'basis'}} objects, not {describe(value)}"
    for index, item in enumerate(value):
        if (
            not isinstance(item, Mapping)
            or set(item) != {"what", "basis"}
            or not all(_is_text(v) for v in item.values())
        ):
            return (
                f"archive[{index}] must say what is kept and its basis"
                f" ({{'what', 'basis'}} as text), not {describe(item)}"
            )
    return None


@_planned(frozenset({*_RECORD_KINDS, "archive"}))
def _recorded(
    instance: LifecycleInstance, _: Attempt, __: _Frame, data: Mapping[str, Any]
) -> str | None:
    """``update_records``: after the release, once; the references and the archive given."""
    tally = _tally(instance)
    if not tally.released:
        return "the records are updated once the service's resources are released"
    if tally.recorded:
        return "the records are updated already"
    for kind in _RECORD_KINDS:
        refs = data[kind]
        if not isinstance(refs, list) or not refs or not all(_is_text(r) for r in refs):
            return (
                f"the {kind} records updated are named (one or more references),"
                f" not {describe(refs)}"
            )
    return _archive_reason(data["archive"])


@_planned()
def _retirable(
    instance: LifecycleInstance, attempt: Attempt, frame: _Frame, _: Mapping[str, Any]
) -> str | None:
    """``retire``: every subscription closed, not before the earliest removal, records done.

    The rule S15 puts on the service, held here rather than in the service model: a
    service is never retired while a subscription to it is open.
    """
    missing: list[str] = []
    open_ = _open(instance, frame)
    if open_:
        missing.append(f"subscriptions still open: {', '.join(open_)}")
    if _utc(attempt.when) < frame.removal_utc:
        missing.append(f"the earliest removal date is {_at(frame.removal)}")
    tally = _tally(instance)
    if not tally.released:
        missing.append("the service's resources are not released")
    if not tally.recorded:
        missing.append("the records are not updated")
    return "; ".join(missing) if missing else None


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


REMOVAL_LIFECYCLE = Lifecycle(
    name="service_removal",
    states=("opened", "retiring", "retired"),
    initial="opened",
    finals=("retired",),
    transitions=(
        Transition(source="opened", event="announce", target="retiring", guard="announced"),
        Transition(source="retiring", event="notify", target="retiring", guard="notifiable"),
        Transition(
            source="retiring", event="close_subscription", target="retiring", guard="closable"
        ),
        Transition(
            source="retiring", event="release_resources", target="retiring", guard="released"
        ),
        Transition(source="retiring", event="update_records", target="retiring", guard="recorded"),
        Transition(source="retiring", event="retire", target="retired", guard="retirable"),
    ),
    guards={
        "announced": _announced,
        "notifiable": _notifiable,
        "closable": _closable,
        "released": _released,
        "recorded": _recorded,
        "retirable": _retirable,
    },
)
"""The lifecycle of a service's removal (S15, designed by cloudsms); the module draws it.

The instance's context is ``{"plan": <the RemovalPlan as JSON>}``. Each event's
data: ``notify`` ``{"agreement_id"}``; ``close_subscription`` ``{"agreement_id",
"how": "terminated" | "transferred" | "expired", "procedure_id"}`` (``null`` for
``expired``); ``release_resources``
``{"requests": [ids], "remaining": 0}``; ``update_records`` ``{"catalogue": [refs],
"configuration": [refs], "archive": [{"what", "basis"}, ...]}``; the others none."""


# ---------------------------------------------------------------------- the procedure
def _removal_instance_problems(value: object, path: str) -> list[Problem]:
    lifecycle: Lifecycle = REMOVAL_LIFECYCLE
    return lifecycle.instance_problems(value, path)


_EFFECTIVE_EXIT_STATES: Final = frozenset(
    {"retrieval", "releasing", "deleting", "records_updated", "closed"}
)
"""The exit procedure's states once its termination has taken effect."""


def _is_instant(value: object) -> bool:
    """Whether ``value`` is an aware datetime of the supported range (else `apply` refuses)."""
    return isinstance(value, dt.datetime) and not instant_problems(value, "$.when")


def _took_effect(exit_procedure: ExitProcedure) -> dt.datetime | None:
    """When the exit's ``take_effect`` was recorded (``None`` before it was)."""
    for entry in exit_procedure.lifecycle.entries:
        if entry.event == "take_effect":
            return entry.when
    return None


def _effect_problems(exit_procedure: ExitProcedure, path: str, when: object) -> list[Problem]:
    """Problems unless the exit's termination took effect, no later than ``when``."""
    effect = _took_effect(exit_procedure)
    if exit_procedure.state not in _EFFECTIVE_EXIT_STATES or effect is None:
        return [
            Problem(
                f"{path}.state",
                "an exit whose termination has taken effect (retrieval or later)",
                repr(exit_procedure.state),
            )
        ]
    if _is_instant(when) and _utc(cast("dt.datetime", when)) < _utc(effect):
        expected = (
            f"an instant no earlier than the exit's termination took effect ({effect.isoformat()})"
        )
        return [Problem("$.when", expected, cast("dt.datetime", when).isoformat())]
    return []


def _refs(value: object, path: str, *, at_least_one: bool) -> tuple[list[str], list[Problem]]:
    expected = "one or more references (text)" if at_least_one else "a list of references (text)"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return [], [Problem(path, expected, describe(value))]
    items = list(cast("Iterable[object]", value))
    problems = [
        Problem(f"{path}[{i}]", "a non-empty string", describe(x))
        for i, x in enumerate(items)
        if not _is_text(x)
    ]
    if at_least_one and not items:
        problems.append(Problem(path, expected, describe([])))
    return cast("list[str]", items), problems


@attrs.frozen(kw_only=True)
class ArchivedRecord(Record):
    """Something kept after a service is removed, and why (S15): ``what`` and its ``basis``.

    ``basis`` names the obligation that keeps it: a statute, a contract's record
    keeping term, an auditor's request.
    """

    what: str = attrs.field(validator=text)
    basis: str = attrs.field(validator=text)


@document("cloudsms.removal-procedure", version=1)
@attrs.frozen(kw_only=True)
class RemovalProcedure(Record):
    """A service's removal from the catalogue, step by step, on its audit trail (S15).

    ``id`` names the procedure (``removal-`` and the service's id, by default) and
    ``lifecycle`` is its `REMOVAL_LIFECYCLE` instance, bound to that id, whose
    context holds the `RemovalPlan`. That instance is the one source of truth:
    the state, who was notified and which subscriptions are closed are all read
    from it. Start one with `initiate`; each step is a method returning a new
    procedure (this one never changes); an event that is not allowed raises
    `InvalidTransition` and a malformed argument `ValidationError`, and nothing
    changes either way. `announce_removal` and `retire_service` move the
    catalogue's service with the procedure, both or neither.

    A persisted document (``cloudsms.removal-procedure``, schema version 1):
    reading it replays every entry through the guards and checks the chain.

    Designed by cloudsms (S15; the TR's guidance for it is not in our source).

    Raises:
        ValidationError: every problem of the fields, each with its path: an
            instance of another lifecycle (``$.lifecycle``), bound to another id
            (``$.lifecycle.id``), begun part-way (``$.lifecycle.origin``), or whose
            context holds no valid plan (``$.lifecycle.context...``).
    """

    id: str = attrs.field(validator=ident)
    lifecycle: LifecycleInstance = attrs.field(
        validator=Check(_removal_instance_problems, total=True)
    )

    def _rules(self) -> Iterator[Problem]:
        """The trail is bound to the id, begins at the start, and holds a valid plan."""
        return procedure_problems(self, _plan_problems, recorded="from the start")

    # ------------------------------------------------------------------ starting
    @classmethod
    def initiate(
        cls,
        catalogue: Catalogue,
        service_id: str,
        agreements: Iterable[CloudServiceAgreement],
        *,
        as_of: dt.date | dt.datetime,
        id: str | None = None,  # noqa: A002 - the procedure's id, as its field
        keyed: bool = False,
    ) -> RemovalProcedure:
        """Plan the removal (`plan_removal`): a procedure in ``opened``, its trail empty.

        The plan goes into the trail's context, which the genesis hash covers.
        ``id`` defaults to ``removal-`` and the service's id. ``keyed`` makes the
        trail an HMAC-SHA-256 chain (every step then needs the key). The first
        step is `announce_removal`, which moves the catalogue's service too.

        Raises:
            ValidationError: what `plan_removal` refuses; an id that is not one (a
                service id over 56 characters needs an explicit ``id``).
        """
        plan = plan_removal(catalogue, service_id, agreements, as_of=as_of)
        chosen = f"removal-{service_id}" if id is None else id
        instance = REMOVAL_LIFECYCLE.begin(id=chosen, context={"plan": to_dict(plan)}, keyed=keyed)
        if instance.context_json not in _FRAMES:
            _FRAMES.remember(instance.context_json, _Frame.of(plan))
        return cls(id=chosen, lifecycle=instance)

    # ------------------------------------------------------------------ reading
    @property
    def plan(self) -> RemovalPlan:
        """The removal plan the procedure runs on."""
        frame, _ = _plan_problems(self.lifecycle.context_json)
        return cast("_Frame", frame).plan

    @property
    def state(self) -> str:
        """Where the procedure stands in `REMOVAL_LIFECYCLE`."""
        return self.lifecycle.state

    @property
    def service_id(self) -> str:
        """The id of the service being removed."""
        return self.plan.service_id

    @property
    def notified(self) -> tuple[str, ...]:
        """The agreements whose customers have been notified, in trail order."""
        return tuple(_named(self.lifecycle, "notify"))

    @property
    def unnotified(self) -> tuple[str, ...]:
        """The subscribers not notified yet, in agreement order."""
        told = _named(self.lifecycle, "notify")
        return tuple(a for a in self.plan.agreement_ids if a not in told)

    @property
    def closed(self) -> Mapping[str, tuple[str, str | None]]:
        """Each closed subscription: its agreement id, with how and by which procedure.

        How is ``terminated`` or ``transferred`` (with the procedure's id), or
        ``expired`` (``None``: the agreement ran out); in trail order.
        """
        found: dict[str, tuple[str, str | None]] = {}
        for entry in self.lifecycle.entries:
            if entry.event == "close_subscription":
                data = entry.data
                found[data["agreement_id"]] = (data["how"], data["procedure_id"])
        return FrozenMapping(found)

    @property
    def open_subscriptions(self) -> tuple[str, ...]:
        """The subscriptions not closed yet, in agreement order."""
        frame, _ = _plan_problems(self.lifecycle.context_json)
        return tuple(_open(self.lifecycle, cast("_Frame", frame)))

    @property
    def resources_released(self) -> bool:
        """Whether the service's resources are released."""
        return _tally(self.lifecycle).released

    @property
    def archive(self) -> tuple[ArchivedRecord, ...]:
        """What is kept after the removal, with its basis (once the records are updated)."""
        for entry in self.lifecycle.entries:
            if entry.event == "update_records":
                return tuple(
                    ArchivedRecord(what=item["what"], basis=item["basis"])
                    for item in entry.data["archive"]
                )
        return ()

    @property
    def removal_date(self) -> dt.datetime:
        """The earliest instant `retire` is allowed, once everything else is done."""
        return _removal_date(self.plan)

    @property
    def is_retired(self) -> bool:
        """Whether the service is retired."""
        return self.lifecycle.state == "retired"

    # ------------------------------------------------------------------ stepping
    def apply(
        self,
        event: str,
        *,
        who: str,
        when: dt.datetime,
        data: Mapping[str, Any] | None = None,
        key: bytes | None = None,
    ) -> RemovalProcedure:
        """Apply any event of `REMOVAL_LIFECYCLE` with its raw data; the named steps are simpler.

        Use `announce_removal` and `retire_service` for ``announce`` and
        ``retire``: they move the catalogue's service too.

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

    def notify(
        self, agreement_id: str, *, who: str, when: dt.datetime, key: bytes | None = None
    ) -> RemovalProcedure:
        """Record that the subscriber ``agreement_id`` was sent its notice (`RemovalPlan.notices`).

        Record it when the notice goes out: not before the plan's instant for that
        subscriber. A notice recorded later does not move the earliest removal date;
        the subscription must still be closed, through its own exit or transfer
        procedure, before the service goes.

        Raises:
            ValidationError: ``agreement_id`` is not an id.
            InvalidTransition: not announced yet, not a subscriber of the plan,
                notified already, or before its notice goes out.
        """
        raise_problems(ident.problems(agreement_id, "$.agreement_id"), _PROCEDURE)
        data = {"agreement_id": agreement_id}
        return self.apply("notify", who=who, when=when, data=data, key=key)

    def close_subscription(
        self,
        agreement_id: str,
        *,
        how: str,
        procedure_id: str,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> RemovalProcedure:
        """Record that the subscription of ``agreement_id`` is closed by another procedure.

        ``how`` is ``terminated`` (an exit procedure ended the agreement) or
        ``transferred`` (a transfer moved the service elsewhere); ``procedure_id``
        names that procedure. This records the caller's word; `close_by_exit` and
        `close_by_transfer` check the procedure itself.

        Raises:
            ValidationError: ``agreement_id`` or ``procedure_id`` is not an id, or
                ``how`` is neither word.
            InvalidTransition: not a subscriber, not notified yet, or closed already.
        """
        problems = ident.problems(agreement_id, "$.agreement_id")
        if how not in _HOW:
            problems.append(Problem("$.how", "'terminated' or 'transferred'", describe(how)))
        problems += ident.problems(procedure_id, "$.procedure_id")
        raise_problems(problems, _PROCEDURE)
        data = {"agreement_id": agreement_id, "how": how, "procedure_id": procedure_id}
        return self.apply("close_subscription", who=who, when=when, data=data, key=key)

    def close_by_exit(
        self,
        exit_procedure: ExitProcedure,
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> RemovalProcedure:
        """Close a subscription through the exit procedure that ended its agreement (S13).

        The exit must be for a subscriber of the plan and its termination must have
        taken effect (the exit procedure has reached ``retrieval`` or later), no
        later than ``when``: a subscription is recorded closed only once it is.

        Raises:
            ValidationError: ``exit_procedure`` is not an `ExitProcedure`
                (``$.exit_procedure``), its agreement is no subscriber's
                (``$.exit_procedure.agreement_id``), its termination has not taken
                effect (``$.exit_procedure.state``), or ``when`` is before it did
                (``$.when``).
            InvalidTransition: as `close_subscription`.
        """
        raise_problems(
            instance_problems(exit_procedure, ExitProcedure, "$.exit_procedure"), _PROCEDURE
        )
        agreement_id = exit_procedure.agreement_id
        self._subscriber_named(agreement_id, "$.exit_procedure.agreement_id")
        raise_problems(_effect_problems(exit_procedure, "$.exit_procedure", when), _PROCEDURE)
        return self.close_subscription(
            agreement_id,
            how="terminated",
            procedure_id=exit_procedure.id,
            who=who,
            when=when,
            key=key,
        )

    def close_by_transfer(
        self,
        transfer: TransferProcedure,
        exit_procedure: ExitProcedure,
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> RemovalProcedure:
        """Close a subscription through the transfer that moved its service elsewhere (S14).

        A transfer can still be cancelled until its source's exit starts, and the
        source agreement runs until that exit's termination takes effect; so the
        transfer must be for a subscriber of the plan and in ``exit_started``, and
        ``exit_procedure`` must be the exit it started (its id is the transfer's
        ``exit_id``) with its termination taken effect no later than ``when`` (the
        same rule as `close_by_exit`). The trail names the transfer. The removal's
        ``retire`` therefore waits for the source agreement's end too.

        Raises:
            ValidationError: ``transfer`` is not a `TransferProcedure` (``$.transfer``)
                or ``exit_procedure`` not an `ExitProcedure` (``$.exit_procedure``);
                the transfer's agreement is no subscriber's (``$.transfer.agreement_id``);
                the transfer has not started its source's exit (``$.transfer.state``);
                the exit is not the one it started (``$.exit_procedure.id``); the exit's
                termination has not taken effect (``$.exit_procedure.state``), or
                ``when`` is before it did (``$.when``).
            InvalidTransition: as `close_subscription`.
        """
        problems = instance_problems(transfer, TransferProcedure, "$.transfer")
        problems += instance_problems(exit_procedure, ExitProcedure, "$.exit_procedure")
        raise_problems(problems, _PROCEDURE)
        agreement_id = transfer.agreement_id
        self._subscriber_named(agreement_id, "$.transfer.agreement_id")
        if transfer.state != "exit_started":
            raise ValidationError.single(
                "$.transfer.state",
                "a transfer that has started its source's exit (exit_started;"
                " until then it can still be cancelled)",
                repr(transfer.state),
                subject=_PROCEDURE,
            )
        if exit_procedure.id != transfer.exit_id:
            raise ValidationError.single(
                "$.exit_procedure.id",
                f"the exit the transfer started ({transfer.exit_id!r})",
                repr(exit_procedure.id),
                subject=_PROCEDURE,
            )
        raise_problems(_effect_problems(exit_procedure, "$.exit_procedure", when), _PROCEDURE)
        return self.close_subscription(
            agreement_id,
            how="transferred",
            procedure_id=transfer.id,
            who=who,
            when=when,
            key=key,
        )

    def close_by_expiry(
        self,
        agreement: CloudServiceAgreement,
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> RemovalProcedure:
        """Close the subscription of an agreement that has simply run out (``expired``).

        For a subscriber the plan ends at its agreement's end (`RemovalEnd`
        ``agreement end``): once ``when`` reaches that end, both as the plan has it
        and as ``agreement`` has it now (an amendment may have moved it later), the
        subscription is closed with ``how`` ``expired`` and no procedure named.

        Raises:
            ValidationError: ``agreement`` is not a `CloudServiceAgreement`
                (``$.agreement``), is no subscriber's (``$.agreement.id``), has no
                end (``$.agreement.end``), or ``when`` is before its end (``$.when``).
            InvalidTransition: not notified yet, closed already, the plan does not
                end it at its agreement's end, or ``when`` is before the plan's end.
        """
        raise_problems(
            instance_problems(agreement, CloudServiceAgreement, "$.agreement"), _PROCEDURE
        )
        self._subscriber_named(agreement.id, "$.agreement.id")
        end = agreement.end
        if end is None:
            raise ValidationError.single(
                "$.agreement.end",
                "an agreement with an end (one without runs until it is terminated)",
                "null",
                subject=_PROCEDURE,
            )
        if _is_instant(when) and _utc(when) < _utc(end):
            raise ValidationError.single(
                "$.when",
                f"an instant no earlier than the agreement's end ({end.isoformat()})",
                when.isoformat(),
                subject=_PROCEDURE,
            )
        data = {"agreement_id": agreement.id, "how": _EXPIRED, "procedure_id": None}
        return self.apply("close_subscription", who=who, when=when, data=data, key=key)

    def _subscriber_named(self, agreement_id: str, path: str) -> None:
        if self.plan.subscriber(agreement_id) is None:
            listed = ", ".join(self.plan.agreement_ids) or "none"
            raise ValidationError.single(
                path,
                f"the agreement of a subscriber in the plan ({listed})",
                repr(agreement_id),
                subject=_PROCEDURE,
            )

    def record_release(
        self,
        requests: Iterable[str] = (),
        *,
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> RemovalProcedure:
        """Record that the service's resources were released by other means (the request ids).

        This takes the caller's word; `release_service_resources` is the proof.

        Raises:
            ValidationError: ``requests`` is not a list of text.
            InvalidTransition: a subscription is still open, or released already.
        """
        ids, problems = _refs(requests, "$.requests", at_least_one=False)
        raise_problems(problems, _PROCEDURE)
        data = {"requests": ids, "remaining": 0}
        return self.apply("release_resources", who=who, when=when, data=data, key=key)

    def update_records(
        self,
        *,
        catalogue: Iterable[str],
        configuration: Iterable[str],
        archive: Iterable[ArchivedRecord] = (),
        who: str,
        when: dt.datetime,
        key: bytes | None = None,
    ) -> RemovalProcedure:
        """Record the catalogue and configuration records updated, and what is kept archived.

        ``catalogue`` and ``configuration`` name the records changed (one or more
        references each); ``archive`` lists what is kept, each with its basis
        (`ArchivedRecord`; none when nothing is kept).

        Raises:
            ValidationError: an empty list or one not of text; an archive item that
                is not an `ArchivedRecord`.
            InvalidTransition: the resources are not released yet, or the records
                are updated already.
        """
        data: dict[str, Any] = {}
        problems: list[Problem] = []
        for kind, refs in (("catalogue", catalogue), ("configuration", configuration)):
            data[kind], found = _refs(refs, f"$.{kind}", at_least_one=True)
            problems += found
        given: object = archive
        kept: list[dict[str, str]] = []
        if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
            problems.append(Problem("$.archive", "a list of ArchivedRecord", describe(given)))
        else:
            for index, item in enumerate(cast("Iterable[object]", given)):
                if isinstance(item, ArchivedRecord):
                    kept.append({"what": item.what, "basis": item.basis})
                else:
                    problems.append(
                        Problem(f"$.archive[{index}]", "an ArchivedRecord", describe(item))
                    )
        raise_problems(problems, _PROCEDURE)
        data["archive"] = kept
        return self.apply("update_records", who=who, when=when, data=data, key=key)


_PROCEDURE = "removal procedure"


# ---------------------------------------------------------------------- with the catalogue
def _service_moved(
    catalogue: Catalogue,
    service_id: str,
    event: str,
    *,
    who: str,
    when: dt.datetime,
) -> Catalogue:
    """The catalogue with its service ``service_id`` one ``event`` further (S05's lifecycle)."""
    graph = catalogue.graph
    service = graph.service(service_id)
    moved = advance(service, event, who=who, when=when)
    services = tuple(moved if s.id == service_id else s for s in graph.services)
    return attrs.evolve(catalogue, graph=attrs.evolve(graph, services=services))


def _checked_pair(procedure: object, catalogue: object) -> None:
    problems = instance_problems(procedure, RemovalProcedure, "$.procedure")
    problems += instance_problems(catalogue, Catalogue, "$.catalogue")
    raise_problems(problems, _PROCEDURE)


def announce_removal(
    procedure: RemovalProcedure,
    catalogue: Catalogue,
    *,
    who: str,
    when: dt.datetime,
    key: bytes | None = None,
) -> tuple[RemovalProcedure, Catalogue]:
    """Announce the removal: the procedure's ``announce`` and the service's ``retire``, together.

    The service goes from ``live`` to ``retiring`` in the catalogue's graph, so
    `cloudsms.agreements.check_agreement` refuses any new subscription to its
    entries from then on, and the procedure moves to ``retiring``, where the
    notices are recorded. Either both happen or neither: nothing is returned
    until both have been checked.

    Raises:
        ValidationError: ``procedure`` or ``catalogue`` is of the wrong type; a bad
            ``who`` or ``when``.
        UnknownReference: the catalogue's graph has no service of the plan.
        InvalidTransition: the procedure is not ``opened``, or the service is not
            ``live``.
    """
    _checked_pair(procedure, catalogue)
    announced = procedure.apply("announce", who=who, when=when, key=key)
    moved = _service_moved(catalogue, procedure.service_id, "retire", who=who, when=when)
    return announced, moved


def retire_service(
    procedure: RemovalProcedure,
    catalogue: Catalogue,
    *,
    who: str,
    when: dt.datetime,
    key: bytes | None = None,
) -> tuple[RemovalProcedure, Catalogue]:
    """Retire the service: the procedure's ``retire`` and the service's ``remove``, together.

    The procedure's guard decides (every subscription closed, not before the
    earliest removal date, resources released, records updated); then the service
    goes from ``retiring`` to ``retired`` in the catalogue's graph and its entries
    leave the catalogue, so nothing offers it any more (the graph keeps the retired
    service and its trail). Either both happen or neither.

    Raises:
        ValidationError: ``procedure`` or ``catalogue`` is of the wrong type; a bad
            ``who`` or ``when``.
        UnknownReference: the catalogue's graph has no service of the plan.
        InvalidTransition: the procedure's guard refuses (naming every open
            subscription and what else is missing), or the service is not
            ``retiring``.
    """
    _checked_pair(procedure, catalogue)
    retired = procedure.apply("retire", who=who, when=when, key=key)
    moved = _service_moved(catalogue, procedure.service_id, "remove", who=who, when=when)
    service_id = procedure.service_id
    kept = tuple(e for e in moved.entries if e.service != service_id)
    return retired, attrs.evolve(moved, entries=kept)


# ---------------------------------------------------------------------- the release
@attrs.frozen(kw_only=True)
class RemovalRelease(Record):
    """What `release_service_resources` did: the procedure moved on, each release carried out.

    ``changes`` holds one `ResourceChange` per release request, in the order
    carried out; ``allocations`` and ``records`` are the allocations and
    configuration records after them all. Designed by cloudsms (S15).
    """

    procedure: RemovalProcedure
    changes: tuple[ResourceChange, ...] = attrs.field(converter=as_tuple)
    allocations: tuple[Allocation, ...] = attrs.field(converter=as_tuple)
    records: Mapping[str, ConfigurationRecord] = attrs.field(converter=as_frozen_mapping)


def _service_holdings(
    allocations: tuple[Allocation, ...], service_id: str, moment: dt.datetime
) -> list[int]:
    """The indexes of the holdings of ``service_id`` still held at or after ``moment``."""
    return [
        index
        for index, a in enumerate(allocations)
        if a.service == service_id and (a.until is None or _utc(a.until) > moment)
    ]


def _listed_of(value: object, path: str, kind: type) -> tuple[tuple[Any, ...], list[Problem]]:
    name = kind.__name__
    if isinstance(value, kind):
        return (value,), []
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return (), [Problem(path, f"a list of {name}", describe(value))]
    items = tuple(cast("Iterable[object]", value))
    problems = [
        Problem(f"{path}[{i}]", f"a {name}", describe(x))
        for i, x in enumerate(items)
        if not isinstance(x, kind)
    ]
    return items, problems


def release_service_resources(
    procedure: RemovalProcedure,
    agreements: Iterable[CloudServiceAgreement],
    pools: ResourcePool | Iterable[ResourcePool],
    allocations: Iterable[Allocation],
    records: Mapping[str, ConfigurationRecord],
    *,
    who: str,
    when: dt.datetime,
    types: Iterable[ResourceType] | None = None,
    key: bytes | None = None,
) -> RemovalRelease:
    """Release everything still held for the service, then record it (S15).

    Every subscription must be closed first (the guard of ``release_resources``
    refuses otherwise, before anything is carried out). Each holding of the
    service still held at or after ``when`` (an exit procedure's own release has
    usually ended most) is released by a `ResourceRequest` carried out with
    `cloudsms.procedures.resource_change.carry_out`, on the terms of its agreement
    (from ``agreements``, by id; one that has ended is released as if it had not,
    as the exit procedure does) against the pool of its location. Then the
    ``release_resources`` event records the requests' ids and that nothing is held.

    Raises:
        InvalidTransition: the procedure is not ``retiring``, a subscription is still
            open, or the resources are released already; nothing is done.
        ValidationError: wrong-typed arguments; a holding whose agreement is not
            given (``$.allocations[i].agreement``) or whose location no pool serves
            (``$.allocations[i].location``); what carry_out refuses.
    """
    problems = instance_problems(procedure, RemovalProcedure, "$.procedure")
    given_agreements, found = _listed_of(agreements, "$.agreements", CloudServiceAgreement)
    problems += found
    chosen, found = _listed_of(pools, "$.pools", ResourcePool)
    problems += found
    held, found = _listed_of(allocations, "$.allocations", Allocation)
    problems += found
    given_records: object = records
    if not (
        isinstance(given_records, Mapping)
        and all(isinstance(v, ConfigurationRecord) for v in given_records.values())
    ):
        problems.append(
            Problem("$.records", "a mapping of item ids to ConfigurationRecord", describe(records))
        )
    raise_problems(problems, _PROCEDURE)
    refused = procedure.refusal(
        "release_resources", who=who, when=when, data={"requests": [], "remaining": 0}
    )
    if refused is not None:
        procedure.apply(  # raises InvalidTransition in the core's words
            "release_resources", who=who, when=when, data={"requests": [], "remaining": 0}, key=key
        )
    terms = {a.id: a for a in given_agreements}
    moment = _utc(when)
    service_id = procedure.service_id
    by_location = {p.location: p for p in chosen}
    for index in _service_holdings(held, service_id, moment):
        holding = held[index]
        if holding.agreement not in terms:
            expected = "the id of an agreement given in 'agreements'"
            problems.append(
                Problem(f"$.allocations[{index}].agreement", expected, repr(holding.agreement))
            )
        if _pool_of(holding, chosen, by_location) is None:
            expected = "the location of one of the pools given"
            problems.append(
                Problem(f"$.allocations[{index}].location", expected, describe(holding.location))
            )
    raise_problems(problems, _PROCEDURE)
    changes: list[ResourceChange] = []
    current: tuple[Allocation, ...] = held
    kept = dict(records)
    prefix = procedure.id[:52]
    left = _service_holdings(current, service_id, moment)
    while left:
        target = min((current[i] for i in left), key=lambda a: _utc(a.since))
        pool = cast("ResourcePool", _pool_of(target, chosen, by_location))
        agreement = terms[target.agreement]
        if agreement.end is not None and _utc(agreement.end) <= moment:
            agreement = attrs.evolve(agreement, end=None)
        request = ResourceRequest(
            id=f"{prefix}.rel{len(changes) + 1}",
            kind=ResourceRequestKind.RELEASE,
            customer=target.customer,
            agreement=target.agreement,
            service=target.service,
            resource_type=target.resource_type,
            resource_id=target.resource_id,
            requested_at=when,
            effective_at=when if target.held_at(when) else target.since,
            requested_by=who,
        )
        change = carry_out(
            request, agreement, pool, current, kept, as_of=when, types=types, by=who
        )
        if change.refusals:
            raise ValidationError.single(
                "$.allocations",
                "holdings the service's release can end",
                "; ".join(str(r) for r in change.refusals),
                subject=_PROCEDURE,
            )
        changes.append(change)
        current, kept = change.allocations, dict(change.records)
        left = _service_holdings(current, service_id, moment)
    data = {"requests": [c.request.id for c in changes], "remaining": 0}
    moved = procedure.apply("release_resources", who=who, when=when, data=data, key=key)
    return RemovalRelease(procedure=moved, changes=changes, allocations=current, records=kept)


def _pool_of(
    holding: Allocation,
    pools: tuple[ResourcePool, ...],
    by_location: Mapping[str, ResourcePool],
) -> ResourcePool | None:
    if holding.location is None:
        return pools[0] if len(pools) == 1 else None
    return by_location.get(holding.location)
