"""What a traffic day must say about its counts: duplicates, bad values, gaps, cut files.

Nothing degraded is silent. Per local day: the rows dropped as duplicates of an
(arc, counted hour), the rows stamped at the hour the spring-forward skips, the states
without any measure (read as Inconnu), the non-empty values that do not parse (above
:data:`MAX_BAD_SHARE` of the day's rows the day fails, naming the file and line of
the first one), the arcs with fewer rows than the day has hours (23, 24 or 25),
and a day whose rows are all empty is "no data", not 0. Per file: one that ends
without a final newline or inside a quoted field was cut short: its incomplete last line
is left out before the scan, and named.
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from entrepot.city.bigcsv import CountsAggregate, counts_header
from entrepot.city.counts_rows import SPREADSHEET_FORMATS, SPREADSHEET_TIME
from entrepot.city.days import day_hours, paris
from entrepot.city.errors import MissingInput, RawFormatError
from entrepot.city.imports.notes import cut_short
from entrepot.city.messages import (
    WARNING_BAD_VALUES,
    WARNING_DST_GAP,
    WARNING_DUPLICATES,
    WARNING_SHORT_ARCS,
    WARNING_UNKNOWN_STATES,
    Note,
)
from entrepot.city.readers import whole_rows_end
from entrepot.messages import N_, Message

#: Above this share of a day's rows holding a value that does not parse, the day fails.
MAX_BAD_SHARE = 0.05
#: Arcs named in a completeness warning.
NAMED_ARCS = 5
_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")
_SPREADSHEET = re.compile(SPREADSHEET_TIME)


def leave_out_cut_row(path: Path, key: str) -> list[str]:
    """A counts file cut mid-row (a download that stopped) loses its incomplete last line,
    cut off ``path`` in place (a temporary copy, never the stored file): it never counts.
    Returns the note that says so."""
    end = whole_rows_end(path)
    if end is None:
        return []
    os.truncate(path, end)
    return [cut_short(key)]


def day_notes(agg: CountsAggregate, day: date, files: list[tuple[Path, str]]) -> list[str]:
    """Warnings of one day's counts; raises :class:`MissingInput` for a day with only empty
    rows and :class:`RawFormatError` when too many values do not parse."""
    arcs = agg.arcs[agg.arcs["day"] == day]
    if arcs.empty:
        raise MissingInput(
            f"the counts have no rows for {day}",
            said=Message(N_("error.city.counts_no_rows"), {"day": str(day)}),
        )
    if int(arcs["q_n"].sum()) == 0 and int(arcs["k_n"].sum()) == 0:
        raise MissingInput(
            f"the counts have only empty rows for {day} (no flow, no occupancy)",
            said=Message(N_("error.city.counts_empty_rows"), {"day": str(day)}),
        )
    notes: list[str] = []
    rows = int(arcs["rows"].sum())
    quality = agg.quality
    row = None
    if quality is not None:
        found = quality[quality["day"] == day]
        row = None if found.empty else found.iloc[0]
    if row is not None and int(row["duplicates"]):
        notes.append(
            Note(
                f"{int(row['duplicates'])} duplicate row(s) of the same arc and counted hour "
                f"dropped on {day} (the newest file's row kept)",
                WARNING_DUPLICATES,
                count=int(row["duplicates"]),
            )
        )
    if row is not None and int(row["dst_gap"]):
        notes.append(
            Note(
                f"{int(row['dst_gap'])} row(s) stamped at the non-existent hour on the "
                f"spring-forward day {day} (02:00-03:00 does not exist in Paris) dropped",
                WARNING_DST_GAP,
                count=int(row["dst_gap"]),
            )
        )
    if row is not None and int(row["state_unmeasured"]):
        notes.append(
            Note(
                f"{int(row['state_unmeasured'])} hour(s) on {day} have a traffic state but "
                f"neither flow nor occupancy ({int(row['congestion_unmeasured'])} Saturé or "
                "Bloqué): read as Inconnu, not as congestion",
                WARNING_UNKNOWN_STATES,
                count=int(row["state_unmeasured"]),
                congested=int(row["congestion_unmeasured"]),
            )
        )
    if row is not None and int(row["q_bad"]) + int(row["k_bad"]):
        bad = int(row["q_bad"]) + int(row["k_bad"])
        path, key = files[int(row["bad_file"])]
        example = row["bad_example"]
        if bad > MAX_BAD_SHARE * rows:
            line = first_bad_line(path, key, day)
            raise RawFormatError(
                f"{bad} of {rows} rows on {day} hold a value that is not a number "
                f"(first at line {line}: {example!r})",
                key=key,
                hint="fix or re-export the file; values are numbers like 1034.0 or 1034,0",
                said=Message(
                    N_("error.city.counts_not_numbers"),
                    {
                        "file": key,
                        "bad": bad,
                        "rows": rows,
                        "day": str(day),
                        "line": line,
                        "example": str(example)[:80],
                    },
                ),
            )
        notes.append(
            Note(
                f"{bad} value(s) on {day} are not numbers and were left out "
                f"(e.g. {example!r} in {key})",
                WARNING_BAD_VALUES,
                count=bad,
            )
        )
    expected = len(day_hours(day))
    short = arcs[arcs["rows"] < expected].sort_values("arc")
    if not short.empty:
        named = ", ".join(
            f"{int(r.arc)}: {int(r.rows)}" for r in short.head(NAMED_ARCS).itertuples()
        )
        notes.append(
            Note(
                f"{len(short)} arc(s) have fewer rows than the {expected} hours of {day} ({named})",
                WARNING_SHORT_ARCS,
                count=len(short),
                hours=expected,
            )
        )
    return notes


def first_bad_line(path: Path, key: str, day: date) -> int:
    """The line number (1-based, header = 1) of the first row of ``day`` whose flow or
    occupancy is a non-empty value that does not parse."""
    header, mapping = counts_header(path, key)
    index = {name: header.columns.index(mapping[name]) for name in ("t", "q", "k")}
    with open(path, "rb") as raw:
        raw.seek(header.length)
        with io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
            reader = csv.reader(text, delimiter=header.sep)
            for row in reader:
                if len(row) <= max(index.values()):
                    continue
                if _local_day(row[index["t"]].strip()) != day:
                    continue
                if any(_unparsable(row[index[n]]) for n in ("q", "k")):
                    return reader.line_num + 1
    return 0


def _unparsable(text: str) -> bool:
    value = text.strip()
    if not value:
        return False
    try:
        float(value.replace(",", "."))
    except ValueError:
        return True
    return False


def _strptime(stamp: str, form: str) -> datetime | None:
    try:
        return datetime.strptime(stamp, form)
    except ValueError:
        return None


def _local_day(stamp: str) -> date | None:
    try:
        if _OFFSET.search(stamp):
            end = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        elif _SPREADSHEET.fullmatch(stamp):  # a French spreadsheet's, day first
            wall = next((w for f in SPREADSHEET_FORMATS if (w := _strptime(stamp, f))), None)
            if wall is None:
                return None
            end = wall.replace(tzinfo=paris())
        else:
            end = datetime.fromisoformat(stamp[:19]).replace(tzinfo=paris())
    except ValueError:
        return None
    return (end - timedelta(hours=1)).astimezone(paris()).date()
