"""A cloud service agreement from a catalogue: agreed, checked, credited, saved and shown (S07).

Run it with ``python examples/agreement.py`` (add ``--json`` for the agreement's JSON
document alone). It builds a catalogue entry with three SLA options for a hosted CRM —
two fixed options and a customizable one whose availability a priced upgrade raises —
agrees the customizable option with the upgrade, checks the agreement against the
catalogue with `check_agreement`, computes the credit a breached month earns with
`credit_due`, amends one term with the customer's consent and shows the refusal
without it, saves the agreement as JSON and reads it back, and prints what
``cloudsms agreement show`` prints for it.

Serves S07 (establish a cloud service agreement) and S03 (the catalogue it is bought
from); ISO/IEC 20000-1:2011 6.1, 7.1 and 9.2 (a change to an agreed term is
controlled: it needs the customer's consent, or a notice the agreement allows).
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from cloudsms.agreements import (
    Activity,
    Amendment,
    CloudServiceAgreement,
    Commitment,
    CreditTerms,
    CreditTier,
    EarlyTerminationCharge,
    Exclusions,
    ExitTerms,
    LegalTerm,
    LegalTermKind,
    OneOffCharge,
    OutageCause,
    Priority,
    PriorityScale,
    ResourceLimit,
    ResourceType,
    Responsibilities,
    Responsibility,
    ServiceLevelAgreement,
    ServiceTarget,
    Subscription,
    TerminatingParty,
    TerminationReason,
    TerminationTerms,
    TermKind,
    amend,
    check_agreement,
    credit_due,
    recurring_charges,
    terms_on,
)
from cloudsms.catalogue import (
    Billing,
    BillingMethod,
    Bound,
    Catalogue,
    CatalogueEntry,
    Offering,
    OfferingKind,
    ServiceLevel,
    Upgrade,
    UpgradeKind,
)
from cloudsms.errors import ValidationError
from cloudsms.money import Money, Price
from cloudsms.parties import Acknowledgement
from cloudsms.periods import SupportHours
from cloudsms.reports import agreement_table
from cloudsms.serialization import from_json, to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    DeploymentModel,
    ServiceCategory,
    ServiceGraph,
)
from cloudsms.units import quantity


def availability(text: str) -> ServiceLevel:
    """An availability level of at least ``text`` (``"99.9 %"``)."""
    return ServiceLevel(measure="availability", bound=Bound.AT_LEAST, target=quantity(text))


RESOLUTION = ServiceLevel(measure="resolution time", bound=Bound.AT_MOST, target=quantity("8 h"))


def per_user(amount: str) -> Price:
    """A price of EUR ``amount`` per user per month."""
    return Price(Money(amount, "EUR"), "user", per="month")


def catalogue() -> Catalogue:
    """One CRM entry with three SLA options: basic, business (fixed) and premium (customizable)."""
    crm = CatalogueEntry(
        id="crm",
        name="Hosted CRM",
        service="crm-service",
        category=ServiceCategory.SAAS,
        deployment_models={DeploymentModel.PUBLIC},
        ordering_procedure="Order in the portal",
        provisioning_procedure="Ready within one working day",
        billing=Billing(
            method=BillingMethod.SUBSCRIPTION, cycle=relativedelta(months=1), currency="EUR"
        ),
        resource_locations={"DE", "FR"},
        data_locations={"DE", "FR"},
        offerings=(
            Offering(
                id="basic",
                name="Basic",
                kind=OfferingKind.FIXED,
                levels=(availability("99.5 %"), RESOLUTION),
                price=per_user("8"),
            ),
            Offering(
                id="business",
                name="Business",
                kind=OfferingKind.FIXED,
                levels=(availability("99.9 %"), RESOLUTION),
                price=per_user("12"),
            ),
            Offering(
                id="premium",
                name="Premium",
                kind=OfferingKind.CUSTOMIZABLE,
                levels=(availability("99.9 %"), RESOLUTION),
                price=per_user("15"),
                upgrades={"four-nines"},
            ),
        ),
        upgrades=(
            Upgrade(
                id="four-nines",
                description="A hot standby in a second zone",
                kind=UpgradeKind.SERVICE_LEVEL,
                price=per_user("2"),
                level=availability("99.99 %"),
            ),
        ),
        minimum_term=relativedelta(months=12),
        early_termination_charge=Money("500", "EUR"),
    )
    service = CloudService(
        id="crm-service",
        name="CRM",
        category=ServiceCategory.SAAS,
        deployment_models={DeploymentModel.PUBLIC},
        owner="Service owner",
        lifecycle=SERVICE_LIFECYCLE.begin(id="crm-service", origin="live"),
    )
    return Catalogue(entries=(crm,), graph=ServiceGraph(services=(service,)))


UPTIME = ServiceTarget(
    id="uptime",
    level=availability("99.99 %"),
    exclusions=Exclusions(
        maintenance_notice=relativedelta(days=5),
        causes={OutageCause.CUSTOMER, OutageCause.FORCE_MAJEURE},
    ),
    credits=CreditTerms(
        tiers=(
            CreditTier(worse_than=quantity("99.99 %"), credit=Decimal(10)),
            CreditTier(worse_than=quantity("99.9 %"), credit=Decimal(25)),
        ),
        cap_percent=Decimal(50),
    ),
)
"""The availability target: the upgrade's 99.99 %, with two credit tiers capped at half."""


