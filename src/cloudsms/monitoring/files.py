"""Observations kept as CSV files: one directory, one file per kind of record (S10).

A monitoring job, a spreadsheet or another tool hands cloudsms what it observed as
up to four CSV files in one directory; each file is optional (absent means no
records of that kind), and the first line of each names its columns:

- ``outages.csv``, columns ``service,start,end,cause`` and optionally ``id``: each
  row an `Outage` of one service (an empty ``service`` means every service, an
  empty ``cause`` means ``provider``);
- ``maintenance.csv``, columns ``service,start,end,announced_at``: each row a
  `cloudsms.operations.MaintenanceWindow` of one service;
- ``measurements.csv``, columns ``service,metric,at,value,unit``: each row a
  `Measurement`, ``metric`` a metric or measure name (``latency``), ``value`` a
  decimal number and ``unit`` its unit (``ms``);
- ``events.csv``, columns ``service,at,kind,summary`` and optionally ``id``: each
  row an `Event` of one service (an empty ``service`` means every service),
  ``kind`` one of ``security_incident``, ``continuity_invoked`` and
  ``capacity_threshold`` (`EventKind`), ``summary`` a line of text.

Any other ``*.csv`` file in the directory is refused at its name, with the close
name suggested, so a misspelt ``outage.csv`` is never read as a month without
outages; files of other kinds (a README) are left alone.

Columns may come in any order. Rows are merged by id only. Rows of ``outages.csv``
that share an ``id`` are one outage of several services: they must be identical but
for the service (the same start, end and cause as instants and values, each row
naming a service of its own, none empty), and they are read as one `Outage` of all
their services in the place of the first. Rows of ``events.csv`` sharing an ``id``
are one `Event` in the same way (the same at, kind and summary). Any other repeat of
an id is refused at the later row's ``id`` cell, naming the first row's line. Rows
without an id are never merged: two rows with the same times and cause are two
outages, each of one service. Instants are RFC 3339 with an offset
(``2026-10-07T09:12:00+02:00`` or ``...Z``), seconds included, at most six decimals;
a zone name, a missing offset or a date alone is refused. Cells are trimmed of
surrounding spaces; blank lines are skipped. Files are UTF-8 (a byte-order mark is
allowed).

Reading collects every problem of every file before it reports any: a bad cell is
named by its file, line (the header is line 1) and column name, such as
``outages.csv:4:start``, with the column's number in the message; a problem of a
whole row (a wrong number of cells) is named by file and line; a header with a
missing, unknown or repeated column is a problem too. Nothing is returned when
anything is wrong: no evaluation ever reads a half-read directory.

`write_observations` writes an outage or an event of several services as one row
per service, each carrying the record's id, and refuses two outages (or two
events) sharing an id. Reading the files back gives observations equal to those
written (``read_observations(d) == x`` after ``write_observations(x, d)``) when:

- every outage and every event of more than one service has an id (without one it
  reads back as one record per service: the same downtime for each service, but
  not an equal value);
- every instant has a fixed offset of whole minutes, such as ``dt.UTC`` or
  ``dt.timezone(dt.timedelta(hours=2))``: a zone name is not written, so an instant
  in ``Europe/Berlin`` reads back as the same instant with the offset ``+02:00``,
  which compares unequal; an offset with seconds is written in UTC;
- every event's summary has no spaces, tabs or line breaks at either end (cells are
  trimmed when read);
- the observations hold only the kinds the files keep (outages, maintenance
  windows, measurements and events; `write_observations` refuses sample series,
  incidents and service requests);
- every maintenance window names one service (a window of several reads back as
  one window per service, as it carries no id).

Serves S10 (monitoring data brought in from the provider's tools) and ISO/IEC
20000-1:2011 6.1 and 6.2 (the data service reports are made of).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import id_problems
from cloudsms._kit.csv_files import (
    CsvRow,
    csv_text,
    decimal_cell,
    file_text,
    instant_text,
    read_rows,
)
from cloudsms.agreements import Metric, OutageCause, metric_for
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.monitoring.observations import Event, EventKind, Measurement, Observations, Outage
from cloudsms.operations import MaintenanceWindow
from cloudsms.units import Quantity, format_quantity, quantity, same_dimension

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

__all__ = ["CSV_COLUMNS", "OPTIONAL_COLUMNS", "read_observations", "write_observations"]

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "outages.csv": ("service", "start", "end", "cause"),
    "maintenance.csv": ("service", "start", "end", "announced_at"),
    "measurements.csv": ("service", "metric", "at", "value", "unit"),
    "events.csv": ("service", "at", "kind", "summary"),
}
"""The required columns of each file, in the order `write_observations` writes them.

