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

Time: ``t_1h`` is the *end* of the hour. The hour's start is ``t_1h - 1 h`` taken
in absolute time and shown in Paris wall time; its date is the local day (so
``2024-01-05T00:00:00+01:00`` counts for 4 January, 23:00-24:00). Timestamps
without an offset (historical raw exports) are read as Paris wall time.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from entrepot.city.errors import CityError, RawFormatError
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT
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
_NULLABLE = ("q_max_milli", "k_max_micro", "peak_hour")
_ARC_TYPES = {c: ("Int64" if c in _NULLABLE else "int64") for c in ARC_COLUMNS if c != "day"}
_HOUR_TYPES = {c: "int64" for c in HOUR_COLUMNS if c != "day"}


@dataclass(frozen=True)
class CountsAggregate:
    """Per (arc, day) and per (day, hour) mergeable sums of the counts export."""

    arcs: pd.DataFrame
    hours: pd.DataFrame
    rows: int
    skipped_rows: int


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


def _query(header: CsvHeader, mapping: dict[str, str], with_range: bool) -> str:
    names = {c: f"c{i}" for i, c in enumerate(header.columns)}
    arc, t, q, k, state = (names[mapping[n]] for n in ("arc", "t", "q", "k", "state"))
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header.columns)))
    where = "OR day BETWEEN $start AND $end" if with_range else "OR TRUE"
    return f"""
    WITH raw AS (
        SELECT TRY_CAST({arc} AS BIGINT) AS arc, trim({t}) AS t,
               TRY_CAST(NULLIF(trim({q}), '') AS DOUBLE) AS q,
               TRY_CAST(NULLIF(trim({k}), '') AS DOUBLE) AS k, {state} AS label
        FROM read_csv($path, delim=$sep, quote='"', escape='"', header=false, skip=1,
                      columns={{{columns}}}, auto_detect=false, encoding='utf-8',
                      buffer_size={_BUFFER_SIZE})
    ), timed AS (
        SELECT arc, label,
               CAST(round(q * 1000) AS BIGINT) AS q_milli,
               CAST(round(k * 100000) AS BIGINT) AS k_micro, k,
               CASE WHEN length(t) >= 25
                    THEN timezone('Europe/Paris', TRY_CAST(t AS TIMESTAMPTZ) - INTERVAL 1 HOUR)
                    ELSE try_strptime(replace(substr(t, 1, 19), 'T', ' '), '%Y-%m-%d %H:%M:%S')
                         - INTERVAL 1 HOUR
               END AS start_wall
        FROM raw
    ), rows AS (
        SELECT arc, CAST(start_wall AS DATE) AS day, hour(start_wall) AS hour, q_milli, k_micro,
               {_state_sql("label")} AS state, (arc IS NULL OR start_wall IS NULL) AS bad
        FROM timed
    )
    SELECT GROUPING(arc) AS by_hour, bad, arc, day, hour, count(*) AS rows,
           count(q_milli) AS q_n, coalesce(sum(q_milli), 0) AS q_sum_milli,
           max(q_milli) AS q_max_milli, count(k_micro) AS k_n,
           coalesce(sum(k_micro), 0) AS k_sum_micro, max(k_micro) AS k_max_micro,
           count(*) FILTER (state = 0) AS state_0, count(*) FILTER (state = 1) AS state_1,
           count(*) FILTER (state = 2) AS state_2, count(*) FILTER (state = 3) AS state_3,
           count(*) FILTER (state = 4) AS state_4,
           arg_max(hour, q_milli * 100 - hour) AS peak_hour
    FROM rows WHERE bad {where}
    GROUP BY GROUPING SETS ((bad, arc, day), (bad, day, hour))
    """


def aggregate_counts(
    path: Path,
    *,
    key: str | None = None,
    start: date | None = None,
    end: date | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = 2,
) -> CountsAggregate:
    """Aggregate the counts CSV at ``path`` for local days within ``[start, end]``.

    ``key`` names the file in errors (defaults to the path).
    """
    import duckdb

    name = key or str(path)
    header, mapping = counts_header(path, name)
    with_range = start is not None or end is not None
    params: dict[str, object] = {"path": str(path), "sep": header.sep}
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
                result = con.execute(_query(header, mapping, with_range), params).df()
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
    return CountsAggregate(arcs, hours, int(arcs["rows"].sum()), skipped)
