"""The dashboard in English and French: the browser's language or the switch chooses,
French by default; page names, labels, chart titles, dates (CLDR), numbers and Plotly's
locale follow."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from entrepot.city.messages import (
    ALERT_CLOSURES,
    ALERT_EMPTY_FOR,
    ALERT_NO_SERVICE,
    ALERT_SCORE,
    ALERT_WORKS,
    REASON_GUSTS,
    REASON_RAIN,
    SUBJECT_WEATHER,
    WORDS,
    Message,
)
from entrepot.city_service.service import CityService
from entrepot.dashboard.labels import alert_row
from entrepot.http.assets import asset_url
from entrepot.i18n import translator
from tests.support.dashboard import figures, make_client

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
#: French words of the dashboard's interface that no English page should show.
FRENCH = {
    "de", "du", "des", "la", "le", "les", "et", "par", "sur", "pour", "jour", "heure",
    "heures", "vélos", "trafic", "météo", "chantiers", "rapport", "alertes", "tronçons",
    "afficher", "aucune", "vue", "ensemble", "moyenne", "véhicules", "vides", "pluie",
    "précédent", "suivant", "graphiques", "niveau", "objet", "détail", "synthèse",
    "indicateur", "valeur", "évolution", "télécharger", "température", "fluide",
    "saturé", "bloqué", "critique", "alerte", "compteurs", "langue", "rafales", "gel",
    "ciel", "clair", "nuageux", "brouillard", "bruine", "neige", "averses", "orage",
}  # fmt: skip
PAGES = ["", "/velos", "/trafic", "/travaux", "/meteo", "/rapport"]


class _Interface(HTMLParser):
    """The interface's own text: headings, labels, table headers, navigation, titles; not
    the cells of tables (the city's data: street names, the report's sentences)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "td", "code"}:
            self._skip.append(tag)
        self.parts.extend(v for k, v in attrs if k in {"title", "aria-label"} and v)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def french_words(html: str) -> list[str]:
    parser = _Interface()
    parser.feed(html)
    words = re.findall(r"[^\W\d_]+", " ".join(parser.parts).replace("Français", ""))
    return sorted({w for w in words if w.lower() in FRENCH})


@pytest.fixture(scope="module")
def client(env: CityService) -> TestClient:
    return make_client(env)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_in_english(client: TestClient, page: str) -> None:
    html = client.get(f"/dashboard/city{page}?date=2025-11-04", headers=ENGLISH).text
    assert '<html lang="en">' in html
    assert "Tuesday, November 4, 2025" in html
    assert french_words(html) == [], page
    assert "plotly-locale" not in html
    for figure in figures(html):
        assert figure["layout"]["separators"] == ".,"
        texts = [figure["layout"]["title"]["text"], *(t.get("name", "") for t in figure["data"])]
        assert not FRENCH & {w.lower() for text in texts for w in re.findall(r"\w+", text)}


def test_chart_titles_states_and_numbers_in_each_language(client: TestClient) -> None:
    english = client.get("/dashboard/city/trafic?date=2025-11-04", headers=ENGLISH).text
    french = client.get("/dashboard/city/trafic?date=2025-11-04").text
    en_hourly, en_states, _ = figures(english)
    fr_hourly, _, _ = figures(french)
    assert en_hourly["layout"]["title"]["text"] == "Road traffic by hour"
    assert fr_hourly["layout"]["title"]["text"] == "Trafic routier par heure"
    assert set(en_states["data"][0]["labels"]) <= {
        "Unknown",
        "Fluid",
        "Dense",
        "Saturated",
        "Blocked",
    }
    assert fr_hourly["layout"]["separators"] == ",\u202f"
    assert re.search(r'class="value">\d{1,3}(,\d{3})+<', english)  # 12,345 vehicles
    assert re.search(r'class="value">\d{1,3}(\u202f\d{3})+<', french)  # 12 345 véhicules


