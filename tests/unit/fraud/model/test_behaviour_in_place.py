"""The customers' windows made with fewer arrays hold the plain computation's bits (issue
40 item 4, ADR 0116: a training's peak sits in them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.model import behaviour
from entrepot.fraud.model.behaviour import customer_features


def _plain_first(sorted_codes: np.ndarray) -> np.ndarray:
    starts = np.ones(len(sorted_codes), dtype=bool)
    starts[1:] = sorted_codes[1:] != sorted_codes[:-1]
    first: np.ndarray = np.maximum.accumulate(np.where(starts, np.arange(len(starts)), 0))
    return first


@pytest.mark.parametrize("seed", [0, 1])
def test_each_entity_s_first_row_as_the_plain_expression(seed: int) -> None:
    codes = np.sort(np.random.default_rng(seed).integers(0, 50, 5_000))
    found = behaviour._first_of_entity(codes)
    expected = _plain_first(codes)
    assert found.dtype == expected.dtype
    assert found.tolist() == expected.tolist()
    assert behaviour._first_of_entity(np.array([], dtype=np.int64)).tolist() == []


def test_a_window_s_mean_counts_the_known_amounts_alone() -> None:
    """The running count of known amounts: a missing amount is in the window's count of
    rows, not in its mean's."""
    seconds = np.array([0, 60, 120, 180], dtype=np.int64)
    amount = np.array([10.0, np.nan, 30.0, np.nan])
    out = customer_features(np.zeros(4, dtype=np.int64), seconds, amount, (1,), "c")
    assert out["c_count_1d"].tolist() == [1, 2, 3, 4]
    assert out["c_mean_amount_1d"].tolist() == [10.0, 10.0, 20.0, 20.0]
    bare = customer_features(np.zeros(4, dtype=np.int64), seconds, None, (1,), "c")
    assert set(bare) == {"c_count_1d", "c_seconds_since_previous"}
    frame = pd.Series(out["c_seconds_since_previous"])
    assert frame.isna().tolist() == [True, False, False, False]
