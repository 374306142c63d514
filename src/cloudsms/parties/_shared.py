"""Checks the party records share: counts, decimals, flags, instants, query arguments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.instants import instant_problems
from cloudsms._kit.limits import DECIMAL, INT64, LONGEST_NUMBER
from cloudsms._kit.records import Check
from cloudsms.errors import Problem, ValidationError, describe

# A value the converter would refuse to read back is refused when built: the wire limits.
_INT64_MAX = INT64[1]
QUERY = "acknowledgement query"  # the subject of errors in the arguments of a query

aware_problems = instant_problems
"""``[]`` for an aware instant in the supported range (`cloudsms.periods.aware`)."""


def count_problems(value: object, path: str, *, least: int, note: str = "") -> list[Problem]:
    """``[]`` for an integer from ``least`` that fits in 64 bits (as JSON readers need)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if least <= value <= _INT64_MAX:
            return []
        if value > _INT64_MAX:
            return [Problem(path, "an integer of at most 2**63 - 1 (64 bits)", describe(value))]
    return [Problem(path, f"an integer from {least}{note}", describe(value))]


def finite_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a finite Decimal (an argument to compare or compute with)."""
    if isinstance(value, Decimal) and value.is_finite():
        return []
    return [Problem(path, "a finite Decimal", describe(value))]


def decimal_problems(value: object, path: str) -> list[Problem]:
    """``[]`` for a finite Decimal that a JSON document can carry and read back."""
    problems = finite_problems(value, path)
    if problems:
        return problems
    text = str(value)
    if len(text) <= LONGEST_NUMBER and DECIMAL.fullmatch(text):
        return []
    return [
        Problem(
            path,
            "a Decimal written in at most 100 characters, its exponent in at most 3 digits",
            describe(value),
        )
    ]


json_decimal = Check(decimal_problems, total=True)
"""A finite Decimal a JSON document carries and reads back (`decimal_problems`)."""

boolean = Check(lambda _, __: [], expected="a boolean")
"""A flag: the annotation ``bool`` checks the type; this names it as JSON does."""


def count(*, least: int, note: str = "") -> Check:
    """An integer from ``least`` that fits in 64 bits (`count_problems`)."""
    return Check(
        lambda value, path: count_problems(value, path, least=least, note=note), total=True
    )


_ORIGIN = dt.datetime(1, 1, 1)  # noqa: DTZ001 - naive on purpose: the timeline's zero in UTC


def on_timeline(instant: dt.datetime) -> dt.timedelta:
    """Where an aware instant lies on the absolute timeline (from 0001-01-01 in UTC).

    Aware datetimes sharing a tzinfo subtract on the wall clock; these distances
    cannot, and unlike ``astimezone(UTC)`` they never overflow near year 1 or 9999.
    """
    return instant.replace(tzinfo=None) - _ORIGIN - (instant.utcoffset() or dt.timedelta(0))


def list_argument(values: object, path: str, expected: str) -> tuple[object, ...]:
    """A list-like argument as a tuple; a string, a mapping or a non-list is refused."""
    items = as_tuple(values)  # type: ignore[arg-type]
    if not isinstance(items, tuple):
        raise ValidationError.single(path, expected, describe(values), subject=QUERY)
    return items
