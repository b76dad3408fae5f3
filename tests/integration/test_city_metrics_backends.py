"""The metrics store conformance suite on PostgreSQL (JSONB) and DynamoDB (moto server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, text

from entrepot.city.errors import MetricsError, MetricsUnavailable
from entrepot.city.metrics import MetricsStore, open_metrics
from entrepot.city.metrics.dynamodb import DynamoMetrics
from entrepot.city.metrics.sql import SqlMetrics
from tests.support.databases import temporary_database
from tests.support.suites.city_metrics import MetricsConformance

pytestmark = pytest.mark.postgres
DAY = date(2025, 11, 4)


class TestPostgresCatalog(MetricsConformance):
    """The catalog database (migrated, so the table comes from migration 0003)."""

    @pytest.fixture
    def metrics(self, engine: Engine) -> MetricsStore:
        return SqlMetrics(engine)


def test_postgres_keeps_documents_as_jsonb(engine: Engine) -> None:
    SqlMetrics(engine).put("weather", DAY, {"temperature": {"max": 12.5}})
    with engine.connect() as connection:
        kind = connection.execute(
            text("SELECT jsonb_typeof(document -> 'temperature') FROM city_metrics")
        ).scalar_one()
        value = connection.execute(
            text("SELECT (document #>> '{temperature,max}')::float FROM city_metrics")
        ).scalar_one()
    assert (kind, value) == ("object", 12.5)


@pytest.fixture(scope="module")
def own_database() -> Iterator[str]:
    """A database that is not a catalog, for the metrics alone."""
    with temporary_database() as url:
        yield url


class TestPostgresOwnDatabase(MetricsConformance):
    """A metrics database of its own: the store creates its table."""

    @pytest.fixture
    def metrics(self, own_database: str) -> Iterator[MetricsStore]:
        database = own_database
        with open_metrics(database) as store:
            yield store
            with store.engine.begin() as connection:  # type: ignore[attr-defined]
                connection.execute(text("DELETE FROM city_metrics"))


@pytest.mark.s3
class TestDynamo(MetricsConformance):
    @pytest.fixture
    def metrics(self, s3_endpoint: str) -> MetricsStore:
        table = f"city-metrics-{uuid.uuid4().hex[:8]}"
        return open_metrics(f"dynamodb://{table}?region=us-east-1&endpoint_url={s3_endpoint}")


@pytest.mark.s3
def test_dynamo_splits_big_documents_and_drops_old_parts(s3_endpoint: str) -> None:
    store = DynamoMetrics(
        f"city-metrics-{uuid.uuid4().hex[:8]}",
        region="us-east-1",
        endpoint_url=s3_endpoint,
        inline_limit=2_000,
        part_bytes=1_000,
    )
    doc: dict[str, Any] = {"rows": [{"arc": i, "label": uuid.uuid4().hex} for i in range(300)]}
    store.put("traffic", DAY, doc)
    assert store.require("traffic", DAY).document == doc
    first = _parts(store)
    assert len(first) > 5
    store.put("traffic", DAY, {"rows": doc["rows"][:200]})
    second = _parts(store)
    assert second and not set(second) & set(first)
    store.put("traffic", DAY, {"small": 1.5})
    assert _parts(store) == []
    inline = store.client.get_item(
        TableName=store.table, Key={"pk": {"S": "traffic"}, "sk": {"S": DAY.isoformat()}}
    )["Item"]
    assert inline["document"]["M"]["small"] == {"N": "1.5"}  # a native number (Decimal)
    store.put("traffic", DAY, doc)
    store.client.delete_item(TableName=store.table, Key=_parts(store, keys=True)[0])
    with pytest.raises(MetricsError, match=r"has \d+ of its \d+ parts"):
        store.require("traffic", DAY)
    assert store.delete("traffic", DAY) is True
    assert _parts(store) == []


@pytest.mark.s3
def test_dynamo_unreachable_is_unavailable() -> None:
    store = open_metrics("dynamodb://t?region=us-east-1&endpoint_url=http://127.0.0.1:9")
    with pytest.raises(MetricsUnavailable, match="cannot be reached"):
        store.get("bikes", DAY)


def _parts(store: DynamoMetrics, *, keys: bool = False) -> list[Any]:
    items = store.client.scan(TableName=store.table)["Items"]
    parts = sorted(
        (i for i in items if i["pk"]["S"].endswith("#parts")), key=lambda i: i["sk"]["S"]
    )
    if keys:
        return [{"pk": i["pk"], "sk": i["sk"]} for i in parts]
    return [i["sk"]["S"] for i in parts]
