"""Identifier columns: French and abbreviated names, counters with gaps; never features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.model.features import FeatureSpec
from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.schema.roles import profile
from entrepot.fraud.synth.generator import generate


def _french_transactions(rows: int = 3000) -> pd.DataFrame:
    data = generate("card_payments", rows, fraud_rate=0.05, seed=5, lang="fr", variety=False)
    frame = data.frame.drop(columns=[data.columns["transaction_id"]])
    rng = np.random.default_rng(1)
    ids = rng.choice(10_000_000, size=rows, replace=False)  # unique, neither sorted nor dense
    frame.insert(0, "identifiant_transaction", ids)
    return frame


def test_a_french_transaction_id_of_random_unique_integers_is_an_id_not_an_input() -> None:
    frame = _french_transactions()
    analysis = analyze(frame)
    assert analysis.column("identifiant_transaction").role == "id"
    assert "identifiant_transaction" not in FeatureSpec.from_analysis(analysis).input_columns


@pytest.mark.parametrize(
    "name", ["identifiant", "IdentTx", "num_operation", "nro_paiement", "cle_tx", "TxNr"]
)
def test_french_and_abbreviated_id_names(name: str) -> None:
    values = pd.Series(np.random.default_rng(2).choice(10**9, size=500, replace=False))
    assert profile(values, name).role == "id"


def test_a_counter_with_gaps_is_an_id_whatever_its_name() -> None:
    rising = pd.Series(np.cumsum(np.random.default_rng(3).integers(1, 50, size=500)))
    assert profile(rising, "operation").role == "id"
    assert profile(rising[::-1].reset_index(drop=True), "operation").role == "id"


def test_unique_unordered_integers_without_an_id_name_stay_numbers() -> None:
    values = pd.Series(np.random.default_rng(4).choice(10**9, size=500, replace=False))
    assert profile(values, "montant_centimes").role == "amount"
    assert profile(values, "distance_m").role == "numeric"


def _saved_with_its_index(frauds_last: bool) -> pd.DataFrame:
    """A file as ``pandas.concat([legit, frauds]).to_csv(path)`` writes it and
    ``read_csv(path)`` reads it back: the index restarts where the frauds begin."""
    data = generate("card_payments", 3000, fraud_rate=0.05, seed=9, lang="en", variety=False)
    frame = data.frame
    frauds = frame[data.target] == 1
    parts = [frame[~frauds], frame[frauds]] if frauds_last else [frame]
    joined = pd.concat([p.reset_index(drop=True) for p in parts])  # 0..n, then 0..m
    return joined.reset_index(names="Unnamed: 0").reset_index(drop=True)


@pytest.mark.parametrize("frauds_last", [True, False])
def test_a_saved_index_is_an_identifier_even_when_it_restarts(frauds_last: bool) -> None:
    frame = _saved_with_its_index(frauds_last)
    index = frame["Unnamed: 0"]
    assert index.is_unique is not frauds_last  # the restarted index repeats its values
    analysis = analyze(frame)
    assert analysis.column("Unnamed: 0").role == "id"
    assert analysis.column("Unnamed: 0").reason == "numbers the rows"
    assert "Unnamed: 0" not in FeatureSpec.from_analysis(analysis).input_columns


def test_a_per_row_key_with_a_few_repeats_is_an_identifier_not_a_category() -> None:
    rng = np.random.default_rng(6)
    keys = [f"C{n}" for n in rng.choice(10**9, size=5000, replace=False)]
    keys[10] = keys[20]  # PaySim's nameOrig: 36,374 values in 36,376 rows
    keys[30] = keys[40]
    assert profile(pd.Series(keys), "nameOrig").role == "id"
    assert profile(pd.Series(keys), "nameOrig").reason == "a different value on almost every row"


def test_an_hour_counter_and_a_category_code_are_not_row_numbers() -> None:
    hours = pd.Series(np.repeat(np.arange(1, 101), 30))  # PaySim's step: many rows per hour
    assert profile(hours, "step").role != "id"
    codes = pd.Series(np.random.default_rng(7).integers(0, 40, size=3000))
    assert profile(codes, "merchant_category").role != "id"
