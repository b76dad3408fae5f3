"""``--workers`` is bounded (``bootstrap.worker_count.MAX_WORKERS``) on every command that
spreads its work: more is refused before anything starts, with the bound in the message,
never a local cluster of that many processes (regression: ``fraud score --workers 100000``
started processes until its two-minute guard, then failed); and ``ENTREPOT_DASK_URL`` is
read as a scheduler's address, a value the Dask client cannot take refused at once."""

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


@pytest.mark.parametrize("address", ["notaurl", "http://127.0.0.1:8787", "tls://127.0.0.1:8786"])
def test_a_scheduler_address_the_client_cannot_take_is_refused_at_once(
    cli: Cli, tmp_path: Path, address: str
) -> None:
    # regression: each waited ten seconds in the Dask client, then failed with its traceback
    (tmp_path / "tx.csv").write_text("id,amount\n1,2.5\n", encoding="utf-8")
    found = cli(*COMMANDS[0], "--workers", "2", extra_env={"ENTREPOT_DASK_URL": address})
    assert found.returncode == 78, found.stderr
    assert "ENTREPOT_DASK_URL" in found.stderr and "tcp://HOST:PORT" in found.stderr
    assert "Traceback" not in found.stderr and "unexpected" not in found.stderr
    assert not (tmp_path / "out.csv").exists()
