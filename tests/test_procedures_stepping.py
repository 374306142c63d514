"""The procedures' shared parts: the bounded parse cache and moving a record on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudsms.procedures._stepping import BoundedCache


@given(size=st.integers(1, 8), keys=st.lists(st.integers(0, 20), max_size=60))
def test_a_cache_never_holds_more_than_its_size(size: int, keys: list[int]) -> None:
    """Holds at most ``size`` entries, always the one just remembered, each as given."""
    cache: BoundedCache[int, str] = BoundedCache(size)
    for key in keys:
        assert cache.remember(key, str(key)) == str(key)
        assert len(cache) <= size
        assert cache[key] == str(key)
    assert all(value == str(key) for key, value in cache.items())


@pytest.mark.parametrize(
    ("size", "after"), [(1, [11]), (2, [1, 12]), (4, [2, 3, 14]), (5, [2, 3, 4, 15])]
)
def test_a_full_cache_drops_its_older_half(size: int, after: list[int]) -> None:
    """Remembering into a full cache drops the oldest half (at least one), then keeps the new."""
    cache: BoundedCache[int, int] = BoundedCache(size)
    for key in range(size):
        cache.remember(key, key)
    cache.remember(size + 10, 0)
    assert list(cache) == after
