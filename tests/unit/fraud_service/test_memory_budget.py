"""A training or scoring whose dataset would not fit in a job worker's memory is refused
when it is submitted, with the figures (needed and allowed) and the fix, in English and
French, and nothing is queued (issue 42 item 1: a 2 GB table took the service down). The
budget is a setting, so a small one stands in for a small machine: no large file needed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.catalog.workspace.records import DatasetRecord
from entrepot.config import Settings
from entrepot.fraud_service.errors import OverMemoryBudget
from entrepot.fraud_service.memory_budget import (
    BASELINE,
    BYTES_PER_CELL,
    BYTES_PER_ROW,
    BYTES_PER_STORED_BYTE,
    MARGIN,
    MemoryBudget,
    default_budget,
    estimate,
)
from entrepot.i18n.catalogs import translator
from entrepot.i18n.messages import speaker
from tests.support.csvs import labelled_csv
from tests.support.parts import job_system
from tests.support.web import Api, make_web_app, run_jobs, user_api

ROWS = 800
#: Enough for the upload's analysis, far too little for a job on 800 rows.
BUDGET = 64 * 1024


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[App, Api]]:
    app, services = make_web_app(tmp_path, settings={"job_memory_budget": f"{BUDGET}B"})
    with TestClient(app, raise_server_exceptions=False) as client:
        yield services, user_api(client, services, "big@example.com")


def test_a_training_over_the_budget_is_refused_at_submit_with_the_figures(
    world: tuple[App, Api],
) -> None:
    services, api = world
    dataset = api.upload(labelled_csv(ROWS), "big.csv").json()["dataset_id"]
    answer = api.post("/api/train", json={"dataset_id": dataset, "model_name": "m"})
    assert answer.status_code == 413, answer.text
    body = answer.json()
    assert body["code"] == "over_memory_budget", body
    assert "64 KiB" in body["message"] and "needs about" in body["message"], body
    assert "more memory" in body["message"], body  # the fix
    assert not job_system(services).queue.work_one()  # nothing queued
    for lang in ("en", "fr"):
        said = translator(lang)("error.over_memory_budget")
        assert said != "error.over_memory_budget" and said.strip()


def test_a_scoring_over_the_budget_is_refused_at_submit(world: tuple[App, Api]) -> None:
    services, api = world
    dataset = api.upload(labelled_csv(ROWS), "big.csv").json()["dataset_id"]
    answer = api.post("/api/apply_unlabeled", json={"dataset_id": dataset})
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "over_memory_budget"
    run_jobs(services)


def test_a_dataset_within_the_budget_is_queued(tmp_path: Path) -> None:
    app, services = make_web_app(tmp_path, settings={"job_memory_budget": "1GiB"})
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "small@example.com")
        dataset = api.upload(labelled_csv(ROWS), "small.csv").json()["dataset_id"]
        answer = api.post("/api/train", json={"dataset_id": dataset, "model_name": "m"})
    assert answer.status_code < 300, answer.text


def test_the_estimate_follows_the_decoded_table_and_the_stored_bytes() -> None:
    table = 1000 * (10 * BYTES_PER_CELL + BYTES_PER_ROW)
    assert estimate(1000, 10, 0) == BASELINE + int(MARGIN * table)
    long_text = 10**6 * BYTES_PER_STORED_BYTE
    assert estimate(10, 2, 10**6) == BASELINE + int(MARGIN * long_text)
    # twice the rows, or twice the columns, never less
    assert estimate(2000, 10, 0) > estimate(1000, 10, 0) < estimate(1000, 20, 0)


def test_the_default_budget_is_a_share_of_the_machine() -> None:
    assert Settings.unchecked().jobs.memory_budget is None
    assert MemoryBudget().allowed == default_budget() > 0
    assert Settings(job_memory_budget="2GiB").jobs.memory_budget == 2 * 1024**3


def test_the_refusal_is_written_in_french() -> None:
    record = DatasetRecord(
        "d1", 1, "big.csv", "csv", "datasets/d1/big.csv", 50_000, "0" * 64, 1000, 10,
        True, "fraud", {}, datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    with pytest.raises(OverMemoryBudget) as refused:
        MemoryBudget(BUDGET).check(record, "train")
    said = refused.value.said
    assert said is not None and said.key == "fraud.refused.over_memory_budget"
    text = speaker("fr")(said)
    assert "big.csv" in text and "mémoire" in text and "l’entraînement" in text, text
    english = speaker("en")(said)
    assert "train on it" in english and "64\xa0KiB" in english, english


def test_a_job_queued_within_the_budget_is_checked_again_where_it_runs(tmp_path: Path) -> None:
    """A worker whose budget is smaller than the submitting process's refuses the job
    before reading the dataset: the job fails with the figures, nothing is stored."""
    from dataclasses import replace

    app, services = make_web_app(tmp_path, settings={"job_memory_budget": "1GiB"})
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "moved@example.com")
        dataset = api.upload(labelled_csv(ROWS), "big.csv").json()["dataset_id"]
        job = api.post("/api/train", json={"dataset_id": dataset, "model_name": "m"}).json()
        training = services.fraud().training
        worker_jobs = replace(training._options.jobs, memory_budget=BUDGET)  # the worker's
        training._options = replace(training._options, jobs=worker_jobs)
        run_jobs(services)
        done = api.get(f"/api/jobs/{job['job_id']}").json()
        assert done["state"] == "failed", done
        assert "64\xa0KiB allowed" in (done.get("error") or ""), done
        assert api.get("/api/models").json() == []
