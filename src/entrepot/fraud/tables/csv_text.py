"""A frame as the bytes pandas' CSV writer gives it (``to_csv(index=False)``, ``,``,
``"``, minimal quoting), made in Arrow's C++ a block of rows at a time.

``DataFrame.to_csv`` hands each row to Python's ``csv`` module: a fifth of the CPU of
scoring a file of a million rows went to it. Here each column becomes Arrow text (a
missing value the empty text, as pandas' ``na_rep``), a value holding the separator, the
quote or a line break is quoted with its quotes doubled (what ``csv.QUOTE_MINIMAL``
does), and the columns are joined row by row in C++. Only the columns whose text is
known to be pandas' are made here: text (Python ``str`` objects or a string dtype),
integers, booleans and float64 (:mod:`entrepot.fraud.tables.float_text`); for any other
column, a lone column (whose empty value ``csv`` quotes) or a name that is not text,
:func:`csv_blocks` says ``None`` and the caller writes with pandas.
``tests/unit/fraud/tables/test_csv_text.py`` holds the equality to ``to_csv``."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from entrepot.fraud.tables.float_text import float_arrow
from entrepot.fraud.tables.values import same_bits

#: What a value must hold to be quoted (``csv.QUOTE_MINIMAL`` with ``,`` and CRLF lines).
_QUOTED = r'[,"\r\n]'
#: The bytes :data:`_QUOTED` matches.
_QUOTED_BYTES = np.frombuffer(b',"\r\n', dtype=np.uint8)
#: Rows made at a time: the text of a block, not the file's, is held.
BLOCK_ROWS = 1 << 17


def _s(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def csv_blocks(
    frame: pd.DataFrame, lineterminator: str = "\r\n", block_rows: int = BLOCK_ROWS
) -> Iterator[bytes | pa.Buffer] | None:
    """The bytes of ``frame.to_csv(index=False, lineterminator=...)`` in blocks, or
    ``None`` where a column's text would not be pandas' (the caller writes it then)."""
    if frame.shape[1] < 2 or not all(isinstance(name, str) for name in frame.columns):
        return None
    if not all(_known(frame.iloc[:, i]) for i in range(frame.shape[1])):
        return None
    return _blocks(frame, lineterminator, block_rows)


def _blocks(frame: pd.DataFrame, end: str, block_rows: int) -> Iterator[bytes | pa.Buffer]:
    header = pa.array([str(name) for name in frame.columns], pa.large_string())
    yield (",".join(_quoted(header).to_pylist()) + end).encode("utf-8")
    for start in range(0, len(frame), block_rows):
        block = frame.iloc[start : start + block_rows]
        columns = _columns(block)
        rows = pc.binary_join_element_wise(
            *columns, _s(","), null_handling="replace", null_replacement=""
        )
        if len(rows):
            yield _joined(pc.binary_join_element_wise(rows, _s(""), _s(end)))


def _columns(block: pd.DataFrame) -> list[pa.Array]:
    """Each column of ``block`` as written; a float column whose every bit is an earlier
    one's (a one-model ensemble's member score beside its probability) takes that one's
    text, made once."""
    made: list[tuple[np.ndarray, pa.Array]] = []
    columns = []
    for i in range(block.shape[1]):
        column = block.iloc[:, i]
        if column.dtype != np.float64:
            columns.append(_column(column))
            continue
        values = column.to_numpy()
        same = next((text for held, text in made if same_bits(held, values)), None)
        if same is None:
            same = _column(column)
            made.append((values, same))
        columns.append(same)
    return columns


def _known(column: pd.Series) -> bool:
    """Whether ``column``'s text is made here as pandas makes it."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        return True
    if dtype == np.dtype(object):
        return pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")
    return isinstance(dtype, np.dtype) and (dtype.kind in "iub" or dtype == np.float64)


def _column(column: pd.Series) -> pa.Array:
    """``column``'s values as written: numbers and booleans never need quotes."""
    text = _text(column)
    if isinstance(column.dtype, np.dtype) and column.dtype != np.dtype(object):
        return text
    return _quoted(text)


def _text(column: pd.Series) -> pa.Array:
    """``column`` as Arrow text, a missing value null, in one piece (a text column read
    in blocks is held in several: a block of rows across two of them gave the joined
    lines in two, which have no buffers of their own)."""
    text = _text_pieces(column)
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


def _text_pieces(column: pd.Series) -> pa.Array | pa.ChunkedArray:
    dtype = column.dtype
    if dtype == np.float64:
        return float_arrow(column.to_numpy())
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pc.if_else(pa.array(column.to_numpy()), _s("True"), _s("False"))
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(column.to_numpy()), pa.large_string())
    if isinstance(dtype, pd.StringDtype):
        return pc.cast(pa.array(column.array, from_pandas=True), pa.large_string())
    return pa.array(column.to_numpy(), pa.large_string(), from_pandas=True)


def _quoted(text: pa.Array) -> pa.Array:
    """``text`` with each value that holds a separator, a quote or a line break quoted;
    as it is where none of its bytes is one (its values are not matched one by one: a
    scored file's risk levels cost 0.3 CPU-s at 5M rows)."""
    if not _may_quote(text):
        return text
    needs = pc.match_substring_regex(text, _QUOTED)
    if not pc.any(needs).as_py():
        return text
    doubled = pc.replace_substring(text, '"', '""')
    quoted = pc.binary_join_element_wise(_s('"'), doubled, _s('"'), _s(""))
    return pc.if_else(needs, quoted, text)


def _may_quote(text: pa.Array) -> bool:
    """Whether any byte of ``text``'s values is one a value is quoted for (any value of
    text other than large text: whether it may be, so yes)."""
    if text.type != pa.large_string():
        return True
    offsets, data = text.buffers()[1], text.buffers()[2]
    if data is None or offsets is None or not len(text):
        return False
    ends = np.frombuffer(offsets, dtype=np.int64)
    first, last = int(ends[text.offset]), int(ends[text.offset + len(text)])
    held = np.frombuffer(data, dtype=np.uint8, count=last - first, offset=first)
    return bool(np.isin(held, _QUOTED_BYTES).any())


def _joined(lines: pa.Array) -> pa.Buffer:
    """The values of ``lines`` (text, none missing) one after the other, uncopied."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return lines.buffers()[2].slice(int(first), int(last - first))
