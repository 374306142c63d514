"""Capacity plans: utilisation, growth projections, threshold dates, reclaimable capacity (S11).

ISO/IEC 20000-1:2011 6.5 (capacity management): current and forecast capacity
against thresholds, the growth pattern identified, unused capacity recovered.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.periods import timezone
from cloudsms.resources import Allocation, PoolCapacity, ResourcePool, Usage, resource_type
from cloudsms.resources.capacity import (
    CapacityLeftOut,
    CapacityLine,
    CapacityPlan,
    CapacitySample,
    Projection,
    ThresholdDate,
    Thresholds,
)
from cloudsms.testing._capacity import thresholds
from cloudsms.testing._resources import allocations
from cloudsms.testing._strategies import aware_datetimes
from cloudsms.units import format_quantity, quantity

from conftest import examples

UTC = dt.UTC
BERLIN = timezone("Europe/Berlin")
JAN1 = dt.datetime(2026, 1, 1, tzinfo=UTC)
MAR1 = dt.datetime(2026, 3, 1, tzinfo=UTC)
SLOW_PLANS = settings(
    max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SLOW = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def pool(*capacities: str, location: str = "eu-central") -> ResourcePool:
    """A pool in ``location`` with a capacity per text such as ``"vcpu 100 vcpu"``."""
    return ResourcePool(
        "fra-1",
        "Frankfurt 1",
        location,
        [
            PoolCapacity(text.split(" ", 1)[0], quantity(text.split(" ", 1)[1]))
            for text in capacities
        ],
    )


def held(
    amount: str, since: dt.datetime, until: dt.datetime | None = None, **more: Any
) -> Allocation:
    """``amount`` (such as ``"4 vcpu"``) held by acme for its vm service under agr-1."""
    kind = more.pop("resource_type", quantity(amount).units and amount.split(" ", 1)[1])
    type_id = {"vcpu": "vcpu", "GiB": "memory", "TB": "storage"}.get(kind, kind)
    return Allocation("acme", "agr-1", "vm", type_id, quantity(amount), since, until, **more)


def daily(days: int, start: dt.datetime = JAN1) -> list[Allocation]:
    """One more vcpu from each of the ``days`` days after ``start`` (held from then on)."""
    return [
        held("1 vcpu", start + dt.timedelta(days=n), resource_id=f"vm-{n}")
        for n in range(1, days + 1)
    ]


def dates(line: CapacityLine) -> list[tuple[str, dt.date | None, bool]]:
    """Each threshold date of ``line`` as (name, day, already)."""
    return [(d.name, d.on, d.already) for d in line.dates]


# The seasonal case: 36 months of 100 vcpu + 2 vcpu a month + a season. The season is
# symmetric about the middle of the year (it sums to zero and is uncorrelated with the
# month's place in the year), so the least-squares trend over three whole years is the
# true one, every residual is the season itself and the fit is perfect.
SEASON = (10, 0, -5, -5, 0, 0, 0, 0, -5, -5, 0, 10)


def seasonal_history() -> list[Allocation]:
    """Each month of 2023 to 2025 holds 100 + 2k + SEASON[month] vcpu (k = 0 in January 2023)."""
    found = []
    for k in range(36):
        year, month = 2023 + k // 12, k % 12 + 1
        start = dt.datetime(year, month, 1, tzinfo=UTC)
        end = None if k == 35 else start + relativedelta(months=1)  # December 2025 stays held
        amount = 100 + 2 * k + SEASON[month - 1]
        found.append(held(f"{amount} vcpu", start, end, resource_id=f"m{k}"))
    return found


class TestThresholds:
    """Thresholds: exact fractions, 0 < warn < act <= 1."""

    def test_defaults(self) -> None:
        """Defaults to warn at 3/4 and act at 9/10 of the capacity."""
        assert (Fraction(3, 4), Fraction(9, 10)) == (Thresholds().warn, Thresholds().act)

    @pytest.mark.parametrize(
        ("given", "read"),
        [
            (Fraction(2, 3), Fraction(2, 3)),
            (Decimal("0.8"), Fraction(4, 5)),
            ("0.85", Fraction(17, 20)),
            ("5/7", Fraction(5, 7)),
            (1, Fraction(1)),
        ],
    )
    def test_accepts_exact_numbers(self, given: object, read: Fraction) -> None:
        """Reads a Fraction, a Decimal, text and an int as the exact Fraction they say."""
        assert read == Thresholds(warn=Fraction(1, 2), act=given).act  # type: ignore[arg-type]

    @pytest.mark.parametrize("given", [0.9, True, "90 %", "1/0", " 0.9", "1e-99999", None, 0, 2])
    def test_refuses_what_is_not_a_fraction_up_to_one(self, given: object) -> None:
        """Refuses a float, a bool, other text, zero and more than the whole capacity at $.act."""
        with pytest.raises(ValidationError) as info:
            Thresholds(warn=Fraction(1, 2), act=given)  # type: ignore[arg-type]
        assert info.value.paths == ["$.act"]

    def test_message_of_a_float(self) -> None:
        """Says what it takes instead of a float."""
        with pytest.raises(ValidationError) as info:
            Thresholds(warn=0.5)  # type: ignore[arg-type]
        assert info.value.errors == [
            (
                "expected a fraction of the capacity above 0 and at most 1 (a Fraction, Decimal"
                " or int, or text such as '0.75' or '3/4'; no float), got 0.5 (number) @ $.warn"
            )
        ]

    def test_warn_below_act(self) -> None:
        """Refuses a warn level at or above the act level, at $.warn."""
        with pytest.raises(ValidationError) as info:
            Thresholds(warn="0.9", act="9/10")
        assert info.value.errors == ["expected a fraction below act (0.9), got 0.9 @ $.warn"]

    def test_above_one(self) -> None:
        """Names the range when a fraction is beyond the whole capacity."""
        with pytest.raises(ValidationError) as info:
            Thresholds(act="4/3")
        assert info.value.errors == [
            "expected a fraction of the capacity above 0 and at most 1, got 4/3 @ $.act"
        ]

    @given(thresholds())
    def test_strategy_draws_valid_thresholds(self, drawn: Thresholds) -> None:
        """The public strategy draws 0 < warn < act <= 1."""
        assert 0 < drawn.warn < drawn.act <= 1


class TestLinearProjection:
    """A least-squares line through the amount held at 00:00 UTC of each day."""

    def test_one_more_vcpu_a_day(self) -> None:
        """Finds the dates of a history growing by one vcpu a day, computed by hand.

        One vcpu more from each day from 2 January 2026: at 00:00 UTC of a day, as
        many vcpu are held as days have passed since 1 January. The samples run from
        2 January (the first holding, 1 vcpu) to 1 March (59 vcpu): 59 points on the
        line held = 1 + x (x = days since 2 January), r² = 1. Of 100 vcpu, 75 (warn)
        are held 75 days after 1 January: 31 in January, 28 in February, 16 in March,
        so on 17 March; 90 (act) 31 days after 1 March, on 1 April; 100 (full) on 11
        April.
        """
        line = CapacityPlan.build(pool("vcpu 100 vcpu"), daily(59), as_of=MAR1).line("vcpu")
        projection = line.projection
        assert ("59 vcpu", Fraction(59, 100)) == (str(line.held), line.utilisation)
        assert ("linear", 59, Fraction(1)) == (
            projection.method,
            projection.samples,
            projection.r_squared,
        )
        assert (dt.date(2026, 1, 2), Fraction(1), Fraction(1)) == (
            projection.origin,
            projection.intercept,
            projection.slope_per_day,
        )
        assert Fraction(75) == projection.at(dt.date(2026, 3, 17))
        assert [
            ("warn", dt.date(2026, 3, 17), False),
            ("act", dt.date(2026, 4, 1), False),
            ("full", dt.date(2026, 4, 11), False),
        ] == dates(line)

    def test_a_fit_that_is_not_perfect(self) -> None:
        """Fits three samples 1, 4, 4 as 3/2 + 3/2 x with r² 3/4, computed by hand.

        1 vcpu from 1 January, 3 more from noon: held 1, 4, 4 at 00:00 UTC of 1, 2, 3
        January (x = 0, 1, 2). n = 3, Σx = 3, Σx² = 5, Σy = 9, Σxy = 12, Σy² = 33;
        n·Σx² - (Σx)² = 6, so the slope is (3·12 - 3·9)/6 = 3/2 and the intercept
        (9·5 - 3·12)/6 = 3/2; r² = 9² / (6 · (3·33 - 81)) = 3/4. Of 10 vcpu, 7.5 needs
        x ≥ 4 (reached exactly on 5 January), 9 needs x ≥ 5 (6 January) and 10 needs
        x ≥ 17/3 (7 January).
        """
        holdings = [held("1 vcpu", JAN1), held("3 vcpu", JAN1.replace(hour=12))]
        as_of = dt.datetime(2026, 1, 3, 6, tzinfo=UTC)
        line = CapacityPlan.build(pool("vcpu 10 vcpu"), holdings, as_of=as_of).line("vcpu")
        projection = line.projection
        assert [p.held for p in projection.points] == [Fraction(1), Fraction(4), Fraction(4)]
        assert (projection.slope, projection.intercept, projection.r_squared) == (
            Fraction(3, 2),
            Fraction(3, 2),
            Fraction(3, 4),
        )
        assert dates(line) == [
            ("warn", dt.date(2026, 1, 5), False),
            ("act", dt.date(2026, 1, 6), False),
            ("full", dt.date(2026, 1, 7), False),
        ]

    def test_samples_begin_once_the_history_has(self) -> None:
        """Takes the first sample at the first 00:00 UTC at or after the first holding."""
        line = CapacityPlan.build(
            pool("vcpu 10 vcpu"),
            [held("3 vcpu", JAN1.replace(hour=12))],
            as_of=dt.datetime(2026, 1, 3, tzinfo=UTC),
        ).line("vcpu")
        assert [(p.on, p.held) for p in line.projection.points] == [
            (dt.date(2026, 1, 2), Fraction(3)),
            (dt.date(2026, 1, 3), Fraction(3)),
        ]
        assert [d.on for d in line.dates] == [None, None, None]

    def test_dates_stop_at_the_horizon(self) -> None:
        """Gives a date on the horizon's last day, and none after it."""
        line = CapacityPlan.build(
            pool("vcpu 100 vcpu"), daily(59), as_of=MAR1, horizon=relativedelta(months=1)
        ).line("vcpu")
        assert [dt.date(2026, 3, 17), dt.date(2026, 4, 1), None] == [d.on for d in line.dates]

    def test_a_horizon_shorter_than_a_day(self) -> None:
        """Looks for no day when the horizon ends before the next day begins."""
        line = CapacityPlan.build(
            pool("vcpu 100 vcpu"), daily(59), as_of=MAR1, horizon=relativedelta(hours=1)
        ).line("vcpu")
        assert [d.on for d in line.dates] == [None, None, None]

    def test_a_flat_history_reaches_nothing(self) -> None:
        """Gives no date and no r² for a history that never changes."""
        line = CapacityPlan.build(pool("vcpu 100 vcpu"), [held("40 vcpu", JAN1)], as_of=MAR1).line(
            "vcpu"
        )
        assert (Fraction(0), None) == (line.projection.slope, line.projection.r_squared)
        assert [d.on for d in line.dates] == [None, None, None]

    def test_a_falling_history_reaches_nothing(self) -> None:
        """Gives no date when holdings are being released."""
        released = [
            held("1 vcpu", JAN1, JAN1 + dt.timedelta(days=n), resource_id=f"vm-{n}")
            for n in range(1, 60)
        ]
        line = CapacityPlan.build(pool("vcpu 100 vcpu"), released, as_of=MAR1).line("vcpu")
        assert line.projection.slope < 0
        assert [d.on for d in line.dates] == [None, None, None]

    def test_the_next_day_when_the_line_is_above_already(self) -> None:
        """Gives the first day after as_of when the line is above a level not held yet."""
        # 10 vcpu held for 59 days, then released a day before as_of: the line stays
        # near 10 while nothing is held at as_of.
        line = CapacityPlan.build(
            pool("vcpu 12 vcpu"),
            [held("10 vcpu", JAN1, MAR1 - dt.timedelta(hours=1))],
            as_of=MAR1,
        ).line("vcpu")
        assert str(line.held) == "0 vcpu"
        assert ("warn", dt.date(2026, 3, 2), False) == dates(line)[0]

    def test_never_before_the_first_day_after_as_of(self) -> None:
        """Dates a level the rising line passed before as_of by the first day after as_of.

        10 vcpu more from each of 1 to 4 January (00:00 UTC), all released at 06:00 on
        4 January; as_of is 12:00 that day. The samples at 00:00 of 1 to 4 January are
        10, 20, 30, 40: the line 10 + 10x (x = days since 1 January), r² 1. Nothing is
        held at as_of. Of 40 vcpu, warn (30) is on the line from x = 2 (3 January), act
        (36) from x = 3 (4 January), full (40) from x = 3: all before as_of's day is
        over, so each is dated 5 January (x = 4), the first day whose 00:00 UTC is
        after as_of, never a day already past.
        """
        release = dt.datetime(2026, 1, 4, 6, tzinfo=UTC)
        holdings = [
            held("10 vcpu", JAN1 + dt.timedelta(days=n), release, resource_id=f"vm-{n}")
            for n in range(4)
        ]
        line = CapacityPlan.build(
            pool("vcpu 40 vcpu"), holdings, as_of=dt.datetime(2026, 1, 4, 12, tzinfo=UTC)
        ).line("vcpu")
        projection = line.projection
        assert ("linear", 4, Fraction(1), Fraction(10), Fraction(10)) == (
            projection.method,
            projection.samples,
            projection.r_squared,
            projection.intercept,
            projection.slope,
        )
        assert str(line.held) == "0 vcpu"
        assert [(d.name, d.on, d.already, d.by) for d in line.dates] == [
            ("warn", dt.date(2026, 1, 5), False, "projection"),
            ("act", dt.date(2026, 1, 5), False, "projection"),
            ("full", dt.date(2026, 1, 5), False, "projection"),
        ]


