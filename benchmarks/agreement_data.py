"""The benchmark's agreement: one cloud service agreement with 12 service targets, as JSON.

``agreement()`` builds it with cloudsms's own constructors (so the document is valid by
construction) and ``payload()`` gives its compact JSON bytes, which both sides of the
benchmark load: cloudsms's ``from_json`` and the pydantic v2 mirror in
pydantic_agreement.py. The twelve targets cover what an SLA for a hosted service
usually holds: availability with credit tiers, response and resolution times per
priority, a latency percentile, recovery objectives, throughput, support
response, fulfilment time and one qualitative target.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from cloudsms.agreements import (
    Activity,
    AmendmentRule,
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
    RecurringCharge,
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
)
from cloudsms.levels import Bound, ServiceLevel
from cloudsms.money import Money
from cloudsms.periods import SupportHours
from cloudsms.serialization import to_json
from cloudsms.units import quantity


def _level(measure: str, bound: Bound, target: str) -> ServiceLevel:
    return ServiceLevel(measure=measure, bound=bound, target=quantity(target))


def _tiers(*limits: tuple[str, int]) -> CreditTerms:
    return CreditTerms(
        tiers=[CreditTier(worse_than=quantity(at), credit=Decimal(pay)) for at, pay in limits],
        cap_percent=Decimal(50),
    )


def targets() -> list[ServiceTarget]:
    """The twelve service targets of the benchmark's SLA."""
    most, least = Bound.AT_MOST, Bound.AT_LEAST
    maintenance = Exclusions(
        maintenance_notice=relativedelta(days=5),
        causes={OutageCause.CUSTOMER, OutageCause.FORCE_MAJEURE},
    )
    return [
        ServiceTarget(
            id="uptime",
            level=_level("availability", least, "99.95 %"),
            exclusions=maintenance,
            credits=_tiers(("99.95 %", 10), ("99.5 %", 25), ("99 %", 50)),
        ),
        ServiceTarget(
            id="p1-response",
            level=_level("incident response time", most, "15 min"),
            priority="P1",
            credits=_tiers(("15 min", 5), ("60 min", 10)),
        ),
        ServiceTarget(
            id="p2-response", level=_level("incident response time", most, "1 h"), priority="P2"
        ),
        ServiceTarget(
            id="p3-response", level=_level("incident response time", most, "4 h"), priority="P3"
        ),
        ServiceTarget(
            id="p1-resolution", level=_level("resolution time", most, "4 h"), priority="P1"
        ),
        ServiceTarget(
            id="p2-resolution", level=_level("resolution time", most, "8 h"), priority="P2"
        ),
        ServiceTarget(
            id="api-latency",
            level=_level("latency", most, "250 ms"),
            percentile=Decimal(95),
            exclusions=maintenance,
        ),
        ServiceTarget(id="rpo", level=_level("recovery point objective", most, "15 min")),
        ServiceTarget(id="rto", level=_level("recovery time objective", most, "4 h")),
        ServiceTarget(id="throughput", level=_level("throughput", least, "500 request/s")),
        ServiceTarget(id="fulfilment", level=_level("fulfilment time", most, "48 h")),
        ServiceTarget(
            id="named-contact",
            predicate="named-service-manager",
            description="A named service manager answers within the support hours",
        ),
    ]


def agreement() -> CloudServiceAgreement:
    """A 12-target agreement for a hosted service, every section of the document filled."""
    users = quantity("200 user")
    return CloudServiceAgreement(
        id="csa-bench-001",
        provider="ACME Cloud",
        customer_id="globex",
        effective_from=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        subscriptions=[
            Subscription(
                entry_id="crm",
                offering_id="premium",
                upgrade_ids={"four-nines"},
                service_id="crm-service",
                commitments=[
                    Commitment(item_id="premium", quantity=users),
                    Commitment(item_id="four-nines", quantity=users),
                ],
            )
        ],
        slas=[ServiceLevelAgreement(id="crm-sla", service_ids={"crm-service"}, targets=targets())],
        recurring_charges=[
            RecurringCharge(
                service_id="crm-service",
                amount=Money("3400.00", "EUR"),
                period=relativedelta(months=1),
            )
        ],
        one_off_charges=[OneOffCharge(description="Data migration", amount=Money("1200", "EUR"))],
        responsibilities=Responsibilities(
            assignments=[Responsibility(activity=a, holders={"provider"}) for a in Activity]
        ),
        resource_limits=[
            ResourceLimit(resource_type=ResourceType.USERS, at_most=quantity("250 user")),
            ResourceLimit(resource_type=ResourceType.STORAGE, at_most=quantity("10 TB")),
        ],
        data_locations={"DE"},
        resource_locations={"DE", "FR"},
        monitoring_retention=relativedelta(months=13),
        record_keeping=relativedelta(years=6),
        legal_terms=[LegalTerm(kind=LegalTermKind.LIABILITY, text="Capped at a year of charges")],
        timezone="Europe/Berlin",
        support_hours=SupportHours.weekdays("08:00", "18:00", "Europe/Berlin"),
        customer_wait_pauses_clocks=True,
        priorities=PriorityScale(
            priorities=[
                Priority(id="P1", name="Critical", description="The service is down"),
                Priority(id="P2", name="High", description="A major function fails"),
                Priority(id="P3", name="Normal", description="One user is affected"),
            ]
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
        amendment_rules=[
            AmendmentRule(term=TermKind.SUPPORT_HOURS, notice=relativedelta(months=1))
        ],
    )


def payload() -> bytes:
    """The agreement's compact JSON document, as ``cloudsms.serialization.to_json`` writes it."""
    return to_json(agreement()).encode()
