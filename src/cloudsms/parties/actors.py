"""Actors: the pseudonyms a lifecycle's trail names, and the people behind them.

Every lifecycle of the package (a service's, a complaint's, an operations record's,
an exit procedure's) records who applied each event. The trail is append-only and
its entries are chained, so nothing in it may change afterwards; but a person's name
or e-mail address is personal data, which the provider must be able to erase. So a
trail never names a person: its ``who`` is an actor id such as ``actor:7f3a9c``, and
the link from that pseudonym to a party and a contact lives here, in an `Actor`
record that the provider may delete. An `ActorDirectory` holds those records;
erasing a party (`ActorDirectory.without_party`) drops every actor that maps to it,
and the ids left in the trails then resolve to nothing. The trail stays intact and
verifiable; it no longer says who the person was.

Serves S06 (the parties of the relationship), S09 (who handled an incident or a
request) and S13 (deleting a leaving customer's data, the trail of its exit
included), and the trail of every lifecycle; ISO/IEC 20000-1:2011 4.3.3 (records
are kept identifiable, retrievable and protected, and disposed of under control).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.checks import ID, id_problems, ident, raise_problems, text
from cloudsms._kit.records import Check, Record, unique_by
from cloudsms.errors import REDACTED, Problem, UnknownReference, describe
from cloudsms.lifecycle import ACTOR_ID
from cloudsms.parties._shared import list_argument
from cloudsms.parties.contacts import Contact

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "ACTOR_ID",
    "Actor",
    "ActorDirectory",
    "actor_id_problems",
    "is_actor_id",
]

_PREFIX = "actor:"
# ACTOR_ID (from cloudsms.lifecycle) is what an actor id looks like: ``actor:`` and an
# id (`cloudsms._kit.checks.ID`), at most 70 characters. No ``@`` and no space can
# appear, so an e-mail address or a written name is refused; a name squeezed into the
# id grammar (``actor:dana.wolf``) is not, so choose opaque ids.

_EXPECTED = "an actor id: 'actor:' then an id of letters, digits and . _ : - (at most 64)"
_QUERY = "actor query"  # the subject of errors in the arguments of a directory query


def is_actor_id(text: object) -> bool:
    """Whether ``text`` is a well-formed actor id (`ACTOR_ID`).

    Examples:
        >>> is_actor_id("actor:7f3a9c"), is_actor_id("dana@example.com"), is_actor_id(7)
        (True, False, False)
    """
    return isinstance(text, str) and ACTOR_ID.fullmatch(text) is not None


def actor_id_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a well-formed actor id, else the problem at ``path``.

    A refused text is likely a name or an e-mail address given by mistake, which is
    personal data: the problem never shows it. It says what is wrong instead — no
    ``actor:`` prefix, an ``@`` as in an address, white space as in a name, or an id
    part outside the grammar.

    Examples:
        >>> actor_id_problems("actor:desk-7", "$.who")
        []
        >>> (problem,) = actor_id_problems("dana@example.com", "$.who")
        >>> problem.got
        "<redacted> (string: no 'actor:' prefix, an '@' as in an e-mail address)"
    """
    if is_actor_id(value):
        return []
    if not isinstance(value, str):
        return [Problem(path, _EXPECTED, describe(value))]
    return [Problem(path, _EXPECTED, f"{REDACTED} (string: {', '.join(_faults(value))})")]


def _faults(value: str) -> list[str]:
    """What is wrong with a refused actor id, said without repeating it."""
    prefixed = value.startswith(_PREFIX)
    faults = [] if prefixed else [f"no {_PREFIX!r} prefix"]
    if "@" in value:
        faults.append("an '@' as in an e-mail address")
    if any(c.isspace() for c in value):
        faults.append("white space as in a name")
    rest = value[len(_PREFIX) :] if prefixed else value
    if len(faults) == (0 if prefixed else 1) and not ID.fullmatch(rest):
        faults.append("an id part outside the grammar")
    return faults


def _string_problems(value: object, path: str) -> list[Problem]:
    return [] if isinstance(value, str) else [Problem(path, "a string", describe(value))]


actor_id = Check(actor_id_problems, expected=_EXPECTED, total=True)
"""A well-formed actor id (`actor_id_problems`), as a record field's check."""


# ---------------------------------------------------------------------- actors
@attrs.frozen(kw_only=True)
class Actor(Record):
    """Who stands behind an actor id: the party it acts for, and how to reach the person.

    ``id`` is the pseudonym that lifecycle trails record as ``who``
    (``actor:<id>``, see `ACTOR_ID`). ``party_id`` names the party the actor acts
    for or belongs to: the id of a customer, user, partner or supplier in a
    `RelationshipRegister`, or the id the provider uses for itself when the actor is
    one of its own staff. ``contact`` is the person behind the pseudonym, as a
    `Contact` (a name with an e-mail address, a phone number or both) — the one
    record of the package that already holds a person's name and ways to reach
    them, with those values kept out of error messages. It is ``None`` for an
    actor that is not a person (a scheduler, an integration) or whose person is
    already recorded elsewhere (a `CloudServiceUser`'s own contact). ``role`` says,
    in the provider's words, what the actor does ("service desk agent", "customer
    administrator").

    Serves S06, S09 and S13, and the trail of every lifecycle; ISO/IEC 20000-1:2011
    4.3.3 (control of records).

    Raises:
        ValidationError: every problem of the fields, each with its path; an id that
            is not an actor id is refused without being shown.

    Examples:
        >>> Actor(id="actor:4d1e", party_id="acme").party_id
        'acme'
        >>> Actor(id="Dana Wolf", party_id="acme")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Actor is invalid (1 problem):
          - expected an actor id: ..., got <redacted> (string: no 'actor:' prefix, white space as in a name) @ $.id
    """  # noqa: E501 - a doctest's expected output is one line

    id: str = attrs.field(validator=actor_id)
    party_id: str = attrs.field(validator=ident)
    contact: Contact | None = None
    role: str | None = attrs.field(validator=text, default=None)


