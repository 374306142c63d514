"""Figures for the exit procedure (issue 18, S13): exits driven from notice to confirmation.

Rows are ``(label, figure, floor, unit)`` as benchmarks/agreements.py's are; a floor
of NaN marks a figure printed for information. Run on its own with
``python benchmarks/exit.py [--quick]``.

- Driving: 10,000 exit procedures (1,000 with ``--quick``) on the agreement of
  ``examples/exit_procedure.py``, each from `ExitProcedure.initiate` (the plan from
  the agreement's terms in force at the notice, its calendar arithmetic and charge
  included) to `ExitProcedure.issue_confirmation` (the written confirmation built
  from the trail): notice, effect, two retrievals, the customer's confirmation, the
  release recorded with its request ids (the holdings already released), five
  deletions and a legal hold, the records updated and the confirmation issued — 14
  events each, every guard run, the chain on. The instants of each step are worked
  out before the clock starts, so only the procedure is timed. The figure is wall
  microseconds per event against 33.3 (at least 30,000 events a second), the best of
  3 runs (1 with ``--quick``); the CPU time of the same run (`time.process_time`) is
  printed beside it, steadier when the machine is loaded.
- What the figure favours, said plainly: notices fall on 365 different days, so the
  10,000 exits run on 365 plans and the procedure's caches (plans and frames by
  context, each at most 1,024) are warm after the first year: an operator running
  exits on many agreements with other terms pays the plan's checks more often. The
  instants are not shared: each of the 14 events has a datetime object of its own,
  a minute after the step before it where steps fall together, as a procedure
  recorded step by step gets them. An earlier version gave six events one object
  (the confirmation's time), which `LifecycleInstance.apply` takes without a second
  check (it is the last entry's own instant), and so measured a batch recorded at
  once rather than the usual case.
- Where driving's time goes: 500 exits under `cProfile` (which slows small calls
  more than big ones, so the shares are a guide), cumulative, with
  `ExitProcedure.initiate` split into the functions it calls itself.
- Releasing through `release_resources`: 200 procedures (20 with ``--quick``) whose
  three holdings in two pools are released by resource requests carried out with
  `cloudsms.procedures.resource_change.carry_out`, then deleted and confirmed as
  above; printed beside, for information: events a second and milliseconds per
  release.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import importlib.util
import math
import pstats
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

import section
from cloudsms.lifecycle import verify
from cloudsms.periods import add_exact
from cloudsms.procedures.termination import (
    DataCategory,
    ExitProcedure,
    plan_exit,
    release_resources,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from cloudsms.agreements import CloudServiceAgreement

FLOOR = 33.3
"""Microseconds per event: at least 30,000 events a second (33.3 us, rounded down)."""

COUNT = 10_000
QUICK_COUNT = 1_000
RELEASES = 200
QUICK_RELEASES = 20
FIRST_NOTICE = dt.date(2026, 4, 1)
CUSTOMER = "actor:globex-it"
OPS = "actor:nimbus-ops"
HOLD = "Tax law: booking records of the service are kept for ten years"
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DELETED = (
    DataCategory.CUSTOMER_DATA,
    DataCategory.DERIVED_DATA,
    DataCategory.MONITORING_DATA,
    DataCategory.CONFIGURATION_DATA,
    DataCategory.BACKUPS,  # last: kept until the retention window ends
)


def example() -> Any:  # noqa: ANN401 - the example module
    """The exit example (examples/exit_procedure.py), for its agreement, pools and holdings."""
    path = Path(__file__).resolve().parents[1] / "examples" / "exit_procedure.py"
    spec = importlib.util.spec_from_file_location("cloudsms_exit_example", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@attrs.frozen
class Times:
    """When each step of one exit happens: computed before the clock starts."""

    notice: dt.date
    effective: dt.datetime
    retrievals: tuple[dt.datetime, dt.datetime]
    confirmed: dt.datetime
    released: dt.datetime
    deleted: tuple[dt.datetime, ...]
    backups: dt.datetime
    held: dt.datetime
    records: dt.datetime
    issued: dt.datetime
    review: dt.date


def timetable(agreement: CloudServiceAgreement) -> list[Times]:
    """The instants of an exit for a notice on each of 365 days from `FIRST_NOTICE`.

    Every event gets a datetime object of its own; steps that fall together are a
    minute apart.
    """
    found = []
    for day in range(365):
        notice = FIRST_NOTICE + dt.timedelta(days=day)
        plan = plan_exit(agreement, notice=notice)
        start, ends = plan.effective_at, plan.retention_ends
        found.append(
            Times(
                notice=notice,
                effective=start,
                retrievals=(add_exact(start, HOUR), add_exact(start, 2 * HOUR)),
                confirmed=add_exact(start, 3 * HOUR),
                released=add_exact(start, 3 * HOUR + MINUTE),
                deleted=tuple(
                    add_exact(start, 3 * HOUR + (2 + step) * MINUTE)
                    for step in range(len(DELETED) - 1)
                ),
                backups=ends,
                held=add_exact(ends, MINUTE),
                records=add_exact(ends, HOUR),
                issued=add_exact(ends, 2 * HOUR),
                review=ends.date() + dt.timedelta(days=365),
            )
        )
    return found


def _after_release(procedure: ExitProcedure, times: Times) -> ExitProcedure:
    """Deletions (the backups once the retention window is over), a hold, records, confirmation."""
    for category, at in zip(DELETED, (*times.deleted, times.backups), strict=True):
        procedure = procedure.delete(category, "crypto-shred", who=OPS, when=at)
    procedure = procedure.hold(
        DataCategory.LOGS, basis=HOLD, review_on=times.review, who=OPS, when=times.held
    )
    procedure = procedure.update_records(
        configuration=["cmdb: environment retired"],
        capacity=["capacity plan fra-1"],
        financial=["final invoice"],
        who=OPS,
        when=times.records,
    )
    closed, _ = procedure.issue_confirmation(who=OPS, when=times.issued)
    return closed


def _until_release(agreement: CloudServiceAgreement, index: int, times: Times) -> ExitProcedure:
    """A procedure from its notice to ``releasing``."""
    procedure = ExitProcedure.initiate(
        agreement, notice=times.notice, who=CUSTOMER, id=f"exit-{index}"
    )
    procedure = procedure.take_effect(who=OPS, when=times.effective)
    procedure = procedure.record_retrieval("CSV", who=CUSTOMER, when=times.retrievals[0])
    procedure = procedure.record_retrieval("Parquet", who=CUSTOMER, when=times.retrievals[1])
    return procedure.confirm_not_needed(who=CUSTOMER, when=times.confirmed)


def drive(
    agreement: CloudServiceAgreement, count: int, table: list[Times]
) -> tuple[list[ExitProcedure], float, float]:
    """``count`` closed procedures (the release recorded), the wall and CPU seconds taken."""
    closed: list[ExitProcedure] = []
    started, cpu = time.perf_counter(), time.process_time()
    for index in range(count):
        times = table[index % len(table)]
        procedure = _until_release(agreement, index, times)
        procedure = procedure.record_release(
            [f"rel-{index}-1", f"rel-{index}-2"], who=OPS, when=times.released
        )
        closed.append(_after_release(procedure, times))
    return closed, time.perf_counter() - started, time.process_time() - cpu


def drive_releasing(module: Any, count: int, table: list[Times]) -> tuple[int, float, float]:  # noqa: ANN401
    """``count`` exits released by release_resources: events, seconds, seconds releasing."""
    agreement = module.agreement()
    events, releasing = 0, 0.0
    started = time.perf_counter()
    for index in range(count):
        times = table[index % len(table)]
        procedure = _until_release(agreement, index, times)
        held = module.holdings(agreement)
        before = time.perf_counter()
        released = release_resources(
            procedure, agreement, module.POOLS, held, {}, who=OPS, when=times.confirmed
        )
        releasing += time.perf_counter() - before
        closed = _after_release(released.procedure, times)
        events += len(closed.lifecycle.entries)
    return events, time.perf_counter() - started, releasing


_PARTS = (
    ("ExitProcedure.initiate", "termination.py", "initiate"),
    ("plan_exit", "_exit_plan.py", "plan_exit"),
    ("LifecycleInstance.apply (guards, chain)", "_core.py", "apply"),
    ("ExitConfirmation.of", "termination.py", "of"),
)
_INITIATE_PARTS = 5
"""How many of the functions `ExitProcedure.initiate` calls are named, the costliest first."""


def shares(run: Callable[[], object]) -> str:
    """The share of ``run``'s time spent inside each of `_PARTS` (cumulative, profiled).

    Shares overlap: plan_exit and apply count again inside initiate, whose own calls
    follow it in brackets (each with the time spent in it when initiate called it).
    """
    profile = cProfile.Profile()
    profile.enable()
    run()
    profile.disable()
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = max(own[3] for own in stats.values()) or 1.0
    found = []
    for label, file, name in _PARTS:
        keys = [key for key in stats if key[2] == name and key[0].endswith(file)]
        spent = sum(stats[key][3] for key in keys)
        text = f"{label} {100 * spent / total:.0f}%"
        if name == "initiate":
            text += f" ({_callees(stats, keys, total)})"
        found.append(text)
    return ", ".join(found)


def _callees(stats: dict[Any, Any], callers: list[Any], total: float) -> str:
    """What the functions ``callers`` call themselves, the costliest first, as shares.

    Each is named by its module and function (``termination._context_of``): the
    profile does not keep class names.
    """
    spent: dict[str, float] = {}
    for (path, _, name), own in stats.items():
        label = f"{Path(path).stem}.{name}" if path.endswith(".py") else name
        for caller in callers:
            if caller in own[4]:
                spent[label] = spent.get(label, 0.0) + own[4][caller][3]
    own_time = sum(stats[key][2] for key in callers)
    named = sorted(spent.items(), key=lambda item: -item[1])[:_INITIATE_PARTS]
    parts = [f"{name} {100 * seconds / total:.0f}%" for name, seconds in named]
    return ", ".join([*parts, f"its own lines {100 * own_time / total:.0f}%"])


def rows(*, quick: bool) -> list[tuple[str, float, float, str]]:
    """Exits from notice to confirmation (best of 3, 1 quick), then some through carry_out."""
    module = example()
    agreement = module.agreement()
    count = QUICK_COUNT if quick else COUNT
    table = timetable(agreement)
    runs = [drive(agreement, count, table) for _ in range(1 if quick else 3)]
    closed, best, cpu = min(runs, key=lambda run: run[1])
    events = sum(len(p.lifecycle.entries) for p in closed)
    if not all(p.is_closed and verify(p.lifecycle) is None for p in closed[:100]):
        raise AssertionError("the benchmark's own procedures do not close with a sound trail")
    released = QUICK_RELEASES if quick else RELEASES
    carried, seconds, releasing = drive_releasing(module, released, table)
    per_second = (
        f"events a second: {events / best:,.0f} (floor 30,000; {events:,} events,"
        f" {events // count} an exit); CPU time of that run {cpu / events * 1e6:.3f} us an"
        f" event, {events / cpu:,.0f} events a second"
    )
    through = (
        f"with the release through release_resources/carry_out ({released:,} exits, 3"
        f" holdings in 2 pools each): {carried / seconds:,.0f} events a second,"
        f" {releasing / released * 1e3:.2f} ms a release"
    )
    return [
        (
            f"drive {count:,} exits from notice to confirmation, chain on (us per event)",
            best / events * 1e6,
            FLOOR,
            "us",
        ),
        (
            per_second,
            events / best,
            math.nan,
            "/s",
        ),
        (
            through,
            carried / seconds,
            math.nan,
            "/s",
        ),
        (
            f"where driving's time goes: {shares(lambda: drive(agreement, 500, table))}",
            math.nan,
            math.nan,
            "",
        ),
    ]


if __name__ == "__main__":
    sys.exit(section.main(rows))
