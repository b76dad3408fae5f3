"""What only the S3 store does: multipart uploads, buckets, credentials, endpoint errors."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from entrepot.errors import (
    AccessDenied,
    ConfigError,
    IntegrityError,
    ObjectExists,
    StorageError,
    StoreUnavailable,
)
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_errors import BUCKET_HINT
from entrepot.storage.s3_options import S3Options

MiB = 1024 * 1024
BIG = bytes(range(256)) * (11 * MiB // 256)  # 11 MiB: three 5 MiB parts


class SourceError(Exception):
    pass


class Rereadable(io.RawIOBase):
    """A seekable file whose second pass (the upload, after hashing) fails or differs."""

    def __init__(self, data: bytes, *, second_pass: str) -> None:
        self._data, self._pos, self._read, self._second_pass = data, 0, 0, second_pass

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = offset if whence == 0 else len(self._data) + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        chunk = self._data[self._pos : self._pos + len(buffer)]
        self._read += len(chunk)
        if self._read > len(self._data) + 6 * MiB:  # the upload has sent a part already
            if self._second_pass == "fails":
                raise SourceError("disk unplugged")
            chunk = chunk.upper()
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


@pytest.fixture
def multipart(s3_store_factory: Callable[..., S3Store]) -> S3Store:
    return s3_store_factory("big", multipart_threshold=MiB, part_size=5 * MiB)


def pending_uploads(store: S3Store, s3_client: Any) -> list[str]:
    uploads = s3_client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    return [upload["Key"] for upload in uploads]


def test_the_url_names_bucket_prefix_and_endpoint_but_no_secret(
    s3_store_factory: Callable[..., S3Store], s3_endpoint: str
) -> None:
    store = s3_store_factory("team/data/")
    assert store.url == f"s3://{store.bucket}/team/data?endpoint={s3_endpoint}"
    assert store.scoped("u/1").url == f"s3://{store.bucket}/team/data/u/1/?endpoint={s3_endpoint}"
    assert "testing" not in repr(store)
    assert "testing" not in repr(S3Options(access_key_id="AK", secret_access_key="testing"))


def test_a_large_seekable_source_goes_up_in_parts(multipart: S3Store, s3_client: Any) -> None:
    info = multipart.put("model.bin", io.BytesIO(BIG), metadata={"framework": "sklearn"})
    assert info.sha256 == hashlib.sha256(BIG).hexdigest()
    assert info.etag is not None
    assert info.etag.endswith("-3")  # S3's multipart etag: md5 of the part md5s, then "-parts"
    head = multipart.head("model.bin")
    assert (head.size, head.sha256, dict(head.metadata)) == (
        len(BIG),
        info.sha256,
        {"framework": "sklearn"},
    )
    assert multipart.get("model.bin") == BIG


def test_a_large_stream_is_spooled_then_goes_up_in_parts(multipart: S3Store) -> None:
    def chunks() -> Iterator[bytes]:
        for start in range(0, len(BIG), MiB):
            yield BIG[start : start + MiB]

    info = multipart.put("stream.bin", chunks())
    assert info.etag is not None
    assert info.etag.endswith("-3")
    assert multipart.get("stream.bin") == BIG


def test_create_only_holds_for_a_multipart_upload(multipart: S3Store) -> None:
    multipart.put("once.bin", b"small first")
    with pytest.raises(ObjectExists):
        multipart.put("once.bin", io.BytesIO(BIG), if_absent=True)
    assert multipart.get("once.bin") == b"small first"
    multipart.put("new.bin", io.BytesIO(BIG), if_absent=True)
    assert multipart.head("new.bin").size == len(BIG)


def test_a_multipart_upload_failing_midway_is_aborted(multipart: S3Store, s3_client: Any) -> None:
    with pytest.raises(SourceError, match="disk unplugged"):
        multipart.put("broken.bin", Rereadable(BIG, second_pass="fails"))
    assert not multipart.exists("broken.bin")
    assert pending_uploads(multipart, s3_client) == []


def test_a_source_changed_after_hashing_is_refused_before_completion(
    multipart: S3Store, s3_client: Any
) -> None:
    with pytest.raises(IntegrityError, match="changed while it was uploaded"):
        multipart.put("changed.bin", Rereadable(BIG, second_pass="differs"))
    assert not multipart.exists("changed.bin")
    assert pending_uploads(multipart, s3_client) == []


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("operation", ["head", "put", "list"])
def test_an_unreachable_endpoint_fails_fast_and_names_it(
    s3_options: S3Options, operation: str
) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    store = S3Store("entrepot-test", options=replace(s3_options, endpoint_url=endpoint))
    calls = {
        "head": lambda: store.head("k"),
        "put": lambda: store.put("k", b"1"),
        "list": lambda: list(store.list()),
    }
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        calls[operation]()
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert f"cannot reach the S3 endpoint {endpoint} for {operation}" in message
    assert "connection refused" in message
    assert "after 3 retries" in message
    assert isinstance(caught.value, ConnectionError)


@pytest.mark.parametrize("operation", ["head", "exists", "get", "put", "list", "ls", "delete"])
def test_a_missing_bucket_says_so_and_how_to_fix_it(s3_options: S3Options, operation: str) -> None:
    store = S3Store("entrepot-no-such-bucket", "p", s3_options)
    calls: dict[str, Callable[[], object]] = {
        "head": lambda: store.head("k"),
        "exists": lambda: store.exists("k"),
        "get": lambda: store.get("k"),
        "put": lambda: store.put("k", b"1"),
        "list": lambda: list(store.list()),
        "ls": lambda: store.ls(),
        "delete": lambda: store.delete("k"),
    }
    with pytest.raises(StoreUnavailable) as caught:
        calls[operation]()
    assert "bucket 'entrepot-no-such-bucket' does not exist" in str(caught.value)
    assert BUCKET_HINT in str(caught.value)


def test_create_bucket_then_use_it(s3_options: S3Options) -> None:
    store = S3Store(f"entrepot-created-{os.getpid()}-{time.time_ns()}", options=s3_options)
    assert store.bucket_exists() is False
    assert store.create_bucket() is True
    assert store.bucket_exists() is True
    assert store.create_bucket() is False  # already yours: nothing to do
    store.put("k", b"1")
    assert store.get("k") == b"1"


def test_credentials_come_from_the_environment_when_not_given(
    s3_options: S3Options, s3_client: Any
) -> None:
    s3_client.create_bucket(Bucket="entrepot-env-credentials")
    options = replace(s3_options, access_key_id=None, secret_access_key=None)
    store = S3Store("entrepot-env-credentials", options=options)
    store.put("k", b"via the AWS credential chain")
    assert store.get("k") == b"via the AWS credential chain"


def test_no_credentials_anywhere_is_access_denied(
    s3_options: S3Options, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    options = replace(s3_options, access_key_id=None, secret_access_key=None)
    store = S3Store("entrepot-anything", options=options)
    with pytest.raises(AccessDenied, match="no AWS credentials found"):
        store.put("k", b"1")


def test_objects_written_by_other_tools(
    s3_store_factory: Callable[..., S3Store], s3_client: Any
) -> None:
    store = s3_store_factory("shared")
    for raw in ("shared/raw/no-sha.csv", "shared/raw/%2e%2e", "shared/raw/a\\b", "outside.txt"):
        s3_client.put_object(Bucket=store.bucket, Key=raw, Body=b"a,b\n")
    assert [info.key for info in store.list()] == ["raw/no-sha.csv"]  # no store could hold the rest
    head = store.head("raw/no-sha.csv")
    assert (head.size, head.sha256) == (4, None)  # nothing to verify against
    assert store.get("raw/no-sha.csv") == b"a,b\n"
    assert store.delete_prefix("raw") == 1


@pytest.mark.parametrize("raw", ["shared/a/../b", "shared/a//b"])
def test_a_key_the_client_cannot_parse_is_named_in_the_error(
    s3_store_factory: Callable[..., S3Store], s3_client: Any, raw: str
) -> None:
    store = s3_store_factory("shared")
    s3_client.put_object(Bucket=store.bucket, Key=raw, Body=b"x")
    with pytest.raises(StorageError, match="met a key this client cannot read") as caught:
        list(store.list())
    assert raw in str(caught.value)
    assert not isinstance(caught.value, StoreUnavailable)


@pytest.mark.parametrize(
    "bucket", ["b1", "Entrepot", "entrepot_data", "a" * 64, "-entrepot", "x..y"]
)
def test_an_invalid_bucket_name_is_a_config_error(bucket: str) -> None:
    with pytest.raises(ConfigError, match="not a valid S3 bucket name"):
        S3Store(bucket)


@pytest.mark.parametrize(
    "options",
    [
        {"endpoint_url": "ftp://host"},
        {"endpoint_url": "127.0.0.1:9000"},
        {"access_key_id": "AK"},
        {"part_size": 1024},
        {"max_concurrency": 0},
        {"max_retries": -1},
    ],
)
def test_invalid_options_are_a_config_error(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="invalid S3 options"):
        S3Options(**options)


# -- credentials checked by the server ----------------------------------------------------

ALLOW_ALL = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
)


@pytest.fixture(scope="module")
def checking_server(moto_server: Any) -> Iterator[tuple[str, str, str]]:
    """A second moto server that checks signatures; yields endpoint, key id and secret."""
    import boto3

    # The first 3 requests are free: create a user, its access key, its policy.
    with moto_server(env={"INITIAL_NO_AUTH_ACTION_COUNT": "3"}) as endpoint:
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        iam.create_user(UserName="entrepot")
        key = iam.create_access_key(UserName="entrepot")["AccessKey"]
        iam.put_user_policy(UserName="entrepot", PolicyName="all", PolicyDocument=ALLOW_ALL)
        yield endpoint, key["AccessKeyId"], key["SecretAccessKey"]


def checked_store(server: tuple[str, str, str], key_id: str, secret: str) -> S3Store:
    options = S3Options(
        endpoint_url=server[0], region="us-east-1", access_key_id=key_id, secret_access_key=secret
    )
    return S3Store("entrepot-checked", options=options)


@pytest.mark.s3
def test_the_right_credentials_work(checking_server: tuple[str, str, str]) -> None:
    store = checked_store(checking_server, checking_server[1], checking_server[2])
    store.create_bucket()
    store.put("k", b"1")
    assert store.get("k") == b"1"


@pytest.mark.s3
@pytest.mark.parametrize("wrong", ["secret", "key-id"])
@pytest.mark.parametrize("operation", ["put", "get", "head", "exists", "list", "bucket_exists"])
def test_wrong_credentials_are_access_denied(
    checking_server: tuple[str, str, str], wrong: str, operation: str
) -> None:
    _, key_id, secret = checking_server
    if wrong == "secret":
        secret = "not-" + secret
    else:
        key_id = "AKIAWRONGWRONGWRONG0"
    store = checked_store(checking_server, key_id, secret)
    calls: dict[str, Callable[[], object]] = {
        "put": lambda: store.put("k", b"1"),
        "get": lambda: store.get("k"),
        "head": lambda: store.head("k"),
        "exists": lambda: store.exists("k"),
        "list": lambda: list(store.list()),
        "bucket_exists": store.bucket_exists,
    }
    with pytest.raises(AccessDenied) as caught:
        calls[operation]()
    assert isinstance(caught.value, PermissionError)
    assert "AWS_ACCESS_KEY_ID" in str(caught.value)
    assert secret not in str(caught.value)
