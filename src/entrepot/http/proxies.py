"""The client's address, believed from ``X-Forwarded-For`` only behind a trusted proxy.

The address the rate limits count by is the peer's, unless the peer is one of the
configured reverse proxies (none by default): then it is the last address in
``X-Forwarded-For`` that is not itself a trusted proxy. A client talking to the service
directly cannot choose its address by sending the header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.1`` and ``10.0.0.0/8`` as networks; raises ``ValueError`` naming a bad one."""
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"trusted proxy {entry!r} is not an address or a network (10.0.0.1, 10.0.0.0/8)"
            ) from None
    return tuple(found)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(
    peer: str | None, forwarded_for: str | None, networks: tuple[Network, ...]
) -> str | None:
    """The client's address: ``peer``, or behind trusted proxies the nearest untrusted
    address of ``forwarded_for``."""
    if peer is None or not networks or not _trusted(peer, networks) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a garbled header: believe nothing of it
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


class ClientAddress:
    """ASGI middleware setting ``scope["client"]`` from :func:`client_address`."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str] = ()) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.networks:
            client = scope.get("client")
            peer = client[0] if client else None
            given = [
                value.decode("latin-1")
                for name, value in scope.get("headers") or []
                if name.lower() == b"x-forwarded-for"
            ]
            address = client_address(peer, ",".join(given) or None, self.networks)
            if address != peer:
                scope = {**scope, "client": (address, client[1] if client else 0)}
        await self.app(scope, receive, send)
