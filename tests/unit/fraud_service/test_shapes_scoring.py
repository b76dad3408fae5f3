"""Scoring reads a file's shape as training did (issue 25 item 5): the same transactions as a
French CSV, a spreadsheet with a title row and a Parquet file of categorical columns are
each trained on through the service (budgets counted in steps: the same model on any load)
and scored; every model gives the same probabilities to the same rows whichever shape
they came in, within 1e-9, and the identifier is never a model input."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.shapes import (
    french_amount,
    french_frame,
    parquet_bytes,
    xlsx_bytes,
)
from tests.support.web import Api, make_web_app, run_jobs, user_api


def _french_csv(frame: pd.DataFrame) -> bytes:
    written = frame.assign(
        amount=[french_amount(a, group="\u00a0") for a in frame["amount"]],
        timestamp=frame["timestamp"].dt.strftime("%d/%m/%Y %H:%M:%S"),
    )
    return written.to_csv(index=False, sep=";", lineterminator="\r\n").encode("cp1252")


def _categorical_parquet(frame: pd.DataFrame) -> bytes:
    text = ["entry_mode", "pays_émetteur", "Fraude ?"]
    return parquet_bytes(
        pa.Table.from_pandas(frame.astype(dict.fromkeys(text, "category")), preserve_index=False)
    )


def _shapes() -> dict[str, tuple[str, bytes]]:
    frame = french_frame()
    return {
        "french-csv": ("transactions.csv", _french_csv(frame)),
        "xlsx-title-row": (
            "transactions.xlsx",
            xlsx_bytes({"Transactions": frame}, startrow=2, title="Export des transactions"),
        ),
        "parquet-categorical": ("transactions.parquet", _categorical_parquet(frame)),
    }


SHAPES = _shapes()


def _upload(api: Api, name: str) -> str:
    filename, content = SHAPES[name]
    answer = api.upload(content, filename)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["dataset_id"])


def _finished(api: Api, services: App, job: Any) -> dict[str, Any]:
    assert job.status_code == 202, job.text
    run_jobs(services)
    done: dict[str, Any] = api.get(job.json()["status_url"]).json()
    assert done["state"] == "succeeded", done
    return done


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Api, App, dict[str, int]]]:
    app, services = make_web_app(tmp_path_factory.mktemp("shapes-scoring"))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "analyst@example.com")
        models = {}
        for name in SHAPES:
            body = {"dataset_id": _upload(api, name), "model_name": f"m-{name}"}
            done = _finished(api, services, api.post("/api/train", json=body))
            models[name] = int(done["result"]["model_id"])
        yield api, services, models


def _scores(api: Api, services: App, model_id: int, name: str) -> np.ndarray:
    body = {"model_id": model_id, "dataset_id": _upload(api, name)}
    done = _finished(api, services, api.post("/api/predict", json=body))
    found = api.get(f"/api/predictions/{done['result']['prediction_id']}").json()
    scores = pd.read_csv(io.BytesIO(api.get(found["download_url"]).content))
    assert scores["row"].tolist() == list(range(1, len(french_frame()) + 1))
    return scores["fraud_probability"].to_numpy(dtype=float)


def test_every_shape_is_scored_as_it_was_trained(
    trained: tuple[Api, App, dict[str, int]],
) -> None:
    api, services, models = trained
    first = next(iter(SHAPES))
    reference = _scores(api, services, models[first], first)
    assert 0.0 < reference.min() < reference.max() < 1.0
    for model_name, model_id in models.items():
        for shape in SHAPES:
            if (model_name, shape) == (first, first):
                continue
            got = _scores(api, services, model_id, shape)
            assert np.max(np.abs(got - reference)) <= 1e-9, (model_name, shape)


def test_the_identifier_is_not_a_model_input(
    trained: tuple[Api, App, dict[str, int]],
) -> None:
    api, _, models = trained
    for model_id in models.values():
        schema = api.get(f"/api/models/{model_id}/files/schema.json").json()
        assert schema["id_columns"] == ["transaction_id"]
        assert "transaction_id" not in schema["input_columns"]
        assert (schema["target"], schema["positive"]) == ("Fraude ?", "frauduleuse")
        assert schema["timestamp"] == "timestamp" and schema["amount"] == "amount"
