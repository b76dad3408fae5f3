"""The dashboard's page templates: one Jinja2 environment, built on first use, whose
filters write numbers and dates in the page's language (``lang`` in the context)."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from entrepot.dashboard import labels
from entrepot.http.assets import asset_url


def _lang(context: Any) -> str:
    return str(context.get("lang", labels.DEFAULT))


@pass_context
def _number(context: Any, value: Any, digits: int = 0) -> str:
    return labels.number(value, digits, _lang(context))


@pass_context
def _percent(context: Any, value: Any) -> str:
    return labels.percent(value, _lang(context))


@pass_context
def _signed(context: Any, value: Any, digits: int = 1) -> str:
    return labels.signed(value, digits, _lang(context))


@pass_context
def _long_date(context: Any, day: date) -> str:
    return labels.long_date(day, _lang(context))


@pass_context
def _short_date(context: Any, day: date) -> str:
    return labels.short_date(day, _lang(context))


@cache
def templates() -> Jinja2Templates:
    """The page templates (loaded on first use)."""
    folder = Path(__file__).with_name("templates")
    env = Jinja2Templates(directory=str(folder))
    env.env.filters["number"] = _number
    env.env.filters["percent"] = _percent
    env.env.filters["signed"] = _signed
    env.env.filters["long_date"] = _long_date
    env.env.filters["short_date"] = _short_date
    env.env.globals["asset"] = asset_url
    return env
