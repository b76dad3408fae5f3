"""Accounts over JSON: register, sign in and out, the current user, password, API
tokens, licence."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from entrepot.api.responses import JsonOf
from entrepot.api.schemas.accounts import (
    ActivateIn,
    LicenceOut,
    LoginIn,
    MeOut,
    NewTokenOut,
    PasswordIn,
    RegisterIn,
    TokenIn,
    TokenOut,
    UserOut,
    licence_out,
    token_out,
    user_out,
)
from entrepot.catalog.accounts.records import UserRecord
from entrepot.http.deps import Call, Services, User, token_of
from entrepot.http.sessions import check_csrf, csrf_token, sign_in, sign_out

router = APIRouter(prefix="/api", tags=["account"])
_ME = JsonOf(MeOut)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post("/auth/register", status_code=201)
def register(body: RegisterIn, request: Request, services: Services) -> UserOut:
    """Create an account (with a 14-day trial licence); sign-ups are limited per address."""
    return user_out(
        services.accounts.register(
            body.email, body.password, name=body.name, address=_client(request)
        )
    )


@router.post("/auth/login")
def login(body: LoginIn, request: Request, services: Services) -> MeOut:
    """Sign in: sets the session cookie; the answer holds the CSRF token that
    cookie-authenticated writes must send in ``X-CSRF-Token``."""
    user = services.accounts.authenticate(body.email, body.password, address=_client(request))
    sign_in(request, user)
    status = services.accounts.licences.status(user.id)
    return MeOut(user=user_out(user), licence=licence_out(status), csrf_token=csrf_token(request))


@router.post("/auth/logout", status_code=204)
def logout(request: Request) -> None:
    """End the session, on the server too: the cookie, replayed, no longer signs in (the
    CSRF token is required: no one can sign you out by a link)."""
    if request.session.get("uid") is not None:
        check_csrf(request, request.headers.get("x-csrf-token"))
    sign_out(request)


@router.get("/me", response_model=MeOut)
async def me(call: Call, request: Request) -> Response:
    """The current user and licence."""
    licences = call.services.accounts.licences

    def described(user: UserRecord) -> Response:
        status = licences.status(user.id)
        token = csrf_token(request) if request.session.get("uid") is not None else None
        return _ME.response(
            MeOut(user=user_out(user), licence=licence_out(status), csrf_token=token)
        )

    return await call.run(described)


@router.post("/me/password")
def change_password(body: PasswordIn, user: User, services: Services, request: Request) -> UserOut:
    """Change the password: every other session ends and every API token is revoked but
    those named in ``keep_tokens``."""
    changed = services.accounts.change_password(
        user.id, body.current_password, body.new_password, keep_tokens=body.keep_tokens
    )
    if request.session.get("uid") == user.id:
        sign_in(request, changed)
    return user_out(changed)


@router.get("/tokens")
def tokens(user: User, services: Services) -> list[TokenOut]:
    """The API tokens of the current user (never the tokens themselves)."""
    return [token_out(t) for t in services.accounts.tokens(user.id)]


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, user: User, services: Services, request: Request) -> NewTokenOut:
    """A new API token, shown in this answer only; with ``expires_in_days`` it stops
    working after that many days; ``scope`` is ``read``, ``write`` (the default) or
    ``admin``. Made with a token, it never exceeds that token's scope nor outlives it, and
    revoking that token revokes it."""
    days = body.expires_in_days
    expires_in = None if days is None else timedelta(days=days)
    holder = token_of(request)
    record, token = services.accounts.create_token(
        user.id,
        body.name,
        expires_in=expires_in,
        scope=body.scope,
        parent_id=None if holder is None else holder.token_id,
    )
    return NewTokenOut(**token_out(record).model_dump(), token=token)


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, user: User, services: Services) -> TokenOut:
    """Revoke one of your tokens, and every token it minted."""
    return token_out(services.accounts.revoke_token(user.id, token_id))


@router.get("/licence")
def licence(user: User, services: Services) -> LicenceOut:
    """The licence in force, days left and models used."""
    return licence_out(services.accounts.licences.status(user.id))


@router.post("/licence/activate")
def activate(body: ActivateIn, user: User, services: Services) -> LicenceOut:
    """Activate a licence key (``PLAN-<16 hex>``)."""
    services.accounts.licences.activate(user.id, body.key)
    return licence_out(services.accounts.licences.status(user.id))
