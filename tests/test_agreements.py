"""cloudsms.agreements.agreement: the agreement record, its charges, credit_due and the checks."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms.agreements import (
    Activity,
    CloudServiceAgreement,
    Commitment,
    CreditTerms,
    CreditTier,
    EarlyTerminationCharge,
    ExitTerms,
    LegalTerm,
    LegalTermKind,
    OneOffCharge,
    Placement,
    PlacementKind,
    Priority,
    PriorityScale,
    RecurringCharge,
    ResourceLimit,
    ResourceType,
    Responsibilities,
    Responsibility,
    ServiceLevelAgreement,
    ServiceTarget,
    Subscription,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    check_agreement,
    check_data_location,
    credit_due,
    recurring_charges,
)
from cloudsms.agreements import agreement as agreement_module
from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Bound,
    Catalogue,
    CatalogueEntry,
    Offering,
    OfferingKind,
    ServiceLevel,
    Upgrade,
    UpgradeKind,
)
from cloudsms.errors import Problem, ValidationError
from cloudsms.money import Money, Price
from cloudsms.periods import SupportHours
from cloudsms.serialization import from_dict, from_json, to_dict, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    DeploymentModel,
    ServiceCategory,
    ServiceGraph,
)
from cloudsms.testing._agreements import (
    catalogue_and_agreements,
    cloud_service_agreements,
    register,
    strategy_pairs,
)
from cloudsms.units import quantity

from conftest import examples, schema_validator

register()  # st.from_type for the types of cloudsms.agreements.agreement

START = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
MONTH = relativedelta(months=1)
YEAR = relativedelta(months=12)
USERS = quantity("50 user")


def availability(text: str) -> ServiceLevel:
    """Availability at least ``text``."""
    return ServiceLevel(measure="availability", bound=Bound.AT_LEAST, target=quantity(text))


RESOLUTION = ServiceLevel(measure="resolution time", bound=Bound.AT_MOST, target=quantity("8 h"))


def per_user(amount: str, per: str = "month") -> Price:
    """EUR ``amount`` per user per ``per``."""
    return Price(Money(amount, "EUR"), "user", per=per)


CRM = CatalogueEntry(
    id="crm",
    name="Hosted CRM",
    service="crm-service",
    category=ServiceCategory.SAAS,
    deployment_models={DeploymentModel.PUBLIC},
    ordering_procedure="Order in the portal",
    provisioning_procedure="Ready within one working day",
    billing=Billing(method=BillingMethod.SUBSCRIPTION, cycle=MONTH, currency="EUR"),
    resource_locations={"DE", "FR"},
    data_locations={"DE", "FR"},
    offerings=(
        Offering(
            id="basic",
            name="Basic",
            kind=OfferingKind.FIXED,
            levels=(availability("99.5 %"), RESOLUTION),
            price=per_user("8"),
        ),
        Offering(
            id="business",
            name="Business",
            kind=OfferingKind.FIXED,
            levels=(availability("99.9 %"), RESOLUTION),
            price=per_user("12"),
        ),
        Offering(
            id="premium",
            name="Premium",
            kind=OfferingKind.CUSTOMIZABLE,
            levels=(availability("99.9 %"), RESOLUTION),
            price=per_user("15"),
            upgrades={"four-nines"},
        ),
    ),
    upgrades=(
        Upgrade(
            id="four-nines",
            description="A hot standby",
            kind=UpgradeKind.SERVICE_LEVEL,
            price=per_user("2"),
            level=availability("99.99 %"),
        ),
    ),
    minimum_term=YEAR,
    early_termination_charge=Money("500", "EUR"),
)


def crm_service(state: str = "live") -> CloudService:
    """The CRM service at ``state`` of its lifecycle."""
    return CloudService(
        id="crm-service",
        name="CRM",
        category=ServiceCategory.SAAS,
        deployment_models={DeploymentModel.PUBLIC},
        owner="Service owner",
        lifecycle=SERVICE_LIFECYCLE.begin(id="crm-service", origin=state),
    )


CATALOGUE = Catalogue(entries=(CRM,), graph=ServiceGraph(services=(crm_service(),)))
UNLIKE_LEVELS = Catalogue(
    entries=(
        CRM,
        attrs.evolve(
            CRM,
            id="crm-gold",
            service="crm-gold",
            offerings=(
                Offering(
                    id="gold",
                    name="Gold",
                    kind=OfferingKind.FIXED,
                    levels=(
                        availability("99.95 %"),
                        attrs.evolve(RESOLUTION, target=quantity("2 h")),
                    ),
                    price=per_user("20"),
                ),
            ),
            upgrades=(),
        ),
    ),
    graph=ServiceGraph(
        services=(
            crm_service(),
            attrs.evolve(
                crm_service(),
                id="crm-gold",
                lifecycle=SERVICE_LIFECYCLE.begin(id="crm-gold", origin="live"),
            ),
        )
    ),
)
"""Two entries of two services whose levels differ: one SLA over both fits the looser."""
PREMIUM = Subscription(
    entry_id="crm",
    offering_id="premium",
    upgrade_ids={"four-nines"},
    service_id="crm-service",
    commitments=(
        Commitment(item_id="premium", quantity=USERS),
        Commitment(item_id="four-nines", quantity=USERS),
    ),
)
UPTIME = ServiceTarget(
    id="uptime",
    level=availability("99.99 %"),
    credits=CreditTerms(
        tiers=(
            CreditTier(worse_than=quantity("99.99 %"), credit=Decimal(10)),
            CreditTier(worse_than=quantity("99.9 %"), credit=Decimal(25)),
        ),
        cap_percent=Decimal(30),
    ),
)
P1_FIX = ServiceTarget(id="p1-resolution", level=RESOLUTION, priority="P1")
CHARGE = RecurringCharge(service_id="crm-service", amount=Money("850.00", "EUR"), period=MONTH)
SLA = ServiceLevelAgreement(id="crm-sla", service_ids={"crm-service"}, targets=(UPTIME, P1_FIX))
TERMINATION = TerminationTerms(
    terminable_by=TerminatingParty.EITHER,
    provider_reasons={TerminationReason.NON_PAYMENT},
    notice_period=MONTH,
    minimum_term=YEAR,
    early_termination_charge=EarlyTerminationCharge.fixed(Money("500", "EUR")),
)
AGREEMENT = CloudServiceAgreement(
    id="csa-1",
    provider="ACME Cloud",
    customer_id="globex",
    effective_from=START,
    subscriptions=(PREMIUM,),
    slas=(SLA,),
    recurring_charges=(CHARGE,),
    one_off_charges=(OneOffCharge(description="Data migration", amount=Money("900", "EUR")),),
    responsibilities=Responsibilities(
        assignments=[Responsibility(activity=a, holders={"provider"}) for a in Activity]
    ),
    resource_limits=(
        ResourceLimit(resource_type=ResourceType.USERS, at_most=quantity("60 user")),
    ),
    data_locations={"DE"},
    resource_locations={"DE", "FR"},
    monitoring_retention=relativedelta(months=13),
    record_keeping=relativedelta(years=6),
    legal_terms=(LegalTerm(kind=LegalTermKind.LIABILITY, text="Capped at a year of charges"),),
    timezone="Europe/Berlin",
    support_hours=SupportHours.weekdays("08:00", "18:00", "Europe/Berlin"),
    customer_wait_pauses_clocks=True,
    priorities=PriorityScale(
        priorities=(
            Priority(id="P1", name="Critical", description="The service is down"),
            Priority(id="P2", name="High", description="A major function fails"),
        )
    ),
    termination=TERMINATION,
    exit=ExitTerms(
        retrieval_window=relativedelta(days=30),
        export_formats=("CSV",),
        retention_window=relativedelta(days=90),
    ),
)


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> list[Problem]:
    """The problems a ValidationError lists."""
    return list(error.value.problems)


def refused(**changes: Any) -> list[Problem]:
    """The problems of AGREEMENT with ``changes``, which must be refused."""
    with pytest.raises(ValidationError) as error:
        attrs.evolve(AGREEMENT, **changes)
    return problems_of(error)


def checked(**changes: Any) -> list[Problem]:
    """What check_agreement finds in AGREEMENT with ``changes`` against CATALOGUE."""
    return check_agreement(attrs.evolve(AGREEMENT, **changes), CATALOGUE)


def with_subscription(subscription: Subscription, **changes: Any) -> CloudServiceAgreement:
    """AGREEMENT on ``subscription``, with the charge the catalogue gives when it can."""
    try:
        charges = recurring_charges(CATALOGUE, [subscription])
    except ValidationError:
        charges = (attrs.evolve(CHARGE, service_id=subscription.service_id),)
    changes.setdefault("slas", (attrs.evolve(SLA, service_ids={subscription.service_id}),))
    return attrs.evolve(
        AGREEMENT, subscriptions=(subscription,), recurring_charges=charges, **changes
    )


# ---------------------------------------------------------------------- the agreement's rules
class TestAgreementRules:
    """Each rule of the record, by hand."""

    def test_the_example_is_consistent(self) -> None:
        """The agreement fits its catalogue and starts at version 1."""
        assert check_agreement(AGREEMENT, CATALOGUE) == []
        assert AGREEMENT.version == 1
        assert AGREEMENT.service_ids == {"crm-service"}
        assert AGREEMENT.subscription_for("crm-service") == PREMIUM
        assert AGREEMENT.recurring_charge_for("crm-service") == CHARGE
        assert AGREEMENT.recurring_charge_for("mail") is None

    def test_the_end_comes_after_the_start(self) -> None:
        """An end at the start is refused; one later is accepted."""
        assert refused(end=START) == [
            Problem(
                "$.end",
                "an end after the start (2026-04-01T00:00:00+00:00)",
                "2026-04-01T00:00:00+00:00",
            )
        ]
        later = attrs.evolve(AGREEMENT, end=START + dt.timedelta(days=365))
        assert later.end is not None

    def test_an_sla_covers_subscribed_services_only(self) -> None:
        """An SLA naming a service not subscribed is refused at its service_ids."""
        sla = attrs.evolve(SLA, service_ids={"crm-service", "mail"})
        assert refused(slas=(sla,)) == [
            Problem("$.slas[0].service_ids", "subscribed services (crm-service)", "mail")
        ]

    def test_an_incident_target_priority_is_on_the_scale(self) -> None:
        """A resolution target for P5 is refused at its priority."""
        sla = attrs.evolve(SLA, targets=(UPTIME, attrs.evolve(P1_FIX, priority="P5")))
        assert refused(slas=(sla,)) == [
            Problem("$.slas[0].targets[1].priority", "a priority of the scale (P1, P2)", "P5")
        ]

    def test_a_recurring_charge_is_for_a_subscribed_service(self) -> None:
        """A charge for a service not subscribed is refused at its service_id."""
        charge = attrs.evolve(CHARGE, service_id="mail")
        assert refused(recurring_charges=(charge,)) == [
            Problem(
                "$.recurring_charges[0].service_id", "a subscribed service (crm-service)", "mail"
            )
        ]

    def test_one_subscription_per_service(self) -> None:
        """Two subscriptions of one service are refused at the second."""
        basic = attrs.evolve(PREMIUM, offering_id="basic", upgrade_ids=(), commitments=())
        assert refused(subscriptions=(PREMIUM, basic)) == [
            Problem(
                "$.subscriptions[1].service_id", "a service_id used once", "'crm-service' (string)"
            )
        ]

    def test_one_or_more_subscriptions_and_slas(self) -> None:
        """An agreement with no subscription and no SLA is refused at both."""
        assert [p.path for p in refused(subscriptions=(), slas=())] == [
            "$.subscriptions",
            "$.slas",
        ]

    def test_one_charge_per_service_limit_per_type_term_per_kind(self) -> None:
        """Repeats are refused at the repeated item's key."""
        limit = AGREEMENT.resource_limits[0]
        term = AGREEMENT.legal_terms[0]
        paths = [
            p.path
            for p in refused(
                recurring_charges=(CHARGE, CHARGE),
                resource_limits=(limit, limit),
                legal_terms=(term, term),
            )
        ]
        assert paths == [
            "$.recurring_charges[1].service_id",
            "$.resource_limits[1].resource_type",
            "$.legal_terms[1].kind",
        ]

    def test_target_ids_are_unique_within_an_sla(self) -> None:
        """Two targets with one id are refused at the second."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(SLA, targets=(UPTIME, attrs.evolve(P1_FIX, id="uptime")))
        assert [p.path for p in problems_of(error)] == ["$.targets[1].id"]

    def test_a_version_starts_at_one(self) -> None:
        """Version 0 is refused."""
        assert refused(version=0) == [Problem("$.version", "a version of 1 or more", "0")]

    def test_a_commitment_is_for_the_offering_or_a_chosen_upgrade(self) -> None:
        """A commitment for an item not bought is refused at its item_id."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(PREMIUM, commitments=(Commitment(item_id="gold", quantity=USERS),))
        assert problems_of(error) == [
            Problem(
                "$.commitments[0].item_id",
                "the offering or a chosen upgrade (four-nines, premium)",
                "'gold' (string)",
            )
        ]

    def test_a_committed_quantity_is_not_negative(self) -> None:
        """A negative quantity is refused at its path."""
        with pytest.raises(ValidationError) as error:
            Commitment(item_id="premium", quantity=quantity("-1 user"))
        assert problems_of(error) == [
            Problem("$.quantity", "a quantity not below zero", "-1 user")
        ]

    def test_wrong_types_are_refused_at_their_paths(self) -> None:
        """Each wrong-typed field is reported at its own path."""
        paths = {
            p.path
            for p in refused(
                provider=5,
                effective_from=dt.datetime(2026, 4, 1),
                data_locations={"Germany"},
                timezone="Mars/Olympus",
                support_hours="weekdays",
                customer_wait_pauses_clocks="yes",
                termination=None,
            )
        }
        assert paths == {
            "$.provider",
            "$.effective_from",
            "$.data_locations[0]",
            "$.timezone",
            "$.support_hours",
            "$.customer_wait_pauses_clocks",
            "$.termination",
        }

    def test_termination_and_exit_terms_are_required_in_a_document(self) -> None:
        """A document without them is refused at both paths."""
        document = to_dict(AGREEMENT)
        del document["termination"], document["exit"]
        with pytest.raises(ValidationError) as error:
            from_dict(CloudServiceAgreement, document)
        assert {p.path for p in problems_of(error)} == {"$.termination", "$.exit"}


