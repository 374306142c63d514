"""The agreement's clocks and the register of records (issue 14, sections 2 and 4; S09).

Hand-computed cases first (the Friday-evening incident, waiting on the customer, a
DST weekend in Berlin), then the refusals with their paths, the targets and their
judgements, the register's questions as of an instant, and hypothesis properties of
the clocks.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms.agreements import (
    CloudServiceAgreement,
    Metric,
    ServiceLevelAgreement,
    ServiceTarget,
)
from cloudsms.catalogue import Bound, ServiceLevel
from cloudsms.errors import ValidationError
from cloudsms.lifecycle import advance
from cloudsms.operations import (
    Change,
    ChangeKind,
    ChangeOutcome,
    Incident,
    OperationsRegister,
    ServiceRequest,
    business_time,
    fulfilment_time,
    judge_fulfilment,
    judge_resolution,
    judge_response,
    resolution_time,
    response_time,
    target_for,
)
from cloudsms.periods import Period, SupportHours, add_exact
from cloudsms.testing import aware_datetimes, incidents
from cloudsms.units import quantity

from conftest import examples

if TYPE_CHECKING:
    from types import ModuleType

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "operations.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("operations_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["operations_example"] = module
    spec.loader.exec_module(module)
    return module


example = _example()
# In force since 1900, so every drawn incident and the March DST weekend
# fall under it: a record opened before its agreement takes effect is refused.
AGREEMENT: CloudServiceAgreement = attrs.evolve(
    example.operations_agreement(), effective_from=dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
)
SERVICE = "crm-service"
WHO = "actor:desk-1"


def at(text: str) -> dt.datetime:
    """An instant from ISO 8601 text with its offset."""
    return dt.datetime.fromisoformat(text)


def opened(
    when: str, *, priority: str = "P1", agreement_id: str | None = None, ident: str = "inc-1"
) -> Incident:
    """A new incident on the CRM under the test agreement."""
    return Incident(
        id=ident,
        agreement_id=agreement_id or AGREEMENT.id,
        priority=priority,
        summary="Logins fail",
        services={SERVICE},
        opened_at=at(when),
    )


def moved(incident: Incident, *steps: tuple[str, str]) -> Incident:
    """``incident`` after each ``(event, instant)`` in turn."""
    for event, when in steps:
        incident = advance(incident, event, who=WHO, when=at(when))
    return incident


FRIDAY = "2026-10-02T17:30:00+02:00"


def friday_incident(
    *waits: tuple[str, str], resolved: str = "2026-10-05T10:00:00+02:00"
) -> Incident:
    """Opened Friday 17:30, acknowledged at 17:40, with ``waits``, restored and resolved Monday."""
    steps: list[tuple[str, str]] = [("acknowledge", "2026-10-02T17:40:00+02:00")]
    for start, end in waits:
        steps += [("wait", start), ("resume", end)]
    steps += [("restore", resolved), ("resolve", resolved)]
    return moved(opened(FRIDAY), *steps)


def hours_of(*, pauses: bool = True, hours: SupportHours | None = None) -> CloudServiceAgreement:
    """The test agreement with clocks paused (or not) and other support hours."""
    return attrs.evolve(
        AGREEMENT,
        customer_wait_pauses_clocks=pauses,
        support_hours=hours or AGREEMENT.support_hours,
    )


class TestHandComputed:
    """The cases of issue 14, section 4, worked out by hand."""

    def test_friday_evening_to_monday_morning(self) -> None:
        """09:00-18:00 weekdays: 17:30-18:00 Friday and 09:00-10:00 Monday make 1 h 30 min."""
        incident = friday_incident()
        assert resolution_time(incident, AGREEMENT) == dt.timedelta(hours=1, minutes=30)
        assert response_time(incident, AGREEMENT) == dt.timedelta(minutes=10)

    def test_two_hours_waiting_within_support_hours(self) -> None:
        """Resolved Monday 12:00 after waiting 09:00-11:00: 30 min + 3 h - 2 h = 1 h 30 min."""
        incident = friday_incident(
            ("2026-10-05T09:00:00+02:00", "2026-10-05T11:00:00+02:00"),
            resolved="2026-10-05T12:00:00+02:00",
        )
        assert resolution_time(incident, AGREEMENT) == dt.timedelta(hours=1, minutes=30)
        unpaused = hours_of(pauses=False)
        assert resolution_time(incident, unpaused) == dt.timedelta(hours=3, minutes=30)

    def test_two_hours_waiting_on_saturday_cost_nothing(self) -> None:
        """A wait outside support hours is off the clock anyway: still 1 h 30 min."""
        incident = friday_incident(("2026-10-03T10:00:00+02:00", "2026-10-03T12:00:00+02:00"))
        assert resolution_time(incident, AGREEMENT) == dt.timedelta(hours=1, minutes=30)
        assert resolution_time(incident, hours_of(pauses=False)) == dt.timedelta(
            hours=1, minutes=30
        )

    def test_a_wait_spanning_the_weekend(self) -> None:
        """Waiting Friday 17:45 to Monday 09:30 takes off 15 min + 30 min of the 1 h 30 min."""
        incident = friday_incident(("2026-10-02T17:45:00+02:00", "2026-10-05T09:30:00+02:00"))
        assert resolution_time(incident, AGREEMENT) == dt.timedelta(minutes=45)

    def test_dst_weekend_in_berlin(self) -> None:
        """The clocks go back on 25 October 2026: Friday 17:30 to Monday 10:00 is still 1:30."""
        incident = moved(
            opened("2026-10-23T17:30:00+02:00"),
            ("acknowledge", "2026-10-26T09:05:00+01:00"),
            ("restore", "2026-10-26T09:45:00+01:00"),
            ("resolve", "2026-10-26T10:00:00+01:00"),
        )
        assert resolution_time(incident, AGREEMENT) == dt.timedelta(hours=1, minutes=30)
        assert response_time(incident, AGREEMENT) == dt.timedelta(minutes=35)
        wall = incident.resolved_at - incident.opened_at  # type: ignore[operator]
        assert wall == dt.timedelta(hours=65, minutes=30)  # 64 h 30 min on the wall plus the hour

    def test_dst_night_round_the_clock(self) -> None:
        """With 24x7 support, Saturday noon to Sunday noon over the change is 25 hours."""
        always = hours_of(hours=SupportHours.always("Europe/Berlin"))
        incident = moved(
            opened("2026-10-24T12:00:00+02:00"),
            ("acknowledge", "2026-10-24T12:00:00+02:00"),
            ("restore", "2026-10-25T11:00:00+01:00"),
            ("resolve", "2026-10-25T12:00:00+01:00"),
        )
        assert resolution_time(incident, always) == dt.timedelta(hours=25)

    def test_spring_forward_round_the_clock(self) -> None:
        """The night of 29 March 2026 loses an hour: Saturday noon to Sunday noon is 23 hours."""
        always = hours_of(hours=SupportHours.always("Europe/Berlin"))
        incident = moved(
            opened("2026-03-28T12:00:00+01:00"),
            ("acknowledge", "2026-03-28T12:00:00+01:00"),
            ("restore", "2026-03-29T12:00:00+02:00"),
            ("resolve", "2026-03-29T12:00:00+02:00"),
        )
        assert resolution_time(incident, always) == dt.timedelta(hours=23)

    def test_the_support_hours_zone_is_used_whatever_the_offsets_written(self) -> None:
        """The same instants written in UTC measure the same."""
        incident = moved(
            opened("2026-10-02T15:30:00+00:00"),
            ("acknowledge", "2026-10-02T15:40:00+00:00"),
            ("restore", "2026-10-05T08:00:00+00:00"),
            ("resolve", "2026-10-05T08:00:00+00:00"),
        )
        assert resolution_time(incident, AGREEMENT) == dt.timedelta(hours=1, minutes=30)


class TestOpenClocks:
    """Without ``as_of`` an unstopped clock is None; with it, the time so far."""

    def test_not_acknowledged(self) -> None:
        """None without as_of; the running time as of Monday 10:00; None before the opening."""
        incident = opened(FRIDAY)
        assert response_time(incident, AGREEMENT) is None
        assert resolution_time(incident, AGREEMENT) is None
        monday = at("2026-10-05T10:00:00+02:00")
        assert response_time(incident, AGREEMENT, as_of=monday) == dt.timedelta(minutes=90)
        assert response_time(incident, AGREEMENT, as_of=at("2026-10-01T00:00:00+02:00")) is None

    def test_events_after_as_of_are_ignored(self) -> None:
        """As of Friday 17:35 the incident was not yet acknowledged: 5 minutes so far."""
        incident = friday_incident()
        early = at("2026-10-02T17:35:00+02:00")
        assert response_time(incident, AGREEMENT, as_of=early) == dt.timedelta(minutes=5)
        timing = judge_response(incident, AGREEMENT, as_of=early)
        assert timing is not None
        assert (timing.final, timing.met) == (False, True)
        final = judge_response(incident, AGREEMENT, as_of=at("2026-10-09T00:00:00+02:00"))
        assert final is not None
        assert (final.final, final.measured) == (True, dt.timedelta(minutes=10))

    def test_an_open_wait_stops_the_clock(self) -> None:
        """Waiting since Monday 09:00, as of 11:00: 30 min Friday, nothing since."""
        incident = moved(
            opened(FRIDAY),
            ("acknowledge", "2026-10-02T17:40:00+02:00"),
            ("wait", "2026-10-05T09:00:00+02:00"),
        )
        as_of = at("2026-10-05T11:00:00+02:00")
        assert resolution_time(incident, AGREEMENT, as_of=as_of) == dt.timedelta(minutes=30)
        unpaused = hours_of(pauses=False)
        assert resolution_time(incident, unpaused, as_of=as_of) == dt.timedelta(
            hours=2, minutes=30
        )


class TestRefusals:
    """An incident of another agreement, or off the scale, is refused with its path."""

    def test_another_agreement(self) -> None:
        """The incident's agreement_id is named."""
        with pytest.raises(ValidationError) as caught:
            response_time(opened(FRIDAY, agreement_id="csa-other"), AGREEMENT)
        assert [p.path for p in caught.value.problems] == ["$.incident.agreement_id"]
        assert "csa-2026-001" in caught.value.problems[0].expected

    def test_a_priority_off_the_scale(self) -> None:
        """P7 is not on the scale (P1, P2)."""
        with pytest.raises(ValidationError) as caught:
            judge_resolution(opened(FRIDAY, priority="P7"), AGREEMENT)
        (problem,) = caught.value.problems
        assert problem.path == "$.incident.priority"
        assert "P1, P2" in problem.expected

    def test_not_an_incident_nor_an_instant(self) -> None:
        """A request where an incident belongs, and a naive as_of."""
        with pytest.raises(ValidationError) as caught:
            response_time("inc-1", AGREEMENT)  # type: ignore[arg-type]
        assert [p.path for p in caught.value.problems] == ["$.incident"]
        with pytest.raises(ValidationError) as caught:
            response_time(opened(FRIDAY), AGREEMENT, as_of=dt.datetime(2026, 10, 5))
        assert [p.path for p in caught.value.problems] == ["$.as_of"]

    def test_a_request_of_another_agreement(self) -> None:
        """The request's agreement_id is named."""
        request = attrs.evolve(a_request(), agreement_id="csa-other")
        with pytest.raises(ValidationError) as caught:
            fulfilment_time(request, AGREEMENT)
        assert [p.path for p in caught.value.problems] == ["$.request.agreement_id"]


