"""The unit of work: one transaction around every repository, rolled back unless committed.

::

    with uow_factory() as uow:
        record = uow.objects.add(key=..., sha256=..., size=..., kind="dataset", owner="7")
        uow.datasets.add(dataset_id=..., owner_id=7, object_id=record.id, ...)
        uow.commit()

Every repository shares the one session, so that an object row and the rows pointing at
it (a model file, a dataset, a report) commit together. Leaving the block without
:meth:`UnitOfWork.commit` (or through an exception) rolls back. This is the only unit of
work: the registry, the services of the web app, the city runs, the store moves and the
command line all open this one; the hot reads open its read-only variant
(``catalog/reads.py``). No code outside ``catalog/`` holds a session (ADR 0079).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from entrepot.catalog.accounts.api_tokens import TokenRepository
    from entrepot.catalog.accounts.audit import AuditRepository
    from entrepot.catalog.accounts.counters import RateCounterRepository
    from entrepot.catalog.accounts.licences import LicenceRepository
    from entrepot.catalog.accounts.sessions import UserSessionRepository
    from entrepot.catalog.accounts.users import UserRepository
    from entrepot.catalog.city.watermarks import WatermarkRepository
    from entrepot.catalog.feedback.repository import FeedbackRepository
    from entrepot.catalog.jobs.repository import JobRepository
    from entrepot.catalog.keyring.repository import KeyRingRepository
    from entrepot.catalog.leases.repository import LeaseRepository
    from entrepot.catalog.models.references import ReferenceRepository
    from entrepot.catalog.models.repository import ModelRepository
    from entrepot.catalog.objects.damage import DamageRepository
    from entrepot.catalog.objects.repository import ObjectRepository
    from entrepot.catalog.relocation.repository import JournalRepository
    from entrepot.catalog.workspace.repository import (
        DatasetRepository,
        PredictionRepository,
        UserModelRepository,
    )


class _Repositories:
    """One open session, and each repository over it made on first use: its module (and
    the tables it maps) is imported only then, so a command reading accounts loads no
    model, job or city table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @cached_property
    def objects(self) -> ObjectRepository:
        from entrepot.catalog.objects.repository import ObjectRepository

        return ObjectRepository(self.session)

    @cached_property
    def models(self) -> ModelRepository:
        from entrepot.catalog.models.repository import ModelRepository

        return ModelRepository(self.session)

    @cached_property
    def references(self) -> ReferenceRepository:
        from entrepot.catalog.models.references import ReferenceRepository

        return ReferenceRepository(self.session)

    @cached_property
    def users(self) -> UserRepository:
        from entrepot.catalog.accounts.users import UserRepository

        return UserRepository(self.session)

    @cached_property
    def tokens(self) -> TokenRepository:
        from entrepot.catalog.accounts.api_tokens import TokenRepository

        return TokenRepository(self.session)

    @cached_property
    def user_sessions(self) -> UserSessionRepository:
        from entrepot.catalog.accounts.sessions import UserSessionRepository

        return UserSessionRepository(self.session)

    @cached_property
    def counters(self) -> RateCounterRepository:
        from entrepot.catalog.accounts.counters import RateCounterRepository

        return RateCounterRepository(self.session)

    @cached_property
    def audit(self) -> AuditRepository:
        from entrepot.catalog.accounts.audit import AuditRepository

        return AuditRepository(self.session)

    @cached_property
    def licences(self) -> LicenceRepository:
        from entrepot.catalog.accounts.licences import LicenceRepository

        return LicenceRepository(self.session)

    @cached_property
    def jobs(self) -> JobRepository:
        from entrepot.catalog.jobs.repository import JobRepository

        return JobRepository(self.session)

    @cached_property
    def datasets(self) -> DatasetRepository:
        from entrepot.catalog.workspace.repository import DatasetRepository

        return DatasetRepository(self.session)

    @cached_property
    def predictions(self) -> PredictionRepository:
        from entrepot.catalog.workspace.repository import PredictionRepository

        return PredictionRepository(self.session)

    @cached_property
    def user_models(self) -> UserModelRepository:
        from entrepot.catalog.workspace.repository import UserModelRepository

        return UserModelRepository(self.session)

    @cached_property
    def watermarks(self) -> WatermarkRepository:
        from entrepot.catalog.city.watermarks import WatermarkRepository

        return WatermarkRepository(self.session)

    @cached_property
    def damage(self) -> DamageRepository:
        from entrepot.catalog.objects.damage import DamageRepository

        return DamageRepository(self.session)

    @cached_property
    def feedback(self) -> FeedbackRepository:
        from entrepot.catalog.feedback.repository import FeedbackRepository

        return FeedbackRepository(self.session)

    @cached_property
    def keyring(self) -> KeyRingRepository:
        from entrepot.catalog.keyring.repository import KeyRingRepository

        return KeyRingRepository(self.session)

    @cached_property
    def leases(self) -> LeaseRepository:
        from entrepot.catalog.leases.repository import LeaseRepository

        return LeaseRepository(self.session)

    @cached_property
    def journal(self) -> JournalRepository:
        from entrepot.catalog.relocation.repository import JournalRepository

        return JournalRepository(self.session)


