"""Tables made safe to open in a spreadsheet (the OWASP *CSV injection* rule).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a
tab or a carriage return) as a formula: an uploaded cell such as ``=HYPERLINK(...)`` or
``+1+cmd|...`` echoed into a scores file would run on the analyst's machine. Every text
cell and column name starting with one of these (or their full-width forms) gets a leading
``'``, which spreadsheets show as text. Numbers are never touched: a numeric column keeps
its values, and a text cell that is just a number (``-12.50``, ``-1 234,5``) stays as is,
since it cannot be a formula.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d \u00a0\u202f.,]*)?\d([eE][+-]?\d+)?%?$")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return value
    if _PLAIN_NUMBER.fullmatch(value.strip()):
        return value
    return "'" + value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe in a spreadsheet:
    a shallow one (pandas' copy on write), so a column left as it is shares its values
    (a deep copy doubled the scores' memory while a scored file was written)."""
    safe = frame.copy(deep=False)
    safe.columns = [neutralise(str(c)) if isinstance(c, str) else c for c in frame.columns]
    for position, column in enumerate(frame.columns):
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        safe.isetitem(position, _neutralised(values))
    return safe


def _neutralised(values: pd.Series) -> pd.Series:
    """``values`` with :func:`neutralise` applied to the cells that start with a trigger:
    the others, nearly every cell of a real file, are found at once (``str.startswith``)
    and kept as they are."""
    try:
        risky = values.str.startswith(TRIGGERS).fillna(False).astype(bool)
    except AttributeError:  # not a column of text (booleans): every cell looked at
        return values.map(neutralise)
    if not risky.any():
        return values
    out = values.copy()
    out[risky] = values[risky].map(neutralise)
    return out
