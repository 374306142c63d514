"""Acknowledgements: who accepted which version of which terms, and when (S04, S06, S07)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, cast

import attrs

from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import (
    id_problems,
    ident,
    instance_problems,
    instant,
    raise_problems,
    text,
    text_problems,
)
from cloudsms._kit.records import Record
from cloudsms.parties._shared import QUERY, list_argument, on_timeline
from cloudsms.periods import aware

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cloudsms.errors import Problem

__all__ = [
    "AcceptanceMethod",
    "Acknowledgement",
    "acknowledged",
    "latest_acknowledgement",
    "pending_acknowledgements",
]


class AcceptanceMethod(enum.StrEnum):
    """How a party signalled its acceptance of terms (what an auditor asks to see)."""

    CLICK_THROUGH = "click-through"
    ELECTRONIC_SIGNATURE = "electronic signature"
    HANDWRITTEN_SIGNATURE = "handwritten signature"
    EMAIL = "email"


# ---------------------------------------------------------------------- acknowledgements
@attrs.frozen(kw_only=True)
class Acknowledgement(Record):
    """A record that a party accepted a version of some terms or an obligation, and when.

    ``party_id`` names who accepted (a customer, user, partner or supplier);
    ``terms_id`` what was accepted (terms of service, an acceptable use policy, a
    data processing obligation); ``version`` which version of it, as the provider
    labels versions (text, compared for equality only); ``accepted_at`` when, as an
    aware instant. ``method`` and ``evidence`` (a reference to the signed document,
    the log entry of the click) tell an auditor how to verify it.

    Serves S06 and S04 (recorded acknowledgements of terms and obligations), on which
    S07 relies when terms change; ISO/IEC 20000-1:2011 7.1 and 6.1.

    Raises:
        ValidationError: every problem of the fields, each with its path; a naive
            ``accepted_at`` is refused.
    """

    party_id: str = attrs.field(validator=ident)
    terms_id: str = attrs.field(validator=ident)
    version: str = attrs.field(validator=text)
    accepted_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    method: AcceptanceMethod | None = None
    evidence: str | None = attrs.field(validator=text, default=None)


def _records(acknowledgements: object) -> tuple[Acknowledgement, ...]:
    """The acknowledgements argument as a tuple, each item checked."""
    records = list_argument(
        acknowledgements, "$.acknowledgements", "a list of Acknowledgement values"
    )
    problems: list[Problem] = []
    for index, record in enumerate(records):
        problems += instance_problems(record, Acknowledgement, f"$.acknowledgements[{index}]")
    raise_problems(problems, QUERY)
    return records  # type: ignore[return-value]


def _query_problems(party_id: object, terms_id: object) -> list[Problem]:
    """Problems of the party and terms ids a query asks about."""
    return id_problems(party_id, "$.party_id") + id_problems(terms_id, "$.terms_id")


def _matching(
    records: tuple[Acknowledgement, ...],
    party_id: str,
    terms_id: str,
    as_of: dt.datetime | None,
) -> list[Acknowledgement]:
    cutoff = None if as_of is None else on_timeline(aware(as_of, "$.as_of"))
    return [
        a
        for a in records
        if a.party_id == party_id
        and a.terms_id == terms_id
        and (cutoff is None or on_timeline(a.accepted_at) <= cutoff)
    ]


def latest_acknowledgement(
    acknowledgements: Iterable[Acknowledgement],
    party_id: str,
    terms_id: str,
    *,
    as_of: dt.datetime | None = None,
) -> Acknowledgement | None:
    """The party's most recent acceptance of the terms (at or before ``as_of``), or ``None``.

    Of two acceptances at the same instant, the one listed later wins.

    Raises:
        ValidationError: ``acknowledgements`` is not a list of `Acknowledgement`,
            an id is malformed, or ``as_of`` is naive.
    """
    records = _records(acknowledgements)
    raise_problems(_query_problems(party_id, terms_id), QUERY)
    found = _matching(records, party_id, terms_id, as_of)
    if not found:
        return None
    return max(reversed(found), key=lambda a: on_timeline(a.accepted_at))


def acknowledged(
    acknowledgements: Iterable[Acknowledgement],
    party_id: str,
    terms_id: str,
    version: str,
    *,
    as_of: dt.datetime | None = None,
) -> bool:
    """Whether the party accepted that version of the terms (at or before ``as_of``).

    An acceptance of another version does not count: versions are labels, not an order.

    Raises:
        ValidationError: ``acknowledgements`` is not a list of `Acknowledgement`,
            an id or the version is malformed, or ``as_of`` is naive.

    Examples:
        >>> import datetime as dt
        >>> t0 = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
        >>> acks = [
        ...     Acknowledgement(party_id="acme", terms_id="tos", version="2026.1", accepted_at=t0)
        ... ]
        >>> (
        ...     acknowledged(acks, "acme", "tos", "2026.1"),
        ...     acknowledged(acks, "acme", "tos", "2026.2"),
        ... )
        (True, False)
        >>> acknowledged(acks, "acme", "tos", "2026.1", as_of=t0 - dt.timedelta(days=1))
        False
    """
    records = _records(acknowledgements)
    raise_problems(
        _query_problems(party_id, terms_id) + text_problems(version, "$.version"), QUERY
    )
    return any(a.version == version for a in _matching(records, party_id, terms_id, as_of))


def pending_acknowledgements(
    acknowledgements: Iterable[Acknowledgement],
    party_ids: Iterable[str],
    terms_id: str,
    version: str,
    *,
    as_of: dt.datetime | None = None,
) -> tuple[str, ...]:
    """The parties, of ``party_ids``, that have not accepted that version of the terms.

    In the order given, each once: whom to ask before new terms take effect.

    Raises:
        ValidationError: ``acknowledgements`` is not a list of `Acknowledgement`,
            ``party_ids`` is not a list of ids (a single string is refused, not split
            into letters), the terms id or the version is malformed, or ``as_of`` is
            naive.
    """
    records = _records(acknowledgements)
    parties = list_argument(party_ids, "$.party_ids", "a list of party ids")
    problems: list[Problem] = []
    for index, party in enumerate(parties):
        problems += id_problems(party, f"$.party_ids[{index}]")
    problems += id_problems(terms_id, "$.terms_id") + text_problems(version, "$.version")
    raise_problems(problems, QUERY)
    if as_of is not None:
        aware(as_of, "$.as_of")  # checked even when no party is asked about
    return tuple(
        party
        for party in dict.fromkeys(cast("tuple[str, ...]", parties))
        if not any(a.version == version for a in _matching(records, party, terms_id, as_of))
    )
