"""A large Parquet file decoded a slice at a time into a :class:`~entrepot.fraud.tables
.sliced.SlicedTable`: its slices on disk, never the whole table in memory (issue 40 item 3;
ADR 0131), as a large CSV's are (ADR 0127).

The file is checked from its footer as :func:`~entrepot.fraud.tables.parquet.read_parquet`
checks it, but for what it may decode to: the whole read holds the table in memory and
bounds it as an upload (512 MiB); the slices wait on disk, so their bound is the room
left in the temporary folder, a third of it (the slices, the parts routed from them and
their scores each take about the table's size), refused from the footer with a message
naming the folder and the fix. It is then decoded :data:`~entrepot.fraud
.tables.csv_columns.ROWS` rows at a time, counted again as it is decoded (a footer that
lies is refused at the first slice past it), each slice's values made plain
(:func:`~entrepot.fraud.tables.parquet.plain_values`) and converted as the whole table's
are. Where the slices would not give what the whole read gives, the file is read whole, as
before: a file of one slice, a column whose slices come in dtypes that do not join (a
dictionary column's categories, booleans with and without missing values), or a table
whose saved pandas index is not a plain row count."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from entrepot.fraud.tables.bounds import InflatesTooMuch
from entrepot.fraud.tables.csv_columns import ROWS
from entrepot.fraud.tables.parquet import (
    check_footer,
    counted_batches,
    decoded_bytes,
    open_parquet,
    plain_values,
    unreadable,
)
from entrepot.fraud.tables.sliced import SlicedTable
from entrepot.messages import N_, Message, Size
from entrepot.sizes import human_size

__all__ = ["NoRoomForSlices", "room", "sliced_parquet_file"]

#: The copies of a table a scoring of its slices holds on disk at most: its slices, its
#: parts routed from them and their scores.
SPILLED_COPIES = 3


class NoRoomForSlices(InflatesTooMuch):
    """A table that would fill the temporary folder its slices wait in."""

    hint = "free some space in the temporary folder, or set TMPDIR to a folder on a larger disk"


def sliced_parquet_file(
    path: Path, *, rows: int = ROWS, max_inflated: int | None = None
) -> SlicedTable | None:
    """The Parquet file at ``path`` in slices of ``rows`` rows on disk (the caller closes
    the table); ``None`` where it is not a Parquet file of more than one slice whose slices
    join as the whole read (read it whole, within the whole read's bound). What it may
    decode to is ``max_inflated`` bytes (refused as the whole read refuses past its own
    bound), by default a third of the room left where its slices wait (:func:`room`,
    refused as :class:`NoRoomForSlices`), both from its footer."""
    with open(path, "rb") as head:
        if head.read(4) != b"PAR1":
            return None
    parquet = open_parquet(path, path.name)
    if int(parquet.metadata.num_rows) <= rows or not _plain_index(parquet.schema_arrow):
        return None
    bound = max_inflated
    if bound is None:
        bound = room() // SPILLED_COPIES
        _check_room(parquet, path.name, bound)
    check_footer(parquet, path.name, max_inflated=bound)
    table = SlicedTable(path.name)
    try:
        _spilled(parquet, path.name, rows, bound, table)
        if table.joinable():
            return table
    except BaseException:
        table.close()
        raise
    table.close()
    return None


def room() -> int:
    """The bytes free in the temporary folder, where the slices, the parts routed from them
    and the scores wait (``entrepot.spilled_parts``)."""
    return int(shutil.disk_usage(tempfile.gettempdir()).free)


def _check_room(parquet: Any, name: str, bound: int) -> None:
    """:class:`NoRoomForSlices` where the table decodes past ``bound`` bytes."""
    decoded = decoded_bytes(parquet.metadata)
    if decoded > bound:
        folder = tempfile.gettempdir()
        raise NoRoomForSlices(
            f"{name} decodes to at least {human_size(decoded)}, more than the "
            f"{human_size(bound)} its slices may take in the temporary folder {folder}",
            said=Message(
                N_("error.table.parquet_no_room"),
                {"name": name, "size": Size(decoded), "most": Size(bound), "folder": folder},
            ),
        )


def _spilled(parquet: Any, name: str, rows: int, max_inflated: int, table: SlicedTable) -> None:
    """The file's slices decoded and added to ``table``, counted as they come."""
    import pyarrow as pa

    try:
        for batch in counted_batches(parquet, name, rows, max_inflated=max_inflated):
            one = pa.Table.from_batches([batch], schema=parquet.schema_arrow)
            del batch
            table.add(plain_values(one).to_pandas())
    except InflatesTooMuch:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types
        raise unreadable(name, exc) from exc


def _plain_index(schema: Any) -> bool:
    """Whether the pandas metadata saved with ``schema``, if any, holds no index but an
    unnamed row count (a column or a named index is the whole read's index, not a
    column)."""
    saved = (schema.metadata or {}).get(b"pandas")
    if saved is None:
        return True
    try:
        index = json.loads(saved).get("index_columns", [])
    except (ValueError, AttributeError):
        return False
    return all(
        isinstance(column, dict) and column.get("kind") == "range" and column.get("name") is None
        for column in index
    )
