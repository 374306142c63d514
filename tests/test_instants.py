"""cloudsms._foundation.instants: the supported range of instants, zone names, instant keys."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import io
import pathlib
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms._foundation.instants import (
    MAX_INSTANT,
    MAX_ZONE_NAME,
    MIN_INSTANT,
    RANGE_TEXT,
    ZONE_TEXT,
    instant_key,
    instant_problems,
    load_zone,
    zone_key,
    zone_problems,
)
from cloudsms.configuration import ConfigurationItem, ConfigurationVersion
from cloudsms.errors import Problem, ValidationError
from cloudsms.parties import Acknowledgement, Complaint
from cloudsms.periods import Period, SupportHours, timezone
from cloudsms.serialization import from_dict, from_json, to_json

UTC = dt.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
EAST = dt.timezone(dt.timedelta(hours=5))
WEST = dt.timezone(dt.timedelta(hours=-5))
TICK = dt.timedelta(microseconds=1)

FIRST_0230 = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)  # the first pass, +02:00
SECOND_0230 = FIRST_0230.replace(fold=1)  # the second pass, an hour later, +01:00
SKIPPED_0230 = dt.datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN)  # the clocks jump 02:00 -> 03:00


def utc_file() -> bytes:
    """The UTC zone's TZif file, from the system database or the tzdata package."""
    for root in zoneinfo.TZPATH:
        path = pathlib.Path(root, "UTC")
        if path.is_file():
            return path.read_bytes()
    return importlib.resources.files("tzdata.zoneinfo").joinpath("UTC").read_bytes()


def reference_problems(value: dt.datetime) -> bool:
    """Whether ``value`` is outside the range, worked out the slow way (by UTC, in Python ints)."""
    offset = value.utcoffset()
    assert offset is not None
    wall = value.replace(tzinfo=None)
    micro = dt.timedelta(microseconds=1)
    origin = dt.datetime(1, 1, 1)
    instant = (wall - origin) // micro - offset // micro
    low = (MIN_INSTANT.replace(tzinfo=None) - origin) // micro
    high = (MAX_INSTANT.replace(tzinfo=None) - origin) // micro
    return not low <= instant < high


