"""How ``fraud score`` shows what scored the file (issue 44 item 3): one model is one line,
an ensemble is a table of its members."""

from __future__ import annotations

from rich.console import Console

from entrepot.cli.fraud.render import print_ensemble

ONE = {"name": "cartes@3", "weight": 1.0, "validation_auprc": 0.8123, "column_coverage": 1.0}
OTHER = {**ONE, "name": "atm@1", "similarity": 0.71, "coverage": 0.9, "threshold": 0.4}


def _printed(members: list[dict[str, object]]) -> str:
    console = Console(record=True, width=160)
    print_ensemble(console, members)
    return console.export_text()


def test_one_model_is_one_line_without_an_ensemble_table() -> None:
    text = _printed([ONE])
    assert (
        text.strip() == "scored with cartes@3 (validation AUPRC 0.812; reads 100% of its columns)"
    )
    assert "ensemble" not in text and "similarity" not in text


def test_an_ensemble_is_a_table_of_its_members() -> None:
    text = _printed([ONE, OTHER])
    assert "ensemble" in text and "similarity" in text
    assert "cartes@3" in text and "atm@1" in text
