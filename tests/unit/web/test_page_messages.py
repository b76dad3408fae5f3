"""The engine's messages on the pages, in the page's language and its number formats: a
dataset's reasons, a prediction's explanations, a job's progress and failure, the audit
log; and what an earlier release stored as plain sentences, shown as it is."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from entrepot.bootstrap.app import App
from entrepot.catalog.engine import make_engine
from entrepot.catalog.jobs.tables import JobRow
from entrepot.catalog.workspace.tables import DatasetRow, PredictionRow
from entrepot.messages import Message, Number
from tests.support.analyst import scored_admin
from tests.support.parts import parts
from tests.support.web import make_web_app, sign_in

NNBSP, NBSP = "\u202f", "\u00a0"
World = tuple[TestClient, App, dict[str, Any]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("messages")
    app, services = make_web_app(folder)
    with TestClient(app, raise_server_exceptions=False) as client:
        api, model_id, found = scored_admin(client, services)
        user = services.accounts.find(str(api.user_id))
        services.admin.create_licences(user, "basic", days=1200)
        sign_in(client, "root@example.com")
        catalog = make_engine(f"sqlite:///{folder / 'catalog.db'}")
        yield (
            client,
            services,
            {"user": user.id, "prediction": found, "catalog": catalog, "model": model_id},
        )
        catalog.dispose()


def _page(client: TestClient, lang: str, path: str) -> str:
    client.get(f"/lang/{lang}")
    return html.unescape(client.get(path, headers={"Accept": "text/html"}).text)


def _french(number: str) -> str:
    """An English number (``1,048.80``) as French writes it (``1 048,80``)."""
    return number.replace(",", NNBSP).replace(".", ",")


def _job(services: App, owner: int) -> str:
    with parts(services).uow() as uow:
        job = services.jobs.record(uow, owner_id=owner, kind="train", params={})
        uow.commit()
    with parts(services).uow() as uow:
        uow.jobs.claim(job.id, "w1", datetime.now(UTC))
        uow.commit()
    return job.id


def test_a_datasets_reasons_in_each_language(world: World) -> None:
    client, _, ids = world
    dataset = ids["prediction"]["dataset_id"]
    answer = client.get(f"/api/datasets/{dataset}").json()
    columns = answer["analysis"]["columns"]
    assert all(c["reason_message"]["key"].startswith("reason.") for c in columns)
    english, french = (_page(client, lang, f"/datasets/{dataset}") for lang in ("en", "fr"))
    label = next(c for c in columns if c["role"] == "target")
    assert label["reason"] == "the fraud label" and "the fraud label" in english
    assert "l’étiquette de fraude" in french and "the fraud label" not in french


def test_a_datasets_column_types_in_words(world: World) -> None:
    """Issue 44 item 7: "whole number", "date and time", never ``int64`` or
    ``datetime64[ns]`` (the library's name stays in the cell's title)."""
    client, _, ids = world
    dataset = ids["prediction"]["dataset_id"]
    columns = client.get(f"/api/datasets/{dataset}").json()["analysis"]["columns"]
    english, french = (_page(client, lang, f"/datasets/{dataset}") for lang in ("en", "fr"))
    words = {
        "int": ("whole number", "nombre entier"),
        "float": ("decimal number", "nombre décimal"),
    }
    seen = 0
    for column in columns:
        for start, (en, fr) in words.items():
            if column["dtype"].startswith(start):
                cell = f'<td title="{column["dtype"]}">'
                assert f"{cell}{en}</td>" in english and f"{cell}{fr}</td>" in french
                seen += 1
    assert seen >= 2, "the dataset has numbers to show"
    assert not re.search(r"<td>(int|float)\d\d</td>", english)


def test_a_predictions_explanations_in_french_numbers(world: World) -> None:
    client, _, ids = world
    found = ids["prediction"]
    top = next(r for r in found["top"] if re.search(r"\d\.\d", r["explanation"]))
    assert top["explanation_parts"] and top["explanation_parts"][0]["key"].startswith(
        "explanation."
    )
    english = _page(client, "en", f"/predictions/{found['id']}")
    french = _page(client, "fr", f"/predictions/{found['id']}")
    assert top["explanation"] in english and top["explanation"] not in french
    cell = next(
        c for c in re.findall(r"<td>([^<]*)</td>", french) if c.startswith(top["explanation"][:3])
    )
    for number in re.findall(r"\d[\d,]*\.\d+", top["explanation"]):
        assert _french(number) in cell, (number, cell)


def test_a_jobs_progress_and_failure_in_each_language(world: World) -> None:
    client, services, ids = world
    running = _job(services, ids["user"])
    said = Message("progress.features", {"count": 1048, "seconds": Number(1048.8, 1)})
    with parts(services).uow() as uow:
        uow.jobs.beat(running, "w1", datetime.now(UTC), progress=0.5, message=said)
        uow.commit()
    french = _page(client, "fr", f"/jobs/{running}")
    assert f"1{NNBSP}048 variables construites en 1{NNBSP}048,8{NBSP}s" in french
    status = client.get(f"/jobs/{running}/status").json()
    assert status["message"] == f"1{NNBSP}048 variables construites en 1{NNBSP}048,8{NBSP}s"
    english = _page(client, "en", f"/jobs/{running}")
    assert "1,048 features built in 1,048.8 s" in english
    api = client.get(f"/api/jobs/{running}").json()
    assert api["message"] == "1,048 features built in 1,048.8 s"
    assert api["message_key"] == "progress.features"
    assert api["message_params"] == {"count": 1048, "seconds": {"number": 1048.8, "digits": 1}}

    crashed = _job(services, ids["user"])
    with parts(services).uow() as uow:
        failure = Message("error.job_crashed", {"error": "KeyError", "job": crashed})
        uow.jobs.fail(crashed, "w1", datetime.now(UTC), failure, "internal_error")
        uow.commit()
    french = _page(client, "fr", f"/jobs/{crashed}")
    assert f"erreur interne (KeyError){NNBSP}; les administrateurs" in french
    assert "internal error (KeyError)" in _page(client, "en", f"/jobs/{crashed}")
    api = client.get(f"/api/jobs/{crashed}").json()
    assert api["error"].startswith("internal error (KeyError)")
    assert api["error_key"] == "error.job_crashed" and api["error_params"]["job"] == crashed


def test_what_an_earlier_release_stored_shows_as_it_is(world: World) -> None:
    """Plain sentences, written before messages were data: shown, never parsed."""
    client, services, ids = world
    old = _job(services, ids["user"])
    sentence = "2000 rows, 1 frauds; time split"
    dataset = ids["prediction"]["dataset_id"]
    with parts(services).uow() as uow:
        uow.jobs.beat(old, "w1", datetime.now(UTC), progress=0.5)
        uow.commit()
    catalog: Engine = ids["catalog"]
    where = PredictionRow.id == ids["prediction"]["id"]
    with catalog.begin() as sql:
        kept_analysis = sql.scalars(
            select(DatasetRow.analysis).where(DatasetRow.id == dataset)
        ).one()
        kept_summary = sql.scalars(select(PredictionRow.summary).where(where)).one()
    try:
        _store_old_sentences(catalog, old, sentence, dataset, where)
        assert sentence in _page(client, "fr", f"/jobs/{old}")
        french = _page(client, "fr", f"/datasets/{dataset}")
        assert "an old warning, as it was written" in french and "old is_fraud" in french
        assert "old 1,5" in _page(client, "fr", f"/predictions/{ids['prediction']['id']}")
    finally:  # the module's other tests read the same rows, in any order
        with catalog.begin() as sql:
            sql.execute(
                update(DatasetRow).where(DatasetRow.id == dataset).values(analysis=kept_analysis)
            )
            sql.execute(update(PredictionRow).where(where).values(summary=kept_summary))


def _store_old_sentences(
    catalog: Engine, old: str, sentence: str, dataset: Any, where: Any
) -> None:
    """Rewrite a job, a dataset and a prediction as an earlier release stored them."""
    with catalog.begin() as sql:
        sql.execute(update(JobRow).where(JobRow.id == old).values(message=sentence))
        analysis = dict(
            sql.scalars(select(DatasetRow.analysis).where(DatasetRow.id == dataset)).one()
        )
        analysis["warnings"] = ["an old warning, as it was written"]
        analysis.pop("warning_messages", None)
        analysis["columns"] = [
            {k: v for k, v in c.items() if k != "reason_message"} | {"reason": f"old {c['name']}"}
            for c in analysis["columns"]
        ]
        sql.execute(update(DatasetRow).where(DatasetRow.id == dataset).values(analysis=analysis))
        summary = dict(sql.scalars(select(PredictionRow.summary).where(where)).one())
        summary["top"] = [
            {k: v for k, v in r.items() if k != "explanation_parts"} | {"explanation": "old 1,5"}
            for r in summary["top"]
        ]
        sql.execute(update(PredictionRow).where(where).values(summary=summary))


def _card_section(page: str) -> str:
    return page[
        page.index('id="model-card"') : page.index("</section>", page.index('id="model-card"'))
    ]


def test_a_models_card_in_each_language(world: World) -> None:
    """The card of the trained model: the out-of-time AUPRC and its interval first, then
    validation, the threshold's precision and alerts a day, card precision@k per day, the
    protocol and the suspected leaks, in the page's words and numbers."""
    client, services, ids = world
    detail = services.fraud().models.get(ids["user"], ids["model"], "en")
    card = detail.performance["card"]
    head, interval = card["headline"], card["headline"]["interval"]
    assert card["protocol"]["split"] == "time" and head["out_of_time"] and interval
    english = _card_section(_page(client, "en", f"/models/{ids['model']}"))
    french = _card_section(_page(client, "fr", f"/models/{ids['model']}"))
    low, high = f"{interval['low']:.3f}", f"{interval['high']:.3f}"
    assert "What scoring will deliver" in english and "Out-of-time AUPRC (test period)" in english
    value = f"{head['value']:.3f}"
    assert f"<strong>{value}</strong>" in english
    assert f"95% interval: {low} to {high}" in english
    assert "Ce que donnera le score" in french and "AUPRC hors période (période de test)" in french
    assert f"<strong>{_french(value)}</strong>" in french
    assert f"intervalle à 95{NNBSP}%{NBSP}: de {_french(low)} à {_french(high)}" in french
    validation = f"{card['validation']['value']:.3f}"
    assert validation in english and _french(validation) in french
    assert "AUPRC de validation" in french and "Validation AUPRC" in english
    per_day = card["at_threshold"]["alerts_per_day"]
    assert f"Alerts a day</th><td>{per_day:,.1f}<" in english
    assert f"Alertes par jour</th><td>{_french(f'{per_day:,.1f}')}<" in french
    review = card["review"]
    assert f"Card precision@{review['cards_per_day']} a day" in english
    assert f"Précision des cartes@{review['cards_per_day']} par jour" in french
    assert f"Days in the test period</th><td>{review['days']}<" in english
    protocol = card["protocol"]
    gap = protocol["gap_rows"]
    assert "time</td>" in english and "chronologique</td>" in french
    assert f"<code>{protocol['time_order']}</code> (horodatage)" in french
    assert "7 days" in english and "7 jours" in french
    assert f"{gap:,} rows" in english and f"{_french(f'{gap:,}')} lignes" in french
    assert "Suspected leaks" in english and "Fuites suspectées" in french
    assert "aucune" in french
    assert not [w for w in ("Suspected", "Out-of-time", "Alerts", " days") if w in french]


