"""The SQL of the counts scan (:mod:`entrepot.city.bigcsv`): the two passes' aggregations
over the rows :mod:`entrepot.city.counts_rows` reads, and their merge.

Pass 1 (:func:`fast_query`) aggregates every row as if no (arc, counted hour) were
repeated, and marks each (arc, day) in which two rows may share an hour: the start of each
row's hour, as a bit of a 64-bit mask per (arc, day), is fixed-size state, so the pass
streams and spills like a plain ``GROUP BY``. Pass 2 (:func:`exact_query`) reads again only
the rows of the marked (arc, days), ranks each repeated hour's rows with a window and gives
those groups' exact sums, with what pass 1 counted for them, so the caller replaces them.
"""

from __future__ import annotations

from collections.abc import Sequence

from entrepot.city.counts_rows import DAY_US, HOUR_US, rows_sql
from entrepot.city.readers import CsvHeader

#: Within one file, the order a repeated hour's rows are ranked in (the first is kept): the
#: highest flow, then occupancy, then the greatest state, flow and occupancy texts as
#: written, so that rows still tied are the same for every count (the scan's order is not
#: the file's: no row can be "the last").
TIE_BREAK = (
    "gap, src DESC, q DESC NULLS LAST, k DESC NULLS LAST, label DESC NULLS LAST, "
    "NULLIF(trim(q_raw), '') DESC NULLS LAST, NULLIF(trim(k_raw), '') DESC NULLS LAST"
)


def _values(kept: str) -> str:
    """The per-row columns the aggregations read, for rows ``kept`` (an SQL condition)."""
    return f"""
               CASE WHEN {kept} THEN CAST(round(q * 1000) AS BIGINT) END AS q_milli,
               CASE WHEN {kept} THEN CAST(round(k * 100000) AS BIGINT) END AS k_micro,
               -- a state without flow or occupancy measured nothing: unknown, not congestion
               CASE WHEN {kept} THEN (CASE WHEN unmeasured THEN 0 ELSE labelled END) END
                   AS state,
               {kept} AND unmeasured AND labelled > 0 AS state_unmeasured,
               {kept} AND unmeasured AND labelled >= 3 AS congestion_unmeasured,
               {kept} AND q_bad_text IS NOT NULL AS q_bad,
               {kept} AND k_bad_text IS NOT NULL AS k_bad,
               coalesce(q_bad_text, k_bad_text) AS bad_text"""


_SUMS = """count(*) FILTER (kept) AS rows,
           count(q_milli) AS q_n, coalesce(sum(q_milli), 0) AS q_sum_milli,
           max(q_milli) AS q_max_milli, count(k_micro) AS k_n,
           coalesce(sum(k_micro), 0) AS k_sum_micro, max(k_micro) AS k_max_micro,
           count(*) FILTER (state = 0) AS state_0, count(*) FILTER (state = 1) AS state_1,
           count(*) FILTER (state = 2) AS state_2, count(*) FILTER (state = 3) AS state_3,
           count(*) FILTER (state = 4) AS state_4,
           arg_max(hour, q_milli * 100 - hour) AS peak_hour,
           count(*) FILTER (dst_gap) AS dst_gap,
           count(*) FILTER (state_unmeasured) AS state_unmeasured,
           count(*) FILTER (congestion_unmeasured) AS congestion_unmeasured,
           count(*) FILTER (q_bad) AS q_bad, count(*) FILTER (k_bad) AS k_bad,
           min(src) FILTER (q_bad OR k_bad) AS bad_file,
           min(bad_text) FILTER (q_bad OR k_bad) AS bad_example"""


#: Pass 1's counters of kept rows, 7 bits each in one BIGINT per row (the state's, then
#: these): an (arc, day) pass 1 keeps has at most 64 rows (one per hour slot), so no field
#: carries into the next; pass 2 replaces the others. One sum is a fraction of nine counts.
_PACKED = ("state_unmeasured", "congestion_unmeasured", "q_bad", "k_bad")
_BITS = 7


def _fast_sums() -> tuple[str, str]:
    fields = [f"state_{code}" for code in range(5)] + list(_PACKED)
    unpacked = ",\n           ".join(
        f"CASE WHEN GROUPING(arc) = 0 THEN CAST((sum(packed) >> {_BITS * i}) & {2**_BITS - 1} "
        f"AS BIGINT) ELSE 0 END AS {name}"
        for i, name in enumerate(fields)
    )
    return (
        """count(*) FILTER (kept) AS rows,
           count(q_milli) AS q_n, coalesce(sum(q_milli), 0) AS q_sum_milli,
           count(k_micro) AS k_n, coalesce(sum(k_micro), 0) AS k_sum_micro,
           max(k_micro) AS k_max_micro,
           -- the highest flow and, of its hours, the earliest: one maximum
           max(q_milli * 100 + 99 - hour) AS q_peak,
           count(*) FILTER (dst_gap) AS dst_gap,
           min(src) FILTER (q_bad OR k_bad) AS bad_file,
           min(bad_text) FILTER (q_bad OR k_bad) AS bad_example,
           bit_count(bit_or(slot)) AS slots""",
        unpacked,
    )


