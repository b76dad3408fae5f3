"""A body too large for its route is refused by a middleware outside the sessions; a
signed-in page's script (the upload form: session cookie, no token) still gets the
refusal in the page's language, an API client in English (issue 28). Before, the 413
was in English whatever the page's language."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.support.web import PASSWORD, make_web_app, sign_in, user_api

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

        client.cookies.clear()  # not signed in: the service's own words
        anonymous = client.post("/api/upload", files=files, headers={"Accept-Language": "fr"})
        assert anonymous.status_code == 413
        assert anonymous.json()["message"].startswith("the upload is larger than")
