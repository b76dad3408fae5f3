"""``/city/...`` through FastAPI's TestClient: answers, 400s, 404s and 503s."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from entrepot.api.routes import city
from entrepot.asgi import create_app
from entrepot.bootstrap import bootstrap
from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.report_csv import from_csv
from entrepot.city_service.service import CityService
from entrepot.config import Settings
from entrepot.storage.memory import MemoryStore

D1, D2 = date(2025, 11, 3), date(2025, 11, 4)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityService]:
    store = MemoryStore("city-api")
    generate(
        store, GenerateOptions(start=D1, days=2, arcs=20, stations=8, counters=3, roadworks=15)
    )
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('api') / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    assert not runtime.runner().run([D1, D2]).failed
    yield runtime
    engine.dispose()


@pytest.fixture(scope="module")
def client(env: CityService) -> TestClient:
    app = FastAPI()
    app.include_router(city.router)
    app.state.city = env
    return TestClient(app)


def test_health_and_stats(client: TestClient) -> None:
    health = client.get("/city/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "checks": {"metrics": "ok", "catalog": "ok"}}
    stats = client.get("/city/stats").json()
    assert stats["documents"] == 12 and stats["days"] == 2
    assert stats["last_day"] == "2025-11-04"
    assert stats["kinds"]["traffic"] == {
        "documents": 2,
        "first": "2025-11-03",
        "last": "2025-11-04",
    }
    assert {w["source"]: (w["ok"], w["failed"]) for w in stats["watermarks"]}["report"] == (2, 0)


def test_metrics_of_a_type_and_day(client: TestClient, env: CityService) -> None:
    response = client.get("/city/metrics/traffic/2025-11-04")
    assert response.status_code == 200
    assert response.json() == env.metrics.require("traffic", D2).document


def test_metrics_of_a_day(client: TestClient) -> None:
    body = client.get("/city/metrics/2025-11-03").json()
    assert body["date"] == "2025-11-03"
    assert set(body["metrics"]) == {"bikes", "disruptions", "weather", "traffic", "roadworks"}


def test_metrics_of_a_type_over_a_range(client: TestClient) -> None:
    body = client.get("/city/metrics/weather", params={"from": "2025-11-01", "to": "2025-11-04"})
    assert body.status_code == 200
    assert [d["date"] for d in body.json()["documents"]] == ["2025-11-03", "2025-11-04"]
    assert client.get("/city/metrics/weather?from=2025-11-04").json()["to"] == "2025-11-04"
    latest = client.get("/city/metrics/bikes").json()
    assert (latest["from"], latest["to"]) == ("2025-10-05", "2025-11-04")
    assert len(latest["documents"]) == 2
    empty = client.get("/city/metrics/bikes?from=2024-01-01&to=2024-01-31").json()
    assert empty["documents"] == []


def test_report_json_and_csv(client: TestClient, env: CityService) -> None:
    report = client.get("/city/report/2025-11-04")
    assert report.status_code == 200
    assert report.json()["summary"]["traffic_arcs"] == 20
    csv = client.get("/city/report/2025-11-04/csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in csv.headers["content-disposition"]
    assert from_csv(csv.content) == report.json()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/city/metrics/trains/2025-11-04", "unknown metric type 'trains'"),
        ("/city/metrics/traffic/2025-13-04", "is not a date"),
        ("/city/metrics/traffic/04-11-2025", "is not a date"),
        ("/city/metrics/trains", "neither a metric type"),
        ("/city/metrics/2025-02-30", "is not a date"),
        ("/city/metrics/2025-11-04?from=2025-11-01", "from and to go with a metric type"),
        ("/city/metrics/weather?from=2025-11-05&to=2025-11-01", "is after"),
        ("/city/metrics/weather?from=2020-01-01&to=2025-11-01", "more than 366 days"),
        ("/city/metrics/weather?from=yesterday", "from 'yesterday' is not a date"),
        ("/city/report/20251104", "is not a date"),
    ],
)
def test_bad_types_and_dates_are_400(client: TestClient, path: str, message: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert message in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/city/metrics/traffic/2025-11-05",
        "/city/metrics/2025-11-05",
        "/city/report/2025-11-05",
        "/city/report/2025-11-05/csv",
    ],
)
def test_a_missing_day_is_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "2025-11-05" in response.json()["detail"]


def test_an_unreachable_metrics_store_is_503(env: CityService, tmp_path: Path) -> None:
    app = FastAPI()
    app.include_router(city.router)
    app.state.city = CityService(
        env.store,
        engine=env.engine,
        metrics_url="postgresql://nobody@127.0.0.1:9/metrics",
    )
    client = TestClient(app)
    health = client.get("/city/health")
    assert health.status_code == 503
    assert health.json()["checks"]["catalog"] == "ok"
    assert health.json()["checks"]["metrics"] == "unavailable"
    assert "127.0.0.1:9" not in health.text  # the store's address stays in the log
    assert client.get("/city/metrics/weather/2025-11-04").status_code == 503


def test_the_runtime_comes_from_the_entrepot_app(env: CityService, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'catalog.db'}")
    entrepot = bootstrap(settings, store=env.store)
    entrepot.catalog.migrate()
    app = create_app(entrepot)  # mounts the city router itself
    client = TestClient(app)
    assert client.get("/city/health").json()["status"] == "ok"
    assert client.get("/city/metrics/weather/2025-11-04").status_code == 404  # a new catalog
    assert app.state.city.store.home is env.store


def test_stats_name_the_metrics_store_by_kind_to_anonymous_callers(client: TestClient) -> None:
    # Regression: /city/stats told anyone the metrics store's URL (issue 28).
    stats = client.get("/city/stats").json()
    assert stats["metrics_store"] == "sqlite"
    assert "://" not in str(stats) and "catalog.db" not in str(stats)


def test_stats_show_the_masked_url_to_the_metrics_token(tmp_path: Path) -> None:
    from tests.support.web import make_web_app

    token = "t" * 40
    app, _ = make_web_app(tmp_path, settings={"metrics_token": token})
    with TestClient(app) as web:
        anonymous = web.get("/city/stats").json()["metrics_store"]
        trusted = web.get("/city/stats", headers={"Authorization": f"Bearer {token}"}).json()
    assert anonymous == "sqlite"
    assert trusted["metrics_store"].startswith("sqlite:///") and "catalog.db" in str(trusted)


@pytest.mark.parametrize(
    ("address", "unknown", "accepted"),
    [
        ("/city/metrics/weather?start=2025-11-03&end=2025-11-04", "end, start", "from, to"),
        ("/city/stats?verbose=1", "verbose", "no query parameter"),
        ("/city/metrics/weather/2025-11-03?from=2025-11-03", "from", "no query parameter"),
    ],
)
def test_an_unknown_query_parameter_is_refused_naming_the_accepted_ones(
    client: TestClient, address: str, unknown: str, accepted: str
) -> None:
    """Issue 44 item 5: ``start``/``end`` answered the default month without a word."""
    answer = client.get(address)
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert f"unknown query parameter {unknown}" in detail and detail.endswith(accepted)


def test_the_declared_parameters_still_answer(client: TestClient) -> None:
    answer = client.get("/city/metrics/weather?from=2025-11-03&to=2025-11-04")
    assert answer.status_code == 200
