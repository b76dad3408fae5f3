"""What an analyst reviews of a prediction, kept with it when it is stored: the
highest-risk rows with their explanation, the evaluation when the file has its labels,
and drift against the model's training data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.model.drift import drift
from entrepot.fraud.model.metrics import evaluate
from entrepot.fraud.schema.target import label_vector, score_candidate
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.scoring import Explanations
from entrepot.fraud_service.summary import cell, number

#: Top rows kept with a prediction; the API shows 100 unless asked for more.
TOP_KEPT = 500
TOP_SHOWN = 100


def top_rows(
    scores: pd.DataFrame,
    ensemble: Ensemble,
    explained: Explanations | None = None,
    limit: int = TOP_KEPT,
) -> list[Any]:
    """The ``limit`` highest-risk rows, most probable first: ``row`` (number in the upload),
    ``ids`` (the upload's id columns), ``fraud_probability``, ``risk_level``,
    ``explanation`` (English) and ``explanation_parts`` (its messages, from ``explained``)
    and each member's contribution (weight × its probability)."""
    explained = explained or {}
    proba = scores["fraud_probability"].to_numpy(dtype=float)
    order = np.argsort(-proba, kind="stable")[:limit]
    first = list(scores.columns).index("fraud_probability")
    id_columns = [c for c in scores.columns[1:first]]
    out = []
    for i in order.tolist():
        record = scores.iloc[i]
        out.append(
            {
                "row": int(record["row"]),
                "ids": {str(c): cell(record[c]) for c in id_columns},
                "fraud_probability": number(record["fraud_probability"]),
                "risk_level": str(record["risk_level"]),
                "explanation": str(record["explanation"]),
                "explanation_parts": [part.to_json() for part in explained.get(i, ())],
                "members": [
                    {
                        "name": m.name,
                        "probability": number(record[m.column]),
                        "contribution": number(m.weight * float(record[m.column])),
                    }
                    for m in ensemble.members
                ],
            }
        )
    return out


def evaluation(
    frame: pd.DataFrame, target: str | None, scores: pd.DataFrame, threshold: float
) -> dict[str, Any] | None:
    """AUPRC and the confusion matrix at ``threshold`` against the file's own label
    ``target``, like ``entrepot fraud evaluate``; ``None`` without a usable label."""
    if target is None or target not in frame.columns:
        return None
    candidate = score_candidate(frame, target)
    if candidate is None:
        return None
    y = label_vector(frame[target], candidate.positive)
    known = ~np.isnan(y)
    labels = y[known].astype(int)
    if labels.sum() == 0 or labels.sum() == len(labels):
        return None
    found = evaluate(labels, scores["fraud_probability"].to_numpy(dtype=float)[known], threshold)
    keys = ("rows", "frauds", "base_rate", "auprc", "roc_auc", "precision", "recall")
    return {
        "target": target,
        **{k: number(found[k]) if k not in ("rows", "frauds") else found[k] for k in keys},
        "threshold": number(threshold),
        "confusion_matrix": found["confusion_matrix"],
    }


def prediction_drift(
    curves: Mapping[str, Any], frame: pd.DataFrame, scores: pd.DataFrame, ensemble: Ensemble
) -> dict[str, Any] | None:
    """Drift of the file against a single model's training data (see
    ``entrepot.fraud.model.drift``); ``None`` when the model kept no reference (trained
    before references were kept, or an ensemble of reference models)."""
    references = curves.get("drift_reference")
    if len(ensemble.members) != 1 or not isinstance(references, dict):
        return None
    member = ensemble.members[0]
    training = curves.get("training_scores")
    # A model trained before identifiers were left out of its references still has some.
    spec = ensemble.models[0].features.spec
    keys = {spec.timestamp, *spec.customers, *spec.counterparties}
    references = {c: r for c, r in references.items() if c not in keys}
    return drift(
        references,
        frame,
        dict(member.mapping),
        scores["fraud_probability"].to_numpy(dtype=float),
        list(training) if isinstance(training, list) else None,
    )
