"""Cost to serve, margin and offerings compared (S11): what resources cost the provider."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import find, given, settings
from hypothesis import strategies as st

from cloudsms.agreements import (
    Activity,
    CloudServiceAgreement,
    ExitTerms,
    Priority,
    PriorityScale,
    Responsibilities,
    Responsibility,
    ServiceLevelAgreement,
    ServiceTarget,
    Subscription,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
)
from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Catalogue,
    CatalogueEntry,
    Offering,
    OfferingKind,
    Upgrade,
    UpgradeKind,
)
from cloudsms.errors import ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money, Price, round_to_minor
from cloudsms.periods import Period, SupportHours, timezone
from cloudsms.resources import (
    Allocation,
    MeteringKind,
    PoolCapacity,
    RateCard,
    ResourcePool,
    Usage,
    read_allocations,
    read_usage,
    resource_types,
)
from cloudsms.resources.pricing import Rate
from cloudsms.resources.provider_cost import (
    CostKind,
    PoolCost,
    UnitCost,
    compare_offerings,
    cost_to_serve,
    margin,
)
from cloudsms.serialization import from_dict, from_json, to_dict, to_json
from cloudsms.services import CloudService, DeploymentModel, ServiceCategory, ServiceGraph
from cloudsms.testing import allocations as drawn_allocations
from cloudsms.testing._provider_cost import pool_costs, register, strategy_pairs, unit_costs
from cloudsms.testing._strategies import aware_datetimes
from cloudsms.units import quantity

from conftest import examples

EUR = "EUR"
CUSTOMER, AGREEMENT, SERVICE = "acme", "agr-1", "vm"
UTC = dt.UTC
OCTOBER = Period.month(2026, 10, "UTC")
OCT1 = dt.datetime(2026, 10, 1, tzinfo=UTC)
OCT16 = dt.datetime(2026, 10, 16, tzinfo=UTC)
HARDWARE, ENERGY, NETWORK = CostKind.HARDWARE, CostKind.ENERGY, CostKind.NETWORK


def eur(amount: str, unit: str, per: str | None = None) -> Price:
    """A price in euros."""
    return Price(Money(amount, EUR), unit, per=per)


FRA = PoolCost(
    "fra-1",
    "eu-central",
    EUR,
    [
        UnitCost("vcpu", HARDWARE, eur("0.011", "vcpu*hour")),
        UnitCost("vcpu", ENERGY, eur("0.004", "vcpu*hour")),
        UnitCost("memory", HARDWARE, eur("0.5", "GiB", "month")),
        UnitCost("memory", ENERGY, eur("0.0002", "GiB*hour")),
    ],
)
AMS = PoolCost(
    "ams-1",
    "eu-west",
    EUR,
    [
        UnitCost("vcpu", HARDWARE, eur("0.013", "vcpu*hour")),
        UnitCost("vcpu", ENERGY, eur("0.006", "vcpu*hour")),
        UnitCost("memory", HARDWARE, eur("0.6", "GiB", "month")),
    ],
)
RATES = RateCard(
    EUR,
    [
        Rate("vcpu", price=eur("0.042", "vcpu*hour")),
        Rate("memory", price=eur("2.00", "GiB", "month")),
    ],
)


def agreement(zone: str = "UTC", **changes: Any) -> CloudServiceAgreement:
    """A small agreement of ACME Cloud with customer acme for the vm service, from 2026."""
    fields: dict[str, Any] = {
        "id": AGREEMENT,
        "provider": "ACME Cloud",
        "customer_id": CUSTOMER,
        "effective_from": dt.datetime(2026, 1, 1, tzinfo=timezone(zone)),
        "subscriptions": [Subscription(entry_id="vm", offering_id="basic", service_id=SERVICE)],
        "slas": [
            ServiceLevelAgreement(
                id="sla",
                service_ids={SERVICE},
                targets=[
                    ServiceTarget(
                        id="uptime",
                        level=ServiceLevel(
                            measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
                        ),
                    )
                ],
            )
        ],
        "responsibilities": Responsibilities(
            assignments=[Responsibility(activity=a, holders={"provider"}) for a in Activity]
        ),
        "data_locations": {"DE"},
        "resource_locations": {"DE"},
        "monitoring_retention": relativedelta(months=13),
        "record_keeping": relativedelta(years=6),
        "timezone": zone,
        "support_hours": SupportHours.weekdays("08:00", "18:00", zone),
        "customer_wait_pauses_clocks": True,
        "priorities": PriorityScale(
            priorities=[Priority(id="P1", name="Critical", description="Down")]
        ),
        "termination": TerminationTerms(
            terminable_by=TerminatingParty.EITHER,
            provider_reasons={TerminationReason.MISUSE},
            notice_period=relativedelta(months=1),
        ),
        "exit": ExitTerms(
            retrieval_window=relativedelta(days=30),
            export_formats=("CSV",),
            retention_window=relativedelta(days=90),
        ),
    }
    return CloudServiceAgreement(**{**fields, **changes})


AGREED = agreement()


def held(
    amount: str,
    since: dt.datetime = OCT1,
    until: dt.datetime | None = None,
    kind: str = "vcpu",
    **changes: Any,
) -> Allocation:
    """An allocation of acme's agreement for the vm service."""
    return Allocation(
        CUSTOMER, AGREEMENT, SERVICE, kind, quantity(amount), since, until, **changes
    )


# October 2026 in UTC: 31 days, 744 hours. Held from the 16th: 16 days, 384 hours.
TWO_POOLS = (
    held("4 vcpu", location="eu-central"),
    held("16 GiB", kind="memory", location="eu-central"),
    held("2 vcpu", OCT16, location="eu-west"),
    held("8 GiB", OCT16, kind="memory", location="eu-west"),
)


def problems(call: Any) -> list[str]:
    """The errors (``expected ... @ path``) of the ValidationError ``call`` raises."""
    with pytest.raises(ValidationError) as info:
        call()
    return [str(problem) for problem in info.value.problems]


