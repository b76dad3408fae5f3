"""A lazily started pool: started at its first use, once, and stopped only if started."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from entrepot.bootstrap.cluster import LazyPool


class _Recorded:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        self.events.append("run")
        return [task(shared, item) for item in items]


def _opener(events: list[str]) -> Callable[[], Any]:
    @contextmanager
    def opened() -> Iterator[_Recorded]:
        events.append("start")
        yield _Recorded(events)
        events.append("stop")

    return opened


def test_nothing_starts_until_the_first_run_and_it_starts_once() -> None:
    events: list[str] = []
    pool = LazyPool(_opener(events))
    assert events == [] and not pool.started()
    assert pool.run(lambda shared, item: shared + item, 10, [1, 2]) == [11, 12]
    assert pool.run(lambda shared, item: item, None, [3]) == [3]
    assert pool.started()
    pool.close()
    assert events == ["start", "run", "run", "stop"]
    assert not pool.started()


def test_a_pool_never_used_is_never_started_nor_stopped() -> None:
    events: list[str] = []
    LazyPool(_opener(events)).close()
    assert events == []
