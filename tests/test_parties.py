"""cloudsms.parties: customers, managers, groups, satisfaction, complaints, acknowledgements."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import pickle
import types
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, ResolutionFailed
from hypothesis.stateful import invariant

from cloudsms import parties
from cloudsms.errors import InvalidTransition, UnknownReference, ValidationError
from cloudsms.lifecycle import HistoryEntry, Lifecycle, Transition, advance
from cloudsms.parties import (
    COMPLAINT_LIFECYCLE,
    COMPLAINT_STATES,
    Acknowledgement,
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
    acknowledged,
    latest_acknowledgement,
    outcome_of,
    pending_acknowledgements,
    score_changes,
    time_to_handle,
)
from cloudsms.periods import Period, timezone
from cloudsms.serialization import SENSITIVE, from_dict, from_json, to_dict, to_json
from cloudsms.testing import lifecycle_machine
from cloudsms.testing._parties import (
    acknowledgements,
    register,
    relationship_registers,
    satisfaction_surveys,
    strategy_pairs,
)

from conftest import examples, schema_validator

register()  # st.from_type for the types of cloudsms.parties

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
BERLIN = timezone("Europe/Berlin")
TOKYO = timezone("Asia/Tokyo")
FIVE = ScoreScale(Decimal(1), Decimal(5))

DANA = RelationshipManager.person("Dana Wolf", email="dana.wolf@example.com")
DESK = RelationshipManager.team(
    "Customer Success", email="success@example.com", members=("Ana", "Ben")
)
KEY = CustomerGroup(
    id="key-accounts",
    name="Key accounts",
    members={"globex"},
    procedure=CommunicationProcedure(
        channels={CommunicationChannel.MEETING, CommunicationChannel.EMAIL},
        review_every=relativedelta(months=1),
        reporting="tailored monthly report",
        escalation=Contact(name="Head of service", phone="+49 30 1234567"),
    ),
    description="high-value customers",
)
SELF = CustomerGroup(
    id="self-service",
    name="Self-service",
    members={"acme", "initech"},
    procedure=CommunicationProcedure(
        channels={CommunicationChannel.PORTAL},
        review_every=relativedelta(years=1),
        automated=True,
    ),
)
GLOBEX = CloudServiceCustomer(
    id="globex",
    name="Globex",
    relationship_manager=DANA,
    group_id="key-accounts",
    contacts=(Contact(name="Hank", email="hank@globex.example"),),
)
ACME = CloudServiceCustomer(
    id="acme", name="ACME", relationship_manager=DESK, group_id="self-service"
)
INITECH = CloudServiceCustomer(
    id="initech", name="Initech", relationship_manager=DESK, group_id="self-service"
)
SOLO = CloudServiceCustomer(id="solo", name="Solo", relationship_manager=DESK)
BROKER = CloudServicePartner(
    id="brokr", name="Brokr", roles={PartnerRole.BROKER}, customer_ids={"acme", "initech"}
)
AUDITOR = CloudServicePartner(
    id="audit-co", name="Audit Co", roles={PartnerRole.AUDITOR, PartnerRole.DEVELOPER}
)
COLO = Supplier(id="colo-1", name="Colo One", supplies="data centre space", contract="K-2024-17")
REGISTER = RelationshipRegister(
    customers=(GLOBEX, ACME, INITECH, SOLO),
    users=(
        CloudServiceUser(id="u-hank", name="Hank", customer_id="globex"),
        CloudServiceUser(id="u-wile", name="Wile", customer_id="acme"),
        CloudServiceUser(id="u-road", name="Road", customer_id="acme"),
    ),
    partners=(BROKER, AUDITOR),
    suppliers=(COLO,),
    groups=(KEY, SELF),
)


def survey(
    sid: str = "s1",
    *,
    start: dt.datetime = T0,
    scale: ScoreScale = FIVE,
    **scores: str,
) -> SatisfactionSurvey:
    """A week-long survey of 40 respondents, briefly."""
    return SatisfactionSurvey(
        id=sid,
        period=Period(start, start + dt.timedelta(days=7)),
        scale=scale,
        scores={k: Decimal(v) for k, v in (scores or {"overall": "4"}).items()},
        responses=40,
    )


def ack(party: str, version: str, when: dt.datetime, terms: str = "tos") -> Acknowledgement:
    """An acknowledgement, briefly."""
    return Acknowledgement(party_id=party, terms_id=terms, version=version, accepted_at=when)


class TestContact:
    """A contact is someone reachable, and its personal data stays out of messages."""

    def test_reachable_by_email_phone_or_both(self) -> None:
        """Accepts an email address, a phone number, or both."""
        assert Contact(name="A", email="a@example.com").phone is None
        assert Contact(name="B", phone="+1 (555) 010-2030").email is None
        both = Contact(name="C", email="c@mail.example.org", phone="030 1234567")
        assert (both.email, both.phone) == ("c@mail.example.org", "030 1234567")

    def test_unreachable_refused(self) -> None:
        """Refuses a contact with no way to reach it, at its email address."""
        with pytest.raises(ValidationError) as info:
            Contact(name="Nobody")
        assert info.value.errors == [
            (
                "expected an email address or a phone number to reach the contact, "
                "got neither @ $.email"
            )
        ]

    @pytest.mark.parametrize(
        "email", ["plain", "two@@example.com", "a b@example.com", "a@example", "a@.example.com"]
    )
    def test_malformed_email(self, email: str) -> None:
        """Refuses an address without one @ and a dotted domain, without quoting it."""
        with pytest.raises(ValidationError) as info:
            Contact(name="X", email=email)
        assert info.value.paths == ["$.email"]
        assert info.value.problems[0].got == "<redacted>"
        assert email not in str(info.value)

    @pytest.mark.parametrize("phone", ["1234", "+1 234 567 890 123 456", "call me", "12-34-"])
    def test_malformed_phone(self, phone: str) -> None:
        """Refuses a number of fewer than 5 or more than 15 digits, or with letters."""
        with pytest.raises(ValidationError) as info:
            Contact(name="X", phone=phone)
        assert info.value.paths == ["$.phone"]
        assert info.value.problems[0].got == "<redacted>"

    def test_every_problem_at_once(self) -> None:
        """Lists a bad name, address and number together."""
        with pytest.raises(ValidationError) as info:
            Contact(name=" ", email="x", phone="1")
        assert info.value.paths == ["$.name", "$.email", "$.phone"]

    def test_personal_fields_are_marked_sensitive(self) -> None:
        """Marks the address and number sensitive, so the converter redacts them too."""
        fields = attrs.fields(Contact)
        assert dict(fields.email.metadata) == SENSITIVE
        assert dict(fields.phone.metadata) == SENSITIVE
        with pytest.raises(ValidationError) as info:
            from_dict(Contact, {"name": "X", "email": 12345})
        assert "12345" not in str(info.value)
        assert info.value.paths == ["$.email"]


class TestRelationshipManager:
    """A designated person, or a team behind a single point of contact."""

    def test_person_and_team(self) -> None:
        """Builds a person and a team with their one contact point."""
        assert DANA.kind is ManagerKind.PERSON
        assert not DANA.is_team
        assert DANA.contact == Contact(name="Dana Wolf", email="dana.wolf@example.com")
        assert DESK.is_team
        assert DESK.members == ("Ana", "Ben")
        assert DESK.contact.email == "success@example.com"

    def test_a_team_has_one_contact_point(self) -> None:
        """Refuses a list of contacts where the single contact point belongs."""
        with pytest.raises(ValidationError) as info:
            RelationshipManager(
                name="Support",
                kind=ManagerKind.TEAM,
                contact=(DANA.contact, DESK.contact),  # type: ignore[arg-type]
            )
        assert info.value.paths == ["$.contact"]

    def test_a_person_has_no_members(self) -> None:
        """Refuses members for a person; only a team has members."""
        with pytest.raises(ValidationError) as info:
            attrs.evolve(DANA, members=("Ana",))
        assert info.value.errors == [
            "expected no members (only a team has members), got ('Ana',) (array) @ $.members"
        ]

    def test_members_named_once(self) -> None:
        """Refuses an empty or repeated member name, and an unknown kind."""
        with pytest.raises(ValidationError) as info:
            attrs.evolve(DESK, members=("Ana", "", "Ana"))
        assert info.value.paths == ["$.members[1]", "$.members"]
        with pytest.raises(ValidationError) as info:
            attrs.evolve(DESK, kind="crowd", members=5)
        assert info.value.paths == ["$.kind", "$.members"]

    def test_factory_problems_sit_under_the_contact(self) -> None:
        """Reports a factory's contact problems under $.contact."""
        with pytest.raises(ValidationError) as info:
            RelationshipManager.person("Dana")
        assert info.value.paths == ["$.contact.email"]
        assert info.value.subject == "RelationshipManager"
        with pytest.raises(ValidationError) as info:
            RelationshipManager.team("Desk", email="nope")
        assert info.value.paths == ["$.contact.email"]

    def test_factory_reports_the_name_at_the_managers_path(self) -> None:
        """Reports a bad name once, at $.name, beside the other problems of the call."""
        with pytest.raises(ValidationError) as info:
            RelationshipManager.person("", email="d@x.de")
        assert info.value.errors == ["expected a non-empty string, got '' (string) @ $.name"]
        with pytest.raises(ValidationError) as info:
            RelationshipManager.team(" ", email="nope", members=("Ana", "Ana"))
        assert info.value.paths == ["$.name", "$.contact.email", "$.members"]
        with pytest.raises(ValidationError) as info:
            RelationshipManager.person(5)  # type: ignore[arg-type]
        assert info.value.paths == ["$.name", "$.contact.email"]

    @pytest.mark.parametrize("members", ["Ana", b"Ana", {"Ana": 1}, 5, [["Ana"]]])
    def test_team_members_not_split(self, members: object) -> None:
        """Refuses a string (or anything but a list of names) instead of splitting it."""
        with pytest.raises(ValidationError) as info:
            RelationshipManager.team("CS", email="cs@example.com", members=members)  # type: ignore[arg-type]
        assert info.value.paths[0].startswith("$.members")

    def test_member_order_does_not_matter(self) -> None:
        """Keeps members sorted: a team listed in another order is the same manager."""
        again = RelationshipManager.team(
            "Customer Success", email="success@example.com", members=iter(["Ben", "Ana"])
        )
        assert again.members == ("Ana", "Ben")
        assert again == DESK
        assert hash(again) == hash(DESK)
        assert attrs.evolve(DESK, members=["Ben", "Ana"]) == DESK
        assert from_json(RelationshipManager, to_json(again)) == DESK


