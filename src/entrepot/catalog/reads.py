"""Reads that need no unit of work: one query on a Core connection.

The hot read paths of the web service (the bearer token's holder, a user's model listing)
run one query and write nothing; an ORM session around it (begin, its transaction's
bookkeeping, close) costs about as much as the query itself. A service given a
:data:`ReadConnection` runs such a read on a plain connection (the composition root hands
it the engine's ``connect``); without one, the same function runs inside a unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Connection

from entrepot.catalog.uow import UnitOfWorkFactory

#: Opens a connection on the catalog for one read; rolled back (nothing to keep) on exit.
ReadConnection = Callable[[], AbstractContextManager[Connection]]


def reads_through(uow_factory: UnitOfWorkFactory) -> ReadConnection:
    """Connections of fresh units of work from ``uow_factory``."""

    @contextmanager
    def connect() -> Iterator[Connection]:
        with uow_factory() as uow:
            yield uow.connection()

    return connect
