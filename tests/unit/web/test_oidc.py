"""OpenID Connect sign-in against a real (small) provider on 127.0.0.1: discovery, the
authorization code, a signed ID token checked against the provider's keys."""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from entrepot.http.options import OidcOptions, WebOptions
from tests.support.network import free_port
from tests.support.waiting import wait_for
from tests.support.web import PASSWORD, make_web_app

CLIENT_ID, CLIENT_SECRET = "entrepot-test", "provider-secret"
#: The provider is served over plain http on loopback: the operator's setting allows it
#: (``ENTREPOT_OUTBOUND_ALLOWED_HOSTS``, ADR 0052).
LOOPBACK = ("127.0.0.1",)


class Provider:
    """A minimal OpenID provider: one user, codes remembered in memory."""

    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        self.codes: dict[str, dict[str, Any]] = {}
        self.claims: dict[str, Any] = {
            "sub": "248289761001",
            "email": "jane@example.com",
            "email_verified": True,
            "name": "Jane Doe",
        }
        #: Replaces the ID token the token endpoint sends: ``forge(header, claims, key)``.
        self.forge: Callable[[dict[str, Any], dict[str, Any], RSAKey], str] | None = None
        self.app = self._app()

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return {"keys": [self.key.as_dict(private=False)]}

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            query = request.query_params
            assert query["client_id"] == CLIENT_ID and "openid" in query["scope"]
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": query.get("nonce"), "redirect": query["redirect_uri"]}
            target = (
                query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
            )
            return RedirectResponse(target, status_code=302)

        @app.post("/token")
        def token(
            request: Request, code: str = Form(), redirect_uri: str = Form()
        ) -> dict[str, Any]:
            grant = self.codes.pop(code)
            assert grant["redirect"] == redirect_uri
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                **self.claims,
            }
            header = {"alg": "RS256", "kid": "k1"}
            forge = self.forge
            id_token = (
                forge(header, claims, self.key) if forge else jwt.encode(header, claims, self.key)
            )
            return {
                "access_token": "at",
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }

        return app


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    port = free_port()
    found = Provider(port)
    server = uvicorn.Server(
        uvicorn.Config(found.app, host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(
        lambda: server.started,
        "the identity provider serving",
        gone=lambda: None if thread.is_alive() else "its thread ended",
        every=0.05,
    )
    yield found
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def client(tmp_path: Path, provider: Provider) -> Iterator[TestClient]:
    app, _ = make_web_app(tmp_path)
    options: WebOptions = app.state.options
    oidc = OidcOptions(
        f"{provider.issuer}/.well-known/openid-configuration",
        CLIENT_ID,
        CLIENT_SECRET,
        "TestID",
        allowed_hosts=LOOPBACK,
        public_url="http://testserver",
    )
    app.state.options = replace(options, oidc=oidc)
    from entrepot.web import oidc as oidc_module

    oidc_module.install(app, oidc)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def sign_in_with_provider(client: TestClient, next: str = "/models") -> Any:
    start = client.get("/auth/oidc/login", params={"next": next}, follow_redirects=False)
    assert start.status_code == 302
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    back = urlsplit(at_provider.headers["location"])
    assert back.path == "/auth/oidc/callback" and "code" in parse_qs(back.query)
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_a_new_user_signs_in_with_the_provider(client: TestClient, provider: Provider) -> None:
    assert "Sign in with TestID" in client.get("/login").text
    answer = sign_in_with_provider(client)
    assert answer.status_code == 303 and answer.headers["location"] == "/models"
    me = client.get("/api/me").json()
    assert me["user"]["email"] == "jane@example.com" and me["user"]["name"] == "Jane Doe"
    assert me["licence"]["plan"] == "trial"


def test_a_verified_email_links_the_existing_account(client: TestClient) -> None:
    services = client.app.state.entrepot  # type: ignore[attr-defined]
    existing = services.accounts.register("jane@example.com", PASSWORD)
    sign_in_with_provider(client)
    assert client.get("/api/me").json()["user"]["id"] == existing.id


def test_an_unverified_email_is_refused(client: TestClient, provider: Provider) -> None:
    provider.claims["email_verified"] = False
    try:
        answer = sign_in_with_provider(client)
    finally:
        provider.claims["email_verified"] = True
    assert answer.status_code == 401 and "did not confirm an email" in answer.json()["message"]
    assert client.get("/api/me").status_code == 401


def test_a_forged_state_is_refused(client: TestClient) -> None:
    client.get("/auth/oidc/login", follow_redirects=False)
    answer = client.get("/auth/oidc/callback?code=stolen&state=forged")
    assert answer.status_code == 401 and answer.json()["code"] == "sign_in_failed"
    assert client.get("/api/me").status_code == 401


def test_an_open_redirect_through_the_provider_is_refused(client: TestClient) -> None:
    answer = sign_in_with_provider(client, next="https://evil.example/")
    assert answer.headers["location"] == "/"


def _signed(header: dict[str, Any], claims: dict[str, Any], key: RSAKey) -> str:
    return jwt.encode(header, claims, key)


def _other_key(header: dict[str, Any], claims: dict[str, Any], key: RSAKey) -> str:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    return jwt.encode(header, claims, stranger)


def _unsigned(header: dict[str, Any], claims: dict[str, Any], key: RSAKey) -> str:
    import base64
    import json

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


#: Seven (and more) ways an ID token is not to be believed; each must be a 401, never a 500.
FORGED: dict[str, Callable[[dict[str, Any], dict[str, Any], RSAKey], str]] = {
    "another key": _other_key,
    "wrong issuer": lambda h, c, k: _signed(h, c | {"iss": "https://evil.example"}, k),
    "wrong audience": lambda h, c, k: _signed(h, c | {"aud": "someone-else"}, k),
    "expired": lambda h, c, k: _signed(h, c | {"exp": c["iat"] - 3600, "iat": c["iat"] - 7200}, k),
    "wrong nonce": lambda h, c, k: _signed(h, c | {"nonce": "replayed"}, k),
    "no subject": lambda h, c, k: _signed(h, {n: v for n, v in c.items() if n != "sub"}, k),
    "unknown key id": lambda h, c, k: _signed(h | {"kid": "k9"}, c, k),
    "alg none": _unsigned,
    "not a JWT": lambda h, c, k: "not-a-token",
    "truncated": lambda h, c, k: _signed(h, c, k)[:-20],
}


@pytest.mark.parametrize("kind", sorted(FORGED))
def test_an_invalid_id_token_is_refused_with_a_401(
    client: TestClient, provider: Provider, kind: str
) -> None:
    provider.forge = FORGED[kind]
    try:
        answer = sign_in_with_provider(client)
    finally:
        provider.forge = None
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] == "sign_in_failed"
    assert client.get("/api/me").status_code == 401


def sign_in_from_a_browser(client: TestClient) -> Any:
    start = client.get("/auth/oidc/login", follow_redirects=False)
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    back = urlsplit(at_provider.headers["location"])
    return client.get(
        f"{back.path}?{back.query}", headers={"accept": "text/html"}, follow_redirects=False
    )


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "The sign-in provider's answer could not be trusted"),
        ("fr", "La réponse du fournisseur d’identité n’est pas fiable"),
    ],
)
def test_a_browser_gets_the_sign_in_page_saying_why(
    client: TestClient, provider: Provider, lang: str, said: str
) -> None:
    client.get(f"/lang/{lang}", follow_redirects=False)
    provider.forge = _other_key
    try:
        page = sign_in_from_a_browser(client)
    finally:
        provider.forge = None
    assert page.status_code == 401 and "text/html" in page.headers["content-type"]
    assert 'id="login-form"' in page.text and said in html.unescape(page.text)
    assert "Traceback" not in page.text


