"""Aggregate the road-counts CSV in one streaming DuckDB pass with bounded memory.

The export is several GB; only five columns are needed (the geometry and labels
are most of the bytes and belong to the référentiel). DuckDB scans the file with
``memory_limit`` set, 8 MB read buffers, and a temporary folder to spill to, so
the peak RSS of a process is about 130 MB (Python, pandas, DuckDB) + the limit
(128 MB by default) + the result (~160 B per arc-day returned; a one-day range,
as the pipeline asks, returns a few thousand rows): under 300 MB at 2 GB of CSV
(see ``bench/city.py``). It never installs or loads an extension at run time.

Every aggregate is mergeable and exact: flows are summed as integer
milli-vehicles and occupancies as integer 1e-5 %, so any chunking or engine
gives the same numbers as a whole-file run, bit for bit.

Several files (years, arcs, re-downloads) are scanned together and de-duplicated on
(arc, counted hour): the newest file (the last given) wins, and the rows dropped are
counted per day. Within one file (a month exported twice, both ``02:00`` rows of the autumn
day in a wall-time file) the row with the highest flow, then occupancy, wins. Values are
read as the exports write them, decimal point or decimal comma (``1034,0``); a non-empty
value that does not parse is counted per day (``q_bad``/``k_bad``), never read as 0.

Time: ``t_1h`` is the *end* of the hour. The hour's start is ``t_1h - 1 h`` taken
in absolute time and shown in Paris wall time; its date is the local day (so
``2024-01-05T00:00:00+01:00`` counts for 4 January, 23:00-24:00). Timestamps
with an offset (``+01:00``, ``+00:00``, ``Z``) are absolute; timestamps without one
(historical raw exports) are read as Paris wall time; the wall time the autumn change
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

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from entrepot.city.errors import CityError, RawFormatError
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_SCAN_THREADS
from entrepot.city.readers import CsvHeader, pick_columns, sniff_header

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
#: Label and code of each Etat trafic, to its code.
STATE_CODES = {
    "Inconnu": 0, "0": 0,
    "Fluide": 1, "1": 1,
    "Pré-saturé": 2, "2": 2,
    "Saturé": 3, "3": 3,
    "Bloqué": 4, "4": 4,
}  # fmt: skip
#: CSV read buffer per thread; DuckDB's default (32 MB) doubles the footprint for nothing.
_BUFFER_SIZE = 8 * 1024 * 1024

#: Columns of :attr:`CountsAggregate.arcs` (one row per arc and local day).
ARC_COLUMNS = (
    "arc", "day", "rows", "q_n", "q_sum_milli", "q_max_milli", "k_n", "k_sum_micro",
    "k_max_micro", "state_0", "state_1", "state_2", "state_3", "state_4", "peak_hour",
)  # fmt: skip
#: Columns of :attr:`CountsAggregate.hours` (one row per local day and hour).
HOUR_COLUMNS = ("day", "hour", "rows", "q_n", "q_sum_milli", "k_n", "k_sum_micro")
#: Columns of :attr:`CountsAggregate.quality` (one row per local day).
QUALITY_COLUMNS = (
    "day", "duplicates", "dst_gap", "state_unmeasured", "congestion_unmeasured",
    "q_bad", "k_bad", "bad_file", "bad_example",
)  # fmt: skip
_NULLABLE = ("q_max_milli", "k_max_micro", "peak_hour")
_ARC_TYPES = {c: ("Int64" if c in _NULLABLE else "int64") for c in ARC_COLUMNS if c != "day"}
_HOUR_TYPES = {c: "int64" for c in HOUR_COLUMNS if c != "day"}


@dataclass(frozen=True)
class CountsAggregate:
    """Per (arc, day) and per (day, hour) mergeable sums of the counts export, and per day
    what was dropped (``quality``: duplicates, unparsable values and the first file holding
    one, as an index into the files scanned)."""

    arcs: pd.DataFrame
    hours: pd.DataFrame
    rows: int
    skipped_rows: int
    quality: pd.DataFrame | None = None


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


def _state_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{label}' THEN {code}" for label, code in STATE_CODES.items())
    bands = (
        "CASE WHEN k IS NULL THEN 0 WHEN k < 15 THEN 1 WHEN k < 30 THEN 2 "
        "WHEN k < 50 THEN 3 ELSE 4 END"
    )
    return f"CASE trim({column}) {cases} ELSE {bands} END"


def _source(index: int, header: CsvHeader, mapping: dict[str, str]) -> str:
    names = {c: f"c{i}" for i, c in enumerate(header.columns)}
    arc, t, q, k, state = (names[mapping[n]] for n in ("arc", "t", "q", "k", "state"))
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header.columns)))
    return f"""
        SELECT {index} AS src, TRY_CAST(trim({arc}) AS BIGINT) AS arc, trim({t}) AS t,
               NULLIF(trim({q}), '') AS q_text, NULLIF(trim({k}), '') AS k_text,
               {state} AS label
        FROM read_csv($path{index}, delim=$sep{index}, quote='"', escape='"', header=false,
                      skip=1, columns={{{columns}}}, auto_detect=false, encoding='utf-8',
                      null_padding=true,
                      buffer_size={_BUFFER_SIZE})"""


def _query(headers: Sequence[tuple[CsvHeader, dict[str, str]]], with_range: bool) -> str:
    sources = " UNION ALL ".join(_source(i, h, m) for i, (h, m) in enumerate(headers))
    where = "OR day BETWEEN $start AND $end" if with_range else "OR TRUE"
    return f"""
    WITH raw AS ({sources}
    ), stamped AS (
        SELECT *, regexp_matches(t, '(Z|[+-][0-9][0-9]:?[0-9][0-9])$') AS absolute,
               try_strptime(replace(substr(t, 1, 19), 'T', ' '), '%Y-%m-%d %H:%M:%S') AS wall
        FROM raw
    ), parsed AS (
        SELECT src, arc, label, q_text, k_text,
               TRY_CAST(replace(q_text, ',', '.') AS DOUBLE) AS q,
               TRY_CAST(replace(k_text, ',', '.') AS DOUBLE) AS k,
               CASE WHEN absolute THEN TRY_CAST(t AS TIMESTAMPTZ)
                    -- a wall time the autumn repeats is its first (summer-time) instant
                    WHEN timezone('Europe/Paris', timezone('Europe/Paris', wall)
                                  - INTERVAL 1 HOUR) = wall
                    THEN timezone('Europe/Paris', wall) - INTERVAL 1 HOUR
                    ELSE timezone('Europe/Paris', wall)
               END - INTERVAL 1 HOUR AS start_at,
               -- a wall time the spring-forward skips (02:00-03:00) does not come back
               coalesce(NOT absolute
                        AND timezone('Europe/Paris', timezone('Europe/Paris', wall)) <> wall,
                        FALSE) AS gap
        FROM stamped
    ), timed AS (
        SELECT *, timezone('Europe/Paris', start_at) AS start_wall FROM parsed
    ), dated AS (
        SELECT *, CAST(start_wall AS DATE) AS day, hour(start_wall) AS hour,
               (arc IS NULL OR start_wall IS NULL) AS bad
        FROM timed
    ), ranked AS (
        SELECT *, bad OR (NOT gap AND row_number() OVER (
                      PARTITION BY arc, start_at ORDER BY gap, src DESC,
                      -- within one file: the row that measured most (scan order is not
                      -- file order, so no row can be "the last")
                      q DESC NULLS LAST, k DESC NULLS LAST, label DESC) = 1) AS kept,
               q IS NULL AND k IS NULL AS unmeasured, {_state_sql("label")} AS labelled
        FROM dated WHERE bad {where}
    ), rows AS (
        SELECT bad, arc, day, hour, src, kept, NOT kept AND NOT gap AS dup,
               NOT kept AND gap AS dst_gap,
               CASE WHEN kept THEN CAST(round(q * 1000) AS BIGINT) END AS q_milli,
               CASE WHEN kept THEN CAST(round(k * 100000) AS BIGINT) END AS k_micro,
               -- a state without flow or occupancy measured nothing: unknown, not congestion
               CASE WHEN kept THEN (CASE WHEN unmeasured THEN 0 ELSE labelled END) END AS state,
               kept AND unmeasured AND labelled > 0 AS state_unmeasured,
               kept AND unmeasured AND labelled >= 3 AS congestion_unmeasured,
               kept AND q_text IS NOT NULL AND q IS NULL AS q_bad,
               kept AND k_text IS NOT NULL AND k IS NULL AS k_bad,
               CASE WHEN q_text IS NOT NULL AND q IS NULL THEN q_text ELSE k_text END AS bad_text
        FROM ranked
    )
    SELECT GROUPING(arc) AS by_hour, bad, arc, day, hour, count(*) FILTER (kept) AS rows,
           count(q_milli) AS q_n, coalesce(sum(q_milli), 0) AS q_sum_milli,
           max(q_milli) AS q_max_milli, count(k_micro) AS k_n,
           coalesce(sum(k_micro), 0) AS k_sum_micro, max(k_micro) AS k_max_micro,
           count(*) FILTER (state = 0) AS state_0, count(*) FILTER (state = 1) AS state_1,
           count(*) FILTER (state = 2) AS state_2, count(*) FILTER (state = 3) AS state_3,
           count(*) FILTER (state = 4) AS state_4,
           arg_max(hour, q_milli * 100 - hour) AS peak_hour,
           count(*) FILTER (dup) AS duplicates, count(*) FILTER (dst_gap) AS dst_gap,
           count(*) FILTER (state_unmeasured) AS state_unmeasured,
           count(*) FILTER (congestion_unmeasured) AS congestion_unmeasured,
           count(*) FILTER (q_bad) AS q_bad,
           count(*) FILTER (k_bad) AS k_bad, min(src) FILTER (q_bad OR k_bad) AS bad_file,
           min(bad_text) FILTER (q_bad OR k_bad) AS bad_example
    FROM rows
    GROUP BY GROUPING SETS ((bad, arc, day), (bad, day, hour))
    """


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
    import duckdb

    headers = [counts_header(path, key) for path, key in files]
    name = ", ".join(key for _, key in files)
    with_range = start is not None or end is not None
    params: dict[str, object] = {}
    for index, ((path, _), (header, _)) in enumerate(zip(files, headers, strict=True)):
        params[f"path{index}"] = str(path)
        params[f"sep{index}"] = header.sep
    if with_range:
        params["start"] = start or date.min
        params["end"] = end or date.max
    with tempfile.TemporaryDirectory(prefix="entrepot-duckdb-") as tmp:
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": memory_limit,
            "threads": threads,
            "temp_directory": str(Path(tmp) / "spill"),
            "extension_directory": str(Path(tmp) / "no-extensions"),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "preserve_insertion_order": False,
        }
        with duckdb.connect(":memory:", config=config) as con:
            con.execute("SET enable_progress_bar = false")
            try:
                result = con.execute(_query(headers, with_range), params).df()
            except duckdb.OutOfMemoryException as exc:
                raise CityError(
                    f"the counts scan ran out of its {memory_limit} memory limit: {exc}",
                    key=name,
                    hint="raise the limit (`--memory-limit 512MB`)",
                ) from None
            except duckdb.Error as exc:
                reason = " ".join(str(exc).split("\n\n", 1)[0].split())
                raise RawFormatError(f"counts CSV cannot be read: {reason}", key=name) from None
    return _split(result)


def _split(result: pd.DataFrame) -> CountsAggregate:
    bad = result["bad"].astype(bool)
    by_hour = result["by_hour"] == 1
    skipped = int(result.loc[bad & ~by_hour, "rows"].sum())
    arcs = result.loc[~bad & ~by_hour, list(ARC_COLUMNS)]
    hours = result.loc[~bad & by_hour, list(HOUR_COLUMNS)]
    arcs = arcs.astype(_ARC_TYPES).sort_values(["day", "arc"], ignore_index=True)
    hours = hours.astype(_HOUR_TYPES).sort_values(["day", "hour"], ignore_index=True)
    arcs["day"] = [d.date() if hasattr(d, "date") else d for d in arcs["day"]]
    hours["day"] = [d.date() if hasattr(d, "date") else d for d in hours["day"]]
    quality = (
        result.loc[~bad & by_hour]
        .groupby("day", sort=True)
        .agg(
            duplicates=("duplicates", "sum"),
            dst_gap=("dst_gap", "sum"),
            state_unmeasured=("state_unmeasured", "sum"),
            congestion_unmeasured=("congestion_unmeasured", "sum"),
            q_bad=("q_bad", "sum"),
            k_bad=("k_bad", "sum"),
            bad_file=("bad_file", "min"),
            bad_example=("bad_example", "min"),
        )
    )
    quality = quality.reset_index()
    quality["day"] = [d.date() if hasattr(d, "date") else d for d in quality["day"]]
    return CountsAggregate(arcs, hours, int(arcs["rows"].sum()), skipped, quality)
