"""The roles a person names at the upload and on the dataset page (issue 41, item 5): the
time column and the entity columns, taken by the analysis over its guess, kept with the
dataset, shown as the training form's choices, and read by a training that names none."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.fraud.errors import UnknownColumns
from entrepot.fraud_service.named_roles import NamedRoles
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, csrf_of, make_web_app, sign_in


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App, str]]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        services.accounts.register("a@example.com", PASSWORD)
        sign_in(client, "a@example.com")
        yield client, services, csrf_of(client.get("/datasets").text)


def _two_dates() -> bytes:
    """The generated card file with a second column of dates: when each account opened."""
    frame = pd.read_csv(io.BytesIO(labelled_csv(400)))
    frame["opened"] = pd.Timestamp("2015-01-01") + pd.to_timedelta(
        frame["customer_id"] * 37 % 2000, unit="D"
    )
    return frame.to_csv(index=False).encode()


def _upload(client: TestClient, token: str, **fields: str) -> dict[str, object]:
    answer = client.post(
        "/api/upload",
        files={"file": ("cards.csv", _two_dates())},
        data=fields,
        headers={"X-CSRF-Token": token},
    )
    assert answer.status_code == 201, answer.text
    found: dict[str, object] = answer.json()
    return found


def _roles(analysis: dict[str, object]) -> dict[str, str]:
    columns = analysis["columns"]
    assert isinstance(columns, list)
    return {c["name"]: c["role"] for c in columns}


def test_the_upload_takes_the_named_roles_and_keeps_them(
    web: tuple[TestClient, App, str],
) -> None:
    client, _, token = web
    guessed = _upload(client, token)["analysis"]
    assert isinstance(guessed, dict) and "named_roles" not in guessed
    named = _upload(client, token, time_column="opened", entity_columns="customer_id")
    analysis = named["analysis"]
    assert isinstance(analysis, dict)
    assert analysis["time_column"] == "opened" != guessed["time_column"]
    assert analysis["named_roles"] == {"time_column": "opened", "entity_columns": ["customer_id"]}
    assert _roles(analysis)["customer_id"] == "entity"


def test_a_json_list_names_columns_that_hold_a_comma() -> None:
    assert NamedRoles.from_fields(" t ", '["a,b", "c", "c"]') == NamedRoles("t", ("a,b", "c"))
    assert NamedRoles.from_fields("", " a , ,b ") == NamedRoles(None, ("a", "b"))
    assert not NamedRoles.from_fields(None, None).named
    with pytest.raises(UnknownColumns):
        NamedRoles.from_fields(None, "[1, 2]")
    with pytest.raises(UnknownColumns):
        NamedRoles.from_fields(None, ",".join(f"c{i}" for i in range(17)))


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"time_column": "nope"}, "unknown_columns"),
        ({"time_column": "amount"}, "unknown_columns"),
        ({"entity_columns": "[1, 2]"}, "unknown_columns"),
    ],
)
def test_a_role_that_cannot_be_is_refused_and_nothing_is_kept(
    web: tuple[TestClient, App, str], fields: dict[str, str], code: str
) -> None:
    client, _, token = web
    answer = client.post(
        "/api/upload",
        files={"file": ("cards.csv", _two_dates())},
        data=fields,
        headers={"X-CSRF-Token": token},
    )
    assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
    assert client.get("/api/datasets").json()["total"] == 0


def test_the_dataset_page_offers_the_roles_and_the_training_reads_them(
    web: tuple[TestClient, App, str],
) -> None:
    client, services, token = web
    dataset = _upload(client, token, time_column="opened")["dataset_id"]
    page = client.get(f"/datasets/{dataset}").text
    assert '<option value="opened" selected>' in page
    assert '<option value="timestamp" >' in page
    assert 'name="entity_columns" value="customer_id" checked' in page
    assert 'name="entity_columns" value="amount" >' in page
    started = client.post(
        f"/datasets/{dataset}/train",
        data={
            "csrf_token": token,
            "model_name": "paged",
            "time_column": "timestamp",
            "entity_columns": ["customer_id", "terminal_id"],
        },
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    by_page = services.jobs.get_any(started.headers["location"].rsplit("/", 1)[1])
    evaluation = json.loads(json.dumps(by_page.params))["evaluation"]
    assert evaluation["time_column"] == "timestamp"
    assert evaluation["entity_columns"] == ["customer_id", "terminal_id"]
    by_api = client.post(
        "/api/train",
        json={"dataset_id": dataset, "model_name": "kept"},
        headers={"X-CSRF-Token": token},
    )
    assert by_api.status_code == 202, by_api.text
    kept = services.jobs.get_any(by_api.json()["job_id"]).params["evaluation"]
    assert kept["time_column"] == "opened" and kept["entity_columns"] == []
