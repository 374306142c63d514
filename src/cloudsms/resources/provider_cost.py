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

import datetime as dt
import enum
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from cloudsms._foundation.exact import nearest_amount
from cloudsms._foundation.frozen import as_tuple
from cloudsms._kit.checks import ident, raise_problems, text
from cloudsms._kit.documents import document
from cloudsms._kit.records import Record
from cloudsms.agreements import CloudServiceAgreement
from cloudsms.catalogue import CatalogueEntry, Offering
from cloudsms.errors import CurrencyMismatch, Problem, ValidationError, describe
from cloudsms.money import CALENDAR_UNITS, Money, Price, round_to_minor
from cloudsms.periods import Period
from cloudsms.resources.cost import CostProfile, _Frame, _split
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
        return _money(self.exact, self.currency)


def _money(exact: Fraction, code: str) -> Money:
    try:
        return Money(nearest_amount(exact), code)
    except OverflowError:
        raise ValidationError.single(
            "$", "an amount below 1E+31", f"about {float(exact):.3E} {code}", subject=_SUBJECT
        ) from None


def _rounded(exact: Fraction, code: str) -> Money:
    """``exact`` rounded once, half to even, to the currency's minor unit."""
    try:
        return round_to_minor(exact, code)
    except ValidationError:  # only the size can be wrong: the code was checked
        raise ValidationError.single(
            "$", "a total below 1E+31", f"about {float(exact):.3E} {code}", subject=_SUBJECT
        ) from None


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

    Serves S11 and ISO/IEC 20000-1:2011 6.4.
    """

    agreement: CloudServiceAgreement
    period: Period
    currency: str
    lines: tuple[ServingLine, ...]
    exact_total: Fraction
    total: Money

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
        return (
            f"<CostToServe of {self.agreement.id} over {self.period}: {count} "
            f"line{'' if count == 1 else 's'}, {self.total}>"
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
    lines behind the figures.

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

    def raise_any(self, subject: str = _SUBJECT) -> None:
        problems = list(self.found)
        if self.more:
            problems.append(
                Problem("$", "every row costed", f"{self.more} more rows with problems")
            )
        raise_problems(problems, subject)


class _Pricer:
    """Exact costs of quantities at prices, each unit converted once per distinct unit.

    The cost of a quantity held over a period is the one `cloudsms.money.Price.
    exact_cost` gives: the exact seconds held times a price per unit and time, or the
    calendar periods held (counted in the held period's zone) times a price per
    calendar period. It is computed as the quantity's magnitude times a rate
    remembered per unit and price (the price's amount times one of the unit in the
    price's unit) times the share held, which is remembered for the whole window and
    for the last period asked about: pint converts each unit once, and each holding's
    time is counted once whatever the number of its unit costs.
    """

    def __init__(self, window: Period) -> None:
        self.window = window
        self.rates: dict[tuple[Any, int, bool], tuple[Fraction, str | None]] = {}
        self.shares: dict[str | None, Fraction] = {}
        self.last: tuple[Period | None, dict[str | None, Fraction]] = (None, {})

    def rate(
        self, value: Quantity, price: Price, kind: ResourceType | None
    ) -> tuple[Fraction, str | None]:
        """Money per unit of ``value``'s magnitude, per second or calendar unit held.

        ``kind`` is the type held, for a price by the time held (the second item then
        names the calendar unit of a price per calendar period, ``None`` for exact
        seconds); ``None`` for a price per amount used.

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
            split = None if kind is None or timed else CALENDAR_UNITS[cast("str", price.per)][0]
            amount = Fraction(price.amount.amount)
            found = self.rates[key] = (amount * fraction_in(one, price.unit), split)
        return found

    def share(self, held: Period, split: str | None) -> Fraction:
        """The seconds (``split`` ``None``) or the calendar units of ``split`` in ``held``."""
        if held is self.window:
            shares = self.shares
        else:
            last, shares = self.last
            if last is not held:
                shares = {}
                self.last = (held, shares)
        found = shares.get(split)
        if found is None:
            unit = cast("Any", split)  # one of CalendarUnit
            found = shares[split] = held.seconds if split is None else held.calendar_count(unit)
        return found

    def held(self, value: Quantity, price: Price, kind: ResourceType, held: Period) -> Fraction:
        """The exact cost of ``value`` held over ``held`` at ``price`` (a price by time held).

        Raises:
            ValidationError: ``value`` is not of what the price counts.
        """
        rate, split = self.rate(value, price, kind)
        return Fraction(value.magnitude) * rate * self.share(held, split)

    def used(self, value: Quantity, price: Price) -> Fraction:
        """The exact cost of ``value`` used at ``price`` (a price per amount used)."""
        rate, _ = self.rate(value, price, None)
        return Fraction(value.magnitude) * rate

    def part(self, held: Allocation) -> Period | None:
        """The part of the window in which ``held`` is held: the window itself when all of it."""
        window = self.window
        if held.since.astimezone(dt.UTC) <= window.start.astimezone(dt.UTC) and (
            held.until is None or held.until.astimezone(dt.UTC) >= window.end.astimezone(dt.UTC)
        ):
            return window
        return held.held(window)


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


def _listed(value: object, path: str, problems: list[Problem]) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        problems.append(Problem(path, "a list", describe(value)))
        return ()
    return tuple(cast("Iterable[Any]", value))


def _pool_costs(
    given: tuple[Any, ...], table: dict[str, ResourceType] | None, problems: list[Problem]
) -> dict[str, PoolCost]:
    """The pool costs by location: one currency, one per location and pool, prices suiting."""
    if not given:
        problems.append(Problem("$.pool_costs", "one or more pool costs", "none"))
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
        elif pool.currency != first.currency:
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

    def allocation(self, held: Allocation, path: str, problems: _Problems) -> list[ServingLine]:
        """The lines of one allocation held inside the window (none when it is not)."""
        part = self.pricer.part(held)
        if part is None:
            return []
        kind = self.allocated(held, path, problems)
        pool = None if kind is None else self.pool_of(held.location, path, problems)
        if kind is None or pool is None:
            return []
        costs = pool.costs_of(held.resource_type)
        if not costs:
            priced = ", ".join(pool.priced) or "none"
            problems.add(
                f"{path}.resource_type",
                f"a resource type pool cost {pool.pool} prices ({priced})",
                describe(held.resource_type),
            )
            return []
        lines = []
        for cost in costs:
            try:
                exact = self.pricer.held(held.quantity, cost.price, kind, part)
            except ValidationError:
                problems.add(
                    f"{path}.quantity",
                    f"a quantity of {kind.unit}, which the unit cost {cost.price} charges",
                    format_quantity(held.quantity),
                )
                return []
            lines.append(
                ServingLine(
                    source=held,
                    pool=pool.pool,
                    location=pool.location,
                    kind=cost.kind,
                    price=cost.price,
                    held=part,
                    exact=exact,
                    currency=pool.currency,
                )
            )
        return lines

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
    ) -> list[ServingLine]:
        """The lines of one usage of a metered type that a pool cost prices.

        The pool is that of ``location`` (where the holdings of the usage's resource
        id are) when a pool cost serves it, else the only pool cost pricing the type.
        """
        kind = self.table.get(used.resource_type)
        if kind is None or kind.kind is MeteringKind.ALLOCATED:
            return []  # unknown types are the profile's to refuse; a holding's use is free
        pool = self.pool_of_usage(used, location, path, problems)
        if pool is None:
            return []
        lines = []
        for cost in pool.costs_of(used.resource_type):
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
    an allocated type is not (its holding is). Rows of other agreements, and those
    not in the window, are left out.

    The pool cost serving an allocation is the one whose ``location`` is the
    allocation's; an allocation without a location is served by the only pool cost
    when exactly one is given. A usage names no location: it is served by the pool
    cost of the location the agreement's holdings of its ``resource_id`` are in (when
    they are all in one that a pool cost serves), else by the only pool cost pricing
    its type.

    Raises:
        ValidationError: wrong-typed arguments; no pool cost, pool costs of several
            currencies, two of one location or one pool
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
    held = _listed(allocations, "$.allocations", problems)
    used = _listed(usage, "$.usage", problems)
    pools = _pool_costs(_listed(pool_costs, "$.pool_costs", problems), table, problems)
    raise_problems(problems, _SUBJECT)
    code = next(iter(pools.values())).currency
    frame = _Frame(period, code, agreement)
    # With no window (the term misses the period) nothing is priced: the pricer idles.
    pricer = _Pricer(period if frame.window is None else frame.window)
    serving = _Serving(pools, cast("dict[str, ResourceType]", table), pricer)
    found = _Problems()
    lines: list[ServingLine] = []
    mine: list[Allocation] = []
    for index, allocation in enumerate(held):
        path = f"$.allocations[{index}]"
        if not isinstance(allocation, Allocation):
            found.add(path, "an Allocation", describe(allocation))
            continue
        if allocation.agreement != agreement.id:
            continue
        mine.append(allocation)
        if frame.window is None or not _of_agreement(agreement, allocation, path, found):
            continue
        lines += serving.allocation(allocation, path, found)
    if frame.window is not None:
        lines += _usage_lines(agreement, used, tuple(mine), frame.window, serving, found)
    found.raise_any()
    exact = sum((line.exact for line in lines), Fraction(0))
    return CostToServe(
        agreement=agreement,
        period=period,
        currency=code,
        lines=tuple(lines),
        exact_total=exact,
        total=_rounded(exact, code),
    )


