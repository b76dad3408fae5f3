"""The period and map pages through TestClient: the range form, key figures with their
change, trends, bad ranges, and the map with its text alternative."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city import layout
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city_service.service import CityService
from entrepot.dashboard.labels import percent, signed
from entrepot.storage.memory import MemoryStore
from tests.support.dashboard import make_client

FIRST, LAST = date(2025, 10, 22), date(2025, 11, 4)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityService]:
    store = MemoryStore("city-periods")
    generate(
        store,
        GenerateOptions(
            start=FIRST, days=len(DAYS), arcs=30, stations=10, counters=3, roadworks=40
        ),
    )
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('periods') / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    assert not runtime.runner().run(DAYS).failed
    yield runtime
    engine.dispose()


@pytest.fixture(scope="module")
def client(env: CityService) -> TestClient:
    return make_client(env)


def figures(html: str) -> list[Any]:
    match = re.search(r'<script type="application/json" id="city-figures">(.*?)</script>', html)
    return [] if match is None else [f["spec"] for f in json.loads(match.group(1))]


def summary(env: CityService, day: date) -> dict[str, Any]:
    found: dict[str, Any] = env.metrics.require("report", day).document["summary"]
    return found


def card(html: str, key: str) -> str:
    match = re.search(rf'<div class="card" data-metric="{key}">(.*?)</div>\s*</div>', html, re.S)
    assert match is not None, key
    return re.sub(r"[ \n]+", " ", match.group(1))


def test_the_last_week_by_default_with_a_labelled_range_form(client: TestClient) -> None:
    response = client.get("/dashboard/city/periode")
    assert response.status_code == 200
    html = response.text
    assert "<title>Période · Flux urbains · Entrepôt</title>" in html
    assert "Période du 29 octobre 2025 au 4 novembre 2025" in html
    assert "<legend>Période affichée</legend>" in html
    assert '<label for="from">Du' in html and '<label for="to">Au' in html
    assert 'type="date" id="from" name="from" value="2025-10-29" min="2025-10-22"' in html
    assert 'id="to" name="to" value="2025-11-04"' in html
    assert "7 jours sur 7 ont des données." in html
    assert "Comparée à la période du 22 octobre 2025 au 28 octobre 2025" in html


def test_key_figures_and_their_change_come_from_the_daily_reports(
    client: TestClient, env: CityService
) -> None:
    html = client.get("/dashboard/city/periode?from=2025-10-29&to=2025-11-04").text
    now = sum(summary(env, d)["traffic_vehicles"] for d in DAYS[7:])
    before = sum(summary(env, d)["traffic_vehicles"] for d in DAYS[:7])
    shown = card(html, "traffic_vehicles")
    assert f"{now:,.0f}".replace(",", "\u202f") + " véh." in shown
    assert "contre " + f"{before:,.0f}".replace(",", "\u202f") in shown
    change = round((now - before) / before * 100, 1)
    word, arrow = ("en hausse", "▲") if change > 0 else ("en baisse", "▼")
    assert word in shown and arrow in shown  # words and a sign, not a colour only
    assert f"{word}\u00a0: {percent(change)}" in shown


def test_without_a_previous_period_no_change_is_claimed(client: TestClient) -> None:
    html = client.get("/dashboard/city/periode?from=2025-10-22&to=2025-10-25").text
    assert "Aucune donnée pour la période précédente, du 18 octobre 2025 au 21 octobre 2025" in html
    assert "pas de valeur précédente" in card(html, "bike_counts")
    assert "en hausse" not in html and "en baisse" not in html


def test_unequal_coverage_compares_per_day_and_says_so(
    client: TestClient, env: CityService
) -> None:
    # 23 to 25 October against 20 to 22 October, of which only the 22nd has data
    html = client.get("/dashboard/city/periode?from=2025-10-23&to=2025-10-25").text
    assert (
        "Comparée à la période du 20 octobre 2025 au 22 octobre 2025 (1 jour avec données)" in html
    )
    shown = card(html, "bike_counts")
    now = [summary(env, d)["bike_counts"] for d in DAYS[1:4]]
    change = round(sum(now) / 3 - summary(env, FIRST)["bike_counts"], 1)
    assert f"({signed(change)} par jour)" in shown
    assert "par jour)" not in card(html, "bikes_available_mean")  # a mean compares as is
    assert "les totaux sont comparés par jour." in html
    assert "comparés par jour" not in client.get("/dashboard/city/periode").text


def test_trends_have_one_point_per_day_and_a_table_behind_them(
    client: TestClient, env: CityService
) -> None:
    html = client.get("/dashboard/city/periode?from=2025-10-31&to=2025-11-04").text
    drawn = figures(html)
    assert [f["layout"]["title"]["text"] for f in drawn] == [
        "Trafic routier par jour",
        "Vélos par jour",
        "Chantiers et perturbations par jour",
        "Météo par jour",
    ]
    traffic = drawn[0]["data"][0]
    assert traffic["x"] == [d.isoformat() for d in DAYS[-5:]]
    assert traffic["y"] == [summary(env, d)["traffic_vehicles"] for d in DAYS[-5:]]
    assert drawn[0]["layout"]["xaxis"]["type"] == "date"
    assert 'id="daily-table"' in html and html.count('<th scope="row">') == 5
    assert (
        '<a href="http://testserver/dashboard/city?date=2025-11-01">1er novembre 2025</a>' in html
    )


def test_a_period_partly_outside_the_data_shows_its_coverage(client: TestClient) -> None:
    html = client.get("/dashboard/city/periode?from=2025-11-01&to=2025-11-10").text
    assert "4 jours sur 10 ont des données." in html


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("from=2025-11-04&to=2025-10-29", 400, "La fin (29 octobre 2025) précède le début"),
        ("from=2024-01-01&to=2025-11-04", 400, "Une période compte au plus 366 jours"),
        ("from=2025-13-01", 400, "«\u00a02025-13-01\u00a0» n’est pas une date"),
        ("from=2024-01-01&to=2024-01-31", 404, "Aucune donnée du 1er janvier 2024 au 31 janvier"),
        ("to=2030-01-01", 404, "Les données vont du 22 octobre 2025 au 4 novembre 2025."),
    ],
)
@pytest.mark.parametrize("page", ["periode", "carte"])
def test_bad_ranges_get_a_message_never_a_500(
    client: TestClient, page: str, query: str, status: int, message: str
) -> None:
    response = client.get(f"/dashboard/city/{page}?{query}")
    assert response.status_code == status
    assert '<p class="problem" role="alert">' in response.text and message in response.text
    assert "Traceback" not in response.text


def test_no_data_at_all(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(engine)
    client = make_client(CityService(MemoryStore(), engine=engine))
    for page in ("periode", "carte"):  # was 404: an empty instance says how to load data
        for lang, title in (("fr", "Pas encore de données sur la ville"), ("en", "No city data")):
            response = client.get(f"/dashboard/city/{page}", headers={"Accept-Language": lang})
            assert response.status_code == 200
            assert 'id="how-to-load"' in response.text and title in response.text
            assert '<p class="problem"' not in response.text
            steps = re.findall(r"<code>(entrepot city \w+)", response.text)
            assert [s.split()[2] for s in steps] == ["generate", "import", "run"]
    engine.dispose()


def test_navigation_carries_the_day_or_the_period(client: TestClient) -> None:
    day = client.get("/dashboard/city/trafic?date=2025-11-02").text
    assert "/dashboard/city/periode?to=2025-11-02" in day
    assert "/dashboard/city/carte?to=2025-11-02" in day
    period = client.get("/dashboard/city/periode?from=2025-10-30&to=2025-11-02").text
    assert "/dashboard/city/carte?from=2025-10-30&amp;to=2025-11-02" in period
    assert "/dashboard/city/velos?date=2025-11-02" in period
    assert '<a id="app-link" href="/">Détection de fraude</a>' in period


def test_the_map_draws_every_layer_and_lists_the_top_arrondissements(
    client: TestClient, env: CityService
) -> None:
    html = client.get("/dashboard/city/carte?from=2025-10-29&to=2025-11-04").text
    assert "Carte de Paris du 29 octobre 2025 au 4 novembre 2025" in html
    (drawn,) = figures(html)
    zones = [t for t in drawn["data"] if t.get("fill") == "toself"]
    assert len(zones) == 20
    names = [t.get("name") for t in drawn["data"]]
    assert {"Tronçons comptés", "Stations Vélib’", "Chantiers"} <= set(names)
    assert drawn["layout"]["yaxis"]["scaleanchor"] == "x"
    assert "mapbox" not in json.dumps(drawn) and "tile" not in json.dumps(drawn)
    works = next(t for t in drawn["data"] if t.get("name") == "Chantiers")
    active = env.metrics.require("roadworks", LAST).document["metrics"]["active_works"]
    assert len(works["x"]) == active  # the works active on the period's last day
    congestion: dict[str, int] = {}
    for day in DAYS[7:]:
        rows = env.metrics.require("traffic", day).document["metrics"]["by_arrondissement"]
        for row in rows:
            code = row["arrondissement"]
            congestion[code] = congestion.get(code, 0) + row["congested_hours"]
    worst = max((c for c in congestion if c.startswith("750")), key=lambda c: congestion[c])
    table = re.search(r'<table id="top-zones".*?</table>', html, re.S)
    assert table is not None
    first_row = re.search(
        r'<tbody><tr><th scope="row">([^<]+)</th><td class="num">(\d+)', table.group(0)
    )
    assert first_row is not None
    assert f"({worst})" in first_row.group(1) and int(first_row.group(2)) == congestion[worst]
    darkest = next(t for t in zones if t["name"] == first_row.group(1).split(" ")[0])
    assert darkest["fillcolor"] == "#7f2704"


def test_a_layer_whose_file_is_missing_is_named(env: CityService, tmp_path: Path) -> None:
    store = MemoryStore("no-stations")
    for info in env.store.list(""):
        if not info.key.endswith(layout.STATIONS_JSON):
            store.put(info.key, env.store.get(info.key))
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    runtime.metrics.put("traffic", LAST, env.metrics.require("traffic", LAST).document)
    runtime.metrics.put("report", LAST, env.metrics.require("report", LAST).document)
    html = make_client(runtime).get("/dashboard/city/carte").text
    assert "Absents de la carte" in html and "Stations Vélib’" in html
    (drawn,) = figures(html)
    assert "Stations Vélib’" not in [t.get("name") for t in drawn["data"]]
    engine.dispose()
