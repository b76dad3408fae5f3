"""Issue 41 item 3 (ADR 0088): the analysts' decisions, a chosen sample, move no score;
they still count as known labels and set the realised figures."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest

from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.training import train
from entrepot.fraud_service.pipeline.scoring import LabelsGiven, score_frame
from tests.support.clock import TickingClock


class _Given:
    step: ClassVar[str] = "progress.loading_model"
    reads_rows: ClassVar[bool] = True

    def __init__(self, ensemble: Ensemble) -> None:
        self.ensemble = ensemble

    def choose(self, frame: Any, upload: Any, known: Any, what: str) -> Ensemble:
        assert known is None  # what the scorer may weigh a pool on: no decision
        return self.ensemble


@pytest.fixture(scope="module")
def scored() -> tuple[Any, Any, np.ndarray, list[list[int]]]:
    data = generate("card_payments", 9000, fraud_rate=0.05, seed=3, variety=False)
    result = train(data.frame.iloc[:6000], data.target, time_budget=2, seed=1,
                   models=("lightgbm",), clock=TickingClock())  # fmt: skip
    later = data.frame.iloc[6000:].drop(columns=[data.target]).reset_index(drop=True)
    ensemble = from_model(
        result.model, result.schema, result.performance, describe(later), name="m", version="1"
    )
    truth = data.labels[6000:].astype(int)
    plain = score_frame(later, _Given(ensemble), explain=False)
    top = np.argsort(-plain.scores["fraud_probability"].to_numpy(), kind="stable")[:60]
    decisions = [[int(r) + 1, int(truth[r])] for r in top]
    again = score_frame(later, _Given(ensemble), labels=LabelsGiven(decisions=decisions),
                        explain=False)  # fmt: skip
    return plain, again, truth, decisions


def test_decisions_move_no_score(scored: tuple[Any, Any, np.ndarray, list[list[int]]]) -> None:
    plain, again, _, _ = scored
    assert again.scores["fraud_probability"].tolist() == plain.scores["fraud_probability"].tolist()


def test_decisions_still_count_and_measure(
    scored: tuple[Any, Any, np.ndarray, list[list[int]]],
) -> None:
    plain, again, truth, decisions = scored
    assert again.known_labels["labels"] == len(decisions)
    assert again.known_labels["frauds"] == sum(label for _, label in decisions)
    flagged = plain.scores["prediction"].to_numpy() == 1
    rows = [r - 1 for r, _ in decisions]
    hits = sum(int(truth[r] == 1 and flagged[r]) for r in rows)
    assert again.realised["true_positives"] == hits
