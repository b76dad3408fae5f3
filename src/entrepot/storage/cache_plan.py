"""Which cache entries to evict: a pure function of sizes, last-access times and a budget.

Kept apart from :mod:`entrepot.storage.cache_folder`, which applies it, so the policy is
tested without I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One materialized cache entry as the eviction planner sees it."""

    name: str
    size: int
    #: Last access, in nanoseconds since the epoch (the entry file's mtime).
    last_access: int


def plan_eviction(
    entries: Iterable[CacheEntry], max_bytes: int, *, incoming: int = 0
) -> list[CacheEntry]:
    """The entries to delete, least recently used first, so the rest plus ``incoming`` bytes
    fit in ``max_bytes``.

    ``incoming`` covers everything that must fit but cannot be evicted: the object about to be
    written and any fill already in progress. Ties in last access are broken by name, so the
    plan is deterministic. Raises ``ValueError`` if ``incoming`` alone exceeds ``max_bytes``
    (no plan can make room) or if a size or the budget is negative.
    """
    if max_bytes < 0 or incoming < 0:
        raise ValueError(f"max_bytes ({max_bytes}) and incoming ({incoming}) must be >= 0")
    if incoming > max_bytes:
        raise ValueError(f"{incoming} incoming bytes can never fit in a {max_bytes}-byte budget")
    ordered = sorted(entries, key=lambda e: (e.last_access, e.name))
    if any(e.size < 0 for e in ordered):
        raise ValueError("entry sizes must be >= 0")
    excess = sum(e.size for e in ordered) + incoming - max_bytes
    plan: list[CacheEntry] = []
    for entry in ordered:
        if excess <= 0:
            break
        plan.append(entry)
        excess -= entry.size
    return plan
