"""An S3 server killed, or frozen (SIGSTOP), during reads and writes: each call fails with
the store's clear error within a bounded time, never hangs, never returns bytes it did not
verify; a thawed server serves again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from entrepot.errors import StorageError, StoreUnavailable
from entrepot.storage.protocols import Buckets, Store
from entrepot.storage.s3_options import S3Options
from entrepot.storage.url import open_store
from tests.support.network import S3_REGION, free_port, listening, unique_bucket
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.s3, pytest.mark.slow]
#: Every failing call must end within this (timeouts of 1-2 s, one retry, a margin).
BOUND_SECONDS = 15.0
BODY = os.urandom(256 * 1024)


@dataclass
class Moto:
    process: subprocess.Popen[bytes]
    endpoint: str


@contextmanager
def _own_moto() -> Iterator[Moto]:
    """A moto S3 server of our own, so that it can be frozen and killed."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(
            lambda: listening(port),
            "moto S3 server listening",
            gone=lambda: None if process.poll() is None else "it exited",
        )
    except BaseException:
        process.kill()
        raise
    try:
        yield Moto(process, f"http://127.0.0.1:{port}")
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def frozen_moto() -> Iterator[Moto]:
    """One server for the freezing tests (each thaws it again)."""
    with _own_moto() as server:
        yield server


@pytest.fixture
def killed_moto() -> Iterator[Moto]:
    with _own_moto() as server:
        yield server


def _store(moto: Moto) -> Store:
    options = S3Options(
        endpoint_url=moto.endpoint,
        region=S3_REGION,
        access_key_id="testing",
        secret_access_key="testing",
        max_retries=1,
        retry_timeout=timedelta(seconds=3),
        connect_timeout=timedelta(seconds=1),
        read_timeout=timedelta(seconds=2),
    )
    opened = open_store(f"s3://{unique_bucket()}/data", s3=options)
    assert isinstance(opened, Buckets)
    opened.create_bucket()
    opened.put("files/kept.bin", BODY)
    return opened


CALLS: dict[str, Callable[[Store], Any]] = {
    "get": lambda s: s.get("files/kept.bin"),
    "iter_bytes": lambda s: b"".join(s.iter_bytes("files/kept.bin")),
    "head": lambda s: s.head("files/kept.bin"),
    "put": lambda s: s.put("files/new.bin", BODY),
    "list": lambda s: list(s.list("files/")),
    "delete": lambda s: s.delete("files/kept.bin"),
}


def _fails_in_bounded_time(store: Store, call: Callable[[Store], Any]) -> StorageError:
    began = time.monotonic()
    with pytest.raises(StorageError) as caught:
        call(store)
    assert time.monotonic() - began < BOUND_SECONDS
    return caught.value


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_a_frozen_server_fails_each_call_in_bounded_time_then_serves_again(
    frozen_moto: Moto, operation: str
) -> None:
    moto, store = frozen_moto, _store(frozen_moto)
    os.killpg(moto.process.pid, signal.SIGSTOP)
    try:
        error = _fails_in_bounded_time(store, CALLS[operation])
        assert isinstance(error, StoreUnavailable), repr(error)
        assert moto.endpoint.split("//")[1] in str(error) or "s3://" in str(error)
    finally:
        os.killpg(moto.process.pid, signal.SIGCONT)
    assert store.get("files/kept.bin") == BODY


def test_a_killed_server_fails_each_call_in_bounded_time(killed_moto: Moto) -> None:
    store = _store(killed_moto)
    os.killpg(killed_moto.process.pid, signal.SIGKILL)
    killed_moto.process.wait(timeout=10)
    for operation, call in sorted(CALLS.items()):
        error = _fails_in_bounded_time(store, call)
        assert isinstance(error, StoreUnavailable), (operation, repr(error))
