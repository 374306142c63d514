"""cloudsms.periods: aware instants, calendar-true periods and the support-hours clock."""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from cloudsms.errors import ValidationError
from cloudsms.periods import (
    WINDOW_PATTERN,
    DailyWindow,
    Period,
    SupportHours,
    add_calendar,
    add_exact,
    aware,
    calendar_length_problems,
    calendar_series,
    exact_seconds,
    offset_changes,
    timezone,
)
from cloudsms.serialization import from_dict, to_dict
from cloudsms.units import quantity

UTC = dt.UTC
BERLIN = timezone("Europe/Berlin")


def at(*args: int, tz: dt.tzinfo = BERLIN) -> dt.datetime:
    """An aware datetime in Berlin (or ``tz``)."""
    return dt.datetime(*args, tzinfo=tz)  # type: ignore[misc]


class TestAware:
    """Naive datetimes are refused everywhere."""

    def test_naive_refused(self) -> None:
        """Refuses a naive datetime with its path."""
        with pytest.raises(ValidationError) as info:
            aware(dt.datetime(2026, 1, 1), "$.when")
        assert info.value.paths == ["$.when"]

    def test_not_a_datetime(self) -> None:
        """Refuses a date or text."""
        with pytest.raises(ValidationError, match="a datetime with a time zone"):
            aware("2026-01-01T00:00:00Z")

    def test_unknown_zone(self) -> None:
        """Refuses an unknown IANA zone."""
        with pytest.raises(ValidationError, match="IANA time zone"):
            timezone("Mars/Olympus_Mons")


class TestPeriod:
    """Period is half-open, aware, and measured on the absolute timeline."""

    def test_naive_and_reversed_refused(self) -> None:
        """Lists both naive ends, and refuses an end not after the start."""
        with pytest.raises(ValidationError) as info:
            Period(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))  # type: ignore[arg-type]
        assert info.value.paths == ["$.start", "$.end"]
        with pytest.raises(ValidationError) as info:
            Period(at(2026, 1, 2), at(2026, 1, 1))
        assert info.value.paths == ["$.end"]
        with pytest.raises(ValidationError):
            Period(at(2026, 1, 1), at(2026, 1, 1))

    @pytest.mark.parametrize(
        ("period", "hours"),
        [
            (Period.month(2026, 10, "Europe/Berlin"), 745),  # clocks go back
            (Period.month(2026, 3, "Europe/Berlin"), 743),  # clocks go forward
            (Period.month(2026, 10, "UTC"), 744),
            (Period.month(2028, 2, "UTC"), 29 * 24),
            (Period.quarter(2026, 1, "UTC"), 90 * 24),
            (Period.year(2028, "UTC"), 366 * 24),
            (Period.day(dt.date(2026, 10, 25), "Europe/Berlin"), 25),
        ],
    )
    def test_calendar_periods(self, period: Period, hours: int) -> None:
        """Measures calendar periods by their real length."""
        assert period.hours == hours
        assert period.duration == dt.timedelta(hours=hours)

    def test_quarter_range(self) -> None:
        """Refuses a fifth quarter."""
        with pytest.raises(ValidationError, match="quarter"):
            Period.quarter(2026, 5, "UTC")

    def test_starting(self) -> None:
        """Builds a period from a start and a calendar or exact length."""
        assert Period.starting(at(2026, 1, 31), relativedelta(months=1)).end == at(2026, 2, 28)
        assert Period.starting(at(2026, 1, 31), dt.timedelta(hours=2)).end == at(2026, 1, 31, 2)

    def test_relations(self) -> None:
        """Contains its start but not its end; intersects and overlaps."""
        jan = Period.month(2026, 1, BERLIN)
        assert jan.start in jan
        assert jan.end not in jan
        assert dt.datetime(2026, 1, 5) not in jan
        feb = Period.month(2026, 2, BERLIN)
        assert not jan.overlaps(feb)
        assert jan.intersection(feb) is None
        both = Period(at(2026, 1, 20), at(2026, 2, 10))
        assert jan.intersection(both) == Period(at(2026, 1, 20), at(2026, 2, 1))
        assert str(both).startswith("[2026-01-20T00:00:00+01:00, ")

    def test_split_months(self) -> None:
        """Cuts at month starts in the start's zone."""
        pieces = Period(at(2026, 1, 20), at(2026, 3, 5)).split("month")
        assert [(p.start, p.end) for p in pieces] == [
            (at(2026, 1, 20), at(2026, 2, 1)),
            (at(2026, 2, 1), at(2026, 3, 1)),
            (at(2026, 3, 1), at(2026, 3, 5)),
        ]

    def test_split_days_across_dst(self) -> None:
        """Gives the day the clocks go back its 25 hours."""
        days = Period(at(2026, 10, 24), at(2026, 10, 27)).split("day")
        assert [p.hours for p in days] == [24, 25, 24]

    def test_split_quarter_year_and_bad_unit(self) -> None:
        """Splits by quarter and year; refuses other units."""
        span = Period(at(2026, 2, 1), at(2027, 2, 1))
        assert len(span.split("quarter")) == 5
        assert len(span.split("year")) == 2
        with pytest.raises(ValidationError, match="one of 'day'"):
            span.split("week")  # type: ignore[arg-type]

    @given(
        st.datetimes(
            min_value=dt.datetime(2000, 1, 1),
            max_value=dt.datetime(2040, 1, 1),
            timezones=st.sampled_from([UTC, BERLIN, timezone("America/Santiago")]),
            allow_imaginary=False,
        ),
        st.integers(1, 90 * 24 * 60),
        st.sampled_from(["day", "month", "quarter", "year"]),
    )
    def test_split_covers_exactly(self, start: dt.datetime, minutes: int, unit: str) -> None:
        """Pieces are contiguous and add up to the whole period."""
        period = Period(start, add_exact(start, dt.timedelta(minutes=minutes)))
        pieces = period.split(unit)  # type: ignore[arg-type]
        assert pieces[0].start == period.start
        assert pieces[-1].end == period.end
        for left, right in itertools.pairwise(pieces):
            assert left.end == right.start
        assert sum((p.seconds for p in pieces), Fraction(0)) == period.seconds


class TestCalendarAndExact:
    """Calendar lengths and exact durations are different things."""

    def test_month_end(self) -> None:
        """Lands 31 January plus a month on the last day of February."""
        assert add_calendar(at(2026, 1, 31), relativedelta(months=1)) == at(2026, 2, 28)
        assert add_calendar(at(2028, 1, 31), relativedelta(months=1)) == at(2028, 2, 29)

    def test_series_does_not_drift(self) -> None:
        """Computes every instant from the anchor, so day 31 comes back."""
        series = calendar_series(at(2026, 1, 31), relativedelta(months=1), 13)
        assert [d.day for d in series[:4]] == [31, 28, 31, 30]
        assert series[12] == at(2027, 1, 31)

    def test_wall_clock_across_dst(self) -> None:
        """Keeps wall-clock time across a DST change: a calendar day may be 25 hours."""
        later = add_calendar(at(2026, 10, 24, 12), relativedelta(days=1))
        assert later == at(2026, 10, 25, 12)
        assert Period(at(2026, 10, 24, 12), later).hours == 25

    def test_exact_across_dst(self) -> None:
        """Adds exact hours on the absolute timeline."""
        assert add_exact(at(2026, 10, 25, 1), dt.timedelta(hours=3)).isoformat() == (
            "2026-10-25T03:00:00+01:00"
        )
        assert add_exact(at(2026, 1, 1), quantity("90 min")) == at(2026, 1, 1, 1, 30)

    def test_mixing_raises(self) -> None:
        """Refuses an exact duration where a calendar length belongs, and the reverse."""
        with pytest.raises(ValidationError, match="calendar length"):
            add_calendar(at(2026, 1, 1), dt.timedelta(days=30))  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="exact duration"):
            add_exact(at(2026, 1, 1), relativedelta(months=1))
        with pytest.raises(ValidationError, match="exact duration"):
            add_exact(at(2026, 1, 1), quantity("5 GiB"))
        with pytest.raises(ValidationError, match="calendar length"):
            add_calendar(at(2026, 1, 1), "P1M")  # type: ignore[arg-type]

    def test_absolute_relativedelta_refused(self) -> None:
        """Refuses a relativedelta that sets a field instead of adding to it."""
        with pytest.raises(ValidationError, match="sets day"):
            add_calendar(at(2026, 1, 1), relativedelta(day=31))
        with pytest.raises(ValidationError, match="leapdays"):
            add_calendar(at(2026, 1, 1), relativedelta(leapdays=1))

    def test_naive_start_refused(self) -> None:
        """Refuses calendar arithmetic on a naive datetime."""
        with pytest.raises(ValidationError):
            add_calendar(dt.datetime(2026, 1, 1), relativedelta(days=1))

    def test_exact_seconds(self) -> None:
        """Counts seconds exactly from timedeltas and time quantities."""
        assert exact_seconds(dt.timedelta(days=1, microseconds=5)) == Fraction(86400000005, 10**6)
        assert exact_seconds(quantity("1.5 h")) == 5400


