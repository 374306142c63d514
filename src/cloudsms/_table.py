"""Plain-text tables for the model's ``table()`` methods: columns padded, no dependency."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["format_table"]


def format_table(columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> str:
    """``rows`` under a header of ``columns``, each column as wide as its widest cell.

    Examples:
        >>> print(format_table(["id", "name"], [{"id": "a", "name": "Alpha"}]))
        id  name
        --  -----
        a   Alpha
    """
    widths = [max([len(c), *(len(row[c]) for row in rows)]) for c in columns]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(row[c].ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines)