``outages.csv`` and ``events.csv`` also take an optional ``id`` column (`OPTIONAL_COLUMNS`).
"""

OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"outages.csv": ("id",), "events.csv": ("id",)}
"""The columns a file may have beside its required ones; written last, when some record has one."""
_SUBJECT = "observations directory"
_CAUSES = ", ".join(cause.value for cause in OutageCause)
_KINDS = ", ".join(kind.value for kind in EventKind)


class _Row(CsvRow):
    """One row of one file: its cells by column name, and where each cell sits."""

    instant_expected = "an RFC 3339 instant with an offset, such as 2026-10-07T09:12:00+02:00"
    # Model fields whose problems belong to a column of another name.
    column_of_field: ClassVar[Mapping[str, str]] = {"services": "service"}

    def service(self, *, optional: bool = False) -> str | None:
        """The ``service`` cell: an id, or None when empty and ``optional``."""
        value = self.text("service")
        if not value and optional:
            return None
        for problem in id_problems(value, "$"):
            expected = problem.expected + (" or empty for every service" if optional else "")
            self.refuse("service", expected, describe(value))
            return None
        return value

    def ident(self) -> str | None:
        """The optional ``id`` cell: an id, or None when empty or absent."""
        value = self.text("id") or None
        if value is not None:
            for problem in id_problems(value, "$"):
                self.refuse("id", problem.expected + " or empty", describe(value))
        return value


# ---------------------------------------------------------------------- reading rows
def _outage(row: _Row) -> Outage | None:
    service = row.service(optional=True)
    start, end = row.instant("start"), row.instant("end")
    cause_text = row.text("cause")
    cause = OutageCause.PROVIDER
    if cause_text:
        try:
            cause = OutageCause(cause_text)
        except ValueError:
            row.refuse("cause", f"one of {_CAUSES}, or empty for provider", describe(cause_text))
    ident = row.ident()
    if row.problems or start is None or end is None:
        return None
    services = frozenset() if service is None else frozenset({service})
    try:
        return Outage(start, end, services=services, cause=cause, id=ident)
    except ValidationError as refused:
        row.model_problems(refused)
        return None


def _window(row: _Row) -> MaintenanceWindow | None:
    service = row.service()
    start, end, announced = (row.instant(c) for c in ("start", "end", "announced_at"))
    if row.problems or service is None or start is None or end is None or announced is None:
        return None
    try:
        return MaintenanceWindow(start=start, end=end, services={service}, announced_at=announced)
    except ValidationError as refused:
        row.model_problems(refused)
        return None


def _metric(row: _Row) -> Metric | None:
    text = row.text("metric")
    try:
        return metric_for(text)
    except UnknownReference as unknown:
        close = (
            f" (did you mean {' or '.join(unknown.suggestions)}?)" if unknown.suggestions else ""
        )
        row.refuse("metric", f"a metric or measure name such as latency{close}", describe(text))
        return None


def _value(row: _Row) -> Quantity | None:
    text, unit = row.text("value"), row.text("unit")
    magnitude = decimal_cell(text)
    if magnitude is None:
        row.refuse("value", "a decimal number such as 180 or 99.95", describe(text))
    if not unit:
        row.refuse("unit", "a unit such as ms, % or request/s", describe(unit))
        return None
    try:
        quantity(1, unit)
    except ValidationError as refused:
        row.refuse("unit", refused.problems[0].expected, describe(unit))
        return None
    return row.quantity("value", magnitude, unit)


def _another_dimension(metric: Metric, value: Quantity) -> bool:
    """Whether ``value`` is of no dimension ``metric`` measures in (a qualitative one aside)."""
    return bool(metric.units) and not any(same_dimension(value, unit) for unit in metric.units)


def _measurement(row: _Row) -> Measurement | None:
    service = row.service()
    at = row.instant("at")
    metric = _metric(row)
    value = _value(row)
    if metric is not None and value is not None and _another_dimension(metric, value):
        # the number may be right; the unit says it measures something else
        expected = f"a unit for {metric.value}, as in {metric.what}"
        row.refuse("unit", expected, describe(row.text("unit")))
    if row.problems or service is None or at is None or metric is None or value is None:
        return None
    try:
        return Measurement(at=at, metric=metric, value=value, service=service)
    except ValidationError as refused:
        row.model_problems(refused)
        return None


_Shared = Outage | Event  # the records whose rows may share an id


class _SharedIds:
    """Rows of one file that share an id: one record of several services, or a mistake.

    A row whose id an earlier row has is merged into that row's record (its service
    added) when the two are the same record but for the service: equal once their
    services are set aside, each naming a service of its own. Anything else is
    refused at the later row's ``id`` cell, naming the earlier row's line. Rows
    without an id are never merged.
    """

    def __init__(self, what: str, same: str) -> None:
        self.what = what  # "outage"
        self.same = same  # "start, end and cause"
        self.first: dict[str, tuple[int, int]] = {}  # id -> (line, index in the records)

    def add(self, row: _Row, record: _Shared, records: list[Any]) -> None:
        """Append ``record`` to ``records``, or merge it into the record of its id."""
        ident = record.id
        if ident is None or ident not in self.first:
            if ident is not None:
                self.first[ident] = (row.line, len(records))
            records.append(record)
            return
        line, index = self.first[ident]
        earlier: _Shared = records[index]
        why = self._conflict(earlier, record)
        if why is not None:
            row.refuse("id", f"an id of its own: line {line} has it {why}", describe(ident))
            return
        records[index] = attrs.evolve(earlier, services=earlier.services | record.services)

    def _conflict(self, earlier: _Shared, record: _Shared) -> str | None:
        """Why ``record`` cannot join ``earlier`` as the same record of another service."""
        if attrs.evolve(earlier, services=frozenset()) != attrs.evolve(
            record, services=frozenset()
        ):
            return f"for another {self.what} (rows sharing an id have the same {self.same})"
        if not earlier.services or not record.services:
            every = f"an {self.what}" if self.what[0] in "aeiou" else f"a {self.what}"
            return f"and {every} of every service (an empty service) is one row alone"
        if record.services <= earlier.services:
            return f"for the same {self.what} of the same service"
        return None


_SHARED_IDS: dict[str, Callable[[], _SharedIds]] = {
    "outages.csv": lambda: _SharedIds("outage", "start, end and cause"),
    "events.csv": lambda: _SharedIds("event", "at, kind and summary"),
}


def _event(row: _Row) -> Event | None:
    service = row.service(optional=True)
    at = row.instant("at")
    kind_text = row.text("kind")
    kind: EventKind | None = None
    try:
        kind = EventKind(kind_text)
    except ValueError:
        close = suggest(kind_text, [k.value for k in EventKind], limit=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        row.refuse("kind", f"one of {_KINDS}{hint}", describe(kind_text))
    ident = row.ident()
    if row.problems or at is None or kind is None:
        return None
    try:
        return Event(
            at=at,
            kind=kind,
            services=frozenset() if service is None else frozenset({service}),
            summary=row.text("summary"),
            id=ident,
        )
    except ValidationError as refused:
        row.model_problems(refused)
        return None


_READERS: dict[str, Callable[[_Row], Any]] = {
    "outages.csv": _outage,
    "maintenance.csv": _window,
    "measurements.csv": _measurement,
    "events.csv": _event,
}


# ---------------------------------------------------------------------- reading files
def _read_file(name: str, text: str) -> tuple[list[Any], list[Problem]]:
    shared = _SHARED_IDS[name]() if name in _SHARED_IDS else None
    return read_rows(
        name,
        text,
        _READERS[name],
        row=_Row,
        required=CSV_COLUMNS[name],
        optional=OPTIONAL_COLUMNS.get(name, ()),
        keep=None if shared is None else shared.add,
    )


def _unknown_files(folder: Path) -> list[Problem]:
    """A problem for each CSV file of ``folder`` no reader reads (a misspelt name), by name.

    Left alone, ``outage.csv`` would be read as no outages at all and the month
    judged without its downtime; files of other kinds (a README) are not looked at.
    """
    try:
        names = sorted(path.name for path in folder.iterdir() if path.is_file())
    except OSError as exc:
        return [Problem("$.directory", "a readable directory", exc.strerror or str(exc))]
    listed = ", ".join(CSV_COLUMNS)
    stems = [known.removesuffix(".csv") for known in CSV_COLUMNS]  # compared without .csv
    problems: list[Problem] = []
    for name in names:
        if name in CSV_COLUMNS or not name.lower().endswith(".csv"):
            continue
        close = suggest(name.lower().removesuffix(".csv"), stems, limit=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}.csv?)" if close else ""
        expected = f"a CSV file of a name read here: {listed}{hint}"
        problems.append(Problem(name, expected, "a CSV file of another name, left unread"))
    return problems


def read_observations(directory: str | os.PathLike[str]) -> Observations:
    r"""The outages, maintenance windows, measurements and events in ``directory``'s CSV files.

    Reads ``outages.csv``, ``maintenance.csv``, ``measurements.csv`` and ``events.csv``
    (each optional; the module docs give their columns and rules) and returns them as one
    `Observations`, rows in file order. Any other ``*.csv`` file (``outage.csv``,
    ``Outages.CSV``) is refused, at its name with the close names suggested, rather
    than left unread; files of other kinds (a ``README.md``) are not looked at.

    A directory holding none of the files gives an empty `Observations` (a month
    with nothing recorded is a result, not an error); a caller that expects data,
    such as a command judging a month, refuses it by `Observations.is_empty`.

    Raises:
        ValidationError: ``directory`` is not a directory, it holds a CSV file of
            another name (at that name, ``outage.csv``), or any file has any
            problem: every problem of every file, each at ``file:line:column``
            (``outages.csv:4:start``), in one error. Nothing is returned then.

    Examples:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "outages.csv").write_text(
        ...     "service,start,end,cause\n"
        ...     "crm,2026-10-07T09:12:00+02:00,2026-10-07T09:38:00+02:00,provider\n"
        ...     "crm,2026-10-07 10:00,2026-10-07T09:38:00+02:00,someone\n"
        ... )
        >>> read_observations(folder).outages
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Observations directory is invalid (2 problems):
          - expected an RFC 3339 instant with an offset, such as 2026-10-07T09:12:00+02:00
            (column 2), got '2026-10-07 10:00' (string) @ outages.csv:3:start
          - expected one of provider, customer, third_party, force_majeure, maintenance,
            security, or empty for provider (column 4), got 'someone' (string)
            @ outages.csv:3:cause
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ValidationError.single(
            "$.directory", "a directory", describe(os.fspath(directory)), subject=_SUBJECT
        )
    found: dict[str, list[Any]] = {}
    problems = _unknown_files(folder)
    for name in CSV_COLUMNS:
        path = folder / name
        if not path.exists():
            found[name] = []
            continue
        text, unreadable = file_text(path, name)
        problems += unreadable
        if text is not None:
            found[name], bad = _read_file(name, text)
            problems += bad
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)
    return Observations(
        outages=found["outages.csv"],
        maintenance=found["maintenance.csv"],
        measurements=found["measurements.csv"],
        events=found["events.csv"],
    )


