"""Cost to serve and margin: what a service costs the provider, beside what it charges (S11).

A `cloudsms.resources.CostProfile` says what the customer pays for the resources it
holds and uses. This module says what the same resources cost the provider:

- a `PoolCost` gives, for one pool of the provider (a `cloudsms.resources.ResourcePool`
  in one location), what one unit of each resource type costs it, split by the kind
  of cost (`CostKind`: hardware, licences, energy, ...), each a `UnitCost` whose
  price suits its type as a rate's price does (by the time held for an allocated
  type, per amount used for a metered one);
- `cost_to_serve` prices an agreement's allocations (and metered usage) over a
  period with the pool costs of the locations they are held in, exactly, line by
  line (`ServingLine`), over the same window a cost profile charges (the period cut
  to the agreement's term, calendar periods counted in the agreement's zone);
- `margin` sets that beside the cost profile: the charge, the cost to serve, and
  the difference between them (`Margin`);
- `compare_offerings` answers "what does 99.9 % cost us against 99.5 %": the
  charge and the cost to serve of one workload under two offerings of a catalogue
  entry, the stricter one adding the resources it requires
  (`cloudsms.catalogue.Offering.requires`, `cloudsms.catalogue.Upgrade.quantity`).

Amounts stay exact (`Fraction`) until a total, which is rounded once, half to even,
to the currency's minor unit; splits of a total (`CostToServe.by_pool`,
`CostToServe.by_kind`) are handed out by `cloudsms.money.allocate`, so their parts
add up to it.

Serves S11 (the cost of the resources behind a service, the capacity that a level
of service needs) and ISO/IEC 20000-1:2011 6.4 (budgeting and accounting for
services: costs attributed to services), 6.5 (capacity management) and 6.1
(service level management: the cost of a stricter level, for `compare_offerings`).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.checks import ident, raise_problems, text
from cloudsms._kit.documents import document
from cloudsms._kit.records import Record
from cloudsms.agreements import CloudServiceAgreement
from cloudsms.catalogue import CatalogueEntry, Offering, Upgrade, UpgradeKind
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.money import Money, Price
from cloudsms.periods import Period, _trusted
from cloudsms.resources.cost import (
    _PER_SECOND,
    CostProfile,
    _Calendar,
    _Frame,
    _instant,
    _micros,
    _money,
    _rounded,
    _split,
)
from cloudsms.resources.pricing import (
    _CURRENCY,
    _PRICE,
    RateCard,
    _offering_card,
    _price_basis,
    _suits,
)
from cloudsms.resources.types import (
    Allocation,
    MeteringKind,
    ResourcePool,
    ResourceType,
    Usage,
    resource_types,
)
from cloudsms.units import Quantity, format_quantity, fraction_in, registry

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from cloudsms.catalogue import Catalogue

__all__ = [
    "CostKind",
    "CostToServe",
    "Margin",
    "OfferingComparison",
    "OfferingCost",
    "PoolCost",
    "ServingLine",
    "UnitCost",
    "compare_offerings",
    "cost_to_serve",
    "margin",
]

_SUBJECT = "cost to serve"
_COMPARISON = "offering comparison"
_MAX_PROBLEMS = 50


class CostKind(enum.StrEnum):
    """What part of the provider's cost a unit cost is: the split `CostToServe.by_kind` shows."""

    HARDWARE = "hardware"
    LICENCE = "licence"
    ENERGY = "energy"
    FACILITIES = "facilities"
    NETWORK = "network"
    SUPPORT = "support"
    OTHER = "other"


# ---------------------------------------------------------------------- unit costs
@attrs.frozen
class UnitCost(Record):
    """What one unit of a resource type costs the provider, of one kind of cost.

    Built as ``UnitCost(resource_type, kind, price)``: ``resource_type`` is the id of
    a `cloudsms.resources.ResourceType`, ``kind`` the `CostKind` (the hardware
    written off, the energy drawn, ...) and ``price`` a `cloudsms.money.Price` of
    zero or more. The price is read as a rate's price is: for an allocated type,
    per unit and exact time (EUR 0.011 per ``vcpu*hour``) or per unit and calendar
    period (EUR 6 per ``TB`` per month); for a metered type, per amount used. That it
    suits its type is checked where the types are at hand (`PoolCost.check`).

    Serves S11 and ISO/IEC 20000-1:2011 6.4.

    Raises:
        ValidationError: every problem of the fields, each with its path: a
            malformed type id (``$.resource_type``), an unknown kind (``$.kind``), a
            price below zero (``$.price.amount``).

    Examples:
        >>> from cloudsms.money import Money, Price
        >>> energy = UnitCost("vcpu", CostKind.ENERGY, Price(Money("0.004", "EUR"), "vcpu*hour"))
        >>> str(energy.price), energy.kind.value
        ('EUR 0.004 per vcpu*hour', 'energy')
    """

    resource_type: str = attrs.field(validator=ident)
    kind: CostKind
    price: Price = attrs.field(validator=_PRICE)


