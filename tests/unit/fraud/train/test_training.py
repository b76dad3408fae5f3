"""Training end to end on generated data: honest splits, saved artefacts, refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.errors import (
    MissingColumns,
    NoTargetFound,
    NoUsableFeatures,
    SingleClass,
    TooFewRows,
)
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.train.result import TrainingResult
from entrepot.fraud.train.search import DEFAULTS, KINDS, Data, fit_one
from entrepot.fraud.train.training import train
from tests.support.clock import TickingClock


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    return generate("card_payments", 8000, fraud_rate=0.04, seed=21)


@pytest.fixture(scope="module")
def result(dataset: GeneratedDataset) -> TrainingResult:
    return train(
        dataset.frame,
        time_budget=3,
        models=("lightgbm", "logistic_regression"),
        clock=TickingClock(),
    )


def test_the_model_finds_fraud_on_a_later_period(result: TrainingResult) -> None:
    perf = result.performance
    test = perf["test"]
    assert perf["data"]["split"] == "time"
    assert test["auprc"] > 5 * test["base_rate"]
    assert test["roc_auc"] > 0.8
    splits = perf["data"]["splits"]
    assert splits["validation"]["start"] >= splits["train"]["end"]
    assert splits["test"]["start"] >= splits["validation"]["end"]
    assert sum(test["confusion_matrix"].values()) == splits["test"]["rows"] == 1600


def test_performance_report_is_complete(result: TrainingResult) -> None:
    perf = result.performance
    for key in ("auprc", "roc_auc", "precision", "recall", "precision_at_k", "brier"):
        assert key in perf["test"]
    assert perf["calibration"]["fitted_on"] == "validation"
    assert perf["calibration"]["method"] in ("isotonic", "sigmoid")
    assert perf["threshold"]["chosen_on"] == "validation"
    assert 0 < perf["threshold"]["value"] < 1
    trials = perf["selection"]["trials"]
    assert {t["model"] for t in trials} == {"lightgbm", "logistic_regression"}
    chosen = trials[perf["selection"]["chosen_trial"]]
    assert perf["selection"]["chosen_validation_auprc"] == pytest.approx(chosen["validation_auprc"])
    assert perf["model"]["kind"] == chosen["model"]
    assert perf["model"]["stage"] == chosen["stage"]
    unrefined = max(t["validation_auprc"] for t in trials if t["stage"] != "refined")
    assert chosen["stage"] == "refined" or chosen["validation_auprc"] == pytest.approx(unrefined)
    importances = perf["feature_importances"]
    assert sum(i["importance"] for i in importances) == pytest.approx(1.0, abs=1e-3)
    assert perf["training_time_seconds"]["total"] > 0
    assert perf["data"]["frauds"] == 320


def test_save_and_load(result: TrainingResult, dataset: GeneratedDataset, tmp_path: Path) -> None:
    written = result.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == [
        "model.joblib",
        "performance.json",
        "schema.json",
    ]
    schema = json.loads(written["schema"].read_text())
    assert schema["target"] == dataset.target
    assert schema["timestamp"] == dataset.columns["timestamp"]
    assert dataset.columns["amount"] in schema["input_columns"]
    assert dataset.columns["transaction_id"] in schema["id_columns"]
    perf = json.loads(written["performance"].read_text())
    assert perf["test"]["auprc"] == pytest.approx(result.performance["test"]["auprc"])
    loaded = FraudModel.load(written["model"])
    sample = dataset.frame.tail(300)
    np.testing.assert_allclose(loaded.predict_proba(sample), result.model.predict_proba(sample))
    assert set(np.unique(loaded.predict(sample))) <= {0, 1}


def test_scoring_with_absent_columns(result: TrainingResult, dataset: GeneratedDataset) -> None:
    sample = dataset.frame.tail(50)
    partial = sample.drop(columns=[dataset.columns["amount"]])
    proba = result.model.predict_proba(partial)
    assert proba.shape == (50,)
    assert np.isfinite(proba).all()
    assert result.model.coverage(partial) < 1.0
    with pytest.raises(MissingColumns, match="none of the model's input columns"):
        result.model.predict_proba(pd.DataFrame({"x": [1, 2]}))


@pytest.mark.slow  # a training over 15 s (make unit leaves it out)
def test_every_model_family_fits_and_scores() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 5))
    x[rng.random(x.shape) < 0.05] = np.nan
    y = (np.nan_to_num(x[:, 0]) + rng.normal(0, 0.5, 1200) > 1.5).astype(int)
    data = Data(x[:700], y[:700], x[700:900], y[700:900], x[900:], y[900:])
    for kind in KINDS:
        model, _ = fit_one(kind, dict(DEFAULTS[kind]), data, math.inf, 0, 1)  # no deadline
        proba = model.predict_proba(data.x_val)[:, 1]
        assert np.isfinite(proba).all(), kind
        assert proba[data.y_val == 1].mean() > proba[data.y_val == 0].mean(), kind


def test_no_timestamp_means_a_stratified_split() -> None:
    frame = generate("ecommerce", 3000, fraud_rate=0.05, seed=4, variety=False).frame
    frame = frame.drop(columns=["timestamp"])
    found = train(frame, time_budget=1, models=("logistic_regression",), clock=TickingClock())
    assert found.performance["data"]["split"] == "stratified"
    assert any("no timestamp" in w for w in found.performance["warnings"])


def test_bad_input_is_refused_with_what_was_found() -> None:
    frame = generate("atm", 3000, fraud_rate=0.05, seed=1, variety=False).frame
    with pytest.raises(NoTargetFound):
        train(frame.drop(columns=["is_fraud"]), time_budget=1)
    with pytest.raises(SingleClass, match="single class: 0"):
        train(frame.assign(is_fraud=0), target="is_fraud", time_budget=1)
    few = pd.concat([frame[frame.is_fraud == 1].head(4), frame[frame.is_fraud == 0].head(76)])
    with pytest.raises(TooFewRows, match=r"found 80 labelled rows with 4 frauds"):
        train(few, target="is_fraud", time_budget=1)
    ids_only = frame[["transaction_id", "is_fraud"]]
    with pytest.raises(NoUsableFeatures, match=r"transaction_id \(id\)"):
        train(ids_only, time_budget=1)


def test_the_model_learns_from_every_training_row(dataset: GeneratedDataset) -> None:
    found = train(
        dataset.frame, time_budget=1, models=("logistic_regression",), clock=TickingClock()
    )
    assert found.splits is not None
    scaler = found.model.estimator[1]
    assert scaler.n_samples_seen_ == len(found.splits.train) == 4800
    assert found.performance["model"]["fitted_on"] == "train"
    splits = found.splits
    rows = [splits.train, splits.validation, splits.gap, splits.test]
    assert np.array_equal(np.sort(np.concatenate(rows)), np.arange(8000))  # each row once
    assert len(splits.gap) > 0  # the label delay's rows before the test period


def test_thinned_training_keeps_validation_and_test_whole(
    dataset: GeneratedDataset, result: TrainingResult
) -> None:
    thinned = train(
        dataset.frame,
        time_budget=2,
        models=("logistic_regression", "hist_gradient_boosting"),
        max_legitimate=1000,
        label_features=False,
        clock=TickingClock(),
    )
    fit = thinned.performance["model"]["fit_rows"]
    assert fit["legitimate"] == 1000
    assert fit["frauds"] == result.performance["data"]["splits"]["train"]["frauds"]
    assert fit["legitimate_weight"] == pytest.approx(fit["legitimate_in_train"] / 1000)
    assert thinned.performance["data"]["splits"] == result.performance["data"]["splits"]
    # Without label features HistGradientBoosting is left out (it cannot bin a feature
    # that is always missing), and the risk features are.
    assert {t.kind for t in thinned.trials} == {"logistic_regression"}
    assert not thinned.model.features.uses_labels
    assert result.performance["model"]["fit_rows"]["legitimate_weight"] == 1.0
