"""How an Entrepôt object is laid out in S3, and how a put source is staged for it.

Each object carries the sha256 of its bytes, its content type and its user metadata as
S3 object attributes (``x-amz-meta-sha256``, ``Content-Type``, ``x-amz-meta-*``). The
sha256 travels in the request headers, so it must be known before the first byte is
sent: a small source is read into memory; a large seekable one is read twice (hash, then
upload); a large stream is spooled to a temporary file while it is read. The bytes of the
second pass are checked against the first: a source that changed in between fails before
the last part, so the multipart upload is aborted.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from entrepot.errors import IntegrityError
from entrepot.messages import N_, Message
from entrepot.storage.hashing import is_seekable, is_sha256, sha256_bytes, spooled
from entrepot.storage.types import CHUNK_SIZE, ObjectInfo

#: Object attributes that are not user metadata.
_ATTRIBUTES = frozenset(
    {"Content-Type", "Content-Disposition", "Content-Encoding", "Content-Language"}
    | {"Cache-Control", "Storage-Class", "sha256"}
)
#: What S3 reports for an object stored without a content type.
_S3_DEFAULT_CONTENT_TYPE = "binary/octet-stream"


def attributes(
    sha256: str, content_type: str | None, metadata: Mapping[str, str]
) -> dict[str, str]:
    """The S3 attributes recording an object's sha256, content type and user metadata."""
    found = {**metadata, "sha256": sha256}
    if content_type:
        found["Content-Type"] = content_type
    return found


def object_info(key: str, meta: Mapping[str, Any], attrs: Mapping[str, str] | None) -> ObjectInfo:
    """What the store knows of ``key`` from S3's object ``meta`` and attributes (``None``
    in listings, which carry none): an object stored without a content type reads back
    with ``content_type=None``, a sha256 only if one was recorded."""
    attrs = attrs or {}
    content_type, sha256 = attrs.get("Content-Type"), attrs.get("sha256")
    return ObjectInfo(
        key=key,
        size=meta["size"],
        sha256=sha256 if is_sha256(sha256) else None,
        modified=meta["last_modified"],
        etag=meta["e_tag"].strip('"') if meta["e_tag"] else None,
        content_type=None if content_type == _S3_DEFAULT_CONTENT_TYPE else content_type,
        metadata={k: v for k, v in attrs.items() if k not in _ATTRIBUTES},
    )


@dataclass(frozen=True, slots=True)
class Staged:
    """A source ready to upload: its size, its sha256 and its bytes."""

    size: int
    sha256: str
    #: The whole object (one request) or its chunks, read once (a multipart upload).
    body: bytes | Iterator[bytes]

    @property
    def multipart(self) -> bool:
        """Whether the body is too large for one request and goes up in parts."""
        return not isinstance(self.body, bytes)


@contextmanager
def staged(reader: BinaryIO, *, threshold: int, key: str, store: str) -> Iterator[Staged]:
    """Hash ``reader`` and present it as one body (up to ``threshold`` bytes) or as chunks."""
    start = reader.tell() if is_seekable(reader) else None
    head = reader.read(threshold + 1)
    if len(head) <= threshold:
        yield Staged(len(head), sha256_bytes(head), head)
    elif start is not None:
        reader.seek(start)
        yield _hashed(reader, key=key, store=store)
    else:
        rest = iter(lambda: reader.read(CHUNK_SIZE), b"")
        with spooled(itertools.chain([head], rest)) as spool:
            yield _hashed(spool, key=key, store=store)


def _hashed(reader: BinaryIO, *, key: str, store: str) -> Staged:
    start, digest, size = reader.tell(), hashlib.sha256(), 0
    while chunk := reader.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    reader.seek(start)
    sha256 = digest.hexdigest()
    return Staged(size, sha256, exactly(reader, size, sha256, key=key, store=store))


def exactly(reader: BinaryIO, size: int, sha256: str, *, key: str, store: str) -> Iterator[bytes]:
    """The next ``size`` bytes of ``reader``; raises :class:`IntegrityError` instead of
    yielding the last chunk if they do not hash to ``sha256``, or if ``reader`` ends early."""
    digest, left = hashlib.sha256(), size
    while left:
        data = reader.read(min(CHUNK_SIZE, left))
        left -= len(data)
        digest.update(data)
        if not data or (not left and digest.hexdigest() != sha256):
            raise IntegrityError(
                "the source changed while it was uploaded",
                key=key,
                store=store,
                hint="do not modify a file while it is being stored",
                said=Message(N_("error.storage.source_changed"), {}),
            )
        yield data
