"""The read-only unit of work: the hot reads, one query each on a plain connection.

::

    with reads() as catalog:
        holder = catalog.tokens.holder(token_hash, now)

The hot read paths (the bearer token's holder, a user's model listing, where an object is,
the command line's listings) run one query and write nothing; an ORM session around it
(begin, its transaction's bookkeeping, close) costs about as much as the query itself
(ADR 0031), and a listing command would load the ORM and every mapped table for it (ADR
0030). This unit of work holds one Core connection and, made on first use, the read
repositories over it; nothing is committed (the connection's transaction is rolled back
on exit). It is the read-only variant of :class:`entrepot.catalog.uow.UnitOfWork`: the
two are the one way to the catalog (ADR 0079). This module loads no ORM: a repository
that maps ORM tables is imported when first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from contextvars import ContextVar
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from entrepot.catalog.accounts.api_tokens import TokenReads
    from entrepot.catalog.listings import ModelListing, UserListing, WatermarkListing
    from entrepot.catalog.models.rows import ModelVersionReads
    from entrepot.catalog.relocation.placement import LocationReads
    from entrepot.catalog.uow import UnitOfWorkFactory

#: Opens a connection on the catalog (``engine.connect``, or a unit of work's).
Connect = Callable[[], AbstractContextManager["Connection"]]


_LOADED: dict[tuple[str, str], Any] = {}


def _loaded(module: str, name: str) -> Any:
    """``name`` of ``module``, imported at its first use and then kept: each unit of work
    makes its repositories afresh, and an import statement, even of a module already
    loaded, costs a hot read a few per cent."""
    found = _LOADED.get((module, name))
    if found is None:
        found = _LOADED[module, name] = getattr(importlib.import_module(module), name)
    return found


class _ReadRepositories:
    """One open connection, and each read repository over it made on first use."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @cached_property
    def users(self) -> UserListing:
        made: UserListing = _loaded("entrepot.catalog.listings", "UserListing")(self.connection)
        return made

    @cached_property
    def models(self) -> ModelListing:
        made: ModelListing = _loaded("entrepot.catalog.listings", "ModelListing")(self.connection)
        return made

    @cached_property
    def watermarks(self) -> WatermarkListing:
        made: WatermarkListing = _loaded("entrepot.catalog.listings", "WatermarkListing")(
            self.connection
        )
        return made

    @cached_property
    def versions(self) -> ModelVersionReads:
        made: ModelVersionReads = _loaded("entrepot.catalog.models.rows", "ModelVersionReads")(
            self.connection
        )
        return made

    @cached_property
    def tokens(self) -> TokenReads:
        made: TokenReads = _loaded("entrepot.catalog.accounts.api_tokens", "TokenReads")(
            self.connection
        )
        return made

    @cached_property
    def locations(self) -> LocationReads:
        made: LocationReads = _loaded("entrepot.catalog.relocation.placement", "LocationReads")(
            self.connection
        )
        return made


class ReadOnlyUnitOfWork:
    """Reads over one connection, opened on ``with`` and given back on exit; nothing is
    written. The repositories exist only inside the block."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        self._stack: ExitStack | None = None
        self._open: _ReadRepositories | None = None

    def __enter__(self) -> Self:
        if self._stack is not None:
            raise RuntimeError("this unit of work is already open; open a new one per block")
        stack = ExitStack()
        self._open = _ReadRepositories(stack.enter_context(self._connect()))
        self._stack = stack
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stack, self._stack, self._open = self._stack, None, None
        if stack is not None:
            stack.close()

    @property
    def users(self) -> UserListing:
        """Accounts, as the command line lists them."""
        return self._current().users

    @property
    def models(self) -> ModelListing:
        """Each model's count of ready versions and its latest (Core: no ORM)."""
        return self._current().models

    @property
    def versions(self) -> ModelVersionReads:
        """A namespace's ready versions, aliases and notes, each in one query."""
        return self._current().versions

    @property
    def watermarks(self) -> WatermarkListing:
        """The city pipeline's watermarks (Core: no ORM)."""
        return self._current().watermarks

    @property
    def tokens(self) -> TokenReads:
        """The holder of a bearer token."""
        return self._current().tokens

    @property
    def locations(self) -> LocationReads:
        """Where an object is, when a store move placed it elsewhere."""
        return self._current().locations

    def _current(self) -> _ReadRepositories:
        if self._open is None:
            raise RuntimeError("use the unit of work in a `with` block: `with reads() as r: ...`")
        return self._open


#: What services receive for their hot reads: opens a fresh read-only unit of work.
ReadsFactory = Callable[[], ReadOnlyUnitOfWork]
#: The connections held by :func:`shared_reads` in this context, by engine.
_SHARED: ContextVar[dict[Engine, Connection] | None] = ContextVar(
    "entrepot_shared_reads", default=None
)


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block (in this context: a request's thread-pool hop), the read-only
    units of work of :func:`read_only` over one engine read on one connection, opened by
    the first and closed when the block ends: a request's token check and its listing
    cost one checkout, as one unit of work's reads would. Nothing is written on it, and
    each statement sees what was committed before it (SQLite outside a transaction,
    PostgreSQL read committed), so a write between two reads is seen by the second."""
    held: dict[Engine, Connection] = {}
    token = _SHARED.set(held)
    try:
        yield
    finally:
        _SHARED.reset(token)
        for connection in held.values():
            connection.close()


def read_only(engine: Engine) -> ReadsFactory:
    """Read-only units of work on connections of ``engine`` (no ORM session); inside
    :func:`shared_reads`, on the block's one connection."""

    def connect() -> AbstractContextManager[Connection]:
        held = _SHARED.get()
        if held is None:
            return engine.connect()
        connection = held.get(engine)
        if connection is None:
            connection = held[engine] = engine.connect()
        return nullcontext(connection)

    return lambda: ReadOnlyUnitOfWork(connect)


def reads_through(uow_factory: UnitOfWorkFactory) -> ReadsFactory:
    """Read-only units of work on the connections of fresh units of work from
    ``uow_factory`` (a service given no read pool of its own)."""

    @contextmanager
    def connect() -> Iterator[Connection]:
        with uow_factory() as uow:
            yield uow.connection()

    return lambda: ReadOnlyUnitOfWork(connect)
