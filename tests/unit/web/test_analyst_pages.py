"""The analyst's pages as the server renders them: the model page's readable metrics,
threshold slider and confusion matrix; the prediction's top rows, drift and columns; the
review page; retraining from the page; two versions side by side; in French too."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.http.assets import asset_url
from tests.support.analyst import predict, train_model
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, Api, csrf_of, make_web_app, run_jobs, sign_in

World = tuple[TestClient, Api, App, int, dict]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("pages"))
    with TestClient(app, raise_server_exceptions=False) as client:
        user = services.accounts.register("ana@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        api = Api(client, token, user.id)
        model_id = train_model(api, services, labelled_csv(), "cards")
        labelled = labelled_csv(700, seed=21)
        found = predict(api, services, model_id, labelled)
        sign_in(client, "ana@example.com")
        yield client, api, services, model_id, found


def test_the_model_page_reads_as_an_analyst_needs(world: World) -> None:
    client, _, _, model_id, _ = world
    page = client.get(f"/models/{model_id}").text
    assert "Precision-recall area" in page and "How well frauds rank" in page
    assert "<th>auprc</th>" not in page
    assert 'id="threshold-slider"' in page and 'id="threshold-data"' in page
    assert f'<script src="{asset_url("analyst.js")}"' in page
    for cell in ("cm-tp", "cm-fp", "cm-fn", "cm-tn"):
        assert f'id="{cell}"' in page
    assert 'id="lift"' in page and 'id="trials"' in page
    assert "customer0_amount_ratio_30d" not in page.split('id="chart-importance-data"')[1][:4000]
    assert "vs this customer" in page
    french = client.get(f"/models/{model_id}", headers={"Accept-Language": "fr"}).text
    assert "Aire précision-rappel" in french and "Seuil de décision" in french
    assert client.get("/static/analyst.js").status_code == 200
    refused = client.post(f"/models/{model_id}/retrain", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 200 and "nothing new to learn" in refused.text


def test_the_prediction_page_shows_top_rows_evaluation_drift_and_columns(world: World) -> None:
    client, _, _, _, found = world
    page = client.get(f"/predictions/{found['id']}").text
    table = page.split('id="top-rows"')[1].split("</table>")[0]
    first = found["top"][0]
    assert f"<td>{first['row']}</td>" in table and first["explanation"].split(",")[0] in table
    assert 'id="evaluation-auprc"' in page and 'id="drift"' in page
    assert 'id="chart-score-drift-data"' in page
    assert "<code>amount</code> → amount" in page
    assert f'href="/predictions/{found["id"]}/review"' in page


def test_the_review_page_lists_the_flagged_rows_by_risk(world: World) -> None:
    client, _, _, _, found = world
    page = client.get(f"/predictions/{found['id']}/review").text
    rows = [int(r) for r in re.findall(r'class="review-row" data-row="(\d+)"', page)]
    flagged = [r["row"] for r in found["top"] if r["risk_level"] in ("high", "critical")]
    assert rows == flagged and rows
    assert "F fraud" in page and 'id="review-fraud"' in page


def test_retraining_from_the_page_and_comparing_versions(world: World) -> None:
    client, api, services, _, _ = world
    # A model of its own: the feedback and the new version must not reach the other tests.
    model_id = train_model(api, services, labelled_csv(), "retrained")
    found = predict(api, services, model_id, labelled_csv(700, seed=21))
    truth = pd.read_csv(io.BytesIO(labelled_csv(700, seed=21)))["is_fraud"]
    labels = [{"row": r["row"], "label": int(truth.iloc[r["row"] - 1])} for r in found["top"][:20]]
    assert (
        api.post(f"/api/predictions/{found['id']}/feedback", json={"labels": labels}).status_code
        == 200
    )
    token = csrf_of(client.get(f"/models/{model_id}").text)
    started = client.post(
        f"/models/{model_id}/retrain", data={"csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    run_jobs(services)
    job_page = client.get(started.headers["location"]).text
    new_id = int(re.search(r'href="/models/(\d+)"', job_page).group(1))  # type: ignore[union-attr]
    page = client.get(f"/models/{new_id}").text
    assert 'id="comparison"' in page and 'id="feedback-rows">20<' in page
    compared = client.get(f"/models/{new_id}/compare", params={"other": model_id}).text
    assert 'id="chart-compare"' in compared and compared.count("<code>") >= 2
    missing = client.get(f"/models/{new_id}/compare", params={"other": 999999})
    assert missing.status_code == 404


def test_the_columns_are_edited_on_the_page_and_scored_again(world: World) -> None:
    client, api, services, _, found = world
    page = client.get(f"/predictions/{found['id']}").text
    assert 'id="rescore-form"' in page and "amount = amount" in page
    mapping = found["summary"]["members"][0]["mapping"]
    text = "\n".join(f"{k} = {v}" for k, v in mapping.items() if k != "amount")
    started = client.post(
        f"/predictions/{found['id']}/rescore",
        data={"csrf_token": csrf_of(page), "mapping:cards": text},
        follow_redirects=False,
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    run_jobs(services)
    job = api.get("/api/jobs/" + started.headers["location"].rsplit("/", 1)[1]).json()
    again = api.get(f"/api/predictions/{job['result']['prediction_id']}").json()
    assert "amount" not in again["summary"]["members"][0]["mapping"]
    refused = client.post(
        f"/predictions/{found['id']}/rescore",
        data={"csrf_token": csrf_of(page), "mapping:cards": "nope = amount"},
    )
    assert refused.status_code == 200 and "has no column nope" in refused.text


def test_the_prediction_carries_its_estimate_beside_the_realised_figures(world: World) -> None:
    client, api, _, _, found = world
    scores = pd.read_csv(io.BytesIO(api.get(f"/api/predictions/{found['id']}/download").content))
    labels = pd.read_csv(io.BytesIO(labelled_csv(700, seed=21)))["is_fraud"].to_numpy()
    p = scores["fraud_probability"].to_numpy()
    estimate = found["estimate"]
    assert estimate == found["summary"]["estimate"]
    flagged = scores["prediction"].to_numpy() == 1  # at the unrounded threshold
    assert estimate["flagged"] == int(flagged.sum())
    # CBPE, computed here from the stored probabilities
    expected_tp, expected_fn = p[flagged].sum(), p[~flagged].sum()
    assert estimate["precision"]["value"] == pytest.approx(expected_tp / flagged.sum(), abs=1e-5)
    recall = expected_tp / (expected_tp + expected_fn)
    assert estimate["recall"]["value"] == pytest.approx(recall, abs=1e-5)
    for name in ("precision", "recall"):
        figure = estimate[name]
        assert 0 <= figure["low"] <= figure["value"] <= figure["high"] <= 1
    realised = estimate["realised"]
    assert realised["precision"] == pytest.approx(labels[flagged].mean(), abs=1e-5)
    assert realised["recall"] == pytest.approx(labels[flagged].sum() / labels.sum(), abs=1e-5)
    keys = [a["key"] for a in estimate["assumptions"]]
    assert keys[:2] == ["estimate.assumption_calibrated", "estimate.assumption_no_concept_shift"]
    # issue 41 item 2: an estimate that disagrees with the card's promise holds it too
    assert keys[2:] in ([], ["estimate.widened_to_card"])
    if keys[2:]:
        promise = found["summary"]["expected"]
        for name in ("precision", "recall"):
            assert estimate[name]["low"] <= promise[name]["low"]
            assert estimate[name]["high"] >= promise[name]["high"]
    page = client.get(f"/predictions/{found['id']}").text
    section = page.split('id="estimate"')[1].split("</section>")[0]
    assert 'id="estimate-precision"' in section and 'id="realised-recall"' in section
    assert "calibrated" in section and "concept shift" in section
    french = client.get(f"/predictions/{found['id']}", headers={"Accept-Language": "fr"}).text
    section = french.split('id="estimate"')[1].split("</section>")[0]
    assert "Performance estimée" in section and "dérive de concept" in section
    # the card's AUPRC: a figure where it promises one, else its range and no figure
    expected = found["summary"]["expected"]
    cell = page.split('id="expected-auprc"')[1].split("</td>")[0]
    value = f"{expected['auprc']['value']:.3f}"
    if expected["promises"]:
        assert value in cell and "no figure" not in cell
    else:
        assert value not in cell and "no figure promised" in cell
    # ADR 0096: the days the file lies after the card's test period, in both languages
    elapsed = found["summary"]["expected"]["elapsed_days"]
    days = round(elapsed)
    row = page.split('id="expected-elapsed"')[1].split("</td>")[0]
    assert f"{days} day" in row and "widens below" in row
    row = french.split('id="expected-elapsed"')[1].split("</td>")[0]
    assert f"{days} jour" in row and "s’élargit vers le bas" in row
