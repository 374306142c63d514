"""Figures for monitoring (issue 15, S10): measures, one agreement's month and a fleet.

Rows are ``(label, figure, floor, unit)`` as benchmarks/operations.py's are; a floor
of NaN marks a figure printed for information, here each figure's plain baseline
(what the bare arithmetic costs in Python, without instants, exactness or evidence)
and the fleet's times. Run on its own with ``python benchmarks/monitoring.py [--quick]``.

- ``availability`` of October 2026 (Berlin) from 100 prebuilt outages with aware
  instants, some overlapping: floor 150 us a call; beside it a loop over the same
  spans as floats of UTC seconds (sort, clip, merge, add up, divide).
- ``SampleSeries.counts`` over a packed year of per-minute up/down samples
  (525,600 bytes): floor 2 ms; beside it ``bytes.count`` of the up and down bytes.
- ``percentile(values, 99)`` of a packed month of per-minute latencies
  (``array('d')``, 44,640 values): floor 20 ms; beside it ``sorted`` and an index.
- ``evaluate`` of benchmarks/agreement_data.py's 12-target agreement over October with
  100 outages: floor 10 ms (our choice: 10,000 such reports in under 100 s on one
  core); beside it the plain availability loop over the same outages.
- The fleet of examples/fleet_dask.py (its first 1,000 agreements, 40 with
  ``--quick``) judged by ``evaluate_many`` in one process and with two workers; both
  times and the speed-up are printed, with no floor: they depend on the machine's
  cores, and a pool's start (two fresh interpreters importing cloudsms) is part of
  its time, which a quick run's small fleet does not earn back (the full run also
  times a pool started for two agreements: the start-up alone).
- The same fleet on a local Dask cluster of two processes: examples/fleet_dask.py run
  as a program (1,000 agreements, 50 with ``--quick``), its one-process and Dask
  times read from what it prints, with the speed-up; the cluster's start is not
  counted, and the example fails when the two runs' totals differ.

Per-call figures are ``timeit``'s best of 7 rounds (1 with ``--quick``, so that the
section takes a few seconds); the fleet's are one run each.
"""

from __future__ import annotations

import array
import datetime as dt
import importlib.util
import math
import random
import re
import subprocess
import sys
import time
import timeit
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import agreement_data
import section
from cloudsms.monitoring import (
    Observations,
    Outage,
    SampleSeries,
    availability,
    evaluate,
    evaluate_many,
    percentile,
)
from cloudsms.periods import Period
from section import Row

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

AVAILABILITY_FLOOR = 150.0
"""Microseconds for the availability of a month from 100 outages."""
COUNTS_FLOOR = 2.0
"""Milliseconds to count a year of per-minute up/down samples."""
PERCENTILE_FLOOR = 20.0
"""Milliseconds for the 99th percentile of a month of per-minute latencies."""
EVALUATE_FLOOR = 10.0
"""Milliseconds to judge a 12-target agreement over a month with 100 outages."""

FLEET, QUICK_FLEET = 1_000, 40
"""Agreements of examples/fleet_dask.py's fleet judged by the fleet figure (and with --quick)."""

BERLIN = ZoneInfo("Europe/Berlin")
OCTOBER = Period.month(2026, 10, "Europe/Berlin")
SERVICE = "crm-service"


def per_call(fn: Callable[[], object], rounds: int) -> float:
    """Best-of-``rounds`` time of one call, in microseconds.

    ``timeit``'s autorange (calls enough to last 0.2 s, after warming up with fewer)
    is the first round; ``rounds - 1`` more repeat it.
    """
    timer = timeit.Timer(fn)
    number, taken = timer.autorange()
    best = taken
    if rounds > 1:
        best = min(best, *timer.repeat(repeat=rounds - 1, number=number))
    return best / number * 1e6


