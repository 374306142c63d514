"""What monitoring observed: outages, measurements, packed sample series and events (S10).

An evaluation of an agreement (S10) reads one `Observations` value: the outages the
provider recorded (`Outage`), the maintenance windows it announced
(`cloudsms.operations.MaintenanceWindow`), single measurements (`Measurement`),
long runs of samples packed one byte or one float per step (`SampleSeries`), the
incidents and service requests of S09, and events that customers must hear of at
once (`Event`, `EventKind`). Every type here is a plain frozen value: equal by
value, hashable, picklable, and read and written by `cloudsms.serialization`.

Serves S10 (monitor the services and report on them) and ISO/IEC 20000-1:2011 6.1
(service level management: the data targets are measured on), 6.2 (service
reporting), 6.3 (availability and continuity: outages, invoking the continuity plan)
and 6.5 (capacity: thresholds crossed).
"""

from __future__ import annotations

import array
import datetime as dt
import enum
import re
import struct
from math import isnan
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import attrs

from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._kit.checks import id_problems, id_set, ident, instant, text
from cloudsms._kit.records import Record, check
from cloudsms._kit.samples import MISSING
from cloudsms.agreements import Metric, OutageCause, metric_for
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.monitoring._spans import instant_at, since_epoch
from cloudsms.operations import Incident, MaintenanceWindow, ServiceRequest
from cloudsms.periods import Period
from cloudsms.units import Quantity, format_quantity, quantity_problems, same_dimension

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "MISSING",
    "Event",
    "EventKind",
    "Measurement",
    "Observations",
    "Outage",
    "SampleSeries",
    "SeriesCounts",
]

_UTC = dt.UTC
_MINUTE = dt.timedelta(seconds=60)
_NAN = float("nan")
_INF = float("inf")


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


# ---------------------------------------------------------------------- outages
def _end_after_start(start: dt.datetime, end: dt.datetime) -> Iterator[Problem]:
    if end.astimezone(_UTC) <= start.astimezone(_UTC):
        yield Problem("end", f"an instant after the start ({start.isoformat()})", end.isoformat())


@attrs.frozen
class Outage(Record):
    """A span of time in which services were down, and why.

    ``start`` and ``end`` bound the outage (half-open: ``start`` is in it, ``end``
    is not; compared on the absolute timeline, whatever their zones). ``services``
    names the cloud services that were down; **an empty set means every service**
    (a platform-wide outage), so the outage counts against each service an
    agreement subscribes. ``cause`` says whose fault it was (`OutageCause`): an
    SLA may exclude some causes (`cloudsms.agreements.Exclusions`). ``id`` is an
    optional reference (a ticket, an alert) that evidence names.

    Serves S10 (outages measured against availability targets); ISO/IEC
    20000-1:2011 6.3 and 6.1.

    Raises:
        ValidationError: every problem of the fields, each with its path: a naive
            instant, a malformed service id, an end not after the start (at ``$.end``).

    Examples:
        >>> import datetime as dt
        >>> outage = Outage(
        ...     dt.datetime(2026, 10, 7, 9, tzinfo=dt.UTC),
        ...     dt.datetime(2026, 10, 7, 9, 45, tzinfo=dt.UTC),
        ...     services={"crm"},
        ... )
        >>> outage.period.duration, outage.cause.value
        (datetime.timedelta(seconds=2700), 'provider')
        >>> outage.affects("crm"), outage.affects("mail")
        (True, False)
    """

    start: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    end: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    services: frozenset[str] = attrs.field(
        validator=id_set(of="service"), converter=as_frozenset, factory=frozenset, kw_only=True
    )
    cause: OutageCause = attrs.field(default=OutageCause.PROVIDER, kw_only=True)
    id: str | None = attrs.field(validator=ident, default=None, kw_only=True)

    def _rules(self) -> Iterator[Problem]:
        """The outage ends after it starts."""
        yield from _end_after_start(self.start, self.end)

    @property
    def period(self) -> Period:
        """The outage as a `cloudsms.periods.Period` (``[start, end)``)."""
        return Period(self.start, self.end)

    def affects(self, service_id: str) -> bool:
        """Whether the outage hit ``service_id``: it names it, or names no service at all."""
        return not self.services or service_id in self.services