def test_french_by_default_and_plotly_speaks_it(client: TestClient) -> None:
    html = client.get("/dashboard/city/velos?date=2025-11-04").text
    assert '<html lang="fr">' in html and "mardi 4 novembre 2025" in html
    locale = asset_url("plotly-locale-fr.js")
    assert f'<script src="{locale}">' in html
    script = client.get(locale)
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    body = script.text
    assert "Plotly.register" in body and '"name": "fr"' in body
    assert '"janvier"' in body and '"dimanche"' in body and '"decimal": ","' in body
    assert "Réinitialiser les axes" in body


def test_the_switch_keeps_the_choice(env: CityService) -> None:
    client = make_client(env)
    back = "/dashboard/city/meteo?date=2025-11-04"
    switched = client.get("/dashboard/lang/en", params={"next": back}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == back
    html = client.get(back, headers={"Accept-Language": "fr"}).text  # the choice wins
    assert '<html lang="en">' in html and "Weather" in html
    assert '/dashboard/lang/fr?next=/dashboard/city/meteo%3Fdate%3D2025-11-04"' in html
    client.get("/dashboard/lang/fr")
    assert '<html lang="fr">' in client.get(back).text
    elsewhere = client.get("/dashboard/lang/en", params={"next": "https://evil.example/"})
    assert elsewhere.url.path == "/dashboard/city"  # no open redirect


def test_english_messages_for_a_bad_or_missing_day(client: TestClient) -> None:
    bad = client.get("/dashboard/city/trafic?date=2025-02-30", headers=ENGLISH)
    assert bad.status_code == 400 and "“2025-02-30” is not a date" in bad.text
    missing = client.get("/dashboard/city/velos?date=2025-11-01", headers=ENGLISH)
    assert missing.status_code == 404
    assert "No data for Saturday, November 1, 2025." in missing.text


_WORKS = [
    Message(ALERT_WORKS, {"count": 2}),
    Message(ALERT_SCORE, {"score": 12.5}),
    Message(ALERT_CLOSURES, {"count": 1}),
]
_REASONS = [Message(REASON_RAIN, {"hours": 3, "mm": 2.5}), Message(REASON_GUSTS, {"gust": 60})]


@pytest.mark.parametrize(
    ("stored", "english", "french"),
    [
        (
            _WORKS,
            "2 roadworks, score 12.5, 1 full closure",
            "2 chantiers, score 12,5, 1 barrage total",
        ),
        (
            [Message(ALERT_NO_SERVICE, {"count": 1})],
            "1 disruption without service",
            "1 perturbation sans service",
        ),
        ([Message(ALERT_EMPTY_FOR, {"hours": 4})], "empty for 4 h", "vide pendant 4\u00a0h"),
        (
            [Message(SUBJECT_WEATHER, {"level": Message(WORDS["impact"]["high"])})],
            "high impact on mobility",
            "impact fort sur la mobilité",
        ),
        (
            _REASONS,
            "rain 3 h (2.5 mm), gusts 60 km/h",
            "pluie 3\u00a0h (2,5\u00a0mm), rafales 60\u00a0km/h",
        ),
    ],
)  # fmt: skip
def test_the_reports_alerts_read_in_each_language(
    stored: list[Message], english: str, french: str
) -> None:
    alert: dict[str, Any] = {"detail": "as the previous release wrote it"}
    alert["detail_messages"] = [m.to_json() for m in stored]
    assert alert_row(alert, translator("en"))["detail"] == english
    assert alert_row(alert, translator("fr"))["detail"] == french


@pytest.mark.parametrize(
    "stored",
    [
        "2 chantier(s), score 12.5, 1 barrage(s) total(aux)",
        "pluie 3 h (2.5 mm), rafales 60 km/h",
        "impact fort sur la mobilité",
        "Rue de Rivoli",
    ],
)
def test_an_alert_of_the_previous_release_is_shown_as_it_is(stored: str) -> None:
    """A document stored before the codes (French sentences only) is never parsed."""
    alert = {"source": "travaux", "level": "critique", "subject": stored, "detail": stored}
    for lang in ("en", "fr"):
        row = alert_row(alert, translator(lang))
        assert row == {
            "source": "travaux",
            "class": "critique",
            "level": "critique",
            "subject": stored,
            "detail": stored,
        }


def test_the_alerts_table_in_english(client: TestClient) -> None:
    html = client.get("/dashboard/city/rapport?date=2025-11-04", headers=ENGLISH).text
    alerts = html.split('id="alerts"')[1].split("</table>")[0]
    assert "(s)" not in alerts and "saturé" not in alerts and "vide pendant" not in alerts


@pytest.mark.parametrize("page", ["/periode", "/carte"])
def test_the_period_and_map_pages_in_english(client: TestClient, page: str) -> None:
    html = client.get(f"/dashboard/city{page}?to=2025-11-04", headers=ENGLISH).text
    assert '<html lang="en">' in html
    assert "October 29, 2025 to November 4, 2025" in html
    assert "<legend>Period shown</legend>" in html and "Fraud detection</a>" in html
    assert french_words(html) == [], page
    for figure in figures(html):
        assert figure["layout"]["separators"] == ".,"
        names = [t.get("name", "") for t in figure["data"]]
        assert not FRENCH & {w.lower() for name in names for w in re.findall(r"\w+", name)}
    next_page = quote(f"/dashboard/city{page}?to=2025-11-04", safe="/")
    assert f'/dashboard/lang/fr?next={next_page}"' in html  # the switch keeps the period


def test_the_period_page_in_each_language(client: TestClient) -> None:
    query = "/dashboard/city/periode?from=2025-11-01&to=2025-11-04"
    english, french = client.get(query, headers=ENGLISH).text, client.get(query).text
    assert "<title>Period · City flows · Entrepôt</title>" in english
    assert "Period from November 1, 2025 to November 4, 2025" in english
    assert "<title>Période · Flux urbains · Entrepôt</title>" in french
    assert "Période du 1er novembre 2025 au 4 novembre 2025" in french
    assert "Vehicles counted" in english and "Véhicules comptés" in french
    en_days = re.search(r'id="coverage">\s*(\d+) of 4 days? ha(s|ve) data\.', english)
    fr_days = re.search(r'id="coverage">\s*(\d+) jours? sur 4 (a|ont) des données\.', french)
    assert en_days is not None and fr_days is not None
    assert (en_days.group(2) == "s") == (int(en_days.group(1)) == 1)  # 1 day has, 4 days have
    assert (fr_days.group(2) == "a") == (int(fr_days.group(1)) <= 1)
    assert figures(english)[0]["layout"]["title"]["text"] == "Road traffic per day"
    assert figures(french)[0]["layout"]["title"]["text"] == "Trafic routier par jour"
    bad = client.get("/dashboard/city/periode?from=2025-13-01", headers=ENGLISH)
    assert bad.status_code == 400 and "“2025-13-01” is not a date" in bad.text


def test_the_map_page_in_each_language(client: TestClient) -> None:
    query = "/dashboard/city/carte?from=2025-11-01&to=2025-11-04"
    english, french = client.get(query, headers=ENGLISH).text, client.get(query).text
    assert "Map of Paris from November 1, 2025 to November 4, 2025" in english
    assert "Carte de Paris du 1er novembre 2025 au 4 novembre 2025" in french
    assert "Most congested arrondissements" in english
    assert "Arrondissements les plus congestionnés" in french
    assert re.search(r'<th scope="row">\d+(st|nd|rd|th) \(750\d\d\)</th>', english)
    assert re.search(r'<th scope="row">\d+(er|e) \(750\d\d\)</th>', french)
    (en_map,), (fr_map,) = figures(english), figures(french)
    en_names = {t.get("name") for t in en_map["data"]}
    fr_names = {t.get("name") for t in fr_map["data"]}
    assert {"1st", "2nd", "3rd", "11th"} <= en_names and {"1er", "2e", "11e"} <= fr_names
    assert "Roadworks" in en_names and "Chantiers" in fr_names
