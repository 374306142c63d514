"""What monitoring observed: outages, measurements, series, events (S10; 20000-1:2011 6.1-6.5)."""

from __future__ import annotations

import array
import copy
import datetime as dt
import itertools
import math
import pickle
import struct

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cloudsms.agreements import Metric, OutageCause
from cloudsms.errors import ValidationError
from cloudsms.monitoring import (
    MISSING,
    Event,
    EventKind,
    Measurement,
    Observations,
    Outage,
    SampleSeries,
    SeriesCounts,
)
from cloudsms.operations import MaintenanceWindow
from cloudsms.periods import Period, timezone
from cloudsms.serialization import from_json, json_schema, to_json
from cloudsms.testing import observations, outages, sample_series
from cloudsms.testing._strategies import aware_datetimes
from cloudsms.units import quantity

from conftest import examples

UTC = dt.UTC
BERLIN = timezone("Europe/Berlin")
T0 = dt.datetime(2026, 10, 1, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)
SLOW = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def at(minutes: float) -> dt.datetime:
    """T0 plus ``minutes``."""
    return T0 + dt.timedelta(minutes=minutes)


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    """(path, expected) of each problem of a raised ValidationError."""
    return [(p.path, p.expected) for p in error.value.problems]


def availability(*values: int) -> SampleSeries:
    """A per-minute availability series of ``values`` starting at T0."""
    return SampleSeries("crm", Metric.AVAILABILITY, T0, array.array("B", values))


class TestOutage:
    """Outage: a span of downtime of some services, with its cause."""

    def test_start_and_end_are_positional(self) -> None:
        """Takes start and end by position; services, cause and id by keyword."""
        outage = Outage(at(0), at(30), services={"crm"}, cause=OutageCause.CUSTOMER, id="inc-7")
        assert outage.period == Period(at(0), at(30))
        assert (outage.services, outage.cause, outage.id) == (
            frozenset({"crm"}),
            OutageCause.CUSTOMER,
            "inc-7",
        )

    def test_defaults(self) -> None:
        """Is a provider outage of every service unless told otherwise."""
        outage = Outage(at(0), at(1))
        assert (outage.services, outage.cause, outage.id) == (
            frozenset(),
            OutageCause.PROVIDER,
            None,
        )

    def test_no_services_affects_every_service(self) -> None:
        """An outage naming no service hits each; one naming services hits only those."""
        assert Outage(at(0), at(1)).affects("anything")
        named = Outage(at(0), at(1), services={"crm", "mail"})
        assert (named.affects("crm"), named.affects("mail"), named.affects("web")) == (
            True,
            True,
            False,
        )

    def test_refuses_an_end_not_after_the_start(self) -> None:
        """Refuses an end at or before the start, on the absolute timeline, at $.end."""
        same_instant = at(0).astimezone(BERLIN)
        with pytest.raises(ValidationError) as error:
            Outage(at(0), same_instant)
        assert problems_of(error) == [
            ("$.end", "an instant after the start (2026-10-01T00:00:00+00:00)")
        ]

    def test_reports_every_field_problem(self) -> None:
        """Lists a naive start, a bad service id and a bad id together."""
        with pytest.raises(ValidationError) as error:
            Outage(dt.datetime(2026, 10, 1), at(1), services={"bad id"}, id="")
        assert [path for path, _ in problems_of(error)] == ["$.start", "$.services[0]", "$.id"]

    def test_compares_instants_with_their_zones(self) -> None:
        """Equal when the instants and zones are; the same instants in another zone differ."""
        utc = Outage(at(0), at(5))
        assert utc == Outage(at(0), at(5))
        assert hash(utc) == hash(Outage(at(0), at(5)))
        assert utc != Outage(at(0).astimezone(BERLIN), at(5).astimezone(BERLIN))


