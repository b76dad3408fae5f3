"""The workers a command spreads its work over (ADR 0086): the Dask scheduler the
``dask_url`` setting names, else a local cluster of ``--workers N`` processes on
127.0.0.1 (ports chosen by the system, no dashboard), else none: in process, as ever.

``dask`` and ``distributed`` are imported here alone, and only when a pool is opened.
A scheduler that cannot be reached, or that goes away while it runs the work, is a
:class:`~entrepot.errors.SchedulerUnavailable` with its message key: the caller has
written nothing yet (the scores are written, atomically, once all are back)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from entrepot.bootstrap.fork_server import fork_server, start_method
from entrepot.bootstrap.own_failures import OwnFailure, own
from entrepot.bootstrap.worker_count import MAX_WORKERS, ensure_workers, too_many_workers
from entrepot.errors import EntrepotError, SchedulerUnavailable
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from distributed import Client

    from entrepot.fraud_service.pipeline.partitioned import Spread
    from entrepot.pools import Each

#: Seconds a scheduler has to answer a connection.
CONNECT_TIMEOUT = 5.0
#: Seconds a local cluster's worker processes have to start and register (a hang guard:
#: they import the product, a few seconds on a loaded machine).
WORKERS_TIMEOUT = 120.0
#: The fraud tasks' modules (scoring's parts, the model search's trials) and the engines
#: they load: what a local cluster's workers for the fraud commands are forked with.
FRAUD_TASKS = (
    "entrepot.fraud_service.pipeline.partitioned",
    "entrepot.fraud.score.counterparty_cut",
    "entrepot.fraud.train.search",
)
#: The Dask configuration key by which a command that keeps its heap tells the workers of
#: its own local cluster to keep theirs (read by :func:`dask_setup`, ADR 0135).
KEEP_HEAP_KEY = "entrepot.worker.keep-heap"
#: Items submitted at a time for each worker by :meth:`DaskPool.run`: one running, one
#: waiting to start as soon as it is done (ADR 0111).
IN_FLIGHT = 2
#: Why ``distributed`` cancels a future whose scheduler went away.
_SCHEDULER_GONE = ("scheduler-connection-lost", "scheduler-restart")
#: What a lost scheduler raises under ``distributed`` (its comm errors are ``OSError``s).
_LOST = (OSError, TimeoutError, CancelledError)


class DaskPool:
    """A :class:`~entrepot.fraud_service.pipeline.partitioned.Pool` over a Dask client."""

    def __init__(self, client: Client, address: str) -> None:
        self._client = client
        self.address = address
        # the last ``shared`` sent, and its future on the workers: a model search's rounds
        # send the same arrays, sent once for all of them
        self._shared: tuple[Any, Any] | None = None

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        """``task(shared, item)`` for each item over the workers (:meth:`run_each`), the
        results in the items' order."""
        found: dict[int, Any] = {}
        self.run_each(task, shared, items, found.__setitem__)
        return [found[i] for i in range(len(items))]

    def run_each(
        self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any], each: Each
    ) -> None:
        """``each(i, task(shared, items[i]))`` for each item over the workers (``shared``
        sent once to each), each result handed over as it is back and then let go
        (:class:`~entrepot.pools.HandingPool`); a worker lost mid-task has its task run
        again on another (Dask's own retry); the scheduler lost:
        :class:`SchedulerUnavailable`.

        At most :data:`IN_FLIGHT` items a worker are submitted at a time, the next read
        from ``items`` as one is done (ADR 0111): the caller, the scheduler and the workers
        hold a few items, not all of them (items made on demand are made then)."""
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        client = self._client
        try:
            sent = self._sent(shared)
            window = IN_FLIGHT * max(self.workers(), 1)
            running = as_completed(loop=client.loop)
            place: dict[Any, tuple[int, Any]] = {}  # a future's key -> its item, its input
            resent = 0
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Large object", UserWarning)
                warnings.filterwarnings("ignore", "Sending large graph", UserWarning)

                def submit(i: int) -> None:
                    item = own(items.__getitem__, i)
                    future = client.submit(_after, task, sent, item, pure=False)
                    place[future.key] = (i, sent)
                    running.add(future)

                following = min(window, len(items))
                for i in range(following):
                    submit(i)
                for future in running:
                    i, read = place.pop(future.key)
                    try:
                        result = future.result()
                    except (FutureCancelledError, *_LOST) as exc:
                        if future.status == "error":  # the task's own (a file gone), not lost
                            raise OwnFailure(exc) from exc
                        if not isinstance(exc, FutureCancelledError):
                            raise
                        # the shared input's last copy went with a worker (a scheduler's
                        # active memory manager keeps one copy between tasks): sent again
                        # once, and the item run again; a scheduler lost is not this
                        if exc.reason in _SCHEDULER_GONE or resent > len(items):
                            raise
                        resent += 1
                        if read is sent:
                            self._shared = None
                            sent = self._sent(shared)
                        submit(i)
                        continue
                    future.release()
                    if following < len(items):  # the next one runs while this one is handed
                        submit(following)
                        following += 1
                    own(each, i, result)
                    del result
        except OwnFailure as failure:  # the work's own (a full disk), not the scheduler's
            raise failure.error from failure.error.__cause__
        except _LOST as exc:
            if isinstance(exc, EntrepotError):  # a task's own refusal, raised again here
                raise
            raise unavailable(self.address, exc) from exc

    def run_after(
        self,
        task: Callable[[Any, Any], Any],
        shared: Any,
        items: Sequence[Any],
        after: Sequence[Sequence[int]],
        on_done: Callable[[int], None] | None = None,
    ) -> list[Any]:
        """As :meth:`run`, item ``i`` once the items ``after[i]`` are done (the scheduler
        starts it then, on whichever worker is free); ``on_done(count)`` as each finishes."""
        from distributed import as_completed

        client = self._client
        try:
            sent = self._sent(shared)
            futures: list[Any] = []
            with warnings.catch_warnings():
                # each item travels in its task, not scattered: a task whose worker is lost
                # runs again elsewhere only if the scheduler still holds its input
                warnings.filterwarnings("ignore", "Large object", UserWarning)
                warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
                for item, waits in zip(items, after, strict=True):
                    waited = [futures[j] for j in waits]
                    futures.append(client.submit(_after, task, sent, item, *waited, pure=False))
            if on_done is not None:
                for done, _ in enumerate(as_completed(futures), start=1):
                    own(on_done, done)
            found: list[Any] = client.gather(futures)
        except OwnFailure as failure:  # the work's own, not the scheduler's
            raise failure.error from failure.error.__cause__
        except _LOST as exc:
            if isinstance(exc, EntrepotError):  # a task's own refusal, raised again here
                raise
            raise unavailable(self.address, exc) from exc
        return found

    def workers(self) -> int:
        """How many workers the scheduler has now."""
        return len(self._client.nthreads())

    @property
    def client(self) -> Client:
        """The cluster's client (:class:`~entrepot.pools.ClusterPool`)."""
        return self._client

    def blocks(self, *arrays: Any) -> tuple[Any, ...]:
        """Each array as a Dask array of one block of rows a worker, held on the workers
        (:class:`~entrepot.pools.ClusterPool`): the ``i``-th worker (their addresses in
        order) holds rows ``i``, ``i + n``, ``i + 2n``… of every array, sent straight to
        it, never through the scheduler's graph. Dealt, not cut: each block spans the
        whole table (a time-ordered table's every period), as the rows a data-parallel
        fit bins on each worker should. The scheduler lost: :class:`SchedulerUnavailable`."""
        import dask.array as da

        try:
            workers = sorted(self._client.scheduler_info()["workers"])
            count = min(len(workers), len(arrays[0]) if arrays else 0)
            held = []
            for array in arrays:
                parts = []
                for place in range(count):
                    piece = array[place::count]
                    [sent] = self._client.scatter([piece], workers=[workers[place]], hash=False)
                    parts.append(da.from_delayed(sent, shape=piece.shape, dtype=piece.dtype))  # type: ignore[no-untyped-call]
                held.append(da.concatenate(parts))  # type: ignore[no-untyped-call]
        except _LOST as exc:
            raise unavailable(self.address, exc) from exc
        return tuple(held)

    def _sent(self, shared: Any) -> Any:
        """``shared`` on every worker: sent now, or the future of the same object sent for
        an earlier run (kept, with the object, until another is sent)."""
        if self._shared is not None and self._shared[0] is shared:
            return self._shared[1]
        self._shared = None  # the earlier one released before the next is sent
        [sent] = self._client.scatter([shared], broadcast=True, hash=False)
        self._shared = (shared, sent)
        return sent


