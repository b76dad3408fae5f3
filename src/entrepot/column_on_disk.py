"""A column of numbers written a piece at a time and read back a slice at a time, held on
disk in between (issue 40 item 3; ADR 0134).

A large scoring's figures read each row's instant (8 bytes a row: 160 MB at 20M rows) a
slice of rows at a time, as they count the rows' label horizons and ages
(``fraud.score.promise_rows``). Held in memory, the instants were the figures' largest
array beside the probabilities. :class:`ColumnOnDisk` appends each piece, as it is made,
to an unnamed temporary file and reads back the rows a slice asks for; what is held in
memory is the slice.

Nothing changes a value: the bytes read back are the bytes written. Where the temporary
file cannot be written (a full disk), the pieces are kept in memory instead.
"""

from __future__ import annotations

import tempfile
import weakref
from typing import IO, Any

import numpy as np

from entrepot.closed_on_exit import ClosedOnExit
from entrepot.spilled_rows import read_exactly, write_all

__all__ = ["ColumnOnDisk"]

#: What the system's temporary folder holds while a column waits.
PREFIX = "entrepot-column-"


class ColumnOnDisk(ClosedOnExit):
    """A one-dimensional array of ``dtype``, appended (:meth:`append`) and read back by
    slice (``column[start:stop]``). Use as a context manager, or let it go: the temporary
    file goes with it."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)
        self._held = _File()
        weakref.finalize(self, self._held.close)  # never left open, even unclosed
        self._kept: list[np.ndarray] | None = None  # a full disk: the pieces in memory
        self._length = 0
        self._closed = False

    def close(self) -> None:
        """Forget the column (the temporary file closed, and so removed)."""
        self._held.close()
        self._kept = None
        self._closed = True

    def __len__(self) -> int:
        return self._length

    def append(self, values: np.ndarray) -> None:
        """Add ``values`` (cast to the column's dtype) after the rows given so far."""
        if self._closed:
            raise OSError("a column appended to after it was closed")
        piece = np.ascontiguousarray(values, dtype=self.dtype).reshape(-1)
        if self._kept is None:
            try:
                self._write(piece)
                self._length += len(piece)
                return
            except OSError:  # no room on disk: this piece and the next are kept in memory
                self._kept = [self._read(0, self._length)] if self._length else []
                self._held.close()
        self._kept.append(piece.copy())
        self._length += len(piece)

    def __getitem__(self, rows: slice) -> np.ndarray:
        """The rows ``rows`` (a slice, no step), read back."""
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            raise TypeError("a column on disk is read by slices of rows")
        start, stop, _ = rows.indices(self._length)
        return self._read(start, max(start, stop))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The whole column, read back (``numpy.asarray(column)``): what compares it."""
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def _write(self, piece: np.ndarray) -> None:
        if self._held.file is None:
            self._held.file = tempfile.TemporaryFile(prefix=PREFIX, buffering=0)  # noqa: SIM115
        self._held.file.seek(self._length * self.dtype.itemsize)
        write_all(self._held.file, piece.data.cast("B"))

    def _read(self, start: int, stop: int) -> np.ndarray:
        if self._closed:
            raise OSError("a column read after its file was closed")
        if self._kept is not None:
            whole = np.concatenate(self._kept) if self._kept else np.zeros(0, self.dtype)
            self._kept = [whole]
            return whole[start:stop].copy()
        found = np.empty(stop - start, dtype=self.dtype)
        if len(found):
            if self._held.file is None:
                raise OSError("a column read before any row was written")
            self._held.file.seek(start * self.dtype.itemsize)
            read_exactly(self._held.file, found.data.cast("B"), "a column on disk")
        return found


class _File:
    """The column's temporary file, once one row is written."""

    file: IO[bytes] | None = None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
