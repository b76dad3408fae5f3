"""The application: every part an entrypoint needs, built from one Settings on first use.

Nothing is opened, and no heavy library imported, until a part is asked for: ``entrepot
--help`` builds an :class:`App` and touches none of it. Reads of the catalog start with
:meth:`App.check_migrated`, called once, explicitly, by the parts that need a migrated
schema (units of work, the located store).
"""

from __future__ import annotations

import getpass
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from entrepot.config import Settings, load_settings

#: The names the fraud service gives its temporaries under ``var_dir/tmp``: spooled
#: uploads, model ZIPs, unpacked datasets and models, score files.
WORK_TEMPORARIES = ("upload-*.part", "model-*", "dataset-*", "scores-*")
#: What jobs leave in the system's temporary folder (city lake and DuckDB work, the
#: reference build, model exports, store moves): every such folder's name starts so.
SYSTEM_TEMPORARIES = ("entrepot-*",)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.accounts.admin import AdminService
    from entrepot.accounts.licences import LicenceService
    from entrepot.accounts.service import AccountService
    from entrepot.bootstrap.fraud import FraudServices
    from entrepot.bootstrap.jobs import JobOptions, JobSystem
    from entrepot.catalog.copy.service import CatalogCopy
    from entrepot.catalog.reads import ReadConnection
    from entrepot.catalog.uow import UnitOfWorkFactory
    from entrepot.city.collect.feeds import FeedUrls
    from entrepot.city.runtime import CityRuntime
    from entrepot.city_service.service import CityService
    from entrepot.fraud.library.registry import RegistryLibrary
    from entrepot.fraud_service.options import ServiceOptions
    from entrepot.health import Check
    from entrepot.jobs.runner import Handler
    from entrepot.registry.keys import KeyRingService
    from entrepot.registry.records import ImportResult
    from entrepot.registry.service import Registry
    from entrepot.relocation import StoreMigrations
    from entrepot.relocation.locations import Locator
    from entrepot.services.listings import Listings
    from entrepot.services.maintenance import Maintenance
    from entrepot.services.objects import ObjectService
    from entrepot.services.temporaries import TempArea
    from entrepot.storage.cache import CachedStore
    from entrepot.storage.protocols import Buckets, Store
    from entrepot.storage.s3_options import S3Options
    from entrepot.storage.types import Listing


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
    _jobs: JobSystem | None = field(default=None, repr=False)
    _runtime: CityRuntime | None = field(default=None, repr=False)

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
        from entrepot.relocation.locations import LocatedStore

        def locate(key: str) -> str | None:
            self.check_migrated()
            return self._locator(key)

        return LocatedStore(self.home_store, locate, self.open_store)

    @cached_property
    def _locator(self) -> Locator:
        """Where the catalog places each key; built on the first read (listings and
        writes never ask, so they load no catalog code)."""
        from entrepot.catalog.uow import session_factory
        from entrepot.relocation.locations import CatalogLocator

        return CatalogLocator(session_factory(self.engine))

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
        from entrepot.storage.s3_options import S3Options

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
        folder (``var_dir/tmp``: uploads spooled, files unpacked by jobs), the system's
        temporary folder (``entrepot-*``: what city runs, the reference build, model exports
        and store moves unpack there) and, for a local store, the temporary files of its
        writes (``.entrepot-tmp-*`` beside each object)."""
        from entrepot.services.temporaries import TempArea
        from entrepot.storage.local import TEMP_PREFIX, LocalStore

        areas = [
            TempArea(Path(self.settings.var_dir) / "tmp", WORK_TEMPORARIES),
            TempArea(Path(tempfile.gettempdir()), SYSTEM_TEMPORARIES),
        ]
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

        return make_engine(self.settings.database_url, create_folder=False)

    @cached_property
    def listed(self) -> Engine:
        """The migrated catalog's engine, for the read-only listings of the command line
        (``catalog/listings.py``: SQLAlchemy Core, the ORM never loaded)."""
        self.check_migrated()
        return self.engine

    @cached_property
    def reads(self) -> ReadConnection:
        """Connections on the migrated catalog for the services' one-query reads
        (``catalog/reads.py``): no ORM session around them."""
        return self.listed.connect

    @cached_property
    def relocation(self) -> StoreMigrations:
        """Moving this installation's objects to another store (``entrepot move``)."""
        from entrepot.catalog.uow import session_factory
        from entrepot.relocation import StoreMigrations

        self.check_migrated()
        return StoreMigrations(
            self.raw_store, self.open_store, session_factory(self.engine), actor=self.actor
        )

    @cached_property
    def maintenance(self) -> Maintenance:
        """``entrepot gc`` and ``entrepot verify``: over the configured store (gc), the
        located store (verify, repair), the catalog, the cache and the temporary areas."""
        from entrepot.services.maintenance import Maintenance

        return Maintenance(
            self.home_store,
            self.raw_store,
            self.uow,
            prefixes=self.settings.managed_prefixes,
            temp_areas=self.temp_areas,
            cache=self.cache,
        )

    def doctor(self) -> list[Check]:
        """A round trip through every configured part: the store (put, get, list, delete),
        the catalog, where the catalog places objects, the cache folder, and whether a
        local store will outlive its container (``entrepot doctor``)."""
        from entrepot.catalog.uow import session_factory
        from entrepot.config import detected_platform
        from entrepot.health import check_database, check_folder, check_store, durability
        from entrepot.relocation.doctor import check_locations

        self.require_instance()  # a diagnosis creates nothing: not in an empty folder
        checks = check_store(self.home_store)
        database = check_database(self.engine)
        checks.append(database)
        if database.ok:
            checks += check_locations(session_factory(self.engine), self.home_store.url)
        checks.append(check_folder("cache folder", self.settings.cache_dir))
        warning = durability(detected_platform(), remote=self.settings.store_is_remote)
        return [*checks, warning] if warning is not None else checks

    def catalog_copy(self, to: str, *, batch_size: int = 500) -> CatalogCopy:
        """A copy of this catalog into the database at ``to`` (``entrepot db copy``)."""
        from entrepot.catalog.copy.service import CatalogCopy
        from entrepot.catalog.engine import make_engine

        self.check_migrated()  # the source: this instance, at the code's revision
        target = make_engine(to, create_folder=False)
        return CatalogCopy(self.engine, target, batch_size=batch_size)

    def check_migrated(self) -> None:
        """Raise :class:`~entrepot.errors.NotMigrated` unless the catalog schema is at the
        code's revision; checked once per App."""
        if not self._migrated:
            from entrepot.catalog.migrate import ensure_migrated

            self.require_instance()
            ensure_migrated(self.engine)
            self._migrated = True

    @cached_property
    def listings(self) -> Listings:
        """``users list`` and ``models ls``: one Core query each, no ORM (ADR 0030)."""
        from entrepot.services.listings import Listings

        return Listings(lambda: self.listed, lambda user: self.accounts.find(user).id)

    def listing(self, prefix: str, *, recursive: bool = False) -> Listing:
        """``entrepot ls``: the folders and objects under ``prefix``, or the one object it
        names exactly (a store read only: no catalog, no ORM, for a fast start)."""
        from entrepot.storage.ls import listing

        return listing(self.store, prefix, recursive=recursive)

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
        configured SQLite catalog does not exist: a read, a listing or a diagnosis never
        creates an instance (relative defaults, ``./var``, run from another folder would
        make a new, empty one). Only ``db upgrade``, ``serve`` and ``demo`` create one."""
        from entrepot.catalog.engine import sqlite_file
        from entrepot.errors import NotMigrated

        path = sqlite_file(self.engine.url)
        if path is None or path.exists():
            return
        raise NotMigrated(
            f"no Entrepôt instance here: its catalog {path.resolve()} does not exist "
            f"(working folder {Path.cwd()})",
            hint="run the command in the instance's folder (the one holding var/), or point "
            "ENTREPOT_DATABASE_URL and ENTREPOT_STORE_URL at it; `entrepot db upgrade` "
            "creates a new instance here",
        )

    @cached_property
    def uow(self) -> UnitOfWorkFactory:
        """A factory of units of work on the migrated catalog; inside a running job, each
        commit first checks the job is still its worker's (``jobs/guard.py``)."""
        from entrepot.jobs.guard import guarded_factory

        self.check_migrated()
        return guarded_factory(self.engine)

    @staticmethod
    def check_port(host: str, port: int) -> None:
        """Refuse (``PortInUse``, naming a free port) a ``host:port`` a server cannot bind."""
        from entrepot.services.listen import check_port

        check_port(host, port)

    def migrate(self) -> str:
        """Bring the catalog schema to the latest revision; returns it."""
        from entrepot.catalog.migrate import upgrade

        revision = upgrade(self.engine)
        self._migrated = True
        return revision

    def migrate_if_behind(self) -> None:
        """Migrate the catalog only when it is not at the latest revision (a cheap check:
        Alembic is loaded only to migrate)."""
        from entrepot.catalog.migrate import current, head

        if current(self.engine) != head():
            self.migrate()
        self._migrated = True

    # -- services ------------------------------------------------------------------------

    @cached_property
    def objects(self) -> ObjectService:
        """Cataloged object writes and reads (the write protocol)."""
        from entrepot.services.objects import ObjectService

        return ObjectService(self.store, self.uow, signer=self.raw_store)

    @cached_property
    def registry(self) -> Registry:
        """The shared model registry (a user's registry: ``registry.for_owner(id)``).

        Writes, deletes and verification go to the store itself; reads are served through
        the cache, whose entries are verified against the catalog's sha256."""
        from entrepot.registry.service import Registry

        return Registry(
            self.raw_store,
            self.cache,
            self.uow,
            secret=self.secret_key,
            actor=self.actor,
            reads=self.reads,
            keys=self.key_ring,
        )

    def import_tree(
        self,
        root: Path,
        *,
        domain: str = "imported",
        untrusted: bool = False,
        activate: bool = False,
        dry_run: bool = False,
        on_result: Callable[[ImportResult], None] | None = None,
    ) -> list[ImportResult]:
        """``entrepot models import-tree``: every model folder under ``root`` into the
        shared registry as a reference (``registry/import_tree.py``)."""
        from entrepot.registry.import_tree import import_tree

        return import_tree(
            self.registry,
            root,
            domain=domain,
            untrusted=untrusted,
            activate=activate,
            dry_run=dry_run,
            on_result=on_result,
        )

    def bucket(self) -> Buckets:
        """The configured store's bucket (``entrepot bucket create|exists``); a store that is
        not in a bucket is a :class:`ConfigError` saying how to configure one."""
        from entrepot.errors import ConfigError
        from entrepot.storage.protocols import Buckets

        store = self.home_store
        if not isinstance(store, Buckets):
            raise ConfigError(
                f"the store {store.url} is not in a bucket",
                hint="set ENTREPOT_STORE_URL=s3://bucket/prefix "
                "(ENTREPOT_S3_ENDPOINT_URL for MinIO)",
            )
        return store

    def iam_policy(self, url: str | None = None, *, read_only: bool = False) -> dict[str, Any]:
        """``entrepot iam-policy``: the least-privilege AWS policy for the store at ``url``
        (default: the configured one); no instance needed."""
        from entrepot.relocation.iam import policy_for_url

        return policy_for_url(url or self.settings.store_url, read_only=read_only)

    def models_of(self, user: str | None) -> Registry:
        """The shared registry, or the models of the account ``user`` names (email or id):
        an unknown account is an error, never a new namespace."""
        if user is None:
            return self.registry
        return self.registry.for_owner(str(self.accounts.find(user).id))

    @cached_property
    def key_ring(self) -> KeyRingService:
        """The keys that sign model versions, kept in the catalog wrapped with the instance
        secret (``entrepot secrets``, ADR 0035)."""
        from entrepot.registry.keys import KeyRingService

        self.check_migrated()
        return KeyRingService(self.uow, self.secret_key)

    @cached_property
    def licences(self) -> LicenceService:
        """Licences: plans, trials, quotas."""
        from entrepot.accounts.licences import LicenceService

        return LicenceService(self.uow)

    @cached_property
    def accounts(self) -> AccountService:
        """Accounts and API tokens (``entrepot users``, and the web service's): no ML
        library is loaded to reach them."""
        from entrepot.accounts.service import AccountService

        return AccountService(self.uow, self.licences, reads=self.reads)

    @cached_property
    def admin(self) -> AdminService:
        """What administrators do (the site's admin pages, ``entrepot users``)."""
        from entrepot.accounts.admin import AdminService

        return AdminService(self.uow)

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
    def city(self) -> CityService:
        """The city app's use cases over this store and catalog; its metrics go to
        ``ENTREPOT_METRICS_URL``, or to the catalog database when unset."""
        from entrepot.city_service.service import CityService

        return CityService(
            self._city_runtime, lambda: self.job_system().city, lambda: self.listed, self._feed_urls
        )

    def job_system(self, options: JobOptions | None = None) -> JobSystem:
        """The instance's job system (both queues, one runner), built on first call with
        ``options`` (default: from the settings); later calls return the same one."""
        from entrepot.bootstrap.jobs import JobOptions, build_job_system

        if self._jobs is None:
            options = options or JobOptions.from_settings(self.settings)
            self._jobs = build_job_system(options, self.uow, self._job_handlers())
        elif options is not None and options != self._jobs.options:
            raise ValueError("this app's job system is already built with other options")
        return self._jobs

    def _job_handlers(self) -> dict[str, Handler]:
        """Every kind of job and its handler. A fraud job's handler is looked up when such
        a job runs, so a worker that only runs city units never loads the ML stack."""
        from entrepot.bootstrap.jobs import city_handlers
        from entrepot.fraud_service.job_kinds import FRAUD_JOB_KINDS

        def fraud_job(kind: str) -> Handler:
            return lambda job, progress: self.fraud().handlers()[kind](job, progress)

        return city_handlers(self._city_runtime) | {k: fraud_job(k) for k in FRAUD_JOB_KINDS}

    def _city_runtime(self) -> CityRuntime:
        from entrepot.city.runtime import CityRuntime

        if self._runtime is None:
            self._runtime = CityRuntime(
                self.store,
                engine=self.engine,
                metrics_url=getattr(self.settings, "metrics_url", None),
                scan_threads=self.settings.city_scan_threads,
            )
        return self._runtime

    def _feed_urls(self) -> FeedUrls:
        from entrepot.city.collect.feeds import FeedUrls

        s = self.settings
        return FeedUrls(
            s.city_velib_url,
            s.city_weather_url,
            s.city_portal_url,
            tuple(s.outbound_allowed_hosts),
        )

    def fraud(self, options: ServiceOptions | None = None) -> FraudServices:
        """The fraud web service's services over this app, built on first call with
        ``options`` (default: from the settings); later calls return the same services."""
        from entrepot.bootstrap.fraud import build_services, service_options
        from entrepot.bootstrap.jobs import JobOptions

        if self._fraud is None:
            options = options or service_options(self.settings, secret_key=self.secret_key)
            job_system = self.job_system(JobOptions.of_service(options))
            self._fraud = build_services(
                options,
                uow=self.uow,
                store=self.raw_store,
                registry=self.registry,
                library=self.reference_library,
                objects=self.objects,
                licences=self.licences,
                accounts=self.accounts,
                admin=self.admin,
                job_system=job_system,
            )
        elif options is not None and options != self._fraud.options:
            raise ValueError("this app's fraud services are already built with other options")
        return self._fraud


def bootstrap(
    settings: Settings | None = None, *, store: Store | None = None, engine: Engine | None = None
) -> App:
    """Wire an :class:`App`; ``store`` and ``engine`` replace the configured ones (tests).
    Without ``settings``, the environment's are read when first needed."""
    return App(settings, store, engine)
