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


def test_an_upload_to_a_full_store_says_so_not_try_again_in_a_minute(
    tiny_disk: Path, tmp_path: Path
) -> None:
    """Issue 42: a full disk answered "temporarily unavailable, try again in a minute"."""
    from fastapi.testclient import TestClient

    from tests.support.csvs import labelled_csv
    from tests.support.web import make_web_app, user_api

    app, services = make_web_app(tmp_path / "app", settings={"store_url": str(tiny_disk)})
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "full@example.com")
        answer = api.upload(labelled_csv(10_000))  # about 640 KB on a 256 KiB disk
        assert answer.status_code == 507, answer.text
        body = answer.json()
        assert body["code"] == "store_full"
        assert "disk is full" in body["message"] and "not help" in body["message"]
        assert "try again in a minute" not in body["message"]
        assert api.get("/api/datasets").json()["items"] == []
