"""Render the pages: one Jinja2 environment (autoescaped), the request's language, the
signed-in user, the CSRF token and the queued messages in every template's context."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from entrepot.api.observability import request_id
from entrepot.api.sessions import csrf_token, take_flashes
from entrepot.catalog.accounts.records import UserRecord
from entrepot.errors import EntrepotError
from entrepot.fraud_service.reference_progress import BuildProgress, reference_progress
from entrepot.sizes import human_size
from entrepot.web.assets import asset_url
from entrepot.web.i18n import choose, translator


def language(request: Request) -> str:
    """The language of ``request`` (session choice, then ``Accept-Language``)."""
    return choose(request.session.get("lang"), request.headers.get("accept-language"))


def _number(value: Any, lang: str, digits: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{float(value):,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _percent(value: Any, lang: str, digits: int = 1) -> str:
    if value is None:
        return "–"
    text = _number(float(value) * 100, lang, digits)
    return f"{text}\u202f%" if lang == "fr" else f"{text}%"


def _when(value: datetime | None, lang: str) -> str:
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y %H:%M UTC" if lang == "fr" else "%Y-%m-%d %H:%M UTC")


def _json(value: Any) -> Markup:
    """JSON safe to put inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # safe: every "<", ">" and "&" is escaped above


@cache
def environment() -> Environment:
    """The templates' environment (built on first use)."""
    env = Environment(
        loader=PackageLoader("entrepot.web", "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["size"] = lambda v: "–" if v is None else human_size(int(v))
    env.filters["tojson_script"] = _json
    env.globals["asset"] = asset_url
    return env


def reference_build(request: Request) -> BuildProgress | None:
    """The first-start reference build under way, for the banner; ``None`` when there is
    none or the catalog cannot say (a banner never breaks a page)."""
    services = getattr(request.app.state, "services", None)
    if services is None:
        return None
    try:
        return reference_progress(services.jobs)
    except EntrepotError:
        return None


def banner_text(t: Any, build: BuildProgress) -> str:
    """The banner's sentence in the language of ``t``."""
    key = "banner.references_one" if build.done <= 1 else "banner.references"
    return str(t(key, done=build.done, total=build.total))


def render(
    request: Request,
    template: str,
    *,
    user: UserRecord | None,
    http_status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` for ``user`` in the request's language."""
    lang = language(request)
    options = request.app.state.options
    values = {
        "request": request,
        "user": user,
        "lang": lang,
        "t": translator(lang),
        "num": lambda v, d=0: _number(v, lang, d),
        "pct": lambda v, d=1: _percent(v, lang, d),
        "when": lambda v: _when(v, lang),
        "csrf": csrf_token(request),
        "flashes": take_flashes(request),
        "path": request.url.path,
        "oidc_name": options.oidc.name if options.oidc else None,
        "request_id": request_id(),
        "reference_build": reference_build(request),
        "banner_text": banner_text,
        **context,
    }
    html = environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=http_status)
