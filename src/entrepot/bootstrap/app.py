"""The application: one object per area an entrypoint calls (objects, registry, accounts,
admin, relocation, catalog, jobs, health, operations, fraud, city) and the settings, each
built on first use over the instance's parts (:class:`~entrepot.bootstrap.parts.Parts`:
stores, cache, catalog), which stay private to it. This is the composition root: nothing
below imports it, and a door reaches nothing but an area (``tests/unit/test_app_areas.py``).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from entrepot.bootstrap.areas import Catalog, Health, Objects, Operations
from entrepot.bootstrap.parts import Parts
from entrepot.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.accounts.admin import AdminService
    from entrepot.accounts.licences import LicenceService
    from entrepot.accounts.service import AccountService
    from entrepot.bootstrap.fraud import FraudServices
    from entrepot.bootstrap.jobs import JobOptions, JobSystem
    from entrepot.city.collect.feeds import FeedUrls
    from entrepot.city_service.service import CityService
    from entrepot.fraud.library.registry import RegistryLibrary
    from entrepot.fraud_service.options import ServiceOptions
    from entrepot.jobs.runner import Handler
    from entrepot.jobs.service import JobService
    from entrepot.registry.keys import KeyRingService
    from entrepot.registry.service import Registry
    from entrepot.relocation import StoreMigrations
    from entrepot.storage.protocols import Store

#: The App's public names: its areas and the settings (``tests/unit/test_app_areas.py``).
AREAS = frozenset(
    {
        "settings",
        "objects",
        "registry",
        "accounts",
        "admin",
        "relocation",
        "catalog",
        "jobs",
        "health",
        "operations",
        "fraud",
        "city",
    }
)


class App:
    """Everything an entrypoint needs, one area each, built on first use over the
    instance's parts (built from ``settings``, or the environment's; ``store`` and
    ``engine`` replace the configured ones: tests). It is the one container: the HTTP
    entrypoints hold it too (``app.state.entrepot``)."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: Store | None = None,
        engine: Engine | None = None,
    ) -> None:
        self._parts = Parts(settings, store, engine)
        self._fraud: FraudServices | None = None
        self._jobs: JobSystem | None = None

    @property
    def settings(self) -> Settings:
        """The settings the instance runs with (``entrepot config show`` prints them)."""
        return self._parts.settings

    @cached_property
    def catalog(self) -> Catalog:
        """The catalog as a whole: its schema (``db upgrade``), copies (``db copy``), the
        command line's listings."""
        return Catalog(self._parts, self._account_id)

    @cached_property
    def health(self) -> Health:
        """``entrepot doctor``, ``/health``, what ``serve`` says it serves on."""
        return Health(self._parts, self._job_system)

    @cached_property
    def operations(self) -> Operations:
        """What an operator runs on the instance: gc and verify, the cache, the bucket, the
        signing keys, an account's models, imported models, job workers."""
        return Operations(
            self._parts,
            lambda: self.registry,
            self._account_id,
            self._job_system,
            lambda: self._key_ring,
        )

    @cached_property
    def _key_ring(self) -> KeyRingService:
        """The keys that sign model versions, kept in the catalog wrapped with the instance
        secret (``entrepot secrets``, ADR 0035)."""
        from entrepot.registry.keys import KeyRingService

        self._parts.check_migrated()
        return KeyRingService(self._parts.uow, self._parts.secret_key)

    def _account_id(self, user: str) -> int:
        return self.accounts.find(user).id

    @cached_property
    def relocation(self) -> StoreMigrations:
        """Moving this installation's objects to another store (``entrepot move``)."""
        from entrepot.relocation import StoreMigrations

        return StoreMigrations(
            self._parts.raw_store, self._parts.open_store, self._parts.uow, actor=self._parts.actor
        )

    @cached_property
    def objects(self) -> Objects:
        """Cataloged object writes and reads (the write protocol), and the store's
        listings."""
        return Objects(self._parts)

    @cached_property
    def registry(self) -> Registry:
        """The shared model registry (a user's registry: ``registry.for_owner(id)``).

        Writes, deletes and verification go to the store itself; reads are served through
        the cache, whose entries are verified against the catalog's sha256."""
        from entrepot.registry.service import Registry

        return Registry(
            self._parts.raw_store,
            self._parts.cache,
            self._parts.uow,
            secret=self._parts.secret_key,
            actor=self._parts.actor,
            reads=self._parts.reads,
            keys=self._key_ring,
        )

    @cached_property
    def _licences(self) -> LicenceService:
        """Licences: plans, trials, quotas."""
        from entrepot.accounts.licences import LicenceService

        return LicenceService(self._parts.uow)

    @cached_property
    def accounts(self) -> AccountService:
        """Accounts and API tokens (``entrepot users``, and the web service's): no ML
        library is loaded to reach them."""
        from entrepot.accounts.service import AccountService

        return AccountService(self._parts.uow, self._licences, reads=self._parts.reads)

    @cached_property
    def admin(self) -> AdminService:
        """What administrators do (the site's admin pages, ``entrepot users``)."""
        from entrepot.accounts.admin import AdminService

        return AdminService(self._parts.uow)

    @cached_property
    def _reference_library(self) -> RegistryLibrary:
        """The fraud engine's reference models, kept in the registry; each built once
        by whichever builder holds its lease in the catalog (ADR 0092)."""
        from entrepot.catalog.leases.service import Leases
        from entrepot.fraud.library.registry import RegistryLibrary

        return RegistryLibrary(self.registry, Leases(self._parts.uow, prefix="fraud-reference:"))

    @cached_property
    def city(self) -> CityService:
        """The city app's use cases over this store and catalog; its metrics go to
        ``ENTREPOT_METRICS_URL``, or to the catalog database when unset."""
        from entrepot.bootstrap.city_workers import city_over, city_spread

        return city_over(
            self._parts,
            jobs=lambda: self._job_system().city,
            feed_urls=self._feed_urls,
            spread=city_spread(self.settings),
        )

    def _job_system(self, options: JobOptions | None = None) -> JobSystem:
        """The instance's job system (both queues, one runner), built on first call with
        ``options`` (default: from the settings); later calls return the same one."""
        from entrepot.bootstrap.jobs import JobOptions, build_job_system

        if self._jobs is None:
            options = options or JobOptions.from_settings(self.settings)
            self._jobs = build_job_system(options, self._parts.uow, self._job_handlers())
        elif options is not None and options != self._jobs.options:
            raise ValueError("this app's job system is already built with other options")
        return self._jobs

    @property
    def jobs(self) -> JobService:
        """Record, send and follow jobs (the job system's, built on first use)."""
        return self._job_system().jobs

    def _job_handlers(self) -> dict[str, Handler]:
        """Every kind of job and its handler. A fraud job's handler is looked up when such
        a job runs, so a worker that only runs city units never loads the ML stack."""
        from entrepot.bootstrap.jobs import city_handlers
        from entrepot.fraud_service.job_kinds import FRAUD_JOB_KINDS

        def fraud_job(kind: str) -> Handler:
            return lambda job, progress: self.fraud().handlers()[kind](job, progress)

        return city_handlers(lambda: self.city) | {k: fraud_job(k) for k in FRAUD_JOB_KINDS}

    def _feed_urls(self) -> FeedUrls:
        from entrepot.city.collect.feeds import FeedUrls

        s = self.settings
        return FeedUrls(
            s.city.velib_url,
            s.city.weather_url,
            s.city.portal_url,
            s.outbound_hosts.of("feeds"),
        )

    def fraud(self, options: ServiceOptions | None = None) -> FraudServices:
        """The fraud web service's services over this app, built on first call with
        ``options`` (default: from the settings); later calls return the same services."""
        if self._fraud is None:  # built once: later calls (one per request) import nothing
            from entrepot.bootstrap.fraud import build_services, service_options
            from entrepot.bootstrap.jobs import JobOptions

            options = options or service_options(self.settings, secret_key=self._parts.secret_key)
            job_system = self._job_system(JobOptions.of_service(options))
            self._fraud = build_services(
                options,
                uow=self._parts.uow,
                store=self._parts.raw_store,
                registry=self.registry,
                library=self._reference_library,
                objects=self.objects,
                licences=self._licences,
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
