"""The command line as tests run it: the real entry point in this process, or the
installed ``entrepot`` in a subprocess (``tests/e2e``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from entrepot.cli import context
from entrepot.cli.main import main

#: ``run("models", "ls")`` -> (exit code, stdout, stderr).
Run = Callable[..., tuple[int, str, str]]
#: ``cli("ls", "files")`` -> the finished ``entrepot`` process.
Cli = Callable[..., subprocess.CompletedProcess[str]]


def in_process_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str]
) -> Run:
    """``run("models", "ls")`` -> (exit code, stdout, stderr): the real entry point, in this
    process, with ``env`` set."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(context.console, "width", 200)
    monkeypatch.setattr(context.err_console, "width", 200)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def local_cli(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    **settings: str,
) -> Run:
    """:func:`in_process_cli` run from ``folder`` on a local store and a SQLite catalog in
    it, training budgets counted in steps (``settings``: more ``ENTREPOT_*`` values, e.g.
    ``SECRET_KEY=...``)."""
    monkeypatch.chdir(folder)
    env = {
        "ENTREPOT_STORE_URL": str(folder / "store"),
        "ENTREPOT_DATABASE_URL": f"sqlite:///{folder / 'catalog.db'}",
        "ENTREPOT_CACHE_DIR": str(folder / "cache"),
        "ENTREPOT_TRAINING_CLOCK": "steps",
        **{f"ENTREPOT_{name}": value for name, value in settings.items()},
    }
    return in_process_cli(monkeypatch, capsys, env)


def migrated_cli(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """:func:`local_cli` after ``entrepot db upgrade``."""
    run = local_cli(folder, monkeypatch, capsys)
    code, _, err = run("db", "upgrade")
    assert code == 0, err
    return run


#: The installed ``entrepot`` script (``[project.scripts]``), or ``python -m entrepot``.
ENTRY_POINT = (
    [str(Path(sys.executable).with_name("entrepot"))]
    if Path(sys.executable).with_name("entrepot").is_file()
    else [sys.executable, "-m", "entrepot"]
)


def installed_in(folder: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The installed ``entrepot`` run in ``folder`` (its user data there), with no scheduler
    from the environment (a local cluster for ``--workers N``), its output captured;
    ``settings``: more variables."""
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "user-data"), **settings}
    env.pop("ENTREPOT_DASK_URL", None)
    return subprocess.run(
        [*ENTRY_POINT, *args], cwd=folder, env=env, capture_output=True, text=True, check=False
    )
