"""The model pages in headless Chromium (issue 27, item 8): at 400 px and 1280 px, in
English and French, no page wider than its window, the trials chart drawn with a usable
plot area, no serious or critical axe-core finding; an alias set and a note written by
keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.keys import Keys

from tests.support.analyst import train_model
from tests.support.browser import (
    accessibility_problems,
    chromium,
    serve_app,
    settled,
    sign_in,
    wait,
)
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, Api, make_web_app

#: The page's width, what it scrolls to, and each chart's plot area (id, px).
MEASURE = """
const plots = [...document.querySelectorAll('.js-plotly-plot')].map(p =>
  [p.id, p._fullLayout && p._fullLayout._size ? Math.round(p._fullLayout._size.w) : -1]);
return [window.innerWidth, document.documentElement.scrollWidth, plots];
"""


@dataclass(frozen=True)
class Site:
    url: str
    api: Api
    model_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app, services = make_web_app(tmp_path_factory.mktemp("model-pages-browser"))
    with TestClient(app, raise_server_exceptions=False) as client:
        user = services.accounts.register("keys@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        api = Api(client, token, user.id)
        train_model(api, services, labelled_csv(), "cards")
        model_id = train_model(api, services, labelled_csv(600, seed=9), "cards")
        with serve_app(app) as url:
            yield Site(url, api, model_id)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    folder: Path = tmp_path_factory.mktemp("model-pages-chromium")
    with chromium(folder / "profile", folder / "downloads") as found:
        found.get("about:blank")
        yield found


@pytest.mark.parametrize("window", [400, 1280])
def test_the_model_pages_fit_and_pass_axe(site: Site, driver: WebDriver, window: int) -> None:
    driver.set_window_size(window, 900)
    sign_in(driver, site.url, "keys@example.com", PASSWORD)
    failing = []
    for lang in ("en", "fr"):
        driver.get(f"{site.url}/lang/{lang}?next=/")
        for page in ("/models", f"/models/{site.model_id}"):
            driver.get(site.url + page)
            settled(driver, charts_drawn=True)
            width, scrolled, plots = driver.execute_script(MEASURE)
            if scrolled > width:
                failing.append(f"{lang} {page}: {scrolled} px wide in a {width} px window")
            failing += [f"{lang} {page}: chart {n} plot area {w} px" for n, w in plots if w < 120]
            failing += [f"{lang} {page}: {p}" for p in accessibility_problems(driver)]
            if page != "/models":
                assert "chart-trials" in [name for name, _ in plots]
    assert not failing, "\n".join(failing)


def test_an_alias_and_a_note_by_keyboard(site: Site, driver: WebDriver) -> None:
    driver.set_window_size(400, 900)
    sign_in(driver, site.url, "keys@example.com", PASSWORD)
    driver.get(f"{site.url}/lang/en?next=/")
    driver.get(f"{site.url}/models/{site.model_id}")
    settled(driver, charts_drawn=True)
    note = driver.find_element("id", "note-text")
    note.click()
    note.send_keys(Keys.CONTROL, "a")
    note.send_keys("Chosen for the spring campaign")
    note.send_keys(Keys.TAB)  # the help is text: the next stop is the save button
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait(driver, lambda d: "Note saved." in d.page_source)
    assert site.api.get(f"/api/models/{site.model_id}").json()["note"]["text"] == (
        "Chosen for the spring campaign"
    )
    alias = driver.find_element("css selector", "#alias-form input[name=alias]")
    alias.send_keys("production", Keys.ENTER)
    wait(driver, lambda d: "now points at this version" in d.page_source)
    assert site.api.get(f"/api/models/{site.model_id}").json()["aliases"] == ["production"]
