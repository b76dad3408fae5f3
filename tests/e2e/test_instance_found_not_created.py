"""A command in a folder that holds no instance says so and creates nothing: before,
`entrepot ls` there answered "0 objects" with exit 0 and `entrepot doctor` left a `var/`
with an empty database, store and cache behind (issues 26 and 28)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Cli


@pytest.mark.parametrize("command", [("ls",), ("ls", "-r"), ("doctor",), ("du",), ("verify",)])
def test_a_command_outside_an_instance_says_so_and_creates_nothing(
    cli: Cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = cli(*command)
    assert done.returncode == 75, done.stdout + done.stderr
    assert "no Entrepôt instance here" in done.stderr
    assert "entrepot db upgrade" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_after_db_upgrade_the_same_commands_work(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0
    listed = cli("ls")
    assert listed.returncode == 0, listed.stderr
    assert cli("doctor").returncode == 0
