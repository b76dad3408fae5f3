"""A CSV's rows read into a frame, from its bytes in memory (:func:`read_csv`) or, for a
large file of UTF-8 text, from disk a block at a time (:func:`read_csv_file`, ADR 0124):
the same frame either way.

Its separator is guessed from its first lines (``,``, ``;``, tab or ``|``); a header of
more than :data:`~entrepot.fraud.tables.bounds.MAX_COLUMNS` columns is refused before
anything is parsed; codes of digits with leading zeros (``0042``, card numbers) are kept
as text; numbers written as text (``1 234,56``, ``12,50 €``) are read as numbers
(:mod:`entrepot.fraud.tables.numbers`). Pandas parses UTF-8 bytes, with only the options
that change a value, each of which costs CPU.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from entrepot.fraud.errors import EmptyFile, UnreadableFile
from entrepot.fraud.tables import refused
from entrepot.fraud.tables.bounds import MAX_COLUMNS, InflatesTooMuch
from entrepot.fraud.tables.csv_columns import parse_by_columns
from entrepot.fraud.tables.numbers import text_numbers
from entrepot.fraud.tables.text import decode
from entrepot.fraud.tables.utf8_file import BLOCK_BYTES, WHOLE_BELOW, Utf8File, utf8_file
from entrepot.messages import N_, Message

__all__ = [
    "CsvReading",
    "check_header_width",
    "csv_file_reading",
    "read_csv",
    "read_csv_file",
    "reading_options",
    "refusing",
    "sniff_separator",
]

_SEPARATORS = (",", ";", "\t", "|")
#: Characters of each line the separator is guessed from.
SNIFF_CHARS = 16 * 1024
#: Rows of a CSV looked at for codes written with leading zeros.
CODE_ROWS = 2000
_LEADING_ZERO = re.compile(r"0\d+")
#: Bytes a CSV held in memory is scanned for spaces at a time.
_SCAN_BLOCK = 1 << 24


def read_csv(data: bytes, name: str) -> pd.DataFrame:
    """The rows of the CSV ``data`` (a file called ``name``), in whatever encoding
    :func:`~entrepot.fraud.tables.text.decode` recognises."""
    text, encoding = decode(data, name)
    sep = sniff_separator(text)
    check_header_width(text, sep, name)
    # Parsed from UTF-8 bytes, not from the text: pandas read a StringIO through a buffer
    # of four bytes a character (5M rows, 365 MB: a 3,142 MiB peak, 1,321 from the bytes),
    # and the text is let go of first.
    utf8 = _utf8(data, text, encoding)
    del text
    blocks = (memoryview(utf8)[at : at + _SCAN_BLOCK] for at in range(0, len(utf8), _SCAN_BLOCK))
    replace = encoding == "utf-8-sig" and not _valid_utf8(utf8)
    options = _parsing(spaced(blocks, sep), replace)
    return _parsed(lambda: io.BytesIO(utf8), sep, options, name)


def read_csv_file(path: Path, *, whole_below: int = WHOLE_BELOW) -> pd.DataFrame | None:
    """The rows of the CSV file at ``path`` as :func:`read_csv` gives them from its bytes,
    read from disk a block at a time where it is a large file of UTF-8 text
    (:mod:`entrepot.fraud.tables.utf8_file`); ``None`` where it is to be read whole."""
    found = csv_file_reading(path, whole_below=whole_below)
    if found is None:
        return None
    return _parsed(found.source, found.sep, found.options, path.name)


@dataclass(frozen=True, slots=True)
class CsvReading:
    """How a large UTF-8 CSV file is parsed from disk: what opens its bytes, its
    separator, and the options of ``pandas.read_csv`` that change a value (its codes of
    digits with leading zeros not yet among them: :func:`reading_options`)."""

    source: Callable[[], BinaryIO]
    sep: str
    options: dict[str, object]

    @property
    def conventions(self) -> tuple[str, ...]:
        """The conventions its numbers written as text are read in."""
        return ("en",) if self.sep == "," else ("fr", "en")


def csv_file_reading(path: Path, *, whole_below: int = WHOLE_BELOW) -> CsvReading | None:
    """How the CSV file at ``path`` is parsed from disk, or ``None`` where it is to be
    read whole (small, not UTF-8, a header past its first block).

    One pass over its blocks checks that they are UTF-8 and finds whether a space follows
    a separator; pandas then parses the file itself."""
    found = utf8_file(path, whole_below=whole_below)
    if found is None:
        return None
    sep = sniff_separator(found.head)
    if not _header_within(found.head, sep):
        return None
    valid, space = _scanned(found, sep)
    if not valid and found.encoding == "utf-8":
        return None  # Windows-1252 or Latin-1: decoded whole, as before
    check_header_width(found.head, sep, path.name)
    return CsvReading(found.opened, sep, _parsing(space, not valid))


def reading_options(reading: CsvReading) -> dict[str, object]:
    """The options ``pandas.read_csv`` parses ``reading``'s file with: its separator, the
    options found, and its codes kept as text (read from its first rows)."""
    with reading.source() as stream:
        codes = _codes(stream, reading.sep)
    return {"sep": reading.sep, "dtype": codes, **reading.options}


def _scanned(found: Utf8File, sep: str, size: int = BLOCK_BYTES) -> tuple[bool, bool]:
    """Whether every block of ``found`` (``size`` bytes each) is valid UTF-8, and whether
    a space follows a separator or starts a line in it; the scan stops once it knows both.
    A block of ASCII is valid without being decoded, unless it follows a character cut
    at the end of the block before."""
    check = codecs.getincrementaldecoder("utf-8")("strict")
    valid, seen = True, _Spaces(sep)
    for block in found.blocks(size):
        if valid and not (block.isascii() and not check.getstate()[0]):  # ASCII: valid
            try:
                check.decode(block)
            except UnicodeDecodeError:
                valid = False
        seen.read(block)
        if not valid and seen.found:
            break
    else:
        try:
            check.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    return valid, seen.found


def _parsed(
    source: Callable[[], BinaryIO], sep: str, options: dict[str, object], name: str
) -> pd.DataFrame:
    """The CSV's rows, parsed by pandas from the UTF-8 bytes ``source()`` opens (once for
    the codes, once for the rows)."""
    reading = CsvReading(source, sep, options)
    with refusing(name, sep):
        whole = reading_options(reading)
        frame = parse_by_columns(source, whole)
        if frame is None:  # slices read as dtypes that join only as the whole read joins
            with source() as stream:
                frame = pd.read_csv(stream, **whole)
    return text_numbers(frame, conventions=reading.conventions)


@contextmanager
def refusing(name: str, sep: str) -> Iterator[None]:
    """Pandas' refusals of the CSV file ``name`` said as the product's errors."""
    try:
        yield
    except pd.errors.EmptyDataError:
        raise EmptyFile(
            f"{name} has no header and no rows",
            said=Message(N_("error.table.nothing"), {"name": name}),
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise UnreadableFile(
            f"{name} could not be parsed as CSV (separator {sep!r}): {exc}",
            said=Message(
                N_("error.table.csv_unparsable"),
                {"name": name, "separator": sep, "detail": str(exc)[:200]},
            ),
        ) from exc


def sniff_separator(text: str) -> str:
    """The separator that splits the first lines into the most, and equal, fields.

    Only the first :data:`SNIFF_CHARS` of each line are looked at, so a long line or a
    huge quoted cell neither slows the guess down nor trips the ``csv`` module's field
    limit (a separator that cannot split the lines is simply not chosen)."""
    lines = [line[:SNIFF_CHARS] for line in text[: 50 * SNIFF_CHARS].splitlines()[:50]]
    lines = [line for line in lines if line.strip()]
    best, best_score = ",", (0.0, 0)
    for sep in _SEPARATORS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=sep)]
        except csv.Error:  # a quoted cell left open runs past the field limit
            continue
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = sep, score
    return best


def _utf8(data: bytes, text: str, encoding: str) -> bytes:
    """The UTF-8 bytes of ``text``, decoded from ``data`` as ``encoding``: ``data`` itself
    where it is UTF-8 already (its BOM left out)."""
    if encoding == "utf-8":
        return data
    if encoding == "utf-8-sig":
        return data[len(codecs.BOM_UTF8) :]
    return text.encode("utf-8")


def _parsing(space: bool, replace: bool) -> dict[str, object]:
    """How pandas parses the UTF-8 bytes, with only the options that change a value, each
    of which costs CPU: spaces after a separator or at a line's start are skipped
    (``skipinitialspace``: a fifth of the parse) only where the bytes hold one (``space``);
    an invalid byte is replaced (``encoding_errors``: pandas then decodes through Python,
    three times the parse) only in a file marked UTF-8 by its BOM, the one case ``decode``
    reads with replacement, and only when one is there (``replace``)."""
    options: dict[str, object] = {}
    if space:
        options["skipinitialspace"] = True
    if replace:
        options |= {"encoding": "utf-8", "encoding_errors": "replace"}
    return options


def spaced(blocks: Iterable[bytes | memoryview], sep: str) -> bool:
    """Whether a space starts the UTF-8 bytes ``blocks`` (one after the other) or follows
    ``sep`` or a line break in them."""
    seen = _Spaces(sep)
    for block in blocks:
        if seen.read(block):
            return True
    return seen.found


class _Spaces:
    """Looks for a space at the start of the bytes or after ``sep`` or a line break, a
    block at a time, in NumPy (a quarter of the CPU of four ``bytes`` searches); a mark
    ending one block and the space starting the next are found too."""

    def __init__(self, sep: str) -> None:
        self._starts = (sep + "\n\r").encode("utf-8")
        self._marks = np.frombuffer(self._starts, np.uint8)
        self._last = b"\n"  # the start of the bytes counts as after a line break
        self.found = False

    def read(self, block: bytes | memoryview) -> bool:
        """Look in the next ``block``; whether a space was found so far."""
        if self.found or not len(block):
            return self.found
        if len(self._starts) != 3:  # a separator of several bytes: searched for as it is
            joined = self._last + bytes(block)
            self.found = any(mark + b" " in joined for mark in (self._starts[:-2], b"\n", b"\r"))
            self._last = joined[-len(self._starts) :]
            return self.found
        raw = np.frombuffer(block, np.uint8)
        after = np.flatnonzero(raw[1:] == ord(" "))
        self.found = bool(
            (raw[0] == ord(" ") and self._last in self._starts)
            or (len(after) and np.isin(raw[after], self._marks).any())
        )
        self._last = bytes(raw[-1:])
        return self.found


def _valid_utf8(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8 without a replacement."""
    try:
        codecs.utf_8_decode(data, "strict", True)
    except UnicodeDecodeError:
        return False
    return True


