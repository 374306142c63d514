"""Figures for the audit trail (issue 13): applying events one by one, and verifying a trail.

Rows are ``(label, figure, floor, unit)`` as benchmarks/agreements.py's are; a floor
of NaN marks a figure printed for information. Run on its own with
``python benchmarks/lifecycle.py [--quick]``.

- Applying: 100,000 events one by one on one instance, the chain on, each event a
  new entry linked to the head (floor: at least 40,000 events a second, printed as
  microseconds per event against 25 us). Where the time goes is printed beside, from
  a profile of 20,000 events.
- Verifying: `cloudsms.lifecycle.verify` of a 1,000,000-entry trail (100,000 with
  ``--quick``), printed as entries a second.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import math
import pstats
import sys
import time

from cloudsms.lifecycle import Lifecycle, LifecycleInstance, Transition, verify

APPLY_FLOOR = 25.0
"""Microseconds per event: at least 40,000 events a second."""

LOOP = Lifecycle(
    name="loop",
    states=("idle", "busy", "stopped"),
    initial="idle",
    finals=("stopped",),
    transitions=(
        Transition(source="idle", event="start", target="busy"),
        Transition(source="busy", event="pause", target="idle"),
        Transition(source="busy", event="stop", target="stopped"),
    ),
)
EVENTS = ("start", "pause")
WHEN = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def applied(count: int) -> tuple[LifecycleInstance, float]:
    """An instance after ``count`` events applied one by one, and the seconds it took."""
    instance = LOOP.begin(id="bench")
    started = time.perf_counter()
    for index in range(count):
        instance = instance.apply(EVENTS[index % 2], who="actor:bench", when=WHEN)
    return instance, time.perf_counter() - started


def dominant(count: int, top: int = 4) -> str:
    """The functions with the most own time while applying ``count`` events."""
    profile = cProfile.Profile()
    profile.enable()
    applied(count)
    profile.disable()
    stats = pstats.Stats(profile)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    total = sum(row[1][2] for row in rows) or 1.0
    names = [f"{func[2]} {100 * own[2] / total:.0f}%" for func, own in rows[:top]]
    return ", ".join(names)


def rows(*, quick: bool) -> list[tuple[str, float, float, str]]:
    """Apply 100,000 events (best of 2 runs, 1 quick); verify a long trail."""
    count = 100_000
    best = min(applied(count)[1] for _ in range(1 if quick else 2))
    length = 100_000 if quick else 1_000_000
    trail, _ = applied(length)
    started = time.perf_counter()
    broken = verify(trail)
    seconds = time.perf_counter() - started
    if broken is not None:
        raise AssertionError(f"the benchmark's own trail does not verify: {broken}")
    return [
        (
            f"apply {count:,} events one by one, chain on (us per event)",
            best / count * 1e6,
            APPLY_FLOOR,
            "us",
        ),
        (f"events a second: {count / best:,.0f} (floor 40,000)", count / best, math.nan, "/s"),
        (f"what dominates applying: {dominant(20_000)}", math.nan, math.nan, ""),
        (
            f"verify a {length:,}-entry trail: {length / seconds:,.0f} entries a second",
            length / seconds,
            math.nan,
            "/s",
        ),
    ]


def main() -> int:
    """Print the rows; exit 1 when a figure misses its floor."""
    missed = 0
    for label, figure, floor, unit in rows(quick="--quick" in sys.argv):
        if math.isnan(floor):
            print(label)
            continue
        mark = "ok" if figure <= floor else "MISSED"
        missed += mark != "ok"
        print(f"{label}  {figure:.2f}{unit}  floor {floor:.1f}{unit}  {mark}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
