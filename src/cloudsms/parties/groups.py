"""Customer groups and how the provider talks to each (S06; 20000-1:2011 7.1).

A `CustomerGroup` is a customer profile with its own `CommunicationProcedure`:
channels, a review interval on the calendar, an escalation contact.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.frozen import as_frozenset
from cloudsms._kit.checks import calendar_length, id_set, ident, raise_problems, text
from cloudsms._kit.records import Record, one_or_more
from cloudsms.errors import ValidationError, describe
from cloudsms.parties._shared import boolean, count_problems
from cloudsms.parties.contacts import Contact
from cloudsms.periods import add_calendar, aware

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["CommunicationChannel", "CommunicationProcedure", "CustomerGroup"]


class CommunicationChannel(enum.StrEnum):
    """A way the provider and its customers talk to each other."""

    MEETING = "meeting"
    VIDEO_CALL = "video call"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    PORTAL = "portal"

    @property
    def remote(self) -> bool:
        """Whether the channel works at a distance (everything but a meeting in person)."""
        return self is not CommunicationChannel.MEETING


# ---------------------------------------------------------------------- groups
@attrs.frozen(kw_only=True)
class CommunicationProcedure(Record):
    """How the provider communicates with the customers of one group, and how often.

    ``channels`` are the ways used (one or more); ``review_every`` is the calendar
    length between reviews of the relationship and the service with the customer
    (``relativedelta(months=3)`` for quarterly: calendar-true, never an average
    month), in whole units, positive, at most 1000 years; ``escalation`` is who to
    turn to when the usual contact does not resolve a matter; ``reporting``
    describes what the customers receive (a tailored monthly report, a self-service
    dashboard); ``automated`` says whether the procedure runs without staff
    (notifications, checklists, surveys sent by the platform), as is common for
    large public-cloud groups.

    Serves S06 (a communication procedure per customer group); ISO/IEC 20000-1:2011
    7.1 and 6.1 (service reviews at planned intervals).

    Raises:
        ValidationError: every problem of the fields, each with its path.

    Examples:
        >>> import datetime as dt
        >>> quarterly = CommunicationProcedure(
        ...     channels={CommunicationChannel.MEETING}, review_every=relativedelta(months=3)
        ... )
        >>> quarterly.next_review(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)).date()
        datetime.date(2027, 2, 28)
    """

    channels: frozenset[CommunicationChannel] = attrs.field(
        validator=one_or_more(CommunicationChannel), converter=as_frozenset
    )
    review_every: relativedelta = attrs.field(validator=calendar_length)
    escalation: Contact | None = None
    reporting: str | None = attrs.field(validator=text, default=None)
    automated: bool = attrs.field(validator=boolean, default=False)

    def next_review(self, after: dt.datetime) -> dt.datetime:
        """The review one interval after ``after``, on the calendar of ``after``'s zone.

        Raises:
            ValidationError: ``after`` is naive, or the review would fall outside the
                supported range of instants (before 9000-01-01T00:00Z).
        """
        review = self._review(aware(after, "$.after"), 1)
        if review is None:
            raise ValidationError.single(
                "$.after",
                "an instant whose next review falls before 9000-01-01T00:00Z",
                after.isoformat(),
                subject="review schedule",
            )
        return review

    def reviews(self, start: dt.datetime, count: int) -> tuple[dt.datetime, ...]:
        """The next ``count`` reviews after ``start``, each computed from ``start`` (no drift).

        Raises:
            ValidationError: ``start`` is naive, ``count`` is negative, or a review
                would fall outside the supported range (before 9000-01-01T00:00Z).
        """
        aware(start, "$.start")
        problems = count_problems(count, "$.count", least=0)
        raise_problems(problems, "review schedule")
        # Lengths are positive, so the last review is the latest: if it fits, all do.
        if count and self._review(start, count) is None:
            path, expected = (
                ("$.start", "an instant whose next review falls before 9000-01-01T00:00Z")
                if self._review(start, 1) is None
                else ("$.count", "as many reviews as fall before 9000-01-01T00:00Z")
            )
            got = start.isoformat() if path == "$.start" else describe(count)
            raise ValidationError.single(path, expected, got, subject="review schedule")
        return tuple(add_calendar(start, self.review_every, n) for n in range(1, count + 1))

    def _review(self, start: dt.datetime, n: int) -> dt.datetime | None:
        """The ``n``-th review after ``start``, or ``None`` past the end of the calendar."""
        try:
            return add_calendar(start, self.review_every, n)
        except (OverflowError, ValueError):
            return None


@attrs.frozen(kw_only=True)
class CustomerGroup(Record):
    """A group of customers — a customer profile — served through one communication procedure.

    A provider defines groups by market, size or value (``description`` says who
    belongs), and gives each the procedure that suits it: face-to-face reviews and
    tailored reports for a few large accounts, remote channels and automation for
    many small ones. ``members`` are the ids of the customers in the group; each of
    them names the group as its ``group_id``, which a `RelationshipRegister` checks.

    Serves S06 (customer groups and profiles, each with its communication procedure);
    ISO/IEC 20000-1:2011 7.1.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    procedure: CommunicationProcedure
    members: frozenset[str] = attrs.field(
        validator=id_set(of="customer"), factory=frozenset, converter=as_frozenset
    )
    description: str | None = attrs.field(validator=text, default=None)
