"""Bounds on compressed tables, checked from their metadata before any data is inflated.

An XLSX file is a ZIP archive of XML and a Parquet file holds compressed pages, so a small
upload can inflate to gigabytes (an *archive bomb*: 118 KiB of XLSX made 41 MB of XML and
a minute of CPU). Both formats state their inflated sizes up front (the ZIP central
directory, the Parquet footer), and the readers never inflate past them (``zipfile`` stops
at the declared size and then checks the CRC), so checking the declared sizes bounds the
work:

- **inflated bytes**: the members' total (XLSX) must stay within ``max_inflated`` (the
  caller passes the upload limit); Parquet is held to what it *decodes* to, rows times
  columns, in :mod:`entrepot.fraud.tables.parquet`;
- **ratio**: an XLSX member over :data:`RATIO_FLOOR` inflated may not be compressed more
  than :data:`MAX_RATIO` to 1 (real spreadsheets compress 5 to 20 to 1);
- **shape**: at most :data:`MAX_MEMBERS` members and :data:`MAX_COLUMNS` columns;
- **spreadsheet rows**: at most :data:`MAX_XLSX_ROWS` data rows, by the sheet's declared
  dimension and by counting the sheet's rows in its XML, bounded, before openpyxl opens it
  (:mod:`entrepot.fraud.tables.xlsx_sheet`), and again while reading: parsing
  XML cells costs about a thousand times what reading a CSV line does, so a long table is
  asked for as a CSV;
- **Parquet column types**: flat values only (numbers, booleans, text, dates, times);
  lists, structs, maps and binary columns are refused by name.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from entrepot.compression import RATIO_FLOOR as COMPRESSION_FLOOR
from entrepot.compression import over_ratio, ratio
from entrepot.fraud.errors import UnreadableFile
from entrepot.fraud.tables import refused
from entrepot.messages import N_, Message, Size
from entrepot.sizes import human_size

MIB = 1024 * 1024
#: Default bound on what a table may inflate to when read whole into memory.
MAX_INFLATED_BYTES = 512 * MIB
#: The highest compression ratio accepted for a large XLSX member: the shared rule
#: (:mod:`entrepot.compression`), stricter for spreadsheets' XML.
MAX_RATIO = 100
#: Members inflating to less than this are not held to :data:`MAX_RATIO`.
RATIO_FLOOR = COMPRESSION_FLOOR
#: Members of an XLSX archive (a workbook has a few dozen).
MAX_MEMBERS = 10_000
#: Columns of a table.
MAX_COLUMNS = 10_000
#: Data rows of a spreadsheet (CSV has no such cap: it is read at disk speed).
MAX_XLSX_ROWS = 200_000


class InflatesTooMuch(UnreadableFile):
    """A compressed table would inflate past the bounds (an archive bomb, or just too big)."""

    hint = "give the table as a plain CSV, or split it into smaller files"


class TooManyRows(InflatesTooMuch):
    """A spreadsheet holds more rows than are read from a spreadsheet."""

    hint = "save the sheet as CSV (File > Save as > CSV UTF-8), which has no row cap, or split it"


def check_xlsx_rows(rows: int, name: str) -> None:
    """Refuse a spreadsheet of more than :data:`MAX_XLSX_ROWS` data rows."""
    if rows > MAX_XLSX_ROWS:
        raise TooManyRows(
            f"{name} holds more than {MAX_XLSX_ROWS:,} rows, the most read from a spreadsheet",
            said=Message(N_("error.table.xlsx_rows"), {"name": name, "most": MAX_XLSX_ROWS}),
        )


def check_xlsx(source: bytes | Path, name: str, *, max_inflated: int = MAX_INFLATED_BYTES) -> None:
    """Refuse the XLSX ``source`` if its members would inflate past the bounds; raises
    :class:`InflatesTooMuch`, or :class:`UnreadableFile` if it is not a ZIP archive."""
    handle: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(
            f"{name} is not a readable XLSX file: {exc}",
            said=Message(
                N_("error.table.xlsx_unreadable"), {"name": name, "detail": str(exc)[:200]}
            ),
        ) from None
    if len(members) > MAX_MEMBERS:
        raise InflatesTooMuch(
            f"{name} holds {len(members)} archive members (at most {MAX_MEMBERS})",
            said=Message(
                N_("error.table.xlsx_members"),
                {"name": name, "members": len(members), "most": MAX_MEMBERS},
            ),
        )
    total = 0
    for member in members:
        total += member.file_size
        if total > max_inflated:
            raise InflatesTooMuch(
                f"{name} inflates to more than {human_size(max_inflated)} of spreadsheet data",
                said=Message(
                    N_("error.table.xlsx_inflates"), {"name": name, "most": Size(max_inflated)}
                ),
            )
        if over_ratio(member.file_size, member.compress_size, max_ratio=MAX_RATIO):
            shown = ratio(member.file_size, member.compress_size)
            raise InflatesTooMuch(
                f"{name} is compressed {shown:.0f} to 1 (its part {member.filename[:80]!r} "
                f"inflates to {human_size(member.file_size)}); at most {MAX_RATIO} to 1 is "
                "accepted, as no real spreadsheet compresses that much",
                said=refused.compressed_too_much(name, round(shown), MAX_RATIO),
            )


def check_parquet_types(parquet: Any, name: str) -> None:
    """Refuse the opened ``pyarrow.parquet.ParquetFile`` if it holds columns that are not
    flat values; raises :class:`UnreadableFile` naming them. (Its sizes are checked by
    :func:`entrepot.fraud.tables.parquet.check_footer`.)"""
    import pyarrow as pa

    refused = [
        f"{field.name!r} ({field.type})"
        for field in parquet.schema_arrow
        if not _flat(pa, field.type)
    ]
    if refused:
        more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
        shown = ", ".join(refused[:5]) + more
        raise UnreadableFile(
            f"{name} has columns that do not hold plain values: {shown}",
            hint="keep numbers, text, booleans and dates: flatten lists and structs into "
            "columns and drop binary columns before uploading",
            said=Message(N_("error.table.nested_columns"), {"name": name, "columns": shown}),
        )


def _flat(pa: Any, kind: Any) -> bool:
    t = pa.types
    if t.is_dictionary(kind):
        return _flat(pa, kind.value_type)
    return bool(
        t.is_integer(kind)
        or t.is_floating(kind)
        or t.is_boolean(kind)
        or t.is_string(kind)
        or t.is_large_string(kind)
        or t.is_temporal(kind)
        or t.is_decimal(kind)
        or t.is_null(kind)
        or (hasattr(t, "is_string_view") and t.is_string_view(kind))
    )
