"""Reading identifiers as people write them: ``S7``, ``S010``, ``5.7``, ``Clause 6.1``.

These helpers run only when a fast exact lookup misses, so they may use regular
expressions freely.
"""

from __future__ import annotations

import re

from cloudsms._foundation.suggest import suggest

__all__ = ["clause_sort_key", "normalize_clause_number", "normalize_scenario_id", "suggest"]

_SCENARIO = re.compile(r"s0*([1-9][0-9]{0,2})", re.IGNORECASE)
_CLAUSE = re.compile(r"(?:clause\s+)?([0-9]{1,4}(?:\.[0-9]{1,4}){0,7})\.?", re.IGNORECASE)
_LONGEST = 40  # no identifier people write is longer; longer text is not read at all


def normalize_scenario_id(text: str) -> str | None:
    """Return the canonical id for ``S7``, ``s07`` or ``S010``; ``None`` for anything else.

    >>> normalize_scenario_id("s7"), normalize_scenario_id("S010"), normalize_scenario_id("x")
    ('S07', 'S10', None)
    """
    if len(text) > _LONGEST:
        return None
    match = _SCENARIO.fullmatch(text.strip())
    return f"S{int(match.group(1)):02d}" if match else None


def normalize_clause_number(text: str) -> str | None:
    """Return ``6.1`` for ``6.1``, ``Clause 6.1`` or ``06.01.``; ``None`` for anything else.

    >>> normalize_clause_number("Clause 06.01."), normalize_clause_number("six")
    ('6.1', None)
    """
    if len(text) > _LONGEST:
        return None
    match = _CLAUSE.fullmatch(text.strip())
    if not match:
        return None
    parts = [int(p) for p in match.group(1).split(".")]
    if 0 in parts:
        return None
    return ".".join(map(str, parts))


def clause_sort_key(number: str) -> tuple[int, ...]:
    """Order clause numbers numerically: ``4.5.10`` after ``4.5.9``, ``10`` after ``9``.

    >>> sorted(["10", "9.1", "4.5.10", "4.5.9"], key=clause_sort_key)
    ['4.5.9', '4.5.10', '9.1', '10']
    """
    return tuple(int(p) for p in number.split("."))
