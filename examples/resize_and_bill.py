"""A customer asks for more virtual CPUs: one request refused, one carried out, and the bill (S11).

Run it with ``python examples/resize_and_bill.py`` from the repository's root (it
takes a second or two; add ``--json`` for the agreement's JSON document alone, the
file ``examples/data/resources/agreement.json`` holds, or ``--catalogue-json`` for the
catalogue's, which ``catalogue.json`` beside it holds). It builds an IaaS catalogue
(compute and storage, each extra resource a priced upgrade naming its resource type)
and an agreement under it that limits the customer to 16 virtual CPUs, reads what
the customer holds and used from ``examples/data/resources/`` (``allocations.csv``,
``usage.csv``, ``pool.json``) and then, on 20 October 2026:

1. carries out a request to resize the web server to 12 vCPUs with
   `cloudsms.procedures.resource_change.carry_out`: it is REFUSED, since the
   customer already holds 12 of its 16 and the resize would add 8 (the refusal
   says which limit and how much is free), and nothing changes;
2. carries out a request to resize it to 8 vCPUs instead: ACCEPTED, run as a
   standard change, the web server's configuration record updated under it;
3. prices the change with `cloudsms.resources.revise`: the cost notice
   (`CostChange`) for the rest of October and November, sent to the customer;
4. prints October's cost profile after the change, as ``cloudsms cost profile``
   prints it (`cloudsms.reports.cost_profile_table`), and its split by cost centre;
5. writes that profile's lines as FinOps FOCUS 1.0 rows (`cloudsms.reports.write_focus`,
   to ``--focus FILE`` or a temporary file) and reads them back unchanged;
6. prints the Frankfurt pool's capacity plan (`cloudsms.resources.CapacityPlan`): the
   pool's history (``pool_history.csv``, other tenants since 2025, with Globex's
   holdings) projected to the dates the warn and act thresholds and the whole
   capacity are reached, as ``cloudsms capacity show`` prints them;
7. prints October's margin (`cloudsms.resources.margin`): the charge less what
   serving the agreement costs the provider at the pool's own unit costs
   (``pool_costs.json``: hardware and energy per vcpu-hour, GiB-hour, ...).

From a shell, in ``examples/data/resources``, ``cloudsms cost profile agreement.json
allocations.csv --period 2026-10 --catalogue catalogue.json --usage usage.csv`` (add
``--focus focus.csv`` for the FOCUS rows) prints
the profile of the allocations as they were before the change, priced from the
catalogue as this program prices them; ``--rates rates.json`` instead prices them with
another rate card, one with graduated tiers for requests and data transferred;
``cloudsms capacity show pool.json pool_history.csv --as-of 2026-10-20`` prints the
pool's plan from the other tenants' holdings alone.

Serves S11 (manage resources for cloud services: requests checked against the
agreement and the pool, configuration records updated, the revised cost profile and
the customer's notification; capacity planned ahead; the provider's cost and margin)
on the terms of S07; ISO/IEC 20000-1:2011 4.4, 6.4, 6.5, 9.1 and 9.2.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms.agreements import (
    CloudServiceAgreement,
    Commitment,
    ResourceLimit,
    ResourceType,
    ServiceLevelAgreement,
    Subscription,
    recurring_charges,
)
from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Catalogue,
    CatalogueEntry,
    Offering,
    OfferingKind,
    Upgrade,
    UpgradeKind,
)
from cloudsms.configuration import (
    ConfigurationItem,
    ConfigurationRecord,
    Relation,
    RelationKind,
)
from cloudsms.money import Money, Price
from cloudsms.periods import Period, timezone
from cloudsms.procedures.resource_change import carry_out
from cloudsms.reports import capacity_plan_table, cost_profile_table, read_focus, write_focus
from cloudsms.resources import (
    Allocation,
    CapacityPlan,
    CostProfile,
    PoolCost,
    RateCard,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    Usage,
    margin,
    read_allocations,
    read_usage,
    revise,
)
from cloudsms.serialization import from_dict, from_json, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    DeploymentModel,
    ServiceCategory,
    ServiceGraph,
)
from cloudsms.units import quantity

if TYPE_CHECKING:
    from types import ModuleType

DATA = Path(__file__).with_name("data") / "resources"
"""The customer's allocations and usage in October 2026, the pool and the rate card."""

BERLIN = timezone("Europe/Berlin")


def _agreement_example() -> ModuleType:
    """examples/agreement.py, beside this file, loaded by its path (its terms are reused)."""
    name = "cloudsms_agreement_example"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("agreement.py"))
    assert spec is not None  # noqa: S101 - the file is beside this one
    assert spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def at(text: str) -> dt.datetime:
    """An instant from ISO 8601 text with its offset (``"2026-10-20T09:00:00+02:00"``)."""
    return dt.datetime.fromisoformat(text)


