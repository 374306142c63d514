"""The parties to a cloud service relationship, and the records the relationship keeps.

Serves S06 (establish a service relationship with the cloud customer) and the
clauses it cites, ISO/IEC 20000-1:2011 7.1 (business relationship management) and
6.1 (service level management):

- who the parties are: each `CloudServiceCustomer`, the `CloudServiceUser` values
  acting for it, each `CloudServicePartner` in a broker, developer or auditor role,
  and each `Supplier` (7.2, supplier management, which S04 and S09 cite);
- who answers for each customer: a designated `RelationshipManager`, either one
  named person or a team of the provider's staff behind a single point of contact;
- how the provider talks to each kind of customer: a `CustomerGroup` (a customer
  profile) with its own `CommunicationProcedure` — channels, a review interval on
  the calendar, an escalation contact;
- how satisfied customers are (`SatisfactionSurvey`), and what they complain about:
  a `Complaint` moves through `COMPLAINT_LIFECYCLE` from received to handled to
  closed, each step recorded with who took it and when;
- what each party agreed to: an `Acknowledgement` records which version of which
  terms or obligation a party accepted, and when — the recorded acknowledgements
  S04 asks for and S07's agreements rely on.

A `RelationshipRegister` holds the parties and groups together and checks that they
refer to one another consistently: every user acts for a known customer, every group
lists exactly the customers that name it, and no two parties share an id.

Every value checks its fields when built and reports every problem at once in a
`ValidationError`, each with its path (``$.relationship_manager.contact.email``).
Email addresses and phone numbers are personal data: error messages never show them.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar, cast

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import (
    as_frozen_mapping,
    as_frozenset,
    as_tuple,
    calendar_length_problems,
    id_problems,
    instance_problems,
    items_problems,
    nested_problems,
    optional_text_problems,
    raise_problems,
    text_problems,
)
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.lifecycle import Attempt, Lifecycle, LifecycleInstance, Transition
from cloudsms.periods import Period, add_calendar, aware

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "COMPLAINT_LIFECYCLE",
    "COMPLAINT_STATES",
    "AcceptanceMethod",
    "Acknowledgement",
    "CloudServiceCustomer",
    "CloudServicePartner",
    "CloudServiceUser",
    "CommunicationChannel",
    "CommunicationProcedure",
    "Complaint",
    "ComplaintOutcome",
    "Contact",
    "CustomerGroup",
    "ManagerKind",
    "PartnerRole",
    "Party",
    "RelationshipManager",
    "RelationshipRegister",
    "SatisfactionSurvey",
    "ScoreScale",
    "Supplier",
    "acknowledged",
    "latest_acknowledgement",
    "outcome_of",
    "pending_acknowledgements",
    "score_changes",
    "time_to_handle",
    "with_state",
]

_T = TypeVar("_T")

# The same metadata as cloudsms.serialization.SENSITIVE, spelled out so that importing
# this module does not import the converter (and cattrs with it).
_PERSONAL = {"sensitive": True}

# Pragmatic, not RFC 5322: one @, no spaces, a dotted domain whose labels are not empty.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")
_EMAIL_LONGEST = 254
# Digits with the usual separators, an optional leading +; 5 to 15 digits (E.164 allows 15).
_PHONE = re.compile(r"\+?[0-9(][0-9 ().-]*[0-9]")
_PHONE_DIGITS = (5, 15)
_ASPECT = re.compile(r"[a-z][a-z0-9_]{0,63}")
# What cloudsms.serialization reads back (its _DECIMAL, _LONGEST_NUMBER and _INT64), spelled
# out for the same reason as _PERSONAL: a value the reader would refuse is refused when built.
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_LONGEST_DECIMAL = 100
_INT64_MAX = 2**63 - 1
_QUERY = "acknowledgement query"  # the subject of errors in the arguments of a query
# Survey arithmetic runs in this context, never the caller's: 28 significant digits,
# half-even rounding, and only the signals that mean a real error are raised.
_ARITHMETIC = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


# ---------------------------------------------------------------------- vocabularies
class ManagerKind(enum.StrEnum):
    """Whether a relationship manager is one named person or a team with one contact point."""

    PERSON = "person"
    TEAM = "team"


class PartnerRole(enum.StrEnum):
    """The roles a cloud service partner can play beside the provider and the customer.

    The three sub-roles of the cloud service partner in ISO/IEC 17788 that S06 names.
    """

    BROKER = "broker"
    DEVELOPER = "developer"
    AUDITOR = "auditor"

    @property
    def title(self) -> str:  # type: ignore[override]
        """The role's full name: ``"cloud service broker"`` for the broker."""
        return f"cloud service {self.value}"


class CommunicationChannel(enum.StrEnum):
    """A way the provider and its customers talk to each other."""

    MEETING = "meeting"
    VIDEO_CALL = "video call"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    PORTAL = "portal"

    @property
    def remote(self) -> bool:
        """Whether the channel works at a distance (everything but a meeting in person)."""
        return self is not CommunicationChannel.MEETING


class ComplaintOutcome(enum.StrEnum):
    """How a closed complaint ended.

    ``resolved``: the response settled the matter; ``rejected``: the complaint was
    found unjustified and the customer was told why; ``withdrawn``: the customer
    took it back.
    """

    RESOLVED = "resolved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AcceptanceMethod(enum.StrEnum):
    """How a party signalled its acceptance of terms (what an auditor asks to see)."""

    CLICK_THROUGH = "click-through"
    ELECTRONIC_SIGNATURE = "electronic signature"
    HANDWRITTEN_SIGNATURE = "handwritten signature"
    EMAIL = "email"


# ---------------------------------------------------------------------- shared checks
def _enum_problems(value: object, kind: type[enum.Enum], path: str) -> list[Problem]:
    if isinstance(value, kind):
        return []
    return [Problem(path, f"a {kind.__name__}", describe(value))]


def _optional_id_problems(value: object, path: str) -> list[Problem]:
    if value is None:
        return []
    return [p._replace(expected=p.expected + " or null") for p in id_problems(value, path)]


def _id_set_problems(values: object, path: str, what: str) -> list[Problem]:
    if not isinstance(values, frozenset):
        return [Problem(path, f"a list of distinct {what} ids", describe(values))]
    problems: list[Problem] = []
    for value in sorted(values, key=repr):
        problems += id_problems(value, path)
    return problems


