"""Service targets an SLA states, and how a measured value is judged against them.

Serves S07 (an SLA sets service targets in objective, measurable terms, with the
exceptions to monitor) and S10, whose evaluators judge measurements against these
targets; ISO/IEC 20000-1:2011 6.1 (service level management) and 7.1 (what the
provider and the customer agreed).

- `Metric` names what a target measures; each metric has a canonical unit (or two,
  for capacity), the dimension a target must have, the bound that is good for it, and
  whether it needs a percentile (response time) or a priority (incident times, counted
  on the support-hours clock). `MEASURES` maps the catalogue's free-text ``measure``
  onto a metric (`metric_for`).
- `ServiceTarget` holds a `cloudsms.levels.ServiceLevel` (measure, bound, threshold
  quantity) or, for a qualitative objective, the name of a predicate; its
  `MeasurementPeriod`, its `UptimeBasis` and its `Exclusions` (announced maintenance
  with a minimum notice, outages by `OutageCause`); and optionally its
  `cloudsms.agreements.credits.CreditTerms`. Its threshold is converted once, when the
  target is built, to a `Decimal` in the canonical unit (``target.threshold`` in
  ``target.unit``).
- `judge` says whether an achieved value meets a target and by how much (`Judgement`);
  a plain `Decimal` or `int` already in the canonical unit takes the fast path, which
  never touches pint. Qualitative objectives are judged by a named predicate from a
  `Predicates` registry the caller owns (no process-wide state).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.exact import to_decimal
from cloudsms._foundation.frozen import as_frozenset
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import calendar_length, ident, text
from cloudsms._kit.records import Check, Record
from cloudsms.agreements.credits import CreditTerms, tier_problems
from cloudsms.errors import (
    InvalidDefinition,
    Problem,
    UnknownReference,
    ValidationError,
    describe,
)
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.units import (
    calendar_units,
    format_quantity,
    fraction_in,
    is_quantity,
    magnitude_in,
    same_dimension,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from cloudsms.periods import Period
    from cloudsms.units import Quantity

__all__ = [
    "MEASURES",
    "Exclusions",
    "Judgement",
    "MeasurementPeriod",
    "Metric",
    "OutageCause",
    "Predicates",
    "ServiceTarget",
    "UptimeBasis",
    "judge",
    "metric_for",
]


class OutageCause(enum.StrEnum):
    """Why a service was unavailable: the one list of causes the whole package uses.

    An SLA excludes outages by cause (`Exclusions`); operations (S09) and monitoring
    (S10) record the cause of each outage with these values.
    """

    PROVIDER = "provider"
    CUSTOMER = "customer"
    THIRD_PARTY = "third_party"
    FORCE_MAJEURE = "force_majeure"
    MAINTENANCE = "maintenance"
    SECURITY = "security"


@attrs.frozen
class _Spec:
    """One row of the metric table (see `Metric`)."""

    units: tuple[str, ...]
    bound: Bound | None
    what: str
    example: str
    percentile: bool = False
    priority: bool = False
    support_clock: bool = False


class Metric(enum.StrEnum):
    """What a service target measures; the table below is the data each metric carries.

    | metric | canonical unit | a target must be | good when | also needs |
    |---|---|---|---|---|
    | availability | ``percent`` | a percentage (at most 100 %) | at least | |
    | response time | ``second`` | a time | at most | a percentile |
    | incident response time | ``second`` (support hours) | a time | at most | a priority |
    | incident resolution time | ``second`` (support hours) | a time | at most | a priority |
    | request fulfilment time | ``second`` | a time | at most | |
    | throughput | ``request/second`` | requests per time | at least | |
    | recovery point objective | ``second`` | a time | at most | |
    | recovery time objective | ``second`` | a time | at most | |
    | capacity | ``byte`` or ``instance`` | a data size or a count of instances | at least | |
    | qualitative | none | a named predicate, no quantity | the predicate holds | |

    Serves S07 (targets in measurable terms) and S10; ISO/IEC 20000-1:2011 6.1.
    """

    AVAILABILITY = "availability"
    RESPONSE_TIME = "response time"
    INCIDENT_RESPONSE_TIME = "incident response time"
    INCIDENT_RESOLUTION_TIME = "incident resolution time"
    REQUEST_FULFILMENT_TIME = "request fulfilment time"
    THROUGHPUT = "throughput"
    RECOVERY_POINT_OBJECTIVE = "recovery point objective"
    RECOVERY_TIME_OBJECTIVE = "recovery time objective"
    CAPACITY = "capacity"
    QUALITATIVE = "qualitative"

    @property
    def units(self) -> tuple[str, ...]:
        """The canonical units: one per dimension a target may have (none if qualitative)."""
        return _SPECS[self].units

    @property
    def bound(self) -> Bound | None:
        """Which side of the threshold is good for this metric (None if qualitative)."""
        return _SPECS[self].bound

    @property
    def what(self) -> str:
        """What a target of this metric must be, as a message says it."""
        return _SPECS[self].what

    @property
    def needs_percentile(self) -> bool:
        """Whether a target states the percentile it is measured at (response time)."""
        return _SPECS[self].percentile

    @property
    def needs_priority(self) -> bool:
        """Whether a target is per incident priority (incident response and resolution)."""
        return _SPECS[self].priority

    @property
    def on_support_hours(self) -> bool:
        """Whether the metric runs on the agreed support-hours clock, not the wall clock."""
        return _SPECS[self].support_clock


_TIME = "a time quantity such as '4 h'"
_SPECS: Mapping[Metric, _Spec] = MappingProxyType(
    {
        Metric.AVAILABILITY: _Spec(
            ("percent",), Bound.AT_LEAST, "a percentage such as '99.9 %'", "99.9 %"
        ),
        Metric.RESPONSE_TIME: _Spec(("second",), Bound.AT_MOST, _TIME, "250 ms", percentile=True),
        Metric.INCIDENT_RESPONSE_TIME: _Spec(
            ("second",), Bound.AT_MOST, _TIME, "30 min", priority=True, support_clock=True
        ),
        Metric.INCIDENT_RESOLUTION_TIME: _Spec(
            ("second",), Bound.AT_MOST, _TIME, "4 h", priority=True, support_clock=True
        ),
        Metric.REQUEST_FULFILMENT_TIME: _Spec(("second",), Bound.AT_MOST, _TIME, "2 day"),
        Metric.THROUGHPUT: _Spec(
            ("request/second",),
            Bound.AT_LEAST,
            "requests per time such as '500 request/s'",
            "500 request/s",
        ),
        Metric.RECOVERY_POINT_OBJECTIVE: _Spec(("second",), Bound.AT_MOST, _TIME, "15 min"),
        Metric.RECOVERY_TIME_OBJECTIVE: _Spec(("second",), Bound.AT_MOST, _TIME, "4 h"),
        Metric.CAPACITY: _Spec(
            ("byte", "instance"),
            Bound.AT_LEAST,
            "a data size such as '10 TB' or a count such as '20 instance'",
            "10 TB",
        ),
        Metric.QUALITATIVE: _Spec((), None, "a predicate name, no quantity", ""),
    }
)

MEASURES: Mapping[str, Metric] = MappingProxyType(
    {
        **{metric.value: metric for metric in Metric if metric is not Metric.QUALITATIVE},
        "uptime": Metric.AVAILABILITY,
        "latency": Metric.RESPONSE_TIME,
        "time to own": Metric.INCIDENT_RESPONSE_TIME,
        "time to respond": Metric.INCIDENT_RESPONSE_TIME,
        "resolution time": Metric.INCIDENT_RESOLUTION_TIME,
        "time to resolve": Metric.INCIDENT_RESOLUTION_TIME,
        "request fulfillment time": Metric.REQUEST_FULFILMENT_TIME,
        "fulfilment time": Metric.REQUEST_FULFILMENT_TIME,
        "rpo": Metric.RECOVERY_POINT_OBJECTIVE,
        "rto": Metric.RECOVERY_TIME_OBJECTIVE,
        "storage": Metric.CAPACITY,
        "instances": Metric.CAPACITY,
    }
)
"""The catalogue's free-text measures and the metric each one means.

