"""``/health`` (the catalog, the store and the job queue answer), ``/health/live`` (the
process answers) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from entrepot.health import Check, check_database, check_job_queue

router = APIRouter(tags=["operations"])


def _check(name: str, probe: Any) -> Check:
    try:
        return Check(name, True, probe())
    except Exception as exc:  # a health check reports, it never raises
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def _store_probe(store: Any) -> str:
    store.exists("_health/probe")  # a HEAD: reachable, credentials accepted
    return f"{store.url} reachable"


@router.get("/health/live")
def live() -> dict[str, str]:
    """The process is up (no dependency is checked)."""
    return {"status": "ok"}


@router.get("/health")
def health(request: Request) -> JSONResponse:
    """The catalog is reachable and migrated, the store and the job queue answer."""
    app = request.app.state.entrepot
    services = request.app.state.services
    checks = [
        check_database(app.engine),
        _check("store", lambda: _store_probe(app.raw_store)),
        check_job_queue(services.queue.description, services.queue.pending),
    ]
    ok = all(c.ok for c in checks)
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
    }
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus metrics: requests, latency, requests in flight, jobs by state."""
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
