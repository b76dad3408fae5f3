"""The on-disk side of the read-through cache: layout, locks, LRU touches, byte reservations
and eviction of one folder shared by any number of processes.

Layout::

    objects/<xx>/<key hash>-<version><suffix>   entries (the key's file suffix is kept)
    tmp/<entry name>.<random>.part               fills in progress
    locks/<xx>.lock  locks/evict.lock            file locks (256 fill stripes, one eviction)
    unsynced/<boot id>/<entry name>              entries filled without an fsync

The bound: a fill reserves its size under the eviction lock before downloading, by
evicting least recently used entries and creating its temporary file at full size, so the
entries plus the fills in progress never exceed ``max_bytes``. An entry's last access is
its mtime, set on every hit. A temporary file whose stripe lock nobody holds was left by a
crash; the next reservation deletes it.

Durability: a sha256-named entry is written without an fsync, after a durable marker names
it under the machine's boot id; a hit from a later boot rehashes it once (see
:mod:`entrepot.storage.cache_unsynced`). Etag-keyed entries, which nothing can rehash, and
every entry where the boot id is unknown are fsynced before they are moved into place.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock, Timeout

from entrepot.errors import IntegrityError, StorageError, StoreUnavailable
from entrepot.messages import N_, Message
from entrepot.storage.cache_plan import CacheEntry, plan_eviction
from entrepot.storage.cache_unsynced import BootId, UnsyncedEntries, read_boot_id

_ENTRY = re.compile(
    r"^[0-9a-f]{32}-(?:(?P<sha256>[0-9a-f]{64})|e[0-9a-f]{40})(?:\.[A-Za-z0-9]{1,16})?$"
)
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,16}")


@functools.lru_cache(maxsize=8192)  # hits recompute nothing
def entry_name(key: str, version: str) -> str:
    """The file name of the entry for ``key`` at ``version`` (a sha256, or ``e`` + 40 hex
    digits derived from an etag); it keeps the key's suffix so tools that sniff it work."""
    base = key.rpartition("/")[2]
    dot = base.rfind(".")
    suffix = base[dot:] if dot > 0 and _SUFFIX.fullmatch(base, dot) else ""
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}-{version}{suffix}"


def etag_version(etag: str) -> str:
    """The version of an object known only by its etag."""
    return "e" + hashlib.sha256(etag.encode()).hexdigest()[:40]