@document("cloudsms.pool-cost", version=1)
@attrs.frozen
class PoolCost(Record):
    """What the resources of one pool cost the provider, per unit, in one currency (S11).

    Built as ``PoolCost(pool, location, currency, costs)``, or from the pool itself
    with `for_pool`. ``pool`` is the id of the `cloudsms.resources.ResourcePool`,
    ``location`` its location (an allocation held in that location is served by
    this pool cost: `cost_to_serve`), ``currency`` the ISO 4217 code of every price,
    and ``costs`` the `UnitCost` values, at most one per resource type and kind: a
    type may cost hardware and energy, each once.

    A persisted document (``cloudsms.pool-cost``, schema version 1). Serves S11 and
    ISO/IEC 20000-1:2011 6.4 and 6.5.

    Raises:
        ValidationError: every problem of the fields, each with its path: an unknown
            currency (``$.currency``), a price in another currency
            (``$.costs[i].price.amount.currency``), a type and kind costed twice
            (``$.costs[i]``).

    Examples:
        >>> from cloudsms.money import Money, Price
        >>> fra = PoolCost(
        ...     "fra-1",
        ...     "eu-central",
        ...     "EUR",
        ...     [
        ...         UnitCost("vcpu", CostKind.HARDWARE, Price(Money("0.011", "EUR"), "vcpu*hour")),
        ...         UnitCost("vcpu", CostKind.ENERGY, Price(Money("0.004", "EUR"), "vcpu*hour")),
        ...     ],
        ... )
        >>> [cost.kind.value for cost in fra.costs_of("vcpu")], fra.costs_of("storage")
        (['hardware', 'energy'], ())
    """

    pool: str = attrs.field(validator=ident)
    location: str = attrs.field(validator=text)
    currency: str = attrs.field(validator=_CURRENCY)
    costs: tuple[UnitCost, ...] = attrs.field(converter=as_tuple)

    def _rules(self) -> Iterator[Problem]:
        """Every price in the pool cost's currency; one unit cost per type and kind."""
        seen: dict[tuple[str, CostKind], int] = {}
        for index, cost in enumerate(self.costs):
            code = cost.price.amount.currency
            if code != self.currency:
                yield Problem(
                    f"costs[{index}].price.amount.currency",
                    f"{self.currency} (the pool cost's currency)",
                    describe(code),
                )
            key = (cost.resource_type, cost.kind)
            if key in seen:
                expected = (
                    f"one unit cost per resource type and kind ({_cost_key(cost)} is "
                    f"costs[{seen[key]}] already)"
                )
                yield Problem(f"costs[{index}]", expected, _cost_key(cost))
            seen.setdefault(key, index)

    def __hash__(self) -> int:
        return hash((self.pool, self.location, self.currency, self.costs))

    def costs_of(self, type_id: str) -> tuple[UnitCost, ...]:
        """The unit costs of the resource type ``type_id``, in order (``()`` when none)."""
        return tuple(cost for cost in self.costs if cost.resource_type == type_id)

    @property
    def priced(self) -> tuple[str, ...]:
        """The ids of the resource types the pool cost prices, each once, in order."""
        return tuple(dict.fromkeys(cost.resource_type for cost in self.costs))

    def problems(self, types: Iterable[ResourceType] | None = None) -> list[Problem]:
        """What keeps the unit costs from pricing their types (see `check`), or ``[]``."""
        table = {t.id: t for t in (resource_types() if types is None else types)}
        problems: list[Problem] = []
        for index, cost in enumerate(self.costs):
            kind = table.get(cost.resource_type)
            if kind is None:
                known = ", ".join(sorted(table))
                problems.append(
                    Problem(
                        f"$.costs[{index}].resource_type",
                        f"the id of a known resource type ({known})",
                        describe(cost.resource_type),
                    )
                )
            else:
                problems += _suits(kind, cost.price, f"$.costs[{index}].price")
        return problems

    def check(self, types: Iterable[ResourceType] | None = None) -> None:
        """Check that every unit cost can price its type, from ``types`` or the built-ins.

        The rule is a rate's (`cloudsms.resources.RateCard.check`): an allocated
        type is priced per its unit and exact time, or per its unit and calendar
        period; a metered type per amount used.

        Raises:
            ValidationError: an unknown resource type or a price that does not suit
                its type, each at its path (``$.costs[2].price``).
        """
        raise_problems(self.problems(types), "pool cost")

    @classmethod
    def for_pool(cls, pool: ResourcePool, currency: str, costs: Iterable[UnitCost]) -> PoolCost:
        """The pool cost of ``pool``: its id and location, with ``costs`` in ``currency``.

        Raises:
            ValidationError: ``pool`` is not a `cloudsms.resources.ResourcePool`
                (``$.pool``), or the pool cost is invalid (as the constructor).
        """
        if not isinstance(pool, ResourcePool):
            raise ValidationError.single(
                "$.pool", "a ResourcePool", describe(pool), subject="pool cost"
            )
        return cls(pool.id, pool.location, currency, costs)


def _cost_key(cost: UnitCost) -> str:
    return f"{cost.resource_type}/{cost.kind.value}"


# ---------------------------------------------------------------------- lines
@attrs.frozen(kw_only=True)
class ServingLine:
    """One line of a `CostToServe`: one unit cost of a holding or a usage, priced exactly.

    - ``source``: the `cloudsms.resources.Allocation` or `cloudsms.resources.Usage`
      served (`line_kind` says which);
    - ``pool`` and ``location``: the pool cost that serves it;
    - ``kind`` and ``price``: the `UnitCost` applied;
    - ``held``: for an allocation, the time it was held inside the period and the
      agreement's term, written in the agreement's zone; ``None`` for a usage;
    - ``exact``: ``price.exact_cost(quantity, held)`` (``price.exact_cost(quantity)``
      for a usage), a `Fraction` of the currency, never rounded;
    - ``currency``: the pool cost's currency.

    Serves S11 and ISO/IEC 20000-1:2011 6.4.
    """

    source: Allocation | Usage
    pool: str
    location: str
    kind: CostKind
    price: Price
    held: Period | None
    exact: Fraction
    currency: str

    @property
    def line_kind(self) -> Literal["allocation", "usage"]:
        """What the line serves: ``"allocation"`` (a holding) or ``"usage"``."""
        return "allocation" if isinstance(self.source, Allocation) else "usage"

    @property
    def service(self) -> str:
        """The service of the allocation or usage."""
        return self.source.service

    @property
    def resource_type(self) -> str:
        """The resource type id of the allocation or usage."""
        return self.source.resource_type

    @property
    def quantity(self) -> Quantity:
        """The quantity held or used."""
        return self.source.quantity

    @property
    def amount(self) -> Money:
        """``exact`` as Money: exact where it fits, else to 38 significant digits."""
        return _money(self.exact, self.currency, subject=_SUBJECT)


# ---------------------------------------------------------------------- results
@attrs.frozen(kw_only=True)
class CostToServe:
    """What an agreement's resources cost the provider over a period (S11).

    Made by `cost_to_serve`. ``lines`` holds the `ServingLine` values: for each
    allocation in the order given, one per unit cost of its type in its pool cost
    (in the pool cost's order), then the same for each usage priced.
    ``exact_total`` is the exact sum of the lines and ``total`` that sum rounded
    once, half to even, to the currency's minor unit
    (`cloudsms.money.round_to_minor`). ``period`` is the period asked for (the
    lines cover its part inside the agreement's term) and ``currency`` the pool
    costs' currency.

    ``unpriced`` holds the usage rows of the agreement starting in the window that
    no pool cost prices: of a metered type that the pool cost serving the row has no
    unit cost for, or that no pool cost prices at all (an unknown type among them).
    They cost nothing in the total, so a cost to serve, and the margin made from it,
    is only as complete as the pool costs: a row here is a cost the provider has
    not priced, kept in sight rather than counted as free (`unpriced_types` counts
    them by type). An allocation of a type its pool cost does not price is refused
    instead: a holding is what the pool is for.

    Serves S11 and ISO/IEC 20000-1:2011 6.4.
    """

    agreement: CloudServiceAgreement
    period: Period
    currency: str
    lines: tuple[ServingLine, ...]
    exact_total: Fraction
    total: Money
    unpriced: tuple[Usage, ...] = ()

    def unpriced_types(self) -> dict[str, int]:
        """How many ``unpriced`` usage rows each resource type has, by type id (sorted)."""
        counts: dict[str, int] = defaultdict(int)
        for row in self.unpriced:
            counts[row.resource_type] += 1
        return dict(sorted(counts.items()))

    def by_pool(self) -> dict[str, Money]:
        """The total split by pool id (sorted), the parts adding up to it exactly.

        Each pool's exact cost is its weight; `cloudsms.money.allocate` hands the
        rounded total out by largest remainder.
        """
        weights: dict[str, Fraction] = defaultdict(Fraction)
        for line in self.lines:
            weights[line.pool] += line.exact
        keys = sorted(weights)
        return dict(zip(keys, _split(self.total, [weights[k] for k in keys]), strict=True))

    def by_kind(self) -> dict[CostKind, Money]:
        """The total split by kind of cost (in `CostKind` order), adding up to it exactly."""
        weights: dict[CostKind, Fraction] = defaultdict(Fraction)
        for line in self.lines:
            weights[line.kind] += line.exact
        keys = [kind for kind in CostKind if kind in weights]
        return dict(zip(keys, _split(self.total, [weights[k] for k in keys]), strict=True))

    def __repr__(self) -> str:
        count = len(self.lines)
        left = len(self.unpriced)
        unpriced = f", {left} usage row{'' if left == 1 else 's'} unpriced" if left else ""
        return (
            f"<CostToServe of {self.agreement.id} over {self.period}: {count} "
            f"line{'' if count == 1 else 's'}, {self.total}{unpriced}>"
        )


