"""The parties to a cloud service: customers, their users, partners and suppliers (S06).

Serves S06 and ISO/IEC 20000-1:2011 7.1 (business relationship management) and 7.2
(supplier management): each `CloudServiceCustomer` with its relationship manager, the
`CloudServiceUser` values acting for it, each `CloudServicePartner` in its roles, and
each `Supplier`.
"""

from __future__ import annotations

import enum

import attrs

from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms._kit.checks import id_set, ident, text
from cloudsms._kit.records import Record, one_or_more
from cloudsms.errors import ValidationError, describe
from cloudsms.parties._shared import boolean
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
class CloudServiceCustomer(Record):
    """A cloud service customer: who it is, who manages the relationship, which group.

    ``relationship_manager`` is required: every customer has someone designated to
    answer for it (S06). ``group_id`` names the `CustomerGroup` (customer profile)
    the customer belongs to, if any; a `RelationshipRegister` checks that the group
    lists the customer too. ``contacts`` are the customer's own people to reach.

    Serves S06; ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    relationship_manager: RelationshipManager
    group_id: str | None = attrs.field(validator=ident, default=None)
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=as_tuple)


@attrs.frozen(kw_only=True)
class CloudServiceUser(Record):
    """A person (or a system acting for one) using cloud services on behalf of a customer.

    ``customer_id`` names the `CloudServiceCustomer` the user acts for.

    Serves S06; ISO/IEC 20000-1:2011 7.1, which asks the provider to know its
    customers, users and other interested parties.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    customer_id: str = attrs.field(validator=ident)
    contact: Contact | None = None


@attrs.frozen(kw_only=True)
class CloudServicePartner(Record):
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

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    roles: frozenset[PartnerRole] = attrs.field(
        validator=one_or_more(PartnerRole), converter=as_frozenset
    )
    customer_ids: frozenset[str] = attrs.field(
        validator=id_set(of="customer"), factory=frozenset, converter=as_frozenset
    )
    contact: Contact | None = None

    def plays(self, role: PartnerRole) -> bool:
        """Whether the partner plays ``role``.

        Raises:
            ValidationError: ``role`` is not a `PartnerRole` or the value of one.
        """
        return partner_role(role) in self.roles


@attrs.frozen(kw_only=True)
class Supplier(Record):
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

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    supplies: str = attrs.field(validator=text)
    contract: str = attrs.field(validator=text)
    cloud_service_provider: bool = attrs.field(validator=boolean, default=False)
    contact: Contact | None = None
