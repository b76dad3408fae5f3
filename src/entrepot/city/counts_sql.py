"""The SQL of the counts scan (:mod:`entrepot.city.bigcsv`): one row of the CSV to its
(arc, day, hour) and values, then the two passes' aggregations.

Pass 1 (:func:`fast_query`) aggregates every row as if no (arc, counted hour) were
repeated, and marks each (arc, day) in which two rows may share an hour: the start of each
row's hour, as a bit of a 64-bit mask per (arc, day), is fixed-size state, so the pass
streams and spills like a plain ``GROUP BY``. Pass 2 (:func:`exact_query`) reads again only
the rows of the marked (arc, days), ranks each repeated hour's rows with a window and gives
those groups' exact sums, with what pass 1 counted for them, so the caller replaces them.
"""

from __future__ import annotations

from collections.abc import Sequence

from entrepot.city.readers import CsvHeader

#: Label and code of each Etat trafic, to its code.
STATE_CODES = {
    "Inconnu": 0, "0": 0,
    "Fluide": 1, "1": 1,
    "Pré-saturé": 2, "2": 2,
    "Saturé": 3, "3": 3,
    "Bloqué": 4, "4": 4,
}  # fmt: skip
#: A value at or above this (or nan, inf) is not a measure: counted as bad, like text. It
#: keeps the integer sums exact (flow in milli-vehicles x 100 for the peak hour fits int64).
MAX_VALUE = 1e12
#: CSV read buffer per thread; DuckDB's default (32 MB) doubles the footprint for nothing.
_BUFFER_SIZE = 8 * 1024 * 1024
#: Within one file, the order a repeated hour's rows are ranked in (the first is kept): the
#: highest flow, then occupancy, then the greatest state, flow and occupancy texts as
#: written, so that rows still tied are the same for every count (the scan's order is not
#: the file's: no row can be "the last").
TIE_BREAK = (
    "gap, src DESC, q DESC NULLS LAST, k DESC NULLS LAST, label DESC NULLS LAST, "
    "NULLIF(trim(q_raw), '') DESC NULLS LAST, NULLIF(trim(k_raw), '') DESC NULLS LAST"
)
_ZONE = "'Europe/Paris'"
#: Microseconds in a day.
_DAY_US = 86_400_000_000


def _state_sql(column: str) -> str:
    """The code of an Etat trafic: its label or code as written, trimmed, else the band of
    the occupancy (the text is compared as it is first: trimming is only paid by the rest)."""
    cases = " ".join(f"WHEN '{label}' THEN {code}" for label, code in STATE_CODES.items())
    bands = (
        "CASE WHEN k IS NULL THEN 0 WHEN k < 15 THEN 1 WHEN k < 30 THEN 2 "
        "WHEN k < 50 THEN 3 ELSE 4 END"
    )
    return f"CASE {column} {cases} ELSE CASE trim({column}) {cases} ELSE {bands} END END"


def _source(index: int, header: CsvHeader, mapping: dict[str, str]) -> str:
    names = {c: f"c{i}" for i, c in enumerate(header.columns)}
    arc, t, q, k, state = (names[mapping[n]] for n in ("arc", "t", "q", "k", "state"))
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header.columns)))
    return f"""
        SELECT {index} AS src, {arc} AS arc_text, {t} AS t_text, {q} AS q_raw, {k} AS k_raw,
               {state} AS label
        FROM read_csv($path{index}, delim=$sep{index}, quote='"', escape='"', header=false,
                      skip=1, columns={{{columns}}}, auto_detect=false, encoding='utf-8',
                      null_padding=true,
                      buffer_size={_BUFFER_SIZE})"""


def _number(raw: str) -> str:
    """``raw`` (the CSV text) trimmed, decimal comma or point, as a DOUBLE or NULL. A text
    the cast takes as it is has no comma and no space trim would remove (any other leading
    or trailing space the cast skips itself): trimming is only paid by the others."""
    return (
        f"coalesce(TRY_CAST({raw} AS DOUBLE), TRY_CAST(replace(trim({raw}), ',', '.') AS DOUBLE))"
    )


def _trimmed(raw: str) -> str:
    """``trim(raw)``, paid only by a text that trim can change: one starting or ending with
    a space, or holding a character outside ASCII (trim removes every Unicode space)."""
    return (
        f"CASE WHEN prefix({raw}, ' ') OR suffix({raw}, ' ') OR strlen({raw}) <> length({raw}) "
        f"THEN trim({raw}) ELSE {raw} END"
    )


#: An offset at the end of a time stamp makes it absolute (``Z``, ``+01:00``, ``+0100``).
_OFFSET = "'(Z|[+-][0-9][0-9]:?[0-9][0-9])$'"


