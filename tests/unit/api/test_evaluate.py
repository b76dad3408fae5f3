"""``POST /api/evaluate``: an evaluation job on a labelled dataset with one of the caller's
models (issue 27 item 7, ``entrepot fraud evaluate`` on a deployed service). Its confusion
counts are checked against the scores ``/api/predict`` writes for the same file, counted
here with pandas; its history entry and job page show it in both languages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.analyst import predict, train_model
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.web import Api, make_web_app, run_jobs, sign_in, user_api

FILE = labelled_csv(600, seed=11)


@dataclass
class World:
    client: TestClient
    services: App
    api: Api
    model: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("evaluate"))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "judge@example.org")
        yield World(client, services, api, train_model(api, services, labelled_csv(), "cards"))


def _evaluate(world: World, content: bytes, **body: object) -> dict[str, object]:
    dataset = world.api.upload(content, "labelled.csv").json()["dataset_id"]
    accepted = world.api.post("/api/evaluate", json={"dataset_id": dataset, **body})
    assert accepted.status_code == 202, accepted.text
    run_jobs(world.services)
    done: dict[str, object] = world.api.get(accepted.json()["status_url"]).json()
    return done


def test_the_confusion_counts_are_those_of_the_models_scores(world: World) -> None:
    done = _evaluate(world, FILE, model_id=world.model)
    assert done["state"] == "succeeded", done
    result = done["result"]
    assert isinstance(result, dict)
    assert result["target"] == "is_fraud" and result["model_id"] == world.model
    scored = predict(world.api, world.services, world.model, FILE)
    scores = pd.read_csv(io.BytesIO(world.api.get(scored["download_url"]).content))
    flagged = scores["prediction"].to_numpy() == 1
    truth = pd.read_csv(io.BytesIO(FILE))["is_fraud"].to_numpy() == 1
    metrics = result["metrics"]
    assert metrics["confusion_matrix"] == {
        "tp": int((flagged & truth).sum()),
        "fp": int((flagged & ~truth).sum()),
        "fn": int((~flagged & truth).sum()),
        "tn": int((~flagged & ~truth).sum()),
    }
    tp = int((flagged & truth).sum())
    assert metrics["recall"] == pytest.approx(tp / int(truth.sum()))
    if flagged.any():
        assert metrics["precision"] == pytest.approx(tp / int(flagged.sum()))
    assert len(result["member_auprc"]) == 1  # one model: one member


def test_an_evaluation_is_in_the_history_in_both_languages(world: World) -> None:
    done = _evaluate(world, FILE, model_id=world.model)
    sign_in(world.client, "judge@example.org")
    english = world.client.get("/history").text
    french = world.client.get("/history", headers={"Accept-Language": "fr"}).text
    assert "Evaluating on a labelled file" in english
    assert "Évaluation sur un fichier étiqueté" in french
    assert world.client.get(f"/jobs/{done['id']}").status_code == 200


def test_an_unlabelled_file_fails_with_the_engines_error(world: World) -> None:
    done = _evaluate(world, unlabelled_csv(300), model_id=world.model)
    assert done["state"] == "failed"
    assert done["error_code"] in {"no_target_found", "target_not_found"}


def test_another_users_model_or_no_library_is_refused_before_a_job(world: World) -> None:
    stranger = user_api(world.client, world.services, "stranger@example.org")
    dataset = stranger.upload(FILE, "labelled.csv").json()["dataset_id"]
    theirs = stranger.post("/api/evaluate", json={"dataset_id": dataset, "model_id": world.model})
    assert theirs.status_code == 404
    no_library = stranger.post("/api/evaluate", json={"dataset_id": dataset})
    assert no_library.status_code == 503 and no_library.json()["code"] == "library_not_ready"
    assert stranger.get("/api/history").json()["total"] == 0
