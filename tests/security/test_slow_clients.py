"""A client that stops sending its body holds nothing (ADR 0040): the real ``entrepot
serve`` answers it 408 and closes its connection, and answers other clients meanwhile."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import Server, instance_env

#: How long the test waits for any answer before it fails (not a measure of anything).
FAILURE_TIMEOUT = 60.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = instance_env(tmp_path, http_body_timeout="1", http_min_rate="0")
    running = Server(env, tmp_path, "--no-worker")
    try:
        yield running
    finally:
        running.stop()


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_a_stalled_body_is_answered_408_and_closed_while_others_are_served(
    server: Server,
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=FAILURE_TIMEOUT) as slow:
        slow.sendall(
            b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
            b'{"email": "a'
        )
        # another client, on its own connection, is answered while that body is awaited
        assert httpx.get(server.url + "/health/live", timeout=FAILURE_TIMEOUT).status_code == 200
        answer = read_all(slow)  # returns only once the server closed the connection
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"connection: close" in head.lower()
    refusal = json.loads(body)
    assert refusal["code"] == "body_stalled" and "1 s" in refusal["message"]
