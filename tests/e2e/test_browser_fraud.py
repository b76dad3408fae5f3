"""The fraud service in headless Chromium, as a user clicks through it: register, upload
(with progress), train, follow the job, see the charts, score, download; a second user
is refused everything of the first; the interface switches to French.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and
selenium. The service is the real ``entrepot serve`` in a fresh folder on the embedded
defaults (local store, SQLite, the in-process job worker).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from tests.support.browser import accessibility_problems, by_id, follow_job, register, upload, wait
from tests.support.csvs import labelled_csv, late_frauds_csv, unlabelled_csv

pytestmark = pytest.mark.slow


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
    assert "highlight" in (driver.find_element(*by_id("target-row")).get_attribute("class") or "")
    assert accessibility_problems(driver) == []  # the dataset page, with its train form

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
    wait(driver, lambda _d: any(p.suffix == ".csv" for p in downloads.iterdir()))
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


def test_a_large_uploads_frauds_are_the_whole_files(
    server: str, browser: WebDriver, tmp_path: Path
) -> None:
    """Issue #14: the page showed the frauds of the file's first 4 MiB only."""
    data, frauds = late_frauds_csv(70_000)
    big = tmp_path / "big.csv"
    big.write_bytes(data)
    register(browser, server, "carol@example.com")
    upload(browser, server, big)
    shown = browser.find_element(*by_id("fraud-count")).text
    assert f"{frauds:,}" in shown and "≈" not in shown
