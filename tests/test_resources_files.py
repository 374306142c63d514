"""Allocations and usage kept as CSV files (S11; ISO/IEC 20000-1:2011 6.4, 6.5)."""

from __future__ import annotations

import datetime as dt
import pathlib
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudsms import agreements
from cloudsms.errors import ValidationError
from cloudsms.periods import Period
from cloudsms.resources import (
    ALLOCATION_COLUMNS,
    Allocation,
    FocusServiceCategory,
    MeteringKind,
    ResourcePool,
    ResourceType,
    Usage,
    read_allocations,
    read_usage,
    reclaim_candidates,
    utilisation,
    write_allocations,
    write_usage,
)
from cloudsms.serialization import from_json
from cloudsms.testing._resources import allocations, usages
from cloudsms.testing._strategies import aware_datetimes
from cloudsms.units import quantity

from conftest import examples

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples" / "data" / "resources"
HEADER = "customer,agreement,service,resource_type,quantity,unit,from,until"
USAGE_HEADER = "customer,agreement,service,resource_type,quantity,unit,start,end"
OCT1 = dt.datetime(2026, 10, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))
SLOW = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# Instants a CSV file keeps exactly: fixed offsets of whole minutes.
FIXED = aware_datetimes(
    min_value=dt.datetime(1950, 1, 1),
    max_value=dt.datetime(2050, 1, 1),
    timezones=st.sampled_from(
        [
            dt.UTC,
            dt.timezone(dt.timedelta(hours=2)),
            dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
        ]
    ),
    edges=False,
)
# Text a CSV cell keeps exactly: no spaces at either end (cells are trimmed).
CELL_TEXT = st.text(min_size=1, max_size=12).filter(lambda t: t == t.strip() and t)


def write(text: str, name: str = "allocations.csv") -> pathlib.Path:
    """``text`` written to a new file called ``name``."""
    path = pathlib.Path(tempfile.mkdtemp()) / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    """(path, expected) of each problem of a raised ValidationError."""
    return [(p.path, p.expected) for p in error.value.problems]


def row(**cells: str) -> str:
    """A row of the allocations file: acme's 4 vcpu from October 1st, changed by ``cells``."""
    values = {
        "customer": "acme",
        "agreement": "agr-1",
        "service": "vm",
        "resource_type": "vcpu",
        "quantity": "4",
        "unit": "vcpu",
        "from": "2026-10-01T00:00:00+02:00",
        "until": "",
    }
    values.update(cells)
    return ",".join(values[c] for c in ALLOCATION_COLUMNS)


