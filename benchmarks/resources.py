"""Figures for resources and cost profiles (issue 16, S11).

Rows are ``(label, figure, floor, unit)`` as benchmarks/monitoring.py's are; a floor of
NaN marks a figure printed for information. Run on its own with
``python benchmarks/resources.py [--quick]``.

- ``CostProfile.build`` of one agreement over October 2026 (Berlin) from 100,000
  allocations (10,000 with ``--quick``) of vcpu and memory, priced per vcpu-hour and
  per GiB-hour, held from before or during the month, a third of them released
  during it, their instants in Berlin time: the figure is its time over the time of a
  plain loop over the same `Allocation` objects (quantity times hours held times the
  unit price, in `Decimal`, summed: no validation, no pint, no lines, and hours taken
  from the wall clock, so the loop misses October's extra hour), with a floor of 2x.
  Both times are printed beside it. The profile's total is checked against the
  loop's (they differ only by the hour the clocks go back).

Times are the best of 7 runs (2 with ``--quick``), the two sides in turn, each on a
collected heap, with the
allocations (built before any run) frozen out of the collector's passes
(``gc.freeze()``), as an application's long-lived data would be: the collector then
walks what each side builds, not the 100,000 rows both read.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import random
import sys
import time
from decimal import Decimal
from typing import TYPE_CHECKING

import agreement_data
import section
from cloudsms.money import Money, Price
from cloudsms.periods import Period, timezone
from cloudsms.resources import Allocation
from cloudsms.resources.cost import CostProfile
from cloudsms.resources.pricing import Rate, RateCard
from cloudsms.units import quantity
from section import Row

if TYPE_CHECKING:
    from collections.abc import Callable

ROWS, QUICK_ROWS = 100_000, 10_000
"""Allocations priced by the figure (and with --quick)."""
RATIO_FLOOR = 2.0
"""At most this many times the plain loop's time."""

BERLIN = timezone("Europe/Berlin")
OCTOBER = Period.month(2026, 10, "Europe/Berlin")
SERVICE = "crm-service"
PRICES = {"vcpu": Decimal("0.042"), "memory": Decimal("0.005")}
UNITS = {"vcpu": "vcpu*hour", "memory": "GiB*hour"}
SIZES = {
    "vcpu": ("1 vcpu", "2 vcpu", "4 vcpu", "8 vcpu", "0.5 vcpu"),
    "memory": ("4 GiB", "16 GiB"),
}
HOUR = Decimal(3600)


def rates() -> RateCard:
    """The rate card: EUR 0.042 per vcpu-hour and EUR 0.005 per GiB-hour."""
    return RateCard(
        "EUR",
        [Rate(kind, price=Price(Money(PRICES[kind], "EUR"), UNITS[kind])) for kind in PRICES],
    )


def allocations(count: int, seed: int = 16) -> list[Allocation]:
    """``count`` holdings of the benchmark agreement over October, instants in Berlin time."""
    agreement = agreement_data.agreement()
    chance = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    sizes = {kind: [quantity(text) for text in texts] for kind, texts in SIZES.items()}
    first = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    minutes = 60 * 24 * 60  # September and October
    made = []
    for index in range(count):
        kind = "vcpu" if index % 3 else "memory"
        since = first + dt.timedelta(minutes=chance.randrange(minutes))
        until = None
        if chance.random() < 1 / 3:
            until = since + dt.timedelta(minutes=chance.randrange(1, 20 * 24 * 60))
        made.append(
            Allocation(
                agreement.customer_id,
                agreement.id,
                SERVICE,
                kind,
                chance.choice(sizes[kind]),
                since.astimezone(BERLIN),
                None if until is None else until.astimezone(BERLIN),
                resource_id=f"vm-{index}",
            )
        )
    return made


def plain_total(rows: list[Allocation], period: Period) -> Decimal:
    """Quantity times hours held times unit price, in Decimal, summed: the bare loop."""
    start, end = period.start, period.end
    total = Decimal(0)
    for held in rows:
        since = held.since if held.since > start else start  # noqa: FURB136 - faster than max
        until = end if held.until is None or held.until > end else held.until
        if until > since:
            hours = Decimal((until - since).total_seconds()) / HOUR
            total += held.quantity.magnitude * hours * PRICES[held.resource_type]
    return total


def best(
    first: Callable[[], object], second: Callable[[], object], runs: int
) -> tuple[float, float]:
    """The best of ``runs`` timed calls of each, in seconds, each after a full collection.

    The two are called in turn, so a spell of load on a shared machine slows both.
    """
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, taken in zip((first, second), times, strict=True):
            gc.collect()
            started = time.perf_counter()
            fn()
            taken.append(time.perf_counter() - started)
    return min(times[0]), min(times[1])


def rows(*, quick: bool) -> list[Row]:
    """The cost profile's time over the plain loop's, with both times for information."""
    count = QUICK_ROWS if quick else ROWS
    runs = 2 if quick else 7
    agreement = agreement_data.agreement()
    made = allocations(count)
    card = rates()
    profile = CostProfile.build(agreement, made, (), OCTOBER, rates=card)
    plain = plain_total(made, OCTOBER)
    if len(profile.lines) != sum(1 for a in made if a.held(OCTOBER) is not None):
        raise AssertionError("the profile has a line per allocation held in October")
    if abs(profile.total.amount - plain) > plain / 100:
        raise AssertionError((profile.total, plain))
    total = profile.total
    del profile
    gc.collect()
    gc.freeze()  # the rows are the application's data: collections need not walk them
    ours, bare = best(
        lambda: CostProfile.build(agreement, made, (), OCTOBER, rates=card),
        lambda: plain_total(made, OCTOBER),
        runs,
    )
    gc.unfreeze()
    return [
        (
            f"CostProfile.build of {count:,} allocations over a month, over a plain Decimal loop",
            ours / bare,
            RATIO_FLOOR,
            "x",
        ),
        (
            (
                f"CostProfile.build: {ours * 1e3:.1f} ms ({ours / count * 1e6:.2f} us a line); "
                f"plain loop: {bare * 1e3:.1f} ms; total {total}"
            ),
            ours,
            math.nan,
            "s",
        ),
    ]


if __name__ == "__main__":
    sys.exit(section.main(rows))
