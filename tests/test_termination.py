"""The exit procedure (S13): every step on its guard, the release, the written confirmation.

ISO/IEC 20000-1:2011 4.3 (the trail and the confirmation as records), 4.4 and 6.5
(resources released), 5 and 9.2 (the end of a service as a change), 6.6 (deletion
and legal holds) and 7.1 (the customer's exit on the agreement's terms).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from cloudsms.agreements import (
    Amendment,
    BackupRetention,
    ExitTerms,
    TerminationReason,
    TermKind,
    amend,
)
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import verify
from cloudsms.parties import Acknowledgement
from cloudsms.procedures import termination
from cloudsms.procedures.termination import (
    EXIT_LIFECYCLE,
    DataCategory,
    Deletion,
    ExitCriterionKind,
    ExitPlan,
    ExitProcedure,
    LegalHold,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from cloudsms.agreements import CloudServiceAgreement

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "agreement.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("termination_agreement_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["termination_agreement_example"] = module
    spec.loader.exec_module(module)
    return module


example = _example()
AGREEMENT: CloudServiceAgreement = example.agree(example.catalogue())
"""globex's agreement csa-2026-001 (Europe/Berlin): one month's notice, 30 days to
retrieve, 90 days kept, either party may end it (the provider for non-payment or
misuse), a 12-month minimum term from 2026-04-01."""

BERLIN = dt.timezone(dt.timedelta(hours=2))  # summer time, every instant below
NOTICE = dt.date(2027, 5, 3)
EFFECTIVE = dt.datetime(2027, 6, 3, tzinfo=BERLIN)
RETRIEVAL_ENDS = dt.datetime(2027, 7, 3, tzinfo=BERLIN)
RETENTION_ENDS = dt.datetime(2027, 9, 1, tzinfo=BERLIN)
DAY = dt.timedelta(days=1)
CUSTOMER = "actor:globex-it"
OPS = "actor:acme-ops"


def agreement(**terms: Any) -> CloudServiceAgreement:
    """The agreement with some termination (``withdrawable``...) or exit terms changed."""
    exit_fields = {f.name for f in attrs.fields(ExitTerms)}
    exit_changes = {k: v for k, v in terms.items() if k in exit_fields}
    termination_changes = {k: v for k, v in terms.items() if k not in exit_fields}
    changed: CloudServiceAgreement = attrs.evolve(
        AGREEMENT,
        termination=attrs.evolve(AGREEMENT.termination, **termination_changes),
        exit=attrs.evolve(AGREEMENT.exit, **exit_changes),
    )
    return changed


def noticed(terms: CloudServiceAgreement = AGREEMENT, **options: Any) -> ExitProcedure:
    """The customer's notice of 3 May 2027."""
    return ExitProcedure.initiate(terms, notice=NOTICE, who=CUSTOMER, **options)


def retrieving(terms: CloudServiceAgreement = AGREEMENT) -> ExitProcedure:
    """Effective on 3 June 2027, the retrieval window open."""
    return noticed(terms).take_effect(who=OPS, when=EFFECTIVE)


def releasing(terms: CloudServiceAgreement = AGREEMENT) -> ExitProcedure:
    """Confirmed by the customer on 10 June 2027, after one CSV export."""
    return (
        retrieving(terms)
        .record_retrieval("CSV", who=CUSTOMER, when=EFFECTIVE + DAY)
        .confirm_not_needed(who=CUSTOMER, when=EFFECTIVE + 7 * DAY)
    )


def deleting(terms: CloudServiceAgreement = AGREEMENT) -> ExitProcedure:
    """Nothing held any more (no resources were held), on 10 June 2027."""
    return releasing(terms).record_release(who=OPS, when=EFFECTIVE + 7 * DAY)


HOLD_BASIS = "German fiscal code (AO) section 147: ten years' retention of booking records"


def decided(procedure: ExitProcedure, when: dt.datetime = EFFECTIVE + 8 * DAY) -> ExitProcedure:
    """Every category deleted, except the logs, kept under a legal hold."""
    for category in DataCategory:
        if category is DataCategory.LOGS:
            procedure = procedure.hold(
                category, basis=HOLD_BASIS, review_on=dt.date(2028, 1, 1), who=OPS, when=when
            )
        else:
            procedure = procedure.delete(category, "crypto-shred", who=OPS, when=when)
    return procedure


def updated(procedure: ExitProcedure) -> ExitProcedure:
    """The configuration, capacity and financial records updated on 12 June 2027."""
    return procedure.update_records(
        configuration=["cmdb:chg-991"],
        capacity=["capacity-plan:2027-06"],
        financial=["invoice:2027-0612", "ledger:close-globex"],
        who=OPS,
        when=EFFECTIVE + 9 * DAY,
    )


def closed() -> ExitProcedure:
    """The whole walk, the confirmation issued on 12 June 2027."""
    procedure, _ = updated(decided(deleting())).issue_confirmation(
        who=OPS, when=EFFECTIVE + 9 * DAY
    )
    return procedure