class TestReadAllocations:
    """read_allocations: every row an Allocation, every problem at file:line:column."""

    def test_reads_the_example(self) -> None:
        """Reads the example file, its resize on the 17th at noon included."""
        held = read_allocations(EXAMPLES / "allocations.csv")
        assert len(held) == 6
        assert held[0] == Allocation(
            "globex",
            "csa-2026-011",
            "iaas-compute",
            "vcpu",
            quantity("4 vcpu"),
            OCT1,
            resource_id="vm-web-1",
            cost_centre="CC-100",
            location="eu-central",
        )
        assert (
            held[2].until
            == held[3].since
            == dt.datetime.fromisoformat("2026-10-17T12:00:00+02:00")
        )

    def test_the_examples_work_together(self) -> None:
        """Reads the example allocations, usage and pool into utilisation, capacity, reclaiming."""
        held = read_allocations(EXAMPLES / "allocations.csv")
        used = read_usage(EXAMPLES / "usage.csv")
        pool = from_json(ResourcePool, (EXAMPLES / "pool.json").read_text(encoding="utf-8"))
        october = Period.month(2026, 10, "Europe/Berlin")
        figures = {f.resource_type: f for f in utilisation(held, used, october)}
        assert figures["vcpu"].allocated == quantity(
            f"{4 * 745 + 2 * (16 * 24 + 12) + 8 * (14 * 24 + 12 + 1)} vcpu*hour"
        )
        assert pool.free(held, "vcpu", october.start) == quantity("500 vcpu")
        idle = reclaim_candidates(held, used, unused_for=30, as_of=october.end)
        assert [c.allocation.resource_id for c in idle] == ["ip-web-1", "vol-archive-1"]

    def test_columns_in_any_order_blank_lines_and_a_byte_order_mark(self) -> None:
        """Reads columns in any order, skips blank lines, and takes a UTF-8 byte-order mark."""
        path = write(
            "\ufeffunit,quantity,customer,agreement,service,resource_type,until,from\n"
            "\n"
            " vcpu , 4 ,acme,agr-1,vm,vcpu,,2026-10-01T00:00:00+02:00\n"
        )
        assert read_allocations(path) == (
            Allocation("acme", "agr-1", "vm", "vcpu", quantity("4 vcpu"), OCT1),
        )

    def test_a_row_of_separators_only_is_a_row_not_a_blank_line(self) -> None:
        """A line of commas alone is read as a row, so its empty cells are reported."""
        path = write(f"{HEADER}\n{row()}\n{',' * (len(ALLOCATION_COLUMNS) - 1)}\n")
        with pytest.raises(ValidationError) as error:
            read_allocations(path)
        paths = [path for path, _ in problems_of(error)]
        assert "allocations.csv:3:customer" in paths
        assert "allocations.csv:3:quantity" in paths

    def test_an_empty_optional_cell_is_no_value(self) -> None:
        """Reads empty optional cells as no resource id, cost centre or location."""
        path = write(
            f"{HEADER},resource_id,cost_centre,location\n{row()},,,\n{row()},vm-1,CC 7,eu\n"
        )
        first, second = read_allocations(path)
        assert (first.resource_id, first.cost_centre, first.location) == (None, None, None)
        assert (second.resource_id, second.cost_centre, second.location) == ("vm-1", "CC 7", "eu")

    def test_every_problem_at_its_cell(self) -> None:
        """Reports every bad cell of every row at file:line:column, with the column's number."""
        path = write(
            "\n".join(
                [
                    HEADER,
                    row(resource_type="vpcu"),
                    row(unit="GiB"),
                    row(quantity="0"),
                    row(quantity="four"),
                    row(**{"from": "2026-10-01"}),
                    row(until="2026-09-30T00:00:00+02:00"),
                    row(customer="acme corp"),
                    row(unit="nope"),
                    row() + ",extra",
                ]
            )
            + "\n"
        )
        with pytest.raises(ValidationError) as info:
            read_allocations(path)
        assert problems_of(info) == [
            (
                "allocations.csv:2:resource_type",
                (
                    "a resource type of vcpu, instance, memory, storage, ip_address, licence,"
                    " seat, bandwidth, requests, data_transfer (did you mean vcpu?) (column 4)"
                ),
            ),
            ("allocations.csv:3:unit", "a unit of vcpu (convertible to vcpu) (column 6)"),
            ("allocations.csv:4:quantity", "a decimal number above zero (column 5)"),
            (
                "allocations.csv:5:quantity",
                "a decimal number above zero, such as 4 or 0.5 (column 5)",
            ),
            (
                "allocations.csv:6:from",
                "an RFC 3339 instant with an offset, such as 2026-10-01T00:00:00+02:00 (column 7)",
            ),
            (
                "allocations.csv:7:until",
                (
                    "an instant after from (2026-10-01T00:00:00+02:00), or empty while held"
                    " (column 8)"
                ),
            ),
            (
                "allocations.csv:8:customer",
                "an id of letters, digits and . _ : - (at most 64) (column 1)",
            ),
            ("allocations.csv:9:unit", "a unit the registry knows (column 6)"),
            ("allocations.csv:10", "8 cells, as the header has"),
        ]
        assert str(info.value).startswith("Allocations file is invalid (9 problems):")

    def test_instants_and_magnitudes_out_of_bounds(self) -> None:
        """Refuses a date that does not exist, an instant out of range, a magnitude too large."""
        path = write(
            "\n".join(
                [
                    HEADER,
                    row(**{"from": "2026-13-01T00:00:00Z"}),
                    row(**{"from": "1850-01-01T00:00:00Z"}),
                    row(quantity="1e40"),
                    row(resource_type=""),
                ]
            )
            + "\n"
        )
        with pytest.raises(ValidationError) as info:
            read_allocations(path)
        assert [p for p, _ in problems_of(info)] == [
            "allocations.csv:2:from",
            "allocations.csv:3:from",
            "allocations.csv:4:quantity",
            "allocations.csv:5:resource_type",
        ]
        assert problems_of(info)[0][1].endswith("(a real date and time) (column 7)")

    def test_nothing_from_a_half_read_file(self) -> None:
        """Returns nothing when any row is bad, however many are good."""
        path = write("\n".join([HEADER, row(), row(), row(quantity="-4")]) + "\n")
        with pytest.raises(ValidationError) as info:
            read_allocations(path)
        assert [p for p, _ in problems_of(info)] == ["allocations.csv:4:quantity"]

    def test_header_problems(self) -> None:
        """Names a missing, an unknown and a repeated column, and reads no row without them."""
        path = write(
            "customer,agreement,service,resource_type,quantity,unit,form,unit\n" + row() + "\n"
        )
        with pytest.raises(ValidationError) as info:
            read_allocations(path)
        assert problems_of(info) == [
            (
                "allocations.csv:1:form",
                (
                    "a column of customer, agreement, service, resource_type, quantity, unit,"
                    " from, until, resource_id, cost_centre, location (column 7; did you mean"
                    " from?)"
                ),
            ),
            ("allocations.csv:1:unit", "each column once (column 8)"),
            ("allocations.csv:1", "a column named 'from'"),
            ("allocations.csv:1", "a column named 'until'"),
        ]

    def test_an_empty_file(self) -> None:
        """Refuses a file without even a header."""
        with pytest.raises(ValidationError) as info:
            read_allocations(write(""))
        assert problems_of(info) == [("allocations.csv:1", f"a header line: {HEADER}")]

    def test_malformed_csv(self) -> None:
        """Refuses a quote left open, at its line."""
        with pytest.raises(ValidationError) as info:
            read_allocations(write(f'{HEADER}\nacme,"agr-1\n'))
        assert problems_of(info)[0][0].startswith("allocations.csv:")
        assert problems_of(info)[0][1] == "well-formed CSV"

    def test_unreadable_files(self) -> None:
        """Refuses a file that is not UTF-8, and one that is not there, by its name."""
        path = pathlib.Path(tempfile.mkdtemp()) / "allocations.csv"
        path.write_bytes(HEADER.encode() + b"\n\xff\n")
        with pytest.raises(ValidationError) as info:
            read_allocations(path)
        assert problems_of(info) == [("allocations.csv", "UTF-8 text")]
        with pytest.raises(ValidationError) as info:
            read_allocations(path.with_name("missing.csv"))
        assert problems_of(info) == [("missing.csv", "a readable file")]

    def test_a_table_of_ones_own(self) -> None:
        """Looks resource types up in the table given."""
        gpu = ResourceType(
            id="gpu",
            name="GPUs",
            unit="instance",
            kind=MeteringKind.ALLOCATED,
            focus_category=FocusServiceCategory.AI_AND_MACHINE_LEARNING,
            limited_by=agreements.ResourceType.INSTANCES,
        )
        path = write(f"{HEADER}\n{row(resource_type='gpu', unit='instance')}\n")
        (held,) = read_allocations(path, types=[gpu])
        assert held.quantity == quantity("4 instance")
        with pytest.raises(ValidationError):
            read_allocations(path)


