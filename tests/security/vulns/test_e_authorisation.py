"""Class (e), missing authorisation: every operation of the OpenAPI and every HTML page,
asked anonymously, with a ``read`` token on a write, with a plain user's token on an admin
route, and with another user's ids. The list of operations is checked against the app's
own OpenAPI, so a new route without a case fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.accounts.scopes import Scope
from entrepot.bootstrap.app import App
from tests.support.csvs import labelled_csv
from tests.support.web import Api, user_api, web_client

#: Open to anyone by design: health, sign-up and sign-in, the public city pages.
#: Signing out is open too: without a session or token it changes nothing (a 204).
PUBLIC = re.compile(r"^/(health|metrics|city/|dashboard/|api/auth/(register|login|logout)$)")
OPERATIONS = [
    ("GET", "/api/models"),
    ("GET", "/api/models/{model_id}"),
    ("DELETE", "/api/models/{model_id}"),
    ("PUT", "/api/models/{model_id}/threshold"),
    ("POST", "/api/models/{model_id}/retrain"),
    ("GET", "/api/models/{model_id}/download"),
    ("GET", "/api/models/{model_id}/manifest"),
    ("GET", "/api/models/{model_id}/files/{path}"),
    ("PUT", "/api/models/{model_id}/note"),
    ("PUT", "/api/models/{model_id}/aliases/{alias}"),
    ("DELETE", "/api/models/{model_id}/aliases/{alias}"),
    ("POST", "/api/models/push"),
    ("POST", "/api/train"),
    ("POST", "/api/predict"),
    ("POST", "/api/apply_unlabeled"),
    ("POST", "/api/evaluate"),
    ("GET", "/api/jobs/{job_id}"),
    ("GET", "/api/history"),
    ("POST", "/api/upload"),
    ("POST", "/api/analyze"),
    ("GET", "/api/datasets"),
    ("GET", "/api/datasets/{dataset_id}"),
    ("DELETE", "/api/datasets/{dataset_id}"),
    ("GET", "/api/me"),
    ("POST", "/api/me/password"),
    ("GET", "/api/tokens"),
    ("POST", "/api/tokens"),
    ("DELETE", "/api/tokens/{token_id}"),
    ("GET", "/api/licence"),
    ("POST", "/api/licence/activate"),
    ("GET", "/api/predictions"),
    ("GET", "/api/predictions/{prediction_id}"),
    ("DELETE", "/api/predictions/{prediction_id}"),
    ("POST", "/api/predictions/{prediction_id}/feedback"),
    ("GET", "/api/predictions/{prediction_id}/feedback"),
    ("POST", "/api/predictions/{prediction_id}/rescore"),
    ("GET", "/api/predictions/{prediction_id}/download"),
    ("GET", "/api/download_s3_predictions"),
    ("GET", "/api/admin/users"),
    ("POST", "/api/admin/users/{user_id}/active"),
    ("POST", "/api/admin/users/{user_id}/admin"),
    ("DELETE", "/api/admin/users/{user_id}"),
    ("GET", "/api/admin/licences"),
    ("POST", "/api/admin/licences"),
    ("POST", "/api/admin/licences/{licence_id}/extend"),
    ("POST", "/api/admin/licences/{licence_id}/enabled"),
    ("GET", "/api/admin/stats"),
    ("GET", "/api/admin/audit"),
]
IDS = [f"{m} {p}" for m, p in OPERATIONS]
WRITES = [(m, p) for m, p in OPERATIONS if m != "GET"]
ADMIN = [(m, p) for m, p in OPERATIONS if p.startswith("/api/admin/")]
PAGES = [
    "/datasets", "/datasets/1", "/models", "/models/1", "/models/1/compare", "/history",
    "/jobs/1", "/predictions/1", "/profile", "/licence", "/admin/users", "/admin/licences",
    "/admin/audit",
]  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with web_client(tmp_path_factory.mktemp("authorisation")) as (client, services):
        alice = user_api(client, services, "alice@example.com")
        bob = user_api(client, services, "bob@example.com")
        _, token = services.accounts.create_token(alice.user_id, scope=Scope.READ)
        reader = Api(client, token, alice.user_id)
        dataset = alice.upload(labelled_csv(), "alice.csv").json()["dataset_id"]
        yield {"client": client, "services": services, "alice": alice, "bob": bob,
               "reader": reader, "dataset": dataset}  # fmt: skip


def _url(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "1", path)


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    return client.request(method, _url(path), headers=headers, json={})


def test_every_operation_of_the_openapi_has_a_case(world: dict[str, Any]) -> None:
    spec = world["client"].get("/openapi.json").json()
    listed = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if not PUBLIC.match(path)
    }
    assert listed == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=IDS)
def test_an_anonymous_call_is_refused(world: dict[str, Any], method: str, path: str) -> None:
    answer = _call(world["client"], method, path, {})
    assert answer.status_code in (401, 403), answer.text


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=IDS)
def test_a_forged_token_is_refused(world: dict[str, Any], method: str, path: str) -> None:
    answer = _call(world["client"], method, path, {"Authorization": "Bearer forged-0123456789"})
    assert answer.status_code in (401, 403), answer.text


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_read_token_cannot_write(world: dict[str, Any], method: str, path: str) -> None:
    reader: Api = world["reader"]
    answer = _call(world["client"], method, path, reader.headers)
    assert answer.status_code == 403, answer.text


@pytest.mark.parametrize(("method", "path"), ADMIN, ids=[f"{m} {p}" for m, p in ADMIN])
def test_a_plain_users_token_cannot_reach_admin_routes(
    world: dict[str, Any], method: str, path: str
) -> None:
    bob: Api = world["bob"]
    answer = _call(world["client"], method, path, bob.headers)
    assert answer.status_code == 403, answer.text


@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", ""), ("DELETE", ""), ("POST", "/train"), ("POST", "/predict")]
)
def test_another_users_dataset_is_not_found(
    world: dict[str, Any], method: str, suffix: str
) -> None:
    bob: Api = world["bob"]
    if suffix:
        body = {"dataset_id": world["dataset"], "model_name": "stolen", "model_id": 1}
        answer = bob.client.request(method, f"/api{suffix}", headers=bob.headers, json=body)
    else:
        url = f"/api/datasets/{world['dataset']}"
        answer = bob.client.request(method, url, headers=bob.headers)
    assert answer.status_code in (404, 422), answer.text
    services: App = world["services"]
    alice: Api = world["alice"]
    assert services.fraud().datasets.get(alice.user_id, world["dataset"]).id == world["dataset"]


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_page_sends_to_the_sign_in(world: dict[str, Any], page: str) -> None:
    client: TestClient = world["client"]
    client.cookies.clear()
    answer = client.get(page, follow_redirects=False)
    assert answer.status_code in (302, 303, 307, 401, 403), (page, answer.status_code)
    if answer.status_code in (302, 303, 307):
        assert answer.headers["location"].split("?")[0].endswith("/login")
