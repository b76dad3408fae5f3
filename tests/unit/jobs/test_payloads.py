"""Typed job payloads: each kind's parameters written with their version and read back
validated; a job queued by the previous release (no version) still runs, one queued by a
newer release, or with parameters that do not validate, fails clearly."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from entrepot.catalog.jobs.records import JobRecord, JobState
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.city.fanout import CityUnitPayload, unit_params
from entrepot.fraud_service.job_payloads import (
    ApplyPayload,
    BuildPayload,
    PredictPayload,
    SearchOptions,
    TrainPayload,
)
from entrepot.jobs.payloads import Payload, PayloadError
from entrepot.jobs.queue import JobQueue
from entrepot.jobs.runner import JobRunner, Progress
from entrepot.jobs.service import JobService
from tests.support.catalog import uow_factory

EXAMPLES: list[Payload] = [
    TrainPayload("d1", "tx.csv", "cards", "is_fraud"),
    TrainPayload(
        "d1",
        "tx.csv",
        "cards",
        "is_fraud",
        retrain_of=4,
        previous_version="v20261123_080000",
        search=SearchOptions(30.0, cost_ratio=25.0, seed=3, n_jobs=2),
    ),
    PredictPayload(4, "cards", "v1", "d2", "new.csv", mappings={"cards": {"amt": "amount"}}),
    PredictPayload(4, "cards", "v1", "d2", "new.csv", late_labels=((3, 1), (7, 0))),
    ApplyPayload("d2", "new.csv", model_name="kept", rescore_of="p1"),
    ApplyPayload("d2", "new.csv", late_labels=((3, 1), (7, 0))),
    ApplyPayload("d2", "new.csv", late_labels=((3, 1),), history_id="h1"),
    BuildPayload(count=13, rows=3000, time_budget=20.0, min_frauds=80),
    CityUnitPayload("traffic", ["2024-04-01", "2024-04-02"], "512MB", prefix="p/", force=True),
]


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda p: type(p).__name__)
def test_a_payload_reads_back_what_was_written(payload: Payload) -> None:
    params = payload.to_params()
    assert params["v"] == type(payload).VERSION
    assert type(payload).from_params(params) == payload


def test_unset_fields_are_left_out_of_the_parameters() -> None:
    params = ApplyPayload("d2", "new.csv").to_params()
    assert params == {"v": 3, "dataset_id": "d2", "dataset_name": "new.csv"}


def test_the_previous_releases_parameters_still_read() -> None:
    # what 0.1.0 wrote: plain dicts, no version
    train = {
        "dataset_id": "d1",
        "dataset_name": "tx.csv",
        "model_name": "cards",
        "target": "is_fraud",
        "retrain_of": 4,
        "previous_version": "v1",
    }
    assert TrainPayload.from_params(train).retrain_of == 4
    unit = {"type": "weather", "days": ["2024-04-01"], "prefix": "", "force": False}
    assert CityUnitPayload.from_params({**unit, "memory_limit": "1GB"}).days == ["2024-04-01"]
    build = {"count": 13, "rows": 3000, "time_budget": 20.0}
    assert BuildPayload.from_params(build).min_frauds is None


def test_the_city_units_are_payloads() -> None:
    params = unit_params("bikes", [], prefix="", force=False, memory_limit="64MB")
    assert CityUnitPayload.from_params(params).type == "bikes"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"v": 2, "type": "weather", "days": [], "memory_limit": "1GB"}, "newer release"),
        ({"v": "2", "type": "weather", "days": [], "memory_limit": "1GB"}, "no valid version"),
        ({"type": "weather", "days": []}, "memory_limit: Field required"),
        ({"type": "weather", "days": "2024-04-01", "memory_limit": "1GB"}, "days"),
    ],
    ids=["newer", "bad-version", "missing", "wrong-type"],
)
def test_unreadable_parameters_are_refused_by_name(params: dict[str, Any], words: str) -> None:
    with pytest.raises(PayloadError, match=words):
        CityUnitPayload.from_params(params)


def test_a_job_from_a_newer_release_fails_with_its_reason(tmp_path: Path) -> None:
    uow: UnitOfWorkFactory = uow_factory(tmp_path)[1]

    def handler(job: JobRecord, _progress: Progress) -> Mapping[str, Any]:
        return {"type": CityUnitPayload.from_params(job.params).type}

    queue = JobQueue.from_url("memory://", folder=tmp_path, name="payloads")
    runner = JobRunner(uow, {"city-unit": handler}, worker="w1", heartbeat_seconds=0.05)
    queue.bind(runner.run)
    jobs = JobService(uow, queue)
    newer = {"v": 9, "type": "weather", "days": [], "memory_limit": "1GB"}
    job = jobs.submit(owner_id=None, kind="city-unit", params=newer)
    assert runner.run(job.id) is JobState.FAILED
    failed = jobs.get_any(job.id)
    assert failed.error_code == "payload_error"
    assert failed.error is not None and "newer release" in failed.error


def test_an_apply_job_queued_before_histories_reads_without_one() -> None:
    params = {"v": 2, "dataset_id": "d2", "dataset_name": "new.csv", "late_labels": [[3, 1]]}
    found = ApplyPayload.from_params(params)
    assert found.history_id is None and found.late_labels == ((3, 1),)