# ---------------------------------------------------------------------- recurring charges
class TestRecurringCharges:
    """How catalogue prices become a charge per billing period, by hand."""

    def test_a_price_per_month_times_the_committed_users(self) -> None:
        """50 users of EUR 15 and EUR 2 per user per month: EUR 850.00 a month."""
        assert recurring_charges(CATALOGUE, [PREMIUM]) == (CHARGE,)

    def test_one_unit_without_a_commitment(self) -> None:
        """With no commitment a calendar price is charged for one unit of its price."""
        (charge,) = recurring_charges(CATALOGUE, [attrs.evolve(PREMIUM, commitments=())])
        assert charge.amount == Money("17.00", "EUR")

    def test_a_yearly_price_a_twelfth_per_month_rounded_once(self) -> None:
        """EUR 100 a year for 1 user, billed monthly: 8.333... rounds once to 8.33."""
        entry = attrs.evolve(
            CRM,
            offerings=(attrs.evolve(CRM.offerings[0], price=per_user("100", per="year")),),
            upgrades=(),
        )
        catalogue = attrs.evolve(CATALOGUE, entries=(entry,))
        basic = Subscription(entry_id="crm", offering_id="basic", service_id="crm-service")
        assert recurring_charges(catalogue, [basic])[0].amount == Money("8.33", "EUR")

    def test_half_a_cent_goes_to_the_even_cent(self) -> None:
        """EUR 0.125 a month for 1 user rounds half to even: 0.12."""
        entry = attrs.evolve(
            CRM,
            offerings=(attrs.evolve(CRM.offerings[0], price=per_user("0.125")),),
            upgrades=(),
        )
        catalogue = attrs.evolve(CATALOGUE, entries=(entry,))
        basic = Subscription(entry_id="crm", offering_id="basic", service_id="crm-service")
        assert recurring_charges(catalogue, [basic])[0].amount == Money("0.12", "EUR")

    def test_a_usage_price_times_the_committed_usage(self) -> None:
        """EUR 0.042 per vcpu-hour, 2920 vcpu-hours a month: EUR 122.64."""
        entry = attrs.evolve(
            CRM,
            offerings=(
                attrs.evolve(CRM.offerings[0], price=Price(Money("0.042", "EUR"), "vcpu*hour")),
            ),
            upgrades=(),
        )
        catalogue = attrs.evolve(CATALOGUE, entries=(entry,))
        used = Commitment(item_id="basic", quantity=quantity("2920 vcpu*hour"))
        basic = Subscription(
            entry_id="crm", offering_id="basic", service_id="crm-service", commitments=(used,)
        )
        assert recurring_charges(catalogue, [basic])[0].amount == Money("122.64", "EUR")
        without = attrs.evolve(basic, commitments=())
        with pytest.raises(ValidationError) as error:
            recurring_charges(catalogue, [without])
        assert problems_of(error) == [
            Problem(
                "$.subscriptions[0].commitments",
                "a commitment: the vcpu*hour used per billing period (P1M), "
                "since the price is per usage",
                "none",
            )
        ]
        vcpus = attrs.evolve(
            basic, commitments=(Commitment(item_id="basic", quantity=quantity("4 vcpu")),)
        )
        with pytest.raises(ValidationError) as error:
            recurring_charges(catalogue, [vcpus])
        (problem,) = problems_of(error)
        assert problem.path == "$.subscriptions[0].commitments[0].quantity"
        assert problem.got == "4 vcpu"

    def test_a_daily_price_has_no_ratio_to_a_monthly_cycle(self) -> None:
        """A price per day billed monthly is refused: months differ in days."""
        entry = attrs.evolve(
            CRM,
            offerings=(attrs.evolve(CRM.offerings[0], price=per_user("1", per="day")),),
            upgrades=(),
        )
        catalogue = attrs.evolve(CATALOGUE, entries=(entry,))
        basic = Subscription(entry_id="crm", offering_id="basic", service_id="crm-service")
        with pytest.raises(ValidationError) as error:
            recurring_charges(catalogue, [basic])
        assert problems_of(error) == [
            Problem(
                "$.subscriptions[0].commitments",
                "a billing cycle of whole days, since the price is per day",
                "P1M",
            )
        ]
        weekly = attrs.evolve(
            entry, billing=attrs.evolve(CRM.billing, cycle=relativedelta(days=7))
        )
        (charge,) = recurring_charges(attrs.evolve(catalogue, entries=(weekly,)), [basic])
        assert (charge.amount, charge.period) == (Money("7.00", "EUR"), relativedelta(days=7))

    def test_unknown_ids_are_refused_with_close_matches(self) -> None:
        """An unknown entry and an unknown offering, each at its path."""
        with pytest.raises(ValidationError) as error:
            recurring_charges(
                CATALOGUE,
                [
                    attrs.evolve(PREMIUM, entry_id="crn"),
                    attrs.evolve(PREMIUM, offering_id="gold", commitments=()),
                ],
            )
        assert [(p.path, p.expected) for p in problems_of(error)] == [
            ("$.subscriptions[0].entry_id", "the id of a catalogue entry (close matches: crm)"),
            ("$.subscriptions[1].offering_id", "an offering of entry 'crm'"),
        ]


