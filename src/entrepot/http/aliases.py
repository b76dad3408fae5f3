"""Old paths kept for one release: an answer to an old path says so (RFC 9745's
``Deprecation`` header, RFC 8594's ``Sunset`` in words of a release, and a ``Link`` to the
path that replaces it), so a client's logs tell its owner what to change.

The table of old paths lives with the routes that answer them
(:data:`entrepot.api.routers.DEPRECATED_PATHS`); ``entrepot.asgi`` installs
:class:`DeprecatedPaths` with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class Successor:
    """What replaces an old path: the new path (a template such as
    ``/api/predictions/{id}/download`` when it takes another parameter) and the release in
    which the old one stops answering."""

    path: str
    removed_in: str


class DeprecatedPaths:
    """ASGI middleware adding the deprecation headers to every answer of an old path."""

    def __init__(self, app: ASGIApp, *, successors: Mapping[str, Successor]) -> None:
        self.app = app
        self.headers = {
            path: [
                (b"deprecation", b"true"),
                (b"link", f'<{new.path}>; rel="successor-version"'.encode()),
                (b"x-entrepot-removed-in", new.removed_in.encode()),
            ]
            for path, new in successors.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = self.headers.get(scope["path"]) if scope["type"] == "http" else None
        if extra is None:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                linked = any(name.lower() == b"link" for name, _ in own)
                # a route that knows the successor's real address (with its id) said it
                added = [(n, v) for n, v in extra if not (linked and n == b"link")]
                message["headers"] = [*own, *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)
