"""Capacity plans as JSON-ready data, a plain-text report and a chart (S11).

ISO/IEC 20000-1:2011 6.2 (service reporting) and 6.5 (capacity management).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from fractions import Fraction
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from cloudsms.errors import ValidationError
from cloudsms.reports.capacity import (
    capacity_chart,
    capacity_left_out_note,
    capacity_plan_data,
    capacity_plan_table,
)
from cloudsms.resources import Allocation, PoolCapacity, ResourcePool, Usage
from cloudsms.resources.capacity import CapacityPlan, Thresholds
from cloudsms.units import quantity

UTC = dt.UTC
JAN1 = dt.datetime(2026, 1, 1, tzinfo=UTC)
MAR1 = dt.datetime(2026, 3, 1, tzinfo=UTC)
POOL = ResourcePool(
    "fra-1",
    "Frankfurt 1",
    "eu-central",
    [PoolCapacity("vcpu", quantity("100 vcpu")), PoolCapacity("memory", quantity("300 GiB"))],
)


def vcpu(amount: int, since: dt.datetime, **more: Any) -> Allocation:
    """``amount`` vcpu held by acme for its vm service under agr-1 from ``since``."""
    return Allocation("acme", "agr-1", "vm", "vcpu", quantity(f"{amount} vcpu"), since, **more)


def growing() -> list[Allocation]:
    """One vcpu more from each day of January and February 2026 (59 on 1 March)."""
    return [vcpu(1, JAN1 + dt.timedelta(days=n), resource_id=f"vm-{n}") for n in range(1, 60)]


def plan(**more: Any) -> CapacityPlan:
    """The plan of the growing history and 100 GiB of memory held since 1 January."""
    memory = Allocation(
        "acme", "agr-1", "vm", "memory", quantity("100 GiB"), JAN1, resource_id="db"
    )
    return CapacityPlan.build(POOL, [*growing(), memory], as_of=MAR1, **more)


class TestCapacityPlanData:
    """capacity_plan_data: a fixed JSON shape, every figure as text."""

    def test_shape(self) -> None:
        """Gives the pool, as_of, the horizon and a line per type with every figure as text."""
        data = capacity_plan_data(plan())
        assert json.loads(json.dumps(data)) == data
        assert data["pool"] == {"id": "fra-1", "name": "Frankfurt 1", "location": "eu-central"}
        assert (data["as_of"], data["horizon"], data["horizon_end"]) == (
            "2026-03-01T00:00:00+00:00",
            "P3Y",
            "2029-03-01T00:00:00+00:00",
        )
        vcpus = data["lines"][0]
        assert vcpus == {
            "resource_type": "vcpu",
            "unit": "vcpu",
            "capacity": "100 vcpu",
            "held": "59 vcpu",
            "utilisation": "0.59",
            "scheduled_peak": "59 vcpu",
            "thresholds": {"warn": "0.75", "act": "0.9"},
            "projection": {
                "method": "linear",
                "samples": 59,
                "r_squared": "1",
                "slope_per_day": "1",
                "origin": "2026-01-02",
                "intercept": "1",
                "slope": "1",
                "season": [],
            },
            "dates": [
                {
                    "name": "warn",
                    "fraction": "0.75",
                    "on": "2026-03-17",
                    "already": False,
                    "by": "projection",
                },
                {
                    "name": "act",
                    "fraction": "0.9",
                    "on": "2026-04-01",
                    "already": False,
                    "by": "projection",
                },
                {
                    "name": "full",
                    "fraction": "1",
                    "on": "2026-04-11",
                    "already": False,
                    "by": "projection",
                },
            ],
            "reclaimable": None,
            "candidates": [],
        }
        assert data["left_out"] == {"allocations": 0, "other_locations": [], "other_types": []}

    def test_fractions_that_never_end(self) -> None:
        """Writes a fraction whose decimals never end to 38 significant digits."""
        memory = capacity_plan_data(plan(thresholds={"memory": Thresholds(warn="1/3", act="2/3")}))
        line = memory["lines"][1]
        assert line["utilisation"] == "0.33333333333333333333333333333333333333"
        assert line["dates"][0] == {
            "name": "warn",
            "fraction": "0.33333333333333333333333333333333333333",
            "on": "2026-03-01",
            "already": True,
            "by": "held",
        }
        assert line["projection"]["r_squared"] is None

    def test_scheduled_dates_and_what_was_left_out(self) -> None:
        """Says which dates the bookings decided, and counts the allocations not the pool's.

        4 vcpu held, 95 booked from 11 March: warn and act that day, by the booking;
        the line through a flat history reaches nothing. One allocation of eu-centrl
        (a slip for eu-central) and one of storage, which the pool has none of.
        """
        holdings = [
            vcpu(4, JAN1),
            vcpu(95, MAR1 + dt.timedelta(days=10)),
            vcpu(7, JAN1, location="eu-centrl"),
            Allocation("acme", "agr-1", "vm", "storage", quantity("1 TB"), JAN1),
        ]
        data = capacity_plan_data(CapacityPlan.build(POOL, holdings, as_of=MAR1))
        assert [(d["on"], d["by"]) for d in data["lines"][0]["dates"]] == [
            ("2026-03-11", "scheduled"),
            ("2026-03-11", "scheduled"),
            (None, None),
        ]
        assert data["left_out"] == {
            "allocations": 2,
            "other_locations": [
                {"location": "eu-centrl", "allocations": 1, "close": ["eu-central"]}
            ],
            "other_types": [{"resource_type": "storage", "allocations": 1, "close": []}],
        }

    def test_candidates(self) -> None:
        """Lists each holding that could be reclaimed, with its quantity and days unused."""
        data = capacity_plan_data(plan(usage=[], unused_for=58))
        assert data["lines"][0]["reclaimable"] == "1 vcpu"
        assert data["lines"][0]["candidates"] == [
            {
                "customer": "acme",
                "agreement": "agr-1",
                "service": "vm",
                "resource_id": "vm-1",
                "quantity": "1 vcpu",
                "since": "2026-01-02T00:00:00+00:00",
                "unused_since": "2026-01-02T00:00:00+00:00",
                "days_unused": 58,
            }
        ]
        assert data["lines"][1]["reclaimable"] == "100 GiB"

    def test_refuses_what_is_not_a_plan(self) -> None:
        """Refuses a value that is not a CapacityPlan, at $.plan."""
        with pytest.raises(ValidationError) as info:
            capacity_plan_data({"lines": []})  # type: ignore[arg-type]
        assert info.value.paths == ["$.plan"]


class TestCapacityPlanTable:
    """capacity_plan_table: a block per type, for people."""

    def test_table(self) -> None:
        """Shows each type's share, projection, threshold dates and reclaimable capacity."""
        usage = Usage(
            "acme",
            "agr-1",
            "vm",
            "memory",
            quantity("10 GiB*hour"),
            MAR1 - dt.timedelta(days=1),
            MAR1,
            resource_id="db",
        )
        text = capacity_plan_table(plan(usage=[usage], unused_for=58))
        assert text.splitlines() == [
            (
                "Capacity plan of pool fra-1 (Frankfurt 1, eu-central) as of"
                " 2026-03-01T00:00:00+00:00"
            ),
            (
                "Threshold dates are looked for up to 2029-03-01T00:00:00+00:00 (P3Y ahead); days"
                " are UTC days."
            ),
            "",
            (
                "vcpu: 59 vcpu held of 100 vcpu (59 %); at most 59 vcpu from then on, scheduled"
                " included"
            ),
            "  projection: linear over 59 days from 2026-01-02, r² 1, +1 vcpu a day",
            "  warn at 75 %: 2026-03-17 (projected)",
            "  act at 90 %:  2026-04-01 (projected)",
            "  full:         2026-04-11 (projected)",
            "  reclaimable: 1 vcpu in 1 holding",
            "    vm-1: 1 vcpu of acme under agr-1, unused 58 days",
            "",
            (
                "memory: 100 GiB held of 300 GiB (~33.33 %); at most 100 GiB from then on,"
                " scheduled included"
            ),
            "  projection: linear over 60 days from 2026-01-01, r² -, flat",
            "  warn at 75 %: not reached by 2029-03-01",
            "  act at 90 %:  not reached by 2029-03-01",
            "  full:         not reached by 2029-03-01",
            "  reclaimable: 0 GiB in 0 holdings",
        ]

    def test_scheduled_and_left_out(self) -> None:
        """Marks a date the bookings decided, and ends with the note of what was left out."""
        holdings = [
            vcpu(4, JAN1),
            vcpu(95, MAR1 + dt.timedelta(days=10)),
            vcpu(7, JAN1, location="eu-centrl"),
            vcpu(7, JAN1, location="eu-centrl"),
            vcpu(1, JAN1, location="us-east"),
            Allocation("acme", "agr-1", "vm", "storage", quantity("1 TB"), JAN1),
        ]
        plan_ = CapacityPlan.build(POOL, holdings, as_of=MAR1)
        lines = capacity_plan_table(plan_).splitlines()
        assert lines[3:8] == [
            (
                "vcpu: 4 vcpu held of 100 vcpu (4 %); at most 99 vcpu from then on, scheduled"
                " included"
            ),
            "  projection: linear over 60 days from 2026-01-01, r² -, flat",
            "  warn at 75 %: 2026-03-11 (scheduled)",
            "  act at 90 %:  2026-03-11 (scheduled)",
            "  full:         not reached by 2029-03-01",
        ]
        note = (
            "Left out: 4 allocations: 2 of location eu-centrl (did you mean eu-central?),"
            " 1 of location us-east, 1 of type storage, which the pool has no capacity for"
        )
        assert lines[-2:] == ["", note]
        assert capacity_left_out_note(plan_) == note

    def test_no_note_when_nothing_is_left_out(self) -> None:
        """Gives no note, and no last line, when every allocation is the pool's."""
        whole = plan()
        assert capacity_left_out_note(whole) == ""
        assert capacity_plan_table(whole).splitlines()[-1].startswith("  reclaimable:")

    def test_the_note_escapes_and_suggests_types(self) -> None:
        """Escapes a location's control characters, and names a pool type close to one left out."""
        holdings = [
            vcpu(1, JAN1, location="eu\x1b[2J"),
            Allocation("acme", "agr-1", "vm", "vpcu", quantity("1 vcpu"), JAN1),
        ]
        note = capacity_left_out_note(CapacityPlan.build(POOL, holdings, as_of=MAR1))
        assert note == (
            "Left out: 2 allocations: 1 of location eu\\x1b[2J, 1 of type vpcu, which the pool"
            " has no capacity for (did you mean vcpu?)"
        )
        assert capacity_left_out_note(
            CapacityPlan.build(POOL, holdings[:1], as_of=MAR1)
        ).startswith("Left out: 1 allocation: ")

    def test_the_note_refuses_what_is_not_a_plan(self) -> None:
        """Refuses a value that is not a CapacityPlan, at $.plan."""
        with pytest.raises(ValidationError) as info:
            capacity_left_out_note("plan")  # type: ignore[arg-type]
        assert info.value.paths == ["$.plan"]

    def test_without_usage_and_without_history(self) -> None:
        """Says why there is no projection and that nothing was judged unused without usage."""
        text = capacity_plan_table(CapacityPlan.build(POOL, [], as_of=MAR1))
        assert "  projection: none (no history before as_of): what is held is carried forward" in (
            text.splitlines()
        )
        assert "  reclaimable: not judged (no usage given)" in text.splitlines()

    def test_seasonal_and_reached(self) -> None:
        """Names a seasonal trend per month, and a level reached already with its date."""
        history = [
            vcpu(
                80, dt.datetime(2024, 1, 1, tzinfo=UTC), until=dt.datetime(2025, 6, 1, tzinfo=UTC)
            ),
            vcpu(90, dt.datetime(2025, 6, 1, tzinfo=UTC)),
        ]
        text = capacity_plan_table(CapacityPlan.build(POOL, history, as_of=MAR1))
        lines = text.splitlines()
        assert lines[4].startswith("  projection: seasonal over 26 months from 2024-01-01, r² ~0.")
        assert lines[4].endswith(" vcpu a month")
        assert lines[5:7] == [
            "  warn at 75 %: reached already (2026-03-01)",
            "  act at 90 %:  reached already (2026-03-01)",
        ]

    def test_escapes_the_pools_text(self) -> None:
        """Shows a control character in the pool's name as its escape."""
        odd = ResourcePool(
            "fra-1", "Frankfurt\x1b[2J", "eu", [PoolCapacity("vcpu", quantity("1 vcpu"))]
        )
        first = capacity_plan_table(CapacityPlan.build(odd, [], as_of=MAR1)).splitlines()[0]
        shown = (
            "Capacity plan of pool fra-1 (Frankfurt\\x1b[2J, eu) as of 2026-03-01T00:00:00+00:00"
        )
        assert first == shown

    def test_a_pool_without_capacity(self) -> None:
        """Says so of a pool with no capacity at all."""
        bare = ResourcePool("p", "P", "eu", [])
        assert capacity_plan_table(CapacityPlan.build(bare, [], as_of=MAR1)).splitlines()[-1] == (
            "(the pool has no capacity)"
        )

    def test_the_horizon(self) -> None:
        """Names the horizon chosen."""
        text = capacity_plan_table(
            CapacityPlan.build(POOL, [], as_of=MAR1, horizon=relativedelta(months=6))
        )
        assert "up to 2026-09-01T00:00:00+00:00 (P6M ahead)" in text


