"""Every main page in French says nothing in English: home, datasets, a dataset, models, a
model, a prediction, a job, the history, the licence, the profile and the admin pages,
walked with the test client in French (their visible text, titles and labels)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape as html_escape

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.i18n.catalogs import read_catalog
from tests.support.analyst import scored_admin
from tests.support.english import english_words
from tests.support.untranslated import chart_texts, raw_keys, visible_texts
from tests.support.web import PASSWORD, make_web_app, run_jobs, sign_in

World = tuple[TestClient, App, dict[str, object]]
#: The uploaded files' column names: the user's data, shown as they are.
COLUMNS = {"amount", "hour"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("french"))
    with TestClient(app, raise_server_exceptions=False) as client:
        api, model_id, found = scored_admin(client, services)
        dataset_id = api.get("/api/datasets").json()["items"][0]["id"]
        sign_in(client, "root@example.com")
        client.get("/lang/fr")
        job_id = re.findall(r'href="/jobs/([^"]+)"', client.get("/history").text)[0]
        # A scoring that fails: the file has none of the model's inputs.
        odd = api.upload(b"a,b\n1,2\n3,4\n", "odd.csv").json()["dataset_id"]
        failed = api.post("/api/predict", json={"model_id": model_id, "dataset_id": odd}).json()
        run_jobs(services)
        ids = {
            "model": model_id,
            "prediction": found["id"],
            "dataset": dataset_id,
            "job": job_id,
            "failed": failed["job_id"],
        }
        yield client, services, ids


PAGES = [
    "/",
    "/datasets",
    "/datasets/{dataset}",
    "/models",
    "/models/{model}",
    "/predictions/{prediction}",
    "/predictions/{prediction}/review",
    "/jobs/{job}",
    "/jobs/{failed}",
    "/history",
    "/licence",
    "/profile",
    "/admin",
    "/admin/users",
    "/admin/licences",
    "/admin/audit",
    "/nowhere",
    "/jobs/no-such-job",
    "/models/999999",
]


@pytest.mark.parametrize("page", PAGES)
def test_french_pages_show_no_english(world: World, page: str) -> None:
    client, _, ids = world
    response = client.get(page.format(**ids), headers={"Accept": "text/html"})
    assert '<html lang="fr">' in response.text, response.text[:300]
    assert english_words(response.text, allowed=COLUMNS) == [], page


def test_the_trials_table_names_each_model(world: World) -> None:
    """Regression: the table read a ``kind`` the trials do not have and showed "None"."""
    client, _, ids = world
    page = client.get(f"/models/{ids['model']}").text
    trials = page.split('id="trials"')[1].split("</table>")[0]
    models = re.findall(r'<td translate="no">([^<]*)</td>', trials)
    assert models and "None" not in models and "–" not in models
    assert "réglages par défaut" in trials or "ajusté" in trials


def test_the_job_page_follows_its_job_in_french(world: World) -> None:
    client, _, ids = world
    status = client.get(f"/jobs/{ids['job']}/status").json()
    assert status["state"] == "succeeded" and status["id"] == ids["job"]
    assert status["message"] and english_words(status["message"]) == []


def test_the_pages_scripts_read_refusals_in_french(world: World) -> None:
    """The upload form posts to the API with the session cookie: its refusal is French; a
    client with a token that asks for no language keeps the API's English."""
    client, services, _ = world
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/datasets").text)
    assert token is not None
    refused = client.post(
        "/api/upload",
        files={"file": ("notes.txt", b"hello")},
        headers={"X-CSRF-Token": token.group(1), "Accept": "application/json"},
    )
    assert refused.status_code == 422 and refused.json()["code"] == "empty_file"
    said = refused.json()["message"]  # the refusal's own facts, in French (issue 39 item 3)
    assert said.startswith("notes.txt a 1") and "aucune ligne" in said, said
    assert english_words(said) == [], said
    user = services.accounts.register("api@example.com", PASSWORD)
    _, secret = services.accounts.create_token(user.id)
    api = TestClient(client.app, headers={"Authorization": f"Bearer {secret}"})
    answer = api.post("/api/upload", files={"file": ("notes.txt", b"hello")})
    assert answer.status_code == 422 and english_words(answer.json()["message"]) != []


def _in_language(client: TestClient, lang: str, page: str) -> str:
    """``page`` in ``lang``; the module's client is left in French."""
    try:
        client.get(f"/lang/{lang}")
        return client.get(page, headers={"Accept": "text/html"}).text
    finally:
        client.get("/lang/fr")


def _figures(text: str, lang: str) -> list[float]:
    """The numbers a reader sees, read back without the product's formatter: French groups
    thousands with (narrow) no-break spaces and writes a decimal comma."""
    if lang == "fr":
        text = re.sub(r"(?<=\d)[\u202f\u00a0](?=\d{3})", "", text).replace(",", ".")
        found = re.findall(r"\d+(?:\.\d+)?", text)
    else:
        found = re.findall(r"\d[\d,]*(?:\.\d+)?", text.replace(", ", " "))
    return [float(f.replace(",", "")) for f in found]