class TestParties:
    """Customers, users, partners and suppliers are validated values."""

    def test_partner_roles(self) -> None:
        """Names the broker, developer and auditor roles of S06."""
        assert [r.value for r in PartnerRole] == ["broker", "developer", "auditor"]
        assert PartnerRole.BROKER.title == "cloud service broker"
        assert AUDITOR.plays(PartnerRole.AUDITOR)
        assert not AUDITOR.plays(PartnerRole.BROKER)

    def test_channels(self) -> None:
        """Counts every channel but a meeting as remote."""
        assert [c.value for c in CommunicationChannel if not c.remote] == ["meeting"]

    def test_customer_problems(self) -> None:
        """Lists every problem of a customer, a manager being required."""
        with pytest.raises(ValidationError) as info:
            CloudServiceCustomer(
                id="a b",
                name="",
                relationship_manager=None,  # type: ignore[arg-type]
                group_id="",
                contacts=("hank@example.com",),
            )
        assert info.value.paths == [
            "$.id",
            "$.name",
            "$.relationship_manager",
            "$.group_id",
            "$.contacts[0]",
        ]
        assert info.value.problems[3].expected.endswith("or null")

    def test_user_problems(self) -> None:
        """Needs the customer a user acts for; a contact is optional."""
        with pytest.raises(ValidationError) as info:
            CloudServiceUser(id="u1", name="Lee", customer_id="", contact="lee")  # type: ignore[arg-type]
        assert info.value.paths == ["$.customer_id", "$.contact"]
        assert CloudServiceUser(id="u1", name="Lee", customer_id="acme").contact is None

    def test_partner_problems(self) -> None:
        """Needs one or more roles, and well-formed customer ids."""
        with pytest.raises(ValidationError) as info:
            CloudServicePartner(id="p", name="P", roles=set(), customer_ids={"ok", "not ok"})
        assert info.value.paths == ["$.roles", "$.customer_ids[0]"]
        with pytest.raises(ValidationError) as info:
            CloudServicePartner(id="p", name="P", roles={"broker"}, customer_ids="acme")
        assert info.value.paths == ["$.roles[0]", "$.customer_ids"]

    def test_supplier_problems(self) -> None:
        """Needs what is supplied and a contract; the provider flag is a boolean."""
        assert not COLO.cloud_service_provider
        with pytest.raises(ValidationError) as info:
            Supplier(id="s", name="S", supplies="", contract=" ", cloud_service_provider="yes")  # type: ignore[arg-type]
        assert info.value.paths == ["$.supplies", "$.contract", "$.cloud_service_provider"]


WHOLE_UNITS = "a positive calendar length in whole units, such as P1M"