def refused(step: Callable[[], object], procedure: ExitProcedure) -> InvalidTransition:
    """The refusal ``step`` raises, checking that ``procedure`` is unchanged by it."""
    before = procedure.lifecycle.entries[:]
    head = procedure.lifecycle.head
    with pytest.raises(InvalidTransition) as error:
        step()
    assert procedure.lifecycle.entries[:] == before
    assert procedure.lifecycle.head == head
    return error.value


class TestLifecycle:
    """EXIT_LIFECYCLE as declared."""

    def test_states_and_finals(self) -> None:
        """Declares the eight states, opened first, withdrawn and closed final."""
        assert EXIT_LIFECYCLE.states == (
            "opened",
            "notice_period",
            "withdrawn",
            "retrieval",
            "releasing",
            "deleting",
            "records_updated",
            "closed",
        )
        assert EXIT_LIFECYCLE.initial == "opened"
        assert frozenset({"withdrawn", "closed"}) == EXIT_LIFECYCLE.finals

    def test_every_event_has_its_guard(self) -> None:
        """Guards every transition, so no step goes unchecked."""
        assert all(t.guard is not None for t in EXIT_LIFECYCLE.transitions)
        assert EXIT_LIFECYCLE.events == (
            "give_notice",
            "withdraw",
            "take_effect",
            "record_retrieval",
            "confirm_not_needed",
            "end_retention",
            "release_resources",
            "delete",
            "hold",
            "update_records",
            "issue_confirmation",
        )

    def test_data_categories(self) -> None:
        """Lists the six categories of the issue, in its order."""
        assert [c.value for c in DataCategory] == [
            "customer data",
            "derived data",
            "logs",
            "monitoring data",
            "backups",
            "configuration data",
        ]


class TestInitiate:
    """ExitProcedure.initiate plans the exit and gives notice."""

    def test_the_customers_notice(self) -> None:
        """Records the notice at its instant, by the customer, in notice_period."""
        procedure = noticed()
        assert procedure.state == "notice_period"
        assert procedure.id == "exit-csa-2026-001"
        (entry,) = procedure.lifecycle.entries
        assert (entry.event, entry.who, entry.data) == (
            "give_notice",
            CUSTOMER,
            {"by": "customer", "reason": None},
        )
        assert entry.when == dt.datetime(2027, 5, 3, tzinfo=BERLIN)
        assert (procedure.agreement_id, procedure.customer_id) == ("csa-2026-001", "globex")

    def test_the_plan_is_the_context(self) -> None:
        """Keeps the plan in the trail's context, read back equal, dates as the terms give."""
        procedure = noticed()
        plan = procedure.plan
        assert isinstance(plan, ExitPlan)
        assert set(procedure.lifecycle.context) == {"plan"}
        assert (plan.effective_at, plan.retrieval_ends, plan.retention_ends) == (
            EFFECTIVE,
            RETRIEVAL_ENDS,
            RETENTION_ENDS,
        )

    def test_the_providers_notice_for_a_listed_reason(self) -> None:
        """Records the provider's reason in the notice."""
        procedure = noticed(by="provider", reason="misuse")
        assert procedure.lifecycle.entries[0].data == {"by": "provider", "reason": "misuse"}
        assert procedure.plan.reason is TerminationReason.MISUSE

    def test_a_provider_without_a_listed_reason(self) -> None:
        """Refuses the provider's notice for a reason the agreement does not list."""
        with pytest.raises(ValidationError) as error:
            noticed(by="provider", reason="insolvency")
        assert "$.reason" in str(error.value)

    def test_an_id_of_ones_own(self) -> None:
        """Binds the trail to the id given."""
        procedure = noticed(id="exit-42")
        assert (procedure.id, procedure.lifecycle.id) == ("exit-42", "exit-42")

    def test_a_keyed_trail(self) -> None:
        """Takes the key at the notice and at every step after it."""
        key = b"0123456789abcdef-exit-key"
        procedure = noticed(keyed=True, key=key)
        assert procedure.lifecycle.keyed
        moved = procedure.take_effect(who=OPS, when=EFFECTIVE, key=key)
        assert verify(moved.lifecycle, key=key) is None
        with pytest.raises(ValidationError):
            procedure.take_effect(who=OPS, when=EFFECTIVE)


