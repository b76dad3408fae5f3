"""Precision and recall estimated without labels against the realised ones (issue 25
item 4, ADR 0042).

    python -m bench.fraud_estimate [--rows 30000] [--budget 3] [--seeds 5 6 7]

For each seed: a generated card-payments file (fraud rate 5 %) cut in time; a model is
trained on the first half and scores the second half (undrifted: the same generator) and
a drifted file (fraud rate 15 %, another seed: more fraud for the same kind of inputs, a
concept shift for the model), their labels removed. The estimate (CBPE,
``entrepot.fraud.score.expected``) is compared with the precision and recall computed here
from the labels with numpy; ``covered`` says whether the 95 % interval holds the realised
figure. Also: the calibration in the large of each scored period (sum of the probabilities
against the frauds). Writes ``bench/results/fraud-estimate.json``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bench.fraud import RESULTS, environment
from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.expected import expected_performance
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.training import train


def _period(model: Any, frame: Any, target: str) -> dict[str, Any]:
    x = frame.drop(columns=[target]).reset_index(drop=True)
    y = frame[target].to_numpy(dtype=int)
    ensemble = from_model(model, {}, {}, describe(x), name="m", version="1")
    p = score(x, ensemble, explain=False)["fraud_probability"].to_numpy(dtype=float)
    found = expected_performance(p, ensemble.threshold)
    flagged = p >= ensemble.threshold
    realised = {
        "precision": float(y[flagged].mean()) if flagged.any() else None,
        "recall": float(y[flagged].sum() / y.sum()),
    }
    out: dict[str, Any] = {
        "rows": len(y),
        "frauds": int(y.sum()),
        "expected_frauds": round(found.expected_frauds, 1),
        "flagged": int(flagged.sum()),
    }
    for name, est in (("precision", found.precision), ("recall", found.recall)):
        real = realised[name]
        assert est.value is not None and est.low is not None and est.high is not None
        out[name] = {
            "estimated": round(est.value, 4),
            "interval": [round(est.low, 4), round(est.high, 4)],
            "realised": None if real is None else round(real, 4),
            "error": None if real is None else round(est.value - real, 4),
            "covered": None if real is None else bool(est.low <= real <= est.high),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--budget", type=float, default=3.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[5, 6, 7])
    args = parser.parse_args()
    runs = []
    for seed in args.seeds:
        data = generate("card_payments", args.rows, fraud_rate=0.05, seed=seed, variety=False)
        frame, target = data.frame, data.target
        cut = len(frame) // 2
        model = train(frame.iloc[:cut], target, time_budget=args.budget, models=("lightgbm",))
        drifted = generate(
            "card_payments", cut, fraud_rate=0.15, seed=seed + 100, variety=False
        ).frame
        run = {
            "seed": seed,
            "calibration": model.model.calibrator.method,
            "undrifted": _period(model.model, frame.iloc[cut:], target),
            "drifted": _period(model.model, drifted, target),
        }
        print(json.dumps(run))
        runs.append(run)
    found = {"environment": environment(), "rows": args.rows, "runs": runs}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "fraud-estimate.json"
    path.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
