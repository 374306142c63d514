"""A fleet of agreements judged for October 2026 on Dask, checked against one process (S10).

Run it with ``python examples/fleet_dask.py`` (10,000 agreements) or with ``--quick``
(1,000, what CI runs). It needs the ``dask`` extra (``pip install 'cloudsms[dask]'``).

The fleet is generated deterministically from a seed: one template agreement (the
CRM agreement of ``examples/agreement.py`` with four targets: availability round the
clock with credits, availability in the support hours, the 95th percentile of the
response time, and the recovery point objective) is copied under a new id, customer
and monthly charge for each agreement (every fourth in USD), and each agreement gets
its own month of outages (some caused by the customer, which the SLA excludes),
maintenance windows (announced a week or a day ahead; the SLA asks for five days),
backup measurements, and one of four per-minute response-time series of the month.
Agreement ``i`` is drawn from ``random.Random`` seeded with the seed and ``i`` only,
so any process can build any slice of the fleet and gets the same pairs.

The same function, `judged`, runs twice over the whole fleet: once in this process
(`cloudsms.monitoring.evaluate_many` with one worker), once as the partitions of a
Dask bag on a distributed cluster (a local one with two worker processes here; pass
``--scheduler tcp://host:8786`` to use a running cluster whose workers have cloudsms
installed). Each partition builds its own slice of the fleet where it runs, as a real
cluster reads its own shard of the monitoring data instead of receiving it through
the scheduler, judges it and returns one `cloudsms.monitoring.FleetSummary`; the
driver merges them. The script prints both summaries, both times and the speed-up,
and exits 1 when the totals differ.

Serves S10 (every agreement's targets judged for the month: breaches and credits
across the fleet); ISO/IEC 20000-1:2011 6.1 and 6.2.
"""

from __future__ import annotations

import argparse
import array
import datetime as dt
import functools
import importlib.util
import logging
import math
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms.agreements import (
    CloudServiceAgreement,
    OutageCause,
    RecurringCharge,
    ServiceLevelAgreement,
    ServiceTarget,
    UptimeBasis,
)
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money
from cloudsms.monitoring import (
    FleetSummary,
    Measurement,
    Observations,
    Outage,
    SampleSeries,
    evaluate_many,
    summarise,
)
from cloudsms.operations import MaintenanceWindow
from cloudsms.periods import Period
from cloudsms.units import quantity

if TYPE_CHECKING:
    from collections.abc import Iterable

PERIOD = Period.month(2026, 10, "Europe/Berlin")
"""The month judged: October 2026 in Berlin, 745 hours (summer time ends on the 25th)."""
SERVICE = "crm-service"
START = PERIOD.start.astimezone(dt.UTC)
MINUTES = (PERIOD.end - PERIOD.start.astimezone(dt.UTC)) // dt.timedelta(minutes=1)
PROFILES = 4
"""Response-time series shared out among the agreements (each is a month of minutes)."""
USD_EVERY = 4
"""Every fourth agreement is charged (and credited) in US dollars."""
CUSTOMER_SHARE = 0.15
"""The share of outages the customer caused (the SLA excludes them)."""
SEED = 2026
FULL, QUICK = 10_000, 1_000