class TestInstantProblems:
    """One check of an instant: a datetime, aware, inside the range, a wall time that exists."""

    def test_accepts_the_bounds(self) -> None:
        """Accepts the first instant and the last microsecond before the end of the range."""
        assert instant_problems(MIN_INSTANT, "$") == []
        assert instant_problems(MAX_INSTANT - TICK, "$") == []
        assert instant_problems(MIN_INSTANT.astimezone(WEST), "$") == []  # 1899-12-31T19:00-05

    @pytest.mark.parametrize(
        "value",
        [
            MIN_INSTANT - TICK,
            MAX_INSTANT,
            MIN_INSTANT.astimezone(WEST) - TICK,
            dt.datetime(8999, 12, 31, 20, tzinfo=WEST),  # 9000-01-01T01:00Z
            dt.datetime(1900, 1, 1, 4, tzinfo=EAST),  # 1899-12-31T23:00Z
            dt.datetime(1, 1, 1, tzinfo=EAST),  # no UTC time at all
            dt.datetime(9999, 12, 31, 20, tzinfo=WEST),  # no UTC time at all
            dt.datetime(1, 1, 1, tzinfo=UTC),
            dt.datetime(9999, 1, 1, tzinfo=BERLIN),
        ],
    )
    def test_refuses_outside_the_range(self, value: dt.datetime) -> None:
        """Refuses an instant outside the range, naming the range and the instant."""
        assert [Problem("$.at", RANGE_TEXT, value.isoformat())] == instant_problems(value, "$.at")

    def test_refuses_naive_and_non_datetimes(self) -> None:
        """Refuses a naive datetime, a date and text, saying what arrived."""
        assert [
            Problem("$", "a datetime with a time zone", "a naive datetime 2026-01-01T00:00:00")
        ] == instant_problems(dt.datetime(2026, 1, 1), "$")
        assert [
            Problem("$", "a datetime with a time zone", "datetime.date(2026, 1, 1) (date)")
        ] == instant_problems(dt.date(2026, 1, 1), "$")
        assert [p.path for p in instant_problems("2026-01-01T00:00Z", "$.x")] == ["$.x"]

    def test_refuses_a_wall_time_the_clocks_skip(self) -> None:
        """Refuses 02:30 on the day Berlin's clocks jump from 02:00 to 03:00, in either fold."""
        expected = [
            Problem(
                "$.received_at",
                "a wall time that exists in Europe/Berlin",
                "2026-03-29T02:30:00, which the clocks skip",
            )
        ]
        assert expected == instant_problems(SKIPPED_0230, "$.received_at")
        assert expected == instant_problems(SKIPPED_0230.replace(fold=1), "$.received_at")
        assert instant_problems(SKIPPED_0230.replace(hour=3), "$") == []

    def test_accepts_both_passes_of_the_repeated_hour(self) -> None:
        """Accepts 02:30 in the autumn fold, first and second pass."""
        assert instant_problems(FIRST_0230, "$") == []
        assert instant_problems(SECOND_0230, "$") == []

    def test_refuses_a_zone_key_too_long(self) -> None:
        """Refuses a zone whose key no reader would accept (a 300-character name)."""
        zone = zoneinfo.ZoneInfo.from_file(io.BytesIO(utc_file()), key="x" * 300)
        value = dt.datetime(2026, 1, 1, tzinfo=zone)
        assert [p.expected for p in instant_problems(value, "$")] == [ZONE_TEXT]

    def test_a_tzinfo_without_an_offset_is_naive(self) -> None:
        """Treats a tzinfo that gives no offset as no zone."""

        class Nowhere(dt.tzinfo):
            def utcoffset(self, _: dt.datetime | None) -> None:
                return None

        value = dt.datetime(2026, 1, 1, tzinfo=Nowhere())
        assert [p.expected for p in instant_problems(value, "$")] == [
            "a datetime with a time zone"
        ]

    @given(
        st.datetimes(
            min_value=dt.datetime(1, 1, 2),
            max_value=dt.datetime(9999, 12, 30),
            timezones=st.builds(
                dt.timezone,
                st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: dt.timedelta(minutes=m)),
            ),
        )
        | st.sampled_from([MIN_INSTANT, MAX_INSTANT]).flatmap(
            lambda bound: st.integers(-(10**11), 10**11).map(
                lambda us: bound + dt.timedelta(microseconds=us)
            )
        )
    )
    def test_range_agrees_with_utc_arithmetic(self, value: dt.datetime) -> None:
        """Accepts a fixed-offset instant exactly when its UTC time is inside the range."""
        assert reference_problems(value) == bool(instant_problems(value, "$"))


