"""One access log line per request, with who, what, the outcome and the request id; and
none built when the access log is off."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.web import make_web_app, user_api


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def access() -> Iterator[tuple[logging.Logger, _Kept]]:
    logger = logging.getLogger("entrepot.access")
    kept = _Kept()
    level = logger.level
    logger.addHandler(kept)
    try:
        yield logger, kept
    finally:
        logger.removeHandler(kept)
        logger.setLevel(level)


def test_each_request_writes_one_line_naming_the_user_the_route_and_the_outcome(
    tmp_path: Path, access: tuple[logging.Logger, _Kept]
) -> None:
    logger, kept = access
    logger.setLevel(logging.INFO)
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        alice = user_api(client, services, "alice@example.com")
        kept.records.clear()
        answer = client.get("/api/models", headers={**alice.headers, "X-Request-ID": "trace-42"})
        refused = client.get("/api/models")
    assert answer.status_code == 200 and refused.status_code == 401
    first, second = kept.records
    assert first.getMessage() == "GET /api/models 200"
    assert (first.user, first.route, first.status, first.request_id) == (  # type: ignore[attr-defined]
        alice.user_id,
        "/api/models",
        200,
        "trace-42",
    )
    assert second.status == 401 and second.user is None  # type: ignore[attr-defined]
    assert second.request_id == refused.headers["x-request-id"]  # type: ignore[attr-defined]


def test_no_line_is_written_when_the_access_log_is_off(
    tmp_path: Path, access: tuple[logging.Logger, _Kept]
) -> None:
    logger, kept = access
    logger.setLevel(logging.WARNING)
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        alice = user_api(client, services, "alice@example.com")
        assert alice.get("/api/models").status_code == 200
    assert kept.records == []
