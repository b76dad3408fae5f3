"""The counts scan's answer (:mod:`entrepot.city.bigcsv`): the passes' groups merged in the
connection, then read into pandas columns allocated once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from entrepot.city.counts_sql import QUALITY, SKIPPED, arcs_answer, hours_answer, merged_arcs

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

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
#: The type of each column of an answer (a day's is how it crosses: it reaches pandas as a
#: :class:`datetime.date`).
_ARC_TYPES = {c: ("Int64" if c in _NULLABLE else "int64") for c in ARC_COLUMNS}
_HOUR_TYPES = {c: "int64" for c in HOUR_COLUMNS}
_QUALITY_TYPES = {
    **{c: "int64" for c in QUALITY_COLUMNS},
    "bad_file": "Int32",
    "bad_example": "object",
}
#: Rows per Arrow batch fetched from DuckDB.
_BATCH_ROWS = 65_536
#: The numpy type of each nullable pandas type's values.
_NUMPY_TYPES = {"Int64": "int64", "Int32": "int32"}
for _types in (_ARC_TYPES, _HOUR_TYPES, _QUALITY_TYPES):
    _types["day"] = "datetime64[D]"


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
    #: What reading the files found worth saying (times a spreadsheet rewrote).
    notes: tuple[str, ...] = ()


def count(con: DuckDBPyConnection, query: str) -> int:
    ((count,),) = con.execute(query).fetchall()
    return int(count)


def merge(con: DuckDBPyConnection, exact: bool) -> CountsAggregate:
    """Pass 1's groups, those pass 2 read again (``exact``) replaced by its exact ones: the
    merge runs in the connection and only the answer's columns reach pandas, as Arrow
    batches of narrow integers widened one column at a time (a frame of every column of
    the groups of a 2 GB export is about 50 MB, and was held twice while it converted)."""
    skipped = count(con, SKIPPED)
    con.execute(merged_arcs(exact))
    hours = _frame(con, hours_answer(exact), _HOUR_TYPES, ("day", "hour"))
    con.execute("DROP TABLE fast")
    if exact:
        con.execute("DROP TABLE exact")
    arcs = _frame(con, arcs_answer(ARC_COLUMNS), _ARC_TYPES, ("day", "arc"))
    quality = _frame(con, QUALITY, _QUALITY_TYPES, ("day",))
    return CountsAggregate(arcs, hours, int(arcs["rows"].sum()), skipped, quality)


def _frame(
    con: DuckDBPyConnection, query: str, types: dict[str, str], order: tuple[str, ...]
) -> pd.DataFrame:
    """The answer to ``query``, read in Arrow record batches into columns of the ``types``
    named, allocated once, then sorted by the columns ``order`` names (a unique key), one
    column at a time: the answer is never held whole twice (a sort in DuckDB kept about
    30 MB of a 2 GB export's). ``day`` is a :class:`datetime.date`, one object per day."""
    rows = count(con, f"SELECT count(*) FROM ({query})")
    values: dict[str, np.ndarray] = {}
    masks: dict[str, np.ndarray] = {}
    reader = con.sql(query).to_arrow_reader(_BATCH_ROWS)
    for name in reader.schema.names:
        values[name] = np.empty(rows, dtype=_NUMPY_TYPES.get(types[name], types[name]))
        if types[name] in _NUMPY_TYPES:
            masks[name] = np.empty(rows, dtype=bool)
    at = 0
    for batch in reader:
        end = at + batch.num_rows
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            kind = types[name]
            if kind == "object":
                values[name][at:end] = column.to_pandas().astype(object).to_numpy()
                continue
            if kind in _NUMPY_TYPES:
                masks[name][at:end] = column.is_null().to_numpy(zero_copy_only=False)
                column = column.fill_null(0)
            elif column.null_count:
                raise ValueError(f"the counts scan answered no {name} for a group")
            values[name][at:end] = column.to_numpy(zero_copy_only=False)
        at = end
    rank = np.lexsort([values[name] for name in reversed(order)])
    for name in values:
        values[name] = values[name][rank]
        if name in masks:
            masks[name] = masks[name][rank]
    columns: dict[str, object] = {}
    for name, array in values.items():
        if name == "day":
            columns[name] = _dates(array)
        elif name in masks:
            columns[name] = pd.arrays.IntegerArray(array, masks[name])
        else:
            columns[name] = array
    return pd.DataFrame(columns, copy=False)


def _dates(days: np.ndarray) -> np.ndarray:
    """Days as :class:`datetime.date` objects, one per distinct day (an answer has a few
    hundred days and 200,000 rows or more)."""
    distinct, where = np.unique(days, return_inverse=True)
    return distinct.astype(object)[where]
