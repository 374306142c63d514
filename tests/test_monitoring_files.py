"""Observations kept as CSV files: read with every problem located, written back (S10)."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudsms.agreements import Metric, OutageCause
from cloudsms.errors import ValidationError
from cloudsms.monitoring import (
    CSV_COLUMNS,
    Event,
    EventKind,
    Measurement,
    Observations,
    Outage,
    SampleSeries,
    read_observations,
    write_observations,
)
from cloudsms.operations import Incident, MaintenanceWindow
from cloudsms.periods import Period, timezone
from cloudsms.testing import events, maintenance_windows, measurements, outages
from cloudsms.testing._strategies import aware_datetimes
from cloudsms.units import quantity

from conftest import examples

EXAMPLES = Path(__file__).parent.parent / "examples" / "data" / "sla"
BERLIN = timezone("Europe/Berlin")
CEST = dt.timezone(dt.timedelta(hours=2))
CET = dt.timezone(dt.timedelta(hours=1))
OUTAGES = "service,start,end,cause\n"
WINDOWS = "service,start,end,announced_at\n"
MEASURES = "service,metric,at,value,unit\n"
EVENTS = "service,at,kind,summary,id\n"
A = "2026-10-07T09:00:00+02:00"
B = "2026-10-07T10:00:00+02:00"


def folder(tmp_path: Path, **files: str) -> Path:
    """``tmp_path`` holding each file given (``outages="..."`` is outages.csv)."""
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def refusal(directory: Path) -> list[tuple[str, str]]:
    """(path, expected) of every problem reading ``directory`` raises."""
    with pytest.raises(ValidationError) as error:
        read_observations(directory)
    return [(p.path, p.expected) for p in error.value.problems]


def paths(directory: Path) -> list[str]:
    """The path of every problem reading ``directory`` raises."""
    return [path for path, _ in refusal(directory)]


class TestExampleData:
    """examples/data/sla: October 2026 for the agreement examples/agreement.py builds."""

    def test_reads_every_record(self) -> None:
        """Reads five outages, two maintenance windows, thirteen measurements and one event."""
        seen = read_observations(EXAMPLES)
        assert (len(seen.outages), len(seen.maintenance), len(seen.measurements)) == (5, 2, 13)
        assert len(seen.events) == 1

    def test_a_capacity_event_that_needs_no_immediate_notice(self) -> None:
        """Holds a capacity threshold crossed on 16 October, which customers hear of in time."""
        (event,) = read_observations(EXAMPLES).events
        assert event == Event(
            at=dt.datetime(2026, 10, 16, 14, 30, tzinfo=CEST),
            kind=EventKind.CAPACITY_THRESHOLD,
            services={"crm-service"},
            summary="CRM storage passed 80 % of the capacity plan",
            id="cap-2026-1016",
        )
        assert not event.kind.immediate

    def test_outages_as_hand_read(self) -> None:
        """Holds a provider and a customer outage, two overlapping and one across months."""
        provider, customer, first, platform, boundary = read_observations(EXAMPLES).outages
        assert provider == Outage(
            dt.datetime(2026, 10, 7, 9, 12, tzinfo=CEST),
            dt.datetime(2026, 10, 7, 9, 38, tzinfo=CEST),
            services={"crm-service"},
            id="inc-2026-1007",
        )
        assert customer.cause is OutageCause.CUSTOMER
        assert first.period.overlaps(platform.period)
        assert (platform.services, platform.cause) == (frozenset(), OutageCause.THIRD_PARTY)
        october = Period.month(2026, 10, BERLIN)
        assert boundary.period.intersection(october) == Period(
            dt.datetime(2026, 10, 31, 23, 40, tzinfo=CET), october.end
        )

    def test_one_window_announced_in_time_and_one_too_late(self) -> None:
        """The first window is announced 9 days ahead, the second 2 days 7 hours ahead."""
        in_time, too_late = read_observations(EXAMPLES).maintenance
        assert in_time.start - in_time.announced_at == dt.timedelta(days=9, hours=13)
        assert too_late.start - too_late.announced_at == dt.timedelta(days=2, hours=7)
        assert in_time.services == too_late.services == frozenset({"crm-service"})

    def test_measurements_of_latency_and_throughput(self) -> None:
        """Reads 'latency' rows as response times and throughput in requests per second."""
        found = read_observations(EXAMPLES).measurements
        metrics = {m.metric for m in found}
        assert metrics == {Metric.RESPONSE_TIME, Metric.THROUGHPUT}
        assert found[0].value == quantity("182 ms")
        assert found[9].value == quantity(Decimal("512.5"), "request/s")

    def test_services_exist_in_the_example_agreement(self) -> None:
        """Names only services the example agreement's SLAs cover."""
        seen = read_observations(EXAMPLES)
        named = {s for o in seen.outages for s in o.services}
        named |= {s for w in seen.maintenance for s in w.services}
        named |= {m.service for m in seen.measurements}
        named |= {s for e in seen.events for s in e.services}
        assert named == {"crm-service"}


