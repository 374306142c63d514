"""Incidents and their lifecycle: from opened to closed, with what customers are told (S09).

An `Incident` records an unplanned interruption or degradation of one or more
services: which agreement and priority it falls under, whom it affects, the
expected restoration times the provider announced (every one kept), and the time
it spent waiting on the customer. Its `INCIDENT_LIFECYCLE` instance is the one
record of where it stands; `cloudsms.lifecycle.advance` moves it, and every instant
the clocks measure (acknowledged, restored, resolved, closed) is read from that
history. Serves S09 (incidents resolved, customers told of progress and of the
expected restoration) and ISO/IEC 20000-1:2011 8.1 (incident management).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_frozenset
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._kit.checks import (
    binding_problems,
    id_set,
    ident,
    instant,
    own_id,
    text,
)
from cloudsms._kit.documents import document
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.agreements import OutageCause
from cloudsms.lifecycle import Attempt, Lifecycle, LifecycleInstance, Transition
from cloudsms.operations._history import events_after, first_at, utc, waiting_periods

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cloudsms.errors import Problem
    from cloudsms.periods import Period

__all__ = [
    "INCIDENT_LIFECYCLE",
    "INCIDENT_STATES",
    "Incident",
]

INCIDENT_STATES: tuple[str, ...] = (
    "opened",
    "acknowledged",
    "waiting",
    "restored",
    "resolved",
    "closed",
)
"""The states of an incident (S09), in order."""

_EXPECTED_KEY = "expected_restoration"
_EXAMPLE = "'2026-10-02T14:00:00+02:00'"


def _instant_from_text(value: object) -> dt.datetime | None:
    """``value`` as an instant when it is ISO 8601 text with an offset, else ``None``."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.utcoffset() is None or instant_problems(parsed, "$"):
        return None
    return parsed


def _restoration_expected(_: LifecycleInstance, attempt: Attempt) -> str | None:
    """The guard of ``estimate``: an instant with its offset, not before the estimate is made."""
    given = attempt.data.get(_EXPECTED_KEY)
    expected = _instant_from_text(given)
    if expected is None:
        return (
            f"no expected restoration given (the event's data needs an {_EXPECTED_KEY!r}: "
            f"an RFC 3339 instant with its offset, such as {_EXAMPLE})"
        )
    if utc(expected) < utc(attempt.when):
        return (
            f"the expected restoration {given} is before the estimate is made "
            f"({attempt.when.isoformat()})"
        )
    return None


def _estimate(state: str) -> Transition:
    return Transition(source=state, event="estimate", target=state, guard="restoration_expected")


INCIDENT_LIFECYCLE = Lifecycle(
    name="incident",
    states=INCIDENT_STATES,
    initial="opened",
    finals=("closed",),
    transitions=(
        Transition(source="opened", event="acknowledge", target="acknowledged"),
        Transition(source="acknowledged", event="wait", target="waiting"),
        Transition(source="waiting", event="resume", target="acknowledged"),
        Transition(source="acknowledged", event="restore", target="restored"),
        Transition(source="restored", event="resolve", target="resolved"),
        Transition(source="resolved", event="reopen", target="acknowledged"),
        Transition(source="resolved", event="close", target="closed"),
        _estimate("opened"),
        _estimate("acknowledged"),
        _estimate("waiting"),
    ),
    guards={"restoration_expected": _restoration_expected},
)
"""The lifecycle of an incident (S09): opened, acknowledged, waiting, restored, resolved, closed.

``acknowledge`` is the provider taking the incident on; ``wait`` and ``resume``
bracket time spent waiting on the customer (which the agreement may leave off the
clock); ``restore`` is the service working again for its users; ``resolve`` is the
incident's handling finished; ``close`` ends it for good, while ``reopen`` takes a
resolved incident back to acknowledged when the fix did not hold. There is no way
to restore an incident that was never acknowledged, nor to resolve one that was
never restored: the table has no such rows. ``estimate`` stays where it is and
records an expected restoration shown to customers (data
``{"expected_restoration": "<RFC 3339 instant with offset>"}``, an instant no
earlier than the estimate itself); it is allowed while the service is not yet
restored, and every estimate stays in the history."""


def _incident_begins(record: object) -> LifecycleInstance:
    return INCIDENT_LIFECYCLE.begin(id=own_id(record))


_INCIDENT_INSTANCE = Check(INCIDENT_LIFECYCLE.instance_problems, total=True)
_AS_OF = "incident query"