class TestCommunicationProcedure:
    """Channels and a calendar-true review interval."""

    def test_next_review_is_calendar_true(self) -> None:
        """Adds calendar months on the wall clock, month ends and DST included."""
        quarterly = attrs.evolve(KEY.procedure, review_every=relativedelta(months=3))
        nov30 = dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)
        assert quarterly.next_review(nov30) == dt.datetime(2027, 2, 28, 10, tzinfo=dt.UTC)
        march = dt.datetime(2026, 3, 15, 10, tzinfo=BERLIN)
        april = KEY.procedure.next_review(march)
        assert (april.hour, april.utcoffset()) == (10, dt.timedelta(hours=2))

    def test_reviews_do_not_drift(self) -> None:
        """Computes each review from the start: 31 Jan, then 28 Feb, 31 Mar, 30 Apr."""
        jan31 = dt.datetime(2026, 1, 31, tzinfo=dt.UTC)
        days = [(d.month, d.day) for d in KEY.procedure.reviews(jan31, 3)]
        assert days == [(2, 28), (3, 31), (4, 30)]
        assert KEY.procedure.reviews(jan31, 0) == ()

    def test_naive_and_negative_refused(self) -> None:
        """Refuses a naive start and a negative count."""
        with pytest.raises(ValidationError) as info:
            KEY.procedure.next_review(dt.datetime(2026, 1, 1))
        assert info.value.paths == ["$.after"]
        with pytest.raises(ValidationError) as info:
            KEY.procedure.reviews(T0, -1)
        assert info.value.paths == ["$.count"]

    @pytest.mark.parametrize(
        ("interval", "expected"),
        [
            (dt.timedelta(days=30), WHOLE_UNITS),
            (relativedelta(), WHOLE_UNITS),
            (relativedelta(months=-1), WHOLE_UNITS),
            (relativedelta(months=1, days=-3), WHOLE_UNITS),
            (relativedelta(day=1), WHOLE_UNITS),
            (relativedelta(months=1, microseconds=5), WHOLE_UNITS),
            (relativedelta(days=1.5), WHOLE_UNITS),
            (relativedelta(months=1, hours=0.5), WHOLE_UNITS),
            (relativedelta(years=9000), "a calendar length of at most 1000 years"),
            (relativedelta(years=1000, months=1), "a calendar length of at most 1000 years"),
        ],
    )
    def test_interval_refusals(self, interval: object, expected: str) -> None:
        """Refuses an exact, zero, negative, absolute, fractional or too long length."""
        with pytest.raises(ValidationError) as info:
            CommunicationProcedure(channels={CommunicationChannel.EMAIL}, review_every=interval)  # type: ignore[arg-type]
        assert [(p.path, p.expected) for p in info.value.problems] == [
            ("$.review_every", expected)
        ]

    def test_reviews_past_the_calendar_refused(self) -> None:
        """Refuses reviews past the supported range with a path instead of a raw ValueError."""
        millennial = attrs.evolve(KEY.procedure, review_every=relativedelta(years=1000))
        late = dt.datetime(8500, 1, 1, tzinfo=dt.UTC)
        with pytest.raises(ValidationError) as info:
            millennial.next_review(late)
        assert info.value.errors == [
            (
                "expected an instant whose next review falls before 9000-01-01T00:00Z, "
                "got 8500-01-01T00:00:00+00:00 @ $.after"
            )
        ]
        with pytest.raises(ValidationError) as info:
            millennial.reviews(late, 2)
        assert info.value.paths == ["$.start"]
        last_year = dt.datetime(8999, 1, 1, tzinfo=dt.UTC)
        with pytest.raises(ValidationError) as info:
            KEY.procedure.reviews(last_year, 12)
        assert info.value.paths == ["$.count"]
        assert len(KEY.procedure.reviews(last_year, 11)) == 11
        with pytest.raises(ValidationError) as info:
            KEY.procedure.next_review("2026-01-01")  # type: ignore[arg-type]
        assert info.value.paths == ["$.after"]

    def test_procedure_problems(self) -> None:
        """Lists no channels, a bad escalation, empty reporting and a non-boolean flag."""
        with pytest.raises(ValidationError) as info:
            CommunicationProcedure(
                channels=(),
                review_every=relativedelta(weeks=2),
                escalation="boss",  # type: ignore[arg-type]
                reporting="",
                automated=1,  # type: ignore[arg-type]
            )
        assert info.value.paths == ["$.channels", "$.escalation", "$.reporting", "$.automated"]

    def test_group_problems(self) -> None:
        """Lists a group's bad id, missing procedure and bad member ids."""
        with pytest.raises(ValidationError) as info:
            CustomerGroup(id="", name="G", procedure=None, members={"ok", "no way"})  # type: ignore[arg-type]
        assert info.value.paths == ["$.id", "$.procedure", "$.members[0]"]


class TestRegister:
    """The register answers who is who, and refuses dangling or disagreeing references."""

    def test_queries(self) -> None:
        """Finds users, partners, groups and procedures of a customer."""
        assert [u.id for u in REGISTER.users_of("acme")] == ["u-wile", "u-road"]
        assert REGISTER.users_of("solo") == ()
        assert REGISTER.partners_of("initech") == (BROKER,)
        assert REGISTER.partners_of("globex") == ()
        assert REGISTER.partners_in(PartnerRole.DEVELOPER) == (AUDITOR,)
        assert REGISTER.group_of("globex") == KEY
        assert REGISTER.group_of("solo") is None
        assert REGISTER.procedure_for("acme") == SELF.procedure
        assert REGISTER.procedure_for("solo") is None
        assert REGISTER.party("colo-1") == COLO
        assert REGISTER.party("u-hank").name == "Hank"

    def test_customers_by_manager(self) -> None:
        """Shows one person for one key account and one team for the rest."""
        assert REGISTER.customers_by_manager() == {
            DANA: ("globex",),
            DESK: ("acme", "initech", "solo"),
        }

    def test_one_team_one_entry(self) -> None:
        """Counts a team once, whatever order each customer lists its members in."""
        reordered = RelationshipManager.team(
            "Customer Success", email="success@example.com", members=("Ben", "Ana")
        )
        register = attrs.evolve(
            REGISTER,
            customers=(
                GLOBEX,
                ACME,
                attrs.evolve(INITECH, relationship_manager=reordered),
                SOLO,
            ),
        )
        load = register.customers_by_manager()
        assert load == {DANA: ("globex",), DESK: ("acme", "initech", "solo")}
        assert sum(len(ids) for ids in load.values()) == len(register.customers)

    def test_roles_are_checked(self) -> None:
        """Takes a role or its value, and refuses anything else with a path."""
        assert REGISTER.partners_in("broker") == (BROKER,)  # type: ignore[arg-type]
        assert BROKER.plays("broker")  # type: ignore[arg-type]
        for bad in (["broker"], 5, "reseller", None):
            with pytest.raises(ValidationError) as info:
                REGISTER.partners_in(bad)  # type: ignore[arg-type]
            assert info.value.paths == ["$.role"]
            with pytest.raises(ValidationError) as info:
                BROKER.plays(bad)  # type: ignore[arg-type]
            assert info.value.paths == ["$.role"]

    def test_unhashable_set_items_refused(self) -> None:
        """Reports a set field holding unhashable items at its path, not a TypeError."""
        with pytest.raises(ValidationError) as info:
            CloudServicePartner(id="p", name="P", roles=[["broker"]], customer_ids=[{}])
        assert info.value.paths == ["$.roles", "$.customer_ids"]
        with pytest.raises(ValidationError) as info:
            attrs.evolve(KEY, members=[["globex"]])
        assert info.value.paths == ["$.members"]
        with pytest.raises(ValidationError) as info:
            attrs.evolve(KEY.procedure, channels=[[CommunicationChannel.EMAIL]])
        assert info.value.paths == ["$.channels"]

    def test_unknown_ids(self) -> None:
        """Raises UnknownReference with close ids."""
        with pytest.raises(UnknownReference) as info:
            REGISTER.customer("acmee")
        assert info.value.suggestions[0] == "acme"
        assert info.value.kind == "customer"
        with pytest.raises(UnknownReference, match="unknown party"):
            REGISTER.party("nobody")
        with pytest.raises(UnknownReference, match="unknown customer group"):
            REGISTER.group(5)  # type: ignore[arg-type]
        with pytest.raises(UnknownReference):
            REGISTER.users_of("colo-1")

    def test_ids_are_unique_across_parties(self) -> None:
        """Refuses a party id used twice, even by parties of different kinds, and a group twice."""
        clash = CloudServiceUser(id="acme", name="A", customer_id="acme")
        with pytest.raises(ValidationError) as info:
            attrs.evolve(REGISTER, users=(clash,), suppliers=(COLO, COLO), groups=(KEY, SELF, KEY))
        assert info.value.paths == [
            "$.users[0].id",
            "$.suppliers[1].id",
            "$.groups[2].id",
        ]

    def test_dangling_references(self) -> None:
        """Refuses users, partners and customers pointing at nothing."""
        with pytest.raises(ValidationError) as info:
            RelationshipRegister(
                customers=(attrs.evolve(SOLO, group_id="vip"),),
                users=(CloudServiceUser(id="u1", name="U", customer_id="ghost"),),
                partners=(attrs.evolve(BROKER, customer_ids={"solo", "ghost"}),),
            )
        assert info.value.paths == [
            "$.users[0].customer_id",
            "$.partners[0].customer_ids",
            "$.customers[0].group_id",
        ]
        assert info.value.problems[1].got == "'ghost' (string)"

    def test_group_and_members_must_agree(self) -> None:
        """Refuses a group listing a customer that names another group, and the reverse."""
        with pytest.raises(ValidationError) as info:
            RelationshipRegister(
                customers=(GLOBEX, ACME, INITECH, SOLO),
                groups=(attrs.evolve(KEY, members={"globex", "solo"}), SELF),
            )
        assert info.value.errors == [
            (
                "expected customers whose group_id is 'key-accounts', got 'solo', whose "
                "group_id is None @ $.groups[0].members"
            )
        ]
        with pytest.raises(ValidationError) as info:
            RelationshipRegister(
                customers=(GLOBEX, ACME, INITECH),
                groups=(KEY, attrs.evolve(SELF, members={"acme", "ghost"})),
            )
        assert info.value.paths == ["$.groups[1].members", "$.customers[2].group_id"]
        assert info.value.problems[1].expected == "a group listing 'initech' among its members"

    def test_pickles(self) -> None:
        """Survives pickling, lookups included (for process pools and task queues)."""
        copy = pickle.loads(pickle.dumps(REGISTER))
        assert copy == REGISTER
        assert copy.party("brokr") == BROKER

    def test_wrong_types(self) -> None:
        """Reports each list holding something else, before looking further."""
        with pytest.raises(ValidationError) as info:
            RelationshipRegister(customers=(DANA,), groups="key")
        assert info.value.paths == ["$.customers[0]", "$.groups"]

    @settings(max_examples=examples(80))  # each example draws every kind of party
    @given(relationship_registers())
    def test_queries_on_drawn_registers(self, register: RelationshipRegister) -> None:
        """Finds every party by id, and splits users, partners and managers by customer."""
        parties: list[Any] = [*register.customers, *register.users]
        parties += [*register.partners, *register.suppliers]
        assert all(register.party(p.id) is p for p in parties)
        ids = [c.id for c in register.customers]
        by_customer = [u for c in ids for u in register.users_of(c)]
        assert sorted(by_customer, key=register.users.index) == list(register.users)
        for partner in register.partners:
            assert {c for c in ids if partner in register.partners_of(c)} == partner.customer_ids
        playing = {p.id for role in PartnerRole for p in register.partners_in(role)}
        assert playing == {p.id for p in register.partners}
        for customer in register.customers:
            group = register.group_of(customer.id)
            assert (group is None) == (customer.group_id is None)
            assert group is None or customer.id in group.members
            procedure = register.procedure_for(customer.id)
            assert procedure == (None if group is None else group.procedure)
        load = register.customers_by_manager()
        assert sorted(i for managed in load.values() for i in managed) == sorted(ids)
        assert all(
            register.customer(i).relationship_manager == m for m, c in load.items() for i in c
        )


