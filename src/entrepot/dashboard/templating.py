"""The dashboard's page templates: one Jinja2 environment, built on first use."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi.templating import Jinja2Templates

from entrepot.dashboard import labels
from entrepot.dashboard.texts import text
from entrepot.web.assets import asset_url


@cache
def templates() -> Jinja2Templates:
    """The page templates (loaded on first use)."""
    folder = Path(__file__).with_name("templates")
    env = Jinja2Templates(directory=str(folder))
    env.env.filters["number"] = labels.number
    env.env.filters["percent"] = labels.percent
    env.env.filters["long_date"] = labels.long_date
    env.env.filters["short_date"] = labels.short_date
    env.env.filters["signed"] = labels.signed
    env.env.globals["units"] = {key: unit for key, (_, unit) in labels.SUMMARY.items()}
    env.env.globals["asset"] = asset_url
    env.env.globals["t"] = text
    return env
