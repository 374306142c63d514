"""What a section of the benchmarks prints when it is run on its own.

A section module (operations, monitoring, resources) gives ``rows(quick=...)``: rows
``(label, figure, floor, unit)``, where a floor of NaN marks a line printed for
information only. `benchmarks/run.py` prints the rows in its own table; run alone,
a section prints them one a line through `main` and exits 1 when a floor is missed.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

Row = tuple[str, float, float, str]
"""One figure of a section: label, figure, floor (NaN: information only), unit."""


def main(rows: Callable[..., list[Row]]) -> int:
    """Print the section's rows (``--quick`` in argv: the quick form); 1 when a floor is missed."""
    missed = False
    for label, value, floor, unit in rows(quick="--quick" in sys.argv[1:]):
        if math.isnan(floor):
            print(f"  ({label})")
            continue
        mark = "ok" if value <= floor else "MISSED"
        missed |= value > floor
        print(f"{label}: {value:.3f} {unit} (floor {floor} {unit}, {value / floor:.2f}) {mark}")
    return 1 if missed else 0
