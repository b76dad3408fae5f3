"""API tokens have scopes and a lineage, checked over HTTP (issue 28): a token minted by a
token never outlives it nor exceeds its scope, revoking a token revokes what it minted
(transitively), and every route checks the scope (read = GET/HEAD, write = changes,
admin = admin routes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.accounts.scopes import Scope
from entrepot.bootstrap.app import App
from tests.support.web import Api, user_api, web_client

Web = tuple[TestClient, App]


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    with web_client(tmp_path) as pair:
        yield pair


def _as(client: TestClient, token: str) -> Api:
    return Api(client, token, 0)


def _mint(api: Api, **body: Any) -> Any:
    return api.post("/api/tokens", json={"name": "child", **body})


def test_a_token_that_expires_cannot_mint_one_that_never_does(web: Web) -> None:
    client, services = web
    owner = user_api(client, services, "a@example.com")
    day = _mint(owner, expires_in_days=1)
    assert day.status_code == 201, day.text
    short = _as(client, day.json()["token"])
    parent_expiry = datetime.fromisoformat(day.json()["expires_at"])

    refused = _mint(short, expires_in_days=30)
    assert refused.status_code == 422
    assert "cannot outlive" in refused.json()["message"]

    child = _mint(short)  # no lifetime asked: it expires with its parent
    assert child.status_code == 201, child.text
    assert child.json()["expires_at"] is not None
    assert datetime.fromisoformat(child.json()["expires_at"]) <= parent_expiry
    assert child.json()["parent_id"] == day.json()["id"]


def test_a_token_without_expiry_may_mint_any_lifetime(web: Web) -> None:
    client, services = web
    owner = user_api(client, services, "a@example.com")
    forever = _mint(owner).json()
    assert forever["expires_at"] is None
    minted = _mint(_as(client, forever["token"]), expires_in_days=3650)
    assert minted.status_code == 201 and minted.json()["expires_at"] is not None


def test_revoking_a_stolen_token_revokes_what_it_minted_transitively(web: Web) -> None:
    client, services = web
    owner = user_api(client, services, "a@example.com")
    stolen = _mint(owner, name="laptop").json()
    child = _mint(_as(client, stolen["token"])).json()
    grandchild = _mint(_as(client, child["token"])).json()
    unrelated = _mint(owner, name="ci").json()
    for token in (stolen, child, grandchild):
        assert _as(client, token["token"]).get("/api/me").status_code == 200

    assert owner.delete(f"/api/tokens/{stolen['id']}").status_code == 200

    for token in (stolen, child, grandchild):
        assert _as(client, token["token"]).get("/api/me").status_code == 401
    assert _as(client, unrelated["token"]).get("/api/me").status_code == 200
    listed = {t["id"]: t for t in owner.get("/api/tokens").json()}
    assert listed[grandchild["id"]]["revoked_at"] is not None
    assert listed[unrelated["id"]]["revoked_at"] is None


def test_a_read_token_reads_and_changes_nothing(web: Web) -> None:
    client, services = web
    owner = user_api(client, services, "a@example.com")
    made = _mint(owner, scope="read").json()
    assert made["scope"] == "read"
    reader = _as(client, made["token"])
    assert reader.get("/api/me").status_code == 200
    assert reader.get("/api/datasets").status_code == 200
    assert client.head("/api/me", headers=reader.headers).status_code in (200, 405)
    refused = reader.upload(b"a,b\n1,2\n")
    assert refused.status_code == 403
    assert "scope 'read'" in refused.json()["message"]
    assert "'write'" in refused.json()["message"]
    assert _mint(reader).status_code == 403  # minting is a change
    assert reader.delete(f"/api/tokens/{made['id']}").status_code == 403
    assert owner.get("/api/datasets").json() == reader.get("/api/datasets").json()


def test_a_token_never_mints_a_wider_scope(web: Web) -> None:
    client, services = web
    root = user_api(client, services, "root@example.com", admin=True)
    writer = _as(client, _mint(root, scope="write").json()["token"])
    refused = _mint(writer, scope="admin")
    assert refused.status_code == 403
    assert "cannot make a token with the scope 'admin'" in refused.json()["message"]
    assert _mint(writer).json()["scope"] == "write"  # by default: the parent's
    assert _mint(writer, scope="read").json()["scope"] == "read"


def test_admin_routes_need_an_admin_token(web: Web) -> None:
    client, services = web
    root = user_api(client, services, "root@example.com", admin=True)
    assert root.get("/api/admin/users").status_code == 200
    writer = _as(client, _mint(root, scope="write").json()["token"])
    refused = writer.get("/api/admin/users")
    assert refused.status_code == 403 and "'admin'" in refused.json()["message"]
    assert writer.get("/metrics").status_code == 403
    assert all("detail" not in c for c in writer.get("/health").json()["checks"])
    assert any("detail" in c for c in root.get("/health").json()["checks"])
    assert writer.get("/api/me").status_code == 200


def test_a_user_token_is_write_by_default_and_admin_only_for_an_admin(web: Web) -> None:
    client, services = web
    user = user_api(client, services, "a@example.com")
    assert _mint(user).json()["scope"] == "write"
    user_id = user.user_id
    record, _ = services.accounts.create_token(user_id)
    assert record.scope == Scope.WRITE
    with pytest.raises(PermissionError, match="administrator"):
        services.accounts.create_token(user_id, scope=Scope.ADMIN)
    made = user.post("/api/tokens", json={"name": "x", "scope": "admin"})
    assert made.status_code == 403 and "'admin'" in made.json()["message"]


def test_an_unknown_scope_is_a_clear_422(web: Web) -> None:
    client, services = web
    user = user_api(client, services, "a@example.com")
    answer = _mint(user, scope="root")
    assert answer.status_code == 422
    assert "scope" in answer.text