def test_an_unreachable_provider_is_a_401_not_a_500(client: TestClient, provider: Provider) -> None:
    start = client.get("/auth/oidc/login", follow_redirects=False)
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    back = urlsplit(at_provider.headers["location"])
    oidc = client.app.state.oidc  # type: ignore[attr-defined]
    metadata = dict(oidc.server_metadata)
    oidc.server_metadata["token_endpoint"] = f"http://127.0.0.1:{free_port()}/token"
    try:
        answer = client.get(f"{back.path}?{back.query}", follow_redirects=False)
    finally:
        oidc.server_metadata.clear()
        oidc.server_metadata.update(metadata)
    assert answer.status_code == 401 and answer.json()["code"] == "sign_in_failed"
    assert "could not be reached" in answer.json()["message"]


def test_a_forged_host_does_not_choose_the_redirect_uri(client: TestClient) -> None:
    """Issue 42: the redirect URI names the configured public URL, not the Host header."""
    start = client.get("/auth/oidc/login", headers={"Host": "evil.example"}, follow_redirects=False)
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["redirect_uri"] == ["http://testserver/auth/oidc/callback"]


@pytest.mark.parametrize("public_url", [None, "", "evil.example", "javascript:alert(1)"])
def test_sign_in_without_a_public_url_refuses_to_start(public_url: str | None) -> None:
    from entrepot.errors import ConfigError
    from entrepot.web.oidc import redirect_uri

    options = OidcOptions("https://id.example/.well-known", "c", "s", "X", public_url=public_url)
    with pytest.raises(ConfigError, match="ENTREPOT_OIDC_PUBLIC_URL"):
        redirect_uri(options)