class TestMeasurement:
    """Measurement: one value of one metric of one service."""

    def test_reads_a_measure_name_as_its_metric(self) -> None:
        """Takes 'latency' as Metric.RESPONSE_TIME and 'uptime' as Metric.AVAILABILITY."""
        latency = Measurement(at=at(0), metric="latency", value=quantity("180 ms"), service="crm")
        uptime = Measurement(at=at(0), metric="uptime", value=quantity("99.9 %"), service="crm")
        assert (latency.metric, uptime.metric) == (Metric.RESPONSE_TIME, Metric.AVAILABILITY)

    @pytest.mark.parametrize(
        ("metric", "value", "expected"),
        [
            ("latency", "5 GB", "a time quantity such as '4 h'"),
            ("throughput", "5 ms", "requests per time such as '500 request/s'"),
            ("availability", "-1 %", "a quantity not below zero"),
        ],
    )
    def test_refuses_a_value_the_metric_does_not_measure(
        self, metric: str, value: str, expected: str
    ) -> None:
        """Refuses a value of another dimension, or below zero, at $.value."""
        with pytest.raises(ValidationError) as error:
            Measurement(at=at(0), metric=metric, value=quantity(value), service="crm")
        assert problems_of(error) == [("$.value", expected)]

    def test_positional_form_of_the_issue(self) -> None:
        """Measurement(at, metric, value, service) equals the keyword form."""
        positional = Measurement(at(0), "latency", quantity("180 ms"), "crm")
        assert positional == Measurement(
            at=at(0), metric=Metric.RESPONSE_TIME, value=quantity("180 ms"), service="crm"
        )
        assert (positional.metric, positional.service) == (Metric.RESPONSE_TIME, "crm")

    def test_a_positional_call_is_checked_like_a_keyword_one(self) -> None:
        """Refuses bad positional arguments with a ValidationError at each field's path."""
        with pytest.raises(ValidationError) as error:
            Measurement(dt.datetime(2026, 10, 1), "speed", quantity("1 ms"), "")
        assert [path for path, _ in problems_of(error)] == ["$.at", "$.metric", "$.service"]

    def test_refuses_an_unknown_metric(self) -> None:
        """Names what a metric may be when the name is unknown."""
        with pytest.raises(ValidationError) as error:
            Measurement(at=at(0), metric="speed", value=quantity("1 ms"), service="crm")
        assert problems_of(error) == [
            ("$.metric", "a Metric or a measure name such as 'availability' or 'latency'")
        ]

    def test_refuses_a_qualitative_metric(self) -> None:
        """Has no measurement of a qualitative objective."""
        with pytest.raises(ValidationError) as error:
            Measurement(at=at(0), metric=Metric.QUALITATIVE, value=quantity("1 ms"), service="c")
        assert problems_of(error) == [("$.metric", "a metric with a quantity (not qualitative)")]