class TestSeasonalProjection:
    """A trend over the months plus an index per month of the year, from two years on."""

    def test_a_known_trend_and_season(self) -> None:
        """Recovers 100 + 2k + the season exactly from 36 months (r² 1), computed by hand.

        From January 2026 (k = 36) the projection is 100 + 2k + SEASON: January 182,
        ..., October 185, November 192. Of 250 vcpu, 187.5 (warn) is first reached in
        November 2026; 225 (act) needs 2k + SEASON ≥ 125: December 2027 (k = 59, 228)
        is the first; 250 (full) needs 150: December 2028 (k = 71, 252), within three
        years of 1 January 2026.
        """
        line = CapacityPlan.build(
            pool("vcpu 250 vcpu"), seasonal_history(), as_of=dt.datetime(2026, 1, 1, tzinfo=UTC)
        ).line("vcpu")
        projection = line.projection
        assert ("seasonal", 36, Fraction(1)) == (
            projection.method,
            projection.samples,
            projection.r_squared,
        )
        assert (dt.date(2023, 1, 1), Fraction(100), Fraction(2)) == (
            projection.origin,
            projection.intercept,
            projection.slope,
        )
        assert tuple(Fraction(s) for s in SEASON) == projection.season
        assert Fraction(2) / Fraction(146097, 4800) == projection.slope_per_day
        assert Fraction(185) == projection.at(dt.date(2026, 10, 20))
        assert ("180 vcpu", Fraction(18, 25)) == (str(line.held), line.utilisation)
        assert [
            ("warn", dt.date(2026, 11, 1), False),
            ("act", dt.date(2027, 12, 1), False),
            ("full", dt.date(2028, 12, 1), False),
        ] == dates(line)

    def test_needs_24_whole_months(self) -> None:
        """Fits a line with 23 whole months of history, a season from the 24th."""
        history = seasonal_history()
        first = CapacityPlan.build(
            pool("vcpu 250 vcpu"), history, as_of=dt.datetime(2024, 12, 31, tzinfo=UTC)
        )
        second = CapacityPlan.build(
            pool("vcpu 250 vcpu"), history, as_of=dt.datetime(2025, 1, 1, tzinfo=UTC)
        )
        assert (
            first.line("vcpu").projection.method,
            second.line("vcpu").projection.method,
        ) == ("linear", "seasonal")
        assert second.line("vcpu").projection.samples == 24

    def test_a_partial_first_month_is_left_out(self) -> None:
        """Leaves out the first month when the history starts after its first instant.

        The same 36 months, but January 2023's holding starts one second late: January
        2023 is not whole, so on 1 January 2025 only 23 whole months (February 2023 to
        December 2024) lie behind as_of and the fit is a line; on 1 February 2025 there
        are 24, from February 2023, and the fit is seasonal.
        """
        history = seasonal_history()
        first = history[0]
        history[0] = held(
            format_quantity(first.quantity),
            first.since + dt.timedelta(seconds=1),
            first.until,
            resource_id="m0",
        )
        at = {
            month: CapacityPlan.build(
                pool("vcpu 250 vcpu"), history, as_of=dt.datetime(2025, month, 1, tzinfo=UTC)
            )
            .line("vcpu")
            .projection
            for month in (1, 2)
        }
        assert at[1].method == "linear"
        assert (at[2].method, at[2].samples, at[2].points[0].on) == (
            "seasonal",
            24,
            dt.date(2023, 2, 1),
        )

    def test_the_month_of_as_of_counts_from_the_next_day(self) -> None:
        """Gives the day after as_of when the month of as_of is projected above the level."""
        line = CapacityPlan.build(
            pool("vcpu 250 vcpu"),
            seasonal_history(),
            as_of=dt.datetime(2026, 1, 1, tzinfo=UTC),
            thresholds=Thresholds(warn="0.725", act="0.9"),  # 181.25: January's 182 reaches it
        ).line("vcpu")
        assert ("warn", dt.date(2026, 1, 2), False) == dates(line)[0]

    def test_month_means_are_weighted_by_time(self) -> None:
        """Takes each month's mean held by the time held, not a sample at its start."""
        history = [held("100 vcpu", dt.datetime(2023, 1, 1, tzinfo=UTC), resource_id="base")]
        history.append(  # 31 vcpu more for the second half of January 2024 (from the 16th)
            held(
                "31 vcpu",
                dt.datetime(2024, 1, 16, tzinfo=UTC),
                dt.datetime(2024, 2, 1, tzinfo=UTC),
                resource_id="peak",
            )
        )
        projection = (
            CapacityPlan.build(
                pool("vcpu 250 vcpu"), history, as_of=dt.datetime(2025, 1, 1, tzinfo=UTC)
            )
            .line("vcpu")
            .projection
        )
        january_2024 = projection.points[12]
        assert (dt.date(2024, 1, 1), Fraction(116)) == (january_2024.on, january_2024.held)


