"""Carrying out resource requests: the agreement's limits, the pool's capacity, the change (S11).

ISO/IEC 20000-1:2011 4.4 (resources), 6.5 (capacity), 9.1 (configuration records
updated under the change) and 9.2 (resource requests run as standard changes).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from cloudsms import agreements
from cloudsms._foundation.exact import to_decimal
from cloudsms.agreements import Amendment, ResourceLimit, TermKind, amend
from cloudsms.configuration import (
    ConfigurationItem,
    ConfigurationRecord,
    Relation,
    RelationKind,
)
from cloudsms.errors import ValidationError
from cloudsms.parties import Acknowledgement
from cloudsms.procedures.resource_change import (
    LimitKind,
    Refusal,
    ResourceChange,
    attribute_key,
    carry_out,
)
from cloudsms.resources import (
    Allocation,
    FocusServiceCategory,
    MeteringKind,
    PoolCapacity,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
    ResourceType,
    resource_types,
)
from cloudsms.units import format_quantity, fraction_in, quantity

from conftest import examples

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import ModuleType

    from cloudsms.agreements import CloudServiceAgreement

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "agreement.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("resource_change_agreement_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["resource_change_agreement_example"] = module
    spec.loader.exec_module(module)
    return module


example = _example()
UTC = dt.UTC
OCT1 = dt.datetime(2026, 10, 1, tzinfo=UTC)
NOON_17 = dt.datetime(2026, 10, 17, 12, tzinfo=UTC)
SERVICE = "crm-service"


def limited(**limits: str) -> CloudServiceAgreement:
    """The example's agreement (globex, csa-2026-001) with these resource limits."""
    agreement: CloudServiceAgreement = attrs.evolve(
        example.agree(example.catalogue()),
        resource_limits=tuple(
            ResourceLimit(resource_type=agreements.ResourceType(kind), at_most=quantity(most))
            for kind, most in limits.items()
        ),
    )
    return agreement


AGREEMENT = limited(vcpu="16 vcpu", memory="64 GiB")
POOL = ResourcePool(
    "fra-1",
    "Frankfurt 1",
    "eu-central",
    [PoolCapacity("vcpu", quantity("24 vcpu")), PoolCapacity("memory", quantity("128 GiB"))],
)


def held(
    amount: str,
    resource_id: str | None = "vm-1",
    *,
    since: dt.datetime = OCT1,
    customer: str = "globex",
    agreement: str = "csa-2026-001",
    **more: Any,
) -> Allocation:
    """``amount`` (``"4 vcpu"``) held for the CRM service from 1 October."""
    kind = more.pop("resource_type", "memory" if "GiB" in amount else "vcpu")
    return Allocation(
        customer,
        agreement,
        SERVICE,
        kind,
        quantity(amount),
        since,
        resource_id=resource_id,
        **more,
    )


def ask(
    kind: ResourceRequestKind,
    amount: str | None = None,
    resource_id: str | None = "vm-1",
    **more: Any,
) -> ResourceRequest:
    """Globex's request for vcpu of the CRM service, made on 1 October."""
    type_id = "memory" if amount is not None and "GiB" in amount else "vcpu"
    fields: dict[str, Any] = {
        "id": "rr-1",
        "kind": kind,
        "customer": "globex",
        "agreement": "csa-2026-001",
        "service": SERVICE,
        "resource_type": type_id,
        "quantity": None if amount is None else quantity(amount),
        "resource_id": resource_id,
        "requested_at": OCT1,
        "requested_by": "actor:globex-ops",
    }
    return ResourceRequest(**{**fields, **more})


RESIZE, ALLOCATE, RELEASE = (
    ResourceRequestKind.RESIZE,
    ResourceRequestKind.ALLOCATE,
    ResourceRequestKind.RELEASE,
)


def record(item_id: str = "vm-1", **attributes: str) -> ConfigurationRecord:
    """The record of a virtual machine, hosted on a host and holding ``attributes``."""
    item = ConfigurationItem(
        id=item_id,
        name="App server",
        kind="virtual machine",
        attributes=attributes,
        relations=(Relation(kind=RelationKind.HOSTED_ON, target="host-7"),),
    )
    return ConfigurationRecord.create(item, by="provisioning", at=OCT1)


def run(
    request: ResourceRequest,
    allocations: Sequence[Allocation],
    records: Mapping[str, ConfigurationRecord] | None = None,
    **more: Any,
) -> ResourceChange:
    """`carry_out` of ``request`` under the limited agreement, in the pool, at noon on the 17th."""
    options: dict[str, Any] = {"as_of": NOON_17, **more}
    agreement = options.pop("agreement", AGREEMENT)
    pool = options.pop("pool", POOL)
    return carry_out(request, agreement, pool, allocations, records or {}, **options)


