"""Onboarding (S08): the resource allocation through resource requests, so the cost starts.

ISO/IEC 20000-1:2011 6.4 (the cost profile starts), 6.5 (capacity allocated), 9.1
(configuration records) and 9.2 (each allocation a standard change).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from cloudsms.configuration import ConfigurationRecord
from cloudsms.errors import InvalidTransition, ValidationError
from cloudsms.money import Money, Price
from cloudsms.periods import Period
from cloudsms.procedures.onboarding import OnboardingAllocation, allocate_resources
from cloudsms.resources import (
    Allocation,
    CostProfile,
    PoolCapacity,
    ResourcePool,
    ResourceRequest,
    ResourceRequestKind,
)
from cloudsms.resources.pricing import Rate, RateCard
from cloudsms.units import quantity
from test_onboarding import AGREEMENT, DAY, HOUR, OPS, T0, started

FRANKFURT = ResourcePool(
    "fra-1", "Frankfurt 1", "eu-central", [PoolCapacity("vcpu", quantity("64 vcpu"))]
)
PARIS = ResourcePool("par-1", "Paris 1", "eu-west", [PoolCapacity("memory", quantity("512 GiB"))])
WHEN = T0 + 2 * HOUR
RATES = RateCard(
    "EUR",
    [
        Rate("vcpu", price=Price(Money("0.042", "EUR"), "vcpu*hour")),
        Rate("memory", price=Price(Money("0.021", "EUR"), "GiB", per="month")),
    ],
)


def request(
    rid: str, kind: str, amount: str | None, location: str, **more: Any
) -> ResourceRequest:
    """Globex's request ``rid`` for the CRM under csa-2026-001, asked at WHEN."""
    fields: dict[str, Any] = {"customer": "globex", "agreement": "csa-2026-001", **more}
    return ResourceRequest(
        id=rid,
        kind=ResourceRequestKind(kind),
        customer=fields["customer"],
        agreement=fields["agreement"],
        service="crm-service",
        resource_type="vcpu" if amount is None or "vcpu" in amount else "memory",
        quantity=None if amount is None else quantity(amount),
        resource_id="vm-1",
        requested_at=WHEN,
        requested_by=OPS,
        location=location,
    )


REQUESTS = (
    request("rr-1", "allocate", "8 vcpu", "eu-central"),
    request("rr-2", "allocate", "32 GiB", "eu-west"),
)
OTHERS = (
    Allocation(
        "initech", "csa-9", "crm-service", "vcpu", quantity("16 vcpu"), T0, location="eu-central"
    ),
)


def allocated(**changes: Any) -> OnboardingAllocation:
    """The two requests carried out at WHEN, once the tenancy is complete."""
    arguments: dict[str, Any] = {
        "procedure": started().complete("tenancy", who=OPS, when=T0 + HOUR),
        "agreement": AGREEMENT,
        "pools": [FRANKFURT, PARIS],
        "allocations": OTHERS,
        "records": {},
        "requests": REQUESTS,
        **changes,
    }
    return allocate_resources(**arguments, who=OPS, when=WHEN)


