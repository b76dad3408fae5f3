"""Incomplete multipart uploads in an S3 bucket: a writer killed mid-upload leaves its
parts stored (and billed) until the upload is aborted. Listed through boto3, whose client
:class:`~entrepot.storage.s3.S3Store` hands in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

from entrepot.storage.types import PendingUpload


def pending(
    client: Any, bucket: str, root: str, prefix: str, key_of: Callable[[str], str | None]
) -> Iterator[PendingUpload]:
    """The incomplete uploads under ``root + prefix``, page by page; ``key_of`` maps a bucket
    path back to a store key (``None``: not a key this store could hold, skipped)."""
    pages = client.get_paginator("list_multipart_uploads")
    for page in pages.paginate(Bucket=bucket, Prefix=root + prefix):
        for upload in page.get("Uploads", []):
            key = key_of(upload["Key"])
            if key is None:
                continue
            initiated = upload["Initiated"]
            if initiated.tzinfo is None:
                initiated = initiated.replace(tzinfo=UTC)
            yield PendingUpload(key, upload["UploadId"], initiated)


def abort(client: Any, *, bucket: str, root: str, upload: PendingUpload) -> None:
    """Abort ``upload`` (its parts are freed)."""
    client.abort_multipart_upload(Bucket=bucket, Key=root + upload.key, UploadId=upload.upload_id)