def _arguments(*given: tuple[str, object, type]) -> list[Problem]:
    """A problem for each argument, named, that is not of its type."""
    return [
        Problem(f"$.{name}", f"a {kind.__name__}", describe(value))
        for name, value, kind in given
        if not isinstance(value, kind)
    ]


def _usage_lines(  # noqa: PLR0917 - what a usage is costed from
    agreement: CloudServiceAgreement,
    used: tuple[Any, ...],
    held: tuple[Allocation, ...],
    window: Period,
    serving: _Serving,
    problems: _Problems,
) -> list[ServingLine]:
    """The lines of the agreement's usage starting in ``window``, of types a pool prices."""
    located = _usage_locations(held)
    lines: list[ServingLine] = []
    for index, row in enumerate(used):
        path = f"$.usage[{index}]"
        if not isinstance(row, Usage):
            problems.add(path, "a Usage", describe(row))
            continue
        if row.agreement != agreement.id or row.start not in window:
            continue
        if not _of_agreement(agreement, row, path, problems):
            continue
        places = located.get(row.resource_id or "", set())
        where = next(iter(places)) if len(places) == 1 else None
        lines += serving.usage(row, where, path, problems)
    return lines


def _of_agreement(
    agreement: CloudServiceAgreement, row: Allocation | Usage, path: str, problems: _Problems
) -> bool:
    """Whether a row of the agreement names its customer and a service it subscribes."""
    if row.customer != agreement.customer_id:
        problems.add(
            f"{path}.customer",
            f"the agreement's customer ({agreement.customer_id})",
            describe(row.customer),
        )
        return False
    if row.service not in agreement.service_ids:
        subscribed = ", ".join(sorted(agreement.service_ids))
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

    Raises:
        ValidationError: both or neither of ``rates`` and ``catalogue``
            (``$.rates``); anything `cloudsms.resources.CostProfile.build`,
            `cloudsms.resources.RateCard.for_agreement` or `cost_to_serve` refuses.
        CurrencyMismatch: the rate card and the pool costs are in different
            currencies.
    """
    problems = _arguments(("agreement", agreement, CloudServiceAgreement))
    if (rates is None) == (catalogue is None):
        got = "neither" if rates is None else "both"
        problems.append(Problem("$.rates", "exactly one of rates and catalogue", got))
    raise_problems(problems, "margin")
    if rates is None:
        rates = RateCard.for_agreement(agreement, cast("Catalogue", catalogue), types=types)
    chosen = None if types is None else tuple(types)
    held = _listed(allocations, "$.allocations", problems)
    used = _listed(usage, "$.usage", problems)
    pools = _listed(pool_costs, "$.pool_costs", problems)
    raise_problems(problems, "margin")
    profile = CostProfile.build(agreement, held, used, period, rates=rates, types=chosen)
    serving = cost_to_serve(agreement, held, pools, period, usage=used, types=chosen)
    if profile.currency != serving.currency:
        raise CurrencyMismatch("subtract", profile.currency, serving.currency)
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
    - the workload is ``allocations`` plus, for each upgrade the offering requires
      (`cloudsms.catalogue.Offering.requires`) that has a quantity
      (`cloudsms.catalogue.Upgrade.quantity`), an allocation of that quantity of its
      type held over the whole period, its ``resource_id`` the upgrade's id, in
      ``location`` (by default the only pool cost's), charged at the upgrade's price;
    - the charge is what the rate card charges the workload's holdings over the
      period, and the cost to serve what the pool costs make of them (as
      `cost_to_serve` does), each rounded once to the minor unit.

    Comparing the two assumes the same allocations under both: the customer holds
    the same resources whatever level it buys, over the whole period asked for
    (there is no agreement, so no term cuts it; calendar periods are counted in the
    zone of the period's start), and a stricter level differs only by the resources
    its required upgrades add and by the prices its upgrades set. The offering's own
    price, a recurring charge of the agreement (S07), is not part of the charge, as
    it is not part of a cost profile; nor is usage. The allocations are one
    customer's under one agreement, for the entry's service.

    Serves S11 and ISO/IEC 20000-1:2011 6.1 (the cost of a level of service), 6.4
    and 6.5.

    Raises:
        ValidationError: wrong-typed arguments; an offering the entry lacks
            (``$.offering_b``); two upgrades an offering allows pricing one type
            (``$.offering_a.upgrades[1]``); a required upgrade adding a type that is
            unknown, metered or priced by no pool cost (``$.offering_b.requires[0]``);
            no allocation, or allocations of several customers or agreements or of
            another service than the entry's (``$.allocations[2].service``); a
            location no pool cost serves, or none when several do (``$.location``);
            a holding no rate or pool cost prices (as `cost_to_serve`).
        CurrencyMismatch: the entry's currency is not the pool costs'.
    """
    raise_problems(_arguments(("entry", entry, CatalogueEntry)), "offering comparison")
    problems = _arguments(("period", period, Period))
    first = _offering(entry, offering_a, "$.offering_a", problems)
    second = _offering(entry, offering_b, "$.offering_b", problems)
    table = _table(types, problems)
    held = _workload(entry, _listed(allocations, "$.allocations", problems), problems)
    pools = _pool_costs(_listed(pool_costs, "$.pool_costs", problems), table, problems)
    where = _location(location, pools, problems)
    raise_problems(problems, "offering comparison")
    code = next(iter(pools.values())).currency
    if code != entry.billing.currency:
        raise CurrencyMismatch("compare", entry.billing.currency, code)
    zone = period.start.tzinfo
    window = Period(period.start, period.end.astimezone(zone))
    serving = _Serving(pools, cast("dict[str, ResourceType]", table), _Pricer(window))
    costs = [
        _offering_cost(entry, offering, path, held, window, where, serving)
        for offering, path in (
            (cast("Offering", first), "$.offering_a"),
            (cast("Offering", second), "$.offering_b"),
        )
    ]
    a, b = costs
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


