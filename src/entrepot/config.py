"""One Settings object, read from ``ENTREPOT_*`` variables and a ``.env`` file.

Entrypoints build it (never at import time) and hand typed options to the composition
root. Environment detection (``AWS_EXECUTION_ENV``...) may choose defaults, never override.
Each setting is read once, into the instance's own fields or one of the groups
``entrepot.settings`` declares (ADR 0078); users name it by its setting name everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Literal

from entrepot.config_libraries import first_library_value, library_variables
from entrepot.config_values import BEFORE, check_bounds, convert, dotenv_values, sources
from entrepot.errors import ConfigError
from entrepot.masking import mask_url
from entrepot.messages import N_, Message
from entrepot.outbound import AllowedHosts
from entrepot.settings import group_settings, setting, setting_name
from entrepot.settings.cache import CacheSettings
from entrepot.settings.catalog import CatalogSettings
from entrepot.settings.city import CitySettings
from entrepot.settings.fraud import FraudSettings
from entrepot.settings.jobs import JobsSettings
from entrepot.settings.oidc import OidcSettings
from entrepot.settings.store import StoreSettings
from entrepot.settings.web import WebSettings

ENV_PREFIX = "ENTREPOT_"
_AWS_MARKERS = ("AWS_EXECUTION_ENV", "ECS_CONTAINER_METADATA_URI_V4", "AWS_LAMBDA_FUNCTION_NAME")
_SECRET_FIELDS = frozenset({"secret_key", "oidc_client_secret", "metrics_token", "token"})
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


@dataclass(frozen=True, init=False)
class Settings:
    """The effective configuration of one Entrepôt process: the values given to the
    constructor (by setting name), else the ``ENTREPOT_*`` variables (environment, then
    ``.env``), else the defaults; each converted by its declared type and checked (ADR
    0030), read once into the instance's own settings and one group each (ADR 0078). A
    wrong value raises :class:`InvalidSettings` naming every problem."""

    env: Literal["development", "production"] = "development"
    #: Signs sessions and model versions. Unset in development: a random secret generated
    #: on first start and kept in ``var_dir/secret_key`` (mode 0600); production requires it.
    secret_key: str | None = setting(None, secret=True)
    var_dir: Path = Path("var")
    #: Hosts the product may fetch from beyond the outbound rule (ADR 0052): over plain
    #: http, or at a private address, when a server's answer names them (an OpenID
    #: provider's endpoints, a feed's redirect). Comma-separated names or addresses, for
    #: every use; ``feeds=HOST`` or ``oidc=HOST`` for one use only, groups split by ``;``.
    outbound_allowed_hosts: tuple[str, ...] = setting((), before="hosts")
    #: The level of the logs of ``entrepot serve`` and ``entrepot worker`` (``--log-level``
    #: wins); ``serve --workers N`` hands its own to its web processes through it.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: A deployed service the command line works on instead of a local instance
    #: (``https://entrepot.example.org``): its user commands go through the HTTP API, with
    #: ``token``; unset: the login ``entrepot login`` stored, else the local instance.
    url: str | None = None
    #: The API token sent to ``url`` (``entrepot users token EMAIL`` mints one).
    token: str | None = setting(None, secret=True)
    store: StoreSettings = field(default_factory=StoreSettings, metadata={"group": StoreSettings})
    catalog: CatalogSettings = field(
        default_factory=CatalogSettings, metadata={"group": CatalogSettings}
    )
    cache: CacheSettings = field(default_factory=CacheSettings, metadata={"group": CacheSettings})
    jobs: JobsSettings = field(default_factory=JobsSettings, metadata={"group": JobsSettings})
    web: WebSettings = field(default_factory=WebSettings, metadata={"group": WebSettings})
    city: CitySettings = field(default_factory=CitySettings, metadata={"group": CitySettings})
    fraud: FraudSettings = field(default_factory=FraudSettings, metadata={"group": FraudSettings})
    oidc: OidcSettings = field(default_factory=OidcSettings, metadata={"group": OidcSettings})
    #: The names of the settings given rather than defaulted (see :meth:`is_set`).
    _set: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, **given: Any) -> None:
        unknown = set(given) - set(_INDEX)
        if unknown:
            raise TypeError(f"Settings got unknown settings: {', '.join(sorted(unknown))}")
        texts = sources(ENV_PREFIX)
        problems: list[str] = []
        values: dict[str, Any] = {}
        for name in _ORDER:
            try:
                values[name] = _value(name, _INDEX[name][1], given, texts)
            except ValueError as exc:  # SettingError, or a size that does not parse
                raw = given.get(name, texts.get(name))
                problems.append(_problem(name, str(exc), raw))
        if not problems:
            self._hold(values)
            problems = self._unsafe_secrets()
        if problems:
            raise InvalidSettings(problems)
        object.__setattr__(self, "_set", frozenset(_INDEX.keys() & (set(given) | set(texts))))

    def _hold(self, values: dict[str, Any]) -> None:
        """Keep ``values`` (setting name -> value; a group's missing ones default)."""
        grouped: dict[str | None, dict[str, Any]] = {}
        for name, value in values.items():
            group, spec = _INDEX[name]
            grouped.setdefault(group, {})[spec.name] = value
        for spec in fields(self):
            if "group" in spec.metadata:
                built = spec.metadata["group"](**grouped.get(spec.name, {}))
                object.__setattr__(self, spec.name, built)
            else:
                own = grouped.get(None, {})
                object.__setattr__(self, spec.name, own.get(spec.name, spec.default))

    def is_set(self, name: str) -> bool:
        """Whether the setting ``name`` was given (in code, the environment or ``.env``)
        rather than left to its default."""
        return name in self._set

    def value(self, name: str) -> Any:
        """The value of the setting ``name`` (``store_url``: ``self.store.url``)."""
        group, spec = _INDEX[name]
        return getattr(getattr(self, group) if group else self, spec.name)

    @classmethod
    def unchecked(cls, **values: Any) -> Settings:
        """Settings holding ``values`` (by setting name) and the defaults, neither read from
        the environment nor checked: for a test that needs settings a user could not give."""
        settings = object.__new__(cls)
        settings._hold({name: values[name] for name in _ORDER if name in values})
        object.__setattr__(settings, "_set", frozenset(values))
        return settings

    def with_values(self, **values: Any) -> Settings:
        """These settings with ``values`` (by setting name) instead, unchecked: a test's."""
        settings = object.__new__(type(self))
        settings._hold({name: values.get(name, self.value(name)) for name in _ORDER})
        object.__setattr__(settings, "_set", self._set | frozenset(values))
        return settings

    def _unsafe_secrets(self) -> list[str]:
        """A published or short value is refused everywhere; production also refuses an
        unset secret (development generates one per instance instead)."""
        key = self.secret_key
        how = _HOW_TO_SET_SECRET
        unset = "" if self.env == "production" else ", or unset it to use a generated one"
        problems = []
        if key is not None and key.strip().lower() in _KNOWN_SECRETS:
            problems.append(
                "ENTREPOT_SECRET_KEY is a published example value; anyone could sign "
                f"sessions with it. {how}{unset}"
            )
        elif self.env == "production" and key is None:
            problems.append(f"ENTREPOT_SECRET_KEY is required in production. {how}")
        elif key is not None and len(key) < MIN_SECRET_LENGTH:
            problems.append(
                f"ENTREPOT_SECRET_KEY has {len(key)} characters; it needs at least "
                f"{MIN_SECRET_LENGTH}. {how}{unset}"
            )
        token = self.web.metrics_token
        if token is not None and (
            token.strip().lower() in _KNOWN_SECRETS or len(token) < MIN_SECRET_LENGTH
        ):
            problems.append(
                f"ENTREPOT_METRICS_TOKEN must be a random value of at least "
                f"{MIN_SECRET_LENGTH} characters, not an example; anyone could read the "
                f"metrics with it. {how}, or unset it (then only admins may)"
            )
        return problems

    @property
    def outbound_hosts(self) -> AllowedHosts:
        """The hosts fetched beyond the outbound rule, for every use and per use
        (``.of("feeds")``, ``.of("oidc")``; ADR 0052)."""
        return AllowedHosts.parse(self.outbound_allowed_hosts)


class InvalidSettings(ValueError):
    """Settings that cannot be used; ``problems`` says each one in the user's words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _index() -> dict[str, tuple[str | None, Any]]:
    """Each setting name -> its group's name on :class:`Settings` (``None``: the instance's
    own) and its field."""
    found: dict[str, tuple[str | None, Any]] = {}
    for spec in fields(Settings):
        group = spec.metadata.get("group")
        own = group_settings(group) if group else {setting_name(spec): spec}
        found.update({name: (spec.name if group else None, f) for name, f in own.items()})
    return found


_INDEX = _index()
#: The order ``config show`` lists the settings in, as it did before they were grouped
#: (``tests/unit/test_settings_once.py`` holds that it names every setting once).
_ORDER = (
    "env",
    "store_url",
    "database_url",
    "metrics_url",
    "city_velib_url",
    "city_weather_url",
    "city_portal_url",
    "city_scan_threads",
    "cache_dir",
    "cache_max_bytes",
    "s3_endpoint_url",
    "s3_region",
    "s3_path_style",
    "managed_prefixes",
    "secret_key",
    "jobs_url",
    "redis_url",
    "jobs_name",
    "var_dir",
    "training_budget",
    "training_clock",
    "training_device",
    "upload_limit",
    "reference_count",
    "reference_rows",
    "reference_min_frauds",
    "reference_budget",
    "job_memory_budget",
    "job_heartbeat_seconds",
    "job_stale_seconds",
    "worker_threads",
    "dask_url",
    "session_days",
    "body_limit",
    "http_body_timeout",
    "http_min_rate",
    "http_body_grace",
    "http_keep_alive",
    "trusted_proxies",
    "metrics_token",
    "health_timeout",
    "port",
    "outbound_allowed_hosts",
    "oidc_metadata_url",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_name",
    "oidc_public_url",
    "fraud_library",
    "log_level",
    "url",
    "token",
)


def setting_names() -> tuple[str, ...]:
    """The name of every setting (``ENTREPOT_`` + the name in capitals is its variable)."""
    return _ORDER


def _value(name: str, spec: Any, given: dict[str, Any], texts: dict[str, str]) -> Any:
    """One setting's value: given, else its variable's text, else the first set of the
    library variables it names (``library``), else its default (on a detected cloud
    platform, its ``on_platform`` default); converted by its type and checked by its
    metadata (``before``: how the raw value is read first; ``ge``/``gt``/``le``)."""
    meta = spec.metadata
    if name in given:
        raw = given[name]
    elif name in texts:
        raw = texts[name]
    elif "library" in meta and (found := first_library_value(meta["library"])):
        raw = found[1]
    elif "on_platform" in meta and detected_platform():
        raw = meta["on_platform"]
    else:
        raw = spec.default
    value = convert(spec.type, BEFORE[meta["before"]](raw) if "before" in meta else raw)
    check_bounds(value, meta)
    return value


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from the environment, raising :class:`ConfigError` with every problem."""
    try:
        return Settings(**overrides)
    except InvalidSettings as exc:
        problems = exc.problems
    raise ConfigError(
        "invalid configuration: " + "; ".join(problems),
        hint="fix these variables in the environment or the .env file (README: Configuration)",
        said=Message(N_("error.config.invalid"), {"problems": "; ".join(problems)}),
    ) from None


