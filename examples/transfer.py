"""A customer moves its service to another provider, and only then leaves the source (S14).

Designed by cloudsms; the TR's guidance for S14 is not in our source. Run it with
``python examples/transfer.py`` from the repository's root. Globex moves the IaaS
service of its agreement with ACME Cloud (``examples/data/resources/agreement.json``:
Europe/Berlin, exports in CSV or JSON, a month's notice) to Stratus Cloud. The
program

1. opens the `TransferProcedure` on 1 December 2026 and exports the six categories
   of Globex's data as CSV, each with the SHA-256 checksum of its bytes
   (`export_checksum`); an export as XML is REFUSED (the exit terms list CSV and
   JSON only);
2. plans the cut-over (a window from 22:00 on 12 December to 04:00 the next day, a
   parallel run from 5 December until 02:00 in the window, DNS as the way back),
   starts the parallel run and cuts over at 23:00, while both still run: the source
   stays up beside the receiver until 02:00, for the way back;
3. the receiver checks what it received: the customer data arrived one byte short,
   so its checksum differs and the acceptance is REFUSED; starting the source's exit
   now is REFUSED too (nothing may be deleted before the receiver accepts); the
   receiver rejects the customer data, which sends the transfer back to exporting;
4. the customer data is exported again, a new window planned, the service cut over
   and the receiver, whose checksums now all match, accepts; the transfer's summary
   is printed as Markdown (`cloudsms.reports.transfer.transfer_summary_markdown`);
5. the source's exit starts from the transfer (`TransferProcedure.start_exit`, the
   customer's notice on 22 December) and runs to its written confirmation: the
   termination takes effect on 22 January 2027, the customer confirms it no longer
   needs its data, its holdings in the Frankfurt pool are released
   (`release_resources`), every category is deleted, the records updated, and the
   confirmation issued and checked against the exit's trail;
6. saves the transfer as JSON and checks its trail as ``cloudsms audit verify
   transfer.json`` would from a shell (run here in-process): every entry holds.

Serves S14 (transfer a cloud service) and, for the source's exit, S13.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from cloudsms.agreements import CloudServiceAgreement
from cloudsms.cli import main as cli
from cloudsms.errors import InvalidTransition
from cloudsms.lifecycle import verify
from cloudsms.periods import timezone
from cloudsms.procedures.termination import DataCategory, release_resources
from cloudsms.procedures.transfer import (
    DataExport,
    ReceiverKind,
    TransferProcedure,
    TransitionPlan,
    export_checksum,
)
from cloudsms.reports.termination import confirmation_markdown
from cloudsms.reports.transfer import transfer_summary_markdown
from cloudsms.resources import ResourcePool
from cloudsms.resources.files import read_allocations
from cloudsms.serialization import from_json, to_json

DATA = Path(__file__).resolve().parent / "data" / "resources"
BERLIN = timezone("Europe/Berlin")
SOURCE = "actor:acme-transfer-desk"
RECEIVER = "actor:stratus-intake"
CUSTOMER = "actor:globex-it"

# What the source exports: small stand-ins for each category of Globex's data.
PAYLOADS = {
    DataCategory.CUSTOMER_DATA: b"order_id;customer;amount\n1;Initech;19.99\n2;Hooli;5.00\n",
    DataCategory.DERIVED_DATA: b"month;revenue\n2026-10;24.99\n2026-11;31.50\n",
    DataCategory.LOGS: b"2026-11-30T10:00:00Z login admin@globex\n",
    DataCategory.MONITORING_DATA: b"month;availability\n2026-11;99.97\n",
    DataCategory.BACKUPS: b"manifest: 14 nightly snapshots, 2026-11-17 to 2026-11-30\n",
    DataCategory.CONFIGURATION_DATA: b'{"vms": ["vm-web-1", "vm-batch-1"], "net": "10.0.0.0/24"}',
}


def at(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """An hour of a day in Berlin."""
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def export(category: DataCategory, data: bytes, when: dt.datetime) -> DataExport:
    """The export of ``data`` as CSV, at ``when``, in the export bucket."""
    where = f"s3://globex-export/{category.value.replace(' ', '-')}.csv"
    return DataExport.of(category, data, format="CSV", location=where, at=when)


def refused(what: str, error: InvalidTransition) -> None:
    """Print a refused step with the reason the guard gave."""
    print(f"REFUSED {what}: {error.reason or error}")


def transfer(agreement: CloudServiceAgreement) -> TransferProcedure:
    """Steps 1 to 4: export, plan, cut over, a rejection, the export again, the acceptance."""
    p = TransferProcedure.initiate(
        agreement,
        receiver="Stratus Cloud",
        receiver_kind=ReceiverKind.PROVIDER,
        who=CUSTOMER,
        when=at(2026, 12, 1, 9),
    )
    print(f"opened {p.id}: {', '.join(c.value for c in p.scope.categories)} to {p.receiver}")
    for hour, (category, data) in enumerate(PAYLOADS.items(), start=10):
        p = p.record_export(export(category, data, at(2026, 12, 2, hour)), who=SOURCE)
        made = p.exports[category]
        print(f"exported {category.value:<18} {made.size:>3} bytes  sha256 {made.sha256}")
    try:
        xml = DataExport.of(
            DataCategory.LOGS,
            PAYLOADS[DataCategory.LOGS],
            format="XML",
            location="s3://globex-export/logs.xml",
            at=at(2026, 12, 2, 17),
        )
        p.record_export(xml, who=SOURCE)
    except InvalidTransition as error:
        refused("an export as XML", error)
    p = p.finish_export(who=SOURCE, when=at(2026, 12, 2, 18))

    plan = TransitionPlan(
        cut_over_start=at(2026, 12, 12, 22),
        cut_over_end=at(2026, 12, 13, 4),
        parallel_run_until=at(2026, 12, 13, 2),
        rollback="Point DNS back to ACME Cloud, which runs beside Stratus until 02:00",
    )
    p = p.plan_transition(plan, who=SOURCE, when=at(2026, 12, 3, 9))
    p = p.start_parallel_run(who=SOURCE, when=at(2026, 12, 5, 9))
    p = p.cut_over(who=SOURCE, when=at(2026, 12, 12, 23))
    print(f"{p.state}: parallel run from {p.parallel_run_started}, cut over at {p.cut_over_at}")

    # The receiver computes its own checksums over what arrived.
    arrived = dict(PAYLOADS)
    arrived[DataCategory.CUSTOMER_DATA] = PAYLOADS[DataCategory.CUSTOMER_DATA][:-1]
    received = {c: export_checksum(data) for c, data in arrived.items()}
    try:
        p.accept(received, who=RECEIVER, when=at(2026, 12, 13, 8))
    except InvalidTransition as error:
        refused("the acceptance", error)
    try:
        p.start_exit(agreement, notice=at(2026, 12, 13, 8), who=CUSTOMER)
    except InvalidTransition as error:
        refused("the source's exit", error)
    p = p.reject(
        "the customer data arrived one byte short: its checksum differs",
        [DataCategory.CUSTOMER_DATA],
        who=RECEIVER,
        when=at(2026, 12, 13, 8),
    )
    print(f"{p.state}: still to export {', '.join(c.value for c in p.pending)}")

    p = p.record_export(
        export(
            DataCategory.CUSTOMER_DATA, PAYLOADS[DataCategory.CUSTOMER_DATA], at(2026, 12, 14, 10)
        ),
        who=SOURCE,
    )
    p = p.finish_export(who=SOURCE, when=at(2026, 12, 14, 11))
    second = TransitionPlan(
        cut_over_start=at(2026, 12, 19, 22),
        cut_over_end=at(2026, 12, 20, 4),
        rollback="Point DNS back to ACME Cloud",
    )
    p = p.plan_transition(second, who=SOURCE, when=at(2026, 12, 15, 9))
    p = p.cut_over(who=SOURCE, when=at(2026, 12, 19, 23))
    received = {c: export_checksum(data) for c, data in PAYLOADS.items()}
    p = p.accept(received, who=RECEIVER, when=at(2026, 12, 21, 9))
    print(f"{p.state} on {p.accepted_at}: every checksum matches")
    return p


def leave(p: TransferProcedure, agreement: CloudServiceAgreement) -> TransferProcedure:
    """Step 5: the source's exit, started from the transfer, to its written confirmation."""
    p, leaving = p.start_exit(agreement, notice=dt.date(2026, 12, 22), who=CUSTOMER)
    print(f"{p.state}: exit procedure {p.exit_id} in {leaving.state},")
    print(
        f"  effective {leaving.plan.effective_at}, retrieval until {leaving.plan.retrieval_ends}"
    )
    assert verify(p.lifecycle) is None  # noqa: S101 - the transfer's trail holds

    leaving = leaving.take_effect(who=SOURCE, when=at(2027, 1, 22))
    leaving = leaving.confirm_not_needed(who=CUSTOMER, when=at(2027, 1, 25, 9))
    pool = from_json(ResourcePool, (DATA / "pool.json").read_text(encoding="utf-8"))
    released = release_resources(
        leaving,
        agreement,
        pool,
        read_allocations(DATA / "allocations.csv"),
        {},
        who=SOURCE,
        when=at(2027, 1, 25, 10),
    )
    leaving = released.procedure
    print(f"released {len(released.changes)} holding(s) in {pool.name}")
    for category in DataCategory:
        leaving = leaving.delete(category, "crypto-shred", who=SOURCE, when=at(2027, 1, 26))
    leaving = leaving.update_records(
        configuration=["ci-globex-iaas"],
        capacity=["capacity-plan-fra-1-2027"],
        financial=["invoice-globex-final"],
        who=SOURCE,
        when=at(2027, 1, 27),
    )
    closed, confirmation = leaving.issue_confirmation(who=SOURCE, when=at(2027, 1, 28))
    problems = confirmation.problems(closed)
    print(f"{closed.state}: the confirmation checks against the trail: {problems}")
    print()
    print(confirmation_markdown(confirmation))
    return p


def main() -> None:
    """Run the transfer and the source's exit, printing each step."""
    agreement = from_json(
        CloudServiceAgreement, (DATA / "agreement.json").read_text(encoding="utf-8")
    )
    moved = transfer(agreement)
    print()
    print(transfer_summary_markdown(moved))
    ended = leave(moved, agreement)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "transfer.json"
        path.write_text(to_json(ended), encoding="utf-8")
        print(f"$ cloudsms audit verify {path.name}")
        status = cli(["audit", "verify", str(path)])
        print(f"(exit status {status})")


if __name__ == "__main__":
    main()
