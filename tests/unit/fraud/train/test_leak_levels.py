"""A column's levels in the leak check are integer codes: the same groups, so the same
AUPRC, as reading every level as text (the check's first form, kept here as the second
computation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.train.leaks import BINS, HEAD, alone_auprc, as_numbers, levels


def _text_levels(values: pd.Series, fit_rows: np.ndarray) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() >= 0.95 * values.notna().sum() and numbers.nunique() > BINS:
        fitted = numbers.iloc[fit_rows].dropna().to_numpy(dtype=float)
        edges = np.unique(np.quantile(fitted, np.linspace(0, 1, BINS + 1)[1:-1]))
        out = np.searchsorted(edges, numbers.to_numpy(dtype=float), side="right").astype(str)
        out = out.astype(object)
        out[numbers.isna().to_numpy()] = "missing"
        return out
    return np.asarray(values.astype("string").fillna("missing").to_numpy(dtype=object))


def _text_auprc(values: pd.Series, y: np.ndarray, fit: np.ndarray, measure: np.ndarray) -> float:
    keys = _text_levels(values, fit)
    rates = pd.Series(y[fit].astype(float)).groupby(keys[fit]).mean()
    score = pd.Series(keys[measure]).map(rates).fillna(float(y[fit].mean())).to_numpy(float)
    best = float(average_precision_score(y[measure], score))
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.iloc[measure].notna().any():
        middle = float(numbers.iloc[fit].median()) if numbers.iloc[fit].notna().any() else 0.0
        ranked = numbers.iloc[measure].fillna(middle).to_numpy(dtype=float)
        for sign in (1.0, -1.0):
            best = max(best, float(average_precision_score(y[measure], sign * ranked)))
    return best


def _columns(n: int, rng: np.random.Generator) -> dict[str, pd.Series]:
    floats = rng.normal(size=n)
    floats[rng.random(n) < 0.05] = np.nan
    few = rng.integers(0, 6, n)
    words = pd.Series(rng.choice(np.array(["a", "b", "c", None], dtype=object), n), dtype="string")
    mixed = pd.Series(rng.choice(np.array([1, "1", 2, "x", None], dtype=object), n))
    return {
        "floats": pd.Series(floats),
        "few ints": pd.Series(few),
        "nullable ints": pd.Series(few, dtype="Int64").mask(rng.random(n) < 0.1),
        "few floats": pd.Series(few / 2.0),
        "words": words,
        "mixed": mixed,
        "booleans": pd.Series(rng.random(n) < 0.3),
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_the_codes_group_the_rows_as_the_text_levels_do(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    fit, measure = np.arange(0, 2000), np.arange(2000, n)
    for name, values in _columns(n, rng).items():
        codes, text = levels(values, fit), _text_levels(values, fit)
        # one code a text level, one text level a code
        pairs = set(zip(codes.tolist(), text.tolist(), strict=True))
        assert len(pairs) == len(set(codes.tolist())) == len(set(text.tolist())), name
        y = (rng.random(n) < 0.1 + 0.3 * (codes == codes[0])).astype(int)
        assert alone_auprc(values, y, fit, measure) == _text_auprc(values, y, fit, measure), name


def test_1_and_the_text_1_are_one_level() -> None:
    codes = levels(pd.Series(np.array([1, "1", 2, None], dtype=object)), np.arange(4))
    assert codes[0] == codes[1] != codes[2] and codes[3] == -1


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("labels", ["a", "1", "2.5", None, "x", " 7", "1e3", "0x1", "inf"]),
        ("whole numbers", ["1", "2", "3"]),
        ("beyond int64", ["1", "18446744073709551617", "-3"]),
        ("uint64", ["1", "18446744073709551615"]),
        ("mixed objects", [1, "1", 2.5, None, "b", float("nan"), True]),
    ],
)
@pytest.mark.parametrize("rows", [40, 30_000])
def test_a_text_column_of_few_values_reads_as_pandas_reads_each_row(
    name: str, values: list[object], rows: int
) -> None:
    """Each distinct text parsed once (issue 40 item 4): the values and type of
    ``pd.to_numeric`` on every row, where the head holds few values and where it holds
    many (then every row is parsed)."""
    rng = np.random.default_rng(len(name) + rows)
    picked = [values[i] for i in rng.integers(0, len(values), rows)]
    column = pd.Series(picked, dtype=object if name == "mixed objects" else "str")
    many = pd.Series(rng.random(rows).astype(str), dtype="str")
    for series in (column, many, pd.concat([many.iloc[: HEAD // 2], column], ignore_index=True)):
        expected = pd.to_numeric(series, errors="coerce")
        pd.testing.assert_series_equal(as_numbers(series), expected)
