"""A stored object rots behind the service's back (a failing disk, a tool writing to the
folder) while the cache still holds its verified copy: the good copy keeps being served,
and the damage does not go unnoticed. ``entrepot verify`` finds it, records it in the
catalog's damage register and names the cached copy; ``/health`` reports it to
administrators (a warning: the service still answers); ``entrepot verify --repair``
writes the good copy back. A read that meets damaged bytes registers them too."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.health import BoundedChecks
from tests.support.cli import Run, in_process_cli
from tests.support.parts import parts
from tests.support.web import Api, make_web_app, seeded_user

TOKEN = "metrics-token-for-the-rot-tests-0123456789"
SECRET = "test-secret-key-of-some-length-0123456789"


@dataclass
class Site:
    client: TestClient
    services: App
    api: Api
    model_id: int
    prediction_id: str
    store: Path

    def health(self, **headers: str) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get("/health", headers=headers).json()
        return body

    def integrity(self) -> dict[str, Any]:
        checks = self.health(Authorization=f"Bearer {TOKEN}")["checks"]
        (found,) = [c for c in checks if c["name"] == "integrity"]
        return found

    def model_file(self) -> str:
        root = f"users/{self.api.user_id}/"
        (key,) = [
            o.key
            for o in parts(self.services).raw_store.list(root)
            if o.key.endswith("model.joblib")
        ]
        return key


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    app, services = make_web_app(tmp_path, settings={"metrics_token": TOKEN})
    app.state.health_checks = BoundedChecks(5.0, reuse_for=0.0)
    with TestClient(app, raise_server_exceptions=False) as client:
        api, model_id, prediction_id = seeded_user(client, services, "owner@example.com", rows=400)
        yield Site(client, services, api, model_id, prediction_id, tmp_path / "store")


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    env = {
        "ENTREPOT_STORE_URL": str(tmp_path / "store"),
        "ENTREPOT_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.db'}",
        "ENTREPOT_CACHE_DIR": str(tmp_path / "cache"),
        "ENTREPOT_SECRET_KEY": SECRET,
    }
    return in_process_cli(monkeypatch, capsys, env)


def _flip(path: Path) -> bytes:
    original = path.read_bytes()
    path.write_bytes(original[:10] + bytes([original[10] ^ 0x20]) + original[11:])
    return original


def _served_model_file(site: Site) -> bytes:
    answer = site.api.get(f"/api/models/{site.model_id}/download")
    assert answer.status_code == 200, answer.text[:300]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        (inner,) = [n for n in archive.namelist() if n.endswith("model.joblib")]
        return archive.read(inner)


def test_rot_under_a_cached_copy_is_served_reported_and_repaired(site: Site, run: Run) -> None:
    _served_model_file(site)  # the cache now holds the verified files
    key = site.model_file()
    original = _flip(site.store / key)
    assert site.integrity() == {
        "name": "integrity",
        "ok": True,
        "detail": "no damaged object recorded",
        "warning": False,
    }

    code, out, _ = run("verify")
    assert code == 1
    assert key in out and "content-mismatch" in out and "verified" in out
    assert "1 of them has a verified copy in the cache" in out and "--repair" in out

    integrity = site.integrity()
    assert integrity["ok"] is True and integrity["warning"] is True  # a warning, still up
    assert "1 damaged object(s) recorded" in integrity["detail"]
    assert "1 still served from a verified cached copy" in integrity["detail"]
    assert site.health()["status"] == "ok"
    assert _served_model_file(site) == original  # the good copy, not the rotten one

    code, out, _ = run("verify", "--repair")
    assert code == 0, out
    assert "restored 1 object from" in out
    assert (site.store / key).read_bytes() == original
    assert site.integrity()["warning"] is False
    assert run("verify")[0] == 0


def test_anyone_else_sees_no_integrity_check(site: Site, run: Run) -> None:
    _flip(site.store / site.model_file())
    assert run("verify")[0] == 1
    anonymous = site.health()
    assert anonymous["status"] == "ok"
    assert [c["name"] for c in anonymous["checks"]] == ["database", "store", "job queue"]
    assert all(set(c) == {"name", "ok"} for c in anonymous["checks"])
    user = site.api.get("/health").json()
    assert "integrity" not in {c["name"] for c in user["checks"]}


def test_damage_without_a_copy_is_left_and_said(site: Site, run: Run, tmp_path: Path) -> None:
    prediction_key = site.services.fraud().predictions.get(site.api.user_id, site.prediction_id).key
    _flip(site.store / prediction_key)
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            entry.unlink()  # no verified copy anywhere
    code, out, _ = run("verify", "--repair")
    assert code == 1
    assert f"not repaired: {prediction_key}: no verified copy in the cache" in out
    assert "1 damaged object(s) recorded" in site.integrity()["detail"]


def test_a_read_that_meets_damaged_bytes_registers_them(site: Site, tmp_path: Path) -> None:
    prediction_key = site.services.fraud().predictions.get(site.api.user_id, site.prediction_id).key
    _flip(site.store / prediction_key)
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            entry.unlink()
    answer = site.api.get(f"/api/predictions/{site.prediction_id}/download")
    assert answer.status_code == 500 and "will not help" in answer.json()["message"]
    with parts(site.services).uow() as uow:
        (damage,) = uow.damage.list()
    assert (damage.key, damage.detected_by, damage.problem) == (
        prediction_key,
        "read",
        "content-mismatch",
    )
    assert "1 damaged object(s) recorded" in site.integrity()["detail"]