def outages(count: int = 100, seed: int = 15) -> list[Outage]:
    """``count`` outages of the CRM service over October, instants in Berlin time."""
    chance = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    start = OCTOBER.start.astimezone(dt.UTC)
    minutes = (OCTOBER.end - start) // dt.timedelta(minutes=1)
    made = []
    for _ in range(count):
        begins = start + dt.timedelta(minutes=chance.randrange(minutes - 90))
        ends = begins + dt.timedelta(minutes=chance.randrange(1, 90), seconds=chance.randrange(60))
        made.append(Outage(begins.astimezone(BERLIN), ends.astimezone(BERLIN), services={SERVICE}))
    return made


def plain_availability(spans: list[tuple[float, float]], low: float, high: float) -> float:
    """Availability in percent from (start, end) floats of UTC seconds: the bare loop."""
    down = 0.0
    reach = low
    for start, end in sorted(spans):
        begins, ends = max(start, reach), min(end, high)
        if ends > begins:
            down += ends - begins
            reach = ends
    return 100.0 * (high - low - down) / (high - low)


def beside(name: str, plain: float, unit: str, ours: float) -> str:
    """An information line: the baseline's time and how many times it ours is."""
    return f"{name}: {plain:.3f} {unit}; cloudsms takes {ours / plain:.1f}x that"


def measure_rows(rounds: int) -> list[Row]:
    """availability, SampleSeries.counts and percentile, each beside its plain baseline."""
    made = outages()
    spans = [(o.start.timestamp(), o.end.timestamp()) for o in made]
    low, high = OCTOBER.start.timestamp(), OCTOBER.end.timestamp()
    exact = availability(made, OCTOBER)
    if not math.isclose(float(exact.magnitude), plain_availability(spans, low, high)):
        raise AssertionError((exact, plain_availability(spans, low, high)))
    ours = per_call(lambda: availability(made, OCTOBER), rounds)
    plain = per_call(lambda: plain_availability(spans, low, high), rounds)

    chance = random.Random(15)  # noqa: S311 - reproducible test data
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    steps = 365 * 24 * 60
    packed = bytes(chance.choices((1, 1, 1, 1, 1, 1, 1, 0, 255), k=steps))
    series = SampleSeries(SERVICE, "availability", start, array.array("B", packed))
    whole = series.period  # the year 2026
    counted = per_call(lambda: series.counts(whole), rounds) / 1e3
    raw = per_call(lambda: (packed.count(1), packed.count(0)), rounds) / 1e3

    month = array.array("d", (chance.lognormvariate(math.log(120), 0.5) for _ in range(44_640)))
    rank = math.ceil(0.99 * len(month))
    if percentile(month, 99) != sorted(month)[rank - 1]:
        raise AssertionError("percentile and sorted disagree")
    ranked = per_call(lambda: percentile(month, 99), rounds) / 1e3
    by_sort = per_call(lambda: sorted(month)[rank - 1], rounds) / 1e3
    return [
        ("availability of a month from 100 aware outages", ours, AVAILABILITY_FLOOR, "us"),
        (beside("plain float loop over UTC seconds", plain, "us", ours), plain, math.nan, "us"),
        ("SampleSeries.counts over a year of minutes", counted, COUNTS_FLOOR, "ms"),
        (beside("bytes.count of up and down", raw, "ms", counted), raw, math.nan, "ms"),
        ("percentile(month of minutes, 99)", ranked, PERCENTILE_FLOOR, "ms"),
        (beside("sorted(values)[rank - 1]", by_sort, "ms", ranked), by_sort, math.nan, "ms"),
    ]


def evaluate_rows(rounds: int) -> list[Row]:
    """One report: the 12-target agreement over October with 100 outages."""
    agreement = agreement_data.agreement()
    made = outages()
    seen = Observations(outages=made)
    report = evaluate(agreement, seen, OCTOBER)
    if len(report.results) != 12:  # the agreement's 12 targets
        raise AssertionError(len(report.results))
    ours = per_call(lambda: evaluate(agreement, seen, OCTOBER), rounds) / 1e3
    spans = [(o.start.timestamp(), o.end.timestamp()) for o in made]
    low, high = OCTOBER.start.timestamp(), OCTOBER.end.timestamp()
    plain = per_call(lambda: plain_availability(spans, low, high), rounds) / 1e3
    return [
        ("evaluate: 12 targets, a month, 100 outages", ours, EVALUATE_FLOOR, "ms"),
        (beside("plain availability loop alone", plain, "ms", ours), plain, math.nan, "ms"),
    ]