class TestFullWalk:
    """A customer from notice to the written confirmation."""

    def test_every_step_in_order(self) -> None:
        """Walks the states from notice_period to closed, the trail holding."""
        procedure = noticed()
        states = [procedure.state]
        procedure = procedure.take_effect(who=OPS, when=EFFECTIVE)
        states.append(procedure.state)
        procedure = procedure.record_retrieval("CSV", who=CUSTOMER, when=EFFECTIVE + DAY)
        procedure = procedure.record_retrieval("JSON", who=CUSTOMER, when=EFFECTIVE + 2 * DAY)
        states.append(procedure.state)
        procedure = procedure.confirm_not_needed(who=CUSTOMER, when=EFFECTIVE + 7 * DAY)
        states.append(procedure.state)
        procedure = procedure.record_release(who=OPS, when=EFFECTIVE + 7 * DAY)
        states.append(procedure.state)
        procedure = decided(procedure)
        procedure = updated(procedure)
        states.append(procedure.state)
        procedure, confirmation = procedure.issue_confirmation(who=OPS, when=EFFECTIVE + 9 * DAY)
        states.append(procedure.state)
        assert states == [
            "notice_period",
            "retrieval",
            "retrieval",
            "releasing",
            "deleting",
            "records_updated",
            "closed",
        ]
        assert procedure.is_closed
        assert verify(procedure.lifecycle) is None
        assert confirmation.head == procedure.lifecycle.head
        assert len(procedure.lifecycle.entries) == 14

    def test_what_the_procedure_reads_from_its_trail(self) -> None:
        """Reads decisions, retrievals, the backup and the release from the trail."""
        before = releasing()
        assert before.retrievals == (("CSV", EFFECTIVE + DAY),)
        assert before.data_released
        assert not before.resources_released
        assert before.backup_kept
        assert before.undecided == tuple(DataCategory)
        after = decided(deleting())
        assert after.resources_released
        assert not after.backup_kept
        assert after.undecided == ()
        when = EFFECTIVE + 8 * DAY
        assert after.decisions[DataCategory.BACKUPS] == Deletion(
            category=DataCategory.BACKUPS, at=when, method="crypto-shred"
        )
        assert after.decisions[DataCategory.LOGS] == LegalHold(
            category=DataCategory.LOGS, basis=HOLD_BASIS, review_on=dt.date(2028, 1, 1)
        )
        assert list(after.decisions) == list(DataCategory)

    def test_the_retention_window_ends_without_a_confirmation(self) -> None:
        """Moves to releasing when the retention window is over."""
        procedure = retrieving().end_retention(who=OPS, when=RETENTION_ENDS)
        assert procedure.state == "releasing"
        assert procedure.data_released

    def test_a_step_leaves_the_procedure_it_came_from(self) -> None:
        """Returns a new procedure; the one it came from is as it was."""
        procedure = noticed()
        moved = procedure.take_effect(who=OPS, when=EFFECTIVE)
        assert procedure.state == "notice_period"
        assert len(procedure.lifecycle.entries) == 1
        assert moved != procedure

    def test_nothing_deleted_before_the_data_is_released(self) -> None:
        """Refuses a deletion during retrieval: no such step there."""
        procedure = retrieving()
        error = refused(
            lambda: procedure.delete(DataCategory.CUSTOMER_DATA, who=OPS, when=EFFECTIVE),
            procedure,
        )
        assert error.state == "retrieval"
        assert error.reason is None


def raw(
    procedure: ExitProcedure, event: str, data: dict[str, Any] | None, when: dt.datetime
) -> str:
    """The reason the procedure's lifecycle refuses ``event`` with ``data`` (raw, as stored)."""
    error = refused(lambda: procedure.apply(event, who=OPS, when=when, data=data), procedure)
    assert error.event == event
    assert error.reason is not None
    return error.reason