# ---------------------------------------------------------------------- measurements
def _as_metric(value: object) -> object:
    """An attrs converter: a measure name (``"latency"``) as its `Metric`; else as given."""
    if isinstance(value, str) and not isinstance(value, Metric):
        try:
            return metric_for(value)
        except UnknownReference:
            return value  # the record's check names it, with its path
    return value


def _metric_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, Metric):
        return []
    expected = "a Metric or a measure name such as 'availability' or 'latency'"
    return [Problem(path, expected, describe(value))]


def _measured_quantity(value: object, path: str) -> list[Problem]:
    return quantity_problems(value, path, example="a quantity such as '180 ms'")


@attrs.frozen
class Measurement(Record):
    """One measured value of one metric of one service, at one instant.

    Built as ``Measurement(at, metric, value, service)``, positionally (the issue's
    form) or by keyword.

    ``metric`` is a `cloudsms.agreements.Metric`; a catalogue measure name is
    read as its metric (``"latency"`` is ``Metric.RESPONSE_TIME``, by
    `cloudsms.agreements.metric_for`), on construction and in CSV files (JSON
    carries the metric's own value). ``value`` is a quantity of the metric's
    dimension, not below zero: a time for a response time, a percentage for
    availability, requests per time for throughput (``Metric.units`` lists them);
    a qualitative metric has no measurements.

    Serves S10 (measurements of the agreed targets); ISO/IEC 20000-1:2011 6.1 and 6.5.

    Raises:
        ValidationError: every problem, each with its path: a naive ``at``, an
            unknown metric, a value of another dimension or below zero (at ``$.value``).

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.units import quantity
        >>> m = Measurement(
        ...     dt.datetime(2026, 10, 7, 9, tzinfo=dt.UTC), "latency", quantity("180 ms"), "crm"
        ... )
        >>> m.metric
        <Metric.RESPONSE_TIME: 'response time'>
        >>> m == Measurement(at=m.at, metric=m.metric, value=m.value, service="crm")
        True
    """

    at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    metric: Metric = attrs.field(
        converter=_as_metric, validator=check(_metric_problems, total=True)
    )
    value: Quantity = attrs.field(validator=check(_measured_quantity, total=True))
    service: str = attrs.field(validator=ident)

    def _rules(self) -> Iterator[Problem]:
        """The value measures what the metric measures, and is not below zero."""
        units = self.metric.units
        if not units:
            yield Problem("metric", "a metric with a quantity (not qualitative)", "qualitative")
            return
        if not any(same_dimension(self.value, unit) for unit in units):
            yield Problem("value", self.metric.what, format_quantity(self.value))
        elif self.value.magnitude < 0:
            yield Problem("value", "a quantity not below zero", format_quantity(self.value))


# ---------------------------------------------------------------------- sample series
class SeriesCounts(NamedTuple):
    """How many steps of an availability series were up, down and missing."""

    up: int
    down: int
    missing: int

    @property
    def steps(self) -> int:
        """Every step counted: up, down and missing."""
        return self.up + self.down + self.missing

    @property
    def measured(self) -> int:
        """The steps with a sample (up or down)."""
        return self.up + self.down


_TYPECODES = {Metric.AVAILABILITY: "B", Metric.RESPONSE_TIME: "d"}
_SERIES_METRIC = "availability or response time (a Metric or a measure name)"
_MAX_VALUE_PROBLEMS = 20
_SAMPLES = "an array of samples ('B' or 'd')"
_AVAILABILITY_BYTES = bytes((0, 1, MISSING))
_BYTE_OF = (1, 0, MISSING)  # the byte of each field of SeriesCounts: up, down, missing
_DOWN_RUNS = re.compile(b"\x00+")
_MISSING_RUNS = re.compile(b"\xff+")


