"""Text a spreadsheet would run as a formula is written as text; numbers are untouched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.tables.formulas import neutralise, neutralise_frame
from entrepot.fraud.tables.io import write_table


@pytest.mark.parametrize(
    "cell", ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1"]
)
def test_a_formula_gets_a_leading_quote(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-12.50", "+3", "-1 234,5", "-5%", "1e-3", "plain", ""])
def test_numbers_and_plain_text_stay(cell: str) -> None:
    assert neutralise(cell) == cell


def test_written_csv_keeps_numbers_and_quotes_formulas(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=evil": ["=cmd", "a\rb"], "refund": [-12.5, 3.0]})
    raw = write_table(frame, tmp_path / "out.csv").read_bytes()
    assert raw.split(b"\r\n")[0] == b"'=evil,refund"
    assert b"'=cmd,-12.5" in raw and b'"a\rb",3.0' in raw


@pytest.mark.parametrize("dtype", [object, "string", "str"])
def test_a_whole_column_is_neutralised_as_each_cell_would_be(dtype: object) -> None:
    """The column is screened at once (``str.startswith``); the cells it finds go through
    :func:`neutralise`: the same text as cell by cell, in every kind of text column."""
    cells = ["=HYPERLINK(x)", "-12.5", "+cmd", "ok", None, "@x", "－y", "\tz", "-1 234,5", "a=b"]
    column = pd.Series(cells, dtype=dtype)
    safe = neutralise_frame(pd.DataFrame({"a": column}))["a"]
    assert [None if pd.isna(v) else v for v in safe] == [
        None if v is None else neutralise(v) for v in cells
    ]


def test_the_safe_copy_shares_untouched_columns_and_leaves_the_frame_as_it_was() -> None:
    """Regression: the copy was deep, so writing a scored file held its scores twice. The
    columns left as they are share their values now; the frame itself is never changed."""
    frame = pd.DataFrame({"=name": ["=cmd", "ok"], "amount": [1.5, 2.5], "plain": ["a", "b"]})
    safe = neutralise_frame(frame)
    assert np.shares_memory(safe["amount"].to_numpy(), frame["amount"].to_numpy())
    assert list(safe.columns) == ["'=name", "amount", "plain"]
    assert safe["'=name"].tolist() == ["'=cmd", "ok"]
    assert list(frame.columns) == ["=name", "amount", "plain"]
    assert frame["=name"].tolist() == ["=cmd", "ok"]
