"""cloudsms.periods.offset_changes: the UTC-offset changes of a period's zone inside it.

The changes part an exact duration from a wall-clock reading: S11 prorates a vcpu
held over October in Berlin by 745 hours, not the wall clock's 744, and the
support-hours clock of S09 and S10 reads the repeated hour twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms import periods
from cloudsms.errors import ValidationError
from cloudsms.periods import Period, _offset_runs, offset_changes, timezone

from conftest import examples

UTC = dt.UTC
BERLIN = timezone("Europe/Berlin")
HOUR = dt.timedelta(hours=1)


def _brute_force(period: Period) -> list[tuple[dt.datetime, dt.timedelta]]:
    """The changes found by reading the offset every half hour across the whole period."""
    zone = period.start.tzinfo
    assert zone is not None
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    lower = start.replace(microsecond=0)
    upper = end.replace(microsecond=0) + dt.timedelta(seconds=1)
    runs = _offset_runs(zone, lower, upper)
    return [(at, offset) for at, _, offset in runs[1:] if start < at < end]


class TestBerlin:
    """The two DST changes a year of Europe/Berlin has."""

    def test_october_2026(self) -> None:
        """October 2026 has one change: 03:00 CEST becomes 02:00 CET on the 25th (fold 1)."""
        changes = offset_changes(Period.month(2026, 10, "Europe/Berlin"))
        assert len(changes) == 1
        instant, offset = changes[0]
        assert instant.tzinfo is BERLIN
        assert (instant.isoformat(), instant.fold, offset) == (
            "2026-10-25T02:00:00+01:00",
            1,
            HOUR,
        )
        assert instant.astimezone(UTC) == dt.datetime(2026, 10, 25, 1, tzinfo=UTC)

    def test_a_year(self) -> None:
        """A year has the March change to +2 and the October change to +1, in order."""
        changes = offset_changes(Period.year(2026, "Europe/Berlin"))
        assert [(t.isoformat(), o) for t, o in changes] == [
            ("2026-03-29T03:00:00+02:00", 2 * HOUR),
            ("2026-10-25T02:00:00+01:00", HOUR),
        ]

    def test_no_change(self) -> None:
        """November has none; neither has a fixed offset nor UTC, whatever the length."""
        assert offset_changes(Period.month(2026, 11, "Europe/Berlin")) == ()
        assert offset_changes(Period.year(2026, "UTC")) == ()
        fixed = dt.timezone(dt.timedelta(hours=5, minutes=30))
        span = Period(dt.datetime(1900, 1, 2, tzinfo=fixed), dt.datetime(8999, 1, 1, tzinfo=fixed))
        assert offset_changes(span) == ()

    def test_same_instants_in_utc_have_none(self) -> None:
        """The period's zone is its start's: Berlin's October written in UTC has no change."""
        october = Period.month(2026, 10, "Europe/Berlin")
        in_utc = Period(october.start.astimezone(UTC), october.end)
        assert offset_changes(in_utc) == ()

    def test_offsets_read_back(self) -> None:
        """Each change's instant reads its new offset, and one second earlier the old one."""
        period = Period(
            dt.datetime(1940, 1, 1, tzinfo=BERLIN), dt.datetime(1950, 1, 1, tzinfo=BERLIN)
        )
        changes = offset_changes(period)
        assert len(changes) == 20  # wartime and midsummer time included
        before = period.start.utcoffset()
        for instant, offset in changes:
            assert instant.utcoffset() == offset != before
            earlier = (instant.astimezone(UTC) - dt.timedelta(seconds=1)).astimezone(BERLIN)
            assert earlier.utcoffset() == before
            before = offset
        assert changes == tuple(
            (at.astimezone(BERLIN), offset) for at, offset in _brute_force(period)
        )


