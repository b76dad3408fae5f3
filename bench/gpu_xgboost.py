"""XGBoost's search trial on a GPU against the CPU (issue 40 item 6, ADR 0103).

Run: ``python -m bench.gpu_xgboost [--rows 1000000 5000000] [--out FILE]`` on a machine
with an NVIDIA GPU and an XGBoost built with CUDA (``pip install xgboost``, not
``xgboost-cpu``); without one it measures the CPU rows alone. Writes
``bench/results/gpu-xgboost.md`` (or ``--out``).

For each size, generated card payments (2 % fraud) go through the product's own training
up to its search: the features, the splits and the arrays the trials fit on are the
product's (a pool that keeps the search's inputs and stops it there), built once. Then
XGBoost's default trial of the search (``space.DEFAULTS``, early stopping on the
product's stopping rows, no deadline) is fitted with ``fits.fit_one`` on the CPU with one
thread (the search's default), on the CPU with every core, and with ``device="cuda"``;
each fit's wall seconds, the process's CPU seconds, its rounds and its validation AUPRC.
A GPU and a CPU build of the same trees are not the same bits (another histogram
order): the AUPRC column says how far apart they score.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import xgboost as xgb
from sklearn.metrics import average_precision_score

from bench._env import environment
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.clocks import StepClock
from entrepot.fraud.train.fits import Data, fit_one
from entrepot.fraud.train.space import DEFAULTS
from entrepot.fraud.train.training import train

RESULTS = Path(__file__).parent / "results"


class _Kept(Exception):
    """Raised by :class:`_Keeping` once it holds the search's inputs."""


class _Keeping:
    """A pool that keeps what the search's first round sends its workers, then stops the
    training: the product's arrays, built by the product's code."""

    inputs: Any = None

    def run(self, task: Any, shared: Any, items: Any) -> list[Any]:
        self.inputs = shared
        raise _Kept


def search_arrays(rows: int, seed: int) -> Data:
    """The arrays the product's search fits on, for ``rows`` generated rows."""
    frame = generate("card_payments", rows, fraud_rate=0.02, seed=seed, variety=False).frame
    keeping = _Keeping()
    try:
        train(
            frame, "is_fraud", time_budget=60, models=("xgboost",), clock=StepClock(), pool=keeping
        )
    except _Kept:
        return keeping.inputs.data  # type: ignore[no-any-return]
    raise RuntimeError("the search never ran a round")


def timed_fit(data: Data, device: str, n_jobs: int) -> tuple[float, float, int, float]:
    """One default XGBoost trial: wall s, CPU s, rounds, validation AUPRC."""
    wall, cpu = time.perf_counter(), time.process_time()
    model, rounds = fit_one(
        "xgboost", DEFAULTS["xgboost"], data, float("inf"), 0, n_jobs, device=device
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    auprc = float(average_precision_score(data.y_val, model.predict_proba(data.x_val)[:, 1]))
    return wall, cpu, int(rounds or 0), auprc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "gpu-xgboost.md")
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=None,
        help="CPU runs (default: 1 and all; 0: none, the GPU's alone)",
    )
    parser.add_argument(
        "--cpu-after",
        type=Path,
        default=None,
        help="start the CPU runs once this file exists (other panels running beside)",
    )
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    gpu = bool(xgb.build_info().get("USE_CUDA"))
    threads = [n for n in args.threads or sorted({1, cores}) if n > 0]
    runs = [('GPU (`device="cuda"`)', "cuda", 1)] if gpu else []
    runs += [(f"CPU, {n} thread{'s' if n > 1 else ''}", "cpu", n) for n in threads]
    lines = [
        f"Measured {environment('numpy')}, xgboost {xgb.__version__} · load "
        f"{Path('/proc/loadavg').read_text().split()[:3]} · XGBoost with CUDA: {gpu}",
        "",
        "| rows | fit rows × features | run | wall s | CPU s | rounds | validation AUPRC | "
        "wall × the first run's |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for rows in args.rows:
        began = time.perf_counter()
        data = search_arrays(rows, args.seed)
        print(f"{rows:,} rows: arrays in {time.perf_counter() - began:.0f} s", flush=True)
        shape = f"{data.x_fit.shape[0]:,} × {data.x_fit.shape[1]}"
        first = 0.0
        for name, device, n_jobs in runs:
            while device == "cpu" and args.cpu_after and not args.cpu_after.exists():
                time.sleep(1)
            wall, cpu, rounds, auprc = timed_fit(data, device, n_jobs)
            first = first or wall
            lines.append(
                f"| {rows:,} | {shape} | {name} | {wall:.1f} | {cpu:.1f} | {rounds} | "
                f"{auprc:.4f} | {wall / first:.2f}× |"
            )
            print(lines[-1], flush=True)
        del data
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