class TestSatisfaction:
    """Survey results on a declared scale, and what they say."""

    def test_scale(self) -> None:
        """Checks the ends and places a score on the scale."""
        assert FIVE.contains(Decimal(1))
        assert FIVE.contains(Decimal(5))
        assert not FIVE.contains(Decimal("5.01"))
        assert FIVE.normalise(Decimal(2)) == Decimal("0.25")
        with pytest.raises(ValidationError) as info:
            ScoreScale(Decimal(5), Decimal(5))
        assert info.value.paths == ["$.high"]
        with pytest.raises(ValidationError) as info:
            ScoreScale(1.0, Decimal("NaN"))  # type: ignore[arg-type]
        assert info.value.paths == ["$.low", "$.high"]

    def test_summaries(self) -> None:
        """Computes the mean, the response rate, normalised scores and weak aspects."""
        result = attrs.evolve(survey(overall="4.2", support="3.0", billing="4.8"), invited=160)
        assert result.mean_score() == Decimal(4)
        assert result.response_rate() == Decimal("0.25")
        assert result.normalised_scores() == {
            "overall": Decimal("0.8"),
            "support": Decimal("0.5"),
            "billing": Decimal("0.95"),
        }
        assert result.aspects_below(Decimal("4.5")) == ("overall", "support")
        assert result.aspects_below(Decimal(1)) == ()
        assert survey().response_rate() is None

    def test_threshold_on_the_scale(self) -> None:
        """Refuses a threshold off the survey's scale or not a Decimal."""
        with pytest.raises(ValidationError) as info:
            survey().aspects_below(Decimal(7))
        assert info.value.errors == [
            "expected a score on the scale 1 to 5, got Decimal('7') (Decimal) @ $.threshold"
        ]
        with pytest.raises(ValidationError):
            survey().aspects_below(4.5)  # type: ignore[arg-type]

    def test_survey_problems(self) -> None:
        """Lists bad aspect names and scores; once the fields are sound, the survey's rules."""
        with pytest.raises(ValidationError) as info:
            SatisfactionSurvey(
                id="s",
                period=Period(T0, T0 + dt.timedelta(days=1)),
                scale=FIVE,
                scores={"overall": Decimal("5.5"), "Support!": Decimal(3), "billing": 4},
                responses=10,
                invited=0,
            )
        assert info.value.paths == ["$.scores", "$.scores.billing", "$.invited"]
        assert info.value.problems[2].expected == "an integer from 1 or null"
        with pytest.raises(ValidationError) as info:
            SatisfactionSurvey(
                id="s",
                period=Period(T0, T0 + dt.timedelta(days=1)),
                scale=FIVE,
                scores={"overall": Decimal("5.5"), "support": Decimal(3)},
                responses=10,
                invited=9,
                customer_id="acme",
                group_id="key-accounts",
            )
        assert info.value.paths == ["$.scores.overall", "$.invited", "$.group_id"]
        assert info.value.problems[1].expected == (
            "an integer from 10 (at least the respondents), or null"
        )

    def test_empty_survey_refused(self) -> None:
        """Refuses a survey without scores, respondents, period or scale."""
        with pytest.raises(ValidationError) as info:
            SatisfactionSurvey(
                id="s",
                period=(T0, T0),  # type: ignore[arg-type]
                scale="1-5",  # type: ignore[arg-type]
                scores={},
                responses=True,
            )
        assert info.value.paths == ["$.period", "$.scale", "$.scores", "$.responses"]

    def test_score_changes(self) -> None:
        """Gives the change of each aspect both surveys asked about."""
        q1 = survey("q1", overall="3.9", support="3.1")
        q2 = survey("q2", start=T0 + dt.timedelta(days=90), overall="4.3", billing="4.0")
        assert score_changes(q1, q2) == {"overall": Decimal("0.4")}

    def test_score_changes_refusals(self) -> None:
        """Refuses surveys on different scales, and a later one that started earlier."""
        q1 = survey("q1", start=T0 + dt.timedelta(days=1))
        ten = survey("q2", scale=ScoreScale(Decimal(0), Decimal(10)))
        with pytest.raises(ValidationError) as info:
            score_changes(q1, ten)
        assert info.value.paths == ["$.later.scale", "$.later.period"]

    def test_score_changes_needs_one_population(self) -> None:
        """Refuses comparing surveys of different customers or groups, naming the field."""
        group = attrs.evolve(survey("q1"), group_id="self-service")
        acme = attrs.evolve(survey("q2", start=T0 + dt.timedelta(days=90)), customer_id="acme")
        with pytest.raises(ValidationError) as info:
            score_changes(group, acme)
        assert info.value.paths == ["$.later.customer_id", "$.later.group_id"]
        assert info.value.problems[0].expected == (
            "null, as in the earlier survey (one population)"
        )
        with pytest.raises(ValidationError) as info:
            score_changes(group, attrs.evolve(acme, customer_id=None))
        assert info.value.paths == ["$.later.group_id"]
        globex = attrs.evolve(acme, customer_id="globex")
        assert score_changes(attrs.evolve(acme, id="q0", period=group.period), acme) == {
            "overall": Decimal(0)
        }
        with pytest.raises(ValidationError) as info:
            score_changes(attrs.evolve(acme, period=group.period), globex)
        assert info.value.paths == ["$.later.customer_id"]

    def test_score_changes_arguments_checked(self) -> None:
        """Refuses something other than a survey with its path, not an AttributeError."""
        with pytest.raises(ValidationError) as info:
            score_changes(survey(), None)  # type: ignore[arg-type]
        assert info.value.paths == ["$.later"]
        with pytest.raises(ValidationError) as info:
            score_changes({"overall": Decimal(4)}, "q2")  # type: ignore[arg-type]
        assert info.value.paths == ["$.earlier", "$.later"]

    def test_hashable(self) -> None:
        """Hashes equal surveys equally, scores included."""
        assert hash(survey(overall="4.0")) == hash(survey(overall="4.00"))
        assert len({survey(), survey(), survey("other")}) == 2

    def test_scores_are_read_only(self) -> None:
        """Keeps scores in a read-only copy, so the survey, its hash and its JSON hold."""
        given = {"overall": Decimal("4.2"), "support": Decimal("3.0")}
        result = SatisfactionSurvey(
            id="s",
            period=Period(T0, T0 + dt.timedelta(days=7)),
            scale=FIVE,
            scores=given,
            responses=40,
        )
        before = hash(result)
        with pytest.raises(TypeError):
            result.scores["overall"] = Decimal(99)  # type: ignore[index]
        given["overall"] = Decimal(99)
        assert result.scores == {"overall": Decimal("4.2"), "support": Decimal("3.0")}
        assert hash(result) == before
        assert result.mean_score() == Decimal("3.6")
        assert isinstance(result.scores, Mapping)
        assert type(result.scores).__name__ == "FrozenMapping"
        text = to_json(result)
        assert from_json(SatisfactionSurvey, text) == result
        schema_validator(SatisfactionSurvey).validate(json.loads(text))
        assert pickle.loads(pickle.dumps(result)) == result
        proxy = types.MappingProxyType({"overall": Decimal("4.2"), "support": Decimal("3.0")})
        assert attrs.evolve(result, scores=proxy) == result

    def test_scale_arguments_checked(self) -> None:
        """Refuses a score that is not a finite Decimal with a path, not a raw exception."""
        for bad in (Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), "4", None):
            with pytest.raises(ValidationError) as info:
                FIVE.contains(bad)  # type: ignore[arg-type]
            assert info.value.paths == ["$.score"]
            with pytest.raises(ValidationError) as info:
                FIVE.normalise(bad)  # type: ignore[arg-type]
            assert info.value.paths == ["$.score"]
        with pytest.raises(ValidationError) as info:
            survey().aspects_below(Decimal("NaN"))
        assert info.value.paths == ["$.threshold"]

    @pytest.mark.parametrize(
        ("low", "high", "path"),
        [
            (Decimal(0), Decimal("1E+1000"), "$.high"),
            (Decimal("-1E-1000"), Decimal(1), "$.low"),
            (Decimal(0), Decimal("1." + "0" * 99), "$.high"),
            (Decimal("-Infinity"), Decimal(1), "$.low"),
        ],
    )
    def test_scale_ends_the_reader_would_refuse(
        self, low: Decimal, high: Decimal, path: str
    ) -> None:
        """Refuses ends a JSON document cannot carry back: long, huge exponents, infinite."""
        with pytest.raises(ValidationError) as info:
            ScoreScale(low, high)
        assert info.value.paths == [path]

    def test_values_at_the_limits_round_trip(self) -> None:
        """Writes and reads back the longest decimals and largest counts it accepts."""
        longest = Decimal("9." + "9" * 98)  # 100 characters
        assert len(str(longest)) == 100
        result = SatisfactionSurvey(
            id="s",
            period=Period(T0, T0 + dt.timedelta(days=7)),
            scale=ScoreScale(Decimal("-1E+999"), longest),
            scores={"overall": Decimal("-1E+3")},
            responses=2**63 - 1,
            invited=2**63 - 1,
        )
        assert from_json(SatisfactionSurvey, to_json(result)) == result
        assert result.response_rate() == Decimal(1)

    def test_counts_and_scores_the_reader_would_refuse(self) -> None:
        """Refuses counts above 2**63 - 1, and scores too long or not finite."""
        with pytest.raises(ValidationError) as info:
            attrs.evolve(survey(), responses=2**63)
        assert info.value.paths == ["$.responses"]
        assert info.value.problems[0].expected == "an integer of at most 2**63 - 1 (64 bits)"
        with pytest.raises(ValidationError) as info:
            attrs.evolve(survey(), invited=2**63)
        assert info.value.paths == ["$.invited"]
        for score in ("1" + "0" * 100, "NaN", "Infinity"):
            with pytest.raises(ValidationError) as info:
                survey(overall=score)
            assert info.value.paths == ["$.scores.overall"]

    def test_arithmetic_ignores_the_callers_context(self) -> None:
        """Gives the same digits under any decimal context, and never raises Inexact."""
        result = attrs.evolve(survey(overall="1", support="2", billing="2"), invited=120)
        thirds = ScoreScale(Decimal(0), Decimal(3))
        later = survey("q2", start=T0 + dt.timedelta(days=30), overall="1.00000000000001")
        expected = (
            result.mean_score(),
            result.response_rate(),
            result.normalised_scores(),
            thirds.normalise(Decimal(1)),
            score_changes(result, later),
        )
        assert expected[0] == Decimal("1.666666666666666666666666667")
        assert expected[1] == Decimal("0.3333333333333333333333333333")
        tight = decimal.Context(
            prec=3, rounding=decimal.ROUND_DOWN, traps=[decimal.Inexact, decimal.Rounded]
        )
        with decimal.localcontext(tight):
            assert (
                result.mean_score(),
                result.response_rate(),
                result.normalised_scores(),
                thirds.normalise(Decimal(1)),
                score_changes(result, later),
            ) == expected

    @given(satisfaction_surveys())
    def test_summaries_stay_on_the_scale(self, result: SatisfactionSurvey) -> None:
        """Keeps the mean between the lowest and highest score, normalised within 0 to 1."""
        assert min(result.scores.values()) <= result.mean_score() <= max(result.scores.values())
        assert all(Decimal(0) <= s <= Decimal(1) for s in result.normalised_scores().values())
        rate = result.response_rate()
        assert rate is None or Decimal(0) < rate <= Decimal(1)

    @given(satisfaction_surveys(scale=FIVE), satisfaction_surveys(scale=FIVE))
    def test_changes_against_itself(self, a: SatisfactionSurvey, b: SatisfactionSurvey) -> None:
        """Finds no change from a survey to itself, and changes of common aspects otherwise."""
        assert set(score_changes(a, a).values()) == {Decimal(0)}
        b = attrs.evolve(b, customer_id=a.customer_id, group_id=a.group_id)  # one population
        first, second = sorted((a, b), key=lambda s: s.period.start)
        changes = score_changes(first, second)
        assert set(changes) == set(first.scores) & set(second.scores)


