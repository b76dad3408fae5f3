"""Alembic, driven from code: no ``alembic.ini`` is needed at runtime.

The migration scripts live in ``entrepot/catalog/migrations``; the engine's connection
is handed to ``env.py`` through ``Config.attributes``. The same scripts run on SQLite
(in batch mode for alters) and on PostgreSQL.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from entrepot.catalog.engine import masked
from entrepot.errors import NotMigrated

SCRIPT_LOCATION = "entrepot.catalog:migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for Entrepôt's migrations, bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate the database up to ``revision`` (the newest by default); returns where it is."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
        at = MigrationContext.configure(connection).get_current_revision()
    if at is None:  # pragma: no cover - alembic records every revision it applies
        raise RuntimeError(f"no revision recorded after upgrading to {revision!r}")
    return at


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``"base"`` drops every table)."""
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def head() -> str:
    """The newest revision this version of Entrepôt knows."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migration scripts found in entrepot.catalog.migrations")
    return revision


def current(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_migrated(engine: Engine) -> None:
    """Raise :class:`NotMigrated` unless the database is at :func:`head`."""
    at, expected = current(engine), head()
    if at == expected:
        return
    where = masked(engine.url)
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if at is not None and at not in known:
        raise NotMigrated(
            f"the database at {where} is at revision {at!r}, which this version of Entrepôt "
            f"does not know (it expects {expected!r})",
            hint="a newer Entrepôt migrated it: upgrade Entrepôt, or point "
            "ENTREPOT_DATABASE_URL at another database",
        )
    state = "has no Entrepôt tables" if at is None else f"is at revision {at!r}"
    raise NotMigrated(f"the database at {where} {state}; this version expects {expected!r}")
