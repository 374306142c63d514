"""Fast paths of the foundation: they answer exactly as the full checks they skip.

`instant_problems` skips the zone's own checks for a ZoneInfo zone it has found sound
before, and `format_duration` writes a relativedelta of plain ints without the full
length check. Each test compares the fast answer with the full one on drawn values,
refusals included: the exit benchmark (S13, issue 18) is where they pay off.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING
from unittest import mock

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import example, given
from hypothesis import strategies as st

from cloudsms._foundation import instants
from cloudsms._foundation.instants import instant_problems
from cloudsms._kit import durations
from cloudsms._kit.durations import format_duration
from cloudsms.errors import Problem, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator

# Zones with the kinds of clock changes there are: an hour (Berlin, New York), half an
# hour (Lord Howe), a negative summer time (Dublin), a whole day skipped (Apia,
# 2011-12-30), offsets of seconds before 1900-ish (Amsterdam), none at all (UTC).
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Europe/Dublin",
    "Pacific/Apia",
    "Europe/Amsterdam",
    "Asia/Kolkata",
    "UTC",
)
MINUTE = dt.timedelta(minutes=1)


def full_instant_problems(value: object, path: str) -> list[Problem]:
    """The full check, as `instant_problems` runs it for a zone it has not seen."""
    if not isinstance(value, dt.datetime):
        return instant_problems(value, path)
    return instants._checked(value, path)


def transitions(zone: zoneinfo.ZoneInfo, year: int) -> Iterator[dt.datetime]:
    """The UTC hours of ``year`` just before ``zone`` changes its offset."""
    hour = dt.timedelta(hours=1)
    at = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    before = at.astimezone(zone).utcoffset()
    while at < end:
        after = (at + hour).astimezone(zone).utcoffset()
        if after != before:
            yield at
        before, at = after, at + hour


class TestInstantProblemsFastPath:
    """instant_problems on a zone already found sound."""

    @given(
        st.datetimes(
            min_value=dt.datetime(1850, 1, 1),
            max_value=dt.datetime(9100, 1, 1),
            timezones=st.one_of(
                st.sampled_from(ZONES).map(zoneinfo.ZoneInfo),
                st.none(),
                st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=5, seconds=1))]),
            ),
        ),
        st.sampled_from([0, 1]),
    )
    @example(dt.datetime(2026, 3, 29, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")), 0)
    @example(dt.datetime(2026, 10, 25, 2, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")), 1)
    @example(dt.datetime(2011, 12, 30, 12, 0, tzinfo=zoneinfo.ZoneInfo("Pacific/Apia")), 0)
    @example(dt.datetime(8999, 12, 31, 23, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")), 0)
    @example(dt.datetime(2026, 6, 1, 12, 0), 0)
    def test_agrees_with_the_full_check(self, value: dt.datetime, fold: int) -> None:
        """Answers a drawn instant (in a zone, at an offset or naive) as the full check does."""
        value = value.replace(fold=fold)
        instant_problems(value, "$.at")  # the zone is found sound, if it is
        assert full_instant_problems(value, "$.at") == instant_problems(value, "$.at")

    @pytest.mark.parametrize("name", ZONES)
    @pytest.mark.parametrize("year", [1916, 1995, 2011, 2026, 2100])
    def test_agrees_around_every_clock_change(self, name: str, year: int) -> None:
        """Answers every minute around each clock change of a year as the full check does."""
        zone = zoneinfo.ZoneInfo(name)
        instant_problems(dt.datetime(2000, 1, 1, tzinfo=zone), "$")
        for change in transitions(zone, year):
            wall = change.astimezone(zone).replace(tzinfo=None) - dt.timedelta(hours=1)
            for minute in range(0, 26 * 60, 7):
                for fold in (0, 1):
                    value = (wall + minute * MINUTE).replace(tzinfo=zone, fold=fold)
                    assert full_instant_problems(value, "$") == instant_problems(value, "$")

    def test_refuses_a_skipped_wall_time_in_a_known_zone(self) -> None:
        """Refuses 02:30 on Berlin's spring change after the zone has been found sound."""
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
        assert instant_problems(dt.datetime(2026, 1, 1, tzinfo=berlin), "$") == []
        skipped = dt.datetime(2026, 3, 29, 2, 30, tzinfo=berlin)
        assert [
            Problem(
                "$.at",
                "a wall time that exists in Europe/Berlin",
                "2026-03-29T02:30:00, which the clocks skip",
            )
        ] == instant_problems(skipped, "$.at")

    def test_accepts_both_passes_of_a_repeated_hour(self) -> None:
        """Accepts 02:30 on Berlin's autumn change on either pass of the clock."""
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
        first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin)
        assert (
            instant_problems(first, "$"),
            instant_problems(first.replace(fold=1), "$"),
        ) == ([], [])

    def test_remembers_only_the_database_zone_itself(self) -> None:
        """Remembers the ZoneInfo load_zone gives for a key, not an uncached twin of it."""
        cached = zoneinfo.ZoneInfo("Asia/Tokyo")
        twin = zoneinfo.ZoneInfo.no_cache("Asia/Tokyo")
        instant_problems(dt.datetime(2026, 1, 1, tzinfo=cached), "$")
        instant_problems(dt.datetime(2026, 1, 1, tzinfo=twin), "$")
        sound = instants._SOUND_ZONES
        assert (cached, None) == (sound.get(id(cached)), sound.get(id(twin)))

    def test_a_datetime_subclass_takes_the_full_check(self) -> None:
        """Sends a datetime subclass whose offset disagrees with its zone to the full check."""

        class Shifted(dt.datetime):
            def utcoffset(self) -> dt.timedelta:
                return dt.timedelta(hours=3)

        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
        instant_problems(dt.datetime(2026, 1, 1, tzinfo=berlin), "$")
        value = Shifted(2026, 6, 1, 12, tzinfo=berlin)
        assert full_instant_problems(value, "$") == instant_problems(value, "$")

    def test_stops_remembering_at_its_limit(self) -> None:
        """Checks a zone in full once the memory of sound zones is full, with the same answer."""
        paris = zoneinfo.ZoneInfo("Europe/Paris")
        value = dt.datetime(2026, 3, 29, 2, 30, tzinfo=paris)
        with (
            mock.patch.object(instants, "_SOUND_ZONES", {}),
            mock.patch.object(instants, "_SOUND_LIMIT", 0),
        ):
            found = instant_problems(value, "$")
            assert instants._SOUND_ZONES == {}
        assert full_instant_problems(value, "$") == found


