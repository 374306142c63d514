"""Exact service measures (issue 15, section 2; S10): availability, downtime, percentiles, budgets.

Hand-computed cases first (43.2 minutes in a 30-day month, a Berlin October of 745
hours, outages across months, overlapping outages, exclusions and service hours),
then the refusals with their paths, then the nearest-rank percentile and the error
budget, and last hypothesis properties checked against a minute-by-minute model.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import pickle
from array import array
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cloudsms.agreements import Exclusions, OutageCause, ServiceTarget
from cloudsms.catalogue import Bound, ServiceLevel
from cloudsms.errors import ValidationError
from cloudsms.monitoring import (
    ErrorBudget,
    Outage,
    availability,
    availability_fraction,
    downtime,
    error_budget,
    expected_uptime,
    percentile,
)
from cloudsms.monitoring import _spans as _spans_module
from cloudsms.operations import MaintenanceWindow
from cloudsms.periods import Period, SupportHours
from cloudsms.units import quantity

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NOVEMBER = Period.month(2026, 11, "UTC")  # 30 days
OCTOBER_BERLIN = Period.month(2026, 10, "Europe/Berlin")  # 745 hours: the clocks go back
OFFICE = SupportHours.weekdays("09:00", "17:00", "UTC")  # 21 weekdays in November 2026
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def nov(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant of November 2026 in UTC."""
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def outage(start: dt.datetime, end: dt.datetime) -> Outage:
    """A provider-caused outage of every service."""
    return Outage(start, end)


class Plain:
    """A span that is neither an Outage nor a Period: anything with start and end."""

    def __init__(self, start: object, end: object) -> None:
        self.start = start
        self.end = end


def availability_target(threshold: str) -> ServiceTarget:
    """An availability target of ``threshold`` (such as "99.9 %")."""
    return ServiceTarget(
        id="uptime",
        level=ServiceLevel(
            measure="availability", bound=Bound.AT_LEAST, target=quantity(threshold)
        ),
    )


