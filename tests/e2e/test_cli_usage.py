"""Usage mistakes through the installed entry point: click's one-line message and exit 2,
never a traceback (typer raises its own copies of click's exceptions)."""

from __future__ import annotations

import pytest

from tests.support.cli import Cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-command"], "No such command 'no-such-command'"),
        (["lss"], "Did you mean 'ls'?"),
        (["put"], "Missing argument"),
        (["fraud", "generate", "x.csv", "--rows", "abc"], "Invalid value for '--rows'"),
        (["ls", "--no-such-option"], "No such option"),
    ],
    ids=["typo", "near-miss", "missing-argument", "bad-integer", "unknown-option"],
)
def test_a_usage_mistake_is_one_line_and_exit_2(cli: Cli, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("method", ["DELETE", "POST", "head"])
def test_presign_refuses_a_method_it_cannot_sign(cli: Cli, method: str) -> None:
    # Regression: --method DELETE printed a GET link without a word (issue 28).
    result = cli("presign", "files/x.bin", "--method", method)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "GET (download) or PUT (upload)" in result.stderr
    assert "http" not in result.stdout
