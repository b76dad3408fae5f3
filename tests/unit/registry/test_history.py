"""A training history pushed with a model: its summary in the version's metadata (seed 003),
both shapes loops write, the user's --metric/--metadata winning, bad histories refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from entrepot.registry.errors import InvalidModelFiles
from entrepot.registry.history import summarize_file
from tests.support.cli import Run, migrated_cli

KERAS = {
    "loss": [0.9, 0.5, 0.4, 0.45],
    "accuracy": [0.6, 0.8, 0.85, 0.86],
    "val_loss": [1.0, 0.6, 0.55, 0.7],
    "val_accuracy": [0.5, 0.75, 0.8, 0.82],
}


def _write(tmp_path: Path, history: object, name: str = "training_history.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(history))
    return path


def test_a_keras_history_best_epoch_by_validation_loss(tmp_path: Path) -> None:
    summary = summarize_file(_write(tmp_path, KERAS))
    assert summary["epochs"] == 4
    assert summary["best_epoch"] == 3 and summary["monitor"] == "val_loss"
    assert summary["final"] == {"loss": 0.45, "accuracy": 0.86, "val_loss": 0.7,
                                "val_accuracy": 0.82}  # fmt: skip
    assert summary["best"]["val_loss"] == 0.55 and summary["best"]["val_accuracy"] == 0.82
    assert summary["best"]["loss"] == 0.4


def test_a_list_of_epochs_without_validation_loss_uses_the_validation_metric(
    tmp_path: Path,
) -> None:
    epochs = [
        {"epoch": 0, "train_loss": 1.2, "val_acc": 0.4},
        {"epoch": 1, "train_loss": 0.8, "val_acc": 0.7},
        {"epoch": 2, "train_loss": 0.7, "val_acc": math.nan},
        {"epoch": 3, "train_loss": 0.6, "val_acc": 0.65},
    ]
    path = tmp_path / "training_history.json"
    path.write_text(json.dumps(epochs))  # NaN as Python writes it
    summary = summarize_file(path)
    assert summary["epochs"] == 4
    assert summary["best_epoch"] == 1 and summary["monitor"] == "val_acc"
    assert summary["final"] == {"train_loss": 0.6, "val_acc": 0.65}
    assert summary["best"] == {"train_loss": 0.6, "val_acc": 0.7}


def test_without_validation_there_is_no_best_epoch(tmp_path: Path) -> None:
    summary = summarize_file(_write(tmp_path, {"loss": [3.0, 2.0]}))
    assert summary == {"epochs": 2, "final": {"loss": 2.0}, "best": {"loss": 2.0}}


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{not json", "is not JSON"),
        ('"text"', "is not a training history"),
        ('{"loss": 3}', "is not a training history"),
        ("[]", "is not a training history"),
    ],
)
def test_what_is_not_a_history_is_refused_with_the_shapes(
    tmp_path: Path, content: str, said: str
) -> None:
    path = tmp_path / "training_history.json"
    path.write_text(content)
    with pytest.raises(InvalidModelFiles, match=said) as caught:
        summarize_file(path)
    assert "dict of per-epoch lists" in str(caught.value) and "rename" in str(caught.value)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return migrated_cli(tmp_path, monkeypatch, capsys)


def test_push_records_the_summary_and_show_prints_it(cli: Run, tmp_path: Path) -> None:
    weights = tmp_path / "model.pth"
    weights.write_bytes(b"weights")
    history = _write(tmp_path, KERAS)
    code, _, err = cli("models", "push", str(weights), str(history), "--name", "plants",
                       "--metric", "val_accuracy=0.95")  # fmt: skip
    assert code == 0, err
    code, out, _ = cli("models", "show", "plants", "--json")
    manifest = json.loads(out)
    assert manifest["metadata"]["training"]["best_epoch"] == 3
    assert manifest["metrics"]["val_accuracy"] == 0.95  # --metric wins
    assert manifest["metrics"]["val_loss"] == 0.7  # the final value otherwise
    code, out, _ = cli("models", "show", "plants")
    assert "training: 4 epochs, best epoch 3 (by val_loss)" in out
    assert "val_loss: final 0.7, best 0.55" in out

    mine = tmp_path / "meta.json"
    mine.write_text(json.dumps({"training": {"epochs": 40}, "arch": "resnet"}))
    code, _, err = cli("models", "push", str(weights), str(history), "--name", "plants",
                       "--metadata", str(mine))  # fmt: skip
    assert code == 0, err
    manifest = json.loads(cli("models", "show", "plants", "--json")[1])
    assert manifest["metadata"] == {"training": {"epochs": 40}, "arch": "resnet"}


def test_a_broken_history_stores_nothing(cli: Run, tmp_path: Path) -> None:
    weights = tmp_path / "model.pth"
    weights.write_bytes(b"weights")
    broken = tmp_path / "training_history.json"
    broken.write_text("{oops")
    code, _, err = cli("models", "push", str(weights), str(broken), "--name", "plants")
    assert code == 65 and "is not JSON" in err
    assert "0 models" in cli("models", "ls")[1]
    assert not (tmp_path / "store" / "models").exists()
