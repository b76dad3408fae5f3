"""Where a spreadsheet's header is: the first row, or the row under a title.

Exports made for people start with a title (``Export des transactions — mars 2023``), a
blank line or two, then the header. A first row that fills at most half the width of the
rows below it is such a title; the header is then the first of the next rows that fills
more than half the width with text only. A first row that fills the width (or a sheet
without a title-like start) keeps the header on the first row, as before.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Rows looked at for a header under a title.
HEAD_ROWS = 20


def header_row(head: pd.DataFrame) -> int:
    """The header's row number (0 for the first) in ``head``, the first rows of a sheet
    read without a header."""
    if head.empty:
        return 0
    filled = head.notna().sum(axis=1).to_list()
    width = max(filled)
    if filled[0] * 2 > width:
        return 0
    for row, count in enumerate(filled):
        cells = head.iloc[row].dropna()
        if count * 2 > width and all(isinstance(cell, str) for cell in cells):
            return row
    return 0


def find_header(source: Any, sheet: str | int) -> int:
    """The header row of sheet ``sheet`` of the workbook ``source`` (bytes in a buffer or
    a path), read from its first :data:`HEAD_ROWS` rows."""
    head = pd.read_excel(source, sheet_name=sheet, header=None, nrows=HEAD_ROWS, engine="openpyxl")
    return header_row(head)
