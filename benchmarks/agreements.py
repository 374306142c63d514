"""Figures for agreements (S07): judging a service target, beside a plain float comparison.

Rows are ``(label, figure, floor, unit)`` as benchmarks/core.py's are; a floor of NaN
marks a figure printed for information. Run on its own with
``python benchmarks/agreements.py``, or add ``agreements.judge_rows(rounds)`` to the
runner's groups.
"""

from __future__ import annotations

import math
import sys
import timeit
from decimal import Decimal
from typing import TYPE_CHECKING

from cloudsms.agreements.credits import CreditTerms, CreditTier, credit_for
from cloudsms.agreements.targets import ServiceTarget, judge
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money
from cloudsms.units import quantity

if TYPE_CHECKING:
    from collections.abc import Callable

JUDGE_FLOOR = 2.0
"""Judging a number already in the canonical unit takes at most this many microseconds."""


def per_call(fn: Callable[[], object], rounds: int) -> float:
    """Best-of-``rounds`` time of one call, in microseconds."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=rounds, number=number)) / number * 1e6


def _target() -> ServiceTarget:
    tiers = [
        CreditTier(worse_than=quantity("99.95 %"), credit=Decimal(10)),
        CreditTier(worse_than=quantity("99 %"), credit=Decimal(25)),
    ]
    return ServiceTarget(
        id="uptime",
        level=ServiceLevel(
            measure="availability", bound=Bound.AT_LEAST, target=quantity("99.95 %")
        ),
        credits=CreditTerms(tiers=tiers),
    )


def judge_rows(rounds: int) -> list[tuple[str, float, float, str]]:
    """``judge`` on the fast path (floor 2 us), beside a plain float comparison and more."""
    target = _target()
    achieved = Decimal("99.97")
    whole = 100
    measured = quantity("0.9997")
    threshold, value = 99.95, 99.97
    charge = Money("1200.00", "EUR")
    return [
        (
            "judge(target, Decimal) in the canonical unit",
            per_call(lambda: judge(target, achieved), rounds),
            JUDGE_FLOOR,
            "us",
        ),
        (
            "judge(target, int) in the canonical unit",
            per_call(lambda: judge(target, whole), rounds),
            JUDGE_FLOOR,
            "us",
        ),
        (
            "plain float comparison (value >= threshold)",
            per_call(lambda: value >= threshold, rounds),
            math.nan,
            "us",
        ),
        (
            "judge(target, Quantity) converted exactly",
            per_call(lambda: judge(target, measured), rounds),
            math.nan,
            "us",
        ),
        (
            "credit_for(target, Decimal, Money)",
            per_call(lambda: credit_for(target, Decimal("99.5"), charge), rounds),
            math.nan,
            "us",
        ),
    ]


def main() -> int:
    """Print the rows; exit 1 when a figure misses its floor."""
    rows = judge_rows(7)
    width = max(len(label) for label, *_ in rows)
    missed = 0
    for label, figure, floor, unit in rows:
        if math.isnan(floor):
            print(f"{label:<{width}}  {figure:>9.3f}{unit}")
            continue
        mark = "ok" if figure <= floor else "MISSED"
        missed += mark != "ok"
        print(f"{label:<{width}}  {figure:>9.3f}{unit}  {floor:>5.1f}{unit}  {mark}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
