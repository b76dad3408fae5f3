"""Issue 44 item 1: a model folder the command line writes is usable where it was written,
with or without an instance (ADR 0082), through the installed ``entrepot``."""

from __future__ import annotations

from pathlib import Path

from entrepot.fraud.synth.generator import generate
from tests.support.cli import Cli


def _transactions(path: Path) -> None:
    data = generate("card_payments", 2000, fraud_rate=0.05, seed=3, lang="en", variety=False)
    data.frame.to_csv(path, index=False)


def test_train_out_writes_the_named_folder_which_scores_and_evaluates_without_an_instance(
    cli: Cli, tmp_path: Path
) -> None:
    _transactions(tmp_path / "tx.csv")
    trained = cli("fraud", "train", "tx.csv", "--name", "m", "--out", "./m", "--time-budget", "2")
    assert trained.returncode == 0, trained.stderr
    assert (tmp_path / "m" / "model.joblib").is_file()
    assert (tmp_path / "m" / "signature.json").is_file()
    assert not (tmp_path / "m" / "m").exists()
    assert not (tmp_path / "var").exists()  # no instance was made to sign it

    scored = cli("fraud", "score", "tx.csv", "s.csv", "--model", "./m")
    assert scored.returncode == 0, scored.stderr
    assert (tmp_path / "s.csv").is_file()
    evaluated = cli("fraud", "evaluate", "tx.csv", "--model", "./m")
    assert evaluated.returncode == 0, evaluated.stderr
    assert "Precision-recall area" in evaluated.stdout

    # the same folder scores once an instance exists: the user's key still verifies it
    assert cli("db", "upgrade").returncode == 0
    again = cli("fraud", "score", "tx.csv", "s2.csv", "--model", "./m")
    assert again.returncode == 0, again.stderr


def test_a_folder_changed_after_it_was_signed_is_refused_without_telling_to_train_again(
    cli: Cli, tmp_path: Path
) -> None:
    _transactions(tmp_path / "tx.csv")
    trained = cli("fraud", "train", "tx.csv", "--name", "m", "--out", "m", "--time-budget", "2")
    assert trained.returncode == 0, trained.stderr
    model = tmp_path / "m" / "model.joblib"
    model.write_bytes(model.read_bytes() + b"\0")

    refused = cli("fraud", "score", "tx.csv", "s.csv", "--model", "./m")
    assert refused.returncode == 65
    assert "refusing to unpickle" in refused.stderr
    assert "fraud train" not in refused.stderr  # never the step that was just taken
    assert "models push" in refused.stderr
    assert not (tmp_path / "s.csv").exists()


def test_another_users_key_does_not_verify_the_folder(cli: Cli, tmp_path: Path) -> None:
    _transactions(tmp_path / "tx.csv")
    trained = cli("fraud", "train", "tx.csv", "--name", "m", "--out", "m", "--time-budget", "2")
    assert trained.returncode == 0, trained.stderr
    other = {"XDG_DATA_HOME": str(tmp_path / "someone-else")}
    refused = cli("fraud", "score", "tx.csv", "s.csv", "--model", "./m", extra_env=other)
    assert refused.returncode == 65, refused.stderr
    assert (
        tmp_path / "someone-else" / "entrepot" / "folder-signing.key"
    ).stat().st_mode & 0o077 == 0
