"""The S3 control plane, through ``boto3``: buckets created and checked, incomplete
multipart uploads listed and aborted, and the ``boto3`` session the object client's
credentials come from. Part of :class:`~entrepot.storage.s3.S3Store`, which supplies the
bucket, its folder, the options and the error context."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from entrepot.errors import AccessDenied, ConfigError
from entrepot.messages import N_, Message
from entrepot.storage import s3_uploads
from entrepot.storage.keys import normalize_prefix
from entrepot.storage.s3_errors import S3Context, S3Failure, translate
from entrepot.storage.s3_options import S3Options
from entrepot.storage.types import PendingUpload

#: What to install when an S3 SDK is missing.
S3_PIP = "pip install 'obstore>=0.12,<0.13' 'boto3>=1.40'"


class S3Buckets:
    """The bucket and multipart-upload methods of :class:`~entrepot.storage.s3.S3Store`."""

    _bucket: str
    _root: str
    _options: S3Options

    if TYPE_CHECKING:

        @property
        def url(self) -> str: ...

        def _context(self, operation: str, key: str | None) -> S3Context: ...

        def _key_of(self, path: str) -> str | None: ...

    def _boto3_session(self) -> Any:
        try:
            import boto3
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ConfigError(
                "S3 needs boto3 for credentials and buckets",
                hint=S3_PIP,
                said=Message(N_("error.storage.s3_needs_boto3"), {"install": S3_PIP}),
            ) from exc
        opts = self._options
        return boto3.session.Session(
            aws_access_key_id=opts.access_key_id,
            aws_secret_access_key=opts.secret_access_key,
            aws_session_token=opts.session_token,
            region_name=opts.region,
        )

    # -- buckets (boto3) ---------------------------------------------------
    def create_bucket(self) -> bool:
        """Create the bucket; returns ``False`` if it already exists and is yours."""

        def create(client: Any) -> None:  # us-east-1 takes no location and re-creates quietly
            region = client.meta.region_name
            where = {"LocationConstraint": region} if region not in (None, "us-east-1") else None
            client.create_bucket(
                Bucket=self._bucket, **({"CreateBucketConfiguration": where} if where else {})
            )

        taken = {"BucketAlreadyOwnedByYou"}
        return not self.bucket_exists() and self._control("create bucket", create, taken)

    def bucket_exists(self) -> bool:
        """Whether the bucket exists; ``AccessDenied`` if it belongs to someone else."""
        return self._control(
            "head bucket", lambda c: c.head_bucket(Bucket=self._bucket), {"404", "NoSuchBucket"}
        )

    # -- incomplete multipart uploads (boto3) --------------------------------
    def pending_uploads(self, prefix: str = "") -> Iterator[PendingUpload]:
        """The incomplete multipart uploads of keys under the folder ``prefix``."""
        found: list[PendingUpload] = []
        where = (self._bucket, self._root, normalize_prefix(prefix), self._key_of)
        self._control("list uploads", lambda c: found.extend(s3_uploads.pending(c, *where)), set())
        return iter(found)

    def abort_upload(self, upload: PendingUpload) -> None:
        """Abort ``upload`` and free its parts; one already gone is not an error."""
        abort = partial(s3_uploads.abort, bucket=self._bucket, root=self._root, upload=upload)
        self._control("abort multipart upload", abort, {"NoSuchUpload", "404"})

    def _control(self, operation: str, call: Callable[[Any], object], expected: set[str]) -> bool:
        """Run ``call`` on a boto3 client: True if it succeeds, False on an ``expected`` code."""
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        opts, ctx = self._options, self._context(operation, None)
        config = Config(
            s3={"addressing_style": "path" if opts.uses_path_style else "virtual"},
            retries={"total_max_attempts": opts.max_retries + 1, "mode": "standard"},
            connect_timeout=opts.connect_timeout.total_seconds(),
            read_timeout=opts.read_timeout.total_seconds(),
        )
        try:
            call(self._boto3_session().client("s3", endpoint_url=opts.endpoint_url, config=config))
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in expected:
                return False
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            failure = S3Failure(status, code, None, f"HTTP {status} {code}")
            raise translate("other", failure, ctx) from exc
        except NoCredentialsError as exc:
            raise AccessDenied(
                f"{operation}: no AWS credentials found",
                store=self.url,
                said=Message(
                    N_("error.storage.s3_bucket_no_credentials"),
                    {"operation": operation},
                ),
            ) from exc
        except BotoCoreError as exc:
            raise translate("other", S3Failure(None, None, None, str(exc)), ctx) from exc
        return True
