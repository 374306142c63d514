"""Measure cloudsms against its performance floors and print each figure beside its floor.

Usage (from the project root, with cloudsms installed)::

    python benchmarks/run.py            # print the figures
    python benchmarks/run.py --check    # also exit 1 when a figure misses its floor
    python benchmarks/run.py --quick    # fewer repetitions, for a smoke run

Every line prints the figure, its floor, the ratio of the two, ok or MISSED, and how
the figure was measured. A missed floor is reported, and fails the run only with
``--check``.

- Import costs: fresh, byte-compiled interpreters; the median wall time of
  ``python -c "import X"`` minus the median of ``python -c pass``. The first query is
  timed inside fresh interpreters, just after the import.
- Queries, construction and parsing: ``timeit`` in this process, the best of several
  rounds, per call.
- Loads and dumps of 10,000 records: each side (cloudsms, pydantic v2, json) in a
  fresh interpreter, after a warm-up call and ``gc.freeze()`` of the start-up heap,
  the best of 5 calls with the garbage collector on, as an application runs; the
  best with the collector paused is printed beside (benchmarks/fresh.py). A ratio
  taken in one warm process swings with whatever else that heap holds, because the
  collector's passes dominate big loads on both sides.

``--quick`` takes fewer repetitions for CI's smoke run, which needs every row printed but
no precision: medians of 3 fresh interpreters, one load with the collector on and none
paused (printed as not measured), 2 timeit rounds.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import math
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path
from typing import TYPE_CHECKING

from fresh import Row

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


def _wall(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def _median_wall(code: str, runs: int) -> float:
    _wall(code)  # warm the file cache and write byte code
    return statistics.median(_wall(code) for _ in range(runs))


def _in_fresh(code: str, runs: int) -> list[str]:
    return [
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout.strip()
        for _ in range(runs)
    ]


def import_figures(runs: int) -> list[Row]:
    """Import costs of the facade and of cloudsms.reference, net of the interpreter's start."""
    base = _median_wall("pass", runs)
    facade = _median_wall("import cloudsms", runs) - base
    refs = _median_wall("import cloudsms.reference", runs) - base
    method = f"median of {runs} fresh interpreters, minus python -c pass"
    return [
        Row("import cloudsms (net of python -c pass)", facade * 1e3, 20.0, "ms", method),
        Row("import cloudsms.reference (net)", refs * 1e3, 60.0, "ms", method),
    ]


def attrs_share(runs: int) -> tuple[float, float]:
    """What ``import attrs`` alone costs here, and what cloudsms.reference adds on top (ms).

    attrs is a runtime dependency the records are built on; its import cost depends on
    the machine, not on cloudsms, so the runner prints it for calibration.
    """
    attrs_alone = _median_wall("import attrs", runs)
    with_refs = _median_wall("import cloudsms.reference", runs)
    return (attrs_alone - _median_wall("pass", runs)) * 1e3, (with_refs - attrs_alone) * 1e3


def first_query_figure(runs: int) -> Row:
    """The first query after import: read, validate and index the data, then answer."""
    code = (
        "import time, cloudsms.reference as r\n"
        "t = time.perf_counter(); r.scenarios_citing('6.1')\n"
        "print(time.perf_counter() - t)"
    )
    seconds = statistics.median(float(s) for s in _in_fresh(code, runs))
    method = f"median of {runs} fresh interpreters, timed after the import"
    return Row("first query after import", seconds * 1e3, 30.0, "ms", method)


def pint_loaded() -> list[str]:
    """Which of the light imports pulled in pint (should be none)."""
    code = (
        "import sys, cloudsms, cloudsms.reference as r; r.matrix(); "
        "print('pint' in sys.modules, 'cattrs' in sys.modules)"
    )
    pint, cattrs = _in_fresh(code, 1)[0].split()
    return [name for name, flag in (("pint", pint), ("cattrs", cattrs)) if flag == "True"]


