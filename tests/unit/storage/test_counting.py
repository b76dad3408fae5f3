"""The counting store adds up the bytes of the objects read through it, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.errors import IntegrityError
from entrepot.storage.counting import CountingStore
from entrepot.storage.memory import MemoryStore


def test_every_read_of_an_object_is_counted_and_listings_are_not(tmp_path: Path) -> None:
    inner = MemoryStore("counted")
    inner.put("a/one.bin", b"x" * 10)
    inner.put("a/two.bin", b"y" * 1000)
    store = CountingStore(inner)
    list(store.list("a/"))
    store.ls("a/")
    store.head("a/one.bin")
    assert store.exists("a/two.bin")
    assert store.bytes_read == 0
    assert store.get("a/one.bin") == b"x" * 10
    assert store.bytes_read == 10
    assert b"".join(store.iter_bytes("a/two.bin", chunk_size=64)) == b"y" * 1000
    assert store.bytes_read == 1010
    opened = store.open_stream("a/one.bin")
    assert b"".join(opened.chunks) == b"x" * 10
    store.download("a/two.bin", tmp_path / "two.bin")
    assert store.bytes_read == 2020
    # a scoped view of the counter is counted too
    assert store.scoped("a").get("one.bin") == b"x" * 10
    assert store.bytes_read == 2030


def test_a_stream_closed_early_counts_what_was_read() -> None:
    inner = MemoryStore("early")
    inner.put("big.bin", b"z" * 4096)
    store = CountingStore(inner)
    opened = store.open_stream("big.bin", chunk_size=1024)
    assert next(opened.chunks) == b"z" * 1024
    opened.chunks.close()
    assert store.bytes_read == 1024


def test_a_corrupted_object_is_still_refused(tmp_path: Path) -> None:
    inner = MemoryStore("bad")
    inner.put("k.bin", b"good")
    store = CountingStore(inner)
    with pytest.raises(IntegrityError):
        store.get("k.bin", sha256="0" * 64)
