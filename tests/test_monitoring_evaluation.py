"""cloudsms.monitoring.evaluation: every target judged over a period, with evidence (S10).

Hand-computed cases per metric first (November 2026 in UTC has 43,200 minutes, so
43.2 minutes down is exactly 99.9 %), then credits, notices, retention, the
refusals with their paths, and hypothesis properties over generated agreements.
"""

from __future__ import annotations

import array
import calendar
import datetime as dt
import pickle
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

import _monitoring_fixtures as fixtures
from _monitoring_fixtures import at, example_agreement
from cloudsms.agreements import (
    Amendment,
    CloudServiceAgreement,
    CreditTerms,
    CreditTier,
    Exclusions,
    Judgement,
    MeasurementPeriod,
    Metric,
    OutageCause,
    Predicates,
    RecurringCharge,
    ServiceLevelAgreement,
    ServiceTarget,
    Subscription,
    TermKind,
    UptimeBasis,
    amend,
)
from cloudsms.errors import ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money
from cloudsms.monitoring import (
    Event,
    EventKind,
    EvidenceItem,
    EvidenceKind,
    ImmediateNotice,
    Measurement,
    Observations,
    Outage,
    SampleSeries,
    ServiceLevelReport,
    TargetResult,
    evaluate,
    expired_monitoring_data,
    immediate_notices,
)
from cloudsms.operations import Incident, MaintenanceWindow, ServiceRequest
from cloudsms.parties import Acknowledgement
from cloudsms.periods import Period, SupportHours
from cloudsms.serialization import from_json, to_json
from cloudsms.testing import cloud_service_agreements
from cloudsms.units import quantity

from conftest import examples

CRM = "crm-service"
MAIL = "mail-service"
NOVEMBER = Period.month(2026, 11, "UTC")
MINUTE = dt.timedelta(minutes=1)


def level(measure: str, bound: Bound, target: str) -> ServiceLevel:
    """A service level of ``measure`` bounded by ``target``."""
    return ServiceLevel(measure=measure, bound=bound, target=quantity(target))


def tiers(*limits: tuple[str, int], cap: int | None = 50) -> CreditTerms:
    """Credit tiers (``worse_than``, percent), capped at ``cap`` percent."""
    return CreditTerms(
        tiers=[CreditTier(worse_than=quantity(w), credit=Decimal(c)) for w, c in limits],
        cap_percent=None if cap is None else Decimal(cap),
    )


MOST, LEAST = Bound.AT_MOST, Bound.AT_LEAST
NOTICE = Exclusions(maintenance_notice=relativedelta(days=5), causes={OutageCause.CUSTOMER})
UPTIME = ServiceTarget(
    id="uptime",
    level=level("availability", LEAST, "99.9 %"),
    exclusions=NOTICE,
    credits=tiers(("99.9 %", 10), ("99 %", 25)),
)
QUARTERLY = ServiceTarget(
    id="quarterly-uptime",
    level=level("availability", LEAST, "99.5 %"),
    period=MeasurementPeriod.QUARTER,
    credits=tiers(("99.5 %", 5)),
)
OFFICE = ServiceTarget(
    id="office-uptime",
    level=level("availability", LEAST, "99 %"),
    uptime=UptimeBasis.SERVICE_HOURS,
)
LATENCY = ServiceTarget(
    id="latency",
    level=level("latency", MOST, "250 ms"),
    percentile=Decimal(95),
    exclusions=NOTICE,
)
THROUGHPUT = ServiceTarget(id="throughput", level=level("throughput", LEAST, "500 request/s"))
RPO = ServiceTarget(id="rpo", level=level("rpo", MOST, "15 min"))
STORAGE = ServiceTarget(id="storage", level=level("capacity", LEAST, "10 TB"))
P1_RESPONSE = ServiceTarget(
    id="p1-response", level=level("time to respond", MOST, "30 min"), priority="P1"
)
P1_RESOLUTION = ServiceTarget(
    id="p1-resolution", level=level("resolution time", MOST, "4 h"), priority="P1"
)
FULFILMENT = ServiceTarget(id="fulfilment", level=level("fulfilment time", MOST, "2 day"))
CONTACT = ServiceTarget(
    id="named-contact",
    predicate="named-service-manager",
    description="A named service manager answers within the support hours",
)
TARGETS = (
    UPTIME,
    QUARTERLY,
    OFFICE,
    LATENCY,
    THROUGHPUT,
    RPO,
    STORAGE,
    P1_RESPONSE,
    P1_RESOLUTION,
    FULFILMENT,
    CONTACT,
)


def subscription(service_id: str) -> Subscription:
    """A subscription to ``service_id`` (the catalogue is not consulted here)."""
    return Subscription(entry_id=service_id, offering_id="standard", service_id=service_id)


AGREEMENT = attrs.evolve(
    example_agreement(),
    id="csa-1",
    effective_from=at("2026-01-01T00:00:00"),
    subscriptions=(subscription(CRM), subscription(MAIL)),
    slas=(
        ServiceLevelAgreement(id="crm-sla", service_ids={CRM}, targets=TARGETS),
        ServiceLevelAgreement(id="mail-sla", service_ids={MAIL}, targets=(UPTIME,)),
    ),
    recurring_charges=(
        RecurringCharge(
            service_id=CRM, amount=Money("1000.00", "EUR"), period=relativedelta(months=1)
        ),
    ),
    timezone="UTC",
    support_hours=SupportHours.weekdays("09:00", "17:00", "UTC"),
)
"""The example agreement (``examples/agreement.py``) in UTC from 2026, for a CRM and a
mail service: the CRM's SLA holds every target above, the mail service's the uptime
target; EUR 1,000.00 a month for the CRM; support hours 09:00-17:00 on weekdays. Its
other terms (priorities P1 and P2, 13 months of monitoring data, the customer's waits
pausing the clocks) are the example's."""


def outage(
    start: str, end: str, *, cause: OutageCause = OutageCause.PROVIDER, **kw: Any
) -> Outage:
    """An outage of the CRM from ``start`` to ``end`` (UTC text)."""
    services = kw.pop("services", {CRM})
    return Outage(at(start), at(end), services=services, cause=cause, **kw)


def window(
    start: str, end: str, announced: str, services: set[str] | None = None
) -> MaintenanceWindow:
    """A maintenance window of the CRM announced at ``announced``."""
    return MaintenanceWindow(
        start=at(start), end=at(end), services=services or {CRM}, announced_at=at(announced)
    )


def result(report: ServiceLevelReport, target_id: str, service_id: str = CRM) -> TargetResult:
    """The report's result for one target and service."""
    found = [r for r in report.for_service(service_id) if r.target_id == target_id]
    assert len(found) == 1
    return found[0]


def run(*, period: Period = NOVEMBER, **observed: Any) -> ServiceLevelReport:
    """The test agreement evaluated over ``period`` with these observations."""
    return evaluate(AGREEMENT, Observations(**observed), period)


def reasons(found: TargetResult, kind: EvidenceKind) -> list[tuple[bool, str]]:
    """Each evidence item of ``kind``: counted, and why."""
    return [(e.counted, e.reason) for e in found.evidence if e.kind is kind]


