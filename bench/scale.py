"""Scoring beyond one process (issue 40, items 3, 5 and 6; ADR 0086): ``entrepot fraud
score`` file to file in process and with ``--workers 2`` (a local Dask cluster of two
processes), beside the plain LightGBM peer (read the CSV, predict, write the CSV), in the
same run, on the same generated file.

Run: ``python -m bench.scale [--rows 100000 1000000]``; writes ``bench/results/scale.md``.
``python -m bench.scale --train-rows 200000 --budget 20`` measures ``fraud train`` instead
(issue 40 item 4, ADR 0100): the search's trials in process and over ``--workers 2`` and
``8``, the budget in steps, each model's files' sha256 against the in-process run's,
beside plain LightGBM fitting the same numeric columns (100 rounds, one thread); writes
``bench/results/scale-training.md``.
The in-process run is also made with ``--no-explain`` (the peer explains nothing; by
default the product explains the 10,000 most probable rows). A 1,000-row file scored
with ``--workers 1`` and ``2`` first gives the fixed cost of a local cluster (its
processes start and import the product).

Each command runs in a fresh process; its CPU seconds are the waited-for process tree's
(``resource.getrusage(RUSAGE_CHILDREN)`` before and after: the Dask workers included,
and, since ADR 0105, the fork server they start from, which the product stops, and so
reaps, with its cluster), its peak memory the largest sum of the tree's resident sets sampled
every 50 ms (``psutil``). CPU inflation is the spread run's CPU over the in-process run's;
identity compares the output files' sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bench._env import environment

RESULTS = Path(__file__).parent / "results"
#: The installed command (``BENCH_ENTREPOT``: another launcher, e.g. on a machine where the
#: product runs from its source tree).
ENTREPOT = os.environ.get("BENCH_ENTREPOT") or str(Path(sys.executable).with_name("entrepot"))
TRAIN_ROWS = 20_000
#: The in-process run with ``--no-explain``: what the peer does (read, predict, write).
UNEXPLAINED = "in process, --no-explain"

PEER = """
import sys, lightgbm as lgb, pandas as pd
frame = pd.read_csv(sys.argv[1])
booster = lgb.Booster(model_file=sys.argv[2])
columns = booster.feature_name()
out = pd.DataFrame({"fraud_probability": booster.predict(frame[columns], num_threads=1)})
out.to_csv(sys.argv[3], index=False)
"""

PEER_TRAIN = """
import sys, lightgbm as lgb, pandas as pd
frame = pd.read_csv(sys.argv[1])
target = sys.argv[3]
x = frame.drop(columns=[target]).select_dtypes("number")
booster = lgb.train({"objective": "binary", "verbose": -1, "num_threads": 1,
                     "deterministic": True, "seed": 0},
                    lgb.Dataset(x, frame[target].astype(int)), num_boost_round=100)