class TestReadUsage:
    """read_usage: every row a Usage, in the unit its type is used in."""

    def test_reads_the_example(self) -> None:
        """Reads the example file: requests, data transferred, vcpu and memory use."""
        used = read_usage(EXAMPLES / "usage.csv")
        assert [u.quantity for u in used[:2]] == [quantity("1200000 request"), quantity("350 GiB")]
        assert used[-1].quantity == quantity("0 TB*hour")

    def test_a_calendar_unit_is_refused_at_the_unit(self) -> None:
        """vcpu*month is of the right dimension, but a month has no fixed length: the unit cell."""
        monthly = "acme,agr-1,vm,vcpu,1,vcpu*month,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z"
        with pytest.raises(ValidationError) as info:
            read_usage(write(f"{USAGE_HEADER}\n{monthly}\n", "usage.csv"))
        assert problems_of(info) == [
            (
                "usage.csv:2:unit",
                (
                    "a unit without calendar units (months and years have no fixed length)"
                    " (column 6)"
                ),
            )
        ]

    def test_units_by_metering_kind(self) -> None:
        """Wants a metered type in its unit and an allocated one in its unit times time."""
        good = "acme,agr-1,vm,vcpu,2.5,vcpu*min,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z"
        held = "acme,agr-1,vm,vcpu,2.5,vcpu,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z"
        counted = "acme,agr-1,vm,requests,5,request*hour,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z"
        negative = "acme,agr-1,vm,requests,-5,request,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z"
        backwards = "acme,agr-1,vm,requests,5,request,2026-10-02T00:00:00Z,2026-10-01T00:00:00Z"
        path = write(
            f"{USAGE_HEADER}\n{good}\n{held}\n{counted}\n{negative}\n{backwards}\n",
            "usage.csv",
        )
        with pytest.raises(ValidationError) as info:
            read_usage(path)
        assert problems_of(info) == [
            (
                "usage.csv:3:unit",
                (
                    "a unit of the use of vcpu held, such as vcpu*hour (convertible to vcpu*hour)"
                    " (column 6)"
                ),
            ),
            ("usage.csv:4:unit", "a unit of requests (convertible to request) (column 6)"),
            ("usage.csv:5:quantity", "a decimal number not below zero (column 5)"),
            (
                "usage.csv:6:end",
                "an instant after the start (2026-10-02T00:00:00+00:00) (column 8)",
            ),
        ]
        (first,) = read_usage(write(f"{USAGE_HEADER}\n{good}\n", "usage.csv"))
        assert first == Usage(
            "acme",
            "agr-1",
            "vm",
            "vcpu",
            quantity("2.5 vcpu*min"),
            dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 2, tzinfo=dt.UTC),
        )


