"""Cost profiles (S11): lines prorated by the time held, totals exact to the cent, notices."""

from __future__ import annotations

import datetime as dt
import pickle
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cloudsms.agreements import (
    Activity,
    CloudServiceAgreement,
    ExitTerms,
    NoticePayload,
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
from cloudsms.money import Money, Price, allocate, total_cost
from cloudsms.periods import Period, SupportHours, timezone
from cloudsms.resources import (
    Allocation,
    ResourceRequest,
    ResourceRequestKind,
    Usage,
    resource_type,
)
from cloudsms.resources.cost import (
    CostChange,
    CostLine,
    CostProfile,
    LeftOut,
    billing_period,
    revise,
)
from cloudsms.resources.pricing import MinimumCommitment, Rate, RateCard, Tier
from cloudsms.serialization import from_dict, to_dict
from cloudsms.testing import allocations as drawn_allocations
from cloudsms.testing._costs import cost_changes
from cloudsms.testing._strategies import aware_datetimes
from cloudsms.units import quantity

from conftest import examples

EUR = "EUR"
CUSTOMER, AGREEMENT, SERVICE = "acme", "agr-1", "vm"
VCPU_HOUR = Price(Money("0.042", EUR), "vcpu*hour")
GIB_MONTH = Price(Money("0.021", EUR), "GiB", per="month")
TB_DAY = Price(Money("0.5", EUR), "TB", per="day")
UTC = dt.UTC
ZONED_UTC = timezone("UTC")  # how a UTC agreement's instants are written
BERLIN = timezone("Europe/Berlin")
OCTOBER_UTC = Period.month(2026, 10, "UTC")
OCTOBER_BERLIN = Period.month(2026, 10, "Europe/Berlin")


def agreement(
    zone: str = "UTC",
    *,
    subscriptions: list[Subscription] | None = None,
    services: tuple[str, ...] = (SERVICE,),
    **changes: Any,
) -> CloudServiceAgreement:
    """A small agreement of ACME Cloud with customer acme, from 1 January 2026 in ``zone``."""
    subscribed = subscriptions or [
        Subscription(entry_id="vm", offering_id="basic", service_id=service)
        for service in services
    ]
    fields: dict[str, Any] = {
        "id": AGREEMENT,
        "provider": "ACME Cloud",
        "customer_id": CUSTOMER,
        "effective_from": dt.datetime(2026, 1, 1, tzinfo=timezone(zone)),
        "subscriptions": subscribed,
        "slas": [
            ServiceLevelAgreement(
                id="sla",
                service_ids={subscribed[0].service_id},
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


def held(
    amount: str,
    since: dt.datetime,
    until: dt.datetime | None = None,
    kind: str = "vcpu",
    **changes: Any,
) -> Allocation:
    """An allocation of acme's agreement for the vm service."""
    return Allocation(
        CUSTOMER, AGREEMENT, SERVICE, kind, quantity(amount), since, until, **changes
    )


def used(amount: str, start: dt.datetime, kind: str = "requests", **changes: Any) -> Usage:
    """A day's usage of acme's agreement for the vm service."""
    end = start + dt.timedelta(days=1)
    return Usage(CUSTOMER, AGREEMENT, SERVICE, kind, quantity(amount), start, end, **changes)


def rates(*extra: Rate, **changes: Any) -> RateCard:
    """EUR 0.042 per vcpu-hour, EUR 0.021 per GiB of memory per month, EUR 0.5 per TB-day."""
    base = [
        Rate("vcpu", price=VCPU_HOUR),
        Rate("memory", price=GIB_MONTH),
        Rate("storage", price=TB_DAY),
    ]
    return RateCard(EUR, [*base, *extra], **changes)


def build(
    allocations: list[Allocation],
    period: Period = OCTOBER_UTC,
    usage: list[Usage] | None = None,
    card: RateCard | None = None,
    zone: str = "UTC",
) -> CostProfile:
    """The profile of acme's agreement (in ``zone``) over ``period``."""
    return CostProfile.build(
        agreement(zone), allocations, usage or [], period, rates=card or rates()
    )


def sept(zone: dt.tzinfo = UTC) -> dt.datetime:
    """1 September 2026, midnight, in ``zone``: before every October."""
    return dt.datetime(2026, 9, 1, tzinfo=zone)


class TestHandComputed:
    """The issue's cases, worked out by hand."""

    def test_a_month_of_four_vcpu_in_utc(self) -> None:
        """744 hours: EUR 124.992 exactly, EUR 124.99 billed."""
        profile = build([held("4 vcpu", sept())])
        (line,) = profile.lines
        assert line.held == OCTOBER_UTC
        assert line.held is not None
        assert line.held.hours == 744
        assert line.exact == Fraction("124.992")
        assert line.amount == Money("124.992", EUR)
        assert profile.exact_total == Fraction("124.992")
        assert profile.total == Money("124.99", EUR)
        assert str(profile.total) == "EUR 124.99"

    def test_a_month_of_four_vcpu_in_berlin(self) -> None:
        """745 hours (the clocks go back once): EUR 125.16."""
        profile = build([held("4 vcpu", sept(BERLIN))], OCTOBER_BERLIN, zone="Europe/Berlin")
        (line,) = profile.lines
        assert line.held is not None
        assert line.held.hours == 745
        assert line.held.start.tzinfo is BERLIN
        assert profile.exact_total == Fraction("125.16")
        assert profile.total == Money("125.16", EUR)
        released = held("4 vcpu", sept(BERLIN), dt.datetime(2026, 10, 30, tzinfo=BERLIN))
        (line,) = build([released], OCTOBER_BERLIN, zone="Europe/Berlin").lines
        assert line.held is not None
        assert line.held.hours == 29 * 24 + 1  # the hour the clocks go back is held too

    def test_the_repeated_hour_is_told_apart(self) -> None:
        """02:30 on 25 October in Berlin happens twice: the second pass holds an hour less."""
        first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
        second = first.replace(fold=1)
        one = build([held("1 vcpu", first)], OCTOBER_BERLIN, zone="Europe/Berlin")
        two = build([held("1 vcpu", second)], OCTOBER_BERLIN, zone="Europe/Berlin")
        hours = [p.lines[0].held.hours for p in (one, two)]  # type: ignore[union-attr]
        assert hours == [Fraction(333, 2), Fraction(331, 2)]  # 166.5 h and 165.5 h
        released = held("1 vcpu", sept(BERLIN), second)
        (line,) = build([released], OCTOBER_BERLIN, zone="Europe/Berlin").lines
        assert line.held is not None
        assert line.held.hours == 24 * 24 + Fraction(7, 2)  # to 01:30Z on the 25th

    def test_the_same_instants_written_in_utc_cost_the_same(self) -> None:
        """An allocation written in another zone than the period is converted exactly."""
        since = dt.datetime(2026, 10, 17, 12, tzinfo=BERLIN).astimezone(UTC)
        profile = build([held("4 vcpu", since)], OCTOBER_BERLIN, zone="Europe/Berlin")
        # 17 Oct 12:00 (+02:00) to 1 Nov 00:00 (+01:00): 349 hours.
        assert profile.exact_total == 4 * 349 * Fraction("0.042")
        (line,) = profile.lines
        assert line.held is not None
        assert line.held.start == dt.datetime(2026, 10, 17, 12, tzinfo=BERLIN)

    def test_a_resize_on_the_17th_at_noon(self) -> None:
        """4 vcpu for 396 hours, then 8 vcpu for 349 (Berlin): two lines, exact amounts."""
        noon = dt.datetime(2026, 10, 17, 12, tzinfo=BERLIN)
        resize = ResourceRequest(
            id="rr-1",
            kind=ResourceRequestKind.RESIZE,
            customer=CUSTOMER,
            agreement=AGREEMENT,
            service=SERVICE,
            resource_type="vcpu",
            quantity=quantity("8 vcpu"),
            requested_at=noon,
            requested_by="ana",
        )
        after = resize.apply([held("4 vcpu", sept(BERLIN))], noon)
        profile = build(list(after), OCTOBER_BERLIN, zone="Europe/Berlin")
        before, now = profile.lines
        assert (before.quantity, now.quantity) == (quantity("4 vcpu"), quantity("8 vcpu"))
        assert before.held is not None
        assert now.held is not None
        assert (before.held.hours, now.held.hours) == (396, 349)
        assert before.exact == Fraction("66.528")  # 4 x 396 x 0.042
        assert now.exact == Fraction("117.264")  # 8 x 349 x 0.042
        assert profile.total == Money("183.79", EUR)  # 183.792, half to even

    def test_per_gib_per_month_over_february_and_march(self) -> None:
        """Half of February (14 of 28 days) and of March (15.5 of 31): half a month each."""
        february = Period.month(2026, 2, "UTC")
        march = Period.month(2026, 3, "UTC")
        first_half = held(
            "100 GiB",
            dt.datetime(2026, 2, 15, tzinfo=UTC),
            dt.datetime(2026, 3, 16, 12, tzinfo=UTC),
            kind="memory",
        )
        in_feb = build([first_half], february)
        in_march = build([first_half], march)
        assert in_feb.exact_total == Fraction("1.05")  # 100 x 0.021 x 14/28
        assert in_march.exact_total == Fraction("1.05")  # 100 x 0.021 x 15.5/31
        both = build([first_half], Period(february.start, march.end))
        assert both.exact_total == Fraction("2.1")
        whole = held("100 GiB", dt.datetime(2026, 1, 1, tzinfo=UTC), kind="memory")
        assert build([whole], february).total == build([whole], march).total == Money("2.10", EUR)

    def test_a_volume_tier_boundary(self) -> None:
        """The first million requests at EUR 0.40 a million, the rest at EUR 0.20: graduated."""
        tiered = rates(
            Rate(
                "requests",
                tiers=(
                    Tier(quantity("1000000 request"), Price(Money("0.0000004", EUR), "request")),
                    Tier(None, Price(Money("0.0000002", EUR), "request")),
                ),
            )
        )
        usage = [
            used("800000 request", dt.datetime(2026, 10, 3, tzinfo=UTC)),
            used("500000 request", dt.datetime(2026, 10, 10, tzinfo=UTC)),
        ]
        profile = build([], usage=usage, card=tiered)
        assert [(str(line.quantity), line.exact) for line in profile.lines] == [
            ("800000 request", Fraction("0.32")),
            ("200000 request", Fraction("0.08")),
            ("300000 request", Fraction("0.06")),
        ]
        assert [line.price for line in profile.lines][1:] == [
            tiered.rates[3].tiers[0].price,
            tiered.rates[3].tiers[1].price,
        ]
        assert profile.total == Money("0.46", EUR)

    def test_a_tier_reached_exactly_and_usage_before_the_period(self) -> None:
        """Usage earlier in the billing period counts towards the tiers but is not charged."""
        tiered = rates(
            Rate(
                "requests",
                tiers=(
                    Tier(quantity("1000000 request"), Price(Money("0.0000004", EUR), "request")),
                    Tier(None, Price(Money("0.0000002", EUR), "request")),
                ),
            )
        )
        first_half = Period(
            dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2026, 10, 16, tzinfo=UTC)
        )
        second_half = Period(first_half.end, OCTOBER_UTC.end)
        usage = [
            used("1000000 request", dt.datetime(2026, 10, 3, tzinfo=UTC)),
            used("100000 request", dt.datetime(2026, 10, 20, tzinfo=UTC)),
        ]
        early = build([], first_half, usage=usage, card=tiered)
        assert [str(line.quantity) for line in early.lines] == ["1000000 request"]
        late = build([], second_half, usage=usage, card=tiered)
        assert [(str(line.quantity), line.exact) for line in late.lines] == [
            ("100000 request", Fraction("0.02"))
        ]
        november = build(
            [],
            Period.month(2026, 11, "UTC"),
            usage=[used("100000 request", dt.datetime(2026, 11, 2, tzinfo=UTC))],
            card=tiered,
        )
        assert november.lines[0].exact == Fraction("0.04")  # the tiers start again

    def test_usage_in_another_unit_of_its_dimension(self) -> None:
        """350 GiB transferred at EUR 0.05 per GB: 375.809638 GB, EUR 18.7904819 exactly.

        A GiB is 1.073741824 GB, so the usage is charged in the price's unit, not
        taken as 350 of it (EUR 17.50).
        """
        card = rates(Rate("data_transfer", price=Price(Money("0.05", EUR), "GB")))
        usage = [used("350 GiB", dt.datetime(2026, 10, 5, tzinfo=UTC), kind="data_transfer")]
        profile = build([], usage=usage, card=card)
        (line,) = profile.lines
        assert str(line.quantity) == "350 gibibyte"
        assert line.exact == Fraction("18.79048192")
        assert line.price is not None
        assert line.quantity is not None
        assert line.exact == line.price.exact_cost(line.quantity)
        assert profile.total == Money("18.79", EUR)

    def test_a_rate_for_every_service_counts_their_usage_together(self) -> None:
        """A tier is reached by the usage of every service its rate prices, not per service.

        600,000 requests of vm then 600,000 of db under one rate for every service:
        the second reaches the second tier at 400,000. A service with a rate of its
        own counts apart: its 600,000 neither reach nor are reached.
        """
        tiers = (
            Tier(quantity("1000000 request"), Price(Money("0.0000004", EUR), "request")),
            Tier(None, Price(Money("0.0000002", EUR), "request")),
        )
        card = rates(Rate("requests", tiers=tiers))
        usage = [
            used("600000 request", dt.datetime(2026, 10, 2, tzinfo=UTC)),
            Usage(
                CUSTOMER,
                AGREEMENT,
                "db",
                "requests",
                quantity("600000 request"),
                dt.datetime(2026, 10, 3, tzinfo=UTC),
                dt.datetime(2026, 10, 4, tzinfo=UTC),
            ),
        ]
        both = agreement(services=(SERVICE, "db"))
        profile = CostProfile.build(both, [], usage, OCTOBER_UTC, rates=card)
        assert [(line.service, str(line.quantity), line.exact) for line in profile.lines] == [
            (SERVICE, "600000 request", Fraction("0.24")),
            ("db", "400000 request", Fraction("0.16")),
            ("db", "200000 request", Fraction("0.04")),
        ]
        assert profile.exact_total == Fraction("0.44")
        own = rates(Rate("requests", tiers=tiers), Rate("requests", tiers=tiers, service="db"))
        apart = CostProfile.build(both, [], usage, OCTOBER_UTC, rates=own)
        assert [(line.service, str(line.quantity)) for line in apart.lines] == [
            (SERVICE, "600000 request"),
            ("db", "600000 request"),
        ]
        assert apart.exact_total == Fraction("0.48")

    def test_a_minimum_commitment_not_reached(self) -> None:
        """EUR 200 a month committed on vcpu: a line of the EUR 75.008 shortfall."""
        floor = MinimumCommitment(Money("200", EUR), resource_type="vcpu", service=SERVICE)
        profile = build([held("4 vcpu", sept())], card=rates(commitments=[floor]))
        allocation, shortfall = profile.lines
        assert shortfall.kind == "commitment"
        assert shortfall.source == floor
        assert shortfall.exact == Fraction("75.008")
        assert (shortfall.price, shortfall.quantity, shortfall.held) == (None, None, None)
        assert (shortfall.service, shortfall.resource_type) == (SERVICE, "vcpu")
        assert profile.exact_total == 200
        assert profile.total == Money("200.00", EUR)
        assert allocation.kind == "allocation"

    def test_a_minimum_commitment_reached_or_out_of_scope(self) -> None:
        """No line when the scope costs the minimum or more; other types do not count."""
        reached = MinimumCommitment(Money("100", EUR), resource_type="vcpu")
        other = MinimumCommitment(Money("10", EUR), resource_type="memory")
        profile = build([held("4 vcpu", sept())], card=rates(commitments=[reached, other]))
        assert [line.kind for line in profile.lines] == ["allocation", "commitment"]
        assert profile.lines[1].exact == 10


class TestWhatCounts:
    """Which rows become lines."""

    def test_other_agreements_and_periods_are_left_out(self) -> None:
        """Rows of another agreement, or not held in the period, give no line."""
        theirs = Allocation("zeta", "agr-9", "other", "vcpu", quantity("4 vcpu"), sept())
        before = held("4 vcpu", sept(), dt.datetime(2026, 9, 30, tzinfo=UTC))
        after = held("4 vcpu", dt.datetime(2026, 11, 1, tzinfo=UTC))
        assert build([theirs, before, after]).lines == ()
        assert build([theirs, before, after]).total == Money("0.00", EUR)

    def test_usage_of_an_allocated_type_is_not_charged(self) -> None:
        """The use made of a holding feeds utilisation; the holding is what is charged."""
        profile = build(
            [held("4 vcpu", sept())],
            usage=[used("100 vcpu*hour", dt.datetime(2026, 10, 2, tzinfo=UTC), kind="vcpu")],
        )
        assert [line.kind for line in profile.lines] == ["allocation"]

    def test_usage_is_charged_in_the_period_it_starts_in(self) -> None:
        """A usage starting on the last day counts whole, in this period only."""
        card = rates(Rate("requests", price=Price(Money("0.001", EUR), "request")))
        late = used("1000 request", dt.datetime(2026, 10, 31, 12, tzinfo=UTC))
        assert build([], usage=[late], card=card).total == Money("1.00", EUR)
        november = Period.month(2026, 11, "UTC")
        assert build([], november, usage=[late], card=card).lines == ()

    def test_line_attributes(self) -> None:
        """A line carries its source's service, type, resource id and cost centre."""
        one = held("2 vcpu", sept(), resource_id="vm-7", cost_centre="R&D")
        (line,) = build([one]).lines
        assert (line.service, line.resource_type, line.resource_id, line.cost_centre) == (
            SERVICE,
            "vcpu",
            "vm-7",
            "R&D",
        )
        assert line.source is one
        assert line.price == VCPU_HOUR
        assert repr(line) == "<CostLine allocation vm/vcpu 2 vcpu: EUR 62.496>"

    def test_lines_are_values(self) -> None:
        """Lines compare by value, hash, pickle, and cannot be made directly."""
        (line,) = build([held("2 vcpu", sept())]).lines
        (again,) = build([held("2 vcpu", sept())]).lines
        assert line == again
        assert hash(line) == hash(again)
        assert pickle.loads(pickle.dumps(line)) == line
        with pytest.raises(TypeError):
            CostLine()


class TestTerm:
    """Nothing is charged outside the agreement's term (from effective_from to end)."""

    def floor(self) -> RateCard:
        """EUR 100 a month committed on vcpu."""
        return rates(commitments=[MinimumCommitment(Money("100", EUR), resource_type="vcpu")])

    def test_no_minimum_before_the_start_or_after_the_end(self) -> None:
        """A month before the term or after it owes nothing; the last month is cut."""
        terms = agreement(end=dt.datetime(2026, 10, 16, tzinfo=UTC))

        def owed(period: Period) -> Fraction:
            return CostProfile.build(terms, [], [], period, rates=self.floor()).exact_total

        assert owed(Period.month(2025, 12, "UTC")) == 0  # the term starts on 1 January 2026
        assert owed(Period.month(2026, 12, "UTC")) == 0  # it ended on 16 October
        assert owed(OCTOBER_UTC) == Fraction(100 * 15, 31)  # 15 of October's 31 days
        (line,) = CostProfile.build(terms, [], [], OCTOBER_UTC, rates=self.floor()).lines
        assert line.during == Period(
            OCTOBER_UTC.start, dt.datetime(2026, 10, 16, tzinfo=ZONED_UTC)
        )

    def test_a_term_from_the_15th_owes_part_of_the_month(self) -> None:
        """An agreement from 15 April owes 16 of April's 30 days, not the whole month."""
        terms = agreement(effective_from=dt.datetime(2026, 4, 15, tzinfo=UTC))
        april = Period.month(2026, 4, "UTC")
        profile = CostProfile.build(terms, [], [], april, rates=self.floor())
        assert profile.exact_total == Fraction(160, 3)
        assert profile.total == Money("53.33", EUR)
        march = CostProfile.build(terms, [], [], Period.month(2026, 3, "UTC"), rates=self.floor())
        assert march.lines == ()

    def test_allocations_and_usage_cost_only_inside_the_term(self) -> None:
        """A holding from September costs from the start of the term; rows only before, nothing."""
        terms = agreement(effective_from=dt.datetime(2026, 10, 11, tzinfo=UTC))
        card = rates(Rate("requests", price=Price(Money("0.001", EUR), "request")))
        early = held("4 vcpu", sept())
        gone = held("4 vcpu", sept(), dt.datetime(2026, 10, 5, tzinfo=UTC))
        usage = [
            used("1000 request", dt.datetime(2026, 10, 3, tzinfo=UTC)),
            used("2000 request", dt.datetime(2026, 10, 20, tzinfo=UTC)),
        ]
        profile = CostProfile.build(terms, [early, gone], usage, OCTOBER_UTC, rates=card)
        allocation, usage_line = profile.lines
        assert allocation.held == Period(
            dt.datetime(2026, 10, 11, tzinfo=ZONED_UTC), OCTOBER_UTC.end
        )
        assert allocation.exact == 4 * 21 * 24 * Fraction("0.042")
        assert allocation.exact == VCPU_HOUR.exact_cost(allocation.quantity, allocation.held)
        assert usage_line.exact == 2
        assert profile.left_out == LeftOut(
            agreement=AGREEMENT, outside_term=2, allocations=1, usage=1
        )

    def test_rows_written_in_the_agreement_zone(self) -> None:
        """Berlin rows of a term from 10 to 20 October: those only outside it are counted."""
        terms = agreement(
            "Europe/Berlin",
            effective_from=dt.datetime(2026, 10, 10, tzinfo=BERLIN),
            end=dt.datetime(2026, 10, 20, tzinfo=BERLIN),
        )
        rows = [
            held("1 vcpu", sept(BERLIN), dt.datetime(2026, 10, 5, tzinfo=BERLIN)),
            held("1 vcpu", dt.datetime(2026, 10, 25, tzinfo=BERLIN)),
            held("1 vcpu", dt.datetime(2026, 10, 15, tzinfo=BERLIN)),
            held("1 vcpu", dt.datetime(2026, 11, 2, tzinfo=BERLIN)),  # another period's
        ]
        profile = CostProfile.build(terms, rows, [], OCTOBER_BERLIN, rates=rates())
        (line,) = profile.lines
        assert line.held is not None
        assert line.held.hours == 5 * 24
        assert profile.left_out.outside_term == 2

    def test_a_period_wholly_outside_the_term(self) -> None:
        """Every row of the period is left out; the days split nothing."""
        terms = agreement(effective_from=dt.datetime(2027, 1, 1, tzinfo=UTC))
        card = rates(
            Rate("requests", price=Price(Money("0.001", EUR), "request")),
            commitments=[MinimumCommitment(Money("100", EUR))],
        )
        usage = [used("1000 request", dt.datetime(2026, 10, 3, tzinfo=UTC))]
        profile = CostProfile.build(
            terms, [held("4 vcpu", sept())], usage, OCTOBER_UTC, rates=card
        )
        assert profile.lines == ()
        assert profile.left_out.outside_term == 2
        assert set(profile.split("day").values()) == {Money("0.00", EUR)}


class TestCommitmentsPerCalendarPeriod:
    """A minimum is reckoned per calendar period: one month never makes up for another."""

    def test_two_months_owe_what_each_month_owes(self) -> None:
        """10 vcpu in October, none in November: November's EUR 100 is owed all the same."""
        card = rates(commitments=[MinimumCommitment(Money("100", EUR), resource_type="vcpu")])
        ten = held("10 vcpu", sept(), dt.datetime(2026, 11, 1, tzinfo=UTC))
        november = Period.month(2026, 11, "UTC")
        both = build([ten], Period(OCTOBER_UTC.start, november.end), card=card)
        allocation, shortfall = both.lines
        assert allocation.exact == 10 * 744 * Fraction("0.042")
        assert (shortfall.exact, shortfall.during) == (100, november)
        assert both.total == Money("412.48", EUR)
        apart = build([ten], card=card).exact_total + build([ten], november, card=card).exact_total
        assert both.exact_total == apart
        assert repr(shortfall) == (
            "<CostLine commitment */vcpu [2026-11-01T00:00:00+00:00, "
            "2026-12-01T00:00:00+00:00): EUR 100>"
        )

    def test_per_day_over_a_month_is_the_sum_of_the_days(self) -> None:
        """EUR 1 a day on vcpu and EUR 0.50 a day on memory, held in part: each day apart."""
        card = rates(
            Rate("requests", price=Price(Money("0.0005", EUR), "request")),
            commitments=[
                MinimumCommitment(Money("1", EUR), per="day", resource_type="vcpu"),
                MinimumCommitment(Money("0.5", EUR), per="day", resource_type="memory"),
                MinimumCommitment(Money("2", EUR), per="day", service=SERVICE),
            ],
        )
        rows = [
            held("1 vcpu", dt.datetime(2026, 10, 10, 12, tzinfo=BERLIN)),
            held("1 vcpu", sept(BERLIN), dt.datetime(2026, 10, 20, 6, tzinfo=BERLIN)),
            held("2 vcpu", dt.datetime(2026, 10, 25, 1, tzinfo=BERLIN)),
            held("700 GiB", sept(BERLIN), dt.datetime(2026, 10, 12, tzinfo=BERLIN), kind="memory"),
            held("900 GiB", dt.datetime(2026, 10, 28, 18, tzinfo=BERLIN), kind="memory"),
        ]
        usage = [used("3000 request", dt.datetime(2026, 10, 21, 20, tzinfo=BERLIN))]
        month = build(rows, OCTOBER_BERLIN, usage=usage, card=card, zone="Europe/Berlin")
        days = [
            build(rows, day, usage=usage, card=card, zone="Europe/Berlin")
            for day in OCTOBER_BERLIN.split("day")
        ]
        assert month.exact_total == sum((day.exact_total for day in days), Fraction(0))
        shortfalls = [line for line in month.lines if line.kind == "commitment"]
        assert sorted(line.exact for line in shortfalls) == sorted(
            line.exact for day in days for line in day.lines if line.kind == "commitment"
        )
        assert all(line.during is not None for line in shortfalls)
        assert [line.during for line in month.lines if line.kind != "commitment"] == [None] * 6


class TestOverlappingCommitments:
    """Commitments are reckoned narrow to wide: a narrower shortfall counts in the wider scope."""

    def test_a_type_minimum_inside_a_service_minimum(self) -> None:
        """EUR 100 on the service's vcpu and EUR 150 on the service: EUR 150 in all, not 218.

        1 vcpu all October costs EUR 31.248; the vcpu minimum is short EUR 68.752,
        which counts as spent on the service, so its minimum is short EUR 50 only.
        The lines keep the rate card's order, the wider first here.
        """
        wide = MinimumCommitment(Money("150", EUR), service=SERVICE)
        narrow = MinimumCommitment(Money("100", EUR), resource_type="vcpu", service=SERVICE)
        card = rates(commitments=[wide, narrow])
        profile = build([held("1 vcpu", sept())], card=card)
        assert [(line.source, line.exact) for line in profile.lines[1:]] == [
            (wide, Fraction(50)),
            (narrow, Fraction("68.752")),
        ]
        assert profile.total == Money("150.00", EUR)
        alone = build([held("1 vcpu", sept())], card=rates(commitments=[wide]))
        assert alone.total == Money("150.00", EUR)

    def test_scopes_that_do_not_hold_each_other_each_owe(self) -> None:
        """A memory minimum's shortfall is not spent on vcpu, nor one of every type on a type."""
        vcpu = MinimumCommitment(Money("100", EUR), resource_type="vcpu")
        memory = MinimumCommitment(Money("10", EUR), resource_type="memory")
        service = MinimumCommitment(Money("20", EUR), service=SERVICE)
        profile = build([], card=rates(commitments=[vcpu, memory, service]))
        assert [line.exact for line in profile.lines] == [100, 10, 20]
        everything = MinimumCommitment(Money("120", EUR))
        profile = build([], card=rates(commitments=[everything, vcpu, memory]))
        assert [line.exact for line in profile.lines] == [10, 100, 10]
        assert profile.total == Money("120.00", EUR)

    def test_a_daily_minimum_inside_a_monthly_one(self) -> None:
        """EUR 1 a day on vcpu inside EUR 40 a month on everything: 31 + 9 = EUR 40.

        Nothing is held: each day's shortfall of EUR 1 counts in October, the month
        holding it, so the month's minimum is short EUR 9.
        """
        daily = MinimumCommitment(Money("1", EUR), per="day", resource_type="vcpu")
        monthly = MinimumCommitment(Money("40", EUR))
        profile = build([], card=rates(commitments=[monthly, daily]))
        assert profile.lines[0].exact == 9
        assert [line.exact for line in profile.lines[1:]] == [1] * 31
        assert profile.total == Money("40.00", EUR)

    def test_shortfalls_spanning_part_of_a_wider_period(self) -> None:
        """A monthly shortfall counts in a daily scope by the share of its time in the day.

        EUR 31 a month on the service's vcpu, nothing held: a shortfall of EUR 31 over
        October's 31 equal days counts EUR 1 in each day of the EUR 2 a day minimum.
        """
        monthly = MinimumCommitment(Money("31", EUR), resource_type="vcpu", service=SERVICE)
        daily = MinimumCommitment(Money("2", EUR), per="day")
        profile = build([], card=rates(commitments=[daily, monthly]))
        days = profile.lines[:-1]
        assert [line.exact for line in days] == [1] * 31
        assert profile.lines[-1].exact == 31
        assert profile.total == Money("62.00", EUR)

    def test_for_agreement_commitments_on_the_offering_and_an_upgrade(self) -> None:
        """The scopes RateCard.for_agreement makes: the service's, and an upgrade's type in it."""
        card = rates(
            commitments=[
                MinimumCommitment(Money("60", EUR), service=SERVICE),
                MinimumCommitment(Money("50", EUR), resource_type="vcpu", service=SERVICE),
            ]
        )
        profile = build([held("1 vcpu", sept()), held("10 GiB", sept(), kind="memory")], card=card)
        memory = Fraction("0.21")
        assert [line.exact for line in profile.lines[2:]] == [
            60 - 50 - memory,
            50 - Fraction("31.248"),
        ]
        assert profile.exact_total == 60


class TestLeftOut:
    """A profile counts the rows it left out, so a slip in an agreement id shows."""

    def test_rows_of_other_agreements_are_counted_per_id(self) -> None:
        """Per other id, allocations and usage together; an id differing only by case is named."""
        card = rates(Rate("requests", price=Price(Money("0.001", EUR), "request")))
        day = dt.datetime(2026, 10, 3, tzinfo=UTC)
        slip = Allocation(CUSTOMER, "AGR-1", SERVICE, "vcpu", quantity("4 vcpu"), sept())
        theirs = Allocation("zeta", "agr-9", "other", "vcpu", quantity("4 vcpu"), sept())
        their_use = Usage(
            "zeta", "agr-9", SERVICE, "requests", quantity("5 request"), day, day + dt.timedelta(1)
        )
        profile = build([slip, theirs, slip], usage=[their_use], card=card)
        assert profile.total == Money("0.00", EUR)
        left = profile.left_out
        assert left.other_agreements == (("AGR-1", 2), ("agr-9", 2))
        assert (left.allocations, left.usage, left.rows, left.outside_term) == (3, 1, 4, 0)
        assert left.case_only == ("AGR-1",)
        assert left

    def test_nothing_left_out(self) -> None:
        """Rows of the agreement only, or rows of other periods: nothing to report."""
        after = held("4 vcpu", dt.datetime(2026, 11, 1, tzinfo=UTC))
        left = build([held("4 vcpu", sept()), after]).left_out
        assert left == LeftOut(agreement=AGREEMENT)
        assert not left
        assert (left.rows, left.case_only) == (0, ())


class TestAgreementZone:
    """Calendar periods are counted in the agreement's zone, however the period is written."""

    def test_october_written_at_a_fixed_offset(self) -> None:
        """Berlin's October written at +02:00 is still one month of Berlin, held in Berlin."""
        fixed = dt.timezone(dt.timedelta(hours=2))
        written = Period(OCTOBER_BERLIN.start.astimezone(fixed), OCTOBER_BERLIN.end)
        card = rates(commitments=[MinimumCommitment(Money("10", EUR), resource_type="memory")])
        rows = [held("100 GiB", sept(BERLIN), kind="memory")]
        profile = build(rows, written, card=card, zone="Europe/Berlin")
        (line, shortfall) = profile.lines
        assert line.exact == Fraction("2.1")  # one month at EUR 0.021 a GiB
        assert line.held is not None
        assert line.held.start.tzinfo is BERLIN
        assert line.exact == GIB_MONTH.exact_cost(line.quantity, line.held)  # type: ignore[arg-type]
        assert shortfall.exact == Fraction("7.9")
        assert profile == build(rows, written, card=card, zone="Europe/Berlin")
        assert (
            profile.exact_total
            == build(rows, OCTOBER_BERLIN, card=card, zone="Europe/Berlin").exact_total
        )
        days = profile.split("day")
        assert (min(days), max(days), len(days)) == ("2026-10-01", "2026-10-31", 31)

    def test_cut_at_an_instant_written_in_utc(self) -> None:
        """The two parts of a month cut at a UTC instant add up to the month."""
        cut = dt.datetime(2026, 10, 17, 12, tzinfo=UTC)
        rows = [held("100 GiB", sept(BERLIN), kind="memory")]
        head = build(rows, Period(OCTOBER_BERLIN.start, cut), zone="Europe/Berlin")
        tail = build(rows, Period(cut, OCTOBER_BERLIN.end), zone="Europe/Berlin")
        assert head.exact_total + tail.exact_total == Fraction("2.1")
        (line,) = tail.lines
        assert line.held is not None
        assert line.held.start == cut
        assert line.held.start.tzinfo is BERLIN


class TestRefusals:
    """Bad input raises a ValidationError naming the row and what was expected."""

    def test_missing_rate_names_the_row_and_the_rates_known(self) -> None:
        """A service and type the card does not price is refused at the allocation."""
        only_vcpu = RateCard(EUR, [Rate("vcpu", price=VCPU_HOUR)])
        rows = [held("4 vcpu", sept()), held("8 GiB", sept(), kind="memory")]
        with pytest.raises(ValidationError) as refused:
            build(rows, card=only_vcpu)
        expected = (
            "expected a service and resource type the rate card prices (it prices */vcpu), "
            "got 'vm/memory' (string) @ $.allocations[1].resource_type"
        )
        assert [str(p) for p in refused.value.problems] == [expected]

    def test_every_refused_row_is_named(self) -> None:
        """Each row is reported at its index; another customer and service too."""
        only_vcpu = RateCard(EUR, [Rate("vcpu", price=VCPU_HOUR)])
        stranger = Allocation("zeta", AGREEMENT, SERVICE, "vcpu", quantity("1 vcpu"), sept())
        elsewhere = Allocation(CUSTOMER, AGREEMENT, "crm", "vcpu", quantity("1 vcpu"), sept())
        rows = [
            held("8 GiB", sept(), kind="memory"),
            held("8 GiB", sept(), kind="memory"),
            stranger,
            elsewhere,
        ]
        with pytest.raises(ValidationError) as refused:
            build(rows, card=only_vcpu)
        assert refused.value.paths == [
            "$.allocations[0].resource_type",
            "$.allocations[1].resource_type",
            "$.allocations[2].customer",
            "$.allocations[3].service",
        ]

    def test_a_quantity_the_price_does_not_charge(self) -> None:
        """A vcpu allocation counted in GiB is refused at its quantity."""
        with pytest.raises(ValidationError) as refused:
            build([held("4 GiB", sept())])
        assert refused.value.paths == ["$.allocations[0].quantity"]

    def test_wrong_arguments(self) -> None:
        """Every wrong argument is named."""
        with pytest.raises(ValidationError) as refused:
            CostProfile.build("agr", [], [], "2026-10", rates="EUR")  # type: ignore[arg-type]
        assert refused.value.paths == ["$.agreement", "$.period", "$.rates"]
        with pytest.raises(ValidationError) as refused:
            CostProfile.build(agreement(), [5], [], OCTOBER_UTC, rates=rates())  # type: ignore[list-item]
        assert refused.value.paths == ["$.allocations[0]"]
        with pytest.raises(ValidationError) as refused:
            CostProfile.build(agreement(), "rows", [], OCTOBER_UTC, rates=rates())  # type: ignore[arg-type]
        assert refused.value.paths == ["$.allocations"]

    def test_the_rate_card_is_checked_against_the_types(self) -> None:
        """A card that does not suit its types is refused before any row is read."""
        flat = RateCard(EUR, [Rate("vcpu", price=Price(Money("3", EUR), "vcpu"))])
        with pytest.raises(ValidationError) as refused:
            build([], card=flat)
        assert refused.value.paths == ["$.rates[0].price"]


class TestSplit:
    """Splits hand out the rounded total; the parts add up to it exactly."""

    def test_by_service_and_cost_centre(self) -> None:
        """Lines without a value go under the empty key."""
        rows = [
            held("4 vcpu", sept(), cost_centre="sales"),
            held("2 vcpu", sept()),
        ]
        profile = build(rows)
        assert profile.split("service") == {SERVICE: Money("187.49", EUR)}
        assert profile.split("cost_centre") == {
            "": Money("62.50", EUR),
            "sales": Money("124.99", EUR),
        }
        assert sum(profile.split("resource_type").values(), Money.zero(EUR)) == profile.total

    def test_by_day_in_berlin(self) -> None:
        """Thirty-one days; the day the clocks go back holds 25 hours of cost."""
        profile = build([held("4 vcpu", sept(BERLIN))], OCTOBER_BERLIN, zone="Europe/Berlin")
        days = profile.split("day")
        assert len(days) == 31
        assert days["2026-10-24"] == Money("4.03", EUR)  # 24 h: 4.032
        assert days["2026-10-25"] == Money("4.20", EUR)  # 25 h: 4.2
        assert sum(days.values(), Money.zero(EUR)) == profile.total == Money("125.16", EUR)

    def test_by_day_with_usage_and_commitments(self) -> None:
        """Usage counts on its first day; a shortfall is spread by each day's time."""
        card = rates(
            Rate("requests", price=Price(Money("0.001", EUR), "request")),
            commitments=[MinimumCommitment(Money("31", EUR), resource_type="requests")],
        )
        profile = build(
            [], usage=[used("1000 request", dt.datetime(2026, 10, 5, tzinfo=UTC))], card=card
        )
        days = profile.split("day")
        assert days["2026-10-05"] == Money("1.97", EUR)  # 1 + 30/31
        assert days["2026-10-06"] == Money("0.97", EUR)
        assert sum(days.values(), Money.zero(EUR)) == Money("31.00", EUR)

    def test_by_day_spreads_a_usage_over_its_interval(self) -> None:
        """A usage is spread over the days of its interval (those inside the period)."""
        card = rates(Rate("requests", price=Price(Money("0.001", EUR), "request")))
        start = dt.datetime(2026, 10, 5, 12, tzinfo=UTC)
        two_days = Usage(
            CUSTOMER,
            AGREEMENT,
            SERVICE,
            "requests",
            quantity("1000 request"),
            start,
            start + dt.timedelta(days=2),
        )
        late = used("3000 request", dt.datetime(2026, 10, 31, 18, tzinfo=UTC))  # to 1 Nov 18:00
        days = build([], usage=[two_days, late], card=card).split("day")
        assert (days["2026-10-05"], days["2026-10-06"], days["2026-10-07"]) == (
            Money("0.25", EUR),
            Money("0.50", EUR),
            Money("0.25", EUR),
        )
        assert days["2026-10-31"] == Money("3.00", EUR)  # charged whole in October
        assert sum(days.values(), Money.zero(EUR)) == Money("4.00", EUR)

    def test_an_empty_profile_splits_into_zeros(self) -> None:
        """No cost: every day is zero."""
        days = build([]).split("day")
        assert set(days.values()) == {Money("0.00", EUR)}

    def test_unknown_split(self) -> None:
        """Refuses a split it does not know."""
        with pytest.raises(ValidationError) as refused:
            build([]).split("week")  # type: ignore[arg-type]
        assert refused.value.paths == ["$.by"]


class TestRevise:
    """A request is priced for the rest of the billing period and the next one."""

    def resize(self, at: dt.datetime, **changes: Any) -> ResourceRequest:
        fields: dict[str, Any] = {
            "id": "rr-1",
            "kind": ResourceRequestKind.RESIZE,
            "customer": CUSTOMER,
            "agreement": AGREEMENT,
            "service": SERVICE,
            "resource_type": "vcpu",
            "quantity": quantity("8 vcpu"),
            "requested_at": at,
            "requested_by": "ana",
        }
        return ResourceRequest(**{**fields, **changes})

    def test_resize_and_notice(self) -> None:
        """From 17 Oct noon to the end of November: 1068 hours, before and after."""
        noon = dt.datetime(2026, 10, 17, 12, tzinfo=UTC)
        profile = build([held("4 vcpu", sept())])
        revision = revise(profile, self.resize(noon), as_of=noon)
        span = revision.profile.period
        assert (span.start, span.end) == (noon, dt.datetime(2026, 12, 1, tzinfo=UTC))
        assert span.start.tzinfo is timezone("UTC")  # the agreement's zone
        change = revision.change
        assert change.before == Money("179.42", EUR)  # 4 x 1068 x 0.042 = 179.424
        assert change.after == Money("358.85", EUR)  # 8 x 1068 x 0.042 = 358.848
        assert change.difference == Money("179.43", EUR)
        assert change.effective == noon
        notice = revision.notice
        assert notice.sent_by == "ACME-Cloud"
        assert notice.sent_to == frozenset({CUSTOMER})
        assert (notice.sent_at, notice.effective_at) == (noon, noon)
        assert notice.payload is not None
        assert CostChange.from_payload(notice.payload) == change

    def test_a_later_effective_instant_and_sender(self) -> None:
        """A request effective later prices from then; the sender may be named."""
        as_of = dt.datetime(2026, 10, 10, tzinfo=UTC)
        later = dt.datetime(2026, 11, 1, tzinfo=UTC)
        request = self.resize(as_of, effective_at=later)
        revision = revise(
            build([held("4 vcpu", sept())]), request, as_of=as_of, sent_by="acme-cloud"
        )
        assert revision.profile.period.start == later
        assert revision.change.difference == Money("120.96", EUR)  # 4 x 720 x 0.042
        notice = revision.notice
        assert notice.sent_by == "acme-cloud"
        # Sent when the change is priced, effective when it takes effect.
        assert (notice.sent_at, notice.effective_at) == (as_of, later)

    def test_refusals(self) -> None:
        """Another agreement's request, an effect before as_of or after the span, are refused."""
        noon = dt.datetime(2026, 10, 17, 12, tzinfo=UTC)
        profile = build([held("4 vcpu", sept())])
        with pytest.raises(ValidationError) as refused:
            revise(profile, self.resize(noon, agreement="agr-9"), as_of=noon)
        assert refused.value.paths == ["$.request"]
        with pytest.raises(ValidationError) as refused:
            revise(
                profile, self.resize(noon, effective_at=noon), as_of=noon + dt.timedelta(hours=1)
            )
        assert refused.value.paths == ["$.request.effective_at"]
        far = self.resize(noon, effective_at=dt.datetime(2027, 1, 5, tzinfo=UTC))
        with pytest.raises(ValidationError) as refused:
            revise(profile, far, as_of=noon)
        assert refused.value.paths == ["$.request.effective_at"]
        nothing = self.resize(noon, kind=ResourceRequestKind.RELEASE, quantity=None)
        with pytest.raises(ValidationError) as refused:
            revise(build([]), nothing, as_of=noon)
        assert refused.value.paths == ["$.request.resource_id"]

    def test_what_a_request_asks_for_is_refused_at_its_paths(self) -> None:
        """A type or quantity the card cannot price is the request's, not a row's."""
        noon = dt.datetime(2026, 10, 17, 12, tzinfo=UTC)
        only_vcpu = RateCard(EUR, [Rate("vcpu", price=VCPU_HOUR)])
        rows = [held("4 vcpu", sept(), resource_id="vm-1"), held("2 vcpu", sept())]
        profile = build(rows, card=only_vcpu)
        memory = self.resize(
            noon,
            kind=ResourceRequestKind.ALLOCATE,
            resource_type="memory",
            quantity=quantity("8 GiB"),
        )
        wrong_unit = self.resize(
            noon, kind=ResourceRequestKind.ALLOCATE, resource_id="vm-2", quantity=quantity("8 GiB")
        )
        for request, path in [
            (memory, "$.request.resource_type"),
            (wrong_unit, "$.request.quantity"),
        ]:
            with pytest.raises(ValidationError) as refused:
                revise(profile, request, as_of=noon)
            assert refused.value.paths == [path]
        dear = RateCard(EUR, [Rate("vcpu", price=Price(Money("1e20", EUR), "vcpu*hour"))])
        huge = self.resize(noon, quantity=quantity("100000000 vcpu"), resource_id="vm-1")
        with pytest.raises(ValidationError) as refused:  # the total after it is too large
            revise(build(rows, card=dear), huge, as_of=noon)
        assert refused.value.paths == ["$"]
        stranger = Allocation("zeta", AGREEMENT, SERVICE, "vcpu", quantity("1 vcpu"), noon)
        later = CostProfile.build(
            agreement(), [*rows, stranger], [], Period.month(2026, 9, "UTC"), rates=only_vcpu
        )
        with pytest.raises(ValidationError) as refused:  # a row the profile was given
            revise(later, self.resize(noon, resource_id="vm-1"), as_of=noon)
        assert refused.value.paths == ["$.allocations[2].customer"]


class TestBillingPeriods:
    """Billing periods run from the agreement's start, on its wall clock."""

    def test_monthly_from_the_start(self) -> None:
        """A month from 31 January ends on 28 February, then 31 March."""
        terms = agreement(effective_from=dt.datetime(2026, 1, 31, tzinfo=UTC))
        month = relativedelta(months=1)
        feb = billing_period(terms, month, dt.datetime(2026, 3, 1, tzinfo=UTC))
        assert (feb.start.date(), feb.end.date()) == (dt.date(2026, 2, 28), dt.date(2026, 3, 31))
        before = billing_period(terms, month, dt.datetime(2025, 12, 31, tzinfo=UTC))
        assert before.end.date() == dt.date(2026, 1, 31)
        december = billing_period(terms, month, dt.datetime(2026, 12, 15, tzinfo=UTC))
        assert (december.start.date(), december.end.date()) == (
            dt.date(2026, 11, 30),
            dt.date(2026, 12, 31),
        )

    def test_in_the_agreement_zone(self) -> None:
        """A Berlin agreement's months start at Berlin midnight."""
        terms = agreement("Europe/Berlin")
        october = billing_period(
            terms, relativedelta(months=1), dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
        )
        assert october == Period.month(2026, 11, "Europe/Berlin")


class TestCostChange:
    """A cost change is one currency, its difference after less before."""

    def test_rules(self) -> None:
        """A wrong difference or mixed currencies are refused at their paths."""
        at = dt.datetime(2026, 10, 1, tzinfo=UTC)
        one, two = Money("1", EUR), Money("2", EUR)
        with pytest.raises(ValidationError) as refused:
            CostChange(before=one, after=two, difference=two, effective=at)
        assert [str(p) for p in refused.value.problems] == [
            "expected after less before (EUR 1), got EUR 2 @ $.difference"
        ]
        with pytest.raises(ValidationError) as refused:
            CostChange(before=one, after=Money("2", "USD"), difference=one, effective=at)
        assert refused.value.paths == ["$.after"]

    def test_payload_refusals(self) -> None:
        """A payload of another kind, or with broken data, is refused at its path."""
        with pytest.raises(ValidationError) as refused:
            CostChange.from_payload(NoticePayload(kind="amendment"))
        assert refused.value.paths == ["$.kind"]
        broken = NoticePayload(
            kind="cost-change",
            data={
                "currency": EUR,
                "before": "1.0",
                "after": "x",
                "difference": "1",
                "effective": "soon",
            },
        )
        with pytest.raises(ValidationError) as refused:
            CostChange.from_payload(broken)
        assert refused.value.paths == ["$.data.after", "$.data.effective"]

    @given(cost_changes())
    def test_round_trips(self, change: CostChange) -> None:
        """Through the wire format and through a notice's payload."""
        assert from_dict(CostChange, to_dict(change)) == change
        assert CostChange.from_payload(change.to_payload()) == change
        assert change.difference == change.after - change.before


# ---------------------------------------------------------------------- properties
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe")
TYPES = [resource_type("vcpu"), resource_type("memory"), resource_type("storage")]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[str, Period, list[Allocation]]:
    """A zone, October 2026 in it, and allocations held around it."""
    zone = draw(st.sampled_from(ZONES))
    instants = aware_datetimes(
        min_value=dt.datetime(2026, 9, 20),
        max_value=dt.datetime(2026, 11, 10),
        edges=False,
    )
    rows = draw(
        st.lists(
            drawn_allocations(
                customers=[CUSTOMER],
                agreements=[AGREEMENT],
                services=[SERVICE],
                types=TYPES,
                instants=instants,
                max_days=40,
            ),
            max_size=6,
        )
    )
    return zone, Period.month(2026, 10, zone), rows


def _within(draw: st.DrawFn, period: Period) -> dt.datetime:
    micros = draw(st.integers(1, int(period.seconds * 10**6) - 1))
    return (period.start.astimezone(UTC) + dt.timedelta(microseconds=micros)).astimezone(
        period.start.tzinfo
    )


class TestProperties:
    """What holds of every profile."""

    @given(scenarios())
    def test_never_negative_and_each_line_its_exact_cost(self, drawn: Any) -> None:
        """Every line costs what Price.exact_cost says for its quantity and time held."""
        zone, period, rows = drawn
        profile = build(rows, period, zone=zone)
        assert profile.exact_total >= 0
        assert profile.total.amount >= 0
        for line in profile.lines:
            assert line.exact >= 0
            assert line.price is not None
            assert line.exact == line.price.exact_cost(line.quantity, line.held)

    @given(scenarios())
    def test_total_is_the_exact_sum_rounded_once(self, drawn: Any) -> None:
        """The total is total_cost of the priced lines: their exact sum, rounded once."""
        zone, period, rows = drawn
        profile = build(rows, period, zone=zone)
        charges = [(line.price, line.quantity, line.held) for line in profile.lines]
        assert profile.total == total_cost(charges, EUR)  # type: ignore[arg-type]
        assert profile.exact_total == sum((line.exact for line in profile.lines), Fraction(0))

    @given(scenarios(), st.data())
    def test_proration_is_additive(self, drawn: Any, data: st.DataObject) -> None:
        """Cut the period anywhere: the two parts' exact totals add up to the whole's."""
        zone, period, rows = drawn
        cut = _within(data.draw, period)
        whole = build(rows, period, zone=zone)
        head = build(rows, Period(period.start, cut), zone=zone)
        tail = build(rows, Period(cut, period.end), zone=zone)
        assert head.exact_total + tail.exact_total == whole.exact_total

    # Each example prices a drawn scenario twice or more (a tenth of a second or more under
    # coverage): the ci profile runs 50 of them, not 100; dev runs 50, smoke 10.
    @settings(max_examples=examples(50))
    @given(scenarios())
    def test_commitments_add_up_over_calendar_periods(self, drawn: Any) -> None:
        """October and November priced together cost what each priced alone costs.

        Commitments per month and per day are reckoned per calendar period, so a
        period cut at their boundaries splits their shortfalls too.
        """
        zone, october, rows = drawn
        november = Period.month(2026, 11, zone)
        card = rates(
            commitments=[
                MinimumCommitment(Money("150", EUR), resource_type="vcpu"),
                MinimumCommitment(Money("2", EUR), per="day", resource_type="memory"),
            ]
        )
        both = build(rows, Period(october.start, november.end), card=card, zone=zone)
        apart = [build(rows, month, card=card, zone=zone) for month in (october, november)]
        assert both.exact_total == apart[0].exact_total + apart[1].exact_total
        for line in both.lines:
            if line.kind == "commitment":  # each owed for a part of one month, or of one day
                assert line.during is not None
                per = cast("MinimumCommitment", line.source).per
                assert line.during.calendar_count(per) <= 1  # type: ignore[arg-type]

    # Each example prices a drawn scenario twice or more (a tenth of a second or more under
    # coverage): the ci profile runs 50 of them, not 100; dev runs 50, smoke 10. The
    # instant drawn must fall inside the chosen holding, so many draws are set aside;
    # hypothesis's filtering health check then fires on some seeds (CI's smoke run)
    # although every example it keeps checks the rule.
    @settings(max_examples=examples(50), suppress_health_check=[HealthCheck.filter_too_much])
    @given(scenarios(), st.data())
    def test_releasing_never_raises_the_cost(self, drawn: Any, data: st.DataObject) -> None:
        """An allocation released earlier costs no more."""
        zone, period, rows = drawn
        assume(rows)
        index = data.draw(st.integers(0, len(rows) - 1))
        at = _within(data.draw, period)
        chosen = rows[index]
        assume(chosen.since.astimezone(UTC) < at.astimezone(UTC))
        assume(chosen.until is None or at.astimezone(UTC) < chosen.until.astimezone(UTC))
        released = [*rows[:index], chosen.released(at), *rows[index + 1 :]]
        before = build(rows, period, zone=zone)
        after = build(released, period, zone=zone)
        assert after.exact_total <= before.exact_total

    @given(scenarios())
    def test_split_parts_add_up(self, drawn: Any) -> None:
        """Every split's parts add up to the total exactly."""
        zone, period, rows = drawn
        profile = build(rows, period, zone=zone)
        for by in ("day", "service", "cost_centre", "resource_type"):
            parts = profile.split(by)  # type: ignore[arg-type]
            assert sum(parts.values(), Money.zero(EUR)) == profile.total

    @given(scenarios(), st.data())
    def test_a_notice_says_after_less_before(self, drawn: Any, data: st.DataObject) -> None:
        """The notice's difference is after less before, and reads back from the payload."""
        zone, period, rows = drawn
        profile = build(rows, period, zone=zone)
        at = _within(data.draw, period)
        request = ResourceRequest(
            id="rr-9",
            kind=ResourceRequestKind.ALLOCATE,
            customer=CUSTOMER,
            agreement=AGREEMENT,
            service=SERVICE,
            resource_type="vcpu",
            quantity=quantity(data.draw(st.integers(1, 64)), "vcpu"),
            requested_at=at,
            requested_by="ana",
        )
        revision = revise(profile, request, as_of=at)
        change = revision.change
        assert change.difference == change.after - change.before
        assert change.difference.amount >= 0
        assert revision.notice.payload is not None
        assert CostChange.from_payload(revision.notice.payload) == change
        assert revision.profile.total == change.after


def test_profiles_compare_as_values() -> None:
    """Two builds of the same inputs are equal, pickle, and show their total."""
    rows = [held("4 vcpu", sept())]
    profile = build(rows)
    assert profile == build(rows)
    assert profile != build([*rows, *rows])
    assert pickle.loads(pickle.dumps(profile)) == profile
    assert repr(profile) == (
        "<CostProfile of agr-1 over [2026-10-01T00:00:00+00:00, 2026-11-01T00:00:00+00:00): "
        "1 line, EUR 124.99>"
    )


def test_the_example_files() -> None:
    """examples/data/resources: October in Berlin costs EUR 401.21, by hand.

    vcpu 4 x 745 h + 2 x 396 h + 8 x 349 h at 0.042 (275.688), memory 16 x 745 h at
    0.005 (59.6), an IP address 745 h at 0.004 (2.98), 2 TB at 20 a month (40),
    requests 1,000,000 at 0.0000004 and 200,000 at 0.0000002 (0.44), data transfer 100
    GiB free and 250 at 0.09 (22.5); the EUR 150 vcpu commitment is reached.
    """
    from cloudsms.resources.files import read_allocations, read_usage  # noqa: PLC0415
    from cloudsms.serialization import from_json  # noqa: PLC0415

    data = Path(__file__).parents[1] / "examples" / "data" / "resources"
    terms = from_json(CloudServiceAgreement, (data / "agreement.json").read_text("utf-8"))
    card = from_json(RateCard, (data / "rates.json").read_text("utf-8"))
    profile = CostProfile.build(
        terms,
        read_allocations(data / "allocations.csv"),
        read_usage(data / "usage.csv"),
        OCTOBER_BERLIN,
        rates=card,
    )
    assert profile.exact_total == Fraction("401.208")
    assert profile.total == Money("401.21", EUR)
    assert [line.kind for line in profile.lines].count("usage") == 4
    assert sum(profile.split("cost_centre").values(), Money.zero(EUR)) == profile.total


class TestEdges:
    """Long periods, large amounts, currencies without cents, and every refused usage."""

    def test_a_year_in_berlin_crosses_two_changes(self) -> None:
        """A year holds both DST changes: 8760 hours, the instants converted exactly."""
        year = Period.year(2026, "Europe/Berlin")
        march = dt.datetime(2026, 3, 29, 12, tzinfo=BERLIN)
        november = dt.datetime(2026, 11, 2, tzinfo=BERLIN)
        rows = [held("1 vcpu", march, november), held("1 vcpu", november)]
        profile = build(rows, year, zone="Europe/Berlin")
        spans = [line.held for line in profile.lines]
        assert [span.start for span in spans if span] == [march, november]
        hours = (year.end.astimezone(UTC) - march.astimezone(UTC)) / dt.timedelta(hours=1)
        assert hours == 6661  # from 10:00Z on 29 March to 23:00Z on 31 December
        assert profile.exact_total == 6661 * Fraction("0.042")

    def test_a_period_of_years(self) -> None:
        """Past 400 days every instant is converted on its own; the sums do not change."""
        long = Period(
            dt.datetime(2025, 1, 1, tzinfo=BERLIN), dt.datetime(2027, 1, 1, tzinfo=BERLIN)
        )
        profile = build([held("1 vcpu", sept(BERLIN))], long, zone="Europe/Berlin")
        (line,) = profile.lines
        assert line.held is not None
        assert line.exact == line.held.hours * Fraction("0.042")

    def test_currencies_without_cents(self) -> None:
        """JPY rounds to the yen; a currency without a minor unit keeps the exact total."""
        yen = RateCard("JPY", [Rate("vcpu", price=Price(Money("6.5", "JPY"), "vcpu*hour"))])
        assert build([held("1 vcpu", sept())], card=yen).total == Money("4836", "JPY")
        gold = RateCard("XAU", [Rate("vcpu", price=Price(Money("0.0001", "XAU"), "vcpu*hour"))])
        assert build([held("1 vcpu", sept())], card=gold).total == Money("0.0744", "XAU")

    def test_a_total_too_large(self) -> None:
        """A total of 1E+31 or more is refused; a line says so when its amount is asked."""
        dear = RateCard(EUR, [Rate("vcpu", price=Price(Money("1e25", EUR), "vcpu*hour"))])
        with pytest.raises(ValidationError) as refused:
            build([held("1000000 vcpu", sept())], card=dear)
        assert refused.value.paths == ["$"]
        gold = RateCard("XAU", [Rate("vcpu", price=Price(Money("1e25", "XAU"), "vcpu*hour"))])
        with pytest.raises(ValidationError) as refused:
            build([held("1000000 vcpu", sept())], card=gold)
        assert refused.value.paths == ["$"]

    def test_fifty_problems_then_a_count(self) -> None:
        """A file of bad rows is reported by its first fifty and a count of the rest."""
        rows = [held("1 GiB", sept(), kind="ip_address")] * 60
        with pytest.raises(ValidationError) as refused:
            build(rows)
        assert len(refused.value.problems) == 51
        assert refused.value.problems[-1].got == "10 more rows with problems"

    def test_an_unknown_type_and_a_metered_allocation(self) -> None:
        """An allocation of a type nobody knows, or of a metered type, is refused."""
        card = rates(Rate("requests", price=Price(Money("0.001", EUR), "request")))
        rows = [held("1 vcpu", sept(), kind="gpu"), held("5 request", sept(), kind="requests")]
        with pytest.raises(ValidationError) as refused:
            build(rows, card=card)
        assert refused.value.paths == [
            "$.allocations[0].resource_type",
            "$.allocations[1].resource_type",
        ]
        assert refused.value.problems[1].got == "'requests (metered)' (string)"

    def test_refused_usage(self) -> None:
        """Usage is refused at its row: not a Usage, another customer, no rate, a wrong unit."""
        card = RateCard(EUR, [Rate("requests", price=Price(Money("0.001", EUR), "request"))])
        day = dt.datetime(2026, 10, 3, tzinfo=UTC)
        stranger = Usage(
            "zeta",
            AGREEMENT,
            SERVICE,
            "requests",
            quantity("1 request"),
            day,
            day + dt.timedelta(hours=1),
        )
        theirs = Usage(
            "zeta",
            "agr-9",
            SERVICE,
            "requests",
            quantity("1 request"),
            day,
            day + dt.timedelta(hours=1),
        )
        rows: list[Any] = [
            5,
            stranger,
            theirs,
            used("1 GiB", day, kind="data_transfer"),
            used("1 GiB", day),
        ]
        with pytest.raises(ValidationError) as refused:
            build([], usage=rows, card=card)
        assert refused.value.paths == [
            "$.usage[0]",
            "$.usage[1].customer",
            "$.usage[3].resource_type",
            "$.usage[4].quantity",
        ]

    def test_refused_tiered_usage(self) -> None:
        """A usage the tiers cannot count is refused at its quantity."""
        tiered = RateCard(
            EUR,
            [
                Rate(
                    "requests",
                    tiers=(
                        Tier(quantity("10 request"), Price(Money("1", EUR), "request")),
                        Tier(None, Price(Money("0.5", EUR), "request")),
                    ),
                )
            ],
        )
        with pytest.raises(ValidationError) as refused:
            build([], usage=[used("1 GiB", dt.datetime(2026, 10, 3, tzinfo=UTC))], card=tiered)
        assert refused.value.paths == ["$.usage[0].quantity"]
        nothing = build(
            [], usage=[used("0 request", dt.datetime(2026, 10, 3, tzinfo=UTC))], card=tiered
        )
        assert [(str(line.quantity), line.exact) for line in nothing.lines] == [("0 request", 0)]

    def test_wrong_types_table(self) -> None:
        """A types table that is not a list of ResourceType values is refused."""
        with pytest.raises(ValidationError) as refused:
            CostProfile.build(agreement(), [], [], OCTOBER_UTC, rates=rates(), types=5)  # type: ignore[arg-type]
        assert refused.value.paths == ["$.types"]
        with pytest.raises(ValidationError) as refused:
            CostProfile.build(agreement(), [], [], OCTOBER_UTC, rates=rates(), types=[5])  # type: ignore[list-item]
        assert refused.value.paths == ["$.types[0]"]
        own = CostProfile.build(
            agreement(), [held("1 vcpu", sept())], [], OCTOBER_UTC, rates=rates(), types=TYPES
        )
        assert own.types == tuple(TYPES)

    def test_lines_are_not_other_things(self) -> None:
        """A line never equals a value of another type; a profile names its currency."""
        profile = build([held("1 vcpu", sept())])
        (line,) = profile.lines
        assert line != "line"
        assert profile.currency == EUR

    def test_one_calendar_for_prices_of_one_period(self) -> None:
        """Memory in GiB and in MiB: two buckets, one calendar of months, exact shares."""
        rows = [held("1 GiB", sept(), kind="memory"), held("1024 MiB", sept(), kind="memory")]
        profile = build(rows)
        assert [line.exact for line in profile.lines] == [Fraction("0.021")] * 2

    def test_large_split_weights(self) -> None:
        """Weights too large for allocate are handed out by the same rule."""
        from cloudsms.resources.cost import _split  # noqa: PLC0415

        weights = [Fraction(10**40 + 1), Fraction(2 * 10**40 + 1)]
        assert _split(Money("0.05", EUR), weights) == allocate(Money("0.05", EUR), [1, 2])
        tiny = [Fraction(1), Fraction(10**31), Fraction(10**31 - 1)]  # 1E-31 of the largest
        assert _split(Money("0.05", EUR), tiny) == (
            Money("0.00", EUR),
            Money("0.03", EUR),
            Money("0.02", EUR),
        )
        long = [Fraction(10**70 + 1, 10**70), Fraction(1)]  # terms of 71 digits
        assert _split(Money("0.05", EUR), long) == (Money("0.03", EUR), Money("0.02", EUR))
        thirds = [Fraction(10**40 + 1, 3), Fraction(10**40 + 2, 3), Fraction(10**40 + 4, 3)]
        assert _split(Money("10.00", EUR), thirds) == (
            Money("3.33", EUR),
            Money("3.33", EUR),
            Money("3.34", EUR),
        )


class TestReviseRefusals:
    """revise refuses what is not a profile or a request, and a provider with no id."""

    def test_wrong_arguments_and_sender(self) -> None:
        """Names the argument; a provider name that makes no id asks for sent_by."""
        noon = dt.datetime(2026, 10, 17, 12, tzinfo=UTC)
        request = TestRevise().resize(noon)
        with pytest.raises(ValidationError) as refused:
            revise("profile", request, as_of=noon)  # type: ignore[arg-type]
        assert refused.value.paths == ["$.profile"]
        profile = build([held("4 vcpu", sept())])
        with pytest.raises(ValidationError) as refused:
            revise(profile, "request", as_of=noon)  # type: ignore[arg-type]
        assert refused.value.paths == ["$.request"]
        odd = CostProfile.build(
            agreement(provider="!!!"), profile.allocations, (), OCTOBER_UTC, rates=rates()
        )
        with pytest.raises(ValidationError) as refused:
            revise(odd, request, as_of=noon)
        assert refused.value.paths == ["$.sent_by"]
        plain = CostProfile.build(
            agreement(provider="acme-cloud"), profile.allocations, (), OCTOBER_UTC, rates=rates()
        )
        assert revise(plain, request, as_of=noon).notice.sent_by == "acme-cloud"

    def test_payload_of_the_wrong_shape(self) -> None:
        """A payload that is not one, or names no currency, is refused."""
        with pytest.raises(ValidationError) as refused:
            CostChange.from_payload("payload")  # type: ignore[arg-type]
        assert refused.value.paths == ["$"]
        with pytest.raises(ValidationError) as refused:
            CostChange.from_payload(NoticePayload(kind="cost-change", data={"currency": 5}))
        assert refused.value.paths == ["$.data.currency"]