def _series_metric(value: object) -> Metric | None:
    metric = _as_metric(value)
    return metric if isinstance(metric, Metric) and metric in _TYPECODES else None


_PACKING = {
    Metric.AVAILABILITY: "array('B') (1 up, 0 down, 255 missing) for an availability series",
    Metric.RESPONSE_TIME: "array('d') (milliseconds, NaN missing) for a response-time series",
}


def _buffer_kind(values: object) -> tuple[str, str] | None:
    """The item code of a packed buffer (``'B'`` for bytes) and how to name it; else None."""
    if isinstance(values, bytes | bytearray):
        return "B", type(values).__name__
    if isinstance(values, array.array):
        return values.typecode, f"array({values.typecode!r})"
    if isinstance(values, memoryview):
        return values.format, f"a memoryview of format {values.format!r}"
    return None


def _packing_problems(values: object, metric: Metric) -> list[Problem]:
    """A packed buffer of another item code than the metric's own, refused at ``$.values``.

    An ``array('i')`` of up/down samples or an ``array('B')`` of latencies is refused
    rather than read item by item: in another packing 255 no longer means "missing"
    (an ``array('B')`` of latencies would read it as 255 ms), so the packing must say
    what the samples are. A list is not packed and is read item by item. One
    exception: an availability series also reads a ``memoryview`` of doubles, the
    form `cloudsms.serialization` hands a JSON list over in; its samples are checked
    one by one as a list's are (0.0, 1.0 or NaN).
    """
    kind = _buffer_kind(values)
    if kind is None or kind[0] == _TYPECODES[metric]:
        return []
    code, named = kind
    if metric is Metric.AVAILABILITY and code == "d" and isinstance(values, memoryview):
        return []
    return [Problem("$.values", f"{_PACKING[metric]}, or a list with null for missing", named)]


def _bytes_view(values: object) -> bytes | None:
    """The bytes of a one-byte-per-item buffer (array 'B', bytes, memoryview 'B'), or None."""
    if isinstance(values, bytes | bytearray):
        return bytes(values)
    if isinstance(values, array.array) and values.typecode == "B":
        return values.tobytes()
    if isinstance(values, memoryview) and values.format == "B" and values.ndim == 1:
        return values.tobytes()
    return None


def _items(values: object) -> list[Any] | None:
    """The items of any other sequence of samples (an array, a memoryview, a list), or None."""
    if isinstance(values, memoryview):
        return values.tolist() if values.ndim == 1 else None
    if isinstance(values, array.array | list | tuple):
        return list(values)
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _packed_availability(values: object) -> tuple[bytes, bytes, list[Problem]]:
    """Availability samples as bytes (1 up, 0 down, `MISSING`), their gaps, and their problems.

    The bytes are their own gaps: `MISSING` marks a step with no sample.
    """
    data = _bytes_view(values)
    if data is not None:
        if not data.translate(None, _AVAILABILITY_BYTES):
            return data, data, []
        bad = (i for i, byte in enumerate(data) if byte not in _AVAILABILITY_BYTES)
        return (
            data,
            data,
            [
                Problem(f"$.values[{i}]", "1 (up), 0 (down) or 255 (missing)", str(data[i]))
                for _, i in zip(range(_MAX_VALUE_PROBLEMS), bad, strict=False)
            ],
        )
    items = _items(values)
    if items is None:
        return b"", b"", [Problem("$.values", _SAMPLES, describe(values))]
    packed = bytearray(len(items))
    problems: list[Problem] = []
    for index, item in enumerate(items):
        if item is None or (isinstance(item, float) and isnan(item)):
            packed[index] = MISSING
        elif _is_number(item) and item in {0, 1}:
            packed[index] = int(item)
        elif len(problems) < _MAX_VALUE_PROBLEMS:
            problems.append(
                Problem(f"$.values[{index}]", "1 (up), 0 (down) or null (missing)", describe(item))
            )
    data = bytes(packed)
    return data, data, problems


_NEGATIVE_ZERO = struct.pack("=d", -0.0)


