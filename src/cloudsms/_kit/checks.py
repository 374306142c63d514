"""Small field checks the model classes share, each returning the problems it finds."""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, TypeVar

from cloudsms._foundation import countries as _countries
from cloudsms._foundation.frozen import (
    FrozenMapping,
    as_frozen_mapping,
    as_frozenset,
    as_tuple,
)
from cloudsms._foundation.instants import instant_problems
from cloudsms._kit.records import Check, each, sorted_items
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.lifecycle import LifecycleInstance

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "ID",
    "FrozenMapping",
    "as_frozen_mapping",
    "as_frozenset",
    "as_tuple",
    "binding_problems",
    "calendar_length",
    "calendar_length_problems",
    "id_list_problems",
    "id_problems",
    "id_set",
    "ident",
    "ids",
    "instance_problems",
    "instant",
    "jurisdiction",
    "jurisdiction_problems",
    "jurisdiction_set_problems",
    "jurisdictions",
    "member_of",
    "nested_problems",
    "optional_text_problems",
    "own_id",
    "raise_problems",
    "sorted_items",
    "text",
    "text_list_problems",
    "text_problems",
    "texts",
]


ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
"""What an id looks like: letters, digits and . _ : - , at most 64, not starting with a sign."""


E = TypeVar("E", bound=enum.Enum)


def own_id(record: object) -> str | None:
    """``record.id`` when it is an id, else ``None``: what a record binds its lifecycle to.

    A record's default lifecycle instance (a service's, a complaint's) takes the
    record's id; while that id is invalid the record's own check reports it, and the
    instance takes a random id meanwhile.
    """
    given: object = getattr(record, "id", None)
    return given if isinstance(given, str) and ID.fullmatch(given) else None


def binding_problems(record: object) -> list[Problem]:
    """``[lifecycle.id problem]`` when the record's trail is bound to another id, else ``[]``.

    A trail's genesis binds the id it was begun with, so a record holding another
    record's trail (moved in a document) is refused, at ``lifecycle.id`` relative to it.
    Begin a record's instance with its id: ``SERVICE_LIFECYCLE.begin(id=service_id)``
    (the records' default instances are).
    """
    instance: object = getattr(record, "lifecycle", None)
    record_id = own_id(record)
    if not isinstance(instance, LifecycleInstance) or record_id is None:
        return []
    if instance.id == record_id:
        return []
    expected = f"the record's id {record_id!r}: a trail is bound to the record holding it"
    return [Problem("lifecycle.id", expected, describe(instance.id))]


def raise_problems(problems: list[Problem], subject: str) -> None:
    """Raise one `ValidationError` holding ``problems``, if there are any."""
    if problems:
        raise ValidationError(problems, subject=subject)


def nested_problems(problems: Iterable[Problem], prefix: str) -> list[Problem]:
    """Problems of a nested value, moved under ``prefix`` (``$.email`` -> ``$.contact.email``)."""
    return [p._replace(path=prefix + p.path[1:]) for p in problems]


_YOU = re.compile(r"U[^AEIOUaeiou][aeiou]")


def instance_problems(
    value: object, kind: type, path: str, *, optional: bool = False
) -> list[Problem]:
    """``[]`` for an instance of ``kind`` (or ``None`` when ``optional``)."""
    if isinstance(value, kind) or (optional and value is None):
        return []
    name = kind.__name__
    return [
        Problem(
            path, f"{_article(name)} {name}" + (" or null" if optional else ""), describe(value)
        )
    ]


def _article(name: str) -> str:
    """The article before a class name: "an Allocation", "an Upgrade", but "a Usage".

    A U said as "you" (one consonant, then a vowel: Usage, UnitCost) takes "a".
    """
    if _YOU.match(name):
        return "a"
    return "an" if name[:1] in "AEIOUaeiou" else "a"


def member_of(kind: type[E], value: object, path: str, *, subject: str) -> E:
    """``value`` as a member of ``kind`` (a member, or its value), or a ValidationError."""
    try:
        return kind(value)
    except (ValueError, TypeError):
        names = ", ".join(repr(m.value) for m in kind)
        raise ValidationError.single(
            path, f"one of {names}", describe(value), subject=subject
        ) from None


def id_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a well-formed id, else the problem at ``path``."""
    if isinstance(value, str) and ID.fullmatch(value):
        return []
    return [Problem(path, "an id of letters, digits and . _ : - (at most 64)", describe(value))]


def text_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a non-empty string, else the problem at ``path``."""
    if isinstance(value, str) and value.strip():
        return []
    return [Problem(path, "a non-empty string", describe(value))]


