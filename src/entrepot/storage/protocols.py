"""One small Protocol per store capability.

Code that needs to read takes a ``Get``; code that writes takes a ``Put``; only
the composition root (``entrepot.bootstrap``) and ``entrepot.storage.url`` know
the concrete adapters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from entrepot.storage.types import (
    CHUNK_SIZE,
    Listing,
    ObjectInfo,
    OpenedObject,
    PendingUpload,
    PutSource,
)


@runtime_checkable
class Head(Protocol):
    """Read what a store knows of an object without its bytes."""

    def head(self, key: str) -> ObjectInfo:
        """Size, sha256, etag, metadata and time of ``key``; raises ``ObjectNotFound``."""
        ...

    def exists(self, key: str) -> bool:
        """Whether an object exists under ``key``."""
        ...


@runtime_checkable
class Get(Head, Protocol):
    """Read verified bytes."""

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        """The whole object, verified against its recorded sha256 and, when given, against
        ``sha256`` (e.g. the catalog's) — in one hashing pass."""
        ...

    def iter_bytes(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> Iterator[bytes]:
        """Stream the object; raises ``IntegrityError`` at the end of a corrupted stream."""
        ...

    def open_stream(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> OpenedObject:
        """What the store records of ``key`` and its stream, in one request: the stream
        raises ``IntegrityError`` at its end if the bytes differ. Close the stream (or read
        it to the end) to free the connection."""
        ...

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        """Write the object to ``dest`` atomically; ``dest`` appears only once verified."""
        ...


@runtime_checkable
class Put(Protocol):
    """Write objects; the sha256 is computed while writing and kept with the object."""

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
        ...

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
        ...


@runtime_checkable
class List(Protocol):
    """List objects under folder prefixes (a prefix always ends at a ``/`` boundary)."""

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object under ``prefix``, recursively, in key order, past any page size."""
        ...

    def ls(self, prefix: str = "") -> Listing:
        """One level under ``prefix``: sub-folders and objects."""
        ...


@runtime_checkable
class Delete(Protocol):
    """Delete objects."""

    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete one object; raises ``ObjectNotFound`` unless ``missing_ok``."""
        ...

    def delete_many(self, keys: Iterable[str]) -> int:
        """Delete these objects (missing ones are ignored); returns how many existed."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under the folder ``prefix``; returns the count."""
        ...


@runtime_checkable
class Copy(Protocol):
    """Copy within one store."""

    def copy(self, src: str, dst: str, *, if_absent: bool = False) -> ObjectInfo:
        """Copy ``src`` to ``dst``, keeping its sha256 and metadata."""
        ...


@runtime_checkable
class Sign(Protocol):
    """Presigned URLs."""

    def sign(
        self, key: str, *, method: Literal["GET", "PUT"] = "GET", expires: timedelta = ...
    ) -> str:
        """A URL that allows ``method`` on ``key`` until ``expires`` from now."""
        ...


@runtime_checkable
class Buckets(Protocol):
    """Control plane of stores that live in a bucket (S3)."""

    def create_bucket(self) -> bool:
        """Create the bucket; ``False`` if it already exists and is yours."""
        ...

    def bucket_exists(self) -> bool:
        """Whether the bucket exists."""
        ...


@runtime_checkable
class PendingUploads(Protocol):
    """Multipart uploads left incomplete (stores that write large objects in parts)."""

    def pending_uploads(self, prefix: str = "") -> Iterator[PendingUpload]:
        """The incomplete uploads of keys under the folder ``prefix``."""
        ...

    def abort_upload(self, upload: PendingUpload) -> None:
        """Abort ``upload`` and free its parts (an upload already gone is not an error)."""
        ...


@runtime_checkable
class Materialize(Protocol):
    """Verified local files for objects (the read-through cache offers this)."""

    def path(self, key: str, *, sha256: str | None = None) -> Path:
        """A local file holding the object's verified bytes; with ``sha256`` given and
        already cached, no remote request is made."""
        ...


@runtime_checkable
class Store(Get, Put, List, Delete, Copy, Protocol):
    """A full store: every capability but signing, which only some backends offer."""

    @property
    def url(self) -> str:
        """Where this store points, without credentials."""
        ...

    def scoped(self, prefix: str) -> Store:
        """A view of this store locked under ``prefix``; no key can escape it."""
        ...
