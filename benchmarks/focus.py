"""Figures for the FinOps FOCUS 1.0 export (issue 17, S11).

Rows are ``(label, figure, floor, unit)`` as benchmarks/resources.py's are; a floor of
NaN marks a figure printed for information. Run on its own with
``python benchmarks/focus.py [--quick]``.

- `cloudsms.reports.focus.write_focus` of a cost profile of about 100,000 lines
  (about 10,000 with ``--quick``): the allocations of benchmarks/resources.py (vcpu
  and memory over October 2026 in Berlin, priced per vcpu-hour and GiB-hour), each
  with a resource id, a third with a cost centre and a location. The figure is its
  time (every row made from the profile, then written) over the time of writing the
  same rows, the dicts `focus_rows` already made, with the csv module's
  ``DictWriter``: what the export adds to writing CSV at all. Floor 3x. Both times
  are printed beside it. The rows written are checked first: BilledCost adds up
  to the profile's total and the file reads back into the profile's lines.

Times are the best of 5 runs (2 with ``--quick``), the two sides in turn, each on a
collected heap, the profile and the rows frozen out of the collector's passes
(``gc.freeze()``): the collector then walks what each side builds.
"""

from __future__ import annotations

import csv
import gc
import math
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import agreement_data
import resources
import section
from cloudsms.reports.focus import focus_rows, read_focus, write_focus
from cloudsms.resources import Allocation
from cloudsms.resources.cost import CostProfile
from section import Row

ROWS, QUICK_ROWS = 112_000, 11_200
"""Allocations priced (about nine in ten are held in October: the lines)."""
RATIO_FLOOR = 3.0
"""At most this many times the csv module's time for the same rows."""


def profile(count: int) -> CostProfile:
    """The profile of benchmarks/resources.py's allocations, some with cost centres."""
    made = []
    for index, held in enumerate(resources.allocations(count, seed=17)):
        if index % 3 == 0:
            held = Allocation(  # noqa: PLW2901 - the same holding, booked to a cost centre
                held.customer,
                held.agreement,
                held.service,
                held.resource_type,
                held.quantity,
                held.since,
                held.until,
                resource_id=held.resource_id,
                cost_centre=f"team-{index % 7}",
                location="fra-1",
            )
        made.append(held)
    return CostProfile.build(
        agreement_data.agreement(), made, (), resources.OCTOBER, rates=resources.rates()
    )


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """The same rows written by the csv module alone: the baseline."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def rows(*, quick: bool) -> list[Row]:
    """The export's time over the csv module's, with both times for information."""
    count = QUICK_ROWS if quick else ROWS
    runs = 2 if quick else 5
    priced = profile(count)
    lines = len(priced.lines)
    made = focus_rows(priced)
    billed = sum(Decimal(row["BilledCost"]) for row in made)
    if billed != priced.total.amount:
        raise AssertionError((billed, priced.total))
    with tempfile.TemporaryDirectory() as folder:
        ours_path, bare_path = Path(folder) / "focus.csv", Path(folder) / "csv.csv"
        if write_focus(ours_path, priced) != lines or read_focus(ours_path) != priced.lines:
            raise AssertionError("the FOCUS file reads back into the profile's lines")
        gc.collect()
        gc.freeze()  # the profile and the rows are the application's data
        ours, bare = resources.best(
            lambda: write_focus(ours_path, priced), lambda: write_rows(bare_path, made), runs
        )
        gc.unfreeze()
    return [
        (
            f"write_focus of {lines:,} lines, over csv.DictWriter writing the same rows",
            ours / bare,
            RATIO_FLOOR,
            "x",
        ),
        (
            (
                f"write_focus: {ours * 1e3:.0f} ms ({ours / lines * 1e6:.1f} us a row); "
                f"csv.DictWriter: {bare * 1e3:.0f} ms ({bare / lines * 1e6:.1f} us a row); "
                f"total {priced.total}"
            ),
            ours,
            math.nan,
            "s",
        ),
    ]


if __name__ == "__main__":
    sys.exit(section.main(rows))