HANDLE = {"response": "We added capacity; month-end reports now run in time."}


class TestComplaints:
    """Complaints go received, handled, closed; refused events change nothing."""

    def test_complaint_problems(self) -> None:
        """Refuses a naive receipt time, no summary, an unknown channel or lifecycle."""
        with pytest.raises(ValidationError) as info:
            Complaint(
                id="c1",
                customer_id="acme",
                received_at=dt.datetime(2026, 3, 2, 9),
                summary="",
                channel="fax",  # type: ignore[arg-type]
                lifecycle="lost",  # type: ignore[arg-type]
            )
        assert info.value.paths == ["$.received_at", "$.summary", "$.channel", "$.lifecycle"]
        assert info.value.problems[0].got == "a naive datetime 2026-03-02T09:00:00"

    def test_table(self) -> None:
        """Declares the transitions, guards and the final state."""
        assert COMPLAINT_LIFECYCLE.states == COMPLAINT_STATES
        assert COMPLAINT_LIFECYCLE.finals == {"closed"}
        assert [(t.source, t.event, t.target, t.guard) for t in COMPLAINT_LIFECYCLE.table()] == [
            ("received", "handle", "handled", "response_given"),
            ("handled", "reopen", "received", "reason_given"),
            ("handled", "close", "closed", "outcome_recorded"),
            ("received", "withdraw", "closed", None),
            ("handled", "withdraw", "closed", None),
        ]

    def test_guards_name_their_reason(self) -> None:
        """Refuses handle without a response, close without an outcome, reopen without a reason."""
        received = COMPLAINT_LIFECYCLE.begin()
        with pytest.raises(InvalidTransition) as info:
            received.apply("handle", who="actor:desk", when=T0, data={"response": "  "})
        assert info.value.reason == (
            "no response to the customer given (the event's data needs a non-empty 'response')"
        )
        assert received.history() == ()
        handled = received.apply("handle", who="actor:desk", when=T0, data=HANDLE)
        assert handled.refusal("close", who="actor:desk", when=T0, data={"outcome": "fixed"}) == (
            "no outcome recorded (the event's data needs an 'outcome': one of "
            "'resolved', 'rejected', 'withdrawn')"
        )
        assert handled.refusal("reopen", who="actor:desk", when=T0, data={}) == (
            "no reason for reopening given (the event's data needs a non-empty 'reason')"
        )
        with pytest.raises(InvalidTransition) as info:
            handled.apply("close", who="actor:desk", when=T0, data={"outcome": ["resolved"]})
        assert handled.state == "handled"
        assert len(handled.history()) == 1

    def test_events_out_of_order_refused(self) -> None:
        """Refuses closing a complaint nobody handled, and anything after closing."""
        received = COMPLAINT_LIFECYCLE.begin(id="c-1")
        with pytest.raises(InvalidTransition) as info:
            received.apply("close", who="actor:desk", when=T0, data={"outcome": "resolved"})
        assert info.value.allowed == ("handle", "withdraw")
        assert received == COMPLAINT_LIFECYCLE.begin(id="c-1")
        closed = received.apply("withdraw", who="actor:customer", when=T0)
        with pytest.raises(InvalidTransition) as info:
            closed.apply("reopen", who="actor:customer", when=T0, data={"reason": "again"})
        assert info.value.allowed == ()
        assert closed.is_final

    def test_a_full_run(self) -> None:
        """Handles, reopens, handles again and closes, with the outcome and first response time."""
        complaint = Complaint(
            id="c1",
            customer_id="acme",
            received_at=dt.datetime(2026, 3, 2, 10, tzinfo=BERLIN),
            summary="Reports late at month end",
            service_id="reports",
            channel=CommunicationChannel.PORTAL,
        )
        first = dt.datetime(2026, 3, 2, 18, tzinfo=TOKYO)  # 10:00 in Berlin
        run = advance(complaint, "handle", who="actor:desk", when=first, data=HANDLE)
        assert time_to_handle(run) == dt.timedelta(0)
        run = advance(
            run,
            "reopen",
            who="actor:acme",
            when=T0 + dt.timedelta(days=1),
            data={"reason": "still late"},
        )
        assert outcome_of(run) is None
        assert run.state == "received"
        run = advance(run, "handle", who="actor:desk", when=T0 + dt.timedelta(days=2), data=HANDLE)
        run = advance(
            run,
            "close",
            who="actor:desk",
            when=T0 + dt.timedelta(days=3),
            data={"outcome": "resolved"},
        )
        assert outcome_of(run) is ComplaintOutcome.RESOLVED
        assert outcome_of(run.lifecycle) is ComplaintOutcome.RESOLVED
        assert run.state == run.lifecycle.state == "closed"
        assert complaint.state == "received"
        assert time_to_handle(run) == dt.timedelta(0)
        assert [e.event for e in run.lifecycle.history()] == [
            "handle",
            "reopen",
            "handle",
            "close",
        ]
        assert attrs.evolve(run, lifecycle=complaint.lifecycle) == complaint

    def test_withdrawn(self) -> None:
        """Records a withdrawal as the withdrawn outcome, handled or not."""
        run = COMPLAINT_LIFECYCLE.begin().apply("withdraw", who="actor:acme", when=T0)
        assert outcome_of(run) is ComplaintOutcome.WITHDRAWN
        handled = COMPLAINT_LIFECYCLE.begin().apply("handle", who="actor:d", when=T0, data=HANDLE)
        assert (
            outcome_of(handled.apply("withdraw", who="actor:acme", when=T0))
            is ComplaintOutcome.WITHDRAWN
        )

    def test_closed_without_a_recorded_history(self) -> None:
        """A complaint closed before its history was kept has no recorded outcome."""
        closed = Complaint(
            id="c1",
            customer_id="acme",
            received_at=T0,
            summary="Slow",
            lifecycle=COMPLAINT_LIFECYCLE.begin(id="c1", origin="closed"),
        )
        assert closed.state == "closed"
        assert outcome_of(closed) is None
        assert time_to_handle(closed) is None

    def test_time_to_handle(self) -> None:
        """Measures on the absolute timeline, is None before handling."""
        complaint = Complaint(id="c1", customer_id="acme", received_at=T0, summary="Slow")
        assert time_to_handle(complaint) is None
        # Berlin switches to summer time on 29 March 2026: 01:30 UTC to 04:30 local is 2 hours.
        night = attrs.evolve(complaint, received_at=dt.datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN))
        later = advance(
            night,
            "handle",
            who="actor:d",
            when=dt.datetime(2026, 3, 29, 4, 30, tzinfo=BERLIN),
            data=HANDLE,
        )
        assert time_to_handle(later) == dt.timedelta(hours=2)

    def test_no_event_before_the_receipt(self) -> None:
        """Refuses a history that begins before the complaint was received; advance too."""
        complaint = Complaint(id="c1", customer_id="acme", received_at=T0, summary="Slow")
        early = T0 - dt.timedelta(hours=1)
        with pytest.raises(ValidationError) as info:
            advance(complaint, "handle", who="actor:d", when=early, data=HANDLE)
        assert info.value.errors == [
            (
                "expected an event no earlier than the receipt at 2026-03-02T09:00:00+00:00, "
                "got 2026-03-02T08:00:00+00:00 @ $.lifecycle.history[0].when"
            )
        ]
        handled = COMPLAINT_LIFECYCLE.begin(id=complaint.id).apply(
            "handle", who="actor:d", when=early, data=HANDLE
        )
        with pytest.raises(ValidationError) as info:
            attrs.evolve(complaint, lifecycle=handled)
        assert info.value.paths == ["$.lifecycle.history[0].when"]
        same_instant = dt.datetime(2026, 3, 2, 18, tzinfo=TOKYO)
        assert advance(
            complaint, "handle", who="actor:d", when=same_instant, data=HANDLE
        ).state == ("handled")

    def test_instances_of_other_lifecycles_refused(self) -> None:
        """Refuses an instance of another lifecycle, in a complaint or asked about."""
        other = Lifecycle(
            name="other",
            states=("a", "b"),
            initial="a",
            finals=("b",),
            transitions=(Transition(source="a", event="go", target="b"),),
        )
        with pytest.raises(ValidationError) as info:
            Complaint(
                id="c1",
                customer_id="acme",
                received_at=T0,
                summary="Slow",
                lifecycle=other.begin(id="c1"),
            )
        assert info.value.errors == [
            (
                "expected an instance of the 'complaint' lifecycle, got an instance of 'other' "
                "@ $.lifecycle"
            )
        ]
        with pytest.raises(ValidationError, match="an instance of 'other'") as info:
            outcome_of(other.begin())
        assert info.value.paths == ["$.complaint"]
        with pytest.raises(ValidationError) as info:
            outcome_of("closed")  # type: ignore[arg-type]
        assert info.value.paths == ["$.complaint"]

    def test_complaint_arguments_checked(self) -> None:
        """Refuses something other than a complaint with its path, not an attrs error."""
        run = COMPLAINT_LIFECYCLE.begin().apply("handle", who="actor:d", when=T0, data=HANDLE)
        with pytest.raises(ValidationError) as info:
            time_to_handle(run)  # type: ignore[arg-type]
        assert info.value.paths == ["$.complaint"]

    def test_time_to_handle_at_the_ends_of_the_calendar(self) -> None:
        """Measures from the first supported instant; refuses a complaint before it."""
        east = dt.timezone(dt.timedelta(hours=5))
        start = dt.datetime(1900, 1, 1, 5, tzinfo=east)  # 1900-01-01T00:00Z
        complaint = Complaint(id="c1", customer_id="acme", received_at=start, summary="Old")
        run = advance(
            complaint,
            "handle",
            who="actor:d",
            when=dt.datetime(1900, 1, 2, 3, tzinfo=dt.UTC),
            data=HANDLE,
        )
        assert time_to_handle(run) == dt.timedelta(hours=27)
        with pytest.raises(ValidationError) as info:
            attrs.evolve(complaint, received_at=dt.datetime(1, 1, 1, 2, tzinfo=east))
        assert info.value.paths == ["$.received_at"]

    def test_history_round_trip(self) -> None:
        """Stores the history as JSON and resumes the same instance from it."""
        run = COMPLAINT_LIFECYCLE.begin().apply("handle", who="actor:desk", when=T0, data=HANDLE)
        stored = to_json(run.history())
        resumed = COMPLAINT_LIFECYCLE.resume(
            from_json(tuple[HistoryEntry, ...], stored), id=run.id
        )
        assert resumed == run
        assert resumed.history()[0].data == HANDLE


