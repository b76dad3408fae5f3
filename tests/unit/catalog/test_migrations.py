"""Alembic migrations, driven from code, on SQLite.

The tests live in ``tests/support/suites/catalog_migrations.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import alembic_config, ensure_migrated, head, revisions, upgrade
from entrepot.errors import NotMigrated
from tests.support.suites.catalog_migrations import (  # noqa: F401 - collected here
    TestMigrations,
    blank_engine,
)


def test_the_revisions_read_from_file_names_are_alembics_chain() -> None:
    """``ensure_migrated`` knows the revisions without loading Alembic: from the scripts'
    names (``NNNN_what.py``). This holds the names to Alembic's own reading of the scripts:
    one linear chain, each file named after the revision it holds."""
    scripts = ScriptDirectory.from_config(alembic_config())
    chain = [script.revision for script in scripts.walk_revisions()][::-1]
    assert list(revisions()) == chain
    assert head() == scripts.get_current_head() == chain[-1]
    for script in scripts.walk_revisions():
        assert Path(script.path).name.split("_", 1)[0] == script.revision, script.path
        assert script.down_revision == (
            chain[chain.index(script.revision) - 1] if chain.index(script.revision) else None
        )


def test_a_database_behind_is_refused_without_loading_alembic(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    try:
        upgrade(engine, revisions()[-2])
        with pytest.raises(NotMigrated, match=f"is at revision '{revisions()[-2]}'"):
            ensure_migrated(engine)
        upgrade(engine)
        ensure_migrated(engine)
    finally:
        engine.dispose()
