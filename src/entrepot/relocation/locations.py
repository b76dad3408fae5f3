"""Reads that follow each object's catalog location (ADR 0005).

:class:`LocatedStore` is a full ``Store`` over the configured store (*home*): reading a
key asks the catalog which store holds it (one indexed query) and reads there; writes,
listings and deletes of keys the catalog places nowhere else go home. The composition
root puts it under the cache and the registry, so every read follows the rows during
and after a migration.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from entrepot.storage.forwarding import ForwardingStore, signer
from entrepot.storage.protocols import Store
from entrepot.storage.types import CHUNK_SIZE, ObjectInfo, OpenedObject

if TYPE_CHECKING:
    from entrepot.catalog.reads import ReadsFactory

#: Opens the store named by a URL (the composition root's, with its S3 options).
StoreOpener = Callable[[str], Store]
#: The URL of the store holding a key, ``None`` for home.
Locator = Callable[[str], str | None]


class CatalogLocator:
    """A :data:`Locator` reading ``object_locations``: one query on a plain connection per
    lookup (the read-only unit of work, ``catalog/reads.py``, ADR 0031)."""

    def __init__(self, reads: ReadsFactory) -> None:
        self._reads = reads

    def __call__(self, key: str) -> str | None:
        with self._reads() as catalog:
            return catalog.locations.url_of(key)


class LocatedStore(ForwardingStore):
    """A ``Store`` whose reads go where the catalog says each object is."""

    def __init__(self, home: Store, locate: Locator, opener: StoreOpener) -> None:
        super().__init__(home)
        self._home = home
        self._locate = locate
        self._opener = opener

    @property
    def home(self) -> Store:
        """The configured store: where new objects are written."""
        return self._home

    def store_for(self, key: str) -> Store:
        """The store holding ``key`` according to the catalog (home if it says nothing)."""
        where = self._locate(key)
        if where is None or where == self._home.url:
            return self._home
        return self._opener(where)

    def url_of(self, key: str) -> str:
        """The URL of the store holding ``key`` (what ``verify`` names beside a damage)."""
        return self.store_for(key).url

    # -- reads follow the catalog --------------------------------------------
    def head(self, key: str) -> ObjectInfo:
        return self.store_for(key).head(key)

    def exists(self, key: str) -> bool:
        return self.store_for(key).exists(key)

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        return self.store_for(key).get(key, sha256=sha256)

    def iter_bytes(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> Iterator[bytes]:
        return self.store_for(key).iter_bytes(key, chunk_size=chunk_size, sha256=sha256)

    def open_stream(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> OpenedObject:
        return self.store_for(key).open_stream(key, chunk_size=chunk_size, sha256=sha256)

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        return self.store_for(key).download(key, dest, sha256=sha256)

    def sign(
        self,
        key: str,
        *,
        method: Literal["GET", "PUT"] = "GET",
        expires: timedelta = timedelta(hours=1),
    ) -> str:
        """A presigned URL from the store holding ``key`` (``PUT``: home)."""
        target = self.store_for(key) if method == "GET" else self._home
        return signer(target, key).sign(key, method=method, expires=expires)

    # -- writes and listings go home (forwarded); a delete follows the catalog ----
    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        self.store_for(key).delete(key, missing_ok=missing_ok)

    def copy(self, src: str, dst: str, *, if_absent: bool = False) -> ObjectInfo:
        """Copy ``src`` (wherever it is) to ``dst`` in home, keeping sha256 and metadata."""
        source = self.store_for(src)
        if source is self._home:
            return self._home.copy(src, dst, if_absent=if_absent)
        with tempfile.TemporaryDirectory(prefix="entrepot-copy-") as tmp:
            local = Path(tmp) / "object"
            info = source.download(src, local)
            return self._home.put_file(
                dst,
                local,
                content_type=info.content_type,
                metadata=info.metadata,
                if_absent=if_absent,
            )

    def __repr__(self) -> str:
        return f"LocatedStore({self._home.url!r})"
