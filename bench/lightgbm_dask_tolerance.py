"""How far data-parallel LightGBM (``lightgbm.dask``) lands from one machine (issue 40
item 4: "distributed: approximate", with its measured tolerance; ADR 0118).

Run: ``python -m bench.lightgbm_dask_tolerance [--rows 1000000] [--workers 2] [--runs 2]``;
writes ``bench/results/lightgbm-dask-tolerance.md``.

For each size, generated card payments (2 % fraud) go through the product's own training
up to its search (``bench.gpu_xgboost.search_arrays``: the product's features, splits and
fit rows). LightGBM's default trial of the search is fitted on one machine as the search
fits it (``fits.fit_one``: ``space.DEFAULTS``, early stopping on the validation rows);
then as ``fraud train --data-parallel`` fits it
(``data_parallel.data_parallel_trial``: the same parameters with
``lightgbm.dask.DaskLGBMClassifier``, ``tree_learner="data"``, the fit rows cut into one
block a worker, the rounds chosen on the validation rows every 8 rounds) on a local
cluster of ``workers`` processes (the product's own, ``bootstrap.cluster.dask_pool``:
127.0.0.1, ports chosen free), ``runs`` times. Each model's rounds, validation AUPRC and
largest probability difference against the one-machine model on the validation rows: the
tolerance the card states (``data_parallel.MEASURED``); and each fit's wall seconds (the
data-parallel one with its local cluster's start and end, one thread a worker).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score

from bench._env import environment
from bench.gpu_xgboost import search_arrays
from entrepot.fraud.train.data_parallel import data_parallel_trial
from entrepot.fraud.train.fits import Data, Trial, fit_one
from entrepot.fraud.train.space import DEFAULTS
from entrepot.pools import ClusterPool

RESULTS = Path(__file__).parent / "results"


def one_machine(data: Data) -> Any:
    """The search's default LightGBM trial, on one machine."""
    model, _ = fit_one("lightgbm", DEFAULTS["lightgbm"], data, float("inf"), 0, 1)
    return model


def spread(data: Data, workers: int) -> Trial:
    """The same trial as ``fraud train --data-parallel`` fits it, over ``workers`` local
    processes."""
    from entrepot.bootstrap.cluster import FRAUD_TASKS, dask_pool

    with dask_pool(None, workers, FRAUD_TASKS) as pool:
        assert isinstance(pool, ClusterPool)
        return data_parallel_trial(pool, data, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    lines = [
        f"Measured {environment('lightgbm', 'dask', 'distributed', 'numpy')} · load "
        f"{Path('/proc/loadavg').read_text().split()[:3]} · {args.workers} workers",
        "",
        "| rows | fit rows × features | model | rounds | wall s | validation AUPRC "
        "| AUPRC − one machine | largest probability difference |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for rows in args.rows:
        data = search_arrays(rows, args.seed)
        shape = f"{data.x_fit.shape[0]:,} × {data.x_fit.shape[1]}"
        began = time.perf_counter()
        alone = one_machine(data)
        wall = time.perf_counter() - began
        rounds = int(alone.best_iteration_ or alone.n_estimators)
        p_alone = alone.predict_proba(data.x_val)[:, 1]
        base = float(average_precision_score(data.y_val, p_alone))
        lines.append(
            f"| {rows:,} | {shape} | one machine | {rounds} | {wall:.1f} | {base:.4f} | | |"
        )
        print(lines[-1], flush=True)
        for run in range(1, args.runs + 1):
            began = time.perf_counter()
            trial = spread(data, args.workers)
            wall = time.perf_counter() - began
            p = trial.estimator.predict_proba(data.x_val)[:, 1]
            auprc = float(average_precision_score(data.y_val, p))
            lines.append(
                f"| {rows:,} | {shape} | --data-parallel, run {run} | {trial.iterations} | "
                f"{wall:.1f} | {auprc:.4f} | {auprc - base:+.4f} | "
                f"{float(np.abs(p - p_alone).max()):.4f} |"
            )
            print(lines[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lightgbm-dask-tolerance.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