# ---------------------------------------------------------------------- availability
class TestAvailability:
    """availability, availability_fraction, downtime and expected_uptime, by hand."""

    def test_43_2_minutes_down_in_november_is_exactly_99_9_percent(self):
        """43.2 minutes down in a 30-day month in UTC is exactly 99.9 %."""
        down = outage(nov(9, 3), nov(9, 3, 43, 12))
        result = availability([down], NOVEMBER)
        assert Decimal("99.9") == result.magnitude
        assert str(result.magnitude) == "99.9"
        assert str(result.units) == "percent"
        assert Fraction(999, 1000) == availability_fraction([down], NOVEMBER)

    def test_one_hour_down_in_a_berlin_october_is_1_of_745(self):
        """October 2026 in Europe/Berlin lasts 745 hours, so one hour down is 1/745 of it."""
        start = dt.datetime(2026, 10, 14, 12, tzinfo=BERLIN)
        down = outage(start, start + HOUR)
        assert Fraction(744, 745) == availability_fraction([down], OCTOBER_BERLIN)
        assert downtime([down], OCTOBER_BERLIN) == HOUR
        assert expected_uptime(OCTOBER_BERLIN) == 745 * HOUR

    def test_a_percentage_without_an_end_is_rounded_at_38_digits(self):
        """744/745 as a percentage never ends: 38 significant digits, half to even."""
        start = dt.datetime(2026, 10, 14, 12, tzinfo=BERLIN)
        result = availability([outage(start, start + HOUR)], OCTOBER_BERLIN)
        assert Decimal("99.865771812080536912751677852348993289") == result.magnitude

    def test_an_outage_over_the_repeated_hour_lasts_its_real_length(self):
        """01:30 summer time to 03:30 winter time on 25 October 2026 is three hours down."""
        down = outage(
            dt.datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN),
            dt.datetime(2026, 10, 25, 3, 30, tzinfo=BERLIN),
        )
        assert downtime([down], OCTOBER_BERLIN) == 3 * HOUR

    def test_an_outage_spanning_two_months_counts_in_each_for_its_own_part(self):
        """23:00 on 31 October to 01:00 on 1 November (UTC): one hour in each month."""
        down = outage(
            dt.datetime(2026, 10, 31, 23, tzinfo=UTC), dt.datetime(2026, 11, 1, 1, tzinfo=UTC)
        )
        october = Period.month(2026, 10, "UTC")
        assert downtime([down], october) == HOUR
        assert downtime([down], NOVEMBER) == HOUR
        assert Fraction(743, 744) == availability_fraction([down], october)
        assert Fraction(719, 720) == availability_fraction([down], NOVEMBER)

    def test_overlapping_outages_are_not_counted_twice(self):
        """10:00-11:00 and 10:30-11:30 are one and a half hours down, not two."""
        downs = [outage(nov(9, 10), nov(9, 11)), outage(nov(9, 10, 30), nov(9, 11, 30))]
        assert dt.timedelta(hours=1, minutes=30) == downtime(downs, NOVEMBER)
        assert Fraction(719 * 2 - 1, 720 * 2) == availability_fraction(downs, NOVEMBER)

    def test_a_nested_and_a_touching_outage_count_once(self):
        """An outage inside another adds nothing; one that starts as another ends adds its own."""
        downs = [
            outage(nov(9, 10), nov(9, 12)),
            outage(nov(9, 10, 30), nov(9, 11)),
            outage(nov(9, 12), nov(9, 13)),
        ]
        assert downtime(downs, NOVEMBER) == 3 * HOUR

    def test_an_excluded_window_leaves_expected_uptime_and_downtime(self):
        """Two hours down, one inside an excluded window: 1 h down of 719 h expected."""
        down = outage(nov(9, 10), nov(9, 12))
        window = Period(nov(9, 11), nov(9, 12))
        assert expected_uptime(NOVEMBER, exclusions=[window]) == 719 * HOUR
        assert downtime([down], NOVEMBER, exclusions=[window]) == HOUR
        assert Fraction(718, 719) == availability_fraction([down], NOVEMBER, exclusions=[window])

    def test_maintenance_windows_and_outages_serve_as_exclusions(self):
        """Anything with start and end excludes: a MaintenanceWindow, an Outage, a Period."""
        down = outage(nov(9, 10), nov(9, 12))
        window = MaintenanceWindow(
            start=nov(9, 11), end=nov(9, 12), services={"crm"}, announced_at=nov(1)
        )
        for exclusion in (window, outage(nov(9, 11), nov(9, 12)), window.period):
            assert downtime([down], NOVEMBER, exclusions=[exclusion]) == HOUR

    def test_service_hours_restrict_expected_uptime(self):
        """Weekdays 09:00-17:00: 168 hours in November 2026; a Saturday outage costs nothing."""
        saturday = outage(nov(7, 10), nov(7, 14))
        assert expected_uptime(NOVEMBER, service_hours=OFFICE) == 168 * HOUR
        assert Fraction(1) == availability_fraction([saturday], NOVEMBER, service_hours=OFFICE)

    def test_an_outage_over_closing_time_counts_only_while_open(self):
        """Tuesday 16:30-17:30 with support closing at 17:00: 30 minutes of 168 hours."""
        down = outage(nov(3, 16, 30), nov(3, 17, 30))
        assert downtime([down], NOVEMBER, service_hours=OFFICE) == 30 * MINUTE
        assert Fraction(335, 336) == availability_fraction([down], NOVEMBER, service_hours=OFFICE)

    def test_service_hours_and_exclusions_together(self):
        """An excluded window inside service hours leaves both; one outside changes nothing."""
        down = outage(nov(3, 9), nov(3, 12))
        inside = Period(nov(3, 10), nov(3, 11))
        night = Period(nov(3, 20), nov(3, 23))
        result = availability_fraction(
            [down], NOVEMBER, exclusions=[inside, night], service_hours=OFFICE
        )
        assert Fraction(165, 167) == result

    def test_no_outages_is_100_percent_and_all_down_is_0(self):
        """No downtime is 100 %; an outage over the whole period is 0 %."""
        assert Decimal(100) == availability([], NOVEMBER).magnitude
        everything = outage(nov(1) - HOUR, nov(30) + 2 * DAY)
        assert Decimal(0) == availability([everything], NOVEMBER).magnitude

    def test_outages_outside_the_period_do_not_count(self):
        """An outage before the period, one after and one ending at its start count nothing."""
        downs = [
            outage(nov(1) - 2 * HOUR, nov(1) - HOUR),
            outage(nov(1) - HOUR, nov(1)),
            outage(NOVEMBER.end, NOVEMBER.end + HOUR),
        ]
        assert dt.timedelta() == downtime(downs, NOVEMBER)

    def test_the_same_instants_in_any_zones_give_the_same_figures(self):
        """Instants are compared on the absolute timeline, whatever zones they are written in."""
        plus_two = dt.timezone(dt.timedelta(hours=2))
        starts = [nov(9, 10), nov(9, 10, 30), nov(20, 23)]
        downs = [outage(s, s + HOUR) for s in starts]
        for zone in (plus_two, BERLIN, ZoneInfo("America/New_York")):
            moved = [outage(d.start.astimezone(zone), d.end.astimezone(zone)) for d in downs]
            assert downtime(downs, NOVEMBER) == downtime(moved, NOVEMBER)
        mixed = [outage(d.start.astimezone(plus_two), d.end) for d in downs]
        assert downtime(downs, NOVEMBER) == downtime(mixed, NOVEMBER)

    def test_generators_and_plain_spans_are_read(self):
        """Outages may come from any iterable, and anything with start and end is a span."""
        downs = (Plain(s, s + HOUR) for s in (nov(9, 10), nov(9, 12)))
        assert downtime(downs, NOVEMBER) == 2 * HOUR

    def test_without_expected_uptime_the_fraction_is_none_and_availability_refused(self):
        """A wholly excluded period has no availability: no fraction, and the figure raises."""
        assert availability_fraction([], NOVEMBER, exclusions=[NOVEMBER]) is None
        with pytest.raises(ValidationError) as caught:
            availability([], NOVEMBER, exclusions=[NOVEMBER])
        assert caught.value.paths == ["$.period"]
        assert "a period with expected uptime" in str(caught.value)

    def test_a_weekend_outside_service_hours_has_no_expected_uptime(self):
        """A Saturday and Sunday measured on weekday hours have nothing expected."""
        weekend = Period(nov(7), nov(9))
        assert dt.timedelta() == expected_uptime(weekend, service_hours=OFFICE)
        assert availability_fraction([], weekend, service_hours=OFFICE) is None

    def test_a_whole_microsecond_is_exact(self):
        """One microsecond down in November is 1 of 2,592,000,000,000."""
        down = outage(nov(9), nov(9) + dt.timedelta(microseconds=1))
        total = 30 * 86400 * 10**6
        assert Fraction(total - 1, total) == availability_fraction([down], NOVEMBER)


