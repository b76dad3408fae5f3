"""The composition root: settings in, a wired application out.

This is the only module (with ``storage.url``) that picks concrete backends.
Entrypoints call :func:`bootstrap`; tests call it with a memory store and a
SQLite file so that fakes go through the same wiring.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import ensure_migrated, upgrade
from entrepot.catalog.uow import UnitOfWork, unit_of_work_factory
from entrepot.config import Settings, load_settings
from entrepot.registry.service import Registry
from entrepot.services.objects import ObjectService
from entrepot.storage.cache import CachedStore
from entrepot.storage.protocols import Store
from entrepot.storage.url import S3Options, open_store


@dataclass
class App:
    """Everything an entrypoint needs, built lazily from one Settings."""

    settings: Settings
    _store: Store | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @cached_property
    def raw_store(self) -> Store:
        """The configured store itself, without the cache."""
        if self._store is not None:
            return self._store
        s = self.settings
        options = S3Options(
            endpoint_url=s.s3_endpoint_url, region=s.s3_region, path_style=s.s3_path_style
        )
        return open_store(s.store_url, s3=options)

    @cached_property
    def cache(self) -> CachedStore:
        """The bounded read-through cache over the store (model files are loaded from it)."""
        return CachedStore(self.raw_store, self.settings.cache_dir, self.settings.cache_max_bytes)

    @cached_property
    def store(self) -> Store:
        """The store apps use: reads of a remote store go through the cache; a local
        folder is read directly."""
        return self.cache if self.settings.store_is_remote else self.raw_store

    @cached_property
    def engine(self) -> Engine:
        """The catalog's SQLAlchemy engine."""
        return self._engine if self._engine is not None else make_engine(self.settings.database_url)

    @cached_property
    def uow(self) -> Callable[[], UnitOfWork]:
        """A factory of units of work on the catalog (checks the schema is migrated once)."""
        ensure_migrated(self.engine)
        return unit_of_work_factory(self.engine)

    @cached_property
    def objects(self) -> ObjectService:
        """Cataloged object writes and reads (the write protocol)."""
        return ObjectService(self.store, self.uow)

    @cached_property
    def registry(self) -> Registry:
        """The shared model registry (a user's registry: ``registry.for_owner(id)``).

        Writes, deletes and verification go to the store itself; reads are served through
        the cache, whose entries are verified against the catalog's sha256."""
        return Registry(
            self.raw_store, self.cache, self.uow, secret=self.settings.secret_key, actor=_actor()
        )

    def migrate(self) -> str:
        """Bring the catalog schema to the latest revision; returns it."""
        return upgrade(self.engine)


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def bootstrap(
    settings: Settings | None = None, *, store: Store | None = None, engine: Engine | None = None
) -> App:
    """Wire an :class:`App`; ``store`` and ``engine`` replace the configured ones (tests)."""
    return App(settings if settings is not None else load_settings(), store, engine)
