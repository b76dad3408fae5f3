"""The fraud engine's file use cases as one service (``entrepot fraud``'s one call each),
over folders only: no App, no registry."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from entrepot.bootstrap.local_fraud import local_fraud
from entrepot.fraud.errors import FraudError
from entrepot.messages import Message
from entrepot.registry.keyring import KeyRing
from tests.support.clock import TickingClock


def test_generate_analyze_train_score_and_evaluate_through_one_service(tmp_path: Path) -> None:
    ring = KeyRing.of("local-files-" + "l" * 40)  # an installation's: it signs --out folders
    fraud = replace(local_fraud(None), keys=lambda: ring, new_clock=TickingClock)
    data = tmp_path / "tx.csv"
    made = fraud.generate(
        data, domain="card_payments", rows=3000, fraud_rate=0.03, seed=5, lang="en", variety=False
    )
    frame = pd.read_csv(data)
    assert len(frame) == made.rows and int(frame[made.target].sum()) == made.frauds
    assert fraud.analyze(data, target=None).target == made.target

    said: list[Message] = []
    trained = fraud.train(
        data, "local", out=tmp_path / "models" / "local", target=None, time_budget=2.0,
        cost_ratio=None, seed=0, jobs=1, user=None, progress=said.append,
    )  # fmt: skip
    assert trained.version is None and trained.folder == tmp_path / "models" / "local"
    assert said  # progress reached the caller

    scores = tmp_path / "scores.csv"
    scored = fraud.score(
        data, scores, model=f"{trained.folder}/", ensemble=False, library=None, user=None,
        save_ensemble=None, explain=False, threads=1,
    )  # fmt: skip
    assert len(pd.read_csv(scores)) == made.rows == len(scored.scores)
    found = fraud.evaluate(
        data, model=f"{trained.folder}/", ensemble=False, library=None, user=None, target=None
    )
    assert found["metrics"]["frauds"] == made.frauds


def test_a_model_and_the_ensemble_together_are_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(FraudError, match="either a model or the ensemble"):
        local_fraud(None).evaluate(
            tmp_path / "absent.csv", model="m", ensemble=True, library=None, user=None, target=None
        )


def test_without_an_instance_there_is_no_registry_and_it_says_what_to_do() -> None:
    with pytest.raises(FraudError) as refused:
        local_fraud(None).models(None)
    assert "--out" in (refused.value.hint or "")
