"""Dependencies of the routes: the wired services and the authenticated user.

Everything comes from ``app.state.entrepot``: the :class:`~entrepot.bootstrap.app.App`,
the one container of the instance's services (``services.accounts``,
``services.fraud().datasets``). The user is identified by a bearer token or
by the session cookie, and never by anything else the client sends.

A sync route taking :data:`User` costs two thread-pool hops (the dependency, then the
route). A hot read route takes :data:`Call` instead: an async route whose one hop
authenticates (the same :func:`current_user`) and then does the route's work (ADR 0026).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from entrepot.accounts.errors import AuthenticationRequired, NotAllowed
from entrepot.bootstrap.app import App
from entrepot.catalog.accounts.records import TokenHolder, UserRecord
from entrepot.http.errors import LoginRedirect
from entrepot.http.sessions import CSRF_HEADER, UNSAFE, check_csrf, session_identity
from entrepot.messages import N_, Message


async def get_services(request: Request) -> App:
    """The instance's services (async: no work, so no thread-pool hop)."""
    services: App = request.app.state.entrepot
    return services


Services = Annotated[App, Depends(get_services)]
T = TypeVar("T")


def identify(request: Request, services: App) -> tuple[UserRecord | None, bool]:
    """The user the request authenticates as, and whether it did so by cookie. A token
    must have the scope the request's method needs (``read`` for ``GET``, ``write`` for a
    change: ``AccountService.check_scope``); :func:`token_of` gives the token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        holder = services.accounts.bearer(token.strip())
        if holder is None:
            raise AuthenticationRequired(
                "the API token is not valid (unknown, revoked, expired, or its account is "
                "deactivated)",
                said=Message(N_("error.http.token_invalid")),
            )
        request.state.token = holder
        services.accounts.check_scope(holder, request.method)
        return _seen(request, holder.user), False
    identity = session_identity(request)
    if identity is None:
        return None, False
    user = services.accounts.session_user(*identity)
    if user is None:  # signed out, expired, password changed, deactivated or deleted
        for name in ("uid", "epoch", "sid"):
            request.session.pop(name, None)
        return None, False
    return _seen(request, user), True


def token_of(request: Request) -> TokenHolder | None:
    """The API token the request was authenticated by (``None``: a session, or none)."""
    holder: TokenHolder | None = getattr(request.state, "token", None)
    return holder


def acts_as_admin(request: Request, user: UserRecord) -> bool:
    """Whether ``user``, as this request authenticates them, may use an admin route: an
    administrator, signed in or with a token of the scope ``admin``."""
    holder = token_of(request)
    return user.is_admin and (
        holder is None or request.app.state.entrepot.accounts.token_acts_as_admin(holder)
    )


def require_admin(
    request: Request,
    user: UserRecord,
    refusal: str = "this needs an administrator",
    said: Message | None = None,
) -> None:
    """Raise :class:`NotAllowed` (saying ``refusal``) unless :func:`acts_as_admin`."""
    if not user.is_admin:
        raise NotAllowed(
            refusal,
            hint="ask an administrator",
            said=said or Message(N_("error.http.needs_admin")),
        )
    holder = token_of(request)
    if holder is not None:
        request.app.state.entrepot.accounts.check_scope(holder, request.method, admin=True)


def _seen(request: Request, user: UserRecord) -> UserRecord:
    request.state.user_id = user.id  # for the access log
    return user


def current_user(request: Request, services: Services) -> UserRecord:
    """The authenticated user; cookie-authenticated unsafe requests must carry the CSRF
    token in ``X-CSRF-Token``."""
    user, by_cookie = identify(request, services)
    if user is None:
        raise AuthenticationRequired("sign in first", said=Message(N_("error.http.sign_in_first")))
    if by_cookie and request.method in UNSAFE:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return user


#: Threads of the hot read routes' pool: as many as anyio's default pool has.
READ_THREADS = 40


def read_pool() -> ThreadPoolExecutor:
    """The thread pool of :class:`Caller` (its threads start on first use)."""
    return ThreadPoolExecutor(READ_THREADS, thread_name_prefix="entrepot-read")


class Caller:
    """The request's caller, authenticated in the thread-pool hop that serves it."""

    def __init__(self, request: Request, services: App, pool: Executor) -> None:
        self._request = request
        self._pool = pool
        self.services = services

    async def run(self, work: Callable[[UserRecord], T]) -> T:
        """``work(user)`` for the authenticated user (:func:`current_user`, which raises
        when there is none), both in one hop to the app's read pool, with this request's
        context (its request id), their catalog reads on one connection
        (``catalog.shared_reads()``, ADR 0095)."""
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, context.run, self._authenticated, work)

    def _authenticated(self, work: Callable[[UserRecord], T]) -> T:
        with self.services.catalog.shared_reads():
            return work(current_user(self._request, self.services))


async def caller(request: Request) -> Caller:
    """The caller of the request, not yet authenticated (async: no work, no hop)."""
    state = request.app.state
    return Caller(request, state.entrepot, state.read_pool)


def admin_user(request: Request, user: Annotated[UserRecord, Depends(current_user)]) -> UserRecord:
    """The authenticated user, who must be an administrator (with a token: of the scope
    ``admin``)."""
    require_admin(request, user)
    return user


def optional_user(request: Request, services: Services) -> UserRecord | None:
    """The signed-in user of a page, or ``None``."""
    try:
        return identify(request, services)[0]
    except AuthenticationRequired:
        return None


def page_user(request: Request, services: Services) -> UserRecord:
    """The signed-in user of a page; without one, a redirect to the sign-in page."""
    user = optional_user(request, services)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRedirect(target)
    return user


def page_admin(request: Request, user: Annotated[UserRecord, Depends(page_user)]) -> UserRecord:
    """The signed-in administrator of an admin page."""
    require_admin(
        request,
        user,
        "this page is for administrators",
        Message(N_("error.http.admin_page")),
    )
    return user


User = Annotated[UserRecord, Depends(current_user)]
Admin = Annotated[UserRecord, Depends(admin_user)]
PageUser = Annotated[UserRecord, Depends(page_user)]
PageAdmin = Annotated[UserRecord, Depends(page_admin)]
MaybeUser = Annotated[UserRecord | None, Depends(optional_user)]
Call = Annotated[Caller, Depends(caller)]
