"""Sign in with an OpenID Connect provider (Google or any other), off unless configured.

The only module that imports authlib. The provider is described by its discovery URL
(``ENTREPOT_OIDC_METADATA_URL``, e.g. Google's
``https://accounts.google.com/.well-known/openid-configuration``), a client id and a
secret. authlib checks the state, the nonce and the ID token (signature against the
provider's keys, issuer, audience, expiry); an account is then found by the provider's
subject, or linked by a **verified** email, or created with a trial licence.

Every request authlib sends goes through :class:`GuardedTransport`: the outbound rule
(:mod:`entrepot.outbound`, ADR 0052) holds for the discovery document and every URL it
names (keys, token, user info), each connects to the address that was checked (DNS
pinning), answers are bounded (:data:`MAX_BODY`) and timed
(:data:`TIMEOUT`), redirects are not followed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from entrepot.accounts.errors import AuthenticationRequired
from entrepot.errors import ConfigError
from entrepot.http.errors import status_of, wants_html
from entrepot.http.options import OidcOptions
from entrepot.http.sessions import safe_next, sign_in
from entrepot.i18n.catalogs import N_
from entrepot.messages import Message
from entrepot.outbound import (
    BodyTooLarge,
    Outbound,
    OutboundRefused,
    Resolve,
    origin,
    pinned,
    shown,
    system_resolve,
)
from entrepot.web.render import flash_said, render, say

try:
    import httpx2
    from authlib.integrations.starlette_client import OAuth, OAuthError
    from joserfc.errors import JoseError
except ModuleNotFoundError as exc:  # pragma: no cover - exercised only without the extra
    raise ConfigError(
        f"OpenID Connect sign-in is configured but {exc.name} is not installed",
        hint="install it with `pip install 'entrepot[oidc]'` (authlib), or unset "
        "ENTREPOT_OIDC_METADATA_URL",
        said=Message(
            N_("error.web.oidc_not_installed"),
            {"module": str(exc.name), "install": "pip install 'entrepot[oidc]'"},
        ),
    ) from None

log = logging.getLogger("entrepot.api")
router = APIRouter(prefix="/auth/oidc", include_in_schema=False)
PROVIDER = "provider"
#: The largest answer read from the provider (a discovery document, a key set, a token).
MAX_BODY = 1024 * 1024
#: Seconds the provider gets to connect and to answer each request.
TIMEOUT = 10.0


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

    def __init__(self, message: str, *, reason: str, said: Message) -> None:
        super().__init__(message, said=said)
        self.reason = reason


class GuardedTransport(httpx2.AsyncBaseTransport):
    """Each request checked by ``rule`` before it is sent, and sent to an address that was
    checked (the host resolved once: no DNS rebinding; the name kept for ``Host`` and TLS),
    its answer read within ``max_body`` bytes. A fresh connection per request: sign-ins
    are rare, and a client authlib closes after each exchange never closes a pool another
    one uses."""

    def __init__(
        self, rule: Outbound, *, max_body: int = MAX_BODY, resolve: Resolve = system_resolve
    ) -> None:
        self.rule = rule
        self.max_body = max_body
        self.resolve = resolve

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        check = partial(self.rule.destination, url.scheme, url.host, url.port, self.resolve)
        try:
            addresses = await anyio.to_thread.run_sync(check)
        except OutboundRefused as exc:
            raise OutboundRefused(
                f"{url.scheme}://{url.host}{url.path} is not fetched: {exc.reason}",
                reason=exc.reason,
            ) from None
        inner = httpx2.AsyncHTTPTransport()
        try:
            answer = await self._first_answer(inner, request, addresses)
        except BaseException:
            await inner.aclose()
            raise
        declared = answer.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await answer.aclose()
            await inner.aclose()
            raise BodyTooLarge(
                f"{url.host} announces {declared} bytes, over {self.max_body}",
                said=Message(
                    N_("error.web.oidc_announces_too_much"),
                    {"host": str(url.host), "declared": declared, "limit": str(self.max_body)},
                ),
            )
        return httpx2.Response(
            answer.status_code,
            headers=answer.headers,
            stream=_Bounded(answer, inner, self.max_body, str(url.host)),
            extensions=answer.extensions,
        )

    @staticmethod
    async def _first_answer(
        inner: httpx2.AsyncHTTPTransport, request: httpx2.Request, addresses: tuple[str, ...]
    ) -> httpx2.Response:
        """The answer from the first checked address that takes the connection."""
        for address in addresses[:-1]:
            try:
                return await inner.handle_async_request(pinned(request, address))
            except httpx2.ConnectError:
                continue
        return await inner.handle_async_request(pinned(request, addresses[-1]))


class _Bounded(httpx2.AsyncByteStream):
    """An answer's bytes until they pass the bound; closing it closes its connection."""

    def __init__(
        self, answer: httpx2.Response, inner: httpx2.AsyncHTTPTransport, limit: int, host: str
    ) -> None:
        self._answer, self._inner, self._limit, self._host = answer, inner, limit, host

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._answer.aiter_raw():
            seen += len(chunk)
            if seen > self._limit:
                raise BodyTooLarge(
                    f"{self._host} sent more than {self._limit} bytes",
                    said=Message(
                        N_("error.web.oidc_sent_too_much"),
                        {"host": self._host, "limit": str(self._limit)},
                    ),
                )
            yield chunk

    async def aclose(self) -> None:
        await self._answer.aclose()
        await self._inner.aclose()