# ---------------------------------------------------------------------- writing
def _outage_rows(outage: Outage) -> Iterator[list[str]]:
    services: Iterable[str] = sorted(outage.services) or [""]
    for service in services:
        row = [service, instant_text(outage.start), instant_text(outage.end), outage.cause.value]
        yield [*row, outage.id or ""]


def _event_rows(event: Event) -> Iterator[list[str]]:
    services: Iterable[str] = sorted(event.services) or [""]
    for service in services:
        yield [service, instant_text(event.at), event.kind.value, event.summary, event.id or ""]


def _window_rows(window: MaintenanceWindow) -> Iterator[list[str]]:
    times = (window.start, window.end, window.announced_at)
    for service in sorted(window.services):
        yield [service, *(instant_text(t) for t in times)]


def _measurement_rows(measurement: Measurement) -> Iterator[list[str]]:
    magnitude, _, unit = format_quantity(measurement.value).partition(" ")
    at = instant_text(measurement.at)
    yield [measurement.service, measurement.metric.value, at, magnitude, unit]


def _shared_id_problems(field: str, records: Iterable[_Shared]) -> list[Problem]:
    """Two records of one kind with one id: their rows would read back as one, or be refused."""
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for index, record in enumerate(records):
        if record.id is None:
            continue
        if record.id in first:
            expected = f"an id no other record of {field} has ({field}[{first[record.id]}] has it)"
            problems.append(Problem(f"$.{field}[{index}].id", expected, describe(record.id)))
        first.setdefault(record.id, index)
    return problems