def a_request(*steps: tuple[str, str, dict[str, Any]]) -> ServiceRequest:
    """A request made Friday 17:00, moved by ``steps``."""
    request = ServiceRequest(
        id="req-1",
        agreement_id=AGREEMENT.id,
        customer_id="globex",
        requested_by="globex-ana",
        kind="new-user",
        summary="Access for a new colleague",
        requested_at=at("2026-10-02T17:00:00+02:00"),
    )
    for event, when, data in steps:
        request = advance(request, event, who=WHO, when=at(when), data=data)
    return request


def fulfilment_target(threshold: str) -> ServiceTarget:
    """A request fulfilment target of at most ``threshold``."""
    level = ServiceLevel(
        measure="request fulfilment time", bound=Bound.AT_MOST, target=quantity(threshold)
    )
    return ServiceTarget(id="fulfilment", level=level)


def with_targets(*extra: ServiceTarget, sla_id: str = "extra-sla") -> CloudServiceAgreement:
    """The test agreement with one more SLA over the CRM holding ``extra``."""
    sla = ServiceLevelAgreement(id=sla_id, service_ids={SERVICE}, targets=extra)
    return attrs.evolve(AGREEMENT, slas=(*AGREEMENT.slas, sla))


class TestFulfilment:
    """Request fulfilment runs on the wall clock (the Metric table says so)."""

    def test_the_metric_is_on_the_wall_clock(self) -> None:
        """As the Metric table has it."""
        assert not Metric.REQUEST_FULFILMENT_TIME.on_support_hours
        assert Metric.INCIDENT_RESOLUTION_TIME.on_support_hours

    def test_over_a_weekend(self) -> None:
        """Friday 17:00 to Monday 09:00 is 64 hours on the wall; waits come off."""
        request = a_request(
            ("start", "2026-10-02T17:30:00+02:00", {}),
            ("fulfil", "2026-10-05T09:00:00+02:00", {}),
        )
        assert fulfilment_time(request, AGREEMENT) == dt.timedelta(hours=64)
        waited = a_request(
            ("start", "2026-10-02T17:30:00+02:00", {}),
            ("wait", "2026-10-03T10:00:00+02:00", {}),
            ("resume", "2026-10-03T14:00:00+02:00", {}),
            ("fulfil", "2026-10-05T09:00:00+02:00", {}),
        )
        assert fulfilment_time(waited, AGREEMENT) == dt.timedelta(hours=60)
        assert fulfilment_time(waited, hours_of(pauses=False)) == dt.timedelta(hours=64)

    def test_rejected_or_open(self) -> None:
        """A rejected request is never fulfilled; an open one runs as of an instant."""
        rejected = a_request(("reject", "2026-10-02T18:00:00+02:00", {"reason": "No licence"}))
        assert fulfilment_time(rejected, AGREEMENT) is None
        assert fulfilment_time(a_request(), AGREEMENT) is None
        later = at("2026-10-02T19:00:00+02:00")
        assert fulfilment_time(a_request(), AGREEMENT, as_of=later) == dt.timedelta(hours=2)

    def test_judged_against_the_fulfilment_target(self) -> None:
        """Two days allowed: 64 hours missed it by 16 hours (57,600 s)."""
        request = a_request(
            ("start", "2026-10-02T17:00:00+02:00", {}),
            ("fulfil", "2026-10-05T09:00:00+02:00", {}),
        )
        assert judge_fulfilment(request, AGREEMENT) is None  # no fulfilment target agreed
        agreed = with_targets(fulfilment_target("2 day"))
        timing = judge_fulfilment(request, agreed)
        assert timing is not None
        assert (timing.met, timing.judgement.margin) == (False, Decimal(-57600))
        assert timing.target.id == "fulfilment"


