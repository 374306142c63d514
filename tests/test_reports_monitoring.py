"""cloudsms.reports.monitoring: service reports per customer, the provider report, frames, chart.

Reports built by hand (every figure chosen, so each rendering is checked against a
known value) and one month evaluated from observations for the operations figures
(incidents per priority, mean time to restore, requests fulfilled in time). The
DataFrame and chart tests need the ``analysis`` extra; the missing-extra errors are
checked everywhere by hiding the packages from ``sys.modules``.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import subprocess
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from _monitoring_fixtures import (
    REPORT_KEYS,
    ROOT,
    at,
    example_agreement,
    incident,
    service_request,
)
from cloudsms.agreements import (
    Judgement,
    Metric,
    ServiceLevelAgreement,
    ServiceTarget,
)
from cloudsms.errors import ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money
from cloudsms.monitoring import Event, EventKind, Observations, Outage
from cloudsms.monitoring.evaluation import (
    EvidenceItem,
    EvidenceKind,
    ImmediateNotice,
    ServiceLevelReport,
    TargetResult,
    evaluate,
)
from cloudsms.monitoring.metrics import error_budget
from cloudsms.periods import Period
from cloudsms.reports import (
    EVIDENCE_FRAME_COLUMNS,
    FRAME_COLUMNS,
    ProviderReport,
    availability_chart,
    evidence_frame,
    provider_report,
    provider_report_data,
    provider_report_markdown,
    service_report_data,
    service_report_markdown,
    to_frame,
)
from cloudsms.reports import monitoring as reports_monitoring
from cloudsms.units import quantity

if TYPE_CHECKING:
    from pathlib import Path

    from cloudsms.operations import Incident, ServiceRequest

BASE = example_agreement()
LATENCY = ServiceTarget(
    id="latency",
    level=ServiceLevel(measure="response time", bound=Bound.AT_MOST, target=quantity("250 ms")),
    percentile=Decimal(95),
)
FULFIL = ServiceTarget(
    id="fulfil",
    level=ServiceLevel(
        measure="request fulfilment time", bound=Bound.AT_MOST, target=quantity("2 day")
    ),
)
IN_EU = ServiceTarget(id="in-eu", predicate="data-in-eu", description="Data stays in the EU")
(SLA,) = BASE.slas
AGREEMENT = attrs.evolve(
    BASE,
    slas=(
        ServiceLevelAgreement(
            id="crm-sla",
            service_ids={"crm-service"},
            targets=(*SLA.targets, LATENCY, FULFIL, IN_EU),
        ),
    ),
)
"""The example's agreement (99.99 % uptime with credits, P1 resolution in 8 h), with a
95th-percentile response time of 250 ms, request fulfilment in 2 days and a qualitative
objective added."""

OCTOBER = Period.month(2026, 10, "Europe/Berlin")
END = OCTOBER.end
SERVICE = "crm-service"


def result(
    target: str,
    metric: Metric,
    achieved: str | None,
    unit: str,
    *,
    margin: str | None,
    met: bool | None,
    credit: Money | None = None,
    service: str = SERVICE,
    period: Period = OCTOBER,
    evidence: tuple[EvidenceItem, ...] = (),
    note: str | None = None,
    gap: dt.timedelta = dt.timedelta(),
) -> TargetResult:
    """A result with the figures given (a margin without ``met`` is never judged)."""
    judgement = (
        None
        if met is None
        else Judgement(met=met, margin=None if margin is None else Decimal(margin))
    )
    return TargetResult(
        sla_id="crm-sla",
        target_id=target,
        service_id=service,
        metric=metric,
        period=period,
        achieved=None if achieved is None else quantity(Decimal(achieved), unit),
        judgement=judgement,
        credit=credit,
        coverage_gap=gap,
        evidence=evidence,
        note=note,
    )


DOWN = EvidenceItem(
    kind=EvidenceKind.OUTAGE,
    reference="out-1",
    start=at("2026-10-07T09:00:00+02:00"),
    end=at("2026-10-07T09:45:00+02:00"),
    counted=True,
    reason="provider outage: counted as downtime (45 min in the period)",
)
UPTIME = result(
    "uptime",
    Metric.AVAILABILITY,
    "99.9",
    "percent",
    margin="-0.09",
    met=False,
    credit=Money("85.00", "EUR"),
    evidence=(DOWN,),
)
RESOLUTION = result(
    "p1-resolution",
    Metric.INCIDENT_RESOLUTION_TIME,
    "5400",
    "second",
    margin="23400",
    met=True,
    note="no credit: the target has no credit terms",
)
SLOW = result(
    "latency",
    Metric.RESPONSE_TIME,
    "0.2500001",
    "second",
    margin="-0.0000001",
    met=False,
    note="no credit: the target has no credit terms",
)
NOTHING = result(
    "fulfil",
    Metric.REQUEST_FULFILMENT_TIME,
    None,
    "second",
    margin=None,
    met=None,
    note="no service requests in the period",
)
HOLDS = result("in-eu", Metric.QUALITATIVE, None, "", margin=None, met=True)
CONTINUITY = Event(
    at=at("2026-10-12T03:00:00+02:00"),
    kind=EventKind.CONTINUITY_INVOKED,
    services={SERVICE},
    summary="Failed over to the second data centre",
)
OLD = EvidenceItem(
    kind=EvidenceKind.OUTAGE,
    reference="out-2025-0801",
    start=at("2025-08-01T10:00:00+02:00"),
    end=at("2025-08-01T11:00:00+02:00"),
    counted=False,
    reason="older than the agreed retention of 13 months: delete",
)


def report(*results: TargetResult, customer: str = "globex", **changes: Any) -> ServiceLevelReport:
    """A report of October 2026 holding ``results`` (default: the five above)."""
    fields: dict[str, Any] = {
        "agreement_id": "csa-2026-001",
        "agreement_version": 1,
        "customer_id": customer,
        "period": OCTOBER,
        "as_of": END,
        "results": results or (UPTIME, RESOLUTION, SLOW, NOTHING, HOLDS),
        "notices": (ImmediateNotice(event=CONTINUITY, customers=frozenset({"globex"})),),
        "expired": (OLD,),
    }
    return ServiceLevelReport(**{**fields, **changes})


def p1_incident(ident: str, opened: str, restored: str | None, priority: str = "P1") -> Incident:
    """An incident on the CRM opened at ``opened`` and restored (and resolved) at ``restored``."""
    moves = () if restored is None else ("acknowledge", "restore", "resolve")
    return incident(
        ident,
        opened,
        *((event, restored) for event in moves if restored is not None),
        agreement_id=AGREEMENT.id,
        priority=priority,
        summary="The CRM does not answer",
        customers={"globex"},
    )


def request(ident: str, asked: str, fulfilled: str | None) -> ServiceRequest:
    """A service request made at ``asked``, started and fulfilled at ``fulfilled`` (if given)."""
    moves = () if fulfilled is None else ("start", "fulfil")
    return service_request(
        ident,
        asked,
        *((event, fulfilled) for event in moves if fulfilled is not None),
        agreement_id=AGREEMENT.id,
        requested_by="user-1",
        summary="Add a user",
    )


OPERATIONS = Observations(
    outages=[Outage(at("2026-10-07T09:12:00+02:00"), at("2026-10-07T09:38:00+02:00"))],
    incidents=[
        # Restored after 26 and 60 minutes: a mean of 43 minutes.
        p1_incident("inc-1", "2026-10-07T09:12:00+02:00", "2026-10-07T09:38:00+02:00"),
        p1_incident("inc-2", "2026-10-20T11:00:00+02:00", "2026-10-20T12:00:00+02:00"),
        p1_incident("inc-3", "2026-10-28T15:00:00+01:00", None, priority="P2"),
        p1_incident("inc-0", "2026-09-30T10:00:00+02:00", "2026-09-30T11:00:00+02:00"),
    ],
    requests=[
        request("req-1", "2026-10-05T10:00:00+02:00", "2026-10-06T10:00:00+02:00"),  # 1 day
        request("req-2", "2026-10-12T10:00:00+02:00", "2026-10-15T10:00:00+02:00"),  # 3 days
        request("req-3", "2026-10-30T10:00:00+01:00", None),  # still open at the end
        request("req-0", "2026-09-29T10:00:00+02:00", "2026-09-30T10:00:00+02:00"),  # September
    ],
    events=[CONTINUITY],
)


def evaluated() -> ServiceLevelReport:
    """October 2026 evaluated from `OPERATIONS`."""
    return evaluate(AGREEMENT, OPERATIONS, OCTOBER)


HALF = Period(OCTOBER.start, at("2026-10-16T00:00:00+02:00"))
"""The first half of October: no monthly target is judged over it."""


def half_month() -> ServiceLevelReport:
    """The first half of October 2026 evaluated from `OPERATIONS`: figures, no verdicts."""
    return evaluate(AGREEMENT, OPERATIONS, HALF)


# ---------------------------------------------------------------------- monthly report: data
class TestServiceReportData:
    """service_report_data: a fixed shape, exact figures, the operations records."""

    def test_keys(self) -> None:
        """Has the documented keys, in order, whatever the figures."""
        data = service_report_data(report(), AGREEMENT)
        assert list(data) == list(REPORT_KEYS)
        assert list(data["targets"][0]) == [
            "sla",
            "target",
            "service",
            "metric",
            "bound",
            "achieved",
            "threshold",
            "unit",
            "met",
            "margin",
            "credit",
            "coverage_gap_seconds",
            "error_budget",
            "note",
            "evidence",
        ]

    def test_a_breached_target(self) -> None:
        """Gives the figure, threshold and margin as exact decimal strings, and the credit."""
        data = service_report_data(report(), AGREEMENT)
        assert data["targets"][0] == {
            "sla": "crm-sla",
            "target": "uptime",
            "service": "crm-service",
            "metric": "availability",
            "bound": "at least",
            "achieved": "99.9",
            "threshold": "99.99",
            "unit": "percent",
            "met": False,
            "margin": "-0.09",
            "credit": {"amount": "85.00", "currency": "EUR"},
            "coverage_gap_seconds": "0",
            "error_budget": None,
            "note": None,
            "evidence": [
                {
                    "kind": "outage",
                    "reference": "out-1",
                    "start": "2026-10-07T09:00:00+02:00",
                    "end": "2026-10-07T09:45:00+02:00",
                    "counted": True,
                    "reason": "provider outage: counted as downtime (45 min in the period)",
                }
            ],
        }

    def test_figures_are_written_as_given(self) -> None:
        """Writes the model's 38 significant digits as they are, never in exponent notation."""
        figure = "99.97311827956989247311827956989247312"
        exact = result("uptime", Metric.AVAILABILITY, figure, "percent", margin="-0.01", met=False)
        (target,) = service_report_data(report(exact), AGREEMENT)["targets"]
        assert (target["achieved"], target["margin"]) == (figure, "-0.01")
        tiny = result(
            "latency", Metric.RESPONSE_TIME, "0.0000001", "second", margin="0.25", met=True
        )
        (target,) = service_report_data(report(tiny), AGREEMENT)["targets"]
        assert (target["achieved"], target["threshold"]) == ("0.0000001", "0.25")

    def test_targets_without_a_figure(self) -> None:
        """Gives nulls and the note for a target not judged; a predicate's bound is null."""
        data = service_report_data(report(), AGREEMENT)
        fulfil, qualitative = data["targets"][3:]
        assert (fulfil["achieved"], fulfil["met"], fulfil["margin"]) == (None, None, None)
        assert (fulfil["threshold"], fulfil["unit"]) == ("172800", "second")
        assert fulfil["note"] == "no service requests in the period"
        assert (qualitative["bound"], qualitative["threshold"], qualitative["met"]) == (
            None,
            None,
            True,
        )

    def test_summary_parts(self) -> None:
        """Lists availability per service, breaches, credits, notices and expired data."""
        data = service_report_data(report(), AGREEMENT)
        assert data["period"] == {
            "start": "2026-10-01T00:00:00+02:00",
            "end": "2026-11-01T00:00:00+01:00",
        }
        assert data["availability"] == [
            {
                "service": "crm-service",
                "sla": "crm-sla",
                "target": "uptime",
                "achieved": "99.9",
                "threshold": "99.99",
                "met": False,
                "error_budget": None,
            }
        ]
        assert data["breaches"] == 2
        assert data["credits"] == [{"amount": "85.00", "currency": "EUR"}]
        assert data["notices"] == [
            {
                "at": "2026-10-12T03:00:00+02:00",
                "kind": "continuity_invoked",
                "services": ["crm-service"],
                "summary": "Failed over to the second data centre",
                "customers": ["globex"],
                "incident": None,
            }
        ]
        assert [item["reference"] for item in data["expired"]] == ["out-2025-0801"]

    def test_without_operations_records(self) -> None:
        """Counts no incident and no request when no observations are given."""
        data = service_report_data(report(), AGREEMENT)
        assert data["incidents"] == {
            "opened": 0,
            "by_priority": {"P1": 0, "P2": 0},
            "mean_time_to_restore_seconds": None,
        }
        assert data["requests"] == {"made": 0, "fulfilled": 0, "in_time": None}

    def test_operations_figures(self) -> None:
        """Counts the month's incidents per priority, the mean restore and requests in time."""
        data = service_report_data(evaluated(), AGREEMENT, OPERATIONS)
        # inc-0 was opened in September; inc-1 and inc-2 were restored after 26 and 60 min.
        assert data["incidents"] == {
            "opened": 3,
            "by_priority": {"P1": 2, "P2": 1},
            "mean_time_to_restore_seconds": "2580",
        }
        # req-1 took a day (within 2 days), req-2 three days, req-3 is open; req-0 is September's.
        assert data["requests"] == {"made": 3, "fulfilled": 2, "in_time": 1}

    def test_an_evaluated_month_round_trips_through_json(self) -> None:
        """Gives data json.dumps writes and json.loads reads back equal."""
        data = service_report_data(evaluated(), AGREEMENT, OPERATIONS)
        assert json.loads(json.dumps(data)) == data
        uptime = data["targets"][0]
        # 26 minutes down in October's 745 hours (44,700 minutes): 100 % x 44674/44700,
        # which does not terminate: kept to 38 significant digits.
        assert uptime["achieved"] == "99.941834451901565995525727069351230425"
        assert uptime["credit"] == {"amount": "85.00", "currency": "EUR"}

    @pytest.mark.parametrize(
        "where",
        [
            "module",
            "service_report_data",
            "provider_report_data",
            "to_frame",
            "docs/cli.md",
        ],
    )
    def test_the_docs_say_where_figures_are_rounded(self, where: str) -> None:
        """Says a ratio that does not end is rounded half to even at 38 digits; no 'every digit'.

        An availability such as 100 x 44674/44700 % is the model's figure rounded at
        its 38th significant digit: the data cannot keep digits the model never had.
        """
        if where == "docs/cli.md":
            text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
            text = text[text.index("## Service reports") :]
        elif where == "module":
            text = reports_monitoring.__doc__ or ""
        else:
            text = getattr(reports_monitoring, where).__doc__ or ""
        words = " ".join(text.split())
        assert "every digit" not in words
        assert "exact decimal" not in words
        assert "exact strings" not in words
        assert "38 significant digits" in words
        assert "half to even" in words

    def test_error_budget(self) -> None:
        """Gives each availability target's budget: allowed, used, remaining, when it ran out.

        October 2026 in Berlin lasts 745 hours (2,682,000 s): 99.99 % allows 268.2 s.
        The 26-minute outage from 09:12 on 7 October used 1,560 s, so the budget is
        overspent by 1,291.8 s and ran out 268.2 s into the outage, at 09:16:28.2.
        """
        data = service_report_data(evaluated(), AGREEMENT, OPERATIONS)
        budget = {
            "allowed_seconds": "268.2",
            "used_seconds": "1560",
            "remaining_seconds": "-1291.8",
            "exhausted_at": "2026-10-07T09:16:28.200000+02:00",
        }
        uptime, *others = data["targets"]
        assert uptime["error_budget"] == budget
        assert [target["error_budget"] for target in others] == [None] * len(others)
        assert [entry["error_budget"] for entry in data["availability"]] == [budget]

    def test_unmatched_observations(self) -> None:
        """Lists the observations naming only services the agreement lacks, uncounted."""
        typo = Outage(
            at("2026-10-09T10:00:00+02:00"), at("2026-10-09T11:00:00+02:00"), services={"crm"}
        )
        seen = OPERATIONS.merged(Observations(outages=[typo]))
        data = service_report_data(evaluate(AGREEMENT, seen, OCTOBER), AGREEMENT, seen)
        (item,) = data["unmatched"]
        assert (item["kind"], item["start"], item["end"], item["counted"]) == (
            "outage",
            "2026-10-09T10:00:00+02:00",
            "2026-10-09T11:00:00+02:00",
            False,
        )
        assert "crm is not a service of the agreement" in item["reason"]
        assert service_report_data(evaluated(), AGREEMENT, OPERATIONS)["unmatched"] == []

    def test_refuses_values_of_the_wrong_type(self) -> None:
        """Names each value of the wrong type by its path."""
        with pytest.raises(ValidationError) as info:
            service_report_data("report", 5, observations=[])  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == [
            "$.report",
            "$.agreement",
            "$.observations",
        ]

    def test_refuses_another_agreement(self) -> None:
        """Refuses an agreement other than the one the report judged."""
        other = attrs.evolve(AGREEMENT, id="csa-2026-002")
        with pytest.raises(ValidationError) as info:
            service_report_data(report(), other)
        assert info.value.errors == [
            (
                "expected the agreement the report judged ('csa-2026-001'), "
                "got agreement 'csa-2026-002' @ $.agreement"
            )
        ]