Keys are lower case with single spaces; `metric_for` reads a measure the same way
("Time  to Resolve" is "time to resolve"). Every metric's own value is a key, and so
are the names ITSM tools use (iTop's "time to own" and "time to resolve").
"""


@lru_cache(maxsize=256)
def _measure_key(measure: str) -> str:
    return " ".join(measure.split()).casefold()


def metric_for(measure: str) -> Metric:
    """The metric a catalogue ``measure`` names, by the `MEASURES` table.

    Case and spacing do not matter.

    Raises:
        UnknownReference: the table has no such measure (close matches suggested).

    Examples:
        >>> metric_for("Availability"), metric_for("time to resolve")
        (<Metric.AVAILABILITY: 'availability'>, <Metric.INCIDENT_RESOLUTION_TIME: ...>)
        >>> metric_for("availabilty")
        Traceback (most recent call last):
        ...
        cloudsms.errors.UnknownReference: unknown measure 'availabilty'; did you mean ...?
    """
    given: object = measure
    found = MEASURES.get(_measure_key(measure)) if isinstance(given, str) else None
    if found is None:
        key = _measure_key(measure) if isinstance(given, str) else given
        raise UnknownReference("measure", measure, suggestions=suggest(key, MEASURES))
    return found


class MeasurementPeriod(enum.StrEnum):
    """The calendar period a target is evaluated over, in the agreement's time zone."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    def containing(self, instant: dt.datetime, zone: dt.tzinfo) -> Period:
        """The whole calendar month, quarter or year in ``zone`` that holds ``instant``.

        Raises:
            ValidationError: ``instant`` is naive or outside the supported range.

        Examples:
            >>> import datetime as dt
            >>> from zoneinfo import ZoneInfo
            >>> berlin = ZoneInfo("Europe/Berlin")
            >>> when = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)  # 1 April in Berlin
            >>> print(MeasurementPeriod.QUARTER.containing(when, berlin))
            [2026-04-01T00:00:00+02:00, 2026-07-01T00:00:00+02:00)
        """
        from cloudsms.periods import Period, aware  # noqa: PLC0415

        local = aware(instant, "$.instant").astimezone(zone)
        return Period.starting(local, dt.timedelta(microseconds=1)).enclosing(self.value)


class UptimeBasis(enum.StrEnum):
    """What time a target expects the service to be up: round the clock, or service hours.

    With ``SERVICE_HOURS`` the agreement's `cloudsms.periods.SupportHours` say when
    uptime is expected (and when measurements count); outside them nothing is owed.
    """

    ALWAYS = "24x7"
    SERVICE_HOURS = "service hours"


def _no_maintenance_cause(causes: frozenset[OutageCause], path: str) -> list[Problem]:
    if OutageCause.MAINTENANCE in causes:
        expected = "causes without maintenance (announced maintenance: maintenance_notice)"
        return [Problem(path, expected, describe(sorted(causes)))]
    return []


@attrs.frozen(kw_only=True)
class Exclusions(Record):
    """The outages a target does not count, declared on the target itself (S07, S10).

    ``maintenance_notice``: maintenance announced at least this long (a calendar
    length) before it starts is excluded; ``None`` excludes no maintenance. Unannounced
    or late-announced maintenance always counts, so maintenance is never excluded by
    cause alone. ``causes``: outages with one of these causes are excluded whatever
    their notice (for example ``customer`` and ``force_majeure``).
    """

    maintenance_notice: relativedelta | None = attrs.field(validator=calendar_length, default=None)
    causes: frozenset[OutageCause] = attrs.field(
        validator=Check(_no_maintenance_cause), default=frozenset(), converter=as_frozenset
    )

    def excludes(
        self,
        cause: OutageCause,
        *,
        announced_at: dt.datetime | None = None,
        starts_at: dt.datetime | None = None,
    ) -> bool:
        """Whether an outage with ``cause`` is left out of the target's evaluation.

        For maintenance, give when it was announced and when it starts: it is excluded
        when the notice between the two is at least ``maintenance_notice`` (calendar
        arithmetic in the announcement's zone).

        Raises:
            ValidationError: ``cause`` is not an `OutageCause`, or an instant is naive.

        Examples:
            >>> import datetime as dt
            >>> rules = Exclusions(
            ...     maintenance_notice=relativedelta(days=5), causes={OutageCause.CUSTOMER}
            ... )
            >>> rules.excludes(OutageCause.CUSTOMER), rules.excludes(OutageCause.PROVIDER)
            (True, False)
            >>> monday = dt.datetime(2026, 5, 4, 22, tzinfo=dt.UTC)
            >>> rules.excludes(
            ...     OutageCause.MAINTENANCE,
            ...     announced_at=monday,
            ...     starts_at=monday + dt.timedelta(days=5),
            ... )
            True
            >>> rules.excludes(
            ...     OutageCause.MAINTENANCE,
            ...     announced_at=monday,
            ...     starts_at=monday + dt.timedelta(days=4),
            ... )
            False
        """
        from cloudsms.periods import add_calendar, aware  # noqa: PLC0415

        if not isinstance(cause, OutageCause):
            raise ValidationError.single(
                "$.cause", "an OutageCause", describe(cause), subject="Exclusion check"
            )
        if cause in self.causes:
            return True
        if cause is not OutageCause.MAINTENANCE or self.maintenance_notice is None:
            return False
        if announced_at is None or starts_at is None:
            return False
        announced = aware(announced_at, "$.announced_at")
        starts = aware(starts_at, "$.starts_at")
        return add_calendar(announced, self.maintenance_notice) <= starts


def _percentile_problems(value: Decimal, path: str) -> list[Problem]:
    if value.is_finite() and 0 < value < 100:  # noqa: PLR2004 - percent
        return []
    return [Problem(path, "a percentile above 0 and below 100, such as 99", str(value))]


_percentile = Check(_percentile_problems, expected="a percentile (Decimal) such as 99")


def _metric_of(target: ServiceTarget) -> Metric | None:
    """The target's metric, or None when its fields do not name one (checks report it)."""
    if target.predicate is not None and target.level is None:
        return Metric.QUALITATIVE
    level: object = target.level
    if not isinstance(level, ServiceLevel) or not isinstance(level.measure, str):
        return None
    return MEASURES.get(_measure_key(level.measure))


def _unit_of(target: ServiceTarget) -> str:
    """The canonical unit the target's threshold fits ('' if none does, or qualitative)."""
    metric = _metric_of(target)
    level: object = target.level
    if metric is None or not isinstance(level, ServiceLevel) or not is_quantity(level.target):
        return ""
    return _canonical_unit(metric, level.target)


_CANONICAL: dict[tuple[Metric, object], str] = {}
"""`_canonical_unit` remembered per metric and units: the same few units recur."""


def _canonical_unit(metric: Metric, threshold: Quantity) -> str:
    """The metric's canonical unit of the threshold's dimension ('' if none is)."""
    key = (metric, threshold.units)
    found = _CANONICAL.get(key)
    if found is None:
        found = next((unit for unit in metric.units if same_dimension(threshold, unit)), "")
        if len(_CANONICAL) < 1024:  # noqa: PLR2004 - a bound on the memo, not a rule
            _CANONICAL[key] = found
    return found


def _threshold_of(target: ServiceTarget) -> Decimal:
    """The threshold in the canonical unit, computed once (0 where there is none)."""
    unit = target.unit
    level = target.level
    if not unit or level is None or calendar_units(level.target):
        return Decimal(0)
    threshold = level.target
    key = (threshold.magnitude, threshold.units, unit)
    found = _THRESHOLDS.get(key)
    if found is None:
        found = magnitude_in(threshold, unit)
        if len(_THRESHOLDS) < 4096:  # noqa: PLR2004 - a bound on the memo, not a rule
            _THRESHOLDS[key] = found
    return found


_THRESHOLDS: dict[tuple[object, object, str], Decimal] = {}
"""Converted thresholds, remembered: a fleet of agreements repeats the same few levels.

Equal magnitudes (1 and 1.0 of a unit) share an entry: they convert to the same Decimal.
"""


def _sign_of(target: ServiceTarget) -> int:
    """+1 when more is better (at least), -1 when less is better, 0 if not quantitative."""
    if not target.unit or target.level is None:
        return 0
    return 1 if target.level.bound is Bound.AT_LEAST else -1


@attrs.frozen(kw_only=True)
class ServiceTarget(Record):
    """One target of an SLA: a service level to meet, or a qualitative objective (S07).

    A quantitative target holds a `cloudsms.levels.ServiceLevel` in ``level``: its
    ``measure`` names the metric (by `MEASURES`), its ``bound`` must be the metric's
    (availability at least, times at most, ...), and its ``target`` is the threshold
    quantity, of the metric's dimension. A qualitative objective holds instead the
    name of a predicate in ``predicate`` (judged by `judge` with a `Predicates`
    registry) and a ``description``. Response time states its ``percentile``; incident
    response and resolution times state the ``priority`` id they apply to (from the
    agreement's priority scale) and run on the support-hours clock. ``period``,
    ``uptime`` and ``exclusions`` say how achievement is measured; ``credits`` the
    credit a breach earns (see `cloudsms.agreements.credits`; its tiers are checked
    against this target's threshold and bound).

    ``metric``, ``unit`` and ``threshold`` are derived when the target is built (not
    written to JSON): the threshold as a `Decimal` in the canonical unit, so judging a
    number needs no unit conversion. Serves S07 and S10; ISO/IEC 20000-1:2011 6.1.

    Examples:
        >>> from cloudsms.units import quantity
        >>> target = ServiceTarget(
        ...     id="api-latency",
        ...     level=ServiceLevel(
        ...         measure="latency", bound=Bound.AT_MOST, target=quantity("250 ms")
        ...     ),
        ...     percentile=Decimal(99),
        ... )
        >>> target.metric, target.threshold, target.unit
        (<Metric.RESPONSE_TIME: 'response time'>, Decimal('0.25'), 'second')
        >>> ServiceTarget(
        ...     id="api-latency",
        ...     level=ServiceLevel(
        ...         measure="latency", bound=Bound.AT_MOST, target=quantity("250 MB")
        ...     ),
        ...     percentile=Decimal(99),
        ... )
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: ServiceTarget is invalid (1 problem):
          - expected a time quantity such as '4 h', got 250 MB @ $.level.target
    """

    id: str = attrs.field(validator=ident)
    level: ServiceLevel | None = None
    predicate: str | None = attrs.field(validator=ident, default=None)
    description: str | None = attrs.field(validator=text, default=None)
    percentile: Decimal | None = attrs.field(validator=_percentile, default=None)
    priority: str | None = attrs.field(validator=ident, default=None)
    period: MeasurementPeriod = MeasurementPeriod.MONTH
    uptime: UptimeBasis = UptimeBasis.ALWAYS
    exclusions: Exclusions = attrs.field(factory=Exclusions)
    credits: CreditTerms | None = None
    metric: Metric = attrs.field(
        init=False,
        repr=False,
        default=attrs.Factory(lambda t: _metric_of(t) or Metric.QUALITATIVE, takes_self=True),
    )
    unit: str = attrs.field(
        init=False, repr=False, default=attrs.Factory(_unit_of, takes_self=True)
    )
    threshold: Decimal = attrs.field(
        init=False, repr=False, default=attrs.Factory(_threshold_of, takes_self=True)
    )
    sign: int = attrs.field(
        init=False, repr=False, default=attrs.Factory(_sign_of, takes_self=True)
    )

    def _rules(self) -> Iterator[Problem]:
        """A level or a predicate; the level fits its metric; the metric's extra fields."""
        if (self.level is None) == (self.predicate is None):
            got = "both" if self.level is not None else "neither"
            yield Problem("level", "a ServiceLevel or a predicate name, not both", got)
            return
        if self.level is None:
            yield from self._qualitative_rules()
            return
        metric = _metric_of(self)
        if metric is None:
            measure = self.level.measure
            close = suggest(_measure_key(measure), MEASURES)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            yield Problem(
                "level.measure", f"a measure of the MEASURES table{hint}", describe(measure)
            )
            return
        yield from self._level_rules(metric, self.level)
        yield from self._extra_rules(metric)

    def _qualitative_rules(self) -> Iterator[Problem]:
        if self.description is None:
            yield Problem("description", "a description of the qualitative objective", "null")
        for name in ("percentile", "priority", "credits"):
            value = getattr(self, name)
            if value is not None:
                yield Problem(name, "null for a qualitative objective", describe(value))

    def _level_rules(self, metric: Metric, level: ServiceLevel) -> Iterator[Problem]:
        if not self.unit:
            yield Problem("level.target", metric.what, format_quantity(level.target))
            return
        if level.bound is not metric.bound:
            expected = f"{metric.bound} for {metric.value}"
            yield Problem("level.bound", expected, describe(level.bound.value))
        if metric is Metric.AVAILABILITY and self.threshold > 100:  # noqa: PLR2004 - percent
            yield Problem(
                "level.target", "an availability of at most 100 %", format_quantity(level.target)
            )
        if self.credits is not None:
            yield from tier_problems(
                self.credits, self.unit, fraction_in(level.target, self.unit), level.bound
            )

    def _extra_rules(self, metric: Metric) -> Iterator[Problem]:
        if metric.needs_percentile and self.percentile is None:
            yield Problem(
                "percentile", f"the percentile the {metric.value} is measured at", "null"
            )
        if not metric.needs_percentile and self.percentile is not None:
            yield Problem("percentile", f"null for {metric.value}", describe(self.percentile))
        if metric.needs_priority and self.priority is None:
            yield Problem("priority", f"the priority id the {metric.value} applies to", "null")
        if not metric.needs_priority and self.priority is not None:
            yield Problem("priority", f"null for {metric.value}", describe(self.priority))

    def exact_threshold(self) -> Fraction:
        """The threshold in the canonical unit as an exact fraction (0 if qualitative)."""
        if self.level is None:
            return Fraction(0)
        return fraction_in(self.level.target, self.unit)

    def achieved_fraction(self, achieved: object, *, path: str = "$.achieved") -> Fraction:
        """An achieved value (a quantity, or a Decimal or int in the canonical unit) exactly.

        Raises:
            ValidationError: the target is qualitative, or ``achieved`` is a float, not
                finite, of another dimension, or in calendar units (at ``path``).
        """
        if self.level is None:
            raise ValidationError.single(
                path,
                "a predicate's evidence (a qualitative objective)",
                describe(achieved),
                subject="Service target",
            )
        kind = type(achieved)
        if kind is Decimal or kind is int:
            number: Any = achieved
            if kind is Decimal and not number.is_finite():
                raise _not_achieved(self, achieved, path)
            return Fraction(number)
        if not is_quantity(achieved) or calendar_units(achieved):
            raise _not_achieved(self, achieved, path)
        if not same_dimension(achieved, self.unit):
            raise _not_achieved(self, achieved, path)
        return fraction_in(achieved, self.unit)


def _not_achieved(target: ServiceTarget, achieved: object, path: str) -> ValidationError:
    expected = (
        f"a finite Decimal or int in {target.unit}, or a quantity convertible to it "
        "(a float is inexact; a calendar month or year varies)"
    )
    return ValidationError.single(path, expected, describe(achieved), subject="Service target")


@attrs.frozen(kw_only=True)
class Judgement:
    """Whether an achieved value met a target, and the margin (S10's evaluation of S07).

    ``margin`` is in the target's canonical unit, positive when the achievement is
    better than the threshold and negative when worse (zero: exactly on it, which
    meets the target); ``None`` for a qualitative objective. A result, built by `judge`
    only, so it carries no checks of its own.
    """

    met: bool
    margin: Decimal | None


# The margin is a difference of two numbers in canonical units, in our own context:
# 38 significant digits, half to even, never the caller's precision.
_MARGIN = Context(prec=38, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])
_subtract = _MARGIN.subtract


