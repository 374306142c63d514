"""Incidents with their response and resolution times, as data and as a table (S09).

The model answers with values (`cloudsms.operations.OperationsRegister.incident_times`);
these functions turn one month's answer into what ``cloudsms incident list`` prints:

- `incident_rows`: one row of text per incident opened in the period (keyed by
  `INCIDENT_COLUMNS`), for CSV;
- `incident_report`: JSON-ready data with a fixed shape (documented in
  ``docs/cli.md``, "Listing incidents");
- `incident_table`: the rows as a plain-text table, every cell escaped.

Times read ``H:MM:SS`` in whole hours (``27:30:00`` is a day and three and a half
hours of support time), with a fraction of a second only when there is one.

Serves S09 (the provider shows the times it took) and ISO/IEC 20000-1:2011 6.1 and 8.1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms.operations import OperationsRegister
from cloudsms.periods import timezone
from cloudsms.reports._table import escape_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cloudsms.operations import IncidentTimes, Timing
    from cloudsms.periods import Period

__all__ = [
    "INCIDENT_COLUMNS",
    "format_elapsed",
    "incident_report",
    "incident_rows",
    "incident_table",
]

INCIDENT_COLUMNS: Sequence[str] = (
    "incident",
    "priority",
    "opened",
    "state",
    "response",
    "response_target",
    "response_met",
    "resolution",
    "resolution_target",
    "resolution_met",
)
"""The columns of `incident_rows`, in order."""

_SUBJECT = "Incident report"


def _checked(register: object) -> OperationsRegister:
    raise_problems(instance_problems(register, OperationsRegister, "$.register"), _SUBJECT)
    return register  # type: ignore[return-value]


def format_elapsed(time: dt.timedelta) -> str:
    """A duration as ``H:MM:SS`` in whole hours, with the fraction of a second if any.

    Examples:
        >>> import datetime as dt
        >>> format_elapsed(dt.timedelta(hours=1, minutes=30))
        '1:30:00'
        >>> format_elapsed(dt.timedelta(days=1, hours=3, seconds=1, microseconds=500000))
        '27:00:01.5'
    """
    micro = (time.days * 86_400 + time.seconds) * 1_000_000 + time.microseconds
    sign = "-" if micro < 0 else ""
    seconds, fraction = divmod(abs(micro), 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    text = f"{sign}{hour}:{minute:02d}:{second:02d}"
    if fraction:
        text += f".{fraction:06d}".rstrip("0")
    return text


def _seconds(time: dt.timedelta) -> str:
    micro = (time.days * 86_400 + time.seconds) * 1_000_000 + time.microseconds
    return f"{Decimal(micro).scaleb(-6).normalize():f}"


def _verdict(timing: Timing | None) -> str:
    if timing is None:
        return "-"
    if timing.met:
        return "met" if timing.final else "open"
    return "missed"


def _cells(timing: Timing | None) -> tuple[str, str, str]:
    if timing is None:
        return "-", "-", "-"
    shown = format_elapsed(timing.measured)
    target = format_elapsed(_as_timedelta(timing.target.threshold))
    return shown + ("" if timing.final else "+"), target, _verdict(timing)


def _as_timedelta(seconds: Decimal) -> dt.timedelta:
    return dt.timedelta(microseconds=int(seconds * 1_000_000))


def incident_rows(
    register: OperationsRegister, period: Period, as_of: dt.datetime
) -> list[dict[str, str]]:
    """One row per incident opened in ``period``, as the register stood at ``as_of``.

    ``response`` and ``resolution`` are the times on the agreement's clock (``+``
    after a clock still running at ``as_of``), ``*_target`` the thresholds and
    ``*_met`` ``met``, ``missed``, ``open`` (running, within the target so far) or ``-``
    where no target applies or nothing was measured.

    Raises:
        ValidationError: ``register`` is not an `OperationsRegister`, or the
            register refuses ``period`` or ``as_of``.
    """
    return [_row(times, as_of) for times in _checked(register).incident_times(period, as_of)]


def _row(times: IncidentTimes, as_of: dt.datetime) -> dict[str, str]:
    response, response_target, response_met = _cells(times.response)
    resolution, resolution_target, resolution_met = _cells(times.resolution)
    return {
        "incident": times.incident.id,
        "priority": times.incident.priority,
        "opened": times.incident.opened_at.isoformat(),
        "state": _state(times, as_of),
        "response": response,
        "response_target": response_target,
        "response_met": response_met,
        "resolution": resolution,
        "resolution_target": resolution_target,
        "resolution_met": resolution_met,
    }


def _state(times: IncidentTimes, as_of: dt.datetime) -> str:
    limit = as_of.timestamp()
    lifecycle = times.incident.lifecycle
    state = lifecycle.origin or lifecycle.lifecycle.initial
    for entry in lifecycle.entries:
        if entry.when.timestamp() > limit:
            break
        state = entry.target
    return state


def _timing_data(timing: Timing | None) -> dict[str, Any] | None:
    if timing is None:
        return None
    return {
        "seconds": _seconds(timing.measured),
        "final": timing.final,
        "target": timing.target.id,
        "target_seconds": f"{timing.target.threshold.normalize():f}",
        "met": timing.met,
        "margin_seconds": None
        if timing.judgement.margin is None
        else f"{timing.judgement.margin.normalize():f}",
    }


def incident_report(
    register: OperationsRegister, period: Period, as_of: dt.datetime
) -> dict[str, Any]:
    """The incidents opened in ``period`` as JSON-ready data with a fixed shape.

    Keys: ``agreement`` (its id), ``period`` (``start``, ``end``: ISO 8601),
    ``as_of`` and ``incidents``, each with ``id``, ``priority``, ``opened_at``,
    ``state``, ``response`` and ``resolution``: ``null`` where no target applies or
    nothing was measured, else ``seconds`` (exact decimal text), ``final``,
    ``target`` (the target's id), ``target_seconds``, ``met`` and
    ``margin_seconds`` (positive when within the target).

    Raises:
        ValidationError: as `incident_rows`.
    """
    checked = _checked(register)
    return {
        "agreement": checked.agreement.id,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "as_of": as_of.isoformat(),
        "incidents": [
            {
                "id": times.incident.id,
                "priority": times.incident.priority,
                "opened_at": times.incident.opened_at.isoformat(),
                "state": _state(times, as_of),
                "response": _timing_data(times.response),
                "resolution": _timing_data(times.resolution),
            }
            for times in checked.incident_times(period, as_of)
        ],
    }


_HEADINGS = ("INCIDENT", "PRIO", "OPENED", "STATE", "RESPONSE", "MET", "RESOLUTION", "MET")
_SHOWN: tuple[str, ...] = ("incident", "priority", "opened", "state", "response")
_SHOWN += ("response_met", "resolution", "resolution_met")


def incident_table(register: OperationsRegister, period: Period, as_of: dt.datetime) -> str:
    """The incidents opened in ``period`` as a plain-text table that fits 80 columns.

    Two lines name the agreement with its zone, then the period and ``as_of`` (in
    that zone); one row per incident follows, its opening as month, day and time in the
    agreement's zone, its times and verdicts as `incident_rows` has them; a last
    line gives each target the rows were judged against, with its threshold.

    Raises:
        ValidationError: as `incident_rows`.
    """
    checked = _checked(register)
    listed = checked.incident_times(period, as_of)
    zone = timezone(checked.agreement.timezone)

    def local(instant: dt.datetime) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    cells = []
    targets: dict[str, str] = {}
    for times in listed:
        row = _row(times, as_of)
        row["opened"] = times.incident.opened_at.astimezone(zone).strftime("%m-%d %H:%M")
        cells.append([escape_text(row[c]) for c in _SHOWN])
        for timing in (times.response, times.resolution):
            if timing is not None:
                targets[timing.target.id] = format_elapsed(_as_timedelta(timing.target.threshold))
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(_HEADINGS)]
    lines = [
        f"Agreement {escape_text(checked.agreement.id)} ({escape_text(str(zone))})",
        f"Opened {local(period.start)} to {local(period.end)}; as of {local(as_of)}",
        "  ".join(h.ljust(w) for h, w in zip(_HEADINGS, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
    ]
    if not cells:
        lines.append("(no incident opened in the period)")
    if targets:
        shown = ", ".join(f"{escape_text(t)} {limit}" for t, limit in sorted(targets.items()))
        lines.append(f"targets: {shown}")
    return "\n".join(lines)