def _aware_problems(value: object, path: str) -> list[Problem]:
    try:
        aware(value, path)
    except ValidationError as exc:
        return list(exc.problems)
    return []


def _count_problems(value: object, path: str, *, least: int, note: str = "") -> list[Problem]:
    """``[]`` for an integer from ``least`` that fits in 64 bits (as JSON readers need)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if least <= value <= _INT64_MAX:
            return []
        if value > _INT64_MAX:
            return [Problem(path, "an integer of at most 2**63 - 1 (64 bits)", describe(value))]
    return [Problem(path, f"an integer from {least}{note}", describe(value))]


def _finite_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a finite Decimal (an argument to compare or compute with)."""
    if isinstance(value, Decimal) and value.is_finite():
        return []
    return [Problem(path, "a finite Decimal", describe(value))]


def _decimal_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a finite Decimal that a JSON document can carry and read back."""
    problems = _finite_problems(value, path)
    if problems:
        return problems
    text = str(value)
    if len(text) <= _LONGEST_DECIMAL and _DECIMAL_TEXT.fullmatch(text):
        return []
    return [
        Problem(
            path,
            "a Decimal written in at most 100 characters, its exponent in at most 3 digits",
            describe(value),
        )
    ]


_ORIGIN = dt.datetime(1, 1, 1)  # noqa: DTZ001 - naive on purpose: the timeline's zero in UTC


def _on_timeline(instant: dt.datetime) -> dt.timedelta:
    """Where an aware instant lies on the absolute timeline (from 0001-01-01 in UTC).

    Aware datetimes sharing a tzinfo subtract on the wall clock; these distances
    cannot, and unlike ``astimezone(UTC)`` they never overflow near year 1 or 9999.
    """
    return instant.replace(tzinfo=None) - _ORIGIN - (instant.utcoffset() or dt.timedelta(0))


def _list_argument(values: object, path: str, expected: str) -> tuple[object, ...]:
    """A list-like argument as a tuple; a string, a mapping or a non-list is refused."""
    items = as_tuple(values)  # type: ignore[arg-type]
    if not isinstance(items, tuple):
        raise ValidationError.single(path, expected, describe(values), subject=_QUERY)
    return items


def _role(role: object) -> PartnerRole:
    """``role`` as a `PartnerRole` (its value, ``"broker"``, will do)."""
    if isinstance(role, PartnerRole):
        return role
    if isinstance(role, str) and role in _ROLES:
        return PartnerRole(role)
    raise ValidationError.single(
        "$.role",
        "a PartnerRole (broker, developer or auditor)",
        describe(role),
        subject="partner role",
    )


_ROLES = frozenset(r.value for r in PartnerRole)


# ---------------------------------------------------------------------- contacts
def _email_problems(value: object, path: str) -> list[Problem]:
    if value is None or (
        isinstance(value, str) and len(value) <= _EMAIL_LONGEST and _EMAIL.fullmatch(value)
    ):
        return []
    return [
        Problem(
            path,
            "an email address such as 'name@example.com', or null",
            describe(value, sensitive=True),
        )
    ]


def _phone_problems(value: object, path: str) -> list[Problem]:
    if value is None:
        return []
    if isinstance(value, str) and _PHONE.fullmatch(value):
        digits = sum(c.isdigit() for c in value)
        if _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]:
            return []
    return [
        Problem(
            path,
            "a phone number of 5 to 15 digits such as '+49 30 1234567', or null",
            describe(value, sensitive=True),
        )
    ]


@attrs.frozen(kw_only=True)
class Contact:
    """Someone to reach, and how: a name with an email address, a phone number, or both.

    A contact with no way to reach it is refused. The address and the number are
    personal data, so an error message names what was wrong with them but never
    shows them. Email addresses are checked for shape only (one ``@``, a dotted
    domain), not delivered to.

    Serves S06 (communication with the customer); ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: an empty name, a malformed address or number, or neither.

    Examples:
        >>> Contact(name="Service desk", email="desk@example.com").email
        'desk@example.com'
        >>> Contact(name="Dana", email="not an address")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Contact is invalid (1 problem):
          - expected an email address ..., got <redacted> (string) @ $.email
    """

    name: str
    email: str | None = attrs.field(default=None, metadata=_PERSONAL)
    phone: str | None = attrs.field(default=None, metadata=_PERSONAL)

    def __attrs_post_init__(self) -> None:
        problems = text_problems(self.name, "$.name")
        problems += _email_problems(self.email, "$.email")
        problems += _phone_problems(self.phone, "$.phone")
        if self.email is None and self.phone is None:
            problems.append(
                Problem("$", "an email address or a phone number to reach the contact", "neither")
            )
        raise_problems(problems, "Contact")


@attrs.frozen(kw_only=True)
class RelationshipManager:
    """The person or team designated to look after a customer relationship and satisfaction.

    S06 asks the provider to name who answers for each customer relationship. Where a
    service has too many customers for one person each, a team of the provider's
    staff may share that duty under one identity — provided customers reach it at a
    single point of contact. So a manager is either a ``person`` or a ``team``; either
    way it has exactly one `Contact`. A team may list the staff behind it in
    ``members`` (names, distinct); a person has no members. Members are kept sorted,
    so the same team listed in another order is the same manager (one key of
    `RelationshipRegister.customers_by_manager`, one hash).

    Serves S06; ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: an empty name, an unknown kind, a missing contact, members
            given for a person, members not given as a list of names, or an empty or
            repeated member.

    Examples:
        >>> desk = RelationshipManager.team(
        ...     "Customer Success", email="success@example.com", members=("Ben", "Ana")
        ... )
        >>> desk.kind, desk.contact.email, desk.members
        (<ManagerKind.TEAM: 'team'>, 'success@example.com', ('Ana', 'Ben'))
        >>> RelationshipManager(
        ...     name="Dana",
        ...     kind=ManagerKind.PERSON,
        ...     contact=Contact(name="Dana", phone="+49 30 1234567"),
        ...     members=("Ana",),
        ... )
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: RelationshipManager is invalid (1 problem):
          - expected no members (only a team has members), got ('Ana',) (array) @ $.members
    """

    name: str
    kind: ManagerKind
    contact: Contact
    members: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        problems = text_problems(self.name, "$.name")
        problems += _enum_problems(self.kind, ManagerKind, "$.kind")
        problems += instance_problems(self.contact, Contact, "$.contact")
        members: object = self.members
        if not isinstance(members, tuple):
            problems.append(Problem("$.members", "a list of names", describe(members)))
        elif members and self.kind is ManagerKind.PERSON:
            problems.append(
                Problem("$.members", "no members (only a team has members)", describe(members))
            )
        else:
            for index, member in enumerate(members):
                problems += text_problems(member, f"$.members[{index}]")
            names = all(isinstance(m, str) for m in members)  # else unhashable, maybe
            if names and len(set(members)) != len(members):
                problems.append(Problem("$.members", "distinct names", describe(members)))
        raise_problems(problems, "RelationshipManager")
        # Checked in the order given (paths point at what the caller wrote), kept sorted.
        object.__setattr__(self, "members", tuple(sorted(self.members)))

    @classmethod
    def person(
        cls, name: str, *, email: str | None = None, phone: str | None = None
    ) -> RelationshipManager:
        """A named person, reached at ``email`` and/or ``phone``.

        The contact takes the manager's name, so a bad name is reported once, at
        ``$.name``.

        Raises:
            ValidationError: as the class does; the contact's problems under ``$.contact``.
        """
        return _manager(cls, name, kind=ManagerKind.PERSON, email=email, phone=phone, members=())

    @classmethod
    def team(
        cls,
        name: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        members: Iterable[str] = (),
    ) -> RelationshipManager:
        """A team sharing the identity ``name``, reached at one ``email`` and/or ``phone``.

        ``members`` is a list of names (a single string is refused, not split into
        letters). The contact takes the team's name, so a bad name is reported once,
        at ``$.name``.

        Raises:
            ValidationError: as the class does; the contact's problems under ``$.contact``.
        """
        return _manager(
            cls, name, kind=ManagerKind.TEAM, email=email, phone=phone, members=members
        )

    @property
    def is_team(self) -> bool:
        """Whether the manager is a team behind one contact point."""
        return self.kind is ManagerKind.TEAM


def _manager(
    cls: type[RelationshipManager],
    name: str,
    *,
    kind: ManagerKind,
    email: str | None,
    phone: str | None,
    members: Iterable[str],
) -> RelationshipManager:
    """A manager whose contact carries its name, every problem at the caller's own path."""
    contact: Contact | None = None
    nested: list[Problem] = []
    try:
        contact = Contact(name=name, email=email, phone=phone)
    except ValidationError as exc:
        # The contact's name is the manager's: the manager's own check reports it at $.name.
        nested = nested_problems((p for p in exc.problems if p.path != "$.name"), "$.contact")
    try:
        return cls(name=name, kind=kind, contact=contact, members=members)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems: list[Problem] = []
        for problem in exc.problems:
            replaced = contact is None and problem.path == "$.contact"
            problems += nested if replaced else [problem]
        raise ValidationError(problems, subject="RelationshipManager") from None


