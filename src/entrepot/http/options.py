"""The web service's options, taken from the one Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entrepot.bootstrap.fraud import service_options
from entrepot.config import Settings
from entrepot.fraud_service.options import ServiceOptions
from entrepot.http.pace import BodyPace
from entrepot.settings.oidc import OidcSettings
from entrepot.settings.web import WebSettings


@dataclass(frozen=True)
class OidcOptions:
    """One OpenID Connect provider, set whole (:meth:`of` the ``oidc`` settings)."""

    metadata_url: str
    client_id: str
    client_secret: str
    name: str
    #: Hosts fetched beyond the outbound rule (``ENTREPOT_OUTBOUND_ALLOWED_HOSTS``).
    allowed_hosts: tuple[str, ...] = ()
    #: The service's public URL (``ENTREPOT_OIDC_PUBLIC_URL``); the redirect URI is built
    #: from it, never from the request's ``Host``; ``install`` refuses ``None``.
    public_url: str | None = None

    @classmethod
    def of(cls, oidc: OidcSettings, allowed_hosts: tuple[str, ...]) -> OidcOptions | None:
        """The provider the ``oidc`` settings name, or ``None`` when they are not set whole."""
        if not (oidc.metadata_url and oidc.client_id and oidc.client_secret):
            return None
        return cls(
            oidc.metadata_url,
            oidc.client_id,
            oidc.client_secret,
            oidc.name,
            allowed_hosts,
            oidc.public_url,
        )


@dataclass(frozen=True)
class WebOptions:
    """What the web entrypoint needs: the settings' ``web`` group as it is, and what is
    derived from the others (:func:`web_options`); the settings hold every default."""

    service: ServiceOptions
    production: bool
    #: Sessions, body limits and pace, proxies, the metrics token, ``/health``'s timeout;
    #: uploads are limited by ``service.fraud.upload_limit``.
    web: WebSettings
    oidc: OidcOptions | None

    @property
    def body_pace(self) -> BodyPace:
        """How fast a request body must arrive (ADR 0040)."""
        web = self.web
        return BodyPace(
            idle_seconds=web.body_timeout, min_rate=web.min_rate, grace_seconds=web.body_grace
        )


def web_options(settings: Settings, **overrides: Any) -> WebOptions:
    """The web options of ``settings`` (``overrides`` replace service options: tests)."""
    return WebOptions(
        service=service_options(settings, **overrides),
        production=settings.env == "production",
        web=settings.web,
        oidc=OidcOptions.of(settings.oidc, settings.outbound_hosts.of("oidc")),
    )
