"""A bounded read-through cache in front of a remote store; itself a :class:`Store`. Reads
are served from local files; writes, listings and deletes go straight to the remote.

**Entries** are keyed by (key, version). The version is the object's sha256, passed by the
caller (``path(key, sha256=...)``: a hit then makes no remote request at all) or read from
the headers of the one remote GET whose body fills the entry. A replaced object has a new
sha256, so it is never served stale. A pinned sha256 is served from the cache even after
the remote object is deleted: those are exactly the bytes asked for.

**Objects without a recorded sha256** (dropped by hand into a folder, uploaded to S3 by
other tools) are keyed by their etag and checked **by size only**: nothing can prove their
bytes. A new etag is a new entry. Objects with neither sha256 nor etag are not cached.

**Verified on fill, trusted on hit.** A miss downloads into a temporary file in the cache
folder, hashing while writing (one pass: the remote's verified stream), and moves it into
place with ``os.replace`` only if the sha256 and size match; otherwise it raises
``IntegrityError`` and leaves nothing behind. A crash leaves at most a temporary file,
reclaimed by a later fill; the entry is not fsynced but recorded under the boot id, and a
hit from a later boot rehashes it once (:mod:`entrepot.storage.cache_unsynced`). A hit
does not rehash: with the sha256 given, ``get`` is one ``open`` and one ``futimens``
(recording the access for LRU) before the plain read; without it, one remote ``head``
more. A miss is one GET. :meth:`CachedStore.verify` rehashes every entry and drops bad ones.

**Bounded.** Entries plus fills in progress never exceed ``max_bytes``, least recently used
evicted first (:mod:`entrepot.storage.cache_folder`); a larger object is streamed, not
cached (``path`` raises ``StorageError``).

**Processes.** Any number of processes may share the folder. Fills are serialized per entry by
file locks, so concurrent readers of one object download it once. Eviction unlinks files; on
POSIX an open handle keeps reading. A path from ``path`` stays valid until evicted (least
recently used first): open it promptly. Hit, miss and eviction counters are per instance; sizes
and entry counts come from the folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from entrepot.errors import ConfigError, IntegrityError, StorageError, StoreUnavailable
from entrepot.messages import N_, Message
from entrepot.storage.cache_folder import CacheFolder, etag_version
from entrepot.storage.cache_unsynced import BootId, read_boot_id
from entrepot.storage.forwarding import ForwardingStore
from entrepot.storage.hashing import is_sha256, sha256_stream, verified
from entrepot.storage.keys import validate_key
from entrepot.storage.protocols import Store
from entrepot.storage.types import CHUNK_SIZE, ObjectInfo

_OPEN_ATTEMPTS = 3
#: Chunks of a fill: small enough to stay in the CPU's cache between hash and write
#: (8 MiB chunks measured slower), large enough that the thread hand-offs are free.
_FILL_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What a cache folder holds, and how this instance used it."""

    #: Reads this instance served from an entry.
    hits: int
    #: Reads this instance fetched from the remote (into the cache or streamed through).
    misses: int
    #: Entries this instance evicted to make room.
    evictions: int
    #: Total size of the entries in the folder now, whichever process wrote them.
    bytes: int
    #: Number of entries in the folder now.
    entries: int
    #: The byte bound.
    max_bytes: int


