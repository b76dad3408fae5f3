"""The read-through cache over a memory (or local) remote: hits, misses, staleness, bounds,
integrity, oversize objects, concurrent processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Generic

import pytest
from typing_extensions import TypeVar

from entrepot.errors import (
    ConfigError,
    IntegrityError,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StoreUnavailable,
)
from entrepot.storage.cache import CachedStore
from entrepot.storage.cache_folder import entry_name
from entrepot.storage.hashing import sha256_bytes
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from entrepot.storage.protocols import Store
from entrepot.storage.scoped import ScopedStore
from entrepot.storage.types import ObjectInfo, OpenedObject
from tests.support.waiting import HANG_GUARD

#: The store a :class:`Proxy` forwards to (any store unless said).
S = TypeVar("S", bound=Store, default=Store)


class Proxy(Generic[S]):
    """A remote that forwards everything to ``inner`` and counts the calls."""

    def __init__(self, inner: S) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        override = getattr(type(self), f"_{name}", None)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return override(self, *args, **kwargs) if override else attr(*args, **kwargs)

        return counted

    def _open_stream(self, key: str, *, chunk_size: int = 1024, **_: Any) -> OpenedObject:
        """One GET as this fake's ``head`` and ``iter_bytes`` describe the object."""
        head = getattr(type(self), "_head", None)
        info = head(self, key) if head else self.inner.head(key)
        stream = getattr(type(self), "_iter_bytes", None)
        chunks = (
            stream(self, key, chunk_size=chunk_size)
            if stream
            else self.inner.iter_bytes(key, chunk_size=chunk_size)
        )
        return OpenedObject(info, (chunk for chunk in chunks))


def downloads(remote: Proxy) -> int:
    """How many times the cache asked the remote for the bytes."""
    return remote.calls["iter_bytes"] + remote.calls["open_stream"]


class NoShaRemote(Proxy):
    """Reports objects as having no recorded sha256 (and, optionally, no etag)."""

    def __init__(self, inner: Store, *, etag: bool = True) -> None:
        super().__init__(inner)
        self.etag = etag

    def _head(self, key: str) -> ObjectInfo:
        info = self.inner.head(key)
        return replace(info, sha256=None, etag=info.etag if self.etag else None)


class StaleSizeRemote(Proxy):
    """Reports one byte more than the object holds."""

    def _head(self, key: str) -> ObjectInfo:
        info = self.inner.head(key)
        return replace(info, size=info.size + 1)


class BrokenStreamRemote(Proxy):
    """Fails after the first chunk, like a connection dropped mid-download."""

    def _iter_bytes(self, key: str, **kwargs: Any) -> Iterator[bytes]:
        chunks = self.inner.iter_bytes(key, chunk_size=4)
        yield next(chunks)
        raise ConnectionResetError("connection dropped")


class ReplacedWhileReadRemote(Proxy):
    """The object is replaced right after the cache's first ``head``."""

    def _head(self, key: str) -> ObjectInfo:
        info = self.inner.head(key)
        if self.calls["head"] == 1:
            self.inner.put(key, b"version 2, replaced while being read")
        return info


def _cached(remote: Any, tmp_path: Path, max_bytes: int = 1000) -> CachedStore:
    return CachedStore(remote, tmp_path / "cache", max_bytes)


@pytest.fixture
def remote() -> Proxy[MemoryStore]:
    return Proxy(MemoryStore())


@pytest.fixture
def cache(remote: Proxy, tmp_path: Path) -> CachedStore:
    return _cached(remote, tmp_path)


def _leftovers(cache: CachedStore) -> list[str]:
    """Every file in the cache folder but the lock files."""
    root = cache.cache_dir
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.suffix != ".lock"
    )


# -- hits and misses ---------------------------------------------------------------
def test_a_second_read_is_a_hit(cache: CachedStore, remote: Proxy) -> None:
    remote.put("data/a.csv", b"x,y\n1,2\n")
    assert cache.get("data/a.csv") == b"x,y\n1,2\n"
    assert cache.get("data/a.csv") == b"x,y\n1,2\n"
    stats = cache.info()
    assert (stats.hits, stats.misses, stats.entries, stats.bytes) == (1, 1, 1, 8)
    assert downloads(remote) == 1


