"""The fraud service in headless Chromium, as a user clicks through it: register, upload
(with progress), train, follow the job, see the charts, score, download; a second user
is refused everything of the first; the interface switches to French.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and
selenium. The service is the real ``entrepot serve`` in a fresh folder on the embedded
defaults (local store, SQLite, the in-process job worker).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.network import free_port
from tests.support.web import PASSWORD

pytestmark = pytest.mark.slow

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update({"ENTREPOT_TRAINING_BUDGET": "2", "ENTREPOT_REFERENCE_COUNT": "0", "COLUMNS": "200"})
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
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"entrepot serve did not start:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(url + "/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert f"serving on http://127.0.0.1:{port}" in log.read_text()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(tmp_path: Path, downloads: Path) -> Iterator[WebDriver]:
    if not (shutil.which(CHROMIUM) and shutil.which(DRIVER)):
        pytest.fail(
            "install Debian's chromium and chromium-driver (apt-get install -y chromium "
            "chromium-driver)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
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


def wait(driver: WebDriver, condition: Any, seconds: float = 60) -> Any:
    return WebDriverWait(driver, seconds, poll_frequency=0.2).until(condition)


def by_id(name: str) -> tuple[str, str]:
    return By.ID, name


def register(driver: WebDriver, url: str, email: str) -> None:
    driver.get(url + "/register")
    driver.find_element(*by_id("name")).send_keys(email.split("@")[0])
    driver.find_element(*by_id("email")).send_keys(email)
    driver.find_element(*by_id("password")).send_keys(PASSWORD)
    driver.find_element(*by_id("register-submit")).click()
    wait(driver, ec.presence_of_element_located(by_id("upload-form")))


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
            "succeeded" in d.find_element(*by_id("job-state")).get_attribute("class")
            or "failed" in d.find_element(*by_id("job-state")).get_attribute("class")
        ),
        180,
    )
    error = driver.find_element(*by_id("job-error"))
    assert not error.is_displayed(), error.text
    link = driver.find_element(*by_id(result))
    assert link.is_displayed()
    link.click()


def test_a_user_trains_scores_and_downloads_and_another_is_refused(
    server: str, browser: WebDriver, downloads: Path, tmp_path: Path
) -> None:
    driver = browser
    labelled, fresh = tmp_path / "cards.csv", tmp_path / "new-cards.csv"
    labelled.write_bytes(labelled_csv(3000))
    fresh.write_bytes(unlabelled_csv(800))

    register(driver, server, "alice@example.com")
    dataset_url = upload(driver, server, labelled)
    assert driver.find_element(*by_id("detected-target")).text == "is_fraud"
    assert "highlight" in driver.find_element(*by_id("target-row")).get_attribute("class")

    name = driver.find_element(*by_id("model-name"))
    name.clear()
    name.send_keys("browser-model")
    driver.find_element(*by_id("train-submit")).click()
    follow_job(driver, "result-model")
    wait(driver, ec.presence_of_element_located(by_id("model-title")))
    assert "browser-model" in driver.find_element(*by_id("model-title")).text
    for chart in ("chart-pr", "chart-calibration", "chart-importance"):  # drawn under the CSP
        wait(
            driver,
            lambda d, c=chart: d.find_element(*by_id(c)).get_attribute("data-drawn") == "yes",
        )

    fresh_url = upload(driver, server, fresh)
    assert driver.find_elements(*by_id("no-target"))
    Select(driver.find_element(*by_id("model-id"))).select_by_index(0)
    driver.find_element(*by_id("predict-submit")).click()
    follow_job(driver, "result-prediction")
    wait(driver, ec.presence_of_element_located(by_id("summary")))
    prediction_url = str(driver.current_url)
    counts = [
        int(driver.find_element(*by_id(f"risk-{level}")).text.replace(",", ""))
        for level in ("critical", "high", "medium", "low")
    ]
    assert sum(counts) == 800
    driver.find_element(*by_id("download-predictions")).click()
    wait(driver, lambda _d: any(p.suffix == ".csv" for p in downloads.iterdir()), 30)
    (csv,) = [p for p in downloads.iterdir() if p.suffix == ".csv"]
    lines = csv.read_text().splitlines()
    assert len(lines) == 801 and "fraud_probability" in lines[0]

    driver.find_element(*by_id("lang-fr")).click()
    wait(driver, lambda d: d.find_element(*by_id("nav-datasets")).text == "Jeux de données")

    driver.delete_all_cookies()
    register(driver, server, "bob@example.com")
    download_url = server + "/api/predictions/" + prediction_url.rsplit("/", 1)[1] + "/download"
    for url in (dataset_url, fresh_url, prediction_url):
        driver.get(url)
        message = driver.find_element(*by_id("error-message")).text
        assert message.startswith("no ") and "alice" not in driver.page_source
    driver.get(download_url)
    assert "record_not_found" in driver.page_source
    assert "fraud_probability" not in driver.page_source
