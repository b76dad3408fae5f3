"""Issue 44 item 4, the pages as the server writes them (the browser's part is in
``tests/e2e/test_browser_queue.py``): each review row shows the transaction's own fields,
the review filters by risk level with a count left per filter, "Retrain with N decisions"
is offered at the end only while the plan allows it (else the page says why), a job's page
shows its result and names its model, and the model page shows the chosen learner's
hyper-parameters and every training of the model.

Every figure a page shows is checked against a second computation that shares nothing
with the page: the uploaded CSV read with the ``csv`` module, the scores file counted row
by row, ``performance.json`` as downloaded, numbers written here with plain string
formatting."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.analyst import predict, train_model
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.web import PASSWORD, Api, csrf_of, make_web_app, run_jobs, sign_in

EN, FR = {"Accept-Language": "en"}, {"Accept-Language": "fr"}
MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": (
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
}


@dataclass
class World:
    client: TestClient
    api: Api
    services: Any
    model_id: int
    batch: bytes


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("queue"))
    with TestClient(app, raise_server_exceptions=False) as client:
        user = services.accounts.register("ana@example.com", PASSWORD)
        _, token = services.accounts.create_token(user.id)
        api = Api(client, token, user.id)
        model_id = train_model(api, services, labelled_csv(), "cards")
        sign_in(client, "ana@example.com")
        yield World(client, api, services, model_id, labelled_csv(700, seed=21))


# -- the second computation: numbers and times written here ------------------------------
def _number(value: float, digits: int, lang: str) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def _wall_clock(text: str, lang: str) -> str:
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    month = MONTHS[lang][moment.month - 1]
    clock = moment.strftime("%H:%M:%S")
    if lang == "fr":
        return f"{moment.day} {month} {moment.year}, {clock}"
    return f"{month} {moment.day}, {moment.year}, {clock}"


def _param(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return {"en": ("No", "Yes"), "fr": ("Non", "Oui")}[lang][value]
    if isinstance(value, int):
        return _number(value, 0, lang)
    if isinstance(value, float):
        text = repr(value).removesuffix(".0")  # a whole float shows as a whole number
        return text.replace(".", ",") if lang == "fr" else text
    return "–" if value is None else str(value)


def _text(page: str, name: str) -> str:
    """The text of the element whose id is ``name``."""
    found = re.search(rf'id="{name}"[^>]*>([^<]*)<', page)
    assert found, name
    return html.unescape(found.group(1))


def _pairs(page: str, pattern: str) -> dict[str, str]:
    return {a: b for a, b, *_ in _cells(page, pattern)}


def _cells(page: str, pattern: str) -> list[tuple[str, ...]]:
    return [tuple(html.unescape(g).strip() for g in m) for m in re.findall(pattern, page, re.S)]


# -- the review --------------------------------------------------------------------------
def _review_rows(page: str) -> dict[int, dict[str, str]]:
    """Each review row's fields as shown: row number -> role -> text."""
    shown: dict[int, dict[str, str]] = {}
    for row, body in re.findall(
        r'data-row="(\d+)" id="review-row-\d+"[^>]*>(.*?)</table>', page, re.S
    ):
        shown[int(row)] = {
            role: html.unescape(text)
            for role, text in re.findall(
                r'data-role="(\w+)">.*?<td class="review-field-value">([^<]*)</td>', body, re.S
            )
        }
    return shown


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_each_row_shows_the_transactions_own_fields(world: World, lang: str) -> None:
    prediction = predict(world.api, world.services, world.model_id, world.batch)["id"]
    page = world.client.get(f"/predictions/{prediction}/review", headers=EN if lang == "en" else FR)
    assert page.status_code == 200
    shown = _review_rows(page.text)
    assert len(shown) >= 4, "too few flagged rows to review"
    source = list(csv.DictReader(io.StringIO(world.batch.decode())))
    for row, fields in shown.items():
        record = source[row - 1]
        assert fields == {
            "amount": _number(float(record["amount"]), 2, lang),
            "time": _wall_clock(record["timestamp"], lang),
            "customer": record["customer_id"],
            "counterparty": record["terminal_id"],
        }, row
    label = {"en": "Merchant or terminal", "fr": "Commerçant ou terminal"}[lang]
    assert f'{label} <span class="muted" translate="no">(terminal_id)</span>' in page.text


