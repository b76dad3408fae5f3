"""Where the product may connect when a URL is not one the operator typed (ADR 0052).

Every URL the product fetches (the city feeds and their redirects; the OpenID Connect
discovery document and the endpoints it names: keys, token, user info) is checked by
:meth:`Outbound.refusal` before a connection is opened:

1. only ``http`` and ``https``, with a host (``file:``, ``gopher:``... never);
2. a host the operator allows (``ENTREPOT_OUTBOUND_ALLOWED_HOSTS``: a provider or a
   mirror on the local network, ``127.0.0.1`` in tests) is fetched as it is;
3. any other host only over ``https``;
4. an origin the operator configured (scheme, host and port of a feed's or the
   discovery document's URL) is fetched as it is: the operator chose it;
5. any other host only when every address it resolves to is public: never a loopback,
   private, link-local (cloud metadata), shared, reserved or multicast address, nor a
   name resolving to one (a name resolving to both counts as private: DNS rebinding).

A refusal names the URL's host, why, and the setting that would allow it. The name is
resolved once: the connection goes to an address the rule checked (:meth:`Outbound.
destination`, :func:`pinned`), never to a second DNS answer. Bodies are read within a
bound (:func:`bounded`), never whole first.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from entrepot.errors import EntrepotError
from entrepot.messages import Message

#: ``resolve(host) -> addresses``; by default the system resolver.
Resolve = Callable[[str], Sequence[str]]
#: The setting that lists the hosts allowed beyond the rule.
ALLOW_SETTING = "ENTREPOT_OUTBOUND_ALLOWED_HOSTS"
HINT = (
    f"only public https addresses are fetched on a server's say-so; to reach a host on your "
    f"own network (or plain http), add it to {ALLOW_SETTING}"
)
_PORTS = {"http": 80, "https": 443}
_Request = TypeVar("_Request")


#: What the product fetches, each a use the allowed hosts may be limited to: the city's
#: live feeds (``entrepot city collect``) and the OpenID Connect sign-in.
USES = ("feeds", "oidc")


@dataclass(frozen=True, slots=True)
class AllowedHosts:
    """``ENTREPOT_OUTBOUND_ALLOWED_HOSTS`` read: the hosts allowed for every use, and
    those allowed for one use only (``feeds=opendata.paris.fr``)."""

    everywhere: tuple[str, ...] = ()
    #: ``(use, host)`` pairs, in the order given.
    scoped: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowedHosts:
        """The hosts of ``entries``, each ``host`` or ``use=host``: a bare host after a
        ``use=`` entry in the same ``;``-separated group is for that use too
        (``127.0.0.1; feeds=opendata.paris.fr,mirror.lan; oidc=sso.corp.lan``). Raises
        :class:`ValueError` naming an unknown use or an entry that is not a host."""
        everywhere: list[str] = []
        scoped: list[tuple[str, str]] = []
        for group in entries:
            use = None
            for entry in (part.strip() for part in group.split(",")):
                if not entry:
                    continue
                if "=" in entry:
                    use, _, entry = (p.strip() for p in entry.partition("="))
                    if use not in USES:
                        raise ValueError(f"{use!r} is not a use ({', '.join(USES)})")
                if not entry or (any(c in entry for c in "/:@ =") and not _is_ipv6(entry)):
                    raise ValueError(
                        f"{entry!r} is not a host name or an address (write sso.corp.lan, "
                        "10.0.0.5 or feeds=mirror.lan, comma-separated, without scheme or port)"
                    )
                if use is None:
                    everywhere.append(entry)
                else:
                    scoped.append((use, entry))
        return cls(tuple(everywhere), tuple(scoped))

    def entries(self) -> tuple[str, ...]:
        """The setting written back, one entry a host (``parse`` reads it the same)."""
        return self.everywhere + tuple(f"{use}={host}" for use, host in self.scoped)

    def of(self, use: str) -> tuple[str, ...]:
        """The hosts allowed for ``use``: those for every use and its own."""
        return self.everywhere + tuple(host for u, host in self.scoped if u == use)


class OutboundRefused(EntrepotError):
    """A URL the product was about to fetch breaks the outbound rule (nothing was sent);
    ``reason`` says why, without the URL."""

    hint = HINT

    def __init__(self, message: str, *, reason: str = "", said: Message | None = None) -> None:
        super().__init__(message, said=said)
        self.reason = reason or message


class BodyTooLarge(EntrepotError):
    """An answer was larger than its bound (the rest was not read)."""


def system_resolve(host: str) -> Sequence[str]:
    """The addresses ``host`` resolves to (empty when it does not resolve)."""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return ()
    return [str(entry[4][0]) for entry in found]


def normal_host(host: str) -> str:
    """``host`` as compared: lower case, no brackets, no trailing dot, an address in its
    one written form (``::FFFF:7F00:1`` and ``::ffff:127.0.0.1`` are one host)."""
    bare = host.strip().strip("[]").rstrip(".").lower()
    address = _address(bare)
    return bare if address is None else str(address)


def origin(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of ``url`` (the port its scheme implies when none is given)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, normal_host(parts.hostname or ""), port or _PORTS.get(scheme, 0)


@dataclass(frozen=True, slots=True)
class Outbound:
    """The rule for one kind of fetch: the origins the operator configured and the hosts
    the operator allows beyond the rule (see the module's docstring)."""

    configured: frozenset[tuple[str, str, int]] = frozenset()
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, configured: Iterable[str], allowed_hosts: Iterable[str] = ()) -> Outbound:
        """The rule for the operator's URLs ``configured`` and allowed hosts."""
        return cls(
            frozenset(origin(url) for url in configured),
            frozenset(normal_host(h) for h in allowed_hosts if h.strip()),
        )

    def refusal(
        self, scheme: str, host: str, port: int | None, resolve: Resolve = system_resolve
    ) -> str | None:
        """Why a request to ``scheme://host:port`` may not be sent (``None``: it may).
        Give the parts the HTTP client will connect to, never a URL parsed again."""
        reason = self.transport_refusal(scheme, host)
        bare = normal_host(host)
        if reason is not None or bare in self.allowed_hosts:
            return reason
        if (scheme.lower(), bare, port or _PORTS[scheme.lower()]) in self.configured:
            return None
        return public_refusal(bare, resolve)

    def destination(
        self, scheme: str, host: str, port: int | None, resolve: Resolve = system_resolve
    ) -> tuple[str, ...]:
        """The addresses a request to ``scheme://host:port`` may connect to, from **one**
        resolution, each checked by the rule: the connection goes to one of them (see
        :func:`pinned`), never to what a second lookup answers (DNS rebinding). Raises
        :class:`OutboundRefused` naming the host and why."""
        reason = self.transport_refusal(scheme, host)
        bare = normal_host(host)
        literal = _address(bare)
        addresses: tuple[str, ...] = ()
        if reason is None:  # a refused scheme is never looked up
            addresses = (str(literal),) if literal is not None else tuple(resolve(bare))
        if reason is None and not addresses:
            reason = f"{bare} does not resolve"
        trusted = bare in self.allowed_hosts or (
            (scheme.lower(), bare, port or _PORTS.get(scheme.lower(), 0)) in self.configured
        )
        if reason is None and not trusted:
            reason = _addresses_refusal(bare, addresses)
        if reason is not None:
            raise OutboundRefused(f"{scheme}://{bare} is not fetched: {reason}", reason=reason)
        return addresses

    def transport_refusal(self, scheme: str, host: str) -> str | None:
        """Why ``scheme://host`` is refused whatever its address (rules 1 to 3): what a
        browser sent to a URL a server named (an authorization endpoint) must pass."""
        scheme = scheme.lower()
        if scheme not in _PORTS:
            return f"the {scheme or 'missing'} scheme is never fetched (only https)"
        bare = normal_host(host)
        if not bare:
            return "the URL names no host"
        if scheme != "https" and bare not in self.allowed_hosts:
            return f"{bare} is not allowed over plain http"
        return None

    def check(self, url: str, resolve: Resolve = system_resolve) -> None:
        """Raise :class:`OutboundRefused` when ``url`` may not be fetched."""
        scheme, host, port = origin(url)
        reason = self.refusal(scheme, host, port, resolve)
        if reason is not None:
            raise OutboundRefused(f"{shown(url)} is not fetched: {reason}")


