"""A service's removal plan for people and tools (S15).

The procedure returns data; these functions read it and write what
``cloudsms removal plan`` prints:

- `removal_plan_data`: a `cloudsms.procedures.removal.RemovalPlan` as JSON-ready
  data with a fixed shape: the service and its entries, the day (and instant) the
  notices go out, each subscriber with its notice and the instant its subscription
  ends, the earliest removal date and the blockers.
- `removal_plan_table`: the same plan as plain text, every text from a record
  escaped (`cloudsms.reports._table.escape_text`).

Serves S15 (remove a cloud service: notify every subscriber with notice, and know
when the service may go); designed by cloudsms, since the TR's guidance for S15 is
not in our source.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from cloudsms._kit.checks import instance_problems, raise_problems
from cloudsms._kit.durations import format_duration
from cloudsms.procedures.removal import RemovalPlan
from cloudsms.reports._table import escape_text, format_table

if TYPE_CHECKING:
    import datetime as dt

    from cloudsms.procedures.removal import Subscriber

__all__ = ["removal_plan_data", "removal_plan_table"]

_COLUMNS = ("agreement", "customer", "entries", "notice", "ends", "ends by")


def _checked(plan: object) -> RemovalPlan:
    raise_problems(instance_problems(plan, RemovalPlan, "$.plan"), "Removal plan report")
    return plan  # type: ignore[return-value]


def _instant(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _subscriber_data(subscriber: Subscriber) -> dict[str, Any]:
    period = subscriber.notice_period
    return {
        "agreement_id": subscriber.agreement_id,
        "agreement_version": subscriber.agreement_version,
        "customer_id": subscriber.customer_id,
        "entry_ids": list(subscriber.entry_ids),
        "notice_at": subscriber.notice_at.isoformat(),
        "notice_period": None if period is None else format_duration(period),
        "notice_ends": _instant(subscriber.notice_ends),
        "ends_by": subscriber.ends_by.value,
        "starts_at": _instant(subscriber.starts_at),
    }


def removal_plan_data(plan: RemovalPlan) -> dict[str, Any]:
    """The plan as JSON-ready data with a fixed shape (the keys never depend on values).

    Keys, in order: ``service_id``, ``entry_ids``, ``as_of`` (the day, as
    ``YYYY-MM-DD``), ``as_of_instant`` (the instant given, or ``null`` when each
    agreement's notice goes at the start of the day in its own zone),
    ``subscribers`` (sorted by agreement id, each with ``agreement_id``,
    ``agreement_version``, ``customer_id``, ``entry_ids``, ``notice_at``,
    ``notice_period`` (an ISO 8601 duration, or ``null`` where notice cannot end
    the agreement), ``notice_ends``, ``ends_by`` and ``starts_at`` (when the
    subscription starts, if after the notice: the agreement's start or the effect of
    the amendment that adds it; else ``null``)), ``earliest_removal``
    (``null`` while a blocker remains) and ``blockers`` (agreement ids). Instants
    are ISO 8601 text with the agreement's offset. Serves S15.

    Raises:
        ValidationError: ``plan`` is not a `RemovalPlan` (``$.plan``).
    """
    p = _checked(plan)
    return {
        "service_id": p.service_id,
        "entry_ids": list(p.entry_ids),
        "as_of": p.as_of.isoformat(),
        "as_of_instant": _instant(p.as_of_instant),
        "subscribers": [_subscriber_data(s) for s in p.subscribers],
        "earliest_removal": _instant(p.earliest_removal),
        "blockers": list(p.blockers),
    }


def _when(value: dt.datetime | None, absent: str) -> str:
    """An instant for the table: date, time to the minute (seconds if any) and offset."""
    if value is None:
        return absent
    clock = value.strftime("%H:%M:%S" if value.second or value.microsecond else "%H:%M")
    if value.microsecond:
        clock += f".{value.microsecond:06d}"
    offset = value.isoformat()[len(value.replace(tzinfo=None).isoformat()) :]
    return f"{value.date().isoformat()} {clock}{offset}"


def removal_plan_table(plan: RemovalPlan) -> str:
    """The plan as plain text for people: a header, one row per subscriber, the verdict.

    The header names the service, its entries and when the notices go out; the
    table gives each subscriber's agreement, customer, entries, notice period
    (``none`` where notice cannot end it), the instant its subscription ends and
    how (`RemovalEnd`), and below it the agreements that start after the notice
    (only when there are any); then the earliest removal date, or the blockers that
    keep the service from being removed until their customers consent or
    transfer. Every text from a record is escaped (`escape_text`). Serves S15.

    Raises:
        ValidationError: ``plan`` is not a `RemovalPlan` (``$.plan``).
    """
    p = _checked(plan)
    sent = (
        _when(p.as_of_instant, "")
        if p.as_of_instant is not None
        else f"{p.as_of.isoformat()} (the start of the day in each agreement's zone)"
    )
    entries = ", ".join(p.entry_ids) or "none"
    lines = [
        f"Removal plan for service {escape_text(p.service_id)}",
        f"  catalogue entries   {escape_text(entries)}",
        f"  notices go out      {sent}",
        f"  subscribers         {len(p.subscribers)}",
        "",
    ]
    if p.subscribers:
        rows = [
            {
                "agreement": s.agreement_id,
                "customer": s.customer_id,
                "entries": ", ".join(s.entry_ids),
                "notice": "none" if s.notice_period is None else format_duration(s.notice_period),
                "ends": _when(s.notice_ends, "not by notice"),
                "ends by": s.ends_by.value,
            }
            for s in p.subscribers
        ]
        lines += ["  " + line for line in format_table(_COLUMNS, rows).split("\n")]
        later = [s for s in p.subscribers if s.starts_at is not None]
        if later:
            lines += ["", "  Starting after the notice (told now; none ends before its start):"]
            lines += [
                f"    {escape_text(s.agreement_id)} starts {_when(s.starts_at, '')}" for s in later
            ]
    else:
        lines.append("  Nobody subscribes to the service.")
    lines.append("")
    if p.earliest_removal is not None:
        lines.append(f"Earliest removal: {_when(p.earliest_removal, '')}")
    else:
        lines.append("Earliest removal: none until every blocker's subscription is ended")
        lines += textwrap.wrap(
            "Blockers (notice cannot end them; the customer's consent or a transfer must): "
            + escape_text(", ".join(p.blockers)),
            80,
            subsequent_indent="  ",
        )
    return "\n".join(lines)
