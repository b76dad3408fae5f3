"""How many rows a workbook's sheet holds, read from its XML without openpyxl, bounded.

openpyxl parses the shared strings and styles when it opens a workbook and, without a
declared dimension, reads a whole sheet to learn its size: 21 s and 175 MiB for a
workbook the row cap then refused. Here the sheet is found through ``xl/workbook.xml`` and
its relationships (small members, read with a cap), its ``<dimension>`` is read from its
first bytes, and its ``<row>`` elements are counted on the inflated stream, a chunk at a
time, stopping as soon as the count passes the cap: the work is bounded by the cap, not by
the file.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from typing import IO
from xml.etree import ElementTree

from entrepot.fraud.tables.bounds import InflatesTooMuch
from entrepot.messages import N_, Message, Size

#: The most read of the small members that say where a sheet is.
MAX_INDEX_BYTES = 4 * 1024 * 1024
_CHUNK = 1024 * 1024
_HEAD = 64 * 1024
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def sheet_rows(data: bytes, *, sheet: int = 0, stop: int) -> int:
    """The data rows (header excluded) of sheet number ``sheet``: the larger of what its
    dimension declares and the rows counted in its XML, the count stopping once past
    ``stop``; 0 if the sheet cannot be found (openpyxl then says why)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = _sheet_member(archive, sheet)
            if member is None:
                return 0
            with archive.open(member) as stream:
                rows = _count(stream, stop + 1)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zlib.error):
        return 0
    return max(0, rows - 1)


def workbook_sheets(data: bytes, *, stop: int) -> list[tuple[str, int]]:
    """Each sheet's name and data rows (as :func:`sheet_rows` counts them, each count
    stopping past ``stop``), in the workbook's order; empty if the workbook's index cannot
    be read (openpyxl then says why)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = _sheet_members(archive) or []
            found = []
            for name, member in zip(_sheet_names(archive), members, strict=False):
                rows = 0
                if member is not None:
                    with archive.open(member) as stream:
                        rows = max(0, _count(stream, stop + 1) - 1)
                found.append((name, rows))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zlib.error):
        return []
    return found


def _sheet_names(archive: zipfile.ZipFile) -> list[str]:
    """The sheets' names in ``xl/workbook.xml``, in the workbook's order."""
    try:
        book = ElementTree.fromstring(_small(archive, "xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError):
        return []
    return [s.get("name", "") for s in book.iter() if s.tag.rsplit("}", 1)[-1] == "sheet"]


def _count(stream: IO[bytes], stop: int) -> int:
    """Rows declared or counted in the sheet XML on ``stream``, stopping past ``stop``."""
    head = stream.read(_HEAD)
    declared = _DIMENSION.search(head)
    if declared and int(declared.group(1)) > stop:
        return int(declared.group(1))
    counted = len(_ROW.findall(head))
    tail = head[-32:]
    while counted <= stop:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        window = tail + chunk
        counted += len(_ROW.findall(window)) - len(_ROW.findall(tail))
        tail = window[-32:]
    return max(counted, int(declared.group(1)) if declared else 0)


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str | None:
    """The archive member of the ``index``-th sheet, by the workbook's own order."""
    members = _sheet_members(archive)
    if members is None:
        return _fallback(set(archive.namelist()), index)
    return members[index] if 0 <= index < len(members) else None


def _sheet_members(archive: zipfile.ZipFile) -> list[str | None] | None:
    """Every sheet's archive member by the workbook's order (``None`` for one not found);
    ``None`` if the workbook's index cannot be read."""
    names = set(archive.namelist())
    try:
        book = ElementTree.fromstring(_small(archive, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_small(archive, "xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels if r.tag.endswith("Relationship")}
    sheets = [s.get(_REL) for s in book.iter() if s.tag.rsplit("}", 1)[-1] == "sheet"]
    found: list[str | None] = []
    for index, ref in enumerate(sheets):
        target = targets.get(ref) or ""
        member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        member = posixpath.normpath(member)
        found.append(member if member in names else _fallback(names, index))
    return found


def _fallback(names: set[str], index: int) -> str | None:
    member = f"xl/worksheets/sheet{index + 1}.xml"
    return member if member in names else None


def _small(archive: zipfile.ZipFile, member: str) -> bytes:
    """``member``'s bytes, refused past :data:`MAX_INDEX_BYTES`."""
    with archive.open(member) as stream:
        data = stream.read(MAX_INDEX_BYTES + 1)
    if len(data) > MAX_INDEX_BYTES:
        raise InflatesTooMuch(
            f"the workbook's {member} inflates past {MAX_INDEX_BYTES // (1024 * 1024)} MiB; "
            "a real workbook's is a few KiB",
            said=Message(
                N_("error.table.xlsx_index"), {"member": member, "most": Size(MAX_INDEX_BYTES)}
            ),
        )
    return data
