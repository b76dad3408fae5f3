"""What a prediction keeps for review, from a reference ensemble's scores: the top rows,
highest first, with each member's contribution to the row's probability."""

from __future__ import annotations

import numpy as np
import pytest

from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.generator import generate
from entrepot.fraud_service.review import evaluation, top_rows
from tests.support.fraud import small_library


def test_top_rows_of_an_ensemble_carry_each_members_contribution() -> None:
    data = generate("card_payments", 3000, fraud_rate=0.03, seed=77, lang="fr")
    frame = data.frame.drop(columns=[data.target])
    ensemble, _ = from_library(describe(frame), small_library())
    assert len(ensemble.members) > 1
    scores = score(frame, ensemble)
    top = top_rows(scores, ensemble, limit=50)
    assert len(top) == 50
    assert [r["fraud_probability"] for r in top] == sorted(
        (r["fraud_probability"] for r in top), reverse=True
    )
    assert top[0]["fraud_probability"] == pytest.approx(scores["fraud_probability"].max())
    for r in top:
        parts = [m["contribution"] for m in r["members"]]
        assert {m["name"] for m in r["members"]} == {m.name for m in ensemble.members}
        assert sum(parts) == pytest.approx(r["fraud_probability"], abs=1e-5)
        ids = describe(frame).id_columns
        assert set(r["ids"]) == set(ids)
        assert r["ids"][ids[0]] == frame[ids[0]].iloc[r["row"] - 1]

    labelled = evaluation(data.frame, data.target, scores, ensemble.threshold)
    assert labelled is not None and labelled["frauds"] == int(data.labels.sum())
    matrix = labelled["confusion_matrix"]
    assert sum(matrix.values()) == len(frame)
    flagged = int(np.sum(scores["fraud_probability"] >= ensemble.threshold))
    assert matrix["tp"] + matrix["fp"] == flagged
    assert evaluation(frame, None, scores, ensemble.threshold) is None
