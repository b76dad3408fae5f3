"""The input attacks that only PostgreSQL turns into errors (it refuses NUL in text and
integers past 64 bits where SQLite shrugs): each is a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.databases import temporary_database
from tests.support.web import PASSWORD, Api, make_web_app, user_api

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, App]]:
    with temporary_database() as url:
        folder = tmp_path_factory.mktemp("pg")
        app, services = make_web_app(folder, settings={"database_url": url})
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, services


@pytest.fixture(scope="module")
def api(web: tuple[TestClient, App]) -> Api:
    return user_api(*web, "pg-attacker@example.com")


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/api/datasets/ab%00cd", id="nul in a dataset id"),
        pytest.param("/api/predictions/ab%00cd", id="nul in a prediction id"),
        pytest.param("/api/predictions/%00/download", id="nul in a download id"),
        pytest.param(f"/api/models/{2**63}", id="model id of 2^63"),
        pytest.param(f"/api/models/{2**64 + 5}", id="model id past 64 bits"),
        pytest.param(f"/api/models/{-(2**63) - 1}", id="model id under -2^63"),
        pytest.param(f"/api/jobs/{2**70}", id="job id past 64 bits"),
        pytest.param("/api/jobs/ab%00cd", id="nul in a job id"),
    ],
)
def test_an_odd_id_on_postgres_is_not_found(api: Api, url: str) -> None:
    for verb in ("GET", "DELETE"):
        answer = api.client.request(verb, url, headers=api.headers)
        assert answer.status_code in (404, 405, 422), (verb, answer.text)


@pytest.mark.parametrize(
    ("listing", "page"),
    [
        pytest.param("/api/datasets", str(2**62), id="datasets page 2^62"),
        pytest.param("/api/predictions", str(2**63), id="predictions page 2^63"),
        pytest.param("/api/history", str(10**30), id="history page 10^30"),
    ],
)
def test_a_huge_page_on_postgres_is_a_422(api: Api, listing: str, page: str) -> None:
    assert api.get(listing, params={"page": page}).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"email": "nul\x00@example.com", "password": PASSWORD}, id="register nul"),
        pytest.param(
            {"email": "pg-name@example.com", "password": PASSWORD, "name": "Eve\x00"},
            id="register nul in name",
        ),
    ],
)
def test_nul_in_an_account_on_postgres_is_a_422(
    web: tuple[TestClient, App], body: dict[str, str]
) -> None:
    answer = web[0].post("/api/auth/register", json=body)
    assert answer.status_code == 422, answer.text


def test_nul_in_a_sign_in_on_postgres_is_refused(web: tuple[TestClient, App]) -> None:
    answer = web[0].post(
        "/api/auth/login", json={"email": "nul\x00@example.com", "password": "x\x00"}
    )
    assert 400 <= answer.status_code < 500, answer.text


def test_nul_in_a_seeds_download_key_on_postgres_is_refused(api: Api) -> None:
    key = f"users/{api.user_id}/predictions/x\x00.csv"
    answer = api.get("/api/download_s3_predictions", params={"key": key})
    assert 400 <= answer.status_code < 500, answer.text
