"""Offerings of a catalogue entry: fixed or customizable service-level options and priced upgrades.

Serves S03 (a catalogue entry offers fixed SLA options, and customizable ones the
customer extends with priced upgrades: a higher service level or more of a resource);
ISO/IEC 20000-1:2011 6.1.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import attrs

from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import ident, text
from cloudsms._kit.records import Check, Record, each, one_or_more, unique_by
from cloudsms.errors import Problem, UnknownReference, describe
from cloudsms.levels import ServiceLevel
from cloudsms.money import Price
from cloudsms.units import (
    Quantity,
    calendar_units,
    format_quantity,
    quantity_problems,
    registry,
    same_dimension,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Offering", "OfferingKind", "Upgrade", "UpgradeKind"]


def _not_below_zero(price: Price, path: str) -> list[Problem]:
    amount = price.amount.amount
    return (
        [Problem(f"{path}.amount", "an amount not below zero", str(amount))] if amount < 0 else []
    )


_price = Check(_not_below_zero)
"""A price of zero (a free tier) or more."""

_upgrade_ids = Check(each(ident).problems, expected="a list of upgrade ids")
"""The ids of upgrades an offering allows (or requires), each at its sorted index."""


def _added_problems(value: object, path: str) -> list[Problem]:
    found = quantity_problems(value, path, example="a quantity above zero, such as '1 instance'")
    if found:
        return found
    added: Any = value
    if not added.magnitude > 0:
        return [Problem(path, "a quantity above zero", format_quantity(added))]
    if calendar_units(added):
        expected = "a quantity without calendar units (months and years have no fixed length)"
        return [Problem(path, expected, format_quantity(added))]
    return []


_added = Check(_added_problems, expected="a quantity above zero", total=True)
"""The amount of its resource an upgrade adds: above zero, of no calendar unit."""


class UpgradeKind(enum.StrEnum):
    """What an upgrade buys: a higher service level, or more of a resource."""

    SERVICE_LEVEL = "service level"
    RESOURCE = "resource"


@attrs.frozen(kw_only=True)
class Upgrade(Record):
    """The price of a higher service level or of an extra resource (S03).

    A service-level upgrade names the `ServiceLevel` it raises to; a resource
    upgrade names none and is priced per unit of the resource. A resource upgrade may
    name the kind of resource it adds, ``resource_type``: the id of a
    `cloudsms.resources.ResourceType` (``"vcpu"``, ``"storage"``), so that
    `cloudsms.resources.RateCard.for_agreement` can price the allocations and usage of
    that type at the upgrade's price (S11). The id is checked for its form here and
    against the resource types where a rate card is built from it; a service-level
    upgrade names no resource type.

    ``quantity`` is how much of ``resource_type`` the upgrade adds to each
    subscription that takes it, when it adds a fixed amount (a standby server:
    ``1 instance``); it needs a resource type beside it, and measures what the price
    counts (``instance`` for a price per instance per month) or that per unit of
    time (``instance`` for a price per ``instance*hour``). Offerings that require
    such an upgrade (`Offering.requires`) cost the provider that much more to
    serve, which `cloudsms.resources.compare_offerings` reckons (S11; ISO/IEC
    20000-1:2011 6.1, 6.4).
    """

    id: str = attrs.field(validator=ident)
    description: str = attrs.field(validator=text)
    kind: UpgradeKind
    price: Price = attrs.field(validator=_price)
    level: ServiceLevel | None = None
    resource_type: str | None = attrs.field(validator=ident, default=None)
    quantity: Quantity | None = attrs.field(validator=_added, default=None)

    def _rules(self) -> Iterator[Problem]:
        """Service-level upgrades name a level and no resource type; resource ones no level.

        A quantity added needs the resource type it is an amount of, and measures
        what the price counts, or that per unit of time.
        """
        if self.kind is UpgradeKind.SERVICE_LEVEL and self.level is None:
            yield Problem("level", "the ServiceLevel a service-level upgrade gives", "null")
        if self.kind is UpgradeKind.SERVICE_LEVEL and self.resource_type is not None:
            yield Problem(
                "resource_type",
                "null for a service-level upgrade (only a resource upgrade adds a resource)",
                describe(self.resource_type),
            )
        if self.kind is UpgradeKind.RESOURCE and self.level is not None:
            yield Problem("level", "null for a resource upgrade", describe(self.level))
        if self.quantity is None:
            return
        if self.resource_type is None:
            expected = (
                "null, or a resource_type beside it (the quantity is an amount of that type)"
            )
            yield Problem("quantity", expected, format_quantity(self.quantity))
        elif not _measures(self.quantity, self.price.unit):
            expected = (
                f"a quantity of what the price counts ({self.price.unit}), or of that per "
                "unit of time"
            )
            yield Problem("quantity", expected, format_quantity(self.quantity))


def _measures(added: Quantity, unit: str) -> bool:
    """Whether ``added`` is of ``unit``'s dimension, or of it once multiplied by a time."""
    return same_dimension(added, unit) or same_dimension(added * registry().Unit("second"), unit)


