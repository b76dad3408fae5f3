"""The FastAPI application factory.

``create_app()`` builds the app around one :class:`entrepot.bootstrap.App`; nothing is
built at import time. Routers are included here, one per area.
"""

from __future__ import annotations

from fastapi import FastAPI

from entrepot.bootstrap import App, bootstrap


def create_app(entrepot_app: App | None = None) -> FastAPI:
    """A FastAPI app over ``entrepot_app`` (built from the environment when omitted)."""
    app = FastAPI(title="Entrepôt", version="0.1.0")
    app.state.entrepot = entrepot_app if entrepot_app is not None else bootstrap()
    return app
