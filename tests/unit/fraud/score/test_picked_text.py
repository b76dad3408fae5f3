"""A part's text columns made from each row's choice are the column a frame makes of the
same Python strings: the same dtype, the same values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from entrepot.fraud.score.picked_text import picked
from entrepot.fraud.score.scoring import RISK_LEVELS, risk_levels


def test_the_risk_levels_are_the_frames_own_strings() -> None:
    proba = np.random.default_rng(5).random(1000)
    proba[::97] = np.nan
    texts = risk_levels(proba, 0.3)
    at = np.searchsorted([0.15, 0.3, 0.5], proba, side="right")
    made = pd.DataFrame({"risk": picked(RISK_LEVELS, at)})["risk"]
    expected = pd.DataFrame({"risk": texts.tolist()})["risk"]
    pd.testing.assert_series_equal(made, expected)
    explained = picked(["", "amount 2,340", "mcc 7995"], np.asarray([0, 2, 0, 1], np.int32))
    assert list(explained) == ["", "mcc 7995", "", "amount 2,340"]
