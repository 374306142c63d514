"""A customer leaves: from its notice of termination to the written confirmation (S13).

Run it with ``python examples/exit_procedure.py`` from the repository's root (add
``--json`` to print the written confirmation's JSON document alone). Globex ends its
agreement with Nimbus Cloud (Europe/Berlin, from 15 March 2026: a month's notice, a
12-month minimum term whose early end costs the remaining monthly charges, 30 days to
take the data back, 90 days kept, the backup kept to the end of those 90 days) with a
notice given on 15 August 2026. The program

1. prints the exit plan (`cloudsms.procedures.termination.plan_exit`, as ``cloudsms
   exit plan`` prints it): effective on 15 September 2026, inside the minimum term
   that ends on 15 March 2027, so the six whole months left of EUR 150.00 each are
   owed: EUR 900.00;
2. runs the `ExitProcedure`: the termination takes effect, the customer exports its
   data as CSV and Parquet, and an attempt to delete the customer's data while the
   retrieval window is open is REFUSED (nothing changes);
3. the customer confirms it no longer needs the data; `release_resources` releases
   its three virtual machines in two pools (Frankfurt and Berlin) as resource
   requests carried out as standard changes, after which October's cost profile of
   the agreement from the release on is zero (until the release the holdings are
   charged as before: the exit does not end the charges, the release does);
4. the provider deletes four categories of data on 13 October; deleting the backups
   then is REFUSED (the terms keep them until the retention window ends on 14
   December 2026); the logs are kept under a legal hold (its basis and review date
   recorded); the backups are deleted on 14 December, the records updated and the written
   confirmation issued, printed as Markdown
   (`cloudsms.reports.termination.confirmation_markdown`, its JSON saved beside it)
   and checked against the trail (`ExitConfirmation.problems`);
5. saves the closed procedure and checks the saved confirmation against it, as an
   auditor would with ``cloudsms exit confirmation exit.json --check
   confirmation.json`` (run here in-process): it matches;
6. tampers with the saved procedure (one deletion moved a week earlier in its JSON):
   reading it back is refused, and ``cloudsms audit verify`` (run here in-process, as
   ``cloudsms audit verify exit.json`` would from a shell) names the entry whose hash no
   longer follows and exits 1.

Serves S13 (terminate a cloud service contract: the agreement's terms, the exit
steps in their only possible order, the written confirmation) on the terms of S07
and the resources of S11; ISO/IEC 20000-1:2011 4.3, 4.4, 5, 6.1, 6.4, 6.6, 7.1, 9.1
and 9.2.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from dateutil.relativedelta import relativedelta

from cloudsms.agreements import (
    Activity,
    BackupRetention,
    CloudServiceAgreement,
    EarlyTerminationCharge,
    ExitTerms,
    Priority,
    PriorityScale,
    RecurringCharge,
    Responsibilities,
    Responsibility,
    ServiceLevelAgreement,
    ServiceTarget,
    Subscription,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
)
from cloudsms.cli import main as cli
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.lifecycle import verify
from cloudsms.money import Money, Price
from cloudsms.periods import Period, SupportHours, timezone
from cloudsms.procedures.termination import (
    DataCategory,
    ExitConfirmation,
    ExitProcedure,
    plan_exit,
    release_resources,
)
from cloudsms.reports.termination import confirmation_markdown, exit_plan_table
from cloudsms.resources import Allocation, CostProfile, PoolCapacity, ResourcePool
from cloudsms.resources.pricing import Rate, RateCard
from cloudsms.serialization import from_json, to_json
from cloudsms.units import quantity

BERLIN = timezone("Europe/Berlin")
CUSTOMER = "actor:globex-it"
OPS = "actor:nimbus-ops"
HOLD_BASIS = "Tax law: booking records of the service are kept for ten years"


def at(text: str) -> dt.datetime:
    """An instant written with its offset, in Berlin's zone."""
    return dt.datetime.fromisoformat(text).astimezone(BERLIN)


