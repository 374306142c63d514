"""The relationship register: parties and groups held together and checked as a whole (S06).

Every user acts for a known customer, every group lists exactly the customers that
name it, and no two parties share an id.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, TypeVar

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.records import Record
from cloudsms.errors import Problem, UnknownReference, describe
from cloudsms.parties.groups import CommunicationProcedure, CustomerGroup
from cloudsms.parties.kinds import (
    CloudServiceCustomer,
    CloudServicePartner,
    CloudServiceUser,
    PartnerRole,
    Supplier,
    partner_role,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from cloudsms.parties.contacts import RelationshipManager

__all__ = ["Party", "RelationshipRegister"]

_T = TypeVar("_T")


# ---------------------------------------------------------------------- the register
Party = CloudServiceCustomer | CloudServiceUser | CloudServicePartner | Supplier
"""Any party a `RelationshipRegister` holds by id (and an `Acknowledgement` can name)."""


@attrs.frozen(kw_only=True)
class RelationshipRegister(Record):
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
        >>> from cloudsms.parties import (
        ...     CloudServiceCustomer,
        ...     CloudServiceUser,
        ...     CommunicationChannel,
        ...     CommunicationProcedure,
        ...     RelationshipManager,
        ...     CustomerGroup,
        ...     Contact,
        ... )
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

    def _rules(self) -> Iterator[Problem]:
        """No two parties or groups share an id, and every reference resolves and agrees."""
        yield from self._repeated_ids()
        yield from self._dangling_references()
        yield from self._disagreeing_groups()

    def _repeated_ids(self) -> Iterator[Problem]:
        """A party id names one party of any kind; a group id one group."""
        seen: set[str] = set()
        for name, parties in self._parties_by_kind:
            for index, party in enumerate(parties):
                if party.id in seen:
                    yield Problem(
                        f"{name}[{index}].id", "an id no other party uses", describe(party.id)
                    )
                seen.add(party.id)
        groups: set[str] = set()
        for index, group in enumerate(self.groups):
            if group.id in groups:
                yield Problem(
                    f"groups[{index}].id", "an id no other group uses", describe(group.id)
                )
            groups.add(group.id)

    def _dangling_references(self) -> Iterator[Problem]:
        """Users and partners act for customers of the register, in groups of the register."""
        customers = {c.id for c in self.customers}
        customer_ref = "the id of a customer in the register"
        for index, user in enumerate(self.users):
            if user.customer_id not in customers:
                yield Problem(
                    f"users[{index}].customer_id", customer_ref, describe(user.customer_id)
                )
        for index, partner in enumerate(self.partners):
            for customer_id in sorted(partner.customer_ids - customers):
                yield Problem(
                    f"partners[{index}].customer_ids", customer_ref, describe(customer_id)
                )
        groups = {g.id for g in self.groups}
        for index, customer in enumerate(self.customers):
            if customer.group_id is not None and customer.group_id not in groups:
                expected = "the id of a group in the register"
                yield Problem(
                    f"customers[{index}].group_id", expected, describe(customer.group_id)
                )

    def _disagreeing_groups(self) -> Iterator[Problem]:
        """A group lists exactly the customers that name it as their group."""
        customers = {c.id: c for c in self.customers}
        listed: dict[str, set[str]] = {}
        for index, group in enumerate(self.groups):
            for member in sorted(group.members):
                listed.setdefault(member, set()).add(group.id)
                customer = customers.get(member)
                path = f"groups[{index}].members"
                if customer is None:
                    yield Problem(path, "ids of customers in the register", repr(member))
                elif customer.group_id != group.id:
                    expected = f"customers whose group_id is {group.id!r}"
                    got = f"{member!r}, whose group_id is {customer.group_id!r}"
                    yield Problem(path, expected, got)
        groups = {g.id for g in self.groups}
        for index, customer in enumerate(self.customers):
            if customer.group_id in groups and customer.group_id not in listed.get(
                customer.id, set()
            ):
                expected = f"a group listing {customer.id!r} among its members"
                yield Problem(
                    f"customers[{index}].group_id", expected, describe(customer.group_id)
                )

    @property
    def _parties_by_kind(self) -> tuple[tuple[str, tuple[Party, ...]], ...]:
        return (
            ("customers", self.customers),
            ("users", self.users),
            ("partners", self.partners),
            ("suppliers", self.suppliers),
        )

    @functools.cached_property
    def _parties(self) -> dict[str, Party]:
        return {party.id: party for _, kind in self._parties_by_kind for party in kind}

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
        wanted = partner_role(role)
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