def test_the_risk_filters_keep_their_own_place_and_count(world: World) -> None:
    prediction = predict(world.api, world.services, world.model_id, world.batch)["id"]
    top = world.api.get(f"/api/predictions/{prediction}", params={"top": 500}).json()["top"]
    by_level: dict[str, list[int]] = {}
    for r in top:
        by_level.setdefault(r["risk_level"], []).append(r["row"])
    flagged = [r["row"] for r in top if r["risk_level"] in ("high", "critical")]
    assert by_level.get("critical") and by_level.get("medium"), "the file needs both levels"
    url = f"/predictions/{prediction}/review"
    first = by_level["critical"][0]
    world.api.post(
        f"/api/predictions/{prediction}/feedback", json={"labels": [{"row": first, "label": 1}]}
    )
    expected = {
        "flagged": len(flagged) - 1,
        "critical": len(by_level["critical"]) - 1,
        "high": len(by_level.get("high", [])),
        "medium": len(by_level["medium"]),
    }
    names = {"critical": "Critical", "high": "High", "medium": "Medium (under the threshold)"}
    for risk in ("critical", "high", "medium"):
        rows = by_level.get(risk, [])
        page = world.client.get(url, params={"risk": risk}, headers=EN).text
        assert [int(r) for r in re.findall(r'class="review-row" data-row="(\d+)"', page)] == rows
        links = _pairs(page, r'id="review-filter-(\w+)"[^>]*>[^<]*?\(([^()]*) left\)</a>')
        assert links == {k: str(v) for k, v in expected.items()}
        assert f'aria-current="page">{names[risk]} (' in page
        # each filter stands on its own first undecided row
        open_rows = [r for r in rows if r != first]
        visible = re.findall(r'class="review-row" data-row="(\d+)"[^>]*?(?<! hidden)>', page)
        assert [int(v) for v in visible] == open_rows[:1]
    french = world.client.get(url, params={"risk": "medium"}, headers=FR).text
    assert f"Moyennes (sous le seuil) (À revoir\u00a0: {expected['medium']})" in french


@pytest.mark.parametrize(
    ("headers", "said"),
    [
        (EN, "there is no risk filter 'urgent': the review filters by flagged, critical"),
        (FR, "Il n’y a pas de filtre de risque « urgent » : la revue filtre par flagged"),
    ],
)
def test_an_unknown_risk_filter_is_refused_in_words(
    world: World, headers: dict[str, str], said: str
) -> None:
    prediction = predict(world.api, world.services, world.model_id, world.batch)["id"]
    answer = world.client.get(
        f"/predictions/{prediction}/review",
        params={"risk": "urgent"},
        headers={**headers, "Accept": "text/html"},
    )
    assert answer.status_code == 400
    assert said in html.unescape(answer.text).replace("\u00a0", " ")


def _all_decisions_of(world: World, model: str) -> int:
    """Every decision on every prediction of ``model``, counted from the API."""
    listed = world.api.get("/api/predictions", params={"per_page": 100}).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    return sum(
        len(world.api.get(f"/api/predictions/{p['id']}/feedback").json()["labels"])
        for p in items
        if p["model_name"] == model
    )


