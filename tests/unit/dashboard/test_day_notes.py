"""What a day page says beside its day (issue 44 item 5): a skip link to the content,
the quick ranges the period pages have, the clock change of a 23- or 25-hour Paris day,
and round ticks on a second value axis."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city_service.service import CityService
from entrepot.dashboard.axes import round_axis, round_step
from entrepot.dashboard.day_notes import clock_change
from entrepot.storage.memory import MemoryStore
from tests.support.dashboard import figures, make_client

#: The autumn clock change of 2025 in Paris, and the days around it.
AUTUMN, SPRING = date(2025, 10, 26), date(2025, 3, 30)


def hours_in(day: date) -> int:
    """A second computation of a Paris day's length: UTC midnight to midnight."""
    zone = ZoneInfo("Europe/Paris")
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    after = day + timedelta(days=1)
    end = datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(UTC)
    return round((end - start).total_seconds() / 3600)


@pytest.mark.parametrize("day", [SPRING, AUTUMN, date(2025, 10, 27), date(2024, 3, 31)])
def test_a_day_of_23_or_25_hours_has_its_note(day: date) -> None:
    hours = hours_in(day)
    expected = {23: "dash.clock_change.short", 25: "dash.clock_change.long"}.get(hours)
    assert clock_change(day) == expected


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = MemoryStore("city-clock-change")
    start = AUTUMN - timedelta(days=1)
    generate(store, GenerateOptions(start=start, days=3, arcs=12, stations=6, counters=2))
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('clock') / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    assert not runtime.runner().run([start + timedelta(days=n) for n in range(3)]).failed
    yield make_client(runtime)
    engine.dispose()


def test_the_autumn_day_says_its_hour_comes_twice(client: TestClient) -> None:
    french = client.get("/dashboard/city/trafic", params={"date": str(AUTUMN)})
    assert french.status_code == 200
    assert "Ce jour compte 25\u00a0heures" in french.text
    english = client.get(
        "/dashboard/city/trafic", params={"date": str(AUTUMN)}, headers={"Accept-Language": "en"}
    )
    assert "This day has 25 hours" in english.text
    ordinary = client.get("/dashboard/city/trafic", params={"date": str(AUTUMN + timedelta(1))})
    assert ordinary.status_code == 200 and 'id="clock-change"' not in ordinary.text


def test_a_day_page_skips_to_its_content_and_offers_the_quick_ranges(
    client: TestClient,
) -> None:
    html = client.get("/dashboard/city/velos", params={"date": str(AUTUMN)}).text
    skip = re.search(r'<a class="skip" href="#(\w+)">', html)
    assert skip is not None and html.index(skip.group(0)) < html.index("<header>")
    assert f'<main id="{skip.group(1)}"' in html
    last = AUTUMN + timedelta(days=1)
    week = f"/dashboard/city/periode?from={last - timedelta(days=6)}&amp;to={last}"
    assert week in html, "the last 7 days, counted back from the last day with data"
    period = client.get(week.replace("&amp;", "&"))
    assert period.status_code == 200


@pytest.mark.parametrize("top", [0.0, 0.37, 1.0, 3.2, 17.0, 250.0, 0.0042, 9_999.0])
def test_a_right_axis_ends_on_a_whole_number_of_round_steps(top: float) -> None:
    axis = round_axis([None, top / 2, top, float("nan")])
    step, (low, high) = axis["dtick"], axis["range"]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in (1.0, 2.0, 5.0)
    assert low == 0 and high >= top and high - top < step + 1e-12
    assert abs(high / step - round(high / step)) < 1e-9 and round(high / step) <= 5
    assert step == round_step(top)


def test_the_traffic_chart_draws_its_occupancy_on_round_ticks(client: TestClient) -> None:
    html = client.get("/dashboard/city/trafic", params={"date": str(AUTUMN)}).text
    hourly = figures(html)[0]
    right = hourly["layout"]["yaxis2"]
    occupancy = [v for v in hourly["data"][1]["y"] if v is not None]
    assert right["range"][0] == 0 and right["range"][1] >= max(occupancy)
    assert right["dtick"] in {m * 10.0**e for m in (1, 2, 5) for e in range(-4, 5)}
