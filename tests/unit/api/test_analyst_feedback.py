"""The model page's API for an analyst, a saved threshold, and feedback on scored rows:
over HTTP, with the bad input an analyst's client may send."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.analyst import predict, train_model
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.parts import parts
from tests.support.web import Api, make_web_app, run_jobs, user_api

World = tuple[Api, Api, App, int]


@pytest.fixture
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A fresh world per test: the tests save thresholds, give feedback and train, so none
    may see another's (they run in any order)."""
    app, services = make_web_app(tmp_path_factory.mktemp("feedback"))
    with TestClient(app, raise_server_exceptions=False) as client:
        alice = user_api(client, services, "alice@example.com")
        mallory = user_api(client, services, "mallory@example.com")
        yield alice, mallory, services, train_model(alice, services, labelled_csv(), "cards")


def test_the_model_reads_as_an_analyst_needs(world: World) -> None:
    alice, _, _, model_id = world
    detail = alice.get(f"/api/models/{model_id}").json()
    matrix = detail["confusion_matrix"]
    assert matrix["tn"] + matrix["fp"] + matrix["fn"] + matrix["tp"] == matrix["test_rows"]
    assert matrix["threshold"] == detail["threshold"]["trained"]
    assert matrix["tp"] + matrix["fn"] == detail["performance"]["test"]["frauds"]
    assert 0 < matrix["base_rate"] < 1
    curve = detail["threshold_curve"]
    assert len(curve) >= 50
    figures = {"threshold", "precision", "recall", "flagged_share", "expected_cost"}
    assert set(curve[0]) == figures | {"tp", "fp", "fn", "tn"}  # counts: issue 42 item 5
    here = curve[detail["threshold_index"]]
    assert here["threshold"] == matrix["threshold"]
    assert {k: here[k] for k in ("tp", "fp", "fn", "tn")} == {
        k: matrix[k] for k in ("tp", "fp", "fn", "tn")
    }
    shares = [p["flagged_share"] for p in curve]
    assert shares == sorted(shares, reverse=True)  # a higher threshold flags fewer rows
    assert detail["cost_ratio"] > 0
    assert detail["lift"] and detail["lift"][0]["lift"] >= 1
    assert "1%" in detail["precision_at_k"]
    assert detail["trials"] and 0 <= detail["chosen_trial"] < len(detail["trials"])
    names = {m["key"]: m for m in detail["metrics_explained"]}
    assert names["auprc"]["name"] == "Precision-recall area" and names["auprc"]["meaning"]
    readable = {i["feature"]: i["name"] for i in detail["importances"]}
    assert any(f.startswith("customer0_") for f in readable)
    for feature, name in readable.items():
        if feature.startswith(("customer0_", "counterparty0_")):
            assert "_" not in name.split(" (")[0], name  # a phrase, not the feature's key
    assert detail["precision_recall"]["chosen"]["recall"] == detail["performance"]["test"]["recall"]
    french = alice.get(f"/api/models/{model_id}", params={"lang": "fr"}).json()
    assert {m["key"]: m["name"] for m in french["metrics_explained"]}["auprc"] == (
        "Aire précision-rappel"
    )


def test_a_saved_threshold_moves_the_matrix_and_later_scorings(world: World) -> None:
    alice, mallory, services, model_id = world
    before = alice.get(f"/api/models/{model_id}").json()
    saved = alice.put(f"/api/models/{model_id}/threshold", json={"threshold": 0.9})
    assert saved.status_code == 200, saved.text
    after = saved.json()
    assert after["threshold"]["value"] == 0.9
    assert after["threshold"]["saved"]["set_by"] == "alice@example.com"
    flagged = after["confusion_matrix"]["tp"] + after["confusion_matrix"]["fp"]
    assert flagged <= before["confusion_matrix"]["tp"] + before["confusion_matrix"]["fp"]
    scored = predict(alice, services, model_id, unlabelled_csv(300))
    assert scored["summary"]["threshold"] == 0.9
    for bad in (0, 1, 1.5, "high"):
        refused = alice.put(f"/api/models/{model_id}/threshold", json={"threshold": bad})
        assert refused.status_code == 422, refused.text
    stolen = mallory.put(f"/api/models/{model_id}/threshold", json={"threshold": 0.2})
    assert stolen.status_code == 404
    assert (
        alice.put(f"/api/models/{model_id}/threshold", json={"threshold": 0.5}).status_code == 200
    )


def _labels(*pairs: tuple[int, Any]) -> dict[str, Any]:
    return {"labels": [{"row": row, "label": label} for row, label in pairs]}


def test_feedback_is_recorded_replaced_and_refused_when_wrong(world: World) -> None:
    alice, mallory, services, model_id = world
    found = predict(alice, services, model_id, unlabelled_csv(200, seed=11))
    url = f"/api/predictions/{found['id']}/feedback"
    top = found["top"][0]["row"]
    given = alice.post(url, json=_labels((top, 1), (5, 0)))
    assert given.status_code == 200, given.text
    assert [(f["row"], f["label"]) for f in given.json()["labels"]] == sorted([(top, 1), (5, 0)])
    assert alice.post(url, json=_labels((5, 1))).status_code == 200  # changed their mind
    labels = alice.get(url).json()["labels"]
    assert {f["row"]: f["label"] for f in labels} == {top: 1, 5: 1}
    assert all(f["decided_by"] == "alice@example.com" and f["decided_at"] for f in labels)

    missing = alice.post(url, json=_labels((201, 1)))
    assert missing.status_code == 404 and "1 to 200" in missing.json()["message"]
    bad: dict[str, Any]
    for bad in (_labels((3, 2)), _labels((3, "yes")), _labels((0, 1)), {"labels": []}):
        assert alice.post(url, json=bad).status_code == 422, bad
    assert mallory.post(url, json=_labels((3, 1))).status_code == 404
    assert mallory.get(url).status_code == 404
    assert alice.post("/api/predictions/nope/feedback", json=_labels((1, 1))).status_code == 404
    assert {f["row"] for f in alice.get(url).json()["labels"]} == {top, 5}  # nothing added

    assert alice.delete(f"/api/predictions/{found['id']}").status_code == 200
    assert alice.get(url).status_code == 404
    with parts(services).uow() as uow:
        assert uow.feedback.of_prediction(alice.user_id, found["id"]) == []


