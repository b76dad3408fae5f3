"""The reference ensemble weighed on a labelled history (ADR 0045, round 8) through the
API and the dataset page, with the rules of the command line: the history is one of the
user's labelled datasets, the members read its labels, the trust says what they reach
there; another user's dataset is not found and an unlabelled one is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.fraud.synth.generator import generate
from tests.support.web import ONE_REFERENCE, Api, make_web_app, run_jobs, sign_in, user_api

World = tuple[TestClient, Api, Any, dict[str, str]]


def _files() -> tuple[bytes, bytes]:
    """Card payments in time order: the first 3,000 rows with their label (the history),
    the next 1,000 without."""
    data = generate("card_payments", 4000, fraud_rate=0.05, seed=41, variety=False)
    history = data.frame.iloc[:3000].to_csv(index=False).encode()
    later = data.frame.iloc[3000:].drop(columns=[data.target]).to_csv(index=False).encode()
    return history, later


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("history"), **ONE_REFERENCE)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert services.fraud().references.ensure() is not None
        run_jobs(services)
        api = user_api(client, services, "hana@example.com")
        history, later = _files()
        ids = {
            "history": api.upload(history, name="historique.csv").json()["dataset_id"],
            "later": api.upload(later, name="a_scorer.csv").json()["dataset_id"],
        }
        yield client, api, services, ids


def _scored(api: Api, services: Any, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.post("/api/apply_unlabeled", json=body)
    assert answer.status_code == 202, answer.text
    run_jobs(services)
    job = api.get(f"/api/jobs/{answer.json()['job_id']}").json()
    assert job["state"] == "succeeded", job
    found: dict[str, Any] = api.get(f"/api/predictions/{job['result']['prediction_id']}").json()
    return found


def test_the_api_weighs_the_ensemble_on_the_history(world: World) -> None:
    _, api, services, ids = world
    plain = _scored(api, services, {"dataset_id": ids["later"]})
    weighed = _scored(
        api, services, {"dataset_id": ids["later"], "history_dataset_id": ids["history"]}
    )
    assert plain["trust"]["measured_auprc"] is None
    trust = weighed["trust"]
    assert trust["message"]["key"] == "trust.measured"
    auprc = trust["measured_auprc"]
    assert auprc is not None and 0.0 < auprc <= 1.0
    assert trust["level"] == ("high" if auprc >= 0.5 else "low" if auprc < 0.2 else "medium")
    assert trust["message"]["params"]["frauds"] >= 30
    known = weighed["summary"]["known_labels"]
    assert known["history_rows"] == 3000 and known["models_reading"] >= 1


def test_another_users_history_is_not_found_and_an_unlabelled_one_refused(
    world: World,
) -> None:
    client, api, services, ids = world
    other = user_api(client, services, "ines@example.com")
    mine = other.upload(_files()[1], name="a_moi.csv").json()["dataset_id"]
    answer = other.post(
        "/api/apply_unlabeled", json={"dataset_id": mine, "history_dataset_id": ids["history"]}
    )
    assert answer.status_code == 404, answer.text
    answer = api.post(
        "/api/apply_unlabeled",
        json={"dataset_id": ids["history"], "history_dataset_id": ids["later"]},
    )
    assert answer.status_code in (400, 422), answer.text
    assert "label" in answer.text


def test_the_dataset_page_offers_the_labelled_datasets_as_history(world: World) -> None:
    client, _, _, ids = world
    sign_in(client, "hana@example.com")
    page = client.get(f"/datasets/{ids['later']}", headers={"Accept-Language": "fr"}).text
    offered = re.findall(r'<option value="([0-9a-f]+)">', page.split('id="history-id"')[1])
    assert ids["history"] in offered and ids["later"] not in offered
    assert "Historique étiqueté" in page