class TestCostToServe:
    """cost_to_serve: the agreement's holdings times the unit costs of their pools."""

    def test_a_month_in_two_pools(self) -> None:
        """Prices each holding at its own pool's unit costs, exactly, and rounds the total once.

        fra-1 (eu-central), all of October:
          4 vcpu: hardware 4 x 744 h x 0.011 = 32.736, energy 4 x 744 x 0.004 = 11.904
          16 GiB: hardware 16 x 0.5 x 1 month = 8, energy 16 x 744 x 0.0002 = 2.3808
        ams-1 (eu-west), from the 16th (384 h, 16/31 of the month):
          2 vcpu: hardware 2 x 384 x 0.013 = 9.984, energy 2 x 384 x 0.006 = 4.608
          8 GiB: hardware 8 x 0.6 x 16/31 = 76.8/31 (2.4774...); ams-1 costs no energy
        fra-1 55.0208, ams-1 14.592 + 76.8/31; total 69.6128 + 76.8/31 = 72.0902... -> 72.09.
        """
        served = cost_to_serve(AGREED, TWO_POOLS, [FRA, AMS], OCTOBER)
        assert [(line.pool, line.kind, line.exact) for line in served.lines] == [
            ("fra-1", HARDWARE, Fraction("32.736")),
            ("fra-1", ENERGY, Fraction("11.904")),
            ("fra-1", HARDWARE, Fraction(8)),
            ("fra-1", ENERGY, Fraction("2.3808")),
            ("ams-1", HARDWARE, Fraction("9.984")),
            ("ams-1", ENERGY, Fraction("4.608")),
            ("ams-1", HARDWARE, Fraction("76.8") / 31),
        ]
        assert served.exact_total == Fraction("69.6128") + Fraction("76.8") / 31
        assert served.total == Money("72.09", EUR)
        assert served.currency == EUR
        assert served.lines[4].held == Period(OCT16.astimezone(timezone("UTC")), OCTOBER.end)
        assert served.lines[0].amount == Money("32.736", EUR)
        assert served.lines[0].line_kind == "allocation"

    def test_splits_add_up(self) -> None:
        """Splits the rounded total by pool and by kind of cost, the parts adding up to it.

        By pool: fra-1 55.0208 and ams-1 17.0694...: 55.02 and 17.07. By kind: hardware
        32.736 + 8 + 9.984 + 2.4774... = 53.1974... and energy 18.8928: 53.20 and 18.89.
        """
        served = cost_to_serve(AGREED, TWO_POOLS, [FRA, AMS], OCTOBER)
        assert served.by_pool() == {"ams-1": Money("17.07", EUR), "fra-1": Money("55.02", EUR)}
        assert served.by_kind() == {HARDWARE: Money("53.20", EUR), ENERGY: Money("18.89", EUR)}


class TestMargin:
    """margin: the cost profile's total less the cost to serve."""

    def test_a_month_in_two_pools(self) -> None:
        """Charges the rate card, costs the pools, and takes one rounded total from the other.

        Charge: 4 x 744 x 0.042 = 124.992; 16 GiB x 2.00 = 32; 2 x 384 x 0.042 = 32.256;
        8 GiB x 2.00 x 16/31 = 256/31 (8.2580...): 197.5060... -> 197.51. Cost to serve
        72.09 (TestCostToServe). Margin 197.51 - 72.09 = 125.42, ratio 12542/19751.
        """
        earned = margin(AGREED, TWO_POOLS, [FRA, AMS], OCTOBER, rates=RATES)
        assert earned.charge == Money("197.51", EUR)
        assert earned.cost_to_serve == Money("72.09", EUR)
        assert earned.margin == Money("125.42", EUR)
        assert earned.ratio == Fraction(12542, 19751)
        assert earned.profile.total == earned.charge
        assert earned.serving.total == earned.cost_to_serve


class TestUnpriced:
    """Usage no pool cost prices is kept in sight, not counted as free."""

    @staticmethod
    def use(kind: str, amount: str, **changes: Any) -> Usage:
        """A usage of acme's agreement on 16 October."""
        return Usage(
            CUSTOMER,
            AGREEMENT,
            SERVICE,
            kind,
            quantity(amount),
            OCT16,
            OCT16 + dt.timedelta(hours=1),
            **changes,
        )

    def test_a_type_no_pool_prices(self) -> None:
        """Lists the usage of a metered type no pool cost prices, counted by type."""
        rows = [
            self.use("requests", "1000 request"),
            self.use("data_transfer", "5 GiB"),
            self.use("requests", "2000 request"),
            self.use("gpu_seconds", "5 s"),  # a type no table knows: nothing can price it
        ]
        served = cost_to_serve(AGREED, [held("2 vcpu")], [FRA], OCTOBER, usage=rows)
        assert served.unpriced == tuple(rows)
        assert served.unpriced_types() == {"data_transfer": 1, "gpu_seconds": 1, "requests": 2}
        assert served.total == Money("22.32", EUR)  # 2 vcpu x 744 h x (0.011 + 0.004)
        assert repr(served) == (
            "<CostToServe of agr-1 over [2026-10-01T00:00:00+00:00, 2026-11-01T00:00:00+00:00): "
            "2 lines, EUR 22.32, 4 usage rows unpriced>"
        )

    def test_the_pool_serving_it_does_not_price_it(self) -> None:
        """Lists a usage whose resource is held where the pool cost does not price its type.

        Frankfurt prices data sent; Amsterdam, where vm-2 is held, does not: Frankfurt's
        price is not borrowed for it.
        """
        network = attrs.evolve(
            FRA, costs=[*FRA.costs, UnitCost("data_transfer", NETWORK, eur("0.01", "GiB"))]
        )
        vm = held("2 vcpu", OCT16, location="eu-west", resource_id="vm-2")
        sent = self.use("data_transfer", "150 GiB", resource_id="vm-2")
        served = cost_to_serve(AGREED, [vm], [network, AMS], OCTOBER, usage=[sent])
        assert [line.line_kind for line in served.lines] == ["allocation", "allocation"]
        assert served.unpriced == (sent,)

    def test_the_margin_keeps_them_in_sight(self) -> None:
        """Charges the usage the card prices, and lists it under serving when no pool does.

        Charge: 2 vcpu x 744 h x 0.042 = 62.496 and 1000 requests x 0.0004 = 0.40:
        62.896 -> 62.90. Cost: 22.32, the requests unpriced. Margin 40.58.
        """
        rates = RateCard(EUR, [*RATES.rates, Rate("requests", price=eur("0.0004", "request"))])
        requests = self.use("requests", "1000 request")
        earned = margin(AGREED, [held("2 vcpu")], [FRA], OCTOBER, rates=rates, usage=[requests])
        assert (earned.charge, earned.cost_to_serve, earned.margin) == (
            Money("62.90", EUR),
            Money("22.32", EUR),
            Money("40.58", EUR),
        )
        assert earned.serving.unpriced == (requests,)


