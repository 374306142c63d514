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
  events each, every guard run, the chain on. Notices fall on 365 different days,
  so there are 365 different plans; the instants of each step are worked out before
  the clock starts, so only the procedure is timed. The figure is microseconds per event against 33.3
  (at least 30,000 events a second); best of 2 runs (1 with ``--quick``).
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
    backups: dt.datetime
    records: dt.datetime
    issued: dt.datetime
    review: dt.date


def timetable(agreement: CloudServiceAgreement) -> list[Times]:
    """The instants of an exit for a notice on each of 365 days from `FIRST_NOTICE`."""
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
                backups=ends,
                records=add_exact(ends, HOUR),
                issued=add_exact(ends, 2 * HOUR),
                review=ends.date() + dt.timedelta(days=365),
            )
        )
    return found


def _after_release(procedure: ExitProcedure, times: Times) -> ExitProcedure:
    """Deletions (the backups once the retention window is over), a hold, records, confirmation."""
    for category in DELETED:
        at = times.backups if category is DataCategory.BACKUPS else times.confirmed
        procedure = procedure.delete(category, "crypto-shred", who=OPS, when=at)
    procedure = procedure.hold(
        DataCategory.LOGS, basis=HOLD, review_on=times.review, who=OPS, when=times.backups
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
) -> tuple[list[ExitProcedure], float]:
    """``count`` closed procedures (the release recorded), and the seconds they took."""
    closed: list[ExitProcedure] = []
    started = time.perf_counter()
    for index in range(count):
        times = table[index % len(table)]
        procedure = _until_release(agreement, index, times)
        procedure = procedure.record_release(
            [f"rel-{index}-1", f"rel-{index}-2"], who=OPS, when=times.confirmed
        )
        closed.append(_after_release(procedure, times))
    return closed, time.perf_counter() - started


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
    ("plan_exit", "_exit_plan.py", "plan_exit"),
    ("LifecycleInstance.apply (guards, chain)", "_core.py", "apply"),
    ("ExitConfirmation.of", "termination.py", "of"),
)


def shares(run: Callable[[], object]) -> str:
    """The share of ``run``'s time spent inside each of `_PARTS` (cumulative, profiled)."""
    profile = cProfile.Profile()
    profile.enable()
    run()
    profile.disable()
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = max(own[3] for own in stats.values()) or 1.0
    found = []
    for label, file, name in _PARTS:
        spent = sum(
            own[3]
            for (path, _, func), own in stats.items()
            if func == name and path.endswith(file)
        )
        found.append(f"{label} {100 * spent / total:.0f}%")
    return ", ".join(found)


def rows(*, quick: bool) -> list[tuple[str, float, float, str]]:
    """Exits from notice to confirmation (best of 2, 1 quick), then some through carry_out."""
    module = example()
    agreement = module.agreement()
    count = QUICK_COUNT if quick else COUNT
    table = timetable(agreement)
    runs = [drive(agreement, count, table) for _ in range(1 if quick else 2)]
    closed, best = min(runs, key=lambda run: run[1])
    events = sum(len(p.lifecycle.entries) for p in closed)
    if not all(p.is_closed and verify(p.lifecycle) is None for p in closed[:100]):
        raise AssertionError("the benchmark's own procedures do not close with a sound trail")
    released = QUICK_RELEASES if quick else RELEASES
    carried, seconds, releasing = drive_releasing(module, released, table)
    per_second = (
        f"events a second: {events / best:,.0f} (floor 30,000; {events:,} events,"
        f" {events // count} an exit)"
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
