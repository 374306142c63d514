"""An incident, the problem behind it and the change that fixes it, timed against targets (S09).

Run it with ``python examples/operations.py``. It takes the agreement of
``examples/agreement.py`` with support hours of 09:00-18:00 on weekdays (Berlin),
clocks paused while waiting on the customer, and response and resolution targets per
priority; records a P1 incident opened on a Friday evening (acknowledged, an expected
restoration announced, two hours waiting on the customer, restored and resolved on
Monday), the problem raised for it with its known error and workaround, and the
normal change that removes the cause (approved, implemented, reviewed, closed); then
prints the incident's response and resolution times against the targets, the
problem's and the change's times, and what the register of records answers for
October: breaches, mean time to restore and changes by kind and outcome, and the
table ``cloudsms incident list`` prints.

Serves S09 (incidents, problems and changes recorded and measured on the agreement's
clock) and S07 (the targets); ISO/IEC 20000-1:2011 6.1, 8.1, 8.2 and 9.2.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import attrs

from cloudsms.agreements import CloudServiceAgreement, ServiceLevelAgreement, ServiceTarget
from cloudsms.catalogue import Bound, ServiceLevel
from cloudsms.lifecycle import advance
from cloudsms.operations import (
    Change,
    ChangeKind,
    ChangeOutcome,
    Incident,
    KnownError,
    OperationsRegister,
    Problem,
    judge_resolution,
    judge_response,
)
from cloudsms.periods import Period, SupportHours
from cloudsms.reports import incident_table
from cloudsms.units import quantity


def _agreement_example():  # noqa: ANN202 - a module loaded from its file
    """examples/agreement.py, beside this file, loaded by its path (its builders are reused)."""
    name = "cloudsms_agreement_example"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("agreement.py"))
    assert spec is not None  # noqa: S101 - the file is beside this one
    assert spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_AGREEMENT = _agreement_example()
UPTIME: ServiceTarget = _AGREEMENT.UPTIME
BERLIN = "Europe/Berlin"
SERVICE = "crm-service"
EXPECTED = "2026-10-05T12:00:00+02:00"


def at(text: str) -> dt.datetime:
    """An instant from ISO 8601 text with its offset (``"2026-10-02T17:30+02:00"``)."""
    return dt.datetime.fromisoformat(text)


def time_target(target_id: str, measure: str, threshold: str, priority: str) -> ServiceTarget:
    """A target of at most ``threshold`` for ``measure`` at ``priority``."""
    level = ServiceLevel(measure=measure, bound=Bound.AT_MOST, target=quantity(threshold))
    return ServiceTarget(id=target_id, level=level, priority=priority)


TARGETS = (
    time_target("p1-response", "incident response time", "30 min", "P1"),
    time_target("p1-resolution", "incident resolution time", "4 h", "P1"),
    time_target("p2-response", "incident response time", "2 h", "P2"),
    time_target("p2-resolution", "incident resolution time", "2 day", "P2"),
)
"""Response and resolution targets per priority, on the support-hours clock."""


def operations_agreement() -> CloudServiceAgreement:
    """The CRM agreement with 09:00-18:00 weekday support and the targets above."""
    base: CloudServiceAgreement = _AGREEMENT.agree(_AGREEMENT.catalogue())
    return attrs.evolve(
        base,
        support_hours=SupportHours.weekdays("09:00", "18:00", BERLIN),
        customer_wait_pauses_clocks=True,
        slas=(
            ServiceLevelAgreement(id="crm-sla", service_ids={SERVICE}, targets=(UPTIME, *TARGETS)),
        ),
    )


def incident(agreement: CloudServiceAgreement) -> Incident:
    """A P1 incident opened Friday 17:30, resolved Monday, two hours waiting on the customer."""
    opened = Incident(
        id="inc-1",
        agreement_id=agreement.id,
        priority="P1",
        summary="Logins to the CRM fail",
        services={SERVICE},
        customers={agreement.customer_id},
        opened_at=at("2026-10-02T17:30:00+02:00"),
        problem_id="prb-1",
    )
    steps: list[tuple[str, str, dict[str, str]]] = [
        ("acknowledge", "2026-10-02T17:40:00+02:00", {}),
        (
            "estimate",
            "2026-10-02T17:45:00+02:00",
            {"expected_restoration": "2026-10-05T12:00:00+02:00"},
        ),
        ("wait", "2026-10-05T09:15:00+02:00", {}),  # the customer's logs are needed
        ("resume", "2026-10-05T11:15:00+02:00", {}),
        ("restore", "2026-10-05T11:45:00+02:00", {}),
        ("resolve", "2026-10-05T12:00:00+02:00", {}),
    ]
    for event, when, data in steps:
        opened = advance(opened, event, who="actor:desk-1", when=at(when), data=data)
    return opened


def change() -> Change:
    """The normal change that raises the connection pool: approved, run, reviewed, closed."""
    requested = Change(
        id="chg-1",
        kind=ChangeKind.NORMAL,
        summary="Raise the database connection pool from 50 to 200",
        services={SERVICE},
        requested_at=at("2026-10-05T14:00:00+02:00"),
    )
    approved = advance(
        requested, "approve", who="actor:cab-1", when=at("2026-10-06T10:00:00+02:00")
    )
    done = advance(approved, "implement", who="actor:ops-2", when=at("2026-10-07T22:00:00+02:00"))
    reviewed = advance(done, "review", who="actor:cab-1", when=at("2026-10-08T10:00:00+02:00"))
    closing = attrs.evolve(reviewed, outcome=ChangeOutcome.SUCCESSFUL)
    return advance(
        closing,
        "close",
        who="actor:cab-1",
        when=at("2026-10-08T10:30:00+02:00"),
        data={"outcome": "successful"},
    )


def problem(fix: Change) -> Problem:
    """The problem behind the incident: a known error with a workaround, resolved by ``fix``."""
    known = KnownError(
        description="The connection pool runs dry at the Friday evening peak",
        workaround="Restart the login service to release stale connections",
    )
    logged = Problem(id="prb-1", summary="Login failures at peak load", incident_ids={"inc-1"})
    looked_at = advance(
        logged, "investigate", who="actor:ops-2", when=at("2026-10-05T13:00:00+02:00")
    )
    looked_at = attrs.evolve(looked_at, root_cause="Pool of 50 connections", known_error=known)
    found = advance(
        looked_at,
        "record_known_error",
        who="actor:ops-2",
        when=at("2026-10-05T13:30:00+02:00"),
        data={"known_error": known.as_data()},
    )
    fixing = attrs.evolve(found, change_id=fix.id)
    return advance(
        fixing,
        "resolve",
        who="actor:ops-2",
        when=fix.closed_at or fix.requested_at,
        data={"change": fix.id},
    )


def hours(time: dt.timedelta) -> str:
    """A duration as ``H:MM``."""
    minutes = int(time.total_seconds()) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def main() -> None:
    """Record the three, print their times against the targets and the register's answers."""
    agreement = operations_agreement()
    broken = incident(agreement)
    fix = change()
    cause = problem(fix)
    print(f"Incident {broken.id} ({broken.priority}), opened {broken.opened_at:%a %Y-%m-%d %H:%M}")
    print(f"  expected restoration shown to the customer: {broken.latest_expected_restoration}")
    for label, timing in (
        ("response", judge_response(broken, agreement)),
        ("resolution", judge_resolution(broken, agreement)),
    ):
        assert timing is not None  # noqa: S101 - the agreement sets both targets for P1
        verdict = "met" if timing.met else "missed"
        threshold = hours(dt.timedelta(seconds=int(timing.target.threshold)))
        print(
            f"  {label:<10} {hours(timing.measured)} on the support-hours clock, "
            f"target {threshold} ({timing.target.id}): {verdict}"
        )
    waited = sum((p.duration for p in broken.waiting_periods()), dt.timedelta())
    print(f"  waiting on the customer, off the clock: {hours(waited)}")
    assert cause.resolved_at is not None  # noqa: S101 - resolved above
    print(
        f"Problem {cause.id}: known error recorded {cause.known_error_recorded_at:%a %H:%M}, "
        f"resolved by {cause.change_id} "
        f"after {hours(cause.resolved_at - broken.opened_at)} (wall clock)"
    )
    assert fix.implemented_at is not None  # noqa: S101 - implemented above
    print(
        f"Change {fix.id} ({fix.kind.value}): approved by {fix.approved_by} at "
        f"{fix.approved_at:%a %H:%M}, implemented {fix.implemented_at:%a %H:%M}, "
        f"outcome {fix.outcome}"
    )
    register = OperationsRegister(
        agreement=agreement, incidents=(broken,), problems=(cause,), changes=(fix,)
    )
    october = Period.month(2026, 10, agreement.timezone)
    as_of = october.end
    breaches = register.breaches(october, as_of)
    print(f"\nOctober 2026, as of {as_of.isoformat()}:")
    print(
        f"  breaches: {', '.join(f'{b.incident.id} {b.metric.value}' for b in breaches) or 'none'}"
    )
    mttr = register.mean_time_to_restore(october, as_of)
    print(f"  mean time to restore: {hours(mttr) if mttr is not None else 'none restored'}")
    for kind, outcomes in register.changes_by_kind_and_outcome(october, as_of).items():
        counts = ", ".join(f"{outcome}: {len(found)}" for outcome, found in outcomes.items())
        print(f"  {kind.value} changes: {counts or 'none'}")
    print(f"\n$ cloudsms incident list {agreement.id}.json records.json --period 2026-10")
    print(incident_table(register, october, as_of))


if __name__ == "__main__":
    main()