class TestTargets:
    """The target for a metric and a priority, and the judgement against it."""

    def test_found_per_priority(self) -> None:
        """P1 response is 30 min; P2 resolution 2 days; no target for an uncovered service."""
        p1 = target_for(AGREEMENT, Metric.INCIDENT_RESPONSE_TIME, "P1")
        assert p1 is not None
        assert (p1.id, p1.threshold) == ("p1-response", Decimal(1800))
        p2 = target_for(AGREEMENT, Metric.INCIDENT_RESOLUTION_TIME, "P2")
        assert p2 is not None
        assert p2.id == "p2-resolution"
        assert (
            target_for(AGREEMENT, Metric.INCIDENT_RESPONSE_TIME, "P1", services={"mail"}) is None
        )
        assert target_for(AGREEMENT, Metric.REQUEST_FULFILMENT_TIME) is None

    def test_the_strictest_applies(self) -> None:
        """A second SLA promising a 15-minute P1 response wins over 30 minutes."""
        level = ServiceLevel(
            measure="incident response time", bound=Bound.AT_MOST, target=quantity("15 min")
        )
        agreed = with_targets(ServiceTarget(id="fast", level=level, priority="P1"))
        found = target_for(agreed, Metric.INCIDENT_RESPONSE_TIME, "P1")
        assert found is not None
        assert found.id == "fast"

    def test_judgements(self) -> None:
        """The Friday incident: response met by 20 min, resolution met by 2 h 30 min."""
        incident = friday_incident()
        response = judge_response(incident, AGREEMENT)
        resolution = judge_resolution(incident, AGREEMENT)
        assert response is not None
        assert resolution is not None
        assert (response.met, response.judgement.margin) == (True, Decimal(1200))
        assert (resolution.met, resolution.judgement.margin) == (True, Decimal(9000))
        assert resolution.measured == dt.timedelta(hours=1, minutes=30)
        assert resolution.final

    def test_missed(self) -> None:
        """Acknowledged Monday 10:00: 90 minutes against 30 is missed by an hour."""
        incident = moved(opened(FRIDAY), ("acknowledge", "2026-10-05T10:00:00+02:00"))
        timing = judge_response(incident, AGREEMENT)
        assert timing is not None
        assert (timing.met, timing.judgement.margin) == (False, Decimal(-3600))
        assert judge_resolution(incident, AGREEMENT) is None  # not resolved


