"""The FastAPI application factory.

``create_app()`` builds the app around one :class:`entrepot.bootstrap.App`; nothing is
built at import time. It wires the fraud service's services over it, installs the
middleware (request ids and metrics, signed sessions, security headers), the error
handlers, the JSON API, the pages and the city app's router when it is there. With
``worker=True`` (``entrepot serve`` on the embedded queue) a job worker runs inside the
process, and the reference library is built on first start.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrepot.api import docs, errors
from entrepot.api.bodies import BodyLimit, BodyLimits
from entrepot.api.deps import read_pool
from entrepot.api.observability import JobsCollector, Metrics, RequestContext
from entrepot.api.options import WebOptions, web_options
from entrepot.api.proxies import ClientAddress
from entrepot.api.routes import account, admin, datasets, health, jobs, models, predictions
from entrepot.api.sessions import SESSION_COOKIE
from entrepot.bootstrap import App, bootstrap
from entrepot.bootstrap.fraud import FraudServices
from entrepot.web import pages

log = logging.getLogger("entrepot.api")

#: Sent with every answer. Scripts and styles come from this site only (the charts'
#: library is served from here, never from a CDN).
SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
    b"content-security-policy": (
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
}


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS.items() if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    entrepot_app: App | None = None,
    *,
    options: WebOptions | None = None,
    worker: bool = False,
) -> FastAPI:
    """A FastAPI app over ``entrepot_app`` (built from the environment when omitted)."""
    core = entrepot_app if entrepot_app is not None else bootstrap()
    opts = options if options is not None else web_options(core.settings)
    services = core.fraud(opts.service)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        running = services.worker() if worker else None
        if running is not None:
            running.start()
            try:
                services.references.ensure()
            except Exception:  # the service starts anyway; apply-to-unlabelled will say why
                log.exception("could not start building the reference library")
        # Everything imported and built so far lives as long as the process: keep it out of
        # the collector's full passes, which would otherwise pause requests for 100+ ms.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if running is not None:
                running.stop()

    app = FastAPI(
        title="Entrepôt fraud detection",
        version="0.1.0",
        description="Upload transactions, train fraud models, score files; per-user isolation.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.entrepot = core
    app.state.services = services
    app.state.options = opts
    # no shutdown: its idle threads end with the app (or the interpreter), and a test
    # client may start and stop the same app more than once
    app.state.read_pool = read_pool()
    app.state.metrics = Metrics([JobsCollector(lambda: _jobs_by_state(services))])
    app.add_middleware(
        SessionMiddleware,
        secret_key=opts.service.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=opts.session_days * 86_400,
        same_site="lax",
        https_only=opts.production,
    )
    app.add_middleware(ClientAddress, trusted=opts.trusted_proxies)
    # Outside sessions, authentication and parsing: no body is read past its limit.
    limits = BodyLimits(default=opts.body_limit, upload=opts.service.upload_limit)
    app.add_middleware(BodyLimit, limits=limits)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestContext, metrics=app.state.metrics)
    errors.install(app)
    # FastAPI tries a request's path against every route in turn, so the routes called
    # most come first: the probes, then the JSON API's areas that scripts and pages poll.
    # No two routes answer the same method and path (tests/unit/api/test_routes.py), so
    # this order changes only the cost of a match, never which route answers.
    for router in (
        health.router,
        models.router,
        jobs.router,
        datasets.router,
        account.router,
        predictions.router,
        admin.router,
        docs.router,
    ):
        app.include_router(router)
    pages.install(app)
    _include_city(app)
    return app


def _jobs_by_state(services: FraudServices) -> dict[str, int]:
    with services.uow() as uow:
        return uow.jobs.count_by_state()


def _include_city(app: FastAPI) -> None:
    try:
        from entrepot.api.routes.city import router as city_router
    except ModuleNotFoundError as exc:
        if exc.name != "entrepot.api.routes.city":
            raise
        return
    from entrepot.dashboard.city import router as dashboard_router

    app.include_router(city_router)
    app.include_router(dashboard_router)