booster.save_model(sys.argv[2])
"""


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """``command``'s CPU seconds (its whole waited-for tree), peak tree RSS in MiB and wall
    seconds (a speed-up over workers needs as many idle cores, else it measures the load)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    wall = time.perf_counter() - began
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{command} exited {code}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    shown = " ".join(Path(part).name for part in command[-4:])
    print(f"… {shown}: CPU {cpu:.1f} s, wall {wall:.1f} s", flush=True)
    return cpu, peak / 2**20, wall


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(rows: int, folder: Path, env: dict[str, str], workers: list[int]) -> list[str]:
    """One size's table lines: in process and over each number of ``workers``."""
    scored = folder / f"tx-{rows}.csv"
    generate = [ENTREPOT, "fraud", "generate", str(scored), "--rows", str(rows), "--seed", "7"]
    subprocess.run(
        [*generate, "--fraud-rate", "0.02", "--canonical"], env=env, check=True, capture_output=True
    )
    lines = []
    found: dict[str, tuple[float, float, str, float]] = {}
    runs = [("in process" if n == 1 else f"--workers {n}", ["--workers", str(n)]) for n in workers]
    # like for like with the peer, which explains nothing: the same scores, no explanations
    runs.insert(1, (UNEXPLAINED, ["--workers", "1", "--no-explain"]))
    for name, extra in runs:
        out = folder / f"out-{rows}-{extra[1]}.csv"
        command = [ENTREPOT, "fraud", "score", str(scored), str(out), "--model", "./model"]
        cpu, rss, wall = measured([*command, *extra], env)
        found[name] = (cpu, rss, digest(out), wall)
    peer_out = folder / f"peer-{rows}.csv"
    peer = [sys.executable, "-c", PEER, str(scored), "peer.txt", str(peer_out)]
    peer_cpu, peer_rss, _ = measured(peer, env)
    alone = found["in process"]
    for name, (cpu, rss, sha, wall) in found.items():
        lines.append(
            f"| {rows:,} | {name} | {cpu:.1f} | {wall:.1f} | {alone[3] / wall:.2f} | "
            f"{rss:,.0f} | {rows / cpu:,.0f} | {peer_cpu / cpu:.2f} | {rss / peer_rss:.2f} | "
            f"{cpu / alone[0]:.2f} | {_identity(name, sha, alone[2])} `{sha[:12]}` |"
        )
    lines.append(
        f"| {rows:,} | LightGBM peer | {peer_cpu:.1f} | | | {peer_rss:,.0f} | "
        f"{rows / peer_cpu:,.0f} | 1.00 | 1.00 | | |"
    )
    return lines


def _identity(name: str, sha: str, alone: str) -> str:
    """How a run's output compares with the in-process run's (a run without explanations
    has another ``explanation`` column, by design)."""
    if name == UNEXPLAINED:
        return "no explanations:"
    return "same" if sha == alone else "DIFFERENT"


def fixed_cost(folder: Path, env: dict[str, str]) -> list[str]:
    """What ``--workers 2`` costs on a file of 1,000 rows: mostly starting and stopping
    the local cluster (two workers and their nannies import the product)."""
    small = folder / "tx-small.csv"
    generate = [ENTREPOT, "fraud", "generate", str(small), "--rows", "1000", "--seed", "7"]
    subprocess.run([*generate, "--canonical"], env=env, check=True, capture_output=True)
    found = []
    for workers in ("1", "2"):
        command = [ENTREPOT, "fraud", "score", str(small), str(folder / "small.csv")]
        cpu, rss, wall = measured([*command, "--model", "./model", "--workers", workers], env)
        found.append(
            f"| 1,000 | --workers {workers} (fixed cost) | {cpu:.1f} | {wall:.1f} | | {rss:,.0f} |"
        )
    return [line + " | | | | |" for line in found]


def training(
    rows: int, budget: float, folder: Path, env: dict[str, str], workers: list[int]
) -> list[str]:
    """``fraud train`` on ``rows`` generated rows in process and over each number of
    ``workers``, and the plain LightGBM peer: one table line each."""
    file = folder / f"train-{rows}.csv"
    generate = [ENTREPOT, "fraud", "generate", str(file), "--rows", str(rows), "--seed", "3"]
    subprocess.run(
        [*generate, "--fraud-rate", "0.02", "--canonical"], env=env, check=True, capture_output=True
    )
    found: dict[str, tuple[float, float, str, float]] = {}
    for count in map(str, workers):
        out = folder / f"model-{rows}-{count}"
        command = [ENTREPOT, "fraud", "train", str(file), "--name", "m", "--out", str(out)]
        run = [*command, "--time-budget", str(budget), "--workers", count]
        cpu, rss, wall = measured(run, env)
        sha = hashlib.sha256(
            b"".join((out / n).read_bytes() for n in ("model.joblib", "performance.json"))
        ).hexdigest()
        found[count] = (cpu, rss, sha, wall)
    peer_cpu, peer_rss, _ = measured(
        [sys.executable, "-c", PEER_TRAIN, str(file), str(folder / "peer-train.txt"), "is_fraud"],
        env,
    )
    alone = found["1"]
    lines = []
    for count, (cpu, rss, sha, wall) in found.items():
        name = "in process" if count == "1" else f"--workers {count}"
        lines.append(
            f"| {rows:,} | {name} | {cpu:.1f} | {wall:.1f} | {alone[3] / wall:.2f} | "
            f"{rss:,.0f} | {cpu / peer_cpu:.2f} | "
            f"{rss / peer_rss:.2f} | {cpu / alone[0]:.2f} | "
            f"{'same' if sha == alone[2] else 'DIFFERENT'} `{sha[:12]}` |"
        )
    lines.append(
        f"| {rows:,} | LightGBM peer (100 rounds) | {peer_cpu:.1f} | | | {peer_rss:,.0f} "
        "| 1.00 | 1.00 | | |"
    )
    return lines


