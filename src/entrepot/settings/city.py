"""The city app: its metrics store, the live feeds, the counts scan."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.settings import setting


@dataclass(frozen=True)
class CitySettings:
    """What the city app reads."""

    #: Where the city app keeps its metrics and reports: sqlite:///..., postgresql://...,
    #: mongodb://..., dynamodb://TABLE?region=...; None: the catalog database itself.
    metrics_url: str | None = None
    #: Where ``entrepot city collect`` fetches the live feeds (a mirror or proxy may stand in).
    velib_url: str = setting(
        "https://velib-metropole-opendata.smovengo.cloud/opendata/Velib_Metropole",
        name="city_velib_url",
    )
    weather_url: str = setting("https://api.open-meteo.com/v1/forecast", name="city_weather_url")
    portal_url: str = setting("https://opendata.paris.fr/api/explore/v2.1", name="city_portal_url")
    #: DuckDB's threads for the counts export scan (a traffic unit): one, as
    #: ``city.limits.DEFAULT_SCAN_THREADS`` (ADR 0138: a second costs more CPU than it saves
    #: time); the workers of ``city run --jobs --workers N`` get at most their share of the
    #: cores, ``max(1, cores // N)``.
    scan_threads: int = setting(1, name="city_scan_threads", ge=1, le=64)
