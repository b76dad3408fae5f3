"""The scores of a table's parts put back in the table's row order (issue 40, item 3;
ADR 0125).

A part scores its own rows (``entrepot.fraud.score.partitions``: the table's positions
``part.rows[part.own]``, in the table's order), and its scores come back as a frame of
those rows. :class:`MergedScores` writes each part's columns to their rows' places as the
part comes back (``entrepot.pools.run_each``): a NumPy column to an array of the whole
table's rows, allocated when its first part comes; a text column (pandas' ``str``) of
few distinct values (a risk level; an explanation, empty until the table's rows are
explained) as each row's value's number in such an array, the values kept once; any other
column (nullable, object, text of many values) kept as the part's piece and joined in the
parts' order at the end, then put in the table's order. A column whose parts do not share
one dtype, or whose values turn out many, is joined too, as ``pandas.concat`` joins a
column: the pieces already written are read back from their places, the same values. So
the merged frame is the same whatever order the parts come back in, and the same as a
join of every part's scores sorted back by row.

What the merge holds is the table's scores and one part's, never every part's beside the
table's: a part's frame is let go once written, and the table's arrays, allocated once,
early, are not allocated anew after the parts' scores (which left a command's kept heap
too fragmented for them: 1,400 or 1,490 MiB from run to run at 5M rows). A text column
held as numbers is four bytes a row until the end, not its pieces, their join and its
reordering (about 140 MiB more at 5M rows for the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import pandas as pd

from entrepot.fraud.score.parts_put import PartsPut
from entrepot.fraud.tables.values import same_bits

if TYPE_CHECKING:
    from entrepot.fraud.score.partitions import Part

__all__ = ["MergedScores", "with_texts"]

#: The column numbering the table's rows from 1: made at the end, never placed.
ROW = "row"


class MergedScores:
    """The table's scores, filled part by part (:meth:`put`), read once all are in
    (:meth:`merged`)."""

    def __init__(self, parts: Sequence[Part]) -> None:
        self._where = [part.own_rows() for part in parts]
        self._total = sum(len(rows) for rows in self._where)
        self._book = PartsPut(len(parts))
        self._columns: dict[int, _Holder] = {}  # by the column's place
        # texts put at rows of a column not held as numbers: put once it is made
        self._texts: dict[int, tuple[np.ndarray, list[str]]] = {}

    def put(self, number: int, scores: pd.DataFrame) -> None:
        """Part ``number``'s scores (its own rows', in its order), written to their places;
        ``scores`` can be let go after."""
        self._book.check(number, scores, len(self._where[number]))
        for at in range(scores.shape[1]):
            if scores.columns[at] != ROW:  # numbered anew from 1 at the end: not placed
                self._put_column(number, at, scores)
        self._book.done(number)

    @property
    def _names(self) -> pd.Index | None:
        return self._book.names

    def _put_column(self, number: int, at: int, scores: pd.DataFrame) -> None:
        piece = scores.iloc[:, at]
        held = self._columns.get(at)
        if held is None:
            held = self._columns[at] = self._new(at, scores)
        if isinstance(held, _Same):
            if held.put(number, piece, scores):
                return
            # another part's bits differ: the column gets its own array, its parts so far
            # copied from the column it was the same as
            held = self._columns[at] = held.placed(self._columns[held.source], self._where)
        if isinstance(held, _Joined):
            held.put(number, piece)
        elif not held.put(number, self._where[number], piece):
            # another dtype, or many values: joined as ``concat`` joins a column
            self._alone(at)
            joined = self._columns[at] = _Joined(held.pieces(self._where))
            joined.put(number, piece)

    def _new(self, at: int, scores: pd.DataFrame) -> _Holder:
        """The holder of column ``at``, whose first part is ``scores``: the same array as an
        earlier NumPy column whose bits this part's piece repeats (a one-model ensemble's
        member score beside its probability: 8 bytes a row, 160 MB at 20M rows), else
        :func:`_holder`'s."""
        piece = scores.iloc[:, at]
        for earlier in range(at):
            held = self._columns.get(earlier)
            if isinstance(held, _Placed) and _Same.same(piece, scores.iloc[:, earlier]):
                return _Same(earlier)
        return _holder(piece.dtype, self._total)

    def _alone(self, source: int) -> None:
        """Each column the same as column ``source`` given its own array, before
        ``source``'s array is let go."""
        for at, held in list(self._columns.items()):
            if isinstance(held, _Same) and held.source == source:
                self._columns[at] = held.placed(self._columns[source], self._where)

    def values(self, name: str) -> np.ndarray:
        """NumPy column ``name``'s values in the table's row order, once every part is put:
        the merge's own array, not a copy (the explained rows are chosen from it before
        the merge's text is made)."""
        held = self._columns[self._at(name)]
        if isinstance(held, _Same):
            held = self._columns[held.source]
        if not isinstance(held, _Placed):
            raise ValueError(f"the scores' column {name} is not one NumPy array")
        return held.column()

    def put_texts(self, name: str, rows: np.ndarray, texts: Sequence[str]) -> None:
        """Text column ``name``'s values at ``rows`` (the table's positions) replaced by
        ``texts`` before its text is made (the explanations: a 20M-row column's Arrow
        text made once, not made and then made again with them, 250 MiB for a moment)."""
        at = self._at(name)
        held = self._columns[at]
        if isinstance(held, _Coded):
            held.put_texts(rows, texts)
        else:
            self._texts[at] = (np.asarray(rows), list(texts))

    def _at(self, name: str) -> int:
        """The place of column ``name`` (its first), every part put."""
        self._complete()
        assert self._names is not None
        return int(self._names.get_indexer_for([name])[0])

    def _complete(self) -> None:
        self._book.complete()

    def merged(self) -> pd.DataFrame:
        """Every part's scores as the table's, in its row order, ``row`` numbered from 1;
        each part must have been put once. What the merge held is let go."""
        self._complete()
        assert self._names is not None
        order: np.ndarray | None = None
        columns: dict[int, Any] = {}
        for at in range(len(self._names)):
            if self._names[at] == ROW:
                columns[at] = np.arange(1, self._total + 1)
                continue
            held = self._columns.pop(at)
            if isinstance(held, _Same):
                columns[at] = columns[held.source]  # the same array, not a copy
                continue
            if not isinstance(held, _Joined):
                columns[at] = held.column()
                continue
            if order is None:
                order = np.empty(self._total, dtype=np.intp)
                order[np.concatenate(self._where)] = np.arange(self._total)
            columns[at] = held.column(order)
        for at, (rows, texts) in self._texts.items():
            columns[at] = with_texts(pd.Series(columns[at], copy=False), rows, texts)
        self._texts = {}
        merged = pd.DataFrame(columns, copy=False).set_axis(self._names, axis=1)
        if ROW not in self._names:
            merged[ROW] = np.arange(1, self._total + 1)
        return merged


