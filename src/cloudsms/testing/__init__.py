"""Public hypothesis strategies and state-machine helpers for cloudsms's types.

For test authors checking their own rules on top of cloudsms (every scenario whose
objects they use). Needs hypothesis: ``pip install 'cloudsms[testing]'``.

Strategies are named as plurals, take keyword-only arguments and return
``SearchStrategy[T]``; they are also registered for ``st.from_type`` through
hypothesis's entry point, so ``st.from_type(Money)`` works once cloudsms is
installed. `lifecycle_machine` turns any declared `cloudsms.lifecycle.Lifecycle`
into a `RuleBasedStateMachine` to subclass with your own invariants;
`ExitProcedureMachine` drives the exit procedure (S13) with its invariants built in,
`OnboardingMachine`, `TransferMachine` and `RemovalMachine` drive onboarding (S08),
transfer (S14) and removal (S15), and `ImprovementMachine` an improvement register
(S12).

Examples:
    >>> from hypothesis import given
    >>> from cloudsms.testing import moneys
    >>> @given(moneys(currency="EUR"))
    ... def test_adding_zero(m):
    ...     assert m + m.zero("EUR") == m
    >>> test_adding_zero()
"""

# hypothesis first: loading it runs its entry points, whose hook (``_register``) imports
# the strategy modules below; they must not be half-imported at that moment.
try:
    import hypothesis  # noqa: F401
except ImportError as missing:  # pragma: no cover - the subprocess test runs this branch
    raise ImportError(
        "cloudsms.testing needs hypothesis, which is not installed: "
        "pip install 'cloudsms[testing]'",
        name="hypothesis",
    ) from missing

from cloudsms.testing._agreements import (
    amended_agreements,
    amendment_rules,
    amendments,
    catalogue_and_agreements,
    cloud_service_agreements,
    commitments,
    one_off_charges,
    placements,
    service_level_agreements,
    subscriptions,
)
from cloudsms.testing._agreements import (
    recurring_charges as recurring_charge_records,
)
from cloudsms.testing._agreements_targets import (
    credit_terms,
    credit_tiers,
    exclusions,
    judgements,
    service_targets,
)
from cloudsms.testing._agreements_terms import (
    activity_responsibilities,
    early_termination_charges,
    exit_terms,
    legal_terms,
    notice_payloads,
    notices,
    priorities,
    priority_scales,
    resource_limits,
    responsibilities,
    termination_terms,
)
from cloudsms.testing._capacity import thresholds
from cloudsms.testing._catalogue import (
    billings,
    catalogue_entries,
    catalogues,
    controls,
    offerings,
    policies,
    requirement_registers,
    requirement_sources,
    service_levels,
    service_requirements,
    upgrades,
)
from cloudsms.testing._conformity import (
    evidence,
    evidence_registers,
    findings,
    process_owners,
)
from cloudsms.testing._costs import (
    cost_changes,
    minimum_commitments,
    rate_cards,
    rates,
    tiers,
)
from cloudsms.testing._improvement import (
    IMPROVEMENT_STATES,
    ImprovementMachine,
    criteria,
    impacts,
    improvement_registers,
    improvements,
    prioritisation_policies,
)
from cloudsms.testing._monitoring import (
    events,
    measurements,
    observations,
    outages,
    sample_series,
)
from cloudsms.testing._onboarding import (
    ONBOARDING_STATES,
    OnboardingMachine,
    onboarding_plans,
    onboarding_procedures,
    verification_checks,
)
from cloudsms.testing._operations import (
    incidents,
    maintenance_windows,
    service_requests,
)
from cloudsms.testing._operations_changes import (
    changes,
    known_errors,
    problems,
    releases,
)
from cloudsms.testing._parties import (
    acknowledgements,
    actor_directories,
    actor_ids,
    actors,
    cloud_service_customers,
    cloud_service_partners,
    cloud_service_users,
    communication_procedures,
    complaints,
    contacts,
    customer_groups,
    relationship_managers,
    relationship_registers,
    satisfaction_surveys,
    score_scales,
    suppliers,
)
from cloudsms.testing._provider_cost import pool_costs, unit_costs
from cloudsms.testing._removal import (
    REMOVAL_STATES,
    RemovalMachine,
    archived_records,
    removal_plans,
    removal_procedures,
)
from cloudsms.testing._resources import (
    allocations,
    pool_capacities,
    reclaim_candidates,
    resource_pools,
    resource_requests,
    resource_types,
    usages,
    utilisations,
)
from cloudsms.testing._stateful import lifecycle_machine
from cloudsms.testing._strategies import (
    DIMENSION_UNITS,
    aware_datetimes,
    calendar_lengths,
    cloud_services,
    configuration_items,
    configuration_records,
    currency_codes,
    daily_windows,
    exact_durations,
    history_entries,
    lifecycle_instances,
    moneys,
    periods,
    prices,
    provider_profiles,
    quantities,
    service_components,
    service_graphs,
    service_plans,
    support_hours,
    time_zones,
)
from cloudsms.testing._termination import (
    EXIT_STATES,
    ExitProcedureMachine,
    data_categories,
    deletions,
    exit_confirmations,
    exit_plans,
    exit_procedures,
    legal_holds,
)
from cloudsms.testing._transfer import (
    TRANSFER_STATES,
    TransferMachine,
    data_exports,
    transfer_procedures,
    transition_plans,
)