class TestReading:
    """read_observations: what a well-formed directory gives."""

    def test_absent_files_mean_no_records(self, tmp_path: Path) -> None:
        """Reads a directory with none of the files as empty observations, which say so."""
        (tmp_path / "README.md").write_text("October's exports\n", encoding="utf-8")
        seen = read_observations(tmp_path)
        assert seen == Observations()
        assert seen.is_empty

    def test_files_of_other_kinds_are_left_alone(self, tmp_path: Path) -> None:
        """Reads past a README, a spreadsheet and a folder whose name ends in .csv."""
        (tmp_path / "README").write_text("notes\n", encoding="utf-8")
        (tmp_path / "outages.xlsx").write_bytes(b"PK")
        (tmp_path / "old.csv").mkdir()
        seen = read_observations(folder(tmp_path, outages=OUTAGES + f"crm,{A},{B},provider\n"))
        assert len(seen.outages) == 1
        assert not seen.is_empty

    def test_header_only_files_mean_no_records(self, tmp_path: Path) -> None:
        """Reads files with a header and no rows as no records."""
        assert (
            read_observations(
                folder(tmp_path, outages=OUTAGES, maintenance=WINDOWS, measurements=MEASURES)
            )
            == Observations()
        )

    def test_rows_without_an_id_are_never_merged(self, tmp_path: Path) -> None:
        """Reads two rows with the same times and cause as two outages of one service each."""
        text = OUTAGES + f"crm,{A},{B},provider\nmail,{A},{B},provider\n"
        seen = read_observations(folder(tmp_path, outages=text))
        assert [o.services for o in seen.outages] == [frozenset({"crm"}), frozenset({"mail"})]

    def test_rows_sharing_an_id_are_one_outage_of_their_services(self, tmp_path: Path) -> None:
        """Reads rows alike but for the service, with one id, as one outage where the first was."""
        text = OUTAGES.replace("\n", ",id\n") + (
            f"crm,{A},{B},provider,inc-1\n,{A},{B},customer,\nmail,{A},{B},provider,inc-1\n"
            f"erp,{A},{B},provider,inc-1\n"
        )
        shared, everywhere = read_observations(folder(tmp_path, outages=text)).outages
        assert shared == Outage(
            dt.datetime.fromisoformat(A),
            dt.datetime.fromisoformat(B),
            services={"crm", "mail", "erp"},
            id="inc-1",
        )
        assert (everywhere.services, everywhere.id) == (frozenset(), None)

    def test_empty_service_and_cause(self, tmp_path: Path) -> None:
        """An empty service is every service; an empty cause is the provider's."""
        (outage,) = read_observations(folder(tmp_path, outages=OUTAGES + f",{A},{B},\n")).outages
        assert (outage.services, outage.cause, outage.id) == (
            frozenset(),
            OutageCause.PROVIDER,
            None,
        )

    def test_columns_in_any_order_with_spaces_blank_lines_and_a_bom(self, tmp_path: Path) -> None:
        """Reads columns by name, trims cells, skips blank lines and a byte-order mark."""
        text = f"\ufeffcause , end,service,start,id\n\n customer,{B}, crm ,{A},t-1\n\n"
        (outage,) = read_observations(folder(tmp_path, outages=text)).outages
        assert outage == Outage(
            dt.datetime.fromisoformat(A),
            dt.datetime.fromisoformat(B),
            services={"crm"},
            cause=OutageCause.CUSTOMER,
            id="t-1",
        )

    def test_instants_keep_their_offsets(self, tmp_path: Path) -> None:
        """Reads Z as UTC and fractions of a second to the microsecond."""
        text = OUTAGES + "crm,2026-10-07T07:00:00Z,2026-10-07T07:00:00.25+00:00,provider\n"
        (outage,) = read_observations(folder(tmp_path, outages=text)).outages
        assert outage.start.tzinfo is dt.UTC
        assert outage.period.duration == dt.timedelta(milliseconds=250)

    def test_measurement_units_and_measure_names(self, tmp_path: Path) -> None:
        """Reads a measure name as its metric and the value in its unit."""
        text = MEASURES + f"crm,Time to Resolve,{A},2.5,h\ncrm,uptime,{A},99.95,%\n"
        resolve, uptime = read_observations(folder(tmp_path, measurements=text)).measurements
        assert (resolve.metric, resolve.value) == (
            Metric.INCIDENT_RESOLUTION_TIME,
            quantity("2.5 h"),
        )
        assert (uptime.metric, uptime.value) == (Metric.AVAILABILITY, quantity("99.95 %"))


