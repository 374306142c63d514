"""JSON text in, strictly: one reader for every loader of the package.

The standard library's reader keeps the last of two equal keys, so
``{"amount": "1.00", "amount": "1000000.00"}`` would read as a million; it also reads
``NaN`` and ``Infinity``, which are not JSON. This reader refuses both, reports
every repeated key with its path, and turns any failure into a `ValidationError`.
Nothing here imports more than the standard library, so `cloudsms.reference` uses it
too.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cloudsms.errors import Problem, ValidationError, describe

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["key_path", "loads"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def key_path(path: str, key: object) -> str:
    r"""The path of ``key`` inside the object at ``path``: ``$.title``, or ``$["odd key"]``.

    A key that is not a plain name is written in brackets as JSON text, so that a
    path never holds a control character, a dot or a bracket of its own.

    Examples:
        >>> key_path("$.clauses[0]", "title"), key_path("$", "two words\n")
        ('$.clauses[0].title', '$["two words\\n"]')
    """
    if isinstance(key, str) and _NAME.fullmatch(key):
        return f"{path}.{key}"
    shown = json.dumps(key) if isinstance(key, str) else repr(key)
    return f"{path}[{shown}]"


class _RepeatedKey(Exception):  # noqa: N818 - a signal inside this module, never raised out
    """Raised by the first reading when an object repeats a key."""


class _Repeated:
    """Marks, in the second reading, the value of a key that an object repeats."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


def _distinct(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _RepeatedKey
    return result


def _marking(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    result = dict(pairs)
    for key, count in counts.items():
        if count > 1:
            result[key] = _Repeated(count)
    return result


_LONGEST_INT = 4300  # Python's default limit on int-to-text conversion, in digits


def _integer(text: str) -> int | Decimal:
    """An integer of the text; one too long for `int` as a `Decimal`, which every field refuses.

    The reader must not fail on a valid JSON number, so the field it sits in reports it.
    """
    return int(text) if len(text) <= _LONGEST_INT else Decimal(text)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _repeated(data: object, path: str) -> Iterator[Problem]:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, _Repeated):
                yield Problem(
                    key_path(path, key),
                    "an object whose keys are distinct",
                    f"{value.count} times",
                )
            else:
                yield from _repeated(value, key_path(path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _repeated(value, f"{path}[{index}]")


def loads(text: object, *, subject: str = "document") -> Any:  # noqa: ANN401 - JSON data
    """The data of the JSON ``text`` (str or bytes); repeated keys and non-JSON refused.

    Raises:
        ValidationError: the text is not JSON, or an object repeats a key (each
            repeated key is reported at its path, as its ``subject`` says).

    Examples:
        >>> loads('{"amount": "1.00", "currency": "EUR", "amount": "9.00"}', subject="Money")
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Money is invalid (1 problem):
          - expected an object whose keys are distinct, got 2 times @ $.amount
    """
    if not isinstance(text, str | bytes | bytearray):
        raise ValidationError.single(
            "$", "JSON text (str or bytes)", describe(text), subject=subject
        )
    try:
        return json.loads(
            text, object_pairs_hook=_distinct, parse_constant=_no_constant, parse_int=_integer
        )
    except _RepeatedKey:
        marked = json.loads(
            text, object_pairs_hook=_marking, parse_constant=_no_constant, parse_int=_integer
        )
        raise ValidationError(list(_repeated(marked, "$")), subject=subject) from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ValidationError.single(
            "$", "a JSON document", f"invalid JSON ({reason})", subject=subject
        ) from None