class TestCapacityLine:
    """What a line holds: the pool's holdings of the type, now and scheduled."""

    def test_scheduled_peak_is_capacity_less_free(self) -> None:
        """Counts a holding scheduled to start later in the peak, not in what is held."""
        the_pool = pool("vcpu 64 vcpu")
        holdings = [held("48 vcpu", JAN1), held("8 vcpu", MAR1 + dt.timedelta(days=20))]
        line = CapacityPlan.build(the_pool, holdings, as_of=MAR1).line("vcpu")
        assert (str(line.held), str(line.scheduled_peak)) == ("48 vcpu", "56 vcpu")
        assert quantity("8 vcpu") == the_pool.free(holdings, "vcpu", MAR1)

    def test_counts_the_pools_holdings_as_free_does(self) -> None:
        """Counts holdings of the pool's location and of none; not another location's or type's."""
        holdings = [
            held("4 vcpu", JAN1, location="eu-central"),
            held("2 vcpu", JAN1),
            held("16 vcpu", JAN1, location="us-east"),
            held("32 GiB", JAN1, location="eu-central"),
        ]
        line = CapacityPlan.build(pool("vcpu 64 vcpu"), holdings, as_of=MAR1).line("vcpu")
        assert str(line.held) == "6 vcpu"

    def test_converts_to_the_capacitys_unit(self) -> None:
        """Gives what is held in the capacity's unit, exactly (500 GiB is 0.536870912 TB)."""
        line = CapacityPlan.build(
            pool("storage 200 TB"), [held("500 GiB", JAN1, resource_type="storage")], as_of=MAR1
        ).line("storage")
        assert format_quantity(line.held) == "0.536870912 TB"
        assert Fraction(536870912, 200 * 10**9) == line.utilisation

    def test_one_line_per_capacity_in_the_pools_order(self) -> None:
        """Gives a line per capacity of the pool, in order, those without holdings too."""
        plan = CapacityPlan.build(
            pool("memory 2048 GiB", "vcpu 512 vcpu"), [held("4 vcpu", JAN1)], as_of=MAR1
        )
        assert [line.resource_type for line in plan.lines] == ["memory", "vcpu"]
        empty = plan.line("memory")
        assert (
            format_quantity(empty.held),
            empty.projection.method,
            empty.projection.samples,
        ) == ("0 GiB", "none", 0)

    def test_a_zero_capacity_is_full(self) -> None:
        """Has no utilisation for a capacity of zero and counts every threshold reached."""
        line = CapacityPlan.build(pool("vcpu 0 vcpu"), [], as_of=MAR1).line("vcpu")
        assert line.utilisation is None
        assert [d.already for d in line.dates] == [True, True, True]

    def test_already_reached_on_as_ofs_utc_date(self) -> None:
        """Marks a level held at as_of as reached already, on as_of's UTC date."""
        as_of = dt.datetime(2026, 3, 1, 0, 30, tzinfo=BERLIN)  # still 28 February in UTC
        line = CapacityPlan.build(
            pool("vcpu 100 vcpu"), [held("80 vcpu", JAN1)], as_of=as_of
        ).line("vcpu")
        assert [
            ("warn", dt.date(2026, 2, 28), True),
            ("act", None, False),
            ("full", None, False),
        ] == dates(line)

    def test_one_convention_for_every_date(self) -> None:
        """Dates a level held already and one reached later by the same UTC days.

        as_of is 2024-03-01T00:30+01:00, 2024-02-29T23:30 UTC. 80 of 100 vcpu are held
        (warn, 75, already: on 29 February, as_of's UTC date); 15 more are booked from
        2024-02-29T23:45 UTC (act, 90, reached then: 29 February too) and 5 more from
        2024-03-01T00:10 UTC (full: 1 March). Were the first date as_of's local date
        (1 March), an earlier level would be dated after a later one.
        """
        as_of = dt.datetime(2024, 3, 1, 0, 30, tzinfo=BERLIN)
        holdings = [
            held("80 vcpu", dt.datetime(2024, 1, 1, tzinfo=UTC)),
            held("15 vcpu", dt.datetime(2024, 2, 29, 23, 45, tzinfo=UTC)),
            held("5 vcpu", dt.datetime(2024, 3, 1, 0, 10, tzinfo=UTC)),
        ]
        line = CapacityPlan.build(pool("vcpu 100 vcpu"), holdings, as_of=as_of).line("vcpu")
        assert [(d.name, d.on, d.already, d.by) for d in line.dates] == [
            ("warn", dt.date(2024, 2, 29), True, "held"),
            ("act", dt.date(2024, 2, 29), False, "scheduled"),
            ("full", dt.date(2024, 3, 1), False, "scheduled"),
        ]

    def test_thresholds_per_type(self) -> None:
        """Takes thresholds per type; a type left out gets the defaults."""
        plan = CapacityPlan.build(
            pool("vcpu 100 vcpu", "memory 100 GiB"),
            [held("70 vcpu", JAN1), held("70 GiB", JAN1)],
            as_of=MAR1,
            thresholds={"vcpu": Thresholds(warn="0.5", act="0.8")},
        )
        assert [line.date_of("warn").already for line in plan.lines] == [True, False]
        assert Thresholds() == plan.line("memory").thresholds

    def test_reclaimable_needs_usage(self) -> None:
        """Has no reclaimable capacity without usage (None, not zero), and sums the candidates."""
        holdings = [
            held("4 vcpu", JAN1, resource_id="idle"),
            held("2 vcpu", JAN1, resource_id="busy"),
        ]
        busy = Usage(
            "acme",
            "agr-1",
            "vm",
            "vcpu",
            quantity("10 vcpu*hour"),
            MAR1 - dt.timedelta(days=2),
            MAR1 - dt.timedelta(days=1),
            resource_id="busy",
        )
        without = CapacityPlan.build(pool("vcpu 64 vcpu"), holdings, as_of=MAR1).line("vcpu")
        with_usage = CapacityPlan.build(
            pool("vcpu 64 vcpu"), holdings, as_of=MAR1, usage=[busy], unused_for=14
        ).line("vcpu")
        assert (without.reclaimable, without.candidates) == (None, ())
        assert str(with_usage.reclaimable) == "4 vcpu"
        assert [c.allocation.resource_id for c in with_usage.candidates] == ["idle"]

    def test_no_reclaimable_capacity_is_zero(self) -> None:
        """Gives zero reclaimable with usage and no candidate."""
        line = CapacityPlan.build(
            pool("vcpu 64 vcpu"), [held("4 vcpu", MAR1)], as_of=MAR1, usage=[]
        ).line("vcpu")
        assert str(line.reclaimable) == "0 vcpu"

    def test_line_and_date_lookups(self) -> None:
        """Looks lines up by type and dates by name, suggesting close names."""
        plan = CapacityPlan.build(pool("vcpu 64 vcpu"), [], as_of=MAR1)
        assert plan.line("vcpu").date_of("act").name == "act"
        with pytest.raises(UnknownReference, match="did you mean vcpu"):
            plan.line("vpcu")
        with pytest.raises(UnknownReference, match="did you mean warn"):
            plan.line("vcpu").date_of("wran")  # type: ignore[arg-type]


