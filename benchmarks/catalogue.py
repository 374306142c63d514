"""Figures for the catalogue: load and dump 10,000 committed catalogue entries.

Imported by benchmarks/run.py. The entries are the committed test data of
``benchmarks/data/catalogue-entries.json.gz`` (see catalogue_data.py); an equivalent
pydantic v2 model (pydantic_catalogue.py) is the other side, on the same bytes. Each
side runs in a fresh interpreter with the collector on, as an application runs
(fresh.py says how); the figures with the collector paused are printed beside.
"""

from __future__ import annotations

import fresh
from fresh import Row


def figures(runs: int, paused_runs: int) -> list[Row]:
    """Load and dump against pydantic v2, with each side's times beside the ratio."""
    method = fresh.METHOD.format(runs=runs)
    ours = fresh.time("catalogue-cloudsms", runs, paused_runs)
    pydantic = fresh.time("catalogue-pydantic", runs, paused_runs)
    load, pydantic_load = ours["load"], pydantic["load"]
    dump, pydantic_dump = ours["dump"], pydantic["dump"]
    return [
        Row(
            "load 10k catalogue entries (from_json, defaults) vs pydantic validate_json",
            load["on"] / pydantic_load["on"],
            1.0,
            "x",
            method,
        ),
        fresh.beside("cloudsms", load, "pydantic", pydantic_load),
        Row(
            "dump 10k catalogue entries (to_dict) vs pydantic dump_python(mode='json')",
            dump["on"] / pydantic_dump["on"],
            2.0,
            "x",
            method,
        ),
        fresh.beside("cloudsms", dump, "pydantic", pydantic_dump),
    ]
