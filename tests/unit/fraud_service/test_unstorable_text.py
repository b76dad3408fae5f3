"""Text no catalog can keep (a NUL, a lone surrogate) is refused at the upload on every
backend, naming the column and the fix (PostgreSQL refused it, SQLite kept it, and
``db copy`` then stopped on ``datasets``)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.catalog.text import first_bad, refuse_bad_text
from entrepot.errors import UnstorableText
from entrepot.i18n.catalogs import translator
from tests.support.databases import temporary_database
from tests.support.web import make_web_app, user_api


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def test_text_with_a_nul_or_a_lone_surrogate_is_found_anywhere() -> None:
    assert first_bad({"a": ["ok", {"b\x00": 1}]}) == "b\x00"
    assert first_bad(["x", "\ud800"]) == "\ud800"
    assert first_bad({"a": ["ok", 1, None, {"b": "é€😀"}]}) is None
    with pytest.raises(UnstorableText, match=r"column 2 .*\\x00"):
        refuse_bad_text("amo\x00unt", what="the name of column 2")


@pytest.mark.parametrize(
    ("filename", "content", "named"),
    [
        (
            "nul.parquet",
            _parquet(pd.DataFrame({"id": [1, 2, 3], "amo\x00unt": [1.0, 2.0, 3.0]})),
            "column 2",
        ),
        (  # a CSV holding a NUL is already refused as a binary file
            "label.parquet",
            _parquet(pd.DataFrame({"id": [1, 2, 3], "is_fr\x00aud": [0, 1, 0]})),
            "column 2",
        ),
    ],
)
def test_an_upload_holding_a_nul_is_refused_naming_where_and_the_fix(
    tmp_path: Path, filename: str, content: bytes, named: str
) -> None:
    _refused(make_web_app(tmp_path)[0], filename, content, named)


@pytest.mark.postgres
def test_postgres_refuses_it_the_same_way(tmp_path: Path) -> None:
    """The same answer on PostgreSQL: the refusal comes before any row, not from it."""
    content = _parquet(pd.DataFrame({"id": [1, 2, 3], "amo\x00unt": [1.0, 2.0, 3.0]}))
    with temporary_database() as url:
        app, _ = make_web_app(tmp_path, settings={"database_url": url})
        _refused(app, "nul.parquet", content, "column 2")


def _refused(app: Any, filename: str, content: bytes, named: str) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, app.state.entrepot, "nul@example.com")
        answer = api.upload(content, filename)
        assert 400 <= answer.status_code < 500, answer.text
        body = answer.json()
        assert body["code"] == "unstorable_text", body
        assert named in body["message"] and "\\x00" in body["message"], body
        assert api.get("/api/datasets").json()["items"] == []  # nothing half-written
    for lang in ("en", "fr"):
        said = translator(lang)("error.unstorable_text")
        assert said != "error.unstorable_text" and "{what}" in said
