"""One Settings object, read from ``ENTREPOT_*`` variables and a ``.env`` file.

Entrypoints build it (never at import time) and hand typed options to the
composition root. Environment detection (``AWS_EXECUTION_ENV`` and friends) may
choose defaults, never override what the user set.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from entrepot.errors import ConfigError
from entrepot.masking import mask_url
from entrepot.sizes import parse_size

ENV_PREFIX = "ENTREPOT_"
_AWS_MARKERS = ("AWS_EXECUTION_ENV", "ECS_CONTAINER_METADATA_URI_V4", "AWS_LAMBDA_FUNCTION_NAME")
_SECRET_FIELDS = frozenset({"secret_key", "oidc_client_secret", "metrics_token"})
#: Where a development instance keeps its generated secret, under ``var_dir``.
SECRET_FILE = "secret_key"
#: The shortest secret accepted.
MIN_SECRET_LENGTH = 32
#: Values published somewhere (examples, old defaults): known to everyone, never a secret.
_KNOWN_SECRETS = frozenset({"change-me", "changeme", "secret", "dev-insecure-secret-change-me"})
_HOW_TO_SET_SECRET = (
    'Set it to a long random value: python -c "import secrets; print(secrets.token_urlsafe(48))"'
)


def detected_platform(environ: dict[str, str] | None = None) -> str | None:
    """Name the cloud platform this process runs on, from its environment, or None."""
    env = os.environ if environ is None else environ
    for marker in _AWS_MARKERS:
        if env.get(marker):
            return f"aws ({marker})"
    return None


class Settings(BaseSettings):
    """The effective configuration of one Entrepôt process."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )

    env: Literal["development", "production"] = "development"
    store_url: str = "./var/store"
    database_url: str = "sqlite:///./var/entrepot.db"
    #: Where the city app keeps its metrics and reports: sqlite:///..., postgresql://...,
    #: mongodb://..., dynamodb://TABLE?region=...; None: the catalog database itself.
    metrics_url: str | None = None
    #: Where ``entrepot city collect`` fetches the live feeds (a mirror or proxy may stand in).
    city_velib_url: str = "https://velib-metropole-opendata.smovengo.cloud/opendata/Velib_Metropole"
    city_weather_url: str = "https://api.open-meteo.com/v1/forecast"
    city_portal_url: str = "https://opendata.paris.fr/api/explore/v2.1"
    #: DuckDB's threads for the counts export scan (a traffic unit); the workers of
    #: ``city run --jobs --workers N`` get their share of the cores, ``max(1, cores // N)``.
    city_scan_threads: int = Field(default=2, ge=1, le=64)
    cache_dir: Path = Path("./var/cache")
    cache_max_bytes: int = Field(default=2 * 1024**3, ge=0)
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    #: None: path-style for a custom endpoint (MinIO, moto), virtual-hosted for AWS.
    s3_path_style: bool | None = None
    #: Folder prefixes that `gc` may clean; hand-placed data elsewhere is never touched.
    managed_prefixes: tuple[str, ...] = ("models/", "users/", "datasets/", "files/", "reports/")
    #: Signs sessions and model versions. Unset in development: a random secret generated
    #: on first start and kept in ``var_dir/secret_key`` (mode 0600); production requires it.
    secret_key: str | None = None
    #: Jobs: unset -> an embedded queue under var_dir; redis://host:6379/0 to share machines.
    jobs_url: str | None = None
    redis_url: str | None = None
    jobs_name: str = "entrepot"
    var_dir: Path = Path("var")
    training_budget: float = 60.0
    upload_limit: str = "10GiB"
    reference_count: int = 13
    reference_rows: int = 20_000
    reference_min_frauds: int = 400
    reference_budget: float = 9.0
    job_heartbeat_seconds: float = 10.0
    job_stale_seconds: float = 120.0
    worker_threads: int = 2
    session_days: int = 14
    #: The largest request body of a route that is not an upload (JSON, forms).
    body_limit: str = "1MiB"
    #: Addresses (or networks, ``10.0.0.0/8``) of the reverse proxies whose
    #: ``X-Forwarded-For`` is believed; none by default (the peer's address is the client's).
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    #: ``Authorization: Bearer`` token that reads ``/metrics`` and ``/health``'s details
    #: (admins may too); unset: admins only.
    metrics_token: str | None = None
    #: Seconds the store and the catalog get to answer ``/health``.
    health_timeout: float = Field(default=3.0, gt=0, le=60)
    #: OpenID Connect sign-in, off unless the metadata URL and client are set.
    oidc_metadata_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = "Google"

    @model_validator(mode="before")
    @classmethod
    def _platform_defaults(cls, data: Any) -> Any:
        """On a detected cloud platform, default the cache to the container's scratch space."""
        if isinstance(data, dict) and detected_platform() and "cache_dir" not in data:
            data = {**data, "cache_dir": Path("/tmp/entrepot-cache")}
        return data

    @field_validator("cache_max_bytes", mode="before")
    @classmethod
    def _parse_size(cls, value: Any) -> Any:
        return parse_size(value) if isinstance(value, str) else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        for entry in value or ():
            try:
                ipaddress.ip_network(str(entry), strict=False)
            except ValueError:
                raise ValueError(
                    f"ENTREPOT_TRUSTED_PROXIES: {entry!r} is not an address or a network "
                    "(write 10.0.0.1 or 10.0.0.0/8, comma-separated)"
                ) from None
        return value

    @field_validator("body_limit")
    @classmethod
    def _check_body_limit(cls, value: str) -> str:
        parse_size(value)
        return value

    @model_validator(mode="after")
    def _no_known_secret(self) -> Settings:
        """A published or short value is refused everywhere; production also refuses an
        unset secret (development generates one per instance instead)."""
        key = self.secret_key
        how = _HOW_TO_SET_SECRET
        if key is not None and key.strip().lower() in _KNOWN_SECRETS:
            raise ValueError(
                f"ENTREPOT_SECRET_KEY is a published example value; anyone could sign "
                f"sessions with it. {how}"
                + ("" if self.env == "production" else ", or unset it to use a generated one")
            )
        if self.env == "production" and key is None:
            raise ValueError(f"ENTREPOT_SECRET_KEY is required in production. {how}")
        if key is not None and len(key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"ENTREPOT_SECRET_KEY has {len(key)} characters; it needs at least "
                f"{MIN_SECRET_LENGTH}. {how}"
                + ("" if self.env == "production" else ", or unset it to use a generated one")
            )
        token = self.metrics_token
        if token is not None and (
            token.strip().lower() in _KNOWN_SECRETS or len(token) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                f"ENTREPOT_METRICS_TOKEN must be a random value of at least "
                f"{MIN_SECRET_LENGTH} characters, not an example; anyone could read the "
                f"metrics with it. {how}, or unset it (then only admins may)"
            )
        return self

    @property
    def store_is_remote(self) -> bool:
        """Whether the store is a network service (and so reads go through the cache)."""
        return self.store_url.startswith("s3://")


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from the environment, raising :class:`ConfigError` with every problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [_problem(error) for error in exc.errors(include_url=False)]
    except ValueError as exc:  # pydantic-settings could not decode a variable
        problems = [_undecodable(str(exc))]
    raise ConfigError(
        "invalid configuration: " + "; ".join(problems),
        hint="fix these variables in the environment or the .env file (README: Configuration)",
    ) from None


