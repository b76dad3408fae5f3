"""The Dask pool's items that wait for others (issue 40 item 1, the city's reports): each
runs once the items it waits for are done, on a local cluster of two processes; results in
the items' order, ``on_done`` told as each finishes."""

from __future__ import annotations

import gc
import multiprocessing
import os
import subprocess
import sys
import time
from multiprocessing import forkserver
from pathlib import Path

import dask
import numpy as np
import pytest

from entrepot.bootstrap.cluster import FRAUD_TASKS, KEEP_HEAP_KEY, dask_pool
from entrepot.pools import ClusterPool, WaitingPool

pytestmark = [pytest.mark.dask, pytest.mark.slow]


def _mark(folder: Path, item: tuple[str, list[str], float]) -> str:
    """Sleep, check that every item it waits for left its marker, leave its own."""
    name, waits, pause = item
    time.sleep(pause)
    missing = [w for w in waits if not (folder / w).exists()]
    (folder / name).touch()
    return f"{name}:{','.join(missing) or 'ok'}"


def test_an_item_runs_after_the_items_it_waits_for(tmp_path: Path) -> None:
    # the slow units come first; each report waits for its own day's units alone
    items = [
        ("a1", [], 0.6),
        ("a2", [], 0.0),
        ("b1", [], 0.0),
        ("b2", [], 0.3),
        ("r1", ["a1", "b1"], 0.0),
        ("r2", ["a2", "b2"], 0.0),
    ]
    after = [[], [], [], [], [0, 2], [1, 3]]
    done: list[int] = []
    with dask_pool(None, 2) as pool:
        assert isinstance(pool, WaitingPool)
        found = pool.run_after(_mark, tmp_path, items, after, on_done=done.append)
    assert found == ["a1:ok", "a2:ok", "b1:ok", "b2:ok", "r1:ok", "r2:ok"]
    assert done == [1, 2, 3, 4, 5, 6]


def _finish(folder: Path, item: int) -> int:
    """Leave the item's marker once done."""
    (folder / f"done-{item}").touch()
    return item * item


def test_a_pool_holds_a_few_items_at_a_time_and_keeps_their_order(tmp_path: Path) -> None:
    """Regression (ADR 0111: a 5M-row scoring over two workers peaked at 8.3 GB, every
    part submitted at once): an item is read from the sequence only once all but
    ``IN_FLIGHT`` per worker of those before it are done; the results in the items' order."""
    from entrepot.bootstrap.cluster import IN_FLIGHT
    from entrepot.pools import OnDemand

    count = 12
    done_when_made: list[int] = []

    def make(i: int) -> int:
        done_when_made.append(len(list(tmp_path.glob("done-*"))))
        return i

    with dask_pool(None, 2) as pool:
        assert pool is not None
        window = IN_FLIGHT * pool.workers()
        found = pool.run(_finish, tmp_path, OnDemand(count, make))
    assert found == [i * i for i in range(count)]
    assert len(done_when_made) == count and window < count
    assert all(done >= i - window + 1 for i, done in enumerate(done_when_made) if i >= window)


def test_each_result_is_handed_over_as_it_is_back_and_held_by_no_one_after(
    tmp_path: Path,
) -> None:
    """Issue 40 item 3 (ADR 0125): ``run_each`` hands each result over as soon as it is
    back, whatever order the items finish in, and keeps none: the pool holds a few items
    and a result at a time."""
    from entrepot.pools import HandingPool, OnDemand, run_each

    count = 8
    handed: list[tuple[int, int, int]] = []  # (item, result, items made by then)
    made: list[int] = []

    def make(i: int) -> tuple[str, list[str], float]:
        made.append(i)
        return (f"i{i}", [], 0.4 if i == 0 else 0.0)  # the first item finishes late

    def each(number: int, result: str) -> None:
        handed.append((number, int(result.split(":")[0][1:]), len(made)))

    with dask_pool(None, 2) as pool:
        assert isinstance(pool, HandingPool)
        run_each(pool, _mark, tmp_path, OnDemand(count, make), each)
    assert sorted(number for number, _, _ in handed) == list(range(count))
    assert all(number == found for number, found, _ in handed)
    # the slow first item is handed over after later ones, and the first items handed
    # over came before every item was made
    assert [number for number, _, _ in handed].index(0) > 0
    assert handed[0][2] < count


def _times(shared: dict[str, int], item: int) -> int:
    return shared["k"] * item