class TestAvailability:
    """Availability: uptime over expected uptime, with exclusions, windows and sample gaps."""

    def test_43_2_minutes_down_in_november_is_exactly_99_9_percent(self) -> None:
        """43.2 minutes down in November 2026 (UTC) is exactly 99.9 %: met, margin 0."""
        report = run(outages=[outage("2026-11-09T03:00:00", "2026-11-09T03:43:12", id="ALR-7")])
        found = result(report, "uptime")
        assert found.achieved == quantity("99.9 %")
        assert found.achieved is not None
        assert Decimal("99.9") == found.achieved.magnitude
        assert Judgement(met=True, margin=Decimal(0)) == found.judgement
        assert (found.met, found.breached, found.margin) == (True, False, Decimal(0))
        assert Money("0.00", "EUR") == found.credit
        assert found.note is None
        assert [
            EvidenceItem(
                kind=EvidenceKind.OUTAGE,
                reference="ALR-7",
                start=at("2026-11-09T03:00:00"),
                end=at("2026-11-09T03:43:12"),
                counted=True,
                reason="provider outage: counted as downtime: 43 min 12 s",
            )
        ] == list(found.evidence)

    def test_an_outage_spanning_two_months_counts_in_each_for_its_own_part(self) -> None:
        """An outage from 31 October 23:00 to 1 November 00:43:12 counts 43.2 minutes here."""
        found = result(
            run(outages=[outage("2026-10-31T23:00:00", "2026-11-01T00:43:12")]), "uptime"
        )
        assert quantity("99.9 %") == found.achieved
        assert (reasons(found, EvidenceKind.OUTAGE)) == [
            (True, "provider outage: counted as downtime: 43 min 12 s (1 h outside the period)")
        ]

    def test_overlapping_outages_are_not_counted_twice(self) -> None:
        """Two outages sharing 20 minutes count 43.2 minutes in all, not 63.2."""
        found = result(
            run(
                outages=[
                    outage("2026-11-09T03:00:00", "2026-11-09T03:30:00"),
                    outage("2026-11-09T03:10:00", "2026-11-09T03:43:12"),
                ]
            ),
            "uptime",
        )
        assert quantity("99.9 %") == found.achieved

    def test_a_customer_caused_outage_is_excluded(self) -> None:
        """A customer-caused outage of two hours leaves 99.9 % at 99.9 %; the evidence says why."""
        found = result(
            run(
                outages=[
                    outage("2026-11-09T03:00:00", "2026-11-09T03:43:12"),
                    outage(
                        "2026-11-20T10:00:00", "2026-11-20T12:00:00", cause=OutageCause.CUSTOMER
                    ),
                ]
            ),
            "uptime",
        )
        assert quantity("99.9 %") == found.achieved
        assert reasons(found, EvidenceKind.OUTAGE) == [
            (True, "provider outage: counted as downtime: 43 min 12 s"),
            (False, "customer outage: the target excludes this cause"),
        ]

    def test_an_excluded_cause_does_not_hide_a_provider_outage_under_it(self) -> None:
        """A provider outage inside a customer-caused one still counts in full."""
        found = result(
            run(
                outages=[
                    outage(
                        "2026-11-20T10:00:00", "2026-11-20T12:00:00", cause=OutageCause.CUSTOMER
                    ),
                    outage("2026-11-20T10:30:00", "2026-11-20T11:13:12"),
                ]
            ),
            "uptime",
        )
        assert quantity("99.9 %") == found.achieved

    def test_a_late_announced_maintenance_window_counts_as_downtime(self) -> None:
        """A 216-minute window announced 2 days ahead (5 due) is downtime: 99.5 %, a credit."""
        late = window("2026-11-14T22:00:00", "2026-11-15T01:36:00", "2026-11-12T22:00:00")
        found = result(run(maintenance=[late]), "uptime")
        assert quantity("99.5 %") == found.achieved
        assert Judgement(met=False, margin=Decimal("-0.4")) == found.judgement
        assert found.breached
        assert Money("100.00", "EUR") == found.credit  # 10 % of EUR 1000.00
        assert reasons(found, EvidenceKind.MAINTENANCE) == [
            (
                True,
                "announced 2 days ahead; the SLA requires 5 days: counted as downtime: 3 h 36 min",
            )
        ]

    def test_a_window_announced_in_time_leaves_expected_uptime_and_downtime(self) -> None:
        """A 12-hour window announced a week ahead leaves 42,480 minutes; 42.48 down is 99.9 %."""
        timely = window("2026-11-14T20:00:00", "2026-11-15T08:00:00", "2026-11-07T20:00:00")
        inside = outage("2026-11-14T21:00:00", "2026-11-14T23:00:00")
        found = result(
            run(
                maintenance=[timely],
                outages=[inside, outage("2026-11-03T08:00:00", "2026-11-03T08:42:28.800000")],
            ),
            "uptime",
        )
        assert quantity("99.9 %") == found.achieved
        assert reasons(found, EvidenceKind.MAINTENANCE) == [
            (
                False,
                (
                    "announced 7 days ahead; the SLA requires 5 days: "
                    "left out of expected uptime and downtime"
                ),
            )
        ]

    def test_a_target_without_a_maintenance_notice_counts_every_window(self) -> None:
        """A window announced a month ahead counts where the target excludes no maintenance."""
        early = window("2026-11-14T22:00:00", "2026-11-15T01:36:00", "2026-10-14T22:00:00")
        found = result(run(maintenance=[early]), "quarterly-uptime")
        assert quantity("99.5 %") == found.achieved
        assert reasons(found, EvidenceKind.MAINTENANCE) == [
            (
                True,
                (
                    "announced 31 days ahead; the SLA excludes no maintenance: "
                    "counted as downtime: 3 h 36 min"
                ),
            )
        ]

    def test_missing_samples_are_reported_not_counted(self) -> None:
        """1,200 missing minutes leave 42,000 expected; 42 down minutes are 99.9 %; gap 20 h."""
        values = array.array("B", [1] * 43_200)
        values[1000:1042] = array.array("B", [0] * 42)
        values[5000:6200] = array.array("B", [255] * 1200)
        probe = SampleSeries(CRM, "availability", NOVEMBER.start, values)
        found = result(run(series=[probe]), "uptime")
        assert quantity("99.9 %") == found.achieved
        assert dt.timedelta(hours=20) == found.coverage_gap
        gaps = [e for e in found.evidence if e.kind is EvidenceKind.SAMPLE_GAP]
        assert [(at("2026-11-04T11:20:00"), at("2026-11-05T07:20:00"), False)] == [
            (e.start, e.end, e.counted) for e in gaps
        ]
        assert gaps[0].reason == "no samples for 20 h: left out of expected uptime and downtime"
        assert reasons(found, EvidenceKind.SERIES) == [
            (
                True,
                (
                    "41958 steps up, 42 down, 1200 missing in the period: "
                    "counted as downtime: 42 min"
                ),
            )
        ]

    def test_one_step_up_is_said_in_the_singular(self) -> None:
        """A series of one up minute and one down minute says '1 step up', not '1 steps'."""
        probe = SampleSeries(CRM, "availability", NOVEMBER.start, array.array("B", [1, 0]))
        found = result(run(series=[probe]), "uptime")
        assert reasons(found, EvidenceKind.SERIES) == [
            (True, "1 step up, 1 down, 0 missing in the period: counted as downtime: 1 min")
        ]

    def test_a_gap_an_outage_covers_is_not_left_out(self) -> None:
        """A 1,230-minute gap whose last 30 minutes an outage covers leaves out only 1,200."""
        values = array.array("B", [1] * 43_200)
        values[1000:1012] = array.array("B", [0] * 12)
        values[5000:6230] = array.array("B", [255] * 1230)  # to 5 November 07:50
        probe = SampleSeries(CRM, "availability", NOVEMBER.start, values)
        down = outage("2026-11-05T07:20:00", "2026-11-05T07:50:00")
        found = result(run(series=[probe], outages=[down]), "uptime")
        assert dt.timedelta(hours=20) == found.coverage_gap
        assert quantity("99.9 %") == found.achieved  # 42 of 42,000 minutes down

    def test_service_hours_count_only_the_open_hours(self) -> None:
        """168 office hours in November; 100.8 minutes down in them is 99 %; Saturday is not."""
        found = result(
            run(
                outages=[
                    outage("2026-11-10T10:00:00", "2026-11-10T11:40:48"),
                    outage("2026-11-14T10:00:00", "2026-11-14T18:00:00"),  # a Saturday
                ]
            ),
            "office-uptime",
        )
        assert quantity("99 %") == found.achieved
        assert found.met

    def test_a_quarterly_target_in_a_monthly_period_is_not_judged(self) -> None:
        """November's 98.33 % is stated, but a quarterly target is judged on its quarter only."""
        report = run(outages=[outage("2026-11-09T00:00:00", "2026-11-09T12:00:00")])
        found = result(report, "quarterly-uptime")
        assert found.achieved is not None
        assert round(found.achieved.magnitude, 4) == Decimal("98.3333")  # 12 h of 720
        assert (found.judgement, found.met, found.breached, found.credit) == (
            None,
            None,
            False,
            None,
        )
        assert found.note == (
            "not judged: the target is judged over its whole quarter "
            "[2026-10-01T00:00:00+00:00, 2027-01-01T00:00:00+00:00); this figure covers only "
            "[2026-11-01T00:00:00+00:00, 2026-12-01T00:00:00+00:00)"
        )
        assert ("quarterly-uptime", CRM) not in [
            (r.target_id, r.service_id) for r in report.breaches
        ]
        assert ("uptime", CRM) in [(r.target_id, r.service_id) for r in report.breaches]

    def test_a_monthly_target_in_a_quarterly_period_is_not_judged(self) -> None:
        """Over the fourth quarter a monthly target states its figure, unjudged and uncredited."""
        quarter = Period.quarter(2026, 4, "UTC")
        report = run(
            period=quarter, outages=[outage("2026-11-01T00:00:00", "2026-11-20T00:00:00")]
        )
        found = result(report, "uptime")
        assert found.achieved is not None
        assert (found.judgement, found.credit) == (None, None)
        assert found.note is not None
        assert found.note.startswith(
            "not judged: the target is judged over its whole month "
            "[2026-10-01T00:00:00+00:00, 2026-11-01T00:00:00+00:00)"
        )
        assert result(report, "quarterly-uptime").breached
        assert {"EUR": Money("150.00", "EUR")} == report.credits

    def test_a_quarterly_target_over_its_quarter_gets_its_credit(self) -> None:
        """Over the whole fourth quarter the monthly charge counts three times: 5 % of EUR 3000."""
        quarter = Period.quarter(2026, 4, "UTC")
        found = result(
            run(period=quarter, outages=[outage("2026-11-01T00:00:00", "2026-11-20T00:00:00")]),
            "quarterly-uptime",
        )
        assert Money("150.00", "EUR") == found.credit

    def test_no_expected_uptime_gives_no_figure(self) -> None:
        """A month wholly inside an excluded window has no availability: the note says so."""
        everything = window("2026-11-01T00:00:00", "2026-12-01T00:00:00", "2026-10-01T00:00:00")
        found = result(run(maintenance=[everything]), "uptime")
        assert (found.achieved, found.judgement, found.credit) == (None, None, None)
        assert found.note == (
            "no expected uptime: all of the period is left out (excluded windows, sample gaps)"
        )

    def test_an_outage_of_every_service_counts_for_each(self) -> None:
        """An outage naming no service counts against the CRM and the mail service alike."""
        everywhere = outage("2026-11-09T03:00:00", "2026-11-09T03:43:12", services=set())
        report = run(outages=[everywhere])
        assert quantity("99.9 %") == result(report, "uptime", CRM).achieved
        assert quantity("99.9 %") == result(report, "uptime", MAIL).achieved

    def test_another_service_s_outage_does_not_count(self) -> None:
        """An outage of the mail service leaves the CRM at 100 %."""
        report = run(
            outages=[outage("2026-11-09T03:00:00", "2026-11-09T05:00:00", services={MAIL})]
        )
        assert quantity("100 %") == result(report, "uptime", CRM).achieved
        assert result(report, "uptime", CRM).evidence == ()

    def test_a_breach_s_credit_is_exact_to_the_cent(self) -> None:
        """99.5 % against a EUR 1234.55 charge earns 10 %: EUR 123.455, half to even EUR 123.46."""
        priced = attrs.evolve(
            AGREEMENT,
            recurring_charges=(
                RecurringCharge(
                    service_id=CRM, amount=Money("1234.55", "EUR"), period=relativedelta(months=1)
                ),
            ),
        )
        late = window("2026-11-14T22:00:00", "2026-11-15T01:36:00", "2026-11-12T22:00:00")
        report = evaluate(priced, Observations(maintenance=[late]), NOVEMBER)
        assert Money("123.46", "EUR") == result(report, "uptime").credit
        assert {"EUR": Money("123.46", "EUR")} == report.credits


def measured(when: str, metric: str, value: str, service: str = CRM) -> Measurement:
    """A measurement of the CRM at ``when`` (UTC text)."""
    return Measurement(at=at(when), metric=metric, value=quantity(value), service=service)


TIMELY = window("2026-11-14T20:00:00", "2026-11-15T08:00:00", "2026-11-07T20:00:00")