class TestScheduledHoldings:
    """A threshold date is the earlier of the booked holdings' day and the projection's."""

    def test_a_booking_reaches_what_the_history_does_not(self) -> None:
        """Dates warn and act on the day 95 vcpu booked for later join the 4 held.

        By hand: 4 vcpu held since 1 January, flat, so the projection reaches nothing.
        From 11 March (as_of + 10 days) 99 of 100 vcpu are held: past 75 and 90 that
        day, never 100.
        """
        booked = MAR1 + dt.timedelta(days=10)
        line = CapacityPlan.build(
            pool("vcpu 100 vcpu"), [held("4 vcpu", JAN1), held("95 vcpu", booked)], as_of=MAR1
        ).line("vcpu")
        assert (str(line.held), str(line.scheduled_peak)) == ("4 vcpu", "99 vcpu")
        assert line.projection.slope == 0
        assert [(d.name, d.on, d.by) for d in line.dates] == [
            ("warn", dt.date(2026, 3, 11), "scheduled"),
            ("act", dt.date(2026, 3, 11), "scheduled"),
            ("full", None, None),
        ]

    def test_the_only_holding_booked_for_later(self) -> None:
        """Dates warn and act by a booking when nothing is held yet and there is no history.

        The only holding, 95 of 100 vcpu, starts on 1 January 2025; as_of is 1 March
        2024. With no history before as_of there is nothing to fit ("none", 0 held
        carried forward), yet from 1 January 2025 95 vcpu are held: past 75 and 90
        that day, never 100.
        """
        line = CapacityPlan.build(
            pool("vcpu 100 vcpu"),
            [held("95 vcpu", dt.datetime(2025, 1, 1, tzinfo=UTC))],
            as_of=dt.datetime(2024, 3, 1, tzinfo=UTC),
        ).line("vcpu")
        assert (str(line.held), str(line.scheduled_peak), line.projection.method) == (
            "0 vcpu",
            "95 vcpu",
            "none",
        )
        assert [(d.name, d.on, d.already, d.by) for d in line.dates] == [
            ("warn", dt.date(2025, 1, 1), False, "scheduled"),
            ("act", dt.date(2025, 1, 1), False, "scheduled"),
            ("full", None, False, None),
        ]

    def test_each_date_from_whichever_comes_first(self) -> None:
        """Takes the booking for warn (5 March, before the line's 17 March), the line for the rest.

        59 vcpu on 1 March and one more a day (the hand case above); 20 vcpu booked
        from noon on 5 March make 79 (the booked holdings add nothing after 1 March
        but these 20), past 75 but not 90.
        """
        booking = held("20 vcpu", dt.datetime(2026, 3, 5, 12, tzinfo=UTC))
        line = CapacityPlan.build(pool("vcpu 100 vcpu"), [*daily(59), booking], as_of=MAR1).line(
            "vcpu"
        )
        assert [(d.name, d.on, d.by) for d in line.dates] == [
            ("warn", dt.date(2026, 3, 5), "scheduled"),
            ("act", dt.date(2026, 4, 1), "projection"),
            ("full", dt.date(2026, 4, 11), "projection"),
        ]

    def test_a_booking_on_the_projections_day_decides(self) -> None:
        """Says "scheduled" when the booking and the projection reach a level the same day."""
        booking = held("16 vcpu", dt.datetime(2026, 3, 17, 6, tzinfo=UTC))  # 59 + 16 = 75
        warn = (
            CapacityPlan.build(pool("vcpu 100 vcpu"), [*daily(59), booking], as_of=MAR1)
            .line("vcpu")
            .date_of("warn")
        )
        assert (warn.on, warn.by) == (dt.date(2026, 3, 17), "scheduled")

    def test_a_booking_of_an_hour_counts(self) -> None:
        """Dates a level a booking reaches for an hour only, not held at any midnight."""
        hour = dt.datetime(2026, 3, 3, 10, tzinfo=UTC)
        line = CapacityPlan.build(
            pool("vcpu 100 vcpu"),
            [held("50 vcpu", JAN1), held("30 vcpu", hour, hour + dt.timedelta(hours=1))],
            as_of=MAR1,
        ).line("vcpu")
        assert [(d.on, d.by) for d in line.dates] == [
            (dt.date(2026, 3, 3), "scheduled"),
            (None, None),
            (None, None),
        ]

    def test_a_booking_past_the_horizon(self) -> None:
        """Leaves out a booking that starts after the horizon ends, and counts it once inside."""
        holdings = [held("4 vcpu", JAN1), held("95 vcpu", dt.datetime(2027, 3, 11, tzinfo=UTC))]
        short, long = (
            CapacityPlan.build(
                pool("vcpu 100 vcpu"), holdings, as_of=MAR1, horizon=relativedelta(years=years)
            ).line("vcpu")
            for years in (1, 2)
        )
        assert [d.on for d in short.dates] == [None, None, None]
        assert [d.on for d in long.dates] == [dt.date(2027, 3, 11), dt.date(2027, 3, 11), None]

    def test_a_booking_later_on_as_ofs_utc_day(self) -> None:
        """Dates a booking made later on as_of's UTC day by that day, as_of's UTC date.

        as_of is 00:30 on 1 March in Berlin, 23:30 on 28 February in UTC; the booking
        starts at 23:45 UTC, so it falls on 28 February, as a level held already would.
        """
        as_of = dt.datetime(2026, 3, 1, 0, 30, tzinfo=BERLIN)
        late = held("95 vcpu", dt.datetime(2026, 2, 28, 23, 45, tzinfo=UTC))
        warn = (
            CapacityPlan.build(pool("vcpu 100 vcpu"), [held("4 vcpu", JAN1), late], as_of=as_of)
            .line("vcpu")
            .date_of("warn")
        )
        assert (warn.on, warn.already, warn.by) == (dt.date(2026, 2, 28), False, "scheduled")

    def test_held_already_says_so(self) -> None:
        """Says "held" of a level held at as_of."""
        line = CapacityPlan.build(pool("vcpu 100 vcpu"), [held("80 vcpu", JAN1)], as_of=MAR1)
        assert [d.by for d in line.line("vcpu").dates] == ["held", None, None]


