"""Alembic migrations, driven from code, on SQLite.

``tests/integration`` runs the same class on PostgreSQL: it takes a ``blank_engine``
fixture (an empty database, never migrated) and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, inspect, text

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import current, downgrade, ensure_migrated, head, upgrade
from entrepot.catalog.tables import Base
from entrepot.errors import NotMigrated


@pytest.fixture
def blank_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    yield engine
    engine.dispose()


def schema_diff(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


class TestMigrations:
    def test_upgrade_brings_a_blank_database_to_head(self, blank_engine: Engine) -> None:
        assert current(blank_engine) is None
        assert upgrade(blank_engine) == head()
        assert current(blank_engine) == head()
        assert "objects" in inspect(blank_engine).get_table_names()

    def test_upgrade_twice_changes_nothing(self, blank_engine: Engine) -> None:
        upgrade(blank_engine)
        assert upgrade(blank_engine) == head()

    def test_head_matches_the_models(self, blank_engine: Engine) -> None:
        upgrade(blank_engine)
        assert schema_diff(blank_engine, Base.metadata) == []

    def test_the_model_comparison_sees_a_missing_column(self, blank_engine: Engine) -> None:
        upgrade(blank_engine)
        changed = MetaData()
        for table in Base.metadata.sorted_tables:
            table.to_metadata(changed)
        changed.tables["objects"].append_column(Column("extra", Integer))
        diff = schema_diff(blank_engine, changed)
        assert [entry[0] for entry in diff] == ["add_column"]

    def test_ensure_migrated_refuses_a_blank_database(self, blank_engine: Engine) -> None:
        with pytest.raises(NotMigrated, match="no Entrepôt tables") as caught:
            ensure_migrated(blank_engine)
        assert "entrepot db upgrade" in str(caught.value)
        upgrade(blank_engine)
        ensure_migrated(blank_engine)

    def test_ensure_migrated_refuses_an_unknown_revision(self, blank_engine: Engine) -> None:
        upgrade(blank_engine)
        with blank_engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
        with pytest.raises(NotMigrated, match="'ffff9999'") as caught:
            ensure_migrated(blank_engine)
        assert "upgrade Entrepôt" in str(caught.value)

    def test_downgrade_to_base_and_back(self, blank_engine: Engine) -> None:
        upgrade(blank_engine)
        downgrade(blank_engine, "base")
        assert current(blank_engine) is None
        assert "objects" not in inspect(blank_engine).get_table_names()
        assert upgrade(blank_engine) == head()
        assert schema_diff(blank_engine, Base.metadata) == []

    def test_existing_tokens_keep_the_scope_they_had(self, blank_engine: Engine) -> None:
        """Tokens made before scopes keep what they could do: an administrator's token is
        ``admin``, anyone else's ``write`` (migration ``0012``)."""
        upgrade(blank_engine, "0010")
        with blank_engine.begin() as connection:
            for uid, email, admin in ((1, "root@example.com", True), (2, "a@example.com", False)):
                connection.execute(
                    text(
                        "INSERT INTO users (id, email, name, is_admin, is_active, "
                        "session_epoch, quota_seq, created_at) VALUES "
                        "(:id, :email, 'x', :admin, TRUE, 0, 0, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid, "email": email, "admin": admin},
                )
                connection.execute(
                    text(
                        "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, "
                        "created_at) VALUES (:id, :id, 'old', :hash, 'ent_', CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid, "hash": str(uid) * 64},
                )
        upgrade(blank_engine)
        with blank_engine.connect() as connection:
            rows = connection.execute(text("SELECT id, scope, parent_id FROM api_tokens"))
            assert sorted(tuple(r) for r in rows) == [(1, "admin", None), (2, "write", None)]