@document("cloudsms.incident", version=1)
@attrs.frozen(kw_only=True)
class Incident(Record):
    """An interruption or degradation of services under an agreement, and its handling.

    ``agreement_id`` names the `cloudsms.agreements.CloudServiceAgreement` it falls
    under and ``priority`` a priority id of that agreement's scale (checked where
    the agreement is at hand: the clocks and registers of S09). ``services`` are the
    affected `cloudsms.services.CloudService` ids (one or more) and ``customers`` the
    affected customers' ids (none when it was caught before anyone felt it).
    ``cause`` says why, as monitoring and the agreement's exclusions say it (unknown
    while ``None``); ``problem_id`` links the problem record raised for it.

    ``lifecycle`` is the incident's `INCIDENT_LIFECYCLE` instance, bound to the
    incident's id by default: where it stands (`state`), who moved it and when. The
    instants of its events (`acknowledged_at`, `restored_at`, ...), the expected
    restoration times and the time waiting on the customer are all read from that
    history, never kept twice. No event of the history is earlier than
    ``opened_at``.

    A persisted document (``cloudsms.incident``, schema version 1).

    Serves S09 (incidents, expected restoration times told to customers);
    ISO/IEC 20000-1:2011 8.1 (incidents recorded, prioritised, resolved and closed,
    customers kept informed).

    Raises:
        ValidationError: every problem of the fields, each with its path; among them
            a naive ``opened_at``, no services, an instance of another lifecycle (at
            ``$.lifecycle``) or an event before the incident was opened.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.lifecycle import advance
        >>> opened = dt.datetime(2026, 10, 2, 9, tzinfo=dt.UTC)
        >>> incident = Incident(
        ...     id="inc-1",
        ...     agreement_id="agr-1",
        ...     priority="p2",
        ...     summary="Logins fail",
        ...     services={"crm"},
        ...     opened_at=opened,
        ... )
        >>> taken = advance(
        ...     incident, "acknowledge", who="actor:desk-1", when=opened + dt.timedelta(minutes=5)
        ... )
        >>> taken.state, taken.acknowledged_at.isoformat(), incident.state
        ('acknowledged', '2026-10-02T09:05:00+00:00', 'opened')
    """

    id: str = attrs.field(validator=ident)
    agreement_id: str = attrs.field(validator=ident)
    priority: str = attrs.field(validator=ident)
    summary: str = attrs.field(validator=text)
    services: frozenset[str] = attrs.field(
        validator=id_set(of="service") & one_or_more("service ids"), converter=as_frozenset
    )
    customers: frozenset[str] = attrs.field(
        validator=id_set(of="customer"), default=frozenset(), converter=as_frozenset
    )
    opened_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    cause: OutageCause | None = None
    problem_id: str | None = attrs.field(validator=ident, default=None)
    lifecycle: LifecycleInstance = attrs.field(
        default=attrs.Factory(_incident_begins, takes_self=True),
        validator=_INCIDENT_INSTANCE,
    )

    def _rules(self) -> Iterator[Problem]:
        """No event of the incident's history is earlier than its opening."""
        yield from binding_problems(self)
        yield from events_after(self.lifecycle, self.opened_at, "the opening")

    @property
    def state(self) -> str:
        """Where the incident stands in `INCIDENT_LIFECYCLE`: its instance's state."""
        return self.lifecycle.state

    @property
    def acknowledged_at(self) -> dt.datetime | None:
        """When the incident was first acknowledged (``None`` while it is not)."""
        return first_at(self.lifecycle, "acknowledge")

    @property
    def restored_at(self) -> dt.datetime | None:
        """When the service was first restored (``None`` while it is not).

        A reopened incident keeps its first restoration here; the history has the
        later ones.
        """
        return first_at(self.lifecycle, "restore")

    @property
    def resolved_at(self) -> dt.datetime | None:
        """When the incident was first resolved (``None`` while it is not)."""
        return first_at(self.lifecycle, "resolve")

    @property
    def closed_at(self) -> dt.datetime | None:
        """When the incident was closed (``None`` while it is open)."""
        return first_at(self.lifecycle, "close")

    @property
    def expected_restorations(self) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """Every expected restoration announced, oldest first: ``(announced_at, expected)``.

        ``announced_at`` is the ``estimate`` event's instant and ``expected`` the
        instant it gave, in the offset it was given with.
        """
        found: list[tuple[dt.datetime, dt.datetime]] = []
        for entry in self.lifecycle.entries:
            if entry.event == "estimate":
                expected = _instant_from_text(entry.data.get(_EXPECTED_KEY))
                if expected is not None:  # the guard let no other through
                    found.append((entry.when, expected))
        return tuple(found)

    @property
    def latest_expected_restoration(self) -> dt.datetime | None:
        """The expected restoration announced last (``None`` if none was announced)."""
        estimates = self.expected_restorations
        return estimates[-1][1] if estimates else None

    def waiting_periods(self, as_of: dt.datetime | None = None) -> tuple[Period, ...]:
        """The spans the incident spent waiting on the customer, oldest first.

        Each runs from a ``wait`` to the ``resume`` that ended it. Without
        ``as_of``, a wait still going on is left out; with it, the answer is what
        was known at ``as_of``: a wait going on then ends at ``as_of``, and nothing
        after ``as_of`` counts. A wait that lasted no time is not listed.

        Raises:
            ValidationError: ``as_of`` is neither ``None`` nor an aware instant (at
                ``$.as_of``).
        """
        return waiting_periods(self.lifecycle, as_of, subject=_AS_OF)
