"""The web service's options, taken from the one Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entrepot.bootstrap.fraud import service_options
from entrepot.config import Settings
from entrepot.fraud_service.options import ServiceOptions
from entrepot.http.pace import BodyPace


@dataclass(frozen=True)
class OidcOptions:
    """One OpenID Connect provider."""

    metadata_url: str
    client_id: str
    client_secret: str
    name: str
    #: Hosts fetched beyond the outbound rule (``ENTREPOT_OUTBOUND_ALLOWED_HOSTS``).
    allowed_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebOptions:
    """What the web entrypoint needs: a view of the settings (:func:`web_options`), which
    hold every default."""

    service: ServiceOptions
    production: bool
    session_days: int
    oidc: OidcOptions | None
    #: The largest body of a route that is not an upload (uploads: ``service.upload_limit``).
    body_limit: int
    #: How fast a request body must arrive (ADR 0040).
    body_pace: BodyPace
    #: Proxies whose ``X-Forwarded-For`` is believed (addresses or networks).
    trusted_proxies: tuple[str, ...]
    #: Reads ``/metrics`` and ``/health``'s details; ``None``: admins only.
    metrics_token: str | None
    #: Seconds each ``/health`` probe may take.
    health_timeout: float


def web_options(settings: Settings, **overrides: Any) -> WebOptions:
    """The web options of ``settings`` (``overrides`` replace service options: tests)."""
    oidc = None
    if settings.oidc_metadata_url and settings.oidc_client_id and settings.oidc_client_secret:
        oidc = OidcOptions(
            settings.oidc_metadata_url,
            settings.oidc_client_id,
            settings.oidc_client_secret,
            settings.oidc_name,
            settings.outbound_hosts.of("oidc"),
        )
    return WebOptions(
        service=service_options(settings, **overrides),
        production=settings.env == "production",
        session_days=settings.session_days,
        oidc=oidc,
        body_limit=settings.body_limit,
        body_pace=BodyPace(
            idle_seconds=settings.http_body_timeout,
            min_rate=settings.http_min_rate,
            grace_seconds=settings.http_body_grace,
        ),
        trusted_proxies=tuple(settings.trusted_proxies),
        metrics_token=settings.metrics_token or None,
        health_timeout=settings.health_timeout,
    )