def a_change(change_id: str, kind: ChangeKind, implemented: str, outcome: str | None) -> Change:
    """A change of ``kind`` implemented at ``implemented`` and closed with ``outcome``."""
    change = Change(
        id=change_id,
        kind=kind,
        summary="A change",
        services={SERVICE},
        requested_at=at("2026-09-20T09:00:00+02:00"),
    )
    if kind is ChangeKind.NORMAL:
        change = advance(change, "approve", who=WHO, when=at("2026-09-21T09:00:00+02:00"))
    change = advance(change, "implement", who=WHO, when=at(implemented))
    if kind is ChangeKind.EMERGENCY:
        change = advance(change, "approve_retrospectively", who=WHO, when=at(implemented))
    if outcome is not None:
        change = advance(change, "review", who=WHO, when=at(implemented))
        change = attrs.evolve(change, outcome=ChangeOutcome(outcome))
        change = advance(change, "close", who=WHO, when=at(implemented), data={"outcome": outcome})
    return change


OCTOBER = Period.month(2026, 10, "Europe/Berlin")
END = OCTOBER.end


class TestRegister:
    """The register checks what it holds and answers as of an instant."""

    def test_refuses_what_does_not_belong(self) -> None:
        """Duplicate ids, another agreement, a priority off the scale, services not subscribed."""
        first = friday_incident()
        other = opened(FRIDAY, agreement_id="csa-other", ident="inc-2")
        off = opened(FRIDAY, priority="P9", ident="inc-3")
        elsewhere = attrs.evolve(opened(FRIDAY, ident="inc-4"), services={"erp"})
        request = attrs.evolve(a_request(), agreement_id="csa-other")
        with pytest.raises(ValidationError) as caught:
            OperationsRegister(
                agreement=AGREEMENT,
                incidents=(first, first, other, off, elsewhere),
                requests=(request,),
                changes=("chg-1",),  # type: ignore[arg-type]
            )
        assert [p.path for p in caught.value.problems] == [
            "$.incidents[1].id",
            "$.changes[0]",
            "$.incidents[2].agreement_id",
            "$.incidents[3].priority",
            "$.incidents[4].services",
            "$.requests[0].agreement_id",
        ]

    def test_open_incidents_by_priority(self) -> None:
        """As of Monday 09:30 the Friday P1 is open; as of the month's end it is resolved."""
        p1 = friday_incident()
        p2 = opened("2026-10-05T09:00:00+02:00", priority="P2", ident="inc-2")
        register = OperationsRegister(agreement=AGREEMENT, incidents=(p1, p2))
        monday = at("2026-10-05T09:30:00+02:00")
        assert register.open_incidents_by_priority(monday) == {"P1": (p1,), "P2": (p2,)}
        assert register.open_incidents_by_priority(END) == {"P1": (), "P2": (p2,)}
        before = at("2026-10-01T00:00:00+02:00")
        assert register.open_incidents_by_priority(before) == {"P1": (), "P2": ()}

    def test_breaches(self) -> None:
        """A late acknowledgement is a breach; a running clock past its target is one too."""
        late = moved(
            opened(FRIDAY, ident="inc-late"),
            ("acknowledge", "2026-10-05T10:00:00+02:00"),
        )
        on_time = friday_incident()
        register = OperationsRegister(agreement=AGREEMENT, incidents=(on_time, late))
        found = register.breaches(OCTOBER, END)
        assert [(b.incident.id, b.metric) for b in found] == [
            ("inc-late", Metric.INCIDENT_RESPONSE_TIME),
            ("inc-late", Metric.INCIDENT_RESOLUTION_TIME),
        ]
        assert not found[1].timing.final  # still running at the month's end
        friday_night = at("2026-10-02T17:50:00+02:00")
        assert register.breaches(OCTOBER, friday_night) == ()
        assert register.breaches(Period.month(2026, 11, "Europe/Berlin"), END) == ()

    def test_mean_time_to_restore(self) -> None:
        """On the wall clock: 64 h 30 min and 2 h average to 33 h 15 min."""
        weekend = friday_incident()
        quick = moved(
            opened("2026-10-06T10:00:00+02:00", ident="inc-2"),
            ("acknowledge", "2026-10-06T10:00:00+02:00"),
            ("restore", "2026-10-06T12:00:00+02:00"),
        )
        register = OperationsRegister(agreement=AGREEMENT, incidents=(weekend, quick))
        assert register.mean_time_to_restore(OCTOBER, END) == dt.timedelta(hours=33, minutes=15)
        early = at("2026-10-06T11:00:00+02:00")
        assert register.mean_time_to_restore(OCTOBER, early) == dt.timedelta(hours=64, minutes=30)
        assert register.mean_time_to_restore(OCTOBER, at(FRIDAY)) is None

    def test_changes_by_kind_and_outcome(self) -> None:
        """Implemented in October, by kind, then by the outcome recorded by as_of."""
        ok = a_change("chg-1", ChangeKind.NORMAL, "2026-10-07T22:00:00+02:00", "successful")
        failed = a_change("chg-2", ChangeKind.STANDARD, "2026-10-08T22:00:00+02:00", "failed")
        open_ = a_change("chg-3", ChangeKind.EMERGENCY, "2026-10-09T03:00:00+02:00", None)
        september = a_change("chg-4", ChangeKind.NORMAL, "2026-09-30T22:00:00+02:00", "successful")
        register = OperationsRegister(agreement=AGREEMENT, changes=(ok, failed, open_, september))
        assert register.changes_by_kind_and_outcome(OCTOBER, END) == {
            ChangeKind.STANDARD: {ChangeOutcome.FAILED: (failed,)},
            ChangeKind.NORMAL: {ChangeOutcome.SUCCESSFUL: (ok,)},
            ChangeKind.EMERGENCY: {None: (open_,)},
        }
        early = at("2026-10-08T12:00:00+02:00")
        assert register.changes_by_kind_and_outcome(OCTOBER, early) == {
            ChangeKind.STANDARD: {},
            ChangeKind.NORMAL: {ChangeOutcome.SUCCESSFUL: (ok,)},
            ChangeKind.EMERGENCY: {},
        }

    def test_questions_refuse_a_naive_instant(self) -> None:
        """as_of must be aware."""
        register = OperationsRegister(agreement=AGREEMENT)
        with pytest.raises(ValidationError) as caught:
            register.breaches(OCTOBER, dt.datetime(2026, 11, 1))
        assert [p.path for p in caught.value.problems] == ["$.as_of"]


