"""cloudsms.procedures.removal: the records' own rules and the guards given raw data (S15)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from cloudsms._kit.converter import to_dict
from cloudsms.agreements import (
    Amendment,
    CloudServiceAgreement,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    TermKind,
    amend,
)
from cloudsms.catalogue import Catalogue
from cloudsms.errors import InvalidTransition, Problem, ValidationError
from cloudsms.lifecycle import register_lifecycle
from cloudsms.parties import Acknowledgement
from cloudsms.procedures.removal import (
    REMOVAL_LIFECYCLE,
    RemovalEnd,
    RemovalPlan,
    RemovalProcedure,
    Subscriber,
    announce_removal,
    plan_removal,
    release_service_resources,
)
from cloudsms.resources import Allocation, PoolCapacity, ResourcePool
from cloudsms.serialization import from_json, to_json
from cloudsms.units import quantity

register_lifecycle("service_removal", "cloudsms.procedures.removal:REMOVAL_LIFECYCLE")

BERLIN = ZoneInfo("Europe/Berlin")
DATA = Path(__file__).resolve().parents[1] / "examples" / "data" / "resources"
BASE = from_json(CloudServiceAgreement, (DATA / "agreement.json").read_text(encoding="utf-8"))
CATALOGUE = from_json(Catalogue, (DATA / "catalogue.json").read_text(encoding="utf-8"))
SERVICE = "iaas-compute"
AS_OF = dt.date(2026, 12, 15)
WHO = "actor:catalogue-manager"
MONTH = relativedelta(months=1)


def berlin(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """A wall time in Europe/Berlin."""
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def retirable(months: int = 1) -> TerminationTerms:
    """Terms letting the provider end the agreement for a retirement with ``months`` notice."""
    return TerminationTerms(
        terminable_by=TerminatingParty.EITHER,
        provider_reasons={TerminationReason.SERVICE_RETIREMENT},
        notice_period=relativedelta(months=months),
    )


AGREEMENT = attrs.evolve(BASE, id="csa-1", customer_id="cust-1", termination=retirable())


def subscriber(**changes: Any) -> dict[str, Any]:
    """A sound subscriber's fields (one month's notice from 2026-12-15), with ``changes``."""
    values: dict[str, Any] = {
        "agreement_id": "csa-1",
        "agreement_version": 1,
        "customer_id": "cust-1",
        "entry_ids": ("compute",),
        "notice_at": berlin(2026, 12, 15),
        "notice_period": MONTH,
        "notice_ends": berlin(2027, 1, 15),
        "ends_by": RemovalEnd.NOTICE,
    }
    values.update(changes)
    return values


def paths(kind: type, **values: Any) -> list[str]:
    """The paths of the problems ``kind(**values)`` is refused with."""
    with pytest.raises(ValidationError) as error:
        kind(**values)
    return [p.path for p in error.value.problems]


PLAN = plan_removal(CATALOGUE, SERVICE, [AGREEMENT], as_of=AS_OF)


def plan(**changes: Any) -> dict[str, Any]:
    """PLAN's fields with ``changes``."""
    return {field.name: getattr(PLAN, field.name) for field in attrs.fields(RemovalPlan)} | changes


