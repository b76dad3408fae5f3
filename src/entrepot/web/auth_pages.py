"""Sign in, create an account, sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from entrepot.accounts.errors import TooManyAttempts
from entrepot.errors import EntrepotError
from entrepot.http.deps import MaybeUser, Services
from entrepot.http.errors import status_of
from entrepot.http.sessions import check_csrf, safe_next, sign_in, sign_out
from entrepot.i18n.catalogs import N_
from entrepot.web.form_fields import field_of
from entrepot.web.forms import Csrf
from entrepot.web.render import flash_said, refusal, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.get("/login")
def login_page(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    """The sign-in form (a signed-in user goes straight on)."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", user=None, next=safe_next(next), email="")


@router.post("/login")
def login(
    request: Request,
    services: Services,
    csrf: Csrf,
    email: Text = "",
    password: Text = "",
    next: Text = "/",
) -> Response:
    """Check the credentials; on success start a session and go to ``next`` (a path of
    this site only)."""
    check_csrf(request, csrf)
    address = request.client.host if request.client else None
    try:
        user = services.accounts.authenticate(email, password, address=address)
    except EntrepotError as exc:
        page = render(
            request,
            "login.html",
            user=None,
            http_status=status_of(exc),
            next=safe_next(next),
            email=email,
            error=refusal(request, exc),
            error_field=field_of(exc),
        )
        if isinstance(exc, TooManyAttempts):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    sign_in(request, user)
    flash_said(request, N_("auth.welcome"), "success", name=user.name)
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/register")
def register_page(request: Request, user: MaybeUser) -> Response:
    """The sign-up form."""
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "register.html", user=None, email="", name="")


@router.post("/register")
def register(
    request: Request,
    services: Services,
    csrf: Csrf,
    email: Text = "",
    password: Text = "",
    name: Text = "",
) -> Response:
    """Create the account (with its trial licence) and sign in."""
    check_csrf(request, csrf)
    address = request.client.host if request.client else None
    try:
        user = services.accounts.register(email, password, name=name, address=address)
    except EntrepotError as exc:
        return render(
            request,
            "register.html",
            user=None,
            http_status=status_of(exc),
            email=email,
            name=name,
            error=refusal(request, exc),
            error_field=field_of(exc),
        )
    sign_in(request, user)
    flash_said(request, N_("auth.welcome"), "success", name=user.name)
    return RedirectResponse("/datasets", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Csrf) -> Response:
    """End the session."""
    check_csrf(request, csrf)
    sign_out(request)
    flash_said(request, N_("auth.signed_out"), "info")
    return RedirectResponse("/", status_code=303)
