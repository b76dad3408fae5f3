"""Alembic, driven from code: no ``alembic.ini`` is needed at runtime.

The migration scripts live in ``entrepot/catalog/migrations``; the engine's connection
is handed to ``env.py`` through ``Config.attributes``. The same scripts run on SQLite
(in batch mode for alters) and on PostgreSQL.

Checking that a database is current does not load Alembic: the revisions this version
knows are the names of the scripts (``versions/NNNN_name.py`` holds revision ``NNNN``, one
linear chain, a test holds it), and the database's revision is one row of
``alembic_version``. Alembic is imported only to migrate.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from entrepot.catalog.engine import ensure_sqlite_folder
from entrepot.errors import NotMigrated
from entrepot.masking import mask_url
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "entrepot.catalog:migrations"
#: The folder of the migration scripts, named ``NNNN_what.py`` for revision ``NNNN``.
VERSIONS = Path(__file__).with_name("migrations") / "versions"
#: Where Alembic records the revision a database is at.
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for Entrepôt's migrations, bound to ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate the database up to ``revision`` (the newest by default); returns where it is
    (a SQLite file's folder is created first)."""
    from alembic import command

    ensure_sqlite_folder(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
        at = _recorded(connection)
    if at is None:  # pragma: no cover - alembic records every revision it applies
        raise RuntimeError(f"no revision recorded after upgrading to {revision!r}")
    return at


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``"base"`` drops every table)."""
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


@cache
def revisions() -> tuple[str, ...]:
    """Every revision this version of Entrepôt knows, oldest first (from the scripts'
    file names; no Alembic import)."""
    found = sorted(path.name.split("_", 1)[0] for path in VERSIONS.glob("[0-9]*_*.py"))
    if not found:  # pragma: no cover - the package always ships migrations
        raise RuntimeError(f"no migration scripts found in {VERSIONS}")
    return tuple(found)


def head() -> str:
    """The newest revision this version of Entrepôt knows."""
    return revisions()[-1]


def known_revisions() -> set[str]:
    """Every revision this version of Entrepôt has a migration script for."""
    return set(revisions())


def current(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    with engine.connect() as connection:
        return _recorded(connection)


def _recorded(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    found = sorted(str(row) for row in rows)
    return found[-1] if found else None


def ensure_migrated(engine: Engine) -> None:
    """Raise :class:`NotMigrated` unless the database is at :func:`head`."""
    at, expected = current(engine), head()
    if at == expected:
        return
    where = mask_url(engine.url)
    if at is not None and at not in revisions():
        raise NotMigrated(
            f"the database at {where} is at revision {at!r}, which this version of Entrepôt "
            f"does not know (it expects {expected!r})",
            hint="a newer Entrepôt migrated it: upgrade Entrepôt, or point "
            "ENTREPOT_DATABASE_URL at another database",
            said=Message(
                N_("error.catalog.revision_unknown"),
                {"database": where, "revision": at, "expected": expected},
            ),
        )
    state = "has no Entrepôt tables" if at is None else f"is at revision {at!r}"
    said = (
        Message(N_("error.catalog.not_migrated_empty"), {"database": where, "expected": expected})
        if at is None
        else Message(
            N_("error.catalog.not_migrated"),
            {"database": where, "revision": at, "expected": expected},
        )
    )
    raise NotMigrated(
        f"the database at {where} {state}; this version expects {expected!r}", said=said
    )
