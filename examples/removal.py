"""A service leaves the catalogue: from the removal plan to the retired service (S15).

Run it with ``python examples/removal.py`` from the repository's root. ACME Cloud
retires its compute service (``iaas-compute``, the catalogue entry ``compute`` of
``examples/data/resources/catalogue.json``). Three customers subscribe to it, each
under a copy of ``examples/data/resources/agreement.json`` that lets the provider end
it for a service retirement, with one, three and six months' notice. The program

1. plans the removal with the notices going out on 15 December 2026
   (`cloudsms.procedures.removal.plan_removal`, printed as ``cloudsms removal plan``
   prints it): the subscriptions end on 15 January, 15 March and 15 June 2027, so
   the service may go on 15 June 2027 at the earliest;
2. announces the removal on 14 December (`announce_removal`): the service goes from
   live to retiring in the catalogue, and `check_agreement` now refuses a new
   agreement for it; then sends the three notices and records them;
3. closes each subscription through its own procedure: the first and second
   through exit procedures the provider starts for the retirement (closed once
   their terminations take effect, on 15 January and 15 March); the third customer
   moves its service to another provider instead: the receiver accepts on 20
   January and the transfer starts the source's exit (the customer's six months'
   notice), so the source agreement runs until 20 July 2027; in between, on
   1 February, an attempt to retire the service is REFUSED, naming the
   subscriptions still open, the earliest removal date and what else is missing;
4. tries to retire the service on 15 June 2027, the plan's earliest removal date:
   REFUSED, since the third subscription is still open (a transfer closes it only
   once the exit it started has taken effect: until then the transfer could still
   be called off and the source agreement still runs);
5. on 20 July 2027 the source's exit takes effect and the transfer closes the third
   subscription (`close_by_transfer`, with that exit); then the program releases
   what is still held for the service (the third customer's virtual machine,
   through `release_service_resources`), updates the catalogue and configuration
   records, says what is archived with its basis, and retires the service
   (`retire_service`): it is retired in the catalogue's graph and its entry leaves
   the catalogue;
6. saves the procedure as JSON, reads it back (every entry replayed through the
   guards) and verifies its trail.

Designed by cloudsms: the TR's guidance for S15 is not in our source. Serves S15 on the
termination terms of S07, with the exit procedure of S13, the transfer of S14 and the
resources of S11.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms.agreements import (
    CloudServiceAgreement,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    check_agreement,
)
from cloudsms.catalogue import Catalogue
from cloudsms.errors import InvalidTransition
from cloudsms.lifecycle import verify
from cloudsms.procedures.removal import (
    ArchivedRecord,
    RemovalProcedure,
    announce_removal,
    plan_removal,
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
from cloudsms.reports.removal import removal_plan_table
from cloudsms.resources import Allocation, PoolCapacity, ResourcePool
from cloudsms.serialization import from_json, to_json
from cloudsms.units import quantity

DATA = Path(__file__).resolve().parent / "data" / "resources"
BERLIN = ZoneInfo("Europe/Berlin")
SERVICE = "iaas-compute"
AS_OF = dt.date(2026, 12, 15)
OPS = "actor:acme-catalogue"
RECEIVER = "actor:stratus-intake"
POOL = ResourcePool(
    id="fra-1",
    name="Frankfurt 1",
    location="eu-central",
    capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("512 vcpu"))],
)


def at(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """A wall time in Europe/Berlin."""
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def load() -> tuple[Catalogue, CloudServiceAgreement]:
    """The example catalogue and agreement."""
    catalogue = from_json(Catalogue, (DATA / "catalogue.json").read_text(encoding="utf-8"))
    agreement = from_json(
        CloudServiceAgreement, (DATA / "agreement.json").read_text(encoding="utf-8")
    )
    return catalogue, agreement


def subscriber(base: CloudServiceAgreement, number: int, months: int) -> CloudServiceAgreement:
    """Agreement ``csa-<number>`` of customer ``customer-<number>``: ``months`` of notice."""
    terms = TerminationTerms(
        terminable_by=TerminatingParty.EITHER,
        provider_reasons={TerminationReason.MISUSE, TerminationReason.SERVICE_RETIREMENT},
        notice_period=relativedelta(months=months),
        minimum_term=relativedelta(years=1),
    )
    return attrs.evolve(
        base, id=f"csa-{number}", customer_id=f"customer-{number}", termination=terms
    )


def refused(what: str, error: InvalidTransition) -> None:
    """Print a refused step with the reason the guard gave."""
    print(f"REFUSED {what}: {error.reason or error}")


def retirement_exit(agreement: CloudServiceAgreement) -> ExitProcedure:
    """The provider's exit from ``agreement`` for the retirement, up to its effect."""
    leaving = ExitProcedure.initiate(
        agreement,
        notice=AS_OF,
        by="provider",
        reason=TerminationReason.SERVICE_RETIREMENT,
        who=OPS,
    )
    return leaving.take_effect(who=OPS, when=leaving.plan.effective_at)


