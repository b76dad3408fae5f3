"""Who may see operational details (store URLs, folders, schema revisions, broker
addresses): the holder of the metrics token (``ENTREPOT_METRICS_TOKEN``, sent as
``Authorization: Bearer ...``) or an administrator. Anyone else sees states only.

Shared by the routes that show such details (``/health``, ``/metrics``, ``/city/stats``).
"""

from __future__ import annotations

import hmac

from fastapi import Request

from entrepot.accounts.errors import AuthenticationRequired
from entrepot.http.deps import acts_as_admin, identify


def holds_metrics_token(request: Request) -> bool:
    """Whether the request carries the metrics token (compared in constant time)."""
    options = getattr(request.app.state, "options", None)  # none: an app of the city API only
    expected = options.web.metrics_token if options is not None else None
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def is_admin(request: Request) -> bool:
    """Whether the request is an administrator's (by token or session)."""
    if getattr(request.app.state, "options", None) is None:  # the city API alone: no accounts
        return False
    services = request.app.state.entrepot
    try:
        user, _ = identify(request, services)
    except AuthenticationRequired:
        return False
    return user is not None and acts_as_admin(request, user)


def trusted_reader(request: Request) -> bool:
    """Whether the request may see operational details: the metrics token or an admin."""
    return holds_metrics_token(request) or is_admin(request)