# ---------------------------------------------------------------------- the parties
@attrs.frozen(kw_only=True)
class CloudServiceCustomer:
    """A cloud service customer: who it is, who manages the relationship, which group.

    ``relationship_manager`` is required: every customer has someone designated to
    answer for it (S06). ``group_id`` names the `CustomerGroup` (customer profile)
    the customer belongs to, if any; a `RelationshipRegister` checks that the group
    lists the customer too. ``contacts`` are the customer's own people to reach.

    Serves S06; ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str
    name: str
    relationship_manager: RelationshipManager
    group_id: str | None = None
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.name, "$.name")
        problems += instance_problems(
            self.relationship_manager, RelationshipManager, "$.relationship_manager"
        )
        problems += _optional_id_problems(self.group_id, "$.group_id")
        problems += items_problems(self.contacts, Contact, "$.contacts")
        raise_problems(problems, "CloudServiceCustomer")


@attrs.frozen(kw_only=True)
class CloudServiceUser:
    """A person (or a system acting for one) using cloud services on behalf of a customer.

    ``customer_id`` names the `CloudServiceCustomer` the user acts for.

    Serves S06; ISO/IEC 20000-1:2011 7.1, which asks the provider to know its
    customers, users and other interested parties.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str
    name: str
    customer_id: str
    contact: Contact | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.name, "$.name")
        problems += id_problems(self.customer_id, "$.customer_id")
        problems += instance_problems(self.contact, Contact, "$.contact", optional=True)
        raise_problems(problems, "CloudServiceUser")


@attrs.frozen(kw_only=True)
class CloudServicePartner:
    """An interested party supporting the provider or the customer in one or more roles.

    ``roles`` holds one or more `PartnerRole` values: a broker negotiates and buys
    services on customers' behalf, a developer designs, builds and maintains a
    service, an auditor examines how services are provided and used and reports on
    it. ``customer_ids`` names the customers the partner works for (a broker's
    clients, an auditor a customer engaged); it stays empty for a partner working
    for the provider.

    Serves S06 (relationships with other interested parties); ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str
    name: str
    roles: frozenset[PartnerRole] = attrs.field(converter=as_frozenset)
    customer_ids: frozenset[str] = attrs.field(factory=frozenset, converter=as_frozenset)
    contact: Contact | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.name, "$.name")
        roles: object = self.roles
        if (
            not isinstance(roles, frozenset)
            or not roles
            or not all(isinstance(r, PartnerRole) for r in roles)
        ):
            problems.append(Problem("$.roles", "one or more PartnerRole values", describe(roles)))
        problems += _id_set_problems(self.customer_ids, "$.customer_ids", "customer")
        problems += instance_problems(self.contact, Contact, "$.contact", optional=True)
        raise_problems(problems, "CloudServicePartner")

    def plays(self, role: PartnerRole) -> bool:
        """Whether the partner plays ``role``.

        Raises:
            ValidationError: ``role`` is not a `PartnerRole` or the value of one.
        """
        return _role(role) in self.roles


@attrs.frozen(kw_only=True)
class Supplier:
    """An external supplier the provider depends on, and the contract that governs it.

    ``supplies`` says what it provides (a data centre, a service desk, a component
    service); ``contract`` references the agreement under which it is managed;
    ``cloud_service_provider`` is true when the supplier is itself a cloud service
    provider whose service this one builds on.

    Serves S06 (relationships with interested parties) and the supplier management of
    S04 and S09; ISO/IEC 20000-1:2011 7.2.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str
    name: str
    supplies: str
    contract: str
    cloud_service_provider: bool = False
    contact: Contact | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.name, "$.name")
        problems += text_problems(self.supplies, "$.supplies")
        problems += text_problems(self.contract, "$.contract")
        provider: object = self.cloud_service_provider
        if not isinstance(provider, bool):
            problems.append(Problem("$.cloud_service_provider", "a boolean", describe(provider)))
        problems += instance_problems(self.contact, Contact, "$.contact", optional=True)
        raise_problems(problems, "Supplier")