def test_retraining_learns_from_feedback_on_the_same_test_split(world: World) -> None:
    alice, mallory, services, model_id = world
    nothing = alice.post(f"/api/models/{model_id}/retrain")
    assert nothing.status_code == 409 and "nothing new to learn" in nothing.json()["message"]
    labelled = pd.read_csv(io.BytesIO(labelled_csv(600, seed=12)))
    found = predict(alice, services, model_id, labelled.to_csv(index=False).encode())
    truth = [(r["row"], int(labelled["is_fraud"].iloc[r["row"] - 1])) for r in found["top"][:30]]
    given = alice.post(f"/api/predictions/{found['id']}/feedback", json=_labels(*truth))
    assert given.status_code == 200, given.text
    assert mallory.post(f"/api/models/{model_id}/retrain").status_code == 404

    job = alice.post(f"/api/models/{model_id}/retrain")
    assert job.status_code == 202, job.text
    run_jobs(services)
    done = alice.get(job.json()["status_url"]).json()
    assert done["state"] == "succeeded", done
    new_id = done["result"]["model_id"]
    assert new_id != model_id and done["result"]["feedback_rows"] == 30
    before = alice.get(f"/api/models/{model_id}").json()
    after = alice.get(f"/api/models/{new_id}").json()
    assert after["name"] == before["name"] and after["version"] != before["version"]
    assert after["lineage"]["feedback_rows"] == 30
    assert after["performance"]["data"]["added_rows"] == 30
    assert (
        after["performance"]["data"]["splits"]["test"]
        == (before["performance"]["data"]["splits"]["test"])
    )
    train_rows = after["performance"]["data"]["splits"]["train"]["rows"]
    assert train_rows == before["performance"]["data"]["splits"]["train"]["rows"] + 30
    comparison = after["comparison"]
    assert comparison["previous"]["model_id"] == model_id and comparison["same_test_rows"]
    assert comparison["current"]["auprc"] == after["performance"]["test"]["auprc"]
    assert before["comparison"] is None


def test_a_retrain_racing_a_delete_fails_cleanly(world: World) -> None:
    alice, _, services, _ = world
    latest = max(m["id"] for m in alice.get("/api/models").json())
    labelled = pd.read_csv(io.BytesIO(labelled_csv(600, seed=12)))  # decisions to learn from
    found = predict(alice, services, latest, labelled.to_csv(index=False).encode())
    truth = [(r["row"], int(labelled["is_fraud"].iloc[r["row"] - 1])) for r in found["top"][:30]]
    alice.post(f"/api/predictions/{found['id']}/feedback", json=_labels(*truth))
    job = alice.post(f"/api/models/{latest}/retrain")
    assert job.status_code == 202, job.text
    assert alice.delete(f"/api/models/{latest}").status_code == 200
    run_jobs(services)
    done = alice.get(job.json()["status_url"]).json()
    assert done["state"] == "failed"
    assert "deleted before its retraining started" in done["error"]
    assert latest not in {m["id"] for m in alice.get("/api/models").json()}


def test_decisions_on_the_training_file_itself_are_not_learnt(world: World) -> None:
    alice, _, services, _ = world
    history = labelled_csv(1500, seed=31)
    solo = train_model(alice, services, history, "solo")
    found = predict(alice, services, solo, history)  # the training file, uploaded again
    given = alice.post(f"/api/predictions/{found['id']}/feedback", json=_labels((1, 1), (2, 0)))
    assert given.status_code == 200
    job = alice.post(f"/api/models/{solo}/retrain")
    assert job.status_code == 202, job.text
    run_jobs(services)
    done = alice.get(job.json()["status_url"]).json()
    assert done["state"] == "failed"
    assert "none of the 2 decisions on solo can be learnt from" in done["error"]
    assert [m for m in alice.get("/api/models").json() if m["name"] == "solo"] == [
        m for m in alice.get("/api/models").json() if m["id"] == solo
    ]


def test_feedback_and_mapping_bodies_are_bounded(world: World) -> None:
    alice, _, services, model_id = world
    predict(alice, services, model_id, unlabelled_csv(100))
    (prediction, *_) = alice.get("/api/predictions").json()["items"]
    url = f"/api/predictions/{prediction['id']}/feedback"
    many = alice.post(url, json=_labels(*[(1, 1)] * 10_001))
    assert many.status_code == 422 and "labels" in many.json()["message"]
    huge = alice.post(url, content=b'{"labels": [' + b" " * (2 * 1024 * 1024) + b"]}")
    assert huge.status_code == 413
    long_name = {"mappings": {"cards": {"x" * 300: "amount"}}}
    assert (
        alice.post(f"/api/predictions/{prediction['id']}/rescore", json=long_name).status_code
        == 422
    )
