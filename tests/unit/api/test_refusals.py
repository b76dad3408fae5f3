"""The OpenAPI document declares each operation's refusals with the one error schema, and
its examples are valid against that schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from tests.support.web import make_web_app


def document(tmp_path: Path) -> dict[str, Any]:
    app, _ = make_web_app(tmp_path)
    openapi: dict[str, Any] = app.openapi()
    return openapi


def test_every_declared_refusal_has_a_valid_example(tmp_path: Path) -> None:
    openapi = document(tmp_path)
    schema = openapi["components"]["schemas"]["Error"]
    checked = 0
    for item in openapi["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
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
