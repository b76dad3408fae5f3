"""A row's behaviour features are the same bits whether the file is whole or cut by entity
(issue 40, item 3): each sum reads the rows of the row's own entity alone, so scoring a
file in parts that each hold whole entities gives the one-machine features."""

from __future__ import annotations

import numpy as np
import pytest

from entrepot.fraud.model.behaviour import DAY, counterparty_features, customer_features

WINDOWS = (1, 7, 30)


def _rows(seed: int, n: int = 4000) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 60, n)
    seconds = 1_700_000_000 + rng.integers(0, 90 * DAY, n)
    # amounts of every magnitude: a running sum over the whole file would round the small
    # ones by the large ones before them
    amount = rng.choice([1e-3, 0.1, 12.5, 1e6, 3.7e13], n) * rng.random(n)
    amount[rng.random(n) < 0.05] = np.nan
    labels = rng.choice([0.0, 1.0, np.nan], n, p=[0.8, 0.05, 0.15])
    return codes, seconds, amount, labels


def _part(codes: np.ndarray, part: int, parts: int) -> np.ndarray:
    return np.flatnonzero(codes % parts == part)


@pytest.mark.parametrize("parts", [2, 3, 8])
@pytest.mark.parametrize("seed", [1, 2])
def test_customer_features_are_the_same_bits_in_any_part_of_whole_entities(
    seed: int, parts: int
) -> None:
    codes, seconds, amount, _ = _rows(seed)
    whole = customer_features(codes, seconds, amount, WINDOWS, "c")
    for part in range(parts):
        rows = _part(codes, part, parts)
        alone = customer_features(codes[rows], seconds[rows], amount[rows], WINDOWS, "c")
        for name, values in whole.items():
            assert values[rows].tobytes() == alone[name].tobytes(), (name, part)


@pytest.mark.parametrize("parts", [2, 8])
def test_counterparty_features_are_the_same_bits_in_any_part_of_whole_entities(
    parts: int,
) -> None:
    codes, seconds, _, labels = _rows(3)
    whole = counterparty_features(codes, seconds, labels, WINDOWS, 7, "t")
    for part in range(parts):
        rows = _part(codes, part, parts)
        alone = counterparty_features(codes[rows], seconds[rows], labels[rows], WINDOWS, 7, "t")
        for name, values in whole.items():
            assert values[rows].tobytes() == alone[name].tobytes(), (name, part)


def test_a_mean_is_its_entitys_amounts_alone() -> None:
    codes, seconds, _, _ = _rows(4, n=600)
    rng = np.random.default_rng(5)  # amounts of one scale: a prefix-sum difference is exact
    amount = np.round(rng.random(600) * 1000, 2)  # to 1e-9 there, as a bank's amounts are
    amount[rng.random(600) < 0.05] = np.nan
    out = customer_features(codes, seconds, amount, WINDOWS, "c")
    for row in range(0, 600, 37):  # a second computation: the window's rows, summed plainly
        inside = (codes == codes[row]) & (seconds <= seconds[row])
        inside &= seconds > seconds[row] - 7 * DAY
        inside |= (codes == codes[row]) & (seconds == seconds[row]) & (np.arange(600) <= row)
        inside &= ~((seconds == seconds[row]) & (np.arange(600) > row))
        known = inside & ~np.isnan(amount)
        expected = amount[known].mean() if known.any() else np.nan
        assert out["c_mean_amount_7d"][row] == pytest.approx(expected, rel=1e-9, nan_ok=True)