class TestLoadZone:
    """Zone names: only well-formed IANA names of at most 64 characters reach the database."""

    def test_loads_a_zone(self) -> None:
        """Loads Europe/Berlin, and UTC as the IANA zone of that name."""
        assert load_zone("Europe/Berlin") == BERLIN
        assert zoneinfo.ZoneInfo("UTC") is load_zone("UTC")
        assert zone_problems("America/Argentina/Buenos_Aires", "$.tz") == []
        assert zone_problems("Etc/GMT+5", "$.tz") == []

    @pytest.mark.parametrize(
        "name",
        [
            "x" * 300,  # zoneinfo: OSError, file name too long (with the install path)
            "Europe/" + "B" * MAX_ZONE_NAME,
            "a\0b",  # ValueError, embedded NUL
            "../etc/passwd",
            "Europe/../../etc/passwd",
            "/etc/localtime",  # an absolute path
            "Europe",  # IsADirectoryError
            "Europe/Berlin/",
            "leapseconds",  # a file of the database that is no zone: ValueError
            "zone.tab",
            "\ud800",  # a lone surrogate
            "Europe/Bérlin",
            "",
            "Mars/Olympus_Mons",
            5,
            None,
        ],
    )
    def test_refuses(self, name: object) -> None:
        """Refuses every name that is not a zone, with one message and the path given."""
        found = load_zone(name, "$.timezone")
        assert isinstance(found, list)
        assert [(p.path, p.expected) for p in found] == [("$.timezone", ZONE_TEXT)]
        assert found == zone_problems(name, "$.timezone")

    def test_refusal_does_not_leak_the_install_path(self) -> None:
        """Names what arrived, cut short, not the path zoneinfo tried."""
        (problem,) = zone_problems("x" * 300, "$")
        assert "site-packages" not in problem.got
        assert "zoneinfo" not in problem.got

    def test_longest_name(self) -> None:
        """Says the limit: 64 characters."""
        assert MAX_ZONE_NAME == 64
        assert (
            ZONE_TEXT == "an IANA time zone name of at most 64 characters, such as 'Europe/Berlin'"
        )


class TestInstantKey:
    """Instants compare by (UTC instant, zone): wall clocks in the fold do not collide."""

    def test_fold(self) -> None:
        """Tells the two 02:30s of the autumn change apart."""
        assert FIRST_0230 == SECOND_0230  # Python's own comparison, within one zone
        assert instant_key(FIRST_0230) != instant_key(SECOND_0230)
        assert instant_key(FIRST_0230) < instant_key(SECOND_0230)

    def test_zone(self) -> None:
        """Tells an instant in Berlin from the same instant in UTC."""
        assert instant_key(FIRST_0230) != instant_key(FIRST_0230.astimezone(UTC))
        assert instant_key(FIRST_0230) == instant_key(FIRST_0230.astimezone(BERLIN))


class TestRecordsCompareInstants:
    """Model records with an instant compare and hash by `instant_key`."""

    def records(self, at: dt.datetime) -> tuple[object, ...]:
        item = ConfigurationItem(id="vm-1", name="VM", kind="virtual machine")
        return (
            Complaint(id="c1", customer_id="acme", received_at=at, summary="Slow"),
            Acknowledgement(party_id="acme", terms_id="tos", version="1", accepted_at=at),
            ConfigurationVersion(version=1, item=item, changed_by="ops", changed_at=at),
        )

    def test_fold_values_differ(self) -> None:
        """Keeps records an hour apart in the fold apart, in sets too."""
        for first, second in zip(self.records(FIRST_0230), self.records(SECOND_0230), strict=True):
            assert first != second
            assert len({first, second}) == 2

    def test_zone_values_differ(self) -> None:
        """Tells a record in Berlin from the same instant in UTC, and equals its twin."""
        for berlin, utc, twin in zip(
            self.records(FIRST_0230),
            self.records(FIRST_0230.astimezone(UTC)),
            self.records(FIRST_0230.astimezone(BERLIN)),
            strict=True,
        ):
            assert berlin != utc
            assert berlin == twin
            assert hash(berlin) == hash(twin)

    def test_complaint_in_the_gap_refused(self) -> None:
        """Refuses a complaint received at a wall time the spring change skips."""
        with pytest.raises(ValidationError) as info:
            Complaint(id="c1", customer_id="acme", received_at=SKIPPED_0230, summary="Slow")
        assert info.value.paths == ["$.received_at"]
        assert [p.expected for p in info.value.problems] == [
            "a wall time that exists in Europe/Berlin"
        ]

    def test_records_outside_the_range_refused(self) -> None:
        """Refuses records at instants outside the range."""
        for build in (
            lambda at: Complaint(id="c1", customer_id="acme", received_at=at, summary="Slow"),
            lambda at: Acknowledgement(
                party_id="acme", terms_id="tos", version="1", accepted_at=at
            ),
        ):
            with pytest.raises(ValidationError, match="9000-01-01T00:00Z"):
                build(dt.datetime(1, 1, 1, tzinfo=EAST))