# ---------------------------------------------------------------------- credit_due
class TestCreditDue:
    """credit_due looks the target up in the agreement, then credit_for computes it."""

    def test_a_hand_computed_credit(self) -> None:
        """99.95 % misses 99.99 %: 10 % of EUR 850.00; 99.5 %: 25 % = EUR 212.50."""
        assert credit_due(AGREEMENT, UPTIME, Decimal("99.95"), CHARGE.amount) == Money(
            "85.00", "EUR"
        )
        assert credit_due(AGREEMENT, UPTIME, quantity("99.5 %"), CHARGE.amount) == Money(
            "212.50", "EUR"
        )
        assert credit_due(AGREEMENT, UPTIME, Decimal("99.995"), CHARGE.amount) == Money(
            "0.00", "EUR"
        )

    def test_a_target_read_back_from_json_is_the_agreement_s(self) -> None:
        """Equal in value is enough: the same target read back from JSON."""
        read = from_json(ServiceTarget, to_json(UPTIME))
        assert read is not UPTIME
        assert credit_due(AGREEMENT, read, Decimal("99.95"), CHARGE.amount) == Money(
            "85.00", "EUR"
        )

    def test_a_target_not_in_the_agreement_is_refused(self) -> None:
        """Another id, or the same id with other terms, is refused at $.target."""
        expected = "a target of agreement 'csa-1' (crm-sla/uptime, crm-sla/p1-resolution)"
        for other in (attrs.evolve(UPTIME, id="other"), attrs.evolve(UPTIME, credits=None)):
            with pytest.raises(ValidationError) as error:
                credit_due(AGREEMENT, other, Decimal("99.5"), CHARGE.amount)
            assert problems_of(error) == [Problem("$.target", expected, f"target {other.id!r}")]

    def test_not_an_agreement_is_refused(self) -> None:
        """Anything but an agreement is refused at $.agreement."""
        with pytest.raises(ValidationError) as error:
            credit_due("csa-1", UPTIME, Decimal("99.5"), CHARGE.amount)  # type: ignore[arg-type]
        assert [p.path for p in problems_of(error)] == ["$.agreement"]


