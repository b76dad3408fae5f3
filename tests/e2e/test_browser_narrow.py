"""Every page the product serves, in Chromium at 400 px and at 1280 px, in English and in
French: no page is wider than the window, every chart keeps a plot area, anything that
scrolls sideways is a focusable, labelled region, and axe-core finds nothing serious or
critical.

The pages are the app's own GET routes (the pages' and the dashboard's modules, and
``/docs``), so a new page is measured without a change here; a templated path needs a
sample value in :data:`SAMPLES`, else the test says which one is missing. The server holds
an administrator with a dataset, a trained model, a scoring and its job, and eight days of
generated city data for the dashboard.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.chrome.webdriver import WebDriver

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city_service.service import CityService
from entrepot.storage.memory import MemoryStore
from tests.support.analyst import scored_admin
from tests.support.apps import flat_routes
from tests.support.browser import (
    accessibility_problems,
    chromium,
    serve_app,
    settled,
    sign_in,
)
from tests.support.web import PASSWORD, make_web_app

pytestmark = pytest.mark.slow

#: The modules whose GET routes are pages (the API's and the assets' are not).
PAGE_MODULES = ("entrepot.web.", "entrepot.dashboard.", "entrepot.api.docs")
#: GET routes of those modules that answer something else than a page.
NOT_PAGES = {
    "/lang/{code}",
    "/dashboard/lang/{code}",
    "/jobs/{job_id}/status",
    "/status/reference-build",
    "/docs/assets/{name}",
    "/favicon.ico",
    "/favicon.svg",
}
#: Pages only a visitor sees (a signed-in user is sent on).
SIGNED_OUT = ("/login", "/register")
#: The narrowest window a page must fit (a phone held upright).
NARROW = 400
#: The least width, in px, of a chart's plot area (inside its axes).
PLOT_AREA = 120

MEASURE = """
const width = window.innerWidth;
const page = document.documentElement.scrollWidth;
const plots = [...document.querySelectorAll('.js-plotly-plot')].map(p =>
  [p.id, p._fullLayout && p._fullLayout._size ? Math.round(p._fullLayout._size.w) : -1]);
const hidden = [...document.querySelectorAll('main *, header *')].filter(e => {
  const style = getComputedStyle(e);
  return e.scrollWidth > e.clientWidth + 1 && /(auto|scroll)/.test(style.overflowX)
    && !(e.tabIndex >= 0 && (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')));
}).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className);
const past = [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && e.children.length === 0)
  .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
return [width, page, plots, hidden, document.contentType, past];
"""


@dataclass(frozen=True)
class Site:
    url: str
    pages: tuple[str, ...]


def page_paths(app: Any) -> list[str]:
    """The templated paths of the app's pages, in its routing order."""
    found = []
    for route in flat_routes(list(app.routes)):
        module = getattr(getattr(route, "endpoint", None), "__module__", "")
        methods = getattr(route, "methods", None) or set()
        if "GET" in methods and module.startswith(PAGE_MODULES) and route.path not in NOT_PAGES:
            found.append(route.path)
    return list(dict.fromkeys(found))


def _city_runtime(folder: Path) -> CityService:
    store = MemoryStore("city-narrow")
    days = GenerateOptions(
        start=date(2025, 10, 28), days=8, arcs=30, stations=10, counters=3, roadworks=40
    )
    generate(store, days)
    engine = make_engine(f"sqlite:///{folder / 'city.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    assert not runtime.runner().run([date(2025, 10, 28), date(2025, 11, 4)]).failed
    return runtime


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("narrow")
    app, services = make_web_app(folder)
    app.state.city = _city_runtime(folder)
    with TestClient(app, raise_server_exceptions=False) as client:
        api, model_id, prediction = scored_admin(client, services)
        dataset_id = api.get("/api/datasets").json()["items"][0]["id"]
        job_id = services.jobs.list(api.user_id, per_page=1).items[0].id
    samples = {
        "dataset_id": dataset_id,
        "model_id": model_id,
        "prediction_id": prediction["id"],
        "job_id": job_id,
    }
    pages = []
    for path in page_paths(app):
        names = re.findall(r"\{(\w+)[^}]*\}", path)
        missing = [n for n in names if n not in samples]
        assert not missing, f"{path}: give {missing} a sample value in the site fixture"
        pages.append(path.format(**samples))
    with serve_app(app) as url:
        yield Site(url, tuple(pages))


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    folder = tmp_path_factory.mktemp("narrow-browser")
    with chromium(folder / "profile", folder / "downloads") as found:
        yield found


def _problems(driver: WebDriver, url: str, page: str) -> list[str]:
    driver.get(url + page)
    settled(driver)
    width, scrolled, plots, hidden, kind, past = driver.execute_script(MEASURE)
    found = []
    if kind != "text/html":
        found.append(f"answers {kind}, not a page: add it to NOT_PAGES")
    if scrolled > width:
        found.append(f"{scrolled} px wide in a {width} px window (past its edge: {past})")
    found += [f"chart {name}: plot area {w} px" for name, w in plots if w < PLOT_AREA]
    found += [f"{name} scrolls sideways but is no focusable, labelled region" for name in hidden]
    return found + accessibility_problems(driver)


def _walk(driver: WebDriver, site: Site, window: int) -> list[str]:
    driver.set_window_size(window, 900)
    url, failing = site.url, []
    driver.delete_all_cookies()
    for lang in ("en", "fr"):
        driver.get(f"{url}/lang/{lang}?next=/login")
        for page in SIGNED_OUT:
            found = _problems(driver, url, page)
            failing += [f"{lang} {page} (signed out): {p}" for p in found]
    sign_in(driver, url, "root@example.com", PASSWORD)
    for lang in ("en", "fr"):
        driver.get(f"{url}/lang/{lang}?next=/")
        driver.get(f"{url}/dashboard/lang/{lang}?next=/dashboard/city")
        for page in site.pages:
            if page in SIGNED_OUT:
                continue
            failing += [f"{lang} {page}: {p}" for p in _problems(driver, url, page)]
    return failing


def test_the_pages_are_found_from_the_routes(site: Site) -> None:
    pages = set(site.pages)
    assert {"/", "/datasets", "/admin/users", "/docs", "/dashboard/city/trafic"} <= pages
    # Regression: a router included in an included router lost its outer prefix.
    assert {"/dashboard/city/periode", "/dashboard/city/carte"} <= pages
    assert len(pages) >= 25, sorted(pages)


def test_every_page_fits_400_px_and_passes_axe(site: Site, driver: WebDriver) -> None:
    failing = _walk(driver, site, NARROW)
    assert not failing, "\n".join(failing)


def test_every_page_passes_axe_on_a_wide_screen(site: Site, driver: WebDriver) -> None:
    failing = _walk(driver, site, 1280)
    assert not failing, "\n".join(failing)
