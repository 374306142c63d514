"""Readings of a record's trail that every operations record shares (S09).

One reading of a history for every record: the first entry of some events, a first
event earlier than the record's own start, and the spans spent in a state (waiting
on the customer). Private: the records' properties are the public face.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from cloudsms._foundation.instants import instant_problems
from cloudsms._kit.checks import raise_problems
from cloudsms.errors import Problem
from cloudsms.periods import Period

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cloudsms.lifecycle import HistoryEntry, LifecycleInstance


def utc(instant: dt.datetime) -> dt.datetime:
    """``instant`` in UTC, as instants compare."""
    return instant.astimezone(dt.UTC)


def first_entry(instance: LifecycleInstance, *events: str) -> HistoryEntry | None:
    """The first entry of one of ``events`` in ``instance``'s history, or ``None``."""
    return next((entry for entry in instance.entries if entry.event in events), None)


def first_at(instance: LifecycleInstance, event: str) -> dt.datetime | None:
    """The instant of the first ``event`` in ``instance``'s history, or ``None``."""
    entry = first_entry(instance, event)
    return None if entry is None else entry.when


def events_after(instance: LifecycleInstance, start: dt.datetime, what: str) -> Iterator[Problem]:
    """The problem of a history whose first event is earlier than ``start`` (``what``)."""
    if instance.entries and not instant_problems(start, "$"):
        first = instance.entries[0].when
        if utc(first) < utc(start):
            expected = f"an event no earlier than {what} at {start.isoformat()}"
            yield Problem("lifecycle.history[0].when", expected, first.isoformat())


def waiting_periods(
    instance: LifecycleInstance,
    as_of: dt.datetime | None,
    *,
    subject: str,
    state: str = "waiting",
) -> tuple[Period, ...]:
    """The spans ``instance`` spent in ``state``, as `Incident.waiting_periods` describes."""
    if as_of is not None:
        raise_problems(instant_problems(as_of, "$.as_of"), subject)
    limit = None if as_of is None else utc(as_of)
    found: list[Period] = []
    began: dt.datetime | None = None
    for entry in instance.entries:
        if limit is not None and utc(entry.when) > limit:
            break
        if entry.target == state and entry.source != state:
            began = entry.when
        elif entry.source == state and entry.target != state and began is not None:
            if utc(began) < utc(entry.when):
                found.append(Period(began, entry.when))
            began = None
    if began is not None and as_of is not None and utc(began) < utc(as_of):
        found.append(Period(began, as_of))
    return tuple(found)
