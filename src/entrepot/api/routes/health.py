"""``/health`` (the catalog, the store and the job queue do what the service needs, each
within a few seconds), ``/health/live`` (the process answers) and ``/metrics``
(Prometheus).

Anyone may ask ``/health`` whether the service is up and which part is not; what each
check found (store URLs, folders, the schema revision, broker addresses) is shown only to
administrators and to the holder of the metrics token (``ENTREPOT_METRICS_TOKEN``, sent as
``Authorization: Bearer ...``), who alone may read ``/metrics``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from entrepot.accounts.errors import AuthenticationRequired
from entrepot.health import (
    BoundedChecks,
)
from entrepot.http.deps import identify, require_admin
from entrepot.http.trust import holds_metrics_token, trusted_reader
from entrepot.messages import N_, Message

router = APIRouter(tags=["operations"])


def _checks(request: Request) -> BoundedChecks:
    state = request.app.state
    bounded: BoundedChecks | None = getattr(state, "health_checks", None)
    if bounded is None:
        bounded = state.health_checks = BoundedChecks(state.options.web.health_timeout)
    return bounded


@router.get("/health/live")
def live() -> dict[str, str]:
    """The process is up (no dependency is checked)."""
    return {"status": "ok"}


@router.get("/health")
def health(request: Request) -> JSONResponse:
    """The catalog is reachable and migrated, the store takes, returns and deletes a
    probe, the job queue answers; each within the health timeout. Details for admins and
    the metrics token only, with the damage register (a warning, never a failure)."""
    detailed = trusted_reader(request)
    found = request.app.state.entrepot.health.service(_checks(request), detailed=detailed)
    ok, checks = found.ok, found.checks
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": [
            {
                "name": c.name,
                "ok": c.ok,
                **({"detail": c.detail, "warning": c.warning} if detailed else {}),
            }
            for c in checks
        ],
    }
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus metrics (requests, latency, requests in flight, jobs by state), for the
    metrics token (``Authorization: Bearer ...``) or an administrator."""
    if not holds_metrics_token(request):
        user, _ = identify(request, request.app.state.entrepot)
        if user is None:
            raise AuthenticationRequired(
                "the metrics need the metrics token or an administrator",
                hint="send 'Authorization: Bearer <ENTREPOT_METRICS_TOKEN>', or sign in as admin",
                said=Message(N_("error.api.metrics_need_token")),
            )
        require_admin(
            request,
            user,
            "the metrics are for administrators",
            Message(N_("error.api.metrics_admin_only")),
        )
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
