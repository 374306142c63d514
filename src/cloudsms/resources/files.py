"""Allocations and usage kept as CSV files (S11).

A provisioning system, a billing export or a spreadsheet hands cloudsms what
customers held and used as two CSV files, the first line of each naming its
columns (in any order):

- allocations, columns ``customer,agreement,service,resource_type,quantity,unit,from,until``
  and optionally ``resource_id``, ``cost_centre`` and ``location``: each row an
  `Allocation`, ``from`` its ``since``, an empty ``until`` while it is held;
- usage, columns ``customer,agreement,service,resource_type,quantity,unit,start,end``
  and optionally ``resource_id`` and ``cost_centre``: each row a `Usage`.

``quantity`` is a decimal number and ``unit`` its unit; ``resource_type`` an id of
the type table (the built-in one, or the ``types=`` given). An allocation's
quantity is above zero and in a unit of its type's dimension (``4`` ``vcpu``,
``512`` ``MiB`` of memory); a usage's is zero or more, in the type's unit for a
metered type (``1200000`` ``request``) and in the type's unit times time for an
allocated one (``120`` ``vcpu*hour`` used). Instants are RFC 3339 with an offset
(``2026-10-01T00:00:00+02:00`` or ``...Z``), seconds included, at most six
decimals; a zone name, a missing offset or a date alone is refused. Cells are
trimmed of surrounding spaces; an empty optional cell is no value; blank lines
are skipped. Files are UTF-8 (a byte-order mark is allowed).

Reading collects every problem of the file before it reports any: a bad cell is
named by file, line (the header is line 1) and column name, such as
``allocations.csv:4:from``, with the column's number in the message; a problem of
a whole row (a wrong number of cells) by file and line; a header with a missing,
unknown or repeated column is a problem too. Nothing is returned when anything is
wrong: no cost is ever computed from a half-read file.

Writing and reading back gives equal values (``read_allocations(p) ==
allocations`` after ``write_allocations(p, allocations)``, and the same for usage)
when every instant has a fixed offset of whole minutes (a zone name is not
written, so an instant in ``Europe/Berlin`` reads back with its offset, an unequal
value; an offset with seconds is written in UTC) and no text cell has spaces at
either end (cells are trimmed when read). An optional column is written only when
some value has it.

The example files are ``examples/data/resources/allocations.csv`` and
``examples/data/resources/usage.csv``.

Serves S11 (resource allocations and consumption brought in from the provider's
tools) and ISO/IEC 20000-1:2011 6.4 (the records costs are computed from) and 6.5.

The row machinery (cells located by file, line and column; RFC 3339 instants; the
header's checks; the CSV text written) is the one `cloudsms.monitoring.files` reads
observations with.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import id_problems, instance_problems
from cloudsms._kit.csv_files import (
    CsvRow,
    csv_text,
    decimal_cell,
    file_text,
    instant_text,
    read_rows,
)
from cloudsms.errors import ValidationError, describe
from cloudsms.resources.types import (
    Allocation,
    MeteringKind,
    ResourceType,
    Usage,
    _table,
)
from cloudsms.units import (
    Quantity,
    calendar_units,
    format_quantity,
    quantity,
    same_dimension,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "ALLOCATION_COLUMNS",
    "OPTIONAL_ALLOCATION_COLUMNS",
    "OPTIONAL_USAGE_COLUMNS",
    "USAGE_COLUMNS",
    "read_allocations",
    "read_usage",
    "write_allocations",
    "write_usage",
]

ALLOCATION_COLUMNS: tuple[str, ...] = (
    "customer",
    "agreement",
    "service",
    "resource_type",
    "quantity",
    "unit",
    "from",
    "until",
)
"""The required columns of an allocations file, in the order `write_allocations` writes them."""

OPTIONAL_ALLOCATION_COLUMNS: tuple[str, ...] = ("resource_id", "cost_centre", "location")
"""The columns an allocations file may have beside its required ones (written last)."""

USAGE_COLUMNS: tuple[str, ...] = (
    "customer",
    "agreement",
    "service",
    "resource_type",
    "quantity",
    "unit",
    "start",
    "end",
)
"""The required columns of a usage file, in the order `write_usage` writes them."""

OPTIONAL_USAGE_COLUMNS: tuple[str, ...] = ("resource_id", "cost_centre")
"""The columns a usage file may have beside its required ones (written last)."""


class _Row(CsvRow):
    """One row of a file: its cells by column name, and where each cell sits."""

    # Model fields whose problems belong to a column of another name.
    column_of_field: ClassVar[Mapping[str, str]] = {"since": "from"}

    def ident(self, column: str, *, optional: bool = False) -> str | None:
        """An id cell; None when empty and ``optional`` (or when refused)."""
        value = self.text(column)
        if not value and optional:
            return None
        for problem in id_problems(value, "$"):
            expected = problem.expected + (" or empty" if optional else "")
            self.refuse(column, expected, describe(value))
            return None
        return value

    def optional_text(self, column: str) -> str | None:
        return self.text(column) or None


class _Reader:
    """What one file's rows are read against: the type table and the units seen so far."""

    def __init__(self, types: Iterable[ResourceType] | None) -> None:
        table = _table(types)
        self.table = table
        self.units: dict[str, Quantity | ValidationError] = {}
        self.fitting: dict[tuple[str, str], bool] = {}

    def resource_type(self, row: _Row) -> ResourceType | None:
        type_id = row.ident("resource_type")
        if type_id is None:
            return None
        kind = self.table.get(type_id)
        if kind is None:
            close = suggest(type_id, self.table)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            listed = ", ".join(self.table)
            row.refuse("resource_type", f"a resource type of {listed}{hint}", describe(type_id))
        return kind

    def _one(self, unit: str) -> Quantity | ValidationError:
        """One of ``unit`` (parsed once per distinct unit text), or why it does not parse."""
        found = self.units.get(unit)
        if found is None:
            try:
                found = quantity(1, unit)
            except ValidationError as refused:
                found = refused
            self.units[unit] = found
        return found

    def _fits(self, unit: str, one: Quantity, wanted: str) -> bool:
        """Whether ``unit`` measures what ``wanted`` does (asked once per pair of units)."""
        fits = self.fitting.get((unit, wanted))
        if fits is None:
            fits = self.fitting[unit, wanted] = same_dimension(one, wanted)
        return fits

    def quantity(
        self, row: _Row, kind: ResourceType | None, *, allow_zero: bool, time_held: bool
    ) -> Quantity | None:
        """The ``quantity`` and ``unit`` cells as a quantity of the type's dimension.

        ``time_held``: the unit is the type's unit times time (the use of an
        allocated resource); else the type's unit itself.
        """
        text, unit = row.text("quantity"), row.text("unit")
        magnitude = decimal_cell(text)
        least = "not below zero" if allow_zero else "above zero"
        if magnitude is None:
            row.refuse("quantity", f"a decimal number {least}, such as 4 or 0.5", describe(text))
        elif magnitude < 0 or (magnitude == 0 and not allow_zero):
            row.refuse("quantity", f"a decimal number {least}", describe(text))
            magnitude = None
        one = self._one(unit) if unit else None
        if one is None or isinstance(one, ValidationError):
            expected = (
                one.problems[0].expected if one is not None else "a unit such as vcpu or GiB"
            )
            row.refuse("unit", expected, describe(unit))
            return None
        if calendar_units(one):
            expected = "a unit without calendar units (months and years have no fixed length)"
            row.refuse("unit", expected, describe(unit))
            return None
        if kind is not None:
            wanted = f"{kind.unit}*hour" if time_held else kind.unit
            if not self._fits(unit, one, wanted):
                what = f"the use of {kind.id} held, such as {wanted}" if time_held else kind.id
                row.refuse("unit", f"a unit of {what} (convertible to {wanted})", describe(unit))
                return None
        return row.quantity("quantity", magnitude, unit)