class TestGuards:
    """Each guard's refusal names its reason and leaves the procedure as it was."""

    def test_a_notice_other_than_the_plans(self) -> None:
        """Refuses a notice by another party, for another reason or at another instant."""
        context = dict(noticed().lifecycle.context)
        fresh = ExitProcedure(
            id="exit-x", lifecycle=EXIT_LIFECYCLE.begin(id="exit-x", context=context)
        )
        at = dt.datetime(2027, 5, 3, tzinfo=BERLIN)
        by_provider = {"by": "provider", "reason": None}
        assert "given by the customer, not by 'provider'" in raw(
            fresh, "give_notice", by_provider, at
        )
        with_reason = {"by": "customer", "reason": "misuse"}
        assert "gives no reason, not 'misuse' (string)" in raw(
            fresh, "give_notice", with_reason, at
        )
        plain = {"by": "customer", "reason": None}
        assert "given at 2027-05-03T00:00:00+02:00" in raw(fresh, "give_notice", plain, at + DAY)
        assert "exactly 'by', 'reason'" in raw(fresh, "give_notice", {"by": "customer"}, at)

    def test_a_context_without_a_plan(self) -> None:
        """Refuses every event of an instance whose context holds no plan."""
        bare = EXIT_LIFECYCLE.begin(id="exit-y")
        reason = bare.refusal(
            "give_notice",
            who=OPS,
            when=EFFECTIVE,
            data={"by": "customer", "reason": None},
        )
        assert reason is not None
        assert reason.startswith("the instance's context holds no valid exit plan")

    def test_withdrawal_where_the_terms_do_not_allow_it(self) -> None:
        """Refuses a withdrawal the termination terms do not allow."""
        procedure = noticed()
        error = refused(lambda: procedure.withdraw(who=CUSTOMER, when=EFFECTIVE - DAY), procedure)
        assert error.reason == (
            "the agreement's termination terms do not allow a notice to be withdrawn"
        )

    def test_withdrawal_before_the_effective_date(self) -> None:
        """Withdraws a notice before it takes effect, where the terms allow: final."""
        procedure = noticed(agreement(withdrawable=True))
        withdrawn = procedure.withdraw(who=CUSTOMER, when=EFFECTIVE - dt.timedelta(seconds=1))
        assert withdrawn.state == "withdrawn"
        assert withdrawn.is_withdrawn
        assert withdrawn.lifecycle.allowed_events() == ()
        error = refused(lambda: withdrawn.take_effect(who=OPS, when=EFFECTIVE), withdrawn)
        assert error.reason is None

    def test_withdrawal_on_the_effective_date(self) -> None:
        """Refuses a withdrawal once the termination takes effect."""
        procedure = noticed(agreement(withdrawable=True))
        error = refused(lambda: procedure.withdraw(who=CUSTOMER, when=EFFECTIVE), procedure)
        assert error.reason == (
            "a notice may be withdrawn only before the termination takes effect"
            " (2027-06-03T00:00:00+02:00)"
        )

    def test_a_withdrawal_by_the_party_that_gave_notice(self) -> None:
        """Withdraws a provider's notice only by the provider, and records which party did."""
        procedure = noticed(agreement(withdrawable=True), by="provider", reason="misuse")
        when = EFFECTIVE - DAY
        error = refused(lambda: procedure.withdraw(who=CUSTOMER, when=when), procedure)
        assert error.reason == (
            "only the party that gave notice withdraws it (the provider), not 'customer' (string)"
        )
        withdrawn = procedure.withdraw(by="provider", who=OPS, when=when)
        assert withdrawn.is_withdrawn
        assert withdrawn.lifecycle.entries[-1].data == {"by": "provider"}
        assert raw(procedure, "withdraw", None, when) == (
            "the event's data must hold exactly 'by' (it holds nothing)"
        )

    @pytest.mark.parametrize("party", ["either", "nobody", None])
    def test_a_withdrawal_by_no_party(self, party: object) -> None:
        """Refuses a withdrawal ``by`` something other than the customer or the provider."""
        procedure = noticed(agreement(withdrawable=True))
        with pytest.raises(ValidationError) as error:
            procedure.withdraw(by=party, who=CUSTOMER, when=EFFECTIVE - DAY)  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.by"]

    def test_taking_effect_after_the_retrieval_window(self) -> None:
        """A late effect is accepted, and the confirmation says it came after the window.

        Nothing sticks in notice_period; a retrieval is then refused.
        """
        late = noticed().take_effect(who=OPS, when=RETRIEVAL_ENDS)
        assert late.state == "retrieval"
        refused(lambda: late.record_retrieval("CSV", who=CUSTOMER, when=RETRIEVAL_ENDS), late)
        ended = late.end_retention(who=OPS, when=RETRIEVAL_ENDS + 200 * DAY)
        released = ended.record_release([], who=OPS, when=RETRIEVAL_ENDS + 201 * DAY)
        later = RETRIEVAL_ENDS + 202 * DAY
        for category in DataCategory:
            released = released.delete(category, who=OPS, when=later)
        done = released.update_records(
            configuration=["ci-1"], capacity=["pool-1"], financial=["inv-1"], who=OPS, when=later
        )
        _, confirmation = done.issue_confirmation(who=OPS, when=later)
        offered = next(
            c
            for c in confirmation.criteria
            if c.criterion is ExitCriterionKind.DATA_RETRIEVAL_OFFERED
        )
        assert offered.detail.endswith(
            "; the effect was recorded only on 2027-07-03T00:00:00+02:00,"
            " after the retrieval window had closed"
        )

    def test_taking_effect_early(self) -> None:
        """Refuses the effect a second before the effective date."""
        procedure = noticed()
        error = refused(
            lambda: procedure.take_effect(who=OPS, when=EFFECTIVE - dt.timedelta(seconds=1)),
            procedure,
        )
        assert (
            error.reason == "the termination takes effect at 2027-06-03T00:00:00+02:00, not before"
        )

    def test_a_format_not_agreed(self) -> None:
        """Refuses a retrieval in a format the exit terms do not list."""
        procedure = retrieving()
        error = refused(
            lambda: procedure.record_retrieval("XML", who=CUSTOMER, when=EFFECTIVE), procedure
        )
        assert (
            error.reason
            == "the data is exported in an agreed format ('CSV', 'JSON'), not 'XML' (string)"
        )

    def test_a_retrieval_after_the_window(self) -> None:
        """Refuses a retrieval once the retrieval window is over."""
        procedure = retrieving()
        error = refused(
            lambda: procedure.record_retrieval("CSV", who=CUSTOMER, when=RETRIEVAL_ENDS),
            procedure,
        )
        assert error.reason == (
            "the retrieval window runs from 2027-06-03T00:00:00+02:00 up to"
            " 2027-07-03T00:00:00+02:00"
        )

    def test_a_confirmation_by_the_provider(self) -> None:
        """Refuses a confirmation the customer did not give."""
        procedure = retrieving()
        reason = raw(procedure, "confirm_not_needed", {"by": "provider"}, EFFECTIVE)
        assert (
            reason
            == "only the customer confirms its data is no longer needed, not 'provider' (string)"
        )
        assert "exactly 'by'" in raw(procedure, "confirm_not_needed", None, EFFECTIVE)

    def test_the_retention_window_not_over(self) -> None:
        """Refuses the end of retention before the window is over."""
        procedure = retrieving()
        error = refused(
            lambda: procedure.end_retention(
                who=OPS, when=RETENTION_ENDS - dt.timedelta(seconds=1)
            ),
            procedure,
        )
        assert error.reason == "the retention window ends at 2027-09-01T00:00:00+02:00, not before"

    def test_something_still_held(self) -> None:
        """Refuses the release while the customer still holds something."""
        procedure = releasing()
        error = refused(
            lambda: procedure.record_release(
                ["rr-1"], remaining=1, who=OPS, when=EFFECTIVE + 7 * DAY
            ),
            procedure,
        )
        assert error.reason == "the customer still holds 1 allocation(s) under the agreement"
        when = EFFECTIVE + 7 * DAY
        bad_list = {"requests": "rr-1", "remaining": 0}
        assert raw(procedure, "release_resources", bad_list, when).startswith(
            "'requests' must be a list of request ids"
        )
        bad_count = {"requests": [], "remaining": "0"}
        assert raw(procedure, "release_resources", bad_count, when).startswith(
            "'remaining' must be a count of holdings"
        )

    def test_a_category_decided_twice(self) -> None:
        """Refuses a second decision on one category, deleted or held."""
        when = EFFECTIVE + 8 * DAY
        procedure = deleting().delete("logs", who=OPS, when=when)
        error = refused(lambda: procedure.delete("logs", who=OPS, when=when), procedure)
        assert error.reason == "'logs' is deleted already: each category is decided once"
        held = procedure.hold(
            "backups", basis=HOLD_BASIS, review_on=dt.date(2028, 1, 1), who=OPS, when=when
        )
        error = refused(lambda: held.delete("backups", who=OPS, when=when), held)
        assert (
            error.reason
            == "'backups' is kept under a legal hold already: each category is decided once"
        )

    def test_a_deletion_malformed_in_the_trail(self) -> None:
        """Refuses an unknown category or an empty method in a stored deletion."""
        procedure = deleting()
        when = EFFECTIVE + 8 * DAY
        unknown = {"category": "mail", "method": None}
        assert raw(procedure, "delete", unknown, when).startswith(
            "the category must be one of 'customer data'"
        )
        empty = {"category": "logs", "method": " "}
        assert raw(procedure, "delete", empty, when).startswith("'method' must be text")
        listed = {"category": ["logs"], "method": None}  # unhashable: refused, not a TypeError
        assert raw(procedure, "delete", listed, when).startswith(
            "the category must be one of 'customer data'"
        )
        assert raw(procedure, "hold", {**listed, "basis": "x", "review_on": "2028-01-01"}, when)

    def test_a_review_date_that_is_not_a_plain_day(self) -> None:
        """Refuses an ISO week date for a hold's review, though Python could read it."""
        procedure = deleting()
        when = EFFECTIVE + 8 * DAY
        week = {"category": "logs", "basis": "x", "review_on": "2028-W01-1"}
        assert raw(procedure, "hold", week, when)
        day = {**week, "review_on": "2028-01-03"}
        assert procedure.apply("hold", who=OPS, when=when, data=day).state == "deleting"

    def test_an_event_without_data_carries_none(self) -> None:
        """An event the procedure reads no data of refuses data sent through raw apply."""
        procedure = noticed()
        assert raw(procedure, "take_effect", {"anything": ["goes"]}, EFFECTIVE) == (
            "the event carries no data (it holds 'anything')"
        )
        assert procedure.apply("take_effect", who=OPS, when=EFFECTIVE).state == "retrieval"

    def test_a_hold_without_its_basis_or_a_later_review(self) -> None:
        """Refuses a hold without a basis, or reviewed on the day it is recorded or before."""
        procedure = deleting()
        when = dt.datetime(2027, 6, 11, 23, 30, tzinfo=BERLIN)
        blank = {"category": "logs", "basis": " ", "review_on": "2028-01-01"}
        assert raw(procedure, "hold", blank, when) == (
            "a legal hold names its basis (the law or order), not ' ' (string)"
        )
        error = refused(
            lambda: procedure.hold(
                "logs", basis=HOLD_BASIS, review_on=dt.date(2027, 6, 11), who=OPS, when=when
            ),
            procedure,
        )
        assert error.reason == (
            "the hold's review date must be after the day it is recorded (2027-06-11)"
        )
        later = procedure.hold(
            "logs", basis=HOLD_BASIS, review_on=dt.date(2027, 6, 12), who=OPS, when=when
        )
        assert later.decisions[DataCategory.LOGS] == LegalHold(
            category=DataCategory.LOGS, basis=HOLD_BASIS, review_on=dt.date(2027, 6, 12)
        )
        for text in ("2028-1-1", "2028-02-30", 20280101):
            data = {"category": "logs", "basis": HOLD_BASIS, "review_on": text}
            assert raw(procedure, "hold", data, when).startswith("'review_on' must be a date")

    def test_records_before_every_category_is_decided(self) -> None:
        """Refuses the records update while a category is open, or a kind not named."""
        procedure = deleting().delete("logs", who=OPS, when=EFFECTIVE + 8 * DAY)
        error = refused(lambda: updated(procedure), procedure)
        assert error.reason == (
            "every category is deleted or held first (still open: customer data, derived data,"
            " monitoring data, backups, configuration data)"
        )
        done = decided(deleting())
        empty = {"configuration": ["cmdb:1"], "capacity": [], "financial": ["inv:1"]}
        assert raw(done, "update_records", empty, EFFECTIVE + 9 * DAY) == (
            "the capacity records updated are named (one or more references), not [] (array)"
        )

    def test_a_confirmation_with_data_or_too_early(self) -> None:
        """Refuses a confirmation event carrying data, and one before the records update."""
        ready = updated(decided(deleting()))
        when = EFFECTIVE + 9 * DAY
        assert raw(ready, "issue_confirmation", {"note": "x"}, when) == (
            "the event carries no data (it holds 'note')"
        )
        early = decided(deleting())
        error = refused(lambda: early.issue_confirmation(who=OPS, when=when), early)
        assert (error.state, error.reason) == ("deleting", None)

    def test_an_unknown_event(self) -> None:
        """Refuses an event the lifecycle does not know, listing what the state allows."""
        procedure = retrieving()
        error = refused(lambda: procedure.apply("erase", who=OPS, when=EFFECTIVE), procedure)
        assert error.allowed == ("record_retrieval", "confirm_not_needed", "end_retention")

    def test_time_never_runs_backwards(self) -> None:
        """Refuses an event earlier than the last entry."""
        procedure = retrieving()
        with pytest.raises(ValidationError) as error:
            procedure.record_retrieval("CSV", who=CUSTOMER, when=EFFECTIVE - DAY)
        assert "$.when" in str(error.value)


