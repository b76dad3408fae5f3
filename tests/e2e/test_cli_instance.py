"""A read command run outside the instance's folder says so and creates nothing: the
relative defaults (``./var``) never make a new, empty instance behind the user's back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Cli


@pytest.mark.parametrize(
    "command",
    [
        ("users", "token", "you@example.com"),
        ("users", "list"),
        ("models", "ls"),
        ("db", "copy", "--to", "sqlite:///elsewhere.db"),
    ],
)
def test_a_read_in_another_folder_creates_nothing(
    cli: Cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = cli(*command)
    said = " ".join(result.stderr.split())
    assert result.returncode == 75, said
    assert f"no Entrepôt instance here: its catalog {tmp_path / 'var' / 'entrepot.db'}" in said
    assert "entrepot db upgrade" in said and "Traceback" not in said
    assert list(tmp_path.iterdir()) == []


def test_users_create_makes_the_instance_and_token_then_works(cli: Cli, tmp_path: Path) -> None:
    made = cli("users", "create", "you@example.com", "--password-stdin", stdin="long enough pw 123")
    assert made.returncode == 0, made.stderr
    token = cli("users", "token", "you@example.com")
    assert token.returncode == 0, token.stderr
    assert len(token.stdout.strip()) > 20
