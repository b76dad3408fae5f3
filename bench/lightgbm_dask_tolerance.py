"""How far data-parallel LightGBM (``lightgbm.dask``) lands from one machine (issue 40
item 4: "distributed: approximate", with its measured tolerance).

Run: ``python -m bench.lightgbm_dask_tolerance [--rows 1000000] [--workers 2] [--runs 2]``;
writes ``bench/results/lightgbm-dask-tolerance.md``.

For each size, generated card payments (2 % fraud) go through the product's own training
up to its search (``bench.gpu_xgboost.search_arrays``: the product's features, splits and
fit rows). LightGBM's default trial of the search (``space.DEFAULTS``) is fitted on one
machine with early stopping on the validation rows; then the same parameters and number
of rounds with ``lightgbm.dask.DaskLGBMClassifier`` on a local cluster of ``workers``
processes (127.0.0.1, ports chosen free), the fit rows cut into one block per worker,
``runs`` times. Each model's validation AUPRC and its largest probability difference
against the one-machine model on the validation rows: the tolerance a card would state.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.metrics import average_precision_score

from bench._env import environment
from bench.gpu_xgboost import search_arrays
from entrepot.fraud.train.space import DEFAULTS

RESULTS = Path(__file__).parent / "results"


def _params() -> dict[str, Any]:
    return {**DEFAULTS["lightgbm"], "random_state": 0, "n_jobs": 1, "verbose": -1}


def one_machine(x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray) -> Any:
    """The one-machine model, early stopping on the validation rows."""
    model = lgb.LGBMClassifier(n_estimators=5000, **_params())
    model.fit(x, y, eval_set=[(x_val, y_val)], callbacks=[lgb.early_stopping(50, verbose=False)])
    return model


def spread(x: np.ndarray, y: np.ndarray, rounds: int, workers: int) -> Any:
    """The same trial, data-parallel over ``workers`` local processes."""
    import dask.array as da
    from distributed import Client, LocalCluster

    block = -(-len(x) // workers)
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        dx = da.from_array(x, chunks=(block, x.shape[1])).persist()
        dy = da.from_array(y, chunks=(block,)).persist()
        model = lgb.DaskLGBMClassifier(
            client=client, n_estimators=rounds, tree_learner="data", **_params()
        )
        model.fit(dx, dy)
        return model.to_local()


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
        "| rows | fit rows × features | model | rounds | validation AUPRC | AUPRC − one machine "
        "| largest probability difference |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for rows in args.rows:
        data = search_arrays(rows, args.seed)
        shape = f"{data.x_fit.shape[0]:,} × {data.x_fit.shape[1]}"
        alone = one_machine(data.x_fit, data.y_fit, data.x_val, data.y_val)
        rounds = int(alone.best_iteration_ or alone.n_estimators)
        p_alone = alone.predict_proba(data.x_val)[:, 1]
        base = float(average_precision_score(data.y_val, p_alone))
        lines.append(f"| {rows:,} | {shape} | one machine | {rounds} | {base:.4f} | | |")
        print(lines[-1], flush=True)
        for run in range(1, args.runs + 1):
            model = spread(data.x_fit, data.y_fit, rounds, args.workers)
            p = model.predict_proba(data.x_val)[:, 1]
            auprc = float(average_precision_score(data.y_val, p))
            lines.append(
                f"| {rows:,} | {shape} | lightgbm.dask, run {run} | {rounds} | {auprc:.4f} | "
                f"{auprc - base:+.4f} | {float(np.abs(p - p_alone).max()):.4f} |"
            )
            print(lines[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lightgbm-dask-tolerance.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
