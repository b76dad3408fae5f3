"""Which sheet of a workbook holds the table, when the caller names none.

People keep a workbook with a "read me" sheet first and the transactions after it; reading
the first sheet silently gave a two-row table of notes. Without a sheet named, the sheet
read is the one whose first rows hold a label (as the caller's ``labelled`` judges them:
the engine's label rule lives above this package) and, among those or if none has one, the
one with the most rows (the first of equals). The names and row counts come from the
workbook's XML (:mod:`entrepot.fraud.tables.xlsx_sheet`), bounded; openpyxl reads only the
first :data:`HEAD_ROWS` rows of the sheets in contention. A workbook of one sheet is read
as before, and the choice is a fact for the caller (:class:`SheetChoice`), never a
sentence.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from entrepot.fraud.errors import UnknownSheet
from entrepot.fraud.tables.xlsx_header import header_row
from entrepot.fraud.tables.xlsx_sheet import workbook_sheets
from entrepot.messages import N_, Message

#: Rows of each sheet in contention read to see whether they hold a label.
HEAD_ROWS = 1000
#: Sheets looked at for a label, in the workbook's order (the rest by rows only).
MAX_LOOKED_AT = 20

#: Judges the first rows of a sheet: do they hold a label column?
Labelled = Callable[[pd.DataFrame], bool]


@dataclass(frozen=True)
class SheetChoice:
    """The sheet read (as openpyxl takes it: its name, or an index), its number in the
    workbook when known, and the names of the other sheets, in the workbook's order."""

    sheet: str | int
    index: int | None = None
    others: tuple[str, ...] = ()

    def facts(self) -> dict[str, object]:
        """``sheet`` and ``other_sheets`` for a workbook of several sheets, else nothing."""
        if not self.others:
            return {}
        return {"sheet": str(self.sheet), "other_sheets": list(self.others)}


def choose_sheet(
    data: bytes, file: str, sheet: str | int | None, *, stop: int, labelled: Labelled | None
) -> SheetChoice:
    """The sheet of the workbook ``data`` (called ``file``) to read: ``sheet`` if named
    (refused with :class:`UnknownSheet` naming the sheets there if there is no such sheet),
    else the one holding the table."""
    found = workbook_sheets(data, stop=stop)
    names = [name for name, _ in found]
    if sheet is None:
        if len(found) <= 1:
            return SheetChoice(0, 0)
        index = _best(data, found, labelled)
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        index = sheet
    else:
        index = names.index(sheet) if sheet in names else _by_number(str(sheet), len(names))
    if not names:  # an index openpyxl alone can read: it says what is wrong
        return SheetChoice(0, 0) if sheet is None else SheetChoice(sheet, None)
    if not 0 <= index < len(names):
        raise UnknownSheet(
            f"{file} has no sheet {sheet!r}; its sheets are: {', '.join(names)}",
            said=Message(
                N_("error.table.no_sheet"),
                {"name": file, "sheet": str(sheet)[:80], "sheets": ", ".join(names)[:400]},
            ),
        )
    others = tuple(name for i, name in enumerate(names) if i != index)
    return SheetChoice(names[index], index, others)


def _by_number(text: str, count: int) -> int:
    """A sheet named by its number from 1, as people count them (``--sheet 2``); -1 if
    ``text`` is not one."""
    return int(text) - 1 if text.isdigit() and 1 <= int(text) <= count else -1


def _best(data: bytes, found: list[tuple[str, int]], labelled: Labelled | None) -> int:
    """The index of the sheet with a label and the most rows, else of the most rows."""
    rows = [count for _, count in found]
    pool = [i for i, count in enumerate(rows) if count > 0] or list(range(len(rows)))
    if labelled is not None and len(pool) > 1:
        with_label = [i for i in pool[:MAX_LOOKED_AT] if labelled(_head(data, found[i][0]))]
        pool = with_label or pool
    return max(pool, key=lambda i: (rows[i], -i))


def _head(data: bytes, sheet: str) -> pd.DataFrame:
    """The first :data:`HEAD_ROWS` rows of ``sheet`` under their header; empty if
    openpyxl cannot read them (the sheet is then not the one chosen for a label)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl style warnings
            raw = pd.read_excel(
                io.BytesIO(data), sheet_name=sheet, header=None, nrows=HEAD_ROWS, engine="openpyxl"
            )
    except Exception:  # openpyxl and zipfile raise several unrelated types
        return pd.DataFrame()
    if raw.empty:
        return raw
    top = header_row(raw.head(20))
    head = raw.iloc[top + 1 :].reset_index(drop=True)
    head.columns = [str(cell) for cell in raw.iloc[top]]
    return head.loc[:, ~head.columns.duplicated()]
