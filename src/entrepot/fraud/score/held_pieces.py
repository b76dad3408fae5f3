"""The figures' columns of a table's scores (the probability and the prediction) held on
disk by slice of the table's rows, and read back a slice at a time in the table's order
(issue 40 item 3, ADR 0136).

:class:`~entrepot.fraud.score.spilled_scores.SpilledScores` put each part's figures'
columns in the table's order once every part was in: 9 bytes a row held through the
estimate, the promise and the summary (180 MB at 20M rows, the figures' largest arrays).
As each part comes back, its rows in each slice of the table are written here as one
piece (their values and their places in the slice), beside the part's other scores; a
slice of a column is its pieces put in their places. What the figures hold is then a
slice (:class:`HeldColumn`, ``row_slices.Sliced``), whatever the file's size, and the
values are the bits each part gave.

The figures read a column several times over (the rows to explain, the estimate, the
promise, the summary). A column's slices put in place in the table's order, from its
first, are appended to a temporary file as they are (``column_on_disk.ColumnOnDisk``):
once every slice is there, a slice is read back as it lies instead of being put in place
again from the pieces (at 20M rows 0.35 CPU-s a pass).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np

from entrepot.closed_on_exit import ClosedOnExit
from entrepot.column_on_disk import ColumnOnDisk
from entrepot.spilled_parts import SpilledParts

__all__ = ["HeldColumn", "HeldPieces"]

#: A piece: a part's values of each column in one slice, and their places in the slice.
_Piece = tuple[dict[str, np.ndarray], np.ndarray]


class HeldPieces(ClosedOnExit):
    """Columns of ``total`` rows put a piece at a time (:meth:`put`) and read back by slice
    of ``slice_rows`` rows (:meth:`slice`, :meth:`column`). Use as a context manager, or
    let it go: the temporary file goes with it."""

    def __init__(self, total: int, slice_rows: int) -> None:
        self.total = total
        self.slice_rows = slice_rows
        self._spilled: SpilledParts[_Piece] = SpilledParts()
        weakref.finalize(self, self._spilled.close)  # never left open, even unclosed
        self._pieces: dict[int, list[int]] = {}  # a slice's pieces, by their numbers
        self.dtypes: dict[str, np.dtype[Any]] = {}
        self._last: dict[str, tuple[int, np.ndarray]] = {}  # each column's slice read last
        self._ordered: dict[str, ColumnOnDisk] = {}  # each column's slices in order so far

    def close(self) -> None:
        """Forget the pieces (the temporary files closed, and so removed)."""
        self._spilled.close()
        for ordered in self._ordered.values():
            ordered.close()
        self._ordered = {}
        self._last = {}

    def check(self, values: Mapping[str, np.ndarray]) -> None:
        """A ``ValueError`` where a column's ``values`` come as another dtype than its
        first; each column's dtype kept from its first values."""
        for name, some in values.items():
            known = self.dtypes.setdefault(name, some.dtype)
            if some.dtype != known:
                raise ValueError(f"the scores' column {name} came as {some.dtype}, not {known}")

    def put(self, at: int, values: Mapping[str, np.ndarray], placed: np.ndarray) -> None:
        """Rows of slice ``at``: each column's ``values``, at the slice's rows ``placed``."""
        self.check(values)
        if self._ordered:
            raise ValueError("a piece put after the columns were read")
        number = self._spilled.put(({name: np.asarray(v) for name, v in values.items()}, placed))
        self._pieces.setdefault(at, []).append(number)
        self._last = {}

    def slice(self, name: str, at: int) -> np.ndarray:
        """Slice ``at`` of column ``name``, in the table's order (not to be written to)."""
        last = self._last.get(name)
        if last is not None and last[0] == at:
            return last[1]
        start = at * self.slice_rows
        size = max(0, min(self.slice_rows, self.total - start))
        ordered = self._ordered.get(name)
        if ordered is not None and len(ordered) >= start + size:
            found = ordered[start : start + size]
        else:
            found = self._placed(name, at, size)
            if at == 0 and ordered is None:
                ordered = self._ordered[name] = ColumnOnDisk(self.dtypes[name])
            if ordered is not None and len(ordered) == start:
                ordered.append(found)
        self._last[name] = (at, found)
        return found

    def _placed(self, name: str, at: int, size: int) -> np.ndarray:
        """Slice ``at`` of column ``name`` put in place from its pieces."""
        found = np.empty(size, dtype=self.dtypes[name])
        for number in self._pieces.get(at, []):
            values, placed = self._spilled.take(number)
            found[placed] = values[name]
        return found

    def whole(self) -> dict[str, np.ndarray]:
        """Every column, all its rows in the table's order (held by the caller), put in
        place from the pieces (no ordered copy written for it)."""
        found = {name: np.empty(self.total, dtype=dtype) for name, dtype in self.dtypes.items()}
        for name, into in found.items():
            for at in range(-(-self.total // self.slice_rows)):
                start = at * self.slice_rows
                size = max(0, min(self.slice_rows, self.total - start))
                into[start : start + size] = self._placed(name, at, size)
        return found

    def column(self, name: str) -> HeldColumn:
        """Column ``name``, read a slice at a time as asked."""
        if name not in self.dtypes:
            raise ValueError(f"the scores' column {name} is not held")
        return HeldColumn(self, name)


class HeldColumn:
    """One column of :class:`HeldPieces`, its rows ``column[start:stop]`` read from the
    slices they lie in (``row_slices.Sliced``); ``numpy.asarray`` reads it whole."""

    def __init__(self, pieces: HeldPieces, name: str) -> None:
        self._pieces = pieces
        self.name = name
        self.dtype = pieces.dtypes[name]

    def __len__(self) -> int:
        return self._pieces.total

    def __getitem__(self, rows: slice, /) -> np.ndarray:
        start, stop, step = rows.indices(len(self))
        if step != 1:
            raise ValueError("a held column is read in slices of consecutive rows")
        if stop <= start:
            return np.empty(0, dtype=self.dtype)
        size = self._pieces.slice_rows
        found = []
        for at in range(start // size, (stop - 1) // size + 1):
            values = self._pieces.slice(self.name, at)
            found.append(values[max(start - at * size, 0) : stop - at * size])
        return found[0] if len(found) == 1 else np.concatenate(found)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        whole = np.array(self[0 : len(self)], dtype=dtype, copy=True)
        return whole
