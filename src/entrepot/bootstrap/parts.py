"""The instance's infrastructure: its settings, its stores and its catalog, each built
from one Settings on first use (the services over them are :class:`~entrepot.bootstrap.app.App`'s).

Nothing is opened, and no heavy library imported, until a part is asked for: ``entrepot
--help`` builds an App and touches none of it. Reads of the catalog start with
:meth:`Parts.check_migrated`, called once, explicitly, by the parts that need a migrated
schema (units of work, the located store).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from entrepot.bootstrap import instance
from entrepot.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.catalog.reads import ReadsFactory
    from entrepot.catalog.uow import UnitOfWorkFactory
    from entrepot.relocation.locations import LocatedStore, Locator
    from entrepot.services.temporaries import TempArea
    from entrepot.storage.cache import CachedStore
    from entrepot.storage.protocols import Store


@dataclass
class Parts:
    """The settings, the stores (configured, located, cached) and the catalog (engine,
    units of work, one-query reads), built lazily from one Settings (read from the
    environment on first use when none is given)."""

    given_settings: Settings | None = None
    _store: Store | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)
    _opened: dict[str, Store] = field(default_factory=dict, repr=False)
    _migrated: bool = field(default=False, repr=False)

    @cached_property
    def settings(self) -> Settings:
        """The settings: those given, else the environment's (``ENTREPOT_*``, ``.env``);
        then the ``.env`` file's variables of the libraries Entrepôt configures (AWS
        credentials, say) are copied into the process environment, where the libraries
        read them (the environment's own values win)."""
        if self.given_settings is not None:
            return self.given_settings
        from entrepot.config_libraries import export_dotenv_libraries

        settings = load_settings()
        export_dotenv_libraries()
        return settings

    @cached_property
    def secret_key(self) -> str:
        """The instance secret: ``ENTREPOT_SECRET_KEY``, or in development one generated
        on first use and kept in the instance's folder (``secret_key``, mode 0600: the
        folder of its SQLite catalog, or ``ENTREPOT_VAR_DIR``). A secret is generated only
        for an instance that exists: elsewhere, "no Entrepôt instance here"."""
        from entrepot.bootstrap.secret import resolve_secret, secret_path

        if self.settings.secret_key is None and not secret_path(self.settings).exists():
            self.require_instance()
        return resolve_secret(self.settings)

    @cached_property
    def home_store(self) -> Store:
        """The configured store itself (``ENTREPOT_STORE_URL``): where new objects go."""
        if self._store is not None:
            return self._store
        from entrepot.storage.url import open_store

        url = self.settings.store.parsed
        return open_store(url, s3=instance.s3_options(self.settings, url))

    @cached_property
    def raw_store(self) -> LocatedStore:
        """The store without the cache: each read goes where the catalog locates the object
        (a store migration moves objects, ADR 0005); writes go to the configured store."""
        from entrepot.relocation.locations import LocatedStore

        def locate(key: str) -> str | None:
            self.check_migrated()
            return self._locator(key)

        return LocatedStore(self.home_store, locate, self.open_store)

    @cached_property
    def _locator(self) -> Locator:
        """Where the catalog places each key; built on the first read (listings and
        writes never ask, so they load no catalog code)."""
        from entrepot.relocation.locations import CatalogLocator

        return CatalogLocator(self.reads)

    def open_store(self, url: str) -> Store:
        """The store named by ``url`` with the configured S3 options, opened once (an
        endpoint or region the URL names itself wins); the configured store for its URL."""
        home = self.home_store
        if url == home.url:
            return home
        if url not in self._opened:
            from entrepot.storage.url import open_store, parse_store_url

            parsed = parse_store_url(url)
            self._opened[url] = open_store(parsed, s3=instance.s3_options(self.settings, parsed))
        return self._opened[url]

    @cached_property
    def cache(self) -> CachedStore:
        """The bounded read-through cache over the store (model files are loaded from it)."""
        from entrepot.storage.cache import CachedStore

        return CachedStore(self.raw_store, self.settings.cache.dir, self.settings.cache.max_bytes)

    @cached_property
    def store(self) -> Store:
        """The store apps use: reads of a remote store go through the cache; a local
        folder is read directly."""
        return self.cache if self.settings.store.is_remote else self.raw_store

    def temp_areas(self) -> tuple[TempArea, ...]:
        """Where this instance's processes leave temporaries (``instance.temp_areas``)."""
        return instance.temp_areas(self.settings, self.home_store)

    @cached_property
    def engine(self) -> Engine:
        """The catalog's SQLAlchemy engine (no connection is made until it is used)."""
        if self._engine is not None:
            return self._engine
        from entrepot.catalog.engine import make_engine

        return make_engine(self.settings.catalog.url, create_folder=False)

    @cached_property
    def reads(self) -> ReadsFactory:
        """Read-only units of work on the migrated catalog, for the hot reads and the
        command line's listings (``catalog/reads.py``: SQLAlchemy Core, no ORM session
        around them, the ORM loaded only by a read that maps its tables)."""
        from entrepot.catalog.reads import read_only

        self.check_migrated()
        return read_only(self.engine)

    def check_migrated(self) -> None:
        """Raise :class:`~entrepot.errors.NotMigrated` unless the catalog schema is at the
        code's revision; checked once per App."""
        if not self._migrated:
            from entrepot.catalog.migrate import ensure_migrated

            self.require_instance()
            ensure_migrated(self.engine)
            self._migrated = True

    def require_store(self) -> None:
        """Raise :class:`~entrepot.errors.NotMigrated` ("no Entrepôt instance here") when the
        configured store is a local folder that does not exist and neither does the catalog:
        listing it would answer "0 objects" for a folder that holds no instance at all (a
        new instance's store folder appears with its first object)."""
        from entrepot.storage.local import LocalStore

        home = self.home_store
        if isinstance(home, LocalStore) and not home.root.exists():
            self.require_instance()

    def require_instance(self) -> None:
        """Raise :class:`~entrepot.errors.NotMigrated` ("no Entrepôt instance here") when the
        configured SQLite catalog does not exist (``instance.require_instance``)."""
        instance.require_instance(self.engine)

    @cached_property
    def uow(self) -> UnitOfWorkFactory:
        """A factory of units of work on the migrated catalog; inside a running job, each
        commit first checks the job is still its worker's (``jobs/guard.py``)."""
        from entrepot.jobs.guard import guarded_factory

        self.check_migrated()
        return guarded_factory(self.engine)

    def migrate(self) -> str:
        """Bring the catalog schema to the latest revision; returns it."""
        from entrepot.catalog.migrate import upgrade

        revision = upgrade(self.engine)
        self._migrated = True
        return revision

    @cached_property
    def actor(self) -> str:
        """Who acts, as recorded on versions and store migrations: the OS user."""
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"