class TestResponseTime:
    """Response time: the nearest-rank percentile of the samples that count, in seconds."""

    def test_the_95th_percentile_by_nearest_rank(self) -> None:
        """Twenty samples of 10..200 ms: the 95th percentile is the 19th, 190 ms, in seconds."""
        samples = [
            measured(f"2026-11-03T10:{minute:02d}:00", "latency", f"{10 * (minute + 1)} ms")
            for minute in range(20)
        ]
        found = result(run(measurements=samples), "latency")
        assert quantity("0.19 s") == found.achieved
        assert Judgement(met=True, margin=Decimal("0.06")) == found.judgement
        assert found.credit is None
        assert found.note == "no credit: the target has no credit terms"
        assert all(e.counted for e in found.evidence)
        assert reasons(found, EvidenceKind.MEASUREMENT)[0] == (True, "10 ms counted")

    def test_samples_inside_an_excluded_window_are_left_out(self) -> None:
        """A 900 ms sample inside a window announced in time does not count."""
        samples = [
            measured("2026-11-03T10:00:00", "latency", "100 ms"),
            measured("2026-11-14T21:00:00", "latency", "900 ms"),
        ]
        found = result(run(measurements=samples, maintenance=[TIMELY]), "latency")
        assert quantity("0.1 s") == found.achieved
        assert reasons(found, EvidenceKind.MEASUREMENT) == [
            (True, "100 ms counted"),
            (False, "inside a maintenance window the target excludes: left out"),
        ]
        assert reasons(found, EvidenceKind.MAINTENANCE) == [
            (False, "announced 7 days ahead; the SLA requires 5 days: samples inside it left out")
        ]

    def test_a_latency_series_counts_its_samples_in_milliseconds(self) -> None:
        """Samples 1..100 ms with two missing: 98 values; rank ceil(0.95 x 98) = 94 is 96 ms."""
        values = array.array("d", [float(v) for v in range(1, 101)])
        values[10] = values[20] = float("nan")
        probe = SampleSeries(CRM, "latency", NOVEMBER.start, values)
        found = result(run(series=[probe]), "latency")
        assert quantity("0.096 s") == found.achieved
        assert dt.timedelta(minutes=2) == found.coverage_gap
        assert reasons(found, EvidenceKind.SERIES) == [
            (
                True,
                (
                    "98 samples counted, 2 missing; "
                    "0 outside the service hours or inside excluded windows left out"
                ),
            )
        ]
        gaps = [(e.start, e.end) for e in found.evidence if e.kind is EvidenceKind.SAMPLE_GAP]
        assert gaps == [
            (at("2026-11-01T00:10:00"), at("2026-11-01T00:11:00")),
            (at("2026-11-01T00:20:00"), at("2026-11-01T00:21:00")),
        ]

    def test_series_and_measurements_are_ranked_together(self) -> None:
        """A float of 0.1 ms reads as exactly 0.0001 s; a measurement of 300 ms ranks above it."""
        probe = SampleSeries(CRM, "latency", NOVEMBER.start, array.array("d", [0.1] * 19))
        slow = measured("2026-11-20T10:00:00", "latency", "300 ms")
        found = result(run(series=[probe], measurements=[slow]), "latency")
        assert quantity("0.0001 s") == found.achieved  # rank 19 of 20
        assert found.achieved is not None
        assert Decimal("0.0001") == found.achieved.magnitude

    def test_no_samples_no_figure(self) -> None:
        """Without samples there is no figure, and the note says so."""
        found = result(run(), "latency")
        assert (found.achieved, found.judgement) == (None, None)
        assert found.note == "no response-time samples count in the period"


class TestWorstMeasurement:
    """Throughput, capacity and recovery objectives: the worst measurement in the period."""

    def test_throughput_is_the_smallest_measurement(self) -> None:
        """600, 450 and 700 request/s: the worst is 450, 50 below the target."""
        samples = [
            measured("2026-11-02T10:00:00", "throughput", "600 request/s"),
            measured("2026-11-03T10:00:00", "throughput", "450 request/s"),
            measured("2026-11-04T10:00:00", "throughput", "700 request/s"),
        ]
        found = result(run(measurements=samples), "throughput")
        assert quantity("450 request/s") == found.achieved
        assert Judgement(met=False, margin=Decimal(-50)) == found.judgement
        marked = [e.reason for e in found.evidence if "worst" in e.reason]
        assert [e.start for e in found.evidence if "worst" in e.reason] == [
            at("2026-11-03T10:00:00")
        ]
        assert len(marked) == 1

    def test_a_recovery_point_objective_is_the_largest_measurement(self) -> None:
        """5 and 20 minutes: the worst is 20 minutes, 300 s over the target."""
        samples = [
            measured("2026-11-02T10:00:00", "rpo", "5 min"),
            measured("2026-11-03T10:00:00", "rpo", "20 min"),
        ]
        found = result(run(measurements=samples), "rpo")
        assert quantity("1200 s") == found.achieved
        assert Judgement(met=False, margin=Decimal(-300)) == found.judgement

    def test_capacity_counts_only_its_own_dimension(self) -> None:
        """A capacity target in bytes leaves a count of instances out."""
        samples = [
            measured("2026-11-02T10:00:00", "capacity", "12 TB"),
            measured("2026-11-03T10:00:00", "capacity", "3 instance"),
        ]
        found = result(run(measurements=samples), "storage")
        assert quantity("12 TB") == found.achieved
        assert (False, "not a figure in byte: left out") in reasons(
            found, EvidenceKind.MEASUREMENT
        )

    def test_a_measurement_outside_the_period_does_not_count(self) -> None:
        """A measurement on 1 December belongs to December."""
        found = result(
            run(measurements=[measured("2026-12-01T00:00:00", "throughput", "1 request/s")]),
            "throughput",
        )
        assert found.achieved is None
        assert found.note == "no throughput measurements count in the period"


def incident(ident: str, opened: str, *steps: tuple[str, str], **fields: Any) -> Incident:
    """A P1 incident on the CRM opened at ``opened``, after each ``(event, instant)``.

    Under the test agreement unless ``fields`` name another ``agreement_id``.
    """
    return fixtures.incident(ident, opened, *steps, **{"agreement_id": AGREEMENT.id, **fields})


QUICK = incident(
    "inc-1",
    "2026-11-02T10:00:00",
    ("acknowledge", "2026-11-02T10:20:00"),
    ("restore", "2026-11-02T11:00:00"),
    ("resolve", "2026-11-02T12:00:00"),
)
OVERNIGHT = incident(  # 16:50 Tuesday to 09:25 Wednesday: 35 minutes of support hours
    "inc-2",
    "2026-11-03T16:50:00",
    ("acknowledge", "2026-11-04T09:25:00"),
    ("restore", "2026-11-04T13:00:00"),
    ("resolve", "2026-11-04T13:00:00"),
)


class TestIncidents:
    """Incident response and resolution times: the longest of the priority's incidents."""

    def test_the_longest_response_time_is_the_figure(self) -> None:
        """20 and 35 minutes on the support hours: 35 minutes, five over the target."""
        found = result(run(incidents=[QUICK, OVERNIGHT]), "p1-response")
        assert quantity("2100 s") == found.achieved
        assert Judgement(met=False, margin=Decimal(-300)) == found.judgement
        assert [(e.reference, e.counted, e.reason) for e in found.evidence] == [
            ("inc-1", True, "response time 20 min on the support hours; the target is 30 min"),
            ("inc-2", True, "response time 35 min on the support hours; the target is 30 min"),
        ]

    def test_resolution_time_on_the_support_hours(self) -> None:
        """The overnight incident takes 10 minutes and 4 hours of support hours to resolve."""
        found = result(run(incidents=[QUICK, OVERNIGHT]), "p1-resolution")
        assert quantity("15000 s") == found.achieved
        assert found.breached

    def test_an_incident_still_open_is_measured_up_to_as_of(self) -> None:
        """Opened 16:00 on Monday 30 November, unanswered at the month's end: 60 minutes so far."""
        late = incident("inc-3", "2026-11-30T16:00:00")
        found = result(run(incidents=[QUICK, late]), "p1-response")
        assert quantity("3600 s") == found.achieved
        assert found.evidence[-1].end == NOVEMBER.end
        assert "still running at 2026-12-01T00:00:00+00:00" in found.evidence[-1].reason

    def test_other_priorities_agreements_and_months_are_left_aside(self) -> None:
        """A P2 incident, another agreement's and October's do not count for P1 in November."""
        others = [
            incident("inc-4", "2026-11-02T10:00:00", priority="P2"),
            incident("inc-5", "2026-10-30T10:00:00"),
            incident("inc-6", "2026-11-02T10:00:00", agreement_id="csa-2"),
        ]
        found = result(run(incidents=others), "p1-response")
        assert (found.achieved, found.judgement, found.credit) == (None, None, None)
        assert found.note == "no incidents of priority P1 in the period"
        assert found.evidence == ()

    def test_a_cause_the_target_excludes_leaves_the_incident_out(self) -> None:
        """An incident the customer caused is left out where the target excludes that cause."""
        customer = incident(
            "inc-7",
            "2026-11-05T10:00:00",
            ("acknowledge", "2026-11-05T12:00:00"),
            cause=OutageCause.CUSTOMER,
        )
        lenient = attrs.evolve(P1_RESPONSE, exclusions=Exclusions(causes={OutageCause.CUSTOMER}))
        sla = ServiceLevelAgreement(id="crm-sla", service_ids={CRM}, targets=(lenient,))
        agreement = attrs.evolve(AGREEMENT, slas=(sla,))
        report = evaluate(agreement, Observations(incidents=[QUICK, customer]), NOVEMBER)
        found = result(report, "p1-response")
        assert quantity("1200 s") == found.achieved
        assert [(e.counted, e.reason) for e in found.evidence if e.reference == "inc-7"] == [
            (False, "customer cause: the target excludes it")
        ]


def request(
    ident: str, asked: str, *steps: tuple[str, str, dict[str, str] | None]
) -> ServiceRequest:
    """A service request under the agreement made at ``asked``, after each step."""
    return fixtures.service_request(ident, asked, *steps, agreement_id=AGREEMENT.id)


