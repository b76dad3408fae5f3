"""Issue 41 item 2: the label-free estimate beside the card's promise."""

from __future__ import annotations

from typing import Any

from entrepot.fraud_service.promised import WIDENED, with_promise


def _estimate(low: float, high: float) -> dict[str, Any]:
    figure = {"value": (low + high) / 2, "low": low, "high": high}
    return {"precision": dict(figure), "recall": dict(figure), "assumptions": []}


def _promise(low: float, high: float, beyond: int = 0, rows: int = 100) -> dict[str, Any]:
    figure = {"value": (low + high) / 2, "low": low, "high": high}
    return {
        "precision": figure,
        "recall": figure,
        "auprc": figure,
        "covered_days": 60,
        "beyond_rows": beyond,
        "rows_by_horizon": [{"from_days": 7, "rows": rows}],
    }


def test_no_promise_changes_nothing() -> None:
    summary, found = with_promise({"trust": {"level": "high"}}, _estimate(0.5, 0.7), None)
    assert found == _estimate(0.5, 0.7)
    assert "expected" not in summary


def test_an_estimate_that_disagrees_with_the_card_holds_both_and_says_so() -> None:
    summary, found = with_promise({"trust": {}}, _estimate(0.7, 0.9), _promise(0.4, 0.6))
    assert (found["precision"]["low"], found["precision"]["high"]) == (0.4, 0.9)
    assert found["precision"]["value"] == 0.8  # the estimate's own figure stays
    assert [a["key"] for a in found["assumptions"]] == [WIDENED]
    assert summary["expected"]["auprc"]["low"] == 0.4


def test_an_estimate_that_already_holds_the_card_is_not_touched() -> None:
    _, found = with_promise({"trust": {}}, _estimate(0.3, 0.9), _promise(0.4, 0.6))
    assert found == _estimate(0.3, 0.9)


def test_a_file_mostly_beyond_the_cards_horizons_is_not_trusted_high() -> None:
    high = {"trust": {"level": "high", "message": {"key": "trust.high"}}}
    summary, _ = with_promise(high, _estimate(0.3, 0.9), _promise(0.4, 0.6, beyond=51))
    assert summary["trust"]["level"] == "medium"
    assert summary["trust"]["message"]["key"] == "trust.beyond_labels"
    assert summary["trust"]["message"]["params"]["rows"] == 51
    summary, _ = with_promise(high, _estimate(0.3, 0.9), _promise(0.4, 0.6, beyond=49))
    assert summary["trust"]["level"] == "high"


def test_a_promise_spanning_most_of_the_scale_is_not_trusted_high() -> None:
    high = {"trust": {"level": "high", "message": {"key": "trust.high"}}}
    summary, _ = with_promise(high, _estimate(0.3, 0.9), _promise(0.05, 0.95))
    assert summary["trust"]["message"]["key"] == "trust.card_unsettled"
    assert summary["trust"]["level"] == "medium"
    assert summary["expected"]["promises"] is False, "a range that wide is no figure"
    summary, _ = with_promise(high, _estimate(0.3, 0.9), _promise(0.2, 0.6))
    assert summary["trust"]["level"] == "high"
    assert summary["expected"]["promises"] is True


def test_a_promise_widened_by_the_files_age_says_so() -> None:
    """ADR 0096: a wide promise for a file further after the card's test period than the
    span the card watched its figures over says that, in days."""
    high = {"trust": {"level": "high", "message": {"key": "trust.high"}}}
    aged = {**_promise(0.05, 0.95), "elapsed_days": 40.4, "observed_days": 11.2}
    summary, _ = with_promise(high, _estimate(0.3, 0.9), aged)
    message = summary["trust"]["message"]
    assert summary["trust"]["level"] == "medium" and message["key"] == "trust.card_aged"
    assert message["params"]["days"] == {"count": 40, "words": "common.day_count"}
    assert message["params"]["observed"] == {"count": 11, "words": "common.day_count"}
    within = {**_promise(0.05, 0.95), "elapsed_days": 5.0, "observed_days": 11.2}
    summary, _ = with_promise(high, _estimate(0.3, 0.9), within)
    assert summary["trust"]["message"]["key"] == "trust.card_unsettled"