class TestSampleSeriesCounts:
    """SampleSeries.counts: up, down and missing steps whose start lies in a period."""

    def test_hand_computed_counts(self) -> None:
        """Counts 1 as up, 0 as down and 255 as missing."""
        series = availability(1, 1, 0, MISSING, 1, 0, 0)
        assert series.counts(series.period) == SeriesCounts(up=3, down=3, missing=1)
        assert series.counts(series.period).steps == 7
        assert series.counts(series.period).measured == 6

    def test_a_step_counts_when_its_start_is_in_the_period(self) -> None:
        """Counts steps 1 and 2 of a period from 0:30 to 2:30 (starts at 1:00 and 2:00)."""
        series = availability(0, 1, 0, 1)
        assert series.counts(Period(at(0.5), at(2.5))) == SeriesCounts(up=1, down=1, missing=0)
        assert series.steps_in(Period(at(0.5), at(2.5))) == 2

    @pytest.mark.parametrize(
        "samples",
        [(0, 0, 0), (MISSING, MISSING), (1, 1), (0, MISSING, 0, MISSING, 1), (1, 0, 1, 1)],
    )
    def test_counts_whatever_the_mix(self, samples: tuple[int, ...]) -> None:
        """Counts each value right, whichever values are rare or absent, over any slice."""
        series = availability(*samples)
        for low in range(len(samples)):
            for high in range(low + 1, len(samples) + 1):
                part = samples[low:high]
                expected = SeriesCounts(part.count(1), part.count(0), part.count(MISSING))
                assert series.counts(Period(at(low), at(high))) == expected

    def test_a_period_apart_from_the_series_counts_nothing(self) -> None:
        """Counts nothing before the first step or after the last."""
        series = availability(1, 0)
        assert series.counts(Period(at(-10), at(0))) == SeriesCounts(0, 0, 0)
        assert series.counts(Period(at(2), at(60))) == SeriesCounts(0, 0, 0)

    def test_steps_run_on_the_absolute_timeline(self) -> None:
        """An hourly series across Berlin's October DST change has 25 steps in that day."""
        day = Period.day(dt.date(2026, 10, 25), BERLIN)
        series = SampleSeries(
            "crm",
            "availability",
            day.start,
            array.array("B", [1] * 25),
            step=dt.timedelta(hours=1),
        )
        assert series.period == day
        assert series.counts(day) == SeriesCounts(up=25, down=0, missing=0)

    def test_counts_a_year_of_minutes(self) -> None:
        """Counts 525,600 per-minute samples of a year, month by month, adding up."""
        year = Period.year(2026, "UTC")
        samples = array.array("B", [1] * 525_600)
        samples[100:160] = array.array("B", [0] * 60)
        samples[-30:] = array.array("B", [MISSING] * 30)
        series = SampleSeries("crm", "availability", year.start, samples)
        assert series.counts(year) == SeriesCounts(up=525_510, down=60, missing=30)
        months = [series.counts(month) for month in year.split("month")]
        assert sum(c.down for c in months) == 60
        assert months[11].missing == 30

    def test_refuses_counts_of_a_latency_series(self) -> None:
        """Counts only availability series; a latency series has latencies."""
        series = SampleSeries("crm", "latency", T0, [12.0])
        with pytest.raises(ValidationError) as error:
            series.counts(series.period)
        assert problems_of(error) == [("$", "an availability series for counts")]

    def test_refuses_a_period_that_is_not_one(self) -> None:
        """Refuses anything but a Period, at $.period."""
        with pytest.raises(ValidationError) as error:
            availability(1).counts((T0, at(1)))  # type: ignore[arg-type]
        assert problems_of(error) == [("$.period", "a Period")]

    @SLOW
    @given(sample_series(metrics=[Metric.AVAILABILITY]), aware_datetimes(), st.integers(1, 10**12))
    def test_counts_add_up_to_the_steps_in_the_period(
        self, series: SampleSeries, start: dt.datetime, micros: int
    ) -> None:
        """Up + down + missing is the number of steps whose start lies in the period."""
        try:
            period = Period(start, start + dt.timedelta(microseconds=micros))
        except (ValidationError, OverflowError):
            return
        counts = series.counts(period)
        first = series.start.astimezone(UTC)
        inside = [v for k, v in enumerate(series.values) if first + k * series.step in period]
        assert counts.up + counts.down + counts.missing == len(inside) == series.steps_in(period)
        assert counts == SeriesCounts(inside.count(1), inside.count(0), inside.count(MISSING))

    @SLOW
    @given(sample_series(metrics=[Metric.AVAILABILITY]), st.floats(0, 1), st.floats(0, 1))
    # Found by hypothesis: a series starting half an hour before a midnight Santiago's
    # clocks skip (2048-09-06), split in the hour that does not exist there.
    @example(
        series=SampleSeries(
            "crm",
            "availability",
            dt.datetime(2048, 9, 5, 23, 30, tzinfo=timezone("America/Santiago")),
            array.array("B", [1]),
            step=dt.timedelta(hours=1),
        ),
        left=0.0,
        right=0.5,
    )
    def test_splitting_a_period_conserves_counts(
        self, series: SampleSeries, left: float, right: float
    ) -> None:
        """Counts over two halves of a period add up to the counts over the whole."""
        whole = series.period
        span = whole.duration
        # The split points are instants on the absolute timeline, shown in the series'
        # zone: adding to a wall time could land in an hour the clocks skip.
        zone = whole.start.tzinfo
        first, last = whole.start.astimezone(UTC), whole.end.astimezone(UTC)
        start = first + span * min(left, right) / 2
        cut = first + span * (1 + max(left, right)) / 2
        if not start < cut < last:
            return
        start, cut = start.astimezone(zone), cut.astimezone(zone)
        period = Period(start, whole.end)
        a, b = series.counts(Period(start, cut)), series.counts(Period(cut, whole.end))
        assert series.counts(period) == SeriesCounts(
            a.up + b.up, a.down + b.down, a.missing + b.missing
        )


