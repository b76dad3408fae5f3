"""The unit of work: one transaction around the repositories, rolled back unless committed.

::

    with uow_factory() as uow:
        uow.objects.add(key=..., sha256=..., size=..., kind="dataset")
        uow.commit()

Repositories: ``uow.objects`` (every stored object), ``uow.models`` (model versions, files
and aliases), ``uow.references`` (reference models); all share the one transaction.

Leaving the block without :meth:`UnitOfWork.commit` (or through an exception) rolls back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from entrepot.catalog.models.references import ReferenceRepository
from entrepot.catalog.models.repository import ModelRepository
from entrepot.catalog.objects.repository import ObjectRepository


class UnitOfWork(ABC):
    """A transaction over the catalog's repositories; rollback is the default."""

    @property
    @abstractmethod
    def objects(self) -> ObjectRepository:
        """The ``objects`` repository, in this unit of work's transaction."""

    @property
    @abstractmethod
    def models(self) -> ModelRepository:
        """The model versions repository, in this unit of work's transaction."""

    @property
    @abstractmethod
    def references(self) -> ReferenceRepository:
        """The reference models repository, in this unit of work's transaction."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abstractmethod
    def commit(self) -> None:
        """Make everything done in this unit of work permanent."""

    @abstractmethod
    def rollback(self) -> None:
        """Discard everything not yet committed."""


#: What services receive: a callable that opens a fresh unit of work.
UnitOfWorkFactory = Callable[[], UnitOfWork]


class SqlUnitOfWork(UnitOfWork):
    """A unit of work over one SQLAlchemy session, opened on ``with``."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._open: _Repositories | None = None

    def __enter__(self) -> Self:
        if self._open is not None:
            raise RuntimeError("this unit of work is already open; open a new one per block")
        self._open = _Repositories(self._session_factory())
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            self._current().session.close()
            self._open = None

    @property
    def objects(self) -> ObjectRepository:
        """The ``objects`` repository, in this unit of work's transaction."""
        return self._current().objects

    @property
    def models(self) -> ModelRepository:
        """The model versions repository, in this unit of work's transaction."""
        return self._current().models

    @property
    def references(self) -> ReferenceRepository:
        """The reference models repository, in this unit of work's transaction."""
        return self._current().references

    def commit(self) -> None:
        """Commit the session."""
        self._current().session.commit()

    def rollback(self) -> None:
        """Roll the session back."""
        self._current().session.rollback()

    def _current(self) -> _Repositories:
        if self._open is None:
            raise RuntimeError("use the unit of work in a `with` block: `with uow: ...`")
        return self._open


class _Repositories:
    """One open session and the repositories over it."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.objects = ObjectRepository(session)
        self.models = ModelRepository(session)
        self.references = ReferenceRepository(session)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine`` whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def unit_of_work_factory(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    """A factory of fresh :class:`SqlUnitOfWork` on ``engine``, to hand to the services."""
    sessions = session_factory(engine)
    return lambda: SqlUnitOfWork(sessions)
