"""Read the tables people actually export, and write generated ones.

CSV separated by ``,``, ``;``, tab or ``|``; UTF-8 with or without BOM, UTF-16 or UTF-32
with or without BOM, Windows-1252 or Latin-1 (:mod:`entrepot.fraud.tables.text`), plain or
gzipped (:mod:`entrepot.fraud.tables.gzipped`); numbers written as text (``1 234,56``,
``1,234.56``, ``12,50 €``, ``$12.50``: :mod:`entrepot.fraud.tables.numbers`); codes of
digits with leading zeros (``0042``, card numbers) kept as text. Parquet and XLSX are
recognised by their first bytes as well as by their suffix, and checked against
:mod:`entrepot.fraud.tables.bounds` and :mod:`entrepot.fraud.tables.parquet` before they
are inflated; a spreadsheet's header may sit under a title
(:mod:`entrepot.fraud.tables.xlsx_header`). Infinite numbers are read as missing values
(:mod:`entrepot.fraud.tables.finite`). A CSV is parsed by :mod:`entrepot.fraud.tables.csv_read`;
a large UTF-8 CSV file is read from disk a block at a time, its bytes never held whole
(ADR 0124).
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from entrepot.fraud.errors import EmptyFile, MissingFile, UnreadableFile
from entrepot.fraud.tables.bounds import (
    MAX_INFLATED_BYTES,
    MAX_XLSX_ROWS,
    check_xlsx,
    check_xlsx_rows,
)
from entrepot.fraud.tables.csv_read import (
    check_header_width,
    read_csv,
    read_csv_file,
    sniff_separator,
)
from entrepot.fraud.tables.csv_sliced import sliced_csv_file
from entrepot.fraud.tables.csv_text import csv_blocks
from entrepot.fraud.tables.finite import infinities_as_missing
from entrepot.fraud.tables.float_text import float_text
from entrepot.fraud.tables.formulas import neutralise_frame
from entrepot.fraud.tables.gzipped import gunzip, inner_name
from entrepot.fraud.tables.kinds import kind_of
from entrepot.fraud.tables.numbers import text_numbers
from entrepot.fraud.tables.one_piece import text_in_one_piece
from entrepot.fraud.tables.parquet import open_parquet, read_parquet
from entrepot.fraud.tables.parquet_sliced import sliced_parquet_file
from entrepot.fraud.tables.sheets import Labelled, choose_sheet
from entrepot.fraud.tables.sliced import SlicedTable
from entrepot.fraud.tables.text import decode
from entrepot.fraud.tables.xlsx_header import find_header
from entrepot.fraud.tables.xlsx_sheet import sheet_rows
from entrepot.freed_memory import give_back
from entrepot.messages import N_, Message

__all__ = [
    "check_header_width",
    "decode",
    "read_bytes",
    "read_sliced",
    "read_table",
    "sniff_separator",
    "write_csv_slices",
    "write_table",
    "xlsx_rows",
]

#: Line end of the CSV files written: with both characters in it, the ``csv`` writer quotes
#: any cell holding a CR or an LF.
CRLF = "\r\n"


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    labelled: Labelled | None = None,
    max_inflated: int = MAX_INFLATED_BYTES,
) -> pd.DataFrame:
    """Read a CSV, Parquet or XLSX file into a DataFrame (a workbook's sheet as
    :func:`read_bytes` chooses it; a Parquet, gzip or XLSX file refused past
    ``max_inflated`` decoded bytes, as :func:`read_bytes` refuses it).

    Raises :class:`EmptyFile` for a file without rows and :class:`UnreadableFile` for
    anything that is not one of these formats.
    """
    found = _read(Path(path), read_csv_file, sheet, labelled, max_inflated)
    if isinstance(found, SlicedTable):  # pragma: no cover - read_csv_file makes none
        raise TypeError("a sliced table where a frame was read")
    return found


def read_sliced(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    labelled: Labelled | None = None,
    max_inflated: int = MAX_INFLATED_BYTES,
) -> pd.DataFrame | SlicedTable:
    """:func:`read_table`'s table, or, for a large UTF-8 CSV parsed in more than one
    slice or a Parquet file decoded in more than one, its slices on disk
    (:mod:`entrepot.fraud.tables.csv_sliced`, :mod:`entrepot.fraud.tables.parquet_sliced`;
    the caller closes the table): the same values, never the whole table in memory."""
    reader = read_csv_file if sheet is not None else _sliced_file
    return _read(Path(path), reader, sheet, labelled, max_inflated)


def _sliced_file(path: Path) -> pd.DataFrame | SlicedTable | None:
    """A large UTF-8 CSV's slices (or its frame), else a large Parquet file's slices
    (ADR 0131), else ``None``: read whole."""
    found = sliced_csv_file(path)
    return found if found is not None else sliced_parquet_file(path)


def _read(
    path: Path,
    csv_file: Callable[[Path], pd.DataFrame | SlicedTable | None],
    sheet: str | int | None,
    labelled: Labelled | None,
    max_inflated: int,
) -> pd.DataFrame | SlicedTable:
    try:
        frame = csv_file(path)  # a large UTF-8 CSV: never held whole (ADR 0124)
        data = path.read_bytes() if frame is None else b""
    except FileNotFoundError:
        raise MissingFile(
            f"no file at {path}", said=Message(N_("error.file.missing"), {"path": str(path)})
        ) from None
    except IsADirectoryError:
        raise UnreadableFile(
            f"{path} is a folder, not a file",
            hint="give a file",
            said=Message(N_("error.file.folder"), {"path": str(path)}),
        ) from None
    if isinstance(frame, SlicedTable):
        return frame
    if frame is not None:
        return _finished(frame, path.name, {})
    frame = read_bytes(
        data, name=path.name, sheet=sheet, labelled=labelled, max_inflated=max_inflated
    )
    del data
    give_back()  # the file's bytes, freed only now: a scoring's kept heap would hold them
    return frame


def read_bytes(
    data: bytes,
    *,
    name: str = "upload",
    sheet: str | int | None = None,
    max_inflated: int = MAX_INFLATED_BYTES,
    xlsx_rows: int | None = None,
    labelled: Labelled | None = None,
) -> pd.DataFrame:
    """Read a table from the bytes of a CSV, Parquet or XLSX file called ``name``.

    A Parquet or XLSX file that would inflate past ``max_inflated`` bytes is refused before
    it is read (:class:`~entrepot.fraud.tables.bounds.InflatesTooMuch`); ``xlsx_rows``
    reads only the first rows of a spreadsheet. A workbook's ``sheet`` (a name, an index
    from 0, or its number from 1 written as text) is read, else the sheet holding the table
    (:mod:`entrepot.fraud.tables.sheets`, ``labelled`` judging a sheet's first rows); from
    a workbook of several sheets the frame's ``attrs`` say ``sheet`` (its name) and
    ``other_sheets``.
    """
    if not data.strip():
        raise EmptyFile(f"{name} is empty", said=Message(N_("error.upload.empty"), {"name": name}))
    kind = kind_of(data, name)
    if kind == "gzip":
        inner = gunzip(data, name, bound=max_inflated)
        return read_bytes(
            inner,
            name=inner_name(name),
            sheet=sheet,
            max_inflated=max_inflated,
            xlsx_rows=xlsx_rows,
            labelled=labelled,
        )
    facts: dict[str, object] = {}
    if kind == "parquet":
        frame = _read_parquet(data, name, max_inflated)
    elif kind == "xlsx":
        check_xlsx(data, name, max_inflated=max_inflated)
        choice = choose_sheet(data, name, sheet, stop=MAX_XLSX_ROWS, labelled=labelled)
        frame = _read_excel(data, name, choice.sheet, choice.index, xlsx_rows)
        facts = choice.facts()
    else:
        frame = read_csv(data, name)
    return _finished(frame, name, facts)


def _finished(frame: pd.DataFrame, name: str, facts: dict[str, object]) -> pd.DataFrame:
    """The frame read from the file ``name``, refused without rows, its infinite numbers
    missing, its text columns each in one piece, its sheet's ``facts`` in its ``attrs``."""
    if frame.empty:
        raise EmptyFile(
            f"{name} has {len(frame.columns)} column(s) but no rows",
            said=Message(N_("error.table.no_rows"), {"name": name, "columns": len(frame.columns)}),
        )
    frame = text_in_one_piece(infinities_as_missing(frame))  # a take then reads its rows
    frame.attrs.update(facts)
    give_back()  # the parser's buffers, kept by the allocator for nothing afterwards
    return frame


def _read_parquet(data: bytes, name: str, max_inflated: int) -> pd.DataFrame:
    return read_parquet(open_parquet(io.BytesIO(data), name), name, max_inflated=max_inflated)


def _read_excel(
    data: bytes, name: str, sheet: str | int, index: int | None, rows: int | None
) -> pd.DataFrame:
    if rows is None:  # the whole sheet: refused by its counted size, then read one row over
        if index is not None:
            check_xlsx_rows(xlsx_rows(data, sheet=index), name)
        rows = MAX_XLSX_ROWS + 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl style warnings
            header = find_header(io.BytesIO(data), sheet)
            frame = pd.read_excel(
                io.BytesIO(data), sheet_name=sheet, engine="openpyxl", nrows=rows, header=header
            )
    except Exception as exc:  # openpyxl and zipfile raise several unrelated types
        raise UnreadableFile(
            f"{name} is not a readable XLSX file: {exc}",
            said=Message(
                N_("error.table.xlsx_unreadable"), {"name": name, "detail": str(exc)[:200]}
            ),
        ) from exc
    check_xlsx_rows(len(frame), name)
    return text_numbers(frame)


def xlsx_rows(data: bytes, *, sheet: int = 0) -> int:
    """The data rows of a spreadsheet (header excluded), declared or counted in its XML
    without openpyxl, the count stopping past :data:`MAX_XLSX_ROWS`; 0 if it has none."""
    return sheet_rows(data, sheet=sheet, stop=MAX_XLSX_ROWS)


def write_table(frame: pd.DataFrame, path: str | Path, *, lang: str = "en") -> Path:
    """Write ``frame`` as Parquet, XLSX or CSV by the suffix of ``path``, atomically.

    French CSV uses ``;``, decimal commas and a UTF-8 BOM, as spreadsheets expect. CSV and
    XLSX text cells that a spreadsheet would run as formulas are neutralised
    (:mod:`entrepot.fraud.tables.formulas`); numbers are written as they are. CSV lines end
    in CRLF (RFC 4180), so a cell holding a bare CR is quoted and cannot start a new row.
    """
    suffix = Path(path).suffix.lower()

    def write(tmp: Path) -> None:
        if suffix in (".parquet", ".pq"):
            frame.to_parquet(tmp, index=False)
        elif suffix == ".xlsx":
            neutralise_frame(frame).to_excel(tmp, index=False, engine="openpyxl")
        elif lang == "fr":
            safe = neutralise_frame(frame)
            safe.to_csv(
                tmp, index=False, sep=";", decimal=",", encoding="utf-8-sig", lineterminator=CRLF
            )
        else:
            _write_csv([frame], tmp)

    return _atomically(Path(path), write)


def write_csv_slices(slices: Iterable[pd.DataFrame], path: str | Path) -> Path:
    """Slices of one table (the same columns, in order) written as one English CSV file,
    atomically: the bytes :func:`write_table` writes for their join, one slice held at a
    time."""

    return _atomically(Path(path), partial(_write_csv, slices))


def _atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """``path`` written by ``write`` to a temporary file beside it, then put in its place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _write_csv(slices: Iterable[pd.DataFrame], path: Path) -> None:
    """The ``slices`` of one table as pandas' CSV of their join with CRLF lines, the header
    once, each slice's formulas neutralised and its text made in Arrow where its columns
    allow (:mod:`entrepot.fraud.tables.csv_text`: the same bytes), else by pandas."""
    with path.open("wb") as out:
        for number, frame in enumerate(slices):
            safe = neutralise_frame(frame)
            blocks = csv_blocks(safe, CRLF)
            if blocks is None:
                _floats_as_text(safe).to_csv(
                    out, index=False, lineterminator=CRLF, header=number == 0
                )
                continue
            for at, block in enumerate(blocks):
                if at or not number:  # the header once, with the first slice
                    out.write(block)


def _floats_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a copy of its own) with each float64 column as the text pandas' CSV
    writer would give it, made in C++ (:mod:`entrepot.fraud.tables.float_text`): the same
    bytes written."""
    for position, dtype in enumerate(frame.dtypes):
        if dtype == np.float64:
            frame.isetitem(position, float_text(frame.iloc[:, position].to_numpy()))
    return frame
