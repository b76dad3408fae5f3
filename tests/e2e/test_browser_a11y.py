"""Every page a user reaches, in Chromium, passes axe-core's WCAG 2.1 AA rules with no
serious or critical finding (axe-core from package-lock.json, injected by the test; the
pages with a model and a prediction are checked in ``test_browser_analyst.py``, the
dashboard's pages with city data in ``test_city_dashboard.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.support.browser import (
    accessibility_problems,
    by_id,
    register,
    serve,
    upload,
    wait,
)
from tests.support.csvs import labelled_csv
from tests.support.waiting import HANG_GUARD

pytestmark = pytest.mark.slow

SIGNED_OUT = ("/login", "/register", "/", "/dashboard/city", "/dashboard/city/periode")
SIGNED_IN = (
    "/",
    "/datasets",
    "/models",
    "/history",
    "/licence",
    "/profile",
    "/dashboard/city",
    "/dashboard/city/carte",
)
ADMIN = ("/admin", "/admin/users", "/admin/licences", "/admin/audit")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real ``entrepot serve`` and its folder (for the CLI beside it)."""
    folder = tmp_path_factory.mktemp("serve-a11y")
    with serve(folder) as url:
        yield url, folder


def _grant_admin(folder: Path, email: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    done = subprocess.run(
        [sys.executable, "-m", "entrepot", "users", "admin", email],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr


def _problems(browser: WebDriver, url: str) -> list[str]:
    browser.get(url)
    return accessibility_problems(browser)


def test_every_page_passes_axe(site: tuple[str, Path], browser: WebDriver, tmp_path: Path) -> None:
    server, folder = site
    found = {f"signed out {p}": _problems(browser, server + p) for p in SIGNED_OUT}
    register(browser, server, "axe@example.com")
    found |= {p: _problems(browser, server + p) for p in SIGNED_IN}
    browser.get(f"{server}/lang/fr?next=/datasets")
    found["/datasets (fr)"] = accessibility_problems(browser)

    # a job page, while the training runs or once it is done
    data = tmp_path / "small.csv"
    data.write_bytes(labelled_csv(600))
    upload(browser, server, data)
    browser.find_element(*by_id("train-submit")).click()
    wait(browser, lambda d: d.find_elements(*by_id("job-state")))
    found["/jobs/… (fr)"] = accessibility_problems(browser)
    browser.get(f"{server}/lang/en?next=/datasets")

    _grant_admin(folder, "axe@example.com")
    for path in ADMIN:
        found[path] = _problems(browser, server + path)
        assert browser.find_elements(*by_id("nav-admin")), f"{path} was not shown to an admin"
    failing = [f"{page}: {problem}" for page, problems in found.items() for problem in problems]
    assert not failing, "\n".join(failing)
