"""cloudsms.agreements.terms: termination, exit, responsibilities, priorities, limits, notices."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudsms.agreements import terms
from cloudsms.agreements.terms import (
    Activity,
    BackupRetention,
    ChargeKind,
    EarlyTerminationCharge,
    ExitTerms,
    LegalTerm,
    LegalTermKind,
    Notice,
    NoticePayload,
    Priority,
    PriorityScale,
    ResourceLimit,
    ResourceType,
    Responsibilities,
    Responsibility,
    ResponsibleParty,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    early_termination_due,
)
from cloudsms.errors import Problem, UnknownReference, ValidationError
from cloudsms.money import Money
from cloudsms.periods import timezone
from cloudsms.serialization import from_dict, from_json, to_dict, to_json
from cloudsms.testing._agreements_terms import (
    early_termination_charges,
    register,
    responsibilities,
    strategy_pairs,
)
from cloudsms.units import quantity

from conftest import examples, schema_validator

register()  # st.from_type for the types of cloudsms.agreements.terms

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
MONTH = relativedelta(months=1)
YEAR = relativedelta(years=1)
FIXED = EarlyTerminationCharge.fixed(Money("250.00", "EUR"))
WHOLE = EarlyTerminationCharge.remaining_charges()


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> list[Problem]:
    """The problems a ValidationError lists."""
    return list(error.value.problems)


def paths_of(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    """The paths of the problems a ValidationError lists."""
    return [problem.path for problem in error.value.problems]


def share(percent: str) -> EarlyTerminationCharge:
    """A charge of ``percent`` of the remaining charges."""
    return EarlyTerminationCharge.share_of_remaining(Decimal(percent))


def everyone_holds(**changes: frozenset[str]) -> list[Responsibility]:
    """Every activity held by the provider, except those named (by member name) in ``changes``."""
    return [
        Responsibility(activity=a, holders=changes.get(a.name, frozenset({"provider"})))
        for a in Activity
    ]


def notice(**changes: Any) -> Notice:
    """A notice from the provider to a customer, sent at T0 and effective 30 days later."""
    fields: dict[str, Any] = {
        "sent_by": "provider-1",
        "sent_to": {"customer-7"},
        "sent_at": T0,
        "effective_at": T0 + dt.timedelta(days=30),
    }
    return Notice(**(fields | changes))


class TestEarlyTerminationCharge:
    """The charge for ending early: one record, three forms."""

    def test_each_form_carries_its_own_fields(self) -> None:
        """A fixed charge has an amount, a share a percent, the remaining charges neither."""
        assert (FIXED.kind, FIXED.amount, FIXED.percent) == (
            ChargeKind.FIXED,
            Money("250.00", "EUR"),
            None,
        )
        assert (WHOLE.amount, WHOLE.percent) == (None, None)
        assert share("40").percent == Decimal(40)

    def test_a_fixed_charge_needs_its_amount(self) -> None:
        """Refuses a fixed charge without an amount, at $.amount."""
        with pytest.raises(ValidationError) as error:
            EarlyTerminationCharge(kind=ChargeKind.FIXED)
        assert problems_of(error) == [
            Problem("$.amount", "an amount for a charge of kind 'fixed'", "null")
        ]

    def test_a_share_needs_its_percent(self) -> None:
        """Refuses a share without a percent, at $.percent."""
        with pytest.raises(ValidationError) as error:
            EarlyTerminationCharge(kind=ChargeKind.SHARE_OF_REMAINING)
        assert paths_of(error) == ["$.percent"]

    def test_fields_of_another_form_are_refused(self) -> None:
        """Refuses a percent on a fixed charge and an amount on the remaining charges."""
        with pytest.raises(ValidationError) as error:
            EarlyTerminationCharge(
                kind=ChargeKind.FIXED, amount=Money(1, "EUR"), percent=Decimal(10)
            )
        assert problems_of(error) == [
            Problem("$.percent", "null for a charge of kind 'fixed'", "10")
        ]
        with pytest.raises(ValidationError) as error:
            EarlyTerminationCharge(kind=ChargeKind.REMAINING_CHARGES, amount=Money(1, "EUR"))
        assert problems_of(error) == [
            Problem("$.amount", "null for a charge of kind 'remaining charges'", "EUR 1")
        ]

    @pytest.mark.parametrize("percent", ["0", "-5", "100.01", "NaN", "Infinity", "1E-11"])
    def test_a_percent_outside_0_to_100_is_refused(self, percent: str) -> None:
        """Refuses a percent of zero or less, above 100, not finite or too finely split."""
        with pytest.raises(ValidationError) as error:
            share(percent)
        assert paths_of(error) == ["$.percent"]

    def test_a_negative_amount_is_refused(self) -> None:
        """Refuses a fixed amount below zero."""
        with pytest.raises(ValidationError) as error:
            EarlyTerminationCharge.fixed(Money("-1", "EUR"))
        assert problems_of(error) == [Problem("$.amount", "Money not below zero", "EUR -1")]

    def test_wrong_types_are_refused_at_their_paths(self) -> None:
        """Refuses a kind that is no ChargeKind and a float percent, each at its path."""
        with pytest.raises(ValidationError) as error:
            EarlyTerminationCharge(kind="fixed", percent=5.0)  # type: ignore[arg-type]
        assert paths_of(error) == ["$.kind", "$.percent"]


class TestEarlyTerminationDue:
    """What ending early costs, computed exactly and rounded once."""

    def test_a_fixed_charge_is_its_amount(self) -> None:
        """A fixed charge is due in full, whatever remains of the term."""
        due = early_termination_due(FIXED, recurring=Money("99", "EUR"), periods_remaining=11)
        assert due == Money("250.00", "EUR")

    def test_a_fixed_charge_is_rounded_to_the_minor_unit(self) -> None:
        """A fixed amount finer than cents is rounded half to even."""
        charge = EarlyTerminationCharge.fixed(Money("10.125", "EUR"))
        due = early_termination_due(charge, recurring=Money(0, "EUR"), periods_remaining=0)
        assert due == Money("10.12", "EUR")

    def test_the_remaining_charges_are_the_periods_times_the_charge(self) -> None:
        """7 periods of EUR 49.99 remaining: EUR 349.93."""
        due = early_termination_due(WHOLE, recurring=Money("49.99", "EUR"), periods_remaining=7)
        assert due == Money("349.93", "EUR")

    def test_a_share_is_rounded_once_half_to_even(self) -> None:
        """12.5 % of 7 x EUR 99.99 is EUR 87.49125: EUR 87.49."""
        due = early_termination_due(
            share("12.5"), recurring=Money("99.99", "EUR"), periods_remaining=7
        )
        assert due == Money("87.49", "EUR")

    def test_a_half_cent_goes_to_the_even_cent(self) -> None:
        """50 % of 1 x EUR 0.25 (0.125) is EUR 0.12; of EUR 0.35 (0.175) EUR 0.18."""
        due = early_termination_due(
            share("50"), recurring=Money("0.25", "EUR"), periods_remaining=1
        )
        assert due == Money("0.12", "EUR")
        due = early_termination_due(
            share("50"), recurring=Money("0.35", "EUR"), periods_remaining=1
        )
        assert due == Money("0.18", "EUR")

    def test_rounding_happens_once_at_the_total(self) -> None:
        """33.33 % of 3 x EUR 0.01 is EUR 0.009999: EUR 0.01, not three rounded zeros."""
        due = early_termination_due(
            share("33.33"), recurring=Money("0.01", "EUR"), periods_remaining=3
        )
        assert due == Money("0.01", "EUR")

    def test_jpy_has_no_minor_unit(self) -> None:
        """JPY rounds to whole yen: 15 % of 3 x JPY 1,250 is JPY 562.5, so JPY 562."""
        due = early_termination_due(share("15"), recurring=Money(1250, "JPY"), periods_remaining=3)
        assert due == Money(562, "JPY")
        due = early_termination_due(share("15"), recurring=Money(1270, "JPY"), periods_remaining=3)
        assert due == Money(572, "JPY")  # 571.5 goes to the even yen
        whole = early_termination_due(WHOLE, recurring=Money(1250, "JPY"), periods_remaining=3)
        assert whole == Money(3750, "JPY")

    def test_nothing_is_due_once_the_term_is_over(self) -> None:
        """No periods remaining: nothing of the remaining charges is due."""
        assert early_termination_due(
            share("50"), recurring=Money("10", "USD"), periods_remaining=0
        ) == Money("0.00", "USD")

    def test_a_fixed_charge_in_another_currency_is_refused(self) -> None:
        """Refuses a recurring charge in USD beside a fixed charge in EUR."""
        with pytest.raises(ValidationError) as error:
            early_termination_due(FIXED, recurring=Money(10, "USD"), periods_remaining=1)
        assert problems_of(error) == [
            Problem("$.recurring", "Money in EUR, the charge's currency", "USD")
        ]

    def test_bad_arguments_are_refused_at_their_paths(self) -> None:
        """Refuses a non-charge, a negative recurring charge and a negative or bool count."""
        with pytest.raises(ValidationError) as error:
            early_termination_due(
                "fixed",  # type: ignore[arg-type]
                recurring=Money(-1, "EUR"),
                periods_remaining=-1,
            )
        assert paths_of(error) == ["$.charge", "$.recurring", "$.periods_remaining"]
        with pytest.raises(ValidationError) as error:
            early_termination_due(WHOLE, recurring=Money(1, "EUR"), periods_remaining=True)
        assert paths_of(error) == ["$.periods_remaining"]

    @given(
        early_termination_charges(currency="EUR"),
        st.decimals(min_value=0, max_value=10**6, places=2),
        st.integers(0, 120),
    )
    def test_never_negative_and_never_above_the_remaining_charges(
        self, charge: EarlyTerminationCharge, amount: Decimal, periods: int
    ) -> None:
        """A charge relative to the remaining charges is never negative nor above them."""
        recurring = Money(amount, "EUR")
        due = early_termination_due(charge, recurring=recurring, periods_remaining=periods)
        assert due.amount >= 0
        if charge.kind is not ChargeKind.FIXED:
            assert due <= (recurring * periods).rounded()


class TestTerminationTerms:
    """Who may end the agreement, why, with what notice and charge."""

    def test_either_party_with_reasons(self) -> None:
        """Lets the customer terminate freely and the provider for its listed reasons."""
        terms_ = TerminationTerms(
            terminable_by=TerminatingParty.EITHER,
            provider_reasons={TerminationReason.MISUSE, TerminationReason.NON_PAYMENT},
            notice_period=MONTH,
            minimum_term=YEAR,
            early_termination_charge=WHOLE,
            withdrawable=True,
        )
        assert terms_.customer_may_terminate
        assert terms_.provider_may_terminate_for("non-payment")
        assert not terms_.provider_may_terminate_for(TerminationReason.INSOLVENCY)

    def test_only_the_customer(self) -> None:
        """The provider may terminate for no reason when only the customer may terminate."""
        terms_ = TerminationTerms(terminable_by=TerminatingParty.CUSTOMER, notice_period=MONTH)
        assert terms_.customer_may_terminate
        assert not terms_.provider_may_terminate_for(TerminationReason.MISUSE)
        assert not terms_.withdrawable

    def test_the_provider_needs_reasons(self) -> None:
        """Refuses a provider who may terminate without any listed reason."""
        with pytest.raises(ValidationError) as error:
            TerminationTerms(terminable_by=TerminatingParty.PROVIDER, notice_period=MONTH)
        assert problems_of(error) == [
            Problem(
                "$.provider_reasons",
                "one or more reasons, since the provider may terminate",
                "none",
            )
        ]

    def test_reasons_without_a_provider_right_are_refused(self) -> None:
        """Refuses reasons when only the customer may terminate."""
        with pytest.raises(ValidationError) as error:
            TerminationTerms(
                terminable_by=TerminatingParty.CUSTOMER,
                provider_reasons={TerminationReason.MISUSE},
                notice_period=MONTH,
            )
        assert problems_of(error) == [
            Problem(
                "$.provider_reasons", "no reasons, since only the customer may terminate", "misuse"
            )
        ]

    def test_a_charge_needs_a_minimum_term(self) -> None:
        """Refuses an early-termination charge without a minimum term."""
        with pytest.raises(ValidationError) as error:
            TerminationTerms(
                terminable_by=TerminatingParty.CUSTOMER,
                notice_period=MONTH,
                early_termination_charge=FIXED,
            )
        assert problems_of(error) == [
            Problem("$.minimum_term", "a minimum term, since ending early is charged", "null")
        ]

    def test_an_unknown_reason_in_a_query_is_refused(self) -> None:
        """Refuses a query about a reason the enum lacks, at $.reason."""
        terms_ = TerminationTerms(terminable_by=TerminatingParty.CUSTOMER, notice_period=MONTH)
        with pytest.raises(ValidationError) as error:
            terms_.provider_may_terminate_for("boredom")
        assert paths_of(error) == ["$.reason"]

    def test_wrong_types_are_refused_at_their_paths(self) -> None:
        """Refuses a text party and reason, an exact notice period and a text flag."""
        with pytest.raises(ValidationError) as error:
            TerminationTerms(
                terminable_by="either",  # type: ignore[arg-type]
                provider_reasons={"misuse"},
                notice_period=dt.timedelta(days=30),  # type: ignore[arg-type]
                minimum_term=YEAR,
                withdrawable="yes",  # type: ignore[arg-type]
            )
        assert paths_of(error) == [
            "$.terminable_by",
            "$.provider_reasons[0]",
            "$.notice_period",
            "$.withdrawable",
        ]

    def test_a_bad_nested_charge_is_reported_inside_it(self) -> None:
        """Reads a document whose charge lacks its percent: refused at the nested path."""
        document = {
            "terminable_by": "customer",
            "notice_period": "P1M",
            "minimum_term": "P1Y",
            "early_termination_charge": {"kind": "share of remaining charges"},
        }
        with pytest.raises(ValidationError) as error:
            from_dict(TerminationTerms, document)
        assert paths_of(error) == ["$.early_termination_charge.percent"]


class TestExitTerms:
    """The data retrieval and retention windows and the export formats."""

    def test_retention_equal_to_retrieval_is_accepted(self) -> None:
        """Accepts a retention window as long as the retrieval window."""
        exit_ = ExitTerms(retrieval_window=MONTH, export_formats=("CSV",), retention_window=MONTH)
        assert exit_.backup_retention is BackupRetention.UNTIL_CONFIRMATION

    def test_retention_longer_in_every_unit_is_accepted(self) -> None:
        """Accepts 90 days of retention after 30 days of retrieval."""
        ExitTerms(
            retrieval_window=relativedelta(days=30),
            export_formats=("CSV", "JSON"),
            retention_window=relativedelta(days=90),
            backup_retention=BackupRetention.UNTIL_RETENTION_ENDS,
        )

    def test_a_month_is_shorter_than_30_days_from_some_start(self) -> None:
        """Refuses one month of retention after 30 days of retrieval: January 30 + 1 month."""
        with pytest.raises(ValidationError) as error:
            ExitTerms(
                retrieval_window=relativedelta(days=30),
                export_formats=("CSV",),
                retention_window=MONTH,
            )
        assert problems_of(error) == [
            Problem(
                "$.retention_window",
                "a retention window not shorter than the retrieval window (P30D)",
                "P1M, shorter from 2023-01-30",
            )
        ]

    def test_a_month_is_never_shorter_than_28_days(self) -> None:
        """Accepts one month of retention after 28 days of retrieval (mixed units)."""
        ExitTerms(
            retrieval_window=relativedelta(days=28),
            export_formats=("CSV",),
            retention_window=MONTH,
        )

    def test_a_shorter_retention_is_refused(self) -> None:
        """Refuses retention of one month after a retrieval of two."""
        with pytest.raises(ValidationError) as error:
            ExitTerms(
                retrieval_window=relativedelta(months=2),
                export_formats=("CSV",),
                retention_window=MONTH,
            )
        assert paths_of(error) == ["$.retention_window"]

    def test_export_formats_are_distinct_non_empty_texts(self) -> None:
        """Refuses no format, an empty format and a repeated one."""
        for formats, path in [((), "$.export_formats"), (("CSV", " "), "$.export_formats[1]")]:
            with pytest.raises(ValidationError) as error:
                ExitTerms(retrieval_window=MONTH, export_formats=formats, retention_window=YEAR)
            assert paths_of(error) == [path]
        with pytest.raises(ValidationError) as error:
            ExitTerms(retrieval_window=MONTH, export_formats=("CSV", "CSV"), retention_window=YEAR)
        assert problems_of(error)[0].expected == "distinct items"

    def test_wrong_types_are_refused_at_their_paths(self) -> None:
        """Refuses an exact retrieval window and a text backup rule, each at its path."""
        with pytest.raises(ValidationError) as error:
            ExitTerms(
                retrieval_window=dt.timedelta(days=30),  # type: ignore[arg-type]
                export_formats=("CSV",),
                retention_window=YEAR,
                backup_retention="until confirmation",  # type: ignore[arg-type]
            )
        assert paths_of(error) == ["$.retrieval_window", "$.backup_retention"]


class TestResponsibilities:
    """Every activity held by some party, each listed once."""

    def test_holders_split_into_roles_and_partners(self) -> None:
        """Tells the agreement's parties from the partners among the holders."""
        held = Responsibility(
            activity=Activity.BACKUP, holders={"provider", "customer", "backup-co"}
        )
        assert held.roles == {ResponsibleParty.PROVIDER, ResponsibleParty.CUSTOMER}
        assert held.partners == {"backup-co"}

    def test_every_activity_held(self) -> None:
        """Looks up who holds an activity, by member or by its value."""
        assignments = everyone_holds(USER_ADMINISTRATION=frozenset({"customer"}))
        held = Responsibilities(assignments=assignments)
        assert held.holders_of("user administration") == {"customer"}
        assert held.holders_of(Activity.BACKUP) == {"provider"}

    def test_an_activity_nobody_holds_is_refused_at_its_path(self) -> None:
        """Refuses an activity with no holder, at its holders (nested in a document too)."""
        with pytest.raises(ValidationError) as error:
            Responsibility(activity=Activity.RESTORE, holders=frozenset())
        assert problems_of(error) == [Problem("$.holders", "one or more holders", "[] (array)")]
        document = to_dict(Responsibilities(assignments=everyone_holds()))
        index = list(Activity).index(Activity.RESTORE)
        document["assignments"][index]["holders"] = []
        with pytest.raises(ValidationError) as error:
            from_dict(Responsibilities, document)
        assert paths_of(error) == [f"$.assignments[{index}].holders"]

    def test_an_activity_not_listed_is_held_by_nobody(self) -> None:
        """Refuses a list that leaves activities out, naming them."""
        listed = [
            r for r in everyone_holds() if r.activity not in {Activity.BACKUP, Activity.TRAINING}
        ]
        with pytest.raises(ValidationError) as error:
            Responsibilities(assignments=listed)
        assert problems_of(error) == [
            Problem(
                "$.assignments",
                "every activity held by a party",
                "none holds backup, training",
            )
        ]

    def test_an_activity_listed_twice_is_refused(self) -> None:
        """Refuses the same activity twice, at the repeat."""
        twice = [*everyone_holds(), Responsibility(activity=Activity.BACKUP, holders={"customer"})]
        with pytest.raises(ValidationError) as error:
            Responsibilities(assignments=twice)
        assert paths_of(error) == [f"$.assignments[{len(Activity)}].activity"]

    def test_a_bad_holder_id_and_an_unknown_activity(self) -> None:
        """Refuses a malformed holder id and a query about an unknown activity."""
        with pytest.raises(ValidationError) as error:
            Responsibility(activity=Activity.BACKUP, holders={"not an id"})
        assert paths_of(error) == ["$.holders[0]"]
        held = Responsibilities(assignments=everyone_holds())
        with pytest.raises(ValidationError) as error:
            held.holders_of("gardening")
        assert paths_of(error) == ["$.activity"]


