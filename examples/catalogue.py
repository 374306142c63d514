"""A provider's catalogue: three offerings, their dependencies and the requirements they meet.

Run it with ``python examples/catalogue.py`` (add ``--json`` for the JSON document
alone). It builds the S03 catalogue of a small IaaS provider — two fixed SLA options
and one customizable offering of managed virtual machines — over the services and
components they depend on, traces the S04 requirements to what satisfies them, and
prints the catalogue as tables and as JSON.
"""

from __future__ import annotations

import sys

from dateutil.relativedelta import relativedelta

from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Bound,
    Catalogue,
    CatalogueEntry,
    Control,
    Offering,
    OfferingKind,
    Policy,
    ServiceLevel,
    Upgrade,
    UpgradeKind,
)
from cloudsms.context import ObligationKind
from cloudsms.money import Money, Price
from cloudsms.reports import catalogue_table, offerings_table
from cloudsms.requirements import (
    CapabilityType,
    QualityCharacteristic,
    RequirementRegister,
    RequirementSource,
    ServiceRequirement,
    SourceKind,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    ComponentKind,
    Dependency,
    DeploymentModel,
    ServiceCategory,
    ServiceComponent,
    ServiceGraph,
)
from cloudsms.units import quantity


def level(measure: str, bound: Bound, target: str) -> ServiceLevel:
    """A service level such as availability at least 99.9 %."""
    return ServiceLevel(measure=measure, bound=bound, target=quantity(target))


def graph() -> ServiceGraph:
    """Managed VMs run on hypervisors and block storage, with a colocation contract.

    Both services were live before anyone recorded their lifecycle's events: each
    instance begins at ``live`` with an empty history (its origin).
    """
    components = (
        ServiceComponent(id="hv", name="Hypervisor cluster", kind=ComponentKind.HARDWARE),
        ServiceComponent(id="san", name="Storage area network", kind=ComponentKind.HARDWARE),
        ServiceComponent(id="desk", name="Service desk team", kind=ComponentKind.PEOPLE),
        ServiceComponent(
            id="colo", name="Colocation contract", kind=ComponentKind.SUPPLIER_CONTRACT
        ),
        ServiceComponent(
            id="runbook", name="Operations runbook", kind=ComponentKind.DOCUMENTATION
        ),
    )
    services = (
        CloudService(
            id="block",
            name="Block storage",
            category=ServiceCategory.DSAAS,
            deployment_models={DeploymentModel.PUBLIC},
            owner="storage-team",
            lifecycle=SERVICE_LIFECYCLE.begin(id="block", origin="live"),
            components=("san", "colo"),
        ),
        CloudService(
            id="vms",
            name="Managed virtual machines",
            category=ServiceCategory.IAAS,
            deployment_models={DeploymentModel.PUBLIC, DeploymentModel.PRIVATE},
            owner="compute-team",
            lifecycle=SERVICE_LIFECYCLE.begin(id="vms", origin="live"),
            components=("hv", "desk", "runbook", "colo"),
        ),
    )
    return ServiceGraph(
        services=services,
        components=components,
        dependencies=(Dependency(dependant="vms", dependency="block"),),
    )


