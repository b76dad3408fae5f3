"""Issue 25, item 1: the model card's out-of-time figure is what scoring delivers.

A generated file is cut in time: the earlier part is uploaded and trained on through the
API; the next period, as long as the card's test period, is uploaded without its label
and scored through ``POST /api/predict``. Its AUPRC, computed here with scikit-learn from
the downloaded scores and the labels kept back, is within 0.03 of the card's test AUPRC.
Before, the test rows' features read the test period's own labels (a terminal's recent
fraud rate older than the delay), which scoring never has (ADR 0039, ``docs/benchmarks.md``).
The file has many frauds (10 %) so that the figure of one period is precise enough for the
comparison to mean something: the bootstrap interval is about ±0.015 here.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import average_precision_score

from entrepot.fraud.synth.generator import generate
from tests.support.web import Api, make_web_app, run_jobs, user_api

#: Rows uploaded for training; the scored period is a fifth of it, as the card's test.
TRAINED_ROWS = 150_000


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[Api, object]]:
    app, services = make_web_app(tmp_path, training_budget=4.0)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield user_api(client, services, "card@example.com"), services


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _done(api: Api, services: object, job: dict[str, str]) -> dict[str, object]:
    run_jobs(services)  # type: ignore[arg-type]
    found = api.get(f"/api/jobs/{job['job_id']}").json()
    assert found["state"] == "succeeded", found
    result: dict[str, object] = found["result"]
    return result


@pytest.mark.slow
def test_the_cards_test_auprc_is_what_scoring_the_next_period_gives(
    api: tuple[Api, object],
) -> None:
    client, services = api
    data = generate("card_payments", TRAINED_ROWS * 6 // 5, seed=1, variety=False, fraud_rate=0.1)
    frame, target = data.frame, data.target
    stamp = data.columns["timestamp"]
    assert frame[stamp].is_monotonic_increasing  # the cut below is a cut in time
    trained, scored = frame.iloc[:TRAINED_ROWS], frame.iloc[TRAINED_ROWS:]

    uploaded = client.upload(_csv(trained), "history.csv").json()["dataset_id"]
    job = client.post(
        "/api/train",
        json={"dataset_id": uploaded, "model_name": "card", "target_column": target},
    ).json()
    model_id = _done(client, services, job)["model_id"]
    headline = client.get(f"/api/models/{model_id}").json()["performance"]["card"]["headline"]
    assert headline["out_of_time"] is True

    unlabelled = client.upload(_csv(scored.drop(columns=[target])), "next.csv").json()
    job = client.post(
        "/api/predict", json={"model_id": model_id, "dataset_id": unlabelled["dataset_id"]}
    ).json()
    prediction = _done(client, services, job)["prediction_id"]
    download = client.get(f"/api/predictions/{prediction}/download")
    assert download.status_code == 200
    scores = pd.read_csv(io.BytesIO(download.content))
    labels = data.labels[TRAINED_ROWS:][scores["row"].to_numpy() - 1]
    delivered = average_precision_score(labels, scores["fraud_probability"].to_numpy())

    assert abs(headline["value"] - delivered) <= 0.03, (headline, delivered)


def test_a_kept_column_the_dataset_lacks_is_refused_by_name(api: tuple[Api, object]) -> None:
    client, _ = api
    data = generate("card_payments", 2000, seed=1, variety=False, fraud_rate=0.05)
    uploaded = client.upload(_csv(data.frame), "small.csv").json()["dataset_id"]
    refused = client.post(
        "/api/train",
        json={"dataset_id": uploaded, "model_name": "m", "keep_columns": ["chargeback"]},
    )
    assert 400 <= refused.status_code < 500
    assert "chargeback" in refused.text and "keep" in refused.text
    assert client.get("/api/history").json()["items"] == []  # nothing queued