def agree(shop: Catalogue) -> CloudServiceAgreement:
    """The premium option with the four-nines upgrade for 50 users, on the entry's terms."""
    users = quantity("50 user")
    premium = Subscription(
        entry_id="crm",
        offering_id="premium",
        upgrade_ids={"four-nines"},
        service_id="crm-service",
        commitments=(
            Commitment(item_id="premium", quantity=users),
            Commitment(item_id="four-nines", quantity=users),
        ),
    )
    p1_fix = ServiceTarget(id="p1-resolution", level=RESOLUTION, priority="P1")
    return CloudServiceAgreement(
        id="csa-2026-001",
        provider="ACME Cloud",
        customer_id="globex",
        effective_from=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        subscriptions=(premium,),
        slas=(
            ServiceLevelAgreement(
                id="crm-sla", service_ids={"crm-service"}, targets=(UPTIME, p1_fix)
            ),
        ),
        recurring_charges=recurring_charges(shop, [premium]),
        one_off_charges=(OneOffCharge(description="Data migration", amount=Money("1200", "EUR")),),
        responsibilities=Responsibilities(
            assignments=[Responsibility(activity=a, holders={"provider"}) for a in Activity]
        ),
        resource_limits=(
            ResourceLimit(resource_type=ResourceType.USERS, at_most=quantity("60 user")),
        ),
        data_locations={"DE"},
        resource_locations={"DE", "FR"},
        monitoring_retention=relativedelta(months=13),
        record_keeping=relativedelta(years=6),
        legal_terms=(
            LegalTerm(kind=LegalTermKind.LIABILITY, text="Capped at 12 months of charges"),
        ),
        timezone="Europe/Berlin",
        support_hours=SupportHours.weekdays("08:00", "18:00", "Europe/Berlin"),
        customer_wait_pauses_clocks=True,
        priorities=PriorityScale(
            priorities=(
                Priority(id="P1", name="Critical", description="The service is down"),
                Priority(id="P2", name="High", description="A major function fails"),
            )
        ),
        termination=TerminationTerms(
            terminable_by=TerminatingParty.EITHER,
            provider_reasons={TerminationReason.NON_PAYMENT, TerminationReason.MISUSE},
            notice_period=relativedelta(months=1),
            minimum_term=relativedelta(months=12),
            early_termination_charge=EarlyTerminationCharge.fixed(Money("500", "EUR")),
        ),
        exit=ExitTerms(
            retrieval_window=relativedelta(days=30),
            export_formats=("CSV", "JSON"),
            retention_window=relativedelta(days=90),
        ),
    )


def main(argv: list[str]) -> None:
    """Build, check, credit, save, reload and show the agreement (``--json``: the JSON only)."""
    shop = catalogue()
    agreement = agree(shop)
    document = to_json(agreement, indent=2)
    if "--json" in argv:
        print(document)
        return
    print("Options of catalogue entry 'crm':")
    entry = shop.entries[0]
    for offering in entry.offerings:
        upgrades = ", ".join(sorted(offering.upgrades)) or "no upgrades"
        print(f"  {offering.id} ({offering.kind.value}, {offering.price}; {upgrades})")
    (subscription,) = agreement.subscriptions
    print(f"\nAgreed: {subscription.offering_id} with {', '.join(subscription.upgrade_ids)}")
    problems = check_agreement(agreement, shop)
    print("check_agreement against the catalogue:", problems or "no problems")
    charge = agreement.recurring_charge_for("crm-service")
    assert charge is not None  # noqa: S101 - derived above
    achieved = Decimal("99.95")
    credit = credit_due(agreement, UPTIME, achieved, charge.amount)
    print(f"A month at {achieved} % availability on a charge of {charge.amount}: credit {credit}")
    longer = Amendment(
        term=TermKind.RECORD_KEEPING,
        value=relativedelta(years=10),
        proposed_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        proposed_by="provider",
    )
    try:
        amend(agreement, longer)
    except ValidationError as refused:
        print("\nAmending record keeping without the customer's consent is refused:")
        print("  " + "\n  ".join(refused.errors))
    consent = Acknowledgement(
        party_id=agreement.customer_id,
        terms_id=agreement.id,
        version=str(agreement.version + 1),
        accepted_at=dt.datetime(2026, 6, 3, tzinfo=dt.UTC),
    )
    amended = amend(agreement, longer, consent=consent)
    print(
        f"With the customer's consent: version {amended.version}, record keeping "
        f"{amended.record_keeping.years} years from {amended.amendments[0].effective_at:%Y-%m-%d}"
        f" (version 1 still in force on 2026-06-02: "
        f"{terms_on(amended, dt.datetime(2026, 6, 2, tzinfo=dt.UTC)).version})"
    )
    reloaded = from_json(CloudServiceAgreement, document)
    print("Saved as JSON and read back unchanged:", reloaded == agreement)
    print("\n$ cloudsms agreement show csa-2026-001.json")
    print(agreement_table(reloaded))


if __name__ == "__main__":
    main(sys.argv[1:])