class TestSampleSeriesSpans:
    """Runs of down and missing steps, and the latencies of a response-time series."""

    def test_down_spans_merge_runs(self) -> None:
        """Gives one period per run of down steps."""
        series = availability(1, 0, 0, 1, 0, 1)
        assert series.down_spans(series.period) == (
            Period(at(1), at(3)),
            Period(at(4), at(5)),
        )

    def test_spans_start_in_the_period_and_cover_whole_steps(self) -> None:
        """Takes the steps starting in the period; the last span may pass its end."""
        series = availability(0, 0, 0, 0)
        assert series.down_spans(Period(at(0.5), at(2.5))) == (Period(at(1), at(3)),)

    def test_missing_spans_of_both_kinds(self) -> None:
        """Finds 255 in availability and NaN in response times."""
        up_down = availability(MISSING, 1, MISSING, MISSING)
        latency = SampleSeries("crm", "latency", T0, [None, 10.0, float("nan"), None])
        expected = (Period(at(0), at(1)), Period(at(2), at(4)))
        assert up_down.missing_spans(up_down.period) == expected
        assert latency.missing_spans(latency.period) == expected
        assert up_down.missing_time(up_down.period) == 3 * MINUTE
        assert latency.missing_time(Period(at(1), at(3))) == MINUTE

    def test_spans_are_in_the_start_zone(self) -> None:
        """Writes the instants of spans in the series' own zone."""
        start = at(0).astimezone(BERLIN)
        series = SampleSeries("crm", "availability", start, [1, 0])
        (span,) = series.down_spans(series.period)
        assert span.start.tzinfo is BERLIN
        assert span == Period(at(1).astimezone(BERLIN), at(2).astimezone(BERLIN))

    def test_latencies_leave_out_missing_steps(self) -> None:
        """Gives the measured values in step order, NaN left out, as a new array('d')."""
        series = SampleSeries("crm", "response time", T0, [120.5, None, 80.0, 95.25])
        latencies = series.latencies(Period(at(0), at(3)))
        assert latencies == array.array("d", [120.5, 80.0])
        latencies[0] = 0.0
        assert series.latencies(series.period) == array.array("d", [120.5, 80.0, 95.25])

    def test_refuses_latencies_of_an_availability_series(self) -> None:
        """Has latencies only for a response-time series."""
        with pytest.raises(ValidationError) as error:
            availability(1).latencies(availability(1).period)
        assert problems_of(error) == [("$", "a response time series for latencies")]


class TestSampleSeriesGaps:
    """Missing steps found in C agree with a plain walk over the samples."""

    @SLOW
    @given(sample_series(), st.floats(0, 1), st.floats(0, 1))
    def test_missing_spans_and_time_match_the_samples(
        self, series: SampleSeries, left: float, right: float
    ) -> None:
        """Finds exactly the missing steps starting in the period, in merged runs."""
        whole = series.period
        start = whole.start + whole.duration * min(left, right)
        end = whole.start + whole.duration * max(left, right)
        if not start < end:
            return
        period = Period(start, end)
        first = series.start.astimezone(UTC)
        packed_by_bytes = series.metric is Metric.AVAILABILITY
        gaps = [
            k
            for k, value in enumerate(series.values)
            if first + k * series.step in period
            and (value == MISSING if packed_by_bytes else math.isnan(value))
        ]
        assert series.missing_time(period) == len(gaps) * series.step
        spans = series.missing_spans(period)
        covered = sum((span.duration for span in spans), dt.timedelta(0))
        assert covered == len(gaps) * series.step
        assert all(
            a.end.astimezone(UTC) < b.start.astimezone(UTC) for a, b in itertools.pairwise(spans)
        )