COMPLAINT_DATA = st.fixed_dictionaries(
    {
        "response": st.sampled_from(["", "We fixed it", None]),
        "reason": st.sampled_from(["", "Not fixed", None]),
        "outcome": st.sampled_from(["resolved", "rejected", "withdrawn", "fixed", None]),
    }
)


class ComplaintRules(lifecycle_machine(COMPLAINT_LIFECYCLE, data=COMPLAINT_DATA)):  # type: ignore[misc]
    """The complaint lifecycle, with the rules of S06 checked after every step."""

    @invariant()
    def handled_only_with_a_response(self) -> None:
        """Every handling in the history carries a non-empty response."""
        for entry in self.instance.history():
            if entry.event == "handle":
                assert entry.data["response"].strip()

    @invariant()
    def closed_only_with_an_outcome(self) -> None:
        """A closed complaint always has an outcome; an open one never does."""
        if self.instance.is_final:
            assert outcome_of(self.instance) in set(ComplaintOutcome)
        else:
            assert outcome_of(self.instance) is None

    @invariant()
    def closed_after_handling_or_withdrawal(self) -> None:
        """Closing follows handling; only a withdrawal closes an unhandled complaint."""
        history = self.instance.history()
        if history and history[-1].target == "closed":
            assert history[-1].event == "withdraw" or history[-1].source == "handled"