class TestArguments:
    """A malformed argument is a ValidationError naming it; nothing changes."""

    @pytest.mark.parametrize(
        ("step", "path"),
        [
            (lambda p: p.delete("mail", who=OPS, when=EFFECTIVE + 8 * DAY), "$.category"),
            (lambda p: p.delete("logs", "", who=OPS, when=EFFECTIVE + 8 * DAY), "$.method"),
            (
                lambda p: p.hold(
                    "logs",
                    basis=HOLD_BASIS,
                    review_on=dt.datetime(2028, 1, 1, tzinfo=BERLIN),
                    who=OPS,
                    when=EFFECTIVE + 8 * DAY,
                ),
                "$.review_on",
            ),
            (
                lambda p: p.hold(
                    "logs", basis=7, review_on=dt.date(2028, 1, 1), who=OPS, when=EFFECTIVE
                ),
                "$.basis",
            ),
            (
                lambda p: p.update_records(
                    configuration="cmdb:1",
                    capacity=["c"],
                    financial=["f"],
                    who=OPS,
                    when=EFFECTIVE,
                ),
                "$.configuration",
            ),
            (
                lambda p: p.update_records(
                    configuration=["cmdb:1"],
                    capacity=[""],
                    financial=["f"],
                    who=OPS,
                    when=EFFECTIVE,
                ),
                "$.capacity[0]",
            ),
            (lambda p: p.record_release([3], who=OPS, when=EFFECTIVE), "$.requests[0]"),
            (lambda p: p.record_retrieval(7, who=OPS, when=EFFECTIVE), "$.format"),
            (lambda p: p.delete("logs", who="Jane Doe", when=EFFECTIVE + 8 * DAY), "$.who"),
        ],
    )
    def test_refused_at_its_path(self, step: Callable[[ExitProcedure], object], path: str) -> None:
        """Names the argument's path."""
        procedure = deleting()
        with pytest.raises(ValidationError) as error:
            step(procedure)
        assert path in [p.path for p in error.value.problems]

    @pytest.mark.parametrize(
        ("step", "path"),
        [
            (
                lambda p: p.hold(
                    "logs",
                    basis="",
                    review_on=dt.date(2028, 1, 1),
                    who=OPS,
                    when=p.lifecycle.entries[-1].when,
                ),
                "$.basis",
            ),
            (
                lambda p: p.update_records(
                    configuration=[],
                    capacity=["c"],
                    financial=["f"],
                    who=OPS,
                    when=p.lifecycle.entries[-1].when,
                ),
                "$.configuration",
            ),
            (
                lambda p: p.record_release(
                    ["r"], remaining="0", who=OPS, when=p.lifecycle.entries[-1].when
                ),
                "$.remaining",
            ),
            (
                lambda p: p.record_release(
                    ["r"], remaining=True, who=OPS, when=p.lifecycle.entries[-1].when
                ),
                "$.remaining",
            ),
            (
                lambda p: p.record_release(
                    ["r"], remaining=-1, who=OPS, when=p.lifecycle.entries[-1].when
                ),
                "$.remaining",
            ),
        ],
    )
    @pytest.mark.parametrize("build", [noticed, releasing, deleting])
    def test_malformed_in_every_state(
        self,
        step: Callable[[ExitProcedure], object],
        path: str,
        build: Callable[[], ExitProcedure],
    ) -> None:
        """Refuses malformed step data at its path whatever the state, before the guard."""
        procedure = build()
        before = procedure.lifecycle.head
        with pytest.raises(ValidationError) as error:
            step(procedure)
        assert [p.path for p in error.value.problems] == [path]
        assert procedure.lifecycle.head == before

    def test_every_malformed_argument_at_once(self) -> None:
        """Names every malformed argument of one step, not only the first."""
        with pytest.raises(ValidationError) as error:
            deleting().hold("mail", basis=" ", review_on="2028-01-01", who=OPS, when=EFFECTIVE)  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.category", "$.basis", "$.review_on"]

    def test_an_instance_of_another_id_or_lifecycle(self) -> None:
        """Refuses a trail bound to another id, or of another lifecycle."""
        instance = noticed().lifecycle
        with pytest.raises(ValidationError) as error:
            ExitProcedure(id="exit-other", lifecycle=instance)
        assert [p.path for p in error.value.problems] == ["$.lifecycle.id"]
        from cloudsms.parties import COMPLAINT_LIFECYCLE  # noqa: PLC0415

        with pytest.raises(ValidationError) as error:
            ExitProcedure(id="c-1", lifecycle=COMPLAINT_LIFECYCLE.begin(id="c-1"))
        assert [p.path for p in error.value.problems] == ["$.lifecycle"]

    def test_a_context_without_a_valid_plan(self) -> None:
        """Refuses an instance whose context holds no plan, or a broken one, at its path."""
        with pytest.raises(ValidationError) as error:
            ExitProcedure(id="exit-z", lifecycle=EXIT_LIFECYCLE.begin(id="exit-z"))
        (problem,) = error.value.problems
        assert (problem.path, problem.got) == ("$.lifecycle.context", "an empty object")
        context = dict(noticed().lifecycle.context)
        plan = dict(context["plan"])
        plan["agreement_id"] = ""
        broken = EXIT_LIFECYCLE.begin(id="exit-z", context={"plan": plan})
        with pytest.raises(ValidationError) as error:
            ExitProcedure(id="exit-z", lifecycle=broken)
        assert [p.path for p in error.value.problems] == ["$.lifecycle.context.plan.agreement_id"]


