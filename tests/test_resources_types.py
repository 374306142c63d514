"""Resource types, allocations, usage, pools, requests, reclaiming, utilisation (S11).

ISO/IEC 20000-1:2011 4.4 (resources), 6.4 (what is held and used is what is costed),
6.5 (capacity: pools, reclaiming, utilisation), 9.1 and 9.2.
"""

from __future__ import annotations

import datetime as dt
import pickle
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from cloudsms import agreements
from cloudsms.errors import UnknownReference, ValidationError
from cloudsms.periods import Period, timezone
from cloudsms.resources import (
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
from cloudsms.serialization import from_json, to_json
from cloudsms.testing._resources import allocations, strategy_pairs
from cloudsms.testing._strategies import aware_datetimes
from cloudsms.units import format_quantity, quantity

from conftest import examples

UTC = dt.UTC
BERLIN = timezone("Europe/Berlin")
OCT1 = dt.datetime(2026, 10, 1, tzinfo=UTC)
SLOW = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def day(n: int, hour: int = 0, month: int = 10) -> dt.datetime:
    """Day ``n`` of ``month`` 2026 at ``hour`` UTC."""
    return dt.datetime(2026, month, n, hour, tzinfo=UTC)


def vcpus(amount: float, since: dt.datetime = OCT1, **more: Any) -> Allocation:
    """``amount`` vcpu held by acme for its vm service under agr-1."""
    return Allocation("acme", "agr-1", "vm", "vcpu", quantity(f"{amount} vcpu"), since, **more)


def used(text: str, start: dt.datetime, end: dt.datetime, **more: Any) -> Usage:
    """Acme's use of vcpu (or another type, by ``resource_type``) for its vm service."""
    kind = more.pop("resource_type", "vcpu")
    return Usage("acme", "agr-1", "vm", kind, quantity(text), start, end, **more)


def request(kind: ResourceRequestKind, amount: int | None = None, **more: Any) -> ResourceRequest:
    """A request of acme's for vcpu of its vm service."""
    fields: dict[str, Any] = {
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
    return ResourceRequest(**{**fields, **more})


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    """(path, expected) of each problem of a raised ValidationError."""
    return [(p.path, p.expected) for p in error.value.problems]


def own_type(**more: Any) -> ResourceType:
    """A resource type of one's own: GPUs, counted in instances, limited as instances."""
    fields: dict[str, Any] = {
        "id": "gpu",
        "name": "GPUs",
        "unit": "instance",
        "kind": MeteringKind.ALLOCATED,
        "focus_category": FocusServiceCategory.AI_AND_MACHINE_LEARNING,
        "limited_by": agreements.ResourceType.INSTANCES,
    }
    return ResourceType(**{**fields, **more})


class TestResourceTypes:
    """The built-in table of resource types, and ResourceType's checks."""

    def test_table(self) -> None:
        """Ships the ten types of the design with their units, kinds, categories and limits."""
        table = {t.id: (t.unit, t.kind, t.focus_category, t.limited_by) for t in resource_types()}
        limit = agreements.ResourceType
        allocated, metered = MeteringKind.ALLOCATED, MeteringKind.METERED
        focus = FocusServiceCategory
        assert table == {
            "vcpu": ("vcpu", allocated, focus.COMPUTE, limit.VCPU),
            "instance": ("instance", allocated, focus.COMPUTE, limit.INSTANCES),
            "memory": ("GiB", allocated, focus.COMPUTE, limit.MEMORY),
            "storage": ("TB", allocated, focus.STORAGE, limit.STORAGE),
            "ip_address": ("ip_address", allocated, focus.NETWORKING, None),
            "licence": ("licence", allocated, focus.BUSINESS_APPLICATIONS, limit.LICENCES),
            "seat": ("seat", allocated, focus.BUSINESS_APPLICATIONS, limit.USERS),
            "bandwidth": ("Mbit/s", allocated, focus.NETWORKING, limit.BANDWIDTH),
            "requests": ("request", metered, focus.WEB, None),
            "data_transfer": ("GiB", metered, focus.NETWORKING, None),
        }

    def test_focus_categories(self) -> None:
        """Lists the nineteen FOCUS 1.0 ServiceCategory values, spelt as the specification does."""
        assert [c.value for c in FocusServiceCategory] == [
            "AI and Machine Learning",
            "Analytics",
            "Business Applications",
            "Compute",
            "Databases",
            "Developer Tools",
            "Multicloud",
            "Identity",
            "Integration",
            "Internet of Things",
            "Management and Governance",
            "Media",
            "Migration",
            "Mobile",
            "Networking",
            "Security",
            "Storage",
            "Web",
            "Other",
        ]

    def test_dimension(self) -> None:
        """Says what each type's unit measures."""
        assert resource_type("memory").dimension == "[information]"
        assert resource_type("ip_address").dimension == "[ip_address]"
        assert resource_type("bandwidth").dimension == "[information] / [time]"

    def test_ip_address_unit(self) -> None:
        """Counts IP addresses in a base dimension of their own, IP as the alias."""
        assert quantity("2 IP") == quantity("2 ip_address")
        assert format_quantity(quantity("2 IP")) == "2 ip_address"

    def test_unknown_type_suggests(self) -> None:
        """Refuses an unknown id, suggesting the close one."""
        with pytest.raises(UnknownReference) as info:
            resource_type("vpcu")
        assert info.value.suggestions == ("vcpu",)
        assert str(info.value) == "unknown resource type 'vpcu'; did you mean vcpu?"

    def test_a_table_of_ones_own(self) -> None:
        """Looks a type up in the table given instead of the built-in one."""
        gpu = own_type()
        assert resource_type("gpu", types=[gpu]) is gpu
        with pytest.raises(UnknownReference):
            resource_type("vcpu", types=[gpu])

    def test_refuses_a_table_holding_something_else(self) -> None:
        """Refuses a table item that is not a ResourceType, at its index."""
        with pytest.raises(ValidationError) as info:
            resource_type("gpu", types=[own_type(), "vcpu"])  # type: ignore[list-item]
        assert problems_of(info) == [("$.types[1]", "a ResourceType")]

    def test_refuses_a_table_repeating_an_id(self) -> None:
        """Refuses a table with two types of one id, at the second."""
        with pytest.raises(ValidationError) as info:
            resource_type("gpu", types=[own_type(), own_type(name="Other GPUs")])
        assert problems_of(info) == [("$.types[1].id", "an id used once")]

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            ("vcpu*hour", "a unit counting the resource itself, not the time it is held"),
            ("GiB*month", "a unit without calendar time (months and years have no fixed length)"),
            ("%", "a unit such as 'vcpu', 'GiB', 'TB', 'ip_address', 'seat' or 'request'"),
            ("nope", "a unit the registry knows"),
            ("", "a unit such as 'vcpu', 'GiB', 'TB', 'ip_address', 'seat' or 'request'"),
        ],
    )
    def test_refuses_a_unit_that_counts_no_resource(self, unit: str, expected: str) -> None:
        """Refuses a unit that holds time, a calendar unit, a bare number or nothing known."""
        with pytest.raises(ValidationError) as info:
            own_type(unit=unit, limited_by=None)
        ((path, said),) = problems_of(info)
        assert path == "$.unit"
        assert said.startswith(expected)

    def test_refuses_a_unit_of_another_dimension_than_its_limit(self) -> None:
        """Refuses a type whose unit is not of the dimension its limit kind measures."""
        with pytest.raises(ValidationError) as info:
            own_type(unit="GiB", limited_by=agreements.ResourceType.VCPU)
        assert problems_of(info) == [
            (
                "$.unit",
                "a unit of the dimension 'vcpu' limits are measured in (convertible to vcpu)",
            )
        ]

    def test_refuses_a_kind_given_as_text(self) -> None:
        """Refuses a metering kind as text: the constructor takes members, the reader text."""
        with pytest.raises(ValidationError) as info:
            own_type(kind="allocated")
        assert [p for p, _ in problems_of(info)] == ["$.kind"]


