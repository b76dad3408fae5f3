"""One Settings object, read from ``ENTREPOT_*`` variables and a ``.env`` file.

Entrypoints build it (never at import time) and hand typed options to the composition
root. Environment detection (``AWS_EXECUTION_ENV``...) may choose defaults, never override.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from entrepot.config_libraries import first_library_value, library_variables
from entrepot.config_values import SettingError, convert, dotenv_values, sources
from entrepot.errors import ConfigError
from entrepot.masking import mask_url
from entrepot.outbound import AllowedHosts
from entrepot.sizes import parse_size

if TYPE_CHECKING:
    from entrepot.storage.url import StoreUrl

ENV_PREFIX = "ENTREPOT_"
_AWS_MARKERS = ("AWS_EXECUTION_ENV", "ECS_CONTAINER_METADATA_URI_V4", "AWS_LAMBDA_FUNCTION_NAME")
#: The AWS SDK's variables a setting falls back to, the first one set winning.
_AWS_ENDPOINT = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
_AWS_REGION = ("AWS_REGION", "AWS_DEFAULT_REGION")
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


def _proxies(value: Any) -> Any:
    """``"10.0.0.1, 10.0.0.0/8"`` -> a tuple; each entry must be an address or a network."""
    if isinstance(value, str):
        value = tuple(part.strip() for part in value.split(",") if part.strip())
    for entry in value or ():
        try:
            ipaddress.ip_network(str(entry), strict=False)
        except ValueError:
            raise SettingError(
                f"ENTREPOT_TRUSTED_PROXIES: {entry!r} is not an address or a network "
                "(write 10.0.0.1 or 10.0.0.0/8, comma-separated)"
            ) from None
    return value


def _hosts(value: Any) -> Any:
    """``"127.0.0.1; feeds=opendata.paris.fr,mirror.lan; oidc=sso.corp.lan"`` -> one
    entry a host, ``use=host`` for a host allowed for one use only (no scheme, no port, no
    path: the rule compares hosts); read once here (:meth:`Settings.outbound_hosts`)."""
    groups = value.split(";") if isinstance(value, str) else [str(v) for v in value or ()]
    try:
        return AllowedHosts.parse(groups).entries()
    except ValueError as exc:
        raise SettingError(f"ENTREPOT_OUTBOUND_ALLOWED_HOSTS: {exc}") from None


def _size(value: Any) -> Any:
    """``"2GiB"`` -> bytes; a number stays as given."""
    return parse_size(value) if isinstance(value, str) else value


@dataclass(frozen=True, init=False)
class Settings:
    """The effective configuration of one Entrepôt process: the values given to the
    constructor, else the ``ENTREPOT_*`` variables (environment, then ``.env``), else
    the defaults; each converted by its declared type and checked (ADR 0030). A wrong
    value raises :class:`InvalidSettings` naming every problem."""

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
    city_scan_threads: int = field(default=2, metadata={"ge": 1, "le": 64})
    cache_dir: Path = field(
        default=Path("./var/cache"), metadata={"on_platform": Path("/tmp/entrepot-cache")}
    )
    cache_max_bytes: int = field(default=2 * 1024**3, metadata={"ge": 0, "before": _size})
    #: Unset: the AWS SDK's own variable (``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL``).
    s3_endpoint_url: str | None = field(default=None, metadata={"library": _AWS_ENDPOINT})
    #: Unset: the AWS SDK's own variable (``AWS_REGION``, ``AWS_DEFAULT_REGION``).
    s3_region: str | None = field(default=None, metadata={"library": _AWS_REGION})
    #: None: path-style for a custom endpoint (MinIO, moto), virtual-hosted for AWS.
    s3_path_style: bool | None = None
    #: Folder prefixes that `gc` may clean; hand-placed data elsewhere is never touched.
    managed_prefixes: tuple[str, ...] = ("models/", "users/", "datasets/", "files/", "reports/")
    #: Signs sessions and model versions. Unset in development: a random secret generated
    #: on first start and kept in ``var_dir/secret_key`` (mode 0600); production requires it.
    secret_key: str | None = field(default=None, repr=False)
    #: Jobs: unset -> an embedded queue under var_dir; redis://host:6379/0 to share machines.
    jobs_url: str | None = None
    redis_url: str | None = None
    jobs_name: str = "entrepot"
    var_dir: Path = Path("var")
    training_budget: float = 60.0
    #: What the training and reference budgets are read on: ``wall`` (seconds), or
    #: ``steps`` (one per boosting round: the same file and seed give the same model on
    #: any machine, however loaded; ``entrepot.fraud.train.clocks``).
    training_clock: Literal["wall", "steps"] = "wall"
    #: No upload may exceed this, whatever the plan (bytes; ``10GiB`` is read).
    upload_limit: int = field(default=10 * 1024**3, metadata={"ge": 1, "before": _size})
    reference_count: int = 13
    reference_rows: int = 20_000
    reference_min_frauds: int = 400
    reference_budget: float = 9.0
    #: The most memory a training or scoring job may use (bytes; ``2GiB`` is read; unset:
    #: half the machine's); a bigger job is refused with the figures (ADR 0066).
    job_memory_budget: int | None = field(default=None, metadata={"before": _size})
    job_heartbeat_seconds: float = 10.0
    job_stale_seconds: float = 120.0
    worker_threads: int = 2
    session_days: int = 14
    #: The largest request body of a route that is not an upload (JSON, forms; bytes).
    body_limit: int = field(default=1024**2, metadata={"ge": 1, "before": _size})
    #: Seconds an incomplete request body may go without a byte before the answer is a
    #: 408 and the connection is closed (ADR 0040).
    http_body_timeout: float = field(default=30.0, metadata={"gt": 0, "le": 3600})
    #: Slowest average rate of a request body (bytes a second; ``1KiB`` is read) once
    #: ``http_body_grace`` has passed; 0: no minimum.
    http_min_rate: int = field(default=1024, metadata={"ge": 0, "before": _size})
    #: Seconds a request body may start slowly before ``http_min_rate`` counts.
    http_body_grace: float = field(default=10.0, metadata={"ge": 0, "le": 3600})
    #: Seconds ``entrepot serve`` keeps an idle connection open for the client's next
    #: request; behind a load balancer, more than the balancer's own idle timeout.
    http_keep_alive: float = field(default=5.0, metadata={"gt": 0, "le": 3600})
    #: Addresses (or networks, ``10.0.0.0/8``) of the reverse proxies whose
    #: ``X-Forwarded-For`` is believed; none by default (the peer's address is the client's).
    trusted_proxies: tuple[str, ...] = field(default=(), metadata={"before": _proxies})
    #: ``Authorization: Bearer`` token that reads ``/metrics`` and ``/health``'s details
    #: (admins may too); unset: admins only.
    metrics_token: str | None = field(default=None, repr=False)
    #: Seconds the store and the catalog get to answer ``/health``.
    health_timeout: float = field(default=3.0, metadata={"gt": 0, "le": 60})
    #: Hosts the product may fetch from beyond the outbound rule (ADR 0052): over plain
    #: http, or at a private address, when a server's answer names them (an OpenID
    #: provider's endpoints, a feed's redirect). Comma-separated names or addresses, for
    #: every use; ``feeds=HOST`` or ``oidc=HOST`` for one use only, groups split by ``;``.
    outbound_allowed_hosts: tuple[str, ...] = field(default=(), metadata={"before": _hosts})
    #: OpenID Connect sign-in, off unless the metadata URL and client are set.
    oidc_metadata_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_name: str = "Google"
    #: The reference models of ``entrepot fraud`` as a folder instead of the registry's
    #: library (``--library`` and ``--into`` take precedence).
    fraud_library: Path | None = None
    #: The level of the logs of ``entrepot serve`` and ``entrepot worker`` (``--log-level``
    #: wins); ``serve --workers N`` hands its own to its web processes through it.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: A deployed service the command line works on instead of a local instance
    #: (``https://entrepot.example.org``): its user commands go through the HTTP API, with
    #: ``token``; unset: the login ``entrepot login`` stored, else the local instance.
    url: str | None = None
    #: The API token sent to ``url`` (``entrepot users token EMAIL`` mints one).
    token: str | None = field(default=None, repr=False)
    #: The names of the settings given rather than defaulted (see :meth:`is_set`).
    _set: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, **given: Any) -> None:
        unknown = set(given) - _FIELD_NAMES
        if unknown:
            raise TypeError(f"Settings got unknown settings: {', '.join(sorted(unknown))}")
        texts = sources(ENV_PREFIX)
        problems: list[str] = []
        for spec in fields(self):
            name = spec.name
            try:
                value = self._value(spec, given, texts)
            except ValueError as exc:  # SettingError, or a size that does not parse
                raw = given.get(name, texts.get(name))
                problems.append(_problem(name, str(exc), raw))
                continue
            object.__setattr__(self, name, value)
        if not problems:
            problems = self._unsafe_secrets()
        if problems:
            raise InvalidSettings(problems)
        object.__setattr__(self, "_set", frozenset(_FIELD_NAMES & (set(given) | set(texts))))

    def is_set(self, name: str) -> bool:
        """Whether the setting ``name`` was given (in code, the environment or ``.env``)
        rather than left to its default."""
        return name in self._set

    @classmethod
    def unchecked(cls, **values: Any) -> Settings:
        """Settings holding ``values`` and the defaults, neither read from the environment
        nor checked: for a test that needs settings a user could not give."""
        settings = object.__new__(cls)
        for spec in fields(cls):
            object.__setattr__(settings, spec.name, values.get(spec.name, spec.default))
        object.__setattr__(settings, "_set", frozenset(values))
        return settings

    @staticmethod
    def _value(spec: Any, given: dict[str, Any], texts: dict[str, str]) -> Any:
        """One field's value: given, else its variable's text, else the first set of the
        library variables it names (``library``), else its default (on a detected cloud
        platform, its ``on_platform`` default); converted by its type and
        checked by its metadata (``before``: applied to the raw value; ``ge``/``gt``/``le``;
        ``check``: called on the value)."""
        meta = spec.metadata
        if spec.name in given:
            raw = given[spec.name]
        elif spec.name in texts:
            raw = texts[spec.name]
        elif "library" in meta and (found := first_library_value(meta["library"])):
            raw = found[1]
        elif "on_platform" in meta and detected_platform():
            raw = meta["on_platform"]
        else:
            raw = spec.default
        value = convert(spec.type, meta["before"](raw) if "before" in meta else raw)
        _check_bounds(value, meta)
        if "check" in meta:
            meta["check"](value)
        return value

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
        token = self.metrics_token
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

    @property
    def store(self) -> StoreUrl:
        """The store URL, parsed once (``parse_store_url`` keeps what it parsed)."""
        from entrepot.storage.url import parse_store_url

        return parse_store_url(self.store_url)

    @property
    def store_is_remote(self) -> bool:
        """Whether the store is a network service (and so reads go through the cache)."""
        return self.store.is_remote


class InvalidSettings(ValueError):
    """Settings that cannot be used; ``problems`` says each one in the user's words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def setting_names() -> tuple[str, ...]:
    """The name of every setting (``ENTREPOT_`` + the name in capitals is its variable)."""
    return tuple(f.name for f in fields(Settings))


