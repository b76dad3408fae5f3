"""The fraud web service wired from the parts :class:`~entrepot.bootstrap.app.App` built:
the one place that builds its services, the job queue, the runner and its handlers (for
``entrepot serve``, ``entrepot worker`` and ``entrepot users`` alike), with options read
from the settings. It takes those parts as arguments and never imports the App back."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot.accounts.admin import AdminService
from entrepot.accounts.licences import TRAINING_KIND, LicenceService
from entrepot.accounts.service import AccountService
from entrepot.bootstrap.job_wiring import bound_runner, city_handlers, open_queues
from entrepot.bootstrap.secret import resolve_secret
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.config import Settings
from entrepot.fraud.library.registry import RegistryLibrary
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.feedback import FeedbackService
from entrepot.fraud_service.file_training import FileTraining
from entrepot.fraud_service.job_payloads import APPLY_KIND, BUILD_KIND, PREDICT_KIND
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.predictions import PredictionService
from entrepot.fraud_service.reference_job import ReferenceBuilder
from entrepot.fraud_service.scoring import ScoringService
from entrepot.fraud_service.training import TrainingService
from entrepot.fraud_service.user_models import ModelService
from entrepot.fraud_service.users import UserDeletion
from entrepot.fraud_service.workspace import Workspace, open_workspace
from entrepot.jobs.queue import JobQueue
from entrepot.jobs.runner import Handler, JobRunner
from entrepot.jobs.service import JobService
from entrepot.jobs.worker import Worker
from entrepot.registry.service import Registry
from entrepot.storage.protocols import Store

if TYPE_CHECKING:
    from entrepot.city.runtime import CityRuntime
    from entrepot.services.objects import ObjectService


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
    #: The city backfill's unit jobs (``entrepot city run --jobs``), on the same backend.
    city_queue: JobQueue
    runner: JobRunner
    datasets: DatasetService
    training: TrainingService
    #: ``entrepot fraud train FILE --user``: the training service, run in the caller's process.
    file_training: FileTraining
    scoring: ScoringService
    models: ModelService
    predictions: PredictionService
    references: ReferenceBuilder
    deletion: UserDeletion
    library: RegistryLibrary
    feedback: FeedbackService

    def workspace(self, user_id: int) -> Workspace:
        """The workspace of ``user_id``."""
        return open_workspace(user_id, self.store, self.registry)

    def worker(self, threads: int | None = None, *, queues: str = "all") -> Worker:
        """A worker (not started) on ``queues``: ``all`` (trainings and scorings first, then
        city units), ``fraud`` or ``city``."""
        chosen = {
            "all": (self.queue, self.city_queue),
            "fraud": (self.queue,),
            "city": (self.city_queue,),
        }[queues]
        return Worker(
            chosen,
            self.uow,
            threads=threads or self.options.worker_threads,
            stale_after=timedelta(seconds=self.options.stale_after_seconds),
            reap_every=max(1.0, self.options.stale_after_seconds / 4),
            resend=self.jobs.resend,
            pending=self.jobs.pending,
        )


def service_options(settings: Settings, **overrides: Any) -> ServiceOptions:
    """The fraud service's options: a view of ``settings`` (``overrides`` replace some:
    tests). The secret is the configured one, else the instance's generated one
    (``secret.py``)."""
    secret = overrides.pop("secret_key", None) or resolve_secret(settings)
    options = ServiceOptions(
        secret_key=secret,
        var_dir=Path(settings.var_dir),
        jobs_url=settings.jobs_url or settings.redis_url,
        jobs_name=settings.jobs_name,
        training_budget=settings.training_budget,
        upload_limit=settings.upload_limit,
        reference_count=settings.reference_count,
        reference_rows=settings.reference_rows,
        reference_min_frauds=settings.reference_min_frauds,
        reference_budget=settings.reference_budget,
        heartbeat_seconds=settings.job_heartbeat_seconds,
        stale_after_seconds=settings.job_stale_seconds,
        worker_threads=settings.worker_threads,
    )
    return replace(options, **overrides) if overrides else options


def build_services(
    options: ServiceOptions,
    *,
    uow: UnitOfWorkFactory,
    store: Store,
    registry: Registry,
    library: RegistryLibrary,
    objects: ObjectService,
    licences: LicenceService,
    accounts: AccountService,
    admin: AdminService,
    city: Callable[[], CityRuntime],
) -> FraudServices:
    """Wire the services over the store itself (``store``: no cache), the catalog and the
    registry the App built (call ``app.fraud()``, which builds them once); ``city`` gives
    the city runtime a city unit job runs on."""
    from entrepot.city.fanout import CITY_UNIT_KIND  # pandas, DuckDB: on first use

    queue, city_queue = open_queues(
        options.jobs_url, folder=options.var_dir, jobs_name=options.jobs_name
    )
    jobs = JobService(uow, queue, routes={CITY_UNIT_KIND: city_queue})

    # A workspace is two immutable views (the scoped store, the owner's registry): one per
    # recent user is kept rather than validated and built again at every request.
    @functools.lru_cache(maxsize=1024)
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
        **city_handlers(city),
    }
    runner = bound_runner(
        uow, handlers, (queue, city_queue), heartbeat_seconds=options.heartbeat_seconds
    )
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
        city_queue=city_queue,
        runner=runner,
        datasets=datasets,
        training=training,
        file_training=FileTraining(datasets, training, jobs, runner),
        scoring=scoring,
        models=ModelService(workspace, uow, options),
        predictions=PredictionService(workspace, uow, objects, temp_dir=options.temp_dir),
        references=references,
        deletion=UserDeletion(workspace, uow, admin),
        library=library,
        feedback=FeedbackService(workspace, uow),
    )