class TestAllocation:
    """Allocation: a holding from since until released."""

    def test_held_within_a_period(self) -> None:
        """Gives the part of a period a released holding was held, in the period's zone."""
        held = vcpus(4, day(3), until=day(17, 12))
        part = held.held(Period.month(2026, 10, BERLIN))
        assert part is not None
        assert part.hours == 14 * 24 + 12
        assert part.start.tzinfo is BERLIN
        assert part.end.tzinfo is BERLIN

    def test_held_is_none_outside(self) -> None:
        """Gives None for a period before the holding or after its release."""
        held = vcpus(4, day(3), until=day(17))
        assert held.held(Period(day(1), day(3))) is None
        assert held.held(Period(day(17), day(20))) is None
        assert held.held_seconds(Period(day(17), day(20))) == 0

    def test_held_while_open(self) -> None:
        """Holds an unreleased allocation to the end of any later period."""
        assert vcpus(4, day(3)).held_seconds(Period(day(1), day(5))) == 2 * 86400

    def test_held_at_is_half_open(self) -> None:
        """Is held from since on, and no longer at until."""
        held = vcpus(4, day(3), until=day(17))
        assert [held.held_at(t) for t in (day(2, 23), day(3), day(16, 23), day(17))] == [
            False,
            True,
            True,
            False,
        ]

    def test_held_at_refuses_a_naive_instant(self) -> None:
        """Refuses a naive instant at $.instant."""
        with pytest.raises(ValidationError) as info:
            vcpus(4).held_at(dt.datetime(2026, 10, 3))
        assert [p for p, _ in problems_of(info)] == ["$.instant"]

    def test_held_refuses_a_non_period(self) -> None:
        """Refuses anything but a Period at $.period."""
        with pytest.raises(ValidationError) as info:
            vcpus(4).held((day(1), day(2)))  # type: ignore[arg-type]
        assert problems_of(info) == [("$.period", "a Period")]

    def test_released(self) -> None:
        """Releases at an instant after since, keeping everything else."""
        held = vcpus(4, day(3), resource_id="vm-1", cost_centre="CC 1", location="eu")
        assert held.released(day(9)) == vcpus(
            4, day(3), until=day(9), resource_id="vm-1", cost_centre="CC 1", location="eu"
        )

    @pytest.mark.parametrize("at", [day(3), day(2)])
    def test_released_refuses_an_instant_not_after_since(self, at: dt.datetime) -> None:
        """Refuses a release at or before since, at $.at."""
        with pytest.raises(ValidationError) as info:
            vcpus(4, day(3)).released(at)
        assert problems_of(info) == [
            ("$.at", "an instant after the allocation's since (2026-10-03T00:00:00+00:00)")
        ]

    def test_released_refuses_an_instant_after_until(self) -> None:
        """Refuses to release later than an until already set."""
        with pytest.raises(ValidationError) as info:
            vcpus(4, day(3), until=day(9)).released(day(10))
        assert [p for p, _ in problems_of(info)] == ["$.at"]

    def test_key(self) -> None:
        """Is keyed by customer, agreement, service, type and resource id."""
        assert vcpus(4, resource_id="vm-1").key == ("acme", "agr-1", "vm", "vcpu", "vm-1")

    def test_refuses_every_bad_field_at_its_path(self) -> None:
        """Collects every problem of the fields, each at its path."""
        with pytest.raises(ValidationError) as info:
            Allocation(
                "acme corp",
                "agr-1",
                "vm",
                "vcpu",
                quantity("0 vcpu"),
                dt.datetime(2026, 10, 1),
                resource_id="",
                cost_centre=" ",
            )
        assert [p for p, _ in problems_of(info)] == [
            "$.customer",
            "$.quantity",
            "$.since",
            "$.resource_id",
            "$.cost_centre",
        ]
        assert dict(problems_of(info))["$.quantity"] == "a quantity above zero"

    def test_refuses_until_not_after_since(self) -> None:
        """Refuses an until at its since, at $.until."""
        with pytest.raises(ValidationError) as info:
            vcpus(4, day(3), until=day(3))
        assert problems_of(info) == [
            ("$.until", "an instant after since (2026-10-03T00:00:00+00:00)")
        ]

    def test_refuses_a_calendar_quantity(self) -> None:
        """Refuses a quantity counted in months, which have no fixed length."""
        with pytest.raises(ValidationError) as info:
            Allocation("acme", "agr-1", "vm", "vcpu", quantity("4 vcpu*month"), OCT1)
        assert [p for p, _ in problems_of(info)] == ["$.quantity"]

    def test_refuses_a_quantity_that_is_not_one(self) -> None:
        """Refuses a number where a quantity belongs, saying what is wanted."""
        with pytest.raises(ValidationError) as info:
            Allocation("acme", "agr-1", "vm", "vcpu", 4, OCT1)  # type: ignore[arg-type]
        assert problems_of(info) == [("$.quantity", "a quantity above zero, such as '4 vcpu'")]

    def test_period(self) -> None:
        """Is a Period once released, and None while held."""
        assert vcpus(4, day(3), until=day(9)).period == Period(day(3), day(9))
        assert vcpus(4, day(3)).period is None

    def test_trusted_equals_the_checked_constructor(self) -> None:
        """Builds, unchecked, the value the constructor builds."""
        fields = ("acme", "agr-1", "vm", "vcpu", quantity("4 vcpu"), day(3), day(9))
        more = {"resource_id": "vm-1", "cost_centre": "CC 1", "location": "eu"}
        assert Allocation.trusted(*fields, **more) == Allocation(*fields, **more)

    def test_pickles(self) -> None:
        """Survives pickling as an equal value."""
        held = vcpus(4, day(3), until=day(9))
        assert pickle.loads(pickle.dumps(held)) == held

    def test_round_trips_through_json(self) -> None:
        """Reads back its JSON as an equal allocation."""
        held = vcpus(4, day(3), until=day(9), resource_id="vm-1", cost_centre="CC 12")
        assert from_json(Allocation, to_json(held)) == held


