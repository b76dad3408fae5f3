"""Every read is verified; a failed write leaves nothing visible."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrepot.errors import IntegrityError
from entrepot.storage.local import LocalStore
from entrepot.storage.s3 import S3Store

from .conftest import Subject

DATA = b"amount,label\n" + b"12.50,0\n" * 5000


class SourceError(Exception):
    pass


def failing_chunks() -> Iterator[bytes]:
    yield DATA[:4096]
    yield DATA[4096:8192]
    raise SourceError("the upstream connection dropped")


def leftovers(subject: Subject) -> list[str]:
    """Anything a failed write could have left in the backend: files, pending uploads."""
    found = [info.key for info in subject.base.list()]
    if isinstance(subject.base, LocalStore) and subject.base.root.exists():
        found += [
            os.path.relpath(os.path.join(folder, name), subject.base.root)
            for folder, _, names in os.walk(subject.base.root)
            for name in names
        ]
    if isinstance(subject.base, S3Store):
        pending = subject.s3_client.list_multipart_uploads(Bucket=subject.base.bucket)
        found += [upload["Key"] for upload in pending.get("Uploads", [])]
    return found


@pytest.fixture
def corrupted(subject: Subject) -> Subject:
    subject.store.put("data/train.csv", DATA)
    subject.corrupt("data/train.csv", DATA.replace(b"12.50", b"99.99", 1))
    return subject


def test_get_of_a_corrupted_object_is_an_integrity_error(corrupted: Subject) -> None:
    with pytest.raises(IntegrityError) as caught:
        corrupted.store.get("data/train.csv")
    assert "sha256 mismatch" in str(caught.value)
    assert "data/train.csv" in str(caught.value)


def test_iter_bytes_fails_at_the_end_of_a_corrupted_stream(corrupted: Subject) -> None:
    stream = corrupted.store.iter_bytes("data/train.csv", chunk_size=1024)
    with pytest.raises(IntegrityError):
        for _chunk in stream:
            pass


def test_open_stream_fails_at_the_end_of_a_corrupted_stream(corrupted: Subject) -> None:
    opened = corrupted.store.open_stream("data/train.csv", chunk_size=1024)
    assert opened.info.size == len(DATA)
    with pytest.raises(IntegrityError):
        for _chunk in opened.chunks:
            pass


def test_open_stream_refuses_a_digest_the_store_does_not_record(subject: Subject) -> None:
    subject.store.put("k", DATA)
    with pytest.raises(IntegrityError):
        subject.store.open_stream("k", sha256="0" * 64)


def test_download_of_a_corrupted_object_leaves_no_file(corrupted: Subject, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "train.csv"
    with pytest.raises(IntegrityError):
        corrupted.store.download("data/train.csv", dest)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []


def test_a_truncated_object_is_an_integrity_error(subject: Subject) -> None:
    subject.store.put("k", DATA)
    subject.corrupt("k", DATA[:-1])
    with pytest.raises(IntegrityError):
        subject.store.get("k")


def test_a_source_failing_mid_stream_leaves_no_object(subject: Subject) -> None:
    with pytest.raises(SourceError):
        subject.store.put("data/partial.csv", failing_chunks())
    assert not subject.store.exists("data/partial.csv")
    assert leftovers(subject) == []


def test_a_failed_replace_keeps_the_old_object(subject: Subject) -> None:
    subject.store.put("data/model.bin", b"version 1")
    with pytest.raises(SourceError):
        subject.store.put("data/model.bin", failing_chunks())
    assert subject.store.get("data/model.bin") == b"version 1"