@attrs.frozen(kw_only=True)
class Margin:
    """What an agreement earns the provider over a period: charge less cost to serve (S11).

    Made by `margin`. ``charge`` is the cost profile's ``total`` and
    ``cost_to_serve`` the cost to serve's ``total``, each rounded once to the
    currency's minor unit; ``margin`` is ``charge - cost_to_serve``, exactly, so the
    three figures shown side by side always add up. ``ratio`` is ``margin / charge``
    as an exact `Fraction` (``None`` when nothing was charged). ``profile`` (the
    `cloudsms.resources.CostProfile`) and ``serving`` (the `CostToServe`) hold the
    lines behind the figures; ``serving.unpriced`` lists the usage charged for that
    no pool cost prices, which the margin does not take off.

    Serves S11 and ISO/IEC 20000-1:2011 6.4.
    """

    charge: Money
    cost_to_serve: Money
    margin: Money
    ratio: Fraction | None
    profile: CostProfile
    serving: CostToServe


@attrs.frozen(kw_only=True)
class OfferingCost:
    """One side of an `OfferingComparison`: a workload's charge and cost under an offering.

    ``offering`` is the `cloudsms.catalogue.Offering`; ``charge`` what the workload
    is charged under it and ``cost_to_serve`` what it costs the provider, each
    rounded once to the minor unit; ``margin`` is ``charge - cost_to_serve``;
    ``added`` lists the allocations the offering's required upgrades add to the
    workload (one per required upgrade with a quantity).
    """

    offering: Offering
    charge: Money
    cost_to_serve: Money
    margin: Money
    added: tuple[Allocation, ...]


@attrs.frozen(kw_only=True)
class OfferingComparison:
    """Two offerings of one catalogue entry, priced and costed on the same workload.

    Made by `compare_offerings`. ``a`` and ``b`` are the `OfferingCost` of each;
    the differences are ``b - a``: ``charge_difference`` (what the customer pays
    more under ``b``), ``cost_difference`` (what serving costs the provider more)
    and ``margin_difference`` (how much more the provider keeps).

    Serves S11 and ISO/IEC 20000-1:2011 6.1 and 6.4.
    """

    a: OfferingCost
    b: OfferingCost
    charge_difference: Money
    cost_difference: Money
    margin_difference: Money


# ---------------------------------------------------------------------- pricing
class _Problems:
    """The problems of one call, the first `_MAX_PROBLEMS` kept, the rest counted."""

    def __init__(self) -> None:
        self.found: list[Problem] = []
        self.more = 0

    def add(self, path: str, expected: str, got: str) -> None:
        if len(self.found) < _MAX_PROBLEMS:
            self.found.append(Problem(path, expected, got))
        else:
            self.more += 1

    @property
    def count(self) -> int:
        """How many problems were found, kept or counted."""
        return len(self.found) + self.more

    def raise_any(self, subject: str = _SUBJECT) -> None:
        problems = list(self.found)
        if self.more:
            problems.append(
                Problem("$", "every row costed", f"{self.more} more rows with problems")
            )
        raise_problems(problems, subject)


class _Pricer:
    """Exact costs of quantities at prices, by the arithmetic of a cost profile.

    The cost of a quantity held over a part of the window is the one `cloudsms.money.
    Price.exact_cost` gives: the exact time held times a price per unit and time, or
    the calendar periods held (counted in the window's zone) times a price per
    calendar period. It is worked out as a cost profile works it out: the time held
    as whole microseconds, a calendar period's share as an integer scaled by the
    lengths of the periods the window touches (the cost profile's own calendar),
    and a rate remembered per unit and price (the price's amount times one of the
    unit in the price's unit, over the microseconds of a second or the scale), so
    pint converts each unit once and each line costs one product of integers.
    """

    def __init__(self, window: Period) -> None:
        self.window = window
        self.zone = window.start.tzinfo
        self.start_us = _micros(window.start)
        self.end_us = _micros(window.end)
        self.rates: dict[tuple[Any, int, bool], tuple[int, int, _Calendar | None]] = {}
        # The prices keyed by id above, kept alive so that no other price takes an id.
        self.prices: list[Price] = []
        self.calendars: dict[str, _Calendar] = {}

    def rate(
        self, value: Quantity, price: Price, kind: ResourceType | None
    ) -> tuple[int, int, _Calendar | None]:
        """Money per unit of ``value``'s magnitude and per microsecond or calendar share held.

        Given as a numerator, a denominator and the calendar of a price per calendar
        period (``None`` for a price by exact time, or per amount used). ``kind`` is
        the type held, for a price by the time held; ``None`` for a price per amount
        used.

        Raises:
            ValidationError: ``value`` is not of what the price counts.
        """
        units = cast("Any", value)._units  # noqa: SLF001 - pint's hashable units, the cache key
        key = (units, id(price), kind is not None)
        found = self.rates.get(key)
        if found is None:
            timed = (
                kind is not None
                and _price_basis(price.unit, price.per is not None, kind.unit) == "time"
            )
            one: Any = registry().Quantity(Decimal(1), units)
            if timed:
                one = one * registry().Unit("second")
            rate = Fraction(price.amount.amount) * fraction_in(one, price.unit)
            calendar = None
            if timed:
                rate /= _PER_SECOND
            elif kind is not None:
                per = cast("str", price.per)
                calendar = self.calendars.get(per)
                if calendar is None:  # it reads window, start_us and end_us, as of a frame
                    calendar = self.calendars[per] = _Calendar(cast("_Frame", self), per)
                rate /= calendar.scale
            found = self.rates[key] = (rate.numerator, rate.denominator, calendar)
            self.prices.append(price)
        return found

    def span(self, held: Allocation) -> tuple[int, int] | None:
        """The microseconds of the window ``held`` is held in, or ``None`` when none."""
        since = _micros(held.since)
        start = max(self.start_us, since)
        end = self.end_us
        if held.until is not None:
            end = min(end, _micros(held.until))
        return (start, end) if start < end else None

    def period(self, start: int, end: int) -> Period:
        """The part ``[start, end)`` of the window, written in the window's zone.

        The window itself when it is all of it; else a piece of the checked window,
        built without a second check.
        """
        window = self.window
        first = window.start if start == self.start_us else _instant(start, self.zone)
        last = window.end if end == self.end_us else _instant(end, self.zone)
        if first is window.start and last is window.end:
            return window
        return _trusted(first, last)

    def held(
        self, value: Quantity, price: Price, kind: ResourceType, start: int, end: int
    ) -> Fraction:
        """The exact cost of ``value`` held over ``[start, end)`` at ``price``, by time held.

        Raises:
            ValidationError: ``value`` is not of what the price counts.
        """
        numerator, denominator, calendar = self.rate(value, price, kind)
        share = end - start if calendar is None else calendar.share(start, end)
        top, bottom = cast("Any", value)._magnitude.as_integer_ratio()  # noqa: SLF001
        return Fraction(top * share * numerator, bottom * denominator)

    def used(self, value: Quantity, price: Price) -> Fraction:
        """The exact cost of ``value`` used at ``price`` (a price per amount used)."""
        numerator, denominator, _ = self.rate(value, price, None)
        top, bottom = cast("Any", value)._magnitude.as_integer_ratio()  # noqa: SLF001
        return Fraction(top * numerator, bottom * denominator)


