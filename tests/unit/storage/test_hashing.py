"""The one-pass hashing helpers behind verified reads."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from entrepot.storage.hashing import OverlappedHasher, copy_hashed


@pytest.mark.parametrize("size", [0, 1000, OverlappedHasher.INLINE_BELOW, 3 * 1024 * 1024 + 7])
def test_copy_hashed_returns_bytes_and_their_digest(size: int) -> None:
    body = os.urandom(size)
    data, digest = copy_hashed(memoryview(bytearray(body)))
    assert type(data) is bytes and data == body
    assert digest == hashlib.sha256(body).hexdigest()


def test_overlapped_hasher_equals_sha256_over_mixed_chunk_sizes() -> None:
    chunks = [os.urandom(n) for n in (10, 300_000, 5, 2 * 1024 * 1024, 0, 70_000)]
    digest = OverlappedHasher()
    for chunk in chunks:
        digest.update(memoryview(chunk))
    assert digest.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_overlapped_hashers_reuse_their_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: a thread was started for every large chunk (130 for a 130 MiB file), and
    # waiting for each to start cost a sixth of a cold registry pull.
    started: list[str] = []
    start = threading.Thread.start

    def counted(thread: threading.Thread) -> None:
        started.append(thread.name)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counted)
    chunk = os.urandom(OverlappedHasher.INLINE_BELOW)
    for _ in range(3):
        digest = OverlappedHasher()
        for _ in range(40):
            digest.update(chunk)
        assert digest.hexdigest() == hashlib.sha256(chunk * 40).hexdigest()
    assert len(started) <= 2 * (os.cpu_count() or 1) + 4


def test_copy_hashed_hashes_in_the_callers_thread_while_another_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Regression: the hash was handed to a worker and the copy made here; the copy holds the
    # GIL throughout, so the worker could not even start hashing until the copy was done.
    from entrepot.storage import hashing

    hashed_in: list[int] = []
    real = hashing.sha256_bytes

    def recorded(data: bytes | bytearray | memoryview) -> str:
        hashed_in.append(threading.get_ident())
        return real(data)

    monkeypatch.setattr(hashing, "sha256_bytes", recorded)
    body = os.urandom(3 * OverlappedHasher.INLINE_BELOW)
    data, digest = copy_hashed(memoryview(body))
    assert data == body and digest == hashlib.sha256(body).hexdigest()
    assert hashed_in == [threading.get_ident()]
