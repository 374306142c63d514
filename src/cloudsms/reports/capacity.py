"""Capacity plans as data, a plain-text report and a chart (S11).

`cloudsms.resources.capacity.CapacityPlan` says, per resource type of a pool, how
full the pool is, how fast it fills and when each threshold is reached; these
functions turn a plan into what ``cloudsms capacity show`` prints and what an analyst
looks at:

- `capacity_plan_data`: JSON-ready data with a fixed shape (documented in
  ``docs/cli.md``, "Capacity"): every quantity as its wire text (``"59 vcpu"``),
  every exact fraction as decimal text (exact where its decimals end, else 38
  significant digits), dates as ISO 8601;
- `capacity_plan_table`: the plan for people, one block per resource type, every
  text from the pool escaped, and `capacity_left_out_note`, the line saying which
  allocations were not the pool's;
- `capacity_chart`: a matplotlib figure of utilisation over time and its projection
  against the warn and act levels, one axes per type, from the optional extra
  ``analysis``, imported only when asked for.

Serves S11 (a capacity plan with thresholds and a growth projection, reclaimable
capacity beside it) and ISO/IEC 20000-1:2011 6.2 (service reporting) and 6.5
(capacity management).
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from cloudsms._foundation.exact import plain, to_decimal
from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms._kit.durations import format_duration
from cloudsms.errors import ValidationError, describe
from cloudsms.periods import add_calendar
from cloudsms.reports._table import escape_text
from cloudsms.resources.capacity import (
    CapacityLeftOut,
    CapacityLine,
    CapacityPlan,
    Projection,
    ThresholdDate,
)
from cloudsms.units import format_quantity

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cloudsms.resources import ReclaimCandidate

__all__ = [
    "capacity_chart",
    "capacity_left_out_note",
    "capacity_plan_data",
    "capacity_plan_table",
]

_SUBJECT = "Capacity plan report"
_EXTRA = "pip install 'cloudsms[analysis]'"
_WIDE = Context(prec=80)
_PERCENT_PLACES = 2
_FIT_PLACES = 4
_SLOPE_PLACES = 4


def _checked(plan: object) -> CapacityPlan:
    raise_problems(instance_problems(plan, CapacityPlan, "$.plan"), _SUBJECT)
    return cast("CapacityPlan", plan)


# ---------------------------------------------------------------------- text of values
def _decimal(value: Fraction) -> str:
    """Exact decimal text where the decimals end, else 38 significant digits."""
    return plain(to_decimal(value))


def _optional(value: Fraction | None) -> str | None:
    return None if value is None else _decimal(value)


def _unit(line: CapacityLine) -> str:
    return format_quantity(line.capacity).partition(" ")[2]


def _cut(value: Fraction, places: int) -> str:
    """``value`` with at most ``places`` decimals, half to even; ``~`` in front when cut."""
    scaled = value * 10**places
    if scaled.denominator == 1:
        text = plain(Decimal(scaled.numerator).scaleb(-places, _WIDE))
        return text.rstrip("0").rstrip(".") if "." in text else text
    return "~" + plain(Decimal(round(scaled)).scaleb(-places, _WIDE))


def _percent(value: Fraction) -> str:
    return f"{_cut(value * 100, _PERCENT_PLACES)} %"


# ---------------------------------------------------------------------- data
def _projection_data(projection: Projection) -> dict[str, Any]:
    return {
        "method": projection.method,
        "samples": projection.samples,
        "r_squared": _optional(projection.r_squared),
        "slope_per_day": _optional(projection.slope_per_day),
        "origin": None if projection.origin is None else projection.origin.isoformat(),
        "intercept": _decimal(projection.intercept),
        "slope": _decimal(projection.slope),
        "season": [_decimal(index) for index in projection.season],
    }


def _date_data(found: ThresholdDate) -> dict[str, Any]:
    return {
        "name": found.name,
        "fraction": _decimal(found.fraction),
        "on": None if found.on is None else found.on.isoformat(),
        "already": found.already,
        "by": found.by,
    }


def _left_out_data(left: CapacityLeftOut) -> dict[str, Any]:
    return {
        "allocations": left.allocations,
        "other_locations": [
            {"location": g.name, "allocations": g.allocations, "close": list(g.close)}
            for g in left.other_locations
        ],
        "other_types": [
            {"resource_type": g.name, "allocations": g.allocations, "close": list(g.close)}
            for g in left.other_types
        ],
    }


def _candidate_data(candidate: ReclaimCandidate) -> dict[str, Any]:
    held = candidate.allocation
    return {
        "customer": held.customer,
        "agreement": held.agreement,
        "service": held.service,
        "resource_id": held.resource_id,
        "quantity": format_quantity(held.quantity),
        "since": held.since.isoformat(),
        "unused_since": candidate.unused_since.isoformat(),
        "days_unused": candidate.days_unused,
    }


def _line_data(line: CapacityLine) -> dict[str, Any]:
    return {
        "resource_type": line.resource_type,
        "unit": _unit(line),
        "capacity": format_quantity(line.capacity),
        "held": format_quantity(line.held),
        "utilisation": _optional(line.utilisation),
        "scheduled_peak": format_quantity(line.scheduled_peak),
        "thresholds": {
            "warn": _decimal(line.thresholds.warn),
            "act": _decimal(line.thresholds.act),
        },
        "projection": _projection_data(line.projection),
        "dates": [_date_data(found) for found in line.dates],
        "reclaimable": None if line.reclaimable is None else format_quantity(line.reclaimable),
        "candidates": [_candidate_data(candidate) for candidate in line.candidates],
    }


def capacity_plan_data(plan: CapacityPlan) -> dict[str, Any]:
    """The plan as JSON-ready data with a fixed shape.

    Keys: ``pool`` (``id``, ``name``, ``location``), ``as_of`` (ISO 8601 with its
    offset), ``horizon`` (an ISO 8601 duration, ``"P3Y"``) and ``horizon_end`` (the
    last instant a threshold date is looked for), and ``lines``, one per resource type
    in the pool's order, each with ``resource_type``, ``unit`` (the capacity's),
    ``capacity``, ``held`` and ``scheduled_peak`` (wire text, ``"59 vcpu"``),
    ``utilisation`` (decimal text; ``null`` for a capacity of zero), ``thresholds``
    (``warn``, ``act``), ``projection`` (``method``: ``linear``, ``seasonal`` or
    ``none``; ``samples``, a count; ``r_squared`` and ``slope_per_day``, ``null``
    without a fit; ``origin``, the first sample's date; ``intercept``, ``slope`` (per
    day, or per month for a seasonal fit) and ``season``, the twelve monthly indices
    of a seasonal fit, January first), ``dates`` (per threshold ``warn``, ``act``
    and ``full``: its ``name``, ``fraction``, ``on``, an ISO date or ``null`` when
    not reached within the horizon, ``already``, and ``by``, what decided the date:
    ``held`` when reached already, ``scheduled`` when the holdings already booked
    reach it first, ``projection`` when the projection does, ``null`` without a
    date), ``reclaimable`` (wire text, or ``null`` when no usage was given) and
    ``candidates`` (each holding that could be reclaimed: ``customer``,
    ``agreement``, ``service``, ``resource_id``, ``quantity``, ``since``,
    ``unused_since``, ``days_unused``); then ``left_out``, the allocations that are
    not the pool's: ``allocations`` (their number), ``other_locations`` (each with
    ``location``, ``allocations`` and ``close``, the pool's location when the two are
    close) and ``other_types`` (each with ``resource_type``, ``allocations`` and
    ``close``, the pool's types close to it).

    Every fraction is decimal text: exact where its decimals end, else 38
    significant digits, half to even. Counts (``samples``, ``days_unused``,
    ``allocations``) are JSON integers.

    Raises:
        ValidationError: ``plan`` is not a `cloudsms.resources.capacity.CapacityPlan`
            (``$.plan``).
    """
    checked = _checked(plan)
    return {
        "pool": {
            "id": checked.pool.id,
            "name": checked.pool.name,
            "location": checked.pool.location,
        },
        "as_of": checked.as_of.isoformat(),
        "horizon": format_duration(checked.horizon),
        "horizon_end": add_calendar(checked.as_of, checked.horizon).isoformat(),
        "lines": [_line_data(line) for line in checked.lines],
        "left_out": _left_out_data(checked.left_out),
    }


# ---------------------------------------------------------------------- the table
def _signed(value: Fraction, unit: str, per: str) -> str:
    if not value:
        return "flat"
    sign = "+" if value > 0 else "-"
    shown = _cut(abs(value), _SLOPE_PLACES)
    cut, digits = ("~", shown[1:]) if shown.startswith("~") else ("", shown)
    return f"{cut}{sign}{digits} {unit} a {per}"


def _projection_text(line: CapacityLine) -> str:
    projection = line.projection
    unit = escape_text(_unit(line))
    if projection.method == "none":
        count = projection.samples
        why = "no history before as_of" if not count else f"{count} sample, two are needed"
        return f"none ({why}): what is held is carried forward"
    fit = (
        "r² -" if projection.r_squared is None else f"r² {_cut(projection.r_squared, _FIT_PLACES)}"
    )
    if projection.method == "linear":
        span = f"linear over {projection.samples} days from {projection.origin}"
        return f"{span}, {fit}, {_signed(projection.slope, unit, 'day')}"
    span = f"seasonal over {projection.samples} months from {projection.origin}"
    return f"{span}, {fit}, trend {_signed(projection.slope, unit, 'month')}"


def _date_text(found: ThresholdDate, until: dt.datetime) -> str:
    if found.already:
        return f"reached already ({found.on})"
    if found.on is None:
        return f"not reached by {until.date().isoformat()}"
    decided = "scheduled" if found.by == "scheduled" else "projected"
    return f"{found.on.isoformat()} ({decided})"


def _candidate_text(candidate: ReclaimCandidate) -> str:
    held = candidate.allocation
    which = held.resource_id or "(no resource id)"
    return escape_text(
        f"{which}: {format_quantity(held.quantity)} of {held.customer} under {held.agreement},"
        f" unused {candidate.days_unused} days"
    )


def _block(line: CapacityLine, until: dt.datetime) -> list[str]:
    share = "" if line.utilisation is None else f" ({_percent(line.utilisation)})"
    summary = (
        f"{escape_text(line.resource_type)}: {escape_text(format_quantity(line.held))} held of"
        f" {escape_text(format_quantity(line.capacity))}{share}; at most"
        f" {escape_text(format_quantity(line.scheduled_peak))} from then on, scheduled included"
    )
    lines = [summary, f"  projection: {_projection_text(line)}"]
    labels = {
        found.name: f"{found.name} at {_percent(found.fraction)}"
        if found.name != "full"
        else "full"
        for found in line.dates
    }
    width = max(len(label) for label in labels.values()) + 1
    lines += [
        f"  {(labels[found.name] + ':').ljust(width)} {_date_text(found, until)}"
        for found in line.dates
    ]
    if line.reclaimable is None:
        lines.append("  reclaimable: not judged (no usage given)")
    else:
        count = len(line.candidates)
        noun = "holding" if count == 1 else "holdings"
        lines.append(
            f"  reclaimable: {escape_text(format_quantity(line.reclaimable))} in {count} {noun}"
        )
        lines += [f"    {_candidate_text(candidate)}" for candidate in line.candidates]
    return lines


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _hint(close: tuple[str, ...]) -> str:
    return f" (did you mean {' or '.join(escape_text(c) for c in close)}?)" if close else ""


def capacity_left_out_note(plan: CapacityPlan) -> str:
    """One line saying which allocations ``plan`` left out, or ``""`` when none.

    An allocation of another location, or of a type the pool has no capacity for,
    counts nowhere in the plan, so a location or a type id typed wrong in a CSV file
    would otherwise show only as a pool emptier than it is. The note counts them by
    location and by type, with a "did you mean" for a location close to the pool's
    (or equal to it but for case) and a type close to one of the pool's, every name
    escaped::

        Left out: 3 allocations: 2 of location eu-centrl (did you mean eu-central?),
        1 of type vpcu, which the pool has no capacity for (did you mean vcpu?)

    (one line). `capacity_plan_table` ends with it, and ``cloudsms capacity show``
    prints it on standard error with ``--format json``. Serves S11 (demand kept
    within capacity: every holding accounted for) and ISO/IEC 20000-1:2011 6.5.

    Raises:
        ValidationError: ``plan`` is not a `cloudsms.resources.capacity.CapacityPlan`.
    """
    left = _checked(plan).left_out
    if not left:
        return ""
    reasons = [
        f"{group.allocations} of location {escape_text(group.name)}{_hint(group.close)}"
        for group in left.other_locations
    ]
    reasons += [
        f"{group.allocations} of type {escape_text(group.name)}, which the pool has no"
        f" capacity for{_hint(group.close)}"
        for group in left.other_types
    ]
    return f"Left out: {_count(left.allocations, 'allocation')}: {', '.join(reasons)}"


def capacity_plan_table(plan: CapacityPlan) -> str:
    """The plan as plain text for people: a block per resource type.

    A heading names the pool, ``as_of`` and the end of the horizon. Each type
    follows: what is held of the capacity and its share (two decimals at most, ``~``
    marking one cut there), the most held from ``as_of`` on with scheduled holdings;
    the projection (its method, samples, r² and slope, or why there is none); the
    date of each threshold (``reached already``; a date followed by ``(scheduled)``
    when the holdings already booked reach it first, or by ``(projected)`` when the
    projection does; or ``not reached by`` the horizon's end); and the capacity that
    could be reclaimed, each candidate holding named (or ``not judged`` when no usage
    was given). When allocations were left out, `capacity_left_out_note` is the last
    line. Every text from the pool and the allocations is escaped.

    Raises:
        ValidationError: ``plan`` is not a `cloudsms.resources.capacity.CapacityPlan`.
    """
    checked = _checked(plan)
    pool = checked.pool
    until = add_calendar(checked.as_of, checked.horizon)
    heading = (
        f"Capacity plan of pool {escape_text(pool.id)} ({escape_text(pool.name)},"
        f" {escape_text(pool.location)}) as of {checked.as_of.isoformat()}"
    )
    horizon = (
        f"Threshold dates are looked for up to {until.isoformat()}"
        f" ({format_duration(checked.horizon)} ahead); days are UTC days."
    )
    lines = [heading, horizon]
    for line in checked.lines:
        lines += ["", *_block(line, until)]
    if not checked.lines:
        lines += ["", "(the pool has no capacity)"]
    if note := capacity_left_out_note(checked):
        lines += ["", note]
    return "\n".join(lines)


# ---------------------------------------------------------------------- the chart
def _extra(module: str, wanted_by: str) -> Any:  # noqa: ANN401 - a module of the extra
    """``module`` from the ``analysis`` extra, or an ImportError saying how to install it."""
    top = module.partition(".")[0]
    try:
        return importlib.import_module(module)
    except ImportError as missing:
        message = f"{wanted_by} needs {top}, which is not installed: {_EXTRA}"
        raise ImportError(message, name=top) from missing


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _projected(
    line: CapacityLine, first: dt.date, last: dt.date
) -> list[tuple[dt.date, Fraction]]:
    """The projection's points from ``first`` to ``last``: its ends, and each month's start."""
    projection = line.projection
    days = [first]
    if projection.method == "seasonal":
        month = dt.date(first.year, first.month, 1)
        while True:
            month = (month + dt.timedelta(days=32)).replace(day=1)
            if month > last:
                break
            days.append(month)
    if last > first:
        days.append(last)
    return [(day, projection.at(day)) for day in days]


def _draw(
    ax: Axes,
    dates: Any,  # noqa: ANN401 - matplotlib.dates, imported lazily
    line: CapacityLine,
    as_of: dt.datetime,
    until: dt.datetime,
) -> None:
    capacity = Fraction(line.capacity.magnitude)
    title = f"{line.resource_type} of {format_quantity(line.capacity)}"
    ax.set_title(title)
    ax.set_ylabel("held (% of capacity)")
    if not capacity:
        ax.text(0.5, 0.5, "no capacity", transform=ax.transAxes, ha="center")
        return
    points = line.projection.points
    if points:
        ax.plot(
            dates.date2num([_midnight(p.on) for p in points]),
            [float(p.held / capacity * 100) for p in points],
            label="held",
        )
    first = as_of.astimezone(dt.UTC).date()
    last = until.astimezone(dt.UTC).date()
    full = line.date_of("full")
    if full.on is not None and not full.already:  # past full, the line says no more
        last = min(last, full.on + max((full.on - first) / 4, dt.timedelta(days=7)))
    projected = _projected(line, first, last)
    ax.plot(
        dates.date2num([_midnight(day) for day, _ in projected]),
        [float(value / capacity * 100) for _, value in projected],
        linestyle="--",
        drawstyle="steps-post" if line.projection.method == "seasonal" else "default",
        label=f"projection ({line.projection.method})",
    )
    for found in line.dates:
        if found.name == "full":
            ax.axhline(100, color="black", linewidth=0.8)
        else:
            ax.axhline(
                float(found.fraction * 100),
                linestyle=":",
                color="tab:orange" if found.name == "warn" else "tab:red",
                label=f"{found.name} {_percent(found.fraction)}",
            )
        if found.on is not None and not found.already:
            ax.axvline(dates.date2num(_midnight(found.on)), color="grey", linewidth=0.5)
    ax.axvline(
        dates.date2num(as_of.astimezone(dt.UTC)), color="grey", linestyle="-.", label="as of"
    )
    seen = [float(p.held / capacity * 100) for p in points]
    seen.append(float(Fraction(line.scheduled_peak.magnitude) / capacity * 100))
    ax.set_ylim(0, max([*seen, 100.0]) * 1.1)  # a projection far past full is cut at the top
    locator = dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    ax.legend(loc="upper left", fontsize="small")


def capacity_chart(plan: CapacityPlan, resource_type: str | None = None) -> Figure:
    """Utilisation over time and its projection against the thresholds, as a matplotlib figure.

    One axes per resource type of the plan (or only ``resource_type``), stacked:
    the history the projection was fitted to (the held amount of each sample day, or
    each month's mean, as a share of the capacity), the projection from ``as_of``
    to the end of the horizon, or a little past the day the capacity is full
    (dashed; in steps for a seasonal one), the ``warn``
    and ``act`` levels (dotted) and the whole capacity, a thin line on each day a
    threshold is reached, and ``as_of``. Days are UTC days. The figure is made
    without pyplot: no global state is touched and no window opens
    (``figure.savefig("capacity.png")``).

    Raises:
        ImportError: matplotlib is not installed (``pip install 'cloudsms[analysis]'``).
        ValidationError: ``plan`` is not a `CapacityPlan` (``$.plan``), or
            ``resource_type`` is not a type of the plan (``$.resource_type``).
    """
    checked = _checked(plan)
    lines = list(checked.lines)
    if resource_type is not None:
        lines = [line for line in lines if line.resource_type == resource_type]
    if not lines:
        known = ", ".join(line.resource_type for line in checked.lines) or "none"
        raise ValidationError.single(
            "$.resource_type",
            f"a resource type of the plan ({known})",
            describe(resource_type),
            subject="Capacity chart",
        )
    figure_module = _extra("matplotlib.figure", "capacity_chart")
    dates = _extra("matplotlib.dates", "capacity_chart")
    figure = figure_module.Figure(figsize=(8, 3 * len(lines)), layout="constrained")
    axes = figure.subplots(len(lines), 1, squeeze=False)
    until = add_calendar(checked.as_of, checked.horizon)
    for ax, line in zip(axes[:, 0], lines, strict=True):
        _draw(ax, dates, line, checked.as_of, until)
    figure.suptitle(f"Capacity of pool {checked.pool.id}")
    return cast("Figure", figure)