class TestRequests:
    """Request fulfilment time: the longest of the requests made in the period."""

    def test_fulfilment_time_on_the_wall_clock(self) -> None:
        """One day and three days: the longest, three days, is a day over the target."""
        requests = [
            request(
                "req-1",
                "2026-11-02T10:00:00",
                ("start", "2026-11-02T10:00:00", None),
                ("fulfil", "2026-11-03T10:00:00", None),
            ),
            request(
                "req-2",
                "2026-11-10T10:00:00",
                ("start", "2026-11-10T11:00:00", None),
                ("fulfil", "2026-11-13T10:00:00", None),
            ),
            request(
                "req-3",
                "2026-11-11T10:00:00",
                ("reject", "2026-11-11T11:00:00", {"reason": "No licence left"}),
            ),
        ]
        found = result(run(requests=requests), "fulfilment")
        assert quantity("259200 s") == found.achieved
        assert Judgement(met=False, margin=Decimal(-86400)) == found.judgement
        assert [(e.reference, e.counted) for e in found.evidence] == [
            ("req-1", True),
            ("req-2", True),
            ("req-3", False),
        ]
        assert found.evidence[-1].reason == (
            "no fulfilment time to measure as of 2026-12-01T00:00:00+00:00"
        )

    def test_no_requests_no_figure(self) -> None:
        """Without requests there is no figure, and the note says so."""
        assert result(run(), "fulfilment").note == "no service requests in the period"


class TestQualitative:
    """Qualitative objectives: judged by the caller's predicates, or not at all."""

    def test_judged_by_the_callers_predicate(self) -> None:
        """The registry's predicate receives the service's observations."""
        predicates = Predicates()
        seen: list[Observations] = []

        @predicates.register("named-service-manager")
        def named(observed: Observations) -> bool:
            seen.append(observed)
            return True

        down = outage("2026-11-09T03:00:00", "2026-11-09T03:43:12")
        report = evaluate(AGREEMENT, Observations(outages=[down]), NOVEMBER, predicates=predicates)
        found = result(report, "named-contact")
        assert Judgement(met=True, margin=None) == found.judgement
        assert found.achieved is None
        assert [Observations(outages=[down])] == seen

    def test_without_predicates_there_is_no_judgement(self) -> None:
        """Without a registry the objective is not judged, and the note says why."""
        found = result(run(), "named-contact")
        assert found.judgement is None
        assert found.met is None
        assert not found.breached
        assert found.note == "not judged: no predicates were given for qualitative objectives"

    def test_a_registry_without_the_predicate_leaves_it_unjudged(self) -> None:
        """A registry lacking the objective's predicate leaves it unjudged, with a note."""
        report = evaluate(AGREEMENT, Observations(), NOVEMBER, predicates=Predicates())
        found = result(report, "named-contact")
        assert found.note == "not judged: no predicate 'named-service-manager' among those given"


def event(when: str, kind: EventKind, services: set[str] | None = None) -> Event:
    """An event at ``when`` touching ``services`` (the CRM by default)."""
    return Event(
        at=at(when), kind=kind, services={CRM} if services is None else services, summary="Seen"
    )


OTHER = attrs.evolve(
    AGREEMENT,
    id="csa-2",
    customer_id="initech",
    subscriptions=(subscription(MAIL),),
    slas=(ServiceLevelAgreement(id="mail-sla", service_ids={MAIL}, targets=(UPTIME,)),),
    recurring_charges=(),
)


class TestNotices:
    """Events that demand immediate notice, with the customers to notify."""

    def test_events_that_demand_notice_name_the_customers_subscribing_the_service(self) -> None:
        """A security incident on the CRM is for Globex; a capacity threshold is for no one."""
        intrusion = event("2026-11-05T03:00:00", EventKind.SECURITY_INCIDENT)
        busy = event("2026-11-06T03:00:00", EventKind.CAPACITY_THRESHOLD)
        notices = immediate_notices(Observations(events=[busy, intrusion]), [AGREEMENT, OTHER])
        assert (ImmediateNotice(event=intrusion, customers=frozenset({"globex"})),) == notices

    def test_an_event_of_every_service_reaches_every_subscriber(self) -> None:
        """The continuity plan invoked for every service reaches both customers."""
        disaster = event("2026-11-05T03:00:00", EventKind.CONTINUITY_INVOKED, set())
        (notice,) = immediate_notices(Observations(events=[disaster]), [AGREEMENT, OTHER])
        assert frozenset({"globex", "initech"}) == notice.customers

    def test_a_security_incident_record_is_a_notice_too(self) -> None:
        """An incident caused by security is flagged, naming the incident and its customers."""
        breach = incident(
            "inc-9",
            "2026-11-05T03:00:00",
            cause=OutageCause.SECURITY,
            customers={"hooli"},
            summary="Intrusion detected",
        )
        (notice,) = immediate_notices(Observations(incidents=[QUICK, breach]), [AGREEMENT])
        assert notice.incident_id == "inc-9"
        assert notice.event == Event(
            at=breach.opened_at,
            kind=EventKind.SECURITY_INCIDENT,
            services={CRM},
            summary="Intrusion detected",
        )
        assert frozenset({"globex", "hooli"}) == notice.customers

    def test_a_security_outage_is_a_security_incident_notice(self) -> None:
        """An outage caused by a security incident is noticed at once, to the CRM's customer."""
        breach = outage(
            "2026-11-05T03:00:00", "2026-11-05T04:00:00", cause=OutageCause.SECURITY, id="ALR-9"
        )
        provider = outage("2026-11-06T03:00:00", "2026-11-06T04:00:00")
        (notice,) = immediate_notices(Observations(outages=[provider, breach]), [AGREEMENT, OTHER])
        assert notice == ImmediateNotice(
            event=Event(
                at=breach.start,
                kind=EventKind.SECURITY_INCIDENT,
                services={CRM},
                summary=(
                    "Outage caused by a security incident: crm-service down from "
                    "2026-11-05T03:00:00+00:00 to 2026-11-05T04:00:00+00:00"
                ),
                id="ALR-9",
            ),
            customers=frozenset({"globex"}),
        )
        report = run(outages=[provider, breach])
        assert [n.event.id for n in report.notices] == ["ALR-9"]

    def test_a_security_outage_of_every_service_reaches_every_subscriber(self) -> None:
        """A security outage naming no service concerns both customers."""
        breach = outage(
            "2026-11-05T03:00:00",
            "2026-11-05T04:00:00",
            cause=OutageCause.SECURITY,
            services=set(),
        )
        (notice,) = immediate_notices(Observations(outages=[breach]), [AGREEMENT, OTHER])
        assert frozenset({"globex", "initech"}) == notice.customers
        assert "every service down" in notice.event.summary

    def test_an_agreement_not_in_force_is_not_notified(self) -> None:
        """An event before an agreement took effect is not its customer's to hear."""
        early = event("2025-11-05T03:00:00", EventKind.SECURITY_INCIDENT)
        (notice,) = immediate_notices(Observations(events=[early]), [AGREEMENT])
        assert frozenset() == notice.customers

    def test_the_report_holds_the_period_s_notices_for_its_customer(self) -> None:
        """The report keeps November's notices that concern Globex, in time order."""
        events = [
            event("2026-11-07T03:00:00", EventKind.CONTINUITY_INVOKED),
            event("2026-11-05T03:00:00", EventKind.SECURITY_INCIDENT),
            event("2026-12-05T03:00:00", EventKind.SECURITY_INCIDENT),
            event("2026-11-05T04:00:00", EventKind.SECURITY_INCIDENT, {"erp-service"}),
        ]
        report = run(events=events)
        assert [events[1], events[0]] == [n.event for n in report.notices]

    def test_refusals_name_the_argument(self) -> None:
        """Not observations, or not agreements: each problem at its path."""
        with pytest.raises(ValidationError) as caught:
            immediate_notices("events", [AGREEMENT, "csa-2"])  # type: ignore[arg-type]
        assert caught.value.paths == ["$.observations", "$.agreements[1]"]
        with pytest.raises(ValidationError) as caught:
            immediate_notices(Observations(), AGREEMENT)  # type: ignore[arg-type]
        assert caught.value.paths == ["$.agreements"]


class TestRetention:
    """Monitoring data past the agreement's retention, listed for deletion."""

    AS_OF = at("2027-12-15T00:00:00")  # 13 months before: 15 November 2026

    def test_data_wholly_before_the_retention_limit_is_listed(self) -> None:
        """An outage ending at the limit is listed; one ending a second later is kept."""
        old = outage("2026-11-14T23:00:00", "2026-11-15T00:00:00", id="OLD")
        kept = outage("2026-11-14T23:00:00", "2026-11-15T00:00:01", id="KEPT")
        expired = expired_monitoring_data(Observations(outages=[kept, old]), AGREEMENT, self.AS_OF)
        assert [(e.reference, e.kind) for e in expired] == [("OLD", EvidenceKind.OUTAGE)]
        assert expired[0].reason == (
            "wholly before 2026-11-15T00:00:00+00:00 "
            "(1 year 1 month before the as_of): past retention"
        )
        assert not expired[0].counted

    def test_a_measurement_at_the_limit_is_within_retention(self) -> None:
        """A measurement taken at the limit is kept; one a microsecond earlier is listed."""
        at_limit = measured("2026-11-15T00:00:00", "throughput", "5 request/s")
        before = measured("2026-11-14T23:59:59.999999", "throughput", "5 request/s")
        expired = expired_monitoring_data(
            Observations(measurements=[at_limit, before]), AGREEMENT, self.AS_OF
        )
        assert [before.at] == [e.start for e in expired]

    def test_windows_and_series_are_listed_and_a_series_across_the_limit_is_kept(self) -> None:
        """A window and a series that ended before the limit go; one reaching past it stays."""
        ended = SampleSeries(
            CRM, "availability", at("2026-10-01T00:00:00"), array.array("B", [1] * 60)
        )
        across = SampleSeries(
            CRM, "availability", at("2026-11-14T23:30:00"), array.array("B", [1] * 60)
        )
        old_window = window("2026-10-03T22:00:00", "2026-10-04T02:00:00", "2026-09-20T00:00:00")
        expired = expired_monitoring_data(
            Observations(series=[ended, across], maintenance=[old_window]), AGREEMENT, self.AS_OF
        )
        assert [e.kind for e in expired] == [EvidenceKind.SERIES, EvidenceKind.MAINTENANCE]

    def test_only_the_agreement_s_services_are_listed(self) -> None:
        """Another service's old outage is not this agreement's to list; an outage of all is."""
        erp = "erp-service"
        theirs = outage("2025-01-01T00:00:00", "2025-01-01T01:00:00", services={erp})
        everyone = outage("2025-01-02T00:00:00", "2025-01-02T01:00:00", services=set(), id="ALL")
        expired = expired_monitoring_data(
            Observations(
                outages=[theirs, everyone],
                maintenance=[
                    window(
                        "2025-01-03T00:00:00", "2025-01-03T01:00:00", "2025-01-01T00:00:00", {erp}
                    )
                ],
                measurements=[measured("2025-01-04T00:00:00", "rpo", "5 min", erp)],
                series=[SampleSeries(erp, "availability", at("2025-01-05T00:00:00"), b"\x01")],
            ),
            AGREEMENT,
            self.AS_OF,
        )
        assert [e.reference for e in expired] == ["ALL"]

    def test_the_report_lists_what_expired_as_of_its_reading(self) -> None:
        """The report's as_of (the period's end by default) sets the retention limit."""
        old = outage("2025-10-01T00:00:00", "2025-10-01T01:00:00", id="OLD")
        assert tuple(e.reference for e in run(outages=[old]).expired) == ("OLD",)
        later = evaluate(
            AGREEMENT, Observations(outages=[old]), NOVEMBER, as_of=at("2026-11-02T00:00:00")
        )
        assert later.as_of == at("2026-11-02T00:00:00")
        assert tuple(e.reference for e in later.expired) == ("OLD",)
        with pytest.raises(ValidationError) as caught:
            evaluate(
                AGREEMENT, Observations(outages=[old]), NOVEMBER, as_of=at("2026-10-15T00:00:00")
            )
        assert caught.value.paths == ["$.as_of"]

    def test_refusals_name_the_argument(self) -> None:
        """Each argument that is not what it should be is named with its path."""
        with pytest.raises(ValidationError) as caught:
            expired_monitoring_data([], "csa-1", dt.datetime(2027, 1, 1))  # type: ignore[arg-type]
        assert caught.value.paths == ["$.observations", "$.agreement", "$.as_of"]


