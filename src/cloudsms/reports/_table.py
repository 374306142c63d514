r"""Plain-text tables for people: columns padded, control characters escaped, no dependency.

Serves every scenario whose values print as tables (the catalogue of S03, the CLI's
reference tables for S01-S15). Text from a user's document may hold terminal escape
sequences (``ESC [ 31 m``, OSC titles), bidirectional overrides, line breaks or lone
surrogates; printed as they are, they would recolour or rewrite the terminal, or
crash the write. `escape_text` shows each such character as its Python escape
(``\x1b``, ``\u202e``, ``\ud800``); every table goes through it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["escape_text", "format_table", "printable"]

# C0 and C1 controls and DEL, line and paragraph separators, the bidirectional
# controls (marks, embeddings, overrides, isolates) and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


def escape_text(text: str) -> str:
    r"""``text`` with every character that would act on a terminal shown as its escape.

    Examples:
        >>> print(escape_text("\x1b[31mred\x1b[0m tab\there \ud800"))
        \x1b[31mred\x1b[0m tab\there \ud800
        >>> escape_text("Gestion des niveaux de service")
        'Gestion des niveaux de service'
    """
    return _UNSAFE.sub(_escape, text)


def printable(text: str, encoding: str | None) -> str:
    r"""``text`` escaped (`escape_text`), and what ``encoding`` cannot write as backslash escapes.

    Line breaks are kept: this is for whole tables, whose fields are escaped already.

    Examples:
        >>> printable("caf\u00e9\n\x1b[2J", "ascii")
        'caf\\xe9\n\\x1b[2J'
    """
    lines = [escape_text(line) for line in text.split("\n")]
    joined = "\n".join(lines)
    codec = encoding or "utf-8"
    try:
        joined.encode(codec)
    except UnicodeEncodeError:
        return joined.encode(codec, "backslashreplace").decode(codec)
    except LookupError:  # an encoding Python does not know: keep ASCII only
        return joined.encode("ascii", "backslashreplace").decode("ascii")
    return joined


def format_table(columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> str:
    r"""``rows`` under a header of ``columns``, each column as wide as its widest cell.

    Cells are escaped with `escape_text`, so a table is always one line per row.

    Examples:
        >>> print(format_table(["id", "name"], [{"id": "a", "name": "Alpha"}]))
        id  name
        --  -----
        a   Alpha
        >>> print(format_table(["id"], [{"id": "a\nb"}]))
        id
        ----
        a\nb
    """
    cells = [{c: escape_text(row[c]) for c in columns} for row in rows]
    widths = [max([len(c), *(len(row[c]) for row in cells)]) for c in columns]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(row[c].ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()
        for row in cells
    ]
    return "\n".join(lines)
