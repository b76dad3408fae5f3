"""The columns taken for a copy of the label, with the first rows counted before the
whole column: the same columns as counting every labelled row (the second computation
below, the rule as it was written before the first rows were counted first)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.schema import target as target_module
from entrepot.fraud.schema.target import leaking_columns


def _every_labelled_row(frame: pd.DataFrame, target: str, y: np.ndarray) -> list[str]:
    known = ~np.isnan(y)
    if known.sum() == 0 or np.nanmin(y) == np.nanmax(y):
        return []
    found = []
    for col in frame.columns:
        if col == target:
            continue
        values = frame[col][known]
        if values.nunique(dropna=False) > 20:
            continue
        keys = values.astype("str").fillna("<missing>").to_numpy()
        classes = pd.Series(y[known]).groupby(keys).nunique()
        if len(classes) > 1 and (classes == 1).all():
            found.append(str(col))
    return found


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("unlabelled_first", [0, 40, 300])
def test_the_same_columns_as_counting_every_labelled_row(
    seed: int, unlabelled_first: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(target_module, "_FEW_PEEK", 200)  # the first rows: a part of 1,000
    rng = np.random.default_rng(seed)
    n = 1_000
    y = (rng.random(n) < 0.1).astype(float)
    y[:unlabelled_first] = np.nan  # rows not labelled yet: counted by neither
    copy = np.where(y == 1, "F", "L").astype(object)
    copy[:unlabelled_first] = rng.integers(0, 500, unlabelled_first).astype(str)
    frame = pd.DataFrame(
        {
            "is_fraud": y,
            "copy": copy,  # a label's copy, many values where no label is known
            "code": rng.integers(0, 5, n),  # few values, both classes
            "amount": rng.lognormal(3, 1, n),  # many values
            "late_many": np.r_[np.zeros(n - 100), rng.integers(0, 90, 100)],  # past 20 late
            "flag": np.where(y == 1, 7.0, np.where(rng.random(n) < 0.5, 1.0, 2.0)),
        }
    )
    frame.loc[rng.random(n) < 0.05, "code"] = np.nan
    expected = _every_labelled_row(frame, "is_fraud", y)
    assert leaking_columns(frame, "is_fraud", y) == expected
    assert "amount" not in expected
    assert ("copy" in expected) is True


def test_values_written_the_same_are_one_value() -> None:
    """The integer 1 and the text "1" are one value, as the column's texts: frauds on the
    one and legitimate rows on the other is no copy of the label; a category, a float with
    missing values and mixed objects grouped by their texts alike."""
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 0.0] * 50)
    n = len(y)
    mixed = np.array([1, "1", 2, 1, "1", 2] * 50, dtype=object)
    frame = pd.DataFrame(
        {
            "is_fraud": y,
            "mixed": mixed,
            "split": np.array([1, 2, 2, 1, "2", 2.0] * 50, dtype=object),  # 2 and 2.0 differ
            "kind": pd.Categorical(np.where(y == 1, "f", "l")),
            "rate": np.where(y == 1, np.nan, 0.5),
        }
    )
    assert len(frame) == n
    expected = _every_labelled_row(frame, "is_fraud", y)
    assert leaking_columns(frame, "is_fraud", y) == expected == ["split", "kind", "rate"]
