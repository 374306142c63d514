"""Rate cards: what the allocations and usage of each resource type cost (S11).

A `RateCard` holds, in one currency, the `Rate` of each resource type (for every
service of an agreement, or for one service), the `MinimumCommitment` values the
customer agreed to, and the billing cycle. A rate is one `cloudsms.money.Price` or a
list of graduated `Tier` values:

- an **allocated** resource (vcpu, memory, storage, licences, seats; see
  `cloudsms.resources.MeteringKind`) is paid for by the time it is held: a price per
  unit of the resource and exact time (EUR 0.042 per ``vcpu*hour``), or per unit and
  *calendar* period (EUR 0.021 per ``GiB`` per month, each month prorated by its
  own length);
- a **metered** resource (requests served, data transferred) is paid for by the
  amount used: a price per unit used (EUR 0.40 per million ``request``), with no
  calendar period; only such a price may be graduated in tiers, each tier pricing
  only the amount inside it (the first million requests at one price, the next nine
  million at another).

Whether each rate suits its resource type is checked where the types are at hand
(`RateCard.check`, run by `cloudsms.resources.CostProfile.build` and
`RateCard.for_agreement`), since a caller may bring its own table of types.
`RateCard.for_agreement` builds a card from the catalogue: every chosen resource
upgrade that names its resource type (`cloudsms.catalogue.Upgrade.resource_type`)
becomes a rate for the subscription's service, and every committed quantity
(`cloudsms.agreements.Commitment`) a minimum commitment.

Serves S11 (the cost profile of the resources held) and S03 (the price of extra
resources in the catalogue); ISO/IEC 20000-1:2011 6.4 (budgeting and accounting for
services) and 6.5.
"""

from __future__ import annotations

import datetime as dt
import functools
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs
from dateutil.relativedelta import relativedelta

