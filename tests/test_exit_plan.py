"""cloudsms.procedures._exit_plan: the dates, charge and steps of a termination (S13)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms._kit.converter import from_dict, to_dict
from cloudsms.agreements import (
    Amendment,
    BackupRetention,
    CloudServiceAgreement,
    EarlyTerminationCharge,
    ExitTerms,
    RecurringCharge,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    TermKind,
    amend,
)
from cloudsms.errors import Problem, ValidationError
from cloudsms.money import Money
from cloudsms.parties import Acknowledgement
from cloudsms.periods import add_calendar
from cloudsms.procedures._exit_plan import ExitPlan, ExitStep, ExitStepName, plan_exit
from cloudsms.serialization import from_json, to_json

from conftest import examples

BERLIN = ZoneInfo("Europe/Berlin")
EXAMPLE = (
    Path(__file__).resolve().parents[1] / "examples" / "data" / "resources" / "agreement.json"
)
BASE = from_json(CloudServiceAgreement, EXAMPLE.read_text(encoding="utf-8"))
MONTH = relativedelta(months=1)
YEAR = relativedelta(months=12)
TERMINATION = TerminationTerms(
    terminable_by=TerminatingParty.EITHER,
    provider_reasons={TerminationReason.MISUSE, TerminationReason.NON_PAYMENT},
    notice_period=MONTH,
    minimum_term=YEAR,
    early_termination_charge=EarlyTerminationCharge.remaining_charges(),
    withdrawable=True,
)
EXIT = ExitTerms(
    retrieval_window=relativedelta(days=30),
    export_formats=("CSV", "JSON"),
    retention_window=relativedelta(days=90),
)
CHARGES = (
    RecurringCharge(service_id="iaas-compute", amount=Money("100.00", "EUR"), period=MONTH),
    RecurringCharge(service_id="iaas-storage", amount=Money("50.00", "EUR"), period=MONTH),
)
AGREEMENT = attrs.evolve(
    BASE,
    effective_from=dt.datetime(2026, 3, 15, tzinfo=BERLIN),
    recurring_charges=CHARGES,
    termination=TERMINATION,
    exit=EXIT,
)


def berlin(year: int, month: int, day: int) -> dt.datetime:
    """Midnight starting a day in Europe/Berlin."""
    return dt.datetime(year, month, day, tzinfo=BERLIN)


def utc(instant: dt.datetime) -> dt.datetime:
    """The instant in UTC: Python compares and subtracts wall clocks within one zone."""
    return instant.astimezone(dt.UTC)


def agreement(**termination: Any) -> CloudServiceAgreement:
    """AGREEMENT with its termination terms changed by ``termination``."""
    return attrs.evolve(AGREEMENT, termination=attrs.evolve(TERMINATION, **termination))


def refusal(*args: Any, **kwargs: Any) -> list[Problem]:
    """The problems plan_exit refuses with."""
    with pytest.raises(ValidationError) as error:
        plan_exit(*args, **kwargs)
    return list(error.value.problems)


class TestEffectiveDate:
    """The effective date: one notice period after the notice, on the wall clock."""

    def test_a_month_from_the_31st_ends_on_the_last_day_of_february(self) -> None:
        """A notice on 2026-01-31 with one month's notice takes effect on 2026-02-28."""
        early_start = attrs.evolve(
            AGREEMENT, effective_from=berlin(2026, 1, 1), termination=TERMINATION
        )
        plan = plan_exit(early_start, notice=dt.date(2026, 1, 31))
        assert berlin(2026, 1, 31) == plan.notice_at
        assert berlin(2026, 2, 28) == plan.effective_at
        assert plan.effective_at.isoformat() == "2026-02-28T00:00:00+01:00"
        assert plan.effective_at.tzinfo is BERLIN

    def test_a_date_is_the_start_of_that_day_in_the_agreements_zone(self) -> None:
        """notice=date(...) means 00:00 in Europe/Berlin, not in UTC."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 6, 1))
        assert plan.notice_at.isoformat() == "2026-06-01T00:00:00+02:00"

    def test_an_aware_datetime_is_converted_to_the_agreements_zone(self) -> None:
        """23:30 UTC on 31 May is 01:30 on 1 June in Berlin; a month later is 1 July."""
        plan = plan_exit(AGREEMENT, notice=dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.UTC))
        assert plan.notice_at.isoformat() == "2026-06-01T01:30:00+02:00"
        assert plan.effective_at.isoformat() == "2026-07-01T01:30:00+02:00"

    def test_the_wall_clock_is_kept_across_a_dst_change(self) -> None:
        """From 16 March (CET) one month is 16 April 00:00 CEST: an hour short of 31 days."""
        plan = plan_exit(AGREEMENT, notice=dt.datetime(2026, 3, 16, tzinfo=BERLIN))
        assert plan.effective_at.isoformat() == "2026-04-16T00:00:00+02:00"
        assert utc(plan.effective_at) - utc(plan.notice_at) == dt.timedelta(days=31, hours=-1)

    def test_a_skipped_midnight_starts_the_day_at_the_first_instant_after(self) -> None:
        """In Santiago clocks jump from 00:00 to 01:00 on 2026-09-06: the day starts at 01:00."""
        chile = attrs.evolve(AGREEMENT, timezone="America/Santiago")
        plan = plan_exit(chile, notice=dt.date(2026, 9, 6))
        assert plan.notice_at.isoformat() == "2026-09-06T01:00:00-03:00"

    def test_an_earlier_end_of_the_agreement_is_the_effective_date(self) -> None:
        """An agreement ending before the notice period is over ends the service at its end."""
        ending = attrs.evolve(AGREEMENT, end=berlin(2026, 6, 20))
        plan = plan_exit(ending, notice=dt.date(2026, 6, 1))
        assert berlin(2026, 6, 20) == plan.effective_at
        assert plan.effective_at.tzinfo is BERLIN


class TestMinimumTerm:
    """The minimum term, and the early-termination charge inside it."""

    def test_twelve_months_from_march_15th(self) -> None:
        """A minimum term of 12 months from 2026-03-15 ends on 2027-03-15."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15))
        assert berlin(2027, 3, 15) == plan.minimum_term_ends
        assert plan.early

    def test_the_remaining_charges_of_six_whole_periods(self) -> None:
        """Effective 2026-09-15: six monthly periods of 100.00 + 50.00 EUR remain: 900.00 EUR."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15))
        assert berlin(2026, 9, 15) == plan.effective_at
        assert Money("900.00", "EUR") == plan.charge

    def test_a_share_of_the_remaining_charges(self) -> None:
        """50 % of 900.00 EUR is 450.00 EUR."""
        share = agreement(early_termination_charge=EarlyTerminationCharge.share_of_remaining(50))
        assert Money("450.00", "EUR") == plan_exit(share, notice=dt.date(2026, 8, 15)).charge

    def test_a_share_is_rounded_once_at_the_total(self) -> None:
        """12.5 % of 6 x 99.99 EUR is 74.9925 EUR, rounded once to 74.99 EUR."""
        one = (attrs.evolve(CHARGES[0], amount=Money("99.99", "EUR")),)
        share = attrs.evolve(
            agreement(
                early_termination_charge=EarlyTerminationCharge.share_of_remaining(Decimal("12.5"))
            ),
            recurring_charges=one,
        )
        assert Money("74.99", "EUR") == plan_exit(share, notice=dt.date(2026, 8, 15)).charge

    def test_a_fixed_charge(self) -> None:
        """A fixed charge is its amount, whatever remains."""
        fixed = agreement(
            early_termination_charge=EarlyTerminationCharge.fixed(Money("500", "EUR"))
        )
        assert Money("500.00", "EUR") == plan_exit(fixed, notice=dt.date(2026, 8, 15)).charge

    def test_a_period_the_effective_date_cuts_does_not_count(self) -> None:
        """Effective 2026-09-20: the period from 15 September is cut, five remain: 750.00 EUR."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 20))
        assert berlin(2026, 9, 20) == plan.effective_at
        assert Money("750.00", "EUR") == plan.charge

    def test_each_charge_counts_its_own_periods(self) -> None:
        """A quarterly 300.00 EUR beside the monthly 100.00 EUR: 2 quarters and 6 months."""
        quarterly = (
            CHARGES[0],
            attrs.evolve(
                CHARGES[1], amount=Money("300.00", "EUR"), period=relativedelta(months=3)
            ),
        )
        plan = plan_exit(
            attrs.evolve(AGREEMENT, recurring_charges=quarterly), notice=dt.date(2026, 8, 15)
        )
        assert Money("1200.00", "EUR") == plan.charge

    def test_inside_the_last_period_nothing_whole_remains(self) -> None:
        """Effective 2027-03-01: early, but no whole period remains: 0.00 EUR."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2027, 2, 1))
        assert plan.early
        assert Money("0.00", "EUR") == plan.charge

    def test_not_early_on_the_last_day_of_the_minimum_term(self) -> None:
        """Effective exactly when the minimum term ends: not early, no charge."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2027, 2, 15))
        assert berlin(2027, 3, 15) == plan.effective_at
        assert not plan.early
        assert plan.charge is None

    def test_not_early_after_the_minimum_term(self) -> None:
        """A termination effective after the minimum term owes nothing."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2027, 6, 1))
        assert not plan.early
        assert plan.charge is None

    def test_no_minimum_term_is_never_early(self) -> None:
        """Without a minimum term there is no end of it and no charge."""
        plan = plan_exit(
            agreement(minimum_term=None, early_termination_charge=None),
            notice=dt.date(2026, 4, 1),
        )
        assert plan.minimum_term_ends is None
        assert not plan.early
        assert plan.charge is None

    def test_early_without_a_charge_in_the_terms(self) -> None:
        """Early, but the terms define no charge: None."""
        plan = plan_exit(agreement(early_termination_charge=None), notice=dt.date(2026, 8, 15))
        assert plan.early
        assert plan.charge is None

    def test_no_recurring_charges_give_nothing_to_base_a_charge_on(self) -> None:
        """Remaining charges of an agreement without recurring charges: None, not zero."""
        bare = attrs.evolve(AGREEMENT, recurring_charges=())
        plan = plan_exit(bare, notice=dt.date(2026, 8, 15))
        assert plan.early
        assert plan.charge is None

    def test_recurring_charges_in_two_currencies_are_refused(self) -> None:
        """USD beside EUR cannot be summed into one charge."""
        mixed = attrs.evolve(
            AGREEMENT,
            recurring_charges=(CHARGES[0], attrs.evolve(CHARGES[1], amount=Money("5", "USD"))),
        )
        assert refusal(mixed, notice=dt.date(2026, 8, 15)) == [
            Problem(
                "$.agreement.recurring_charges",
                "recurring charges in one currency, to base the early-termination charge on",
                "EUR, USD",
            )
        ]


class TestWindows:
    """The retrieval and retention windows, from the effective date."""

    def test_both_windows_run_from_the_effective_date(self) -> None:
        """Effective 2026-09-15: retrieval until 2026-10-15, retention until 2026-12-14."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15))
        assert plan.retrieval_ends.isoformat() == "2026-10-15T00:00:00+02:00"
        assert plan.retention_ends.isoformat() == "2026-12-14T00:00:00+01:00"
        assert plan.export_formats == ("CSV", "JSON")
        assert plan.backup_retention is BackupRetention.UNTIL_CONFIRMATION
        assert plan.withdrawable

    def test_the_steps_in_order_with_owners_and_deadlines(self) -> None:
        """Notice, effect, retrieval, confirmation, then the provider's four steps."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15))
        notice, effective = berlin(2026, 8, 15), berlin(2026, 9, 15)
        assert [(s.step, s.owner, s.opens, s.due) for s in plan.steps] == [
            (ExitStepName.NOTICE, "customer", notice, notice),
            (ExitStepName.EFFECTIVE, "provider", effective, effective),
            (ExitStepName.RETRIEVAL, "customer", effective, berlin(2026, 10, 15)),
            (ExitStepName.CONFIRMATION, "customer", effective, berlin(2026, 12, 14)),
            (ExitStepName.RELEASE, "provider", effective, None),
            (ExitStepName.DELETION, "provider", effective, None),
            (ExitStepName.RECORDS, "provider", effective, None),
            (ExitStepName.WRITTEN_CONFIRMATION, "provider", effective, None),
        ]
        assert plan.steps[1].what == (
            "The termination takes effect and the service ends; "
            "until then the notice may be withdrawn."
        )
        assert "(CSV, JSON)" in plan.steps[2].what

    def test_the_backup_rule_is_stated_in_the_deletion_step(self) -> None:
        """Under 'until retention ends' the deletion step says the backup lives to that end."""
        kept = attrs.evolve(
            AGREEMENT,
            exit=attrs.evolve(EXIT, backup_retention=BackupRetention.UNTIL_RETENTION_ENDS),
        )
        plan = plan_exit(kept, notice=dt.date(2026, 8, 15))
        assert plan.backup_retention is BackupRetention.UNTIL_RETENTION_ENDS
        assert plan.steps[5].what.endswith(
            "the backup lives until the end of the retention window."
        )


class TestParties:
    """Who may terminate, and why."""

    def test_the_provider_for_a_listed_reason(self) -> None:
        """The provider's reason is recorded and the notice step is the provider's."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15), by="provider", reason="misuse")
        assert plan.initiated_by is TerminatingParty.PROVIDER
        assert plan.reason is TerminationReason.MISUSE
        assert plan.steps[0].owner == "provider"
        assert plan.steps[0].what == (
            "The provider gives notice of termination for a reason the agreement lists (misuse)."
        )

    def test_a_customers_reason_is_recorded(self) -> None:
        """The customer needs no reason, but one it gives is kept."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15), reason="non-payment")
        assert plan.reason is TerminationReason.NON_PAYMENT
        assert plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15)).reason is None

    def test_the_provider_without_a_reason_is_refused(self) -> None:
        """The message names the reasons the agreement lists."""
        assert refusal(AGREEMENT, notice=dt.date(2026, 8, 15), by="provider") == [
            Problem(
                "$.reason",
                "one of the reasons the agreement lists: 'misuse', 'non-payment'",
                "null",
            )
        ]

    def test_the_provider_with_an_unlisted_reason_is_refused(self) -> None:
        """Insolvency is a reason, but not one this agreement lists."""
        problems = refusal(
            AGREEMENT, notice=dt.date(2026, 8, 15), by="provider", reason="insolvency"
        )
        assert problems == [
            Problem(
                "$.reason",
                "one of the reasons the agreement lists: 'misuse', 'non-payment'",
                "'insolvency'",
            )
        ]

    def test_an_unknown_reason_is_refused(self) -> None:
        """A reason that is no TerminationReason at all is refused at $.reason."""
        (problem,) = refusal(AGREEMENT, notice=dt.date(2026, 8, 15), reason="boredom")
        assert problem.path == "$.reason"
        assert problem.got == "'boredom' (string)"

    def test_the_provider_on_customer_only_terms_is_refused(self) -> None:
        """Where only the customer may terminate, the provider may not, whatever the reason."""
        customer_only = agreement(terminable_by=TerminatingParty.CUSTOMER, provider_reasons=())
        problems = refusal(
            customer_only, notice=dt.date(2026, 8, 15), by="provider", reason="misuse"
        )
        assert problems == [
            Problem(
                "$.by", "a party the terms allow to terminate (only the customer may)", "provider"
            )
        ]

    def test_the_customer_on_provider_only_terms_is_refused(self) -> None:
        """Where only the provider may terminate, the customer may not."""
        provider_only = agreement(terminable_by=TerminatingParty.PROVIDER)
        assert refusal(provider_only, notice=dt.date(2026, 8, 15)) == [
            Problem(
                "$.by", "a party the terms allow to terminate (only the provider may)", "customer"
            )
        ]

    @pytest.mark.parametrize("by", ["either", TerminatingParty.EITHER, "Customer", 1])
    def test_a_party_other_than_customer_or_provider_is_refused(self, by: object) -> None:
        """'either' is who may terminate, never who did."""
        (problem,) = refusal(AGREEMENT, notice=dt.date(2026, 8, 15), by=by)
        assert problem.path == "$.by"
        assert problem.expected == "the party giving notice: 'customer' or 'provider'"


class TestNotice:
    """The notice instant."""

    def test_a_notice_before_the_start_is_refused(self) -> None:
        """The message names the agreement's start."""
        assert refusal(AGREEMENT, notice=dt.date(2026, 3, 14)) == [
            Problem(
                "$.notice",
                "an instant no earlier than the agreement's start (2026-03-15T00:00:00+01:00)",
                "2026-03-14T00:00:00+01:00",
            )
        ]

    def test_a_notice_at_the_start_is_accepted(self) -> None:
        """Notice may be given on the first day."""
        assert berlin(2026, 3, 15) == plan_exit(AGREEMENT, notice=dt.date(2026, 3, 15)).notice_at

    def test_a_naive_datetime_is_refused(self) -> None:
        """A datetime without a zone names no instant."""
        (problem,) = refusal(AGREEMENT, notice=dt.datetime(2026, 8, 15))
        assert problem.path == "$.notice"
        assert problem.expected == "a datetime with a time zone"

    def test_something_else_is_refused(self) -> None:
        """Text is not a notice instant."""
        assert refusal(AGREEMENT, notice="2026-08-15") == [
            Problem("$.notice", "a date, or a datetime with a time zone", "'2026-08-15' (string)")
        ]

    def test_a_notice_at_the_end_is_refused(self) -> None:
        """Nothing is left to terminate once the agreement has ended."""
        ending = attrs.evolve(AGREEMENT, end=berlin(2026, 6, 20))
        assert refusal(ending, notice=dt.date(2026, 6, 20)) == [
            Problem(
                "$.notice",
                "an instant before the agreement's end (2026-06-20T00:00:00+02:00)",
                "2026-06-20T00:00:00+02:00",
            )
        ]

    def test_a_notice_whose_dates_pass_the_range_is_refused_at_the_notice(self) -> None:
        """A notice on 8999-12-31 would take effect in 9000: refused at $.notice (finding 5)."""
        assert refusal(AGREEMENT, notice=dt.date(8999, 12, 31)) == [
            Problem(
                "$.notice",
                "a notice whose exit dates stay within the supported range (before 9000-01-01)",
                "8999-12-31T00:00:00+01:00",
            )
        ]
        # a notice whose retention window alone passes the range is refused alike
        assert [p.path for p in refusal(AGREEMENT, notice=dt.date(8999, 11, 1))] == ["$.notice"]

    @pytest.mark.parametrize(
        ("notice", "got"),
        [
            (dt.date(1, 1, 1), "0001-01-01"),
            (dt.datetime(1, 1, 1, tzinfo=dt.UTC), "0001-01-01T00:00:00+00:00"),
            (dt.date(9999, 12, 31), "9999-12-31T00:00:00+01:00"),
        ],
    )
    def test_a_notice_at_the_calendars_ends_is_refused_at_the_notice(
        self, notice: dt.date, got: str
    ) -> None:
        """The calendar's first and last days are refused at $.notice, never an OverflowError."""
        assert refusal(AGREEMENT, notice=notice) == [
            Problem(
                "$.notice",
                "an instant from 1900-01-01T00:00Z up to (not including) 9000-01-01T00:00Z",
                got,
            )
        ]

    def test_every_argument_problem_at_once(self) -> None:
        """A bad party, reason and notice are reported together."""
        problems = refusal(AGREEMENT, notice=None, by="nobody", reason=3)
        assert [p.path for p in problems] == ["$.by", "$.reason", "$.notice"]

    def test_not_an_agreement_is_refused(self) -> None:
        """The agreement must be a CloudServiceAgreement."""
        assert refusal("csa-1", notice=dt.date(2026, 8, 15)) == [
            Problem("$.agreement", "a CloudServiceAgreement", "'csa-1' (string)")
        ]

    def test_an_amendment_after_the_notice_changes_nothing(self) -> None:
        """Terms amended after notice: the plan uses the terms in force when notice was given."""
        longer = attrs.evolve(TERMINATION, notice_period=relativedelta(months=3))
        accepted = berlin(2026, 9, 1)
        amended = amend(
            AGREEMENT,
            Amendment(
                term=TermKind.TERMINATION,
                value=to_dict(longer),
                proposed_at=accepted,
                proposed_by=AGREEMENT.provider.replace(" ", "-").lower(),
            ),
            consent=Acknowledgement(
                party_id=AGREEMENT.customer_id,
                terms_id=AGREEMENT.id,
                version="2",
                accepted_at=accepted,
            ),
        )
        assert amended.termination.notice_period == relativedelta(months=3)
        before = plan_exit(amended, notice=dt.date(2026, 8, 15))
        assert plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15)) == before
        assert before.agreement_version == 1
        after = plan_exit(amended, notice=dt.date(2026, 9, 1))
        assert after.agreement_version == 2
        assert berlin(2026, 12, 1) == after.effective_at

    def test_a_time_zone_amended_after_the_notice(self) -> None:
        """The zone in force at the notice dates the plan, not one amended in later."""
        accepted = berlin(2026, 9, 1)
        amended = amend(
            AGREEMENT,
            Amendment(
                term=TermKind.TIMEZONE,
                value="Asia/Kolkata",
                proposed_at=accepted,
                proposed_by=AGREEMENT.customer_id,
            ),
            consent=Acknowledgement(
                party_id=AGREEMENT.customer_id,
                terms_id=AGREEMENT.id,
                version="2",
                accepted_at=accepted,
            ),
        )
        plan = plan_exit(amended, notice=dt.date(2026, 6, 1))
        assert plan.timezone == "Europe/Berlin"
        assert plan == plan_exit(AGREEMENT, notice=dt.date(2026, 6, 1))
        assert berlin(2026, 7, 1) == plan.effective_at

    def test_an_effect_at_the_agreements_own_end_is_not_early(self) -> None:
        """Capped at an end before the minimum term's: not early, and nothing charged."""
        ending = attrs.evolve(AGREEMENT, end=berlin(2026, 12, 31))
        plan = plan_exit(ending, notice=dt.date(2026, 12, 15))
        assert berlin(2026, 12, 31) == plan.effective_at
        assert berlin(2027, 3, 15) == plan.minimum_term_ends
        assert not plan.early
        assert plan.charge is None
        with pytest.raises(ValidationError) as error:
            attrs.evolve(plan, early=True)
        assert "$.early" in error.value.paths


