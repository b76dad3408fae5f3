"""A table's text columns each one contiguous Arrow array once read (ADR 0126): taking
rows of a column in pieces made Arrow join the pieces first, a copy of the whole column
for every take (a scoring's ten parts, ten copies of its time column)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from entrepot.fraud.tables.io import read_table
from entrepot.fraud.tables.one_piece import text_in_one_piece


def _pieces(series: pd.Series) -> int:
    return int(series.array.__arrow_array__().num_chunks)


def test_a_text_column_in_pieces_is_joined_its_values_and_dtype_kept() -> None:
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    pieces = pa.chunked_array(
        [pa.array(["a", None, "b"]), pa.array(["c"]), pa.array([None], type=pa.string())]
    )
    frame = pd.DataFrame(
        {
            "text": pd.array(pieces, dtype=dtype),
            "number": np.arange(5),
            "other": np.array(["x", 1, None, "y", 2.5], dtype=object),
        }
    )
    before = frame.copy(deep=True)
    assert _pieces(frame["text"]) == 3
    found = text_in_one_piece(frame)
    assert _pieces(found["text"]) == 1
    pd.testing.assert_frame_equal(found, before, check_exact=True)
    assert found["text"].dtype == dtype


def test_a_large_csv_is_read_with_its_text_columns_in_one_piece(tmp_path: Path) -> None:
    rows = 400_000  # pandas parses these in several slices, each text column in pieces
    path = tmp_path / "wide.csv"
    numbers = np.arange(rows)
    pd.DataFrame(
        {
            "customer": numbers % 9_973,
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(numbers, unit="s").astype("timedelta64[s]"),
            "mode": np.where(numbers % 3 == 0, "chip", "contactless"),
        }
    ).to_csv(path, index=False)
    plain = pd.read_csv(path)
    assert _pieces(plain["when"]) > 1  # what the reader gives: the case this is about
    frame = read_table(path)
    assert [_pieces(frame[c]) for c in ("when", "mode")] == [1, 1]
    pd.testing.assert_frame_equal(frame, plain, check_exact=True)