class TestEvents:
    """events.csv: events of one service or every service, merged by id only."""

    def test_reads_events_of_a_service_and_of_every_service(self, tmp_path: Path) -> None:
        """Reads each row as an Event; an empty service is every service, an empty id none."""
        text = EVENTS + (
            f"crm,{A},capacity_threshold,Storage at 80 % of the plan,cap-1\n"
            f',{B},security_incident,"Keys rotated, access reviewed",\n'
        )
        capacity, security = read_observations(folder(tmp_path, events=text)).events
        assert capacity == Event(
            at=dt.datetime.fromisoformat(A),
            kind=EventKind.CAPACITY_THRESHOLD,
            services={"crm"},
            summary="Storage at 80 % of the plan",
            id="cap-1",
        )
        assert (security.services, security.summary, security.id) == (
            frozenset(),
            "Keys rotated, access reviewed",
            None,
        )
        assert security.kind.immediate
        assert not capacity.kind.immediate

    def test_the_id_column_is_optional(self, tmp_path: Path) -> None:
        """Reads a file of the four required columns."""
        text = f"summary,kind,at,service\nFailed over,continuity_invoked,{A},crm\n"
        (event,) = read_observations(folder(tmp_path, events=text)).events
        assert (event.kind, event.id) == (EventKind.CONTINUITY_INVOKED, None)

    def test_rows_sharing_an_id_are_one_event(self, tmp_path: Path) -> None:
        """Reads rows alike but for the service as one event of both services."""
        row = f"{A},continuity_invoked,Failed over,dr-1\n"
        text = EVENTS + f"crm,{row}mail,{row}crm,{A},continuity_invoked,Failed over,\n"
        shared, alone = read_observations(folder(tmp_path, events=text)).events
        assert (shared.services, shared.id) == (frozenset({"crm", "mail"}), "dr-1")
        assert (alone.services, alone.id) == (frozenset({"crm"}), None)

    def test_problems_at_their_cells(self, tmp_path: Path) -> None:
        """Refuses a kind with the close one suggested, a blank summary and a repeated id."""
        text = EVENTS + (
            f"crm,{A},security_incidnet,Keys leaked,\n"
            f"crm,{A},capacity_threshold, ,\n"
            f"crm x,2026-10-07,capacity_threshold,Disk,\n"
            f"crm,{A},capacity_threshold,Disk,e-1\n"
            f"mail,{B},capacity_threshold,Disk,e-1\n"
        )
        assert refusal(folder(tmp_path, events=text)) == [
            (
                "events.csv:2:kind",
                (
                    "one of security_incident, continuity_invoked, capacity_threshold"
                    " (did you mean security_incident?) (column 3)"
                ),
            ),
            ("events.csv:3:summary", "a non-empty string (column 4)"),
            (
                "events.csv:4:service",
                (
                    "an id of letters, digits and . _ : - (at most 64)"
                    " or empty for every service (column 1)"
                ),
            ),
            (
                "events.csv:4:at",
                "an RFC 3339 instant with an offset, such as 2026-10-07T09:12:00+02:00 (column 2)",
            ),
            (
                "events.csv:6:id",
                (
                    "an id of its own: line 5 has it for another event"
                    " (rows sharing an id have the same at, kind and summary) (column 5)"
                ),
            ),
        ]