# ---------------------------------------------------------------------- check_agreement
class TestCheckAgreement:
    """Each check of check_agreement, with its exact path and message."""

    def test_an_unknown_entry_with_close_matches(self) -> None:
        """The entry id is reported with the ids it resembles."""
        found = check_agreement(
            with_subscription(attrs.evolve(PREMIUM, entry_id="crn")), CATALOGUE
        )
        assert found == [
            Problem(
                "$.subscriptions[0].entry_id",
                "the id of a catalogue entry (close matches: crm)",
                "'crn' (string)",
            )
        ]

    def test_an_unknown_offering_with_close_matches(self) -> None:
        """The offering id is reported with the offerings it resembles."""
        subscription = attrs.evolve(PREMIUM, offering_id="premum", upgrade_ids=(), commitments=())
        found = check_agreement(with_subscription(subscription), CATALOGUE)
        assert found == [
            Problem(
                "$.subscriptions[0].offering_id",
                "an offering of entry 'crm' (close matches: premium)",
                "'premum' (string)",
            )
        ]

    def test_an_unknown_upgrade_with_close_matches(self) -> None:
        """An upgrade the entry lacks is reported at its sorted index."""
        subscription = attrs.evolve(PREMIUM, upgrade_ids={"four-nine"}, commitments=())
        found = check_agreement(with_subscription(subscription), CATALOGUE)
        assert (
            Problem(
                "$.subscriptions[0].upgrade_ids[0]",
                "an upgrade of entry 'crm' (close matches: four-nines)",
                "'four-nine' (string)",
            )
            in found
        )

    def test_an_upgrade_the_offering_does_not_allow(self) -> None:
        """A fixed offering allows no upgrade."""
        subscription = attrs.evolve(PREMIUM, offering_id="business", commitments=())
        found = check_agreement(with_subscription(subscription), CATALOGUE)
        assert (
            Problem(
                "$.subscriptions[0].upgrade_ids[0]",
                "an upgrade offering 'business' allows (none)",
                "'four-nines' (string)",
            )
            in found
        )

    def test_an_upgrade_the_offering_requires_left_out(self) -> None:
        """An offering that requires an upgrade is not bought without it (Offering.requires)."""
        strict = attrs.evolve(CRM.offerings[2], requires={"four-nines"})
        entry = attrs.evolve(CRM, offerings=(*CRM.offerings[:2], strict))
        catalogue = attrs.evolve(CATALOGUE, entries=(entry,))
        without = attrs.evolve(PREMIUM, upgrade_ids=(), commitments=PREMIUM.commitments[:1])
        assert check_agreement(with_subscription(without), catalogue)[0] == Problem(
            "$.subscriptions[0].upgrade_ids",
            "upgrade ids including four-nines, which offering 'premium' requires",
            "[] (array)",
        )
        with pytest.raises(ValidationError) as info:
            recurring_charges(catalogue, [without])
        assert info.value.paths == ["$.subscriptions[0].upgrade_ids"]
        assert check_agreement(with_subscription(PREMIUM), catalogue) == []

    def test_a_service_other_than_the_entry_s(self) -> None:
        """The subscription's service must be the entry's."""
        found = check_agreement(
            with_subscription(attrs.evolve(PREMIUM, service_id="crm-eu")), CATALOGUE
        )
        assert found == [
            Problem(
                "$.subscriptions[0].service_id",
                "'crm-service', the service of catalogue entry 'crm'",
                "'crm-eu' (string)",
            )
        ]

    @pytest.mark.parametrize("state", ["retiring", "retired"])
    def test_a_retiring_or_retired_service(self, state: str) -> None:
        """No agreement for a service on its way out."""
        catalogue = attrs.evolve(CATALOGUE, graph=ServiceGraph(services=(crm_service(state),)))
        assert check_agreement(AGREEMENT, catalogue) == [
            Problem(
                "$.subscriptions[0].entry_id",
                "an entry whose service is not retiring or retired",
                f"'crm' (service 'crm-service' is {state})",
            )
        ]

    def test_a_target_on_a_measure_not_committed(self) -> None:
        """A throughput target: the offering commits to no throughput."""
        rate = ServiceTarget(
            id="rate",
            level=ServiceLevel(
                measure="throughput", bound=Bound.AT_LEAST, target=quantity("100 request/s")
            ),
        )
        found = checked(slas=(attrs.evolve(SLA, targets=(UPTIME, P1_FIX, rate)),))
        assert found == [
            Problem(
                "$.slas[0].targets[2]",
                "a target on a measure offering 'premium' of entry 'crm' commits to "
                "(availability, resolution time)",
                "'rate': throughput at least 100 request/s",
            )
        ]

    def test_a_target_stricter_than_the_offering(self) -> None:
        """Resolution within 4 h where the offering commits to 8 h."""
        fast = attrs.evolve(P1_FIX, level=attrs.evolve(RESOLUTION, target=quantity("4 h")))
        found = checked(slas=(attrs.evolve(SLA, targets=(UPTIME, fast)),))
        assert found == [
            Problem(
                "$.slas[0].targets[1].level.target",
                "a target no stricter than offering 'premium' of entry 'crm' commits to "
                "(resolution time at most 8 h)",
                "4 h",
            )
        ]

    def test_a_chosen_upgrade_counts_and_one_not_chosen_does_not(self) -> None:
        """99.99 % needs the four-nines upgrade; without it the target is too strict."""
        without = attrs.evolve(
            PREMIUM, upgrade_ids=(), commitments=(Commitment(item_id="premium", quantity=USERS),)
        )
        found = check_agreement(with_subscription(without, slas=AGREEMENT.slas), CATALOGUE)
        assert found == [
            Problem(
                "$.slas[0].targets[0].level.target",
                "a target no stricter than offering 'premium' of entry 'crm' commits to "
                "(availability at least 99.9 %)",
                "99.99 %",
            )
        ]

    def test_a_target_measured_by_another_name_of_its_metric(self) -> None:
        """'uptime' is availability: compared with the offering's availability level."""
        uptime = ServiceTarget(
            id="uptime",
            level=ServiceLevel(measure="uptime", bound=Bound.AT_LEAST, target=quantity("99.9 %")),
        )
        assert checked(slas=(attrs.evolve(SLA, targets=(uptime,)),)) == []

    def test_a_minimum_term_shorter_than_the_entry_s(self) -> None:
        """Six months against the entry's year; none at all is reported too."""
        six = attrs.evolve(TERMINATION, minimum_term=relativedelta(months=6))
        expected = "a minimum term of at least P1Y, as catalogue entry 'crm' states"
        assert checked(termination=six) == [Problem("$.termination.minimum_term", expected, "P6M")]
        none = attrs.evolve(TERMINATION, minimum_term=None, early_termination_charge=None)
        assert Problem("$.termination.minimum_term", expected, "null") in checked(termination=none)

    def test_a_minimum_term_of_365_days_from_a_leap_year_start(self) -> None:
        """From 2027-03-01, 365 days end on 2028-02-29, a day before a year does: shorter."""
        days = attrs.evolve(TERMINATION, minimum_term=relativedelta(days=365))
        leap = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
        assert [p.path for p in checked(termination=days, effective_from=leap)] == [
            "$.termination.minimum_term"
        ]
        assert (
            checked(termination=days, effective_from=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) == []
        )

    def test_an_early_termination_charge_other_than_the_entry_s(self) -> None:
        """The remaining charges instead of the entry's fixed EUR 500."""
        other = attrs.evolve(
            TERMINATION, early_termination_charge=EarlyTerminationCharge.remaining_charges()
        )
        assert checked(termination=other) == [
            Problem(
                "$.termination.early_termination_charge",
                "a fixed charge of EUR 500, as catalogue entry 'crm' states",
                "remaining charges",
            )
        ]

    def test_a_charge_where_the_entry_states_none(self) -> None:
        """An entry without a charge: the agreement's fixed charge contradicts it."""
        free = attrs.evolve(CRM, early_termination_charge=None)
        catalogue = attrs.evolve(CATALOGUE, entries=(free,))
        assert check_agreement(AGREEMENT, catalogue) == [
            Problem(
                "$.termination.early_termination_charge",
                "no early-termination charge, as catalogue entry 'crm' states none",
                "fixed EUR 500",
            )
        ]

    def test_locations_the_entry_does_not_offer(self) -> None:
        """US data and JP resources are reported at their sorted indexes; DE-BY is inside DE."""
        found = checked(data_locations={"DE-BY", "US"}, resource_locations={"DE", "JP"})
        assert found == [
            Problem(
                "$.data_locations[1]",
                "a data location catalogue entry 'crm' offers (DE, FR)",
                "US",
            ),
            Problem(
                "$.resource_locations[1]",
                "a resource location catalogue entry 'crm' offers (DE, FR)",
                "JP",
            ),
        ]

    def test_a_recurring_charge_other_than_the_catalogue_s(self) -> None:
        """EUR 800 against the derived EUR 850.00; no charge at all is reported too."""
        cheap = attrs.evolve(CHARGE, amount=Money("800", "EUR"))
        assert checked(recurring_charges=(cheap,)) == [
            Problem(
                "$.recurring_charges[0].amount",
                "EUR 850.00, what the catalogue's prices give",
                "EUR 800",
            )
        ]
        assert checked(recurring_charges=()) == [
            Problem(
                "$.recurring_charges",
                "a recurring charge for service 'crm-service' (EUR 850.00 every P1M, "
                "from the catalogue)",
                "none",
            )
        ]

    def test_a_qualitative_objective_is_not_compared(self) -> None:
        """The catalogue states no qualitative levels: nothing to compare."""
        export = ServiceTarget(id="export", predicate="exportable", description="Data exportable")
        assert checked(slas=(attrs.evolve(SLA, targets=(export,)),)) == []


