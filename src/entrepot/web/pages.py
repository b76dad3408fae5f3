"""Install the pages on the app: static files (``/assets/``: compressed, named by content,
the charts' library among them; ``/static/`` as files), the language switch, the error
page, and the page routers."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from entrepot.http.deps import optional_user
from entrepot.http.sessions import SESSION_COOKIE, read_session, safe_next
from entrepot.i18n import Formats
from entrepot.web import (
    account_pages,
    admin_pages,
    analyst_pages,
    auth_pages,
    result_pages,
    work_pages,
)
from entrepot.web.i18n import LANGUAGES, choose, translator
from entrepot.web.phrases import Phrases
from entrepot.web.render import banner_text, language, reference_build, render

STATIC = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, next: str | None = None) -> RedirectResponse:
    """Choose the interface's language, then go back."""
    if code in LANGUAGES:
        request.session["lang"] = code
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/status/reference-build")
def reference_build_status(request: Request) -> dict[str, object]:
    """The first-start reference build's progress for the pages' banner, in the
    request's language: ``{"building": false}`` when none is under way."""
    build = reference_build(request)
    if build is None:
        return {"building": False}
    text = banner_text(translator(language(request)), build)
    return {"building": True, "done": build.done, "total": build.total, "text": text}


def render_error(
    request: Request, status: int, code: str, message: str, said: object = None
) -> Response:
    """The error page (for browsers; the API answers JSON)."""
    try:
        user = optional_user(request, request.app.state.entrepot)
    except Exception:  # the error page must render even when the database is away
        user = None
    return render(
        request,
        "error.html",
        user=user,
        http_status=status,
        code=code,
        message=message,
        said=said,
        status_code=status,
    )


def page_message(
    request: Request, status: int, code: str, message: str, said: object = None
) -> str:
    """An API refusal in its reader's language: a signed-in page's script (session cookie,
    no token: the upload form, the analyst's buttons) reads the page's language; any other
    client the language its ``Accept-Language`` asks for, English when it asks for none."""
    signed_in = "session" in request.scope and request.session.get("uid")
    if signed_in and not request.headers.get("authorization"):
        lang = language(request)
    else:
        lang = choose(None, request.headers.get("accept-language") or "en")
    return Phrases(translator(lang), Formats(lang)).error(code, message, status, said=said)


async def page_language(scope: Scope) -> str | None:
    """The language of a signed-in page's script (session cookie, no token), for a refusal
    a middleware outside the sessions answers: the session cookie is read here, as the
    session middleware would. ``None`` for an API client or an anonymous request."""
    request = Request(scope)
    if request.headers.get("authorization") or SESSION_COOKIE not in request.cookies:
        return None
    options = request.app.state.options
    session = await read_session(scope, options.service.secret_key, options.web.session_days)
    if not session.get("uid"):
        return None
    return language(Request({**scope, "session": session}))


async def refusal_message(scope: Scope, status: int, code: str, message: str) -> str:
    """:func:`page_message` for a refusal the middleware outside sessions answers (a body
    too large): in :func:`page_language`, else in the language the request asks for."""
    lang = await page_language(scope)
    if lang is None:
        lang = choose(None, Request(scope).headers.get("accept-language") or "en")
    return Phrases(translator(lang), Formats(lang)).error(code, message, status)


def install(app: FastAPI) -> None:
    """Add the pages to ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.render_error = render_error
    app.state.page_message = page_message
    app.state.refusal_message = refusal_message
    app.state.page_language = page_language
    app.include_router(router)
    for module in (auth_pages, account_pages, work_pages, result_pages, analyst_pages, admin_pages):
        app.include_router(module.router)
    oidc = app.state.options.oidc
    if oidc is not None:
        from entrepot.web import oidc as oidc_module  # imports authlib: only when configured

        oidc_module.install(app, oidc)
