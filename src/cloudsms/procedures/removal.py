"""Removing a service from the catalogue (S15): who is told, from when, and when it may go.

Designed by cloudsms; the TR's guidance for this scenario is not in our source (S15
is a title only there), so no clause is cited for it. What follows is how cloudsms
retires a service, built from the exit procedure of S13 and the service lifecycle
of S05.

`plan_removal` answers the question a provider asks before it announces a removal:
which agreements subscribe to the service, how much notice each of them is owed, and
so the earliest day the service may be removed. For every agreement in force at the
day the notices go out (``as_of``) with a subscription to one of the service's
catalogue entries, a `Subscriber` says how its subscription ends:

- ``notice``: the agreement lets the provider terminate for
  `TerminationReason.SERVICE_RETIREMENT`; the subscription ends one notice period
  (of the terms in force at ``as_of``) after the notice, on the agreement's wall
  clock;
- ``agreement end``: the agreement ends anyway before that (or the provider may not
  end it by notice, and it has an end): it ends then;
- ``consent or transfer``: the provider may not end it by notice and it runs with no
  end: only the customer's consent (its own termination) or a transfer ends it. The
  plan lists it among its ``blockers`` and has no earliest removal date.

The earliest removal date is the latest of the subscribers' ends (``as_of`` itself
when nobody subscribes). A `RemovalPlan` holds all of this and writes the
`Notice` of each subscriber (`RemovalPlan.notices`).

Serves S15 (remove a cloud service: stop new subscriptions, notify subscribers with
notice, end every subscription, release resources, update the catalogue and the
configuration records, archive) on the termination terms S07 agreed; designed by
cloudsms.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Final

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._kit.checks import (
    calendar_length,
    ident,
    instance_problems,
    instant,
    raise_problems,
)
from cloudsms._kit.durations import format_duration
from cloudsms._kit.records import Check, Record
from cloudsms.agreements import (
    CloudServiceAgreement,
    Notice,
    NoticePayload,
    TerminatingParty,
    TerminationReason,
    terms_on,
)
from cloudsms.catalogue import Catalogue
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.periods import timezone
from cloudsms.procedures._exit_plan import _follows

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "NOTICE_KIND",
    "RemovalEnd",
    "RemovalPlan",
    "Subscriber",
    "plan_removal",
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

    ``agreement_id``, ``agreement_version`` (the version in force at the notice) and
    ``customer_id`` name the agreement and its customer; ``entry_ids`` the service's
    catalogue entries it subscribes to (sorted). ``notice_at`` is the instant the
    notice goes out, in the agreement's zone (the start of the plan's day there, or
    the plan's instant). ``ends_by`` says how the subscription ends (`RemovalEnd`),
    ``notice_period`` is the notice the terms give the provider for a retirement
    (``None`` where they do not let it end the agreement so), and ``notice_ends`` is
    when the subscription ends: one notice period after ``notice_at`` on the
    agreement's wall clock, or the agreement's end if that comes first (``None``
    for ``consent or transfer``).

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

    def _rules(self) -> Iterator[Problem]:
        """The end follows from the notice and the period, as ``ends_by`` says."""
        if not self.entry_ids:
            yield Problem("entry_ids", "one or more catalogue entry ids", "none")
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
        elif self.ends_by is RemovalEnd.NOTICE and _utc(ends) != _utc(full):
            expected = f"{full.isoformat()}, one notice period after the notice"
            yield Problem("notice_ends", expected, ends.isoformat())
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
    day in each agreement's own zone). ``subscribers`` lists the agreements in force
    then that subscribe to an entry of the service, sorted by agreement id;
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
        for index, subscriber in enumerate(self.subscribers):
            extra = [e for e in subscriber.entry_ids if e not in entries]
            if extra:
                expected = f"entries of service {self.service_id!r} ({', '.join(self.entry_ids)})"
                yield Problem(f"subscribers[{index}].entry_ids", expected, ", ".join(extra))
            yield from self._notice_rules(index, subscriber)
            ends = subscriber.notice_ends
            if ends is None:
                blockers.append(subscriber.agreement_id)
            elif latest is None or _utc(ends) > _utc(latest):
                latest = ends
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

    def _notice_rules(self, index: int, subscriber: Subscriber) -> Iterator[Problem]:
        at = subscriber.notice_at
        expected_at = (
            self.as_of_instant
            if self.as_of_instant is not None
            else _day_start(self.as_of, at.tzinfo)
        )
        if _utc(at) != _utc(expected_at):
            expected = (
                f"{expected_at.isoformat()}, the plan's instant"
                if self.as_of_instant is not None
                else f"{expected_at.isoformat()}, the start of the plan's day in the zone"
            )
            yield Problem(f"subscribers[{index}].notice_at", expected, at.isoformat())

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


def _as_of(as_of: object) -> tuple[dt.date, dt.datetime | None, list[Problem]]:
    if isinstance(as_of, dt.datetime):
        problems = instant_problems(as_of, "$.as_of")
        return as_of.date(), (None if problems else as_of), problems
    if isinstance(as_of, dt.date):
        return as_of, None, []
    expected = "a date, or a datetime with a time zone"
    return dt.date(1970, 1, 1), None, [Problem("$.as_of", expected, describe(as_of))]


class _Days:
    """The instant each zone's day starts, found once per zone for one plan."""

    def __init__(self, day: dt.date, instant: dt.datetime | None) -> None:
        self.day = day
        self.instant = instant
        self.found: dict[str, dt.datetime] = {}

    def at(self, zone_name: str) -> dt.datetime:
        found = self.found.get(zone_name)
        if found is None:
            zone = timezone(zone_name)
            if self.instant is not None:
                found = self.instant.astimezone(zone)
            else:
                found = _day_start(self.day, zone)
            self.found[zone_name] = found
        return found


