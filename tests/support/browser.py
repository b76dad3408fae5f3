"""Headless Chromium over the real ``entrepot serve`` for the browser tests: the server in
a fresh folder, the browser, and the steps a user clicks through (register, upload,
follow a job).

Needs Debian's ``chromium`` and ``chromium-driver`` and selenium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.network import free_port
from tests.support.processes import wait_until_it_answers
from tests.support.waiting import HANG_GUARD, wait_for
from tests.support.web import PASSWORD

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``entrepot serve`` on the embedded defaults in ``folder``; yields its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update(
        {
            "ENTREPOT_TRAINING_BUDGET": "2",
            "ENTREPOT_TRAINING_CLOCK": "steps",
            "ENTREPOT_REFERENCE_COUNT": "0",
            "COLUMNS": "200",
        }
    )
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "entrepot.cli.serve", "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_it_answers(url, process, log)
        assert f"serving on http://127.0.0.1:{port}" in log.read_text()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """``app`` over HTTP on 127.0.0.1 in a thread of this process; yields its URL."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(
        lambda: server.started,
        "the web app serving",
        gone=lambda: None if thread.is_alive() else "its thread ended",
        every=0.05,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium(profile: Path, downloads: Path) -> Iterator[WebDriver]:
    """Headless Chromium with its own ``profile`` folder, downloading into ``downloads``."""
    if not (shutil.which(CHROMIUM) and shutil.which(DRIVER)):
        pytest.fail(
            "install Debian's chromium and chromium-driver (apt-get install -y chromium "
            "chromium-driver)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: WebDriver, condition: Any, seconds: float = HANG_GUARD) -> Any:
    """Poll ``condition`` until it holds (``seconds``: a hang guard only). An element the
    page replaced between finding it and reading it (a job page redrawing its state) is
    polled again, not a failure."""
    patient = WebDriverWait(
        driver, seconds, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
    )
    return patient.until(condition)


def by_id(name: str) -> tuple[str, str]:
    return By.ID, name


def register(driver: WebDriver, url: str, email: str) -> None:
    driver.get(url + "/register")
    driver.find_element(*by_id("name")).send_keys(email.split("@")[0])
    driver.find_element(*by_id("email")).send_keys(email)
    driver.find_element(*by_id("password")).send_keys(PASSWORD)
    driver.find_element(*by_id("register-submit")).click()
    wait(driver, ec.presence_of_element_located(by_id("upload-form")))


def sign_in(driver: WebDriver, url: str, email: str, password: str) -> None:
    """Sign in afresh as ``email`` (cookies of an earlier test cleared first)."""
    driver.get(url + "/login")
    driver.delete_all_cookies()
    driver.get(url + "/login")
    driver.find_element("id", "email").send_keys(email)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("id", "login-submit").click()
    wait(driver, lambda d: d.find_elements("id", "logout"))


def settled(driver: WebDriver, *, charts_drawn: bool = False) -> None:
    """Wait for the page and its charts: each ``.chart`` drawn, or (unless ``charts_drawn``)
    its text saying why not."""
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    fallback = "" if charts_drawn else " || c.textContent.trim()"
    script = (
        "return [...document.querySelectorAll('.chart')]"
        f".every(c => c.querySelector('.main-svg'){fallback})"
    )
    wait(driver, lambda d: d.execute_script(script))


def upload(driver: WebDriver, url: str, path: Path) -> str:
    driver.get(url + "/datasets")
    driver.find_element(*by_id("upload-file")).send_keys(str(path))
    driver.find_element(*by_id("upload-submit")).click()
    wait(driver, ec.presence_of_element_located(by_id("dataset-name")))
    return str(driver.current_url)


def follow_job(driver: WebDriver, result: str) -> None:
    wait(driver, ec.presence_of_element_located(by_id("job-state")))
    wait(
        driver,
        lambda d: (
            {"succeeded", "failed"}
            & set((d.find_element(*by_id("job-state")).get_attribute("class") or "").split())
        ),
    )
    error = driver.find_element(*by_id("job-error"))
    assert not error.is_displayed(), error.text
    link = driver.find_element(*by_id(result))
    assert link.is_displayed()
    link.click()


#: axe-core, installed from package-lock.json by ``make browser-tools`` (part of ``make test``).
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: What a page may not have (WCAG 2.1 AA rules axe rates serious or critical).
BLOCKING = ("serious", "critical")


def accessibility_problems(driver: WebDriver) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA findings on the current page, in words."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run `make browser-tools`")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => [v.id, v.impact, v.help,"
        " v.nodes.slice(0, 3).map(n => n.target.join(' '))])))"
    )
    return [f"{rule} ({impact}): {help} at {nodes}" for rule, impact, help, nodes in found
            if impact in BLOCKING]  # fmt: skip