class TestUsage:
    """Usage: what was used over an interval."""

    def test_zero_is_allowed(self) -> None:
        """Takes a usage of zero: an interval in which nothing was used."""
        assert used("0 vcpu*hour", day(1), day(2)).quantity == quantity("0 vcpu*hour")

    def test_refuses_below_zero_and_an_end_not_after_start(self) -> None:
        """Refuses a negative quantity at $.quantity, and an end at the start at $.end."""
        with pytest.raises(ValidationError) as info:
            used("-1 vcpu*hour", day(1), day(2))
        assert problems_of(info) == [("$.quantity", "a quantity not below zero")]
        with pytest.raises(ValidationError) as info:
            used("1 vcpu*hour", day(2), day(2))
        assert [p for p, _ in problems_of(info)] == ["$.end"]

    def test_refuses_a_calendar_quantity_or_none(self) -> None:
        """Refuses use counted in months, and a number that is not a quantity."""
        with pytest.raises(ValidationError) as info:
            used("3 vcpu*month", day(1), day(2))
        assert [p for p, _ in problems_of(info)] == ["$.quantity"]
        with pytest.raises(ValidationError) as info:
            Usage("acme", "agr-1", "vm", "vcpu", 3, day(1), day(2))  # type: ignore[arg-type]
        assert problems_of(info) == [
            ("$.quantity", "a quantity not below zero, such as '350 GiB'")
        ]
        assert used("1 vcpu*hour", day(1), day(2)).period == Period(day(1), day(2))

    def test_covers(self) -> None:
        """Is of its own holding, and of every holding of the type when it names none."""
        first, second = vcpus(4, resource_id="vm-1"), vcpus(2, resource_id="vm-2")
        named = used("1 vcpu*hour", day(1), day(2), resource_id="vm-1")
        anonymous = used("1 vcpu*hour", day(1), day(2))
        other_type = used("1 GiB*hour", day(1), day(2), resource_type="memory")
        assert [named.covers(first), named.covers(second)] == [True, False]
        assert [anonymous.covers(first), anonymous.covers(second)] == [True, True]
        assert not other_type.covers(first)