class TestExitPlanRecord:
    """ExitPlan checks its own consistency and round-trips through JSON."""

    PLAN = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15), by="provider", reason="misuse")

    def test_json_round_trip_is_exact(self) -> None:
        """to_json, from_json and to_json again give the same text and an equal plan."""
        text = to_json(self.PLAN)
        back = from_json(ExitPlan, text)
        assert back == self.PLAN
        assert to_json(back) == text
        assert back.effective_at.tzinfo == BERLIN
        assert from_dict(ExitPlan, to_dict(self.PLAN)) == self.PLAN

    def test_an_effect_before_the_notice_is_refused(self) -> None:
        """effective_at earlier than notice_at is inconsistent."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, effective_at=berlin(2026, 8, 1))
        paths = [p.path for p in error.value.problems]
        assert "$.effective_at" in paths

    def test_either_as_the_initiator_is_refused(self) -> None:
        """A plan is initiated by one party."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, initiated_by=TerminatingParty.EITHER)
        assert error.value.problems[0] == Problem(
            "$.initiated_by", "the customer or the provider", "either"
        )

    def test_a_provider_plan_without_its_reason_is_refused(self) -> None:
        """The provider's plan carries a listed reason."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, reason=None)
        assert [p.path for p in error.value.problems] == ["$.reason"]

    def test_windows_out_of_order_are_refused(self) -> None:
        """Retrieval ends after the effect; retention ends no earlier than retrieval."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, retention_ends=berlin(2026, 10, 1))
        assert error.value.problems == (
            Problem(
                "$.retention_ends",
                "an instant no earlier than the retrieval window's end "
                "(2026-10-15T00:00:00+02:00)",
                "2026-10-01T00:00:00+02:00",
            ),
            Problem(
                "$.retention_ends",
                "2026-12-14T00:00:00+01:00 (the retention window after the effective date)",
                "2026-10-01T00:00:00+02:00",
            ),
        )
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, retrieval_ends=self.PLAN.effective_at)
        assert [p.path for p in error.value.problems] == ["$.retrieval_ends"] * 2

    def test_the_start_and_end_are_kept(self) -> None:
        """The plan keeps the agreement's start and its end at notice, in the zone."""
        assert self.PLAN.agreement_start.isoformat() == "2026-03-15T00:00:00+01:00"
        assert self.PLAN.agreement_end is None
        ending = attrs.evolve(AGREEMENT, end=berlin(2026, 9, 1))
        plan = plan_exit(ending, notice=dt.date(2026, 8, 15))
        assert plan.agreement_end == berlin(2026, 9, 1)
        assert from_json(ExitPlan, to_json(plan)) == plan

    def test_a_retention_end_moved_onto_the_retrieval_end_is_refused(self) -> None:
        """Both windows are in order yet not the terms' window: refused (finding 1)."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, retention_ends=self.PLAN.retrieval_ends)
        assert error.value.problems == (
            Problem(
                "$.retention_ends",
                "2026-12-14T00:00:00+01:00 (the retention window after the effective date)",
                "2026-10-15T00:00:00+02:00",
            ),
        )

    def test_an_effect_an_hour_after_the_notice_is_refused(self) -> None:
        """The effective date is the notice period after the notice, not any later instant."""
        effect = self.PLAN.notice_at + dt.timedelta(hours=1)
        with pytest.raises(ValidationError) as error:
            attrs.evolve(
                self.PLAN,
                effective_at=effect,
                retrieval_ends=add_calendar(effect, EXIT.retrieval_window),
                retention_ends=add_calendar(effect, EXIT.retention_window),
            )
        assert error.value.problems == (
            Problem(
                "$.effective_at",
                "2026-09-15T00:00:00+02:00 (one notice period after the notice on the "
                "agreement's wall clock, or the agreement's end if that comes first)",
                "2026-08-15T01:00:00+02:00",
            ),
        )

    def test_a_minimum_term_end_moved_to_the_notice_is_refused(self) -> None:
        """The minimum term's end follows from the start, so early=False cannot hide it."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, minimum_term_ends=self.PLAN.notice_at, early=False)
        assert error.value.problems == (
            Problem(
                "$.minimum_term_ends",
                "2027-03-15T00:00:00+01:00 (the minimum term after the agreement's start)",
                "2026-08-15T00:00:00+02:00",
            ),
        )

    def test_a_moved_start_or_end_is_refused_through_the_dates(self) -> None:
        """A start after the notice, or an end before the effect, contradicts the plan."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, agreement_start=berlin(2026, 9, 1))
        assert [p.path for p in error.value.problems] == ["$.notice_at", "$.minimum_term_ends"]
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, agreement_end=berlin(2026, 9, 1))
        # An effect at or after the end is not early either: the flag no longer follows.
        assert [p.path for p in error.value.problems] == ["$.early", "$.effective_at"]
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, agreement_end=self.PLAN.notice_at)
        paths = [p.path for p in error.value.problems]
        assert paths == ["$.early", "$.notice_at", "$.effective_at"]

    def test_a_fixed_charge_other_than_the_terms_is_refused(self) -> None:
        """A customer's early exit under a fixed charge owes exactly that amount."""
        fixed = agreement(
            early_termination_charge=EarlyTerminationCharge.fixed(Money("500.00", "EUR"))
        )
        plan = plan_exit(fixed, notice=dt.date(2026, 8, 15))
        assert plan.charge == Money("500.00", "EUR")
        for wrong in (Money("1.00", "EUR"), None):
            with pytest.raises(ValidationError) as error:
                attrs.evolve(plan, charge=wrong)
            assert [p.path for p in error.value.problems] == ["$.charge"]
            assert "EUR 500.00" in error.value.problems[0].expected

    def test_an_early_flag_against_the_dates_is_refused(self) -> None:
        """The early flag follows from the dates, and a charge needs it."""
        customers = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15))
        assert customers.charge is not None
        with pytest.raises(ValidationError) as error:
            attrs.evolve(customers, early=False)
        assert [p.path for p in error.value.problems] == ["$.early", "$.charge"]

    def test_a_providers_early_termination_owes_no_charge(self) -> None:
        """The early-termination charge is the customer's: a provider's plan has none."""
        customers = plan_exit(AGREEMENT, notice=dt.date(2026, 8, 15))
        assert self.PLAN.early
        assert customers.early
        assert self.PLAN.charge is None
        assert customers.charge is not None
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, charge=customers.charge)
        assert [p.path for p in error.value.problems] == ["$.charge"]

    def test_an_instant_in_another_zone_is_refused(self) -> None:
        """Every instant is in the agreement's zone."""
        with pytest.raises(ValidationError) as error:
            attrs.evolve(self.PLAN, notice_at=self.PLAN.notice_at.astimezone(dt.UTC))
        assert error.value.problems[0].path == "$.notice_at"

    def test_steps_are_derived_not_stored(self) -> None:
        """The JSON holds no steps; the plan read back derives the same ones."""
        assert "steps" not in to_dict(self.PLAN)
        assert from_json(ExitPlan, to_json(self.PLAN)).steps == self.PLAN.steps

    def test_a_deadline_before_the_step_opens_is_refused(self) -> None:
        """An ExitStep's due is no earlier than its opening."""
        with pytest.raises(ValidationError) as error:
            ExitStep(
                step=ExitStepName.RETRIEVAL,
                owner="customer",
                opens=berlin(2026, 9, 15),
                due=berlin(2026, 9, 14),
                what="The customer takes its data back.",
            )
        assert [p.path for p in error.value.problems] == ["$.due"]


