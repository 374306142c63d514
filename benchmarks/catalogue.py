"""Figures for the catalogue: load and dump 10,000 committed catalogue entries.

Imported by benchmarks/run.py. The entries are the committed test data of
``benchmarks/data/catalogue-entries.json.gz`` (see catalogue_data.py). The garbage
collector stays on, as it would in an application. An equivalent pydantic v2 model,
below, is timed on the same bytes for comparison.
"""

from __future__ import annotations

import gc
import json
import time
from typing import TYPE_CHECKING, Any

from cloudsms.catalogue import CatalogueEntry
from cloudsms.serialization import from_dict, to_dict

import catalogue_data

if TYPE_CHECKING:
    from collections.abc import Callable


def _best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def figures(rounds: int) -> list[tuple[str, float, float, str]]:
    """Load and dump ratios against orjson and json, and pydantic's times beside ours."""
    import orjson  # noqa: PLC0415 - a bench dependency

    raw = catalogue_data.load()
    kind = list[CatalogueEntry]
    entries = from_dict(kind, orjson.loads(raw))
    data = to_dict(entries)
    assert gc.isenabled()  # noqa: S101 - the figures are meant with the collector on
    load = _best(lambda: from_dict(kind, orjson.loads(raw)), rounds)
    orjson_load = _best(lambda: orjson.loads(raw), rounds)
    unpaused = _best(lambda: from_dict(kind, orjson.loads(raw), pause_gc=False), rounds)
    dump = _best(lambda: to_dict(entries), rounds)
    json_dump = _best(lambda: json.dumps(data), rounds)
    orjson_dump = _best(lambda: orjson.dumps(data), rounds)
    pydantic_load, pydantic_dump = _pydantic(raw, rounds)
    info = [
        ("  (catalogue load, ms)", load * 1e3),
        ("  (catalogue load, collector not paused, x)", unpaused / orjson_load),
        ("  (catalogue dump, ms)", dump * 1e3),
        ("  (catalogue dump vs orjson.dumps, x)", dump / orjson_dump),
        ("  (pydantic v2 catalogue load, ms)", pydantic_load * 1e3),
        ("  (pydantic v2 catalogue dump, ms)", pydantic_dump * 1e3),
        ("  (catalogue load vs pydantic load, x)", load / pydantic_load),
        ("  (catalogue dump vs pydantic dump, x)", dump / pydantic_dump),
    ]
    return [
        ("load 10k catalogue entries vs orjson.loads", load / orjson_load, 5.0, "x"),
        ("dump 10k catalogue entries vs json.dumps", dump / json_dump, 4.0, "x"),
        *((name, value, float("nan"), "") for name, value in info),
    ]


def _pydantic(raw: bytes, rounds: int) -> tuple[float, float]:
    """The same entries as a pydantic v2 model: strict, frozen, extra keys refused."""
    import pydantic  # noqa: PLC0415 - a bench dependency

    from pydantic_catalogue import PEntry  # noqa: PLC0415 - beside this module

    adapter: Any = pydantic.TypeAdapter(list[PEntry])
    models = adapter.validate_json(raw)
    load = _best(lambda: adapter.validate_json(raw), rounds)
    dump = _best(lambda: adapter.dump_python(models, mode="json"), rounds)
    return load, dump
