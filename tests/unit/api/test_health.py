"""``/health`` tells the truth to the right people: it probes what the service needs
(a write, a verified read, a delete) within a short timeout, shows details only to admins
and the metrics token; ``/metrics`` is closed to everyone else."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.catalog.migrate import head
from entrepot.storage.memory import MemoryStore
from entrepot.storage.types import ObjectInfo
from tests.support.parts import parts
from tests.support.relocation import Faulty
from tests.support.web import make_web_app, user_api

TOKEN = "metrics-token-for-the-tests-0123456789"


class Frozen(MemoryStore):
    """A store that accepts the connection and never answers a write."""

    def __init__(self) -> None:
        super().__init__("frozen")
        self.release = threading.Event()

    def _put(self, key: str, reader: BinaryIO, **kw: Any) -> ObjectInfo:
        self.release.wait()
        return super()._put(key, reader, **kw)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path, settings={"metrics_token": TOKEN, "health_timeout": 0.5})
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


def _swap_store(client: TestClient, store: Any) -> None:
    core = client.app.state.entrepot  # type: ignore[attr-defined]
    vars(parts(core))["raw_store"] = store


def test_public_health_says_what_is_up_and_nothing_more(
    web: tuple[TestClient, App], tmp_path: Path
) -> None:
    client, _ = web
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json()["checks"] == [
        {"name": "database", "ok": True},
        {"name": "store", "ok": True},
        {"name": "job queue", "ok": True},
    ]
    for secret in (str(tmp_path), "file://", head(), "sqlite"):
        assert secret not in answer.text


@pytest.mark.parametrize("who", ["admin", "token"])
def test_details_for_admins_and_the_metrics_token(web: tuple[TestClient, App], who: str) -> None:
    client, services = web
    if who == "admin":
        answer = user_api(client, services, "root@example.com", admin=True).get("/health")
    else:
        answer = client.get("/health", headers={"Authorization": f"Bearer {TOKEN}"})
    checks = {c["name"]: c for c in answer.json()["checks"]}
    assert head() in checks["database"]["detail"]
    assert "written, read back, verified and deleted" in checks["store"]["detail"]


def test_a_user_who_is_not_an_admin_sees_no_details(web: tuple[TestClient, App]) -> None:
    client, services = web
    answer = user_api(client, services, "a@example.com").get("/health")
    assert all("detail" not in c for c in answer.json()["checks"])


def test_a_store_that_refuses_writes_fails_health(web: tuple[TestClient, App]) -> None:
    client, _ = web
    store = Faulty("deleted-bucket")
    store.deny.add("put")  # a deleted bucket: HEAD answers "not found", writes fail
    _swap_store(client, store)
    answer = client.get("/health", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 503 and answer.json()["status"] == "unavailable"
    checks = {c["name"]: c for c in answer.json()["checks"]}
    assert not checks["store"]["ok"] and "store put" in checks["store"]["detail"]
    assert checks["database"]["ok"]


def test_a_frozen_store_fails_health_within_the_timeout(
    web: tuple[TestClient, App],
) -> None:
    client, _ = web
    store = Frozen()
    _swap_store(client, store)
    try:
        first = client.get("/health", headers={"Authorization": f"Bearer {TOKEN}"})
        again = client.get("/health", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        store.release.set()
    assert first.status_code == again.status_code == 503
    assert "no answer within 0.5 s" in str(first.json())
    assert "previous probe has not answered" in str(again.json())  # no second thread


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong-token"}, 401),
        ({"Authorization": f"Bearer {TOKEN}x"}, 401),
        ({"Authorization": f"Bearer {TOKEN}"}, 200),
    ],
)
def test_metrics_need_the_token_or_an_admin(
    web: tuple[TestClient, App], headers: dict[str, str], status: int
) -> None:
    client, _ = web
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == status
    assert ("entrepot_http_requests" in answer.text) == (status == 200)


def test_metrics_for_admins_not_for_users(web: tuple[TestClient, App]) -> None:
    client, services = web
    assert user_api(client, services, "a@example.com").get("/metrics").status_code == 403
    admin = user_api(client, services, "root@example.com", admin=True)
    assert admin.get("/metrics").status_code == 200


def test_without_a_token_configured_metrics_are_for_admins_only(tmp_path: Path) -> None:
    app, _ = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
