"""A counterparty's features one at a time (ADR 0112): the same bits as the whole block,
each given as soon as it is made, and the fraud rates alone where only they are read (a
replay at another label horizon, the test period's hidden labels)."""

from __future__ import annotations

import inspect
from collections.abc import Generator
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.model.behaviour import DAY, counterparty_features, counterparty_parts
from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec
from entrepot.fraud.model.label_reading import READS_LABELS, label_features

WINDOWS = (1, 7, 30)


def _rows(seed: int, n: int = 3000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(-1, 40, n)  # -1: no counterparty
    seconds = 1_700_000_000 + rng.integers(0, 120 * DAY, n)
    seconds[rng.random(n) < 0.02] = np.iinfo(np.int64).min  # no time
    labels = rng.choice([0.0, 1.0, np.nan], n, p=[0.8, 0.08, 0.12])
    return codes, seconds, labels


@pytest.mark.parametrize("horizon", [None, 7, 21.5, 60])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_parts_are_the_blocks_bits_and_counts_false_gives_its_rates_alone(
    seed: int, horizon: float | None
) -> None:
    codes, seconds, labels = _rows(seed)
    whole = counterparty_features(codes, seconds, labels, WINDOWS, 7, "t", horizon)
    parts = list(counterparty_parts(codes, seconds, labels, WINDOWS, 7, "t", horizon))
    assert [name for name, _ in parts] == list(whole)
    rates = dict(counterparty_parts(codes, seconds, labels, WINDOWS, 7, "t", horizon, counts=False))
    assert sorted(rates) == sorted(name for name in whole if "_risk_" in name)
    for name, values in [*parts, *rates.items()]:
        assert values.tobytes() == whole[name].tobytes(), name


@pytest.mark.parametrize("counts", [True, False])
def test_the_features_of_some_rows_are_the_wholes_at_those_rows(counts: bool) -> None:
    codes, seconds, labels = _rows(6)
    whole = counterparty_features(codes, seconds, labels, WINDOWS, 7, "t", 14)
    rng = np.random.default_rng(7)
    # out of order, repeated, and rows without a counterparty or a time among them
    at = np.concatenate([rng.integers(0, len(codes), 500), np.flatnonzero(codes < 0)[:5]])
    some = dict(
        counterparty_parts(codes, seconds, labels, WINDOWS, 7, "t", 14, counts=counts, at=at)
    )
    assert sorted(some) == sorted(n for n in whole if counts or "_risk_" in n)
    for name, values in some.items():
        assert values.tobytes() == whole[name][at].tobytes(), name


def test_a_rate_is_the_known_labels_of_its_window_counted_another_way() -> None:
    codes, seconds, labels = _rows(3, n=400)
    rates = dict(counterparty_parts(codes, seconds, labels, (7,), 7, "t", counts=False))
    for i in range(len(codes)):
        if codes[i] < 0 or seconds[i] == np.iinfo(np.int64).min:
            assert np.isnan(rates["t_risk_7d"][i])
            continue
        mine = (codes == codes[i]) & (seconds != np.iinfo(np.int64).min)
        age = seconds[i] - seconds
        window = mine & (age >= 7 * DAY) & (age < 14 * DAY) & ~np.isnan(labels)
        expected = labels[window].mean() if window.any() else np.nan
        assert rates["t_risk_7d"][i] == pytest.approx(expected, nan_ok=True), i


def test_the_parts_are_made_one_at_a_time() -> None:
    codes, seconds, labels = _rows(4)
    parts = counterparty_parts(codes, seconds, labels, WINDOWS, 7, "t")
    name, _ = next(parts)  # the first is given before the others are made
    assert name == "t_count_1d"
    assert inspect.getgeneratorstate(cast(Generator[Any, None, None], parts)) == "GEN_SUSPENDED"


def test_label_features_are_the_matrixs_label_reading_columns_alone() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    frame = pd.DataFrame(
        {
            "when": (
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90 * DAY, n), "s")
            ).strftime("%Y-%m-%d %H:%M:%S"),
            "card": rng.integers(0, 50, n).astype(str),
            "shop": rng.integers(0, 30, n).astype(str),
            "amount": rng.random(n) * 100,
        }
    ).sort_values("when", ignore_index=True)
    y = (rng.random(n) < 0.1).astype(float)
    spec = FeatureSpec(
        timestamp="when",
        time_format="%Y-%m-%d %H:%M:%S",
        amount="amount",
        customers=("card",),
        counterparties=("shop",),
    )
    builder = FeatureBuilder(spec).fit(frame, y)
    x = builder.matrix(frame, history=False, labels=y)
    made = label_features(builder, frame, y)
    reading = [name for name in builder.feature_names_ if READS_LABELS.fullmatch(name)]
    assert sorted(made) == sorted(reading) and reading
    for name in reading:
        j = builder.feature_names_.index(name)
        assert made[name].tobytes() == np.ascontiguousarray(x[:, j]).tobytes(), name
