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

from cloudsms._kit.checks import (
    as_tuple,
    instance_problems,
    nested_problems,
    raise_problems,
    text_problems,
)
from cloudsms._kit.limits import SENSITIVE
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.parties._shared import enum_problems

if TYPE_CHECKING:
    from collections.abc import Iterable

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
    email: str | None = attrs.field(default=None, metadata=SENSITIVE)
    phone: str | None = attrs.field(default=None, metadata=SENSITIVE)

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
        problems += enum_problems(self.kind, ManagerKind, "$.kind")
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
