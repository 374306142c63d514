"""Maintenance windows, incidents and service requests (S09; 20000-1:2011 8.1, 9.2)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant

from cloudsms.agreements import OutageCause
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import advance, register_lifecycle, verify
from cloudsms.operations import (
    INCIDENT_LIFECYCLE,
    SERVICE_REQUEST_LIFECYCLE,
    Incident,
    MaintenanceWindow,
    ServiceRequest,
)
from cloudsms.parties import COMPLAINT_LIFECYCLE
from cloudsms.periods import Period, timezone
from cloudsms.serialization import from_json, to_json
from cloudsms.testing import (
    incidents,
    lifecycle_machine,
    maintenance_windows,
    service_requests,
)

from conftest import examples

# Until the lead adds them to the built-in table, the lifecycles are registered here so
# that their instances can be written and read (registering the same path is a no-op).
register_lifecycle("incident", "cloudsms.operations.incidents:INCIDENT_LIFECYCLE")
register_lifecycle("service_request", "cloudsms.operations.requests:SERVICE_REQUEST_LIFECYCLE")

UTC = dt.UTC
BERLIN = timezone("Europe/Berlin")
T0 = dt.datetime(2026, 10, 2, 9, 0, tzinfo=UTC)
WHO = "actor:desk-1"


def at(minutes: int) -> dt.datetime:
    """T0 plus ``minutes``."""
    return T0 + dt.timedelta(minutes=minutes)


def estimate(expected: str) -> dict[str, Any]:
    """The data of an ``estimate`` event."""
    return {"expected_restoration": expected}


INCIDENT = Incident(
    id="inc-1",
    agreement_id="agr-1",
    priority="p2",
    summary="Logins fail for some users",
    services={"crm"},
    customers={"acme", "globex"},
    opened_at=T0,
)

REQUEST = ServiceRequest(
    id="req-1",
    agreement_id="agr-1",
    customer_id="acme",
    requested_by="acme-ana",
    kind="new-user",
    summary="Access for a new colleague",
    requested_at=T0,
)


def window(**changes: Any) -> MaintenanceWindow:
    """A valid window, with ``changes``."""
    values: dict[str, Any] = {
        "start": dt.datetime(2026, 10, 3, 22, tzinfo=UTC),
        "end": dt.datetime(2026, 10, 4, 2, tzinfo=UTC),
        "services": {"crm", "mail"},
        "announced_at": dt.datetime(2026, 9, 26, 9, tzinfo=UTC),
    }
    return MaintenanceWindow(**{**values, **changes})


def moved(record: Any, *steps: tuple[str, int, dict[str, Any] | None]) -> Any:
    """``record`` after each (event, minutes after T0, data) step, by ``advance``."""
    for event, minutes, data in steps:
        record = advance(record, event, who=WHO, when=at(minutes), data=data)
    return record


# ---------------------------------------------------------------------- maintenance windows
class TestMaintenanceWindow:
    """An announced span of time over some services, half-open."""

    def test_contains_is_half_open(self) -> None:
        """Holds its start and every instant up to, not including, its end."""
        w = window()
        assert w.contains(w.start)
        assert w.contains(dt.datetime(2026, 10, 4, 1, 59, 59, tzinfo=UTC))
        assert not w.contains(w.end)
        assert not w.contains(dt.datetime(2026, 10, 3, 21, 59, 59, tzinfo=UTC))

    def test_contains_compares_instants_across_zones(self) -> None:
        """An instant written in another zone is placed on the absolute timeline."""
        assert window().contains(dt.datetime(2026, 10, 4, 3, 30, tzinfo=BERLIN))  # 01:30Z
        assert not window().contains(dt.datetime(2026, 10, 4, 4, 0, tzinfo=BERLIN))  # 02:00Z

    def test_period(self) -> None:
        """Its period is [start, end)."""
        w = window()
        assert w.period == Period(w.start, w.end)
        assert w.period.duration == dt.timedelta(hours=4)

    def test_announced_at_the_start(self) -> None:
        """May be announced at the very instant it starts."""
        w = window(announced_at=dt.datetime(2026, 10, 3, 22, tzinfo=UTC))
        assert w.announced_at == w.start

    def test_end_not_after_start(self) -> None:
        """Refuses an end at or before the start (in any zone), at $.end."""
        same = dt.datetime(2026, 10, 3, 22, tzinfo=UTC)
        before = dt.datetime(2026, 10, 3, 23, 0, tzinfo=BERLIN)  # 21:00Z
        for end in (same, before):
            with pytest.raises(ValidationError) as info:
                window(end=end)
            assert info.value.errors == [
                (
                    "expected an instant after the start (2026-10-03T22:00:00+00:00), "
                    f"got {end.isoformat()} @ $.end"
                )
            ]

    def test_announced_after_start(self) -> None:
        """Refuses an announcement after the start, at $.announced_at."""
        with pytest.raises(ValidationError) as info:
            window(announced_at=dt.datetime(2026, 10, 3, 22, 0, 1, tzinfo=UTC))
        assert info.value.errors == [
            (
                "expected an instant no later than the start (2026-10-03T22:00:00+00:00), "
                "got 2026-10-03T22:00:01+00:00 @ $.announced_at"
            )
        ]

    def test_field_problems(self) -> None:
        """Refuses a naive start, no services and a bad service id, each at its path."""
        with pytest.raises(ValidationError) as info:
            window(start=dt.datetime(2026, 10, 3, 22), services=set())
        assert info.value.paths == ["$.start", "$.services"]
        with pytest.raises(ValidationError) as info:
            window(services={"crm", "no spaces"})
        assert info.value.paths == ["$.services[1]"]

    def test_contains_refuses_a_naive_instant(self) -> None:
        """Asked about a naive instant, says so at $.instant."""
        with pytest.raises(ValidationError) as info:
            window().contains(dt.datetime(2026, 10, 4, 1))
        assert info.value.paths == ["$.instant"]

    def test_round_trip(self) -> None:
        """Reads back equal from its JSON."""
        w = window(start=dt.datetime(2026, 10, 3, 23, tzinfo=BERLIN))
        assert from_json(MaintenanceWindow, to_json(w)) == w

    @given(maintenance_windows())
    def test_drawn_windows(self, w: MaintenanceWindow) -> None:
        """Every drawn window holds its start, not its end, and reads back equal."""
        assert w.contains(w.start)
        assert not w.contains(w.end)
        assert w.announced_at.astimezone(UTC) <= w.start.astimezone(UTC)
        assert from_json(MaintenanceWindow, to_json(w)) == w


# ---------------------------------------------------------------------- incidents
class TestIncident:
    """An incident's fields, and the instants read from its history."""

    def test_a_new_incident(self) -> None:
        """Begins opened, its trail bound to its id, with no instants yet."""
        assert INCIDENT.state == "opened"
        assert INCIDENT.lifecycle.id == "inc-1"
        assert INCIDENT.lifecycle.entries == ()
        assert (INCIDENT.acknowledged_at, INCIDENT.restored_at) == (None, None)
        assert (INCIDENT.resolved_at, INCIDENT.closed_at) == (None, None)
        assert INCIDENT.expected_restorations == ()
        assert INCIDENT.latest_expected_restoration is None
        assert INCIDENT.waiting_periods() == ()
        assert INCIDENT.cause is None
        assert INCIDENT.problem_id is None

    def test_instants_from_the_history(self) -> None:
        """Reads each instant from its event; the record never stores them twice."""
        done = moved(
            INCIDENT,
            ("acknowledge", 10, None),
            ("restore", 70, None),
            ("resolve", 90, None),
            ("close", 24 * 60, None),
        )
        assert done.acknowledged_at == at(10)
        assert done.restored_at == at(70)
        assert done.resolved_at == at(90)
        assert done.closed_at == at(24 * 60)
        assert done.state == "closed"
        assert attrs.evolve(done, lifecycle=INCIDENT.lifecycle) == INCIDENT

    def test_expected_restorations_are_all_kept(self) -> None:
        """Keeps every estimate in order, each with when it was announced."""
        later = moved(
            INCIDENT,
            ("estimate", 5, estimate("2026-10-02T12:00:00+02:00")),
            ("acknowledge", 10, None),
            ("wait", 20, None),
            ("estimate", 30, estimate("2026-10-02T13:30:00Z")),
        )
        assert later.expected_restorations == (
            (at(5), dt.datetime(2026, 10, 2, 10, 0, tzinfo=UTC)),
            (at(30), dt.datetime(2026, 10, 2, 13, 30, tzinfo=UTC)),
        )
        first_expected = later.expected_restorations[0][1]
        assert first_expected.utcoffset() == dt.timedelta(hours=2)  # as it was given
        assert later.latest_expected_restoration == dt.datetime(2026, 10, 2, 13, 30, tzinfo=UTC)
        assert later.state == "waiting"

    def test_estimate_at_the_instant_it_is_made(self) -> None:
        """Accepts an expected restoration equal to the estimate's own instant."""
        now = moved(INCIDENT, ("estimate", 5, estimate(at(5).isoformat())))
        assert now.latest_expected_restoration == at(5)

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            (
                {},
                (
                    "no expected restoration given (the event's data needs an "
                    "'expected_restoration': an RFC 3339 instant with its offset, such as "
                    "'2026-10-02T14:00:00+02:00')"
                ),
            ),
            (estimate("2026-10-02T14:00:00"), None),
            (estimate("soon"), None),
            ({"expected_restoration": 1_790_000_000}, None),
            (estimate("9999-01-01T00:00:00Z"), None),
            (
                estimate("2026-10-02T08:59:59Z"),
                (
                    "the expected restoration 2026-10-02T08:59:59Z is before the estimate is "
                    "made (2026-10-02T09:00:00+00:00)"
                ),
            ),
        ],
    )
    def test_estimate_refused(self, data: dict[str, Any], reason: str | None) -> None:
        """Refuses an estimate without an aware instant, or one in its past; nothing changes."""
        with pytest.raises(InvalidTransition) as info:
            advance(INCIDENT, "estimate", who=WHO, when=T0, data=data)
        if reason is not None:
            assert info.value.reason == reason
        else:
            assert info.value.reason is not None
            assert info.value.reason.startswith("no expected restoration given")
        assert INCIDENT.lifecycle.entries == ()

    @pytest.mark.parametrize(
        ("steps", "event"),
        [
            ((), "restore"),
            ((), "resolve"),
            ((("acknowledge", 1, None),), "resolve"),
            ((("acknowledge", 1, None), ("wait", 2, None)), "restore"),
            ((("acknowledge", 1, None), ("restore", 2, None)), "estimate"),
            ((("acknowledge", 1, None), ("restore", 2, None)), "close"),
        ],
    )
    def test_out_of_order(
        self, steps: tuple[tuple[str, int, dict[str, Any] | None], ...], event: str
    ) -> None:
        """Refuses restoring unacknowledged, resolving unrestored, estimating once restored."""
        before = moved(INCIDENT, *steps)
        with pytest.raises(InvalidTransition) as info:
            advance(before, event, who=WHO, when=at(60), data=estimate(at(90).isoformat()))
        assert info.value.state == before.state
        assert info.value.event == event

    def test_reopen_keeps_the_first_restoration(self) -> None:
        """A reopened incident keeps its first restored and resolved instants."""
        again = moved(
            INCIDENT,
            ("acknowledge", 1, None),
            ("restore", 10, None),
            ("resolve", 20, None),
            ("reopen", 30, None),
            ("restore", 40, None),
            ("resolve", 50, None),
        )
        assert again.state == "resolved"
        assert (again.restored_at, again.resolved_at) == (at(10), at(20))

    def test_waiting_periods(self) -> None:
        """Lists each wait to its resume; an open wait only when asked as of an instant."""
        waited = moved(
            INCIDENT,
            ("acknowledge", 1, None),
            ("wait", 10, None),
            ("estimate", 15, estimate("2026-10-02T18:00:00Z")),
            ("resume", 40, None),
            ("wait", 50, None),
            ("resume", 50, None),
            ("wait", 60, None),
        )
        assert waited.waiting_periods() == (Period(at(10), at(40)),)
        assert waited.waiting_periods(as_of=at(100)) == (
            Period(at(10), at(40)),
            Period(at(60), at(100)),
        )
        assert waited.waiting_periods(as_of=at(20)) == (Period(at(10), at(20)),)
        assert waited.waiting_periods(as_of=at(10)) == ()
        assert waited.waiting_periods(as_of=at(60)) == (Period(at(10), at(40)),)

    def test_waiting_periods_refuse_a_naive_as_of(self) -> None:
        """Refuses an as_of without a zone, at $.as_of."""
        with pytest.raises(ValidationError) as info:
            INCIDENT.waiting_periods(as_of=dt.datetime(2026, 10, 2))
        assert info.value.paths == ["$.as_of"]

    def test_no_event_before_the_opening(self) -> None:
        """Refuses a history whose first event is earlier than the opening; nothing is built."""
        early = INCIDENT_LIFECYCLE.begin(id="inc-1").apply("acknowledge", who=WHO, when=at(-1))
        with pytest.raises(ValidationError) as info:
            attrs.evolve(INCIDENT, lifecycle=early)
        assert info.value.paths == ["$.lifecycle.history[0].when"]
        assert "an event no earlier than the opening at 2026-10-02T09:00:00+00:00" in str(
            info.value
        )
        with pytest.raises(ValidationError):
            advance(INCIDENT, "acknowledge", who=WHO, when=at(-1))

    def test_field_problems(self) -> None:
        """Names every bad field at its path."""
        with pytest.raises(ValidationError) as info:
            Incident(
                id="inc 1",
                agreement_id="",
                priority="P 1",
                summary=" ",
                services=set(),
                customers={"acme", "no good"},
                opened_at=dt.datetime(2026, 10, 2, 9),
                cause="aliens",  # type: ignore[arg-type]
                problem_id="",
                lifecycle=COMPLAINT_LIFECYCLE.begin(id="inc-1"),
            )
        assert info.value.paths == [
            "$.id",
            "$.agreement_id",
            "$.priority",
            "$.summary",
            "$.services",
            "$.customers[1]",
            "$.opened_at",
            "$.cause",
            "$.problem_id",
            "$.lifecycle",
        ]

    def test_cause_and_problem(self) -> None:
        """Takes a cause from the shared list and a problem id."""
        linked = attrs.evolve(INCIDENT, cause=OutageCause.THIRD_PARTY, problem_id="prb-4")
        assert linked.cause is OutageCause.THIRD_PARTY
        assert linked.problem_id == "prb-4"

    def test_document_round_trip(self) -> None:
        """Writes a cloudsms.incident document of version 1 that reads back equal."""
        done = moved(
            attrs.evolve(INCIDENT, cause=OutageCause.PROVIDER, problem_id="prb-4"),
            ("estimate", 2, estimate("2026-10-02T13:00:00+02:00")),
            ("acknowledge", 5, None),
            ("wait", 6, None),
            ("resume", 16, None),
            ("restore", 30, None),
        )
        text = to_json(done)
        body = json.loads(text)
        assert (body["type"], body["schema_version"]) == ("cloudsms.incident", 1)
        assert body["lifecycle"]["id"] == "inc-1"
        again = from_json(Incident, text)
        assert again == done
        assert again.expected_restorations == done.expected_restorations
        assert verify(again.lifecycle, expected_head=done.lifecycle.head) is None

    def test_an_edited_document_is_refused(self) -> None:
        """Refuses a stored estimate that was edited afterwards, at its entry's hash."""
        done = moved(INCIDENT, ("estimate", 2, estimate("2026-10-02T11:00:00Z")))
        body = json.loads(to_json(done))
        body["lifecycle"]["history"][0]["data"]["expected_restoration"] = "2026-10-02T10:00:00Z"
        with pytest.raises(ValidationError) as info:
            from_json(Incident, json.dumps(body))
        assert info.value.paths == ["$.lifecycle.history[0].hash"]

    @settings(max_examples=examples(60), deadline=None)
    @given(incidents())
    def test_drawn_incidents(self, incident: Incident) -> None:
        """Instants follow the lifecycle's order; estimates are never in their own past."""
        history = incident.lifecycle.entries
        first = history[0].when.astimezone(UTC) if history else None
        assert first is None or first >= incident.opened_at.astimezone(UTC)
        if incident.restored_at is not None:
            assert incident.acknowledged_at is not None
            assert incident.acknowledged_at.astimezone(UTC) <= incident.restored_at.astimezone(UTC)
        if incident.resolved_at is not None:
            assert incident.restored_at is not None
        for announced, expected in incident.expected_restorations:
            assert announced.astimezone(UTC) <= expected.astimezone(UTC)
        waits = incident.waiting_periods(as_of=history[-1].when) if history else ()
        for earlier, later in itertools.pairwise(waits):
            assert earlier.end.astimezone(UTC) <= later.start.astimezone(UTC)
        assert from_json(Incident, to_json(incident)) == incident