def test_a_models_card_names_its_suspected_leaks_with_numbers_as_integers(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, services, ids = world
    read = services.fraud().models.get

    def with_leaks(user_id: int, model_id: int, lang: str) -> Any:
        detail = read(user_id, model_id, lang)
        card = dict(detail.performance["card"])
        card["suspected_leaks"] = [
            {"column": "chargeback", "auprc": 0.9987, "kept": False},
            {"column": "review_score", "auprc": 1.0, "kept": True},
        ]
        card["review"] = {**card["review"], "cards_per_day": 1200, "days": 1048}
        card["protocol"] = {**card["protocol"], "gap_rows": 12345, "label_delay_days": 1}
        return replace(detail, performance={**detail.performance, "card": card})

    monkeypatch.setattr(services.fraud().models, "get", with_leaks)
    english = _card_section(_page(client, "en", f"/models/{ids['model']}"))
    french = _card_section(_page(client, "fr", f"/models/{ids['model']}"))
    assert "<code>chargeback</code> · AUPRC alone 0.999 · left out" in english
    assert "<code>review_score</code> · AUPRC alone 1.000 · kept as asked" in english
    assert "<code>chargeback</code> · AUPRC à elle seule 0,999 · écartée" in french
    assert "<code>review_score</code> · AUPRC à elle seule 1,000 · gardée à la demande" in french
    assert "Card precision@1,200 a day (the 1,200 riskiest cards each day)" in english
    assert f"Précision des cartes@1{NNBSP}200 par jour (les 1{NNBSP}200 cartes" in french
    assert "Days in the test period</th><td>1,048<" in english
    assert f"Jours de la période de test</th><td>1{NNBSP}048<" in french
    assert "12,345 rows" in english and f"12{NNBSP}345 lignes" in french
    assert "1 day<" in english and "1 jour<" in french
    assert "aucune" not in french


def test_the_audit_log_in_each_language(world: World) -> None:
    client, _, _ = world
    french = _page(client, "fr", "/admin/audit")
    assert "licence créée" in french and f"jours{NBSP}: 1{NNBSP}200" in french
    english = _page(client, "en", "/admin/audit")
    assert "licence created" in english and "days: 1,200" in english
