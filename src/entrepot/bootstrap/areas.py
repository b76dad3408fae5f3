"""The App's areas that are no service of their own: the catalog (schema, copies,
listings), health (the diagnosis, ``/health``'s checks, what ``serve`` says it serves) and
operations (what an operator runs on an instance: gc and verify, the cache, the bucket, the
signing keys, imported models, job workers). Each is built by
:class:`~entrepot.bootstrap.app.App` over its private parts; a door makes one call into
one of them and renders the facts it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot.bootstrap.parts import Parts
from entrepot.catalog.reads import shared_reads
from entrepot.messages import N_, Message
from entrepot.services.objects import ObjectService

if TYPE_CHECKING:
    from entrepot.bootstrap.jobs import JobSystem
    from entrepot.catalog.copy.service import CatalogCopy
    from entrepot.catalog.objects.records import ObjectRecord
    from entrepot.health import BoundedChecks, Check
    from entrepot.jobs.worker import Worker
    from entrepot.registry.keys import KeyRingService
    from entrepot.registry.records import ImportResult
    from entrepot.registry.service import Registry
    from entrepot.registry.vouch import Resigned
    from entrepot.services.listings import Listings
    from entrepot.services.maintenance import Maintenance
    from entrepot.services.records import ObjectHead
    from entrepot.storage.cache import CacheStats
    from entrepot.storage.protocols import Buckets
    from entrepot.storage.types import Listing, ObjectInfo, PutSource


class Objects(ObjectService):
    """Cataloged object writes and reads (the write protocol), and the store's own
    listings (``entrepot ls``: a store read only, no catalog, no ORM, for a fast start).
    ``ready`` refuses an empty folder that holds no instance (never "0 objects")."""

    def __init__(self, parts: Parts) -> None:
        super().__init__(parts.store, lambda: parts.uow(), signer=parts.raw_store)
        self._listed = parts.store
        self._ready = parts.require_store
        self._parts = parts

    @property
    def store_url(self) -> str:
        """Where the objects are."""
        return self._listed.url

    def listing(self, prefix: str, *, recursive: bool = False) -> Listing:
        """The folders and objects under ``prefix``, or the one object it names exactly."""
        from entrepot.storage.ls import listing

        self._ready()
        return listing(self._listed, prefix, recursive=recursive)

    def keys(self, prefix: str) -> list[ObjectInfo]:
        """Every object under ``prefix``, as the store lists them."""
        return list(self._listed.list(prefix))

    def head(self, key: str) -> ObjectHead:
        self._ready()
        return super().head(key)

    def put(
        self,
        key: str,
        data: PutSource,
        *,
        owner: str | None,
        kind: str,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectRecord:
        """As ``ObjectService.put``, once the catalog is known to be migrated: an
        unmigrated catalog is refused before a byte reaches the store."""
        _ = self._parts.uow  # checks the schema's revision (once per process)
        return super().put(
            key, data, owner=owner, kind=kind, content_type=content_type, metadata=metadata
        )


class Catalog:
    """The catalog as a whole: its schema, its copies, the command line's listings."""

    def __init__(self, parts: Parts, account_id: Callable[[str], int]) -> None:
        self._parts = parts
        self._account_id = account_id

    def migrate(self) -> str:
        """Bring the schema to the latest revision (creating a new instance's catalog);
        returns it."""
        return self._parts.migrate()

    def check_migrated(self) -> None:
        """Raise :class:`~entrepot.errors.NotMigrated` unless the schema is at the code's
        revision (and the instance exists)."""
        self._parts.check_migrated()

    def shared_reads(self) -> AbstractContextManager[None]:
        """A block whose catalog reads (in its context) share one connection: a hot read
        route's token check and work (ADR 0095)."""
        return shared_reads()

    def require_instance(self) -> None:
        """Raise :class:`~entrepot.errors.NotMigrated` ("no Entrepôt instance here") when
        the configured catalog does not exist."""
        self._parts.require_instance()

    def copy_to(self, to: str, *, batch_size: int = 500) -> CatalogCopy:
        """A copy of this catalog into the database at ``to`` (``entrepot db copy``)."""
        from entrepot.catalog.copy.service import CatalogCopy
        from entrepot.catalog.engine import make_engine

        self._parts.check_migrated()  # the source: this instance, at the code's revision
        target = make_engine(to, create_folder=False)
        return CatalogCopy(self._parts.engine, target, batch_size=batch_size)

    @cached_property
    def listings(self) -> Listings:
        """``users list`` and ``models ls``: one Core query each, no ORM (ADR 0030)."""
        from entrepot.services.listings import Listings

        return Listings(lambda: self._parts.reads(), self._account_id)