class CachedStore(ForwardingStore):
    """A :class:`Store` over ``remote`` whose reads go through a bounded folder of verified
    files; see the module docstring for the guarantees. ``boot_id`` reads the id of the
    machine's current boot (``None``: unknown, and every fill is fsynced)."""

    def __init__(
        self, remote: Store, cache_dir: Path, max_bytes: int, *, boot_id: BootId = read_boot_id
    ) -> None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
            raise ConfigError(
                f"cache max_bytes must be a byte count >= 0, not {max_bytes!r}",
                hint="set cache.max_bytes to a number of bytes such as 10000000000 (10 GB)",
                said=Message(N_("error.storage.cache_max_bytes"), {"given": repr(max_bytes)}),
            )
        super().__init__(remote)
        self._remote = remote
        self._folder = CacheFolder(Path(cache_dir).expanduser().absolute(), max_bytes, boot_id)
        self._max_bytes = max_bytes
        self._hits = self._misses = 0
        self._counts_lock = threading.Lock()

    @property
    def remote(self) -> Store:
        """The store this cache reads through to."""
        return self._remote

    @property
    def cache_dir(self) -> Path:
        """The folder holding the entries."""
        return self._folder.root

    @property
    def max_bytes(self) -> int:
        """The bound on the total size of the entries."""
        return self._max_bytes

    # -- reads through the cache -------------------------------------------
    def path(self, key: str, *, sha256: str | None = None) -> Path:
        """A local file holding the verified bytes of ``key``, filled on a miss.

        With ``sha256`` given, a hit makes no remote request; a miss fetches those exact bytes
        or raises ``IntegrityError``. Do not modify the file: it is shared. Raises
        ``StorageError`` for an object that cannot be cached (larger than ``max_bytes``, or
        with neither sha256 nor etag): read it with ``get``, ``iter_bytes`` or ``download``.
        """
        found = self._lookup(key, self._pin(key, sha256))
        if isinstance(found, ObjectInfo):
            raise self._uncacheable(found)
        return Path(found[0])

    def get(self, key: str, *, sha256: str | None = None) -> bytes:
        """The whole object, verified on fill (and against ``sha256`` when given)."""
        opened = self._open_entry(key, sha256)
        if isinstance(opened, ObjectInfo):
            return b"".join(self._stream(opened, sha256, CHUNK_SIZE))
        with opened[0] as f:
            return f.read()

    def iter_bytes(
        self, key: str, *, chunk_size: int = CHUNK_SIZE, sha256: str | None = None
    ) -> Iterator[bytes]:
        """Stream the object from its entry, or from the remote if it cannot be cached.

        As with every store, a corrupted object raises ``IntegrityError`` while the stream is
        read (here before its first byte, as the fill verifies it whole)."""
        try:
            opened = self._open_entry(key, sha256)
        except IntegrityError as exc:
            return _failing(exc)
        if isinstance(opened, ObjectInfo):
            return self._stream(opened, sha256, chunk_size)
        return _chunks(opened[0], chunk_size)

    def download(self, key: str, dest: Path, *, sha256: str | None = None) -> ObjectInfo:
        """Copy the object to ``dest`` atomically; ``dest`` appears only once complete.

        With ``sha256`` given and a hit, the returned info is built from the entry (no etag,
        content type or metadata; ``modified`` is the entry's last use).
        """
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        opened = self._open_entry(key, sha256)
        if isinstance(opened, ObjectInfo):
            stream = self._stream(opened, sha256)
            _write_atomically(dest, lambda out: out.writelines(stream))
            return opened
        f, info = opened
        with f:
            _write_atomically(dest, partial(shutil.copyfileobj, f))
            st = os.fstat(f.fileno())
        if info is not None:
            return info
        modified = datetime.fromtimestamp(st.st_mtime, UTC)
        return ObjectInfo(
            key=key, size=st.st_size, sha256=self._pin(key, sha256), modified=modified
        )

    def cached_copy(self, key: str, sha256: str) -> Path | None:
        """The entry holding the bytes of ``key`` whose digest is ``sha256``, rehashed now;
        ``None`` when the cache holds no intact copy. Never asks the remote: this is how a
        damaged remote object can still be served, and restored, from a good copy."""
        pinned = self._pin(key, sha256)
        assert pinned is not None
        f = self._folder.open_entry(key, pinned)
        if f is None:
            return None
        with f:
            if sha256_stream(f) != pinned:
                return None
        return Path(self._folder.entry(key, pinned))

    # -- cache management --------------------------------------------------
    def info(self) -> CacheStats:
        """This instance's counters and the folder's real total size and entry count."""
        entries = list(self._folder.entries())
        return CacheStats(
            hits=self._hits,
            misses=self._misses,
            evictions=self._folder.evictions,
            bytes=sum(e.size for e in entries),
            entries=len(entries),
            max_bytes=self._max_bytes,
        )

    def clear(self) -> int:
        """Delete every entry (and abandoned partial fills); returns how many entries."""
        return self._folder.clear()

    def verify(self) -> int:
        """Rehash every entry and delete those that do not match their sha256; returns how
        many were deleted. Etag-keyed entries (objects without a sha256) cannot be checked."""
        return self._folder.verify()

    def __repr__(self) -> str:
        return f"CachedStore({self.url!r}, cache_dir={str(self.cache_dir)!r})"

    # -- internals ---------------------------------------------------------
    def _pin(self, key: str, sha256: str | None) -> str | None:
        if sha256 is None:
            return None
        if not is_sha256(sha256.lower()):
            raise StorageError(
                f"sha256 must be 64 hex digits, not {sha256!r}",
                key=key,
                store=self.url,
                hint="pass the digest recorded in ObjectInfo.sha256 or in a manifest",
            )
        return sha256.lower()

    def _lookup(self, key: str, pinned: str | None) -> tuple[str, ObjectInfo | None] | ObjectInfo:
        """The entry (filled on a miss) and the remote info, which a pinned hit never asks
        for; or, for an object not to cache, its remote info alone.

        A pinned hit skips the key check: an entry exists only for a key a fill has checked.
        A pinned miss makes one request, the GET that fills; an unpinned read asks the
        remote's ``head`` for the version first."""
        if pinned is None:
            return self._materialize(key, self._remote.head(validate_key(key)))
        path = self._folder.entry(key, pinned)
        if self._folder.touch(path):
            self._count(hit=True)
            return path, None
        return self._fill_pinned(validate_key(key), pinned, path)

    def _entry_for(self, key: str, info: ObjectInfo, pinned: str | None) -> str | None:
        """The entry that holds these bytes, or ``None`` for an object not to cache."""
        if pinned is not None and info.sha256 is not None and info.sha256 != pinned:
            raise IntegrityError(
                f"the object's sha256 is {info.sha256}, not the expected {pinned}",
                key=key,
                store=self.url,
                hint="the object was replaced since its sha256 was recorded",
                said=Message(
                    N_("error.storage.cache_sha256_differs"),
                    {"recorded": info.sha256, "expected": pinned},
                ),
            )
        sha = pinned or info.sha256
        if (sha is None and info.etag is None) or info.size > self._max_bytes:
            return None
        return self._folder.entry(key, sha or etag_version(info.etag or ""))

    def _fill_pinned(
        self, key: str, pinned: str, path: str
    ) -> tuple[str, ObjectInfo | None] | ObjectInfo:
        """Fill ``path`` from one GET, whose headers say what the object is. Opened only
        under the entry's lock: concurrent readers of one object download it once."""
        seen: list[ObjectInfo] = []

        def opener() -> tuple[int, Iterator[bytes]]:
            opened = self._remote.open_stream(key, chunk_size=_FILL_CHUNK)
            seen.append(opened.info)
            try:
                if self._entry_for(key, opened.info, pinned) is None:
                    raise _Uncacheable
            except BaseException:
                opened.chunks.close()
                raise
            chunks = opened.chunks
            if opened.info.sha256 is None:  # the stream checks only what the store records
                chunks = verified(chunks, pinned, key=key, store=self.url)
            return opened.info.size, chunks

        try:
            wrote = self._folder.fill(path, opener, key=key, source=self.url)
        except _Uncacheable:
            return seen[-1]
        self._count(hit=not wrote)
        return path, seen[-1] if seen else None  # another process filled it: no GET made

    def _materialize(
        self, key: str, info: ObjectInfo, *, retry: bool = True
    ) -> tuple[str, ObjectInfo | None] | ObjectInfo:
        """Fill the entry of the version ``head`` found, from one GET of those bytes."""
        path = self._entry_for(key, info, None)
        if path is None:
            return info
        if self._folder.touch(path):
            self._count(hit=True)
            return path, info

        def opener() -> tuple[int, Iterator[bytes]]:
            chunks = self._remote.iter_bytes(key, chunk_size=_FILL_CHUNK, sha256=info.sha256)
            return info.size, chunks

        try:
            wrote = self._folder.fill(path, opener, key=key, source=self.url)
        except IntegrityError:
            if not retry:
                raise
            fresh = self._remote.head(key)
            if (fresh.sha256, fresh.etag, fresh.size) == (info.sha256, info.etag, info.size):
                raise
            return self._materialize(key, fresh, retry=False)  # replaced while read
        self._count(hit=not wrote)
        return path, info

    def _open_entry(
        self, key: str, sha256: str | None
    ) -> tuple[BinaryIO, ObjectInfo | None] | ObjectInfo:
        """The entry opened, with the remote info if it was asked for; or, for an object not
        to cache, its remote info alone."""
        pinned = self._pin(key, sha256)
        if pinned is not None and (f := self._folder.open_entry(key, pinned)) is not None:
            self._count(hit=True)  # the fast path: one open, one futimens
            return f, None
        for _ in range(_OPEN_ATTEMPTS):
            found = self._lookup(key, pinned)
            if isinstance(found, ObjectInfo):
                return found
            try:
                return open(found[0], "rb"), found[1]
            except FileNotFoundError:
                continue  # evicted between lookup and open
        raise self._thrashing(key)

    def _stream(
        self, info: ObjectInfo, sha256: str | None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        self._count(hit=False)
        chunks = self._remote.iter_bytes(info.key, chunk_size=chunk_size)
        pinned = self._pin(info.key, sha256)
        return verified(chunks, pinned, key=info.key, store=self.url) if pinned else chunks

    def _count(self, *, hit: bool) -> None:
        with self._counts_lock:
            if hit:
                self._hits += 1
            else:
                self._misses += 1

    def _uncacheable(self, info: ObjectInfo) -> StorageError:
        if info.size > self._max_bytes:
            return StorageError(
                f"object of {info.size} bytes is larger than the cache ({self._max_bytes} bytes)",
                key=info.key,
                store=self.url,
                hint="raise cache.max_bytes, or read it with get(), iter_bytes() or download()",
            )
        return StorageError(
            "object has neither sha256 nor etag, so it cannot be cached",
            key=info.key,
            store=self.url,
            hint="rewrite it through Entrepôt to record its sha256, or read it with download()",
        )

    def _thrashing(self, key: str) -> StoreUnavailable:
        return StoreUnavailable(
            f"cache entry evicted {_OPEN_ATTEMPTS} times before it could be opened",
            key=key,
            store=self.cache_dir.as_uri(),
            hint="the cache is too small for the concurrent reads: raise cache.max_bytes",
        )


class _Uncacheable(Exception):
    """A pinned object turned out too large for the cache once its GET answered."""


def _failing(exc: IntegrityError) -> Iterator[bytes]:
    raise exc
    yield b""  # a generator: the error surfaces when the stream is read


def _chunks(f: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    with f:
        while chunk := f.read(chunk_size):
            yield chunk


def _write_atomically(dest: Path, write: Callable[[BinaryIO], None]) -> None:
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
