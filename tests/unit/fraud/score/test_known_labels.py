"""Issue 25 item 2: a scored file given the labels known so far (late labels).

Late labels raise the AUPRC on compromised terminals; a row never reads a label at or
after its own time minus the label delay; a labelled history file is the same as the
labels of earlier rows of one file. AUPRC here is scikit-learn's, from the generator's
labels."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.errors import FraudError, MissingColumns
from entrepot.fraud.match.description import describe
from entrepot.fraud.model.calibration import Calibrator
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec
from entrepot.fraud.model.metrics import choose_threshold
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.known_labels import KnownLabels, labelled_history, own_labels
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.domains import get_domain
from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.train.search import DEFAULTS, Data, fit_one

ROWS = 16_000
DELAY_DAYS = 7


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    """ATM withdrawals whose frauds are all compromised terminals (four weeks at ~80 %)."""
    domain = replace(get_domain("atm"), scenarios=(("compromised_terminal", 1.0),))
    return generate(domain, ROWS, fraud_rate=0.03, seed=11, variety=False)


@pytest.fixture(scope="module")
def model(dataset: GeneratedDataset) -> FraudModel:
    """Trained on the first half, with past labels among its features, as training builds
    a model but with one fixed configuration (LightGBM's defaults, seed 3, one thread,
    boosting stopped on the validation rows only, no deadline): no timed search, so the
    model does not depend on how loaded the machine is."""
    half = ROWS // 2
    earlier = dataset.frame.iloc[:half].reset_index(drop=True)
    y = dataset.labels[:half].astype(np.int8)
    spec = FeatureSpec.from_analysis(analyze(earlier, target=dataset.target))
    fit, val = np.arange(half * 7 // 10), np.arange(half * 7 // 10, half)  # time order
    builder = FeatureBuilder(spec, label_delay_days=DELAY_DAYS).fit(earlier.iloc[fit], y[fit])
    # As training replays them: the validation rows read the labels of the fit rows only.
    x = builder.transform_labelled(earlier, np.where(fit_mask(half, fit), y, np.nan))
    x = x.to_numpy(dtype=float)
    builder.remember(earlier, y)
    data = Data(x[fit], y[fit], x[val], y[val], x[val], y[val])
    estimator, _ = fit_one("lightgbm", dict(DEFAULTS["lightgbm"]), data, np.inf, 3, 1)
    scores = positive_scores(estimator, x[val])
    calibrator = Calibrator.fit(scores, y[val])
    threshold = choose_threshold(y[val], calibrator(scores))
    model = FraudModel(builder, estimator, calibrator, threshold, "lightgbm", None, {})
    assert model.features.uses_labels
    return model


def fit_mask(rows: int, fit: np.ndarray) -> np.ndarray:
    mask = np.zeros(rows, dtype=bool)
    mask[fit] = True
    return mask


def _later(dataset: GeneratedDataset) -> tuple[pd.DataFrame, np.ndarray]:
    later = dataset.frame.iloc[ROWS // 2 :].reset_index(drop=True)
    return later.drop(columns=[dataset.target]), dataset.labels[ROWS // 2 :].astype(float)


def _reference(model: FraudModel, frame: pd.DataFrame) -> Ensemble:
    """The model as a reference applied to another source: without its training tail."""
    single = from_model(model, {}, {}, describe(frame), name="atm", version="1")
    return Ensemble((replace(single.members[0], history=False),), single.models)


def test_late_labels_raise_the_auprc_on_compromised_terminals(
    dataset: GeneratedDataset, model: FraudModel
) -> None:
    frame, y = _later(dataset)
    ensemble = _reference(model, frame)
    blind = score(frame, ensemble, explain=False)["fraud_probability"].to_numpy()
    told = score(frame, ensemble, explain=False, known=KnownLabels(rows=y))
    with_labels = told["fraud_probability"].to_numpy()
    without, with_ = average_precision_score(y, blind), average_precision_score(y, with_labels)
    assert with_ > without + 0.1, (without, with_)


def test_late_labels_and_explanations_go_together(
    dataset: GeneratedDataset, model: FraudModel
) -> None:
    """Regression: scoring with known labels and explanations crashed (a KeyError naming
    a column), the known labels having replaced the columns the explanations read."""
    frame, y = _later(dataset)
    frame, y = frame.iloc[:2000].reset_index(drop=True), y[:2000]
    ensemble = _reference(model, frame)
    told = score(frame, ensemble, known=KnownLabels(rows=y))
    plain = score(frame, ensemble, explain=False, known=KnownLabels(rows=y))
    np.testing.assert_array_equal(told["fraud_probability"], plain["fraud_probability"])
    flagged = told["fraud_probability"] >= ensemble.threshold
    assert flagged.any() and (told.loc[flagged, "explanation"] != "").any()


def test_no_label_at_or_after_the_row_time_minus_the_delay_is_read(
    dataset: GeneratedDataset, model: FraudModel
) -> None:
    frame, y = _later(dataset)
    ensemble = _reference(model, frame)
    times = pd.to_datetime(frame[dataset.columns["timestamp"]]).to_numpy()
    base = score(frame, ensemble, explain=False, known=KnownLabels(rows=y))
    rng = np.random.default_rng(0)
    start = times.min()
    for days in (10, 25, 40):
        cut = start + np.timedelta64(days, "D")
        future = times >= cut - np.timedelta64(DELAY_DAYS, "D")
        altered = y.copy()
        altered[future] = rng.permutation(1 - altered[future])  # flipped and shuffled
        again = score(frame, ensemble, explain=False, known=KnownLabels(rows=altered))
        before = times < cut
        assert before.any() and not before.all()
        np.testing.assert_array_equal(
            base["fraud_probability"].to_numpy()[before],
            again["fraud_probability"].to_numpy()[before],
        )
        # The labels do feed the later rows: the test can fail.
        assert not np.array_equal(
            base["fraud_probability"].to_numpy()[~before],
            again["fraud_probability"].to_numpy()[~before],
        )


def test_a_labelled_history_file_is_the_earlier_rows_labels(
    dataset: GeneratedDataset, model: FraudModel
) -> None:
    frame, y = _later(dataset)
    cut = len(frame) // 2
    ensemble = _reference(model, frame)
    as_rows = y.copy()
    as_rows[cut:] = np.nan
    whole = score(frame, ensemble, explain=False, known=KnownLabels(rows=as_rows))
    history = frame.iloc[:cut].assign(**{dataset.target: y[:cut].astype(int)})
    known = labelled_history(history, dataset.target)
    assert known.count == cut and known.frauds() == int(y[:cut].sum())
    rest = frame.iloc[cut:].reset_index(drop=True)
    part = score(rest, _reference(model, rest), explain=False, known=known)
    np.testing.assert_allclose(
        part["fraud_probability"].to_numpy(), whole["fraud_probability"].to_numpy()[cut:]
    )


def test_a_file_s_own_partly_filled_label_gives_its_known_rows(
    dataset: GeneratedDataset,
) -> None:
    for rows in (slice(0, 200), slice(ROWS // 2, ROWS)):  # only legitimate rows known; both
        frame = dataset.frame.iloc[rows].reset_index(drop=True)
        truth = dataset.labels[rows].astype(float)
        half = len(frame) // 2
        frame.loc[half:, dataset.target] = np.nan  # not known yet
        rest, labels = own_labels(frame, dataset.target)
        assert dataset.target not in rest.columns
        np.testing.assert_array_equal(labels[:half], truth[:half])
        assert np.isnan(labels[half:]).all()


def test_bad_known_labels_are_refused_with_what_is_wrong(
    dataset: GeneratedDataset, model: FraudModel
) -> None:
    frame, y = _later(dataset)
    ensemble = _reference(model, frame)
    with pytest.raises(ValueError, match="known labels for"):
        score(frame, ensemble, explain=False, known=KnownLabels(rows=y[:10]))
    history = frame.head(50).drop(columns=[dataset.columns["counterparty"]])
    known = KnownLabels(history=history, history_labels=y[:50])
    with pytest.raises(MissingColumns, match="lacks columns"):
        score(frame, ensemble, explain=False, known=known)
    empty = frame.head(50).assign(**{dataset.target: np.nan, "other": [0, 1] * 25})
    with pytest.raises(FraudError):
        labelled_history(empty, dataset.target)