# ---------------------------------------------------------------------- placements
class TestCheckDataLocation:
    """Where data and resources are, against the allowed locations."""

    def test_each_placement_outside_is_reported(self) -> None:
        """DE-BY is inside DE; US-CA is outside; FR is an allowed resource location only."""
        found = check_data_location(
            AGREEMENT,
            [
                ("crm-db", "DE-BY"),
                ("crm-backup", "US-CA"),
                Placement(item_id="crm-app", location="FR", kind=PlacementKind.RESOURCE),
                Placement(item_id="crm-archive", location="FR"),
            ],
        )
        assert found == [
            Problem(
                "$.placements[1].location",
                "a location the agreement allows for data (DE)",
                "US-CA (crm-backup)",
            ),
            Problem(
                "$.placements[3].location",
                "a location the agreement allows for data (DE)",
                "FR (crm-archive)",
            ),
        ]

    def test_a_country_is_not_inside_its_subdivision(self) -> None:
        """Allowed DE-BY only: DE as a whole is outside."""
        narrow = attrs.evolve(AGREEMENT, data_locations={"DE-BY"})
        assert [p.path for p in check_data_location(narrow, [("db", "DE")])] == [
            "$.placements[0].location"
        ]

    def test_bad_placements_are_refused_at_their_paths(self) -> None:
        """An unknown code and a value that is no placement raise, each at its index."""
        with pytest.raises(ValidationError) as error:
            check_data_location(AGREEMENT, [("db", "Germany"), "db"])  # type: ignore[list-item]
        assert [p.path for p in problems_of(error)] == [
            "$.placements[0].location",
            "$.placements[1]",
        ]


