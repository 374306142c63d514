"""Rate cards (S11): tiers, rates, minimum commitments, the card and its catalogue origin."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from cloudsms.agreements import Commitment, Subscription
from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Catalogue,
    CatalogueEntry,
    Offering,
    OfferingKind,
    Policy,
    Upgrade,
    UpgradeKind,
)
from cloudsms.errors import ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money, Price
from cloudsms.periods import Period, timezone
from cloudsms.resources import MeteringKind, ResourceType, resource_type
from cloudsms.resources.pricing import MinimumCommitment, Rate, RateCard, Tier
from cloudsms.serialization import from_dict, from_json, json_schema, to_dict, to_json
from cloudsms.services import CloudService, DeploymentModel, ServiceCategory, ServiceGraph
from cloudsms.testing._costs import minimum_commitments, rate_cards, rates, tiers
from cloudsms.units import quantity
from test_resources_cost import agreement

from conftest import assert_refused_at_field, wrong_fields

EUR = "EUR"
VCPU_HOUR = Price(Money("0.042", EUR), "vcpu*hour")
GIB_MONTH = Price(Money("0.021", EUR), "GiB", per="month")
PER_REQUEST = Price(Money("0.0000004", EUR), "request")
MILLION = quantity("1000000 request")


def problems(call: Any) -> list[str]:
    """The paths of the ValidationError ``call`` raises."""
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.paths


def messages(call: Any) -> list[str]:
    """The messages of the problems of the ValidationError ``call`` raises."""
    with pytest.raises(ValidationError) as info:
        call()
    return [str(p) for p in info.value.problems]


def graduated() -> tuple[Tier, ...]:
    """The first million requests at EUR 0.40 a million, the rest at EUR 0.20."""
    return (Tier(MILLION, PER_REQUEST), Tier(None, Price(Money("0.0000002", EUR), "request")))


class TestTier:
    """A tier prices the amount used inside its bound."""

    def test_bound_and_price(self) -> None:
        """Keeps its bound and price; the last tier has no bound."""
        first, last = graduated()
        assert first.up_to == MILLION
        assert last.up_to is None

    def test_bound_above_zero(self) -> None:
        """Refuses a bound of zero or less, or a calendar one."""
        assert problems(lambda: Tier(quantity("0 request"), PER_REQUEST)) == ["$.up_to"]
        assert problems(lambda: Tier(quantity("-5 request"), PER_REQUEST)) == ["$.up_to"]
        assert problems(lambda: Tier(quantity("1 GiB*month"), PER_REQUEST)) == ["$.up_to"]

    def test_price_per_amount_used(self) -> None:
        """Refuses a price per calendar period, and a bound the price does not count."""
        expected = (
            "expected no calendar period: a tier prices an amount used, not time held, "
            "got 'month' (string) @ $.price.per"
        )
        assert messages(lambda: Tier(None, GIB_MONTH)) == [expected]
        assert messages(lambda: Tier(quantity("5 GiB"), PER_REQUEST)) == [
            "expected a quantity of what the price counts (request), got 5 GiB @ $.up_to"
        ]

    def test_negative_price_refused(self) -> None:
        """A negative price would make a cost negative."""
        negative = Price(Money("-1", EUR), "request")
        assert problems(lambda: Tier(None, negative)) == ["$.price.amount"]


class TestRate:
    """A rate prices one resource type by one price or by graduated tiers."""

    def test_one_price_or_tiers(self) -> None:
        """Takes exactly one of a price and tiers."""
        assert Rate("vcpu", price=VCPU_HOUR).prices == (VCPU_HOUR,)
        assert Rate("requests", tiers=graduated()).prices == tuple(t.price for t in graduated())
        assert problems(lambda: Rate("vcpu")) == ["$.price"]
        assert problems(lambda: Rate("requests", price=PER_REQUEST, tiers=graduated())) == [
            "$.tiers"
        ]

    def test_tier_bounds_rise_and_the_last_is_open(self) -> None:
        """Bounds rise; only the last tier is unbounded, and it must be."""
        first, last = graduated()
        two = Tier(quantity("2000000 request"), PER_REQUEST)
        assert problems(lambda: Rate("requests", tiers=(two, first, last))) == ["$.tiers[1].up_to"]
        assert problems(lambda: Rate("requests", tiers=(first, two))) == ["$.tiers[1].up_to"]
        assert problems(lambda: Rate("requests", tiers=(last, first, last))) == [
            "$.tiers[0].up_to"
        ]

    def test_tiers_of_one_currency_and_dimension(self) -> None:
        """Every tier is in the first tier's currency and measures what it does."""
        first, _ = graduated()
        dollars = Tier(None, Price(Money("0.1", "USD"), "request"))
        gigabytes = Tier(None, Price(Money("0.1", EUR), "GiB"))
        assert problems(lambda: Rate("requests", tiers=(first, dollars))) == [
            "$.tiers[1].price.amount.currency"
        ]
        assert problems(lambda: Rate("requests", tiers=(first, gigabytes))) == [
            "$.tiers[1].price.unit"
        ]

    def test_tiers_in_other_units_of_one_dimension(self) -> None:
        """A later tier may count in another unit of the same dimension."""
        first = Tier(quantity("1 TB"), Price(Money("0.09", EUR), "GB"))
        rest = Tier(None, Price(Money("85", EUR), "PB"))
        assert Rate("data_transfer", tiers=(first, rest)).currency == EUR

    def test_negative_price_refused(self) -> None:
        """Refuses a price below zero."""
        negative = Price(Money("-0.01", EUR), "vcpu*hour")
        assert problems(lambda: Rate("vcpu", price=negative)) == ["$.price.amount"]


