"""The exit plan (S13): every date and the charge of a termination, from the agreement's terms.

`plan_exit` answers what a party giving notice wants to know before anything
happens: when the termination takes effect, whether it ends the agreement inside its
minimum term and what that costs, how long the customer has to take its data back,
when the provider may delete it, and which party owes each step of the exit. It is
pure calendar and money arithmetic on the terms in force when notice is given
(`cloudsms.agreements.terms_on`), in the agreement's own time zone; nothing is typed
in, and no lifecycle runs here. The exit procedure (`cloudsms.procedures.termination`)
keeps the resulting `ExitPlan` as the snapshot its guards check against, so a later
amendment of the agreement never moves a deadline that notice has already fixed.

Serves S13 (terminate a contract: notice, retrieval window, retention, deletion,
written confirmation) on the termination and exit terms S07 agreed; ISO/IEC
20000-1:2011 6.1 (service level management: the agreement decides how it ends), 7.1
(business relationship management: ending the relationship) and 6.4 (budgeting and
accounting: the early-termination charge).
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import functools
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.instants import (
    RANGE_TEXT,
    instant_key,
    instant_problems,
    load_zone,
    zone_key,
)
from cloudsms._kit.checks import ident, instance_problems, instant, raise_problems, text
from cloudsms._kit.converter import to_dict
from cloudsms._kit.records import Check, Record
from cloudsms.agreements import (
    BackupRetention,
    ChargeKind,
    CloudServiceAgreement,
    ExitTerms,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    early_termination_due,
    terms_on,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.money import Money
from cloudsms.periods import _real, add_calendar, aware, timezone

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["ExitPlan", "ExitStep", "ExitStepName", "plan_exit"]

_SUBJECT = "Exit plan"

Owner = Literal["customer", "provider", "both"]
"""Which party owes a step of the exit."""


class ExitStepName(enum.StrEnum):
    """The steps of an exit, in the order they happen (S13).

    - ``notice``: a party gives notice of termination.
    - ``effective``: the termination takes effect and the service ends.
    - ``retrieval``: the customer takes its data back in an agreed format.
    - ``confirmation``: the customer confirms it no longer needs the data, or the
      retention window ends.
    - ``release``: the provider releases the customer's resources.
    - ``deletion``: the provider deletes each category of data or holds it legally.
    - ``records``: the provider updates its configuration, capacity and financial
      records.
    - ``written confirmation``: the provider confirms in writing that the exit is done.
    """

    NOTICE = "notice"
    EFFECTIVE = "effective"
    RETRIEVAL = "retrieval"
    CONFIRMATION = "confirmation"
    RELEASE = "release"
    DELETION = "deletion"
    RECORDS = "records"
    WRITTEN_CONFIRMATION = "written confirmation"


def _optional_key(value: dt.datetime | None) -> tuple[dt.datetime, str] | None:
    return None if value is None else instant_key(value)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


@attrs.frozen(kw_only=True)
class ExitStep(Record):
    """One step of an exit: who owes it, from when, by when, and what it is (S13).

    ``opens`` is the earliest instant the step may happen and ``due`` its deadline,
    both aware and in the agreement's zone. ``due`` is ``None`` where the terms set
    no deadline: release, deletion, records and the written confirmation follow the
    customer's confirmation or the end of the retention window, whichever comes
    first, and the confirmation may come on the effective date itself, so they open
    then and have no date of their own by which they must be done.

    Raises:
        ValidationError: every problem of the fields, each with its path — among them
            a deadline before the step opens.
    """

    step: ExitStepName
    owner: Owner
    opens: dt.datetime | None = attrs.field(validator=instant, eq=_optional_key)
    due: dt.datetime | None = attrs.field(validator=instant, eq=_optional_key)
    what: str = attrs.field(validator=text)

    def _rules(self) -> Iterator[Problem]:
        """A deadline never comes before the step opens."""
        if self.opens is not None and self.due is not None and _utc(self.due) < _utc(self.opens):
            expected = f"a deadline no earlier than the step opens ({self.opens.isoformat()})"
            yield Problem("due", expected, self.due.isoformat())


def _zone_problems(value: object, path: str) -> list[Problem]:
    found = load_zone(value, path)
    return found if isinstance(found, list) else []


_zone = Check(_zone_problems, total=True)


def _positive_version(value: int, path: str) -> list[Problem]:
    return [] if value >= 1 else [Problem(path, "a version of 1 or more", str(value))]


_version = Check(_positive_version, expected="a version number (an integer of 1 or more)")

_INSTANT_FIELDS = (
    "agreement_start",
    "agreement_end",
    "notice_at",
    "effective_at",
    "minimum_term_ends",
    "retrieval_ends",
    "retention_ends",
)


@attrs.frozen(kw_only=True)
class ExitPlan(Record):
    """The dates, charge and steps of one termination, on the terms in force at notice (S13).

    Built by `plan_exit`. ``termination`` and ``exit`` are the agreement's terms as
    they stood at ``notice_at`` (amendments after it undone), ``agreement_start`` the
    agreement's start and ``agreement_end`` its end then (``None`` for an open-ended
    one); every other field follows from them and the agreement's recurring charges,
    and the record checks that it does: the notice lies in the agreement's term, the
    effective date is one notice period after the notice on the zone's wall clock (or
    the agreement's end if that comes first), the minimum term's end, the two window
    ends, ``early`` and a fixed charge are exactly what the terms give. A charge on
    the remaining recurring charges needs those charges, which the plan does not
    keep: of it the record checks only that it is absent unless the customer ends
    early, and never below zero. Every instant is aware and in the agreement's
    zone (``timezone``). ``early`` says the termination takes effect before the
    minimum term ends; ``charge`` is then the early-termination charge the customer
    owes for ending early, or ``None`` when the terms define none, when there is
    nothing to base it on (a charge on the remaining recurring charges of an
    agreement without any), or when the provider ends the agreement (the charge is
    the customer's term for leaving early: what a provider's termination costs the
    customer, for misuse say, is a matter of the agreement's legal terms, which
    cloudsms does not compute). ``withdrawable``
    says the notice may be taken back before ``effective_at``. ``reason`` is the
    provider's listed reason, or the reason a customer chose to give, or ``None``.
    `steps` are derived from these fields when first read, not stored.

    The plan round-trips through JSON exactly (`cloudsms.serialization`): the exit
    procedure stores it in its lifecycle's context, where the audit trail's genesis
    hash covers it.

    Raises:
        ValidationError: every problem of the fields, each with its path — among them
            an effect before the notice, a retention window ending before the
            retrieval window, an initiating party the terms do not allow (or
            ``either``), a provider's reason missing or not listed, an ``early``
            flag or charge that does not follow from the dates, an effective date,
            minimum-term end or window end that is not the one the terms give, a
            notice outside the agreement's term, and an instant outside the
            agreement's zone.
    """

    agreement_id: str = attrs.field(validator=ident)
    agreement_version: int = attrs.field(validator=_version)
    customer_id: str = attrs.field(validator=ident)
    provider: str = attrs.field(validator=text)
    timezone: str = attrs.field(validator=_zone)
    agreement_start: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    agreement_end: dt.datetime | None = attrs.field(validator=instant, eq=_optional_key)
    initiated_by: TerminatingParty
    reason: TerminationReason | None = None
    notice_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    effective_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    minimum_term_ends: dt.datetime | None = attrs.field(validator=instant, eq=_optional_key)
    early: bool
    charge: Money | None = None
    retrieval_ends: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    retention_ends: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    backup_retention: BackupRetention
    withdrawable: bool
    export_formats: tuple[str, ...] = attrs.field(converter=as_tuple)
    termination: TerminationTerms
    exit: ExitTerms

    def _rules(self) -> Iterator[Problem]:
        """The dates in order and in the zone, the party and reason allowed, the rest derived."""
        yield from self._zone_rules()
        yield from self._party_rules()
        yield from self._date_rules()
        yield from self._term_rules()
        yield from self._copy_rules()

    def _zone_rules(self) -> Iterator[Problem]:
        for name in _INSTANT_FIELDS:
            value = getattr(self, name)
            if value is not None and zone_key(value.tzinfo) != self.timezone:
                expected = f"an instant in the agreement's zone ({self.timezone})"
                yield Problem(name, expected, f"{value.isoformat()} in {zone_key(value.tzinfo)}")

    def _party_rules(self) -> Iterator[Problem]:
        by = self.initiated_by
        if by is TerminatingParty.EITHER:
            yield Problem("initiated_by", "the customer or the provider", by.value)
        elif by is TerminatingParty.CUSTOMER and not self.termination.customer_may_terminate:
            yield Problem("initiated_by", _CUSTOMER_MAY_NOT, by.value)
        elif by is TerminatingParty.PROVIDER:
            yield from _provider_problems(self.termination, self.reason)

    def _date_rules(self) -> Iterator[Problem]:
        notice, effective = _utc(self.notice_at), _utc(self.effective_at)
        if effective < notice:
            expected = f"an instant no earlier than the notice ({self.notice_at.isoformat()})"
            yield Problem("effective_at", expected, self.effective_at.isoformat())
        retrieval, retention = _utc(self.retrieval_ends), _utc(self.retention_ends)
        if retrieval <= effective:
            expected = f"an instant after the effective date ({self.effective_at.isoformat()})"
            yield Problem("retrieval_ends", expected, self.retrieval_ends.isoformat())
        if retention < retrieval:
            expected = (
                f"an instant no earlier than the retrieval window's end "
                f"({self.retrieval_ends.isoformat()})"
            )
            yield Problem("retention_ends", expected, self.retention_ends.isoformat())
        if (self.minimum_term_ends is None) != (self.termination.minimum_term is None):
            expected = (
                "null, since the terms set no minimum term"
                if self.termination.minimum_term is None
                else "the end of the minimum term the terms set"
            )
            yield Problem("minimum_term_ends", expected, describe(self.minimum_term_ends))
        at_end = self.agreement_end is not None and effective >= _utc(self.agreement_end)
        early = (
            self.minimum_term_ends is not None
            and effective < _utc(self.minimum_term_ends)
            and not at_end
        )
        if self.early != early:
            expected = (
                "true, since the termination takes effect before the minimum term ends"
                if early
                else "false, since the termination takes effect after any minimum term"
                " or at the agreement's own end"
            )
            yield Problem("early", expected, str(self.early).lower())
        if self.charge is not None and not self.early:
            yield Problem("charge", "null, since the termination is not early", str(self.charge))
        elif self.charge is not None and self.initiated_by is TerminatingParty.PROVIDER:
            expected = "null, since the provider ends the agreement (the charge is the customer's)"
            yield Problem("charge", expected, str(self.charge))
        elif self.charge is not None and self.termination.early_termination_charge is None:
            expected = "null, since the terms define no early-termination charge"
            yield Problem("charge", expected, str(self.charge))
        elif self.charge is not None and self.charge.amount < 0:
            yield Problem("charge", "Money not below zero", str(self.charge))

    def _term_rules(self) -> Iterator[Problem]:
        """Every date follows from the terms, and a fixed charge is the terms' amount.

        Cheap enough for `plan_exit`'s fast path: a few calendar steps and instant
        comparisons, nothing parsed.
        """
        notice, start = _utc(self.notice_at), _utc(self.agreement_start)
        if notice < start:
            expected = (
                f"an instant no earlier than the agreement's start "
                f"({self.agreement_start.isoformat()})"
            )
            yield Problem("notice_at", expected, self.notice_at.isoformat())
        end = self.agreement_end
        if end is not None and notice >= _utc(end):
            expected = f"an instant before the agreement's end ({end.isoformat()})"
            yield Problem("notice_at", expected, self.notice_at.isoformat())
        effective = _follows(self.notice_at, self.termination.notice_period)
        if effective is not None and end is not None and _utc(end) < _utc(effective):
            effective = end
        yield from _derived(
            "effective_at",
            self.effective_at,
            effective,
            "one notice period after the notice on the agreement's wall clock, "
            "or the agreement's end if that comes first",
        )
        if self.termination.minimum_term is not None and self.minimum_term_ends is not None:
            yield from _derived(
                "minimum_term_ends",
                self.minimum_term_ends,
                _follows(self.agreement_start, self.termination.minimum_term),
                "the minimum term after the agreement's start",
            )
        for name, window in (
            ("retrieval_ends", self.exit.retrieval_window),
            ("retention_ends", self.exit.retention_window),
        ):
            yield from _derived(
                name,
                getattr(self, name),
                _follows(self.effective_at, window),
                f"the {name.partition('_')[0]} window after the effective date",
            )
        yield from self._fixed_charge_rules()

    def _fixed_charge_rules(self) -> Iterator[Problem]:
        """A customer's early exit under a fixed charge owes exactly that charge.

        A charge on the remaining recurring charges depends on those charges, which
        the plan does not keep: for it only what the other rules check holds (none
        unless early and the customer's; never below zero). It may be ``None`` when
        the agreement has no recurring charges to base it on.
        """
        terms = self.termination.early_termination_charge
        if (
            terms is None
            or terms.kind is not ChargeKind.FIXED
            or not self.early
            or self.initiated_by is not TerminatingParty.CUSTOMER
        ):
            return
        assert terms.amount is not None  # noqa: S101 - a fixed charge carries its amount
        due = early_termination_due(
            terms, recurring=Money.zero(terms.amount.currency), periods_remaining=0
        )
        if self.charge != due:
            expected = f"{due}, the fixed early-termination charge the terms set"
            yield Problem("charge", expected, "null" if self.charge is None else str(self.charge))

    def _copy_rules(self) -> Iterator[Problem]:
        if self.withdrawable != self.termination.withdrawable:
            expected = f"{str(self.termination.withdrawable).lower()}, as the terms say"
            yield Problem("withdrawable", expected, str(self.withdrawable).lower())
        if self.export_formats != self.exit.export_formats:
            expected = f"the formats the terms list ({', '.join(self.exit.export_formats)})"
            yield Problem("export_formats", expected, ", ".join(self.export_formats))
        if self.backup_retention is not self.exit.backup_retention:
            expected = f"{self.exit.backup_retention.value!r}, as the terms say"
            yield Problem("backup_retention", expected, repr(self.backup_retention.value))

    @cached_property
    def steps(self) -> tuple[ExitStep, ...]:
        """The steps of the exit in `ExitStepName` order, each with its owner and dates.

        Derived from the plan's dates and terms when first read, so they cannot
        disagree with them and the stored plan stays small.
        """
        return _steps(
            self.initiated_by,
            self.reason,
            self.termination,
            self.exit,
            notice_at=self.notice_at,
            effective_at=self.effective_at,
            retrieval_ends=self.retrieval_ends,
            retention_ends=self.retention_ends,
        )


def _instant_text(value: dt.datetime | None) -> str | None:
    """An instant as `to_dict` writes it (its zone's key in brackets), for a checked one."""
    if value is None:
        return None
    key = getattr(value.tzinfo, "key", None)
    return f"{value.isoformat()}[{key}]" if key else value.isoformat()


def _plan_data(plan: ExitPlan) -> dict[str, Any]:
    """``to_dict(plan)`` for a plan `plan_exit` has just built, its instants not checked again.

    The exit procedure writes its lifecycle's context with it (S13); it lives beside
    `ExitPlan` so a field added to the plan is added here too.

    The same data field for field (a test compares the two on drawn plans); the
    terms and the charge go through `to_dict` as they are.
    """
    return {
        "agreement_id": plan.agreement_id,
        "agreement_version": plan.agreement_version,
        "customer_id": plan.customer_id,
        "provider": plan.provider,
        "timezone": plan.timezone,
        "agreement_start": _instant_text(plan.agreement_start),
        "agreement_end": _instant_text(plan.agreement_end),
        "initiated_by": plan.initiated_by.value,
        "reason": None if plan.reason is None else plan.reason.value,
        "notice_at": _instant_text(plan.notice_at),
        "effective_at": _instant_text(plan.effective_at),
        "minimum_term_ends": _instant_text(plan.minimum_term_ends),
        "early": plan.early,
        "charge": None if plan.charge is None else to_dict(plan.charge),
        "retrieval_ends": _instant_text(plan.retrieval_ends),
        "retention_ends": _instant_text(plan.retention_ends),
        "backup_retention": plan.backup_retention.value,
        "withdrawable": plan.withdrawable,
        "export_formats": list(plan.export_formats),
        "termination": to_dict(plan.termination),
        "exit": to_dict(plan.exit),
    }


def _follows(start: dt.datetime, length: relativedelta) -> dt.datetime | None:
    """One ``length`` after ``start`` on its zone's wall clock, or None past the range.

    ``start`` is a checked aware instant and ``length`` a calendar length. The
    result is remembered by the wall time, fold and zone of ``start`` (which
    together fix the instant, where an equality of datetimes in one zone would
    ignore the fold) and by ``length``: `plan_exit` computes each date once with
    it and the plan's rules find the same one again without the calendar step.
    """
    return _follows_wall(start.replace(tzinfo=None), start.fold, start.tzinfo, length)


@functools.lru_cache(maxsize=1024)
def _follows_wall(
    wall: dt.datetime, fold: int, zone: dt.tzinfo | None, length: relativedelta
) -> dt.datetime | None:
    start = wall.replace(tzinfo=zone, fold=fold)
    try:
        result = _real(start + length)
    except (OverflowError, ValueError):  # beyond Python's years 1-9999
        return None
    return None if instant_problems(result, "$") else result


def _derived(
    name: str, got: dt.datetime, expected: dt.datetime | None, how: str
) -> Iterator[Problem]:
    """A problem at ``name`` unless ``got`` is the instant ``expected`` (``how`` says why)."""
    if expected is None:
        yield Problem(name, f"{how}, within the supported range", got.isoformat())
    elif _utc(got) != _utc(expected):
        yield Problem(name, f"{expected.isoformat()} ({how})", got.isoformat())


_CUSTOMER_MAY_NOT = "a party the terms allow to terminate (only the provider may)"
_PROVIDER_MAY_NOT = "a party the terms allow to terminate (only the customer may)"


def _reasons_text(terms: TerminationTerms) -> str:
    return ", ".join(repr(r.value) for r in sorted(terms.provider_reasons))


def _provider_problems(terms: TerminationTerms, reason: TerminationReason | None) -> list[Problem]:
    """The provider may terminate at all, and for ``reason`` (at ``initiated_by``, ``reason``)."""
    if terms.terminable_by is TerminatingParty.CUSTOMER:
        return [Problem("initiated_by", _PROVIDER_MAY_NOT, "provider")]
    if reason is None or reason not in terms.provider_reasons:
        expected = f"one of the reasons the agreement lists: {_reasons_text(terms)}"
        return [Problem("reason", expected, "null" if reason is None else repr(reason.value))]
    return []


def _step_dates(
    party: TerminatingParty,
    notice_at: dt.datetime,
    effective_at: dt.datetime,
    retrieval_ends: dt.datetime,
    retention_ends: dt.datetime,
) -> tuple[tuple[Owner, dt.datetime, dt.datetime | None], ...]:
    """Owner, opening and deadline of each step, in `ExitStepName` order."""
    initiator: Owner = "provider" if party is TerminatingParty.PROVIDER else "customer"
    return (
        (initiator, notice_at, notice_at),
        ("provider", effective_at, effective_at),
        ("customer", effective_at, retrieval_ends),
        ("customer", effective_at, retention_ends),
        ("provider", effective_at, None),
        ("provider", effective_at, None),
        ("provider", effective_at, None),
        ("provider", effective_at, None),
    )


# ---------------------------------------------------------------------- plan_exit
_PARTIES = (TerminatingParty.CUSTOMER, TerminatingParty.PROVIDER)


def plan_exit(
    agreement: CloudServiceAgreement,
    *,
    notice: dt.date | dt.datetime,
    by: TerminatingParty | str = TerminatingParty.CUSTOMER,
    reason: TerminationReason | str | None = None,
) -> ExitPlan:
    """The exit plan of a notice of termination given on ``notice`` by ``by`` (S13).

    The agreement's zone is the one in force at the notice (a zone amended in later
    does not move the plan). ``notice`` is an aware datetime (converted to that
    zone) or a `date`, which means the start of that day in that zone (or the first instant
    after it, where a DST change skips midnight). The terms are those in force at
    that instant (`terms_on`), whatever amendments come later:

    - the customer may terminate when the terms let it, with or without a reason
      (one it gives is recorded); the provider only for a reason the terms list;
    - the termination takes effect one notice period after the notice, counted on
      the agreement's wall clock (a notice on 31 January with one month's notice
      takes effect on 28 February); if the agreement ends before then, it takes
      effect at that end, since the agreement ends anyway;
    - the minimum term runs from the agreement's start; a termination taking effect
      before it ends is early (one that takes effect at the agreement's own end,
      which comes first, is not), and a customer's early termination owes the
      early-termination charge the terms define (a provider's owes none here): a
      fixed amount, or (all or a share of) the recurring charges of every whole
      billing period left between the effective date and the end of the minimum
      term. Each charge's periods run from the agreement's start, one
      ``period`` after another on the wall clock; a period the effective date cuts
      does not count. The total is exact until it is rounded once. An agreement
      without recurring charges gives such a charge nothing to base it on: the
      charge is then ``None``, not an invented zero;
    - the retrieval and retention windows run from the effective date.

    Raises:
        ValidationError: ``agreement`` is not a `CloudServiceAgreement`
            (``$.agreement``); ``notice`` is not a date or an aware datetime, is
            before the agreement's start or at or after its end, or so late that
            an exit date would pass the supported range, 9000-01-01 (``$.notice``);
            ``by`` is not ``customer`` or ``provider``, or names a party the terms do
            not allow to terminate (``$.by``); the provider gives no reason or one the
            terms do not list, or ``reason`` is not a `TerminationReason` (``$.reason``;
            the message names the listed reasons); the recurring charges an early
            charge is based on are in several currencies
            (``$.agreement.recurring_charges``).
    """
    raise_problems(instance_problems(agreement, CloudServiceAgreement, "$.agreement"), _SUBJECT)
    zone = timezone(agreement.timezone)
    party, problems = _party(by)
    why, found = _reason(reason)
    problems += found
    notice_at, found = _notice_instant(notice, zone)
    problems += found
    start = agreement.effective_from.astimezone(zone)
    if notice_at is not None and _utc(notice_at) < _utc(start):
        expected = f"an instant no earlier than the agreement's start ({start.isoformat()})"
        problems.append(Problem("$.notice", expected, notice_at.isoformat()))
        notice_at = None
    raise_problems(problems, _SUBJECT)
    assert notice_at is not None  # noqa: S101 - every way to None appended a problem
    terms = terms_on(agreement, notice_at)
    if terms.timezone != agreement.timezone:
        # The zone in force at the notice (amended later) decides its day and the plan's.
        zone = timezone(terms.timezone)
        notice_at, found = _notice_instant(notice, zone)
        raise_problems(found, _SUBJECT)
        assert notice_at is not None  # noqa: S101 - refused above otherwise
        start = agreement.effective_from.astimezone(zone)
        if _utc(notice_at) < _utc(start):
            expected = f"an instant no earlier than the agreement's start ({start.isoformat()})"
            raise ValidationError.single(
                "$.notice", expected, notice_at.isoformat(), subject=_SUBJECT
            )
        terms = terms_on(agreement, notice_at)
    end = None if terms.end is None else terms.end.astimezone(zone)
    if end is not None and _utc(notice_at) >= _utc(end):
        expected = f"an instant before the agreement's end ({end.isoformat()})"
        problems.append(Problem("$.notice", expected, notice_at.isoformat()))
    problems += _allowed_problems(terms.termination, party, why)
    raise_problems(problems, _SUBJECT)
    return _plan(terms, party=party, why=why, notice_at=notice_at, start=start, end=end)


def _plan(
    terms: CloudServiceAgreement,
    *,
    party: TerminatingParty,
    why: TerminationReason | None,
    notice_at: dt.datetime,
    start: dt.datetime,
    end: dt.datetime | None,
) -> ExitPlan:
    """The plan on ``terms``; every instant given is already in the agreement's zone."""
    termination, exit_terms = terms.termination, terms.exit
    minimum_ends = (
        None if termination.minimum_term is None else _later(start, termination.minimum_term)
    )
    try:
        effective = _later(notice_at, termination.notice_period)
        if end is not None and _utc(end) < _utc(effective):
            effective = end
        retrieval_ends = _later(effective, exit_terms.retrieval_window)
        retention_ends = _later(effective, exit_terms.retention_window)
    except ValidationError:
        raise ValidationError.single(
            "$.notice", _IN_RANGE, notice_at.isoformat(), subject=_SUBJECT
        ) from None
    # A termination taking effect at the agreement's own end ends nothing early.
    at_end = end is not None and _utc(effective) >= _utc(end)
    early = minimum_ends is not None and _utc(effective) < _utc(minimum_ends) and not at_end
    charge = (
        _charge_due(terms, start, effective, minimum_ends)
        if early and minimum_ends is not None and party is TerminatingParty.CUSTOMER
        else None
    )
    return _checked_plan(
        agreement_id=terms.id,
        agreement_version=terms.version,
        customer_id=terms.customer_id,
        provider=terms.provider,
        timezone=terms.timezone,
        agreement_start=start,
        agreement_end=end,
        initiated_by=party,
        reason=why,
        minimum_term_ends=minimum_ends,
        early=early,
        charge=charge,
        backup_retention=exit_terms.backup_retention,
        withdrawable=termination.withdrawable,
        export_formats=exit_terms.export_formats,
        termination=termination,
        exit=exit_terms,
        notice_at=notice_at,
        effective_at=effective,
        retrieval_ends=retrieval_ends,
        retention_ends=retention_ends,
    )


_IN_RANGE = "a notice whose exit dates stay within the supported range (before 9000-01-01)"


def _checked_plan(**values: object) -> ExitPlan:
    """The plan `_plan` computed, its cross-field rules run but not its field checks again.

    Every field is a checked value already: the agreement's own fields (whose
    records check them as `ExitPlan` would), the terms' records, and the instants
    and charge `plan_exit` has just computed and checked. So only the plan's rules
    (`ExitPlan._rules`) run here; should one find a problem, the plan is built with
    every check, which refuses it in the record's own words. A plan read from JSON is
    always built with every check.
    """
    plan = object.__new__(ExitPlan)
    for name, value in values.items():
        object.__setattr__(plan, name, value)
    if next(plan._rules(), None) is not None:
        return ExitPlan(**values)  # type: ignore[arg-type] # raises, in the record's words
    return plan


def _later(start: dt.datetime, length: relativedelta) -> dt.datetime:
    """`add_calendar` of one ``length`` after ``start``, both already checked.

    `plan_exit`'s instants come from `aware`, from a checked instant put in the
    agreement's zone, or from an earlier step; its lengths from the terms, whose
    records accept only positive calendar lengths (stricter than `add_calendar`).
    So only the result is checked here, as `add_calendar` checks it; a result that
    fails goes to `add_calendar` itself, which refuses it in its own words.
    """
    result = _follows(start, length)
    return add_calendar(start, length) if result is None else result


def _party(by: object) -> tuple[TerminatingParty, list[Problem]]:
    if isinstance(by, str) and by in _PARTIES:
        return TerminatingParty(by), []
    expected = "the party giving notice: 'customer' or 'provider'"
    return TerminatingParty.CUSTOMER, [Problem("$.by", expected, describe(by))]


def _reason(reason: object) -> tuple[TerminationReason | None, list[Problem]]:
    if reason is None:
        return None, []
    if isinstance(reason, str):
        try:
            return TerminationReason(reason), []
        except ValueError:
            pass
    expected = f"a termination reason ({', '.join(repr(r.value) for r in TerminationReason)})"
    return None, [Problem("$.reason", expected + " or null", describe(reason))]


def _notice_instant(notice: object, zone: dt.tzinfo) -> tuple[dt.datetime | None, list[Problem]]:
    """The notice as an aware instant in ``zone``, or the problems that keep it from one."""
    if not isinstance(notice, dt.date):
        return None, [
            Problem("$.notice", "a date, or a datetime with a time zone", describe(notice))
        ]
    try:
        if isinstance(notice, dt.datetime):
            return aware(notice, "$.notice").astimezone(zone), []
        wall = dt.datetime(notice.year, notice.month, notice.day, tzinfo=zone)
        real = wall.astimezone(dt.UTC).astimezone(zone)  # midnight skipped: the instant after
        return aware(real, "$.notice"), []
    except ValidationError as error:
        return None, list(error.problems)
    except OverflowError:  # the calendar's first or last day, moved into the zone
        return None, [Problem("$.notice", RANGE_TEXT, notice.isoformat())]


def _allowed_problems(
    termination: TerminationTerms, party: TerminatingParty, why: TerminationReason | None
) -> list[Problem]:
    if party is TerminatingParty.CUSTOMER:
        if termination.customer_may_terminate:
            return []
        return [Problem("$.by", _CUSTOMER_MAY_NOT, party.value)]
    paths = {"initiated_by": "$.by", "reason": "$.reason"}
    return [
        Problem(paths[p.path], p.expected, p.got) for p in _provider_problems(termination, why)
    ]


def _charge_due(
    terms: CloudServiceAgreement,
    start: dt.datetime,
    effective: dt.datetime,
    minimum_ends: dt.datetime,
) -> Money | None:
    """The early-termination charge the terms define, or None when they define none."""
    charge = terms.termination.early_termination_charge
    if charge is None:
        return None
    if charge.kind is ChargeKind.FIXED:
        assert charge.amount is not None  # noqa: S101 - a fixed charge carries its amount
        zero = Money.zero(charge.amount.currency)
        return early_termination_due(charge, recurring=zero, periods_remaining=0)
    charges = terms.recurring_charges
    if not charges:
        return None
    currencies = sorted({c.amount.currency for c in charges})
    if len(currencies) > 1:
        raise ValidationError.single(
            "$.agreement.recurring_charges",
            "recurring charges in one currency, to base the early-termination charge on",
            ", ".join(currencies),
            subject=_SUBJECT,
        )
    total = Money.zero(currencies[0])
    for recurring in charges:
        total += recurring.amount * _whole_periods(
            start, recurring.period, effective, minimum_ends
        )
    return early_termination_due(charge, recurring=total, periods_remaining=1)


def _whole_periods(
    start: dt.datetime, period: relativedelta, first: dt.datetime, last: dt.datetime
) -> int:
    """How many billing periods from ``start`` lie wholly inside [``first``, ``last``).

    ``start`` is in the agreement's zone (an IANA zone), whose wall clock the periods
    follow.
    """
    fields = tuple(getattr(period, name) for name in _LENGTH_FIELDS)
    bounds = _period_bounds(_utc(start), zone_key(start.tzinfo), fields, _utc(last))
    begins = bisect.bisect_left(bounds, _utc(first))  # the first period starting then or later
    return max(0, len(bounds) - 1 - begins)


_LENGTH_FIELDS = ("years", "months", "days", "hours", "minutes", "seconds", "microseconds")
"""The fields of a calendar length (a relativedelta keeps weeks as days)."""


@functools.lru_cache(maxsize=256)
def _period_bounds(
    start: dt.datetime, zone: str, period: tuple[int, ...], last: dt.datetime
) -> tuple[dt.datetime, ...]:
    """The UTC instants that start each period from ``start``, up to one no later than ``last``.

    The periods follow ``zone``'s wall clock from ``start``, one ``period`` (the
    values of `_LENGTH_FIELDS`) after another. Every exit from one agreement counts
    the same series, so it is computed once for each set of arguments, which alone
    decide it.
    """
    local = start.astimezone(timezone(zone))
    years, months, days, hours, minutes, seconds, microseconds = period
    length = relativedelta(
        years=years,
        months=months,
        days=days,
        hours=hours,
        minutes=minutes,
        seconds=seconds,
        microseconds=microseconds,
    )
    bounds = [start]
    while True:
        ends = _utc(add_calendar(local, length, len(bounds)))
        if ends > last:
            return tuple(bounds)
        bounds.append(ends)


def _steps(
    party: TerminatingParty,
    why: TerminationReason | None,
    termination: TerminationTerms,
    exit_terms: ExitTerms,
    *,
    notice_at: dt.datetime,
    effective_at: dt.datetime,
    retrieval_ends: dt.datetime,
    retention_ends: dt.datetime,
) -> tuple[ExitStep, ...]:
    """The steps of the exit, each with its owner, dates and a sentence saying what it is."""
    given = (
        "on the agreement's terms"
        if party is TerminatingParty.CUSTOMER
        else f"for a reason the agreement lists ({why})"
    )
    if party is TerminatingParty.CUSTOMER and why is not None:
        given += f", giving its reason ({why})"
    withdrawal = (
        "until then the notice may be withdrawn"
        if termination.withdrawable
        else "the terms do not allow the notice to be withdrawn"
    )
    backup = (
        "until the confirmation or the end of the retention window"
        if exit_terms.backup_retention is BackupRetention.UNTIL_CONFIRMATION
        else "until the end of the retention window"
    )
    formats = ", ".join(exit_terms.export_formats)
    what = {
        ExitStepName.NOTICE: f"The {party.value} gives notice of termination {given}.",
        ExitStepName.EFFECTIVE: (
            f"The termination takes effect and the service ends; {withdrawal}."
        ),
        ExitStepName.RETRIEVAL: (
            f"The customer takes its data back in an agreed format ({formats}); "
            "the provider keeps a backup meanwhile."
        ),
        ExitStepName.CONFIRMATION: (
            "The customer confirms it no longer needs its data, or the retention window ends."
        ),
        ExitStepName.RELEASE: (
            "The provider releases the customer's resources and clears the environment, "
            "so that nothing more is charged."
        ),
        ExitStepName.DELETION: (
            "The provider deletes each category of the customer's data, or keeps it under "
            f"a legal hold with its basis and review date; the backup lives {backup}."
        ),
        ExitStepName.RECORDS: (
            "The provider updates its configuration, capacity and financial records."
        ),
        ExitStepName.WRITTEN_CONFIRMATION: (
            "The provider confirms in writing that every exit criterion is met "
            "and the data removed."
        ),
    }
    dates = _step_dates(party, notice_at, effective_at, retrieval_ends, retention_ends)
    return tuple(
        ExitStep(step=name, owner=owner, opens=opens, due=due, what=what[name])
        for name, (owner, opens, due) in zip(ExitStepName, dates, strict=True)
    )
