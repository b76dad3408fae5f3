"""The first-start reference build's banner in Chromium: it shows the build's progress,
follows it without a reload (``/status/reference-build``, polled by the page script under
the site's Content-Security-Policy), passes axe-core, and goes when the build is done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from entrepot.bootstrap.app import App
from entrepot.catalog.jobs.records import JobRecord
from tests.support.browser import accessibility_problems, by_id, serve_app, wait
from tests.support.parts import parts
from tests.support.web import make_web_app

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, App]]:
    """The web app (no worker: the build stays where the test puts it) over HTTP."""
    app, services = make_web_app(tmp_path, reference_count=40)
    with serve_app(app) as url:
        yield url, services


def _set(services: App, job: JobRecord, progress: float, *, done: bool = False) -> None:
    now = datetime.now(UTC)
    with parts(services).uow() as uow:
        uow.jobs.claim(job.id, "test-worker", now)
        if done:
            assert uow.jobs.succeed(job.id, "test-worker", now, {"built": 40})
        else:
            assert uow.jobs.beat(job.id, "test-worker", now, progress=progress)
        uow.commit()


def test_the_banner_follows_the_build_and_goes(site: tuple[str, App], browser: WebDriver) -> None:
    url, services = site
    job = services.fraud().references.ensure()
    assert job is not None
    browser.get(f"{url}/lang/fr?next=/login")
    banner = browser.find_element(*by_id("reference-build"))
    assert banner.is_displayed()
    assert "0 modèle sur 40" in banner.text
    assert banner.get_attribute("aria-live") == "polite"
    assert accessibility_problems(browser) == []
    browser.execute_script("window.sameDocument = true")
    _set(services, job, 12 / 40)
    wait(browser, lambda d: "12 modèles sur 40" in d.find_element(*by_id("reference-build")).text)
    _set(services, job, 1.0, done=True)
    wait(browser, lambda d: not d.find_element(*by_id("reference-build")).is_displayed())
    assert browser.execute_script("return window.sameDocument === true")  # no reload
