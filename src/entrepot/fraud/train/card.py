"""The model card: what a trained model will deliver when it scores, said plainly (ADR 0039).

The headline is the out-of-time test AUPRC (the latest period, featured as scoring
features it: :mod:`entrepot.fraud.train.replay`) with a seeded bootstrap interval; the
validation AUPRC, on rows that chose the model and its threshold, comes second. At the
chosen threshold: precision and alerts per day; for a team that reviews ``k`` cards a day,
card precision@k per day (:mod:`entrepot.fraud.model.card_metrics`). Warnings are messages,
stored as ``{"key", "params"}`` (:mod:`entrepot.fraud.train.card_messages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from entrepot.fraud.model.card_metrics import (
    alerts_per_day,
    bootstrap_interval,
    card_precision_top_k,
)
from entrepot.fraud.train.card_messages import validation_outside

#: Cards a team reviews a day, unless the training says otherwise.
CARDS_PER_DAY = 100
#: Days after a transaction its label is known, unless the training says otherwise.
LABEL_DELAY_DAYS = 7
#: The bootstrap interval's level and resamples.
LEVEL = 0.95
RESAMPLES = 200


@dataclass(frozen=True)
class Evaluation:
    """How a training evaluates: the label delay in days, the inputs kept even when they
    alone separate the label, the cards a team reviews a day, and the user's roles: the
    date that orders the rows and the customer or counterparty keys (``None`` and ``()``:
    the analysis's guess)."""

    label_delay_days: int = LABEL_DELAY_DAYS
    keep_columns: tuple[str, ...] = ()
    cards_per_day: int = CARDS_PER_DAY
    time_column: str | None = None
    entity_columns: tuple[str, ...] = ()

    def arguments(self) -> dict[str, Any]:
        """These options as :func:`~entrepot.fraud.train.training.train`'s keywords."""
        return {
            "label_delay_days": self.label_delay_days,
            "keep_columns": tuple(self.keep_columns),
            "cards_per_day": self.cards_per_day,
            "time_column": self.time_column,
            "entity_columns": tuple(self.entity_columns),
        }


def evaluation_of(
    label_delay_days: int | None = None,
    keep_columns: Sequence[str] = (),
    cards_per_day: int | None = None,
    time_column: str | None = None,
    entity_columns: Sequence[str] = (),
) -> Evaluation:
    """The :class:`Evaluation` of the options given, the defaults for the others."""
    return Evaluation(
        LABEL_DELAY_DAYS if label_delay_days is None else label_delay_days,
        tuple(keep_columns),
        CARDS_PER_DAY if cards_per_day is None else cards_per_day,
        time_column or None,
        tuple(entity_columns),
    )


@dataclass(frozen=True)
class ScoredPeriod:
    """The test rows' labels, calibrated probabilities, day numbers (``None`` without a
    known day) and card (customer) keys."""

    y: np.ndarray
    proba: np.ndarray
    days: np.ndarray | None
    cards: np.ndarray


def model_card(
    test: ScoredPeriod,
    *,
    threshold: float,
    test_auprc: float,
    validation_auprc: float,
    protocol: dict[str, Any],
    cards_per_day: int = CARDS_PER_DAY,
    seed: int = 0,
) -> dict[str, Any]:
    """The card's figures and its warnings (``card["warnings"]``)."""
    interval = bootstrap_interval(test.y, test.proba, level=LEVEL, resamples=RESAMPLES, seed=seed)
    flagged = test.proba >= threshold
    precision = float(test.y[flagged].mean()) if flagged.any() else float("nan")
    per_day: dict[str, Any] = {"cards_per_day": cards_per_day, "days": None}
    alerts: float | None = None
    if test.days is not None:
        per_day["days"] = len(np.unique(test.days))
        per_day["card_precision"] = card_precision_top_k(
            test.y, test.proba, test.cards, test.days, cards_per_day
        )
        alerts = alerts_per_day(test.proba, threshold, test.days)
    warnings = []
    if interval is not None and not interval["low"] <= validation_auprc <= interval["high"]:
        warnings.append(
            validation_outside(
                validation_auprc, test_auprc, interval["low"], interval["high"], LEVEL
            ).to_json()
        )
    return {
        "headline": {
            "metric": "auprc",
            "split": "test",
            "out_of_time": protocol.get("split") == "time",
            "value": test_auprc,
            "interval": interval,
        },
        "validation": {"metric": "auprc", "value": validation_auprc},
        "at_threshold": {
            "threshold": threshold,
            "precision": precision,
            "alerts": int(flagged.sum()),
            "alerts_per_day": alerts,
        },
        "review": per_day,
        "protocol": protocol,
        "warnings": warnings,
    }
