"""The explained rows' texts put in the merged scores' explanation column (issue 40 item 3):
the values and dtype a column of Python objects gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.score.merged_scores import with_texts

VALUES = ["", "a", "", 'b,"c"', None, "", "é", ""] * 3


def _by_objects(column: pd.Series, rows: np.ndarray, texts: list[str]) -> pd.Series:
    found = column.to_numpy(dtype=object, copy=True)
    found[rows] = texts
    return pd.Series(pd.array(found, dtype=column.dtype))


def _column(dtype: object, pieces: int) -> pd.Series:
    """The values in ``pieces`` joined by pandas (an Arrow column then in as many)."""
    size = -(-len(VALUES) // pieces)
    cut = [VALUES[at : at + size] for at in range(0, len(VALUES), size)]
    parts = [pd.Series(pd.array(piece, dtype=dtype)) for piece in cut]
    return pd.concat(parts, ignore_index=True) if pieces > 1 else parts[0]


@pytest.mark.parametrize("dtype", ["str", object], ids=["arrow-text", "objects"])
@pytest.mark.parametrize("pieces", [1, 3])
def test_texts_put_at_rows_in_any_order_as_objects_put_them(dtype: object, pieces: int) -> None:
    column = _column(dtype, pieces)
    rows = np.array([23, 0, 7, 4, 12])  # the most probable first, not in row order
    texts = ["twenty-three", "zero", "seven", "four (was missing)", "twelve"]
    found = pd.Series(with_texts(column, rows, texts))
    pd.testing.assert_series_equal(found, _by_objects(column, rows, texts), check_exact=True)
    assert found[4] == "four (was missing)" and pd.isna(found[20])


def test_no_rows_leave_the_column_as_it_was() -> None:
    column = _column("str", 2)
    found = pd.Series(with_texts(column, np.zeros(0, dtype=np.intp), []))
    pd.testing.assert_series_equal(found, column, check_exact=True)
