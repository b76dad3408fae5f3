"""The web service's options, taken from the one Settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entrepot.config import Settings, parse_size
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

    limit = get("upload_limit")
    service = ServiceOptions(
        secret_key=settings.secret_key,
        var_dir=Path(get("var_dir")),
        jobs_url=get("jobs_url") or get("redis_url"),
        jobs_name=str(get("jobs_name")),
        training_budget=float(get("training_budget")),
        upload_limit=parse_size(limit) if isinstance(limit, str) else int(limit),
        reference_count=int(get("reference_count")),
        reference_rows=int(get("reference_rows")),
        reference_budget=float(get("reference_budget")),
        heartbeat_seconds=float(get("job_heartbeat_seconds")),
        stale_after_seconds=float(get("job_stale_seconds")),
        worker_threads=int(get("worker_threads")),
    )
    if overrides:
        service = ServiceOptions(**{**service.__dict__, **overrides})
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