class TestSubscriberRules:
    """A subscriber's end follows from its notice, period and how it ends."""

    def test_a_sound_subscriber_is_built(self) -> None:
        """The fields as plan_removal derives them pass."""
        assert Subscriber(**subscriber()).notice_ends == berlin(2027, 1, 15)

    def test_no_entries_unsorted_entries(self) -> None:
        """A subscriber subscribes to one or more entries, sorted, each once."""
        assert paths(Subscriber, **subscriber(entry_ids=())) == ["$.entry_ids"]
        assert paths(Subscriber, **subscriber(entry_ids=("b", "a"))) == ["$.entry_ids"]

    def test_an_end_by_notice_needs_an_end_and_a_period(self) -> None:
        """Ending by notice without an end, or without a period, is refused."""
        assert paths(Subscriber, **subscriber(notice_ends=None)) == ["$.notice_ends"]
        assert paths(Subscriber, **subscriber(notice_period=None)) == ["$.notice_period"]

    def test_an_end_before_the_notice_is_refused(self) -> None:
        """The subscription ends after the notice."""
        found = paths(
            Subscriber,
            **subscriber(notice_ends=berlin(2026, 12, 1), ends_by=RemovalEnd.AGREEMENT_END),
        )
        assert found == ["$.notice_ends"]

    def test_an_agreement_end_after_the_notice_would_end_it_is_refused(self) -> None:
        """With a period, an agreement end is earlier than the notice's end, or it is notice."""
        found = paths(
            Subscriber,
            **subscriber(notice_ends=berlin(2027, 2, 1), ends_by=RemovalEnd.AGREEMENT_END),
        )
        assert found == ["$.notice_ends"]
        early = subscriber(notice_ends=berlin(2027, 1, 1), ends_by=RemovalEnd.AGREEMENT_END)
        assert Subscriber(**early).ends_by is RemovalEnd.AGREEMENT_END

    def test_a_period_past_the_range_is_refused(self) -> None:
        """A notice period whose end passes 9000-01-01 is refused at the period."""
        found = paths(
            Subscriber,
            **subscriber(
                notice_at=dt.datetime(8999, 6, 1, tzinfo=dt.UTC),
                notice_period=relativedelta(years=2),
                notice_ends=dt.datetime(8999, 7, 1, tzinfo=dt.UTC),
            ),
        )
        assert found == ["$.notice_period"]


class TestPlanRules:
    """A plan's day, subscribers, blockers and earliest date fit together."""

    def test_the_day_is_a_date_and_the_instants_day(self) -> None:
        """A datetime as the day, or a day that is not the instant's, is refused."""
        assert paths(RemovalPlan, **plan(as_of=berlin(2026, 12, 15))) == ["$.as_of"]
        instant = berlin(2026, 12, 16, 9)
        assert paths(RemovalPlan, **plan(as_of_instant=instant))[0] == "$.as_of"

    def test_a_subscriber_of_another_entry_is_refused(self) -> None:
        """A subscriber's entries are the service's."""
        other = Subscriber(**subscriber(entry_ids=("storage",)))
        assert paths(RemovalPlan, **plan(subscribers=(other,))) == ["$.subscribers[0].entry_ids"]

    def test_a_notice_at_another_instant_is_refused(self) -> None:
        """Each notice goes out at the start of the plan's day in its zone, or at its instant."""
        moved = Subscriber(
            **subscriber(notice_at=berlin(2026, 12, 15, 9), notice_ends=berlin(2027, 1, 15, 9))
        )
        found = paths(
            RemovalPlan, **plan(subscribers=(moved,), earliest_removal=moved.notice_ends)
        )
        assert found == ["$.subscribers[0].notice_at"]
        timed = plan_removal(CATALOGUE, SERVICE, [AGREEMENT], as_of=berlin(2026, 12, 15, 8))
        with pytest.raises(ValidationError) as error:
            attrs.evolve(timed, as_of_instant=berlin(2026, 12, 15, 7))
        assert "the plan's instant" in error.value.problems[0].expected

    def test_blockers_must_be_the_subscribers_notice_cannot_end(self) -> None:
        """Blockers listed where there are none, or missing, are refused."""
        assert paths(RemovalPlan, **plan(blockers=("csa-1",))) == ["$.blockers"]
        blocker = Subscriber(
            **subscriber(
                notice_period=None, notice_ends=None, ends_by=RemovalEnd.CONSENT_OR_TRANSFER
            )
        )
        found = paths(RemovalPlan, **plan(subscribers=(blocker,), earliest_removal=None))
        assert found == ["$.blockers"]

    def test_the_earliest_date_follows(self) -> None:
        """A date with a blocker, or other than the plan's own with no subscriber, is refused."""
        blocker = Subscriber(
            **subscriber(
                notice_period=None, notice_ends=None, ends_by=RemovalEnd.CONSENT_OR_TRANSFER
            )
        )
        with pytest.raises(ValidationError) as error:
            RemovalPlan(**plan(subscribers=(blocker,), blockers=("csa-1",)))
        assert error.value.problems == (
            Problem(
                "$.earliest_removal",
                "null, since a subscription cannot be ended by notice",
                "2027-01-15T00:00:00+01:00",
            ),
        )
        with pytest.raises(ValidationError) as error:
            RemovalPlan(**plan(subscribers=()))
        assert "the plan's own instant (nobody subscribes)" in error.value.problems[0].expected


