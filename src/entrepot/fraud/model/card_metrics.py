"""The model card's figures: pure functions of labels, probabilities and days.

* :func:`bootstrap_interval`: the AUPRC's percentile interval over rows drawn with
  replacement (seeded), resamples holding a single class skipped;
* :func:`alerts_per_day`: rows at or above the threshold over the number of days present;
* :func:`card_precision_top_k`: card precision@k per day as in the Fraud Detection
  Handbook (Le Borgne et al., ch. 4.2): each day, a card's score is the highest of its
  transactions' and it is a fraud if any of them is; of the ``k`` highest-scored cards
  (the ones a team can review that day; equal scores by card), the share that are
  frauds, counted out of ``k``; the mean over days. Cards found on an earlier day are not
  removed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from entrepot.fraud.model.bootstrap import Ranked, drawn_counts


def bootstrap_interval(
    y: np.ndarray,
    proba: np.ndarray,
    *,
    level: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> dict[str, float | int] | None:
    """``{"level", "low", "high", "resamples", "seed"}`` of the AUPRC, or ``None`` when no
    resample holds both classes."""
    y = np.asarray(y, dtype=int)
    ranked = Ranked(y, np.asarray(proba, dtype=float), threshold=1.0)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):  # the rows drawn, as counts: one sort for every resample
        counts = drawn_counts(rng, len(y))
        auprc = ranked.figures(counts)[0]
        if np.isfinite(auprc):
            values.append(auprc)
    if not values:
        return None
    tail = (1 - level) / 2
    low, high = np.quantile(np.asarray(values), [tail, 1 - tail])
    return {
        "level": level,
        "low": float(low),
        "high": float(high),
        "resamples": len(values),
        "seed": seed,
    }


def alerts_per_day(proba: np.ndarray, threshold: float, days: np.ndarray) -> float:
    """Rows whose probability reaches ``threshold``, per day present in ``days``."""
    count = len(np.unique(days))
    return float(np.sum(np.asarray(proba) >= threshold) / count) if count else float("nan")


def card_precision_top_k(
    y: np.ndarray, proba: np.ndarray, cards: np.ndarray, days: np.ndarray, k: int
) -> float:
    """The mean over days of the frauds among the day's ``k`` highest-scored cards, out
    of ``k`` (module docstring)."""
    frame = pd.DataFrame({"day": days, "card": cards, "y": y, "p": proba})
    per_card = frame.groupby(["day", "card"], sort=True).agg(y=("y", "max"), p=("p", "max"))
    per_card = per_card.reset_index().sort_values(
        ["day", "p", "card"], ascending=[True, False, True]
    )
    top = per_card.groupby("day", sort=True).head(k)
    found = top.groupby("day", sort=True)["y"].sum() / k
    return float(found.mean()) if len(found) else float("nan")
