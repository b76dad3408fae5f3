"""Reading a table's columns for its features, and, for a table handed over
(:mod:`entrepot.fraud.tables.handed`), dropping each from the table once read for the last
time: a training's table goes while its feature matrix fills (issue 40 item 4), its freed
pages given back at once (ADR 0112: what a text column held is many small buffers, which
the matrix's large arrays never reuse)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pandas as pd

from entrepot.freed_memory import give_back


class ColumnReader:
    """Reads a table's columns for the features; with ``reads`` (each column's reads to
    come), drops a column from the table after its last read."""

    def __init__(
        self,
        frame: pd.DataFrame,
        column: Callable[[pd.DataFrame, str], pd.Series],
        reads: Counter[str] | None,
    ) -> None:
        self.frame, self.column, self.reads = frame, column, reads
        self.dropped: set[str] = set()

    def __call__(self, col: str) -> pd.Series:
        if col in self.dropped:  # its features would be read as missing, silently
            raise RuntimeError(f"column {col!r} read after its last counted read")
        series = self.column(self.frame, col)
        if self.reads is not None:
            self.reads[col] -= 1
            if self.reads[col] <= 0 and col in self.frame.columns:
                del self.frame[col]
                self.dropped.add(col)
                give_back()  # a text column's many small buffers stay in the heap else
        return series
