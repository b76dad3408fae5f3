"""A full disk: a clear error, nothing half-written (a real 256 KiB tmpfs, mounted as root)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrepot.errors import StoreUnavailable
from entrepot.storage.local import LocalStore


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI and the dev machines run as root)")
    mount = tmp_path / f"tiny-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


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