class TestTermsAtNotice:
    """The guards use the terms in force when notice was given, whatever comes after."""

    def amended(self) -> CloudServiceAgreement:
        """The agreement with 60 days to retrieve and 120 kept, agreed on 20 May 2027."""
        longer = ExitTerms(
            retrieval_window=relativedelta(days=60),
            export_formats=("CSV", "JSON", "Parquet"),
            retention_window=relativedelta(days=120),
        )
        accepted = dt.datetime(2027, 5, 20, tzinfo=dt.UTC)
        amendment = Amendment(
            term=TermKind.EXIT, value=longer, proposed_at=accepted, proposed_by="globex"
        )
        consent = Acknowledgement(
            party_id="globex", terms_id="csa-2026-001", version="2", accepted_at=accepted
        )
        changed: CloudServiceAgreement = amend(AGREEMENT, amendment, consent=consent)
        return changed

    def test_the_plan_is_the_one_of_the_notice(self) -> None:
        """Plans a notice given before the amendment on the terms then in force."""
        later = self.amended()
        assert later.version == 2
        assert noticed(later).plan == noticed().plan
        assert noticed(later).plan.retrieval_ends == RETRIEVAL_ENDS

    def test_the_guards_keep_the_old_windows(self) -> None:
        """Refuses a retrieval after the old window, and a format added later."""
        procedure = noticed(self.amended()).take_effect(who=OPS, when=EFFECTIVE)
        error = refused(
            lambda: procedure.record_retrieval("CSV", who=CUSTOMER, when=EFFECTIVE + 45 * DAY),
            procedure,
        )
        assert error.reason is not None
        assert "up to 2027-07-03T00:00:00+02:00" in error.reason
        refused(
            lambda: procedure.record_retrieval("Parquet", who=CUSTOMER, when=EFFECTIVE),
            procedure,
        )
        ended = procedure.end_retention(who=OPS, when=RETENTION_ENDS)  # 90 days, not 120
        assert ended.state == "releasing"

    def test_a_notice_after_the_amendment_gets_the_new_terms(self) -> None:
        """Plans a notice given after the amendment on the amended terms."""
        procedure = ExitProcedure.initiate(
            self.amended(), notice=dt.date(2027, 6, 1), who=CUSTOMER
        )
        assert procedure.plan.export_formats == ("CSV", "JSON", "Parquet")
        assert procedure.plan.retrieval_ends == dt.datetime(2027, 8, 30, tzinfo=BERLIN)