def agreement() -> CloudServiceAgreement:
    """Globex's agreement with Nimbus Cloud: compute at EUR 100.00 and storage at 50.00 a month."""
    uptime = ServiceTarget(
        id="uptime",
        level=ServiceLevel(
            measure="availability", bound=Bound.AT_LEAST, target=quantity("99.9 %")
        ),
    )
    services = ("compute", "storage")
    return CloudServiceAgreement(
        id="csa-2026-017",
        provider="Nimbus Cloud",
        customer_id="globex",
        effective_from=dt.datetime(2026, 3, 15, tzinfo=BERLIN),
        subscriptions=[
            Subscription(entry_id=f"{s}-entry", offering_id="standard", service_id=s)
            for s in services
        ],
        slas=[ServiceLevelAgreement(id="sla", service_ids=set(services), targets=[uptime])],
        recurring_charges=[
            RecurringCharge(
                service_id=s, amount=Money(amount, "EUR"), period=relativedelta(months=1)
            )
            for s, amount in zip(services, ("100.00", "50.00"), strict=True)
        ],
        responsibilities=Responsibilities(
            assignments=[Responsibility(activity=a, holders={"provider"}) for a in Activity]
        ),
        data_locations={"DE"},
        resource_locations={"DE"},
        monitoring_retention=relativedelta(months=13),
        record_keeping=relativedelta(years=6),
        timezone="Europe/Berlin",
        support_hours=SupportHours.weekdays("08:00", "18:00", "Europe/Berlin"),
        customer_wait_pauses_clocks=True,
        priorities=PriorityScale(
            priorities=[Priority(id="P1", name="Critical", description="Down")]
        ),
        termination=TerminationTerms(
            terminable_by=TerminatingParty.EITHER,
            provider_reasons={TerminationReason.MISUSE, TerminationReason.NON_PAYMENT},
            notice_period=relativedelta(months=1),
            minimum_term=relativedelta(months=12),
            early_termination_charge=EarlyTerminationCharge.remaining_charges(),
            withdrawable=True,
        ),
        exit=ExitTerms(
            retrieval_window=relativedelta(days=30),
            export_formats=("CSV", "Parquet"),
            retention_window=relativedelta(days=90),
            backup_retention=BackupRetention.UNTIL_RETENTION_ENDS,
        ),
    )


POOLS = (
    ResourcePool(
        id="fra-1",
        name="Frankfurt 1",
        location="eu-central",
        capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("512 vcpu"))],
    ),
    ResourcePool(
        id="ber-1",
        name="Berlin 1",
        location="eu-east",
        capacities=[PoolCapacity(resource_type="vcpu", capacity=quantity("256 vcpu"))],
    ),
)
RATES = RateCard("EUR", [Rate("vcpu", price=Price(Money("0.042", "EUR"), "vcpu*hour"))])


def holdings(terms: CloudServiceAgreement) -> list[Allocation]:
    """Globex's three virtual machines in the two pools, and another customer's beside them."""

    def held(customer: str, agreement_id: str, amount: str, where: str, vm: str) -> Allocation:
        since = at("2026-03-15T00:00:00+01:00")
        return Allocation(
            customer,
            agreement_id,
            "compute",
            "vcpu",
            quantity(amount),
            since,
            None,
            resource_id=vm,
            location=where,
        )

    return [
        held("globex", terms.id, "8 vcpu", "eu-central", "vm-web-1"),
        held("globex", terms.id, "4 vcpu", "eu-central", "vm-db-1"),
        held("globex", terms.id, "4 vcpu", "eu-east", "vm-batch-1"),
        held("initech", "csa-2026-020", "16 vcpu", "eu-central", "vm-initech-1"),
    ]


def refused(what: str, error: InvalidTransition) -> None:
    """Print a refused step with the reason the guard gave."""
    print(f"REFUSED {what}: {error.reason or error}")


