"""Figures for a conformity assessment (issue 20, S12): a large register, every scenario.

Rows are ``(label, figure, floor, unit)`` as benchmarks/removal.py's are; a floor of
NaN marks a figure printed for information. Run on its own with
``python benchmarks/conformity.py [--quick]``.

- Assessing: `assess` of all 15 scenarios (229 clause rows once cited clauses are
  expanded) against a register of 10,000 evidence records (1,000 with ``--quick``),
  built before the clock starts, as of 2026-12-31 in Europe/Berlin. The evidence
  supports one to three clauses each, drawn from every clause but three and those above them
  (so some rows are missing); the items for clause 9 and below were collected in 2024
  or 2025 and hold for at most 300 days (so those rows are stale); the rest hold for up
  to four years after collection, or never expire, and a few are collected after
  ``as_of`` (they do not count). No item expires before it was collected (the register
  refuses that).
- The floor (10 ms) is for a register ALREADY INDEXED: the figure is the best of 7
  wall times (3 with ``--quick``) of `assess` on a register whose index is built, in
  milliseconds (the quick run too: the work is per clause row, not per item). The
  first call on a new register object builds the index (clause -> its items by
  collection time) and costs far more: it is printed on the next line, as is the
  time to build the register's records. Adding evidence with ``with_evidence`` to
  an indexed register extends the index rather than building it again: one item
  added and the new register assessed is printed too.
- Beside it, for information: the same statuses from the plain loop a user would
  write over the evidence list (for each row, every item of the clause or an
  ancestor, collected by ``as_of``, its day ended or not in the register's zone),
  timed in the same run, and the ratio of the two. The loop is checked to give the
  same status for every row.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time
from typing import Any

import section
from cloudsms import reference
from cloudsms.conformity import (
    Assessment,
    Evidence,
    EvidenceKind,
    EvidenceRegister,
    ProcessOwner,
    assess,
)
from cloudsms.periods import Period

FLOOR_MS = 10.0
"""Milliseconds to assess all 15 scenarios against an indexed 10,000-evidence register."""

COUNT = 10_000
QUICK_COUNT = 1_000
AS_OF = dt.date(2026, 12, 31)
ZONE = "Europe/Berlin"
UNSUPPORTED = frozenset({"8.1", "6.6.2", "4.5.5.1"})
"""Clauses no evidence supports, nor any clause above them: their rows are missing."""


def _with_ancestors(numbers: frozenset[str]) -> frozenset[str]:
    return frozenset(
        ".".join(n.split(".")[:depth]) for n in numbers for depth in range(1, n.count(".") + 2)
    )


def build(count: int, seed: int = 20) -> EvidenceRegister:
    """A register of ``count`` evidence records over the clauses of 2011 (see the module docs)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible figures, not secrets
    left_out = _with_ancestors(UNSUPPORTED)
    numbers = [c.number for c in reference.clauses() if c.number not in left_out]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    items = []
    for index in range(count):
        supports = tuple(rng.sample(numbers, rng.randint(1, 3)))
        collected = start + dt.timedelta(minutes=rng.randrange(3 * 366 * 24 * 60))
        # valid_until never ends before collection (the register refuses that)
        if any(n == "9" or n.startswith("9.") for n in supports):  # all expired by AS_OF
            collected = start + dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            until: dt.date | None = collected.date() + dt.timedelta(days=rng.randint(1, 300))
        elif rng.random() < 0.2:  # a fifth never expire
            until = None
        else:
            until = collected.date() + dt.timedelta(days=rng.randint(1, 4 * 365))
        items.append(
            Evidence(
                id=f"EV-{index:05d}",
                kind=EvidenceKind.RECORD if index % 3 else EvidenceKind.DOCUMENT,
                title=f"Record {index}",
                supports=supports,
                provided_by=f"actor:owner-{index % 17}",
                collected_at=collected,
                valid_until=until,
            )
        )
    return EvidenceRegister(
        id="bench-register",
        organisation="provider-1",
        timezone=ZONE,
        evidence=tuple(items),
        owners=(
            ProcessOwner(clause="6", owner="actor:delivery"),
            ProcessOwner(clause="9", owner="actor:control"),
        ),
        sms_owner="actor:sms-owner",
    )


