"""A day's data-quality warnings beside each chart of that day (issue 24 item 5): a day
whose bikes lost some hours shows, under every bikes chart and the overview's, the
missing hours in the page's language, and a band over each of them on hourly charts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.messages import render
from entrepot.city_service.service import CityService
from entrepot.i18n import translator
from entrepot.storage.memory import MemoryStore
from tests.support.dashboard import figures, make_client

DAY = date(2025, 11, 4)
#: The hours whose bikes partitions the test removes.
LOST = (3, 4, 17)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityService]:
    store = MemoryStore("city-quality")
    generate(store, GenerateOptions(start=DAY, days=1, arcs=8, stations=5, counters=2))
    for hour in LOST:
        store.delete_prefix(f"raw/api/bikes/dt={DAY}/hour={hour:02d}/")
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('q') / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    assert not runtime.runner().run([DAY], ["bikes", "traffic"], report=False).failed
    yield runtime
    engine.dispose()


@pytest.fixture(scope="module")
def client(env: CityService) -> TestClient:
    return make_client(env)


def _hours_left(env: CityService) -> set[int]:
    keys = [i.key for i in env.store.list(f"raw/api/bikes/dt={DAY}/")]
    return {int(re.search(r"hour=(\d\d)", k).group(1)) for k in keys}  # type: ignore[union-attr]


def test_every_bikes_chart_lists_the_missing_hours_in_french(
    env: CityService, client: TestClient
) -> None:
    missing = sorted(set(range(24)) - _hours_left(env))
    assert missing == list(LOST)
    html = client.get(f"/dashboard/city/velos?date={DAY}").text
    captions = re.findall(
        r'<figcaption class="quality" id="(chart-\d)-quality">(.*?)</figcaption>', html, re.S
    )
    drawn = figures(html)
    assert len(captions) == len(drawn) == 3
    hours = ", ".join(f"{h:02d}" for h in missing)
    for _, caption in captions:
        assert f"aucune donnée pendant {len(missing)} heures ({hours})" in caption
    for spec in drawn:
        assert spec["layout"]["title"]["text"].startswith("⚠")


def test_hourly_charts_mark_each_missing_hour(env: CityService, client: TestClient) -> None:
    missing = set(range(24)) - _hours_left(env)
    hourly = figures(client.get(f"/dashboard/city/velos?date={DAY}").text)[0]
    bands = {s["x0"] + 0.5 for s in hourly["layout"]["shapes"]}
    marks = {a["x"] for a in hourly["layout"]["annotations"] if a["text"] == "⚠"}
    assert bands == marks == missing


def test_english_and_the_overview(env: CityService, client: TestClient) -> None:
    missing = sorted(set(range(24)) - _hours_left(env))
    html = client.get(f"/dashboard/city?date={DAY}", headers={"Accept-Language": "en"}).text
    captions = re.findall(r'id="(chart-\d)-quality"', html)
    assert captions == ["chart-1"]  # the bikes chart, not the traffic one (no warning)
    assert f"no data for {len(missing)} hours (" in html
    traffic = env.metrics.require("traffic", DAY).document
    assert traffic["warnings"] == [] and traffic["warning_messages"] == []


def test_a_note_without_a_message_is_listed_as_it_is(env: CityService) -> None:
    from entrepot.dashboard.quality import quality
    from entrepot.i18n import translator

    document = {"warnings": ["an older release's note"]}  # no warning_messages
    found = quality(document, translator("fr"))
    assert found.notes == () and found.operator == ("an older release's note",)


def test_the_french_report_lists_its_warnings_in_french(
    env: CityService, client: TestClient
) -> None:
    # the report of a day whose bikes lost hours: its warnings were written in English
    assert not env.runner().run([DAY], ["bikes", "traffic"], report=True).failed
    stored = env.metrics.require("report", DAY).document
    bikes = env.metrics.require("bikes", DAY).document
    english = [w for w in stored["warnings"] if w.startswith("bikes: ")]
    assert english, stored["warnings"]
    french = [render(m, translator("fr")) for m in bikes["warning_messages"] if m]
    html = client.get(f"/dashboard/city/rapport?date={DAY}").text
    shown = re.findall(r'<details class="warnings">.*?</details>', html, re.S)[0]
    for text in english:
        assert text.removeprefix("bikes: ") not in shown
    for text in french:
        assert text in shown
    assert french and "heure" in shown  # the missing hours, said in French