class TestCapacityChart:
    """capacity_chart: utilisation and projection against the thresholds, without pyplot."""

    def test_one_axes_per_type(self) -> None:
        """Draws an axes per type, with the history, the projection and the levels."""
        pytest.importorskip("matplotlib")
        from matplotlib.figure import Figure  # noqa: PLC0415 - the extra, imported when present

        figure = capacity_chart(plan())
        assert isinstance(figure, Figure)
        vcpus, memory = figure.axes
        assert (vcpus.get_title(), memory.get_title()) == ("vcpu of 100 vcpu", "memory of 300 GiB")
        labels = [line.get_label() for line in vcpus.get_lines()]
        assert labels[:3] == ["held", "projection (linear)", "warn 75 %"]
        held = vcpus.get_lines()[0]
        assert list(held.get_ydata())[:2] == [1.0, 2.0]
        assert list(held.get_ydata())[-1] == 59.0

    def test_seasonal_steps_and_no_history(self) -> None:
        """Draws a seasonal projection in monthly steps, and a type with no history."""
        pytest.importorskip("matplotlib")
        history = [
            vcpu(
                80, dt.datetime(2024, 1, 1, tzinfo=UTC), until=dt.datetime(2025, 6, 1, tzinfo=UTC)
            ),
            vcpu(90, dt.datetime(2025, 6, 1, tzinfo=UTC)),
        ]
        vcpus, memory = capacity_chart(CapacityPlan.build(POOL, history, as_of=MAR1)).axes
        held, projection = vcpus.get_lines()[:2]
        assert (len(held.get_xdata()), projection.get_drawstyle()) == (26, "steps-post")
        assert memory.get_lines()[0].get_label() == "projection (none)"

    def test_one_type(self) -> None:
        """Draws only the type asked for."""
        pytest.importorskip("matplotlib")
        (ax,) = capacity_chart(plan(), "memory").axes
        assert ax.get_title() == "memory of 300 GiB"

    def test_unknown_type(self) -> None:
        """Refuses a type the plan does not hold, naming those it does."""
        pytest.importorskip("matplotlib")
        with pytest.raises(ValidationError) as info:
            capacity_chart(plan(), "storage")
        assert info.value.errors == [
            (
                "expected a resource type of the plan (vcpu, memory), got 'storage' (string)"
                " @ $.resource_type"
            )
        ]

    def test_zero_capacity(self) -> None:
        """Draws a note instead of shares of a capacity of zero."""
        pytest.importorskip("matplotlib")
        empty = ResourcePool("p", "P", "eu", [PoolCapacity("vcpu", quantity("0 vcpu"))])
        (ax,) = capacity_chart(CapacityPlan.build(empty, [], as_of=MAR1)).axes
        assert [text.get_text() for text in ax.texts] == ["no capacity"]

    def test_missing_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Raises ImportError naming the analysis extra when matplotlib is not installed."""
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
        with pytest.raises(ImportError) as info:
            capacity_chart(plan())
        assert str(info.value) == (
            "capacity_chart needs matplotlib, which is not installed: "
            "pip install 'cloudsms[analysis]'"
        )
        assert info.value.name == "matplotlib"

    def test_refuses_what_is_not_a_plan(self) -> None:
        """Refuses a value that is not a CapacityPlan before needing matplotlib."""
        with pytest.raises(ValidationError) as info:
            capacity_chart(None)  # type: ignore[arg-type]
        assert info.value.paths == ["$.plan"]


def test_fraction_of_the_hand_case() -> None:
    """Keeps the plan's exact utilisation beside the text (59/100)."""
    assert plan().line("vcpu").utilisation == Fraction(59, 100)