class TestPoolCheck:
    """The pool is checked against the resource types before any allocation is counted."""

    def test_a_type_typed_wrong(self) -> None:
        """Refuses a capacity of an unknown type at $.pool.capacities[i], suggesting one."""
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(pool("vpcu 100 vcpu"), [held("4 vcpu", JAN1)], as_of=MAR1)
        assert info.value.errors == [
            (
                "expected a known resource type (did you mean vcpu?), got 'vpcu' (string)"
                " @ $.pool.capacities[0].resource_type"
            )
        ]

    def test_a_capacity_in_another_unit_is_the_pools_problem(self) -> None:
        """Names the pool's capacity in GiB for vcpu, not the allocations it cannot count."""
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(
                pool("vcpu 512 GiB"), [held("4 vcpu", JAN1), held("2 vcpu", JAN1)], as_of=MAR1
            )
        assert info.value.errors == [
            (
                "expected a quantity convertible to vcpu, the unit of vcpu, got 512 GiB"
                " @ $.pool.capacities[0].capacity"
            )
        ]

    def test_against_ones_own_types(self) -> None:
        """Checks the pool against ``types`` when given: memory is unknown to a vcpu-only table."""
        only_vcpu = (resource_type("vcpu"),)
        CapacityPlan.build(pool("vcpu 8 vcpu"), [], as_of=MAR1, types=only_vcpu)
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(pool("memory 8 GiB"), [], as_of=MAR1, types=only_vcpu)
        assert info.value.errors == [
            (
                "expected a known resource type (one of vcpu), got 'memory' (string)"
                " @ $.pool.capacities[0].resource_type"
            )
        ]


