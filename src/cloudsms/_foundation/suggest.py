"""Close matches for a name that was not found, shared by every lookup's error message.

The model's lookups (a catalogue entry, a service in a graph, a country code) run
this only when an exact lookup misses, to say "did you mean ...?"; it needs nothing
beyond the standard library, so any layer may use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["LONGEST", "suggest"]

LONGEST = 40
"""Text longer than this is compared with nothing: no identifier people write is longer."""


def suggest(
    key: object, known: Iterable[str], *, limit: int = 3, cutoff: float = 0.5
) -> tuple[str, ...]:
    """Up to ``limit`` known identifiers close to ``key``, closest first.

    ``cutoff`` is the least similarity (0 to 1, as `difflib.SequenceMatcher.ratio`) a
    match needs.

    Anything but text of at most `LONGEST` characters has no close matches, so a
    caller may pass whatever arrived.

    Examples:
        >>> suggest("crn", ["crm", "erp", "mail"])
        ('crm',)
        >>> suggest(5, ["crm"]), suggest("x" * 41, ["x"])
        ((), ())
    """
    import difflib  # noqa: PLC0415 - only an error message needs it; keep imports cheap

    if not isinstance(key, str) or len(key) > LONGEST:
        return ()
    return tuple(difflib.get_close_matches(key, list(known), n=limit, cutoff=cutoff))
