"""The installed ``entrepot`` as a user types it: ``--version``, ``-q`` / ``-v``, exit 66
for a missing file, configuration errors in our words, passwords masked in URLs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from entrepot import __version__
from tests.support.cli import Cli
from tests.support.network import free_port


def _no_traceback(result: object) -> None:
    assert "Traceback" not in getattr(result, "stderr", "") + getattr(result, "stdout", "")


def test_version_prints_the_version_and_exits_0(cli: Cli) -> None:
    result = cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"entrepot {__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ["put", "missing.csv", "files/missing.csv"],
        ["models", "push", "missing.bin", "--name", "m"],
        ["models", "push", "--metrics", "missing.json", "--name", "m", "present.bin"],
        ["fraud", "train", "missing.csv", "--name", "m"],
    ],
    ids=["put", "models-push", "models-push-metrics", "fraud-train"],
)
def test_a_missing_file_exits_66_with_one_message(
    cli: Cli, tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "present.bin").write_bytes(b"weights")
    assert cli("db", "upgrade").returncode == 0
    result = cli(*args)
    assert result.returncode == 66, result.stderr
    assert "missing." in result.stderr and "no " in result.stderr
    _no_traceback(result)


def test_quiet_keeps_the_result_and_drops_the_notes(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0  # a run records its watermarks
    args = ["city", "generate", "--start", "2025-01-06", "--arcs", "3", "--stations", "3"]
    assert cli(*args, "--counters", "2", "--roadworks", "2").returncode == 0
    run = ["city", "run", "--date", "2025-01-06", "--type", "weather", "--no-report", "--force"]
    loud = cli(*run)
    assert loud.returncode == 0, loud.stderr
    assert "weather 2025-01-06 computed" in loud.stderr  # notes on the work under way
    quiet = cli("-q", *run)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert _without_run_id(quiet.stdout) == _without_run_id(loud.stdout)


def _without_run_id(said: str) -> str:
    return re.sub(r"run \S+:", "run ID:", said)


def test_verbose_prints_debug_logs_on_stderr_only(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0  # an instance to list
    plain = cli("ls")
    verbose = cli("-v", "ls")
    assert verbose.returncode == plain.returncode == 0, verbose.stderr
    assert "DEBUG entrepot.cli: exit 0" in verbose.stderr
    assert "DEBUG" not in plain.stderr
    assert verbose.stdout == plain.stdout


def test_quiet_and_verbose_together_are_a_usage_error(cli: Cli) -> None:
    result = cli("-q", "-v", "ls")
    assert result.returncode == 2
    assert "give -q or -v, not both" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ENTREPOT_ENV", "prod", "ENTREPOT_ENV='prod': should be 'development' or 'production'"),
        ("ENTREPOT_CACHE_MAX_BYTES", "abc", "ENTREPOT_CACHE_MAX_BYTES='abc': not a size"),
        ("ENTREPOT_WORKER_THREADS", "two", "ENTREPOT_WORKER_THREADS='two': should be a valid"),
        ("ENTREPOT_SECRET_KEY", "short-secret", "ENTREPOT_SECRET_KEY has 12 characters"),
        ("ENTREPOT_MANAGED_PREFIXES", "models/", "ENTREPOT_MANAGED_PREFIXES cannot be read"),
    ],
)
def test_a_configuration_error_is_said_in_our_words(
    cli: Cli, variable: str, value: str, expected: str
) -> None:
    result = cli("ls", extra_env={variable: value})
    assert result.returncode == 78, result.stderr
    text = " ".join(result.stderr.split())  # undo the terminal's wrapping
    assert expected in text
    assert "pydantic" not in text and "validation error" not in text and "input_value" not in text
    assert "short-secret" not in text  # a secret is never echoed
    _no_traceback(result)


@pytest.mark.parametrize("password", ["p", "ort"])
def test_a_short_database_password_is_masked_without_corrupting_the_message(
    cli: Cli, password: str
) -> None:
    """Regression: ``p`` was searched for in the driver's message (``***ort 18498``)."""
    port = free_port()
    url = f"postgresql://alice:{password}@127.0.0.1:{port}/app"
    result = cli("models", "ls", extra_env={"ENTREPOT_DATABASE_URL": url})
    assert result.returncode == 69, result.stderr
    text = " ".join(result.stderr.split())
    assert f"alice:***@127.0.0.1:{port}/app" in text
    assert f"port {port} failed" in text
    assert f"alice:{password}@" not in text
    _no_traceback(result)


def test_listings_through_the_installed_cli_print_tables_or_json(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    (tmp_path / "a.txt").write_text("hello")
    assert cli("-q", "put", "a.txt", "files/a.txt").returncode == 0
    for args, header in [
        (["ls", "-r"], ["key", "size", "modified"]),
        (["models", "ls"], ["model", "versions", "latest"]),
        (["users", "list"], ["id", "email", "name"]),
        (["city", "status"], ["source", "date", "state"]),
    ]:
        people = cli(*args)
        assert people.returncode == 0, people.stderr
        assert people.stdout.split()[:3] == header
        scripts = cli(*args, "--json")
        assert scripts.returncode == 0, scripts.stderr
        document = json.loads(scripts.stdout)
        assert isinstance(document, dict | list)
    assert json.loads(cli("ls", "-r", "--json").stdout)["objects"][0]["key"] == "files/a.txt"