class TestMinimumCommitment:
    """A commitment's minimum is prorated by the calendar periods a span holds."""

    def test_minimum_of_a_whole_and_half_month(self) -> None:
        """A whole February is one month; its second half, half of one."""
        floor = MinimumCommitment(Money("100", EUR), resource_type="vcpu")
        assert floor.minimum(Period.month(2026, 2, "UTC")) == 100
        half = Period(
            dt.datetime(2026, 2, 15, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        )
        assert floor.minimum(half) == 50

    def test_minimum_across_months(self) -> None:
        """Half of February and half of March are one month together, exactly."""
        floor = MinimumCommitment(Money("31", EUR), per="month")
        span = Period(
            dt.datetime(2026, 2, 15, tzinfo=dt.UTC), dt.datetime(2026, 3, 16, 12, tzinfo=dt.UTC)
        )
        assert floor.minimum(span) == 31

    def test_scope(self) -> None:
        """Covers its service and type, or every one when it names none."""
        everything = MinimumCommitment(Money("1", EUR))
        vcpu = MinimumCommitment(Money("1", EUR), resource_type="vcpu", service="vm")
        assert everything.covers("crm", "storage")
        assert vcpu.covers("vm", "vcpu")
        assert not vcpu.covers("crm", "vcpu")
        assert not vcpu.covers("vm", "memory")

    def test_refusals(self) -> None:
        """Refuses a negative amount, an unknown calendar period and a period not a Period."""
        assert problems(lambda: MinimumCommitment(Money("-1", EUR))) == ["$.amount"]
        assert problems(lambda: MinimumCommitment(Money("1", EUR), per="week")) == ["$.per"]  # type: ignore[arg-type]
        assert problems(lambda: MinimumCommitment(Money("1", EUR)).minimum("2026-10")) == [  # type: ignore[arg-type]
            "$.period"
        ]
        october = Period.month(2026, 10, "UTC")
        floor = MinimumCommitment(Money("1", EUR))
        assert problems(lambda: floor.owed(october, zone="Mars/Olympus")) == ["$.zone"]
        assert problems(lambda: floor.owed(october, zone=2)) == ["$.zone"]  # type: ignore[arg-type]

    def test_owed_per_calendar_period(self) -> None:
        """Each month a span touches owes on its own: half of February and half of March."""
        floor = MinimumCommitment(Money("31", EUR), per="month")
        span = Period(
            dt.datetime(2026, 2, 15, tzinfo=dt.UTC), dt.datetime(2026, 3, 16, 12, tzinfo=dt.UTC)
        )
        owed = floor.owed(span)
        assert [(part.start.day, part.end.month, part.end.day) for part, _ in owed] == [
            (15, 3, 1),
            (1, 3, 16),
        ]
        assert [amount for _, amount in owed] == [Fraction(31, 2), Fraction(31, 2)]

    def test_counted_in_the_zone_given(self) -> None:
        """October in Berlin, its bounds written at a fixed offset, is one month in Berlin.

        Counted at the fixed offset of its start (+02:00), the period would end an
        hour into November and owe a little more than one month.
        """
        fixed = dt.timezone(dt.timedelta(hours=2))
        berlin = Period.month(2026, 10, "Europe/Berlin")
        written = Period(berlin.start.astimezone(fixed), berlin.end.astimezone(fixed))
        floor = MinimumCommitment(Money("100", EUR))
        assert floor.minimum(written, zone="Europe/Berlin") == 100
        assert floor.minimum(written, zone=timezone("Europe/Berlin")) == 100
        assert floor.minimum(written) == 100 + Fraction(100, 720)
        ((part, _),) = floor.owed(written, zone="Europe/Berlin")
        assert part.start.tzinfo is timezone("Europe/Berlin")


def card(*extra: Rate, **changes: Any) -> RateCard:
    """A card pricing vcpu per hour, memory per month, and requests in two tiers."""
    base = [
        Rate("vcpu", price=VCPU_HOUR),
        Rate("memory", price=GIB_MONTH),
        Rate("requests", tiers=graduated()),
    ]
    return RateCard(EUR, [*base, *extra], **changes)


class TestRateCard:
    """One currency, one rate per service and type, checked against the resource types."""

    def test_rate_for_prefers_the_service(self) -> None:
        """A rate for the service comes before the rate for every service."""
        batch = Rate("vcpu", price=Price(Money("0.03", EUR), "vcpu*hour"), service="batch")
        rates_ = card(batch)
        assert rates_.rate_for("batch", "vcpu") == batch
        assert rates_.rate_for("crm", "vcpu") == Rate("vcpu", price=VCPU_HOUR)
        assert rates_.rate_for("crm", "storage") is None
        assert rates_.known == ("*/vcpu", "*/memory", "*/requests", "batch/vcpu")

    def test_one_currency(self) -> None:
        """Every price and commitment is in the card's currency."""
        dollars = Rate("storage", price=Price(Money("1", "USD"), "TB", per="month"))
        expected = (
            "expected EUR (the rate card's currency), got 'USD' (string) "
            "@ $.rates[3].price.amount.currency"
        )
        assert messages(lambda: card(dollars)) == [expected]
        floor = MinimumCommitment(Money("5", "GBP"))
        assert problems(lambda: card(commitments=[floor])) == ["$.commitments[0].amount.currency"]
        assert problems(lambda: RateCard("EURO", [])) == ["$.currency"]

    def test_one_rate_per_service_and_type(self) -> None:
        """A second rate for the same service and type is refused."""
        again = Rate("vcpu", price=Price(Money("0.05", EUR), "vcpu*hour"))
        expected = (
            "expected one rate per service and resource type (*/vcpu is rates[0] already), "
            "got */vcpu @ $.rates[3]"
        )
        assert messages(lambda: card(again)) == [expected]

    def test_billing_cycle(self) -> None:
        """The billing cycle is a positive calendar length, a month by default."""
        assert card().billing_cycle == relativedelta(months=1)
        assert problems(lambda: card(billing_cycle=relativedelta(months=-1))) == [
            "$.billing_cycle"
        ]
        assert problems(lambda: card(billing_cycle=dt.timedelta(days=30))) == ["$.billing_cycle"]

    def test_check_passes_for_suitable_rates(self) -> None:
        """Per hour or per month for allocated types, per unit (or tiers) for metered ones."""
        card().check()
        assert card().problems() == []

    def test_check_refuses_unsuitable_prices(self) -> None:
        """An allocated type is not priced per unit alone; a metered one not per time."""
        flat = RateCard(EUR, [Rate("vcpu", price=Price(Money("3", EUR), "vcpu"))])
        timed = RateCard(EUR, [Rate("requests", price=Price(Money("1", EUR), "request*hour"))])
        monthly = RateCard(
            EUR, [Rate("requests", price=Price(Money("1", EUR), "request", per="month"))]
        )
        other = RateCard(EUR, [Rate("vcpu", price=Price(Money("1", EUR), "GiB*hour"))])
        assert [p.path for p in flat.problems()] == ["$.rates[0].price"]
        assert [p.path for p in timed.problems()] == ["$.rates[0].price"]
        assert [p.path for p in monthly.problems()] == ["$.rates[0].price"]
        assert [p.path for p in other.problems()] == ["$.rates[0].price"]
        assert flat.problems()[0].expected == (
            "a price of vcpu by the time held: per vcpu and exact time (such as "
            "'vcpu*hour'), or per vcpu with per='month' (or day, quarter, year)"
        )
        with pytest.raises(ValidationError):
            flat.check()

    def test_check_refuses_tiers_of_an_allocated_type(self) -> None:
        """Tiers price metered usage only."""
        tiered = RateCard(
            EUR, [Rate("vcpu", tiers=(Tier(None, Price(Money("1", EUR), "vcpu*hour")),))]
        )
        assert [p.path for p in tiered.problems()] == ["$.rates[0].tiers"]

    def test_check_names_unknown_types_with_close_ones(self) -> None:
        """An unknown resource type is refused with the close ids."""
        typo = RateCard(EUR, [Rate("vpcu", price=VCPU_HOUR)])
        (problem,) = typo.problems()
        assert problem.path == "$.rates[0].resource_type"
        assert problem.expected == "the id of a known resource type (close matches: vcpu)"

    def test_check_against_types_of_ones_own(self) -> None:
        """A table of one's own replaces the built-in one."""
        gpu = ResourceType(
            id="gpu",
            name="GPUs",
            unit="instance",
            kind=MeteringKind.ALLOCATED,
            focus_category=resource_type("vcpu").focus_category,
        )
        own = RateCard(EUR, [Rate("gpu", price=Price(Money("2.5", EUR), "instance*hour"))])
        own.check([gpu])
        assert [p.path for p in own.problems()] == ["$.rates[0].resource_type"]

    def test_round_trip(self) -> None:
        """A card reads back from its JSON document, header first."""
        floor = MinimumCommitment(Money("100", EUR), resource_type="vcpu", service="vm")
        whole = card(commitments=[floor], billing_cycle=relativedelta(months=3))
        data = to_dict(whole)
        assert list(data)[:2] == ["type", "schema_version"]
        assert data["type"] == "cloudsms.rate-card"
        assert from_json(RateCard, to_json(whole)) == whole
        assert hash(from_dict(RateCard, data)) == hash(whole)
        assert json_schema(RateCard)["properties"]["billing_cycle"]

    def test_example_rates_file(self) -> None:
        """examples/data/resources/rates.json reads as a rate card that suits the types."""
        from pathlib import Path  # noqa: PLC0415

        path = Path(__file__).parents[1] / "examples" / "data" / "resources" / "rates.json"
        rates_ = from_json(RateCard, path.read_text(encoding="utf-8"))
        rates_.check()
        assert rates_.rate_for("iaas-compute", "vcpu") is not None
        assert rates_.rate_for("iaas-compute", "storage") is None


def _catalogue(*upgrades: Upgrade, **changes: Any) -> Catalogue:
    """One IaaS entry, vm, of the compute service; its custom offering allows the upgrades."""
    availability = ServiceLevel(
        measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
    )
    custom = Offering(
        id="custom",
        name="Custom",
        kind=OfferingKind.CUSTOMIZABLE,
        levels=(availability,),
        price=VCPU_HOUR,
        upgrades={u.id for u in upgrades},
    )
    fields: dict[str, Any] = {
        "id": "vm",
        "name": "Virtual machines",
        "service": "compute",
        "category": ServiceCategory.IAAS,
        "deployment_models": {DeploymentModel.PUBLIC},
        "policies": (Policy(topic="data retention", statement="Backups are kept 35 days"),),
        "technical_standards": ("x86-64 images",),
        "security_policies": ("Two factors for administrators",),
        "controls": (),
        "ordering_procedure": "Order in the portal",
        "provisioning_procedure": "Provisioned in minutes",
        "billing": Billing(
            method=BillingMethod.PAY_AS_YOU_GO, cycle=relativedelta(months=1), currency=EUR
        ),
        "resource_locations": {"DE"},
        "data_locations": {"DE"},
        "legal_notes": ("Personal data stays in the EU",),
        "offerings": (custom,),
        "upgrades": upgrades,
    }
    vm = CatalogueEntry(**{**fields, **changes})
    graph = ServiceGraph(
        services=(
            CloudService(
                id="compute",
                name="Compute",
                category=ServiceCategory.IAAS,
                deployment_models={DeploymentModel.PUBLIC},
                owner="ops",
            ),
        )
    )
    return Catalogue(entries=(vm,), graph=graph)


class TestFromCatalogue:
    """A rate card is built from the catalogue entries an agreement subscribes to."""

    CPU = Upgrade(
        id="cpu",
        description="More virtual CPUs",
        kind=UpgradeKind.RESOURCE,
        price=VCPU_HOUR,
        resource_type="vcpu",
    )
    DISK = Upgrade(
        id="disk",
        description="Extra block storage",
        kind=UpgradeKind.RESOURCE,
        price=Price(Money("0.04", EUR), "GiB", per="month"),
        resource_type="storage",
    )

    def catalogue(self, *upgrades: Upgrade, **changes: Any) -> Catalogue:
        """A catalogue of one entry, vm, whose custom offering allows cpu and disk."""
        return _catalogue(*(upgrades or (self.CPU, self.DISK)), **changes)

    def subscription(self, **changes: Any) -> Subscription:
        fields: dict[str, Any] = {
            "entry_id": "vm",
            "offering_id": "custom",
            "upgrade_ids": {"cpu", "disk"},
            "service_id": "compute",
            "commitments": (
                Commitment(item_id="disk", quantity=quantity("500 GiB")),
                Commitment(item_id="cpu", quantity=quantity("2920 vcpu*hour")),
            ),
        }
        return Subscription(**{**fields, **changes})

    def test_rates_and_commitments(self) -> None:
        """Each resource upgrade is a rate of its service; each commitment a minimum."""
        terms = agreement(subscriptions=[self.subscription()], services=("compute",))
        built = RateCard.for_agreement(terms, self.catalogue())
        assert built.currency == EUR
        assert built.billing_cycle == relativedelta(months=1)
        assert built.rate_for("compute", "vcpu") == Rate(
            "vcpu", price=VCPU_HOUR, service="compute"
        )
        assert built.rate_for("compute", "storage") == Rate(
            "storage", price=self.DISK.price, service="compute"
        )
        assert built.commitments == (
            # 500 GiB held at EUR 0.04 per GiB and month: EUR 20 a month.
            MinimumCommitment(
                Money("20.00", EUR), per="month", resource_type="storage", service="compute"
            ),
            # 2920 vcpu-hours a month at EUR 0.042: EUR 122.64 a month.
            MinimumCommitment(
                Money("122.640", EUR), per="month", resource_type="vcpu", service="compute"
            ),
        )

    def test_two_services_of_one_entry(self) -> None:
        """Two subscriptions of one entry give each service its own rates."""
        terms = agreement(
            subscriptions=[
                self.subscription(),
                self.subscription(service_id="batch", commitments=()),
            ],
            services=("compute", "batch"),
        )
        built = RateCard.for_agreement(terms, self.catalogue())
        assert built.known == (
            "compute/vcpu",
            "compute/storage",
            "batch/vcpu",
            "batch/storage",
        )

    def test_offering_commitment_covers_the_service(self) -> None:
        """A commitment to the offering itself is a minimum over every type of the service."""
        subscription = self.subscription(
            commitments=(Commitment(item_id="custom", quantity=quantity("2920 vcpu*hour")),)
        )
        terms = agreement(subscriptions=[subscription], services=("compute",))
        (floor,) = RateCard.for_agreement(terms, self.catalogue()).commitments
        assert floor.resource_type is None
        assert floor.service == "compute"
        assert floor.amount == Money("122.640", EUR)

    def test_quarterly_cycle_states_commitments_per_month(self) -> None:
        """Usage committed per quarter is a third of it per month."""
        quarterly = self.catalogue(
            billing=Billing(
                method=BillingMethod.PAY_AS_YOU_GO, cycle=relativedelta(months=3), currency=EUR
            )
        )
        terms = agreement(subscriptions=[self.subscription()], services=("compute",))
        built = RateCard.for_agreement(terms, quarterly)
        assert built.billing_cycle == relativedelta(months=3)
        assert built.commitments[1].amount == Money("40.88", EUR)
        assert built.commitments[1].per == "month"

    def test_unknown_entry_and_upgrade(self) -> None:
        """Names the unknown entry, and the unknown upgrade, each at its path."""
        terms = agreement(subscriptions=[self.subscription(entry_id="vn")], services=("compute",))
        expected = (
            "expected the id of a catalogue entry (close matches: vm), got 'vn' (string) "
            "@ $.subscriptions[0].entry_id"
        )
        assert messages(lambda: RateCard.for_agreement(terms, self.catalogue())) == [expected]

    def test_commitment_of_another_dimension(self) -> None:
        """A commitment not of its price's dimension is refused at its quantity."""
        subscription = self.subscription(
            commitments=(Commitment(item_id="disk", quantity=quantity("5 vcpu")),)
        )
        terms = agreement(subscriptions=[subscription], services=("compute",))
        assert problems(lambda: RateCard.for_agreement(terms, self.catalogue())) == [
            "$.subscriptions[0].commitments[0].quantity"
        ]

    def test_a_type_the_table_lacks(self) -> None:
        """The card is checked against the types: an upgrade naming an unknown one fails."""
        catalogue = self.catalogue(attrs.evolve(self.CPU, resource_type="gpu"), self.DISK)
        terms = agreement(subscriptions=[self.subscription()], services=("compute",))
        assert problems(lambda: RateCard.for_agreement(terms, catalogue)) == [
            "$.rates[0].resource_type"
        ]


VALID: dict[type, dict[str, Any]] = {
    Tier: {"up_to": MILLION, "price": PER_REQUEST},
    Rate: {"resource_type": "vcpu", "price": VCPU_HOUR, "service": "vm"},
    MinimumCommitment: {"amount": Money("1", EUR), "per": "month", "resource_type": "vcpu"},
    RateCard: {"currency": EUR, "rates": (Rate("vcpu", price=VCPU_HOUR),), "commitments": ()},
}


class TestFieldTypes:
    """Every record refuses a wrong-typed field at its path."""

    @pytest.mark.parametrize(("kind", "name", "wrong"), wrong_fields(VALID))
    def test_wrong_type_refused_at_its_path(self, kind: type, name: str, wrong: object) -> None:
        """Raises a ValidationError at the field's path, never a builtin error."""
        assert_refused_at_field(kind, VALID[kind], name, wrong)


class TestStrategies:
    """The public strategies draw valid values that read back from their JSON."""

    @given(st.one_of(tiers(), rates(), minimum_commitments(), rate_cards()))
    def test_round_trip(self, value: Any) -> None:
        """Writes and reads back equal."""
        assert from_dict(type(value), to_dict(value)) == value

    @given(rate_cards())
    def test_drawn_cards_suit_their_types(self, drawn: RateCard) -> None:
        """A drawn card passes the check against the built-in types."""
        drawn.check()
        assert all(isinstance(rate.currency, str) for rate in drawn.rates)


class TestFromCatalogueRefusals:
    """Every problem of the catalogue terms is named at its path."""

    CPU = TestFromCatalogue.CPU
    DISK = TestFromCatalogue.DISK

    def subscription(self, **changes: Any) -> Subscription:
        return TestFromCatalogue().subscription(**changes)

    def test_entries_of_another_currency(self) -> None:
        """A rate card has one currency and cycle: a second entry in USD is refused."""
        euros = _catalogue(self.CPU, self.DISK)
        (vm,) = euros.entries
        dollars = attrs.evolve(
            vm,
            id="vm-us",
            billing=Billing(
                method=BillingMethod.PAY_AS_YOU_GO, cycle=relativedelta(months=1), currency="USD"
            ),
            upgrades=(),
            offerings=(
                attrs.evolve(
                    vm.offerings[0],
                    upgrades=frozenset(),
                    kind=OfferingKind.FIXED,
                    price=Price(Money("0.05", "USD"), "vcpu*hour"),
                ),
            ),
            early_termination_charge=None,
        )
        catalogue = Catalogue(entries=(vm, dollars), graph=euros.graph)
        terms = agreement(
            subscriptions=[
                self.subscription(),
                Subscription(entry_id="vm-us", offering_id="custom", service_id="batch"),
            ],
            services=("compute", "batch"),
        )
        expected = (
            "expected an entry billed in EUR every P1M, as the entry of $.subscriptions[0] is "
            "(a rate card has one currency and cycle), got USD every P1M (entry 'vm-us') "
            "@ $.subscriptions[1].entry_id"
        )
        assert messages(lambda: RateCard.for_agreement(terms, catalogue)) == [expected]

    def test_unknown_offering_and_upgrade(self) -> None:
        """An offering or upgrade the entry lacks is refused with the close ones."""
        terms = agreement(
            subscriptions=[self.subscription(offering_id="custon", commitments=())],
            services=("compute",),
        )
        assert problems(
            lambda: RateCard.for_agreement(terms, _catalogue(self.CPU, self.DISK))
        ) == ["$.subscriptions[0].offering_id"]
        odd = self.subscription(
            upgrade_ids={"cpu", "gpu"},
            commitments=(Commitment(item_id="gpu", quantity=quantity("1 vcpu*hour")),),
        )
        terms = agreement(subscriptions=[odd], services=("compute",))
        assert problems(
            lambda: RateCard.for_agreement(terms, _catalogue(self.CPU, self.DISK))
        ) == ["$.subscriptions[0].upgrade_ids[1]"]

    def test_usage_commitments_and_cycles(self) -> None:
        """A weekly cycle states usage per day; a cycle of months and days states none."""
        usage = (Commitment(item_id="cpu", quantity=quantity("70 vcpu*hour")),)
        terms = agreement(
            subscriptions=[self.subscription(commitments=usage)], services=("compute",)
        )
        weekly = _catalogue(
            self.CPU,
            self.DISK,
            billing=Billing(
                method=BillingMethod.PAY_AS_YOU_GO, cycle=relativedelta(days=7), currency=EUR
            ),
        )
        (floor,) = RateCard.for_agreement(terms, weekly).commitments
        assert (floor.amount, floor.per) == (Money("0.42", EUR), "day")  # 70 x 0.042 / 7
        for cycle in (relativedelta(months=1, days=1), relativedelta(hours=12)):
            odd = _catalogue(
                self.CPU,
                self.DISK,
                billing=Billing(method=BillingMethod.PAY_AS_YOU_GO, cycle=cycle, currency=EUR),
            )
            assert problems(lambda odd=odd: RateCard.for_agreement(terms, odd)) == [
                "$.subscriptions[0].commitments[0].quantity"
            ]

    def test_usage_commitment_of_another_dimension_and_too_large(self) -> None:
        """A usage commitment in GiB, or one worth 1E+31 or more, is refused."""
        gib = (Commitment(item_id="cpu", quantity=quantity("5 GiB")),)
        terms = agreement(
            subscriptions=[self.subscription(commitments=gib)], services=("compute",)
        )
        assert problems(
            lambda: RateCard.for_agreement(terms, _catalogue(self.CPU, self.DISK))
        ) == ["$.subscriptions[0].commitments[0].quantity"]
        dear = attrs.evolve(self.CPU, price=Price(Money("1e29", EUR), "vcpu*hour"))
        huge = (Commitment(item_id="cpu", quantity=quantity("9e30 vcpu*hour")),)
        terms = agreement(
            subscriptions=[self.subscription(commitments=huge)], services=("compute",)
        )
        expected = (
            "expected a commitment worth less than 1E+31, got more "
            "@ $.subscriptions[0].commitments[0].quantity"
        )
        assert messages(lambda: RateCard.for_agreement(terms, _catalogue(dear, self.DISK))) == [
            expected
        ]