ComplaintRules.TestCase.settings = settings(
    max_examples=examples(50), stateful_step_count=20, deadline=None
)
TestComplaintLifecycle = ComplaintRules.TestCase


class TestAcknowledgements:
    """Who accepted which version of which terms, and when."""

    def test_problems(self) -> None:
        """Refuses a naive instant, an empty version, a bad method and empty evidence."""
        with pytest.raises(ValidationError) as info:
            Acknowledgement(
                party_id="acme",
                terms_id="",
                version=" ",
                accepted_at=dt.datetime(2026, 1, 1),
                method="shrug",  # type: ignore[arg-type]
                evidence="",
            )
        assert info.value.paths == [
            "$.terms_id",
            "$.version",
            "$.accepted_at",
            "$.method",
            "$.evidence",
        ]

    def test_acknowledged_exact_version(self) -> None:
        """Counts only the version asked about, for that party and those terms."""
        acks = [ack("acme", "1.0", T0), ack("acme", "2.0", T0, terms="aup")]
        assert acknowledged(acks, "acme", "tos", "1.0")
        assert not acknowledged(acks, "acme", "tos", "2.0")
        assert not acknowledged(acks, "globex", "tos", "1.0")
        assert acknowledged(acks, "acme", "aup", "2.0")

    def test_as_of(self) -> None:
        """Counts only acceptances at or before the instant, across time zones."""
        acks = [ack("acme", "1.0", T0)]
        assert acknowledged(acks, "acme", "tos", "1.0", as_of=T0)
        just_before = (T0 - dt.timedelta(seconds=1)).astimezone(TOKYO)
        assert not acknowledged(acks, "acme", "tos", "1.0", as_of=just_before)
        with pytest.raises(ValidationError) as info:
            acknowledged(acks, "acme", "tos", "1.0", as_of=dt.datetime(2026, 1, 1))
        assert info.value.paths == ["$.as_of"]

    def test_latest(self) -> None:
        """Finds the latest acceptance by absolute time; of a tie, the one listed later."""
        tokyo_earlier = ack("acme", "1.0", dt.datetime(2026, 3, 2, 17, tzinfo=TOKYO))  # 08:00 UTC
        utc_later = ack("acme", "1.1", T0)
        tie = ack("acme", "1.2", T0.astimezone(BERLIN))
        assert latest_acknowledgement([utc_later, tokyo_earlier], "acme", "tos") == utc_later
        assert latest_acknowledgement([utc_later, tie], "acme", "tos") == tie
        assert latest_acknowledgement([tie, utc_later], "acme", "tos") == utc_later
        assert (
            latest_acknowledgement(
                [utc_later, tokyo_earlier], "acme", "tos", as_of=T0 - dt.timedelta(minutes=1)
            )
            == tokyo_earlier
        )
        assert latest_acknowledgement([utc_later], "globex", "tos") is None

    def test_pending(self) -> None:
        """Lists, in the order given and once each, the parties still to accept a version."""
        acks = [ack("acme", "2.0", T0), ack("globex", "1.0", T0)]
        pending = pending_acknowledgements(
            acks, ["globex", "acme", "solo", "globex"], "tos", "2.0"
        )
        assert pending == ("globex", "solo")

    def test_party_ids_not_split(self) -> None:
        """Refuses a single id where a list of ids belongs, instead of its letters."""
        acks = [ack("acme", "1", T0)]
        with pytest.raises(ValidationError) as info:
            pending_acknowledgements(acks, "acme", "tos", "1")
        assert info.value.paths == ["$.party_ids"]
        assert info.value.subject == "acknowledgement query"
        with pytest.raises(ValidationError) as info:
            pending_acknowledgements(acks, ["acme", 7, ""], "tos", "1")  # type: ignore[list-item]
        assert info.value.paths == ["$.party_ids[1]", "$.party_ids[2]"]
        assert pending_acknowledgements(acks, iter(["globex", "acme"]), "tos", "1") == ("globex",)

    def test_query_arguments_checked(self) -> None:
        """Refuses a record that is not a list of acknowledgements, bad ids and a bad as_of."""
        record = ack("acme", "1", T0)
        with pytest.raises(ValidationError) as info:
            acknowledged(record, "acme", "tos", "1")  # type: ignore[arg-type]
        assert info.value.paths == ["$.acknowledgements"]
        with pytest.raises(ValidationError) as info:
            latest_acknowledgement([record, "ack"], "acme", "tos")  # type: ignore[list-item]
        assert info.value.paths == ["$.acknowledgements[1]"]
        with pytest.raises(ValidationError) as info:
            pending_acknowledgements(None, ["acme"], "tos", "1")  # type: ignore[arg-type]
        assert info.value.paths == ["$.acknowledgements"]
        with pytest.raises(ValidationError) as info:
            acknowledged([record], ["acme"], "tos", 1)  # type: ignore[arg-type]
        assert info.value.paths == ["$.party_id", "$.version"]
        with pytest.raises(ValidationError) as info:
            pending_acknowledgements([record], [], "tos", "1", as_of="now")  # type: ignore[arg-type]
        assert info.value.paths == ["$.as_of"]

    def test_instants_at_the_start_of_the_range(self) -> None:
        """Compares acceptances at the first supported instants, in another offset."""
        east = dt.timezone(dt.timedelta(hours=5))
        first = ack("acme", "1", dt.datetime(1900, 1, 1, 5, tzinfo=east))
        second = ack("acme", "2", dt.datetime(1900, 1, 1, 6, tzinfo=east))
        assert latest_acknowledgement([second, first], "acme", "tos") == second
        assert acknowledged([first], "acme", "tos", "1", as_of=second.accepted_at)
        with pytest.raises(ValidationError) as info:
            ack("acme", "0", dt.datetime(1900, 1, 1, 4, tzinfo=east))
        assert info.value.paths == ["$.accepted_at"]

    @given(st.lists(acknowledgements(party_ids=["acme", "globex"], terms_ids=["tos"]), max_size=8))
    def test_every_record_counts(self, acks: list[Acknowledgement]) -> None:
        """Finds every recorded acceptance, and leaves pending only parties without one."""
        for record in acks:
            assert acknowledged(acks, record.party_id, record.terms_id, record.version)
            latest = latest_acknowledgement(acks, record.party_id, record.terms_id)
            assert latest is not None
            assert latest.accepted_at.astimezone(dt.UTC) >= record.accepted_at.astimezone(dt.UTC)
        accepted = {a.party_id for a in acks if a.version == "2.0"}
        assert set(pending_acknowledgements(acks, ["acme", "globex"], "tos", "2.0")) == (
            {"acme", "globex"} - accepted
        )