def transferred(agreement: CloudServiceAgreement) -> TransferProcedure:
    """The customer's service moved to Stratus Cloud in January, accepted on 20 January."""
    transfer = TransferProcedure.initiate(
        agreement,
        receiver="Stratus Cloud",
        receiver_kind=ReceiverKind.PROVIDER,
        who=OPS,
        when=at(2027, 1, 4, 9),
    )
    for hour, category in enumerate(DataCategory, start=10):
        data = f"{category.value} of {agreement.customer_id}".encode()
        place = f"s3://{agreement.customer_id}-export/{category.value.replace(' ', '-')}.csv"
        export = DataExport.of(
            category, data, format="CSV", location=place, at=at(2027, 1, 5, hour)
        )
        transfer = transfer.record_export(export, who=OPS)
    transfer = transfer.finish_export(who=OPS, when=at(2027, 1, 5, 17))
    plan = TransitionPlan(
        cut_over_start=at(2027, 1, 18, 22),
        cut_over_end=at(2027, 1, 19, 4),
        parallel_run_until=None,
        rollback="Point DNS back to ACME Cloud; the source runs until its exit",
    )
    transfer = transfer.plan_transition(plan, who=OPS, when=at(2027, 1, 6, 9))
    transfer = transfer.cut_over(who=OPS, when=at(2027, 1, 18, 23))
    checksums = {category: export.sha256 for category, export in transfer.exports.items()}
    return transfer.accept(checksums, who=RECEIVER, when=at(2027, 1, 20, 9))


def run() -> RemovalProcedure:
    """The whole removal, printing each step; the retired procedure."""
    catalogue, base = load()
    agreements = [subscriber(base, 1, 1), subscriber(base, 2, 3), subscriber(base, 3, 6)]
    plan = plan_removal(catalogue, SERVICE, agreements, as_of=AS_OF)
    print(removal_plan_table(plan))
    print()

    procedure = RemovalProcedure.initiate(catalogue, SERVICE, agreements, as_of=AS_OF)
    procedure, catalogue = announce_removal(
        procedure, catalogue, who=OPS, when=at(2026, 12, 14, 9)
    )
    state = catalogue.graph.service(SERVICE).lifecycle_state
    print(f"announced: the service is {state}; a new agreement for it is refused:")
    newcomer = subscriber(base, 4, 1)
    for problem in check_agreement(newcomer, catalogue):
        print(f"  {problem}")
    for notice in plan.notices("acme-cloud"):
        assert notice.payload is not None  # noqa: S101 - every removal notice has one
        customer = ", ".join(sorted(notice.sent_to))
        print(
            f"notice to {customer} sent {notice.sent_at.date()}: the subscription ends"
            f" {notice.payload.data['removal_date']}"
        )
        procedure = procedure.notify(
            notice.payload.data["agreement_id"], who=OPS, when=notice.sent_at
        )

    first = retirement_exit(agreements[0])
    procedure = procedure.close_by_exit(first, who=OPS, when=first.plan.effective_at)
    print(f"closed csa-1: exit {first.id} took effect {first.plan.effective_at}")
    transfer = transferred(agreements[2])
    transfer, source_exit = transfer.start_exit(agreements[2], notice=at(2027, 1, 20, 12), who=OPS)
    print(
        f"csa-3: transfer {transfer.id} accepted by the receiver;"
        f" the source's exit {source_exit.id} takes effect {source_exit.plan.effective_at}"
    )
    try:
        retire_service(procedure, catalogue, who=OPS, when=at(2027, 2, 1, 9))
    except InvalidTransition as error:
        refused("retiring the service on 1 February 2027", error)
    second = retirement_exit(agreements[1])
    procedure = procedure.close_by_exit(second, who=OPS, when=second.plan.effective_at)
    print(f"closed csa-2: exit {second.id} took effect {second.plan.effective_at}")

    try:
        retire_service(procedure, catalogue, who=OPS, when=at(2027, 6, 15, 9))
    except InvalidTransition as error:
        refused("retiring the service on 15 June 2027", error)
    ended = source_exit.plan.effective_at
    source_exit = source_exit.take_effect(who=OPS, when=ended)
    procedure = procedure.close_by_transfer(transfer, source_exit, who=OPS, when=ended)
    print(f"closed csa-3: transfer {transfer.id}, its source's exit took effect {ended}")

    machine = Allocation(
        "customer-3", "csa-3", SERVICE, "vcpu", quantity("8 vcpu"), at(2026, 5, 1),
        resource_id="vm-customer-3", location="eu-central",
    )  # fmt: skip
    released = release_service_resources(
        procedure, agreements, POOL, [machine], {}, who=OPS, when=at(2027, 7, 20, 13)
    )
    procedure = released.procedure
    for change in released.changes:
        print(f"released {change.request.resource_id} ({change.request.id})")
    procedure = procedure.update_records(
        catalogue=["catalogue v2027.07: entry 'compute' withdrawn"],
        configuration=["cmdb: iaas-compute and its components retired"],
        archive=[
            ArchivedRecord(
                what="billing records of iaas-compute",
                basis="Tax law: booking records are kept for ten years",
            )
        ],
        who=OPS,
        when=at(2027, 7, 20, 14),
    )
    procedure, catalogue = retire_service(procedure, catalogue, who=OPS, when=at(2027, 7, 20, 15))
    state = catalogue.graph.service(SERVICE).lifecycle_state
    entries = ", ".join(e.id for e in catalogue.entries)
    print(f"{procedure.state}: the service is {state}; the catalogue offers {entries}")
    for kept in procedure.archive:
        print(f"archived: {kept.what} ({kept.basis})")
    return procedure


def main() -> None:
    """Walk the removal, then save, read back and verify its trail."""
    procedure = run()
    again = from_json(RemovalProcedure, to_json(procedure))
    print(
        f"read back from JSON: {again == procedure};"
        f" {len(again.lifecycle.entries)} entries; verify: {verify(again.lifecycle)}"
    )


if __name__ == "__main__":
    main()
    sys.exit(0)
