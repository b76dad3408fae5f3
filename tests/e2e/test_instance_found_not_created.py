"""A command in a folder that holds no instance says so and creates nothing: before,
`entrepot ls` there answered "0 objects" with exit 0 and `entrepot doctor` left a `var/`
with an empty database, store and cache behind (issues 26 and 28)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Cli
from tests.support.real_paris import CHANTIERS, real


@pytest.mark.parametrize(
    "command",
    [
        ("ls",),
        ("ls", "-r"),
        ("doctor",),
        ("du",),
        ("verify",),
        ("city", "generate", "--start", "2025-11-03", "--arcs", "2", "--stations", "2"),
        ("city", "import", "downloads", "--as-of", "2023-01-10"),
    ],
)
def test_a_command_outside_an_instance_says_so_and_creates_nothing(
    cli: Cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    if "import" in command:  # a folder of exports, the one thing the user brought
        (tmp_path / "downloads").mkdir()
        (tmp_path / "downloads" / CHANTIERS).write_bytes(real(CHANTIERS).read_bytes())
    done = cli(*command)
    assert done.returncode == 75, done.stdout + done.stderr
    assert "no Entrepôt instance here" in done.stderr
    assert "entrepot db upgrade" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "downloads") == []


def test_after_db_upgrade_the_same_commands_work(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0
    listed = cli("ls")
    assert listed.returncode == 0, listed.stderr
    assert cli("doctor").returncode == 0
