"""A prediction as an analyst reviews it over HTTP: the highest-risk rows first with their
row number and explanation in words, the evaluation when the file has its labels, and the
drift of each model input against the training data."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.analyst import predict, train_model
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.web import Api, make_web_app, run_jobs, user_api


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, App, int]]:
    app, services = make_web_app(tmp_path_factory.mktemp("review"))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "analyst@example.com")
        yield api, services, train_model(api, services, labelled_csv(), "cards")


def test_top_rows_come_highest_risk_first_with_their_row_and_words(
    trained: tuple[Api, App, int],
) -> None:
    api, services, model_id = trained
    content = unlabelled_csv(500)
    found = predict(api, services, model_id, content)
    top = found["top"]
    assert len(top) == 100
    probabilities = [r["fraud_probability"] for r in top]
    assert probabilities == sorted(probabilities, reverse=True)
    upload = pd.read_csv(io.BytesIO(content))
    scores = pd.read_csv(io.BytesIO(api.get(found["download_url"]).content))
    assert scores["row"].tolist() == list(range(1, 501))
    first = top[0]
    assert first["fraud_probability"] == pytest.approx(scores["fraud_probability"].max())
    row = scores.loc[scores["row"] == first["row"]].iloc[0]
    assert first["ids"]["transaction_id"] == upload["transaction_id"].iloc[first["row"] - 1]
    assert first["ids"]["transaction_id"] == row["transaction_id"]
    assert first["explanation"] and first["explanation"] == row["explanation"]
    assert first["members"][0]["name"] == "cards"
    assert found["evaluation"] is None  # no label in this file
    assert "top" not in found["summary"]
    fewer = api.get(f"/api/predictions/{found['id']}", params={"top": 5}).json()["top"]
    assert fewer == top[:5]
    assert api.get(f"/api/predictions/{found['id']}", params={"top": 0}).status_code == 422
    listed = api.get("/api/predictions").json()["items"]
    assert all("top" not in p["summary"] for p in listed)


def test_a_labelled_file_is_evaluated_and_drift_flags_a_moved_column(
    trained: tuple[Api, App, int],
) -> None:
    api, services, model_id = trained
    labelled = pd.read_csv(io.BytesIO(labelled_csv(800, seed=9)))
    found = predict(api, services, model_id, labelled.to_csv(index=False).encode())
    evaluation = found["evaluation"]
    assert evaluation["target"] == "is_fraud" and 0 < evaluation["auprc"] <= 1
    matrix = evaluation["confusion_matrix"]
    assert sum(matrix.values()) == 800 and matrix["tp"] + matrix["fn"] == evaluation["frauds"]
    steady = {d["input"]: d for d in found["drift"]["inputs"]}
    assert "timestamp" not in steady and "country" in steady
    assert steady["amount"]["psi"] < 0.25 and not steady["amount"]["warning"]
    assert found["drift"]["scores"]["training"] and found["drift"]["scores"]["current"]

    moved = labelled.assign(amount=labelled["amount"] * 20)
    shifted = predict(api, services, model_id, moved.to_csv(index=False).encode())
    drifted = {d["input"]: d for d in shifted["drift"]["inputs"]}
    assert drifted["amount"]["psi"] > 0.25 and drifted["amount"]["warning"]
    assert shifted["drift"]["inputs"][0]["input"] == "amount"  # the worst first


def test_scoring_again_with_the_columns_an_analyst_chose(
    trained: tuple[Api, App, int],
) -> None:
    api, services, model_id = trained
    found = predict(api, services, model_id, unlabelled_csv(300, seed=13))
    (member,) = found["summary"]["members"]
    assert member["mapping"]["amount"] == "amount"
    chosen = {k: v for k, v in member["mapping"].items() if k != "amount"}
    url = f"/api/predictions/{found['id']}/rescore"
    job = api.post(url, json={"mappings": {"cards": chosen}})
    assert job.status_code == 202, job.text
    run_jobs(services)
    done = api.get(job.json()["status_url"]).json()
    assert done["state"] == "succeeded", done
    again = api.get(f"/api/predictions/{done['result']['prediction_id']}").json()
    assert again["summary"]["members"][0]["mapping"] == chosen
    assert again["id"] != found["id"] and again["rows"] == 300
    first = {r["row"]: r["fraud_probability"] for r in found["top"]}
    assert any(first.get(r["row"]) != r["fraud_probability"] for r in again["top"])

    for body, words in (
        ({"mappings": {"cards": {"no_such_column": "amount"}}}, "has no column no_such_column"),
        ({"mappings": {"other": chosen}}, "no model other scored this file"),
    ):
        refused = api.post(url, json=body)
        assert refused.status_code == 422 and words in refused.json()["message"], refused.text
    assert api.post(url, json={"mappings": {}}).status_code == 422
    bad_input = api.post(url, json={"mappings": {"cards": {"amount": "not_an_input"}}})
    run_jobs(services)
    failed = api.get(bad_input.json()["status_url"]).json()
    assert failed["state"] == "failed" and "has no input not_an_input" in failed["error"]


def test_drift_compares_inputs_never_identifiers(
    trained: tuple[Api, App, int],
) -> None:
    # Regression: customer and terminal ids were flagged as "moved" (PSI about 6) on every
    # new file, since a new period brings new ids; they are keys, not populations.
    api, services, model_id = trained
    labelled = pd.read_csv(io.BytesIO(labelled_csv(800, seed=11)))
    found = predict(api, services, model_id, labelled.to_csv(index=False).encode())
    compared = {d["input"] for d in found["drift"]["inputs"]}
    assert compared and "amount" in compared
    assert not compared & {"customer_id", "transaction_id", "timestamp"}
