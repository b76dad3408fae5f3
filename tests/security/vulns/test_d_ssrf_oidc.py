"""Class (d), server-side request forgery through OpenID Connect discovery. The discovery
URL is the operator's, but the document's *contents* come from the network: a hostile
or compromised provider may name its keys, token or user-info endpoint at the cloud
metadata address, a loopback admin port, a private host or ``file:``. The outbound rule
(ADR 0052, :mod:`entrepot.outbound`) refuses them before any connection; the sign-in
fails with a 401, never a 500, and the place named is never asked.

The provider here is a recording (Google's discovery document, ``tests/fixtures/oidc``)
served on 127.0.0.1 with its endpoints rewritten to the server, one at a time replaced
by a hostile one. The provider is reached as ``localhost`` over plain http, which the
operator's setting (``ENTREPOT_OUTBOUND_ALLOWED_HOSTS=localhost``) allows; the hostile
places are on other hosts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx2
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from entrepot.outbound import Outbound, OutboundRefused
from entrepot.web.oidc import GuardedTransport
from tests.support.ssrf import PRIVATE_TARGETS
from tests.support.web import make_web_app

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "oidc"
GOOGLE = json.loads((RECORDED / "google-openid-configuration.json").read_text())
CLIENT_ID = "entrepot-test"
#: Public addresses the recorded document's hosts resolve to here (no DNS in tests).
PUBLIC = {
    "accounts.google.com": ["142.250.74.237"],
    "oauth2.googleapis.com": ["142.250.74.234", "2a00:1450:4007:80b::200a"],
    "openidconnect.googleapis.com": ["142.250.74.234"],
    "www.googleapis.com": ["142.250.179.106"],
}


class Server:
    """A small HTTP server on 127.0.0.1 that answers from a table and records each path."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answers: dict[str, tuple[int, bytes]] = {}
        self.key: RSAKey | None = None
        self.issuer = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                path = urlsplit(self.path).path
                outer.asked.append(path)
                status, body = outer.answers.get(path, (404, b"{}"))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def canary() -> Iterator[Server]:
    """Where a hostile document points: any request it gets is the forgery succeeding."""
    with Server() as server:
        server.answers = {p: (200, b'{"keys": []}') for p in ("/keys", "/token", "/admin")}
        yield server


@pytest.fixture
def provider() -> Iterator[Server]:
    with Server() as server:
        yield server


def _document(provider: Server, **replaced: str) -> dict[str, Any]:
    base = f"http://localhost:{provider.port}"
    document = dict(GOOGLE)
    document |= {
        "issuer": base,
        "authorization_endpoint": f"{base}/o/oauth2/v2/auth",
        "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/v1/userinfo",
        "jwks_uri": f"{base}/oauth2/v3/certs",
    }
    return document | replaced


def _serve(provider: Server, document: dict[str, Any]) -> None:
    """Serve ``document``, its keys, and a token endpoint (its ID token made once the
    sign-in's nonce is known: :func:`_callback`)."""
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    provider.key, provider.issuer = key, document["issuer"]
    provider.answers = {
        "/.well-known/openid-configuration": (200, json.dumps(document).encode()),
        "/oauth2/v3/certs": (200, json.dumps({"keys": [key.as_dict(private=False)]}).encode()),
    }


def _issue(provider: Server, nonce: str) -> None:
    key = provider.key
    assert key is not None, "serve a document first"
    now = int(time.time())
    claims = {"iss": provider.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300}
    claims |= {"nonce": nonce, "sub": "1", "email": "jane@example.com", "email_verified": True}
    token = {
        "access_token": "at",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key),
    }
    provider.answers["/token"] = (200, json.dumps(token).encode())


