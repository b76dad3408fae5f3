"""A standing cluster shaped as the compose file's (ADR 0109): a scheduler and two ``dask
worker --no-nanny`` processes with the product's preload. A worker killed in the middle of
a part, with no nanny to start it again, changes no byte: the scheduler runs its part on
the other worker."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrepot.bootstrap.cluster import dask_pool
from entrepot.fraud_service.pipeline.partitioned import Spread
from tests.support.dask import KillingOnce
from tests.support.spread_scoring import scored, trained_folder

pytestmark = [pytest.mark.dask, pytest.mark.slow]

DASK = str(Path(sys.executable).with_name("dask"))
ROOT = Path(__file__).resolve().parents[2]
#: The compose file's worker options (its command less the scheduler and folder).
WORKER = ["--nthreads", "1", "--preload", "entrepot.bootstrap.memory_policy", "--no-nanny"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated file and a model trained on it, signed with this module's user key."""
    return trained_folder(tmp_path_factory.mktemp("standing"), seed=2)


@pytest.fixture
def standing(tmp_path: Path) -> Iterator[str]:
    """The scheduler's address (a port the system picks), its two workers connected."""
    file = tmp_path / "scheduler.json"
    # the workers import this test's task wrapper (``tests.support.dask``) as they would
    # the product: from the repository's root
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}

    def start(command: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    scheduler = [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    started = [start([*scheduler, "--scheduler-file", str(file)])]
    try:
        deadline = time.monotonic() + 60
        while not (file.exists() and file.read_text().strip()):
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        worker = [DASK, "worker", address, "--host", "127.0.0.1", "--no-dashboard", *WORKER]
        started += [start(worker) for _ in range(2)]
        yield address
    finally:
        for process in started:
            process.kill()
            process.wait(timeout=30)


def test_a_worker_without_a_nanny_killed_mid_task_changes_no_byte(
    folder: Path, standing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "user-data"))
    assert scored(folder, tmp_path / "alone.csv", Spread())["spread"] is False
    marker = tmp_path / "killed"
    with dask_pool(standing, 2) as pool:
        assert pool is not None
        deadline = time.monotonic() + 60
        while pool.workers() < 2:
            assert time.monotonic() < deadline, "the workers did not join"
            time.sleep(0.2)
        facts = scored(folder, tmp_path / "killed.csv", Spread(KillingOnce(pool, marker), 4))
        assert facts["spread"] is True
        assert pool.workers() == 1  # no nanny started it again
    assert marker.exists()  # a worker was killed in the middle of a part
    assert _digest(tmp_path / "killed.csv") == _digest(tmp_path / "alone.csv")
