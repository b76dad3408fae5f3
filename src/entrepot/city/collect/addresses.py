"""Where a feed may send the collector: a redirect never leads to a private address.

The configured feed addresses are the operator's choice (a mirror on the local network is
fine). A *redirect* is the feed's choice: it may move to another public host, or stay on
the configured host, but never to a loopback, private, link-local (cloud metadata),
shared, reserved or multicast address, nor to a name that resolves to one (a name that
resolves to both counts as private: DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence

#: ``resolve(host) -> addresses``; by default the system resolver.
Resolve = Callable[[str], Sequence[str]]


def system_resolve(host: str) -> Sequence[str]:
    """The addresses ``host`` resolves to (empty when it does not resolve)."""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return ()
    return [str(entry[4][0]) for entry in found]


def private_reason(host: str, resolve: Resolve = system_resolve) -> str | None:
    """Why ``host`` is not a public address (``None`` when it is)."""
    bare = host.strip("[]").rstrip(".").lower()
    addresses = [bare] if _literal(bare) else list(resolve(bare))
    if not addresses:
        return f"{host} does not resolve"
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return f"{host} is the non-public address {address}"
    return None


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True