class TestDailyWindow:
    """A weekday's opening hours."""

    def test_parse_and_text(self) -> None:
        """Reads and writes 'mon 09:00-17:00'."""
        window = DailyWindow.parse("mon 09:00-17:30")
        assert window == DailyWindow(0, 540, 1050)
        assert str(window) == "mon 09:00-17:30"
        assert str(DailyWindow.parse("sun 00:00-24:00")) == "sun 00:00-24:00"

    @pytest.mark.parametrize(
        "bad",
        [
            "mon 9-17",
            "funday 09:00-17:00",
            "mon 09:60-10:00",
            "mon 17:00-09:00",
            "mon 09:00-24:01",
            "mon",
            5,
            "mon \u0660\u0669:00-17:00",  # Arabic-Indic digits
            "mon 09:00-17:00\n",
            " mon 09:00-17:00",
            "mon 09:00-17:00 ",
            "Mon 09:00-17:00",
            "MON 09:00-17:00",
            "mon 9:00-17:00",
            "mon  09:00-17:00",
            "mon\t09:00-17:00",
            "mon 09:00-17:00\x00",
            "monday 09:00-17:00",
            "mon 24:00-24:00",
            "mon 09:00-25:00",
            b"mon 09:00-17:00",
            None,
        ],
    )
    def test_parse_refuses(self, bad: object) -> None:
        """Refuses anything but the one form: a weekday and two times in order."""
        with pytest.raises(ValidationError) as info:
            DailyWindow.parse(bad)  # type: ignore[arg-type]
        assert [(p.path, p.expected) for p in info.value.problems] == [
            ("$", "a daily window such as 'mon 09:00-17:00'")
        ]

    def test_parse_refuses_bytes_with_a_message(self) -> None:
        """Refuses bytes with a ValidationError, not a TypeError."""
        with pytest.raises(ValidationError) as info:
            DailyWindow.parse(b"mon 09:00-17:00")  # type: ignore[arg-type]
        assert str(info.value) == (
            "DailyWindow is invalid (1 problem):\n"
            "  - expected a daily window such as 'mon 09:00-17:00',"
            " got b'mon 09:00-17:00' (bytes) @ $"
        )

    @given(st.text(max_size=20))
    def test_parse_is_the_pattern(self, text: str) -> None:
        """Reads exactly the texts the whole pattern matches, and writes them back."""
        import re  # noqa: PLC0415

        matches = re.fullmatch(WINDOW_PATTERN, text) is not None
        try:
            window = DailyWindow.parse(text)
        except ValidationError:
            return
        assert matches
        assert text == str(window)

    def test_reader_agrees(self) -> None:
        """Refuses the JSON forms the schema pattern refuses, at the window's index."""
        for bad in ("mon \u0660\u0669:00-17:00\n", " mon 09:00-17:00", "Mon 09:00-17:00"):
            with pytest.raises(ValidationError) as info:
                from_dict(SupportHours, {"timezone": "UTC", "windows": ["mon 09:00-10:00", bad]})
            assert info.value.paths == ["$.windows[1]"]

    def test_validation(self) -> None:
        """Lists a bad weekday and bad hours together."""
        with pytest.raises(ValidationError) as info:
            DailyWindow(7, 600, 500)
        assert info.value.paths == ["$.weekday", "$.closes"]


class TestSupportHours:
    """Elapsed business time on a weekly calendar with holidays."""

    office = SupportHours.weekdays(
        "09:00", "17:00", "Europe/Berlin", holidays=[dt.date(2026, 12, 25)]
    )

    def test_over_a_weekend(self) -> None:
        """Counts Friday 16-17 and Monday 9-10: two hours."""
        assert self.office.elapsed(at(2026, 11, 27, 16), at(2026, 11, 30, 10)) == (
            dt.timedelta(hours=2)
        )

    def test_holiday_is_closed(self) -> None:
        """Skips a holiday: Thursday 16:00 to Monday 10:00 around Christmas is 2 hours."""
        assert self.office.elapsed(at(2026, 12, 24, 16), at(2026, 12, 28, 10)) == (
            dt.timedelta(hours=2)
        )

    def test_inside_one_window(self) -> None:
        """Counts exact time inside a window, and nothing outside."""
        assert self.office.elapsed(at(2026, 11, 30, 9, 30), at(2026, 11, 30, 9, 45)) == (
            dt.timedelta(minutes=15)
        )
        assert self.office.elapsed(at(2026, 11, 28, 9), at(2026, 11, 28, 17)) == dt.timedelta()

    def test_windows_follow_the_wall_clock_over_dst(self) -> None:
        """Keeps 09:00-17:00 local on the Monday after the clocks change."""
        assert self.office.elapsed(at(2026, 10, 23, 0), at(2026, 10, 27, 0)) == (
            dt.timedelta(hours=16)
        )

    def test_round_the_clock(self) -> None:
        """Counts every hour, 25 on the day the clocks go back."""
        always = SupportHours.always("Europe/Berlin")
        assert always.elapsed(at(2026, 10, 25), at(2026, 10, 26)) == dt.timedelta(hours=25)

    def test_deadline(self) -> None:
        """Finds when a budget of business time runs out."""
        assert self.office.deadline(at(2026, 11, 27, 16), dt.timedelta(hours=4)) == (
            at(2026, 11, 30, 12)
        )
        assert self.office.deadline(at(2026, 11, 28, 3), quantity("30 min")) == (
            at(2026, 11, 30, 9, 30)
        )
        assert self.office.deadline(at(2026, 11, 27, 16), dt.timedelta()) == at(2026, 11, 27, 16)

    def test_deadline_without_open_hours(self) -> None:
        """Refuses a deadline on a calendar that is never open."""
        closed = SupportHours(timezone="UTC", windows=())
        with pytest.raises(ValidationError, match="open hours"):
            closed.deadline(at(2026, 1, 1), dt.timedelta(hours=1))

    def test_is_open(self) -> None:
        """Says whether support is open at an instant."""
        assert self.office.is_open(at(2026, 11, 30, 9))
        assert not self.office.is_open(at(2026, 11, 30, 17))
        assert not self.office.is_open(at(2026, 12, 25, 10))

    def test_refusals(self) -> None:
        """Refuses an end before the start, and an unknown zone."""
        with pytest.raises(ValidationError, match="not before the start"):
            self.office.elapsed(at(2026, 1, 2), at(2026, 1, 1))
        with pytest.raises(ValidationError, match="IANA"):
            SupportHours(timezone="Nowhere/Else", windows=())

    @given(st.integers(0, 24 * 14), st.integers(0, 24 * 14), st.integers(0, 24 * 14))
    def test_elapsed_is_additive(self, a: int, b: int, c: int) -> None:
        """Adds up over consecutive spans: elapsed(x, z) = elapsed(x, y) + elapsed(y, z)."""
        x, y, z = (add_exact(at(2026, 10, 19), dt.timedelta(hours=h)) for h in sorted((a, b, c)))
        assert self.office.elapsed(x, z) == self.office.elapsed(x, y) + self.office.elapsed(y, z)

    @given(st.integers(0, 24 * 14), st.integers(1, 60 * 40))
    def test_deadline_inverts_elapsed(self, start_hour: int, minutes: int) -> None:
        """Finds a deadline whose elapsed business time is the budget."""
        start = add_exact(at(2026, 10, 19), dt.timedelta(hours=start_hour))
        budget = dt.timedelta(minutes=minutes)
        assert self.office.elapsed(start, self.office.deadline(start, budget)) == budget