class TestResourcePool:
    """ResourcePool: capacity per type, and what is free from an instant on."""

    @staticmethod
    def pool() -> ResourcePool:
        """Frankfurt 1: 64 vcpu and 256 GiB of memory."""
        return ResourcePool(
            "fra-1",
            "Frankfurt 1",
            "eu",
            [
                PoolCapacity("vcpu", quantity("64 vcpu")),
                PoolCapacity("memory", quantity("256 GiB")),
            ],
        )

    def test_future_allocation_counts_from_its_start(self) -> None:
        """Counts an allocation starting later, and not one released before the instant."""
        allocations = [vcpus(40), vcpus(16, day(20)), vcpus(30, day(1), until=day(5))]
        assert self.pool().free(allocations, "vcpu", day(10)) == quantity("8 vcpu")

    def test_a_release_and_an_allocation_at_one_instant(self) -> None:
        """Does not add a holding ending at an instant to one starting there."""
        allocations = [vcpus(40, day(1), until=day(10)), vcpus(40, day(10))]
        assert self.pool().free(allocations, "vcpu", day(2)) == quantity("24 vcpu")

    def test_only_the_pools_own_allocations(self) -> None:
        """Leaves out other types and allocations drawn from another location."""
        allocations = [
            vcpus(10, location="eu"),
            vcpus(20, location="us"),
            vcpus(5),
            Allocation("acme", "agr-1", "vm", "memory", quantity("512 MiB"), OCT1),
        ]
        pool = self.pool()
        assert pool.free(allocations, "vcpu", day(2)) == quantity("49 vcpu")
        assert pool.free(allocations, "memory", day(2)) == quantity("255.5 GiB")

    def test_over_promised(self) -> None:
        """Goes below zero when more is promised than the pool holds."""
        assert self.pool().free([vcpus(70)], "vcpu", day(2)) == quantity("-6 vcpu")

    def test_capacity_of(self) -> None:
        """Gives a type's capacity, or None for a type the pool does not serve."""
        assert self.pool().capacity_of("memory") == quantity("256 GiB")
        assert self.pool().capacity_of("storage") is None

    def test_free_of_an_unknown_type(self) -> None:
        """Refuses a type the pool has no capacity of, suggesting the close one."""
        with pytest.raises(UnknownReference) as info:
            self.pool().free([], "memroy", day(2))
        assert str(info.value) == (
            "unknown resource type 'memroy' in pool fra-1; did you mean memory?"
        )

    def test_free_refuses_an_allocation_in_another_dimension(self) -> None:
        """Refuses an allocation of the type not convertible to the capacity's unit."""
        wrong = Allocation("acme", "agr-1", "vm", "vcpu", quantity("4 GiB"), OCT1)
        with pytest.raises(ValidationError) as info:
            self.pool().free([vcpus(1), wrong], "vcpu", day(2))
        assert problems_of(info) == [
            ("$.allocations[1].quantity", "a quantity convertible to vcpu")
        ]

    def test_refuses_a_capacity_below_zero(self) -> None:
        """Refuses a negative capacity, and a capacity that is not a quantity."""
        with pytest.raises(ValidationError) as info:
            PoolCapacity("vcpu", quantity("-1 vcpu"))
        assert problems_of(info) == [("$.capacity", "a quantity not below zero")]
        with pytest.raises(ValidationError) as info:
            PoolCapacity("vcpu", 512)  # type: ignore[arg-type]
        assert problems_of(info) == [
            ("$.capacity", "a quantity not below zero, such as '512 vcpu'")
        ]

    def test_free_refuses_what_is_not_an_allocation(self) -> None:
        """Refuses an item that is not an Allocation, and a naive instant."""
        with pytest.raises(ValidationError) as info:
            self.pool().free([vcpus(1), "vm-1"], "vcpu", day(2))  # type: ignore[list-item]
        assert problems_of(info) == [("$.allocations[1]", "an Allocation")]
        with pytest.raises(ValidationError) as info:
            self.pool().free([], "vcpu", dt.datetime(2026, 10, 2))
        assert [p for p, _ in problems_of(info)] == ["$.at"]

    def test_refuses_a_type_twice(self) -> None:
        """Refuses two capacities of one type, at the second."""
        twice = [
            PoolCapacity("vcpu", quantity("1 vcpu")),
            PoolCapacity("vcpu", quantity("2 vcpu")),
        ]
        with pytest.raises(ValidationError) as info:
            ResourcePool("fra-1", "Frankfurt 1", "eu", twice)
        assert [p for p, _ in problems_of(info)] == ["$.capacities[1].resource_type"]

    def test_checked_against_the_resource_types(self) -> None:
        """Finds nothing wrong with a pool of built-in types in their units (GiB as MiB too)."""
        pool = self.pool()
        assert pool.problems() == []
        pool.check()
        odd = ResourcePool("p", "P", "eu", [PoolCapacity("memory", quantity("512 MiB"))])
        assert odd.problems() == []

    def test_check_names_a_type_typed_wrong(self) -> None:
        """Names an unknown type at its capacity, with the close ids, or all of them if none is."""
        pool = ResourcePool(
            "fra-1",
            "Frankfurt 1",
            "eu",
            [
                PoolCapacity("vpcu", quantity("64 vcpu")),
                PoolCapacity("quantum", quantity("8 instance")),
            ],
        )
        with pytest.raises(ValidationError) as info:
            pool.check()
        assert info.value.subject == "resource pool"
        known = ", ".join(sorted(t.id for t in resource_types()))
        assert problems_of(info) == [
            ("$.capacities[0].resource_type", "a known resource type (did you mean vcpu?)"),
            ("$.capacities[1].resource_type", f"a known resource type (one of {known})"),
        ]

    def test_check_names_a_capacity_in_another_dimension(self) -> None:
        """Names a capacity its type's unit cannot count (512 GiB of vcpu), with what it got."""
        pool = ResourcePool(
            "fra-1",
            "Frankfurt 1",
            "eu",
            [
                PoolCapacity("vcpu", quantity("512 GiB")),
                PoolCapacity("memory", quantity("1 TB")),
            ],
        )
        assert [(p.path, p.expected, p.got) for p in pool.problems()] == [
            (
                "$.capacities[0].capacity",
                "a quantity convertible to vcpu, the unit of vcpu",
                "512 GiB",
            )
        ]

    def test_check_against_ones_own_types(self) -> None:
        """Reads the types from ``types`` when given, and refuses a table that is not one."""
        pool = ResourcePool("p", "P", "eu", [PoolCapacity("gpu", quantity("8 instance"))])
        assert pool.problems([own_type()]) == []
        assert [p.path for p in pool.problems()] == ["$.capacities[0].resource_type"]
        with pytest.raises(ValidationError) as info:
            pool.check([own_type(), "vcpu"])  # type: ignore[list-item]
        assert [p for p, _ in problems_of(info)] == ["$.types[1]"]

    def test_is_a_document(self) -> None:
        """Writes its type and schema version, and reads back equal."""
        text = to_json(self.pool())
        assert text.startswith('{"type":"cloudsms.resource-pool","schema_version":1,')
        assert from_json(ResourcePool, text) == self.pool()