class TestPoolCost:
    """PoolCost and UnitCost: the provider's own prices, checked as rates are."""

    def test_for_pool(self) -> None:
        """Takes the pool's id and location."""
        pool = ResourcePool(
            "fra-1", "Frankfurt 1", "eu-central", [PoolCapacity("vcpu", quantity("64 vcpu"))]
        )
        assert PoolCost.for_pool(pool, EUR, iter(FRA.costs)) == FRA
        assert problems(lambda: PoolCost.for_pool(pool, EUR, 5)) == [  # type: ignore[arg-type]
            "expected a list of UnitCost, got 5 (integer) @ $.costs"
        ]

    def test_usage_of_a_metered_type(self) -> None:
        """Costs a metered usage in full, at the pool of the holdings of its resource id."""
        network = PoolCost(
            "ams-1",
            "eu-west",
            EUR,
            [*AMS.costs, UnitCost("data_transfer", NETWORK, eur("0.01", "GiB"))],
        )
        used = Usage(
            CUSTOMER,
            AGREEMENT,
            SERVICE,
            "data_transfer",
            quantity("150 GiB"),
            OCT16,
            OCT16 + dt.timedelta(days=1),
            resource_id="vm-2",
        )
        vm = held("2 vcpu", OCT16, location="eu-west", resource_id="vm-2")
        served = cost_to_serve(AGREED, [vm], [FRA, network], OCTOBER, usage=[used])
        assert [(line.line_kind, line.pool, line.exact) for line in served.lines][-1] == (
            "usage",
            "ams-1",
            Fraction("1.5"),
        )

    def test_usage_served_where_its_resource_is_held(self) -> None:
        """Costs a usage at the pool of its resource's location when several pools price it.

        Both pools price data_transfer: fra-1 at 0.02 a GiB, ams-1 at 0.01. vm-1 is held
        in eu-central (fra-1), vm-2 in eu-west (ams-1). 100 GiB sent by vm-1 cost
        100 x 0.02 = 2.00 at fra-1; 150 GiB sent by vm-2 cost 150 x 0.01 = 1.50 at
        ams-1, not 3.00 at fra-1's price.
        """
        fra = PoolCost(
            "fra-1",
            "eu-central",
            EUR,
            [*FRA.costs, UnitCost("data_transfer", NETWORK, eur("0.02", "GiB"))],
        )
        ams = PoolCost(
            "ams-1",
            "eu-west",
            EUR,
            [*AMS.costs, UnitCost("data_transfer", NETWORK, eur("0.01", "GiB"))],
        )
        sent = [
            Usage(
                CUSTOMER,
                AGREEMENT,
                SERVICE,
                "data_transfer",
                quantity(amount),
                OCT16,
                OCT16 + dt.timedelta(days=1),
                resource_id=vm,
            )
            for amount, vm in (("100 GiB", "vm-1"), ("150 GiB", "vm-2"))
        ]
        vms = [
            held("2 vcpu", OCT16, location="eu-central", resource_id="vm-1"),
            held("2 vcpu", OCT16, location="eu-west", resource_id="vm-2"),
        ]
        served = cost_to_serve(AGREED, vms, [fra, ams], OCTOBER, usage=sent)
        assert [(line.pool, line.exact) for line in served.lines if line.line_kind == "usage"] == [
            ("fra-1", Fraction(2)),
            ("ams-1", Fraction("1.5")),
        ]


# ---------------------------------------------------------------------- offerings
AVAILABILITY = "availability"


def level(target: str) -> ServiceLevel:
    """Availability at least ``target``."""
    return ServiceLevel(measure=AVAILABILITY, bound=Bound.AT_LEAST, target=quantity(target))


VCPU_UPGRADE = Upgrade(
    id="vcpu",
    description="A virtual CPU",
    kind=UpgradeKind.RESOURCE,
    price=eur("0.042", "vcpu*hour"),
    resource_type="vcpu",
)
MEMORY_UPGRADE = Upgrade(
    id="memory",
    description="Memory",
    kind=UpgradeKind.RESOURCE,
    price=eur("2.00", "GiB", "month"),
    resource_type="memory",
)
STANDBY = Upgrade(
    id="standby",
    description="A standby instance that takes over within a minute",
    kind=UpgradeKind.RESOURCE,
    price=eur("0.03", "instance*hour"),
    resource_type="instance",
    quantity=quantity("1 instance"),
)
STANDARD = Offering(
    id="standard",
    name="Standard, 99.5 %",
    kind=OfferingKind.CUSTOMIZABLE,
    levels=[level("99.5 %")],
    price=eur("0", "instance", "month"),
    upgrades={"vcpu", "memory"},
)
HIGH = Offering(
    id="high",
    name="High availability, 99.9 %",
    kind=OfferingKind.CUSTOMIZABLE,
    levels=[level("99.9 %")],
    price=eur("0", "instance", "month"),
    upgrades={"vcpu", "memory", "standby"},
    requires={"standby"},
)
COMPUTE = CatalogueEntry(
    id="compute",
    name="Compute",
    service=SERVICE,
    category=ServiceCategory.IAAS,
    deployment_models={DeploymentModel.PUBLIC},
    ordering_procedure="Order in the portal",
    provisioning_procedure="Ready within minutes",
    billing=Billing(
        method=BillingMethod.PAY_AS_YOU_GO, cycle=relativedelta(months=1), currency=EUR
    ),
    resource_locations={"DE"},
    data_locations={"DE"},
    offerings=[STANDARD, HIGH],
    upgrades=[VCPU_UPGRADE, MEMORY_UPGRADE, STANDBY],
)
FRA_WITH_INSTANCES = PoolCost(
    "fra-1",
    "eu-central",
    EUR,
    [
        *FRA.costs[:3],
        UnitCost("instance", HARDWARE, eur("25", "instance", "month")),
        UnitCost("instance", ENERGY, eur("0.01", "instance*hour")),
    ],
)
WORKLOAD = (held("4 vcpu"), held("16 GiB", kind="memory"))


