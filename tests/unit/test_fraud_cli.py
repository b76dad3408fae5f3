"""`entrepot fraud ...` as a user types it: generate, analyze, train."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from entrepot.fraud.cli import fraud_app
from entrepot.fraud.errors import EmptyFile, NoTargetFound

runner = CliRunner()


def test_domains_are_listed() -> None:
    result = runner.invoke(fraud_app, ["domains"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in ("card_payments", "p2p_lending", "crypto_gateway"):
        assert name in result.output


def test_generate_analyze_train(tmp_path: Path) -> None:
    data = tmp_path / "tx.csv"
    args = ["generate", str(data), "--domain", "mobile_money", "--rows", "4000"]
    result = runner.invoke(
        fraud_app, [*args, "--fraud-rate", "0.05", "--seed", "3", "--lang", "fr"]
    )
    assert result.exit_code == 0, result.output
    assert "200 frauds (5.00%)" in result.output
    assert data.read_bytes().startswith(b"\xef\xbb\xbf")

    result = runner.invoke(fraud_app, ["analyze", str(data)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "200 frauds (5.00%)" in result.output
    assert "label candidate" in result.output

    result = runner.invoke(fraud_app, ["analyze", str(data), "--json"])
    summary = json.loads(result.output)
    assert summary["fraud_rate"] == 0.05

    out = tmp_path / "models"
    result = runner.invoke(
        fraud_app,
        ["train", str(data), "--name", "mm-1", "--out", str(out), "--time-budget", "2"],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "test AUPRC" in result.output
    assert sorted(p.name for p in (out / "mm-1").iterdir()) == [
        "model.joblib",
        "performance.json",
        "schema.json",
    ]


def test_errors_reach_the_main_cli_as_fraud_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = runner.invoke(fraud_app, ["analyze", str(empty)])
    assert isinstance(result.exception, EmptyFile)
    unlabelled = tmp_path / "u.csv"
    unlabelled.write_text("amount,country\n" + "\n".join(f"{i},FR" for i in range(200)))
    result = runner.invoke(
        fraud_app, ["train", str(unlabelled), "--name", "x", "--out", str(tmp_path)]
    )
    assert isinstance(result.exception, NoTargetFound)


@pytest.mark.parametrize("name", ["../up", "a/b", ""])
def test_unsafe_model_names_are_refused(tmp_path: Path, name: str) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    result = runner.invoke(fraud_app, ["train", str(data), "--name", name, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert not (tmp_path / "up").exists()
