"""An API refusal in the language its client asks for (issue 39 item 3, issue 42 item 5):
``Accept-Language: fr`` gets the refusal's own message in French with its facts (the plan,
the limit, the count), a client that asks for nothing gets English; the code never changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.csvs import labelled_csv
from tests.support.web import Api, make_web_app, user_api

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def alice(tmp_path: Path) -> Iterator[Api]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield user_api(client, services, "alice@example.com")


def _full_quota(alice: Api) -> str:
    dataset = alice.upload(labelled_csv(300)).json()["dataset_id"]
    for i in range(3):
        body = {"dataset_id": dataset, "model_name": f"m{i}"}
        assert alice.post("/api/train", json=body).status_code == 202
    return str(dataset)


def test_a_full_quota_is_refused_in_french_with_its_plan_and_counts(alice: Api) -> None:
    dataset = _full_quota(alice)
    body = {"dataset_id": dataset, "model_name": "m3"}
    french = alice.client.post("/api/train", json=body, headers={**alice.headers, **FRENCH})
    english = alice.post("/api/train", json=body)
    assert french.status_code == english.status_code == 403
    assert french.json()["code"] == english.json()["code"] == "quota_exceeded"
    said = french.json()["message"]
    assert said.startswith("La formule Essai permet 3\u00a0modèles et vous en avez 3"), said
    assert "/licence" in said
    assert "allows 3 models" in english.json()["message"]


def test_a_refusal_without_a_message_of_its_own_says_its_codes_sentence(alice: Api) -> None:
    # no such dataset: the not-found refusal of the workspace, in French
    french = alice.client.get(
        "/api/datasets/0123456789abcdef0123456789abcdef", headers={**alice.headers, **FRENCH}
    )
    english = alice.get("/api/datasets/0123456789abcdef0123456789abcdef")
    assert french.status_code == english.status_code == 404
    assert french.json()["code"] == english.json()["code"]
    assert french.json()["message"] != english.json()["message"]
    assert not any(word in french.json()["message"].split() for word in ("the", "no", "is"))


def test_an_unknown_language_gets_english(alice: Api) -> None:
    asked = alice.client.get(
        "/api/datasets/0123456789abcdef0123456789abcdef",
        headers={**alice.headers, "Accept-Language": "tlh"},
    )
    assert (
        asked.json()["message"]
        == alice.get("/api/datasets/0123456789abcdef0123456789abcdef").json()["message"]
    )