# ---------------------------------------------------------------------- properties
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC")
CALENDARS = st.sampled_from(
    [
        SupportHours.weekdays("09:00", "18:00", "Europe/Berlin"),
        SupportHours.weekdays("08:00", "20:00", "America/New_York"),
        SupportHours.always("Australia/Lord_Howe"),
        SupportHours.weekdays("00:30", "02:30", "Europe/Berlin", holidays=[dt.date(2026, 10, 26)]),
    ]
)
INSTANTS = aware_datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2028, 1, 1),
)


class TestProperties:
    """What holds for every incident and every calendar."""

    @settings(max_examples=examples(60), deadline=None)
    @given(CALENDARS, INSTANTS, st.integers(0, 3 * 366 * 86_400))
    def test_business_time_is_elapsed(
        self, hours: SupportHours, start: dt.datetime, seconds: int
    ) -> None:
        """The remembered clock gives exactly what SupportHours.elapsed gives."""
        end = add_exact(start, dt.timedelta(seconds=seconds))
        assert business_time(hours, start, end) == hours.elapsed(start, end)

    @settings(max_examples=examples(60), deadline=None)
    @given(
        incidents(agreement_ids=[AGREEMENT.id], priorities=("P1", "P2"), services=[SERVICE]),
        st.booleans(),
    )
    def test_clock_never_exceeds_wall_time_and_waiting_never_adds(
        self, incident: Incident, pauses: bool
    ) -> None:
        """Support time is at most the wall time; pausing for waits never makes it longer."""
        agreement = hours_of(pauses=pauses)
        for measure, end in (
            (response_time, incident.acknowledged_at),
            (resolution_time, incident.resolved_at),
        ):
            found = measure(incident, agreement)
            if end is None:
                assert found is None
                continue
            assert found is not None
            wall = end.astimezone(dt.UTC) - incident.opened_at.astimezone(dt.UTC)
            assert dt.timedelta() <= found <= wall
            unpaused = measure(incident, hours_of(pauses=False))
            assert unpaused is not None
            assert found <= unpaused

    @settings(max_examples=examples(60), deadline=None)
    @given(
        incidents(agreement_ids=[AGREEMENT.id], priorities=("P1", "P2"), services=[SERVICE]),
        st.integers(0, 30 * 86_400),
        st.integers(0, 30 * 86_400),
    )
    def test_a_later_end_never_shortens(self, incident: Incident, first: int, second: int) -> None:
        """Read as of a later instant, a clock never shows less."""
        early = add_exact(incident.opened_at, dt.timedelta(seconds=min(first, second)))
        late = add_exact(incident.opened_at, dt.timedelta(seconds=max(first, second)))
        for measure in (response_time, resolution_time):
            before = measure(incident, AGREEMENT, as_of=early)
            after = measure(incident, AGREEMENT, as_of=late)
            assert before is not None
            assert after is not None
            assert before <= after


