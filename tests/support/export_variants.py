"""The variants of a real export that a user may hold: the same rows written another way.

A :class:`Table` is a small slice of a real CSV export (its header and rows, as the csv
module reads them); each variant writes it again the way another download, another
spreadsheet or another portal option would: BOM or not, Windows-1252, CRLF, another
separator, columns reordered, an unknown column, the header in labels or in the API's field
names, every value quoted, decimal commas, rows shuffled, gzip and ZIP, a trailing empty line
and empty spreadsheet rows, the rows a spreadsheet kept when it cut the file. A variant
gives the bytes to import and its *twin*: the rows it holds written as the original is,
which the second computation reads (for every variant but a cut one, the original slice).

Nothing here imports the product.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

BOM = "\ufeff"


@dataclass(frozen=True)
class Table:
    """A CSV export as its header and rows, and how the original is written."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    sep: str
    bom: bool = False
    crlf: bool = False
    #: Columns holding decimal numbers (what a French spreadsheet writes with a comma).
    decimals: tuple[str, ...] = ()
    #: Another name for each column, the other header set the portal exports.
    renames: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, data: bytes, sep: str, keep: Callable[[tuple[str, ...]], bool]) -> Table:
        """The slice of the export ``data`` whose rows ``keep`` selects."""
        text = data.decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        header = tuple(next(reader))
        rows = tuple(tuple(r) for r in reader if r and keep(tuple(r)))
        return cls(header, rows, sep, data.startswith(b"\xef\xbb\xbf"), b"\r\n" in data[:4096])

    def column(self, name: str) -> int:
        """The index of column ``name``."""
        return self.header.index(name)

    def write(self, *, quote_all: bool = False) -> bytes:
        """The table as the export writes it (UTF-8, its BOM, separator and line ends)."""
        out = io.StringIO()
        writer = csv.writer(
            out,
            delimiter=self.sep,
            lineterminator="\r\n" if self.crlf else "\n",
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        )
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return ((BOM if self.bom else "") + out.getvalue()).encode("utf-8")

    def with_rows(self, rows: Sequence[tuple[str, ...]]) -> Table:
        """The same export holding ``rows``."""
        return replace(self, rows=tuple(rows))


@dataclass(frozen=True)
class Written:
    """A variant's bytes, the file name it comes under, and its twin (the rows it holds,
    written as the original is)."""

    data: bytes
    name: str
    twin: bytes


Variant = Callable[[Table, str], Written]


def _same(table: Table, name: str, data: bytes) -> Written:
    return Written(data, name, table.write())


def as_is(table: Table, name: str) -> Written:
    return _same(table, name, table.write())


def bom_toggled(table: Table, name: str) -> Written:
    return _same(table, name, replace(table, bom=not table.bom).write())


def windows_1252(table: Table, name: str) -> Written:
    text = table.write().decode("utf-8").removeprefix(BOM)
    return _same(table, name, text.encode("cp1252"))


def latin_1(table: Table, name: str) -> Written:
    text = table.write().decode("utf-8").removeprefix(BOM)
    return _same(table, name, text.encode("latin-1"))


def utf_16_without_bom(encoding: str) -> Variant:
    """Saved as "Unicode text" by a spreadsheet that writes no BOM (``utf-16-le`` or
    ``utf-16-be``)."""

    def written(table: Table, name: str) -> Written:
        text = table.write().decode("utf-8").removeprefix(BOM)
        return _same(table, name, text.encode(encoding))

    return written


def line_ends_toggled(table: Table, name: str) -> Written:
    return _same(table, name, replace(table, crlf=not table.crlf).write())


def other_separator(table: Table, name: str) -> Written:
    return _same(table, name, replace(table, sep="," if table.sep == ";" else ";").write())


def _permuted(table: Table, order: Sequence[int]) -> Table:
    header = tuple(table.header[i] for i in order)
    rows = tuple(tuple(r[i] if i < len(r) else "" for i in order) for r in table.rows)
    return replace(table, header=header, rows=rows)


def columns_reordered(table: Table, name: str) -> Written:
    return _same(table, name, _permuted(table, list(range(len(table.header)))[::-1]).write())


def unknown_column(table: Table, name: str) -> Written:
    middle = len(table.header) // 2
    header = (*table.header[:middle], "Commentaire agent", *table.header[middle:])
    rows = tuple((*r[:middle], "vu; à revoir", *r[middle:]) for r in table.rows)
    return _same(table, name, replace(table, header=header, rows=rows).write())


def other_header_names(table: Table, name: str) -> Written:
    header = tuple(table.renames.get(c, c) for c in table.header)
    return _same(table, name, replace(table, header=header).write())


def quoted_values(table: Table, name: str) -> Written:
    return _same(table, name, table.write(quote_all=True))


