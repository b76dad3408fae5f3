"""The city dashboard pages through TestClient: French pages, date picker, local charts."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city_service.service import CityService
from entrepot.dashboard.labels import long_date, number, percent
from entrepot.http.assets import asset_url
from entrepot.storage.memory import MemoryStore
from tests.support.dashboard import DAY, figures, make_client

PAGES = {
    "": ("Vue d’ensemble", 2),
    "/velos": ("Vélos", 3),
    "/trafic": ("Trafic routier", 3),
    "/travaux": ("Chantiers perturbants", 2),
    "/meteo": ("Météo", 1),
    "/rapport": ("Rapport quotidien", 0),
}


@pytest.fixture(scope="module")
def client(env: CityService) -> TestClient:
    return make_client(env)


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_in_french_with_its_charts(client: TestClient, page: str) -> None:
    heading, charts = PAGES[page]
    response = client.get(f"/dashboard/city{page}", params={"date": "2025-11-04"})
    assert response.status_code == 200
    html = response.text
    assert '<html lang="fr">' in html
    assert f"{heading} — mardi 4 novembre 2025" in html
    assert 'type="date" id="date" name="date" value="2025-11-04"' in html
    assert 'min="2025-10-28" max="2025-11-04"' in html
    assert "/dashboard/city/trafic?date=2025-11-04" in html
    assert len(figures(html)) == charts
    if charts:
        assert f'<script src="{asset_url("plotly.min.js")}">' in html
    assert "cdn" not in html.lower()


def test_the_last_day_is_the_default(client: TestClient) -> None:
    assert "mardi 4 novembre 2025" in client.get("/dashboard/city/meteo").text


def test_chart_data_comes_from_the_stored_metrics(client: TestClient, env: CityService) -> None:
    traffic = env.metrics.require("traffic", DAY).document["metrics"]
    (hourly, states, zones) = figures(client.get("/dashboard/city/trafic?date=2025-11-04").text)
    assert hourly["data"][0]["y"] == [h["total_flow"] for h in traffic["hourly"]]
    assert sum(states["data"][0]["values"]) == traffic["rows"]
    assert zones["layout"]["xaxis"]["type"] == "category"


def test_the_report_page_links_its_csv_and_compares_weeks(client: TestClient) -> None:
    html = client.get("/dashboard/city/rapport?date=2025-11-04").text
    assert "Évolution sur une semaine" in html and 'id="week-over-week"' in html
    csv = re.search(r'id="csv" href="([^"]+)"', html)
    assert csv is not None
    download = client.get(csv.group(1))
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbfsection;")
    older = client.get("/dashboard/city/rapport?date=2025-10-28").text
    assert "Pas de données pour le même jour de la semaine précédente." in older


def test_a_day_without_data_is_a_french_404(client: TestClient) -> None:
    response = client.get("/dashboard/city/velos?date=2025-11-01")
    assert response.status_code == 404
    assert "Aucune donnée pour le samedi 1er novembre 2025." in response.text
    assert 'href="?date=2025-11-04"' in response.text


def test_a_bad_date_is_a_french_400(client: TestClient) -> None:
    response = client.get("/dashboard/city/trafic?date=2025-02-30")
    assert response.status_code == 400
    assert "«\u00a02025-02-30\u00a0» n’est pas une date" in response.text


def test_no_data_at_all(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(engine)
    client = make_client(CityService(MemoryStore(), engine=engine))
    readme = Path(__file__).parents[3].joinpath("README.md").read_text(encoding="utf-8")
    for lang, title in (("fr", "Pas encore de données sur la ville"), ("en", "No city data yet")):
        response = client.get("/dashboard/", headers={"Accept-Language": lang})
        assert response.status_code == 200  # was 404: the page says how to load data
        assert title in response.text
        steps = re.findall(r"<code>(entrepot city [^<]+)</code>", response.text)
        assert [s.split()[2] for s in steps] == ["generate", "import", "run"]
        for step in steps:  # the commands the README gives
            assert step.split("…")[0].split(" --")[0] in readme
    engine.dispose()


def test_plotly_is_served_from_the_package(client: TestClient) -> None:
    response = client.get(asset_url("plotly.min.js"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert len(response.content) > 1_000_000
    assert b"plotly.js v" in response.content[:2000]


def test_stored_text_is_escaped(env: CityService, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    runtime = CityService(env.store, engine=engine)
    document = env.metrics.require("traffic", DAY).document
    evil = "</script><script>alert(1)</script>"
    document["metrics"]["top_arcs"][0]["label"] = evil
    document["metrics"]["by_arrondissement"][0]["arrondissement"] = evil
    runtime.metrics.put("traffic", DAY, document)
    html = make_client(runtime).get("/dashboard/city/trafic?date=2025-11-04").text
    assert evil not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    assert "\\u003c/script\\u003e" in html
    assert "<script>" not in html  # no inline script: the site's CSP forbids them
    engine.dispose()


def test_french_formatting() -> None:
    assert long_date(date(2025, 11, 4)) == "mardi 4 novembre 2025"
    assert number(490435.0, 1) == "490\u202f435"
    assert number(12.25, 1) == "12,2"
    assert number(None) == "—"
    assert percent(-53.24) == "-53,2\u202f%"
    assert percent(None) == "—"


def test_the_readmes_address_leads_to_the_overview(client: TestClient) -> None:
    answer = client.get("/dashboard/", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "/dashboard/city"
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    ("address", "unknown", "accepted"),
    [
        ("/dashboard/city/velos?day=2025-11-04", "day", "date"),
        ("/dashboard/city?date=2025-11-04&zoom=2", "zoom", "date"),
        ("/dashboard/city/periode?start=2025-10-28", "start", "from, to"),
        ("/dashboard/city/carte?until=2025-11-04", "until", "from, to"),
    ],
)
def test_an_unknown_parameter_is_a_french_400_naming_the_accepted_ones(
    client: TestClient, address: str, unknown: str, accepted: str
) -> None:
    """Issue 44 item 5: ``?day=`` showed the last day without a word."""
    response = client.get(address)
    assert response.status_code == 400
    assert f"cette page ne prend pas {unknown}\u00a0: ses paramètres sont {accepted}" in (
        response.text
    )


def test_the_declared_parameters_still_show_the_page(client: TestClient) -> None:
    assert client.get("/dashboard/city/periode?from=2025-10-28&to=2025-11-04").status_code == 200
