"""The scoring jobs: ``predict`` with one of the user's models, ``apply_unlabeled`` with the
reference ensemble, ``evaluate``; the scores are stored as a CSV in the user's folder
(object first, then the object and prediction rows together). Part of
:class:`~entrepot.fraud_service.scoring.ScoringService`, which submits them."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from entrepot.catalog.jobs.records import JobRecord
from entrepot.catalog.objects.records import ObjectRecord
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.catalog.workspace.records import DatasetRecord, PredictionRecord
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
    BUILD_KIND,
    ApplyPayload,
    EvaluatePayload,
    Mappings,
    PredictPayload,
)
from entrepot.fraud_service.known import (
    decided,
    feedback_labels,
    known_labels_summary,
    with_history,
)
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.reference_progress import reference_progress
from entrepot.fraud_service.review import evaluation, prediction_drift, top_rows
from entrepot.fraud_service.summary import preview, summarize
from entrepot.fraud_service.workspace import Workspace
from entrepot.jobs.runner import Progress
from entrepot.jobs.service import JobService
from entrepot.messages import N_, Message

WorkspaceOf = Callable[[int], Workspace]
Clock = Callable[[], datetime]


class ScoringJobs:
    """The job handlers of :class:`~entrepot.fraud_service.scoring.ScoringService`, and the
    reference library's readiness they and the submissions check."""

    _workspace: WorkspaceOf
    _uow: UnitOfWorkFactory
    _jobs: JobService
    _datasets: DatasetService
    _library: RegistryLibrary
    _options: ServiceOptions
    _clock: Clock

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
        known = with_history(
            feedback_labels(payload.late_labels, len(frame)),
            None
            if payload.history_id is None
            else self._read(user_id, payload.history_id, progress)[1],
        )
        ensemble, _ = fit_to_file(ensemble, frame, upload, known)
        for member in ensemble.members:
            self._library.record_use(member.name, member.similarity)
        progress(0.5, Message(N_("progress.scoring")))
        explained: Explanations = {}
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
            model_id = uow.user_models.id_of(ws.owner, version.name, version.version)
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
        summary["estimate"] = estimate(
            scores, ensemble.threshold, known, ensemble.level_error, ensemble.unfamiliar
        )
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