class TestPriorityScale:
    """The ordered priorities incidents and targets are keyed by."""

    SCALE = PriorityScale(
        priorities=[
            Priority(id=f"P{n}", name=name, description=f"{name} impact.")
            for n, name in enumerate(("Critical", "High", "Medium", "Low"), start=1)
        ]
    )

    def test_ordered_lookup(self) -> None:
        """Keeps the order given and finds a priority by id."""
        assert self.SCALE.ids == ("P1", "P2", "P3", "P4")
        assert self.SCALE.priority("P3").name == "Medium"
        assert self.SCALE.rank("P1") == 0

    def test_an_unknown_id_suggests_close_ones(self) -> None:
        """Raises UnknownReference with close matches for an id the scale lacks."""
        with pytest.raises(UnknownReference) as error:
            self.SCALE.priority("P5")
        assert error.value.kind == "priority"
        assert "P4" in error.value.suggestions

    def test_at_least_one_priority_with_distinct_ids(self) -> None:
        """Refuses an empty scale and an id used twice."""
        with pytest.raises(ValidationError) as error:
            PriorityScale(priorities=())
        assert paths_of(error) == ["$.priorities"]
        one = Priority(id="P1", name="Critical", description="Down.")
        with pytest.raises(ValidationError) as error:
            PriorityScale(priorities=(one, one))
        assert paths_of(error) == ["$.priorities[1].id"]

    def test_wrong_types_are_refused_at_their_paths(self) -> None:
        """Refuses a malformed id and an empty name."""
        with pytest.raises(ValidationError) as error:
            Priority(id="P 1", name="", description="Down.")
        assert paths_of(error) == ["$.id", "$.name"]