class TestProblems:
    """read_observations: every problem of every file, at file:line:column."""

    @pytest.mark.parametrize(
        "instant",
        [
            "2026-10-07T09:00:00",  # no offset
            "2026-10-07",  # a date alone
            "2026-10-07 09:00:00+02:00",  # a space for T
            "2026-10-07T09:00+02:00",  # no seconds
            "2026-10-07T09:00:00+02:00[Europe/Berlin]",  # a zone name
            "2026-10-07T09:00:00.1234567+02:00",  # finer than microseconds
            "2026-13-07T09:00:00+02:00",  # no such month
        ],
    )
    def test_refuses_instants_that_are_not_rfc_3339_with_an_offset(
        self, tmp_path: Path, instant: str
    ) -> None:
        """Refuses the instant at its cell, naming the column's number."""
        text = OUTAGES + f"crm,{instant},{B},provider\n"
        ((path, expected),) = refusal(folder(tmp_path, outages=text))
        assert path == "outages.csv:2:start"
        assert expected.startswith("an RFC 3339 instant with an offset")
        assert expected.endswith("(column 2)")

    def test_model_rules_land_on_their_column(self, tmp_path: Path) -> None:
        """An end before the start is at end; an announcement after the start at announced_at."""
        directory = folder(
            tmp_path,
            outages=OUTAGES + f"crm,{B},{A},provider\n",
            maintenance=WINDOWS + f"crm,{A},{B},{B}\n",
        )
        assert refusal(directory) == [
            ("outages.csv:2:end", f"an instant after the start ({B}) (column 3)"),
            (
                "maintenance.csv:2:announced_at",
                f"an instant no later than the start ({A}) (column 4)",
            ),
        ]

    def test_bad_cells_of_every_file_are_all_reported(self, tmp_path: Path) -> None:
        """Collects every problem of every file before reporting any."""
        directory = folder(
            tmp_path,
            outages=OUTAGES + f"crm,{A},{B},provider\ncrm x,{A},{B},weather\n",
            maintenance=WINDOWS + f",{A},{B},{A}\n",
            measurements=MEASURES
            + f"crm,latncy,{A},12,ms\ncrm,latency,{A},twelve,wibble\ncrm,latency,{A},5,GB\n",
        )
        assert paths(directory) == [
            "outages.csv:3:service",
            "outages.csv:3:cause",
            "maintenance.csv:2:service",
            "measurements.csv:2:metric",
            "measurements.csv:3:value",
            "measurements.csv:3:unit",
            "measurements.csv:4:unit",
        ]

    def test_messages_say_what_was_expected(self, tmp_path: Path) -> None:
        """Suggests close metric names and states what a value of the metric must be."""
        text = MEASURES + f"crm,latncy,{A},12,ms\ncrm,latency,{A},5,GB\n"
        assert refusal(folder(tmp_path, measurements=text)) == [
            (
                "measurements.csv:2:metric",
                "a metric or measure name such as latency (did you mean latency?) (column 2)",
            ),
            (
                "measurements.csv:3:unit",
                "a unit for response time, as in a time quantity such as '4 h' (column 5)",
            ),
        ]

    def test_a_unit_of_another_dimension_is_the_unit_cells_fault(self, tmp_path: Path) -> None:
        """Reports a unit the metric does not measure in at the unit column, not the value."""
        text = MEASURES + f"crm,throughput,{A},500,ms\ncrm,uptime,{A},99.9,request/s\n"
        problems = refusal(folder(tmp_path, measurements=text))
        assert [path for path, _ in problems] == [
            "measurements.csv:2:unit",
            "measurements.csv:3:unit",
        ]
        assert all(expected.endswith("(column 5)") for _, expected in problems)

    def test_a_negative_value_is_the_value_cells_fault(self, tmp_path: Path) -> None:
        """Reports a value below zero in the right unit at the value column."""
        text = MEASURES + f"crm,latency,{A},-5,ms\n"
        assert refusal(folder(tmp_path, measurements=text)) == [
            ("measurements.csv:2:value", "a quantity not below zero (column 4)")
        ]

    def test_an_id_repeated_for_another_outage(self, tmp_path: Path) -> None:
        """Refuses a repeated id unless the rows differ in their service alone, naming line 2."""
        later = "2026-10-07T11:00:00+02:00"
        text = OUTAGES.replace("\n", ",id\n") + (
            f"crm,{A},{B},provider,a\n"  # line 2
            f"mail,{A},{later},provider,a\n"  # another end
            f"mail,{A},{B},customer,a\n"  # another cause
            f"erp,2026-10-07T07:00:00Z,{B},provider,a\n"  # the same start at another offset
            f"crm,{A},{B},provider,a\n"  # crm again
            f",{A},{B},provider,a\n"  # every service
            f"mail,{A},{B},provider,a\n"  # fine: mail joins line 2's outage
        )
        problems = refusal(folder(tmp_path, outages=text))
        assert [path for path, _ in problems] == [f"outages.csv:{n}:id" for n in (3, 4, 5, 6, 7)]
        assert all(
            expected.startswith("an id of its own: line 2 has it") and "(column 5)" in expected
            for _, expected in problems
        )
        assert "same start, end and cause" in problems[0][1]
        assert "the same outage of the same service" in problems[3][1]
        assert "every service" in problems[4][1]

    def test_an_outage_of_every_service_keeps_its_id_alone(self, tmp_path: Path) -> None:
        """Refuses a named service joining an id first given to an outage of every service."""
        text = OUTAGES.replace("\n", ",id\n") + f",{A},{B},provider,a\ncrm,{A},{B},provider,a\n"
        assert paths(folder(tmp_path, outages=text)) == ["outages.csv:3:id"]

    def test_a_row_of_the_wrong_width(self, tmp_path: Path) -> None:
        """Refuses a row with too few or too many cells, at its line."""
        text = OUTAGES + f"crm,{A},{B}\ncrm,{A},{B},provider,extra\n"
        assert refusal(folder(tmp_path, outages=text)) == [
            ("outages.csv:2", "4 cells, as the header has"),
            ("outages.csv:3", "4 cells, as the header has"),
        ]

    def test_lines_count_the_header_and_blank_lines(self, tmp_path: Path) -> None:
        """Numbers lines as an editor does: the header is 1, blank lines count."""
        text = OUTAGES + f"\ncrm,{A},{B},provider\n\ncrm,{A},{B},nope\n"
        assert paths(folder(tmp_path, outages=text)) == ["outages.csv:5:cause"]

    def test_header_problems(self, tmp_path: Path) -> None:
        """Refuses an unknown, a repeated and a missing column."""
        directory = folder(
            tmp_path,
            outages="service,start,end,cause,duration\n",
            maintenance="service,start,start,end,announced_at\n",
            measurements="service,metric,at,value\n",
        )
        assert refusal(directory) == [
            ("outages.csv:1:duration", "a column of service, start, end, cause, id (column 5)"),
            ("maintenance.csv:1:start", "each column once (column 3)"),
            ("measurements.csv:1", "a column named 'unit'"),
        ]

    def test_an_empty_file_lacks_its_header(self, tmp_path: Path) -> None:
        """Refuses a file with no header line."""
        assert refusal(folder(tmp_path, outages="")) == [
            ("outages.csv:1", "a header line: service,start,end,cause")
        ]

    def test_malformed_csv_and_bytes(self, tmp_path: Path) -> None:
        """Refuses a quote left open and bytes that are not UTF-8, naming the file."""
        folder(tmp_path, outages=OUTAGES + 'crm,"2026\n')
        (tmp_path / "maintenance.csv").write_bytes(b"service,start\xff\n")
        assert refusal(tmp_path) == [
            ("outages.csv:2", "well-formed CSV"),
            ("maintenance.csv", "UTF-8 text"),
        ]

    def test_refuses_a_csv_file_of_another_name(self, tmp_path: Path) -> None:
        """Refuses outage.csv (and any unknown .csv) at its name, suggesting the close names."""
        (tmp_path / "outage.csv").write_text(OUTAGES + f"crm,{A},{B},provider\n")
        (tmp_path / "MEASUREMENTS.CSV").write_text(MEASURES)
        (tmp_path / "sales.csv").write_text("a,b\n")
        (tmp_path / "README.md").write_text("notes\n")
        problems = refusal(folder(tmp_path, maintenance=WINDOWS + f"crm,{A},{B},{B}\n"))
        assert [path for path, _ in problems] == [
            "MEASUREMENTS.CSV",
            "outage.csv",
            "sales.csv",
            "maintenance.csv:2:announced_at",
        ]
        assert problems[0][1].endswith("(did you mean measurements.csv?)")
        assert problems[1][1].endswith("(did you mean outages.csv?)")
        assert "did you mean" not in problems[2][1]

    def test_refuses_what_is_not_a_directory(self, tmp_path: Path) -> None:
        """Refuses a missing directory or a file, at $.directory."""
        assert refusal(tmp_path / "nowhere") == [("$.directory", "a directory")]
        file = folder(tmp_path, outages=OUTAGES) / "outages.csv"
        assert refusal(file) == [("$.directory", "a directory")]

    def test_nothing_is_returned_from_a_half_read_directory(self, tmp_path: Path) -> None:
        """A single bad row anywhere refuses the whole directory."""
        good = OUTAGES + "".join(f"crm,{A},{B},provider\n" for _ in range(50))
        directory = folder(tmp_path, outages=good, measurements=MEASURES + f"crm,latency,{A},1,\n")
        assert paths(directory) == ["measurements.csv:2:unit"]