class TestAllocateResources:
    """allocate_resources carries each allocation out, then completes the activity."""

    def test_completes_the_activity(self) -> None:
        """Records the request ids and the holdings the customer then has."""
        result = allocated()
        assert "resources" in result.procedure.completed
        assert result.procedure.lifecycle.entries[-1].data == {
            "activity": "resources",
            "requests": ["rr-1", "rr-2"],
            "holdings": 2,
        }

    def test_each_request_a_standard_change(self) -> None:
        """Each request runs as an implemented standard change; the others' holdings stay."""
        result = allocated()
        assert [c.change.state for c in result.changes] == ["implemented", "implemented"]
        assert OTHERS[0] in result.allocations
        mine = [a for a in result.allocations if a.customer == "globex"]
        assert [(a.resource_type, str(a.quantity), a.since) for a in mine] == [
            ("vcpu", "8 vcpu", WHEN),
            ("memory", "32 gibibyte", WHEN),
        ]
        assert isinstance(result.records["vm-1"], ConfigurationRecord)

    def test_the_cost_starts(self) -> None:
        """The cost profile of a period after the allocation is above zero; before, zero."""
        result = allocated()
        later = Period(WHEN + DAY, WHEN + 31 * DAY)
        profile = CostProfile.build(AGREEMENT, result.allocations, [], later, rates=RATES)
        assert profile.total > Money(0, "EUR")
        before = CostProfile.build(AGREEMENT, OTHERS, [], later, rates=RATES)
        assert before.total == Money(0, "EUR")

    def test_only_allocations_of_this_customer(self) -> None:
        """Refuses a release, another customer's and another agreement's request, at each path."""
        wrong = (
            request("rr-3", "release", None, "eu-central"),
            request("rr-4", "allocate", "2 vcpu", "eu-central", customer="initech"),
            request("rr-5", "allocate", "2 vcpu", "eu-central", agreement="csa-9"),
        )
        with pytest.raises(ValidationError) as caught:
            allocated(requests=wrong)
        assert [p.path for p in caught.value.problems] == [
            "$.requests[0].kind",
            "$.requests[1].customer",
            "$.requests[2].agreement",
        ]

    def test_prerequisites_first(self) -> None:
        """Refuses before the tenancy is complete; nothing is carried out."""
        with pytest.raises(InvalidTransition) as caught:
            allocated(procedure=started())
        assert caught.value.reason == (
            "'resources' waits for its prerequisites: tenancy not complete"
        )

    def test_once(self) -> None:
        """Refuses a second allocation once the activity is complete."""
        with pytest.raises(InvalidTransition) as caught:
            allocated(procedure=allocated().procedure)
        assert caught.value.reason == "every resource allocation activity is complete already"

    def test_no_capacity(self) -> None:
        """Refuses a request the pool cannot hold, naming the refusal at the request."""
        big = (request("rr-9", "allocate", "100 vcpu", "eu-central"),)
        with pytest.raises(ValidationError) as caught:
            allocated(requests=big)
        (problem,) = caught.value.problems
        assert problem.path == "$.requests[0]"
        assert problem.got.startswith("pool fra-1")  # the refusal's message, not its repr
        assert "Refusal(" not in problem.got
        assert "<LimitKind" not in problem.got

    def test_carry_out_problems_at_our_paths(self) -> None:
        """An unsubscribed service is refused at its request's index, not at $.request."""
        stray = attrs.evolve(REQUESTS[0], service="erp-service")
        with pytest.raises(ValidationError) as caught:
            allocated(requests=(REQUESTS[1], stray))
        assert caught.value.subject == "onboarding"
        assert [p.path for p in caught.value.problems] == ["$.requests[1].service"]

    def test_request_after_the_allocation(self) -> None:
        """A request made after ``when`` is refused at its requested_at, naming $.when."""
        late = attrs.evolve(REQUESTS[0], requested_at=WHEN + HOUR)
        with pytest.raises(ValidationError) as caught:
            allocated(requests=(late,))
        (problem,) = caught.value.problems
        assert problem.path == "$.requests[0].requested_at"
        assert problem.expected == (
            "a request made no later than the allocation ($.when, 2026-12-01T01:00:00+00:00)"
        )
        assert problem.got == "2026-12-01T03:00:00+01:00"

    def test_no_pool_for_location(self) -> None:
        """Refuses a request whose location no pool serves."""
        with pytest.raises(ValidationError) as caught:
            allocated(requests=(request("rr-7", "allocate", "2 vcpu", "us-east"),))
        assert caught.value.problems[0].path == "$.requests[0].location"

    def test_other_agreement(self) -> None:
        """Refuses an agreement other than the procedure's."""
        with pytest.raises(ValidationError) as caught:
            allocated(agreement=attrs.evolve(AGREEMENT, id="csa-other"))
        assert caught.value.problems[0].path == "$.agreement.id"

    def test_wrong_types(self) -> None:
        """Refuses wrong-typed arguments, each at its path."""
        with pytest.raises(ValidationError) as caught:
            allocated(records=[], requests=[], pools=[])
        assert [p.path for p in caught.value.problems] == ["$.records", "$.pools", "$.requests"]

    def test_aware_when(self) -> None:
        """Refuses a naive instant."""
        with pytest.raises(ValidationError):
            allocate_resources(
                started(),
                AGREEMENT,
                FRANKFURT,
                (),
                {},
                REQUESTS,
                who=OPS,
                when=dt.datetime(2026, 12, 1),
            )