def outcome(value: relativedelta) -> tuple[str, object]:
    """What format_duration does with ``value``: its text, or its refusal and message."""
    try:
        return "written", format_duration(value)
    except ValidationError as error:
        return "refused", (error.problems, str(error))


def full_outcome(value: relativedelta) -> tuple[str, object]:
    """format_duration's answer with its fast path turned off."""
    with mock.patch.object(durations, "_plain_text", return_value=None):
        return outcome(value)


RELATIVE = ("years", "months", "days", "hours", "minutes", "seconds", "microseconds")
ABSOLUTE = ("year", "month", "day", "hour", "minute", "second", "microsecond", "leapdays")


@st.composite
def lengths(draw: st.DrawFn) -> relativedelta:
    """A relativedelta around the writer's limits, sometimes with a field set afterwards."""
    value = relativedelta(
        years=draw(st.integers(-1200, 1200)),
        months=draw(st.integers(-30, 30)),
        days=draw(st.integers(-5000, 5000)),
        hours=draw(st.integers(-50, 50)),
        minutes=draw(st.integers(-100, 100)),
        seconds=draw(st.integers(-100, 100)),
    )
    if draw(st.booleans()):
        # One sign, most often: the shape the writer accepts.
        for name in RELATIVE:
            setattr(value, name, abs(getattr(value, name)))
    if draw(st.booleans()):
        name = draw(st.sampled_from(RELATIVE + ABSOLUTE))
        setattr(
            value,
            name,
            draw(
                st.one_of(
                    st.integers(-(10**7), 10**7),
                    st.sampled_from([0, 1, True, False, 1.0, 0.5, -2]),
                )
            ),
        )
    return value


class TestFormatDurationFastPath:
    """format_duration on a relativedelta of plain ints."""

    @given(lengths())
    def test_agrees_with_the_full_check(self, value: relativedelta) -> None:
        """Writes or refuses a drawn length as the full check does, in the same words."""
        assert full_outcome(value) == outcome(value)

    @pytest.mark.parametrize(
        "value",
        [
            relativedelta(),
            relativedelta(months=1),
            relativedelta(months=-13, days=-2, seconds=-1),
            relativedelta(years=989, months=11, days=3649, hours=23),
            relativedelta(years=990),
            relativedelta(days=3650),
            relativedelta(years=1000, days=1),
            relativedelta(months=1, days=-1),
            relativedelta(days=1.0),
            relativedelta(days=1, microseconds=5),
            relativedelta(months=1, leapdays=1),
            relativedelta(months=1, day=31),
        ],
        ids=repr,
    )
    def test_agrees_on_hand_picked_lengths(self, value: relativedelta) -> None:
        """Writes or refuses lengths at and past each limit as the full check does."""
        assert full_outcome(value) == outcome(value)

    def test_refuses_mixed_signs_in_its_words(self) -> None:
        """Refuses a month forward and a day back, naming the length."""
        with pytest.raises(ValidationError) as raised:
            format_duration(relativedelta(months=1, days=-1))
        assert [p.got for p in raised.value.problems] == ["relativedelta(months=+1, days=-1)"]

    def test_writes_a_negative_length(self) -> None:
        """Writes a length of negative fields with one leading minus."""
        assert format_duration(relativedelta(months=-13, days=-2, seconds=-1)) == "-P1Y1M2DT1S"
