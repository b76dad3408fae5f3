"""A large CSV file of UTF-8 text, read from disk a block at a time (issue 40 item 3,
ADR 0124): its bytes are never held whole, so that reading it holds the table pandas builds
and a block, not the file's bytes beside it (365 MB of a 5M-row file).

:func:`utf8_file` recognises such a file from its first :data:`HEAD_BYTES` and its
:class:`Utf8File` gives the text of that head (what the separator and the header are
read from) and the file's bytes after its BOM in blocks. Everything else is read whole, as
before (:func:`entrepot.fraud.tables.io.read_bytes`): a file of at most
:data:`WHOLE_BELOW` bytes, a gzip, Parquet or XLSX file, UTF-16 or UTF-32 text, a binary
start (refused there), a start of blank space; and a file that turns out not to be UTF-8
(read there as Windows-1252 or Latin-1), once :mod:`entrepot.fraud.tables.csv_read` has
found an invalid byte.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from entrepot.fraud.tables.kinds import kind_of
from entrepot.fraud.tables.text import WIDE, bom, is_binary, wide_encoding

__all__ = ["BLOCK_BYTES", "HEAD_BYTES", "WHOLE_BELOW", "Utf8File", "utf8_file"]

#: Files of at most this many bytes are read whole: what a block read saves is small, and
#: their reading stays exactly as it was.
WHOLE_BELOW = 8 * 1024 * 1024
#: Bytes of the file's start decoded for the separator's guess and the header (the guess
#: reads at most 800 KiB of characters: four bytes each at most).
HEAD_BYTES = 4 * 1024 * 1024
#: Bytes read at a time when the whole file is scanned.
BLOCK_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Utf8File:
    """A CSV file whose start reads as UTF-8: ``skip``, its BOM's length; ``encoding``,
    ``utf-8-sig`` with a BOM (read with replacement, as :func:`~entrepot.fraud.tables.text
    .decode` does), else ``utf-8`` (valid only if every block is); ``head``, the text of
    its first :data:`HEAD_BYTES` after the BOM, a character cut at the end left out."""

    path: Path
    skip: int
    encoding: str
    head: str

    def blocks(self, size: int = BLOCK_BYTES) -> Iterator[bytes]:
        """The file's bytes after its BOM, ``size`` at a time."""
        with self.opened() as stream:
            while block := stream.read(size):
                yield block

    def opened(self) -> BinaryIO:
        """The file open for reading, after its BOM (the caller closes it)."""
        stream = self.path.open("rb")
        stream.seek(self.skip)
        return stream


def utf8_file(path: Path, *, whole_below: int = WHOLE_BELOW) -> Utf8File | None:
    """``path`` as a :class:`Utf8File`, or ``None`` where it is read whole (see the
    module). Raises what opening it raises (``FileNotFoundError``, ``IsADirectoryError``)."""
    if path.stat().st_size <= whole_below:
        return None
    with path.open("rb") as stream:
        start = stream.read(HEAD_BYTES)
    if kind_of(start, path.name) != "csv" or not start.strip():
        return None
    found, skip = bom(start)
    if found in WIDE or (found is None and wide_encoding(start) is not None):
        return None
    if found is None and is_binary(start):
        return None
    head = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(start[skip:])
    return Utf8File(path, skip, "utf-8-sig" if found == "utf-8" else "utf-8", head)