# ---------------------------------------------------------------------- service requests
class TestServiceRequest:
    """A request by a customer's user, fulfilled or rejected with a reason."""

    def test_a_new_request(self) -> None:
        """Begins submitted, its trail bound to its id, not a standard change by default."""
        assert REQUEST.state == "submitted"
        assert REQUEST.lifecycle.id == "req-1"
        assert REQUEST.standard_change is False
        assert (REQUEST.fulfilled_at, REQUEST.rejected_at, REQUEST.rejection_reason) == (
            None,
            None,
            None,
        )

    def test_fulfilled_with_a_wait(self) -> None:
        """Reads the fulfilment and the wait on the customer from the history."""
        done = moved(
            REQUEST,
            ("start", 5, None),
            ("wait", 10, None),
            ("resume", 70, None),
            ("fulfil", 90, None),
            ("close", 100, None),
        )
        assert done.state == "closed"
        assert done.fulfilled_at == at(90)
        assert done.rejected_at is None
        assert done.waiting_periods() == (Period(at(10), at(70)),)

    def test_open_wait_as_of(self) -> None:
        """A wait still going on ends at as_of, and only when asked."""
        waiting = moved(REQUEST, ("start", 5, None), ("wait", 10, None))
        assert waiting.waiting_periods() == ()
        assert waiting.waiting_periods(as_of=at(30)) == (Period(at(10), at(30)),)

    def test_rejected_with_a_reason(self) -> None:
        """Rejects before the work starts, keeping the reason told to the customer."""
        refused = moved(REQUEST, ("reject", 3, {"reason": "No licence left"}))
        assert (refused.state, refused.rejected_at) == ("rejected", at(3))
        assert refused.rejection_reason == "No licence left"
        assert moved(refused, ("close", 4, None)).state == "closed"

    @pytest.mark.parametrize("data", [None, {"reason": ""}, {"reason": "  "}, {"reason": 3}])
    def test_rejection_needs_a_reason(self, data: dict[str, Any] | None) -> None:
        """Refuses a rejection without a non-empty reason; nothing changes."""
        started = moved(REQUEST, ("start", 1, None))
        with pytest.raises(InvalidTransition) as info:
            advance(started, "reject", who=WHO, when=at(2), data=data)
        assert info.value.reason == (
            "no reason given for the rejection (the event's data needs a non-empty 'reason')"
        )
        assert started.state == "in_progress"

    @pytest.mark.parametrize(
        ("steps", "event"),
        [
            ((), "fulfil"),
            ((("start", 1, None), ("wait", 2, None)), "fulfil"),
            ((("start", 1, None), ("wait", 2, None)), "reject"),
            ((("start", 1, None),), "close"),
        ],
    )
    def test_out_of_order(
        self, steps: tuple[tuple[str, int, dict[str, Any] | None], ...], event: str
    ) -> None:
        """Refuses fulfilling unstarted or waiting requests and closing open ones."""
        before = moved(REQUEST, *steps)
        with pytest.raises(InvalidTransition) as info:
            advance(before, event, who=WHO, when=at(10), data={"reason": "x"})
        assert info.value.state == before.state

    def test_no_event_before_the_request(self) -> None:
        """Refuses a history that starts before the request was made."""
        early = SERVICE_REQUEST_LIFECYCLE.begin(id="req-1").apply("start", who=WHO, when=at(-5))
        with pytest.raises(ValidationError) as info:
            attrs.evolve(REQUEST, lifecycle=early)
        assert info.value.paths == ["$.lifecycle.history[0].when"]
        assert "an event no earlier than the request at" in str(info.value)

    def test_field_problems(self) -> None:
        """Names every bad field at its path."""
        with pytest.raises(ValidationError) as info:
            ServiceRequest(
                id="req-1",
                agreement_id="agr-1",
                customer_id="",
                requested_by="ana@example.com",
                kind="new user",
                summary="",
                standard_change="yes",  # type: ignore[arg-type]
                requested_at=dt.datetime(2026, 10, 2),
                lifecycle=INCIDENT_LIFECYCLE.begin(id="req-1"),
            )
        assert info.value.paths == [
            "$.customer_id",
            "$.requested_by",
            "$.kind",
            "$.summary",
            "$.standard_change",
            "$.requested_at",
            "$.lifecycle",
        ]

    def test_document_round_trip(self) -> None:
        """Writes a cloudsms.service-request document of version 1 that reads back equal."""
        done = moved(
            attrs.evolve(REQUEST, standard_change=True),
            ("start", 1, None),
            ("wait", 2, None),
            ("resume", 3, None),
            ("fulfil", 4, None),
        )
        text = to_json(done)
        body = json.loads(text)
        assert (body["type"], body["schema_version"]) == ("cloudsms.service-request", 1)
        assert from_json(ServiceRequest, text) == done

    @settings(max_examples=examples(60), deadline=None)
    @given(service_requests())
    def test_drawn_requests(self, request: ServiceRequest) -> None:
        """Fulfilled and rejected exclude each other; a rejection keeps its reason."""
        assert request.fulfilled_at is None or request.rejected_at is None
        assert (request.rejected_at is None) == (request.rejection_reason is None)
        assert from_json(ServiceRequest, to_json(request)) == request