class CacheFolder:
    """One cache folder: entries named by :func:`entry_name`, bounded by ``max_bytes``."""

    def __init__(self, root: Path, max_bytes: int, boot_id: BootId = read_boot_id) -> None:
        self._root = root
        self._unsynced = UnsyncedEntries(root, boot_id)
        self._objects = str(root / "objects")
        self._max_bytes = max_bytes
        self._evictions = 0
        self._evictions_lock = threading.Lock()

    @property
    def root(self) -> Path:
        """The folder."""
        return self._root

    @property
    def evictions(self) -> int:
        """Entries this instance evicted to make room."""
        return self._evictions

    def entry(self, key: str, version: str) -> str:
        """Where the entry for ``key`` at ``version`` lives (it may not exist)."""
        name = entry_name(key, version)
        return f"{self._objects}/{name[:2]}/{name}"

    def touch(self, path: str) -> bool:
        """Record an access to the entry at ``path``; whether it exists. One syscall."""
        if not self._trusted(path):
            return False
        now = time.time_ns()
        try:
            os.utime(path, ns=(now, now))
        except (FileNotFoundError, NotADirectoryError):
            return False
        except PermissionError:  # an entry another account wrote: serve it, LRU is approximate
            return os.path.isfile(path)
        return True

    def open_entry(self, key: str, version: str) -> BinaryIO | None:
        """The entry for ``key`` at ``version`` opened for reading (access recorded), or None."""
        path = self.entry(key, version)
        if not self._trusted(path):
            return None
        try:
            f = open(path, "rb")  # noqa: SIM115 - the caller closes it
        except (FileNotFoundError, NotADirectoryError):
            return None
        now = time.time_ns()
        try:  # noqa: SIM105 - the hit path: suppress() would cost as much as the syscall
            os.utime(f.fileno(), ns=(now, now))
        except PermissionError:  # another account's entry: serve it, LRU is approximate
            pass
        return f

    def fill(
        self,
        path: str,
        opener: Callable[[], tuple[int, Iterator[bytes]]],
        *,
        key: str,
        source: str,
    ) -> bool:
        """Write the entry at ``path`` from what ``opener()`` returns (the size and the
        bytes), unless another process did meanwhile; whether this call wrote it. The
        opener is called only under the entry's lock, so concurrent fills download once.

        The chunks are a verified stream: they raise ``IntegrityError`` at their end when
        their bytes differ from the digest they must have. They must also be exactly the
        size announced; otherwise ``IntegrityError`` (naming ``key`` in ``source``) and
        nothing is left. The entry is fsynced unless it is recorded as unsynced (the record
        made durable on a thread while the bytes are written).
        """
        name = os.path.basename(path)
        with self._disk(key):
            stripe = self._lock(name[:2])
            stripe.acquire()
        try:
            if self.touch(path):
                return False
            size, chunks = opener()
            with _closing(chunks):
                with self._disk(key):
                    tmp, fd = self._reserve(name, size)
                pending = None
                try:
                    with os.fdopen(fd, "wb") as out:
                        if _is_sha256_entry(name):
                            pending = self._unsynced.start_record(name)
                        self._write_exactly(chunks, out, size, key=key, source=source)
                        if pending is None:
                            with self._disk(key):
                                out.flush()
                                os.fsync(out.fileno())
                    with self._disk(key):
                        if pending is not None:
                            pending.result()  # the marker is durable before the entry's name
                        now = time.time_ns()
                        os.utime(tmp, ns=(now, now))
                        os.makedirs(os.path.dirname(path), exist_ok=True)
                        os.replace(tmp, path)
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    if pending is not None:
                        with contextlib.suppress(Exception):
                            pending.result()  # then no marker can appear after forget()
                    self._unsynced.forget(name)
                    raise
        finally:
            stripe.release()
        return True

    def entries(self) -> Iterator[CacheEntry]:
        """Every entry now in the folder, with its size and last access."""
        objects = self._root / "objects"
        if not objects.is_dir():
            return
        for shard in os.scandir(objects):
            if not shard.is_dir():
                continue
            for item in os.scandir(shard.path):
                if not _ENTRY.match(item.name):
                    continue
                try:
                    st = item.stat()
                except FileNotFoundError:
                    continue  # evicted meanwhile
                yield CacheEntry(item.name, st.st_size, st.st_mtime_ns)

    def clear(self) -> int:
        """Delete every entry and abandoned partial fill; returns how many entries."""
        if not self._root.is_dir():
            return 0
        with self._lock("evict"):
            entries, _ = self._scan(own_stripe=None)
            return sum(1 for e in entries if self._remove(e.name))

    def verify(self) -> int:
        """Rehash every sha256-named entry, delete those that do not match; how many."""
        bad = 0
        for entry in self.entries():
            match = _ENTRY.match(entry.name)
            if match is None or match["sha256"] is None:
                continue
            path = self._root / "objects" / entry.name[:2] / entry.name
            try:
                with open(path, "rb") as f:
                    digest = hashlib.file_digest(f, "sha256").hexdigest()
            except FileNotFoundError:
                continue
            if digest != match["sha256"] and self._remove(entry.name):
                bad += 1
        return bad

    # -- internals ---------------------------------------------------------
    def _trusted(self, path: str) -> bool:
        """Whether the entry at ``path`` (if any) may be served: ``False`` when it was filled
        unsynced under another boot and no longer matches its sha256 (it is deleted)."""
        if not self._unsynced.any_suspect():
            return True
        name = os.path.basename(path)
        if not self._unsynced.is_suspect(name):
            return True
        match = _ENTRY.match(name)
        return self._unsynced.settle(path, name, match["sha256"] if match else None)

    def _reserve(self, name: str, size: int) -> tuple[Path, int]:
        """Evict until ``size`` more bytes fit, then create the fill's temporary file at that
        size. Waits while fills in progress hold the room."""
        delay = 0.01
        while True:
            with self._lock("evict"):
                entries, pending = self._scan(own_stripe=name[:2])
                if pending + size <= self._max_bytes:
                    for entry in plan_eviction(entries, self._max_bytes, incoming=pending + size):
                        if self._remove(entry.name):
                            with self._evictions_lock:
                                self._evictions += 1
                    tmp_dir = self._root / "tmp"
                    tmp_dir.mkdir(parents=True, exist_ok=True)
                    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=f"{name}.", suffix=".part")
                    try:
                        os.ftruncate(fd, size)
                    except OSError:
                        os.close(fd)
                        os.unlink(tmp)
                        raise
                    return Path(tmp), fd
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _scan(self, own_stripe: str | None) -> tuple[list[CacheEntry], int]:
        """Entries, and bytes reserved by fills in progress; deletes abandoned partial fills.

        Called with the eviction lock held. A partial fill is abandoned when no process holds
        its stripe lock, or when its stripe is ``own_stripe`` (held by the caller, who has no
        fill in progress)."""
        pending = 0
        tmp_dir = self._root / "tmp"
        for item in os.scandir(tmp_dir) if tmp_dir.is_dir() else ():
            stripe = item.name[:2]
            if stripe == own_stripe:
                Path(item.path).unlink(missing_ok=True)
                continue
            try:
                with self._lock(stripe).acquire(timeout=0):
                    Path(item.path).unlink(missing_ok=True)
            except Timeout:
                with contextlib.suppress(FileNotFoundError):  # finished meanwhile
                    pending += item.stat().st_size
        return list(self.entries()), pending

    def _remove(self, name: str) -> bool:
        try:
            (self._root / "objects" / name[:2] / name).unlink()
        except FileNotFoundError:
            return False
        self._unsynced.forget(name)
        return True

    def _lock(self, name: str) -> FileLock:
        locks = self._root / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        return FileLock(locks / f"{name}.lock")

    @contextlib.contextmanager
    def _disk(self, key: str) -> Iterator[None]:
        """Turn an error of the cache's own disk into ``StoreUnavailable``."""
        try:
            yield
        except OSError as exc:
            if isinstance(exc, StorageError):
                raise
            raise StoreUnavailable(
                f"cache fill failed: {exc.strerror or exc}",
                key=key,
                store=self._root.as_uri(),
                hint="check the cache folder is writable and its disk has room (cache.dir)",
                said=Message(
                    N_("error.storage.cache_fill_failed"),
                    {"reason": str(exc.strerror or exc)},
                ),
            ) from exc

    def _write_exactly(
        self, chunks: Iterator[bytes], out: BinaryIO, size: int, *, key: str, source: str
    ) -> None:
        """Write ``chunks``, which must be exactly ``size`` bytes, to ``out``."""
        written = 0
        for chunk in chunks:
            written += len(chunk)
            if written > size:
                break
            with self._disk(key):  # errors from the remote's chunks pass unchanged
                out.write(chunk)
        if written != size:
            read = "more" if written > size else str(written)
            raise IntegrityError(
                f"size mismatch: expected {size} bytes, read {read} (changed or corrupted)",
                key=key,
                store=source,
                said=Message(
                    N_("error.storage.size_mismatch"),
                    {"expected": size, "read": read},
                ),
            )


def _is_sha256_entry(name: str) -> bool:
    match = _ENTRY.match(name)
    return match is not None and match["sha256"] is not None


@contextlib.contextmanager
def _closing(chunks: Iterator[bytes]) -> Iterator[None]:
    """Close a stream left unread (a failed or oversized fill frees its connection)."""
    try:
        yield
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
