"""The exit procedure (S13): the release of resources, the written confirmation, the documents.

ISO/IEC 20000-1:2011 4.3 (the trail and the confirmation as records), 4.4 and 6.5
(resources released through resource requests), 6.4 (no cost after the release),
9.1 and 9.2 (configuration records updated under standard changes).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from cloudsms.agreements import BackupRetention, TerminatingParty
from cloudsms.configuration import ConfigurationItem, ConfigurationRecord
from cloudsms.errors import Problem, ValidationError
from cloudsms.money import Money, Price
from cloudsms.periods import Period
from cloudsms.procedures.termination import (
    EXIT_LIFECYCLE,
    DataCategory,
    Evidence,
    ExitConfirmation,
    ExitCriterion,
    ExitCriterionKind,
    ExitProcedure,
    ExitRelease,
    LegalHold,
    release_resources,
)
from cloudsms.resources import (
    Allocation,
    CostProfile,
    PoolCapacity,
    ResourcePool,
    ResourceRequestKind,
)
from cloudsms.resources.pricing import Rate, RateCard
from cloudsms.serialization import from_json, to_json
from cloudsms.units import quantity
from test_termination import (
    AGREEMENT,
    BERLIN,
    CUSTOMER,
    DAY,
    EFFECTIVE,
    HOLD_BASIS,
    OPS,
    RETENTION_ENDS,
    agreement,
    closed,
    decided,
    deleting,
    noticed,
    refused,
    releasing,
    retrieving,
    updated,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


PERIODIC = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
FRANKFURT = ResourcePool(
    "fra-1", "Frankfurt 1", "eu-central", [PoolCapacity("vcpu", quantity("64 vcpu"))]
)
PARIS = ResourcePool("par-1", "Paris 1", "eu-west", [PoolCapacity("memory", quantity("512 GiB"))])
SERVICE = "crm-service"


def holding(kind: str, amount: str, location: str, resource_id: str, **more: Any) -> Allocation:
    """The holding of globex for the CRM service under csa-2026-001, from 1 January 2027."""
    fields: dict[str, Any] = {
        "since": PERIODIC,
        "customer": "globex",
        "agreement": "csa-2026-001",
        **more,
    }
    return Allocation(
        fields["customer"],
        fields["agreement"],
        SERVICE,
        kind,
        quantity(amount),
        fields["since"],
        fields.get("until"),
        resource_id=resource_id,
        location=location,
    )


class TestRelease:
    """release_resources releases every holding through carry_out, in its pool."""

    WHEN = EFFECTIVE + 7 * DAY

    def held(self) -> list[Allocation]:
        """Two pools' holdings: globex's, one scheduled for later, one ended, another's."""
        return [
            holding("vcpu", "8 vcpu", "eu-central", "vm-1"),
            holding("memory", "32 GiB", "eu-west", "vm-1"),
            holding("vcpu", "4 vcpu", "eu-central", "vm-2", since=self.WHEN + 5 * DAY),
            holding("vcpu", "2 vcpu", "eu-central", "vm-3", until=EFFECTIVE),
            holding(
                "vcpu", "16 vcpu", "eu-central", "vm-9", customer="initech", agreement="csa-9"
            ),
        ]

    def records(self) -> dict[str, ConfigurationRecord]:
        """vm-1's configuration record, holding 8 vcpu and 32 GiB."""
        item = ConfigurationItem(
            id="vm-1",
            name="CRM app server",
            kind="virtual machine",
            attributes={"vcpu": "8 vcpu", "memory": "32 GiB"},
        )
        return {"vm-1": ConfigurationRecord.create(item, by="actor:provisioning", at=PERIODIC)}

    def released(self) -> ExitRelease:
        """The release of the holdings above, on 10 June 2027."""
        return release_resources(
            releasing(),
            AGREEMENT,
            [FRANKFURT, PARIS],
            self.held(),
            self.records(),
            who=OPS,
            when=self.WHEN,
        )

    def test_nothing_is_held_after(self) -> None:
        """Leaves no holding of the customer under the agreement from the release on."""
        result = self.released()
        assert result.procedure.state == "deleting"
        assert result.procedure.resources_released
        still = [
            a
            for a in result.allocations
            if a.customer == "globex" and (a.until is None or a.until > self.WHEN)
        ]
        assert still == []

    def test_each_release_is_a_standard_change(self) -> None:
        """Carries out one release request per holding, each an implemented change."""
        result = self.released()
        assert [c.request.kind for c in result.changes] == [ResourceRequestKind.RELEASE] * 3
        assert all(c.accepted and c.change.state == "implemented" for c in result.changes)
        requested = result.procedure.lifecycle.entries[-1].data
        assert requested == {
            "requests": [c.request.id for c in result.changes],
            "remaining": 0,
        }
        assert [c.request.id for c in result.changes] == [
            "exit-csa-2026-001.rel1",
            "exit-csa-2026-001.rel2",
            "exit-csa-2026-001.rel3",
        ]

    def test_the_holdings_end_at_the_release(self) -> None:
        """Ends held holdings at the release, drops the one not yet started, keeps the rest."""
        before = self.held()
        after = self.released().allocations
        assert after[0] == before[0].released(self.WHEN)
        assert after[1] == before[1].released(self.WHEN)
        assert before[2] not in after
        assert before[3] in after
        assert before[4] in after
        assert len(after) == 4

    def test_the_configuration_record_is_updated(self) -> None:
        """Versions vm-1's record under the changes, its resources removed."""
        record = self.released().records["vm-1"]
        assert record.current.attributes == {}
        assert len(record.versions) == 3

    def test_no_cost_after_the_release(self) -> None:
        """Costs nothing for the agreement in any period after the release."""
        rates = RateCard(
            "EUR",
            [
                Rate("vcpu", price=Price(Money("0.042", "EUR"), "vcpu*hour")),
                Rate("memory", price=Price(Money("0.021", "EUR"), "GiB", per="month")),
            ],
        )
        later = Period(self.WHEN, self.WHEN + 60 * DAY)
        before = CostProfile.build(AGREEMENT, self.held(), [], later, rates=rates)
        assert before.total > Money(0, "EUR")
        after = CostProfile.build(AGREEMENT, self.released().allocations, [], later, rates=rates)
        assert after.total == Money(0, "EUR")
        assert after.lines == ()

    def test_nothing_held_nothing_released(self) -> None:
        """Records an empty release when the customer holds nothing."""
        result = release_resources(
            releasing(), AGREEMENT, FRANKFURT, [], {}, who=OPS, when=self.WHEN
        )
        assert result.changes == ()
        assert result.procedure.lifecycle.entries[-1].data == {"requests": [], "remaining": 0}

    def test_refused_outside_releasing(self) -> None:
        """Refuses the release before the data is released; nothing is done."""
        procedure = retrieving()
        error = refused(
            lambda: release_resources(
                procedure, AGREEMENT, FRANKFURT, self.held(), {}, who=OPS, when=self.WHEN
            ),
            procedure,
        )
        assert (error.state, error.event) == ("retrieval", "release_resources")

    @pytest.mark.parametrize(
        ("change", "path"),
        [
            ({"pools": [FRANKFURT]}, "$.allocations[1].location"),
            ({"pools": [FRANKFURT, FRANKFURT]}, "$.pools[1].location"),
            ({"pools": []}, "$.pools"),
            ({"pools": "fra-1"}, "$.pools"),
            ({"allocations": [None]}, "$.allocations[0]"),
            ({"allocations": "vm-1"}, "$.allocations"),
            (
                {"agreement": attrs.evolve(AGREEMENT, id="csa-2026-002")},
                "$.agreement.id",
            ),
            ({"procedure": None}, "$.procedure"),
            ({"records": None}, "$.records"),
            ({"records": "x"}, "$.records"),
            ({"records": {"vm-1": "a record"}}, "$.records"),
        ],
    )
    def test_a_wrong_argument(self, change: dict[str, Any], path: str) -> None:
        """Names the argument that cannot be released from."""
        arguments: dict[str, Any] = {
            "procedure": releasing(),
            "agreement": AGREEMENT,
            "pools": [FRANKFURT, PARIS],
            "allocations": self.held(),
            "records": {},
            **change,
        }
        with pytest.raises(ValidationError) as error:
            release_resources(**arguments, who=OPS, when=self.WHEN)
        assert path in [p.path for p in error.value.problems]

    def test_an_unplaced_holding_with_one_pool(self) -> None:
        """Draws a holding without a location from the only pool given."""
        unplaced = attrs.evolve(holding("vcpu", "8 vcpu", "eu-central", "vm-1"), location=None)
        result = release_resources(
            releasing(), AGREEMENT, FRANKFURT, [unplaced], {}, who=OPS, when=self.WHEN
        )
        placed = attrs.evolve(unplaced.released(self.WHEN), location="eu-central")
        assert result.allocations == (placed,)
        with pytest.raises(ValidationError) as error:
            release_resources(
                releasing(), AGREEMENT, [FRANKFURT, PARIS], [unplaced], {}, who=OPS, when=self.WHEN
            )
        assert [p.path for p in error.value.problems] == ["$.allocations[0].location"]

    def test_after_the_agreements_end(self) -> None:
        """Releases what is still held after the agreement's end."""
        ended = attrs.evolve(AGREEMENT, end=EFFECTIVE)
        procedure = releasing(ended)
        result = release_resources(
            procedure, ended, FRANKFURT, [self.held()[0]], {}, who=OPS, when=self.WHEN
        )
        assert result.allocations == (self.held()[0].released(self.WHEN),)