def outbound_rule(options: OidcOptions) -> Outbound:
    """The rule of this provider's requests: its discovery URL is the operator's, and
    must itself pass (https, or a host the operator allows); raises :class:`ConfigError`."""
    rule = Outbound.of([options.metadata_url], options.allowed_hosts)
    try:
        rule.check(options.metadata_url)
    except OutboundRefused as exc:
        raise ConfigError(
            f"ENTREPOT_OIDC_METADATA_URL: {exc.message}",
            hint="give the provider's https discovery URL; for a provider on your own "
            "network over http, add its host to ENTREPOT_OUTBOUND_ALLOWED_HOSTS",
            said=Message(N_("error.web.oidc_metadata_url"), {"reason": exc.message}),
        ) from None
    return rule


def redirect_uri(options: OidcOptions) -> str:
    """Where the provider sends browsers back: the configured public URL's callback,
    never one built from the request's ``Host`` (a forged ``Host`` would otherwise
    receive the authorization code); raises :class:`ConfigError` when it is not set."""
    public = (options.public_url or "").strip().rstrip("/")
    scheme, _, rest = public.partition("://")
    if scheme not in ("http", "https") or not rest or "?" in rest or "#" in rest:
        raise ConfigError(
            "OpenID Connect sign-in is configured but ENTREPOT_OIDC_PUBLIC_URL is "
            f"{'not set' if not public else 'not an http(s) URL: ' + shown(public)}",
            hint="set ENTREPOT_OIDC_PUBLIC_URL to the address users reach the service at "
            "(https://entrepot.example.org); the provider returns to its /auth/oidc/callback",
            said=Message(N_("error.oidc.public_url_bad"), {"given": shown(public)})
            if public
            else Message(N_("error.oidc.public_url_unset"), {}),
        )
    return f"{public}{router.prefix}/callback"


def install(app: FastAPI, options: OidcOptions) -> None:
    """Register the provider and the two routes on ``app``."""
    oauth = OAuth()
    rule = outbound_rule(options)
    app.state.oidc_redirect_uri = redirect_uri(options)
    transport = GuardedTransport(rule)
    oauth.register(
        PROVIDER,
        server_metadata_url=options.metadata_url,
        client_id=options.client_id,
        client_secret=options.client_secret,
        client_kwargs={
            "scope": "openid email profile",
            "transport": transport,
            "timeout": TIMEOUT,
            "follow_redirects": False,
        },
    )
    app.state.oidc = oauth.create_client(PROVIDER)
    app.state.oidc_rule = rule
    app.include_router(router)


