"""The model page's counts are the test split's, as integers (issue 42 item 5)."""

from __future__ import annotations

from entrepot.fraud_service.model_view import analyst_view


def test_frauds_shown_are_the_test_splits_as_integers() -> None:
    performance = {"test": {"rows": 4000, "frauds": 42, "auprc": 0.5, "threshold": 0.3}}
    whole_file = {"frauds": 160.0, "rows": 20000.0, "auprc": 0.5}
    view = analyst_view(performance, {}, {}, whole_file, None)
    shown = {item["key"]: item["value"] for item in view["metrics_explained"]}
    assert shown["frauds"] == 42 and isinstance(shown["frauds"], int)
    assert shown["rows"] == 4000 and isinstance(shown["rows"], int)
