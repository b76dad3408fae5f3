"""Every command of the installed ``entrepot``, given a bad value for each of its
parameters in turn: one message and a documented exit code, never a traceback.

The commands and their parameters are read from the CLI's own parser, so a new command or
option is covered without touching this file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from entrepot.cli.main import build_app
from tests.support.cli import ENTRY_POINT

#: The README's exit codes (## Exit codes).
DOCUMENTED = {0, 1, 2, 65, 66, 69, 73, 74, 75, 77, 78}

#: A value of each parameter type that no command should take as it is.
BAD = {
    "int": "-1",
    "int range": "-1",
    "float range": "nan",
    "path": "no-such-dir/file",
    "choice": "bad",
}
#: Options that reach the network (no internet here), or start work that runs for minutes
#: (a server, the reference build) when a value is taken: left to their own tests.
NETWORK = {("city", "collect"), ("serve",), ("worker",), ("fraud", "build-references")}


def _cases() -> list[list[str]]:
    root = typer.main.get_command(build_app([]))
    cases: list[list[str]] = []

    def walk(command: object, words: list[str]) -> None:
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, [*words, name])
            return
        params = getattr(command, "params", [])
        args = [BAD.get(p.type.name, "bad value") for p in params if not isinstance(p, TyperOption)]
        if args:
            cases.append([*words, *args])
        if tuple(words) in NETWORK:
            return
        for p in params:
            if isinstance(p, TyperOption) and not p.is_flag and p.opts[0] != "--help":
                cases.append([*words, *args, p.opts[0], BAD.get(p.type.name, "bad value")])

    walk(root, [])
    return cases


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated instance, copied for each case (a case may write to it)."""
    folder = tmp_path_factory.mktemp("instance")
    made = subprocess.run(
        [*ENTRY_POINT, "db", "upgrade"], cwd=folder, env=_env(folder), capture_output=True
    )
    assert made.returncode == 0, made.stderr
    return folder


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    return {**env, "COLUMNS": "200", "TMPDIR": str(folder)}


@pytest.mark.parametrize("args", _cases(), ids=" ".join)
def test_a_bad_value_is_one_message_and_a_documented_exit_code(
    instance: Path, tmp_path: Path, args: list[str]
) -> None:
    here = tmp_path / "here"
    shutil.copytree(instance, here)
    result = subprocess.run(
        [*ENTRY_POINT, *args],
        cwd=here,
        env=_env(here),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = result.stdout + result.stderr
    assert "Traceback" not in said, said
    assert "unexpected failure" not in said, said
    assert result.returncode in DOCUMENTED, said
    if result.returncode:
        assert result.stderr.strip(), "an error says what went wrong"
    assert not (here / "no-such-dir").exists(), "no folder tree made for a mistyped path"