def main_training(rows: list[int], budget: float, env: dict[str, str], workers: list[int]) -> None:
    """The ``--train-rows`` panel (see the module)."""
    with tempfile.TemporaryDirectory(prefix="bench-scale-training-") as tmp:
        folder = Path(tmp)
        env.update(
            {"ENTREPOT_TRAINING_CLOCK": "steps", "PYTHONHASHSEED": "0", "XDG_DATA_HOME": tmp}
        )
        lines = [
            f"Measured {environment('dask', 'distributed', 'lightgbm', 'pandas')} · load "
            f"{Path('/proc/loadavg').read_text().split()[:3]} · budget {budget:g} s in steps",
            "",
            "| rows | run | CPU s | wall s | speed-up | peak RSS MiB | CPU vs peer | "
            "memory vs peer | CPU inflation | model.joblib + performance.json sha256 |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for count in rows:
            lines += training(count, budget, folder, env, sorted({1, *workers}))
            print("\n".join(lines), flush=True)
    (RESULTS / "scale-training.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--train-rows", type=int, nargs="+", default=None)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="scoring: 1 is in process"
    )
    parser.add_argument(
        "--train-workers", type=int, nargs="+", default=[1, 2, 8], help="training: 1 is in process"
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    if args.train_rows:
        main_training(args.train_rows, args.budget, env, args.train_workers)
        return
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        folder = Path(tmp)
        env.update(
            {"ENTREPOT_TRAINING_CLOCK": "steps", "PYTHONHASHSEED": "0", "XDG_DATA_HOME": tmp}
        )
        train = folder / "train.csv"
        subprocess.run(
            [
                ENTREPOT,
                "fraud",
                "generate",
                str(train),
                "--rows",
                str(TRAIN_ROWS),
                "--seed",
                "1",
                "--fraud-rate",
                "0.02",
                "--canonical",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                ENTREPOT,
                "fraud",
                "train",
                str(train),
                "--name",
                "m",
                "--out",
                "model",
                "--time-budget",
                "5",
            ],
            env=env,
            cwd=folder,
            check=True,
            capture_output=True,
        )
        target = "is_fraud"
        subprocess.run(
            [sys.executable, "-c", PEER_TRAIN, str(train), "peer.txt", target],
            env=env,
            cwd=folder,
            check=True,
        )
        env["PWD"] = tmp
        os.chdir(folder)
        lines = [
            f"Measured {environment('dask', 'distributed', 'lightgbm', 'pandas')} · load "
            f"{Path('/proc/loadavg').read_text().split()[:3]}",
            "",
            "| rows | run | CPU s | wall s | speed-up | peak RSS MiB | rows/CPU-s | "
            "throughput vs peer | memory vs peer | CPU inflation | output sha256 |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        lines += fixed_cost(folder, env)
        for rows in args.rows:
            lines += run(rows, folder, env, sorted({1, *args.workers}))
            print("\n".join(lines), flush=True)
    (RESULTS / "scale.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