def test_a_shared_input_lost_between_tasks_is_sent_again() -> None:
    """Regression (the standing workers' kill test, under load): a scheduler's active
    memory manager keeps one copy of what was sent to every worker; that copy lost with
    its worker, the next task submitted was cancelled ("already forgotten") and the run
    failed as if the scheduler had gone. The input is now sent again and the item rerun."""
    shared = {"k": 3}
    with dask_pool(None, 2) as pool:
        assert pool is not None
        assert pool.run(_times, shared, [1, 2]) == [3, 6]
        client, lost = pool._client, pool._shared
        assert lost is not None and lost[0] is shared
        client.cancel([lost[1]], force=True)  # every copy of the sent input gone
        assert pool.run(_times, shared, [1, 2, 3, 4, 5, 6]) == [3, 6, 9, 12, 15, 18]
        assert pool._shared is not None and pool._shared[1] is not lost[1]


def _holders(shared: object, item: int) -> int:
    return item


def test_a_local_cluster_starts_with_every_worker_and_the_shared_input_on_each() -> None:
    """Regression: the pool was handed out before every worker had registered, so the
    input sent to all of them landed on the first alone; a task that killed that worker
    lost the only copy, and the search failed ("already forgotten") instead of running
    again on the other worker. And Dask's active memory manager dropped all copies but one
    within seconds of the tasks reading them: the local cluster runs without it."""
    with dask_pool(None, 2) as pool:
        assert pool is not None
        assert pool.workers() == 2
        shared = list(range(1000))
        assert pool.run(_holders, shared, [1, 2]) == [1, 2]
        sent = pool._sent(shared)  # the same object: the future the run used
        time.sleep(3)  # beyond Dask's memory manager's 2 s round, which dropped copies
        holders = pool._client.who_has([sent])[sent.key]
        assert len(holders) == 2, holders


def _server_pid() -> int | None:
    """The running fork server's process id (the standard library's own record)."""
    pid: int | None = getattr(forkserver._forkserver, "_forkserver_pid", None)
    return pid


def _origin(shared: object, item: int) -> tuple[int, bool]:
    import os
    import sys

    return os.getppid(), "entrepot.fraud.score.counterparty_cut" in sys.modules


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here"
)
def test_the_workers_start_from_one_fork_server_that_goes_with_the_cluster() -> None:
    """ADR 0105: a local cluster's workers are forked from a server that imported the
    product once (each spawned worker imported it itself, about 1.8 CPU-s); the server is
    stopped, and so waited for, with the cluster: nothing left running, its CPU counted
    as this process's children's."""
    with dask_pool(None, 2, FRAUD_TASKS) as pool:
        assert pool is not None
        server = _server_pid()
        found = pool.run(_origin, None, [1, 2])
        assert server is not None and server != os.getpid()
        assert {parent for parent, _ in found} == {server}
        assert all(loaded for _, loaded in found)  # imported before the task ran
    assert _server_pid() is None
    with pytest.raises(ProcessLookupError):
        os.kill(server, 0)