def eur(amount: str, unit: str, per: str | None = None) -> Price:
    """A price of EUR ``amount`` per ``unit`` (and per calendar ``per``, if given)."""
    return Price(Money(amount, "EUR"), unit, per=per)


def _upgrade(upgrade_id: str, description: str, price: Price, resource_type: str) -> Upgrade:
    return Upgrade(
        id=upgrade_id,
        description=description,
        kind=UpgradeKind.RESOURCE,
        price=price,
        resource_type=resource_type,
    )


def _entry(
    entry_id: str,
    name: str,
    service: str,
    *,
    offering: Offering,
    upgrades: tuple[Upgrade, ...],
    ordering: str,
) -> CatalogueEntry:
    """An IaaS entry of the public cloud in Germany, billed monthly, pay as you go, in EUR."""
    return CatalogueEntry(
        id=entry_id,
        name=name,
        service=service,
        category=ServiceCategory.IAAS,
        deployment_models={DeploymentModel.PUBLIC},
        ordering_procedure=ordering,
        provisioning_procedure="Ready within minutes",
        billing=Billing(
            method=BillingMethod.PAY_AS_YOU_GO, cycle=relativedelta(months=1), currency="EUR"
        ),
        resource_locations={"DE"},
        data_locations={"DE"},
        offerings=(offering,),
        upgrades=upgrades,
    )


def _offering(offering_id: str, name: str, price: Price, upgrades: set[str]) -> Offering:
    """A customisable offering at 99.99 % availability, priced by its upgrades."""
    return Offering(
        id=offering_id,
        name=name,
        kind=OfferingKind.CUSTOMIZABLE,
        levels=(_agreement_example().availability("99.99 %"),),
        price=price,
        upgrades=upgrades,
    )


def catalogue() -> Catalogue:
    """Compute and storage, pay as you go, every resource a priced upgrade naming its type.

    ``examples/data/resources/catalogue.json`` holds it as JSON (``--catalogue-json``),
    the file ``cloudsms cost profile --catalogue`` reads.
    """
    compute_upgrades = (
        _upgrade("vcpu", "A virtual CPU", eur("0.042", "vcpu*hour"), "vcpu"),
        _upgrade("memory", "Memory", eur("0.0055", "GiB*hour"), "memory"),
        _upgrade("ip", "A public IP address", eur("0.005", "ip_address*hour"), "ip_address"),
        _upgrade("requests", "API requests served", eur("0.0000004", "request"), "requests"),
        _upgrade("egress", "Data transferred out", eur("0.05", "GiB"), "data_transfer"),
    )
    flexible = _offering(
        "flex", "Flexible", eur("0", "instance", per="month"), {u.id for u in compute_upgrades}
    )
    archive = _offering("archive", "Archive", eur("0", "TB", per="month"), {"tb"})
    storage_upgrade = _upgrade(
        "tb", "Archive storage", eur("0.021", "GiB", per="month"), "storage"
    )
    compute = _entry(
        "compute",
        "Compute",
        "iaas-compute",
        offering=flexible,
        upgrades=compute_upgrades,
        ordering="Order in the portal or through the API",
    )
    storage = _entry(
        "storage",
        "Archive storage",
        "iaas-storage",
        offering=archive,
        upgrades=(storage_upgrade,),
        ordering="Order in the portal",
    )
    services = tuple(
        CloudService(
            id=service,
            name=name,
            category=ServiceCategory.IAAS,
            deployment_models={DeploymentModel.PUBLIC},
            owner="Service owner",
            lifecycle=SERVICE_LIFECYCLE.begin(id=service, origin="live"),
        )
        for service, name in (("iaas-compute", "Compute"), ("iaas-storage", "Storage"))
    )
    return Catalogue(entries=(compute, storage), graph=ServiceGraph(services=services))


COMPUTE_COMMITMENTS = {
    "vcpu": "2920 vcpu*hour",
    "memory": "11680 GiB*hour",
    "ip": "730 ip_address*hour",
    "requests": "1000000 request",
    "egress": "100 GiB",
}
"""The use of each compute resource committed per month: 4 vcpu and 16 GiB for 730 hours, ..."""


