"""Cache entries filled without an fsync: trusted in the boot that wrote them, rehashed once
by a hit from another boot (a machine crash may have torn them). The boot id is injected."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from entrepot.errors import StoreUnavailable
from entrepot.storage.cache import CachedStore
from entrepot.storage.cache_unsynced import UnsyncedEntries, read_boot_id
from entrepot.storage.hashing import sha256_bytes
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from entrepot.storage.protocols import Store
from entrepot.storage.types import ObjectInfo

BOOT_A = "0b8f2c9e-1111-4a6b-9c3d-aaaaaaaaaaaa"
BOOT_B = "0b8f2c9e-2222-4a6b-9c3d-bbbbbbbbbbbb"
PAYLOAD = b"model weights " * 100


class CountingRemote(MemoryStore):
    """A memory store that counts the GETs it answers."""

    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def _open(self, key: str, chunk_size: int) -> tuple[ObjectInfo, Iterator[bytes]]:
        self.gets += 1
        return super()._open(key, chunk_size)


@pytest.fixture
def remote() -> CountingRemote:
    store = CountingRemote()
    store.put("models/m.bin", PAYLOAD)
    return store


def _cache(remote: Store, folder: Path, boot: str | None) -> CachedStore:
    """A cache as a process of ``boot`` opens it (each process has its own instance)."""
    return CachedStore(remote, folder, 1_000_000, boot_id=lambda: boot)


def _tear(entry: Path) -> None:
    """What a machine crash can leave of an unsynced entry: the name, not all the bytes."""
    entry.write_bytes(b"\0" * len(PAYLOAD))


SHA = sha256_bytes(PAYLOAD)
READS: dict[str, Callable[[CachedStore], bytes]] = {
    "get": lambda c: c.get("models/m.bin", sha256=SHA),
    "path": lambda c: c.path("models/m.bin", sha256=SHA).read_bytes(),
    "iter_bytes": lambda c: b"".join(c.iter_bytes("models/m.bin", sha256=SHA)),
    "unpinned get": lambda c: c.get("models/m.bin"),
}


def test_a_hit_in_the_boot_that_filled_the_entry_is_not_rehashed(
    remote: CountingRemote, tmp_path: Path
) -> None:
    entry = _cache(remote, tmp_path, BOOT_A).path("models/m.bin", sha256=SHA)
    _tear(entry)  # cannot happen without a machine crash; here it shows nothing rehashes
    assert _cache(remote, tmp_path, BOOT_A).get("models/m.bin", sha256=SHA) != PAYLOAD
    assert remote.gets == 1


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_a_torn_entry_from_another_boot_is_detected_and_fetched_again(
    remote: CountingRemote, tmp_path: Path, read: Callable[[CachedStore], bytes]
) -> None:
    entry = _cache(remote, tmp_path, BOOT_A).path("models/m.bin", sha256=SHA)
    _tear(entry)
    after_reboot = _cache(remote, tmp_path, BOOT_B)
    assert read(after_reboot) == PAYLOAD
    assert remote.gets == 2
    assert entry.read_bytes() == PAYLOAD  # refilled


def test_an_intact_entry_from_another_boot_is_rehashed_once_then_trusted(
    remote: CountingRemote, tmp_path: Path
) -> None:
    entry = _cache(remote, tmp_path, BOOT_A).path("models/m.bin", sha256=SHA)
    remote.delete("models/m.bin")  # any GET now fails: the hit must be served locally
    assert _cache(remote, tmp_path, BOOT_B).get("models/m.bin", sha256=SHA) == PAYLOAD
    assert remote.gets == 1
    _tear(entry)  # settled (rehashed and fsynced): no later process of any boot rehashes it
    assert _cache(remote, tmp_path, BOOT_B).get("models/m.bin", sha256=SHA) != PAYLOAD
    assert _cache(remote, tmp_path, "another-boot").path("models/m.bin", sha256=SHA) == entry


def test_without_a_boot_id_the_fill_is_synced_and_trusted_in_any_boot(
    remote: CountingRemote, tmp_path: Path
) -> None:
    entry = _cache(remote, tmp_path, None).path("models/m.bin", sha256=SHA)
    _tear(entry)  # (after an fsync a machine crash cannot tear it: this shows the trust)
    assert _cache(remote, tmp_path, BOOT_B).get("models/m.bin", sha256=SHA) != PAYLOAD
    assert remote.gets == 1


def test_an_entry_keyed_by_etag_is_synced_not_recorded(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "remote")
    (tmp_path / "remote").mkdir()
    (tmp_path / "remote" / "day.csv").write_bytes(b"a,b\n")  # no sha256: nothing can rehash it
    entry = _cache(store, tmp_path / "cache", BOOT_A).path("day.csv")
    assert not list((tmp_path / "cache").glob("unsynced/*/*"))
    entry.write_bytes(b"x,y\n")
    assert _cache(store, tmp_path / "cache", BOOT_B).get("day.csv") == b"x,y\n"


def test_evicted_and_cleared_entries_leave_no_marker(tmp_path: Path) -> None:
    remote = MemoryStore()
    for name in "abc":
        remote.put(name, name.encode() * 400)
    cache = CachedStore(remote, tmp_path, 1000, boot_id=lambda: BOOT_A)
    for name in "abc":
        cache.get(name)
    markers = sorted(p.name for p in tmp_path.glob("unsynced/*/*"))
    entries = sorted(e.name for e in cache._folder.entries())
    assert cache.info().evictions == 1 and markers == entries
    cache.clear()
    assert not list(tmp_path.glob("unsynced/*/*"))


def test_a_failed_fill_leaves_no_marker(tmp_path: Path) -> None:
    remote = MemoryStore()
    remote.put("k", b"good payload")
    remote.corrupt("k", b"bad payload!")
    cache = CachedStore(remote, tmp_path, 1000, boot_id=lambda: BOOT_A)
    with pytest.raises(Exception, match="sha256 mismatch"):
        cache.get("k")
    assert not list(tmp_path.glob("unsynced/*/*"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOOT_A + "\n", BOOT_A),
        (BOOT_A.upper(), BOOT_A),
        ("not a boot id\n", None),
        ("", None),
    ],
)
def test_the_boot_id_is_a_uuid_or_unknown(tmp_path: Path, text: str, expected: str | None) -> None:
    source = tmp_path / "boot_id"
    source.write_text(text)
    assert read_boot_id(str(source)) == expected


def test_a_missing_boot_id_is_unknown(tmp_path: Path) -> None:
    assert read_boot_id(str(tmp_path / "absent")) is None


def test_a_marker_that_cannot_be_written_fails_the_fill_and_leaves_nothing(
    remote: CountingRemote, tmp_path: Path
) -> None:
    (tmp_path / "unsynced").write_bytes(b"")  # a file where the markers' folder must be
    cache = _cache(remote, tmp_path, BOOT_A)
    open_files = len(os.listdir("/proc/self/fd"))
    with pytest.raises(StoreUnavailable, match="cache fill failed"):
        cache.get("models/m.bin", sha256=SHA)
    assert len(os.listdir("/proc/self/fd")) == open_files  # the fill's file was closed
    assert not os.listdir(tmp_path / "tmp") and cache.info().entries == 0


def test_settling_a_missing_entry_keeps_the_marker_of_a_fill_under_way(tmp_path: Path) -> None:
    UnsyncedEntries(tmp_path, lambda: BOOT_A).record("n")  # filled unsynced, then a reboot
    reader = UnsyncedEntries(tmp_path, lambda: BOOT_B)
    assert reader.is_suspect("n")
    UnsyncedEntries(tmp_path, lambda: BOOT_B).record("n")  # another process refills it...
    assert not reader.settle(str(tmp_path / "objects" / "n"), "n", SHA)  # ...not yet in place
    assert not reader.is_suspect("n")
    assert (tmp_path / "unsynced" / BOOT_B / "n").exists()  # the refill stays recorded
    assert not (tmp_path / "unsynced" / BOOT_A / "n").exists()