def _after(task: Callable[[Any, Any], Any], shared: Any, item: Any, *_waited: Any) -> Any:
    """``task(shared, item)``, once the results it was made to wait for are in."""
    return task(shared, item)


def unavailable(address: str, exc: BaseException) -> SchedulerUnavailable:
    """The refusal for a scheduler not reached, or lost, at ``address``."""
    return SchedulerUnavailable(
        f"the Dask scheduler at {address} cannot be reached ({type(exc).__name__})",
        said=Message(N_("error.dask.unavailable"), {"address": address}),
    )


@contextmanager
def dask_pool(
    url: str | None, workers: int, preload: Sequence[str] = ()
) -> Iterator[DaskPool | None]:
    """The pool a command asked for ``workers`` workers (at most ``MAX_WORKERS``) runs on:
    none (in process) for one, else the scheduler at ``url``, else a local cluster of
    ``workers`` processes, forked where the system can from a server that imported
    ``preload`` once (each spawned worker imported them itself, 1.8 CPU-s, ADR 0105)."""
    if workers > MAX_WORKERS:
        raise too_many_workers(workers)
    if workers <= 1:
        yield None
        return
    from distributed import Client, LocalCluster

    _quiet()
    if url is not None:
        client = connect(url, working=True)
        try:
            yield DaskPool(client, url)
        finally:
            _close(client)
        return
    import dask

    from entrepot.bootstrap import memory_policy

    settings = {
        # what is sent to every worker keeps its copy on each: Dask's active memory
        # manager would otherwise drop all but one within seconds of the tasks reading it,
        # and a worker lost with the last copy fails the tasks of the next round
        "distributed.scheduler.active-memory-manager.start": False,
        # the workers (and any a nanny starts again) forked from a server that imported
        # the tasks' modules once
        "distributed.worker.multiprocessing-method": start_method(),
        # the workers live as long as the command, as an in-process run does, and keep
        # glibc's own trimming: Dask's 64 KiB threshold gives freed memory back at once and
        # faults it in again (about 0.8 CPU-s more system time scoring 1M rows on two)
        "distributed.nanny.pre-spawn-environ": _without_trim(),
        # a scoring command's workers keep their heap as it does, for its time (ADR 0135):
        # a nanny hands its configuration to its worker before the preloads run
        KEEP_HEAP_KEY: memory_policy.keeps_heap(),
        # nobody reads a command's cluster's dashboard: no sampling of each task's stack
        # every 10 ms, no event-loop ticks every 20 ms nor system readings every 0.5 s
        "distributed.worker.profile.enabled": False,
        "distributed.admin.tick.interval": "1s",
        "distributed.admin.system-monitor.interval": "5s",
        # each worker under the command's own memory policy (ADR 0108), its standard
        # output kept out of the command's (ADR 0118)
        "distributed.worker.preload": [
            *_preloads(),
            "entrepot.bootstrap.memory_policy",
            "entrepot.bootstrap.worker_output",
            "entrepot.bootstrap.cluster",  # its dask_setup, after the memory policy's
        ],
    }
    from distributed.utils import get_mp_context

    with dask.config.set(settings), fork_server(get_mp_context(), preload):
        cluster = LocalCluster(
            n_workers=workers,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            # no dashboard; its HTTP server (health, metrics) on a port the system picks,
            # never the fixed 8787 another cluster may hold
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.CRITICAL,
        )
        try:
            client = Client(cluster, timeout=CONNECT_TIMEOUT)
            try:
                # every worker in before the first send: what is sent to all (a search's
                # data) then has a copy on each, and a worker lost mid-task loses none of it
                try:
                    client.wait_for_workers(workers, timeout=WORKERS_TIMEOUT)
                except _LOST as exc:
                    raise unavailable(str(cluster.scheduler_address), exc) from exc
                yield DaskPool(client, str(cluster.scheduler_address))
            finally:
                _close(client)
        finally:
            cluster.close()  # its own processes: waited for, however long they take to go