def test_a_cached_store_is_a_store_and_passes_writes_through(
    cache: CachedStore, remote: Proxy
) -> None:
    assert isinstance(cache, Store)
    assert cache.url == "memory://default"
    cache.put("a/x", b"1")
    cache.copy("a/x", "a/y")
    assert [i.key for i in cache.list("a")] == ["a/x", "a/y"]
    assert cache.ls("a").objects[1].key == "a/y"
    assert cache.exists("a/y")
    cache.delete("a/y")
    assert not remote.exists("a/y")
    assert cache.head("a/x").size == 1


def test_a_scoped_view_reads_through_the_cache(cache: CachedStore, remote: Proxy) -> None:
    remote.put("users/7/notes.txt", b"hello")
    view = cache.scoped("users/7")
    assert isinstance(view, ScopedStore)
    assert view.get("notes.txt") == b"hello"
    assert view.get("notes.txt") == b"hello"
    assert cache.info().hits == 1


def test_iter_bytes_streams_a_hit_in_chunks(cache: CachedStore, remote: Proxy) -> None:
    remote.put("k", b"abcdefghij")
    cache.get("k")
    assert list(cache.iter_bytes("k", chunk_size=4)) == [b"abcd", b"efgh", b"ij"]
    assert cache.info().hits == 1


def test_download_copies_the_entry_atomically(
    cache: CachedStore, remote: Proxy, tmp_path: Path
) -> None:
    info = remote.put("m/model.bin", b"weights")
    got = cache.download("m/model.bin", tmp_path / "out" / "model.bin")
    assert got == info
    assert (tmp_path / "out" / "model.bin").read_bytes() == b"weights"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["model.bin"]


def test_a_missing_object_is_not_found(cache: CachedStore) -> None:
    with pytest.raises(ObjectNotFound):
        cache.get("nope")
    with pytest.raises(ObjectNotFound):
        cache.path("nope")


# -- cached_copy(): the good copy of a damaged remote ------------------------------
def test_cached_copy_is_the_intact_entry_and_never_asks_the_remote(
    cache: CachedStore, remote: Proxy
) -> None:
    info = remote.put("models/v1/model.bin", b"weights")
    assert info.sha256 is not None
    assert cache.cached_copy("models/v1/model.bin", info.sha256) is None  # cold: no copy
    cache.get("models/v1/model.bin")
    remote.calls.clear()
    copy = cache.cached_copy("models/v1/model.bin", info.sha256)
    assert copy is not None and copy.read_bytes() == b"weights"
    assert remote.calls == Counter()


def test_a_cached_copy_that_rotted_too_is_no_copy(cache: CachedStore, remote: Proxy) -> None:
    info = remote.put("k", b"weights")
    assert info.sha256 is not None
    entry = cache.path("k")
    entry.chmod(0o644)
    entry.write_bytes(b"weighTs")
    assert cache.cached_copy("k", info.sha256) is None
    assert cache.cached_copy("k", sha256_bytes(b"other")) is None


# -- path() and pinned sha256 ------------------------------------------------------
def test_path_with_sha256_makes_no_remote_request_on_a_hit(
    cache: CachedStore, remote: Proxy
) -> None:
    info = remote.put("models/v1/model.onnx", b"onnx bytes")
    first = cache.path("models/v1/model.onnx")
    remote.calls.clear()
    again = cache.path("models/v1/model.onnx", sha256=info.sha256)
    assert cache.get("models/v1/model.onnx", sha256=info.sha256) == b"onnx bytes"
    out = cache.cache_dir.parent / "copy.onnx"
    got = cache.download("models/v1/model.onnx", out, sha256=info.sha256)
    assert remote.calls == Counter()
    assert again == first
    assert again.read_bytes() == b"onnx bytes"
    assert again.suffix == ".onnx"  # tools that sniff the suffix still work
    assert (got.sha256, got.size, out.read_bytes()) == (info.sha256, 10, b"onnx bytes")


def test_path_with_sha256_on_a_cold_cache_fetches_those_bytes(
    cache: CachedStore, remote: Proxy
) -> None:
    info = remote.put("k", b"payload")
    assert cache.path("k", sha256=info.sha256.upper()).read_bytes() == b"payload"
    assert cache.info().misses == 1


def test_a_pinned_sha256_the_remote_does_not_hold_is_an_integrity_error(
    cache: CachedStore, remote: Proxy
) -> None:
    remote.put("k", b"payload")
    with pytest.raises(IntegrityError, match="not the expected"):
        cache.path("k", sha256=sha256_bytes(b"other payload"))
    assert _leftovers(cache) == []