def _lines(text: str) -> Iterator[str]:
    """``text``'s lines one at a time, as the ``csv`` module asks for them (a StringIO of
    the whole text costs four bytes a character as soon as its first line is read)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _header_within(head: str, sep: str) -> bool:
    """Whether the header record ends within the text ``head`` (a second record starts in
    it, its lines ended by LF, CR or both): else the file is read whole, and its header
    counted there."""
    records = csv.reader(io.StringIO(head, newline=""), delimiter=sep)
    try:
        next(records)
        next(records)
    except (StopIteration, csv.Error):
        return False
    return True


def check_header_width(text: str, sep: str, name: str) -> None:
    """Refuse the CSV ``text`` if its header names more than
    :data:`~entrepot.fraud.tables.bounds.MAX_COLUMNS` columns, the limit a Parquet file is
    held to, from its first record alone: parsing and analysing ten thousand columns costs
    a minute of CPU, counting them a millisecond."""
    try:
        header = next(csv.reader(_lines(text), delimiter=sep), [])
    except csv.Error:  # a header cell past the csv module's field limit: pandas says why
        return
    if len(header) > MAX_COLUMNS:
        raise InflatesTooMuch(
            f"{name} has {len(header)} columns (at most {MAX_COLUMNS})",
            hint="keep the columns the model needs, or split the table into several files",
            said=refused.too_many_columns(name, len(header), MAX_COLUMNS),
        )


def _codes(stream: BinaryIO, sep: str) -> dict[str, type[str]]:
    """The columns of the CSV ``stream`` (its UTF-8 bytes) that hold codes of digits with
    leading zeros (card numbers, postcodes, ``0042``) in their first :data:`CODE_ROWS` rows,
    to read as text: read as numbers, ``0042`` would become ``42`` and no longer match the
    same code written as text in another file."""
    head = pd.read_csv(
        stream,
        sep=sep,
        skipinitialspace=True,
        dtype=str,
        nrows=CODE_ROWS,
        encoding="utf-8",
        encoding_errors="replace",
    )
    codes: dict[str, type[str]] = {}
    for name in head.columns:
        values = head[name].dropna().str.strip()
        if values.empty or not values.str.fullmatch(r"\d+").all():
            continue
        if values.map(lambda v: _LEADING_ZERO.fullmatch(v) is not None).any():
            codes[str(name)] = str
    return codes
