"""``entrepot users token`` makes a token of the scope asked (``write`` by default), as a
user types it; a non-administrator never gets ``admin``, and a bad scope is named (issue 28)."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.bootstrap import bootstrap
from entrepot.config import Settings
from tests.support.cli import Cli

EMAIL = "ops@example.com"


@pytest.fixture
def account(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0
    made = cli("users", "create", EMAIL, "--password-stdin", stdin="long enough pw 123")
    assert made.returncode == 0, made.stderr


def _scopes(folder: Path) -> list[str]:
    app = bootstrap(
        Settings(
            store_url=str(folder / "var" / "store"),
            database_url=f"sqlite:///{folder / 'var' / 'entrepot.db'}",
        )
    )
    user = app.accounts.by_email(EMAIL)
    return [t.scope for t in app.accounts.tokens(user.id)]


@pytest.mark.usefixtures("account")
def test_the_cli_mints_write_by_default_and_read_when_asked(cli: Cli, tmp_path: Path) -> None:
    assert cli("users", "token", EMAIL).returncode == 0
    done = cli("users", "token", EMAIL, "--scope", "read", "--days", "7")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ent_")
    assert _scopes(tmp_path) == ["read", "write"]


@pytest.mark.usefixtures("account")
def test_the_cli_refuses_admin_to_a_user_and_names_a_bad_scope(cli: Cli, tmp_path: Path) -> None:
    refused = cli("users", "token", EMAIL, "--scope", "admin")
    assert refused.returncode != 0 and "administrator" in refused.stderr
    bad = cli("users", "token", EMAIL, "--scope", "root")
    assert bad.returncode != 0 and "read, write or admin" in bad.stderr
    assert "Traceback" not in refused.stderr + bad.stderr
    assert _scopes(tmp_path) == []