_FIELD_NAMES = frozenset(setting_names())


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from the environment, raising :class:`ConfigError` with every problem."""
    try:
        return Settings(**overrides)
    except InvalidSettings as exc:
        problems = exc.problems
    raise ConfigError(
        "invalid configuration: " + "; ".join(problems),
        hint="fix these variables in the environment or the .env file (README: Configuration)",
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


def _check_bounds(value: Any, bounds: Any) -> None:
    if "ge" in bounds and value < bounds["ge"]:
        raise SettingError(f"should be greater than or equal to {bounds['ge']}")
    if "gt" in bounds and value <= bounds["gt"]:
        raise SettingError(f"should be greater than {bounds['gt']}")
    if "le" in bounds and value > bounds["le"]:
        raise SettingError(f"should be less than or equal to {bounds['le']}")


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
        rows.append(SettingSource(name, var, _shown(name, getattr(settings, name)), source))
    known = frozenset(row.env_var for row in rows)
    for variable in library_variables(known, env):
        name = variable.name
        rows.append(SettingSource(name.lower(), name, variable.value, variable.source))
    return rows


def _library_source(name: str, environ: dict[str, str]) -> str | None:
    """Where a setting left unset took its value from a library variable, or None."""
    names = next((f.metadata.get("library") for f in fields(Settings) if f.name == name), None)
    found = first_library_value(names, environ) if names else None
    return f"{found[0]} ({found[2]})" if found else None
