"""The web service: sessions, request bodies, proxies, operational reads."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.settings import setting


@dataclass(frozen=True)
class WebSettings:
    """What the web entrypoints read (``http.options.WebOptions`` holds this group)."""

    session_days: int = 14
    #: The largest request body of a route that is not an upload (JSON, forms; bytes).
    body_limit: int = setting(1024**2, ge=1, before="size")
    #: Seconds an incomplete request body may go without a byte before the answer is a
    #: 408 and the connection is closed (ADR 0040).
    body_timeout: float = setting(30.0, name="http_body_timeout", gt=0, le=3600)
    #: Slowest average rate of a request body (bytes a second; ``1KiB`` is read) once
    #: ``http_body_grace`` has passed; 0: no minimum.
    min_rate: int = setting(1024, name="http_min_rate", ge=0, before="size")
    #: Seconds a request body may start slowly before ``http_min_rate`` counts.
    body_grace: float = setting(10.0, name="http_body_grace", ge=0, le=3600)
    #: Seconds ``entrepot serve`` keeps an idle connection open for the client's next
    #: request; behind a load balancer, more than the balancer's own idle timeout.
    keep_alive: float = setting(5.0, name="http_keep_alive", gt=0, le=3600)
    #: Addresses (or networks, ``10.0.0.0/8``) of the reverse proxies whose
    #: ``X-Forwarded-For`` is believed; none by default (the peer's address is the client's).
    trusted_proxies: tuple[str, ...] = setting((), before="proxies")
    #: ``Authorization: Bearer`` token that reads ``/metrics`` and ``/health``'s details
    #: (admins may too); unset: admins only.
    metrics_token: str | None = setting(None, secret=True)
    #: Seconds the store and the catalog get to answer ``/health``.
    health_timeout: float = setting(3.0, gt=0, le=60)
    #: The port ``entrepot serve`` listens on when ``--port`` does not say.
    port: int = setting(8000, ge=1, le=65535)