def test_a_malformed_sha256_is_refused(cache: CachedStore) -> None:
    with pytest.raises(StorageError, match="64 hex digits"):
        cache.path("k", sha256="abc")


def test_invalid_keys_are_refused(cache: CachedStore) -> None:
    with pytest.raises(InvalidKey):
        cache.get("../etc/passwd")
    with pytest.raises(InvalidKey):
        cache.path("a//b", sha256="0" * 64)


def test_a_negative_budget_is_a_config_error(remote: Proxy, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_bytes"):
        _cached(remote, tmp_path, max_bytes=-1)


# -- staleness ---------------------------------------------------------------------
def test_a_replaced_object_is_never_served_stale(cache: CachedStore, remote: Proxy) -> None:
    v1 = remote.put("k", b"version 1")
    assert cache.get("k") == b"version 1"
    remote.put("k", b"version 2!")
    assert cache.get("k") == b"version 2!"
    assert cache.info().misses == 2
    # the old version stays addressable by its sha256 while cached
    assert cache.path("k", sha256=v1.sha256).read_bytes() == b"version 1"


def test_an_object_replaced_while_being_read_is_fetched_again(tmp_path: Path) -> None:
    remote = ReplacedWhileReadRemote(MemoryStore())
    remote.inner.put("k", b"version 1")
    cache = _cached(remote, tmp_path)
    assert cache.get("k") == b"version 2, replaced while being read"
    assert cache.info().entries == 1


# -- the byte bound and LRU --------------------------------------------------------
def test_lru_eviction_honours_the_byte_bound(remote: Proxy, tmp_path: Path) -> None:
    cache = _cached(remote, tmp_path, max_bytes=300)
    for name in "abcd":
        remote.put(name, name.encode() * 100)
    for name in "abc":
        cache.get(name)
    cache.get("a")  # a is now more recent than b
    cache.get("d")  # needs 100 bytes: b, the least recently used, goes
    stats = cache.info()
    assert (stats.entries, stats.bytes, stats.evictions) == (3, 300, 1)
    remote.calls.clear()
    for name in "acd":
        cache.get(name)
    assert downloads(remote) == 0
    cache.get("b")
    assert downloads(remote) == 1
    assert cache.info().bytes <= 300


def test_an_object_larger_than_the_cache_is_streamed_uncached(
    remote: Proxy, tmp_path: Path
) -> None:
    cache = _cached(remote, tmp_path, max_bytes=100)
    data = bytes(range(256)) * 2
    info = remote.put("big.bin", data)
    assert cache.get("big.bin") == data
    assert b"".join(cache.iter_bytes("big.bin", chunk_size=100)) == data
    assert cache.get("big.bin", sha256=info.sha256) == data
    assert cache.download("big.bin", tmp_path / "big.bin").size == 512
    assert (tmp_path / "big.bin").read_bytes() == data
    with pytest.raises(StorageError, match="larger than the cache"):
        cache.path("big.bin")
    assert cache.info().entries == 0
    assert cache.info().misses == 4


def test_a_corrupted_oversize_object_still_fails_verification(
    remote: Proxy[MemoryStore], tmp_path: Path
) -> None:
    cache = _cached(remote, tmp_path, max_bytes=10)
    remote.put("big", b"0123456789abcdef")
    remote.inner.corrupt("big", b"0123456789abcdeX")
    with pytest.raises(IntegrityError):
        cache.get("big")


# -- integrity ---------------------------------------------------------------------
@pytest.mark.parametrize("bad", [b"same length!", b"shorter", b"much longer than before"])
def test_a_corrupted_remote_is_an_integrity_error_and_leaves_nothing(
    cache: CachedStore, remote: Proxy[MemoryStore], bad: bytes
) -> None:
    remote.put("k", b"good payload")
    remote.inner.corrupt("k", bad)
    with pytest.raises(IntegrityError):
        cache.get("k")
    with pytest.raises(IntegrityError):
        cache.path("k")
    assert _leftovers(cache) == []
    assert cache.info().entries == 0


def test_a_dropped_download_leaves_no_partial_entry(tmp_path: Path) -> None:
    remote = BrokenStreamRemote(MemoryStore())
    remote.inner.put("k", b"0123456789")
    cache = _cached(remote, tmp_path)
    with pytest.raises(ConnectionResetError):
        cache.get("k")
    assert _leftovers(cache) == []


def test_verify_drops_an_entry_altered_on_disk(cache: CachedStore, remote: Proxy) -> None:
    remote.put("a", b"aaaa")
    remote.put("b", b"bbbb")
    cache.get("a")
    cache.path("b").write_bytes(b"XXXX")  # hits trust entries: this is what verify() is for
    assert cache.verify() == 1
    assert cache.info().entries == 1
    assert cache.get("b") == b"bbbb"


@pytest.mark.parametrize("orphan_key", ["x", "k"], ids=["other-stripe", "same-stripe"])
def test_a_partial_fill_left_by_a_crash_is_reclaimed(
    remote: Proxy, tmp_path: Path, orphan_key: str
) -> None:
    cache = _cached(remote, tmp_path, max_bytes=1000)
    orphan = cache.cache_dir / "tmp" / f"{entry_name(orphan_key, '0' * 64)}.crashed.part"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"\0" * 900)  # would leave no room if it still counted
    remote.put("k", b"k" * 500)
    assert cache.get("k") == b"k" * 500
    assert not orphan.exists()
    assert cache.info().bytes == 500