def stricter_from(when: str) -> CloudServiceAgreement:
    """The agreement with the uptime target raised to 99.95 % by consent accepted at ``when``."""
    stricter = attrs.evolve(UPTIME, level=level("availability", LEAST, "99.95 %"), credits=None)
    slas = (ServiceLevelAgreement(id="crm-sla", service_ids={CRM}, targets=(stricter,)),)
    proposed = at(when) - dt.timedelta(days=1)
    amendment = Amendment(
        term=TermKind.SLAS, value=slas, proposed_at=proposed, proposed_by="acme-cloud"
    )
    consent = Acknowledgement(
        party_id="globex", terms_id=AGREEMENT.id, version="2", accepted_at=at(when)
    )
    return amend(AGREEMENT, amendment, consent=consent)


class TestEvaluate:
    """The report: terms in force, the period cut to the term, refusals, purity."""

    def test_the_report_says_whose_it_is_and_holds_every_target_per_service(self) -> None:
        """One result per target of each SLA and service, in the agreement's order."""
        report = run()
        assert (report.agreement_id, report.agreement_version, report.customer_id) == (
            "csa-1",
            1,
            "globex",
        )
        assert (report.period, report.as_of) == (NOVEMBER, NOVEMBER.end)
        assert [(r.sla_id, r.target_id, r.service_id) for r in report.results] == [
            *(("crm-sla", t.id, CRM) for t in TARGETS),
            ("mail-sla", "uptime", MAIL),
        ]
        assert [t.metric for t in TARGETS] == [r.metric for r in report.for_service(CRM)]
        assert report.for_service("erp-service") == ()
        assert all(r.period == NOVEMBER for r in report.results)

    def test_breaches_and_credits_add_up(self) -> None:
        """A late window breaches the CRM's and the mail service's uptime; one credit is due."""
        late = window(
            "2026-11-14T22:00:00", "2026-11-15T01:36:00", "2026-11-12T22:00:00", {CRM, MAIL}
        )
        report = run(maintenance=[late])
        assert result(report, "quarterly-uptime").met is None  # judged on its quarter only
        assert [(r.target_id, r.service_id) for r in report.breaches] == [
            ("uptime", CRM),
            ("uptime", MAIL),
        ]
        assert {"EUR": Money("100.00", "EUR")} == report.credits
        mail = result(report, "uptime", MAIL)
        assert mail.credit is None
        assert mail.note == "no credit: the agreement has no recurring charge for mail-service"

    def test_a_period_is_cut_to_the_agreement_s_term(self) -> None:
        """An agreement from 16 November is measured from then; half a month is not judged."""
        late_start = attrs.evolve(AGREEMENT, effective_from=at("2026-11-16T00:00:00"))
        down = outage("2026-11-20T00:00:00", "2026-11-20T00:21:36")  # 21.6 of 21,600 minutes
        report = evaluate(late_start, Observations(outages=[down]), NOVEMBER)
        found = result(report, "uptime")
        zone = NOVEMBER.start.tzinfo  # the agreement's zone, ZoneInfo("UTC")
        assert Period(dt.datetime(2026, 11, 16, tzinfo=zone), NOVEMBER.end) == found.period
        assert quantity("99.9 %") == found.achieved
        assert (found.judgement, found.credit) == (None, None)
        assert found.note is not None
        assert found.note.startswith("not judged: the target is judged over its whole month")
        assert report.period == NOVEMBER

    def test_a_period_outside_the_term_is_refused(self) -> None:
        """A period before the agreement took effect has nothing to judge."""
        with pytest.raises(ValidationError) as caught:
            evaluate(AGREEMENT, Observations(), Period.month(2025, 11, "UTC"))
        assert caught.value.paths == ["$.period"]
        assert "overlapping the agreement's term (from 2026-01-01T00:00:00+00:00)" in str(
            caught.value
        )

    def test_the_period_is_read_in_the_agreement_s_zone(self) -> None:
        """A Berlin agreement's October has 745 hours: one hour down is 744/745 of it."""
        berlin = attrs.evolve(AGREEMENT, timezone="Europe/Berlin")
        october = Period.month(2026, 10, "Europe/Berlin")
        utc = Period(october.start.astimezone(dt.UTC), october.end.astimezone(dt.UTC))
        hour = outage("2026-10-12T10:00:00", "2026-10-12T11:00:00")
        found = result(evaluate(berlin, Observations(outages=[hour]), utc), "uptime")
        assert october == found.period
        assert Money("100.00", "EUR") == found.credit  # the whole Berlin month: a credit
        assert found.achieved is not None
        assert Fraction(744, 745) * 100 - Fraction(found.achieved.magnitude) < Fraction(1, 10**35)

    def test_the_terms_in_force_at_the_start_of_the_period_apply(self) -> None:
        """An amendment on 15 November applies from December; November keeps version 1."""
        amended = stricter_from("2026-11-15T00:00:00")
        down = [outage("2026-11-09T03:00:00", "2026-11-09T03:43:12")]
        november = evaluate(amended, Observations(outages=down), NOVEMBER)
        assert november.agreement_version == 1
        assert result(november, "uptime").met
        december = Period.month(2026, 12, "UTC")
        dec_down = [outage("2026-12-09T03:00:00", "2026-12-09T03:43:12")]
        later = evaluate(amended, Observations(outages=dec_down), december)
        assert later.agreement_version == 2
        assert [(r.sla_id, r.target_id) for r in later.results] == [("crm-sla", "uptime")]
        assert not result(later, "uptime").met  # 43.2 of 44,640 minutes, below 99.95 %

    def test_as_of_stops_the_clocks_of_open_records(self) -> None:
        """As of 2 November 10:10 the first incident had waited 10 minutes, not 20."""
        report = evaluate(
            AGREEMENT, Observations(incidents=[QUICK]), NOVEMBER, as_of=at("2026-11-02T10:10:00")
        )
        assert quantity("600 s") == result(report, "p1-response").achieved

    @pytest.mark.parametrize(
        ("arguments", "paths"),
        [
            (("csa-1", Observations(), NOVEMBER), ["$.agreement"]),
            ((AGREEMENT, [], NOVEMBER), ["$.observations"]),
            ((AGREEMENT, Observations(), "2026-11"), ["$.period"]),
            (("csa-1", None, None), ["$.agreement", "$.observations", "$.period"]),
        ],
        ids=["agreement", "observations", "period", "all three"],
    )
    def test_refuses_what_is_not_an_input(
        self, arguments: tuple[Any, ...], paths: list[str]
    ) -> None:
        """Each argument that is not what it should be is named with its path."""
        with pytest.raises(ValidationError) as caught:
            evaluate(*arguments)
        assert paths == caught.value.paths

    def test_refuses_a_naive_as_of_and_a_foreign_registry(self) -> None:
        """A naive as_of and predicates that are not a registry are refused at their paths."""
        with pytest.raises(ValidationError) as caught:
            evaluate(
                AGREEMENT,
                Observations(),
                NOVEMBER,
                as_of=dt.datetime(2026, 12, 1),
                predicates={"named-service-manager": bool},  # type: ignore[arg-type]
            )
        assert caught.value.paths == ["$.as_of", "$.predicates"]

    def test_the_message_names_what_was_expected(self) -> None:
        """The refusal reads as the other refusals of the package do."""
        with pytest.raises(ValidationError) as caught:
            evaluate("csa-1", Observations(), NOVEMBER)  # type: ignore[arg-type]
        assert str(caught.value) == (
            "Service level evaluation is invalid (1 problem):\n"
            "  - expected a CloudServiceAgreement, got 'csa-1' (string) @ $.agreement"
        )

    def test_the_report_pickles_both_ways_and_is_pure(self) -> None:
        """The same inputs give an equal report, and it survives pickling unchanged."""
        observed = Observations(
            outages=[outage("2026-11-09T03:00:00", "2026-11-09T06:00:00")],
            maintenance=[TIMELY],
            measurements=[measured("2026-11-03T10:00:00", "latency", "120 ms")],
            incidents=[QUICK, OVERNIGHT],
            events=[event("2026-11-05T03:00:00", EventKind.SECURITY_INCIDENT)],
        )
        first = evaluate(AGREEMENT, observed, NOVEMBER)
        assert first == evaluate(AGREEMENT, observed, NOVEMBER)
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            assert first == pickle.loads(pickle.dumps(first, protocol))
        for item in (*first.results, *first.notices, *first.results[0].evidence):
            assert item == pickle.loads(pickle.dumps(item))

    def test_the_report_goes_over_the_wire_and_back(self) -> None:
        """`to_json` writes a report that `from_json` reads back equal."""
        breach = incident("inc-9", "2026-11-05T03:00:00", cause=OutageCause.SECURITY)
        observed = Observations(
            outages=[outage("2026-11-09T03:00:00", "2026-11-09T06:00:00")],
            incidents=[QUICK, breach],
        )
        report = evaluate(AGREEMENT, observed, NOVEMBER)
        assert report.notices
        assert report == from_json(ServiceLevelReport, to_json(report))