# ---------------------------------------------------------------------- groups
@attrs.frozen(kw_only=True)
class CommunicationProcedure:
    """How the provider communicates with the customers of one group, and how often.

    ``channels`` are the ways used (one or more); ``review_every`` is the calendar
    length between reviews of the relationship and the service with the customer
    (``relativedelta(months=3)`` for quarterly: calendar-true, never an average
    month), in whole units, positive, at most 1000 years; ``escalation`` is who to
    turn to when the usual contact does not resolve a matter; ``reporting``
    describes what the customers receive (a tailored monthly report, a self-service
    dashboard); ``automated`` says whether the procedure runs without staff
    (notifications, checklists, surveys sent by the platform), as is common for
    large public-cloud groups.

    Serves S06 (a communication procedure per customer group); ISO/IEC 20000-1:2011
    7.1 and 6.1 (service reviews at planned intervals).

    Raises:
        ValidationError: every problem of the fields, each with its path.

    Examples:
        >>> import datetime as dt
        >>> quarterly = CommunicationProcedure(
        ...     channels={CommunicationChannel.MEETING}, review_every=relativedelta(months=3)
        ... )
        >>> quarterly.next_review(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)).date()
        datetime.date(2027, 2, 28)
    """

    channels: frozenset[CommunicationChannel] = attrs.field(converter=as_frozenset)
    review_every: relativedelta
    escalation: Contact | None = None
    reporting: str | None = None
    automated: bool = False

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        channels: object = self.channels
        if (
            not isinstance(channels, frozenset)
            or not channels
            or not all(isinstance(c, CommunicationChannel) for c in channels)
        ):
            problems.append(
                Problem(
                    "$.channels", "one or more CommunicationChannel values", describe(channels)
                )
            )
        problems += calendar_length_problems(self.review_every, "$.review_every")
        problems += instance_problems(self.escalation, Contact, "$.escalation", optional=True)
        problems += optional_text_problems(self.reporting, "$.reporting")
        automated: object = self.automated
        if not isinstance(automated, bool):
            problems.append(Problem("$.automated", "a boolean", describe(automated)))
        raise_problems(problems, "CommunicationProcedure")

    def next_review(self, after: dt.datetime) -> dt.datetime:
        """The review one interval after ``after``, on the calendar of ``after``'s zone.

        Raises:
            ValidationError: ``after`` is naive, or the review would fall outside the
                supported range of instants (before 9000-01-01T00:00Z).
        """
        review = self._review(aware(after, "$.after"), 1)
        if review is None:
            raise ValidationError.single(
                "$.after",
                "an instant whose next review falls before 9000-01-01T00:00Z",
                after.isoformat(),
                subject="review schedule",
            )
        return review

    def reviews(self, start: dt.datetime, count: int) -> tuple[dt.datetime, ...]:
        """The next ``count`` reviews after ``start``, each computed from ``start`` (no drift).

        Raises:
            ValidationError: ``start`` is naive, ``count`` is negative, or a review
                would fall outside the supported range (before 9000-01-01T00:00Z).
        """
        aware(start, "$.start")
        problems = _count_problems(count, "$.count", least=0)
        raise_problems(problems, "review schedule")
        # Lengths are positive, so the last review is the latest: if it fits, all do.
        if count and self._review(start, count) is None:
            path, expected = (
                ("$.start", "an instant whose next review falls before 9000-01-01T00:00Z")
                if self._review(start, 1) is None
                else ("$.count", "as many reviews as fall before 9000-01-01T00:00Z")
            )
            got = start.isoformat() if path == "$.start" else describe(count)
            raise ValidationError.single(path, expected, got, subject="review schedule")
        return tuple(add_calendar(start, self.review_every, n) for n in range(1, count + 1))

    def _review(self, start: dt.datetime, n: int) -> dt.datetime | None:
        """The ``n``-th review after ``start``, or ``None`` past the end of the calendar."""
        try:
            return add_calendar(start, self.review_every, n)
        except (OverflowError, ValueError):
            return None


