"""Cost to serve, margin and offerings compared (S11): what resources cost the provider."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

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
from cloudsms.errors import ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money, Price
from cloudsms.periods import Period, SupportHours, timezone
from cloudsms.resources import Allocation, PoolCapacity, RateCard, ResourcePool, Usage
from cloudsms.resources.pricing import Rate
from cloudsms.resources.provider_cost import (
    CostKind,
    PoolCost,
    UnitCost,
    cost_to_serve,
    margin,
)
from cloudsms.units import quantity

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


class TestPoolCost:
    """PoolCost and UnitCost: the provider's own prices, checked as rates are."""

    def test_for_pool(self) -> None:
        """Takes the pool's id and location."""
        pool = ResourcePool(
            "fra-1", "Frankfurt 1", "eu-central", [PoolCapacity("vcpu", quantity("64 vcpu"))]
        )
        assert PoolCost.for_pool(pool, EUR, FRA.costs) == FRA

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
