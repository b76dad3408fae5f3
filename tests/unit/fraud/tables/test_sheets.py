"""Which sheet of a workbook is read (issue 44 item 2): the one holding a label and the
most rows unless one is named; an unknown sheet refused naming the sheets there; a
workbook of one sheet read as before."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from entrepot.fraud.errors import UnknownSheet
from entrepot.fraud.schema.analysis import analyze_file
from entrepot.fraud.schema.target import has_label
from entrepot.fraud.tables.bounds import TooManyRows
from entrepot.fraud.tables.io import read_table
from entrepot.fraud.tables.xlsx_sheet import workbook_sheets
from entrepot.refusals import exit_code
from tests.support.workbooks import read_me_then_transactions


def test_the_sheet_holding_the_table_is_read_and_named(tmp_path: Path) -> None:
    path = read_me_then_transactions(tmp_path / "second.xlsx")
    frame = read_table(path, labelled=has_label)
    assert list(frame.columns) == ["montant", "carte", "fraude"] and len(frame) == 40
    assert frame.attrs == {"sheet": "Transactions", "other_sheets": ["Lisez-moi"]}
    analysis = analyze_file(path)
    assert (analysis.sheet, analysis.other_sheets, analysis.target) == (
        "Transactions",
        ("Lisez-moi",),
        "fraude",
    )
    assert analysis.to_dict()["other_sheets"] == ["Lisez-moi"]


def test_a_labelled_sheet_wins_over_a_longer_one_without_a_label(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    long = book.active
    assert long is not None
    long.title = "Tarifs"
    long.append(["code", "prix"])
    for i in range(60):
        long.append([f"p{i}", i * 2.0])
    labelled = book.create_sheet("Transactions")
    labelled.append(["montant", "fraude"])
    for i in range(30):
        labelled.append([float(i), int(i % 10 == 0)])
    book.save(tmp_path / "book.xlsx")
    assert read_table(tmp_path / "book.xlsx", labelled=has_label).attrs["sheet"] == "Transactions"
    # without a label judge, the most rows
    assert read_table(tmp_path / "book.xlsx").attrs["sheet"] == "Tarifs"


def test_a_named_sheet_is_read_by_its_name_or_its_number(tmp_path: Path) -> None:
    path = read_me_then_transactions(tmp_path / "second.xlsx")
    by_name = read_table(path, sheet="Lisez-moi", labelled=has_label)
    by_number = read_table(path, sheet="1", labelled=has_label)
    assert (
        by_name.attrs
        == by_number.attrs
        == {
            "sheet": "Lisez-moi",
            "other_sheets": ["Transactions"],
        }
    )
    assert by_name.equals(by_number) and len(by_name) == 2
    assert read_table(path, sheet=1).attrs["sheet"] == "Transactions"  # an index from 0


def test_an_unknown_sheet_is_refused_naming_the_sheets(tmp_path: Path) -> None:
    path = read_me_then_transactions(tmp_path / "second.xlsx")
    for wrong in ("Nope", "3", 5):
        with pytest.raises(UnknownSheet) as refused:
            read_table(path, sheet=wrong)
        assert refused.value.said is not None
        assert refused.value.said.params["sheets"] == "Lisez-moi, Transactions"
    assert exit_code(UnknownSheet("x")) == 2


def test_a_workbook_of_one_sheet_reads_as_before(tmp_path: Path) -> None:
    frame = pd.DataFrame({"montant": [1.5, 2.5, 3.5], "fraude": [0, 1, 0]})
    frame.to_excel(tmp_path / "one.xlsx", index=False)
    read = read_table(tmp_path / "one.xlsx", labelled=has_label)
    assert read.attrs == {} and read.equals(frame)
    assert analyze_file(tmp_path / "one.xlsx").to_dict()["sheet"] is None


def test_the_row_cap_holds_for_the_chosen_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = read_me_then_transactions(tmp_path / "second.xlsx", rows=30)
    monkeypatch.setattr("entrepot.fraud.tables.io.MAX_XLSX_ROWS", 20)
    monkeypatch.setattr("entrepot.fraud.tables.bounds.MAX_XLSX_ROWS", 20)
    with pytest.raises(TooManyRows):
        read_table(path)
    assert len(read_table(path, sheet="Lisez-moi")) == 2


def test_sheet_names_and_rows_come_from_the_xml(tmp_path: Path) -> None:
    path = read_me_then_transactions(tmp_path / "second.xlsx", rows=25)
    assert workbook_sheets(path.read_bytes(), stop=1000) == [("Lisez-moi", 2), ("Transactions", 25)]
