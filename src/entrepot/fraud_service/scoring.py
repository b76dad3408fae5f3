"""Scoring: with one of the user's models (``predict``) or with the reference ensemble
for unlabelled files (``apply_unlabeled``), as jobs; the scores are stored as a CSV in
the user's folder (object first, then the object and prediction rows together)."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from entrepot.accounts.licences import LicenceService
from entrepot.catalog.jobs.records import JobRecord
from entrepot.catalog.objects.records import ObjectRecord
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.catalog.workspace.records import DatasetRecord, PredictionRecord
from entrepot.errors import RecordNotFound
from entrepot.fraud.errors import MissingColumns
from entrepot.fraud.library.registry import RegistryLibrary
from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.fit import CANDIDATES, fit_to_file
from entrepot.fraud.score.registered import load_scorer, register_ensemble
from entrepot.fraud.score.remap import remap
from entrepot.fraud.score.scoring import Explanations, score
from entrepot.fraud.tables.io import read_table, write_table
from entrepot.fraud_service import evaluating
from entrepot.fraud_service.curves import CURVES_FILE
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.errors import LibraryNotReady
from entrepot.fraud_service.estimate import estimate, file_labels, realised
from entrepot.fraud_service.job_payloads import (
    APPLY_KIND,
    BUILD_KIND,
    EVALUATE_KIND,
    PREDICT_KIND,
    ApplyPayload,
    EvaluatePayload,
    Mappings,
    PredictPayload,
)
from entrepot.fraud_service.known import (
    confirmed_rows,
    decided,
    feedback_labels,
    known_labels_summary,
)
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.reference_progress import reference_progress
from entrepot.fraud_service.review import evaluation, prediction_drift, top_rows
from entrepot.fraud_service.summary import preview, summarize
from entrepot.fraud_service.workspace import Workspace
from entrepot.jobs.runner import Progress
from entrepot.jobs.service import JobService
from entrepot.messages import N_, Message
from entrepot.registry.names import check_name

WorkspaceOf = Callable[[int], Workspace]
Clock = Callable[[], datetime]


class ScoringService:
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
    ) -> None:
        self._workspace = workspace
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
        self, user_id: int, dataset_id: str, model_name: str | None = None
    ) -> JobRecord:
        """Queue the scoring of dataset ``dataset_id`` with the reference ensemble; with
        ``model_name``, the ensemble is then kept as that model of the user."""
        self._licences.require(user_id)
        if model_name is not None:
            check_name(model_name)
        with self._uow() as uow:
            dataset = uow.datasets.get(user_id, dataset_id)
        self.require_library()
        with self._uow() as uow:
            late = _confirmed(uow, user_id, dataset.id)
        payload = ApplyPayload(dataset.id, dataset.name, model_name=model_name, late_labels=late)
        with self._uow() as uow:
            if model_name is not None:
                self._licences.reserve_model(uow, user_id)
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
                )
            members = {str(m.get("name")) for m in record.summary.get("members", [])}
            unknown = sorted(set(mappings) - members)
            if unknown:
                raise MissingColumns(
                    f"no model {', '.join(unknown)} scored this file; its models are: "
                    + ", ".join(sorted(members))
                )
            dataset = uow.datasets.get(user_id, record.dataset_id)
            columns = {str(c.get("name")) for c in dataset.analysis.get("columns", [])}
            absent = sorted({c for m in mappings.values() for c in m} - columns)
            if absent:
                raise MissingColumns(f"{dataset.name} has no column {', '.join(absent)}")
            chosen = {k: dict(v) for k, v in mappings.items()}
            payload: PredictPayload | ApplyPayload
            if record.source == "model":
                name, version = str(record.model_name), str(record.model_version)
                ids = uow.user_models.ids(self._workspace(user_id).owner)
                if (name, version) not in ids:
                    raise RecordNotFound(f"model {name} {version} was deleted")
                payload = PredictPayload(
                    ids[(name, version)],
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

    def require_library(self) -> int:
        """How many references are active; raises :class:`LibraryNotReady` if none."""
        count = len(self._library.references())
        if count == 0:
            building = self._jobs.unfinished(None, BUILD_KIND)
            state = "is being built" if building else "is empty"
            raise LibraryNotReady(
                f"the reference library {state}: unlabelled files cannot be scored yet",
                hint="retry in a few minutes"
                if building
                else "run `entrepot fraud "
                "build-references`, or restart `entrepot serve`, which builds it",
            )
        return count

    def _partial_library(self, available: int) -> dict[str, int] | None:
        """While the reference build runs, how many references the library has and how
        many it will have (the prediction says it was scored with a partial library);
        ``None`` when no build is under way."""
        building = reference_progress(self._jobs)
        if building is None or available >= building.total:
            return None
        return {"references": available, "total": building.total}

    # -- job handlers ------------------------------------------------------
    def run_predict(self, job: JobRecord, progress: Progress) -> Mapping[str, Any]:
        """The ``predict`` job handler."""
        user_id = _owner(job)
        payload = PredictPayload.from_params(job.params)
        ws = self._workspace(user_id)
        name, version = payload.model_name, payload.version
        dataset, frame = self._read(user_id, payload.dataset_id, progress)
        progress(0.3, Message(N_("progress.loading_model")))
        upload = describe(frame)
        ensemble = load_scorer(ws.registry, name, version, upload)
        with self._uow() as uow:
            saved = uow.feedback.threshold(payload.model_id)
        if saved is not None:  # the analyst's threshold, saved for this version
            ensemble = ensemble.with_threshold(saved.threshold)
        ensemble = _chosen_columns(ensemble, payload.mappings, frame)
        progress(0.5, Message(N_("progress.scoring")))
        explained: Explanations = {}
        known = feedback_labels(payload.late_labels, len(frame))
        scores = score(frame, ensemble, upload=upload, explained=explained, known=known)
        progress(0.8, Message(N_("progress.drift")))
        curves = _json(ws.registry.pull(name, version).files.get(CURVES_FILE))
        review = {
            "drift": prediction_drift(curves, frame, scores, ensemble),
            "evaluation": evaluation(frame, dataset.target, scores, ensemble.threshold),
            "known_labels": known_labels_summary(known, ensemble),
        }
        progress(0.85, Message(N_("progress.storing_scores")))
        scored = (scores, explained, _realised(frame, dataset, scores, payload.late_labels))
        return self._store(job, ws, dataset, scored, ensemble, "model", name, version, review)

    def run_apply(self, job: JobRecord, progress: Progress) -> Mapping[str, Any]:
        """The ``apply_unlabeled`` job handler."""
        user_id = _owner(job)
        ws = self._workspace(user_id)
        payload = ApplyPayload.from_params(job.params)
        available = self.require_library()
        partial = self._partial_library(available)
        dataset, frame = self._read(user_id, payload.dataset_id, progress)
        progress(0.3, Message(N_("progress.matching_references")))
        upload = describe(frame)
        ensemble, _ = from_library(upload, self._library, top=CANDIDATES, what=dataset.name)
        ensemble = _chosen_columns(ensemble, payload.mappings, frame)
        ensemble, _ = fit_to_file(ensemble, frame, upload)
        for member in ensemble.members:
            self._library.record_use(member.name, member.similarity)
        progress(0.5, Message(N_("progress.scoring")))
        explained: Explanations = {}
        known = feedback_labels(payload.late_labels, len(frame))
        scores = score(frame, ensemble, upload=upload, explained=explained, known=known)
        progress(0.85, Message(N_("progress.storing_scores")))
        review = {
            "drift": None,
            "evaluation": evaluation(frame, dataset.target, scores, ensemble.threshold),
            "partial_library": partial,
            "known_labels": known_labels_summary(known, ensemble),
        }
        scored = (scores, explained, _realised(frame, dataset, scores, payload.late_labels))
        stored = self._store(job, ws, dataset, scored, ensemble, "references", None, None, review)
        name = payload.model_name
        if name is None:
            return stored
        progress(0.95, Message(N_("progress.keeping_ensemble")))
        version = register_ensemble(
            ws.registry,
            ensemble,
            name,
            lineage={"dataset": dataset.id, "dataset_sha256": dataset.sha256, "job": job.id},
            tags={"dataset_name": dataset.name[:100]},
            temp_dir=self._options.temp_dir,
        )
        with self._uow() as uow:
            model_id = uow.user_models.ids(ws.owner)[(version.name, version.version)]
        return {**stored, "model_id": model_id, "model_name": name, "version": version.version}

    def run_evaluate(self, job: JobRecord, progress: Progress) -> Mapping[str, Any]:
        """The ``evaluate`` job handler (:mod:`entrepot.fraud_service.evaluating`)."""
        user_id = _owner(job)
        found = EvaluatePayload.from_params(job.params)
        _, frame = self._read(user_id, found.dataset_id, progress)

        def fitted(unlabelled: pd.DataFrame, upload: Any, what: str) -> Ensemble:
            self.require_library()
            ensemble, _ = from_library(upload, self._library, top=CANDIDATES, what=what)
            return fit_to_file(ensemble, unlabelled, upload)[0]

        return evaluating.run(found, self._workspace(user_id), frame, fitted, progress)

    # -- internals ---------------------------------------------------------
    def _read(
        self, user_id: int, dataset_id: str, progress: Progress
    ) -> tuple[DatasetRecord, pd.DataFrame]:
        dataset = self._datasets.get(user_id, dataset_id)
        progress(0.1, Message(N_("progress.reading")))
        with self._datasets.local_copy(user_id, dataset) as path:
            return dataset, read_table(path)

    def _store(
        self,
        job: JobRecord,
        ws: Workspace,
        dataset: DatasetRecord,
        scored: tuple[pd.DataFrame, Explanations, dict[str, Any] | None],
        ensemble: Ensemble,
        source: str,
        model_name: str | None,
        version: str | None,
        review: dict[str, Any],
    ) -> dict[str, Any]:
        scores, explained, known = scored
        prediction_id = uuid.uuid4().hex
        key = f"predictions/{prediction_id}.csv"
        summary = summarize(scores, ensemble)
        summary["estimate"] = estimate(scores, ensemble.threshold, known, ensemble.level_error)
        if "known_labels" in review:  # how many late labels the features read
            summary["known_labels"] = review["known_labels"]
        details = {**summary, **review, "top": top_rows(scores, ensemble, explained)}
        shown = preview(scores, self._options.preview_rows)
        folder = self._options.temp_dir
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix="scores-") as tmp:
            path = Path(tmp) / "scores.csv"
            write_table(scores, path)  # text cells safe in a spreadsheet
            info = ws.store.put_file(key, path, content_type="text/csv", if_absent=True)

        def prediction_row(uow: UnitOfWork, objects: tuple[ObjectRecord, ...]) -> PredictionRecord:
            return uow.predictions.add(
                prediction_id=prediction_id,
                owner_id=ws.user_id,
                job_id=job.id,
                dataset_id=dataset.id,
                dataset_name=dataset.name,
                source=source,
                model_name=model_name,
                model_version=version,
                object_id=objects[0].id,
                rows=len(scores),
                summary=details,
                preview=shown,
                now=self._clock(),
            )

        record = ws.record_put(
            self._uow,
            key,
            info,
            prediction_row,
            kind="prediction",
        )
        return {"prediction_id": record.id, "rows": record.rows, "summary": summary}


def _confirmed(
    uow: UnitOfWork, user_id: int, dataset_id: str
) -> tuple[tuple[int, int], ...] | None:
    """The late labels a scoring of dataset ``dataset_id`` with a model reads: the
    analysts' decisions on its rows, on any of the user's predictions of it (ADR 0046)."""
    return confirmed_rows(uow.feedback.of_dataset(user_id, dataset_id)) or None


def _realised(
    frame: pd.DataFrame,
    dataset: DatasetRecord,
    scores: pd.DataFrame,
    decisions: tuple[tuple[int, int], ...] | None,
) -> dict[str, Any] | None:
    """The realised figures of a scoring: against the file's own label when it has one,
    else against the analysts' decisions on its rows known when it was asked for."""
    flagged = scores["prediction"].to_numpy() == 1
    own = file_labels(frame, dataset.target)
    if own is not None:
        return realised(flagged, own, "label", dataset.target)
    return realised(flagged, decided(len(frame), decisions), "feedback")


def _chosen_columns(ensemble: Ensemble, mappings: Mappings | None, frame: pd.DataFrame) -> Ensemble:
    """``ensemble`` reading the columns a person chose (``mappings``), if any."""
    if not mappings:
        return ensemble
    return remap(ensemble, mappings, [str(c) for c in frame.columns])


def _owner(job: JobRecord) -> int:
    if job.owner_id is None:
        raise ValueError(f"job {job.id} has no owner")
    return job.owner_id


def _json(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
