"""``entrepot models ...`` through the real CLI entry point, on a local folder and SQLite."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.support.cli import Run, migrated_cli
from tests.support.registry import sklearn_model


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``cli("models", "ls")`` -> (exit code, stdout, stderr), on a fresh local setup."""
    return migrated_cli(tmp_path, monkeypatch, capsys)


def test_push_ls_versions_show_latest_pull_round_trip(cli: Run, tmp_path: Path) -> None:
    folder, _, _ = sklearn_model(tmp_path / "model")
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps({"auprc": 0.91, "roc_auc": 0.97}))
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"a": "float64", "b": "float64", "c": "float64"}))
    code, out, err = cli(
        "models", "push", str(folder), "--name", "fraud", "--metrics", str(metrics),
        "--metric", "precision=0.8", "--param", "budget=60", "--tag", "team=risk",
        "--lineage", "training_run=r1", "--input-schema", str(schema),
    )  # fmt: skip
    assert code == 0, err
    assert "pushed fraud@v" in out and "sklearn, signed" in out
    version = cli("models", "latest", "fraud")[1].strip()
    assert version.startswith("v") and len(version) == len("vYYYYMMDD_HHMMSS")

    code, out, _ = cli("models", "ls")
    assert code == 0 and "fraud" in out and version in out and "1 model\n" in out
    code, out, _ = cli("models", "versions", "fraud")
    assert version in out and "auprc=0.91" in out and "precision=0.8" in out

    assert cli("models", "alias", "fraud", "production", version)[1].strip() == (
        f"fraud@production -> {version}"
    )
    code, out, _ = cli("models", "show", "fraud@production")
    assert code == 0
    assert "model file: model.joblib" in out and "team=risk" in out and "budget=60" in out
    assert "aliases: production" in out and "input: a:float64" in out
    code, out, _ = cli("models", "show", "fraud", "--json")
    assert json.loads(out)["lineage"] == {"training_run": "r1"}

    dest = tmp_path / "pulled"
    code, out, err = cli("models", "pull", "fraud@production", str(dest))
    assert code == 0, err
    assert "all verified" in out
    assert (dest / "model.joblib").read_bytes() == (folder / "model.joblib").read_bytes()
    assert (dest / "manifest.json").is_file()

    code, out, _ = cli("models", "verify")
    assert code == 0 and "all verified" in out
    assert cli("models", "references")[1].strip().endswith("0 reference models")


def test_errors_name_the_problem_and_exit_non_zero(cli: Run, tmp_path: Path) -> None:
    code, _, err = cli("models", "pull", "ghost", str(tmp_path / "x"))
    assert code == 66 and "no model named 'ghost'" in err and "what to do" in err
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"w" * 100)
    assert cli("models", "push", str(weights), "-n", "m", "--version", "1")[0] == 0
    code, _, err = cli("models", "push", str(weights), "-n", "m", "--version", "1")
    assert code == 73 and "m@1 already exists" in err
    code, _, err = cli("models", "push", str(weights), "-n", "m", "--version", "../x")
    assert code != 0 and "version '../x' is not a safe name" in err
    code, _, err = cli("models", "push", str(weights), "-n", "m", "--metric", "auc=high")
    assert code != 0 and "not a number" in err
    code, _, err = cli("models", "presign", "m@1")
    assert code != 0 and "cannot presign" in err
    code, _, err = cli("models", "export", "m@1", str(tmp_path / "out"))
    assert code != 0 and "raw model; the MLflow export supports" in err

    (tmp_path / "store" / "models" / "m" / "1" / "w.bin").write_bytes(b"x" * 100)
    code, out, _ = cli("models", "verify", "m")
    assert code == 74 and "content hashes to" in out and "1 problem" in out
    code, _, err = cli("models", "pull", "m@1", str(tmp_path / "p"))
    assert code == 74 and "'w.bin' of m@1" in err

    code, out, _ = cli("models", "rm", "m@1")
    assert code == 0 and "deleted m@1" in out
    assert not (tmp_path / "store" / "models" / "m" / "1").exists()
    assert cli("models", "ls")[1].strip().endswith("0 models")


def test_a_users_models_are_apart(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password 42\n"))
    assert cli("users", "create", "ann@example.com", "--password-stdin")[0] == 0
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"w")
    assert cli("models", "--user", "ann@example.com", "push", str(weights), "-n", "m")[0] == 0
    assert (tmp_path / "store" / "users" / "1" / "models" / "m").is_dir()
    assert "m" in cli("models", "--user", "1", "ls")[1]
    assert "m" in cli("models", "--user", "ANN@example.com", "ls")[1]
    assert cli("models", "ls")[1].strip().endswith("0 models")
    code, _, err = cli("models", "--user", "../41", "ls")
    assert code == 65 and "neither an email nor an account id" in err
    code, _, err = cli("models", "--user", "42", "push", str(weights), "-n", "m")
    assert code == 66 and "no account 42" in err
    assert not (tmp_path / "store" / "users" / "42").exists()


def test_an_export_the_flavor_or_the_format_cannot_take_is_a_usage_mistake(
    cli: Run, tmp_path: Path
) -> None:
    """Issue 44 item 3: ``--format onnx`` and a raw (PyTorch, …) export exited 1, the
    README's "a check failed"; a usage mistake exits 2."""
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"w" * 100)
    assert cli("models", "push", str(weights), "-n", "m", "--version", "1")[0] == 0
    code, _, err = cli("models", "export", "m@1", str(tmp_path / "out"))
    assert code == 2 and "raw model; the MLflow export supports" in err
    code, _, err = cli("models", "export", "m@1", str(tmp_path / "out"), "--format", "onnx")
    assert code == 2 and "unknown export format 'onnx'" in err
    assert not (tmp_path / "out").exists()
