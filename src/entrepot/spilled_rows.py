"""Rows of a large array held on disk while a step does not read them (ADR 0117).

A training's matrix holds its test rows (a fifth of a 5M-row table: about 260 MB) through
the model search, which never reads them. :func:`spillable_empty` makes an array whose
memory is a private anonymous mapping of its own; :func:`spilled` writes a C-contiguous
block of such an array (its test rows) to an unnamed temporary file, gives the block's
whole pages back to the system (``madvise(MADV_DONTNEED)``: the resident memory falls at
once), and on leaving reads the bytes back into the same place, so every view of the
array sees them again.

Nothing changes a value: the bytes read back are the bytes written. Between the two, the
block must not be read (on Linux it reads as zeros). Where the system cannot give pages
back (no ``MAP_PRIVATE`` or ``MADV_DONTNEED``), where the array is not such a mapping, or
where the temporary file cannot be written (a full disk), the block stays in memory and
nothing is written. The file goes to the system's temporary folder (``TMPDIR``): where
that folder is memory (tmpfs), point ``TMPDIR`` at a disk for the memory to be saved.
"""

from __future__ import annotations

import mmap
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import numpy as np

__all__ = ["read_exactly", "spillable_empty", "spilled", "write_all"]

#: What the system's temporary folder holds while a block is spilled (an unnamed file
#: where the system allows it; ``temp_names.SYSTEM`` before it).
PREFIX = "entrepot-spill-"

_CAN_RELEASE = hasattr(mmap, "MAP_PRIVATE") and hasattr(mmap, "MADV_DONTNEED")


def spillable_empty(shape: tuple[int, ...], dtype: Any = float) -> np.ndarray:
    """An uninitialised C-order array whose blocks :func:`spilled` can give back
    (``np.empty`` where the system cannot, or for an empty array)."""
    kind = np.dtype(dtype)
    count = int(np.prod(shape, dtype=np.int64))
    if not _CAN_RELEASE or count == 0:
        return np.empty(shape, dtype=kind)
    pages = mmap.mmap(-1, count * kind.itemsize, flags=mmap.MAP_PRIVATE)
    if hasattr(mmap, "MADV_HUGEPAGE"):  # as numpy asks for its own large arrays
        pages.madvise(mmap.MADV_HUGEPAGE)
    return np.frombuffer(pages, dtype=kind, count=count).reshape(shape)


@contextmanager
def spilled(block: np.ndarray) -> Iterator[int]:
    """Hold ``block`` (a C-contiguous view of a :func:`spillable_empty` array) on disk for
    the ``with`` body; gives the bytes of memory given back (0: the block stayed)."""
    place = _place(block)
    if place is None:
        yield 0
        return
    pages, offset = place
    start = -(-offset // mmap.PAGESIZE) * mmap.PAGESIZE  # whole pages inside the block
    end = (offset + block.nbytes) // mmap.PAGESIZE * mmap.PAGESIZE
    if end <= start:
        yield 0
        return
    raw = block.data.cast("B")
    with tempfile.TemporaryFile(prefix=PREFIX, buffering=0) as held:
        try:
            write_all(held, raw)
        except OSError:  # no room for it: the block stays where it is
            yield 0
            return
        pages.madvise(mmap.MADV_DONTNEED, start, end - start)
        try:
            yield end - start
        finally:
            held.seek(0)
            read_exactly(held, raw)


def _place(block: np.ndarray) -> tuple[mmap.mmap, int] | None:
    """The mapping under ``block`` and the block's offset in it, or ``None``."""
    if not _CAN_RELEASE or not block.flags.c_contiguous or block.nbytes == 0:
        return None
    root: Any = block
    while isinstance(root, np.ndarray):
        under = root.base.obj if isinstance(root.base, memoryview) else root.base
        if isinstance(under, mmap.mmap):
            return under, block.ctypes.data - root.ctypes.data
        root = root.base
    return None


def write_all(held: IO[bytes], raw: memoryview) -> None:
    """Every byte of ``raw`` written to ``held`` (an unbuffered file writes in pieces)."""
    done = 0
    while done < len(raw):
        done += held.write(raw[done:]) or 0


def read_exactly(held: IO[bytes], raw: memoryview, what: str = "spilled rows") -> None:
    """``raw`` filled from ``held``'s next bytes; a file that ends first is an error, never
    zeros."""
    done = 0
    while done < len(raw):
        got = held.readinto(raw[done:])  # type: ignore[attr-defined]
        if not got:
            raise OSError(f"{what} cut short: {done} of {len(raw)} bytes read back")
        done += got
