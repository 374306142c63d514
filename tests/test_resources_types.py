"""Resource types, allocations, usage, pools and requests (S11; 20000-1:2011 4.4, 6.4, 6.5)."""

from __future__ import annotations

import datetime as dt

import pytest

from cloudsms import agreements
from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.periods import Period, timezone
from cloudsms.resources import (
    Allocation,
    FocusServiceCategory,
    MeteringKind,
    PoolCapacity,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    ResourceType,
    resource_type,
    resource_types,
)
from cloudsms.serialization import from_json, to_json
from cloudsms.units import quantity

UTC = dt.UTC
BERLIN = timezone("Europe/Berlin")
OCT1 = dt.datetime(2026, 10, 1, tzinfo=UTC)


def day(n: int, hour: int = 0) -> dt.datetime:
    """October ``n`` 2026 at ``hour`` UTC."""
    return dt.datetime(2026, 10, n, hour, tzinfo=UTC)


def vcpus(amount: int, since: dt.datetime = OCT1, **more: object) -> Allocation:
    """``amount`` vcpu held by acme for its vm service under agr-1."""
    return Allocation("acme", "agr-1", "vm", "vcpu", quantity(f"{amount} vcpu"), since, **more)  # type: ignore[arg-type]


def request(
    kind: ResourceRequestKind, amount: int | None = None, **more: object
) -> ResourceRequest:
    """A request of acme's for vcpu of its vm service."""
    fields: dict[str, object] = {
        "id": "rr-1",
        "kind": kind,
        "customer": "acme",
        "agreement": "agr-1",
        "service": "vm",
        "resource_type": "vcpu",
        "quantity": None if amount is None else quantity(f"{amount} vcpu"),
        "requested_at": OCT1,
        "requested_by": "ana",
    }
    return ResourceRequest(**{**fields, **more})  # type: ignore[arg-type]


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    """(path, expected) of each problem of a raised ValidationError."""
    return [(p.path, p.expected) for p in error.value.problems]


class TestResourceTypes:
    """The built-in table of resource types, and ResourceType's checks."""

    def test_table(self) -> None:
        """Ships the ten types of the design with their units, kinds, categories and limits."""
        table = {t.id: (t.unit, t.kind, t.focus_category, t.limited_by) for t in resource_types()}
        limit = agreements.ResourceType
        assert table == {
            "vcpu": ("vcpu", MeteringKind.ALLOCATED, FocusServiceCategory.COMPUTE, limit.VCPU),
            "instance": (
                "instance",
                MeteringKind.ALLOCATED,
                FocusServiceCategory.COMPUTE,
                limit.INSTANCES,
            ),
            "memory": ("GiB", MeteringKind.ALLOCATED, FocusServiceCategory.COMPUTE, limit.MEMORY),
            "storage": ("TB", MeteringKind.ALLOCATED, FocusServiceCategory.STORAGE, limit.STORAGE),
            "ip_address": (
                "ip_address",
                MeteringKind.ALLOCATED,
                FocusServiceCategory.NETWORKING,
                None,
            ),
            "licence": (
                "licence",
                MeteringKind.ALLOCATED,
                FocusServiceCategory.BUSINESS_APPLICATIONS,
                limit.LICENCES,
            ),
            "seat": (
                "seat",
                MeteringKind.ALLOCATED,
                FocusServiceCategory.BUSINESS_APPLICATIONS,
                limit.USERS,
            ),
            "bandwidth": (
                "Mbit/s",
                MeteringKind.ALLOCATED,
                FocusServiceCategory.NETWORKING,
                limit.BANDWIDTH,
            ),
            "requests": ("request", MeteringKind.METERED, FocusServiceCategory.WEB, None),
            "data_transfer": ("GiB", MeteringKind.METERED, FocusServiceCategory.NETWORKING, None),
        }

    def test_unknown_type_suggests(self) -> None:
        """Refuses an unknown id, suggesting the close one."""
        with pytest.raises(UnknownReference) as info:
            resource_type("vpcu")
        assert info.value.suggestions == ("vcpu",)

    def test_refuses_a_unit_of_another_dimension_than_its_limit(self) -> None:
        """Refuses a type whose unit is not of the dimension its limit kind measures."""
        with pytest.raises(ValidationError) as info:
            ResourceType(
                id="gpu",
                name="GPUs",
                unit="GiB",
                kind=MeteringKind.ALLOCATED,
                focus_category=FocusServiceCategory.COMPUTE,
                limited_by=agreements.ResourceType.VCPU,
            )
        assert problems_of(info) == [
            (
                "$.unit",
                "a unit of the dimension 'vcpu' limits are measured in (convertible to vcpu)",
            )
        ]


class TestAllocation:
    """Allocation: a holding from since until released."""

    def test_held_within_a_period(self) -> None:
        """Gives the part of a period a released holding was held, in the period's zone."""
        held = vcpus(4, day(3), until=day(17, 12))
        part = held.held(Period.month(2026, 10, BERLIN))
        assert part is not None
        assert part.hours == 14 * 24 + 12
        assert part.start.tzinfo is BERLIN

    def test_refuses_until_not_after_since(self) -> None:
        """Refuses an until at its since, at $.until."""
        with pytest.raises(ValidationError) as info:
            vcpus(4, day(3), until=day(3))
        assert [p for p, _ in problems_of(info)] == ["$.until"]

    def test_round_trips_through_json(self) -> None:
        """Reads back its JSON as an equal allocation."""
        held = vcpus(4, day(3), until=day(9), resource_id="vm-1", cost_centre="CC 12")
        assert from_json(Allocation, to_json(held)) == held


class TestResourcePool:
    """ResourcePool.free: capacity less the most held from an instant on."""

    def test_future_allocation_counts_from_its_start(self) -> None:
        """Counts an allocation starting later, and not one released before the instant."""
        pool = ResourcePool(
            "fra-1", "Frankfurt 1", "eu", [PoolCapacity("vcpu", quantity("64 vcpu"))]
        )
        allocations = [
            vcpus(40),
            vcpus(16, day(20)),
            vcpus(30, day(1), until=day(5)),
        ]
        assert pool.free(allocations, "vcpu", day(10)) == quantity("8 vcpu")


class TestResourceRequest:
    """ResourceRequest.apply: allocate, resize and release at an instant."""

    def test_resize_closes_and_opens_at_the_instant(self) -> None:
        """Closes the holding at the instant and opens one of the new total there."""
        before, after = request(ResourceRequestKind.RESIZE, 8).apply([vcpus(4)], day(17, 12))
        assert before == vcpus(4, until=day(17, 12))
        assert after == vcpus(8, day(17, 12))

    def test_nothing_to_release(self) -> None:
        """Refuses to release what is not held, at $.resource_id."""
        with pytest.raises(ValidationError) as info:
            request(ResourceRequestKind.RELEASE).apply([], day(2))
        assert [p for p, _ in problems_of(info)] == ["$.resource_id"]