class OfferingKind(enum.StrEnum):
    """A fixed SLA option, or one the customer customizes with upgrades."""

    FIXED = "fixed"
    CUSTOMIZABLE = "customizable"


@attrs.frozen(kw_only=True)
class Offering(Record):
    """One way to buy a catalogue entry: its service levels, its price, its upgrades.

    A fixed offering takes no upgrades; a customizable one names at least one of its
    entry's `Upgrade` ids. Each measure has one level. ``sla`` is the id of the SLA
    template the offering uses (S07), if there is one. ``requires`` names the
    upgrades every subscription to the offering includes, each one of its
    ``upgrades``: the resources a stricter level needs to be kept (a standby
    instance behind 99.9 % availability, an `Upgrade` with a ``quantity``), so the
    catalogue declares what the level costs to serve (S11,
    `cloudsms.resources.compare_offerings`). Serves S03; ISO/IEC 20000-1:2011 6.1.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    kind: OfferingKind
    levels: tuple[ServiceLevel, ...] = attrs.field(
        validator=one_or_more(ServiceLevel) & unique_by("measure"), converter=as_tuple
    )
    price: Price = attrs.field(validator=_price)
    upgrades: frozenset[str] = attrs.field(
        validator=_upgrade_ids, default=frozenset(), converter=as_frozenset
    )
    sla: str | None = attrs.field(validator=ident, default=None)
    requires: frozenset[str] = attrs.field(
        validator=_upgrade_ids, default=frozenset(), converter=as_frozenset
    )

    def _rules(self) -> Iterator[Problem]:
        """A fixed offering takes no upgrades; a customizable offering names one or more.

        The upgrades it requires are among those it allows.
        """
        if self.kind is OfferingKind.FIXED and self.upgrades:
            expected = "no upgrades for a fixed offering"
            yield Problem("upgrades", expected, describe(sorted(self.upgrades)))
        if self.kind is OfferingKind.CUSTOMIZABLE and not self.upgrades:
            expected = "one or more upgrade ids for a customizable offering"
            yield Problem("upgrades", expected, "none")
        unknown = sorted(self.requires - self.upgrades)
        if unknown:
            allowed = ", ".join(sorted(self.upgrades)) or "none"
            expected = f"ids of upgrades the offering allows ({allowed})"
            yield Problem("requires", expected, ", ".join(unknown))

    def level(self, measure: str) -> ServiceLevel:
        """The level the offering commits to for ``measure``.

        Raises:
            UnknownReference: the offering states no level for it (with close matches).
        """
        for level in self.levels:
            if level.measure == measure:
                return level
        known = [level.measure for level in self.levels]
        raise UnknownReference("service level", measure, suggestions=suggest(measure, known))