# ---------------------------------------------------------------------- monthly report: Markdown
class TestServiceReportMarkdown:
    """service_report_markdown: every target row with its figure, cut towards the worse side."""

    def test_heading(self) -> None:
        """Names the customer and the month, then the agreement, period and as_of."""
        lines = service_report_markdown(report(), AGREEMENT).splitlines()
        assert lines[:3] == [
            "# Service report: globex, October 2026",
            "",
            (
                "Agreement csa-2026-001 (version 1); period 2026-10-01T00:00:00+02:00 to "
                "2026-11-01T00:00:00+01:00; as of 2026-11-01T00:00:00+01:00."
            ),
        ]

    def test_each_target_has_its_row(self) -> None:
        """Shows each target with its figure, threshold, verdict, margin and credit."""
        text = service_report_markdown(report(), AGREEMENT)
        start = text.index("| SLA |")
        rows = text[start:].splitlines()[:7]
        assert rows == [
            (
                "| SLA | target | service | metric | achieved | threshold | result | margin "
                "| credit |"
            ),
            "|---|---|---|---|---|---|---|---|---|",
            (
                "| crm-sla | uptime | crm-service | availability | 99.9 % | at least 99.99 % "
                "| breached | -0.09 % | EUR 85.00 |"
            ),
            (
                "| crm-sla | p1-resolution | crm-service | incident resolution time | 5400 s "
                "| at most 28800 s | met | 23400 s | - |"
            ),
            # 0.2500001 s shows as 0.2501 s (up: an at-most figure never looks better).
            (
                "| crm-sla | latency | crm-service | response time | 0.2501 s | at most 0.25 s "
                "| breached | -0.0001 s | - |"
            ),
            (
                "| crm-sla | fulfil | crm-service | request fulfilment time | - "
                "| at most 172800 s | not judged | - | - |"
            ),
            (
                "| crm-sla | in-eu | crm-service | qualitative | holds | predicate data-in-eu "
                "| met | - | - |"
            ),
        ]

    def test_an_at_least_figure_is_cut_down(self) -> None:
        """Shows 99.98999... % as 99.9899 % with a margin of -0.0001 %, never as 99.99 %."""
        figure = "99.98999999999999999999999999999999999"
        close = result(
            "uptime", Metric.AVAILABILITY, figure, "percent", margin="-1E-35", met=False
        )
        text = service_report_markdown(report(close), AGREEMENT)
        assert (
            "| crm-sla | uptime | crm-service | availability | 99.9899 % | at least 99.99 % "
            "| breached | -0.0001 % | - |"
        ) in text.splitlines()

    def test_notes_and_gaps(self) -> None:
        """Lists why a target has no figure or credit, and the time without samples."""
        gappy = attrs.evolve(UPTIME, coverage_gap=dt.timedelta(hours=1, minutes=30))
        lines = service_report_markdown(report(gappy, NOTHING), AGREEMENT).splitlines()
        assert (
            "- crm-sla/uptime (crm-service): no samples for 1:30:00, left out of the figure"
            in lines
        )
        assert "- crm-sla/fulfil (crm-service): no service requests in the period" in lines

    def test_sections(self) -> None:
        """Gives availability, operations, credits, notices, expired data and evidence."""
        lines = service_report_markdown(report(), AGREEMENT).splitlines()
        for line in (
            "- crm-service: 99.9 % against at least 99.99 % (uptime): breached",
            "| P1 Critical | 0 |",
            "Mean time to restore: no incident was restored in the period.",
            "Service requests: none made in the period.",
            "2 targets breached; credits due: EUR 85.00.",
            (
                "- 2026-10-12T03:00:00+02:00 continuity_invoked (crm-service): Failed over to the "
                "second data centre; notify globex"
            ),
            (
                "| no | outage | out-2025-0801 | 2025-08-01T10:00:00+02:00 "
                "| 2025-08-01T11:00:00+02:00 "
                "| older than the agreed retention of 13 months: delete |"
            ),
            "### crm-sla/uptime (crm-service)",
            (
                "| yes | outage | out-1 | 2026-10-07T09:00:00+02:00 | 2026-10-07T09:45:00+02:00 "
                "| provider outage: counted as downtime (45 min in the period) |"
            ),
        ):
            assert line in lines

    def test_an_overspent_error_budget(self) -> None:
        """Shows the budget under its availability line: allowed, used, overspent, ran out."""
        lines = service_report_markdown(evaluated(), AGREEMENT, OPERATIONS).splitlines()
        at_line = lines.index(
            "- crm-service: 99.9418 % against at least 99.99 % (uptime): breached"
        )
        assert lines[at_line + 1] == (
            "  - error budget: 0:04:28.2 allowed, 0:26:00 used, 0:21:31.8 overspent; "
            "ran out at 2026-10-07T09:16:28.200000+02:00"
        )

    @pytest.mark.parametrize(
        ("down", "as_of", "line"),
        [
            # 20 minutes of 44 min 42 s used in the first 10 days: the rest lasts
            # 12 days 8.4 hours more at that pace.
            (
                True,
                "2026-10-11T00:00:00+02:00",
                (
                    "  - error budget: 0:44:42 allowed, 0:20:00 used, 0:24:42 left; at the "
                    "burn rate so far it runs out at 2026-10-23T08:24:00+02:00"
                ),
            ),
            (
                True,
                "2026-10-31T00:00:00+01:00",
                (
                    "  - error budget: 0:44:42 allowed, 0:20:00 used, 0:24:42 left; at the "
                    "burn rate so far it lasts the period"
                ),
            ),
            (
                False,
                "2026-10-11T00:00:00+02:00",
                "  - error budget: 0:44:42 allowed, 0:00:00 used, 0:44:42 left; none used",
            ),
        ],
        ids=["runs-out", "lasts", "unused"],
    )
    def test_an_error_budget_left(self, down: bool, as_of: str, line: str) -> None:
        """Says when a budget with some left runs out at the burn rate so far, if it does."""
        outages = [Period(at("2026-10-03T04:00:00+02:00"), at("2026-10-03T04:20:00+02:00"))]
        budget = error_budget(quantity("99.9 %"), outages if down else [], OCTOBER, at(as_of))
        met = result("uptime", Metric.AVAILABILITY, "99.95", "percent", margin="0.05", met=True)
        text = service_report_markdown(report(attrs.evolve(met, error_budget=budget)), BASE)
        assert line in text.splitlines()

    def test_unmatched_observations_are_a_warning(self) -> None:
        """Warns of observations naming only services the agreement lacks, before the targets."""
        typos = [
            Outage(at("2026-10-09T10:00:00+02:00"), at("2026-10-09T11:00:00+02:00"), services={s})
            for s in ("crm", "CRM-service")
        ]
        seen = Observations(outages=typos)
        lines = service_report_markdown(
            evaluate(AGREEMENT, seen, OCTOBER), AGREEMENT, seen
        ).splitlines()
        start = lines.index("## Observations this agreement does not cover")
        assert start < lines.index("## Targets")
        assert lines[start + 2] == (
            "Warning: 2 observations name only services the agreement does not subscribe, "
            "so no figure in this report counts them. A misspelt service id in the monitoring "
            "data shows here: correct it and report again."
        )
        rows = [line for line in lines[start:] if line.startswith("| no | outage |")]
        assert len(rows) == 2
        assert "crm is not a service of the agreement" in rows[0] + rows[1]
        # The figure is untouched by them: nothing was down.
        assert "| crm-sla | uptime | crm-service | availability | 100 % | at least 99.99 % " in (
            "\n".join(lines)
        )

    def test_no_warning_when_every_observation_is_covered(self) -> None:
        """Has no warning section when every observation names a service of the agreement."""
        text = service_report_markdown(evaluated(), AGREEMENT, OPERATIONS)
        assert "Observations this agreement does not cover" not in text

    def test_targets_not_judged(self) -> None:
        """Shows a figure over part of its period as not judged, with its note; no breach.

        The uptime over the first half of October (26 minutes down) is 99.8796 %,
        below 99.99 %, but the target is judged per whole month: no verdict, no
        margin, no credit, and the credits line does not claim no terms apply.
        """
        lines = service_report_markdown(half_month(), AGREEMENT, OPERATIONS).splitlines()
        assert (
            "| crm-sla | uptime | crm-service | availability | 99.8796 % | at least 99.99 % "
            "| not judged | - | - |"
        ) in lines
        assert (
            "- crm-sla/uptime (crm-service): not judged: the target is judged over its whole "
            "month \\[2026-10-01T00:00:00+02:00, 2026-11-01T00:00:00+01:00); this figure "
            "covers only \\[2026-10-01T00:00:00+02:00, 2026-10-16T00:00:00+02:00)"
        ) in lines
        assert "- crm-service: 99.8796 % against at least 99.99 % (uptime): not judged" in lines
        assert (
            "0 targets breached; no credit is due: the target with credit terms was not "
            "judged (see the notes)."
        ) in lines

    def test_notices_say_whether_events_were_read(self) -> None:
        """Says none among the events read only when events (or incidents) were read."""
        quiet = report(notices=())

        def notices(text: str) -> str:
            lines = text.splitlines()
            return lines[lines.index("## Immediate notices") + 2]

        assert notices(service_report_markdown(quiet, AGREEMENT)) == (
            "No events were read (events.csv absent)."
        )
        assert notices(service_report_markdown(quiet, AGREEMENT, Observations())) == (
            "No events were read (events.csv absent)."
        )
        # Read, even if there were none: events.csv with a header only.
        assert notices(service_report_markdown(quiet, AGREEMENT, events_read=True)) == (
            "None among the events read."
        )
        for seen in (
            Observations(events=[attrs.evolve(CONTINUITY, kind=EventKind.CAPACITY_THRESHOLD)]),
            Observations(incidents=OPERATIONS.incidents),
        ):
            assert notices(service_report_markdown(quiet, AGREEMENT, seen)) == (
                "None among the events read."
            )
        with pytest.raises(ValidationError) as info:
            service_report_markdown(quiet, AGREEMENT, events_read="yes")  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.events_read"]

    def test_a_period_not_yet_ended(self) -> None:
        """Says under the heading that the month has not ended; judges and credits nothing."""
        early = evaluate(AGREEMENT, OPERATIONS, OCTOBER, as_of=at("2026-10-15T00:00:00+02:00"))
        lines = service_report_markdown(early, AGREEMENT, OPERATIONS).splitlines()
        assert lines[4] == (
            "Not final: the period \\[2026-10-01T00:00:00+02:00, 2026-11-01T00:00:00+01:00) "
            "has not ended as of 2026-10-15T00:00:00+02:00; the figures cover only "
            "\\[2026-10-01T00:00:00+02:00, 2026-10-15T00:00:00+02:00)."
        )
        assert (
            "| crm-sla | uptime | crm-service | availability | 99.8710 % | at least 99.99 % "
            "| not judged | - | - |"
        ) in lines
        assert (
            "0 targets breached; no credit is due: the target with credit terms was not "
            "judged (see the notes)."
        ) in lines
        data = service_report_data(early, AGREEMENT, OPERATIONS)
        assert data["note"] == early.note
        assert (data["breaches"], data["credits"]) == (0, [])
        assert service_report_data(evaluated(), AGREEMENT, OPERATIONS)["note"] is None
        assert "Not final" not in service_report_markdown(evaluated(), AGREEMENT, OPERATIONS)

    def test_an_evaluated_month(self) -> None:
        """Shows the month's incidents, mean time to restore and requests in time."""
        lines = service_report_markdown(evaluated(), AGREEMENT, OPERATIONS).splitlines()
        assert "| P1 Critical | 2 |" in lines
        assert "| P2 High | 1 |" in lines
        assert "Mean time to restore: 0:43:00 (wall clock)." in lines
        assert "Service requests fulfilled within the target: 1 of 3." in lines
        assert (
            "| crm-sla | uptime | crm-service | availability | 99.9418 % | at least 99.99 % "
            "| breached | -0.0482 % | EUR 85.00 |"
        ) in lines

    def test_text_from_records_is_escaped(self) -> None:
        """Escapes control characters and Markdown's marks in text from records."""
        odd = attrs.evolve(
            DOWN, reference="out|1", reason="*down*\x1b[31m <b>red</b>\nsecond line"
        )
        text = service_report_markdown(report(attrs.evolve(UPTIME, evidence=(odd,))), AGREEMENT)
        assert "\x1b" not in text
        assert (
            r"| yes | outage | out\|1 | 2026-10-07T09:00:00+02:00 | 2026-10-07T09:45:00+02:00 "
            r"| \*down\*\\x1b\[31m \<b\>red\</b\>\\nsecond line |"
        ) in text.splitlines()

    def test_a_period_that_is_not_a_month(self) -> None:
        """Names a period other than a calendar month by its two ends."""
        week = Period(at("2026-10-05T00:00:00+02:00"), at("2026-10-12T00:00:00+02:00"))
        weekly = report(attrs.evolve(UPTIME, period=week), period=week)
        first = service_report_markdown(weekly, AGREEMENT).splitlines()[0]
        assert first == (
            "# Service report: globex, 2026-10-05T00:00:00+02:00 to 2026-10-12T00:00:00+02:00"
        )

    def test_requests_without_a_fulfilment_target(self) -> None:
        """Counts the requests fulfilled where no fulfilment target applies."""
        lines = service_report_markdown(
            evaluate(BASE, OPERATIONS, OCTOBER), BASE, OPERATIONS
        ).splitlines()
        assert "Service requests: 2 of 3 fulfilled; no fulfilment target applies." in lines

    def test_a_target_the_terms_no_longer_hold(self) -> None:
        """Shows a result whose target the agreement lacks: its threshold from its margin."""
        judged = attrs.evolve(UPTIME, target_id="old-uptime")
        unjudged = attrs.evolve(UPTIME, target_id="older-uptime", judgement=None, credit=None)
        lines = service_report_markdown(report(judged, unjudged), AGREEMENT).splitlines()
        assert (
            "| crm-sla | old-uptime | crm-service | availability | 99.9 % | at least 99.99 % "
            "| breached | -0.09 % | EUR 85.00 |"
        ) in lines
        assert (
            "| crm-sla | older-uptime | crm-service | availability | 99.9 % | - | not judged "
            "| - | - |"
        ) in lines

    def test_nothing_to_report(self) -> None:
        """Says so where a report has no target, notice or expired data."""
        empty = report(results=(), notices=(), expired=())
        lines = service_report_markdown(empty, AGREEMENT).splitlines()
        for line in (
            "The agreement sets no target for the period.",
            "No availability target.",
            "0 targets breached; no credit terms apply.",
            "No events were read (events.csv absent).",
            "None: all monitoring data is within the agreed retention.",
        ):
            assert line in lines