def agree(shop: Catalogue) -> CloudServiceAgreement:
    """Globex's IaaS agreement: every compute resource, and 5 TB of archive storage committed.

    It takes the terms of ``examples/agreement.py``'s agreement (parties,
    responsibilities, termination and exit, Berlin time) and subscribes the two
    services of ``shop`` instead, with a monthly use of each compute resource and
    5 TB of storage committed (`COMPUTE_COMMITMENTS`; they become the rate card's
    minimum commitments), limited to 16 vcpu, 64 GiB of memory and 10 TB of
    storage, from 1 April 2026 (midnight in Berlin, where its billing months begin).
    """
    example = _agreement_example()
    compute, storage = shop.entries
    subscriptions = (
        Subscription(
            entry_id=compute.id,
            offering_id="flex",
            upgrade_ids={u.id for u in compute.upgrades},
            service_id=compute.service,
            commitments=tuple(
                Commitment(item_id=item, quantity=quantity(committed))
                for item, committed in COMPUTE_COMMITMENTS.items()
            ),
        ),
        Subscription(
            entry_id=storage.id,
            offering_id="archive",
            upgrade_ids={"tb"},
            service_id=storage.service,
            commitments=(Commitment(item_id="tb", quantity=quantity("5 TB")),),
        ),
    )
    crm = example.agree(example.catalogue())
    return attrs.evolve(
        crm,
        id="csa-2026-011",
        effective_from=dt.datetime(2026, 4, 1, tzinfo=BERLIN),
        subscriptions=subscriptions,
        slas=(
            ServiceLevelAgreement(
                id="iaas-sla",
                service_ids={compute.service, storage.service},
                targets=(example.UPTIME,),
            ),
        ),
        recurring_charges=recurring_charges(shop, subscriptions),
        one_off_charges=(),
        resource_locations={"DE"},
        termination=attrs.evolve(crm.termination, early_termination_charge=None),
        resource_limits=(
            ResourceLimit(resource_type=ResourceType.VCPU, at_most=quantity("16 vcpu")),
            ResourceLimit(resource_type=ResourceType.MEMORY, at_most=quantity("64 GiB")),
            ResourceLimit(resource_type=ResourceType.STORAGE, at_most=quantity("10 TB")),
        ),
    )


def pool() -> ResourcePool:
    """The Frankfurt pool the customer's resources are drawn from (``pool.json``)."""
    return from_json(ResourcePool, (DATA / "pool.json").read_text(encoding="utf-8"))


def pool_costs() -> tuple[PoolCost, ...]:
    """What a unit of each resource costs the provider in each pool (``pool_costs.json``)."""
    listed = json.loads((DATA / "pool_costs.json").read_text(encoding="utf-8"))
    return tuple(from_dict(PoolCost, item) for item in listed)


def web_server_record() -> ConfigurationRecord:
    """The configuration record of the web server as provisioned on 1 October: 4 vcpu, 16 GiB."""
    item = ConfigurationItem(
        id="vm-web-1",
        name="Web server",
        kind="virtual machine",
        attributes={"vcpu": "4 vcpu", "memory": "16 GiB"},
        relations=(Relation(kind=RelationKind.HOSTED_ON, target="host-fra-17"),),
    )
    return ConfigurationRecord.create(
        item, by="actor:provisioning", at=at("2026-10-01T00:00:00+02:00")
    )


def resize(request_id: str, vcpus: int, *, requested_at: dt.datetime) -> ResourceRequest:
    """Globex's request to resize its web server ``vm-web-1`` to ``vcpus`` at noon on the 20th."""
    return ResourceRequest(
        id=request_id,
        kind=ResourceRequestKind.RESIZE,
        customer="globex",
        agreement="csa-2026-011",
        service="iaas-compute",
        resource_type="vcpu",
        quantity=quantity(f"{vcpus} vcpu"),
        resource_id="vm-web-1",
        requested_at=requested_at,
        effective_at=at("2026-10-20T12:00:00+02:00"),
        requested_by="actor:globex-ops-1",
    )


