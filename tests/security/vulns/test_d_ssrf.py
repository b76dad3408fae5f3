"""Class (d), server-side request forgery. The product fetches URLs in one place only, the
city collector (the feeds' addresses, OIDC discovery and the S3 endpoint are operator
settings, never a user's input; a structural test holds that list). A feed's *redirect*
is the feed's choice: it must never lead the collector to a loopback, private,
link-local (cloud metadata) or otherwise non-public address, nor to a name resolving to
one (DNS rebinding)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from entrepot.city.collect.fetch import FeedUnavailable, Retries, fetch

FEED = "https://feed.example/opendata/velib.json"
PUBLIC_IP = "93.184.216.34"
#: Where a hostile feed redirects, with what the name resolves to (``None``: a literal).
PRIVATE_TARGETS: dict[str, tuple[str, Sequence[str] | None]] = {
    "loopback": ("http://127.0.0.1:8080/admin", None),
    "loopback, other form": ("http://127.1/admin", ["127.0.0.1"]),
    "localhost": ("http://localhost/admin", ["127.0.0.1", "::1"]),
    "decimal loopback": ("http://2130706433/", ["127.0.0.1"]),
    "cloud metadata": ("http://169.254.169.254/latest/meta-data/", None),
    "metadata by name": ("http://metadata.google.internal/", ["169.254.169.254"]),
    "private 10/8": ("http://10.0.0.5/", None),
    "private 192.168/16": ("http://192.168.1.1/", None),
    "private 172.16/12": ("https://172.16.0.1/", None),
    "shared 100.64/10": ("http://100.64.0.1/", None),
    "unspecified": ("http://0.0.0.0:5432/", None),
    "IPv6 loopback": ("http://[::1]/", None),
    "IPv6 link-local": ("http://[fe80::1]/", None),
    "IPv6 unique local": ("http://[fd00::1]/", None),
    "IPv4-mapped loopback": ("http://[::ffff:127.0.0.1]/", None),
    "DNS rebinding (public and private)": ("http://rebind.example/", [PUBLIC_IP, "127.0.0.1"]),
    "name that does not resolve": ("http://nowhere.invalid/", []),
    "file scheme": ("file:///etc/passwd", None),
}


def _client(target: str, asked: list[str]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "feed.example":
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, content=b"SECRET")

    return httpx.Client(transport=httpx.MockTransport(answer), follow_redirects=False)


def _resolver(table: dict[str, Sequence[str]]) -> object:
    def resolve(host: str) -> Sequence[str]:
        return table.get(host, ())

    return resolve


@pytest.mark.parametrize(
    ("target", "resolves"), PRIVATE_TARGETS.values(), ids=PRIVATE_TARGETS.keys()
)
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


SRC = Path(__file__).resolve().parents[3] / "src" / "entrepot"
FETCHERS = {"httpx", "urllib.request", "requests", "aiohttp", "http.client", "authlib", "boto3"}
#: Every module that may open a connection, and what it reaches.
KNOWN = {
    "city/collect/fetch.py": "the city feeds (operator's URLs; redirects checked here)",
    "web/oidc.py": "the OIDC provider's discovery and keys (operator's URL)",
    "storage/s3.py": "the S3 endpoint (operator's URL)",
    "storage/s3_errors.py": "S3 errors (no connection)",
    "storage/s3_objects.py": "the S3 endpoint",
    "storage/s3_uploads.py": "the S3 endpoint",
    "storage/s3_options.py": "S3 options (no connection)",
    "city/metrics/dynamodb.py": "DynamoDB (operator's AWS account)",
    "storage/url.py": "url2pathname only (no connection)",
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