# ---------------------------------------------------------------------- provider report
def margin_result(metric: Metric, margin: str, unit: str, *, met: bool = True) -> TargetResult:
    """A result met (or breached) by ``margin``, at a threshold of 99.9 % or 0.25 s."""
    threshold = Decimal("99.9") if unit == "percent" else Decimal("0.25")
    sign = 1 if metric.bound is Bound.AT_LEAST else -1
    achieved = threshold + sign * Decimal(margin)
    return result(
        metric.value.replace(" ", "-"),
        metric,
        str(achieved),
        unit,
        margin=margin,
        met=met,
    )


class TestProviderReport:
    """provider_report: breaches, near misses within a stated margin, credits by service."""

    def test_near_miss_rule(self) -> None:
        """Lists a target met by at most the margin; one met by more, or breached, is not."""
        results = (
            margin_result(Metric.AVAILABILITY, "0", "percent"),
            margin_result(Metric.AVAILABILITY, "0.04", "percent"),
            margin_result(Metric.AVAILABILITY, "0.05", "percent"),
            margin_result(Metric.AVAILABILITY, "0.06", "percent"),
            margin_result(Metric.AVAILABILITY, "-0.01", "percent", met=False),
        )
        found = provider_report([report(*results)], near_miss="0.05 %")
        assert [f.result.margin for f in found.near_misses] == [
            Decimal(0),
            Decimal("0.04"),
            Decimal("0.05"),
        ]
        assert [f.result.margin for f in found.breaches] == [Decimal("-0.01")]
        assert [f.threshold for f in found.breaches] == [Decimal("99.9")]

    def test_one_quantity_applies_to_every_metric_of_its_unit(self) -> None:
        """Holds every time metric to a margin in time, and availability to none."""
        results = (
            margin_result(Metric.RESPONSE_TIME, "0.02", "second"),
            margin_result(Metric.AVAILABILITY, "0.001", "percent"),
        )
        found = provider_report(report(*results), near_miss="20 ms")
        assert [f.result.metric for f in found.near_misses] == [Metric.RESPONSE_TIME]
        assert dict(found.near_miss) == {
            m: quantity("20 ms") for m in Metric if m.units == ("second",)
        }

    def test_a_margin_per_metric(self) -> None:
        """Converts each metric's margin exactly to the result's unit."""
        results = (
            margin_result(Metric.RESPONSE_TIME, "0.02", "second"),
            margin_result(Metric.RESPONSE_TIME, "0.0201", "second"),
            margin_result(Metric.AVAILABILITY, "0.01", "percent"),
        )
        found = provider_report(
            [report(*results)],
            near_miss={"response time": "20 ms", Metric.AVAILABILITY: quantity("0.01 %")},
        )
        assert [(f.result.metric, f.result.margin) for f in found.near_misses] == [
            (Metric.RESPONSE_TIME, Decimal("0.02")),
            (Metric.AVAILABILITY, Decimal("0.01")),
        ]

    def test_credits_by_service_across_customers(self) -> None:
        """Adds up the credits per service and currency across the reports."""
        mail = attrs.evolve(UPTIME, service_id="mail", credit=Money("5", "USD"))
        first = report(UPTIME, mail)
        second = report(attrs.evolve(UPTIME, credit=Money("10.50", "EUR")), customer="initech")
        found = provider_report([first, second], near_miss="0.05 %")
        assert found.credits == {
            "crm-service": {"EUR": Money("95.50", "EUR")},
            "mail": {"USD": Money("5", "USD")},
        }
        assert (found.reports, found.customers) == (2, ("globex", "initech"))
        assert len(found.breaches) == 3

    def test_data(self) -> None:
        """Gives the margins, the findings with exact figures and the credits."""
        found = provider_report(
            [report(UPTIME, margin_result(Metric.AVAILABILITY, "0.04", "percent"))],
            near_miss="0.05 %",
        )
        data = provider_report_data(found)
        assert list(data) == [
            "reports",
            "customers",
            "near_miss",
            "breaches",
            "near_misses",
            "credits",
        ]
        assert data["near_miss"] == {"availability": "0.05 %"}
        assert data["breaches"] == [
            {
                "customer": "globex",
                "agreement": "csa-2026-001",
                "period": {
                    "start": "2026-10-01T00:00:00+02:00",
                    "end": "2026-11-01T00:00:00+01:00",
                },
                "sla": "crm-sla",
                "target": "uptime",
                "service": "crm-service",
                "metric": "availability",
                "achieved": "99.9",
                "threshold": "99.99",
                "unit": "percent",
                "margin": "-0.09",
                "credit": {"amount": "85.00", "currency": "EUR"},
            }
        ]
        assert data["near_misses"][0]["margin"] == "0.04"
        assert data["credits"] == [
            {"service": "crm-service", "amount": "85.00", "currency": "EUR"}
        ]
        assert json.loads(json.dumps(data)) == data

    def test_markdown(self) -> None:
        """Gives a summary line, the rule, a table per kind of finding and the credits."""
        found = provider_report(
            [report(UPTIME, margin_result(Metric.AVAILABILITY, "0.04", "percent"))],
            near_miss="0.05 %",
        )
        lines = provider_report_markdown(found).splitlines()
        assert lines[:5] == [
            "# Provider report",
            "",
            "1 report of 1 customer: 1 breached, 1 near miss.",
            "",
            "A near miss is a target met with no more to spare than: availability 0.05 %.",
        ]
        assert (
            "| globex | csa-2026-001 | October 2026 | crm-sla/uptime | crm-service | 99.9 % "
            "| at least 99.99 % | -0.09 % | EUR 85.00 |"
        ) in lines
        assert (
            "| globex | csa-2026-001 | October 2026 | crm-sla/availability | crm-service "
            "| 99.94 % | at least 99.9 % | 0.04 % | - |"
        ) in lines
        assert "| crm-service | EUR 85.00 |" in lines

    def test_a_margin_of_another_dimension_is_not_applied(self) -> None:
        """Judges no near miss of a capacity in instances against a margin in bytes."""
        instances = result("capacity", Metric.CAPACITY, "12", "instance", margin="2", met=True)
        found = provider_report([report(instances)], near_miss="1 GiB")
        assert (found.near_misses, found.breaches) == ((), ())

    def test_refuses_text_that_is_no_quantity(self) -> None:
        """Refuses a margin that does not read as a quantity, at its path."""
        with pytest.raises(ValidationError) as info:
            provider_report([report()], near_miss={"availability": "lots"})
        assert [p.path for p in info.value.problems] == ["$.near_miss['availability']"]

    def test_markdown_with_nothing_found(self) -> None:
        """Says none where there is no breach, no near miss and no credit."""
        found = provider_report([], near_miss="1 min")
        text = provider_report_markdown(found)
        assert "0 reports of 0 customers: 0 breached, 0 near misses." in text
        assert text.count("None.") == 2
        assert text.endswith("No credit is due.\n")

    def test_targets_not_judged_are_neither_breaches_nor_near_misses(self) -> None:
        """Lists no result without a verdict, whatever its figure against the threshold."""
        note = "not judged: the target is judged over its whole month"
        below = result(
            "uptime", Metric.AVAILABILITY, "99.5", "percent", margin=None, met=None, note=note
        )
        on = result(
            "uptime", Metric.AVAILABILITY, "99.99", "percent", margin=None, met=None, note=note
        )
        found = provider_report(
            [report(below, on), half_month()], near_miss={"availability": "0.05 %"}
        )
        assert (found.breaches, found.near_misses) == ((), ())
        assert "2 reports of 1 customer: 0 breached, 0 near misses." in (
            provider_report_markdown(found).splitlines()
        )

    @pytest.mark.parametrize(
        ("near_miss", "error"),
        [
            ("-0.05 %", "expected a margin of zero or more, got -0.05 % @ $.near_miss"),
            (
                "5 m",
                (
                    "expected a margin in the unit of some metric (%, s, request/s, B or "
                    "instance), got 5 m @ $.near_miss"
                ),
            ),
            (
                {"availability": "5 min"},
                (
                    "expected a quantity in percent for availability, got 5 min "
                    "@ $.near_miss['availability']"
                ),
            ),
            (
                {"qualitative": "1 %"},
                (
                    "expected a quantitative metric (availability, response time, incident "
                    "response time, incident resolution time, request fulfilment time, "
                    "throughput, recovery point objective, recovery time objective, capacity), "
                    "got 'qualitative' (string) @ $.near_miss['qualitative']"
                ),
            ),
        ],
        ids=["negative", "no-metric", "wrong-unit", "qualitative"],
    )
    def test_refuses_a_bad_margin(self, near_miss: object, error: str) -> None:
        """Refuses a margin that is negative, of no metric's unit, or of the wrong metric."""
        with pytest.raises(ValidationError) as info:
            provider_report([report()], near_miss=near_miss)  # type: ignore[arg-type]
        assert info.value.errors == [error]

    def test_refuses_what_is_not_a_report(self) -> None:
        """Names each value that is not a ServiceLevelReport by its index."""
        with pytest.raises(ValidationError) as info:
            provider_report([report(), "march"], near_miss="0.05 %")  # type: ignore[list-item]
        assert [p.path for p in info.value.problems] == ["$.reports[1]"]
        with pytest.raises(ValidationError) as info:
            provider_report_data("provider")  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.provider"]

    def test_pickles(self) -> None:
        """Pickles and compares by value."""
        found = provider_report([report()], near_miss="0.05 %")
        assert isinstance(found, ProviderReport)
        assert pickle.loads(pickle.dumps(found)) == found


