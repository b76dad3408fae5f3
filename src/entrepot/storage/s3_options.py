"""How to reach an S3 endpoint: the S3 adapter's options, in a module of their own so that
the URL opener can name them without importing the adapter and its SDKs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

#: S3's smallest part (every part but the last).
MIN_PART_SIZE = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class S3Options:
    """How to reach an S3 endpoint and move bytes to it; the defaults suit AWS.

    ``endpoint_url`` is left ``None`` for AWS, or e.g. ``http://127.0.0.1:9000`` for
    MinIO. ``path_style`` defaults to path-style requests for a custom endpoint and
    virtual-hosted ones for AWS; ``allow_http`` to whether the endpoint is ``http://``.
    Credentials left ``None`` come from the standard AWS chain (environment variables,
    shared config and profiles, SSO, container or instance roles) on first use.

    Sources above ``multipart_threshold`` bytes are uploaded in ``part_size`` parts,
    ``max_concurrency`` at a time. Transient failures are retried ``max_retries`` times
    with backoff for at most ``retry_timeout``, so an unreachable endpoint fails fast.
    """

    endpoint_url: str | None = None
    region: str | None = None
    path_style: bool | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    allow_http: bool | None = None
    multipart_threshold: int = 16 * 1024 * 1024
    part_size: int = 8 * 1024 * 1024
    max_concurrency: int = 4
    max_retries: int = 3
    retry_timeout: timedelta = timedelta(seconds=15)
    connect_timeout: timedelta = timedelta(seconds=5)
    #: Silence after which a request to a server that stopped answering fails.
    read_timeout: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        scheme = urlsplit(self.endpoint_url).scheme if self.endpoint_url else "https"
        problems = {
            "endpoint_url must be http://host[:port] or https://host[:port]": (
                scheme not in ("http", "https") or not urlsplit(self.endpoint_url or "x://x").netloc
            ),
            "give both access_key_id and secret_access_key, or neither": (
                (self.access_key_id is None) != (self.secret_access_key is None)
            ),
            f"part_size must be at least {MIN_PART_SIZE} bytes (an S3 limit)": (
                self.part_size < MIN_PART_SIZE
            ),
            "multipart_threshold and max_retries must be >= 0, max_concurrency >= 1": (
                min(self.multipart_threshold, self.max_retries) < 0 or self.max_concurrency < 1
            ),
            "retry_timeout, connect_timeout and read_timeout must be positive": (
                min(self.retry_timeout, self.connect_timeout, self.read_timeout) <= timedelta(0)
            ),
        }
        for problem, failed in problems.items():
            if failed:
                raise ConfigError(
                    f"invalid S3 options: {problem}",
                    said=Message(N_("error.storage.s3_bad_options"), {"problem": problem}),
                )

    @property
    def uses_path_style(self) -> bool:
        """Whether requests name the bucket in the path (else in the host name)."""
        return self.path_style if self.path_style is not None else self.endpoint_url is not None

    @property
    def uses_http(self) -> bool:
        """Whether plain-HTTP endpoints are allowed."""
        if self.allow_http is not None:
            return self.allow_http
        return (self.endpoint_url or "").startswith("http://")
