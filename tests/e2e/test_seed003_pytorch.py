"""Seed 003 end to end: a real PyTorch classifier stored on S3 with its training history.

The user's MinIO setup kept ``plant_classifier/vYYYYMMDD_HHMMSS/`` with ``best_model.pth``,
``training_history.json`` and a manifest whose MD5 mismatch was only a warning. Here the
same model goes through ``entrepot models`` on a real S3 server (moto) and the SQL catalog:
pushed, listed, latest, pulled with every file verified, loaded into a module that
predicts, refused once a byte of the stored weights flips, then deleted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from entrepot.bootstrap import bootstrap
from entrepot.config import load_settings
from tests.support.cli import Run, in_process_cli
from tests.support.network import S3_REGION, unique_bucket

pytestmark = [pytest.mark.s3, pytest.mark.slow]

CLASSES = ["healthy", "diseased"]


class PlantNet(nn.Module):
    """A small convolutional classifier of 3 x 16 x 16 leaf images into two classes."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(16, len(CLASSES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


def leaves(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Synthetic leaves: healthy ones green, diseased ones with brown spots."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 2, (n,), generator=generator)
    images = torch.rand(n, 3, 16, 16, generator=generator) * 0.2
    images[:, 1] += 0.6  # green
    spots = torch.rand(n, 1, 16, 16, generator=generator) > 0.7
    brown = torch.tensor([0.5, -0.3, -0.1]).view(1, 3, 1, 1)
    images += labels.view(n, 1, 1, 1) * spots * brown
    return images, labels


def train(folder: Path) -> tuple[PlantNet, dict[str, Any]]:
    """Train for a few epochs; write best_model.pth, training_history.json, metadata."""
    torch.manual_seed(0)
    model = PlantNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
    x_train, y_train = leaves(256, seed=1)
    x_val, y_val = leaves(128, seed=2)
    history: dict[str, list[float]] = {k: [] for k in ("train_loss", "val_loss", "val_accuracy")}
    best = -1.0
    for _epoch in range(8):
        model.train()
        for start in range(0, 256, 32):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(
                model(x_train[start : start + 32]), y_train[start : start + 32]
            )
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(x_val)
            val_loss = float(nn.functional.cross_entropy(logits, y_val))
            accuracy = float((logits.argmax(1) == y_val).float().mean())
        history["train_loss"].append(float(loss.detach()))
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(accuracy)
        if accuracy > best:
            best = accuracy
            torch.save(model.state_dict(), folder / "best_model.pth")
    (folder / "training_history.json").write_text(json.dumps(history, indent=2))
    best_epoch = history["val_accuracy"].index(best) + 1
    metadata = {
        "architecture": "PlantNet (2 conv layers, global pooling, linear head)",
        "num_classes": len(CLASSES),
        "classes": CLASSES,
        "best_epoch": best_epoch,
        "total_epochs": 8,
        "val_accuracy": best,
        "val_loss": history["val_loss"][best_epoch - 1],
        "optimizer": "AdamW",
    }
    model.load_state_dict(torch.load(folder / "best_model.pth", weights_only=True))
    return model.eval(), metadata


@pytest.fixture
def models_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    s3_endpoint: str,
    s3_client: Any,
) -> tuple[Run, str]:
    bucket = unique_bucket()
    s3_client.create_bucket(Bucket=bucket)
    monkeypatch.chdir(tmp_path)
    run = in_process_cli(
        monkeypatch,
        capsys,
        {
            "ENTREPOT_STORE_URL": f"s3://{bucket}",
            "ENTREPOT_S3_ENDPOINT_URL": s3_endpoint,
            "ENTREPOT_S3_REGION": S3_REGION,
            "ENTREPOT_S3_PATH_STYLE": "true",
            "ENTREPOT_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.db'}",
            "ENTREPOT_CACHE_DIR": str(tmp_path / "cache"),
        },
    )
    assert run("db", "upgrade")[0] == 0
    return run, bucket


def test_seed_003_plant_classifier_on_s3(
    models_cli: tuple[Run, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3_client: Any,
) -> None:
    cli, bucket = models_cli
    folder = tmp_path / "training"
    folder.mkdir()
    trained, metadata = train(folder)
    (tmp_path / "metadata.json").write_text(json.dumps(metadata))
    x_test, y_test = leaves(64, seed=3)

    code, out, err = cli(
        "models", "push", str(folder / "best_model.pth"), str(folder / "training_history.json"),
        "--name", "plant_classifier", "--metadata", str(tmp_path / "metadata.json"),
        "--metric", f"val_accuracy={metadata['val_accuracy']}",
        "--metric", f"val_loss={metadata['val_loss']}", "--param", "optimizer=AdamW",
    )  # fmt: skip
    assert code == 0, err
    assert "pushed plant_classifier@v" in out and "(pytorch, signed" in out
    version = cli("models", "latest", "plant_classifier")[1].strip()
    listing = cli("models", "versions", "plant_classifier")[1]
    assert version in listing and "val_accuracy=" in listing
    shown = cli("models", "show", f"plant_classifier@{version}", "--json")[1]
    manifest = json.loads(shown)
    assert manifest["metadata"]["classes"] == CLASSES
    assert manifest["metadata"]["optimizer"] == "AdamW"
    assert manifest["model_file"] == "best_model.pth"
    assert {f["path"] for f in manifest["files"]} == {"best_model.pth", "training_history.json"}

    dest = tmp_path / "pulled"
    code, out, err = cli("models", "pull", "plant_classifier", str(dest))
    assert code == 0, err
    assert "all verified" in out
    for name in ("best_model.pth", "training_history.json"):
        assert (dest / name).read_bytes() == (folder / name).read_bytes()

    registry = bootstrap(load_settings()).registry
    model = registry.load("plant_classifier", into=PlantNet())
    with torch.no_grad():
        predicted = model(x_test).argmax(1)
        assert torch.equal(predicted, trained(x_test).argmax(1))
    assert float((predicted == y_test).float().mean()) > 0.9

    key = f"models/plant_classifier/{version}/best_model.pth"
    head = s3_client.head_object(Bucket=bucket, Key=key)
    weights = bytearray(s3_client.get_object(Bucket=bucket, Key=key)["Body"].read())
    weights[len(weights) // 2] ^= 0x40
    s3_client.put_object(Bucket=bucket, Key=key, Body=bytes(weights), Metadata=head["Metadata"])
    code, out, _ = cli("models", "verify", "plant_classifier")  # this machine's cache is warm
    assert code == 74 and "best_model.pth" in out
    monkeypatch.setenv("ENTREPOT_CACHE_DIR", str(tmp_path / "another-machine-cache"))
    code, _, err = cli("models", "pull", f"plant_classifier@{version}", str(tmp_path / "bad"))
    assert code == 74
    assert "'best_model.pth' of plant_classifier@" + version in err
    assert not (tmp_path / "bad").exists()

    code, out, err = cli("models", "rm", f"plant_classifier@{version}")
    assert code == 0, err
    assert s3_client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert cli("models", "ls")[1].strip().endswith("0 models")
