"""What work spread over workers runs on: a :class:`Pool` runs one task for each item.

The composition root opens the concrete one (``bootstrap/cluster.py``'s ``DaskPool``: the
scheduler the ``dask_url`` setting names, or a local cluster); the engines and services
that spread their work (a scored file's parts, a city backfill's units, a model search's
trials) take it as this protocol, and run in process when they are given none."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol, TypeVar, overload, runtime_checkable

T = TypeVar("T")


class Pool(Protocol):
    """Workers that run ``task(shared, item)`` for each item, ``shared`` sent once to each;
    the results in the items' order."""

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        """Each item's result; a worker lost on the way has its task run again."""
        ...


#: What a pool hands each result to as it is back: ``each(number, result)``.
Each = Callable[[int, Any], None]


@runtime_checkable
class HandingPool(Pool, Protocol):
    """A pool that hands each result over as soon as it is back, holding none of them: a
    caller that writes each part's result to its place holds one part's, not all of them
    (a scoring's merged scores, a counterparty cut's routed features)."""

    def run_each(
        self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any], each: Each
    ) -> None:
        """``each(i, result)`` for each item ``i``'s result, in the order they are done;
        a worker lost on the way has its task run again."""
        ...


def run_each(
    pool: Pool, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any], each: Each
) -> None:
    """``each(i, task(shared, items[i]))`` for every item: as each is done on a
    :class:`HandingPool`; on any other pool once all are, in the items' order."""
    if isinstance(pool, HandingPool):
        pool.run_each(task, shared, items, each)
        return
    found = pool.run(task, shared, items)
    for number in range(len(found)):
        result, found[number] = found[number], None  # each let go once handed over
        each(number, result)


@runtime_checkable
class WaitingPool(Pool, Protocol):
    """A pool that also runs items that wait for others: each item as soon as the items it
    waits for are done (a city backfill's report of a day once that day's metrics are)."""

    def run_after(
        self,
        task: Callable[[Any, Any], Any],
        shared: Any,
        items: Sequence[Any],
        after: Sequence[Sequence[int]],
        on_done: Callable[[int], None] | None = None,
    ) -> list[Any]:
        """Each item's result, in the items' order; item ``i`` runs once the items
        ``after[i]`` (each before it in ``items``) are done; ``on_done(count)`` as each
        item finishes."""
        ...


@runtime_checkable
class ClusterPool(Pool, Protocol):
    """A pool over a Dask cluster, for a library that spreads one fit over the workers
    itself (``lightgbm.dask``'s data-parallel boosting, ADR 0118): its client, and arrays
    dealt into blocks held by the workers."""

    @property
    def client(self) -> Any:
        """The cluster's ``distributed.Client``."""
        ...

    def blocks(self, *arrays: Any) -> tuple[Any, ...]:
        """Each array (the same rows) as a Dask array of one block of rows a worker, the rows
        dealt in turn (worker ``i`` holds rows ``i, i + n, …``), held on the workers."""
        ...

    def workers(self) -> int:
        """How many workers the cluster has now."""
        ...


def run_here(task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
    """``task(shared, item)`` for each item, one after the other, in this process."""
    return [task(shared, item) for item in items]


class Here:
    """The pool of this process: each item's task run in turn (:func:`run_here`)."""

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        """Each item's result, the items read one at a time."""
        return run_here(task, shared, items)

    def run_each(
        self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any], each: Each
    ) -> None:
        """Each item's result handed to ``each`` as soon as it is made: one item and one
        result held at a time (:class:`HandingPool`)."""
        for number in range(len(items)):
            each(number, task(shared, items[number]))


class OnDemand(Sequence[T]):
    """``count`` items, item ``i`` made by ``make(i)`` each time it is read: a pool in
    process holds one at a time, never the list of all of them."""

    def __init__(self, count: int, make: Callable[[int], T]) -> None:
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self._make(index % self._count)


def run_waiting(
    pool: Pool,
    task: Callable[[Any, Any], Any],
    shared: Any,
    items: Sequence[Any],
    after: Sequence[Sequence[int]],
    on_done: Callable[[int], None] | None = None,
) -> list[Any]:
    """``task(shared, item)`` for each item, item ``i`` after the items ``after[i]``: as
    soon as they are done on a :class:`WaitingPool`; on any other pool, in waves (each
    wave the items whose waits the waves before it hold), ``on_done`` told per wave."""
    if isinstance(pool, WaitingPool):
        return pool.run_after(task, shared, items, after, on_done)
    found: dict[int, Any] = {}
    while len(found) < len(items):
        wave = [i for i in range(len(items)) if i not in found and set(after[i]) <= set(found)]
        if not wave:  # a wait on itself, on a later wait, or on no item: never met
            raise ValueError(f"items {sorted(set(range(len(items))) - set(found))} wait forever")
        found.update(zip(wave, pool.run(task, shared, [items[i] for i in wave]), strict=True))
        if on_done is not None:
            on_done(len(found))
    return [found[i] for i in range(len(items))]


#: Opens the pool a piece of work runs on, for as long as it runs (``None``: in process).
PoolOpener = Callable[[], AbstractContextManager[Pool | None]]


def no_pool() -> AbstractContextManager[Pool | None]:
    """No pool: the work runs in this process (``run_here``)."""
    return nullcontext(None)
