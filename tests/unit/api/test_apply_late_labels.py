"""Issue 25 item 2 for the reference ensemble: scoring an unlabelled file with the
references (``apply_unlabeled``) reads the analysts' decisions on its rows as late labels,
as a scoring with the user's model does; the summary says how many labels were given and
how many of the ensemble's models read them (with the message ``known_labels.not_read``
when none does), and the realised figures stand beside the estimate.

The message for an ensemble none of whose models reads labels is checked in
``tests/unit/fraud_service/test_realised.py``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.fraud.synth.generator import generate
from tests.support.web import ONE_REFERENCE, Api, make_web_app, run_jobs, user_api

World = tuple[Api, App]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("apply-late"), **ONE_REFERENCE)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert services.fraud().references.ensure() is not None
        run_jobs(services)
        yield user_api(client, services, "lea@example.com"), services


def _applied(api: Api, services: App, dataset: str) -> dict[str, Any]:
    answer = api.post("/api/apply_unlabeled", json={"dataset_id": dataset})
    assert answer.status_code == 202, answer.text
    run_jobs(services)
    job = api.get(f"/api/jobs/{answer.json()['job_id']}").json()
    assert job["state"] == "succeeded", job
    found: dict[str, Any] = api.get(f"/api/predictions/{job['result']['prediction_id']}").json()
    return found


def _scores(api: Api, found: dict[str, Any]) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(api.get(found["download_url"]).content))


def test_the_reference_ensemble_reads_the_decisions_as_late_labels(world: World) -> None:
    api, services = world
    data = generate("card_payments", 700, fraud_rate=0.06, seed=31, variety=False)
    truth = data.labels.astype(int)
    content = data.frame.drop(columns=[data.target]).to_csv(index=False).encode()
    dataset = api.upload(content, "unlabelled.csv").json()["dataset_id"]
    first = _applied(api, services, dataset)
    assert first["summary"]["known_labels"] is None
    decided = {row: int(truth[row - 1]) for row in range(1, 401)}
    url = f"/api/predictions/{first['id']}/feedback"
    given = api.post(url, json={"labels": [{"row": r, "label": v} for r, v in decided.items()]})
    assert given.status_code == 200, given.text

    again = _applied(api, services, dataset)
    known = again["summary"]["known_labels"]
    assert known["labels"] == len(decided) and known["frauds"] == sum(decided.values())
    assert known["history_rows"] == 0
    assert known["models"] == len(again["summary"]["members"])
    # A card-payments reference has a time and a terminal: its features read past
    # labels (ADR 0046), whichever model the search chose. Whether those features move
    # the scores depends on that model; ``test_known_labels`` shows they do for a
    # reference without its training tail, as here.
    assert known["models_reading"] == 1 and "note" not in known
    after = _scores(api, again)

    # The realised figures on the decided rows, by their definition, in pandas.
    labels = pd.DataFrame({"row": list(decided), "label": list(decided.values())})
    both = labels.merge(after[["row", "prediction"]], on="row")
    flagged, frauds = both[both["prediction"] == 1], both[both["label"] == 1]
    realised = again["estimate"]["realised"]
    assert realised["source"] == "feedback" and realised["labelled_rows"] == len(both)
    assert realised["frauds"] == len(frauds) and realised["flagged"] == len(flagged)
    if len(flagged):
        assert realised["precision"] == pytest.approx(flagged["label"].mean(), abs=1e-6)
    else:
        assert realised["precision"] is None
    recall = (frauds["prediction"] == 1).mean()
    assert realised["recall"] == pytest.approx(recall, abs=1e-6)

    # Scoring the first prediction again with chosen columns reads the decisions too.
    member = first["summary"]["members"][0]
    ask = {"mappings": {member["name"]: member["mapping"]}}
    job = api.post(f"/api/predictions/{first['id']}/rescore", json=ask)
    assert job.status_code == 202, job.text
    rescored = _scored_job(api, services, job.json())
    assert rescored["summary"]["known_labels"]["labels"] == len(decided)


def _scored_job(api: Api, services: App, job: dict[str, Any]) -> dict[str, Any]:
    run_jobs(services)
    done = api.get(job["status_url"]).json()
    assert done["state"] == "succeeded", done
    found: dict[str, Any] = api.get(f"/api/predictions/{done['result']['prediction_id']}").json()
    return found
