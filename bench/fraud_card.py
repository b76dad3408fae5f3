"""The model card against scoring (issue 25 item 1, ADR 0039).

    python -m bench.fraud_card [--rows 60000] [--fraud-rate 0.1] [--budget 4] [--seeds 1 2 3]

For each domain and seed: a generated file of ``rows * 1.2`` rows, cut in time; a model is
trained on the first ``rows`` and the next ``rows / 5`` (as long as the card's test period)
are scored with the saved model, their label removed. The gap is the card's test AUPRC
minus the scored period's (scikit-learn on the kept labels). The *before* column is the
test AUPRC of the same model with the test rows featured as the evaluation featured them
before (every label older than the delay, the test rows' own included). Writes
``bench/results/fraud-card.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score

from bench.fraud import RESULTS, environment
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.training import train

DOMAINS = ("card_payments", "atm", "mobile_money", "wire_transfers")


def one(domain: str, seed: int, rows: int, rate: float, budget: float) -> dict[str, Any]:
    data = generate(domain, rows * 6 // 5, seed=seed, variety=False, fraud_rate=rate)
    frame, y = data.frame, data.labels
    began = time.monotonic()
    result = train(frame.iloc[:rows], data.target, time_budget=budget, seed=seed)
    seconds = time.monotonic() - began
    later = frame.iloc[rows:].drop(columns=[data.target])
    delivered = average_precision_score(y[rows:], result.model.predict_proba(later))
    assert result.splits is not None
    test = result.splits.test
    before_x = result.model.features.transform_labelled(frame.iloc[:rows], y[:rows])
    before = average_precision_score(
        y[:rows][test], result.model.proba_of_features(before_x.to_numpy(float)[test])
    )
    card = result.performance["card"]
    headline = card["headline"]
    return {
        "domain": domain,
        "seed": seed,
        "model": result.performance["model"]["kind"],
        "test_frauds": int(y[:rows][test].sum()),
        "scored_frauds": int(y[rows:].sum()),
        "card_auprc": headline["value"],
        "interval": [headline["interval"]["low"], headline["interval"]["high"]],
        "validation_auprc": card["validation"]["value"],
        "scored_auprc": float(delivered),
        "gap": headline["value"] - float(delivered),
        "before_auprc": float(before),
        "before_gap": float(before) - float(delivered),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--fraud-rate", type=float, default=0.1)
    parser.add_argument("--budget", type=float, default=4.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--domains", nargs="+", default=list(DOMAINS))
    args = parser.parse_args()
    runs = []
    for domain in args.domains:
        for seed in args.seeds:
            runs.append(one(domain, seed, args.rows, args.fraud_rate, args.budget))
            print(json.dumps(runs[-1]))
    gaps = [abs(r["gap"]) for r in runs]
    before = [abs(r["before_gap"]) for r in runs]
    found = {
        "environment": environment(),
        "arguments": vars(args),
        "runs": runs,
        "median_abs_gap": statistics.median(gaps),
        "max_abs_gap": max(gaps),
        "within_0_03": sum(g <= 0.03 for g in gaps),
        "median_abs_gap_before": statistics.median(before),
        "max_abs_gap_before": max(before),
        "within_0_03_before": sum(g <= 0.03 for g in before),
        "mean_gap": float(np.mean([r["gap"] for r in runs])),
        "mean_gap_before": float(np.mean([r["before_gap"] for r in runs])),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fraud-card.json").write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in found.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
