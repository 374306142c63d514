"""Offerings of a catalogue entry: fixed or customizable service-level options and priced upgrades.

Serves S03 (a catalogue entry offers fixed SLA options, and customizable ones the
customer extends with priced upgrades: a higher service level or more of a resource);
ISO/IEC 20000-1:2011 6.1.
"""

from __future__ import annotations

import enum

import attrs

from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import (
    as_frozenset,
    as_tuple,
    id_problems,
    items_problems,
    raise_problems,
    text_problems,
)
from cloudsms.errors import Problem, UnknownReference, describe
from cloudsms.levels import ServiceLevel
from cloudsms.money import Price

__all__ = ["Offering", "OfferingKind", "Upgrade", "UpgradeKind"]


def _price_problems(price: object) -> list[Problem]:
    if not isinstance(price, Price):
        return [Problem("$.price", "a Price", describe(price))]
    if price.amount.amount < 0:
        return [Problem("$.price.amount", "an amount not below zero", str(price.amount.amount))]
    return []


class UpgradeKind(enum.StrEnum):
    """What an upgrade buys: a higher service level, or more of a resource."""

    SERVICE_LEVEL = "service level"
    RESOURCE = "resource"


@attrs.frozen(kw_only=True)
class Upgrade:
    """The price of a higher service level or of an extra resource (S03).

    A service-level upgrade names the `ServiceLevel` it raises to; a resource
    upgrade names none and is priced per unit of the resource.
    """

    id: str
    description: str
    kind: UpgradeKind
    price: Price
    level: ServiceLevel | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.description, "$.description")
        kind: object = self.kind
        if not isinstance(kind, UpgradeKind):
            problems.append(Problem("$.kind", "'service level' or 'resource'", describe(kind)))
        problems += _price_problems(self.price)
        level: object = self.level
        if kind is UpgradeKind.SERVICE_LEVEL and not isinstance(level, ServiceLevel):
            problems.append(
                Problem(
                    "$.level", "the ServiceLevel a service-level upgrade gives", describe(level)
                )
            )
        if kind is UpgradeKind.RESOURCE and level is not None:
            problems.append(Problem("$.level", "null for a resource upgrade", describe(level)))
        raise_problems(problems, "Upgrade")


class OfferingKind(enum.StrEnum):
    """A fixed SLA option, or one the customer customizes with upgrades."""

    FIXED = "fixed"
    CUSTOMIZABLE = "customizable"


@attrs.frozen(kw_only=True)
class Offering:
    """One way to buy a catalogue entry: its service levels, its price, its upgrades.

    A fixed offering takes no upgrades; a customizable one names at least one of its
    entry's `Upgrade` ids. ``sla`` is the id of the SLA template the offering uses
    (S07), if there is one. Serves S03; ISO/IEC 20000-1:2011 6.1.
    """

    id: str
    name: str
    kind: OfferingKind
    levels: tuple[ServiceLevel, ...] = attrs.field(converter=as_tuple)
    price: Price
    upgrades: frozenset[str] = attrs.field(default=frozenset(), converter=as_frozenset)
    sla: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = id_problems(self.id, "$.id") + text_problems(self.name, "$.name")
        kind: object = self.kind
        if not isinstance(kind, OfferingKind):
            problems.append(Problem("$.kind", "'fixed' or 'customizable'", describe(kind)))
        levels: object = self.levels
        if not isinstance(levels, tuple) or not levels:
            problems.append(Problem("$.levels", "one or more ServiceLevel", describe(levels)))
        else:
            typed = items_problems(levels, ServiceLevel, "$.levels", "a list of ServiceLevel")
            problems += typed
            measures = [level.measure for level in levels] if not typed else []
            if len(set(measures)) != len(measures):
                problems.append(
                    Problem("$.levels", "each measure once", ", ".join(map(str, measures)))
                )
        problems += _price_problems(self.price)
        upgrades: object = self.upgrades
        if not isinstance(upgrades, frozenset):
            problems.append(Problem("$.upgrades", "a list of upgrade ids", describe(upgrades)))
        elif kind is OfferingKind.FIXED and upgrades:
            problems.append(
                Problem(
                    "$.upgrades", "no upgrades for a fixed offering", describe(sorted(upgrades))
                )
            )
        elif kind is OfferingKind.CUSTOMIZABLE and not upgrades:
            problems.append(
                Problem(
                    "$.upgrades", "one or more upgrade ids for a customizable offering", "none"
                )
            )
        else:
            for upgrade in sorted(upgrades, key=str):
                problems += id_problems(upgrade, "$.upgrades")
        if self.sla is not None:
            problems += id_problems(self.sla, "$.sla")
        raise_problems(problems, "Offering")

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
