"""`entrepot config show` piped at 80 columns still shows every variable's whole name (the
names are what it exists to show; they were cut with an ellipsis), says "unset" rather than
`None`, and `--json` gives every setting to scripts (issue 27, issue 23 item 8)."""

from __future__ import annotations

import json

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
