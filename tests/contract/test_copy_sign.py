"""Copies keep bytes, sha256 and metadata; presigned URLs work over plain HTTP."""

from __future__ import annotations

import hashlib
import hmac
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote, urlsplit

import pytest

from entrepot.errors import ObjectExists, ObjectNotFound, StorageError
from entrepot.storage.base import BaseStore
from entrepot.storage.protocols import Sign, Store
from entrepot.storage.s3_options import S3Options

from .conftest import Subject


def test_copy_keeps_bytes_sha256_content_type_and_metadata(store: Store) -> None:
    store.put("src/a.csv", b"a,b\n", content_type="text/csv", metadata={"owner": "ana"})
    info = store.copy("src/a.csv", "dst/a.csv")
    assert (info.key, info.size, info.sha256) == (
        "dst/a.csv",
        4,
        hashlib.sha256(b"a,b\n").hexdigest(),
    )
    head = store.head("dst/a.csv")
    assert (head.sha256, head.content_type, dict(head.metadata)) == (
        info.sha256,
        "text/csv",
        {"owner": "ana"},
    )
    assert store.get("dst/a.csv") == b"a,b\n"
    assert store.get("src/a.csv") == b"a,b\n"


def test_copy_of_a_missing_source_is_not_found(store: Store) -> None:
    with pytest.raises(ObjectNotFound) as caught:
        store.copy("nope", "dst")
    assert "nope" in str(caught.value)
    assert not store.exists("dst")


def test_copy_replaces_unless_create_only(store: Store) -> None:
    store.put("a", b"new")
    store.put("b", b"old")
    with pytest.raises(ObjectExists):
        store.copy("a", "b", if_absent=True)
    assert store.get("b") == b"old"
    store.copy("a", "b")
    assert store.get("b") == b"new"
    store.copy("a", "c", if_absent=True)
    assert store.get("c") == b"new"


def test_copy_onto_itself_keeps_the_object(store: Store) -> None:
    store.put("same", b"data", metadata={"v": "1"})
    with pytest.raises(ObjectExists):
        store.copy("same", "same", if_absent=True)
    assert store.copy("same", "same").sha256 == hashlib.sha256(b"data").hexdigest()
    assert store.get("same") == b"data"
    assert dict(store.head("same").metadata) == {"v": "1"}


def fetch(url: str, data: bytes | None = None) -> bytes:
    method = "PUT" if data is not None else "GET"
    # An explicit type: urllib would send a form type, which servers may parse as a form.
    headers = {"Content-Type": "application/octet-stream"} if data is not None else {}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        body: bytes = response.read()
        return body


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_stores_without_urls_do_not_offer_signing(
    make_store: Callable[[str], BaseStore], kind: str
) -> None:
    store = make_store(kind)
    assert not isinstance(store, Sign)
    with pytest.raises(StorageError, match="cannot presign"):
        store.scoped("t").sign("k")  # type: ignore[attr-defined]


def test_a_presigned_get_url_serves_the_bytes(s3_subject: Subject) -> None:
    store = s3_subject.store
    store.put("shared/report.pdf", b"%PDF-1.7 report")
    url = store.sign("shared/report.pdf")  # type: ignore[attr-defined]
    assert url.startswith(s3_subject.base.endpoint)  # type: ignore[attr-defined]
    assert "secret" not in url.lower()
    assert fetch(url) == b"%PDF-1.7 report"


def test_a_presigned_put_url_uploads(s3_subject: Subject) -> None:
    store = s3_subject.store
    url = store.sign("inbox/upload.bin", method="PUT")  # type: ignore[attr-defined]
    fetch(url, b"uploaded by a browser")
    assert store.get("inbox/upload.bin") == b"uploaded by a browser"
    assert store.head("inbox/upload.bin").sha256 is None  # nothing recorded it


def sigv4_signature(url: str, secret: str, region: str) -> str:
    """The SigV4 query signature a server computes for ``url`` (AWS docs, UNSIGNED-PAYLOAD)."""
    parts = urlsplit(url)
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "X-Amz-Signature"
    )
    canonical = "\n".join(
        [
            "GET",
            parts.path,
            "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query),
            f"host:{parts.netloc}\n",
            "host",
            "UNSIGNED-PAYLOAD",
        ]
    )
    amz_date = dict(query)["X-Amz-Date"]
    scope = f"{amz_date[:8]}/{region}/s3/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret}".encode()
    for part in (amz_date[:8], region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@pytest.mark.s3
def test_a_presigned_url_is_signed_for_its_expiry(
    s3_store_factory: Any, s3_options: S3Options
) -> None:
    secret, region = s3_options.secret_access_key or "", s3_options.region or ""
    store = s3_store_factory("some/prefix")
    store.put("k 1.txt", b"1")
    url = store.sign("k 1.txt", expires=timedelta(seconds=1))
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["1"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - signed_at) < timedelta(seconds=30)
    # The expiry is covered by the signature, so a server refuses the URL once it passed.
    # moto does not enforce X-Amz-Expires (AWS and MinIO answer 403), hence this check of
    # the signature itself, computed independently of the client that made it.
    assert query["X-Amz-Signature"] == [sigv4_signature(url, secret, region)]
    tampered = url.replace("X-Amz-Expires=1", "X-Amz-Expires=604800")
    assert sigv4_signature(tampered, secret, region) != query["X-Amz-Signature"][0]


@pytest.mark.s3
@pytest.mark.parametrize("expires", [timedelta(0), timedelta(days=8)])
def test_an_impossible_expiry_is_refused(s3_store_factory: Any, expires: timedelta) -> None:
    store = s3_store_factory()
    with pytest.raises(StorageError, match="presign"):
        store.sign("k", expires=expires)