def test_retrain_is_offered_at_the_end_while_the_plan_allows_it(world: World) -> None:
    prediction = predict(world.api, world.services, world.model_id, world.batch)["id"]
    url = f"/predictions/{prediction}/review"
    rows = [
        int(r)
        for r in re.findall(r'class="review-row" data-row="(\d+)"', world.client.get(url).text)
    ]
    labels = [{"row": r, "label": i % 2} for i, r in enumerate(rows)]
    world.api.post(f"/api/predictions/{prediction}/feedback", json={"labels": labels})
    total = _all_decisions_of(world, "cards")
    assert total >= len(rows)
    for headers, words in (
        (EN, "Retrain with {} decisions"),
        (FR, "Réentraîner avec {} décisions"),
    ):
        page = world.client.get(url, headers=headers).text
        assert '<div id="review-done">' in page
        button = re.search(r'id="review-retrain" data-decisions="(\d+)">([^<]*)<', page)
        assert button and int(button.group(1)) == total
        assert html.unescape(button.group(2)) == words.format(
            _number(total, 0, "en" if headers is EN else "fr")
        )
    model_page = world.client.get(f"/models/{world.model_id}").text
    assert re.search(rf'id="retrain" data-decisions="{total}">Retrain with', model_page)

    # The retraining from the review's button: its job names the model and the decisions.
    form = world.client.get(url).text
    action = re.search(r'<form method="post" action="([^"]+)" id="review-retrain-form">', form)
    assert action
    answer = world.client.post(
        action.group(1), data={"csrf_token": csrf_of(form)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    job_url = answer.headers["location"]
    run_jobs(world.services)
    job = world.api.get(f"/api{job_url}").json()
    assert job["state"] == "succeeded", job
    assert job["result"]["feedback_rows"] == total and job["result"]["feedback_skipped"] == 0
    for headers, words in ((EN, "Retrained with {} analyst decisions."),
                           (FR, "Réentraîné avec {} décisions d’analystes.")):  # fmt: skip
        page = world.client.get(job_url, headers=headers).text
        lang = "en" if headers is EN else "fr"
        shown = re.search(r'<p id="job-retrain">([^<]*)</p>', page)
        assert shown and html.unescape(shown.group(1)) == words.format(_number(total, 0, lang))
        title = re.search(r"<title>([^<]*)</title>", page)
        assert title and f"cards {job['result']['version']}" in title.group(1)

    # The plan ends: nothing offered, and the page says why before any click.
    engine = parts(world.services).engine
    from sqlalchemy import update

    from entrepot.catalog.accounts.tables import LicenceRow

    with engine.begin() as connection:
        connection.execute(
            update(LicenceRow)
            .where(LicenceRow.user_id == world.api.user_id)
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )
    try:
        for headers, words in ((EN, "Retraining is not offered:"),
                               (FR, "Réentraînement non proposé\u00a0:")):  # fmt: skip
            page = world.client.get(url, headers=headers).text
            assert 'id="review-retrain"' not in page
            why = re.search(r'id="review-retrain-why">([^<]*)<', page)
            assert why and html.unescape(why.group(1)).startswith(words), why
            model_page = world.client.get(f"/models/{world.model_id}", headers=headers).text
            assert 'id="retrain"' not in model_page and 'id="retrain-why"' in model_page
    finally:
        with engine.begin() as connection:
            connection.execute(
                update(LicenceRow)
                .where(LicenceRow.user_id == world.api.user_id)
                .values(expires_at=datetime.now(UTC) + timedelta(days=14))
            )


# -- job pages ---------------------------------------------------------------------------
def test_a_finished_scoring_job_shows_its_result_and_its_model(world: World) -> None:
    dataset = world.api.upload(world.batch, "batch.csv").json()["dataset_id"]
    job = world.api.post(
        "/api/predict", json={"model_id": world.model_id, "dataset_id": dataset}
    ).json()
    queued = world.client.get(f"/jobs/{job['job_id']}").text
    assert '<span id="job-attempts">0</span>' in queued and 'id="job-message"' in queued
    run_jobs(world.services)
    done = world.api.get(job["status_url"]).json()
    scores = world.api.get(f"/api/predictions/{done['result']['prediction_id']}/download")
    table = list(csv.DictReader(io.StringIO(scores.text)))
    flagged = sum(1 for r in table if r["prediction"] == "1")
    version = world.api.get(f"/api/models/{world.model_id}").json()["version"]
    for headers, lang in ((EN, "en"), (FR, "fr")):
        page = world.client.get(f"/jobs/{job['job_id']}", headers=headers).text
        assert 'id="job-message"' not in page  # no last progress step: the result
        assert _text(page, "job-result-rows") == _number(len(table), 0, lang)
        assert _text(page, "job-result-flagged") == _number(flagged, 0, lang)
        assert f'<span id="job-attempts">{done["attempts"]}</span>' in page
        assert re.search(rf"<h1 id=\"job-title\">[^<]* · cards {version}</h1>", page)
        assert re.search(rf"<title>[^<]* · cards {version} · ", page)


def test_a_finished_training_job_shows_its_model_and_auprc(world: World) -> None:
    dataset = world.api.upload(labelled_csv(900, seed=5), "more.csv").json()["dataset_id"]
    job = world.api.post("/api/train", json={"dataset_id": dataset, "model_name": "spare"}).json()
    run_jobs(world.services)
    done = world.api.get(job["status_url"]).json()
    model_id = done["result"]["model_id"]
    performance = json.loads(
        world.api.get(f"/api/models/{model_id}/files/performance.json").content
    )
    auprc = performance["test"]["auprc"]
    for headers, lang in ((EN, "en"), (FR, "fr")):
        page = world.client.get(f"/jobs/{job['job_id']}", headers=headers).text
        assert _text(page, "job-result-auprc") == _number(auprc, 4, lang)
        model = re.search(r'id="job-result-model"[^>]*>([^<]*)<', page)
        assert model and model.group(1) == f"spare {done['result']['version']}", model
        assert f" · spare {done['result']['version']} · " in page.split("</title>")[0]


# -- the model page ----------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_model_page_shows_the_hyperparameters_and_every_training(
    world: World, lang: str
) -> None:
    headers = EN if lang == "en" else FR
    page = world.client.get(f"/models/{world.model_id}", headers=headers).text
    performance = json.loads(
        world.api.get(f"/api/models/{world.model_id}/files/performance.json").content
    )
    params = performance["model"]["params"]
    shown = _pairs(
        page, r'<th translate="no">([^<]*)</th><td class="param-value"[^>]*>([^<]*)</td>'
    )
    assert shown == {name: _param(value, lang) for name, value in params.items()}
    learner = re.search(r'id="params-learner">([^<]*)<', page)
    assert learner and learner.group(1) == performance["model"]["kind"]

    versions = [m for m in world.api.get("/api/models").json() if m["name"] == "cards"]
    assert len(versions) >= 1
    rows = _cells(
        page,
        r'<tr data-model="(\d+)".*?class="training-rows"[^>]*>([^<]*)<.*?'
        r'class="training-auprc"[^>]*>([^<]*)<.*?class="training-learner"[^>]*>([^<]*)<',
    )
    newest_first = sorted(versions, key=lambda m: (m["created_at"], m["id"]), reverse=True)
    assert [int(r[0]) for r in rows] == [m["id"] for m in newest_first]
    for (model_id, count, auprc, learner_text), m in zip(rows, newest_first, strict=True):
        assert count == _number(m["metrics"]["labelled_rows"], 0, lang), model_id
        assert auprc == _number(m["metrics"]["auprc"], 4, lang), model_id
        assert learner_text == m["params"]["kind"]
    # keyboard-reachable sort buttons, the sorted column said
    assert page.count('<button type="button" class="link sort"') == 7
    assert 'aria-sort="descending" data-sort-kind="text"><button' in page