# ---------------------------------------------------------------------- stateful
OPENED = dt.datetime(2025, 12, 31, 23, tzinfo=UTC)  # before the machines' clock starts
INCIDENT_DATA = st.fixed_dictionaries(
    {
        "expected_restoration": st.sampled_from(
            [
                "2026-01-01T12:00:00+01:00",
                "2026-02-01T00:00:00Z",
                "2027-06-30T08:00:00-04:00",
                "2026-01-05T10:00:00",
                "",
                None,
            ]
        )
    }
)


class IncidentRules(
    lifecycle_machine(  # type: ignore[misc]
        INCIDENT_LIFECYCLE,
        data=INCIDENT_DATA,
        record=attrs.evolve(INCIDENT, opened_at=OPENED),
    )
):
    """An incident moved by advance(): the rules of S09 hold after every step."""

    @invariant()
    def state_is_the_instances(self) -> None:
        """The incident's state is always its instance's."""
        assert self.record.state == self.record.lifecycle.state == self.instance.state

    @invariant()
    def restored_only_after_acknowledgement(self) -> None:
        """Every restoration follows an acknowledgement; every resolution a restoration."""
        history = self.instance.history()
        for index, entry in enumerate(history):
            if entry.event == "restore":
                assert any(e.event == "acknowledge" for e in history[:index])
                assert entry.source == "acknowledged"
            if entry.event == "resolve":
                assert history[index - 1].event == "restore"

    @invariant()
    def estimates_are_kept_and_in_the_future(self) -> None:
        """Every estimate is listed, none earlier than the moment it was given."""
        estimates = [e for e in self.instance.history() if e.event == "estimate"]
        assert len(self.record.expected_restorations) == len(estimates)
        for announced, expected in self.record.expected_restorations:
            assert announced.astimezone(UTC) <= expected.astimezone(UTC)

    @invariant()
    def waits_lie_within_the_history(self) -> None:
        """Waiting periods are ordered, disjoint and inside the recorded history."""
        history = self.instance.history()
        if not history:
            return
        last = history[-1].when
        waits = self.record.waiting_periods(as_of=last)
        for earlier, later in itertools.pairwise(waits):
            assert earlier.end.astimezone(UTC) <= later.start.astimezone(UTC)
        for period in waits:
            assert period.end.astimezone(UTC) <= last.astimezone(UTC)

    @invariant()
    def document_reads_back(self) -> None:
        """The written document reads back equal, its trail verified."""
        assert from_json(Incident, to_json(self.record)) == self.record