class TestLeftOut:
    """What the plan did not count as the pool's, counted by reason."""

    def test_counts_other_locations_and_types(self) -> None:
        """Counts allocations of other locations (of any type), and of types the pool lacks.

        eu-centrl is a slip for the pool's eu-central, and EU-Central differs from it
        only by case; vpcu is a slip for vcpu. The two allocations the pool counts are
        not counted here.
        """
        holdings = [
            held("4 vcpu", JAN1, location="eu-central"),
            held("2 vcpu", JAN1),
            held("1 vcpu", JAN1, location="eu-centrl"),
            held("1 vcpu", JAN1, location="eu-centrl"),
            held("1 vcpu", JAN1, location="EU-Central"),
            held("8 GiB", JAN1, location="us-east"),
            held("8 GiB", JAN1, location="eu-central"),
            held("1 vcpu", JAN1, resource_type="vpcu"),
        ]
        plan = CapacityPlan.build(pool("vcpu 100 vcpu"), holdings, as_of=MAR1)
        left = plan.left_out
        assert str(plan.line("vcpu").held) == "6 vcpu"
        assert [(g.name, g.allocations, g.close) for g in left.other_locations] == [
            ("EU-Central", 1, ("eu-central",)),
            ("eu-centrl", 2, ("eu-central",)),
            ("us-east", 1, ()),
        ]
        assert [(g.name, g.allocations, g.close) for g in left.other_types] == [
            ("memory", 1, ()),
            ("vpcu", 1, ("vcpu",)),
        ]
        assert (left.allocations, bool(left)) == (6, True)

    def test_nothing_left_out(self) -> None:
        """Has an empty account when every allocation is the pool's."""
        left = CapacityPlan.build(pool("vcpu 100 vcpu"), daily(3), as_of=MAR1).left_out
        assert (left, left.allocations, bool(left)) == (CapacityLeftOut(), 0, False)

    def test_the_records_refuse_what_they_do_not_hold(self) -> None:
        """Refuses groups that are not LeftOutGroup values, at their index."""
        with pytest.raises(ValidationError) as info:
            CapacityLeftOut(other_locations=[("us-east", 1)], other_types=5)  # type: ignore[list-item,arg-type]
        assert info.value.paths == ["$.other_locations[0]", "$.other_types"]


