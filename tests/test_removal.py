"""cloudsms.procedures.removal: a service's removal from the catalogue, step by step (S15)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from cloudsms._kit.documents import register_document
from cloudsms.agreements import (
    CloudServiceAgreement,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    check_agreement,
)
from cloudsms.catalogue import Catalogue
from cloudsms.errors import InvalidTransition, Problem, UnknownReference, ValidationError
from cloudsms.lifecycle import register_lifecycle, verify
from cloudsms.procedures.removal import (
    REMOVAL_LIFECYCLE,
    ArchivedRecord,
    RemovalProcedure,
    announce_removal,
    release_service_resources,
    retire_service,
)
from cloudsms.procedures.termination import DataCategory, ExitProcedure
from cloudsms.procedures.transfer import (
    DataExport,
    ReceiverKind,
    TransferProcedure,
    TransitionPlan,
)
from cloudsms.resources import Allocation, PoolCapacity, ResourcePool
from cloudsms.serialization import from_json, to_json
from cloudsms.units import quantity

register_lifecycle("service_removal", "cloudsms.procedures.removal:REMOVAL_LIFECYCLE")
register_document("cloudsms.removal-procedure", "cloudsms.procedures.removal:RemovalProcedure")

BERLIN = ZoneInfo("Europe/Berlin")
DATA = Path(__file__).resolve().parents[1] / "examples" / "data" / "resources"
BASE = from_json(CloudServiceAgreement, (DATA / "agreement.json").read_text(encoding="utf-8"))
CATALOGUE = from_json(Catalogue, (DATA / "catalogue.json").read_text(encoding="utf-8"))
SERVICE = "iaas-compute"
AS_OF = dt.date(2026, 12, 15)
WHO = "actor:catalogue-manager"


def berlin(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """A wall time in Europe/Berlin."""
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def agreement(number: int, months: int | None) -> CloudServiceAgreement:
    """``csa-<number>``; with ``months``, the provider may end it for a retirement so."""
    changes: dict[str, Any] = {"id": f"csa-{number}", "customer_id": f"cust-{number}"}
    if months is not None:
        changes["termination"] = TerminationTerms(
            terminable_by=TerminatingParty.EITHER,
            provider_reasons={TerminationReason.SERVICE_RETIREMENT},
            notice_period=relativedelta(months=months),
            minimum_term=relativedelta(years=1),
        )
    return attrs.evolve(BASE, **changes)


THREE = (agreement(1, 1), agreement(2, 3), agreement(3, 6))
AS_OF_AT = berlin(2026, 12, 20)
ENDS = {"csa-1": berlin(2027, 1, 15), "csa-2": berlin(2027, 3, 15), "csa-3": berlin(2027, 6, 15)}


def announced(
    agreements: tuple[CloudServiceAgreement, ...] = THREE,
) -> tuple[RemovalProcedure, Catalogue]:
    """A removal planned for 2026-12-15 and announced on 2026-12-14 at 09:00."""
    procedure = RemovalProcedure.initiate(CATALOGUE, SERVICE, agreements, as_of=AS_OF)
    return announce_removal(procedure, CATALOGUE, who=WHO, when=berlin(2026, 12, 14, 9))


def notified(agreements: tuple[CloudServiceAgreement, ...] = THREE) -> RemovalProcedure:
    """The announced removal with every subscriber notified at 00:00 on 2026-12-15."""
    procedure, _ = announced(agreements)
    for subscriber in procedure.plan.subscribers:
        procedure = procedure.notify(subscriber.agreement_id, who=WHO, when=subscriber.notice_at)
    return procedure


def effective_exit(agreement: CloudServiceAgreement) -> ExitProcedure:
    """The provider's exit from ``agreement`` for the retirement, up to its effect."""
    exit_ = ExitProcedure.initiate(
        agreement,
        notice=AS_OF,
        by="provider",
        reason=TerminationReason.SERVICE_RETIREMENT,
        who=WHO,
    )
    return exit_.take_effect(who=WHO, when=exit_.plan.effective_at)


def all_closed() -> RemovalProcedure:
    """Every subscription closed through its exit procedure when its termination took effect."""
    procedure = notified()
    for item in THREE:
        exit_ = effective_exit(item)
        procedure = procedure.close_by_exit(exit_, who=WHO, when=exit_.plan.effective_at)
    return procedure