# ---------------------------------------------------------------------- the directory
@attrs.frozen(kw_only=True)
class ActorDirectory(Record):
    """The actors a provider knows, each id once: how trails' pseudonyms map to people.

    A lifecycle's trail keeps only actor ids; this directory, kept apart from every
    trail, says which party and which person each id stands for. Erasing a party
    (`without_party`, `without_parties`) returns a directory without its actors:
    the trails still hold their ids, which `resolve` then maps to ``None``. That is
    what makes erasure possible at all, since a chained trail cannot be edited
    without breaking its chain. Keep the directory under the same access control as
    other personal data; the trail itself names nobody.

    Serves S06, S09 and S13 (a leaving customer's data is deleted, its actors too),
    and the trail of every lifecycle; ISO/IEC 20000-1:2011 4.3.3 (control of records).

    Raises:
        ValidationError: an actor id used twice (at ``$.actors[i].id``) or an item
            that is not an `Actor`.

    Examples:
        >>> directory = ActorDirectory(
        ...     actors=(
        ...         Actor(id="actor:4d1e", party_id="acme", role="customer administrator"),
        ...         Actor(id="actor:9b07", party_id="provider", role="service desk agent"),
        ...     )
        ... )
        >>> directory.actor("actor:9b07").role
        'service desk agent'
        >>> directory.without_party("acme").resolve("actor:4d1e") is None
        True
    """

    actors: tuple[Actor, ...] = attrs.field(
        validator=unique_by("id"), default=(), converter=as_tuple
    )

    @functools.cached_property
    def _by_id(self) -> dict[str, Actor]:
        return {actor.id: actor for actor in self.actors}

    # ------------------------------------------------------------------ queries
    def actor(self, actor_id: str) -> Actor:
        """The actor with ``actor_id``.

        Raises:
            ValidationError: ``actor_id`` is not an actor id (the text is not shown).
            UnknownReference: no actor has that id (close ids are suggested); an
                erased actor is unknown.
        """
        raise_problems(actor_id_problems(actor_id, "$.actor_id"), _QUERY)
        found = self._by_id.get(actor_id)
        if found is not None:
            return found
        from cloudsms._foundation.suggest import suggest  # noqa: PLC0415 - only errors need it

        # Every id shares the prefix: compare what follows it, or all ids look close.
        close = suggest(actor_id[len(_PREFIX) :], [k[len(_PREFIX) :] for k in self._by_id])
        raise UnknownReference("actor", actor_id, suggestions=[_PREFIX + c for c in close])

    def resolve(self, who: str) -> Actor | None:
        """The actor a trail's ``who`` names, or ``None`` when it names none here.

        ``None`` for an actor that was erased or never mapped, and for a ``who``
        that is not an actor id (one recorded before trails used actor ids): a
        reader of a trail gets the person where one is still known, and nothing
        otherwise.

        Raises:
            ValidationError: ``who`` is not text.
        """
        raise_problems(_string_problems(who, "$.who"), _QUERY)
        return self._by_id.get(who)

    def of_party(self, party_id: str) -> tuple[Actor, ...]:
        """The actors of the party, in directory order (none once it is erased).

        Raises:
            ValidationError: ``party_id`` is not an id.
        """
        raise_problems(id_problems(party_id, "$.party_id"), _QUERY)
        return tuple(a for a in self.actors if a.party_id == party_id)

    # ------------------------------------------------------------------ erasure
    def without_party(self, party_id: str) -> ActorDirectory:
        """This directory without any actor of the party: the party's erasure.

        The actors of other parties stay, in their order. Erasing a party that has
        no actor here returns an equal directory.

        Raises:
            ValidationError: ``party_id`` is not an id.
        """
        return self.without_parties((party_id,))

    def without_parties(self, party_ids: Iterable[str]) -> ActorDirectory:
        """This directory without any actor of the parties (a customer and its users).

        Raises:
            ValidationError: ``party_ids`` is not a list of ids (each bad one at its
                index under ``$.party_ids``).
        """
        ids = list_argument(party_ids, "$.party_ids", "a list of party ids")
        problems: list[Problem] = []
        for index, party_id in enumerate(ids):
            problems += id_problems(party_id, f"$.party_ids[{index}]")
        raise_problems(problems, _QUERY)
        erased = frozenset(ids)
        return ActorDirectory(actors=tuple(a for a in self.actors if a.party_id not in erased))