# ---------------------------------------------------------------------- checking inputs
def _table(types: object, problems: list[Problem]) -> dict[str, ResourceType] | None:
    """The table of types by id, or ``None`` (and its problems) when ``types`` is not one."""
    chosen = resource_types() if types is None else types
    if isinstance(chosen, str) or not hasattr(chosen, "__iter__"):
        problems.append(Problem("$.types", "a list of ResourceType values", describe(types)))
        return None
    table: dict[str, ResourceType] = {}
    wrong: list[Problem] = []
    for index, kind in enumerate(cast("Iterable[object]", chosen)):
        if isinstance(kind, ResourceType):
            table.setdefault(kind.id, kind)
        else:
            wrong.append(Problem(f"$.types[{index}]", "a ResourceType", describe(kind)))
    problems += wrong
    return None if wrong else table


def _listed(value: object, path: str, problems: list[Problem]) -> tuple[Any, ...] | None:
    """``value`` as a tuple, or ``None`` (and a problem at ``path``) when it is no list."""
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        problems.append(Problem(path, "a list", describe(value)))
        return None
    return tuple(cast("Iterable[Any]", value))


def _in_currency(given: tuple[Any, ...], code: str, whose: str) -> list[Problem]:
    """A problem for each pool cost of ``given`` not in ``code`` (``whose`` currency)."""
    expected = f"{code} ({whose} currency)"
    return [
        Problem(f"$.pool_costs[{index}].currency", expected, describe(pool.currency))
        for index, pool in enumerate(given)
        if isinstance(pool, PoolCost) and pool.currency != code
    ]


def _pool_costs(
    value: object,
    table: dict[str, ResourceType] | None,
    problems: list[Problem],
    currency: tuple[str, str] | None = None,
) -> dict[str, PoolCost]:
    """The pool costs by location: one currency, one per location and pool, prices suiting.

    ``value`` is the list given: one or more pool costs. Their currency is
    ``currency`` when given (``(code, whose it is)``), else the first one's.
    """
    given = _listed(value, "$.pool_costs", problems)
    if given is None:
        return {}
    if not given:
        problems.append(Problem("$.pool_costs", "one or more pool costs", "none"))
    if currency is not None:
        problems += _in_currency(given, *currency)
    return _by_location(given, table, problems, same_currency=currency is None)


def _by_location(
    given: tuple[Any, ...],
    table: dict[str, ResourceType] | None,
    problems: list[Problem],
    *,
    same_currency: bool,
) -> dict[str, PoolCost]:
    """The pool costs by location, with the problems of each (the first one's currency)."""
    by_location: dict[str, PoolCost] = {}
    pools: dict[str, int] = {}
    first: PoolCost | None = None
    for index, pool in enumerate(given):
        path = f"$.pool_costs[{index}]"
        if not isinstance(pool, PoolCost):
            problems.append(Problem(path, "a PoolCost", describe(pool)))
            continue
        if first is None:
            first = pool
        elif same_currency and pool.currency != first.currency:
            expected = f"{first.currency} (the currency of the first pool cost, {first.pool})"
            problems.append(Problem(f"{path}.currency", expected, describe(pool.currency)))
        if pool.location in by_location:
            expected = (
                "one pool cost per location (pool cost "
                f"{by_location[pool.location].pool} serves {pool.location} already)"
            )
            problems.append(Problem(f"{path}.location", expected, describe(pool.location)))
        if pool.pool in pools:
            expected = f"one pool cost per pool ({pool.pool} is pool_costs[{pools[pool.pool]}])"
            problems.append(Problem(f"{path}.pool", expected, describe(pool.pool)))
        pools.setdefault(pool.pool, index)
        by_location.setdefault(pool.location, pool)
        if table is not None:  # else the types are the problem
            found = pool.problems(table.values())
            problems += [p._replace(path=path + p.path[1:]) for p in found]
    return by_location


_Plan = tuple[PoolCost, tuple[tuple[UnitCost, int, int, _Calendar | None], ...]]
"""The pool cost serving holdings of one location, type and unit, and its unit costs' rates."""