# ---------------------------------------------------------------------- refusals
class TestRefusals:
    """Bad input to the availability measures, each refusal at its path."""

    def test_refuses_a_naive_start_naming_its_path(self):
        """A naive instant is refused at its outage's index."""
        downs = [outage(nov(9, 10), nov(9, 11)), Plain(dt.datetime(2026, 11, 9, 12), nov(9, 13))]
        with pytest.raises(ValidationError) as caught:
            availability(downs, NOVEMBER)
        assert caught.value.paths == ["$.outages[1].start"]
        assert "naive" in str(caught.value)
        assert str(caught.value).startswith("Availability query is invalid")

    def test_refuses_an_end_not_after_the_start(self):
        """A span that ends before it starts is refused at its end."""
        with pytest.raises(ValidationError) as caught:
            downtime([Plain(nov(9, 11), nov(9, 10))], NOVEMBER)
        assert caught.value.paths == ["$.outages[0].end"]
        assert "an instant after the start" in caught.value.errors[0]

    def test_refuses_what_is_not_a_span(self):
        """An item without start and end is refused at its index."""
        with pytest.raises(ValidationError) as caught:
            downtime([outage(nov(9, 10), nov(9, 11)), "10:00-11:00"], NOVEMBER)
        assert caught.value.paths == ["$.outages[1]"]

    def test_refuses_instants_that_are_not_datetimes(self):
        """A date is not an instant."""
        with pytest.raises(ValidationError) as caught:
            downtime([Plain(dt.date(2026, 11, 9), nov(9, 11))], NOVEMBER)
        assert caught.value.paths == ["$.outages[0].start"]

    def test_reports_every_problem(self):
        """Two bad outages and a bad exclusion: each named."""
        with pytest.raises(ValidationError) as caught:
            downtime(
                [Plain(nov(9, 11), nov(9, 10)), Plain(nov(9), dt.datetime(2026, 11, 10))],
                NOVEMBER,
            )
        assert caught.value.paths == ["$.outages[0].end", "$.outages[1].end"]

    def test_refuses_text_or_a_number_for_the_outages(self):
        """Outages are a collection of spans, not text."""
        for wrong in ("2026-11-09T10:00Z/PT1H", 5):
            with pytest.raises(ValidationError) as caught:
                downtime(wrong, NOVEMBER)  # type: ignore[arg-type]
            assert caught.value.paths == ["$.outages"]

    def test_refuses_a_naive_exclusion(self):
        """Exclusions are checked as outages are."""
        with pytest.raises(ValidationError) as caught:
            expected_uptime(NOVEMBER, exclusions=[Plain(nov(9), dt.datetime(2026, 11, 10))])
        assert caught.value.paths == ["$.exclusions[0].end"]
        assert str(caught.value).startswith("Expected uptime query is invalid")

    def test_refuses_a_period_that_is_not_a_period(self):
        """The period is a Period, not a pair of instants."""
        with pytest.raises(ValidationError) as caught:
            availability([], (nov(1), nov(30)))  # type: ignore[arg-type]
        assert caught.value.paths == ["$.period"]

    def test_refuses_service_hours_that_are_not_support_hours(self):
        """Service hours are SupportHours or None."""
        with pytest.raises(ValidationError) as caught:
            downtime([], NOVEMBER, service_hours="09:00-17:00")  # type: ignore[arg-type]
        assert caught.value.paths == ["$.service_hours"]
        assert "Downtime query is invalid" in str(caught.value)


