"""The app each web process of ``entrepot serve --workers N`` serves.

uvicorn starts those processes afresh and imports :func:`served_app` in each: the app is
built from the environment, as the parent's was, with no job worker (the parent runs one
worker process for the whole instance) and the parent's log level.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

#: How the parent tells its web processes the log level it was given.
LOG_LEVEL_VARIABLE = "ENTREPOT_SERVE_LOG_LEVEL"


def served_app() -> FastAPI:
    """One web process's app (a uvicorn factory)."""
    from entrepot.api.app import create_app
    from entrepot.api.observability import configure_logging
    from entrepot.bootstrap.app import bootstrap

    core = bootstrap()
    level = os.environ.get(LOG_LEVEL_VARIABLE, "info").upper()
    configure_logging(level, json_lines=core.settings.env == "production")
    return create_app(core, worker=False)
