"""Turn an S3 client failure into an Entrepôt storage error with a clear message.

Pure text handling, no SDK import: :mod:`entrepot.storage.s3` classifies the SDK
exception (not found, exists, denied, other) and this module reads the HTTP status,
the S3 error code and the retry count out of its message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from entrepot.errors import (
    AccessDenied,
    ObjectExists,
    ObjectNotFound,
    StorageError,
    StoreUnavailable,
)

#: How the adapter classified the SDK exception before reading its text.
Family = Literal["not_found", "exists", "denied", "other"]

BUCKET_HINT = "create it with `entrepot bucket create` or check the name"

_STATUS = re.compile(r"status code: (\d{3})")
_CODE = re.compile(r"<Code>([^<]+)</Code>")
_RETRIES = re.compile(r"after (\d+) retries")
_OS_MESSAGE = re.compile(r'message: "([^"]+)"')
_TRANSPORT = re.compile(r"HTTP error: ([^\n]+)")
_TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})
_TRANSPORT_MARKS = ("HTTP error", "error sending request", "timed out", "dns error")
_BAD_PATH = "invalid path"


@dataclass(frozen=True, slots=True)
class S3Failure:
    """What an SDK error message says: HTTP status, S3 error code, retries, a short reason."""

    status: int | None
    code: str | None
    retries: int | None
    reason: str
    #: The request never got an HTTP answer (refused, reset, timed out, DNS).
    transport: bool = False


def parse_failure(text: str) -> S3Failure:
    """Read the status, error code, retry count and a one-line reason out of an SDK message."""
    status_match = _STATUS.search(text)
    code_match = _CODE.search(text)
    retries_match = _RETRIES.search(text)
    status = int(status_match.group(1)) if status_match else None
    code = code_match.group(1) if code_match else None
    if status is not None:
        reason = f"HTTP {status}" + (f" {code}" if code else "")
    else:
        os_match = _OS_MESSAGE.search(text)
        transport = _TRANSPORT.search(text)
        if os_match:
            reason = os_match.group(1).lower()
        elif transport:
            reason = transport.group(1).strip()
        else:
            reason = text.split("\n", 1)[0].strip()
    return S3Failure(
        status=status,
        code=code,
        retries=int(retries_match.group(1)) if retries_match else None,
        reason=reason,
        transport=status is None and any(mark in text for mark in _TRANSPORT_MARKS),
    )


@dataclass(frozen=True, slots=True)
class S3Context:
    """Where a failing request went."""

    operation: str
    key: str | None
    store: str
    bucket: str
    endpoint: str
    max_retries: int


def bucket_missing(ctx: S3Context) -> StoreUnavailable:
    """The error for a bucket that does not exist."""
    return StoreUnavailable(
        f"bucket {ctx.bucket!r} does not exist at {ctx.endpoint} ({ctx.operation})",
        key=ctx.key,
        store=ctx.store,
        hint=BUCKET_HINT,
    )


def translate(family: Family, failure: S3Failure, ctx: S3Context) -> StorageError:
    """The storage error for a classified SDK failure."""
    if failure.code == "NoSuchBucket":
        return bucket_missing(ctx)
    if family == "exists" or failure.status == 412:
        return ObjectExists("object already exists", key=ctx.key, store=ctx.store)
    if family == "not_found":
        return ObjectNotFound.under(ctx.key, ctx.store)
    if family == "denied" or failure.status in (401, 403):
        return AccessDenied(
            f"{ctx.operation} refused by {ctx.endpoint}: {failure.reason}",
            key=ctx.key,
            store=ctx.store,
        )
    retries = failure.retries if failure.retries is not None else ctx.max_retries
    if failure.transport:
        return StoreUnavailable(
            f"cannot reach the S3 endpoint {ctx.endpoint} for {ctx.operation}: "
            f"{failure.reason} (gave up after {retries} retries)",
            key=ctx.key,
            store=ctx.store,
            hint="check the endpoint URL and that the server is up, then run `entrepot doctor`",
        )
    if failure.status in _TRANSIENT:
        return StoreUnavailable(
            f"the S3 endpoint {ctx.endpoint} failed {ctx.operation}: {failure.reason} "
            f"(gave up after {retries} retries)",
            key=ctx.key,
            store=ctx.store,
            hint="the server is overloaded or down; retry later",
        )
    if _BAD_PATH in failure.reason:
        return StorageError(
            f"S3 {ctx.operation} met a key this client cannot read: {failure.reason}",
            key=ctx.key,
            store=ctx.store,
            hint="a tool other than Entrepôt wrote a key with '.', '..' or '//' segments; "
            "rename or delete it with that tool",
        )
    return StorageError(
        f"S3 {ctx.operation} failed at {ctx.endpoint}: {failure.reason}",
        key=ctx.key,
        store=ctx.store,
    )