IncidentRules.TestCase.settings = settings(
    max_examples=examples(30), stateful_step_count=20, deadline=None
)
TestIncidentLifecycle = IncidentRules.TestCase

REQUEST_DATA = st.fixed_dictionaries({"reason": st.sampled_from(["Out of scope", "", None])})


class ServiceRequestRules(
    lifecycle_machine(  # type: ignore[misc]
        SERVICE_REQUEST_LIFECYCLE,
        data=REQUEST_DATA,
        record=attrs.evolve(REQUEST, requested_at=OPENED),
    )
):
    """A service request moved by advance(): the rules of S09 hold after every step."""

    @invariant()
    def state_is_the_instances(self) -> None:
        """The request's state is always its instance's."""
        assert self.record.state == self.instance.state

    @invariant()
    def never_both_fulfilled_and_rejected(self) -> None:
        """A request is fulfilled or rejected, never both; a rejection carries its reason."""
        assert self.record.fulfilled_at is None or self.record.rejected_at is None
        if self.record.rejected_at is not None:
            assert self.record.rejection_reason.strip()

    @invariant()
    def document_reads_back(self) -> None:
        """The written document reads back equal."""
        assert from_json(ServiceRequest, to_json(self.record)) == self.record


ServiceRequestRules.TestCase.settings = settings(
    max_examples=examples(30), stateful_step_count=20, deadline=None
)
TestServiceRequestLifecycle = ServiceRequestRules.TestCase