class TestZoneKinds:
    """Only zones that are written and read back as themselves are accepted."""

    def test_other_tzinfo_refused(self) -> None:
        """Refuses a dateutil zone, which would read back as a fixed offset."""
        from dateutil import tz  # noqa: PLC0415

        when = dt.datetime(2026, 1, 1, tzinfo=tz.gettz("Europe/Berlin"))
        assert [(p.path, p.expected, p.got) for p in instant_problems(when, "$.at")] == [
            (
                "$.at",
                "a zoneinfo.ZoneInfo zone or a fixed offset (datetime.timezone)",
                "a tzfile zone",
            )
        ]


def zone_file(name: str) -> bytes:
    """A zone's TZif file, from the system database or the tzdata package."""
    for root in zoneinfo.TZPATH:
        path = pathlib.Path(root, name)
        if path.is_file():
            return path.read_bytes()
    return importlib.resources.files("tzdata.zoneinfo").joinpath(name).read_bytes()


class TestUtcZone:
    """The IANA zone "UTC" is a zone like any other: it reads back as itself."""

    at = dt.datetime(2026, 3, 1, tzinfo=zoneinfo.ZoneInfo("UTC"))

    def test_timezone_gives_the_iana_zone(self) -> None:
        """Returns ZoneInfo('UTC') for "UTC", the zone "[UTC]" is read as."""
        assert zoneinfo.ZoneInfo("UTC") is timezone("UTC")
        assert (
            zoneinfo.ZoneInfo("UTC")
            is from_dict(dt.datetime, "2026-03-01T00:00:00+00:00[UTC]").tzinfo
        )

    def test_complaint_round_trips(self) -> None:
        """Reads a complaint received in ZoneInfo('UTC') back equal to itself."""
        complaint = Complaint(id="c", customer_id="u", received_at=self.at, summary="s")
        assert '"received_at":"2026-03-01T00:00:00+00:00[UTC]"' in to_json(complaint)
        assert complaint == from_json(Complaint, to_json(complaint))

    def test_periods_round_trip(self) -> None:
        """Reads periods in the UTC zone back equal, from instants or calendar builders."""
        for period in (
            Period(self.at, self.at + dt.timedelta(days=1)),
            Period.month(2026, 3, "UTC"),
            Period.day(dt.date(2026, 3, 1), "UTC"),
        ):
            assert period == from_json(Period, to_json(period))
        assert SupportHours.always() == from_json(SupportHours, to_json(SupportHours.always()))

    def test_datetime_utc_stays_an_offset(self) -> None:
        """Writes datetime.UTC as a bare offset and reads it back as that offset."""
        period = Period(dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 3, 2, tzinfo=UTC))
        assert (
            to_json(period)
            == '{"start":"2026-03-01T00:00:00+00:00","end":"2026-03-02T00:00:00+00:00"}'
        )
        assert period == from_json(Period, to_json(period))
        assert period != Period.day(dt.date(2026, 3, 1), "UTC")  # another zone, as Berlin is


