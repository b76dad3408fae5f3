"""A ``Store`` that counts the bytes read through it: what a run read from the store.

Every read that returns an object's bytes is counted once, as it is handed over (a stream
as its chunks are read, a download when it is written): ``get``, ``iter_bytes``,
``open_stream`` and ``download``. Listings and ``head`` read no object's bytes. Scoped views
wrap the counter, so their reads are counted too.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from pathlib import Path

from entrepot.storage.forwarding import ForwardingStore
from entrepot.storage.protocols import Store
from entrepot.storage.types import CHUNK_SIZE, ObjectInfo, OpenedObject


class CountingStore(ForwardingStore):
    """Forwards to ``inner`` and adds up the bytes of the objects read (thread-safe)."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self._lock = threading.Lock()
        self._bytes = 0

    @property
    def bytes_read(self) -> int:
        """The bytes of objects read through this store so far."""
        return self._bytes

    def _add(self, size: int) -> None:
        with self._lock:
            self._bytes += size

    def _counted(self, chunks: Iterator[bytes]) -> Generator[bytes, None, None]:
        try:
            for chunk in chunks:
                self._add(len(chunk))
                yield chunk
        finally:  # closing the count closes the stream (frees its connection)
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        data = super().get(key, sha256=sha256)
        self._add(len(data))
        return data

    def iter_bytes(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> Iterator[bytes]:
        return self._counted(super().iter_bytes(key, chunk_size=chunk_size, sha256=sha256))

    def open_stream(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> OpenedObject:
        opened = super().open_stream(key, chunk_size=chunk_size, sha256=sha256)
        return OpenedObject(opened.info, self._counted(opened.chunks))

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        info = super().download(key, dest, sha256=sha256)
        self._add(Path(dest).stat().st_size)
        return info