class TestReviewFindings:
    """Found by a review as a new user: each stays fixed."""

    def test_opened_before_the_agreement(self) -> None:
        """An incident opened before the agreement takes effect is refused at its opening."""
        early = attrs.evolve(AGREEMENT, effective_from=dt.datetime(2026, 10, 3, tzinfo=dt.UTC))
        with pytest.raises(ValidationError) as caught:
            response_time(opened(FRIDAY), early)
        assert [p.path for p in caught.value.problems] == ["$.incident.opened_at"]

    def test_a_request_that_will_never_be_fulfilled(self) -> None:
        """A rejected request has no fulfilment time, with or without as_of."""
        from cloudsms.operations import ServiceRequest  # noqa: PLC0415

        made = ServiceRequest(
            id="req-1",
            agreement_id=AGREEMENT.id,
            customer_id="globex",
            requested_by="globex-user",
            kind="new-user",
            summary="Add a user",
            requested_at=at(FRIDAY),
        )
        rejected = advance(
            made, "reject", who=WHO, when=at(FRIDAY), data={"reason": "Not entitled"}
        )
        later = at(FRIDAY) + dt.timedelta(days=9)
        assert fulfilment_time(rejected, AGREEMENT) is None
        assert fulfilment_time(rejected, AGREEMENT, as_of=later) is None

    def test_an_incident_begun_past_its_stop_is_not_measured(self) -> None:
        """An incident imported as resolved has no response or resolution time."""
        from cloudsms.operations import INCIDENT_LIFECYCLE  # noqa: PLC0415

        imported = attrs.evolve(
            opened(FRIDAY),
            lifecycle=INCIDENT_LIFECYCLE.begin(id="inc-1", origin="resolved"),
        )
        later = at(FRIDAY) + dt.timedelta(days=9)
        assert response_time(imported, AGREEMENT, as_of=later) is None
        assert resolution_time(imported, AGREEMENT, as_of=later) is None

    def test_a_later_amendment_changes_no_earlier_figure(self) -> None:
        """Support hours amended after an incident leave its figures as they were."""
        from cloudsms.agreements import Amendment, TermKind, amend  # noqa: PLC0415
        from cloudsms.parties import Acknowledgement  # noqa: PLC0415

        incident = moved(opened(FRIDAY), ("acknowledge", "2026-10-05T09:10:00+02:00"))
        before = response_time(incident, AGREEMENT)
        always = Amendment(
            term=TermKind.SUPPORT_HOURS,
            value=SupportHours.always("Europe/Berlin"),
            proposed_at=dt.datetime(2026, 10, 10, tzinfo=dt.UTC),
            proposed_by="globex",
        )
        consent = Acknowledgement(
            party_id=AGREEMENT.customer_id,
            terms_id=AGREEMENT.id,
            version=str(AGREEMENT.version + 1),
            accepted_at=dt.datetime(2026, 10, 15, tzinfo=dt.UTC),
        )
        amended = amend(AGREEMENT, always, consent=consent)
        assert amended.support_hours != AGREEMENT.support_hours
        assert response_time(incident, amended) == before == dt.timedelta(minutes=40)

    def test_an_incident_is_named_with_its_article(self) -> None:
        """What is not an incident is refused as 'an Incident' at $.incident."""
        with pytest.raises(ValidationError) as caught:
            response_time("inc-1", AGREEMENT)  # type: ignore[arg-type]
        assert caught.value.errors == ["expected an Incident, got 'inc-1' (string) @ $.incident"]