class TestResourceRequest:
    """ResourceRequest: the record, apply and target."""

    def test_resize_closes_and_opens_at_the_instant(self) -> None:
        """Closes the holding at noon on the 17th and opens one of the new total there."""
        before, after = request(ResourceRequestKind.RESIZE, 8).apply([vcpus(4)], day(17, 12))
        assert before == vcpus(4, until=day(17, 12))
        assert after == vcpus(8, day(17, 12))

    def test_resize_keeps_the_holdings_key_and_a_scheduled_release(self) -> None:
        """Keeps resource id, cost centre, location and a release already scheduled."""
        held = vcpus(4, until=day(30), resource_id="vm-1", cost_centre="CC", location="eu")
        _, after = request(ResourceRequestKind.RESIZE, 2, cost_centre="other").apply(
            [held], day(10)
        )
        assert after == vcpus(
            2, day(10), until=day(30), resource_id="vm-1", cost_centre="CC", location="eu"
        )

    def test_release(self) -> None:
        """Releases the holding at the instant, leaving others as they are."""
        other = Allocation("zeta", "agr-9", "vm", "vcpu", quantity("2 vcpu"), OCT1)
        assert request(ResourceRequestKind.RELEASE).apply([other, vcpus(4)], day(5)) == (
            other,
            vcpus(4, until=day(5)),
        )

    def test_release_of_a_holding_begun_at_the_instant(self) -> None:
        """Drops a holding that begins at the release instant: it never held anything."""
        assert request(ResourceRequestKind.RELEASE).apply([vcpus(4, day(5))], day(5)) == ()

    def test_allocate(self) -> None:
        """Adds a holding from the instant, with the request's resource id and cost centre."""
        asked = request(
            ResourceRequestKind.ALLOCATE, 2, resource_id="vm-2", cost_centre="CC", location="eu"
        )
        assert asked.apply([vcpus(4, resource_id="vm-1")], day(5)) == (
            vcpus(4, resource_id="vm-1"),
            vcpus(2, day(5), resource_id="vm-2", cost_centre="CC", location="eu"),
        )
        assert asked.target([vcpus(4)], day(5)) is None

    def test_allocate_refuses_a_resource_id_already_held(self) -> None:
        """Refuses to allocate again under a resource id held at the instant."""
        with pytest.raises(ValidationError) as info:
            request(ResourceRequestKind.ALLOCATE, 2, resource_id="vm-1").apply(
                [vcpus(4, resource_id="vm-1")], day(5)
            )
        assert problems_of(info) == [
            (
                "$.resource_id",
                (
                    "a resource id not held at 2026-10-05T00:00:00+00:00 or later (it is held"
                    " from 2026-10-01T00:00:00+00:00: resize or release that holding instead)"
                ),
            )
        ]

    def test_allocate_refuses_a_resource_id_held_later(self) -> None:
        """A holding of the id scheduled from the 20th overlaps an allocation from the 5th."""
        scheduled = vcpus(4, day(20), resource_id="vm-2")
        asked = request(ResourceRequestKind.ALLOCATE, 2, resource_id="vm-2")
        with pytest.raises(ValidationError) as info:
            asked.apply([scheduled], day(5))
        assert problems_of(info) == [
            (
                "$.resource_id",
                (
                    "a resource id not held at 2026-10-05T00:00:00+00:00 or later (it is held"
                    " from 2026-10-20T00:00:00+00:00: resize or release that holding instead)"
                ),
            )
        ]
        released = vcpus(4, OCT1, until=day(5), resource_id="vm-2")
        assert asked.apply([released], day(5))[-1] == vcpus(2, day(5), resource_id="vm-2")

    def test_release_before_a_scheduled_resize(self) -> None:
        """4 vcpu, resized to 8 from the 20th, released on the 5th: nothing held from the 5th."""
        scheduled = request(ResourceRequestKind.RESIZE, 8, resource_id="vm-1").apply(
            [vcpus(4, resource_id="vm-1")], day(20)
        )
        after = request(ResourceRequestKind.RELEASE, resource_id="vm-1").apply(scheduled, day(5))
        assert after == (vcpus(4, until=day(5), resource_id="vm-1"),)

    def test_resize_before_a_scheduled_resize(self) -> None:
        """A resize to 2 on the 10th sets 2 vcpu from then on, the 8 of the 20th replaced."""
        scheduled = request(ResourceRequestKind.RESIZE, 8).apply(
            [vcpus(4, until=day(28))], day(20)
        )
        after = request(ResourceRequestKind.RESIZE, 2).apply(scheduled, day(10))
        assert after == (vcpus(4, until=day(10)), vcpus(2, day(10), until=day(28)))
        undone = request(ResourceRequestKind.RESIZE, 4).apply(scheduled, day(10))
        assert undone == (vcpus(4, until=day(28)),)

    def test_a_holding_allocated_afresh_later_is_another_holding(self) -> None:
        """A release on the 3rd leaves vm-1 allocated again from the 25th (not a continuation)."""
        first = vcpus(4, until=day(5), resource_id="vm-1")
        again = vcpus(2, day(25), resource_id="vm-1")
        after = request(ResourceRequestKind.RELEASE, resource_id="vm-1").apply(
            [first, again], day(3)
        )
        assert after == (vcpus(4, until=day(3), resource_id="vm-1"), again)

    @settings(max_examples=examples(60), deadline=None)
    @given(
        changes=st.lists(
            st.tuples(st.integers(2, 27), st.sampled_from([None, 1, 2, 3, 6, 8])),
            min_size=1,
            max_size=5,
        ),
        release_on=st.integers(2, 27),
    )
    def test_nothing_is_held_after_a_release(
        self, changes: list[tuple[int, int | None]], release_on: int
    ) -> None:
        """Whatever was scheduled (resizes, a release), a release at t leaves nothing from t."""
        held: tuple[Allocation, ...] = (vcpus(4, resource_id="vm-1"),)
        for when, amount in changes:
            kind = ResourceRequestKind.RELEASE if amount is None else ResourceRequestKind.RESIZE
            try:
                held = request(kind, amount, resource_id="vm-1").apply(held, day(when))
            except ValidationError:
                continue  # not held then, or the amount held: nothing scheduled
        t = day(release_on)
        try:
            after = request(ResourceRequestKind.RELEASE, resource_id="vm-1").apply(held, t)
        except ValidationError:
            assert not any(a.held_at(t) for a in held)
            return
        assert not any(a.until is None or a.until > t for a in after)
        assert [a.held(Period(OCT1, t)) for a in after] == [
            a.held(Period(OCT1, t)) for a in held if a.held(Period(OCT1, t)) is not None
        ]

    def test_nothing_to_release(self) -> None:
        """Refuses to release what is not held at the instant, at $.resource_id."""
        with pytest.raises(ValidationError) as info:
            request(ResourceRequestKind.RELEASE).apply([vcpus(4, day(9))], day(2))
        assert problems_of(info) == [
            (
                "$.resource_id",
                (
                    "a holding of vcpu by acme for vm under agr-1 held at"
                    " 2026-10-02T00:00:00+00:00 to release"
                ),
            )
        ]

    def test_ambiguous_holding(self) -> None:
        """Refuses to choose between holdings when it names no resource id, listing them."""
        held = [vcpus(4, resource_id="vm-1"), vcpus(2, resource_id="vm-2")]
        with pytest.raises(ValidationError) as info:
            request(ResourceRequestKind.RESIZE, 8).apply(held, day(5))
        assert problems_of(info) == [
            (
                "$.resource_id",
                "the resource id of one of the 2 holdings it could act on: 'vm-1', 'vm-2'",
            )
        ]

    def test_resource_id_chooses(self) -> None:
        """Acts on the holding it names."""
        held = [vcpus(4, resource_id="vm-1"), vcpus(2, resource_id="vm-2")]
        resize = request(ResourceRequestKind.RESIZE, 8, resource_id="vm-2")
        assert resize.target(held, day(5)) == held[1]
        assert resize.apply(held, day(5))[1:] == (
            vcpus(2, resource_id="vm-2", until=day(5)),
            vcpus(8, day(5), resource_id="vm-2"),
        )

    def test_resize_refuses_another_dimension(self) -> None:
        """Refuses to resize vcpu to GiB, at $.quantity."""
        resize = request(ResourceRequestKind.RESIZE, quantity=quantity("8 GiB"))
        with pytest.raises(ValidationError) as info:
            resize.apply([vcpus(4)], day(5))
        assert problems_of(info) == [
            ("$.quantity", "a quantity of the holding's dimension ([vcpu])")
        ]

    @pytest.mark.parametrize("amount", ["4 vcpu", "4.000 vcpu"])
    def test_resize_refuses_the_amount_held(self, amount: str) -> None:
        """Refuses to resize 4 vcpu to 4 vcpu, however written: nothing to change."""
        resize = request(ResourceRequestKind.RESIZE, quantity=quantity(amount))
        with pytest.raises(ValidationError) as info:
            resize.apply([vcpus(4)], day(5))
        assert problems_of(info) == [
            ("$.quantity", "a new total other than the 4 vcpu held (nothing to change)")
        ]

    def test_resize_refuses_the_amount_held_in_another_unit(self) -> None:
        """Refuses to resize 512 MiB of memory to 0.5 GiB, the same amount."""
        held = Allocation("acme", "agr-1", "vm", "memory", quantity("512 MiB"), OCT1)
        resize = request(
            ResourceRequestKind.RESIZE, resource_type="memory", quantity=quantity("0.5 GiB")
        )
        with pytest.raises(ValidationError) as info:
            resize.apply([held], day(5))
        assert problems_of(info) == [
            ("$.quantity", "a new total other than the 512 MiB held (nothing to change)")
        ]
        grown = attrs.evolve(resize, quantity=quantity("0.75 GiB"))
        assert grown.apply([held], day(5))[-1].quantity == quantity("0.75 GiB")

    def test_apply_refuses_what_is_not_an_allocation(self) -> None:
        """Refuses an item that is not an Allocation, at its index."""
        with pytest.raises(ValidationError) as info:
            request(ResourceRequestKind.RELEASE).apply([vcpus(4), "vm-1"], day(5))  # type: ignore[list-item]
        assert problems_of(info) == [("$.allocations[1]", "an Allocation")]

    @pytest.mark.parametrize(
        ("kind", "amount", "expected"),
        [
            (ResourceRequestKind.RELEASE, 4, "null for a release (it ends the whole holding)"),
            (
                ResourceRequestKind.ALLOCATE,
                None,
                "a quantity above zero for allocate: the amount to add",
            ),
            (ResourceRequestKind.RESIZE, None, "a quantity above zero for resize: the new total"),
        ],
    )
    def test_quantity_by_kind(
        self, kind: ResourceRequestKind, amount: int | None, expected: str
    ) -> None:
        """Wants no quantity for a release and one above zero for the others."""
        with pytest.raises(ValidationError) as info:
            request(kind, amount)
        assert problems_of(info) == [("$.quantity", expected)]

    def test_effective_not_before_requested(self) -> None:
        """Refuses an effective instant before the request was made."""
        with pytest.raises(ValidationError) as info:
            request(ResourceRequestKind.RELEASE, effective_at=day(1) - dt.timedelta(seconds=1))
        assert [p for p, _ in problems_of(info)] == ["$.effective_at"]

    def test_is_a_document(self) -> None:
        """Writes its type and schema version, and reads back equal."""
        asked = request(ResourceRequestKind.RESIZE, 8, effective_at=day(17, 12))
        text = to_json(asked)
        assert text.startswith('{"type":"cloudsms.resource-request","schema_version":1,')
        assert from_json(ResourceRequest, text) == asked

    @SLOW
    @given(
        st.lists(
            allocations(
                customers=["acme"], agreements=["agr-1"], services=["vm"], max_days=60
            ).map(lambda a: attrs.evolve(a, resource_type="vcpu", quantity=quantity("4 vcpu"))),
            min_size=1,
            max_size=5,
        ),
        st.sampled_from([ResourceRequestKind.RELEASE, ResourceRequestKind.RESIZE]),
        st.data(),
    )
    def test_apply_never_changes_the_past(
        self, held: list[Allocation], kind: ResourceRequestKind, data: st.DataObject
    ) -> None:
        """Leaves every holding before the instant as it was, for a resize or a release."""
        target = data.draw(st.sampled_from(held))
        at = data.draw(
            aware_datetimes(min_value=dt.datetime(1949, 1, 1), max_value=dt.datetime(2051, 1, 1))
        )
        asked = request(
            kind,
            None if kind is ResourceRequestKind.RELEASE else 3,
            resource_id=target.resource_id,
        )
        try:
            acted, after = asked.target(held, at), asked.apply(held, at)
        except ValidationError:
            reject()
        assert acted is not None
        assert past(after, at) == past(held, at)
        now = [a.quantity for a in after if a.key == acted.key and a.held_at(at)]
        assert now == ([] if kind is ResourceRequestKind.RELEASE else [quantity("3 vcpu")])


