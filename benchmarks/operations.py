"""Figures for the operations clocks (issue 14): response and resolution times of a month.

Rows are ``(label, figure, floor, unit)`` as benchmarks/agreements.py's are; a floor
of NaN marks a figure printed for information. Run on its own with
``python benchmarks/operations.py [--quick]``.

- 10,000 incidents opened over October 2026 (Berlin, across the change back from
  summer time), each acknowledged, waiting on the customer for a while, restored and
  resolved; the figure is the time `response_time` and `resolution_time` take for
  all of them on the agreement's support hours (09:00-18:00 on weekdays), waits
  taken off: floor 0.5 s. The incidents are built directly from their lifecycle
  (not drawn by hypothesis), and built before the clock starts. Best of 3 runs (1
  with ``--quick``); the first run also pays for loading the month's open spans.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import random
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

import section
from cloudsms.operations import INCIDENT_LIFECYCLE, Incident, resolution_time, response_time
from cloudsms.periods import SupportHours

if TYPE_CHECKING:
    from cloudsms.agreements import CloudServiceAgreement

FLOOR = 0.5
"""Seconds for the response and resolution times of 10,000 incidents."""

COUNT = 10_000
MONTH_START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def agreement() -> CloudServiceAgreement:
    """The operations example's agreement (examples/operations.py)."""
    path = Path(__file__).resolve().parents[1] / "examples" / "operations.py"
    spec = importlib.util.spec_from_file_location("cloudsms_operations_example", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example
    spec.loader.exec_module(example)
    made: CloudServiceAgreement = example.operations_agreement()
    return attrs.evolve(
        made, support_hours=SupportHours.weekdays("09:00", "18:00", "Europe/Berlin")
    )


def incidents(agreement_id: str, count: int = COUNT, seed: int = 14) -> list[Incident]:
    """``count`` resolved incidents opened over October, each with a wait on the customer."""
    chance = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    made: list[Incident] = []
    for index in range(count):
        ident = f"inc-{index}"
        opened = MONTH_START + dt.timedelta(minutes=chance.randrange(31 * 24 * 60))
        when = opened
        instance = INCIDENT_LIFECYCLE.begin(id=ident)
        for event in ("acknowledge", "wait", "resume", "restore", "resolve"):
            when += MINUTE * chance.randrange(5, 600)
            instance = instance.apply(event, who="actor:desk-1", when=when)
        made.append(
            Incident(
                id=ident,
                agreement_id=agreement_id,
                priority=chance.choice(("P1", "P2")),
                summary="Logins fail",
                services={"crm-service"},
                opened_at=opened,
                lifecycle=instance,
            )
        )
    return made


def timed(agreement: CloudServiceAgreement, records: list[Incident]) -> float:
    """Seconds to measure every record's response and resolution time."""
    started = time.perf_counter()
    for incident in records:
        response_time(incident, agreement)
        resolution_time(incident, agreement)
    return time.perf_counter() - started


def rows(*, quick: bool) -> list[tuple[str, float, float, str]]:
    """The month's clocks (best of 3 runs, 1 quick), and the first run for information."""
    terms = agreement()
    records = incidents(terms.id)
    runs = [timed(terms, records) for _ in range(1 if quick else 3)]
    return [
        (
            f"response and resolution times of {COUNT:,} incidents over a month (s)",
            min(runs),
            FLOOR,
            "s",
        ),
        (f"first run, loading the month's support hours: {runs[0]:.3f} s", runs[0], math.nan, "s"),
    ]


if __name__ == "__main__":
    sys.exit(section.main(rows))
