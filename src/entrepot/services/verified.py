"""An object's verified bytes: a local file opened for reading (:class:`VerifiedFile`),
and the size check of a read (:func:`sized`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from entrepot.catalog.objects.records import ObjectRecord
from entrepot.errors import IntegrityError
from entrepot.messages import N_, Message
from entrepot.storage.types import CHUNK_SIZE


class VerifiedFile:
    """An open local file holding an object's verified bytes; close it when done (reading
    it through :meth:`chunks` to the end closes it)."""

    def __init__(self, record: ObjectRecord, handle: BinaryIO) -> None:
        self.record = record
        self._handle = handle

    @property
    def size(self) -> int:
        """The verified size in bytes."""
        return self.record.size

    @property
    def handle(self) -> BinaryIO:
        """The open file, to read it whole (close it when done)."""
        return self._handle

    def chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The bytes, chunk by chunk; the file is closed at the end or when abandoned."""
        try:
            while chunk := self._handle.read(chunk_size):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        """Release the file."""
        self._handle.close()


def size_mismatch(record: ObjectRecord, size: int) -> IntegrityError:
    """The refusal of an object read with ``size`` bytes where the catalog records others."""
    return IntegrityError(
        f"read {size} bytes; the catalog records {record.size} bytes",
        key=record.key,
        said=Message(
            N_("error.services.size_differs"),
            {"object": record.key, "read": size, "size": record.size},
        ),
    )


def sized(record: ObjectRecord, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks``, refused at their end unless they hold the recorded size."""
    size = 0
    for chunk in chunks:
        size += len(chunk)
        yield chunk
    if size != record.size:
        raise size_mismatch(record, size)