class TestPlanEdges:
    """plan_removal's rarer paths."""

    def test_a_time_zone_amended_later_is_not_the_notices(self) -> None:
        """The zone in force at the notice decides its day: Berlin, not Tokyo from 2027."""
        accepted = berlin(2027, 1, 1)
        amended = amend(
            AGREEMENT,
            Amendment(
                term=TermKind.TIMEZONE,
                value="Asia/Tokyo",
                proposed_at=accepted,
                proposed_by="cust-1",
            ),
            consent=Acknowledgement(
                party_id="cust-1", terms_id="csa-1", version="2", accepted_at=accepted
            ),
        )
        (found,) = plan_removal(CATALOGUE, SERVICE, [amended], as_of=AS_OF).subscribers
        assert found.notice_at.isoformat() == "2026-12-15T00:00:00+01:00"
        later = plan_removal(CATALOGUE, SERVICE, [amended], as_of=dt.date(2027, 2, 1))
        assert later.subscribers[0].notice_at.isoformat() == "2027-02-01T00:00:00+09:00"

    def test_a_start_on_the_notice_day_read_in_the_zone_then(self) -> None:
        """Starts 2026-12-15 00:00 in New York, Berlin from 2027-01-01: notified, ends 2027-01-15.

        The zone in force at the notice is New York's (the Berlin amendment comes
        later), so the notice goes out at the agreement's very start, and one
        month's notice ends on 2027-01-15 there; read in Berlin's day (which starts
        six hours sooner) it would look not yet started, or be left out.
        """
        york = ZoneInfo("America/New_York")
        start = dt.datetime(2026, 12, 15, tzinfo=york)
        accepted = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        amended = amend(
            attrs.evolve(AGREEMENT, timezone="America/New_York", effective_from=start),
            Amendment(
                term=TermKind.TIMEZONE,
                value="Europe/Berlin",
                proposed_at=accepted,
                proposed_by="cust-1",
            ),
            consent=Acknowledgement(
                party_id="cust-1", terms_id="csa-1", version="2", accepted_at=accepted
            ),
        )
        plan = plan_removal(CATALOGUE, SERVICE, [amended], as_of=AS_OF)
        (found,) = plan.subscribers
        assert found.agreement_id == "csa-1"
        assert found.notice_at.isoformat() == "2026-12-15T00:00:00-05:00"
        assert found.notice_ends is not None
        assert found.notice_ends.isoformat() == "2027-01-15T00:00:00-05:00"
        assert (found.ends_by, found.starts_at, found.agreement_version) == (
            RemovalEnd.NOTICE,
            None,
            1,
        )
        assert plan.earliest_removal == found.notice_ends

    def test_a_zone_changing_between_the_two_days_starts_keeps_the_earlier_clock(self) -> None:
        """Santiago, then Kolkata from 2030-06-27 00:00 UTC: the notice keeps Santiago's clock.

        The day starts in Kolkata (18:30 UTC the day before) while Santiago is in
        force, and in Santiago (04:00 UTC) once Kolkata is: neither zone's day start
        falls in its own time. The documented rule: the zone in force when the day
        starts in the agreement's latest zone gives the notice's clock (Santiago),
        and the terms are those in force at that instant (version 2). An agreement
        that is in Kolkata throughout keeps its own clock in the same plan.
        """
        santiago, kolkata = ZoneInfo("America/Santiago"), ZoneInfo("Asia/Kolkata")
        accepted = dt.datetime(2030, 6, 27, tzinfo=dt.UTC)
        moved = amend(
            attrs.evolve(AGREEMENT, timezone="America/Santiago"),
            Amendment(
                term=TermKind.TIMEZONE,
                value="Asia/Kolkata",
                proposed_at=accepted,
                proposed_by="cust-1",
            ),
            consent=Acknowledgement(
                party_id="cust-1", terms_id="csa-1", version="2", accepted_at=accepted
            ),
        )
        stays = attrs.evolve(AGREEMENT, id="csa-2", timezone="Asia/Kolkata")
        plan = plan_removal(CATALOGUE, SERVICE, [moved, stays], as_of=dt.date(2030, 6, 27))
        first, second = plan.subscribers
        assert first.notice_at == dt.datetime(2030, 6, 27, tzinfo=santiago)
        assert first.notice_at.tzinfo == santiago
        assert first.notice_ends == dt.datetime(2030, 7, 27, tzinfo=santiago)
        assert first.agreement_version == 2
        assert second.notice_at == dt.datetime(2030, 6, 27, tzinfo=kolkata)
        assert second.notice_ends == dt.datetime(2030, 7, 27, tzinfo=kolkata)
        assert second.notice_ends.tzinfo == kolkata

    def test_later_amendments_of_other_terms_only_move_the_version(self) -> None:
        """Termination amended on 2027-01-01, record keeping on 2027-02-01: each notice's terms."""
        first, second = berlin(2027, 1, 1), berlin(2027, 2, 1)
        amended = amend(
            AGREEMENT,
            Amendment(
                term=TermKind.TERMINATION,
                value=to_dict(retirable(12)),
                proposed_at=first,
                proposed_by="cust-1",
            ),
            consent=Acknowledgement(
                party_id="cust-1", terms_id="csa-1", version="2", accepted_at=first
            ),
        )
        amended = amend(
            amended,
            Amendment(
                term=TermKind.RECORD_KEEPING, value="P7Y", proposed_at=second, proposed_by="cust-1"
            ),
            consent=Acknowledgement(
                party_id="cust-1", terms_id="csa-1", version="3", accepted_at=second
            ),
        )
        found = {
            day: plan_removal(CATALOGUE, SERVICE, [amended], as_of=day).subscribers[0]
            for day in (AS_OF, dt.date(2027, 1, 15), dt.date(2027, 3, 1))
        }
        assert [(s.agreement_version, s.notice_period) for s in found.values()] == [
            (1, MONTH),
            (2, relativedelta(months=12)),
            (3, relativedelta(months=12)),
        ]
        assert found[AS_OF].notice_ends == berlin(2027, 1, 15)

    def test_an_amended_agreement_not_yet_started_is_left_out(self) -> None:
        """An amended agreement starting after the notice is read as it stands at its start.

        The amendment in force from its start gives two months' notice: from
        2026-12-15 they run out on 2027-02-15, before its start, so it ends then.
        """
        start = berlin(2027, 3, 1)
        amended = amend(
            attrs.evolve(AGREEMENT, effective_from=start),
            Amendment(
                term=TermKind.TERMINATION,
                value=to_dict(retirable(2)),
                proposed_at=start,
                proposed_by="cust-1",
            ),
            consent=Acknowledgement(
                party_id="cust-1", terms_id="csa-1", version="2", accepted_at=start
            ),
        )
        (subscriber,) = plan_removal(CATALOGUE, SERVICE, [amended], as_of=AS_OF).subscribers
        assert subscriber.agreement_version == 2
        assert subscriber.notice_period == relativedelta(months=2)
        assert (subscriber.notice_ends, subscriber.starts_at) == (start, start)

    def test_a_notice_ending_past_the_range_is_refused(self) -> None:
        """A notice on 8999-12-01 with a month's notice would end past 9000-01-01."""
        old = attrs.evolve(AGREEMENT, effective_from=dt.datetime(8999, 1, 1, tzinfo=dt.UTC))
        with pytest.raises(ValidationError) as error:
            plan_removal(CATALOGUE, SERVICE, [old], as_of=dt.date(8999, 12, 15))
        assert [p.path for p in error.value.problems] == ["$.as_of"]


