"""Swagger UI at ``/docs`` in headless Chromium, from the site's own files: it renders the
API's operations under the site's Content-Security-Policy, asks nothing of another host,
and the favicon is served."""

from __future__ import annotations

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from tests.support.browser import wait

pytestmark = pytest.mark.slow


def test_swagger_ui_lists_the_operations_from_local_assets(server: str, browser: WebDriver) -> None:
    browser.get(f"{server}/docs")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock"))
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/api/upload" in {p.replace("\u200b", "") for p in paths}
    sources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert sources and all(s.startswith(server) for s in sources)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []  # no script refused by the CSP, no missing file


def test_the_favicon_and_only_the_listed_assets_are_served(server: str) -> None:
    icon = httpx.get(f"{server}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert httpx.get(f"{server}/docs/assets/swagger-ui.css").status_code == 200
    assert httpx.get(f"{server}/docs/assets/..%2F..%2Fpyproject.toml").status_code == 404
    assert httpx.get(f"{server}/docs/assets/index.html").status_code == 404