class TestLegalTerm:
    """Legal terms typed by kind."""

    def test_typed_by_kind(self) -> None:
        """Holds a term's text under its kind, record keeping included."""
        term = LegalTerm(kind=LegalTermKind.RECORD_KEEPING, text="Logs are kept for a year.")
        assert term.kind.value == "record keeping"

    def test_wrong_types_are_refused_at_their_paths(self) -> None:
        """Refuses a text kind and an empty text."""
        with pytest.raises(ValidationError) as error:
            LegalTerm(kind="liability", text=" ")  # type: ignore[arg-type]
        assert paths_of(error) == ["$.kind", "$.text"]


class TestResourceLimit:
    """Limits in each resource's own dimension."""

    @pytest.mark.parametrize(
        ("kind", "text"),
        [
            (ResourceType.VCPU, "64 vcpu"),
            (ResourceType.STORAGE, "10 TB"),
            (ResourceType.MEMORY, "512 GiB"),
            (ResourceType.BANDWIDTH, "1 Gbit/s"),
            (ResourceType.REQUEST_RATE, "500 request/s"),
            (ResourceType.USERS, "0 user"),
        ],
    )
    def test_a_limit_in_the_resource_dimension(self, kind: ResourceType, text: str) -> None:
        """Accepts a limit of zero or more in the resource's dimension."""
        assert ResourceLimit(resource_type=kind, at_most=quantity(text)).at_most == quantity(text)

    def test_another_dimension_is_refused(self) -> None:
        """Refuses a storage limit in vcpu."""
        with pytest.raises(ValidationError) as error:
            ResourceLimit(resource_type=ResourceType.STORAGE, at_most=quantity("10 vcpu"))
        assert problems_of(error) == [
            Problem("$.at_most", "a quantity of storage (convertible to TB)", "10 vcpu")
        ]

    def test_a_negative_or_calendar_quantity_is_refused(self) -> None:
        """Refuses a negative limit and a bandwidth per calendar month."""
        with pytest.raises(ValidationError) as error:
            ResourceLimit(resource_type=ResourceType.VCPU, at_most=quantity("-1 vcpu"))
        assert problems_of(error) == [Problem("$.at_most", "a quantity not below zero", "-1 vcpu")]
        with pytest.raises(ValidationError) as error:
            ResourceLimit(resource_type=ResourceType.BANDWIDTH, at_most=quantity("1 GB/month"))
        assert paths_of(error) == ["$.at_most"]

    def test_wrong_types_are_refused_at_their_paths(self) -> None:
        """Refuses a text resource type and a plain number."""
        with pytest.raises(ValidationError) as error:
            ResourceLimit(resource_type="vcpu", at_most=64)  # type: ignore[arg-type]
        assert problems_of(error)[1] == Problem(
            "$.at_most", "a quantity such as '64 vcpu'", "64 (integer)"
        )


