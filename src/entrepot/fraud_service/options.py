"""Typed options of the fraud service, built by the composition root from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from entrepot.fraud.train.clocks import ClockFactory, clock_factory
from entrepot.settings.fraud import FraudSettings
from entrepot.settings.jobs import JobsSettings


@dataclass(frozen=True)
class ServiceOptions:
    """What the services need to know beyond the store, the catalog and the registry:
    the fraud and jobs groups of the settings as they are, the instance's secret and
    folder (``bootstrap.fraud.service_options``); the settings hold every default."""

    #: Signs sessions and model versions (the configured secret, else the generated one).
    secret_key: str
    #: Local working folder: the embedded job queue and temporary files.
    var_dir: Path
    #: Training, uploads and the reference library (``ENTREPOT_TRAINING_*``, ...).
    fraud: FraudSettings
    #: The queues, the workers and a job's memory budget (``ENTREPOT_JOB*``, ...).
    jobs: JobsSettings
    #: Bytes read from the head of a large upload to analyse it (not a setting).
    analysis_sample_bytes: int = 4 * 1024 * 1024
    #: Rows of scores shown in the page and stored with the prediction (not a setting).
    preview_rows: int = 20
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def new_clock(self) -> ClockFactory:
        """A new clock for each training's and reference build's budget (the
        ``training_clock`` setting: the wall clock, or a clock of steps)."""
        return clock_factory(self.fraud.training_clock)

    @property
    def temp_dir(self) -> Path:
        """Where uploads are spooled and jobs unpack files (removed after each use)."""
        return self.var_dir / "tmp"
