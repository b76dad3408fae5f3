"""The command line as tests run it: the real entry point in this process, or the
installed ``entrepot`` in a subprocess (``tests/e2e``)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

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
