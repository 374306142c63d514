"""Hypothesis strategies for rate cards and cost changes (S11, `cloudsms.resources`).

Graduated tiers, rates that suit their resource types, minimum commitments, whole
rate cards and the cost changes notices carry. Every strategy draws valid values
only; `register` makes each type drawable with ``st.from_type``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from cloudsms.money import CALENDAR_UNITS, Money, Price
from cloudsms.resources.cost import CostChange
from cloudsms.resources.pricing import MinimumCommitment, Rate, RateCard, Tier
from cloudsms.resources.types import MeteringKind, ResourceType
from cloudsms.resources.types import resource_types as built_in_types
from cloudsms.testing._strategies import _IDS, aware_datetimes
from cloudsms.units import quantity

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "cost_changes",
    "minimum_commitments",
    "rate_cards",
    "rates",
    "register",
    "tiers",
]

_CURRENCIES = ("EUR", "USD", "JPY", "BHD")
_PLACES = 6
_MOST = 1000
_CYCLES = (
    relativedelta(months=1),
    relativedelta(months=3),
    relativedelta(years=1),
    relativedelta(days=7),
)


def _currencies(currency: str | None) -> st.SearchStrategy[str]:
    return st.just(currency) if currency is not None else st.sampled_from(_CURRENCIES)


def _amounts(*, places: int = _PLACES, most: int = _MOST) -> st.SearchStrategy[Decimal]:
    """Amounts from zero to ``most`` with up to ``places`` decimals (zero and whole ones too)."""
    scale = 10**places
    return st.one_of(
        st.just(Decimal(0)),
        st.integers(0, most).map(Decimal),
        st.integers(0, most * scale).map(lambda units: Decimal(units).scaleb(-places)),
    )


def _money(code: str) -> st.SearchStrategy[Money]:
    return _amounts().map(lambda amount: Money(amount, code))


def _types(types: Sequence[ResourceType] | None) -> tuple[ResourceType, ...]:
    return tuple(built_in_types() if types is None else types)


def _price_of(kind: ResourceType, code: str) -> st.SearchStrategy[Price]:
    """A price that suits ``kind``: by time or calendar period held, or per amount used."""
    if kind.kind is MeteringKind.METERED:
        return _money(code).map(lambda money: Price(money, kind.unit))
    timed = _money(code).map(lambda money: Price(money, f"{kind.unit}*hour"))
    calendar = st.builds(
        lambda money, per: Price(money, kind.unit, per=per),
        _money(code),
        st.sampled_from(tuple(CALENDAR_UNITS)),
    )
    return st.one_of(timed, calendar)


def tiers(*, unit: str = "request", currency: str | None = None) -> st.SearchStrategy[Tier]:
    """One graduated tier: a bound above zero (or none) and a price per ``unit`` used."""
    return st.builds(
        Tier,
        st.none() | st.integers(1, 10**9).map(lambda bound: quantity(bound, unit)),
        _currencies(currency).flatmap(_money).map(lambda money: Price(money, unit)),
    )


def _tier_lists(unit: str, code: str) -> st.SearchStrategy[tuple[Tier, ...]]:
    """One to four tiers of ``unit``, bounds rising, the last one unbounded."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Tier, ...]:
        bounds = sorted(draw(st.sets(st.integers(1, 10**9), max_size=3)))
        prices = draw(st.lists(_money(code), min_size=len(bounds) + 1, max_size=len(bounds) + 1))
        steps: list[Any] = [quantity(bound, unit) for bound in bounds]
        return tuple(
            Tier(bound, Price(money, unit))
            for bound, money in zip([*steps, None], prices, strict=True)
        )

    return build()


def rates(
    *,
    types: Sequence[ResourceType] | None = None,
    currency: str | None = None,
    services: Sequence[str] | None = None,
) -> st.SearchStrategy[Rate]:
    """Rates of a type of ``types`` (the built-in table when not given) that suit it.

    An allocated type is priced per unit and hour or per unit and calendar period; a
    metered one per unit used, by one price or by one to four tiers. About half are
    for one service (of ``services`` when given), the rest for every service.
    """
    chosen = _types(types)

    @st.composite
    def build(draw: st.DrawFn) -> Rate:
        kind = draw(st.sampled_from(chosen))
        code = draw(_currencies(currency))
        service_ids = st.sampled_from(tuple(services)) if services else _IDS
        service = draw(st.none() | service_ids)
        if kind.kind is MeteringKind.METERED and draw(st.booleans()):
            return Rate(kind.id, tiers=draw(_tier_lists(kind.unit, code)), service=service)
        return Rate(kind.id, price=draw(_price_of(kind, code)), service=service)

    return build()


def minimum_commitments(
    *,
    types: Sequence[ResourceType] | None = None,
    currency: str | None = None,
    services: Sequence[str] | None = None,
) -> st.SearchStrategy[MinimumCommitment]:
    """Minimum commitments per a calendar period, for a type and service or every one."""
    chosen = tuple(t.id for t in _types(types))
    service_ids = st.sampled_from(tuple(services)) if services else _IDS
    return st.builds(
        lambda money, per, kind, service: MinimumCommitment(
            money, per=per, resource_type=kind, service=service
        ),
        _currencies(currency).flatmap(_money),
        st.sampled_from(tuple(CALENDAR_UNITS)),
        st.none() | st.sampled_from(chosen),
        st.none() | service_ids,
    )


def rate_cards(
    *,
    types: Sequence[ResourceType] | None = None,
    currency: str | None = None,
    services: Sequence[str] | None = None,
    max_rates: int = 4,
    max_commitments: int = 2,
) -> st.SearchStrategy[RateCard]:
    """Rate cards in one currency: up to ``max_rates`` rates, one per service and type.

    The rates suit their types (of ``types``, the built-in table when not given), so
    `cloudsms.resources.RateCard.check` passes; up to ``max_commitments`` minimum
    commitments; a billing cycle of a week, a month, a quarter or a year.
    """

    @st.composite
    def build(draw: st.DrawFn) -> RateCard:
        code = draw(_currencies(currency))
        drawn = draw(
            st.lists(
                rates(types=types, currency=code, services=services),
                max_size=max_rates,
                unique_by=lambda rate: (rate.service, rate.resource_type),
            )
        )
        commitments = draw(
            st.lists(
                minimum_commitments(types=types, currency=code, services=services),
                max_size=max_commitments,
            )
        )
        return RateCard(
            code, drawn, commitments=commitments, billing_cycle=draw(st.sampled_from(_CYCLES))
        )

    return build()


def cost_changes(*, currency: str | None = None) -> st.SearchStrategy[CostChange]:
    """Cost changes: two costs in one currency, their difference, and an instant."""

    @st.composite
    def build(draw: st.DrawFn) -> CostChange:
        code = draw(_currencies(currency))
        before, after = draw(_money(code)), draw(_money(code))
        return CostChange(
            before=before,
            after=after,
            difference=after - before,
            effective=draw(
                aware_datetimes(
                    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - naive bounds
                    max_value=dt.datetime(2060, 1, 1),  # noqa: DTZ001
                )
            ),
        )

    return build()


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each record of rate cards and cost changes with the strategy that draws it."""
    return [
        (Tier, tiers()),
        (Rate, rates()),
        (MinimumCommitment, minimum_commitments()),
        (RateCard, rate_cards()),
        (CostChange, cost_changes()),
    ]


def register() -> None:
    """Register a strategy for each type drawn here with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
