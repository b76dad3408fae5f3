"""The metrics store conformance suite, run here on SQLite and MongoDB (mongomock).

``tests/integration/test_city_metrics_backends.py`` runs the same class on PostgreSQL
and on DynamoDB (the moto server) by subclassing it: a subclass gives ``metrics``.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Iterator
from datetime import UTC, date
from pathlib import Path
from typing import Any

import mongomock
import pytest
from sqlalchemy import text

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city.errors import CityError, MetricsError, MetricsNotFound, MetricsUnavailable
from entrepot.city.metrics import MetricsStore, open_metrics
from entrepot.city.metrics.base import canonical, digest
from entrepot.city.metrics.mongodb import MongoMetrics, split_url
from entrepot.city.metrics.sql import SqlMetrics
from entrepot.errors import ConfigError
from entrepot.masking import mask_url

D1, D2, D3 = date(2025, 11, 3), date(2025, 11, 4), date(2025, 11, 5)
SAMPLE: dict[str, Any] = {
    "type": "traffic",
    "date": "2025-11-04",
    "metrics": {
        "total_flow": 123456.5,
        "whole_float": 12.0,
        "count": 42,
        "ratio": 0.1 + 0.2,
        "tiny": 1.5e-7,
        "big": 9_007_199_254_740_993,
        "negative": -3.25,
        "none": None,
        "flag": True,
        "empty_list": [],
        "empty_map": {},
        "label": 'Pré-saturé ☂ "quoted" ; new\nline',
        "by_cause": {"travaux.voirie": 3, "$weird": 1, "": 0},
        "nested": [{"hour": h, "values": [h * 1.5, None]} for h in range(24)],
    },
    "inputs": [{"key": "raw/api/bikes/dt=2025-11-04/hour=00/a.json", "sha256": None}],
    "warnings": [],
}


class MetricsConformance:
    """What every backend must do; subclasses provide a ``metrics`` fixture."""

    def test_a_document_round_trips(self, metrics: MetricsStore) -> None:
        stored = metrics.put("traffic", D2, SAMPLE)
        found = metrics.get("traffic", D2)
        assert found is not None
        assert found.document == SAMPLE
        assert found.info.sha256 == stored.info.sha256 == digest(SAMPLE)
        assert digest(found.document) == stored.info.sha256
        assert found.info.updated_at == stored.info.updated_at
        assert found.info.updated_at.tzinfo is not None
        assert found.info.updated_at.utcoffset() == UTC.utcoffset(None)

    def test_a_write_replaces_the_day(self, metrics: MetricsStore) -> None:
        first = metrics.put("bikes", D2, {"v": 1})
        second = metrics.put("bikes", D2, {"v": 2, "more": [1, 2]})
        assert metrics.count() == 1
        found = metrics.require("bikes", D2)
        assert found.document == {"v": 2, "more": [1, 2]}
        assert found.info.sha256 != first.info.sha256
        assert found.info.updated_at >= first.info.updated_at
        assert second.info == found.info

    def test_missing_documents(self, metrics: MetricsStore) -> None:
        metrics.put("bikes", D2, {"v": 1})
        assert metrics.get("bikes", D1) is None
        assert metrics.get("weather", D2) is None
        with pytest.raises(MetricsNotFound, match="no weather document is stored for 2025-11-04"):
            metrics.require("weather", D2)

    def test_index_and_find_filter_and_order(self, metrics: MetricsStore) -> None:
        for day in (D3, D1, D2):
            for kind in ("weather", "bikes", "report"):
                metrics.put(kind, day, {"kind": kind, "day": day.isoformat()})
        everything = metrics.index()
        assert [(i.day, i.kind) for i in everything] == [
            (d, k) for d in (D1, D2, D3) for k in ("bikes", "report", "weather")
        ]
        assert metrics.count(kinds=["bikes"]) == 3
        assert metrics.count(start=D2) == 6
        assert metrics.count(end=D2) == 6
        assert metrics.count(start=D2, end=D2) == 3
        assert metrics.count(start=D3, end=D1) == 0
        assert metrics.count(kinds=["traffic"]) == 0
        found = list(metrics.find(kinds=["weather", "report"], start=D2, end=D3))
        assert [(f.info.day, f.info.kind) for f in found] == [
            (D2, "report"),
            (D2, "weather"),
            (D3, "report"),
            (D3, "weather"),
        ]
        assert found[0].document == {"kind": "report", "day": "2025-11-04"}

    def test_delete(self, metrics: MetricsStore) -> None:
        metrics.put("weather", D1, {"v": 1})
        metrics.put("weather", D2, {"v": 2})
        assert metrics.delete("weather", D1) is True
        assert metrics.delete("weather", D1) is False
        assert [i.day for i in metrics.index()] == [D2]

    def test_a_document_over_400_kb_round_trips(self, metrics: MetricsStore) -> None:
        rng = random.Random(7)
        big = {"values": [rng.random() for _ in range(80_000)], "label": "x" * 1000}
        metrics.put("traffic", D1, big)
        found = metrics.require("traffic", D1)
        assert found.document == big
        assert found.info.sha256 == digest(big)
        metrics.put("traffic", D1, {"small": True})
        assert metrics.require("traffic", D1).document == {"small": True}
        big2 = {"values": [rng.random() for _ in range(60_000)]}
        metrics.put("traffic", D1, big2)
        assert metrics.require("traffic", D1).document == big2
        assert metrics.count() == 1

    def test_refuses_what_json_cannot_hold(self, metrics: MetricsStore) -> None:
        with pytest.raises(MetricsError, match="not storable as JSON"):
            metrics.put("weather", D1, {"bad": math.nan})
        with pytest.raises(MetricsError, match="not storable as JSON"):
            metrics.put("weather", D1, {"bad": object()})
        with pytest.raises(CityError, match="unknown document kind 'nope'"):
            metrics.put("nope", D1, {})
        assert metrics.count() == 0

    def test_ping(self, metrics: MetricsStore) -> None:
        metrics.ping()


class TestSqliteOwnDatabase(MetricsConformance):
    @pytest.fixture
    def metrics(self, tmp_path: Path) -> Iterator[MetricsStore]:
        with open_metrics(f"sqlite:///{tmp_path / 'metrics.db'}") as store:
            yield store


class TestSqliteCatalog(MetricsConformance):
    """The default: the metrics live in the catalog database, created by migration 0003."""

    @pytest.fixture
    def metrics(self, tmp_path: Path) -> Iterator[MetricsStore]:
        engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
        upgrade(engine)
        yield SqlMetrics(engine)
        engine.dispose()


class TestMongo(MetricsConformance):
    @pytest.fixture
    def metrics(self) -> MetricsStore:
        return MongoMetrics(mongomock.MongoClient(tz_aware=True), "entrepot_test")


def test_sql_refuses_an_unmigrated_catalog(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    upgrade(engine, "0002")
    store = SqlMetrics(engine)
    with pytest.raises(MetricsError, match="no city_metrics table") as caught:
        store.put("bikes", D1, {})
    assert "entrepot db upgrade" in str(caught.value)
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
    assert "city_metrics" not in tables
    engine.dispose()


def test_open_metrics_by_scheme(tmp_path: Path) -> None:
    store = open_metrics(f"sqlite:///{tmp_path / 'm.db'}")
    assert isinstance(store, SqlMetrics)
    store.close()
    with pytest.raises(ConfigError, match="unsupported metrics store URL 'redis://x'") as caught:
        open_metrics("redis://x")
    assert "dynamodb://" in str(caught.value)
    with pytest.raises(ConfigError, match="unsupported"):
        open_metrics("no-scheme")


def test_mongo_url_options_and_masking() -> None:
    assert split_url("mongodb://u:p@db:27017/city?collection=m&authSource=admin") == (
        "mongodb://u:p@db:27017/city?authSource=admin",
        "city",
        "m",
    )
    assert split_url("mongodb://db") == ("mongodb://db/entrepot", "entrepot", "city_metrics")
    assert mask_url("mongodb://u:secret@db/x") == "mongodb://u:***@db/x"
    with pytest.raises(ConfigError, match="not a MongoDB URL"):
        split_url("http://db")


def test_mongo_store_from_url_does_not_connect_until_used() -> None:
    store = open_metrics("mongodb://user:pw@127.0.0.1:9/city?collection=metrics")
    assert isinstance(store, MongoMetrics)
    assert store.url == "mongodb://user:***@127.0.0.1:9/city?collection=metrics"
    store.close()


def test_canonical_numbers() -> None:
    assert canonical({"a": [1.0, 1.5, {"b": -0.0}]}) == {"a": [1, 1.5, {"b": 0}]}
    assert digest({"a": 1.0, "b": "é"}) == digest({"b": "é", "a": 1})
    assert digest({"a": 1.5}) != digest({"a": 1.25})


def test_dynamo_url_options_are_checked() -> None:
    with pytest.raises(ConfigError, match=r"unknown DynamoDB URL option\(s\) \['regoin'\]"):
        open_metrics("dynamodb://t?regoin=eu-west-3")
    with pytest.raises(ConfigError, match="not a DynamoDB URL"):
        open_metrics("dynamodb://?region=eu-west-3")


def test_dynamo_without_credentials_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    store = open_metrics("dynamodb://t?region=eu-west-3&endpoint_url=http://127.0.0.1:9")
    with pytest.raises(MetricsUnavailable, match="no AWS credentials") as caught:
        store.get("bikes", D1)
    assert "AWS_ACCESS_KEY_ID" in str(caught.value)