# ---------------------------------------------------------------------- percentiles
class TestPercentile:
    """percentile: the nearest-rank method."""

    def test_the_99th_of_1_to_100_is_99(self):
        """Rank ceil(0.99 x 100) = 99."""
        assert percentile(range(1, 101), 99) == 99

    def test_the_median_of_four_is_the_second(self):
        """Rank ceil(0.5 x 4) = 2: no interpolation between 2 and 3."""
        assert percentile([1, 2, 3, 4], 50) == 2

    def test_the_100th_is_the_largest_and_a_tiny_one_the_smallest(self):
        """P = 100 takes rank n; any p down to just above 0 takes rank 1."""
        values = [7, 3, 9, 1, 5]
        assert percentile(values, 100) == 9
        assert percentile(values, Decimal("0.0001")) == 1

    def test_nearest_rank_of_five_values(self):
        """15, 20, 35, 40, 50: p30 and p40 are 20, p50 is 35, p100 is 50."""
        values = [50, 15, 40, 20, 35]
        assert [percentile(values, p) for p in (30, 40, 50, 100)] == [20, 20, 35, 50]

    def test_an_exact_percentile_of_a_decimal_is_not_shifted(self):
        """P 99.9 of 1000 values is rank 999 exactly (a float 99.9 could land on 1000)."""
        assert percentile(range(1, 1001), Decimal("99.9")) == 999
        assert percentile(range(1, 1001), Fraction(999, 10)) == 999

    def test_a_packed_series_drops_missing_samples(self):
        """NaN marks a missing sample: left out before ranking."""
        samples = array("d", [math.nan, 30.0, 10.0, math.nan, 20.0, 40.0])
        assert percentile(samples, 50) == 20.0
        assert percentile(samples, 100) == 40.0

    def test_a_month_of_minutes_ranks_by_heap_as_by_sort(self):
        """43,200 samples: the 99th percentile is the value of rank 42,768."""
        samples = array("d", ((i * 7919) % 43200 for i in range(43200)))
        assert percentile(samples, 99) == 42767.0
        assert percentile(samples, Decimal("0.5")) == 215.0
        assert percentile(samples, 50) == 21599.0

    def test_decimals_and_floats_together(self):
        """Exact numbers and floats compare exactly; the result is one of the values."""
        result = percentile([Decimal("120.5"), 80.0, Decimal(95), math.nan], 50)
        assert Decimal(95) == result
        assert isinstance(result, Decimal)

    def test_quantities_are_ranked_exactly_across_units(self):
        """250 ms, 0.1 s and 300 ms: the median is 250 ms, returned as given."""
        values = [quantity("250 ms"), quantity("0.1 s"), quantity("300 ms")]
        assert values[0] is percentile(values, 50)
        assert values[2] is percentile(values, 100)

    def test_quantities_near_either_end_are_found_as_by_sorting(self):
        """100 quantities in two units: p99 and p1 as a sort would give them."""
        values = [quantity(f"{i} ms") if i % 2 else quantity(f"{i / 1000} s") for i in range(100)]
        assert quantity("98 ms") == percentile(values, 99)
        assert quantity("0 s") == percentile(values, 1)
        assert quantity("49 ms") == percentile(values, 50)

    def test_huge_samples_whose_sum_overflows_are_ranked(self):
        """Finite samples near the float limit are samples, not infinities."""
        samples = array("d", [1e308, 1.5e308, math.nan, 1.7e308])
        assert percentile(samples, 100) == 1.7e308

    def test_refuses_a_float_percentile(self):
        """A float p is refused: 99.9 as a float is not 99.9."""
        with pytest.raises(ValidationError) as caught:
            percentile([1, 2, 3], 99.9)  # type: ignore[arg-type]
        assert caught.value.paths == ["$.p"]
        assert "no float" in str(caught.value)

    @pytest.mark.parametrize(
        "p", [0, -1, 101, Decimal("100.01"), Decimal("NaN"), Decimal("Infinity"), True, "99"]
    )
    def test_refuses_a_percentile_out_of_range(self, p: Any):
        """The percentile lies above 0 and at most at 100: an int, Decimal or Fraction."""
        with pytest.raises(ValidationError) as caught:
            percentile([1, 2, 3], p)
        assert caught.value.paths == ["$.p"]

    def test_refuses_no_values(self):
        """No values, or only missing ones, have no percentile."""
        for empty in ([], array("d"), array("d", [math.nan, math.nan]), [math.nan]):
            with pytest.raises(ValidationError) as caught:
                percentile(empty, 50)
            assert caught.value.paths == ["$.values"]

    def test_refuses_infinite_samples(self):
        """An infinite latency is not a sample: refused at its index."""
        with pytest.raises(ValidationError) as caught:
            percentile(array("d", [1.0, math.nan, math.inf]), 50)
        assert caught.value.paths == ["$.values[2]"]
        with pytest.raises(ValidationError) as caught:
            percentile([Decimal(1), Decimal("-Infinity"), math.inf], 50)
        assert caught.value.paths == ["$.values[1]", "$.values[2]"]

    def test_refuses_values_of_other_kinds(self):
        """Text, booleans and quantities of another dimension are refused at their index."""
        with pytest.raises(ValidationError) as caught:
            percentile([1, "2", True], 50)
        assert caught.value.paths == ["$.values[1]", "$.values[2]"]
        with pytest.raises(ValidationError) as caught:
            percentile([quantity("250 ms"), quantity("1 GB"), 5], 50)
        assert caught.value.paths == ["$.values[1]", "$.values[2]"]

    def test_refuses_text_and_character_arrays(self):
        """A string is not a collection of values, nor an array of characters."""
        for wrong in ("123", array("u", "123")):
            with pytest.raises(ValidationError) as caught:
                percentile(wrong, 50)
            assert caught.value.paths == ["$.values"]


