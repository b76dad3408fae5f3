"""What the city run tests share: two days, a small generated city, a store copy."""

from __future__ import annotations

from datetime import date

from entrepot.city.generator import GenerateOptions
from entrepot.storage.memory import MemoryStore

D1, D2 = date(2025, 11, 3), date(2025, 11, 4)
START = date(2025, 10, 28)
SMALL = GenerateOptions(start=START, days=8, arcs=30, stations=10, counters=3, roadworks=20)


def copy_store(source: MemoryStore) -> MemoryStore:
    store = MemoryStore()
    for info in source.list():
        store.put(info.key, source.get(info.key))
    return store
