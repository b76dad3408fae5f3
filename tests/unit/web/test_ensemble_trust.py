"""An unlabelled file scored by the reference ensemble says how far to trust its scores
(ADR 0045), the same on every door: the prediction's summary, the JSON API and its
OpenAPI, and the prediction page in English and in French."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from tests.support.csvs import unlabelled_csv
from tests.support.web import ONE_REFERENCE, Api, make_web_app, run_jobs, sign_in, user_api

LOCALE = Path(__file__).parents[3] / "src" / "entrepot" / "locale"
#: ``fraud_service/summary.py``: high from this match quality, low under the second.
HIGH, LOW = 0.6, 0.3
#: ``fraud/score/ensemble.py``: low, whatever the quality, under this distribution fit.
UNFAMILIAR = 0.91

World = tuple[TestClient, Api, dict[str, Any]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("trust"), **ONE_REFERENCE)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert services.fraud().references.ensure() is not None
        run_jobs(services)
        api = user_api(client, services, "tess@example.com")
        dataset = api.upload(unlabelled_csv(600, seed=8)).json()["dataset_id"]
        answer = api.post("/api/apply_unlabeled", json={"dataset_id": dataset})
        assert answer.status_code == 202, answer.text
        run_jobs(services)
        job = api.get(f"/api/jobs/{answer.json()['job_id']}").json()
        assert job["state"] == "succeeded", job
        found = api.get(f"/api/predictions/{job['result']['prediction_id']}").json()
        sign_in(client, "tess@example.com")
        yield client, api, found


def _said(lang: str, key: str) -> str:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return str(read_po(f)[key].string)


def _shown_number(cell: str) -> float:
    """``0,84`` / ``3,2 %`` (fr) or ``0.84`` / ``3.2%`` (en) as a number (a share for %)."""
    text = re.sub(r"[\s\u00a0\u202f]", "", cell)
    value = float(text.rstrip("%").replace(",", "."))
    return value / 100 if text.endswith("%") else value


def test_the_api_gives_the_trust_of_the_summary_by_its_definition(world: World) -> None:
    client, api, found = world
    trust = found["trust"]
    assert trust == found["summary"]["trust"]
    members = found["summary"]["members"]
    quality = sum(
        m["weight"] * min(m["similarity"] * m["coverage"], 1.0) * m["distribution"] for m in members
    )
    assert trust["match_quality"] == pytest.approx(quality, abs=1e-5)
    scores = pd.read_csv(io.BytesIO(api.get(found["download_url"]).content))
    # the pooled probabilities are shifted until their mean is the estimated rate
    mean = scores["fraud_probability"].mean()
    assert trust["estimated_fraud_rate"] == pytest.approx(mean, abs=1e-5)
    fit = sum(m["weight"] * m["distribution"] for m in members)
    assert trust["distribution_fit"] == pytest.approx(fit, abs=1e-5)
    level = "high" if quality >= HIGH else "low" if quality < LOW else "medium"
    key = f"trust.{level}"
    if fit < UNFAMILIAR:
        level, key = "low", "trust.unfamiliar"
    assert trust["level"] == level and trust["message"]["key"] == key
    listed = api.get("/api/predictions").json()["items"]
    assert [p["trust"] for p in listed if p["id"] == found["id"]] == [trust]
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    detail = schema["PredictionDetailOut"]["properties"]["trust"]
    assert {"$ref": "#/components/schemas/TrustOut"} in detail["anyOf"]
    assert set(schema["TrustOut"]["required"]) == {
        "match_quality",
        "estimated_fraud_rate",
        "level",
        "message",
    }


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_shows_the_trust_of_the_summary(world: World, lang: str) -> None:
    client, _, found = world
    trust = found["summary"]["trust"]
    page = client.get(f"/predictions/{found['id']}", headers={"Accept-Language": lang}).text
    quality = re.search(r'id="trust-quality">([^<]*)<', page)
    rate = re.search(r'id="trust-rate">([^<]*)<', page)
    fit = re.search(r'id="trust-fit">([^<]*)<', page)
    assert quality and rate and fit
    assert _shown_number(quality.group(1)) == pytest.approx(trust["match_quality"], abs=0.005)
    assert _shown_number(fit.group(1)) == pytest.approx(trust["distribution_fit"], abs=0.005)
    assert _shown_number(rate.group(1)) == pytest.approx(trust["estimated_fraud_rate"], abs=0.00005)
    decimal = "," if lang == "fr" else "."
    assert decimal in quality.group(1) and decimal in rate.group(1)
    if lang == "fr":  # a (narrow) no-break space before the percent sign
        assert re.search(r"\d[\u00a0\u202f]%$", rate.group(1))
    level = trust["level"]
    said = re.search(r'<p class="trust [a-z]+" id="trust" data-level="([a-z]+)">([^<]*)</p>', page)
    assert said and said.group(1) == level
    key = trust["message"]["key"]
    expected = _said(lang, key).replace("{fit}", fit.group(1))  # trust.unfamiliar's only field
    assert html.unescape(said.group(2)) == expected
    assert _said(lang, "prediction.match_quality") in html.unescape(page)
