"""Call an ASGI app directly with a body that streams from a generator, counting what the
app consumed (``TestClient`` reads a generator body whole before sending it)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    """What the app sent back, and how many body bytes it pulled."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    consumed: int = 0

    def json(self) -> Any:
        return json.loads(self.body)


def flood(total: int, chunk: int = 64 * 1024, byte: bytes = b" ") -> Iterator[bytes]:
    """``total`` bytes in chunks, made only as they are asked for."""
    block = byte * chunk
    sent = 0
    while sent < total:
        piece = block[: min(chunk, total - sent)]
        sent += len(piece)
        yield piece


def call(
    app: Any,
    method: str,
    path: str,
    chunks: Iterator[bytes],
    headers: dict[str, str] | None = None,
    client: tuple[str, int] = ("203.0.113.9", 40000),
) -> Answer:
    """Send one request to ``app`` with a body pulled from ``chunks`` as the app reads."""
    answer = Answer()
    raw = [(k.lower().encode(), v.encode("latin-1")) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *raw],
        "client": client,
        "server": ("testserver", 80),
        "state": {},
    }
    finished = False

    async def receive() -> dict[str, Any]:
        nonlocal finished
        if finished:
            await asyncio.sleep(3600)  # nothing more: the app should not wait for this
        try:
            piece = next(chunks)
        except StopIteration:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        answer.consumed += len(piece)
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return answer