def dask_setup(worker: Any) -> None:
    """Dask's preload hook, in a local cluster's worker: it keeps its heap where the
    command that started the cluster keeps its own (:data:`KEEP_HEAP_KEY`, ADR 0135)."""
    import dask

    from entrepot.bootstrap import memory_policy

    if dask.config.get(KEEP_HEAP_KEY, default=False) is True:
        memory_policy.keep_the_heap()


def _without_trim() -> dict[str, Any]:
    """Dask's variables for a worker's start, less ``MALLOC_TRIM_THRESHOLD_``."""
    import dask

    environ = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    return {name: value for name, value in environ.items() if name != "MALLOC_TRIM_THRESHOLD_"}


def _preloads() -> list[str]:
    """The workers' preloads Dask's configuration names already."""
    import dask

    return list(dask.config.get("distributed.worker.preload", default=[]) or [])


def _quiet() -> None:
    """The scheduler's and workers' news (tracebacks too) stay out of a command's output."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def _close(client: Client) -> None:
    """Close a client within :data:`CONNECT_TIMEOUT` (not the library's half minute)."""
    with suppress(*_LOST, RuntimeError):
        client.close(timeout=CONNECT_TIMEOUT)


@contextmanager
def scheduler_pool(url: str | None) -> Iterator[DaskPool | None]:
    """What a job's trials run on: the scheduler's workers at ``url``, or none (unset)."""
    if url is None:
        yield None
        return
    _quiet()
    client = connect(url, working=True)
    try:
        yield DaskPool(client, url)
    finally:
        _close(client)


@contextmanager
def scheduler_spread(url: str | None) -> Iterator[Spread]:
    """What a job's work runs on: over every worker of the scheduler at ``url``, in as
    many parts; in process (``Spread()``) when no scheduler is set."""
    from entrepot.fraud_service.pipeline.partitioned import Spread

    with scheduler_pool(url) as pool:
        if pool is None:
            yield Spread()
        else:
            yield Spread(pool, max(pool.workers(), 1))


def connect(url: str, *, working: bool = False) -> Client:
    """A client of the scheduler at ``url`` (``working``: with a worker at least), or
    :class:`SchedulerUnavailable` (out of reach, or without workers)."""
    from distributed import Client

    try:
        client = Client(url, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except _LOST as exc:
        raise unavailable(url, exc) from exc
    try:
        if working:
            ensure_workers(client, url)
    except BaseException as exc:
        _close(client)
        if isinstance(exc, _LOST) and not isinstance(exc, SchedulerUnavailable):
            raise unavailable(url, exc) from exc
        raise
    return client