@attrs.frozen(kw_only=True)
class CustomerGroup:
    """A group of customers — a customer profile — served through one communication procedure.

    A provider defines groups by market, size or value (``description`` says who
    belongs), and gives each the procedure that suits it: face-to-face reviews and
    tailored reports for a few large accounts, remote channels and automation for
    many small ones. ``members`` are the ids of the customers in the group; each of
    them names the group as its ``group_id``, which a `RelationshipRegister` checks.

    Serves S06 (customer groups and profiles, each with its communication procedure);
    ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str
    name: str
    procedure: CommunicationProcedure
    members: frozenset[str] = attrs.field(factory=frozenset, converter=as_frozenset)
    description: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.name, "$.name")
        problems += instance_problems(self.procedure, CommunicationProcedure, "$.procedure")
        problems += _id_set_problems(self.members, "$.members", "customer")
        problems += optional_text_problems(self.description, "$.description")
        raise_problems(problems, "CustomerGroup")


# ---------------------------------------------------------------------- the register
Party = CloudServiceCustomer | CloudServiceUser | CloudServicePartner | Supplier
"""Any party a `RelationshipRegister` holds by id (and an `Acknowledgement` can name)."""


@attrs.frozen(kw_only=True)
class RelationshipRegister:
    """The parties of the provider's relationships and its customer groups, kept consistent.

    The register refuses what would leave a reference dangling or two records
    disagreeing: a party id used twice (ids are unique across customers, users,
    partners and suppliers, so an `Acknowledgement` names exactly one party), a
    group id used twice, a user or partner acting for an unknown customer, a
    customer naming an unknown group, and a group whose ``members`` are not exactly
    the customers naming it.

    Serves S06; ISO/IEC 20000-1:2011 7.1 (the provider identifies and documents its
    customers, users and interested parties) and 7.2 (its suppliers).

    Raises:
        ValidationError: every problem found, each with its path.

    Examples:
        >>> from dateutil.relativedelta import relativedelta
        >>> desk = RelationshipManager.team("Customer Success", email="success@example.com")
        >>> online = CustomerGroup(
        ...     id="self-service",
        ...     name="Self-service accounts",
        ...     members={"acme"},
        ...     procedure=CommunicationProcedure(
        ...         channels={CommunicationChannel.PORTAL, CommunicationChannel.EMAIL},
        ...         review_every=relativedelta(years=1),
        ...         automated=True,
        ...     ),
        ... )
        >>> acme = CloudServiceCustomer(
        ...     id="acme", name="ACME Ltd", relationship_manager=desk, group_id="self-service"
        ... )
        >>> register = RelationshipRegister(customers=(acme,), groups=(online,))
        >>> register.procedure_for("acme").automated
        True
        >>> RelationshipRegister(
        ...     customers=(acme,),
        ...     users=(CloudServiceUser(id="u1", name="Lee", customer_id="acme-corp"),),
        ...     groups=(online,),
        ... )
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: RelationshipRegister is invalid (1 problem):
          - expected the id of a customer ..., got 'acme-corp' (string) @ $.users[0].customer_id
    """

    customers: tuple[CloudServiceCustomer, ...] = attrs.field(default=(), converter=as_tuple)
    users: tuple[CloudServiceUser, ...] = attrs.field(default=(), converter=as_tuple)
    partners: tuple[CloudServicePartner, ...] = attrs.field(default=(), converter=as_tuple)
    suppliers: tuple[Supplier, ...] = attrs.field(default=(), converter=as_tuple)
    groups: tuple[CustomerGroup, ...] = attrs.field(default=(), converter=as_tuple)
    _parties: dict[str, Party] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        problems = _register_type_problems(self)
        if not problems:
            problems = _register_problems(self)
        raise_problems(problems, "RelationshipRegister")
        parties: dict[str, Party] = {}
        for kind in (self.customers, self.users, self.partners, self.suppliers):
            parties.update((p.id, p) for p in kind)
        object.__setattr__(self, "_parties", parties)

    # ------------------------------------------------------------------ queries
    def party(self, party_id: str) -> Party:
        """The customer, user, partner or supplier with ``party_id``.

        Raises:
            UnknownReference: no party has that id (close ids are suggested).
        """
        return _lookup("party", party_id, self._parties)

    def customer(self, customer_id: str) -> CloudServiceCustomer:
        """The customer with ``customer_id``.

        Raises:
            UnknownReference: no customer has that id.
        """
        return _lookup("customer", customer_id, {c.id: c for c in self.customers})

    def group(self, group_id: str) -> CustomerGroup:
        """The customer group with ``group_id``.

        Raises:
            UnknownReference: no group has that id.
        """
        return _lookup("customer group", group_id, {g.id: g for g in self.groups})

    def users_of(self, customer_id: str) -> tuple[CloudServiceUser, ...]:
        """The users acting for the customer, in register order.

        Raises:
            UnknownReference: no customer has that id.
        """
        customer = self.customer(customer_id)
        return tuple(u for u in self.users if u.customer_id == customer.id)

    def partners_of(self, customer_id: str) -> tuple[CloudServicePartner, ...]:
        """The partners working for the customer (its brokers, the auditors it engaged).

        Raises:
            UnknownReference: no customer has that id.
        """
        customer = self.customer(customer_id)
        return tuple(p for p in self.partners if customer.id in p.customer_ids)

    def partners_in(self, role: PartnerRole) -> tuple[CloudServicePartner, ...]:
        """The partners playing ``role``, in register order.

        Raises:
            ValidationError: ``role`` is not a `PartnerRole` or the value of one.
        """
        wanted = _role(role)
        return tuple(p for p in self.partners if wanted in p.roles)

    def group_of(self, customer_id: str) -> CustomerGroup | None:
        """The group the customer belongs to, or ``None``.

        Raises:
            UnknownReference: no customer has that id.
        """
        customer = self.customer(customer_id)
        return None if customer.group_id is None else self.group(customer.group_id)

    def procedure_for(self, customer_id: str) -> CommunicationProcedure | None:
        """The communication procedure of the customer's group (``None`` outside any group).

        Raises:
            UnknownReference: no customer has that id.
        """
        group = self.group_of(customer_id)
        return None if group is None else group.procedure

    def customers_by_manager(self) -> dict[RelationshipManager, tuple[str, ...]]:
        """Each relationship manager with the ids of the customers it looks after.

        Shows the load on each manager: one person for a few accounts, or one team
        for many. Managers are keys by value: customers naming equal managers (the
        same team with its members listed in any order) share one entry. Two
        different managers may share a name, so key any summary by the manager,
        not by its name.
        """
        load: dict[RelationshipManager, list[str]] = {}
        for customer in self.customers:
            load.setdefault(customer.relationship_manager, []).append(customer.id)
        return {manager: tuple(ids) for manager, ids in load.items()}


def _lookup(kind: str, key: object, known: Mapping[str, _T]) -> _T:
    """``known[key]``, or `UnknownReference` naming the closest known ids."""
    if isinstance(key, str) and key in known:
        return known[key]
    from cloudsms._foundation.suggest import suggest  # noqa: PLC0415 - only an error needs it

    close = suggest(key, known) if isinstance(key, str) else ()
    raise UnknownReference(kind, key, suggestions=close)


def _register_type_problems(register: RelationshipRegister) -> list[Problem]:
    parts: dict[str, tuple[object, type]] = {
        "customers": (register.customers, CloudServiceCustomer),
        "users": (register.users, CloudServiceUser),
        "partners": (register.partners, CloudServicePartner),
        "suppliers": (register.suppliers, Supplier),
        "groups": (register.groups, CustomerGroup),
    }
    problems: list[Problem] = []
    for name, (values, kind) in parts.items():
        problems += items_problems(values, kind, f"$.{name}")
    return problems


def _register_problems(register: RelationshipRegister) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    parties: list[tuple[str, Iterable[Party]]] = [
        ("customers", register.customers),
        ("users", register.users),
        ("partners", register.partners),
        ("suppliers", register.suppliers),
    ]
    for name, values in parties:
        for index, party in enumerate(values):
            if party.id in seen:
                problems.append(
                    Problem(
                        f"$.{name}[{index}].id", "an id no other party uses", describe(party.id)
                    )
                )
            seen.add(party.id)
    groups: dict[str, CustomerGroup] = {}
    for index, group in enumerate(register.groups):
        if group.id in groups:
            problems.append(
                Problem(f"$.groups[{index}].id", "an id no other group uses", describe(group.id))
            )
        groups.setdefault(group.id, group)
    customers = {c.id: c for c in register.customers}
    problems += _reference_problems(register, customers, groups)
    problems += _membership_problems(register, customers)
    return problems


def _reference_problems(
    register: RelationshipRegister,
    customers: Mapping[str, CloudServiceCustomer],
    groups: Mapping[str, CustomerGroup],
) -> list[Problem]:
    problems: list[Problem] = []
    customer_ref = "the id of a customer in the register"
    for index, user in enumerate(register.users):
        if user.customer_id not in customers:
            path = f"$.users[{index}].customer_id"
            problems.append(Problem(path, customer_ref, describe(user.customer_id)))
    for index, partner in enumerate(register.partners):
        problems += [
            Problem(f"$.partners[{index}].customer_ids", customer_ref, describe(cid))
            for cid in sorted(partner.customer_ids - customers.keys())
        ]
    for index, customer in enumerate(register.customers):
        if customer.group_id is not None and customer.group_id not in groups:
            path = f"$.customers[{index}].group_id"
            problems.append(
                Problem(path, "the id of a group in the register", describe(customer.group_id))
            )
    return problems


def _membership_problems(
    register: RelationshipRegister, customers: Mapping[str, CloudServiceCustomer]
) -> list[Problem]:
    problems: list[Problem] = []
    listed: dict[str, set[str]] = {}
    for index, group in enumerate(register.groups):
        path = f"$.groups[{index}].members"
        for member in sorted(group.members):
            listed.setdefault(member, set()).add(group.id)
            customer = customers.get(member)
            if customer is None:
                problems.append(Problem(path, "ids of customers in the register", repr(member)))
            elif customer.group_id != group.id:
                problems.append(
                    Problem(
                        path,
                        f"customers whose group_id is {group.id!r}",
                        f"{member!r}, whose group_id is {customer.group_id!r}",
                    )
                )
    known = {g.id for g in register.groups}
    for index, customer in enumerate(register.customers):
        group_id = customer.group_id
        if group_id in known and group_id not in listed.get(customer.id, set()):
            problems.append(
                Problem(
                    f"$.customers[{index}].group_id",
                    f"a group listing {customer.id!r} among its members",
                    describe(group_id),
                )
            )
    return problems


# ---------------------------------------------------------------------- satisfaction
@attrs.frozen
class ScoreScale:
    """The range a survey's scores lie on, both ends included: ``ScoreScale(low, high)``.

    Each end is a finite Decimal a JSON document can carry (at most 100 characters,
    an exponent of at most three digits). `normalise` computes in a fixed decimal
    context of 28 significant digits, rounding half to even, whatever the caller's
    context is.

    Serves S06 (measuring customer satisfaction); ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: an end is not such a Decimal, or ``low`` is not below ``high``.

    Examples:
        >>> five = ScoreScale(Decimal(1), Decimal(5))
        >>> five.contains(Decimal("4.5")), five.normalise(Decimal(4))
        (True, Decimal('0.75'))
    """

    low: Decimal
    high: Decimal

    def __attrs_post_init__(self) -> None:
        problems = _decimal_problems(self.low, "$.low") + _decimal_problems(self.high, "$.high")
        if not problems and self.low >= self.high:
            problems.append(
                Problem("$.high", f"a value above the low end {self.low}", describe(self.high))
            )
        raise_problems(problems, "ScoreScale")

    def contains(self, score: Decimal) -> bool:
        """Whether ``score`` lies on the scale, ends included.

        Raises:
            ValidationError: ``score`` is not a finite Decimal.
        """
        raise_problems(_finite_problems(score, "$.score"), "score")
        return self.low <= score <= self.high

    def normalise(self, score: Decimal) -> Decimal:
        """Where ``score`` lies on the scale, from 0 at the low end to 1 at the high end.

        Raises:
            ValidationError: ``score`` is not a finite Decimal.
        """
        raise_problems(_finite_problems(score, "$.score"), "score")
        span = _ARITHMETIC.subtract(self.high, self.low)
        return _ARITHMETIC.divide(_ARITHMETIC.subtract(score, self.low), span)


@attrs.frozen(kw_only=True)
class SatisfactionSurvey:
    """The results of one customer satisfaction survey.

    ``scores`` gives, per aspect asked about (lower-case keys such as ``overall``,
    ``support``, ``reporting``), the mean score of the respondents, each on the
    survey's ``scale``; ``responses`` counts who answered and ``invited`` (if known)
    who was asked. ``period`` is when the survey ran. A survey covers one customer
    (``customer_id``), one group (``group_id``) or, with neither, every customer.
    ``scores`` is kept as a read-only mapping, so a survey cannot change once
    checked. Counts fit in 64 bits and scores in what a JSON document carries, so
    whatever is built can be written and read back. The summaries compute in a
    fixed decimal context (28 significant digits, rounding half to even), so they
    give the same digits whatever the caller's decimal context.

    Serves S06 (satisfaction measured, opportunities for improvement found);
    ISO/IEC 20000-1:2011 7.1 (satisfaction measured at planned intervals and
    analysed) and 6.2 (results reported).

    Raises:
        ValidationError: every problem of the fields, each with its path: a score off
            the scale, no scores, no responses, more responses than invitations, or a
            survey naming both a customer and a group.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.periods import Period
        >>> q1 = SatisfactionSurvey(
        ...     id="csat-2026q1",
        ...     period=Period(
        ...         dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 15, tzinfo=dt.UTC)
        ...     ),
        ...     scale=ScoreScale(Decimal(1), Decimal(5)),
        ...     scores={"overall": Decimal("4.2"), "support": Decimal("3.4")},
        ...     responses=42,
        ...     invited=120,
        ... )
        >>> q1.mean_score(), q1.response_rate(), q1.aspects_below(Decimal("3.5"))
        (Decimal('3.8'), Decimal('0.35'), ('support',))
    """

    id: str
    period: Period
    scale: ScoreScale
    scores: Mapping[str, Decimal] = attrs.field(converter=as_frozen_mapping)
    responses: int
    invited: int | None = None
    customer_id: str | None = None
    group_id: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id")
        problems += instance_problems(self.period, Period, "$.period")
        problems += instance_problems(self.scale, ScoreScale, "$.scale")
        problems += _score_problems(self.scores, self.scale)
        problems += _count_problems(self.responses, "$.responses", least=1)
        invited: object = self.invited
        if invited is not None:
            responses: object = self.responses
            counted = isinstance(responses, int) and not isinstance(responses, bool)
            least = cast("int", responses) if counted else 1
            problems += _count_problems(
                invited,
                "$.invited",
                least=max(least, 1),
                note=" (at least the respondents), or null",
            )
        problems += _optional_id_problems(self.customer_id, "$.customer_id")
        problems += _optional_id_problems(self.group_id, "$.group_id")
        if self.customer_id is not None and self.group_id is not None:
            problems.append(
                Problem(
                    "$.group_id",
                    "null when customer_id is set (a survey covers one customer, one group "
                    "or all customers)",
                    describe(self.group_id),
                )
            )
        raise_problems(problems, "SatisfactionSurvey")

    def mean_score(self) -> Decimal:
        """The mean of the aspects' scores, each aspect weighing the same (28 digits)."""
        total = Decimal(0)
        for score in self.scores.values():
            total = _ARITHMETIC.add(total, score)
        return _ARITHMETIC.divide(total, Decimal(len(self.scores)))

    def normalised_scores(self) -> dict[str, Decimal]:
        """Each aspect's score as a fraction of the scale (0 at the low end, 1 at the high)."""
        return {aspect: self.scale.normalise(s) for aspect, s in self.scores.items()}

    def response_rate(self) -> Decimal | None:
        """The share of those invited who answered (``None`` when ``invited`` is unknown)."""
        if self.invited is None:
            return None
        return _ARITHMETIC.divide(Decimal(self.responses), Decimal(self.invited))

    def aspects_below(self, threshold: Decimal) -> tuple[str, ...]:
        """The aspects scoring below ``threshold``, sorted: candidates for improvement.

        Raises:
            ValidationError: ``threshold`` is not a finite Decimal on the survey's scale.
        """
        problems = _finite_problems(threshold, "$.threshold")
        if not problems and not self.scale.contains(threshold):
            problems.append(
                Problem(
                    "$.threshold",
                    f"a score on the scale {self.scale.low} to {self.scale.high}",
                    describe(threshold),
                )
            )
        raise_problems(problems, "survey threshold")
        return tuple(sorted(a for a, s in self.scores.items() if s < threshold))


