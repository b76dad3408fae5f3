"""One database URL, SQLite or PostgreSQL, turned into a ready engine.

``sqlite:///path`` gets its folder created and WAL, foreign keys and a busy timeout on
every connection; ``postgresql://`` and ``postgres://`` are rewritten to the psycopg 3
driver. A connection that cannot be opened raises :class:`DatabaseUnavailable` naming
the URL with its password masked.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from entrepot.errors import ConfigError, DatabaseUnavailable, UnstorableText
from entrepot.masking import mask_url, mask_urls_in
from entrepot.messages import N_, Message

#: The one URL masking (``entrepot.masking``), under the name catalog callers know.
masked = mask_url

#: How long SQLite waits for another writer's lock before failing (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 5_000
#: How many open SQLite connections the pool keeps for the next request. Opening one
#: (the file, then WAL and the other pragmas) costs more than most reads, and SQLAlchemy's
#: default keeps 5, so a sixth concurrent request paid for one at every request. SQLite
#: connections are cheap to hold: keep one per thread that reads (the web's pools).
SQLITE_IDLE_CONNECTIONS = 48
#: How long PostgreSQL waits for a connection to open (seconds).
POSTGRES_CONNECT_TIMEOUT_S = 5

_POSTGRES_ALIASES = ("postgres", "postgresql", "postgresql+psycopg")
_SQLITE_HINT = "check that the folder in ENTREPOT_DATABASE_URL exists and is writable"
_POSTGRES_HINT = (
    "check ENTREPOT_DATABASE_URL (host, port, user, password, database) and that the "
    "server is running and accepts connections (`pg_isready -h HOST`)"
)


def parse_database_url(url: str) -> URL:
    """Parse ``url`` into a SQLAlchemy URL for a supported backend (PostgreSQL via psycopg).

    Raises :class:`ConfigError` for a malformed URL or an unsupported database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"database URL {url!r} is not a valid URL",
            hint="use sqlite:///path/to/file.db or postgresql://user:password@host:5432/name",
            said=Message(N_("error.catalog.database_url_invalid"), {"url": url}),
        ) from None
    if parsed.drivername in _POSTGRES_ALIASES:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed
    raise ConfigError(
        f"database URL {masked(parsed)} uses {parsed.drivername!r}; "
        "Entrepôt supports SQLite and PostgreSQL (psycopg)",
        hint="use sqlite:///path/to/file.db or postgresql://user:password@host:5432/name",
        said=Message(
            N_("error.catalog.database_unsupported"),
            {"url": masked(parsed), "driver": parsed.drivername},
        ),
    )


def make_engine(url: str, *, echo: bool = False, create_folder: bool = True) -> Engine:
    """An engine for a SQLite or PostgreSQL URL; no connection is opened yet.

    A SQLite file's folder is created unless ``create_folder`` is false (the App's catalog:
    only ``entrepot db upgrade`` makes a new instance, see :func:`ensure_sqlite_folder`).
    Every failure to open a connection later raises :class:`DatabaseUnavailable`.
    """
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, echo=echo, create_folder=create_folder)
        hint, key = _SQLITE_HINT, N_("error.catalog.unreachable_sqlite")
    else:
        engine = _postgres_engine(parsed, echo=echo)
        hint, key = _POSTGRES_HINT, N_("error.catalog.unreachable_postgres")
    _translate_connection_errors(engine, hint, key)
    _refuse_unstorable_text(engine)
    return engine


def _refuse_unstorable_text(engine: Engine) -> None:
    """No statement sends PostgreSQL a text it would refuse, and SQLite refuses it too.

    The check is a hook of the dialect's execution (``do_execute``, ``do_executemany``:
    called with the parameters the cursor receives, every batch of a bulk insert
    included; a statement without parameters has nothing to check), not a connection
    event: one connection event makes every statement, checkout and transaction of the
    engine dispatch all of them, about a tenth of a hot read's cost."""
    from entrepot.catalog.text import refuse_bad_parameters

    def check(statement: str, parameters: Any) -> None:
        # a read looking for such a text finds nothing (an odd id is not found, 404), it
        # stores nothing: only writes are refused
        if statement.lstrip()[:6].upper() != "SELECT":
            refuse_bad_parameters(statement, parameters)

    @event.listens_for(engine, "do_execute")
    def _check_one(_cursor: Any, statement: str, parameters: Any, _context: Any) -> bool:
        check(statement, parameters)
        return False  # the dialect executes it

    @event.listens_for(engine, "do_executemany")
    def _check_many(_cursor: Any, statement: str, parameters: Any, _context: Any) -> bool:
        check(statement, parameters)
        return False

    @event.listens_for(engine, "handle_error")
    def _as_raised(context: ExceptionContext) -> None:
        # a JSON document's refusal comes from its bind processor, which SQLAlchemy wraps
        if isinstance(context.original_exception, UnstorableText):
            raise context.original_exception


def ping(engine: Engine) -> None:
    """One round trip to the database; raises :class:`DatabaseUnavailable` if it fails."""
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite database URL; ``None`` in memory or for another database."""
    parsed = parse_database_url(url) if isinstance(url, str) else url
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or _in_memory(parsed):
        return None
    return Path(database).expanduser()


def ensure_sqlite_folder(engine: Engine) -> None:
    """Create the folder of ``engine``'s SQLite file, if it is one."""
    if (path := sqlite_file(engine.url)) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _in_memory(url: URL) -> bool:
    return (url.database or "") in ("", ":memory:") or "mode=memory" in str(url.query)


def _sqlite_engine(url: URL, *, echo: bool, create_folder: bool) -> Engine:
    database = url.database or ""
    in_memory = _in_memory(url)
    kwargs: dict[str, Any] = {}
    if in_memory:
        # One shared connection, otherwise each connection sees its own empty database.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        kwargs = {"pool_size": SQLITE_IDLE_CONNECTIONS, "max_overflow": -1}
        if create_folder:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    return engine


class _DropEchoes(logging.Filter):
    """Drops psycopg's echo of an error met while closing a pipeline or a COPY after a first
    error: the first one is what the caller receives and reports."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("error ignored terminating")


def _postgres_engine(url: URL, *, echo: bool) -> Engine:
    # psycopg logs "error ignored terminating <Pipeline ...>" after a failed batch; the error
    # itself reaches the caller, so the log line is noise on a user's terminal or log.
    psycopg_log = logging.getLogger("psycopg")
    if not any(isinstance(f, _DropEchoes) for f in psycopg_log.filters):
        psycopg_log.addFilter(_DropEchoes())
    try:
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
        )
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the PostgreSQL driver is not installed ({exc.name} is missing) for {masked(url)}",
            hint="install it with `pip install 'entrepot[postgres]'`",
            said=Message(
                N_("error.catalog.postgres_driver_missing"),
                {"module": str(exc.name), "url": masked(url)},
            ),
        ) from None


def _translate_connection_errors(engine: Engine, hint: str, key: str) -> None:
    where = masked(engine.url)

    @event.listens_for(engine, "handle_error")
    def _unavailable(context: ExceptionContext) -> None:
        # Only failures to open or keep a connection: a bad statement stays what it is.
        if context.connection is not None and not context.is_disconnect:
            return
        reason = mask_urls_in(str(context.original_exception).strip().splitlines()[0])
        raise DatabaseUnavailable(
            f"cannot connect to the database at {where}: {reason}",
            hint=hint,
            said=Message(key, {"database": where, "reason": reason}),
        ) from context.original_exception
