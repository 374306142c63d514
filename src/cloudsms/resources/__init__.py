"""Resources of cloud services and what they cost (S11).

A customer asks for more or less of a resource under its agreement; the provider
checks the request against the agreement's limits and its free capacity, carries
it out as a standard change, updates its configuration records and tells the
customer what the service costs from then on. This package holds the model of
that: resource types (`ResourceType`, with the built-in table `resource_types`),
what customers hold (`Allocation`) and use (`Usage`), the provider's pools
(`ResourcePool`), requests (`ResourceRequest`), the holdings left unused
(`reclaim_candidates`), what was used of what was held (`utilisation`), and the
CSV files allocations and usage are kept in (`read_allocations`, `read_usage`).

Serves S11 (manage resources for cloud services) and ISO/IEC 20000-1:2011 4.4
(resource management), 6.4 (budgeting and accounting for services), 6.5
(capacity management), 9.1 (configuration management) and 9.2 (change
management).
"""

from __future__ import annotations

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
    "OPTIONAL_ALLOCATION_COLUMNS",
    "OPTIONAL_USAGE_COLUMNS",
    "USAGE_COLUMNS",
    "Allocation",
    "FocusServiceCategory",
    "MeteringKind",
    "PoolCapacity",
    "ReclaimCandidate",
    "ResourcePool",
    "ResourceRequest",
    "ResourceRequestKind",
    "ResourceType",
    "Usage",
    "Utilisation",
    "read_allocations",
    "read_usage",
    "reclaim_candidates",
    "resource_type",
    "resource_types",
    "utilisation",
    "write_allocations",
    "write_usage",
]