class _Serving:
    """Which pool cost serves a holding or a usage, and at what unit costs."""

    def __init__(
        self, pools: dict[str, PoolCost], table: dict[str, ResourceType], pricer: _Pricer
    ) -> None:
        self.pools = pools
        self.only = next(iter(pools.values())) if len(pools) == 1 else None
        self.table = table
        self.pricer = pricer
        self.known = ", ".join(sorted(pools))
        # Per location, type and unit held: the pool cost and each unit cost's rate.
        self.plans: dict[tuple[str | None, str, Any], _Plan] = {}

    def pool_of(self, location: str | None, path: str, problems: _Problems) -> PoolCost | None:
        """The pool cost of ``location``; the only one for none; else a problem at ``path``."""
        if location is None:
            if self.only is not None:
                return self.only
            problems.add(
                f"{path}.location",
                f"a location, since several pool costs serve ({self.known})",
                "null",
            )
            return None
        found = self.pools.get(location)
        if found is None:
            problems.add(
                f"{path}.location",
                f"the location of a pool cost ({self.known})",
                describe(location),
            )
        return found

    def allocated(self, held: Allocation, path: str, problems: _Problems) -> ResourceType | None:
        """The type of a holding, when it is known and allocated; else a problem."""
        kind = self.table.get(held.resource_type)
        if kind is None:
            known = ", ".join(sorted(self.table))
            problems.add(
                f"{path}.resource_type",
                f"a known resource type ({known})",
                describe(held.resource_type),
            )
            return None
        if kind.kind is not MeteringKind.ALLOCATED:
            problems.add(
                f"{path}.resource_type",
                "an allocated resource type, costed by the time held",
                f"{held.resource_type} ({kind.kind.value})",
            )
            return None
        return kind

    def plan(self, held: Allocation, path: str, problems: _Problems) -> _Plan | None:
        """The pool cost serving a holding and the rates of its unit costs, or a problem.

        What it finds depends only on the holding's location, type and unit, so it
        is remembered for them; a problem is found again for each row that has it.
        """
        units = cast("Any", held.quantity)._units  # noqa: SLF001 - pint's hashable units
        key = (held.location, held.resource_type, units)
        found = self.plans.get(key)
        if found is not None:
            return found
        kind = self.allocated(held, path, problems)
        pool = None if kind is None else self.pool_of(held.location, path, problems)
        if kind is None or pool is None:
            return None
        costs = pool.costs_of(held.resource_type)
        if not costs:
            priced = ", ".join(pool.priced) or "none"
            problems.add(
                f"{path}.resource_type",
                f"a resource type pool cost {pool.pool} prices ({priced})",
                describe(held.resource_type),
            )
            return None
        rates = []
        for cost in costs:
            try:
                rates.append((cost, *self.pricer.rate(held.quantity, cost.price, kind)))
            except ValidationError:
                problems.add(
                    f"{path}.quantity",
                    f"a quantity of {kind.unit}, which the unit cost {cost.price} charges",
                    format_quantity(held.quantity),
                )
                return None
        found = self.plans[key] = (pool, tuple(rates))
        return found

    def allocation(self, held: Allocation, path: str, problems: _Problems) -> list[ServingLine]:
        """The lines of one allocation held inside the window (none when it is not).

        Each line's exact cost is the quantity's magnitude times the microseconds (or
        the scaled calendar share) held times its unit cost's rate, as one fraction.
        """
        span = self.pricer.span(held)
        if span is None:
            return []
        plan = self.plan(held, path, problems)
        if plan is None:
            return []
        pool, rates = plan
        start, end = span
        part = self.pricer.period(start, end)
        magnitude: Decimal = cast("Any", held.quantity)._magnitude  # noqa: SLF001
        top, bottom = magnitude.as_integer_ratio()
        return [
            ServingLine(
                source=held,
                pool=pool.pool,
                location=pool.location,
                kind=cost.kind,
                price=cost.price,
                held=part,
                exact=Fraction(
                    top * (end - start if calendar is None else calendar.share(start, end)) * num,
                    bottom * den,
                ),
                currency=pool.currency,
            )
            for cost, num, den, calendar in rates
        ]

    def pool_of_usage(
        self, used: Usage, location: str | None, path: str, problems: _Problems
    ) -> PoolCost | None:
        """The pool cost of ``location`` if one serves it, else the only one pricing the type.

        ``None`` when no pool cost prices the type (the usage is not costed), or, with
        a problem, when several do and ``location`` names none of them.
        """
        pool = None if location is None else self.pools.get(location)
        if pool is not None:
            return pool
        pricing = [pool for pool in self.pools.values() if pool.costs_of(used.resource_type)]
        if len(pricing) > 1:
            known = ", ".join(sorted(pool.location for pool in pricing))
            expected = (
                "the resource id of holdings in one location, since several pool costs "
                f"price {used.resource_type} ({known})"
            )
            problems.add(f"{path}.resource_id", expected, describe(used.resource_id))
            return None
        return pricing[0] if pricing else None

    def usage(
        self, used: Usage, location: str | None, path: str, problems: _Problems
    ) -> list[ServingLine] | None:
        """The lines of one usage of a metered type, or ``None`` when no pool cost prices it.

        The pool is that of ``location`` (where the holdings of the usage's resource
        id are) when a pool cost serves it, else the only pool cost pricing the type.
        The use made of an allocated type gives no line (its holding is costed); a
        usage of a type the serving pool cost does not price, or that no pool cost
        prices (an unknown type among them), is unpriced: ``None``.
        """
        kind = self.table.get(used.resource_type)
        if kind is not None and kind.kind is MeteringKind.ALLOCATED:
            return []  # the holding is costed; its use costs nothing more
        before = problems.count
        pool = self.pool_of_usage(used, location, path, problems)
        if problems.count > before:
            return []  # several pool costs could serve it: refused
        costs = () if pool is None else pool.costs_of(used.resource_type)
        if pool is None or not costs:
            return None
        lines = []
        for cost in costs:
            try:
                exact = self.pricer.used(used.quantity, cost.price)
            except ValidationError:
                problems.add(
                    f"{path}.quantity",
                    f"a quantity that the unit cost {cost.price} charges",
                    format_quantity(used.quantity),
                )
                return []
            lines.append(
                ServingLine(
                    source=used,
                    pool=pool.pool,
                    location=pool.location,
                    kind=cost.kind,
                    price=cost.price,
                    held=None,
                    exact=exact,
                    currency=pool.currency,
                )
            )
        return lines


def _usage_locations(held: tuple[Allocation, ...]) -> dict[str, set[str | None]]:
    """The locations the agreement's holdings of each resource id are in."""
    found: dict[str, set[str | None]] = defaultdict(set)
    for allocation in held:
        if allocation.resource_id is not None:
            found[allocation.resource_id].add(allocation.location)
    return found


# ---------------------------------------------------------------------- cost to serve
def cost_to_serve(
    agreement: CloudServiceAgreement,
    allocations: Iterable[Allocation],
    pool_costs: Iterable[PoolCost],
    period: Period,
    *,
    usage: Iterable[Usage] = (),
    types: Iterable[ResourceType] | None = None,
) -> CostToServe:
    """What the agreement's allocations and usage cost the provider over ``period`` (S11).

    The window is the one `cloudsms.resources.CostProfile.build` charges: the period
    cut to the agreement's term, calendar periods counted in the agreement's zone.
    Each allocation of the agreement is held there for some time; each `UnitCost` of
    its type in the pool cost serving it prices that time exactly (one `ServingLine`
    per unit cost). A usage of a metered type starting in the window is costed in
    full, as a profile charges it, when a pool cost prices its type; the use made of
    an allocated type is not (its holding is). A usage that no pool cost prices is
    not costed but kept in `CostToServe.unpriced`, so what the total leaves out
    stays in sight. Rows of other agreements, and those not in the window, are left
    out.

    The pool cost serving an allocation is the one whose ``location`` is the
    allocation's; an allocation without a location is served by the only pool cost
    when exactly one is given. A usage names no location: it is served by the pool
    cost of the location the agreement's holdings of its ``resource_id`` are in (when
    they are all in one that a pool cost serves), else by the only pool cost pricing
    its type.

    Raises:
        ValidationError: wrong-typed arguments (``pool_costs`` is a list, even of
            one); no pool cost, pool costs of several currencies, two of one
            location or one pool
            (``$.pool_costs[1].location``), or a unit cost whose price does not suit
            its type (``$.pool_costs[0].costs[2].price``); a row of the agreement
            that names another customer or a service the agreement does not
            subscribe; an allocation whose location no pool cost serves, or without
            one when several do (the locations known named), of an unknown or
            metered type, of a type its pool cost does not price (the types it
            prices named), or of a quantity its price does not charge; a usage
            that several pool costs could serve (``$.usage[0].resource_id``) — each
            at its row (``$.allocations[3].location``; the first 50, then a count).
    """
    problems = _arguments(
        ("agreement", agreement, CloudServiceAgreement), ("period", period, Period)
    )
    table = _table(types, problems)
    held = _listed(allocations, "$.allocations", problems) or ()
    used = _listed(usage, "$.usage", problems) or ()
    pools = _pool_costs(pool_costs, table, problems)
    raise_problems(problems, _SUBJECT)
    code = next(iter(pools.values())).currency
    frame = _Frame(period, code, agreement)
    # With no window (the term misses the period) nothing is priced: the pricer idles.
    pricer = _Pricer(period if frame.window is None else frame.window)
    serving = _Serving(pools, cast("dict[str, ResourceType]", table), pricer)
    found = _Problems()
    lines: list[ServingLine] = []
    mine: list[Allocation] = []
    unpriced: list[Usage] = []
    services = agreement.service_ids
    for index, allocation in enumerate(held):
        path = f"$.allocations[{index}]"
        if not isinstance(allocation, Allocation):
            found.add(path, "an Allocation", describe(allocation))
            continue
        if allocation.agreement != agreement.id:
            continue
        mine.append(allocation)
        if frame.window is None or not _of_agreement(agreement, services, allocation, path, found):
            continue
        lines += serving.allocation(allocation, path, found)
    if frame.window is not None and used:
        lines += _usage_lines(
            agreement, used, tuple(mine), frame.window, serving, (found, unpriced)
        )
    found.raise_any()
    exact = _sum_exact(lines)
    return CostToServe(
        agreement=agreement,
        period=period,
        currency=code,
        lines=tuple(lines),
        exact_total=exact,
        total=_rounded(exact, code, subject=_SUBJECT),
        unpriced=tuple(unpriced),
    )


