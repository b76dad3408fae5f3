"""The ASGI application, assembled: the one module that puts the JSON API (``api``), the
pages (``web``) and the city dashboard (``dashboard``) together; none of the three imports
another, and nothing imports this module back (``entrepot serve`` names it to uvicorn).

``create_app()`` builds the app around one :class:`entrepot.bootstrap.App`; nothing is
built at import time. It wires the fraud service's services over it, installs the
middleware (request ids and metrics, signed sessions, security headers), the error
handlers, the JSON API, the static assets, the pages and the city app's routers when the
city extra is there. No job ever runs in a web process: ``entrepot serve`` starts the job
worker as a child process (ADR 0073). :func:`served_app` is the app each web process of
``entrepot serve --workers N`` serves.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from entrepot.api.routers import DEPRECATED_PATHS, install_api
from entrepot.bootstrap import App, bootstrap
from entrepot.http import assets, errors
from entrepot.http.aliases import DeprecatedPaths
from entrepot.http.bodies import BodyLimit, BodyLimits
from entrepot.http.deps import read_pool
from entrepot.http.observability import JobsCollector, Metrics, RequestContext
from entrepot.http.options import WebOptions, web_options
from entrepot.http.pace import BodyPaceGuard
from entrepot.http.proxies import ClientAddress
from entrepot.http.refusals import declare_refusals
from entrepot.http.security import SecurityHeaders
from entrepot.http.sessions import SESSION_COOKIE
from entrepot.web import pages


def create_app(
    entrepot_app: App | None = None,
    *,
    options: WebOptions | None = None,
) -> FastAPI:
    """A FastAPI app over ``entrepot_app`` (built from the environment when omitted)."""
    core = entrepot_app if entrepot_app is not None else bootstrap()
    opts = options if options is not None else web_options(core.settings)
    core.fraud(opts.service)  # the fraud service, wired with the web's options

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything imported and built so far lives as long as the process: keep it out of
        # the collector's full passes, which would otherwise pause requests for 100+ ms.
        gc.collect()
        gc.freeze()
        yield

    app = FastAPI(
        title="Entrepôt fraud detection",
        version="0.1.0",
        description="Upload transactions, train fraud models, score files; per-user isolation.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.entrepot = core
    app.state.options = opts
    # no shutdown: its idle threads end with the app (or the interpreter), and a test
    # client may start and stop the same app more than once
    app.state.read_pool = read_pool()
    app.state.metrics = Metrics([JobsCollector(core.jobs.count_by_state)])
    app.add_middleware(
        SessionMiddleware,
        secret_key=opts.service.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=opts.web.session_days * 86_400,
        same_site="lax",
        https_only=opts.production,
    )
    app.add_middleware(ClientAddress, trusted=opts.web.trusted_proxies)
    # Outside sessions, authentication and parsing: no body is read past its limit.
    limits = BodyLimits(default=opts.web.body_limit, upload=opts.service.fraud.upload_limit)
    app.add_middleware(BodyLimit, limits=limits)
    # Outside the limit: a body that stops arriving is answered 408, whatever its size.
    app.add_middleware(BodyPaceGuard, pace=opts.body_pace)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(DeprecatedPaths, successors=DEPRECATED_PATHS)
    app.add_middleware(RequestContext, metrics=app.state.metrics)
    errors.install(app)
    install_api(app)
    app.include_router(assets.router)
    pages.install(app)
    _include_city(app)
    declare_refusals(app)  # every route's 4xx in the OpenAPI document, from one table
    return app


def served_app() -> FastAPI:
    """One web process's app (a uvicorn factory): built from the environment, as the
    parent's was (the parent runs one worker process for the whole instance), with the
    parent's log level."""
    from entrepot.http.observability import configure_logging

    core = bootstrap()
    settings = core.settings  # the parent's log level reaches it as ENTREPOT_LOG_LEVEL
    configure_logging(settings.log_level.upper(), json_lines=settings.env == "production")
    return create_app(core)


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
