"""Benchmark the fraud engine's training against LightGBM defaults and FLAML.

Every contender sees the same rows, the same train / validation / test split and the
same features (the engine's own, built from the raw columns: behaviour features from
the ids and timestamps), and is scored by AUPRC on the same test split. FLAML gets the
same time budget and metric (it is optional: ``uv pip install flaml``).

    python bench/fraud.py --quick                      # small generated sets, a few minutes
    python bench/fraud.py --budget 60 --handbook ../shared/data/fraud-handbook-raw.parquet

The handbook data is for benchmarks only: it is read from where it lies, never copied.
Its ``TX_FRAUD_SCENARIO`` column is the label in disguise and is dropped before training.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from entrepot.fraud.generator import generate
from entrepot.fraud.target import label_vector
from entrepot.fraud.training import TrainingResult, train

GENERATED = (
    ("card_payments", 0.01),
    ("ecommerce", 0.02),
    ("mobile_money", 0.03),
    ("wire_transfers", 0.005),
    ("insurance_claims", 0.06),
)


def _scores(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    return {
        "auprc": round(float(average_precision_score(y, proba)), 4),
        "roc_auc": round(float(roc_auc_score(y, proba)), 4),
    }


def _matrices(frame: pd.DataFrame, result: TrainingResult) -> dict[str, Any]:
    """The engine's features and split, rebuilt for the baselines."""
    assert result.splits is not None
    label = result.analysis.target
    assert label is not None
    y_all = label_vector(frame[label], result.analysis.positive)
    known = ~np.isnan(y_all)
    data = frame.loc[known].reset_index(drop=True)
    y = y_all[known].astype(int)
    x = result.model.features.transform_labelled(data, y).to_numpy(dtype=float)
    s = result.splits
    return {
        "x_train": x[s.train],
        "y_train": y[s.train],
        "x_val": x[s.validation],
        "y_val": y[s.validation],
        "x_test": x[s.test],
        "y_test": y[s.test],
    }


def lightgbm_defaults(m: dict[str, Any], n_jobs: int) -> dict[str, Any]:
    began = time.monotonic()
    model = lgb.LGBMClassifier(n_jobs=n_jobs, verbose=-1, random_state=0)
    model.fit(m["x_train"], m["y_train"])
    proba = model.predict_proba(m["x_test"])[:, 1]
    return {**_scores(m["y_test"], proba), "seconds": round(time.monotonic() - began, 1)}


def flaml_automl(m: dict[str, Any], budget: float, n_jobs: int) -> dict[str, Any] | None:
    try:
        from flaml import AutoML
    except ImportError:
        return None
    began = time.monotonic()
    automl = AutoML()
    automl.fit(
        m["x_train"],
        m["y_train"],
        X_val=m["x_val"],
        y_val=m["y_val"],
        task="classification",
        metric="ap",
        estimator_list=["lgbm", "xgboost", "xgb_limitdepth", "rf", "extra_tree"],  # NaN-able
        time_budget=budget,
        n_jobs=n_jobs,
        verbose=0,
        seed=0,
    )
    proba = automl.predict_proba(m["x_test"])[:, 1]
    return {
        **_scores(m["y_test"], proba),
        "seconds": round(time.monotonic() - began, 1),
        "model": str(automl.best_estimator),
    }


def run_one(name: str, frame: pd.DataFrame, budget: float, n_jobs: int) -> dict[str, Any]:
    began = time.monotonic()
    result = train(frame, time_budget=budget, n_jobs=n_jobs)
    seconds = time.monotonic() - began
    test = result.performance["test"]
    row: dict[str, Any] = {
        "dataset": name,
        "rows": len(frame),
        "fraud_rate": round(result.performance["data"]["fraud_rate"], 4),
        "entrepot": {
            "auprc": round(test["auprc"], 4),
            "roc_auc": round(test["roc_auc"], 4),
            "seconds": round(seconds, 1),
            "model": result.performance["model"]["kind"],
        },
    }
    matrices = _matrices(frame, result)
    row["lightgbm_defaults"] = lightgbm_defaults(matrices, n_jobs)
    row["flaml"] = flaml_automl(matrices, budget, n_jobs)
    print(json.dumps(row))
    return row


def handbook(path: Path) -> pd.DataFrame:
    """The handbook's raw data, 2018-06-06 + 56 + 14 days, without the scenario column."""
    frame = pd.read_parquet(path).drop(columns=["TX_FRAUD_SCENARIO"])
    start = pd.Timestamp("2018-06-06")
    stamps = pd.to_datetime(frame["TX_DATETIME"])
    keep = (stamps >= start) & (stamps < start + pd.Timedelta(days=70))
    return frame.loc[keep].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per training")
    parser.add_argument("--rows", type=int, default=200_000, help="rows per generated set")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 10 s budgets")
    parser.add_argument("--handbook", type=Path, help="path of fraud-handbook-raw.parquet")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    rows, budget = (20_000, 10.0) if args.quick else (args.rows, args.budget)
    results = []
    for seed, (domain, rate) in enumerate(GENERATED):
        data = generate(domain, rows, fraud_rate=rate, seed=seed)
        results.append(run_one(f"generated/{domain}", data.frame, budget, args.jobs))
    if args.handbook:
        results.append(run_one("handbook", handbook(args.handbook), budget, args.jobs))
    print("| dataset | rows | fraud rate | Entrepôt AUPRC (s) | LightGBM defaults | FLAML |")
    print("|---|---|---|---|---|---|")
    for r in results:
        flaml = r["flaml"]
        shown = f"{flaml['auprc']} ({flaml['seconds']} s)" if flaml else "not installed"
        print(
            f"| {r['dataset']} | {r['rows']} | {r['fraud_rate']:.2%} | "
            f"{r['entrepot']['auprc']} ({r['entrepot']['seconds']} s) | "
            f"{r['lightgbm_defaults']['auprc']} | {shown} |"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
