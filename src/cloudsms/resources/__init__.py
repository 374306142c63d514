"""Resources of cloud services and what they cost (S11).

A customer asks for more or less of a resource under its agreement; the provider
checks the request against the agreement's limits and its free capacity, carries
it out as a standard change, updates its configuration records and tells the
customer what the service costs from then on. This package holds the model of
that: resource types (`ResourceType`, with the built-in table `resource_types`),
what customers hold (`Allocation`) and use (`Usage`), the provider's pools
(`ResourcePool`), requests (`ResourceRequest`), the holdings left unused
(`reclaim_candidates`), what was used of what was held (`utilisation`), the
CSV files allocations and usage are kept in (`read_allocations`, `read_usage`),
the prices (`RateCard` of `Rate`s, graduated `Tier`s and `MinimumCommitment`s,
built from the catalogue with `RateCard.for_agreement`) and what it all costs
(`CostProfile.build`, exact to the cent, split with `CostProfile.split`; `revise`
for the `CostChange` a request makes, with its `Notice`). For the provider's own
view: when a pool reaches its thresholds (`CapacityPlan.build`, from a least-squares
or seasonal projection of what its holdings have been), what serving an agreement
costs it (`PoolCost`, `cost_to_serve`), the margin left (`margin`) and what a
stricter offering would change (`compare_offerings`). Carrying a request out
moves several objects, so it is a procedure:
`cloudsms.procedures.resource_change.carry_out`.

Serves S11 (manage resources for cloud services) and ISO/IEC 20000-1:2011 4.4
(resource management), 6.4 (budgeting and accounting for services), 6.5
(capacity management), 9.1 (configuration management) and 9.2 (change
management).
"""

from __future__ import annotations

from cloudsms.resources.capacity import (
    CapacityLeftOut,
    CapacityLine,
    CapacityPlan,
    CapacitySample,
    LeftOutGroup,
    Projection,
    ThresholdDate,
    Thresholds,
)
from cloudsms.resources.cost import (
    COST_CHANGE,
    CostChange,
    CostLine,
    CostProfile,
    CostRevision,
    LeftOut,
    LineKind,
    SplitBy,
    billing_period,
    revise,
)
from cloudsms.resources.files import (
    ALLOCATION_COLUMNS,
    OPTIONAL_ALLOCATION_COLUMNS,
    OPTIONAL_USAGE_COLUMNS,
    USAGE_COLUMNS,
    read_allocations,
    read_usage,
    write_allocations,
    write_usage,
)
from cloudsms.resources.pricing import MinimumCommitment, Rate, RateCard, Tier
from cloudsms.resources.provider_cost import (
    CostKind,
    CostToServe,
    Margin,
    OfferingComparison,
    OfferingCost,
    PoolCost,
    ServingLine,
    UnitCost,
    compare_offerings,
    cost_to_serve,
    margin,
)
from cloudsms.resources.types import (
    Allocation,
    FocusServiceCategory,
    MeteringKind,
    PoolCapacity,
    ReclaimCandidate,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    ResourceType,
    Usage,
    Utilisation,
    reclaim_candidates,
    resource_type,
    resource_types,
    utilisation,
)

__all__ = [
    "ALLOCATION_COLUMNS",
    "COST_CHANGE",
    "OPTIONAL_ALLOCATION_COLUMNS",
    "OPTIONAL_USAGE_COLUMNS",
    "USAGE_COLUMNS",
    "Allocation",
    "CapacityLeftOut",
    "CapacityLine",
    "CapacityPlan",
    "CapacitySample",
    "CostChange",
    "CostKind",
    "CostLine",
    "CostProfile",
    "CostRevision",
    "CostToServe",
    "FocusServiceCategory",
    "LeftOut",
    "LeftOutGroup",
    "LineKind",
    "Margin",
    "MeteringKind",
    "MinimumCommitment",
    "OfferingComparison",
    "OfferingCost",
    "PoolCapacity",
    "PoolCost",
    "Projection",
    "Rate",
    "RateCard",
    "ReclaimCandidate",
    "ResourcePool",
    "ResourceRequest",
    "ResourceRequestKind",
    "ResourceType",
    "ServingLine",
    "SplitBy",
    "ThresholdDate",
    "Thresholds",
    "Tier",
    "UnitCost",
    "Usage",
    "Utilisation",
    "billing_period",
    "compare_offerings",
    "cost_to_serve",
    "margin",
    "read_allocations",
    "read_usage",
    "reclaim_candidates",
    "resource_type",
    "resource_types",
    "revise",
    "utilisation",
    "write_allocations",
    "write_usage",
]
