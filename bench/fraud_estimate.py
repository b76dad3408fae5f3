"""Precision and recall estimated without labels against the realised ones (issue 25
item 4, ADR 0042): the estimate's error and the coverage of its interval.

    python -m bench.fraud_estimate [--rows 30000] [--budget 3] [--seeds 5 6 7]

For each seed: a generated card-payments file (fraud rate 5 %) trains a LightGBM model
(a time split: fit on 0-60 %, calibrated on the validation rows, 60-80 %, of the time
order). Scored, their labels removed:

* ``undrifted``: another file of the same generator (another seed), on the same stretch
  of its calendar as the calibration rows (60-80 %): the population the probabilities
  were calibrated on;
* ``later``: the training file's own last 20 % (its test rows, never fitted on), a later
  period in which the generator's fraud rate still rises (a shift of the fraud rate);
* ``drifted``: the 60-80 % stretch of a file at 15 % fraud (another seed): more fraud
  for the same kind of inputs, a concept shift for the model.

The estimate (CBPE, ``entrepot.fraud.score.expected``) is compared with the precision and
recall computed here from the labels with numpy; ``covered`` says whether the 95 %
interval holds the realised figure, and ``coverage`` counts them per period over the
seeds, with the intervals' mean width; ``*_without_error`` are the same for the interval
of the labels' spread alone (without the probabilities' own error, ``LevelError``).
Also: the calibration in the large (sum of the probabilities against the frauds).
Writes ``bench/results/fraud-estimate.json``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

import numpy as np

from bench.fraud import RESULTS, environment
from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.expected import expected_performance
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.training import train

CALIBRATION = (0.6, 0.8)
LATER = (0.8, 1.0)
PERIODS = ("undrifted", "later", "drifted")


def _period(model: Any, frame: Any, target: str, window: tuple[float, float]) -> dict[str, Any]:
    """The estimate and the realised figures on ``window`` (shares of the time order) of
    ``frame``, scored whole without its label."""
    x = frame.drop(columns=[target]).reset_index(drop=True)
    single = from_model(model, {}, {}, describe(x), name="m", version="1")
    # Without the model's training tail: the scored file's own earlier rows are its history.
    ensemble = Ensemble((replace(single.members[0], history=False),), single.models)
    p = score(x, ensemble, explain=False)["fraud_probability"].to_numpy(dtype=float)
    a, b = int(len(p) * window[0]), int(len(p) * window[1])
    p, y = p[a:b], frame[target].to_numpy(dtype=int)[a:b]
    found = expected_performance(p, ensemble.threshold, error=ensemble.level_error)
    plain = expected_performance(p, ensemble.threshold)  # the labels' spread only (before)
    flagged = p >= ensemble.threshold
    realised = {
        "precision": float(y[flagged].mean()) if flagged.any() else None,
        "recall": float(y[flagged].sum() / y.sum()) if y.any() else None,
    }
    out: dict[str, Any] = {
        "rows": len(y),
        "frauds": int(y.sum()),
        "expected_frauds": round(found.expected_frauds, 1),
        "flagged": int(flagged.sum()),
    }
    for name, est, before in (
        ("precision", found.precision, plain.precision),
        ("recall", found.recall, plain.recall),
    ):
        real = realised[name]
        known = est.value is not None and est.low is not None and est.high is not None
        out[name] = {
            "estimated": None if est.value is None else round(est.value, 4),
            "interval": None
            if est.low is None or est.high is None
            else [round(est.low, 4), round(est.high, 4)],
            "realised": None if real is None else round(real, 4),
            "error": None if real is None or est.value is None else round(est.value - real, 4),
            "covered": None
            if real is None or not known
            else bool(est.low is not None and est.high is not None and est.low <= real <= est.high),
            "width": None if est.low is None or est.high is None else round(est.high - est.low, 4),
            "covered_without_error": None
            if real is None or before.low is None or before.high is None
            else bool(before.low <= real <= before.high),
            "width_without_error": None
            if before.low is None or before.high is None
            else round(before.high - before.low, 4),
        }
    return out


def _coverage(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per period: figures covered of figures measured, and the mean absolute error."""
    out = {}
    for period in PERIODS:
        figures = [run[period][name] for run in runs for name in ("precision", "recall")]
        measured = [f for f in figures if f["covered"] is not None]
        errors = [abs(f["error"]) for f in measured]
        out[period] = {
            "covered": sum(f["covered"] for f in measured),
            "figures": len(measured),
            "mean_abs_error": round(float(np.mean(errors)), 4) if errors else None,
            "mean_width": _mean([f["width"] for f in measured]),
            "covered_without_error": sum(bool(f["covered_without_error"]) for f in measured),
            "mean_width_without_error": _mean([f["width_without_error"] for f in measured]),
        }
    return out


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(float(np.mean(known)), 4) if known else None


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
        model = train(
            frame, target, time_budget=args.budget, models=("lightgbm",), label_features=False
        ).model
        same = generate("card_payments", args.rows, fraud_rate=0.05, seed=seed + 50, variety=False)
        drifted = generate(
            "card_payments", args.rows, fraud_rate=0.15, seed=seed + 100, variety=False
        )
        run = {
            "seed": seed,
            "calibration": model.calibrator.method,
            "undrifted": _period(model, same.frame, target, CALIBRATION),
            "later": _period(model, frame, target, LATER),
            "drifted": _period(model, drifted.frame, target, CALIBRATION),
        }
        print(json.dumps(run))
        runs.append(run)
    found = {
        "environment": environment(),
        "rows": args.rows,
        "budget": args.budget,
        "coverage": _coverage(runs),
        "runs": runs,
    }
    print(json.dumps(found["coverage"]))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "fraud-estimate.json"
    path.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
