"""``fraud train FILE --user``: the account's training through the training service. Before,
the command trained and registered by itself and checked the plan inside a unit of work it
rolled back, so a web training started meanwhile could take the same last slot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.accounts.errors import QuotaExceeded
from entrepot.bootstrap.app import App
from entrepot.catalog.jobs.records import JobState
from entrepot.fraud_service.errors import TrainingFailed
from entrepot.fraud_service.job_payloads import SearchOptions
from entrepot.messages import Message
from entrepot.registry.errors import InvalidName
from tests.support.csvs import labelled_csv
from tests.support.web import Api, run_jobs, user_api, web_client

FAST = SearchOptions(time_budget=1.0)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    with web_client(tmp_path) as both:
        yield both


@pytest.fixture
def ann(web: tuple[TestClient, App]) -> Api:
    return user_api(*web, "ann@example.com")  # a trial: 3 models


def _file(folder: Path, rows: int = 600) -> Path:
    path = folder / "tx.csv"
    path.write_bytes(labelled_csv(rows))
    return path


def test_the_slot_is_held_while_the_file_trains(
    web: tuple[TestClient, App], ann: Api, tmp_path: Path
) -> None:
    _, services = web
    for n in range(2):
        dataset = ann.upload(labelled_csv(600)).json()["dataset_id"]
        ann.post("/api/train", json={"dataset_id": dataset, "model_name": f"web{n}"})
    run_jobs(services)
    other = ann.upload(labelled_csv(600)).json()["dataset_id"]
    meanwhile: list[BaseException | None] = []

    def progress(_fraction: float, _message: Message | None) -> None:
        if not meanwhile:  # the last slot is the command's while it trains
            try:
                services.fraud().training.submit(ann.user_id, other, "web-meanwhile")
                meanwhile.append(None)
            except QuotaExceeded as exc:
                meanwhile.append(exc)

    job = services.fraud().training.train_file(
        ann.user_id, _file(tmp_path), "cli", search=FAST, progress=progress
    )
    assert isinstance(meanwhile[0], QuotaExceeded)
    assert job.state is JobState.SUCCEEDED and job.result["model_name"] == "cli"
    assert sorted(m["name"] for m in ann.get("/api/models").json()) == ["cli", "web0", "web1"]


def test_the_training_is_the_accounts_job_and_dataset(
    web: tuple[TestClient, App], ann: Api, tmp_path: Path
) -> None:
    _, services = web
    job = services.fraud().training.train_file(ann.user_id, _file(tmp_path), "cli", search=FAST)
    history = ann.get("/api/history").json()["items"]
    assert [(j["kind"], j["state"]) for j in history] == [("train", "succeeded")]
    assert history[0]["id"] == job.id
    (dataset,) = ann.get("/api/datasets").json()["items"]
    assert dataset["name"] == "tx.csv" and dataset["rows"] == 600


def test_a_full_quota_is_refused_before_the_upload(
    web: tuple[TestClient, App], ann: Api, tmp_path: Path
) -> None:
    _, services = web
    for n in range(3):
        services.fraud().training.train_file(ann.user_id, _file(tmp_path), f"m{n}", search=FAST)
    with pytest.raises(QuotaExceeded):
        services.fraud().training.train_file(
            ann.user_id, _file(tmp_path), "one_too_many", search=FAST
        )
    assert len(ann.get("/api/datasets").json()["items"]) == 3  # nothing new kept


def test_a_bad_name_is_refused_before_the_upload(
    web: tuple[TestClient, App], ann: Api, tmp_path: Path
) -> None:
    _, services = web
    with pytest.raises(InvalidName):
        services.fraud().training.train_file(ann.user_id, _file(tmp_path), "x" * 65, search=FAST)
    assert ann.get("/api/datasets").json()["items"] == []


def test_a_failed_training_says_why(web: tuple[TestClient, App], ann: Api, tmp_path: Path) -> None:
    _, services = web
    with pytest.raises(TrainingFailed) as failed:
        services.fraud().training.train_file(
            ann.user_id, _file(tmp_path, rows=40), "tiny", search=FAST
        )
    (job,) = ann.get("/api/history").json()["items"]
    assert job["state"] == "failed" and job["error"] == failed.value.message