class TestConfirmation:
    """The written confirmation lists each criterion with its evidence in the trail."""

    def test_every_criterion_in_order(self) -> None:
        """Lists notice, effect, retrieval, data and resources released, categories, records."""
        procedure = closed()
        confirmation = ExitConfirmation.of(procedure)
        kinds = [(c.criterion, c.category) for c in confirmation.criteria]
        assert kinds == [
            (ExitCriterionKind.NOTICE_GIVEN, None),
            (ExitCriterionKind.TERMINATION_EFFECTIVE, None),
            (ExitCriterionKind.DATA_RETRIEVAL_OFFERED, None),
            (ExitCriterionKind.DATA_NO_LONGER_NEEDED, None),
            (ExitCriterionKind.RESOURCES_RELEASED, None),
            *[(ExitCriterionKind.DATA_CATEGORY_CLOSED, c) for c in DataCategory],
            (ExitCriterionKind.RECORDS_UPDATED, None),
        ]

    def test_the_parties_and_dates(self) -> None:
        """Names the parties and dates of the plan, and the issue's time and head."""
        procedure = closed()
        confirmation = ExitConfirmation.of(procedure)
        assert (
            confirmation.procedure_id,
            confirmation.agreement_id,
            confirmation.agreement_version,
            confirmation.customer_id,
            confirmation.provider,
            confirmation.initiated_by,
            confirmation.reason,
        ) == (
            "exit-csa-2026-001",
            "csa-2026-001",
            1,
            "globex",
            "ACME Cloud",
            TerminatingParty.CUSTOMER,
            None,
        )
        assert (confirmation.notice_at, confirmation.effective_at, confirmation.issued_at) == (
            dt.datetime(2027, 5, 3, tzinfo=BERLIN),
            EFFECTIVE,
            EFFECTIVE + 9 * DAY,
        )
        assert confirmation.head == procedure.lifecycle.head

    def test_every_evidence_is_in_the_trail(self) -> None:
        """Points each evidence at the trail entry of its event, time and hash."""
        procedure = closed()
        entries = procedure.lifecycle.entries
        confirmation = ExitConfirmation.of(procedure)
        for criterion in confirmation.criteria:
            assert criterion.evidence
            for proof in criterion.evidence:
                entry = entries[proof.index]
                assert (entry.event, entry.when, entry.hash) == (
                    proof.event,
                    proof.when,
                    proof.hash,
                )
        assert confirmation.problems(procedure) == []

    def test_the_details(self) -> None:
        """Says in words how each criterion was met."""
        details = {
            (c.criterion, c.category): c.detail for c in ExitConfirmation.of(closed()).criteria
        }
        assert details[ExitCriterionKind.DATA_NO_LONGER_NEEDED, None] == (
            "the customer confirmed its data is no longer needed"
        )
        assert details[ExitCriterionKind.DATA_CATEGORY_CLOSED, DataCategory.BACKUPS] == (
            "deleted on 2027-06-11T00:00:00+02:00 by crypto-shred"
        )
        assert details[ExitCriterionKind.DATA_CATEGORY_CLOSED, DataCategory.LOGS] == (
            f"kept under a legal hold ({HOLD_BASIS}), reviewed on 2028-01-01"
        )
        assert details[ExitCriterionKind.RECORDS_UPDATED, None] == (
            "configuration: cmdb:chg-991; capacity: capacity-plan:2027-06;"
            " financial: invoice:2027-0612, ledger:close-globex"
        )
        assert details[ExitCriterionKind.RESOURCES_RELEASED, None] == (
            "nothing was held: no release needed"
        )

    def test_the_retention_window_ended(self) -> None:
        """Says the data was released by the end of the retention window when it was."""
        procedure = retrieving().end_retention(who=OPS, when=RETENTION_ENDS)
        procedure = procedure.record_release(["rr-7"], who=OPS, when=RETENTION_ENDS)
        procedure, confirmation = updated_late(decided(procedure, RETENTION_ENDS))
        criterion = confirmation.criteria[3]
        assert criterion.detail == "the retention window ended on 2027-09-01T00:00:00+02:00"
        assert [e.event for e in criterion.evidence] == ["end_retention"]
        assert (
            confirmation.criteria[4].detail
            == "every holding released (1 release request(s): rr-7)"
        )
        assert confirmation.criteria[2].detail.endswith("the customer recorded no retrieval")

    def test_the_legal_holds(self) -> None:
        """Lists each category kept under a legal hold, with its basis."""
        confirmation = ExitConfirmation.of(closed())
        assert confirmation.legal_holds == (
            LegalHold(category=DataCategory.LOGS, basis=HOLD_BASIS, review_on=dt.date(2028, 1, 1)),
        )

    def test_only_a_closed_procedure(self) -> None:
        """Refuses to confirm a procedure that is not closed."""
        with pytest.raises(ValidationError) as error:
            ExitConfirmation.of(updated(decided(deleting())))
        (problem,) = error.value.problems
        assert (problem.path, problem.got) == (
            "$.procedure",
            "a procedure in state 'records_updated'",
        )

    def test_a_confirmation_that_does_not_match(self) -> None:
        """Finds a forged hash, a moved index and a changed date, each at its path."""
        procedure = closed()
        honest = ExitConfirmation.of(procedure)
        criteria = list(honest.criteria)
        first = criteria[0]
        criteria[0] = attrs.evolve(
            first, evidence=(attrs.evolve(first.evidence[0], hash="0" * 64, index=1),)
        )
        criteria[1] = attrs.evolve(
            criteria[1], evidence=(attrs.evolve(criteria[1].evidence[0], index=99),)
        )
        forged = attrs.evolve(honest, criteria=tuple(criteria), effective_at=EFFECTIVE + DAY)
        paths = [p.path for p in forged.problems(procedure)]
        assert paths == [
            "$.criteria[0].evidence[0].hash",
            "$.criteria[0].evidence[0].event",
            "$.criteria[0].evidence[0].who",
            "$.criteria[0].evidence[0].when",
            "$.criteria[1].evidence[0].index",
            "$.effective_at",
        ]

    def test_another_procedure(self) -> None:
        """Finds that a confirmation's head is not in another procedure's trail."""
        confirmation = ExitConfirmation.of(closed())
        other = decided(deleting())
        problems = confirmation.problems(other)
        assert [p.path for p in problems][-2:] == ["$.procedure", "$.procedure"]
        assert confirmation.problems(None) == [  # type: ignore[arg-type]
            Problem("$.procedure", "an ExitProcedure", "null")
        ]

    def test_a_criterion_and_its_category(self) -> None:
        """Refuses a category on another criterion, or none on a data category's."""
        proof = ExitConfirmation.of(closed()).criteria[0].evidence
        with pytest.raises(ValidationError):
            ExitCriterion(
                criterion=ExitCriterionKind.DATA_CATEGORY_CLOSED, detail="x", evidence=proof
            )
        with pytest.raises(ValidationError):
            ExitCriterion(
                criterion=ExitCriterionKind.NOTICE_GIVEN,
                category=DataCategory.LOGS,
                detail="x",
                evidence=proof,
            )