def refused_with(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    """The error's problems, one line each."""
    return list(error.value.errors)


class TestAccepted:
    """A request within the limits is carried out as an implemented standard change."""

    def test_a_resize_closes_the_holding_and_opens_the_new_one(self) -> None:
        """The 4 vcpu end at noon on the 17th, and 8 vcpu are held from then on."""
        four = held("4 vcpu")
        result = run(ask(RESIZE, "8 vcpu"), [four])
        assert result.accepted
        assert result.refusals == ()
        assert result.effective_at == NOON_17
        before, after = result.allocations
        assert (before.until, after.since, after.until) == (NOON_17, NOON_17, None)
        assert (format_quantity(after.quantity), after.resource_id) == ("8 vcpu", "vm-1")

    def test_the_change_is_standard_and_implemented_at_as_of(self) -> None:
        """Named after the request, on its service and customer, implemented by the actor."""
        change = run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")]).change
        assert change.id == "chg-rr-1"
        assert change.kind == "standard"
        assert change.state == "implemented"
        assert change.implemented_at == NOON_17
        assert change.approved_by is None
        assert (change.services, change.customers) == (frozenset({SERVICE}), frozenset({"globex"}))
        assert change.requested_at == OCT1
        assert change.lifecycle.entries[-1].who == "actor:globex-ops"
        assert dict(change.lifecycle.entries[-1].data) == {
            "request": "rr-1",
            "effective_at": "2026-10-17T12:00:00+00:00",
        }
        expected = (
            "Resize vcpu on vm-1 for crm-service from 4 vcpu to 8 vcpu (resource request rr-1)"
        )
        assert change.summary == expected

    def test_the_record_gets_a_version_under_the_change(self) -> None:
        """The vcpu attribute is the new amount; other attributes and relations are kept."""
        given = record(vcpu="4 vcpu", os="linux")
        result = run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")], {"vm-1": given})
        updated = result.records["vm-1"]
        assert updated.versions[0] == given.versions[0]
        latest = updated.current_version
        assert (latest.version, latest.change, latest.changed_at) == (2, "chg-rr-1", NOON_17)
        assert latest.changed_by == "actor:globex-ops"
        assert dict(updated.current.attributes) == {"vcpu": "8 vcpu", "os": "linux"}
        assert updated.current.relations == given.current.relations
        assert updated.diff(1, 2) == {"attributes.vcpu": ("4 vcpu", "8 vcpu")}

    def test_other_records_are_kept(self) -> None:
        """Records of items the request does not touch are the objects given."""
        other = record("vm-2", vcpu="2 vcpu")
        result = run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")], {"vm-2": other})
        assert result.records["vm-2"] is other
        assert set(result.records) == {"vm-1", "vm-2"}

    def test_an_allocation_creates_the_record_of_a_new_item(self) -> None:
        """A new item holds the amount and is part of the service."""
        result = run(ask(ALLOCATE, "2 vcpu", "vm-9"), [held("4 vcpu")])
        created = result.records["vm-9"]
        assert len(created.versions) == 1
        assert created.current_version.change == "chg-rr-1"
        assert created.current.kind == "resource"
        assert dict(created.current.attributes) == {"vcpu": "2 vcpu"}
        assert created.current.relations == (Relation(kind=RelationKind.PART_OF, target=SERVICE),)
        assert result.allocations[-1].since == NOON_17

    def test_an_allocation_without_a_resource_id_touches_no_record(self) -> None:
        """Without an item to name, no record is made."""
        given = {"vm-1": record(vcpu="4 vcpu")}
        result = run(ask(ALLOCATE, "2 vcpu", None), [held("4 vcpu")], given)
        assert result.accepted
        assert result.records == given
        assert result.records["vm-1"] is given["vm-1"]

    def test_a_second_holding_of_an_item_adds_up(self) -> None:
        """The attribute shows all the item holds of the type."""
        memory = held("16 GiB")
        result = run(ask(RESIZE, "32 GiB"), [memory, held("2 vcpu")], {"vm-1": record()})
        assert dict(result.records["vm-1"].current.attributes) == {"memory": "32 GiB"}

    def test_a_release_removes_the_attribute(self) -> None:
        """Once the item holds none of the type, the attribute goes; the record stays."""
        given = record(vcpu="4 vcpu", os="linux")
        result = run(ask(RELEASE), [held("4 vcpu")], {"vm-1": given})
        assert result.accepted
        assert result.allocations[0].until == NOON_17
        assert dict(result.records["vm-1"].current.attributes) == {"os": "linux"}
        assert (
            result.change.summary == "Release vcpu on vm-1 for crm-service (resource request rr-1)"
        )

    def test_a_release_of_an_item_without_a_record_makes_none(self) -> None:
        """Nothing is held any more, so nothing is recorded."""
        assert run(ask(RELEASE), [held("4 vcpu")]).records == {}

    def test_an_unchanged_item_gets_no_version(self) -> None:
        """A record already showing the new amount changes not: the allocations do."""
        given = record(vcpu="8 vcpu")
        result = run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")], {"vm-1": given})
        assert result.accepted
        assert result.records["vm-1"] is given
        assert format_quantity(result.allocations[-1].quantity) == "8 vcpu"

    def test_a_later_effect(self) -> None:
        """A scheduled request is recorded as carried out when it takes effect, not at as_of."""
        later = dt.datetime(2026, 10, 20, 9, tzinfo=UTC)
        given = record(vcpu="4 vcpu")
        result = run(ask(RESIZE, "8 vcpu", effective_at=later), [held("4 vcpu")], {"vm-1": given})
        assert result.effective_at == later
        assert result.allocations[-1].since == later
        assert result.change.implemented_at == later
        assert result.change.lifecycle.entries[-1].when == later
        updated = result.records["vm-1"]
        assert updated.current_version.changed_at == later
        assert dict(updated.as_of(NOON_17).attributes) == {"vcpu": "4 vcpu"}
        assert dict(updated.as_of(later).attributes) == {"vcpu": "8 vcpu"}

    def test_a_later_allocation_creates_its_record_when_it_takes_effect(self) -> None:
        """The record of a new item begins when the item begins to hold."""
        later = dt.datetime(2026, 11, 1, tzinfo=UTC)
        result = run(ask(ALLOCATE, "2 vcpu", "vm-9", effective_at=later), [held("4 vcpu")])
        created = result.records["vm-9"]
        assert created.current_version.changed_at == later
        assert created.as_of(NOON_17) is None

    def test_requests_on_one_item_in_the_order_they_take_effect(self) -> None:
        """After one scheduled for the 20th, a request taking effect on the 25th follows it."""
        on_20th = dt.datetime(2026, 10, 20, tzinfo=UTC)
        on_25th = dt.datetime(2026, 10, 25, tzinfo=UTC)
        first = run(
            ask(RESIZE, "8 vcpu", effective_at=on_20th),
            [held("4 vcpu")],
            {"vm-1": record(vcpu="4 vcpu")},
        )
        second = run(
            ask(RESIZE, "6 vcpu", id="rr-2", effective_at=on_25th),
            first.allocations,
            first.records,
        )
        versions = second.records["vm-1"].versions
        assert [(v.changed_at, v.item.attributes["vcpu"]) for v in versions] == [
            (OCT1, "4 vcpu"),
            (on_20th, "8 vcpu"),
            (on_25th, "6 vcpu"),
        ]

    def test_by_names_the_actor(self) -> None:
        """A request made by a name is carried out by the actor given."""
        request = ask(RESIZE, "8 vcpu", requested_by="Ana Silva")
        result = run(request, [held("4 vcpu")], {"vm-1": record()}, by="actor:ops-7")
        assert result.change.lifecycle.entries[-1].who == "actor:ops-7"
        assert result.records["vm-1"].current_version.changed_by == "actor:ops-7"

    def test_nothing_given_changes(self) -> None:
        """The allocations and records given are left as they were."""
        allocations = [held("4 vcpu")]
        records = {"vm-1": record(vcpu="4 vcpu")}
        copies = (list(allocations), dict(records))
        run(ask(RESIZE, "8 vcpu"), allocations, records)
        assert (allocations, records) == copies

    def test_exactly_at_the_limit(self) -> None:
        """Holding exactly the limit is within it."""
        result = run(ask(RESIZE, "16 vcpu"), [held("4 vcpu")])
        assert result.accepted


class TestPlaced:
    """What a request carried out holds is drawn from the pool's location."""

    def test_a_new_allocation_is_in_the_pools_location(self) -> None:
        """8 vcpu allocated in Frankfurt leave an Amsterdam pool's capacity alone."""
        result = run(ask(ALLOCATE, "8 vcpu", "vm-9"), [])
        (made,) = result.allocations
        assert made.location == "eu-central"
        amsterdam = ResourcePool(
            "ams-1", "Amsterdam 1", "eu-west", [PoolCapacity("vcpu", quantity("8 vcpu"))]
        )
        assert amsterdam.free(result.allocations, "vcpu", NOON_17) == quantity("8 vcpu")

    def test_a_location_asked_for_is_kept(self) -> None:
        """A request naming the pool's location gives it to the allocation too."""
        result = run(ask(ALLOCATE, "2 vcpu", "vm-9", location="eu-central"), [])
        assert result.allocations[0].location == "eu-central"

    def test_a_resize_of_a_holding_without_a_location(self) -> None:
        """The holdings a resize leaves of a location-less holding are in the pool's location."""
        result = run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")])
        assert [a.location for a in result.allocations] == ["eu-central", "eu-central"]

    def test_other_holdings_are_left_as_given(self) -> None:
        """Another customer's location-less holding is returned as it was (the same object)."""
        other = held("2 vcpu", None, customer="initech", agreement="csa-9")
        result = run(ask(ALLOCATE, "2 vcpu", "vm-9"), [other])
        assert result.allocations[0] is other


class TestScheduled:
    """A request taking effect before changes already scheduled on its holding supersedes them."""

    ON_20TH = dt.datetime(2026, 10, 20, tzinfo=UTC)

    def scheduled(self) -> ResourceChange:
        """vm-1 holds 4 vcpu (recorded on 1 October); a resize to 8 is scheduled for the 20th."""
        return run(
            ask(RESIZE, "8 vcpu", effective_at=self.ON_20TH),
            [held("4 vcpu")],
            {"vm-1": record(vcpu="4 vcpu")},
        )

    def test_a_release_before_the_scheduled_resize(self) -> None:
        """Released on the 18th: nothing held from then, the record's version of the 20th gone."""
        on_18th = dt.datetime(2026, 10, 18, tzinfo=UTC)
        first = self.scheduled()
        result = run(
            ask(RELEASE, id="rr-2", effective_at=on_18th), first.allocations, first.records
        )
        assert result.accepted
        (four,) = result.allocations
        assert (format_quantity(four.quantity), four.until) == ("4 vcpu", on_18th)
        versions = result.records["vm-1"].versions
        assert [(v.changed_at, dict(v.item.attributes), v.change) for v in versions] == [
            (OCT1, {"vcpu": "4 vcpu"}, None),
            (on_18th, {}, "chg-rr-2"),
        ]
        assert versions[1].item.relations == versions[0].item.relations

    def test_a_resize_before_the_scheduled_resize(self) -> None:
        """Resized to 2 on the 18th: 2 vcpu from then on, the 8 of the 20th replaced."""
        on_18th = dt.datetime(2026, 10, 18, tzinfo=UTC)
        first = self.scheduled()
        result = run(
            ask(RESIZE, "2 vcpu", id="rr-2", effective_at=on_18th),
            first.allocations,
            first.records,
        )
        assert [(format_quantity(a.quantity), a.since, a.until) for a in result.allocations] == [
            ("4 vcpu", OCT1, on_18th),
            ("2 vcpu", on_18th, None),
        ]
        record_now = result.records["vm-1"]
        assert [dict(v.item.attributes) for v in record_now.versions] == [
            {"vcpu": "4 vcpu"},
            {"vcpu": "2 vcpu"},
        ]
        assert record_now.as_of(dt.datetime(2026, 10, 25, tzinfo=UTC)).attributes == {
            "vcpu": "2 vcpu"
        }

    def test_other_scheduled_changes_of_the_item_are_kept(self) -> None:
        """A memory change of the 20th on the same item stays, with the vcpu as now held."""
        first = self.scheduled()
        recorded = first.records["vm-1"]
        memory = recorded.current_version
        with_memory = ConfigurationRecord(
            versions=(
                *recorded.versions[:-1],
                attrs.evolve(
                    memory,
                    item=attrs.evolve(memory.item, attributes={"vcpu": "8 vcpu", "gib": "16"}),
                ),
            )
        )
        result = run(ask(RELEASE, id="rr-2"), first.allocations, {"vm-1": with_memory})
        assert [
            (v.changed_at, dict(v.item.attributes)) for v in result.records["vm-1"].versions
        ] == [
            (OCT1, {"vcpu": "4 vcpu"}),
            (NOON_17, {}),
            (self.ON_20TH, {"gib": "16"}),
        ]

    def test_a_record_first_versioned_later(self) -> None:
        """A record begun on the 30th takes a version of the 17th, its item kept."""
        later = ConfigurationRecord.create(
            ConfigurationItem(id="vm-1", name="VM", kind="virtual machine"),
            by="provisioning",
            at=dt.datetime(2026, 10, 30, tzinfo=UTC),
        )
        result = run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")], {"vm-1": later})
        (version,) = result.records["vm-1"].versions
        assert (version.changed_at, version.item.name, version.item.kind) == (
            NOON_17,
            "VM",
            "virtual machine",
        )
        assert dict(version.item.attributes) == {"vcpu": "8 vcpu"}


class TestRefused:
    """A request beyond a limit is refused: which limit, how much is free, nothing changed."""

    def test_the_agreement_limit(self) -> None:
        """12 of 16 vcpu are held: a resize adding 8 is refused with 4 free."""
        allocations = [held("4 vcpu"), held("8 vcpu", "vm-2")]
        records = {"vm-1": record(vcpu="4 vcpu")}
        result = run(ask(RESIZE, "12 vcpu"), allocations, records)
        assert not result.accepted
        (refusal,) = result.refusals
        assert refusal == Refusal(
            LimitKind.AGREEMENT_LIMIT,
            "vcpu",
            quantity("8 vcpu"),
            quantity("4 vcpu"),
            "agreement csa-2026-001 limits vcpu to 16 vcpu: 4 vcpu free from"
            " 2026-10-17T12:00:00+00:00 (12 vcpu held), and the request adds 8 vcpu",
            at_most=quantity("16 vcpu"),
        )

    def test_refused_changes_nothing(self) -> None:
        """The allocations and records returned are the very objects given."""
        allocations = [held("4 vcpu"), held("8 vcpu", "vm-2")]
        records = {"vm-1": record(vcpu="4 vcpu")}
        result = run(ask(RESIZE, "12 vcpu"), allocations, records)
        assert len(result.allocations) == len(allocations)
        assert all(a is b for a, b in zip(result.allocations, allocations, strict=True))
        assert result.records["vm-1"] is records["vm-1"]
        assert set(result.records) == {"vm-1"}

    def test_the_change_is_rejected_with_the_reasons(self) -> None:
        """The change's history says why."""
        result = run(ask(RESIZE, "12 vcpu"), [held("4 vcpu"), held("8 vcpu", "vm-2")])
        assert result.change.state == "rejected"
        entry = result.change.lifecycle.entries[-1]
        assert (entry.event, entry.when, entry.who) == ("reject", NOON_17, "actor:globex-ops")
        (reason,) = entry.data["refusals"]
        assert reason.startswith("agreement limit: agreement csa-2026-001 limits vcpu")

    def test_a_scheduled_request_is_refused_when_judged(self) -> None:
        """A request to take effect on the 20th, refused on the 17th, is rejected on the 17th."""
        later = dt.datetime(2026, 10, 20, tzinfo=UTC)
        asked = ask(RESIZE, "12 vcpu", effective_at=later)
        result = run(asked, [held("4 vcpu"), held("8 vcpu", "vm-2")])
        assert (result.effective_at, result.change.lifecycle.entries[-1].when) == (later, NOON_17)

    def test_the_pool_capacity(self) -> None:
        """Another customer holds 18 of the pool's 24 vcpu: 6 are free, 8 are asked."""
        neighbour = held("18 vcpu", None, customer="initech", agreement="csa-9")
        result = run(ask(ALLOCATE, "8 vcpu", "vm-2"), [neighbour])
        (refusal,) = result.refusals
        assert refusal.limit == LimitKind.POOL_CAPACITY
        assert (refusal.requested, refusal.free) == (quantity("8 vcpu"), quantity("6 vcpu"))
        assert refusal.at_most == quantity("24 vcpu")
        assert refusal.message == (
            "pool fra-1 (eu-central) has a vcpu capacity of 24 vcpu: 6 vcpu free from"
            " 2026-10-17T12:00:00+00:00, and the request adds 8 vcpu"
        )

    def test_both_limits(self) -> None:
        """Every limit broken is named, the agreement's first."""
        neighbour = held("20 vcpu", None, customer="initech", agreement="csa-9")
        result = run(ask(RESIZE, "20 vcpu"), [held("4 vcpu"), neighbour])
        assert [r.limit for r in result.refusals] == [
            LimitKind.AGREEMENT_LIMIT,
            LimitKind.POOL_CAPACITY,
        ]
        assert [r.free for r in result.refusals] == [quantity("12 vcpu"), quantity("0 vcpu")]

    def test_a_resize_counts_only_its_increase(self) -> None:
        """In a full pool, growing by 2 is refused with the increase as what is asked."""
        neighbour = held("20 vcpu", None, customer="initech", agreement="csa-9")
        result = run(ask(RESIZE, "6 vcpu"), [held("4 vcpu"), neighbour])
        (refusal,) = result.refusals
        assert (refusal.requested, refusal.free) == (quantity("2 vcpu"), quantity("0 vcpu"))

    def test_a_future_holding_counts_from_its_start(self) -> None:
        """8 vcpu held from the 25th leave 4 free from the 17th on, though none are held now."""
        future = held("8 vcpu", "vm-2", since=dt.datetime(2026, 10, 25, tzinfo=UTC))
        result = run(ask(RESIZE, "12 vcpu"), [held("4 vcpu"), future])
        (refusal,) = result.refusals
        assert refusal.free == quantity("4 vcpu")

    def test_a_holding_released_before_the_effect_does_not_count(self) -> None:
        """8 vcpu released at the effective instant leave room."""
        gone = held("8 vcpu", "vm-2", until=NOON_17)
        assert run(ask(RESIZE, "12 vcpu"), [held("4 vcpu"), gone]).accepted

    def test_a_pool_without_the_type(self) -> None:
        """A pool with no capacity of the type refuses it with nothing free."""
        pool = ResourcePool("fra-2", "Frankfurt 2", "eu-central", [])
        result = run(ask(ALLOCATE, "2 vcpu", "vm-2"), [], pool=pool)
        (refusal,) = result.refusals
        assert (refusal.limit, refusal.free, refusal.at_most) == (
            LimitKind.POOL_CAPACITY,
            quantity("0 vcpu"),
            None,
        )
        assert refusal.message == (
            "pool fra-2 (eu-central) has no vcpu capacity, and the request adds 2 vcpu"
        )

    def test_limits_in_another_unit(self) -> None:
        """A memory limit of 0.0625 TiB is 64 GiB: 48 GiB held leave 16 GiB free."""
        agreement = limited(memory="0.0625 TiB")
        result = run(ask(ALLOCATE, "32 GiB", "vm-2"), [held("48 GiB")], agreement=agreement)
        (refusal,) = result.refusals
        assert refusal.free == quantity("16 GiB")
        assert refusal.at_most == quantity("0.0625 TiB")

    def test_every_type_of_the_limit_kind_counts(self) -> None:
        """A type of one's own limited by the vcpu limit adds to the vcpu held."""
        gpu = ResourceType(
            id="gpu-vcpu",
            name="GPU virtual CPU",
            unit="vcpu",
            kind=MeteringKind.ALLOCATED,
            focus_category=FocusServiceCategory.COMPUTE,
            limited_by=agreements.ResourceType.VCPU,
        )
        types = (*resource_types(), gpu)
        pool = attrs.evolve(
            POOL, capacities=(*POOL.capacities, PoolCapacity("gpu-vcpu", quantity("64 vcpu")))
        )
        request = ask(ALLOCATE, "8 vcpu", "gpu-1", resource_type="gpu-vcpu")
        result = run(request, [held("10 vcpu")], types=types, pool=pool)
        (refusal,) = result.refusals
        assert (refusal.resource_type, refusal.free) == ("gpu-vcpu", quantity("6 vcpu"))

    def test_a_type_without_a_limit_kind_meets_only_the_pool(self) -> None:
        """IP addresses are limited by no term of the agreement."""
        pool = attrs.evolve(
            POOL, capacities=(*POOL.capacities, PoolCapacity("ip_address", quantity("2 IP")))
        )
        request = ask(ALLOCATE, "3 ip_address", "ip-1", resource_type="ip_address")
        (refusal,) = run(request, [], pool=pool).refusals
        assert refusal.limit == LimitKind.POOL_CAPACITY

    def test_an_agreement_without_the_limit(self) -> None:
        """No limit of the kind: only the pool counts."""
        assert run(ask(RESIZE, "20 vcpu"), [held("4 vcpu")], agreement=limited()).accepted

    def test_the_terms_in_force_at_the_effect_and_after(self) -> None:
        """A limit lowered to 8 vcpu from the 20th refuses a resize to 12 on the 17th too.

        The customer would hold 12 vcpu from the 20th, above the limit then in force:
        the refusal names that instant and what is free under it.
        """
        lower = Amendment(
            term=TermKind.RESOURCE_LIMITS,
            value=(
                ResourceLimit(
                    resource_type=agreements.ResourceType.VCPU, at_most=quantity("8 vcpu")
                ),
            ),
            proposed_at=OCT1,
            proposed_by="provider",
        )
        consent = Acknowledgement(
            party_id="globex",
            terms_id=AGREEMENT.id,
            version=str(AGREEMENT.version + 1),
            accepted_at=dt.datetime(2026, 10, 20, tzinfo=UTC),
        )
        amended = amend(AGREEMENT, lower, consent=consent)
        (before,) = run(ask(RESIZE, "12 vcpu"), [held("4 vcpu")], agreement=amended).refusals
        assert (before.at_most, before.free) == (quantity("8 vcpu"), quantity("4 vcpu"))
        assert before.message == (
            "agreement csa-2026-001 limits vcpu to 8 vcpu (as amended from"
            " 2026-10-20T00:00:00+00:00, after the request takes effect): 4 vcpu free from"
            " 2026-10-20T00:00:00+00:00 (4 vcpu held), and the request adds 8 vcpu"
        )
        later = ask(RESIZE, "12 vcpu", effective_at=dt.datetime(2026, 10, 21, tzinfo=UTC))
        (refusal,) = run(later, [held("4 vcpu")], agreement=amended).refusals
        assert (refusal.at_most, refusal.free) == (quantity("8 vcpu"), quantity("4 vcpu"))
        # Each span against its own limit: 14 vcpu until the 20th (16 then), 4 from it (8).
        until_20th = held("10 vcpu", until=dt.datetime(2026, 10, 20, tzinfo=UTC))
        assert run(ask(ALLOCATE, "4 vcpu", "vm-2"), [until_20th], agreement=amended).accepted

    def test_releasing_is_never_refused(self) -> None:
        """Beyond both limits already, giving back is still carried out."""
        over = [held("30 vcpu")]
        assert run(ask(RELEASE), over).accepted
        assert run(ask(RESIZE, "20 vcpu"), over).accepted

    def test_other_agreements_of_the_customer_do_not_count(self) -> None:
        """The limit is a term of one agreement: holdings under another are not under it."""
        elsewhere = held("14 vcpu", "vm-8", agreement="csa-other")
        assert run(ask(RESIZE, "8 vcpu"), [held("4 vcpu"), elsewhere]).accepted

    def test_a_holding_of_another_pool_location_does_not_count_in_the_pool(self) -> None:
        """The pool reckons only its own location's holdings."""
        elsewhere = held("20 vcpu", None, customer="initech", agreement="csa-9", location="us")
        assert run(ask(ALLOCATE, "8 vcpu", "vm-2"), [elsewhere]).accepted


class TestResultRecord:
    """ResourceChange keeps its state consistent."""

    def test_a_refused_change_must_be_rejected(self) -> None:
        """Refusals with an implemented change are contradictory."""
        accepted = run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")])
        refused = run(ask(RESIZE, "20 vcpu"), [held("4 vcpu")])
        with pytest.raises(ValidationError) as error:
            attrs.evolve(accepted, refusals=refused.refusals)
        assert refused_with(error) == [
            (
                "expected a change in state 'rejected' for a refused request, got a change in"
                " state 'implemented' @ $.change"
            )
        ]

    def test_records_are_kept_by_their_item_id(self) -> None:
        """A record under another item's id is refused."""
        accepted = run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")])
        with pytest.raises(ValidationError) as error:
            attrs.evolve(accepted, records={"vm-2": record("vm-1")})
        assert refused_with(error) == [
            "expected the record of item 'vm-2', got 'vm-1' @ $.records.vm-2"
        ]


class TestAttributeKey:
    """The attribute a type's amount is kept under."""

    @pytest.mark.parametrize(
        ("type_id", "key"),
        [("vcpu", "vcpu"), ("ip_address", "ip_address"), ("GPU.A100", "gpu_a100"), ("9x", "r_9x")],
    )
    def test_keys(self, type_id: str, key: str) -> None:
        """Lower case, other characters as underscores, a letter first."""
        assert attribute_key(type_id) == key


class TestBadInput:
    """Input that is not a request of this agreement raises, naming every problem."""

    def test_another_customer_agreement_and_service(self) -> None:
        """Each mismatch is named at its path."""
        request = ask(RESIZE, "8 vcpu", customer="initech", agreement="csa-9", service="mail")
        with pytest.raises(ValidationError) as error:
            run(request, [held("4 vcpu")])
        assert error.value.subject == "resource change"
        assert refused_with(error) == [
            (
                "expected the agreement's customer ('globex'), got 'initech' (string)"
                " @ $.request.customer"
            ),
            (
                "expected the agreement's id ('csa-2026-001'), got 'csa-9' (string)"
                " @ $.request.agreement"
            ),
            (
                "expected a service the agreement subscribes (crm-service), got 'mail' (string)"
                " @ $.request.service"
            ),
        ]

    def test_an_unknown_type(self) -> None:
        """The close ids are suggested."""
        with pytest.raises(ValidationError) as error:
            run(ask(ALLOCATE, "2 vcpu", resource_type="vpcu"), [])
        assert refused_with(error) == [
            (
                "expected a resource type of the table (did you mean vcpu?), got 'vpcu' (string)"
                " @ $.request.resource_type"
            )
        ]

    def test_a_metered_type(self) -> None:
        """Requests served are used, not held."""
        request = ask(ALLOCATE, None, resource_type="requests", quantity=quantity("5 request"))
        with pytest.raises(ValidationError) as error:
            run(request, [])
        assert refused_with(error) == [
            (
                "expected an allocated resource type (requests is metered: it is used, not held),"
                " got 'requests' (string) @ $.request.resource_type"
            )
        ]

    def test_a_quantity_of_another_unit(self) -> None:
        """Memory asked for as vcpu."""
        request = ask(ALLOCATE, None, resource_type="memory", quantity=quantity("4 vcpu"))
        with pytest.raises(ValidationError) as error:
            run(request, [])
        assert refused_with(error) == [
            (
                "expected a quantity convertible to GiB, the unit of memory, got 4 vcpu"
                " @ $.request.quantity"
            )
        ]

    def test_instants(self) -> None:
        """as_of before the request, an effect before as_of."""
        request = ask(
            RESIZE,
            "8 vcpu",
            requested_at=NOON_17,
            effective_at=dt.datetime(2026, 10, 18, tzinfo=UTC),
        )
        with pytest.raises(ValidationError) as error:
            run(request, [held("4 vcpu")], as_of=dt.datetime(2026, 10, 19, tzinfo=UTC))
        assert refused_with(error) == [
            (
                "expected an instant not before as_of (2026-10-19T00:00:00+00:00): the past"
                " stays as it was, got 2026-10-18T00:00:00+00:00 @ $.request.effective_at"
            )
        ]
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu", requested_at=NOON_17), [], as_of=OCT1)
        assert refused_with(error)[0] == (
            "expected an instant not before the request (2026-10-17T12:00:00+00:00), got"
            " 2026-10-01T00:00:00+00:00 @ $.as_of"
        )

    def test_outside_the_term(self) -> None:
        """An effect after the agreement's end."""
        ended = attrs.evolve(AGREEMENT, end=dt.datetime(2026, 10, 10, tzinfo=UTC))
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")], agreement=ended)
        assert refused_with(error) == [
            (
                "expected an instant within the agreement's term (before"
                " 2026-10-10T00:00:00+00:00), got 2026-10-17T12:00:00+00:00 @ $.as_of"
            )
        ]

    def test_nothing_to_resize(self) -> None:
        """The request's path names the holding it lacks."""
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), [held("4 vcpu", "vm-2")])
        assert error.value.paths == ["$.request.resource_id"]
        assert "none held" in refused_with(error)[0]

    def test_several_holdings_to_choose_from(self) -> None:
        """Without a resource id, two holdings are ambiguous."""
        with pytest.raises(ValidationError) as error:
            run(ask(RELEASE, None, None), [held("4 vcpu"), held("2 vcpu", "vm-2")])
        assert error.value.paths == ["$.request.resource_id"]
        assert "'vm-1', 'vm-2'" in refused_with(error)[0]

    def test_no_actor(self) -> None:
        """A request made by a name needs an actor id to carry it out."""
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu", requested_by="Ana Silva"), [held("4 vcpu")])
        (problem,) = refused_with(error)
        assert problem.endswith("@ $.request.requested_by")
        assert "Ana" not in problem
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")], by="ops")
        assert error.value.paths == ["$.by"]

    def test_another_location(self) -> None:
        """A request for another pool's location, or a holding drawn from another pool."""
        with pytest.raises(ValidationError) as error:
            run(ask(ALLOCATE, "2 vcpu", location="us-east"), [])
        assert refused_with(error) == [
            (
                "expected the pool's location ('eu-central') or null, got 'us-east' (string)"
                " @ $.request.location"
            )
        ]
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), [held("4 vcpu", location="us-east")])
        assert error.value.paths == ["$.pool"]

    def test_a_resize_to_the_amount_held(self) -> None:
        """Resizing 4 vcpu to 4 vcpu has nothing to change: an error, no change made."""
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "4 vcpu"), [held("4 vcpu")], {"vm-1": record(vcpu="4 vcpu")})
        assert refused_with(error) == [
            (
                "expected a new total other than the 4 vcpu held (nothing to change),"
                " got 4 vcpu @ $.request.quantity"
            )
        ]

    def test_a_request_id_too_long_for_its_change(self) -> None:
        """The change's id is 'chg-' and the request's: at most 64 characters."""
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu", id="r" * 61), [held("4 vcpu")])
        assert refused_with(error) == [
            (
                "expected an id of at most 60 characters (its change is 'chg-' followed by it),"
                " got 61 characters @ $.request.id"
            )
        ]

    def test_wrong_arguments(self) -> None:
        """Every argument of the wrong type is named."""
        with pytest.raises(ValidationError) as error:
            carry_out("rr-1", None, {}, [], [], as_of="noon")  # type: ignore[arg-type]
        assert error.value.paths == ["$.request", "$.agreement", "$.pool", "$.records", "$.as_of"]
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), [held("4 vcpu"), "vm-2"])  # type: ignore[list-item]
        assert error.value.paths == ["$.allocations[1]"]
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")], types=["vcpu"])
        assert error.value.paths == ["$.types[0]"]
        assert str(error.value).startswith("Resource change is invalid (1 problem):")

    def test_allocations_and_types_that_are_not_lists(self) -> None:
        """Text is not a list of allocations; a type table names each id once."""
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), "vm-1")  # type: ignore[arg-type]
        assert error.value.paths == ["$.allocations"]
        twice = (*resource_types(), resource_types()[0])
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), [held("4 vcpu")], types=twice)
        assert error.value.paths == [f"$.types[{len(twice) - 1}].id"]

    def test_before_the_agreement(self) -> None:
        """An effect before the agreement's start is outside its term."""
        early = dt.datetime(2026, 3, 1, tzinfo=UTC)
        request = ask(ALLOCATE, "2 vcpu", requested_at=early)
        with pytest.raises(ValidationError) as error:
            run(request, [], as_of=early)
        assert refused_with(error) == [
            (
                "expected an instant within the agreement's term (from"
                " 2026-04-01T00:00:00+00:00), got 2026-03-01T00:00:00+00:00 @ $.as_of"
            )
        ]

    def test_a_holding_of_an_unknown_type(self) -> None:
        """The agreement's holdings must be of known types: limits are reckoned by type."""
        odd = held("2 vcpu", "vm-3", resource_type="gpu")
        with pytest.raises(ValidationError) as error:
            run(ask(RESIZE, "8 vcpu"), [held("4 vcpu"), odd])
        assert error.value.paths == ["$.allocations[1].resource_type"]