class TestCompareOfferings:
    """compare_offerings: one workload under two offerings, the stricter adding a standby."""

    def test_99_9_against_99_5(self) -> None:
        """Adds the standby the stricter offering requires, and charges and costs it.

        October 2026 in UTC, 744 hours; 4 vcpu and 16 GiB held all month in fra-1.
        99.5 %: charge 4 x 744 x 0.042 = 124.992 plus 16 x 2.00 = 32: 156.992 -> 156.99;
          cost 4 x 744 x (0.011 + 0.004) = 44.64 plus 16 x 0.5 = 8: 52.64; margin 104.35.
        99.9 %: one standby instance more, all month: charge 744 x 0.03 = 22.32 more,
          179.312 -> 179.31; cost 25 (a month of hardware) + 744 x 0.01 = 7.44 more:
          85.08; margin 94.23.
        The stricter level is charged 22.32 more, costs 32.44 more, and earns 10.12 less.
        """
        compared = compare_offerings(
            COMPUTE, "standard", HIGH, WORKLOAD, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
        )
        assert (compared.a.offering, compared.b.offering) == (STANDARD, HIGH)
        assert (compared.a.charge, compared.a.cost_to_serve, compared.a.margin) == (
            Money("156.99", EUR),
            Money("52.64", EUR),
            Money("104.35", EUR),
        )
        assert (compared.b.charge, compared.b.cost_to_serve, compared.b.margin) == (
            Money("179.31", EUR),
            Money("85.08", EUR),
            Money("94.23", EUR),
        )
        assert compared.charge_difference == Money("22.32", EUR)
        assert compared.cost_difference == Money("32.44", EUR)
        assert compared.margin_difference == Money("-10.12", EUR)
        assert compared.a.added == ()
        standby = Allocation(
            CUSTOMER,
            AGREEMENT,
            SERVICE,
            "instance",
            quantity("1 instance"),
            OCTOBER.start,
            OCTOBER.end,
            resource_id="standby",
            location="eu-central",
        )
        assert compared.b.added == (standby,)

    def test_only_the_time_held_in_the_period(self) -> None:
        """Charges and costs a holding only for the part of the period it is held.

        October 2026 in UTC, 744 hours. 4 vcpu from the 16th (384 hours) and 16 GiB
        until the 16th (15 of 31 days, 360 hours), both in fra-1.
        99.5 %: charge 4 x 384 x 0.042 = 64.512 plus 16 x 2.00 x 15/31 = 480/31
          (15.4838...): 79.9958... -> 80.00; cost 4 x 384 x (0.011 + 0.004) = 23.04
          plus 16 x 0.5 x 15/31 = 120/31 (3.8709...): 26.9109... -> 26.91; margin 53.09.
        99.9 %: the standby is held all month: charge 22.32 more, 102.3158... ->
          102.32; cost 25 + 7.44 = 32.44 more, 59.3509... -> 59.35; margin 42.97.
        """
        part = (held("4 vcpu", OCT16), held("16 GiB", OCT1, OCT16, kind="memory"))
        compared = compare_offerings(
            COMPUTE, STANDARD, HIGH, part, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
        )
        assert [
            (side.charge, side.cost_to_serve, side.margin) for side in (compared.a, compared.b)
        ] == [
            (Money("80.00", EUR), Money("26.91", EUR), Money("53.09", EUR)),
            (Money("102.32", EUR), Money("59.35", EUR), Money("42.97", EUR)),
        ]

    def test_offerings_by_id_or_record(self) -> None:
        """Takes either offering by its id or as the entry's record; the same answer."""
        by_id = compare_offerings(
            COMPUTE, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
        )
        by_record = compare_offerings(
            COMPUTE, STANDARD, HIGH, WORKLOAD, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
        )
        assert by_id == by_record

    def test_refusals(self) -> None:
        """Names the offering, the allocation or the location that keeps it from comparing."""
        other = attrs.evolve(STANDARD, id="other")
        assert problems(
            lambda: compare_offerings(
                COMPUTE, other, "hgih", WORKLOAD, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
            )
        ) == [
            (
                "expected an offering of entry 'compute' (standard, high), got offering 'other', "
                "not the entry's @ $.offering_a"
            ),
            (
                "expected an offering of entry 'compute' or its id (standard, high), got 'hgih' "
                "(string) @ $.offering_b"
            ),
        ]
        elsewhere = attrs.evolve(WORKLOAD[1], service="db", agreement="agr-2")
        assert problems(
            lambda: compare_offerings(
                COMPUTE,
                "standard",
                "high",
                [WORKLOAD[0], elsewhere],
                OCTOBER,
                pool_costs=[FRA_WITH_INSTANCES, AMS],
            )
        ) == [
            (
                "expected agr-1 (the agreement of the first allocation: one workload), "
                "got 'agr-2' (string) @ $.allocations[1].agreement"
            ),
            "expected the entry's service (vm), got 'db' (string) @ $.allocations[1].service",
            (
                "expected a location, since several pool costs serve (eu-central, eu-west), got "
                "null @ $.location"
            ),
        ]
        assert problems(
            lambda: compare_offerings(
                COMPUTE, "standard", "high", [], OCTOBER, pool_costs=[FRA], location="mars"
            )
        ) == [
            "expected one or more allocations, got none @ $.allocations",
            "expected the location of a pool cost (eu-central), got 'mars' (string) @ $.location",
        ]

    def test_a_required_resource_no_pool_prices(self) -> None:
        """Refuses a standby the pool costs do not price, naming the required upgrade."""
        assert problems(
            lambda: compare_offerings(
                COMPUTE, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[FRA]
            )
        ) == [
            (
                "expected an upgrade adding a resource type that pool cost fra-1 prices (vcpu, "
                "memory), got standby (adds instance) @ $.offering_b.requires"
            )
        ]

    def test_a_required_resource_without_quantity(self) -> None:
        """Refuses a required resource upgrade that would add nothing: no silent zero.

        Without a quantity the standby adds no holding, so 99.9 % would seem to cost
        the provider nothing more than 99.5 %.
        """
        vague = attrs.evolve(STANDBY, quantity=None)
        entry = attrs.evolve(COMPUTE, upgrades=[VCPU_UPGRADE, MEMORY_UPGRADE, vague])
        assert problems(
            lambda: compare_offerings(
                entry, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
            )
        ) == [
            (
                "expected a required resource upgrade with a quantity, to say what it adds to "
                "each subscription (without one it only prices what the workload holds), got "
                "standby (no quantity; the workload holds no instance) @ $.offering_b.requires"
            )
        ]
        untyped = Upgrade(
            id="standby",
            description="A standby",
            kind=UpgradeKind.RESOURCE,
            price=eur("20", "instance", "month"),
        )
        entry = attrs.evolve(COMPUTE, upgrades=[VCPU_UPGRADE, MEMORY_UPGRADE, untyped])
        assert problems(
            lambda: compare_offerings(
                entry, "high", "standard", WORKLOAD, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
            )
        ) == [
            (
                "expected a required resource upgrade with a resource type and a quantity, to "
                "say what it adds to each subscription (without them it adds nothing), got "
                "standby (no resource type, no quantity) @ $.offering_a.requires"
            )
        ]

    def test_a_required_rate_of_what_is_held(self) -> None:
        """Takes a required upgrade without a quantity as the rate of a type the workload holds.

        The stricter offering requires its own vcpu rate, EUR 0.05 an hour: 4 vcpu over
        744 hours are charged 148.80 instead of 124.992 (23.808 more: 23.81); the cost
        of serving them is the same, and nothing is added.
        """
        dearer = attrs.evolve(VCPU_UPGRADE, id="vcpu-ha", price=eur("0.05", "vcpu*hour"))
        high = attrs.evolve(HIGH, upgrades={"vcpu-ha", "memory"}, requires={"vcpu-ha"})
        entry = attrs.evolve(
            COMPUTE, upgrades=[*COMPUTE.upgrades, dearer], offerings=[STANDARD, high]
        )
        compared = compare_offerings(
            entry, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
        )
        assert compared.b.added == ()
        assert compared.charge_difference == Money("23.81", EUR)
        assert compared.cost_difference == Money("0.00", EUR)

    def test_a_required_metered_resource(self) -> None:
        """Refuses a required upgrade adding a metered type: a usage cannot be held."""
        requests = Upgrade(
            id="burst",
            description="A million requests a month",
            kind=UpgradeKind.RESOURCE,
            price=eur("0.0000004", "request"),
            resource_type="requests",
            quantity=quantity("1000000 request"),
        )
        entry = attrs.evolve(
            COMPUTE,
            upgrades=[*COMPUTE.upgrades, requests],
            offerings=[
                STANDARD,
                attrs.evolve(HIGH, upgrades={"vcpu", "burst"}, requires={"burst"}),
            ],
        )
        assert problems(
            lambda: compare_offerings(
                entry, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[FRA]
            )
        ) == [
            (
                "expected an upgrade adding an allocated resource type, held over the period, "
                "got burst (adds requests, metered) @ $.offering_b.requires"
            )
        ]

    def test_two_upgrades_of_one_type(self) -> None:
        """Refuses an offering allowing two upgrades of one type, naming both upgrades."""
        more = attrs.evolve(VCPU_UPGRADE, id="vcpu-fast", price=eur("0.05", "vcpu*hour"))
        entry = attrs.evolve(
            COMPUTE,
            upgrades=[*COMPUTE.upgrades, more],
            offerings=[STANDARD, attrs.evolve(HIGH, upgrades={*HIGH.upgrades, "vcpu-fast"})],
        )
        assert problems(
            lambda: compare_offerings(
                entry, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[FRA]
            )
        ) == [
            (
                "expected one upgrade per resource type, so the offering's card has one rate "
                "for vcpu, got vcpu and vcpu-fast, each pricing vcpu @ $.offering_b.upgrades"
            )
        ]

    def test_upgrades_that_make_no_rate(self) -> None:
        """Names an allowed upgrade of an unknown type, or priced unlike its type, by its id."""
        flat = attrs.evolve(VCPU_UPGRADE, price=eur("0.05", "vcpu"))
        gpu = attrs.evolve(STANDBY, resource_type="gpu", quantity=None)
        entry = attrs.evolve(COMPUTE, upgrades=[flat, MEMORY_UPGRADE, gpu])
        assert problems(
            lambda: compare_offerings(
                entry, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
            )
        ) == [
            (
                "expected a price of vcpu by the time held: per vcpu and exact time (such as "
                "'vcpu*hour'), or per vcpu with per='month' (or day, quarter, year), got vcpu "
                "(priced EUR 0.05 per vcpu) @ $.offering_a.upgrades"
            ),
            (
                "expected upgrades of known resource types (bandwidth, data_transfer, instance, "
                "ip_address, licence, memory, requests, seat, storage, vcpu), got standby (of "
                "gpu) @ $.offering_b.upgrades"
            ),
            (
                "expected a price of vcpu by the time held: per vcpu and exact time (such as "
                "'vcpu*hour'), or per vcpu with per='month' (or day, quarter, year), got vcpu "
                "(priced EUR 0.05 per vcpu) @ $.offering_b.upgrades"
            ),
        ]

    def test_currencies_must_agree(self) -> None:
        """Refuses pool costs in another currency than the entry's, at their currency."""
        dollars = PoolCost(
            "fra-1",
            "eu-central",
            "USD",
            [UnitCost("vcpu", HARDWARE, Price(Money("1", "USD"), "vcpu*hour"))],
        )
        assert problems(
            lambda: compare_offerings(
                COMPUTE, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[dollars]
            )
        ) == [
            (
                "expected EUR (the entry's billing currency), got 'USD' (string) "
                "@ $.pool_costs[0].currency"
            )
        ]

    def test_one_pool_cost_not_in_a_list(self) -> None:
        """Refuses a pool cost given alone with one problem: it is not a list."""
        assert problems(
            lambda: compare_offerings(
                COMPUTE,
                "standard",
                "high",
                WORKLOAD,
                OCTOBER,
                pool_costs=FRA_WITH_INSTANCES,  # type: ignore[arg-type]
            )
        ) == [
            (
                "expected a list, got PoolCost(pool='fra-1', location='eu-central', "
                "currency='...) (PoolCost) @ $.pool_costs"
            )
        ]