class TestInstantsNotWallClocks:
    """Comparisons are of instants, so the repeated hour of a DST change works."""

    first_230 = at(2026, 10, 25, 2, 30)  # fold=0: the first pass, +02:00
    second_230 = at(2026, 10, 25, 2, 30).replace(fold=1)  # the second pass, +01:00

    def test_repeated_hour(self) -> None:
        """Measures an hour between the two 02:30s, and refuses them in the wrong order."""
        assert Period(self.first_230, self.second_230).hours == 1
        with pytest.raises(ValidationError):
            Period(self.second_230, at(2026, 10, 25, 2, 45))
        assert self.first_230.astimezone(UTC) in Period(self.first_230, self.second_230)

    def test_equality_is_by_instant_and_zone(self) -> None:
        """Tells a Berlin period from the same instants in UTC: their calendar splits differ."""
        berlin = Period(self.first_230, self.second_230)
        utc = Period(self.first_230.astimezone(UTC), self.second_230.astimezone(UTC))
        assert berlin != utc
        assert len({berlin, utc}) == 2
        assert berlin == Period(self.first_230, self.second_230.astimezone(BERLIN))

    def test_support_hours_over_the_repeated_hour(self) -> None:
        """Counts the repeated hour once more on a round-the-clock calendar."""
        always = SupportHours.always("Europe/Berlin")
        assert always.elapsed(self.first_230, self.second_230) == dt.timedelta(hours=1)

    def test_window_inside_a_dst_gap_is_empty(self) -> None:
        """Gives a window that the spring change skips no time at all, never negative."""
        sunday = SupportHours(
            timezone="Europe/Berlin", windows=(DailyWindow.parse("sun 02:30-03:00"),)
        )
        assert sunday.elapsed(at(2026, 3, 29), at(2026, 3, 30)) == dt.timedelta()
        assert sunday.deadline(at(2026, 3, 29), dt.timedelta(minutes=10)) == (
            at(2026, 4, 5, 2, 40)
        )

    def test_overlapping_windows_count_once(self) -> None:
        """Counts overlapping windows of a day once."""
        monday = SupportHours(
            timezone="Europe/Berlin",
            windows=(DailyWindow.parse("mon 09:00-17:00"), DailyWindow.parse("mon 10:00-11:40")),
        )
        assert monday.elapsed(at(2026, 11, 30), at(2026, 12, 1)) == dt.timedelta(hours=8)


class TestBadArguments:
    """Wrong argument types are ValidationErrors, never raw exceptions."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda: Period.month(2026, 13, "UTC"),
            lambda: Period.year(10000, "UTC"),
            lambda: Period.day("2026-01-01", "UTC"),  # type: ignore[arg-type]
            lambda: Period.month(2026, 1, 5),  # type: ignore[arg-type]
            lambda: Period.quarter(2026, True, "UTC"),  # noqa: FBT003 - a bool is refused
            lambda: timezone(None),  # type: ignore[arg-type]
            lambda: SupportHours(timezone=None, windows=()),  # type: ignore[arg-type]
            lambda: SupportHours(timezone="UTC", windows=("mon 09:00-17:00",)),  # type: ignore[arg-type]
            lambda: SupportHours(timezone="UTC", windows=(), holidays=["2026-12-25"]),  # type: ignore[list-item]
            lambda: add_exact(at(2026, 1, 1), quantity("1e30 s")),
        ],
    )
    def test_refused(self, call: object) -> None:
        """Refuses each with a ValidationError."""
        with pytest.raises(ValidationError):
            call()  # type: ignore[operator]


class TestExactDurationsRefuseCalendarUnits:
    """pint's average month never becomes an exact duration."""

    def test_month_quantity_refused(self) -> None:
        """Refuses a quantity in months where an exact duration is needed."""
        with pytest.raises(ValidationError, match="months and years vary"):
            Period.starting(at(2026, 1, 1), quantity("1 month"))
        with pytest.raises(ValidationError, match="months and years vary"):
            exact_seconds(quantity("1 year"))


class TestMidnightGaps:
    """Zones whose clocks jump at midnight: days start at the first real instant."""

    santiago = timezone("America/Santiago")

    def test_split_a_day_that_starts_at_one(self) -> None:
        """Splits across a day whose midnight does not exist, covering every instant."""
        start = dt.datetime(2008, 10, 11, 23, 30, tzinfo=self.santiago)
        period = Period(start, add_exact(start, dt.timedelta(minutes=61)))
        pieces = period.split("day")
        assert pieces[0].start == period.start
        assert pieces[-1].end == period.end
        assert pieces[1].start.isoformat() == "2008-10-12T01:00:00-03:00"
        assert sum((p.seconds for p in pieces), Fraction(0)) == period.seconds
        day = Period.day(dt.date(2008, 10, 12), self.santiago)
        assert day.hours == 23
        assert day.start.isoformat() == "2008-10-12T01:00:00-03:00"

    def test_the_missing_midnight_is_refused(self) -> None:
        """Refuses the midnight the clocks skip, in either fold."""
        for fold in (0, 1):
            midnight = dt.datetime(2008, 10, 12, fold=fold, tzinfo=self.santiago)
            with pytest.raises(ValidationError, match="exists in America/Santiago"):
                Period(midnight, midnight + dt.timedelta(days=1))


