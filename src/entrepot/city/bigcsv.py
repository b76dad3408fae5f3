"""Aggregate the road-counts CSV in streaming DuckDB passes with bounded memory.

The export is several GB; only five columns are needed (the geometry and labels
are most of the bytes and belong to the référentiel). DuckDB scans the file with
``memory_limit`` set, 8 MB read buffers, a temporary folder to spill to, and its allocator
handing freed memory back, so the peak RSS of a process is about 115 MB (Python, pandas,
DuckDB) + the limit (128 MB by default) + DuckDB's own buffers, reached while pass 1
aggregates. The passes' groups stay in DuckDB, which merges them; only the answer's
columns cross to pandas, in Arrow batches, into columns allocated once (~120 B per arc-day;
a one-day range, as the pipeline asks, returns a few thousand rows): 285-290 MB for a whole
2 GB export without a range (``docs/benchmarks.md``, "City pipeline"). It never installs
or loads an extension at run time.

Every aggregate is mergeable and exact: flows are summed as integer
milli-vehicles and occupancies as integer 1e-5 %, so any chunking or engine
gives the same numbers as a whole-file run, bit for bit.

Several files (years, arcs, re-downloads) are scanned together and de-duplicated on
(arc, counted hour): the newest file (the last given) wins, and the rows dropped are
counted per day. Within one file (a month exported twice, both ``02:00`` rows of the autumn
day in a wall-time file) the row with the highest flow wins, then the highest occupancy,
then the greatest state text, flow text and occupancy text as written (byte order); rows
still tied are identical for every count, so the result never depends on the scan's order
or threads. Values are read as the exports write them, decimal point or decimal comma
(``1034,0``); a non-empty value that is not a finite number below 10^12 (``abc``, ``nan``,
``inf``, ``1e400``) is counted per day (``q_bad``/``k_bad``), never read as 0.

De-duplication without a window over every row (``counts_sql``): pass 1 aggregates
every row as if no hour were repeated and marks each (arc, day) in which two rows may share
an hour (a 64-bit mask of the hours seen: fixed-size state, spilled like any ``GROUP BY``);
only when some are marked does pass 2 read the file again, keep the rows of those arcs
stamped within a day of a marked day (before any time-zone conversion),
rank each repeated hour with a window over those rows alone, and replace the marked groups
(their per-hour sums corrected by difference). A file without repeated hours is read once.

Time: ``t_1h`` is the *end* of the hour. The hour's start is ``t_1h - 1 h`` taken
in absolute time and shown in Paris wall time; its date is the local day (so
``2024-01-05T00:00:00+01:00`` counts for 4 January, 23:00-24:00). Timestamps
with an offset (``+01:00``, ``+00:00``, ``Z``) are absolute; timestamps without one
(historical raw exports, or times a French spreadsheet rewrote, ``02/12/2021 21:00``,
day first: :func:`spreadsheet_order`) are read as Paris wall time; the wall time the autumn change
repeats (``02:00`` on the last Sunday of October) is its first, summer-time, instant (as
Python and pandas read it), so its hour is 01:00-02:00. Such files also carry a row stamped
at the wall time the spring-forward skips (``02:00`` on the last Sunday of March, which
Paris never shows): it is dropped and counted per day (``dst_gap``), never taken for the
hour it would collide with.

States: an Etat trafic on an hour with neither flow nor occupancy measured nothing; it is
read as Inconnu (never congestion) and counted per day (``state_unmeasured``, of which
``congestion_unmeasured`` were Saturé or Bloqué).
"""

from __future__ import annotations

import csv
import dataclasses
import re
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from entrepot.city import refused
from entrepot.city.counts_answer import (
    ARC_COLUMNS,
    HOUR_COLUMNS,
    QUALITY_COLUMNS,
    CountsAggregate,
    count,
    merge,
)
from entrepot.city.counts_rows import SPREADSHEET_TIME, spreadsheet_days
from entrepot.city.counts_sql import MARKED, exact_query, fast_query, kept
from entrepot.city.duckdb_fault import again_on_one_thread
from entrepot.city.errors import CityError, RawFormatError
from entrepot.city.imports import notes as noted
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_SCAN_THREADS
from entrepot.city.readers import CsvHeader, pick_columns, sniff_header
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from collections.abc import Callable

    from duckdb import DuckDBPyConnection

__all__ = [
    "ARC_COLUMNS",
    "COUNTS_COLUMNS",
    "HOUR_COLUMNS",
    "QUALITY_COLUMNS",
    "CountsAggregate",
    "aggregate_counts",
    "aggregate_counts_files",
    "scan",
]

