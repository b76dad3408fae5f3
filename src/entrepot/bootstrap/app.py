"""The application: every part an entrypoint needs, built from one Settings on first use.

Nothing is opened, and no heavy library imported, until a part is asked for: ``entrepot
--help`` builds an :class:`App` and touches none of it. Reads of the catalog start with
:meth:`App.check_migrated`, called once, explicitly, by the parts that need a migrated
schema (units of work, the located store).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from entrepot.config import Settings, load_settings

#: The names the fraud service gives its temporaries under ``var_dir/tmp``: spooled
#: uploads, model ZIPs, unpacked datasets and models, score files.
WORK_TEMPORARIES = ("upload-*.part", "model-*", "dataset-*", "scores-*")

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.bootstrap.fraud import FraudServices
    from entrepot.catalog.uow import UnitOfWorkFactory
    from entrepot.city.runtime import CityRuntime
    from entrepot.fraud.library.registry import RegistryLibrary
    from entrepot.fraud_service.options import ServiceOptions
    from entrepot.registry.service import Registry
    from entrepot.services.objects import ObjectService
    from entrepot.services.temporaries import TempArea
    from entrepot.storage.cache import CachedStore
    from entrepot.storage.protocols import Store
    from entrepot.storage.url import S3Options


@dataclass
class App:
    """Everything an entrypoint needs, built lazily from one Settings (read from the
    environment on first use when none is given)."""

    given_settings: Settings | None = None
    _store: Store | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)
    _opened: dict[str, Store] = field(default_factory=dict, repr=False)
    _migrated: bool = field(default=False, repr=False)
    _fraud: FraudServices | None = field(default=None, repr=False)

    @cached_property
    def settings(self) -> Settings:
        """The settings: those given, else the environment's (``ENTREPOT_*``, ``.env``)."""
        return self.given_settings if self.given_settings is not None else load_settings()

    @cached_property
    def secret_key(self) -> str:
        """The instance secret: ``ENTREPOT_SECRET_KEY``, or in development one generated
        on first use and kept in ``var_dir/secret_key`` (mode 0600)."""
        from entrepot.bootstrap.secret import resolve_secret

        return resolve_secret(self.settings)

    # -- storage -------------------------------------------------------------------------

    @cached_property
    def home_store(self) -> Store:
        """The configured store itself (``ENTREPOT_STORE_URL``): where new objects go."""
        if self._store is not None:
            return self._store
        from entrepot.storage.url import open_store

        url = self.settings.store_url
        return open_store(url, s3=self._s3_options(url))

    @cached_property
    def raw_store(self) -> Store:
        """The store without the cache: each read goes where the catalog locates the object
        (a store migration moves objects, ADR 0005); writes go to the configured store."""
        from entrepot.catalog.uow import session_factory
        from entrepot.relocation.locations import CatalogLocator, LocatedStore

        locator = CatalogLocator(session_factory(self.engine))

        def locate(key: str) -> str | None:
            self.check_migrated()
            return locator(key)

        return LocatedStore(self.home_store, locate, self.open_store)

    def open_store(self, url: str) -> Store:
        """The store named by ``url`` with the configured S3 options, opened once (an
        endpoint or region the URL names itself wins); the configured store for its URL."""
        home = self.home_store
        if url == home.url:
            return home
        if url not in self._opened:
            from entrepot.storage.url import open_store

            self._opened[url] = open_store(url, s3=self._s3_options(url))
        return self._opened[url]

    def _s3_options(self, url: str) -> S3Options:
        from entrepot.storage.url import S3Options

        s, query = self.settings, parse_qs(urlsplit(url).query)
        return S3Options(
            endpoint_url=None if "endpoint" in query else s.s3_endpoint_url,
            region=None if "region" in query else s.s3_region,
            path_style=s.s3_path_style,
        )

    @cached_property
    def cache(self) -> CachedStore:
        """The bounded read-through cache over the store (model files are loaded from it)."""
        from entrepot.storage.cache import CachedStore

        return CachedStore(self.raw_store, self.settings.cache_dir, self.settings.cache_max_bytes)

    @cached_property
    def store(self) -> Store:
        """The store apps use: reads of a remote store go through the cache; a local
        folder is read directly."""
        return self.cache if self.settings.store_is_remote else self.raw_store

    def temp_areas(self) -> tuple[TempArea, ...]:
        """Where this instance's processes leave temporaries, and their names: the working
        folder (``var_dir/tmp``: uploads spooled, files unpacked by jobs) and, for a local
        store, the temporary files of its writes (``.entrepot-tmp-*`` beside each object)."""
        from entrepot.services.temporaries import TempArea
        from entrepot.storage.local import TEMP_PREFIX, LocalStore

        areas = [TempArea(Path(self.settings.var_dir) / "tmp", WORK_TEMPORARIES)]
        if isinstance(self.home_store, LocalStore):
            areas.append(TempArea(self.home_store.root, (f"{TEMP_PREFIX}*",), recursive=True))
        return tuple(areas)

    # -- catalog -------------------------------------------------------------------------

    @cached_property
    def engine(self) -> Engine:
        """The catalog's SQLAlchemy engine (no connection is made until it is used)."""
        if self._engine is not None:
            return self._engine
        from entrepot.catalog.engine import make_engine

        return make_engine(self.settings.database_url)

    def check_migrated(self) -> None:
        """Raise :class:`~entrepot.errors.NotMigrated` unless the catalog schema is at the
        code's revision; checked once per App."""
        if not self._migrated:
            from entrepot.catalog.migrate import ensure_migrated

            ensure_migrated(self.engine)
            self._migrated = True

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

    # -- services ------------------------------------------------------------------------

    @cached_property
    def objects(self) -> ObjectService:
        """Cataloged object writes and reads (the write protocol)."""
        from entrepot.services.objects import ObjectService

        return ObjectService(self.store, self.uow)

    @cached_property
    def registry(self) -> Registry:
        """The shared model registry (a user's registry: ``registry.for_owner(id)``).

        Writes, deletes and verification go to the store itself; reads are served through
        the cache, whose entries are verified against the catalog's sha256."""
        from entrepot.registry.service import Registry

        return Registry(
            self.raw_store, self.cache, self.uow, secret=self.secret_key, actor=self.actor
        )

    @cached_property
    def actor(self) -> str:
        """Who acts, as recorded on versions and store migrations: the OS user."""
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"

    @cached_property
    def reference_library(self) -> RegistryLibrary:
        """The fraud engine's reference models, kept in the registry."""
        from entrepot.fraud.library.registry import RegistryLibrary

        return RegistryLibrary(self.registry)

    @cached_property
    def city(self) -> CityRuntime:
        """The city-flow app over this store and catalog; its metrics go to
        ``ENTREPOT_METRICS_URL``, or to the catalog database when unset."""
        from entrepot.city.runtime import CityRuntime

        return CityRuntime(
            self.store,
            engine=self.engine,
            metrics_url=getattr(self.settings, "metrics_url", None),
        )

    def fraud(self, options: ServiceOptions | None = None) -> FraudServices:
        """The fraud web service's services over this app, built on first call with
        ``options`` (default: from the settings); later calls return the same services."""
        from entrepot.bootstrap.fraud import build_services, service_options

        if self._fraud is None:
            options = options or service_options(self.settings, secret_key=self.secret_key)
            self._fraud = build_services(self, options)
        elif options is not None and options != self._fraud.options:
            raise ValueError("this app's fraud services are already built with other options")
        return self._fraud


def bootstrap(
    settings: Settings | None = None, *, store: Store | None = None, engine: Engine | None = None
) -> App:
    """Wire an :class:`App`; ``store`` and ``engine`` replace the configured ones (tests).
    Without ``settings``, the environment's are read when first needed."""
    return App(settings, store, engine)
