"""The analyst's loop over HTTP for tests: train a model, score a file with it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, Api, run_jobs


def train_model(api: Api, services: App, content: bytes, name: str) -> int:
    """Upload ``content``, train ``name`` on it, and return the new model's id."""
    dataset = api.upload(content, "history.csv").json()["dataset_id"]
    job = api.post("/api/train", json={"dataset_id": dataset, "model_name": name}).json()
    run_jobs(services)
    done = api.get(job["status_url"]).json()
    assert done["state"] == "succeeded", done
    return int(done["result"]["model_id"])


def predict(api: Api, services: App, model_id: int, content: bytes) -> dict[str, Any]:
    """Upload ``content``, score it with model ``model_id``; the prediction's detail."""
    dataset = api.upload(content, "batch.csv").json()["dataset_id"]
    job = api.post("/api/predict", json={"model_id": model_id, "dataset_id": dataset}).json()
    run_jobs(services)
    done = api.get(job["status_url"]).json()
    assert done["state"] == "succeeded", done
    found: dict[str, Any] = api.get(f"/api/predictions/{done['result']['prediction_id']}").json()
    return found


def scored_admin(client: TestClient, services: App) -> tuple[Api, int, dict[str, Any]]:
    """An administrator (root@example.com) who trained a model ``cartes`` and scored a file
    with it: their API client, the model's id and the prediction's detail."""
    user = services.accounts.register("root@example.com", PASSWORD, admin=True)
    _, token = services.accounts.create_token(user.id)
    api = Api(client, token, user.id)
    model_id = train_model(api, services, labelled_csv(), "cartes")
    return api, model_id, predict(api, services, model_id, labelled_csv(700, seed=21))
