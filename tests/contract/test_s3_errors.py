"""Reading S3 client failures (messages as obstore 0.12 words them) into clear errors."""

from __future__ import annotations

import pytest

from entrepot.errors import (
    AccessDenied,
    ObjectExists,
    ObjectNotFound,
    StorageError,
    StoreUnavailable,
)
from entrepot.storage.s3_errors import S3Context, parse_failure, translate

REFUSED = (
    "Generic S3 error: Error performing HEAD http://127.0.0.1:1/b/x in 402.0ms, after 3 retries,"
    " max_retries: 3, retry_timeout: 10s  - HTTP error: error sending request\n\nDebug source:\n"
    'Generic {\n  source: ConnectError("tcp connect error", 127.0.0.1:1, Os { code: 111, kind:'
    ' ConnectionRefused, message: "Connection refused" })\n}'
)
NO_BUCKET = (
    "Object at location x not found: Error performing GET http://127.0.0.1:5/nob/x in 3.9ms - "
    'Server returned non-2xx status code: 404 Not Found: <?xml version="1.0" encoding="utf-8"?>\n'
    "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"
    "</Error>\n\nDebug source:\nNotFound { ... }"
)
FORBIDDEN = (
    "Generic S3 error: Error performing list request: Error performing GET "
    "http://127.0.0.1:5/b?list-type=2 in 2.8ms - Server returned non-2xx status code: 403 "
    "Forbidden: <Error><Code>InvalidAccessKeyId</Code></Error>"
)
SLOW_DOWN = (
    "Generic S3 error: Error performing PUT http://h/b/x in 9s, after 3 retries, max_retries: 3,"
    " retry_timeout: 15s - Server returned non-2xx status code: 503 Service Unavailable: "
    "<Error><Code>SlowDown</Code></Error>"
)
CTX = S3Context("head", "k", "s3://b?endpoint=http://h", "b", "http://h", 3)


def test_a_refused_connection_is_a_transport_failure_with_its_retries() -> None:
    failure = parse_failure(REFUSED)
    assert (failure.status, failure.retries, failure.transport) == (None, 3, True)
    assert failure.reason == "connection refused"
    error = translate("other", failure, CTX)
    assert isinstance(error, StoreUnavailable)
    assert str(error).startswith(
        "cannot reach the S3 endpoint http://h for head: connection refused "
        "(gave up after 3 retries)"
    )


def test_a_missing_bucket_wins_over_not_found() -> None:
    failure = parse_failure(NO_BUCKET)
    assert (failure.status, failure.code, failure.transport) == (404, "NoSuchBucket", False)
    error = translate("not_found", failure, CTX)
    assert isinstance(error, StoreUnavailable)
    assert "bucket 'b' does not exist at http://h" in str(error)


def test_a_403_is_access_denied_even_from_a_generic_error() -> None:
    error = translate("other", parse_failure(FORBIDDEN), CTX)
    assert isinstance(error, AccessDenied)
    assert "HTTP 403 InvalidAccessKeyId" in str(error)


def test_a_server_error_after_retries_is_unavailable() -> None:
    error = translate("other", parse_failure(SLOW_DOWN), CTX)
    assert isinstance(error, StoreUnavailable)
    assert "HTTP 503 SlowDown (gave up after 3 retries)" in str(error)


@pytest.mark.parametrize(
    ("family", "expected"),
    [("not_found", ObjectNotFound), ("exists", ObjectExists), ("denied", AccessDenied)],
)
def test_classified_failures(family: str, expected: type[StorageError]) -> None:
    failure = parse_failure("Error performing PUT http://h/b/k - status code: 400 Bad Request")
    error = translate(family, failure, CTX)  # type: ignore[arg-type]
    assert type(error) is expected
    assert error.key == "k"


def test_anything_else_is_a_storage_error_with_the_first_line() -> None:
    error = translate("other", parse_failure("Generic S3 error: odd\n\nDebug source: x"), CTX)
    assert type(error) is StorageError
    assert "S3 head failed at http://h: Generic S3 error: odd" in str(error)