# ---------------------------------------------------------------------- error budgets
class TestErrorBudget:
    """error_budget and ErrorBudget."""

    def test_a_99_9_target_allows_43_2_minutes_in_a_30_day_month(self):
        """0.1 % of 30 days is 43 minutes 12 seconds."""
        budget = error_budget(quantity("99.9 %"), [], NOVEMBER, nov(1))
        assert dt.timedelta(minutes=43, seconds=12) == budget.allowed
        assert budget.expected_uptime == 30 * DAY
        assert budget.exhausted_at is None

    def test_twenty_minutes_in_ten_days_runs_out_on_22_november(self):
        """20 min down in 10 days burns 1/720; the 23.2 min left last 1392 x 720 s more."""
        down = outage(nov(3, 4), nov(3, 4, 20))
        budget = error_budget(availability_target("99.9 %"), [down], NOVEMBER, nov(11))
        assert Decimal("99.9") == budget.threshold
        assert budget.used == 20 * MINUTE
        assert dt.timedelta(minutes=23, seconds=12) == budget.remaining
        assert budget.elapsed_uptime == 10 * DAY
        assert nov(22, 14, 24) == budget.exhausted_at  # 11 days 14 h 24 min after as_of
        assert Fraction(25, 18) == budget.burn_rate  # (1200 / 864000) / (1 / 1000)
        assert not budget.overspent

    def test_an_overspent_budget_ran_out_where_the_downtime_reached_it(self):
        """50 minutes down from 10:00 on 5 November: the 43.2 minutes ran out at 10:43:12."""
        down = outage(nov(5, 10), nov(5, 10, 50))
        budget = error_budget(quantity("99.9 %"), [down], NOVEMBER, nov(20))
        assert nov(5, 10, 43, 12) == budget.exhausted_at
        assert -dt.timedelta(minutes=6, seconds=48) == budget.remaining
        assert budget.overspent

    def test_a_budget_spent_over_several_outages(self):
        """30 min then 20 min: the budget runs out 13.2 minutes into the second outage."""
        downs = [outage(nov(2, 8), nov(2, 8, 30)), outage(nov(4, 12), nov(4, 12, 20))]
        budget = error_budget(quantity("99.9 %"), downs, NOVEMBER, nov(4, 13))
        assert nov(4, 12, 13, 12) == budget.exhausted_at

    def test_only_downtime_before_as_of_is_used(self):
        """An outage running at as_of counts up to as_of; later ones not at all."""
        downs = [outage(nov(11, 11), nov(11, 13)), outage(nov(20), nov(20, 1))]
        budget = error_budget(quantity("99 %"), downs, NOVEMBER, nov(11, 12))
        assert budget.used == HOUR

    def test_a_budget_that_lasts_the_period_has_no_exhaustion(self):
        """One minute in fifteen days at 99 %: at that rate the budget outlasts November."""
        down = outage(nov(2), nov(2, 0, 1))
        budget = error_budget(quantity("99 %"), [down], NOVEMBER, nov(16))
        assert budget.exhausted_at is None
        assert budget.burn_rate is not None
        assert budget.burn_rate < 1

    def test_as_of_before_the_period_uses_nothing(self):
        """Nothing has elapsed: nothing used, no burn rate."""
        budget = error_budget(quantity("99.9 %"), [], NOVEMBER, nov(1) - DAY)
        assert dt.timedelta() == budget.used == budget.elapsed_uptime
        assert budget.burn_rate is None
        assert budget.exhausted_at is None

    def test_as_of_after_the_period_takes_the_whole_period(self):
        """After the end, all of the period's downtime is used and the rate cannot run on."""
        down = outage(nov(30, 23, 30), nov(30) + 26 * HOUR)  # 30 minutes in November
        budget = error_budget(quantity("99.9 %"), [down], NOVEMBER, nov(30) + 10 * DAY)
        assert budget.elapsed_uptime == 30 * DAY
        assert dt.timedelta(minutes=30) == budget.used
        assert budget.exhausted_at is None

    def test_a_100_percent_target_runs_out_at_the_first_downtime(self):
        """No budget at all: it ran out when the first outage began."""
        down = outage(nov(7, 6), nov(7, 6, 1))
        budget = error_budget(quantity("100 %"), [down], NOVEMBER, nov(8))
        assert dt.timedelta() == budget.allowed
        assert nov(7, 6) == budget.exhausted_at
        assert budget.burn_rate is None

    def test_runs_on_the_service_hours_clock(self):
        """168 h at 99 % allow 6048 s; 1 h used in Monday's 8 h lasts 19,584 open seconds more."""
        down = outage(nov(2, 9), nov(2, 10))
        budget = error_budget(quantity("99 %"), [down], NOVEMBER, nov(3, 9), service_hours=OFFICE)
        assert dt.timedelta(seconds=6048) == budget.allowed
        assert budget.elapsed_uptime == 8 * HOUR
        assert nov(3, 14, 26, 24) == budget.exhausted_at

    def test_skips_excluded_windows_on_the_way(self):
        """Excluding Tuesday 10:00-12:00: 166 h expected, and the rest burns from 12:00."""
        down = outage(nov(2, 9), nov(2, 10))
        budget = error_budget(
            quantity("99 %"),
            [down],
            NOVEMBER,
            nov(3, 9),
            exclusions=[Period(nov(3, 10), nov(3, 12))],
            service_hours=OFFICE,
        )
        assert budget.expected_uptime == 166 * HOUR
        assert dt.timedelta(seconds=5976) == budget.allowed
        assert nov(3, 16, 16, 48) == budget.exhausted_at

    def test_exhaustion_is_stated_in_the_period_zone(self):
        """A Berlin month gives its instants in Berlin time."""
        start = dt.datetime(2026, 10, 5, 12, tzinfo=BERLIN)
        budget = error_budget(
            quantity("99.9 %"), [outage(start, start + HOUR)], OCTOBER_BERLIN, start + DAY
        )
        assert budget.exhausted_at is not None
        assert BERLIN is budget.exhausted_at.tzinfo
        assert start + dt.timedelta(minutes=44, seconds=42) == budget.exhausted_at  # 745 x 3.6 s

    def test_a_target_s_excluded_causes_use_no_budget(self):
        """A customer-caused hour uses none of a budget excluding its cause; a percent uses it."""
        lenient = attrs.evolve(
            availability_target("99.9 %"), exclusions=Exclusions(causes={OutageCause.CUSTOMER})
        )
        downs = [
            Outage(nov(3, 4), nov(3, 5), cause=OutageCause.CUSTOMER),
            Outage(nov(4, 4), nov(4, 4, 10)),
            Period(nov(5, 4), nov(5, 4, 5)),  # no cause: always counts
        ]
        assert error_budget(lenient, downs, NOVEMBER, nov(9)).used == 15 * MINUTE
        assert error_budget(quantity("99.9 %"), downs, NOVEMBER, nov(9)).used == 75 * MINUTE
        plain = availability_target("99.9 %")  # excludes no cause
        assert error_budget(plain, downs, NOVEMBER, nov(9)).used == 75 * MINUTE

    def test_is_a_picklable_value(self):
        """An ErrorBudget survives a process pool."""
        budget = error_budget(quantity("99.9 %"), [outage(nov(3), nov(3, 1))], NOVEMBER, nov(9))
        assert isinstance(budget, ErrorBudget)
        assert budget == pickle.loads(pickle.dumps(budget))

    @pytest.mark.parametrize(
        "target",
        [99.9, Decimal("99.9"), "99.9 %", quantity("101 %"), quantity("250 ms")],
    )
    def test_refuses_what_is_not_an_availability_target(self, target: Any):
        """A float, a bare number, text, more than 100 % or a time: refused at the target."""
        with pytest.raises(ValidationError) as caught:
            error_budget(target, [], NOVEMBER, nov(9))
        assert caught.value.paths == ["$.target"]
        assert str(caught.value).startswith("Error budget query is invalid")

    def test_refuses_a_target_of_another_metric(self):
        """A response-time target has no error budget."""
        latency = ServiceTarget(
            id="latency",
            level=ServiceLevel(measure="latency", bound=Bound.AT_MOST, target=quantity("250 ms")),
            percentile=Decimal(99),
        )
        with pytest.raises(ValidationError) as caught:
            error_budget(latency, [], NOVEMBER, nov(9))
        assert caught.value.paths == ["$.target"]

    def test_refuses_a_naive_as_of(self):
        """as_of is an aware instant."""
        with pytest.raises(ValidationError) as caught:
            error_budget(quantity("99.9 %"), [], NOVEMBER, dt.datetime(2026, 11, 9))
        assert caught.value.paths == ["$.as_of"]

    def test_refuses_a_period_without_expected_uptime(self):
        """A wholly excluded period has no budget."""
        with pytest.raises(ValidationError) as caught:
            error_budget(quantity("99.9 %"), [], NOVEMBER, nov(9), exclusions=[NOVEMBER])
        assert caught.value.paths == ["$.period"]