class TestEnds:
    """Only changes strictly inside the half-open period count."""

    change = dt.datetime(2026, 10, 25, 1, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("start", "end", "count"),
        [
            (change, change + HOUR, 0),  # starts at the change: the new offset all along
            (change - HOUR, change, 0),  # ends at it: the change belongs to what follows
            (change - dt.timedelta(microseconds=1), change + dt.timedelta(microseconds=1), 1),
            (change - dt.timedelta(seconds=1), change + dt.timedelta(seconds=1), 1),
            (change + dt.timedelta(microseconds=1), change + HOUR, 0),
        ],
    )
    def test_ends(self, start: dt.datetime, end: dt.datetime, count: int) -> None:
        """A change at the start or the end is outside; one a microsecond inside is in."""
        period = Period(start.astimezone(BERLIN), end.astimezone(BERLIN))
        assert len(offset_changes(period)) == count


class TestOtherZones:
    """Zones with half-hour DST, a skipped day, and long spans."""

    def test_lord_howe_half_hour(self) -> None:
        """Lord Howe Island moves its clocks by half an hour."""
        changes = offset_changes(Period.year(2026, "Australia/Lord_Howe"))
        assert [o for _, o in changes] == [
            dt.timedelta(hours=10, minutes=30),
            dt.timedelta(hours=11),
        ]

    def test_samoa_skips_a_day(self) -> None:
        """Samoa went from UTC-10 to UTC+14 at the end of 2011: 30 December never happened."""
        changes = offset_changes(Period.month(2011, 12, "Pacific/Apia"))
        assert [(t.isoformat(), o) for t, o in changes] == [
            ("2011-12-31T00:00:00+14:00", dt.timedelta(hours=14))
        ]

    def test_centuries_are_quick_and_complete(self) -> None:
        """Seven thousand years of Berlin: two changes a year from 1980 on, found one by one."""
        span = Period(
            dt.datetime(1900, 1, 2, tzinfo=BERLIN), dt.datetime(8999, 1, 1, tzinfo=BERLIN)
        )
        changes = offset_changes(span)
        modern = [t for t, _ in changes if 1981 <= t.year <= 8998]
        assert len(modern) == 2 * (8998 - 1981 + 1)
        instants = [t.astimezone(UTC) for t, _ in changes]
        assert instants == sorted(instants)
        assert all(o in {HOUR, 2 * HOUR, 3 * HOUR} for _, o in changes)

    def test_unreadable_zone_data(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """When the zone's own data cannot be read, the whole period is scanned instead."""
        year = Period.year(2026, "Europe/Berlin")
        expected = offset_changes(year)
        monkeypatch.setattr(periods, "_zone_transitions", lambda _key: None)
        assert offset_changes(year) == expected


class TestArguments:
    """A period is required."""

    @pytest.mark.parametrize("value", [None, "2026-10", (1, 2)])
    def test_not_a_period(self, value: Any) -> None:
        """Refuses anything but a Period at $.period."""
        with pytest.raises(ValidationError) as info:
            offset_changes(value)
        assert info.value.paths == ["$.period"]
        assert info.value.subject == "Period"


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Europe/Dublin",
]


@settings(max_examples=examples(60), deadline=None)
@given(
    st.sampled_from(ZONES),
    st.integers(0, (2030 - 1900) * 365 * 86400),
    st.integers(1, 200 * 86400),
    st.integers(0, 999_999),
)
def test_same_as_reading_every_half_hour(zone: str, offset: int, length: int, micros: int) -> None:
    """Gives exactly the changes found by reading the offset across the whole period."""
    tz = timezone(zone)
    start = dt.datetime(1900, 1, 2, tzinfo=UTC) + dt.timedelta(seconds=offset, microseconds=micros)
    period = Period(start.astimezone(tz), (start + dt.timedelta(seconds=length)).astimezone(tz))
    changes = offset_changes(period)
    assert changes == tuple((at.astimezone(tz), off) for at, off in _brute_force(period))
    assert all(t.tzinfo is tz for t, _ in changes)