#: Accepted header variants: export labels, or the API's raw field names.
COUNTS_COLUMNS = (
    {
        "arc": "Identifiant arc",
        "t": "Date et heure de comptage",
        "q": "Débit horaire",
        "k": "Taux d'occupation",
        "state": "Etat trafic",
    },
    {"arc": "iu_ac", "t": "t_1h", "q": "q", "k": "k", "state": "etat_trafic"},
)
#: The head of a counts file looked at for times a spreadsheet rewrote.
_SNIFF_BYTES = 64 * 1024
_SPREADSHEET = re.compile(SPREADSHEET_TIME)


def counts_header(path: Path, key: str) -> tuple[CsvHeader, dict[str, str]]:
    """Read and check the first line: ``;`` (exports) or ``,`` (historical files)."""
    with open(path, "rb") as fh:
        first = fh.read(65536)
    errors: list[RawFormatError] = []
    for sep in (";", ","):
        try:
            header = sniff_header(first, key, sep)
            return header, pick_columns(header, key, COUNTS_COLUMNS)
        except RawFormatError as exc:
            errors.append(exc)
    raise errors[0]


def aggregate_counts(
    path: Path,
    *,
    key: str | None = None,
    start: date | None = None,
    end: date | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = DEFAULT_SCAN_THREADS,
) -> CountsAggregate:
    """Aggregate the counts CSV at ``path`` for local days within ``[start, end]``.

    ``key`` names the file in errors (defaults to the path).
    """
    return aggregate_counts_files(
        [(path, key or str(path))],
        start=start,
        end=end,
        memory_limit=memory_limit,
        threads=threads,
    )


def aggregate_counts_files(
    files: Sequence[tuple[Path, str]],
    *,
    start: date | None = None,
    end: date | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = DEFAULT_SCAN_THREADS,
) -> CountsAggregate:
    """Aggregate several counts CSVs ``(path, key)``, oldest first, as one de-duplicated
    export (the newest file wins a repeated (arc, hour)); ``key`` names a file in errors."""
    headers = [counts_header(path, key) for path, key in files]
    params: dict[str, object] = {}
    for index, ((path, _), (header, _)) in enumerate(zip(files, headers, strict=True)):
        params[f"path{index}"] = str(path)
        params[f"sep{index}"] = header.sep

    def spreadsheets(con: DuckDBPyConnection) -> tuple[str, ...]:
        return tuple(
            note
            for index, ((path, key), (header, mapping)) in enumerate(
                zip(files, headers, strict=True)
            )
            if rewritten_times(path, header, mapping)
            for note in spreadsheet_order(con, index, header, mapping, key, params)
        )

    return scan(
        headers,
        params,
        ", ".join(key for _, key in files),
        start=start,
        end=end,
        memory_limit=memory_limit,
        threads=threads,
        before=spreadsheets,
    )


def scan(
    headers: Sequence[tuple[CsvHeader, dict[str, str]]],
    params: dict[str, object],
    name: str,
    *,
    start: date | None,
    end: date | None,
    memory_limit: str,
    threads: int,
    raw: str | None = None,
    before: Callable[[DuckDBPyConnection], tuple[str, ...]] | None = None,
) -> CountsAggregate:
    """The two passes over the rows of the CSVs of ``headers`` (or of ``raw``, the query of
    the day partitions' rows: :func:`entrepot.city.counts_rows.rows_sql`) with ``params``,
    within ``[start, end]``; ``name`` names them in errors; ``before(con)`` runs first and
    gives the scan's notes."""
    import duckdb

    with_range = start is not None or end is not None
    params = dict(params)
    if with_range:
        params["start"] = start or date.min
        params["end"] = end or date.max

    def once(scan_threads: int) -> CountsAggregate:
        return _scan_once(
            headers, params, name, with_range, memory_limit, scan_threads, raw, before
        )

    try:
        return again_on_one_thread(once, threads)
    except duckdb.InternalException as exc:  # twice DuckDB's own fault (ADR 0121)
        reason = _first_paragraph(exc)
        raise CityError(
            f"DuckDB failed on its own while reading {name}: {reason}",
            key=name,
            hint="run the command again: the file is not at fault",
            said=Message(N_("error.city.duckdb_internal"), {"file": name, "reason": reason[:300]}),
        ) from None