@st.composite
def terms_and_notices(draw: st.DrawFn) -> tuple[CloudServiceAgreement, dt.date]:
    """AGREEMENT with drawn termination and exit terms, and a notice date within 3 years."""
    lengths = st.builds(
        relativedelta,
        months=st.integers(0, 24),
        days=st.integers(0, 45),
    ).filter(lambda r: r.months or r.days)
    retrieval = draw(lengths)
    more = draw(st.builds(relativedelta, months=st.integers(0, 12), days=st.integers(0, 40)))
    charge = draw(
        st.sampled_from(
            [
                None,
                EarlyTerminationCharge.remaining_charges(),
                EarlyTerminationCharge.share_of_remaining(draw(st.integers(1, 100))),
                EarlyTerminationCharge.fixed(Money("250", "EUR")),
            ]
        )
    )
    minimum = draw(st.none() | lengths) if charge is None else draw(lengths)
    termination = attrs.evolve(
        TERMINATION,
        notice_period=draw(lengths),
        minimum_term=minimum,
        early_termination_charge=charge,
    )
    exit_terms = attrs.evolve(
        EXIT,
        retrieval_window=retrieval,
        retention_window=retrieval + more,
        backup_retention=draw(st.sampled_from(BackupRetention)),
    )
    zone = draw(st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]))
    made = attrs.evolve(
        AGREEMENT,
        timezone=zone,
        effective_from=dt.datetime(2026, 1, 31, tzinfo=ZoneInfo(zone)),
        termination=termination,
        exit=exit_terms,
    )
    return made, dt.date(2026, 1, 31) + dt.timedelta(days=draw(st.integers(0, 3 * 365)))


