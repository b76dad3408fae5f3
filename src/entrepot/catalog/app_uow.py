"""The web service's unit of work: every repository in one transaction.

The same contract as :class:`entrepot.catalog.uow.UnitOfWork` (rollback unless
committed), with the accounts, jobs and workspace repositories next to ``objects`` and
``models``, so that an object row and the dataset row pointing at it commit together::

    with uow_factory() as uow:
        record = uow.objects.add(key=..., sha256=..., size=..., kind="dataset", owner="7")
        uow.datasets.add(dataset_id=..., owner_id=7, object_id=record.id, ...)
        uow.commit()
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from entrepot.catalog.accounts.licences import LicenceRepository
from entrepot.catalog.accounts.users import (
    AuditRepository,
    LoginAttemptRepository,
    TokenRepository,
    UserRepository,
)
from entrepot.catalog.jobs.repository import JobRepository
from entrepot.catalog.models.repository import ModelRepository
from entrepot.catalog.objects.repository import ObjectRepository
from entrepot.catalog.uow import session_factory
from entrepot.catalog.workspace.repository import (
    DatasetRepository,
    PredictionRepository,
    UserModelRepository,
)


class AppUnitOfWork:
    """One session and every repository over it, opened on ``with``."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open; open a new one per block")
        session = self._sessions()
        self._session = session
        self.objects = ObjectRepository(session)
        self.models = ModelRepository(session)
        self.users = UserRepository(session)
        self.tokens = TokenRepository(session)
        self.attempts = LoginAttemptRepository(session)
        self.audit = AuditRepository(session)
        self.licences = LicenceRepository(session)
        self.jobs = JobRepository(session)
        self.datasets = DatasetRepository(session)
        self.predictions = PredictionRepository(session)
        self.user_models = UserModelRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._current()
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        """Make everything done in this unit of work permanent."""
        self._current().commit()

    def rollback(self) -> None:
        """Discard everything not yet committed."""
        self._current().rollback()

    def _current(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work in a `with` block: `with uow: ...`")
        return self._session


#: What the web service's services receive: a callable that opens a fresh unit of work.
AppUnitOfWorkFactory = Callable[[], AppUnitOfWork]


def app_unit_of_work_factory(engine: Engine) -> AppUnitOfWorkFactory:
    """A factory of fresh :class:`AppUnitOfWork` on ``engine``."""
    sessions = session_factory(engine)
    return lambda: AppUnitOfWork(sessions)