def _fixed_offsets() -> st.SearchStrategy[dt.tzinfo]:
    minutes = st.integers(-23 * 60 - 59, 23 * 60 + 59)
    return st.one_of(st.just(dt.UTC), minutes.map(lambda m: dt.timezone(dt.timedelta(minutes=m))))


_INSTANTS = aware_datetimes(
    min_value=dt.datetime(1950, 1, 1),
    max_value=dt.datetime(2050, 1, 1),
    timezones=_fixed_offsets(),
    edges=False,
)


@st.composite
def _one_service_windows(draw: st.DrawFn) -> MaintenanceWindow:
    window = draw(maintenance_windows(services=["crm", "mail"]))
    start = draw(_INSTANTS)
    return MaintenanceWindow(
        start=start,
        end=start + window.period.duration,
        services={min(window.services)},
        announced_at=start - dt.timedelta(hours=1),
    )


_CSV_OBSERVATIONS = st.builds(
    Observations,
    outages=st.lists(
        outages(services=["crm", "mail", "erp"], starts=_INSTANTS).filter(
            lambda o: o.id is not None or len(o.services) <= 1
        ),
        max_size=4,
        unique_by=lambda o: o.id or o,
    ),
    maintenance=st.lists(_one_service_windows(), max_size=3),
    measurements=st.lists(
        measurements(services=["crm", "mail"]).map(
            lambda m: Measurement(
                at=m.at.astimezone(dt.UTC), metric=m.metric, value=m.value, service=m.service
            )
        ),
        max_size=4,
    ),
    events=st.lists(
        events(
            services=["crm", "mail", "erp"],
            instants=_INSTANTS,
        ).filter(
            lambda e: (e.id is not None or len(e.services) <= 1) and e.summary.strip() == e.summary
        ),
        max_size=3,
        unique_by=lambda e: e.id or e,
    ),
)


