"""A large CSV file parsed a slice at a time into a :class:`~entrepot.fraud.tables.sliced
.SlicedTable`: its slices on disk, never the whole table in memory (issue 40 item 3; ADR
0127).

The file is checked and parsed as :func:`~entrepot.fraud.tables.csv_read.read_csv_file`
parses it, with the same options. A file of one slice is that slice, as the whole read
gives it. Where the slices do not give what the whole read gives, the file is read whole
instead, as before: a column read as dtypes that do not join (text in one slice, numbers
in another), or a text column whose first values :func:`~entrepot.fraud.tables.numbers
.text_numbers` may read as numbers (it decides on the whole column)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from entrepot.fraud.tables.csv_columns import ROWS
from entrepot.fraud.tables.csv_read import (
    CsvReading,
    csv_file_reading,
    read_csv_file,
    reading_options,
    refusing,
)
from entrepot.fraud.tables.numbers import leaves_text, text_numbers
from entrepot.fraud.tables.sliced import SlicedTable
from entrepot.fraud.tables.utf8_file import WHOLE_BELOW

__all__ = ["sliced_csv_file"]


def sliced_csv_file(
    path: Path, *, rows: int = ROWS, whole_below: int = WHOLE_BELOW
) -> SlicedTable | pd.DataFrame | None:
    """The CSV file at ``path`` in slices of ``rows`` rows on disk (the caller closes the
    table); the frame :func:`~entrepot.fraud.tables.csv_read.read_csv_file` gives where it
    is one slice or its slices do not join as the whole read; ``None`` where it is not a
    large file of UTF-8 text (read it whole)."""
    reading = csv_file_reading(path, whole_below=whole_below)
    if reading is None:
        return None
    table = SlicedTable(path.name)
    try:
        first = _spilled(reading, path.name, rows, table)
        if first is not None:  # one slice, or none: the whole read
            table.close()
            return text_numbers(first, conventions=reading.conventions)
        if table.joinable() and leaves_text(table.head(rows), reading.conventions):
            return table
    except BaseException:
        table.close()
        raise
    table.close()
    return read_csv_file(path, whole_below=whole_below)


def _spilled(reading: CsvReading, name: str, rows: int, table: SlicedTable) -> pd.DataFrame | None:
    """The file's slices added to ``table``; the file's only slice instead, where it has
    one (an empty frame where pandas gives none)."""
    first: pd.DataFrame | None = None
    count = 0
    with refusing(name, reading.sep):
        options = reading_options(reading)
        with reading.source() as stream, pd.read_csv(stream, chunksize=rows, **options) as chunks:
            for chunk in chunks:
                count += 1
                if count == 1:
                    first = chunk
                    continue
                if first is not None:
                    table.add(first)
                    first = None
                table.add(chunk)
                del chunk
        if count == 0:  # pragma: no cover - pandas gives a header alone as one empty slice
            raise pd.errors.EmptyDataError("no rows")
    return first