def _allocation(reader: _Reader, row: _Row) -> Allocation | None:
    customer, agreement, service = (row.ident(c) for c in ("customer", "agreement", "service"))
    kind = reader.resource_type(row)
    held = reader.quantity(row, kind, allow_zero=False, time_held=False)
    since = row.instant("from")
    until = row.instant("until", optional=True)
    resource_id = row.ident("resource_id", optional=True)
    if (
        row.problems
        or customer is None
        or agreement is None
        or service is None
        or kind is None
        or held is None
        or since is None
    ):
        return None
    if until is not None and until.astimezone(dt.UTC) <= since.astimezone(dt.UTC):
        expected = f"an instant after from ({since.isoformat()}), or empty while held"
        row.refuse("until", expected, until.isoformat())
        return None
    # Every cell has passed the checks the constructor makes (ids, a quantity above zero of
    # the type's dimension, which holds no time, supported instants, until after since,
    # trimmed non-empty text): the hot path of large files builds without checking again.
    return Allocation.trusted(
        customer,
        agreement,
        service,
        kind.id,
        held,
        since,
        until,
        resource_id=resource_id,
        cost_centre=row.optional_text("cost_centre"),
        location=row.optional_text("location"),
    )


def _usage(reader: _Reader, row: _Row) -> Usage | None:
    customer, agreement, service = (row.ident(c) for c in ("customer", "agreement", "service"))
    kind = reader.resource_type(row)
    held = kind is not None and kind.kind is MeteringKind.ALLOCATED
    used = reader.quantity(row, kind, allow_zero=True, time_held=held)
    start, end = row.instant("start"), row.instant("end")
    resource_id = row.ident("resource_id", optional=True)
    if (
        row.problems
        or customer is None
        or agreement is None
        or service is None
        or kind is None
        or used is None
        or start is None
        or end is None
    ):
        return None
    try:
        return Usage(
            customer,
            agreement,
            service,
            kind.id,
            used,
            start,
            end,
            resource_id=resource_id,
            cost_centre=row.optional_text("cost_centre"),
        )
    except ValidationError as refused:
        row.model_problems(refused)
        return None


