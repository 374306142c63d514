"""Resources of cloud services and what they cost (S11).

A customer asks for more or less of a resource under its agreement; the provider
checks the request against the agreement's limits and its free capacity, carries
it out as a standard change, updates its configuration records and tells the
customer what the service costs from then on. This package holds the model of
that: resource types (`ResourceType`, with the built-in table `resource_types`),
what customers hold (`Allocation`) and use (`Usage`), the provider's pools
(`ResourcePool`), requests (`ResourceRequest`), and the CSV files allocations and
usage are kept in (`read_allocations`, `read_usage`).

Serves S11 (manage resources for cloud services) and ISO/IEC 20000-1:2011 4.4
(resource management), 6.4 (budgeting and accounting for services), 6.5
(capacity management), 9.1 (configuration management) and 9.2 (change
management).
"""

from __future__ import annotations

from cloudsms.resources.types import (
    Allocation,
    FocusServiceCategory,
    MeteringKind,
    PoolCapacity,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    ResourceType,
    Usage,
    resource_type,
    resource_types,
)

__all__ = [
    "Allocation",
    "FocusServiceCategory",
    "MeteringKind",
    "PoolCapacity",
    "ResourcePool",
    "ResourceRequest",
    "ResourceRequestKind",
    "ResourceType",
    "Usage",
    "resource_type",
    "resource_types",
]
