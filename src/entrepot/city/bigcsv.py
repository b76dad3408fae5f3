"""Aggregate the road-counts CSV in streaming DuckDB passes with bounded memory.

The export is several GB; only five columns are needed (the geometry and labels
are most of the bytes and belong to the référentiel). DuckDB scans the file with
``memory_limit`` set, 8 MB read buffers, and a temporary folder to spill to, so
the peak RSS of a process is about 130 MB (Python, pandas, DuckDB) + the limit
(128 MB by default) + the result (~200 B per arc-day returned; a one-day range,
as the pipeline asks, returns a few thousand rows): 310 MB for a whole 2 GB export
without a range (``docs/benchmarks.md``, "City pipeline"). It never installs or loads
an extension at run time.

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

from entrepot.city.counts_sql import exact_query, fast_query
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
#: Columns of an (arc, day) group that the merge reads: the arc's, then the day's quality.
_ARC_KEPT = (
    *ARC_COLUMNS, "duplicates", "dst_gap", "state_unmeasured", "congestion_unmeasured",
    "q_bad", "k_bad", "bad_file", "bad_example",
)  # fmt: skip
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
            # pass 2 joins the file's rows to the few (arc, day)s marked: DuckDB cannot
            # estimate a CSV's rows and would build its hash table on the file's side
            # (5 million rows, spilled: 3 times pass 1's time and 400 MB on a 2 GB export)
            con.execute("SET disabled_optimizers = 'build_side_probe_side'")
            try:
                fast = con.execute(fast_query(headers, with_range), params).df()
                marked = _marked(fast)
                exact = None
                if len(marked):
                    con.register("marked", marked)
                    exact = con.execute(exact_query(headers, with_range), params).df()
            except duckdb.OutOfMemoryException as exc:
                raise CityError(
                    f"the counts scan ran out of its {memory_limit} memory limit: {exc}",
                    key=name,
                    hint="raise the limit (`--memory-limit 512MB`)",
                ) from None
            except duckdb.Error as exc:
                reason = " ".join(str(exc).split("\n\n", 1)[0].split())
                raise RawFormatError(f"counts CSV cannot be read: {reason}", key=name) from None
    return _merge(fast, exact)


def _marked(fast: pd.DataFrame) -> pd.DataFrame:
    """The (arc, day)s of pass 1 in which two rows may share an hour."""
    groups = fast.loc[(fast["by_hour"] == 0) & ~fast["bad"].astype(bool)]
    return groups.loc[groups["rows"] > groups["slots"], ["arc", "day"]].reset_index(drop=True)


def _merge(fast: pd.DataFrame, exact: pd.DataFrame | None) -> CountsAggregate:
    """Pass 1's groups, those pass 2 read again replaced by its exact ones."""
    bad = fast["bad"].astype(bool)
    by_hour = fast["by_hour"] == 1
    skipped = int(fast.loc[bad & ~by_hour, "rows"].sum())
    # only the columns kept (a frame of the groups is about 50 MB on a 2 GB export)
    arcs = fast.loc[~bad & ~by_hour, [c for c in _ARC_KEPT if c != "duplicates"]]
    arcs["duplicates"] = 0
    hours = fast.loc[~bad & by_hour, list(HOUR_COLUMNS)]
    if exact is not None:
        again = exact["by_hour"] == 1
        redone = exact.loc[~again, list(_ARC_KEPT)]
        keys = pd.MultiIndex.from_frame(redone[["arc", "day"]])
        arcs = pd.concat(
            [arcs.loc[~pd.MultiIndex.from_frame(arcs[["arc", "day"]]).isin(keys)], redone]
        )
        # per (day, hour): pass 1's sums, less what it counted of the groups read again,
        # plus their exact sums (every column of an hour is a count or a sum)
        delta = exact.loc[again].set_index(["day", "hour"])
        sums = [c for c in HOUR_COLUMNS if c not in ("day", "hour")]
        change = pd.DataFrame({c: delta[c] - delta[f"fast_{c}"] for c in sums})
        hours = hours.set_index(["day", "hour"])
        hours = hours.add(change.reindex(hours.index, fill_value=0)).reset_index()
    quality = arcs.groupby("day", sort=True).agg(
        duplicates=("duplicates", "sum"),
        dst_gap=("dst_gap", "sum"),
        state_unmeasured=("state_unmeasured", "sum"),
        congestion_unmeasured=("congestion_unmeasured", "sum"),
        q_bad=("q_bad", "sum"),
        k_bad=("k_bad", "sum"),
        bad_file=("bad_file", "min"),
        bad_example=("bad_example", "min"),
    )
    arcs = arcs[list(ARC_COLUMNS)].astype(_ARC_TYPES)
    arcs = arcs.sort_values(["day", "arc"], ignore_index=True)
    hours = hours[list(HOUR_COLUMNS)].astype(_HOUR_TYPES)
    hours = hours.sort_values(["day", "hour"], ignore_index=True)
    quality = quality.reset_index()
    for frame in (arcs, hours, quality):
        frame["day"] = _dates(frame["day"])
    return CountsAggregate(arcs, hours, int(arcs["rows"].sum()), skipped, quality)


def _dates(days: pd.Series) -> object:
    """Each day as a :class:`datetime.date`. DuckDB's DATE arrives as ``datetime64``, which
    numpy converts in one step (a Python loop over 225,000 arc-days took a second)."""
    if days.dtype.kind == "M":
        return days.to_numpy().astype("datetime64[D]").astype(object)
    return [d.date() if hasattr(d, "date") else d for d in days]
