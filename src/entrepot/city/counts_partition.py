"""Write a counts export once as day partitions (``raw/counts/dt=YYYY-MM-DD/<sha16>.parquet``)
and its manifest, de-duplicated at that step (ADR 0084).

Each row is placed on the Paris local day of its counted hour, as the scan reads it
(:mod:`entrepot.city.counts_rows`); a row without a valid arc or time is placed nowhere,
and counted. Of the rows of one export sharing an (arc, counted hour) the one the scan would
keep is kept (:data:`~entrepot.city.counts_sql.TIE_BREAK`); how many were dropped, per day,
goes in the manifest, so a day read from its partitions says what the whole export said.
The text of each kept field is stored as the scan reads it (the arc as its number, the time
trimmed): reading a partition gives the same values, bit for bit.

An export whose last line is cut or whose times a spreadsheet rewrote is not partitioned:
the notes its reading gives name the whole file, and the run reads it whole as before.
Every object is written once (``if_absent``); the manifest, written last, marks the export
as partitioned.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from entrepot.city import layout
from entrepot.city.bigcsv import connection_config, counts_header, rewritten_times
from entrepot.city.counts_answer import count
from entrepot.city.counts_rows import rows_sql
from entrepot.city.counts_sql import MARKED, SKIPPED, TIE_BREAK, fast_query, kept
from entrepot.city.duckdb_fault import again_on_one_thread
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_SCAN_THREADS
from entrepot.city.readers import CsvHeader, whole_rows_end
from entrepot.errors import ObjectExists
from entrepot.storage.protocols import List, Put

#: The columns of a partition, all text, as :func:`~entrepot.city.counts_rows.rows_sql`
#: reads them.
PART_COLUMNS = ("arc_text", "t_text", "q_raw", "k_raw", "label")

#: Per day, the rows of a repeated (arc, counted hour) that the partitions leave out.
_DUPLICATES = """SELECT CAST(day AS VARCHAR), CAST(sum(rows - slots) AS BIGINT) FROM fast
WHERE by_hour = 0 AND NOT bad GROUP BY day HAVING sum(rows - slots) > 0"""


@dataclass(frozen=True)
class Partitioned:
    """What partitioning an export wrote: its days, their bytes, and what it left out."""

    sha256: str
    days: int
    bytes: int
    skipped_rows: int
    duplicates: int


def is_partitioned(store: List, sha256: str) -> bool:
    """Whether the export of ``sha256`` has its manifest (every partition is there)."""
    wanted = layout.counts_manifest_key(sha256)
    return any(info.key == wanted for info in store.list(layout.COUNTS_MANIFESTS))


def partition_counts(
    store: Put,
    path: Path,
    sha256: str,
    key: str,
    *,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = DEFAULT_SCAN_THREADS,
) -> Partitioned | None:
    """Write the counts export at ``path`` (stored with ``sha256``; ``key`` names it) as day
    partitions and its manifest; None when it is read whole (a cut line, rewritten times,
    or DuckDB failing on it twice with an internal error, the second time on one thread:
    ADR 0121). Objects already there (an export partitioned before) are kept as they
    are."""
    if whole_rows_end(path) is not None:
        return None
    header, mapping = counts_header(path, key)
    if rewritten_times(path, header, mapping):
        return None
    import duckdb

    def written(scan_threads: int) -> tuple[list[date], int, int, dict[str, int]]:
        return _written_days(store, path, sha256, header, mapping, memory_limit, scan_threads)

    try:
        found = again_on_one_thread(written, threads)
    except duckdb.InternalException:  # twice DuckDB's own fault: read whole (ADR 0121)
        return None
    days, size, skipped, duplicates = found
    manifest = {
        "export": key,
        "sha256": sha256,
        "skipped_rows": skipped,
        "duplicates": dict(sorted(duplicates.items())),
        "days": len(days),
        "bytes": size,
    }
    _put_once(store, layout.counts_manifest_key(sha256), _json(manifest), "application/json")
    return Partitioned(sha256, len(days), size, skipped, sum(duplicates.values()))


def _copy_query(header: tuple[CsvHeader, dict[str, str]], out: Path) -> str:
    """The export's rows placed on their day, the repeated (arc, hour)s of one (arc, day)
    ranked as the scan ranks them and only the first kept (rows stamped at the hour the
    spring skips are kept: the scan counts them); the rows without a place left out."""
    fields = "day, CAST(arc AS VARCHAR) AS arc_text, t AS t_text, q_raw, k_raw, label"
    query = f"""{rows_sql([header], False)}, flagged AS (
        SELECT s.*, m.arc IS NOT NULL AS repeated
        FROM scoped AS s LEFT JOIN marked AS m ON s.arc = m.arc AND s.day = m.day
        WHERE NOT s.bad
    ), firsts AS (
        SELECT * FROM (
            SELECT *, row_number() OVER (PARTITION BY arc, start_us ORDER BY {TIE_BREAK}) AS rank
            FROM flagged WHERE repeated AND NOT gap)
        WHERE rank = 1
    )
    SELECT {fields} FROM flagged WHERE NOT repeated OR gap
    UNION ALL
    SELECT {fields} FROM firsts"""
    target = str(out).replace("'", "''")
    return (
        f"COPY ({query}) TO '{target}' "
        "(FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd, OVERWRITE_OR_IGNORE)"
    )


def _written_days(
    store: Put,
    path: Path,
    sha256: str,
    header: CsvHeader,
    mapping: dict[str, str],
    memory_limit: str,
    threads: int,
) -> tuple[list[date], int, int, dict[str, int]]:
    """The export's day partitions written to ``store`` from a scan on a connection of its
    own: their days, their bytes, the rows placed nowhere and, per day, the repeated rows
    left out."""
    import duckdb

    params: dict[str, object] = {"path0": str(path), "sep0": header.sep}
    with tempfile.TemporaryDirectory(prefix="entrepot-parts-") as tmp:
        out = Path(tmp) / "parts"
        config = connection_config(tmp, memory_limit, threads)
        with duckdb.connect(":memory:", config=config) as con:
            con.execute("SET enable_progress_bar = false")
            con.execute(kept(fast_query([(header, mapping)], False), pass_1=True), params)
            con.execute(MARKED)
            skipped = count(con, SKIPPED)
            duplicates = {day: int(n) for day, n in con.execute(_DUPLICATES).fetchall()}
            con.execute(_copy_query((header, mapping), out), params)
        days, size = _store_days(store, out, sha256)
    return days, size, skipped, duplicates


def _store_days(store: Put, out: Path, sha256: str) -> tuple[list[date], int]:
    """Each day folder DuckDB wrote, as one Parquet object of the store."""
    import duckdb

    days: list[date] = []
    size = 0
    for folder in sorted(out.glob("day=*")) if out.exists() else []:
        day = date.fromisoformat(folder.name.split("=", 1)[1])
        files = sorted(folder.glob("*.parquet"))
        part = files[0]
        if len(files) > 1:  # one object per day: the threads' files joined
            part = folder / "joined.parquet"
            sources = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
            target = str(part).replace("'", "''")
            duckdb.execute(
                f"COPY (SELECT * FROM read_parquet([{sources}])) TO '{target}' "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
        _put_once(
            store, layout.counts_part_key(day, sha256), part, "application/vnd.apache.parquet"
        )
        days.append(day)
        size += part.stat().st_size
    return days, size


def _put_once(store: Put, key: str, data: bytes | Path, content_type: str) -> None:
    """Write ``key`` once; one already there (a partitioning cut short before its manifest)
    holds the same rows and is kept."""
    try:
        if isinstance(data, Path):
            store.put_file(key, data, content_type=content_type, if_absent=True)
        else:
            store.put(key, data, content_type=content_type, if_absent=True)
    except ObjectExists:
        pass


def _json(document: dict[str, object]) -> bytes:
    return json.dumps(document, sort_keys=True, indent=1).encode("utf-8")
