"""``--workers`` is bounded (``bootstrap.worker_count.MAX_WORKERS``) on every command that
spreads its work: more is refused before anything starts, with the bound in the message,
never a local cluster of that many processes (regression: ``fraud score --workers 100000``
started processes until its two-minute guard, then failed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.bootstrap.worker_count import MAX_WORKERS
from tests.support.cli import Cli

#: Each command that takes ``--workers``, with what it reads (none of it exists: the bound
#: is checked before the files are).
COMMANDS = [
    ["fraud", "score", "tx.csv", "out.csv", "--model", "./m"],
    ["fraud", "evaluate", "tx.csv", "--model", "./m"],
    ["fraud", "train", "tx.csv", "--name", "m", "--out", "./m"],
    ["city", "run"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_more_workers_than_the_bound_is_refused_before_anything_starts(
    cli: Cli, tmp_path: Path, command: list[str]
) -> None:
    found = cli(*command, "--workers", str(MAX_WORKERS + 1))
    assert found.returncode == 2, found.stderr
    assert "--workers" in found.stderr and f"{MAX_WORKERS}" in found.stderr
    assert "Traceback" not in found.stderr + found.stdout
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "m").exists()