def past(held: tuple[Allocation, ...] | list[Allocation], at: dt.datetime) -> list[Any]:
    """What each holding held before ``at``: key, quantity, since and end cut at ``at``."""
    moment = at.astimezone(UTC)
    parts = [
        (
            a.key,
            str(a.quantity),
            a.since.astimezone(UTC),
            min(moment, (a.until or at).astimezone(UTC)),
        )
        for a in held
        if a.since.astimezone(UTC) < moment
    ]
    return sorted(parts, key=repr)


class TestReclaimCandidates:
    """reclaim_candidates: holdings unused for an agreed number of days."""

    def test_thirty_unused_days(self) -> None:
        """Lists a holding last used 30 days before, with the days counted, and no earlier."""
        held = vcpus(4, day(1, month=8), resource_id="vm-1")
        last = used("2 vcpu*hour", day(14, month=9), day(15, month=9), resource_id="vm-1")
        (candidate,) = reclaim_candidates([held], [last], unused_for=30, as_of=day(15))
        assert candidate == ReclaimCandidate(held, day(15, month=9), 30)
        assert reclaim_candidates([held], [last], unused_for=31, as_of=day(15)) == ()

    def test_zero_usage_is_no_use(self) -> None:
        """Takes usage of zero for no use: the holding is unused since it began."""
        held = vcpus(4, day(1, month=8))
        idle = used("0 vcpu*hour", day(1, month=9), day(14))
        (candidate,) = reclaim_candidates([held], [idle], unused_for=30, as_of=day(15))
        assert (candidate.unused_since, candidate.days_unused) == (day(1, month=8), 75)

    def test_usage_of_another_holding(self) -> None:
        """Counts usage naming another resource id as no use of this one."""
        held = vcpus(4, day(1, month=8), resource_id="vm-1")
        other = used("9 vcpu*hour", day(10), day(14), resource_id="vm-2")
        anonymous = used("9 vcpu*hour", day(10), day(14))
        assert len(reclaim_candidates([held], [other], unused_for=30, as_of=day(15))) == 1
        assert reclaim_candidates([held], [anonymous], unused_for=30, as_of=day(15)) == ()

    def test_usage_running_into_as_of(self) -> None:
        """Counts a usage still running at as_of as use up to as_of; later usage not at all."""
        held = vcpus(4, day(1, month=8))
        running = used("1 vcpu*hour", day(1, month=9), day(20))
        later = used("1 vcpu*hour", day(16), day(17))
        assert reclaim_candidates([held], [running], unused_for=1, as_of=day(15)) == ()
        (candidate,) = reclaim_candidates([held], [later], unused_for=1, as_of=day(15))
        assert candidate.unused_since == day(1, month=8)

    def test_young_and_released_holdings(self) -> None:
        """Leaves out holdings younger than the days agreed, and those not held at as_of."""
        young = vcpus(4, day(1))
        gone = vcpus(4, day(1, month=8), until=day(14))
        assert reclaim_candidates([young, gone], [], unused_for=30, as_of=day(15)) == ()

    def test_a_resize_does_not_reset_the_clock(self) -> None:
        """Held unused since 1 August, resized on 10 October: 75 days unused on the 15th."""
        first = vcpus(4, day(1, month=8), resource_id="vm-1")
        resized = request(ResourceRequestKind.RESIZE, 2, resource_id="vm-1").apply(
            [first], day(10)
        )
        (candidate,) = reclaim_candidates(resized, [], unused_for=30, as_of=day(15))
        assert candidate.allocation == vcpus(2, day(10), resource_id="vm-1")
        assert (candidate.unused_since, candidate.days_unused) == (day(1, month=8), 75)
        twice = request(ResourceRequestKind.RESIZE, 6, resource_id="vm-1").apply(resized, day(12))
        (again,) = reclaim_candidates(twice, [], unused_for=30, as_of=day(15))
        assert again.unused_since == day(1, month=8)
        apart = [vcpus(4, day(1, month=8), until=day(9), resource_id="vm-1"), resized[-1]]
        assert reclaim_candidates(apart, [], unused_for=30, as_of=day(15)) == ()

    def test_days_counted_by_the_time_of_day(self) -> None:
        """Held from noon on the 1st: at 11:00 on the 15th it is 13 whole days, at noon 14."""
        held = vcpus(4, day(1, 12))
        assert reclaim_candidates([held], [], unused_for=14, as_of=day(15, 11)) == ()
        (candidate,) = reclaim_candidates([held], [], unused_for=13, as_of=day(15, 11))
        assert candidate.days_unused == 13
        (at_noon,) = reclaim_candidates([held], [], unused_for=14, as_of=day(15, 12))
        assert at_noon.days_unused == 14

    def test_days_on_the_calendar_of_as_of(self) -> None:
        """Counts calendar days on as_of's calendar: October in Berlin is 31 days of 745 hours."""
        october = Period.month(2026, 10, BERLIN)
        held = vcpus(4, october.start)
        (candidate,) = reclaim_candidates([held], [], unused_for=31, as_of=october.end)
        assert candidate.days_unused == 31
        just_short = october.end - dt.timedelta(microseconds=1)
        assert reclaim_candidates([held], [], unused_for=31, as_of=just_short) == ()

    def test_release_request(self) -> None:
        """Makes a release request that, applied, releases the holding."""
        held = vcpus(4, day(1, month=8), resource_id="vm-1")
        (candidate,) = reclaim_candidates([held], [], unused_for=30, as_of=day(15))
        release = candidate.release_request(id="rr-9", requested_at=day(15), requested_by="ops")
        assert (release.kind, release.resource_id, release.quantity) == (
            ResourceRequestKind.RELEASE,
            "vm-1",
            None,
        )
        assert release.apply([held], day(16)) == (held.released(day(16)),)

    @pytest.mark.parametrize("days", [0, -3, True, 1.5, "30"])
    def test_refuses_days_that_are_not_a_whole_number(self, days: object) -> None:
        """Refuses a number of days that is not a whole number of 1 or more."""
        with pytest.raises(ValidationError) as info:
            reclaim_candidates([], [], unused_for=days, as_of=day(15))  # type: ignore[arg-type]
        assert problems_of(info) == [("$.unused_for", "a whole number of days, 1 or more")]

    def test_refuses_a_naive_as_of_and_items_of_another_kind(self) -> None:
        """Refuses a naive as_of at $.as_of, and a usage that is not one at $.usage[0]."""
        with pytest.raises(ValidationError) as info:
            reclaim_candidates([], [], unused_for=3, as_of=dt.datetime(2026, 10, 1))
        assert [p for p, _ in problems_of(info)] == ["$.as_of"]
        with pytest.raises(ValidationError) as info:
            reclaim_candidates([vcpus(4)], [vcpus(4)], unused_for=3, as_of=day(15))  # type: ignore[list-item]
        assert problems_of(info) == [("$.usage[0]", "a Usage")]

    def test_refuses_negative_days(self) -> None:
        """Refuses a candidate of fewer than zero days unused."""
        with pytest.raises(ValidationError) as info:
            ReclaimCandidate(vcpus(4), OCT1, -1)
        assert [p for p, _ in problems_of(info)] == ["$.days_unused"]


