"""Hypothesis strategies for the parties of S06 and the records they keep (`cloudsms.parties`).

Every strategy draws valid values only; arguments narrow what is drawn (ids to pick
from, a fixed scale, a kind of manager) so a test can build consistent collections.
`register` makes each type drawable with ``st.from_type``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from cloudsms.parties import (
    COMPLAINT_LIFECYCLE,
    COMPLAINT_STATES,
    AcceptanceMethod,
    Acknowledgement,
    Actor,
    ActorDirectory,
    CloudServiceCustomer,
    CloudServicePartner,
    CloudServiceUser,
    CommunicationChannel,
    CommunicationProcedure,
    Complaint,
    ComplaintOutcome,
    Contact,
    CustomerGroup,
    ManagerKind,
    PartnerRole,
    RelationshipManager,
    RelationshipRegister,
    SatisfactionSurvey,
    ScoreScale,
    Supplier,
)
from cloudsms.periods import add_exact
from cloudsms.testing._strategies import _IDS, _NAMES, actor_ids, aware_datetimes, periods

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "acknowledgements",
    "actor_directories",
    "actor_ids",
    "actors",
    "cloud_service_customers",
    "cloud_service_partners",
    "cloud_service_users",
    "communication_procedures",
    "complaints",
    "contacts",
    "customer_groups",
    "register",
    "relationship_managers",
    "relationship_registers",
    "satisfaction_surveys",
    "score_scales",
    "suppliers",
]

_EMAILS = st.from_regex(r"[a-z][a-z0-9._+-]{0,10}@[a-z][a-z0-9-]{0,8}\.[a-z]{2,6}", fullmatch=True)
_PHONES = st.from_regex(r"\+[1-9][0-9]{1,3} [0-9]{3,5} [0-9]{3,6}", fullmatch=True)
_ASPECTS = st.sampled_from(("overall", "support", "availability", "reporting", "billing"))
_LARGEST_COUNT = 2**63 - 1  # what a JSON document carries back (cloudsms.serialization)


def _ids_from(ids: Sequence[str] | None) -> st.SearchStrategy[str]:
    """One of ``ids``, or any id when ``None`` (none at all from an empty pool)."""
    return st.sampled_from(tuple(ids)) if ids is not None else _IDS


def _id_sets(ids: Sequence[str] | None, *, max_size: int) -> st.SearchStrategy[frozenset[str]]:
    """Some of ``ids`` (the empty set from an empty pool), or any ids when ``None``."""
    if ids is None:
        return st.frozensets(_IDS, max_size=max_size)
    if not ids:
        return st.just(frozenset())
    return st.frozensets(st.sampled_from(tuple(ids)), max_size=max_size)


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    """Contacts reachable by email, by phone or both; never by neither."""
    name = draw(_NAMES)
    email = draw(st.none() | _EMAILS)
    phone = draw(_PHONES) if email is None else draw(st.none() | _PHONES)
    return Contact(name=name, email=email, phone=phone)


def relationship_managers(
    *, kind: ManagerKind | None = None
) -> st.SearchStrategy[RelationshipManager]:
    """Relationship managers: named people, and teams (with or without members listed)."""
    kinds = st.just(kind) if kind is not None else st.sampled_from(ManagerKind)

    @st.composite
    def build(draw: st.DrawFn) -> RelationshipManager:
        chosen = draw(kinds)
        members = (
            draw(st.lists(_NAMES, unique=True, max_size=4)) if chosen is ManagerKind.TEAM else []
        )
        return RelationshipManager(
            name=draw(_NAMES), kind=chosen, contact=draw(contacts()), members=tuple(members)
        )

    return build()


def cloud_service_customers(
    *,
    ids: st.SearchStrategy[str] | None = None,
    group_ids: Sequence[str] | None = None,
    managers: st.SearchStrategy[RelationshipManager] | None = None,
) -> st.SearchStrategy[CloudServiceCustomer]:
    """Customers with a manager and contacts, in one of ``group_ids`` (any if None) or none."""
    groups = st.none() | _ids_from(group_ids)
    return st.builds(
        lambda i, name, manager, group, people: CloudServiceCustomer(
            id=i, name=name, relationship_manager=manager, group_id=group, contacts=tuple(people)
        ),
        ids if ids is not None else _IDS,
        _NAMES,
        managers if managers is not None else relationship_managers(),
        groups,
        st.lists(contacts(), max_size=3),
    )


def cloud_service_users(
    *, ids: st.SearchStrategy[str] | None = None, customer_ids: Sequence[str] | None = None
) -> st.SearchStrategy[CloudServiceUser]:
    """Users acting for one of ``customer_ids`` (any id when not given)."""
    return st.builds(
        lambda i, name, customer, contact: CloudServiceUser(
            id=i, name=name, customer_id=customer, contact=contact
        ),
        ids if ids is not None else _IDS,
        _NAMES,
        _ids_from(customer_ids),
        st.none() | contacts(),
    )


def cloud_service_partners(
    *,
    ids: st.SearchStrategy[str] | None = None,
    roles: Sequence[PartnerRole] | None = None,
    customer_ids: Sequence[str] | None = None,
) -> st.SearchStrategy[CloudServicePartner]:
    """Partners playing one or more of ``roles`` (any), working for some of ``customer_ids``."""
    pool = tuple(roles) if roles else tuple(PartnerRole)
    clients = _id_sets(customer_ids, max_size=3)
    return st.builds(
        lambda i, name, played, served, contact: CloudServicePartner(
            id=i, name=name, roles=played, customer_ids=served, contact=contact
        ),
        ids if ids is not None else _IDS,
        _NAMES,
        st.frozensets(st.sampled_from(pool), min_size=1),
        clients,
        st.none() | contacts(),
    )


def suppliers(*, ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Supplier]:
    """Suppliers of various things under a contract, some of them cloud providers."""
    return st.builds(
        lambda i, name, what, contract, cloud, contact: Supplier(
            id=i,
            name=name,
            supplies=what,
            contract=contract,
            cloud_service_provider=cloud,
            contact=contact,
        ),
        ids if ids is not None else _IDS,
        _NAMES,
        st.sampled_from(("data centre space", "service desk", "object storage", "network")),
        st.from_regex(r"K-[0-9]{1,5}", fullmatch=True),
        st.booleans(),
        st.none() | contacts(),
    )


def communication_procedures() -> st.SearchStrategy[CommunicationProcedure]:
    """Procedures with some channels, a positive review interval and optional escalation.

    Intervals are calendar lengths in whole units (years down to hours), as the
    class requires.
    """
    intervals = st.builds(
        lambda years, months, weeks, days, hours: relativedelta(
            years=years, months=months, weeks=weeks, days=days, hours=hours
        ),
        st.integers(0, 3),
        st.integers(0, 24),
        st.integers(0, 8),
        st.integers(0, 30),
        st.integers(0, 12),
    ).filter(lambda r: bool(r.years or r.months or r.days or r.hours))
    return st.builds(
        lambda channels, every, escalation, reporting, automated: CommunicationProcedure(
            channels=channels,
            review_every=every,
            escalation=escalation,
            reporting=reporting,
            automated=automated,
        ),
        st.frozensets(st.sampled_from(CommunicationChannel), min_size=1),
        intervals,
        st.none() | contacts(),
        st.none() | st.sampled_from(("tailored monthly report", "self-service dashboard")),
        st.booleans(),
    )


def customer_groups(
    *, ids: st.SearchStrategy[str] | None = None, customer_ids: Sequence[str] | None = None
) -> st.SearchStrategy[CustomerGroup]:
    """Customer groups with a procedure and members from ``customer_ids`` (any ids if None)."""
    members = _id_sets(customer_ids, max_size=5)
    return st.builds(
        lambda i, name, procedure, who, description: CustomerGroup(
            id=i, name=name, procedure=procedure, members=who, description=description
        ),
        ids if ids is not None else _IDS,
        _NAMES,
        communication_procedures(),
        members,
        st.none() | st.sampled_from(("key accounts", "small businesses", "public sector")),
    )


@st.composite
def relationship_registers(draw: st.DrawFn, *, max_parties: int = 8) -> RelationshipRegister:
    """Consistent registers: users and partners act for known customers, groups agree."""
    ids = draw(st.lists(_IDS, unique=True, max_size=max_parties))
    a, b, c = sorted(draw(st.lists(st.integers(0, len(ids)), min_size=3, max_size=3)))
    customer_ids, user_ids, partner_ids, supplier_ids = ids[:a], ids[a:b], ids[b:c], ids[c:]
    if not customer_ids:  # a user always acts for a customer
        user_ids = []
    group_ids = draw(st.lists(_IDS, unique=True, max_size=3))
    group_of = {
        customer: draw(st.none() | st.sampled_from(group_ids)) if group_ids else None
        for customer in customer_ids
    }
    customers = tuple(
        CloudServiceCustomer(
            id=customer,
            name=draw(_NAMES),
            relationship_manager=draw(relationship_managers()),
            group_id=group,
            contacts=tuple(draw(st.lists(contacts(), max_size=2))),
        )
        for customer, group in group_of.items()
    )
    groups = tuple(
        CustomerGroup(
            id=group,
            name=draw(_NAMES),
            procedure=draw(communication_procedures()),
            members=frozenset(c for c, g in group_of.items() if g == group),
        )
        for group in group_ids
    )
    return RelationshipRegister(
        customers=customers,
        users=tuple(
            draw(cloud_service_users(ids=st.just(u), customer_ids=customer_ids)) for u in user_ids
        ),
        partners=tuple(
            draw(cloud_service_partners(ids=st.just(p), customer_ids=customer_ids))
            for p in partner_ids
        ),
        suppliers=tuple(draw(suppliers(ids=st.just(s))) for s in supplier_ids),
        groups=groups,
    )


def score_scales() -> st.SearchStrategy[ScoreScale]:
    """Scales such as 1 to 5, 0 to 10, 1 to 7 or -2 to 2."""
    return st.sampled_from(((1, 5), (0, 10), (1, 7), (1, 10), (-2, 2), (0, 100))).map(
        lambda ends: ScoreScale(Decimal(ends[0]), Decimal(ends[1]))
    )


def satisfaction_surveys(
    *, scale: ScoreScale | None = None, aspects: Sequence[str] | None = None
) -> st.SearchStrategy[SatisfactionSurvey]:
    """Survey results on ``scale`` (or a drawn one), scoring some of ``aspects``.

    Counts are sometimes the largest a document carries (2**63 - 1), so round trips
    are tried at that limit too.
    """
    scales = st.just(scale) if scale is not None else score_scales()
    names = st.sampled_from(tuple(aspects)) if aspects else _ASPECTS

    @st.composite
    def build(draw: st.DrawFn) -> SatisfactionSurvey:
        chosen = draw(scales)
        score = st.decimals(
            min_value=chosen.low,
            max_value=chosen.high,
            places=2,
            allow_nan=False,
            allow_infinity=False,
        )
        responses = draw(st.integers(1, 10_000) | st.just(_LARGEST_COUNT))
        subject = draw(st.sampled_from(("customer", "group", "all")))
        return SatisfactionSurvey(
            id=draw(_IDS),
            period=draw(periods(max_duration=dt.timedelta(days=60))),
            scale=chosen,
            scores=draw(st.dictionaries(names, score, min_size=1)),
            responses=responses,
            invited=draw(st.none() | st.integers(responses, min(responses * 5, _LARGEST_COUNT))),
            customer_id=draw(_IDS) if subject == "customer" else None,
            group_id=draw(_IDS) if subject == "group" else None,
        )

    return build()


# Event data for the complaint lifecycle: what each guard asks for, or nothing.
_COMPLAINT_EVENT_DATA: st.SearchStrategy[dict[str, Any]] = st.one_of(
    _NAMES.map(lambda response: {"response": response}),
    _NAMES.map(lambda reason: {"reason": reason}),
    st.sampled_from(ComplaintOutcome).map(lambda outcome: {"outcome": outcome.value}),
    st.just({}),
)


def complaints(
    *,
    customer_ids: Sequence[str] | None = None,
    states: Sequence[str] = COMPLAINT_STATES,
    max_steps: int = 6,
) -> st.SearchStrategy[Complaint]:
    """Complaints from ``customer_ids`` (any when not given), in one of ``states``.

    Each complaint holds a `COMPLAINT_LIFECYCLE` instance with a real history: up to
    ``max_steps`` events its guards allow, none before the receipt. A walk that ends
    outside ``states`` is replaced by an instance that begins at one of them with
    no recorded history (as a version-1 document reads).
    """
    wanted = tuple(states)

    @st.composite
    def build(draw: st.DrawFn) -> Complaint:
        received = draw(aware_datetimes(max_value=dt.datetime(2050, 1, 1)))  # noqa: DTZ001
        complaint_id = draw(_IDS)
        instance = COMPLAINT_LIFECYCLE.begin(id=complaint_id)
        when = received
        for _ in range(draw(st.integers(0, max_steps))):
            events = instance.allowed_events()
            if not events:
                break
            event = draw(st.sampled_from(events))
            payload = draw(_COMPLAINT_EVENT_DATA)
            when = add_exact(when, dt.timedelta(minutes=draw(st.integers(0, 10_000))))
            if instance.refusal(event, who="actor:desk", when=when, data=payload) is None:
                instance = instance.apply(event, who="actor:desk", when=when, data=payload)
        if instance.state not in wanted:
            instance = COMPLAINT_LIFECYCLE.begin(
                id=complaint_id, origin=draw(st.sampled_from(wanted))
            )
        return Complaint(
            id=complaint_id,
            customer_id=draw(_ids_from(customer_ids)),
            received_at=received,
            summary=draw(_NAMES),
            service_id=draw(st.none() | _IDS),
            channel=draw(st.none() | st.sampled_from(CommunicationChannel)),
            lifecycle=instance,
        )

    return build()


def acknowledgements(
    *,
    party_ids: Sequence[str] | None = None,
    terms_ids: Sequence[str] | None = None,
    versions: Sequence[str] = ("1.0", "1.1", "2.0", "2026-01"),
) -> st.SearchStrategy[Acknowledgement]:
    """Acceptances by ``party_ids`` of ``terms_ids`` in one of ``versions``, at aware instants."""
    return st.builds(
        lambda party, terms, version, when, method, evidence: Acknowledgement(
            party_id=party,
            terms_id=terms,
            version=version,
            accepted_at=when,
            method=method,
            evidence=evidence,
        ),
        _ids_from(party_ids),
        _ids_from(terms_ids),
        st.sampled_from(tuple(versions)),
        aware_datetimes(),
        st.none() | st.sampled_from(AcceptanceMethod),
        st.none() | st.from_regex(r"LOG-[0-9]{1,6}", fullmatch=True),
    )


_ROLES = st.sampled_from(("service desk agent", "customer administrator", "auditor", "billing"))


def actors(
    *, ids: st.SearchStrategy[str] | None = None, party_ids: Sequence[str] | None = None
) -> st.SearchStrategy[Actor]:
    """Actors with ids from ``ids`` (any actor ids), acting for one of ``party_ids`` (any).

    Some carry a contact and a role, some neither (a scheduler, an integration).
    """
    return st.builds(
        lambda i, party, contact, role: Actor(id=i, party_id=party, contact=contact, role=role),
        ids if ids is not None else actor_ids(),
        _ids_from(party_ids),
        st.none() | contacts(),
        st.none() | _ROLES,
    )


def actor_directories(
    *, party_ids: Sequence[str] | None = None, max_size: int = 8
) -> st.SearchStrategy[ActorDirectory]:
    """Directories of up to ``max_size`` actors with distinct ids, of ``party_ids`` (any).

    Without ``party_ids``, the actors share a few drawn party ids, so several actors
    often map to one party (as a customer's administrators do).
    """

    @st.composite
    def build(draw: st.DrawFn) -> ActorDirectory:
        pool = (
            tuple(party_ids)
            if party_ids is not None
            else tuple(draw(st.lists(_IDS, min_size=1, max_size=4, unique=True)))
        )
        ids = draw(st.lists(actor_ids(), unique=True, max_size=max_size if pool else 0))
        return ActorDirectory(
            actors=tuple(draw(actors(ids=st.just(i), party_ids=pool)) for i in ids)
        )

    return build()


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each value type of `cloudsms.parties` with the strategy that draws it."""
    return [
        (Contact, contacts()),
        (RelationshipManager, relationship_managers()),
        (CloudServiceCustomer, cloud_service_customers()),
        (CloudServiceUser, cloud_service_users()),
        (CloudServicePartner, cloud_service_partners()),
        (Supplier, suppliers()),
        (CommunicationProcedure, communication_procedures()),
        (CustomerGroup, customer_groups()),
        (RelationshipRegister, relationship_registers()),
        (ScoreScale, score_scales()),
        (SatisfactionSurvey, satisfaction_surveys()),
        (Complaint, complaints()),
        (Acknowledgement, acknowledgements()),
        (Actor, actors()),
        (ActorDirectory, actor_directories()),
    ]


def register() -> None:
    """Register a strategy for each type of `cloudsms.parties` with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