def optional_text_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for ``None`` or a non-empty string, else the problem at ``path``."""
    return (
        []
        if value is None
        else [
            p._replace(expected="a non-empty string or null") for p in text_problems(value, path)
        ]
    )


def text_list_problems(value: object, path: str, *, at_least_one: bool = False) -> list[Problem]:
    """``[]`` for a tuple of non-empty strings (not empty, if ``at_least_one``)."""
    if not isinstance(value, tuple) or (at_least_one and not value):
        more = "one or more" if at_least_one else "a list of"
        return [Problem(path, f"{more} non-empty strings", describe(value))]
    problems: list[Problem] = []
    for index, text in enumerate(value):
        problems += text_problems(text, f"{path}[{index}]")
    return problems


def id_list_problems(value: object, path: str, *, of: str = "") -> list[Problem]:
    """``[]`` for a tuple of distinct, well-formed ids (``of`` names them: ``"supplier"``)."""
    ids = f"{of} ids" if of else "ids"
    if not isinstance(value, tuple):
        return [Problem(path, f"a list of {ids}", describe(value))]
    problems: list[Problem] = []
    for index, item in enumerate(value):
        problems += id_problems(item, f"{path}[{index}]")
    if not problems and len(set(value)) != len(value):
        problems.append(Problem(path, f"distinct {ids}", describe(value)))
    return problems


def jurisdiction_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a known ISO 3166 code, else the problem at ``path`` with close matches.

    Known codes are the ISO 3166-1 alpha-2 countries (``DE``), the ISO 3166-2
    subdivisions (``US-CA``) and the region ``EU`` (the European Union), as
    ``cloudsms/data/countries.json`` lists them (S01 jurisdictions, S03 locations).

    Examples:
        >>> jurisdiction_problems("US-CA", "$.code")
        []
        >>> (problem,) = jurisdiction_problems("Germany", "$.code")
        >>> problem.expected
        "an ISO 3166 code such as 'DE' or 'US-CA' (close matches: DE)"
    """
    if _countries.is_known(value):
        return []
    close = _countries.close_codes(value)
    hint = f" (close matches: {', '.join(close)})" if close else ""
    return [Problem(path, f"an ISO 3166 code such as 'DE' or 'US-CA'{hint}", describe(value))]


def jurisdiction_set_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a non-empty frozenset of known ISO 3166 codes (see `jurisdiction_problems`).

    Each bad code is reported at its own index in the sorted set
    (``$.data_locations[2]``), so the path is the same however the set was built.
    """
    if not isinstance(value, frozenset) or not value:
        return [Problem(path, "one or more ISO 3166 codes", describe(value))]
    problems: list[Problem] = []
    for index, code in enumerate(sorted_items(value)):
        problems += jurisdiction_problems(code, f"{path}[{index}]")
    return problems


def calendar_length_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a positive calendar length in whole units (``relativedelta(months=12)``).

    Whole years, months, days, hours, minutes and seconds, none negative, at most
    1000 years in all: what an ISO 8601 duration carries without loss. The check is
    `cloudsms.periods.calendar_length_problems`, the one the JSON reader runs too.
    """
    from cloudsms.periods import calendar_length_problems as length_problems  # noqa: PLC0415

    return length_problems(value, path)


# ---------------------------------------------------------------------- as record checks
# The checks above as `cloudsms._kit.records.Check` values, for ``attrs.field(validator=...)``.
# Each is total: it says itself what a value of the wrong type lacks.
ident = Check(
    id_problems, expected="an id of letters, digits and . _ : - (at most 64)", total=True
)
"""A well-formed id (`ID`)."""

text = Check(text_problems, expected="a non-empty string", total=True)
"""A non-empty string."""

jurisdiction = Check(jurisdiction_problems, total=True)
"""A known ISO 3166 code (`jurisdiction_problems`)."""

jurisdictions = Check(jurisdiction_set_problems, total=True)
"""A non-empty set of known ISO 3166 codes, each bad one at its sorted index."""

calendar_length = Check(calendar_length_problems, total=True)
"""A calendar length (`relativedelta`) of relative, whole units of one sign."""

instant = Check(instant_problems, total=True)
"""An aware instant in the supported range whose wall time exists in its zone."""


def texts(*, at_least_one: bool = False) -> Check:
    """A tuple of non-empty strings (at least one, if asked), each at its index."""
    return Check(
        lambda value, path: text_list_problems(value, path, at_least_one=at_least_one),
        total=True,
    )


def id_set(*, of: str = "") -> Check:
    """A frozenset of well-formed ids, each bad one at its sorted index; ``of`` names them."""
    return each(ident, expected=f"a list of {of} ids" if of else "a list of ids")


def ids(*, of: str = "") -> Check:
    """A tuple of distinct, well-formed ids; ``of`` names them (``"supplier"``)."""
    return Check(lambda value, path: id_list_problems(value, path, of=of), total=True)