# ---------------------------------------------------------------------- refusals
class TestRefusals:
    """Every input error is a ValidationError naming the field path."""

    def test_the_pool_of_an_allocation(self) -> None:
        """Names the allocation whose location no pool cost serves, and the locations known."""
        nowhere = held("2 vcpu")
        mars = held("2 vcpu", location="mars")
        assert problems(lambda: cost_to_serve(AGREED, [nowhere, mars], [FRA, AMS], OCTOBER)) == [
            (
                "expected a location, since several pool costs serve (eu-central, eu-west), got "
                "null @ $.allocations[0].location"
            ),
            (
                "expected the location of a pool cost (eu-central, eu-west), got 'mars' (string) "
                "@ $.allocations[1].location"
            ),
        ]

    def test_one_pool_serves_what_names_no_location(self) -> None:
        """Serves a holding without a location by the only pool cost, not one elsewhere."""
        served = cost_to_serve(AGREED, [held("2 vcpu")], [FRA], OCTOBER)
        assert {line.pool for line in served.lines} == {"fra-1"}
        assert problems(
            lambda: cost_to_serve(AGREED, [held("2 vcpu", location="eu-west")], [FRA], OCTOBER)
        ) == [
            (
                "expected the location of a pool cost (eu-central), got 'eu-west' (string) "
                "@ $.allocations[0].location"
            )
        ]

    def test_a_type_the_pool_does_not_price(self) -> None:
        """Names the allocation and the types its pool cost prices."""
        disk = held("2 TB", kind="storage", location="eu-west")
        assert problems(lambda: cost_to_serve(AGREED, [disk], [FRA, AMS], OCTOBER)) == [
            (
                "expected a resource type pool cost ams-1 prices (vcpu, memory), got 'storage' "
                "(string) @ $.allocations[0].resource_type"
            )
        ]

    def test_the_pool_costs(self) -> None:
        """Refuses none, two of one location or pool, several currencies, unsuiting prices."""
        assert problems(lambda: cost_to_serve(AGREED, [], [], OCTOBER)) == [
            "expected one or more pool costs, got none @ $.pool_costs"
        ]
        assert problems(lambda: cost_to_serve(AGREED, TWO_POOLS, FRA, OCTOBER)) == [  # type: ignore[arg-type]
            (
                "expected a list, got PoolCost(pool='fra-1', location='eu-central', "
                "currency='...) (PoolCost) @ $.pool_costs"
            )
        ]
        twin = attrs.evolve(AMS, location="eu-central")
        dollars = PoolCost("fra-1", "us-east", "USD", [])
        wrong = PoolCost("lon-1", "uk-south", EUR, [UnitCost("vcpu", HARDWARE, eur("1", "vcpu"))])
        assert problems(
            lambda: cost_to_serve(AGREED, [], [FRA, twin, dollars, wrong], OCTOBER)
        ) == [
            (
                "expected one pool cost per location (pool cost fra-1 serves eu-central already), "
                "got 'eu-central' (string) @ $.pool_costs[1].location"
            ),
            (
                "expected EUR (the currency of the first pool cost, fra-1), got 'USD' (string) "
                "@ $.pool_costs[2].currency"
            ),
            (
                "expected one pool cost per pool (fra-1 is pool_costs[0]), got 'fra-1' (string) "
                "@ $.pool_costs[2].pool"
            ),
            (
                "expected a price of vcpu by the time held: per vcpu and exact time (such as "
                "'vcpu*hour'), or per vcpu with per='month' (or day, quarter, year), got EUR 1 "
                "per vcpu @ $.pool_costs[3].costs[0].price"
            ),
        ]

    def test_rows_of_the_agreement(self) -> None:
        """Refuses a row of the agreement naming another customer or an unsubscribed service."""
        theirs = attrs.evolve(held("2 vcpu"), customer="globex")
        unsubscribed = attrs.evolve(held("2 vcpu"), service="db")
        assert problems(
            lambda: cost_to_serve(AGREED, [theirs, unsubscribed, 5], [FRA], OCTOBER)
        ) == [
            (
                "expected the agreement's customer (acme), got 'globex' (string) "
                "@ $.allocations[0].customer"
            ),
            (
                "expected a service the agreement subscribes (vm), got 'db' (string) "
                "@ $.allocations[1].service"
            ),
            "expected an Allocation, got 5 (integer) @ $.allocations[2]",
        ]

    def test_wrong_arguments(self) -> None:
        """Names each argument of the wrong type."""
        assert problems(lambda: cost_to_serve("agr-1", "rows", [FRA], "October", types=5)) == [  # type: ignore[arg-type]
            "expected a CloudServiceAgreement, got 'agr-1' (string) @ $.agreement",
            "expected a Period, got 'October' (string) @ $.period",
            "expected a list of ResourceType values, got 5 (integer) @ $.types",
            "expected a list, got 'rows' (string) @ $.allocations",
        ]

    def test_unit_costs(self) -> None:
        """Refuses a unit cost below zero, a price in another currency, a type and kind twice."""
        assert problems(lambda: UnitCost("vcpu", HARDWARE, eur("-1", "vcpu*hour"))) == [
            "expected an amount not below zero, got -1 @ $.price.amount"
        ]
        dollar = UnitCost("vcpu", ENERGY, Price(Money("1", "USD"), "vcpu*hour"))
        assert problems(lambda: PoolCost("p", "x", EUR, [*FRA.costs, FRA.costs[0], dollar])) == [
            (
                "expected one unit cost per resource type and kind (vcpu/hardware is costs[0] "
                "already), got vcpu/hardware @ $.costs[4]"
            ),
            (
                "expected EUR (the pool cost's currency), got 'USD' (string) "
                "@ $.costs[5].price.amount.currency"
            ),
            (
                "expected one unit cost per resource type and kind (vcpu/energy is costs[1] "
                "already), got vcpu/energy @ $.costs[5]"
            ),
        ]
        assert problems(lambda: PoolCost.for_pool("fra-1", EUR, [])) == [  # type: ignore[arg-type]
            "expected a ResourcePool, got 'fra-1' (string) @ $.pool"
        ]

    def test_margin_needs_one_card(self) -> None:
        """Takes exactly one of rates and catalogue, and one currency for charge and cost."""
        assert problems(lambda: margin(AGREED, TWO_POOLS, [FRA, AMS], OCTOBER)) == [
            "expected exactly one of rates and catalogue, got neither @ $.rates"
        ]
        assert problems(lambda: margin("agr-1", [], [FRA], OCTOBER, rates=RATES)) == [  # type: ignore[arg-type]
            "expected a CloudServiceAgreement, got 'agr-1' (string) @ $.agreement"
        ]
        dollars = PoolCost(
            "lon-1",
            "uk-south",
            "USD",
            [UnitCost("vcpu", HARDWARE, Price(Money("1", "USD"), "vcpu*hour"))],
        )
        assert problems(
            lambda: margin(AGREED, [held("2 vcpu")], [dollars, FRA], OCTOBER, rates=RATES)
        ) == [
            (
                "expected EUR (the rate card's currency), got 'USD' (string) "
                "@ $.pool_costs[0].currency"
            )
        ]
        assert problems(lambda: margin(AGREED, [], [FRA], OCTOBER, rates=5)) == [  # type: ignore[arg-type]
            "expected a RateCard, got 5 (integer) @ $.rates"
        ]
        assert problems(
            lambda: margin(AGREED, [held("2 vcpu")], FRA, OCTOBER, rates=RATES, types=5)  # type: ignore[arg-type]
        ) == [
            "expected a list, got 5 (integer) @ $.types",
            (
                "expected a list, got PoolCost(pool='fra-1', location='eu-central', "
                "currency='...) (PoolCost) @ $.pool_costs"
            ),
        ]


