"""Figures for the core building blocks: construction, parsing, conversion, the converter.

Imported by benchmarks/run.py, which prints every figure beside its floor.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import random
import statistics
import time
import timeit
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms.errors import ValidationError
from cloudsms.money import Money
from cloudsms.periods import Period
from cloudsms.serialization import from_dict, from_json, to_dict
from cloudsms.units import Quantity, magnitude_in, quantity

if TYPE_CHECKING:
    from collections.abc import Callable

    import pydantic

RECORDS = 10_000


@attrs.frozen
class PlainMoney:
    """Money's shape without its checks: the baseline of the construction ratio."""

    amount: Decimal
    currency: str


@attrs.frozen
class PlainPeriod:
    """Period's shape without its checks."""

    start: dt.datetime
    end: dt.datetime


@attrs.frozen(kw_only=True)
class Usage:
    """A record of the three value types the converter benchmark loads and dumps."""

    fee: Money
    latency: Quantity
    window: Period


def per_call(fn: Callable[[], object], rounds: int) -> float:
    """Best-of-``rounds`` time of one call, in microseconds."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=rounds, number=number)) / number * 1e6


def construction(rounds: int) -> list[tuple[str, float, float, str]]:
    """Validated construction against the same class without validation (ratios)."""
    amount = Decimal("12.30")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    money = per_call(lambda: Money(amount, "EUR"), rounds) / per_call(
        lambda: PlainMoney(amount, "EUR"), rounds
    )
    period = per_call(lambda: Period(start, end), rounds) / per_call(
        lambda: PlainPeriod(start, end), rounds
    )
    return [
        ("Money(Decimal, code) vs unvalidated attrs class", money, 1.5, "x"),
        ("Period(start, end) vs unvalidated attrs class", period, 2.5, "x"),
    ]


def parsing(rounds: int) -> list[tuple[str, float, float, str]]:
    """quantity() on untrusted text, cold (a unit text never seen) and warm; one conversion."""
    quantity("1 s")  # build the registry outside the timing
    names = [
        "vcpu",
        "hour",
        "GiB",
        "month",
        "request",
        "s",
        "ms",
        "TiB",
        "user",
        "min",
        "kbit",
        "transaction",
        "licence",
        "instance",
        "day",
    ]
    texts = iter(
        f"{i}.{i % 13} {a}*{b}/{c}"
        for i, (a, b, c) in enumerate(
            (a, b, c) for a in names for b in names for c in names if len({a, b, c}) == 3
        )
    )

    def cold() -> object:
        # A unit text never seen before each call, so the unit cache cannot help.
        return quantity(next(texts))

    warm = per_call(lambda: quantity("0.2 vcpu*hour"), rounds)
    q = quantity("250 ms")
    convert = per_call(lambda: magnitude_in(q, "second"), rounds)
    from cloudsms.units import _forget_units  # noqa: PLC0415 - cold means uncached

    _forget_units()
    cold_us = statistics.median(_timed(cold) for _ in range(300))
    worst_us = max(_refused_or_parsed(text) for text in _hostile_texts())
    return [
        ("quantity(untrusted text), unit text never seen", cold_us, 150.0, "us"),
        ("quantity(hostile text), slowest of 2,000", worst_us, 20000.0, "us"),
        ("quantity(untrusted text), unit text seen before", warm, 150.0, "us"),
        ("magnitude_in(quantity, 'second'), once", convert, 15.0, "us"),
    ]


def _hostile_texts() -> list[str]:
    """2,000 texts built to be slow: long numbers, deep exponents, many units, junk."""
    rng = random.Random(200009)  # noqa: S311 - fixed seed: the same texts every run
    alphabet = "0123456789.eE+-*/^() %kMGTmunµsbBhdayGiBvcpu_"
    texts = [
        "9" * 200,
        "1e999999 s",
        "1" + "0" * 99 + " " + "*".join(["s"] * 30),
        "(" * 60 + "s" + ")" * 60,
        "1 " + "/".join(["kilometer"] * 20),
        "2^" * 50 + "2 s",
        "1 s" + "^9" * 30,
    ]
    while len(texts) < 2_000:
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))))
    return texts


def _refused_or_parsed(text: str) -> float:
    """Microseconds to parse ``text`` or refuse it with a ValidationError."""
    started = time.perf_counter()
    with contextlib.suppress(ValidationError):
        quantity(text)
    return (time.perf_counter() - started) * 1e6


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1e6


def documents() -> list[dict[str, Any]]:
    """10,000 usage records as plain dicts, varied so no cache sees the same value twice."""
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    units = ("ms", "s", "GiB", "vcpu*hour", "request/s")
    return [
        {
            "fee": {"amount": f"{i % 5000}.{i % 100:02d}", "currency": ("EUR", "USD")[i % 2]},
            "latency": f"{i % 977} {units[i % len(units)]}",
            "window": {
                "start": (base + dt.timedelta(minutes=i)).isoformat(),
                "end": (base + dt.timedelta(minutes=i, days=30)).isoformat(),
            },
        }
        for i in range(RECORDS)
    ]


def converter(rounds: int) -> list[tuple[str, float, float, str]]:
    """Load and dump 10,000 records through the converter, against orjson and json."""
    import orjson  # noqa: PLC0415 - a bench dependency

    data = documents()
    raw = orjson.dumps(data)
    kind = list[Usage]
    records = from_dict(kind, data)

    gc.collect()
    # The load is from_json of the bytes: the strict parse (the standard library's,
    # refusing repeated keys, which orjson cannot report) and the conversion, both
    # with the cyclic collector paused, as a user of from_json gets them. The
    # pipeline from_dict of orjson.loads (no check of repeated keys, the parse with
    # the collector running), and the whole load with it running, are printed beside.
    # A shared machine's speed drifts by half over seconds, and C code (orjson) and
    # the interpreter drift differently: the loads are timed in blocks that take
    # turns, three times, and each keeps its best, so both sides see the same states.
    adapter = _pydantic()
    models = adapter.validate_json(raw)
    load_s, by_hand, unpaused, orjson_load, by_constructors, pydantic_load = _in_turns(
        [
            lambda: from_json(kind, raw),
            lambda: from_dict(kind, orjson.loads(raw)),
            lambda: from_json(kind, raw, pause_gc=False),
            lambda: orjson.loads(raw),
            lambda: _constructed(orjson.loads(raw)),  # the parse with the collector running
            lambda: adapter.validate_json(raw),
        ],
        rounds,
    )
    dump_s, json_dump, orjson_dump, pydantic_dump = _in_turns(
        [
            lambda: to_dict(records),
            lambda: json.dumps(data),
            lambda: orjson.dumps(data),
            lambda: adapter.dump_python(models, mode="json"),
        ],
        rounds,
    )
    figures = [
        (
            "converter load (from_json) of 10k records vs orjson.loads",
            load_s / orjson_load,
            5.0,
            "x",
        ),
        ("converter dump of 10k records vs json.dumps", dump_s / json_dump, 4.0, "x"),
    ]
    info = [
        ("  (load, ms)", load_s * 1e3),
        ("  (from_dict(orjson.loads(bytes)), repeated keys unchecked, x)", by_hand / orjson_load),
        (
            "  (the same objects by their constructors, no converter, x)",
            by_constructors / orjson_load,
        ),
        ("  (load with the collector not paused, x)", unpaused / orjson_load),
        ("  (dump, ms)", dump_s * 1e3),
        ("  (dump vs orjson.dumps, x)", dump_s / orjson_dump),
        ("  (pydantic v2 load, ms)", pydantic_load * 1e3),
        ("  (pydantic v2 dump, ms)", pydantic_dump * 1e3),
        ("  (load vs pydantic load, x)", load_s / pydantic_load),
        ("  (dump vs pydantic dump, x)", dump_s / pydantic_dump),
    ]
    return figures + [(name, value, float("nan"), "") for name, value in info]


def _constructed(data: list[dict[str, Any]]) -> list[Usage]:
    """The records built by hand, as a converter at its fastest could: no key or type checks.

    The lower bound of any converter that builds these types: what is left is parsing
    the amount, the quantity and the two instants, and constructing six objects. The
    collector is paused, as the converter pauses it.
    """
    instant = dt.datetime.fromisoformat
    gc.disable()
    try:
        return [
            Usage(
                fee=Money(Decimal(record["fee"]["amount"]), record["fee"]["currency"]),
                latency=quantity(record["latency"]),
                window=Period(
                    instant(record["window"]["start"]), instant(record["window"]["end"])
                ),
            )
            for record in data
        ]
    finally:
        gc.enable()


def _in_turns(fns: list[Callable[[], object]], rounds: int, turns: int = 3) -> list[float]:
    """The best time of each function: ``turns`` times, each times ``rounds`` runs in a row."""
    best = [float("inf")] * len(fns)
    for _ in range(turns):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], _best(fn, rounds))
    return best


def _best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def _pydantic() -> pydantic.TypeAdapter[Any]:
    """An equivalent pydantic v2 model: decimal amount, text quantity, two aware datetimes."""
    import pydantic  # noqa: PLC0415 - a bench dependency

    class PMoney(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
        amount: Decimal
        currency: str = pydantic.Field(pattern="^[A-Z]{3}$")

    class PPeriod(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
        start: pydantic.AwareDatetime
        end: pydantic.AwareDatetime

    class PUsage(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
        fee: PMoney
        latency: str
        window: PPeriod

    return pydantic.TypeAdapter(list[PUsage])
