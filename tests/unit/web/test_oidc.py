"""OpenID Connect sign-in against a real (small) provider on 127.0.0.1: discovery, the
authorization code, a signed ID token checked against the provider's keys."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
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
from tests.support.web import PASSWORD, make_web_app

CLIENT_ID, CLIENT_SECRET = "entrepot-test", "provider-secret"


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
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
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
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield found
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def client(tmp_path: Path, provider: Provider) -> Iterator[TestClient]:
    app, _ = make_web_app(tmp_path)
    options: WebOptions = app.state.options
    oidc = OidcOptions(
        f"{provider.issuer}/.well-known/openid-configuration", CLIENT_ID, CLIENT_SECRET, "TestID"
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
    services = client.app.state.services  # type: ignore[attr-defined]
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