class TestWindow:
    """The window is the cost profile's: the period cut to the agreement's term."""

    def test_term_cuts_the_period(self) -> None:
        """Costs nothing before the agreement takes effect, and leaves other agreements out."""
        late = agreement(effective_from=OCT16)
        other = attrs.evolve(held("8 vcpu"), agreement="agr-2")
        served = cost_to_serve(late, [held("2 vcpu"), other], [FRA], OCTOBER)
        # 2 vcpu x 384 h x (0.011 + 0.004) = 11.52
        assert served.total == Money("11.52", EUR)
        assert all(line.source.agreement == AGREEMENT for line in served.lines)

    def test_term_outside_the_period(self) -> None:
        """Costs nothing over a period the agreement's term does not meet."""
        later = agreement(effective_from=dt.datetime(2027, 1, 1, tzinfo=UTC))
        used = Usage(
            CUSTOMER,
            AGREEMENT,
            SERVICE,
            "requests",
            quantity("5 request"),
            OCT16,
            OCT16 + dt.timedelta(hours=1),
        )
        served = cost_to_serve(later, [held("2 vcpu")], [FRA], OCTOBER, usage=[used])
        assert (served.lines, served.total) == ((), Money("0.00", EUR))


# ---------------------------------------------------------------------- properties
LOCATIONS = ("eu-central", "eu-west")
ALLOCATED = tuple(t for t in resource_types() if t.kind is MeteringKind.ALLOCATED)
AUTUMN = aware_datetimes(
    min_value=dt.datetime(2026, 9, 1),
    max_value=dt.datetime(2026, 11, 1),
)


@st.composite
def two_pools(draw: st.DrawFn) -> tuple[list[PoolCost], tuple[Allocation, ...], RateCard]:
    """Two pool costs in EUR, acme's allocations of the types both price, and a rate card."""
    used = draw(st.lists(st.sampled_from(ALLOCATED), min_size=1, max_size=3, unique=True))
    pools = []
    for pool, location in zip(("fra-1", "ams-1"), LOCATIONS, strict=True):
        costs = [
            cost
            for kind in used
            for cost in draw(
                st.lists(
                    unit_costs(types=[kind], currency=EUR),
                    min_size=1,
                    max_size=2,
                    unique_by=lambda cost: cost.kind,
                )
            )
        ]
        pools.append(PoolCost(pool, location, EUR, costs))
    rows = draw(
        st.lists(
            drawn_allocations(
                customers=[CUSTOMER],
                agreements=[AGREEMENT],
                services=[SERVICE],
                types=used,
                instants=AUTUMN,
                texts=st.sampled_from(LOCATIONS),
                max_days=40,
            ),
            max_size=6,
        )
    )
    held_rows = tuple(attrs.evolve(row, location=row.location or LOCATIONS[0]) for row in rows)
    rates = [
        Rate(kind.id, price=draw(unit_costs(types=[kind], currency=EUR)).price) for kind in used
    ]
    return pools, held_rows, RateCard(EUR, rates)


