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
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import ensure_migrated, upgrade
from entrepot.catalog.uow import UnitOfWork, session_factory, unit_of_work_factory
from entrepot.config import Settings, load_settings
from entrepot.registry.service import Registry
from entrepot.relocation.locations import CatalogLocator, LocatedStore
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
    _opened: dict[str, Store] = field(default_factory=dict, repr=False)

    @cached_property
    def home_store(self) -> Store:
        """The configured store itself (``ENTREPOT_STORE_URL``): where new objects go."""
        if self._store is not None:
            return self._store
        return open_store(self.settings.store_url, s3=self._s3_options(self.settings.store_url))

    @cached_property
    def raw_store(self) -> Store:
        """The store without the cache: each read goes where the catalog locates the object
        (a store migration moves objects, ADR 0005); writes go to the configured store."""
        locator = CatalogLocator(session_factory(self.engine))

        def locate(key: str) -> str | None:
            self.uow  # noqa: B018 - the first lookup checks the catalog is migrated
            return locator(key)

        return LocatedStore(self.home_store, locate, self.open_store)

    def open_store(self, url: str) -> Store:
        """The store named by ``url`` with the configured S3 options, opened once (an
        endpoint or region the URL names itself wins); the configured store for its URL."""
        home = self.home_store
        if url == home.url:
            return home
        if url not in self._opened:
            self._opened[url] = open_store(url, s3=self._s3_options(url))
        return self._opened[url]

    def _s3_options(self, url: str) -> S3Options:
        s, query = self.settings, parse_qs(urlsplit(url).query)
        return S3Options(
            endpoint_url=None if "endpoint" in query else s.s3_endpoint_url,
            region=None if "region" in query else s.s3_region,
            path_style=s.s3_path_style,
        )

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
