"""The profile (password, API tokens) and the licence page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from entrepot.bootstrap.app import App
from entrepot.catalog.accounts.records import UserRecord
from entrepot.errors import EntrepotError
from entrepot.http.deps import PageUser, Services, token_of
from entrepot.http.errors import status_of
from entrepot.http.sessions import check_csrf, sign_in
from entrepot.web.form_fields import field_of
from entrepot.web.forms import Csrf, act
from entrepot.web.render import refusal, render, say

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def _profile(
    request: Request,
    user: UserRecord,
    services: App,
    *,
    http_status: int = 200,
    **context: object,
) -> Response:
    tokens = services.accounts.tokens(user.id)
    return render(
        request, "profile.html", user=user, http_status=http_status, tokens=tokens, **context
    )


@router.get("/profile")
def profile(request: Request, user: PageUser, services: Services) -> Response:
    """Account details, password change, API tokens."""
    return _profile(request, user, services)


@router.post("/profile/password")
def change_password(
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    current_password: Text = "",
    new_password: Text = "",
    keep_token: Annotated[list[int] | None, Form(max_length=100)] = None,
) -> Response:
    """Change the password (the other sessions end, this one is renewed; the API tokens
    are revoked but those ticked to keep)."""
    check_csrf(request, csrf)
    try:
        changed = services.accounts.change_password(
            user.id, current_password, new_password, keep_tokens=keep_token or ()
        )
    except EntrepotError as exc:
        return _profile(
            request,
            user,
            services,
            http_status=status_of(exc),
            error=refusal(request, exc),
            error_field=field_of(exc),
        )
    sign_in(request, changed)
    message = say(request, "profile.password_changed")
    return _profile(request, changed, services, success=message)


@router.post("/profile/tokens")
def create_token(
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    name: Text = "api",
    expires_days: Annotated[int | None, Form(ge=1, le=3650)] = None,
    scope: Text = "",
) -> Response:
    """Create a token and show it once (in this answer only, never in a cookie); with
    ``expires_days`` it stops working after that many days; ``scope`` read, write (the
    default) or admin."""
    check_csrf(request, csrf)
    expires_in = None if expires_days is None else timedelta(days=expires_days)
    holder = token_of(request)
    try:
        _, token = services.accounts.create_token(
            user.id,
            name.strip() or "api",
            expires_in=expires_in,
            scope=scope.strip() or None,
            parent_id=None if holder is None else holder.token_id,
        )
    except EntrepotError as exc:
        return _profile(
            request, user, services, http_status=status_of(exc), error=refusal(request, exc)
        )
    return _profile(request, user, services, new_token=token)


@router.post("/profile/tokens/{token_id}/revoke")
def revoke_token(
    token_id: int, request: Request, user: PageUser, services: Services, csrf: Csrf
) -> Response:
    """Revoke one of your tokens."""

    def go() -> None:
        services.accounts.revoke_token(user.id, token_id)

    return act(request, csrf, go, back="/profile")


@router.get("/licence")
def licence(request: Request, user: PageUser, services: Services) -> Response:
    """The licence in force, days left, activation."""
    status = services.accounts.licences.status(user.id)
    history = services.accounts.licences.history(user.id)
    return render(request, "licence.html", user=user, status=status, history=history)


@router.post("/licence/activate")
def activate(
    request: Request, user: PageUser, services: Services, csrf: Csrf, key: Text = ""
) -> Response:
    """Activate a key."""

    def go() -> None:
        services.accounts.licences.activate(user.id, key)

    done = say(request, "licence.activated")
    return act(request, csrf, go, back="/licence", done=done)