def _sum_exact(lines: Iterable[ServingLine]) -> Fraction:
    """The exact sum of the lines, adding the numerators over each denominator first."""
    numerators: dict[int, int] = defaultdict(int)
    for line in lines:
        numerators[line.exact.denominator] += line.exact.numerator
    return sum(
        (Fraction(numerator, denominator) for denominator, numerator in numerators.items()),
        Fraction(0),
    )


def _arguments(*given: tuple[str, object, type]) -> list[Problem]:
    """A problem for each argument, named, that is not of its type."""
    return [
        Problem(f"$.{name}", _a(kind.__name__), describe(value))
        for name, value, kind in given
        if not isinstance(value, kind)
    ]


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "an Allocation", "a Period"."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _usage_lines(  # noqa: PLR0917 - what a usage is costed from
    agreement: CloudServiceAgreement,
    used: tuple[Any, ...],
    held: tuple[Allocation, ...],
    window: Period,
    serving: _Serving,
    found: tuple[_Problems, list[Usage]],
) -> list[ServingLine]:
    """The lines of the agreement's usage starting in ``window``, of types a pool prices.

    ``found`` gathers the problems, and the rows of the agreement in the window that
    no pool cost prices.
    """
    problems, unpriced = found
    located = _usage_locations(held)
    services = agreement.service_ids
    lines: list[ServingLine] = []
    for index, row in enumerate(used):
        path = f"$.usage[{index}]"
        if not isinstance(row, Usage):
            problems.add(path, "a Usage", describe(row))
            continue
        if row.agreement != agreement.id or row.start not in window:
            continue
        if not _of_agreement(agreement, services, row, path, problems):
            continue
        places = located.get(row.resource_id or "", set())
        where = next(iter(places)) if len(places) == 1 else None
        costed = serving.usage(row, where, path, problems)
        if costed is None:
            unpriced.append(row)
        else:
            lines += costed
    return lines


def _of_agreement(
    agreement: CloudServiceAgreement,
    services: frozenset[str],
    row: Allocation | Usage,
    path: str,
    problems: _Problems,
) -> bool:
    """Whether a row of the agreement names its customer and a service it subscribes.

    ``services`` are the agreement's `service_ids`, read once by the caller.
    """
    if row.customer != agreement.customer_id:
        problems.add(
            f"{path}.customer",
            f"the agreement's customer ({agreement.customer_id})",
            describe(row.customer),
        )
        return False
    if row.service not in services:
        subscribed = ", ".join(sorted(services))
        problems.add(
            f"{path}.service",
            f"a service the agreement subscribes ({subscribed})",
            describe(row.service),
        )
        return False
    return True


# ---------------------------------------------------------------------- margin
def margin(
    agreement: CloudServiceAgreement,
    allocations: Iterable[Allocation],
    pool_costs: Iterable[PoolCost],
    period: Period,
    *,
    rates: RateCard | None = None,
    catalogue: Catalogue | None = None,
    usage: Iterable[Usage] = (),
    types: Iterable[ResourceType] | None = None,
) -> Margin:
    """What the agreement earns the provider over ``period``: its charge less its cost (S11).

    The charge is the total of the agreement's `cloudsms.resources.CostProfile` over
    the period, priced with ``rates`` or with the card the catalogue gives it
    (`cloudsms.resources.RateCard.for_agreement`): exactly one of the two is given.
    The cost is the total of `cost_to_serve` over the same allocations, usage and
    period. Both totals are rounded once to the currency's minor unit, and the
    margin is their difference, exactly: it is what the two rounded figures show
    (so a margin can differ from the rounded difference of the exact amounts by a
    minor unit).

    The charge covers every usage the card prices; the cost only the usage the pool
    costs price. Usage no pool cost prices is listed in ``serving.unpriced``
    (`CostToServe.unpriced`): while it is not empty, the margin is larger than the
    provider's costs justify by what that usage costs it.

    Raises:
        ValidationError: both or neither of ``rates`` and ``catalogue``
            (``$.rates``); a pool cost in another currency than the rate card's
            (``$.pool_costs[1].currency``); anything
            `cloudsms.resources.CostProfile.build`,
            `cloudsms.resources.RateCard.for_agreement` or `cost_to_serve` refuses.
    """
    problems = _arguments(("agreement", agreement, CloudServiceAgreement))
    if (rates is None) == (catalogue is None):
        got = "neither" if rates is None else "both"
        problems.append(Problem("$.rates", "exactly one of rates and catalogue", got))
    chosen = None if types is None else _listed(types, "$.types", problems)
    held = _listed(allocations, "$.allocations", problems) or ()
    used = _listed(usage, "$.usage", problems) or ()
    pools = _listed(pool_costs, "$.pool_costs", problems) or ()
    raise_problems(problems, "margin")
    if rates is None:
        rates = RateCard.for_agreement(agreement, cast("Catalogue", catalogue), types=chosen)
    if isinstance(rates, RateCard):  # else the profile refuses it
        found = _in_currency(pools, rates.currency, "the rate card's")
        raise_problems(found, "margin")
    profile = CostProfile.build(agreement, held, used, period, rates=rates, types=chosen)
    serving = cost_to_serve(agreement, held, pools, period, usage=used, types=chosen)
    charge, cost = profile.total, serving.total
    earned = charge - cost
    ratio = Fraction(earned.amount) / Fraction(charge.amount) if charge.amount else None
    return Margin(
        charge=charge,
        cost_to_serve=cost,
        margin=earned,
        ratio=ratio,
        profile=profile,
        serving=serving,
    )


