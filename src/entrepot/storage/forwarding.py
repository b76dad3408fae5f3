"""A ``Store`` that forwards every call to an inner store: the base of the wrappers that
change only some calls (the read-through cache, reads that follow the catalog)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal

from entrepot.errors import StorageError
from entrepot.storage.protocols import Sign, Store
from entrepot.storage.scoped import ScopedStore
from entrepot.storage.types import CHUNK_SIZE, Listing, ObjectInfo, OpenedObject, PutSource


class ForwardingStore:
    """Forwards each ``Store`` method, and ``sign``, to ``inner``; subclasses override what
    they change. ``scoped`` views wrap the subclass, so its overrides apply inside them."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner

    @property
    def url(self) -> str:
        return self._inner.url

    def head(self, key: str) -> ObjectInfo:
        return self._inner.head(key)

    def exists(self, key: str) -> bool:
        return self._inner.exists(key)

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        return self._inner.get(key, sha256=sha256)

    def iter_bytes(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> Iterator[bytes]:
        return self._inner.iter_bytes(key, chunk_size=chunk_size, sha256=sha256)

    def open_stream(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> OpenedObject:
        return self._inner.open_stream(key, chunk_size=chunk_size, sha256=sha256)

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        return self._inner.download(key, dest, sha256=sha256)

    def put(
        self,
        key: str,
        data: PutSource,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        if_absent: bool = False,
    ) -> ObjectInfo:
        return self._inner.put(
            key, data, content_type=content_type, metadata=metadata, if_absent=if_absent
        )

    def put_file(
        self,
        key: str,
        path: Path,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        if_absent: bool = False,
    ) -> ObjectInfo:
        return self._inner.put_file(
            key, path, content_type=content_type, metadata=metadata, if_absent=if_absent
        )

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        return self._inner.list(prefix)

    def ls(self, prefix: str = "") -> Listing:
        return self._inner.ls(prefix)

    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        self._inner.delete(key, missing_ok=missing_ok)

    def delete_many(self, keys: Iterable[str]) -> int:
        return self._inner.delete_many(keys)

    def delete_prefix(self, prefix: str) -> int:
        return self._inner.delete_prefix(prefix)

    def copy(self, src: str, dst: str, *, if_absent: bool = False) -> ObjectInfo:
        return self._inner.copy(src, dst, if_absent=if_absent)

    def sign(
        self,
        key: str,
        *,
        method: Literal["GET", "PUT"] = "GET",
        expires: timedelta = timedelta(hours=1),
    ) -> str:
        return signer(self._inner, key).sign(key, method=method, expires=expires)

    def scoped(self, prefix: str) -> Store:
        return ScopedStore(self, prefix)


def signer(store: Store, key: str) -> Sign:
    """``store`` if it can presign URLs; else a :class:`StorageError` saying which can."""
    if not isinstance(store, Sign):
        raise StorageError(
            "this store cannot presign URLs",
            key=key,
            store=store.url,
            hint="presigned URLs need an S3 store (ENTREPOT_STORE_URL=s3://bucket/prefix)",
        )
    return store