def per_call(fn: Callable[[], object], rounds: int) -> float:
    """Best-of-``rounds`` time of one call, in microseconds."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=rounds, number=number)) / number * 1e6


def query_figures(rounds: int) -> list[Row]:
    """Indexed queries on the shipped set, module-level functions and methods."""
    from cloudsms import reference  # noqa: PLC0415 - measured after the import figures

    refs = reference.shipped()
    cases: list[tuple[str, Callable[[], object]]] = [
        ("scenarios_citing('4.5.1')", lambda: reference.scenarios_citing("4.5.1")),
        (
            "scenarios_citing('4.5.1', inherited=False)",
            lambda: reference.scenarios_citing("4.5.1", inherited=False),
        ),
        ("clauses_cited_by('S12')", lambda: reference.clauses_cited_by("S12")),
        (
            "clauses_cited_by('S12', expand=True)",
            lambda: reference.clauses_cited_by("S12", expand=True),
        ),
        ("clauses_cited_by('5.12') (alias)", lambda: reference.clauses_cited_by("5.12")),
        ("ReferenceSet.scenarios_citing('9.2')", lambda: refs.scenarios_citing("9.2")),
        ("ReferenceSet.clauses_cited_by('S07')", lambda: refs.clauses_cited_by("S07")),
        ("clause('6.1')", lambda: reference.clause("6.1")),
        ("scenario('S7')", lambda: reference.scenario("S7")),
    ]
    method = f"timeit in this process, best of {rounds} rounds, per call"
    return [Row(name, per_call(fn, rounds), 2.0, "us", method) for name, fn in cases]


def _informative(row: Row) -> bool:
    return row.floor != row.floor  # NaN: printed for information, with no floor


def _missed(row: Row) -> bool:
    return not _informative(row) and row.value > row.floor


def _line(row: Row, width: int) -> str:
    if _informative(row):
        return row.name
    mark = "MISSED" if _missed(row) else "ok"
    return (
        f"{row.name:<{width}}  {row.value:>9.3f}{row.unit:<2}  {row.floor:>7.1f}{row.unit:<2}"
        f"  {row.value / row.floor:>6.2f}  {mark:<6}  {row.method}"
    )


def agreement_figures(rounds: int) -> list[Row]:
    """S07's figures: ``judge`` on the fast path, and a 12-target agreement's load.

    ``judge`` against its 2 us floor, with plain comparisons for information; the load
    against pydantic v2's of the same bytes (floor 3x), with both times.
    """
    import agreements  # noqa: PLC0415 - benchmarks/agreements.py, beside this runner

    figures: list[Row] = []
    for label, value, floor, unit in [
        *agreements.judge_rows(rounds),
        *agreements.load_rows(rounds),
    ]:
        if math.isnan(floor):  # for information, beside the floored figures
            figures.append(Row(f"  ({label}: {value:.3f} {unit})", value, floor, unit, ""))
        else:
            figures.append(Row(label, value, floor, unit, "timeit, best of rounds, per call"))
    return figures


def section_figures(rows: Iterable[tuple[str, float, float, str]], method: str) -> list[Row]:
    """A section module's ``(label, figure, floor, unit)`` rows as the runner's rows.

    A NaN floor marks a figure printed for information: it is shown indented, in
    parentheses, with no method.
    """
    return [
        Row(f"  ({label})", value, floor, unit, "")
        if math.isnan(floor)
        else Row(label, value, floor, unit, method)
        for label, value, floor, unit in rows
    ]


def lifecycle_figures(*, quick: bool) -> list[Row]:
    """The audit trail: 100,000 events applied one by one (floor 25 us each); verify's speed."""
    import lifecycle  # noqa: PLC0415 - benchmarks/lifecycle.py, beside this runner

    return section_figures(lifecycle.rows(quick=quick), "one instance, best of 2 (1 quick)")


def operations_figures(*, quick: bool) -> list[Row]:
    """S09's clocks: response and resolution times of 10,000 incidents (floor 0.5 s)."""
    import operations  # noqa: PLC0415 - benchmarks/operations.py, beside this runner

    return section_figures(operations.rows(quick=quick), "10,000 incidents, best of 3 (1 quick)")


def monitoring_figures(*, quick: bool) -> list[Row]:
    """S10's measures beside their plain baselines, one agreement's month, and a fleet."""
    import monitoring  # noqa: PLC0415 - benchmarks/monitoring.py, beside this runner

    return section_figures(monitoring.rows(quick=quick), "timeit, best of 7 rounds (1 quick)")


def resources_figures(*, quick: bool) -> list[Row]:
    """S11's cost profile of 100,000 allocations over a plain Decimal loop's time (floor 2x)."""
    import resources  # noqa: PLC0415 - benchmarks/resources.py, beside this runner

    return section_figures(
        resources.rows(quick=quick), "best of 7 runs in turn (2 quick), rows frozen out of gc"
    )


def focus_figures(*, quick: bool) -> list[Row]:
    """S11's FOCUS export of 100,000 lines over csv.DictWriter writing the same rows (floor 3x)."""
    import focus  # noqa: PLC0415 - benchmarks/focus.py, beside this runner

    return section_figures(
        focus.rows(quick=quick), "best of 5 runs in turn (2 quick), rows frozen out of gc"
    )


def exit_figures(*, quick: bool) -> list[Row]:
    """S13's exits: 10,000 procedures from notice to confirmation (floor 33.3 us an event)."""
    import exit as exits  # noqa: PLC0415 - benchmarks/exit.py, beside this runner

    return section_figures(
        exits.rows(quick=quick), "10,000 exits, best of 3 wall (1,000 quick, 1)"
    )