class TestNotice:
    """Notices: who, to whom, when sent, when effective, and about what."""

    def test_effective_when_sent_is_accepted(self) -> None:
        """Accepts a notice effective the instant it is sent, in another zone."""
        berlin = T0.astimezone(timezone("Europe/Berlin"))
        assert notice(effective_at=berlin).notice_given == dt.timedelta(0)

    def test_effective_before_sent_is_refused(self) -> None:
        """Refuses a notice taking effect a second before it is sent."""
        with pytest.raises(ValidationError) as error:
            notice(effective_at=T0 - dt.timedelta(seconds=1))
        assert paths_of(error) == ["$.effective_at"]

    def test_naive_instants_and_no_recipient_are_refused(self) -> None:
        """Refuses a naive instant and an empty recipient list, each at its path."""
        with pytest.raises(ValidationError) as error:
            notice(sent_to=set(), sent_at=dt.datetime(2026, 3, 2, 9))
        assert paths_of(error) == ["$.sent_to", "$.sent_at"]

    def test_a_payload_holds_json_data_immutably(self) -> None:
        """Freezes the payload's objects and lists, so a notice is hashable."""
        payload = NoticePayload(kind="cost-change", data={"lines": [{"amount": "12.30"}]})
        assert payload.data["lines"] == ({"amount": "12.30"},)
        with pytest.raises(TypeError):
            payload.data["lines"][0]["amount"] = "0"
        assert hash(notice(payload=payload)) == hash(notice(payload=payload))

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            ({"rate": 1.5}, "$.data.rate"),
            ({"items": [1, {"at": dt.date(2026, 1, 1)}]}, "$.data.items[1].at"),
            ({"big": 2**64}, "$.data.big"),
            ({"nested": {3: "x"}}, "$.data.nested"),
        ],
    )
    def test_a_payload_refuses_what_json_does_not_carry_exactly(
        self, data: dict[str, Any], path: str
    ) -> None:
        """Refuses floats, dates, integers beyond 64 bits and non-text keys, at their paths."""
        with pytest.raises(ValidationError) as error:
            NoticePayload(kind="x", data=data)
        assert paths_of(error) == [path]

    def test_a_payload_nested_too_deeply_is_refused(self) -> None:
        """Refuses data nested more than 16 levels deep."""
        deep: Any = "bottom"
        for _ in range(17):
            deep = [deep]
        with pytest.raises(ValidationError) as error:
            NoticePayload(kind="x", data={"deep": deep})
        assert problems_of(error)[0].expected == "at most 16 levels of nesting"

    def test_a_payload_kind_is_an_id(self) -> None:
        """Refuses a kind that is not an id."""
        with pytest.raises(ValidationError) as error:
            NoticePayload(kind="cost change")
        assert paths_of(error) == ["$.kind"]

    def test_payload_kinds_are_open(self) -> None:
        """Reads a payload of a kind this module has never heard of."""
        text = (
            '{"sent_by":"p","sent_to":["c"],"sent_at":"2026-03-02T09:00:00Z",'
            '"effective_at":"2026-04-01T09:00:00Z",'
            '"payload":{"kind":"termination","data":{"reason":"misuse"}}}'
        )
        read = from_json(Notice, text)
        assert read.payload == NoticePayload(kind="termination", data={"reason": "misuse"})


