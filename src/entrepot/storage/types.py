"""Values the stores return."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

#: What a put accepts: bytes, a binary file object, or an iterable of byte chunks.
PutSource = bytes | bytearray | memoryview | BinaryIO | Iterable[bytes]

#: Default streaming chunk size.
CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What a store knows of one object."""

    key: str
    size: int
    sha256: str | None
    modified: datetime
    etag: str | None = None
    content_type: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OpenedObject:
    """An object's info and its verified byte stream, from one request."""

    info: ObjectInfo
    chunks: Generator[bytes, None, None]


@dataclass(frozen=True, slots=True)
class Listing:
    """One level of a listing: sub-folders (ending in ``/``) and objects."""

    prefixes: tuple[str, ...]
    objects: tuple[ObjectInfo, ...]


@dataclass(frozen=True, slots=True)
class PendingUpload:
    """A multipart upload begun and never completed nor aborted (a writer killed mid-way):
    its parts are kept, and billed, until it is aborted."""

    key: str
    upload_id: str
    initiated: datetime