class TestBackups:
    """The backup lives until the confirmation or the retention window's end, as agreed."""

    def test_until_confirmation(self) -> None:
        """Deletes the backup after the customer's confirmation."""
        procedure = deleting().delete("backups", who=OPS, when=EFFECTIVE + 8 * DAY)
        assert not procedure.backup_kept

    def test_until_retention_ends(self) -> None:
        """Keeps the backup to the end of the retention window despite a confirmation."""
        terms = agreement(backup_retention=BackupRetention.UNTIL_RETENTION_ENDS)
        procedure = deleting(terms)
        error = refused(
            lambda: procedure.delete(
                "backups", who=OPS, when=RETENTION_ENDS - dt.timedelta(seconds=1)
            ),
            procedure,
        )
        assert error.reason == (
            "the terms keep the backup until the retention window ends (2027-09-01T00:00:00+02:00)"
        )
        assert procedure.backup_kept
        others = procedure.delete("customer data", who=OPS, when=EFFECTIVE + 8 * DAY)
        gone = others.delete("backups", who=OPS, when=RETENTION_ENDS)
        assert not gone.backup_kept

    def test_a_held_backup_is_kept(self) -> None:
        """Keeps the backup under a legal hold, whatever the retention rule."""
        terms = agreement(backup_retention=BackupRetention.UNTIL_RETENTION_ENDS)
        procedure = deleting(terms).hold(
            "backups",
            basis=HOLD_BASIS,
            review_on=dt.date(2030, 1, 1),
            who=OPS,
            when=EFFECTIVE + 8 * DAY,
        )
        assert procedure.backup_kept
        assert DataCategory.BACKUPS not in procedure.undecided


