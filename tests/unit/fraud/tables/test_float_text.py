"""The fast float text is pandas' CSV text, byte for byte, over every magnitude."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from entrepot.fraud.tables.float_text import float_text


def _pandas(values: np.ndarray) -> list[str]:
    """What ``DataFrame.to_csv`` writes for ``values``, one line a value (beside a second
    column: a line of one empty field is written ``""``)."""
    out = io.StringIO()
    pd.DataFrame({"x": values, "y": 0}).to_csv(out, index=False, lineterminator="\n")
    return [line.rsplit(",", 1)[0] for line in out.getvalue().split("\n")[1:-1]]


def _random_floats(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    magnitudes = 10.0 ** rng.uniform(-30, 30, 200_000)
    signs = rng.choice([-1.0, 1.0], 200_000)
    probabilities = rng.beta(0.3, 5.0, 200_000)  # many tiny ones, as scores are
    whole = rng.integers(-(10**17), 10**17, 20_000).astype(np.float64)
    return np.concatenate([magnitudes * signs, probabilities, whole, np.round(probabilities, 3)])


def test_every_magnitude_reads_as_pandas_writes_it() -> None:
    values = _random_floats(0)
    assert float_text(values).tolist() == _pandas(values)


def test_the_edges_of_the_notations_and_the_special_values() -> None:
    edges = np.array(
        [1e-4, np.nextafter(1e-4, 0), 9.999e-5, 1e16, np.nextafter(1e16, 0), 1e15, 1e-5,
         5e-324, -0.0, 0.0, 1.0, -1.0, 0.1, 1 / 3, 2.5e-7, 123.0, 123.5, np.nan, np.inf,
         -np.inf, 1.7976931348623157e308, 2.2250738585072014e-308]
    )  # fmt: skip
    assert float_text(edges).tolist() == _pandas(edges)


def test_nan_is_written_as_asked() -> None:
    assert float_text(np.array([np.nan, 0.5]), na_rep="NA").tolist() == ["NA", "0.5"]


def test_a_column_of_whole_numbers_alone() -> None:
    values = np.arange(-5, 5, dtype=np.float64)
    assert float_text(values).tolist() == _pandas(values)
