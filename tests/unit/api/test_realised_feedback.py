"""Issue 25 item 4: when labels arrive for a scored file (the analysts' decisions), the
prediction shows the realised precision and recall at the threshold beside the estimate,
on the rows labelled; the API and the page read them from the one service rule, and a
later scoring of the file measures them from the decisions it reads as late labels.

The expected figures are computed here with plain pandas from the downloaded scores and
the decisions, by the definition: on the decided rows, precision = frauds among the
flagged / flagged, recall = flagged among the frauds / frauds."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.fraud.synth.generator import generate
from tests.support.analyst import train_model
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, Api, make_web_app, run_jobs, sign_in

World = tuple[TestClient, Api, App, int]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("realised"))
    with TestClient(app, raise_server_exceptions=False) as client:
        user = services.accounts.register("rea@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        api = Api(client, token, user.id)
        model_id = train_model(api, services, labelled_csv(), "cards")
        sign_in(client, "rea@example.com")
        yield client, api, services, model_id


def _scored(api: Api, services: App, job: dict[str, Any]) -> dict[str, Any]:
    run_jobs(services)
    done = api.get(job["status_url"]).json()
    assert done["state"] == "succeeded", done
    found: dict[str, Any] = api.get(f"/api/predictions/{done['result']['prediction_id']}").json()
    return found


def _expected(scores: pd.DataFrame, decided: dict[int, int]) -> dict[str, Any]:
    """The realised figures by their definition, in pandas."""
    labels = pd.DataFrame({"row": list(decided), "label": list(decided.values())})
    both = labels.merge(scores[["row", "prediction"]], on="row", how="inner")
    flagged = both[both["prediction"] == 1]
    frauds = both[both["label"] == 1]
    return {
        "labelled_rows": len(both),
        "frauds": len(frauds),
        "flagged": len(flagged),
        "precision": flagged["label"].mean() if len(flagged) else None,
        "recall": (frauds["prediction"] == 1).mean() if len(frauds) else None,
    }


def _check(realised: dict[str, Any], expected: dict[str, Any]) -> None:
    assert realised["source"] == "feedback"
    for key in ("labelled_rows", "frauds", "flagged"):
        assert realised[key] == expected[key], key
    for key in ("precision", "recall"):
        assert realised[key] == pytest.approx(expected[key], abs=1e-6), key


def test_the_analysts_decisions_set_the_realised_figures_beside_the_estimate(
    world: World,
) -> None:
    client, api, services, model_id = world
    data = generate("card_payments", 800, fraud_rate=0.06, seed=17, variety=False)
    truth = data.labels.astype(int)
    content = data.frame.drop(columns=[data.target]).to_csv(index=False).encode()
    dataset = api.upload(content, "batch.csv").json()["dataset_id"]
    ask = {"model_id": model_id, "dataset_id": dataset}
    first = _scored(api, services, api.post("/api/predict", json=ask).json())
    assert first["estimate"]["realised"] is None  # no label yet
    scores = pd.read_csv(io.BytesIO(api.get(first["download_url"]).content))
    flagged_rows = scores.loc[scores["prediction"] == 1, "row"].tolist()
    assert len(flagged_rows) >= 5, "the model flags too few rows for this test"

    # The analysts decide most flagged rows and some others, the truth each time.
    chosen = flagged_rows[: len(flagged_rows) * 2 // 3] + list(range(1, 121))
    decided = {int(r): int(truth[r - 1]) for r in chosen}
    url = f"/api/predictions/{first['id']}/feedback"
    given = api.post(url, json={"labels": [{"row": r, "label": v} for r, v in decided.items()]})
    assert given.status_code == 200, given.text
    found = api.get(f"/api/predictions/{first['id']}").json()
    _check(found["estimate"]["realised"], _expected(scores, decided))
    assert found["estimate"]["precision"] == first["estimate"]["precision"]  # unchanged
    assert found["summary"]["estimate"] == found["estimate"]

    # A later decision on a row replaces the earlier one; new rows count too.
    row = flagged_rows[0]
    decided[row] = 1 - decided[row]
    decided[200] = int(truth[199])
    again = [{"row": row, "label": decided[row]}, {"row": 200, "label": decided[200]}]
    assert api.post(url, json={"labels": again}).status_code == 200
    found = api.get(f"/api/predictions/{first['id']}").json()
    _check(found["estimate"]["realised"], _expected(scores, decided))

    # The page shows them, marked as realised on the decisions, with the rows labelled.
    page = client.get(f"/predictions/{first['id']}").text
    section = page.split('id="estimate"')[1].split("</section>")[0]
    assert "realised on the analysts’ decisions" in section
    assert f'id="realised-rows">{len(decided)}<' in section
    assert 'id="realised-precision"' in section
    french = client.get(f"/predictions/{first['id']}", headers={"Accept-Language": "fr"}).text
    section = french.split('id="estimate"')[1].split("</section>")[0]
    assert "mesurée sur les décisions des analystes" in section

    # Scoring the file again reads the decisions as late labels and measures the same way.
    later = _scored(api, services, api.post("/api/predict", json=ask).json())
    rescored = pd.read_csv(io.BytesIO(api.get(later["download_url"]).content))
    _check(later["estimate"]["realised"], _expected(rescored, decided))
    assert later["summary"]["known_labels"]["labels"] == len(decided)


def test_a_file_scored_with_its_label_keeps_the_labels_figures(world: World) -> None:
    """Decisions on a file that holds its own label do not replace the label's figures,
    which count every row."""
    _, api, services, model_id = world
    content = labelled_csv(500, seed=23)
    truth = pd.read_csv(io.BytesIO(content))["is_fraud"].to_numpy()
    dataset = api.upload(content, "labelled.csv").json()["dataset_id"]
    ask = {"model_id": model_id, "dataset_id": dataset}
    found = _scored(api, services, api.post("/api/predict", json=ask).json())
    url = f"/api/predictions/{found['id']}/feedback"
    assert api.post(url, json={"labels": [{"row": 1, "label": 1}]}).status_code == 200
    realised = api.get(f"/api/predictions/{found['id']}").json()["estimate"]["realised"]
    assert realised["source"] == "label" and realised["target"] == "is_fraud"
    assert realised["labelled_rows"] == len(truth) and realised["frauds"] == int(truth.sum())
