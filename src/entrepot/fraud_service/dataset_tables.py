"""A stored dataset's table, read as its upload was: from a workbook, the sheet its
analysis names (the one the person chose, or the one holding the table), so that a
training, a scoring or a retraining reads the rows the dataset page shows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from entrepot.catalog.workspace.records import DatasetRecord
from entrepot.fraud.schema.target import has_label
from entrepot.fraud.tables.io import read_table


def read_dataset(path: Path, dataset: DatasetRecord) -> pd.DataFrame:
    """The table of ``dataset``, a local copy of which is at ``path``."""
    sheet = dataset.analysis.get("sheet") if dataset.analysis else None
    return read_table(path, sheet=sheet if isinstance(sheet, str) else None, labelled=has_label)
