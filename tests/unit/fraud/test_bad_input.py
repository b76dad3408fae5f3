"""Bad input, as the issue lists it: each refusal says what was found and what to do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.errors import (
    FraudError,
    NoMatchingReference,
    NoTargetFound,
    NoUsableColumns,
    NoUsableFeatures,
    SingleClass,
    TooFewRows,
)
from entrepot.fraud.match.description import describe
from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.scoring import evaluate_frame
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.training import train
from tests.support.fraud import small_library


def _says_what_to_do(error: FraudError) -> None:
    assert error.hint
    assert error.hint in str(error)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate("card_payments", 3000, fraud_rate=0.05, seed=9, variety=False).frame


def test_no_plausible_target(frame: pd.DataFrame) -> None:
    unlabelled = frame.drop(columns=["is_fraud"]).assign(is_weekend=lambda f: f.index % 7 > 4)
    with pytest.raises(NoTargetFound, match="no column is clearly the fraud label") as err:
        train(unlabelled, time_budget=1)
    assert "is_weekend" in str(err.value)  # the two-valued candidate it found
    _says_what_to_do(err.value)
    ensemble, _ = from_library(describe(unlabelled), small_library())
    with pytest.raises(NoTargetFound):
        evaluate_frame(unlabelled.drop(columns=["is_weekend"]), ensemble)


def test_a_single_class(frame: pd.DataFrame) -> None:
    with pytest.raises(SingleClass, match="single class: 0") as err:
        train(frame.assign(is_fraud=0), target="is_fraud", time_budget=1)
    _says_what_to_do(err.value)


def test_too_few_rows(frame: pd.DataFrame) -> None:
    few = pd.concat([frame[frame.is_fraud == 1].head(6), frame[frame.is_fraud == 0].head(54)])
    with pytest.raises(TooFewRows, match=r"found 60 labelled rows with 6 frauds") as err:
        train(few, target="is_fraud", time_budget=1)
    assert "at least 100 rows" in str(err.value)
    _says_what_to_do(err.value)


def test_all_missing_columns(frame: pd.DataFrame) -> None:
    blank = pd.DataFrame(np.nan, index=frame.index, columns=["amount", "country", "when"])
    blank["is_fraud"] = frame["is_fraud"]
    with pytest.raises(NoUsableFeatures, match=r"amount \(empty\)") as err:
        train(blank, time_budget=1)
    _says_what_to_do(err.value)
    with pytest.raises(NoUsableColumns, match=r"country \(empty\)") as scoring_err:
        describe(blank.drop(columns=["is_fraud"]))
    _says_what_to_do(scoring_err.value)
    partly = frame.assign(notes=np.nan)
    assert any("all-missing columns ignored: notes" in w for w in analyze(partly).warnings)


def test_a_schema_that_matches_nothing() -> None:
    rng = np.random.default_rng(0)
    sensors = pd.DataFrame(
        {"sensor": rng.choice(["a1", "b2", "c3"], 500), "reading": rng.normal(0, 1, 500)}
    )
    with pytest.raises(NoMatchingReference, match="no reference model matches") as err:
        from_library(describe(sensors), small_library())
    assert "ref-" in str(err.value)  # names the closest references and their scores
    _says_what_to_do(err.value)