def _absolute(t: str) -> str:
    """Whether the time stamp ``t`` ends with an offset (:data:`_OFFSET`). The regular
    expression is only paid by a text that may match and is not one of the exports' two
    offsets: the pattern needs a ``Z`` last or a sign fifth or sixth from the end."""
    return (
        f"CASE WHEN suffix({t}, '+01:00') OR suffix({t}, '+02:00') THEN TRUE "
        f"WHEN suffix({t}, 'Z') OR substr({t}, -5, 1) IN ('+', '-') "
        f"OR substr({t}, -6, 1) IN ('+', '-') THEN regexp_matches({t}, {_OFFSET}) "
        f"WHEN {t} IS NOT NULL THEN FALSE END"
    )


#: A time a French spreadsheet rewrote (``02/12/2021 21:00``, seconds optional): day first,
#: a four-digit year (``%Y`` alone would read ``21`` as the year 21).
SPREADSHEET_TIME = r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d(:\d\d)?"
#: Its formats, day first (:func:`entrepot.city.bigcsv.spreadsheet_order` refuses a file
#: whose times are month first, or may be and do not look French).
SPREADSHEET_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


def _wall(t: str) -> str:
    """The wall time ``t`` writes without an offset: ISO (``2023-02-05 01:00:00``, a ``T``
    allowed, anything after the seconds ignored) or as a French spreadsheet rewrites it
    (:data:`SPREADSHEET_TIME`); NULL for anything else. Only a text holding a ``/`` pays
    the regular expression."""
    formats = ", ".join(f"'{f}'" for f in SPREADSHEET_FORMATS)
    return (
        f"CASE WHEN NOT contains({t}, '/') "
        f"THEN try_strptime(replace(substr({t}, 1, 19), 'T', ' '), '%Y-%m-%d %H:%M:%S') "
        f"WHEN regexp_full_match({t}, '{SPREADSHEET_TIME}') "
        f"THEN try_strptime({t}, [{formats}]) END"
    )


def spreadsheet_days(index: int, header: CsvHeader, mapping: dict[str, str]) -> str:
    """Of the file ``index``, the times a French spreadsheet rewrote: how many, the greatest
    first number (the day, if they are day first) and the greatest second one."""
    return f"""SELECT count(*), max(CAST(split_part(t, '/', 1) AS INTEGER)),
                      max(CAST(split_part(t, '/', 2) AS INTEGER))
    FROM (SELECT trim(t_text) AS t FROM ({_source(index, header, mapping)}))
    WHERE regexp_full_match(t, '{SPREADSHEET_TIME}')"""