# ---------------------------------------------------------------------- documents
STRATEGIES = strategy_pairs()
KINDS = [kind for kind, _ in STRATEGIES]


class TestDocuments:
    """Every type goes to JSON and back unchanged, and its schema accepts what is written."""

    def test_every_value_type_has_a_strategy(self) -> None:
        """The strategy list covers every attrs class the module exports."""
        values = [getattr(terms, name) for name in terms.__all__]
        exported = {v for v in values if isinstance(v, type) and attrs.has(v)}
        assert exported == set(KINDS)

    @pytest.mark.parametrize(("kind", "strategy"), STRATEGIES, ids=[k.__name__ for k in KINDS])
    def test_round_trip_and_schema(self, kind: type, strategy: st.SearchStrategy[Any]) -> None:
        """Reads its own JSON back into an equal value that the exported schema accepts."""
        validator = schema_validator(kind)

        @settings(max_examples=examples(30), deadline=None)
        @given(strategy)
        def check(value: Any) -> None:
            text = to_json(value)
            assert from_json(kind, text) == value
            assert from_dict(kind, to_dict(value)) == value
            validator.validate(json.loads(text))
            hash(value)

        check()

    @pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
    def test_registered_for_from_type(self, kind: type) -> None:
        """st.from_type draws valid values of each type."""

        @settings(max_examples=10, deadline=None)
        @given(st.from_type(kind))
        def check(value: Any) -> None:
            assert isinstance(value, kind)

        check()

    @settings(max_examples=examples(20), deadline=None)
    @given(responsibilities(partners=["backup-co", "idp-co"]))
    def test_responsibilities_draw_the_given_partners(self, held: Responsibilities) -> None:
        """Draws holders among the two roles and the partners it is given."""
        allowed = {"provider", "customer", "backup-co", "idp-co"}
        assert all(r.holders <= allowed for r in held.assignments)

    def test_hand_written_document(self) -> None:
        """Reads termination terms written by hand, enums by value, lengths as ISO 8601."""
        document = {
            "terminable_by": "either",
            "provider_reasons": ["misuse", "non-payment", "insolvency"],
            "notice_period": "P30D",
            "minimum_term": "P12M",
            "early_termination_charge": {
                "kind": "fixed",
                "amount": {"amount": "500.00", "currency": "EUR"},
            },
            "withdrawable": True,
        }
        read = from_dict(TerminationTerms, document)
        assert read.minimum_term == YEAR
        assert read.early_termination_charge == EarlyTerminationCharge.fixed(
            Money("500.00", "EUR")
        )
        assert to_dict(read)["provider_reasons"] == ["insolvency", "misuse", "non-payment"]

    def test_wrong_json_types_are_refused_at_their_paths(self) -> None:
        """Reads a document with a number for a length and an unknown reason: both reported."""
        document = {
            "terminable_by": "either",
            "provider_reasons": ["boredom"],
            "notice_period": 30,
        }
        with pytest.raises(ValidationError) as error:
            from_dict(TerminationTerms, document)
        assert set(paths_of(error)) == {"$.provider_reasons[0]", "$.notice_period"}