def _scan_once(
    headers: Sequence[tuple[CsvHeader, dict[str, str]]],
    params: dict[str, object],
    name: str,
    with_range: bool,
    memory_limit: str,
    threads: int,
    raw: str | None,
    before: Callable[[DuckDBPyConnection], tuple[str, ...]] | None,
) -> CountsAggregate:
    """:func:`scan` on a connection of its own with ``threads`` threads; DuckDB's internal
    errors raised as they are."""
    import duckdb

    with (
        tempfile.TemporaryDirectory(prefix="entrepot-duckdb-") as tmp,
        duckdb.connect(":memory:", config=connection_config(tmp, memory_limit, threads)) as con,
    ):
        con.execute("SET enable_progress_bar = false")
        # pass 2 joins the file's rows to the few (arc, day)s marked: DuckDB cannot
        # estimate a CSV's rows and would build its hash table on the file's side
        # (5 million rows, spilled: 3 times pass 1's time and 400 MB on a 2 GB export)
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        try:
            notes = before(con) if before is not None else ()
            con.execute(kept(fast_query(headers, with_range, raw), pass_1=True), params)
            con.execute(MARKED)
            exact = count(con, "SELECT count(*) FROM marked") > 0
            if exact:
                con.execute(kept(exact_query(headers, with_range, raw), pass_1=False), params)
            return dataclasses.replace(merge(con, exact), notes=notes)
        except duckdb.OutOfMemoryException as exc:
            raise CityError(
                f"the counts scan ran out of its {memory_limit} memory limit: {exc}",
                key=name,
                hint="raise the limit (`--memory-limit 512MB`)",
                said=Message(
                    N_("error.city.counts_memory"),
                    {"file": name, "limit": str(memory_limit), "reason": str(exc)[:300]},
                ),
            ) from None
        except duckdb.InternalException:
            raise
        except duckdb.Error as exc:
            reason = _first_paragraph(exc)
            raise RawFormatError(
                f"counts CSV cannot be read: {reason}",
                key=name,
                said=refused.stored_counts_unreadable(name),
            ) from None


def _first_paragraph(error: Exception) -> str:
    """A DuckDB error's first paragraph on one line (its stack trace follows a blank line)."""
    return " ".join(str(error).split("\n\n", 1)[0].split())


def connection_config(
    tmp: str, memory_limit: str, threads: int
) -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB's settings for a counts scan: bounded memory, spilled to ``tmp``, no
    extension installed or loaded."""
    return {
        "memory_limit": memory_limit,
        "threads": threads,
        "temp_directory": str(Path(tmp) / "spill"),
        "extension_directory": str(Path(tmp) / "no-extensions"),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "preserve_insertion_order": False,
        # hand freed memory back after a task: pass 1's hash tables would otherwise stay
        # in the process while its answer crosses to pandas (about 15 MB more at 2 GB)
        "allocator_flush_threshold": "16MB",
        "allocator_bulk_deallocation_flush_threshold": "16MB",
    }


def rewritten_times(path: Path, header: CsvHeader, mapping: dict[str, str]) -> bool:
    """Whether the first rows of the counts file at ``path`` hold times a spreadsheet
    rewrote (``02/12/2021 21:00``): only then is the file read once more to know the order
    of its day and month (:func:`spreadsheet_order`)."""
    with open(path, "rb") as fh:
        fh.seek(header.length)
        head = fh.read(_SNIFF_BYTES)
    at = header.columns.index(mapping["t"])
    lines = head.decode("utf-8", errors="replace").splitlines()[:-1]  # the last may be cut
    for row in csv.reader(lines, delimiter=header.sep):
        if len(row) > at and row[at].strip():
            return _SPREADSHEET.fullmatch(row[at].strip()) is not None
    return False


def spreadsheet_order(
    con: DuckDBPyConnection,
    index: int,
    header: CsvHeader,
    mapping: dict[str, str],
    key: str,
    params: dict[str, object],
) -> list[str]:
    """Check the times a French spreadsheet rewrote in file ``index`` are day first, as
    the scan reads them: a first number above 12 anywhere proves it; when none is and none
    of the second ones is either, a French export (``;``-separated or with the portal's
    French labels) is day first, any other is refused; a file whose times are month first
    is refused, naming the fix. Returns the note saying how the times were read."""
    sql = spreadsheet_days(index, header, mapping)
    picked = {n: params[n] for n in (f"path{index}", f"sep{index}")}
    ((count, first, second),) = con.execute(sql, picked).fetchall()
    if not count:
        return []
    downloaded = "import the export as downloaded, or save its times as 2023-12-31 23:00:00"
    if first > 12 and second > 12:
        raise RawFormatError(
            "times a spreadsheet rewrote are neither all day first nor all month first "
            "(numbers above 12 both first and second)",
            key=key,
            hint=downloaded,
            said=refused.times_mixed(key),
        )
    if second > 12:
        raise RawFormatError(
            "times a spreadsheet rewrote are month first (12/31/2023 23:00, an English "
            "spreadsheet); only day first (31/12/2023 23:00, a French one) is read",
            key=key,
            hint=f"{downloaded}, or 31/12/2023 23:00",
            said=refused.times_month_first(key),
        )
    french = header.sep == ";" or mapping["t"] == COUNTS_COLUMNS[0]["t"]
    if first <= 12 and not french:
        raise RawFormatError(
            "times a spreadsheet rewrote (01/12/2023 23:00) may be day first or month "
            "first: no number in them is above 12 and the file is not a French export",
            key=key,
            hint=downloaded,
            said=refused.times_ambiguous(key),
        )
    return [noted.spreadsheet_day_first(key, count)]