def removal_figures(*, quick: bool) -> list[Row]:
    """S15's removal plan: 10,000 subscribers, agreements loaded first (floor 0.2 s)."""
    import removal  # noqa: PLC0415 - benchmarks/removal.py, beside this runner

    return section_figures(
        removal.rows(quick=quick), "10,000 subscribers, best of 3 wall (1,000 quick, 1)"
    )


def conformity_figures(*, quick: bool) -> list[Row]:
    """S12's assessment: 15 scenarios against 10,000 evidence records (floor 10 ms)."""
    import conformity  # noqa: PLC0415 - benchmarks/conformity.py, beside this runner

    return section_figures(
        conformity.rows(quick=quick), "best of 7 wall, register indexed (1,000 quick, 3)"
    )


def frames_figures(*, quick: bool) -> list[Row]:
    """S12's coverage-matrix frame of a fresh reference set (floor 10 ms), beside one by hand."""
    import frames  # noqa: PLC0415 - benchmarks/frames.py, beside this runner

    return section_figures(frames.rows(quick=quick), "best of 20 wall (5 quick)")


def main() -> int:  # noqa: C901, PLR0912, PLR0915 - one branch per group of benchmarks
    """Run every benchmark, print the table, and with --check fail on a missed floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a floor is missed")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--only",
        choices=(
            "reference",
            "core",
            "catalogue",
            "agreements",
            "lifecycle",
            "operations",
            "monitoring",
            "resources",
            "focus",
            "exit",
            "removal",
            "conformity",
            "frames",
        ),
        help="run one group of benchmarks",
    )
    args = parser.parse_args()
    runs, rounds = (3, 2) if args.quick else (25, 7)
    loads, paused_loads = (1, 0) if args.quick else (5, 5)
    catalogue_paused = 0 if args.quick else paused_loads  # 13 s a run: the full run has them

    spec = importlib.util.find_spec("cloudsms")
    if spec is None or spec.origin is None:
        print("cloudsms is not installed in this interpreter", file=sys.stderr)
        return 2
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)

    figures: list[Row] = []
    if args.only in {None, "reference"}:
        figures += [*import_figures(runs), first_query_figure(runs), *query_figures(rounds)]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.only in {None, "core"}:
        import core  # noqa: PLC0415 - benchmarks/core.py, beside this runner

        figures += [*core.construction(rounds), *core.parsing(rounds)]
        figures += core.converter(loads, paused_loads)
    if args.only in {None, "catalogue"}:
        import catalogue  # noqa: PLC0415 - benchmarks/catalogue.py, beside this runner

        figures += catalogue.figures(loads, catalogue_paused)
    if args.only in {None, "agreements"}:
        figures += agreement_figures(rounds)
    if args.only in {None, "lifecycle"}:
        figures += lifecycle_figures(quick=args.quick)
    if args.only in {None, "operations"}:
        figures += operations_figures(quick=args.quick)
    if args.only in {None, "monitoring"}:
        figures += monitoring_figures(quick=args.quick)
    if args.only in {None, "resources"}:
        figures += resources_figures(quick=args.quick)
    if args.only in {None, "focus"}:
        figures += focus_figures(quick=args.quick)
    if args.only in {None, "exit"}:
        figures += exit_figures(quick=args.quick)
    if args.only in {None, "removal"}:
        figures += removal_figures(quick=args.quick)
    if args.only in {None, "conformity"}:
        figures += conformity_figures(quick=args.quick)
    if args.only in {None, "frames"}:
        figures += frames_figures(quick=args.quick)
    width = max(len(f.name) for f in figures if not _informative(f))
    print(f"{'benchmark':<{width}}  {'figure':>11}  {'floor':>9}  {'ratio':>6}  {'':<6}  method")
    for f in figures:
        print(_line(f, width))
    missed = [f for f in figures if _missed(f)]
    if args.only in {None, "reference"}:
        attrs_ms, own_ms = attrs_share(3 if args.quick else runs)
        print(
            f"calibration: `import attrs` alone costs {attrs_ms:.1f} ms net here; "
            f"cloudsms.reference adds {own_ms:.1f} ms on top of it"
        )
        heavy = pint_loaded()
        print(
            "pint/cattrs imported by `import cloudsms, cloudsms.reference` + a query: "
            f"{', '.join(heavy) if heavy else 'neither'}"
        )
        missed += [Row(name, 1, 0, "") for name in heavy]
    if args.only in {None, "core", "catalogue"}:
        print(
            "pydantic keeps quantities and calendar lengths as unparsed text and checks no "
            "cross-field rule; cloudsms parses and checks them."
        )
    if missed:
        print(f"{len(missed)} figure(s) missed their floor")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
