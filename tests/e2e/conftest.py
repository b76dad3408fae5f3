"""Run ``entrepot`` as a user types it: a real process in a fresh working folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """``cli("ls", "files")`` runs the installed CLI in ``tmp_path`` with embedded defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env["COLUMNS"] = "200"

    def run(
        *args: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "entrepot", *args],
            cwd=tmp_path,
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run
