"""The label of a large upload counted over the whole file, not only the head the analysis
read: the frauds and the fraud rate an upload shows are those training will find.

Only the label column is read, in chunks (CSV: the encoding and separator of the head,
:data:`CHUNK_ROWS` rows at a time; Parquet: that one column; XLSX: that one column of a
sheet already checked against its inflated size), so memory stays bounded. When the file
cannot be counted the sample's counts are kept and marked as estimates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.errors import FraudError
from entrepot.fraud.schema.target import label_vector
from entrepot.fraud.tables.io import sniff_separator
from entrepot.fraud.tables.text import decode, line_cut, wide_encoding
from entrepot.fraud.tables.xlsx_header import find_header

#: Rows of the label column read at once from a CSV.
CHUNK_ROWS = 200_000
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class LabelCount:
    """The label over every row of a file."""

    rows: int
    frauds: int
    unlabelled: int

    @property
    def fraud_rate(self) -> float | None:
        """Frauds among the rows that have a label."""
        known = self.rows - self.unlabelled
        return self.frauds / known if known else None


def count_label(
    path: Path, fmt: str, sample: pd.DataFrame, target: str, positive: object
) -> LabelCount:
    """Count ``target`` (fraud when it equals ``positive``) over the whole file at ``path``,
    whose head was read as ``sample``."""
    position = list(sample.columns).index(target)
    numeric = pd.api.types.is_numeric_dtype(sample[target]) or pd.api.types.is_bool_dtype(
        sample[target]
    )
    if fmt == "parquet":
        chunks: Iterable[pd.Series[Any]] = _parquet(path, target)
    elif fmt == "xlsx":  # the sheet the head was read from, under a title as it was
        sheet = str(sample.attrs["sheet"]) if "sheet" in sample.attrs else 0
        header = find_header(path, sheet)
        chunks = [
            pd.read_excel(path, sheet_name=sheet, usecols=[position], header=header).iloc[:, 0]
        ]
    else:
        chunks = _csv(path, position, numeric)
    rows = frauds = unlabelled = 0
    for series in chunks:
        y = label_vector(series, positive)
        rows += len(y)
        frauds += int(np.nansum(y))
        unlabelled += int(np.isnan(y).sum())
    return LabelCount(rows, frauds, unlabelled)


def _csv(path: Path, position: int, numeric: bool) -> Iterator[pd.Series[Any]]:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    cut = line_cut(head, wide_encoding(head))
    text, encoding = decode(head[:cut] if cut > 0 else head)
    reader = pd.read_csv(
        path,
        sep=sniff_separator(text),
        encoding=encoding,
        encoding_errors="replace",
        usecols=[position],
        dtype=None if numeric else str,
        skipinitialspace=True,
        chunksize=CHUNK_ROWS,
    )
    with reader:
        for chunk in reader:
            yield chunk.iloc[:, 0]


def _parquet(path: Path, target: str) -> Iterator[pd.Series[Any]]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(columns=[target], batch_size=CHUNK_ROWS):
        yield batch.to_pandas().iloc[:, 0]


def whole_file_label(
    path: Path, fmt: str, sample: pd.DataFrame, summary: dict[str, Any], positive: object
) -> dict[str, Any]:
    """``summary`` (an analysis of ``sample``, the head of a larger file) with the label
    counted over the whole file, or, when that fails, marked ``frauds_estimated``."""
    target = summary.get("target")
    if target is None or target not in sample.columns:
        return summary
    try:
        count = count_label(path, fmt, sample, target, positive)
    except (FraudError, ValueError, OSError, pd.errors.ParserError):
        return {**summary, "frauds_estimated": True}
    rate = None if count.fraud_rate is None else round(count.fraud_rate, 6)
    # The label's own line among the candidates shows the same whole-file rate; the other
    # candidates keep the sample's (the page says the columns were read on a sample).
    ranked = [
        {**c, "fraud_rate": rate, "whole_file": True} if c.get("column") == target else c
        for c in summary.get("target_candidates", [])
    ]
    return {
        **summary,
        "rows": count.rows,
        "frauds": count.frauds,
        "unlabelled_rows": count.unlabelled,
        "fraud_rate": rate,
        "target_candidates": ranked,
        "frauds_estimated": False,
    }
