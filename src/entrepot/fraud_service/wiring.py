"""Compose the fraud service from an application's parts: the one place that builds the
services, the job queue, the runner and its handlers (for ``entrepot serve`` and
``entrepot worker`` alike)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import Engine

from entrepot.accounts.admin import AdminService
from entrepot.accounts.licences import TRAINING_KIND, LicenceService
from entrepot.accounts.service import AccountService
from entrepot.catalog.uow import UnitOfWorkFactory, unit_of_work_factory
from entrepot.fraud.library.registry import RegistryLibrary
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.predictions import PredictionService
from entrepot.fraud_service.reference_job import ReferenceBuilder
from entrepot.fraud_service.scoring import APPLY_KIND, BUILD_KIND, PREDICT_KIND, ScoringService
from entrepot.fraud_service.training import TrainingService
from entrepot.fraud_service.user_models import ModelService
from entrepot.fraud_service.users import UserDeletion
from entrepot.fraud_service.workspace import Workspace, open_workspace
from entrepot.jobs.queue import JobQueue
from entrepot.jobs.runner import Handler, JobRunner
from entrepot.jobs.service import JobService
from entrepot.jobs.worker import Worker
from entrepot.registry.service import Registry
from entrepot.services.objects import ObjectService
from entrepot.storage.protocols import Store


class AppParts(Protocol):
    """What the composition needs of an :class:`entrepot.bootstrap.App`."""

    @property
    def raw_store(self) -> Store: ...

    @property
    def store(self) -> Store: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def uow(self) -> UnitOfWorkFactory: ...

    @property
    def registry(self) -> Registry: ...


def worker_name() -> str:
    """``host:pid``: names the process that runs a job."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class FraudServices:
    """Every service of the fraud web service, wired."""

    options: ServiceOptions
    uow: UnitOfWorkFactory
    #: The store itself (writes go there; users reach it through their workspace).
    store: Store
    registry: Registry
    accounts: AccountService
    licences: LicenceService
    admin: AdminService
    jobs: JobService
    queue: JobQueue
    runner: JobRunner
    datasets: DatasetService
    training: TrainingService
    scoring: ScoringService
    models: ModelService
    predictions: PredictionService
    references: ReferenceBuilder
    deletion: UserDeletion
    library: RegistryLibrary

    def workspace(self, user_id: int) -> Workspace:
        """The workspace of ``user_id``."""
        return open_workspace(user_id, self.store, self.registry)

    def worker(self, threads: int | None = None) -> Worker:
        """A worker on this queue (not started)."""
        return Worker(
            self.queue,
            self.uow,
            threads=threads or self.options.worker_threads,
            stale_after=timedelta(seconds=self.options.stale_after_seconds),
            reap_every=max(1.0, self.options.stale_after_seconds / 4),
        )


def build_services(app: AppParts, options: ServiceOptions) -> FraudServices:
    """Wire the services over ``app``'s store, cache and catalog."""
    app.uow  # noqa: B018 - checks, once, that the catalog is migrated
    uow = unit_of_work_factory(app.engine)
    registry = app.registry
    library = RegistryLibrary(registry)
    queue = JobQueue.from_url(options.jobs_url, folder=options.var_dir, name=options.jobs_name)
    jobs = JobService(uow, queue)
    licences = LicenceService(uow)
    accounts = AccountService(uow, licences)
    admin = AdminService(uow)
    store = app.raw_store

    def workspace(user_id: int) -> Workspace:
        return open_workspace(user_id, store, registry)

    datasets = DatasetService(workspace, uow, licences, options)
    training = TrainingService(workspace, uow, licences, jobs, datasets, options)
    scoring = ScoringService(workspace, uow, licences, jobs, datasets, library, options)
    references = ReferenceBuilder(library, jobs, options)
    handlers: dict[str, Handler] = {
        TRAINING_KIND: training.run,
        PREDICT_KIND: scoring.run_predict,
        APPLY_KIND: scoring.run_apply,
        BUILD_KIND: references.run,
    }
    runner = JobRunner(
        uow, handlers, worker=worker_name(), heartbeat_seconds=options.heartbeat_seconds
    )
    queue.bind(runner.run)
    return FraudServices(
        options=options,
        uow=uow,
        store=store,
        registry=registry,
        accounts=accounts,
        licences=licences,
        admin=admin,
        jobs=jobs,
        queue=queue,
        runner=runner,
        datasets=datasets,
        training=training,
        scoring=scoring,
        models=ModelService(workspace, uow, options),
        predictions=PredictionService(workspace, uow, ObjectService(app.store, app.uow)),
        references=references,
        deletion=UserDeletion(workspace, uow, admin),
        library=library,
    )
