"""Writes and reads: every source kind, content type and metadata, create-only, head."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from entrepot.errors import InvalidKey, ObjectExists, ObjectNotFound, StorageError
from entrepot.storage.protocols import Store
from entrepot.storage.types import ObjectInfo

DATA = b"id,amount\n1,9.50\n2,120.00\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class OnlyRead:
    """A stream with nothing but ``read`` (a socket, a pipe, an HTTP body)."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda: DATA, id="bytes"),
        pytest.param(lambda: bytearray(DATA), id="bytearray"),
        pytest.param(lambda: memoryview(DATA), id="memoryview"),
        pytest.param(lambda: io.BytesIO(DATA), id="file-object"),
        pytest.param(lambda: OnlyRead(DATA), id="read-only-stream"),
        pytest.param(lambda: chunks(DATA, 5), id="iterable"),
        pytest.param(lambda: [DATA[:3], b"", DATA[3:]], id="list-with-empty-chunk"),
    ],
)
def test_every_source_kind_round_trips(store: Store, source: object) -> None:
    info = store.put("in/data.csv", source())  # type: ignore[operator]
    assert (info.key, info.size, info.sha256) == ("in/data.csv", len(DATA), sha(DATA))
    assert store.get("in/data.csv") == DATA


def test_a_file_object_is_read_from_its_current_position(store: Store) -> None:
    source = io.BytesIO(b"HEADER" + DATA)
    source.seek(6)
    assert store.put("k", source).size == len(DATA)
    assert store.get("k") == DATA


def test_put_file_and_download(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(DATA * 1000)
    store.put_file("files/src.bin", src, content_type="text/csv")
    dest = tmp_path / "deep" / "er" / "out.bin"
    info = store.download("files/src.bin", dest)
    assert dest.read_bytes() == DATA * 1000
    assert (info.key, info.size, info.sha256) == (
        "files/src.bin",
        len(DATA) * 1000,
        sha(DATA * 1000),
    )
    assert sorted(p.name for p in dest.parent.iterdir()) == ["out.bin"]


def test_an_empty_object_round_trips(store: Store) -> None:
    assert store.put("empty", b"").size == 0
    assert store.get("empty") == b""
    assert store.head("empty").sha256 == sha(b"")


@pytest.mark.parametrize("key", ["données/été 2024.csv", "report%20final.txt", "a b/c+d=e&f"])
def test_keys_are_kept_exactly(store: Store, key: str) -> None:
    store.put(key, DATA)
    assert store.get(key) == DATA
    assert [i.key for i in store.list()] == [key]


def test_content_type_and_metadata_round_trip(store: Store) -> None:
    meta = {"owner": "ana", "run-id": "2024-06-01T10:00", "empty": ""}
    info = store.put("m.json", b"{}", content_type="application/json", metadata=meta)
    assert (info.content_type, dict(info.metadata)) == ("application/json", meta)
    head = store.head("m.json")
    assert (head.content_type, dict(head.metadata)) == ("application/json", meta)


def test_without_content_type_or_metadata_head_reports_none(store: Store) -> None:
    store.put("plain", DATA)
    head = store.head("plain")
    assert (head.content_type, dict(head.metadata)) == (None, {})


@pytest.mark.parametrize(
    "metadata",
    [
        {"Owner": "ana"},
        {"sha256": "0" * 64},
        {"content-type": "text/plain"},
        {"cache-control": "no-cache"},
        {"storage-class": "GLACIER"},
        {"with space": "x"},
        {"owner": "Ana Lúcia"},
        {"owner": "line\nbreak"},
        {"big": "x" * 3000},
    ],
)
def test_unportable_metadata_is_refused_and_nothing_is_written(
    store: Store, metadata: dict[str, str]
) -> None:
    with pytest.raises(InvalidKey):
        store.put("m", DATA, metadata=metadata)
    assert not store.exists("m")


def test_create_only_refuses_an_existing_key_and_keeps_it(store: Store) -> None:
    store.put("once", b"first", if_absent=True)
    with pytest.raises(ObjectExists) as caught:
        store.put("once", b"second", if_absent=True)
    assert isinstance(caught.value, FileExistsError)
    assert "once" in str(caught.value)
    assert store.get("once") == b"first"


def test_a_plain_put_replaces(store: Store) -> None:
    store.put("k", b"first", metadata={"v": "1"})
    store.put("k", b"second")
    assert store.get("k") == b"second"
    assert store.head("k").sha256 == sha(b"second")
    assert dict(store.head("k").metadata) == {}


def test_iter_bytes_streams_in_chunks(store: Store) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    store.put("big", data)
    parts = list(store.iter_bytes("big", chunk_size=64 * 1024))
    assert b"".join(parts) == data
    assert len(parts) > 1


def test_open_stream_gives_what_head_gives_and_the_bytes(store: Store) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    store.put("big", data, metadata={"k": "v"})
    opened = store.open_stream("big", chunk_size=64 * 1024)
    head = store.head("big")
    assert (opened.info.key, opened.info.size, opened.info.sha256) == (
        head.key,
        head.size,
        head.sha256,
    )
    assert dict(opened.info.metadata) == {"k": "v"}
    assert b"".join(opened.chunks) == data


def test_head_describes_the_object_as_put_did(store: Store) -> None:
    before = datetime.now(UTC) - timedelta(minutes=2)
    put = store.put("h/obj", DATA, metadata={"k": "v"})
    head = store.head("h/obj")
    assert isinstance(head, ObjectInfo)
    assert (head.key, head.size, head.sha256, dict(head.metadata)) == (
        "h/obj",
        len(DATA),
        sha(DATA),
        {"k": "v"},
    )
    assert head.etag
    assert head.etag == put.etag
    assert head.modified.tzinfo is not None
    assert before < head.modified < datetime.now(UTC) + timedelta(minutes=2)
    assert put.size == head.size
    assert put.sha256 == head.sha256


def test_exists(store: Store) -> None:
    assert not store.exists("e")
    store.put("e", b"1")
    assert store.exists("e")
    assert not store.exists("e/child")
    assert not store.exists("other")


@pytest.mark.parametrize("operation", ["get", "head", "iter_bytes", "download"])
def test_a_missing_key_is_object_not_found(store: Store, operation: str, tmp_path: Path) -> None:
    store.put("present", b"1")
    calls = {
        "get": lambda: store.get("absent"),
        "head": lambda: store.head("absent"),
        "iter_bytes": lambda: b"".join(store.iter_bytes("absent")),
        "download": lambda: store.download("absent", tmp_path / "out"),
    }
    with pytest.raises(ObjectNotFound) as caught:
        calls[operation]()
    assert isinstance(caught.value, FileNotFoundError)
    assert isinstance(caught.value, StorageError)
    assert "absent" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_a_folder_is_not_an_object(store: Store) -> None:
    store.put("dir/x", b"1")
    assert not store.exists("dir")
    with pytest.raises(ObjectNotFound):
        store.head("dir")
    with pytest.raises(ObjectNotFound):
        store.get("dir")