@router.get("/login")
async def oidc_login(request: Request, next: str | None = None) -> Response:
    """Go to the provider's sign-in page."""
    request.session["oidc_next"] = safe_next(next)
    client = request.app.state.oidc
    back: str = request.app.state.oidc_redirect_uri
    try:
        await _check_authorization_endpoint(client, request.app.state.oidc_rule)
        response: Response = await client.authorize_redirect(request, back)
    except (OutboundRefused, BodyTooLarge, httpx2.HTTPError, ValueError, RuntimeError) as exc:
        log.warning("OpenID Connect provider failed: %r", exc)
        failed = SignInFailed(
            "the sign-in provider could not be reached or answered badly",
            reason="provider_unreachable",
            said=Message(N_("error.web.oidc_unreachable")),
        )
        if not wants_html(request):
            raise failed from None
        return _refused_page(request, failed)
    return response


async def _check_authorization_endpoint(client: Any, rule: Outbound) -> None:
    """The discovery document's ``authorization_endpoint`` is where browsers are sent:
    https (or an allowed host), never ``javascript:`` or ``data:``."""
    metadata = await client.load_server_metadata()
    endpoint = str(metadata.get("authorization_endpoint") or "")
    scheme, host, _ = origin(endpoint)
    reason = rule.transport_refusal(scheme, host)
    if reason is not None:
        raise OutboundRefused(f"the authorization endpoint {shown(endpoint)}: {reason}")


def _refused_page(request: Request, exc: SignInFailed) -> Response:
    return render(
        request,
        "login.html",
        user=None,
        http_status=status_of(exc),
        next=safe_next(request.session.pop("oidc_next", None)),
        email="",
        error=say(request, REASONS[exc.reason]),
    )


@router.get("/callback", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    """Back from the provider: check its answer, then open a session. A refusal is a 401:
    the sign-in page, saying why, for a browser; ``{code, message}`` for a script."""
    try:
        claims = await _verified_claims(request)
    except SignInFailed as exc:
        if not wants_html(request):
            raise
        return _refused_page(request, exc)
    subject = f"{claims['iss']}|{claims['sub']}"
    services = request.app.state.entrepot
    user = await run_in_threadpool(
        services.accounts.sign_in_oidc, subject, str(claims["email"]), str(claims.get("name") or "")
    )
    target = safe_next(request.session.pop("oidc_next", None))
    sign_in(request, user)
    flash_said(request, N_("auth.welcome"), "success", name=user.name)
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
            f"the sign-in was not completed ({exc.error})",
            reason="not_completed",
            said=Message(N_("error.web.oidc_not_completed"), {"error": str(exc.error)}),
        ) from None
    except JoseError as exc:  # signature, issuer, audience, expiry, nonce, malformed token
        log.warning("OpenID Connect ID token refused: %r", exc)
        raise SignInFailed(
            f"the provider's ID token is not valid ({exc.error})",
            reason="invalid_token",
            said=Message(N_("error.web.oidc_invalid_token"), {"error": str(exc.error)}),
        ) from None
    except (OutboundRefused, BodyTooLarge) as exc:  # the provider named a forbidden place
        log.warning("OpenID Connect provider refused by the outbound rule: %s", exc.message)
        raise SignInFailed(
            "the sign-in provider could not be reached or answered badly",
            reason="provider_unreachable",
            said=Message(N_("error.web.oidc_unreachable")),
        ) from None
    except (httpx2.HTTPError, ValueError, KeyError, RuntimeError) as exc:
        log.warning("OpenID Connect provider failed: %r", exc)
        raise SignInFailed(
            "the sign-in provider could not be reached or answered badly",
            reason="provider_unreachable",
            said=Message(N_("error.web.oidc_unreachable")),
        ) from None
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    if not claims.get("email") or claims.get("email_verified") is not True:
        raise SignInFailed(
            "the provider did not confirm an email address for this account",
            reason="unverified_email",
            said=Message(N_("error.web.oidc_unverified_email")),
        )
    if not isinstance(claims.get("iss"), str) or not isinstance(claims.get("sub"), str):
        raise SignInFailed(
            "the provider's ID token names no subject",
            reason="invalid_token",
            said=Message(N_("error.web.oidc_no_subject")),
        )
    return claims