# ---------------------------------------------------------------------- properties
DAY_US = 86_400_000_000


@st.composite
def month_observations(draw: st.DrawFn, month: Period, services: tuple[str, ...]) -> Observations:
    """Outages and maintenance windows in and around ``month`` on some of ``services``."""
    first = month.start.astimezone(dt.UTC)
    length = (month.end - month.start) // dt.timedelta(microseconds=1)

    def instant(offset: int) -> dt.datetime:
        return first + dt.timedelta(microseconds=offset)

    def spans() -> st.SearchStrategy[tuple[dt.datetime, dt.datetime]]:
        return st.tuples(st.integers(-DAY_US, length), st.integers(1, 3 * DAY_US)).map(
            lambda pair: (instant(pair[0]), instant(pair[0] + pair[1]))
        )

    hit = st.frozensets(st.sampled_from(services), max_size=len(services))
    outages = draw(
        st.lists(
            st.builds(
                lambda span, services, cause: Outage(*span, services=services, cause=cause),
                spans(),
                hit,
                st.sampled_from(tuple(OutageCause)),
            ),
            max_size=6,
        )
    )
    windows = draw(
        st.lists(
            st.builds(
                lambda span, services, ahead: MaintenanceWindow(
                    start=span[0],
                    end=span[1],
                    services=services,
                    announced_at=span[0] - dt.timedelta(hours=ahead),
                ),
                spans(),
                st.frozensets(st.sampled_from(services), min_size=1, max_size=len(services)),
                st.integers(0, 24 * 14),
            ),
            max_size=3,
        )
    )
    return Observations(outages=outages, maintenance=windows)


def month_of(agreement: CloudServiceAgreement) -> Period:
    """The calendar month, in the agreement's zone, 40 days after it took effect."""
    zone = ZoneInfo(agreement.timezone)
    local = (agreement.effective_from + dt.timedelta(days=40)).astimezone(zone)
    return Period.month(local.year, local.month, zone)


def charge_bound(
    agreement: CloudServiceAgreement, target: ServiceTarget, service: str, month: Period
) -> Fraction:
    """The largest credit ``target`` may pay for ``service`` over the whole ``month``."""
    charge = agreement.recurring_charge_for(service)
    assert charge is not None
    assert target.credits is not None
    cycle = charge.period
    months = cycle.years * 12 + cycle.months
    local = month.start
    days = calendar.monthrange(local.year, local.month)[1]
    share = Fraction(1, months) if months else Fraction(days, cycle.days)
    whole = Fraction(charge.amount.amount) * share
    terms = target.credits
    if terms.cap_amount is not None:
        return min(whole, Fraction(terms.cap_amount.amount))
    if terms.cap_percent is not None:
        return whole * Fraction(terms.cap_percent) / 100
    return whole


class TestProperties:
    """Properties over generated agreements and observations."""

    @settings(max_examples=examples(25))  # drawing an agreement takes a tenth of a second
    @given(data=st.data())
    def test_credits_are_never_negative_nor_above_their_cap(self, data: st.DataObject) -> None:
        """Over generated agreements and outages every credit lies between zero and its cap."""
        agreement = data.draw(cloud_service_agreements(), label="agreement")
        month = month_of(agreement)
        if agreement.end is not None and agreement.end <= month.start:
            return  # nothing of the month is under the agreement
        services = tuple(sorted(agreement.service_ids))
        observed = data.draw(month_observations(month, services), label="observations")
        report = evaluate(agreement, observed, month)
        for found in report.results:
            if found.metric is Metric.AVAILABILITY and found.achieved is not None:
                assert quantity("0 %") <= found.achieved <= quantity("100 %")
            if found.credit is None:
                continue
            target = next(
                t
                for s, t in agreement.targets()
                if (s.id, t.id) == (found.sla_id, found.target_id)
            )
            bound = charge_bound(agreement, target, found.service_id, month)
            assert 0 <= Fraction(found.credit.amount) <= bound
            if found.met:
                assert found.credit.amount == 0

    @settings(max_examples=examples(40))
    @given(observed=month_observations(NOVEMBER, (CRM, MAIL)))
    def test_the_uptime_credit_follows_its_tiers(self, observed: Observations) -> None:
        """The CRM's uptime pays nothing at 99.9 % or more, 10 % below it, 25 % below 99 %."""
        found = result(evaluate(AGREEMENT, observed, NOVEMBER), "uptime")
        if found.achieved is None:
            assert found.credit is None
            return
        expected = (
            "0.00"
            if found.achieved >= quantity("99.9 %")
            else "100.00"
            if found.achieved >= quantity("99 %")
            else "250.00"
        )
        assert Money(expected, "EUR") == found.credit

    @settings(max_examples=examples(30))
    @given(
        observed=month_observations(NOVEMBER, (CRM, MAIL)),
        start=st.integers(0, 29 * 24),
        hours=st.integers(1, 48),
    )
    def test_another_outage_never_raises_availability(
        self, observed: Observations, start: int, hours: int
    ) -> None:
        """Adding a provider outage of the CRM never raises its availability."""
        begin = NOVEMBER.start + dt.timedelta(hours=start)
        extra = Outage(begin, begin + dt.timedelta(hours=hours), services={CRM})
        before = result(evaluate(AGREEMENT, observed, NOVEMBER), "uptime").achieved
        more = attrs.evolve(observed, outages=(*observed.outages, extra))
        after = result(evaluate(AGREEMENT, more, NOVEMBER), "uptime").achieved
        if before is not None and after is not None:
            assert after <= before

    @settings(max_examples=examples(12))
    @given(data=st.data())
    def test_evaluate_is_deterministic_and_its_report_pickles(self, data: st.DataObject) -> None:
        """The same inputs give equal reports, and a report pickles both ways unchanged."""
        agreement = data.draw(cloud_service_agreements(), label="agreement")
        month = month_of(agreement)
        if agreement.end is not None and agreement.end <= month.start:
            return
        services = tuple(sorted(agreement.service_ids))
        observed = data.draw(month_observations(month, services), label="observations")
        report = evaluate(agreement, observed, month)
        assert report == evaluate(agreement, observed, month)
        assert report == pickle.loads(pickle.dumps(report))
        assert hash(report.results) == hash(pickle.loads(pickle.dumps(report.results)))


def with_targets(*targets: ServiceTarget, **changes: Any) -> CloudServiceAgreement:
    """The test agreement whose CRM SLA holds ``targets`` only, with other ``changes``."""
    sla = ServiceLevelAgreement(id="crm-sla", service_ids={CRM}, targets=targets)
    return attrs.evolve(AGREEMENT, slas=(sla,), **changes)


def late_window_in(month: int) -> MaintenanceWindow:
    """A 216-minute CRM window announced two days ahead, in ``month`` of 2026."""
    return window(
        f"2026-{month:02d}-14T22:00:00",
        f"2026-{month:02d}-15T01:36:00",
        f"2026-{month:02d}-12T22:00:00",
    )


