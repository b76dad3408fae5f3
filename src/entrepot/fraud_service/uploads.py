"""Receive an upload: spooled to a local temporary file chunk by chunk, never whole in
memory, its size checked as it arrives, its format recognised by its first bytes.

Large tables are analysed on their head (:func:`read_sample`): the first
``sample_bytes`` of a CSV (cut at a line end), the first row groups of a Parquet file, the
first rows of a spreadsheet; compressed formats are first checked against what they would
inflate to (:mod:`entrepot.fraud.tables.bounds`), so an archive bomb is refused unread.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self
from unicodedata import category

import pandas as pd

from entrepot import temp_names
from entrepot.accounts.errors import DatasetTooLarge
from entrepot.fraud.errors import EmptyFile, UnreadableFile
from entrepot.fraud.schema.target import has_label
from entrepot.fraud.tables.bounds import (
    MAX_INFLATED_BYTES,
    MAX_XLSX_ROWS,
    check_xlsx,
    check_xlsx_rows,
)
from entrepot.fraud.tables.finite import infinities_as_missing
from entrepot.fraud.tables.gzipped import chunks, is_gzip
from entrepot.fraud.tables.io import read_bytes, xlsx_rows
from entrepot.fraud.tables.parquet import open_parquet, read_parquet
from entrepot.fraud.tables.sheets import choose_sheet
from entrepot.fraud.tables.text import line_cut, wide_encoding
from entrepot.fraud_service.errors import UnsupportedFileType
from entrepot.messages import N_, Message, Size, Word
from entrepot.sizes import human_size

#: Suffixes accepted, and the format each means.
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
}
CONTENT_TYPES = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: First bytes of formats people upload by mistake, to name them in the error.
_SIGNATURES = (
    (b"\x89PNG", "a PNG image", N_("file_kind.png")),
    (b"\xff\xd8\xff", "a JPEG image", N_("file_kind.jpeg")),
    (b"%PDF", "a PDF document", N_("file_kind.pdf")),
    (b"GIF8", "a GIF image", N_("file_kind.gif")),
    (b"\x1f\x8b", "a gzip archive", N_("file_kind.gzip")),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file", N_("file_kind.xls")),
    (b"PK\x03\x04", "a ZIP archive", N_("file_kind.zip")),
)


def safe_filename(name: str) -> str:
    """A file name made of ``A-Za-z0-9._-`` only (at most 100 characters), suffix kept."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    stem = _UNSAFE.sub("_", stem).strip("._") or "upload"
    suffix = _UNSAFE.sub("", suffix.lower())[:10]
    return stem[: 100 - len(suffix)] + suffix


#: Characters a display name drops: controls, invisible formats, lone surrogates, line and
#: paragraph separators (what cannot be shown, or kept by every catalog).
_HIDDEN = ("Cc", "Cf", "Cs", "Zl", "Zp")


def display_filename(name: str) -> str:
    """The name a person gave the file, to show (``отчёт.csv``, ``relevé d’opérations.csv``):
    its last path segment, NFC, without what cannot be shown, spaces collapsed, at most 100
    characters, suffix kept; :func:`safe_filename` names its object and local copies."""
    base = Path(name.replace("\\", "/")).name
    shown = "".join(c for c in unicodedata.normalize("NFC", base) if category(c) not in _HIDDEN)
    shown = " ".join(shown.split()).strip(". ")
    if not shown or shown.startswith("."):
        return safe_filename(name)
    stem, suffix = os.path.splitext(shown)
    suffix = suffix[:10]
    return stem[: 100 - len(suffix)] + suffix


class Spool:
    """A temporary file that refuses to grow past ``limit`` bytes; hashes and counts lines
    as it is written. Use it as a context manager: the file is removed on exit."""

    def __init__(self, folder: Path, limit: int, *, limit_message: str = "") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=temp_names.UPLOAD, suffix=".part")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._limit = limit
        self._limit_message = limit_message
        self._digest = hashlib.sha256()
        self.size = 0
        self.newlines = 0
        self._last = b""

    def write(self, chunk: bytes) -> None:
        """Append ``chunk``; raises :class:`DatasetTooLarge` once past the limit."""
        self.size += len(chunk)
        if self.size > self._limit:
            raise DatasetTooLarge(
                self._limit_message or f"the file is larger than {human_size(self._limit)}",
                said=Message(N_("error.upload.too_large"), {"limit": Size(self._limit)}),
            )
        self._file.write(chunk)
        self._digest.update(chunk)
        self.newlines += chunk.count(b"\n")
        if chunk:
            self._last = chunk[-1:]

    def close(self) -> None:
        """Finish writing (the file stays until the context exits)."""
        if not self._file.closed:
            self._file.close()

    @property
    def limit(self) -> int:
        """The most bytes the spool accepts (the upload limit)."""
        return self._limit

    @property
    def sha256(self) -> str:
        """The sha256 of what was written."""
        return self._digest.hexdigest()

    @property
    def lines(self) -> int:
        """Text lines written (a last line without its line end counts)."""
        return self.newlines + (1 if self._last not in (b"", b"\n") else 0)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def gzipped(path: Path) -> bool:
    """Whether the file at ``path`` is a gzip file."""
    with path.open("rb") as handle:
        return is_gzip(handle.read(2))