# ---------------------------------------------------------------------- offerings
def compare_offerings(
    entry: CatalogueEntry,
    offering_a: Offering | str,
    offering_b: Offering | str,
    allocations: Iterable[Allocation],
    period: Period,
    *,
    pool_costs: Iterable[PoolCost],
    location: str | None = None,
    types: Iterable[ResourceType] | None = None,
) -> OfferingComparison:
    """What one workload is charged, and costs to serve, under two offerings of an entry.

    Answers "what does 99.9 % cost us against 99.5 %" (S11, S03). Each offering is
    given as an `cloudsms.catalogue.Offering` of ``entry`` or by its id. For each:

    - the rate card is the one a subscription to the offering that takes every
      upgrade it allows would get, built as `cloudsms.resources.RateCard.
      for_agreement` builds one: each resource upgrade naming a resource type
      becomes the rate of that type for the entry's service, in the entry's
      currency (no commitments);
    - the workload is ``allocations`` plus, for each resource upgrade the offering
      requires (`cloudsms.catalogue.Offering.requires`), an allocation of its
      quantity (`cloudsms.catalogue.Upgrade.quantity`) of its type held over the
      whole period, its ``resource_id`` the upgrade's id, in ``location`` (by
      default the only pool cost's), charged at the upgrade's price;
    - the charge is what the rate card charges the workload's holdings over the
      period, and the cost to serve what the pool costs make of them (as
      `cost_to_serve` does), each rounded once to the minor unit.

    A required resource upgrade must say what it adds: a quantity of its type. One
    without a quantity is taken only as the rate of a type the workload holds in the
    period (the customer's own holdings are charged at its price and add the
    resources); otherwise it would add nothing, and a stricter level would seem to
    cost nothing more, so it is refused. Required service-level upgrades add no
    resources and are priced per subscription.

    Comparing the two assumes the same allocations under both: the customer holds
    the same resources whatever level it buys, over the whole period asked for
    (there is no agreement, so no term cuts it; calendar periods are counted in the
    zone of the period's start), and a stricter level differs only by the resources
    its required upgrades add and by the prices its upgrades set. What a
    subscription is charged per billing cycle, a recurring charge of the agreement
    (S07), is not part of the charge, as it is not part of a cost profile: the
    offering's own price, and the price of a required service-level upgrade (or of
    a resource upgrade naming no type); nor is usage. The allocations are one
    customer's under one agreement, for the entry's service.

    Serves S11 and ISO/IEC 20000-1:2011 6.1 (the cost of a level of service), 6.4
    and 6.5.

    Raises:
        ValidationError: wrong-typed arguments; an offering the entry lacks
            (``$.offering_b``); an upgrade an offering allows of an unknown type,
            priced in a way that does not suit its type, or pricing a type another
            upgrade prices too (``$.offering_a.upgrades``, the ids named); a
            required resource upgrade that adds nothing (no quantity, and a type the
            workload does not hold), or adds a type that is unknown, metered or
            priced by no pool cost (``$.offering_b.requires``, the upgrade named);
            no allocation, or allocations of several customers or agreements or of
            another service than the entry's (``$.allocations[2].service``); pool
            costs in another currency than the entry's
            (``$.pool_costs[0].currency``); a location no pool cost serves, or none
            when several do (``$.location``); a holding no rate or pool cost prices
            (as `cost_to_serve`).
    """
    raise_problems(_arguments(("entry", entry, CatalogueEntry)), _COMPARISON)
    problems = _arguments(("period", period, Period))
    sides = [
        (_offering(entry, given, path, problems), path)
        for given, path in ((offering_a, "$.offering_a"), (offering_b, "$.offering_b"))
    ]
    table = _table(types, problems)
    held = _workload(entry, _listed(allocations, "$.allocations", problems), problems)
    billed = (entry.billing.currency, "the entry's billing")
    pools = _pool_costs(pool_costs, table, problems, currency=billed)
    where = _location(location, pools, problems)
    for offering, path in sides:
        if offering is not None and table is not None:
            problems += _card_problems(entry, offering, path, table)
    raise_problems(problems, _COMPARISON)
    zone = period.start.tzinfo
    window = Period(period.start, period.end.astimezone(zone))
    serving = _Serving(pools, cast("dict[str, ResourceType]", table), _Pricer(window))
    holding = {a.resource_type for a in held if serving.pricer.span(a) is not None}
    added = []
    for offering, path in sides:
        found, more = _added(
            entry, cast("Offering", offering), path, held[0], holding, (serving, where)
        )
        added.append(found)
        problems += more
    raise_problems(problems, _COMPARISON)
    a, b = (
        _offering_cost(entry, cast("Offering", offering), path, held, extra, serving)
        for (offering, path), extra in zip(sides, added, strict=True)
    )
    return OfferingComparison(
        a=a,
        b=b,
        charge_difference=b.charge - a.charge,
        cost_difference=b.cost_to_serve - a.cost_to_serve,
        margin_difference=b.margin - a.margin,
    )


def _offering(
    entry: CatalogueEntry, given: object, path: str, problems: list[Problem]
) -> Offering | None:
    """The entry's offering ``given`` (an id or an Offering of the entry), or a problem."""
    known = [o.id for o in entry.offerings]
    if isinstance(given, Offering):
        if given in entry.offerings:
            return given
        expected = f"an offering of entry {entry.id!r} ({', '.join(known)})"
        problems.append(Problem(path, expected, f"offering {given.id!r}, not the entry's"))
        return None
    found = next((o for o in entry.offerings if o.id == given), None)
    if found is None:
        expected = f"an offering of entry {entry.id!r} or its id ({', '.join(known)})"
        problems.append(Problem(path, expected, describe(given)))
    return found


def _card_problems(
    entry: CatalogueEntry, offering: Offering, path: str, table: dict[str, ResourceType]
) -> list[Problem]:
    """What keeps the upgrades the offering allows from making its rate card.

    Each upgrade naming a resource type becomes that type's rate, so the type must
    be known, the upgrade's price must suit it as a rate's does, and no two upgrades
    may price one type (the card has one rate for each). Each problem is at
    ``path.upgrades`` and names the upgrades.
    """
    upgrades = {upgrade.id: upgrade for upgrade in entry.upgrades}
    pricing: dict[str, list[str]] = defaultdict(list)
    problems: list[Problem] = []
    where = f"{path}.upgrades"
    for upgrade_id in sorted(offering.upgrades):
        upgrade = upgrades.get(upgrade_id)
        if upgrade is None or upgrade.resource_type is None:
            continue
        kind = table.get(upgrade.resource_type)
        if kind is None:
            expected = f"upgrades of known resource types ({', '.join(sorted(table))})"
            problems.append(Problem(where, expected, f"{upgrade_id} (of {upgrade.resource_type})"))
            continue
        problems += [
            Problem(where, found.expected, f"{upgrade_id} (priced {found.got})")
            for found in _suits(kind, upgrade.price, where)
        ]
        pricing[upgrade.resource_type].append(upgrade_id)
    problems += [
        Problem(
            where,
            f"one upgrade per resource type, so the offering's card has one rate for {type_id}",
            f"{' and '.join(ids)}, each pricing {type_id}",
        )
        for type_id, ids in sorted(pricing.items())
        if len(ids) > 1
    ]
    return problems