def fast_query(
    headers: Sequence[tuple[CsvHeader, dict[str, str]]], with_range: bool, raw: str | None = None
) -> str:
    """Pass 1: every row kept but those of a skipped wall time; ``slots`` and ``rows`` of an
    (arc, day) differ when two of its rows may share an hour (``raw``: :func:`rows_sql`)."""
    sums, unpacked = _fast_sums()
    packed = " + ".join(
        [f"coalesce(CAST(1 AS BIGINT) << (state * {_BITS}), 0)"]
        + [f"(CAST({name} AS BIGINT) << {_BITS * (5 + i)})" for i, name in enumerate(_PACKED)]
    )
    return f"""{rows_sql(headers, with_range, raw=raw)}, kept AS (
        SELECT bad, arc, day, hour, src, bad OR NOT gap AS kept, gap AS dst_gap,
               -- the start's hour since 1970, modulo 64: a day spans at most 25 of them
               CASE WHEN NOT gap THEN
                   CAST(1 AS UBIGINT) << CAST(((start_us // {HOUR_US}) % 64 + 64)
                                              % 64 AS INTEGER)
               END AS slot,
               {_values("(bad OR NOT gap)")}
        FROM scoped
    ), rows AS (
        SELECT *, {packed} AS packed FROM kept
    ), sums AS (
        SELECT GROUPING(arc) AS by_hour, bad, arc, day, hour, {sums},
               {unpacked}
        FROM rows
        GROUP BY GROUPING SETS ((bad, arc, day), (bad, day, hour))
    )
    SELECT * EXCLUDE (q_peak),
           (q_peak - ((q_peak % 100) + 100) % 100) // 100 AS q_max_milli,
           99 - ((q_peak % 100) + 100) % 100 AS peak_hour
    FROM sums
    """


def exact_query(
    headers: Sequence[tuple[CsvHeader, dict[str, str]]], with_range: bool, raw: str | None = None
) -> str:
    """Pass 2, over the (arc, day)s of the table ``marked``: their exact sums per (arc, day)
    and per (day, hour), and per (day, hour) what pass 1 counted for them (``fast_*``)."""
    marked_arcs = "arc IN (SELECT arc FROM marked)"
    near = f"""(SELECT DISTINCT arc, epoch_us(CAST(day AS DATE)) // {DAY_US} + side AS near_day
                FROM marked, (VALUES (-1), (0), (1)) AS sides(side))"""
    return f"""{rows_sql(headers, with_range, marked_arcs, near, raw)}, picked AS (
        SELECT s.* FROM scoped AS s SEMI JOIN marked AS m ON s.arc = m.arc AND s.day = m.day
        WHERE NOT s.bad
    ), ranked AS (
        SELECT *, NOT gap AND row_number() OVER (
                      PARTITION BY arc, start_us ORDER BY {TIE_BREAK}) = 1 AS kept
        FROM picked
    ), rows AS (
        SELECT arc, day, hour, src, kept, NOT kept AND NOT gap AS dup,
               NOT kept AND gap AS dst_gap, NOT gap AS fast_kept,
               CASE WHEN NOT gap THEN CAST(round(q * 1000) AS BIGINT) END AS fast_q_milli,
               CASE WHEN NOT gap THEN CAST(round(k * 100000) AS BIGINT) END AS fast_k_micro,
               {_values("kept")}
        FROM ranked
    )
    SELECT GROUPING(arc) AS by_hour, arc, day, hour, {_SUMS},
           count(*) FILTER (dup) AS duplicates,
           count(*) FILTER (fast_kept) AS fast_rows,
           count(fast_q_milli) AS fast_q_n,
           coalesce(sum(fast_q_milli), 0) AS fast_q_sum_milli,
           count(fast_k_micro) AS fast_k_n,
           coalesce(sum(fast_k_micro), 0) AS fast_k_sum_micro
    FROM rows
    GROUP BY GROUPING SETS ((arc, day), (day, hour))
    """


