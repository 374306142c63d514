"""Figures for the core building blocks: construction, parsing, the converter.

Imported by benchmarks/run.py, which prints every figure beside its floor.
Construction and parsing are timed in the runner's process with ``timeit`` (the
best of several rounds, per call); the usage records' load and dump in fresh
interpreters, one per side (benchmarks/fresh.py says how).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import statistics
import time
import timeit
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

import fresh
from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms.catalogue import Offering, OfferingKind, Policy
from cloudsms.errors import ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money, Price
from cloudsms.periods import Period
from cloudsms.units import Quantity, magnitude_in, quantity
from fresh import Row

if TYPE_CHECKING:
    from collections.abc import Callable


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
class PlainLevel:
    """ServiceLevel's fields without their checks."""

    measure: str
    bound: Bound
    target: Quantity


@attrs.frozen(kw_only=True)
class PlainOffering:
    """Offering's fields, with its converters, without their checks or rules."""

    id: str
    name: str
    kind: OfferingKind
    levels: tuple[ServiceLevel, ...] = attrs.field(converter=as_tuple)
    price: Price
    upgrades: frozenset[str] = attrs.field(default=frozenset(), converter=as_frozenset)
    sla: str | None = None


@attrs.frozen(kw_only=True)
class PlainPolicy:
    """Policy's fields without their checks."""

    topic: str
    statement: str


@attrs.frozen(kw_only=True)
class Usage:
    """A record of the three value types the converter benchmark loads and dumps."""

    fee: Money
    latency: Quantity
    window: Period


TIMEIT = "timeit in the runner, best of {rounds} rounds, per call"


def per_call(fn: Callable[[], object], rounds: int) -> float:
    """Best-of-``rounds`` time of one call, in microseconds."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=rounds, number=number)) / number * 1e6


def _ratio(checked: Callable[[], object], plain: Callable[[], object], rounds: int) -> float:
    return per_call(checked, rounds) / per_call(plain, rounds)


def construction(rounds: int) -> list[Row]:
    """Validated construction against a class of the same fields without checks (ratios)."""
    amount = Decimal("12.30")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    target = quantity("99.95 %")
    levels = (
        ServiceLevel(measure="availability", bound=Bound.AT_LEAST, target=target),
        ServiceLevel(measure="response time", bound=Bound.AT_MOST, target=quantity("4 h")),
    )
    price = Price(Money("0.0421", "EUR"), "vcpu*hour")
    offering = {
        "id": "gold",
        "name": "Gold",
        "kind": OfferingKind.CUSTOMIZABLE,
        "levels": levels,
        "price": price,
        "upgrades": frozenset({"ha", "disk"}),
        "sla": "sla-gold",
    }
    policy = {"topic": "data retention", "statement": "Backups are kept for 30 days."}
    method = TIMEIT.format(rounds=rounds)
    cases: list[tuple[str, Callable[[], object], Callable[[], object], float]] = [
        (
            "Money(Decimal, code)",
            lambda: Money(amount, "EUR"),
            lambda: PlainMoney(amount, "EUR"),
            1.5,
        ),
        ("Period(start, end)", lambda: Period(start, end), lambda: PlainPeriod(start, end), 2.5),
        (
            "ServiceLevel(measure, bound, target)",
            lambda: ServiceLevel(measure="availability", bound=Bound.AT_LEAST, target=target),
            lambda: PlainLevel(measure="availability", bound=Bound.AT_LEAST, target=target),
            2.5,
        ),
        (
            "Offering(7 fields)",
            lambda: Offering(**offering),
            lambda: PlainOffering(**offering),
            2.5,
        ),
        ("Policy(topic, statement)", lambda: Policy(**policy), lambda: PlainPolicy(**policy), 2.5),
    ]
    return [
        Row(
            f"{name} vs unvalidated attrs class",
            _ratio(checked, plain, rounds),
            floor,
            "x",
            method,
        )
        for name, checked, plain, floor in cases
    ]


def parsing(rounds: int) -> list[Row]:
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
    method = TIMEIT.format(rounds=rounds)
    return [
        Row(
            "quantity(untrusted text), unit text never seen",
            cold_us,
            150.0,
            "us",
            "median of 300 calls, each on a new unit text",
        ),
        Row(
            "quantity(hostile text), slowest of 2,000",
            worst_us,
            20000.0,
            "us",
            "the slowest of 2,000 calls, one per text",
        ),
        Row("quantity(untrusted text), unit text seen before", warm, 150.0, "us", method),
        Row("magnitude_in(quantity, 'second'), once", convert, 15.0, "us", method),
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


def converter(runs: int, paused_runs: int) -> list[Row]:
    """Load and dump 10,000 usage records, each side in a fresh interpreter (fresh.py).

    The load is ``from_json`` of the bytes with its default arguments (the strict
    parse, refusing repeated keys, and the conversion) against pydantic v2's
    ``validate_json`` of the same bytes; the dump is ``to_dict`` against ``json.dumps``
    of the same data.
    """
    method = fresh.METHOD.format(runs=runs)
    ours, pydantic, standard = (
        fresh.time(f"usage-{side}", runs, paused_runs) for side in ("cloudsms", "pydantic", "json")
    )
    load, pydantic_load = ours["load"], pydantic["load"]
    dump, pydantic_dump, json_dump = ours["dump"], pydantic["dump"], standard["dump"]
    return [
        Row(
            "load 10k usage records (from_json) vs pydantic validate_json",
            load["on"] / pydantic_load["on"],
            0.8,
            "x",
            method,
        ),
        fresh.beside("cloudsms", load, "pydantic", pydantic_load),
        Row(
            "dump 10k usage records (to_dict) vs json.dumps",
            dump["on"] / json_dump["on"],
            4.0,
            "x",
            method,
        ),
        fresh.beside("cloudsms", dump, "json.dumps", json_dump),
        fresh.beside("cloudsms", dump, "pydantic dump_python(mode='json')", pydantic_dump),
    ]