# ---------------------------------------------------------------------- the fleet
def template() -> CloudServiceAgreement:
    """The CRM agreement of examples/agreement.py with the fleet's four targets."""
    path = Path(__file__).with_name("agreement.py")
    spec = importlib.util.spec_from_file_location("cloudsms_agreement_example", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    uptime: ServiceTarget = example.UPTIME  # 99.99 %, credit tiers, 5 days' notice
    office = ServiceTarget(
        id="office-uptime",
        level=ServiceLevel(
            measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
        ),
        uptime=UptimeBasis.SERVICE_HOURS,
        exclusions=uptime.exclusions,
    )
    latency = ServiceTarget(
        id="api-latency",
        level=ServiceLevel(measure="latency", bound=Bound.AT_MOST, target=quantity("250 ms")),
        percentile=Decimal(95),
        exclusions=uptime.exclusions,
    )
    rpo = ServiceTarget(
        id="rpo",
        level=ServiceLevel(
            measure="recovery point objective", bound=Bound.AT_MOST, target=quantity("15 min")
        ),
    )
    made: CloudServiceAgreement = example.agree(example.catalogue())
    sla = ServiceLevelAgreement(
        id="crm-sla", service_ids={SERVICE}, targets=(uptime, office, latency, rpo)
    )
    return attrs.evolve(made, slas=(sla,))


def profiles(seed: int) -> tuple[SampleSeries, ...]:
    """Four per-minute response-time series of the month (milliseconds), none alike."""
    made = []
    for number in range(PROFILES):
        chance = random.Random(f"{seed}:profile:{number}")  # noqa: S311 - test data
        typical = 110 + 25 * number
        table = [chance.lognormvariate(math.log(typical), 0.5) for _ in range(512)]
        values = array.array("d", chance.choices(table, k=MINUTES))
        made.append(SampleSeries(SERVICE, "latency", START, values))
    return tuple(made)


_BACKUP_GAPS = tuple(quantity(f"{m} min") for m in (4, 9, 12, 14, 18))


def pair(
    index: int, base: CloudServiceAgreement, seed: int, shared: tuple[SampleSeries, ...]
) -> tuple[CloudServiceAgreement, Observations]:
    """Agreement ``index`` of the fleet and its month of observations (from the seed only)."""
    chance = random.Random(f"{seed}:agreement:{index}")  # noqa: S311 - test data
    currency = "USD" if index % USD_EVERY == USD_EVERY - 1 else "EUR"
    charge = Money(f"{300 + 10 * chance.randrange(60)}.00", currency)
    agreement = attrs.evolve(
        base,
        id=f"csa-{index:05d}",
        customer_id=f"customer-{index:05d}",
        recurring_charges=(
            RecurringCharge(service_id=SERVICE, amount=charge, period=relativedelta(months=1)),
        ),
    )
    outages = []
    for number in range(chance.randrange(6)):
        begins = START + dt.timedelta(minutes=chance.randrange(MINUTES - 60))
        outages.append(
            Outage(
                begins,
                begins + dt.timedelta(minutes=chance.randrange(1, 45)),
                services={SERVICE},
                cause=OutageCause.CUSTOMER
                if chance.random() < CUSTOMER_SHARE
                else OutageCause.PROVIDER,
                id=f"out-{index}-{number}",
            )
        )
    windows = []
    for _ in range(chance.randrange(3)):
        begins = START + dt.timedelta(hours=chance.randrange(MINUTES // 60 - 3))
        windows.append(
            MaintenanceWindow(
                start=begins,
                end=begins + dt.timedelta(hours=2),
                services={SERVICE},
                announced_at=begins - dt.timedelta(days=chance.choice((1, 7))),
            )
        )
    backups = [
        Measurement(
            at=START + dt.timedelta(days=7 * week, hours=chance.randrange(24)),
            metric="recovery point objective",
            value=chance.choice(_BACKUP_GAPS),
            service=SERVICE,
        )
        for week in range(4)
    ]
    seen = Observations(
        outages=outages,
        maintenance=windows,
        measurements=backups,
        series=(shared[chance.randrange(PROFILES)],),
    )
    return agreement, seen


def judged(indices: Iterable[int], base: CloudServiceAgreement, seed: int) -> FleetSummary:
    """Build the agreements ``indices`` of the fleet, judge them for October, sum them up."""
    shared = profiles(seed)
    pairs = [pair(index, base, seed, shared) for index in indices]
    return summarise(evaluate_many(pairs, PERIOD, workers=1))


# ---------------------------------------------------------------------- on Dask
def _partition(
    indices: Iterable[int], base: CloudServiceAgreement, seed: int
) -> list[FleetSummary]:
    """One partition of the Dask bag: its slice of the fleet, judged and summarised."""
    return [judged(indices, base, seed)]


def on_dask(
    count: int, base: CloudServiceAgreement, seed: int, scheduler: str | None, workers: int
) -> tuple[FleetSummary, float, float, int]:
    """The fleet judged on Dask: the summary, seconds to start and to run, worker threads."""
    import dask.bag  # noqa: PLC0415 - the optional extra, imported when asked for
    from distributed import Client, LocalCluster  # noqa: PLC0415

    started = time.perf_counter()
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        cluster = None
        client = Client(scheduler)
    try:
        threads = sum(client.nthreads().values())
        ready = time.perf_counter() - started
        started = time.perf_counter()
        bag = dask.bag.from_sequence(range(count), npartitions=2 * threads)
        parts = bag.map_partitions(_partition, base, seed).compute()
        total = functools.reduce(FleetSummary.merged, parts, FleetSummary())
        return total, ready, time.perf_counter() - started, threads
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------- the run
def _shown(summary: FleetSummary) -> str:
    due = ", ".join(f"{money.rounded():,.2f}" for money in summary.credits.values())
    return (
        f"{summary.reports:,} agreements, {summary.results:,} results, "
        f"{summary.judged:,} judged, {summary.breaches:,} breached; credits {due or 'none'}"
    )


def main(argv: list[str]) -> int:
    """Judge the fleet in this process and on Dask; exit 1 when the totals differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} agreements (CI)")
    parser.add_argument("--count", type=int, help=f"agreements (default {FULL:,})")
    parser.add_argument("--seed", type=int, default=SEED, help="what the fleet is drawn from")
    parser.add_argument("--scheduler", help="a running Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--workers", type=int, default=2, help="local cluster's processes")
    args = parser.parse_args(argv)
    count = args.count or (QUICK if args.quick else FULL)
    if count < 1:
        parser.error("--count takes a positive number of agreements")
    base = template()

    started = time.perf_counter()
    alone = judged(range(count), base, args.seed)
    single = time.perf_counter() - started
    print(f"October 2026, {count:,} agreements drawn from seed {args.seed}")
    print(f"  one process: {single:7.2f} s  {_shown(alone)}")

    total, ready, spread, threads = on_dask(count, base, args.seed, args.scheduler, args.workers)
    where = args.scheduler or f"a local cluster of {args.workers} processes"
    print(f"  on Dask:     {spread:7.2f} s  {_shown(total)}")
    print(
        f"Dask on {where} ({threads} worker threads, started in {ready:.1f} s, not counted): "
        f"{single / spread:.2f}x the speed of one process"
    )
    if total != alone:
        print("The totals differ between the two runs", file=sys.stderr)
        return 1
    print("The totals agree.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