# ---------------------------------------------------------------------- properties
# A week around the autumn DST change in Berlin (169 hours), measured minute by minute.
WEEK = Period(dt.datetime(2026, 10, 21, tzinfo=BERLIN), dt.datetime(2026, 10, 28, tzinfo=BERLIN))
WEEK_MINUTES = 169 * 60
WEEK_HOURS = SupportHours.weekdays("08:00", "18:00", "Europe/Berlin")
ZONES = st.sampled_from([UTC, BERLIN, dt.timezone(dt.timedelta(hours=-5, minutes=-30))])


def _at(minute: int, zone: dt.tzinfo) -> dt.datetime:
    """The instant ``minute`` minutes after the week starts, written in ``zone``."""
    return (WEEK.start.astimezone(UTC) + minute * MINUTE).astimezone(zone)


@st.composite
def _spans(draw: st.DrawFn, *, max_size: int = 8) -> list[tuple[int, int]]:
    """Spans in minutes from the week's start, some reaching past either end."""
    pairs = draw(
        st.lists(
            st.tuples(st.integers(-600, WEEK_MINUTES + 600), st.integers(1, 3000)),
            max_size=max_size,
        )
    )
    return [(start, start + length) for start, length in pairs]


def _outages(spans: list[tuple[int, int]], zone: dt.tzinfo) -> list[Outage]:
    return [Outage(_at(start, zone), _at(end, zone)) for start, end in spans]


def _periods(spans: list[tuple[int, int]]) -> list[Period]:
    return [Period(_at(start, UTC), _at(end, UTC)) for start, end in spans]


def _minutes(spans: list[tuple[int, int]]) -> set[int]:
    return {m for start, end in spans for m in range(max(start, 0), min(end, WEEK_MINUTES))}