# -- objects without a sha256 ------------------------------------------------------
def test_a_file_dropped_by_hand_is_cached_by_etag(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "remote")
    (tmp_path / "remote" / "raw").mkdir(parents=True)
    dropped = tmp_path / "remote" / "raw" / "day.csv"
    dropped.write_bytes(b"a,b\n")
    assert store.head("raw/day.csv").sha256 is None
    cache = _cached(store, tmp_path)
    assert cache.get("raw/day.csv") == b"a,b\n"
    assert cache.get("raw/day.csv") == b"a,b\n"
    assert cache.info().hits == 1
    dropped.write_bytes(b"a,b\n1,2\n")  # replaced by hand: new size and mtime, new etag
    assert cache.get("raw/day.csv") == b"a,b\n1,2\n"


def test_an_etag_keyed_object_is_checked_by_size(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "remote")
    (tmp_path / "remote").mkdir()
    (tmp_path / "remote" / "k").write_bytes(b"123")  # no sha256: nothing verifies the bytes
    remote = StaleSizeRemote(store)
    cache = _cached(remote, tmp_path)
    with pytest.raises(IntegrityError, match="size mismatch"):
        cache.get("k")
    assert _leftovers(cache) == []


def test_a_pinned_sha256_verifies_an_object_the_remote_cannot(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "remote")
    (tmp_path / "remote").mkdir()
    (tmp_path / "remote" / "model.bin").write_bytes(b"weights")  # dropped by hand: no sha256
    cache = _cached(store, tmp_path)
    with pytest.raises(IntegrityError, match="sha256 mismatch"):
        cache.path("model.bin", sha256=sha256_bytes(b"other weights"))
    assert _leftovers(cache) == []
    path = cache.path("model.bin", sha256=sha256_bytes(b"weights"))
    assert path.read_bytes() == b"weights"


def test_an_object_without_sha256_or_etag_is_not_cached(tmp_path: Path) -> None:
    remote = NoShaRemote(MemoryStore(), etag=False)
    remote.inner.put("k", b"1234")
    cache = _cached(remote, tmp_path)
    assert cache.get("k") == b"1234"
    with pytest.raises(StorageError, match="neither sha256 nor etag"):
        cache.path("k")
    assert cache.info().entries == 0


# -- clear -------------------------------------------------------------------------
def test_clear_removes_every_entry(cache: CachedStore, remote: Proxy) -> None:
    for name in "abc":
        remote.put(name, b"x")
        cache.get(name)
    assert cache.clear() == 3
    assert cache.info().entries == 0
    assert _leftovers(cache) == []
    cache.get("a")
    assert cache.info().misses == 4


def test_clear_on_a_fresh_folder_is_zero(cache: CachedStore) -> None:
    assert cache.clear() == 0
    assert cache.info().entries == 0