# ---------------------------------------------------------------------- frames, with the extra
class TestFrames:
    """to_frame and evidence_frame: pandas DataFrames of exact values."""

    def test_to_frame(self) -> None:
        """Gives one row per result of every report, with FRAME_COLUMNS and exact Decimals."""
        pytest.importorskip("pandas")
        frame = to_frame([report(), report(UPTIME, customer="initech")])
        assert list(frame.columns) == list(FRAME_COLUMNS)
        assert len(frame) == 6
        first = frame.iloc[0]
        assert (first["customer"], first["target"], first["met"]) == ("globex", "uptime", False)
        assert (first["achieved"], first["threshold"], first["margin"]) == (
            Decimal("99.9"),
            Decimal("99.99"),
            Decimal("-0.09"),
        )
        assert (first["credit"], first["currency"]) == (Decimal("85.00"), "EUR")
        assert first["period_start"].isoformat() == "2026-09-30T22:00:00+00:00"
        assert list(frame["customer"]) == ["globex"] * 5 + ["initech"]
        assert frame.iloc[3]["achieved"] is None

    def test_to_frame_of_one_report(self) -> None:
        """Takes a single report as well as several."""
        pytest.importorskip("pandas")
        assert list(to_frame(report())["target"]) == [
            "uptime",
            "p1-resolution",
            "latency",
            "fulfil",
            "in-eu",
        ]

    def test_thresholds_match_the_json(self) -> None:
        """Gives every result the threshold and unit the JSON gives it, judged or not."""
        pandas = pytest.importorskip("pandas")
        for judged in (evaluated(), half_month()):
            frame = to_frame(judged, agreements=AGREEMENT)
            data = service_report_data(judged, AGREEMENT, OPERATIONS)["targets"]
            assert [None if t is None else str(t) for t in frame["threshold"]] == [
                target["threshold"] for target in data
            ]
            # pandas keeps a column of text with a missing value as NaN.
            units = [None if pandas.isna(unit) else unit for unit in frame["unit"]]
            assert units == [target["unit"] for target in data]
        half = to_frame(half_month(), agreements=[AGREEMENT])
        assert list(half["threshold"][:2]) == [Decimal("99.99"), Decimal(28800)]
        assert list(half["met"][:2]) == [None, None]

    def test_thresholds_without_the_agreement(self) -> None:
        """Takes a result not judged its error budget's threshold; others have none."""
        pytest.importorskip("pandas")
        frame = to_frame(half_month())
        assert list(frame["threshold"][:2]) == [Decimal("99.99"), None]
        assert list(to_frame(evaluated())["threshold"][:1]) == [Decimal("99.99")]

    def test_refuses_what_is_not_an_agreement(self) -> None:
        """Names an agreement of the wrong type, or a second one with an id, by its index."""
        with pytest.raises(ValidationError) as info:
            to_frame(report(), agreements=[AGREEMENT, "csa"])  # type: ignore[list-item]
        assert [p.path for p in info.value.problems] == ["$.agreements[1]"]
        with pytest.raises(ValidationError) as info:
            to_frame(report(), agreements=[AGREEMENT, BASE])
        assert info.value.errors == [
            (
                "expected one agreement per id, got a second agreement 'csa-2026-001' "
                "@ $.agreements[1]"
            )
        ]
        with pytest.raises(ValidationError) as info:
            to_frame(report(), agreements="csa")  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == ["$.agreements"]

    def test_evidence_frame(self) -> None:
        """Gives one row per item of evidence, with the result it supports."""
        pytest.importorskip("pandas")
        frame = evidence_frame(evaluated())
        assert list(frame.columns) == list(EVIDENCE_FRAME_COLUMNS)
        outage = frame[frame["kind"] == "outage"].iloc[0]
        assert (outage["target"], outage["counted"]) == ("uptime", True)
        assert outage["start"].isoformat() == "2026-10-07T07:12:00+00:00"
        assert set(frame["kind"]) == {"outage", "incident", "request"}

    def test_refuses_what_is_not_a_report(self) -> None:
        """Refuses a value that is not a report before needing pandas."""
        with pytest.raises(ValidationError) as info:
            reports_monitoring.to_frame("report")  # type: ignore[arg-type]
        assert info.value.errors == [
            (
                "expected a ServiceLevelReport or an iterable of them, got 'report' (string) "
                "@ $.reports"
            )
        ]
        # The public dispatcher cannot tell a misspelt report from anything else: it
        # names every kind of value it turns into a frame.
        with pytest.raises(ValidationError) as info:
            to_frame("report")
        assert [p.path for p in info.value.problems] == ["$"]
        assert "ServiceLevelReport" in info.value.problems[0].expected
        with pytest.raises(ValidationError):
            evidence_frame([report()])  # type: ignore[arg-type]

    @pytest.mark.parametrize("function", [to_frame, evidence_frame])
    def test_missing_extra(self, monkeypatch: pytest.MonkeyPatch, function: Any) -> None:
        """Raises ImportError naming the analysis extra when pandas is not installed."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(ImportError) as info:
            function(report())
        assert str(info.value) == (
            f"{function.__name__} needs pandas, which is not installed: "
            "pip install 'cloudsms[analysis]'"
        )
        assert info.value.name == "pandas"


# ---------------------------------------------------------------------- chart, with the extra
def monthly(month: int, figure: str, *, service: str = SERVICE) -> ServiceLevelReport:
    """A report of ``month`` 2026 whose availability was ``figure`` % (threshold 99.99 %)."""
    period = Period.month(2026, month, "Europe/Berlin")
    margin = str(Decimal(figure) - Decimal("99.99"))
    uptime = result(
        "uptime",
        Metric.AVAILABILITY,
        figure,
        "percent",
        margin=margin,
        met=Decimal(margin) >= 0,
        service=service,
        period=period,
    )
    return report(uptime, period=period, as_of=period.end)


MONTHS = [monthly(8, "99.995"), monthly(10, "99.9"), monthly(9, "99.99")]


class TestAvailabilityChart:
    """availability_chart: availability per month against the threshold, without pyplot."""

    def test_one_service(self) -> None:
        """Draws one line for the service, months in order, and one for the threshold."""
        pytest.importorskip("matplotlib")
        from matplotlib.figure import Figure  # noqa: PLC0415 - the extra, imported when present

        figure = availability_chart(MONTHS, SERVICE)
        assert isinstance(figure, Figure)
        (ax,) = figure.axes
        service, threshold = ax.get_lines()
        assert service.get_label() == "crm-service"
        assert list(service.get_ydata()) == [99.995, 99.99, 99.9]
        assert threshold.get_label() == "threshold 99.99 %"
        assert list(threshold.get_ydata()) == [99.99, 99.99]
        assert ax.get_title() == "Availability of crm-service"

    def test_every_service(self) -> None:
        """Draws one line per service and the threshold they share."""
        pytest.importorskip("matplotlib")
        mail = [monthly(8, "99.999", service="mail"), monthly(9, "99.95", service="mail")]
        figure = availability_chart([*MONTHS, *mail])
        labels = [line.get_label() for line in figure.axes[0].get_lines()]
        assert labels == ["crm-service", "mail", "threshold 99.99 %"]

    def test_several_customers(self) -> None:
        """Names the customer of each line when the reports hold several."""
        pytest.importorskip("matplotlib")
        other = attrs.evolve(MONTHS[0], customer_id="initech")
        figure = availability_chart([MONTHS[0], other], SERVICE)
        labels = [line.get_label() for line in figure.axes[0].get_lines()]
        assert labels == ["globex: crm-service", "initech: crm-service", "threshold 99.99 %"]

    def test_several_availability_targets(self) -> None:
        """Names the target of each line when a service has several; skips empty figures."""
        pytest.importorskip("matplotlib")
        hours = attrs.evolve(MONTHS[0].results[0], target_id="hours-uptime")
        empty = attrs.evolve(hours, target_id="none", achieved=None, judgement=None)
        both = attrs.evolve(MONTHS[0], results=(*MONTHS[0].results, hours, empty))
        figure = availability_chart([both])
        labels = [line.get_label() for line in figure.axes[0].get_lines()]
        assert labels == [
            "crm-service crm-sla/uptime",
            "crm-service crm-sla/hours-uptime",
            "threshold 99.99 %",
        ]

    def test_points_at_the_local_start_of_each_month(self) -> None:
        """Puts each month at its first day in its own zone and labels it once, in order.

        Berlin's September starts at 2026-08-31T22:00Z: drawn there, it sat in August
        and the month labels repeated (2026-09, 2026-09, 2026-10, 2026-11, 2026-11).
        """
        pytest.importorskip("matplotlib")
        from matplotlib.dates import date2num  # noqa: PLC0415 - the extra, imported when present

        autumn = [monthly(11, "99.999"), monthly(9, "99.995"), monthly(10, "99.9")]
        (ax,) = availability_chart(autumn, SERVICE).axes
        firsts = [dt.datetime(2026, month, 1, tzinfo=dt.UTC) for month in (9, 10, 11)]
        service = ax.get_lines()[0]
        assert list(service.get_xdata()) == list(date2num(firsts))
        assert list(ax.get_xticks()) == list(date2num(firsts))
        assert [label.get_text() for label in ax.get_xticklabels()] == [
            "2026-09",
            "2026-10",
            "2026-11",
        ]

    def test_months_of_different_zones_line_up(self) -> None:
        """Draws October in New York and in Berlin at one point of the axis, with one tick."""
        pytest.importorskip("matplotlib")
        new_york = Period.month(2026, 10, "America/New_York")
        there = attrs.evolve(
            MONTHS[1],
            customer_id="initech",
            period=new_york,
            results=(attrs.evolve(MONTHS[1].results[0], period=new_york),),
        )
        (ax,) = availability_chart([MONTHS[1], there], SERVICE).axes
        globex, initech = ax.get_lines()[:2]
        assert list(globex.get_xdata()) == list(initech.get_xdata())
        assert [label.get_text() for label in ax.get_xticklabels()] == ["2026-10"]

    def test_periods_shorter_than_a_month_are_named_by_day(self) -> None:
        """Labels weekly periods by their first day, so no two ticks read alike."""
        pytest.importorskip("matplotlib")
        weeks = []
        for day in (5, 12):
            start = at(f"2026-10-{day:02}T00:00:00+02:00")
            week = Period(start, start + dt.timedelta(days=7))
            weeks.append(report(attrs.evolve(UPTIME, period=week), period=week))
        (ax,) = availability_chart(weeks, SERVICE).axes
        assert [label.get_text() for label in ax.get_xticklabels()] == [
            "2026-10-05",
            "2026-10-12",
        ]

    def test_draws_into_the_axes_given(self) -> None:
        """Draws into ``ax`` and returns its figure."""
        pytest.importorskip("matplotlib")
        from matplotlib.figure import Figure  # noqa: PLC0415 - the extra, imported when present

        figure = Figure()
        left, right = figure.subfigures(1, 2)
        ax = right.add_subplot()
        assert availability_chart(MONTHS, SERVICE, ax=ax) is figure
        assert len(ax.get_lines()) == 2
        assert not left.axes

    def test_no_figure_to_draw(self) -> None:
        """Refuses a service with no availability figure in the reports."""
        with pytest.raises(ValidationError) as info:
            availability_chart(MONTHS, "mail")
        assert info.value.errors == [
            (
                "expected a service with an availability figure in the reports, "
                "got no availability figure for 'mail' @ $.service_id"
            )
        ]

    def test_missing_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Raises ImportError naming the analysis extra when matplotlib is not installed."""
        for name in ("matplotlib", "matplotlib.figure", "matplotlib.dates"):
            monkeypatch.setitem(sys.modules, name, None)
        with pytest.raises(ImportError) as info:
            availability_chart(MONTHS, SERVICE)
        assert str(info.value) == (
            "availability_chart needs matplotlib, which is not installed: "
            "pip install 'cloudsms[analysis]'"
        )
        assert info.value.name == "matplotlib"

    def test_leaves_global_state_alone(self, tmp_path: Path) -> None:
        """Imports no pyplot, leaves rcParams (the backend among them) alone and saves a PNG."""
        pytest.importorskip("matplotlib")
        saved = tmp_path / "months.pickle"
        saved.write_bytes(pickle.dumps(MONTHS))
        code = (
            "import pickle, sys, matplotlib; "
            "params = matplotlib.rcParams.copy(); "
            "from cloudsms.reports import availability_chart; "
            f"months = pickle.loads(open({str(saved)!r}, 'rb').read()); "
            f"availability_chart(months, 'crm-service').savefig({str(tmp_path / 'a.png')!r}); "
            "print('matplotlib.pyplot' in sys.modules, matplotlib.rcParams.copy() == params)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert (done.returncode, done.stdout.split()) == (0, ["False", "True"]), done.stderr
        assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"