class TestUtilisation:
    """utilisation: used against allocated per resource type."""

    def test_four_vcpu_over_october_in_berlin(self) -> None:
        """Counts 4 vcpu over October 2026 in Berlin as 745 hours: 2980 vcpu*hour held."""
        october = Period.month(2026, 10, BERLIN)
        held = vcpus(4, october.start, until=october.end)
        half = used("1490 vcpu*hour", october.start, october.end)
        (vcpu,) = utilisation([held], [half], october)
        assert vcpu == Utilisation(
            resource_type="vcpu",
            period=october,
            allocated=quantity("2980 vcpu*hour"),
            used=quantity("1490 vcpu*hour"),
        )
        assert vcpu.ratio == Fraction(1, 2)

    def test_four_vcpu_over_october_in_utc(self) -> None:
        """Counts 744 hours of October in UTC: 2976 vcpu*hour."""
        october = Period.month(2026, 10, UTC)
        (vcpu,) = utilisation([vcpus(4)], [], october)
        assert vcpu.allocated == quantity("2976 vcpu*hour")
        assert vcpu.ratio == 0

    def test_mid_period_resize(self) -> None:
        """Adds the time held before and after a resize on the 17th at noon."""
        october = Period.month(2026, 10, UTC)
        held = request(ResourceRequestKind.RESIZE, 8).apply([vcpus(4)], day(17, 12))
        (vcpu,) = utilisation(held, [], october)
        assert vcpu.allocated == quantity(f"{4 * (16 * 24 + 12) + 8 * (14 * 24 + 12)} vcpu*hour")

    def test_usage_reaching_past_the_period(self) -> None:
        """Counts a usage in proportion to its time inside the period."""
        october = Period.month(2026, 10, UTC)
        straddling = used("48 vcpu*hour", day(31, 12), day(2, 12, month=11))
        (vcpu,) = utilisation([vcpus(4)], [straddling], october)
        assert vcpu.used == quantity("12 vcpu*hour")

    def test_units_converted_to_the_types(self) -> None:
        """Converts memory held in MiB and used in GiB*min to the type's unit, GiB*hour."""
        october = Period.month(2026, 10, UTC)
        held = Allocation("acme", "agr-1", "vm", "memory", quantity("512 MiB"), OCT1)
        use = used("60 GiB*min", day(2), day(3), resource_type="memory")
        (memory,) = utilisation([held], [use], october)
        assert (memory.allocated, memory.used) == (
            quantity("372 GiB*hour"),
            quantity("1 GiB*hour"),
        )
        assert memory.ratio == Fraction(1, 372)

    def test_the_ratio_is_exact_where_the_sums_never_end(self) -> None:
        """Divides the exact sums: a third of an hour used of 4 held is 1/12, not 38 digits."""
        hour = Period(day(2), day(2, 1))
        third = used("1 vcpu*hour", day(2), day(2, 3))
        (vcpu,) = utilisation([vcpus(4)], [third], hour)
        assert vcpu.used == quantity("0.33333333333333333333333333333333333333 vcpu*hour")
        assert vcpu.ratio == Fraction(1, 12)
        assert pickle.loads(pickle.dumps(vcpu)).ratio == Fraction(1, 12)

    def test_the_ratio_of_figures_written_out(self) -> None:
        """Figures read back from JSON divide the magnitudes written (the exact sums stay home)."""
        hour = Period(day(2), day(2, 1))
        (vcpu,) = utilisation([vcpus(4)], [used("1 vcpu*hour", day(2), day(2, 3))], hour)
        back = from_json(Utilisation, to_json(vcpu))
        assert back == vcpu
        assert "exact" not in to_json(vcpu)
        assert back.ratio == Fraction(vcpu.used.magnitude) / 4
        assert back.ratio != Fraction(1, 12)

    def test_the_ratio_of_figures_built_from_quantities(self) -> None:
        """Figures built by hand divide their magnitudes; none held gives no ratio."""
        october = Period.month(2026, 10, UTC)
        built = Utilisation(
            resource_type="vcpu",
            period=october,
            allocated=quantity("2976 vcpu*hour"),
            used=quantity("744 vcpu*hour"),
        )
        assert built.ratio == Fraction(1, 4)
        idle = attrs.evolve(built, allocated=quantity("0 vcpu*hour"))
        assert idle.ratio is None

    def test_metered_usage_left_out_and_nothing_held(self) -> None:
        """Leaves metered usage out, and gives no ratio where nothing was held."""
        october = Period.month(2026, 10, UTC)
        requests = used("1200000 request", day(2), day(3), resource_type="requests")
        idle = used("5 vcpu*hour", day(2), day(3))
        (vcpu,) = utilisation([], [requests, idle], october)
        assert (vcpu.allocated, vcpu.ratio) == (quantity("0 vcpu*hour"), None)

    def test_order_of_the_table(self) -> None:
        """Gives one figure per type, in the order of the type table."""
        october = Period.month(2026, 10, UTC)
        memory = Allocation("acme", "agr-1", "vm", "memory", quantity("1 GiB"), OCT1)
        figures = utilisation([memory, vcpus(1)], [], october)
        assert [f.resource_type for f in figures] == ["vcpu", "memory"]

    def test_a_table_of_ones_own(self) -> None:
        """Reads the types from the table given."""
        gpu = own_type()
        held = Allocation("acme", "agr-1", "ml", "gpu", quantity("2 instance"), OCT1)
        (figure,) = utilisation([held], [], Period(day(1), day(2)), types=[gpu])
        assert figure.allocated == quantity("48 instance*hour")

    def test_refuses_every_problem_of_the_items(self) -> None:
        """Names every unknown type, metered allocation and unit in the wrong dimension."""
        october = Period.month(2026, 10, UTC)
        with pytest.raises(ValidationError) as info:
            utilisation(
                [
                    Allocation("acme", "agr-1", "vm", "vpcu", quantity("1 vcpu"), OCT1),
                    Allocation("acme", "agr-1", "vm", "requests", quantity("1 request"), OCT1),
                    Allocation("acme", "agr-1", "vm", "vcpu", quantity("1 GiB"), OCT1),
                ],
                [used("3 vcpu", day(1), day(2))],
                october,
            )
        assert problems_of(info) == [
            (
                "$.allocations[0].resource_type",
                "a resource type of the table (did you mean vcpu?)",
            ),
            (
                "$.allocations[1].resource_type",
                "an allocated resource type (requests is metered: record its usage)",
            ),
            ("$.allocations[2].quantity", "a quantity convertible to vcpu (the unit of vcpu)"),
            ("$.usage[0].quantity", "a quantity convertible to vcpu*hour (the use of vcpu held)"),
        ]

    def test_refuses_a_period_that_is_not_one(self) -> None:
        """Refuses anything but a Period at $.period."""
        with pytest.raises(ValidationError) as info:
            utilisation([], [], "2026-10")  # type: ignore[arg-type]
        assert problems_of(info) == [("$.period", "a Period")]

    def test_used_of_another_dimension(self) -> None:
        """Refuses a figure whose used is not measured as its allocated, at $.used."""
        with pytest.raises(ValidationError) as info:
            Utilisation(
                resource_type="vcpu",
                period=Period.month(2026, 10, UTC),
                allocated=quantity("1 vcpu*hour"),
                used=quantity("1 GiB*hour"),
            )
        assert [p for p, _ in problems_of(info)] == ["$.used"]


class TestJson:
    """Every record of cloudsms.resources reads back from its JSON as an equal value."""

    @pytest.mark.parametrize(
        ("kind", "strategy"), strategy_pairs(), ids=lambda v: getattr(v, "__name__", "")
    )
    def test_round_trip(self, kind: type, strategy: st.SearchStrategy[Any]) -> None:
        """Reads back every drawn value of the type from its JSON."""

        @SLOW
        @given(strategy)
        def check(value: Any) -> None:
            assert from_json(kind, to_json(value)) == value

        check()
