"""Loopback ports and S3 names for tests that start servers."""

from __future__ import annotations

import socket
import uuid

#: The region the local S3 server (moto) answers for.
S3_REGION = "us-east-1"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def unique_bucket() -> str:
    """A bucket name no other test uses."""
    return f"entrepot-test-{uuid.uuid4().hex[:12]}"


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False
