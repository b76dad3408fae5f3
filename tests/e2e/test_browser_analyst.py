"""The analyst's loop in headless Chromium over the real ``entrepot serve``: the model
page's threshold slider shows the trade-off as it moves and saves a threshold; the review
page walks the flagged rows with the keyboard (F fraud, L legitimate, S skip) and each
decision is recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from tests.support.browser import accessibility_problems, by_id, follow_job, register, upload, wait
from tests.support.csvs import labelled_csv, unlabelled_csv

pytestmark = pytest.mark.slow


def _text(driver: WebDriver, name: str) -> str:
    return str(driver.find_element(*by_id(name)).text)


def test_the_threshold_slider_and_the_keyboard_review(
    server: str, browser: WebDriver, tmp_path: Path
) -> None:
    driver = browser
    history, fresh = tmp_path / "history.csv", tmp_path / "fresh.csv"
    history.write_bytes(labelled_csv(3000))
    fresh.write_bytes(unlabelled_csv(1500, seed=8))
    register(driver, server, "ana@example.com")
    upload(driver, server, history)
    driver.find_element(*by_id("train-submit")).click()
    follow_job(driver, "result-model")
    wait(driver, ec.presence_of_element_located(by_id("threshold-slider")))
    model_url = str(driver.current_url)

    slider = driver.find_element(*by_id("threshold-slider"))
    before = (_text(driver, "th-value"), _text(driver, "th-recall"), _text(driver, "cm-tp"))
    assert before[0] and before[1].endswith("%")
    slider.send_keys(Keys.END)  # the highest threshold: fewer rows flagged
    wait(driver, lambda d: _text(d, "th-value") != before[0])
    assert _text(driver, "th-flagged") != "" and _text(driver, "cm-tp") != before[2]
    slider.send_keys(Keys.HOME)  # then a low threshold, so the review has rows to walk
    for _ in range(5):
        slider.send_keys(Keys.RIGHT)
    chosen = _text(driver, "th-value")
    driver.find_element(*by_id("threshold-save")).click()
    wait(driver, lambda d: _text(d, "threshold-status").startswith("Threshold saved."))
    driver.get(model_url)
    wait(driver, lambda d: "saved by ana@example.com" in _text(d, "threshold-status"))
    assert _text(driver, "th-value") == chosen  # the slider starts at the saved threshold

    upload(driver, server, fresh)
    Select(driver.find_element(*by_id("model-id"))).select_by_index(0)
    driver.find_element(*by_id("predict-submit")).click()
    follow_job(driver, "result-prediction")
    wait(driver, ec.presence_of_element_located(by_id("top-rows")))
    prediction_id = str(driver.current_url).rsplit("/", 1)[1]
    driver.find_element(*by_id("review-link")).click()
    wait(driver, ec.presence_of_element_located(by_id("review")))
    rows = [e.get_attribute("data-row") for e in driver.find_elements(By.CLASS_NAME, "review-row")]
    assert len(rows) >= 3, "the saved threshold flags too few rows to review"
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys("f")
    wait(driver, lambda d: _text(d, "review-decided") == "1")
    body.send_keys("s")
    wait(driver, lambda d: _text(d, "review-position").startswith("3 /"))
    body.send_keys("l")
    wait(driver, lambda d: _text(d, "review-decided") == "2")

    driver.get(f"{server}/api/predictions/{prediction_id}/feedback")
    recorded = json.loads(driver.find_element(By.TAG_NAME, "body").text)
    decided = {str(f["row"]): f["label"] for f in recorded["labels"]}
    assert decided == {rows[0]: 1, rows[2]: 0}
    assert {f["decided_by"] for f in recorded["labels"]} == {"ana@example.com"}

    for path in (model_url, f"{server}/predictions/{prediction_id}",
                 f"{server}/predictions/{prediction_id}/review"):  # fmt: skip
        driver.get(path)
        assert accessibility_problems(driver) == [], path

    # At 400 px: the pages never scroll sideways (tables scroll inside their card) and no
    # chart shows a mode bar over its title.
    driver.set_window_size(400, 900)
    for path in (model_url, f"{server}/predictions/{prediction_id}", f"{server}/models"):
        driver.get(path)
        wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
        wide = driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert wide[0] <= wide[1], (path, wide)
        assert driver.find_elements(By.CSS_SELECTOR, ".modebar-container .modebar") == []