STRATEGIES = strategy_pairs()
KINDS = [kind for kind, _ in STRATEGIES]
FIND = settings(max_examples=50, database=None, deadline=None, phases=(Phase.generate,))


def sets_a_default(kind: type, value: object) -> bool:
    """Whether ``value`` sets a defaulted field of ``kind`` (true of a kind without one).

    A default built from the record itself (``takes_self``, such as a complaint's
    lifecycle bound to its id) is built from ``value``.
    """
    defaults = {}
    for field in attrs.fields(kind):
        if field.init and field.default is not attrs.NOTHING:
            factory = getattr(field.default, "factory", None)
            if factory is None:
                defaults[field.name] = field.default
            elif field.default.takes_self:
                defaults[field.name] = factory(value)
            else:
                defaults[field.name] = factory()
    return not defaults or any(getattr(value, name) != d for name, d in defaults.items())


class TestDocuments:
    """Every type goes to JSON and back unchanged, and its schema accepts what is written."""

    def test_every_value_type_has_a_strategy(self) -> None:
        """The strategy list covers every attrs class the module exports."""
        values = [getattr(parties, name) for name in parties.__all__]
        exported = {v for v in values if isinstance(v, type) and attrs.has(v)}
        assert exported == set(KINDS)

    @pytest.mark.parametrize(("kind", "strategy"), STRATEGIES, ids=[k.__name__ for k in KINDS])
    def test_round_trip_and_schema(self, kind: type, strategy: st.SearchStrategy[Any]) -> None:
        """Reads its own JSON back into an equal value that the exported schema accepts."""
        validator = schema_validator(kind)

        @settings(max_examples=examples(30), deadline=None)
        @given(strategy)
        def check(value: Any) -> None:
            text = to_json(value)
            assert from_json(kind, text) == value
            assert from_dict(kind, to_dict(value)) == value
            validator.validate(json.loads(text))

        check()

    @pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
    def test_registered_for_from_type(self, kind: type) -> None:
        """Draws through st.from_type values that hypothesis's own inference cannot give.

        Inference draws each field from its type alone, so its values break the
        records' checks, or (built from the required fields only) leave every
        defaulted field at its default; the registered strategies draw valid values
        that set defaulted fields too.
        """
        find(st.from_type(kind), functools.partial(sets_a_default, kind), settings=FIND)

    def test_inference_alone_fails_that_test(self) -> None:
        """Hypothesis's own inference (st.builds) fails the test above: that test can fail."""
        for kind in KINDS:
            with pytest.raises((NoSuchExample, ResolutionFailed, ValidationError)):
                find(st.builds(kind), functools.partial(sets_a_default, kind), settings=FIND)

    def test_hand_written_document(self) -> None:
        """Reads a customer written by hand, with a calendar-length review interval."""
        group = from_dict(
            CustomerGroup,
            {
                "id": "smb",
                "name": "Small businesses",
                "members": ["acme"],
                "procedure": {"channels": ["portal", "email"], "review_every": "P6M"},
            },
        )
        assert group.procedure.review_every == relativedelta(months=6)
        assert group.procedure.automated is False
        assert to_dict(group)["procedure"]["review_every"] == "P6M"

    def test_bad_register_document(self) -> None:
        """Reports a nested bad address, an unknown key and a wrong type, each at its path."""
        data: dict[str, Any] = to_dict(REGISTER)
        data["customers"][0]["relationship_manager"]["contact"]["email"] = "dana at example"
        data["users"][1]["colour"] = "red"
        data["partners"][0]["roles"] = ["broker", "reseller"]
        data["groups"][0]["procedure"]["automated"] = "yes"
        with pytest.raises(ValidationError) as info:
            from_dict(RelationshipRegister, data)
        assert sorted(info.value.paths) == [
            "$.customers[0].relationship_manager.contact.email",
            "$.groups[0].procedure.automated",
            "$.partners[0].roles[1]",
            "$.users[1].colour",
        ]
        assert "dana at example" not in str(info.value)

    def test_missing_fields_and_naive_datetimes(self) -> None:
        """Reports a missing field and a naive instant with their paths; nothing is built."""
        with pytest.raises(ValidationError) as info:
            from_dict(
                Complaint,
                {"id": "c1", "customer_id": "acme", "received_at": "2026-03-02T09:00:00"},
            )
        assert sorted(info.value.paths) == ["$.received_at", "$.summary"]
        with pytest.raises(ValidationError) as info:
            from_json(
                Acknowledgement,
                '{"party_id": "acme", "terms_id": "tos", "version": 2, '
                '"accepted_at": "2026-03-02T09:00:00"}',
            )
        assert sorted(info.value.paths) == ["$.accepted_at", "$.version"]

    def test_rules_apply_to_documents(self) -> None:
        """Applies each class's own rules to what the converter reads."""
        data = to_dict(survey(overall="4"))
        data["scores"]["overall"] = "6"
        with pytest.raises(ValidationError) as info:
            from_dict(SatisfactionSurvey, data)
        assert info.value.paths == ["$.scores.overall"]
        with pytest.raises(ValidationError) as info:
            from_dict(
                RelationshipManager,
                {"name": "Dana", "kind": "person", "contact": {"name": "Dana"}, "members": []},
            )
        assert info.value.paths == ["$.contact.email"]
        with pytest.raises(ValidationError) as info:
            from_dict(SatisfactionSurvey, {**to_dict(survey()), "scores": {"overall": 4}})
        assert info.value.paths == ["$.scores.overall"]