def updated_late(procedure: ExitProcedure) -> tuple[ExitProcedure, ExitConfirmation]:
    """The records updated and the confirmation issued on the day after retention ends."""
    when = RETENTION_ENDS + DAY
    return procedure.update_records(
        configuration=["cmdb:1"], capacity=["cap:1"], financial=["inv:1"], who=OPS, when=when
    ).issue_confirmation(who=OPS, when=when)


class TestDocuments:
    """Both documents round-trip through JSON; reading replays the guards."""

    @pytest.mark.parametrize("build", [noticed, retrieving, releasing, deleting, closed])
    def test_the_procedure_round_trips(self, build: Callable[[], ExitProcedure]) -> None:
        """Reads back a procedure equal to the one written, in every state."""
        procedure = build()
        text = to_json(procedure)
        assert json.loads(text)["type"] == "cloudsms.exit-procedure"
        back = from_json(ExitProcedure, text)
        assert back == procedure
        assert back.plan == procedure.plan

    def test_the_confirmation_round_trips(self) -> None:
        """Reads back a confirmation equal to the one written."""
        confirmation = ExitConfirmation.of(closed())
        text = to_json(confirmation)
        assert json.loads(text)["type"] == "cloudsms.exit-confirmation"
        assert from_json(ExitConfirmation, text) == confirmation

    def test_a_history_the_guards_refuse(self) -> None:
        """Refuses a recorded history whose deletion comes before the backup may go."""
        terms = agreement(backup_retention=BackupRetention.UNTIL_RETENTION_ENDS)
        procedure = deleting(terms).delete("logs", who=OPS, when=EFFECTIVE + 8 * DAY)
        entries = list(procedure.lifecycle.entries)
        last = entries[-1]
        forged = attrs.evolve(last, data_json='{"category":"backups","method":null}', hash="")
        with pytest.raises(ValidationError) as error:
            EXIT_LIFECYCLE.adopt(
                [*entries[:-1], forged],
                id=procedure.id,
                context=dict(procedure.lifecycle.context),
            )
        (problem,) = error.value.problems
        assert problem.path == f"$.history[{len(entries) - 1}]"
        assert "the terms keep the backup until the retention window ends" in problem.got