#: The nested pools of the regression below, in a process of their own: the bug hung.
_NESTED = """
from entrepot.bootstrap.cluster import dask_pool
from tests.integration.test_dask_pool import _holders, _origin, _server_pid

with dask_pool(None, 2) as outer:
    server = _server_pid()
    with dask_pool(None, 2) as inner:
        assert inner.run(_holders, None, [3]) == [3]
    assert _server_pid() == server
    assert outer.run(_origin, None, [1, 2])[0][0] == server
assert _server_pid() is None
print("ok")
"""


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here"
)
def test_a_pool_opened_within_another_leaves_it_its_fork_server() -> None:
    """Regression: a pool opened while another ran in the same process stopped the fork
    server the other's cluster still used, and the next run hung (run in a process of its
    own, so that a hang fails the test instead of the suite)."""
    done = subprocess.run(
        [sys.executable, "-c", _NESTED], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def _environ(shared: object, name: str) -> str | None:
    return os.environ.get(name)


def test_local_workers_keep_the_system_allocator_trimming() -> None:
    """Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``: freed memory given
    back at once and faulted in again (system time the in-process run never pays). The
    local cluster's workers start without it, and still with one thread for NumPy's
    libraries, as Dask sets."""
    with dask_pool(None, 2) as pool:
        assert pool is not None
        trim, threads = pool.run(_environ, None, ["MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS"])
    assert trim is None
    assert threads == "1"


def _memory_policy(shared: object, item: object) -> tuple[tuple[int, int, int], bool | None]:
    from entrepot.bootstrap.memory_policy import huge_pages_disabled

    return gc.get_threshold(), huge_pages_disabled()


def test_local_workers_run_under_the_commands_memory_policy() -> None:
    """ADR 0108: each worker of a local cluster collects after 10,000 new objects, not
    Python's 700, and (on Linux) without transparent huge pages, as the command does,
    unless the system gives them only on request: the worker then takes those NumPy asks
    for (ADR 0120); the command's own process is left as it was."""
    from entrepot.bootstrap.memory_policy import GC_THRESHOLDS, huge_pages_on_request

    before = gc.get_threshold()
    with dask_pool(None, 2) as pool:
        assert pool is not None
        answers = pool.run(_memory_policy, None, [1, 2])
    assert [thresholds for thresholds, _ in answers] == [GC_THRESHOLDS, GC_THRESHOLDS]
    if sys.platform.startswith("linux"):
        off = not huge_pages_on_request()
        assert [disabled for _, disabled in answers] == [off, off]
    assert gc.get_threshold() == before


def _keeps_heap(shared: object, item: object) -> bool:
    from entrepot.bootstrap.memory_policy import keeps_heap

    return keeps_heap()


@pytest.mark.parametrize("command_keeps_it", [True, False])
def test_local_workers_keep_their_heap_where_the_command_keeps_its_own(
    monkeypatch: pytest.MonkeyPatch, command_keeps_it: bool
) -> None:
    """ADR 0135: a scoring command keeps its heap (ADR 0113), and its local cluster's
    workers, which live as long as it does, keep theirs: each part's arrays are made again
    where the last part's were, not faulted in afresh. A training's workers keep glibc's
    defaults, as the training does."""
    from entrepot.bootstrap import memory_policy

    monkeypatch.setattr(memory_policy, "keeps_heap", lambda: command_keeps_it)
    with dask_pool(None, 2) as pool:
        assert pool is not None
        answers = pool.run(_keeps_heap, None, [1, 2])
    assert answers == [command_keeps_it, command_keeps_it]
    assert dask.config.get(KEEP_HEAP_KEY, default=None) is None  # the pool's alone


def test_arrays_are_dealt_to_the_workers_one_block_each() -> None:
    """``DaskPool.blocks`` (ADR 0118): worker ``i`` (their addresses in order) holds rows
    ``i, i + n, …`` of every array, the same rows of each, never the scheduler."""
    x = np.arange(3_001 * 3, dtype=float).reshape(3_001, 3)
    y = np.arange(3_001) % 7
    with dask_pool(None, 2) as pool:
        assert isinstance(pool, ClusterPool)
        dx, dy = pool.blocks(x, y)
        workers = sorted(pool.client.scheduler_info()["workers"])
        assert dx.numblocks == (2, 1) and dy.numblocks == (2,)
        for i in range(2):
            np.testing.assert_array_equal(dx.blocks[i].compute(), x[i::2])
            np.testing.assert_array_equal(dy.blocks[i].compute(), y[i::2])
        held = pool.client.who_has()
        keys = [key for key in held if str(key).startswith("ndarray-")]
        assert len(keys) == 4  # two blocks of each array, sent straight to the workers
        assert sorted(held[key][0] for key in keys) == sorted(workers * 2)


def _gone(folder: Path, item: int) -> int:
    """A task whose own file is gone: its ``OSError`` raised on the worker."""
    if item == 1:
        (folder / "never-written").read_bytes()
    return item


def test_the_works_own_os_errors_are_never_said_to_be_a_scheduler_gone(tmp_path: Path) -> None:
    """A full disk while a result is handed over, a spilled part unreadable while an item
    is made, a file gone in the task on a worker: each ``OSError`` is raised as it was,
    not as :class:`SchedulerUnavailable` (a lost scheduler's comm errors are
    ``OSError`` too, and the run read every one of them so)."""
    from entrepot.errors import SchedulerUnavailable
    from entrepot.pools import OnDemand, run_each

    def full(number: int, result: int) -> None:
        if number == 2:
            raise OSError(28, "No space left on device")

    def unreadable(number: int) -> int:
        if number == 3:
            raise OSError("a spilled part read after its file was closed")
        return number

    with dask_pool(None, 2) as pool:
        assert pool is not None
        with pytest.raises(OSError, match="No space left") as handed:
            run_each(pool, _gone_not, tmp_path, list(range(4)), full)
        with pytest.raises(OSError, match="spilled part") as made:
            run_each(pool, _gone_not, tmp_path, OnDemand(5, unreadable), lambda i, r: None)
        with pytest.raises(FileNotFoundError) as task:
            run_each(pool, _gone, tmp_path, list(range(3)), lambda i, r: None)
        with pytest.raises(OSError, match="No space left") as told:
            pool.run_after(_gone_not, tmp_path, [0, 1], [[], [0]], lambda done: full(2, done))
        # the pool still serves: nothing was taken for a lost scheduler
        assert pool.run(_gone_not, tmp_path, [4, 5]) == [4, 5]
    for raised in (handed, made, task, told):
        assert not isinstance(raised.value, SchedulerUnavailable)


def _gone_not(folder: Path, item: int) -> int:
    return item
