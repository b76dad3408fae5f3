"""Feature importance of a trained model, and each input column's share of it."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.inspection import permutation_importance

from entrepot.fraud.model.features import FeatureBuilder
from entrepot.fraud.train.search import Data, Trial


def column_importance(
    builder: FeatureBuilder, importances: list[dict[str, Any]]
) -> dict[str, float]:
    """Each input column's share of the feature importance (a feature computed from several
    columns shares its importance equally among them)."""
    sources = builder.sources()
    shares = dict.fromkeys(builder.spec.input_columns, 0.0)
    for entry in importances:
        columns = sources.get(entry["feature"], ())
        for col in columns:
            shares[col] += float(entry["importance"]) / len(columns)
    total = sum(shares.values()) or 1.0
    return {col: round(value / total, 6) for col, value in shares.items()}


def feature_importances(
    best: Trial, names: list[str], data: Data, seed: int
) -> list[dict[str, Any]]:
    """Each feature's share of the model's importance, largest first: gain for LightGBM and
    XGBoost, absolute coefficients for logistic regression, permutation importance (AUPRC
    on up to 3,000 validation rows) for HistGradientBoosting."""
    est = best.estimator
    if best.kind == "lightgbm":
        values = est.booster_.feature_importance(importance_type="gain").astype(float)
    elif best.kind == "xgboost":
        scores = est.get_booster().get_score(importance_type="gain")
        values = np.array([scores.get(f"f{i}", 0.0) for i in range(len(names))])
    elif best.kind == "logistic_regression":
        values = np.abs(est[-1].coef_[0][: len(names)])
    else:
        rows = np.random.default_rng(seed).permutation(len(data.y_val))[:3000]
        found = permutation_importance(
            est,
            data.x_val[rows],
            data.y_val[rows],
            scoring="average_precision",
            n_repeats=3,
            random_state=seed,
        )
        values = np.clip(found.importances_mean, 0, None)
    total = float(values.sum()) or 1.0
    ranked = sorted(zip(names, values / total, strict=True), key=lambda p: -p[1])
    return [{"feature": n, "importance": round(float(v), 6)} for n, v in ranked]
