"""What a model's page and ``GET /api/models/{id}`` show an analyst, from the version's
``performance.json``, ``curves.json`` and ``schema.json``: the figures at the threshold in
force (a saved one, else the trained one: confusion matrix, precision, recall; one
threshold for the whole page, :mod:`entrepot.fraud_service.threshold_view`), the
threshold curve, precision@k
and lift, the search's trials, metrics and features under names people read, the
precision-recall curve with the chosen point and its baseline, and the calibration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from entrepot.catalog.feedback.records import ThresholdRecord
from entrepot.fraud_service import glossary
from entrepot.fraud_service.threshold_view import at_threshold, curve_with_counts

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
#: Counts of the whole file: whole numbers, shown as integers.
WHOLE_COUNTS = ("labelled_rows",)
#: The registry's metrics that are counts (it keeps every metric as a float).
COUNT_METRICS = WHOLE_COUNTS + TEST_COUNTS


def counted(metrics: Mapping[str, float]) -> dict[str, float | int]:
    """``metrics`` with its counts as integers, as a job's result and the command line
    show them (``labelled_rows: 20000``, never ``20000.0``)."""
    return {
        k: int(v) if k in COUNT_METRICS and float(v).is_integer() else v for k, v in metrics.items()
    }


#: Metrics that depend on the threshold: shown at the one in force.
AT_THRESHOLD = ("threshold", "precision", "recall", "f1")


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
    here = at_threshold(test, curves, threshold)
    curve, current = curve_with_counts(curves, here)
    values = {k: test[k] for k in SHOWN_METRICS if k in test}
    values.update({k: int(test[k]) for k in TEST_COUNTS if test.get(k) is not None})
    values.update({k: v for k, v in metrics.items() if k not in values and k not in TEST_COUNTS})
    for key in WHOLE_COUNTS:
        if isinstance(values.get(key), float) and float(values[key]).is_integer():
            values[key] = int(values[key])
    if here is not None:  # one threshold on the whole page: the one in force
        values.update({k: here[k] for k in AT_THRESHOLD if k in values})
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
            "chosen": {"recall": values.get("recall"), "precision": values.get("precision")},
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
        "confusion_matrix": here,
        "threshold_curve": curve,
        "threshold_index": current,
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
