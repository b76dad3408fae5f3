"""A column's codes read a piece at a time (issue 40 item 3): the codes the whole
column's ``pandas.factorize`` gives, for every kind of column a file may hold, whatever
the pieces' sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.tables.piece_codes import piece_codes

ROWS = 500


def _columns() -> dict[str, pd.Series]:
    rng = np.random.default_rng(12)
    ints = rng.integers(0, 40, ROWS)
    missing = rng.random(ROWS) < 0.1
    floats = ints.astype(float)
    floats[missing] = np.nan
    text = pd.Series(ints.astype(str), dtype=object)
    text[missing] = None
    return {
        "int64": pd.Series(ints),
        "float with NaN": pd.Series(floats),
        "text with None": text,
        "string": text.astype("string"),
        "nullable Int64": pd.Series(ints).astype("Int64").where(~missing),
        "bool": pd.Series(ints % 2 == 0),
        "datetime": pd.Series(pd.to_datetime(ints, unit="D")),
    }


@pytest.mark.parametrize("name", list(_columns()))
@pytest.mark.parametrize("size", [1, 7, 64, ROWS, ROWS + 3])
def test_the_pieces_codes_are_the_whole_columns(name: str, size: int) -> None:
    column = _columns()[name]
    pieces = [column.iloc[i : i + size].reset_index(drop=True) for i in range(0, ROWS, size)]
    found = piece_codes(iter(pieces), ROWS)
    expected, _ = pd.factorize(column, use_na_sentinel=False)
    np.testing.assert_array_equal(found, expected)
    assert found.dtype == np.int32


def test_pieces_of_more_or_fewer_rows_than_announced_are_refused() -> None:
    column = _columns()["int64"]
    with pytest.raises(ValueError, match="more than the 10 rows"):
        piece_codes([column], 10)
    with pytest.raises(ValueError, match="not the 600 announced"):
        piece_codes([column], 600)
