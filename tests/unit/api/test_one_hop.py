"""The hot read routes authenticate and work in one thread-pool hop (ADR 0026): the same
answers, the same refusals, the same OpenAPI document as a route taking ``User``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from entrepot.api.schemas.accounts import MeOut
from entrepot.api.schemas.models import ModelOut, model_out
from entrepot.bootstrap.app import App
from entrepot.http.job_view import JobOut
from entrepot.http.observability import request_id
from tests.support.web import Api, csrf_of, make_web_app, seeded_user, sign_in, user_api


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, Api]]:
    app, services = make_web_app(Path(tmp_path_factory.mktemp("one-hop")))
    with TestClient(app, raise_server_exceptions=False) as client:
        alice, _, _ = seeded_user(client, services, "alice@example.com")
        yield client, services, alice


def _counted_hops(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hop to a thread from now on: to anyio's pool, or to the app's read pool."""
    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync
    pool = client.app.state.read_pool  # type: ignore[attr-defined]
    submit = pool.submit

    async def counted_run_sync(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append("anyio")
        return await run_sync(func, *args, **kwargs)

    def counted_submit(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append("read pool")
        return submit(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted_run_sync)
    monkeypatch.setattr(pool, "submit", counted_submit)
    return hops


def test_the_listing_is_what_the_response_model_says(
    seeded: tuple[TestClient, App, Api],
) -> None:
    _, services, alice = seeded
    answer = alice.get("/api/models")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    expected = [
        model_out(m).model_dump(mode="json") for m in services.fraud().models.list(alice.user_id)
    ]
    assert len(expected) == 1 and answer.json() == expected
    assert [ModelOut.model_validate(m) for m in answer.json()]  # the schema holds


def test_the_token_check_and_the_listing_take_one_hop_on_one_worker_thread(
    seeded: tuple[TestClient, App, Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, services, alice = seeded
    threads: dict[str, int] = {}
    hops = _counted_hops(client, monkeypatch)
    bearer, listing = services.accounts.bearer, services.fraud().models.list

    def seen_bearer(token: str) -> Any:  # the token check (its account, scope and expiry)
        threads["token"] = threading.get_ident()
        return bearer(token)

    def seen_listing(user_id: int) -> Any:
        threads["listing"] = threading.get_ident()
        return listing(user_id)

    monkeypatch.setattr(services.accounts, "bearer", seen_bearer)
    monkeypatch.setattr(services.fraud().models, "list", seen_listing)
    assert alice.get("/api/models").status_code == 200
    assert hops == ["read pool"] and threads["token"] == threads["listing"]


@pytest.mark.parametrize("route", ["/api/me", "/api/jobs/{job}"])
def test_the_other_hot_reads_take_one_hop_and_answer_as_their_model_says(
    seeded: tuple[TestClient, App, Api], monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    client, _, alice = seeded
    job = alice.get("/api/history").json()["items"][0]
    path = route.format(job=job["id"])
    hops = _counted_hops(client, monkeypatch)
    answer = alice.get(path)
    assert answer.status_code == 200 and hops == ["read pool"]
    body = answer.json()
    if route == "/api/me":
        assert MeOut.model_validate(body).user.email == "alice@example.com"
        assert body["csrf_token"] is None  # a token, not a signed-in browser
    else:
        assert JobOut.model_validate(body).id == job["id"] and body == job
    assert client.get(path).status_code == 401


def test_the_listing_refuses_a_missing_or_bad_token_and_serves_each_user_their_own(
    seeded: tuple[TestClient, App, Api],
) -> None:
    client, services, alice = seeded
    missing = client.get("/api/models")
    assert missing.status_code == 401 and missing.json()["code"]
    bad = client.get("/api/models", headers={"Authorization": "Bearer ent_not-a-real-token"})
    assert bad.status_code == 401 and "not valid" in bad.json()["message"]
    bob = user_api(client, services, "bob@example.com")
    assert bob.get("/api/models").json() == [] and len(alice.get("/api/models").json()) == 1


def test_the_openapi_document_still_describes_the_listing(
    seeded: tuple[TestClient, App, Api],
) -> None:
    client, _, _ = seeded
    listing = client.get("/openapi.json").json()["paths"]["/api/models"]["get"]
    schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array" and schema["items"]["$ref"].endswith("/ModelOut")


def test_a_signed_in_browser_gets_its_csrf_token_from_me(tmp_path: Path) -> None:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as browser:
        user_api(browser, services, "carol@example.com")
        assert browser.get("/api/me").status_code == 401
        assert sign_in(browser, "carol@example.com").status_code == 303  # type: ignore[attr-defined]
        me = browser.get("/api/me")
        assert me.status_code == 200 and me.json()["user"]["email"] == "carol@example.com"
        token = me.json()["csrf_token"]
        assert token and token == csrf_of(browser.get("/").text)


def test_the_work_sees_the_request_id_its_log_lines_carry(
    seeded: tuple[TestClient, App, Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, services, alice = seeded
    seen: list[str] = []
    listing = services.fraud().models.list

    def seen_listing(user_id: int) -> Any:
        seen.append(request_id())
        return listing(user_id)

    monkeypatch.setattr(services.fraud().models, "list", seen_listing)
    answer = client.get("/api/models", headers={**alice.headers, "X-Request-ID": "trace-7"})
    assert answer.status_code == 200 and seen == ["trace-7"]


def test_the_token_check_and_the_listing_are_two_reads_on_one_connection(
    seeded: tuple[TestClient, App, Api],
) -> None:
    """As the minimal service does it: one connection from the pool, the token's query and
    the listing's (its notes beside the versions; the aliases only for a namespace that has
    some)."""
    from sqlalchemy import event

    _, services, alice = seeded
    assert alice.get("/api/models").status_code == 200  # the token's use noted: no write now
    pool = services._parts.engine.pool
    reads: list[tuple[int, str]] = []

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        def traced(statement: str) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                reads.append((id(dbapi_connection), statement))

        dbapi_connection.set_trace_callback(traced)

    def checkin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(None)

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        answer = alice.get("/api/models")
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)
    assert answer.status_code == 200 and len(answer.json()) == 1
    assert len(reads) == 2 and len({connection for connection, _ in reads}) == 1, reads
    assert "api_tokens" in reads[0][1] and "model_notes" in reads[1][1]
