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

from cloudsms.agreements import (
    ExitTerms,
    TerminationReason,
)
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.lifecycle import register_lifecycle, verify
from cloudsms.procedures.termination import (
    EXIT_LIFECYCLE,
    DataCategory,
    Deletion,
    ExitPlan,
    ExitProcedure,
    LegalHold,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from cloudsms.agreements import CloudServiceAgreement

register_lifecycle("exit_procedure", "cloudsms.procedures.termination:EXIT_LIFECYCLE")

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
