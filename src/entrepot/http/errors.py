"""Errors as HTTP answers: JSON ``{code, message}`` for the API, an error page for the
browser; each error's status is its row of :mod:`entrepot.refusals`. Services never raise
HTTP exceptions; the code is the error's class name in snake_case (``too_few_rows``), the
message says what and what to do.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from entrepot import errors as e
from entrepot.accounts import errors as a
from entrepot.http.observability import request_id
from entrepot.jobs.codes import error_code
from entrepot.jobs.service import QueueUnavailable
from entrepot.refusals import status_of as status_of

log = logging.getLogger("entrepot.api")


class CsrfError(a.NotAllowed):
    """A form or a cookie-authenticated request without the right CSRF token."""

    hint = "reload the page and submit the form again"


class LoginRedirect(Exception):
    """A page needs a signed-in user: go to the sign-in page, then back."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


#: Errors whose details (store URLs, keys, database hosts) stay in the logs: the client
#: is told what happened in general terms, and the request id to quote.
_INTERNAL = (e.StorageError, e.CatalogError, e.ConfigError)


def public_message(error: BaseException, status: int) -> str | None:
    """What a client is told of an internal failure (``None``: the message is fine as is).

    Damaged bytes are permanent: the answer says so, and never to try again."""
    if not isinstance(error, _INTERNAL) or isinstance(error, QueueUnavailable):
        return None
    if isinstance(error, e.IntegrityError):
        return (
            "the stored file is damaged: its bytes no longer match the checksum recorded when "
            "it was written, so it is not sent. Retrying will not help; the administrators "
            f"must restore or delete it (`entrepot verify` lists it): quote request "
            f"{request_id()}"
        )
    if isinstance(error, e.StoreFull):
        return (
            "the service has no space left to store this (its disk is full): retrying will "
            "not help until the administrators free space; quote request "
            f"{request_id()} to them"
        )
    what = "the service is temporarily unavailable" if status == 503 else "the service failed"
    return (
        f"{what} ({error_code(error).replace('_', ' ')}); try again in a minute, and quote "
        f"request {request_id()} to the administrators if it persists"
    )


def client_message(error: e.EntrepotError) -> str:
    """``str(error)`` as a client may read it: a storage error's location (the store URL,
    the key inside the store) stays in the logs."""
    if isinstance(error, e.StorageError) and (error.key is not None or error.store is not None):
        text, cut = error.message, error.message.rfind(" [")
        if cut != -1 and text.endswith("]"):
            text = text[:cut]
        return f"{text} ({error.hint})" if error.hint else text
    return str(error)


def _scrub(request: Request, message: str) -> str:
    """``message`` without the configured store's URL or folder (a last guard)."""
    core = getattr(request.app.state, "entrepot", None)
    shown = core.operations.store_names() if core is not None else set()
    for text in sorted(shown, key=len, reverse=True):
        if len(text) > 3:
            message = message.replace(text, "the store")
    return message


def wants_html(request: Request) -> bool:
    """Whether the answer should be a page (a browser asking for a page, not the API)."""
    path = request.url.path
    if path.startswith(("/api/", "/health", "/metrics")):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request, status: int, code: str, message: str, said: object = None
) -> Response:
    """The JSON body or the error page for an error: its message in the reader's language
    (``said``, the refusal's own message, when it has one; else its code's sentence)."""
    message = _scrub(request, message)
    in_words = getattr(request.app.state, "page_message", None)
    if in_words is not None and not wants_html(request):
        message = in_words(request, status, code, message, said)
    body = {"code": code, "message": message, "request_id": request_id()}
    if wants_html(request):
        render = getattr(request.app.state, "render_error", None)
        if render is not None:
            page: Response = render(request, status, code, message, said)
            return page
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(e.EntrepotError)
    async def _entrepot(request: Request, exc: e.EntrepotError) -> Response:
        status = status_of(exc)
        message = client_message(exc)
        said = exc.said
        if status >= 500:
            log.error("request failed: %s", exc, exc_info=exc)
            public = public_message(exc, status)
            message, said = (message, said) if public is None else (public, None)
        response = error_response(request, status, error_code(exc), message, said)
        if isinstance(exc, a.TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(LoginRedirect)
    async def _login(request: Request, exc: LoginRedirect) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.target, safe='/')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(_describe(err) for err in exc.errors())
        return error_response(
            request, 422, "invalid_request", f"the request is not valid: {problems}"
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        message = str(exc.detail) if exc.detail else code.replace("_", " ")
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}"
        response = error_response(request, exc.status_code, code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        return error_response(
            request,
            422,
            "number_too_large",
            f"a number in the request is too large: ids and counts go up to {2**63 - 1}",
        )

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        log.warning("the database refused a value: %s", exc.orig)
        return error_response(
            request,
            422,
            "invalid_value",
            "a value in the request cannot be stored: remove NUL or control characters "
            "from text, and keep numbers within 64 bits",
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error", exc_info=exc)
        return error_response(
            request,
            500,
            "internal_error",
            f"an unexpected error occurred; the administrators can find it in the logs "
            f"under request {request_id()}",
        )


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
    return f"{where or 'body'}: {error.get('msg', 'invalid')}"