def begun(origin: str) -> ExitProcedure:
    """A bare lifecycle instance (not a procedure) begun in ``origin`` with the plan."""
    instance = EXIT_LIFECYCLE.begin(
        id="exit-o", context=dict(noticed().lifecycle.context), origin=origin
    )
    made = object.__new__(ExitProcedure)  # a procedure refuses an origin: see below
    object.__setattr__(made, "id", "exit-o")
    object.__setattr__(made, "lifecycle", instance)
    return made


class TestGuardsWithoutTheStates:
    """The guards hold on their own, for an instance begun later in the lifecycle."""

    def test_a_confirmation_before_the_effect(self) -> None:
        """Refuses a confirmation before the effective date."""
        reason = raw(begun("retrieval"), "confirm_not_needed", {"by": "customer"}, EFFECTIVE - DAY)
        assert reason == "the termination takes effect at 2027-06-03T00:00:00+02:00, not before"

    def test_a_deletion_without_a_release(self) -> None:
        """Refuses a deletion when the trail records neither confirmation nor retention end."""
        data = {"category": "logs", "method": None}
        reason = raw(begun("deleting"), "delete", data, EFFECTIVE + DAY)
        assert reason == (
            "nothing is deleted before the customer's confirmation or the retention window's end"
        )

    def test_a_confirmation_with_categories_open(self) -> None:
        """Refuses the written confirmation while a category is open."""
        reason = raw(begun("records_updated"), "issue_confirmation", None, EFFECTIVE + DAY)
        assert reason.startswith("every category is deleted or held first (still open: customer")

    def test_a_procedure_refuses_an_origin(self) -> None:
        """Refuses a procedure whose trail does not begin at the notice."""
        with pytest.raises(ValidationError) as error:
            ExitProcedure(id="exit-o", lifecycle=begun("deleting").lifecycle)
        assert [p.path for p in error.value.problems] == ["$.lifecycle.origin"]

    @pytest.mark.parametrize(
        ("build", "event"),
        [
            (retrieving, "record_retrieval"),
            (releasing, "release_resources"),
            (deleting, "delete"),
            (deleting, "hold"),
            (lambda: decided(deleting()), "update_records"),
        ],
    )
    def test_data_of_another_shape(self, build: Callable[[], ExitProcedure], event: str) -> None:
        """Refuses an event whose data lacks a key or holds another."""
        reason = raw(build(), event, {"note": "x"}, EFFECTIVE + 9 * DAY)
        assert reason.startswith("the event's data must hold exactly ")
        assert reason.endswith("(it holds 'note')")

    def test_the_refusal_says_why_without_applying(self) -> None:
        """Says why a step would be refused, and None for one that would be applied."""
        procedure = retrieving()
        assert procedure.refusal("end_retention", who=OPS, when=RETENTION_ENDS) is None
        assert procedure.refusal("end_retention", who=OPS, when=EFFECTIVE) == (
            "the retention window ends at 2027-09-01T00:00:00+02:00, not before"
        )


class TestPlanCache:
    """The plan is parsed once per context text; the cache never decides anything."""

    def test_a_plan_parsed_afresh(self) -> None:
        """Reads the plan from the context when the cache has forgotten it."""
        procedure = noticed()
        termination._FRAMES.clear()
        assert procedure.take_effect(who=OPS, when=EFFECTIVE).state == "retrieval"
        termination._FRAMES.clear()
        assert procedure.plan.effective_at == EFFECTIVE

    def test_a_full_cache_forgets_the_oldest_half(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Drops the oldest plans when full, and parses them again when asked."""
        monkeypatch.setattr(termination._FRAMES, "size", 2)
        termination._FRAMES.clear()
        first = noticed()
        noticed(agreement(withdrawable=True))
        third = noticed(by="provider", reason="misuse")
        assert first.lifecycle.context_json not in termination._FRAMES
        assert third.lifecycle.context_json in termination._FRAMES
        assert first.plan == noticed().plan

    def test_a_full_data_cache_forgets_the_oldest(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Forgets the parsed event data when full, and the guards still read it right."""
        monkeypatch.setattr(termination._PARSED, "size", 1)
        termination._PARSED.clear()
        procedure = retrieving().record_retrieval("CSV", who=CUSTOMER, when=EFFECTIVE)
        assert len(termination._PARSED) == 1
        error = refused(
            lambda: procedure.record_retrieval("XML", who=CUSTOMER, when=EFFECTIVE), procedure
        )
        assert error.reason is not None
        assert error.reason.endswith("not 'XML' (string)")
        assert list(termination._PARSED) == ['{"format":"XML"}']
