"""A table's parts held on disk until each is asked for (ADR 0123).

A table scored in parts (``entrepot.fraud_service.pipeline.partitioned``) was held whole
while its parts scored one after the other, or were sent to workers one by one: at 5M
rows the table was a third of the peak, beside every part's scores. Where the table was
handed over (``entrepot.fraud.tables.handed``), its parts are cut once, each written to an
unnamed temporary file as it is cut (:class:`SpilledParts`), and the table is let go; a
part is read back when its turn comes. What a process holds is then a part, not the table.

A part is written with :mod:`pickle` and read back by this process alone, from a file no
other process can open (unnamed, ``O_TMPFILE`` where the system has it): the frame read is
the frame written, its dtypes with it. Where the file cannot be written (a full disk),
the parts are kept in memory instead. A part can be read back again (a pool of workers
asks for an item again where a worker was lost with its input): it is held until the
file is closed.
"""

from __future__ import annotations

import pickle
import tempfile
from dataclasses import dataclass
from typing import IO, Generic, TypeVar

from entrepot.closed_on_exit import ClosedOnExit
from entrepot.spilled_rows import read_exactly, write_all

__all__ = ["SpilledParts"]

#: What the system's temporary folder holds while parts wait.
PREFIX = "entrepot-parts-"


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Held(Generic[T]):
    """One part: ``size`` bytes at ``start`` in the temporary file, or ``kept`` in memory
    (a full disk)."""

    start: int = 0
    size: int = 0
    kept: T | None = None


class SpilledParts(ClosedOnExit, Generic[T]):
    """Parts put in order and read back by their number, each as often as asked. Use as a
    context manager: the temporary file is gone on leaving."""

    def __init__(self) -> None:
        self._parts: list[_Held[T]] = []
        self._file: IO[bytes] | None = None
        self._end = 0
        self._on_disk = True

    def __len__(self) -> int:
        return len(self._parts)

    def close(self) -> None:
        """Forget every part (the temporary file closed, and so removed)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._parts = []

    @property
    def on_disk(self) -> bool:
        """Whether the parts went to the temporary file (``False``: kept in memory)."""
        return self._on_disk

    def put(self, part: T) -> int:
        """Hold ``part``; its number, from 0 in the order put."""
        self._parts.append(self._held(part))
        return len(self._parts) - 1

    def take(self, number: int) -> T:
        """Part ``number``, as it was put (read from the file anew each time)."""
        held = self._parts[number]
        if held.kept is not None:
            return held.kept
        if self._file is None:
            raise OSError("a spilled part read after its file was closed")
        raw = bytearray(held.size)
        self._file.seek(held.start)
        read_exactly(self._file, memoryview(raw), "spilled parts")
        found: T = pickle.loads(raw)  # this process's own bytes, in a file no other can open
        return found

    def _held(self, part: T) -> _Held[T]:
        if self._on_disk:
            try:
                return self._write(part)
            except OSError:  # no room on disk: this part and the next are kept in memory
                self._on_disk = False
        return _Held(kept=part)

    def _write(self, part: T) -> _Held[T]:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix=PREFIX, buffering=0)  # noqa: SIM115
        start = self._end
        self._file.seek(start)
        # pickled straight into the file (a part's arrays written from where they are), not
        # into bytes of the part's size first
        pickle.dump(part, _Writer(self._file), protocol=pickle.HIGHEST_PROTOCOL)
        self._end = self._file.tell()
        return _Held(start=start, size=self._end - start)


class _Writer:
    """What :func:`pickle.dump` writes a part through: every byte of each piece written
    (an unbuffered file may write fewer bytes than asked)."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def write(self, data: bytes | memoryview) -> int:
        view = memoryview(data).cast("B")  # bytes, whatever the buffer's items
        write_all(self._file, view)
        return view.nbytes
