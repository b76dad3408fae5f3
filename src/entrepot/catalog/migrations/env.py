"""Alembic environment: runs the migrations on the connection Entrepôt hands over.

``entrepot.catalog.migrate`` puts an open connection in ``config.attributes``; a bare
``sqlalchemy.url`` main option is accepted too, for running the ``alembic`` tool by hand.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from entrepot.catalog.engine import make_engine
from entrepot.catalog.tables import Base
from entrepot.errors import ConfigError
from entrepot.messages import N_, Message


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise ConfigError(
            "offline (--sql) migrations are not supported",
            hint="run `entrepot db upgrade` against the database",
            said=Message(N_("error.catalog.offline_migrations")),
        )
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise ConfigError(
            "no database to migrate: neither a connection nor sqlalchemy.url was given",
            hint="run `entrepot db upgrade`, which reads ENTREPOT_DATABASE_URL",
            said=Message(N_("error.catalog.nothing_to_migrate")),
        )
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


_main()
