"""Isolation by construction: another user's resources answer 404 (never their data or
existence), and the seeds' download by key answers 403 outside the caller's folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.parts import parts
from tests.support.web import Api, make_web_app, run_jobs, user_api


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Alice with a dataset, a model, a prediction; Bob with nothing."""
    app, services = make_web_app(tmp_path_factory.mktemp("isolation"))
    with TestClient(app, raise_server_exceptions=False) as client:
        alice = user_api(client, services, "alice@example.com")
        bob = user_api(client, services, "bob@example.com")
        dataset = alice.upload(labelled_csv(), "alice.csv").json()["dataset_id"]
        train = alice.post("/api/train", json={"dataset_id": dataset, "model_name": "alice"})
        run_jobs(services)
        model_id = alice.get(f"/api/jobs/{train.json()['job_id']}").json()["result"]["model_id"]
        scored = alice.upload(unlabelled_csv(), "new.csv").json()["dataset_id"]
        job = alice.post("/api/predict", json={"model_id": model_id, "dataset_id": scored})
        run_jobs(services)
        result = alice.get(f"/api/jobs/{job.json()['job_id']}").json()["result"]
        prediction = alice.get(f"/api/predictions/{result['prediction_id']}").json()
        yield {
            "client": client,
            "services": services,
            "alice": alice,
            "bob": bob,
            "dataset": dataset,
            "model": model_id,
            "train_job": train.json()["job_id"],
            "prediction": prediction["id"],
        }


def _key(world: dict[str, Any]) -> str:
    services: App = world["services"]
    alice: Api = world["alice"]
    return services.fraud().predictions.get(alice.user_id, world["prediction"]).key


def test_alice_reaches_her_own_resources(world: dict[str, Any]) -> None:
    alice: Api = world["alice"]
    for url in (
        f"/api/datasets/{world['dataset']}",
        f"/api/models/{world['model']}",
        f"/api/jobs/{world['train_job']}",
        f"/api/predictions/{world['prediction']}",
        f"/api/predictions/{world['prediction']}/download",
        f"/api/models/{world['model']}/download",
    ):
        assert alice.get(url).status_code == 200, url
    key = _key(world)
    assert key.startswith(f"users/{alice.user_id}/predictions/")
    assert alice.get("/api/download_s3_predictions", params={"key": key}).status_code == 200


def test_bob_gets_404_exactly_like_for_what_does_not_exist(world: dict[str, Any]) -> None:
    bob: Api = world["bob"]
    pairs = [
        (f"/api/datasets/{world['dataset']}", "/api/datasets/" + "f" * 32),
        (f"/api/models/{world['model']}", "/api/models/987654"),
        (f"/api/jobs/{world['train_job']}", "/api/jobs/" + "f" * 32),
        (f"/api/predictions/{world['prediction']}", "/api/predictions/" + "f" * 32),
        (f"/api/predictions/{world['prediction']}/download", "/api/predictions/x/download"),
        (f"/api/models/{world['model']}/download", "/api/models/987654/download"),
    ]
    for theirs, missing in pairs:
        a, b = bob.get(theirs), bob.get(missing)
        assert a.status_code == b.status_code == 404, theirs
        assert a.json()["code"] == b.json()["code"] == "record_not_found"
        assert "alice" not in a.text.lower()


def test_bob_cannot_act_on_alices_resources(world: dict[str, Any]) -> None:
    bob: Api = world["bob"]
    services: App = world["services"]
    own = bob.upload(unlabelled_csv(200)).json()["dataset_id"]
    attempts = [
        bob.post("/api/predict", json={"model_id": world["model"], "dataset_id": own}),
        bob.post("/api/train", json={"dataset_id": world["dataset"], "model_name": "stolen"}),
        bob.post("/api/apply_unlabeled", json={"dataset_id": world["dataset"]}),
        bob.post("/api/evaluate", json={"dataset_id": world["dataset"]}),
        bob.post("/api/evaluate", json={"dataset_id": own, "model_id": world["model"]}),
        bob.delete(f"/api/models/{world['model']}/aliases/production"),
        bob.delete(f"/api/datasets/{world['dataset']}"),
        bob.delete(f"/api/models/{world['model']}"),
        bob.delete(f"/api/predictions/{world['prediction']}"),
    ]
    assert [a.status_code for a in attempts] == [404] * 9
    alice: Api = world["alice"]
    assert alice.get(f"/api/datasets/{world['dataset']}").status_code == 200
    assert alice.get(f"/api/models/{world['model']}").status_code == 200
    with parts(services).uow() as uow:
        assert uow.jobs.list(bob.user_id).total == 0


