"""``entrepot db copy`` as typed, between SQLite files: dry run, copy, refusals, a file
that does not exist yet created and migrated by the copy itself."""

from __future__ import annotations

from pathlib import Path

from tests.support.catalog import migrated_engine
from tests.support.catalog_fill import fill_catalog
from tests.support.cli import Cli


def _said(process: object) -> str:
    return " ".join((process.stdout + process.stderr).split())  # type: ignore[attr-defined]


def test_dry_run_copy_and_refusals(cli: Cli, tmp_path: Path) -> None:
    source = migrated_engine(tmp_path / "laptop")
    total = sum(fill_catalog(source, rows=3).values())
    target = migrated_engine(tmp_path / "team")
    env = {"ENTREPOT_DATABASE_URL": str(source.url)}
    to = ["db", "copy", "--to", str(target.url)]

    dry = cli(*to, "--dry-run", extra_env=env)
    assert dry.returncode == 0, _said(dry)
    assert "users 3" in _said(dry) and f"total {total}" in _said(dry)
    assert "nothing was written" in _said(dry)

    done = cli(*to, extra_env=env)
    assert done.returncode == 0, _said(done)
    assert f"copied {total} rows" in _said(done) and "differs" not in _said(done)

    again = cli(*to, extra_env=env)
    assert again.returncode == 73
    assert "only goes into an empty database" in _said(again)
    assert "Traceback" not in _said(again)

    blank = tmp_path / "blank.db"
    planned = cli("db", "copy", "--to", f"sqlite:///{blank}", "--dry-run", extra_env=env)
    assert planned.returncode == 0 and "create its schema first" in _said(planned)
    assert not blank.exists()
    created = cli("db", "copy", "--to", f"sqlite:///{blank}", extra_env=env)  # one command
    assert created.returncode == 0, _said(created)
    assert "schema created first" in _said(created) and f"copied {total} rows" in _said(created)

    unreachable = cli("db", "copy", "--to", "postgresql://me:hunter2@127.0.0.1:9/x", extra_env=env)
    assert unreachable.returncode == 69
    assert "cannot connect" in _said(unreachable) and "hunter2" not in _said(unreachable)
