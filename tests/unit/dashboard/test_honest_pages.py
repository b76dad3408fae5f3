"""Issue 24 item 5: the map's scale follows the figures shown, rain and temperature read on
one chart with their units, quick ranges and the time-shift links, Paris time on every page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from entrepot.city_service.records import DayRange, quick_ranges
from entrepot.city_service.service import CityService
from tests.support.dashboard import DAY, WEEK_BEFORE, figures, make_client


@pytest.fixture(scope="module")
def client(env: CityService) -> TestClient:
    return make_client(env)


def test_the_map_scale_runs_from_the_lowest_to_the_highest_zone(
    env: CityService, client: TestClient
) -> None:
    hours = {f"750{n:02d}": 0.0 for n in range(1, 21)}
    for found in env.metrics.find(kinds=("traffic",), start=WEEK_BEFORE, end=DAY):
        for row in found.document["metrics"]["by_arrondissement"]:
            if row["arrondissement"] in hours:
                hours[row["arrondissement"]] += float(row["congested_hours"] or 0)
    (figure,) = figures(client.get(f"/dashboard/city/carte?from={WEEK_BEFORE}&to={DAY}").text)
    (scale,) = [d for d in figure["data"] if (d.get("marker") or {}).get("showscale")]
    assert scale["marker"]["cmin"] == pytest.approx(min(hours.values()))
    assert scale["marker"]["cmax"] == pytest.approx(max(hours.values()))
    ticks = scale["marker"]["colorbar"]["tickvals"]
    assert ticks[0] == pytest.approx(min(hours.values()))
    assert ticks[-1] == pytest.approx(max(hours.values()))


def test_rain_and_temperature_on_two_axes_with_their_units(
    env: CityService, client: TestClient
) -> None:
    (chart,) = figures(client.get(f"/dashboard/city/meteo?date={DAY}").text)
    temperature, rain = chart["data"]
    assert temperature["x"] == rain["x"]  # one hour axis
    assert rain["yaxis"] == "y2" and chart["layout"]["yaxis2"]["overlaying"] == "y"
    assert chart["layout"]["yaxis"]["title"]["text"].endswith("(°C)")
    assert chart["layout"]["yaxis2"]["title"]["text"].endswith("(mm)")
    hourly = env.metrics.require("weather", DAY).document["metrics"]["hourly"]
    assert rain["y"] == [h["precipitation"] for h in hourly]


def test_quick_ranges_count_back_from_the_last_day() -> None:
    last = date(2025, 11, 4)
    found = {q.key: q.range for q in quick_ranges(last)}
    assert found["last_7"] == DayRange(date(2025, 10, 29), last)
    assert found["last_30"].days == 30 and found["last_90"].days == 90
    assert found["this_month"] == DayRange(date(2025, 11, 1), last)
    assert "all" not in found  # without the first day with data
    assert {q.key: q.range for q in quick_ranges(last, date(2025, 10, 22))}["all"] == DayRange(
        date(2025, 10, 22), last
    )
    years = {q.key: q.range for q in quick_ranges(last, date(2020, 1, 1), 366)}["all"]
    assert years.end == last and years.days == 366  # as long as a period may be, no longer
    shown = DayRange(date(2025, 10, 29), last)
    assert shown.previous() == DayRange(date(2025, 10, 22), date(2025, 10, 28))
    assert shown.shifted(1).start == last + timedelta(days=1)


@pytest.mark.parametrize("page", ["periode", "carte"])
def test_the_range_pages_offer_quick_ranges_and_the_time_shift(
    env: CityService, client: TestClient, page: str
) -> None:
    html = client.get(f"/dashboard/city/{page}?from=2025-10-29&to={DAY}").text
    assert 'href="?from=2025-10-29&amp;to=2025-11-04">7 derniers jours' in html
    assert 'href="?from=2025-11-01&amp;to=2025-11-04">ce mois-ci' in html
    days = [i.day for i in env.metrics.index(kinds=("report",))]
    assert f'href="?from={min(days)}&amp;to={max(days)}">toutes les données' in html
    english = client.get(f"/dashboard/city/{page}", headers={"Accept-Language": "en"}).text
    assert f'href="?from={min(days)}&amp;to={max(days)}">all the data' in english
    assert 'href="?from=2025-10-22&amp;to=2025-10-28" rel="previous"' in html
    assert 'href="?from=2025-11-05&amp;to=2025-11-11" rel="next"' in html


@pytest.mark.parametrize("page", ["", "/velos", "/meteo", "/rapport", "/periode", "/carte"])
def test_paris_time_on_every_page(client: TestClient, page: str) -> None:
    assert "Europe/Paris" in client.get(f"/dashboard/city{page}").text
    english = client.get(f"/dashboard/city{page}", headers={"Accept-Language": "en"}).text
    assert "Paris time (Europe/Paris)" in english
