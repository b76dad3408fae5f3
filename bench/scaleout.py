"""Scale-out: job throughput of one and of two ``entrepot worker`` processes on a Redis
queue, and a worker killed mid-run.

Run: ``python -m bench.scaleout [--quick]`` (Redis at ``ENTREPOT_TEST_REDIS_URL`` or
127.0.0.1:6379); writes ``bench/results/scaleout.md``. One ``entrepot serve --no-worker``
takes the jobs over HTTP (SQLite catalog, local store, the Redis queue); a mixed batch of
trainings (fixed search budget) and scorings (of a large unlabelled file) goes to 1 worker,
then the same batch to 2; each time from the first submission to the last job finished.
Then the batch again with 2 workers, one of them killed (``SIGKILL``) while busy: every job
must still finish (the survivor's reaper re-queues the killed worker's job once its
heartbeat is stale).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from bench._servers import entrepot, free_port, serving
from entrepot.fraud.synth.generator import generate

RESULTS = Path(__file__).parent / "results"
REDIS_URL = os.environ.get("ENTREPOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "benchmark passphrase"


def csv_bytes(rows: int, seed: int, *, labelled: bool) -> bytes:
    frame = generate("card_payments", rows, fraud_rate=0.02, seed=seed, variety=False).frame
    if not labelled:
        frame = frame.drop(columns=["is_fraud"])
    return bytes(frame.to_csv(index=False).encode())


class Instance:
    """A web process without a worker, and the worker processes started for a phase."""

    def __init__(self, folder: Path, budget: float) -> None:
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
        self.env.update(
            {
                "ENTREPOT_JOBS_URL": REDIS_URL,
                "ENTREPOT_JOBS_NAME": f"bench-{uuid.uuid4().hex[:8]}",
                "ENTREPOT_TRAINING_BUDGET": str(budget),
                "ENTREPOT_REFERENCE_COUNT": "0",
                "ENTREPOT_JOB_HEARTBEAT_SECONDS": "1",
                "ENTREPOT_JOB_STALE_SECONDS": "6",
            }
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers: list[subprocess.Popen[bytes]] = []

    def cli(self, *args: str, stdin: str = "") -> str:
        return entrepot(self.folder, self.env, *args, stdin=stdin)

    @contextmanager
    def web(self) -> Iterator[None]:
        with serving(self.folder, self.env, self.port, "--no-worker"):
            yield

    @contextmanager
    def running_workers(self, count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
        started = []
        for i in range(count):
            log = (self.folder / f"worker-{len(self.workers) + i}.log").open("wb")
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "entrepot", "worker", "--queue", "fraud"],
                    cwd=self.folder,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            log.close()
        self.workers += started
        try:
            yield started
        finally:
            for process in started:
                if process.poll() is None:
                    process.terminate()
            for process in started:
                try:
                    process.wait(timeout=90)
                except subprocess.TimeoutExpired:
                    process.kill()


def upload(instance: Instance, headers: dict[str, str], name: str, body: bytes) -> str:
    answer = httpx.post(
        instance.url + "/api/upload", headers=headers, files={"file": (name, body)}, timeout=300
    )
    answer.raise_for_status()
    return str(answer.json()["dataset_id"])


def wait_all(
    instance: Instance, headers: dict[str, str], jobs: list[str], limit: float
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + limit
    final: dict[str, dict[str, Any]] = {}
    while len(final) < len(jobs):
        if time.monotonic() > deadline:
            missing = [j for j in jobs if j not in final]
            raise RuntimeError(f"{len(missing)} job(s) never finished: {missing}")
        for job in jobs:
            if job in final:
                continue
            state = httpx.get(f"{instance.url}/api/jobs/{job}", headers=headers, timeout=30).json()
            if state["state"] in ("succeeded", "failed"):
                final[job] = state
        time.sleep(0.3)
    return [final[j] for j in jobs]


def submit_batch(
    instance: Instance,
    headers: dict[str, str],
    train: str,
    score: str,
    model: int,
    mix: tuple[int, int],
) -> list[str]:
    trainings, scorings = mix
    jobs = []
    for i in range(max(trainings, scorings)):
        if i < trainings:
            answer = httpx.post(
                instance.url + "/api/train",
                headers=headers,
                json={"dataset_id": train, "model_name": f"m{uuid.uuid4().hex[:6]}"},
                timeout=30,
            )
            jobs.append(answer.json()["job_id"])
        if i < scorings:
            answer = httpx.post(
                instance.url + "/api/predict",
                headers=headers,
                json={"model_id": model, "dataset_id": score},
                timeout=30,
            )
            jobs.append(answer.json()["job_id"])
    return jobs


def phase(
    instance: Instance,
    headers: dict[str, str],
    workers: int,
    batch: tuple[str, str, int, tuple[int, int]],
    *,
    kill_after: float | None = None,
) -> tuple[float, int, int]:
    """Seconds from the first submission to the last finish, jobs succeeded, jobs in all."""
    with instance.running_workers(workers) as started:
        time.sleep(3)  # the workers connect and import the engine before the clock starts
        began = time.perf_counter()
        jobs = submit_batch(instance, headers, *batch)
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(started[0].pid, signal.SIGKILL)
        done = wait_all(instance, headers, jobs, limit=900)
        elapsed = time.perf_counter() - began
    return elapsed, sum(1 for d in done if d["state"] == "succeeded"), len(jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller batch")
    quick = parser.parse_args().quick
    budget = 3.0 if quick else 5.0
    mix = (2, 4) if quick else (4, 8)
    score_rows = 50_000 if quick else 200_000
    with tempfile.TemporaryDirectory(prefix="entrepot-bench-scaleout-") as tmp:
        instance = Instance(Path(tmp), budget)
        instance.cli("db", "upgrade")
        instance.cli("users", "create", "bench@example.com", "--password-stdin", stdin=PASSWORD)
        instance.cli("users", "licence", "bench@example.com", "--plan", "enterprise")
        token = instance.cli("users", "token", "bench@example.com").strip()
        headers = {"Authorization": f"Bearer {token}"}
        with instance.web():
            train = upload(instance, headers, "train.csv", csv_bytes(20_000, 1, labelled=True))
            score = upload(instance, headers, "new.csv", csv_bytes(score_rows, 2, labelled=False))
            with instance.running_workers(1):
                first = httpx.post(
                    instance.url + "/api/train",
                    headers=headers,
                    json={"dataset_id": train, "model_name": "base"},
                    timeout=30,
                ).json()["job_id"]
                base = wait_all(instance, headers, [first], limit=300)[0]
            model = int(base["result"]["model_id"])
            batch = (train, score, model, mix)
            one = phase(instance, headers, 1, batch)
            two = phase(instance, headers, 2, batch)
            one_again = phase(instance, headers, 1, batch)
            killed = phase(instance, headers, 2, batch, kill_after=budget + 1)
            load = os.getloadavg()[0]
    single = (one[0] + one_again[0]) / 2
    rate = {1: one[2] / single * 60, 2: two[2] / two[0] * 60}
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("huey", "redis", "lightgbm"))
    lines = [
        "# Scale-out on a Redis queue",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python -m bench.scaleout"
        f"{' --quick' if quick else ''}` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {versions}; 1-minute load average after the run "
        f"{load:.1f}. Batch: {mix[0]} trainings ({budget:.0f} s search budget) and "
        f"{mix[1]} scorings of {score_rows:,} rows, interleaved.",
        "",
        "| workers | batch time | jobs/min | succeeded | ratio to 1 worker |",
        "|---:|---:|---:|---:|---:|",
        f"| 1 | {single:.1f} s (runs: {one[0]:.1f}, {one_again[0]:.1f}) | {rate[1]:.1f} | "
        f"{one[1]}/{one[2]}, {one_again[1]}/{one_again[2]} | 1.00 |",
        f"| 2 | {two[0]:.1f} s | {rate[2]:.1f} | {two[1]}/{two[2]} | {rate[2] / rate[1]:.2f} |",
        f"| 2, one killed after {budget + 1:.0f} s | {killed[0]:.1f} s | "
        f"{killed[2] / killed[0] * 60:.1f} | {killed[1]}/{killed[2]} | — |",
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scaleout.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
