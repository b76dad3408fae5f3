"""An ensemble scored with a labelled history is weighed on it (ADR 0045, round 8): each
member by its AUPRC on the history's later half, the pool calibrated to the history's
fraud rate, its AUPRC there kept and said; without enough labels, the label-free fit."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.file_member import file_score
from entrepot.fraud.score.fit import CANDIDATES, MEASURED_POWER, fit_to_file
from entrepot.fraud.score.known_labels import KnownLabels
from entrepot.fraud.score.measured import MEASURED_FRAUDS, later_half, measure
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.generator import generate
from entrepot.fraud_service.summary import trust
from tests.support.fraud import small_library

Case = tuple[pd.DataFrame, pd.DataFrame, np.ndarray, str]


@cache
def _case() -> Case:
    """Card payments in time order: the first 6,000 rows labelled (the history), the
    next 3,000 to score, and the timestamp column."""
    data = generate("card_payments", 9000, fraud_rate=0.03, seed=77, variety=False)
    frame = data.frame.drop(columns=[data.target])
    y = np.asarray(data.labels, dtype=float)
    return (
        frame.iloc[:6000],
        frame.iloc[6000:].reset_index(drop=True),
        y[:6000],
        data.columns["timestamp"],
    )


def _candidates(frame: pd.DataFrame) -> Ensemble:
    candidates, _ = from_library(describe(frame), small_library(), top=CANDIDATES)
    return candidates


def _member_auprc(
    history: pd.DataFrame, labels: np.ndarray, candidates: Ensemble, later: np.ndarray
) -> np.ndarray:
    """Each member's AUPRC on the later rows, its probabilities reading the older labels."""
    found = []
    for member, model in zip(candidates.members, candidates.models, strict=True):
        one = Ensemble((member,), (model,), candidates.created)
        p = score(history, one, explain=False, known=KnownLabels(rows=labels))
        found.append(average_precision_score(labels[later], p["fraud_probability"][later]))
    return np.asarray(found)


def test_the_later_half_is_by_time_not_by_row_order() -> None:
    history, _, _, stamp = _case()
    shuffled = history.sample(frac=1.0, random_state=3).reset_index(drop=True)
    times = pd.to_datetime(shuffled[stamp])
    assert np.array_equal(later_half(shuffled), (times >= times.median()).to_numpy())
    assert later_half(shuffled.drop(columns=[stamp])).sum() == len(shuffled) - len(shuffled) // 2


def test_members_are_weighed_on_the_history_and_calibrated_to_its_rate() -> None:
    history, file, labels, stamp = _case()
    candidates = _candidates(file)
    known = KnownLabels(history=history, history_labels=labels)
    times = pd.to_datetime(history[stamp])
    later = (times >= times.median()).to_numpy()
    expected = _member_auprc(history, labels, candidates, later)
    measured = measure(candidates, known)
    assert measured is not None
    assert measured.auprc == pytest.approx(expected, abs=1e-9)
    assert measured.rate == pytest.approx(labels[later].mean())

    ensemble, fit = fit_to_file(candidates, file, describe(file), known)
    raw = expected**MEASURED_POWER
    weights = {m.name: w for m, w in zip(candidates.members, raw / raw.sum(), strict=True)}
    assert {m.name: m.weight for m in ensemble.members} == pytest.approx(
        {n: w for n, w in weights.items() if w > 0}
    )
    calibration = ensemble.calibration
    assert calibration is not None and calibration.prevalence == pytest.approx(labels[later].mean())
    # The pool's AUPRC there: the weighted mean of the members' log-odds and, since ADR
    # 0085, the file-fitted member's (fitted on the history as on a file), weighed by its
    # own AUPRC there as the members are, by definition.
    own = file_score(history, describe(file))[later]
    own_raw = average_precision_score(labels[later], own) ** MEASURED_POWER
    share = own_raw / (own_raw + raw.sum())
    assert calibration.file_weight == pytest.approx(share, abs=1e-9)
    p = np.clip(measured.probabilities, 1e-6, 1 - 1e-6)
    pooled = (1 - share) * np.asarray([f.weight for f in fit.members]) @ np.log(p / (1 - p))
    pooled += share * np.log(own / (1 - own))
    assert calibration.measured_auprc == pytest.approx(
        average_precision_score(labels[later], pooled), abs=1e-9
    )
    assert calibration.measured_frauds == int(labels[later].sum())
    # Scored, the probabilities average the history's rate (they read its labels).
    scores = score(file, ensemble, explain=False, known=known)
    assert scores["fraud_probability"].mean() == pytest.approx(calibration.prevalence, rel=1e-4)
    said = trust(ensemble)
    assert said["message"]["key"] == "trust.measured" and not ensemble.unfamiliar
    assert said["measured_auprc"] == pytest.approx(calibration.measured_auprc, abs=1e-6)
    auprc = calibration.measured_auprc
    assert auprc is not None
    level = "high" if auprc >= 0.5 else "low" if auprc < 0.2 else "medium"
    assert said["level"] == level


def test_too_few_labelled_frauds_leave_the_label_free_fit() -> None:
    history, file, labels, _ = _case()
    candidates = _candidates(file)
    few = labels.copy()
    frauds = np.flatnonzero(few == 1)
    few[frauds[: len(frauds) - (MEASURED_FRAUDS - 1)]] = np.nan  # 29 frauds known
    known = KnownLabels(history=history, history_labels=few)
    assert measure(candidates, known) is None
    assert measure(candidates, None) is None
    assert measure(candidates, KnownLabels(rows=labels)) is None  # no history: no sample
    ensemble, _ = fit_to_file(candidates, file, describe(file), known)
    assert ensemble.calibration is not None and ensemble.calibration.measured_auprc is None


def test_a_history_without_a_column_the_members_read_is_refused_by_name() -> None:
    from entrepot.fraud.errors import MissingColumns

    history, file, labels, _ = _case()
    candidates = _candidates(file)
    read = sorted({c for m in candidates.members for c in m.mapping})
    lacking = history.drop(columns=[read[0]])
    with pytest.raises(MissingColumns, match=read[0]):
        measure(candidates, KnownLabels(history=lacking, history_labels=labels))
