"""The seeds' old paths answer as before for one release, and say what replaces them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.csvs import labelled_csv
from tests.support.web import Api, make_web_app, user_api


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


def test_an_old_path_answers_as_before_and_names_its_successor(
    web: tuple[TestClient, App],
) -> None:
    alice: Api = user_api(*web, "alice@example.com")
    old = alice.post("/api/analyze", files={"file": ("t.csv", labelled_csv(), "text/csv")})
    new = alice.post("/api/upload", files={"file": ("t.csv", labelled_csv(), "text/csv")})
    assert old.status_code == new.status_code == 201, old.text
    assert old.json()["analysis"] == new.json()["analysis"]
    assert old.headers["deprecation"] == "true"
    assert old.headers["link"] == '</api/upload>; rel="successor-version"'
    assert old.headers["x-entrepot-removed-in"]
    assert "deprecation" not in new.headers


def test_a_refusal_on_an_old_path_says_it_is_old_too(
    web: tuple[TestClient, App],
) -> None:
    alice: Api = user_api(*web, "alice@example.com")
    answer = alice.get("/api/download_s3_predictions", params={"key": "users/999/x.csv"})
    assert answer.status_code in (403, 404)
    assert answer.headers["deprecation"] == "true"
    assert "/api/predictions/{prediction_id}/download" in answer.headers["link"]


def test_the_spec_marks_the_old_paths_deprecated(web: tuple[TestClient, App]) -> None:
    client, _ = web
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/api/analyze"]["post"]["deprecated"] is True
    assert paths["/api/download_s3_predictions"]["get"]["deprecated"] is True
    assert "deprecated" not in paths["/api/upload"]["post"]
