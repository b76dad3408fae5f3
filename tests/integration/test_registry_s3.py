"""The registry on a real S3 server (moto) and PostgreSQL: multipart pushes, verified pulls
through a fresh cache, tampering behind the store's back, presigned URLs and their expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from sqlalchemy import Engine

from entrepot.catalog.uow import unit_of_work_factory
from entrepot.registry import Registry
from entrepot.registry.errors import VerificationFailed
from entrepot.storage.cache import CachedStore
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_options import S3Options
from tests.support.clock import FakeClock
from tests.support.registry import SECRET, sklearn_model
from tests.support.waiting import HANG_GUARD

pytestmark = [pytest.mark.postgres, pytest.mark.s3]

MiB = 1024 * 1024
Factory = Callable[[Path], Registry]


@pytest.fixture
def bucket_store(s3_store_factory: Callable[..., S3Store]) -> S3Store:
    return s3_store_factory()


@pytest.fixture
def registry_on(bucket_store: S3Store, engine: Engine) -> Factory:
    """A registry on the bucket whose cache lives in the given folder (a fresh cache = a
    machine that never read these models)."""

    def make(cache_dir: Path) -> Registry:
        cache = CachedStore(bucket_store, cache_dir, 256 * MiB)
        return Registry(
            bucket_store, cache, unit_of_work_factory(engine), secret=SECRET, actor="s3-test"
        )

    return make


def bucket_keys(s3_client: Any, bucket: str) -> list[str]:
    listed = s3_client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def test_push_and_pull_a_multipart_model_through_a_fresh_cache(
    registry_on: Factory, bucket_store: S3Store, tmp_path: Path, s3_client: Any
) -> None:
    big = tmp_path / "model" / "weights.bin"
    big.parent.mkdir()
    big.write_bytes(hashlib.sha256(b"seed").digest() * (20 * MiB // 32))  # above multipart
    folder, rows, model = sklearn_model(tmp_path / "model")
    record = registry_on(tmp_path / "cache-a").push([folder], "fraud", model_file="model.joblib")
    prefix = f"models/fraud/{record.version}/"
    assert bucket_keys(s3_client, bucket_store.bucket) == [
        prefix + "manifest.json",
        prefix + "model.joblib",
        prefix + "performance.json",
        prefix + "weights.bin",
    ]
    elsewhere = registry_on(tmp_path / "cache-b")
    pulled = elsewhere.pull("fraud", dest=tmp_path / "pulled")
    assert (tmp_path / "pulled" / "weights.bin").read_bytes() == big.read_bytes()
    assert pulled.manifest.file("weights.bin").size == 20 * MiB
    assert (elsewhere.load("fraud").predict(rows) == model.predict(rows)).all()
    assert elsewhere.verify().ok


def test_a_flipped_byte_in_the_bucket_fails_pull_and_verify(
    registry_on: Factory, bucket_store: S3Store, tmp_path: Path, s3_client: Any
) -> None:
    weights = tmp_path / "best_model.pth"
    weights.write_bytes(bytes(range(256)) * 64)
    registry = registry_on(tmp_path / "cache-a")
    record = registry.push([weights], "net", version="1")
    key = "models/net/1/best_model.pth"
    head = s3_client.head_object(Bucket=bucket_store.bucket, Key=key)
    body = bytearray(weights.read_bytes())
    body[1000] ^= 0x01
    s3_client.put_object(  # rewritten behind Entrepôt's back, keeping the recorded sha256
        Bucket=bucket_store.bucket, Key=key, Body=bytes(body), Metadata=head["Metadata"]
    )
    with pytest.raises(VerificationFailed, match=r"'best_model\.pth' of net@1"):
        registry_on(tmp_path / "cache-b").pull("net", "1", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    [problem] = registry.verify("net").problems
    assert (problem.version, problem.path) == (record.version, "best_model.pth")


def test_a_users_models_stay_under_their_prefix(
    registry_on: Factory, bucket_store: S3Store, tmp_path: Path, s3_client: Any
) -> None:
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"user weights")
    user = registry_on(tmp_path / "cache").for_owner("7")
    record = user.push([weights], "m")
    assert bucket_keys(s3_client, bucket_store.bucket) == [
        f"users/7/models/m/{record.version}/manifest.json",
        f"users/7/models/m/{record.version}/w.bin",
    ]
    assert user.pull("m").files["w.bin"].read_bytes() == b"user weights"


# -- presigned URLs ---------------------------------------------------------------------
def sigv4_presigned_signature(method: str, url: str, secret: str) -> str:
    """The signature an S3 server computes for a presigned ``url`` (SigV4, query auth)."""
    parts = urlsplit(url)
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "X-Amz-Signature"
    )
    params = dict(query)
    canonical = "\n".join(
        [
            method,
            parts.path,
            "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query),
            f"host:{parts.netloc}\n",
            params["X-Amz-SignedHeaders"],
            "UNSIGNED-PAYLOAD",
        ]
    )
    amz_date = params["X-Amz-Date"]
    scope = params["X-Amz-Credential"].split("/", 1)[1]
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret}".encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ExpiringS3:
    """Where the gateway listens (``host:port``), and the clock it reads expiries on."""

    netloc: str
    clock: FakeClock


def signed_at(url: str) -> datetime:
    """When a presigned URL was signed (its ``X-Amz-Date``)."""
    stamp = dict(parse_qsl(urlsplit(url).query))["X-Amz-Date"]
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


@pytest.fixture
def expiring_s3(s3_endpoint: str, s3_options: S3Options) -> Iterator[ExpiringS3]:
    """moto behind a gateway that checks presigned URLs as AWS and MinIO do.

    moto serves presigned URLs without checking their signature or expiry. The gateway
    recomputes the SigV4 signature (for moto's host, which the URL was signed for) and
    refuses an expired or forged URL with 403, then forwards the request to moto. URLs
    are sent to the gateway with their host rewritten; nothing else changes. The gateway
    tells the time on a clock the test sets, so an expiry is tested without waiting for
    it, and a link is valid in its time however loaded the machine.
    """
    clock = FakeClock()
    upstream = urlsplit(s3_endpoint).netloc
    secret = s3_options.secret_access_key or ""

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            signed = f"http://{upstream}{self.path}"
            params = dict(parse_qsl(urlsplit(signed).query))
            try:
                issued = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
                expires = issued.replace(tzinfo=UTC) + timedelta(
                    seconds=int(params["X-Amz-Expires"])
                )
                valid = hmac.compare_digest(
                    sigv4_presigned_signature("GET", signed, secret), params["X-Amz-Signature"]
                )
            except (KeyError, ValueError):
                valid, expires = False, clock()
            if not valid or clock() > expires:
                reason = "Request has expired" if valid else "SignatureDoesNotMatch"
                self.send_response(403)
                self.end_headers()
                self.wfile.write(f"<Error><Message>{reason}</Message></Error>".encode())
                return
            with urllib.request.urlopen(signed, timeout=10) as response:
                body = response.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ExpiringS3(f"127.0.0.1:{server.server_address[1]}", clock)
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str, gateway: ExpiringS3) -> tuple[int, bytes]:
    parts = urlsplit(url)
    try:
        with urllib.request.urlopen(
            parts._replace(netloc=gateway.netloc).geturl(), timeout=HANG_GUARD
        ) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_a_presigned_url_serves_the_file_then_expires(
    registry_on: Factory, tmp_path: Path, expiring_s3: ExpiringS3
) -> None:
    weights = tmp_path / "best_model.pth"
    weights.write_bytes(b"\x80weights for a presigned download" * 100)
    registry = registry_on(tmp_path / "cache")
    registry.push([weights], "net", version="1")
    registry.alias("net", "production", "1")

    lasting = registry.presign("net", "production", expires=timedelta(minutes=5))
    expiring_s3.clock.now = signed_at(lasting)
    assert fetch(lasting, expiring_s3) == (200, weights.read_bytes())
    forged = lasting.replace("X-Amz-Expires=300", "X-Amz-Expires=604800")
    assert fetch(forged, expiring_s3)[0] == 403  # the expiry is covered by the signature

    # A link that lives one second is refused once it is over: the gateway's clock moves
    # past it (no waiting, and no load can expire it before its first use).
    short = registry.presign("net@1", file="best_model.pth", expires=timedelta(seconds=1))
    expiring_s3.clock.now = signed_at(short)
    assert fetch(short, expiring_s3) == (200, weights.read_bytes())
    expiring_s3.clock.advance(seconds=2.1)
    status, body = fetch(short, expiring_s3)
    assert status == 403 and b"Request has expired" in body
    assert fetch(lasting, expiring_s3)[0] == 200
