"""A provider's improvement register: found, assessed, ranked, carried out, reviewed (S12).

Run it with ``python examples/improvement.py``. ACME Cloud runs a CRM and an ERP on
one shared database cluster, and a mail service on its own, for four customers
(the agreement of ``examples/agreement.py``, re-made for each). Its checks of the
SMS and the services turn up five opportunities: an internal audit finding, a
service report, a satisfaction survey, a complaint and a look at the market. The
script follows each through the service graph to the services and customers it
affects, assesses it on the shipped criteria (`default_policy`), prints the ranking
with the explanation of every score, approves the top ones, plans the one with a
major impact as design work on a new service (ISO/IEC 20000-1:2011 clause 5) and a
smaller one through a change (9.2), carries that one out and reviews its results,
rejects one, and prints the ranking table and each trail, which verifies.

Serves S12 (check and improve the SMS and cloud services) and S05, S09 (the design
work and the change that carry improvements out); ISO/IEC 20000-1:2011 4.5.5, 5
and 9.2.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from cloudsms.improvement import (
    Improvement,
    ImprovementArea,
    ImprovementRegister,
    OpportunitySource,
)
from cloudsms.lifecycle import verify
from cloudsms.operations import Change, ChangeKind
from cloudsms.reports.improvement import ranking_table
from cloudsms.services import (
    CloudService,
    ComponentKind,
    DeploymentModel,
    ServiceCategory,
    ServiceComponent,
    ServiceGraph,
)

if TYPE_CHECKING:
    from cloudsms.agreements import CloudServiceAgreement


def _agreement_example():  # noqa: ANN202 - a module loaded from its file
    """examples/agreement.py, beside this file, loaded by its path (its builders are reused)."""
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


T0 = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)
OWNER = "actor:sms-owner"


def day(days: int) -> dt.datetime:
    """T0 plus ``days`` days."""
    return T0 + dt.timedelta(days=days)


def service(ident: str, name: str, *components: str) -> CloudService:
    """A SaaS service (planned, as a new service starts) using ``components``."""
    return CloudService(
        id=ident,
        name=name,
        category=ServiceCategory.SAAS,
        deployment_models={DeploymentModel.PUBLIC},
        owner="service-owner",
        components=components,
    )


GRAPH = ServiceGraph(
    services=(
        service("crm", "Hosted CRM", "db-cluster"),
        service("erp", "Hosted ERP", "db-cluster"),
        service("mail", "Hosted mail"),
    ),
    components=(
        ServiceComponent(id="db-cluster", name="Database cluster", kind=ComponentKind.HARDWARE),
    ),
)


def agreements() -> tuple[CloudServiceAgreement, ...]:
    """The example agreement re-made for four customers, one subscription each."""
    example = _agreement_example()
    base: CloudServiceAgreement = example.agree(example.catalogue())

    def for_customer(customer: str, service_id: str) -> CloudServiceAgreement:
        return attrs.evolve(
            base,
            id=f"csa-{customer}",
            customer_id=customer,
            subscriptions=[attrs.evolve(base.subscriptions[0], service_id=service_id)],
            slas=[attrs.evolve(base.slas[0], service_ids={service_id})],
            recurring_charges=[attrs.evolve(base.recurring_charges[0], service_id=service_id)],
        )

    return (
        for_customer("globex", "crm"),
        for_customer("initech", "erp"),
        for_customer("umbrella", "erp"),
        for_customer("hooli", "mail"),
    )


def opportunity(
    ident: str,
    title: str,
    *,
    source: OpportunitySource,
    source_ref: str | None,
    area: ImprovementArea,
    services: tuple[str, ...],
    owner: str,
) -> Improvement:
    """An opportunity found at T0."""
    return Improvement(
        id=ident,
        title=title,
        description=f"{title}: found through the {source.value.replace('_', ' ')}.",
        source=source,
        source_ref=source_ref,
        area=area,
        services=services,
        owner=owner,
        raised_at=T0,
    )


FOUND = (
    opportunity(
        "imp-1",
        "Make the shared database cluster highly available",
        source=OpportunitySource.SERVICE_REPORT,
        source_ref="rep-crm-2026-09",
        area=ImprovementArea.RELIABILITY,
        services=("db-cluster",),
        owner="actor:platform-owner",
    ),
    opportunity(
        "imp-2",
        "Publish the restore procedure in the portal",
        source=OpportunitySource.SATISFACTION_SURVEY,
        source_ref="csat-2026q3",
        area=ImprovementArea.CUSTOMER_SATISFACTION,
        services=("mail",),
        owner="actor:mail-owner",
    ),
    opportunity(
        "imp-3",
        "Record the review of every emergency change",
        source=OpportunitySource.INTERNAL_AUDIT,
        source_ref="fnd-2026-01",
        area=ImprovementArea.PROCESS,
        services=(),
        owner="actor:change-manager",
    ),
    opportunity(
        "imp-4",
        "Reorder CSV export columns as configured",
        source=OpportunitySource.COMPLAINT,
        source_ref="cmp-2026-017",
        area=ImprovementArea.FUNCTIONALITY,
        services=("crm",),
        owner="actor:crm-owner",
    ),
    opportunity(
        "imp-5",
        "Offer a managed PostgreSQL service",
        source=OpportunitySource.MARKET_ANALYSIS,
        source_ref=None,
        area=ImprovementArea.FUNCTIONALITY,
        services=(),
        owner=OWNER,
    ),
)

# Scores on the shipped criteria: business objectives, capability, requirements, others.
SCORES = {
    "imp-1": (5, 3, 5, 2),
    "imp-2": (3, 5, 3, 5),
    "imp-3": (3, 5, 4, 5),
    "imp-4": (1, 2, 2, 4),
}


def main() -> None:
    """Build the register, rank it, carry two improvements forward, print what happened."""
    register = ImprovementRegister(id="acme-improvements")
    for found in FOUND:
        register = register.with_improvement(found)
    keys = register.policy.keys
    customers = agreements()

    print("Impact through the service graph:")
    for ident, scores in SCORES.items():
        impact = register.impact_of(ident, GRAPH, customers)
        print(f"  {ident}: {impact}")
        register = register.assess(
            ident, dict(zip(keys, scores, strict=True)), impact, when=day(7), actor=OWNER
        )

    print("\nRanking on the shipped criteria:")
    for ranked in register.ranked():
        print(f"  {ranked.explanation}")
    print(f"  Not yet assessed: {', '.join(i.id for i in register.unassessed())}")

    for ident in ("imp-1", "imp-2", "imp-3"):
        register = register.apply(ident, "approve", when=day(14), actor="actor:top-management")
    register = register.apply(
        "imp-4", "reject", when=day(14), actor=OWNER, data={"reason": "A saved layout does it"}
    )

    # A major impact (two services, three customers) goes through design and transition.
    new_service = service("db-cluster-ha", "Highly available database cluster")
    register = register.link_design("imp-1", new_service, when=day(21), actor=OWNER)
    # A small one goes through a change, is carried out and its results are reviewed.
    change = Change(
        id="chg-2026-131",
        kind=ChangeKind.NORMAL,
        summary="Publish the restore procedure",
        services={"mail"},
        requested_at=day(20),
    )
    register = register.link_change("imp-2", change, when=day(21), actor="actor:change-manager")
    register = register.apply("imp-2", "start", when=day(22), actor="actor:mail-owner")
    register = register.apply("imp-2", "complete", when=day(30), actor="actor:mail-owner")
    results = {
        "results": "Restore requests with a missing step fell from 9 to 2 a month",
        "benefit_realised": True,
    }
    register = register.apply("imp-2", "review", when=day(60), actor=OWNER, data=results)

    print("\nThe register now:")
    print(ranking_table(register, include_closed=True))

    print("\nTrails:")
    for found in register:
        events = " -> ".join(entry.event for entry in found.lifecycle.entries) or "(none yet)"
        holds = "verifies" if verify(found.lifecycle) is None else "BROKEN"
        print(f"  {found.id} ({found.state}): {events}; the trail {holds}")
    imp1, imp2 = register.improvement("imp-1"), register.improvement("imp-2")
    print(
        f"\n{imp1.id} is design work on {imp1.design_id}; {imp2.id} went through {imp2.change_id}"
    )
    print(f"{imp2.id} reviewed: {imp2.results} (benefit realised: {imp2.benefit_realised})")


if __name__ == "__main__":
    main()
