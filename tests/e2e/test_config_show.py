"""`entrepot config show` piped at 80 columns still shows every variable's whole name (the
names are what it exists to show; they were cut with an ellipsis), says "unset" rather than
`None`, and `--json` gives every setting to scripts (issue 27, issue 23 item 8)."""

from __future__ import annotations

import json
from pathlib import Path

from entrepot.config import setting_names
from tests.support.cli import Cli


def test_piped_at_80_columns_every_name_is_whole(cli: Cli) -> None:
    shown = cli("config", "show", extra_env={"COLUMNS": "80"})
    assert shown.returncode == 0, shown.stderr
    for name in setting_names():
        assert f"ENTREPOT_{name.upper()}" in shown.stdout, name
    assert "None" not in shown.stdout and "…" not in shown.stdout
    assert "unset" in shown.stdout


def test_json_lists_every_setting_with_its_source(cli: Cli) -> None:
    shown = cli("config", "show", "--json", extra_env={"ENTREPOT_LOG_LEVEL": "debug"})
    assert shown.returncode == 0, shown.stderr
    rows = {row["name"]: row for row in json.loads(shown.stdout)}
    assert set(rows) >= set(setting_names())
    assert rows["log_level"] == {
        "name": "log_level",
        "env_var": "ENTREPOT_LOG_LEVEL",
        "value": "debug",
        "source": "environment",
    }
    assert rows["fraud_library"]["value"] is None


def test_a_kept_login_shows_as_the_service_and_its_token_with_its_file(
    cli: Cli, tmp_path: Path
) -> None:
    """Issue 44 item 3: after ``entrepot login URL`` the settings name the service the
    command line works on and the file that said so; the token stays masked."""
    config = tmp_path / "config"
    kept = config / "entrepot" / "login.json"
    kept.parent.mkdir(parents=True, mode=0o700)
    secret = "kept-token-never-shown"
    kept.write_text(json.dumps({"url": "https://entrepot.example.org", "token": secret}))
    kept.chmod(0o600)
    shown = cli("config", "show", "--json", extra_env={"XDG_CONFIG_HOME": str(config)})
    assert shown.returncode == 0, shown.stderr
    rows = {row["name"]: row for row in json.loads(shown.stdout)}
    assert rows["url"]["value"] == "https://entrepot.example.org"
    assert rows["url"]["source"] == f"login ({kept})"
    assert rows["token"]["value"] == "****" and rows["token"]["source"] == f"login ({kept})"
    assert secret not in shown.stdout
    plain = cli("config", "show", extra_env={"XDG_CONFIG_HOME": str(config), "COLUMNS": "300"})
    assert "https://entrepot.example.org" in plain.stdout and secret not in plain.stdout


def test_without_a_login_the_service_is_unset(cli: Cli, tmp_path: Path) -> None:
    shown = cli("config", "show", "--json", extra_env={"XDG_CONFIG_HOME": str(tmp_path / "no")})
    rows = {row["name"]: row for row in json.loads(shown.stdout)}
    assert rows["url"]["value"] is None and rows["url"]["source"] == "default"
