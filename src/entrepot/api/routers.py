"""The JSON API's routers, installed in the order requests use them."""

from __future__ import annotations

from fastapi import FastAPI

from entrepot.api import docs
from entrepot.api.routes import (
    account,
    admin,
    datasets,
    health,
    jobs,
    model_push,
    models,
    predictions,
)
from entrepot.http.aliases import Successor

#: The seeds' paths, kept for their clients until the release named (issue 23): each
#: answers as before, with headers naming the path that replaces it.
DEPRECATED_PATHS = {
    "/api/analyze": Successor("/api/upload", removed_in="0.3.0"),
    "/api/download_s3_predictions": Successor(
        "/api/predictions/{prediction_id}/download", removed_in="0.3.0"
    ),
}


def install_api(app: FastAPI) -> None:
    """Add the JSON API and its documentation to ``app``.

    FastAPI tries a request's path against every route in turn, so the routes called most
    come first: the probes, then the areas that scripts and pages poll. No two routes answer
    the same method and path (tests/unit/api/test_routes.py), so this order changes only the
    cost of a match, never which route answers."""
    for router in (
        health.router,
        models.router,
        model_push.router,
        jobs.router,
        datasets.router,
        account.router,
        predictions.router,
        admin.router,
        docs.router,
    ):
        app.include_router(router)
