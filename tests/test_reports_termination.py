"""cloudsms.reports.termination: an exit plan as data and a table, a confirmation in Markdown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from cloudsms.agreements import (
    CloudServiceAgreement,
    EarlyTerminationCharge,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
)
from cloudsms.errors import Problem, ValidationError
from cloudsms.procedures.termination import (
    DataCategory,
    ExitConfirmation,
    ExitProcedure,
    plan_exit,
)
from cloudsms.reports.termination import (
    confirmation_markdown,
    exit_plan_data,
    exit_plan_table,
)
from cloudsms.serialization import from_json

BERLIN = ZoneInfo("Europe/Berlin")
EXAMPLE = (
    Path(__file__).resolve().parents[1] / "examples" / "data" / "resources" / "agreement.json"
)
AGREEMENT = from_json(CloudServiceAgreement, EXAMPLE.read_text(encoding="utf-8"))
WHO = "actor:exit-desk"


def at(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """A wall time in Europe/Berlin."""
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def charged(agreement: CloudServiceAgreement = AGREEMENT) -> CloudServiceAgreement:
    """The agreement with the remaining charges owed for ending early, and withdrawal allowed."""
    terms = attrs.evolve(
        agreement.termination,
        early_termination_charge=EarlyTerminationCharge.remaining_charges(),
        withdrawable=True,
    )
    return attrs.evolve(agreement, termination=terms)


def closed(agreement: CloudServiceAgreement, *, hold: bool) -> ExitProcedure:
    """A customer's exit from notice on 2026-12-01 to the written confirmation."""
    procedure = ExitProcedure.initiate(agreement, notice=dt.date(2026, 12, 1), who=WHO)
    procedure = procedure.take_effect(who=WHO, when=at(2027, 1, 1))
    procedure = procedure.record_retrieval("CSV", who=WHO, when=at(2027, 1, 5))
    procedure = procedure.confirm_not_needed(who=WHO, when=at(2027, 1, 10))
    procedure = procedure.record_release(["rr-1"], who=WHO, when=at(2027, 1, 11))
    for category in DataCategory:
        if hold and category is DataCategory.LOGS:
            procedure = procedure.hold(
                category,
                basis="Tax code | s. 147 *records*",
                review_on=dt.date(2030, 1, 1),
                who=WHO,
                when=at(2027, 1, 12),
            )
        else:
            procedure = procedure.delete(category, "crypto-shred", who=WHO, when=at(2027, 1, 12))
    procedure = procedure.update_records(
        configuration=["ci-1"],
        capacity=["cap-1"],
        financial=["inv-9"],
        who=WHO,
        when=at(2027, 1, 13),
    )
    done, _ = procedure.issue_confirmation(who=WHO, when=at(2027, 1, 14))
    return done


