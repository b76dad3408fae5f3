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
from entrepot.city.runtime import CityRuntime
from entrepot.storage.memory import MemoryStore
from tests.support.dashboard import figures, make_client

DAY = date(2025, 11, 4)
#: The hours whose bikes partitions the test removes.
LOST = (3, 4, 17)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityRuntime]:
    store = MemoryStore("city-quality")
    generate(store, GenerateOptions(start=DAY, days=1, arcs=8, stations=5, counters=2))
    for hour in LOST:
        store.delete_prefix(f"raw/api/bikes/dt={DAY}/hour={hour:02d}/")
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('q') / 'catalog.db'}")
    upgrade(engine)
    runtime = CityRuntime(store, engine=engine)
    assert not runtime.runner().run([DAY], ["bikes", "traffic"], report=False).failed
    yield runtime
    engine.dispose()


@pytest.fixture(scope="module")
def client(env: CityRuntime) -> TestClient:
    return make_client(env)


def _hours_left(env: CityRuntime) -> set[int]:
    keys = [i.key for i in env.store.list(f"raw/api/bikes/dt={DAY}/")]
    return {int(re.search(r"hour=(\d\d)", k).group(1)) for k in keys}  # type: ignore[union-attr]


def test_every_bikes_chart_lists_the_missing_hours_in_french(
    env: CityRuntime, client: TestClient
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


def test_hourly_charts_mark_each_missing_hour(env: CityRuntime, client: TestClient) -> None:
    missing = set(range(24)) - _hours_left(env)
    hourly = figures(client.get(f"/dashboard/city/velos?date={DAY}").text)[0]
    bands = {s["x0"] + 0.5 for s in hourly["layout"]["shapes"]}
    marks = {a["x"] for a in hourly["layout"]["annotations"] if a["text"] == "⚠"}
    assert bands == marks == missing


def test_english_and_the_overview(env: CityRuntime, client: TestClient) -> None:
    missing = sorted(set(range(24)) - _hours_left(env))
    html = client.get(f"/dashboard/city?date={DAY}", headers={"Accept-Language": "en"}).text
    captions = re.findall(r'id="(chart-\d)-quality"', html)
    assert captions == ["chart-1"]  # the bikes chart, not the traffic one (no warning)
    assert f"no data for {len(missing)} hours (" in html
    traffic = env.metrics.require("traffic", DAY).document
    assert traffic["warnings"] == [] and traffic["warning_messages"] == []


def test_a_note_without_a_message_is_listed_as_it_is(env: CityRuntime) -> None:
    from entrepot.dashboard.quality import quality
    from entrepot.i18n import translator

    document = {"warnings": ["an older release's note"]}  # no warning_messages
    found = quality(document, translator("fr"))
    assert found.notes == () and found.operator == ("an older release's note",)