class TestProperties:
    """What holds for every plan."""

    @given(terms_and_notices())
    @settings(max_examples=examples(60), deadline=None)
    def test_dates_in_order_and_early_exactly_inside_the_minimum_term(
        self, case: tuple[CloudServiceAgreement, dt.date]
    ) -> None:
        """Dates in order; early, and a charge, exactly when the terms make them due."""
        made, notice = case
        plan = plan_exit(made, notice=notice)
        assert utc(plan.effective_at) >= utc(plan.notice_at)
        assert utc(plan.effective_at) <= utc(plan.retrieval_ends) <= utc(plan.retention_ends)
        ends = plan.minimum_term_ends
        assert plan.early == (ends is not None and utc(plan.effective_at) < utc(ends))
        defined = made.termination.early_termination_charge is not None
        assert (plan.charge is not None) == (plan.early and defined)
        assert to_json(from_json(ExitPlan, to_json(plan))) == to_json(plan)

    @given(
        st.sampled_from([MONTH, relativedelta(months=3), relativedelta(days=10), YEAR]),
        st.integers(0, 500),
        st.sampled_from(["Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata"]),
    )
    @settings(max_examples=examples(40), deadline=None)
    def test_the_remaining_charges_count_whole_periods(
        self, period: relativedelta, days: int, zone: str
    ) -> None:
        """The charge is 100.00 EUR for each whole period inside [effective, minimum term end)."""
        start = dt.datetime(2026, 1, 31, tzinfo=ZoneInfo(zone))
        made = attrs.evolve(
            AGREEMENT,
            timezone=zone,
            effective_from=start,
            recurring_charges=(attrs.evolve(CHARGES[0], period=period),),
            termination=attrs.evolve(TERMINATION, minimum_term=relativedelta(months=18)),
        )
        plan = plan_exit(made, notice=dt.date(2026, 1, 31) + dt.timedelta(days=days))
        ends = plan.minimum_term_ends
        assert ends is not None
        whole, index = 0, 0
        while utc(add_calendar(start, period, index)) < utc(ends):
            begins, finish = (
                add_calendar(start, period, index),
                add_calendar(start, period, index + 1),
            )
            if utc(begins) >= utc(plan.effective_at) and utc(finish) <= utc(ends):
                whole += 1
            index += 1
        expected = Money("100.00", "EUR") * whole if plan.early else None
        assert expected == plan.charge
