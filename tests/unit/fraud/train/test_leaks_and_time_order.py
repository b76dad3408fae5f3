"""Issue 25, item 5 (part): an input that alone separates the label is a suspected leak,
left out and named unless kept; an integer counter of time orders the split when there is
no timestamp; without any time order the card says the split is random, and why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.errors import UnknownColumns
from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.train.card_messages import (
    LEAK_KEPT,
    NO_TIME_ORDER,
    RANDOM_SPLIT,
    REASON_WORDS,
    SUSPECTED_LEAK,
)
from entrepot.fraud.train.training import train
from tests.support.clock import TickingClock


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    return generate("ecommerce", 8000, seed=11, variety=False, fraud_rate=0.05)


def _with_leaks(data: GeneratedDataset) -> pd.DataFrame:
    """Two columns written after the fact: a chargeback amount (only on frauds) and an
    investigation score (the label plus a little noise)."""
    rng = np.random.default_rng(3)
    y = data.labels
    frame = data.frame.copy()
    frame["chargeback_amount"] = np.where(y == 1, rng.uniform(10, 500, len(y)), np.nan)
    frame["review_score"] = y * 0.8 + rng.uniform(0, 0.5, len(y))
    return frame


def test_an_input_that_alone_separates_the_label_is_left_out_and_named(
    dataset: GeneratedDataset,
) -> None:
    y = dataset.labels
    frame = _with_leaks(dataset)
    for column in ("chargeback_amount", "review_score"):  # they do separate it alone
        alone = frame[column].fillna(-1).to_numpy()
        assert average_precision_score(y, alone) >= 0.99
    found = train(frame, dataset.target, time_budget=1, models=("lightgbm",), clock=TickingClock())
    card = found.performance["card"]
    named = {leak["column"] for leak in card["suspected_leaks"]}
    assert named == {"chargeback_amount", "review_score"}
    assert not named & set(found.model.input_columns)
    keys = {(w["key"], w["params"].get("column")) for w in card["warnings"]}
    assert {(SUSPECTED_LEAK, "chargeback_amount"), (SUSPECTED_LEAK, "review_score")} <= keys
    assert found.performance["test"]["auprc"] < 0.99  # the model did not read them


def test_a_suspected_leak_is_kept_when_asked(dataset: GeneratedDataset) -> None:
    frame = _with_leaks(dataset)
    found = train(
        frame,
        dataset.target,
        time_budget=1,
        models=("lightgbm",),
        keep_columns=("review_score",),
        clock=TickingClock(),
    )
    card = found.performance["card"]
    assert "review_score" in found.model.input_columns
    assert "chargeback_amount" not in found.model.input_columns
    kept = {leak["column"]: leak["kept"] for leak in card["suspected_leaks"]}
    assert kept == {"review_score": True, "chargeback_amount": False}
    assert any(
        w["key"] == LEAK_KEPT and w["params"]["column"] == "review_score" for w in card["warnings"]
    )
    with pytest.raises(UnknownColumns, match="no_such_column"):
        train(frame, dataset.target, time_budget=1, keep_columns=("no_such_column",))


def test_an_honest_file_has_no_suspected_leak(dataset: GeneratedDataset) -> None:
    found = train(
        dataset.frame, dataset.target, time_budget=1, models=("lightgbm",), clock=TickingClock()
    )
    assert found.performance["card"]["suspected_leaks"] == []


def test_a_time_counter_orders_the_split_without_a_timestamp(dataset: GeneratedDataset) -> None:
    stamp = dataset.columns["timestamp"]
    times = pd.to_datetime(dataset.frame[stamp])
    hours = ((times - times.min()).dt.total_seconds() // 3600).astype(int)
    frame = dataset.frame.drop(columns=[stamp]).assign(step=hours.to_numpy())
    shuffled = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    found = train(
        shuffled, dataset.target, time_budget=1, models=("lightgbm",), clock=TickingClock()
    )
    protocol = found.performance["card"]["protocol"]
    assert (protocol["split"], protocol["time_order"]) == ("time", "step")
    assert found.splits is not None
    steps = shuffled["step"].to_numpy()
    assert steps[found.splits.test].min() >= steps[found.splits.validation].max()
    assert steps[found.splits.validation].min() >= steps[found.splits.train].max()
    keys = [w["key"] for w in found.performance["warning_messages"]]
    assert "warning.time_counter" in keys and "warning.no_timestamp" not in keys
    said = found.performance["warnings"][keys.index("warning.time_counter")]
    assert "time counter 'step'" in said and "random" not in said


def test_without_any_time_order_the_card_says_the_split_is_random(
    dataset: GeneratedDataset,
) -> None:
    frame = dataset.frame.drop(columns=[dataset.columns["timestamp"]])
    found = train(frame, dataset.target, time_budget=1, models=("lightgbm",), clock=TickingClock())
    card = found.performance["card"]
    assert card["protocol"]["split"] == "stratified"
    assert card["protocol"]["random_reason"] == NO_TIME_ORDER
    assert card["headline"]["out_of_time"] is False
    (random,) = [w for w in card["warnings"] if w["key"] == RANDOM_SPLIT]
    assert random["params"] == {"reason": {"word": REASON_WORDS[NO_TIME_ORDER]}}
    said = found.performance["warnings"][found.performance["warning_messages"].index(random)]
    assert said.startswith("no timestamp or integer time counter: the split is random")