# ---------------------------------------------------------------------- documents
STRATEGIES = strategy_pairs()
KINDS = [kind for kind, _ in STRATEGIES]


class TestDocuments:
    """Every type goes to JSON and back unchanged, and its schema accepts what is written."""

    def test_every_value_type_has_a_strategy(self) -> None:
        """The strategy list covers every attrs class the module exports."""
        values = [getattr(agreement_module, name) for name in agreement_module.__all__]
        exported = {v for v in values if isinstance(v, type) and attrs.has(v)}
        assert exported == set(KINDS)

    @pytest.mark.parametrize(("kind", "strategy"), STRATEGIES, ids=[k.__name__ for k in KINDS])
    def test_round_trip_and_schema(self, kind: type, strategy: st.SearchStrategy[Any]) -> None:
        """Reads its own JSON back into an equal value that the exported schema accepts."""
        validator = schema_validator(kind)

        @settings(max_examples=examples(20), deadline=None)
        @given(strategy)
        def check(value: Any) -> None:
            text = to_json(value)
            assert from_json(kind, text) == value
            assert from_dict(kind, to_dict(value)) == value
            validator.validate(json.loads(text))
            hash(value)

        check()

    @pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
    def test_registered_for_from_type(self, kind: type) -> None:
        """st.from_type draws valid values of each type."""

        @settings(max_examples=5, deadline=None)
        @given(st.from_type(kind))
        def check(value: Any) -> None:
            assert isinstance(value, kind)

        check()

    @settings(max_examples=examples(25), deadline=None)
    @given(catalogue_and_agreements())
    def test_drawn_agreements_fit_their_catalogue(
        self, pair: tuple[Catalogue, CloudServiceAgreement]
    ) -> None:
        """Every drawn agreement passes check_agreement against its drawn catalogue."""
        catalogue, agreement = pair
        assert check_agreement(agreement, catalogue) == []
        assert recurring_charges(catalogue, agreement.subscriptions) == agreement.recurring_charges

    @settings(max_examples=examples(40), deadline=None)
    @given(cloud_service_agreements(catalogue=UNLIKE_LEVELS))
    def test_one_sla_over_entries_of_unlike_levels_fits_each(
        self, agreement: CloudServiceAgreement
    ) -> None:
        """Regression: one SLA over both entries kept Gold's targets (2 h, 99.95 %).

        Those are stricter than what the CRM entry commits to (8 h, 99.5 %), so the
        drawn agreement failed `check_agreement`: an SLA's targets must fit every
        subscription it covers.
        """
        assert check_agreement(agreement, UNLIKE_LEVELS) == []
        assert {s.entry_id for s in agreement.subscriptions} <= {"crm", "crm-gold"}

    def test_the_example_as_a_document(self) -> None:
        """The header comes first; the schema accepts the example; it reads back equal."""
        written = to_dict(AGREEMENT)
        assert list(written)[:3] == ["type", "schema_version", "id"]
        assert written["type"] == "cloudsms.cloud-service-agreement"
        assert written["schema_version"] == 1
        schema_validator(CloudServiceAgreement).validate(json.loads(to_json(AGREEMENT)))
        assert from_json(CloudServiceAgreement, to_json(AGREEMENT)) == AGREEMENT

    def test_wrong_json_types_are_refused_at_their_paths(self) -> None:
        """A text for the version and the flag, a bare number for a quantity: each at its path."""
        document = to_dict(AGREEMENT)
        document["version"] = "2"
        document["customer_wait_pauses_clocks"] = "yes"
        document["subscriptions"][0]["commitments"][0]["quantity"] = 50
        with pytest.raises(ValidationError) as error:
            from_dict(CloudServiceAgreement, document)
        assert {p.path for p in problems_of(error)} == {
            "$.version",
            "$.customer_wait_pauses_clocks",
            "$.subscriptions[0].commitments[0].quantity",
        }

    def test_another_document_type_is_refused(self) -> None:
        """A body declaring another type is refused at $.type."""
        document = to_dict(AGREEMENT)
        document["type"] = "cloudsms.complaint"
        with pytest.raises(ValidationError) as error:
            from_dict(CloudServiceAgreement, document)
        assert [p.path for p in problems_of(error)] == ["$.type"]
