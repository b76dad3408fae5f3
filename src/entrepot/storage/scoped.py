"""A store view locked under a folder prefix.

Every key handed to the view is validated on its own (so ``..``, ``%2e%2e``,
absolute paths and backslashes are refused) and only then joined to the prefix;
results from the inner store are stripped of it. No key can reach outside.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Literal

from entrepot.errors import InvalidKey, StorageError
from entrepot.messages import N_, Message
from entrepot.storage.keys import normalize_prefix, validate_key
from entrepot.storage.protocols import Sign, Store
from entrepot.storage.types import CHUNK_SIZE, Listing, ObjectInfo, OpenedObject, PutSource


class ScopedStore:
    """A :class:`Store` that reads, lists, writes and deletes only under ``prefix``."""

    def __init__(self, inner: Store, prefix: str) -> None:
        folder = normalize_prefix(prefix)
        if not folder:
            raise InvalidKey(
                "a scoped view needs a non-empty prefix",
                store=inner.url,
                hint="name the folder to lock the view under, e.g. 'users/42'",
                said=Message(N_("error.storage.scope_without_prefix"), {}),
            )
        self._inner = inner
        self._prefix = folder

    @property
    def prefix(self) -> str:
        """The folder prefix this view is locked under (ends in ``/``)."""
        return self._prefix

    @property
    def url(self) -> str:
        base, sep, query = self._inner.url.partition("?")  # s3://b/p?endpoint=...
        return f"{base.rstrip('/')}/{self._prefix}{sep}{query}"

    def _in(self, key: str) -> str:
        return self._prefix + validate_key(key)

    def _in_prefix(self, prefix: str) -> str:
        return self._prefix + normalize_prefix(prefix)

    def _out(self, info: ObjectInfo) -> ObjectInfo:
        return replace(info, key=info.key[len(self._prefix) :])

    def head(self, key: str) -> ObjectInfo:
        return self._out(self._inner.head(self._in(key)))

    def exists(self, key: str) -> bool:
        return self._inner.exists(self._in(key))

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        return self._inner.get(self._in(key), sha256=sha256)

    def iter_bytes(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> Iterator[bytes]:
        return self._inner.iter_bytes(self._in(key), chunk_size=chunk_size, sha256=sha256)

    def open_stream(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> OpenedObject:
        opened = self._inner.open_stream(self._in(key), chunk_size=chunk_size, sha256=sha256)
        return OpenedObject(self._out(opened.info), opened.chunks)

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        return self._out(self._inner.download(self._in(key), dest, sha256=sha256))

    def put(
        self,
        key: str,
        data: PutSource,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        if_absent: bool = False,
    ) -> ObjectInfo:
        info = self._inner.put(
            self._in(key), data, content_type=content_type, metadata=metadata, if_absent=if_absent
        )
        return self._out(info)

    def put_file(
        self,
        key: str,
        path: Path,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        if_absent: bool = False,
    ) -> ObjectInfo:
        info = self._inner.put_file(
            self._in(key), path, content_type=content_type, metadata=metadata, if_absent=if_absent
        )
        return self._out(info)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        return (self._out(i) for i in self._inner.list(self._in_prefix(prefix)))

    def ls(self, prefix: str = "") -> Listing:
        listing = self._inner.ls(self._in_prefix(prefix))
        cut = len(self._prefix)
        return Listing(
            prefixes=tuple(p[cut:] for p in listing.prefixes),
            objects=tuple(self._out(i) for i in listing.objects),
        )

    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        self._inner.delete(self._in(key), missing_ok=missing_ok)

    def delete_many(self, keys: Iterable[str]) -> int:
        return self._inner.delete_many([self._in(k) for k in keys])

    def delete_prefix(self, prefix: str) -> int:
        return self._inner.delete_prefix(self._in_prefix(prefix))

    def copy(self, src: str, dst: str, *, if_absent: bool = False) -> ObjectInfo:
        return self._out(self._inner.copy(self._in(src), self._in(dst), if_absent=if_absent))

    def sign(
        self,
        key: str,
        *,
        method: Literal["GET", "PUT"] = "GET",
        expires: timedelta = timedelta(hours=1),
    ) -> str:
        if not isinstance(self._inner, Sign):
            raise StorageError("this store cannot presign URLs", store=self.url)
        return self._inner.sign(self._in(key), method=method, expires=expires)

    def scoped(self, prefix: str) -> Store:
        return ScopedStore(self, prefix)

    def __repr__(self) -> str:
        return f"ScopedStore({self.url!r})"