def main(argv: list[str]) -> None:
    """Refuse one resize, carry out another, price it and print the profile.

    ``--json`` prints the agreement's JSON document instead, ``--catalogue-json`` the
    catalogue's (the files of ``examples/data/resources``); ``--focus FILE`` keeps the
    FOCUS rows in FILE (else they go to a temporary file, removed at the end).
    """
    shop = catalogue()
    agreement = agree(shop)
    if "--json" in argv or "--catalogue-json" in argv:
        print(to_json(agreement if "--json" in argv else shop, indent=2))
        return
    held = read_allocations(DATA / "allocations.csv")
    used = read_usage(DATA / "usage.csv")
    frankfurt = pool()
    rates = RateCard.for_agreement(agreement, shop)
    as_of = at("2026-10-20T09:00:00+02:00")
    print(f"Agreement {agreement.id} limits {agreement.customer_id} to 16 vcpu; it holds:")
    for allocation in held:
        if allocation.resource_type == "vcpu" and allocation.held_at(as_of):
            print(f"  {allocation.resource_id}: {allocation.quantity} since {allocation.since}")

    print("\n1. Resize vm-web-1 to 12 vcpu from noon on 20 October:")
    records = {"vm-web-1": web_server_record()}
    refused = carry_out(
        resize("rr-2026-101", 12, requested_at=as_of),
        agreement,
        frankfurt,
        held,
        records,
        as_of=as_of,
    )
    for refusal in refused.refusals:
        print(f"   REFUSED ({refusal.limit}): {refusal.message}")
    unchanged = refused.allocations == held and refused.records == records
    print(
        f"   change {refused.change.id}: {refused.change.state}; allocations and records"
        f" unchanged: {unchanged}"
    )

    print("\n2. Resize vm-web-1 to 8 vcpu instead:")
    request = resize("rr-2026-102", 8, requested_at=as_of)
    done = carry_out(request, agreement, frankfurt, held, records, as_of=as_of)
    record = done.records["vm-web-1"]
    print(f"   ACCEPTED: change {done.change.id} ({done.change.kind}) {done.change.state}")
    print(f"   {done.change.summary}")
    version = record.current_version
    print(
        f"   configuration item vm-web-1, version {version.version} under {version.change}:"
        f" {dict(record.current.attributes)}, still {record.current.relations[0].kind}"
        f" {record.current.relations[0].target}"
    )

    october = Period.month(2026, 10, agreement.timezone)
    before = CostProfile.build(agreement, held, used, october, rates=rates)
    revision = revise(before, request, as_of=as_of)
    cost, notice = revision.change, revision.notice
    print("\n3. The cost notice to the customer (the rest of October and November):")
    print(
        f"   before {cost.before}, after {cost.after}: {cost.difference} more from"
        f" {cost.effective.isoformat()}"
    )
    print(
        f"   sent by {notice.sent_by} to {', '.join(sorted(notice.sent_to))} at"
        f" {notice.sent_at.isoformat()}, payload {notice.payload.kind if notice.payload else None}"
    )

    after = CostProfile.build(agreement, done.allocations, used, october, rates=rates)
    print(
        f"\n4. October after the change: {after.total} (before it: {before.total})\n\n"
        f"$ cloudsms cost profile ... --period 2026-10"
    )
    print(cost_profile_table(after))
    by_type = ", ".join(f"{k} {v:.2f}" for k, v in after.split("resource_type").items())
    print(f"By resource type: {by_type}")

    _provider_side(
        argv,
        agreement=agreement,
        after=after,
        held=done.allocations,
        used=used,
        rates=rates,
        frankfurt=frankfurt,
        as_of=as_of,
    )


def _provider_side(
    argv: list[str],
    *,
    agreement: CloudServiceAgreement,
    after: CostProfile,
    held: tuple[Allocation, ...],
    used: tuple[Usage, ...],
    rates: RateCard,
    frankfurt: ResourcePool,
    as_of: dt.datetime,
) -> None:
    """Steps 5 to 7: the FOCUS rows, the pool's capacity plan and October's margin."""
    october = after.period
    print("\n5. October's lines as FinOps FOCUS 1.0 rows:")
    with tempfile.TemporaryDirectory() as folder:
        given = argv[argv.index("--focus") + 1] if "--focus" in argv[:-1] else None
        path = Path(given) if given else Path(folder) / "focus.csv"
        written = write_focus(path, after)
        same = read_focus(path) == after.lines
        print(f"   {written} rows written to {path.name}; read back as the same lines: {same}")

    print("\n6. The Frankfurt pool's plan: other tenants' holdings and Globex's after the change")
    history = read_allocations(DATA / "pool_history.csv") + held
    plan = CapacityPlan.build(frankfurt, history, as_of=as_of)
    print(capacity_plan_table(plan).split("\n\nstorage")[0])  # vcpu and memory

    print("\n7. October's margin on the agreement, at the pool's own unit costs:")
    earned = margin(agreement, held, pool_costs(), october, rates=rates, usage=used)
    print(
        f"   charge {earned.charge} - cost to serve {earned.cost_to_serve} = {earned.margin}"
        f" ({float(earned.ratio or 0):.1%} of the charge)"
    )
    by_kind = ", ".join(f"{k} {v:.2f}" for k, v in earned.serving.by_kind().items())
    print(f"   cost to serve by kind: {by_kind}")
    unpriced = ", ".join(f"{n} {t}" for t, n in earned.serving.unpriced_types().items())
    if unpriced:  # usage no pool cost prices: not taken off the margin
        print(f"   usage rows no pool cost prices (not in the cost): {unpriced}")


if __name__ == "__main__":
    main(sys.argv[1:])