def _open_minutes() -> set[int]:
    origin = WEEK.start.astimezone(UTC)
    spans = [
        ((opens - origin) // MINUTE, (closes - origin) // MINUTE)
        for opens, closes in WEEK_HOURS.open_spans(dt.date(2026, 10, 20), dt.date(2026, 10, 29))
    ]
    return _minutes(spans)


OPEN_MINUTES = _open_minutes()


class TestProperties:
    """Properties of the measures, against a minute-by-minute model where one helps."""

    @given(_spans(), _spans(max_size=3), st.booleans(), ZONES)
    def test_matches_a_minute_by_minute_count(self, downs, cuts, hours, zone):
        """Downtime, expected uptime and availability agree with counting minutes."""
        expected_minutes = (OPEN_MINUTES if hours else set(range(WEEK_MINUTES))) - _minutes(cuts)
        down_minutes = _minutes(downs) & expected_minutes
        service_hours = WEEK_HOURS if hours else None
        kwargs: dict[str, Any] = {"exclusions": _periods(cuts), "service_hours": service_hours}
        outages = _outages(downs, zone)
        assert len(down_minutes) * MINUTE == downtime(outages, WEEK, **kwargs)
        assert len(expected_minutes) * MINUTE == expected_uptime(WEEK, **kwargs)
        fraction = availability_fraction(outages, WEEK, **kwargs)
        if expected_minutes:
            assert fraction == Fraction(
                len(expected_minutes) - len(down_minutes), len(expected_minutes)
            )
        else:
            assert fraction is None

    @given(_spans(), st.booleans())
    def test_availability_lies_between_0_and_100_percent(self, downs, hours):
        """Availability is never below 0 % nor above 100 %."""
        service_hours = WEEK_HOURS if hours else None
        result = availability(_outages(downs, UTC), WEEK, service_hours=service_hours)
        assert Decimal(0) <= result.magnitude <= Decimal(100)
        assert str(result.units) == "percent"

    @given(_spans(), _spans(max_size=1), st.booleans())
    def test_adding_an_outage_never_raises_availability(self, downs, more, hours):
        """One more outage leaves availability as it was or lowers it."""
        service_hours = WEEK_HOURS if hours else None
        before = availability_fraction(_outages(downs, UTC), WEEK, service_hours=service_hours)
        after = availability_fraction(
            _outages(downs + more, BERLIN), WEEK, service_hours=service_hours
        )
        assert before is not None
        assert after is not None
        assert after <= before

    @given(_spans(), st.data())
    def test_excluding_only_downtime_never_lowers_availability(self, downs, data):
        """An exclusion inside an outage takes the same time from both sides: A can only rise."""
        inside = [(max(s, 0), min(e, WEEK_MINUTES)) for s, e in downs]
        inside = [(s, e) for s, e in inside if s < e]
        assume(inside)
        start, end = data.draw(st.sampled_from(inside))
        cut_start = data.draw(st.integers(start, end - 1))
        cut_end = data.draw(st.integers(cut_start + 1, end))
        assume(cut_end - cut_start < WEEK_MINUTES)
        outages = _outages(downs, UTC)
        before = availability_fraction(outages, WEEK)
        after = availability_fraction(
            outages, WEEK, exclusions=[Period(_at(cut_start, UTC), _at(cut_end, UTC))]
        )
        assert before is not None
        assert after is not None
        assert after >= before

    @given(_spans(), _spans(max_size=2), st.booleans(), st.sampled_from(["day", "month"]))
    def test_splitting_a_period_conserves_downtime(self, downs, cuts, hours, unit):
        """The downtime of the parts adds up to the downtime of the whole."""
        kwargs: dict[str, Any] = {
            "exclusions": _periods(cuts),
            "service_hours": WEEK_HOURS if hours else None,
        }
        outages = _outages(downs, BERLIN)
        parts = WEEK.split(unit)
        whole = downtime(outages, WEEK, **kwargs)
        assert whole == sum((downtime(outages, part, **kwargs) for part in parts), dt.timedelta())
        assert expected_uptime(WEEK, **kwargs) == sum(
            (expected_uptime(part, **kwargs) for part in parts), dt.timedelta()
        )

    @given(
        st.lists(st.integers(-1000, 1000), min_size=1, max_size=300),
        st.integers(1, 10000).map(lambda n: Fraction(n, 100)),
    )
    def test_percentile_is_the_nearest_rank(self, values, p):
        """At least p % of the values lie at or below it, and fewer than p % below it."""
        result = percentile(values, p)
        assert result in values
        n = len(values)
        assert sum(v <= result for v in values) >= p * n / 100
        assert sum(v < result for v in values) < p * n / 100
        assert sorted(values)[math.ceil(p * n / 100) - 1] == result

    @given(
        st.lists(
            st.floats(allow_infinity=False, allow_nan=True, width=64), min_size=1, max_size=400
        ),
        st.integers(1, 100),
    )
    def test_a_packed_series_ranks_as_its_samples_do(self, values, p):
        """An array('d') gives what the list of its present samples gives."""
        present = [v for v in values if not math.isnan(v)]
        assume(present)
        assert percentile(array("d", values), p) == percentile(present, p)
        assert sorted(present)[math.ceil(p * len(present) / 100) - 1] == percentile(present, p)

    @given(_spans(), st.integers(0, WEEK_MINUTES + 60), st.sampled_from(["99 %", "99.9 %"]))
    def test_an_error_budget_adds_up(self, downs, minute, threshold):
        """Remaining is allowed minus used; a spent budget ran out where downtime reached it."""
        outages = _outages(downs, UTC)
        as_of = _at(minute, UTC)
        budget = error_budget(quantity(threshold), outages, WEEK, as_of)
        assert budget.remaining == budget.allowed - budget.used
        if minute:
            elapsed = Period(WEEK.start, min(as_of, WEEK.end, key=lambda t: t.astimezone(UTC)))
            assert budget.used == downtime(outages, elapsed)
        else:
            assert dt.timedelta() == budget.used
        if budget.used and budget.overspent:
            assert budget.exhausted_at is not None
            spent = Period(WEEK.start, budget.exhausted_at)
            assert budget.allowed == downtime(outages, spent)
        if not budget.used:
            assert budget.exhausted_at is None


# ---------------------------------------------------------------------- the interval algebra
def _deltas(pairs: list[tuple[int, int]]) -> list[tuple[dt.timedelta, dt.timedelta]]:
    """Spans in minutes as the algebra's spans (distances in whole minutes)."""
    return [(start * MINUTE, end * MINUTE) for start, end in pairs]


def _points(spans: list[tuple[dt.timedelta, dt.timedelta]]) -> set[int]:
    """The minutes the spans cover."""
    return {m for start, end in spans for m in range(start // MINUTE, end // MINUTE)}


class TestIntervalAlgebra:
    """monitoring/_spans.py, which the measures, evaluate and sample series share."""

    @given(_spans(), _spans())
    def test_set_operations_agree_with_sets_of_minutes(self, left, right):
        """Merged is the union, in order and apart; common, minus and total are what sets say."""
        a, b = _spans_module.merged(_deltas(left)), _spans_module.merged(_deltas(right))
        assert _points(a) == _points(_deltas(left))
        assert all(x[1] < y[0] for x, y in itertools.pairwise(a))  # apart: not even touching
        assert all(start < end for start, end in a)
        assert _points(_spans_module.common(a, b)) == _points(a) & _points(b)
        assert _points(_spans_module.minus(a, b)) == _points(a) - _points(b)
        assert _spans_module.total(a) == len(_points(a)) * MINUTE

    @given(_spans(), st.integers(-600, WEEK_MINUTES + 600), st.integers(0, 3000))
    def test_union_length_and_inside(self, pairs, low, length):
        """union_length counts each minute once inside the window; inside finds each minute."""
        raw = _deltas(pairs)
        window = set(range(low, low + length))
        found = _spans_module.union_length(raw, low * MINUTE, (low + length) * MINUTE)
        assert found == len(_points(raw) & window) * MINUTE
        a = _spans_module.merged(raw)
        for minute in range(low, low + min(length, 90)):
            assert _spans_module.inside(a, minute * MINUTE) is (minute in _points(a))

    @given(_spans(), st.data())
    def test_reaching_walks_the_spans(self, pairs, data):
        """Where the spans have added up to an amount, they cover that much before it."""
        a = _spans_module.merged(_deltas(pairs))
        assume(a)
        amount = data.draw(st.integers(1, _spans_module.total(a) // MINUTE)) * MINUTE
        reached = _spans_module.reaching(a, amount)
        assert _spans_module.union_length(a, a[0][0], reached) == amount
        assert _spans_module.inside(a, reached - MINUTE)

    @given(st.lists(st.integers(-3 * 60, WEEK_MINUTES + 3 * 60), min_size=1), ZONES, ZONES)
    def test_instants_read_as_the_plain_way_does(self, minutes, zone, other):
        """all_since_epoch agrees with subtracting the epoch, with DST folds and mixed zones."""
        instants = [_at(m, zone) for m in minutes]
        instants[-1] = instants[-1].astimezone(other)
        epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
        assert _spans_module.all_since_epoch(instants) == [t - epoch for t in instants]
        for instant in instants:
            back = _spans_module.instant_at(_spans_module.since_epoch(instant), zone)
            # Not `back == instant`: across zones, a wall time in a DST fold never
            # compares equal (PEP 495), though both name the same instant.
            assert back - epoch == instant - epoch
            assert back.utcoffset() == instant.astimezone(zone).utcoffset()

    def test_open_within_cuts_the_calendar_to_the_period(self):
        """The week's open hours: weekdays 08:00-18:00 in Berlin, cut to the week."""
        opened = _spans_module.open_within(WEEK_HOURS, WEEK)
        origin = _spans_module.since_epoch(WEEK.start)
        assert _points([(s - origin, e - origin) for s, e in opened]) == OPEN_MINUTES & set(
            range(WEEK_MINUTES)
        )

    def test_percent_is_exact_or_rounded_at_38_digits(self):
        """999/1000 is exactly 99.9; 744/745 is rounded half to even at the 38th digit."""
        assert _spans_module.percent(999, 1000) == Decimal("99.9")
        assert _spans_module.percent(744, 745) == Decimal(
            "99.865771812080536912751677852348993289"
        )
