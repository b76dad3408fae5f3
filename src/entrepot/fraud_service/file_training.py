"""``entrepot fraud train FILE --user ACCOUNT``: a local file trained for an account exactly
as the web service trains an upload. The file becomes one of the account's datasets (the
upload's limits and analysis), the training is recorded as the account's job (its plan and
model quota checked, and the slot held, under its row lock, as ``POST /api/train`` does),
and the job runs in this process with the web worker's handler. A process that dies
mid-way leaves a job the reaper hands to a worker, which finishes it."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from entrepot.catalog.jobs.records import JobRecord, JobState
from entrepot.errors import EntrepotError
from entrepot.fraud_service.datasets import DatasetService
from entrepot.fraud_service.errors import TrainingFailed
from entrepot.fraud_service.job_payloads import SearchOptions
from entrepot.fraud_service.training import TrainingService
from entrepot.jobs.runner import JobRunner, Observer
from entrepot.jobs.service import JobService
from entrepot.registry.names import check_name

#: Bytes read from the local file at a time.
_CHUNK = 1024 * 1024


class FileTraining:
    """Train a local file for an account, through the training service."""

    def __init__(
        self,
        datasets: DatasetService,
        training: TrainingService,
        jobs: JobService,
        runner: JobRunner,
    ) -> None:
        self._datasets = datasets
        self._training = training
        self._jobs = jobs
        self._runner = runner

    def train(
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
        progress: Observer | None = None,
    ) -> JobRecord:
        """Store ``path`` as a dataset of ``user_id``, then train ``model_name`` on it in
        this process (``label_delay_days``, ``keep_columns``, ``cards_per_day``: as
        :meth:`TrainingService.submit` takes them); returns the succeeded job (its
        ``result`` names the model version).
        Refused before any upload for a bad name, no licence or a full quota (checked again,
        and the slot taken, when the job is recorded: the dataset is then removed); raises
        :class:`TrainingFailed` with the job's error if the training fails."""
        check_name(model_name)
        self._training.check_room(user_id)
        with self._datasets.spool(user_id) as spool, path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                spool.write(chunk)
            dataset = self._datasets.create(user_id, path.name, spool, target=target)
        try:
            job = self._training.submit(
                user_id,
                dataset.id,
                model_name,
                target,
                search=search,
                label_delay_days=label_delay_days,
                keep_columns=keep_columns,
                cards_per_day=cards_per_day,
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
                done.error or f"the training ended {done.state.value}", code=done.error_code
            )
        return done
