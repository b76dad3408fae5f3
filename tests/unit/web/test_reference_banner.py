"""The first-start reference build's banner: shown with its progress while the build is
queued or running, on every page and through ``/status/reference-build``; gone after."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.catalog.jobs.records import JobRecord
from entrepot.fraud_service.reference_progress import BuildProgress
from entrepot.i18n import translator
from entrepot.web.render import banner_text
from tests.support.parts import parts
from tests.support.web import PASSWORD, make_web_app, sign_in

BANNER = '<div id="reference-build" class="banner" role="status" aria-live="polite"'


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path, reference_count=40)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


def _advance(services: App, job: JobRecord, progress: float) -> None:
    now = datetime.now(UTC)
    with parts(services).uow() as uow:
        uow.jobs.claim(job.id, "test-worker", now)
        assert uow.jobs.beat(job.id, "test-worker", now, progress=progress)
        uow.commit()


def _banner(html: str) -> str:
    start = html.index(BANNER)
    return html[start : html.index("</div>", start)]


def test_no_banner_without_a_build(web: tuple[TestClient, App]) -> None:
    client, _ = web
    html = client.get("/login").text
    assert f"{BANNER} hidden>" in html  # the live region is there, empty and hidden
    assert "bibliothèque de référence" not in html and "reference library" not in html
    assert client.get("/status/reference-build").json() == {"building": False}


def test_the_banner_follows_the_build_then_goes(web: tuple[TestClient, App]) -> None:
    client, services = web
    job = services.fraud().references.ensure()
    assert job is not None
    queued = _banner(client.get("/login", headers={"Accept-Language": "fr"}).text)
    assert "hidden" not in queued
    assert "Construction de la bibliothèque de référence\u00a0: 0 modèle sur 40." in queued
    _advance(services, job, 12 / 40)
    english = client.get("/register", headers={"Accept-Language": "en"}).text
    assert "Building the reference library: 12 of 40 models." in _banner(english)
    status = client.get("/status/reference-build", headers={"Accept-Language": "fr"}).json()
    assert status["building"] and (status["done"], status["total"]) == (12, 40)
    assert status["text"].startswith(
        "Construction de la bibliothèque de référence\u00a0: 12 modèles"
    )
    services.accounts.register("a@example.com", PASSWORD)
    sign_in(client, "a@example.com")
    assert "12 of 40" in _banner(client.get("/datasets").text)  # signed in too
    with parts(services).uow() as uow:
        assert uow.jobs.succeed(job.id, "test-worker", datetime.now(UTC), {"built": 40})
        uow.commit()
    assert f"{BANNER} hidden>" in client.get("/datasets").text
    assert client.get("/status/reference-build").json() == {"building": False}


def test_the_app_links_to_the_dashboard(web: tuple[TestClient, App]) -> None:
    client, _ = web
    html = client.get("/login", headers={"Accept-Language": "fr"}).text
    assert '<a href="/dashboard/" id="nav-dashboard">Flux urbains</a>' in html


def test_the_banner_sentence_has_plural_forms_and_the_languages_numbers() -> None:
    one, many = BuildProgress(1, 1200), BuildProgress(1100, 1200)
    assert "\u00a0: 1 modèle sur 1\u202f200." in banner_text(translator("fr"), one)
    assert "\u00a0: 1\u202f100 modèles sur 1\u202f200." in banner_text(translator("fr"), many)
    assert ": 1 of 1,200 models." in banner_text(translator("en"), one)
    assert ": 1,100 of 1,200 models." in banner_text(translator("en"), many)
