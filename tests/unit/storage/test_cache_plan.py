"""The eviction plan: a pure function, tested without I/O."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entrepot.storage.cache_plan import CacheEntry, plan_eviction


def _names(plan: list[CacheEntry]) -> list[str]:
    return [e.name for e in plan]


def test_nothing_to_evict_under_the_budget() -> None:
    entries = [CacheEntry("a", 100, 1), CacheEntry("b", 100, 2)]
    assert plan_eviction(entries, 300, incoming=100) == []


def test_least_recently_used_go_first_until_the_incoming_bytes_fit() -> None:
    entries = [CacheEntry("new", 100, 30), CacheEntry("old", 100, 10), CacheEntry("mid", 100, 20)]
    assert _names(plan_eviction(entries, 300, incoming=150)) == ["old", "mid"]


def test_a_big_old_entry_alone_can_make_room() -> None:
    entries = [CacheEntry("big", 250, 1), CacheEntry("small", 10, 2)]
    assert _names(plan_eviction(entries, 300, incoming=100)) == ["big"]


def test_ties_in_last_access_are_broken_by_name() -> None:
    entries = [CacheEntry("b", 100, 5), CacheEntry("a", 100, 5)]
    assert _names(plan_eviction(entries, 100, incoming=100)) == ["a", "b"]
    assert _names(plan_eviction(entries, 200, incoming=100)) == ["a"]


def test_an_over_budget_folder_is_brought_back_under_it() -> None:
    entries = [CacheEntry(str(i), 100, i) for i in range(5)]
    assert _names(plan_eviction(entries, 250)) == ["0", "1", "2"]


def test_incoming_larger_than_the_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="can never fit"):
        plan_eviction([CacheEntry("a", 1, 1)], 100, incoming=101)


def test_negative_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="sizes"):
        plan_eviction([CacheEntry("a", -1, 1)], 100)


_entry_lists = st.lists(
    st.builds(
        CacheEntry,
        name=st.text("abcdef", min_size=1, max_size=4),
        size=st.integers(0, 500),
        last_access=st.integers(0, 20),
    ),
    max_size=12,
    unique_by=lambda e: e.name,
)


@given(entries=_entry_lists, budget=st.integers(0, 2000), data=st.data())
def test_the_plan_is_the_shortest_lru_prefix_that_fits(
    entries: list[CacheEntry], budget: int, data: st.DataObject
) -> None:
    incoming = data.draw(st.integers(0, budget))
    plan = plan_eviction(entries, budget, incoming=incoming)
    lru = sorted(entries, key=lambda e: (e.last_access, e.name))
    assert plan == lru[: len(plan)]
    kept = sum(e.size for e in entries) - sum(e.size for e in plan)
    assert kept + incoming <= budget
    if plan:  # minimal: one entry fewer would not fit
        assert kept + plan[-1].size + incoming > budget