class TestEdges:
    """Edges of the rules: hours, kinds of series, clocks read early, charges and caps."""

    def test_a_service_hours_latency_target_reads_only_open_hours(self) -> None:
        """A sample taken on a Saturday does not count for a service-hours latency target."""
        office = attrs.evolve(LATENCY, id="office-latency", uptime=UptimeBasis.SERVICE_HOURS)
        samples = [
            measured("2026-11-10T10:00:00", "latency", "100 ms"),
            measured("2026-11-14T10:00:00", "latency", "900 ms"),  # a Saturday
        ]
        report = evaluate(with_targets(office), Observations(measurements=samples), NOVEMBER)
        found = result(report, "office-latency")
        assert quantity("0.1 s") == found.achieved
        assert reasons(found, EvidenceKind.MEASUREMENT) == [
            (True, "100 ms counted"),
            (False, "outside the service hours: left out"),
        ]

    def test_each_metric_reads_its_own_kind_of_series(self) -> None:
        """An up/down series never feeds response time, nor a latency series availability."""
        up_down = SampleSeries(CRM, "availability", NOVEMBER.start, array.array("B", [0] * 60))
        latency = SampleSeries(CRM, "latency", NOVEMBER.start, array.array("d", [900.0] * 60))
        report = run(series=[up_down, latency])
        assert result(report, "latency").achieved == quantity("0.9 s")
        uptime = result(report, "uptime")
        assert [e.reference for e in uptime.evidence] == [
            "availability series of crm-service from 2026-11-01T00:00:00+00:00"
        ]

    def test_an_incident_opened_after_as_of_is_not_yet_known(self) -> None:
        """Read as of 2 November noon, an incident of 3 November has no figure yet."""
        report = evaluate(
            AGREEMENT,
            Observations(incidents=[OVERNIGHT]),
            NOVEMBER,
            as_of=at("2026-11-02T12:00:00"),
        )
        found = result(report, "p1-response")
        assert found.achieved is None
        assert found.note is not None
        assert found.note.startswith("no incidents of priority P1 in the period; not judged:")
        assert found.evidence == ()

    def test_a_charge_every_30_days_is_scaled_by_the_month_s_days(self) -> None:
        """EUR 1000 every 30 days is EUR 1033.33... for December: 10 % of it is EUR 103.33."""
        charge = RecurringCharge(
            service_id=CRM, amount=Money("1000.00", "EUR"), period=relativedelta(days=30)
        )
        agreement = attrs.evolve(AGREEMENT, recurring_charges=(charge,))
        december = Period.month(2026, 12, "UTC")
        report = evaluate(agreement, Observations(maintenance=[late_window_in(12)]), december)
        assert Money("103.33", "EUR") == result(report, "uptime").credit

    @pytest.mark.parametrize(
        ("every", "said"),
        [
            (relativedelta(months=1, days=15), "1 month 15 days"),
            (relativedelta(days=1, hours=1), "1 day 1 h"),
        ],
    )
    def test_a_charge_of_mixed_units_gives_no_credit(
        self, every: relativedelta, said: str
    ) -> None:
        """A charge every month and a half, or every 25 hours, has no exact ratio to a month."""
        charge = RecurringCharge(service_id=CRM, amount=Money("1000.00", "EUR"), period=every)
        agreement = attrs.evolve(AGREEMENT, recurring_charges=(charge,))
        report = evaluate(agreement, Observations(maintenance=[late_window_in(11)]), NOVEMBER)
        found = result(report, "uptime")
        assert found.credit is None
        assert found.note == (
            f"no credit: a charge every {said} does not scale to calendar months or days"
        )

    def test_a_cap_in_another_currency_gives_no_credit(self) -> None:
        """A cap in USD on a charge in EUR gives no credit, and the note says why."""
        capped = attrs.evolve(
            UPTIME,
            credits=CreditTerms(
                tiers=(CreditTier(worse_than=quantity("99.9 %"), credit=Decimal(10)),),
                cap_amount=Money("50.00", "USD"),
            ),
        )
        report = evaluate(
            with_targets(capped), Observations(maintenance=[late_window_in(11)]), NOVEMBER
        )
        found = result(report, "uptime")
        assert found.credit is None
        assert found.note == "no credit: the cap is in USD and the charge for crm-service in EUR"

    def test_a_charge_without_minor_units_gives_no_credit(self) -> None:
        """A charge in gold (XAU) has no minor unit to round a credit to."""
        charge = RecurringCharge(
            service_id=CRM, amount=Money("2", "XAU"), period=relativedelta(months=1)
        )
        agreement = attrs.evolve(AGREEMENT, recurring_charges=(charge,))
        report = evaluate(agreement, Observations(maintenance=[late_window_in(11)]), NOVEMBER)
        assert result(report, "uptime").note == (
            "no credit: XAU has no minor unit to round a credit to"
        )

    def test_a_period_after_the_agreement_ended_is_refused(self) -> None:
        """An agreement that ended in October has nothing to judge in November."""
        ended = attrs.evolve(AGREEMENT, end=at("2026-10-01T00:00:00"))
        with pytest.raises(ValidationError) as caught:
            evaluate(ended, Observations(), NOVEMBER)
        assert caught.value.problems[0].expected == (
            "a period overlapping the agreement's term "
            "(from 2026-01-01T00:00:00+00:00 until 2026-10-01T00:00:00+00:00)"
        )


class TestUnmatched:
    """Observations naming only services the agreement does not subscribe are listed."""

    def test_an_outage_of_a_misspelt_service_is_listed_not_silently_dropped(self) -> None:
        """An outage of ``crm`` leaves the CRM at 100 %, but the report lists it, with a hint."""
        down = outage("2026-11-09T03:00:00", "2026-11-09T05:00:00", services={"crm"}, id="ALR-1")
        report = run(outages=[down])
        assert quantity("100 %") == result(report, "uptime").achieved
        assert report.unmatched == (
            EvidenceItem(
                kind=EvidenceKind.OUTAGE,
                reference="ALR-1",
                start=down.start,
                end=down.end,
                counted=False,
                reason=(
                    "not counted: crm is not a service of the agreement "
                    "(crm-service, mail-service); did you mean crm-service?"
                ),
            ),
        )

    def test_every_kind_of_observation_is_matched(self) -> None:
        """Windows, measurements, series and events of unknown services are listed too."""
        erp = "erp"
        report = run(
            maintenance=[
                window("2026-11-14T22:00:00", "2026-11-15T01:00:00", "2026-11-01T00:00:00", {erp})
            ],
            measurements=[measured("2026-11-03T10:00:00", "latency", "120 ms", erp)],
            series=[SampleSeries(erp, "availability", NOVEMBER.start, b"\x01\x00")],
            events=[event("2026-11-05T03:00:00", EventKind.CAPACITY_THRESHOLD, {erp, "billing"})],
        )
        assert [(e.kind, e.counted) for e in report.unmatched] == [
            (EvidenceKind.SERIES, False),
            (EvidenceKind.MEASUREMENT, False),
            (EvidenceKind.EVENT, False),
            (EvidenceKind.MAINTENANCE, False),
        ]
        assert report.unmatched[2].reason == (
            "not counted: billing, erp are not services of the agreement "
            "(crm-service, mail-service)"
        )

    def test_observations_of_a_subscribed_service_or_of_every_service_are_matched(self) -> None:
        """Naming one subscribed service among others, or none at all, is a match."""
        report = run(
            outages=[
                outage("2026-11-09T03:00:00", "2026-11-09T04:00:00", services={CRM, "erp"}),
                outage("2026-11-10T03:00:00", "2026-11-10T04:00:00", services=set()),
            ],
            events=[event("2026-11-05T03:00:00", EventKind.CAPACITY_THRESHOLD, set())],
        )
        assert report.unmatched == ()

    def test_only_the_evaluated_period_is_read(self) -> None:
        """An unknown service's outage in October is not November's concern."""
        report = run(
            outages=[outage("2026-10-09T03:00:00", "2026-10-09T04:00:00", services={"x"})]
        )
        assert report.unmatched == ()

    def test_the_report_with_unmatched_items_pickles_and_goes_over_the_wire(self) -> None:
        """`unmatched` survives pickling and `to_json`/`from_json` unchanged."""
        report = run(
            outages=[outage("2026-11-09T03:00:00", "2026-11-09T04:00:00", services={"crm"})],
            events=[event("2026-11-05T03:00:00", EventKind.CAPACITY_THRESHOLD, {"crm"})],
        )
        assert len(report.unmatched) == 2
        assert report == pickle.loads(pickle.dumps(report))
        assert report == from_json(ServiceLevelReport, to_json(report))


class TestErrorBudgets:
    """Each availability result carries its error budget, from the figure's own inputs."""

    def test_the_budget_of_a_month_with_20_minutes_down(self) -> None:
        """99.9 % of November allows 43.2 minutes; 20 used leave 23.2, as of the month's end."""
        found = result(
            run(outages=[outage("2026-11-03T04:00:00", "2026-11-03T04:20:00")]), "uptime"
        )
        budget = found.error_budget
        assert budget is not None
        assert (budget.allowed, budget.used, budget.remaining) == (
            dt.timedelta(minutes=43, seconds=12),
            20 * MINUTE,
            dt.timedelta(minutes=23, seconds=12),
        )
        assert (budget.period, budget.as_of) == (NOVEMBER, NOVEMBER.end)

    def test_the_budget_leaves_out_what_the_figure_leaves_out(self) -> None:
        """A timely 12 h window and a 20 h sample gap leave the expected uptime; causes too."""
        values = array.array("B", [1] * 43_200)
        values[5000:6200] = array.array("B", [255] * 1200)
        probe = SampleSeries(CRM, "availability", NOVEMBER.start, values)
        report = run(
            series=[probe],
            maintenance=[TIMELY],
            outages=[
                outage("2026-11-20T10:00:00", "2026-11-20T12:00:00", cause=OutageCause.CUSTOMER),
                outage("2026-11-21T10:00:00", "2026-11-21T10:30:00"),
            ],
        )
        budget = result(report, "uptime").error_budget
        assert budget is not None
        assert budget.expected_uptime == dt.timedelta(days=30, hours=-32)
        assert budget.used == 30 * MINUTE
        # quarterly-uptime excludes nothing: the customer's 2 h and the 12 h window count
        quarterly = result(report, "quarterly-uptime").error_budget
        assert quarterly is not None
        assert quarterly.used == dt.timedelta(hours=14, minutes=30)

    def test_the_budget_runs_on_the_service_hours_clock(self) -> None:
        """An office-hours target's budget covers November's 168 open hours only."""
        budget = result(run(), "office-uptime").error_budget
        assert budget is not None
        assert budget.expected_uptime == dt.timedelta(hours=168)

    def test_other_metrics_and_no_expected_uptime_have_no_budget(self) -> None:
        """Response time has no error budget, nor has a month wholly excluded."""
        assert result(run(), "latency").error_budget is None
        everything = window("2026-11-01T00:00:00", "2026-12-01T00:00:00", "2026-10-01T00:00:00")
        assert result(run(maintenance=[everything]), "uptime").error_budget is None


_SPOKEN_UNITS = {"day": 86_400, "days": 86_400, "h": 3_600, "min": 60, "s": 1}


def spoken_length(text: str) -> dt.timedelta:
    """A length as the evidence says it (``1 day 2 h 3 min 4.5 s``) back as a timedelta."""
    words = text.split()
    seconds = sum(
        (Decimal(words[i]) * _SPOKEN_UNITS[words[i + 1]] for i in range(0, len(words), 2)),
        Decimal(0),
    )
    return dt.timedelta(microseconds=int(seconds * 1_000_000))


def added_downtime(found: TargetResult) -> dt.timedelta:
    """The downtime the counted items of an availability result say they add, summed."""
    total = dt.timedelta()
    for item in found.evidence:
        if item.counted and "counted as downtime: " in item.reason:
            said = item.reason.split("counted as downtime: ", 1)[1].split(" (", 1)[0]
            total += spoken_length(said)
    return total