class TestConfirmationFields:
    """A confirmation's own fields are checked, and compared field by field."""

    def test_a_hash_and_an_index_of_the_wrong_form(self) -> None:
        """Refuses a hash that is not 64 hexadecimal digits, and a negative index."""
        with pytest.raises(ValidationError) as error:
            Evidence(event="delete", who="Jane Doe", when=EFFECTIVE, index=-1, hash="ABC")
        problems = error.value.problems
        assert [p.path for p in problems] == ["$.who", "$.index", "$.hash"]
        assert "Jane" not in problems[0].got  # a refused actor id may be a name: never shown

    def test_each_evidence_names_its_actor(self) -> None:
        """Gives each evidence the actor id of its entry, in the JSON document too."""
        procedure = closed()
        confirmation = ExitConfirmation.of(procedure)
        entries = procedure.lifecycle.entries
        for criterion in confirmation.criteria:
            for proof in criterion.evidence:
                assert proof.who == entries[proof.index].who
        assert confirmation.criteria[0].evidence[0].who == CUSTOMER
        assert confirmation.criteria[-1].evidence[0].who == OPS
        document = json.loads(to_json(confirmation))
        assert document["criteria"][0]["evidence"][0]["who"] == CUSTOMER

    def test_an_evidence_of_another_actor(self) -> None:
        """Finds an evidence whose actor is not the entry's, at its path."""
        procedure = closed()
        honest = ExitConfirmation.of(procedure)
        first = honest.criteria[0]
        moved = attrs.evolve(first.evidence[0], who=OPS)
        forged = attrs.evolve(
            honest, criteria=(attrs.evolve(first, evidence=(moved,)), *honest.criteria[1:])
        )
        assert forged.problems(procedure) == [
            Problem("$.criteria[0].evidence[0].who", repr(CUSTOMER), repr(OPS))
        ]

    def test_every_field_compared(self) -> None:
        """Names each field that differs from what the procedure records."""
        procedure = closed()
        honest = ExitConfirmation.of(procedure)
        forged = attrs.evolve(
            honest, initiated_by=TerminatingParty.PROVIDER, legal_holds=(), provider="Other"
        )
        problems = forged.problems(procedure)
        assert [(p.path, p.got) for p in problems] == [
            ("$.provider", "'Other'"),
            ("$.initiated_by", "'provider'"),
            ("$.legal_holds", "0 item(s)"),
        ]
        assert problems[1].expected == "what the procedure records ('customer')"

    def test_a_pool_list_holding_something_else(self) -> None:
        """Names an item of the pools that is not a pool."""
        with pytest.raises(ValidationError) as error:
            release_resources(
                releasing(),
                AGREEMENT,
                [FRANKFURT, None],  # type: ignore[list-item]
                [],
                {},
                who=OPS,
                when=EFFECTIVE + 7 * DAY,
            )
        assert [p.path for p in error.value.problems] == ["$.pools[1]"]


