"""``entrepot serve`` never runs a job in its web process (issue 42 item 1, ADR 0073): the
training runs in the job worker, a child process (its memory grows there, the web's peak
stays), while ``/health/live`` keeps answering;
the worker is started again if it dies, and stops with ``serve``."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.support.csvs import labelled_csv
from tests.support.processes import Server, api_token, children, instance_env, run
from tests.support.waiting import HANG_GUARD, wait_for

pytestmark = pytest.mark.slow

#: Seconds a liveness probe may take: far above an answer's milliseconds, far below the
#: training's duration (the web process that ran the job stopped answering altogether).
PROBE = 10.0


def _job(folder: Path, job_id: str) -> tuple[str, str | None]:
    """The job's state and the worker (``host:pid``) the catalog says runs it."""
    with sqlite3.connect(folder / "var" / "entrepot.db") as db:
        state, worker = db.execute(
            "SELECT state, worker FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
    return str(state), worker


def _memory(pid: int, field: str = "VmHWM") -> int:
    """The process's peak (``VmHWM``) or current (``VmRSS``) resident memory, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for process {pid}")


def test_a_training_runs_in_the_worker_process_and_the_web_stays_live(tmp_path: Path) -> None:
    # a step clock: the training's length is the same on any load, long enough to probe
    env = instance_env(tmp_path, training_budget="15")
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    headers = api_token(env, tmp_path, "alice@example.com")
    server = Server(env, tmp_path)
    try:
        assert "(worker in process " in server.log.read_text()
        uploaded = httpx.post(
            server.url + "/api/upload",
            headers=headers,
            files={"file": ("alice.csv", labelled_csv(8000))},
            timeout=HANG_GUARD,
        )
        assert uploaded.status_code == 201, uploaded.text
        (worker_before,) = children(server.process.pid)
        web_peak, worker_memory = _memory(server.process.pid), _memory(worker_before, "VmRSS")
        job = httpx.post(
            server.url + "/api/train",
            headers=headers,
            json={"dataset_id": uploaded.json()["dataset_id"], "model_name": "m"},
            timeout=HANG_GUARD,
        ).json()["job_id"]
        wait_for(lambda: _job(tmp_path, job)[0] != "queued", "the training starting")
        probes = 0
        while (found := _job(tmp_path, job))[0] == "running":
            live = httpx.get(server.url + "/health/live", timeout=PROBE)
            assert live.status_code == 200
            probes += 1
            worker = found[1]
        assert found[0] == "succeeded", server.log.read_text()[-3000:]
        assert probes >= 3  # the web answered again and again during the training
        pid = int(str(worker).rsplit(":", 1)[1])
        assert pid != server.process.pid and pid in children(server.process.pid)
        # the training's memory is the worker's: the web's peak stayed where it was
        web_growth = _memory(server.process.pid) - web_peak
        worker_growth = _memory(pid) - worker_memory
        assert web_growth < 32 * 1024 and worker_growth > web_growth, (web_growth, worker_growth)
    finally:
        server.stop()
    assert children(server.process.pid) == []


def test_the_worker_is_started_again_if_it_dies_and_stops_with_serve(tmp_path: Path) -> None:
    env = instance_env(tmp_path)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    server = Server(env, tmp_path)
    try:
        first = wait_for(lambda: children(server.process.pid) or None, "the job worker")
        assert len(first) == 1
        os.kill(first[0], signal.SIGKILL)  # as the kernel's out-of-memory killer would
        again = wait_for(
            lambda: [p for p in children(server.process.pid) if p != first[0]] or None,
            "the job worker started again",
        )
        assert len(again) == 1
        assert httpx.get(server.url + "/health/live", timeout=PROBE).status_code == 200
        assert "restarting it" in server.log.read_text()
    finally:
        os.kill(server.process.pid, signal.SIGTERM)  # serve alone, as a service manager does
        server.process.wait(timeout=HANG_GUARD)
    assert children(server.process.pid) == []
    wait_for(lambda: not Path(f"/proc/{again[0]}").exists(), "the worker gone with serve")