class TestSampleSeriesValues:
    """The samples: packed by metric, copied, read-only, checked."""

    def test_values_are_copied_and_read_only(self) -> None:
        """Changing the given array changes nothing; the view refuses writes."""
        given = array.array("B", [1, 0])
        series = SampleSeries("crm", "availability", T0, given)
        given[0] = 0
        assert list(series.values) == [1, 0]
        assert series.values.readonly
        with pytest.raises(TypeError):
            series.values[0] = 0

    def test_packs_by_metric(self) -> None:
        """Packs availability as bytes and response times as doubles."""
        assert availability(1).values.format == "B"
        assert SampleSeries("crm", "latency", T0, [1]).values.format == "d"

    def test_lists_with_none_read_as_arrays(self) -> None:
        """A list with None equals the array with 255 or NaN."""
        assert SampleSeries("crm", "availability", T0, [1, None, 0]) == availability(1, MISSING, 0)
        from_list = SampleSeries("crm", "latency", T0, [5, None])
        from_array = SampleSeries("crm", "latency", T0, array.array("d", [5.0, float("nan")]))
        assert from_list == from_array
        assert hash(from_list) == hash(from_array)

    def test_every_nan_is_the_same_missing_sample(self) -> None:
        """NaNs of any bit pattern, and -0.0, read as one missing sample and 0.0."""
        (odd_nan,) = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_0000_0001))
        first = SampleSeries("crm", "latency", T0, array.array("d", [odd_nan, -0.0]))
        second = SampleSeries("crm", "latency", T0, [None, 0.0])
        assert first == second

    def test_a_plain_array_of_doubles_is_checked_too(self) -> None:
        """Reads -0.0 in an array('d') as 0.0 and refuses negative or infinite samples."""
        assert SampleSeries("crm", "latency", T0, array.array("d", [5.0, -0.0])) == (
            SampleSeries("crm", "latency", T0, [5, 0])
        )
        for bad in (-2.0, float("inf")):
            with pytest.raises(ValidationError) as error:
                SampleSeries("crm", "latency", T0, array.array("d", [1.0, bad]))
            assert [path for path, _ in problems_of(error)] == ["$.values[1]"]

    def test_refuses_bytes_other_than_up_down_missing(self) -> None:
        """Lists each bad byte at its index."""
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", "availability", T0, array.array("B", [1, 2, 0, 7]))
        assert problems_of(error) == [
            ("$.values[1]", "1 (up), 0 (down) or 255 (missing)"),
            ("$.values[3]", "1 (up), 0 (down) or 255 (missing)"),
        ]

    def test_lists_at_most_twenty_bad_values(self) -> None:
        """Stops after twenty problems of values, however many there are."""
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", "availability", T0, array.array("B", [9] * 1000))
        assert len(error.value.problems) == 20

    def test_refuses_negative_infinite_and_non_numbers(self) -> None:
        """Refuses a latency below zero, an infinite one, text and booleans."""
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", "latency", T0, [-1.0, float("inf"), "5", 3.0])
        assert [path for path, _ in problems_of(error)] == [
            "$.values[0]",
            "$.values[1]",
            "$.values[2]",
        ]
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", "availability", T0, [True, 1])
        assert [path for path, _ in problems_of(error)] == ["$.values[0]"]

    def test_reports_every_argument_problem(self) -> None:
        """Lists a bad service, metric, start and step together."""
        with pytest.raises(ValidationError) as error:
            SampleSeries(
                "",
                "throughput",
                dt.datetime(2026, 10, 1),
                [1],
                step=dt.timedelta(0),
            )
        assert [path for path, _ in problems_of(error)] == [
            "$.service",
            "$.metric",
            "$.start",
            "$.step",
        ]

    def test_refuses_no_samples_and_a_series_past_the_range(self) -> None:
        """Needs one sample or more, and an end inside the supported range."""
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", "availability", T0, [])
        assert problems_of(error) == [("$.values", "one or more samples")]
        late = dt.datetime(8999, 12, 31, 23, 59, tzinfo=UTC)
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", "availability", late, [1, 1])
        assert [path for path, _ in problems_of(error)] == ["$.values"]

    @pytest.mark.parametrize(
        ("metric", "values", "got"),
        [
            ("availability", array.array("i", [1, 0, 255]), "array('i')"),
            ("availability", array.array("q", [1, 0, 1]), "array('q')"),
            ("availability", array.array("d", [1.0, 0.0]), "array('d')"),
            ("availability", memoryview(array.array("i", [1, 0])), "a memoryview of format 'i'"),
            ("latency", array.array("B", [200, 255, 100]), "array('B')"),
            ("latency", array.array("f", [1.5, 2.5]), "array('f')"),
            ("latency", array.array("q", [200, 100]), "array('q')"),
            ("latency", memoryview(array.array("B", [200, 255])), "a memoryview of format 'B'"),
            ("latency", b"\xc8\xff", "bytes"),
        ],
    )
    def test_refuses_an_array_of_another_packing(
        self, metric: str, values: object, got: str
    ) -> None:
        """Refuses at $.values, naming the typecode the metric packs its samples in."""
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", metric, T0, values)
        ((path, expected),) = problems_of(error)
        assert path == "$.values"
        assert expected.startswith("array('B')" if metric == "availability" else "array('d')")
        assert error.value.problems[0].got == got

    def test_a_list_and_a_view_of_doubles_as_json_reads_it_stay_accepted(self) -> None:
        """Reads lists with None for both metrics, and a 'd' view of 0/1/NaN as availability."""
        assert SampleSeries("crm", "latency", T0, [200, None, 100]).latencies(
            Period(T0, at(3))
        ) == array.array("d", [200.0, 100.0])
        doubles = memoryview(array.array("d", [1.0, float("nan"), 0.0]))
        assert SampleSeries("crm", "availability", T0, doubles) == availability(1, MISSING, 0)
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", "availability", T0, memoryview(array.array("d", [255.0])))
        assert [path for path, _ in problems_of(error)] == ["$.values[0]"]

    def test_refuses_what_is_no_sequence(self) -> None:
        """Refuses values that are not an array or a list."""
        with pytest.raises(ValidationError) as error:
            SampleSeries("crm", "latency", T0, 5)
        assert problems_of(error) == [("$.values", "an array of samples ('B' or 'd')")]


