"""Seed 000 keeps an unlabelled file's ensemble among the user's models: ``apply_unlabeled``
with ``model_name`` saves it, ``/api/models`` shows its members, weights and column
mappings, and ``/api/predict`` scores with it again."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.csvs import unlabelled_csv
from tests.support.web import ONE_REFERENCE, Api, make_web_app, run_jobs, sign_in, user_api


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path, **ONE_REFERENCE)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert services.fraud().references.ensure() is not None
        run_jobs(services)
        yield client, services


def _finished(api: Api, services: App, answer: object) -> dict[str, object]:
    assert answer.status_code == 202, answer.text  # type: ignore[attr-defined]
    run_jobs(services)
    job: dict[str, object] = api.get(
        f"/api/jobs/{answer.json()['job_id']}"  # type: ignore[attr-defined]
    ).json()
    return job


def _scores(api: Api, prediction_id: str) -> pd.DataFrame:
    url = api.get(f"/api/predictions/{prediction_id}").json()["download_url"]
    return pd.read_csv(io.BytesIO(api.get(url).content), sep=None, engine="python")


def test_the_ensemble_is_kept_listed_and_reused(web: tuple[TestClient, App]) -> None:
    client, services = web
    ann = user_api(client, services, "ann@example.com")
    dataset = ann.upload(unlabelled_csv(400)).json()["dataset_id"]
    apply = ann.post("/api/apply_unlabeled", json={"dataset_id": dataset, "model_name": "mine"})
    job = _finished(ann, services, apply)
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert isinstance(result, dict) and result["model_name"] == "mine"

    (model,) = ann.get("/api/models").json()
    assert model["id"] == result["model_id"] and model["params"]["kind"] == "ensemble"
    members = model["ensemble"]["members"]
    assert members and members[0]["name"].startswith("ref-01-")
    assert sum(m["weight"] for m in members) == pytest.approx(1.0, abs=1e-4)
    assert all(m["mapping"] for m in members)
    assert ann.get(f"/api/models/{model['id']}").json()["ensemble"] == model["ensemble"]
    sign_in(client, "ann@example.com")
    page = client.get(f"/models/{model['id']}")
    assert page.status_code == 200 and "mine" in page.text and "ensemble" in page.text

    predict = ann.post("/api/predict", json={"model_id": model["id"], "dataset_id": dataset})
    again = _finished(ann, services, predict)
    assert again["state"] == "succeeded", again
    first = _scores(ann, str(result["prediction_id"]))
    second = _scores(ann, str(again["result"]["prediction_id"]))  # type: ignore[index]
    pd.testing.assert_series_equal(first["fraud_probability"], second["fraud_probability"])

    assert user_api(client, services, "bob@example.com").get("/api/models").json() == []


def test_a_bad_name_is_refused_before_any_job(web: tuple[TestClient, App]) -> None:
    client, services = web
    ann = user_api(client, services, "ann@example.com")
    dataset = ann.upload(unlabelled_csv(400)).json()["dataset_id"]
    for name in ("../x", "n" * 65):
        refused = ann.post("/api/apply_unlabeled", json={"dataset_id": dataset, "model_name": name})
        assert 400 <= refused.status_code < 500, refused.text
    assert ann.get("/api/history").json()["items"] == []


def test_a_file_without_the_ensembles_columns_fails_with_the_reason(
    web: tuple[TestClient, App],
) -> None:
    client, services = web
    ann = user_api(client, services, "ann@example.com")
    dataset = ann.upload(unlabelled_csv(400)).json()["dataset_id"]
    saved = _finished(
        ann,
        services,
        ann.post("/api/apply_unlabeled", json={"dataset_id": dataset, "model_name": "mine"}),
    )
    other = ann.upload(b"a,b\n1,2\n3,4\n5,6\n", "other.csv").json()["dataset_id"]
    job = _finished(
        ann,
        services,
        ann.post(
            "/api/predict",
            json={"model_id": saved["result"]["model_id"], "dataset_id": other},  # type: ignore[index]
        ),
    )
    assert job["state"] == "failed"
    assert "was made for columns this file lacks" in str(job["error"])
