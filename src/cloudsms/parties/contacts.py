"""Contacts and relationship managers: who answers for each customer (S06; 20000-1:2011 7.1).

A `RelationshipManager` is one named person or a team of the provider's staff behind
one point of contact. Email addresses and phone numbers are personal data: error
messages never show them.
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.checks import nested_problems, text, text_problems
from cloudsms._kit.limits import SENSITIVE
from cloudsms._kit.records import Check, Record
from cloudsms.errors import Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["Contact", "ManagerKind", "RelationshipManager"]


# Pragmatic, not RFC 5322: one @, no spaces, a dotted domain whose labels are not empty.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")
_EMAIL_LONGEST = 254
# Digits with the usual separators, an optional leading +; 5 to 15 digits (E.164 allows 15).
_PHONE = re.compile(r"\+?[0-9(][0-9 ().-]*[0-9]")
_PHONE_DIGITS = (5, 15)


# ---------------------------------------------------------------------- vocabularies
class ManagerKind(enum.StrEnum):
    """Whether a relationship manager is one named person or a team with one contact point."""

    PERSON = "person"
    TEAM = "team"


# ---------------------------------------------------------------------- contacts
def _email_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and len(value) <= _EMAIL_LONGEST and _EMAIL.fullmatch(value):
        return []
    expected = "an email address such as 'name@example.com', or null"
    return [Problem(path, expected, describe(value, sensitive=True))]


def _phone_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and _PHONE.fullmatch(value):
        digits = sum(c.isdigit() for c in value)
        if _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]:
            return []
    expected = "a phone number of 5 to 15 digits such as '+49 30 1234567', or null"
    return [Problem(path, expected, describe(value, sensitive=True))]


_email = Check(_email_problems, total=True)
_phone = Check(_phone_problems, total=True)


def _member_problems(members: object, path: str) -> list[Problem]:
    """A list of non-empty, distinct names, each bad one at its index."""
    if not isinstance(members, tuple):
        return [Problem(path, "a list of names", describe(members))]
    problems: list[Problem] = []
    for index, member in enumerate(members):
        problems += text_problems(member, f"{path}[{index}]")
    names = all(isinstance(m, str) for m in members)  # else unhashable, maybe
    if names and len(set(members)) != len(members):
        problems.append(Problem(path, "distinct names", describe(members)))
    return problems


def _sorted_members(members: Iterable[str]) -> tuple[str, ...]:
    """Members as a tuple, sorted once they pass their check.

    A list that fails keeps the order given, so its problems point at what was written.
    """
    names = as_tuple(members)
    return names if _member_problems(names, "$") else tuple(sorted(names))


@attrs.frozen(kw_only=True)
class Contact(Record):
    """Someone to reach, and how: a name with an email address, a phone number, or both.

    A contact with no way to reach it is refused (at ``$.email``, once its fields
    are sound). The address and the number are
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
          - expected an email address ..., got <redacted> @ $.email
    """

    name: str = attrs.field(validator=text)
    email: str | None = attrs.field(validator=_email, default=None, metadata=SENSITIVE)
    phone: str | None = attrs.field(validator=_phone, default=None, metadata=SENSITIVE)

    def _rules(self) -> Iterator[Problem]:
        """A contact can be reached: by email, by phone or both."""
        if self.email is None and self.phone is None:
            expected = "an email address or a phone number to reach the contact"
            yield Problem("email", expected, "neither")


@attrs.frozen(kw_only=True)
class RelationshipManager(Record):
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

    name: str = attrs.field(validator=text)
    kind: ManagerKind
    contact: Contact
    members: tuple[str, ...] = attrs.field(
        validator=Check(_member_problems, total=True), default=(), converter=_sorted_members
    )

    def _rules(self) -> Iterator[Problem]:
        """Only a team has members."""
        if self.members and self.kind is ManagerKind.PERSON:
            expected = "no members (only a team has members)"
            yield Problem("members", expected, describe(self.members))

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
    """A manager whose contact carries its name, every problem at the caller's own path.

    The manager reports a bad name; the contact is then checked under a stand-in
    name, so its own problems are reported beside it, under ``$.contact``.
    """
    stand_in = "the manager" if text_problems(name, "$") else name
    contact: Contact | None = None
    nested: list[Problem] = []
    at = f"$.{attrs.fields(RelationshipManager).contact.name}"
    try:
        contact = Contact(name=stand_in, email=email, phone=phone)
    except ValidationError as exc:
        nested = nested_problems(exc.problems, at)
    try:
        return cls(name=name, kind=kind, contact=contact, members=members)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems: list[Problem] = []
        for problem in exc.problems:
            problems += nested if contact is None and problem.path == at else [problem]
        raise ValidationError(problems, subject="RelationshipManager") from None
