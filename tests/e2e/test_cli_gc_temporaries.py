"""`entrepot gc` removes the temporaries a crashed process left, after the grace period."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.support.cli import Cli


def test_gc_removes_crash_temporaries_after_the_grace(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    spool = tmp_path / "var" / "tmp" / "upload-abc123.part"
    written = tmp_path / "var" / "store" / "files" / ".entrepot-tmp-x1y2z3"
    for path in (spool, written):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half an upload")
        old = time.time() - 7200
        os.utime(path, (old, old))
    mine = tmp_path / "var" / "tmp" / "mine.txt"
    mine.write_bytes(b"not a temporary of entrepot")

    young = cli("gc", "--grace", "3h")
    assert young.returncode == 0 and spool.exists() and written.exists()
    dry = cli("gc", "--dry-run", "--grace", "1h")
    assert "would delete 2 stale temporary files" in dry.stdout, dry.stdout
    assert spool.exists() and written.exists()
    done = cli("gc", "--grace", "1h")
    assert done.returncode == 0, done.stderr
    assert "deleted 2 stale temporary files" in done.stdout
    assert not spool.exists() and not written.exists() and mine.exists()