def _narrow(pass_1: bool) -> str:
    """A pass's groups as the merge reads them, kept in the connection (never in pandas):
    the counts of a group as INTEGER, the sums and maxima as BIGINT; pass 1 also keeps
    whether a group is of unplaced rows and its hours seen, pass 2 what pass 1 counted."""
    counts = (
        "rows",
        "q_n",
        "k_n",
        *(f"state_{code}" for code in range(5)),
        "dst_gap",
        "state_unmeasured",
        "congestion_unmeasured",
        "q_bad",
        "k_bad",
        "bad_file",
    )
    wide = ("q_sum_milli", "q_max_milli", "k_sum_micro", "k_max_micro")
    columns = [
        "CAST(by_hour AS TINYINT) AS by_hour",
        "arc",
        "day",
        "CAST(hour AS TINYINT) AS hour",
        *(f"CAST({c} AS INTEGER) AS {c}" for c in counts),
        *(f"CAST({c} AS BIGINT) AS {c}" for c in wide),
        "CAST(peak_hour AS TINYINT) AS peak_hour",
        "bad_example",
    ]
    if pass_1:
        columns += ["bad", "CAST(slots AS TINYINT) AS slots"]
    else:
        columns += ["CAST(duplicates AS INTEGER) AS duplicates"]
        columns += [f"CAST(fast_{c} AS {_hour_type(c)}) AS fast_{c}" for c in _HOUR_SUMS]
    return ", ".join(columns)


def _hour_type(column: str) -> str:
    return "BIGINT" if "sum" in column else "INTEGER"


#: The columns of an (arc, day) group the merge answers: the arc's, then the day's quality.
_ARC_FIELDS = (
    "arc, day, rows, q_n, q_sum_milli, q_max_milli, k_n, k_sum_micro, k_max_micro, "
    "state_0, state_1, state_2, state_3, state_4, peak_hour, dst_gap, state_unmeasured, "
    "congestion_unmeasured, q_bad, k_bad, bad_file, bad_example"
)
_HOUR_SUMS = ("rows", "q_n", "q_sum_milli", "k_n", "k_sum_micro")


def kept(query: str, pass_1: bool) -> str:
    """Pass 1's ``query`` kept in the connection as the temporary table ``fast``, or pass
    2's as ``exact``, narrowed."""
    table = "fast" if pass_1 else "exact"
    return f"CREATE TEMP TABLE {table} AS SELECT {_narrow(pass_1)} FROM ({query})"


#: The (arc, day)s of pass 1 in which two rows may share an hour, for pass 2.
MARKED = """CREATE TEMP TABLE marked AS
    SELECT arc, day FROM fast WHERE by_hour = 0 AND NOT bad AND rows > slots"""
#: The rows pass 1 could not place (no arc or no time), which no group holds.
SKIPPED = "SELECT CAST(coalesce(sum(rows), 0) AS BIGINT) FROM fast WHERE bad AND by_hour = 0"


def merged_arcs(exact: bool) -> str:
    """Every (arc, day) group: pass 1's, those pass 2 read again replaced by its own (in the
    temporary table ``exact``, when ``exact``), as ``merged``."""
    fast = f"SELECT {_ARC_FIELDS}, 0 AS duplicates FROM fast WHERE by_hour = 0 AND NOT bad"
    if not exact:
        return f"CREATE TEMP TABLE merged AS {fast}"
    return f"""CREATE TEMP TABLE merged AS
    SELECT * FROM ({fast}) AS f
    WHERE NOT EXISTS (SELECT 1 FROM exact AS e
                      WHERE e.by_hour = 0 AND e.arc = f.arc AND e.day = f.day)
    UNION ALL
    SELECT {_ARC_FIELDS}, duplicates FROM exact WHERE by_hour = 0"""


def arcs_answer(columns: Sequence[str]) -> str:
    """The ``columns`` of every (arc, day) group (in no order: the caller sorts)."""
    return f"SELECT {', '.join(columns)} FROM merged"


def hours_answer(exact: bool) -> str:
    """Per (day, hour): pass 1's sums, less what it counted of the groups read again, plus
    their exact sums (every column of an hour is a count or a sum), in no order."""
    if not exact:
        sums = ", ".join(_HOUR_SUMS)
        return f"SELECT day, hour, {sums} FROM fast WHERE by_hour = 1 AND NOT bad"
    sums = ", ".join(
        f"CAST(f.{c} + coalesce(e.{c} - e.fast_{c}, 0) AS {_hour_type(c)}) AS {c}"
        for c in _HOUR_SUMS
    )
    return f"""SELECT f.day, f.hour, {sums}
    FROM (SELECT * FROM fast WHERE by_hour = 1 AND NOT bad) AS f
    LEFT JOIN (SELECT * FROM exact WHERE by_hour = 1) AS e ON e.day = f.day AND e.hour = f.hour"""


#: Per day, what was dropped, from the (arc, day) groups (in no order).
QUALITY = """SELECT day,
    CAST(sum(duplicates) AS BIGINT) AS duplicates, CAST(sum(dst_gap) AS BIGINT) AS dst_gap,
    CAST(sum(state_unmeasured) AS BIGINT) AS state_unmeasured,
    CAST(sum(congestion_unmeasured) AS BIGINT) AS congestion_unmeasured,
    CAST(sum(q_bad) AS BIGINT) AS q_bad, CAST(sum(k_bad) AS BIGINT) AS k_bad,
    min(bad_file) AS bad_file, min(bad_example) AS bad_example
FROM merged GROUP BY day"""