@pytest.fixture
def signing_in(tmp_path: Path, provider: Server) -> Iterator[TestClient]:
    """The web app configured through the settings, as an operator would."""
    app, _ = make_web_app(
        tmp_path,
        settings={
            "oidc_metadata_url": f"http://localhost:{provider.port}/.well-known/openid-configuration",
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": "provider-secret",
            "oidc_public_url": "http://testserver",
            "outbound_allowed_hosts": "localhost",
        },
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _callback(client: TestClient, provider: Server) -> Any:
    """Start a sign-in, let the provider issue its token, come back as the browser would."""
    start = client.get("/auth/oidc/login", follow_redirects=False)
    assert start.status_code == 302, start.text
    query = parse_qs(urlsplit(start.headers["location"]).query)
    _issue(provider, query["nonce"][0])
    state = query["state"][0]
    return client.get(f"/auth/oidc/callback?code=c&state={state}", follow_redirects=False)


def test_the_recorded_document_served_as_is_signs_in(
    signing_in: TestClient, provider: Server
) -> None:
    """The control: the same server and document, nothing hostile, signs the user in."""
    _serve(provider, _document(provider))
    answer = _callback(signing_in, provider)
    assert answer.status_code == 303, answer.text
    assert signing_in.get("/api/me").json()["user"]["email"] == "jane@example.com"


#: Where a hostile document sends the server (``{canary}``: the canary's port).
HOSTILE = {
    "keys on a loopback port": ("jwks_uri", "http://127.0.0.1:{canary}/keys"),
    "keys on loopback over https": ("jwks_uri", "https://127.0.0.1:{canary}/keys"),
    "keys at the cloud metadata address": ("jwks_uri", "http://169.254.169.254/latest/"),
    "keys in a local file": ("jwks_uri", "file:///etc/passwd"),
    "keys on a private network host": ("jwks_uri", "https://10.0.0.5/keys"),
    "keys on IPv6 loopback": ("jwks_uri", "https://[::1]:{canary}/keys"),
    "token on a loopback port": ("token_endpoint", "http://127.0.0.1:{canary}/token"),
    "token on loopback over https": ("token_endpoint", "https://127.0.0.1:{canary}/token"),
    "token at the cloud metadata address": ("token_endpoint", "http://169.254.169.254/"),
    "token through gopher": ("token_endpoint", "gopher://127.0.0.1:{canary}/_admin"),
    "token on an IPv4-mapped loopback": ("token_endpoint", "https://[::ffff:7f00:1]/token"),
}


@pytest.mark.parametrize(("field", "target"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_document_naming_a_forbidden_place_fails_the_sign_in_and_never_asks_it(
    signing_in: TestClient,
    provider: Server,
    canary: Server,
    field: str,
    target: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _serve(provider, _document(provider, **{field: target.format(canary=canary.port)}))
    answer = _callback(signing_in, provider)
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] == "sign_in_failed"
    assert canary.asked == []
    # refused by the rule before any connection (not a connection that happened to fail)
    assert "refused by the outbound rule" in caplog.text
    assert signing_in.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    "endpoint", ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>"]
)
def test_an_authorization_endpoint_that_is_no_https_url_is_not_where_browsers_go(
    signing_in: TestClient, provider: Server, endpoint: str
) -> None:
    _serve(provider, _document(provider, authorization_endpoint=endpoint))
    answer = signing_in.get("/auth/oidc/login", follow_redirects=False)
    assert answer.status_code == 401 and "location" not in answer.headers
    page = signing_in.get("/auth/oidc/login", headers={"accept": "text/html"})
    assert page.status_code == 401 and 'id="login-form"' in page.text


def test_an_answer_over_the_bound_fails_the_sign_in(
    signing_in: TestClient, provider: Server
) -> None:
    _serve(provider, _document(provider))
    provider.answers["/oauth2/v3/certs"] = (200, b'{"keys": [' + b" " * (2 * 1024**2) + b"]}")
    answer = _callback(signing_in, provider)
    assert answer.status_code == 401 and answer.json()["code"] == "sign_in_failed"


def _refused(rule: Outbound, url: str, resolves: Mapping[str, Sequence[str]]) -> bool:
    """Whether the transport refuses ``url`` (it never connects: no server is needed)."""

    async def ask() -> bool:
        transport = GuardedTransport(rule, resolve=lambda host: resolves.get(host, ()))
        async with httpx2.AsyncClient(transport=transport) as client:
            try:
                await client.get(url)
            except OutboundRefused:
                return True
            except httpx2.HTTPError:
                return False  # it was allowed, and tried to connect
        return False

    return anyio.run(ask)


GOOGLE_RULE = Outbound.of(["https://accounts.google.com/.well-known/openid-configuration"])


@pytest.mark.parametrize(("target", "resolves"), PRIVATE_TARGETS.values(), ids=PRIVATE_TARGETS)
@pytest.mark.parametrize("scheme", ["as written", "https"])
def test_the_transport_refuses_every_non_public_place_a_document_may_name(
    target: str, resolves: Sequence[str] | None, scheme: str
) -> None:
    url = target.replace("http://", "https://") if scheme == "https" else target
    host = urlsplit(url).hostname or ""
    assert _refused(GOOGLE_RULE, url, {host: resolves} if resolves else {})


@pytest.mark.parametrize(
    "field", ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"]
)
def test_the_recorded_google_endpoints_pass_and_their_http_forms_do_not(field: str) -> None:
    """Google's keys and token live on other hosts than its issuer: the rule asks for
    https and public addresses, not for the issuer's host."""
    url = GOOGLE[field]
    host = urlsplit(url).hostname or ""
    scheme, _, _ = url.partition("://")
    assert GOOGLE_RULE.refusal(scheme, host, None, lambda h: PUBLIC.get(h, ())) is None
    assert _refused(GOOGLE_RULE, url.replace("https://", "http://"), PUBLIC)