class TestProjectionRecord:
    """Projection, ThresholdDate and CapacitySample as records."""

    def test_none_carries_what_is_held(self) -> None:
        """Projects the amount held at as_of unchanged when there is no fit."""
        projection = Projection(method="none", points=(), intercept=Fraction(5))
        assert Fraction(5) == projection.at(dt.date(2030, 1, 1))

    def test_at_takes_a_date(self) -> None:
        """Refuses a datetime at $.on: the projection is by whole days."""
        projection = Projection(method="none", points=())
        with pytest.raises(ValidationError) as info:
            projection.at(JAN1)
        assert info.value.paths == ["$.on"]

    def test_a_fit_needs_its_parts(self) -> None:
        """Refuses a fit without an origin or two points, and a linear fit with indices."""
        with pytest.raises(ValidationError) as info:
            Projection(
                method="linear",
                points=(CapacitySample(dt.date(2026, 1, 1), Fraction(1)),),
                season=(Fraction(0),),
            )
        assert info.value.paths == ["$.origin", "$.points", "$.season"]

    def test_lists_of_the_right_items(self) -> None:
        """Refuses points, indices and lines that are not lists of their records."""
        with pytest.raises(ValidationError) as info:
            Projection(method="none", points=5, season=[0.5])  # type: ignore[arg-type]
        assert info.value.paths == ["$.points", "$.season[0]"]
        with pytest.raises(ValidationError) as info:
            Projection(method="none", points=["x"], season=5)  # type: ignore[arg-type]
        assert info.value.paths == ["$.points[0]", "$.season"]
        the_pool = pool("vcpu 1 vcpu")
        with pytest.raises(ValidationError) as info:
            CapacityPlan(pool=the_pool, as_of=MAR1, horizon=relativedelta(years=1), lines=5)  # type: ignore[arg-type]
        assert info.value.paths == ["$.lines"]
        with pytest.raises(ValidationError) as info:
            CapacityPlan(pool=the_pool, as_of=MAR1, horizon=relativedelta(years=1), lines=[5])  # type: ignore[list-item]
        assert info.value.paths == ["$.lines[0]"]

    def test_r_squared_within_zero_and_one(self) -> None:
        """Refuses an r² above 1."""
        with pytest.raises(ValidationError) as info:
            Projection(method="none", points=(), r_squared=Fraction(3, 2))
        assert info.value.paths == ["$.r_squared"]

    def test_a_date_reached_already_has_a_day(self) -> None:
        """Refuses a threshold reached already without its day."""
        with pytest.raises(ValidationError) as info:
            ThresholdDate("warn", Fraction(3, 4), None, True, "held")  # noqa: FBT003 - a field
        assert info.value.paths == ["$.on"]

    @pytest.mark.parametrize(
        ("on", "already", "by"),
        [
            (MAR1.date(), True, "scheduled"),
            (MAR1.date(), True, None),
            (MAR1.date(), False, "held"),
            (MAR1.date(), False, None),
            (None, False, "projection"),
        ],
    )
    def test_by_fits_the_date(self, on: dt.date | None, already: bool, by: str | None) -> None:
        """Refuses a ``by`` that does not say what decided the date, at $.by."""
        with pytest.raises(ValidationError) as info:
            ThresholdDate("warn", Fraction(3, 4), on, already, by)  # type: ignore[arg-type]
        assert info.value.paths == ["$.by"]


class TestErrors:
    """Bad arguments are refused at once, each at its path."""

    def test_every_argument_problem_at_once(self) -> None:
        """Names a wrong pool, a naive as_of, a bad unused_for and a bad horizon together."""
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(
                "fra-1",  # type: ignore[arg-type]
                [],
                as_of=dt.datetime(2026, 3, 1),
                unused_for=0,
                horizon=relativedelta(months=-1),
            )
        assert info.value.paths == ["$.pool", "$.as_of", "$.unused_for", "$.horizon"]
        assert info.value.subject == "capacity plan"

    def test_items_of_the_wrong_type(self) -> None:
        """Names an allocation or usage item that is not one, at its index."""
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(
                pool("vcpu 64 vcpu"),
                [held("4 vcpu", JAN1), "4 vcpu"],  # type: ignore[list-item]
                as_of=MAR1,
                usage=[None],  # type: ignore[list-item]
            )
        assert info.value.paths == ["$.allocations[1]", "$.usage[0]"]

    def test_a_quantity_of_another_dimension(self) -> None:
        """Names the allocation whose quantity does not convert to the capacity's unit."""
        wrong = Allocation("acme", "agr-1", "vm", "vcpu", quantity("4 GiB"), JAN1)
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(pool("vcpu 64 vcpu"), [held("1 vcpu", JAN1), wrong], as_of=MAR1)
        assert (info.value.errors) == [
            "expected a quantity convertible to vcpu, got 4 GiB @ $.allocations[1].quantity"
        ]

    def test_thresholds_of_a_type_the_pool_lacks(self) -> None:
        """Names a thresholds key the pool has no capacity for, suggesting a close one."""
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(
                pool("vcpu 64 vcpu"), [], as_of=MAR1, thresholds={"vpcu": Thresholds()}
            )
        assert info.value.errors == [
            (
                "expected a resource type the pool has capacity for (vcpu); did you mean vcpu?,"
                " got 'vpcu' (string) @ $.thresholds.vpcu"
            )
        ]

    def test_thresholds_that_are_not(self) -> None:
        """Refuses thresholds that are neither Thresholds nor a mapping of them."""
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(pool("vcpu 64 vcpu"), [], as_of=MAR1, thresholds=0.75)  # type: ignore[arg-type]
        assert info.value.paths == ["$.thresholds"]
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(
                pool("vcpu 64 vcpu"),
                [],
                as_of=MAR1,
                thresholds={"vcpu": 0.75},  # type: ignore[dict-item]
            )
        assert info.value.paths == ["$.thresholds.vcpu"]

    def test_a_horizon_past_the_supported_range(self) -> None:
        """Refuses a horizon that ends after the last supported instant, at $.horizon."""
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(
                pool("vcpu 64 vcpu"),
                [],
                as_of=dt.datetime(8500, 1, 1, tzinfo=UTC),
                horizon=relativedelta(years=999),
            )
        assert info.value.paths == ["$.horizon"]

    def test_allocations_not_iterable(self) -> None:
        """Refuses allocations that are not an iterable of Allocation."""
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(pool("vcpu 64 vcpu"), 5, as_of=MAR1)  # type: ignore[arg-type]
        assert info.value.paths == ["$.allocations"]
        with pytest.raises(ValidationError) as info:
            CapacityPlan.build(pool("vcpu 64 vcpu"), [5], as_of=MAR1)  # type: ignore[list-item]
        assert [(p.path, p.expected) for p in info.value.problems] == [
            ("$.allocations[0]", "an Allocation")
        ]


