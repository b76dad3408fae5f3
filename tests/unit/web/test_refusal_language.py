"""A body too large for its route is refused by a middleware outside the sessions; a
signed-in page's script (the upload form: session cookie, no token) still gets the
refusal in the page's language, an API client the language its ``Accept-Language`` asks
for, English when it asks for none (issue 28, then issue 39 item 3). Before, the 413 was in
English whatever the page's language."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from entrepot.http.sessions import SESSION_COOKIE
from tests.support.web import PASSWORD, csrf_of, make_web_app, sign_in, user_api

FRENCH = "Le fichier dépasse la taille de jeu de données que permet votre offre."


def test_a_too_large_upload_from_a_french_page_is_refused_in_french(tmp_path: Path) -> None:
    app, services = make_web_app(tmp_path, settings={"upload_limit": 1024})
    big = b"amount,label\n" + b"1.0,0\n" * 20_000  # past the limit and the envelope
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "api@example.com")
        english = api.upload(big)
        assert english.status_code == 413, english.text
        assert english.json()["message"].startswith("the upload is larger than")

        services.accounts.register("ann@example.com", PASSWORD)
        sign_in(client, "ann@example.com")
        files = {"file": ("big.csv", big)}
        french = client.post("/api/upload", files=files, headers={"Accept-Language": "fr"})
        assert french.status_code == 413, french.text
        assert french.json()["message"] == FRENCH
        assert french.json()["code"] == "dataset_too_large"

        client.cookies.clear()  # not signed in: the language the request asks for
        anonymous = client.post("/api/upload", files=files, headers={"Accept-Language": "fr"})
        assert anonymous.status_code == 413
        assert anonymous.json()["message"] == FRENCH
        nothing_asked = client.post("/api/upload", files=files)
        assert nothing_asked.json()["message"].startswith("the upload is larger than")


def _stalled_upload(app: Any, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """POST a body to ``app`` whose first chunk comes and the rest never does; the answer."""
    sent: list[dict[str, Any]] = []
    chunks = iter(
        [b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na,']
    )

    async def receive() -> dict[str, Any]:
        piece = next(chunks, None)
        if piece is None:
            await asyncio.Event().wait()  # a client that stopped sending
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "path": "/api/upload",
        "raw_path": b"/api/upload",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"multipart/form-data; boundary=b"),
            *headers,
        ],
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {"status": start["status"], **json.loads(body)}


def test_a_stalled_upload_from_a_french_page_is_refused_in_french(tmp_path: Path) -> None:
    # before: the 408 followed Accept-Language only, so a page in French (chosen in the
    # session) whose browser asks for English got English
    settings = {"http_body_timeout": 1.0, "http_min_rate": 0}
    app, services = make_web_app(tmp_path, settings=settings)
    english = [(b"accept-language", b"en-GB,en;q=0.9")]
    with TestClient(app, raise_server_exceptions=False) as client:
        services.accounts.register("bob@example.com", PASSWORD)
        sign_in(client, "bob@example.com")  # signed in, the page in English
        cookie = f"{SESSION_COOKIE}={client.cookies.get(SESSION_COOKIE)}".encode()
        csrf = (b"x-csrf-token", csrf_of(client.get("/").text).encode())
        bob = _stalled_upload(app, [*english, (b"cookie", cookie), csrf])
        assert bob["status"] == 408 and bob["code"] == "body_stalled"
        assert bob["message"].startswith("The request body stopped")
        client.cookies.clear()

        services.accounts.register("ann@example.com", PASSWORD)
        sign_in(client, "ann@example.com")
        client.get("/lang/fr")
        cookie = f"{SESSION_COOKIE}={client.cookies.get(SESSION_COOKIE)}".encode()
        csrf = (b"x-csrf-token", csrf_of(client.get("/").text).encode())
        french = _stalled_upload(app, [*english, (b"cookie", cookie), csrf])
        assert french["status"] == 408 and french["code"] == "body_stalled"
        assert french["message"].startswith("Le corps de la requête a cessé d’arriver")
        assert "1\u00a0s" in french["message"] or "1 s" in french["message"]