class TestWriting:
    """write_observations: the files read_observations reads back."""

    @settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
    @given(_CSV_OBSERVATIONS)
    def test_round_trip(self, seen: Observations) -> None:
        """Reads back equal what it wrote: fixed offsets, records of several services with ids."""
        with tempfile.TemporaryDirectory() as directory:
            write_observations(seen, directory)
            assert read_observations(directory) == seen

    def test_the_example_files_round_trip(self, tmp_path: Path) -> None:
        """Writes the example directory back to the same observations."""
        seen = read_observations(EXAMPLES)
        write_observations(seen, tmp_path)
        assert read_observations(tmp_path) == seen
        assert (tmp_path / "maintenance.csv").read_text() == (
            EXAMPLES / "maintenance.csv"
        ).read_text()

    def test_a_record_of_several_services_becomes_one_row_each(self, tmp_path: Path) -> None:
        """Splits an outage of two services into two rows, and leaves out the id column."""
        start = dt.datetime(2026, 10, 7, 9, tzinfo=BERLIN)
        outage = Outage(start, start + dt.timedelta(hours=1), services={"mail", "crm"})
        write_observations(Observations(outages=[outage]), tmp_path)
        assert (tmp_path / "outages.csv").read_text() == (
            OUTAGES
            + "crm,2026-10-07T09:00:00+02:00,2026-10-07T10:00:00+02:00,provider\n"
            + "mail,2026-10-07T09:00:00+02:00,2026-10-07T10:00:00+02:00,provider\n"
        )
        back = read_observations(tmp_path).outages
        assert [o.services for o in back] == [frozenset({"crm"}), frozenset({"mail"})]
        assert {o.period.duration for o in back} == {dt.timedelta(hours=1)}

    def test_an_outage_of_several_services_with_an_id_reads_back_as_itself(
        self, tmp_path: Path
    ) -> None:
        """Writes one row per service with the id, and reads them back as the one outage."""
        start = dt.datetime(2026, 10, 7, 9, tzinfo=CEST)
        outage = Outage(start, start + dt.timedelta(hours=1), services={"a", "b"}, id="inc-7")
        other = Outage(start, start + dt.timedelta(hours=2), services={"a"}, id="inc-8")
        seen = Observations(outages=[outage, other])
        write_observations(seen, tmp_path)
        assert (tmp_path / "outages.csv").read_text().splitlines()[1:] == [
            "a,2026-10-07T09:00:00+02:00,2026-10-07T10:00:00+02:00,provider,inc-7",
            "b,2026-10-07T09:00:00+02:00,2026-10-07T10:00:00+02:00,provider,inc-7",
            "a,2026-10-07T09:00:00+02:00,2026-10-07T11:00:00+02:00,provider,inc-8",
        ]
        assert read_observations(tmp_path) == seen

    def test_refuses_two_outages_sharing_an_id(self, tmp_path: Path) -> None:
        """Refuses at the later outage's id, naming the first, and writes nothing."""
        start = dt.datetime(2026, 10, 7, 9, tzinfo=CEST)
        first = Outage(start, start + dt.timedelta(hours=1), services={"a"}, id="x")
        second = Outage(start, start + dt.timedelta(hours=1), services={"b"}, id="x")
        with pytest.raises(ValidationError) as error:
            write_observations(Observations(outages=[first, second]), tmp_path)
        assert [(p.path, p.expected) for p in error.value.problems] == [
            ("$.outages[1].id", "an id no other record of outages has (outages[0] has it)")
        ]
        assert list(tmp_path.iterdir()) == []

    def test_writes_every_file_with_its_header(self, tmp_path: Path) -> None:
        """Writes all three files, a header alone where there are no records."""
        write_observations(Observations(), tmp_path / "new")
        assert {p.name: p.read_text() for p in (tmp_path / "new").iterdir()} == {
            name: ",".join(columns) + "\n" for name, columns in CSV_COLUMNS.items()
        }

    def test_offsets_with_seconds_are_written_in_utc(self, tmp_path: Path) -> None:
        """Writes an instant whose offset has seconds (Amsterdam, 1930) in UTC."""
        amsterdam = timezone("Europe/Amsterdam")
        start = dt.datetime(1930, 6, 1, 12, tzinfo=amsterdam)
        write_observations(
            Observations(outages=[Outage(start, start + dt.timedelta(hours=1))]), tmp_path
        )
        (outage,) = read_observations(tmp_path).outages
        assert outage.start == start.astimezone(dt.UTC)

    def test_refuses_records_csv_does_not_keep(self, tmp_path: Path) -> None:
        """Refuses series and incidents, each at its field, and writes nothing."""
        start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
        opened = Incident(
            id="inc-1",
            agreement_id="csa-1",
            priority="P1",
            summary="The CRM does not answer",
            services={"crm"},
            customers={"acme"},
            opened_at=start,
        )
        seen = Observations(
            series=[SampleSeries("crm", "availability", start, [1])],
            incidents=[opened],
            events=[Event(at=start, kind=EventKind.SECURITY_INCIDENT, summary="x")],
        )
        with pytest.raises(ValidationError) as error:
            write_observations(seen, tmp_path)
        assert [p.path for p in error.value.problems] == ["$.series", "$.incidents"]
        assert list(tmp_path.iterdir()) == []

    def test_writes_events_one_row_a_service_with_the_id(self, tmp_path: Path) -> None:
        """Writes events.csv, an event of two services as two rows, and reads it back."""
        at = dt.datetime(2026, 10, 12, 3, tzinfo=dt.UTC)
        failover = Event(
            at=at,
            kind=EventKind.CONTINUITY_INVOKED,
            services={"mail", "crm"},
            summary='Failed over to "DC2", then\r\nback',
            id="dr-1",
        )
        everywhere = Event(at=at, kind=EventKind.CAPACITY_THRESHOLD, summary="Disk at 80 %")
        seen = Observations(events=[failover, everywhere])
        write_observations(seen, tmp_path)
        assert (tmp_path / "events.csv").read_bytes() == (
            b"service,at,kind,summary,id\n"
            b'"crm","2026-10-12T03:00:00Z","continuity_invoked","Failed over to ""DC2"", then\r\n'
            b'back","dr-1"\n'
            b'"mail","2026-10-12T03:00:00Z","continuity_invoked","Failed over to ""DC2"", then\r\n'
            b'back","dr-1"\n'
            b",2026-10-12T03:00:00Z,capacity_threshold,Disk at 80 %,\n"
        )
        assert read_observations(tmp_path) == seen

    def test_refuses_two_events_sharing_an_id(self, tmp_path: Path) -> None:
        """Refuses at the later event's id, and writes nothing."""
        at = dt.datetime(2026, 10, 12, 3, tzinfo=dt.UTC)
        first, second = (
            Event(at=at, kind=EventKind.CAPACITY_THRESHOLD, summary=text, id="e")
            for text in ("Disk at 80 %", "Disk at 90 %")
        )
        with pytest.raises(ValidationError) as error:
            write_observations(Observations(events=[first, second]), tmp_path)
        assert [p.path for p in error.value.problems] == ["$.events[1].id"]
        assert list(tmp_path.iterdir()) == []
