"""One row of a counts CSV to its (arc, day, hour) and values, in SQL: the common table
expressions both passes of the counts scan (:mod:`entrepot.city.counts_sql`) start from.

Every field is read as text and cast, so a decimal comma, a wall time, a time a
spreadsheet rewrote or a damaged value is counted for what it is rather than refused; each
costly expression is paid only by the rows its CASE branch selects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from entrepot.city.days import EARLIEST_DAY, LATEST_DAY
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
_ZONE = "'Europe/Paris'"
#: The hours a count may start in: a row dated outside (year 9999, year 1) is a typing or
#: an export's error, counted with the rows without a valid time, never a day of its own.
_EARLIEST = f"TIMESTAMP '{EARLIEST_DAY}'"
_LATEST = f"TIMESTAMP '{LATEST_DAY + timedelta(days=1)}'"
#: Microseconds in a day, in an hour.
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
#: The instants (microseconds since 1970, UTC) between which Paris's offset follows the
#: EU's summer-time rule (:func:`paris_offset_us`): 1996-01-01 to 2100-01-01 (checked
#: against the time-zone database every quarter hour in between by the tests). Outside,
#: the time-zone database converts.
EU_RULE_FROM_US = 820_454_400_000_000
EU_RULE_UNTIL_US = 4_102_444_800_000_000


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


def paris_offset_us(utc: str) -> str:
    """How far Paris is ahead of UTC (microseconds) at ``utc``, a UTC wall time
    (TIMESTAMP) between :data:`EU_RULE_FROM_US` and :data:`EU_RULE_UNTIL_US`: two hours from
    the last Sunday of March, 01:00 UTC, to the last Sunday of October, 01:00 UTC, one
    hour otherwise. Integer arithmetic, where a time-zone conversion per row was the
    costliest step of a counts scan; only March and October rows pay the date of the
    change (both months have 31 days: the last Sunday is the 31st less its weekday)."""
    moment = f"day({utc}) * 24 + hour({utc})"
    change = "(31 - dayofweek(make_date(year({u}), {m}, 31))) * 24 + 1"
    march, october = change.format(u=utc, m=3), change.format(u=utc, m=10)
    summer, winter = 2 * HOUR_US, HOUR_US
    return (
        f"CASE WHEN month({utc}) BETWEEN 4 AND 9 THEN {summer} "
        f"WHEN month({utc}) IN (11, 12, 1, 2) THEN {winter} "
        f"WHEN month({utc}) = 3 THEN CASE WHEN {moment} >= {march} THEN {summer} "
        f"ELSE {winter} END "
        f"ELSE CASE WHEN {moment} < {october} THEN {summer} ELSE {winter} END END"
    )


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


def rows_sql(
    headers: Sequence[tuple[CsvHeader, dict[str, str]]],
    with_range: bool,
    arcs: str = "",
    near: str = "",
    raw: str | None = None,
) -> str:
    """CTEs down to ``scoped``: one row per CSV row (of the ``arcs``, an SQL condition, when
    given) with its values, hour and flags. Each expression is evaluated only on the rows
    its CASE branch selects: a row with an offset pays one cast and integer arithmetic
    (:func:`paris_offset_us`), a wall time the time-zone conversions.

    ``near`` names a table of (``arc``, ``near_day``): only the rows of those arcs whose time
    stamp, read as it is, falls on such a day (days since 1970) go on to the time-zone
    conversions, the costly part of a row; the others are dropped. The local day of a row's
    hour is within a day of that date (Paris is 0 to 2 hours ahead of UTC, and an hour's
    start 1 or 2 hours before its stamp), so a table holding each wanted day and the days
    either side loses no row of them.

    ``raw``, when given, is the query of the rows instead of the CSVs of ``headers``: the
    columns ``src, arc_text, t_text, q_raw, k_raw, label`` as text (the day partitions,
    :mod:`entrepot.city.counts_parts`)."""
    sources = raw or " UNION ALL ".join(_source(i, h, m) for i, (h, m) in enumerate(headers))
    where = "OR day BETWEEN $start AND $end" if with_range else "OR TRUE"
    near_rows = (
        f"""SELECT * FROM walls SEMI JOIN {near} AS n ON walls.arc = n.arc
            AND n.near_day = coalesce(epoch_us(stamped), epoch_us(wall)) // {DAY_US}"""
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
    ), quick AS (
        -- a wall time whose offset the month gives (:func:`paris_offset_us`): no conversion
        SELECT *, coalesce(NOT absolute AND month(wall) NOT IN (3, 10)
                           AND wall >= make_timestamp({EU_RULE_FROM_US})
                           AND wall < make_timestamp({EU_RULE_UNTIL_US} - {DAY_US}), FALSE)
                      AS quick
        FROM near
    ), locals AS (
        SELECT *, CASE WHEN absolute OR quick THEN NULL ELSE timezone({_ZONE}, wall) END
                      AS instant,
               CASE WHEN abs(q_read) < {MAX_VALUE} THEN q_read END AS q,
               CASE WHEN abs(k_read) < {MAX_VALUE} THEN k_read END AS k
        FROM (SELECT *, {_number("q_raw")} AS q_read, {_number("k_raw")} AS k_read FROM quick)
    ), befores AS (
        -- the wall time an hour before: a wall time the autumn repeats shows it again
        SELECT *, CASE WHEN absolute OR quick THEN NULL
                       ELSE timezone({_ZONE}, instant - INTERVAL 1 HOUR)
                  END AS before
        FROM locals
    ), timed AS (
        SELECT *,
               -- the start of the row's hour, in microseconds since 1970 (UTC)
               CASE WHEN absolute THEN epoch_us(stamped) - {HOUR_US}
                    -- outside March and October the month alone gives the offset, on
                    -- either clock: the rule's month branches read the wall time as well
                    WHEN quick THEN epoch_us(wall) - ({paris_offset_us("wall")}) - {HOUR_US}
                    -- a wall time the autumn repeats is its first (summer-time) instant
                    WHEN before = wall THEN epoch_us(instant) - {2 * HOUR_US}
                    ELSE epoch_us(instant) - {HOUR_US}
               END AS start_us,
               -- a wall time the spring-forward skips (02:00-03:00) does not come back
               CASE WHEN absolute OR quick THEN FALSE
                    ELSE coalesce(NOT absolute AND timezone({_ZONE}, instant) <> wall, FALSE)
               END AS gap
        FROM befores
    ), utc AS (
        -- an offset's start as a UTC wall time, when the EU's rule gives Paris's time
        SELECT *, CASE WHEN absolute AND start_us >= {EU_RULE_FROM_US}
                            AND start_us < {EU_RULE_UNTIL_US}
                       THEN make_timestamp(start_us) END AS start_utc
        FROM timed
    ), walled AS (
        -- the start's wall time: a wall time's is the one an hour before, computed above
        SELECT *, CASE WHEN start_utc IS NOT NULL
                       THEN make_timestamp(start_us + {paris_offset_us("start_utc")})
                       WHEN quick THEN wall - INTERVAL 1 HOUR
                       WHEN absolute THEN timezone({_ZONE}, stamped - INTERVAL 1 HOUR)
                       WHEN before = wall THEN timezone({_ZONE}, instant - INTERVAL 2 HOUR)
                       ELSE before
                  END AS start_wall
        FROM utc
    ), dated AS (
        SELECT src, arc, t, label, q_raw, k_raw, q, k, start_us, gap,
               CAST(start_wall AS DATE) AS day, hour(start_wall) AS hour,
               -- a time no count can have (year 9999) is no valid time (issue 42)
               (arc IS NULL OR start_wall IS NULL OR start_wall < {_EARLIEST}
                OR start_wall >= {_LATEST}) AS bad,
               q IS NULL AND k IS NULL AS unmeasured, {_state_sql("label")} AS labelled,
               -- the text of a value that is not a number (trimmed: only such rows pay)
               CASE WHEN q IS NULL THEN NULLIF(trim(q_raw), '') END AS q_bad_text,
               CASE WHEN k IS NULL THEN NULLIF(trim(k_raw), '') END AS k_bad_text
        FROM walled
    ), scoped AS (
        SELECT * FROM dated WHERE bad {where}
    )"""