def test_listings_show_only_ones_own(world: dict[str, Any]) -> None:
    bob: Api = world["bob"]
    assert bob.get("/api/models").json() == []
    assert bob.get("/api/predictions").json()["total"] == 0
    assert bob.get("/api/history").json()["total"] == 0
    names = [d["name"] for d in bob.get("/api/datasets").json()["items"]]
    assert "alice.csv" not in names


def test_download_by_key_answers_403_outside_the_callers_folder(world: dict[str, Any]) -> None:
    bob: Api = world["bob"]
    key = _key(world)
    answer = bob.get("/api/download_s3_predictions", params={"key": key})
    assert answer.status_code == 403 and answer.json()["code"] == "not_in_namespace"
    inner = key.split("/", 2)[2]
    for attempt in (
        f"users/{bob.user_id}0/{inner}",  # user 2 vs user 20: a prefix, not a folder
        f"user_data/{bob.user_id}/{inner}",
        "predictions/" + inner.split("/")[-1],
    ):
        answer = bob.get("/api/download_s3_predictions", params={"key": attempt})
        assert answer.status_code == 403, attempt


def test_download_by_key_refuses_traversal_before_anything(world: dict[str, Any]) -> None:
    bob: Api = world["bob"]
    inner = _key(world).split("/", 2)[2]
    alice_id = world["alice"].user_id
    for attempt in (
        f"users/{bob.user_id}/../{alice_id}/{inner}",
        f"users/{bob.user_id}/%2e%2e/{alice_id}/{inner}",
        f"/users/{alice_id}/{inner}",
        f"users/{bob.user_id}/..\\{alice_id}\\{inner}",
    ):
        answer = bob.get("/api/download_s3_predictions", params={"key": attempt})
        assert answer.status_code == 400 and answer.json()["code"] == "invalid_key", attempt


def test_a_key_in_ones_folder_that_is_no_prediction_is_not_found(world: dict[str, Any]) -> None:
    bob: Api = world["bob"]
    bob.upload(unlabelled_csv(200))  # a key in his own folder
    dataset = bob.get("/api/datasets").json()["items"][0]["id"]
    services: App = world["services"]
    key = services.fraud().datasets.get(bob.user_id, dataset).key
    answer = bob.get("/api/download_s3_predictions", params={"key": key})
    assert answer.status_code == 404


def test_objects_live_under_each_users_folder(world: dict[str, Any]) -> None:
    services: App = world["services"]
    alice: Api = world["alice"]
    with parts(services).uow() as uow:
        owned = uow.objects.list(owner=str(alice.user_id), limit=1000)
    assert owned and all(o.key.startswith(f"users/{alice.user_id}/") for o in owned)
    kinds = {o.kind for o in owned}
    assert {"dataset", "prediction", "model-file", "manifest"} <= kinds


def test_the_old_download_links_the_real_address_of_its_prediction(
    world: dict[str, Any],
) -> None:
    """Issue 44 item 7 (regression: its ``Link`` held the template ``{prediction_id}``)."""
    alice: Api = world["alice"]
    old = alice.get("/api/download_s3_predictions", params={"key": _key(world)})
    assert old.status_code == 200, old.text
    successor = f"/api/predictions/{world['prediction']}/download"
    assert old.headers.get_list("link") == [f'<{successor}>; rel="successor-version"']
    assert old.headers["deprecation"] == "true"
    new = alice.get(successor)
    assert new.status_code == 200 and new.content == old.content