LAST = dt.datetime(8999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""The last instant of the supported range."""
RANGE = "an instant from 1900-01-01T00:00Z up to (not including) 9000-01-01T00:00Z"
WEST = dt.timezone(dt.timedelta(hours=-5))


class TestSupportedRange:
    """One range of instants, 1900-01-01T00:00Z <= t < 9000-01-01T00:00Z, checked everywhere."""

    def test_aware_refuses_outside_the_range(self) -> None:
        """Refuses an instant past the range, naming the range."""
        with pytest.raises(ValidationError) as info:
            aware(dt.datetime(9000, 1, 1, tzinfo=UTC), "$.when")
        assert (
            "Instant is invalid (1 problem):\n"
            f"  - expected {RANGE}, got 9000-01-01T00:00:00+00:00 @ $.when"
        ) == str(info.value)

    def test_period_at_the_end_of_the_calendar(self) -> None:
        """Refuses Period(9999-01-01Z, 9999-06-01Z), so its split can never overflow."""
        with pytest.raises(ValidationError) as info:
            Period(dt.datetime(9999, 1, 1, tzinfo=UTC), dt.datetime(9999, 6, 1, tzinfo=UTC))
        assert info.value.paths == ["$.start", "$.end"]
        assert {RANGE} == {p.expected for p in info.value.problems}
        assert "Period is invalid" in str(info.value)

    @pytest.mark.parametrize(
        ("start", "end", "paths"),
        [
            ("0001-01-01T00:00:00+05:00", "0001-01-01T01:00:00+05:00", ["$.start", "$.end"]),
            ("9999-12-31T18:00:00-05:00", "9999-12-31T20:00:00-05:00", ["$.start", "$.end"]),
            ("8999-12-31T18:00:00-05:00", "8999-12-31T19:00:00-05:00", ["$.end"]),
            ("1899-12-31T23:59:59+00:00", "1900-01-01T00:00:00+00:00", ["$.start"]),
        ],
    )
    def test_period_edges_with_offsets(self, start: str, end: str, paths: list[str]) -> None:
        """Refuses ends outside the range whatever their offset, each with its path."""
        with pytest.raises(ValidationError) as info:
            Period(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
        assert paths == info.value.paths

    def test_period_inside_the_edges(self) -> None:
        """Accepts the first and last instants of the range as the ends of periods."""
        first = Period(dt.datetime(1900, 1, 1, tzinfo=UTC), dt.datetime(1900, 1, 2, tzinfo=UTC))
        last = Period(dt.datetime(8999, 12, 31, tzinfo=UTC), LAST)
        assert [round(first.hours), round(last.hours)] == [24, 24]
        assert (last,) == last.split("year")

    @given(
        st.sampled_from([dt.datetime(1900, 1, 1), dt.datetime(9000, 1, 1)]).flatmap(
            lambda bound: st.tuples(
                *[
                    st.integers(-(2 * 10**11), 2 * 10**11).map(
                        lambda us, b=bound: b + dt.timedelta(microseconds=us)
                    )
                ]
                * 2
            )
        ),
        st.tuples(*[st.integers(-23 * 60 - 59, 23 * 60 + 59)] * 2),
    )
    def test_hot_path_agrees(
        self, walls: tuple[dt.datetime, dt.datetime], offsets: tuple[int, int]
    ) -> None:
        """Accepts fixed-offset ends near the bounds exactly when both are in range, in order."""
        start, end = (
            wall.replace(tzinfo=dt.timezone(dt.timedelta(minutes=m)))
            for wall, m in zip(walls, offsets, strict=True)
        )
        low, high = dt.datetime(1900, 1, 1, tzinfo=UTC), dt.datetime(9000, 1, 1, tzinfo=UTC)
        expected = low <= start < high and low <= end < high and start < end
        try:
            Period(start, end)
        except ValidationError:
            accepted = False
        else:
            accepted = True
        assert expected == accepted

    def test_calendar_periods_at_the_bounds(self) -> None:
        """Refuses calendar periods that leave the range, with the path of the end outside."""
        assert Period.year(8998, "UTC").end == dt.datetime(8999, 1, 1, tzinfo=UTC)
        with pytest.raises(ValidationError) as info:
            Period.year(8999, "UTC")  # ends at 9000-01-01T00:00Z, outside
        assert info.value.paths == ["$.end"]
        with pytest.raises(ValidationError) as info:
            Period.month(1900, 1, "Europe/Berlin")  # starts at 1899-12-31T23:00Z
        assert info.value.paths == ["$.start"]
        with pytest.raises(ValidationError, match="year 1900-8999"):
            Period.year(9999, "UTC")
        with pytest.raises(ValidationError) as info:
            Period(dt.datetime(1900, 1, 1, 1, tzinfo=BERLIN), at(1900, 1, 2)).enclosing("year")
        assert info.value.paths == ["$.start"]

    def test_split_near_the_end(self) -> None:
        """Splits a period that ends just before the bound, in a zone west of UTC."""
        period = Period(
            dt.datetime(8999, 11, 20, tzinfo=WEST), dt.datetime(8999, 12, 31, 18, tzinfo=WEST)
        )
        assert [(p.start.month, p.start.day) for p in period.split("month")] == [(11, 20), (12, 1)]
        assert period.end == period.split("quarter")[-1].end


class TestCalendarArithmeticAtTheBounds:
    """Calendar and exact arithmetic never leak OverflowError or ValueError."""

    def test_add_calendar_past_the_end(self) -> None:
        """Refuses a result past the range, and one past Python's year 9999."""
        start = dt.datetime(8999, 6, 1, tzinfo=UTC)
        with pytest.raises(ValidationError) as info:
            add_calendar(start, relativedelta(months=7))
        assert (
            "Calendar arithmetic is invalid (1 problem):\n"
            f"  - expected a result that is {RANGE}, got 9000-01-01T00:00:00+00:00 @ $.length"
        ) == str(info.value)
        for length, times in [
            (relativedelta(years=1000), 1),  # the longest calendar length the model holds
            (relativedelta(months=1), 10**9),
            (relativedelta(days=1), 10**400),
            (relativedelta(months=1), -(10**6)),
        ]:
            with pytest.raises(ValidationError) as info:
                add_calendar(start, length, times)
            assert info.value.paths == ["$.length"]

    def test_add_calendar_refuses_odd_times(self) -> None:
        """Refuses a count of lengths that is not an integer."""
        with pytest.raises(ValidationError) as info:
            add_calendar(at(2026, 1, 1), relativedelta(days=1), 1.5)  # type: ignore[arg-type]
        assert info.value.paths == ["$.times"]

    def test_add_calendar_into_a_gap(self) -> None:
        """Moves a result the spring change skips on to the instant after the jump."""
        result = add_calendar(at(2026, 3, 28, 2, 30), relativedelta(days=1))
        assert result.isoformat() == "2026-03-29T03:30:00+02:00"
        aware(result)

    def test_calendar_series_refuses_before_any_work(self) -> None:
        """Refuses a series that would leave the range, and a count that is no integer."""
        with pytest.raises(ValidationError) as info:
            calendar_series(at(2026, 1, 1), relativedelta(days=1), 10**12)
        assert info.value.paths == ["$.length"]
        for count in (-1, "3", 2.0):
            with pytest.raises(ValidationError) as info:
                calendar_series(at(2026, 1, 1), relativedelta(days=1), count)  # type: ignore[arg-type]
            assert info.value.paths == ["$.count"]

    def test_add_exact_past_either_end(self) -> None:
        """Refuses results outside the range, naming it."""
        with pytest.raises(ValidationError) as info:
            add_exact(LAST, dt.timedelta(microseconds=1))
        assert (
            "Exact arithmetic is invalid (1 problem):\n"
            f"  - expected a duration whose result is {RANGE}, got 0.000001 seconds @ $.duration"
        ) == str(info.value)
        with pytest.raises(ValidationError, match="1900-01-01"):
            add_exact(dt.datetime(1900, 1, 1, tzinfo=UTC), dt.timedelta(microseconds=-1))
        with pytest.raises(ValidationError, match=r"got -8.64e\+12 seconds"):
            add_exact(at(2026, 1, 1), dt.timedelta(days=-(10**8)))

    def test_add_exact_negative_fractions(self) -> None:
        """Subtracts a negative sub-second duration exactly (not a second minus it)."""
        start = at(2026, 1, 1)
        assert start - dt.timedelta(microseconds=1) == add_exact(
            start, dt.timedelta(microseconds=-1)
        )
        assert start - dt.timedelta(milliseconds=1500) == add_exact(start, quantity("-1.5 s"))

    @given(
        st.datetimes(
            min_value=dt.datetime(1900, 1, 2),
            max_value=dt.datetime(8999, 12, 30),
            timezones=st.sampled_from([UTC, BERLIN, WEST, timezone("Pacific/Kiritimati")]),
            allow_imaginary=False,
        ),
        st.builds(
            relativedelta,
            years=st.integers(0, 1000),
            months=st.integers(0, 11),
            days=st.integers(0, 366),
            hours=st.integers(0, 48),
        ),
        st.integers(0, 3),
    )
    def test_never_a_builtin_error(
        self, start: dt.datetime, length: relativedelta, times: int
    ) -> None:
        """Gives an instant aware() accepts, or a ValidationError, for lengths up to 1000 years."""
        paths: list[str] = []
        try:
            result = add_calendar(start, length, times)
        except ValidationError as exc:
            paths = exc.paths
        else:
            assert result is aware(result)
        assert paths in ([], ["$.length"])


class TestSupportHoursAtTheBounds:
    """The support-hours clock refuses instants outside the range instead of overflowing."""

    def test_elapsed_from_year_one(self) -> None:
        """Refuses SupportHours.always().elapsed over 1 January of year 1."""
        with pytest.raises(ValidationError) as info:
            SupportHours.always().elapsed(
                dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(1, 1, 2, tzinfo=UTC)
            )
        assert info.value.paths == ["$.start", "$.end"]
        assert "SupportHours is invalid" in str(info.value)

    def test_is_open_and_deadline_refuse(self) -> None:
        """Refuses is_open and deadline outside the range, and a deadline past it."""
        always = SupportHours.always()
        with pytest.raises(ValidationError) as info:
            always.is_open(dt.datetime(9999, 12, 31, tzinfo=UTC))
        assert info.value.paths == ["$.instant"]
        with pytest.raises(ValidationError) as info:
            always.deadline(dt.datetime(1, 1, 1, tzinfo=UTC), dt.timedelta(hours=1))
        assert info.value.paths == ["$.start"]
        with pytest.raises(ValidationError) as info:
            always.deadline(dt.datetime(8999, 12, 31, 22, tzinfo=UTC), dt.timedelta(hours=3))
        assert (
            "SupportHours is invalid (1 problem):\n"
            f"  - expected a budget whose deadline is {RANGE}, got 1.08e+4 seconds @ $.budget"
        ) == str(info.value)
        assert LAST.replace(microsecond=0) == always.deadline(
            dt.datetime(8999, 12, 31, 22, tzinfo=UTC), dt.timedelta(seconds=7199)
        )

    def test_elapsed_to_the_end_of_the_range(self) -> None:
        """Measures up to the last instant of the range."""
        office = SupportHours.weekdays("09:00", "17:00", "Europe/Berlin")
        start = dt.datetime(8999, 12, 27, tzinfo=BERLIN)  # a Friday
        assert dt.timedelta(hours=16) == office.elapsed(
            start, dt.datetime(8999, 12, 31, 1, tzinfo=BERLIN)
        )


class TestZoneNames:
    """timezone() refuses every name that is not an IANA zone, never leaking an OSError."""

    @pytest.mark.parametrize(
        "name",
        ["x" * 300, "a\0b", "Europe/../../etc/passwd", "/etc/localtime", "Europe", "\ud800"],
    )
    def test_refused(self, name: str) -> None:
        """Refuses with a ValidationError at the path given."""
        with pytest.raises(ValidationError) as info:
            timezone(name, path="$.tz")
        assert info.value.paths == ["$.tz"]
        assert str(info.value).startswith(
            "Time zone is invalid (1 problem):\n"
            "  - expected an IANA time zone name of at most 64 characters, such as 'Europe/Berlin'"
        )

    def test_support_hours_zone(self) -> None:
        """Refuses a 300-character zone in SupportHours at $.timezone."""
        with pytest.raises(ValidationError) as info:
            SupportHours.always("x" * 300)
        assert info.value.paths == ["$.timezone"]

    def test_period_zone(self) -> None:
        """Refuses a bad zone name of a calendar period at $.tz."""
        with pytest.raises(ValidationError) as info:
            Period.month(2026, 1, "../UTC")
        assert info.value.paths == ["$.tz"]


class TestDstGap:
    """Wall times a DST change skips name no instant: refused."""

    def test_aware_refuses_the_gap(self) -> None:
        """Refuses 02:30 on 2026-03-29 in Berlin, saying so."""
        with pytest.raises(ValidationError) as info:
            aware(at(2026, 3, 29, 2, 30), "$.received_at")
        assert str(info.value) == (
            "Instant is invalid (1 problem):\n"
            "  - expected a wall time that exists in Europe/Berlin, got 2026-03-29T02:30:00,"
            " which the clocks skip @ $.received_at"
        )

    def test_period_refuses_the_gap(self) -> None:
        """Refuses a period starting in the gap."""
        with pytest.raises(ValidationError) as info:
            Period(at(2026, 3, 29, 2, 30), at(2026, 3, 29, 4))
        assert info.value.paths == ["$.start"]


class TestPeriodEquality:
    """Periods compare and hash by (UTC instant, zone) of each end."""

    first = at(2026, 10, 25, 2, 30)
    second = first.replace(fold=1)

    def test_fold_ends_differ(self) -> None:
        """Keeps periods whose ends are an hour apart in the fold apart."""
        one = Period(at(2026, 10, 25, 1), self.first)
        other = Period(at(2026, 10, 25, 1), self.second)
        assert one != other
        assert len({one, other}) == 2


JAN = Period.month(2026, 1, BERLIN)
FEB = Period.month(2026, 2, BERLIN)
OFFICE = SupportHours.weekdays("09:00", "17:00", "Europe/Berlin")
ONE_MONTH = relativedelta(months=1)

# Every public callable of cloudsms.periods with arguments it accepts; the walk below
# replaces each argument in turn with values of the wrong type.
PUBLIC_CALLS: dict[str, tuple[object, tuple[object, ...], dict[str, object]]] = {
    "timezone": (timezone, ("Europe/Berlin",), {}),
    "aware": (aware, (at(2026, 1, 1),), {}),
    "exact_seconds": (exact_seconds, (dt.timedelta(hours=1),), {}),
    "add_calendar": (add_calendar, (at(2026, 1, 1), ONE_MONTH, 2), {}),
    "calendar_series": (calendar_series, (at(2026, 1, 1), ONE_MONTH, 3), {}),
    "add_exact": (add_exact, (at(2026, 1, 1), dt.timedelta(hours=1)), {}),
    "calendar_length_problems": (calendar_length_problems, (ONE_MONTH,), {}),
    "offset_changes": (offset_changes, (JAN,), {}),
    "Period": (Period, (at(2026, 1, 1), at(2026, 2, 1)), {}),
    "Period.day": (Period.day, (dt.date(2026, 1, 1), "UTC"), {}),
    "Period.month": (Period.month, (2026, 1, "UTC"), {}),
    "Period.quarter": (Period.quarter, (2026, 1, "UTC"), {}),
    "Period.year": (Period.year, (2026, "UTC"), {}),
    "Period.starting": (Period.starting, (at(2026, 1, 1), ONE_MONTH), {}),
    "Period.overlaps": (JAN.overlaps, (FEB,), {}),
    "Period.intersection": (JAN.intersection, (FEB,), {}),
    "Period.split": (JAN.split, ("day",), {}),
    "Period.calendar_count": (JAN.calendar_count, ("day",), {}),
    "Period.enclosing": (JAN.enclosing, ("month",), {}),
    "DailyWindow": (DailyWindow, (0, 540, 1020), {}),
    "DailyWindow.parse": (DailyWindow.parse, ("mon 09:00-17:00",), {}),
    "SupportHours": (
        SupportHours,
        (),
        {"timezone": "UTC", "windows": (DailyWindow(0, 0, 60),), "holidays": ()},
    ),
    "SupportHours.weekdays": (
        SupportHours.weekdays,
        ("09:00", "17:00", "UTC"),
        {"holidays": [dt.date(2026, 12, 25)]},
    ),
    "SupportHours.always": (SupportHours.always, ("UTC",), {}),
    "SupportHours.elapsed": (OFFICE.elapsed, (at(2026, 1, 5), at(2026, 1, 6)), {}),
    "SupportHours.deadline": (OFFICE.deadline, (at(2026, 1, 5), dt.timedelta(hours=1)), {}),
    "SupportHours.is_open": (OFFICE.is_open, (at(2026, 1, 5),), {}),
    "SupportHours.open_spans": (
        OFFICE.open_spans,
        (dt.date(2026, 1, 5), dt.date(2026, 1, 6)),
        {},
    ),
}
WRONG = (None, True, 5, 1.5, "x", b"x", [], [[1]], {}, object(), dt.date(2026, 1, 1))


def _wrong_calls() -> list[object]:
    cases = []
    for name, (call, args, kwargs) in PUBLIC_CALLS.items():
        for index in range(len(args)):
            cases += [
                pytest.param(call, (*args[:index], bad, *args[index + 1 :]), kwargs, id=name)
                for bad in WRONG
            ]
        for key in kwargs:
            cases += [pytest.param(call, args, {**kwargs, key: bad}, id=name) for bad in WRONG]
    return cases


class TestWrongTypes:
    """Every public callable refuses wrong-typed arguments with a ValidationError and a path."""

    def test_every_public_callable_is_walked(self) -> None:
        """Lists every public function, class and method of the module in the walk."""
        import inspect  # noqa: PLC0415

        from cloudsms import periods  # noqa: PLC0415

        public = set()
        for name in periods.__all__:
            value = getattr(periods, name)
            if inspect.isfunction(value):
                public.add(name)
            elif inspect.isclass(value):
                public.add(name)
                public |= {
                    f"{name}.{member}"
                    for member, attribute in vars(value).items()
                    if not member.startswith("_")
                    and (inspect.isfunction(attribute) or isinstance(attribute, classmethod))
                }
        assert public == set(PUBLIC_CALLS)

    @pytest.mark.parametrize(("call", "args", "kwargs"), _wrong_calls())
    def test_refused_with_a_path(
        self, call: object, args: tuple[object, ...], kwargs: dict[str, object]
    ) -> None:
        """Refuses a wrong-typed argument with a ValidationError, or answers normally."""
        try:
            call(*args, **kwargs)  # type: ignore[operator]
        except ValidationError as exc:
            problems = exc.problems
        else:
            return
        assert problems
        assert all(p.path.startswith("$") for p in problems)

    def test_messages(self) -> None:
        """Says what arrived where a Period was expected."""
        with pytest.raises(ValidationError) as info:
            JAN.overlaps(None)  # type: ignore[arg-type]
        assert str(info.value) == (
            "Period is invalid (1 problem):\n  - expected a Period, got null @ $.other"
        )
        with pytest.raises(ValidationError) as info:
            Period.quarter([], 1, "UTC")  # type: ignore[arg-type]
        assert info.value.paths == ["$"]
        with pytest.raises(ValidationError) as info:
            Period.quarter(2026, [], "UTC")  # type: ignore[arg-type]
        assert info.value.paths == ["$.quarter"]
        with pytest.raises(ValidationError) as info:
            SupportHours(timezone="UTC", windows=5, holidays=[[1]])  # type: ignore[arg-type]
        assert [(p.path, p.expected) for p in info.value.problems] == [
            ("$.windows", "a sequence of DailyWindow"),
            ("$.holidays", "a collection of dates"),
        ]

    def test_weekdays_times(self) -> None:
        """Refuses opening times not written as 'HH:MM', naming both."""
        with pytest.raises(ValidationError) as info:
            SupportHours.weekdays("9:00", "17:00", "UTC")
        assert str(info.value) == (
            "SupportHours is invalid (1 problem):\n"
            "  - expected opening and closing times such as '09:00' and '17:00',"
            " got '9:00' (string) and '17:00' (string) @ $"
        )

    def test_holidays_from_any_collection(self) -> None:
        """Accepts holidays from a generator or a set, as before."""
        days = [dt.date(2026, 12, 25), dt.date(2026, 12, 26)]
        assert SupportHours.weekdays("09:00", "17:00", "UTC", holidays=iter(days)) == (
            SupportHours.weekdays("09:00", "17:00", "UTC", holidays=set(days))
        )


ZONES = st.sampled_from(
    [
        UTC,
        BERLIN,
        timezone("UTC"),
        timezone("America/Santiago"),
        dt.timezone(-dt.timedelta(hours=5)),
    ]
)
UNITS = st.sampled_from(["day", "month", "quarter", "year"])


def reference_split(period: Period, unit: str) -> list[Period]:
    """Pieces found one at a time: each ends at the end of the unit holding its start."""
    pieces, current = [], period.start
    while current.astimezone(UTC) < period.end.astimezone(UTC):
        upper = Period(current, period.end).enclosing(unit).end  # type: ignore[arg-type]
        if upper.astimezone(UTC) > period.end.astimezone(UTC):
            upper = period.end
        pieces.append(Period(current, upper))
        current = upper
    return pieces


class TestCalendarCount:
    """Period.calendar_count: whole units, and partial ones by their share, without a split."""

    def test_hand_computed(self) -> None:
        """Counts a month as one and a part by the share of its exact length."""
        assert Fraction(1) == Period.month(2026, 2, "UTC").calendar_count("month")
        assert Fraction(46, 31) == Period(
            at(2026, 1, 17, tz=UTC), at(2026, 3, 1, tz=UTC)
        ).calendar_count("month")
        assert Fraction(3, 25) == Period(at(2026, 10, 25, 1), at(2026, 10, 25, 3)).calendar_count(
            "day"
        )  # 3 real hours of the 25-hour day the clocks go back
        # 90 days less the hour the spring change skips, of a 365-day year
        assert Fraction(90 * 24 - 1, 365 * 24) == Period.quarter(2026, 1, BERLIN).calendar_count(
            "year"
        )

    def test_the_whole_range_at_once(self) -> None:
        """Counts the days of nearly the whole range without building 2.6 million pieces."""
        span = Period(dt.datetime(1900, 1, 1, tzinfo=UTC), dt.datetime(8999, 12, 1, tzinfo=UTC))
        assert Fraction(2593191) == span.calendar_count("day")
        assert Fraction(7100 * 12 - 1) == span.calendar_count("month")

    def test_refuses_a_unit(self) -> None:
        """Refuses a unit that is no calendar unit, at $.unit."""
        with pytest.raises(ValidationError) as info:
            JAN.calendar_count("week")  # type: ignore[arg-type]
        assert info.value.paths == ["$.unit"]

    @given(
        st.datetimes(
            min_value=dt.datetime(1990, 1, 1),
            max_value=dt.datetime(2040, 1, 1),
            timezones=ZONES,
            allow_imaginary=False,
        ),
        st.integers(1, 400 * 24 * 60),
        UNITS,
        st.booleans(),
    )
    def test_agrees_with_split(
        self, start: dt.datetime, minutes: int, unit: str, end_in_utc: bool
    ) -> None:
        """Equals the sum of each piece's share of its unit; split equals the reference."""
        end = add_exact(start, dt.timedelta(minutes=minutes))
        period = Period(start, end.astimezone(UTC) if end_in_utc else end)
        pieces = period.split(unit)  # type: ignore[arg-type]
        shares = sum(
            (p.seconds / p.enclosing(unit).seconds for p in pieces),  # type: ignore[arg-type]
            Fraction(0),
        )
        assert shares == period.calendar_count(unit)  # type: ignore[arg-type]
        assert reference_split(period, unit) == list(pieces)

    def test_split_of_a_long_period(self) -> None:
        """Splits a century into its days, each a whole day but the cut ends."""
        century = Period(at(2000, 1, 1, 12), at(2100, 1, 1, 6))
        days = century.split("day")
        assert len(days) == 36525 + 1
        assert all(day == day.enclosing("day") for day in days[1:-1])
        assert (days[0].start, days[-1].end) == (century.start, century.end)


class TestCalendarLengthProblems:
    """One check of a calendar length: relative, whole, one sign, at most 1000 years either way."""

    @pytest.mark.parametrize(
        "length",
        [
            relativedelta(months=1),
            relativedelta(years=1000),
            relativedelta(years=989, months=11, days=3649, hours=23),
            relativedelta(days=365243),  # 2000-01-01 plus these days is 2999-12-31
        ],
    )
    def test_accepts(self, length: relativedelta) -> None:
        """Accepts positive whole lengths up to 1000 years, signed or not."""
        assert calendar_length_problems(length) == []
        assert calendar_length_problems(length, signed=True) == []
        assert calendar_length_problems(-length, signed=True) == []

    @pytest.mark.parametrize(
        ("length", "expected"),
        [
            (relativedelta(years=1001), "a calendar length of at most 1000 years"),
            (relativedelta(years=5000), "a calendar length of at most 1000 years"),
            (
                relativedelta(years=998, months=11, days=3649),
                "a calendar length of at most 1000 years",
            ),
            (relativedelta(days=10**9), "a calendar length of at most 1000 years"),
            (relativedelta(months=-1), "a positive calendar length in whole units, such as P1M"),
            (relativedelta(), "a positive calendar length in whole units, such as P1M"),
            (relativedelta(days=1.5), "a positive calendar length in whole units, such as P1M"),
            (
                relativedelta(seconds=1, microseconds=5),
                "a positive calendar length in whole units, such as P1M",
            ),
            (relativedelta(day=31), "a positive calendar length in whole units, such as P1M"),
            (dt.timedelta(days=1), "a positive calendar length in whole units, such as P1M"),
        ],
    )
    def test_refuses_positive(self, length: object, expected: str) -> None:
        """Refuses a length a model field cannot hold, saying what a length must be."""
        assert [("$.cycle", expected)] == [
            (p.path, p.expected) for p in calendar_length_problems(length, "$.cycle")
        ]

    @pytest.mark.parametrize(
        ("length", "expected"),
        [
            (relativedelta(years=-1001), "a calendar length of at most 1000 years either way"),
            (relativedelta(years=5000), "a calendar length of at most 1000 years either way"),
            (
                relativedelta(months=1, days=-1),
                "a calendar length in whole units of one sign, such as P1M or -P1M",
            ),
            (
                relativedelta(days=-1.5),
                "a calendar length in whole units of one sign, such as P1M or -P1M",
            ),
        ],
    )
    def test_refuses_signed(self, length: relativedelta, expected: str) -> None:
        """Refuses a length the JSON format cannot write, zero and negative ones aside."""
        assert [expected] == [p.expected for p in calendar_length_problems(length, signed=True)]
        assert calendar_length_problems(relativedelta(), signed=True) == []

    def test_model_fields_share_it(self) -> None:
        """Gives model records the same answer (a billing cycle, a review interval)."""
        from cloudsms._kit.checks import calendar_length_problems as field_check  # noqa: PLC0415

        length = relativedelta(years=998, months=11, days=3649)
        assert calendar_length_problems(length, "$.cycle") == field_check(length, "$.cycle")

    @given(st.integers(0, 1100), st.integers(0, 11), st.integers(0, 4000), st.integers(0, 23))
    def test_accepted_exactly_when_within_1000_years(
        self, years: int, months: int, days: int, hours: int
    ) -> None:
        """Accepts a positive length exactly when 2000-01-01 plus it is at most 3000-01-01."""
        length = relativedelta(years=years, months=months, days=days, hours=hours)
        if not any((years, months, days, hours)):
            return
        within = dt.datetime(2000, 1, 1) + length <= dt.datetime(3000, 1, 1)
        assert within == (calendar_length_problems(length) == [])


class TestLengthsAtTheLimit:
    """add_calendar and the JSON reader refuse lengths over 1000 years, saying so."""

    def test_add_calendar_refuses_a_long_length(self) -> None:
        """Refuses 5000 years even from 1900, where the result would be in the range."""
        with pytest.raises(ValidationError) as info:
            add_calendar(at(1901, 1, 1, tz=UTC), relativedelta(years=5000))
        assert str(info.value) == (
            "Calendar arithmetic is invalid (1 problem):\n"
            "  - expected a calendar length of at most 1000 years either way,"
            " got relativedelta(years=+5000) @ $.length"
        )
        assert add_calendar(at(1901, 1, 1, tz=UTC), relativedelta(years=1000), 5).year == 6901

    @pytest.mark.parametrize("text", ["P5000Y", "P999999Y", "-P1001Y", "P365244D"])
    def test_reader_refuses(self, text: str) -> None:
        """Reads no calendar length over 1000 years, with a length's expectation."""
        with pytest.raises(ValidationError) as info:
            from_dict(relativedelta, text)
        assert [p.expected for p in info.value.problems] == [
            "a calendar length of at most 1000 years either way"
        ]

    def test_writer_refuses(self) -> None:
        """Writes no calendar length over 1000 years."""
        with pytest.raises(ValidationError) as info:
            to_dict(relativedelta(years=5000))
        assert [p.expected for p in info.value.problems] == [
            "a calendar length of at most 1000 years either way"
        ]


class TestFractionalCalendarLengths:
    """Calendar lengths in fractions of a unit are refused, never cut to whole units."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda: add_calendar(at(2026, 1, 1), relativedelta(days=0.5)),
            lambda: calendar_series(at(2026, 1, 1), relativedelta(hours=1.5), 2),
            lambda: add_calendar(at(2026, 1, 1), relativedelta(months=1, days=-1)),
        ],
    )
    def test_arithmetic_refuses(self, call: Any) -> None:
        """Refuses a fraction (or mixed signs) with the check the JSON writer runs."""
        with pytest.raises(ValidationError) as info:
            call()
        assert [(p.path, p.expected) for p in info.value.problems] == [
            ("$.length", "a calendar length in whole units of one sign, such as P1M or -P1M")
        ]

    def test_period_starting_refuses(self) -> None:
        """Refuses a period of one and a half calendar hours instead of giving one hour."""
        with pytest.raises(ValidationError) as info:
            Period.starting(at(2026, 1, 1), relativedelta(hours=1.5))
        assert str(info.value) == (
            "Period is invalid (1 problem):\n"
            "  - expected a positive calendar length in whole units, such as P1M,"
            " got relativedelta(hours=+1.5) @ $.length"
        )

    def test_negative_whole_lengths_still_add(self) -> None:
        """Adds a negative whole length."""
        assert at(2025, 12, 1) == add_calendar(at(2026, 1, 1), relativedelta(months=-1))


class TestSubMicrosecondDurations:
    """add_exact refuses durations a datetime cannot hold instead of rounding them."""

    @pytest.mark.parametrize(
        ("text", "got"),
        [
            ("1.5 us", "0.0000015 seconds"),
            ("1 ns", "0.000000001 seconds"),
            ("1E-30 s", "0.000000000000000000000000000001 seconds"),
        ],
    )
    def test_refuses(self, text: str, got: str) -> None:
        """Refuses a duration finer than a microsecond, naming that bound."""
        with pytest.raises(ValidationError) as info:
            add_exact(at(2026, 1, 1), quantity(text))
        assert (
            "Exact arithmetic is invalid (1 problem):\n"
            "  - expected a whole number of microseconds (the finest step a datetime holds),"
            f" got {got} @ $.duration"
        ) == str(info.value)

    def test_period_starting_refuses(self) -> None:
        """Refuses a nanosecond period with the same reason."""
        with pytest.raises(ValidationError, match="whole number of microseconds"):
            Period.starting(at(2026, 1, 1), quantity("1 ns"))

    def test_whole_microseconds_add(self) -> None:
        """Adds whole microseconds exactly, negative ones too."""
        start = at(2026, 1, 1)
        assert start + dt.timedelta(microseconds=2) == add_exact(start, quantity("2 us"))
        assert start - dt.timedelta(microseconds=1500) == add_exact(start, quantity("-1.5 ms"))


def reference_elapsed(hours: SupportHours, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The support-hours clock summed over every local day, each read at all its offsets.

    No shortcut: every day takes the careful path that the fast counting of whole weeks
    skips where the offset stays put. (The rule itself is checked minute by minute in
    TestTheWallClockRule.) Spans of different local days never overlap: an instant has
    one local date.
    """
    zone = timezone(hours.timezone)
    by_day = hours._by_day()
    lower_bound, upper_bound = start.astimezone(UTC), end.astimezone(UTC)
    total = dt.timedelta()
    day = start.astimezone(zone).date() - dt.timedelta(days=2)
    while day <= end.astimezone(zone).date() + dt.timedelta(days=2):
        for opens, closes in hours._day_spans(day, zone, by_day, irregular=True):
            lower, upper = max(opens, lower_bound), min(closes, upper_bound)
            if lower < upper:
                total += upper - lower
        day += dt.timedelta(days=1)
    return total


_ZONES = ["Europe/Berlin", "Pacific/Apia", "Australia/Lord_Howe", "Africa/Casablanca", "UTC"]


class TestElapsedIsBounded:
    """SupportHours.elapsed counts whole weeks arithmetically and stays exact."""

    def test_whole_range_24x7(self) -> None:
        """Measures 7,100 years round the clock (22 s before), to the microsecond."""
        start = dt.datetime(1900, 1, 1, tzinfo=UTC)
        end = dt.datetime(8999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
        assert end - start == SupportHours.always("Pacific/Kiritimati").elapsed(start, end)

    def test_whole_range_office_hours(self) -> None:
        """Measures 7,100 years of Berlin office hours (10 s before) with holidays."""
        start = dt.datetime(1900, 1, 1, tzinfo=UTC)
        end = dt.datetime(8999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
        office = SupportHours.weekdays(
            "09:00", "17:00", "Europe/Berlin", holidays={dt.date(2026, 12, 25)}
        )
        assert dt.timedelta(days=617434, hours=-8) == office.elapsed(start, end)

    @given(
        st.sampled_from(_ZONES),
        st.lists(
            st.builds(
                lambda day, opens, width: DailyWindow(day, opens, min(opens + width, 1440)),
                st.integers(0, 6),
                st.integers(0, 1439),
                st.integers(1, 1440),
            ),
            max_size=4,
        ),
        st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 1, 1)),
        st.integers(0, 120 * 86400),
        st.lists(st.integers(0, 120), max_size=3),
    )
    def test_matches_day_by_day(
        self,
        zone: str,
        windows: list[DailyWindow],
        naive: dt.datetime,
        seconds: int,
        holiday_offsets: list[int],
    ) -> None:
        """Gives what a day-by-day count gives, across DST changes and holidays."""
        start = naive.replace(tzinfo=UTC)
        end = start + dt.timedelta(seconds=seconds)
        holidays = {start.date() + dt.timedelta(days=k) for k in holiday_offsets}
        hours = SupportHours(timezone=zone, windows=tuple(windows), holidays=holidays)
        assert reference_elapsed(hours, start, end) == hours.elapsed(start, end)


APIA = timezone("Pacific/Apia")
SANTIAGO = timezone("America/Santiago")


def wall_open(hours: SupportHours, moment: dt.datetime) -> bool:
    """The rule itself: the zone's wall clock at ``moment`` reads an open time."""
    local = moment.astimezone(timezone(hours.timezone))
    minute = local.hour * 60 + local.minute
    return local.date() not in hours.holidays and any(
        w.weekday == local.weekday() and w.opens <= minute < w.closes for w in hours.windows
    )


def minute_elapsed(hours: SupportHours, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Open minutes between two whole-minute instants, read off the wall clock one by one."""
    moment, total = start.astimezone(UTC), dt.timedelta()
    while moment < end:
        total += dt.timedelta(minutes=wall_open(hours, moment))
        moment += dt.timedelta(minutes=1)
    return total


def minute_deadline(hours: SupportHours, start: dt.datetime, minutes: int) -> dt.datetime | None:
    """The instant the ``minutes``-th open minute after ``start`` ends, within 8 days."""
    moment = start.astimezone(UTC)
    for _ in range(8 * 1440):
        if wall_open(hours, moment):
            minutes -= 1
            if minutes == 0:
                return moment + dt.timedelta(minutes=1)
        moment += dt.timedelta(minutes=1)
    return None


class TestSkippedLocalDay:
    """A local day the zone skips (Samoa's Friday 2011-12-30) has no open hours."""

    office = SupportHours.weekdays("09:00", "17:00", "Pacific/Apia")
    thursday_noon = dt.datetime(2011, 12, 29, 12, tzinfo=APIA)

    def test_elapsed(self) -> None:
        """Counts Thursday 12-17 only, not the skipped Friday's hours on Saturday."""
        end = dt.datetime(2012, 1, 1, 0, tzinfo=APIA)
        assert dt.timedelta(hours=5) == self.office.elapsed(self.thursday_noon, end)

    def test_elapsed_by_whole_weeks(self) -> None:
        """Counts 43 working days of 8 hours over two months, whole weeks included."""
        start = dt.datetime(2011, 12, 1, tzinfo=APIA)
        end = dt.datetime(2012, 2, 1, tzinfo=APIA)
        assert dt.timedelta(hours=43 * 8) == self.office.elapsed(start, end)
        assert minute_elapsed(self.office, start, end) == self.office.elapsed(start, end)

    def test_deadline(self) -> None:
        """Runs a six-hour budget on to Monday 10:00, past the skipped day and the weekend."""
        expected = dt.datetime(2012, 1, 2, 10, tzinfo=APIA)
        actual = self.office.deadline(self.thursday_noon, dt.timedelta(hours=6))
        assert (expected, "+14:00") == (actual, actual.isoformat()[-6:])

    def test_is_open(self) -> None:
        """Keeps Saturday 10:00 closed."""
        assert not self.office.is_open(dt.datetime(2011, 12, 31, 10, tzinfo=APIA))


_REPEATED = [
    ("Europe/Berlin", "sun 02:30-03:00", (2026, 10, 24, 12), (2026, 10, 26, 12), 60),
    ("Europe/Berlin", "sun 00:00-02:30", (2026, 10, 24, 12), (2026, 10, 26, 12), 180),
    ("Europe/Berlin", "sun 02:00-02:30", (2026, 10, 24, 12), (2026, 10, 26, 12), 60),
    ("Europe/Berlin", "sun 02:15-02:45", (2026, 10, 24, 12), (2026, 10, 26, 12), 60),
    ("America/Santiago", "sat 23:30-24:00", (2026, 4, 3, 12), (2026, 4, 7, 12), 60),
    ("America/Santiago", "sat 22:00-23:30", (2026, 4, 3, 12), (2026, 4, 7, 12), 120),
    ("Australia/Lord_Howe", "sun 01:45-02:15", (2026, 4, 3, 12), (2026, 4, 7, 12), 45),
]


class TestWindowEdgesInARepeatedHour:
    """A window is open each time the wall clock reads it: twice in a repeated hour."""

    @pytest.mark.parametrize(("zone", "window", "start", "end", "minutes"), _REPEATED)
    def test_elapsed(
        self,
        zone: str,
        window: str,
        start: tuple[int, int, int, int],
        end: tuple[int, int, int, int],
        minutes: int,
    ) -> None:
        """Counts the wall times inside the window on both passes of the repeated hour."""
        hours = SupportHours(timezone=zone, windows=(DailyWindow.parse(window),))
        actual = hours.elapsed(at(*start, tz=UTC), at(*end, tz=UTC))
        assert dt.timedelta(minutes=minutes) == actual

    def test_is_open_on_the_second_pass(self) -> None:
        """Keeps 02:15 of the second pass closed for a window that opens at 02:30."""
        hours = SupportHours(
            timezone="Europe/Berlin", windows=(DailyWindow.parse("sun 02:30-03:00"),)
        )
        expected = [False, True, False, True]
        assert expected == [
            hours.is_open(at(2026, 10, 25, 2, minute).replace(fold=fold))
            for fold in (0, 1)
            for minute in (15, 45)
        ]

    def test_deadline_on_the_second_pass(self) -> None:
        """Spends the rest of a budget in the second pass of 02:30-03:00."""
        hours = SupportHours(
            timezone="Europe/Berlin", windows=(DailyWindow.parse("sun 02:30-03:00"),)
        )
        actual = hours.deadline(at(2026, 10, 24, 12), dt.timedelta(minutes=40))
        assert at(2026, 10, 25, 2, 40).replace(fold=1).astimezone(UTC) == actual.astimezone(UTC)


class TestDeadlineBudget:
    """SupportHours.deadline takes a budget of zero or more whole microseconds."""

    office = SupportHours.weekdays("09:00", "17:00", "Europe/Berlin")
    monday = dt.datetime(2026, 11, 30, 10, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("budget", "got"),
        [
            (quantity("0.5 us"), "0.0000005 seconds"),
            (quantity("1.5 us"), "0.0000015 seconds"),
            (quantity("1 s") / 3, "0.3333333333333333333333333333 seconds"),
        ],
    )
    def test_refuses_sub_microseconds(self, budget: Any, got: str) -> None:
        """Refuses a budget finer than a microsecond instead of rounding it."""
        with pytest.raises(ValidationError) as info:
            self.office.deadline(self.monday, budget)
        expected = (
            "SupportHours is invalid (1 problem):\n  - expected a whole number of "
            f"microseconds (the finest step a datetime holds), got {got} @ $.budget"
        )
        assert expected == str(info.value)

    def test_whole_microseconds(self) -> None:
        """Adds a budget of whole microseconds exactly, without going through float."""
        budget = quantity("1 s") / 3 * 3 + quantity("123457 us")
        expected = self.monday + dt.timedelta(seconds=1, microseconds=123457)
        assert expected == self.office.deadline(self.monday, budget)
        huge = dt.timedelta(hours=8 * 1000, microseconds=1)  # beyond float's microseconds
        assert dt.timedelta(hours=8 * 1000, microseconds=1) == self.office.elapsed(
            self.monday, self.office.deadline(self.monday, huge)
        )

    @pytest.mark.parametrize(
        ("budget", "got"),
        [
            (dt.timedelta(-1), "-86400"),
            (quantity("-1 s"), "-1"),
            (dt.timedelta(microseconds=-1), "-0.000001"),
        ],
    )
    def test_refuses_negative(self, budget: Any, got: str) -> None:
        """Refuses a negative budget at $.budget."""
        with pytest.raises(ValidationError) as info:
            self.office.deadline(self.monday, budget)
        expected = (
            "SupportHours is invalid (1 problem):\n"
            f"  - expected a budget of zero or more, got {got} seconds @ $.budget"
        )
        assert expected == str(info.value)

    def test_zero_is_the_start_in_the_calendars_zone(self) -> None:
        """Gives the start itself, in the calendar's zone, for a zero budget."""
        saturday = dt.datetime(2026, 11, 28, 12, tzinfo=UTC)
        actual = self.office.deadline(saturday, quantity("0 s"))
        expected = ("2026-11-28T13:00:00+01:00", "Europe/Berlin")
        assert expected == (actual.isoformat(), str(actual.tzinfo))


def _transitions(zone: str, *years: int) -> list[dt.datetime]:
    """The hours (UTC) at which ``zone`` changes its offset in ``years``."""
    tz, found = timezone(zone), []
    for year in years:
        moment = dt.datetime(year, 1, 1, tzinfo=UTC)
        while moment.year == year:
            if (
                moment.astimezone(tz).utcoffset()
                != (moment - dt.timedelta(hours=1)).astimezone(tz).utcoffset()
            ):
                found.append(moment)
            moment += dt.timedelta(hours=1)
    return found


_AROUND = [
    (zone, moment)
    for zone in ("Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Pacific/Apia")
    for moment in _transitions(zone, 2011, 2026)
]
_EDGES = st.sampled_from([0, 30, 60, 90, 120, 135, 150, 180, 210, 1320, 1380, 1410, 1425, 1440])


class TestTheWallClockRule:
    """elapsed, deadline and is_open agree with a minute-by-minute read of the wall clock."""

    @given(
        st.sampled_from(_AROUND),
        st.lists(
            st.tuples(st.integers(0, 6), _EDGES, _EDGES)
            .filter(lambda w: w[1] < w[2])
            .map(lambda w: DailyWindow(*w)),
            min_size=1,
            max_size=4,
        ),
        st.tuples(st.integers(-3 * 1440, 1440), st.integers(0, 3 * 1440)),
        st.integers(1, 600),
        st.lists(st.integers(-3, 3), max_size=2),
    )
    def test_agree_minute_by_minute(
        self,
        around: tuple[str, dt.datetime],
        windows: list[DailyWindow],
        span: tuple[int, int],
        budget: int,
        holiday_offsets: list[int],
    ) -> None:
        """Counts, finds and answers what the wall clock reads, near the zone's changes."""
        zone, moment = around
        offset, length = span
        start = moment + dt.timedelta(minutes=offset)
        end = start + dt.timedelta(minutes=length)
        local = moment.astimezone(timezone(zone)).date()
        holidays = {local + dt.timedelta(days=k) for k in holiday_offsets}
        hours = SupportHours(timezone=zone, windows=tuple(windows), holidays=holidays)
        assert minute_elapsed(hours, start, end) == hours.elapsed(start, end)
        assert wall_open(hours, start) == hours.is_open(start)
        expected = minute_deadline(hours, start, budget)
        if expected is not None:
            actual = hours.deadline(start, dt.timedelta(minutes=budget))
            assert expected == actual.astimezone(
                UTC
            )  # an instant of the fold equals no other zone's
