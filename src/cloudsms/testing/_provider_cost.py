"""Hypothesis strategies for what resources cost the provider (S11, `cloudsms.resources`).

Unit costs whose prices suit their resource types, and pool costs holding them,
one per type and kind of cost. Every strategy draws valid values only; `register`
makes each type drawable with ``st.from_type``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from cloudsms.resources.provider_cost import CostKind, PoolCost, UnitCost
from cloudsms.testing._costs import _currencies, _price_of, _types
from cloudsms.testing._strategies import _IDS, _NAMES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cloudsms.resources.types import ResourceType

__all__ = ["pool_costs", "register", "unit_costs"]


def unit_costs(
    *, types: Sequence[ResourceType] | None = None, currency: str | None = None
) -> st.SearchStrategy[UnitCost]:
    """Unit costs of a type of ``types`` (the built-in table when not given) that suit it.

    Any `cloudsms.resources.CostKind`; the price is zero or more, in ``currency``
    (or a drawn one): per unit and hour or per unit and calendar period for an
    allocated type, per unit used for a metered one, so
    `cloudsms.resources.PoolCost.check` passes.
    """
    chosen = _types(types)

    @st.composite
    def build(draw: st.DrawFn) -> UnitCost:
        kind = draw(st.sampled_from(chosen))
        code = draw(_currencies(currency))
        return UnitCost(kind.id, draw(st.sampled_from(CostKind)), draw(_price_of(kind, code)))

    return build()


def pool_costs(
    *,
    types: Sequence[ResourceType] | None = None,
    currency: str | None = None,
    locations: Sequence[str] | None = None,
    max_costs: int = 6,
) -> st.SearchStrategy[PoolCost]:
    """Pool costs in one currency: up to ``max_costs`` unit costs, one per type and kind.

    The pool id is drawn; the location is one of ``locations`` when given, else
    drawn text; the unit costs suit their types (of ``types``, the built-in table
    when not given).
    """
    places = st.sampled_from(tuple(locations)) if locations else _NAMES

    @st.composite
    def build(draw: st.DrawFn) -> PoolCost:
        code = draw(_currencies(currency))
        costs = draw(
            st.lists(
                unit_costs(types=types, currency=code),
                max_size=max_costs,
                unique_by=lambda cost: (cost.resource_type, cost.kind),
            )
        )
        return PoolCost(draw(_IDS), draw(places), code, costs)

    return build()


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each record of the provider's costs with the strategy that draws it."""
    return [(UnitCost, unit_costs()), (PoolCost, pool_costs())]


def register() -> None:
    """Register a strategy for each type drawn here with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