@dataclass(frozen=True, slots=True)
class Served:
    """What a server says it serves on: the store, the catalog (its URL, masked) and where
    the jobs go."""

    store: str
    catalog: str
    jobs: str


@dataclass(frozen=True, slots=True)
class ServiceHealth:
    """``/health``'s answer: whether the service works (the damage register, a warning,
    never decides it) and each check."""

    ok: bool
    checks: list[Check]


class Health:
    """Whether each part of the instance works: ``entrepot doctor``, ``/health``."""

    def __init__(self, parts: Parts, job_system: Callable[[], JobSystem]) -> None:
        self._parts = parts
        self._job_system = job_system

    def doctor(self) -> list[Check]:
        """A round trip through every configured part: the store (put, get, list, delete),
        the catalog, where the catalog places objects, the cache folder, whether a local
        store will outlive its container, and the scheduler and the training's GPU when the
        settings name them (``entrepot doctor``)."""
        from entrepot.bootstrap.doctor import diagnose

        parts = self._parts
        parts.require_instance()  # a diagnosis creates nothing: not in an empty folder
        s = parts.settings
        checks = diagnose(parts.home_store, parts.engine, s.cache.dir, remote=s.store.is_remote)
        if s.jobs.dask_url is not None:
            from entrepot.bootstrap.scheduler_health import check_scheduler

            checks.append(check_scheduler(s.jobs.dask_url))
        if s.fraud.training_device != "cpu":
            from entrepot.bootstrap.doctor import check_training_device

            checks.append(check_training_device(s.fraud.training_device))
        return checks

    def service(self, bounded: BoundedChecks, *, detailed: bool) -> ServiceHealth:
        """``/health``'s checks, each within ``bounded``'s timeout: the catalog, a real
        write, read and delete of the store, the job queue; with ``detailed``, the damage
        register too (a warning, never a failure)."""
        from entrepot.health import (
            check_damage,
            check_database,
            check_job_queue,
            check_store_roundtrip,
        )

        parts = self._parts
        queue = self._job_system().queue
        checks = [
            bounded.run("database", lambda: check_database(parts.engine)),
            bounded.run("store", lambda: check_store_roundtrip(parts.raw_store)),
            bounded.run("job queue", lambda: check_job_queue(queue.description, queue.pending)),
        ]
        dask_url = parts.settings.jobs.dask_url
        if dask_url is not None:
            from entrepot.bootstrap.scheduler_health import check_scheduler

            checks.append(bounded.run("dask scheduler", lambda: check_scheduler(dask_url)))
        ok = all(c.ok for c in checks)
        if detailed:
            checks.append(bounded.run("integrity", lambda: check_damage(parts.uow)))
        return ServiceHealth(ok, checks)

    def served(self) -> Served:
        """What a server started now serves on."""
        from entrepot.catalog.engine import masked

        parts = self._parts
        return Served(
            parts.raw_store.url,
            masked(parts.settings.catalog.url),
            self._job_system().queue.description,
        )


