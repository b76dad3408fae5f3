"""Streaming sha256 helpers shared by the adapters."""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import BinaryIO

from entrepot.errors import IntegrityError, InvalidKey
from entrepot.storage.types import CHUNK_SIZE, PutSource

_META_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: Metadata names Entrepôt sets itself, or that S3 clients read as standard headers.
RESERVED_METADATA = frozenset(
    {"sha256", "content-type", "content-disposition", "content-encoding", "content-language"}
    | {"cache-control", "storage-class"}
)
#: Above this, a non-seekable source is spooled to disk rather than memory.
SPOOL_MAX_MEMORY = 8 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def validate_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Check user metadata is portable to every backend (S3 user metadata rules)."""
    if not metadata:
        return {}
    clean: dict[str, str] = {}
    total = 0
    for name, value in metadata.items():
        if not _META_KEY.match(name) or name in RESERVED_METADATA:
            raise InvalidKey(
                f"metadata name {name!r} is not allowed",
                hint="use lowercase letters, digits and '-', at most 64 characters, and none "
                f"of the reserved names {', '.join(sorted(RESERVED_METADATA))}",
            )
        if not isinstance(value, str) or not value.isascii() or not value.isprintable():
            raise InvalidKey(
                f"metadata value for {name!r} must be printable ASCII text",
                hint="encode other values (e.g. as JSON with ensure_ascii)",
            )
        total += len(name) + len(value)
        clean[name] = value
    if total > 2000:
        raise InvalidKey("metadata larger than 2 KB", hint="store large metadata as an object")
    return clean


def is_sha256(value: str | None) -> bool:
    """Whether ``value`` looks like a hex sha256 digest."""
    return value is not None and bool(_SHA256.match(value))


def sha256_bytes(data: bytes | bytearray | memoryview) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_stream(reader: BinaryIO) -> str:
    """Hex sha256 of everything left in ``reader``."""
    digest = hashlib.sha256()
    while chunk := reader.read(CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def as_reader(data: PutSource) -> Iterator[BinaryIO]:
    """Present any put source as a readable binary file object."""
    if isinstance(data, bytes | bytearray | memoryview):
        yield io.BytesIO(data)
    elif hasattr(data, "read"):
        yield data  # type: ignore[misc]
    else:
        with spooled(data) as spool:
            yield spool


@contextmanager
def spooled(chunks: Iterable[bytes] | BinaryIO) -> Iterator[BinaryIO]:
    """Copy a non-seekable source into a seekable temporary file (memory, then disk)."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY) as spool:
        if hasattr(chunks, "read"):
            while chunk := chunks.read(CHUNK_SIZE):
                spool.write(chunk)
        else:
            for chunk in chunks:
                spool.write(chunk)
        spool.seek(0)
        yield spool  # type: ignore[misc]


def is_seekable(reader: BinaryIO) -> bool:
    """Whether ``reader`` can be rewound."""
    try:
        return reader.seekable()
    except (AttributeError, ValueError):
        return False


def verified(
    chunks: Iterable[bytes], expected: str | None, *, key: str, store: str
) -> Iterator[bytes]:
    """Yield ``chunks``; at the end raise :class:`IntegrityError` if their sha256 differs."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    if expected is not None and digest.hexdigest() != expected:
        raise IntegrityError(
            f"sha256 mismatch: expected {expected}, read {digest.hexdigest()}",
            key=key,
            store=store,
        )
