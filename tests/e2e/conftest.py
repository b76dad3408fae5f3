"""Run ``entrepot`` as a user types it: the installed entry point (the console script
beside this Python), a real process in a fresh working folder."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.support.browser import chromium, serve
from tests.support.cli import ENTRY_POINT, Cli
from tests.support.waiting import HANG_GUARD


@pytest.fixture
def cli(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """``cli("ls", "files")`` runs the installed CLI in ``tmp_path`` with embedded defaults
    (and a system temporary folder of its own, outside ``tmp_path``, which its ``gc`` may
    empty); training budgets are counted in steps."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env["COLUMNS"] = "200"
    env["ENTREPOT_TRAINING_CLOCK"] = "steps"  # a training is the same on any load
    env["TMPDIR"] = str(tmp_path_factory.mktemp("system-tmp"))

    def run(
        *args: str, extra_env: dict[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*ENTRY_POINT, *args],
            input=stdin,
            cwd=tmp_path,
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )

    return run


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real ``entrepot serve`` in a fresh folder, for a browser test module."""
    with serve(tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """Where the browser saves files."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(tmp_path: Path, downloads: Path) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile."""
    with chromium(tmp_path / "profile", downloads) as driver:
        yield driver
