"""The command line applies the admin service's rules, as the admin pages do: a plan named
in any case, an unknown plan refused with the list of plans, the same audit entries; an
account id no row can hold is "no account". Each of these was a traceback before."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.bootstrap import bootstrap
from entrepot.config import Settings
from tests.support.cli import Cli
from tests.support.parts import parts

EMAIL = "ops@example.com"


@pytest.fixture
def account(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0
    made = cli("users", "create", EMAIL, "--password-stdin", stdin="long enough pw 123")
    assert made.returncode == 0, made.stderr


def _audit(folder: Path) -> list[tuple[str, str]]:
    app = bootstrap(
        Settings(
            store_url=str(folder / "var" / "store"),
            database_url=f"sqlite:///{folder / 'var' / 'entrepot.db'}",
        )
    )
    with parts(app).uow() as uow:
        return [(entry.actor, entry.action) for entry in uow.audit.list().items]


@pytest.mark.usefixtures("account")
@pytest.mark.parametrize("plan", ["Premium", "PREMIUM", " premium "])
def test_a_plan_is_named_in_any_case(cli: Cli, tmp_path: Path, plan: str) -> None:
    done = cli("users", "licence", EMAIL, "--plan", plan, "--days", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("PREMIUM-") and f"activated for {EMAIL}" in done.stdout
    assert ("cli", "licence.create") in _audit(tmp_path)


@pytest.mark.usefixtures("account")
def test_an_unknown_plan_names_the_plans(cli: Cli) -> None:
    """A usage error (exit 2), as a bad value of any other choice (issue 28: it was 65)."""
    done = cli("users", "licence", EMAIL, "--plan", "gold")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no plan 'gold'" in done.stderr and "premium" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.usefixtures("account")
def test_granting_the_admin_role_is_audited_as_the_site_does(cli: Cli, tmp_path: Path) -> None:
    assert cli("users", "admin", EMAIL).returncode == 0
    assert cli("users", "admin", EMAIL, "--revoke").returncode == 0
    actions = _audit(tmp_path)
    assert ("cli", "user.grant_admin") in actions and ("cli", "user.revoke_admin") in actions


@pytest.mark.usefixtures("account")
@pytest.mark.parametrize("ref", ["99999999999999999999", "9223372036854775808"])
def test_an_id_no_row_can_hold_is_no_account(cli: Cli, ref: str) -> None:
    done = cli("models", "--user", ref, "ls")
    assert done.returncode == 66, done.stdout + done.stderr
    assert f"no account {ref}" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