def _score_problems(scores: object, scale: object) -> list[Problem]:
    if not isinstance(scores, Mapping) or not scores:
        return [Problem("$.scores", "an object of one or more aspect scores", describe(scores))]
    problems: list[Problem] = []
    for aspect, score in scores.items():
        if not isinstance(aspect, str) or not _ASPECT.fullmatch(aspect):
            problems.append(
                Problem("$.scores", "lower-case aspect names such as 'overall'", describe(aspect))
            )
            continue
        path = f"$.scores.{aspect}"
        found = _decimal_problems(score, path)
        if not found and isinstance(scale, ScoreScale) and not scale.contains(score):
            found = [
                Problem(path, f"a score on the scale {scale.low} to {scale.high}", describe(score))
            ]
        problems += found
    return problems


def score_changes(earlier: SatisfactionSurvey, later: SatisfactionSurvey) -> dict[str, Decimal]:
    """How each aspect both surveys asked about moved from ``earlier`` to ``later``.

    Positive is better. Scores on different scales are not compared (the raw
    numbers would mislead): normalise them first with
    `SatisfactionSurvey.normalised_scores` if that comparison is really wanted.
    Nor are surveys of different populations: both must cover the same customer,
    the same group, or every customer. Differences are computed in the fixed
    context of the summaries (28 significant digits, rounding half to even).

    Raises:
        ValidationError: an argument is not a survey, the scales or the populations
            (``customer_id``, ``group_id``) differ, or ``later`` started before
            ``earlier``.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.periods import Period
        >>> def survey(sid, month, overall):
        ...     start = dt.datetime(2026, month, 1, tzinfo=dt.UTC)
        ...     return SatisfactionSurvey(
        ...         id=sid,
        ...         period=Period(start, start + dt.timedelta(days=7)),
        ...         scale=ScoreScale(Decimal(1), Decimal(5)),
        ...         scores={"overall": Decimal(overall)},
        ...         responses=30,
        ...     )
        >>> score_changes(survey("q1", 3, "3.9"), survey("q2", 6, "4.3"))
        {'overall': Decimal('0.4')}
    """
    problems = instance_problems(earlier, SatisfactionSurvey, "$.earlier")
    problems += instance_problems(later, SatisfactionSurvey, "$.later")
    raise_problems(problems, "survey comparison")
    for field in ("customer_id", "group_id"):
        before, after = getattr(earlier, field), getattr(later, field)
        if before != after:
            problems.append(
                Problem(
                    f"$.later.{field}",
                    f"{_or_null(before)}, as in the earlier survey (one population)",
                    _or_null(after),
                )
            )
    if earlier.scale != later.scale:
        problems.append(
            Problem(
                "$.later.scale",
                f"the earlier survey's scale, {earlier.scale.low} to {earlier.scale.high}",
                f"{later.scale.low} to {later.scale.high}",
            )
        )
    if later.period.start < earlier.period.start:
        problems.append(
            Problem(
                "$.later.period",
                f"a survey starting no earlier than {earlier.period.start.isoformat()}",
                later.period.start.isoformat(),
            )
        )
    raise_problems(problems, "survey comparison")
    common = sorted(earlier.scores.keys() & later.scores.keys())
    return {
        aspect: _ARITHMETIC.subtract(later.scores[aspect], earlier.scores[aspect])
        for aspect in common
    }