def inflated(spool: Spool, filename: str) -> Spool:
    """A new spool (a context manager, like ``spool``) holding the gzip file ``spool``
    holds, inflated: at most the upload's limit of inflated bytes
    (:class:`~entrepot.fraud.tables.bounds.InflatesTooMuch` past it), an archive that is
    damaged or cut refused as :class:`UnreadableFile`."""
    plain = Spool(spool.path.parent, spool.limit)
    try:
        with spool.path.open("rb") as handle:
            for chunk in chunks(handle, filename, bound=spool.limit, packed=spool.size):
                plain.write(chunk)
    except BaseException:
        plain.__exit__(None, None, None)
        raise
    plain.close()
    return plain


def detect_format(path: Path, filename: str) -> str:
    """``csv``, ``parquet`` or ``xlsx`` from the content first (as the engine reads it: a
    Parquet or XLSX file named ``.csv`` is that format), the name second; raises
    :class:`UnsupportedFileType` naming what the file is, or :class:`EmptyFile`."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if not head.strip():
        raise EmptyFile(
            f"{filename} is empty", said=Message(N_("error.upload.empty"), {"name": filename})
        )
    suffix = Path(filename).suffix.lower()
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:4] == b"PK\x03\x04" and (suffix in (".xlsx", ".xlsm", "") or _workbook(path)):
        return "xlsx"
    for signature, what, kind in _SIGNATURES:
        if head.startswith(signature):
            raise UnsupportedFileType(
                f"{filename} is {what}, not a table",
                said=Message(
                    N_("error.upload.not_a_table"), {"name": filename, "kind": Word(kind)}
                ),
            )
    if suffix and suffix not in FORMATS:
        raise UnsupportedFileType(
            f"{filename}: files ending in {suffix!r} are not accepted",
            said=Message(N_("error.upload.suffix"), {"name": filename, "suffix": suffix}),
        )
    if wide_encoding(head) is not None:  # UTF-16 or UTF-32: zero bytes are expected
        return "csv"
    controls = sum(byte < 32 and byte not in (9, 10, 13) for byte in head[:4096])
    if b"\x00" in head[:4096] or controls > len(head[:4096]) // 100:
        raise UnsupportedFileType(
            f"{filename} is a binary file, not a CSV",
            said=Message(N_("error.upload.binary"), {"name": filename}),
        )
    return "csv"


def _workbook(path: Path) -> bool:
    """Whether the ZIP archive at ``path`` is a spreadsheet (it holds ``xl/workbook.xml``);
    only its central directory is read."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(info.filename == "xl/workbook.xml" for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


@dataclass(frozen=True)
class Sample:
    """The head of an upload as a table, and how many rows the whole file holds."""

    frame: pd.DataFrame
    total_rows: int
    complete: bool


def read_sample(
    path: Path,
    filename: str,
    fmt: str,
    *,
    sample_bytes: int,
    lines: int,
    max_inflated: int = MAX_INFLATED_BYTES,
    sheet: str | None = None,
) -> Sample:
    """The table at ``path`` (its head when large; a workbook's ``sheet``, else the sheet
    holding the table, named in the frame's ``attrs``); raises the engine's
    :class:`UnreadableFile` or :class:`EmptyFile` for a malformed file (an unknown sheet
    too), and :class:`~entrepot.fraud.tables.bounds.InflatesTooMuch` for a Parquet or XLSX
    file that would inflate past ``max_inflated`` bytes."""
    max_inflated = min(max_inflated, MAX_INFLATED_BYTES)
    if fmt == "parquet":
        return _parquet_sample(path, filename, sample_bytes, max_inflated)
    if fmt == "xlsx":
        return _xlsx_sample(path, filename, sample_bytes, max_inflated, sheet)
    size = path.stat().st_size
    with path.open("rb") as handle:
        data = handle.read(sample_bytes)
    complete = size <= sample_bytes
    if not complete:  # cut after the last whole line, on a whole UTF-16 or UTF-32 character
        cut = line_cut(data, wide_encoding(data))
        if cut <= 0:
            raise UnreadableFile(
                f"{filename} has no line end in its first {sample_bytes} bytes",
                said=Message(
                    N_("error.upload.no_line_end"), {"name": filename, "bytes": sample_bytes}
                ),
            )
        data = data[:cut]
    frame = read_bytes(data, name=filename)
    total = len(frame) if complete else max(len(frame), lines - 1)
    return Sample(frame, total, complete)


def _xlsx_sample(
    path: Path, filename: str, sample_bytes: int, max_inflated: int, sheet: str | None
) -> Sample:
    data = path.read_bytes()
    check_xlsx(data, filename, max_inflated=max_inflated)  # the archive, before any XML
    choice = choose_sheet(data, filename, sheet, stop=MAX_XLSX_ROWS, labelled=has_label)
    declared = xlsx_rows(data, sheet=choice.index or 0)
    check_xlsx_rows(declared, filename)  # refused at upload, not when training reads it
    rows = max(1000, sample_bytes // 100)
    frame = read_bytes(
        data, name=filename, sheet=choice.sheet, max_inflated=max_inflated, xlsx_rows=rows + 1
    )
    if len(frame) <= rows:
        return Sample(frame, len(frame), True)
    return Sample(frame.head(rows), max(rows, declared), False)


def _parquet_sample(path: Path, filename: str, sample_bytes: int, max_inflated: int) -> Sample:
    parquet = open_parquet(path, filename)
    total = int(parquet.metadata.num_rows)
    rows = max(1000, sample_bytes // (8 * max(1, parquet.metadata.num_columns)))
    frame = read_parquet(parquet, filename, max_inflated=max_inflated, rows=rows)
    if frame.empty or total == 0:
        raise EmptyFile(
            f"{filename} has no rows", said=Message(N_("error.upload.no_rows"), {"name": filename})
        )
    return Sample(infinities_as_missing(frame), total, len(frame) >= total)