def plain_loop(register: EvidenceRegister, as_of: dt.datetime) -> list[tuple[str, str, str]]:
    """(scenario, clause, status) for every row, by a loop over the evidence list."""
    ends = [
        None if item.valid_until is None else Period.day(item.valid_until, register.timezone).end
        for item in register.evidence
    ]
    found = []
    for scenario in reference.scenarios():
        if not scenario.citations_known:
            continue
        for clause in reference.clauses_cited_by(scenario.id, expand=True):
            parts = clause.number.split(".")
            chain = {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
            status = "missing"
            for item, end in zip(register.evidence, ends, strict=True):
                if item.collected_at > as_of or chain.isdisjoint(item.supports):
                    continue
                if end is None or end > as_of:
                    status = "covered"
                    break
                status = "stale"
            found.append((scenario.id, clause.number, status))
    return found


def _agree(result: Assessment, plain: list[tuple[str, str, str]]) -> bool:
    ours = [(r.scenario_id, r.clause_number, r.status.value) for r in result.clauses]
    return ours == plain


def _best(run: Any, times: int) -> tuple[Any, float]:  # noqa: ANN401 - any result
    """``run``'s result and its best wall time of ``times``."""
    best = math.inf
    result = None
    for _ in range(times):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return result, best


def rows(*, quick: bool) -> list[tuple[str, float, float, str]]:
    """Assess all 15 scenarios against 10,000 evidence records (1,000 quick)."""
    count = QUICK_COUNT if quick else COUNT
    started = time.perf_counter()
    register = build(count)
    building = time.perf_counter() - started
    started = time.perf_counter()
    first = assess(register, as_of=AS_OF)
    indexing = time.perf_counter() - started
    runs = 3 if quick else 7
    result, assessing = _best(lambda: assess(register, as_of=AS_OF), runs)
    if result != first:
        raise AssertionError("a second assessment differs from the first")
    extra = Evidence(
        id="EV-added",
        kind=EvidenceKind.RECORD,
        title="One more record",
        supports=("6.1",),
        provided_by="actor:owner-0",
        collected_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    started = time.perf_counter()
    assess(register.with_evidence(extra), as_of=AS_OF)
    adding = time.perf_counter() - started
    plain, looping = _best(lambda: plain_loop(register, result.as_of), 1)
    if not _agree(result, plain):
        raise AssertionError("the plain loop and assess disagree")
    statuses = {s: sum(1 for r in result.clauses if r.status.value == s) for s in ("covered",
                "stale", "missing")}  # fmt: skip
    shown = ", ".join(f"{n} {s}" for s, n in statuses.items())
    return [
        (
            (
                f"assess 15 scenarios ({len(result.clauses)} rows: {shown}) against "
                f"{count:,} evidence records, on a register already indexed"
            ),
            assessing * 1000,
            FLOOR_MS,
            "ms",
        ),
        (
            f"the first assessment of a new register, which indexes it: {indexing * 1000:.1f} ms",
            indexing * 1000,
            math.nan,
            "ms",
        ),
        (
            (
                f"with_evidence of one item on the indexed register, then assess "
                f"(the index extended, not rebuilt; the register's checks run again): "
                f"{adding * 1000:.1f} ms"
            ),
            adding * 1000,
            math.nan,
            "ms",
        ),
        (
            f"building the {count:,} evidence records and the register first: {building:.2f} s",
            building,
            math.nan,
            "s",
        ),
        (
            (
                f"the plain loop a user would write over the evidence list: {looping:.3f} s, "
                f"{looping / assessing:.0f} times assess's"
            ),
            looping,
            math.nan,
            "s",
        ),
    ]


if __name__ == "__main__":
    sys.exit(section.main(rows))