class TestExitPlanData:
    """The plan as JSON-ready data."""

    def test_a_fixed_shape_with_every_date(self) -> None:
        """Keys in order; instants ISO 8601 in the agreement's zone; Money as text."""
        data = exit_plan_data(plan_exit(charged(), notice=dt.date(2026, 12, 1)))
        assert list(data) == [
            "agreement",
            "parties",
            "timezone",
            "initiated_by",
            "reason",
            "notice_at",
            "effective_at",
            "minimum_term_ends",
            "early",
            "charge",
            "withdrawable",
            "retrieval_ends",
            "retention_ends",
            "export_formats",
            "backup_retention",
            "terms",
            "steps",
        ]
        assert data["agreement"] == {
            "id": "csa-2026-011",
            "version": 1,
            "start": "2026-04-01T00:00:00+02:00",
            "end": None,
        }
        assert data["parties"] == {"provider": "ACME Cloud", "customer": "globex"}
        assert data["notice_at"] == "2026-12-01T00:00:00+01:00"
        assert data["effective_at"] == "2027-01-01T00:00:00+01:00"
        assert data["minimum_term_ends"] == "2027-04-01T00:00:00+02:00"
        assert data["early"] is True
        # 195.93 + 97.79 EUR a month, three whole months from 1 January to 1 April
        assert data["charge"] == {"amount": "881.16", "currency": "EUR"}
        assert data["retrieval_ends"] == "2027-01-31T00:00:00+01:00"
        assert data["retention_ends"] == "2027-04-01T00:00:00+02:00"
        assert data["terms"] == {
            "notice_period": "P1M",
            "minimum_term": "P1Y",
            "early_termination_charge": {
                "kind": "remaining charges",
                "amount": None,
                "percent": None,
            },
            "retrieval_window": "P30D",
            "retention_window": "P90D",
        }
        assert data["steps"][3] == {
            "step": "confirmation",
            "owner": "customer",
            "opens": "2027-01-01T00:00:00+01:00",
            "due": "2027-04-01T00:00:00+02:00",
            "what": "The customer confirms it no longer needs its data, "
            "or the retention window ends.",
        }
        assert json.loads(json.dumps(data)) == data

    def test_the_providers_reason(self) -> None:
        """The provider's listed reason is in the data."""
        plan = plan_exit(AGREEMENT, notice=dt.date(2026, 12, 1), by="provider", reason="misuse")
        data = exit_plan_data(plan)
        assert (data["initiated_by"], data["reason"]) == ("provider", "misuse")
        assert data["charge"] is None

    def test_terms_without_a_minimum_term(self) -> None:
        """No minimum term: its end is null, the termination is not early, nothing is owed."""
        only = attrs.evolve(
            AGREEMENT,
            termination=TerminationTerms(
                terminable_by=TerminatingParty.CUSTOMER,
                notice_period=AGREEMENT.termination.notice_period,
            ),
        )
        data = exit_plan_data(plan_exit(only, notice=dt.date(2026, 12, 1)))
        assert (data["minimum_term_ends"], data["early"], data["charge"]) == (None, False, None)
        assert data["terms"]["minimum_term"] is None
        assert data["terms"]["early_termination_charge"] is None

    def test_not_a_plan_is_refused(self) -> None:
        """Anything but an ExitPlan is refused at $.plan."""
        with pytest.raises(ValidationError) as error:
            exit_plan_data(AGREEMENT)  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.plan"]


class TestExitPlanTable:
    """The plan for people."""

    def test_dates_charge_and_steps(self) -> None:
        """Each date to the minute with its offset, the charge, then each step."""
        table = exit_plan_table(plan_exit(charged(), notice=dt.date(2026, 12, 1)))
        lines = table.splitlines()
        assert lines[0] == "Exit plan for agreement csa-2026-011, version 1"
        assert "  notice given        2026-12-01 00:00+01:00" in lines
        assert "  effective           2027-01-01 00:00+01:00" in lines
        assert "  minimum term ends   2027-04-01 00:00+02:00" in lines
        assert "  early               yes" in lines
        assert "  charge              EUR 881.16" in lines
        assert "  withdrawable        yes, until 2027-01-01 00:00+01:00" in lines
        assert (
            "  retrieval             customer  2027-01-01 00:00+01:00  2027-01-31 00:00+01:00"
            in lines
        )
        assert "  release               provider  2027-01-01 00:00+01:00  no date" in lines
        assert "  notice: The customer gives notice of termination on the agreement's terms." in (
            lines
        )
        assert max(len(line) for line in lines) <= 80

    @pytest.mark.parametrize(
        ("agreement", "notice", "said"),
        [
            (
                AGREEMENT,
                dt.date(2026, 12, 1),
                "none: the terms define no early-termination charge",
            ),
            (charged(), dt.date(2027, 6, 1), "none: the termination is not early"),
            (
                attrs.evolve(charged(), recurring_charges=()),
                dt.date(2026, 12, 1),
                "none: the agreement has no recurring charges to base it on",
            ),
        ],
    )
    def test_why_there_is_no_charge(
        self, agreement: CloudServiceAgreement, notice: dt.date, said: str
    ) -> None:
        """No charge says why: not early, none in the terms, nothing to base it on."""
        table = exit_plan_table(plan_exit(agreement, notice=notice))
        assert f"  charge              {said}" in table.splitlines()

    def test_a_providers_early_termination_says_the_charge_is_the_customers(self) -> None:
        """A provider ending early on charged terms: no charge, and the table says why."""
        plan = plan_exit(charged(), notice=dt.date(2026, 12, 1), by="provider", reason="misuse")
        assert plan.early
        said = "none: the provider ends it (the charge is the customer's)"
        assert f"  charge              {said}" in exit_plan_table(plan).splitlines()

    def test_seconds_are_shown_when_there_are_any(self) -> None:
        """A notice at 09:30:15 UTC is 10:30:15 in Berlin."""
        notice = dt.datetime(2026, 12, 1, 9, 30, 15, tzinfo=dt.UTC)
        table = exit_plan_table(plan_exit(AGREEMENT, notice=notice))
        assert "  notice given        2026-12-01 10:30:15+01:00" in table.splitlines()

    def test_control_characters_are_escaped(self) -> None:
        """A provider name with an escape sequence prints as its escape."""
        hostile = attrs.evolve(AGREEMENT, provider="ACME\x1b[31m Cloud\u202e")
        table = exit_plan_table(plan_exit(hostile, notice=dt.date(2026, 12, 1)))
        assert "\x1b" not in table
        assert "\u202e" not in table
        assert "  provider            ACME\\x1b[31m Cloud\\u202e" in table.splitlines()

    def test_not_a_plan_is_refused(self) -> None:
        """Anything but an ExitPlan is refused at $.plan."""
        with pytest.raises(ValidationError) as error:
            exit_plan_table(None)  # type: ignore[arg-type]
        assert error.value.problems == (Problem("$.plan", "an ExitPlan", "null"),)