def cloudsms(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cloudsms`` with ``args`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "cloudsms", *args], capture_output=True, text=True, check=False
    )


class TestCommandLine:
    """A saved procedure is checked by the CLI as a user checks it."""

    def test_a_tampered_entry_is_detected(self, tmp_path: Path) -> None:
        """Exits 1 at the entry whose data was edited (the method of a deletion)."""
        data = json.loads(to_json(closed()))
        history = data["lifecycle"]["history"]
        index = next(i for i, e in enumerate(history) if e["event"] == "delete")
        history[index]["data"]["method"] = "overwrite"
        saved = tmp_path / "exit.json"
        saved.write_text(json.dumps(data), encoding="utf-8")
        result = cloudsms("audit", "verify", str(saved))
        assert result.returncode == 1
        assert f"broken at entry {index}" in result.stdout
        assert f"$.lifecycle.history[{index}]" in result.stdout

    def test_a_removed_entry_is_detected(self, tmp_path: Path) -> None:
        """Exits 1 when the last entries are cut and the confirmation's head is expected."""
        procedure = closed()
        head = ExitConfirmation.of(procedure).head
        data = json.loads(to_json(procedure))
        data["lifecycle"]["history"] = data["lifecycle"]["history"][:-2]
        saved = tmp_path / "exit.json"
        saved.write_text(json.dumps(data), encoding="utf-8")
        result = cloudsms("audit", "verify", str(saved), "--expected-head", head)
        assert result.returncode == 1
        assert "broken" in result.stdout


class TestConfirmationIsChecked:
    """The confirmation `of` builds from the trail passes every check of its records."""

    def test_built_again_with_checks(self) -> None:
        """Equals the same confirmation built through the checked constructors."""
        confirmation = ExitConfirmation.of(closed())
        criteria = tuple(
            ExitCriterion(
                criterion=c.criterion,
                category=c.category,
                detail=c.detail,
                evidence=tuple(Evidence(**attrs.asdict(e)) for e in c.evidence),
            )
            for c in confirmation.criteria
        )
        holds = tuple(LegalHold(**attrs.asdict(h)) for h in confirmation.legal_holds)
        fields = attrs.asdict(confirmation, recurse=False)
        checked = ExitConfirmation(**{**fields, "criteria": criteria, "legal_holds": holds})
        assert checked == confirmation


class TestRegisteredDocuments:
    """The CLI knows both documents and the lifecycle by name, in a fresh interpreter."""

    def test_an_untouched_procedure_verifies(self, tmp_path: Path) -> None:
        """Exits 0 for a saved procedure, printing the head its confirmation holds."""
        procedure = closed()
        saved = tmp_path / "exit.json"
        saved.write_text(to_json(procedure), encoding="utf-8")
        head = ExitConfirmation.of(procedure).head
        result = cloudsms("audit", "verify", str(saved), "--expected-head", head)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"head {head}" in result.stdout

    @pytest.mark.parametrize("kind", ["procedure", "confirmation"])
    def test_document_validate_reads_both(self, tmp_path: Path, kind: str) -> None:
        """Exits 0 for the saved procedure and for its written confirmation."""
        procedure = closed()
        document = procedure if kind == "procedure" else ExitConfirmation.of(procedure)
        saved = tmp_path / f"{kind}.json"
        saved.write_text(to_json(document), encoding="utf-8")
        result = cloudsms("document", "validate", str(saved))
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"cloudsms.exit-{kind}" in result.stdout

    def test_document_validate_refuses_an_edited_entry(self, tmp_path: Path) -> None:
        """Exits 1 for a saved procedure whose edited deletion no longer follows its chain."""
        data = json.loads(to_json(closed()))
        data["lifecycle"]["history"][5]["data"]["category"] = "logs"
        saved = tmp_path / "exit.json"
        saved.write_text(json.dumps(data), encoding="utf-8")
        result = cloudsms("document", "validate", str(saved))
        assert result.returncode == 1
        assert "$.lifecycle.history[5].hash" in result.stdout
