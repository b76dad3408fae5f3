"""make_engine: one URL for SQLite or PostgreSQL, and clear errors when it cannot connect."""

from __future__ import annotations

import socket
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from entrepot.catalog.engine import make_engine, masked, parse_database_url
from entrepot.errors import ConfigError, DatabaseUnavailable


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:p@db:5432/app",
        "postgresql://u:p@db:5432/app",
        "postgresql+psycopg://u:p@db:5432/app",
    ],
)
def test_postgres_urls_use_the_psycopg_driver(url: str) -> None:
    parsed = parse_database_url(url)
    assert parsed.drivername == "postgresql+psycopg"
    assert (parsed.host, parsed.port, parsed.database) == ("db", 5432, "app")


@pytest.mark.parametrize(
    "url", ["mysql://u:p@db/app", "oracle://db/app", "not a url", "postgresql+asyncpg://db/x"]
)
def test_unsupported_or_malformed_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError, match="sqlite:///"):
        parse_database_url(url)


def test_masked_hides_the_password() -> None:
    shown = masked("postgresql+psycopg://alice:s3cret@db:5432/app")
    assert "s3cret" not in shown
    assert shown == "postgresql+psycopg://alice:***@db:5432/app"


def test_sqlite_creates_its_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "catalog.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
    finally:
        engine.dispose()
    assert path.parent.is_dir()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}


def test_sqlite_keeps_its_connections_for_the_next_requests(tmp_path: Path) -> None:
    # Regression: with SQLAlchemy's default pool (5 kept), every request beyond the fifth
    # at once opened a connection and ran the pragmas again, then closed it.
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    opened = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    try:
        for _ in range(3):
            with ExitStack() as stack:
                for _ in range(12):  # twelve requests at once, as a web server's threads
                    stack.enter_context(engine.connect()).execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert len(opened) == 12


def test_in_memory_sqlite_is_one_database_across_connections() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        engine.dispose()


def test_sqlite_that_cannot_open_raises_database_unavailable(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder}")
    try:
        with pytest.raises(DatabaseUnavailable, match=r"a-folder\.db") as caught:
            engine.connect().close()
    finally:
        engine.dispose()
    assert "writable" in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("password", ["s3cret", "p", "ort", "18498"])
def test_unreachable_postgres_raises_database_unavailable_without_password(
    password: str,
) -> None:
    """A short password is never searched for in the driver's message (a regression:
    ``p`` turned ``port 18498`` into ``***ort 18498``)."""
    port = _closed_port()
    engine = make_engine(f"postgresql://alice:{password}@127.0.0.1:{port}/app")
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            engine.connect().close()
    finally:
        engine.dispose()
    message = str(caught.value)
    assert "s3cret" not in message
    assert f"postgresql+psycopg://alice:***@127.0.0.1:{port}/app" in message
    assert f"port {port} failed" in message
    assert "pg_isready" in message
    assert isinstance(caught.value, ConnectionError)


def test_a_bad_statement_is_not_reported_as_unavailable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        with engine.connect() as connection, pytest.raises(OperationalError, match="no such"):
            connection.execute(text("SELECT * FROM nowhere"))
    finally:
        engine.dispose()


def test_text_no_backend_keeps_is_refused_without_a_connection_event(tmp_path: Path) -> None:
    """The check runs in the dialect's execution: one statement, many, and every batch of a
    bulk insert are refused; a read looking for such a text finds nothing. No connection
    event is listened to, so a hot read dispatches none (a tenth of its cost)."""
    from sqlalchemy import Column, Integer, MetaData, Table, Text, insert

    from entrepot.errors import UnstorableText

    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    assert engine._has_events is False
    notes = Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("t", Text))
    notes.metadata.create_all(engine)
    rows = [{"t": "ok"}, {"t": "lone \ud800"}]
    with engine.begin() as connection:
        for statement, parameters in (
            (text("INSERT INTO notes (t) VALUES (:t)"), {"t": "a\x00b"}),
            (text("INSERT INTO notes (t) VALUES (:t)"), rows),
            (insert(notes).returning(notes.c.id), rows),  # insertmanyvalues batches
            (text("UPDATE notes SET t = :t"), {"t": "\x00"}),
        ):
            with pytest.raises(UnstorableText, match="the catalog's notes table"):
                connection.execute(statement, parameters)
        connection.execute(text("INSERT INTO notes (t) VALUES (:t)"), [{"t": "é😀"}])
        found = connection.execute(text("SELECT count(*) FROM notes WHERE t = :t"), {"t": "\x00"})
        assert found.scalar_one() == 0
    with engine.connect() as connection:
        assert connection.execute(text("SELECT t FROM notes")).scalars().all() == ["é😀"]