def _or_null(value: str | None) -> str:
    return "null" if value is None else repr(value)


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
        problems += _aware_problems(self.received_at, "$.received_at")
        problems += text_problems(self.summary, "$.summary")
        problems += _optional_id_problems(self.service_id, "$.service_id")
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
    elapsed = _on_timeline(handled) - _on_timeline(complaint.received_at)
    if elapsed < dt.timedelta(0):
        raise ValidationError.single(
            "$.instance",
            f"handling no earlier than the receipt at {complaint.received_at.isoformat()}",
            handled.isoformat(),
        )
    return elapsed


# ---------------------------------------------------------------------- acknowledgements
@attrs.frozen(kw_only=True)
class Acknowledgement:
    """A record that a party accepted a version of some terms or an obligation, and when.

    ``party_id`` names who accepted (a customer, user, partner or supplier);
    ``terms_id`` what was accepted (terms of service, an acceptable use policy, a
    data processing obligation); ``version`` which version of it, as the provider
    labels versions (text, compared for equality only); ``accepted_at`` when, as an
    aware instant. ``method`` and ``evidence`` (a reference to the signed document,
    the log entry of the click) tell an auditor how to verify it.

    Serves S06 and S04 (recorded acknowledgements of terms and obligations), on which
    S07 relies when terms change; ISO/IEC 20000-1:2011 7.1 and 6.1.

    Raises:
        ValidationError: every problem of the fields, each with its path; a naive
            ``accepted_at`` is refused.
    """

    party_id: str
    terms_id: str
    version: str
    accepted_at: dt.datetime = attrs.field(eq=instant_key)
    method: AcceptanceMethod | None = None
    evidence: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.party_id, "$.party_id")
        problems += id_problems(self.terms_id, "$.terms_id")
        problems += text_problems(self.version, "$.version")
        problems += _aware_problems(self.accepted_at, "$.accepted_at")
        method: object = self.method
        if method is not None and not isinstance(method, AcceptanceMethod):
            problems.append(Problem("$.method", "an AcceptanceMethod or null", describe(method)))
        problems += optional_text_problems(self.evidence, "$.evidence")
        raise_problems(problems, "Acknowledgement")


