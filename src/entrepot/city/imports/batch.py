"""Batch exports -> versions under ``raw/batch/<dataset>/``: the counts (every version is
read, de-duplicated), the référentiel, the chantiers and the stations' information (the
newest version is read; older ones stay readable).

Each file is checked the way the pipeline will read it before it is stored: the counts are
aggregated once (rows, days, duplicates), the référentiel and the chantiers parsed. The
référentiel and chantiers are stored ``;``-separated (the pipeline's reading) when they
came with another separator, and the counts when they came tab-separated.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from entrepot.city import layout, refused
from entrepot.city.errors import RawFormatError
from entrepot.city.imports import notes
from entrepot.city.imports.detect import Detected

#: Import kind -> the batch file it is a version of.
BATCH_KINDS = {
    "counts": layout.COUNTS_CSV,
    "referentiel": layout.REFERENTIEL_CSV,
    "roadworks": layout.ROADWORKS_CSV,
    "gbfs-information": layout.STATIONS_JSON,
}


@dataclass(frozen=True)
class Checked:
    """A batch file ready to store: its bytes, and what reading it found."""

    data: bytes
    rows: int
    first_day: date | None
    last_day: date | None
    warnings: tuple[str, ...]


def check_batch(detected: Detected, text: str, data: bytes, name: str) -> Checked:
    """Parse a batch file as the pipeline will; raises ``RawFormatError`` when it cannot.

    ``data`` is what to store (the original bytes, or ``text`` re-encoded when it had to
    be transcoded or repaired)."""
    if detected.kind == "counts":
        if detected.sep not in (";", ","):  # tab: a spreadsheet's "Unicode text"
            data = _resemicolon(text, detected.sep).encode("utf-8")
        return _counts(data, name)
    if detected.kind == "gbfs-information":
        from entrepot.city.stations import capacities

        capacities(detected.document, name)  # raises unless a station_information
        return Checked(data, len(detected.document["data"]["stations"]), None, None, ())
    if detected.sep != ";":
        data = _resemicolon(text, detected.sep).encode("utf-8")
    if detected.kind == "referentiel":
        from entrepot.city.referentiel import load_referentiel

        count = len(load_referentiel(data, name))
    else:
        from entrepot.city.processors.roadworks import ROADWORKS_COLUMNS
        from entrepot.city.readers import read_csv

        count = len(read_csv(data, name, ROADWORKS_COLUMNS))
    return Checked(data, count, None, None, ())


def _resemicolon(text: str, sep: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerows(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    return out.getvalue()


def _counts(data: bytes, name: str) -> Checked:
    with tempfile.TemporaryDirectory(prefix="entrepot-import-") as tmp:
        path = Path(tmp) / "counts.csv"
        path.write_bytes(data)
        checked = check_counts_file(path, name)
    return Checked(data, checked.rows, checked.first_day, checked.last_day, checked.warnings)


def check_counts_file(path: Path, name: str) -> Checked:
    """Aggregate a counts file once, as the pipeline will (bounded memory): rows, days,
    duplicates and bad values. ``data`` of the result is empty (the file stays on disk)."""
    from entrepot.city.bigcsv import aggregate_counts

    agg = aggregate_counts(path, key=name)
    if agg.rows == 0:
        first = _first_row(path, name)
        if agg.skipped_rows == 0 or first is None:
            raise RawFormatError(
                f"{name} has no counts row (its header alone)",
                key=name,
                hint="check it is the counts export itself, with its rows",
                said=refused.header_only(name),
            )
        arc, moment = first
        raise RawFormatError(
            f"{name} has no counts row with a valid arc and time ({agg.skipped_rows} "
            f"row(s) without; the first: arc {arc!r}, time {moment!r})",
            key=name,
            hint=_unread_time_hint(moment),
            said=refused.no_valid_row(name, agg.skipped_rows),
        )
    warnings = list(agg.notes)
    quality = agg.quality
    if quality is not None and not quality.empty:
        dupes = int(quality["duplicates"].sum())
        if dupes:
            warnings.append(notes.duplicates(name, dupes))
        gaps = int(quality["dst_gap"].sum())
        if gaps:
            warnings.append(notes.dst_gap(name, gaps))
        bad = int(quality["q_bad"].sum() + quality["k_bad"].sum())
        if bad:
            warnings.append(notes.not_numbers(name, bad))
    if agg.skipped_rows:
        warnings.append(notes.no_valid_arc(name, agg.skipped_rows))
    days = sorted(set(agg.arcs["day"]))
    return Checked(
        b"",
        agg.rows + agg.skipped_rows,
        days[0] if days else None,
        days[-1] if days else None,
        tuple(warnings),
    )


#: A time a spreadsheet rewrote in its own format (``04/01/2024 22:00``).
_SPREADSHEET_TIME = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")


def _first_row(path: Path, name: str) -> tuple[str, str] | None:
    # the arc and time of the first data row, as written
    from entrepot.city.bigcsv import counts_header

    header, mapping = counts_header(path, name)
    arc, moment = header.columns.index(mapping["arc"]), header.columns.index(mapping["t"])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=header.sep)
        next(reader, None)
        for row in reader:
            if any(cell.strip() for cell in row):
                cells = [row[i] if i < len(row) else "" for i in (arc, moment)]
                return cells[0], cells[1]
    return None


def _unread_time_hint(moment: str) -> str:
    iso = "2024-01-04T22:00:00+01:00, or 2023-02-05 01:00:00 in Paris time"
    if _SPREADSHEET_TIME.match(moment.strip()):
        return (
            "a spreadsheet rewrote its times in its own format: import the export as "
            f"downloaded, or save the times as {iso}"
        )
    return f"the arc must be a number and the time like {iso}"


def batch_extension(kind: str) -> str:
    """The stored file's extension."""
    return "json" if kind == "gbfs-information" else "csv"


def dumps(document: object) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
