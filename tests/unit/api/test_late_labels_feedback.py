"""Issue 25 item 2 through the API: the analysts' decisions on a dataset's rows are the
late labels a later scoring of it with a model reads, and its summary says how many; a
``predict`` job queued by the previous release (payload version 1) still runs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.fraud.synth.generator import generate
from entrepot.fraud_service.job_payloads import PREDICT_KIND
from tests.support.analyst import train_model
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.web import Api, make_web_app, run_jobs, user_api

World = tuple[Api, App, int]


@pytest.fixture
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("late"))
    with TestClient(app, raise_server_exceptions=False) as client:
        alice = user_api(client, services, "alice@example.com")
        yield alice, services, train_model(alice, services, labelled_csv(), "cards")


def _scored(api: Api, services: App, job: dict[str, Any]) -> dict[str, Any]:
    run_jobs(services)
    done = api.get(job["status_url"]).json()
    assert done["state"] == "succeeded", done
    found: dict[str, Any] = api.get(f"/api/predictions/{done['result']['prediction_id']}").json()
    return found


def test_feedback_decisions_are_the_late_labels_of_a_later_scoring(world: World) -> None:
    alice, services, model_id = world
    data = generate("card_payments", 600, fraud_rate=0.05, seed=11, variety=False)
    truth = data.labels.astype(int)
    content = data.frame.drop(columns=[data.target]).to_csv(index=False).encode()
    dataset = alice.upload(content, "batch.csv").json()["dataset_id"]
    ask = {"model_id": model_id, "dataset_id": dataset}
    first = _scored(alice, services, alice.post("/api/predict", json=ask).json())
    assert first["summary"]["known_labels"] is None
    url = f"/api/predictions/{first['id']}/feedback"
    decided = {row: int(truth[row - 1]) for row in range(1, 301)}
    decided[5] = 1 - decided[5]
    given = alice.post(url, json={"labels": [{"row": r, "label": v} for r, v in decided.items()]})
    assert given.status_code == 200, given.text
    decided[5] = 1 - decided[5]  # a later decision on the row replaces the first
    assert alice.post(url, json={"labels": [{"row": 5, "label": decided[5]}]}).status_code == 200

    again = _scored(alice, services, alice.post("/api/predict", json=ask).json())
    expected = pd.Series(decided)
    assert again["summary"]["known_labels"] == {
        "labels": len(expected),
        "frauds": int(expected.sum()),
        "history_rows": 0,
        "models": 1,
        "models_reading": 1,
    }
    scores = pd.read_csv(io.BytesIO(alice.get(again["download_url"]).content))
    assert len(scores) == len(truth)

    # A job queued by the previous release: its payload has no version 2 field.
    with parts(services).uow() as uow:
        name, version = uow.user_models.ref(str(alice.user_id), model_id)
        params = {"v": 1, "model_id": model_id, "model_name": name, "version": version,
                  "dataset_id": dataset, "dataset_name": "batch.csv"}  # fmt: skip
        job = services.jobs.record(uow, owner_id=alice.user_id, kind=PREDICT_KIND, params=params)
        uow.commit()
    services.jobs.send(job)
    old = _scored(alice, services, {"status_url": f"/api/jobs/{job.id}"})
    assert old["summary"]["known_labels"] is None
