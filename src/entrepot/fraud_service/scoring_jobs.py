"""The scoring jobs: ``predict`` with one of the user's models, ``apply_unlabeled`` with the
reference ensemble, ``evaluate``; the scores are stored as a CSV in the user's folder
(object first, then the object and prediction rows together). Part of
:class:`~entrepot.fraud_service.scoring.ScoringService`, which submits them."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from entrepot import temp_names
from entrepot.catalog.jobs.records import JobRecord
from entrepot.catalog.objects.records import ObjectRecord
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.catalog.workspace.records import DatasetRecord, PredictionRecord
from entrepot.fraud.library.registry import RegistryLibrary
from entrepot.fraud.score.registered import register_ensemble
from entrepot.fraud.tables.io import write_table
from entrepot.fraud_service import evaluating
from entrepot.fraud_service.curves import CURVES_FILE
from entrepot.fraud_service.dataset_tables import read_dataset
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.errors import LibraryNotReady
from entrepot.fraud_service.job_payloads import (
    BUILD_KIND,
    ApplyPayload,
    EvaluatePayload,
    PredictPayload,
)
from entrepot.fraud_service.memory_budget import MemoryBudget
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.pipeline.partitioned import Spread
from entrepot.fraud_service.pipeline.scorers import OneModel, References, Scorer
from entrepot.fraud_service.pipeline.scoring import LabelsGiven, ScoringOutcome, score_frame
from entrepot.fraud_service.reference_progress import reference_progress
from entrepot.fraud_service.review import evaluation, prediction_drift, top_rows
from entrepot.fraud_service.review_fields import row_fields
from entrepot.fraud_service.summary import preview
from entrepot.fraud_service.workspace import Workspace
from entrepot.jobs.runner import Progress
from entrepot.jobs.service import JobService
from entrepot.messages import N_, Message, Word

WorkspaceOf = Callable[[int], Workspace]
Clock = Callable[[], datetime]
#: Where a scoring job's rows are scored (``bootstrap.cluster.scheduler_spread``: over the
#: configured Dask scheduler's workers, else in process).
SpreadOf = Callable[[], AbstractContextManager[Spread]]


def in_process() -> AbstractContextManager[Spread]:
    """Every row scored in the job's own process."""
    return nullcontext(Spread())


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
    _spread: SpreadOf

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
                said=Message(
                    N_("error.fraud.library_building_or_empty"),
                    {
                        "state": Word(
                            N_("library.state.building") if building else N_("library.state.empty")
                        )
                    },
                ),
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
        with self._uow() as uow:
            saved = uow.feedback.threshold(payload.model_id)
        # the analyst's threshold, saved for this version, when there is one
        threshold = None if saved is None else saved.threshold
        opened = ws.registry.open(name, version)  # resolved once: the model and its curves
        scorer = OneModel(opened, threshold, payload.mappings)
        labels = LabelsGiven(decisions=payload.late_labels)
        outcome = self._score(dataset, frame, scorer, labels, progress)
        progress(0.8, Message(N_("progress.drift")))
        curves = _json(opened.pulled.files.get(CURVES_FILE))
        review = {
            "drift": prediction_drift(curves, frame, outcome.scores, outcome.ensemble),
            "evaluation": _evaluation(frame, dataset, outcome),
            "known_labels": outcome.known_labels,
        }
        progress(0.85, Message(N_("progress.storing_scores")))
        return self._store(job, ws, dataset, frame, outcome, "model", name, version, review)

    def run_apply(self, job: JobRecord, progress: Progress) -> Mapping[str, Any]:
        """The ``apply_unlabeled`` job handler."""
        user_id = _owner(job)
        ws = self._workspace(user_id)
        payload = ApplyPayload.from_params(job.params)
        available = self.require_library()
        partial = self._partial_library(available)
        dataset, frame = self._read(user_id, payload.dataset_id, progress)
        history = None
        if payload.history_id is not None:
            history = self._read(user_id, payload.history_id, progress)[1]
        labels = LabelsGiven(history=history, decisions=payload.late_labels)
        scorer = References(self._library, payload.mappings)
        outcome = self._score(dataset, frame, scorer, labels, progress, partial)
        progress(0.85, Message(N_("progress.storing_scores")))
        review = {
            "drift": None,
            "evaluation": _evaluation(frame, dataset, outcome),
            "partial_library": partial,
            "known_labels": outcome.known_labels,
        }
        stored = self._store(job, ws, dataset, frame, outcome, "references", None, None, review)
        name = payload.model_name
        if name is None:
            return stored
        progress(0.95, Message(N_("progress.keeping_ensemble")))
        version = register_ensemble(
            ws.registry,
            outcome.ensemble,
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
        scorer: Scorer
        if found.model_name is None:
            self.require_library()
            scorer = References(self._library, count_use=False)
        else:
            registry = self._workspace(user_id).registry
            scorer = OneModel(registry.open(found.model_name, found.version))
        return evaluating.run(found, frame, scorer, progress)

    # -- internals ---------------------------------------------------------
    def _read(
        self, user_id: int, dataset_id: str, progress: Progress
    ) -> tuple[DatasetRecord, pd.DataFrame]:
        dataset = self._datasets.get(user_id, dataset_id)
        # checked again where the job runs: the budget may have changed since it was queued
        MemoryBudget(self._options.jobs.memory_budget).check(dataset, "score")
        progress(0.1, Message(N_("progress.reading")))
        with self._datasets.local_copy(user_id, dataset) as path:
            return dataset, read_dataset(path, dataset)

    def _score(
        self,
        dataset: DatasetRecord,
        frame: pd.DataFrame,
        scorer: Scorer,
        labels: LabelsGiven,
        progress: Progress,
        partial: Mapping[str, int] | None = None,
    ) -> ScoringOutcome:
        """The one scoring pipeline on a dataset's table; ``partial``: the library's
        references and total while its build runs."""
        with self._spread() as spread:
            return score_frame(
                frame,
                scorer,
                labels=labels,
                label=dataset.target,
                what=dataset.name,
                progress=progress,
                partial=None if partial is None else (partial["references"], partial["total"]),
                spread=spread,
            )

    def _store(
        self,
        job: JobRecord,
        ws: Workspace,
        dataset: DatasetRecord,
        frame: pd.DataFrame,
        outcome: ScoringOutcome,
        source: str,
        model_name: str | None,
        version: str | None,
        review: dict[str, Any],
    ) -> dict[str, Any]:
        scores, ensemble = outcome.scores, outcome.ensemble
        prediction_id = uuid.uuid4().hex
        key = f"predictions/{prediction_id}.csv"
        summary = {**outcome.summary, "estimate": outcome.estimate, "spread": outcome.spread}
        if "known_labels" in review:  # how many late labels the features read
            summary["known_labels"] = review["known_labels"]
        top = top_rows(scores, ensemble, outcome.explained)
        fields = row_fields(frame, dataset.analysis, (int(r["row"]) for r in top))
        top = [{**r, "fields": fields.get(int(r["row"]), [])} for r in top]
        details = {**summary, **review, "top": top}
        shown = preview(scores, self._options.preview_rows)
        folder = self._options.temp_dir
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix=temp_names.SCORES) as tmp:
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


def _evaluation(
    frame: pd.DataFrame, dataset: DatasetRecord, outcome: ScoringOutcome
) -> dict[str, Any] | None:
    """The scores measured against the dataset's own label, when it has one."""
    return evaluation(frame, dataset.target, outcome.scores, outcome.ensemble.threshold)


def _owner(job: JobRecord) -> int:
    if job.owner_id is None:
        raise ValueError(f"job {job.id} has no owner")
    return job.owner_id


def _json(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