def test_a_cache_folder_that_cannot_be_created_is_unavailable(
    remote: Proxy, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_bytes(b"")
    cache = CachedStore(remote, tmp_path / "a-file" / "cache", 1000)
    remote.put("k", b"x")
    with pytest.raises(StoreUnavailable, match="cache fill failed") as caught:
        cache.get("k")
    assert "a-file/cache" in str(caught.value)


# -- several threads and processes -------------------------------------------------
def test_a_pinned_miss_is_one_request(cache: CachedStore, remote: Proxy) -> None:
    # A cold registry pull knows the sha256 from the manifest: the GET that fills the
    # entry also says what the object is, so no HEAD goes before it.
    info = remote.put("models/m.bin", b"weights" * 100)
    remote.calls.clear()
    assert cache.get("models/m.bin", sha256=info.sha256) == b"weights" * 100
    assert (remote.calls["head"], downloads(remote)) == (0, 1)


def test_a_pinned_object_too_large_for_the_cache_is_streamed(remote: Proxy, tmp_path: Path) -> None:
    cache = _cached(remote, tmp_path, max_bytes=10)
    info = remote.put("big", b"x" * 100)
    assert cache.get("big", sha256=info.sha256) == b"x" * 100
    assert cache.info().entries == 0
    with pytest.raises(StorageError, match="larger than the cache"):
        cache.path("big", sha256=info.sha256)


def test_threads_filling_one_key_download_it_once(tmp_path: Path) -> None:
    remote = SlowRemote(MemoryStore(), 0.2)
    remote.inner.put("k", b"payload")
    cache = _cached(remote, tmp_path)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: cache.get("k"), range(4)))
    assert results == [b"payload"] * 4
    assert downloads(remote) == 1
    assert (cache.info().misses, cache.info().hits) == (1, 3)


class SlowRemote(Proxy):
    """Takes its time before the first byte, so concurrent fills overlap."""

    def __init__(self, inner: Store, delay: float) -> None:
        super().__init__(inner)
        self.delay = delay

    def _iter_bytes(self, key: str, **kwargs: Any) -> Iterator[bytes]:
        time.sleep(self.delay)
        yield from self.inner.iter_bytes(key, **kwargs)


def _read_in_child(
    root: str, cache_dir: str, max_bytes: int, delay: float, keys: list[str], barrier: Any, out: Any
) -> None:
    try:
        remote = SlowRemote(LocalStore(root), delay)
        cache = CachedStore(remote, Path(cache_dir), max_bytes)
        barrier.wait()
        ok = True
        for key in keys:
            ok &= cache.get(key) == _payload(key)
            ok &= cache.info().bytes <= max_bytes
        stats = cache.info()
        out.put((ok, stats.misses, stats.hits))
    except BaseException as exc:
        out.put((repr(exc), -1, -1))
        raise


def _payload(key: str) -> bytes:
    return key.encode() * (400 // len(key))


def _run_children(
    tmp_path: Path, max_bytes: int, delay: float, key_lists: list[list[str]]
) -> list[Any]:
    """Run one process per key list, each reading its keys through one shared cache folder."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(len(key_lists)), ctx.Queue()
    args = (str(tmp_path / "remote"), str(tmp_path / "cache"), max_bytes, delay)
    procs = [
        ctx.Process(target=_read_in_child, args=(*args, keys, barrier, out)) for keys in key_lists
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=HANG_GUARD) for _ in procs]
    for p in procs:
        p.join(timeout=HANG_GUARD)
        assert p.exitcode == 0
    return results


@pytest.mark.slow
def test_two_processes_filling_one_key_download_it_once(tmp_path: Path) -> None:
    LocalStore(tmp_path / "remote").put("model.bin", _payload("model.bin"))
    results = _run_children(tmp_path, 10_000, 0.3, [["model.bin"], ["model.bin"]])
    assert [ok for ok, _, _ in results] == [True, True]
    assert sorted((misses, hits) for _, misses, hits in results) == [(0, 1), (1, 0)]


@pytest.mark.slow
def test_processes_sharing_a_small_cache_keep_the_bound(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "remote")
    keys = [f"k{i}" for i in range(6)]
    for key in keys:
        store.put(key, _payload(key))
    max_bytes = 1000  # room for two 400-byte objects
    results = _run_children(tmp_path, max_bytes, 0.05, [keys, keys[::-1], keys[2:] + keys[:2]])
    assert [ok for ok, _, _ in results] == [True, True, True]
    final = CachedStore(store, tmp_path / "cache", max_bytes).info()
    assert 0 < final.bytes <= max_bytes
    assert not os.listdir(tmp_path / "cache" / "tmp")
