"""`entrepot fraud train / score / evaluate` with the model registry, through the real
entry point on a local folder and SQLite: train pushes a version, score finds it by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.support.cli import Run, in_process_cli


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    env = {
        "ENTREPOT_STORE_URL": str(tmp_path / "store"),
        "ENTREPOT_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.db'}",
        "ENTREPOT_CACHE_DIR": str(tmp_path / "cache"),
        "ENTREPOT_TRAINING_CLOCK": "steps",
    }
    return in_process_cli(monkeypatch, capsys, env)


def test_train_registers_and_score_finds_the_model_by_name(cli: Run, tmp_path: Path) -> None:
    data = tmp_path / "tx.csv"
    code, _, err = cli("fraud", "generate", str(data), "--rows", "3000", "--fraud-rate", "0.05")
    assert code == 0, err
    train = ("fraud", "train", str(data), "--name", "cards", "--time-budget", "2")
    code, out, err = cli(*train)  # no catalog yet: refused before any training
    assert code != 0
    assert "entrepot db upgrade" in err and "model search" not in out
    assert cli("db", "upgrade")[0] == 0
    code, out, err = cli(*train)
    assert code == 0, err
    assert "registered cards@v" in out
    assert not (tmp_path / "cards").exists()  # nothing written beside the data

    code, out, _ = cli("models", "versions", "cards")
    assert code == 0
    version = next(w for w in out.split() if w.startswith("v2"))
    code, out, _ = cli("models", "show", f"cards@{version}")
    assert "model.joblib" in out and "performance.json" in out and "file_sha256" in out

    latest, pinned = tmp_path / "latest.csv", tmp_path / "pinned.parquet"
    code, out, err = cli("fraud", "score", str(data), str(latest), "--model", "cards")
    assert code == 0, err
    assert "3,000 rows scored" in out
    code, _, err = cli("fraud", "score", str(data), str(pinned), "--model", f"cards@{version}")
    assert code == 0, err
    first, second = pd.read_csv(latest), pd.read_parquet(pinned)
    assert len(first) == 3000
    assert {"fraud_probability", "prediction", "risk_level", "anomaly_score"} <= set(first)
    np.testing.assert_allclose(first["fraud_probability"], second["fraud_probability"])

    code, out, err = cli("fraud", "evaluate", str(data), "--model", "cards")
    assert code == 0, err
    assert "Precision-recall area" in out  # the metric named as the model page names it


def test_train_with_out_writes_a_folder_and_registers_nothing(cli: Run, tmp_path: Path) -> None:
    data = tmp_path / "tx.csv"
    assert cli("fraud", "generate", str(data), "--rows", "2000", "--fraud-rate", "0.05")[0] == 0
    out_dir = tmp_path / "models"
    assert cli("db", "upgrade")[0] == 0  # the installation's key signs the folder
    args = ["--name", "m", "--out", str(out_dir / "m"), "--time-budget", "1"]
    code, out, err = cli("fraud", "train", str(data), *args)
    assert code == 0, err
    assert f"saved to {out_dir / 'm'}" in out
    assert (out_dir / "m" / "model.joblib").is_file()
    assert "m" not in cli("models", "ls")[1].split()
    code, _, err = cli("fraud", "score", str(data), str(tmp_path / "s.csv"), "--model", "models/m")
    assert code == 0, err


def test_an_unknown_model_or_folder_is_named_in_the_error(cli: Run, tmp_path: Path) -> None:
    data = tmp_path / "tx.csv"
    assert cli("fraud", "generate", str(data), "--rows", "500")[0] == 0
    assert cli("db", "upgrade")[0] == 0
    out = str(tmp_path / "s.csv")
    code, _, err = cli("fraud", "score", str(data), out, "--model", "absent")
    assert code != 0
    assert "absent" in err
    code, _, err = cli("fraud", "score", str(data), out, "--model", "no/such/folder")
    assert code != 0
    assert "no/such/folder is not a model folder" in err
    assert not Path(out).exists()


def test_a_registry_model_that_is_not_a_fraud_model_is_refused(cli: Run, tmp_path: Path) -> None:
    from tests.support.registry import sklearn_model

    folder, _, _ = sklearn_model(tmp_path / "plain")
    assert cli("db", "upgrade")[0] == 0
    assert cli("models", "push", str(folder), "--name", "plain")[0] == 0
    data = tmp_path / "tx.csv"
    assert cli("fraud", "generate", str(data), "--rows", "500")[0] == 0
    code, _, err = cli("fraud", "score", str(data), str(tmp_path / "s.csv"), "--model", "plain")
    assert code != 0
    assert "not a fraud model" in err


def test_a_folder_that_holds_another_model_is_refused_by_name(cli: Run, tmp_path: Path) -> None:
    from tests.support.registry import sklearn_model

    sklearn_model(tmp_path / "plain")
    data = tmp_path / "tx.csv"
    assert cli("fraud", "generate", str(data), "--rows", "500")[0] == 0
    code, _, err = cli("fraud", "score", str(data), str(tmp_path / "s.csv"), "--model", "./plain")
    assert code != 0  # a pickle this installation did not sign: never opened (issue 28)
    assert "refusing to unpickle" in err and "Traceback" not in err
