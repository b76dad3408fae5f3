"""What page forms share: the CSRF check, and turning a refused action into a message on
the page the user came from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from entrepot.errors import EntrepotError
from entrepot.http.errors import status_of
from entrepot.http.sessions import check_csrf, flash, safe_next
from entrepot.i18n import Formats
from entrepot.jobs.codes import error_code
from entrepot.web.i18n import translator
from entrepot.web.phrases import Phrases
from entrepot.web.render import language

#: The hidden field every form carries.
Csrf = Annotated[str, Form(alias="csrf_token")]


def _in_words(request: Request, error: EntrepotError) -> str:
    """The refusal in the page's language (the service's own words in English)."""
    lang = language(request)
    phrases = Phrases(translator(lang), Formats(lang))
    return phrases.error(error_code(error), str(error), status_of(error))


def act(
    request: Request,
    csrf: str,
    action: Callable[[], str | None],
    *,
    back: str,
    done: str | None = None,
) -> RedirectResponse:
    """Check the CSRF token, run ``action`` and redirect (303): to the URL it returns, or
    ``back``; a refusal is shown as a message on ``back``."""
    check_csrf(request, csrf)
    try:
        target = action()
    except EntrepotError as exc:
        flash(request, _in_words(request, exc), "error")
        return RedirectResponse(safe_next(back), status_code=303)
    if done:
        flash(request, done, "success")
    return RedirectResponse(safe_next(target or back), status_code=303)
