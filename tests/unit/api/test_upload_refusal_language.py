"""An upload refused by the API itself (``api/multipart.py``) says its facts in French under
``Accept-Language: fr`` and reads as before in English (issue 39 item 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.web import Api, make_web_app, user_api

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def alice(tmp_path: Path) -> Iterator[Api]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield user_api(client, services, "alice@example.com")


def test_a_form_without_its_file_is_refused_in_french_naming_the_field(alice: Api) -> None:
    form = {"target_column": "label"}
    french = alice.client.post(
        "/api/upload",
        data=form,
        files={"other": ("x.txt", b"a")},
        headers={**alice.headers, **FRENCH},
    )
    english = alice.client.post(
        "/api/upload", data=form, files={"other": ("x.txt", b"a")}, headers=alice.headers
    )
    assert french.status_code == english.status_code == 400
    assert french.json()["code"] == english.json()["code"]
    assert "le formulaire n’a pas de fichier dans le champ 'file'" in french.json()["message"]
    assert "the form has no file in field 'file'" in english.json()["message"]
