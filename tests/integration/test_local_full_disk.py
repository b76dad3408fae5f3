"""A full disk: a clear error, nothing half-written (a real 256 KiB tmpfs, mounted as root)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrepot.errors import StoreUnavailable
from entrepot.storage.local import LocalStore
from tests.support.disks import tiny_tmpfs


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    with tiny_tmpfs(tmp_path) as mount:
        yield mount


def test_full_disk_names_the_cause_and_leaves_nothing(tiny_disk: Path) -> None:
    store = LocalStore(tiny_disk / "store")
    store.put("small.bin", b"fits")
    with pytest.raises(StoreUnavailable, match="disk full") as caught:
        store.put("big.bin", os.urandom(1024 * 1024))
    assert "free space" in str(caught.value)
    assert not store.exists("big.bin")
    assert [i.key for i in store.list()] == ["small.bin"]
    leftovers = [p for p in tiny_disk.rglob("*") if p.is_file() and ".entrepot-tmp" in p.name]
    assert leftovers == []
    assert store.get("small.bin") == b"fits"
