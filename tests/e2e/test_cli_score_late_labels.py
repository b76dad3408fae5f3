"""`entrepot fraud score --late-labels COLUMN --history FILE` as a user types it (issue 25
item 2): the labels confirmed so far feed the scoring, the JSON says how many were read,
and the realised precision and recall stand beside the estimate, computed here again
with scikit-learn from the labels and the scores file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_score, recall_score

from entrepot.fraud.synth.domains import get_domain
from entrepot.fraud.synth.generator import generate
from tests.support.cli import Cli


def test_late_labels_and_a_history_file_feed_the_scoring(cli: Cli, tmp_path: Path) -> None:
    domain = replace(get_domain("card_payments"), scenarios=(("compromised_terminal", 1.0),))
    data = generate(domain, 6000, fraud_rate=0.04, seed=21, variety=False)
    frame, target = data.frame, data.target
    frame.iloc[:3000].to_csv(tmp_path / "before.csv", index=False)
    later = frame.iloc[3000:].reset_index(drop=True).copy()
    truth = later[target].to_numpy(dtype=float)
    later[target] = later[target].astype(float)
    later.loc[2000:, target] = np.nan  # not confirmed yet
    later.to_csv(tmp_path / "later.csv", index=False)
    # A timed search, as a user trains: nothing below depends on the model it gives (the
    # counts come from the files, the realised figures are recomputed from the scores).
    # The instance first: its key ring signs the folder `train --out` writes (issue 28).
    assert cli("db", "upgrade").returncode == 0
    trained = cli(
        "fraud",
        "train",
        "before.csv",
        "--name",
        "cards",
        "--out",
        "models/cards",
        "--time-budget",
        "2",
    )
    assert trained.returncode == 0, trained.stderr
    scored = cli(
        "fraud", "score", "later.csv", "scores.csv", "--model", "models/cards",
        "--late-labels", target, "--history", "before.csv", "--json", "--no-explain",
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    found = json.loads(scored.stdout)
    assert found["known_labels"] == {
        "labels": 3000 + 2000,
        "frauds": int(frame[target].iloc[:3000].sum() + truth[:2000].sum()),
        "history_rows": 3000,
        "models": 1,
        "models_reading": 1,
    }
    scores = pd.read_csv(tmp_path / "scores.csv")
    flagged = (scores["fraud_probability"] >= found["threshold"]).astype(int).to_numpy()
    known = truth[:2000].astype(int)
    realised = found["estimate"]["realised"]
    assert realised["labelled_rows"] == 2000 and realised["source"] == "late_labels"
    assert realised["precision"] == round(precision_score(known, flagged[:2000]), 6)
    assert realised["recall"] == round(recall_score(known, flagged[:2000]), 6)

    plain = cli("fraud", "score", "later.csv", "plain.csv", "--model", "models/cards")
    assert plain.returncode == 0, plain.stderr
    assert "late labels read" not in plain.stdout
    wrong = cli("fraud", "score", "later.csv", "x.csv", "--model", "models/cards",
                "--late-labels", "chargeback")  # fmt: skip
    assert wrong.returncode != 0
    assert "no column 'chargeback'" in wrong.stderr and "Traceback" not in wrong.stderr


def test_the_score_says_what_the_card_promises_for_the_files_label_ages(
    cli: Cli, tmp_path: Path
) -> None:
    """Issue 41 item 1: a file scored after its model's training file reads labels that
    grow older row by row; `--json` says the card's promise for those ages, and the same
    file scored with its history's labels reads younger ones."""
    data = generate("card_payments", 9000, fraud_rate=0.04, seed=23, variety=False)
    frame, target = data.frame, data.target
    frame.iloc[:6000].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[6000:].drop(columns=[target]).to_csv(tmp_path / "later.csv", index=False)
    assert cli("db", "upgrade").returncode == 0
    trained = cli("fraud", "train", "train.csv", "--name", "cards", "--out", "models/cards",
                  "--time-budget", "2")  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    scored = cli("fraud", "score", "later.csv", "scores.csv", "--model", "models/cards",
                 "--json", "--no-explain")  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    expected = json.loads(scored.stdout)["expected"]
    times = pd.to_datetime(frame["timestamp"])
    # the newest label the training file gives, and each later row's distance to it
    # (never under the label delay): the span the promise says it covers
    newest = times.iloc[:6000].max()
    ages = ((times.iloc[6000:] - newest).dt.total_seconds() / 86_400).clip(lower=7)
    assert expected["horizon_days"]["max"] == pytest.approx(ages.max(), abs=0.05)
    auprc = expected["auprc"]
    assert 0 <= auprc["low"] <= auprc["value"] <= auprc["high"] <= 1
    # ADR 0096: the rows' mean distance after the middle of the card's test period,
    # weighted by their scores, from the card the training wrote and the scores file
    card = json.loads((tmp_path / "models" / "cards" / "performance.json").read_text())
    observed = card["card"]["horizons"]["observed"]
    proba = pd.read_csv(tmp_path / "scores.csv")["fraud_probability"].to_numpy()
    seconds = (times.iloc[6000:] - pd.Timestamp(0)).dt.total_seconds().to_numpy()
    after = ((seconds - observed["test_center"]) / 86_400).clip(min=0)
    elapsed = float((after * proba).sum() / proba.sum())
    assert expected["elapsed_days"] == pytest.approx(elapsed, abs=0.05)
    plain = cli("fraud", "score", "later.csv", "plain.csv", "--model", "models/cards")
    assert plain.returncode == 0, plain.stderr
    assert f"the card promises AUPRC {auprc['value']:.3f} on this file" in plain.stdout
    assert f"the file lies {round(elapsed)} days on average after the card's test" in plain.stdout
