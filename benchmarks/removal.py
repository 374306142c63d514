"""Figures for a service's removal (issue 19, S15): planning who is told and when it may go.

Rows are ``(label, figure, floor, unit)`` as benchmarks/exit.py's are; a floor of NaN
marks a figure printed for information. Run on its own with
``python benchmarks/removal.py [--quick]``.

- Planning: `plan_removal` of ``iaas-compute`` (the example catalogue's compute
  service) with 10,000 subscribers (1,000 with ``--quick``), among 11,000
  agreements (1,100) already in memory, the notices going out on 2026-12-15. The
  agreements are the example agreement (``examples/data/resources/agreement.json``)
  made 11,000 ways before the clock starts, and that load is timed and printed on
  its own. The 10,000 subscribers: three zones (Berlin, New York, Tokyo), notice
  periods of one to twelve months, the provider allowed to end them for a
  retirement; one in 20 ends in 2027 (some before their notice would end them), one
  in 50 cannot be ended by notice but has an end, one in 100 has its termination
  terms amended after the notice (so `terms_on` runs for it), and one in 100 starts
  on 2027-01-01, after the notice. The other 1,000 subscribe to storage only (not
  subscribers); the row checks the plan has exactly 10,000. The figure is the
  best of 3 wall times (1 with ``--quick``), in milliseconds, against 200 ms (20 ms
  for the quick run's 1,000: the same time per subscriber); the CPU time
  of that run is printed beside it, steadier when the machine is loaded. The amended
  agreements cost most per agreement: those whose later amendments change only the
  termination terms get them back from the amendment alone; any other pays for
  `terms_on`, which rebuilds the agreement (about a millisecond).
- Beside it, for information: the same answer from the plain loop a user would
  write with the public API (`terms_on` and `add_calendar` for every agreement, a
  dict per subscriber), timed in the same run, and the ratio of the two. The loop
  is checked to give the same ends as the plan, so the two do the same work.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from dateutil.relativedelta import relativedelta

import section
from cloudsms._kit.converter import to_dict
from cloudsms.agreements import (
    Amendment,
    CloudServiceAgreement,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    TermKind,
    amend,
    terms_on,
)
from cloudsms.catalogue import Catalogue
from cloudsms.parties import Acknowledgement
from cloudsms.periods import add_calendar
from cloudsms.procedures.removal import RemovalPlan, plan_removal
from cloudsms.serialization import from_json

FLOOR = 0.2
"""Seconds to plan the removal of a service with 10,000 subscribers."""

COUNT = 10_000
"""Subscribers of the service; a tenth as many agreements more subscribe to storage only."""
QUICK_COUNT = 1_000
SERVICE = "iaas-compute"
AS_OF = dt.date(2026, 12, 15)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")
DATA = Path(__file__).resolve().parents[1] / "examples" / "data" / "resources"


def _terms(months: int, *, retirement: bool = True) -> TerminationTerms:
    reasons = {TerminationReason.MISUSE}
    if retirement:
        reasons.add(TerminationReason.SERVICE_RETIREMENT)
    return TerminationTerms(
        terminable_by=TerminatingParty.EITHER,
        provider_reasons=reasons,
        notice_period=relativedelta(months=months),
        minimum_term=relativedelta(years=1),
    )


def _amended(agreement: CloudServiceAgreement) -> CloudServiceAgreement:
    """``agreement`` with a notice period of two years from 2027-02-01 (after the notice)."""
    accepted = dt.datetime(2027, 2, 1, tzinfo=ZoneInfo(agreement.timezone))
    return amend(
        agreement,
        Amendment(
            term=TermKind.TERMINATION,
            value=to_dict(_terms(24)),
            proposed_at=accepted,
            proposed_by="acme-cloud",
        ),
        consent=Acknowledgement(
            party_id=agreement.customer_id,
            terms_id=agreement.id,
            version=str(agreement.version + 1),
            accepted_at=accepted,
        ),
    )


def load(count: int) -> tuple[Catalogue, list[CloudServiceAgreement]]:
    """The example catalogue and ``count`` subscribing agreements, plus ``count // 10`` not."""
    base = from_json(CloudServiceAgreement, (DATA / "agreement.json").read_text(encoding="utf-8"))
    catalogue = from_json(Catalogue, (DATA / "catalogue.json").read_text(encoding="utf-8"))
    terms = [_terms(months) for months in range(1, 13)]
    fixed = _terms(1, retirement=False)
    storage_only = base.subscriptions[1:]
    storage_slas = tuple(
        attrs.evolve(sla, service_ids=sla.service_ids & {"iaas-storage"})
        for sla in base.slas
        if "iaas-storage" in sla.service_ids
    )
    agreements = []
    later = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    for index in range(count + count // 10):
        changes: dict[str, Any] = {
            "id": f"csa-{index:05d}",
            "customer_id": f"cust-{index:05d}",
            "timezone": ZONES[index % len(ZONES)],
            "termination": terms[index % len(terms)],
        }
        if index % 20 == 7:
            changes["end"] = dt.datetime(2027, 1 + index % 12, 1, tzinfo=dt.UTC)
        if index % 50 == 11:
            changes["termination"] = fixed
            changes["end"] = dt.datetime(2027, 9, 1, tzinfo=dt.UTC)
        if index % 100 == 9:
            changes["effective_from"] = later
        if index >= count:
            changes["id"] = f"csa-s{index:05d}"
            changes["subscriptions"] = storage_only
            changes["slas"] = storage_slas
            changes["recurring_charges"] = ()
        agreement = attrs.evolve(base, **changes)
        if index % 100 == 5:
            agreement = _amended(agreement)
        agreements.append(agreement)
    return catalogue, agreements


def plain_loop(
    catalogue: Catalogue, agreements: list[CloudServiceAgreement], day: dt.date
) -> tuple[list[dict[str, Any]], dt.datetime | None]:
    """What a user would write with the public API: the subscribers and the earliest date."""
    entry_ids = {e.id for e in catalogue.entries if e.service == SERVICE}
    rows: list[dict[str, Any]] = []
    for agreement in agreements:
        zone = ZoneInfo(agreement.timezone)
        at = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
        start = agreement.effective_from
        terms = terms_on(agreement, max(at, start))
        if terms.end is not None and at >= terms.end:
            continue
        entries = sorted({s.entry_id for s in terms.subscriptions if s.entry_id in entry_ids})
        if not entries:
            continue
        termination = terms.termination
        ends: dt.datetime | None = terms.end
        if termination.provider_may_terminate_for(TerminationReason.SERVICE_RETIREMENT):
            by_notice = max(add_calendar(at, termination.notice_period), start)
            if ends is None or by_notice < ends:
                ends = by_notice
        rows.append(
            {
                "agreement_id": terms.id,
                "customer_id": terms.customer_id,
                "entries": entries,
                "notice_at": at,
                "ends": ends,
            }
        )
    rows.sort(key=lambda row: row["agreement_id"])
    if any(row["ends"] is None for row in rows):
        return rows, None
    return rows, max((row["ends"] for row in rows), default=None)


def _agree(plan: object, plain: list[dict[str, Any]], earliest: dt.datetime | None) -> bool:
    """Whether the plan and the plain loop name the same subscribers, ends and date."""
    if not isinstance(plan, RemovalPlan) or earliest != plan.earliest_removal:
        return False
    ours = [(s.agreement_id, s.notice_ends) for s in plan.subscribers]
    theirs = [(row["agreement_id"], row["ends"]) for row in plain]
    return ours == theirs


def _best(run: Any, times: int) -> tuple[Any, float, float]:  # noqa: ANN401 - any result
    """``run``'s result, its best wall time of ``times``, and that run's CPU time."""
    best, cpu = math.inf, math.inf
    result = None
    for _ in range(times):
        started, processed = time.perf_counter(), time.process_time()
        result = run()
        wall = time.perf_counter() - started
        if wall < best:
            best, cpu = wall, time.process_time() - processed
    return result, best, cpu


def rows(*, quick: bool) -> list[tuple[str, float, float, str]]:
    """Plan a removal with 10,000 subscribers (best of 3; 1,000 and 1 run quick)."""
    count = QUICK_COUNT if quick else COUNT
    started = time.perf_counter()
    catalogue, agreements = load(count)
    loading = time.perf_counter() - started
    runs = 1 if quick else 3
    plan, planning, cpu = _best(
        lambda: plan_removal(catalogue, SERVICE, agreements, as_of=AS_OF), runs
    )
    (plain, earliest), looping, _ = _best(lambda: plain_loop(catalogue, agreements, AS_OF), runs)
    if not _agree(plan, plain, earliest):
        raise AssertionError("the plain loop and plan_removal disagree")
    subscribers = len(plan.subscribers)
    if subscribers != count:
        raise AssertionError(f"{subscribers:,} subscribers, not {count:,}")
    # The quick run plans a tenth of the fleet: its floor is the same time per
    # subscriber (0.02 s for 1,000), so the ratio means what the full run's does.
    floor_ms = FLOOR * 1000 * count / COUNT
    scaled = "" if count == COUNT else f"; floor scaled from {FLOOR * 1000:.0f} ms for {COUNT:,}"
    return [
        (
            (
                f"plan the removal of a service with {subscribers:,} subscribers"
                f" ({len(agreements):,} loaded agreements; CPU {cpu * 1000:.0f} ms{scaled})"
            ),
            planning * 1000,
            floor_ms,
            "ms",
        ),
        (
            (
                f"loading the {len(agreements):,} agreements first, not timed above:"
                f" {loading:.2f} s ({loading / len(agreements) * 1e6:.0f} us an agreement)"
            ),
            loading,
            math.nan,
            "s",
        ),
        (
            (
                f"the plain loop a user would write (terms_on, add_calendar per agreement):"
                f" {looping:.3f} s, {looping / planning:.1f} times plan_removal's"
            ),
            looping,
            math.nan,
            "s",
        ),
    ]


if __name__ == "__main__":
    sys.exit(section.main(rows))
