"""Workbooks as people keep them, through the installed ``entrepot`` (issue 44 item 2): a
"Lisez-moi" sheet then "Transactions" is analysed from "Transactions", and the output
says so in the reader's language; ``--sheet`` reads another; an unknown sheet is refused
naming the sheets there, as a usage mistake, without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import Cli
from tests.support.workbooks import read_me_then_transactions

FRENCH = (
    "feuille lue\u00a0: «\u00a0Transactions\u00a0»\u202f; "
    "aussi dans le fichier\u00a0: «\u00a0Lisez-moi\u00a0»"
)


def test_analyze_reads_the_sheet_holding_the_table_and_says_so(cli: Cli, tmp_path: Path) -> None:
    read_me_then_transactions(tmp_path / "second.xlsx")
    english = cli("fraud", "analyze", "second.xlsx", extra_env={"LANG": "C.UTF-8"})
    assert english.returncode == 0, english.stderr
    assert "read sheet 'Transactions'; also in the file: 'Lisez-moi'" in english.stdout
    assert "40 rows, label fraude" in english.stdout
    french = cli("fraud", "analyze", "second.xlsx", extra_env={"LANG": "fr_FR.UTF-8"})
    assert french.returncode == 0, french.stderr
    assert FRENCH in french.stdout
    found = cli("fraud", "analyze", "second.xlsx", "--sheet", "Lisez-moi", "--json")
    analysis = json.loads(found.stdout)
    assert (analysis["sheet"], analysis["other_sheets"], analysis["rows"]) == (
        "Lisez-moi",
        ["Transactions"],
        2,
    )


def test_an_unknown_sheet_is_a_usage_mistake_naming_the_sheets(cli: Cli, tmp_path: Path) -> None:
    read_me_then_transactions(tmp_path / "second.xlsx")
    refused = cli(
        "fraud", "analyze", "second.xlsx", "--sheet", "Ventes", extra_env={"LANG": "fr_FR.UTF-8"}
    )
    said = " ".join(refused.stderr.split())
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "n’a pas de feuille" in said and "Lisez-moi, Transactions" in said


def test_train_and_evaluate_read_the_sheet_named(cli: Cli, tmp_path: Path) -> None:
    read_me_then_transactions(tmp_path / "second.xlsx", rows=400)
    trained = cli(
        "fraud", "train", "second.xlsx", "--name", "m", "--out", "m", "--time-budget", "2",
        "--sheet", "Transactions",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert "read sheet 'Transactions'; also in the file: 'Lisez-moi'" in trained.stdout
    found = cli("fraud", "evaluate", "second.xlsx", "--model", "./m", "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["sheet"] == "Transactions"