def entry() -> CatalogueEntry:
    """The managed VM entry: silver and gold are fixed, flex is customizable."""
    per_vcpu_hour = "vcpu*hour"
    return CatalogueEntry(
        id="managed-vms",
        name="Managed virtual machines",
        service="vms",
        category=ServiceCategory.IAAS,
        deployment_models={DeploymentModel.PUBLIC, DeploymentModel.PRIVATE},
        description="Virtual machines patched, backed up and monitored by us.",
        policies=(
            Policy(topic="data retention", statement="Backups are kept for 35 days."),
            Policy(topic="patching", statement="Security patches within 7 days of release."),
        ),
        technical_standards=("Images are x86-64 with UEFI boot", "IPv4 and IPv6 networking"),
        security_policies=(
            "Privileged access needs two factors and is logged",
            "Partners reach customer systems only through the bastion service",
        ),
        controls=(
            Control(
                id="dpa",
                basis=ObligationKind.STATUTORY,
                description="A data processing agreement is part of every contract",
            ),
            Control(
                id="audit-rights",
                basis=ObligationKind.CONTRACTUAL,
                description="Customers may audit once a year with 30 days' notice",
            ),
        ),
        ordering_procedure="Order in the self-service portal; business accounts need approval.",
        provisioning_procedure="Machines are ready within 15 minutes of the order.",
        billing=Billing(
            method=BillingMethod.PAY_AS_YOU_GO,
            cycle=relativedelta(months=1),
            currency="EUR",
            accounting="Usage metered per minute, invoiced monthly in arrears",
        ),
        resource_locations={"DE", "NL"},
        data_locations={"DE"},
        legal_notes=("Personal data is processed in the EU only",),
        offerings=(
            Offering(
                id="silver",
                name="Silver",
                kind=OfferingKind.FIXED,
                levels=(
                    level("availability", Bound.AT_LEAST, "99.5 %"),
                    level("response time", Bound.AT_MOST, "8 h"),
                ),
                price=Price(Money("0.035", "EUR"), per_vcpu_hour),
                sla="sla-silver",
            ),
            Offering(
                id="gold",
                name="Gold",
                kind=OfferingKind.FIXED,
                levels=(
                    level("availability", Bound.AT_LEAST, "99.95 %"),
                    level("response time", Bound.AT_MOST, "1 h"),
                ),
                price=Price(Money("0.055", "EUR"), per_vcpu_hour),
                sla="sla-gold",
            ),
            Offering(
                id="flex",
                name="Flex",
                kind=OfferingKind.CUSTOMIZABLE,
                levels=(level("availability", Bound.AT_LEAST, "99.5 %"),),
                price=Price(Money("0.035", "EUR"), per_vcpu_hour),
                upgrades={"ha", "extra-disk"},
            ),
        ),
        upgrades=(
            Upgrade(
                id="ha",
                description="Availability raised to 99.99 % with a standby host",
                kind=UpgradeKind.SERVICE_LEVEL,
                price=Price(Money("45", "EUR"), "instance", per="month"),
                level=level("availability", Bound.AT_LEAST, "99.99 %"),
            ),
            Upgrade(
                id="extra-disk",
                description="Additional block storage",
                kind=UpgradeKind.RESOURCE,
                price=Price(Money("0.04", "EUR"), "GiB", per="month"),
            ),
        ),
        minimum_term=relativedelta(months=12),
        early_termination_charge=Money("300.00", "EUR"),
    )


def requirements(catalogue: Catalogue) -> RequirementRegister:
    """What customers, the law and the provider asked for, and what meets it."""
    return RequirementRegister(
        catalogue=catalogue,
        requirements=(
            ServiceRequirement(
                id="REQ-1",
                statement="Production workloads stay up through a host failure",
                source=RequirementSource(kind=SourceKind.CUSTOMER, reference="Acme GmbH"),
                quality=QualityCharacteristic.AVAILABILITY,
                acceptance_criteria=("availability at least 99.95 % in every month",),
                satisfied_by=("managed-vms:gold", "managed-vms:flex"),
            ),
            ServiceRequirement(
                id="REQ-2",
                statement="Personal data never leaves the EU",
                source=RequirementSource(kind=SourceKind.STATUTORY, reference="GDPR ch. V"),
                quality=QualityCharacteristic.PRIVACY,
                acceptance_criteria=("every data location is an EU member state",),
                satisfied_by=("managed-vms",),
            ),
            ServiceRequirement(
                id="REQ-3",
                statement="Add storage to a running machine",
                source=RequirementSource(kind=SourceKind.USER, reference="user survey 2026"),
                capability=CapabilityType.INFRASTRUCTURE,
                quality=QualityCharacteristic.FUNCTIONALITY,
                acceptance_criteria=("a disk attaches without a restart",),
                satisfied_by=("block", "san"),
            ),
            ServiceRequirement(
                id="REQ-4",
                statement="Export a machine image in an open format",
                quality=QualityCharacteristic.PORTABILITY,
                acceptance_criteria=("the export opens in another hypervisor",),
            ),
        ),
    )


def main(argv: list[str]) -> None:
    """Print the catalogue, its offerings, dependencies and traces; or only its JSON."""
    catalogue = Catalogue(entries=(entry(),), graph=graph())
    document = to_json(catalogue, indent=2)
    assert from_json(Catalogue, document) == catalogue  # noqa: S101 - the round trip is lossless
    if "--json" in argv:
        print(document)
        return
    print(catalogue_table(catalogue), end="\n\n")
    print(offerings_table(catalogue), end="\n\n")
    print("managed-vms depends on:", ", ".join(catalogue.dependencies_of("managed-vms")))
    print("entries a SAN failure touches:", [e.id for e in catalogue.depending_on("san")])
    print("components shared by services:", catalogue.graph.shared_components(), end="\n\n")
    register = requirements(catalogue)
    for requirement in register:
        print(register.trace(requirement))
    print("untraced:", [r.id for r in register.untraced()], end="\n\n")
    print(document)


if __name__ == "__main__":
    main(sys.argv[1:])
