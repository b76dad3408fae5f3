"""The fraud area (``app.fraud()``) wired from the parts :class:`~entrepot.bootstrap.app.App`
built (the store, the catalog, the registry, the licences, the job system): the one place
that builds its services and names the handler of each kind of fraud job (for ``entrepot
serve``, ``entrepot worker`` and ``entrepot users`` alike), with options read from the
settings. It takes those parts as arguments, keeps none of them, and never imports the App
back: the App is the one container."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot.accounts.admin import AdminService
from entrepot.accounts.licences import TRAINING_KIND, LicenceService
from entrepot.bootstrap.jobs import JobSystem
from entrepot.bootstrap.secret import resolve_secret
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.config import Settings
from entrepot.fraud.library.registry import RegistryLibrary
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.feedback import FeedbackService
from entrepot.fraud_service.job_payloads import APPLY_KIND, BUILD_KIND, EVALUATE_KIND, PREDICT_KIND
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.predictions import PredictionService
from entrepot.fraud_service.reference_job import ReferenceBuilder
from entrepot.fraud_service.scoring import ScoringService
from entrepot.fraud_service.training import TrainingService
from entrepot.fraud_service.user_models import ModelService
from entrepot.fraud_service.users import UserDeletion
from entrepot.fraud_service.workspace import Workspace, open_workspace
from entrepot.jobs.runner import Handler
from entrepot.registry.service import Registry
from entrepot.storage.protocols import Store

if TYPE_CHECKING:
    from entrepot.services.objects import ObjectService


@dataclass(frozen=True)
class FraudServices:
    """The fraud area's services, wired (``app.fraud()``): the shared parts they use (the
    store, the catalog, the registry, the accounts, the job system) are the App's, and
    reached there, never through this."""

    options: ServiceOptions
    datasets: DatasetService
    #: Trainings: submitted, run as jobs, or run in the caller's process (``train_file``).
    training: TrainingService
    scoring: ScoringService
    models: ModelService
    predictions: PredictionService
    references: ReferenceBuilder
    deletion: UserDeletion
    library: RegistryLibrary
    feedback: FeedbackService
    #: The workspace of a user id (its scoped store and its registry), kept for recent users.
    workspace: Callable[[int], Workspace]

    def handlers(self) -> dict[str, Handler]:
        """The handler of each kind of fraud job."""
        return {
            TRAINING_KIND: self.training.run,
            PREDICT_KIND: self.scoring.run_predict,
            APPLY_KIND: self.scoring.run_apply,
            BUILD_KIND: self.references.run,
            EVALUATE_KIND: self.scoring.run_evaluate,
        }


def service_options(settings: Settings, **overrides: Any) -> ServiceOptions:
    """The fraud service's options: the settings' fraud and jobs groups (``overrides``
    replace some, by setting name or by an option's own name: tests). The secret is the
    configured one, else the instance's generated one (``secret.py``)."""
    secret = overrides.pop("secret_key", None) or resolve_secret(settings)
    own = {name: overrides.pop(name) for name in _OWN_OPTIONS & overrides.keys()}
    if overrides:
        settings = settings.with_values(**overrides)
    return ServiceOptions(
        secret_key=secret,
        var_dir=Path(settings.var_dir),
        fraud=settings.fraud,
        jobs=settings.jobs,
        **own,
    )


#: The options that are no setting (a test may replace them).
_OWN_OPTIONS = frozenset({"analysis_sample_bytes", "preview_rows", "extra"})


def build_services(
    options: ServiceOptions,
    *,
    uow: UnitOfWorkFactory,
    store: Store,
    registry: Registry,
    library: RegistryLibrary,
    objects: ObjectService,
    licences: LicenceService,
    admin: AdminService,
    job_system: JobSystem,
) -> FraudServices:
    """Wire the services over the store itself (``store``: no cache), the catalog, the
    registry and the job system the App built (call ``app.fraud()``, which builds them
    once; the App hands a fraud job to :meth:`FraudServices.handlers`)."""
    from entrepot.bootstrap.cluster import scheduler_pool, scheduler_spread

    jobs = job_system.jobs
    dask_url = options.jobs.dask_url

    # A workspace is two immutable views (the scoped store, the owner's registry): one per
    # recent user is kept rather than validated and built again at every request.
    @functools.lru_cache(maxsize=1024)
    def workspace(user_id: int) -> Workspace:
        return open_workspace(user_id, store, registry)

    datasets = DatasetService(workspace, uow, licences, options)
    predictions = PredictionService(workspace, uow, objects, temp_dir=options.temp_dir)
    training = TrainingService(
        workspace,
        uow,
        licences,
        jobs,
        datasets,
        options,
        job_system.runner,
        pools=lambda: scheduler_pool(dask_url),
    )
    return FraudServices(
        options=options,
        datasets=datasets,
        training=training,
        scoring=ScoringService(
            workspace,
            uow,
            licences,
            jobs,
            datasets,
            library,
            options,
            spread=lambda: scheduler_spread(dask_url),
        ),
        models=ModelService(workspace, uow, options),
        predictions=predictions,
        references=ReferenceBuilder(library, jobs, options),
        deletion=UserDeletion(workspace, uow, admin),
        library=library,
        feedback=FeedbackService(workspace, uow, predictions=predictions, room=training.check_room),
        workspace=workspace,
    )
