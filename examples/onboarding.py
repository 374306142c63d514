"""A customer onboarded from plan to delivery, through a failed verification (S08).

Run it with ``python examples/onboarding.py`` from the repository's root. It reads
Globex's IaaS agreement and the catalogue it subscribes to
(``examples/data/resources``), plans the onboarding from 1 December 2026 with
`plan_onboarding` and prints it by owner (the agreement gives the provider users,
access, data migration and training, so those template activities are the
provider's: the plan says so), then runs it as an `OnboardingProcedure`:
the tenancy first, the resources allocated through resource requests with
`allocate_resources` (so the cost profile starts: the first week's cost is printed),
the customer's own activities, the integration as a closed standard change, and the
verification against the two requirements traced to the agreement. The first check
of the virtual machines' start time fails: delivery is refused, naming the
requirement; a re-check after the fix passes, and the service is delivered. The
trail verifies and the procedure survives a round trip through JSON.

Serves S08 (onboarding the customer) and ISO/IEC 20000-1:2011 6.1 (verification
against the agreed requirements), 6.4 and 6.5 (resources allocated, the cost
starts), 6.6 (security information, access, secure links) and 9.2 (integration as a
standard change).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from cloudsms.agreements import CloudServiceAgreement
from cloudsms.catalogue import Catalogue
from cloudsms.errors import InvalidTransition
from cloudsms.lifecycle import advance, verify
from cloudsms.operations import Change, ChangeKind, ChangeOutcome
from cloudsms.periods import Period, timezone
from cloudsms.procedures.onboarding import (
    OnboardingActivityKind,
    OnboardingProcedure,
    VerificationCheck,
    VerificationResult,
    allocate_resources,
)
from cloudsms.reports.onboarding import onboarding_plan_table
from cloudsms.requirements import QualityCharacteristic, RequirementRegister, ServiceRequirement
from cloudsms.resources import (
    CostProfile,
    RateCard,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.units import quantity

DATA = Path(__file__).resolve().parent / "data" / "resources"
BERLIN = timezone("Europe/Berlin")
OPS = "actor:acme-onboarding"
CUSTOMER = "actor:globex-it"
HOUR = dt.timedelta(hours=1)


def requirements() -> RequirementRegister:
    """Two requirements on Globex's services, and one on a service it does not buy."""

    def requirement(rid: str, statement: str, target: str) -> ServiceRequirement:
        return ServiceRequirement(
            id=rid,
            statement=statement,
            quality=QualityCharacteristic.PERFORMANCE,
            acceptance_criteria=("measured in the acceptance test",),
            satisfied_by=(target,),
        )

    return RequirementRegister(
        requirements=(
            requirement("REQ-VM-START", "A virtual machine starts within 5 minutes", "compute"),
            requirement("REQ-RESTORE", "A 1 TB restore completes within 4 hours", "iaas-storage"),
            requirement("REQ-CRM", "The CRM exports its data", "crm"),
        )
    )


def standard_change(when: dt.datetime) -> Change:
    """The tested standard change that connects the VMs to Globex's directory, closed."""
    change = Change(
        id="chg-globex-ldap",
        kind=ChangeKind.STANDARD,
        summary="Connect the VMs to Globex's directory",
        services={"iaas-compute"},
        requested_at=when,
    )
    change = advance(change, "implement", who=CUSTOMER, when=when)
    change = advance(change, "review", who=CUSTOMER, when=when)
    change = attrs.evolve(change, outcome=ChangeOutcome.SUCCESSFUL)
    return advance(change, "close", who=CUSTOMER, when=when, data={"outcome": "successful"})


def main() -> None:
    """Plan, allocate, work, fail a check, re-check and deliver."""
    agreement = from_json(CloudServiceAgreement, (DATA / "agreement.json").read_text("utf-8"))
    catalogue = from_json(Catalogue, (DATA / "catalogue.json").read_text("utf-8"))
    pool = from_json(ResourcePool, (DATA / "pool.json").read_text("utf-8"))
    rates = from_json(RateCard, (DATA / "rates.json").read_text("utf-8"))

    procedure = OnboardingProcedure.initiate(
        agreement,
        catalogue,
        start=dt.date(2026, 12, 1),
        requirements=requirements(),
        who=OPS,
    )
    plan = procedure.plan
    print(onboarding_plan_table(plan))

    when = plan.start + HOUR
    procedure = procedure.complete("tenancy", who=OPS, when=when)
    procedure = procedure.complete("security-information", who=OPS, when=when)

    when += HOUR
    request = ResourceRequest(
        id="rr-globex-web",
        kind=ResourceRequestKind.ALLOCATE,
        customer=agreement.customer_id,
        agreement=agreement.id,
        service="iaas-compute",
        resource_type="vcpu",
        quantity=quantity("8 vcpu"),
        resource_id="vm-web-1",
        requested_at=when,
        requested_by=OPS,
    )
    allocated = allocate_resources(
        procedure, agreement, pool, (), {}, [request], who=OPS, when=when
    )
    procedure = allocated.procedure
    week = Period(when, when + dt.timedelta(days=7))
    cost = CostProfile.build(agreement, allocated.allocations, [], week, rates=rates)
    print(f"\nResources allocated ({', '.join(c.request.id for c in allocated.changes)}):")
    print(f"  the cost profile has started: {cost.total} for the first week")

    done = set(procedure.completed)
    for activity in plan.activities:
        if activity.key in done or activity.kind in {
            OnboardingActivityKind.INTEGRATION,
            OnboardingActivityKind.VERIFICATION,
        }:
            continue
        when += HOUR
        who = CUSTOMER if activity.owner == "customer" else OPS
        procedure = procedure.complete(activity.key, who=who, when=when)
        if activity.key == "management-access":
            when += HOUR
            procedure = procedure.complete_integration(
                [standard_change(when)], who=CUSTOMER, when=when
            )

    when += HOUR
    slow = VerificationCheck(
        requirement_id="REQ-VM-START",
        result=VerificationResult.FAILED,
        evidence="a VM took 9 minutes to start (image not cached)",
    )
    restore = VerificationCheck(
        requirement_id="REQ-RESTORE",
        result=VerificationResult.PASSED,
        evidence="restored 1 TB in 3 h 10 min",
    )
    procedure = procedure.verify(slow, who=OPS, when=when).verify(restore, who=OPS, when=when)
    print(f"\nVerified against {', '.join(plan.requirement_ids)}; failing: {procedure.failing}")
    try:
        procedure.deliver(who=OPS, when=when)
    except InvalidTransition as refused:
        print(f"  delivery refused: {refused.reason}")

    when += dt.timedelta(days=1)
    fixed = VerificationCheck(
        requirement_id="REQ-VM-START",
        result=VerificationResult.PASSED,
        evidence="with the image cached, VMs start in 2 minutes",
    )
    procedure = procedure.verify(fixed, who=OPS, when=when)
    procedure = procedure.complete("verification", who=OPS, when=when)
    procedure = procedure.deliver(who=OPS, when=when)
    print(f"\nDelivered on {when.astimezone(BERLIN).isoformat()}: {procedure.is_delivered}")
    print(f"  {len(procedure.lifecycle.entries)} trail entries, verified: ", end="")
    print(verify(procedure.lifecycle) is None)
    again = from_json(OnboardingProcedure, to_json(procedure))
    print(f"  read back from JSON unchanged: {again == procedure}")
    late = procedure.overdue(when)
    print(f"  completed after their deadline: {', '.join(late) or 'none'}")


if __name__ == "__main__":
    main()
