"""Any file name a browser or curl sends is accepted: names in UTF-8 (RFC 7578), outside
Latin-1 (Cyrillic, Chinese, a French typographic apostrophe, a right-to-left override), or
given only as RFC 5987's ``filename*``. Each of these answered 500 before (the header was
re-encoded as Latin-1); then the dataset showed an ASCII name (``upload.csv`` for
``отчёт.csv``); now it keeps the name given, without what cannot be shown (a right-to-left
override), and only its object key is ASCII (issue 42)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.web import Api, make_web_app, user_api

BOUNDARY = "entrepot-test-boundary"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[Api, App]]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield user_api(client, services, "names@example.com"), services


def _form(disposition: bytes, content: bytes, boundary: str = BOUNDARY) -> bytes:
    mark = boundary.encode()
    return (
        b"--" + mark + b"\r\nContent-Disposition: form-data; name=\"file\"; " + disposition
        + b"\r\nContent-Type: text/csv\r\n\r\n" + content + b"\r\n--" + mark + b"--\r\n"
    )  # fmt: skip


def _post(api: Api, body: bytes, boundary: str = BOUNDARY) -> Any:
    return api.client.post(
        "/api/upload",
        content=body,
        headers={**api.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("отчёт.csv", "отчёт.csv"),
        ("数据.csv", "数据.csv"),
        ("relevé d’opérations.csv", "relevé d’opérations.csv"),
        ("evil\u202ecsv.exe.csv", "evilcsv.exe.csv"),
        ("plain.csv", "plain.csv"),
    ],
    ids=["cyrillic", "chinese", "apostrophe", "rtl-override", "ascii"],
)
def test_a_utf8_file_name_is_accepted_and_kept(api: tuple[Api, App], name: str, shown: str) -> None:
    client, services = api
    disposition = b'filename="' + name.encode() + b'"'
    answer = _post(client, _form(disposition, labelled_csv(200)))
    assert answer.status_code == 201, answer.text
    dataset = answer.json()["dataset"]
    assert dataset["name"] == shown
    assert client.get(f"/api/datasets/{dataset['id']}").json()["dataset"]["name"] == shown
    keys = [o.key for o in parts(services).raw_store.list(f"users/{client.user_id}/datasets/")]
    assert len(keys) == 1 and keys[0].isascii() and keys[0].endswith(".csv")


def test_a_name_given_only_as_filename_star_is_read(api: tuple[Api, App]) -> None:
    client, _ = api
    disposition = b"filename*=UTF-8''rel%C3%A9v%C3%A9%20d%E2%80%99op%C3%A9rations.csv"
    answer = _post(client, _form(disposition, labelled_csv(200)))
    assert answer.status_code == 201, answer.text
    assert answer.json()["dataset"]["name"] == "relévé d’opérations.csv"  # not "upload.csv"


@pytest.mark.parametrize("length", [70, 300, 5000])
def test_a_long_boundary_is_a_4xx_or_accepted_never_a_500(
    api: tuple[Api, App], length: int
) -> None:
    client, _ = api
    boundary = "b" * length
    answer = _post(client, _form(b'filename="x.csv"', labelled_csv(200), boundary), boundary)
    assert answer.status_code in (201, 400), answer.text
    if answer.status_code == 400:
        assert "boundary" in answer.json()["message"]


def _table_as(fmt: str, rows: int) -> bytes:
    """A labelled table written as ``fmt`` by pandas (not by the product)."""
    frame = pd.read_csv(io.BytesIO(labelled_csv(rows)))
    buffer = io.BytesIO()
    if fmt == "xlsx":
        frame.to_excel(buffer, index=False, engine="openpyxl")
    else:
        frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_a_table_named_csv_is_read_by_its_content(api: tuple[Api, App], fmt: str) -> None:
    """An XLSX (a ZIP archive) or Parquet file named ``.csv`` is what its first bytes say,
    as the engine reads it; the XLSX one was refused as "a ZIP archive"."""
    client, _ = api
    answer = _post(client, _form(b'filename="export.csv"', _table_as(fmt, 200)))
    assert answer.status_code == 201, answer.text
    dataset = answer.json()["dataset"]
    assert (dataset["format"], dataset["rows"]) == (fmt, 200)


def test_a_zip_archive_named_csv_is_still_refused(api: tuple[Api, App]) -> None:
    client, _ = api
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inside.csv", labelled_csv(50))
    answer = _post(client, _form(b'filename="export.csv"', buffer.getvalue()))
    assert answer.status_code == 415, answer.text
    assert "a ZIP archive" in answer.json()["message"]
