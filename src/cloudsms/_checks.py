"""Small field checks the model classes share, each returning the problems it finds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from cloudsms.errors import Problem, describe

__all__ = [
    "ID",
    "as_frozenset",
    "as_tuple",
    "id_problems",
    "optional_text_problems",
    "text_problems",
]

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
    return frozenset(value)
