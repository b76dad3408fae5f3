"""Class (d), server-side request forgery. The product fetches URLs in two places: the
city collector (the feeds' addresses are operator settings; a feed's *redirect* is the
feed's choice) and the OpenID Connect sign-in (the discovery URL is the operator's, the
endpoints it names are the provider's: ``test_d_ssrf_oidc.py``). Both hold one rule
(``entrepot/outbound.py``, ADR 0052): what a server names is fetched only over https
and at public addresses, never a loopback, private, link-local (cloud metadata) or
otherwise non-public address, nor a name resolving to one (DNS rebinding), unless the
operator allows the host (``ENTREPOT_OUTBOUND_ALLOWED_HOSTS``). A structural test holds
the list of modules that may open a connection."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from entrepot.city.collect.fetch import FeedUnavailable, Retries, fetch
from tests.support.ssrf import PRIVATE_TARGETS, PUBLIC_IP

FEED = "https://feed.example/opendata/velib.json"
#: Each hostile target as written (most over plain http), and over https (the address
#: rule alone refuses it).
TARGETS = {
    **{f"{name}": case for name, case in PRIVATE_TARGETS.items()},
    **{
        f"{name}, https": (url.replace("http://", "https://"), resolves)
        for name, (url, resolves) in PRIVATE_TARGETS.items()
        if url.startswith("http://")
    },
}


def _client(target: str, asked: list[str]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "feed.example":
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, content=b"SECRET")

    return httpx.Client(transport=httpx.MockTransport(answer), follow_redirects=False)


def _resolver(table: dict[str, Sequence[str]]) -> object:
    """A DNS that knows the feed's host (public) and ``table``."""

    def resolve(host: str) -> Sequence[str]:
        return {"feed.example": [PUBLIC_IP], **table}.get(host, ())

    return resolve


@pytest.mark.parametrize(("target", "resolves"), TARGETS.values(), ids=TARGETS.keys())
def test_a_redirect_to_a_non_public_address_is_not_followed(
    target: str, resolves: Sequence[str] | None
) -> None:
    asked: list[str] = []
    host = httpx.URL(target).host
    resolve = _resolver({host: resolves} if resolves is not None else {})
    with _client(target, asked) as http, pytest.raises(FeedUnavailable, match="redirects to"):
        fetch(http, FEED, retries=Retries(attempts=1), resolve=resolve)  # type: ignore[arg-type]
    assert asked == [FEED]  # the private address was never asked


def test_a_redirect_to_a_public_host_is_followed() -> None:
    asked: list[str] = []
    resolve = _resolver({"cdn.example": [PUBLIC_IP]})
    with _client("https://cdn.example/velib.json", asked) as http:
        body = fetch(http, FEED, retries=Retries(attempts=1), resolve=resolve)  # type: ignore[arg-type]
    assert body == b"SECRET" and asked == [FEED, "https://cdn.example/velib.json"]


def test_a_redirect_on_the_configured_host_is_followed() -> None:
    """The operator chose the host (a mirror on the local network is fine)."""
    asked: list[str] = []
    with (
        _client("/opendata/v2/velib.json", asked) as http,
        pytest.raises(FeedUnavailable, match="more than"),
    ):
        fetch(http, FEED, retries=Retries(attempts=1), resolve=_resolver({}))  # type: ignore[arg-type]
    assert all(httpx.URL(url).host == "feed.example" for url in asked) and len(asked) > 1


def test_a_redirect_to_plain_http_on_a_public_host_is_not_followed() -> None:
    asked: list[str] = []
    resolve = _resolver({"cdn.example": [PUBLIC_IP]})
    with (
        _client("http://cdn.example/velib.json", asked) as http,
        pytest.raises(FeedUnavailable, match="plain http"),
    ):
        fetch(http, FEED, retries=Retries(attempts=1), resolve=resolve)  # type: ignore[arg-type]
    assert asked == [FEED]


def test_a_redirect_to_a_host_the_operator_allows_is_followed() -> None:
    """A mirror on the local network, named in ENTREPOT_OUTBOUND_ALLOWED_HOSTS."""
    asked: list[str] = []
    with _client("http://10.0.0.5/velib.json", asked) as http:
        body = fetch(
            http,
            FEED,
            retries=Retries(attempts=1),
            resolve=_resolver({}),  # type: ignore[arg-type]
            allowed_hosts=("10.0.0.5",),
        )
    assert body == b"SECRET" and asked == [FEED, "http://10.0.0.5/velib.json"]


@pytest.mark.parametrize(
    "configured", ["http://feed.example/velib.json", "file:///etc/passwd", "ftp://feed.example/"]
)
def test_a_configured_url_over_plain_http_or_another_scheme_is_refused_unless_allowed(
    configured: str,
) -> None:
    asked: list[str] = []
    with _client("https://cdn.example/", asked) as http, pytest.raises(FeedUnavailable) as error:
        fetch(http, configured, retries=Retries(attempts=1), resolve=_resolver({}))  # type: ignore[arg-type]
    assert asked == [] and "ENTREPOT_OUTBOUND_ALLOWED_HOSTS" in str(error.value)


SRC = Path(__file__).resolve().parents[3] / "src" / "entrepot"
FETCHERS = {
    "httpx",
    "httpx2",
    "urllib.request",
    "requests",
    "aiohttp",
    "http.client",
    "authlib",
    "boto3",
}
#: Every module that may open a connection, and what it reaches.
KNOWN = {
    "city/collect/fetch.py": "the city feeds (operator's URLs; redirects: outbound rule)",
    "web/oidc.py": "the OIDC provider (operator's URL; the endpoints it names: outbound rule)",
    "storage/s3.py": "the S3 endpoint (operator's URL)",
    "storage/s3_buckets.py": "the S3 endpoint (operator's URL): buckets, uploads",
    "storage/s3_errors.py": "S3 errors (no connection)",
    "storage/s3_objects.py": "the S3 endpoint",
    "storage/s3_uploads.py": "the S3 endpoint",
    "storage/s3_options.py": "S3 options (no connection)",
    "city/metrics/dynamodb.py": "DynamoDB (operator's AWS account)",
    "storage/url.py": "url2pathname only (no connection)",
    "cli/remote/client.py": "the deployed service the user logged in to (the user's own URL, "
    "on their machine: no server-side request), redirects refused",
}


def test_no_other_module_fetches_urls() -> None:
    found = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == f or n.startswith(f + ".") for n in names for f in FETCHERS):
                found.add(path.relative_to(SRC).as_posix())
    assert found <= set(KNOWN), found - set(KNOWN)