class TestSampleSeriesWire:
    """JSON, pickling and copying of a series."""

    def test_json_writes_null_for_missing(self) -> None:
        """Writes samples as a list with null for a missing step."""
        series = availability(1, 0, MISSING)
        assert to_json(series) == (
            '{"service":"crm","metric":"availability","start":"2026-10-01T00:00:00+00:00",'
            '"values":[1,0,null],"step":"PT1M"}'
        )
        latency = SampleSeries("crm", "latency", T0, [12.5, None], step=dt.timedelta(seconds=10))
        assert '"values":[12.5,null],"step":"PT10S"' in to_json(latency)

    def test_json_refuses_bad_samples_at_their_path(self) -> None:
        """Reports a sample of the wrong type at $.values[i]."""
        text = (
            '{"service":"crm","metric":"availability","start":"2026-10-01T00:00:00Z",'
            '"values":[1,"x",true]}'
        )
        with pytest.raises(ValidationError) as error:
            from_json(SampleSeries, text)
        assert problems_of(error) == [
            ("$.values[1]", "a finite number or null"),
            ("$.values[2]", "a finite number or null"),
        ]
        with pytest.raises(ValidationError) as error:
            from_json(SampleSeries, text.replace('[1,"x",true]', "[1,2]"))
        assert problems_of(error) == [("$.values[1]", "1 (up), 0 (down) or null (missing)")]

    def test_schema_of_the_values(self) -> None:
        """Describes values as numbers or nulls, and the step as optional."""
        schema = json_schema(SampleSeries)
        assert schema["properties"]["values"] == {
            "type": "array",
            "items": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        }
        assert schema["required"] == ["service", "metric", "start", "values"]

    @SLOW
    @given(sample_series())
    def test_round_trips(self, series: SampleSeries) -> None:
        """Reads back equal from JSON, from a pickle and from a deep copy."""
        assert from_json(SampleSeries, to_json(series)) == series
        assert pickle.loads(pickle.dumps(series)) == series
        assert copy.deepcopy(series) == series
        assert hash(pickle.loads(pickle.dumps(series))) == hash(series)

    def test_repr_is_short(self) -> None:
        """Shows the series without its samples."""
        assert repr(availability(1, 0)) == (
            "SampleSeries(service='crm', metric='availability', "
            "start='2026-10-01T00:00:00+00:00', step=datetime.timedelta(seconds=60), 2 values)"
        )


class TestEvents:
    """EventKind and Event: what customers must hear of at once."""

    def test_which_kinds_demand_immediate_notice(self) -> None:
        """A security incident and invoking continuity do; a capacity threshold does not."""
        assert {kind.value: kind.immediate for kind in EventKind} == {
            "security_incident": True,
            "continuity_invoked": True,
            "capacity_threshold": False,
        }

    def test_an_event_with_no_services_affects_every_service(self) -> None:
        """Names the services it touched; none means every service."""
        everywhere = Event(at=at(0), kind=EventKind.SECURITY_INCIDENT, summary="Breach")
        one = Event(
            at=at(0), kind=EventKind.CAPACITY_THRESHOLD, services={"crm"}, summary="80 % used"
        )
        assert (everywhere.affects("crm"), one.affects("crm"), one.affects("mail")) == (
            True,
            True,
            False,
        )

    def test_refuses_an_empty_summary(self) -> None:
        """Needs a summary, at $.summary."""
        with pytest.raises(ValidationError) as error:
            Event(at=at(0), kind=EventKind.CONTINUITY_INVOKED, summary=" ")
        assert problems_of(error) == [("$.summary", "a non-empty string")]