def _problem(name: str, message: str, given: Any) -> str:
    """One setting's problem in our words: the variable, the value given (never a
    secret's), what is wrong."""
    if message.startswith(ENV_PREFIX):
        return message
    if message.startswith("cannot be read"):  # text that is not JSON: no value to show
        return f"{ENV_PREFIX}{name.upper()} {message}"
    shown = "" if name in _SECRET_FIELDS or given is None else f"={given!r}"
    return f"{ENV_PREFIX}{name.upper()}{shown}: {message}"


@dataclass(frozen=True)
class SettingSource:
    """One effective setting and where it came from."""

    name: str
    env_var: str
    #: The value as text (a secret masked, a URL's password masked); ``None``: unset.
    value: str | None
    source: str


def _shown(name: str, value: object) -> str | None:
    """How ``config show`` prints a setting's value: secrets masked, URLs without their
    password, tuples comma-joined, ``None`` when unset."""
    if name in _SECRET_FIELDS:
        return "****"
    if value is None:
        return None
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if name.endswith("_url") and value:
        return mask_url(str(value))
    return str(value)


def describe(settings: Settings, environ: dict[str, str] | None = None) -> list[SettingSource]:
    """Every setting with its value (secrets masked) and its source."""
    env = dict(os.environ) if environ is None else environ
    dotenv = dotenv_values()
    platform = detected_platform(env)
    rows = []
    for name in setting_names():
        var = ENV_PREFIX + name.upper()
        if var in env:
            source = "environment"
        elif var in dotenv:
            source = ".env file"
        elif found := _library_source(name, env):
            source = found
        elif name == "cache_dir" and platform:
            source = f"detected {platform}"
        elif name == "secret_key":
            source = f"generated on first start, kept in {Path(settings.var_dir) / SECRET_FILE}"
        else:
            source = "default"
        rows.append(SettingSource(name, var, _shown(name, settings.value(name)), source))
    known = frozenset(row.env_var for row in rows)
    for variable in library_variables(known, env):
        name = variable.name
        rows.append(SettingSource(name.lower(), name, variable.value, variable.source))
    return rows


def _library_source(name: str, environ: dict[str, str]) -> str | None:
    """Where a setting left unset took its value from a library variable, or None."""
    names = _INDEX[name][1].metadata.get("library")
    found = first_library_value(names, environ) if names else None
    return f"{found[0]} ({found[2]})" if found else None
