"""Column roles, label detection with candidates, and clear refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.errors import NoTargetFound, SingleClass, TargetNotFound
from entrepot.fraud.schema.analysis import analyze, require_target
from entrepot.fraud.schema.names import normalise, tokens
from entrepot.fraud.schema.roles import COUNTERPARTY, CUSTOMER
from entrepot.fraud.synth.generator import generate

EXPECTED = {
    "transaction_id": "id",
    "timestamp": "timestamp",
    "customer": "entity",
    "counterparty": "entity",
    "amount": "amount",
    "label": "target",
}
CASES = [(d, lang, seed) for seed in (0, 1) for lang in ("en", "fr") for d in (
    "card_payments", "ecommerce", "mobile_money", "wire_transfers", "atm", "corporate_payments",
    "mobile_banking", "crypto_gateway", "mortgage_payments", "trading", "insurance_claims",
    "retail_pos", "p2p_lending",
)]  # fmt: skip


def test_name_tokens() -> None:
    assert tokens("MontantRéglé") == ("montant", "regle")
    assert tokens("TX_DATETIME") == ("tx", "datetime")
    assert tokens("isFraud") == ("is", "fraud")
    assert normalise("Customer ID ") == "customer_id"


@pytest.mark.parametrize(("domain", "lang", "seed"), CASES)
def test_roles_and_label_of_generated_tables(domain: str, lang: str, seed: int) -> None:
    data = generate(domain, 2500, fraud_rate=0.04, seed=seed, lang=lang)  # type: ignore[arg-type]
    analysis = analyze(data.frame)
    assert analysis.target == data.target
    assert analysis.fraud_rate == pytest.approx(0.04)
    for key, role in EXPECTED.items():
        assert analysis.column(data.columns[key]).role == role, key
    assert analysis.column(data.columns["customer"]).entity_kind == CUSTOMER
    assert analysis.column(data.columns["counterparty"]).entity_kind == COUNTERPARTY
    assert analysis.timestamp == data.columns["timestamp"]
    assert analysis.amount == data.columns["amount"]
    scores = [c.score for c in analysis.candidates]
    assert scores == sorted(scores, reverse=True)
    assert len(analysis.candidates) <= 3
    assert analysis.candidates[0].column == data.target


def test_missing_counts_and_all_missing_columns() -> None:
    frame = generate("atm", 1000, seed=2, variety=False).frame
    frame["empty"] = np.nan
    frame.loc[:99, "amount"] = np.nan
    analysis = analyze(frame)
    assert analysis.column("empty").role == "empty"
    assert analysis.column("amount").missing == 100
    assert "empty" not in analysis.feature_columns
    assert any("all-missing columns ignored: empty" in w for w in analysis.warnings)


def test_unlabelled_data_is_not_an_error_but_training_needs_a_label() -> None:
    data = generate("retail_pos", 2000, seed=1, variety=False)
    analysis = analyze(data.frame.drop(columns=[data.target]))
    assert not analysis.labelled
    assert analysis.fraud_rate is None
    with pytest.raises(NoTargetFound, match="no column is clearly the fraud label") as caught:
        require_target(analysis)
    assert "is_refund (score" in str(caught.value)
    assert "--target" in str(caught.value)
    bare = analyze(generate("ecommerce", 500, seed=1, variety=False).frame.drop(columns="is_fraud"))
    with pytest.raises(NoTargetFound, match="no column has exactly two values"):
        require_target(bare)


def test_a_yes_no_column_without_a_label_name_is_a_candidate_not_the_target() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"amount": rng.random(500) * 100, "is_weekend": rng.random(500) < 0.05},
    )
    analysis = analyze(frame)
    assert analysis.target is None
    assert analysis.candidates[0].column == "is_weekend"
    assert analysis.candidates[0].score < 0.5
    with pytest.raises(NoTargetFound, match="is_weekend"):
        require_target(analysis)


@pytest.mark.parametrize(
    ("values", "positive"),
    [(["oui", "non"], "oui"), (["legit", "fraud"], "fraud"), ([True, False], True)],
)
def test_label_renderings(values: list[object], positive: object) -> None:
    n = 200
    label = [values[0] if i % 10 == 0 else values[1] for i in range(n)]
    if positive != values[0]:
        label = [values[1] if i % 10 == 0 else values[0] for i in range(n)]
    frame = pd.DataFrame({"amount": np.arange(n, dtype=float), "fraude": label})
    analysis = analyze(frame)
    assert analysis.target == "fraude"
    assert analysis.positive == positive
    assert analysis.frauds == 20


def test_user_target_errors_name_what_was_found() -> None:
    frame = pd.DataFrame({"amount": [1.0, 2.0, 3.0], "label": [0, 0, 0], "kind": ["a", "b", "c"]})
    with pytest.raises(TargetNotFound, match="amount, label, kind"):
        analyze(frame, target="fraud")
    with pytest.raises(SingleClass, match="single class: 0"):
        analyze(frame, target="label")
    with pytest.raises(NoTargetFound, match="3 distinct values"):
        analyze(frame, target="kind")


def test_a_column_derived_from_the_label_is_flagged_as_a_leak() -> None:
    data = generate("card_payments", 3000, fraud_rate=0.05, seed=3, variety=False)
    frame = data.frame.assign(fraud_scenario=data.scenario)
    analysis = analyze(frame)
    assert analysis.target == "is_fraud"
    assert analysis.column("fraud_scenario").role == "leak"
    assert "fraud_scenario" not in analysis.feature_columns
    assert any("fraud_scenario" in w and "derived" in w for w in analysis.warnings)


def test_analysis_serialises() -> None:
    data = generate("trading", 1500, fraud_rate=0.05, seed=0)
    summary = analyze(data.frame).to_dict()
    assert summary["target"] == data.target
    assert summary["labelled"] is True
    assert len(summary["columns"]) == len(data.frame.columns)  # type: ignore[arg-type]
    assert summary["target_candidates"][0]["score"] >= 0.5  # type: ignore[index]


def test_a_one_row_file_keeps_the_roles_its_values_and_names_show() -> None:
    """Regression: every column of a one-row file was 'constant', so it could not be scored."""
    from entrepot.fraud.schema.analysis import analyze

    row = pd.DataFrame(
        {
            "transaction_id": [26696],
            "customer_id": [96],
            "amount": [49.54],
            "timestamp": ["2023-12-18 00:50:27"],
            "channel": ["app"],
        }
    )
    roles = {c.name: c.role for c in analyze(row).columns}
    assert roles == {
        "transaction_id": "id",
        "customer_id": "entity",
        "amount": "amount",
        "timestamp": "timestamp",
        "channel": "categorical",
    }
    tall = pd.concat([row] * 30, ignore_index=True)
    assert {c.role for c in analyze(tall).columns} == {"constant"}
