"""Every page a user reaches, in Chromium, passes axe-core's WCAG 2.1 AA rules with no
serious or critical finding (axe-core from package-lock.json, injected by the test; the
pages with a model and a prediction are checked in ``test_browser_analyst.py``)."""

from __future__ import annotations

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.support.browser import accessibility_problems, register

pytestmark = pytest.mark.slow

SIGNED_OUT = ("/login", "/register", "/")
SIGNED_IN = ("/", "/datasets", "/models", "/history", "/licence", "/profile", "/dashboard/city")


def test_every_page_passes_axe(server: str, browser: WebDriver) -> None:
    found = {}
    for path in SIGNED_OUT:
        browser.get(f"{server}{path}")
        found[f"signed out {path}"] = accessibility_problems(browser)
    register(browser, server, "axe@example.com")
    for path in SIGNED_IN:
        browser.get(f"{server}{path}")
        found[path] = accessibility_problems(browser)
    browser.get(f"{server}/lang/fr?next=/datasets")
    found["/datasets (fr)"] = accessibility_problems(browser)
    assert {page: problems for page, problems in found.items() if problems} == {}
