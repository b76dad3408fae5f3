"""Bodies bounded before authentication and parsing: a declared length over the route's
limit is refused unread, a streamed body is cut at the first chunk past it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entrepot.http.bodies import ENVELOPE, BodyLimits
from tests.support.asgi import call, flood
from tests.support.web import PASSWORD, make_web_app

MIB = 1024 * 1024


def multipart_flood(total: int) -> Iterator[bytes]:
    """A file part of ``total`` bytes of CSV rows in a form with boundary ``xyz``."""
    yield (
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\namount,is_fraud\n"
    )
    yield from flood(total, byte=b"1")


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return make_web_app(tmp_path, upload_limit=4 * MIB)[0]


def test_200_mib_of_json_to_login_is_refused_without_being_read(app: Any) -> None:
    answer = call(
        app, "POST", "/api/auth/login", flood(200 * MIB), {"content-type": "application/json"}
    )
    assert answer.status == 413
    assert answer.json()["code"] == "too_large" and "1 MiB" in answer.json()["message"]
    assert answer.consumed <= MIB + 64 * 1024  # the limit and one chunk, not 200 MiB


def test_a_declared_length_over_the_limit_is_refused_before_any_byte(app: Any) -> None:
    headers = {"content-type": "application/json", "content-length": str(200 * MIB)}
    answer = call(app, "POST", "/api/train", flood(200 * MIB), headers)
    assert answer.status == 413 and answer.consumed == 0


def test_without_a_token_train_reads_no_more_than_the_limit(app: Any) -> None:
    answer = call(app, "POST", "/api/train", flood(50 * MIB), {"content-type": "application/json"})
    assert answer.status == 413 and answer.consumed <= MIB + 64 * 1024


def test_an_upload_over_the_service_limit_is_refused_while_streaming(app: Any) -> None:
    services = app.state.entrepot
    user = services.accounts.register("a@example.com", PASSWORD)
    token = services.accounts.create_token(user.id)[1]
    headers = {
        "content-type": "multipart/form-data; boundary=xyz",
        "authorization": f"Bearer {token}",
    }
    answer = call(app, "POST", "/api/upload", multipart_flood(40 * MIB), headers)
    assert answer.status == 413 and "4 MiB" in answer.json()["message"]
    assert answer.consumed <= 4 * MIB + ENVELOPE + 64 * 1024


def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(app: Any) -> None:
    headers = {"content-type": "multipart/form-data; boundary=xyz"}
    answer = call(app, "POST", "/api/upload", flood(2 * MIB), headers)
    assert answer.status == 401 and answer.consumed == 0


def test_a_small_json_body_is_parsed_as_usual(app: Any) -> None:
    body = b'{"email": "nobody@example.com", "password": "not the password"}'
    answer = call(
        app, "POST", "/api/auth/login", iter([body]), {"content-type": "application/json"}
    )
    assert answer.status == 401 and answer.json()["code"] == "invalid_credentials"


def test_limits_by_route() -> None:
    limits = BodyLimits(default=MIB, upload=10 * MIB)
    assert limits.of("/api/upload") == limits.of("/api/analyze") == 10 * MIB + ENVELOPE
    assert limits.of("/api/auth/login") == limits.of("/login") == MIB
    assert "/api/upload" in limits.message("/api/train")
