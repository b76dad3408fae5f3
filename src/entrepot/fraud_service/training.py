"""Training: a request becomes a job (after the licence and the model quota are checked
under the user's row lock); the job reads the dataset, trains, pushes the model folder
to the user's registry namespace."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from entrepot.accounts.licences import TRAINING_KIND, LicenceService
from entrepot.catalog.jobs.records import JobRecord
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.fraud.errors import NoTargetFound, TargetNotFound
from entrepot.fraud.library.trained import register_trained
from entrepot.fraud.tables.io import read_table
from entrepot.fraud.train.training import train
from entrepot.fraud_service.curves import CURVES_FILE, curves
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.workspace import Workspace
from entrepot.jobs.runner import Progress
from entrepot.jobs.service import JobService
from entrepot.registry.names import check_name

WorkspaceOf = Callable[[int], Workspace]


class TrainingService:
    """Submit trainings, and the job handler that runs them."""

    def __init__(
        self,
        workspace: WorkspaceOf,
        uow_factory: UnitOfWorkFactory,
        licences: LicenceService,
        jobs: JobService,
        datasets: DatasetService,
        options: ServiceOptions,
    ) -> None:
        self._workspace = workspace
        self._uow = uow_factory
        self._licences = licences
        self._jobs = jobs
        self._datasets = datasets
        self._options = options

    def submit(
        self, user_id: int, dataset_id: str, model_name: str, target: str | None = None
    ) -> JobRecord:
        """Queue the training of ``model_name`` on dataset ``dataset_id``.

        Refused at once (nothing recorded) for an unknown dataset, a bad model name, a
        target that is not a column or no detectable target, no licence, or a full quota.
        """
        check_name(model_name)
        target = (target or "").strip() or None
        with self._uow() as uow:
            dataset = uow.datasets.get(user_id, dataset_id)
            columns = [str(c.get("name")) for c in dataset.analysis.get("columns", [])]
            if target is not None and target not in columns:
                raise TargetNotFound(
                    f"dataset {dataset.name} has no column {target!r}; its columns are: "
                    + ", ".join(columns)
                )
            if target is None and dataset.target is None:
                raise NoTargetFound(
                    f"no column of {dataset.name} is clearly the fraud label",
                    hint="name the label column (target_column), or score the file with "
                    "POST /api/apply_unlabeled if it has no label",
                )
            self._licences.reserve_model(uow, user_id)
            job = self._jobs.record(
                uow,
                owner_id=user_id,
                kind=TRAINING_KIND,
                params={
                    "dataset_id": dataset.id,
                    "dataset_name": dataset.name,
                    "model_name": model_name,
                    "target": target or dataset.target,
                },
            )
            uow.commit()
        self._jobs.send(job)
        return job

    def run(self, job: JobRecord, progress: Progress) -> Mapping[str, Any]:
        """The ``train`` job handler."""
        if job.owner_id is None:
            raise ValueError("a training job needs an owner")
        params = job.params
        dataset = self._datasets.get(job.owner_id, str(params["dataset_id"]))
        budget = self._options.training_budget
        progress(0.02, "reading the dataset")
        with self._datasets.local_copy(job.owner_id, dataset) as path:
            frame = read_table(path)
        began = time.monotonic()

        def say(message: str) -> None:
            elapsed = time.monotonic() - began
            progress(0.05 + 0.85 * min(1.0, elapsed / max(budget, 1.0)), message)

        result = train(frame, str(params["target"]), time_budget=budget, progress=say)
        progress(0.92, "storing the model")
        ws = self._workspace(job.owner_id)

        def add_curves(folder: Path) -> None:
            charts = curves(result, frame)
            (folder / CURVES_FILE).write_text(json.dumps(charts), encoding="utf-8")

        version = register_trained(
            ws.registry,
            result,
            str(params["model_name"]),
            lineage={"dataset": dataset.id, "dataset_sha256": dataset.sha256, "job": job.id},
            tags={"dataset_name": dataset.name[:100]},
            extra=add_curves,
            temp_dir=self._temp(),
        )
        with self._uow() as uow:
            model_id = uow.user_models.ids(ws.owner)[(version.name, version.version)]
        return {
            "model_id": model_id,
            "model_name": version.name,
            "version": version.version,
            "metrics": dict(version.metrics),
            "warnings": list(result.performance.get("warnings", [])),
        }

    def _temp(self) -> Path:
        folder = self._options.temp_dir
        folder.mkdir(parents=True, exist_ok=True)
        return folder