def _api_figures(param: object) -> float | None:
    if isinstance(param, str) and param.isdigit():  # a category's code, written as it is
        return float(param)
    if isinstance(param, dict) and "number" in param:
        return round(float(param["number"]), int(param["digits"]))
    return float(param) if isinstance(param, int) and not isinstance(param, bool) else None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_explanation_shows_the_apis_figures(world: World, lang: str) -> None:
    """The review page's explanation of each top row: its amount and its ratio to the
    customer's mean are the API's, written in the page's language."""
    client, _, ids = world
    top = client.get(f"/api/predictions/{ids['prediction']}").json()["top"]
    html = _in_language(client, lang, f"/predictions/{ids['prediction']}/review")
    cells = re.findall(r'<td class="explanation">(.*?)</td>', html)
    assert len(cells) >= 5 and len(cells) <= len(top)
    ratios = 0
    for row, cell in zip(top, cells, strict=False):
        text = cell.replace("&#39;", "'")
        for part in row["explanation_parts"]:
            params = part["params"]
            assert params["column"] in text
            if part["key"] == "explanation.ratio":
                ratios += 1
                words = "× this customer's" if lang == "en" else "× la moyenne de ce client"
                assert words in text, text
        shown = _figures(re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "", text), lang)
        expected = [
            x
            for part in row["explanation_parts"]
            for name in ("value", "ratio", "days")
            if name in part["params"]
            and part["params"]["column"] != "timestamp"
            and (x := _api_figures(part["params"][name])) is not None
        ]
        assert sorted(shown) == sorted(expected), (text, row["explanation_parts"])
    assert ratios > 0
    if lang == "fr":
        assert "\u202f; " in html and "; " not in "".join(cells).replace("\u202f; ", "")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_failed_jobs_message_is_in_the_pages_language(world: World, lang: str) -> None:
    """Regression: the history showed a failed job's English error on French pages."""
    client, _, ids = world
    job = client.get(f"/api/jobs/{ids['failed']}").json()
    assert job["state"] == "failed" and job["error_key"] == "error.no_model_input"
    columns = job["error_params"]["columns"].split(", ")
    assert len(columns) >= 3 and job["error_params"]["model"] == "cartes"
    for page in (f"/jobs/{ids['failed']}", "/history"):
        html = _in_language(client, lang, page)
        shown = re.search(r'class="(?:flash error|error-text)"[^>]*>([^<]+)<', html)
        assert shown is not None, page
        text = shown.group(1).replace("&#39;", "'")
        assert "cartes" in text and all(c in text for c in columns), text
        if lang == "fr":
            assert "ne fournit aucune des entrées du modèle cartes\u00a0:" in text
            assert english_words(text, allowed=set(columns)) == []
        else:
            assert text == job["error"]


def _keys() -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in read_catalog("en") if m.id}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_a_raw_key_or_code(world: World, page: str, lang: str) -> None:
    """Issue 42 item 5: every page in both languages, its charts included, shows no message
    key or refusal code as it is (the 404 page showed ``record_not_found``); a French
    page's charts say no English (the admin's showed ``failed``, ``premium``, ``user 2``)."""
    client, _, ids = world
    html = _in_language(client, lang, page.format(**ids))
    assert f'<html lang="{lang}">' in html
    assert raw_keys(html, _keys()) == [], page
    if lang == "fr":
        charts = " ".join(chart_texts(html)).replace("’", "'")
        assert english_words(f"<p>{html_escape(charts)}</p>", allowed=COLUMNS) == [], charts


def test_the_admin_charts_name_states_plans_and_users_in_french(world: World) -> None:
    client, _, _ = world
    charts = chart_texts(client.get("/admin").text)
    assert {"réussie", "échouée"} & {c.lower() for c in charts}, charts
    assert "Essai" in charts and "trial" not in charts and "premium" not in charts
    users = [c for c in charts if c.startswith(("user", "utilisateur"))]
    assert users and all(re.fullmatch(r"utilisateur \d+", u) for u in users), users


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_auprc_and_psi_are_explained(world: World, lang: str) -> None:
    """Each AUPRC, ROC-AUC and PSI a page shows is an abbreviation with its meaning."""
    client, _, ids = world
    meaning = {
        "en": ("area under the precision-recall curve", "population stability index"),
        "fr": ("aire sous la courbe précision-rappel", "indice de stabilité de la population"),
    }[lang]
    pages = ["/models", "/models/{model}", "/history", "/predictions/{prediction}"]
    seen = set()
    for page in pages:
        html = _in_language(client, lang, page.format(**ids))
        # No table heading or cell is the bare abbreviation (alone, or before its figure
        # or its qualifier); a catalog sentence that names it explains it itself.
        bare = re.findall(r"<t[hd][^>]*>(AUPRC|ROC-AUC|PSI)(?:<| \(| \d)", html)
        assert bare == [], (page, bare)
        for name, title in re.findall(r'<abbr title="([^"]+)">([^<]+)</abbr>', html):
            seen.add(title)
            assert name.startswith(title), name
            if title == "AUPRC":
                assert meaning[0] in name, name
            if title == "PSI":
                assert meaning[1] in name, name
    assert {"AUPRC", "ROC-AUC"} <= seen


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_score_buttons_speak_the_pages_language(world: World, lang: str) -> None:
    """ "Scorer" on the French page is English jargon: the French button says what it does."""
    client, _, ids = world
    html = _in_language(client, lang, f"/datasets/{ids['dataset']}")
    text = " ".join(visible_texts(html))
    if lang == "fr":
        assert "Scorer" not in text and "Calculer les scores" in text
    else:
        assert "Score with one of your models" in text and "Calculer" not in text
