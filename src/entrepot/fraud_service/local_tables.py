"""The tables ``entrepot fraud`` reads from the user's own files, read whole up to what
this machine may hold rather than up to an upload's bound.

An upload is someone else's file: a Parquet, gzip or XLSX file decoding past
:data:`~entrepot.fraud.tables.bounds.MAX_INFLATED_BYTES` (512 MiB) is refused before it is
read. A file on the command line is the user's own, and its plain CSV is read whole at any
size; the same table as Parquet or gzip is bounded here by the memory a job may hold
(:func:`~entrepot.fraud_service.memory_budget.default_budget`, half the machine's), so
that a 20M-row Parquet file trains as its CSV does and a decompression bomb is still
refused before it fills the memory. A large CSV or Parquet file scored or evaluated is
read in slices on disk whatever its size (ADR 0127, 0131)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from entrepot.fraud.tables.bounds import MAX_INFLATED_BYTES
from entrepot.fraud_service.memory_budget import default_budget

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from entrepot.fraud.schema.analysis import Analysis
    from entrepot.fraud.tables.sliced import SlicedTable

__all__ = ["local_analysis", "local_bound", "local_scored_table", "local_table"]


def local_bound() -> int:
    """The decoded bytes a table read whole from a local file may take: the memory a job
    may hold, never less than an upload's bound."""
    return max(MAX_INFLATED_BYTES, default_budget())


def local_table(file: Path, sheet: str | None = None) -> pd.DataFrame:
    """The table in ``file``: a workbook's ``sheet``, else the sheet holding the table."""
    from entrepot.fraud.schema.target import has_label
    from entrepot.fraud.tables.io import read_table

    return read_table(file, sheet=sheet, labelled=has_label, max_inflated=local_bound())


def local_scored_table(file: Path, sheet: str | None) -> pd.DataFrame | SlicedTable:
    """:func:`local_table`, or a large CSV's or Parquet file's slices on disk (closed by
    the caller)."""
    from entrepot.fraud.schema.target import has_label
    from entrepot.fraud.tables.io import read_sliced

    return read_sliced(file, sheet=sheet, labelled=has_label, max_inflated=local_bound())


def local_analysis(
    file: Path,
    *,
    target: str | None,
    time_column: str | None,
    entity_columns: Sequence[str],
    sheet: str | None,
) -> Analysis:
    """``file``'s analysis (:func:`~entrepot.fraud.schema.analysis.analyze_file`)."""
    from entrepot.fraud.schema.analysis import analyze_file

    return analyze_file(
        file,
        target=target,
        time_column=time_column,
        entity_columns=entity_columns,
        sheet=sheet,
        max_inflated=local_bound(),
    )
