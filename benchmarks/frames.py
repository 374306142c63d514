"""Figures for the analyst's tables (issue 20, S12): the coverage matrix as a DataFrame.

Rows are ``(label, figure, floor, unit)`` as benchmarks/removal.py's are; a floor of
NaN marks a figure printed for information. Run on its own with
``python benchmarks/frames.py [--quick]``. Needs the extra ``analysis`` (pandas).

- The frame: ``to_frame(coverage_matrix())`` on a reference set read afresh from the
  shipped set's JSON before each run, so each run pays for the 795 cells as well as
  the DataFrame (53 clauses by 15 scenarios, each value a cell's kind). The figure is
  the best of 20 wall times (5 with ``--quick``), in milliseconds, against 10 ms.
- Beside it, for information: the frame built again from the same set's cells
  (the matrix already cached, so only pandas' part is left), and the same frame
  built by hand from ``to_records()`` (the 117 direct citations) with pandas, the way
  a user without `coverage_matrix` would: each clause's nearest cited ancestor found
  by walking up its number, S14 and S15 marked unknown from the scenarios' flag. The
  hand-built frame is checked equal to `to_frame`'s, so both do the same work.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import section
from cloudsms import reference
from cloudsms.reference import ReferenceSet
from cloudsms.reports.frames import to_frame

FLOOR = 0.01
"""Seconds to build the coverage-matrix frame of a fresh reference set."""


def by_hand(refs: ReferenceSet) -> Any:  # noqa: ANN401 - a pandas DataFrame
    """The clause-by-scenario frame from ``to_records()`` and pandas, without coverage_matrix."""
    import pandas as pd  # noqa: PLC0415 - the extra, imported when the benchmark runs

    cited = pd.DataFrame(refs.to_records())
    cited = cited[cited["edition"] == reference.DEFAULT_EDITION]
    pairs = set(zip(cited["scenario_id"], cited["clause_number"], strict=True))
    known = {s.id: s.citations_known for s in refs.scenarios()}
    numbers = [c.number for c in refs.clauses(edition=reference.DEFAULT_EDITION)]
    ids = [s.id for s in refs.scenarios()]

    def kind(number: str, sid: str) -> str:
        if not known[sid]:
            return "unknown"
        if (sid, number) in pairs:
            return "direct"
        parts = number.split(".")
        for end in range(len(parts) - 1, 0, -1):
            if (sid, ".".join(parts[:end])) in pairs:
                return "inherited"
        return "none"

    return pd.DataFrame(
        [[kind(number, sid) for sid in ids] for number in numbers],
        index=pd.Index(numbers, name="clause_number"),
        columns=pd.Index(ids, name="scenario_id"),
    )


def _best(run: Any, times: int) -> tuple[Any, float]:  # noqa: ANN401 - any result
    """``run``'s result and its best wall time of ``times``."""
    best = math.inf
    result = None
    for _ in range(times):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return result, best


def rows(*, quick: bool) -> list[tuple[str, float, float, str]]:
    """Build the coverage-matrix frame (best of 20; 5 quick) and beside it by hand."""
    runs = 5 if quick else 20
    text = reference.shipped().to_json()
    fresh_sets = [ReferenceSet.from_json(text, origin="cloudsms") for _ in range(runs)]
    pending = iter(fresh_sets)
    frame, building = _best(lambda: to_frame(next(pending).coverage_matrix()), runs)
    cached = fresh_sets[0]
    _, again = _best(lambda: to_frame(cached.coverage_matrix()), runs)
    hand, by_hand_time = _best(lambda: by_hand(cached), runs)
    if not frame.equals(hand):
        raise AssertionError("the hand-built frame and to_frame's differ")
    if frame.shape != (53, 15):
        raise AssertionError(f"a frame of {frame.shape}, not 53 x 15")
    return [
        (
            "to_frame(coverage_matrix()) of a fresh reference set: 53 x 15 kinds",
            building * 1000,
            FLOOR * 1000,
            "ms",
        ),
        (
            f"the same frame, the set's matrix cached (pandas' part): {again * 1000:.2f} ms",
            again * 1000,
            math.nan,
            "ms",
        ),
        (
            (
                "built by hand from to_records() with pandas (nearest cited ancestor per cell):"
                f" {by_hand_time * 1000:.2f} ms, {by_hand_time / building:.1f} times to_frame's"
            ),
            by_hand_time * 1000,
            math.nan,
            "ms",
        ),
    ]


if __name__ == "__main__":
    sys.exit(section.main(rows))