class UnitOfWork:
    """A transaction over the catalog's repositories, opened on ``with``; rollback is the
    default. The repositories exist only inside the block."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._open: _Repositories | None = None

    def __enter__(self) -> Self:
        if self._open is not None:
            raise RuntimeError("this unit of work is already open; open a new one per block")
        self._open = _Repositories(self._sessions())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._current().session
        try:
            # Closing rolls back what was not committed, without the ORM's rollback
            # bookkeeping: no object of the block outlives it, so there is nothing to expire.
            session.close()
        finally:
            self._open = None

    @property
    def objects(self) -> ObjectRepository:
        """Every stored object."""
        return self._current().objects

    @property
    def damage(self) -> DamageRepository:
        """The damage register: objects found damaged in the store."""
        return self._current().damage

    @property
    def models(self) -> ModelRepository:
        """Model versions, their files and aliases."""
        return self._current().models

    @property
    def references(self) -> ReferenceRepository:
        """Reference models."""
        return self._current().references

    @property
    def users(self) -> UserRepository:
        """Accounts."""
        return self._current().users

    @property
    def tokens(self) -> TokenRepository:
        """API tokens."""
        return self._current().tokens

    @property
    def user_sessions(self) -> UserSessionRepository:
        """Signed-in browser sessions."""
        return self._current().user_sessions

    @property
    def counters(self) -> RateCounterRepository:
        """Rate counters (sign-ins, sign-ups)."""
        return self._current().counters

    @property
    def audit(self) -> AuditRepository:
        """The admin audit log."""
        return self._current().audit

    @property
    def licences(self) -> LicenceRepository:
        """Licences and plans."""
        return self._current().licences

    @property
    def jobs(self) -> JobRepository:
        """Background jobs."""
        return self._current().jobs

    @property
    def datasets(self) -> DatasetRepository:
        """Users' uploaded datasets."""
        return self._current().datasets

    @property
    def predictions(self) -> PredictionRepository:
        """Users' stored predictions."""
        return self._current().predictions

    @property
    def user_models(self) -> UserModelRepository:
        """Users' models as the web service lists them."""
        return self._current().user_models

    @property
    def watermarks(self) -> WatermarkRepository:
        """The city pipeline's watermarks."""
        return self._current().watermarks

    @property
    def feedback(self) -> FeedbackRepository:
        """Analysts' labels of scored rows and thresholds saved for models."""
        return self._current().feedback

    @property
    def keyring(self) -> KeyRingRepository:
        """The keys that sign model versions, wrapped with the instance secret."""
        return self._current().keyring

    @property
    def leases(self) -> LeaseRepository:
        """Work held by one process at a time (a reference being built)."""
        return self._current().leases

    @property
    def journal(self) -> JournalRepository:
        """The store move's journal, census and placement (``catalog/relocation/``)."""
        return self._current().journal

    def connection(self) -> Connection:
        """The connection of this unit of work's transaction (for Core queries)."""
        return self._current().session.connection()

    def commit(self) -> None:
        """Make everything done in this unit of work permanent."""
        self._current().session.commit()

    def rollback(self) -> None:
        """Discard everything not yet committed."""
        self._current().session.rollback()

    def _current(self) -> _Repositories:
        if self._open is None:
            raise RuntimeError("use the unit of work in a `with` block: `with uow: ...`")
        return self._open


#: What services receive: a callable that opens a fresh unit of work.
UnitOfWorkFactory = Callable[[], UnitOfWork]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine`` whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def unit_of_work_factory(engine: Engine) -> UnitOfWorkFactory:
    """A factory of fresh units of work on ``engine``, to hand to the services."""
    sessions = session_factory(engine)
    return lambda: UnitOfWork(sessions)