from cloudsms._foundation.exact import nearest_amount
from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import calendar_length, ident, raise_problems
from cloudsms._kit.documents import document
from cloudsms._kit.durations import format_duration
from cloudsms._kit.records import Check, Record, check
from cloudsms.errors import Problem, UnknownReference, ValidationError, describe
from cloudsms.money import CALENDAR_UNITS, Money, Price, currency
from cloudsms.units import (
    Quantity,
    calendar_units,
    format_quantity,
    fraction_in,
    quantity,
    quantity_problems,
    registry,
    same_dimension,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from decimal import Decimal

    from cloudsms.agreements import CloudServiceAgreement, Subscription
    from cloudsms.catalogue import Catalogue, CatalogueEntry, Offering
    from cloudsms.periods import Period
    from cloudsms.resources.types import ResourceType

__all__ = ["MinimumCommitment", "Rate", "RateCard", "Tier"]

CalendarPer = Literal["day", "month", "quarter", "year"]
"""The calendar periods a minimum commitment is stated per."""

_SUBJECT = "rate card"


# ---------------------------------------------------------------------- shared checks
def _bound_problems(value: object, path: str) -> list[Problem]:
    found = quantity_problems(
        value, path, example="a quantity above zero, such as '1000000 request'"
    )
    if found:
        return found
    bound: Any = value
    if not bound.magnitude > 0:
        return [Problem(path, "a quantity above zero", format_quantity(bound))]
    if calendar_units(bound):
        expected = "a quantity without calendar units (months and years have no fixed length)"
        return [Problem(path, expected, format_quantity(bound))]
    return []


_BOUND = check(_bound_problems, expected="a quantity above zero", total=True)


def _price_not_below_zero(price: Price, path: str) -> list[Problem]:
    if price.amount.amount < 0:
        return [Problem(f"{path}.amount", "an amount not below zero", price.amount.amount_text)]
    return []


_PRICE = Check(_price_not_below_zero, expected="a Price")


def _money_not_below_zero(money: Money, path: str) -> list[Problem]:
    return [Problem(path, "Money not below zero", str(money))] if money.amount < 0 else []


def _currency_problems(value: object, path: str) -> list[Problem]:
    try:
        currency(value)  # type: ignore[arg-type]
    except UnknownReference as unknown:
        close = (
            f" (close matches: {', '.join(unknown.suggestions)})" if unknown.suggestions else ""
        )
        return [Problem(path, f"an ISO 4217 currency code such as 'EUR'{close}", describe(value))]
    return []


_CURRENCY = check(_currency_problems, expected="an ISO 4217 currency code", total=True)


@functools.lru_cache(maxsize=1024)
def _price_basis(price_unit: str, calendar: bool, resource_unit: str) -> str | None:
    """How a price of ``price_unit`` prices a resource counted in ``resource_unit``.

    ``"time"``: per unit and exact time (``vcpu*hour`` for ``vcpu``); ``"calendar"``:
    per unit and calendar period (a price with ``per``); ``"unit"``: per unit used
    (``request`` for ``request``, ``GB`` for ``GiB``); ``None``: the price measures
    something else. Remembered: rate cards repeat a few units.
    """
    one = quantity(1, resource_unit)
    if calendar:
        return "calendar" if same_dimension(one, price_unit) else None
    if same_dimension(one, price_unit):
        return "unit"
    if same_dimension(one * registry().Unit("second"), price_unit):
        return "time"
    return None


def _suits(kind: ResourceType, price: Price, path: str) -> list[Problem]:
    """Whether ``price`` can price ``kind``, as a rate's price must; its problem if not.

    An allocated type is priced by the time held: per its unit and exact time, or
    per its unit and calendar period; a metered type per amount used. Shared by
    `RateCard.check` and the provider's own unit costs
    (`cloudsms.resources.PoolCost.check`), which price resources the same way.
    """
    from cloudsms.resources.types import MeteringKind  # noqa: PLC0415

    basis = _price_basis(price.unit, price.per is not None, kind.unit)
    if kind.kind is MeteringKind.ALLOCATED and basis not in {"time", "calendar"}:
        expected = (
            f"a price of {kind.id} by the time held: per {kind.unit} and exact "
            f"time (such as '{kind.unit}*hour'), or per {kind.unit} with per="
            "'month' (or day, quarter, year)"
        )
        return [Problem(path, expected, str(price))]
    if kind.kind is not MeteringKind.ALLOCATED and basis != "unit":
        expected = (
            f"a price of {kind.id} per amount used: per {kind.unit} (or a unit of "
            "its dimension), with no time and no calendar period"
        )
        return [Problem(path, expected, str(price))]
    return []


# ---------------------------------------------------------------------- tiers
@attrs.frozen
class Tier(Record):
    """One step of a graduated price: ``Tier(up_to, price)``.

    ``up_to`` is the cumulative amount the tier reaches, counted from zero over a
    billing period (``quantity("1000000 request")``), or ``None`` for the last tier,
    which has no bound; ``price`` prices each unit inside the tier (and only those:
    the tiers are graduated, not a volume discount on everything). The price is per
    an amount used, so it names no calendar period (``per`` is ``None``), and its
    unit measures what ``up_to`` measures.

    Serves S11 (volume tiers of a rate card); ISO/IEC 20000-1:2011 6.4.

    Raises:
        ValidationError: every problem, each with its path: a bound of zero or less
            (``$.up_to``), a negative price (``$.price.amount``), a price per a
            calendar period (``$.price.per``), a bound of another dimension than the
            price counts (``$.up_to``).

    Examples:
        >>> from cloudsms.money import Money, Price
        >>> first = Tier(quantity("1000000 request"), Price(Money("0.0000004", "EUR"), "request"))
        >>> first.up_to
        <Quantity(1000000, 'request')>
        >>> Tier(quantity("5 GiB"), Price(Money("0.09", "EUR"), "request"))
        Traceback (most recent call last):
        ...
        cloudsms.errors.ValidationError: Tier is invalid (1 problem):
          - expected a quantity of what the price counts (request), got 5 GiB @ $.up_to
    """

    up_to: Quantity | None = attrs.field(validator=_BOUND)
    price: Price = attrs.field(validator=_PRICE)

    def _rules(self) -> Iterator[Problem]:
        """The price is per an amount used, and the bound counts what the price counts."""
        if self.price.per is not None:
            expected = "no calendar period: a tier prices an amount used, not time held"
            yield Problem("price.per", expected, describe(self.price.per))
        if self.up_to is not None and not same_dimension(self.up_to, self.price.unit):
            expected = f"a quantity of what the price counts ({self.price.unit})"
            yield Problem("up_to", expected, format_quantity(self.up_to))


# ---------------------------------------------------------------------- rates
def _tier_problems(tiers: tuple[Tier, ...]) -> Iterator[Problem]:
    """Tiers of one currency and dimension, bounds rising, the last one unbounded."""
    first = tiers[0].price
    reached: Fraction | None = None
    for index, tier in enumerate(tiers):
        path = f"tiers[{index}]"
        if tier.price.amount.currency != first.amount.currency:
            yield Problem(
                f"{path}.price.amount.currency",
                f"{first.amount.currency} (the currency of the first tier)",
                describe(tier.price.amount.currency),
            )
        if not same_dimension(quantity(1, tier.price.unit), first.unit):
            yield Problem(
                f"{path}.price.unit",
                f"a unit measuring what the first tier's does ({first.unit})",
                describe(tier.price.unit),
            )
            continue
        last = index == len(tiers) - 1
        if tier.up_to is None:
            if not last:
                expected = "a bound: only the last tier has none"
                yield Problem(f"{path}.up_to", expected, "null")
            continue
        if last:
            expected = "null: the last tier has no bound, so every amount used has a price"
            yield Problem(f"{path}.up_to", expected, format_quantity(tier.up_to))
        bound = fraction_in(tier.up_to, first.unit)
        if reached is not None and bound <= reached:
            expected = "a bound above the previous tier's (bounds are cumulative)"
            yield Problem(f"{path}.up_to", expected, format_quantity(tier.up_to))
        reached = bound if reached is None else max(reached, bound)


@attrs.frozen
class Rate(Record):
    """What one resource type costs, by one price or by graduated tiers.

    Built as ``Rate(resource_type, *, price=None, tiers=(), service=None)``.

    ``resource_type`` is the id of a `cloudsms.resources.ResourceType`; ``service``
    the service the rate applies to, or ``None`` for every service of the agreement
    (a rate for the service itself is preferred, `RateCard.rate_for`). Exactly one of
    ``price`` (one `cloudsms.money.Price`) and ``tiers`` (graduated `Tier` values,
    bounds rising, the last unbounded) is given; no price is below zero, so no cost
    is. Whether the price suits the type — by time or calendar period held for an
    allocated type, per unit used for a metered one, tiers only for a metered one —
    is checked against the types by `RateCard.check`.

    The tiers of a rate count every usage the rate prices in a billing period: a
    rate for every service counts the usage of all the services it prices (those
    without a rate of their own) together, so their total reaches the tiers, and a
    rate of one service counts that service's usage alone.

    Serves S11 and S03; ISO/IEC 20000-1:2011 6.4.

    Raises:
        ValidationError: every problem, each with its path: both or neither of
            ``price`` and ``tiers`` (``$.tiers``, ``$.price``), a negative price,
            tiers of several currencies or dimensions, bounds not rising, a bounded
            last tier or an unbounded one before it (``$.tiers[i].up_to``).

    Examples:
        >>> from cloudsms.money import Money, Price
        >>> rate = Rate("vcpu", price=Price(Money("0.042", "EUR"), "vcpu*hour"))
        >>> str(rate.price), rate.service is None
        ('EUR 0.042 per vcpu*hour', True)
    """

    resource_type: str = attrs.field(validator=ident)
    price: Price | None = attrs.field(default=None, validator=_PRICE, kw_only=True)
    tiers: tuple[Tier, ...] = attrs.field(default=(), converter=as_tuple, kw_only=True)
    service: str | None = attrs.field(default=None, validator=ident, kw_only=True)

    def _rules(self) -> Iterator[Problem]:
        """One price or tiers; tiers of one currency and dimension, bounds rising."""
        if self.price is not None and self.tiers:
            expected = "no tiers when a single price is given (one or the other)"
            yield Problem("tiers", expected, f"{len(self.tiers)} tiers")
        elif self.price is None and not self.tiers:
            yield Problem("price", "a price, or one or more tiers", "neither")
        elif self.tiers:
            yield from _tier_problems(self.tiers)

    @property
    def prices(self) -> tuple[Price, ...]:
        """Every price of the rate: its one price, or each tier's."""
        return (self.price,) if self.price is not None else tuple(t.price for t in self.tiers)

    @property
    def currency(self) -> str:
        """The currency of the rate's prices."""
        return self.prices[0].amount.currency


# ---------------------------------------------------------------------- commitments
def _per_problems(value: object, path: str) -> list[Problem]:
    if isinstance(value, str) and value in CALENDAR_UNITS:
        return []
    return [Problem(path, f"one of {', '.join(map(repr, CALENDAR_UNITS))}", describe(value))]


_PER = check(_per_problems, expected="a calendar period such as 'month'", total=True)


@attrs.frozen
class MinimumCommitment(Record):
    """The least the customer pays per calendar period for the lines in its scope (S11).

    Built as ``MinimumCommitment(amount, *, per="month", resource_type=None,
    service=None)``: ``amount`` is charged at least per calendar ``per`` (day, month,
    quarter or year). The scope is the lines of ``resource_type`` (every type when
    ``None``) for ``service`` (every service when ``None``).

    A cost profile reckons it one calendar period at a time, in the agreement's time
    zone (`owed`): each month (or day, quarter, year) the profile's period touches
    owes the amount times the share of that month inside both the period and the
    agreement's term (from its ``effective_from`` to its ``end``), so an agreement
    that starts on 15 April owes half of April's minimum and nothing for March, and
    the last month is cut at the agreement's end. When the scope's lines of one month
    cost less than that month's minimum, the profile adds the shortfall as a line of
    its own; what one month costs never makes up for another, so a profile of
    October and November together owes what the two monthly profiles owe.

    Commitments may overlap (`RateCard.for_agreement` gives a service's offering
    a minimum and each committed upgrade of it another). A profile reckons them
    from the narrowest scope to the widest (one service and type, then a service
    or a type, then everything; the shorter ``per`` first among scopes of one
    width), and the shortfall of a commitment counts as spent in the scope of every
    commitment reckoned later whose scope holds its own, for the part of its time
    inside each of that commitment's calendar periods. So a vcpu minimum of EUR 100
    inside a service minimum of EUR 150 charges EUR 150 at most, not both
    shortfalls. Scopes that do not hold each other (a service's, and a type's
    across services) each owe their own.

    Serves S11 (commitments of the cost profile) and S07 (the quantities committed
    to); ISO/IEC 20000-1:2011 6.4.

    Raises:
        ValidationError: every problem, each with its path: a negative amount
            (``$.amount``), an unknown calendar period (``$.per``), a malformed id.

    Examples:
        >>> import datetime as dt
        >>> from cloudsms.periods import Period
        >>> floor = MinimumCommitment(Money("100", "EUR"), resource_type="vcpu")
        >>> floor.minimum(Period.month(2026, 2, "UTC"))
        Fraction(100, 1)
        >>> half = Period(
        ...     dt.datetime(2026, 2, 15, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        ... )
        >>> floor.minimum(half)  # 14 of February's 28 days
        Fraction(50, 1)
        >>> [(str(part), owed) for part, owed in floor.owed(half)]
        [('[2026-02-15T00:00:00+00:00, 2026-03-01T00:00:00+00:00)', Fraction(50, 1))]
    """

    amount: Money = attrs.field(validator=Check(_money_not_below_zero, expected="a Money"))
    per: str = attrs.field(default="month", validator=_PER, kw_only=True)
    resource_type: str | None = attrs.field(default=None, validator=ident, kw_only=True)
    service: str | None = attrs.field(default=None, validator=ident, kw_only=True)

    def covers(self, service: str | None, resource_type: str | None) -> bool:
        """Whether a line of ``service`` and ``resource_type`` is in the commitment's scope."""
        return (self.service is None or self.service == service) and (
            self.resource_type is None or self.resource_type == resource_type
        )

    def owed(
        self, period: Period, *, zone: str | dt.tzinfo | None = None
    ) -> tuple[tuple[Period, Fraction], ...]:
        """The minimum owed for each calendar ``per`` that ``period`` touches, exactly (S11).

        ``period`` is cut at the calendar boundaries of ``per`` (months, ...) counted
        in ``zone`` (an IANA name or a tzinfo; by default the zone of the period's
        start): each piece, written in that zone, comes with the amount times the
        share of its calendar period it holds (`cloudsms.periods.Period.calendar_count`).
        A cost profile passes the part of its period inside the agreement's term and
        the agreement's zone, and reckons a shortfall per piece.

        Raises:
            ValidationError: ``period`` is not a `cloudsms.periods.Period`
                (``$.period``), or ``zone`` is not a time zone (``$.zone``).
        """
        pieces = _in_zone(period, zone).split(cast("CalendarPer", self.per))
        amount = Fraction(self.amount.amount)
        unit = cast("CalendarPer", self.per)
        return tuple((piece, amount * piece.calendar_count(unit)) for piece in pieces)

    def minimum(self, period: Period, *, zone: str | dt.tzinfo | None = None) -> Fraction:
        """The least charged over ``period``, exactly: the sum of what `owed` lists.

        That is the amount per calendar ``per`` times the calendar periods ``period``
        spans, counted in ``zone`` (by default the zone of the period's start).

        Raises:
            ValidationError: ``period`` is not a `cloudsms.periods.Period`
                (``$.period``), or ``zone`` is not a time zone (``$.zone``).
        """
        return sum((owed for _, owed in self.owed(period, zone=zone)), Fraction(0))


def _in_zone(period: object, zone: object) -> Period:
    """``period`` written in ``zone`` (its start's when ``None``), or a ValidationError."""
    from cloudsms.periods import Period, timezone  # noqa: PLC0415

    if not isinstance(period, Period):
        raise ValidationError.single(
            "$.period", "a Period", describe(period), subject="minimum commitment"
        )
    if zone is None:
        return period
    if isinstance(zone, str):
        found = timezone(zone, path="$.zone")
    elif isinstance(zone, dt.tzinfo):
        found = zone
    else:
        raise ValidationError.single(
            "$.zone",
            "an IANA time zone name or a tzinfo",
            describe(zone),
            subject="minimum commitment",
        )
    return Period(period.start.astimezone(found), period.end.astimezone(found))


# ---------------------------------------------------------------------- the rate card
def _same_currency(code: str, prices: Iterable[tuple[str, Money]]) -> Iterator[Problem]:
    for path, money in prices:
        if money.currency != code:
            yield Problem(
                f"{path}.currency", f"{code} (the rate card's currency)", describe(money.currency)
            )


def _rate_key(rate: Rate) -> str:
    return f"{rate.service or '*'}/{rate.resource_type}"


@document("cloudsms.rate-card", version=1)
@attrs.frozen
class RateCard(Record):
    """The prices of an agreement's resources, in one currency.

    Built as ``RateCard(currency, rates, *, commitments=(),
    billing_cycle=relativedelta(months=1))``.
    ``currency`` is the ISO 4217 code every price and commitment is in; ``rates``
    holds at most one `Rate` per service and resource type (a rate without a service
    applies to every service that has none of its own); ``commitments`` are the
    `MinimumCommitment` values agreed; ``billing_cycle`` is the calendar length of a
    billing period, counted from the agreement's start in its time zone (revised
    cost profiles run to the end of a billing period, and tiers count from zero at
    the start of each). Build one by hand or from the catalogue with `for_agreement`.

    A persisted document (``cloudsms.rate-card``, schema version 1). Serves S11 and
    S03; ISO/IEC 20000-1:2011 6.4.

    Raises:
        ValidationError: every problem, each with its path: an unknown currency
            (``$.currency``), a price or commitment in another currency
            (``$.rates[i].price.amount.currency``), two rates for one service and type
            (``$.rates[i]``), a billing cycle that is not a positive calendar length.

    Examples:
        >>> from cloudsms.money import Money, Price
        >>> card = RateCard(
        ...     "EUR",
        ...     [
        ...         Rate("vcpu", price=Price(Money("0.042", "EUR"), "vcpu*hour")),
        ...         Rate("vcpu", price=Price(Money("0.03", "EUR"), "vcpu*hour"), service="batch"),
        ...     ],
        ... )
        >>> str(card.rate_for("batch", "vcpu").price), str(card.rate_for("crm", "vcpu").price)
        ('EUR 0.03 per vcpu*hour', 'EUR 0.042 per vcpu*hour')
        >>> card.rate_for("crm", "storage") is None
        True
    """

    currency: str = attrs.field(validator=_CURRENCY)
    rates: tuple[Rate, ...] = attrs.field(converter=as_tuple)
    commitments: tuple[MinimumCommitment, ...] = attrs.field(
        default=(), converter=as_tuple, kw_only=True
    )
    billing_cycle: relativedelta = attrs.field(
        factory=lambda: relativedelta(months=1), validator=calendar_length, kw_only=True
    )

    def _rules(self) -> Iterator[Problem]:
        """One currency throughout; one rate per service and resource type."""
        prices: list[tuple[str, Money]] = []
        seen: dict[tuple[str | None, str], int] = {}
        for index, rate in enumerate(self.rates):
            if rate.price is not None:
                prices.append((f"rates[{index}].price.amount", rate.price.amount))
            prices += [
                (f"rates[{index}].tiers[{place}].price.amount", tier.price.amount)
                for place, tier in enumerate(rate.tiers)
            ]
            key = (rate.service, rate.resource_type)
            if key in seen:
                expected = (
                    f"one rate per service and resource type ({_rate_key(rate)} is "
                    f"rates[{seen[key]}] already)"
                )
                yield Problem(f"rates[{index}]", expected, _rate_key(rate))
            seen.setdefault(key, index)
        prices += [
            (f"commitments[{index}].amount", c.amount) for index, c in enumerate(self.commitments)
        ]
        yield from _same_currency(self.currency, prices)

    def __hash__(self) -> int:
        return hash((self.currency, self.rates, self.commitments, repr(self.billing_cycle)))

    @functools.cached_property
    def _index(self) -> dict[tuple[str | None, str], Rate]:
        return {(rate.service, rate.resource_type): rate for rate in self.rates}

    def rate_for(self, service: str, resource_type: str) -> Rate | None:
        """The rate of ``resource_type`` for ``service``: the service's own, else the general one.

        ``None`` when the card prices the type for neither.
        """
        index = self._index
        found = index.get((service, resource_type))
        return found if found is not None else index.get((None, resource_type))

    @property
    def known(self) -> tuple[str, ...]:
        """The pairs priced, as ``service/type`` (``*/type`` for every service)."""
        return tuple(_rate_key(rate) for rate in self.rates)

    def problems(self, types: Iterable[ResourceType] | None = None) -> list[Problem]:
        """What keeps the rates from pricing their resource types (see `check`), or ``[]``."""
        from cloudsms.resources.types import MeteringKind, resource_types  # noqa: PLC0415

        table = {t.id: t for t in (resource_types() if types is None else types)}
        problems: list[Problem] = []
        for index, rate in enumerate(self.rates):
            kind = table.get(rate.resource_type)
            if kind is None:
                close = suggest(rate.resource_type, table)
                hint = f" (close matches: {', '.join(close)})" if close else ""
                problems.append(
                    Problem(
                        f"$.rates[{index}].resource_type",
                        f"the id of a known resource type{hint}",
                        describe(rate.resource_type),
                    )
                )
                continue
            allocated = kind.kind is MeteringKind.ALLOCATED
            if allocated and rate.tiers:
                expected = (
                    f"a single price: {kind.id} is allocated, priced by the time held; "
                    "tiers price metered usage only"
                )
                problems.append(Problem(f"$.rates[{index}].tiers", expected, "tiers"))
                continue
            priced = (
                [(f"$.rates[{index}].price", rate.price)]
                if rate.price is not None
                else [
                    (f"$.rates[{index}].tiers[{i}].price", t.price)
                    for i, t in enumerate(rate.tiers)
                ]
            )
            for path, price in priced:
                problems += _suits(kind, price, path)
        return problems

    def check(self, types: Iterable[ResourceType] | None = None) -> None:
        """Check that every rate can price its resource type, from ``types`` or the built-ins.

        An allocated type is priced by the time held: per unit and exact time
        (``vcpu*hour``) or per unit and calendar period (``GiB`` per month), with a
        single price. A metered type is priced per amount used (``request``; ``GB``
        for data transferred in ``GiB``), with no calendar period, by one price or
        by tiers.

        Raises:
            ValidationError: an unknown resource type (close ids suggested) or a price
                that does not suit its type, each at its path
                (``$.rates[2].price``).
        """
        raise_problems(self.problems(types), _SUBJECT)

    @classmethod
    def for_agreement(
        cls,
        agreement: CloudServiceAgreement,
        catalogue: Catalogue,
        *,
        types: Iterable[ResourceType] | None = None,
    ) -> RateCard:
        """The rate card of an agreement, from the catalogue entries it subscribes to.

        For each subscription, each chosen upgrade of kind resource that names its
        resource type (`cloudsms.catalogue.Upgrade.resource_type`) becomes a `Rate`
        of that type for the subscription's service, at the upgrade's price. Each
        committed quantity (`cloudsms.agreements.Commitment`) becomes a
        `MinimumCommitment` for the service, of the item's resource type when the
        item is such an upgrade (else of every type of the service):

        - for a price per calendar period (``EUR 0.021 per GiB per month``), the
          committed quantity times the price, per that period;
        - for a price per usage (``EUR 0.042 per vcpu*hour``), the usage committed
          per billing cycle times the price, per billing cycle: a cycle of whole
          months becomes a commitment per month (divided by the months), one of
          whole days per day.

        The currency and billing cycle are those of the entries, which must agree.
        The card is then checked against the resource types (`check`).

        Raises:
            ValidationError: an unknown entry, offering or upgrade, entries of
                several currencies or billing cycles, a commitment whose quantity is
                not of its price's dimension or whose cycle has no calendar unit,
                each at its path (``$.subscriptions[0].upgrade_ids[1]``); or a rate
                that does not suit its type (as `check`).
        """
        entries = {entry.id: entry for entry in catalogue.entries}
        problems: list[Problem] = []
        rates: list[Rate] = []
        commitments: list[MinimumCommitment] = []
        billing: tuple[str, relativedelta, str] | None = None
        for index, subscription in enumerate(agreement.subscriptions):
            path = f"$.subscriptions[{index}]"
            entry = entries.get(subscription.entry_id)
            if entry is None:
                close = suggest(subscription.entry_id, entries)
                hint = f" (close matches: {', '.join(close)})" if close else ""
                problems.append(
                    Problem(
                        f"{path}.entry_id",
                        f"the id of a catalogue entry{hint}",
                        describe(subscription.entry_id),
                    )
                )
                continue
            code, cycle = entry.billing.currency, entry.billing.cycle
            if billing is None:
                billing = (code, cycle, path)
            elif code != billing[0] or cycle != billing[1]:
                expected = (
                    f"an entry billed in {billing[0]} every {format_duration(billing[1])}, "
                    f"as the entry of {billing[2]} is (a rate card has one currency and cycle)"
                )
                got = f"{code} every {format_duration(cycle)} (entry {entry.id!r})"
                problems.append(Problem(f"{path}.entry_id", expected, got))
                continue
            found, committed, wrong = _subscription_terms(entry, subscription, path)
            rates += found
            commitments += committed
            problems += wrong
        raise_problems(problems, _SUBJECT)
        if billing is None:  # pragma: no cover - an agreement has one or more subscriptions
            raise ValidationError.single(
                "$.subscriptions", "one or more subscriptions", "none", subject=_SUBJECT
            )
        card = cls(billing[0], rates, commitments=commitments, billing_cycle=billing[1])
        card.check(types)
        return card


def _subscription_terms(
    entry: CatalogueEntry, subscription: Subscription, path: str
) -> tuple[list[Rate], list[MinimumCommitment], list[Problem]]:
    """The rates and commitments one subscription brings to a rate card, or its problems."""
    upgrades = {upgrade.id: upgrade for upgrade in entry.upgrades}
    offering = next((o for o in entry.offerings if o.id == subscription.offering_id), None)
    problems: list[Problem] = []
    if offering is None:
        close = suggest(subscription.offering_id, [o.id for o in entry.offerings])
        hint = f" (close matches: {', '.join(close)})" if close else ""
        problems.append(
            Problem(
                f"{path}.offering_id",
                f"an offering of entry {entry.id!r}{hint}",
                describe(subscription.offering_id),
            )
        )
        return [], [], problems
    rates, problems = _upgrade_rates(
        entry, subscription.upgrade_ids, subscription.service_id, f"{path}.upgrade_ids"
    )
    commitments: list[MinimumCommitment] = []
    for place, commitment in enumerate(subscription.commitments):
        where = f"{path}.commitments[{place}].quantity"
        upgrade = upgrades.get(commitment.item_id)
        price = offering.price if commitment.item_id == offering.id else None
        if upgrade is not None and commitment.item_id != offering.id:
            price = upgrade.price
        if price is None:
            continue  # an upgrade the entry lacks: reported above
        found = _committed(price, commitment.quantity, entry.billing.cycle, where)
        if isinstance(found, Problem):
            problems.append(found)
            continue
        amount, per = found
        kind = upgrade.resource_type if upgrade is not None and price is upgrade.price else None
        commitments.append(
            MinimumCommitment(
                Money(amount, price.amount.currency),
                per=per,
                resource_type=kind,
                service=subscription.service_id,
            )
        )
    return rates, commitments, problems


def _upgrade_rates(
    entry: CatalogueEntry, upgrade_ids: Iterable[str], service: str, path: str
) -> tuple[list[Rate], list[Problem]]:
    """The rates the chosen upgrades of ``entry`` bring to a card for ``service``, or problems.

    Each resource upgrade naming its resource type becomes a `Rate` of that type for
    the service at the upgrade's price; an id the entry lacks is a problem at
    ``path[i]`` (the ids in sorted order). Shared by `RateCard.for_agreement` and the
    cards of offerings compared (`cloudsms.resources.compare_offerings`).
    """
    upgrades = {upgrade.id: upgrade for upgrade in entry.upgrades}
    rates: list[Rate] = []
    problems: list[Problem] = []
    for place, upgrade_id in enumerate(sorted(upgrade_ids)):
        upgrade = upgrades.get(upgrade_id)
        if upgrade is None:
            close = suggest(upgrade_id, upgrades)
            hint = f" (close matches: {', '.join(close)})" if close else ""
            problems.append(
                Problem(
                    f"{path}[{place}]",
                    f"an upgrade of entry {entry.id!r}{hint}",
                    describe(upgrade_id),
                )
            )
        elif upgrade.resource_type is not None:
            rates.append(Rate(upgrade.resource_type, price=upgrade.price, service=service))
    return rates, problems


def _offering_card(
    entry: CatalogueEntry,
    offering: Offering,
    *,
    path: str,
    types: Iterable[ResourceType] | None = None,
) -> RateCard:
    """The rate card of a subscription to ``offering`` that takes every upgrade it allows.

    Built as `RateCard.for_agreement` builds a subscription's rates
    (`_upgrade_rates`), for the entry's service, in the entry's currency and billing
    cycle, with no commitments; checked against ``types``. Problems are reported
    under ``path`` (``$.offering_b``).

    Raises:
        ValidationError: two upgrades the offering allows price one resource type
            (``path.upgrades``), or a rate does not suit its type.
    """
    rates, problems = _upgrade_rates(entry, offering.upgrades, entry.service, f"{path}.upgrades")
    seen: dict[str, str] = {}
    for place, upgrade_id in enumerate(sorted(offering.upgrades)):
        upgrade = next((u for u in entry.upgrades if u.id == upgrade_id), None)
        if upgrade is None or upgrade.resource_type is None:
            continue
        other = seen.setdefault(upgrade.resource_type, upgrade_id)
        if other != upgrade_id:
            expected = (
                f"one upgrade per resource type ({other} prices {upgrade.resource_type} "
                "already), so the offering's card has one rate for it"
            )
            problems.append(Problem(f"{path}.upgrades[{place}]", expected, upgrade_id))
    raise_problems(problems, _SUBJECT)
    card = RateCard(entry.billing.currency, rates, billing_cycle=entry.billing.cycle)
    card.check(types)
    return card


def _cycle_unit(cycle: relativedelta) -> tuple[CalendarPer, int] | None:
    """A billing cycle as (calendar unit, how many): whole months, or whole days; else None."""
    if cycle.hours or cycle.minutes or cycle.seconds or cycle.microseconds:
        return None
    months = cycle.years * 12 + cycle.months
    if months and not cycle.days:
        return "month", months
    if cycle.days and not months:
        return "day", cycle.days
    return None


def _committed(
    price: Price, committed: Quantity, cycle: relativedelta, path: str
) -> tuple[Decimal, CalendarPer] | Problem:
    """The amount and calendar period of a minimum commitment on ``committed`` of ``price``."""
    amount = Fraction(price.amount.amount)
    if price.per is not None:
        if not same_dimension(committed, price.unit):
            expected = f"a quantity of {price.unit} held (the price is {price})"
            return Problem(path, expected, format_quantity(committed))
        per: CalendarPer = price.per  # type: ignore[assignment] # one of CALENDAR_UNITS
        return _bounded(amount * fraction_in(committed, price.unit), per, path)
    if not same_dimension(committed, price.unit):
        expected = (
            f"a quantity of {price.unit} used per billing cycle "
            f"({format_duration(cycle)}), since the price is per usage"
        )
        return Problem(path, expected, format_quantity(committed))
    unit = _cycle_unit(cycle)
    if unit is None:
        expected = (
            "a billing cycle of whole months or whole days, to state the commitment per "
            "calendar period"
        )
        return Problem(path, expected, format_duration(cycle))
    per, count = unit
    return _bounded(amount * fraction_in(committed, price.unit) / count, per, path)


def _bounded(
    least: Fraction, per: CalendarPer, path: str
) -> tuple[Decimal, CalendarPer] | Problem:
    """The amount as Money holds it (exact where it fits, else to 38 digits), or its problem."""
    try:
        return nearest_amount(least), per
    except OverflowError:
        return Problem(path, "a commitment worth less than 1E+31", "more")
