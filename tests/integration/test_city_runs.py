"""Incremental city runs on the real services: PostgreSQL catalog, S3 (moto) store,
DynamoDB (moto) metrics; and the same metrics from a local folder and from S3."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.city import layout
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city.metrics import open_metrics
from entrepot.city.metrics.copy import copy_metrics
from entrepot.city.metrics.sql import SqlMetrics
from entrepot.city.report_csv import from_csv
from entrepot.city_service.service import CityService
from entrepot.storage.local import LocalStore
from entrepot.storage.s3 import S3Store

pytestmark = [pytest.mark.postgres, pytest.mark.s3]
D1, D2 = date(2025, 11, 3), date(2025, 11, 4)
OPTIONS = GenerateOptions(start=D1, days=2, arcs=25, stations=8, counters=3, roadworks=20)


@pytest.fixture
def s3(s3_store_factory: Callable[..., S3Store]) -> S3Store:
    store = s3_store_factory()
    generate(store.scoped("city"), OPTIONS)
    return store


def test_a_run_on_postgres_and_s3(engine: Engine, s3: S3Store) -> None:
    env = CityService(s3, engine=engine)
    first = env.runner("city").run([D1, D2])
    assert (first.count("computed"), first.count("failed")) == (12, 0)
    assert isinstance(env.metrics, SqlMetrics) and env.metrics.engine is engine
    again = env.runner("city").run([D1, D2])
    assert again.count("skipped") == 12

    record, data = env.reports.read_latest(D2)
    assert record.key.startswith("reports/city/2025-11-04/report-")
    assert s3.exists(record.key)  # the CSV is in the bucket, outside the raw prefix
    assert from_csv(data) == env.metrics.require(REPORT, D2).document

    bad = next(s3.list(f"city/{layout.hour_prefix('bikes', D2, 9)}")).key
    s3.put(bad, b'{"data": {"stations": [')
    third = env.runner("city").run([D1, D2], ["bikes"])
    assert [(o.source, o.day, o.status) for o in third.outcomes] == [
        ("bikes", D1, "skipped"),
        ("bikes", D2, "failed"),
        (REPORT, D1, "skipped"),
        (REPORT, D2, "computed"),
    ]
    (failed,) = env.watermarks.find(state="failed")
    assert failed.source == "bikes" and bad.removeprefix("city/") in (failed.error or "")


def test_local_folder_and_s3_give_identical_metrics(
    engine: Engine, s3: S3Store, tmp_path: Path
) -> None:
    local = LocalStore(tmp_path / "store")
    generate(local.scoped("city"), OPTIONS)
    from_s3 = CityService(s3, engine=engine)
    assert not from_s3.runner("city").run([D2], report=False).failed
    s3_docs = {d.info.kind: d.document for d in from_s3.metrics.find()}
    with open_metrics(f"sqlite:///{tmp_path / 'metrics.db'}") as sqlite_metrics:
        from_local = CityService(local, engine=engine, metrics_url=sqlite_metrics.url)
        summary = from_local.runner("city").run([D2], force=True, report=False)
        assert not summary.failed
        local_docs = {d.info.kind: d.document for d in from_local.metrics.find()}
        from_local.close()
    assert set(s3_docs) == set(METRIC_TYPES)
    assert {k: d["metrics"] for k, d in local_docs.items()} == {
        k: d["metrics"] for k, d in s3_docs.items()
    }
    assert [i["key"] for i in local_docs["weather"]["inputs"]] == [
        i["key"] for i in s3_docs["weather"]["inputs"]
    ]


def test_dynamodb_metrics_then_migrated_to_postgres(
    engine: Engine, s3: S3Store, s3_endpoint: str
) -> None:
    table = f"city-{uuid.uuid4().hex[:8]}"
    url = f"dynamodb://{table}?region=us-east-1&endpoint_url={s3_endpoint}"
    env = CityService(s3, engine=engine, metrics_url=url)
    assert not env.runner("city").run([D1, D2]).failed
    assert env.metrics.url.startswith(f"dynamodb://{table}")
    report = env.metrics.require(REPORT, D2).document
    assert report["summary"]["traffic_arcs"] == 25

    postgres = SqlMetrics(engine)
    result = copy_metrics(env.metrics, postgres)
    assert (result.documents, result.copied, result.target_count) == (12, 12, 12)
    assert postgres.require(REPORT, D2).document == report
    again = copy_metrics(env.metrics, postgres, kinds=["traffic"], start=D2, end=D2)
    assert (again.documents, again.copied, again.unchanged) == (1, 0, 1)
