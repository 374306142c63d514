"""Figures for agreements (S07): judging a target, and loading a 12-target agreement.

``judge`` is timed beside a plain float comparison; ``from_json`` of the 12-target
agreement of agreement_data.py beside pydantic v2's ``validate_json`` of the same
bytes into the mirror model of pydantic_agreement.py, in the same process and run.

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

LOAD_FLOOR = 3.0
"""Loading the 12-target agreement takes at most this many times pydantic v2's load.

Above the catalogue's 1.0: every target's threshold is parsed with its unit and
converted to its metric's canonical unit, and the credit tiers, priorities, zones
and responsibilities are checked against each other, which the mirror cannot declare.
"""


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


def load_rows(rounds: int) -> list[tuple[str, float, float, str]]:
    """``from_json`` of the 12-target agreement against pydantic v2, then both times."""
    import pydantic  # noqa: PLC0415 - a bench dependency

    import agreement_data  # noqa: PLC0415 - beside this script
    from cloudsms.agreements import CloudServiceAgreement  # noqa: PLC0415
    from cloudsms.serialization import from_json  # noqa: PLC0415
    from pydantic_agreement import PAgreement  # noqa: PLC0415 - beside this script

    raw = agreement_data.payload()
    adapter = pydantic.TypeAdapter(PAgreement)
    if from_json(CloudServiceAgreement, raw) != agreement_data.agreement():
        raise AssertionError("the benchmark's agreement does not round-trip")
    if len(adapter.validate_json(raw).slas[0].targets) != 12:
        raise AssertionError("the pydantic mirror did not read the 12 targets")
    ours = per_call(lambda: from_json(CloudServiceAgreement, raw), rounds)
    theirs = per_call(lambda: adapter.validate_json(raw), rounds)
    return [
        (
            "load a 12-target agreement (from_json) vs pydantic validate_json",
            ours / theirs,
            LOAD_FLOOR,
            "x",
        ),
        (f"cloudsms from_json, {len(raw):,} bytes", ours, math.nan, "us"),
        ("pydantic v2 validate_json, the same bytes", theirs, math.nan, "us"),
    ]


def main() -> int:
    """Print the rows; exit 1 when a figure misses its floor."""
    rows = [*judge_rows(7), *load_rows(7)]
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
