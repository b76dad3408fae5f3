"""Read a Parquet file within bounds: checked from its footer, then streamed batch by batch.

Parquet stores runs and dictionaries, so a file of a few hundred KiB can decode to millions
of rows (8 million rows from 133 KiB), and the footer's byte sizes count encoded bytes.
What a table *decodes to* is bounded instead: every value weighs at least
:data:`VALUE_BYTES` once read (a number, a date or a pointer to text, as pandas holds it),
so a file is refused from its footer when its rows times its columns, or its uncompressed
column chunks, would pass the limit the same upload would meet as a CSV. The footer can lie,
so the reader counts again while it decodes, :data:`BATCH_ROWS` rows at a time, and stops
at the first batch past a bound.

Values are made plain on the way: time-zone-aware timestamps become naive UTC times, and
columns of the same name are refused by name (see ``docs/security.md``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pandas as pd

from entrepot.fraud.errors import UnreadableFile
from entrepot.fraud.tables import refused
from entrepot.fraud.tables.bounds import MAX_COLUMNS, InflatesTooMuch, check_parquet_types
from entrepot.messages import N_, Message, Size
from entrepot.sizes import human_size

#: What one value weighs at least once decoded (float64, int64, datetime64, object pointer).
VALUE_BYTES = 8
#: Row groups of a file (writers make one per 1M rows or 128 MiB: thousands is plenty).
MAX_ROW_GROUPS = 10_000
#: Rows decoded at once.
BATCH_ROWS = 65_536


class DuplicateColumns(UnreadableFile):
    """A table names two columns the same."""

    hint = "give every column its own name (rename the duplicates) and upload the file again"


def open_parquet(source: Any, name: str) -> Any:
    """``pyarrow.parquet.ParquetFile`` over ``source`` (a path or a binary file); raises
    :class:`UnreadableFile` for anything that is not a Parquet file."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(source)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise unreadable(name, exc) from exc


def unreadable(name: str, exc: BaseException) -> UnreadableFile:
    """The refusal of ``name``, which pyarrow could not read (``exc``)."""
    return UnreadableFile(
        f"{name} is not a readable Parquet file: {exc}",
        said=Message(
            N_("error.table.parquet_unreadable"), {"name": name, "detail": str(exc)[:200]}
        ),
    )


def counted_batches(parquet: Any, name: str, rows: int, *, max_inflated: int) -> Iterator[Any]:
    """The opened file's record batches of ``rows`` rows, counted as they are decoded:
    :class:`InflatesTooMuch` at the first past the rows its footer declares or past
    ``max_inflated`` bytes (the footer can lie)."""
    declared = int(parquet.metadata.num_rows)
    width = max(1, parquet.metadata.num_columns)
    decoded = read = 0
    for batch in parquet.iter_batches(batch_size=rows):
        read += batch.num_rows
        decoded += max(batch.nbytes, batch.num_rows * width * VALUE_BYTES)
        if read > declared or decoded > max_inflated:
            raise InflatesTooMuch(
                f"{name} decodes to more than its footer declares ({declared:,} rows) or "
                f"than the {human_size(max_inflated)} a table read whole may take",
                said=Message(
                    N_("error.table.parquet_more"),
                    {"name": name, "rows": declared, "most": Size(max_inflated)},
                ),
            )
        yield batch


def decoded_bytes(metadata: Any) -> int:
    """The least the table described by ``metadata`` weighs once decoded: per column, its
    uncompressed size or :data:`VALUE_BYTES` a value, whichever is larger."""
    total = 0
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        for c in range(group.num_columns):
            chunk = group.column(c)
            total += max(chunk.total_uncompressed_size, group.num_rows * VALUE_BYTES)
    return total


def check_footer(parquet: Any, name: str, *, max_inflated: int) -> None:
    """Refuse the opened file from its footer: too many row groups or columns, a table
    that decodes past ``max_inflated`` bytes, duplicate column names or values that are not
    flat; raises :class:`InflatesTooMuch`, :class:`DuplicateColumns` or
    :class:`UnreadableFile`."""
    metadata = parquet.metadata
    if metadata.num_columns > MAX_COLUMNS:
        raise InflatesTooMuch(
            f"{name} has {metadata.num_columns} columns (at most {MAX_COLUMNS})",
            hint="keep the columns the model needs, or split the table into several files",
            said=refused.too_many_columns(name, metadata.num_columns, MAX_COLUMNS),
        )
    if metadata.num_row_groups > MAX_ROW_GROUPS:
        raise InflatesTooMuch(
            f"{name} has {metadata.num_row_groups:,} row groups (at most {MAX_ROW_GROUPS:,})",
            said=Message(
                N_("error.table.parquet_groups"),
                {"name": name, "groups": metadata.num_row_groups, "most": MAX_ROW_GROUPS},
            ),
        )
    decoded = decoded_bytes(metadata)
    if decoded > max_inflated:
        raise InflatesTooMuch(
            f"{name} decodes to at least {human_size(decoded)} ({metadata.num_rows:,} rows of "
            f"{metadata.num_columns} columns), more than the {human_size(max_inflated)} "
            "a table read whole may take",
            said=Message(
                N_("error.table.parquet_decodes"),
                {"name": name, "size": Size(decoded), "most": Size(max_inflated)},
            ),
        )
    duplicates = [n for n, k in Counter(parquet.schema_arrow.names).items() if k > 1]
    if duplicates:
        raise DuplicateColumns(
            f"{name} has several columns named {', '.join(map(repr, duplicates[:5]))}",
            said=Message(
                N_("error.table.duplicate_columns"),
                {"name": name, "columns": ", ".join(map(str, duplicates[:5]))},
            ),
        )
    check_parquet_types(parquet, name)


def read_parquet(
    parquet: Any, name: str, *, max_inflated: int, rows: int | None = None
) -> pd.DataFrame:
    """The table of the opened file (its first ``rows`` rows if given), checked from its
    footer then decoded batch by batch; stops with :class:`InflatesTooMuch` when the rows
    decoded pass what the footer declared or the bytes pass ``max_inflated``."""
    import pyarrow as pa

    check_footer(parquet, name, max_inflated=max_inflated)
    declared = int(parquet.metadata.num_rows)
    wanted = declared if rows is None else min(rows, declared)
    batches: list[Any] = []
    read = 0
    size = min(BATCH_ROWS, max(1, wanted))
    try:
        for batch in counted_batches(parquet, name, size, max_inflated=max_inflated):
            read += batch.num_rows
            batches.append(batch)
            if rows is not None and read >= wanted:  # a whole read goes on, to catch a liar
                break
        table = pa.Table.from_batches(batches, schema=parquet.schema_arrow)
        if rows is not None:
            table = table.slice(0, rows)
        frame: pd.DataFrame = plain_values(table).to_pandas()
    except InflatesTooMuch:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types
        raise unreadable(name, exc) from exc
    return frame


def plain_values(table: Any) -> Any:
    """``table`` with its time-zone-aware timestamp columns as naive UTC times, and its
    decimal columns (``decimal128(12, 2)`` amounts) as floating-point numbers: pandas
    would hold them as Python ``Decimal`` objects, which read as text, not numbers."""
    import pyarrow as pa

    fields = []
    changed = False
    for field in table.schema:
        kind = field.type
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            field = field.with_type(pa.timestamp(kind.unit))
            changed = True
        elif pa.types.is_decimal(kind):
            field = field.with_type(pa.float64())
            changed = True
        fields.append(field)
    return table.cast(pa.schema(fields)) if changed else table
