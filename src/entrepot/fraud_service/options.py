"""Typed options of the fraud service, built by the entrypoints from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from entrepot.fraud.train.clocks import ClockFactory


@dataclass(frozen=True)
class ServiceOptions:
    """What the services need to know beyond the store, the catalog and the registry: a
    view of the settings built once by the composition root
    (``bootstrap.fraud.service_options``); the settings hold every default."""

    #: Signs sessions and model versions.
    secret_key: str
    #: Local working folder: the embedded job queue and temporary files.
    var_dir: Path
    #: ``None``: the embedded queue in ``var_dir``; ``redis://...`` to share the work.
    jobs_url: str | None
    #: The queue's name (several installations may share one Redis).
    jobs_name: str
    #: Seconds of model search per training.
    training_budget: float
    #: No upload may exceed this (bytes), whatever the plan.
    upload_limit: int
    #: The reference library built on first start.
    reference_count: int
    reference_rows: int
    reference_min_frauds: int
    reference_budget: float
    #: Jobs: heartbeat period, silence after which a job is reaped, threads per worker.
    heartbeat_seconds: float
    stale_after_seconds: float
    worker_threads: int
    #: A new clock for each training's and reference build's budget (the
    #: ``training_clock`` setting: the wall clock, or a clock of steps).
    new_clock: ClockFactory
    #: Bytes read from the head of a large upload to analyse it (not a setting).
    analysis_sample_bytes: int = 4 * 1024 * 1024
    #: Rows of scores shown in the page and stored with the prediction (not a setting).
    preview_rows: int = 20
    extra: dict[str, str] = field(default_factory=dict)
    #: The most bytes a training or scoring job may hold (the ``job_memory_budget``
    #: setting); ``None``: a share of the machine's memory
    #: (:mod:`entrepot.fraud_service.memory_budget`).
    memory_budget: int | None = None

    @property
    def temp_dir(self) -> Path:
        """Where uploads are spooled and jobs unpack files (removed after each use)."""
        return self.var_dir / "tmp"
