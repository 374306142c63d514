"""Small field checks the model classes share, each returning the problems it finds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from cloudsms.errors import Problem, describe

__all__ = [
    "ID",
    "FrozenMapping",
    "as_frozen_mapping",
    "as_frozenset",
    "as_tuple",
    "calendar_length_problems",
    "id_list_problems",
    "id_problems",
    "jurisdiction_problems",
    "optional_text_problems",
    "text_list_problems",
    "text_problems",
]

_JURISDICTION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
_LONGEST_MONTHS = 12_000
_RELATIVE = ("years", "months", "days", "hours", "minutes", "seconds", "microseconds")
_ABSOLUTE = ("year", "month", "day", "weekday", "hour", "minute", "second", "microsecond")

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
"""What an id looks like: letters, digits and . _ : - , at most 64, not starting with a sign."""


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


def id_list_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a tuple of distinct, well-formed ids."""
    if not isinstance(value, tuple):
        return [Problem(path, "a list of ids", describe(value))]
    problems: list[Problem] = []
    for index, item in enumerate(value):
        problems += id_problems(item, f"{path}[{index}]")
    if not problems and len(set(value)) != len(value):
        problems.append(Problem(path, "distinct ids", describe(value)))
    return problems


def jurisdiction_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for an ISO 3166 country or subdivision code (``DE``, ``US-CA``)."""
    if isinstance(value, str) and _JURISDICTION.fullmatch(value):
        return []
    return [Problem(path, "an ISO 3166 code such as 'DE' or 'US-CA'", describe(value))]


def calendar_length_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a positive calendar length in whole units (``relativedelta(months=12)``).

    Whole years, months, days, hours, minutes and seconds, none negative, at most
    1000 years in all: what an ISO 8601 duration carries without loss.
    """
    from dateutil.relativedelta import relativedelta  # noqa: PLC0415 - only where lengths are

    expected = "a positive calendar length in whole units, such as P1M"
    if not isinstance(value, relativedelta):
        return [Problem(path, expected, describe(value))]
    parts = [getattr(value, name) for name in _RELATIVE]
    absolute = any(getattr(value, name) is not None for name in _ABSOLUTE)
    whole = all(type(part) is int for part in parts) and not value.microseconds
    if absolute or value.leapdays or not whole or min(parts) < 0 or max(parts) <= 0:
        return [Problem(path, expected, repr(value))]
    if value.years * 12 + value.months + value.days // 31 > _LONGEST_MONTHS:
        return [Problem(path, "a calendar length of at most 1000 years", repr(value))]
    return []


K = TypeVar("K")
V = TypeVar("V")


class FrozenMapping(Mapping[K, V]):
    """A read-only, hashable, picklable mapping for the fields of frozen values.

    It compares equal to a dict with the same items and prints like one, so frozen
    classes can hold mappings that nobody can change after the checks have run.

    Examples:
        >>> m = FrozenMapping({"vcpus": "4"})
        >>> m == {"vcpus": "4"}, m["vcpus"], m
        (True, '4', {'vcpus': '4'})
        >>> m["vcpus"] = "8"
        Traceback (most recent call last):
        ...
        TypeError: 'FrozenMapping' object does not support item assignment
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(data)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __reduce__(self) -> tuple[type[FrozenMapping[K, V]], tuple[dict[K, V]]]:
        return (type(self), (self._data,))


def as_frozen_mapping(value: Any) -> Any:  # noqa: ANN401 - an attrs converter takes anything
    """An attrs converter: any mapping as a `FrozenMapping` copy (anything else kept as given)."""
    if isinstance(value, FrozenMapping):
        return value
    return FrozenMapping(value) if isinstance(value, Mapping) else value


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """An attrs converter: any list-like value as a tuple.

    Anything else (text, a mapping, a number) is kept as given, so the class's own
    check reports it with its path instead of the converter failing without one.
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    return tuple(value)


def as_frozenset(value: Iterable[Any]) -> frozenset[Any]:
    """An attrs converter: any list-like value as a frozenset (else kept, as `as_tuple`)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    try:
        return frozenset(value)
    except TypeError:  # unhashable items: the class's check names them
        return value  # type: ignore[return-value]
