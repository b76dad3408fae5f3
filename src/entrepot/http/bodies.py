"""Request bodies bounded before anything reads them.

A pure ASGI middleware, outside authentication, sessions and parsing: each route has a
limit (the upload routes the service's upload limit and room for the multipart envelope,
every other route a small one for JSON and forms). A request declaring a larger
``Content-Length`` is refused without one byte of its body read; a body without one, or
longer than it said, is cut off at the first chunk past the limit. Either way the client
gets a 413 whose message names the limit and what to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrepot.http.observability import request_id
from entrepot.sizes import human_size

#: The route that receives a model version's files (ADR 0057).
PUSH_PATH = "/api/models/push"
#: Routes whose body is a file: ``multipart/form-data`` up to the upload limit.
UPLOAD_PATHS = frozenset({"/api/upload", "/api/analyze", PUSH_PATH})
#: Room for the multipart envelope around the file (headers, boundary, small fields).
ENVELOPE = 64 * 1024


class _BodyOverLimit(Exception):
    """A request body went over its route's limit while it streamed in (internal: the
    middleware answers the 413 itself)."""


@dataclass(frozen=True)
class BodyLimits:
    """How many bytes of body each kind of route accepts."""

    #: JSON bodies and forms.
    default: int
    #: The largest file any plan may upload (the plan's own limit is checked after sign-in).
    upload: int

    def of(self, path: str) -> int:
        """The limit of a route."""
        return self.upload + ENVELOPE if path in UPLOAD_PATHS else self.default

    def code(self, path: str) -> str:
        """The error code of a refusal (the one the upload routes use for a large file)."""
        return "dataset_too_large" if path in UPLOAD_PATHS else "too_large"

    def message(self, path: str) -> str:
        """What a client sending too much to ``path`` is told."""
        if path == PUSH_PATH:
            return (
                "the push is larger than this service accepts (files up to "
                f"{human_size(self.upload)}); push a smaller model"
            )
        if path in UPLOAD_PATHS:
            return (
                "the upload is larger than this service accepts (files up to "
                f"{human_size(self.upload)}); upload a smaller file (a sample, or Parquet)"
            )
        return (
            f"the request body is larger than {human_size(self.default)}, the limit of "
            f"{path}; send a smaller body (files go to /api/upload as multipart/form-data)"
        )


class BodyLimit:
    """ASGI middleware refusing bodies over :class:`BodyLimits` with a 413."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.limits.of(path)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(send, path, scope)
            return
        received = 0
        exceeded = started = False

        async def bounded_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyOverLimit(self.limits.message(path))
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app made of the cut body, the answer is ours
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await self._refuse(send, path, scope)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, watched_send)
        except _BodyOverLimit:
            if not started:
                await self._refuse(send, path, scope)

    async def _refuse(self, send: Send, path: str, scope: Scope) -> None:
        # the message is written only for a refusal: most requests are not refused
        code, message = self.limits.code(path), self.limits.message(path)
        state = getattr(scope.get("app"), "state", None)
        in_words = getattr(state, "refusal_message", None)  # the pages' language, if any
        if in_words is not None:
            message = await in_words(scope, 413, code, message)
        await send_refusal(send, 413, code, message)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            # a malformed length is the server's to refuse; the bytes are counted anyway
            return int(text) if text.isdigit() else None
    return None


async def send_refusal(send: Send, status: int, code: str, message: str) -> None:
    """Answer a request before the app sees it (the middleware's refusals: 413 here, 408 in
    ``pace.py``): the service's error body, and the connection closed so that the client's
    unread bytes are never read."""
    body = json.dumps(
        {"code": code, "message": message, "request_id": request_id()}, ensure_ascii=False
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