#: What holds a column's parts.
_Holder = Union["_Placed", "_Coded", "_Joined", "_Same"]


def _holder(dtype: Any, total: int) -> _Placed | _Coded | _Joined:
    """What holds a column whose first part has ``dtype``."""
    if isinstance(dtype, np.dtype) and dtype != np.dtype(object):
        return _Placed(dtype, total)
    if isinstance(dtype, pd.StringDtype):
        return _Coded(dtype, total)
    return _Joined({})


class _Placed:
    """A NumPy column: the table's array, each part written to its rows' places."""

    def __init__(self, dtype: np.dtype, total: int) -> None:
        self._values = np.empty(total, dtype=dtype)
        self._parts: list[int] = []

    def put(self, number: int, rows: np.ndarray, piece: pd.Series) -> bool:
        """Whether part ``number``'s ``piece`` was written to its ``rows`` (its dtype is
        the column's)."""
        if piece.dtype != self._values.dtype:
            return False
        self._values[rows] = piece.to_numpy()
        self._parts.append(number)
        return True

    def pieces(self, where: Sequence[np.ndarray]) -> dict[int, pd.Series]:
        """The parts written so far, read back from their places."""
        return {part: pd.Series(self._values[where[part]], copy=False) for part in self._parts}

    def column(self) -> np.ndarray:
        return self._values


class _Same:
    """A NumPy column whose every part has so far held the bits of an earlier column's
    piece (``source``): that column's array stands for both."""

    def __init__(self, source: int) -> None:
        self.source = source
        self._parts: list[int] = []

    @staticmethod
    def same(piece: pd.Series, other: pd.Series) -> bool:
        """Whether ``piece`` holds ``other``'s values bit for bit, in a NumPy dtype."""
        dtype = piece.dtype
        if not isinstance(dtype, np.dtype) or dtype != other.dtype or dtype.kind == "O":
            return False  # checked first: a text column is never made a NumPy array here
        return same_bits(piece.to_numpy(), other.to_numpy())

    def put(self, number: int, piece: pd.Series, scores: pd.DataFrame) -> bool:
        """Whether part ``number``'s ``piece`` repeats its source's (then nothing is held)."""
        if not self.same(piece, scores.iloc[:, self.source]):
            return False
        self._parts.append(number)
        return True

    def placed(self, source: _Holder, where: Sequence[np.ndarray]) -> _Placed:
        """The column in its own array, the parts put so far copied from ``source``'s."""
        assert isinstance(source, _Placed)
        own = _Placed(source.column().dtype, len(source.column()))
        for part in self._parts:
            own.put(part, where[part], pd.Series(source.column()[where[part]], copy=False))
        return own


