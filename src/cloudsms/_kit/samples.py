"""Packed samples on the wire: a read-only ``memoryview`` as a JSON list, ``null`` for a gap.

Monitoring (S10) keeps long runs of samples packed, one byte or one double per step
(`cloudsms.monitoring.SampleSeries`), and shows them as a read-only ``memoryview``.
On the wire such a view is a list of numbers in step order, ``null`` where a step
has no sample: the byte `MISSING` (255) of a ``'B'`` view, NaN in a ``'d'`` view.
A list is read back as a ``'d'`` view (``null`` as NaN); the series that holds it
packs it again as its metric says, so a series reads back equal to the one written.
`cloudsms._kit.wire` declares these hooks.
"""

from __future__ import annotations

import array
from math import isnan
from typing import Any, cast

from cloudsms._kit.limits import INT64
from cloudsms.errors import Problem, ValidationError, describe

__all__ = ["MISSING", "SAMPLES_SCHEMA", "structure_samples", "unstructure_samples"]

MISSING = 255
"""The byte a one-byte-per-step view holds for a step with no sample."""

SAMPLES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"anyOf": [{"type": "number"}, {"type": "null"}]},
}

_MAX_PROBLEMS = 20
_NAN = float("nan")


def _sample(value: object) -> float | None:
    """A JSON sample as a float (``null`` as NaN), or None when it is not one."""
    if value is None:
        return _NAN
    if type(value) is float and not isnan(value) and abs(value) != float("inf"):
        return value
    if type(value) is int and INT64[0] <= value <= INT64[1]:
        return float(value)
    return None


def structure_samples(value: object, _: object) -> memoryview:
    """A JSON list of numbers and nulls as a ``'d'`` view (NaN for null); else refused.

    Raises:
        ValidationError: not a list (at ``$``), or items that are neither a finite
            number nor null (each at ``$[i]``, at most 20 listed).
    """
    if type(value) is not list:
        raise ValidationError.single(
            "$", "a list of samples (numbers, null for a missing one)", describe(value)
        )
    samples = [_sample(item) for item in value]
    problems = [
        Problem(f"$[{index}]", "a finite number or null", describe(value[index]))
        for index, sample in enumerate(samples)
        if sample is None
    ]
    if problems:
        raise ValidationError(problems[:_MAX_PROBLEMS])
    return memoryview(array.array("d", cast("list[float]", samples)))


def unstructure_samples(view: memoryview) -> list[Any]:
    """A view of packed samples as a JSON list: 255 of a ``'B'`` view, NaN of a ``'d'`` as null."""
    if view.format == "B":
        return [None if item == MISSING else item for item in view]
    if view.format == "d":
        return [None if isnan(item) else item for item in view]
    return list(view.tolist())