def announced() -> RemovalProcedure:
    """A removal of csa-1's compute, announced on 2026-12-14."""
    procedure = RemovalProcedure.initiate(CATALOGUE, SERVICE, [AGREEMENT], as_of=AS_OF)
    procedure, _ = announce_removal(procedure, CATALOGUE, who=WHO, when=berlin(2026, 12, 14))
    return procedure


def closed() -> RemovalProcedure:
    """csa-1 notified and closed by a transfer."""
    procedure = announced().notify("csa-1", who=WHO, when=berlin(2026, 12, 15))
    return procedure.close_subscription(
        "csa-1", how="transferred", procedure_id="t-1", who=WHO, when=berlin(2026, 12, 20)
    )


def refusal(procedure: RemovalProcedure, event: str, data: dict[str, Any] | None) -> str:
    """Why the guard refuses ``event`` with raw ``data`` on 2027-01-01."""
    with pytest.raises(InvalidTransition) as error:
        procedure.apply(event, who=WHO, when=berlin(2027, 1, 1), data=data)
    return str(error.value.reason)


class TestGuardsOnRawData:
    """Data sent raw through apply (or a stored trail) is checked by the guards."""

    def test_keys_must_be_exactly_the_events(self) -> None:
        """Missing keys, or data for an event that carries none, are refused."""
        assert "must hold exactly 'agreement_id'" in refusal(announced(), "notify", {})
        assert "carries no data (it holds 'x')" in refusal(closed(), "retire", {"x": 1})

    def test_a_closing_how_and_procedure_id_are_checked(self) -> None:
        """'how' is one of two words and the procedure is named by an id."""
        procedure = announced().notify("csa-1", who=WHO, when=berlin(2026, 12, 15))
        data = {"agreement_id": "csa-1", "how": "lost", "procedure_id": "t-1"}
        assert "'how' must be 'terminated', 'transferred' or 'expired'" in refusal(
            procedure, "close_subscription", data
        )
        data = {"agreement_id": "csa-1", "how": "terminated", "procedure_id": 7}
        assert "'procedure_id' must name" in refusal(procedure, "close_subscription", data)
        data = {"agreement_id": "csa-1", "how": "expired", "procedure_id": "t-1"}
        assert "must be null for 'expired'" in refusal(procedure, "close_subscription", data)

    def test_a_release_is_checked(self) -> None:
        """Requests as a list of ids, a count, nothing left held."""
        procedure = closed()
        assert "'requests' must be a list" in refusal(
            procedure, "release_resources", {"requests": "r", "remaining": 0}
        )
        assert "'remaining' must be a count" in refusal(
            procedure, "release_resources", {"requests": [], "remaining": -1}
        )
        assert "1 holding(s) of the service are still held" in refusal(
            procedure, "release_resources", {"requests": [], "remaining": 1}
        )

    def test_records_are_checked(self) -> None:
        """The archive is a list; the references are named."""
        procedure = closed().record_release(who=WHO, when=berlin(2026, 12, 21))
        data = {"catalogue": ["c"], "configuration": ["k"], "archive": "logs"}
        assert "'archive' must be a list" in refusal(procedure, "update_records", data)
        data = {"catalogue": [], "configuration": ["k"], "archive": []}
        assert "the catalogue records updated are named" in refusal(
            procedure, "update_records", data
        )
        updated = procedure.update_records(
            catalogue=["c"], configuration=["k"], who=WHO, when=berlin(2026, 12, 22)
        )
        data = {"catalogue": ["c"], "configuration": ["k"], "archive": []}
        assert "updated already" in refusal(updated, "update_records", data)
        assert updated.archive == ()

    def test_the_archive_must_be_a_list_of_records(self) -> None:
        """update_records refuses an archive that is not a list."""
        procedure = closed().record_release(who=WHO, when=berlin(2026, 12, 21))
        with pytest.raises(ValidationError) as error:
            procedure.update_records(
                catalogue=["c"],
                configuration=["k"],
                archive="logs",  # type: ignore[arg-type]
                who=WHO,
                when=berlin(2026, 12, 22),
            )
        assert [p.path for p in error.value.problems] == ["$.archive"]


