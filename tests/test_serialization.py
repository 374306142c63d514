"""cloudsms.serialization: every type round-trips; bad documents report every problem."""

from __future__ import annotations

import builtins
import datetime as dt
import enum
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import jsonschema
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms.errors import ValidationError
from cloudsms.lifecycle import (
    HistoryEntry,
    Lifecycle,
    LifecycleInstance,
    Transition,
    register_lifecycle,
)
from cloudsms.money import Money, Price
from cloudsms.periods import DailyWindow, Period, SupportHours
from cloudsms.serialization import (
    SENSITIVE,
    document,
    format_duration,
    from_dict,
    from_json,
    json_schema,
    parse_duration,
    to_dict,
    to_json,
)
from cloudsms.testing import (
    aware_datetimes,
    calendar_lengths,
    daily_windows,
    moneys,
    periods,
    prices,
    quantities,
    support_hours,
)
from cloudsms.units import Quantity, quantity

from conftest import examples


def ticket_lifecycle(name: str) -> Lifecycle:
    """A two-state ticket lifecycle called ``name``."""
    return Lifecycle(
        name=name,
        states=("open", "closed"),
        initial="open",
        finals=("closed",),
        transitions=(Transition(source="open", event="close", target="closed"),),
    )


#: Registered (in the test that writes it) by this module's path, so it can be written.
STORED_TICKET = ticket_lifecycle("stored_ticket")


class Tier(enum.Enum):
    """A service level, to test enums."""

    GOLD = "gold"
    SILVER = "silver"


@document("cloudsms.test-record", version=2)
@attrs.frozen(kw_only=True)
class Record:
    """A document holding one field of every kind the converter knows."""

    name: str
    fee: Money
    latency: Quantity
    window: Period
    notice: relativedelta
    tier: Tier
    tags: tuple[str, ...] = ()
    limit: int | None = None
    price: Price | None = None
    hours: SupportHours | None = None
    holidays: frozenset[dt.date] = frozenset()
    labels: dict[str, int] = attrs.field(factory=dict)
    ratio: Decimal = Decimal(0)
    enabled: bool = True
    grace: dt.timedelta = dt.timedelta()
    token: str = attrs.field(default="", metadata=SENSITIVE)


records = st.builds(
    Record,
    name=st.text(max_size=10),
    fee=moneys(),
    latency=quantities(),
    window=periods(),
    notice=calendar_lengths(),
    tier=st.sampled_from(Tier),
    tags=st.lists(st.text(max_size=5), max_size=3).map(tuple),
    limit=st.none() | st.integers(-(2**63), 2**63 - 1),
    price=st.none() | prices(),
    hours=st.none() | support_hours(),
    holidays=st.frozensets(st.dates(), max_size=3),
    labels=st.dictionaries(st.text(max_size=4), st.integers(-(2**63), 2**63 - 1), max_size=3),
    ratio=st.decimals(
        allow_nan=False, allow_infinity=False, places=5, max_value=10**6, min_value=-(10**6)
    ),
    enabled=st.booleans(),
    grace=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)),
    token=st.text(max_size=8),
)
SCHEMA = jsonschema.Draft202012Validator(json_schema(Record))


def valid() -> dict[str, Any]:
    """A valid record as a document."""
    return to_dict(
        Record(
            name="x",
            fee=Money("12.30", "EUR"),
            latency=quantity("250 ms"),
            window=Period.month(2026, 1, "Europe/Berlin"),
            notice=relativedelta(months=1),
            tier=Tier.GOLD,
            tags=("a",),
            limit=3,
            token="s3cret",  # noqa: S106 - a test value
        )
    )


