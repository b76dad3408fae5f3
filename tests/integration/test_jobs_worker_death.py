"""A worker killed in the middle of a training (SIGKILL: no goodbye) never leaves its job
"running": another worker's reaper puts it back in the queue and runs it to the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrepot.bootstrap.app import App
from entrepot.catalog.jobs.records import JobRecord, JobState
from tests.support.csvs import labelled_csv
from tests.support.waiting import wait_for
from tests.support.web import PASSWORD, make_web_app

pytestmark = pytest.mark.slow


def worker_env(folder: Path) -> dict[str, str]:
    """The environment of a worker sharing ``folder``'s store, catalog and queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update(
        {
            "ENTREPOT_STORE_URL": str(folder / "store"),
            "ENTREPOT_DATABASE_URL": f"sqlite:///{folder / 'catalog.db'}",
            "ENTREPOT_CACHE_DIR": str(folder / "cache"),
            "ENTREPOT_SECRET_KEY": "test-secret-key-of-some-length-0123456789",
            "ENTREPOT_VAR_DIR": str(folder / "var"),
            "ENTREPOT_JOBS_URL": f"sqlite:///{folder / 'var' / 'jobs.db'}",
            "ENTREPOT_TRAINING_BUDGET": "3",
            "ENTREPOT_TRAINING_CLOCK": "steps",
            "ENTREPOT_REFERENCE_COUNT": "0",
            "ENTREPOT_JOB_HEARTBEAT_SECONDS": "0.5",
            "ENTREPOT_JOB_STALE_SECONDS": "4",
        }
    )
    return env


def start_worker(folder: Path) -> subprocess.Popen[bytes]:
    with (folder / f"worker-{time.monotonic_ns()}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "entrepot.cli.serve", "worker"],
            cwd=folder,
            env=worker_env(folder),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def job_in(services: App, job_id: str, states: set[JobState]) -> JobRecord:
    """Wait until the job is in one of ``states`` (a hang guard only)."""

    def found() -> JobRecord | None:
        job = services.jobs.get_any(job_id)
        return job if job.state in states else None

    names = " or ".join(sorted(s.value for s in states))
    return wait_for(found, f"job {job_id} {names}")


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_killed_workers_job_is_retried_by_another(
    tmp_path: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    _, services = make_web_app(
        tmp_path, jobs_url=f"sqlite:///{tmp_path / 'var' / 'jobs.db'}", training_budget=3.0
    )
    user = services.accounts.register("a@example.com", PASSWORD)
    with services.fraud().datasets.spool(user.id) as spool:
        spool.write(labelled_csv(3000))
        dataset = services.fraud().datasets.create(user.id, "cards.csv", spool)
    job = services.fraud().training.submit(user.id, dataset.id, "survivor")

    first = start_worker(tmp_path)
    workers.append(first)
    running = job_in(services, job.id, {JobState.RUNNING})
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    time.sleep(1)
    assert services.jobs.get_any(job.id).state is JobState.RUNNING  # nobody told the catalog

    second = start_worker(tmp_path)
    workers.append(second)
    done = job_in(services, job.id, {JobState.SUCCEEDED, JobState.FAILED})
    assert done.state is JobState.SUCCEEDED, done.error
    assert done.attempts == 2 and done.worker != running.worker
    assert services.fraud().models.list(user.id)[0].name == "survivor"
