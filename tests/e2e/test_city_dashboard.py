"""The city dashboard in headless Chromium, over a real HTTP server on 127.0.0.1, under
the site's Content-Security-Policy (no inline script, no other host).

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium
chromium-driver``); the test fails, naming them, when they are missing. Plotly.js is
served by the app; the test checks that the charts are drawn and that the browser
requested nothing from another host.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from selenium.webdriver.common.keys import Keys

from entrepot.api.routes import city
from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city_service.service import CityService
from entrepot.dashboard import city as dashboard
from entrepot.http import assets
from entrepot.storage.memory import MemoryStore
from tests.support import waiting
from tests.support.browser import accessibility_problems, serve_app
from tests.support.waiting import HANG_GUARD

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1400",
)
#: The site's policy (see entrepot.asgi): scripts from the site only, no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = MemoryStore("city-e2e")
    generate(
        store,
        GenerateOptions(
            start=date(2025, 10, 28), days=8, arcs=30, stations=10, counters=3, roadworks=40
        ),
    )
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    assert not runtime.runner().run([date(2025, 10, 28), date(2025, 11, 4)]).failed
    app = FastAPI()
    app.include_router(city.router)
    app.include_router(dashboard.router)
    app.include_router(assets.router)  # the pages' scripts, as the service mounts them
    app.state.city = runtime

    @app.middleware("http")
    async def policy(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        return response

    try:
        with serve_app(app) as url:
            yield url
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        pytest.fail(
            f"headless Chromium is needed: {missing} not found; "
            "install it with `apt-get install -y chromium chromium-driver`"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    # A reader in Paris: the browser asks for French (the dashboard follows Accept-Language).
    options.add_argument("--lang=fr-FR")
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")  # never let Selenium Manager download anything
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(HANG_GUARD)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, script: str) -> Any:
    """Poll ``return <script>`` in the page until it is truthy."""
    return waiting.wait_for(lambda: driver.execute_script(f"return {script}") or None, script)


def drawn_charts(driver: Any) -> int:
    """How many Plotly charts the page has drawn (an SVG inside each chart div)."""
    count: int = driver.execute_script(
        "return document.querySelectorAll('.chart .main-svg').length > 0 ? "
        "document.querySelectorAll('.chart.js-plotly-plot').length : 0"
    )
    return count


def test_overview_draws_its_charts_locally(browser: Any, site: str, tmp_path: Path) -> None:
    browser.get(f"{site}/dashboard/city")
    assert browser.title == "Vue d’ensemble · Flux urbains · Entrepôt"
    heading = browser.find_element("css selector", "main h2").text
    assert heading == "Vue d’ensemble — mardi 4 novembre 2025"
    wait_for(browser, "document.querySelectorAll('.chart.js-plotly-plot .main-svg').length >= 2")
    assert drawn_charts(browser) == 2
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources and all(name.startswith(site) for name in resources)
    assert any("/assets/plotly." in name for name in resources)  # named by content
    browser.save_screenshot(str(tmp_path / "overview.png"))


def test_the_date_picker_changes_the_day(browser: Any, site: str) -> None:
    browser.get(f"{site}/dashboard/city/trafic?date=2025-11-04")
    picker = browser.find_element("id", "date")
    assert picker.get_attribute("value") == "2025-11-04"
    # Typing into a date field depends on the browser's locale: set it, then submit.
    browser.execute_script("arguments[0].value = '2025-10-28'", picker)
    browser.find_element("css selector", "#date-picker button[type=submit]").click()
    wait_for(browser, "location.search === '?date=2025-10-28'")
    heading = browser.find_element("css selector", "main h2").text
    assert heading == "Trafic routier — mardi 28 octobre 2025"
    wait_for(browser, "document.querySelectorAll('.chart.js-plotly-plot .main-svg').length >= 3")
    assert drawn_charts(browser) == 3


def test_navigation_keeps_the_day_and_the_report_links_its_csv(browser: Any, site: str) -> None:
    browser.get(f"{site}/dashboard/city/meteo?date=2025-10-28")
    browser.find_element("link text", "Rapport").click()
    wait_for(browser, "location.pathname === '/dashboard/city/rapport'")
    assert browser.execute_script("return location.search") == "?date=2025-10-28"
    assert "Rapport quotidien — mardi 28 octobre 2025" in browser.page_source
    csv = browser.find_element("id", "csv").get_attribute("href")
    assert csv == f"{site}/city/report/2025-10-28/csv"
    browser.find_element("id", "next-day").click()
    wait_for(browser, "location.search === '?date=2025-10-29'")
    assert "Aucune donnée pour le mercredi 29 octobre 2025." in browser.page_source
    browser.find_element("link text", "mardi 4 novembre 2025").click()
    wait_for(browser, "location.search === '?date=2025-11-04'")
    assert browser.find_element("id", "week-over-week").is_displayed()


DASHBOARD_PAGES = (
    "/dashboard/city",
    "/dashboard/city/velos",
    "/dashboard/city/trafic",
    "/dashboard/city/travaux",
    "/dashboard/city/meteo",
    "/dashboard/city/rapport",
    "/dashboard/city/periode",
    "/dashboard/city/carte",
    "/dashboard/city/periode?from=2025-11-04&to=2025-10-01",  # a bad range's message
)


def test_every_dashboard_page_passes_axe(browser: Any, site: str) -> None:
    found = {}
    for path in DASHBOARD_PAGES:
        browser.get(f"{site}{path}")
        if browser.find_elements("id", "city-figures"):
            wait_for(browser, "document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
        found[path] = accessibility_problems(browser)
    failing = [f"{page}: {problem}" for page, problems in found.items() for problem in problems]
    assert not failing, "\n".join(failing)


def test_the_period_page_at_400_px_with_the_keyboard(browser: Any, site: str) -> None:
    browser.set_window_size(400, 900)
    try:
        browser.get(f"{site}/dashboard/city/periode")
        wait_for(
            browser, "document.querySelectorAll('.chart.js-plotly-plot .main-svg').length >= 4"
        )
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        ), "the page scrolls sideways at 400 px"
        cards = browser.find_elements("css selector", ".card[data-metric]")
        assert cards and all(c.rect["x"] + c.rect["width"] <= 400 for c in cards)
        start = browser.find_element("id", "from")
        browser.execute_script("arguments[0].value = '2025-10-28'", start)
        start.click()
        # Tab walks the date fields' day, month and year, then reaches the button
        for _ in range(8):
            browser.switch_to.active_element.send_keys(Keys.TAB)
            if browser.switch_to.active_element.text == "Afficher":
                break
        assert browser.switch_to.active_element.text == "Afficher"
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        wait_for(browser, "location.search === '?from=2025-10-28&to=2025-11-04'")
        assert "Période du 28 octobre 2025 au 4 novembre 2025" in browser.page_source
    finally:
        browser.set_window_size(1280, 1400)


def test_the_map_draws_offline_at_400_px(browser: Any, site: str) -> None:
    browser.set_window_size(400, 900)
    try:
        browser.get(f"{site}/dashboard/city/carte")
        wait_for(browser, "document.querySelectorAll('.map.js-plotly-plot .main-svg').length > 0")
        filled = browser.execute_script(
            "return document.querySelectorAll('.map .scatterlayer path.js-fill').length"
        )
        assert filled >= 20
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )
        resources = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert all(name.startswith(site) for name in resources)
        assert browser.find_element("id", "top-zones").is_displayed()
    finally:
        browser.set_window_size(1280, 1400)