class Predicates:
    """A registry of named predicates that judge qualitative objectives; the caller owns it.

    Register a callable taking the evidence and returning a bool under a name (an
    id), then pass the registry to `judge`. Nothing is registered process-wide.

    Examples:
        >>> predicates = Predicates()
        >>> @predicates.register("data-in-eu")
        ... def in_eu(locations):
        ...     return set(locations) <= {"DE", "FR", "IE"}
        >>> predicates.names()
        ('data-in-eu',)
    """

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[str, Callable[[Any], bool]] = {}

    def register(self, name: str) -> Callable[[Callable[[Any], bool]], Callable[[Any], bool]]:
        """A decorator registering its function as the predicate ``name``.

        Raises:
            InvalidDefinition: ``name`` is not an id, or is registered already with
                another function.
        """
        faults = ident.problems(name, "$.name")
        if faults:
            raise InvalidDefinition(f"predicate {name!r}", [str(p) for p in faults])

        def add(function: Callable[[Any], bool]) -> Callable[[Any], bool]:
            known = self._known.get(name)
            if not callable(function):
                raise InvalidDefinition(f"predicate {name!r}", ["a predicate is callable"])
            if known is not None and known is not function:
                raise InvalidDefinition(
                    f"predicate {name!r}", ["the name is registered with another function"]
                )
            self._known[name] = function
            return function

        return add

    def names(self) -> tuple[str, ...]:
        """The registered names, sorted."""
        return tuple(sorted(self._known))

    def judge(self, name: str, evidence: object) -> bool:
        """Whether the predicate ``name`` holds for ``evidence``.

        Raises:
            UnknownReference: no predicate has that name (close names suggested).
            ValidationError: the predicate returned something other than a bool.
        """
        function = self._known.get(name)
        if function is None:
            raise UnknownReference("predicate", name, suggestions=suggest(name, self._known))
        result = function(evidence)
        if not isinstance(result, bool):
            raise ValidationError.single(
                f"$.predicates[{name!r}]",
                "a bool from the predicate",
                describe(result),
                subject="Qualitative objective",
            )
        return result


