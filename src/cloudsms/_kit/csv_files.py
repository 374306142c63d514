r"""CSV files read row by row, every problem located at ``file:line:column`` (S10, S11).

The files other tools hand cloudsms (observations, allocations, usage) share one way
of being read: the first line names the columns, in any order; each later line is a
row whose cells are trimmed and read by column name; a blank line is skipped; every
problem of the file is collected (a bad cell at ``outages.csv:4:start`` with the
column's number in the message, a row of the wrong width at ``outages.csv:4``, the
header's missing, unknown and repeated columns at line 1) so a caller can refuse
the whole file at once and never work from half of it. Writing is the reverse:
``\n`` line ends, instants in RFC 3339 with their offset.

This module holds that shared machinery; `cloudsms.monitoring.files` and
`cloudsms.resources.files` say what their columns mean and build their records.
Serves S10 and S11 (data brought in from the provider's tools) and ISO/IEC
20000-1:2011 6.1, 6.2, 6.4 and 6.5 (the data reports and costs are made of).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from cloudsms._foundation.instants import instant_problems
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.limits import DECIMAL
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.units import Quantity, quantity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from pathlib import Path

__all__ = [
    "CsvRow",
    "csv_text",
    "decimal_cell",
    "file_text",
    "header_problems",
    "instant_text",
    "read_rows",
]

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", re.ASCII
)


class CsvRow:
    """One row of a file: its cells by column name, and where each cell sits.

    A kind of file derives its own row class, naming the example instant its
    messages show (``instant_expected``) and the model fields whose problems
    belong to a column of another name (``column_of_field``), and adding the
    readers of its own cells.
    """

    instant_expected: ClassVar[str] = (
        "an RFC 3339 instant with an offset, such as 2026-10-01T00:00:00+02:00"
    )
    column_of_field: ClassVar[Mapping[str, str]] = {}

    def __init__(self, name: str, line: int, numbers: dict[str, int]) -> None:
        self.name = name
        self.line = line
        self.cells: dict[str, str] = {}
        self.numbers = numbers
        self.problems: list[Problem] = []

    def where(self, column: str | None = None) -> str:
        """``outages.csv:4:start`` for a cell, ``outages.csv:4`` for the whole row."""
        row = f"{self.name}:{self.line}"
        return f"{row}:{column}" if column else row

    def refuse(self, column: str | None, expected: str, got: str) -> None:
        """Record a problem of a cell (with the column's number) or of the row."""
        if column is not None and column in self.numbers:
            expected = f"{expected} (column {self.numbers[column]})"
        self.problems.append(Problem(self.where(column), expected, got))

    def text(self, column: str) -> str:
        """The cell of ``column``, trimmed; empty when the file has no such column."""
        return self.cells.get(column, "")

    def instant(self, column: str, *, optional: bool = False) -> dt.datetime | None:
        """The cell as an instant with an offset; None when refused, or empty and ``optional``."""
        value = self.text(column)
        if not value and optional:
            return None
        expected = self.instant_expected
        if not _RFC3339.fullmatch(value):
            self.refuse(column, expected + (", or empty" if optional else ""), describe(value))
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:  # a month 13, a 25th hour, an offset past 24 h
            self.refuse(column, f"{expected} (a real date and time)", describe(value))
            return None
        for problem in instant_problems(parsed, "$"):
            self.refuse(column, problem.expected, describe(value))
            return None
        return parsed

    def quantity(self, column: str, magnitude: Decimal | None, unit: str) -> Quantity | None:
        """``magnitude`` of ``unit`` (a unit known to parse), refused at ``column`` if too large.

        None when there is no magnitude (the cell was refused already) or when it is
        refused here.
        """
        if magnitude is None:
            return None
        try:
            return quantity(magnitude, unit)
        except ValidationError as refused:
            self.refuse(column, refused.problems[0].expected, describe(self.text(column)))
            return None

    def model_problems(self, error: ValidationError) -> None:
        """The problems a record's own checks found, each at its column (or the row)."""
        for problem in error.problems:
            field = problem.path.removeprefix("$").lstrip(".").split(".")[0].split("[")[0]
            column = self.column_of_field.get(field, field) or None
            self.refuse(column if column in self.numbers else None, problem.expected, problem.got)


def decimal_cell(text: str) -> Decimal | None:
    """``text`` as a decimal number of the wire's form (``4``, ``0.5``), or None."""
    if not DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def header_problems(
    name: str,
    header: list[str],
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    *,
    hint: bool = False,
) -> tuple[dict[str, int], list[Problem]]:
    """The column numbers (1-based) by name, and what is wrong with the header.

    ``hint``: an unknown column's message names the closest known one.
    """
    known = required + optional
    numbers: dict[str, int] = {}
    problems: list[Problem] = []
    listed = ", ".join(known)
    for number, column in enumerate(header, start=1):
        if column in numbers:
            problems.append(
                Problem(f"{name}:1:{column}", f"each column once (column {number})", column)
            )
        elif column not in known:
            close = suggest(column, known, limit=1) if hint else []
            said = f"; did you mean {close[0]}?" if close else ""
            expected = f"a column of {listed} (column {number}{said})"
            problems.append(Problem(f"{name}:1:{column}", expected, describe(column)))
        numbers.setdefault(column, number)
    problems += [
        Problem(f"{name}:1", f"a column named {column!r}", f"the columns {','.join(header)}")
        for column in required
        if column not in numbers
    ]
    return numbers, problems


def _records(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record of a CSV text with the line it starts on (1 for the header).

    Raises:
        ValidationError: the text is not CSV (a quote left open), at the line it fails.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError.single(
            f"{name}:{reader.line_num or 1}", "well-formed CSV", str(exc), subject="CSV file"
        ) from None


Row = TypeVar("Row", bound=CsvRow)


def read_rows(
    name: str,
    text: str,
    read: Callable[[Row], object | None],
    *,
    row: Callable[[str, int, dict[str, int]], Row],
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    keep: Callable[[Row, Any, list[Any]], None] | None = None,
    hint: bool = False,
) -> tuple[list[Any], list[Problem]]:
    """The records of the CSV ``text`` of the file ``name``, and every problem found.

    Reads the header (``hint`` as `header_problems` takes it), then each row that is
    not blank: a row of the header's width becomes ``row(name, line, numbers)`` with
    its cells and is handed to ``read``, whose record (``None`` when the row has
    problems) is appended to the records, or handed to ``keep`` with the row and the
    records so far (to merge it into an earlier one). No row is read
    when a required column is missing. The records are of no use when there are
    problems: the caller refuses the file then.
    """
    records: list[Any] = []
    problems: list[Problem] = []
    numbers: dict[str, int] | None = None
    width = 0
    try:
        for line, record in _records(name, text):
            cells = [cell.strip() for cell in record]
            if numbers is None:
                numbers, found = header_problems(name, cells, required, optional, hint=hint)
                width = len(cells)
                problems += found
                if any(column not in numbers for column in required):
                    return records, problems  # no row can be read without its columns
                continue
            if len(cells) <= 1 and not any(cells):
                continue  # a blank line (a row of separators only is a row, and is read)
            made = row(name, line, numbers)
            if len(cells) != width:
                made.refuse(None, f"{width} cells, as the header has", f"{len(cells)} cells")
            else:
                made.cells = {column: cells[number - 1] for column, number in numbers.items()}
                built = read(made)
                if built is not None and keep is not None:
                    keep(made, built, records)
                elif built is not None:
                    records.append(built)
            problems += made.problems
    except ValidationError as malformed:
        problems += malformed.problems
    if numbers is None:
        expected = f"a header line: {','.join(required)}"
        problems.append(Problem(f"{name}:1", expected, "an empty file"))
    return records, problems


def file_text(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """The file's text with its line breaks as written (the CSV reader reads them).

    ``None`` and the problem, at ``name``, when it cannot be read or is not UTF-8
    (a byte-order mark is allowed).
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            return file.read(), []
    except UnicodeDecodeError as exc:
        return None, [Problem(name, "UTF-8 text", f"an undecodable byte at offset {exc.start}")]
    except OSError as exc:
        return None, [Problem(name, "a readable file", exc.strerror or type(exc).__name__)]


def instant_text(instant: dt.datetime) -> str:
    """RFC 3339 with the instant's offset; in UTC when the offset has seconds RFC 3339 lacks."""
    offset = instant.utcoffset()
    if offset is None or offset % dt.timedelta(minutes=1):
        instant = instant.astimezone(dt.UTC)
    text = instant.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def csv_text(header: Iterable[str], rows: Iterable[list[str]]) -> str:
    r"""CSV text with ``\n`` line ends; a row with a carriage return in a cell fully quoted.

    The writer quotes a cell holding the line end it writes (``\n``) but not a lone
    ``\r``, which a reader takes for a line end: such rows are quoted whole.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        (quoted if any("\r" in cell for cell in row) else writer).writerow(row)
    return out.getvalue()
