"""What page forms share: the CSRF check, and turning a refused action into a message on
the page the user came from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from entrepot.errors import EntrepotError
from entrepot.http.sessions import check_csrf, flash, safe_next
from entrepot.web.render import refusal

#: The hidden field every form carries.
Csrf = Annotated[str, Form(alias="csrf_token")]


def act(
    request: Request,
    csrf: str,
    action: Callable[[], str | None],
    *,
    back: str,
    done: str | None = None,
    raising: tuple[type[EntrepotError], ...] = (),
) -> RedirectResponse:
    """Check the CSRF token, run ``action`` and redirect (303): to the URL it returns, or
    ``back``; a refusal is shown as a message on ``back`` (one of the kinds ``raising``
    names is raised, for the route to answer it with its own status)."""
    check_csrf(request, csrf)
    try:
        target = action()
    except EntrepotError as exc:
        if isinstance(exc, raising):
            raise
        flash(request, refusal(request, exc), "error")
        return RedirectResponse(safe_next(back), status_code=303)
    if done:
        flash(request, done, "success")
    return RedirectResponse(safe_next(target or back), status_code=303)
