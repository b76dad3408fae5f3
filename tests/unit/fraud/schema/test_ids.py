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
