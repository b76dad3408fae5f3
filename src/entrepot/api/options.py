"""The web service's options, taken from the one Settings.

Fields the web service adds are read from ``entrepot.config.Settings`` when it has them;
until it does, from the same ``ENTREPOT_*`` variables (and ``.env``) through
:class:`WebEnvironment`, so that nothing changes for the user when they move.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from entrepot.config import Settings, parse_size
from entrepot.fraud_service.options import ServiceOptions


class WebEnvironment(BaseSettings):
    """``ENTREPOT_*`` variables of the web service (to be merged into ``Settings``)."""

    model_config = SettingsConfigDict(env_prefix="ENTREPOT_", env_file=".env", extra="ignore")

    #: The job queue: unset = embedded (a SQLite file in ``var_dir``); ``redis://...``.
    jobs_url: str | None = None
    #: Alias of ``jobs_url`` for Redis.
    redis_url: str | None = None
    #: The queue's name, so that several installations can share one Redis.
    jobs_name: str = "entrepot"
    var_dir: Path = Path("var")
    training_budget: float = 60.0
    upload_limit: str = "10GiB"
    reference_count: int = 13
    reference_rows: int = 20_000
    reference_budget: float = 10.0
    job_heartbeat_seconds: float = 10.0
    job_stale_seconds: float = 120.0
    worker_threads: int = 2
    session_days: int = 14
    #: OpenID Connect sign-in, off unless the three are set.
    oidc_metadata_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = "Google"


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


def _value(settings: Settings, env: WebEnvironment, name: str) -> Any:
    return getattr(settings, name) if name in type(settings).model_fields else getattr(env, name)


def web_options(settings: Settings, **overrides: Any) -> WebOptions:
    """The web options of ``settings`` (``overrides`` replace service options: tests)."""
    env = WebEnvironment()

    def get(name: str) -> Any:
        return _value(settings, env, name)

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