# ---------------------------------------------------------------------- reading files
class _Format:
    """One kind of file: its columns, its records and how a row becomes one."""

    def __init__(
        self,
        *,
        required: tuple[str, ...],
        optional: tuple[str, ...],
        kind: type,
        field: str,
        subject: str,
        cells: Callable[[Any], list[str]],
    ) -> None:
        self.required = required
        self.optional = optional
        self.kind = kind
        self.field = field
        self.subject = subject
        self.cells = cells


def _read(
    path: str | os.PathLike[str], form: _Format, read_row: Callable[[_Row], Any]
) -> tuple[Any, ...]:
    """Every record of the file at ``path``, or one ValidationError with every problem."""
    file = Path(path)
    text, unreadable = file_text(file, file.name)
    if text is None:
        raise ValidationError(unreadable, subject=form.subject)
    records, problems = read_rows(
        file.name,
        text,
        read_row,
        row=_Row,
        required=form.required,
        optional=form.optional,
        hint=True,
    )
    if problems:
        raise ValidationError(problems, subject=form.subject)
    return tuple(records)


def read_allocations(
    path: str | os.PathLike[str], *, types: Iterable[ResourceType] | None = None
) -> tuple[Allocation, ...]:
    r"""The allocations in the CSV file at ``path``, in the order of its rows.

    The columns and rules are the module's; ``types`` is the type table the
    ``resource_type`` cells are looked up in (the built-in table by default), and
    each quantity must be in a unit of its type's dimension.

    Raises:
        ValidationError: the file cannot be read, or has any problem: every
            problem of the file, each at ``file:line:column``
            (``allocations.csv:4:from``), in one error. Nothing is returned then.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "allocations.csv"
        >>> _ = path.write_text(
        ...     "customer,agreement,service,resource_type,quantity,unit,from,until\n"
        ...     "acme,agr-1,vm,vcpu,4,vcpu,2026-10-01T00:00:00+02:00,\n"
        ...     "acme,agr-1,vm,vcpu,4,GiB,2026-10-01 00:00,\n"
        ... )
        >>> read_allocations(path)
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Allocations file is invalid (2 problems):
          - expected a unit of vcpu (convertible to vcpu) (column 6), got 'GiB' (string)
            @ allocations.csv:3:unit
          - expected an RFC 3339 instant with an offset, such as 2026-10-01T00:00:00+02:00
            (column 7), got '2026-10-01 00:00' (string) @ allocations.csv:3:from
    """
    reader = _Reader(types)
    return _read(path, _ALLOCATIONS, lambda row: _allocation(reader, row))