def public_refusal(host: str, resolve: Resolve = system_resolve) -> str | None:
    """Why ``host`` is not a public address (``None`` when it is)."""
    literal = _address(host)
    addresses = [str(literal)] if literal is not None else list(resolve(host))
    if not addresses:
        return f"{host} does not resolve"
    return _addresses_refusal(host, addresses)


def _addresses_refusal(host: str, addresses: Sequence[str]) -> str | None:
    """Why the ``addresses`` ``host`` resolved to are not all public (``None``: they are)."""
    for text in addresses:
        address = _address(text)
        if address is None:
            return f"{host} resolves to {text!r}, not an address"
        if address.is_multicast or not address.is_global:
            return f"{host} is the non-public address {address}"
    return None


def pinned(request: _Request, address: str) -> _Request:
    """``request`` (an ``httpx`` or ``httpx2`` request) sent to ``address``, a checked
    address of its host (:meth:`Outbound.destination`): the URL names the address, so no
    name is resolved again, while the ``Host`` header, the TLS server name (SNI) and the
    certificate check keep the name."""
    original: Any = request
    url = original.url
    kind: Any = type(request)
    copy: _Request = kind(
        original.method,
        url.copy_with(host=address),
        headers=original.headers,  # Host: the name, as the request was built
        stream=original.stream,
        extensions={**original.extensions, "sni_hostname": url.host},
    )
    return copy


def bounded(chunks: Iterable[bytes], limit: int, what: str) -> bytes:
    """The bytes of ``chunks``; raises :class:`BodyTooLarge` as soon as they pass ``limit``."""
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(f"{what} sent more than {limit} bytes")
    return bytes(body)


def shown(url: str) -> str:
    """``url`` without its query (short enough for a message)."""
    return url.split("?", 1)[0]


def _is_ipv6(text: str) -> bool:
    address = _address(text.strip("[]"))
    return address is not None and ":" in text


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
