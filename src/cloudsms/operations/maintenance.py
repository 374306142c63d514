"""Maintenance windows: announced spans of time in which services may be taken down (S09, S10).

A change that touches a service runs in a `MaintenanceWindow` (S09); monitoring (S10)
imports the same type to leave announced windows out of availability where the
agreement excludes them. Serves ISO/IEC 20000-1:2011 9.2 (changes scheduled and
communicated) and 6.3 (availability).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_frozenset
from cloudsms._foundation.instants import instant_key, instant_problems
from cloudsms._kit.checks import id_set, instant, raise_problems
from cloudsms._kit.records import Record, one_or_more
from cloudsms.errors import Problem
from cloudsms.periods import Period

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["MaintenanceWindow"]


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC)


@attrs.frozen(kw_only=True)
class MaintenanceWindow(Record):
    """A span of time, told to customers beforehand, in which some services may be down.

    ``start`` and ``end`` bound the window (half-open: ``start`` is in it, ``end``
    is not), ``services`` names the cloud services it covers (one or more
    `cloudsms.services.CloudService` ids) and ``announced_at`` is when customers
    were told. A window ends after it starts and is announced no later than it
    starts; instants are compared on the absolute timeline, whatever their zones.
    How long before the start the announcement must come is a term of the
    agreement, checked where the agreement is at hand (S10), not here.

    Serves S09 (maintenance of the services) and S10 (windows excluded from
    availability); ISO/IEC 20000-1:2011 9.2 and 6.3.

    Raises:
        ValidationError: every problem of the fields, each with its path: a naive
            instant, no services, an end not after the start (at ``$.end``), an
            announcement after the start (at ``$.announced_at``).

    Examples:
        >>> import datetime as dt
        >>> window = MaintenanceWindow(
        ...     start=dt.datetime(2026, 10, 3, 22, tzinfo=dt.UTC),
        ...     end=dt.datetime(2026, 10, 4, 2, tzinfo=dt.UTC),
        ...     services={"crm"},
        ...     announced_at=dt.datetime(2026, 9, 26, 9, tzinfo=dt.UTC),
        ... )
        >>> window.contains(dt.datetime(2026, 10, 4, 1, 59, tzinfo=dt.UTC))
        True
        >>> window.contains(window.end), window.period.duration
        (False, datetime.timedelta(seconds=14400))
    """

    start: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    end: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    services: frozenset[str] = attrs.field(
        validator=id_set(of="service") & one_or_more("service ids"), converter=as_frozenset
    )
    announced_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)

    def _rules(self) -> Iterator[Problem]:
        """The window ends after it starts; customers hear of it no later than its start."""
        if _utc(self.end) <= _utc(self.start):
            expected = f"an instant after the start ({self.start.isoformat()})"
            yield Problem("end", expected, self.end.isoformat())
        if _utc(self.announced_at) > _utc(self.start):
            expected = f"an instant no later than the start ({self.start.isoformat()})"
            yield Problem("announced_at", expected, self.announced_at.isoformat())

    @property
    def period(self) -> Period:
        """The window as a `cloudsms.periods.Period` (``[start, end)``)."""
        return Period(self.start, self.end)

    def contains(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` falls in the window: from its start, up to but not at its end.

        Raises:
            ValidationError: ``instant`` is not an aware instant (at ``$.instant``).
        """
        raise_problems(instant_problems(instant, "$.instant"), "maintenance window query")
        return _utc(self.start) <= _utc(instant) < _utc(self.end)