class TestProcedureRules:
    """A procedure's trail is bound to its id, starts at the start and holds a plan."""

    def test_a_trail_begun_part_way_is_refused(self) -> None:
        """An instance with an origin is refused at its origin."""
        context = announced().lifecycle.context
        instance = REMOVAL_LIFECYCLE.begin(id="removal-x", context=context, origin="retiring")
        assert paths(RemovalProcedure, id="removal-x", lifecycle=instance) == [
            "$.lifecycle.origin"
        ]

    def test_a_context_without_a_valid_plan_is_refused(self) -> None:
        """A context with other keys, or a plan that is not one, is refused under it."""
        empty = REMOVAL_LIFECYCLE.begin(id="removal-x", context={})
        assert paths(RemovalProcedure, id="removal-x", lifecycle=empty) == ["$.lifecycle.context"]
        data = json.loads(to_json(PLAN))
        data["earliest_removal"] = None
        wrong = REMOVAL_LIFECYCLE.begin(id="removal-x", context={"plan": data})
        assert paths(RemovalProcedure, id="removal-x", lifecycle=wrong) == [
            "$.lifecycle.context.plan.earliest_removal"
        ]

    def test_a_guard_without_a_plan_refuses(self) -> None:
        """An instance whose context holds no plan cannot take any step."""
        empty = REMOVAL_LIFECYCLE.begin(id="removal-x", context={})
        with pytest.raises(InvalidTransition) as error:
            empty.apply("announce", who=WHO, when=berlin(2026, 12, 14))
        assert "holds no valid removal plan" in str(error.value)