def run() -> tuple[ExitProcedure, ExitConfirmation]:
    """The whole exit, printing each step; the closed procedure and its confirmation."""
    terms = agreement()
    plan = plan_exit(terms, notice=dt.date(2026, 8, 15), by="customer")
    print(exit_plan_table(plan))
    print()

    procedure = ExitProcedure.initiate(terms, notice=dt.date(2026, 8, 15), who=CUSTOMER)
    procedure = procedure.take_effect(who=OPS, when=plan.effective_at)
    procedure = procedure.record_retrieval("CSV", who=CUSTOMER, when=at("2026-09-20T10:00+02:00"))
    try:
        procedure.delete(DataCategory.CUSTOMER_DATA, who=OPS, when=at("2026-09-21T09:00+02:00"))
    except InvalidTransition as error:
        refused("deleting the customer data during the retrieval window", error)
    procedure = procedure.record_retrieval(
        "Parquet", who=CUSTOMER, when=at("2026-10-01T14:30+02:00")
    )
    procedure = procedure.confirm_not_needed(who=CUSTOMER, when=at("2026-10-09T16:00+02:00"))
    print(f"{procedure.state}: the customer confirmed it no longer needs its data")

    allocations = holdings(terms)
    released = release_resources(
        procedure, terms, POOLS, allocations, {}, who=OPS, when=at("2026-10-12T08:00+02:00")
    )
    procedure = released.procedure
    for change in released.changes:
        request = change.request
        print(f"released {request.resource_id} ({request.id}) under change {change.change.id}")
    october = Period(at("2026-10-12T08:00+02:00"), at("2026-11-01T00:00+01:00"))
    profile = CostProfile.build(terms, released.allocations, [], october, rates=RATES)
    print(f"cost of the agreement from the release to the end of October: {profile.total}")
    # The exit gives the agreement no end: charges run until the release, not the effect.
    running = Period(plan.effective_at, at("2026-10-12T08:00+02:00"))
    before = CostProfile.build(terms, allocations, [], running, rates=RATES)
    print(f"cost from the effective date to the release (still charged): {before.total}")

    when = at("2026-10-13T09:00+02:00")
    for category in (
        DataCategory.CUSTOMER_DATA,
        DataCategory.DERIVED_DATA,
        DataCategory.MONITORING_DATA,
        DataCategory.CONFIGURATION_DATA,
    ):
        procedure = procedure.delete(category, "crypto-shred", who=OPS, when=when)
    try:
        procedure.delete(DataCategory.BACKUPS, "crypto-shred", who=OPS, when=when)
    except InvalidTransition as error:
        refused("deleting the backups on 13 October", error)
    procedure = procedure.hold(
        DataCategory.LOGS, basis=HOLD_BASIS, review_on=dt.date(2027, 10, 13), who=OPS, when=when
    )
    procedure = procedure.delete(
        DataCategory.BACKUPS, "crypto-shred", who=OPS, when=plan.retention_ends
    )
    procedure = procedure.update_records(
        configuration=["cmdb: globex environment retired"],
        capacity=["capacity plan fra-1 and ber-1, December 2026"],
        financial=["final invoice INV-2026-1214 with the early-termination charge"],
        who=OPS,
        when=at("2026-12-15T10:00+01:00"),
    )
    procedure, confirmation = procedure.issue_confirmation(
        who=OPS, when=at("2026-12-15T11:00+01:00")
    )
    print(f"{procedure.state}: {len(procedure.lifecycle.entries)} entries in the trail")
    print(
        f"the confirmation checks out against the trail: {confirmation.problems(procedure) == []}"
    )
    return procedure, confirmation


def tamper(procedure: ExitProcedure, folder: Path) -> None:
    """Move a deletion a week earlier in the saved JSON: reading it and the CLI both notice."""
    saved = json.loads(to_json(procedure))
    index = next(
        i for i, entry in enumerate(saved["lifecycle"]["history"]) if entry["event"] == "delete"
    )
    entry = saved["lifecycle"]["history"][index]
    entry["when"] = "2026-10-06T09:00:00+02:00[Europe/Berlin]"
    path = folder / "exit.json"
    path.write_text(json.dumps(saved))
    print()
    print(
        f"tampered: entry {index} ({entry['event']}) moved to 6 October, before the confirmation"
    )
    try:
        from_json(ExitProcedure, path.read_text())
    except ValidationError as error:
        print(f"reading it back is refused: {error.errors[0]}")
    print(f"verify() of the procedure as issued: {verify(procedure.lifecycle)} (the chain holds)")
    print(f"$ cloudsms audit verify {path.name}")
    status = cli(["audit", "verify", str(path)])
    print(f"(exit status {status})")


def main(argv: list[str]) -> None:
    """Walk the exit; with --json print the written confirmation's JSON only."""
    if "--json" in argv:
        import contextlib  # noqa: PLC0415 - only to silence the walk's report
        import io  # noqa: PLC0415

        with contextlib.redirect_stdout(io.StringIO()):
            _, confirmation = run()
        print(to_json(confirmation, indent=2))
        return
    procedure, confirmation = run()
    print()
    print(confirmation_markdown(confirmation))
    folder = Path(tempfile.mkdtemp(prefix="cloudsms-exit-"))
    document = folder / "confirmation.json"
    document.write_text(to_json(confirmation, indent=2))
    again = from_json(ExitConfirmation, document.read_text())
    print(
        f"The confirmation's JSON document ({len(again.criteria)} criteria, "
        f"{len(again.legal_holds)} legal hold) is {document}; it reads back unchanged: "
        f"{again == confirmation}"
    )
    issued = folder / "exit-issued.json"
    issued.write_text(to_json(procedure))
    print(f"$ cloudsms exit confirmation {issued.name} --check {document.name}")
    status = cli(["exit", "confirmation", str(issued), "--check", str(document)])
    print(f"(exit status {status})")
    tamper(procedure, folder)


if __name__ == "__main__":
    main(sys.argv[1:])
