"""cloudsms.procedures.removal: who a service's removal notifies, and when it may go (S15)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
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
from cloudsms.errors import Problem, ValidationError
from cloudsms.parties import Acknowledgement
from cloudsms.procedures.removal import (
    NOTICE_KIND,
    RemovalEnd,
    RemovalPlan,
    Subscriber,
    plan_removal,
)
from cloudsms.serialization import from_json, to_json

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
DATA = Path(__file__).resolve().parents[1] / "examples" / "data" / "resources"
BASE = from_json(CloudServiceAgreement, (DATA / "agreement.json").read_text(encoding="utf-8"))
CATALOGUE = from_json(Catalogue, (DATA / "catalogue.json").read_text(encoding="utf-8"))
SERVICE = "iaas-compute"
AS_OF = dt.date(2026, 12, 15)
NOTICE = RemovalEnd.NOTICE


def berlin(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """A wall time in Europe/Berlin."""
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def retirable(months: int) -> TerminationTerms:
    """Terms that let the provider end the agreement for a retirement with ``months`` notice."""
    return TerminationTerms(
        terminable_by=TerminatingParty.EITHER,
        provider_reasons={TerminationReason.SERVICE_RETIREMENT, TerminationReason.MISUSE},
        notice_period=relativedelta(months=months),
        minimum_term=relativedelta(years=1),
    )


def agreement(number: int, months: int | None = None, **changes: object) -> CloudServiceAgreement:
    """The example agreement as ``csa-<number>`` of ``cust-<number>``.

    With ``months``, the provider may end it for a retirement with that much notice;
    without, only for misuse and non-payment (as the example says).
    """
    termination = BASE.termination if months is None else retirable(months)
    values: dict[str, Any] = {
        "id": f"csa-{number}",
        "customer_id": f"cust-{number}",
        "termination": termination,
        **changes,
    }
    return attrs.evolve(BASE, **values)


THREE = (agreement(3, 6), agreement(1, 1), agreement(2, 3))


def refusal(*args: object, **kwargs: object) -> list[Problem]:
    """The problems plan_removal refuses with."""
    with pytest.raises(ValidationError) as error:
        plan_removal(*args, **kwargs)  # type: ignore[arg-type]
    return list(error.value.problems)


class TestHandComputed:
    """Three subscribers with one, three and six months' notice from 2026-12-15."""

    def test_each_subscription_ends_one_notice_period_after_the_notice(self) -> None:
        """The notices end on 2027-01-15, 2027-03-15 and 2027-06-15 in Berlin."""
        plan = plan_removal(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        assert [s.agreement_id for s in plan.subscribers] == ["csa-1", "csa-2", "csa-3"]
        ends = [s.notice_ends for s in plan.subscribers]
        assert ends == [berlin(2027, 1, 15), berlin(2027, 3, 15), berlin(2027, 6, 15)]
        assert [s.notice_period for s in plan.subscribers] == [
            relativedelta(months=1),
            relativedelta(months=3),
            relativedelta(months=6),
        ]
        assert {s.ends_by for s in plan.subscribers} == {RemovalEnd.NOTICE}

    def test_the_earliest_removal_is_the_latest_notice_end(self) -> None:
        """The earliest removal date is 2027-06-15, and nothing blocks it."""
        plan = plan_removal(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        assert berlin(2027, 6, 15) == plan.earliest_removal
        assert plan.earliest_removal is not None
        assert plan.earliest_removal.isoformat() == "2027-06-15T00:00:00+02:00"
        assert plan.blockers == ()

    def test_the_notice_goes_at_the_start_of_the_day_in_the_agreements_zone(self) -> None:
        """A date means 00:00 in each agreement's own zone."""
        tokyo = agreement(4, 1, timezone="Asia/Tokyo")
        plan = plan_removal(CATALOGUE, SERVICE, (*THREE, tokyo), as_of=AS_OF)
        found = plan.subscriber("csa-4")
        assert found is not None
        assert found.notice_at.isoformat() == "2026-12-15T00:00:00+09:00"
        assert found.notice_ends == dt.datetime(2027, 1, 15, tzinfo=TOKYO)
        assert berlin(2026, 12, 15) == plan.subscribers[0].notice_at

    def test_the_plan_names_the_service_and_its_entries(self) -> None:
        """The plan keeps the service, its entries, the day and the entries each subscribes to."""
        plan = plan_removal(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        assert (plan.service_id, plan.entry_ids, plan.as_of) == (SERVICE, ("compute",), AS_OF)
        assert plan.as_of_instant is None
        assert {s.entry_ids for s in plan.subscribers} == {("compute",)}
        assert plan.agreement_ids == ("csa-1", "csa-2", "csa-3")


class TestHowSubscriptionsEnd:
    """By notice, at the agreement's end, or only by consent or transfer."""

    def test_an_agreement_ending_before_the_notice_ends_then(self) -> None:
        """Six months' notice, but the agreement ends on 2027-02-01: it ends then."""
        short = agreement(1, 6, end=berlin(2027, 2, 1))
        (found,) = plan_removal(CATALOGUE, SERVICE, [short], as_of=AS_OF).subscribers
        assert found.ends_by is RemovalEnd.AGREEMENT_END
        assert berlin(2027, 2, 1) == found.notice_ends
        assert found.notice_period == relativedelta(months=6)

    def test_an_agreement_ending_as_the_notice_ends_ends_by_notice(self) -> None:
        """One month's notice ends on 2027-01-15, the agreement's own end: it ends by notice.

        Only an agreement end strictly before the notice's end is ``agreement end``;
        the record accepts either label here, so the plan's choice is pinned.
        """
        even = agreement(1, 1, end=berlin(2027, 1, 15))
        (found,) = plan_removal(CATALOGUE, SERVICE, [even], as_of=AS_OF).subscribers
        assert found.ends_by is NOTICE
        assert berlin(2027, 1, 15) == found.notice_ends
        before = agreement(1, 1, end=berlin(2027, 1, 14, 23))
        (cut,) = plan_removal(CATALOGUE, SERVICE, [before], as_of=AS_OF).subscribers
        assert cut.ends_by is RemovalEnd.AGREEMENT_END
        assert berlin(2027, 1, 14, 23) == cut.notice_ends

    def test_without_a_retirement_reason_an_end_still_ends_it(self) -> None:
        """The provider may not end it for a retirement, but it ends on 2027-09-01."""
        fixed = agreement(1, end=berlin(2027, 9, 1))
        plan = plan_removal(CATALOGUE, SERVICE, [fixed], as_of=AS_OF)
        (found,) = plan.subscribers
        assert (found.ends_by, found.notice_period) == (RemovalEnd.AGREEMENT_END, None)
        assert berlin(2027, 9, 1) == plan.earliest_removal

    def test_an_open_ended_agreement_without_the_reason_blocks_the_removal(self) -> None:
        """No retirement reason and no end: a blocker, and no earliest removal date."""
        plan = plan_removal(CATALOGUE, SERVICE, [*THREE, agreement(9)], as_of=AS_OF)
        found = plan.subscriber("csa-9")
        assert found is not None
        assert found.ends_by is RemovalEnd.CONSENT_OR_TRANSFER
        assert (found.notice_period, found.notice_ends) == (None, None)
        assert plan.blockers == ("csa-9",)
        assert plan.earliest_removal is None

    def test_only_the_customer_may_terminate(self) -> None:
        """Terms that let only the customer terminate give the provider no notice to use."""
        terms = TerminationTerms(
            terminable_by=TerminatingParty.CUSTOMER, notice_period=relativedelta(months=1)
        )
        plan = plan_removal(CATALOGUE, SERVICE, [agreement(1, termination=terms)], as_of=AS_OF)
        assert plan.blockers == ("csa-1",)


class TestWhoSubscribes:
    """Only agreements in force at the notice, subscribing to an entry of the service."""

    def test_an_agreement_starting_later_subscribes_from_its_start(self) -> None:
        """Starting on 2027-01-01 it is told on 2026-12-15; P1M ends on 2027-01-15."""
        later = agreement(5, 1, effective_from=berlin(2027, 1, 1))
        plan = plan_removal(CATALOGUE, SERVICE, [later], as_of=AS_OF)
        (subscriber,) = plan.subscribers
        assert subscriber.notice_at == berlin(2026, 12, 15)
        assert subscriber.starts_at == berlin(2027, 1, 1)
        assert (subscriber.notice_ends, subscriber.ends_by) == (
            berlin(2027, 1, 15),
            RemovalEnd.NOTICE,
        )
        assert plan.earliest_removal == berlin(2027, 1, 15)
        assert from_json(RemovalPlan, to_json(plan)) == plan

    def test_a_notice_that_runs_out_before_the_start_ends_at_the_start(self) -> None:
        """Starting on 2027-03-01, P1M from 2026-12-15 has run out: it ends at its start."""
        later = agreement(5, 1, effective_from=berlin(2027, 3, 1))
        (subscriber,) = plan_removal(CATALOGUE, SERVICE, [later], as_of=AS_OF).subscribers
        assert (subscriber.notice_ends, subscriber.ends_by) == (
            berlin(2027, 3, 1),
            RemovalEnd.NOTICE,
        )
        with pytest.raises(ValidationError) as error:
            attrs.evolve(subscriber, notice_ends=berlin(2027, 1, 15))
        assert [p.path for p in error.value.problems] == ["$.notice_ends"]
        with pytest.raises(ValidationError) as error:
            attrs.evolve(subscriber, starts_at=berlin(2026, 12, 1))
        assert [p.path for p in error.value.problems] == ["$.starts_at"]

    def test_a_day_outside_the_supported_range_is_refused(self) -> None:
        """0001-01-01 and 9999-12-31 are refused at $.as_of, with or without agreements."""
        for day in (dt.date(1, 1, 1), dt.date(9999, 12, 31)):
            for given in ([], [agreement(5, 1)]):
                with pytest.raises(ValidationError) as error:
                    plan_removal(CATALOGUE, SERVICE, given, as_of=day)
                assert [p.path for p in error.value.problems] == ["$.as_of"]

    def test_an_agreement_ended_by_then_is_left_out(self) -> None:
        """An agreement that ended on 2026-12-01 (or ends at the notice) has nothing to end."""
        ended = agreement(5, 1, end=berlin(2026, 12, 1))
        at_notice = agreement(6, 1, end=berlin(2026, 12, 15))
        plan = plan_removal(CATALOGUE, SERVICE, [ended, at_notice], as_of=AS_OF)
        assert plan.subscribers == ()

    def test_an_agreement_for_other_services_is_left_out(self) -> None:
        """An agreement subscribing only to storage is not told of compute's removal."""
        storage_only = attrs.evolve(
            agreement(5, 1),
            subscriptions=BASE.subscriptions[1:],
            recurring_charges=(),
            slas=tuple(
                attrs.evolve(sla, service_ids=sla.service_ids & {"iaas-storage"})
                for sla in BASE.slas
                if "iaas-storage" in sla.service_ids
            ),
        )
        assert plan_removal(CATALOGUE, SERVICE, [storage_only], as_of=AS_OF).subscribers == ()
        both = plan_removal(CATALOGUE, "iaas-storage", [storage_only], as_of=AS_OF)
        assert both.agreement_ids == ("csa-5",)

    def test_a_subscription_amended_in_later_subscribes_from_its_effect(self) -> None:
        """Storage only until compute is added on 2027-01-01 (or 2027-03-01): told at once.

        Like an agreement starting later, its customer is told on 2026-12-15 and the
        subscription never ends before it comes into force: P1M ends on 2027-01-15,
        or, when compute comes in on 2027-03-01, at that instant. Its terms and
        version are those of the amendment that brings compute in.
        """
        storage_only = attrs.evolve(
            agreement(5, 1),
            subscriptions=BASE.subscriptions[1:],
            recurring_charges=(),
            slas=tuple(
                attrs.evolve(sla, service_ids=sla.service_ids & {"iaas-storage"})
                for sla in BASE.slas
                if "iaas-storage" in sla.service_ids
            ),
        )
        assert plan_removal(CATALOGUE, SERVICE, [storage_only], as_of=AS_OF).subscribers == ()

        def adding_compute(accepted: dt.datetime) -> CloudServiceAgreement:
            return amend(
                storage_only,
                Amendment(
                    term=TermKind.SUBSCRIPTIONS,
                    value=[to_dict(s) for s in BASE.subscriptions],
                    proposed_at=accepted,
                    proposed_by="cust-5",
                ),
                consent=Acknowledgement(
                    party_id="cust-5", terms_id="csa-5", version="2", accepted_at=accepted
                ),
            )

        soon = adding_compute(berlin(2027, 1, 1))
        plan = plan_removal(CATALOGUE, SERVICE, [soon], as_of=AS_OF)
        (found,) = plan.subscribers
        assert (found.agreement_id, found.agreement_version, found.entry_ids) == (
            "csa-5",
            2,
            ("compute",),
        )
        assert found.notice_at == berlin(2026, 12, 15)
        assert found.starts_at == berlin(2027, 1, 1)
        assert (found.notice_ends, found.ends_by) == (berlin(2027, 1, 15), NOTICE)
        assert plan.earliest_removal == berlin(2027, 1, 15)
        assert from_json(RemovalPlan, to_json(plan)) == plan
        late = adding_compute(berlin(2027, 3, 1))
        (cut,) = plan_removal(CATALOGUE, SERVICE, [late], as_of=AS_OF).subscribers
        assert (cut.starts_at, cut.notice_ends, cut.ends_by) == (
            berlin(2027, 3, 1),
            berlin(2027, 3, 1),
            NOTICE,
        )
        (then,) = plan_removal(CATALOGUE, SERVICE, [soon], as_of=dt.date(2027, 2, 1)).subscribers
        assert (then.starts_at, then.agreement_version) == (None, 2)
        assert then.notice_ends == berlin(2027, 3, 1)

    def test_nobody_subscribing_lets_the_service_go_at_once(self) -> None:
        """No subscriber: the earliest removal is the plan's own day (00:00 UTC) or instant."""
        plan = plan_removal(CATALOGUE, SERVICE, [], as_of=AS_OF)
        assert plan.earliest_removal == dt.datetime(2026, 12, 15, tzinfo=dt.UTC)
        instant = dt.datetime(2026, 12, 15, 9, 30, tzinfo=TOKYO)
        timed = plan_removal(CATALOGUE, SERVICE, (), as_of=instant)
        assert timed.earliest_removal == instant
        assert timed.as_of == AS_OF

    def test_an_aware_instant_is_the_same_instant_everywhere(self) -> None:
        """09:30 in Tokyo on 15 December is 01:30 in Berlin; a month on is 15 January."""
        instant = dt.datetime(2026, 12, 15, 9, 30, tzinfo=TOKYO)
        plan = plan_removal(CATALOGUE, SERVICE, THREE, as_of=instant)
        first = plan.subscribers[0]
        assert first.notice_at.isoformat() == "2026-12-15T01:30:00+01:00"
        assert first.notice_ends is not None
        assert first.notice_ends.isoformat() == "2027-01-15T01:30:00+01:00"
        assert plan.as_of_instant == instant

    def test_the_terms_in_force_at_the_notice_decide(self) -> None:
        """A notice period amended on 2027-01-01 does not move a notice of 2026-12-15."""
        accepted = berlin(2027, 1, 1)
        longer = retirable(12)
        amended = amend(
            agreement(1, 1),
            Amendment(
                term=TermKind.TERMINATION,
                value=to_dict(longer),
                proposed_at=accepted,
                proposed_by="acme-cloud",
            ),
            consent=Acknowledgement(
                party_id="cust-1", terms_id="csa-1", version="2", accepted_at=accepted
            ),
        )
        (before,) = plan_removal(CATALOGUE, SERVICE, [amended], as_of=AS_OF).subscribers
        assert (before.agreement_version, before.notice_ends) == (1, berlin(2027, 1, 15))
        later = dt.date(2027, 2, 1)
        (after,) = plan_removal(CATALOGUE, SERVICE, [amended], as_of=later).subscribers
        assert (after.agreement_version, after.notice_ends) == (2, berlin(2028, 2, 1))


class TestRefusals:
    """Bad input is refused with the path of what is wrong."""

    def test_an_unknown_service_is_refused_naming_the_known_ones(self) -> None:
        """A service the catalogue's graph lacks is refused at $.service_id."""
        assert refusal(CATALOGUE, "iaas-compue", THREE, as_of=AS_OF) == [
            Problem(
                "$.service_id",
                "a service of the catalogue (iaas-compute, iaas-storage)",
                "'iaas-compue' (string)",
            )
        ]

    def test_a_naive_instant_is_refused(self) -> None:
        """as_of must be a date or an aware datetime."""
        problems = refusal(CATALOGUE, SERVICE, THREE, as_of=dt.datetime(2026, 12, 15))
        assert [p.path for p in problems] == ["$.as_of"]
        problems = refusal(CATALOGUE, SERVICE, THREE, as_of="2026-12-15")
        assert problems == [
            Problem("$.as_of", "a date, or a datetime with a time zone", "'2026-12-15' (string)")
        ]

    def test_what_is_not_an_agreement_is_refused_at_its_index(self) -> None:
        """A non-agreement in the list is refused at $.agreements[i]; a string list at all."""
        problems = refusal(CATALOGUE, SERVICE, [THREE[0], "csa-2"], as_of=AS_OF)
        assert [p.path for p in problems] == ["$.agreements[1]"]
        assert [p.path for p in refusal(CATALOGUE, SERVICE, "csa-2", as_of=AS_OF)] == [
            "$.agreements"
        ]

    def test_two_agreements_with_one_id_are_refused(self) -> None:
        """Agreement ids are unique: the second is refused at its id."""
        problems = refusal(CATALOGUE, SERVICE, [THREE[0], THREE[0]], as_of=AS_OF)
        assert problems == [
            Problem(
                "$.agreements[1].id", "an agreement id used once (agreement [0] has it)", "'csa-3'"
            )
        ]

    def test_not_a_catalogue_is_refused(self) -> None:
        """The catalogue must be a Catalogue."""
        assert [p.path for p in refusal({}, SERVICE, THREE, as_of=AS_OF)] == ["$.catalogue"]

    def test_every_problem_is_named_at_once(self) -> None:
        """An unknown service and a bad day are refused together."""
        problems = refusal(CATALOGUE, "nope", THREE, as_of=5)
        assert [p.path for p in problems] == ["$.service_id", "$.as_of"]


class TestRecords:
    """The plan and its subscribers round-trip and check that they fit together."""

    def test_the_plan_round_trips_exactly(self) -> None:
        """to_json then from_json gives the same plan, with blockers too."""
        for plan in (
            plan_removal(CATALOGUE, SERVICE, THREE, as_of=AS_OF),
            plan_removal(CATALOGUE, SERVICE, [*THREE, agreement(9)], as_of=AS_OF),
            plan_removal(CATALOGUE, SERVICE, THREE, as_of=berlin(2026, 12, 15, 9)),
        ):
            assert from_json(RemovalPlan, to_json(plan)) == plan

    def test_a_wrong_earliest_removal_is_refused(self) -> None:
        """A plan whose earliest removal is not the latest end is refused at that field."""
        data = to_dict(plan_removal(CATALOGUE, SERVICE, THREE, as_of=AS_OF))
        data["earliest_removal"] = "2027-03-15T00:00:00+01:00[Europe/Berlin]"
        with pytest.raises(ValidationError) as error:
            from_json(RemovalPlan, json.dumps(data))
        assert [p.path for p in error.value.problems] == ["$.earliest_removal"]
        assert "2027-06-15T00:00:00+02:00, the latest end" in error.value.problems[0].expected

    def test_a_subscriber_whose_end_does_not_follow_is_refused(self) -> None:
        """An end other than one notice period after the notice is refused."""
        with pytest.raises(ValidationError) as error:
            Subscriber(
                agreement_id="csa-1",
                agreement_version=1,
                customer_id="cust-1",
                entry_ids=("compute",),
                notice_at=berlin(2026, 12, 15),
                notice_period=relativedelta(months=1),
                notice_ends=berlin(2027, 1, 16),
                ends_by=RemovalEnd.NOTICE,
            )
        assert error.value.problems == (
            Problem(
                "$.notice_ends",
                "2027-01-15T00:00:00+01:00, one notice period after the notice",
                "2027-01-16T00:00:00+01:00",
            ),
        )

    def test_a_blocker_with_an_end_is_refused(self) -> None:
        """A subscriber notice cannot end has no end and no period."""
        with pytest.raises(ValidationError) as error:
            Subscriber(
                agreement_id="csa-1",
                agreement_version=1,
                customer_id="cust-1",
                entry_ids=("compute",),
                notice_at=berlin(2026, 12, 15),
                notice_period=relativedelta(months=1),
                notice_ends=berlin(2027, 1, 15),
                ends_by=RemovalEnd.CONSENT_OR_TRANSFER,
            )
        assert [p.path for p in error.value.problems] == ["$.notice_ends", "$.notice_period"]

    def test_subscribers_out_of_order_are_refused(self) -> None:
        """Subscribers are sorted by agreement id."""
        plan = plan_removal(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        with pytest.raises(ValidationError) as error:
            attrs.evolve(plan, subscribers=tuple(reversed(plan.subscribers)))
        assert [p.path for p in error.value.problems] == ["$.subscribers"]


class TestNotices:
    """One notice per subscriber, from the provider, about the removal."""

    def test_each_subscriber_gets_a_notice_ending_with_its_subscription(self) -> None:
        """Sent at the notice, to the customer, effective when the subscription ends."""
        plan = plan_removal(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        notices = plan.notices("acme-cloud")
        assert [n.sent_to for n in notices] == [{"cust-1"}, {"cust-2"}, {"cust-3"}]
        first = notices[0]
        assert (first.sent_by, first.sent_at) == ("acme-cloud", berlin(2026, 12, 15))
        assert berlin(2027, 1, 15) == first.effective_at
        assert first.payload is not None
        assert first.payload.kind == NOTICE_KIND == "service-removal"
        assert dict(first.payload.data) == {
            "service_id": SERVICE,
            "agreement_id": "csa-1",
            "removal_date": "2027-01-15T00:00:00+01:00",
            "ends_by": "notice",
        }

    def test_a_blocker_is_told_at_once_with_no_removal_date(self) -> None:
        """A subscriber notice cannot end gets a notice effective when sent, no date."""
        plan = plan_removal(CATALOGUE, SERVICE, [agreement(9)], as_of=AS_OF)
        (notice,) = plan.notices("acme-cloud")
        assert notice.effective_at == notice.sent_at
        assert notice.payload is not None
        assert notice.payload.data["removal_date"] is None

    def test_a_bad_sender_is_refused(self) -> None:
        """sent_by must be an id."""
        plan = plan_removal(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        with pytest.raises(ValidationError) as error:
            plan.notices("ACME Cloud")
        assert [p.path for p in error.value.problems] == ["$.sent_by"]


class TestTheBenchmarkAndDocs:
    """The benchmark plans for as many subscribers as it says; the docs use public names."""

    def test_the_benchmark_plans_exactly_its_count_of_subscribers(self) -> None:
        """benchmarks/removal.py's load(100): 100 subscribers among 110 agreements."""
        folder = Path(__file__).resolve().parents[1] / "benchmarks"
        sys.path.insert(0, str(folder))
        try:
            spec = importlib.util.spec_from_file_location("_removal_bench", folder / "removal.py")
            assert spec is not None
            assert spec.loader is not None
            bench = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(bench)
        finally:
            sys.path.remove(str(folder))
        catalogue, agreements = bench.load(100)
        plan = plan_removal(catalogue, bench.SERVICE, agreements, as_of=bench.AS_OF)
        assert (len(agreements), len(plan.subscribers)) == (110, 100)
        assert any(s.starts_at is not None for s in plan.subscribers)
        plain, earliest = bench.plain_loop(catalogue, agreements, bench.AS_OF)
        assert bench._agree(plan, plain, earliest)

    def test_the_removal_page_imports_no_private_module(self) -> None:
        """docs/removal.md takes the machine from cloudsms.testing, not its private module."""
        page = Path(__file__).resolve().parents[1] / "docs" / "removal.md"
        assert "cloudsms.testing._" not in page.read_text(encoding="utf-8")