class TestReleaseEdges:
    """release_service_resources' rarer paths."""

    POOLS = (
        ResourcePool(
            id="fra-1",
            name="Frankfurt 1",
            location="eu-central",
            capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("64 vcpu"))],
        ),
        ResourcePool(
            id="ber-1",
            name="Berlin 1",
            location="eu-east",
            capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("64 vcpu"))],
        ),
    )

    def holding(self, location: str | None) -> Allocation:
        """cust-1's machine on the service, in ``location``."""
        return Allocation(
            "cust-1",
            "csa-1",
            SERVICE,
            "vcpu",
            quantity("4 vcpu"),
            berlin(2026, 5, 1),
            resource_id="vm-1",
            location=location,
        )

    def test_a_holding_no_pool_serves_is_refused(self) -> None:
        """A location none of the pools has, or none among several pools, is refused."""
        for location in ("us-west", None):
            with pytest.raises(ValidationError) as error:
                release_service_resources(
                    closed(),
                    [AGREEMENT],
                    self.POOLS,
                    [self.holding(location)],
                    {},
                    who=WHO,
                    when=berlin(2027, 1, 20),
                )
            assert [p.path for p in error.value.problems] == ["$.allocations[0].location"]

    def test_an_ended_agreement_is_released_as_if_it_ran_on(self) -> None:
        """An agreement that ended before the release still has its holdings released."""
        ended = attrs.evolve(AGREEMENT, end=berlin(2027, 1, 15))
        when = berlin(2027, 1, 20)
        done = release_service_resources(
            closed(), [ended], self.POOLS[0], [self.holding(None)], {}, who=WHO, when=when
        )
        assert done.allocations[0].until == when