class _Coded:
    """A text column of few distinct values: each row's value's number (``-1``: missing),
    each value kept once; the numbers in the narrowest integers that hold them (a risk
    level's or an explanation column's few: a byte a row, not four; 120 MB less at 20M
    rows for the two), widened as values come."""

    def __init__(self, dtype: pd.StringDtype, total: int) -> None:
        self._dtype = dtype
        self._codes = np.empty(total, dtype=np.int8)
        self._values: list[str] = []
        self._numbers: dict[str, int] = {}
        self._parts: list[int] = []

    def put(self, number: int, rows: np.ndarray, piece: pd.Series) -> bool:
        """Whether part ``number``'s ``piece`` was written to its ``rows`` as numbers (its
        dtype is the column's, and its distinct values are at most a quarter of its rows:
        beyond, numbers save nothing)."""
        if piece.dtype != self._dtype:
            return False
        codes, uniques = pd.factorize(piece, use_na_sentinel=True)
        if len(uniques) > len(piece) // 4 and len(uniques) > 1:
            return False
        numbers = np.array([self._number(value) for value in uniques.tolist()], dtype=np.int32)
        self._widen()
        self._codes[rows] = np.where(codes >= 0, numbers[codes] if len(numbers) else -1, -1)
        self._parts.append(number)
        return True

    def put_texts(self, rows: np.ndarray, texts: Sequence[str]) -> None:
        """``texts`` at ``rows``, numbered as the column's other values."""
        numbers = np.array([self._number(text) for text in texts], dtype=np.int64)
        self._widen()
        self._codes[rows] = numbers

    def _widen(self) -> None:
        """The numbers widened where the values numbered so far pass their integers."""
        wide = _narrowest(len(self._values))
        if wide.itemsize > self._codes.dtype.itemsize:
            self._codes = self._codes.astype(wide)

    def _number(self, value: str) -> int:
        found = self._numbers.get(value)
        if found is None:
            found = self._numbers[value] = len(self._values)
            self._values.append(value)
        return found

    def pieces(self, where: Sequence[np.ndarray]) -> dict[int, pd.Series]:
        """The parts written so far, their text read back from their numbers."""
        return {part: pd.Series(self._text(self._codes[where[part]])) for part in self._parts}

    def column(self) -> Any:
        return self._text(self._codes)

    def _text(self, codes: np.ndarray) -> Any:
        return pd.array(self._values, dtype=self._dtype).take(codes, allow_fill=True)


def _narrowest(values: int) -> np.dtype:
    """The narrowest signed integers numbering ``values`` values (and ``-1``)."""
    for dtype in (np.int8, np.int16, np.int32):
        if values <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


class _Joined:
    """A column of any other kind: each part's piece, joined at the end."""

    def __init__(self, pieces: dict[int, pd.Series]) -> None:
        self._pieces = pieces

    def put(self, number: int, piece: pd.Series) -> None:
        self._pieces[number] = piece

    def column(self, order: np.ndarray) -> pd.Series:
        """The pieces joined in the parts' order, then put in the table's (``order``: each
        table row's place among the parts' rows joined)."""
        pieces = self._pieces
        joined = pd.concat([pieces.pop(part) for part in sorted(pieces)], ignore_index=True)
        return joined.take(order).reset_index(drop=True)


def with_texts(column: pd.Series, rows: np.ndarray, texts: list[str]) -> Any:
    """``column``'s values with ``texts`` at ``rows`` (positions, in any order), in its
    dtype. An Arrow text column is written in Arrow, the rows' texts put in place in one
    pass; it was made a Python object a row and then text again (at 20M rows, 500 MiB for
    ten thousand explanations)."""
    values = column.array
    if not isinstance(values, pd.arrays.ArrowStringArray):
        found = column.to_numpy(dtype=object, copy=True)
        found[rows] = texts
        return pd.array(found, dtype=column.dtype)
    import pyarrow as pa
    import pyarrow.compute as pc

    text = values.__arrow_array__()
    order = np.argsort(rows, kind="stable")
    mask = np.zeros(len(column), dtype=bool)
    mask[rows] = True
    placed = pa.array([texts[i] for i in order.tolist()], type=text.type)
    replaced = pc.replace_with_mask(text, pa.array(mask), placed)
    return pd.array(replaced, dtype=column.dtype)