def _fleet_example() -> ModuleType:
    """examples/fleet_dask.py, loaded by its path (its fleet generator is reused)."""
    path = Path(__file__).resolve().parents[1] / "examples" / "fleet_dask.py"
    spec = importlib.util.spec_from_file_location("cloudsms_fleet_example", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example
    spec.loader.exec_module(example)
    return example


def fleet_rows(*, quick: bool) -> list[Row]:
    """The example's fleet judged in one process and on two workers (information only)."""
    example = _fleet_example()
    count = QUICK_FLEET if quick else FLEET
    base = example.template()
    shared = example.profiles(example.SEED)
    pairs = [example.pair(index, base, example.SEED, shared) for index in range(count)]
    started = time.perf_counter()
    alone = evaluate_many(pairs, example.PERIOD, workers=1)
    single = time.perf_counter() - started
    started = time.perf_counter()
    pooled = evaluate_many(pairs, example.PERIOD, workers=2)
    double = time.perf_counter() - started
    if pooled != alone:
        raise AssertionError("the pool's reports differ from one process's")
    label = (
        f"fleet of {count:,} agreements: one process {single:.2f} s, "
        f"evaluate_many(workers=2) {double:.2f} s, speed-up {single / double:.2f}x "
        "(the pool's start included)"
    )
    figures: list[Row] = [(label, double, math.nan, "s"), dask_row(quick=quick)]
    if not quick:  # a second pool costs another start: the full run only
        started = time.perf_counter()
        evaluate_many(pairs[:2], example.PERIOD, workers=2)
        start_up = time.perf_counter() - started
        alone_label = (
            f"a pool of 2 started, given 2 agreements and shut down: {start_up:.2f} s "
            "(spawned interpreters importing cloudsms)"
        )
        figures.append((alone_label, start_up, math.nan, "s"))
    return figures


DASK_FLEET, QUICK_DASK_FLEET = 1_000, 50
"""Agreements examples/fleet_dask.py judges for the Dask figure (and with --quick)."""


def _seconds(what: str, printed: str) -> float:
    """The seconds the example printed after ``what``."""
    found = re.search(re.escape(what) + r"\s+([\d.]+) s", printed)
    if found is None:
        raise AssertionError(f"examples/fleet_dask.py printed no {what!r} time:\n{printed}")
    return float(found.group(1))


def dask_row(*, quick: bool) -> Row:
    """examples/fleet_dask.py run as its own program: one process against a Dask cluster.

    Dask's local cluster spawns its worker processes from a program's main module, so
    the example runs as a program here (as it would on a real cluster's client) and
    its two timings are read from what it prints; it exits 1 when the totals differ.
    """
    example = Path(__file__).resolve().parents[1] / "examples" / "fleet_dask.py"
    count = QUICK_DASK_FLEET if quick else DASK_FLEET
    done = subprocess.run(
        [sys.executable, str(example), "--count", str(count)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise AssertionError(f"examples/fleet_dask.py failed:\n{done.stdout}{done.stderr}")
    single, spread = (_seconds(what, done.stdout) for what in ("one process:", "on Dask:"))
    label = (
        f"fleet of {count:,} agreements on a local Dask cluster of 2 processes: {spread:.2f} s "
        f"against {single:.2f} s in one process, speed-up {single / spread:.2f}x "
        "(the cluster's start not included; totals checked equal)"
    )
    return (label, spread, math.nan, "s")


def rows(*, quick: bool) -> list[Row]:
    """Every figure of the monitoring section."""
    rounds = 1 if quick else 7
    return [*measure_rows(rounds), *evaluate_rows(rounds), *fleet_rows(quick=quick)]


if __name__ == "__main__":
    sys.exit(section.main(rows))