def _workload(
    entry: CatalogueEntry, given: tuple[Any, ...] | None, problems: list[Problem]
) -> tuple[Allocation, ...]:
    """The allocations compared: one or more, of one customer and agreement, for the service."""
    if given is None:
        return ()
    if not given:
        problems.append(Problem("$.allocations", "one or more allocations", "none"))
        return ()
    held: list[Allocation] = []
    for index, allocation in enumerate(given):
        path = f"$.allocations[{index}]"
        if not isinstance(allocation, Allocation):
            problems.append(Problem(path, "an Allocation", describe(allocation)))
            continue
        if held:
            first = held[0]
            for name in ("customer", "agreement"):
                mine, theirs = getattr(allocation, name), getattr(first, name)
                if mine != theirs:
                    expected = f"{theirs} (the {name} of the first allocation: one workload)"
                    problems.append(Problem(f"{path}.{name}", expected, describe(mine)))
        if allocation.service != entry.service:
            expected = f"the entry's service ({entry.service})"
            problems.append(Problem(f"{path}.service", expected, describe(allocation.service)))
        held.append(allocation)
    return tuple(held)


def _location(location: object, pools: dict[str, PoolCost], problems: list[Problem]) -> str | None:
    """Where the added allocations are held: ``location``, or the only pool cost's."""
    known = ", ".join(sorted(pools))
    if location is None:
        if len(pools) == 1:
            return next(iter(pools))
        if pools:
            expected = f"a location, since several pool costs serve ({known})"
            problems.append(Problem("$.location", expected, "null"))
        return None
    if not isinstance(location, str) or location not in pools:
        expected = f"the location of a pool cost ({known})"
        problems.append(Problem("$.location", expected, describe(location)))
        return None
    return location


def _offering_cost(  # noqa: PLR0917 - the parts one side is computed from
    entry: CatalogueEntry,
    offering: Offering,
    path: str,
    held: tuple[Allocation, ...],
    added: tuple[Allocation, ...],
    serving: _Serving,
) -> OfferingCost:
    """One offering's side: its card, charge and cost of the workload and what it adds."""
    card = _offering_card(entry, offering, path=path, types=serving.table.values())
    found = _Problems()
    charged = Fraction(0)
    cost = Fraction(0)
    rows = [(f"$.allocations[{i}]", a) for i, a in enumerate(held)]
    rows += [(f"{path}.requires", a) for a in added]
    for where_from, allocation in rows:
        span = serving.pricer.span(allocation)
        if span is None:
            continue
        rate = card.rate_for(allocation.service, allocation.resource_type)
        kind = serving.table.get(allocation.resource_type)
        if rate is None or rate.price is None or kind is None:
            known = ", ".join(card.known) or "none"
            found.add(
                f"{where_from}.resource_type",
                f"a resource type offering {offering.id} prices (it prices {known})",
                describe(allocation.resource_type),
            )
            continue
        try:
            charged += serving.pricer.held(allocation.quantity, rate.price, kind, *span)
        except ValidationError:
            found.add(
                f"{where_from}.quantity",
                f"a quantity of {kind.unit}, which the price {rate.price} charges",
                format_quantity(allocation.quantity),
            )
            continue
        lines = serving.allocation(allocation, where_from, found)
        cost += sum((line.exact for line in lines), Fraction(0))
    found.raise_any(_COMPARISON)
    charge = _rounded(charged, card.currency, subject=_COMPARISON)
    served = _rounded(cost, card.currency, subject=_COMPARISON)
    return OfferingCost(
        offering=offering,
        charge=charge,
        cost_to_serve=served,
        margin=charge - served,
        added=added,
    )


def _added(  # noqa: PLR0917 - the parts an added holding is made of
    entry: CatalogueEntry,
    offering: Offering,
    path: str,
    sample: Allocation,
    holding: set[str],
    served: tuple[_Serving, str | None],
) -> tuple[tuple[Allocation, ...], list[Problem]]:
    """The allocations the offering's required resource upgrades add, or problems.

    ``holding`` names the types the workload holds in the window: a required resource
    upgrade without a quantity is the rate of one of them, else it adds nothing and
    is refused. ``served`` is how holdings are served and where the added ones are
    held: the location chosen (``location`` of `compare_offerings`, or the only pool
    cost's); they are held over the whole window.
    """
    serving, where = served
    upgrades = {upgrade.id: upgrade for upgrade in entry.upgrades}
    window = serving.pricer.window
    added: list[Allocation] = []
    problems: list[Problem] = []
    for upgrade_id in sorted(offering.requires):
        upgrade = upgrades[upgrade_id]  # the entry checks an offering's upgrades are its own
        if upgrade.kind is not UpgradeKind.RESOURCE:
            continue  # a level is priced per subscription and adds no resources
        refused = _adds_nothing(upgrade, holding)
        if refused is None and upgrade.quantity is not None:
            refused = _adds_unserved(upgrade, serving, cast("str", where))
        if refused is not None:
            problems.append(Problem(f"{path}.requires", *refused))
            continue
        if upgrade.quantity is None:
            continue  # the rate of a type the workload holds
        added.append(
            Allocation(
                sample.customer,
                sample.agreement,
                entry.service,
                cast("str", upgrade.resource_type),
                upgrade.quantity,
                window.start,
                window.end,
                resource_id=upgrade.id,
                location=where,
            )
        )
    return tuple(added), problems


def _adds_nothing(upgrade: Upgrade, holding: set[str]) -> tuple[str, str] | None:
    """Why a required resource upgrade adds nothing (as expected, got), or ``None``."""
    if upgrade.quantity is not None:
        return None
    if upgrade.resource_type is None:
        expected = (
            "a required resource upgrade with a resource type and a quantity, to say what "
            "it adds to each subscription (without them it adds nothing)"
        )
        return expected, f"{upgrade.id} (no resource type, no quantity)"
    if upgrade.resource_type in holding:
        return None
    expected = (
        "a required resource upgrade with a quantity, to say what it adds to each "
        "subscription (without one it only prices what the workload holds)"
    )
    return expected, f"{upgrade.id} (no quantity; the workload holds no {upgrade.resource_type})"


def _adds_unserved(upgrade: Upgrade, serving: _Serving, where: str) -> tuple[str, str] | None:
    """Why the holding a required upgrade adds in ``where`` cannot be costed, or ``None``."""
    type_id = cast("str", upgrade.resource_type)
    kind = serving.table.get(type_id)
    if kind is None or kind.kind is not MeteringKind.ALLOCATED:
        what = "unknown" if kind is None else kind.kind.value
        expected = "an upgrade adding an allocated resource type, held over the period"
        return expected, f"{upgrade.id} (adds {type_id}, {what})"
    pool = serving.pools[where]
    if not pool.costs_of(type_id):
        priced = ", ".join(pool.priced) or "none"
        expected = (
            f"an upgrade adding a resource type that pool cost {pool.pool} prices ({priced})"
        )
        return expected, f"{upgrade.id} (adds {type_id})"
    return None
