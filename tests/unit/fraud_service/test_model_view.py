"""The analyst's view of a model from its stored files, old models included, and the
names people read for metrics and features."""

from __future__ import annotations

from datetime import UTC, datetime

from entrepot.catalog.feedback.records import ThresholdRecord
from entrepot.fraud_service import glossary
from entrepot.fraud_service.model_view import analyst_view

PERFORMANCE = {
    "test": {
        "rows": 400,
        "frauds": 20,
        "base_rate": 0.05,
        "auprc": 0.61,
        "threshold": 0.3,
        "recall": 0.5,
        "precision": 0.4,
        "confusion_matrix": {"tn": 365, "fp": 15, "fn": 10, "tp": 10},
        "precision_at_k": {"10": 0.7},
    },
    "feature_importances": [{"feature": "customer0_amount_ratio_30d", "importance": 0.4}],
}
SCHEMA = {"columns": [{"name": "client", "role": "entity", "entity_kind": "customer"}]}


def test_a_model_trained_before_curves_were_kept_still_reads() -> None:
    view = analyst_view(PERFORMANCE, {}, SCHEMA, {"auprc": 0.61, "validation_auprc": 0.5}, None)
    assert view["confusion_matrix"]["tp"] == 10 and view["confusion_matrix"]["test_rows"] == 400
    assert view["threshold_curve"] == [] and view["lift"] == []
    assert view["threshold"] == {"value": 0.3, "trained": 0.3, "saved": None}
    keys = [m["key"] for m in view["metrics_explained"]]
    assert keys[0] == "auprc" and "validation_auprc" in keys
    (importance,) = view["importances"]
    assert importance["name"] == "amount vs this customer's 30-day mean (client)"


def test_a_saved_threshold_without_kept_scores_shows_no_stale_matrix() -> None:
    saved = ThresholdRecord(7, 0.5, "a@example.com", datetime(2026, 1, 1, tzinfo=UTC))
    view = analyst_view(PERFORMANCE, {}, SCHEMA, {}, saved)
    assert view["threshold"]["value"] == 0.5 and view["confusion_matrix"] is None


def test_names_people_read_in_english_and_french() -> None:
    assert glossary.metric("brier", "fr")[0] == "Score de Brier"
    assert glossary.metric("unknown_metric") == ("unknown_metric", "")
    assert glossary.feature("hour_sin", "fr") == "heure"
    assert glossary.feature("counterparty0_risk_7d", "en", (), ("terminal",)) == (
        "counterparty's fraud rate over 7 days (terminal)"
    )
    assert glossary.feature("customer0_count_1d", "fr", ("client",)) == (
        "opérations du client sur 1 jour (client)"
    )
    assert glossary.feature("canal__freq") == "how common canal is"
    assert glossary.feature("solde") == "solde"
    assert glossary.lang_of("fr-FR") == "fr" and glossary.lang_of(None) == "en"