def ready() -> RemovalProcedure:
    """Everything closed, released and recorded: only the retirement is left."""
    procedure = all_closed().record_release(("rel-1",), who=WHO, when=berlin(2027, 6, 15, 1))
    return procedure.update_records(
        catalogue=["catalogue:v42"],
        configuration=["ci:iaas-compute"],
        archive=[ArchivedRecord(what="billing records", basis="tax law: ten years")],
        who=WHO,
        when=berlin(2027, 6, 15, 2),
    )


def the_service(catalogue: Catalogue) -> str:
    """The state of the service being removed in ``catalogue``'s graph."""
    return catalogue.graph.service(SERVICE).lifecycle_state


class TestInitiate:
    """RemovalProcedure.initiate plans the removal into the trail's context."""

    def test_a_new_procedure_is_opened_with_its_plan(self) -> None:
        """The procedure starts in 'opened', named after the service, with the plan."""
        procedure = RemovalProcedure.initiate(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        assert (procedure.id, procedure.state) == ("removal-iaas-compute", "opened")
        assert procedure.plan.agreement_ids == ("csa-1", "csa-2", "csa-3")
        assert procedure.removal_date == berlin(2027, 6, 15)
        assert procedure.open_subscriptions == ("csa-1", "csa-2", "csa-3")
        assert procedure.lifecycle.entries == ()

    def test_what_plan_removal_refuses_is_refused(self) -> None:
        """An unknown service is refused at $.service_id."""
        with pytest.raises(ValidationError) as error:
            RemovalProcedure.initiate(CATALOGUE, "nope", THREE, as_of=AS_OF)
        assert [p.path for p in error.value.problems] == ["$.service_id"]


class TestAnnounce:
    """announce_removal: the procedure and the catalogue's service move together."""

    def test_the_service_goes_retiring_and_new_subscriptions_stop(self) -> None:
        """After the announcement check_agreement refuses a new agreement for the service."""
        assert check_agreement(BASE, CATALOGUE) == []
        procedure, catalogue = announced()
        assert (procedure.state, the_service(catalogue)) == ("retiring", "retiring")
        assert check_agreement(BASE, catalogue) == [
            Problem(
                "$.subscriptions[0].entry_id",
                "an entry whose service is not retiring or retired",
                "'compute' (service 'iaas-compute' is retiring)",
            )
        ]

    def test_a_service_that_is_not_live_is_refused_and_nothing_moves(self) -> None:
        """Announcing twice: the service is retiring already, so nothing is returned."""
        procedure = RemovalProcedure.initiate(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        _, retiring = announced()
        with pytest.raises(InvalidTransition):
            announce_removal(procedure, retiring, who=WHO, when=berlin(2026, 12, 14, 9))
        assert procedure.state == "opened"

    def test_a_procedure_announced_already_is_refused(self) -> None:
        """The procedure announces once."""
        procedure, _ = announced()
        with pytest.raises(InvalidTransition):
            announce_removal(procedure, CATALOGUE, who=WHO, when=berlin(2026, 12, 14, 10))

    def test_a_catalogue_without_the_service_is_refused(self) -> None:
        """The catalogue must hold the plan's service."""
        procedure = RemovalProcedure.initiate(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        with pytest.raises(UnknownReference):
            announce_removal(procedure, Catalogue(), who=WHO, when=berlin(2026, 12, 14, 9))

    def test_wrong_types_are_refused(self) -> None:
        """The procedure and the catalogue are checked by type."""
        with pytest.raises(ValidationError) as error:
            announce_removal("p", "c", who=WHO, when=berlin(2026, 12, 14))  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.procedure", "$.catalogue"]


class TestNotify:
    """Notices go only to the plan's subscribers, once each, not before they go out."""

    def test_every_subscriber_is_notified(self) -> None:
        """Three notices recorded; nobody left to tell."""
        procedure = notified()
        assert procedure.notified == ("csa-1", "csa-2", "csa-3")
        assert procedure.unnotified == ()

    def test_a_non_subscriber_is_refused(self) -> None:
        """An agreement the plan does not list gets no notice."""
        procedure, _ = announced()
        with pytest.raises(InvalidTransition) as error:
            procedure.notify("csa-9", who=WHO, when=berlin(2026, 12, 15))
        assert "only a subscriber in the plan (csa-1, csa-2, csa-3), not 'csa-9'" in str(
            error.value
        )

    def test_a_subscriber_is_told_once(self) -> None:
        """A second notice to one subscriber is refused."""
        procedure = notified()
        with pytest.raises(InvalidTransition) as error:
            procedure.notify("csa-2", who=WHO, when=berlin(2026, 12, 16))
        assert "'csa-2' is notified already" in str(error.value)

    def test_not_before_the_notice_goes_out(self) -> None:
        """A notice recorded before the plan's instant is refused."""
        procedure, _ = announced()
        with pytest.raises(InvalidTransition) as error:
            procedure.notify("csa-1", who=WHO, when=berlin(2026, 12, 14, 12))
        assert "goes out at 2026-12-15T00:00:00+01:00, not before" in str(error.value)

    def test_not_before_the_announcement(self) -> None:
        """Nobody is notified while the procedure is only opened."""
        procedure = RemovalProcedure.initiate(CATALOGUE, SERVICE, THREE, as_of=AS_OF)
        with pytest.raises(InvalidTransition):
            procedure.notify("csa-1", who=WHO, when=berlin(2026, 12, 15))

    def test_a_bad_agreement_id_is_refused(self) -> None:
        """The agreement id must be an id."""
        procedure, _ = announced()
        with pytest.raises(ValidationError) as error:
            procedure.notify("", who=WHO, when=berlin(2026, 12, 15))
        assert [p.path for p in error.value.problems] == ["$.agreement_id"]


class TestCloseSubscription:
    """A subscription closes only after its notice, through its own procedure."""

    def test_an_exit_that_has_taken_effect_closes_it(self) -> None:
        """The exit procedure's id is recorded as how it was terminated."""
        procedure = notified()
        exit_ = effective_exit(THREE[0])
        assert exit_.plan.effective_at == ENDS["csa-1"]
        closed = procedure.close_by_exit(exit_, who=WHO, when=berlin(2027, 1, 15))
        assert closed.closed == {"csa-1": ("terminated", "exit-csa-1")}
        assert closed.open_subscriptions == ("csa-2", "csa-3")

    def test_not_before_the_notice(self) -> None:
        """A subscriber not yet notified cannot be closed."""
        procedure, _ = announced()
        with pytest.raises(InvalidTransition) as error:
            procedure.close_subscription(
                "csa-1",
                how="transferred",
                procedure_id="transfer-csa-1",
                who=WHO,
                when=berlin(2026, 12, 20),
            )
        assert "closed only after its notice" in str(error.value)

    def test_an_exit_still_in_its_notice_period_is_refused(self) -> None:
        """The exit's termination must have taken effect."""
        exit_ = ExitProcedure.initiate(
            THREE[0], notice=AS_OF, by="provider", reason="service retirement", who=WHO
        )
        with pytest.raises(ValidationError) as error:
            notified().close_by_exit(exit_, who=WHO, when=berlin(2026, 12, 20))
        assert error.value.problems == (
            Problem(
                "$.exit_procedure.state",
                "an exit whose termination has taken effect (retrieval or later)",
                "'notice_period'",
            ),
        )

    def test_not_before_the_exit_took_effect(self) -> None:
        """The exit took effect on 2027-01-15: closing it on 2026-12-20 is refused."""
        exit_ = effective_exit(THREE[0])
        with pytest.raises(ValidationError) as error:
            notified().close_by_exit(exit_, who=WHO, when=berlin(2026, 12, 20))
        assert error.value.problems == (
            Problem(
                "$.when",
                "an instant no earlier than the exit's termination took effect"
                " (2027-01-15T00:00:00+01:00)",
                "2026-12-20T00:00:00+01:00",
            ),
        )

    def test_an_exit_of_another_agreement_is_refused(self) -> None:
        """The exit must end a subscriber's agreement."""
        other = effective_exit(agreement(7, 1))
        with pytest.raises(ValidationError) as error:
            notified().close_by_exit(other, who=WHO, when=berlin(2027, 1, 15))
        assert [p.path for p in error.value.problems] == ["$.exit_procedure.agreement_id"]

    def test_a_subscription_closes_once(self) -> None:
        """A second closing of one subscription is refused."""
        procedure = notified().close_subscription(
            "csa-1", how="transferred", procedure_id="t-1", who=WHO, when=berlin(2027, 1, 2)
        )
        with pytest.raises(InvalidTransition) as error:
            procedure.close_subscription(
                "csa-1", how="terminated", procedure_id="e-1", who=WHO, when=berlin(2027, 1, 3)
            )
        assert "'csa-1' is closed already" in str(error.value)

    def test_bad_arguments_are_refused_at_their_paths(self) -> None:
        """The 'how' is one of two words; the ids must be ids."""
        with pytest.raises(ValidationError) as error:
            notified().close_subscription(
                "csa-1", how="cancelled", procedure_id="", who=WHO, when=berlin(2027, 1, 2)
            )
        assert [p.path for p in error.value.problems] == ["$.how", "$.procedure_id"]


class TestRetire:
    """The procedure, not the service model, refuses a retirement with a subscription open."""

    def test_refused_while_one_subscription_is_open_naming_it(self) -> None:
        """csa-3 still open on 2027-07-01: the retirement is refused and names it."""
        procedure = notified()
        for item in THREE[:2]:
            exit_ = effective_exit(item)
            procedure = procedure.close_by_exit(exit_, who=WHO, when=exit_.plan.effective_at)
        _, catalogue = announced()
        with pytest.raises(InvalidTransition) as error:
            retire_service(procedure, catalogue, who=WHO, when=berlin(2027, 7, 1))
        assert "subscriptions still open: csa-3" in str(error.value)
        assert procedure.state == "retiring"

    def test_refused_before_the_earliest_removal_date(self) -> None:
        """Everything done, but 2027-06-14 is before 2027-06-15: refused, naming the date."""
        procedure = notified()
        for item in THREE[:2]:
            exit_ = effective_exit(item)
            procedure = procedure.close_by_exit(exit_, who=WHO, when=exit_.plan.effective_at)
        procedure = procedure.close_subscription(
            "csa-3", how="transferred", procedure_id="t-3", who=WHO, when=berlin(2027, 4, 1)
        )
        procedure = procedure.record_release(who=WHO, when=berlin(2027, 6, 14, 1))
        procedure = procedure.update_records(
            catalogue=["catalogue:v42"],
            configuration=["ci:iaas-compute"],
            who=WHO,
            when=berlin(2027, 6, 14, 2),
        )
        _, catalogue = announced()
        with pytest.raises(InvalidTransition) as error:
            retire_service(procedure, catalogue, who=WHO, when=berlin(2027, 6, 14, 23))
        message = str(error.value)
        assert "the earliest removal date is 2027-06-15T00:00:00+02:00" in message
        assert "still open" not in message

    def test_refused_while_the_records_are_not_updated(self) -> None:
        """Closed, released, on the earliest date, but no records updated: refused, naming it."""
        procedure = all_closed().record_release(who=WHO, when=berlin(2027, 6, 15, 1))
        _, catalogue = announced()
        with pytest.raises(InvalidTransition) as error:
            retire_service(procedure, catalogue, who=WHO, when=berlin(2027, 6, 15, 3))
        message = str(error.value)
        assert "the records are not updated" in message
        assert "still open" not in message
        assert "not released" not in message
        assert "earliest removal date" not in message
        assert (procedure.state, procedure.is_retired) == ("retiring", False)

    def test_the_service_is_retired_and_leaves_the_catalogue(self) -> None:
        """On 2027-06-15 the procedure and the service retire together; its entry is gone."""
        _, catalogue = announced()
        when = berlin(2027, 6, 15, 3)
        procedure, updated = retire_service(ready(), catalogue, who=WHO, when=when)
        assert (procedure.state, procedure.is_retired) == ("retired", True)
        assert the_service(updated) == "retired"
        assert [e.id for e in updated.entries] == ["storage"]
        assert procedure.archive == (
            ArchivedRecord(what="billing records", basis="tax law: ten years"),
        )
        assert verify(procedure.lifecycle) is None

    def test_a_service_that_is_not_retiring_refuses_and_nothing_moves(self) -> None:
        """With the live catalogue the service's remove is refused: nothing is returned."""
        procedure = ready()
        with pytest.raises(InvalidTransition):
            retire_service(procedure, CATALOGUE, who=WHO, when=berlin(2027, 6, 15, 3))
        assert procedure.state == "retiring"

    def test_a_blocker_closed_by_transfer_lets_the_service_go(self) -> None:
        """A subscriber notice cannot end is closed by its transfer; then the latest end rules."""
        four = (*THREE, agreement(4, None))
        procedure = notified(four)
        assert procedure.plan.blockers == ("csa-4",)
        assert procedure.removal_date == berlin(2027, 6, 15)
        procedure = procedure.close_subscription(
            "csa-4", how="transferred", procedure_id="transfer-csa-4", who=WHO, when=AS_OF_AT
        )
        for item in THREE:
            exit_ = effective_exit(item)
            procedure = procedure.close_by_exit(exit_, who=WHO, when=exit_.plan.effective_at)
        procedure = procedure.record_release(who=WHO, when=berlin(2027, 6, 15, 1))
        procedure = procedure.update_records(
            catalogue=["c"], configuration=["k"], who=WHO, when=berlin(2027, 6, 15, 1)
        )
        _, catalogue = announced(four)
        retired, _ = retire_service(procedure, catalogue, who=WHO, when=berlin(2027, 6, 15, 2))
        assert retired.closed["csa-4"] == ("transferred", "transfer-csa-4")


class TestReleaseAndRecords:
    """Resources go once every subscription is closed; records once resources are gone."""

    def test_release_refused_while_a_subscription_is_open(self) -> None:
        """The release names the open subscriptions."""
        with pytest.raises(InvalidTransition) as error:
            notified().record_release(who=WHO, when=berlin(2027, 1, 1))
        assert "still open: csa-1, csa-2, csa-3" in str(error.value)

    def test_records_refused_before_the_release(self) -> None:
        """update_records waits for the release."""
        with pytest.raises(InvalidTransition) as error:
            all_closed().update_records(
                catalogue=["c"], configuration=["k"], who=WHO, when=berlin(2027, 7, 1)
            )
        assert "once the service's resources are released" in str(error.value)

    def test_malformed_records_are_refused_at_their_paths(self) -> None:
        """Empty references and an archive item of the wrong type are named."""
        procedure = all_closed().record_release(who=WHO, when=berlin(2027, 6, 15))
        with pytest.raises(ValidationError) as error:
            procedure.update_records(
                catalogue=[],
                configuration=[""],
                archive=["billing"],  # type: ignore[list-item]
                who=WHO,
                when=berlin(2027, 7, 1),
            )
        assert [p.path for p in error.value.problems] == [
            "$.catalogue",
            "$.configuration[0]",
            "$.archive[0]",
        ]

    def test_raw_data_the_guard_refuses(self) -> None:
        """An archive item without a basis, sent raw, is refused by the guard."""
        procedure = all_closed().record_release(who=WHO, when=berlin(2027, 6, 15))
        data = {"catalogue": ["c"], "configuration": ["k"], "archive": [{"what": "logs"}]}
        with pytest.raises(InvalidTransition) as error:
            procedure.apply("update_records", who=WHO, when=berlin(2027, 7, 1), data=data)
        assert "archive[0] must say what is kept and its basis" in str(error.value)

    def test_released_once(self) -> None:
        """A second release is refused."""
        procedure = all_closed().record_release(who=WHO, when=berlin(2027, 6, 15))
        with pytest.raises(InvalidTransition):
            procedure.record_release(who=WHO, when=berlin(2027, 6, 16))


class TestDocument:
    """The procedure round-trips through JSON and its trail is checked when read."""

    @pytest.mark.parametrize("stage", [notified, all_closed, ready])
    def test_round_trips_at_every_stage(self, stage: Any) -> None:
        """to_json then from_json gives the same procedure."""
        procedure = stage()
        assert from_json(RemovalProcedure, to_json(procedure)) == procedure

    def test_a_retired_procedure_round_trips(self) -> None:
        """The whole trail, to the retirement, reads back."""
        _, catalogue = announced()
        retired, _ = retire_service(ready(), catalogue, who=WHO, when=berlin(2027, 6, 15, 3))
        assert from_json(RemovalProcedure, to_json(retired)) == retired

    def test_an_edited_trail_is_refused(self) -> None:
        """Removing a close_subscription entry breaks the replay: csa-1 is no longer closed."""
        data = json.loads(to_json(ready()))
        history = data["lifecycle"]["history"]
        data["lifecycle"]["history"] = [e for e in history if e["event"] != "close_subscription"]
        with pytest.raises(ValidationError):
            from_json(RemovalProcedure, json.dumps(data))

    def test_the_lifecycle_is_drawn(self) -> None:
        """The diagram names every event."""
        drawn = REMOVAL_LIFECYCLE.to_mermaid()
        for event in REMOVAL_LIFECYCLE.events:
            assert event in drawn


class TestReleaseServiceResources:
    """release_service_resources releases what is still held for the service, then records it."""

    POOL = ResourcePool(
        id="fra-1",
        name="Frankfurt 1",
        location="eu-central",
        capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("512 vcpu"))],
    )

    def holdings(self) -> tuple[Allocation, ...]:
        """cust-3's machine still running on the service, and a storage holding left alone."""
        since = berlin(2026, 5, 1)
        return (
            Allocation(
                "cust-3",
                "csa-3",
                SERVICE,
                "vcpu",
                quantity("8 vcpu"),
                since,
                resource_id="vm-1",
                location="eu-central",
            ),
            Allocation(
                "cust-3",
                "csa-3",
                "iaas-storage",
                "vcpu",
                quantity("2 vcpu"),
                since,
                resource_id="vm-2",
                location="eu-central",
            ),
        )

    def test_the_service_holdings_are_released_and_recorded(self) -> None:
        """The compute holding ends at the release; the storage holding is untouched."""
        when = berlin(2027, 6, 15, 1)
        done = release_service_resources(
            all_closed(), THREE, self.POOL, self.holdings(), {}, who=WHO, when=when
        )
        assert done.procedure.resources_released
        assert [c.request.id for c in done.changes] == ["removal-iaas-compute.rel1"]
        compute, storage = sorted(done.allocations, key=lambda a: a.service)
        assert compute.until == when
        assert storage.until is None
        entry = done.procedure.lifecycle.entries[-1]
        assert (entry.event, entry.data) == (
            "release_resources",
            {"requests": ["removal-iaas-compute.rel1"], "remaining": 0},
        )

    def test_refused_while_a_subscription_is_open_and_nothing_is_released(self) -> None:
        """With subscriptions open the release is refused before anything is carried out."""
        with pytest.raises(InvalidTransition) as error:
            release_service_resources(
                notified(), THREE, self.POOL, self.holdings(), {}, who=WHO, when=AS_OF_AT
            )
        assert "still open" in str(error.value)

    def test_a_holding_whose_agreement_is_not_given_is_refused(self) -> None:
        """The terms of each holding's agreement are needed to carry the release out."""
        with pytest.raises(ValidationError) as error:
            release_service_resources(
                all_closed(),
                THREE[:2],
                [self.POOL],
                self.holdings(),
                {},
                who=WHO,
                when=berlin(2027, 6, 15, 1),
            )
        assert [p.path for p in error.value.problems] == ["$.allocations[0].agreement"]

    def test_wrong_types_are_refused_at_their_paths(self) -> None:
        """Every argument is checked before anything happens."""
        with pytest.raises(ValidationError) as error:
            release_service_resources(
                all_closed(),
                ["csa-1"],
                "pool",
                [1],
                [],  # type: ignore[arg-type]
                who=WHO,
                when=berlin(2027, 6, 15, 1),
            )
        assert [p.path for p in error.value.problems] == [
            "$.agreements[0]",
            "$.pools",
            "$.allocations[0]",
            "$.records",
        ]


def accepted_transfer(agreement: CloudServiceAgreement) -> TransferProcedure:
    """``agreement``'s service moved to Stratus Cloud, accepted on 2027-01-20 at 09:00."""
    transfer = TransferProcedure.initiate(
        agreement,
        receiver="Stratus Cloud",
        receiver_kind=ReceiverKind.PROVIDER,
        who=WHO,
        when=berlin(2027, 1, 4, 9),
    )
    for hour, category in enumerate(DataCategory, start=10):
        data = f"{category.value} of {agreement.customer_id}".encode()
        export = DataExport.of(
            category, data, format="CSV", location=f"s3://x/{hour}", at=berlin(2027, 1, 5, hour)
        )
        transfer = transfer.record_export(export, who=WHO)
    transfer = transfer.finish_export(who=WHO, when=berlin(2027, 1, 5, 17))
    plan = TransitionPlan(
        cut_over_start=berlin(2027, 1, 18, 22),
        cut_over_end=berlin(2027, 1, 19, 4),
        parallel_run_until=None,
        rollback="Point DNS back",
    )
    transfer = transfer.plan_transition(plan, who=WHO, when=berlin(2027, 1, 6, 9))
    transfer = transfer.cut_over(who=WHO, when=berlin(2027, 1, 18, 23))
    checksums = {c: e.sha256 for c, e in transfer.exports.items()}
    return transfer.accept(checksums, who=WHO, when=berlin(2027, 1, 20, 9))


def transferred(agreement: CloudServiceAgreement) -> tuple[TransferProcedure, ExitProcedure]:
    """The accepted transfer with its source's exit started on 2027-01-21 (not yet effective)."""
    return accepted_transfer(agreement).start_exit(agreement, notice=dt.date(2027, 1, 21), who=WHO)


class TestCloseByTransfer:
    """A subscription closes through a transfer once the exit it started has taken effect."""

    def test_a_transfer_whose_exit_took_effect_closes_it(self) -> None:
        """csa-3 moved to another provider: closed as transferred when the source ended."""
        transfer, exit_ = transferred(THREE[2])
        effective = exit_.plan.effective_at
        exit_ = exit_.take_effect(who=WHO, when=effective)
        closed = notified().close_by_transfer(transfer, exit_, who=WHO, when=effective)
        assert closed.closed == {"csa-3": ("transferred", "transfer-csa-3")}

    def test_an_accepted_transfer_is_refused_since_it_can_still_be_cancelled(self) -> None:
        """Accepted, its exit not started: the transfer may still be called off."""
        transfer = accepted_transfer(THREE[2])
        _, exit_ = transferred(THREE[2])
        exit_ = exit_.take_effect(who=WHO, when=exit_.plan.effective_at)
        cancelled = transfer.cancel("kept after all", who=WHO, when=berlin(2027, 1, 20, 10))
        for unstarted in (transfer, cancelled):
            with pytest.raises(ValidationError) as error:
                notified().close_by_transfer(unstarted, exit_, who=WHO, when=berlin(2027, 9, 1))
            assert [p.path for p in error.value.problems] == ["$.transfer.state"]
            assert error.value.problems[0].got == repr(unstarted.state)

    def test_the_exit_must_have_taken_effect_before_when(self) -> None:
        """Until the source agreement's exit takes effect it still runs: not closed yet."""
        transfer, exit_ = transferred(THREE[2])
        with pytest.raises(ValidationError) as error:
            notified().close_by_transfer(transfer, exit_, who=WHO, when=berlin(2027, 9, 1))
        assert error.value.problems == (
            Problem(
                "$.exit_procedure.state",
                "an exit whose termination has taken effect (retrieval or later)",
                "'notice_period'",
            ),
        )
        effective = exit_.plan.effective_at
        exit_ = exit_.take_effect(who=WHO, when=effective)
        with pytest.raises(ValidationError) as error:
            notified().close_by_transfer(
                transfer, exit_, who=WHO, when=effective - dt.timedelta(days=1)
            )
        assert [p.path for p in error.value.problems] == ["$.when"]
        assert effective.isoformat() in error.value.problems[0].expected

    def test_the_exit_must_be_the_one_the_transfer_started(self) -> None:
        """Another exit of the same agreement is not the transfer's."""
        transfer, _ = transferred(THREE[2])
        other = ExitProcedure.initiate(
            THREE[2], notice=AS_OF, by="provider", reason="service retirement", who=WHO,
            id="exit-csa-3-other",
        )  # fmt: skip
        other = other.take_effect(who=WHO, when=other.plan.effective_at)
        with pytest.raises(ValidationError) as error:
            notified().close_by_transfer(transfer, other, who=WHO, when=berlin(2027, 9, 1))
        assert [p.path for p in error.value.problems] == ["$.exit_procedure.id"]

    def test_a_transfer_of_another_agreement_or_type_is_refused(self) -> None:
        """The transfer must be one of a subscriber's agreement."""
        other, exit_ = transferred(agreement(8, 1))
        with pytest.raises(ValidationError) as error:
            notified().close_by_transfer(other, exit_, who=WHO, when=berlin(2027, 9, 1))
        assert [p.path for p in error.value.problems] == ["$.transfer.agreement_id"]
        with pytest.raises(ValidationError) as error:
            notified().close_by_transfer("t", "e", who=WHO, when=berlin(2027, 1, 20))  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.transfer", "$.exit_procedure"]


class TestCloseByExpiry:
    """A subscription whose agreement simply runs out is closed as ``expired``."""

    def expiring(self) -> tuple[RemovalProcedure, CloudServiceAgreement]:
        """csa-5 (no retirement by notice) ends on 2027-02-01, before csa-1..3's notices."""
        ending = attrs.evolve(agreement(5, None), end=berlin(2027, 2, 1))
        procedure = notified((*THREE, ending))
        assert procedure.plan.subscriber("csa-5").ends_by.value == "agreement end"  # type: ignore[union-attr]
        return procedure, ending

    def test_at_its_end_it_closes_naming_no_procedure(self) -> None:
        """On 2027-02-01 csa-5 is closed as expired."""
        procedure, ending = self.expiring()
        closed = procedure.close_by_expiry(ending, who=WHO, when=berlin(2027, 2, 1))
        assert closed.closed == {"csa-5": ("expired", None)}
        assert closed.open_subscriptions == ("csa-1", "csa-2", "csa-3")
        assert from_json(RemovalProcedure, to_json(closed)) == closed

    def test_not_before_its_end(self) -> None:
        """A day early is refused, by the method and by the guard on raw data."""
        procedure, ending = self.expiring()
        with pytest.raises(ValidationError) as error:
            procedure.close_by_expiry(ending, who=WHO, when=berlin(2027, 1, 31))
        assert [p.path for p in error.value.problems] == ["$.when"]
        data = {"agreement_id": "csa-5", "how": "expired", "procedure_id": None}
        refused = procedure.refusal(
            "close_subscription", who=WHO, when=berlin(2027, 1, 31), data=data
        )
        assert refused is not None
        assert "expires at its agreement's end" in refused

    def test_a_subscriber_ended_by_notice_does_not_expire(self) -> None:
        """csa-1 ends by notice: it is closed through its exit, not as expired."""
        procedure, _ = self.expiring()
        with_end = attrs.evolve(THREE[0], end=berlin(2027, 12, 1))
        with pytest.raises(InvalidTransition) as refused:
            procedure.close_by_expiry(with_end, who=WHO, when=berlin(2027, 12, 1))
        assert "does not end at its agreement's end in the plan" in str(refused.value)
        with pytest.raises(ValidationError) as error:
            procedure.close_by_expiry(THREE[0], who=WHO, when=berlin(2027, 12, 1))
        assert [p.path for p in error.value.problems] == ["$.agreement.end"]

    def test_an_end_moved_later_by_an_amendment_is_waited_for(self) -> None:
        """The agreement as given now ends on 2027-03-01: not expired on 2027-02-01."""
        procedure, ending = self.expiring()
        extended = attrs.evolve(ending, end=berlin(2027, 3, 1))
        with pytest.raises(ValidationError) as error:
            procedure.close_by_expiry(extended, who=WHO, when=berlin(2027, 2, 1))
        assert [p.path for p in error.value.problems] == ["$.when"]

    def test_a_non_agreement_or_stranger_is_refused(self) -> None:
        """The agreement must be a subscriber's."""
        procedure, _ = self.expiring()
        with pytest.raises(ValidationError) as error:
            procedure.close_by_expiry("csa-5", who=WHO, when=berlin(2027, 2, 1))  # type: ignore[arg-type]
        assert [p.path for p in error.value.problems] == ["$.agreement"]
        stranger = attrs.evolve(agreement(9, None), end=berlin(2027, 2, 1))
        with pytest.raises(ValidationError) as error:
            procedure.close_by_expiry(stranger, who=WHO, when=berlin(2027, 2, 1))
        assert [p.path for p in error.value.problems] == ["$.agreement.id"]


class TestKeyedTrail:
    """A removal on an HMAC-keyed trail runs the same way, every step with the key."""

    KEY = b"0123456789abcdef0123456789abcdef"

    def test_each_step_takes_the_key_and_the_guards_still_count(self) -> None:
        """Notified once, closed after the notice; the keyed chain verifies with its key."""
        procedure = RemovalProcedure.initiate(CATALOGUE, SERVICE, THREE, as_of=AS_OF, keyed=True)
        procedure, _ = announce_removal(
            procedure, CATALOGUE, who=WHO, when=berlin(2026, 12, 14), key=self.KEY
        )
        procedure = procedure.notify("csa-1", who=WHO, when=berlin(2026, 12, 15), key=self.KEY)
        with pytest.raises(InvalidTransition) as error:
            procedure.notify("csa-1", who=WHO, when=berlin(2026, 12, 16), key=self.KEY)
        assert "notified already" in str(error.value)
        procedure = procedure.close_subscription(
            "csa-1", how="transferred", procedure_id="t-1", who=WHO,
            when=berlin(2026, 12, 20), key=self.KEY,
        )  # fmt: skip
        assert procedure.open_subscriptions == ("csa-2", "csa-3")
        assert verify(procedure.lifecycle, key=self.KEY) is None
