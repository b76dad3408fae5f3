"""Template behaviour shared by every adapter: key checks, verification, downloads, views.

An adapter implements the underscored primitives on already-validated keys and
folder prefixes; this class turns them into the public :class:`Store` surface.
"""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from entrepot.errors import IntegrityError, ObjectNotFound
from entrepot.messages import N_, Message
from entrepot.storage.hashing import (
    OverlappedHasher,
    as_reader,
    check_digest,
    validate_metadata,
    verified,
)
from entrepot.storage.keys import normalize_prefix, validate_key
from entrepot.storage.protocols import Store
from entrepot.storage.scoped import ScopedStore
from entrepot.storage.types import CHUNK_SIZE, Listing, ObjectInfo, OpenedObject, PutSource


class BaseStore(ABC):
    """Base of the concrete adapters (memory, local, S3)."""

    #: Chunk size of whole-object reads.
    _read_chunk = CHUNK_SIZE

    # -- primitives --------------------------------------------------------
    @property
    @abstractmethod
    def url(self) -> str:
        """Where this store points, without credentials."""

    @abstractmethod
    def _head(self, key: str) -> ObjectInfo: ...

    @abstractmethod
    def _open(self, key: str, chunk_size: int) -> tuple[ObjectInfo, Iterator[bytes]]: ...

    def _read_all(self, key: str) -> tuple[ObjectInfo, bytes, str]:
        """The whole object, what is recorded of it, and the sha256 of the bytes read.
        Adapters may override it to read into one buffer."""
        info, chunks = self._open(key, self._read_chunk)
        digest = OverlappedHasher()
        parts = []
        for chunk in chunks:
            digest.update(chunk)
            parts.append(chunk)
        return info, b"".join(parts), digest.hexdigest()

    @abstractmethod
    def _put(
        self,
        key: str,
        reader: BinaryIO,
        *,
        content_type: str | None,
        metadata: dict[str, str],
        if_absent: bool,
    ) -> ObjectInfo: ...

    @abstractmethod
    def _list(self, prefix: str) -> Iterator[ObjectInfo]: ...

    @abstractmethod
    def _ls(self, prefix: str) -> Listing: ...

    @abstractmethod
    def _delete(self, key: str) -> bool: ...

    @abstractmethod
    def _copy(self, src: str, dst: str, *, if_absent: bool) -> ObjectInfo: ...

    # -- public surface ----------------------------------------------------
    def head(self, key: str) -> ObjectInfo:
        """Size, sha256, etag, metadata and time of ``key``; raises ``ObjectNotFound``."""
        return self._head(validate_key(key))

    def exists(self, key: str) -> bool:
        """Whether an object exists under ``key``."""
        try:
            self._head(validate_key(key))
        except ObjectNotFound:
            return False
        return True

    def iter_bytes(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> Iterator[bytes]:
        """Stream the object; raises ``IntegrityError`` at the end of a corrupted stream."""
        info, chunks = self._open(validate_key(key), chunk_size)
        return verified(chunks, self._expected(info, sha256), key=key, store=self.url)

    def open_stream(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> OpenedObject:
        """What the store records of ``key`` and its verified stream, in one request."""
        info, chunks = self._open(validate_key(key), chunk_size)
        stream = verified(chunks, self._expected(info, sha256), key=key, store=self.url)
        return OpenedObject(info, stream)

    def _expected(self, info: ObjectInfo, sha256: str | None) -> str | None:
        """The digest the bytes must have: the caller's and the recorded one must agree."""
        if sha256 is not None and info.sha256 is not None and sha256 != info.sha256:
            raise IntegrityError(
                f"the store records sha256 {info.sha256}; the expected one (the catalog's or "
                f"the caller's) is {sha256}",
                key=info.key,
                store=self.url,
                said=Message(
                    N_("error.storage.sha256_recorded_differs"),
                    {"recorded": info.sha256, "expected": sha256},
                ),
            )
        return sha256 if sha256 is not None else info.sha256

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        """The whole object, verified against its recorded sha256 and, when given, against
        ``sha256`` — in one hashing pass."""
        info, data, actual = self._read_all(validate_key(key))
        check_digest(actual, self._expected(info, sha256), key=key, store=self.url)
        return data

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        """Write the object to ``dest`` atomically; ``dest`` appears only once verified."""
        info, chunks = self._open(validate_key(key), self._read_chunk)
        expected = self._expected(info, sha256)
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                digest = OverlappedHasher()
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
            check_digest(digest.hexdigest(), expected, key=key, store=self.url)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return info

    def put(
        self,
        key: str,
        data: PutSource,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        if_absent: bool = False,
    ) -> ObjectInfo:
        """Store ``data`` under ``key``; with ``if_absent`` raise ``ObjectExists`` instead of
        replacing."""
        key = validate_key(key)
        meta = validate_metadata(metadata)
        with as_reader(data) as reader:
            return self._put(
                key, reader, content_type=content_type, metadata=meta, if_absent=if_absent
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
        """Store the file at ``path`` under ``key``."""
        with open(path, "rb") as reader:
            return self.put(
                key, reader, content_type=content_type, metadata=metadata, if_absent=if_absent
            )

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object under the folder ``prefix``, recursively, in key order."""
        return self._list(normalize_prefix(prefix))

    def ls(self, prefix: str = "") -> Listing:
        """One level under the folder ``prefix``: sub-folders and objects."""
        return self._ls(normalize_prefix(prefix))

    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete one object; raises ``ObjectNotFound`` unless ``missing_ok``."""
        existed = self._delete(validate_key(key))
        if not existed and not missing_ok:
            raise ObjectNotFound(
                "no object to delete",
                key=key,
                store=self.url,
                said=Message(N_("error.storage.nothing_to_delete"), {}),
            )

    def delete_many(self, keys: Iterable[str]) -> int:
        """Delete these objects (missing ones are ignored); returns how many existed."""
        checked = [validate_key(k) for k in keys]
        return sum(1 for k in checked if self._delete(k))

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under the folder ``prefix``; returns the count."""
        folder = normalize_prefix(prefix)
        return self.delete_many([info.key for info in self._list(folder)])

    def copy(self, src: str, dst: str, *, if_absent: bool = False) -> ObjectInfo:
        """Copy ``src`` to ``dst``, keeping its sha256 and metadata."""
        return self._copy(validate_key(src), validate_key(dst), if_absent=if_absent)

    def scoped(self, prefix: str) -> Store:
        """A view of this store locked under ``prefix``; no key can escape it."""
        return ScopedStore(self, prefix)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"
