"""The one-pass hashing helpers behind verified reads."""

from __future__ import annotations

import hashlib
import os

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
