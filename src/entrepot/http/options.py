"""The web service's options, taken from the one Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entrepot.bootstrap.fraud import service_options
from entrepot.config import Settings
from entrepot.fraud_service.options import ServiceOptions
from entrepot.sizes import parse_size

MIB = 1024 * 1024


@dataclass(frozen=True)
class OidcOptions:
    """One OpenID Connect provider."""

    metadata_url: str
    client_id: str
    client_secret: str
    name: str


@dataclass(frozen=True)
class WebOptions:
    """What the web entrypoint needs."""

    service: ServiceOptions
    production: bool
    session_days: int = 14
    oidc: OidcOptions | None = None
    #: The largest body of a route that is not an upload (uploads: ``service.upload_limit``).
    body_limit: int = MIB
    #: Proxies whose ``X-Forwarded-For`` is believed (addresses or networks).
    trusted_proxies: tuple[str, ...] = ()
    #: Reads ``/metrics`` and ``/health``'s details; ``None``: admins only.
    metrics_token: str | None = None
    #: Seconds each ``/health`` probe may take.
    health_timeout: float = 3.0


def web_options(settings: Settings, **overrides: Any) -> WebOptions:
    """The web options of ``settings`` (``overrides`` replace service options: tests)."""

    def get(name: str) -> Any:
        return getattr(settings, name)

    service = service_options(settings, **overrides)
    oidc = None
    if get("oidc_metadata_url") and get("oidc_client_id") and get("oidc_client_secret"):
        oidc = OidcOptions(
            get("oidc_metadata_url"),
            get("oidc_client_id"),
            get("oidc_client_secret"),
            get("oidc_name"),
        )
    return WebOptions(
        service=service,
        production=settings.env == "production",
        session_days=int(get("session_days")),
        oidc=oidc,
        body_limit=parse_size(str(get("body_limit"))),
        trusted_proxies=tuple(get("trusted_proxies")),
        metrics_token=get("metrics_token") or None,
        health_timeout=float(get("health_timeout")),
    )