__all__ = [
    "DIMENSION_UNITS",
    "EXIT_STATES",
    "IMPROVEMENT_STATES",
    "ONBOARDING_STATES",
    "REMOVAL_STATES",
    "TRANSFER_STATES",
    "ExitProcedureMachine",
    "ImprovementMachine",
    "OnboardingMachine",
    "RemovalMachine",
    "TransferMachine",
    "acknowledgements",
    "activity_responsibilities",
    "actor_directories",
    "actor_ids",
    "actors",
    "allocations",
    "amended_agreements",
    "amendment_rules",
    "amendments",
    "archived_records",
    "aware_datetimes",
    "billings",
    "calendar_lengths",
    "catalogue_and_agreements",
    "catalogue_entries",
    "catalogues",
    "changes",
    "cloud_service_agreements",
    "cloud_service_customers",
    "cloud_service_partners",
    "cloud_service_users",
    "cloud_services",
    "commitments",
    "communication_procedures",
    "complaints",
    "configuration_items",
    "configuration_records",
    "contacts",
    "controls",
    "cost_changes",
    "credit_terms",
    "credit_tiers",
    "criteria",
    "currency_codes",
    "customer_groups",
    "daily_windows",
    "data_categories",
    "data_exports",
    "deletions",
    "early_termination_charges",
    "events",
    "evidence",
    "evidence_registers",
    "exact_durations",
    "exclusions",
    "exit_confirmations",
    "exit_plans",
    "exit_procedures",
    "exit_terms",
    "findings",
    "history_entries",
    "impacts",
    "improvement_registers",
    "improvements",
    "incidents",
    "judgements",
    "known_errors",
    "legal_holds",
    "legal_terms",
    "lifecycle_instances",
    "lifecycle_machine",
    "maintenance_windows",
    "measurements",
    "minimum_commitments",
    "moneys",
    "notice_payloads",
    "notices",
    "observations",
    "offerings",
    "onboarding_plans",
    "onboarding_procedures",
    "one_off_charges",
    "outages",
    "periods",
    "placements",
    "policies",
    "pool_capacities",
    "pool_costs",
    "prices",
    "priorities",
    "prioritisation_policies",
    "priority_scales",
    "problems",
    "process_owners",
    "provider_profiles",
    "quantities",
    "rate_cards",
    "rates",
    "reclaim_candidates",
    "recurring_charge_records",
    "relationship_managers",
    "relationship_registers",
    "releases",
    "removal_plans",
    "removal_procedures",
    "requirement_registers",
    "requirement_sources",
    "resource_limits",
    "resource_pools",
    "resource_requests",
    "resource_types",
    "responsibilities",
    "sample_series",
    "satisfaction_surveys",
    "score_scales",
    "service_components",
    "service_graphs",
    "service_level_agreements",
    "service_levels",
    "service_plans",
    "service_requests",
    "service_requirements",
    "service_targets",
    "subscriptions",
    "suppliers",
    "support_hours",
    "termination_terms",
    "thresholds",
    "tiers",
    "time_zones",
    "transfer_procedures",
    "transition_plans",
    "unit_costs",
    "upgrades",
    "usages",
    "utilisations",
    "verification_checks",
]
