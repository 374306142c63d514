"""Time one side's load and dump in a fresh interpreter: ``python fresh.py SIDE RUNS PAUSED``.

benchmarks/run.py starts this script once per side (cloudsms, pydantic v2, json) so
that no side inherits another's heap. The method, the same for every side:

1. import what the side needs, read the bytes, build the side's model;
2. load once and dump that once (the warm-up: hooks, caches and compiled checks are
   built); the loaded values are what the timed dumps write;
3. ``gc.collect()`` then ``gc.freeze()``: the start-up heap moves to the permanent
   generation, so the collector's passes see only what the timed calls allocate;
4. for the load, then for the dump, ``RUNS`` times: ``gc.collect()`` and the call
   with the collector **on**; ``PAUSED`` times: ``gc.collect()`` and the call with
   the collector **paused** (``gc.disable()`` around it, the same for every side);
   each result is dropped before the next call.

It prints one JSON line, the best time of each kind in seconds:
``{"load": {"on": ..., "paused": ...}, "dump": {"on": ..., "paused": ...}}``.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable


METHOD = "fresh interpreter per side, gc.freeze() after warm-up, best of {runs}, collector on"
"""How a load or dump figure is measured, as the runner prints it."""


class Row(NamedTuple):
    """One line of the runner's table: a figure, its floor and how it was measured.

    A floor of NaN marks a line printed for information (the paused figures, times).
    """

    name: str
    value: float
    floor: float
    unit: str
    method: str = ""


def time(side: str, runs: int, paused_runs: int) -> dict[str, dict[str, float]]:
    """Best seconds of a side's load and dump in a new interpreter.

    ``{"load": {"on": ..., "paused": ...}, "dump": {...}}``, as `measure` gives them.
    """
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), side, str(runs), str(paused_runs)],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def beside(name: str, ours: dict[str, float], other_name: str, other: dict[str, float]) -> Row:
    """An information line: both sides' times with the collector on and paused."""
    text = f"  {name} {ours['on'] * 1e3:.0f} ms, {other_name} {other['on'] * 1e3:.0f} ms; "
    if ours["paused"] != ours["paused"]:  # NaN: --quick leaves the paused runs out
        text += "collector paused: not measured (--quick)"
    else:
        paused = ours["paused"] / other["paused"]
        text += (
            f"collector paused: {ours['paused'] * 1e3:.0f} ms vs "
            f"{other['paused'] * 1e3:.0f} ms ({paused:.2f}x)"
        )
    return Row(text, float("nan"), float("nan"), "")


def _catalogue_bytes() -> bytes:
    import catalogue_data  # noqa: PLC0415 - beside this script

    return catalogue_data.load()


def catalogue_cloudsms() -> tuple[Callable[[], object], Callable[[object], object]]:
    """``from_json(list[CatalogueEntry], bytes)`` with its default arguments; ``to_dict``."""
    from cloudsms.catalogue import CatalogueEntry  # noqa: PLC0415
    from cloudsms.serialization import from_json, to_dict  # noqa: PLC0415

    raw = _catalogue_bytes()
    return lambda: from_json(list[CatalogueEntry], raw), to_dict


def catalogue_pydantic() -> tuple[Callable[[], object], Callable[[object], object]]:
    """Pydantic v2's ``validate_json`` of the same bytes; ``dump_python(mode="json")``."""
    import pydantic  # noqa: PLC0415 - a bench dependency

    from pydantic_catalogue import PEntry  # noqa: PLC0415 - beside this script

    adapter: Any = pydantic.TypeAdapter(list[PEntry])
    raw = _catalogue_bytes()
    return lambda: adapter.validate_json(raw), lambda models: adapter.dump_python(
        models, mode="json"
    )


def usage_cloudsms() -> tuple[Callable[[], object], Callable[[object], object]]:
    """``from_json(list[Usage], bytes)`` of 10,000 usage records, defaults; ``to_dict``."""
    import usage_data  # noqa: PLC0415 - beside this script
    from cloudsms.serialization import from_json, to_dict  # noqa: PLC0415

    from core import Usage  # noqa: PLC0415

    raw = usage_data.payload()
    return lambda: from_json(list[Usage], raw), to_dict


def usage_pydantic() -> tuple[Callable[[], object], Callable[[object], object]]:
    """Pydantic v2's ``validate_json`` of the same bytes; ``dump_python(mode="json")``."""
    import usage_data  # noqa: PLC0415 - beside this script

    adapter = usage_data.pydantic_adapter()
    raw = usage_data.payload()
    return lambda: adapter.validate_json(raw), lambda models: adapter.dump_python(
        models, mode="json"
    )


def usage_json() -> tuple[Callable[[], object], Callable[[object], object]]:
    """The standard library's ``json.loads`` and ``json.dumps`` of the same records."""
    import usage_data  # noqa: PLC0415 - beside this script

    raw = usage_data.payload()
    return lambda: json.loads(raw), json.dumps


CASES: dict[str, Callable[[], tuple[Callable[[], object], Callable[[object], object]]]] = {
    "catalogue-cloudsms": catalogue_cloudsms,
    "catalogue-pydantic": catalogue_pydantic,
    "usage-cloudsms": usage_cloudsms,
    "usage-pydantic": usage_pydantic,
    "usage-json": usage_json,
}
"""Each side: a function that prepares it and returns its load and its dump."""


def _best(call: Callable[[], object], runs: int, paused_runs: int) -> dict[str, float]:
    """Best times of ``call``: collector on (``runs``) and paused (``paused_runs``)."""
    on: list[float] = []
    paused: list[float] = []
    for index in range(max(runs, paused_runs)):
        if index < runs:
            gc.collect()
            started = perf_counter()
            result = call()
            on.append(perf_counter() - started)
            del result
        if index < paused_runs:
            gc.collect()
            gc.disable()
            try:
                started = perf_counter()
                result = call()
                paused.append(perf_counter() - started)
            finally:
                gc.enable()
            del result
    return {"on": min(on), "paused": min(paused) if paused else float("nan")}


def measure(
    load: Callable[[], object], dump: Callable[[object], object], runs: int, paused_runs: int
) -> dict[str, dict[str, float]]:
    """The side's best load and dump times, each with the collector on and paused.

    The warm-up load's result is what the dumps write; it is frozen with the start-up
    heap, so neither the loads nor the dumps pay the collector for it.
    """
    loaded = load()  # the warm-up
    dump(loaded)
    gc.collect()
    gc.freeze()
    return {
        "load": _best(load, runs, paused_runs),
        "dump": _best(lambda: dump(loaded), runs, paused_runs),
    }


def main() -> int:
    """Run the side named on the command line and print its JSON line."""
    case, runs, paused_runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(measure(*CASES[case](), runs, paused_runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
