"""What a model's page and ``GET /api/models/{id}`` show an analyst, from the version's
``performance.json``, ``curves.json`` and ``schema.json``: the confusion matrix at the
threshold in force (a saved one, else the trained one), the threshold curve, precision@k
and lift, the search's trials, metrics and features under names people read, the
precision-recall curve with the chosen point and its baseline, and the calibration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from entrepot.catalog.feedback.records import ThresholdRecord
from entrepot.fraud.model.tradeoffs import confusion_at
from entrepot.fraud_service import glossary

#: Metrics listed first on the page, in this order.
SHOWN_METRICS = (
    "auprc",
    "roc_auc",
    "precision",
    "recall",
    "f1",
    "brier",
    "base_rate",
    "rows",
    "frauds",
)
#: Counts of the test split: shown as integers, never taken from the whole file's metrics.
TEST_COUNTS = ("rows", "frauds")


def _entities(schema: Mapping[str, Any], kind: str) -> list[str]:
    columns = schema.get("columns", [])
    return [
        str(c["name"])
        for c in columns
        if c.get("role") == "entity" and c.get("entity_kind") == kind
    ][:2]


def analyst_view(
    performance: Mapping[str, Any],
    curves: Mapping[str, Any],
    schema: Mapping[str, Any],
    metrics: Mapping[str, float],
    saved: ThresholdRecord | None,
    lang: str = "en",
) -> dict[str, Any]:
    """The analyst's view of one model version (see the module docstring)."""
    test: Mapping[str, Any] = performance.get("test", {})
    trained = test.get("threshold")
    threshold = saved.threshold if saved is not None else trained
    kept = curves.get("test_scores")
    if isinstance(kept, dict) and threshold is not None:
        matrix: Mapping[str, Any] | None = confusion_at(kept, float(threshold))
    else:
        matrix = test.get("confusion_matrix") if saved is None else None
    confusion = None
    if matrix is not None:
        confusion = {
            **matrix,
            "threshold": threshold,
            "test_rows": test.get("rows"),
            "base_rate": test.get("base_rate"),
        }
    values = {k: test[k] for k in SHOWN_METRICS if k in test}
    values.update({k: int(test[k]) for k in TEST_COUNTS if test.get(k) is not None})
    values.update({k: v for k, v in metrics.items() if k not in values and k not in TEST_COUNTS})
    explained = []
    for key, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            name, meaning = glossary.metric(key, lang)
            explained.append({"key": key, "name": name, "meaning": meaning, "value": value})
    customers, counterparties = _entities(schema, "customer"), _entities(schema, "counterparty")
    importances = [
        {
            "feature": item["feature"],
            "name": glossary.feature(str(item["feature"]), lang, customers, counterparties),
            "importance": item["importance"],
        }
        for item in curves.get("importance") or performance.get("feature_importances", [])[:20]
    ]
    pr = curves.get("precision_recall")
    if isinstance(pr, dict):
        pr = {
            **pr,
            "chosen": {"recall": test.get("recall"), "precision": test.get("precision")},
            "baseline_label": glossary.metric("base_rate", lang)[0],
        }
    selection = performance.get("selection", {})
    return {
        "threshold": {
            "value": threshold,
            "trained": trained,
            "saved": None
            if saved is None
            else {"threshold": saved.threshold, "set_by": saved.set_by, "set_at": saved.set_at},
        },
        "confusion_matrix": confusion,
        "threshold_curve": curves.get("threshold_curve", []),
        "cost_ratio": curves.get("cost_ratio"),
        "precision_at_k": test.get("precision_at_k", {}),
        "lift": curves.get("lift", []),
        "trials": selection.get("trials", []),
        "chosen_trial": selection.get("chosen_trial"),
        "metrics_explained": explained,
        "importances": importances,
        "precision_recall": pr,
        "calibration": {**curves.get("calibration", {}), "bins": "quantile"},
    }


#: Test figures two versions are compared on.
COMPARED = ("auprc", "roc_auc", "precision", "recall", "f1", "brier", "threshold")


def test_figures(performance: Mapping[str, Any]) -> dict[str, Any]:
    """A version's test metrics and confusion matrix, for a side-by-side comparison."""
    test: Mapping[str, Any] = performance.get("test", {})
    return {
        **{key: test.get(key) for key in COMPARED},
        "confusion_matrix": test.get("confusion_matrix"),
        "test_rows": test.get("rows"),
        "test_frauds": test.get("frauds"),
        "feedback_rows": performance.get("data", {}).get("added_rows", 0),
    }
