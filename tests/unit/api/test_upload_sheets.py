"""A workbook uploaded through ``POST /api/upload`` (issue 44 item 2): read from the sheet
holding the table unless the ``sheet`` field names another; the analysis, and
``GET /api/datasets/{id}``, say which sheet was read and which others exist; a dataset's
later readers read that sheet; an unknown sheet is refused naming the sheets there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.fraud_service.dataset_tables import read_dataset
from tests.support.web import PASSWORD, csrf_of, make_web_app, sign_in
from tests.support.workbooks import read_me_then_transactions


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        services.accounts.register("a@example.com", PASSWORD)
        sign_in(client, "a@example.com")
        yield client, csrf_of(client.get("/datasets").text)


def _upload(client: TestClient, token: str, book: Path, **fields: str) -> Any:
    return client.post(
        "/api/upload",
        files={"file": ("second.xlsx", book.read_bytes())},
        data=fields,
        headers={"X-CSRF-Token": token},
    )


def test_the_upload_reads_the_sheet_holding_the_table(
    web: tuple[TestClient, str], tmp_path: Path
) -> None:
    client, token = web
    book = read_me_then_transactions(tmp_path / "second.xlsx")
    answer = _upload(client, token, book)
    assert answer.status_code == 201, answer.text
    analysis = answer.json()["analysis"]
    assert (analysis["sheet"], analysis["other_sheets"]) == ("Transactions", ["Lisez-moi"])
    assert (analysis["target"], analysis["rows"]) == ("fraude", 40)
    shown = client.get(f"/api/datasets/{answer.json()['dataset_id']}").json()
    assert shown["analysis"]["sheet"] == "Transactions"


def test_the_sheet_field_reads_another(web: tuple[TestClient, str], tmp_path: Path) -> None:
    client, token = web
    book = read_me_then_transactions(tmp_path / "second.xlsx")
    answer = _upload(client, token, book, sheet="Lisez-moi")
    assert answer.status_code == 201, answer.text
    analysis = answer.json()["analysis"]
    assert (analysis["sheet"], analysis["other_sheets"]) == ("Lisez-moi", ["Transactions"])
    assert analysis["rows"] == 2 and analysis["target"] is None


def test_an_unknown_sheet_is_refused_naming_the_sheets(
    web: tuple[TestClient, str], tmp_path: Path
) -> None:
    client, token = web
    book = read_me_then_transactions(tmp_path / "second.xlsx")
    answer = _upload(client, token, book, sheet="Ventes")
    assert answer.status_code == 422, answer.text
    assert "Lisez-moi, Transactions" in answer.text


def test_a_datasets_readers_read_the_sheet_its_upload_read(tmp_path: Path) -> None:
    book = read_me_then_transactions(tmp_path / "second.xlsx")
    chosen = SimpleNamespace(analysis={"sheet": "Lisez-moi"})
    guessed = SimpleNamespace(analysis={"sheet": None})
    assert len(read_dataset(book, chosen)) == 2  # type: ignore[arg-type]
    assert len(read_dataset(book, guessed)) == 40  # type: ignore[arg-type]


def test_the_whole_file_label_is_counted_on_the_sheet_read(tmp_path: Path) -> None:
    from entrepot.fraud.schema.target import has_label
    from entrepot.fraud.tables.io import read_table
    from entrepot.fraud_service.label_count import count_label

    book = read_me_then_transactions(tmp_path / "second.xlsx", rows=50)
    head = read_table(book, labelled=has_label).head(10)
    count = count_label(book, "xlsx", head, "fraude", 1)
    assert (count.rows, count.frauds) == (50, 5)


def test_the_dataset_page_says_which_sheet_was_read(
    web: tuple[TestClient, str], tmp_path: Path
) -> None:
    client, token = web
    book = read_me_then_transactions(tmp_path / "second.xlsx")
    dataset_id = _upload(client, token, book).json()["dataset_id"]
    english = client.get(f"/datasets/{dataset_id}", headers={"Accept": "text/html"}).text
    assert "Read from the sheet “Transactions”; also in the workbook: Lisez-moi." in english
    assert 'name="sheet"' in client.get("/datasets").text
    client.get("/lang/fr")
    french = client.get(f"/datasets/{dataset_id}", headers={"Accept": "text/html"}).text
    assert (
        "Lu dans la feuille «\u00a0Transactions\u00a0»\u202f; aussi dans le classeur\u00a0: "
        "Lisez-moi." in french
    )