def _day_start(day: dt.date, zone: dt.tzinfo | None) -> dt.datetime:
    """The first instant of ``day`` in ``zone`` (after a skipped midnight, the next one)."""
    wall = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    return wall.astimezone(_UTC).astimezone(zone)


def _in_force(terms: CloudServiceAgreement, at: dt.datetime) -> bool:
    if _utc(terms.effective_from) > _utc(at):
        return False
    return terms.end is None or _utc(at) < _utc(terms.end)


def _terms_at(
    agreement: CloudServiceAgreement, days: _Days
) -> tuple[CloudServiceAgreement, dt.datetime] | None:
    """The terms in force at the notice and its instant; ``None`` before the agreement starts.

    Only an amended agreement needs `terms_on`; its zone is the one in force then.
    """
    at = days.at(agreement.timezone)
    if not agreement.amendments:
        return agreement, at
    if _utc(at) < _utc(agreement.effective_from):
        return None
    terms = terms_on(agreement, at)
    if terms.timezone != agreement.timezone:
        # The zone in force at the notice (amended later) decides its day.
        at = days.at(terms.timezone)
        if _utc(at) < _utc(agreement.effective_from):
            return None
        terms = terms_on(agreement, at)
    return terms, at


def _subscriber(
    agreement: CloudServiceAgreement, entries: frozenset[str], days: _Days
) -> Subscriber | Problem | None:
    """The agreement as a subscriber, ``None`` when it does not subscribe then, or a problem."""
    found = _terms_at(agreement, days)
    if found is None:
        return None
    terms, at = found
    if not _in_force(terms, at):
        return None
    chosen = sorted({s.entry_id for s in terms.subscriptions if s.entry_id in entries})
    if not chosen:
        return None
    termination = terms.termination
    end = terms.end
    period: relativedelta | None = None
    ends: dt.datetime | None
    if termination.terminable_by is not TerminatingParty.CUSTOMER and (
        _RETIREMENT in termination.provider_reasons
    ):
        period = termination.notice_period
        ends = _follows(at, period)
        if ends is None:
            expected = "an agreement whose notice ends within the supported range"
            return Problem("$.as_of", expected, at.isoformat())
        how = RemovalEnd.NOTICE
        if end is not None and _utc(end) < _utc(ends):
            ends, how = end.astimezone(at.tzinfo), RemovalEnd.AGREEMENT_END
    elif end is not None:
        ends, how = end.astimezone(at.tzinfo), RemovalEnd.AGREEMENT_END
    else:
        ends, how = None, RemovalEnd.CONSENT_OR_TRANSFER
    return _made_subscriber(
        agreement_id=terms.id,
        agreement_version=terms.version,
        customer_id=terms.customer_id,
        entry_ids=tuple(chosen),
        notice_at=at,
        notice_period=period,
        notice_ends=ends,
        ends_by=how,
    )


_NEW = object.__new__
_SET = object.__setattr__


def _made_subscriber(**values: object) -> Subscriber:
    """A subscriber from values `plan_removal` has just derived from checked records.

    Every value comes from a checked agreement or from a calendar step that
    `_follows` has checked, so the field checks are not run again; the plan's
    rules (`RemovalPlan._rules`) still check how they fit together.
    """
    made = _NEW(Subscriber)
    for name, value in values.items():
        _SET(made, name, value)
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
    The subscribers are the ``agreements`` in force then (started, not ended) with a
    subscription to an entry of the service in ``catalogue``; for each, the terms in
    force then (`terms_on`, consulted only for an amended agreement; its zone is the
    one in force then) decide how its subscription ends (`RemovalEnd`): by the
    notice period the termination terms give, when they let the provider terminate
    for `TerminationReason.SERVICE_RETIREMENT` (cut short by the agreement's end),
    else at the agreement's end, else only with the customer's consent or a
    transfer. The plan's earliest removal date is the latest of the ends.

    Raises:
        ValidationError: ``catalogue`` is not a `Catalogue` (``$.catalogue``);
            ``service_id`` is no service of the catalogue's graph (``$.service_id``,
            naming the known ones); ``agreements`` is not a collection of
            `CloudServiceAgreement` (``$.agreements`` or ``$.agreements[i]``), or two
            share an id (``$.agreements[i].id``); ``as_of`` is not a date or an aware
            datetime (``$.as_of``), or a notice period would end past the supported
            range.
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
    subscribers: list[Subscriber] = []
    for agreement in listed:
        made = _subscriber(agreement, entries, days)
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
    for subscriber in subscribers:
        ends = subscriber.notice_ends
        if ends is None:
            return None
        if latest is None or _utc(ends) > _utc(latest):
            latest = ends
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
