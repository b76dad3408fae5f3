"""The dashboard over a city built from the real Paris exports: in English no French word
of the pipeline (levels, states, impacts, places, alerts, reasons), in French no English
one, never a raw code (``BARRAGE_TOTAL``), an arc id (``Av_Daumesnil``) or a postal code
alone (ADR 0037)."""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.city.kinds import METRIC_TYPES
from entrepot.city_service.service import CityService
from entrepot.i18n.catalogs import read_catalog
from tests.support.dashboard import make_client
from tests.support.real_city import DAYS, STORM, WORKS, real_city

PAGES = ["", "/velos", "/trafic", "/travaux", "/meteo", "/rapport"]
ENGLISH = {"Accept-Language": "en"}


def _words(lang: str, prefix: str = "") -> set[str]:
    """The words of the catalog entries of ``lang`` whose key starts with ``prefix``."""
    found: set[str] = set()
    for message in read_catalog(lang):
        key = message.id if isinstance(message.id, str) else message.id[0]
        if not key or not key.startswith(prefix):
            continue
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            plain = "".join(part for part, *_ in string.Formatter().parse(str(text)))
            found |= {w.lower() for w in re.findall(r"[^\W\d_][\w-]*", plain)}
    return found


#: The pipeline's words (``city.*``, 4 letters or more) in one language that the other
#: language's catalog never uses: what the other language's pages must not show.
#: Each language's own name, which the other language's pages show in the language switch.
LANGUAGE_NAMES = {"français", "english"}
FRENCH_ONLY = {w for w in _words("fr", "city.") - _words("en") if len(w) > 3} - LANGUAGE_NAMES
ENGLISH_ONLY = {w for w in _words("en", "city.") - _words("fr") if len(w) > 3} - LANGUAGE_NAMES


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityService]:
    runtime = real_city(tmp_path_factory.mktemp("real-city"))
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def client(city: CityService) -> TestClient:
    return make_client(city)


def _data(city: CityService, day: date) -> set[str]:
    """The city's own names that day (streets, stations, counters): data, not words."""
    names: set[str] = set()

    def walk(value: Any, field: str = "") -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, key)
        elif isinstance(value, list):
            for item in value:
                walk(item, field)
        elif isinstance(value, str) and field in {"street", "name", "station", "label"}:
            names.add(value)
            names.add(" ".join(value.replace("_", " ").split()))

    for found in city.metrics.find(kinds=METRIC_TYPES, start=day, end=day):
        walk(found.document)
    return names


def _text(page: str, data: set[str]) -> str:
    """The page's visible text with the city's own names taken out, and the report's
    warnings (the checks' notes, in English for the operator: not yet messages)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r'<details class="warnings">.*?</details>', " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def _found(text: str, words: set[str]) -> list[str]:
    return sorted({w for w in re.findall(r"[^\W\d_][\w-]*", text) if w.lower() in words})


def test_the_word_lists_hold_what_each_language_alone_says() -> None:
    assert {"modéré", "saturé", "hors", "chantiers", "pluie", "rafales"} <= FRENCH_ONLY
    assert {"moderate", "saturated", "outside", "roadworks", "rain", "gusts"} <= ENGLISH_ONLY


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("page", PAGES)
def test_no_word_of_the_other_language(
    city: CityService, client: TestClient, day: date, page: str
) -> None:
    data = _data(city, day)
    english = client.get(f"/dashboard/city{page}?date={day}", headers=ENGLISH)
    french = client.get(f"/dashboard/city{page}?date={day}")
    assert english.status_code == french.status_code
    if english.status_code == 404:
        return
    assert english.status_code == 200
    assert _found(_text(english.text, data), FRENCH_ONLY) == []
    assert _found(_text(french.text, data), ENGLISH_ONLY) == []
    for shown in (english.text, french.text):
        assert not re.search(r"\b[A-Z]{3,}_[A-Z_]+\b", _text(shown, data))  # BARRAGE_TOTAL
        assert not re.search(r"<td[^>]*>\s*750\d\d\s*</td>", shown)  # a postal code alone
        assert not re.search(r"<td[^>]*>\s*[^<\s]+_[^<\s]+\s*</td>", shown)  # Av_Daumesnil


def test_places_arcs_and_impacts_named_in_each_language(client: TestClient) -> None:
    works = f"/dashboard/city/travaux?date={WORKS}"
    english, french = client.get(works, headers=ENGLISH).text, client.get(works).text
    assert re.search(r"<td[^>]*>\d+(st|nd|rd|th) arrondissement</td>", english)
    assert re.search(r"<td[^>]*>Paris \d+(er|e)</td>", french)
    assert "full closure" in english and "barrage total" in french
    report = f"/dashboard/city/rapport?date={WORKS}"
    alerts = client.get(report, headers=ENGLISH).text.split('id="alerts"')[1]
    assert re.search(r"\d+ roadworks?, score [\d.]+, \d+ full closures?", alerts)


def test_a_stormy_day_reads_in_each_language(city: CityService, client: TestClient) -> None:
    weather = city.metrics.require("weather", STORM).document["metrics"]
    assert weather["mobility_impact_level"] == "high"
    page = f"/dashboard/city/meteo?date={STORM}"
    english, french = client.get(page, headers=ENGLISH).text, client.get(page).text
    assert "high (" in english and "fort (" in french
    assert re.search(r"rain \d+ h \([\d.]+ mm\), gusts \d+ km/h", english)
    assert re.search(r"pluie \d+\u00a0h \(\d+(,\d)?\u00a0mm\), rafales \d+\u00a0km/h", french)


def test_the_api_keeps_the_french_text_and_adds_the_messages(client: TestClient) -> None:
    report = client.get(f"/city/report/{WORKS}").json()
    alert = report["alerts"][0]
    assert alert["source"] == "travaux" and alert["source_code"] == "roadworks"
    assert alert["level"] == "critique" and alert["level_code"] == "critical"
    assert re.fullmatch(
        r"\d+ chantier\(s\), score [\d.]+, \d+ barrage\(s\) total\(aux\)", alert["detail"]
    )
    keys = [m["key"] for m in alert["detail_messages"]]
    assert keys == ["city.alert.works", "city.alert.score", "city.alert.closures"]
    counts = [m["params"].get("count") for m in alert["detail_messages"]]
    assert all(isinstance(c, int) for c in (counts[0], counts[2]))