class TestZonesThatRoundTrip:
    """Only zones the JSON format writes and reads back as themselves are accepted."""

    def test_offset_with_microseconds_refused(self) -> None:
        """Refuses a fixed offset with a fraction of a second, in the range's middle too."""
        odd = dt.timezone(dt.timedelta(microseconds=1))
        with pytest.raises(ValidationError) as info:
            Period(dt.datetime(2026, 1, 1, tzinfo=odd), dt.datetime(2026, 1, 2, tzinfo=odd))
        assert str(info.value) == (
            "Period is invalid (2 problems):\n"
            "  - expected a fixed offset in whole seconds, such as +05:30,"
            " got the offset +00:00:00.000001 @ $.start\n"
            "  - expected a fixed offset in whole seconds, such as +05:30,"
            " got the offset +00:00:00.000001 @ $.end"
        )

    @pytest.mark.parametrize("seconds", [1, 59, 5 * 3600 + 30 * 60 + 15, -(3 * 3600 + 7)])
    def test_offset_in_seconds_round_trips(self, seconds: int) -> None:
        """Accepts an offset of whole seconds and reads it back equal."""
        zone = dt.timezone(dt.timedelta(seconds=seconds))
        for year in (1900, 2026, 8999):
            when = dt.datetime(year, 6, 1, tzinfo=zone)
            assert instant_problems(when, "$") == []
            complaint = Complaint(id="c", customer_id="u", received_at=when, summary="s")
            assert complaint == from_json(Complaint, to_json(complaint))

    def test_zone_without_a_key_refused(self) -> None:
        """Refuses a ZoneInfo read from a file without a key: it would be written as an offset."""
        keyless = zoneinfo.ZoneInfo.from_file(io.BytesIO(zone_file("Europe/Berlin")))
        assert [
            (p.path, p.expected, p.got)
            for p in instant_problems(dt.datetime(2026, 1, 1, tzinfo=keyless), "$.received_at")
        ] == [
            (
                "$.received_at",
                "a zoneinfo.ZoneInfo zone with an IANA key, such as ZoneInfo('Europe/Berlin')",
                "a ZoneInfo zone without a key",
            )
        ]

    def test_zone_with_a_borrowed_key_refused(self) -> None:
        """Refuses a zone from a file whose key names a zone with other offsets."""
        fake = zoneinfo.ZoneInfo.from_file(
            io.BytesIO(zone_file("Europe/Berlin")), key="America/New_York"
        )
        (problem,) = instant_problems(dt.datetime(2026, 1, 1, tzinfo=fake), "$")
        assert problem.expected == (
            "the offset the IANA zone America/New_York has at that instant"
            " (2025-12-31T18:00:00-05:00)"
        )
        same = zoneinfo.ZoneInfo.from_file(
            io.BytesIO(zone_file("Europe/Berlin")), key="Europe/Berlin"
        )
        assert instant_problems(dt.datetime(2026, 1, 1, tzinfo=same), "$") == []
        assert (
            instant_problems(
                dt.datetime(2026, 1, 1, tzinfo=zoneinfo.ZoneInfo.no_cache("UTC")), "$"
            )
            == []
        )

    def test_zone_with_an_unknown_key_refused(self) -> None:
        """Refuses a zone from a file whose key is no zone of the database."""
        made_up = zoneinfo.ZoneInfo.from_file(io.BytesIO(zone_file("UTC")), key="Mars/Base")
        assert [
            p.expected for p in instant_problems(dt.datetime(2026, 1, 1, tzinfo=made_up), "$")
        ] == [ZONE_TEXT]


class TestHostZoneNames:
    """Names whose meaning depends on the host are not IANA location zones."""

    @pytest.mark.parametrize(
        "name", ["localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC"]
    )
    def test_refused_by_name(self, name: str) -> None:
        """Refuses the name with the zone-name expectation."""
        with pytest.raises(ValidationError) as info:
            timezone(name)
        assert (
            "Time zone is invalid (1 problem):\n"
            "  - expected an IANA time zone name of at most 64 characters,"
            f" such as 'Europe/Berlin', got '{name}' (string) @ $"
        ) == str(info.value)

    def test_refused_on_an_instant(self) -> None:
        """Refuses an instant whose ZoneInfo zone has such a key."""
        zone = zoneinfo.ZoneInfo("Factory")
        problems = instant_problems(dt.datetime(2026, 1, 1, tzinfo=zone), "$.at")
        assert [(p.path, p.got) for p in problems] == [("$.at", "'Factory' (string)")]

    def test_location_zones_still_load(self) -> None:
        """Loads ordinary location zones, UTC among them."""
        assert zone_key(timezone("Europe/Berlin")) == "Europe/Berlin"
        assert zone_key(timezone("UTC")) == "UTC"