def _with_ids(name: str, records: Iterable[_Shared], rows: list[list[str]]) -> str:
    """The text of a file whose rows end with an id: the column kept when some record has one."""
    if any(record.id for record in records):
        return csv_text(CSV_COLUMNS[name] + OPTIONAL_COLUMNS[name], rows)
    return csv_text(CSV_COLUMNS[name], (row[:-1] for row in rows))


def write_observations(observations: Observations, directory: str | os.PathLike[str]) -> None:
    """Write ``observations`` as the CSV files `read_observations` reads, into ``directory``.

    Writes all four files (a kind with no records gets its header alone), creating
    the directory if needed and replacing files of those names. A record of several
    services becomes one row per service (services sorted), each row carrying the
    record's id; an outage or event of every service is one row with an empty
    ``service``. Instants keep their offset but not a zone name (an offset with
    seconds, before 1900s' standard offsets, is written in UTC); ``outages.csv``
    and ``events.csv`` have an ``id`` column only when some record of theirs has an
    id. The module docs say when reading the files back gives the same observations.

    Raises:
        ValidationError: ``observations`` is not an `Observations`; it holds records
            no CSV file keeps (sample series, incidents, service requests), each kind
            at its field (``$.series``); or two outages, or two events, share an id
            (at the later one's, ``$.outages[3].id``). Nothing is written then.
    """
    if not isinstance(observations, Observations):
        raise ValidationError.single(
            "$.observations", "an Observations", describe(observations), subject=_SUBJECT
        )
    kept = {"outages", "maintenance", "measurements", "events"}
    problems = [
        Problem(
            f"$.{field.name}",
            "no records of a kind the CSV files do not keep (write them as JSON)",
            f"{len(getattr(observations, field.name))} records",
        )
        for field in attrs.fields(Observations)
        if field.name not in kept and getattr(observations, field.name)
    ]
    problems += _shared_id_problems("outages", observations.outages)
    problems += _shared_id_problems("events", observations.events)
    if problems:
        raise ValidationError(problems, subject=_SUBJECT)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "outages.csv": _with_ids(
            "outages.csv",
            observations.outages,
            [r for o in observations.outages for r in _outage_rows(o)],
        ),
        "maintenance.csv": csv_text(
            CSV_COLUMNS["maintenance.csv"],
            (row for w in observations.maintenance for row in _window_rows(w)),
        ),
        "measurements.csv": csv_text(
            CSV_COLUMNS["measurements.csv"],
            (row for m in observations.measurements for row in _measurement_rows(m)),
        ),
        "events.csv": _with_ids(
            "events.csv",
            observations.events,
            [r for e in observations.events for r in _event_rows(e)],
        ),
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