def _problem(error: Any) -> str:
    """One validation error in our words: the variable, what is wrong, the value given
    (never a secret's)."""
    field = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"])
    if error["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    else:  # pydantic's "Input should be ..." -> "should be ..."
        message = message.replace("Input should", "should", 1)
    if not field or message.startswith(ENV_PREFIX):
        return message
    var = ENV_PREFIX + field.upper()
    given = "" if field in _SECRET_FIELDS else f"={error.get('input')!r}"
    return f"{var}{given}: {message}"


def _undecodable(text: str) -> str:
    found = re.search(r'field "(\w+)"', text)
    if found is None:
        return text
    variable = ENV_PREFIX + found.group(1).upper()
    return f'{variable} cannot be read: write it as JSON (a list: ["a", "b"])'


@dataclass(frozen=True)
class SettingSource:
    """One effective setting and where it came from."""

    name: str
    env_var: str
    value: str
    source: str


def describe(settings: Settings, environ: dict[str, str] | None = None) -> list[SettingSource]:
    """Every setting with its value (secrets masked) and its source."""
    env = dict(os.environ) if environ is None else environ
    dotenv = _dotenv_values()
    platform = detected_platform(env)
    rows = []
    for name in type(settings).model_fields:
        var = ENV_PREFIX + name.upper()
        if var in env:
            source = "environment"
        elif var in dotenv:
            source = ".env file"
        elif name == "cache_dir" and platform:
            source = f"detected {platform}"
        elif name == "secret_key":
            source = f"generated on first start, kept in {Path(settings.var_dir) / SECRET_FILE}"
        else:
            source = "default"
        value = getattr(settings, name)
        text = ",".join(value) if isinstance(value, tuple) else str(value)
        if name in _SECRET_FIELDS:
            text = "****"
        elif name.endswith("_url") and value:
            text = mask_url(text)
        rows.append(SettingSource(name, var, text, source))
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_REGION"):
        if var in env:
            shown = env[var] if var in ("AWS_PROFILE", "AWS_REGION") else "****"
            rows.append(SettingSource(var.lower(), var, shown, "environment"))
    return rows


def _dotenv_values() -> dict[str, str | None]:
    from dotenv import dotenv_values

    path = Path(".env")
    return dict(dotenv_values(path)) if path.is_file() else {}