def _workload(
    entry: CatalogueEntry, given: tuple[Any, ...], problems: list[Problem]
) -> tuple[Allocation, ...]:
    """The allocations compared: one or more, of one customer and agreement, for the service."""
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
    window: Period,
    where: str | None,
    serving: _Serving,
) -> OfferingCost:
    """One offering's side: its card, the allocations its requirements add, charge and cost."""
    card = _offering_card(entry, offering, path=path, types=serving.table.values())
    places, problems = _added(entry, offering, path, held[0], window, where, serving)
    raise_problems(problems, "offering comparison")
    added = tuple(allocation for _, allocation in places)
    found = _Problems()
    charged = Fraction(0)
    cost = Fraction(0)
    rows = [(f"$.allocations[{i}]", a) for i, a in enumerate(held)]
    rows += [(f"{path}.requires[{place}]", a) for place, a in places]
    for where_from, allocation in rows:
        part = serving.pricer.part(allocation)
        if part is None:
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
            charged += serving.pricer.held(allocation.quantity, rate.price, kind, part)
        except ValidationError:
            found.add(
                f"{where_from}.quantity",
                f"a quantity of {kind.unit}, which the price {rate.price} charges",
                format_quantity(allocation.quantity),
            )
            continue
        lines = serving.allocation(allocation, where_from, found)
        cost += sum((line.exact for line in lines), Fraction(0))
    found.raise_any("offering comparison")
    charge = _rounded(charged, card.currency)
    served = _rounded(cost, card.currency)
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
    window: Period,
    where: str | None,
    serving: _Serving,
) -> tuple[list[tuple[int, Allocation]], list[Problem]]:
    """The allocations the required upgrades with a quantity add (by place), or problems."""
    upgrades = {upgrade.id: upgrade for upgrade in entry.upgrades}
    added: list[tuple[int, Allocation]] = []
    problems: list[Problem] = []
    for place, upgrade_id in enumerate(sorted(offering.requires)):
        upgrade = upgrades[upgrade_id]  # the entry checks an offering's upgrades are its own
        if upgrade.quantity is None or upgrade.resource_type is None:
            continue
        kind = serving.table.get(upgrade.resource_type)
        if kind is None or kind.kind is not MeteringKind.ALLOCATED:
            what = "unknown" if kind is None else kind.kind.value
            expected = (
                "an upgrade adding an allocated resource type, held over the period "
                f"({upgrade.id} adds {upgrade.resource_type}, {what})"
            )
            problems.append(Problem(f"{path}.requires[{place}]", expected, upgrade_id))
            continue
        added.append(
            (
                place,
                Allocation(
                    sample.customer,
                    sample.agreement,
                    entry.service,
                    upgrade.resource_type,
                    upgrade.quantity,
                    window.start,
                    window.end,
                    resource_id=upgrade.id,
                    location=where,
                ),
            )
        )
    return added, problems