def _plain_doubles(values: object) -> bytes | None:
    """The bytes of an ``array('d')`` (or a view of one) with no NaN, no ``-0.0``, all in range.

    The common case, checked in C (``sum``, ``min``, ``max``, ``bytes.find``) rather
    than sample by sample; anything else returns None for the full check.
    """
    if isinstance(values, memoryview) and values.format == "d" and values.ndim == 1:
        values = array.array("d", values.tobytes())
    if not isinstance(values, array.array) or values.typecode != "d" or not values:
        return None
    total = sum(values)
    if isnan(total) or min(values) < 0.0 or max(values) == _INF:
        return None  # a NaN (the sum shows it), a negative or an infinite sample
    data = values.tobytes()
    return None if _NEGATIVE_ZERO in data else data  # a match off the item grid is rare too


def _packed_latencies(values: object) -> tuple[bytes, bytes, list[Problem]]:
    """Response times in ms as packed doubles (NaN missing), their gaps, and their problems.

    The gaps are one byte a step, `MISSING` where the step has no sample. Every
    NaN is stored as the one canonical NaN and ``-0.0`` as ``0.0``, so two series of
    the same samples hold the same bytes (equality and hashing read them).
    """
    plain = _plain_doubles(values)
    if plain is not None:
        return plain, bytes(len(plain) // 8), []
    items = _items(values)
    if items is None:
        return b"", b"", [Problem("$.values", _SAMPLES, describe(values))]
    if isinstance(values, array.array | memoryview):  # doubles: the packing was checked
        canonical = [_NAN if isnan(x) else x + 0.0 for x in items]  # floats only: no type checks
    else:
        canonical = [
            _NAN
            if x is None or (isinstance(x, float) and isnan(x))
            else float(x) + 0.0
            if _is_number(x)
            else x
            for x in items
        ]
    problems: list[Problem] = []
    for index, item in enumerate(canonical):
        if not isinstance(item, float):
            problems.append(
                Problem(f"$.values[{index}]", "a number of milliseconds or null", describe(item))
            )
        elif item < 0.0 or item == _INF:
            expected = "a finite number of milliseconds not below zero, or NaN (missing)"
            problems.append(Problem(f"$.values[{index}]", expected, repr(item)))
        if len(problems) >= _MAX_VALUE_PROBLEMS:
            break
    if problems:
        return b"", b"", problems
    gaps = bytes(MISSING if isnan(x) else 0 for x in canonical)
    return array.array("d", canonical).tobytes(), gaps, []


def _read_only(data: bytes, metric: Metric) -> memoryview:
    """A read-only view of packed samples: bytes for availability, doubles for latencies."""
    view = memoryview(data)
    if metric is Metric.AVAILABILITY:
        return view
    return cast("memoryview", view.cast("d"))  # typed by its items; a view all the same


def _rebuild(
    service: str, metric: Metric, start: dt.datetime, data: bytes, step: dt.timedelta
) -> SampleSeries:
    """Unpickle a `SampleSeries` from its packed bytes."""
    return SampleSeries(service, metric, start, _read_only(data, metric), step=step)


def _view_key(view: memoryview) -> bytes:
    return view.tobytes()


@attrs.frozen(init=False, repr=False)
class SampleSeries:
    """Samples of one metric of one service taken at a fixed step, packed for long data.

    A series starts at ``start`` and holds one value per ``step`` (60 seconds by
    default): step ``k`` covers ``[start + k*step, start + (k+1)*step)``. The
    metric decides the packing:

    | metric | packed as | a value is | missing |
    |---|---|---|---|
    | availability | ``array('B')``, one byte a step | 1 up, 0 down | 255 (`MISSING`) |
    | response time | ``array('d')``, a float a step | milliseconds, finite, not negative | NaN |

    ``values`` may be given as such an array (or a ``memoryview`` or ``bytes`` of
    one) **of the metric's own packing**, or as any list of numbers with ``None``
    for a missing step. An array or view of another typecode is refused at
    ``$.values`` (an ``array('i')`` of up/down samples, an ``array('B')`` of
    latencies whose 255 would read as 255 ms), except that an availability series
    also reads a ``memoryview`` of doubles (0.0, 1.0, NaN), the form JSON is read
    in. The samples are **copied** on construction, and ``series.values`` is a
    **read-only** ``memoryview`` of the copy (format ``'B'`` or ``'d'``), so
    nothing outside changes a series. A missing step counts as neither up nor down: evaluations
    report it as a coverage gap (S10).

    On the wire (`cloudsms.serialization`) ``values`` is a list of numbers with
    ``null`` for a missing step. Two series are equal when service, metric, start
    (as `cloudsms.periods.Period` compares instants), step and every sample are.

    Queries (`counts`, `down_spans`, `missing_spans`, `missing_time`, `latencies`)
    take the steps whose **start** falls in the period asked about (`steps_in`
    says how many). They work on the packed bytes and a byte-per-step map of the
    missing steps made once on construction, counting and finding runs in C
    (``bytes.count`` between two indexes, ``re``) and never looping over samples
    in Python, so a year of per-minute samples (525,600) is counted in about a
    millisecond, as fast as ``bytes.count`` over the same bytes.

    Serves S10 (monitoring data over a reporting period); ISO/IEC 20000-1:2011 6.1,
    6.3 and 6.2.

    Raises:
        ValidationError: every problem, each with its path: a malformed service id
            (``$.service``), a metric other than availability or response time
            (``$.metric``), a naive start (``$.start``), a step that is not a positive
            duration (``$.step``), no values, an array of another packing than the
            metric's (``$.values``, naming the typecode expected), a value the
            packing refuses (``$.values[3]``; at most 20 are listed), a series
            ending past the supported range.

    Examples:
        >>> import array, datetime as dt
        >>> start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
        >>> series = SampleSeries("crm", "availability", start, array.array("B", [1, 1, 0, 255]))
        >>> series.counts(series.period)
        SeriesCounts(up=2, down=1, missing=1)
        >>> [str(p) for p in series.down_spans(series.period)]
        ['[2026-10-01T00:02:00+00:00, 2026-10-01T00:03:00+00:00)']
        >>> series.values[3], series.values.readonly
        (255, True)
    """

    service: str
    metric: Metric
    start: dt.datetime = attrs.field(eq=instant_key)
    values: memoryview = attrs.field(eq=_view_key)
    step: dt.timedelta = _MINUTE
    _data: bytes = attrs.field(init=False, eq=False, repr=False)
    _gaps: bytes = attrs.field(init=False, eq=False, repr=False)
    _totals: tuple[int, int, int] = attrs.field(init=False, eq=False, repr=False)
    _rarity: tuple[int, int, int] = attrs.field(init=False, eq=False, repr=False)
    _origin: dt.timedelta = attrs.field(init=False, eq=False, repr=False)

    def __init__(
        self,
        service: str,
        metric: Metric | str,
        start: dt.datetime,
        values: object,
        *,
        step: dt.timedelta = _MINUTE,
    ) -> None:
        problems = id_problems(service, "$.service")
        kind = _series_metric(metric)
        if kind is None:
            problems.append(Problem("$.metric", _SERIES_METRIC, describe(metric)))
        problems += instant_problems(start, "$.start")
        given_step: object = step
        if not isinstance(given_step, dt.timedelta) or given_step <= dt.timedelta(0):
            problems.append(Problem("$.step", "a positive duration", describe(step)))
        data = gaps = b""
        if kind is not None:
            found = _packing_problems(values, kind)
            if not found:
                pack = _packed_availability if kind is Metric.AVAILABILITY else _packed_latencies
                data, gaps, found = pack(values)
            problems += found
            if not found and not data:
                problems.append(Problem("$.values", "one or more samples", "no samples"))
        if not problems:
            steps = len(data) // array.array(_TYPECODES[kind]).itemsize  # type: ignore[index]
            problems += self._range_problems(start, step, steps)
        if problems:
            raise ValidationError(problems, subject="SampleSeries")
        assert kind is not None  # noqa: S101 - every problem above was raised
        set_field = object.__setattr__
        set_field(self, "service", service)
        set_field(self, "metric", kind)
        set_field(self, "start", start)
        set_field(self, "values", _read_only(data, kind))
        set_field(self, "_data", data)
        set_field(self, "_gaps", gaps)
        totals = (0, 0, 0)
        if kind is Metric.AVAILABILITY:
            totals = (data.count(1), data.count(0), data.count(MISSING))
        set_field(self, "_totals", totals)
        set_field(self, "_rarity", tuple(sorted(range(3), key=totals.__getitem__)))
        set_field(self, "step", step)
        set_field(self, "_origin", since_epoch(start))

    @staticmethod
    def _range_problems(start: dt.datetime, step: dt.timedelta, steps: int) -> list[Problem]:
        try:
            Period(start, start.astimezone(_UTC) + step * steps)
        except (ValidationError, OverflowError):
            expected = "a series that ends inside the supported range (before 9000-01-01Z)"
            return [Problem("$.values", expected, f"{steps} steps of {step}")]
        return []

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (self.service, self.metric, self.start, self._data, self.step),
        )

    def __repr__(self) -> str:
        return (
            f"SampleSeries(service={self.service!r}, metric={self.metric.value!r}, "
            f"start={self.start.isoformat()!r}, step={self.step!r}, {len(self)} values)"
        )

    def __len__(self) -> int:
        """The number of steps."""
        return len(self.values)

    # ---------------------------------------------------------------- the timeline
    @property
    def end(self) -> dt.datetime:
        """The end of the last step (in the start's zone)."""
        return (self.start.astimezone(_UTC) + self.step * len(self)).astimezone(self.start.tzinfo)

    @property
    def period(self) -> Period:
        """The series' span: from its start to the end of its last step."""
        return Period(self.start, self.end)

    def _instant(self, index: int) -> dt.datetime:
        """The start of step ``index``, in the start's zone."""
        return instant_at(self._origin + index * self.step, self.start.tzinfo)

    def _steps(self, period: Period) -> tuple[int, int]:
        """The first and past-the-last index of the steps whose start falls in ``period``."""
        if not isinstance(period, Period):
            raise ValidationError.single(
                "$.period", "a Period", describe(period), subject="SampleSeries query"
            )
        step = self.step
        # ceil((p.start - origin) / step), and likewise for the end
        low = -((self._origin - since_epoch(period.start)) // step)
        high = -((self._origin - since_epoch(period.end)) // step)
        size = len(self.values)
        return min(max(low, 0), size), min(max(high, 0), size)

    def _only(self, metric: Metric, query: str) -> None:
        if self.metric is not metric:
            raise ValidationError.single(
                "$",
                f"{_a(metric.value)} series for {query}",
                f"{_a(self.metric.value)} series",
                subject="SampleSeries query",
            )

    def steps_in(self, period: Period) -> int:
        """How many steps start in ``period`` (those every query counts)."""
        low, high = self._steps(period)
        return high - low

    # ---------------------------------------------------------------- queries
    def counts(self, period: Period) -> SeriesCounts:
        """Up, down and missing steps among those whose start falls in ``period``.

        Counts the packed bytes between two indexes with ``bytes.count``, no Python
        loop: only the two rarest of the three values in the whole series (the third
        is what is left), and none the series never holds, so a series without
        missing steps takes one pass.

        Raises:
            ValidationError: the series is not an availability series, or ``period`` is
                not a `Period`.
        """
        self._only(Metric.AVAILABILITY, "counts")
        low, high = self._steps(period)
        found = [0, 0, 0]
        rarest, rarer, common = self._rarity
        for value in (rarest, rarer):
            if self._totals[value]:
                found[value] = self._data.count(_BYTE_OF[value], low, high)
        found[common] = high - low - found[rarest] - found[rarer]
        return SeriesCounts(*found)

    def _runs(
        self, pattern: re.Pattern[bytes], data: bytes, low: int, high: int
    ) -> tuple[Period, ...]:
        return tuple(
            Period(self._instant(match.start()), self._instant(match.end()))
            for match in pattern.finditer(data, low, high)
        )

    def down_spans(self, period: Period) -> tuple[Period, ...]:
        """The runs of down steps starting in ``period``, each run one `Period`.

        Each span covers whole steps, so the last may reach past the end of ``period``
        by less than a step when that end is not on a step boundary.

        Raises:
            ValidationError: the series is not an availability series, or ``period`` is
                not a `Period`.
        """
        self._only(Metric.AVAILABILITY, "down spans")
        low, high = self._steps(period)
        return self._runs(_DOWN_RUNS, self._data, low, high)

    def missing_spans(self, period: Period) -> tuple[Period, ...]:
        """The runs of missing steps starting in ``period`` (whole steps, as `down_spans`).

        Works for both kinds of series: 255 in an availability series, NaN in a
        response-time series.

        Raises:
            ValidationError: ``period`` is not a `Period`.
        """
        low, high = self._steps(period)
        return self._runs(_MISSING_RUNS, self._gaps, low, high)

    def missing_time(self, period: Period) -> dt.timedelta:
        """How long the missing steps starting in ``period`` last: the coverage gap."""
        low, high = self._steps(period)
        return self.step * self._gaps.count(MISSING, low, high)

    def latencies(self, period: Period) -> array.array[float]:
        """The measured response times (ms) of the steps starting in ``period``, NaN left out.

        A new ``array('d')`` in step order, the caller's to sort or change.

        Raises:
            ValidationError: the series is not a response-time series, or ``period`` is
                not a `Period`.
        """
        self._only(Metric.RESPONSE_TIME, "latencies")
        low, high = self._steps(period)
        chosen = array.array("d")
        chosen.frombytes(self._data[low * chosen.itemsize : high * chosen.itemsize])
        if self._gaps.count(MISSING, low, high):
            return array.array("d", [x for x in chosen if not isnan(x)])
        return chosen


# ---------------------------------------------------------------------- events
class EventKind(enum.StrEnum):
    """An event monitoring flags, and whether affected customers must hear of it at once.

    | kind | what happened | immediate notice |
    |---|---|---|
    | ``security_incident`` | a security incident touched the services | yes |
    | ``continuity_invoked`` | the provider invoked its service continuity plan | yes |
    | ``capacity_threshold`` | usage crossed a capacity threshold of the capacity plan | no |

    Serves S10 (events reported to customers without delay); ISO/IEC 20000-1:2011
    6.3 (continuity), 6.6 (information security) and 6.5 (capacity).
    """

    SECURITY_INCIDENT = "security_incident"
    CONTINUITY_INVOKED = "continuity_invoked"
    CAPACITY_THRESHOLD = "capacity_threshold"

    @property
    def immediate(self) -> bool:
        """Whether affected customers are to be told at once."""
        return _IMMEDIATE[self]


_IMMEDIATE = {
    EventKind.SECURITY_INCIDENT: True,
    EventKind.CONTINUITY_INVOKED: True,
    EventKind.CAPACITY_THRESHOLD: False,
}


@attrs.frozen(kw_only=True)
class Event(Record):
    """Something that happened to some services and may have to be told to customers.

    ``kind`` says what it was and whether customers must hear of it at once
    (`EventKind.immediate`); ``services`` names the services it touched, **an
    empty set meaning every service** (as for `Outage`); ``summary`` says what
    happened in a line; ``id`` is an optional reference.

    Serves S10 (immediate notice of events that affect customers); ISO/IEC
    20000-1:2011 6.3, 6.5 and 6.6.

    Raises:
        ValidationError: every problem of the fields, each with its path.

    Examples:
        >>> import datetime as dt
        >>> event = Event(
        ...     at=dt.datetime(2026, 10, 12, 3, tzinfo=dt.UTC),
        ...     kind=EventKind.CONTINUITY_INVOKED,
        ...     services={"crm"},
        ...     summary="Failed over to the second data centre",
        ... )
        >>> event.kind.immediate, event.affects("crm")
        (True, True)
    """

    at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    kind: EventKind
    services: frozenset[str] = attrs.field(
        validator=id_set(of="service"), converter=as_frozenset, factory=frozenset
    )
    summary: str = attrs.field(validator=text)
    id: str | None = attrs.field(validator=ident, default=None)

    def affects(self, service_id: str) -> bool:
        """Whether the event touched ``service_id``: it names it, or names no service at all."""
        return not self.services or service_id in self.services


# ---------------------------------------------------------------------- observations
@attrs.frozen(kw_only=True)
class Observations(Record):
    """Everything one evaluation reads: what monitoring and operations recorded.

    Each field is a tuple (built from any list): ``outages``, ``maintenance``
    windows (`cloudsms.operations.MaintenanceWindow`), single ``measurements``,
    packed ``series``, the ``incidents`` and service ``requests`` of S09, and
    ``events``. Order is kept as given; nothing is merged or deduplicated here
    (overlapping outages are merged where availability is computed).

    Built from Python or read from CSV files (`cloudsms.monitoring.read_observations`).
    Equal by value and picklable, so it crosses process boundaries (S10 fleets).

    Serves S10; ISO/IEC 20000-1:2011 6.1, 6.2, 6.3 and 6.5.

    Examples:
        >>> import datetime as dt
        >>> day = dt.datetime(2026, 10, 7, tzinfo=dt.UTC)
        >>> everywhere = Outage(day, day + dt.timedelta(minutes=5))
        >>> crm = Outage(day, day + dt.timedelta(minutes=9), services={"crm"})
        >>> seen = Observations(outages=[everywhere, crm])
        >>> len(seen.for_service("crm").outages), len(seen.for_service("mail").outages)
        (2, 1)
    """

    outages: tuple[Outage, ...] = attrs.field(converter=as_tuple, default=())
    maintenance: tuple[MaintenanceWindow, ...] = attrs.field(converter=as_tuple, default=())
    measurements: tuple[Measurement, ...] = attrs.field(converter=as_tuple, default=())
    series: tuple[SampleSeries, ...] = attrs.field(converter=as_tuple, default=())
    incidents: tuple[Incident, ...] = attrs.field(converter=as_tuple, default=())
    requests: tuple[ServiceRequest, ...] = attrs.field(converter=as_tuple, default=())
    events: tuple[Event, ...] = attrs.field(converter=as_tuple, default=())

    @property
    def is_empty(self) -> bool:
        """Whether no record of any kind is held.

        `cloudsms.monitoring.read_observations` reads a directory with none of its
        files as empty observations; a caller that must have data to judge (a
        monthly report) refuses those by this property rather than report every
        target as met for lack of downtime.
        """
        return not any(getattr(self, field.name) for field in attrs.fields(Observations))

    def for_service(self, service_id: str) -> Observations:
        """What concerns ``service_id``: records naming it, and those naming no service.

        Outages and events with no services (every service) are kept; maintenance
        windows, incidents, measurements and series are kept when they name the
        service; service requests, which name no service, are all kept.
        """

        def keep(items: Iterable[Any]) -> tuple[Any, ...]:
            return tuple(item for item in items if service_id in item.services)

        return Observations(
            outages=tuple(o for o in self.outages if o.affects(service_id)),
            maintenance=keep(self.maintenance),
            measurements=tuple(m for m in self.measurements if m.service == service_id),
            series=tuple(s for s in self.series if s.service == service_id),
            incidents=keep(self.incidents),
            requests=self.requests,
            events=tuple(e for e in self.events if e.affects(service_id)),
        )

    def merged(self, other: Observations) -> Observations:
        """These observations followed by ``other``'s, kind by kind (nothing deduplicated).

        Raises:
            ValidationError: ``other`` is not an `Observations` (at ``$.other``).
        """
        if not isinstance(other, Observations):
            raise ValidationError.single(
                "$.other", "an Observations", describe(other), subject="Observations"
            )
        return Observations(
            **{
                field.name: getattr(self, field.name) + getattr(other, field.name)
                for field in attrs.fields(Observations)
            }
        )