# ---------------------------------------------------------------------- properties
VCPU = (resource_type("vcpu"),)
WINDOW = aware_datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2026, 6, 1),
    edges=False,
)
HISTORIES = st.lists(
    allocations(types=VCPU, instants=WINDOW, max_days=400, texts=st.just("eu-central")),
    max_size=12,
)
CAPACITIES = st.integers(0, 10**7).map(lambda n: quantity(Decimal(n).scaleb(-3), "vcpu"))


def plan_of(
    capacity: Any, history: list[Allocation], as_of: dt.datetime, **more: Any
) -> CapacityLine:
    """The vcpu line of a plan of a pool of ``capacity`` in eu-central."""
    the_pool = ResourcePool("p", "P", "eu-central", [PoolCapacity("vcpu", capacity)])
    return CapacityPlan.build(the_pool, history, as_of=as_of, **more).line("vcpu")


class TestProperties:
    """Properties of every plan."""

    @SLOW
    @given(CAPACITIES, HISTORIES, WINDOW, thresholds())
    def test_dates_in_order(
        self, capacity: Any, history: list[Allocation], as_of: dt.datetime, levels: Thresholds
    ) -> None:
        """Orders warn <= act <= full, and a higher level is reached only if the lower is."""
        line = plan_of(capacity, history, as_of, thresholds=levels)
        days = [d.on for d in line.dates]
        for lower, higher in zip(line.dates, line.dates[1:], strict=False):
            if higher.on is not None:
                assert lower.on is not None
                assert lower.on <= higher.on
            if higher.already:
                assert lower.already
        assert len(days) == 3

    # A drawn history planned at every threshold (a third of a second an example under
    # coverage): 30 examples in ci and dev rather than SLOW's 60; smoke runs 10.
    @SLOW_PLANS
    @given(CAPACITIES, HISTORIES, WINDOW, thresholds())
    def test_each_date_is_what_decided_it(
        self, capacity: Any, history: list[Allocation], as_of: dt.datetime, levels: Thresholds
    ) -> None:
        """Backs each date by what it says decided it, and dates every level the bookings reach.

        The drawn holdings all start before mid-2026, well inside the three years
        looked at, so a level the scheduled peak reaches has a date.
        """
        line = plan_of(capacity, history, as_of, thresholds=levels)
        whole = Fraction(capacity.magnitude)
        peak = Fraction(line.scheduled_peak.magnitude)
        for found in line.dates:
            level = found.fraction * whole
            if found.by == "projection":
                assert found.on is not None
                assert line.projection.at(found.on) >= level
            if found.by == "scheduled":
                assert peak >= level
            if peak >= level:
                assert found.on is not None

    # A drawn history planned at every threshold (a third of a second an example under
    # coverage): 30 examples in ci and dev rather than SLOW's 60; smoke runs 10.
    @SLOW_PLANS
    @given(CAPACITIES, HISTORIES, WINDOW)
    def test_peak_is_capacity_less_free(
        self, capacity: Any, history: list[Allocation], as_of: dt.datetime
    ) -> None:
        """Gives a scheduled peak equal to the capacity less what the pool has free."""
        the_pool = ResourcePool("p", "P", "eu-central", [PoolCapacity("vcpu", capacity)])
        line = CapacityPlan.build(the_pool, history, as_of=as_of).line("vcpu")
        free = the_pool.free(history, "vcpu", as_of)
        assert Fraction(capacity.magnitude) - Fraction(free.magnitude) == Fraction(
            line.scheduled_peak.magnitude
        )
        assert Fraction(line.held.magnitude) <= Fraction(line.scheduled_peak.magnitude)

    @SLOW
    @given(
        st.integers(1, 10**6),
        st.integers(1, 10**6),
        aware_datetimes(
            min_value=dt.datetime(2020, 1, 1),
            max_value=dt.datetime(2024, 1, 1),
            edges=False,
        ),
        st.integers(1, 4000),
    )
    def test_a_flat_history_gives_no_future_date(
        self, amount: int, capacity: int, since: dt.datetime, days: int
    ) -> None:
        """Gives no future date for one holding that never changes: reached already or never."""
        line = plan_of(
            quantity(capacity, "vcpu"),
            [held(f"{amount} vcpu", since)],
            since + dt.timedelta(days=days),
        )
        assert all(d.already or d.on is None for d in line.dates)

    @SLOW
    @given(CAPACITIES, HISTORIES, WINDOW, st.integers(1, 10**6), st.integers(0, 400))
    def test_adding_allocations_never_makes_a_date_later(
        self,
        capacity: Any,
        history: list[Allocation],
        as_of: dt.datetime,
        amount: int,
        late: int,
    ) -> None:
        """Gives no later date once a holding held from the first holding on is added.

        The holding starts with the history's first (or later) and is still held at
        as_of, so it adds a step that never falls to every sample: the fitted line
        (or trend) rises at least as much after as_of as before.
        """
        before = plan_of(capacity, history, as_of)
        pool_history = [a for a in history if a.location in {None, "eu-central"}]
        starts = [a.since for a in pool_history if a.since <= as_of]
        since = min(starts) + dt.timedelta(days=late) if starts else as_of
        since = min(since, as_of)
        after = plan_of(capacity, [*history, held(f"{amount} vcpu", since)], as_of)
        for old, new in zip(before.dates, after.dates, strict=True):
            if old.already:
                assert new.already
            elif old.on is not None:
                assert new.already or (new.on is not None and new.on <= old.on)
