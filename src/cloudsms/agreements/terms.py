"""The terms of a cloud service agreement beside its targets and credits (S07).

What the parties agree besides the service levels: how and why the agreement may
end (`TerminationTerms`, with its `EarlyTerminationCharge`), what happens to the
customer's data when it ends (`ExitTerms`), who does what (`Responsibilities`), the
priority scale incidents and targets are keyed by (`PriorityScale`), the legal terms
(`LegalTerm`), the most of each resource the customer may use (`ResourceLimit`), and
the one `Notice` record through which a party tells another of something that takes
effect later.

Serves S07 (establish a cloud service agreement: responsibilities of each party,
termination conditions, charges, the exit process, intellectual property, data access
rights, liability, dispute resolution, record keeping, resource capacity) and S13,
whose exit procedure runs on the termination and exit terms; ISO/IEC 20000-1:2011
6.1 (service level management: the agreement records what is agreed) and 7.1
(business relationship management: how the relationship is changed and ended).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import FrozenMapping, as_frozenset, as_tuple
from cloudsms._foundation.instants import instant_key
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import (
    calendar_length,
    id_set,
    ident,
    instant,
    raise_problems,
    text,
    texts,
)
from cloudsms._kit.durations import format_duration
from cloudsms._kit.records import Check, Record, one_or_more, unique, unique_by
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.money import Money
from cloudsms.units import Quantity, calendar_units, quantity_problems, same_dimension

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "Activity",
    "BackupRetention",
    "ChargeKind",
    "EarlyTerminationCharge",
    "ExitTerms",
    "LegalTerm",
    "LegalTermKind",
    "Notice",
    "NoticePayload",
    "Priority",
    "PriorityScale",
    "ResourceLimit",
    "ResourceType",
    "Responsibilities",
    "Responsibility",
    "ResponsibleParty",
    "TerminatingParty",
    "TerminationReason",
    "TerminationTerms",
    "early_termination_due",
]

_CHARGE_SUBJECT = "Early termination charge"
_MOST_PERCENT_PLACES = 10


# ---------------------------------------------------------------------- shared checks
def _money_not_below_zero(money: Money, path: str) -> list[Problem]:
    return [Problem(path, "Money not below zero", str(money))] if money.amount < 0 else []


_charge_amount = Check(_money_not_below_zero, expected="Money not below zero")
"""An amount of zero or more."""


def _percent_problems(value: Decimal, path: str) -> list[Problem]:
    expected = (
        f"a percentage above 0 and at most 100, with at most {_MOST_PERCENT_PLACES} decimal places"
    )
    if (
        not value.is_finite()
        or not Decimal(0) < value <= Decimal(100)
        or int(value.as_tuple().exponent) < -_MOST_PERCENT_PLACES
    ):
        return [Problem(path, expected, describe(value))]
    return []


_percent = Check(_percent_problems, expected="a percentage above 0 and at most 100")
"""A share of something, in percent: above 0, at most 100."""


# ---------------------------------------------------------------------- termination
class TerminatingParty(enum.StrEnum):
    """Which party may end the agreement: the customer, the provider, or either (S07, S13)."""

    CUSTOMER = "customer"
    PROVIDER = "provider"
    EITHER = "either"


class TerminationReason(enum.StrEnum):
    """The reasons for which a provider may end an agreement, where the agreement lists them.

    A customer may end an agreement on its terms without giving a reason; a provider
    only for a reason the agreement names (S07 termination conditions, S13). The
    first three are the ones the issue names; the others are the grounds cloud
    contracts commonly give a provider:

    - ``misuse``: the customer uses the service against the acceptable use policy.
    - ``non-payment``: charges stay unpaid past their due date.
    - ``insolvency``: the customer becomes insolvent or enters administration.
    - ``material breach``: the customer breaks another essential obligation and does
      not remedy it (the usual catch-all beside misuse and non-payment).
    - ``legal requirement``: a law, court or regulator requires the service to stop
      for this customer (sanctions, a ruling); S01's statutory and regulatory
      obligations can leave the provider no choice.
    - ``service retirement``: the provider removes the service from its catalogue
      (S15), which ends the subscriptions to it.
    - ``prolonged force majeure``: an event beyond either party's control prevents
      the service for longer than the agreement tolerates.
    """

    MISUSE = "misuse"
    NON_PAYMENT = "non-payment"
    INSOLVENCY = "insolvency"
    MATERIAL_BREACH = "material breach"
    LEGAL_REQUIREMENT = "legal requirement"
    SERVICE_RETIREMENT = "service retirement"
    PROLONGED_FORCE_MAJEURE = "prolonged force majeure"


class ChargeKind(enum.StrEnum):
    """The form of an early-termination charge: which fields of the charge it uses.

    - ``fixed``: a fixed `Money` amount (``amount``).
    - ``remaining charges``: the recurring charges still due for the rest of the
      minimum term, in full.
    - ``share of remaining charges``: a percentage (``percent``) of those charges.
    """

    FIXED = "fixed"
    REMAINING_CHARGES = "remaining charges"
    SHARE_OF_REMAINING = "share of remaining charges"


_FIELDS_OF_KIND: dict[ChargeKind, frozenset[str]] = {
    ChargeKind.FIXED: frozenset({"amount"}),
    ChargeKind.REMAINING_CHARGES: frozenset(),
    ChargeKind.SHARE_OF_REMAINING: frozenset({"percent"}),
}
"""The fields each form of charge carries; the others are null."""


@attrs.frozen(kw_only=True)
class EarlyTerminationCharge(Record):
    """What a customer pays for ending the agreement before its minimum term is over.

    One record for the three forms, told apart by ``kind`` (a tagged union): a fixed
    ``amount``; the remaining recurring charges of the minimum term; or ``percent``
    of them. Each form carries exactly its own fields: ``amount`` only for a fixed
    charge, ``percent`` only for a share, neither for the remaining charges. Compute
    what is due with `early_termination_due`.

    Serves S07 (charges and termination conditions) and S03, whose catalogue entries
    state an early-termination charge; ISO/IEC 20000-1:2011 6.1 and 6.4.

    Raises:
        ValidationError: every problem of the fields, each with its path; a field the
            form does not use, or one it needs missing, is reported at that field.

    Examples:
        >>> EarlyTerminationCharge(kind=ChargeKind.SHARE_OF_REMAINING, percent=Decimal(50))
        EarlyTerminationCharge(kind=<ChargeKind.SHARE_OF_REMAINING: 'share of remaining charges'>, amount=None, percent=Decimal('50'))
    """  # noqa: E501 - the repr as printed

    kind: ChargeKind
    amount: Money | None = attrs.field(validator=_charge_amount, default=None)
    percent: Decimal | None = attrs.field(validator=_percent, default=None)

    @classmethod
    def fixed(cls, amount: Money) -> EarlyTerminationCharge:
        """A fixed charge of ``amount``."""
        return cls(kind=ChargeKind.FIXED, amount=amount)

    @classmethod
    def remaining_charges(cls) -> EarlyTerminationCharge:
        """The remaining recurring charges of the minimum term, in full."""
        return cls(kind=ChargeKind.REMAINING_CHARGES)

    @classmethod
    def share_of_remaining(cls, percent: Decimal | int) -> EarlyTerminationCharge:
        """``percent`` of the remaining recurring charges of the minimum term."""
        return cls(kind=ChargeKind.SHARE_OF_REMAINING, percent=Decimal(percent))

    def _rules(self) -> Iterator[Problem]:
        """Each form carries exactly its own fields."""
        wanted = _FIELDS_OF_KIND[self.kind]
        for name in ("amount", "percent"):
            value = getattr(self, name)
            if name in wanted and value is None:
                yield Problem(name, f"{_a(name)} for a charge of kind {self.kind.value!r}", "null")
            elif name not in wanted and value is not None:
                yield Problem(name, f"null for a charge of kind {self.kind.value!r}", str(value))


def _a(name: str) -> str:
    return "an amount" if name == "amount" else "a percent"


def early_termination_due(
    charge: EarlyTerminationCharge, *, recurring: Money, periods_remaining: int
) -> Money:
    """The charge due for ending early, rounded once to the currency's minor unit.

    ``recurring`` is the recurring charge per billing period (the agreement's
    charges, S07) and ``periods_remaining`` the whole billing periods left of the
    minimum term (zero once it is over). A fixed charge is its amount; the remaining
    charges are ``recurring * periods_remaining``; a share is that times
    ``percent / 100``. The amount stays exact until the end, then is rounded once,
    half to even, to the minor unit of the currency (none for JPY). Pure: the
    arguments decide the result.

    Raises:
        ValidationError: ``charge`` is not an `EarlyTerminationCharge`, ``recurring``
            is not Money of zero or more, or is in another currency than a fixed
            charge (path ``$.recurring``), or ``periods_remaining`` is not a whole
            number of zero or more (``$.periods_remaining``); the currency has no
            minor unit (``$.currency``).

    Examples:
        >>> share = EarlyTerminationCharge.share_of_remaining(Decimal("12.5"))
        >>> early_termination_due(share, recurring=Money("99.99", "EUR"), periods_remaining=7)
        Money('87.49', 'EUR')
        >>> whole = EarlyTerminationCharge.remaining_charges()
        >>> early_termination_due(whole, recurring=Money(1250, "JPY"), periods_remaining=3)
        Money('3750', 'JPY')
    """
    problems = _due_problems(charge, recurring, periods_remaining)
    raise_problems(problems, _CHARGE_SUBJECT)
    if charge.kind is ChargeKind.FIXED:
        due = charge.amount
    elif charge.kind is ChargeKind.REMAINING_CHARGES:
        due = recurring * periods_remaining
    else:
        due = recurring * periods_remaining * charge.percent.scaleb(-2)  # type: ignore[union-attr]
    return due.rounded()  # type: ignore[union-attr]


def _due_problems(charge: object, recurring: object, periods_remaining: object) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(charge, EarlyTerminationCharge):
        problems.append(Problem("$.charge", "an EarlyTerminationCharge", describe(charge)))
    if not isinstance(recurring, Money) or recurring.amount < 0:
        problems.append(Problem("$.recurring", "Money not below zero", describe(recurring)))
    elif (
        isinstance(charge, EarlyTerminationCharge)
        and charge.amount is not None
        and charge.amount.currency != recurring.currency
    ):
        expected = f"Money in {charge.amount.currency}, the charge's currency"
        problems.append(Problem("$.recurring", expected, recurring.currency))
    if (
        not isinstance(periods_remaining, int)
        or isinstance(periods_remaining, bool)
        or periods_remaining < 0
    ):
        expected = "a whole number of billing periods, zero or more"
        problems.append(Problem("$.periods_remaining", expected, describe(periods_remaining)))
    return problems


@attrs.frozen(kw_only=True)
class TerminationTerms(Record):
    """How the agreement may end: who, why, with how much notice, at what charge.

    ``terminable_by`` says which party may end it. The provider may end it only for
    one of ``provider_reasons`` (so they are given exactly when the provider may
    terminate). ``notice_period`` is the calendar length between a notice of
    termination and its effect; ``minimum_term`` the calendar length, from the
    agreement's start, before which ending costs the ``early_termination_charge``
    (which therefore needs a minimum term). ``withdrawable`` says whether a party
    may take its notice of termination back before it takes effect.

    Serves S07 (termination conditions: who may terminate, why, with what notice)
    and S13, whose exit procedure starts from these terms; ISO/IEC 20000-1:2011 6.1
    and 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path — among them
            reasons missing for a provider who may terminate, reasons given when only
            the customer may, and a charge without a minimum term.

    Examples:
        >>> from dateutil.relativedelta import relativedelta
        >>> terms = TerminationTerms(
        ...     terminable_by=TerminatingParty.EITHER,
        ...     provider_reasons={TerminationReason.MISUSE, TerminationReason.NON_PAYMENT},
        ...     notice_period=relativedelta(months=1),
        ...     minimum_term=relativedelta(years=1),
        ...     early_termination_charge=EarlyTerminationCharge.remaining_charges(),
        ... )
        >>> terms.provider_may_terminate_for(TerminationReason.INSOLVENCY)
        False
    """

    terminable_by: TerminatingParty
    provider_reasons: frozenset[TerminationReason] = attrs.field(
        factory=frozenset, converter=as_frozenset
    )
    notice_period: relativedelta = attrs.field(validator=calendar_length)
    minimum_term: relativedelta | None = attrs.field(validator=calendar_length, default=None)
    early_termination_charge: EarlyTerminationCharge | None = None
    withdrawable: bool = False

    def _rules(self) -> Iterator[Problem]:
        """Reasons exactly when the provider may terminate; a charge needs a minimum term."""
        provider_may = self.terminable_by is not TerminatingParty.CUSTOMER
        if provider_may and not self.provider_reasons:
            expected = "one or more reasons, since the provider may terminate"
            yield Problem("provider_reasons", expected, "none")
        elif not provider_may and self.provider_reasons:
            expected = "no reasons, since only the customer may terminate"
            got = ", ".join(sorted(self.provider_reasons))
            yield Problem("provider_reasons", expected, got)
        if self.early_termination_charge is not None and self.minimum_term is None:
            expected = "a minimum term, since ending early is charged"
            yield Problem("minimum_term", expected, "null")

    @property
    def customer_may_terminate(self) -> bool:
        """Whether the customer may end the agreement (on these terms, without a reason)."""
        return self.terminable_by is not TerminatingParty.PROVIDER

    def provider_may_terminate_for(self, reason: TerminationReason | str) -> bool:
        """Whether the provider may end the agreement for ``reason``.

        Raises:
            ValidationError: ``reason`` is not a `TerminationReason` (path ``$.reason``).
        """
        try:
            wanted = TerminationReason(reason)
        except ValueError:
            raise ValidationError.single(
                "$.reason",
                f"one of {', '.join(repr(r.value) for r in TerminationReason)}",
                describe(reason),
                subject="Termination query",
            ) from None
        return self.terminable_by is not TerminatingParty.CUSTOMER and (
            wanted in self.provider_reasons
        )


# ---------------------------------------------------------------------- exit
class BackupRetention(enum.StrEnum):
    """How long the provider keeps its backup of the customer's data after the end (S13).

    - ``until confirmation``: until the customer confirms it no longer needs the data,
      or the retention window ends, whichever comes first.
    - ``until retention ends``: until the retention window ends, even after a
      confirmation.
    """

    UNTIL_CONFIRMATION = "until confirmation"
    UNTIL_RETENTION_ENDS = "until retention ends"


# Starts on which two calendar lengths are compared: the first and the last days of
# every month over a common year and the leap year after it, where month ends clip.
_COMPARISON_STARTS: tuple[dt.datetime, ...] = tuple(
    dt.datetime(year, month, day)  # noqa: DTZ001 - lengths are compared on a plain calendar
    for year in (2023, 2024)
    for month in range(1, 13)
    for day in (1, 28, 29, 30, 31)
    if day <= (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
)


def _shorter_from(first: relativedelta, second: relativedelta) -> dt.datetime | None:
    """A start from which ``first`` ends before ``second`` does, or ``None`` if none does.

    When every field of ``first`` is at least that of ``second``, it never ends
    earlier; otherwise the two are compared from `_COMPARISON_STARTS`.
    """
    names = ("years", "months", "days", "hours", "minutes", "seconds")
    if all(getattr(first, n) >= getattr(second, n) for n in names):
        return None
    return next((s for s in _COMPARISON_STARTS if s + first < s + second), None)


@attrs.frozen(kw_only=True)
class ExitTerms(Record):
    """What happens to the customer's data when the agreement ends (S07 exit process, S13).

    From the termination's effective date the customer has the ``retrieval_window``
    (a calendar length) to take its data back in one of the ``export_formats``.
    After the ``retention_window`` (also from the effective date, and never shorter
    than the retrieval window) the provider may delete the data even if the customer
    has not confirmed it no longer needs it. ``backup_retention`` says how long the
    provider's backup lives: until the confirmation or the end of the retention
    window, whichever comes first, or to the end of the window regardless.

    Serves S07 (the exit process, the return of data owned by the customer) and S13
    (the exit procedure's retrieval window and deletion rule); ISO/IEC 20000-1:2011
    6.1 and 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path — among them
            a retention window shorter than the retrieval window from some start.

    Examples:
        >>> from dateutil.relativedelta import relativedelta
        >>> ExitTerms(
        ...     retrieval_window=relativedelta(days=30),
        ...     export_formats=("CSV",),
        ...     retention_window=relativedelta(months=1),
        ... )
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: ExitTerms is invalid (1 problem):
          - expected a retention window not shorter than the retrieval window (P30D), got P1M, shorter from 2023-01-30 @ $.retention_window
    """  # noqa: E501 - the message as printed

    retrieval_window: relativedelta = attrs.field(validator=calendar_length)
    export_formats: tuple[str, ...] = attrs.field(
        validator=texts(at_least_one=True) & unique, converter=as_tuple
    )
    retention_window: relativedelta = attrs.field(validator=calendar_length)
    backup_retention: BackupRetention = BackupRetention.UNTIL_CONFIRMATION

    def _rules(self) -> Iterator[Problem]:
        """The retention window is never shorter than the retrieval window."""
        start = _shorter_from(self.retention_window, self.retrieval_window)
        if start is not None:
            expected = (
                "a retention window not shorter than the retrieval window "
                f"({format_duration(self.retrieval_window)})"
            )
            got = f"{format_duration(self.retention_window)}, shorter from {start.date()}"
            yield Problem("retention_window", expected, got)


# ---------------------------------------------------------------------- responsibilities
class Activity(enum.StrEnum):
    """The activities an agreement assigns to a party (S07 responsibilities, S08 onboarding).

    Taken from S07 (backup and restore tasks, incident handling, the exit's data
    export) and S08 (registering users, managing access, moving data in, training),
    and from the security and monitoring duties cloud agreements commonly split.
    """

    BACKUP = "backup"
    RESTORE = "restore"
    INCIDENT_REPORTING = "incident reporting"
    USER_ADMINISTRATION = "user administration"
    ACCESS_MANAGEMENT = "access management"
    SECURITY_PATCHING = "security patching"
    MONITORING = "monitoring"
    DATA_MIGRATION = "data migration"
    DATA_EXPORT = "data export"
    TRAINING = "training"


class ResponsibleParty(enum.StrEnum):
    """The party roles a responsibility names; any other holder is a partner's id."""

    PROVIDER = "provider"
    CUSTOMER = "customer"


@attrs.frozen(kw_only=True)
class Responsibility(Record):
    """Who holds an activity: party roles (provider, customer) and/or partners' ids.

    ``holders`` are ids: ``"provider"`` and ``"customer"`` (`ResponsibleParty`) name
    the agreement's two parties, any other id a cloud service partner (S06) who
    performs the activity, so that an agreement involving partners says which part
    each one plays (S07). An activity nobody holds is refused at ``holders``.

    Serves S07 (the responsibilities of each party); ISO/IEC 20000-1:2011 6.1.

    Examples:
        >>> r = Responsibility(activity=Activity.BACKUP, holders={"provider", "backup-co"})
        >>> r.roles == {ResponsibleParty.PROVIDER}, sorted(r.partners)
        (True, ['backup-co'])
    """

    activity: Activity
    holders: frozenset[str] = attrs.field(
        validator=id_set(of="party or partner") & one_or_more("holders"),
        converter=as_frozenset,
    )

    @property
    def roles(self) -> frozenset[ResponsibleParty]:
        """The agreement's parties among the holders."""
        return frozenset(ResponsibleParty(h) for h in self.holders if h in _ROLES)

    @property
    def partners(self) -> frozenset[str]:
        """The partners' ids among the holders."""
        return frozenset(h for h in self.holders if h not in _ROLES)


_ROLES = frozenset(role.value for role in ResponsibleParty)


@attrs.frozen(kw_only=True)
class Responsibilities(Record):
    """Every activity of `Activity` with who holds it, each listed once.

    An activity that no entry lists is held by nobody: a problem at ``assignments``
    naming it (S07: the agreement defines the roles of every party).

    Serves S07 (rights and responsibilities of the provider, the customer and
    interested parties) and S08, whose onboarding plan splits the activities the
    same way; ISO/IEC 20000-1:2011 6.1 and 7.1.

    Raises:
        ValidationError: an activity listed twice (at ``assignments[i].activity``),
            or one not listed at all.
    """

    assignments: tuple[Responsibility, ...] = attrs.field(
        validator=unique_by("activity"), converter=as_tuple
    )

    def _rules(self) -> Iterator[Problem]:
        """Every activity is held by some party."""
        listed = {r.activity for r in self.assignments}
        missing = [a.value for a in Activity if a not in listed]
        if missing:
            yield Problem(
                "assignments", "every activity held by a party", "none holds " + ", ".join(missing)
            )

    @cached_property
    def _by_activity(self) -> Mapping[Activity, Responsibility]:
        return FrozenMapping({r.activity: r for r in self.assignments})

    def holders_of(self, activity: Activity | str) -> frozenset[str]:
        """Who holds ``activity``: ``"provider"``, ``"customer"`` and partners' ids.

        Raises:
            ValidationError: ``activity`` is not an `Activity` (path ``$.activity``).
        """
        try:
            wanted = Activity(activity)
        except ValueError:
            raise ValidationError.single(
                "$.activity",
                f"one of {', '.join(repr(a.value) for a in Activity)}",
                describe(activity),
                subject="Responsibility query",
            ) from None
        return self._by_activity[wanted].holders


# ---------------------------------------------------------------------- priorities
@attrs.frozen(kw_only=True)
class Priority(Record):
    """One level of the priority scale: ``P1``, "Critical", what makes an incident one.

    Serves S07 (the agreed scale) and S09, whose incidents carry a priority of it.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    description: str = attrs.field(validator=text)


@attrs.frozen(kw_only=True)
class PriorityScale(Record):
    """The agreed priorities, most urgent first, each id used once.

    Incidents (S09) take a priority of this scale and response and resolution targets
    (S10) are keyed by its ids. Serves S07; ISO/IEC 20000-1:2011 6.1 and 8.1.

    Raises:
        ValidationError: no priority, or an id used twice (at ``priorities[i].id``).

    Examples:
        >>> scale = PriorityScale(
        ...     priorities=(
        ...         Priority(id="P1", name="Critical", description="The service is down."),
        ...         Priority(id="P2", name="High", description="A major function fails."),
        ...     )
        ... )
        >>> scale.priority("P2").name, scale.rank("P2")
        ('High', 1)
    """

    priorities: tuple[Priority, ...] = attrs.field(
        validator=one_or_more(Priority) & unique_by("id"), converter=as_tuple
    )

    @cached_property
    def _ranks(self) -> Mapping[str, int]:
        return FrozenMapping({p.id: index for index, p in enumerate(self.priorities)})

    @property
    def ids(self) -> tuple[str, ...]:
        """The priorities' ids, most urgent first."""
        return tuple(p.id for p in self.priorities)

    def rank(self, priority_id: str) -> int:
        """The place of ``priority_id`` on the scale: 0 for the most urgent.

        Raises:
            UnknownReference: the scale has no such priority (with close matches).
        """
        given: object = priority_id
        rank = self._ranks.get(priority_id) if isinstance(given, str) else None
        if rank is None:
            raise UnknownReference(
                "priority", priority_id, suggestions=suggest(priority_id, self._ranks)
            )
        return rank

    def priority(self, priority_id: str) -> Priority:
        """The priority with this id.

        Raises:
            UnknownReference: the scale has no such priority (with close matches).
        """
        return self.priorities[self.rank(priority_id)]


# ---------------------------------------------------------------------- legal terms
class LegalTermKind(enum.StrEnum):
    """The kinds of legal term S07's examples list for an agreement."""

    INTELLECTUAL_PROPERTY = "intellectual property"
    DATA_ACCESS_RIGHTS = "data access rights"
    LIABILITY = "liability"
    DISPUTE_RESOLUTION = "dispute resolution"
    RECORD_KEEPING = "record keeping"


@attrs.frozen(kw_only=True)
class LegalTerm(Record):
    """A legal term of the agreement, as text, typed by its kind (S07).

    Serves S07 (intellectual property and data access rights, liability in the event
    of an incident, dispute resolution, record-keeping policies); ISO/IEC
    20000-1:2011 6.1 and 7.1.
    """

    kind: LegalTermKind
    text: str = attrs.field(validator=text)


# ---------------------------------------------------------------------- resource limits
class ResourceType(enum.StrEnum):
    """The resources an agreement limits, each measured in its own dimension (S07, S11).

    `dimension_unit` gives a unit of the dimension a limit of the type must have.
    """

    VCPU = "vcpu"
    INSTANCES = "instances"
    MEMORY = "memory"
    STORAGE = "storage"
    BANDWIDTH = "bandwidth"
    USERS = "users"
    REQUEST_RATE = "request rate"
    LICENCES = "licences"

    @property
    def dimension_unit(self) -> str:
        """A unit of the dimension this resource is measured in (``"GiB"`` for storage)."""
        return _RESOURCE_UNITS[self]


_RESOURCE_UNITS: dict[ResourceType, str] = {
    ResourceType.VCPU: "vcpu",
    ResourceType.INSTANCES: "instance",
    ResourceType.MEMORY: "GiB",
    ResourceType.STORAGE: "TB",
    ResourceType.BANDWIDTH: "Mbit/s",
    ResourceType.USERS: "user",
    ResourceType.REQUEST_RATE: "request/s",
    ResourceType.LICENCES: "licence",
}
"""A unit of each resource type's dimension, the one its messages name."""


def _limit_quantity(value: object, path: str) -> list[Problem]:
    return quantity_problems(value, path, example="a quantity such as '64 vcpu'")


def _limit_problems(value: Quantity, path: str) -> list[Problem]:
    if value.magnitude < 0:
        return [Problem(path, "a quantity not below zero", str(value))]
    if calendar_units(value):
        expected = "a quantity in units of fixed length (a calendar month or year varies)"
        return [Problem(path, expected, str(value))]
    return []


_LIMIT = Check(_limit_quantity, total=True) & _limit_problems


@attrs.frozen(kw_only=True)
class ResourceLimit(Record):
    """The most of a resource the customer may use: at most 64 vcpu, at most 10 TB.

    ``at_most`` is a quantity of zero or more in the resource's dimension (storage in
    bytes, bandwidth in bits per second). Resource requests (S11) are checked
    against it. Serves S07 (resource capacity and scaling) and S11; ISO/IEC
    20000-1:2011 6.1 and 6.5.

    Raises:
        ValidationError: a negative quantity, or one of another dimension than the
            resource's (path ``$.at_most``).

    Examples:
        >>> from cloudsms.units import quantity
        >>> ResourceLimit(resource_type=ResourceType.STORAGE, at_most=quantity("10 vcpu"))
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: ResourceLimit is invalid (1 problem):
          - expected a quantity of storage (convertible to TB), got 10 vcpu @ $.at_most
    """

    resource_type: ResourceType
    at_most: Quantity = attrs.field(validator=_LIMIT)

    def _rules(self) -> Iterator[Problem]:
        """The limit is in the resource's dimension."""
        unit = self.resource_type.dimension_unit
        if not same_dimension(self.at_most, unit):
            expected = f"a quantity of {self.resource_type.value} (convertible to {unit})"
            yield Problem("at_most", expected, str(self.at_most))


# ---------------------------------------------------------------------- notices
_MAX_PAYLOAD_DEPTH = 16
_INT64 = 2**63


def _json_value_problems(value: object, path: str, depth: int) -> list[Problem]:
    """Problems of a value JSON carries exactly: text, 64-bit integers, booleans, null, nests."""
    if depth > _MAX_PAYLOAD_DEPTH:
        return [Problem(path, f"at most {_MAX_PAYLOAD_DEPTH} levels of nesting", "more")]
    if value is None or isinstance(value, str | bool):
        return []
    if isinstance(value, int):
        inside = -_INT64 <= value < _INT64
        return [] if inside else [Problem(path, "an integer within 64 bits", "a larger integer")]
    if isinstance(value, Mapping):
        problems: list[Problem] = []
        for key, item in value.items():
            if isinstance(key, str):
                problems += _json_value_problems(item, f"{path}.{key}", depth + 1)
            else:
                problems.append(Problem(path, "text keys", describe(key)))
        return problems
    if isinstance(value, list | tuple):
        return [
            problem
            for index, item in enumerate(value)
            for problem in _json_value_problems(item, f"{path}[{index}]", depth + 1)
        ]
    expected = "a JSON value (text, integer, boolean, null, list or object; decimals as text)"
    return [Problem(path, expected, describe(value))]


def _payload_data_problems(value: Mapping[str, Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    for key, item in value.items():
        problems += _json_value_problems(item, f"{path}.{key}", 1)
    return problems


def _frozen_json(value: Any) -> Any:  # noqa: ANN401 - JSON data of any shape
    """JSON data made immutable: objects as `FrozenMapping`, lists as tuples."""
    if isinstance(value, Mapping):
        return FrozenMapping({key: _frozen_json(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen_json(item) for item in value)
    return value


def _as_frozen_data(value: Any) -> Any:  # noqa: ANN401 - an attrs converter takes anything
    return _frozen_json(value) if isinstance(value, Mapping) else value


_payload_data = Check(_payload_data_problems, expected="an object of JSON values")


@attrs.frozen(kw_only=True)
class NoticePayload(Record):
    """What a notice is about: a ``kind`` (an id) and its ``data``, JSON values by name.

    The design keeps `Notice` closed and its payloads open: a later module announces
    a new kind of notice by choosing a kind id (``"amendment"`` for S07's amendments;
    ``"cost-change"`` for S11's revised cost profiles, ``"termination"`` for S13, in
    later issues) and the data it carries, without changing `Notice`, its JSON or
    its schema. The data holds only what JSON carries exactly — text, integers,
    booleans, null, lists and objects — so amounts, quantities and instants go as
    their wire text (``"12.30"``, ``"250 ms"``); the module that owns a kind reads and
    checks its data. Objects are kept as read-only mappings and lists as tuples, so a
    payload is immutable and hashable.

    Serves S07 (notification of changes to agreed terms), S11 and S13.

    Examples:
        >>> payload = NoticePayload(kind="amendment", data={"terms": ["price"], "version": 2})
        >>> payload.data["terms"], payload.data["version"]
        (('price',), 2)
    """

    kind: str = attrs.field(validator=ident)
    data: Mapping[str, Any] = attrs.field(
        validator=_payload_data, factory=FrozenMapping, converter=_as_frozen_data
    )


@attrs.frozen(kw_only=True)
class Notice(Record):
    """A notice from one party to others: sent at one instant, effective at another.

    ``sent_by`` is the id of the party giving notice, ``sent_to`` the ids of those it
    is given to; ``sent_at`` and ``effective_at`` are aware instants, and a notice
    never takes effect before it is sent. ``payload`` says what the notice is about
    (see `NoticePayload`). The one notice type of the package: amendments the
    provider may make by notification (S07) use it, and later the cost changes of
    S11 and the terminations of S13.

    Serves S07 (changes to agreed terms with notification) and S13 (notice of
    termination); ISO/IEC 20000-1:2011 7.1 and 9.2.

    Raises:
        ValidationError: every problem of the fields, each with its path — among them
            a naive instant and an effect before the sending.

    Examples:
        >>> import datetime as dt
        >>> notice = Notice(
        ...     sent_by="provider-1",
        ...     sent_to={"customer-7"},
        ...     sent_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
        ...     effective_at=dt.datetime(2026, 3, 31, 9, tzinfo=dt.UTC),
        ...     payload=NoticePayload(kind="amendment", data={"terms": ["price"]}),
        ... )
        >>> notice.notice_given
        datetime.timedelta(days=30)
    """

    sent_by: str = attrs.field(validator=ident)
    sent_to: frozenset[str] = attrs.field(
        validator=id_set(of="party") & one_or_more("party ids"), converter=as_frozenset
    )
    sent_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    effective_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    payload: NoticePayload | None = None

    def _rules(self) -> Iterator[Problem]:
        """A notice takes effect no earlier than it is sent."""
        if self.effective_at.astimezone(dt.UTC) < self.sent_at.astimezone(dt.UTC):
            expected = f"an instant not before the notice is sent ({self.sent_at.isoformat()})"
            yield Problem("effective_at", expected, self.effective_at.isoformat())

    @property
    def notice_given(self) -> dt.timedelta:
        """The exact time between sending and effect."""
        return self.effective_at.astimezone(dt.UTC) - self.sent_at.astimezone(dt.UTC)
