"""Class (d), DNS rebinding: a name that resolves to a public address when it is checked
and to a private one a moment later (a zero TTL). The outbound rule resolves a host once,
checks every address, and the request connects to a checked address with the name kept
for ``Host`` and TLS (ADR 0052): the second answer is never asked for, never used. Held
for the collector (a feed's redirect) and the OpenID Connect transport, with the system
resolver (``socket.getaddrinfo``) replaced by a rebinding one."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import httpx2
import pytest

from entrepot.city.collect.fetch import (
    FeedUnavailable,
    PinnedTransport,
    Retries,
    client,
    fetch,
)
from entrepot.outbound import Outbound, OutboundRefused
from entrepot.web.oidc import GuardedTransport
from tests.support.feeds import Feeds, recorded_feeds
from tests.support.ssrf import PUBLIC_IP

REBINDING = "rebind.example"
_REAL_GETADDRINFO = socket.getaddrinfo


def _entry(address: str, port: Any) -> Any:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """Install a resolver that answers the given addresses for a name, one per lookup
    (the last one again after that); every other name goes to the real resolver. Returns
    the installer; it returns the list of names looked up, in order."""
    asked: list[str] = []

    def install(answers: dict[str, list[str]]) -> list[str]:
        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            if name not in answers:
                return _REAL_GETADDRINFO(host, port, *args, **kwargs)
            asked.append(name)
            sequence = answers[name]
            return [_entry(sequence[min(asked.count(name), len(sequence)) - 1], port)]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        return asked

    return install


class Recording(httpx.BaseTransport):
    """Where the collector's transport connects (the URL's host is the address), with the
    Host header and the TLS name sent; the feed redirects to the rebinding name."""

    def __init__(self) -> None:
        self.connected: list[tuple[str, str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sni = str(request.extensions.get("sni_hostname", ""))
        self.connected.append((request.url.host, request.headers["host"], sni))
        if request.headers["host"] == "feed.example":
            return httpx.Response(302, headers={"Location": f"https://{REBINDING}/velib.json"})
        return httpx.Response(200, content=b"from the public address")


def test_a_redirect_to_a_rebinding_name_connects_to_the_address_checked(
    rebinding_dns: Callable[..., list[str]],
) -> None:
    asked = rebinding_dns({"feed.example": [PUBLIC_IP], REBINDING: [PUBLIC_IP, "127.0.0.1"]})
    recording = Recording()
    with httpx.Client(transport=PinnedTransport(recording), follow_redirects=False) as http:
        body = fetch(http, "https://feed.example/velib.json", retries=Retries(attempts=1))
    assert body == b"from the public address"
    assert recording.connected == [
        (PUBLIC_IP, "feed.example", "feed.example"),
        (PUBLIC_IP, REBINDING, REBINDING),  # the name kept for Host and TLS
    ]
    assert asked.count(REBINDING) == 1  # checked once; the private answer never asked for


def test_the_rebinding_answer_first_is_refused_and_nothing_is_sent(
    rebinding_dns: Callable[..., list[str]],
) -> None:
    """The control: had the check seen the private answer, nothing would be sent."""
    rebinding_dns({"feed.example": [PUBLIC_IP], REBINDING: ["127.0.0.1", PUBLIC_IP]})
    recording = Recording()
    with (
        httpx.Client(transport=PinnedTransport(recording), follow_redirects=False) as http,
        pytest.raises(FeedUnavailable, match=r"non-public address 127\.0\.0\.1; not followed"),
    ):
        fetch(http, "https://feed.example/velib.json", retries=Retries(attempts=1))
    assert [host for _, host, _ in recording.connected] == ["feed.example"]


@pytest.fixture
def server() -> Iterator[Feeds]:
    with recorded_feeds() as feeds:
        yield feeds


def test_a_real_connection_goes_to_the_first_answer_never_the_second(
    server: Feeds, rebinding_dns: Callable[..., list[str]]
) -> None:
    """Over real sockets: the name resolves to the feed server (127.0.0.1) first, then to
    an address where nothing answers; the body arrives, so the second answer was never
    used, and the name was looked up once per attempt."""
    port = server.url.rsplit(":", 1)[1]
    asked = rebinding_dns({"feeds.test": ["127.0.0.1", "10.255.255.1"]})
    with client(5.0) as http:
        body = fetch(
            http,
            f"http://feeds.test:{port}/weather",
            retries=Retries(attempts=1),
            allowed_hosts=("feeds.test",),
        )
    assert body.startswith(b"{") and b"hourly" in body
    assert asked == ["feeds.test"]


def test_the_transport_refuses_a_request_nobody_checked() -> None:
    recording = Recording()
    with (
        httpx.Client(transport=PinnedTransport(recording)) as http,
        pytest.raises(OutboundRefused, match="was not checked"),
    ):
        http.get("https://feed.example/velib.json")
    assert recording.connected == []


def test_the_sign_in_transport_connects_to_the_address_checked(
    rebinding_dns: Callable[..., list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The OpenID Connect transport: the provider's keys URL resolves public, then
    loopback; the request goes to the public address with the name for Host and TLS."""
    asked = rebinding_dns({REBINDING: [PUBLIC_IP, "127.0.0.1"]})
    connected: list[tuple[str, str, str]] = []

    async def handle(self: Any, request: httpx2.Request) -> httpx2.Response:
        sni = str(request.extensions.get("sni_hostname", ""))
        connected.append((request.url.host, request.headers["host"], sni))
        return httpx2.Response(200, stream=httpx2.ByteStream(b'{"keys": []}'))

    monkeypatch.setattr(httpx2.AsyncHTTPTransport, "handle_async_request", handle)
    rule = Outbound.of(["https://accounts.google.com/.well-known/openid-configuration"])

    async def ask() -> int:
        async with httpx2.AsyncClient(transport=GuardedTransport(rule)) as http:
            answer = await http.get(f"https://{REBINDING}/certs")
            await answer.aread()
            return answer.status_code

    assert anyio.run(ask) == 200
    assert connected == [(PUBLIC_IP, REBINDING, REBINDING)]
    assert asked == [REBINDING]
