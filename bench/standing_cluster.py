"""Scoring over a standing Dask cluster (issue 40 item 5): what ``fraud score --workers N``
costs when its workers are already running, as the compose file's are, against the same
file scored in process, in the same run.

A scheduler (``dask scheduler``, a port the system picks, 127.0.0.1) and N workers
(``dask worker --nthreads 1 --preload entrepot.bootstrap.memory_policy``, each with its
nanny, or none with ``--no-nanny``) are started once; the command then runs ``--rounds`` times with
``ENTREPOT_DASK_URL`` naming the scheduler. A round's CPU is the command's own (its waited-
for process tree) plus what the scheduler's and the workers' process trees used during it
(``psutil``); the first round pays the workers' first imports of the product, the next
ones find them warm. CPU inflation is a round's CPU over the in-process run's; identity
compares the output files' sha256.

``--tuned``: the scheduler and workers with the compose file's settings (no task
profiler, slower ticks, no ``MALLOC_TRIM_THRESHOLD_``: a command's local cluster's, ADR
0107), else Dask's defaults.

Run: ``python -m bench.standing_cluster [--rows 1000000] [--workers 2] [--rounds 3]
[--tuned]``;
writes ``bench/results/standing-cluster.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from bench._env import environment
from bench.scale import ENTREPOT, RESULTS, TRAIN_ROWS, digest

DASK = str(Path(sys.executable).with_name("dask"))


#: The compose file's settings for its scheduler and workers (``--tuned``): those of a
#: command's local cluster (ADR 0107), as Dask reads them from its variables.
TUNED = {
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
    "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s",
    "DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON": (
        "{'OMP_NUM_THREADS': 1, 'MKL_NUM_THREADS': 1, 'OPENBLAS_NUM_THREADS': 1}"
    ),
}


def _quiet(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextmanager
def standing(
    workers: int, folder: Path, env: dict[str, str], nanny: bool = True
) -> Iterator[tuple[str, list[psutil.Process]]]:
    """A scheduler and ``workers`` workers, each with its nanny: the scheduler's address
    and the processes whose CPU a round adds up."""
    file = folder / "scheduler.json"
    scheduler = [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    started = [_quiet([*scheduler, "--scheduler-file", str(file)], env)]
    try:
        while not file.exists() or not file.read_text().strip():
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        worker = [DASK, "worker", address, "--nthreads", "1", "--host", "127.0.0.1"]
        worker += ["--no-dashboard", "--preload", "entrepot.bootstrap.memory_policy"]
        worker += [] if nanny else ["--no-nanny"]
        started += [_quiet(worker, env) for _ in range(workers)]
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, [psutil.Process(p.pid) for p in started]
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a worker without a nanny may wait on
                process.kill()  # the scheduler gone before it
                process.wait()


def tree_cpu(processes: list[psutil.Process]) -> float:
    """User and system seconds of ``processes`` and every process below them."""
    total = 0.0
    for root in processes:
        for process in [root, *root.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
    return total


def command_cpu(command: list[str], env: dict[str, str]) -> float:
    """``command``'s CPU seconds, its waited-for process tree's."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--tuned", action="store_true", help="the cluster with the compose file's settings"
    )
    parser.add_argument("--no-nanny", action="store_true", help="workers without a nanny")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    with tempfile.TemporaryDirectory(prefix="bench-standing-") as tmp:
        folder = Path(tmp)
        env.update(
            {"ENTREPOT_TRAINING_CLOCK": "steps", "PYTHONHASHSEED": "0", "XDG_DATA_HOME": tmp}
        )
        train, scored = folder / "train.csv", folder / "tx.csv"
        for file, rows, seed in ((train, TRAIN_ROWS, "1"), (scored, args.rows, "7")):
            subprocess.run(
                [ENTREPOT, "fraud", "generate", str(file), "--rows", str(rows), "--seed", seed,
                 "--fraud-rate", "0.02", "--canonical"],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        subprocess.run(
            [ENTREPOT, "fraud", "train", str(train), "--name", "m", "--out", str(folder / "model"),
             "--time-budget", "5"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        score = [ENTREPOT, "fraud", "score", str(scored)]
        alone_out = folder / "alone.csv"
        alone = command_cpu([*score, str(alone_out), "--model", str(folder / "model")], env)
        lines = [
            f"Measured {environment('dask', 'distributed', 'lightgbm', 'pandas')} · load "
            f"{Path('/proc/loadavg').read_text().split()[:3]} · {args.rows:,} rows, "
            f"{args.workers} standing workers"
            f"{', the compose settings' if args.tuned else ', Dask defaults'}"
            f"{', no nanny' if args.no_nanny else ''}",
            "",
            "| run | the command's CPU s | scheduler and workers CPU s | total | CPU inflation "
            "| output sha256 |",
            "|---|---:|---:|---:|---:|---|",
            f"| in process | {alone:.2f} | | {alone:.2f} | 1.00 | `{digest(alone_out)[:12]}` |",
        ]
        cluster_env = {**env, **(TUNED if args.tuned else {})}
        with standing(args.workers, folder, cluster_env, not args.no_nanny) as (address, processes):
            spread = {**env, "ENTREPOT_DASK_URL": address}
            for round_ in range(1, args.rounds + 1):
                out = folder / f"spread-{round_}.csv"
                before = tree_cpu(processes)
                own = command_cpu(
                    [*score, str(out), "--model", str(folder / "model"),
                     "--workers", str(args.workers)],
                    spread,
                )  # fmt: skip
                theirs = tree_cpu(processes) - before
                same = "same" if digest(out) == digest(alone_out) else "DIFFERENT"
                lines.append(
                    f"| round {round_}{' (cold workers)' if round_ == 1 else ''} | {own:.2f} | "
                    f"{theirs:.2f} | {own + theirs:.2f} | {(own + theirs) / alone:.2f} | "
                    f"{same} `{digest(out)[:12]}` |"
                )
                print(lines[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "standing-cluster.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
