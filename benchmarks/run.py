"""Measure cloudsms against its performance floors and print each figure beside its floor.

Usage (from the project root, with cloudsms installed)::

    python benchmarks/run.py            # print the figures
    python benchmarks/run.py --check    # also exit 1 when a figure misses its floor
    python benchmarks/run.py --quick    # fewer repetitions, for a smoke run

Import costs are measured in fresh, byte-compiled interpreters: the median wall time
of ``python -c "import X"`` minus the median of ``python -c pass``. The first query is
timed inside fresh interpreters, just after the import. Indexed queries are timed in
this process with ``timeit`` (the best of several rounds, per call).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import statistics
import subprocess
import sys
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Figure:
    """One measured figure and the floor it must stay under."""

    name: str
    value: float
    floor: float
    unit: str

    @property
    def ratio(self) -> float:
        """The figure as a fraction of its floor: at most 1.0 passes."""
        return self.value / self.floor

    @property
    def ok(self) -> bool:
        """Whether the figure is within its floor."""
        return self.value <= self.floor


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


def import_figures(runs: int) -> list[Figure]:
    """Import costs of the facade and of cloudsms.reference, net of the interpreter's start."""
    base = _median_wall("pass", runs)
    facade = _median_wall("import cloudsms", runs) - base
    refs = _median_wall("import cloudsms.reference", runs) - base
    return [
        Figure("import cloudsms (net of python -c pass)", facade * 1e3, 20.0, "ms"),
        Figure("import cloudsms.reference (net)", refs * 1e3, 60.0, "ms"),
    ]


def attrs_share(runs: int) -> tuple[float, float]:
    """What ``import attrs`` alone costs here, and what cloudsms.reference adds on top (ms).

    attrs is a runtime dependency the records are built on; its import cost depends on
    the machine, not on cloudsms, so the runner prints it for calibration.
    """
    attrs_alone = _median_wall("import attrs", runs)
    with_refs = _median_wall("import cloudsms.reference", runs)
    return (attrs_alone - _median_wall("pass", runs)) * 1e3, (with_refs - attrs_alone) * 1e3


def first_query_figure(runs: int) -> Figure:
    """The first query after import: read, validate and index the data, then answer."""
    code = (
        "import time, cloudsms.reference as r\n"
        "t = time.perf_counter(); r.scenarios_citing('6.1')\n"
        "print(time.perf_counter() - t)"
    )
    seconds = statistics.median(float(s) for s in _in_fresh(code, runs))
    return Figure("first query after import", seconds * 1e3, 30.0, "ms")


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


def query_figures(rounds: int) -> list[Figure]:
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
    return [Figure(name, per_call(fn, rounds), 2.0, "us") for name, fn in cases]


def _row(f: Figure, width: int) -> str:
    if f.floor != f.floor:  # NaN: a figure printed for information, with no floor
        return f"{f.name:<{width}}  {f.value:>9.2f}{f.unit:<2}"
    mark = "ok" if f.ok else "MISSED"
    return (
        f"{f.name:<{width}}  {f.value:>9.3f}{f.unit:<2}  {f.floor:>7.1f}{f.unit:<2}"
        f"  {f.ratio:>6.2f}  {mark}"
    )


def main() -> int:
    """Run every benchmark, print the table, and with --check fail on a missed floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a floor is missed")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--only",
        choices=("reference", "core", "catalogue"),
        help="run one group of benchmarks",
    )
    args = parser.parse_args()
    runs, rounds = (7, 3) if args.quick else (25, 7)

    spec = importlib.util.find_spec("cloudsms")
    if spec is None or spec.origin is None:
        print("cloudsms is not installed in this interpreter", file=sys.stderr)
        return 2
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)

    figures: list[Figure] = []
    if args.only in {None, "reference"}:
        figures += [*import_figures(runs), first_query_figure(runs), *query_figures(rounds)]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.only in {None, "core"}:
        import core  # noqa: PLC0415 - benchmarks/core.py, beside this runner

        for group in (core.construction, core.parsing, core.converter):
            figures += [Figure(*row) for row in group(rounds)]
    if args.only in {None, "catalogue"}:
        import catalogue  # noqa: PLC0415 - benchmarks/catalogue.py, beside this runner

        figures += [Figure(*row) for row in catalogue.figures(1 if args.quick else 3)]
    width = max(len(f.name) for f in figures)
    print(f"{'benchmark':<{width}}  {'figure':>11}  {'floor':>9}  {'ratio':>6}")
    for f in figures:
        print(_row(f, width))
    missed = [f for f in figures if f.floor == f.floor and not f.ok]
    if args.only in {None, "reference"}:
        attrs_ms, own_ms = attrs_share(runs)
        print(
            f"calibration: `import attrs` alone costs {attrs_ms:.1f} ms net here; "
            f"cloudsms.reference adds {own_ms:.1f} ms on top of it"
        )
        heavy = pint_loaded()
        print(
            "pint/cattrs imported by `import cloudsms, cloudsms.reference` + a query: "
            f"{', '.join(heavy) if heavy else 'neither'}"
        )
        missed += [Figure(name, 1, 0, "") for name in heavy]
    if args.only in {None, "core"}:
        print("pydantic keeps the quantity as unparsed text; cloudsms parses and checks it.")
    if missed:
        print(f"{len(missed)} figure(s) missed their floor")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
