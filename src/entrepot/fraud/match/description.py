"""Describe an uploaded table once: column roles, timestamp formats, ids, match signature.

Roles and signatures are read on an evenly spaced sample of at most
:data:`SAMPLE_ROWS` rows, so that describing a million-row file stays quick; the same
file always gives the same description.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from entrepot.fraud.errors import NoUsableColumns
from entrepot.fraud.match.signature import ColumnSignature, table_signature
from entrepot.fraud.schema.analysis import Analysis, analyze
from entrepot.messages import N_, Message

SAMPLE_ROWS = 20_000


@dataclass(frozen=True)
class Upload:
    """What an uploaded table holds, as matching and scoring need it."""

    analysis: Analysis
    columns: tuple[ColumnSignature, ...]
    rows: int

    @property
    def id_columns(self) -> list[str]:
        """Columns with a different value on every row: passed through to the scores."""
        return self.analysis.with_role("id")

    def time_format(self, column: str) -> str | None:
        """The timestamp format found in ``column``, if it holds timestamps."""
        return self.analysis.column(column).time_format

    def role(self, column: str) -> str | None:
        """The matching role of ``column``; ``None`` if it plays none."""
        for sig in self.columns:
            if sig.name == column:
                return sig.role
        return None


def sample(frame: pd.DataFrame, rows: int = SAMPLE_ROWS) -> pd.DataFrame:
    """At most ``rows`` evenly spaced rows of ``frame``, in order."""
    if len(frame) <= rows:
        return frame
    return frame.iloc[sample_positions(len(frame), rows)]


def sample_positions(count: int, rows: int = SAMPLE_ROWS) -> np.ndarray:
    """The positions of :func:`sample`'s rows in a table of ``count`` rows."""
    if count <= rows:
        return np.arange(count, dtype=np.int64)
    positions: np.ndarray = np.linspace(0, count - 1, rows).astype(np.int64)
    return positions


def describe(frame: pd.DataFrame, *, target: str | None = None, rows: int | None = None) -> Upload:
    """Roles and the match signature of ``frame``'s columns; ``rows``: the table's rows
    where ``frame`` is its :func:`sample` alone (a table held on disk in slices).

    Raises :class:`~entrepot.fraud.errors.NoUsableColumns` when no column can be matched
    (every column is empty, constant, an id or free text).
    """
    frame = frame.rename(columns=str)
    part = sample(frame)
    analysis = analyze(part, target=target)
    columns = table_signature(part, analysis.columns)
    if not columns:
        described = ", ".join(f"{c.name} ({c.role})" for c in analysis.columns)
        raise NoUsableColumns(
            f"no column can be matched to a model input: {described}",
            said=Message(N_("error.fraud.no_matchable_column"), {"columns": described}),
        )
    return Upload(analysis, columns, len(frame) if rows is None else rows)