class TestEvidenceAddsUp:
    """Each counted item says the downtime it adds; the items sum to the downtime."""

    def test_an_overlapping_outage_adds_only_what_is_new(self) -> None:
        """30 min, then 33.2 min sharing 20 min with it: the second adds 13.2 min."""
        found = result(
            run(
                outages=[
                    outage("2026-11-09T03:00:00", "2026-11-09T03:30:00"),
                    outage("2026-11-09T03:10:00", "2026-11-09T03:43:12"),
                ]
            ),
            "uptime",
        )
        assert reasons(found, EvidenceKind.OUTAGE) == [
            (True, "provider outage: counted as downtime: 30 min"),
            (
                True,
                (
                    "provider outage: counted as downtime: 13 min 12 s "
                    "(20 min already counted by an earlier outage)"
                ),
            ),
        ]
        assert added_downtime(found) == dt.timedelta(minutes=43, seconds=12)

    def test_an_outage_in_an_excluded_window_adds_nothing_there(self) -> None:
        """An outage half inside a window announced in time adds only its other half."""
        found = result(
            run(
                maintenance=[TIMELY],
                outages=[outage("2026-11-15T07:00:00", "2026-11-15T09:00:00")],
            ),
            "uptime",
        )
        assert reasons(found, EvidenceKind.OUTAGE) == [
            (True, "provider outage: counted as downtime: 1 h (1 h inside excluded windows)")
        ]

    def test_later_items_name_what_counted_before_them(self) -> None:
        """A late window, an outage and a series down step over the same hour add it once."""
        values = array.array("B", [1] * 43_200)
        values[10 * 60 : 10 * 60 + 30] = array.array("B", [0] * 30)  # 1 November 10:00-10:30
        probe = SampleSeries(CRM, "availability", NOVEMBER.start, values)
        late = window("2026-11-01T10:00:00", "2026-11-01T11:00:00", "2026-10-31T10:00:00")
        found = result(
            run(
                series=[probe],
                maintenance=[late],
                outages=[outage("2026-11-01T10:15:00", "2026-11-01T11:15:00")],
            ),
            "uptime",
        )
        assert [e.reason for e in found.evidence] == [
            ("43170 steps up, 30 down, 0 missing in the period: counted as downtime: 30 min"),
            (
                "announced 1 day ahead; the SLA requires 5 days: counted as downtime: 30 min "
                "(30 min already counted by an earlier series)"
            ),
            (
                "provider outage: counted as downtime: 15 min "
                "(45 min already counted by 2 earlier items (maintenance windows, series))"
            ),
        ]
        assert added_downtime(found) == 75 * MINUTE
        assert found.error_budget is not None
        assert found.error_budget.used == 75 * MINUTE

    def test_a_service_hours_target_counts_open_hours_and_lists_gaps_inside_them(self) -> None:
        """A 4 h gap from 16:00 on a weekday is 1 h of coverage gap; the item says just that."""
        values = array.array("B", [1] * 43_200)
        start = (9 * 24 + 16) * 60  # Tuesday 10 November, 16:00
        values[start : start + 240] = array.array("B", [255] * 240)
        probe = SampleSeries(CRM, "availability", NOVEMBER.start, values)
        found = result(
            run(series=[probe], outages=[outage("2026-11-10T08:00:00", "2026-11-10T10:00:00")]),
            "office-uptime",
        )
        assert dt.timedelta(hours=1) == found.coverage_gap
        gaps = [e for e in found.evidence if e.kind is EvidenceKind.SAMPLE_GAP]
        assert [(e.start, e.end, e.reason) for e in gaps] == [
            (
                at("2026-11-10T16:00:00"),
                at("2026-11-10T17:00:00"),
                "no samples for 1 h: left out of expected uptime and downtime",
            )
        ]
        assert reasons(found, EvidenceKind.OUTAGE) == [
            (
                True,
                (
                    "provider outage: counted as downtime: 1 h "
                    "(1 h outside the service hours or inside excluded windows)"
                ),
            )
        ]

    @settings(max_examples=examples(40))
    @given(observed=month_observations(NOVEMBER, (CRM, MAIL)))
    def test_the_counted_items_sum_to_the_downtime(self, observed: Observations) -> None:
        """Over generated outages and windows the additions sum to the downtime used."""
        report = evaluate(AGREEMENT, observed, NOVEMBER)
        for found in report.results:
            budget = found.error_budget
            if found.metric is Metric.AVAILABILITY and budget is not None:
                assert added_downtime(found) == budget.used
                gaps = [e for e in found.evidence if e.kind is EvidenceKind.SAMPLE_GAP]
                assert sum((e.end - e.start for e in gaps), dt.timedelta()) == found.coverage_gap


class TestAsOf:
    """as_of: after the period's start; inside the period, only what was known by then."""

    AS_OF = at("2026-11-09T04:00:00")  # 8 days 4 hours into November

    def report(self, **observed: Any) -> ServiceLevelReport:
        """The test agreement read over November as of 9 November 04:00."""
        return evaluate(AGREEMENT, Observations(**observed), NOVEMBER, as_of=self.AS_OF)

    @pytest.mark.parametrize("when", ["2026-10-15T00:00:00", "2026-11-01T00:00:00"])
    def test_an_as_of_at_or_before_the_start_is_refused(self, when: str) -> None:
        """Nothing of November is known as of 15 October, nor at its very start."""
        with pytest.raises(ValidationError) as caught:
            evaluate(AGREEMENT, Observations(), NOVEMBER, as_of=at(when))
        assert caught.value.paths == ["$.as_of"]
        assert caught.value.problems[0].expected == (
            "an instant after the start of the evaluated period (2026-11-01T00:00:00+00:00)"
        )

    def test_inside_the_period_the_figures_cover_up_to_as_of_and_nothing_is_judged(self) -> None:
        """An outage running at as_of counts its first hour; a later one is not yet known."""
        report = self.report(
            outages=[
                outage("2026-11-09T03:00:00", "2026-11-09T05:00:00"),
                outage("2026-11-20T00:00:00", "2026-11-20T10:00:00"),
            ],
        )
        found = result(report, "uptime")
        so_far = Period(NOVEMBER.start, self.AS_OF.astimezone(NOVEMBER.start.tzinfo))
        assert found.period == so_far
        assert found.achieved is not None
        exact = Fraction(100 * 195, 196)  # 1 h down of 196
        assert abs(Fraction(found.achieved.magnitude) - exact) < Fraction(1, 10**35)
        assert (found.judgement, found.credit) == (None, None)
        assert found.note == (
            "not judged: the period [2026-11-01T00:00:00+00:00, 2026-12-01T00:00:00+00:00) "
            "has not ended as of 2026-11-09T04:00:00+00:00; the figures cover only "
            "[2026-11-01T00:00:00+00:00, 2026-11-09T04:00:00+00:00)"
        )
        assert reasons(found, EvidenceKind.OUTAGE) == [
            (True, "provider outage: counted as downtime: 1 h (1 h outside the period)")
        ]
        assert report.note == "not final: " + found.note.removeprefix("not judged: ")
        assert report.breaches == ()
        assert report.credits == {}
        assert all(r.judgement is None for r in report.results)

    def test_the_error_budget_still_covers_the_whole_period(self) -> None:
        """An hour used as of 9 November overspends November's 43.2 minutes."""
        budget = result(
            self.report(outages=[outage("2026-11-09T03:00:00", "2026-11-09T05:00:00")]), "uptime"
        ).error_budget
        assert budget is not None
        assert (budget.period, budget.as_of) == (NOVEMBER, self.AS_OF)
        assert budget.used == dt.timedelta(hours=1)
        assert budget.exhausted_at == at("2026-11-09T03:43:12")

    def test_later_events_and_records_are_not_yet_known(self) -> None:
        """Notices, unmatched items and measurements after as_of are left to a later reading."""
        report = self.report(
            events=[
                event("2026-11-05T03:00:00", EventKind.SECURITY_INCIDENT),
                event("2026-11-10T03:00:00", EventKind.SECURITY_INCIDENT),
            ],
            outages=[
                outage("2026-11-05T03:00:00", "2026-11-05T04:00:00", services={"crm"}),
                outage("2026-11-10T03:00:00", "2026-11-10T04:00:00", services={"crm"}),
            ],
            measurements=[
                measured("2026-11-03T10:00:00", "throughput", "600 request/s"),
                measured("2026-11-12T10:00:00", "throughput", "100 request/s"),
            ],
        )
        assert [n.event.at for n in report.notices] == [at("2026-11-05T03:00:00")]
        assert [e.start for e in report.unmatched] == [at("2026-11-05T03:00:00")]
        assert quantity("600 request/s") == result(report, "throughput").achieved

    def test_at_or_after_the_end_the_whole_period_is_judged(self) -> None:
        """Read a week after November ended, the month is judged as at its end."""
        down = [outage("2026-11-09T03:00:00", "2026-11-09T03:43:12")]
        late = evaluate(
            AGREEMENT, Observations(outages=down), NOVEMBER, as_of=at("2026-12-08T00:00:00")
        )
        assert late.note is None
        found = result(late, "uptime")
        assert (found.period, found.met, found.credit) == (NOVEMBER, True, Money("0.00", "EUR"))


class TestNoticeOnTheAgreementsCalendar:
    """A maintenance notice is counted in calendar days of the agreement's zone."""

    BERLIN = with_targets(UPTIME, timezone="Europe/Berlin")
    OCTOBER = Period.month(2026, 10, "Europe/Berlin")  # the clocks go back on 25 October

    def verdict(self, announced: str, start: str, end: str) -> list[tuple[bool, str]]:
        """How the uptime target reads a window written with fixed offsets."""
        late = MaintenanceWindow(
            start=dt.datetime.fromisoformat(start),
            end=dt.datetime.fromisoformat(end),
            services={CRM},
            announced_at=dt.datetime.fromisoformat(announced),
        )
        report = evaluate(self.BERLIN, Observations(maintenance=[late]), self.OCTOBER)
        return reasons(result(report, "uptime"), EvidenceKind.MAINTENANCE)

    def test_five_days_across_the_autumn_change_are_121_hours(self) -> None:
        """120.5 hours before a Sunday 09:30 is 10:00 five days before on Berlin's clock."""
        assert self.verdict(
            "2026-10-20T10:00:00+02:00", "2026-10-25T09:30:00+01:00", "2026-10-25T10:30:00+01:00"
        ) == [
            (
                True,
                (
                    "announced 4 days 23 h 30 min ahead; the SLA requires 5 days: "
                    "counted as downtime: 1 h"
                ),
            )
        ]

    def test_five_calendar_days_ahead_are_enough(self) -> None:
        """Announced at 10:00 on the 20th for 10:00 on the 25th: five days on that clock."""
        assert self.verdict(
            "2026-10-20T10:00:00+02:00", "2026-10-25T10:00:00+01:00", "2026-10-25T11:00:00+01:00"
        ) == [
            (
                False,
                (
                    "announced 5 days ahead; the SLA requires 5 days: "
                    "left out of expected uptime and downtime"
                ),
            )
        ]