class Operations:
    """What an operator runs on an instance."""

    def __init__(
        self,
        parts: Parts,
        registry: Callable[[], Registry],
        account_id: Callable[[str], int],
        job_system: Callable[[], JobSystem],
        keys: Callable[[], KeyRingService],
    ) -> None:
        self._parts = parts
        self._registry = registry
        self._account_id = account_id
        self._job_system = job_system
        self._keys = keys

    @cached_property
    def maintenance(self) -> Maintenance:
        """``entrepot gc`` and ``entrepot verify``: over the configured store (gc), the
        located store (verify, repair), the catalog, the cache and the temporary areas."""
        from entrepot.services.maintenance import Maintenance

        parts = self._parts
        return Maintenance(
            parts.home_store,
            parts.raw_store,
            parts.uow,
            prefixes=parts.settings.store.managed_prefixes,
            temp_areas=parts.temp_areas,
            cache=parts.cache,
        )

    def cache_info(self) -> CacheStats:
        """The read-through cache's folder, size and entries (``entrepot cache info``)."""
        return self._parts.cache.info()

    def clear_cache(self) -> int:
        """Empty the cache; returns how many entries were removed."""
        return self._parts.cache.clear()

    def bucket(self) -> Buckets:
        """The configured store's bucket (``entrepot bucket create|exists``); a store that
        is not in a bucket is a :class:`ConfigError` saying how to configure one."""
        from entrepot.errors import ConfigError
        from entrepot.storage.protocols import Buckets

        store = self._parts.home_store
        if not isinstance(store, Buckets):
            raise ConfigError(
                f"the store {store.url} is not in a bucket",
                hint="set ENTREPOT_STORE_URL=s3://bucket/prefix "
                "(ENTREPOT_S3_ENDPOINT_URL for MinIO)",
                said=Message(N_("error.config.no_bucket"), {"store": store.url}),
            )
        return store

    @property
    def store_url(self) -> str:
        """The configured store's URL."""
        return self._parts.home_store.url

    def store_names(self) -> set[str]:
        """Every way the configured store is written: its setting, as given and as a folder
        resolved, and the opened store's URL if it is open (never opened here: an error
        page calls this). What an answer to a client never shows."""
        url = str(self._parts.settings.store.url or "")
        names = {url, url.rstrip("/")}
        if url and "://" not in url:
            names.add(str(Path(url).resolve()))
        opened = vars(self._parts).get("home_store")
        if opened is not None:
            names.add(str(getattr(opened, "url", "")))
        return {name for name in names if name}

    def iam_policy(self, url: str | None = None, *, read_only: bool = False) -> dict[str, Any]:
        """``entrepot iam-policy``: the least-privilege AWS policy for the store at ``url``
        (default: the configured one); no instance needed."""
        from entrepot.relocation.iam import policy_for_url

        return policy_for_url(url or self._parts.settings.store.url, read_only=read_only)

    @staticmethod
    def check_port(host: str, port: int) -> None:
        """Refuse (``PortInUse``, naming a free port) a ``host:port`` a server cannot bind."""
        from entrepot.services.listen import check_port

        check_port(host, port)

    def ensure_secret(self) -> None:
        """Make the instance secret now if it has none (before several processes need it)."""
        _ = self._parts.secret_key

    @property
    def keys(self) -> KeyRingService:
        """The keys that sign model versions, kept in the catalog wrapped with the instance
        secret (``entrepot secrets``, ADR 0035)."""
        return self._keys()

    def models_of(self, user: str | None) -> Registry:
        """The shared registry, or the models of the account ``user`` names (email or id):
        an unknown account is an error, never a new namespace."""
        registry = self._registry()
        if user is None:
            return registry
        return registry.for_owner(str(self._account_id(user)))

    def import_tree(
        self,
        root: Path,
        *,
        domain: str = "imported",
        untrusted: bool = False,
        trusted_by: str | None = None,
        activate: bool = False,
        dry_run: bool = False,
        on_result: Callable[[ImportResult], None] | None = None,
    ) -> list[ImportResult]:
        """``entrepot models import-tree``: every model folder under ``root`` into the
        shared registry as a reference (``registry/import_tree.py``); ``trusted_by``: the
        operator who vouches for their pickles (``registry/vouch.py``)."""
        from entrepot.registry.import_tree import import_tree
        from entrepot.registry.vouch import Vouch

        trust = None if trusted_by is None else Vouch(trusted_by, datetime.now(UTC))
        return import_tree(
            self._registry(),
            root,
            domain=domain,
            untrusted=untrusted,
            trust=trust,
            activate=activate,
            dry_run=dry_run,
            on_result=on_result,
        )

    def resign(self, ref: str, *, by: str, user: str | None = None) -> Resigned:
        """``entrepot models resign NAME@VERSION``: the operator ``by`` vouches for a
        version's files, which become a signed version (``registry/vouch.py``)."""
        from entrepot.registry.vouch import Vouch, resign

        return resign(self.models_of(user), ref, Vouch(by, datetime.now(UTC)))

    def worker(self, threads: int | None = None, *, queues: str = "all") -> Worker:
        """A job worker (not started) on ``queues`` (``all``, ``fraud`` or ``city``)."""
        return self._job_system().worker(threads, queues=queues)

    def worker_place(self, queues: str = "all") -> tuple[str, str]:
        """This process's worker name and where its jobs come from."""
        system = self._job_system()
        return system.runner.worker, system.describe(queues)