class TestRoundTrips:
    """to_dict/from_dict and to_json/from_json give back what went in."""

    @settings(max_examples=examples(60))
    @given(records)
    def test_documents(self, record: Record) -> None:
        """Round-trips a document of every field kind through dicts and JSON."""
        data = to_dict(record)
        assert (data["type"], data["schema_version"]) == ("cloudsms.test-record", 2)
        assert from_dict(Record, data) == record
        assert from_json(Record, to_json(record)) == record
        assert from_json(Record, to_json(record, indent=2)) == record

    @settings(max_examples=examples(60))
    @given(records)
    def test_schema_accepts_what_is_written(self, record: Record) -> None:
        """Writes documents that the exported JSON Schema accepts."""
        SCHEMA.validate(json.loads(to_json(record)))

    @pytest.mark.parametrize(
        ("strategy", "kind"),
        [
            (moneys(), Money),
            (prices(), Price),
            (periods(), Period),
            (quantities(), Quantity),
            (support_hours(), SupportHours),
            (daily_windows(), DailyWindow),
            (calendar_lengths(), relativedelta),
            (aware_datetimes(), dt.datetime),
            (st.dates(), dt.date),
            (st.decimals(allow_nan=False, allow_infinity=False), Decimal),
        ],
    )
    def test_values(self, strategy: st.SearchStrategy[Any], kind: type) -> None:
        """Round-trips each value type on its own."""

        @settings(max_examples=examples(30))
        @given(strategy)
        def check(value: Any) -> None:
            assert from_json(kind, to_json(value)) == value

        check()

    def test_zone_offsets_must_agree(self) -> None:
        """Reads the named zone back, and refuses an offset the zone does not have then."""
        back = from_dict(dt.datetime, "2026-07-01T12:00:00+02:00[Europe/Berlin]")
        assert getattr(back.tzinfo, "key", None) == "Europe/Berlin"
        with pytest.raises(ValidationError, match="an offset that Europe/Berlin has"):
            from_dict(dt.datetime, "2026-07-01T12:00:00+01:00[Europe/Berlin]")
        with pytest.raises(ValidationError, match="IANA time zone"):
            from_dict(dt.datetime, "2026-07-01T12:00:00+01:00[Mars/Base]")

    def test_history_entries(self) -> None:
        """Round-trips a history entry with its data as an object."""
        entry = HistoryEntry(
            who="actor:a",
            when=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            event="e",
            source="s",
            target="t",
            data_json='{"k":[1,true]}',
        )
        assert to_dict(entry)["data"] == {"k": [1, True]}
        assert from_dict(HistoryEntry, to_dict(entry)) == entry

    def test_wire_formats(self) -> None:
        """Writes each type in its documented form."""
        data = valid()
        assert data["fee"] == {"amount": "12.30", "currency": "EUR"}
        assert data["latency"] == "250 ms"
        assert data["window"] == {
            "start": "2026-01-01T00:00:00+01:00[Europe/Berlin]",
            "end": "2026-02-01T00:00:00+01:00[Europe/Berlin]",
        }
        assert (data["notice"], data["tier"], data["tags"], data["ratio"]) == (
            "P1M",
            "gold",
            ["a"],
            "0",
        )
        assert to_dict(quantity("0.2 vcpu*hour")) == "0.2 h*vcpu"
        assert to_dict(quantity("10 GiB/month")) == "10 GiB/month"
        assert to_dict(quantity("5 /s")) == "5 /s"
        assert to_dict(quantity("3 m/s^2")) == "3 m/s^2"
        assert to_dict(quantity("7")) == "7"
        assert to_dict(DailyWindow.parse("mon 09:00-17:00")) == "mon 09:00-17:00"

    def test_structured_quantities(self) -> None:
        """Reads the structured form of a quantity as well."""
        assert from_dict(Quantity, {"magnitude": "250", "unit": "ms"}) == quantity("250 ms")
        assert from_dict(Quantity, {"magnitude": 2, "unit": "GiB"}) == quantity("2 GiB")
        for bad, path in [
            ({"magnitude": 2.5, "unit": "s"}, "$.magnitude"),
            ({"magnitude": "2", "unit": 5}, "$.unit"),
            ({"magnitude": "2"}, "$"),
            ({"magnitude": "1", "unit": "s", "x": 1}, "$"),
        ]:
            with pytest.raises(ValidationError) as info:
                from_dict(Quantity, bad)
            assert info.value.paths == [path]

    def test_json_without_orjson(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Writes the same JSON with the standard library as with orjson."""
        record = from_dict(Record, valid())
        fast = to_json(record)
        real_import = builtins.__import__

        def no_orjson(name: str, *args: Any, **kwargs: Any) -> Any:
            if name == "orjson":
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_orjson)
        assert to_json(record) == fast


class TestBadDocuments:
    """A bad document yields one ValidationError with every problem, and nothing built."""

    def test_every_problem_with_its_path(self) -> None:
        """Reports wrong types, a float amount, a bad unit, a naive datetime and more at once."""
        data = valid()
        data.update(
            name=5,
            fee={"amount": 1.5, "currency": "EURO"},
            latency="5 flurbs",
            window={"start": "2026-01-01T00:00:00", "end": "tomorrow"},
            tier="bronze",
            tags="abc",
            limit=True,
            extra=1,
            labels={"a": "1"},
            holidays=["2026-13-01"],
        )
        del data["notice"]
        with pytest.raises(ValidationError) as info:
            from_dict(Record, data)
        assert sorted(info.value.paths) == sorted(
            [
                "$.name",
                "$.fee.amount",
                "$.fee.currency",
                "$.latency",
                "$.window.start",
                "$.window.end",
                "$.notice",
                "$.tier",
                "$.tags",
                "$.limit",
                "$.labels.a",
                "$.holidays[0]",
                "$.extra",
            ]
        )
        assert info.value.subject == "Record"
        assert all(" @ $" in line and line.startswith("expected ") for line in info.value.errors)

    def test_values_checked_by_their_constructors(self) -> None:
        """Reports a period ending before it starts, and a price per fortnight."""
        data = valid()
        data["window"] = {"start": "2026-02-01T00:00:00+00:00", "end": "2026-01-01T00:00:00+00:00"}
        data["price"] = {
            "amount": {"amount": "1", "currency": "EUR"},
            "unit": "GiB",
            "per": "fortnight",
        }
        with pytest.raises(ValidationError) as info:
            from_dict(Record, data)
        assert sorted(info.value.paths) == ["$.price.per", "$.window.end"]

    def test_sensitive_values_are_redacted(self) -> None:
        """Never shows the value of a field marked sensitive."""
        data = valid()
        data["token"] = ["hunter2"]
        with pytest.raises(ValidationError) as info:
            from_dict(Record, data)
        assert info.value.errors == ["expected a string, got <redacted> @ $.token"]
        assert "hunter2" not in str(info.value)

    @pytest.mark.parametrize(
        ("change", "path", "expected"),
        [
            ({"schema_version": 1}, "$.schema_version", "2 (the version"),
            ({"schema_version": "2"}, "$.schema_version", "2 (the version"),
            ({"type": "cloudsms.other"}, "$.type", "'cloudsms.test-record'"),
        ],
    )
    def test_type_and_version(self, change: dict[str, Any], path: str, expected: str) -> None:
        """Refuses a document of another type or an unknown schema version, before anything."""
        with pytest.raises(ValidationError) as info:
            from_dict(Record, {**valid(), **change, "name": 5})
        assert info.value.paths == [path]
        assert info.value.problems[0].expected.startswith(expected)

    def test_missing_type_and_non_objects(self) -> None:
        """Says what is missing, and refuses a document that is not an object."""
        data = valid()
        del data["type"]
        with pytest.raises(ValidationError, match=r"got nothing @ \$\.type"):
            from_dict(Record, data)
        with pytest.raises(ValidationError, match="a JSON object"):
            from_dict(Record, [1])
        with pytest.raises(ValidationError, match="a money object"):
            from_dict(Money, "12.30 EUR")

    def test_invalid_json(self) -> None:
        """Refuses text that is not JSON."""
        with pytest.raises(ValidationError, match="invalid JSON"):
            from_json(Record, "{")

    @pytest.mark.parametrize(
        ("kind", "value", "expected"),
        [
            (Decimal, 1.5, "a decimal number as a string"),
            (Decimal, "1,5", "a decimal number"),
            (int, "5", "an integer"),
            (bool, 1, "a boolean"),
            (dt.date, 20260101, "ISO 8601 date"),
            (dt.datetime, 5, "ISO 8601 date-time"),
            (relativedelta, "1 month", "ISO 8601 duration"),
            (str, None, "a string"),
        ],
    )
    def test_no_coercion(self, kind: type, value: object, expected: str) -> None:
        """Coerces nothing: '5' is not an integer and 1 is not a boolean."""
        with pytest.raises(ValidationError, match=expected):
            from_dict(kind, value)


class TestDurations:
    """Calendar lengths and exact durations as ISO 8601 durations."""

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (relativedelta(months=1), "P1M"),
            (relativedelta(years=1, months=2, days=10, hours=2), "P1Y2M10DT2H"),
            (relativedelta(), "P0D"),
            (relativedelta(months=-3), "-P3M"),
            (relativedelta(minutes=5, seconds=30), "PT5M30S"),
            (dt.timedelta(hours=1, minutes=30), "PT1H30M"),
            (dt.timedelta(), "PT0S"),
            (dt.timedelta(seconds=1, microseconds=500), "PT1.0005S"),
            (dt.timedelta(days=2), "PT48H"),
            (-dt.timedelta(minutes=1), "-PT1M"),
        ],
    )
    def test_format_and_parse(self, value: relativedelta | dt.timedelta, text: str) -> None:
        """Writes and reads back each duration."""
        assert format_duration(value) == text
        assert parse_duration(text, exact=isinstance(value, dt.timedelta)) == value

    def test_weeks_and_days(self) -> None:
        """Reads weeks as seven days."""
        assert parse_duration("P2W") == relativedelta(days=14)
        assert parse_duration("P1DT1H", exact=True) == dt.timedelta(hours=25)

    @pytest.mark.parametrize(
        ("text", "exact", "expected"),
        [
            ("P", False, "ISO 8601"),
            ("1M", False, "ISO 8601"),
            ("P1M", True, "no years or months"),
            ("PT1.5S", False, "whole seconds"),
            (None, False, "ISO 8601"),
        ],
    )
    def test_parse_refuses(self, text: object, exact: bool, expected: str) -> None:
        """Refuses malformed durations and calendar units in exact ones."""
        with pytest.raises(ValidationError, match=expected):
            parse_duration(text, exact=exact)

    def test_format_refuses(self) -> None:
        """Refuses a relativedelta that sets fields or mixes signs."""
        with pytest.raises(ValidationError, match="one sign"):
            format_duration(relativedelta(months=1, days=-1))
        with pytest.raises(ValidationError, match=r"^Duration is invalid") as info:
            format_duration(relativedelta(day=1))
        assert info.value.errors == [
            (
                "expected a calendar length in whole units of one sign, such as P1M or -P1M, "
                "got relativedelta(day=1) @ $"
            )
        ]

    @pytest.mark.parametrize(
        "value",
        [
            float("nan"),
            10**70,
            b"x",
            1j,
            object(),
            {(1, 2): "a"},
            Fraction(10**120, 3),
            Decimal("NaN"),
            Decimal("1e999999"),
        ],
        # An object()'s repr holds its address: name it by type, so every pytest-xdist
        # worker collects the same ids.
        ids=lambda value: type(value).__name__ if type(value) is object else repr(value),
    )
    def test_to_json_refuses_what_json_cannot_hold(self, value: object) -> None:
        """Refuses, as a ValidationError at $, what the reader could not read back."""
        with pytest.raises(ValidationError) as info:
            to_json(value)
        assert info.value.paths == ["$"]

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (Fraction(3, 4), '"0.75"'),
            (Fraction(-1, 8), '"-0.125"'),
            (Fraction(5), '"5"'),
            (Fraction(1, 3), '"1/3"'),
            (Fraction(-22, 7), '"-22/7"'),
            (Fraction(10**28 + 1), '"10000000000000000000000000001"'),
            (Fraction(-3, 1000), '"-0.003"'),
            (Fraction(1, 2**200), f'"1/{2**200}"'),  # its decimal: 200 places
        ],
    )
    def test_fractions_as_exact_text(self, value: Fraction, text: str) -> None:
        """A fraction is written as a decimal where it ends, else p/q, and read back equal."""
        assert to_json(value) == text
        assert from_json(Fraction, text) == value

    @pytest.mark.parametrize("data", ['"1/0"', '"0.5/2"', "0.5", '"1 / 3"', '"one"'])
    def test_fractions_refused(self, data: str) -> None:
        """Only a decimal or numerator/denominator text is a fraction, at $."""
        with pytest.raises(ValidationError) as info:
            from_json(Fraction, data)
        assert info.value.paths == ["$"]

    @given(st.fractions())
    def test_fractions_round_trip(self, value: Fraction) -> None:
        """Every fraction reads back as itself."""
        assert from_json(Fraction, to_json(value)) == value

    def test_items_of_tuples_and_mappings_at_their_paths(self) -> None:
        """Reports each bad item of a fixed tuple or a mapping at its index or key."""
        with pytest.raises(ValidationError) as info:
            from_dict(tuple[Money, int], [1, "x"])
        assert info.value.paths == ["$[0]", "$[1]"]
        assert str(info.value).startswith("Tuple[Money, int] is invalid")
        with pytest.raises(ValidationError) as info:
            from_dict(dict[int, Money], {"a": 1})
        assert info.value.paths == ["$.a"]
        with pytest.raises(ValidationError, match=r"^Money \| None is invalid"):
            from_dict(Money | None, 5)

    @pytest.mark.parametrize(
        ("kind", "got"),
        [("Money", "'Money' (string), not a type"), (object, "the type object")],
    )
    def test_kinds_it_cannot_read(self, kind: Any, got: str) -> None:
        """Says which types it reads when asked for one it does not, wrapping no exception."""
        with pytest.raises(ValidationError) as info:
            from_dict(kind, {"amount": "1", "currency": "EUR"})
        (problem,) = info.value.problems
        assert (problem.path, problem.got) == ("$", got)
        assert problem.expected.startswith("a type cloudsms reads: a cloudsms value")

    def test_lengths_read_and_written_alike(self) -> None:
        """Reads and writes lengths up to 1000 years either way; refuses what it cannot write."""
        assert from_dict(relativedelta, "-P1000Y") == relativedelta(years=-1000)
        assert to_dict(relativedelta(years=-1000)) == "-P1000Y"
        for text in ("P1001Y", "-P1001Y", "P999999Y"):
            with pytest.raises(ValidationError, match="at most 1000 years either way"):
                from_dict(relativedelta, text)
        for value in (relativedelta(days=1.5), relativedelta(seconds=1.5)):
            with pytest.raises(ValidationError, match="whole units of one sign"):
                to_dict(value)

    def test_exact_durations_past_timedelta_refused(self) -> None:
        """Refuses an exact duration longer than timedelta holds, naming the bound."""
        with pytest.raises(ValidationError, match="at most 999999999 days"):
            from_dict(dt.timedelta, "PT99999999999999H")


class TestSchema:
    """json_schema() describes the wire format."""

    def test_valid_draft_2020_12(self) -> None:
        """Exports a schema jsonschema accepts as draft 2020-12, with the document's type."""
        schema = json_schema(Record)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"]["type"] == {"const": "cloudsms.test-record"}
        assert "token" not in schema["required"]
        assert schema["title"] == "Record"

    def test_rejects_what_the_converter_rejects(self) -> None:
        """Refuses unknown keys, float amounts and naive datetimes, as the converter does."""
        for change in (
            {"extra": 1},
            {"fee": {"amount": 1.5, "currency": "EUR"}},
            {"window": {"start": "2026-01-01T00:00:00", "end": "2026-02-01T00:00:00Z"}},
        ):
            assert not SCHEMA.is_valid({**valid(), **change})

    def test_unsupported_type(self) -> None:
        """Says so for a type it has no schema for."""
        with pytest.raises(TypeError, match="no JSON Schema"):
            json_schema(complex)


@attrs.frozen
class Inner:
    """A nested record."""

    x: int


def _short(_instance: object, _attribute: object, value: str) -> None:
    if len(value) < 8:
        raise ValidationError.single("$.token", "at least 8 characters", repr(value))


@attrs.frozen
class Secret:
    """A record with a validated secret."""

    token: str = attrs.field(metadata=SENSITIVE, validator=_short)


@attrs.frozen
class Outer:
    """A record holding a nested one and a set."""

    inner: Inner
    tags: frozenset[str] = frozenset()


class TestReviewCases:
    """Cases a review found in the converter."""

    def test_object_expected(self) -> None:
        """Says an object was expected where a list arrived, at the right path."""
        with pytest.raises(ValidationError) as info:
            from_dict(Outer, {"inner": [1, 2]})
        assert info.value.errors == ["expected an object (a Inner), got [1, 2] (array) @ $.inner"]

    def test_validator_messages_are_redacted(self) -> None:
        """Never quotes a sensitive value through a validator's refusal."""
        with pytest.raises(ValidationError) as info:
            from_dict(Secret, {"token": "hunter2"})
        assert info.value.errors == ["expected at least 8 characters, got <redacted> @ $.token"]
        assert "hunter2" not in str(info.value)

    def test_sets_refuse_repeats(self) -> None:
        """Refuses repeated items in a set field instead of dropping them."""
        with pytest.raises(ValidationError, match="distinct items") as info:
            from_dict(Outer, {"inner": {"x": 1}, "tags": ["a", "a"]})
        assert info.value.paths == ["$.tags"]

    @pytest.mark.parametrize(
        "text",
        [
            "2026-01-01 00:00:00+01:00",
            "20260101T000000+0100",
            "\uff12\uff10\uff12\uff16-01-01T00:00:00+00:00",
        ],
    )
    def test_strict_datetimes(self, text: str) -> None:
        """Reads only ISO 8601's extended form with a T."""
        with pytest.raises(ValidationError):
            from_dict(dt.datetime, text)

    def test_rfc_9557_suffixes(self) -> None:
        """Reads Z with a zone, and ignores elective tags; refuses critical ones."""
        back = from_dict(dt.datetime, "2026-10-25T01:30:00Z[Europe/Berlin]")
        assert back.isoformat() == "2026-10-25T02:30:00+01:00"
        tagged = from_dict(dt.datetime, "2026-07-01T12:00:00+02:00[Europe/Berlin][u-ca=iso8601]")
        assert tagged.utcoffset() == dt.timedelta(hours=2)
        with pytest.raises(ValidationError, match="critical"):
            from_dict(dt.datetime, "2026-07-01T12:00:00+02:00[Europe/Berlin][!u-ca=hebrew]")

    def test_amounts_are_strings(self) -> None:
        """Refuses a JSON number as a decimal, as the schema does."""
        with pytest.raises(ValidationError):
            from_dict(Decimal, 12)

    def test_round_trip_odd_units_and_long_durations(self) -> None:
        """Writes units with non-ASCII symbols by name, and reads long durations back."""
        for text in ("2 ohm", "2 angstrom"):
            assert from_dict(Quantity, to_dict(quantity(text))) == quantity(text)
        long = dt.timedelta(days=999_999_999)
        assert from_dict(dt.timedelta, to_dict(long)) == long

    def test_lifecycle_instances(self) -> None:
        """Writes an instance with its history and chain; only a registered lifecycle's.

        An instance is written only when its lifecycle is the one registered under its
        name, and read back only by a registered name.
        """
        when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        ticket = ticket_lifecycle("unregistered_sample")  # never registered by name
        unknown = ticket.begin(id="t-1").apply("close", who="actor:a", when=when)
        with pytest.raises(ValidationError) as caught:
            to_json(unknown)
        assert caught.value.paths == ["$.lifecycle"]
        register_lifecycle("stored_ticket", f"{__name__}:STORED_TICKET")
        started = STORED_TICKET.begin(id="t-1", context={"agreement_id": "a-1"})
        done = started.apply("close", who="actor:a", when=when)
        data = json.loads(to_json(done))
        assert (data["lifecycle"], data["state"], len(data["history"])) == (
            "stored_ticket",
            "closed",
            1,
        )
        assert (data["id"], data["chain"]) == ("t-1", "sha256")
        assert data["history"][0]["hash"] == done.head
        assert data["context"] == {"agreement_id": "a-1"}
        history = from_dict(list[HistoryEntry], data["history"])
        assert STORED_TICKET.resume(history, id=data["id"], context=data["context"]) == done
        assert from_dict(LifecycleInstance, data) == done
        with pytest.raises(ValidationError) as caught:
            from_dict(LifecycleInstance, {**data, "lifecycle": "unregistered_sample"})
        assert caught.value.errors == [
            (
                "expected the name of a registered lifecycle, got 'unregistered_sample'"
                " (string) @ $.lifecycle"
            )
        ]

    def test_entries_refuse_floats_and_empty_actors(self) -> None:
        """Refuses floats, Infinity and an empty actor in a stored history entry."""
        entry = {
            "who": "",
            "when": "2026-01-01T00:00:00+00:00",
            "event": "e",
            "source": "s",
            "target": "t",
            "data": {"x": 1.5},
            "hash": "",
        }
        with pytest.raises(ValidationError) as info:
            from_dict(HistoryEntry, entry)
        assert sorted(info.value.paths) == ["$.data", "$.who"]

    def test_from_json_needs_text(self) -> None:
        """Refuses something that is not JSON text."""
        with pytest.raises(ValidationError, match="JSON text"):
            from_json(Money, 5)  # type: ignore[arg-type]


class TestCollectorPause:
    """The cyclic collector is left alone unless the caller asks for a pause."""

    @pytest.fixture
    def seen(self, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
        """Whether the collector was on, each time a Money was built or written."""
        import gc  # noqa: PLC0415

        states: list[bool] = []
        built = Money.__init__
        written = Money.amount_text

        def spy_init(self: Money, *args: Any, **kwargs: Any) -> None:
            states.append(gc.isenabled())
            built(self, *args, **kwargs)

        def spy_text(self: Money) -> str:
            states.append(gc.isenabled())
            text: str = getattr(written, "fget")(self)  # noqa: B009 - the original getter
            return text

        monkeypatch.setattr(Money, "__init__", spy_init)
        monkeypatch.setattr(Money, "amount_text", property(spy_text))
        return states

    def test_left_on_by_default(self, seen: list[bool]) -> None:
        """A default load, JSON load and dump never switch the collector off."""
        import gc  # noqa: PLC0415

        assert gc.isenabled()
        money = from_dict(Money, {"amount": "1.00", "currency": "EUR"})
        from_json(list[Money], '[{"amount": "2", "currency": "EUR"}]')
        assert to_dict(money) == {"amount": "1.00", "currency": "EUR"}
        with pytest.raises(ValidationError):
            from_json(Money, '{"amount": "1.00", "currency": "EURO"}')
        assert seen[:3] == [True, True, True]
        assert all(seen)
        assert gc.isenabled()

    def test_paused_on_request_and_resumed(self, seen: list[bool]) -> None:
        """pause_gc=True: off during the conversion, on after, even when it fails."""
        import gc  # noqa: PLC0415

        money = from_dict(Money, {"amount": "1.00", "currency": "EUR"}, pause_gc=True)
        from_json(Money, '{"amount": "2", "currency": "EUR"}', pause_gc=True)
        to_dict(money, pause_gc=True)
        assert seen == [False, False, False]
        assert gc.isenabled()
        with pytest.raises(ValidationError):
            from_json(Money, '{"amount": "1.00", "currency": "EURO"}', pause_gc=True)
        assert gc.isenabled()

    def test_a_disabled_collector_stays_disabled(self) -> None:
        """When the caller turned the collector off, cloudsms leaves it off."""
        import gc  # noqa: PLC0415

        gc.disable()
        try:
            from_dict(Money, {"amount": "1.00", "currency": "EUR"}, pause_gc=True)
            assert not gc.isenabled()
        finally:
            gc.enable()


def test_sets_are_written_sorted_whatever_the_hash_seed() -> None:
    """The same set writes the same JSON in every process (sorted items)."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "from cloudsms.serialization import to_json; "
        "print(to_json(frozenset({'NL', 'DE', 'US-CA', 'FR', 'IE', 'JP'})))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in (0, 1, 2, 3)
    }
    assert outputs == {'["DE","FR","IE","JP","NL","US-CA"]'}
