"""Render the pages: one Jinja2 environment (autoescaped), the request's language, the
signed-in user, the CSRF token and the queued messages in every template's context."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from markupsafe import Markup

from entrepot.catalog.accounts.records import UserRecord
from entrepot.errors import EntrepotError
from entrepot.fraud_service.reference_progress import BuildProgress, reference_progress
from entrepot.http.assets import asset_url
from entrepot.http.errors import status_of
from entrepot.http.observability import request_id
from entrepot.http.sessions import csrf_token, flash, take_flashes
from entrepot.i18n import Formats, Translator
from entrepot.i18n.catalogs import Np_
from entrepot.jobs.codes import error_code
from entrepot.registry.names import NAME_MAX, NAME_PATTERN, NOTE_MAX
from entrepot.web.i18n import choose, translator
from entrepot.web.phrases import Phrases


def language(request: Request) -> str:
    """The language of ``request`` (session choice, then ``Accept-Language``)."""
    return choose(request.session.get("lang"), request.headers.get("accept-language"))


def say(request: Request, key: str, **values: object) -> str:
    """The message ``key`` in the language of ``request`` (for flashes)."""
    return translator(language(request))(key, **values)


def flash_said(request: Request, key: str, kind: str = "info", **values: str | int) -> None:
    """Queue the message ``key`` for the next page, written in that page's language (a
    greeting after a sign-in that changed it follows it)."""
    flash(request, {"key": key, "params": values}, kind)


def _in_words(message: str | dict[str, object], t: Translator) -> str:
    if isinstance(message, str):
        return message
    params = message.get("params")
    values = params if isinstance(params, dict) else {}
    return t(str(message.get("key", "")), **values)


def refusal(request: Request, error: EntrepotError) -> str:
    """A refused action in the page's language: the service's own words in English, else
    the refusal's message, its code's or its HTTP status's sentence."""
    lang = language(request)
    phrases = Phrases(translator(lang), Formats(lang))
    said = getattr(error, "said", None)
    return phrases.error(error_code(error), str(error), status_of(error), said=said)


def _json(value: Any) -> Markup:
    """JSON safe to put inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # safe: every "<", ">" and "&" is escaped above


@pass_context
def _size(context: Any, value: Any) -> str:
    """``{{ bytes|size }}``: a size in the page's language (``1,8 Mio``, ``1.8 MiB``)."""
    return Formats(context.get("lang", "en")).size(value)


@cache
def environment() -> Environment:
    """The templates' environment (built on first use)."""
    env = Environment(
        loader=PackageLoader("entrepot.web", "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["size"] = _size
    env.filters["tojson_script"] = _json
    env.globals["asset"] = asset_url
    # The model name rule, from the registry that enforces it (``maxlength``, ``pattern``).
    env.globals["name_rule"] = {"max": NAME_MAX, "pattern": NAME_PATTERN}
    env.globals["note_max"] = NOTE_MAX
    return env


def reference_build(request: Request) -> BuildProgress | None:
    """The first-start reference build under way, for the banner; ``None`` when there is
    none or the catalog cannot say (a banner never breaks a page)."""
    if getattr(request.app.state, "options", None) is None:  # the city API alone: no jobs
        return None
    services = request.app.state.entrepot
    try:
        return reference_progress(services.jobs)
    except EntrepotError:
        return None


def banner_text(t: Translator, build: BuildProgress) -> str:
    """The banner's sentence in the language of ``t`` ("12 of 40 models", the plural form
    of the models built)."""
    return t.plural(Np_("banner.references"), build.done, total=Formats(t.lang).number(build.total))


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
    t, formats = translator(lang), Formats(lang)
    options = request.app.state.options
    values = {
        "request": request,
        "user": user,
        "lang": lang,
        "t": t,
        "tn": t.plural,
        "colon": lambda label: t("common.colon", label=label),
        "num": formats.number,
        "pct": formats.percent,
        "when": formats.moment,
        "day": formats.day,
        "phrases": Phrases(t, formats),
        "csrf": csrf_token(request),
        "flashes": [(k, _in_words(m, t)) for k, m in take_flashes(request)],
        "path": request.url.path,
        "oidc_name": options.oidc.name if options.oidc else None,
        "request_id": request_id(),
        "reference_build": reference_build(request),
        "banner_text": banner_text,
        **context,
    }
    html = environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=http_status)
