"""Scoring: with one of the user's models (``predict``) or with the reference ensemble
for unlabelled files (``apply_unlabeled``), as jobs; the scores are stored as a CSV in
the user's folder (object first, then the object and prediction rows together).

This module submits the jobs; :mod:`~entrepot.fraud_service.scoring_jobs` runs them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from entrepot.accounts.licences import LicenceService
from entrepot.catalog.jobs.records import JobRecord
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.errors import RecordNotFound
from entrepot.fraud.errors import MissingColumns, TargetNotFound
from entrepot.fraud.library.registry import RegistryLibrary
from entrepot.fraud_service import evaluating
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.job_payloads import (
    APPLY_KIND,
    EVALUATE_KIND,
    PREDICT_KIND,
    ApplyPayload,
    PredictPayload,
)
from entrepot.fraud_service.known import confirmed_rows
from entrepot.fraud_service.memory_budget import MemoryBudget
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.scoring_jobs import (
    Clock,
    ScoringJobs,
    SpreadOf,
    WorkspaceOf,
    in_process,
)
from entrepot.jobs.service import JobService
from entrepot.messages import N_, Message
from entrepot.registry.names import check_name


class ScoringService(ScoringJobs):
    """Submit scorings, and the job handlers that run them."""

    def __init__(
        self,
        workspace: WorkspaceOf,
        uow_factory: UnitOfWorkFactory,
        licences: LicenceService,
        jobs: JobService,
        datasets: DatasetService,
        library: RegistryLibrary,
        options: ServiceOptions,
        *,
        clock: Clock | None = None,
        spread: SpreadOf = in_process,
    ) -> None:
        self._workspace = workspace
        self._spread = spread
        self._uow = uow_factory
        self._licences = licences
        self._jobs = jobs
        self._datasets = datasets
        self._library = library
        self._options = options
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- submitting --------------------------------------------------------
    def submit_predict(self, user_id: int, model_id: int, dataset_id: str) -> JobRecord:
        """Queue the scoring of dataset ``dataset_id`` with the user's model ``model_id``."""
        self._licences.require(user_id)
        with self._uow() as uow:
            name, version = uow.user_models.ref(str(user_id), model_id)
            dataset = uow.datasets.get(user_id, dataset_id)
            MemoryBudget(self._options.jobs.memory_budget).check(dataset, "score")
            payload = PredictPayload(
                model_id,
                name,
                version,
                dataset.id,
                dataset.name,
                late_labels=_confirmed(uow, user_id, dataset.id),
            )
            job = self._jobs.record(
                uow, owner_id=user_id, kind=PREDICT_KIND, params=payload.to_params()
            )
            uow.commit()
        self._jobs.send(job)
        return job

    def submit_apply(
        self,
        user_id: int,
        dataset_id: str,
        model_name: str | None = None,
        history_id: str | None = None,
    ) -> JobRecord:
        """Queue the scoring of dataset ``dataset_id`` with the reference ensemble; with
        ``model_name``, the ensemble is then kept as that model of the user; with
        ``history_id``, one of the user's labelled datasets of earlier transactions of the
        same source, the members read its labels and are weighed on them."""
        self._licences.require(user_id)
        if model_name is not None:
            check_name(model_name)
        with self._uow() as uow:
            dataset = uow.datasets.get(user_id, dataset_id)
            history = None if history_id is None else uow.datasets.get(user_id, history_id)
        MemoryBudget(self._options.jobs.memory_budget).check(dataset, "score")
        if history is not None and not history.labelled:
            raise TargetNotFound(
                f"dataset {history.name} has no label column: a history gives the labels "
                "known before the scored rows",
                hint="upload earlier transactions with their label column (fraud: 0 or 1)",
                said=Message(N_("error.fraud.history_no_label"), {"dataset": history.name}),
            )
        self.require_library()
        with self._uow() as uow:
            late = _confirmed(uow, user_id, dataset.id)
        payload = ApplyPayload(
            dataset.id,
            dataset.name,
            model_name=model_name,
            late_labels=late,
            history_id=None if history is None else history.id,
        )
        with self._uow() as uow:
            if model_name is not None:
                self._licences.reserve_model(uow, user_id, model_name)
            job = self._jobs.record(
                uow, owner_id=user_id, kind=APPLY_KIND, params=payload.to_params()
            )
            uow.commit()
        self._jobs.send(job)
        return job

    def submit_evaluate(
        self, user_id: int, dataset_id: str, model_id: int | None, target: str | None = None
    ) -> JobRecord:
        """Queue the evaluation of labelled dataset ``dataset_id`` with the user's model
        ``model_id``, or with the reference ensemble (``None``)."""
        self._licences.require(user_id)
        found = evaluating.payload(self._uow, user_id, dataset_id, model_id, target)
        if model_id is None:
            self.require_library()
        with self._uow() as uow:
            job = self._jobs.record(
                uow, owner_id=user_id, kind=EVALUATE_KIND, params=found.to_params()
            )
            uow.commit()
        self._jobs.send(job)
        return job

    def submit_rescore(
        self, user_id: int, prediction_id: str, mappings: Mapping[str, Mapping[str, str]]
    ) -> JobRecord:
        """Queue scoring the file of prediction ``prediction_id`` again with the same
        model(s), each member named in ``mappings`` reading the columns given there
        (upload column -> model input)."""
        self._licences.require(user_id)
        with self._uow() as uow:
            record = uow.predictions.get(user_id, prediction_id)
            if record.dataset_id is None:
                raise RecordNotFound(
                    f"the file of prediction {prediction_id} was deleted: it cannot be "
                    "scored again",
                    hint="upload it again and score it",
                    said=Message(
                        N_("error.fraud.prediction_file_gone"), {"prediction": prediction_id}
                    ),
                )
            members = {str(m.get("name")) for m in record.summary.get("members", [])}
            unknown = sorted(set(mappings) - members)
            if unknown:
                raise MissingColumns(
                    f"no model {', '.join(unknown)} scored this file; its models are: "
                    + ", ".join(sorted(members)),
                    said=Message(
                        N_("error.fraud.unknown_members"),
                        {"unknown": ", ".join(unknown), "members": ", ".join(sorted(members))},
                    ),
                )
            dataset = uow.datasets.get(user_id, record.dataset_id)
            columns = {str(c.get("name")) for c in dataset.analysis.get("columns", [])}
            absent = sorted({c for m in mappings.values() for c in m} - columns)
            if absent:
                raise MissingColumns(
                    f"{dataset.name} has no column {', '.join(absent)}",
                    said=Message(
                        N_("error.fraud.dataset_no_column"),
                        {"dataset": dataset.name, "columns": ", ".join(absent)},
                    ),
                )
            chosen = {k: dict(v) for k, v in mappings.items()}
            payload: PredictPayload | ApplyPayload
            if record.source == "model":
                name, version = str(record.model_name), str(record.model_version)
                owner = self._workspace(user_id).owner
                payload = PredictPayload(
                    uow.user_models.id_of(owner, name, version),
                    name,
                    version,
                    dataset.id,
                    dataset.name,
                    mappings=chosen,
                    rescore_of=record.id,
                    late_labels=_confirmed(uow, user_id, dataset.id),
                )
            else:
                payload = ApplyPayload(
                    dataset.id,
                    dataset.name,
                    mappings=chosen,
                    rescore_of=record.id,
                    late_labels=_confirmed(uow, user_id, dataset.id),
                )
            job = self._jobs.record(
                uow, owner_id=user_id, kind=payload.KIND, params=payload.to_params()
            )
            uow.commit()
        self._jobs.send(job)
        return job


def _confirmed(
    uow: UnitOfWork, user_id: int, dataset_id: str
) -> tuple[tuple[int, int], ...] | None:
    """The late labels a scoring of dataset ``dataset_id`` with a model reads: the
    analysts' decisions on its rows, on any of the user's predictions of it (ADR 0046)."""
    return confirmed_rows(uow.feedback.of_dataset(user_id, dataset_id)) or None
