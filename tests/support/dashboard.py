"""The city dashboard under TestClient: a client over a city runtime, and the chart specs a
page embeds."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from entrepot.api.routes import city
from entrepot.city_service.service import CityService
from entrepot.dashboard import city as dashboard
from entrepot.http import assets

#: The day the dashboard tests look at, and the start of the week of data before it.
DAY, WEEK_BEFORE = date(2025, 11, 4), date(2025, 10, 28)


def make_client(runtime: CityService) -> TestClient:
    """The city API, the dashboard and its assets over ``runtime``."""
    app = FastAPI()
    app.include_router(city.router)
    app.include_router(dashboard.router)
    app.include_router(assets.router)  # the pages' scripts, as the service mounts them
    app.state.city = runtime
    return TestClient(app)


def figures(html: str) -> list[Any]:
    """The Plotly specs a dashboard page embeds."""
    match = re.search(r'<script type="application/json" id="city-figures">(.*?)</script>', html)
    return [] if match is None else [f["spec"] for f in json.loads(match.group(1))]
