"""The application: every service an entrypoint needs, over the instance's parts
(:class:`~entrepot.bootstrap.parts.Parts`: settings, stores, catalog), each built on first
use. This is the composition root: nothing below imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot.bootstrap.parts import Parts
from entrepot.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.accounts.admin import AdminService
    from entrepot.accounts.licences import LicenceService
    from entrepot.accounts.service import AccountService
    from entrepot.bootstrap.fraud import FraudServices
    from entrepot.bootstrap.jobs import JobOptions, JobSystem
    from entrepot.catalog.copy.service import CatalogCopy
    from entrepot.city.collect.feeds import FeedUrls
    from entrepot.city.runtime import CityRuntime
    from entrepot.city_service.service import CityService
    from entrepot.fraud.library.registry import RegistryLibrary
    from entrepot.fraud_service.options import ServiceOptions
    from entrepot.health import Check
    from entrepot.jobs.runner import Handler
    from entrepot.jobs.service import JobService
    from entrepot.registry.keys import KeyRingService
    from entrepot.registry.records import ImportResult
    from entrepot.registry.service import Registry
    from entrepot.relocation import StoreMigrations
    from entrepot.services.listings import Listings
    from entrepot.services.maintenance import Maintenance
    from entrepot.services.objects import ObjectService
    from entrepot.storage.protocols import Buckets, Store
    from entrepot.storage.types import Listing


@dataclass
class App(Parts):
    """Everything an entrypoint needs: the instance's parts and one service per area
    (objects, registry, accounts, admin, licences, jobs, fraud, city, relocation,
    maintenance, listings, catalog copy, health), each built on first use. It is the one
    container: the HTTP entrypoints hold it too (``app.state.entrepot``)."""

    _fraud: FraudServices | None = field(default=None, repr=False)
    _jobs: JobSystem | None = field(default=None, repr=False)
    _runtime: CityRuntime | None = field(default=None, repr=False)

    @cached_property
    def relocation(self) -> StoreMigrations:
        """Moving this installation's objects to another store (``entrepot move``)."""
        from entrepot.relocation import StoreMigrations

        return StoreMigrations(self.raw_store, self.open_store, self.uow, actor=self.actor)

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
        from entrepot.bootstrap.doctor import diagnose

        self.require_instance()  # a diagnosis creates nothing: not in an empty folder
        s = self.settings
        return diagnose(self.home_store, self.engine, s.cache_dir, remote=s.store_is_remote)

    def catalog_copy(self, to: str, *, batch_size: int = 500) -> CatalogCopy:
        """A copy of this catalog into the database at ``to`` (``entrepot db copy``)."""
        from entrepot.catalog.copy.service import CatalogCopy
        from entrepot.catalog.engine import make_engine

        self.check_migrated()  # the source: this instance, at the code's revision
        target = make_engine(to, create_folder=False)
        return CatalogCopy(self.engine, target, batch_size=batch_size)

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

    @staticmethod
    def check_port(host: str, port: int) -> None:
        """Refuse (``PortInUse``, naming a free port) a ``host:port`` a server cannot bind."""
        from entrepot.services.listen import check_port

        check_port(host, port)

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

    @property
    def jobs(self) -> JobService:
        """Record, send and follow jobs (the job system's, built on first use)."""
        return self.job_system().jobs

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
                metrics_url=self.settings.metrics_url,
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
            s.outbound_hosts.of("feeds"),
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
