"""Issue 44 item 1: an operator vouches for the pickles they trust (ADR 0091), through the
installed ``entrepot``: ``models import-tree --trust`` and ``models resign NAME@VERSION``
ask on a terminal (y/N) or take ``--yes``; without either they refuse, naming ``--yes``.
What they sign loads (``models export`` loads the model), and the manifest and the audit
log say who vouched."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
from pathlib import Path

from tests.support.cli import ENTRY_POINT, Cli
from tests.support.registry import sklearn_model
from tests.support.waiting import HANG_GUARD


def _tree(root: Path) -> Path:
    """A seed-style ``automl_models/``: one folder holding a joblib model."""
    folder, _, _ = sklearn_model(root / "dataset1")
    (folder / "model.joblib").rename(folder / "xgboost_model.joblib")
    (folder / "metadata.json").write_text(json.dumps({"domain": "ecommerce"}))
    return root


def _audit(folder: Path) -> list[tuple[str, str, dict[str, str]]]:
    (database,) = (folder / "var").glob("*.db")
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT action, target, details FROM admin_audit ORDER BY id")
        return [(a, t, json.loads(d)) for a, t, d in rows if a == "model.vouch"]


def _on_a_terminal(folder: Path, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``entrepot ARGS`` with a terminal on its standard input, answering ``answer``."""
    leader, follower = pty.openpty()
    try:
        os.write(leader, answer.encode() + b"\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
        return subprocess.run(
            [*ENTRY_POINT, *args],
            stdin=follower,
            cwd=folder,
            env={**env, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
    finally:
        os.close(follower)
        os.close(leader)


def test_import_tree_trust_asks_then_signs_what_loads(cli: Cli, tmp_path: Path) -> None:
    _tree(tmp_path / "automl_models")
    assert cli("db", "upgrade").returncode == 0

    refused = cli("models", "import-tree", "automl_models")
    assert refused.returncode == 65 and "--trust" in refused.stdout
    silent = cli("models", "import-tree", "automl_models", "--trust", stdin="")
    assert silent.returncode == 2, silent.stderr
    assert "--yes" in silent.stderr and "Traceback" not in silent.stderr
    both = cli("models", "import-tree", "automl_models", "--trust", "--untrusted", "--yes")
    assert both.returncode == 2 and "contradict" in both.stderr

    declined = _on_a_terminal(tmp_path, "n", "models", "import-tree", "automl_models", "--trust")
    assert declined.returncode == 1, declined.stderr
    assert "Do you trust these files?" in declined.stderr
    assert "nothing vouched for" in declined.stderr
    assert "dataset1" not in cli("models", "ls").stdout

    agreed = _on_a_terminal(tmp_path, "y", "models", "import-tree", "automl_models", "--trust")
    assert agreed.returncode == 0, agreed.stderr
    assert "imported" in agreed.stdout and "trusted by the operator" in agreed.stdout
    shown = cli("models", "show", "dataset1", "--json")
    manifest = json.loads(shown.stdout)
    assert manifest["metadata"]["vouched"]["statement"] == "trusted by operator"
    assert manifest["tags"]["trust"] == "operator"
    assert "signed by this installation: yes" in cli("models", "show", "dataset1").stdout
    (entry,) = _audit(tmp_path)
    assert entry[0] == "model.vouch" and entry[1].startswith("dataset1@")
    assert entry[2]["from"] == str((tmp_path / "automl_models" / "dataset1").resolve())
    exported = cli("models", "export", "dataset1", "mlflow-out")  # loads the model
    assert exported.returncode == 0, exported.stderr


def test_resign_vouches_for_an_unsigned_version_with_yes(cli: Cli, tmp_path: Path) -> None:
    _tree(tmp_path / "automl_models")
    assert cli("db", "upgrade").returncode == 0
    kept = cli("models", "import-tree", "automl_models", "--untrusted")
    assert kept.returncode == 0 and "unsigned" in kept.stdout
    version = cli("models", "latest", "dataset1").stdout.strip()
    unsafe = cli("models", "export", "dataset1", "never")
    assert unsafe.returncode != 0 and "refusing to unpickle" in unsafe.stderr

    silent = cli("models", "resign", f"dataset1@{version}", stdin="")
    assert silent.returncode == 2 and "--yes" in silent.stderr
    assert cli("models", "latest", "dataset1").stdout.strip() == version

    done = cli("models", "resign", f"dataset1@{version}", "--yes")
    assert done.returncode == 0, done.stderr
    assert f"signed as dataset1@{version}.trusted" in done.stdout
    assert f"reference dataset1 -> {version}.trusted" in done.stdout
    assert cli("models", "latest", "dataset1").stdout.strip() == f"{version}.trusted"
    assert f"{version}.trusted" in cli("models", "references", "--all").stdout
    exported = cli("models", "export", "dataset1", "mlflow-out")
    assert exported.returncode == 0, exported.stderr
    (entry,) = _audit(tmp_path)
    assert entry[1] == f"dataset1@{version}.trusted"
    assert entry[2]["from"] == f"dataset1@{version}"

    again = cli("models", "resign", f"dataset1@{version}", "--yes")
    assert again.returncode == 73 and "vouched for already" in again.stderr