def decimal_commas(table: Table, name: str) -> Written:
    at = {table.column(c) for c in table.decimals}
    rows = tuple(
        tuple(v.replace(".", ",") if i in at else v for i, v in enumerate(r)) for r in table.rows
    )
    return _same(table, name, table.with_rows(rows).write())


def rows_shuffled(table: Table, name: str) -> Written:
    rows = list(table.rows)
    random.Random(24).shuffle(rows)
    return _same(table, name, table.with_rows(rows).write())


def gzipped(table: Table, name: str) -> Written:
    return Written(gzip.compress(table.write(), mtime=0), f"{name}.gz", table.write())


def zipped(table: Table, name: str) -> Written:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, table.write())
    return Written(out.getvalue(), f"{name.rsplit('.', 1)[0]}.zip", table.write())


def trailing_empty_line(table: Table, name: str) -> Written:
    end = "\r\n" if table.crlf else "\n"
    return _same(table, name, table.write() + end.encode())


def empty_spreadsheet_rows(table: Table, name: str) -> Written:
    # what a spreadsheet writes for rows it once formatted: separators and nothing else
    end = "\r\n" if table.crlf else "\n"
    empty = table.sep * (len(table.header) - 1) + end
    return _same(table, name, table.write() + (empty * 3).encode())


def cut_by_a_spreadsheet(table: Table, name: str) -> Written:
    """The rows before a row limit, whole (a spreadsheet keeps whole rows): the twin is
    the same cut, so the second computation sees what the file holds."""
    kept = table.with_rows(table.rows[: len(table.rows) * 3 // 5 + 1])
    return Written(kept.write(), name, kept.write())


def french_spreadsheet_times(*, seconds: bool) -> Variant:
    """The times rewritten by a French spreadsheet (``02/12/2021 21:00``, with ``:00``
    seconds when ``seconds``) and saved back as CSV: the offset is lost, the wall time kept.
    The twin is the variant itself: the second computation reads such times on its own."""
    iso = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[+-]\d\d:\d\d|Z)?")

    def rewritten(match: re.Match[str]) -> str:
        year, month, day, hour, minute, second = match.groups()
        return f"{day}/{month}/{year} {hour}:{minute}" + (f":{second}" if seconds else "")

    def written(table: Table, name: str) -> Written:
        data = iso.sub(rewritten, table.write().decode("utf-8")).encode("utf-8")
        return Written(data, name, data)

    return written


CSV_VARIANTS: dict[str, Variant] = {
    "as-is": as_is,
    "bom": bom_toggled,
    "cp1252": windows_1252,
    "latin-1": latin_1,
    "utf-16-le": utf_16_without_bom("utf-16-le"),
    "utf-16-be": utf_16_without_bom("utf-16-be"),
    "line-ends": line_ends_toggled,
    "separator": other_separator,
    "reordered": columns_reordered,
    "unknown-column": unknown_column,
    "header-names": other_header_names,
    "quoted": quoted_values,
    "decimal-comma": decimal_commas,
    "shuffled": rows_shuffled,
    "gzip": gzipped,
    "zip": zipped,
    "trailing-line": trailing_empty_line,
    "empty-rows": empty_spreadsheet_rows,
    "cut": cut_by_a_spreadsheet,
    "spreadsheet-times": french_spreadsheet_times(seconds=False),
    "spreadsheet-times-seconds": french_spreadsheet_times(seconds=True),
}
#: Variants that only a counts export has (its time column).
COUNTS_ONLY = ("spreadsheet-times", "spreadsheet-times-seconds")


def json_variants(document: object, name: str) -> dict[str, Written]:
    """A JSON export written the ways people hold it (each twin: the compact original)."""
    plain = json.dumps(document, ensure_ascii=False).encode("utf-8")

    def reordered(value: object) -> object:
        if isinstance(value, dict):
            return {k: reordered(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [reordered(v) for v in value]
        return value

    pretty = json.dumps(document, ensure_ascii=False, indent=2).replace("\n", "\r\n")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, plain)
    stem = name.rsplit(".", 1)[0]
    made = {
        "as-is": Written(plain, name, plain),
        "bom": Written(b"\xef\xbb\xbf" + plain, name, plain),
        "ascii-escapes": Written(json.dumps(document).encode("ascii"), name, plain),
        "pretty-crlf": Written(pretty.encode("utf-8"), name, plain),
        "keys-reordered": Written(
            json.dumps(reordered(document), ensure_ascii=False).encode("utf-8"), name, plain
        ),
        "trailing-line": Written(plain + b"\n\n", name, plain),
        "gzip": Written(gzip.compress(plain, mtime=0), f"{name}.gz", plain),
        "zip": Written(out.getvalue(), f"{stem}.zip", plain),
    }
    return made
