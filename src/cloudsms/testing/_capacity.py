"""Hypothesis strategies for capacity plans (S11, `cloudsms.resources.capacity`).

`thresholds` draws the warn and act levels a plan is judged against: exact
fractions with ``0 < warn < act <= 1``. The plan itself and its lines are results
of `CapacityPlan.build`, built from pools and allocations (drawn with
`cloudsms.testing.resource_pools` and `cloudsms.testing.allocations`); they have no
strategy of their own. `register` makes `Thresholds` drawable with ``st.from_type``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from cloudsms.resources.capacity import Thresholds

__all__ = ["register", "strategy_pairs", "thresholds"]

_DENOMINATORS = (2, 3, 4, 5, 8, 10, 20, 100, 1000, 7)


def thresholds() -> st.SearchStrategy[Thresholds]:
    """Thresholds of two distinct fractions above 0 and at most 1, the smaller as ``warn``.

    Denominators are small or decimal (1/2, 3/4, 0.9, 0.875) and now and then one
    whose decimals never end (2/3, 5/7), so code that prints a threshold meets both.
    """

    @st.composite
    def build(draw: st.DrawFn) -> Thresholds:
        denominator = draw(st.sampled_from(_DENOMINATORS))
        low = draw(st.integers(1, denominator - 1))
        high = draw(st.integers(low + 1, denominator))
        return Thresholds(warn=Fraction(low, denominator), act=Fraction(high, denominator))

    return build()


def strategy_pairs() -> list[tuple[type, st.SearchStrategy[Any]]]:
    """Each input record of capacity plans with the strategy that draws it."""
    return [(Thresholds, thresholds())]


def register() -> None:
    """Register a strategy for each type drawn here with ``st.from_type``."""
    for kind, strategy in strategy_pairs():
        st.register_type_strategy(kind, strategy)