class TestWrite:
    """write_allocations and write_usage: what the readers read back."""

    def test_optional_columns_only_when_used(self) -> None:
        """Writes an optional column only when some value has it."""
        path = pathlib.Path(tempfile.mkdtemp()) / "allocations.csv"
        held = Allocation("acme", "agr-1", "vm", "vcpu", quantity("4 vcpu"), OCT1, cost_centre="C")
        write_allocations(path, [held])
        assert path.read_text(encoding="utf-8") == (
            f"{HEADER},cost_centre\nacme,agr-1,vm,vcpu,4,vcpu,2026-10-01T00:00:00+02:00,,C\n"
        )

    def test_instants_with_seconds_in_their_offset(self) -> None:
        """Writes an instant whose offset has seconds in UTC, which RFC 3339 can say."""
        odd = dt.timezone(dt.timedelta(minutes=53, seconds=28))
        path = pathlib.Path(tempfile.mkdtemp()) / "allocations.csv"
        since = dt.datetime(2026, 10, 1, 0, 53, 28, tzinfo=odd)
        write_allocations(path, [Allocation("a", "b", "c", "vcpu", quantity("1 vcpu"), since)])
        assert "2026-10-01T00:00:00Z" in path.read_text(encoding="utf-8")

    def test_refuses_what_is_not_a_record(self) -> None:
        """Refuses an item of another kind at its index, writing nothing."""
        path = pathlib.Path(tempfile.mkdtemp()) / "usage.csv"
        with pytest.raises(ValidationError) as info:
            write_usage(path, ["x"])  # type: ignore[list-item]
        assert problems_of(info) == [("$.usage[0]", "a Usage")]
        assert not path.exists()
        with pytest.raises(ValidationError) as info:
            write_allocations(path.with_name("allocations.csv"), [5])  # type: ignore[list-item]
        assert problems_of(info) == [("$.allocations[0]", "an Allocation")]

    @SLOW
    @given(st.lists(allocations(instants=FIXED, texts=CELL_TEXT), max_size=5))
    def test_allocations_round_trip(self, held: list[Allocation]) -> None:
        """Reads back the allocations written."""
        path = pathlib.Path(tempfile.mkdtemp()) / "allocations.csv"
        write_allocations(path, held)
        assert read_allocations(path) == tuple(held)

    @SLOW
    @given(st.lists(usages(instants=FIXED, texts=CELL_TEXT), max_size=5))
    def test_usage_round_trips(self, used: list[Usage]) -> None:
        """Reads back the usage written."""
        path = pathlib.Path(tempfile.mkdtemp()) / "usage.csv"
        write_usage(path, used)
        assert read_usage(path) == tuple(used)
