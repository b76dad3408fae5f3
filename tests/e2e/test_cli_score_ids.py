"""`entrepot fraud train` and `score` as a user types them on a French transactions file
whose ``identifiant_transaction`` is a column of unique integers: the id is no model input,
and the scores file carries it and the row number, so scores join back by id."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from entrepot.fraud.synth.generator import generate
from tests.support.cli import Cli


def _french_file(path: Path, rows: int, seed: int, labelled: bool) -> pd.DataFrame:
    data = generate("card_payments", rows, fraud_rate=0.05, seed=seed, lang="fr", variety=False)
    frame = data.frame.drop(columns=[data.columns["transaction_id"]])
    if not labelled:
        frame = frame.drop(columns=[data.target])
    ids = np.random.default_rng(seed).choice(10_000_000, size=rows, replace=False)
    frame.insert(0, "identifiant_transaction", ids)
    frame.to_csv(path, index=False, sep=";")
    return frame


def test_scores_carry_the_upload_id_and_row_and_the_id_is_no_input(
    cli: Cli, tmp_path: Path
) -> None:
    _french_file(tmp_path / "historique.csv", 3000, 7, labelled=True)
    assert cli("db", "upgrade").returncode == 0  # its key signs the folder train writes
    trained = cli(
        "fraud", "train", "historique.csv", "--name", "cartes", "--out", "modeles/cartes",
        "--time-budget", "2",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    schema = json.loads((tmp_path / "modeles" / "cartes" / "schema.json").read_text())
    assert "identifiant_transaction" in schema["id_columns"]
    assert "identifiant_transaction" not in schema["input_columns"]

    fresh = _french_file(tmp_path / "nouvelles.csv", 400, 8, labelled=False)
    scored = cli("fraud", "score", "nouvelles.csv", "scores.csv", "--model", "modeles/cartes")
    assert scored.returncode == 0, scored.stderr
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert list(scores.columns[:2]) == ["row", "identifiant_transaction"]
    assert scores["row"].tolist() == list(range(1, 401))
    assert scores["identifiant_transaction"].tolist() == fresh["identifiant_transaction"].tolist()
