"""A command run from another folder finds its instance's secret through the configured
URLs: `entrepot models push` there wrote a new `var/secret_key` in the working folder and
signed with it, so `models verify` failed on the instance (issue 28)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.cli import ENTRY_POINT
from tests.support.waiting import HANG_GUARD


def _run(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRY_POINT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=HANG_GUARD
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    return {**env, "COLUMNS": "200", "TMPDIR": str(tmp_path), **extra}


def test_models_push_from_another_folder_signs_with_the_instance_secret(tmp_path: Path) -> None:
    instance, elsewhere = tmp_path / "instance", tmp_path / "elsewhere"
    instance.mkdir()
    elsewhere.mkdir()
    assert _run(instance, "db", "upgrade", env=_env(tmp_path)).returncode == 0
    model = elsewhere / "model.bin"
    model.write_bytes(b"weights")
    pointed = _env(
        tmp_path,
        ENTREPOT_DATABASE_URL=f"sqlite:///{instance / 'var' / 'entrepot.db'}",
        ENTREPOT_STORE_URL=str(instance / "var" / "store"),
        ENTREPOT_CACHE_DIR=str(instance / "var" / "cache"),
    )
    pushed = _run(elsewhere, "models", "push", str(model), "--name", "m", env=pointed)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["model.bin"]  # no var/ here
    assert (instance / "var" / "secret_key").is_file()
    verified = _run(instance, "models", "verify", "m", env=_env(tmp_path))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_command_in_an_empty_folder_generates_no_secret(tmp_path: Path) -> None:
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    empty = tmp_path / "empty"
    empty.mkdir()
    pushed = _run(empty, "models", "push", str(model), "--name", "m", env=_env(tmp_path))
    assert pushed.returncode == 75, pushed.stdout + pushed.stderr
    assert "no Entrepôt instance here" in pushed.stderr
    assert "Traceback" not in pushed.stderr
    assert list(empty.iterdir()) == []