def read_usage(
    path: str | os.PathLike[str], *, types: Iterable[ResourceType] | None = None
) -> tuple[Usage, ...]:
    """The usage in the CSV file at ``path``, in the order of its rows.

    As `read_allocations`: the columns and rules are the module's. A usage of a
    metered type is in the type's unit; of an allocated type, in the type's unit
    times time (``vcpu*hour``).

    Raises:
        ValidationError: the file cannot be read, or has any problem: every
            problem of the file, each at ``file:line:column`` (``usage.csv:4:end``),
            in one error. Nothing is returned then.
    """
    reader = _Reader(types)
    return _read(path, _USAGE, lambda row: _usage(reader, row))


# ---------------------------------------------------------------------- writing
def _quantity_cells(value: Quantity) -> list[str]:
    magnitude, _, unit = format_quantity(value).partition(" ")
    return [magnitude, unit]


def _write(path: str | os.PathLike[str], items: Iterable[Any], form: _Format) -> None:
    """Write ``items`` as a file of ``form``, optional columns only when some item has one."""
    values: list[object] = list(items)
    problems = [
        problem
        for index, item in enumerate(values)
        for problem in instance_problems(item, form.kind, f"$.{form.field}[{index}]")
    ]
    if problems:
        raise ValidationError(problems, subject=form.subject)
    kept = [c for c in form.optional if any(getattr(v, c) is not None for v in values)]
    rows = ([*form.cells(v), *(getattr(v, c) or "" for c in kept)] for v in values)
    text = csv_text((*form.required, *kept), rows)
    Path(path).write_text(text, encoding="utf-8", newline="")


def _allocation_cells(allocation: Allocation) -> list[str]:
    until = "" if allocation.until is None else instant_text(allocation.until)
    return [
        allocation.customer,
        allocation.agreement,
        allocation.service,
        allocation.resource_type,
        *_quantity_cells(allocation.quantity),
        instant_text(allocation.since),
        until,
    ]


def _usage_cells(usage: Usage) -> list[str]:
    return [
        usage.customer,
        usage.agreement,
        usage.service,
        usage.resource_type,
        *_quantity_cells(usage.quantity),
        instant_text(usage.start),
        instant_text(usage.end),
    ]


_ALLOCATIONS = _Format(
    required=ALLOCATION_COLUMNS,
    optional=OPTIONAL_ALLOCATION_COLUMNS,
    kind=Allocation,
    field="allocations",
    subject="allocations file",
    cells=_allocation_cells,
)
_USAGE = _Format(
    required=USAGE_COLUMNS,
    optional=OPTIONAL_USAGE_COLUMNS,
    kind=Usage,
    field="usage",
    subject="usage file",
    cells=_usage_cells,
)


def write_allocations(path: str | os.PathLike[str], allocations: Iterable[Allocation]) -> None:
    """Write ``allocations`` as the CSV file `read_allocations` reads, at ``path``.

    Required columns first, in `ALLOCATION_COLUMNS` order, then each optional
    column some allocation has a value for. The module docs say when reading the
    file back gives equal allocations.

    Raises:
        ValidationError: an item is not an `Allocation` (``$.allocations[i]``).
            Nothing is written then.
    """
    _write(path, allocations, _ALLOCATIONS)


def write_usage(path: str | os.PathLike[str], usage: Iterable[Usage]) -> None:
    """Write ``usage`` as the CSV file `read_usage` reads, at ``path``.

    Raises:
        ValidationError: an item is not a `Usage` (``$.usage[i]``). Nothing is
            written then.
    """
    _write(path, usage, _USAGE)