WINDOW = MaintenanceWindow(start=at(60), end=at(120), services={"crm"}, announced_at=at(0))


class TestObservations:
    """Observations: what one evaluation reads."""

    def test_for_service_keeps_what_concerns_the_service(self) -> None:
        """Keeps outages of every service and those naming it; drops the others."""
        everywhere = Outage(at(0), at(5))
        crm = Outage(at(10), at(20), services={"crm"})
        mail = Outage(at(10), at(20), services={"mail"})
        seen = Observations(
            outages=[everywhere, crm, mail],
            maintenance=[WINDOW],
            measurements=[
                Measurement(at=at(0), metric="latency", value=quantity("1 s"), service="mail")
            ],
            series=[availability(1)],
            events=[Event(at=at(0), kind=EventKind.SECURITY_INCIDENT, summary="x")],
        )
        crm_only = seen.for_service("crm")
        assert crm_only.outages == (everywhere, crm)
        assert (crm_only.maintenance, crm_only.measurements, crm_only.series) == (
            (WINDOW,),
            (),
            (availability(1),),
        )
        assert len(crm_only.events) == 1
        assert seen.for_service("web").outages == (everywhere,)
        assert seen.for_service("web").maintenance == ()

    def test_is_empty_when_no_record_of_any_kind_is_held(self) -> None:
        """Says empty for no records, and not empty for one record of any kind."""
        assert Observations().is_empty
        day = dt.datetime(2026, 10, 7, tzinfo=UTC)
        event = Event(at=day, kind=EventKind.CAPACITY_THRESHOLD, summary="Disk at 80 %")
        assert not Observations(events=[event]).is_empty
        assert not Observations(outages=[Outage(day, at(9_000))]).is_empty

    @SLOW
    @given(observations())
    def test_is_empty_means_equal_to_no_observations(self, seen: Observations) -> None:
        """Is empty exactly when equal to Observations()."""
        assert seen.is_empty == (seen == Observations())

    def test_merged_keeps_order_and_duplicates(self) -> None:
        """Puts the other observations after these, kind by kind."""
        first = Observations(outages=[Outage(at(0), at(1))])
        second = Observations(outages=[Outage(at(5), at(6))], maintenance=[WINDOW])
        merged = first.merged(second)
        assert merged.outages == first.outages + second.outages
        assert merged.maintenance == (WINDOW,)
        assert first.merged(first).outages == first.outages * 2

    def test_merged_refuses_anything_else(self) -> None:
        """Refuses to merge what is not an Observations, at $.other."""
        with pytest.raises(ValidationError) as error:
            Observations().merged([])  # type: ignore[arg-type]
        assert problems_of(error) == [("$.other", "an Observations")]

    def test_refuses_a_record_of_the_wrong_kind(self) -> None:
        """Names the item that is not an outage."""
        with pytest.raises(ValidationError) as error:
            Observations(outages=[Outage(at(0), at(1)), WINDOW])
        assert problems_of(error) == [("$.outages[1]", "an Outage")]

    @settings(max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck))
    @given(observations())
    def test_round_trips(self, seen: Observations) -> None:
        """Reads back equal from JSON and from a pickle."""
        assert from_json(Observations, to_json(seen)) == seen
        assert pickle.loads(pickle.dumps(seen)) == seen

    @SLOW
    @given(st.lists(outages(services=["crm", "mail"]), max_size=6))
    def test_for_service_splits_no_outage_away(self, found: list[Outage]) -> None:
        """Every outage concerns some service, and for_service keeps exactly those."""
        seen = Observations(outages=found)
        for service in ("crm", "mail"):
            kept = seen.for_service(service).outages
            assert kept == tuple(o for o in found if not o.services or service in o.services)
