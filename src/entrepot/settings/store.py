"""Where the objects are: the store URL and how an S3 store is reached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from entrepot.settings import setting

if TYPE_CHECKING:
    from entrepot.storage.url import StoreUrl

#: The AWS SDK's variables a setting falls back to, the first one set winning.
AWS_ENDPOINT = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
AWS_REGION = ("AWS_REGION", "AWS_DEFAULT_REGION")


@dataclass(frozen=True)
class StoreSettings:
    """The store's settings."""

    url: str = setting("./var/store", name="store_url")
    #: Unset: the AWS SDK's own variable (``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL``).
    s3_endpoint_url: str | None = setting(None, library=AWS_ENDPOINT)
    #: Unset: the AWS SDK's own variable (``AWS_REGION``, ``AWS_DEFAULT_REGION``).
    s3_region: str | None = setting(None, library=AWS_REGION)
    #: None: path-style for a custom endpoint (MinIO, moto), virtual-hosted for AWS.
    s3_path_style: bool | None = None
    #: Folder prefixes that `gc` may clean; hand-placed data elsewhere is never touched.
    managed_prefixes: tuple[str, ...] = ("models/", "users/", "datasets/", "files/", "reports/")

    @property
    def parsed(self) -> StoreUrl:
        """The store URL, parsed once (``parse_store_url`` keeps what it parsed)."""
        from entrepot.storage.url import parse_store_url

        return parse_store_url(self.url)

    @property
    def is_remote(self) -> bool:
        """Whether the store is a network service (and so reads go through the cache)."""
        return self.parsed.is_remote