def _records(acknowledgements: object) -> tuple[Acknowledgement, ...]:
    """The acknowledgements argument as a tuple, each item checked."""
    records = _list_argument(
        acknowledgements, "$.acknowledgements", "a list of Acknowledgement values"
    )
    problems: list[Problem] = []
    for index, record in enumerate(records):
        problems += instance_problems(record, Acknowledgement, f"$.acknowledgements[{index}]")
    raise_problems(problems, _QUERY)
    return records  # type: ignore[return-value]


def _query_problems(party_id: object, terms_id: object) -> list[Problem]:
    """Problems of the party and terms ids a query asks about."""
    return id_problems(party_id, "$.party_id") + id_problems(terms_id, "$.terms_id")


def _matching(
    records: tuple[Acknowledgement, ...],
    party_id: str,
    terms_id: str,
    as_of: dt.datetime | None,
) -> list[Acknowledgement]:
    cutoff = None if as_of is None else _on_timeline(aware(as_of, "$.as_of"))
    return [
        a
        for a in records
        if a.party_id == party_id
        and a.terms_id == terms_id
        and (cutoff is None or _on_timeline(a.accepted_at) <= cutoff)
    ]


def latest_acknowledgement(
    acknowledgements: Iterable[Acknowledgement],
    party_id: str,
    terms_id: str,
    *,
    as_of: dt.datetime | None = None,
) -> Acknowledgement | None:
    """The party's most recent acceptance of the terms (at or before ``as_of``), or ``None``.

    Of two acceptances at the same instant, the one listed later wins.

    Raises:
        ValidationError: ``acknowledgements`` is not a list of `Acknowledgement`,
            an id is malformed, or ``as_of`` is naive.
    """
    records = _records(acknowledgements)
    raise_problems(_query_problems(party_id, terms_id), _QUERY)
    found = _matching(records, party_id, terms_id, as_of)
    if not found:
        return None
    return max(reversed(found), key=lambda a: _on_timeline(a.accepted_at))


def acknowledged(
    acknowledgements: Iterable[Acknowledgement],
    party_id: str,
    terms_id: str,
    version: str,
    *,
    as_of: dt.datetime | None = None,
) -> bool:
    """Whether the party accepted that version of the terms (at or before ``as_of``).

    An acceptance of another version does not count: versions are labels, not an order.

    Raises:
        ValidationError: ``acknowledgements`` is not a list of `Acknowledgement`,
            an id or the version is malformed, or ``as_of`` is naive.

    Examples:
        >>> import datetime as dt
        >>> t0 = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
        >>> acks = [
        ...     Acknowledgement(party_id="acme", terms_id="tos", version="2026.1", accepted_at=t0)
        ... ]
        >>> (
        ...     acknowledged(acks, "acme", "tos", "2026.1"),
        ...     acknowledged(acks, "acme", "tos", "2026.2"),
        ... )
        (True, False)
        >>> acknowledged(acks, "acme", "tos", "2026.1", as_of=t0 - dt.timedelta(days=1))
        False
    """
    records = _records(acknowledgements)
    raise_problems(
        _query_problems(party_id, terms_id) + text_problems(version, "$.version"), _QUERY
    )
    return any(a.version == version for a in _matching(records, party_id, terms_id, as_of))


def pending_acknowledgements(
    acknowledgements: Iterable[Acknowledgement],
    party_ids: Iterable[str],
    terms_id: str,
    version: str,
    *,
    as_of: dt.datetime | None = None,
) -> tuple[str, ...]:
    """The parties, of ``party_ids``, that have not accepted that version of the terms.

    In the order given, each once: whom to ask before new terms take effect.

    Raises:
        ValidationError: ``acknowledgements`` is not a list of `Acknowledgement`,
            ``party_ids`` is not a list of ids (a single string is refused, not split
            into letters), the terms id or the version is malformed, or ``as_of`` is
            naive.
    """
    records = _records(acknowledgements)
    parties = _list_argument(party_ids, "$.party_ids", "a list of party ids")
    problems: list[Problem] = []
    for index, party in enumerate(parties):
        problems += id_problems(party, f"$.party_ids[{index}]")
    problems += id_problems(terms_id, "$.terms_id") + text_problems(version, "$.version")
    raise_problems(problems, _QUERY)
    if as_of is not None:
        aware(as_of, "$.as_of")  # checked even when no party is asked about
    return tuple(
        party
        for party in dict.fromkeys(cast("tuple[str, ...]", parties))
        if not any(a.version == version for a in _matching(records, party, terms_id, as_of))
    )
