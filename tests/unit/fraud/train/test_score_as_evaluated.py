"""Issue 25, items 1 and 3: the test rows are featured as scoring features them, after a
gap of the label delay, and the card's figures are what their definitions say.

Every expected value here is computed in the test from the documented definition, with
pandas, numpy or scikit-learn, never with the code under test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.train.card import ScoredPeriod, model_card
from entrepot.fraud.train.card_messages import VALIDATION_OUTSIDE
from entrepot.fraud.train.replay import replayed_features
from entrepot.fraud.train.result import TrainingResult
from entrepot.fraud.train.splits import Splits
from entrepot.fraud.train.training import train
from entrepot.i18n.messages import english
from entrepot.messages import Message
from tests.support.clock import TickingClock

ROWS = 12_000


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    return generate("card_payments", ROWS, seed=5, variety=False, fraud_rate=0.05)


@pytest.fixture(scope="module")
def result(dataset: GeneratedDataset) -> TrainingResult:
    return train(
        dataset.frame,
        dataset.target,
        time_budget=2,
        models=("lightgbm",),
        seed=1,
        clock=TickingClock(),
    )


def test_the_test_rows_never_read_their_own_labels(
    dataset: GeneratedDataset, result: TrainingResult
) -> None:
    assert result.splits is not None
    test = result.splits.test
    builder = result.model.features
    y = dataset.labels.copy()
    flipped = y.copy()
    flipped[test] = 1 - flipped[test]
    same = replayed_features(builder, dataset.frame, y, result.splits).iloc[test]
    other = replayed_features(builder, dataset.frame, flipped, result.splits).iloc[test]
    pd.testing.assert_frame_equal(same, other)
    # Reading every label older than the delay, as the evaluation did before, they change.
    before = builder.transform_labelled(dataset.frame, y).iloc[test]
    assert not before.equals(builder.transform_labelled(dataset.frame, flipped).iloc[test])


def test_the_test_rows_are_featured_as_scoring_features_the_next_rows(
    dataset: GeneratedDataset,
) -> None:
    """Trained on the earlier rows, the model scores the later ones from its remembered
    history; the evaluation's features of those rows, as test rows of the whole table,
    are the same (but for the time since a customer's previous transaction, which the
    remembered history of 37 days does not always reach)."""
    cut = ROWS * 5 // 6
    earlier = dataset.frame.iloc[:cut]
    model = train(
        earlier, dataset.target, time_budget=1, models=("lightgbm",), clock=TickingClock()
    ).model
    later = dataset.frame.iloc[cut:].drop(columns=[dataset.target])
    scoring = pd.DataFrame(model.feature_matrix(later), columns=model.features.feature_names_)
    everything = np.arange(ROWS)
    as_test = Splits("time", everything[:cut], everything[:0], everything[cut:])
    replayed = replayed_features(model.features, dataset.frame, dataset.labels, as_test)
    compared = [c for c in scoring.columns if not c.endswith("seconds_since_previous")]
    assert any(c.startswith("counterparty0_risk") for c in compared)
    np.testing.assert_allclose(
        replayed.iloc[cut:][compared].to_numpy(float), scoring[compared].to_numpy(float)
    )


def test_the_test_period_starts_a_label_delay_after_the_rows_that_fit(
    dataset: GeneratedDataset, result: TrainingResult
) -> None:
    assert result.splits is not None
    times = pd.to_datetime(dataset.frame[dataset.columns["timestamp"]])
    fitted = np.concatenate([result.splits.train, result.splits.validation])
    first_test = times.iloc[result.splits.test].min()
    assert first_test - times.iloc[fitted].max() >= pd.Timedelta(days=7)
    protocol = result.performance["card"]["protocol"]
    assert protocol["split"] == "time" and protocol["label_delay_days"] == 7
    assert protocol["gap_rows"] == len(result.splits.gap) > 0
    longer = train(
        dataset.frame,
        dataset.target,
        time_budget=1,
        models=("lightgbm",),
        label_delay_days=14,
        clock=TickingClock(),
    )
    assert longer.splits is not None and len(longer.splits.gap) > len(result.splits.gap)


def test_the_card_figures_follow_their_definitions(
    dataset: GeneratedDataset, result: TrainingResult
) -> None:
    assert result.splits is not None and result.test_proba is not None
    card = result.performance["card"]
    test = result.splits.test
    y, proba = dataset.labels[test], result.test_proba
    assert card["headline"]["value"] == pytest.approx(average_precision_score(y, proba))
    rng = np.random.default_rng(card["headline"]["interval"]["seed"])
    draws = []
    for _ in range(200):
        rows = rng.integers(0, len(y), len(y))
        if 0 < y[rows].sum() < len(rows):
            draws.append(average_precision_score(y[rows], proba[rows]))
    interval = card["headline"]["interval"]
    assert (interval["low"], interval["high"]) == pytest.approx(
        tuple(np.percentile(draws, [2.5, 97.5]))
    )
    threshold = card["at_threshold"]["threshold"]
    rows = pd.DataFrame(
        {
            "day": pd.to_datetime(dataset.frame[dataset.columns["timestamp"]].iloc[test]).dt.date,
            "card": dataset.frame[dataset.columns["customer"]].iloc[test].astype(str),
            "fraud": y,
            "p": proba,
        }
    )
    flagged = rows[rows.p >= threshold]
    assert card["at_threshold"]["precision"] == pytest.approx(flagged.fraud.mean())
    assert card["at_threshold"]["alerts_per_day"] == pytest.approx(
        len(flagged) / rows.day.nunique()
    )
    k = card["review"]["cards_per_day"]
    assert k == 100
    daily = []
    for _, day in rows.groupby("day"):
        cards = day.groupby("card").agg(fraud=("fraud", "max"), p=("p", "max"))
        top = cards.reset_index().sort_values(["p", "card"], ascending=[False, True]).head(k)
        daily.append(top.fraud.sum() / k)
    assert card["review"]["card_precision"] == pytest.approx(np.mean(daily))
    assert card["review"]["days"] == rows.day.nunique()
    assert card["validation"]["value"] == pytest.approx(result.performance["validation"]["auprc"])


def test_a_validation_figure_outside_the_interval_is_a_warning_with_a_key() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.1).astype(int)
    proba = np.clip(y * 0.3 + rng.random(2000) * 0.7, 0, 1)
    period = ScoredPeriod(y, proba, None, np.arange(2000).astype(str))
    test_auprc = float(average_precision_score(y, proba))
    protocol = {"split": "time"}
    far = model_card(
        period, threshold=0.5, test_auprc=test_auprc, validation_auprc=0.99, protocol=protocol
    )
    (warning,) = far["warnings"]
    assert warning["key"] == VALIDATION_OUTSIDE
    params = warning["params"]
    assert params["validation"] == {"number": 0.99, "digits": 3}
    assert params["level"] == {"number": 95, "digits": 0}
    assert params["low"]["number"] <= test_auprc <= params["high"]["number"]
    assert english(Message.from_json(warning)).startswith(
        "the validation AUPRC (0.990) lies outside the 95% interval of the out-of-time test"
    )
    near = model_card(
        period, threshold=0.5, test_auprc=test_auprc, validation_auprc=test_auprc, protocol=protocol
    )
    assert near["warnings"] == []
