"""The feeds the collector fetches, and where from.

Base URLs are settings (``ENTREPOT_CITY_VELIB_URL``, ``ENTREPOT_CITY_WEATHER_URL``,
``ENTREPOT_CITY_PORTAL_URL``; their defaults, the public feeds, are in ``config.py``), so a
mirror, a proxy or a recorded server can stand in.
Each feed builds its URL for the hour it is collected; the portal's exports ask only for
the recent days of the large datasets (the counts export is gigabytes whole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from entrepot.city.kinds import OPEN_METEO_HOURLY

#: Paris, where Open-Meteo is asked about.
PARIS_LAT, PARIS_LON = 48.8566, 2.3522
#: Days of the large time-series exports asked for on each collection.
RECENT_DAYS = 2


@dataclass(frozen=True, slots=True)
class FeedUrls:
    """Where each family of feeds is fetched from: the Vélib' Métropole GBFS folder,
    Open-Meteo's forecast endpoint, the Paris portal's Explore API v2.1."""

    velib: str
    weather: str
    portal: str
    #: Hosts a feed may redirect to beyond the outbound rule, or be fetched from over
    #: plain http (``ENTREPOT_OUTBOUND_ALLOWED_HOSTS``, ADR 0052).
    allowed_hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: its name, the file name the import sees, and its URL at a given time."""

    name: str
    #: The name a downloaded copy would have (what the import's messages show).
    file_name: str
    url: Callable[[datetime], str]


def feeds(urls: FeedUrls) -> tuple[Feed, ...]:
    """Every feed, in collection order."""
    velib = urls.velib.rstrip("/")
    return (
        Feed("velib-status", "station_status.json", lambda _: f"{velib}/station_status.json"),
        Feed(
            "velib-stations",
            "station_information.json",
            lambda _: f"{velib}/station_information.json",
        ),
        Feed("weather", "open-meteo-paris.json", lambda _: _weather(urls.weather)),
        Feed(
            "traffic-counts",
            "comptages-routiers-permanents.csv",
            lambda now: _export(urls.portal, "comptages-routiers-permanents", "t_1h", now),
        ),
        Feed(
            "roadworks",
            "chantiers-perturbants.csv",
            lambda now: _export(urls.portal, "chantiers-perturbants", None, now),
        ),
        Feed(
            "bike-counters",
            "comptage-velo-donnees-compteurs.csv",
            lambda now: _export(urls.portal, "comptage-velo-donnees-compteurs", "date", now),
        ),
    )


def feed_names(urls: FeedUrls | None = None) -> tuple[str, ...]:
    """The names of the feeds, for ``--feed``."""
    return tuple(feed.name for feed in feeds(urls or FeedUrls("", "", "")))


def _weather(base: str) -> str:
    query = {
        "latitude": PARIS_LAT,
        "longitude": PARIS_LON,
        "hourly": ",".join(OPEN_METEO_HOURLY),
        "timezone": "GMT",
        "past_days": 1,
        "forecast_days": 2,
    }
    return f"{base}?{urlencode(query)}"


def _export(portal: str, dataset: str, time_field: str | None, now: datetime) -> str:
    query = {"delimiter": ";", "use_labels": "true", "timezone": "Europe/Paris"}
    if time_field is not None:
        since = (now - timedelta(days=RECENT_DAYS)).date().isoformat()
        query["where"] = f"{time_field} >= date'{since}'"
    base = portal.rstrip("/")
    return f"{base}/catalog/datasets/{dataset}/exports/csv?{urlencode(query)}"
