"""The web service's options, taken from the one Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entrepot.bootstrap.fraud import service_options
from entrepot.config import Settings
from entrepot.fraud_service.options import ServiceOptions


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
    )