class TestConfirmationMarkdown:
    """The written confirmation for people."""

    def test_parties_dates_criteria_and_evidence(self) -> None:
        """Each criterion with its evidence entries: event, time, index and full hash."""
        procedure = closed(AGREEMENT, hold=False)
        confirmation = ExitConfirmation.of(procedure)
        text = confirmation_markdown(confirmation)
        lines = text.splitlines()
        assert lines[0] == "# Exit confirmation: globex, agreement csa-2026-011"
        assert "- Exit procedure: exit-csa-2026-011" in lines
        assert "- Notice given by the customer on 2026-12-01T00:00:00+01:00" in lines
        assert "- Termination effective: 2027-01-01T00:00:00+01:00" in lines
        assert "- Confirmation issued: 2027-01-14T00:00:00+01:00" in lines
        assert f"- Trail head after the confirmation: `{procedure.lifecycle.head}`" in lines
        assert "### 1. Notice given" in lines
        assert "### 6. Customer data: deleted or held" in lines
        for index, entry in enumerate(procedure.lifecycle.entries[:-1]):
            row = (
                f"| {entry.event} | {entry.who} | {entry.when.isoformat()} | {index} "
                f"| `{entry.hash}` |"
            )
            assert row in lines
        titles = [line for line in lines if line.startswith("### ")]
        assert len(titles) == len(confirmation.criteria)
        assert "None: every category of the customer's data was deleted." in lines
        assert text.endswith("\n")

    def test_legal_holds_with_basis_and_review_date(self) -> None:
        """A held category is listed with its basis (Markdown marks escaped) and review date."""
        confirmation = ExitConfirmation.of(closed(AGREEMENT, hold=True))
        lines = confirmation_markdown(confirmation).splitlines()
        assert "## Legal holds" in lines
        assert "| logs | Tax code \\| s. 147 \\*records\\* | 2030-01-01 |" in lines

    def test_the_providers_reason_is_named(self) -> None:
        """A provider's termination names its reason beside the notice."""
        confirmation = attrs.evolve(
            ExitConfirmation.of(closed(AGREEMENT, hold=False)),
            initiated_by=TerminatingParty.PROVIDER,
            reason=TerminationReason.NON_PAYMENT,
        )
        text = confirmation_markdown(confirmation)
        assert (
            "- Notice given by the provider on 2026-12-01T00:00:00+01:00, "
            "for the reason non-payment" in text.splitlines()
        )

    def test_control_characters_and_marks_are_escaped(self) -> None:
        """Text from the agreement cannot act on a terminal or on the Markdown."""
        hostile = attrs.evolve(AGREEMENT, provider="ACME\x1b[2J *Cloud* <b>")
        text = confirmation_markdown(ExitConfirmation.of(closed(hostile, hold=False)))
        assert "\x1b" not in text
        assert "ACME\\\\x1b\\[2J \\*Cloud\\* \\<b\\> (the provider)" in text

    def test_not_a_confirmation_is_refused(self) -> None:
        """Anything but an ExitConfirmation is refused at $.confirmation."""
        with pytest.raises(ValidationError) as error:
            confirmation_markdown("done")  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.confirmation"]