class TestProperties:
    """What holds of every cost to serve and margin."""

    @given(two_pools(), st.sampled_from(["UTC", "Europe/Berlin"]))
    def test_totals_and_splits(
        self, drawn: tuple[list[PoolCost], tuple[Allocation, ...], RateCard], zone: str
    ) -> None:
        """The total is the exact sum rounded once; splits add up; margin is charge less cost."""
        pools, rows, rates = drawn
        agreed = agreement(zone)
        month = Period.month(2026, 10, zone)
        earned = margin(agreed, rows, pools, month, rates=rates)
        served = earned.serving
        exact = sum((line.exact for line in served.lines), Fraction(0))
        assert served.exact_total == exact
        assert all(
            line.exact == line.price.exact_cost(line.quantity, line.held) for line in served.lines
        )
        assert served.total == round_to_minor(exact, EUR)
        assert sum(served.by_pool().values(), Money.zero(EUR)) == served.total
        assert sum(served.by_kind().values(), Money.zero(EUR)) == served.total
        assert earned.margin == earned.charge - earned.cost_to_serve
        assert earned.charge == earned.profile.total

    # Each example prices two drawn pools' allocations at cost and at the rates (about a
    # fifth of a second under coverage): the ci profile runs 50, not 100; dev 50, smoke 10.
    @settings(max_examples=examples(50))
    @given(two_pools(), st.sampled_from(["UTC", "Europe/Berlin"]))
    def test_costs_at_the_rates_are_the_charge(
        self, drawn: tuple[list[PoolCost], tuple[Allocation, ...], RateCard], zone: str
    ) -> None:
        """Costed at unit costs equal to the rates, the exact cost is the exact charge."""
        _, rows, rates = drawn
        pool = PoolCost(
            "fra-1",
            "eu-central",
            EUR,
            [UnitCost(r.resource_type, CostKind.OTHER, r.price) for r in rates.rates if r.price],
        )
        rows = tuple(attrs.evolve(row, location=None) for row in rows)
        agreed = agreement(zone, effective_from=dt.datetime(2026, 10, 9, 13, tzinfo=UTC))
        month = Period.month(2026, 10, zone)
        earned = margin(agreed, rows, [pool], month, rates=rates)
        assert earned.serving.exact_total == earned.profile.exact_total

    @given(pool_costs())
    def test_pool_costs_round_trip(self, pool: PoolCost) -> None:
        """A pool cost reads back from its JSON equal, and passes its own type check."""
        assert from_json(PoolCost, to_json(pool)) == pool
        assert [from_dict(UnitCost, to_dict(cost)) for cost in pool.costs] == list(pool.costs)
        pool.check()

    @given(
        st.lists(
            drawn_allocations(
                customers=[CUSTOMER],
                agreements=[AGREEMENT],
                services=[SERVICE],
                types=[t for t in ALLOCATED if t.id in {"vcpu", "memory"}],
                instants=AUTUMN,
                texts=st.just("eu-central"),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def test_comparing_offerings(self, rows: list[Allocation]) -> None:
        """An offering against itself differs by nothing; the differences are b less a."""
        same = compare_offerings(
            COMPUTE, "high", "high", rows, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
        )
        assert same.charge_difference == same.cost_difference == Money("0.00", EUR)
        compared = compare_offerings(
            COMPUTE, "standard", "high", rows, OCTOBER, pool_costs=[FRA_WITH_INSTANCES]
        )
        assert compared.margin_difference == compared.b.margin - compared.a.margin
        assert compared.a.margin == compared.a.charge - compared.a.cost_to_serve
        # The standby adds 22.32 to the charge and 32.44 to the cost (TestCompareOfferings).
        assert compared.charge_difference == Money("22.32", EUR)
        assert compared.cost_difference == Money("32.44", EUR)


class TestEdges:
    """The rarer inputs: odd rows, usage, huge amounts, many problems."""

    def test_lines_read_their_source(self) -> None:
        """A line reads service, type and quantity from what it serves; results show a summary."""
        served = cost_to_serve(AGREED, TWO_POOLS[:1], [FRA], OCTOBER)
        line = served.lines[0]
        assert (line.service, line.resource_type, line.quantity) == (
            SERVICE,
            "vcpu",
            quantity("4 vcpu"),
        )
        assert repr(served) == (
            "<CostToServe of agr-1 over [2026-10-01T00:00:00+00:00, 2026-11-01T00:00:00+00:00): "
            "2 lines, EUR 44.64>"
        )
        assert hash(FRA) == hash(PoolCost(FRA.pool, FRA.location, EUR, list(FRA.costs)))

    def test_unknown_and_metered_holdings(self) -> None:
        """Refuses a holding of an unknown or metered type, or of a unit its cost cannot charge."""
        rows = [
            held("2 vcpu", kind="gpu"),
            held("2 request", kind="requests"),
            held("2 GiB"),  # a vcpu holding counted in GiB
        ]
        assert problems(lambda: cost_to_serve(AGREED, rows, [FRA], OCTOBER)) == [
            (
                "expected a known resource type (bandwidth, data_transfer, instance, ip_address, "
                "licence, memory, requests, seat, storage, vcpu), got 'gpu' (string) "
                "@ $.allocations[0].resource_type"
            ),
            (
                "expected an allocated resource type, costed by the time held, got requests "
                "(metered) @ $.allocations[1].resource_type"
            ),
            (
                "expected a quantity of vcpu, which the unit cost EUR 0.011 per vcpu*hour "
                "charges, got 2 GiB @ $.allocations[2].quantity"
            ),
        ]

    def test_usage_rules(self) -> None:
        """Costs only metered usage of the agreement in the window that a pool prices."""

        def use(kind: str, amount: str, start: dt.datetime = OCT16, **changes: Any) -> Usage:
            return Usage(
                CUSTOMER,
                AGREEMENT,
                SERVICE,
                kind,
                quantity(amount),
                start,
                start + dt.timedelta(hours=1),
                **changes,
            )

        network = attrs.evolve(
            FRA, costs=[*FRA.costs, UnitCost("data_transfer", NETWORK, eur("0.01", "GiB"))]
        )
        ignored = [
            use("vcpu", "3 vcpu*hour"),  # the use of a holding: the holding is costed
            use("requests", "1000 request"),  # no pool prices requests
            use("data_transfer", "5 GiB", OCT1 - dt.timedelta(days=3)),  # before the period
            attrs.evolve(use("data_transfer", "5 GiB"), agreement="agr-2"),
        ]
        served = cost_to_serve(AGREED, [], [network], OCTOBER, usage=ignored)
        assert served.lines == ()
        assert served.unpriced == (ignored[1],)  # the others are not costs left out
        west = attrs.evolve(
            AMS, costs=[*AMS.costs, UnitCost("data_transfer", NETWORK, eur("0.02", "GiB"))]
        )
        served = cost_to_serve(
            AGREED, [], [network, AMS], OCTOBER, usage=[use("data_transfer", "5 GiB")]
        )
        assert [(line.pool, line.exact) for line in served.lines] == [("fra-1", Fraction("0.05"))]
        assert problems(
            lambda: cost_to_serve(
                AGREED,
                [],
                [network, west],
                OCTOBER,
                usage=[
                    use("data_transfer", "5 GiB"),
                    attrs.evolve(use("data_transfer", "5 GiB"), customer="globex"),
                    "a usage",
                ],
            )
        ) == [
            (
                "expected the resource id of holdings in one location, since several pool "
                "costs price data_transfer (eu-central, eu-west), got null "
                "@ $.usage[0].resource_id"
            ),
            (
                "expected the agreement's customer (acme), got 'globex' (string) "
                "@ $.usage[1].customer"
            ),
            "expected a Usage, got 'a usage' (string) @ $.usage[2]",
        ]
        assert problems(
            lambda: cost_to_serve(
                AGREED, [], [network], OCTOBER, usage=[use("data_transfer", "5 request")]
            )
        ) == [
            (
                "expected a quantity that the unit cost EUR 0.01 per GiB charges, got 5 request "
                "@ $.usage[0].quantity"
            )
        ]

    def test_many_problems(self) -> None:
        """Reports the first fifty problems, then how many more rows had one."""
        rows = [held("1 vcpu", location="mars")] * 53
        with pytest.raises(ValidationError) as refused:
            cost_to_serve(AGREED, rows, [FRA], OCTOBER)
        assert len(refused.value.problems) == 51
        assert str(refused.value.problems[-1]) == (
            "expected every row costed, got 3 more rows with problems @ $"
        )

    def test_amounts_beyond_the_bounds(self) -> None:
        """Refuses a total of 1E+31 or more, naming its size."""
        dear = PoolCost(
            "fra-1", "eu-central", EUR, [UnitCost("vcpu", HARDWARE, eur("1E+6", "vcpu*s"))]
        )
        with pytest.raises(ValidationError) as refused:
            cost_to_serve(AGREED, [held("1E+25 vcpu")], [dear], OCTOBER)
        assert [str(p) for p in refused.value.problems] == [
            "expected a total below 1E+31, got about 2.678E+37 EUR @ $"
        ]
        line = attrs.evolve(
            cost_to_serve(AGREED, [held("1 vcpu")], [FRA], OCTOBER).lines[0],
            exact=Fraction(10**32),
        )
        with pytest.raises(ValidationError) as refused:
            _ = line.amount
        assert refused.value.paths == ["$"]

    def test_wrong_items(self) -> None:
        """Names a type or pool cost that is not one."""
        assert problems(lambda: cost_to_serve(AGREED, [], [FRA, "ams"], OCTOBER, types=[5])) == [  # type: ignore[list-item]
            "expected a ResourceType, got 5 (integer) @ $.types[0]",
            "expected a PoolCost, got 'ams' (string) @ $.pool_costs[1]",
        ]
        gpu = PoolCost(
            "fra-1", "eu-central", EUR, [UnitCost("gpu", HARDWARE, eur("1", "vcpu*hour"))]
        )
        with pytest.raises(ValidationError) as refused:
            gpu.check()
        assert refused.value.paths == ["$.costs[0].resource_type"]

    def test_margin_from_the_catalogue(self) -> None:
        """Builds the rate card from the catalogue when given one."""
        service = CloudService(
            id=SERVICE,
            name="Virtual machines",
            category=ServiceCategory.IAAS,
            deployment_models={DeploymentModel.PUBLIC},
            owner="ops",
        )
        catalogue = Catalogue(
            entries=[attrs.evolve(COMPUTE, id="vm")], graph=ServiceGraph(services=[service])
        )
        subscribed = agreement(
            subscriptions=[
                Subscription(
                    entry_id="vm",
                    offering_id="standard",
                    service_id=SERVICE,
                    upgrade_ids={"vcpu", "memory"},
                )
            ]
        )
        earned = margin(subscribed, WORKLOAD, [FRA], OCTOBER, catalogue=catalogue)
        # 156.99 charged (TestCompareOfferings); 44.64 + 8 + 16 x 744 x 0.0002 = 2.3808 cost.
        assert (earned.charge, earned.cost_to_serve) == (Money("156.99", EUR), Money("55.02", EUR))
        assert problems(
            lambda: margin(AGREED, WORKLOAD, [FRA], OCTOBER, rates=RATES, catalogue=catalogue)
        ) == ["expected exactly one of rates and catalogue, got both @ $.rates"]

    def test_comparison_edges(self) -> None:
        """Takes a location among several; skips requirements adding nothing; refuses odd rows."""
        higher = Upgrade(
            id="higher",
            description="Availability raised to 99.99 %",
            kind=UpgradeKind.SERVICE_LEVEL,
            price=eur("40", "instance", "month"),
            level=level("99.99 %"),
        )
        high = attrs.evolve(
            HIGH, upgrades={*HIGH.upgrades, "higher"}, requires={"higher", "standby", "vcpu"}
        )
        entry = attrs.evolve(
            COMPUTE, offerings=[STANDARD, high], upgrades=[*COMPUTE.upgrades, higher]
        )
        compared = compare_offerings(
            entry,
            "standard",
            "high",
            WORKLOAD,
            OCTOBER,
            pool_costs=[FRA_WITH_INSTANCES],
            location="eu-central",
        )
        assert [a.resource_id for a in compared.b.added] == ["standby"]
        assert compared.charge_difference == Money("22.32", EUR)  # a level upgrade is no rate
        disk = held("2 TB", kind="storage")
        wrong_unit = held("2 GiB")
        assert problems(
            lambda: compare_offerings(
                COMPUTE,
                "standard",
                "high",
                [disk, wrong_unit],
                OCTOBER,
                pool_costs=[FRA_WITH_INSTANCES],
            )
        ) == [
            (
                "expected a resource type offering standard prices (it prices vm/memory, "
                "vm/vcpu), got 'storage' (string) @ $.allocations[0].resource_type"
            ),
            (
                "expected a quantity of vcpu, which the price EUR 0.042 per vcpu*hour charges, "
                "got 2 GiB @ $.allocations[1].quantity"
            ),
        ]
        assert problems(
            lambda: compare_offerings(COMPUTE, "standard", "high", 7, OCTOBER, pool_costs=[FRA])  # type: ignore[arg-type]
        ) == ["expected a list, got 7 (integer) @ $.allocations"]
        assert problems(
            lambda: compare_offerings(COMPUTE, "standard", "high", [7], OCTOBER, pool_costs=[])
        ) == [
            "expected an Allocation, got 7 (integer) @ $.allocations[0]",
            "expected one or more pool costs, got none @ $.pool_costs",
        ]
        assert problems(
            lambda: compare_offerings(
                COMPUTE, "standard", "high", WORKLOAD, OCTOBER, pool_costs=[FRA], location=["x"]
            )
        ) == ["expected the location of a pool cost (eu-central), got ['x'] (array) @ $.location"]


class TestStrategies:
    """The strategies draw valid values and are registered for st.from_type."""

    def test_registered(self) -> None:
        """Draws a pool cost and a unit cost by their types once registered."""
        register()
        assert [kind for kind, _ in strategy_pairs()] == [UnitCost, PoolCost]
        assert isinstance(find(st.from_type(PoolCost), lambda pool: len(pool.costs) > 1), PoolCost)


class TestExampleData:
    """examples/data/resources/pool_costs.json prices the example month."""

    def test_the_example_month(self) -> None:
        """Reads both pool costs and costs Globex's October in Frankfurt, network included.

        Every example holding is in eu-central, so Frankfurt serves it all; the 350 GiB
        sent cost 350 x 0.008 = EUR 2.80 of network; the requests no pool prices.
        """
        folder = Path(__file__).parent.parent / "examples" / "data" / "resources"
        pools = [
            from_dict(PoolCost, item)
            for item in json.loads((folder / "pool_costs.json").read_text(encoding="utf-8"))
        ]
        assert [(pool.pool, pool.location) for pool in pools] == [
            ("fra-1", "eu-central"),
            ("ams-1", "eu-west"),
        ]
        for pool in pools:
            pool.check()
        example = from_json(
            CloudServiceAgreement, (folder / "agreement.json").read_text(encoding="utf-8")
        )
        catalogue = from_json(Catalogue, (folder / "catalogue.json").read_text(encoding="utf-8"))
        earned = margin(
            example,
            read_allocations(folder / "allocations.csv"),
            pools,
            Period.month(2026, 10, "Europe/Berlin"),
            catalogue=catalogue,
            usage=read_usage(folder / "usage.csv"),
        )
        assert list(earned.serving.by_pool()) == ["fra-1"]
        assert earned.serving.by_kind()[NETWORK] == Money("2.80", EUR)
        assert list(earned.serving.unpriced_types()) == ["requests"]
        assert earned.margin == earned.charge - earned.cost_to_serve
        assert earned.margin > Money.zero(EUR)
