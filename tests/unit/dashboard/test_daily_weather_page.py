"""Issue 24 item 4: a day whose weather came from a daily summary says so beside the
weather figures, in the page's language, with the summary's source; nothing reads "None"."""

from __future__ import annotations

from datetime import date

from entrepot.city.processors.common import document
from entrepot.city.processors.weather import DAILY, daily_day
from entrepot.city_service.service import CityService
from tests.support.dashboard import make_client

SUMMARY = {
    DAILY: {"temperature_min": 3.5, "temperature_max": 11.0, "precipitation_sum": 4.2},
    "source": "noaa-ghcn-daily",
    "station": "FR000007150",
    "station_name": "PARIS-MONTSOURIS",
}


def test_the_weather_page_names_the_daily_summary_it_comes_from(env: CityService) -> None:
    day = date(2019, 4, 7)  # far from the generated week; removed after
    metrics, notes = daily_day(SUMMARY, day)
    env.metrics.put("weather", day, document("weather", day, metrics, [], notes))
    try:
        client = make_client(env)
        french = client.get(f"/dashboard/city/meteo?date={day}")
        client.cookies.set("entrepot_lang", "en")
        english = client.get(f"/dashboard/city/meteo?date={day}")
    finally:
        env.metrics.delete("weather", day)
    assert french.status_code == english.status_code == 200
    for page, words in ((french.text, "résumé quotidien"), (english.text, "daily summary")):
        source = page.split('id="daily-source">', 1)[1].split("</p>", 1)[0]
        assert words in source and "FR000007150" in source and "PARIS-MONTSOURIS" in source
        assert ">None<" not in page
