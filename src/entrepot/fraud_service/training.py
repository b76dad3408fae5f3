"""Training: a request becomes a job (after the licence and the model quota are checked
under the user's row lock); the job reads the dataset, trains, pushes the model folder
to the user's registry namespace."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from entrepot.accounts.licences import TRAINING_KIND, LicenceService
from entrepot.catalog.jobs.records import JobRecord, JobState
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.errors import EntrepotError, RecordNotFound
from entrepot.fraud.errors import NoTargetFound, TargetNotFound, UnknownColumns
from entrepot.fraud.library.trained import register_trained
from entrepot.fraud.train.card import evaluation_of
from entrepot.fraud_service.curves import CURVES_FILE, curves
from entrepot.fraud_service.dataset_tables import read_dataset
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.errors import NothingToLearn, TrainingFailed, UnlabelledDataset
from entrepot.fraud_service.job_payloads import SearchOptions, TrainPayload
from entrepot.fraud_service.memory_budget import MemoryBudget
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.pipeline.training import train_table
from entrepot.fraud_service.retraining import FeedbackRows, count_decisions, gather
from entrepot.fraud_service.training_facts import training_facts
from entrepot.fraud_service.user_roles import check_roles, with_named_roles
from entrepot.fraud_service.workspace import Workspace
from entrepot.jobs.runner import JobRunner, Observer, Progress
from entrepot.jobs.service import JobService
from entrepot.messages import N_, Message, Word
from entrepot.pools import PoolOpener, no_pool
from entrepot.registry.names import check_name

WorkspaceOf = Callable[[int], Workspace]
#: Bytes read from a local file at a time (:meth:`TrainingService.train_file`).
_CHUNK = 1024 * 1024


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
        runner: JobRunner | None = None,
        pools: PoolOpener = no_pool,
    ) -> None:
        """``runner``: jobs in this process (:meth:`train_file`); ``pools``: the trials'."""
        self._workspace = workspace
        self._uow = uow_factory
        self._licences = licences
        self._jobs = jobs
        self._datasets = datasets
        self._options = options
        self._runner = runner
        self._pools = pools

    def submit(
        self,
        user_id: int,
        dataset_id: str,
        model_name: str,
        target: str | None = None,
        *,
        search: SearchOptions | None = None,
        label_delay_days: int | None = None,
        keep_columns: Sequence[str] = (),
        cards_per_day: int | None = None,
        time_column: str | None = None,
        entity_columns: Sequence[str] = (),
        send: bool = True,
        analysed_label: bool = False,
    ) -> JobRecord:
        """Queue the training of ``model_name`` on dataset ``dataset_id`` (``search``: the
        model search's own settings, else the service's budget; ``label_delay_days``,
        ``keep_columns``, ``cards_per_day``, ``time_column`` and ``entity_columns``: how
        the training evaluates, as :func:`~entrepot.fraud.train.training.train` takes them
        (the same :func:`train_table` as the command line's); ``send=False`` records
        the job, slot taken, for the caller to run in its own process; ``analysed_label``:
        the dataset page's form, which offers a label only where the upload's analysis
        found one, so a dataset without one is refused as :class:`UnlabelledDataset`).

        Refused at once (nothing recorded) for a bad model name, no licence or a full quota
        (checked first, as every door does), then an unknown dataset, a target or a kept
        column that is not a column, or no detectable target.
        """
        check_name(model_name)
        target = (target or "").strip() or None
        evaluation = evaluation_of(
            label_delay_days, keep_columns, cards_per_day, time_column, entity_columns
        )
        with self._uow() as uow:
            # the plan first, as a local file's training checks it before reading the file:
            # every door refuses a full quota the same way, whatever else is wrong
            self._licences.reserve_model(uow, user_id, model_name)
            dataset = uow.datasets.get(user_id, dataset_id)
            if analysed_label and dataset.target is None:
                raise UnlabelledDataset(dataset.name)
            MemoryBudget(self._options.jobs.memory_budget).check(dataset, "train")
            columns = [str(c.get("name")) for c in dataset.analysis.get("columns", [])]
            if target is not None and target not in columns:
                raise TargetNotFound(
                    f"dataset {dataset.name} has no column {target!r}; its columns are: "
                    + ", ".join(columns),
                    said=Message(
                        N_("error.fraud.no_target_column"),
                        {
                            "dataset": dataset.name,
                            "column": str(target),
                            "columns": ", ".join(columns),
                        },
                    ),
                )
            unknown = [c for c in evaluation.keep_columns if c not in columns]
            if unknown:
                raise UnknownColumns(
                    f"dataset {dataset.name} has no column {', '.join(map(repr, unknown))} to "
                    "keep; its columns are: " + ", ".join(columns),
                    said=Message(
                        N_("error.fraud.unknown_keep"),
                        {
                            "dataset": dataset.name,
                            "unknown": ", ".join(map(str, unknown)),
                            "columns": ", ".join(columns),
                        },
                    ),
                )
            evaluation = with_named_roles(evaluation, dataset.analysis)
            check_roles(
                dataset.name,
                dataset.analysis.get("columns", []),
                evaluation.time_column,
                evaluation.entity_columns,
            )
            if target is None and dataset.target is None:
                raise NoTargetFound(
                    f"no column of {dataset.name} is clearly the fraud label",
                    hint="name the label column (target_column), or score the file with "
                    "POST /api/apply_unlabeled if it has no label",
                    said=Message(N_("error.fraud.no_clear_label"), {"dataset": dataset.name}),
                )
            job = self._record(
                uow,
                user_id,
                TrainPayload(
                    dataset.id,
                    dataset.name,
                    model_name,
                    target or dataset.target,
                    search=search,
                    evaluation=evaluation,
                ),
            )
            uow.commit()
        if send:
            self._jobs.send(job)
        return job

    def check_room(self, user_id: int, model_name: str | None = None) -> None:
        """Raise unless ``user_id``'s plan takes model ``model_name`` now (licence in force,
        model quota; a model the user holds takes no new slot); nothing is held:
        :meth:`submit` takes the slot when it records the job."""
        with self._uow() as uow:  # rolled back: the row lock ends with it
            self._licences.reserve_model(uow, user_id, model_name)

    def train_file(
        self,
        user_id: int,
        path: Path,
        model_name: str,
        *,
        target: str | None = None,
        search: SearchOptions,
        label_delay_days: int | None = None,
        keep_columns: Sequence[str] = (),
        cards_per_day: int | None = None,
        time_column: str | None = None,
        entity_columns: Sequence[str] = (),
        progress: Observer | None = None,
        sheet: str | None = None,
    ) -> JobRecord:
        """``entrepot fraud train FILE --user``: store ``path`` (its ``sheet``) as a dataset
        of ``user_id``, then run the training job on it here, with this job handler (as a
        worker would; a process that dies mid-way leaves a job the reaper hands to one);
        the other arguments as :meth:`submit` takes them. Returns the succeeded job (its
        ``result`` names the model version).
        Refused before any upload for a bad name, no licence or a full quota (checked
        again, and the slot taken, when the job is recorded: the dataset is then removed);
        raises :class:`TrainingFailed` with the job's error if the training fails."""
        if self._runner is None:
            raise ValueError("this training service runs no job in its own process")
        check_name(model_name)
        self.check_room(user_id, model_name)
        with self._datasets.spool(user_id) as spool, path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                spool.write(chunk)
            dataset = self._datasets.create(user_id, path.name, spool, target=target, sheet=sheet)
        try:
            job = self.submit(
                user_id,
                dataset.id,
                model_name,
                target,
                search=search,
                label_delay_days=label_delay_days,
                keep_columns=keep_columns,
                cards_per_day=cards_per_day,
                time_column=time_column,
                entity_columns=entity_columns,
                send=False,
            )
        except EntrepotError:
            with contextlib.suppress(EntrepotError):
                self._datasets.delete(user_id, dataset.id)
            raise
        self._runner.run(job.id, observe=progress)
        done = self._jobs.get(user_id, job.id)
        if done.state is not JobState.SUCCEEDED:
            raise TrainingFailed(
                done.error or f"the training ended {done.state.value}",
                code=done.error_code,
                said=done.error_data
                or Message(
                    N_("error.fraud.training_failed"),
                    {"state": Word(f"jobs.state.{done.state.value}")},
                ),
            )
        return done

    def submit_retrain(self, user_id: int, model_id: int) -> JobRecord:
        """Queue the training of the next version of model ``model_id``: its training data
        plus the rows analysts labelled on its predictions (its test split unchanged).

        Refused at once for another user's model, a model without any decision to learn
        from, a deleted training dataset, no licence, or a full quota."""
        ws = self._workspace(user_id)
        with self._uow() as uow:
            name, version = uow.user_models.ref(ws.owner, model_id)
        details = ws.registry.show(name, version).version
        schema = ws.registry.pull(name, version).files.get("schema.json")
        target = json.loads(schema.read_text(encoding="utf-8")).get("target") if schema else None
        if count_decisions(self._uow, user_id, name) == 0:
            raise NothingToLearn(
                f"no analyst has labelled a row scored by {name} yet: there is nothing new to "
                "learn from",
                said=Message(N_("error.fraud.nothing_to_learn"), {"model": name}),
            )
        dataset_id = str(details.lineage.get("dataset", ""))
        with self._uow() as uow:
            self._licences.reserve_model(uow, user_id, name)
            try:
                dataset = uow.datasets.get(user_id, dataset_id)
            except RecordNotFound:
                raise RecordNotFound(
                    f"the dataset {name}@{version} was trained on was deleted: retraining "
                    "needs it (the new version is measured on the same test rows)",
                    hint="train a new model on a dataset with POST /api/train",
                    said=Message(
                        N_("error.fraud.training_dataset_gone"), {"model": name, "version": version}
                    ),
                ) from None
            MemoryBudget(self._options.jobs.memory_budget).check(dataset, "train")
            job = self._record(
                uow,
                user_id,
                TrainPayload(
                    dataset.id,
                    dataset.name,
                    name,
                    target or dataset.target,
                    retrain_of=model_id,
                    previous_version=version,
                ),
            )
            uow.commit()
        self._jobs.send(job)
        return job

    def _record(self, uow: UnitOfWork, user_id: int, payload: TrainPayload) -> JobRecord:
        """Record the training job in ``uow``, whose caller took the plan's model slot first
        (:meth:`LicenceService.reserve_model`, before any other check)."""
        return self._jobs.record(
            uow, owner_id=user_id, kind=TRAINING_KIND, params=payload.to_params()
        )

    def run(self, job: JobRecord, progress: Progress) -> Mapping[str, Any]:
        """The ``train`` job handler (a retraining when ``retrain_of`` names a model)."""
        if job.owner_id is None:
            raise ValueError("a training job needs an owner")
        payload = TrainPayload.from_params(job.params)
        ws = self._workspace(job.owner_id)
        previous = payload.retrain_of
        if previous is not None:
            with self._uow() as uow:
                try:
                    uow.user_models.ref(ws.owner, previous)
                except RecordNotFound:
                    raise RecordNotFound(
                        f"model {previous} was deleted before its retraining started",
                        said=Message(N_("error.fraud.model_gone"), {"model": str(previous)}),
                    ) from None
        dataset = self._datasets.get(job.owner_id, payload.dataset_id)
        search = payload.search or SearchOptions(self._options.fraud.training_budget)
        if payload.target is None:
            raise NoTargetFound(
                f"the training of {payload.model_name} names no label column",
                said=Message(N_("error.fraud.training_no_label"), {"model": payload.model_name}),
            )
        target = payload.target
        # checked again where the job runs: the budget may have changed since it was queued
        MemoryBudget(self._options.jobs.memory_budget).check(dataset, "train")
        progress(0.02, Message(N_("progress.reading")))
        with self._datasets.local_copy(job.owner_id, dataset) as path:
            frame = read_dataset(path, dataset)
        lineage = {"dataset": dataset.id, "dataset_sha256": dataset.sha256, "job": job.id}
        extra: pd.DataFrame | None = None
        found: FeedbackRows | None = None
        if previous is not None:
            progress(0.04, Message(N_("progress.reading_decisions")))
            name = payload.model_name
            found = gather(
                self._uow, self._datasets, job.owner_id, name, frame, target, dataset.sha256
            )
            extra = found.frame
            if extra.empty:
                raise NothingToLearn(
                    f"none of the {found.skipped} decisions on {name} can be learnt from: the "
                    "files they were made on were deleted, or are the training file itself",
                    said=Message(
                        N_("error.fraud.decisions_unusable"),
                        {"decisions": found.skipped, "model": name},
                    ),
                )
            lineage |= {
                "feedback_rows": str(len(extra)),
                "previous_model": str(previous),
                "previous_version": str(payload.previous_version),
            }
        began = time.monotonic()

        def say(message: Message) -> None:
            elapsed = time.monotonic() - began
            progress(0.05 + 0.85 * min(1.0, elapsed / max(search.time_budget, 1.0)), message)

        result = train_table(
            frame,
            target,
            search=search,
            evaluation=payload.evaluation,
            clock=self._options.new_clock(),
            progress=say,
            extra=extra,
            pools=self._pools,
            device=self._options.fraud.training_device,
        )
        progress(0.92, Message(N_("progress.storing_model")))

        def add_curves(folder: Path) -> None:
            charts = curves(result, frame, extra)
            (folder / CURVES_FILE).write_text(json.dumps(charts), encoding="utf-8")

        version = register_trained(
            ws.registry,
            result,
            payload.model_name,
            lineage=lineage,
            tags={"dataset_name": dataset.name[:100]},
            extra=add_curves,
            temp_dir=self._temp(),
        )
        with self._uow() as uow:
            model_id = uow.user_models.id_of(ws.owner, version.name, version.version)
        return {
            "model_id": model_id,
            "model_name": version.name,
            "version": version.version,
            **training_facts(result.performance),
            **(
                {"feedback_rows": len(found.frame), "feedback_skipped": found.skipped}
                if found is not None
                else {}
            ),
        }

    def _temp(self) -> Path:
        folder = self._options.temp_dir
        folder.mkdir(parents=True, exist_ok=True)
        return folder
