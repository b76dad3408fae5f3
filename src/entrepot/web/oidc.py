"""Sign in with an OpenID Connect provider (Google or any other), off unless configured.

The only module that imports authlib. The provider is described by its discovery URL
(``ENTREPOT_OIDC_METADATA_URL``, e.g. Google's
``https://accounts.google.com/.well-known/openid-configuration``), a client id and a
secret. authlib checks the state, the nonce and the ID token (signature against the
provider's keys, issuer, audience, expiry); an account is then found by the provider's
subject, or linked by a **verified** email, or created with a trial licence.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from entrepot.accounts.errors import AuthenticationRequired
from entrepot.errors import ConfigError
from entrepot.http.errors import status_of, wants_html
from entrepot.http.options import OidcOptions
from entrepot.http.sessions import flash, safe_next, sign_in
from entrepot.i18n.catalogs import N_
from entrepot.web.render import render, say

try:
    import httpx2
    from authlib.integrations.starlette_client import OAuth, OAuthError
    from joserfc.errors import JoseError
except ModuleNotFoundError as exc:  # pragma: no cover - exercised only without the extra
    raise ConfigError(
        f"OpenID Connect sign-in is configured but {exc.name} is not installed",
        hint="install it with `pip install 'entrepot[oidc]'` (authlib), or unset "
        "ENTREPOT_OIDC_METADATA_URL",
    ) from None

log = logging.getLogger("entrepot.api")
router = APIRouter(prefix="/auth/oidc", include_in_schema=False)
PROVIDER = "provider"


#: Why a sign-in through the provider failed, as the sign-in page says it.
REASONS = {
    "not_completed": N_("auth.oidc_failed.not_completed"),
    "invalid_token": N_("auth.oidc_failed.invalid_token"),
    "unverified_email": N_("auth.oidc_failed.unverified_email"),
    "provider_unreachable": N_("auth.oidc_failed.provider_unreachable"),
}


class SignInFailed(AuthenticationRequired):
    """The provider did not sign the user in; ``reason`` is a key of :data:`REASONS`."""

    hint = "try again, or sign in with your email and password"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def install(app: FastAPI, options: OidcOptions) -> None:
    """Register the provider and the two routes on ``app``."""
    oauth = OAuth()
    oauth.register(
        PROVIDER,
        server_metadata_url=options.metadata_url,
        client_id=options.client_id,
        client_secret=options.client_secret,
        client_kwargs={"scope": "openid email profile"},
    )
    app.state.oidc = oauth.create_client(PROVIDER)
    app.include_router(router)


@router.get("/login")
async def oidc_login(request: Request, next: str | None = None) -> Response:
    """Go to the provider's sign-in page."""
    request.session["oidc_next"] = safe_next(next)
    client = request.app.state.oidc
    redirect_uri = request.url_for("oidc_callback")
    response: Response = await client.authorize_redirect(request, str(redirect_uri))
    return response


@router.get("/callback", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    """Back from the provider: check its answer, then open a session. A refusal is a 401:
    the sign-in page, saying why, for a browser; ``{code, message}`` for a script."""
    try:
        claims = await _verified_claims(request)
    except SignInFailed as exc:
        if not wants_html(request):
            raise
        return render(
            request,
            "login.html",
            user=None,
            http_status=status_of(exc),
            next=safe_next(request.session.pop("oidc_next", None)),
            email="",
            error=say(request, REASONS[exc.reason]),
        )
    subject = f"{claims['iss']}|{claims['sub']}"
    services = request.app.state.services
    user = await run_in_threadpool(
        services.accounts.sign_in_oidc, subject, str(claims["email"]), str(claims.get("name") or "")
    )
    target = safe_next(request.session.pop("oidc_next", None))
    sign_in(request, user)
    flash(request, say(request, "auth.welcome", name=user.name), "success")
    return RedirectResponse(target, status_code=303)


async def _verified_claims(request: Request) -> dict[str, Any]:
    """The ID token's claims, checked by authlib (state, nonce, signature, issuer, audience,
    expiry), with a confirmed email; any failure of the exchange is a :class:`SignInFailed`."""
    client = request.app.state.oidc
    try:
        token = await client.authorize_access_token(request)
    except OAuthError as exc:
        log.info("OpenID Connect sign-in refused: %s", exc)
        raise SignInFailed(
            f"the sign-in was not completed ({exc.error})", reason="not_completed"
        ) from None
    except JoseError as exc:  # signature, issuer, audience, expiry, nonce, malformed token
        log.warning("OpenID Connect ID token refused: %r", exc)
        raise SignInFailed(
            f"the provider's ID token is not valid ({exc.error})", reason="invalid_token"
        ) from None
    except (httpx2.HTTPError, ValueError, KeyError, RuntimeError) as exc:
        log.warning("OpenID Connect provider failed: %r", exc)
        raise SignInFailed(
            "the sign-in provider could not be reached or answered badly",
            reason="provider_unreachable",
        ) from None
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    if not claims.get("email") or claims.get("email_verified") is not True:
        raise SignInFailed(
            "the provider did not confirm an email address for this account",
            reason="unverified_email",
        )
    if not isinstance(claims.get("iss"), str) or not isinstance(claims.get("sub"), str):
        raise SignInFailed("the provider's ID token names no subject", reason="invalid_token")
    return claims
