"""Late labels from analysts: does a model score better with their decisions than without
(issue 41 item 3)?

    python -m bench.fraud_late_labels [--sources generated handbook] [--decisions 60 200]

For each source a model is trained on its first 28 days (the budget on the step clock)
and scores the next 14 days as one file. An analyst reviews the file's first week as it
comes: each day, the day's highest-scored rows (``--decisions`` in all, spread over the
7 days), and records the truth for them; the file is scored again with those decisions
as the product reads them (``known_labels`` from ``(row, label)`` decisions, the one
path every door takes). AUPRC (scikit-learn) is measured on the rows no analyst decided,
with and without the decisions, and the rows flagged; through ``score_frame``, the one
scoring pipeline every door runs.
Writes ``bench/results/fraud-late-labels.json``.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from bench.fraud import RESULTS, environment
from bench.fraud_promises import HANDBOOK
from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.clocks import StepClock
from entrepot.fraud.train.training import train
from entrepot.fraud_service.pipeline.scoring import LabelsGiven, score_frame

DAY = pd.Timedelta(days=1)


def _sources(names: list[str], seed: int) -> list[tuple[str, pd.DataFrame, str, pd.Series]]:
    out = []
    if "generated" in names:
        for domain in ("card_payments", "mobile_money"):
            data = generate(domain, 160_000, seed=seed, variety=False, fraud_rate=0.01)
            out.append((f"generated:{domain}", data.frame, data.target, data.frame["timestamp"]))
    if "handbook" in names and HANDBOOK.exists():
        raw = pd.read_parquet(HANDBOOK)
        raw = raw[(raw["TX_DATETIME"] >= "2018-06-01") & (raw["TX_DATETIME"] < "2018-07-15")]
        keep = ["TX_DATETIME", "CUSTOMER_ID", "TERMINAL_ID", "TX_AMOUNT", "TX_FRAUD"]
        frame = raw[keep].reset_index(drop=True)
        out.append(("handbook", frame, "TX_FRAUD", frame["TX_DATETIME"]))
    return out


class _Given:
    """The trained model's one-member ensemble, as ``score_frame``'s scorer."""

    step: ClassVar[str] = "progress.loading_model"

    def __init__(self, ensemble: Ensemble) -> None:
        self.ensemble = ensemble

    def choose(self, frame: Any, upload: Any, known: Any, what: str) -> Ensemble:
        return self.ensemble


def _decisions(proba: np.ndarray, y: np.ndarray, days: np.ndarray, count: int) -> list[list[int]]:
    """Each of the first 7 days, its highest-scored rows (``count`` over the week), with
    their truth, as ``(row, label)`` numbered from 1."""
    chosen: list[list[int]] = []
    per_day = max(1, count // 7)
    for day in range(7):
        rows = np.flatnonzero(days == day)
        top = rows[np.argsort(-proba[rows], kind="stable")[:per_day]]
        chosen += [[int(r) + 1, int(y[r])] for r in top]
    return chosen


def one(
    name: str, frame: pd.DataFrame, target: str, times: pd.Series, counts: list[int], seed: int
) -> list[dict[str, Any]]:
    times = pd.to_datetime(times)
    cut = times.min().normalize() + 28 * DAY
    training = frame[times < cut]
    result = train(training, target, time_budget=10, seed=seed, clock=StepClock())
    later_rows = (times >= cut) & (times < cut + 14 * DAY)
    later = frame[later_rows].drop(columns=[target]).reset_index(drop=True)
    y = frame.loc[later_rows, target].to_numpy().astype(int)
    days = ((times[later_rows] - cut) // DAY).to_numpy()
    ensemble = from_model(
        result.model, result.schema, result.performance, describe(later), name="m", version="1"
    )
    scorer = _Given(ensemble)
    plain = score_frame(later, scorer, explain=False).scores["fraud_probability"].to_numpy()
    out = []
    for count in counts:
        decided = _decisions(plain, y, days, count)
        outcome = score_frame(later, scorer, labels=LabelsGiven(decisions=decided), explain=False)
        proba = outcome.scores["fraud_probability"].to_numpy()
        rest = np.ones(len(y), dtype=bool)
        rest[[r - 1 for r, _ in decided]] = False
        found = {
            "source": name,
            "decisions": len(decided),
            "decided_frauds": sum(label for _, label in decided),
            "auprc_without": round(float(average_precision_score(y[rest], plain[rest])), 4),
            "auprc_with": round(float(average_precision_score(y[rest], proba[rest])), 4),
            "flagged_without": int((plain >= ensemble.threshold).sum()),
            "flagged_with": int((proba >= ensemble.threshold).sum()),
            "frauds": int(y.sum()),
        }
        print(json.dumps(found), flush=True)
        out.append(found)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", nargs="+", default=["generated", "handbook"])
    parser.add_argument("--decisions", nargs="+", type=int, default=[60, 200])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cases: list[dict[str, Any]] = []
    for name, frame, target, times in _sources(args.sources, args.seed):
        cases += one(name, frame, target, times, args.decisions, args.seed)
    gain = [c["auprc_with"] - c["auprc_without"] for c in cases]
    report = {
        "environment": environment(),
        "load": os.getloadavg(),
        "arguments": vars(args),
        "cases": cases,
        "mean_gain": round(float(np.mean(gain)), 4) if gain else None,
        "worse": sum(g < 0 for g in gain),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fraud-late-labels.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"mean AUPRC gain {report['mean_gain']}; worse in {report['worse']} of {len(cases)}")


if __name__ == "__main__":
    main()
