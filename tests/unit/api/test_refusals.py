"""The OpenAPI document declares each operation's refusals with the one error schema, and
its examples are valid against that schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from entrepot.http.refusals import HEALTH
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.web import make_web_app, user_api


def document(tmp_path: Path) -> dict[str, Any]:
    app, _ = make_web_app(tmp_path)
    openapi: dict[str, Any] = app.openapi()
    return openapi


def test_every_declared_refusal_has_a_valid_example(tmp_path: Path) -> None:
    openapi = document(tmp_path)
    schema = openapi["components"]["schemas"]["Error"]
    checked = 0
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            health = (method.upper(), path) in HEALTH
            for status, response in operation["responses"].items():
                if status.startswith("4") or (status == "503" and not health):
                    content = response["content"]["application/json"]
                    assert content["schema"] == {"$ref": "#/components/schemas/Error"}
                    jsonschema.validate(content["example"], schema)
                    checked += 1
    assert checked > 100


def test_an_authenticated_lookup_declares_401_403_404_and_our_422(tmp_path: Path) -> None:
    responses = document(tmp_path)["paths"]["/api/models/{model_id}"]["get"]["responses"]
    assert {"401", "403", "404", "422"} <= set(responses)
    assert "detail" not in str(responses["422"])  # not FastAPI's shape: ours


def test_an_upload_declares_408_413_and_415(tmp_path: Path) -> None:
    responses = document(tmp_path)["paths"]["/api/upload"]["post"]["responses"]
    assert {"408", "413", "415"} <= set(responses)


def _declared(openapi: dict[str, Any], method: str, path: str) -> set[str]:
    return set(openapi["paths"][path][method.lower()]["responses"])


def test_the_refusals_a_licence_and_an_unbuilt_library_cause_are_declared(
    tmp_path: Path,
) -> None:
    """Issue 28: a 402 (no licence in force) and a 503 (the reference library is not
    built) were answered by operations whose document did not list them."""
    from datetime import UTC, datetime, timedelta

    from fastapi.testclient import TestClient
    from sqlalchemy import update

    from entrepot.catalog.accounts.tables import LicenceRow

    app, services = make_web_app(tmp_path)
    openapi: dict[str, Any] = app.openapi()
    schema = openapi["components"]["schemas"]["Error"]
    with TestClient(app, raise_server_exceptions=False) as client:
        ann = user_api(client, services, "ann@example.com")
        dataset = ann.upload(labelled_csv(300)).json()["dataset_id"]
        unbuilt = ann.post("/api/apply_unlabeled", json={"dataset_id": dataset})
        assert unbuilt.status_code == 503, unbuilt.text
        jsonschema.validate(unbuilt.json(), schema)
        assert "503" in _declared(openapi, "POST", "/api/apply_unlabeled")

        engine = parts(client.app.state.entrepot).engine  # type: ignore[attr-defined]
        with engine.begin() as connection:
            connection.execute(
                update(LicenceRow)
                .where(LicenceRow.user_id == ann.user_id)
                .values(expires_at=datetime.now(UTC) - timedelta(days=1))
            )
        calls = {
            ("POST", "/api/upload"): lambda: ann.upload(labelled_csv(300)),
            ("POST", "/api/train"): lambda: ann.post(
                "/api/train", json={"dataset_id": dataset, "model_name": "m"}
            ),
            ("POST", "/api/apply_unlabeled"): lambda: ann.post(
                "/api/apply_unlabeled", json={"dataset_id": dataset}
            ),
        }
        for (method, path), call in calls.items():
            answer = call()
            assert answer.status_code == 402, (path, answer.text)
            jsonschema.validate(answer.json(), schema)
            assert "402" in _declared(openapi, method, path), path
    assert "402" not in _declared(openapi, "GET", "/api/datasets")  # reads stay open


def test_a_health_check_declares_its_own_503(tmp_path: Path) -> None:
    openapi = document(tmp_path)
    for method, path in HEALTH:
        responses = openapi["paths"][path][method.lower()]["responses"]
        assert responses["503"]["content"] == responses["200"]["content"]
