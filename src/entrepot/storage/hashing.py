"""Streaming sha256 helpers shared by the adapters."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from entrepot.errors import IntegrityError, InvalidKey
from entrepot.messages import N_, Message
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
        if not _META_KEY.fullmatch(name) or name in RESERVED_METADATA:
            raise InvalidKey(
                f"metadata name {name!r} is not allowed",
                said=Message(
                    N_("error.storage.metadata_name"),
                    {"name": name, "reserved": ", ".join(sorted(RESERVED_METADATA))},
                ),
                hint="use lowercase letters, digits and '-', at most 64 characters, and none "
                f"of the reserved names {', '.join(sorted(RESERVED_METADATA))}",
            )
        if not isinstance(value, str) or not value.isascii() or not value.isprintable():
            raise InvalidKey(
                f"metadata value for {name!r} must be printable ASCII text",
                said=Message(N_("error.storage.metadata_value"), {"name": name}),
                hint="encode other values (e.g. as JSON with ensure_ascii)",
            )
        total += len(name) + len(value)
        clean[name] = value
    if total > 2000:
        raise InvalidKey(
            "metadata larger than 2 KB",
            hint="store large metadata as an object",
            said=Message(N_("error.storage.metadata_too_large"), {}),
        )
    return clean


def is_sha256(value: str | None) -> bool:
    """Whether ``value`` looks like a hex sha256 digest."""
    return value is not None and bool(_SHA256.fullmatch(value))


def sha256_bytes(data: bytes | bytearray | memoryview) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_stream(reader: BinaryIO) -> str:
    """Hex sha256 of everything left in ``reader``."""
    digest = hashlib.sha256()
    while chunk := reader.read(CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of the local file ``path``, read in chunks."""
    with path.open("rb") as handle:
        return sha256_stream(handle)


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
) -> Generator[bytes, None, None]:
    """Yield ``chunks``; at the end raise :class:`IntegrityError` if their sha256 differs."""
    digest = OverlappedHasher()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    check_digest(digest.hexdigest(), expected, key=key, store=store)


def check_digest(actual: str, expected: str | None, *, key: str, store: str) -> None:
    """Raise :class:`IntegrityError` unless ``actual`` matches ``expected`` (None: unknown)."""
    if expected is not None and actual != expected:
        raise IntegrityError(
            f"sha256 mismatch: expected {expected}, read {actual}",
            key=key,
            store=store,
            said=Message(
                N_("error.storage.sha256_mismatch"),
                {"expected": expected, "actual": actual},
            ),
        )


class OverlappedHasher:
    """A sha256 that hashes each chunk on a worker thread while the caller moves on.

    ``hashlib`` releases the GIL on large buffers, so hashing chunk *n* overlaps reading
    chunk *n+1* and writing chunk *n*: a large copy costs about max(io, hash), not their sum.
    Chunks must not be mutated after :meth:`update` (bytes never are; a view of a buffer
    must not be written again). The workers are the threads of one pool shared by every
    hasher (:func:`_hashing_pool`): starting a thread per chunk cost a sixth of a cold pull.
    """

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._pending: Future[None] | None = None

    #: Below this, a hand-off to a worker costs more than it saves: hash inline.
    INLINE_BELOW = 256 * 1024

    def update(self, chunk: bytes | memoryview) -> None:
        """Queue ``chunk``; returns as soon as the previous chunk is hashed."""
        self._wait()
        if len(chunk) < self.INLINE_BELOW:
            self._digest.update(chunk)
            return
        self._pending = _hashing_pool().submit(self._digest.update, chunk)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def hexdigest(self) -> str:
        """The digest of every chunk queued so far."""
        self._wait()
        return self._digest.hexdigest()


@functools.cache
def _hashing_pool() -> ThreadPoolExecutor:
    """The threads that hash for every :class:`OverlappedHasher` (started on first use; a
    hasher keeps at most one chunk in flight, so a few threads serve many streams)."""
    return ThreadPoolExecutor(max(4, 2 * (os.cpu_count() or 1)), thread_name_prefix="sha256")


def copy_hashed(buffer: bytes | memoryview) -> tuple[bytes, str]:
    """``bytes`` of an immutable ``buffer`` (e.g. a response body held by a native client)
    and its sha256, the copy and the hash running side by side on two cores.

    Both read the same immutable buffer, so the digest is that of the bytes returned. The
    copy runs on a pool thread and the hash here: ``hashlib`` lets go of the GIL while it
    hashes, and the copy (``memoryview.tobytes``) holds it throughout, so the other way round
    the hash waited for the whole copy before it could start.
    """
    view = memoryview(buffer)
    if view.nbytes < OverlappedHasher.INLINE_BELOW:
        data = view.tobytes()
        return data, sha256_bytes(data)
    copy = _hashing_pool().submit(view.tobytes)
    digest = sha256_bytes(view)
    return copy.result(), digest


def copy_counted(chunks: Iterable[bytes], into: IO[bytes], size: int) -> tuple[int, str]:
    """Copy ``chunks`` into ``into`` while hashing them, stopping past ``size`` bytes (more
    than expected is already wrong); the bytes seen (``size + 1`` at most) and the sha256
    of those written. The caller compares both with what it expected."""
    digest, written = hashlib.sha256(), 0
    for chunk in chunks:
        written += len(chunk)
        if written > size:
            break
        digest.update(chunk)
        into.write(chunk)
    return written, digest.hexdigest()