def _rows(
    headers: Sequence[tuple[CsvHeader, dict[str, str]]],
    with_range: bool,
    arcs: str = "",
    near: str = "",
) -> str:
    """CTEs down to ``scoped``: one row per CSV row (of the ``arcs``, an SQL condition, when
    given) with its values, hour and flags. Each expression is evaluated only on the rows
    its CASE branch selects: a row with an offset pays one cast and one time-zone
    conversion, a wall time the rest.

    ``near`` names a table of (``arc``, ``near_day``): only the rows of those arcs whose time
    stamp, read as it is, falls on such a day (days since 1970) go on to the time-zone
    conversions, the costly part of a row; the others are dropped. The local day of a row's
    hour is within a day of that date (Paris is 0 to 2 hours ahead of UTC, and an hour's
    start 1 or 2 hours before its stamp), so a table holding each wanted day and the days
    either side loses no row of them."""
    sources = " UNION ALL ".join(_source(i, h, m) for i, (h, m) in enumerate(headers))
    where = "OR day BETWEEN $start AND $end" if with_range else "OR TRUE"
    near_rows = (
        f"""SELECT * FROM walls SEMI JOIN {near} AS n ON walls.arc = n.arc
            AND n.near_day = coalesce(epoch_us(stamped), epoch_us(wall)) // {_DAY_US}"""
        if near
        else "SELECT * FROM walls"
    )
    return f"""
    WITH raw AS ({sources}
    ), typed AS (
        SELECT src, label, q_raw, k_raw, arc, {_trimmed("t_text")} AS t
        FROM (SELECT *,
                     coalesce(TRY_CAST(arc_text AS BIGINT), TRY_CAST(trim(arc_text) AS BIGINT))
                         AS arc
              FROM raw)
        {f"WHERE {arcs}" if arcs else ""}
    ), parsed AS (
        SELECT *, {_absolute("t")} AS absolute FROM typed
    ), walls AS (
        SELECT *, CASE WHEN absolute THEN NULL ELSE {_wall("t")} END AS wall,
                  CASE WHEN absolute THEN TRY_CAST(t AS TIMESTAMPTZ) END AS stamped
        FROM parsed
    ), near AS ({near_rows}
    ), locals AS (
        SELECT *, CASE WHEN absolute THEN NULL ELSE timezone({_ZONE}, wall) END AS instant,
               CASE WHEN abs(q_read) < {MAX_VALUE} THEN q_read END AS q,
               CASE WHEN abs(k_read) < {MAX_VALUE} THEN k_read END AS k
        FROM (SELECT *, {_number("q_raw")} AS q_read, {_number("k_raw")} AS k_read FROM near)
    ), befores AS (
        -- the wall time an hour before: a wall time the autumn repeats shows it again
        SELECT *, CASE WHEN absolute THEN NULL
                       ELSE timezone({_ZONE}, instant - INTERVAL 1 HOUR)
                  END AS before
        FROM locals
    ), timed AS (
        SELECT *,
               CASE WHEN absolute THEN stamped
                    -- a wall time the autumn repeats is its first (summer-time) instant
                    WHEN before = wall THEN instant - INTERVAL 1 HOUR
                    ELSE instant
               END - INTERVAL 1 HOUR AS start_at,
               -- a wall time the spring-forward skips (02:00-03:00) does not come back
               CASE WHEN absolute THEN FALSE
                    ELSE coalesce(NOT absolute AND timezone({_ZONE}, instant) <> wall, FALSE)
               END AS gap
        FROM befores
    ), walled AS (
        -- the start's wall time: a wall time's is the one an hour before, computed above
        SELECT *, CASE WHEN absolute OR before = wall THEN timezone({_ZONE}, start_at)
                       ELSE before
                  END AS start_wall
        FROM timed
    ), dated AS (
        SELECT src, arc, label, q_raw, k_raw, q, k, start_at, gap,
               CAST(start_wall AS DATE) AS day, hour(start_wall) AS hour,
               (arc IS NULL OR start_wall IS NULL) AS bad,
               q IS NULL AND k IS NULL AS unmeasured, {_state_sql("label")} AS labelled,
               -- the text of a value that is not a number (trimmed: only such rows pay)
               CASE WHEN q IS NULL THEN NULLIF(trim(q_raw), '') END AS q_bad_text,
               CASE WHEN k IS NULL THEN NULLIF(trim(k_raw), '') END AS k_bad_text
        FROM walled
    ), scoped AS (
        SELECT * FROM dated WHERE bad {where}
    )"""


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


def fast_query(headers: Sequence[tuple[CsvHeader, dict[str, str]]], with_range: bool) -> str:
    """Pass 1: every row kept but those of a skipped wall time; ``slots`` and ``rows`` of an
    (arc, day) differ when two of its rows may share an hour."""
    sums, unpacked = _fast_sums()
    packed = " + ".join(
        [f"coalesce(CAST(1 AS BIGINT) << (state * {_BITS}), 0)"]
        + [f"(CAST({name} AS BIGINT) << {_BITS * (5 + i)})" for i, name in enumerate(_PACKED)]
    )
    return f"""{_rows(headers, with_range)}, kept AS (
        SELECT bad, arc, day, hour, src, bad OR NOT gap AS kept, gap AS dst_gap,
               -- the start's hour since 1970, modulo 64: a day spans at most 25 of them
               CASE WHEN NOT gap THEN
                   CAST(1 AS UBIGINT) << CAST(((epoch_us(start_at) // 3600000000) % 64 + 64)
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


def exact_query(headers: Sequence[tuple[CsvHeader, dict[str, str]]], with_range: bool) -> str:
    """Pass 2, over the (arc, day)s of the table ``marked``: their exact sums per (arc, day)
    and per (day, hour), and per (day, hour) what pass 1 counted for them (``fast_*``)."""
    marked_arcs = "arc IN (SELECT arc FROM marked)"
    near = f"""(SELECT DISTINCT arc, epoch_us(CAST(day AS DATE)) // {_DAY_US} + side AS near_day
                FROM marked, (VALUES (-1), (0), (1)) AS sides(side))"""
    return f"""{_rows(headers, with_range, marked_arcs, near)}, picked AS (
        SELECT s.* FROM scoped AS s SEMI JOIN marked AS m ON s.arc = m.arc AND s.day = m.day
        WHERE NOT s.bad
    ), ranked AS (
        SELECT *, NOT gap AND row_number() OVER (
                      PARTITION BY arc, start_at ORDER BY {TIE_BREAK}) = 1 AS kept
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
