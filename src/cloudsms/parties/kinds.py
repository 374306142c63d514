"""The parties to a cloud service: customers, their users, partners and suppliers (S06).

Serves S06 and ISO/IEC 20000-1:2011 7.1 (business relationship management) and 7.2
(supplier management): each `CloudServiceCustomer` with its relationship manager, the
`CloudServiceUser` values acting for it, each `CloudServicePartner` in its roles, and
each `Supplier`.
"""

from __future__ import annotations

import enum

import attrs

from cloudsms._kit.checks import (
    as_frozenset,
    as_tuple,
    id_problems,
    instance_problems,
    items_problems,
    raise_problems,
    text_problems,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.parties._shared import id_set_problems, optional_id_problems
from cloudsms.parties.contacts import Contact, RelationshipManager

__all__ = [
    "CloudServiceCustomer",
    "CloudServicePartner",
    "CloudServiceUser",
    "PartnerRole",
    "Supplier",
]


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


def partner_role(role: object) -> PartnerRole:
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
        problems += optional_id_problems(self.group_id, "$.group_id")
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
        problems += id_set_problems(self.customer_ids, "$.customer_ids", "customer")
        problems += instance_problems(self.contact, Contact, "$.contact", optional=True)
        raise_problems(problems, "CloudServicePartner")

    def plays(self, role: PartnerRole) -> bool:
        """Whether the partner plays ``role``.

        Raises:
            ValidationError: ``role`` is not a `PartnerRole` or the value of one.
        """
        return partner_role(role) in self.roles


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
