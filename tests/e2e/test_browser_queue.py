"""The analyst's queue in headless Chromium, in English and French (issue 44 item 4): the
review's rows show the transaction's fields, a risk filter keeps its own place, keyboard
shortcuts turn off and stay off across a reload (WCAG 2.1.4), the end of the queue offers
"Retrain with N decisions"; a job page followed live ends on the result a reload shows,
attempts included; the model page's trainings table sorts from the keyboard and fits a
400 px window; no serious or critical axe-core finding on any of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.analyst import predict, train_model
from tests.support.browser import accessibility_problems, chromium, serve_app, sign_in, wait
from tests.support.csvs import labelled_csv
from tests.support.web import PASSWORD, Api, make_web_app, run_jobs

pytestmark = pytest.mark.slow
WORDS = {
    "en": {"retrain": "Retrain with", "fields": ("Amount", "Time", "Customer")},
    "fr": {"retrain": "Réentraîner avec", "fields": ("Montant", "Date et heure", "Client")},
}


@dataclass(frozen=True)
class Site:
    url: str
    api: Api
    services: Any
    model_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app, services = make_web_app(tmp_path_factory.mktemp("queue-browser"))
    with TestClient(app, raise_server_exceptions=False) as client:
        user = services.accounts.register("ana@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        api = Api(client, token, user.id)
        train_model(api, services, labelled_csv(), "cards")
        model_id = train_model(api, services, labelled_csv(1500, seed=9), "cards")
        with serve_app(app) as url:
            yield Site(url, api, services, model_id)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    folder: Path = tmp_path_factory.mktemp("queue-chromium")
    with chromium(folder / "profile", folder / "downloads") as found:
        found.get("about:blank")
        yield found


def _in(driver: WebDriver, site: Site, lang: str) -> None:
    sign_in(driver, site.url, "ana@example.com", PASSWORD)
    driver.get(f"{site.url}/lang/{lang}?next=/")


def _text(driver: WebDriver, name: str) -> str:
    return str(driver.find_element(By.ID, name).text)


def _ready(driver: WebDriver) -> None:
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_review_queue(site: Site, driver: WebDriver, lang: str) -> None:
    driver.set_window_size(1280, 900)
    _in(driver, site, lang)
    prediction = predict(site.api, site.services, site.model_id, labelled_csv(700, seed=21))["id"]
    review = f"{site.url}/predictions/{prediction}/review"
    driver.get(review)
    _ready(driver)
    row = next(r for r in driver.find_elements(By.CLASS_NAME, "review-row") if r.is_displayed())
    shown = row.text
    assert all(word in shown for word in WORDS[lang]["fields"]), shown
    assert accessibility_problems(driver) == []

    # Shortcuts off: "f" does nothing, a click still decides; off again after a reload.
    box = driver.find_element(By.ID, "review-shortcuts")
    assert box.is_displayed() and box.is_selected()
    box.click()
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys("f")
    driver.find_element(By.ID, "review-legit").click()
    wait(driver, lambda d: _text(d, "review-decided") == "1")
    labels = site.api.get(f"/api/predictions/{prediction}/feedback").json()["labels"]
    assert [f["label"] for f in labels] == [0]  # the "f" was not taken
    driver.refresh()
    _ready(driver)
    assert not driver.find_element(By.ID, "review-shortcuts").is_selected()
    assert driver.find_element(By.ID, "review-fraud").get_attribute("aria-keyshortcuts") is None
    assert not driver.find_element(By.ID, "review-keys").is_displayed()
    driver.find_element(By.ID, "review-shortcuts").click()  # on again, for the next test
    driver.find_element(By.TAG_NAME, "body").send_keys("f")
    wait(driver, lambda d: _text(d, "review-decided") == "2")

    # A filter by risk level: its own rows, its own place, said as the current one.
    driver.find_element(By.ID, "review-filter-medium").click()
    _ready(driver)
    assert "risk=medium" in driver.current_url
    link = driver.find_element(By.ID, "review-filter-medium")
    assert link.get_attribute("aria-current") == "page"
    assert accessibility_problems(driver) == []

    # The end of the flagged queue: every row but one decided elsewhere, the last by key.
    driver.get(review)
    _ready(driver)
    rows = [
        int(str(r.get_attribute("data-row")))
        for r in driver.find_elements(By.CLASS_NAME, "review-row")
    ]
    decided = {
        f["row"] for f in site.api.get(f"/api/predictions/{prediction}/feedback").json()["labels"]
    }
    rest = [r for r in rows if r not in decided]
    site.api.post(
        f"/api/predictions/{prediction}/feedback",
        json={"labels": [{"row": r, "label": 0} for r in rest[:-1]]},
    )
    driver.get(review)
    _ready(driver)
    driver.find_element(By.TAG_NAME, "body").send_keys("l")
    # the page again from the server: the done part shown, the retraining offered
    button = wait(
        driver,
        lambda d: [b for b in d.find_elements(By.ID, "review-retrain") if b.is_displayed()],
    )[0]
    assert button.text.startswith(WORDS[lang]["retrain"]), button.text
    # the count the server gives after the last decision: every decision on the model's
    # predictions, counted here from the API
    listed = site.api.get("/api/predictions", params={"per_page": 100}).json()
    total = sum(
        len(site.api.get(f"/api/predictions/{p['id']}/feedback").json()["labels"])
        for p in (listed["items"] if isinstance(listed, dict) else listed)
        if p["model_name"] == "cards"
    )
    assert int(str(button.get_attribute("data-decisions"))) == total >= len(rows)
    assert accessibility_problems(driver) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_job_page_followed_live_ends_as_a_reload_shows_it(
    site: Site, driver: WebDriver, lang: str
) -> None:
    driver.set_window_size(1280, 900)
    _in(driver, site, lang)
    dataset = site.api.upload(labelled_csv(600, seed=30), "batch.csv").json()["dataset_id"]
    job = site.api.post(
        "/api/predict", json={"model_id": site.model_id, "dataset_id": dataset}
    ).json()
    driver.get(f"{site.url}/jobs/{job['job_id']}")
    _ready(driver)
    assert _text(driver, "job-attempts") == "0" and "cards" in driver.title
    run_jobs(site.services)
    wait(driver, lambda d: d.find_elements(By.ID, "job-result-rows"))
    live = (
        _text(driver, "job-attempts"),
        _text(driver, "job-result-rows"),
        _text(driver, "job-result-flagged"),
    )
    assert not driver.find_elements(By.ID, "job-message")  # the result, not the last step
    driver.refresh()
    _ready(driver)
    again = (
        _text(driver, "job-attempts"),
        _text(driver, "job-result-rows"),
        _text(driver, "job-result-flagged"),
    )
    assert live == again and live[0] == str(site.api.get(job["status_url"]).json()["attempts"])
    assert accessibility_problems(driver) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_trainings_table_sorts_by_keyboard_and_fits(
    site: Site, driver: WebDriver, lang: str
) -> None:
    driver.set_window_size(1280, 900)
    _in(driver, site, lang)
    driver.get(f"{site.url}/models/{site.model_id}")
    _ready(driver)
    heads = driver.find_elements(By.CSS_SELECTOR, "#trainings th")
    auprc = heads[4]
    assert auprc.get_attribute("aria-sort") == "none"
    button = auprc.find_element(By.TAG_NAME, "button")
    button.send_keys(Keys.ENTER)
    wait(driver, lambda d: auprc.get_attribute("aria-sort") == "ascending")
    values = [
        float(str(c.get_attribute("data-sort-value")))
        for c in driver.find_elements(By.CSS_SELECTOR, "#trainings td.training-auprc")
    ]
    assert len(values) >= 2 and values == sorted(values)
    button.send_keys(Keys.ENTER)
    wait(driver, lambda d: auprc.get_attribute("aria-sort") == "descending")
    values = [
        float(str(c.get_attribute("data-sort-value")))
        for c in driver.find_elements(By.CSS_SELECTOR, "#trainings td.training-auprc")
    ]
    assert values == sorted(values, reverse=True)
    assert heads[1].get_attribute("aria-sort") == "none"
    assert driver.find_elements(By.CSS_SELECTOR, "#hyperparameters td.param-value")
    assert accessibility_problems(driver) == []
    driver.set_window_size(400, 900)
    driver.get(f"{site.url}/models/{site.model_id}")
    _ready(driver)
    width, scrolled = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]"
    )
    assert scrolled <= width
    assert "stack" in str(driver.find_element(By.ID, "trainings").get_attribute("class"))
    assert accessibility_problems(driver) == []
