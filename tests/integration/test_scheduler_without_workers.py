"""A scheduler that has no worker (``ENTREPOT_DASK_URL`` set, no ``dask worker`` started)
is said as such, with its message key, once its first worker's wait is over: not "cannot be
reached" after the work's first send gave up (regression). The wait is shortened here; a
command waits :data:`~entrepot.bootstrap.worker_count.FIRST_WORKER_TIMEOUT`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrepot.bootstrap import cluster, worker_count
from entrepot.errors import SchedulerUnavailable

pytestmark = [pytest.mark.dask]

DASK = str(Path(sys.executable).with_name("dask"))


@pytest.fixture
def lonely(tmp_path: Path) -> Iterator[str]:
    """A scheduler's address (a port the system picks) with no worker."""
    file = tmp_path / "scheduler.json"
    command = [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    process = subprocess.Popen(
        [*command, "--scheduler-file", str(file)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (file.exists() and file.read_text().strip()):
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        yield json.loads(file.read_text())["address"]
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.parametrize("opened", ["command", "job"])
def test_a_scheduler_without_workers_is_said_so(
    lonely: str, monkeypatch: pytest.MonkeyPatch, opened: str
) -> None:
    monkeypatch.setattr(worker_count, "FIRST_WORKER_TIMEOUT", 1.0)
    pool = cluster.dask_pool(lonely, 2) if opened == "command" else cluster.scheduler_pool(lonely)
    with pytest.raises(SchedulerUnavailable) as refused, pool:
        pytest.fail("the pool opened on a scheduler without workers")
    said = refused.value.said
    assert said is not None and said.key == "error.dask.no_workers"
    assert said.params == {"address": lonely}
    assert "has no workers" in str(refused.value) and "dask worker" in str(refused.value)