def judge(
    target: ServiceTarget, achieved: object, *, predicates: Predicates | None = None
) -> Judgement:
    """Whether ``achieved`` meets ``target``, and by how much (`Judgement`).

    ``achieved`` is a quantity (converted exactly to the target's canonical unit) or
    a `Decimal` or `int` already in that unit: the fast path for evaluators, a
    comparison with the threshold computed when the target was built, no pint.
    Meeting the threshold exactly meets the target. For a qualitative objective,
    ``achieved`` is the evidence given to its predicate in ``predicates``.

    Raises:
        ValidationError: ``achieved`` is a float, not finite, or of another dimension
            (path ``$.achieved``).
        UnknownReference: a qualitative objective's predicate is not registered.

    Examples:
        >>> from cloudsms.units import quantity
        >>> target = ServiceTarget(
        ...     id="uptime",
        ...     level=ServiceLevel(
        ...         measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
        ...     ),
        ... )
        >>> judge(target, Decimal("99.95"))
        Judgement(met=True, margin=Decimal('0.05'))
        >>> judge(target, quantity("0.998"))
        Judgement(met=False, margin=Decimal('-0.1'))
    """
    kind = type(achieved)
    if kind is Decimal or kind is int:
        number: Any = achieved
        sign = target.sign
        if sign and (kind is int or number.is_finite()):
            if sign > 0:
                margin = _subtract(number, target.threshold)
            else:
                margin = _subtract(target.threshold, number)
            return Judgement(met=margin >= 0, margin=margin)
    if target.predicate is not None:
        if predicates is None:
            raise UnknownReference("predicate", target.predicate)
        return Judgement(met=predicates.judge(target.predicate, achieved), margin=None)
    exact = target.achieved_fraction(achieved)
    difference = exact - target.exact_threshold()
    margin = to_decimal(difference if target.sign > 0 else -difference)
    return Judgement(met=margin >= 0, margin=margin)