# ---------------------------------------------------------------------- the stateful test
CUSTOMERS = {"globex": "csa-2026-001", "initech": "csa-2026-002"}
LIMITS = {
    "csa-2026-001": {"vcpu": 16, "memory": 64},
    "csa-2026-002": {"vcpu": 12, "memory": 96},
}
CAPACITY = {"vcpu": 24, "memory": 128}
UNITS = {"vcpu": "vcpu", "memory": "GiB"}
MACHINE_AGREEMENTS = {
    "globex": AGREEMENT,
    "initech": attrs.evolve(
        limited(vcpu="12 vcpu", memory="96 GiB"), id="csa-2026-002", customer_id="initech"
    ),
}


def most_held(allocations: Sequence[Allocation], keep: Any, unit: str, at: dt.datetime) -> float:
    """The most the kept holdings hold at one instant from ``at`` on (a plain re-count)."""
    instants = sorted({at} | {a.since for a in allocations if a.since > at})
    return max(
        sum(
            float(fraction_in(a.quantity, unit))
            for a in allocations
            if keep(a) and a.held_at(moment)
        )
        for moment in instants
    )


class PoolRequests(RuleBasedStateMachine):
    """Two customers ask for vcpu and memory from one pool, now or later, and give some back.

    A refused request returns exactly what was given and rejects its change; a
    release is never refused; held never exceeds the pool's capacity or either
    agreement's limits, at any instant from now on.
    """

    def __init__(self) -> None:
        super().__init__()
        self.allocations: tuple[Allocation, ...] = ()
        self.records: dict[str, ConfigurationRecord] = {}
        self.now = OCT1
        self.count = 0

    def carry(self, request: ResourceRequest) -> ResourceChange:
        """Carry ``request`` out now; check what a refusal leaves; keep what was accepted."""
        before, records = self.allocations, dict(self.records)
        result = carry_out(
            request,
            MACHINE_AGREEMENTS[request.customer],
            POOL,
            before,
            records,
            as_of=self.now,
        )
        if result.accepted:
            assert result.change.state == "implemented"
            self.allocations, self.records = result.allocations, dict(result.records)
            self.shows_what_is_held(request, result)
        else:
            assert request.kind is not ResourceRequestKind.RELEASE
            assert result.change.state == "rejected"
            assert len(result.allocations) == len(before)
            assert all(a is b for a, b in zip(result.allocations, before, strict=True))
            assert result.records.keys() == records.keys()
            assert all(result.records[k] is records[k] for k in records)
            for refusal in result.refusals:
                assert refusal.requested.magnitude > refusal.free.magnitude
        return result

    def shows_what_is_held(self, request: ResourceRequest, result: ResourceChange) -> None:
        """The item's record shows what it holds of the type once the request takes effect."""
        item_id, unit = request.resource_id, UNITS[request.resource_type]
        total = sum(
            fraction_in(a.quantity, unit)
            for a in result.allocations
            if a.resource_id == item_id
            and a.resource_type == request.resource_type
            and a.held_at(result.effective_at)
        )
        kept = self.records.get(str(item_id))
        shown = None if kept is None else kept.current.attributes.get(request.resource_type)
        assert shown == (format_quantity(quantity(to_decimal(total), unit)) if total else None)

    def request(self, kind: ResourceRequestKind, **fields: Any) -> ResourceRequest:
        self.count += 1
        return ResourceRequest(
            id=f"rr-{self.count}",
            kind=kind,
            service=SERVICE,
            requested_at=self.now,
            requested_by="actor:ops-1",
            **fields,
        )

    def holdings(self, later: int) -> list[Allocation]:
        """What is held ``later`` hours on by an item whose record can take a version then.

        A request on an item whose record has a version later than the request
        takes effect (a request scheduled after it, already carried out) is an
        error, not a request to draw.
        """
        at = self.now + dt.timedelta(hours=later)
        return [
            a
            for a in self.allocations
            if a.resource_id is not None and a.held_at(at) and self.recordable(a.resource_id, at)
        ]

    def recordable(self, item_id: str, at: dt.datetime) -> bool:
        kept = self.records.get(item_id)
        return kept is None or kept.current_version.changed_at <= at

    @initialize()
    def begin(self) -> None:
        """Start with nothing held on 1 October."""
        self.now = OCT1

    @rule(
        customer=st.sampled_from(sorted(CUSTOMERS)),
        type_id=st.sampled_from(sorted(CAPACITY)),
        amount=st.integers(1, 16),
        later=st.integers(0, 48),
    )
    def allocate(self, customer: str, type_id: str, amount: int, later: int) -> None:
        """A new holding, from now or a few hours on."""
        request = self.request(
            ResourceRequestKind.ALLOCATE,
            customer=customer,
            agreement=CUSTOMERS[customer],
            resource_type=type_id,
            quantity=quantity(amount, UNITS[type_id]),
            resource_id=f"item-{self.count + 1}",
            effective_at=self.now + dt.timedelta(hours=later),
        )
        self.carry(request)

    @precondition(lambda self: self.holdings(0))
    @rule(data=st.data(), amount=st.integers(1, 20), later=st.integers(0, 24))
    def resize(self, data: st.DataObject, amount: int, later: int) -> None:
        """A holding grows or shrinks."""
        choices = self.holdings(later)
        if not choices:
            return
        target = data.draw(st.sampled_from(choices))
        if fraction_in(target.quantity, UNITS[target.resource_type]) == amount:
            return  # nothing to change: an error, not a request to draw
        request = self.request(
            ResourceRequestKind.RESIZE,
            customer=target.customer,
            agreement=target.agreement,
            resource_type=target.resource_type,
            quantity=quantity(amount, UNITS[target.resource_type]),
            resource_id=target.resource_id,
            effective_at=self.now + dt.timedelta(hours=later),
        )
        self.carry(request)

    @precondition(lambda self: self.holdings(0))
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        """A holding is given back now."""
        target = data.draw(st.sampled_from(self.holdings(0)))
        request = self.request(
            ResourceRequestKind.RELEASE,
            customer=target.customer,
            agreement=target.agreement,
            resource_type=target.resource_type,
            resource_id=target.resource_id,
        )
        assert self.carry(request).accepted

    @rule(hours=st.integers(1, 72))
    def wait(self, hours: int) -> None:
        """Time passes."""
        self.now += dt.timedelta(hours=hours)

    @invariant()
    def within_the_pool(self) -> None:
        """Held never exceeds the pool's capacity of a type, now or later."""
        for type_id, capacity in CAPACITY.items():
            assert POOL.free(self.allocations, type_id, self.now).magnitude >= 0
            held_most = most_held(
                self.allocations,
                lambda a, t=type_id: a.resource_type == t,
                UNITS[type_id],
                self.now,
            )
            assert held_most <= capacity

    @invariant()
    def within_the_agreements(self) -> None:
        """Held under each agreement never exceeds its limits, now or later."""
        for agreement_id, limits in LIMITS.items():
            for type_id, limit in limits.items():
                held_most = most_held(
                    self.allocations,
                    lambda a, t=type_id, g=agreement_id: a.resource_type == t and a.agreement == g,
                    UNITS[type_id],
                    self.now,
                )
                assert held_most <= limit


PoolRequests.TestCase.settings = settings(
    max_examples=examples(60),
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPoolRequests = PoolRequests.TestCase
